//! The red-team report's hostile inputs (shared/reference/redteam.md,
//! "Part 2: hostile input", rows H1–H37): for every row, the test that
//! shows its promise holds now (no panic, no hang, no lost finding, no
//! escape, bounded). `ROWS` names it, here or in the module that already
//! had it; `every_part_2_row_has_a_test` checks that each named test
//! exists. Inputs are scaled down to run in a debug build in a second or
//! two and built in memory or a temporary directory; speed is measured by
//! scripts/bench.sh, never here.

use std::io::Write;
use std::path::Path;
use std::process::Command as Std;

use crate::util::{append, doctor, doctor_std, follow, ids, json};
use serde_json::Value;

/// Every row of Part 2 and the tests that prove its promise, as
/// "module::function". Several rows can share a test; a row can need
/// more than one.
pub const ROWS: &[(&str, &[&str])] = &[
    ("H1", &["redteam::h01_gzip_bomb_then_an_error"]),
    ("H2", &["redteam::h02_newline_bomb_then_an_error"]),
    (
        "H3",
        &["encodings::every_encoding_and_line_end_reads_the_same"],
    ),
    (
        "H4",
        &["encodings::every_encoding_and_line_end_reads_the_same"],
    ),
    (
        "H5",
        &["redteam::h05_a_huge_line_keeps_the_findings_around_it"],
    ),
    ("H6", &["hostile::tables_have_caps_and_say_so"]),
    ("H7", &["hostile::tables_have_caps_and_say_so"]),
    ("H8", &["redteam::h08_catalog_examples_with_random_tails"]),
    ("H9", &["redteam::h09_deeply_nested_envelopes"]),
    (
        "H10",
        &[
            "hostile::a_multibyte_time_field_neither_crashes_nor_hangs",
            "properties::any_time_field_is_checked",
        ],
    ),
    (
        "H11",
        &["hostile::no_terminal_control_from_the_input_reaches_the_terminal"],
    ),
    (
        "H12",
        &[
            "hostile::no_terminal_control_from_the_input_reaches_the_terminal",
            "hostile::no_terminal_control_reaches_the_terminal_while_following",
        ],
    ),
    ("H13", &["redteam::h13_follow_a_truncated_file"]),
    (
        "H14",
        &["logs::follow_a_file_truncated_and_regrown_between_polls"],
    ),
    (
        "H15",
        &[
            "redteam::h15_follow_a_deleted_then_recreated_file",
            "logs::follow_a_growing_and_rotated_file_then_ctrl_c",
        ],
    ),
    (
        "H16",
        &["redteam::h16_follow_a_file_replaced_by_a_directory_or_a_fifo"],
    ),
    (
        "H17",
        &[
            "redteam::h17_fifo_without_writer_ends_on_ctrl_c",
            "redteam::a_fifo_whose_writer_falls_quiet_ends_on_ctrl_c",
        ],
    ),
    ("H18", &["redteam::h18_dev_zero_ends_on_ctrl_c"]),
    ("H19", &["redteam::h19_dev_urandom_ends_on_ctrl_c"]),
    (
        "H20",
        &[
            "redteam::h20_a_directory_is_refused_in_one_line",
            "hostile::unreadable_inputs_do_not_stop_the_others",
        ],
    ),
    ("H21", &["redteam::h21_huge_repetitions_are_refused"]),
    (
        "H22",
        &["hostile::a_pattern_too_big_to_search_quickly_is_refused"],
    ),
    (
        "H23",
        &[
            "hostile::patterns_that_match_the_empty_string_are_refused",
            "hostile::a_refused_config_directory_catalog_is_skipped",
            "hostile::a_benign_entry_silences_only_its_own_events",
        ],
    ),
    (
        "H24",
        &["redteam::h24_a_user_catalog_of_thousands_of_entries"],
    ),
    ("H25", &["hostile::duplicate_ids_in_one_file_are_an_error"]),
    ("H26", &["redteam::h26_nested_yaml_aliases_are_refused"]),
    ("H27", &["hostile::user_catalogs_are_bounded"]),
    ("H28", &["hostile::user_catalogs_are_bounded"]),
    (
        "H29",
        &[
            "logs::carriers_prefixes_give_the_same_findings",
            "encodings::every_encoding_and_line_end_reads_the_same",
        ],
    ),
    (
        "H30",
        &["encodings::every_encoding_and_line_end_reads_the_same"],
    ),
    (
        "H31",
        &["encodings::every_encoding_and_line_end_reads_the_same"],
    ),
    ("H32", &["redteam::h32_floods_of_tiny_lines"]),
    ("H33", &["redteam::h33_lines_of_shuffled_catalog_examples"]),
    (
        "H34",
        &[
            "redteam::h34_fuzzed_envelope_fragments",
            "properties::envelope_parser_and_events_never_panic",
            "properties::any_time_field_is_checked",
        ],
    ),
    (
        "H35",
        &["hostile::a_logfmt_error_field_is_part_of_the_message"],
    ),
    ("H36", &["redteam::h36_thread_counts_and_a_huge_explain_id"]),
    ("H37", &["redteam::h37_user_catalog_edge_cases"]),
];

/// The sources of the test modules, by name (compiled in: CI has no
/// ../shared, and the tests may run from anywhere).
const SOURCES: &[(&str, &str)] = &[
    ("encodings", include_str!("encodings.rs")),
    ("hostile", include_str!("hostile.rs")),
    ("logs", include_str!("logs.rs")),
    ("properties", include_str!("properties.rs")),
    ("redteam", include_str!("redteam.rs")),
];

/// Every row H1..H37 has at least one test, in order and without a gap,
/// and every test named is a `#[test]` function of its module.
#[test]
fn every_part_2_row_has_a_test() {
    let rows: Vec<&str> = ROWS.iter().map(|(r, _)| *r).collect();
    let want: Vec<String> = (1..=37).map(|n| format!("H{n}")).collect();
    assert_eq!(rows, want, "one entry per row, H1 to H37 in order");
    let mut missing = Vec::new();
    for (row, tests) in ROWS {
        assert!(!tests.is_empty(), "{row} names no test");
        for test in *tests {
            let (module, name) = test
                .split_once("::")
                .unwrap_or_else(|| panic!("{row}: {test:?} is not module::function"));
            let source = SOURCES
                .iter()
                .find(|(m, _)| *m == module)
                .map(|(_, s)| *s)
                .unwrap_or_else(|| panic!("{row}: module {module} is not in SOURCES"));
            // `fn name(` with `#[test]` before it and no other `fn ` in
            // between (a helper of that name is not a test).
            let is_test = source.match_indices(&format!("fn {name}(")).any(|(at, _)| {
                let head = &source[..at];
                head.rfind("#[test]")
                    .is_some_and(|attr| head.rfind("fn ").is_none_or(|f| f < attr))
            });
            if !is_test {
                missing.push(format!("{row}: {test}"));
            }
        }
    }
    assert!(missing.is_empty(), "no such test:\n{}", missing.join("\n"));
}

const PORT: &str = "ERRO[2025-03-14 09:26:51] failed to start: listen tcp 0.0.0.0:5244: bind: address already in use";
const KNOWN: &str = "ERRO[2024-01-02 15:04:05] failed get objs: failed to list objs: TooManyRequests:Too Many Requests";

fn no_panic(stderr: &[u8]) {
    let s = String::from_utf8_lossy(stderr);
    assert!(
        !s.contains("panicked") && !s.contains("RUST_BACKTRACE"),
        "{s}"
    );
}

/// Runs `--format json` plus `args` on `input` given as a file and as
/// standard input (`how`: "file" or "pipe"); checks that it did not panic
/// and exited 0 or 1; returns (exit code, JSON).
fn run_json(how: &str, input: &[u8], args: &[&str]) -> (i32, Value) {
    let mut c = doctor();
    c.args(["--format", "json"]).args(args);
    let f = tempfile::NamedTempFile::new().unwrap();
    match how {
        "file" => {
            std::fs::write(f.path(), input).unwrap();
            c.arg("--file").arg(f.path());
        }
        _ => {
            c.write_stdin(input.to_vec());
        }
    }
    let out = c.output().unwrap();
    no_panic(&out.stderr);
    let code = out.status.code().unwrap_or(-1);
    assert!(
        code == 0 || code == 1,
        "{how} {args:?}: exit {code}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{how} {args:?}: stdout is not JSON ({e}): {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (code, v)
}

/// A gzip member holding `data`.
fn gzip(data: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    enc.write_all(data).unwrap();
    enc.finish().unwrap()
}

/// H1: a gzip bomb of NUL bytes in two members, then a gzipped error
/// line: the error after the bomb is found, nothing is said unreadable
/// (the report's bomb was 8 GiB; this one is 8 MiB).
#[test]
fn h01_gzip_bomb_then_an_error() {
    let zeros = vec![0u8; 4 << 20];
    let mut bomb = gzip(&zeros);
    bomb.extend(gzip(&zeros));
    bomb.extend(gzip(format!("{PORT}\n").as_bytes()));
    for how in ["file", "pipe"] {
        let (code, v) = run_json(how, &bomb, &[]);
        assert_eq!(code, 1, "{how}");
        assert_eq!(ids(&v), ["port-in-use"], "{how}");
        assert_eq!(v["summary"]["occurrences"], 1, "{how}");
        assert_eq!(v["summary"]["errors"], serde_json::json!([]), "{how}");
    }
}

/// H2: a gzipped newline bomb (4 million lines), then an error:
/// every line counted, the error found on the last one.
#[test]
fn h02_newline_bomb_then_an_error() {
    let n = 4_000_000;
    let mut text = vec![b'\n'; n];
    text.extend_from_slice(format!("{PORT}\n").as_bytes());
    let bomb = gzip(&text);
    for how in ["file", "pipe"] {
        let (code, v) = run_json(how, &bomb, &[]);
        assert_eq!(code, 1, "{how}");
        assert_eq!(ids(&v), ["port-in-use"], "{how}");
        assert_eq!(v["findings"][0]["first_line"], n + 1, "{how}");
        assert_eq!(v["summary"]["lines"], n + 1, "{how}");
    }
}

/// H5: a single line of megabytes with an error at its start, another
/// error on the next line: both found, one line cut, through a file and a
/// pipe, with and without a final newline, on one and two threads.
#[test]
fn h05_a_huge_line_keeps_the_findings_around_it() {
    let mut log = format!("{PORT} ").into_bytes();
    log.resize(log.len() + (8 << 20), b'x');
    log.extend_from_slice(format!("\n{KNOWN}\n").as_bytes());
    let unterminated = &log[..log.len() - 1];
    for input in [&log[..], unterminated] {
        for how in ["file", "pipe"] {
            for j in ["1", "2"] {
                let (_, v) = run_json(how, input, &["-j", j]);
                let at = format!("{how} -j {j}, final newline: {}", input == &log[..]);
                let found: Vec<(String, u64)> = v["findings"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|f| {
                        (
                            f["id"].as_str().unwrap().to_string(),
                            f["first_line"].as_u64().unwrap(),
                        )
                    })
                    .collect();
                assert_eq!(
                    found,
                    [
                        ("port-in-use".to_string(), 1),
                        ("aliyundrive-open-too-many-requests".to_string(), 2)
                    ],
                    "{at}"
                );
                assert_eq!(v["summary"]["cut_lines"], 1, "{at}");
                assert_eq!(v["summary"]["lines"], 2, "{at}");
            }
        }
    }
}

use crate::loggen::Rng;

/// Checks that the binary reports exactly what the straightforward
/// reference path reports for `log` (see equivalence.rs), read each way
/// of `ways`: ("file" or "pipe", thread count).
fn same_as_reference(name: &str, log: &[u8], ways: &[(&str, &str)]) {
    let (want, want_unknown) = alist_doctor::testing::reference_summary(log);
    assert!(!want.is_empty(), "{name}: the log has findings");
    for &(how, j) in ways {
        let (_, v) = run_json(how, log, &["--no-redact", "-j", j]);
        let got = crate::util::summary_of(&v);
        let diff = crate::util::differences(&want, &got, |k, w, g| {
            format!("{k:?}: reference {w:?}, binary {g:?}")
        });
        assert!(diff.is_empty(), "{name} {how} -j {j}:\n{}", diff.join("\n"));
        assert_eq!(
            v["summary"]["unknown_occurrences"], want_unknown,
            "{name} {how} -j {j}"
        );
    }
}

/// Random printable text: letters, digits, punctuation, multi-byte
/// characters; `len` bytes or a few more.
fn random_text(rng: &mut Rng, len: usize) -> String {
    const PIECES: &[&str] = &[
        "a", "b", "k", "q", "x", "Z", "0", "7", " ", " ", ":", "/", ".", "_", "-", "=", "é", "中",
        "文", "ß", "→",
    ];
    let mut s = String::new();
    while s.len() < len {
        s.push_str(rng.pick::<&str>(PIECES));
    }
    s
}

/// H8: catalog examples (every third one, to keep a debug build near a
/// second), each followed on its line by a random tail (new captures and
/// samples for every finding, the search caches full): nothing is lost,
/// every finding and count is what the reference path gives. (Memory is
/// measured by the benchmark.)
#[test]
fn h08_catalog_examples_with_random_tails() {
    let mut rng = Rng(0x5eed_1234_abcd_0001);
    let mut log = String::new();
    for (_, _, example) in alist_doctor::testing::examples().into_iter().step_by(3) {
        let len = rng.below(80);
        let tail = random_text(&mut rng, len);
        log.push_str(&example);
        log.push(' ');
        log.push_str(&tail);
        log.push('\n');
    }
    // As a file on two threads: chunks matched by workers, each with its
    // own caches, merged in order.
    same_as_reference("examples with tails", log.as_bytes(), &[("file", "2")]);
}

/// H9: envelopes nested deep: docker json-file twelve times over, docker
/// around logrus JSON, a JSON body 100 objects deep, logrus JSON with an
/// array 200 deep; each gives its finding, as a file and pasted. A body
/// 100,000 objects deep puts its message past the 64 KiB cut: no crash,
/// the line is cut and the wrapper still explained.
#[test]
fn h09_deeply_nested_envelopes() {
    let msg = "failed to start: listen tcp 0.0.0.0:5244: bind: address already in use";
    let docker = |inner: &str| {
        serde_json::json!({"log": format!("{inner}\n"), "stream": "stderr", "time": "2025-03-14T09:26:51.123Z"})
            .to_string()
    };
    let mut docker12 = PORT.to_string();
    for _ in 0..12 {
        docker12 = docker(&docker12);
    }
    let logrus =
        serde_json::json!({"level": "error", "msg": msg, "time": "2025-03-14T09:26:51+08:00"})
            .to_string();
    let body = format!(r#"{{"code":500,"message":"{msg}","data":null}}"#);
    let body100 = format!(
        "ERRO[2025-03-14 09:26:51] failed get objs: {}{body}{}",
        r#"{"a":"#.repeat(100),
        "}".repeat(100)
    );
    let array200 = format!(
        r#"{{"level":"error","msg":"{msg}","x":{}{},"time":"2025-03-14T09:26:51+08:00"}}"#,
        "[".repeat(200),
        "]".repeat(200)
    );
    for (name, line) in [
        ("docker x12", docker12),
        ("docker around logrus", docker(&logrus)),
        ("body 100 deep", body100),
        ("array 200 deep", array200),
    ] {
        for how in ["file", "pipe"] {
            let (code, v) = run_json(how, format!("{line}\n").as_bytes(), &[]);
            assert_eq!(code, 1, "{name} {how}");
            assert_eq!(ids(&v), ["port-in-use"], "{name} {how}");
        }
        let (code, v) = json(&["--", &line], None);
        assert_eq!(code, 1, "{name} pasted");
        assert_eq!(ids(&v), ["port-in-use"], "{name} pasted");
    }
    let deep = format!(
        "ERRO[2025-03-14 09:26:51] failed get objs: {}{body}{}\n{KNOWN}\n",
        r#"{"a":"#.repeat(100_000),
        "}".repeat(100_000)
    );
    for how in ["file", "pipe"] {
        let (code, v) = run_json(how, deep.as_bytes(), &[]);
        assert_eq!(code, 1, "100,000 deep {how}");
        assert_eq!(v["summary"]["cut_lines"], 1, "{how}");
        assert_eq!(v["summary"]["lines"], 2, "{how}");
        let got = ids(&v);
        assert!(
            got.contains(&"aliyundrive-open-too-many-requests".to_string()),
            "the line after it is read: {got:?}"
        );
    }
}

/// The summary object that ends an ndjson stream, after checking the run
/// ended on Ctrl-C (exit 130) without a panic.
#[cfg(target_os = "linux")]
fn interrupted_summary(run: crate::util::Running, what: &str) -> Value {
    let done = run.interrupt(what);
    done.no_panic();
    assert_eq!(done.code, Some(130), "{what}: {done:?}");
    let last = done.ndjson().pop().unwrap_or_default();
    assert_eq!(last["type"], "summary", "{what}: {done:?}");
    last
}

/// H13: `--follow` on a file truncated, then appended to (less than was
/// read before, so only the size tells): the new line is found, read from
/// the file's start; Ctrl-C ends with 130.
#[cfg(target_os = "linux")]
#[test]
fn h13_follow_a_truncated_file() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("log.log");
    std::fs::write(
        &log,
        format!(
            "INFO[2024-01-02 15:04:04] {}\n{KNOWN}\n",
            "padding ".repeat(40)
        ),
    )
    .unwrap();
    let mut run = follow(&log);
    run.wait_for_finding("aliyundrive-open-too-many-requests");
    std::fs::File::create(&log).unwrap();
    append(&log, &format!("{PORT}\n"));
    let port = run.wait_for_finding("port-in-use");
    assert_eq!(port["line"], 1);
    let summary = interrupted_summary(run, "--follow a truncated file");
    assert_eq!(summary["findings"], 2, "{summary}");
}

/// H15: `--follow` on a file that is deleted and later created again: it
/// keeps waiting and reads the new file; Ctrl-C ends with 130.
#[cfg(target_os = "linux")]
#[test]
fn h15_follow_a_deleted_then_recreated_file() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("log.log");
    std::fs::write(&log, format!("{KNOWN}\n")).unwrap();
    let mut run = follow(&log);
    run.wait_for_finding("aliyundrive-open-too-many-requests");
    std::fs::remove_file(&log).unwrap();
    append(&log, &format!("{PORT}\n"));
    let port = run.wait_for_finding("port-in-use");
    assert_eq!(port["line"], 1);
    let summary = interrupted_summary(run, "--follow a recreated file");
    assert_eq!(summary["findings"], 2, "{summary}");
}

/// H16: `--follow` on a file that is replaced by a directory, then by a
/// file again, then by a FIFO: it says once that it waits, keeps
/// following, and reads each file that comes; Ctrl-C ends with 130.
/// (It used to end at the directory with "is a directory", exit 2, and
/// miss everything after.)
#[cfg(target_os = "linux")]
#[test]
fn h16_follow_a_file_replaced_by_a_directory_or_a_fifo() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("log.log");
    std::fs::write(&log, format!("{KNOWN}\n")).unwrap();
    let mut run = follow(&log);
    run.wait_for_finding("aliyundrive-open-too-many-requests");
    std::fs::remove_file(&log).unwrap();
    std::fs::create_dir(&log).unwrap();
    run.wait_for_stderr("the notice that it waits", |l| {
        l.contains("log.log: is a directory; waiting for a file there again")
    });
    std::fs::remove_dir(&log).unwrap();
    append(&log, &format!("{PORT}\n"));
    run.wait_for_finding("port-in-use");
    // A FIFO: its writer opens it once the tool opens it to read.
    std::fs::remove_file(&log).unwrap();
    assert!(Std::new("mkfifo").arg(&log).status().unwrap().success());
    let fifo = log.clone();
    std::thread::spawn(move || {
        let mut f = std::fs::OpenOptions::new().write(true).open(fifo).unwrap();
        writeln!(f, "{KNOWN}").unwrap();
    });
    let again = run.wait_for_finding("aliyundrive-open-too-many-requests");
    assert_eq!(again["line"], 1);
    let summary = interrupted_summary(run, "--follow a path that became a FIFO");
    assert_eq!(summary["occurrences"], 3, "{summary}");
}

/// The JSON report of a run that was interrupted: exit 130, no panic.
#[cfg(target_os = "linux")]
fn interrupted_report(run: crate::util::Running, what: &str) -> Value {
    let done = run.interrupt(what);
    done.no_panic();
    assert_eq!(done.code, Some(130), "{what}: {done:?}");
    done.json()
}

/// H17: `--file FIFO` and `--follow FIFO` that never get a writer wait in
/// open(2), which no signal ends: one Ctrl-C ends them, exit 130, with
/// the report.
#[cfg(target_os = "linux")]
#[test]
fn h17_fifo_without_writer_ends_on_ctrl_c() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("pipe");
    assert!(Std::new("mkfifo").arg(&fifo).status().unwrap().success());
    for mode in ["--file", "--follow"] {
        let mut c = doctor_std();
        c.args(["--format", "json", mode]).arg(&fifo);
        let v = interrupted_report(crate::util::Running::spawn(c), mode);
        assert_eq!(v["summary"]["lines"], 0, "{mode}: {v}");
        assert_eq!(v["findings"], serde_json::json!([]), "{mode}");
    }
}

/// `--file FIFO` whose writer wrote a line and stays open, quiet: one
/// Ctrl-C ends the run at once, exit 130, with that line's finding, with
/// one thread and with several (found while writing the H17 test: the
/// first read waited for the writer to write more or close).
#[cfg(target_os = "linux")]
#[test]
fn a_fifo_whose_writer_falls_quiet_ends_on_ctrl_c() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("pipe");
    assert!(Std::new("mkfifo").arg(&fifo).status().unwrap().success());
    for threads in ["1", "2"] {
        let mut c = doctor_std();
        c.args(["--format", "json", "--threads", threads, "--file"])
            .arg(&fifo);
        let run = crate::util::Running::spawn(c);
        // Opening for writing waits for the binary to open its end.
        let mut writer = std::fs::OpenOptions::new().write(true).open(&fifo).unwrap();
        writer
            .write_all(b"FATA[2024-01-02 15:04:07] failed to start http: listen tcp :5244: bind: address already in use\n")
            .unwrap();
        crate::util::wait_until_read(&writer);
        let v = interrupted_report(run, "a quiet FIFO writer");
        drop(writer);
        assert_eq!(ids(&v), ["port-in-use"], "--threads {threads}: {v}");
    }
}

/// Waits until the process has read at least `bytes` (rchar in
/// /proc/<pid>/io): an endless input is really being read.
#[cfg(target_os = "linux")]
fn wait_until_it_has_read(child: &std::process::Child, bytes: u64) {
    let io = format!("/proc/{}/io", child.id());
    let start = std::time::Instant::now();
    loop {
        let text = std::fs::read_to_string(&io).unwrap_or_default();
        let read: u64 = text
            .lines()
            .find_map(|l| l.strip_prefix("rchar:"))
            .and_then(|n| n.trim().parse().ok())
            .unwrap_or(0);
        if read >= bytes {
            return;
        }
        assert!(
            start.elapsed() < crate::util::DEADLINE,
            "read only {read} bytes in {:?}",
            crate::util::DEADLINE
        );
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
}

/// Runs `--format json MODE DEVICE` until it has read 64 KiB, presses
/// Ctrl-C; returns the report (exit 130, no panic).
#[cfg(target_os = "linux")]
fn read_device_then_ctrl_c(mode: &str, device: &str) -> Value {
    let mut c = doctor_std();
    c.args(["--format", "json", mode, device]);
    let run = crate::util::Running::spawn(c);
    wait_until_it_has_read(&run.child, 64 << 10);
    interrupted_report(run, &format!("{mode} {device}"))
}

/// H18: `--file /dev/zero` and `--follow /dev/zero` run until Ctrl-C in
/// bounded memory; then exit 130 with a valid report.
#[cfg(target_os = "linux")]
#[test]
fn h18_dev_zero_ends_on_ctrl_c() {
    for mode in ["--file", "--follow"] {
        let v = read_device_then_ctrl_c(mode, "/dev/zero");
        assert_eq!(v["findings"], serde_json::json!([]), "{mode}: {v}");
        assert_eq!(v["summary"]["inputs"], 1, "{mode}");
    }
}

/// H19: `--file /dev/urandom` (and `--follow`): read until Ctrl-C, then
/// exit 130 with a valid report. (How many lines it counts depends on
/// when Ctrl-C comes: a chunk still being filled or matched then is not
/// counted.)
#[cfg(target_os = "linux")]
#[test]
fn h19_dev_urandom_ends_on_ctrl_c() {
    for mode in ["--file", "--follow"] {
        let v = read_device_then_ctrl_c(mode, "/dev/urandom");
        assert!(v["summary"]["lines"].is_u64(), "{mode}: {}", v["summary"]);
        assert!(v["findings"].is_array(), "{mode}");
    }
}

/// H20: `--file DIR` and `--follow DIR`: "is a directory" in one line,
/// exit 2, the report still printed.
#[test]
fn h20_a_directory_is_refused_in_one_line() {
    let dir = tempfile::tempdir().unwrap();
    for mode in ["--file", "--follow"] {
        let out = doctor()
            .args(["--format", "json", mode])
            .arg(dir.path())
            .timeout(crate::util::DEADLINE)
            .output()
            .unwrap();
        no_panic(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{mode}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(
            err.trim_end(),
            format!("alist-doctor: {}: is a directory", dir.path().display()),
            "{mode}"
        );
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(v["summary"]["errors"][0]["reason"], "is a directory");
    }
}

/// One user catalog entry, in YAML.
fn entry(id: &str, pattern: &str, extra: &str) -> String {
    format!(
        "- id: {id}\n  title: t\n  severity: error\n  patterns: ['{pattern}']\n  cause: c\n  fix: [f]\n{extra}"
    )
}

/// Runs `--catalog path` on one known message, then `lint path`; checks
/// neither panicked and both ended within the deadline; returns (run's
/// exit code, run's stderr, lint's exit code, lint's output).
fn with_catalog(path: &Path) -> (Option<i32>, String, Option<i32>, String) {
    let out = doctor()
        .arg("--catalog")
        .arg(path)
        .arg(PORT)
        .timeout(crate::util::DEADLINE)
        .output()
        .unwrap();
    no_panic(&out.stderr);
    let lint = doctor()
        .arg("lint")
        .arg(path)
        .timeout(crate::util::DEADLINE)
        .output()
        .unwrap();
    no_panic(&lint.stderr);
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        lint.status.code(),
        String::from_utf8_lossy(&[lint.stdout, lint.stderr].concat()).into_owned(),
    )
}

/// H21: huge counted repetitions in a user catalog are refused at load
/// and by lint, in one line: "regex is too big".
#[test]
fn h21_huge_repetitions_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("huge.yaml");
    for pattern in [
        "a{1000}{1000}",
        "(?:a{1000}){1000}",
        r"[\p{L}\p{N}]{2000}",
        ".{0,65535}x",
    ] {
        std::fs::write(&path, entry("huge", pattern, "")).unwrap();
        let (code, err, lint, report) = with_catalog(&path);
        assert_eq!(code, Some(2), "{pattern}: {err}");
        assert_eq!(err.lines().count(), 1, "{pattern}: {err}");
        assert!(
            err.contains("entry 'huge', field 'patterns[0]': regex is too big"),
            "{pattern}: {err}"
        );
        assert_eq!(lint, Some(2), "{pattern}: {report}");
        assert!(report.contains("regex is too big"), "{pattern}: {report}");
    }
}

/// H24: a user catalog of thousands of entries, most with a literal for
/// the prefilter and some without: it loads, and each of its entries finds
/// its own lines, counted.
#[test]
fn h24_a_user_catalog_of_thousands_of_entries() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("many.yaml");
    let mut yaml = String::new();
    for i in 0..3000 {
        yaml.push_str(&entry(
            &format!("frob-{i}"),
            &format!(r"frobnication {i} failed: code (?P<code>\d+)"),
            "",
        ));
    }
    // No literal of three characters: these run on every error line.
    for n in 1..=100 {
        yaml.push_str(&entry(
            &format!("digits-{n}"),
            &format!(r"[qQ][zZ]\d{{{n}}}[xX]"),
            "",
        ));
    }
    std::fs::write(&path, yaml).unwrap();
    let mut log = String::new();
    let mut want = Vec::new();
    for i in (0..3000).step_by(250) {
        for k in 0..2 {
            log.push_str(&format!(
                "ERRO[2025-03-14 09:26:51] frobnication {i} failed: code {k}\n"
            ));
        }
        want.push((format!("frob-{i}"), 2));
    }
    for n in [3, 57] {
        log.push_str(&format!(
            "ERRO[2025-03-14 09:26:52] odd qz{}x\n",
            "7".repeat(n)
        ));
        want.push((format!("digits-{n}"), 1));
    }
    log.push_str(&format!("{PORT}\n"));
    want.push(("port-in-use".to_string(), 1));
    let out = doctor()
        .arg("--catalog")
        .arg(&path)
        .args(["--statistics", "--format", "json"])
        .write_stdin(log)
        .timeout(crate::util::DEADLINE)
        .output()
        .unwrap();
    no_panic(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut got: Vec<(String, u64)> = v["statistics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["id"].as_str().unwrap().to_string(),
                s["count"].as_u64().unwrap(),
            )
        })
        .collect();
    got.sort();
    want.sort();
    assert_eq!(got, want);
    assert_eq!(v["unknown"], 0);
}

/// H26: nested YAML aliases ("billion laughs") in a user catalog, at the
/// top, inside an entry's field and as entries: refused at once in one
/// line naming the file, never expanded.
#[test]
fn h26_nested_yaml_aliases_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let nine = |name: &str| vec![format!("*{name}"); 9].join(",");
    let mut top = "a0: &a0 ['lol','lol','lol','lol','lol','lol','lol','lol','lol']\n".to_string();
    for i in 1..10 {
        top.push_str(&format!("a{i}: &a{i} [{}]\n", nine(&format!("a{}", i - 1))));
    }
    let mut field = entry(
        "lol",
        "failed frob",
        "  examples: &f0 ['lol','lol','lol','lol','lol','lol','lol','lol','lol']\n",
    );
    for i in 1..10 {
        field.push_str(&format!(
            "  x{i}: &f{i} [{}]\n",
            nine(&format!("f{}", i - 1))
        ));
    }
    let mut entries = "- &e0 {id: lol, title: t, severity: error, patterns: ['failed frob'], cause: c, fix: [f]}\n".to_string();
    for i in 1..10 {
        entries.push_str(&format!("- &e{i} [{}]\n", nine(&format!("e{}", i - 1))));
    }
    for (name, text) in [("top", top), ("field", field), ("entries", entries)] {
        let path = dir.path().join(format!("{name}.yaml"));
        std::fs::write(&path, text).unwrap();
        let (code, err, lint, report) = with_catalog(&path);
        assert_eq!(code, Some(2), "{name}: {err}");
        assert_eq!(err.lines().count(), 1, "{name}: {err}");
        assert!(err.contains(&path.display().to_string()), "{name}: {err}");
        assert_eq!(lint, Some(2), "{name}: {report}");
    }
}

/// H32: floods of tiny lines (`a`, blank, CRLF blank, `ERRO[x] y`) with
/// one error inside: the error is found and every line counted exactly,
/// through a file and a pipe, on one thread and two (more than one chunk,
/// so a CRLF may be split between two).
#[test]
fn h32_floods_of_tiny_lines() {
    // An unknown error costs far more than the rest: one line in 16.
    let mut pieces: Vec<&[u8]> = vec![b"ERRO[x] y\n"];
    for _ in 0..5 {
        pieces.extend([&b"a\n"[..], b"\n", b"\r\n"]);
    }
    let mut rng = Rng(0x0f10_0d5e_ed00_0032);
    let mut log = Vec::new();
    let mut lines = 0u64;
    let mut at = 0;
    // Over one 256 KiB chunk, the error in the first.
    while log.len() < 272 << 10 {
        if at == 0 && log.len() > 128 << 10 {
            log.extend_from_slice(format!("{PORT}\n").as_bytes());
            lines += 1;
            at = lines;
        }
        log.extend_from_slice(rng.pick::<&[u8]>(&pieces));
        lines += 1;
    }
    // Workers reading a file's chunks; standard input read by the main
    // thread alone; a reader thread handing standard input's chunks on.
    for (how, j) in [("file", "2"), ("pipe", "1"), ("pipe", "2")] {
        let (code, v) = run_json(how, &log, &["-j", j]);
        assert_eq!(code, 1, "{how} -j {j}");
        assert_eq!(ids(&v), ["port-in-use"], "{how} -j {j}");
        assert_eq!(v["findings"][0]["first_line"], at, "{how} -j {j}");
        assert_eq!(v["summary"]["lines"], lines, "{how} -j {j}");
    }
}

/// H33: long lines, each a different shuffle of the catalog's examples
/// (every literal of the prefilter hits, most patterns run): the findings
/// are what the reference path gives, and the error after them is found.
/// The report's lines were 64 KiB; these are 8 KiB, as a debug build
/// takes about a second for each such line.
#[test]
fn h33_lines_of_shuffled_catalog_examples() {
    let mut examples: Vec<String> = alist_doctor::testing::examples()
        .into_iter()
        .map(|(_, _, x)| x.replace(['\n', '\r'], " "))
        .collect();
    let mut rng = Rng(0x0005_5eed_ff1e_0033);
    let mut log = String::new();
    for _ in 0..2 {
        // Fisher–Yates.
        for i in (1..examples.len()).rev() {
            examples.swap(i, rng.below(i + 1));
        }
        let mut line = String::from("ERRO[2025-03-14 09:26:50] ");
        for x in &examples {
            if line.len() + x.len() + 1 > 8 << 10 {
                break;
            }
            line.push_str(x);
            line.push(' ');
        }
        log.push_str(&line);
        log.push('\n');
    }
    log.push_str(&format!("{KNOWN}\n"));
    same_as_reference(
        "shuffled examples",
        log.as_bytes(),
        &[("file", "2"), ("pipe", "1")],
    );
    let (_, v) = run_json("file", log.as_bytes(), &[]);
    assert_eq!(v["summary"]["lines"], 3);
    assert_eq!(v["summary"]["cut_lines"], 0);
    assert!(ids(&v).contains(&"aliyundrive-open-too-many-requests".to_string()));
}

/// H34: random lines built from envelope fragments, multi-byte and control
/// characters, through the binary as a file (two threads) and a pipe (one),
/// in json and text: never a panic, always a report, every line counted,
/// the same findings both ways.
#[test]
fn h34_fuzzed_envelope_fragments() {
    const FRAGMENTS: &[&str] = &[
        "ERRO[",
        "2025-03-14 09:26:51",
        "]",
        "] ",
        "time=\"",
        "\" level=error msg=\"",
        "\"",
        "{\"level\":\"error\",\"msg\":\"",
        "\",\"time\":\"2025-03-14T09:26:5",
        "\"}",
        "{\"log\":\"",
        "\\n\",\"stream\":\"stderr\",\"time\":\"",
        "alist-1  | ",
        "Mar 14 09:27:10 nas alist[2993]: ",
        "2024-03-14T01:27:10.123456789Z ",
        "[GIN] 2025/03/14 - 09:26:51 | 500 | ",
        "panic: ",
        "goroutine 1 [running]:",
        "\t/src/main.go:1 +0x1",
        "failed get objs: ",
        "failed to list objs: ",
        "TooManyRequests:Too Many Requests",
        "listen tcp 0.0.0.0:5244: bind: address already in use",
        "failed init storage: ",
        "\\u0026",
        "\\\"",
        "&quot;",
        "é",
        "中文",
        "🙂",
        "\u{1b}[31m",
        "\u{1b}]0;x\u{7}",
        "\u{9b}",
        "\u{202e}",
        "\u{7f}",
        "\t",
        " ",
        "{",
        "}",
        "[",
        ":",
    ];
    let mut rng = Rng(0xf022_0034_dead_beef);
    let mut log = String::new();
    let n = 800;
    for _ in 0..n {
        for _ in 0..rng.below(12) {
            log.push_str(rng.pick::<&str>(FRAGMENTS));
        }
        log.push('\n');
    }
    let mut first: Option<alist_doctor::testing::Summary> = None;
    for (how, j) in [("file", "2"), ("pipe", "1")] {
        let (_, v) = run_json(how, log.as_bytes(), &["--no-redact", "-j", j]);
        assert_eq!(v["summary"]["lines"], n, "{how} -j {j}");
        let got = crate::util::summary_of(&v);
        match &first {
            None => first = Some(got),
            Some(want) => assert_eq!(&got, want, "{how} -j {j}"),
        }
    }
    assert!(!first.unwrap().is_empty(), "the fragments make findings");
    let out = doctor().write_stdin(log).output().unwrap();
    no_panic(&out.stderr);
    assert!(matches!(out.status.code(), Some(0 | 1)));
    assert!(String::from_utf8_lossy(&out.stdout).contains("summary:"));
}

/// H36: thread counts outside 1..=64 are a usage error (exit 2, one
/// message); 64 threads work; `explain` with a 20,000-character id ends
/// with "no catalog entry has the id", exit 2.
#[test]
fn h36_thread_counts_and_a_huge_explain_id() {
    for j in ["0", "65", "100000"] {
        let out = doctor().args(["-j", j, PORT]).output().unwrap();
        no_panic(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "-j {j}");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("is not in 1..=64"),
            "-j {j}"
        );
    }
    let (code, v) = json(&["-j", "64", PORT], None);
    assert_eq!(code, 1);
    assert_eq!(ids(&v), ["port-in-use"]);
    let (code, v) = run_json(
        "file",
        format!("{PORT}\n{KNOWN}\n").as_bytes(),
        &["-j", "64"],
    );
    assert_eq!(code, 1);
    assert_eq!(ids(&v).len(), 2);
    let id = "port-in-use-".repeat(1_700);
    let out = doctor()
        .args(["explain", &id])
        .timeout(crate::util::DEADLINE)
        .output()
        .unwrap();
    no_panic(&out.stderr);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("no catalog entry has the id"), "{err:.200}");
    assert_eq!(err.lines().count(), 1);
}

/// H37: odd user catalogs (duplicate group names, a non-ASCII group name,
/// braces that do not close or nest, a priority of 20 digits, patterns
/// that can only match nothing or the empty string): each is loaded or
/// refused in one line, and linted, never a panic.
#[test]
fn h37_user_catalog_edge_cases() {
    let dir = tempfile::tempdir().unwrap();
    let plain = |extra: &str| entry("odd", "failed frob", extra);
    let cases: Vec<(&str, String)> = vec![
        ("duplicate groups", entry("odd", "(?P<n>a)|(?P<n>b) frob", "")),
        (
            "non-ascii group",
            "- id: odd\n  title: 'x {é}'\n  severity: error\n  patterns: ['failed (?P<é>frob)']\n  cause: c\n  fix: [f]\n".to_string(),
        ),
        (
            "unclosed brace",
            "- id: odd\n  title: 'port {port'\n  severity: error\n  patterns: ['failed (?P<port>frob)']\n  cause: c\n  fix: [f]\n".to_string(),
        ),
        (
            "nested braces",
            "- id: odd\n  title: '{n|{n|{n}}}'\n  severity: error\n  patterns: ['failed (?P<n>frob)']\n  cause: c\n  fix: [f]\n".to_string(),
        ),
        ("20-digit priority", plain("  priority: 99999999999999999999\n")),
        ("dollar caret", entry("odd", "$^", "")),
        ("empty line", entry("odd", "(?m)^$", "")),
    ];
    for (name, yaml) in cases {
        let path = dir.path().join("odd.yaml");
        std::fs::write(&path, &yaml).unwrap();
        let (code, err, lint, report) = with_catalog(&path);
        match code {
            Some(1) => {}
            Some(2) => {
                assert_eq!(err.lines().count(), 1, "{name}: {err}");
                assert!(err.contains(&path.display().to_string()), "{name}: {err}");
                assert_eq!(
                    lint,
                    Some(2),
                    "{name}: refused at load, an error in lint: {report}"
                );
            }
            other => panic!("{name}: exit {other:?}: {err}"),
        }
        assert!(
            matches!(lint, Some(0 | 2)),
            "{name}: lint exit {lint:?}: {report}"
        );
    }
}
