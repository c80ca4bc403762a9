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

const PORT: &str = "ERRO[2025-03-14 09:26:51] failed to start: listen tcp 0.0.0.0:5244: bind: address already in use";

/// One user catalog entry, in YAML.
fn entry(id: &str, pattern: &str, extra: &str) -> String {
    format!(
        "- id: {id}\n  title: t\n  severity: error\n  patterns: ['{pattern}']\n  cause: c\n  fix: [f]\n{extra}"
    )
}

/// Runs with `args` plus `--catalog path` and one known message; returns
/// (exit code, stderr), after checking that it did not panic.
fn with_catalog(path: &std::path::Path, extra: &[&str]) -> (Option<i32>, String) {
    let out = doctor()
        .arg("--catalog")
        .arg(path)
        .args(extra)
        .arg(PORT)
        .timeout(std::time::Duration::from_secs(60))
        .output()
        .unwrap();
    no_panic(&out.stderr);
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Red-team H27, H28: a user catalog is refused, in one line naming it,
/// when the file is over 16 MiB or once read (aliases replayed) would hold
/// more than 64 MiB of text or millions of values. Small files show each
/// (the benchmark of the report's 1.7 MB file is in the commit message).
#[test]
fn user_catalogs_are_bounded() {
    let dir = tempfile::tempdir().unwrap();
    let mut cases: Vec<(&str, String, &str)> = Vec::new();
    // 16 MiB and one byte of comment.
    let mut big = "#".repeat(16 << 20);
    big.push('\n');
    cases.push(("big.yaml", big, "larger than 16 MiB"));
    // 700 uses of a 100 KB list: 70 MB of text.
    let list = format!(
        "[{}]",
        vec![format!("'{}'", "x".repeat(100)); 1000].join(",")
    );
    let mut text = entry("a-0", "failed frob", &format!("  examples: &big {list}\n"));
    for i in 1..700 {
        text.push_str(&entry(
            &format!("a-{i}"),
            "failed frob",
            "  examples: *big\n",
        ));
    }
    cases.push((
        "text.yaml",
        text,
        "more than 64 MiB of text once its YAML aliases",
    ));
    // 201 uses of 10,000 short strings: two million values.
    let list = format!("[{}]", vec!["'x'"; 10_000].join(","));
    let mut text = entry("b-0", "failed frob", &format!("  examples: &big {list}\n"));
    for i in 1..201 {
        text.push_str(&entry(
            &format!("b-{i}"),
            "failed frob",
            "  examples: *big\n",
        ));
    }
    cases.push(("values.yaml", text, "million values once its YAML aliases"));
    for (name, text, expect) in cases {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        let (code, err) = with_catalog(&path, &[]);
        assert_eq!(code, Some(2), "{name}: {err}");
        assert_eq!(err.lines().count(), 1, "{name}: one line: {err}");
        assert!(
            err.contains(&format!("{}: ", path.display())) && err.contains(expect),
            "{name}: {err}"
        );
        let out = doctor().arg("lint").arg(&path).output().unwrap();
        no_panic(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "lint {name}");
        let said = [out.stdout, out.stderr].concat();
        assert!(
            String::from_utf8_lossy(&said).contains(expect),
            "lint {name}"
        );
    }
}

/// Red-team H23: a pattern that matches the empty string matches every
/// message; with `benign: true` it silenced every problem of a log. It is
/// refused at load and by lint, as an error.
#[test]
fn patterns_that_match_the_empty_string_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    for pattern in ["", "x*", "^", "(?:)", "(?m)^$"] {
        let path = dir.path().join("empty.yaml");
        std::fs::write(&path, entry("catch-all", pattern, "  benign: true\n")).unwrap();
        let (code, err) = with_catalog(&path, &["--fail-on", "error"]);
        assert_eq!(code, Some(2), "{pattern:?}: {err}");
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(
            err.contains("entry 'catch-all', field 'patterns[0]': matches the empty string"),
            "{pattern:?}: {err}"
        );
        let out = doctor().arg("lint").arg(&path).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{pattern:?}");
        let report = String::from_utf8_lossy(&out.stdout);
        assert!(
            report
                .lines()
                .any(|l| l.contains(": error: ") && l.contains("matches the empty string")),
            "{pattern:?}: {report}"
        );
    }
}

/// `benign` silences the event it matched and no other: what else the log
/// holds is still found, and `--fail-on error` still fails.
#[test]
fn a_benign_entry_silences_only_its_own_events() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("benign.yaml");
    std::fs::write(&path, entry("frob-is-fine", "frob", "  benign: true\n")).unwrap();
    let log = format!(
        "ERRO[2025-03-14 09:26:50] failed frob\n{PORT}\nERRO[2025-03-14 09:26:52] failed frob again\n{KNOWN}\n"
    );
    let out = doctor()
        .arg("--catalog")
        .arg(&path)
        .args(["--format", "json", "--fail-on", "error"])
        .write_stdin(log)
        .output()
        .unwrap();
    no_panic(&out.stderr);
    assert_eq!(out.status.code(), Some(1));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        ids(&v),
        ["port-in-use", "aliyundrive-open-too-many-requests"]
    );
    assert_eq!(v["summary"]["benign"], 2);
}

/// A refused file in catalog.d (read on every run) is skipped with one
/// warning, and the run goes on with the other files; named with
/// `ALIST_DOCTOR_CATALOG` the same file ends the run.
#[test]
fn a_refused_config_directory_catalog_is_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let cat_d = dir.path().join("alist-doctor").join("catalog.d");
    std::fs::create_dir_all(&cat_d).unwrap();
    let bad = cat_d.join("a-bad.yaml");
    std::fs::write(&bad, entry("catch-all", "(?:)", "  benign: true\n")).unwrap();
    std::fs::write(
        cat_d.join("b-good.yaml"),
        entry("frob-failed", "failed frob", ""),
    )
    .unwrap();
    let out = doctor()
        .env("XDG_CONFIG_HOME", dir.path())
        .args(["--format", "json", "--fail-on", "error"])
        .write_stdin(format!("{PORT}\nERRO[2025-03-14 09:26:52] failed frob\n"))
        .output()
        .unwrap();
    no_panic(&out.stderr);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.starts_with(&format!("alist-doctor: warning: {}:1:", bad.display()))
            && err.contains("matches the empty string")
            && err.trim_end().ends_with("this catalog file is skipped"),
        "{err}"
    );
    assert_eq!(out.status.code(), Some(1));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(ids(&v), ["port-in-use", "frob-failed"]);
    let out = doctor()
        .env("ALIST_DOCTOR_CATALOG", &bad)
        .arg(PORT)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(String::from_utf8_lossy(&out.stderr).lines().count(), 1);
}

/// Red-team H25: two entries with one id in one file; the first used to
/// be dropped silently. Now an error naming both lines.
#[test]
fn duplicate_ids_in_one_file_are_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("dup.yaml");
    let text = format!(
        "{}{}",
        entry("frob-failed", "failed frob", ""),
        entry("frob-failed", "frob failed", "")
    );
    std::fs::write(&path, text).unwrap();
    let (code, err) = with_catalog(&path, &[]);
    assert_eq!(code, Some(2));
    let p = path.display();
    assert_eq!(
        err.trim_end(),
        format!(
            "alist-doctor: error: {p}:7: entry 'frob-failed', field 'id': duplicate id, first defined at {p}:1"
        )
    );
}

/// Red-team H22: `(?:\w{100}){100}` has no literal, so it runs on every
/// error line, and it is too big for its search cache: 0.5 s a 64 KiB
/// line. Refused at load and by lint, like a pattern over the size limit.
#[test]
fn a_pattern_too_big_to_search_quickly_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("slow.yaml");
    std::fs::write(&path, entry("slow", r"(?:\w{100}){100}", "")).unwrap();
    let (code, err) = with_catalog(&path, &[]);
    assert_eq!(code, Some(2));
    assert!(
        err.contains("entry 'slow', field 'patterns[0]': regex is too big"),
        "{err}"
    );
    let out = doctor().arg("lint").arg(&path).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stdout)
            .contains(": error: entry 'slow', field 'patterns[0]': regex is too big")
    );
}

/// Red-team H35: logrus's `WithError` in logfmt puts the error in an
/// `error="…"` field, which was dropped: the line was an unknown error
/// and the port conflict was lost. It is part of the message, as in the
/// JSON form; so is an `err=` field.
#[test]
fn a_logfmt_error_field_is_part_of_the_message() {
    for field in ["error", "err"] {
        let line = format!(
            r#"time="2025-03-14T09:26:51+08:00" level=error msg="failed to start" {field}="listen tcp 0.0.0.0:5244: bind: address already in use""#
        );
        let (code, v) = json(&[], Some(&format!("{line}\n")));
        assert_eq!(code, 1, "{field}");
        assert_eq!(ids(&v), ["port-in-use"], "{field}");
        assert_eq!(v["summary"]["unknown"], 0);
    }
}

/// Terminal controls an attacker would send: OSC 52 (clipboard), OSC 0
/// (window title), RIS (reset), CSI 2J (clear), DA2 and XTGETTCAP queries
/// (the terminal types its answer into the shell), C1 CSI/OSC, and the
/// bidi override U+202E.
const ESCAPES: &str = "\u{1b}]52;c;aGk=\u{7}\u{1b}]0;pwned\u{7}\u{1b}c\u{1b}[2J\u{1b}[>c\u{1b}P+q544e\u{1b}\\\u{9b}6n\u{9d}0;x\u{7}\u{202e}";

/// Whether `out` holds a control that came from the input: ESC other than
/// the tool's own colours (`ESC[…m`, when `colours`), BEL, any C1 control,
/// or a bidi override.
fn foreign_controls(out: &[u8], colours: bool) -> Vec<String> {
    let text = String::from_utf8_lossy(out);
    let sgr = regex::Regex::new("\u{1b}\\[[0-9;]*m").unwrap();
    let text = if colours {
        sgr.replace_all(&text, "").into_owned()
    } else {
        text.into_owned()
    };
    text.lines()
        .filter(|l| {
            l.chars().any(|c| {
                matches!(c, '\u{1b}' | '\u{7}' | '\u{80}'..='\u{9f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
            })
        })
        .map(|l| format!("{l:?}"))
        .collect()
}

/// Red-team item 2: nothing printed in text mode that came from the input
/// carries a terminal control, through any field: the timestamp of every
/// envelope, the file name, captures and titles filled from them, the
/// context, samples, unknown-error templates, `--follow`, `--statistics`
/// and `check`; with `--color always` only the tool's own SGR sequences.
#[test]
fn no_terminal_control_from_the_input_reaches_the_terminal() {
    let e = ESCAPES;
    let json_e = serde_json::to_string(e).unwrap();
    let json_e = json_e.trim_matches('"');
    let port = format!("failed to start: listen tcp 0.0.0.0{e}:5244: bind: address already in use");
    let lines = [
        // Every envelope, its timestamp holding the controls.
        format!("ERRO[2025-03-14 09:26:51{e}] {port}"),
        format!("ERRO[{e}] {port}"),
        format!(r#"time="2025-03-14T09:26:51{e}" level=error msg="{port}""#),
        format!(r#"time="{e}" level=error msg="failed get objs: {e}" error="{e}""#),
        format!(
            r#"{{"level":"error","msg":"{}","time":"2025-03-14T{json_e}"}}"#,
            port.replace(e, json_e)
        ),
        format!(
            r#"{{"log":"ERRO[2025-03-14 09:26:51] failed get objs: failed to list objs: TooManyRequests:Too Many Requests {json_e}\n","stream":"stderr","time":"2025-03-14T09:2{json_e}"}}"#
        ),
        format!("2025-03-14T09:26:5{e} ERRO[2025-03-14 09:26:51] {port}"),
        format!("alist-1  | ERRO[2025-03-14 09:26:51{e}] {port}"),
        format!("[GIN] 2025/03/14 - 09:26:5{e} | 500 | 1ms | 1.2.3.4 | GET \"/{e}\""),
        format!("2025/03/14 09:26:51{e} [Recovery] 2025/03/14 - 09:26:51 panic recovered: {e}"),
        format!("2025/03/14 09:26:51 {e} http: TLS handshake error from 1.2.3.4:5: EOF {e}"),
        // Captures, the title and context filled from them.
        format!(
            "ERRO[2025-03-14 09:26:52] failed init storage: storage [/mnt{e}] driver [Local{e}]: failed get objs: {e}"
        ),
        format!("ERRO[2025-03-14 09:26:53] failed list /quark{e}: require login [guest]{e}"),
        // An unknown error: its template and sample.
        format!("ERRO[2025-03-14 09:26:54] something new {e} happened at /x{e}"),
        format!("panic: {e}\n\ngoroutine 1 [running]:\nmain.main{e}()\n\t/src/main.go:1 +0x1"),
    ];
    let log = lines.join("\n") + "\n";
    let dir = tempfile::tempdir().unwrap();
    // The file name is the source shown.
    let path = dir.path().join(format!("alist{e}.log"));
    std::fs::write(&path, &log).unwrap();
    let path_s = path.to_str().unwrap();
    let runs: Vec<Vec<&str>> = vec![
        vec!["--file", path_s],
        vec!["--lang", "zh", "--file", path_s],
        vec!["--statistics", "--file", path_s],
        vec!["--", &port],
    ];
    for colours in [false, true] {
        for args in &runs {
            let mut c = doctor();
            if colours {
                c.args(["--color", "always"]);
            }
            let out = c.args(args).output().unwrap();
            no_panic(&out.stderr);
            let shown = String::from_utf8_lossy(&out.stdout);
            assert!(shown.len() > 50, "{args:?}: {shown}");
            if !args.contains(&"--statistics") {
                assert!(shown.contains("port-in-use"), "{args:?}: {shown}");
            }
            assert_eq!(
                foreign_controls(&out.stdout, colours),
                Vec::<String>::new(),
                "{args:?} colours {colours}"
            );
            assert_eq!(
                foreign_controls(&out.stderr, false),
                Vec::<String>::new(),
                "stderr {args:?}"
            );
        }
    }
    // From standard input, as pasted.
    let out = doctor().write_stdin(log.clone()).output().unwrap();
    assert_eq!(foreign_controls(&out.stdout, false), Vec::<String>::new());
    // A user catalog's own text (title, fix, docs) is printed the same way.
    let cat = dir.path().join("cat.yaml");
    std::fs::write(
        &cat,
        format!(
            "- id: frob-failed\n  title: \"frob {e} {{what}}\"\n  severity: error\n  patterns: ['failed frob (?P<what>.*)']\n  cause: \"{e}\"\n  fix: [\"{e}\"]\n  docs: [\"https://x.example/{e}\"]\n"
        )
        .replace('\\', "\\\\")
        .replace('\u{1b}', "\\e")
        .replace('\u{7}', "\\a")
        .replace('\u{9b}', "\\x9b")
        .replace('\u{9d}', "\\x9d"),
    )
    .unwrap();
    let out = doctor()
        .arg("--catalog")
        .arg(&cat)
        .arg(format!("failed frob {e}"))
        .output()
        .unwrap();
    let shown = String::from_utf8_lossy(&out.stdout);
    assert!(
        shown.contains("frob-failed"),
        "{shown}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(foreign_controls(&out.stdout, false), Vec::<String>::new());
    // `check` on a data directory whose files say anything.
    let data = dir.path().join(format!("data{e}"));
    std::fs::create_dir_all(data.join("log")).unwrap();
    std::fs::write(
        data.join("config.json"),
        serde_json::json!({
            "last_launched_version": format!("v3.40.0{e}"),
            "database": {"type": format!("sqlite3{e}"), "db_file": format!("data/data{e}.db")},
            "log": {"enable": true, "name": format!("data/log/{e}.log")},
            "temp_dir": format!("data/temp{e}"),
            "scheme": {"http_port": 5244},
        })
        .to_string(),
    )
    .unwrap();
    std::fs::write(data.join("log").join("log.log"), &log).unwrap();
    let out = doctor().arg("check").arg(&data).output().unwrap();
    no_panic(&out.stderr);
    let shown = String::from_utf8_lossy(&out.stdout);
    assert!(shown.len() > 50, "{shown}");
    assert_eq!(
        foreign_controls(&out.stdout, false),
        Vec::<String>::new(),
        "check"
    );
    assert_eq!(
        foreign_controls(&out.stderr, false),
        Vec::<String>::new(),
        "check stderr"
    );
}

/// `--follow` prints each problem as it first occurs: through the same
/// neutraliser.
#[cfg(target_os = "linux")]
#[test]
fn no_terminal_control_reaches_the_terminal_while_following() {
    let e = ESCAPES;
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join(format!("f{e}.log"));
    std::fs::write(&log, "").unwrap();
    let mut c = crate::util::doctor_std();
    c.args(["--color", "always", "--follow"]).arg(&log);
    let mut run = crate::util::Running::spawn(c);
    let mut f = std::fs::OpenOptions::new().append(true).open(&log).unwrap();
    write!(
        f,
        "time=\"2025-03-14T09:26:51{e}\" level=error msg=\"failed to start: listen tcp 0.0.0.0:5244: bind: address already in use {e}\"\nERRO[{e}] odd {e} thing\n"
    )
    .unwrap();
    drop(f);
    // The problem's block is printed as it occurs (the controls are in
    // the timestamp and after the message, which is still recognised):
    // wait for its head.
    run.wait_for("the live port-in-use block", |l| l.contains("port-in-use"));
    let done = run.interrupt("--follow after Ctrl-C");
    done.no_panic();
    let shown = done.stdout.join("\n");
    assert_eq!(done.code, Some(130), "{shown}");
    assert!(shown.contains("port-in-use"), "{shown}");
    assert_eq!(
        foreign_controls(shown.as_bytes(), true),
        Vec::<String>::new()
    );
    assert_eq!(
        foreign_controls(done.stderr.as_bytes(), false),
        Vec::<String>::new()
    );
}

/// A line behind more than 64 KiB of NULs (space a crashed writer left
/// preallocated) keeps its text: the NULs are dropped before the line is
/// cut to length, so its finding is not lost (found by the red-team tests).
#[test]
fn a_line_behind_a_long_run_of_nuls_keeps_its_finding() {
    let mut log = b"INFO[2024-01-02 15:04:05] start HTTP server @ 0.0.0.0:5244\n".to_vec();
    log.extend(std::iter::repeat_n(0u8, 70_000));
    log.extend_from_slice(
        b"FATA[2024-01-02 15:04:07] failed to start http: listen tcp :5244: bind: address already in use\n",
    );
    for threads in ["1", "2"] {
        let out = doctor()
            .args(["--format", "json", "--threads", threads])
            .write_stdin(log.clone())
            .output()
            .unwrap();
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert!(v["findings"].to_string().contains("port-in-use"), "{v}");
        assert_eq!(v["summary"]["cut_lines"], 0, "{v}");
    }
}
