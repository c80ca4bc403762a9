//! Reading real log shapes: every envelope and multi-line form, generated
//! logs with exact counts, carriers' prefixes, gzip, several files, ndjson,
//! --follow, the github format, statistics and time windows.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::loggen::{self, Format};
#[cfg(target_os = "linux")]
use crate::util::Running;
#[cfg(target_os = "linux")]
use crate::util::follow;
use crate::util::{append, doctor, ids, json};
use serde_json::Value;

fn fixture(name: &str) -> String {
    format!("{}/tests/fixtures/logs/{name}", env!("CARGO_MANIFEST_DIR"))
}

/// Expected findings of a fixture: (id, first line, count).
type Expected = &'static [(&'static str, u64, u64)];

/// (fixture, expected findings).
const FIXTURES: &[(&str, Expected)] = &[
    (
        "logrus-colour.log",
        &[("aliyundrive-open-too-many-requests", 2, 1)],
    ),
    (
        "logrus-lost-esc.log",
        &[("aliyundrive-open-too-many-requests", 2, 1)],
    ),
    (
        "logrus-plain.log",
        &[("aliyundrive-open-too-many-requests", 2, 1)],
    ),
    (
        "logrus-debug-caller.log",
        &[("aliyundrive-open-too-many-requests", 2, 1)],
    ),
    (
        "logfmt.log",
        &[("aliyundrive-open-too-many-requests", 2, 1)],
    ),
    (
        "logrus-json.log",
        &[("aliyundrive-open-too-many-requests", 2, 1)],
    ),
    (
        "docker-compose.log",
        &[("aliyundrive-open-too-many-requests", 2, 1)],
    ),
    (
        "docker-timestamps.log",
        &[("aliyundrive-open-too-many-requests", 2, 1)],
    ),
    (
        "docker-json-file.log",
        &[("aliyundrive-open-too-many-requests", 2, 1)],
    ),
    (
        "journald.log",
        &[("aliyundrive-open-too-many-requests", 2, 1)],
    ),
    (
        "journald-zh.log",
        &[("aliyundrive-open-too-many-requests", 2, 1)],
    ),
    (
        "openwrt-logread.log",
        &[("aliyundrive-open-too-many-requests", 2, 1)],
    ),
    (
        "windows-crlf.log",
        &[("aliyundrive-open-too-many-requests", 2, 1)],
    ),
    // Two %+v dumps of one failed listing: two events, frames never count.
    (
        "pkg-errors-dump.log",
        &[("aliyundrive-open-too-many-requests", 1, 2)],
    ),
    ("gin-recovery.log", &[("gin-panic-recovered", 3, 1)]),
    ("go-panic.log", &[("go-panic", 2, 1)]),
    (
        "stdlog-resty.log",
        &[
            ("network-no-such-host", 2, 1),
            ("https-server-tls-handshake-error", 1, 1),
        ],
    ),
    ("gin-access.log", &[]),
    ("startup-storage.log", &[("refresh-token-missing", 2, 1)]),
];

#[test]
fn every_envelope_and_multi_line_shape() {
    let mut failures = Vec::new();
    for (name, expected) in FIXTURES {
        let (_, v) = json(&["--file", &fixture(name)], None);
        let got: Vec<(String, u64, u64)> = v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                (
                    f["id"].as_str().unwrap().to_string(),
                    f["first_line"].as_u64().unwrap(),
                    f["count"].as_u64().unwrap(),
                )
            })
            .collect();
        let want: Vec<(String, u64, u64)> = expected
            .iter()
            .map(|(i, l, c)| (i.to_string(), *l, *c))
            .collect();
        let empty = v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["matched"] == "");
        if got != want || empty || !v["unknown"].as_array().unwrap().is_empty() {
            failures.push(format!("{name}: got {got:?}, unknown {}", v["unknown"]));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn context_names_mount_and_driver() {
    let (_, v) = json(&["--file", &fixture("startup-storage.log")], None);
    let c = &v["findings"][0]["context"];
    assert_eq!(c["action"], "loading storages at start-up");
    assert_eq!(c["mount_path"], "/ali");
    assert_eq!(c["driver"], "AliyundriveOpen");
    let text = doctor()
        .args(["--file", &fixture("startup-storage.log")])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(
        text.contains("mount /ali") && text.contains("driver AliyundriveOpen"),
        "{text}"
    );
}

/// Generates a log (see `loggen`) into `dir`; returns (path, truth: line
/// -> id).
fn generate(
    dir: &Path,
    size: usize,
    seed: u64,
    format: Format,
) -> (PathBuf, BTreeMap<u64, String>) {
    let log = loggen::generate(size, seed, format, 0.01);
    let path = dir.join(format!("gen-{seed}-{}.log", format.name()));
    std::fs::write(&path, &log.text).unwrap();
    (path, log.truth)
}

/// Every occurrence as (line, id) from the ndjson stream.
fn occurrences(args: &[&str], stdin: Option<Vec<u8>>) -> (BTreeMap<u64, String>, usize) {
    let mut c = doctor();
    c.args(["--format", "ndjson"]).args(args);
    if let Some(s) = stdin {
        c.write_stdin(s);
    }
    let out = c.output().unwrap();
    let mut found = BTreeMap::new();
    let mut unknown = 0;
    for l in String::from_utf8_lossy(&out.stdout).lines() {
        let v: Value = serde_json::from_str(l).expect("every ndjson line is JSON");
        match v["type"].as_str() {
            Some("finding") => {
                found.insert(
                    v["line"].as_u64().unwrap(),
                    v["id"].as_str().unwrap().to_string(),
                );
            }
            Some("unknown") => unknown += 1,
            _ => {}
        }
    }
    (found, unknown)
}

#[test]
fn generated_logs_give_exactly_the_generator_counts() {
    let dir = tempfile::tempdir().unwrap();
    for (seed, format) in [1, 2, 3, 4].into_iter().zip(loggen::FORMATS) {
        let (log, truth) = generate(dir.path(), 3 << 20, seed, format);
        let (found, unknown) = occurrences(&["--file", log.to_str().unwrap()], None);
        let diff = crate::util::differences(&truth, &found, |n, want, got| {
            format!("line {n}: expected {want:?}, got {got:?}")
        });
        assert!(
            diff.is_empty(),
            "seed {seed} {format:?}:\n{}",
            diff.join("\n")
        );
        assert_eq!(
            unknown, 0,
            "seed {seed} {format:?}: no unknown errors in a generated log"
        );
    }
}

#[test]
fn carriers_prefixes_give_the_same_findings() {
    let dir = tempfile::tempdir().unwrap();
    let (log, truth) = generate(dir.path(), 1 << 20, 5, Format::Color);
    let text = std::fs::read_to_string(&log).unwrap();
    let prefixed = |prefix: &str| -> Vec<u8> {
        text.lines()
            .map(|l| format!("{prefix}{l}\n"))
            .collect::<String>()
            .into_bytes()
    };
    for (name, input) in [
        ("compose", prefixed("alist-1  | ")),
        ("journald", prefixed("Mar 14 09:27:10 nas alist[2993]: ")),
        ("docker -t", prefixed("2024-03-14T01:27:10.123456789Z ")),
        ("crlf", text.replace('\n', "\r\n").into_bytes()),
    ] {
        let (found, unknown) = occurrences(&[], Some(input));
        assert_eq!(found, truth, "{name}");
        assert_eq!(unknown, 0, "{name}");
    }
}

#[test]
fn gzip_and_several_files() {
    let dir = tempfile::tempdir().unwrap();
    let gz = dir.path().join("log-2024-03-14T01-26-50.123.log.gz");
    let mut enc = flate2::write::GzEncoder::new(
        std::fs::File::create(&gz).unwrap(),
        flate2::Compression::default(),
    );
    enc.write_all(&std::fs::read(fixture("logrus-plain.log")).unwrap())
        .unwrap();
    enc.finish().unwrap();
    let (code, v) = json(
        &[
            "--file",
            gz.to_str().unwrap(),
            "--file",
            &fixture("go-panic.log"),
        ],
        None,
    );
    assert_eq!(code, 1);
    let f: Vec<(String, String, u64)> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["id"].as_str().unwrap().into(),
                f["source"].as_str().unwrap().into(),
                f["first_line"].as_u64().unwrap(),
            )
        })
        .collect();
    assert!(
        f.contains(&(
            "aliyundrive-open-too-many-requests".into(),
            gz.to_str().unwrap().into(),
            2
        )),
        "{f:?}"
    );
    assert!(
        f.contains(&("go-panic".into(), fixture("go-panic.log"), 2)),
        "{f:?}"
    );
    assert_eq!(v["summary"]["inputs"], 2);
    // gzip on standard input too.
    let (_, v) = json(&[], None);
    assert!(ids(&v).is_empty());
    let out = doctor()
        .args(["--format", "json"])
        .write_stdin(std::fs::read(&gz).unwrap())
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(ids(&v), ["aliyundrive-open-too-many-requests"]);
}

#[test]
fn ndjson_is_one_object_per_line_with_a_summary_last() {
    let out = doctor()
        .args([
            "--format",
            "ndjson",
            "--file",
            &fixture("pkg-errors-dump.log"),
            "--file",
            &fixture("go-panic.log"),
        ])
        .output()
        .unwrap();
    let lines: Vec<Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("valid JSON line"))
        .collect();
    let types: Vec<&str> = lines.iter().map(|v| v["type"].as_str().unwrap()).collect();
    assert_eq!(types, ["finding", "finding", "finding", "summary"]);
    assert_eq!(lines[0]["new"], true);
    assert_eq!(lines[1]["new"], false);
    assert_eq!(lines[1]["line"], 9);
    assert_eq!(lines[3]["occurrences"], 3);
    assert!(lines.iter().all(|v| v["version"] == 1));
}

#[test]
fn statistics_in_text_and_json() {
    let out = doctor()
        .args(["--statistics", "--file", &fixture("pkg-errors-dump.log")])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("2  warning  aliyundrive-open-too-many-requests"),
        "{text}"
    );
    assert!(!text.contains("cause"), "{text}");
    let (_, v) = json(
        &["--statistics", "--file", &fixture("pkg-errors-dump.log")],
        None,
    );
    assert_eq!(
        v["statistics"][0]["id"],
        "aliyundrive-open-too-many-requests"
    );
    assert_eq!(v["statistics"][0]["count"], 2);
}

#[test]
fn time_window() {
    let log = "ERRO[2024-01-01 10:00:00] failed get objs: failed to list objs: TooManyRequests:Too Many Requests\n\
               ERRO[2024-01-02 10:00:00] failed to start http: listen tcp :5244: bind: address already in use\n\
               ERRO[2024-01-03 10:00:00] failed get objs: failed to list objs: NotFound.FileId:The resource file_id cannot be found. file_id:634e704cefa78f92fefd4c779f7422d820082d041\n";
    let (_, v) = json(
        &[
            "--since",
            "2024-01-02",
            "--until",
            "2024-01-02T23:59:59+08:00",
        ],
        Some(log),
    );
    assert_eq!(ids(&v), ["port-in-use"]);
    assert_eq!(v["summary"]["outside_window"], 2);
    doctor()
        .args(["--since", "yesterday"])
        .write_stdin(log)
        .assert()
        .code(2)
        .stderr(predicates::str::contains("'yesterday' is not a time"));
}

#[test]
fn github_format_and_step_summary() {
    let dir = tempfile::tempdir().unwrap();
    let summary = dir.path().join("summary.md");
    let out = doctor()
        .env("GITHUB_STEP_SUMMARY", &summary)
        .args([
            "--format",
            "github",
            "--file",
            &fixture("startup-storage.log"),
        ])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    let first = text.lines().next().unwrap();
    assert!(first.starts_with("::error file="), "{first}");
    assert!(first.contains(",line=2,title="), "{first}");
    assert!(first.contains("[refresh-token-missing]"), "{first}");
    assert!(!first.contains('\n'));
    let md = std::fs::read_to_string(&summary).unwrap();
    assert!(
        md.contains("| error |") && md.contains("`refresh-token-missing`"),
        "{md}"
    );

    // An unknown error is a warning in both places.
    let summary = dir.path().join("unknown.md");
    let out = doctor()
        .env("GITHUB_STEP_SUMMARY", &summary)
        .args(["--format", "github"])
        .write_stdin("ERRO[2024-01-01 10:00:00] failed frobnicate /a: code 17\n")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.starts_with("::warning "), "{text}");
    let md = std::fs::read_to_string(&summary).unwrap();
    assert!(
        md.contains("| warning | unknown error: failed frobnicate"),
        "{md}"
    );
}

#[test]
fn unknown_errors_are_grouped_and_explained() {
    let log = "ERRO[2024-01-01 10:00:00] failed frobnicate /ali/a.mkv: code 17\n\
               ERRO[2024-01-01 10:00:01] failed frobnicate /ali/b/c.mkv: code 18\n\
               WARN[2024-01-01 10:00:02] something odd but only a warning\n\
               INFO[2024-01-01 10:00:03] failed but only info\n";
    let (code, v) = json(&[], Some(log));
    assert_eq!(code, 0);
    let u = &v["unknown"];
    assert_eq!(u.as_array().unwrap().len(), 1, "{u}");
    assert_eq!(u[0]["template"], "failed frobnicate <path>: code <n>");
    assert_eq!(u[0]["count"], 2);
    assert_eq!(u[0]["level"], "error");
    assert_eq!(u[0]["first_line"], 1);
    let out = doctor().write_stdin(log).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("Unknown errors (the catalog does not know these yet"),
        "{text}"
    );
    assert!(
        text.contains("failed frobnicate <path>: code <n>"),
        "{text}"
    );
}

#[test]
fn no_progress_bar_when_stderr_is_not_a_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let (log, _) = generate(dir.path(), 9 << 20, 6, Format::Color);
    let out = doctor()
        .args(["--statistics", "--file", log.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// `--follow` reads what is appended, then the new file after lumberjack's
/// rotation (rename, then a new file at the same path); Ctrl-C ends it
/// with exit 130 and a summary of both problems.
#[cfg(target_os = "linux")]
#[test]
fn follow_a_growing_and_rotated_file_then_ctrl_c() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("log.log");
    std::fs::write(
        &log,
        "INFO[2024-01-02 15:04:05] start HTTP server @ 0.0.0.0:5244\n",
    )
    .unwrap();
    let mut run = follow(&log);
    append(
        &log,
        "ERRO[2024-01-02 15:04:06] failed get objs: failed to list objs: TooManyRequests:Too Many Requests\n",
    );
    let first = run.wait_for_finding("aliyundrive-open-too-many-requests");
    assert_eq!(first["line"], 2);
    // lumberjack's rotation: rename, then a new file at the same path.
    std::fs::rename(&log, dir.path().join("log-2024-01-02T15-04-07.000.log")).unwrap();
    append(
        &log,
        "FATA[2024-01-02 15:04:07] failed to start http: listen tcp :5244: bind: address already in use\n",
    );
    let second = run.wait_for_finding("port-in-use");
    assert_eq!(second["line"], 1, "the new file's lines count from 1");
    let done = run.interrupt("--follow after Ctrl-C");
    done.no_panic();
    assert_eq!(done.code, Some(130), "{done:?}");
    let summary = done.ndjson().pop().unwrap();
    assert_eq!(summary["type"], "summary");
    assert_eq!(summary["findings"], 2, "{summary}");
    assert_eq!(summary["occurrences"], 2, "{summary}");
}

/// Red-team H14: logrotate's copytruncate empties the file in place, and
/// the server writes more than was read before the reader looks again.
/// The size never drops below the offset and the inode stays, so the new
/// lines before the old offset were never read. Both problems, the one
/// before and the one after the truncation, are found.
#[cfg(target_os = "linux")]
#[test]
fn follow_a_file_truncated_and_regrown_between_polls() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("log.log");
    std::fs::write(&log, "").unwrap();
    let mut run = follow(&log);
    append(
        &log,
        "ERRO[2024-01-02 15:04:06] failed get objs: failed to list objs: TooManyRequests:Too Many Requests\n",
    );
    run.wait_for_finding("aliyundrive-open-too-many-requests");
    // Truncate and write past the old size at once: no poll can fall
    // between the two (they are microseconds apart, the polls 100 ms).
    let regrown = format!(
        "INFO[2024-01-02 15:05:00] {}\nFATA[2024-01-02 15:05:01] failed to start http: listen tcp :5244: bind: address already in use\n",
        "x".repeat(200)
    );
    std::fs::write(&log, regrown).unwrap();
    let port = run.wait_for_finding("port-in-use");
    assert_eq!(port["line"], 2, "the rewritten file is read from its start");
    let done = run.interrupt("--follow after Ctrl-C");
    done.no_panic();
    assert_eq!(done.code, Some(130), "{done:?}");
    let summary = done.ndjson().pop().unwrap();
    assert_eq!(summary["findings"], 2, "{summary}");
}

/// Runs `--format json` on a standard input that stays open, writes
/// `first` into it, waits until the tool has read it all, then presses
/// Ctrl-C; returns the exit code and the report. Fails if the tool has not
/// ended `DEADLINE` after Ctrl-C.
#[cfg(target_os = "linux")]
fn ctrl_c_on_open_stdin(first: &[u8], extra: &[&str]) -> (Option<i32>, serde_json::Value) {
    let mut c = crate::util::doctor_std();
    c.args(["--format", "json"])
        .args(extra)
        .stdin(std::process::Stdio::piped());
    let mut run = Running::spawn(c);
    let mut stdin = run.child.stdin.take().unwrap();
    stdin.write_all(first).unwrap();
    stdin.flush().unwrap();
    crate::util::wait_until_read(&stdin);
    let done = run.interrupt("a quiet standard input after Ctrl-C");
    drop(stdin);
    done.no_panic();
    (done.code, done.json())
}

/// Ctrl-C before standard input has sent anything (it stays open): the
/// tool ends at once with exit 130 and an empty report, instead of waiting
/// for a first byte that never comes.
#[cfg(target_os = "linux")]
#[test]
fn ctrl_c_before_any_input_ends_at_once() {
    let (code, v) = ctrl_c_on_open_stdin(b"", &[]);
    assert_eq!(code, Some(130));
    assert_eq!(v["findings"].as_array().map(Vec::len), Some(0), "{v}");
}

/// Ctrl-C while standard input stays open and quiet: what was read is
/// reported, exit 130, instead of waiting for input that never comes.
#[cfg(target_os = "linux")]
#[test]
fn ctrl_c_on_a_quiet_pipe_reports_what_was_read() {
    // One reading thread or several: a line read is a line reported.
    for threads in ["1", "2"] {
        let (code, v) = ctrl_c_on_open_stdin(
            b"FATA[2024-01-02 15:04:07] failed to start http: listen tcp :5244: bind: address already in use\n",
            &["--threads", threads],
        );
        assert_eq!(code, Some(130), "--threads {threads}");
        assert!(
            v["findings"].to_string().contains("port-in-use"),
            "--threads {threads}: {v}"
        );
    }
}

/// One problem with many values (three ports) is one block in text, its
/// other values listed under it; JSON keeps one finding per value.
#[test]
fn variants_of_one_problem_are_one_text_block() {
    let log: String = (5244..5247)
        .map(|p| {
            format!("ERRO[2024-01-01 10:00:00] failed to start: listen tcp 0.0.0.0:{p}: bind: address already in use\n")
        })
        .collect();
    let out = doctor().write_stdin(log.clone()).output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(text.matches("error[port-in-use]").count(), 1, "{text}");
    assert!(
        text.contains("also with other values (2): port 5245 (<stdin>:2); port 5246 (<stdin>:3)"),
        "{text}"
    );
    assert_eq!(text.matches("cause:").count(), 1);
    let (_, v) = json(&[], Some(&log));
    assert_eq!(ids(&v), ["port-in-use", "port-in-use", "port-in-use"]);
}
