//! Pastes as people paste them (#14): Markdown quotes, fences and
//! `<details>` blocks, grep and editor line prefixes, colour codes written
//! out in letters, carriers of other programs. Each shape through the real
//! binary, as a pasted argument and on standard input.

use alist_doctor::testing;
use serde_json::Value;

use crate::util::{doctor, ids};

const PORT: &str = "ERRO[2025-03-14 09:26:51] failed to start: listen tcp 0.0.0.0:5244: bind: address already in use";

/// (shape, how a line is wrapped) — `{}` is the line.
const LINE_SHAPES: &[(&str, &str)] = &[
    ("quote", "> {}"),
    ("nested quote", "> > {}"),
    ("quote without space", ">{}"),
    ("grep -n", "log/log.log:1234:{}"),
    ("grep -H", "data/log/log.log:{}"),
    ("grep context", "alist.log-12-{}"),
    ("editor line number", "  12 | {}"),
    ("viewer line number", "12|{}"),
    ("chinese editor", "行 12: {}"),
    ("chinese editor 2", "第12行：{}"),
    ("written-out escapes", "ESC[31mERROESC[0m{}"),
    ("caret escapes", "^[[31mERRO^[[0m{}"),
    ("journald", "Jul 01 06:23:50 nas alist[2993]: {}"),
    ("quoted journald", "> Jul 01 06:23:50 nas alist[2993]: {}"),
    ("openlist desktop", "[17:31:29] [INFO] [openlist] {}"),
];

fn shaped(shape: &str, line: &str) -> String {
    // The written-out escapes replace the head's level word.
    if shape.contains("ERRO") {
        return shape.replace("{}", line.trim_start_matches("ERRO"));
    }
    shape.replace("{}", line)
}

fn run(args: &[&str], stdin: Option<String>) -> Value {
    let mut c = doctor();
    c.arg("--format").arg("json").args(args);
    if let Some(s) = stdin {
        c.write_stdin(s);
    }
    serde_json::from_slice(&c.output().unwrap().stdout).unwrap()
}

#[test]
fn every_line_shape_keeps_the_finding_and_its_timestamp() {
    for (name, shape) in LINE_SHAPES {
        let text = shaped(shape, PORT);
        for (how, v) in [
            ("argument", run(&["--", &text], None)),
            ("stdin", run(&[], Some(format!("{text}\n")))),
        ] {
            assert_eq!(ids(&v), ["port-in-use"], "{name} {how}: {text}");
            assert_eq!(
                v["findings"][0]["first_timestamp"], "2025-03-14 09:26:51",
                "{name} {how}: the head was read"
            );
        }
    }
}

/// A log pasted inside a fence and a `<details>` block, quoted, with the
/// user's words around it.
#[test]
fn fenced_and_folded_logs() {
    let paste = "我的日志如下：\n<details>\n<summary>log</summary>\n\n```log\n\
        INFO[2025-03-14 09:26:50] start HTTP server @ 0.0.0.0:5244\n\
        ERRO[2025-03-14 09:26:51] failed get objs: failed to list objs: TooManyRequests:Too Many Requests\n\
        ```\n</details>\n";
    for v in [run(&["--", paste], None), run(&[], Some(paste.to_string()))] {
        assert_eq!(ids(&v), ["aliyundrive-open-too-many-requests"], "{v}");
        assert_eq!(v["summary"]["unknown"], 0, "fences are not errors: {v}");
    }
    let quoted: String = paste.lines().map(|l| format!("> {l}\n")).collect();
    let v = run(&["--", &quoted], None);
    assert_eq!(ids(&v), ["aliyundrive-open-too-many-requests"], "{v}");
}

/// Benign lines stay benign behind every carrier and wrapper: in a log
/// they are neither findings nor unknown errors.
#[test]
fn benign_rules_hold_behind_every_wrapper() {
    let benign: Vec<String> = testing::examples()
        .into_iter()
        .filter(|(_, b, x)| *b && !x.contains('\n'))
        .map(|(_, _, x)| x)
        .collect();
    assert!(!benign.is_empty());
    for (name, shape) in LINE_SHAPES.iter().filter(|(_, s)| !s.contains("ERRO")) {
        let log: String = benign
            .iter()
            .map(|x| {
                // A benign example is a message or a whole log line.
                let line = if testing::parse_line(x).plain {
                    format!("WARN[2025-03-14 09:26:51] {x}")
                } else {
                    x.clone()
                };
                format!("{}\n", shaped(shape, &line))
            })
            .collect();
        let v = run(&[], Some(log));
        let loud: Vec<&Value> = v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["severity"] != "info")
            .collect();
        assert!(loud.is_empty(), "{name}: {loud:?}");
        assert_eq!(v["summary"]["unknown"], 0, "{name}: {v}");
    }
}

/// Another program's lines never yield a generic entry; a client's line
/// about AList's own server does.
#[test]
fn other_programs_lines_stay_quiet_unless_about_alist() {
    let log = "Jan 02 15:04:05 nas rclone[12]: 2024/05/01 12:00:00 ERROR : x509: certificate signed by unknown authority\n\
        Jan 02 15:04:05 nas dockerd[99]: time=\"2024-05-01T12:00:00Z\" level=error msg=\"listen tcp 0.0.0.0:80: bind: address already in use\"\n\
        2024/05/01 12:00:00 ERROR : media: Failed to copy: context deadline exceeded\n\
        Traceback (most recent call last):\n\
        sqlite3.OperationalError: database is locked\n\
        ts=2024-05-01T12:00:00Z caller=main.go:12 level=error msg=\"unexpected end of JSON input\"\n\
        Jan 02 15:04:05 nas alist[7]: ERRO[2024-05-01 12:00:00] failed to start: listen tcp 0.0.0.0:5244: bind: address already in use\n";
    let v = run(&[], Some(log.to_string()));
    assert_eq!(ids(&v), ["port-in-use"], "{v}");
    assert!(v["summary"]["foreign"].as_u64().unwrap() >= 4, "{v}");
    assert_eq!(v["summary"]["unknown"], 0, "{v}");
    // The same wording pasted bare is the user's AList problem.
    let v = run(
        &["--", "x509: certificate signed by unknown authority"],
        None,
    );
    assert_eq!(ids(&v), ["tls-x509-unknown-authority"]);
    // A journald carrier naming AList makes a Go crash AList's.
    let v = run(
        &[],
        Some("Jan 21 23:48:53 vm alist[1]: fatal error: runtime: out of memory\n".into()),
    );
    assert_eq!(ids(&v), ["go-out-of-memory"], "{v}");
}

/// In a paste the specific answer leads, whatever line it came from and
/// whatever the severity of a fallback's; a log keeps severity first.
#[test]
fn in_a_paste_specific_findings_come_first() {
    let text = "ERRO[2024-01-01 10:00:00] failed get objs: failed to list objs: oops\n\
                WARN[2024-01-01 10:00:01] failed to refresh: TooManyRequests: Too Many Requests";
    let v = run(&["--", text], None);
    assert_eq!(
        ids(&v),
        ["aliyundrive-open-too-many-requests", "list-failed"]
    );
    let v = run(&[], Some(format!("{text}\n")));
    assert_eq!(
        ids(&v),
        ["list-failed", "aliyundrive-open-too-many-requests"]
    );
}

/// `matched` is the line that matched, not the prose around it; a capture
/// ends with its line and at Chinese punctuation.
#[test]
fn matched_is_the_message_not_the_prose() {
    let v = run(
        &[
            "--",
            "Hi, after upgrading I get this:\n\
                 [ali_open] failed to refresh token: bad thing\n\
                 Any idea what to do?",
        ],
        None,
    );
    let f = &v["findings"][0];
    assert_eq!(f["id"], "aliyundrive-open-refresh-failed");
    assert_eq!(
        f["matched"],
        "[ali_open] failed to refresh token: bad thing"
    );
    assert_eq!(f["captures"]["reason"], "bad thing");
    assert_eq!(f["title"], "Aliyun token refresh failed: bad thing");

    let v = run(
        &[
            "--",
            "[ali_open] failed to refresh token: 令牌无效。请问怎么办",
        ],
        None,
    );
    assert_eq!(v["findings"][0]["captures"]["reason"], "令牌无效");

    // A message a browser wrapped is still one line.
    let v = run(
        &[
            "--",
            "Failed load storage: failed init storage: failed to refresh\n\
                 token: You should use the token that request with\n\
                 aliyundrive open insted of aliyundrive",
        ],
        None,
    );
    assert_eq!(ids(&v), ["aliyundrive-open-wrong-token-type"]);
}
