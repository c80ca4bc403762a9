//! Drives one input through the pipeline: lines → envelopes → events →
//! diagnosis, reporting each outcome as it happens (for streaming formats).
//! Logs are read on all cores (`scan_parallel`); pasted text and followed
//! files on one thread, line by line.
#![warn(clippy::string_slice)]

use std::collections::BTreeMap;
use std::io::{self, Read};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::Duration;

use crate::diagnose::{Diagnoser, MatchWorker, Matched};
use crate::parse::envelope::{KnownFrames, Line, is_access_line, parse_line};
use crate::parse::event::{Event, EventBuilder};
use crate::parse::tiny::{MAX_TINY, Run, Taken, TinyLines};
use crate::read::chunk::{Chunk, Chunker, Lines, new_buffer};
use crate::report::Report;

/// A live stream that falls quiet for this long has its pending event
/// reported: the next line, which would normally close it, may be far away.
const IDLE_FLUSH: Duration = Duration::from_millis(300);

/// `--since` / `--until`, as sortable `YYYY-MM-DD HH:MM:SS` strings.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Window {
    pub since: Option<String>,
    pub until: Option<String>,
}

impl Window {
    pub(crate) fn is_set(&self) -> bool {
        self.since.is_some() || self.until.is_some()
    }

    /// Whether an event at `ts` is inside the window.
    pub(crate) fn contains(&self, ts: &str) -> bool {
        self.since.as_deref().is_none_or(|s| ts >= s)
            && self.until.as_deref().is_none_or(|u| ts <= u)
    }
}

/// How one input is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ReadMode {
    /// Pasted text, on one thread: wrapped lines join into one message,
    /// and normal-operation messages are explained rather than skipped.
    Paste,
    /// A log read to its end, cut into chunks matched on `threads` cores.
    Log {
        threads: usize,
        /// Reads of the input end promptly once reading stops (a regular
        /// file; standard input through `input::StdinReader` on Unix):
        /// workers may read it themselves, as no read can keep them from
        /// being joined. Otherwise a reader thread of its own reads it.
        shared_read: bool,
        /// Standard input, which may fall quiet: whole lines read are
        /// passed on then rather than held until a chunk fills up.
        stdin: bool,
    },
    /// A live stream (a followed file, standard input for ndjson): lines
    /// are read on a second thread and a quiet input flushes the pending
    /// event, so each is reported as it happens.
    Live,
}

/// How to read one input.
pub(crate) struct ScanOptions<'a> {
    pub mode: ReadMode,
    pub window: &'a Window,
    /// Set by Ctrl-C: stop reading and report what was found.
    pub stop: &'a AtomicBool,
}

/// What a scan counts, returned to the caller, which adds them up.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct ScanStats {
    pub lines: u64,
    pub events: u64,
    pub cut_lines: u64,
    /// Events skipped by --since / --until.
    pub outside_window: u64,
}

impl std::ops::AddAssign for ScanStats {
    fn add_assign(&mut self, o: ScanStats) {
        self.lines += o.lines;
        self.events += o.events;
        self.cut_lines += o.cut_lines;
        self.outside_window += o.outside_window;
    }
}

/// One physical line, understood. Access lines and routine heads skip the
/// regexes when `quick`; with a time window their timestamps matter, so then
/// every line takes the full path.
/// `frame_text`: whether a stack frame's text is needed (see
/// `EventBuilder::frame_text_needed`).
fn understand(bytes: &[u8], quick: bool, frames: &mut KnownFrames, frame_text: bool) -> Line {
    match quick
        .then(|| frames.quick_line(bytes, frame_text))
        .flatten()
    {
        Some(l) => l,
        // Checked first: `from_utf8_lossy` validates byte by byte.
        None => match std::str::from_utf8(bytes) {
            Ok(text) => parse_line(text),
            Err(_) => parse_line(&String::from_utf8_lossy(bytes)),
        },
    }
}

/// Turns lines into events into outcomes, for one input.
struct Feeder<'o, 'r> {
    opts: &'o ScanOptions<'o>,
    builder: EventBuilder,
    /// Blank and tiny lines taken without parsing (see `parse::tiny`): in
    /// runs (`tiny_run`), and line by line when read live.
    tiny: Option<TinyLines>,
    live: bool,
    last_ts: Option<String>,
    lines: u64,
    frames: KnownFrames,
    stats: ScanStats,
    report: &'r mut dyn Report,
    /// Whether `report` takes occurrences as they happen.
    streams: bool,
}

impl Feeder<'_, '_> {
    /// Adds one line read on this thread.
    fn line(&mut self, d: &mut Diagnoser<'_>, bytes: &[u8]) -> io::Result<()> {
        if let Some(tiny) = &mut self.tiny
            && (self.live || tiny.holds_a_line())
        {
            let mut ended = None;
            let n = self.lines + 1;
            if let Taken::Counted(events) = tiny.take(n, bytes, &mut self.builder, |ev| {
                ended = Some(ev);
            }) {
                self.lines = n;
                // Events that matched nothing: counted, not looked at.
                self.stats.events += events;
                return match ended {
                    Some(ev) => self.event(d, ev),
                    None => Ok(()),
                };
            }
        }
        let frame_text = self.builder.frame_text_needed();
        let line = understand(
            bytes,
            !self.opts.window.is_set(),
            &mut self.frames,
            frame_text,
        );
        self.lines += 1;
        match self.builder.push(self.lines, line) {
            Some(ev) => self.event(d, ev),
            None => Ok(()),
        }
    }

    /// Takes the run of blank and tiny lines that `lines` go on with, if
    /// any, at once (see `parse::tiny`).
    #[inline]
    fn tiny_run(&mut self, d: &mut Diagnoser<'_>, lines: &mut Lines<'_>) -> io::Result<()> {
        match &self.tiny {
            Some(t) if t.may_run(lines.rest()) => self.take_tiny_run(d, lines, None),
            _ => Ok(()),
        }
    }

    /// `tiny_run`, the run found already (by a worker) or not.
    fn take_tiny_run(
        &mut self,
        d: &mut Diagnoser<'_>,
        lines: &mut Lines<'_>,
        found: Option<Run>,
    ) -> io::Result<()> {
        let Some(tiny) = &mut self.tiny else {
            return Ok(());
        };
        let rest = lines.rest();
        let run = found.unwrap_or_else(|| tiny.run(rest));
        if run.len == 0 {
            return Ok(());
        }
        let mut ended = None;
        self.stats.events += tiny.take_run(
            self.lines + 1,
            &rest[..run.len],
            run,
            &mut self.builder,
            |ev| {
                debug_assert!(ended.is_none(), "a run ends one plain event at most");
                ended = Some(ev);
            },
        );
        self.lines += run.lines;
        lines.advance(run.len);
        match ended {
            Some(ev) => self.event(d, ev),
            None => Ok(()),
        }
    }

    fn flush(&mut self, d: &mut Diagnoser<'_>) -> io::Result<()> {
        if let Some(tiny) = &mut self.tiny {
            tiny.restore(&mut self.builder);
        }
        match self.builder.finish() {
            Some(ev) => self.event(d, ev),
            None => Ok(()),
        }
    }

    fn event(&mut self, d: &mut Diagnoser<'_>, ev: Event) -> io::Result<()> {
        self.event_with(d, ev, None)
    }

    /// An event, perhaps already matched on a worker thread (`prepared`).
    fn event_with(
        &mut self,
        d: &mut Diagnoser<'_>,
        ev: Event,
        prepared: Option<Option<Matched>>,
    ) -> io::Result<()> {
        self.stats.events += 1;
        // An event without a timestamp is as old as the last one with one;
        // that only matters for a time window.
        if self.opts.window.is_set() {
            if let Some(ts) = &ev.timestamp {
                self.last_ts = Some(ts.clone());
            }
            if let Some(ts) = &self.last_ts
                && !self.opts.window.contains(ts)
            {
                self.stats.outside_window += 1;
                return Ok(());
            }
        }
        let matched = match prepared {
            Some(m) => m,
            None => d.match_event(&ev),
        };
        let recorded = d.record(&ev, matched);
        if self.streams
            && let Some(o) = d.occurrence(&ev, recorded)
            && let Err(e) = self.report.occurrence(&o)
        {
            // Ends standard input too, for whoever is reading it.
            self.opts.stop.store(true, Ordering::Relaxed);
            return Err(OutputFailed::wrap(e));
        }
        Ok(())
    }

    /// Adds a chunk read and matched by a worker, in input order. Its first
    /// lines may continue the previous chunk's last event (held by
    /// `builder`); from its first line that starts afresh on, the worker's
    /// events stand as they are.
    /// `bytes` are the chunk's.
    fn chunk(&mut self, d: &mut Diagnoser<'_>, part: Part, bytes: &[u8]) -> io::Result<()> {
        let base = self.lines;
        for head in part.head {
            match head {
                Head::Line(line) => {
                    if let Some(t) = &mut self.tiny {
                        t.restore(&mut self.builder);
                    }
                    self.lines += 1;
                    if let Some(ev) = self.builder.push(self.lines, line) {
                        self.event(d, ev)?;
                    }
                }
                Head::Raw { at, run } => {
                    let mut lines = Lines::new(&bytes[at..at + run.len]);
                    self.take_tiny_run(d, &mut lines, Some(run))?;
                    debug_assert!(lines.rest().is_empty(), "{run:?} is one run");
                }
            }
        }
        if let Some(t) = &mut self.tiny {
            t.restore(&mut self.builder);
        }
        if part.afresh
            && let Some(ev) = self.builder.finish()
        {
            self.event(d, ev)?;
        }
        for (mut ev, matched) in part.events {
            ev.line += base;
            self.event_with(d, ev, Some(matched))?;
        }
        self.stats.events += part.routine;
        if let Some(mut ev) = part.tail {
            ev.line += base;
            self.builder.resume(ev);
        }
        self.lines = base + part.lines;
        Ok(())
    }
}

/// The report failed while an input was read: the error that ends a scan
/// then is not the input's (see `take`).
#[derive(Debug)]
pub(crate) struct OutputFailed(io::Error);

impl std::fmt::Display for OutputFailed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl std::error::Error for OutputFailed {}

impl OutputFailed {
    fn wrap(e: io::Error) -> io::Error {
        io::Error::other(OutputFailed(e))
    }

    /// The output's error, if `e` is one; else `e` back (a read error).
    pub(crate) fn take(e: io::Error) -> Result<io::Error, io::Error> {
        if !e.get_ref().is_some_and(|i| i.is::<OutputFailed>()) {
            return Err(e);
        }
        match e.into_inner().map(|i| i.downcast::<OutputFailed>()) {
            Some(Ok(o)) => Ok(o.0),
            _ => Err(io::Error::other("output failed")),
        }
    }
}

/// What reading one input came to: its counts, and the error that ended
/// it early, if one did (what was read before still counts).
pub(crate) struct Scanned {
    pub stats: ScanStats,
    pub result: io::Result<()>,
}

/// Reads `r`, input number `source`, to the end (or until `opts.stop`).
/// `report` sees every occurrence as soon as its event is complete, if it
/// streams.
pub(crate) fn scan(
    d: &mut Diagnoser<'_>,
    r: Box<dyn Read + Send>,
    source: usize,
    opts: &ScanOptions<'_>,
    report: &mut dyn Report,
) -> Scanned {
    d.start_input(source, opts.mode == ReadMode::Paste);
    let streams = report.streams();
    let mut feeder = Feeder {
        opts,
        builder: EventBuilder::new(opts.mode == ReadMode::Paste),
        tiny: shortcut(opts, d.matcher.shortest()),
        live: opts.mode == ReadMode::Live,
        last_ts: None,
        lines: 0,
        frames: KnownFrames::default(),
        stats: ScanStats::default(),
        report,
        streams,
    };
    // A bug met while reading one input ends that input with an error, not
    // the run: what was found so far is still reported.
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let (result, cut) = match opts.mode {
            ReadMode::Live => scan_live(d, r, &mut feeder),
            // One thread needs no chunks handed round.
            ReadMode::Log { threads: 1, .. } => scan_batch(d, r, &mut feeder),
            ReadMode::Log {
                threads,
                shared_read,
                stdin,
            } => scan_parallel(d, r, &mut feeder, threads, shared_read, stdin),
            ReadMode::Paste => scan_batch(d, r, &mut feeder),
        };
        feeder.stats.cut_lines += cut;
        let flushed = feeder.flush(d);
        result.and(flushed)
    }))
    .unwrap_or_else(|p| Err(internal_error(p.as_ref())));
    feeder.stats.lines = feeder.lines;
    Scanned {
        stats: feeder.stats,
        result,
    }
}

/// The tiny-line shortcut, for logs read without a time window (there an
/// event's place in time depends on the lines before it).
fn shortcut(opts: &ScanOptions<'_>, shortest: usize) -> Option<TinyLines> {
    (opts.mode != ReadMode::Paste && !opts.window.is_set())
        .then(|| TinyLines::new(shortest))
        .flatten()
}

/// A panic turned into the error that ends an input.
fn internal_error(payload: &(dyn std::any::Any + Send)) -> io::Error {
    let what = payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown cause".into());
    io::Error::other(format!(
        "internal error, reading stopped here (a bug: please report it at {}/issues): {what}",
        env!("CARGO_PKG_REPOSITORY")
    ))
}

/// Sets a flag when dropped, even while a panic unwinds: the workers of a
/// parallel scan watch it and end, so a failure can never leave them (and
/// the scope that joins them) waiting for each other.
struct SetOnDrop<'a>(&'a AtomicBool);

impl Drop for SetOnDrop<'_> {
    fn drop(&mut self) {
        self.0.store(true, Ordering::Relaxed);
    }
}

/// Test hook: a worker given a chunk that holds this text fails.
#[cfg(test)]
const FAIL_MARK: &[u8] = b"<make this worker fail>";

fn scan_batch(
    d: &mut Diagnoser<'_>,
    r: Box<dyn Read + Send>,
    feeder: &mut Feeder<'_, '_>,
) -> (io::Result<()>, u64) {
    let opts = feeder.opts;
    Chunker::new(r).for_each_chunk(|lines| {
        // Runs of tiny lines are looked for at a chunk's start and after a
        // short line: a busy log's lines pay nothing for them.
        let mut after_short = true;
        loop {
            if after_short {
                feeder.tiny_run(d, lines)?;
            }
            let Some(bytes) = lines.next() else {
                return Ok(true);
            };
            after_short = bytes.len() <= MAX_TINY + 1;
            // A line read is a line reported, also on Ctrl-C.
            feeder.line(d, bytes)?;
            if feeder.lines.is_multiple_of(1024) && opts.stop.load(Ordering::Relaxed) {
                return Ok(false);
            }
        }
    })
}

/// What a worker made of one chunk.
struct Part {
    /// Lines before the chunk's first line that starts an event afresh:
    /// they belong to the previous chunk's last event.
    head: Vec<Head>,
    /// Whether the chunk has such a line (else all its lines are `head`).
    afresh: bool,
    /// Completed events, line numbers counted from the chunk's start, with
    /// what matching made of them.
    events: Vec<(Event, Option<Matched>)>,
    /// Routine events left out of `events` (counted only).
    routine: u64,
    /// The last event, which the next chunk may continue.
    tail: Option<Event>,
    lines: u64,
    cut_lines: u64,
}

/// Where `part`, a slice of `all`, begins in it.
fn offset_in(all: &[u8], part: &[u8]) -> usize {
    part.as_ptr().addr() - all.as_ptr().addr()
}

/// A line of a part's head, or a run of them.
enum Head {
    Line(Line),
    /// A run of blank and tiny lines (see `parse::tiny`) at this offset
    /// of the chunk: left for the thread that knows the event they follow.
    Raw {
        at: usize,
        run: Run,
    },
}

/// Reads a chunk's lines into events and matches them: the work that runs
/// on every core. `keep_routine` keeps routine events in `events` (a time
/// window needs their timestamps).
fn work(
    matching: &mut MatchWorker<'_>,
    frames: &mut KnownFrames,
    chunk: &Chunk,
    quick: bool,
    keep_routine: bool,
) -> Part {
    let mut part = Part {
        head: Vec::new(),
        afresh: false,
        events: Vec::new(),
        routine: 0,
        tail: None,
        lines: 0,
        cut_lines: chunk.cut_lines,
    };
    // Not before the first line that starts afresh: the lines before it
    // go to the previous chunk's event.
    let mut tiny = quick
        .then(|| TinyLines::new(matching.matcher().shortest()))
        .flatten();
    let mut builder = EventBuilder::new(false);
    let mut lines = Lines::new(chunk.bytes());
    // What an event that a line completes turns into.
    let mut complete = |mut ev: Event, part: &mut Part| match matching.match_event(&ev) {
        None if !keep_routine => part.routine += 1,
        matched => {
            ev.shed();
            part.events.push((ev, matched));
        }
    };
    // The line before (parsed), and its parse once it came twice.
    let mut prev: Option<(&[u8], bool)> = None;
    // Runs of tiny lines are looked for at the start and after a short
    // line (see `scan_batch`).
    let mut after_short = true;
    let mut repeated: Option<Line> = None;
    loop {
        // A run of blank and tiny lines: before the first line that starts
        // afresh it is left for the thread that knows what it follows.
        if let Some(t) = &mut tiny
            && after_short
            && t.may_run(lines.rest())
        {
            let rest = lines.rest();
            let run = t.run(rest);
            if run.len > 0 {
                let n = part.lines + 1;
                if part.afresh {
                    let routine = t.take_run(n, &rest[..run.len], run, &mut builder, |ev| {
                        complete(ev, &mut part);
                    });
                    part.routine += routine;
                } else {
                    // (Runs are as long as they can be: none follows another.)
                    let at = offset_in(chunk.bytes(), rest);
                    part.head.push(Head::Raw { at, run });
                }
                part.lines += run.lines;
                lines.advance(run.len);
            }
        }
        let Some(bytes) = lines.next() else { break };
        after_short = bytes.len() <= MAX_TINY + 1;
        part.lines += 1;
        // Most lines of a busy log: an access line only ends the event
        // before it (when timestamps do not matter).
        if quick && part.afresh && is_access_line(bytes) {
            if let Some(ev) = builder.finish() {
                complete(ev, &mut part);
            }
            continue;
        }
        // Lines before the first that starts afresh belong to an event
        // begun in the previous chunk, of a kind not known here.
        let frame_text = !part.afresh || builder.frame_text_needed();
        // A line repeated as it is (a flood of one message) is parsed once.
        let line = if prev == Some((bytes, frame_text)) {
            match &repeated {
                Some(l) => l.clone(),
                None => {
                    let l = understand(bytes, quick, frames, frame_text);
                    repeated = Some(l.clone());
                    l
                }
            }
        } else {
            repeated = None;
            understand(bytes, quick, frames, frame_text)
        };
        prev = Some((bytes, frame_text));
        if !part.afresh {
            if !EventBuilder::starts_afresh(&line) {
                part.head.push(Head::Line(line));
                continue;
            }
            part.afresh = true;
        }
        if let Some(ev) = builder.push(part.lines, line) {
            complete(ev, &mut part);
        }
    }
    if let Some(t) = &mut tiny {
        t.restore(&mut builder);
    }
    part.tail = builder.finish();
    part.cut_lines += lines.cut;
    part
}

/// How long an idle worker waits for a chunk before it checks whether the
/// scan was abandoned.
const WORKER_POLL: Duration = Duration::from_millis(50);

/// What a scan reads.
type Input = Box<dyn Read + Send>;

/// Where workers take chunks from.
enum Feed {
    /// An input whose reads end promptly once reading stops (see
    /// `ScanOptions::shared_read`): each worker reads the next chunk
    /// itself, under a lock, into a free buffer. The bytes land in the
    /// cache of the core that matches them, and no thread waits to hand
    /// chunks on (a wake-up per chunk less).
    Shared {
        /// The input and the number of its next chunk; `None` once it ended.
        input: Mutex<Option<(Chunker<Input>, u64)>>,
        free: Mutex<mpsc::Receiver<Vec<u8>>>,
    },
    /// Any other input (a FIFO named with `--file`, a device; standard
    /// input where it cannot be polled), which may fall quiet: a reader
    /// thread of its own reads it (and may be left blocked in `read` on
    /// Ctrl-C), handing chunks on.
    Thread(Mutex<mpsc::Receiver<(u64, Chunk)>>),
}

/// What a worker got from the feed.
enum Next {
    Chunk(u64, Chunk),
    /// Nothing yet: look again (after checking whether the scan goes on).
    Wait,
    End,
}

type PartMessage = (u64, io::Result<Part>, Vec<u8>);

/// A lock whose holder panicked is still usable here: what it guards (an
/// input, a queue) stays consistent, and the panic is reported anyway.
fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl Feed {
    fn next(&self, parts: &mpsc::Sender<PartMessage>) -> Next {
        let got = match self {
            Feed::Thread(jobs) => lock(jobs).recv_timeout(WORKER_POLL),
            Feed::Shared { input, free } => {
                // The lock on the free buffers is let go before reading.
                let buf = lock(free).recv_timeout(WORKER_POLL);
                match buf {
                    Ok(buf) => return read_chunk(input, buf, parts),
                    Err(e) => Err(e),
                }
            }
        };
        match got {
            Ok((seq, chunk)) => Next::Chunk(seq, chunk),
            Err(RecvTimeoutError::Timeout) => Next::Wait,
            Err(RecvTimeoutError::Disconnected) => Next::End,
        }
    }
}

/// `Feed::Shared`: reads the input's next chunk into `buf`; a read error
/// is sent on as the part of that chunk and ends the input.
fn read_chunk(
    input: &Mutex<Option<(Chunker<Input>, u64)>>,
    buf: Vec<u8>,
    parts: &mpsc::Sender<PartMessage>,
) -> Next {
    let mut guard = lock(input);
    let Some((chunker, next_seq)) = guard.as_mut() else {
        return Next::End;
    };
    let seq = *next_seq;
    match chunker.next_chunk(buf) {
        Ok(Some(chunk)) => {
            *next_seq += 1;
            Next::Chunk(seq, chunk)
        }
        Ok(None) => {
            *guard = None;
            Next::End
        }
        Err(e) => {
            *guard = None;
            let _ = parts.send((seq, Err(e), Vec::new()));
            Next::End
        }
    }
}

/// All cores on one stream: the input is cut into chunks of whole lines
/// (see `Feed`), workers turn chunks into matched events, and this thread
/// adds them up in input order, so the result is exactly that of one
/// thread. A chunk buffer is freed only once its part is added, so at
/// most `buffers` chunks are in flight, which bounds memory.
fn scan_parallel(
    d: &mut Diagnoser<'_>,
    r: Box<dyn Read + Send>,
    feeder: &mut Feeder<'_, '_>,
    threads: usize,
    shared_read: bool,
    stdin: bool,
) -> (io::Result<()>, u64) {
    let workers = threads.max(1);
    let buffers = workers + 2;
    let quick = !feeder.opts.window.is_set();
    let keep_routine = feeder.opts.window.is_set();
    let (part_tx, part_rx) = mpsc::channel::<PartMessage>();
    let (free_tx, free_rx) = mpsc::channel::<Vec<u8>>();
    let mut chunker = Chunker::new(r);
    if stdin {
        chunker = chunker.with_stall_probe(crate::read::input::stdin_more_soon);
    }

    let feed = if shared_read {
        for _ in 0..buffers {
            let _ = free_tx.send(new_buffer());
        }
        Feed::Shared {
            input: Mutex::new(Some((chunker, 0))),
            free: Mutex::new(free_rx),
        }
    } else {
        let (job_tx, job_rx) = mpsc::sync_channel::<(u64, Chunk)>(buffers);
        // Not scoped: on Ctrl-C it may be blocked in read(); it ends with the process.
        let reader_tx = part_tx.clone();
        std::thread::spawn(move || {
            // The same read as a worker's on a shared input; the lock is
            // never contended here.
            let input = Mutex::new(Some((chunker, 0)));
            for made in 0.. {
                let buf = if made < buffers {
                    new_buffer()
                } else {
                    match free_rx.recv() {
                        Ok(b) => b,
                        Err(_) => return,
                    }
                };
                let Next::Chunk(seq, chunk) = read_chunk(&input, buf, &reader_tx) else {
                    return;
                };
                if job_tx.send((seq, chunk)).is_err() {
                    return;
                }
            }
        });
        Feed::Thread(Mutex::new(job_rx))
    };

    let spec = d.worker_spec();
    let abandoned = AtomicBool::new(false);
    std::thread::scope(|s| {
        let _release_workers = SetOnDrop(&abandoned);
        for _ in 0..workers {
            let part_tx = part_tx.clone();
            let (feed, abandoned) = (&feed, &abandoned);
            s.spawn(move || {
                let mut matching = spec.build();
                let mut frames = KnownFrames::default();
                loop {
                    match feed.next(&part_tx) {
                        Next::Chunk(seq, chunk) => {
                            let part =
                                std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                                    #[cfg(test)]
                                    if memchr::memmem::find(chunk.bytes(), FAIL_MARK).is_some() {
                                        panic!("worker failure for a test");
                                    }
                                    work(&mut matching, &mut frames, &chunk, quick, keep_routine)
                                }));
                            // After a panic this worker's caches may be half
                            // written: it reports the failure and ends.
                            let failed = part.is_err();
                            let part = part.map_err(|p| internal_error(p.as_ref()));
                            if part_tx.send((seq, part, chunk.buf)).is_err() || failed {
                                return;
                            }
                        }
                        Next::Wait if !abandoned.load(Ordering::Relaxed) => {}
                        Next::Wait | Next::End => return,
                    }
                }
            });
        }
        drop(part_tx);

        // Parts arrive in any order; they are added in input order.
        let mut waiting = BTreeMap::new();
        let (mut next, mut cut) = (0u64, 0u64);
        let result = 'read: loop {
            // Ctrl-C must be noticed even while a quiet pipe sends nothing.
            let (seq, part, buf) = match part_rx.recv_timeout(WORKER_POLL) {
                Ok(p) => p,
                Err(RecvTimeoutError::Timeout) if feeder.opts.stop.load(Ordering::Relaxed) => {
                    break Ok(());
                }
                Err(RecvTimeoutError::Timeout) => continue,
                Err(RecvTimeoutError::Disconnected) => break Ok(()),
            };
            waiting.insert(seq, (part, buf));
            while let Some((part, buf)) = waiting.remove(&next) {
                next += 1;
                let part = match part {
                    Ok(p) => p,
                    Err(e) => break 'read Err(e),
                };
                cut += part.cut_lines;
                if let Err(e) = feeder.chunk(d, part, &buf) {
                    break 'read Err(e);
                }
                let _ = free_tx.send(buf);
                // Ctrl-C: what was read so far is reported.
                if feeder.opts.stop.load(Ordering::Relaxed) {
                    break 'read Ok(());
                }
            }
        };
        abandoned.store(true, Ordering::Relaxed);
        drop(part_rx);
        (result, cut)
    })
}

/// Lines come from a reader thread, so a quiet stream can be noticed.
fn scan_live(
    d: &mut Diagnoser<'_>,
    r: Box<dyn Read + Send>,
    feeder: &mut Feeder<'_, '_>,
) -> (io::Result<()>, u64) {
    let (tx, rx) = mpsc::sync_channel::<Vec<u8>>(4096);
    let reader = std::thread::spawn(move || -> (io::Result<()>, u64) {
        Chunker::new(r)
            .prompt()
            .for_each_line(|line| Ok(tx.send(line.to_vec()).is_ok()))
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

/// Diagnoses a text from memory, as pasted (`paste`) or as a log: catalog
/// examples, property tests.
pub(crate) fn diagnose_text(d: &mut Diagnoser<'_>, text: &str, paste: bool) {
    diagnose_bytes(d, text.as_bytes(), paste);
}

/// `diagnose_text` for any bytes (fuzzing).
pub(crate) fn diagnose_bytes(d: &mut Diagnoser<'_>, bytes: &[u8], paste: bool) {
    let stop = AtomicBool::new(false);
    let window = Window::default();
    let opts = ScanOptions {
        mode: if paste {
            ReadMode::Paste
        } else {
            ReadMode::Log {
                threads: 1,
                shared_read: true,
                stdin: false,
            }
        },
        window: &window,
        stop: &stop,
    };
    // Reading from memory cannot fail.
    let _ = scan(
        d,
        Box::new(io::Cursor::new(bytes.to_vec())),
        0,
        &opts,
        &mut crate::report::Silent,
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A worker that fails ends its input with an error naming the cause,
    /// keeps what came before, and never leaves the scan waiting.
    #[test]
    fn a_failed_worker_ends_the_input_without_a_hang() {
        let mut log = String::new();
        log.push_str("ERRO[2025-03-14 09:26:50] failed to start: listen tcp 0.0.0.0:5244: bind: address already in use\n");
        for i in 0..200_000 {
            log.push_str(&format!("ERRO[2025-03-14 09:26:51] failed frob {i}\n"));
        }
        log.push_str("<make this worker fail>\n");
        for i in 0..200_000 {
            log.push_str(&format!("ERRO[2025-03-14 09:26:52] failed frob {i}\n"));
        }
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let matcher = crate::matching::Matcher::new(std::borrow::Cow::Borrowed(
                crate::catalog::Catalog::embedded(),
            ));
            let mut d = Diagnoser::new(&matcher);
            let stop = AtomicBool::new(false);
            let window = Window::default();
            let opts = ScanOptions {
                mode: ReadMode::Log {
                    threads: 2,
                    shared_read: true,
                    stdin: false,
                },
                window: &window,
                stop: &stop,
            };
            let scanned = scan(
                &mut d,
                Box::new(io::Cursor::new(log.into_bytes())),
                0,
                &opts,
                &mut crate::report::Silent,
            );
            let result = scanned.result;
            let ids: Vec<&str> = d
                .findings
                .iter()
                .map(|f| matcher.catalog().entries[f.entry].id)
                .collect();
            let _ = tx.send((
                result.map_err(|e| e.to_string()),
                ids.contains(&"port-in-use"),
            ));
        });
        let (result, found) = rx
            .recv_timeout(Duration::from_secs(60))
            .expect("the scan hung after a worker failed");
        let err = result.expect_err("a failed worker must end the input with an error");
        assert!(err.contains("internal error"), "{err}");
        assert!(found, "the finding before the failure was lost");
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
