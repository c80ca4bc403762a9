//! Whatever comes in, the tool answers with a diagnosis or one clear line,
//! never a panic, never a lost finding, never a leaked secret. Large and
//! binary inputs are generated here; no big file is committed.

use std::io::{Read, Write};
use std::process::{Command as Std, Stdio};

use crate::util::{doctor, ids, json};
use predicates::prelude::*;
use serde_json::Value;

const KNOWN: &str = "ERRO[2024-01-02 15:04:05] failed get objs: failed to list objs: TooManyRequests:Too Many Requests";

fn no_panic(stderr: &[u8]) {
    let s = String::from_utf8_lossy(stderr);
    assert!(
        !s.contains("panicked") && !s.contains("RUST_BACKTRACE"),
        "{s}"
    );
}

#[test]
fn invalid_utf8_and_nul_bytes_are_diagnosed() {
    let mut log = b"INFO[2024-01-02 15:04:05] \xff\xfe\x00 garbage \xc3\x28\n".to_vec();
    log.extend_from_slice(b"ERRO[2024-01-02 15:04:05] failed get objs: failed to list objs: \xff\x00TooManyRequests:Too Many Requests\n");
    let out = doctor()
        .args(["--format", "json"])
        .write_stdin(log)
        .output()
        .unwrap();
    no_panic(&out.stderr);
    assert_eq!(out.status.code(), Some(1));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(ids(&v), ["aliyundrive-open-too-many-requests"]);
    assert!(
        v["findings"][0]["matched"]
            .as_str()
            .unwrap()
            .contains('\u{fffd}'),
        "replacement character shown"
    );
}

#[test]
fn binary_input_is_read_without_complaint() {
    // A deterministic pseudo-random megabyte, plus one known line at the end.
    let mut data = Vec::with_capacity(1 << 20);
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    while data.len() < 1 << 20 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        data.extend_from_slice(&x.to_le_bytes());
    }
    data.push(b'\n');
    data.extend_from_slice(KNOWN.as_bytes());
    let f = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(f.path(), &data).unwrap();
    let out = doctor()
        .args(["--format", "json", "--file"])
        .arg(f.path())
        .output()
        .unwrap();
    no_panic(&out.stderr);
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(ids(&v).contains(&"aliyundrive-open-too-many-requests".to_string()));
}

#[test]
fn empty_inputs() {
    let (code, v) = json(&[], Some(""));
    assert_eq!(code, 0);
    assert_eq!(v["summary"]["lines"], 0);
    let f = tempfile::NamedTempFile::new().unwrap();
    doctor()
        .arg("--file")
        .arg(f.path())
        .assert()
        .code(0)
        .stdout(predicate::str::contains("No known problem found"));
    doctor().arg("").assert().code(0);
}

#[test]
fn an_enormous_line_is_cut_and_the_rest_still_read() {
    // 20 MB without a newline (the benchmark measures memory at 200 MB).
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("long.log");
    let mut f = std::fs::File::create(&path).unwrap();
    let chunk = vec![b'x'; 1 << 20];
    for _ in 0..20 {
        f.write_all(&chunk).unwrap();
    }
    writeln!(f).unwrap();
    writeln!(f, "{KNOWN}").unwrap();
    drop(f);
    let (code, v) = json(&["--file", path.to_str().unwrap()], None);
    assert_eq!(code, 1);
    assert_eq!(ids(&v), ["aliyundrive-open-too-many-requests"]);
    assert_eq!(v["findings"][0]["first_line"], 2);
    assert_eq!(v["summary"]["cut_lines"], 1);
    let out = doctor().arg("--file").arg(&path).output().unwrap();
    assert!(
        String::from_utf8_lossy(&out.stdout)
            .contains("1 over-long line cut to 64 KiB for matching")
    );
}

#[test]
fn unreadable_inputs_do_not_stop_the_others() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good.log");
    std::fs::write(&good, format!("{KNOWN}\n")).unwrap();
    let out = doctor()
        .args(["--format", "json", "--file", "/nonexistent/x.log", "--file"])
        .arg(dir.path())
        .arg("--file")
        .arg(&good)
        .output()
        .unwrap();
    no_panic(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(2),
        "an unreadable input means exit 2"
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        err.lines().count(),
        2,
        "one line per unreadable input: {err}"
    );
    assert!(err.contains("/nonexistent/x.log: no such file or directory"));
    assert!(err.contains(&format!("{}: is a directory", dir.path().display())));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        ids(&v),
        ["aliyundrive-open-too-many-requests"],
        "findings from the good input are kept"
    );
}

#[cfg(unix)]
#[test]
fn a_fifo_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("pipe");
    assert!(Std::new("mkfifo").arg(&fifo).status().unwrap().success());
    let writer_path = fifo.clone();
    let writer = std::thread::spawn(move || {
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .open(writer_path)
            .unwrap();
        writeln!(f, "{KNOWN}").unwrap();
    });
    let (code, v) = json(&["--file", fifo.to_str().unwrap()], None);
    writer.join().unwrap();
    assert_eq!(code, 1);
    assert_eq!(ids(&v), ["aliyundrive-open-too-many-requests"]);
}

#[test]
fn tables_have_caps_and_say_so() {
    let mut log = String::new();
    // 10,050 occurrences with distinct file ids and 1,331 distinct unknown templates.
    for i in 0..10_050u32 {
        log.push_str(&format!(
            "ERRO[2024-01-02 15:04:05] failed get objs: failed to list objs: NotFound.FileId:The resource file_id cannot be found. file_id:{i:040x}\n"
        ));
    }
    let words = [
        "alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india",
        "juliet", "kilo",
    ];
    for a in words {
        for b in words {
            for c in words {
                log.push_str(&format!(
                    "ERRO[2024-01-02 15:04:05] unheard of {a} {b} {c} trouble\n"
                ));
            }
        }
    }
    let out = doctor()
        .args(["--format", "json"])
        .write_stdin(log.clone())
        .output()
        .unwrap();
    no_panic(&out.stderr);
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["summary"]["capped"], true);
    // 16 distinct file ids are kept; the rest count under the entry alone.
    let findings = v["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 17);
    let plain = findings
        .iter()
        .filter(|f| f["captures"].as_object().unwrap().is_empty());
    assert_eq!(plain.count(), 1);
    assert_eq!(
        v["summary"]["occurrences"], 10_050,
        "occurrences past the cap are still counted"
    );
    assert_eq!(v["unknown"].as_array().unwrap().len(), 1_000);
    // 11³ distinct unknown errors: those past the template cap are counted.
    assert_eq!(
        v["summary"]["unknown_occurrences"], 1_331,
        "unknown occurrences past the cap are still counted"
    );
    let out = doctor()
        .args(["--statistics"])
        .write_stdin(log.clone())
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("the tables were capped"));
    assert!(
        text.contains("    1331           (unknown errors)"),
        "{text}"
    );
    let out = doctor()
        .args(["--statistics", "--format", "json"])
        .write_stdin(log)
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["unknown"], 1_331);
    assert_eq!(v["summary"]["unknown_occurrences"], 1_331);
}

#[test]
fn a_closed_pipe_ends_quietly() {
    let bin = assert_cmd::cargo::cargo_bin("alist-doctor");
    let mut log = String::new();
    for i in 0..20_000 {
        log.push_str(&format!(
            "ERRO[2024-01-02 15:04:05] unheard of trouble number {i} in /x{i}/y\n"
        ));
        log.push_str(&format!("{KNOWN} {i}\n"));
    }
    let mut child = Std::new(bin)
        .args(["--format", "ndjson"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let feeder = std::thread::spawn(move || {
        let _ = stdin.write_all(log.as_bytes());
    });
    // Read one line, then hang up, like `| head -1`.
    let mut stdout = child.stdout.take().unwrap();
    let mut first = [0u8; 64];
    let _ = stdout.read(&mut first).unwrap();
    drop(stdout);
    let out = child.wait_with_output().unwrap();
    feeder.join().unwrap();
    no_panic(&out.stderr);
    assert!(
        out.stderr.is_empty(),
        "no 'Broken pipe' message: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[cfg(target_os = "linux")]
#[test]
fn other_write_errors_exit_2() {
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .unwrap();
    let bin = assert_cmd::cargo::cargo_bin("alist-doctor");
    let out = Std::new(bin).arg(KNOWN).stdout(full).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.starts_with("alist-doctor: error:") && err.to_lowercase().contains("no space left"),
        "{err}"
    );
}

#[test]
fn wrong_user_catalogs_name_file_entry_and_field() {
    let dir = tempfile::tempdir().unwrap();
    let cases: &[(&str, &str)] = &[
        ("- id: x\n  title: [broken\n", "bad.yaml:2:"),
        (
            "- id: huge\n  title: t\n  severity: error\n  patterns: ['(\\w{500}){500}']\n  cause: c\n  fix: [f]\n",
            "entry 'huge', field 'patterns[0]': regex is too big",
        ),
        (
            "- id: x\n  title: t\n  severity: fatal\n  patterns: ['abc']\n  cause: c\n  fix: [f]\n",
            "unknown variant `fatal`",
        ),
        ("\u{feff}\u{0}\u{1}", "bad.yaml"),
    ];
    for (yaml, expect) in cases {
        let path = dir.path().join("bad.yaml");
        std::fs::write(&path, yaml).unwrap();
        let out = doctor()
            .arg("--catalog")
            .arg(&path)
            .arg(KNOWN)
            .output()
            .unwrap();
        no_panic(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{yaml:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(err.lines().count(), 1, "one line: {err}");
        assert!(err.contains(expect), "expected {expect:?} in {err}");
        let out = doctor().arg("lint").arg(&path).output().unwrap();
        no_panic(&out.stderr);
        assert_eq!(out.status.code(), Some(2));
    }
}

/// A log full of credentials: none of them may come out, in any format.
#[test]
fn secrets_never_come_out() {
    let secrets = [
        "rt_0123456789abcdefSECRET",
        "ck_SESSIONSECRET4242",
        "hunter2PASSWORD",
        "sig_SIGNEDURLSECRET99",
        "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhZG1pbiJ9.JWTSECRETSIGNATURE",
        "BEARERSECRETTOKEN123",
    ];
    let log = format!(
        "ERRO[2024-01-02 15:04:05] failed init storage: failed to refresh token: The input parameter refresh_token is missing. body: {{\"refresh_token\":\"{}\"}}\n\
         ERRO[2024-01-02 15:04:06] failed get objs: failed to list objs: require login [guest] Cookie: __puus={}; ctoken=x\n\
         ERRO[2024-01-02 15:04:07] failed get objs: failed to list objs: Get \"https://admin:{}@dav.example.com/dav\": dial tcp 10.0.0.9:443: connect: connection refused\n\
         ERRO[2024-01-02 15:04:08] failed link: failed get link: Get \"https://cdn.example.com/f.mkv?sign={}&t=1\": net/http: TLS handshake timeout\n\
         ERRO[2024-01-02 15:04:09] token is expired {}\n\
         ERRO[2024-01-02 15:04:10] something new Authorization: Bearer {}\n",
        secrets[0], secrets[1], secrets[2], secrets[3], secrets[4], secrets[5]
    );
    for format in ["text", "json", "ndjson", "github", "sarif"] {
        let out = doctor()
            .args(["--format", format, "--color", "always"])
            .write_stdin(log.clone())
            .output()
            .unwrap();
        let s = String::from_utf8_lossy(&out.stdout);
        assert!(s.len() > 100, "{format}: {s}");
        for secret in secrets {
            assert!(!s.contains(secret), "{format} leaks {secret}:\n{s}");
        }
        assert!(s.contains("***"), "{format}: masked values are marked");
    }
    let out = doctor()
        .args(["--format", "json", "--no-redact"])
        .write_stdin(log)
        .output()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&out.stdout).contains(secrets[0]),
        "--no-redact shows them"
    );
}

/// Red-team H10: a multi-byte character inside a JSON `time` field crashed
/// the timestamp code, and with more input behind it hung the parallel
/// reader. Every input mode, both JSON envelopes, with lines after it.
#[test]
fn a_multibyte_time_field_neither_crashes_nor_hangs() {
    let heads = [
        r#"{"level":"error","msg":"failed to start: listen tcp 0.0.0.0:5244: bind: address already in use","time":"2025-03-14T09:26:5é1"}"#,
        r#"{"log":"ERRO[2025-03-14 09:26:51] failed to start: listen tcp 0.0.0.0:5244: bind: address already in use\n","stream":"stderr","time":"2025-03-14T09:26:5é1"}"#,
    ];
    for head in heads {
        let mut log = format!("{head}\n");
        for _ in 0..30_000 {
            log.push_str("ERRO[2025-03-14 09:26:51] failed frob\n");
        }
        let f = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(f.path(), &log).unwrap();
        let path = f.path().to_str().unwrap();
        let runs: [(&[&str], Option<&str>); 4] = [
            (&["--format", "json", "--file", path], None),
            (&["--format", "json"], Some(&log)),
            (&["--format", "json", "-j", "1"], Some(&log)),
            (&["--format", "json", "--", head], None),
        ];
        for (args, stdin) in runs {
            let mut c = doctor();
            c.args(args).timeout(std::time::Duration::from_secs(60));
            if let Some(s) = stdin {
                c.write_stdin(s.to_string());
            }
            let out = c.output().unwrap();
            no_panic(&out.stderr);
            assert_eq!(
                out.status.code(),
                Some(1),
                "{args:?}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            let v: Value = serde_json::from_slice(&out.stdout).unwrap();
            assert_eq!(ids(&v), ["port-in-use"], "{args:?}");
        }
    }
}
