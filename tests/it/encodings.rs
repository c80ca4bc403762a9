//! The input layer through the real binary: every encoding and line-end a
//! log or a paste arrives in, read as a file, from standard input and (for
//! text) as an argument, gives the same findings as plain UTF-8.

use std::io::Write;

use serde_json::Value;

use crate::util::{doctor, ids};

const PORT: &str = "ERRO[2025-03-14 09:26:51] failed to start: listen tcp 0.0.0.0:5244: bind: address already in use";
const CAPTCHA: &str = "ERRO[2025-03-14 09:27:51] failed get objs: failed to list objs: 请进行验证";
const UNKNOWN: &str = "ERRO[2025-03-14 09:28:51] frobnication of the widget failed";

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

fn gb18030(s: &str) -> Vec<u8> {
    encoding_rs::GB18030.encode(s).0.into_owned()
}

/// (name, bytes, encoding the summary names) of the same three-line log.
fn shapes() -> Vec<(&'static str, Vec<u8>, Option<&'static str>)> {
    let crlf = format!("{PORT}\r\n{CAPTCHA}\r\n{UNKNOWN}\r\n");
    let lf = format!("{PORT}\n{CAPTCHA}\n{UNKNOWN}\n");
    let mut bom = vec![0xef, 0xbb, 0xbf];
    bom.extend_from_slice(lf.as_bytes());
    vec![
        ("utf-8", lf.clone().into_bytes(), None),
        ("utf-8 bom", bom, Some("UTF-8 with BOM")),
        (
            "utf-16le bom (PowerShell 5.1 >)",
            utf16(&crlf, true, true),
            Some("UTF-16LE"),
        ),
        ("utf-16be bom", utf16(&crlf, false, true), Some("UTF-16BE")),
        (
            "utf-16le, no bom",
            utf16(&lf, true, false),
            Some("UTF-16LE"),
        ),
        (
            "utf-16be, no bom",
            utf16(&lf, false, false),
            Some("UTF-16BE"),
        ),
        ("gb18030", gb18030(&crlf), Some("GB18030")),
        (
            "cr only",
            lf.replace('\n', "\r").into_bytes(),
            Some("UTF-8"),
        ),
        (
            "nul separated",
            lf.replace('\n', "\0").into_bytes(),
            Some("UTF-8"),
        ),
        (
            "nul at line starts",
            format!("{PORT}\n\0{CAPTCHA}\n\0{UNKNOWN}\n").into_bytes(),
            None,
        ),
    ]
}

fn check(name: &str, how: &str, v: &Value) {
    let mut got = ids(v);
    got.sort();
    assert_eq!(
        got,
        ["pan123-captcha-required", "port-in-use"],
        "{name} {how}: {v}"
    );
    assert_eq!(
        v["summary"]["unknown"], 1,
        "{name} {how}: the unknown error on line 3"
    );
    assert_eq!(v["summary"]["lines"], 3, "{name} {how}");
}

#[test]
fn every_encoding_and_line_end_reads_the_same() {
    for (name, bytes, enc) in shapes() {
        let mut f = tempfile::NamedTempFile::new().unwrap();
        f.write_all(&bytes).unwrap();
        let file = doctor()
            .args(["--format", "json", "--file", f.path().to_str().unwrap()])
            .output()
            .unwrap();
        assert_eq!(file.status.code(), Some(1), "{name}: a finding exits 1");
        let v: Value = serde_json::from_slice(&file.stdout).unwrap();
        check(name, "file", &v);
        let named: Vec<&str> = v["summary"]["encoding"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["encoding"].as_str().unwrap())
            .collect();
        assert_eq!(named, enc.into_iter().collect::<Vec<_>>(), "{name}");
        let stdin = doctor()
            .args(["--format", "json"])
            .write_stdin(bytes.clone())
            .output()
            .unwrap();
        check(
            name,
            "stdin",
            &serde_json::from_slice(&stdin.stdout).unwrap(),
        );
    }
}

/// A UTF-8 BOM no longer hides the first line's head: its timestamp counts
/// for --since and its unknown error is kept.
#[test]
fn a_bom_keeps_the_first_line_head() {
    let mut bytes = vec![0xef, 0xbb, 0xbf];
    bytes.extend_from_slice(format!("{UNKNOWN}\n").as_bytes());
    let out = doctor()
        .args(["--format", "json", "--since", "2025-03-14 09:28:00"])
        .write_stdin(bytes)
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["summary"]["unknown"], 1, "{v}");
    assert_eq!(v["unknown"][0]["first_line"], 1);
}

/// Pasted arguments go through the same layer: a CR-only paste is lines.
#[test]
fn a_pasted_argument_is_read_the_same_way() {
    let paste = format!("{PORT}\r{CAPTCHA}\r");
    let out = doctor()
        .args(["--format", "json", &paste])
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut got = ids(&v);
    got.sort();
    assert_eq!(got, ["pan123-captcha-required", "port-in-use"], "{v}");
}

/// Input with no text in it is an unreadable input (exit 2), not "no
/// problem found"; an empty input stays exit 0.
#[test]
fn input_without_text_is_said_so() {
    let out = doctor().write_stdin(vec![0u8; 4096]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("could be read as text"));
    let out = doctor().write_stdin(Vec::new()).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    // Empty lines are an empty text, not binary data.
    let out = doctor()
        .write_stdin("\n\n\r\n\n".repeat(5000))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A short paste is read as the UTF-8 it is: `EOF!` was taken for UTF-16
/// (no NUL at all counted as "most bytes NUL" in 4 bytes), and `EOF`,
/// with no run of four letters, for binary data (exit 2).
#[test]
fn short_pastes_are_read_as_typed() {
    for text in ["EOF", "EOF!", "401", "x y", "超时", "ab\tcd"] {
        let out = doctor()
            .args(["--format", "json", "--", text])
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{text:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(out.stderr.is_empty(), "{text:?}");
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(v["summary"]["encoding"], serde_json::json!([]), "{text:?}");
    }
    // A few UTF-16 characters are still told by their NULs.
    let out = doctor()
        .args(["--format", "json"])
        .write_stdin(utf16("EOF!\n", true, false))
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["summary"]["encoding"][0]["encoding"], "UTF-16LE");
}

/// Short pastes are plain text: no NUL pattern to read as UTF-16 in four
/// letters, and a word shorter than four characters is still text.
#[test]
fn short_pastes_are_utf8_text() {
    for text in ["a", "hi", "abc", "abcd", "a b", "错误"] {
        let (code, v) = crate::util::json(&["--", text], None);
        assert!(code == 0 || code == 1, "{text}: exit {code}");
        assert_eq!(v["summary"]["encoding"], serde_json::json!([]), "{text}");
        assert_eq!(v["summary"]["errors"], serde_json::json!([]), "{text}");
    }
}
