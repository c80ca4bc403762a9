//! Where text comes from (pasted arguments, standard input, files) and how it
//! is read: streamed line by line in bounded memory, whatever the bytes are.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// Longest line kept for matching; the rest of a longer line is skipped
/// (counted, and said in the summary) so one huge line cannot exhaust memory.
pub const MAX_LINE: usize = 64 * 1024;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// A message given on the command line (the Nth TEXT argument).
    Text {
        index: usize,
        text: String,
    },
    Stdin,
    File(PathBuf),
}

impl Source {
    /// How the source is named in reports.
    pub fn name(&self) -> String {
        match self {
            Source::Text { index, .. } => format!("<arg {index}>"),
            Source::Stdin => "<stdin>".to_string(),
            Source::File(p) => p.display().to_string(),
        }
    }

    /// Pasted text joins wrapped lines into one message.
    pub fn is_paste(&self) -> bool {
        matches!(self, Source::Text { .. })
    }

    /// Opens the source for reading; gzip is detected by its magic bytes
    /// (rotated `log-*.log.gz` files, on standard input too).
    pub fn open(&self) -> Result<Box<dyn Read + Send>, String> {
        let raw: Box<dyn Read + Send> = match self {
            Source::Text { text, .. } => Box::new(io::Cursor::new(text.clone().into_bytes())),
            Source::Stdin => Box::new(io::stdin()),
            Source::File(p) => Box::new(open_file(p)?),
        };
        maybe_gunzip(raw).map_err(|e| io_reason(&e))
    }
}

/// Opens a regular file (or FIFO, device), refusing directories up front.
pub fn open_file(p: &Path) -> Result<File, String> {
    let f = File::open(p).map_err(|e| io_reason(&e))?;
    match f.metadata() {
        Ok(m) if m.is_dir() => Err("is a directory".to_string()),
        _ => Ok(f),
    }
}

/// Wraps `r` in a gzip decoder when it starts with the gzip magic bytes.
pub fn maybe_gunzip(r: Box<dyn Read + Send>) -> io::Result<Box<dyn Read + Send>> {
    let mut buf = BufReader::with_capacity(256 * 1024, r);
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

/// Reads a growing file like `tail -F`: waits at the end for more data, and
/// when the file is replaced (lumberjack renames `log.log` and creates a new
/// one) finishes the old file, then continues with the new one. Returns end
/// of input only once `stop` is set.
pub struct FollowReader {
    path: PathBuf,
    file: File,
    pos: u64,
    id: Option<u64>,
    stop: Arc<AtomicBool>,
    /// Times the file was replaced or truncated.
    pub reopened: u64,
}

impl FollowReader {
    pub fn open(path: &Path, stop: Arc<AtomicBool>) -> Result<FollowReader, String> {
        let file = open_file(path)?;
        let id = file_id(&file);
        Ok(FollowReader {
            path: path.to_path_buf(),
            file,
            pos: 0,
            id,
            stop,
            reopened: 0,
        })
    }

    /// The file at `path` is another one, or shorter than what was read.
    fn replaced(&self) -> bool {
        match std::fs::metadata(&self.path) {
            Ok(m) => m.len() < self.pos || meta_id(&m).is_some_and(|id| Some(id) != self.id),
            Err(_) => false,
        }
    }
}

impl Read for FollowReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            let n = self.file.read(buf)?;
            if n > 0 {
                self.pos += n as u64;
                return Ok(n);
            }
            if self.stop.load(Ordering::Relaxed) {
                return Ok(0);
            }
            if self.replaced()
                && let Ok(f) = open_file(&self.path)
            {
                self.id = file_id(&f);
                self.file = f;
                self.pos = 0;
                self.reopened += 1;
                continue;
            }
            std::thread::sleep(Duration::from_millis(100));
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
pub fn io_reason(e: &io::Error) -> String {
    match e.kind() {
        io::ErrorKind::NotFound => "no such file or directory".into(),
        io::ErrorKind::PermissionDenied => "permission denied".into(),
        io::ErrorKind::IsADirectory => "is a directory".into(),
        io::ErrorKind::InvalidData => "invalid data".into(),
        _ => {
            let s = e.to_string();
            let s = match s.find(" (os error") {
                Some(i) => s[..i].to_string(),
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

/// Reads lines of at most `MAX_LINE` bytes (terminator excluded).
pub struct LineReader<R: Read> {
    inner: BufReader<R>,
    buf: Vec<u8>,
    /// Lines that were longer than `MAX_LINE` and were cut.
    pub cut_lines: u64,
}

impl<R: Read> LineReader<R> {
    pub fn new(r: R) -> Self {
        LineReader {
            inner: BufReader::with_capacity(256 * 1024, r),
            buf: Vec::with_capacity(1024),
            cut_lines: 0,
        }
    }

    /// The next line without its `\n` (a trailing `\r` is left for the parser),
    /// or `None` at the end of the input.
    pub fn next_line(&mut self) -> io::Result<Option<&[u8]>> {
        self.buf.clear();
        let mut cut = false;
        let mut any = false;
        loop {
            let chunk = match self.inner.fill_buf() {
                Ok(c) => c,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if chunk.is_empty() {
                break;
            }
            any = true;
            let (take, done) = match memchr(chunk) {
                Some(i) => (i, true),
                None => (chunk.len(), false),
            };
            let room = MAX_LINE.saturating_sub(self.buf.len());
            if take > room {
                cut = true;
            }
            self.buf.extend_from_slice(&chunk[..take.min(room)]);
            self.inner.consume(if done { take + 1 } else { take });
            if done {
                break;
            }
        }
        if cut {
            self.cut_lines += 1;
        }
        Ok(if any { Some(&self.buf) } else { None })
    }
}

fn memchr(b: &[u8]) -> Option<usize> {
    b.iter().position(|&c| c == b'\n')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_lines_are_cut_not_buffered() {
        let mut data = vec![b'a'; MAX_LINE * 3];
        data.extend_from_slice(b"\nshort\r\nlast");
        let mut r = LineReader::new(&data[..]);
        assert_eq!(r.next_line().unwrap().unwrap().len(), MAX_LINE);
        assert_eq!(r.next_line().unwrap().unwrap(), b"short\r");
        assert_eq!(r.next_line().unwrap().unwrap(), b"last");
        assert!(r.next_line().unwrap().is_none());
        assert_eq!(r.cut_lines, 1);
    }

    #[test]
    fn empty_input_has_no_lines() {
        let mut r = LineReader::new(&b""[..]);
        assert!(r.next_line().unwrap().is_none());
    }
}
