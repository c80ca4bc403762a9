//! Lines too short to say anything, taken without parsing (red-team H32).
//!
//! A flood of blank or one-letter lines (`a\n` × 100 million) cost 50–150×
//! a realistic log of the same size: every line was parsed, became an
//! event, and was matched. Such a line cannot hold a level or a message
//! any catalog entry matches, so a log's run of them is only counted:
//!
//! - a blank line ends a pending plain event and is otherwise nothing;
//! - a tiny line (see `is_tiny`) ends a pending plain event and begins one
//!   of its own, which cannot match: it is only parsed when the line after
//!   it could continue it (an indented line), or when the input ends.
//!
//! After an entry (`ERRO[…] …`) a tiny line is a continuation of it: that
//! takes the usual path. The result is exactly what parsing every line
//! gives (tests/it/equivalence.rs compares the two).

use super::envelope::parse_line;
use super::event::{Event, EventBuilder, EventKind};

/// The most bytes a tiny line has (a CR at its end not counted).
pub(crate) const MAX_TINY: usize = 3;

/// A byte a tiny line may hold: letters, digits and a few marks that begin
/// no envelope (a test parses every such line to make sure).
const fn tiny_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b',' | b';' | b'!' | b'?')
}

/// `line` without the CR of a CRLF line end.
#[inline]
fn trim_cr(line: &[u8]) -> &[u8] {
    match line {
        [rest @ .., b'\r'] => rest,
        _ => line,
    }
}

/// What a line is to the shortcut.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Size {
    Blank,
    /// At most `max` tiny bytes.
    Tiny,
    Other,
}

/// Blank (empty, or a lone CR), tiny (1 to `max` tiny bytes, `max` ≤
/// `MAX_TINY`) or neither.
#[inline]
pub(crate) fn size(line: &[u8], max: usize) -> Size {
    let t = trim_cr(line);
    if t.is_empty() {
        Size::Blank
    } else if t.len() <= max && t.iter().all(|&b| tiny_byte(b)) {
        Size::Tiny
    } else {
        Size::Other
    }
}

/// A run of blank and tiny lines at the start of some bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Run {
    /// Its bytes: whole lines, each with its `\n` (the last may lack one
    /// at the end of the input).
    pub len: usize,
    pub lines: u64,
    pub blank: u64,
    /// Where its last line begins, when that line is tiny.
    pub last_tiny: Option<usize>,
}

/// What a byte is to `run_of`.
const OTHER: u8 = 0;
const TINY: u8 = 1;
const LF: u8 = 2;
const CR: u8 = 3;

static CLASS: [u8; 256] = {
    let mut t = [OTHER; 256];
    let mut b = 0;
    while b < 256 {
        if tiny_byte(b as u8) {
            t[b] = TINY;
        }
        b += 1;
    }
    t[b'\n' as usize] = LF;
    t[b'\r' as usize] = CR;
    t
};

/// The run of blank and tiny lines (up to `max` bytes) that `bytes` begin
/// with. One pass over the bytes, no search per line: a flood of two-byte
/// lines costs a few instructions a byte.
#[inline]
fn run_of(bytes: &[u8], max: usize) -> Run {
    let mut r = Run {
        len: 0,
        lines: 0,
        blank: 0,
        last_tiny: None,
    };
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        match CLASS[usize::from(b)] {
            LF => {
                let len = i - start;
                if len == 0 || (len == 1 && bytes[start] == b'\r') {
                    r.blank += 1;
                    r.last_tiny = None;
                } else {
                    r.last_tiny = Some(start);
                }
                r.lines += 1;
                start = i + 1;
            }
            TINY if i - start < max => {}
            // A CR only before the LF that ends the line.
            CR if bytes.get(i + 1) == Some(&b'\n') => {}
            _ => {
                r.len = start;
                return r;
            }
        }
    }
    r.len = bytes.len();
    // A last line without its `\n`.
    if start < bytes.len() {
        r.lines += 1;
        r.last_tiny = Some(start);
    }
    r
}

/// The pending event that a tiny line began, kept as its bytes.
#[derive(Debug, Clone, Copy)]
struct Deferred {
    line: u64,
    len: usize,
    bytes: [u8; MAX_TINY],
}

/// The shortcut for one input's lines; see the module's comment.
#[derive(Debug)]
pub(crate) struct TinyLines {
    /// Lines up to this many bytes are tiny: fewer than any match needs.
    max: usize,
    deferred: Option<Deferred>,
}

/// What the shortcut made of a line.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Taken {
    /// Taken: it completed this many events, which matched nothing.
    Counted(u64),
    /// Not taken: parse it as usual (a deferred event is in the builder).
    Parse,
}

impl TinyLines {
    /// The shortcut for a log (never a paste, whose lines join) whose
    /// shortest possible match has `shortest` bytes; `None` when no line is
    /// short enough for it.
    pub(crate) fn new(shortest: usize) -> Option<TinyLines> {
        let max = shortest.saturating_sub(1).min(MAX_TINY);
        (max > 0).then_some(TinyLines {
            max,
            deferred: None,
        })
    }

    /// Takes line `n` (`bytes`) if it needs no parsing. `builder` holds the
    /// pending event; `complete` gets an event that this line ends (the
    /// pending one, before a line that would end it anyway).
    #[inline]
    pub(crate) fn take(
        &mut self,
        n: u64,
        bytes: &[u8],
        builder: &mut EventBuilder,
        complete: impl FnOnce(Event),
    ) -> Taken {
        let size = size(bytes, self.max);
        if size == Size::Other {
            self.restore(builder);
            return Taken::Parse;
        }
        if self.deferred.is_some() {
            // The deferred event ends here; a tiny line begins the next.
            self.deferred = (size == Size::Tiny).then(|| defer(n, bytes));
            return Taken::Counted(1);
        }
        match builder.pending().map(|ev| ev.kind) {
            // A blank line ends nothing but a plain event.
            Some(EventKind::Plain) | None => {}
            Some(_) if size == Size::Blank => return Taken::Counted(0),
            // A tiny line continues an entry or a panic.
            Some(_) => return Taken::Parse,
        }
        if let Some(ev) = builder.finish() {
            complete(ev);
        }
        if size == Size::Tiny {
            self.deferred = Some(defer(n, bytes));
        }
        Taken::Counted(0)
    }

    /// Whether a tiny line is kept unparsed (`restore` puts it back).
    #[inline]
    pub(crate) fn holds_a_line(&self) -> bool {
        self.deferred.is_some()
    }

    /// Whether `bytes` may begin with a run of blank and tiny lines. Asked
    /// before every line, so the usual answer (no: a longer line) takes a
    /// few compares: a tiny line ends within `max` bytes and a CR.
    #[inline(always)]
    pub(crate) fn may_run(&self, bytes: &[u8]) -> bool {
        let head = &bytes[..bytes.len().min(self.max + 2)];
        head.len() < self.max + 2 || head.contains(&b'\n')
    }

    /// The run of blank and tiny lines that `bytes` begin with.
    pub(crate) fn run(&self, bytes: &[u8]) -> Run {
        run_of(bytes, self.max)
    }

    /// Takes the lines of a run (`bytes`, as `run` found it: `whole`; the
    /// first is line `n`) and returns how many events they completed that
    /// matched nothing; events that may match go to `complete`.
    pub(crate) fn take_run(
        &mut self,
        n: u64,
        run: &[u8],
        whole: Run,
        builder: &mut EventBuilder,
        mut complete: impl FnMut(Event),
    ) -> u64 {
        debug_assert_eq!(run.len(), whole.len);
        let (mut at, mut n, mut events) = (0, n, 0);
        let (mut lines, mut blank) = (whole.lines, whole.blank);
        // One line at a time while they may continue an entry, a panic, or
        // a plain event before them.
        loop {
            let rest = &run[at..];
            if rest.is_empty() {
                return events;
            }
            match builder.pending() {
                None => break,
                // An entry that takes no more continuation lines: the rest
                // changes nothing.
                Some(ev) if ev.kind != EventKind::Plain && !ev.takes_detail(1) => return events,
                _ => {}
            }
            let end = rest
                .iter()
                .position(|&b| b == b'\n')
                .map_or(rest.len(), |i| i + 1);
            let line = &rest[..end];
            let line = line.strip_suffix(b"\n").unwrap_or(line);
            lines -= 1;
            blank -= u64::from(trim_cr(line).is_empty());
            match self.take(n, line, builder, &mut complete) {
                Taken::Counted(e) => events += e,
                Taken::Parse => {
                    // A tiny line continuing an entry: parsed as ever.
                    let text = std::str::from_utf8(trim_cr(line)).unwrap_or_default();
                    let ended = builder.push(n, parse_line(text));
                    debug_assert!(ended.is_none(), "a tiny line ends no entry");
                }
            }
            at += end;
            n += 1;
        }
        // Nothing pending but perhaps a deferred line: each tiny line but
        // the last is ended by the line after it, and the deferred one by
        // the first.
        debug_assert_eq!(
            run_of(&run[at..], self.max),
            Run {
                len: run.len() - at,
                lines,
                blank,
                last_tiny: whole.last_tiny.map(|s| s - at),
            }
        );
        let tiny = lines - blank;
        events += u64::from(self.deferred.is_some()) + tiny - u64::from(whole.last_tiny.is_some());
        self.deferred = whole.last_tiny.map(|start| {
            let line = &run[start..];
            let line = line.strip_suffix(b"\n").unwrap_or(line);
            defer(n + lines - 1, line)
        });
        events
    }

    /// Puts the deferred event into `builder`, as parsing its line would
    /// have: before a line that may continue it, and at the input's end.
    pub(crate) fn restore(&mut self, builder: &mut EventBuilder) {
        if let Some(d) = self.deferred.take() {
            let text = std::str::from_utf8(&d.bytes[..d.len]).unwrap_or_default();
            let ended = builder.push(d.line, parse_line(text));
            debug_assert!(ended.is_none(), "a deferred line follows no event");
        }
    }
}

fn defer(n: u64, bytes: &[u8]) -> Deferred {
    let t = trim_cr(bytes);
    let mut d = Deferred {
        line: n,
        len: t.len(),
        bytes: [0; MAX_TINY],
    };
    d.bytes[..t.len()].copy_from_slice(t);
    d
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::envelope::{LineKind, Origin};

    /// Every tiny line parses as a plain, unindented line of no level and
    /// no origin whose message is itself: what the shortcut assumes.
    #[test]
    fn every_tiny_line_is_a_bare_message() {
        let bytes: Vec<u8> = (0..=255u8).filter(|&b| tiny_byte(b)).collect();
        let check = |s: &[u8]| {
            let text = std::str::from_utf8(s).unwrap();
            let l = parse_line(text);
            assert_eq!(l.kind, LineKind::Plain, "{text:?}");
            assert_eq!(l.level, None, "{text:?}");
            assert_eq!(l.origin, Origin::Unknown, "{text:?}");
            assert!(!l.indented, "{text:?}");
            assert_eq!(l.message, text, "{text:?}");
            assert_eq!(l.timestamp, None, "{text:?}");
        };
        for &a in &bytes {
            check(&[a]);
            for &b in &bytes {
                check(&[a, b]);
            }
        }
        // Three bytes: every mark with letters and digits around it.
        let few: Vec<u8> = bytes
            .iter()
            .copied()
            .filter(|b| !b.is_ascii_alphanumeric() || b"aAzZ09eEiIwW".contains(b))
            .collect();
        for &a in &few {
            for &b in &few {
                for &c in &few {
                    check(&[a, b, c]);
                }
            }
        }
        assert_eq!(parse_line("").kind, LineKind::Blank);
        assert_eq!(parse_line("\r").kind, LineKind::Blank);
    }

    /// `run_of` finds the lines `size` calls blank or tiny, all of them
    /// up to the first that is not, and counts them right.
    #[test]
    fn runs_agree_with_sizes() {
        let alphabet: [&[u8]; 8] = [
            b"a",
            b"b",
            b"\n",
            b"\r",
            b" ",
            b".",
            "\u{e9}".as_bytes(),
            b"\n",
        ];
        let mut state = 0x2545_f491_4f6c_dd1du64;
        for _ in 0..20_000 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let mut s = state;
            let mut bytes = Vec::new();
            for _ in 0..(state % 24) {
                s = s.rotate_left(11) ^ 0x9e37_79b9_7f4a_7c15;
                bytes.extend_from_slice(alphabet[(s % 8) as usize]);
            }
            let r = run_of(&bytes, 2);
            let mut want = Run {
                len: 0,
                lines: 0,
                blank: 0,
                last_tiny: None,
            };
            let mut at = 0;
            for line in bytes.split_inclusive(|&b| b == b'\n') {
                let text = line.strip_suffix(b"\n").unwrap_or(line);
                // A CR not before a LF ends a run (left to `take`).
                if size(text, 2) == Size::Other || text.ends_with(b"\r") && !line.ends_with(b"\n") {
                    break;
                }
                let blank = size(text, 2) == Size::Blank;
                want.lines += 1;
                want.blank += u64::from(blank);
                want.last_tiny = (!blank).then_some(at);
                at += line.len();
                want.len = at;
            }
            assert_eq!(r, want, "{:?}", String::from_utf8_lossy(&bytes));
        }
    }

    #[test]
    fn sizes() {
        assert_eq!(size(b"", 3), Size::Blank);
        assert_eq!(size(b"\r", 3), Size::Blank);
        assert_eq!(size(b"ab\r", 3), Size::Tiny);
        assert_eq!(size(b"abc", 3), Size::Tiny);
        assert_eq!(size(b"abcd", 3), Size::Other);
        assert_eq!(size(b"abc", 2), Size::Other);
        assert_eq!(size(b" a", 3), Size::Other);
        assert_eq!(size(b"}", 3), Size::Other);
        assert_eq!(size("é".as_bytes(), 3), Size::Other);
    }
}
