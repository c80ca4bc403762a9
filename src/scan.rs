//! Drives one input through the pipeline: lines → envelopes → events →
//! diagnosis, reporting each outcome as it happens (for streaming formats).

use std::io::{self, Read};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::Duration;

use crate::diagnose::{Diagnoser, Outcome};
use crate::envelope::{Line, parse_line, quick_line};
use crate::event::{Event, EventBuilder};
use crate::input::LineReader;

/// A live stream that falls quiet for this long has its pending event
/// reported: the next line, which would normally close it, may be far away.
const IDLE_FLUSH: Duration = Duration::from_millis(300);

/// `--since` / `--until`, as sortable `YYYY-MM-DD HH:MM:SS` strings.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Window {
    pub since: Option<String>,
    pub until: Option<String>,
}

impl Window {
    pub fn is_set(&self) -> bool {
        self.since.is_some() || self.until.is_some()
    }

    /// Whether an event at `ts` is inside the window.
    pub fn contains(&self, ts: &str) -> bool {
        self.since.as_deref().is_none_or(|s| ts >= s)
            && self.until.as_deref().is_none_or(|u| ts <= u)
    }
}

/// Parses `2024-01-02 15:04:05`, `2024-01-02T15:04:05[.123][Z|+08:00]` or
/// `2024-01-02` into the sortable form. The offset is dropped: log
/// timestamps are the server's local time.
pub fn parse_time(s: &str) -> Option<String> {
    let s = s.trim();
    let b = s.as_bytes();
    let date_ok = |b: &[u8]| {
        b.len() >= 10
            && b[..4].iter().all(u8::is_ascii_digit)
            && b[4] == b'-'
            && b[5..7].iter().all(u8::is_ascii_digit)
            && b[7] == b'-'
            && b[8..10].iter().all(u8::is_ascii_digit)
    };
    if !date_ok(b) {
        return None;
    }
    if b.len() == 10 {
        return Some(format!("{s} 00:00:00"));
    }
    let time_ok = b.len() >= 19
        && (b[10] == b' ' || b[10] == b'T')
        && b[11..13].iter().all(u8::is_ascii_digit)
        && b[13] == b':'
        && b[14..16].iter().all(u8::is_ascii_digit)
        && b[16] == b':'
        && b[17..19].iter().all(u8::is_ascii_digit);
    let rest = s.get(19..)?;
    let rest_ok = rest.is_empty()
        || rest
            .trim_start_matches(|c: char| c == '.' || c == ',' || c.is_ascii_digit())
            .chars()
            .all(|c| c == 'Z' || c == '+' || c == '-' || c == ':' || c.is_ascii_digit());
    (time_ok && rest_ok).then(|| format!("{} {}", &s[..10], &s[11..19]))
}

/// How to read one input.
pub struct ScanOptions<'a> {
    /// Pasted text: wrapped lines join, normal-operation messages are explained.
    pub paste: bool,
    pub window: &'a Window,
    /// A live stream: lines are read on a second thread and a quiet input
    /// flushes the pending event.
    pub live: bool,
    /// Set by Ctrl-C: stop reading and report what was found.
    pub stop: &'a AtomicBool,
    /// Read and peel lines on a second thread while this one matches.
    pub pipeline: bool,
}

type OnEvent<'a> = dyn FnMut(&Diagnoser<'_>, Outcome) -> io::Result<()> + 'a;

/// One physical line, understood. Access lines and routine heads skip the
/// regexes when `quick`; with a time window their timestamps matter, so then
/// every line takes the full path.
fn understand(bytes: &[u8], quick: bool) -> Line {
    match quick.then(|| quick_line(bytes)).flatten() {
        Some(l) => l,
        None => parse_line(&String::from_utf8_lossy(bytes)),
    }
}

/// Lines the reader thread hands over at a time: large enough that the
/// channel costs nothing per line, small enough to keep memory flat.
const BATCH: usize = 2048;

/// Turns lines into events into outcomes, for one input.
struct Feeder<'o, 'f> {
    source: usize,
    opts: &'o ScanOptions<'o>,
    builder: EventBuilder,
    last_ts: Option<String>,
    lines: u64,
    on_event: &'f mut OnEvent<'f>,
}

impl Feeder<'_, '_> {
    fn line(&mut self, d: &mut Diagnoser<'_>, bytes: &[u8]) -> io::Result<()> {
        let line = understand(bytes, !self.opts.window.is_set());
        self.push(d, line)
    }

    /// Adds a line already understood (by this thread or the reader's).
    fn push(&mut self, d: &mut Diagnoser<'_>, line: Line) -> io::Result<()> {
        self.lines += 1;
        match self.builder.push(self.lines, line) {
            Some(ev) => self.event(d, ev),
            None => Ok(()),
        }
    }

    fn flush(&mut self, d: &mut Diagnoser<'_>) -> io::Result<()> {
        match self.builder.finish() {
            Some(ev) => self.event(d, ev),
            None => Ok(()),
        }
    }

    fn event(&mut self, d: &mut Diagnoser<'_>, ev: Event) -> io::Result<()> {
        if let Some(ts) = &ev.timestamp {
            self.last_ts = Some(ts.clone());
        }
        if self.opts.window.is_set()
            && let Some(ts) = &self.last_ts
            && !self.opts.window.contains(ts)
        {
            d.stats.outside_window += 1;
            return Ok(());
        }
        let outcome = d.observe(&ev, self.source, self.opts.paste);
        (self.on_event)(d, outcome)
    }
}

/// Reads `r` to the end (or until `opts.stop`). `on_event` sees every
/// outcome as soon as its event is complete. An I/O error stops this input;
/// what was read still counts.
pub fn scan<'f>(
    d: &mut Diagnoser<'_>,
    r: Box<dyn Read + Send>,
    source: usize,
    opts: &ScanOptions<'_>,
    on_event: &'f mut OnEvent<'f>,
) -> io::Result<()> {
    let mut feeder = Feeder {
        source,
        opts,
        builder: EventBuilder::new(opts.paste),
        last_ts: None,
        lines: 0,
        on_event,
    };
    let (result, cut) = if opts.live {
        scan_live(d, r, &mut feeder)
    } else if opts.pipeline && !opts.paste {
        scan_pipelined(d, r, &mut feeder)
    } else {
        scan_batch(d, r, &mut feeder)
    };
    let flushed = feeder.flush(d);
    d.stats.lines += feeder.lines;
    d.stats.cut_lines += cut;
    result.and(flushed)
}

fn scan_batch(
    d: &mut Diagnoser<'_>,
    r: Box<dyn Read + Send>,
    feeder: &mut Feeder<'_, '_>,
) -> (io::Result<()>, u64) {
    let mut reader = LineReader::new(r);
    let result = loop {
        if feeder.lines.is_multiple_of(1024) && feeder.opts.stop.load(Ordering::Relaxed) {
            break Ok(());
        }
        match reader.next_line() {
            Ok(Some(bytes)) => {
                if let Err(e) = feeder.line(d, bytes) {
                    break Err(e);
                }
            }
            Ok(None) => break Ok(()),
            Err(e) => break Err(e),
        }
    };
    (result, reader.cut_lines)
}

/// Two cores on one stream: a reader thread reads lines and peels their
/// envelopes, this thread groups events and matches them. Lines travel in
/// order, in batches, so the result is that of one thread.
fn scan_pipelined(
    d: &mut Diagnoser<'_>,
    r: Box<dyn Read + Send>,
    feeder: &mut Feeder<'_, '_>,
) -> (io::Result<()>, u64) {
    let quick = !feeder.opts.window.is_set();
    let (tx, rx) = mpsc::sync_channel::<Vec<Line>>(4);
    let reader = std::thread::spawn(move || -> (io::Result<()>, u64) {
        let mut lr = LineReader::new(r);
        let mut batch = Vec::with_capacity(BATCH);
        let result = loop {
            match lr.next_line() {
                Ok(Some(bytes)) => {
                    batch.push(understand(bytes, quick));
                    if batch.len() == BATCH
                        && tx
                            .send(std::mem::replace(&mut batch, Vec::with_capacity(BATCH)))
                            .is_err()
                    {
                        return (Ok(()), lr.cut_lines);
                    }
                }
                Ok(None) => break Ok(()),
                Err(e) => break Err(e),
            }
        };
        // What was read before an error still counts.
        let _ = tx.send(batch);
        (result, lr.cut_lines)
    });
    let mut result = Ok(());
    for batch in &rx {
        if feeder.opts.stop.load(Ordering::Relaxed) {
            // The reader may be blocked in read(); it ends with the process.
            return (Ok(()), 0);
        }
        if let Err(e) = batch.into_iter().try_for_each(|line| feeder.push(d, line)) {
            result = Err(e);
            break;
        }
    }
    drop(rx);
    match reader.join() {
        Ok((read_result, cut)) => (result.and(read_result), cut),
        Err(_) => (Err(io::Error::other("the reader thread failed")), 0),
    }
}

/// Lines come from a reader thread, so a quiet stream can be noticed.
fn scan_live(
    d: &mut Diagnoser<'_>,
    r: Box<dyn Read + Send>,
    feeder: &mut Feeder<'_, '_>,
) -> (io::Result<()>, u64) {
    let (tx, rx) = mpsc::sync_channel::<Vec<u8>>(4096);
    let reader = std::thread::spawn(move || -> (io::Result<()>, u64) {
        let mut lr = LineReader::new(r);
        loop {
            match lr.next_line() {
                Ok(Some(line)) => {
                    if tx.send(line.to_vec()).is_err() {
                        return (Ok(()), lr.cut_lines);
                    }
                }
                Ok(None) => return (Ok(()), lr.cut_lines),
                Err(e) => return (Err(e), lr.cut_lines),
            }
        }
    });
    let result = loop {
        if feeder.opts.stop.load(Ordering::Relaxed) {
            // The reader may be blocked in read(); it ends with the process.
            return (Ok(()), 0);
        }
        match rx.recv_timeout(IDLE_FLUSH) {
            Ok(line) => {
                if let Err(e) = feeder.line(d, &line) {
                    break Err(e);
                }
            }
            Err(RecvTimeoutError::Timeout) => {
                if let Err(e) = feeder.flush(d) {
                    break Err(e);
                }
            }
            Err(RecvTimeoutError::Disconnected) => break Ok(()),
        }
    };
    drop(rx);
    match reader.join() {
        Ok((read_result, cut)) => (result.and(read_result), cut),
        Err(_) => (Err(io::Error::other("the reader thread failed")), 0),
    }
}

/// Files smaller than this are read by one thread: splitting costs more.
const PARALLEL_MIN: u64 = 8 << 20;

/// Where a file can be cut in two without cutting an event: the start of a
/// line that always begins a new event (an access line or a log head),
/// near the middle. `None` when no such line is near.
fn split_point(file: &mut std::fs::File, len: u64) -> io::Result<Option<u64>> {
    use std::io::{Seek, SeekFrom};
    let mid = len / 2;
    file.seek(SeekFrom::Start(mid))?;
    let mut window = vec![0u8; 1 << 20];
    let n = read_full(file, &mut window)?;
    let window = &window[..n];
    let mut pos = match memchr::memchr(b'\n', window) {
        Some(i) => i + 1,
        None => return Ok(None),
    };
    while let Some(end) = memchr::memchr(b'\n', &window[pos..]) {
        let line = &window[pos..pos + end];
        let starts_event = quick_line(line).is_some()
            || matches!(
                parse_line(&String::from_utf8_lossy(line)).kind,
                crate::envelope::Kind::Entry
                    | crate::envelope::Kind::Access
                    | crate::envelope::Kind::Panic
                    | crate::envelope::Kind::Recovery
            );
        if starts_event {
            return Ok(Some(mid + pos as u64));
        }
        pos += end + 1;
    }
    Ok(None)
}

fn read_full(r: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

/// Reads a large plain file with both cores: each half on its own thread,
/// then the second half's findings merged into the first's, line numbers
/// shifted, so the result is exactly that of one pass. Returns `None` (and
/// reads nothing) when the file does not qualify: small, compressed, or
/// without a safe place to cut.
pub fn scan_file_parallel<'m>(
    d: &mut Diagnoser<'m>,
    path: &std::path::Path,
    source: usize,
    opts: &ScanOptions<'_>,
    wrap: &(dyn Fn(Box<dyn Read + Send>) -> Box<dyn Read + Send> + Sync),
) -> Option<io::Result<()>> {
    use std::io::{Seek, SeekFrom};
    if opts.paste || opts.live || opts.window.is_set() {
        return None;
    }
    // stat before open: opening a FIFO would take the writer's data.
    let len = std::fs::metadata(path).ok().filter(|m| m.is_file())?.len();
    if len < PARALLEL_MIN {
        return None;
    }
    let mut file = std::fs::File::open(path).ok()?;
    let mut magic = [0u8; 2];
    if read_full(&mut file, &mut magic).ok()? == 2 && magic == [0x1f, 0x8b] {
        return None;
    }
    let split = split_point(&mut file, len).ok()??;
    let second = std::fs::File::open(path).ok()?;
    let matcher = d.matcher;
    // Each half already has a core of its own.
    let opts = &ScanOptions {
        paste: false,
        window: opts.window,
        live: false,
        stop: opts.stop,
        pipeline: false,
    };
    let run = |mut f: std::fs::File, start: u64, take: u64| -> (Diagnoser<'m>, io::Result<()>) {
        let mut part = Diagnoser::new(matcher);
        let result = f.seek(SeekFrom::Start(start)).and_then(|_| {
            let reader = wrap(Box::new(f.take(take)));
            scan(&mut part, reader, source, opts, &mut |_, _| Ok(()))
        });
        (part, result)
    };
    let ((first_part, r1), (second_part, r2)) = std::thread::scope(|s| {
        let later = s.spawn(|| run(second, split, len - split));
        let earlier = run(file, 0, split);
        let later = later.join().unwrap_or_else(|_| {
            (
                Diagnoser::new(matcher),
                Err(io::Error::other("a scanning thread failed")),
            )
        });
        (earlier, later)
    });
    let offset = first_part.stats.lines;
    d.merge(first_part, 0);
    d.merge(second_part, offset);
    Some(r1.and(r2))
}

/// Diagnoses a text from memory, as pasted (`paste`) or as a log: catalog
/// examples, property tests.
pub fn diagnose_text(d: &mut Diagnoser<'_>, text: &str, paste: bool) {
    diagnose_bytes(d, text.as_bytes(), paste);
}

/// `diagnose_text` for any bytes (fuzzing).
pub fn diagnose_bytes(d: &mut Diagnoser<'_>, bytes: &[u8], paste: bool) {
    let stop = AtomicBool::new(false);
    let window = Window::default();
    let opts = ScanOptions {
        paste,
        window: &window,
        live: false,
        stop: &stop,
        pipeline: false,
    };
    // Reading from memory cannot fail.
    let _ = scan(
        d,
        Box::new(io::Cursor::new(bytes.to_vec())),
        0,
        &opts,
        &mut |_, _| Ok(()),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_forms() {
        assert_eq!(
            parse_time("2024-01-02 15:04:05").as_deref(),
            Some("2024-01-02 15:04:05")
        );
        assert_eq!(
            parse_time("2024-01-02T15:04:05.123+08:00").as_deref(),
            Some("2024-01-02 15:04:05")
        );
        assert_eq!(
            parse_time("2024-01-02T15:04:05Z").as_deref(),
            Some("2024-01-02 15:04:05")
        );
        assert_eq!(
            parse_time("2024-01-02").as_deref(),
            Some("2024-01-02 00:00:00")
        );
        assert_eq!(parse_time("yesterday"), None);
        assert_eq!(parse_time("2024-01-02 15:04"), None);
    }

    #[test]
    fn window_bounds_are_inclusive() {
        let w = Window {
            since: Some("2024-01-02 00:00:00".into()),
            until: Some("2024-01-02 23:59:59".into()),
        };
        assert!(w.contains("2024-01-02 00:00:00"));
        assert!(!w.contains("2024-01-01 23:59:59"));
        assert!(!w.contains("2024-01-03 00:00:00"));
    }
}
