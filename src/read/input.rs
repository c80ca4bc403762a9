//! Where text comes from (pasted arguments, standard input, files) and how it
//! is read: streamed line by line in bounded memory, whatever the bytes are.
#![warn(clippy::string_slice)]

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// Longest line kept for matching; the rest of a longer line is skipped
/// (counted, and said in the summary) so one huge line cannot exhaust memory.
pub(crate) const MAX_LINE: usize = 64 * 1024;

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Source {
    /// A message given on the command line (the Nth TEXT argument).
    Text {
        index: usize,
        text: String,
    },
    Stdin,
    File(PathBuf),
    /// A file followed like `tail -F` (`--follow`).
    Follow(PathBuf),
}

impl Source {
    /// How the source is named in reports.
    pub(crate) fn name(&self) -> String {
        match self {
            Source::Text { index, .. } => format!("<arg {index}>"),
            Source::Stdin => "<stdin>".to_string(),
            Source::File(p) | Source::Follow(p) => p.display().to_string(),
        }
    }

    /// Opens a pasted text or standard input (files: `open_file`,
    /// `FollowReader`); gzip is detected by its magic bytes (rotated
    /// `log-*.log.gz` files, on standard input too). Standard input stops
    /// being read once `stop` is set, even while it is quiet.
    pub(crate) fn open(&self, stop: &Arc<AtomicBool>) -> io::Result<Box<dyn Read + Send>> {
        let raw: Box<dyn Read + Send> = match self {
            Source::Text { text, .. } => Box::new(io::Cursor::new(text.clone().into_bytes())),
            Source::Stdin => {
                grow_stdin_pipe();
                Box::new(StdinReader::new(io::stdin(), stop))
            }
            Source::File(p) | Source::Follow(p) => Box::new(open_file(p, stop)?),
        };
        maybe_gunzip(raw)
    }
}

/// An input read so that a Ctrl-C (`stop`) ends it even while it is
/// quiet: each read first waits for data in short polls, checking `stop`
/// between them, and a stopped input reads as ended. So no thread is ever
/// left blocked on it, and whoever reads it can be joined. Standard input
/// (`StdinReader`), and a file that is not a regular one (a FIFO, a
/// device) named with `--file`, whose writer may stay open and quiet.
pub(crate) struct StoppableReader<R> {
    inner: R,
    stop: Arc<AtomicBool>,
}

pub(crate) type StdinReader = StoppableReader<io::Stdin>;

impl<R> StoppableReader<R> {
    pub(crate) fn new(inner: R, stop: &Arc<AtomicBool>) -> Self {
        StoppableReader {
            inner,
            stop: Arc::clone(stop),
        }
    }
}

/// Whether `StdinReader` ends promptly once reading stops. It waits for
/// data with poll(2), which exists on Unix only; elsewhere a read of a
/// quiet pipe blocks until input comes, so whoever reads standard input
/// there must be a thread that can be left behind.
pub(crate) const STDIN_STOPS_PROMPTLY: bool = cfg!(unix);

/// How often a quiet input looks at the stop flag.
const STOP_POLL: Duration = Duration::from_millis(50);

impl<R: Pollable> Read for StoppableReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            if self.stop.load(Ordering::Relaxed) {
                return Ok(0);
            }
            if more_soon(&self.inner, STOP_POLL) {
                return self.inner.read(buf);
            }
        }
    }
}

/// What `more_soon` can wait on: a file descriptor on Unix.
#[cfg(unix)]
pub(crate) trait Pollable: Read + std::os::fd::AsRawFd {}
#[cfg(unix)]
impl<T: Read + std::os::fd::AsRawFd> Pollable for T {}
#[cfg(not(unix))]
pub(crate) trait Pollable: Read {}
#[cfg(not(unix))]
impl<T: Read> Pollable for T {}

/// A pipe holds 64 KiB by default, so a fast writer and reader take turns
/// after every 64 KiB; a 1 MiB pipe lets both run. Linux only, best effort.
#[cfg(target_os = "linux")]
fn grow_stdin_pipe() {
    use std::os::fd::AsRawFd;
    let fd = io::stdin().as_raw_fd();
    // SAFETY: fcntl on our own standard-input descriptor with an integer
    // argument; failure (not a pipe, limit too low) only leaves it as it was.
    unsafe {
        libc::fcntl(fd, libc::F_SETPIPE_SZ, 1 << 20);
    }
}

#[cfg(not(target_os = "linux"))]
fn grow_stdin_pipe() {}

/// Whether standard input has data (or its end) within `wait`: lets the
/// reader pass on what it has when a pipe falls quiet. Where it cannot
/// tell, it says yes (the reader then fills whole chunks).
pub(crate) fn stdin_more_soon(wait: Duration) -> bool {
    more_soon(&io::stdin(), wait)
}

/// `stdin_more_soon` for any file descriptor.
#[cfg(unix)]
fn more_soon(f: &impl std::os::fd::AsRawFd, wait: Duration) -> bool {
    let mut fds = libc::pollfd {
        fd: f.as_raw_fd(),
        events: libc::POLLIN,
        revents: 0,
    };
    let ms = libc::c_int::try_from(wait.as_millis()).unwrap_or(libc::c_int::MAX);
    // SAFETY: one valid pollfd for our own standard input, its length 1.
    let ready = unsafe { libc::poll(&mut fds, 1, ms) };
    // A signal (Ctrl-C) cutting the wait short is not data; another
    // failure is left for the read to report.
    ready > 0 || (ready < 0 && io::Error::last_os_error().kind() != io::ErrorKind::Interrupted)
}

#[cfg(not(unix))]
fn more_soon<T>(_: &T, _wait: Duration) -> bool {
    true
}

/// Opens a regular file (or FIFO, device), refusing directories up front.
/// Opening a FIFO waits for a writer; that wait ends on Ctrl-C (`stop`).
pub(crate) fn open_file(p: &Path, stop: &AtomicBool) -> io::Result<File> {
    let f = if is_fifo(p) {
        open_interruptibly(p, stop)?
    } else {
        File::open(p)?
    };
    match f.metadata() {
        Ok(m) if m.is_dir() => Err(io::Error::new(
            io::ErrorKind::IsADirectory,
            "is a directory",
        )),
        _ => Ok(f),
    }
}

#[cfg(unix)]
fn is_fifo(p: &Path) -> bool {
    use std::os::unix::fs::FileTypeExt;
    std::fs::metadata(p).is_ok_and(|m| m.file_type().is_fifo())
}

#[cfg(not(unix))]
fn is_fifo(_: &Path) -> bool {
    false
}

/// `File::open` on a thread of its own, waited for in short polls of
/// `stop`: open(2) of a FIFO blocks until a writer comes and no signal
/// ends that wait. On Ctrl-C the thread is left behind (the process ends).
fn open_interruptibly(p: &Path, stop: &AtomicBool) -> io::Result<File> {
    let (tx, rx) = std::sync::mpsc::channel();
    let path = p.to_path_buf();
    std::thread::spawn(move || {
        let _ = tx.send(File::open(path));
    });
    loop {
        match rx.recv_timeout(STOP_POLL) {
            Ok(r) => return r,
            Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {
                if stop.load(Ordering::Relaxed) {
                    return Err(io::Error::new(
                        io::ErrorKind::Interrupted,
                        "interrupted while waiting for a writer",
                    ));
                }
            }
            Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => {
                return Err(io::Error::other("could not be opened"));
            }
        }
    }
}

/// Wraps `r` in a gzip decoder when it starts with the gzip magic bytes.
pub(crate) fn maybe_gunzip(r: Box<dyn Read + Send>) -> io::Result<Box<dyn Read + Send>> {
    let mut buf = BufReader::with_capacity(64 * 1024, r);
    let head = loop {
        match buf.fill_buf() {
            Ok(h) => break h,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        }
    };
    if head.starts_with(&[0x1f, 0x8b]) {
        Ok(Box::new(flate2::read::MultiGzDecoder::new(buf)))
    } else {
        Ok(Box::new(buf))
    }
}

/// Reads a growing file like `tail -F`: waits at the end for more data,
/// and for the file itself when it does not exist yet. When the file is
/// replaced (lumberjack renames `log.log` and creates a new one) or
/// truncated, it ends after the old file's last byte and sets `replaced`:
/// the caller reads the new file as a new input, whose lines count from 1.
/// Ends otherwise only once `stop` is set.
pub(crate) struct FollowReader {
    path: PathBuf,
    /// `None` while the file does not exist yet.
    file: Option<File>,
    pos: u64,
    id: Option<u64>,
    /// The last bytes read (up to `TAIL`): a file truncated and written
    /// past the old end between two polls (logrotate's copytruncate) has
    /// other bytes there, which its size alone cannot tell.
    tail: Vec<u8>,
    /// The last read found nothing new: the file is checked before the
    /// next one (never on the busy path).
    waited: bool,
    stop: Arc<AtomicBool>,
    replaced: Arc<AtomicBool>,
}

/// Bytes kept to recognise a followed file's content (timestamps make 64
/// bytes of a log line all but unique).
const TAIL: usize = 64;

/// How often a followed file is looked at when nothing new came.
const FOLLOW_POLL: Duration = Duration::from_millis(100);

impl FollowReader {
    /// Opens `path`, or waits for it when it does not exist yet but its
    /// folder does (with a one-line notice on stderr unless `quiet`, as
    /// `tail -F` gives). A missing folder is an error.
    pub(crate) fn open(
        path: &Path,
        stop: Arc<AtomicBool>,
        replaced: Arc<AtomicBool>,
        quiet: bool,
    ) -> io::Result<FollowReader> {
        let file = match open_file(path, &stop) {
            Ok(f) => Some(f),
            Err(e) if e.kind() == io::ErrorKind::NotFound && folder_exists(path) => {
                if !quiet {
                    eprintln!(
                        "alist-doctor: {} does not exist yet; waiting for it (Ctrl-C ends)",
                        crate::report::neutral::neutralise(&path.display().to_string())
                    );
                }
                None
            }
            Err(e) => return Err(e),
        };
        let id = file.as_ref().and_then(file_id);
        Ok(FollowReader {
            path: path.to_path_buf(),
            file,
            pos: 0,
            id,
            tail: Vec::new(),
            waited: false,
            stop,
            replaced,
        })
    }

    /// The file at `path` is another one, or shorter than what was read.
    fn is_replaced(&self) -> bool {
        match std::fs::metadata(&self.path) {
            Ok(m) => m.len() < self.pos || meta_id(&m).is_some_and(|id| Some(id) != self.id),
            Err(_) => false,
        }
    }
}

/// The bytes that end at `pos` in `file` are not `tail`, the bytes read
/// there: the file was truncated and rewritten past that offset.
/// `tail` followed by `read`, cut to its last `TAIL` bytes.
fn keep_tail(tail: &mut Vec<u8>, read: &[u8]) {
    if read.len() >= TAIL {
        tail.clear();
        tail.extend_from_slice(&read[read.len() - TAIL..]);
    } else {
        let drop = (tail.len() + read.len()).saturating_sub(TAIL);
        tail.drain(..drop);
        tail.extend_from_slice(read);
    }
}

#[cfg(unix)]
fn is_rewritten(file: &File, pos: u64, tail: &[u8]) -> bool {
    use std::os::unix::fs::FileExt;
    if tail.is_empty() {
        return false;
    }
    let mut now = vec![0; tail.len()];
    match file.read_exact_at(&mut now, pos - tail.len() as u64) {
        Ok(()) => now != tail,
        // Shorter than what was read: `is_replaced` says so next.
        Err(_) => false,
    }
}

#[cfg(not(unix))]
fn is_rewritten(_: &File, _: u64, _: &[u8]) -> bool {
    false
}

fn folder_exists(path: &Path) -> bool {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.is_dir(),
        _ => true,
    }
}

impl Read for FollowReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            if self.stop.load(Ordering::Relaxed) {
                return Ok(0);
            }
            let Some(file) = &mut self.file else {
                if let Ok(f) = open_file(&self.path, &self.stop) {
                    self.id = file_id(&f);
                    self.file = Some(f);
                } else {
                    std::thread::sleep(FOLLOW_POLL);
                }
                continue;
            };
            if std::mem::take(&mut self.waited) && is_rewritten(file, self.pos, &self.tail) {
                self.replaced.store(true, Ordering::Relaxed);
                return Ok(0);
            }
            let n = file.read(buf)?;
            if n > 0 {
                self.pos += n as u64;
                keep_tail(&mut self.tail, &buf[..n]);
                return Ok(n);
            }
            if self.is_replaced() {
                self.replaced.store(true, Ordering::Relaxed);
                return Ok(0);
            }
            self.waited = true;
            std::thread::sleep(FOLLOW_POLL);
        }
    }
}

#[cfg(unix)]
fn meta_id(m: &std::fs::Metadata) -> Option<u64> {
    use std::os::unix::fs::MetadataExt;
    Some(m.ino())
}

#[cfg(not(unix))]
fn meta_id(_: &std::fs::Metadata) -> Option<u64> {
    None
}

fn file_id(f: &File) -> Option<u64> {
    f.metadata().ok().as_ref().and_then(meta_id)
}

/// A short, lower-case reason for an I/O error, without the "(os error N)".
pub(crate) fn io_reason(e: &io::Error) -> String {
    match e.kind() {
        io::ErrorKind::NotFound => "no such file or directory".into(),
        io::ErrorKind::PermissionDenied => "permission denied".into(),
        io::ErrorKind::IsADirectory => "is a directory".into(),
        io::ErrorKind::InvalidData => "invalid data".into(),
        _ => {
            let s = e.to_string();
            let s = match s.split_once(" (os error") {
                Some((reason, _)) => reason.to_string(),
                None => s,
            };
            let mut c = s.chars();
            match c.next() {
                Some(f) => f.to_lowercase().chain(c).collect(),
                None => s,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tail_is_the_last_bytes_read() {
        let mut tail = Vec::new();
        keep_tail(&mut tail, b"abc");
        keep_tail(&mut tail, b"def");
        assert_eq!(tail, b"abcdef");
        let long = [b'x'; TAIL + 10];
        keep_tail(&mut tail, &long);
        assert_eq!(tail, &long[10..]);
        keep_tail(&mut tail, b"yz");
        assert_eq!(tail.len(), TAIL);
        assert!(tail.ends_with(b"xyz"));
    }

    #[cfg(unix)]
    #[test]
    fn a_file_rewritten_past_the_offset_is_told() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("log");
        std::fs::write(&p, b"first line\n").unwrap();
        let f = File::open(&p).unwrap();
        let tail = b"first line\n";
        assert!(!is_rewritten(&f, 11, tail));
        std::fs::write(&p, b"other text, longer than before\n").unwrap();
        assert!(is_rewritten(&f, 11, tail));
    }
}
