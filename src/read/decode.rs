//! The input layer: every input (file, standard input, pasted argument) is
//! sniffed once, at its start, and read from then on as UTF-8 text with LF
//! line ends, whatever it was written in:
//! - a UTF-8 byte-order mark is dropped;
//! - UTF-16 (LE or BE: PowerShell 5.1's `>` and `Out-File`) is decoded,
//!   told by its BOM or, without one, by where the NUL bytes of the first
//!   4 KiB fall;
//! - text that is not UTF-8 but decodes as GB18030 (Windows on a Chinese
//!   system writes GBK) without an error over the first 64 KiB is decoded
//!   as that;
//! - an input with no LF in its first 64 KiB is split at CR (old Mac, some
//!   serial consoles) or, failing that, at NUL bytes.
//!
//! A stray bad byte in UTF-8 text stays as it is (read lossily later).
//! Plain UTF-8, the usual case, is passed through untouched.
#![warn(clippy::string_slice)]

use std::io::{self, Read};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use serde::Serialize;

/// How much of an input is looked at to decide.
const SNIFF: usize = 64 << 10;

/// How an input was written, when not plain UTF-8.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub(crate) enum Encoding {
    #[serde(rename = "UTF-8")]
    Utf8,
    #[serde(rename = "UTF-8 with BOM")]
    Utf8Bom,
    #[serde(rename = "UTF-16LE")]
    Utf16Le,
    #[serde(rename = "UTF-16BE")]
    Utf16Be,
    #[serde(rename = "GB18030")]
    Gb18030,
}

impl Encoding {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Encoding::Utf8 => "UTF-8",
            Encoding::Utf8Bom => "UTF-8 with BOM",
            Encoding::Utf16Le => "UTF-16LE",
            Encoding::Utf16Be => "UTF-16BE",
            Encoding::Gb18030 => "GB18030",
        }
    }
}

/// What separates the lines of an input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Separator {
    Lf,
    /// No LF but CRs: each CR ends a line.
    Cr,
    /// Neither LF nor CR but NULs: each NUL ends a line.
    Nul,
}

/// An input ready to be read as UTF-8 lines.
pub(crate) struct Decoded {
    pub reader: Box<dyn Read + Send>,
    pub encoding: Encoding,
    pub separator: Separator,
    /// Set once a run of text has passed (see `Watch`): an input that ends
    /// without one held nothing that could be read as text.
    pub text_seen: Arc<AtomicBool>,
}

/// Sniffs `r` and wraps it to read as UTF-8 with LF line ends. `prompt`
/// inputs (a live stream) are sniffed on what their first read gives,
/// rather than waiting for 64 KiB that may be a long time coming.
pub(crate) fn decode(mut r: Box<dyn Read + Send>, prompt: bool) -> io::Result<Decoded> {
    let mut head = vec![0u8; SNIFF];
    let mut len = 0;
    while len < SNIFF {
        match r.read(&mut head[len..]) {
            Ok(0) => break,
            Ok(n) => {
                len += n;
                if prompt {
                    break;
                }
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        }
    }
    head.truncate(len);
    let (encoding, skip) = sniff_encoding(&head);
    let text_seen = Arc::new(AtomicBool::new(false));
    let raw: Box<dyn Read + Send> = Box::new(io::Cursor::new(head).chain(r));
    let mut raw = raw;
    if skip > 0 {
        let mut bom = [0u8; 3];
        raw.read_exact(&mut bom[..skip])?;
    }
    let utf8: Box<dyn Read + Send> = match encoding {
        Encoding::Utf8 | Encoding::Utf8Bom => raw,
        Encoding::Utf16Le => Box::new(Transcode::new(raw, encoding_rs::UTF_16LE)),
        Encoding::Utf16Be => Box::new(Transcode::new(raw, encoding_rs::UTF_16BE)),
        Encoding::Gb18030 => Box::new(Transcode::new(raw, encoding_rs::GB18030)),
    };
    // The separator is read off the decoded text's start.
    let mut utf8 = utf8;
    let mut text = vec![0u8; SNIFF];
    let mut got = 0;
    while got < SNIFF {
        match utf8.read(&mut text[got..]) {
            Ok(0) => break,
            Ok(n) => {
                got += n;
                if prompt {
                    break;
                }
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        }
    }
    text.truncate(got);
    let separator = if memchr::memchr(b'\n', &text).is_some() || text.is_empty() {
        Separator::Lf
    } else if memchr::memchr(b'\r', &text).is_some() {
        Separator::Cr
    } else if memchr::memchr(0, &text).is_some() {
        Separator::Nul
    } else {
        Separator::Lf
    };
    let decoded: Box<dyn Read + Send> = Box::new(io::Cursor::new(text).chain(utf8));
    let lines: Box<dyn Read + Send> = match separator {
        Separator::Lf => decoded,
        Separator::Cr => Box::new(MapByte {
            inner: decoded,
            from: b'\r',
        }),
        Separator::Nul => Box::new(MapByte {
            inner: decoded,
            from: 0,
        }),
    };
    Ok(Decoded {
        reader: Box::new(Watch {
            inner: lines,
            seen: Arc::clone(&text_seen),
            run: 0,
            other: 0,
            any: false,
            blanks_are_text: separator != Separator::Nul,
        }),
        encoding,
        separator,
        text_seen,
    })
}

/// The encoding of an input that starts with `head`, and the length of
/// its byte-order mark to skip (UTF-16's is consumed by the decoder).
fn sniff_encoding(head: &[u8]) -> (Encoding, usize) {
    if head.starts_with(&[0xef, 0xbb, 0xbf]) {
        return (Encoding::Utf8Bom, 3);
    }
    if head.starts_with(&[0xff, 0xfe]) {
        return (Encoding::Utf16Le, 0);
    }
    if head.starts_with(&[0xfe, 0xff]) {
        return (Encoding::Utf16Be, 0);
    }
    if let Some(e) = utf16_by_nuls(head) {
        return (e, 0);
    }
    if looks_like_gb18030(head) {
        return (Encoding::Gb18030, 0);
    }
    (Encoding::Utf8, 0)
}

/// UTF-16 without a BOM: in text that is mostly ASCII, every other byte
/// of the first 4 KiB is NUL — the odd ones for LE, the even ones for BE.
fn utf16_by_nuls(head: &[u8]) -> Option<Encoding> {
    let sample = &head[..head.len().min(4096) & !1];
    let pairs = sample.len() / 2;
    if pairs < 2 {
        return None;
    }
    let (mut even, mut odd) = (0, 0);
    for p in sample.chunks_exact(2) {
        even += usize::from(p[0] == 0);
        odd += usize::from(p[1] == 0);
    }
    // At least two NULs: in a few bytes of ASCII (a pasted `EOF!`) none
    // fall anywhere, and 0 NULs is not "most".
    let most = (pairs * 2 / 5).max(2);
    let few = pairs / 20;
    if odd >= most && even <= few {
        Some(Encoding::Utf16Le)
    } else if even >= most && odd <= few {
        Some(Encoding::Utf16Be)
    } else {
        None
    }
}

/// Not UTF-8 — many invalid sequences, not a stray byte or two — and the
/// whole head decodes as GB18030 without an error.
fn looks_like_gb18030(head: &[u8]) -> bool {
    let mut invalid = 0usize;
    let mut rest = head;
    while let Err(e) = std::str::from_utf8(rest) {
        match e.error_len() {
            Some(n) => {
                invalid += 1;
                rest = &rest[e.valid_up_to() + n..];
            }
            // Cut at the end of the sniffed part: not an error.
            None => break,
        }
    }
    if invalid < 3 {
        return false;
    }
    // The last character may be cut by the 64 KiB boundary.
    (0..4).any(|cut| {
        head.len() > cut
            && encoding_rs::GB18030
                .decode_without_bom_handling_and_without_replacement(&head[..head.len() - cut])
                .is_some()
    })
}

/// Reads `inner` in another encoding as UTF-8 (malformed sequences become
/// U+FFFD, as a lossy read of UTF-8 does).
struct Transcode<R: Read> {
    inner: R,
    decoder: encoding_rs::Decoder,
    input: Vec<u8>,
    start: usize,
    end: usize,
    eof: bool,
    /// The decoder was told the input ended: it must not be used again.
    finished: bool,
    output: Vec<u8>,
    out_start: usize,
    out_end: usize,
}

impl<R: Read> Transcode<R> {
    fn new(inner: R, encoding: &'static encoding_rs::Encoding) -> Self {
        Transcode {
            inner,
            // The BOM, if any, is the decoder's to remove.
            decoder: encoding.new_decoder_with_bom_removal(),
            input: vec![0; 32 << 10],
            start: 0,
            end: 0,
            eof: false,
            finished: false,
            output: vec![0; 128 << 10],
            out_start: 0,
            out_end: 0,
        }
    }
}

impl<R: Read> Read for Transcode<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            if self.out_start < self.out_end {
                let n = buf.len().min(self.out_end - self.out_start);
                buf[..n].copy_from_slice(&self.output[self.out_start..self.out_start + n]);
                self.out_start += n;
                return Ok(n);
            }
            if self.start == self.end && !self.eof {
                let n = loop {
                    match self.inner.read(&mut self.input) {
                        Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                        other => break other?,
                    }
                };
                self.start = 0;
                self.end = n;
                self.eof = n == 0;
            }
            if self.start == self.end && self.eof {
                if self.finished {
                    return Ok(0);
                }
                // Flush what the decoder holds (a cut last character).
                self.finished = true;
                let (_, _, written, _) = self.decoder.decode_to_utf8(&[], &mut self.output, true);
                self.out_start = 0;
                self.out_end = written;
                continue;
            }
            let (_, read, written, _) = self.decoder.decode_to_utf8(
                &self.input[self.start..self.end],
                &mut self.output,
                false,
            );
            self.start += read;
            self.out_start = 0;
            self.out_end = written;
        }
    }
}

/// Whether each byte of `x` is a space, tab, CR or LF.
fn all_blank(x: u64) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const LOW: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    // The high bit of each byte of `v` that is zero, exactly: no sum
    // carries into the next byte.
    let zero = |v: u64| !(((v & LOW) + LOW) | v) & HIGH;
    let eq = |c: u8| zero(x ^ (ONES * u64::from(c)));
    eq(b' ') | eq(b'\t') | eq(b'\r') | eq(b'\n') == HIGH
}

/// Turns every `from` byte into LF: lines separated by CR or NUL.
struct MapByte<R: Read> {
    inner: R,
    from: u8,
}

impl<R: Read> Read for MapByte<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        for b in &mut buf[..n] {
            if *b == self.from {
                *b = b'\n';
            }
        }
        Ok(n)
    }
}

/// Watches the bytes going past until a run of four printable characters
/// (text, in any script; blanks between them allowed) has been seen, or
/// the input ended after nothing but printable characters and blanks (a
/// pasted `hi`, a file of empty lines); then only passes them on.
struct Watch<R: Read> {
    inner: R,
    seen: Arc<AtomicBool>,
    run: usize,
    /// Bytes neither printable nor blank so far.
    other: usize,
    /// Whether any byte came.
    any: bool,
    /// Whether blanks alone are text: not when they were NULs (see
    /// `MapByte`), which make no text of anything.
    blanks_are_text: bool,
}

impl<R: Read> Read for Watch<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        if self.run < 4 {
            // (Blanks alone are text too: an empty one.)
            if n == 0 && self.other == 0 && self.any && (self.run > 0 || self.blanks_are_text) {
                self.seen.store(true, Ordering::Relaxed);
            }
            self.any |= n > 0;
            let mut bytes = &buf[..n];
            while !bytes.is_empty() {
                // Blanks change nothing: a flood of empty lines is stepped
                // over eight bytes at a time.
                if let Some(word) = bytes.first_chunk::<8>()
                    && all_blank(u64::from_ne_bytes(*word))
                {
                    bytes = &bytes[8..];
                    continue;
                }
                let b = bytes[0];
                bytes = &bytes[1..];
                // Printable ASCII, or part of a UTF-8 multi-byte character.
                if (0x21..0x7f).contains(&b) || b >= 0x80 {
                    self.run += 1;
                    if self.run >= 4 {
                        self.seen.store(true, Ordering::Relaxed);
                        break;
                    }
                } else if !matches!(b, b' ' | b'\t' | b'\r' | b'\n') {
                    self.run = 0;
                    self.other += 1;
                }
            }
        }
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_all(bytes: &[u8]) -> (String, Encoding, Separator, bool) {
        let d = decode(Box::new(io::Cursor::new(bytes.to_vec())), false).unwrap();
        let mut out = Vec::new();
        let mut r = d.reader;
        r.read_to_end(&mut out).unwrap();
        (
            String::from_utf8_lossy(&out).into_owned(),
            d.encoding,
            d.separator,
            d.text_seen.load(Ordering::Relaxed),
        )
    }

    fn utf16(s: &str, le: bool, bom: bool) -> Vec<u8> {
        let mut out = Vec::new();
        if bom {
            out.extend_from_slice(if le { &[0xff, 0xfe] } else { &[0xfe, 0xff] });
        }
        for u in s.encode_utf16() {
            out.extend_from_slice(&if le { u.to_le_bytes() } else { u.to_be_bytes() });
        }
        out
    }

    const LOG: &str = "ERRO[2025-03-14 09:26:51] failed to start: listen tcp 0.0.0.0:5244: bind: address already in use\r\nWARN[2025-03-14 09:26:52] 存储 挂载失败\r\n";

    #[test]
    fn blank_words() {
        let word = |b: &[u8; 8]| all_blank(u64::from_ne_bytes(*b));
        assert!(word(b"\n\n\n\n\n\n\n\n"));
        assert!(word(b"\r\n\r\n \t\r\n"));
        // Each byte is checked on its own: no neighbour's borrow or carry.
        for b in 0..=255u8 {
            let blank = matches!(b, b' ' | b'\t' | b'\r' | b'\n');
            for at in 0..8 {
                let mut w = *b"\n\n\n\n\n\n\n\n";
                w[at] = b;
                assert_eq!(word(&w), blank, "{b:#x} at {at}");
                let mut w = *b"        ";
                w[at] = b;
                assert_eq!(word(&w), blank, "{b:#x} at {at}");
            }
        }
    }

    #[test]
    fn utf16_with_and_without_bom() {
        for le in [true, false] {
            for bom in [true, false] {
                let (text, enc, sep, seen) = read_all(&utf16(LOG, le, bom));
                assert_eq!(text, LOG, "le {le} bom {bom}");
                assert_eq!(
                    enc,
                    if le {
                        Encoding::Utf16Le
                    } else {
                        Encoding::Utf16Be
                    }
                );
                assert_eq!(sep, Separator::Lf);
                assert!(seen);
            }
        }
    }

    #[test]
    fn utf8_bom_is_dropped_and_plain_utf8_untouched() {
        let mut b = vec![0xef, 0xbb, 0xbf];
        b.extend_from_slice(LOG.as_bytes());
        assert_eq!(read_all(&b).0, LOG);
        assert_eq!(read_all(&b).1, Encoding::Utf8Bom);
        assert_eq!(
            read_all(LOG.as_bytes()),
            (LOG.to_string(), Encoding::Utf8, Separator::Lf, true)
        );
    }

    #[test]
    fn gbk_text_is_decoded_but_a_stray_byte_is_not() {
        let text = "ERRO[2025-03-14 09:26:51] failed get objs: failed to list objs: 请进行验证\n挂载失败，请检查\n";
        let (gbk, _, _) = encoding_rs::GB18030.encode(text);
        let (out, enc, _, _) = read_all(&gbk);
        assert_eq!(enc, Encoding::Gb18030);
        assert_eq!(out, text);
        let mut stray = "ERRO[x] 错误 in UTF-8 ".as_bytes().to_vec();
        stray.push(0xff);
        stray.extend_from_slice(" and more 中文\n".as_bytes());
        let (_, enc, _, _) = read_all(&stray);
        assert_eq!(enc, Encoding::Utf8);
    }

    #[test]
    fn cr_only_and_nul_separated_lines_are_split() {
        let (out, _, sep, _) = read_all(b"ERRO[x] one\rERRO[x] two\r");
        assert_eq!(
            (out.as_str(), sep),
            ("ERRO[x] one\nERRO[x] two\n", Separator::Cr)
        );
        let (out, _, sep, _) = read_all(b"ERRO[x] one\0ERRO[x] two\0");
        assert_eq!(
            (out.as_str(), sep),
            ("ERRO[x] one\nERRO[x] two\n", Separator::Nul)
        );
        // CRLF is LF with a CR before it: left for the line reader.
        assert_eq!(read_all(b"a\r\nb\r\n").2, Separator::Lf);
    }

    #[test]
    fn binary_without_text_is_noticed() {
        let (_, _, _, seen) = read_all(&[0u8, 1, 2, 3, 0, 0, 7, 8, 0, 1]);
        assert!(!seen);
        assert!(!read_all(b"").3);
    }

    /// A large UTF-16 input comes through whole, across buffer boundaries.
    #[test]
    fn long_utf16_input() {
        let long: String = (0..20_000)
            .map(|i| format!("ERRO[x] line {i} 中\n"))
            .collect();
        let (out, enc, _, _) = read_all(&utf16(&long, true, true));
        assert_eq!(enc, Encoding::Utf16Le);
        assert_eq!(out, long);
    }
}
