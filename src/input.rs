//! Where text comes from (pasted arguments, standard input, files) and how it
//! is read: streamed line by line in bounded memory, whatever the bytes are.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::PathBuf;

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

    /// Opens the source for reading.
    pub fn open(&self) -> Result<Box<dyn Read>, String> {
        match self {
            Source::Text { text, .. } => Ok(Box::new(io::Cursor::new(text.clone().into_bytes()))),
            Source::Stdin => Ok(Box::new(io::stdin())),
            Source::File(p) => {
                let f = File::open(p).map_err(|e| io_reason(&e))?;
                match f.metadata() {
                    Ok(m) if m.is_dir() => Err("is a directory".to_string()),
                    _ => Ok(Box::new(f)),
                }
            }
        }
    }
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
