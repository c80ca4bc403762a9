//! Groups physical lines into events: one log entry with its continuation
//! lines, a pkg/errors `%+v` dump, a gin recovery block or a Go panic.
#![warn(clippy::string_slice)]

use crate::parse::envelope::{Level, Line, LineKind, Origin};
use crate::parse::normalize::normalize;

/// Whether a text shows it is about AList: its names, its WebDAV path, its
/// port. A client's line about AList's own server is AList's problem,
/// whoever printed it.
pub(crate) fn has_alist_evidence(text: &str) -> bool {
    let b = text.as_bytes();
    let has = |n: &[u8]| b.windows(n.len()).any(|w| w.eq_ignore_ascii_case(n));
    memchr::memmem::find(b, b":5244").is_some()
        || has(b"alist")
        || has(b"openlist")
        || has(b"xiaoya")
        || memchr::memmem::find_iter(b, b"/dav").any(|at| dav_root(b, at))
}

/// `/dav` at `at` is the first segment of a path (`PROPFIND /dav/x`,
/// `http://host:5244/dav/x`): AList's WebDAV root, not a `/dav/` deeper in
/// another server's path (Nextcloud's `/remote.php/dav/`).
fn dav_root(b: &[u8], at: usize) -> bool {
    if b.get(at + 4).is_some_and(|c| c.is_ascii_alphanumeric()) {
        return false;
    }
    let start = b[..at]
        .iter()
        .rposition(|c| {
            c.is_ascii_whitespace() || matches!(c, b'"' | b'\'' | b'(' | b'<' | b'=' | b',')
        })
        .map_or(0, |i| i + 1);
    let before = &b[start..at];
    match memchr::memmem::find(before, b"://") {
        // Only the host (and port) between the scheme and `/dav`.
        Some(i) => !before[i + 3..].contains(&b'/'),
        None => before.is_empty(),
    }
}

/// A stack frame in a package of a Go module (a domain-like first path
/// element: `github.com/x/y.F`, `go.etcd.io/bbolt.(*DB).Open`), not the
/// runtime or the standard library.
fn module_frame(f: &str) -> bool {
    let f = f.trim_start();
    f.split('/').next().is_some_and(|first| {
        first.contains('.') && !first.contains(['(', ' ', ':']) && f.contains('/')
    })
}

/// Bounds that keep memory flat whatever the input looks like.
const MAX_DETAILS: usize = 64;
const MAX_FRAMES: usize = 16;
const MAX_EVENT_BYTES: usize = 64 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum EventKind {
    Entry,
    Plain,
    Panic,
    Recovery,
}

#[derive(Debug, Clone)]
pub(crate) struct Event {
    pub kind: EventKind,
    /// First physical line of the event (1-based).
    pub line: u64,
    pub level: Option<Level>,
    pub timestamp: Option<String>,
    /// The first line's message: for a `%+v` dump, the innermost cause.
    pub head: String,
    /// Continuation lines that are text (wrap messages, panic values).
    pub details: Vec<String>,
    /// Stack frames (the first few).
    pub frames: Vec<String>,
    /// Who printed its first line.
    pub origin: Origin,
    bytes: usize,
}

impl Event {
    fn new(kind: EventKind, line: u64, l: Line) -> Event {
        Event {
            kind,
            line,
            level: l.level,
            timestamp: l.timestamp,
            bytes: l.message.len(),
            head: l.message,
            details: Vec::new(),
            frames: Vec::new(),
            origin: l.origin,
        }
    }

    /// Printed by another program: its first line says so, or it is a Go
    /// crash whose stack names no package of AList or OpenList.
    pub(crate) fn is_foreign(&self) -> bool {
        match self.origin {
            Origin::Other => true,
            Origin::Server => false,
            // A Go crash whose stack names another module's packages
            // (`github.com/prometheus/…`) and none of AList's. The runtime
            // and standard library say nothing: every Go program has them.
            Origin::Unknown => {
                matches!(self.kind, EventKind::Panic)
                    && self.frames.iter().any(|f| module_frame(f))
                    && !self.frames.iter().any(|f| has_alist_evidence(f))
            }
        }
    }

    /// The line that best says what happened: the first line's message, or
    /// for a gin recovery block (whose first line only says "panic
    /// recovered:") the panic value under it.
    pub(crate) fn headline(&self) -> &str {
        if self.head.is_empty() {
            self.details.first().map_or("", String::as_str)
        } else {
            &self.head
        }
    }

    /// Errors, fatals, panics and crashes are worth reporting even when the
    /// catalog does not know them.
    pub(crate) fn is_error(&self) -> bool {
        matches!(self.kind, EventKind::Panic | EventKind::Recovery)
            || self.level.is_some_and(Level::is_error)
    }

    /// Levels that never describe a problem.
    pub(crate) fn is_routine(&self) -> bool {
        matches!(self.level, Some(Level::Debug | Level::Info))
    }

    /// An event of one line: its match text is its head, normalised.
    pub(crate) fn is_one_line(&self) -> bool {
        self.kind != EventKind::Recovery && self.details.is_empty() && self.frames.is_empty()
    }

    /// The text the catalog is matched against, normalised.
    ///
    /// A `%+v` dump prints the innermost cause first and the wrapping messages
    /// after it; rebuilding the chain outermost-first puts the cause last,
    /// where it would be in the API's message.
    pub(crate) fn match_text(&self) -> String {
        self.match_text_and_lines().0
    }

    /// `match_text`, and where each line of an event of plain lines (a
    /// paste, a message's own continuation lines) begins in it: the line
    /// that matched is what a report shows, not the prose around it.
    /// Empty for one-line events, dumps and panics.
    pub(crate) fn match_text_and_lines(&self) -> (String, Vec<usize>) {
        // Most events are one line: nothing to join.
        if self.is_one_line() {
            return (normalize(&self.head), Vec::new());
        }
        let mut s = String::with_capacity(self.bytes + 64);
        match self.kind {
            EventKind::Panic | EventKind::Recovery => {
                if self.kind == EventKind::Recovery {
                    s.push_str("panic recovered: ");
                }
                s.push_str(&self.head);
                for d in &self.details {
                    s.push(' ');
                    s.push_str(d);
                }
                // The frame that names a driver tells which one crashed.
                if let Some(f) = self
                    .frames
                    .iter()
                    .find(|f| f.contains("/drivers/"))
                    .or(self.frames.iter().find(|f| !f.starts_with("goroutine")))
                {
                    s.push_str(" at ");
                    s.push_str(f);
                }
            }
            _ if !self.frames.is_empty() && !self.details.is_empty() => {
                for d in self.details.iter().rev() {
                    s.push_str(d);
                    s.push_str(": ");
                }
                s.push_str(&self.head);
            }
            _ => {
                // Lines a terminal or a browser wrapped are joined with a
                // space; a line that starts anew (a sentence after a full
                // stop, a capitalised sentence, Chinese prose) stays a line
                // of its own, so a message never runs into the user's next
                // sentence and a capture ends with its line.
                let mut s = normalize(&self.head);
                let mut starts = vec![0];
                for d in &self.details {
                    let d = normalize(d);
                    if d.is_empty() {
                        continue;
                    }
                    if !s.is_empty() {
                        s.push(if is_wrap(&s, &d) { ' ' } else { '\n' });
                    }
                    starts.push(s.len());
                    s.push_str(&d);
                }
                return (s, starts);
            }
        }
        (normalize(&s), Vec::new())
    }

    /// Drops what only matching needed (continuation lines, frames), once
    /// it is matched: what is left is what a report shows.
    pub(crate) fn shed(&mut self) {
        if self.head.is_empty()
            && let Some(first) = self.details.first_mut()
        {
            self.head = std::mem::take(first);
        }
        self.details = Vec::new();
        self.frames = Vec::new();
    }

    /// Whether a continuation line of `len` bytes would be kept.
    pub(crate) fn takes_detail(&self, len: usize) -> bool {
        self.details.len() < MAX_DETAILS && self.bytes + len <= MAX_EVENT_BYTES
    }

    fn add_detail(&mut self, text: String) {
        if self.takes_detail(text.len()) {
            self.bytes += text.len();
            self.details.push(text);
        }
    }

    fn add_frame(&mut self, text: String) {
        if self.frames.len() < MAX_FRAMES {
            self.frames.push(text);
        }
    }
}

/// Feeds lines in, takes complete events out.
#[derive(Debug, Default)]
pub(crate) struct EventBuilder {
    /// Pasted text: consecutive lines without an envelope are one message
    /// (a message wrapped by a terminal or a browser).
    paste: bool,
    current: Option<Event>,
}

impl EventBuilder {
    pub(crate) fn new(paste: bool) -> Self {
        EventBuilder {
            paste,
            current: None,
        }
    }

    /// Adds line number `n`; returns the event this line completed, if any.
    pub(crate) fn push(&mut self, n: u64, line: Line) -> Option<Event> {
        match line.kind {
            LineKind::LogEntry => self.replace(Some(Event::new(EventKind::Entry, n, line))),
            LineKind::Panic => self.replace(Some(Event::new(EventKind::Panic, n, line))),
            LineKind::Recovery => self.replace(Some(Event::new(EventKind::Recovery, n, line))),
            LineKind::Access => self.replace(None),
            LineKind::Frame => {
                if let Some(ev) = &mut self.current {
                    // Another language's stack shows whose the event is.
                    if line.origin == Origin::Other && ev.origin == Origin::Unknown {
                        ev.origin = Origin::Other;
                    }
                    ev.add_frame(line.message);
                }
                None
            }
            LineKind::Blank => match &self.current {
                Some(ev) if ev.kind == EventKind::Plain => self.replace(None),
                _ => None,
            },
            // Another program's line is never part of the event before it.
            LineKind::Plain if line.origin == Origin::Other => {
                self.replace(Some(Event::new(EventKind::Plain, n, line)))
            }
            // An indented line goes on the line before it, whatever that is.
            LineKind::Plain => match &mut self.current {
                Some(ev) if ev.kind != EventKind::Plain || self.paste || line.indented => {
                    ev.add_detail(line.message);
                    None
                }
                _ => self.replace(Some(Event::new(EventKind::Plain, n, line))),
            },
        }
    }

    /// Whether a stack frame pushed now would be read for its text: only
    /// a panic's frames are (the one naming a driver joins its match
    /// text); other events only count theirs, so a frame line may then
    /// come with an empty message.
    pub(crate) fn frame_text_needed(&self) -> bool {
        self.current.as_ref().is_some_and(|ev| {
            matches!(ev.kind, EventKind::Panic | EventKind::Recovery)
                && ev.frames.len() < MAX_FRAMES
        })
    }

    /// The event that lines may still continue.
    pub(crate) fn pending(&self) -> Option<&Event> {
        self.current.as_ref()
    }

    /// The last event, at the end of the input.
    pub(crate) fn finish(&mut self) -> Option<Event> {
        self.current.take()
    }

    /// Takes up an event that is not complete yet (the last event of a part
    /// of the input read elsewhere); the builder must be empty.
    pub(crate) fn resume(&mut self, ev: Event) {
        debug_assert!(self.current.is_none());
        self.current = Some(ev);
    }

    /// Whether a line begins a new event whatever came before it: where
    /// one part of an input can be read apart from the previous.
    pub(crate) fn starts_afresh(line: &Line) -> bool {
        matches!(
            line.kind,
            LineKind::LogEntry | LineKind::Panic | LineKind::Recovery | LineKind::Access
        ) || (line.kind == LineKind::Plain && line.origin == Origin::Other)
    }

    fn replace(&mut self, next: Option<Event>) -> Option<Event> {
        std::mem::replace(&mut self.current, next)
    }
}

/// Whether `next` continues the line `prev` ends with (a wrap), rather
/// than starting a new one: not after a sentence's end (`.`, `?`, `!`,
/// `。`…), not when it opens a capitalised sentence (`Any idea?`) or
/// Chinese prose, unless `prev` ends in a separator that asks for more
/// (`:`, `,`, `(`): `failed init storage:` ⏎ `Failed login …` is one chain.
pub(crate) fn is_wrap(prev: &str, next: &str) -> bool {
    let Some(last) = prev.chars().next_back() else {
        return true;
    };
    if matches!(
        last,
        ':' | '：' | ',' | '，' | '(' | '（' | '[' | '{' | '-' | '/' | '='
    ) {
        return true;
    }
    if matches!(last, '.' | '?' | '!' | '。' | '？' | '！' | '…') {
        return false;
    }
    let Some(first) = next.chars().next() else {
        return true;
    };
    if is_cjk(first) {
        return false;
    }
    // A capitalised word, not an identifier (`TooManyRequests`,
    // `NotFound.File`), followed by a space or a comma opens a sentence.
    let word: Vec<char> = next.chars().take_while(char::is_ascii_alphabetic).collect();
    let after = next.chars().nth(word.len());
    let sentence = first.is_ascii_uppercase()
        && word[1..].iter().all(char::is_ascii_lowercase)
        && matches!(after, Some(' ' | ',' | '?' | '!' | '\''));
    !sentence
}

fn is_cjk(c: char) -> bool {
    matches!(c as u32, 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x3000..=0x303F | 0xFF00..=0xFFEF)
}

#[cfg(test)]
mod tests {
    #[test]
    fn wraps_and_new_lines() {
        use super::is_wrap;
        assert!(is_wrap(
            "failed init storage: failed to refresh",
            "token: You should use"
        ));
        assert!(is_wrap(
            "failed init storage:",
            "Failed login: wrong password"
        ));
        assert!(is_wrap("{", "\"code\": \"Too Many Requests\","));
        assert!(is_wrap(
            "refresh token is empty, resp:",
            "TooManyRequests: x"
        ));
        assert!(!is_wrap(
            "failed to refresh token: bad thing",
            "Any idea what to do?"
        ));
        assert!(!is_wrap("it failed again.", "then I restarted"));
        assert!(!is_wrap(
            "failed get objs: failed to list objs: X",
            "请问怎么解决"
        ));
        assert!(is_wrap(
            "failed get objs: failed to list objs:",
            "请进行验证"
        ));
    }

    #[test]
    fn alist_evidence() {
        use super::has_alist_evidence as e;
        assert!(e("PROPFIND /dav/115/Movies: 403"));
        assert!(e("Get \"http://192.168.1.2:5244/dav/x\": EOF"));
        assert!(e("Get \"https://dav.example.com/dav\": EOF"));
        assert!(e("rclone: alist:movies: 401 Unauthorized"));
        assert!(!e(
            "\"url\":\"/remote.php/dav/files/alice/\" database is locked"
        ));
        assert!(!e("GET /david/x 404"));
    }

    use super::*;
    use crate::parse::envelope::parse_line;

    fn events(text: &str, paste: bool) -> Vec<Event> {
        let mut b = EventBuilder::new(paste);
        let mut out = Vec::new();
        for (i, l) in text.lines().enumerate() {
            out.extend(b.push(i as u64 + 1, parse_line(l)));
        }
        out.extend(b.finish());
        out
    }

    #[test]
    fn errors_dump_is_one_event_with_the_chain_rebuilt() {
        let log = "ERRO[2025-03-14 09:27:10] failed list /quark/Movies: require login [guest]\n\
                   failed to list objs\n\
                   github.com/alist-org/alist/v3/internal/op.List.func1\n\
                   \t/source/internal/op/fs.go:128\n\
                   runtime.goexit\n\
                   \t/usr/local/go/src/runtime/asm_amd64.s:1700\n\
                   failed get objs \n\
                   [GIN] 2025/03/14 - 09:27:10 | 200 |  1.5ms | 1.2.3.4 | POST \"/api/fs/list\"\n";
        let ev = events(log, false);
        assert_eq!(ev.len(), 1);
        assert_eq!(ev[0].line, 1);
        assert_eq!(
            ev[0].match_text(),
            "failed get objs: failed to list objs: failed list /quark/Movies: require login [guest]"
        );
    }

    #[test]
    fn go_panic_is_one_event() {
        let log = "panic: runtime error: index out of range [0] with length 0\n\
                   \n\
                   goroutine 77 [running]:\n\
                   github.com/alist-org/alist/v3/drivers/baidu_photo.(*BaiduPhoto).List(0xc0, {0x1, 0xc0})\n\
                   \t/src/drivers/baidu_photo/driver.go:99 +0x1f\n\
                   INFO[2025-03-14 09:27:10] reading config file: data/config.json\n";
        let ev = events(log, false);
        assert_eq!(ev.len(), 2);
        assert_eq!(ev[0].kind, EventKind::Panic);
        assert!(ev[0].match_text().contains("drivers/baidu_photo"));
        assert!(ev[1].is_routine());
    }

    #[test]
    fn plain_lines_join_only_when_pasted() {
        let text = "failed get objs: failed to list objs: NotFound.FileId:The resource\nfile_id cannot be found.";
        assert_eq!(events(text, false).len(), 2);
        let ev = events(text, true);
        assert_eq!(ev.len(), 1);
        assert!(ev[0].match_text().contains("resource file_id cannot"));
    }
}
