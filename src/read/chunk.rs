//! Cuts a stream into large line-aligned chunks, so that several threads can
//! work on one input: every chunk ends at a line boundary (or the end of the
//! input). Every path that reads lines reads them through here.
#![warn(clippy::string_slice)]

use std::io::{self, Read};
use std::time::Duration;

use crate::read::input::MAX_LINE;

/// Bytes per chunk: large enough that per-chunk costs vanish, small enough
/// that a few chunks in flight keep memory flat.
pub(crate) const CHUNK: usize = 256 << 10;

/// A chunk of whole lines in a reusable buffer.
pub(crate) struct Chunk {
    pub buf: Vec<u8>,
    /// Bytes of `buf` in use.
    pub len: usize,
    /// Lines longer than `CHUNK` that were cut while reading this chunk
    /// (shorter over-long lines are cut, and counted, by the line splitter).
    pub cut_lines: u64,
}

impl Chunk {
    pub(crate) fn bytes(&self) -> &[u8] {
        &self.buf[..self.len]
    }
}

/// A fresh chunk buffer (zeroed once, then reused).
pub(crate) fn new_buffer() -> Vec<u8> {
    vec![0; CHUNK]
}

pub(crate) struct Chunker<R: Read> {
    inner: R,
    /// The start of a line that did not fit in the previous chunk.
    carry: Vec<u8>,
    eof: bool,
    /// For input that can fall quiet (a pipe): says whether more data
    /// arrives within the given time. A chunk that already holds a whole
    /// line is handed on when it does not, instead of waiting to fill up.
    more_soon: Option<fn(Duration) -> bool>,
}

/// How long a chunk with whole lines waits for more of a quiet input.
const QUIET: Duration = Duration::from_millis(2);

impl<R: Read> Chunker<R> {
    pub(crate) fn new(inner: R) -> Self {
        Chunker {
            inner,
            carry: Vec::new(),
            eof: false,
            more_soon: None,
        }
    }

    /// A chunker for input that may stall (see `more_soon`).
    pub(crate) fn with_stall_probe(mut self, more_soon: fn(Duration) -> bool) -> Self {
        self.more_soon = Some(more_soon);
        self
    }

    /// A chunker that passes on the whole lines of every read at once (a
    /// followed file: each line matters as soon as it is written).
    pub(crate) fn prompt(self) -> Self {
        self.with_stall_probe(|_| false)
    }

    /// Calls `each` on every line (see `Lines`) until it returns false, the
    /// input ends or a read fails. Returns how that went and the lines cut.
    pub(crate) fn for_each_line(
        self,
        mut each: impl FnMut(&[u8]) -> io::Result<bool>,
    ) -> (io::Result<()>, u64) {
        self.for_each_chunk(|lines| {
            for line in lines.by_ref() {
                if !each(line)? {
                    return Ok(false);
                }
            }
            Ok(true)
        })
    }

    /// `for_each_line`, handing on each chunk's lines to be read as
    /// `each` likes (whole runs of them at once); `Ok(false)` stops.
    pub(crate) fn for_each_chunk(
        mut self,
        mut each: impl FnMut(&mut Lines<'_>) -> io::Result<bool>,
    ) -> (io::Result<()>, u64) {
        let (mut buf, mut cut) = (new_buffer(), 0);
        loop {
            let chunk = match self.next_chunk(buf) {
                Ok(Some(chunk)) => chunk,
                Ok(None) => return (Ok(()), cut),
                Err(e) => return (Err(e), cut),
            };
            cut += chunk.cut_lines;
            let mut lines = Lines::new(chunk.bytes());
            match each(&mut lines) {
                Ok(true) => {}
                Ok(false) => return (Ok(()), cut + lines.cut),
                Err(e) => return (Err(e), cut + lines.cut),
            }
            cut += lines.cut;
            buf = chunk.buf;
        }
    }

    /// Fills `buf` (of `CHUNK` bytes) with the next chunk; `None` at the end.
    pub(crate) fn next_chunk(&mut self, mut buf: Vec<u8>) -> io::Result<Option<Chunk>> {
        if buf.len() != CHUNK {
            buf = new_buffer();
        }
        let mut len = self.carry.len();
        buf[..len].copy_from_slice(&self.carry);
        self.carry.clear();
        len += self.fill(&mut buf[len..])?;
        if len == 0 {
            return Ok(None);
        }
        if self.eof {
            return Ok(Some(Chunk {
                buf,
                len,
                cut_lines: 0,
            }));
        }
        if let Some(i) = memchr::memrchr(b'\n', &buf[..len]) {
            self.carry.extend_from_slice(&buf[i + 1..len]);
            return Ok(Some(Chunk {
                buf,
                len: i + 1,
                cut_lines: 0,
            }));
        }
        // One line fills the whole chunk: keep its head, skip the rest.
        self.skip_line()?;
        buf[MAX_LINE] = b'\n';
        Ok(Some(Chunk {
            buf,
            len: MAX_LINE + 1,
            cut_lines: 1,
        }))
    }

    /// Reads until `buf` is full or the input ends, or, with a stall probe
    /// and a whole line read, until the input falls quiet: a pipe that
    /// trickles is passed on at once, one that floods still fills whole
    /// chunks.
    fn fill(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let (mut n, mut has_line) = (0, false);
        while n < buf.len() && !self.eof {
            match self.inner.read(&mut buf[n..]) {
                Ok(0) => self.eof = true,
                Ok(k) => {
                    n += k;
                    if let Some(more_soon) = self.more_soon {
                        has_line = has_line || memchr::memchr(b'\n', &buf[n - k..n]).is_some();
                        if has_line && n < buf.len() && !more_soon(QUIET) {
                            break;
                        }
                    }
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        Ok(n)
    }

    /// Discards input up to and including the next newline; what follows
    /// it starts the next chunk.
    fn skip_line(&mut self) -> io::Result<()> {
        let mut scratch = vec![0; 64 << 10];
        loop {
            let n = self.fill(&mut scratch)?;
            if let Some(i) = memchr::memchr(b'\n', &scratch[..n]) {
                self.carry.extend_from_slice(&scratch[i + 1..n]);
                return Ok(());
            }
            if self.eof {
                return Ok(());
            }
        }
    }
}

/// The lines of a chunk: without the `\n` (a trailing `\r` is left for the
/// parser), cut to `MAX_LINE` bytes, so one huge line cannot exhaust
/// memory. Counts the lines it cut.
pub(crate) struct Lines<'a> {
    rest: &'a [u8],
    pub cut: u64,
    newline: Newline,
}

impl<'a> Lines<'a> {
    pub(crate) fn new(bytes: &'a [u8]) -> Self {
        Lines {
            rest: bytes,
            cut: 0,
            newline: Newline::new(),
        }
    }

    /// The bytes not read yet.
    pub(crate) fn rest(&self) -> &'a [u8] {
        self.rest
    }

    /// Steps over the next `n` bytes, whole lines read by other means.
    pub(crate) fn advance(&mut self, n: usize) {
        self.rest = &self.rest[n..];
    }
}

/// Finds `\n`. `memchr::memchr` picks its SIMD routine anew on every call
/// (an atomic load and an indirect call): on lines of ~100 bytes that was
/// ~40% of the search. Where AVX2 is there, its searcher is picked once
/// per chunk instead; elsewhere `memchr` as usual.
#[derive(Clone, Copy)]
struct Newline {
    #[cfg(target_arch = "x86_64")]
    avx2: Option<memchr::arch::x86_64::avx2::memchr::One>,
}

impl Newline {
    fn new() -> Self {
        Newline {
            #[cfg(target_arch = "x86_64")]
            avx2: memchr::arch::x86_64::avx2::memchr::One::new(b'\n'),
        }
    }

    #[inline]
    fn find(&self, haystack: &[u8]) -> Option<usize> {
        #[cfg(target_arch = "x86_64")]
        if let Some(one) = &self.avx2 {
            return one.find(haystack);
        }
        memchr::memchr(b'\n', haystack)
    }
}

impl<'a> Iterator for Lines<'a> {
    type Item = &'a [u8];

    fn next(&mut self) -> Option<&'a [u8]> {
        if self.rest.is_empty() {
            return None;
        }
        let (line, rest) = match self.newline.find(self.rest) {
            Some(i) => (&self.rest[..i], &self.rest[i + 1..]),
            None => (self.rest, &self.rest[self.rest.len()..]),
        };
        self.rest = rest;
        if line.len() > MAX_LINE {
            // NULs before a line (space preallocated by a crashed writer)
            // are not part of it: its text must survive the cut.
            let line = &line[line.iter().position(|&b| b != 0).unwrap_or(line.len())..];
            if line.len() <= MAX_LINE {
                return Some(line);
            }
            self.cut += 1;
            return Some(&line[..MAX_LINE]);
        }
        Some(line)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Hands out at most `step` bytes per read.
    struct Trickle<'a>(&'a [u8], usize);

    impl Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let n = self.0.len().min(buf.len()).min(self.1);
            buf[..n].copy_from_slice(&self.0[..n]);
            self.0 = &self.0[n..];
            Ok(n)
        }
    }

    fn by_chunks(data: &[u8], step: usize) -> (Vec<Vec<u8>>, u64) {
        by_chunks_with(Chunker::new(Trickle(data, step)))
    }

    fn by_chunks_with(mut c: Chunker<Trickle<'_>>) -> (Vec<Vec<u8>>, u64) {
        let (mut lines, mut cut) = (Vec::new(), 0);
        let mut buf = new_buffer();
        let mut unterminated = 0;
        while let Some(chunk) = c.next_chunk(buf).unwrap() {
            // Only the last chunk may end inside a line.
            assert_eq!(unterminated, 0, "a chunk before the last ends mid-line");
            unterminated += usize::from(!chunk.bytes().ends_with(b"\n"));
            let mut it = Lines::new(chunk.bytes());
            lines.extend(it.by_ref().map(<[u8]>::to_vec));
            cut += it.cut + chunk.cut_lines;
            buf = chunk.buf;
        }
        (lines, cut)
    }

    /// The rule, plainly: split at `\n`, no line after a final `\n`,
    /// lines cut to `MAX_LINE` bytes and counted.
    fn by_plain_rule(data: &[u8]) -> (Vec<Vec<u8>>, u64) {
        let mut lines: Vec<&[u8]> = data.split(|c| *c == b'\n').collect();
        if data.is_empty() || data.ends_with(b"\n") {
            lines.pop();
        }
        let cut = lines.iter().filter(|l| l.len() > MAX_LINE).count() as u64;
        let lines = lines
            .iter()
            .map(|l| l[..l.len().min(MAX_LINE)].to_vec())
            .collect();
        (lines, cut)
    }

    #[test]
    fn chunks_split_lines_by_the_plain_rule() {
        let mut data = Vec::new();
        for i in 0..40_000 {
            data.extend_from_slice(format!("line {i} {}\n", "x".repeat(i % 97)).as_bytes());
            if i % 9_000 == 0 {
                // Over-long lines: one shorter than a chunk, one longer.
                data.extend_from_slice(&vec![b'a'; MAX_LINE + 10]);
                data.push(b'\n');
                data.extend_from_slice(&vec![b'b'; CHUNK * 2 + 3]);
                data.push(b'\n');
            }
        }
        data.extend_from_slice(b"\n\nshort with CR\r\nlast line without newline");
        let want = by_plain_rule(&data);
        for step in [usize::MAX, 4096, 777] {
            assert_eq!(by_chunks(&data, step), want, "read step {step}");
        }
        // Line by line, as the one-thread paths read.
        let mut got = Vec::new();
        let (read, cut) = Chunker::new(Trickle(&data, 4096)).for_each_line(|l| {
            got.push(l.to_vec());
            Ok(true)
        });
        assert!(read.is_ok());
        assert_eq!((got, cut), want);
        // A quiet input passes on each read's whole lines at once; the
        // lines are still the same.
        fn never(_: Duration) -> bool {
            false
        }
        let quiet = by_chunks_with(Chunker::new(Trickle(&data, 777)).with_stall_probe(never));
        assert_eq!(quiet, want);
        let mut c = Chunker::new(Trickle(b"one\ntwo\nthr", 9)).with_stall_probe(never);
        let first = c.next_chunk(new_buffer()).unwrap().unwrap();
        assert_eq!(first.bytes(), b"one\ntwo\n");
        // Ends inside an over-long line.
        data.extend_from_slice(&vec![b'c'; CHUNK + 5]);
        assert_eq!(by_chunks(&data, 65_536), by_plain_rule(&data));
    }

    #[test]
    fn empty_input_has_no_chunks() {
        let mut c = Chunker::new(&b""[..]);
        assert!(c.next_chunk(new_buffer()).unwrap().is_none());
    }
}
