//! The command line end to end: input modes, subcommands and user catalogs,
//! through the real binary. Exit codes, output formats, colour and locale
//! are the cases in tests/cmd/*.toml (tests/it/cmd.rs); what they cannot
//! say (field by field, or from the catalog's own data) stays here.

use crate::util::{doctor, ids, json};
use predicates::prelude::*;
use std::io::Write;

const PORT: &str = "failed to start: listen tcp 0.0.0.0:5244: bind: address already in use";

#[test]
fn json_has_the_documented_fields() {
    let (code, v) = json(&[PORT], None);
    assert_eq!(code, 1);
    assert_eq!(v["version"], 1);
    assert_eq!(v["lang"], "en");
    let f = &v["findings"][0];
    for key in [
        "id",
        "title",
        "severity",
        "tags",
        "cause",
        "fix",
        "docs",
        "count",
        "first_line",
        "matched",
        "captures",
        "source",
        "last_line",
        "samples",
        "context",
        "applies_to",
    ] {
        assert!(f.get(key).is_some(), "finding lacks {key}: {f}");
    }
    assert_eq!(f["id"], "port-in-use");
    assert_eq!(f["severity"], "error");
    assert_eq!(f["count"], 1);
    assert_eq!(f["first_line"], 1);
    assert_eq!(f["matched"], PORT);
    assert!(f["fix"].as_array().unwrap().len() >= 2);
    let s = &v["summary"];
    assert_eq!(s["findings"], 1);
    assert_eq!(s["occurrences"], 1);
    assert_eq!(s["highest_severity"], "error");
    assert_eq!(s["errors"].as_array().unwrap().len(), 0);
}

#[test]
fn stdin_is_read_when_no_text_is_given_and_with_dash() {
    let log =
        format!("INFO[2024-01-02 15:04:05] init logrus...\nFATA[2024-01-02 15:04:06] {PORT}\n");
    let (code, v) = json(&[], Some(&log));
    assert_eq!(code, 1);
    assert_eq!(ids(&v), ["port-in-use"]);
    assert_eq!(v["findings"][0]["first_line"], 2);
    assert_eq!(v["findings"][0]["source"], "<stdin>");
    let (_, v) = json(&["-"], Some(&log));
    assert_eq!(ids(&v), ["port-in-use"]);
}

#[test]
fn files_are_read_and_repeats_counted() {
    let mut f = tempfile::NamedTempFile::new().unwrap();
    for i in 0..3 {
        writeln!(
            f,
            "INFO[2024-01-02 15:04:0{i}] start HTTP server @ 0.0.0.0:5244"
        )
        .unwrap();
        writeln!(f, "ERRO[2024-01-02 15:04:0{i}] failed get objs: failed to list objs: TooManyRequests:Too Many Requests").unwrap();
    }
    writeln!(
        f,
        "ERRO[2024-01-02 15:05:00] something nobody has seen before 42"
    )
    .unwrap();
    let path = f.path().to_str().unwrap();
    let (code, v) = json(&["--file", path], None);
    assert_eq!(code, 1);
    let finding = &v["findings"][0];
    assert_eq!(finding["id"], "aliyundrive-open-too-many-requests");
    assert_eq!(finding["count"], 3);
    assert_eq!(finding["first_line"], 2);
    assert_eq!(finding["last_line"], 6);
    assert_eq!(finding["first_timestamp"], "2024-01-02 15:04:00");
    assert_eq!(finding["last_timestamp"], "2024-01-02 15:04:02");
    assert_eq!(finding["source"], path);
    assert_eq!(
        v["unknown"][0]["template"],
        "something nobody has seen before <n>"
    );
    assert_eq!(v["summary"]["lines"], 7);
}

/// `--fail-on error` and `never` with an error are tests/cmd/fail-on-*.toml;
/// here a finding's own severity decides (it comes from the catalog).
#[test]
fn fail_on_threshold() {
    // A warning-level finding does not fail --fail-on error.
    let (_, v) = json(
        &["failed get objs: failed to list objs: TooManyRequests:Too Many Requests"],
        None,
    );
    let sev = v["findings"][0]["severity"].as_str().unwrap().to_string();
    let code = doctor()
        .args([
            "--fail-on",
            "error",
            "failed get objs: failed to list objs: TooManyRequests:Too Many Requests",
        ])
        .output()
        .unwrap()
        .status
        .code();
    assert_eq!(code, Some(if sev == "error" { 1 } else { 0 }));
}

/// An unknown id is tests/cmd/exit-2-unknown-id.toml.
#[test]
fn explain() {
    doctor()
        .args(["explain", "port-in-use"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("cause:"))
        .stdout(predicate::str::contains("examples:"))
        .stdout(predicate::str::contains("source: embedded:data/"));
    let out = doctor()
        .args(["explain", "--format", "json", "port-in-use"])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["id"], "port-in-use");
    assert!(v["examples"].as_array().unwrap().len() >= 2);
}

#[test]
fn list_in_text_and_json() {
    doctor()
        .arg("list")
        .assert()
        .code(0)
        .stdout(predicate::str::contains("port-in-use"))
        .stdout(predicate::str::contains("error"));
    let out = doctor()
        .args(["list", "--format", "json"])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let entries = v["entries"].as_array().unwrap();
    assert!(entries.iter().any(|e| e["id"] == "port-in-use"));
    assert!(
        entries
            .iter()
            .all(|e| e["title"].is_string() && e["severity"].is_string())
    );
}

/// `--version` is tests/cmd/version.toml.
#[test]
fn help() {
    doctor()
        .arg("--help")
        .assert()
        .code(0)
        .stdout(predicate::str::contains("--fail-on"))
        .stdout(predicate::str::contains("EXIT STATUS"));
}

#[test]
fn user_catalog_overrides_and_extends() {
    let mut f = tempfile::Builder::new().suffix(".yaml").tempfile().unwrap();
    write!(
        f,
        r#"
- id: port-in-use
  title: "Our own port text {{port}}"
  severity: warning
  patterns: ['bind: address already in use']
  cause: c
  fix: [f]
- id: my-site-error
  title: "Our gateway said no"
  severity: error
  patterns: ['gateway said no']
  cause: c
  fix: [f]
"#
    )
    .unwrap();
    let path = f.path().to_str().unwrap();
    let (_, v) = json(&["--catalog", path, PORT, "the gateway said no"], None);
    let titles: Vec<&str> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["title"].as_str().unwrap())
        .collect();
    assert!(titles.contains(&"Our gateway said no"), "{titles:?}");
    assert!(
        titles.iter().any(|t| t.starts_with("Our own port text")),
        "{titles:?}"
    );
    // Through the environment, for CI.
    let out = doctor()
        .env("ALIST_DOCTOR_CATALOG", path)
        .args(["explain", "my-site-error"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains(path));
}

/// A capture that runs to the end of a long message is clipped, in the
/// report and in the text filled into the advice.
#[test]
fn long_captured_values_are_clipped() {
    let mut f = tempfile::Builder::new().suffix(".yaml").tempfile().unwrap();
    write!(
        f,
        "- id: boom\n  title: 'Boom: {{detail}}'\n  severity: error\n  patterns: ['boom happened: (?P<detail>.*)']\n  cause: c\n  fix: [f]\n"
    )
    .unwrap();
    let long = format!("boom happened: {}", "x".repeat(1000));
    let (_, v) = json(&["--catalog", f.path().to_str().unwrap(), &long], None);
    let finding = &v["findings"][0];
    assert_eq!(finding["id"], "boom");
    let detail = finding["captures"]["detail"].as_str().unwrap();
    assert!(
        detail.ends_with('…') && detail.len() < 210,
        "{}",
        detail.len()
    );
    assert!(finding["title"].as_str().unwrap().len() < 220);
}

#[test]
fn bad_user_catalog_is_one_clear_line() {
    let mut f = tempfile::Builder::new().suffix(".yaml").tempfile().unwrap();
    write!(
        f,
        "- id: x\n  title: t\n  severity: error\n  patterns: ['(']\n  cause: c\n  fix: [f]\n"
    )
    .unwrap();
    let path = f.path().to_str().unwrap();
    doctor()
        .args(["--catalog", path, PORT])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(format!(
            "alist-doctor: error: {path}:1: entry 'x', field 'patterns[0]': invalid regex"
        )));
}

#[test]
fn lint_embedded_and_files() {
    doctor()
        .arg("lint")
        .assert()
        .code(0)
        .stdout(predicate::str::contains("0 errors"));
    let mut f = tempfile::Builder::new().suffix(".yaml").tempfile().unwrap();
    write!(f, "- id: Bad_Id\n  title: t\n  severity: error\n  patterns: ['x']\n  cause: c\n  fix: [f]\n  bogus: 1\n").unwrap();
    doctor()
        .args(["lint", f.path().to_str().unwrap()])
        .assert()
        .code(2)
        .stdout(predicate::str::contains("unknown field `bogus`"));
}

#[test]
fn patterns_lists_every_regex() {
    let out = doctor().arg("patterns").output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.lines().count() >= 23);
    assert!(text.lines().all(|l| regex::Regex::new(l).is_ok()));
    // ripgrep joins -f patterns into one regex: no group names may repeat.
    assert!(!text.contains("(?P<") && !text.contains("(?<"));
    let all = text
        .lines()
        .map(|l| format!("(?:{l})"))
        .collect::<Vec<_>>()
        .join("|");
    assert!(
        regex::RegexBuilder::new(&all)
            .size_limit(1 << 30)
            .build()
            .is_ok()
    );
}

#[test]
fn benign_lines_in_a_log_are_quiet_but_explained_when_pasted() {
    let line = r#"WARN[2024-01-02 15:04:05] init tool aria2 failed: failed get aria2 version: Post "http://localhost:6800/jsonrpc": dial tcp 127.0.0.1:6800: connect: connection refused"#;
    let (code, v) = json(&[], Some(line));
    assert_eq!(code, 0);
    assert_eq!(ids(&v).len(), 0);
    assert_eq!(v["unknown"].as_array().unwrap().len(), 0);
    assert_eq!(v["summary"]["benign"], 1);
    let (_, v) = json(&[line], None);
    assert_eq!(ids(&v), ["offline-tool-not-running"]);
}

#[test]
fn secrets_are_not_echoed() {
    let text = "ERRO[2024-01-02 15:04:05] failed get objs: failed to list objs: Get \"https://openapi.alipan.com/x?access_token=SECRETVALUE123\": net/http: TLS handshake timeout";
    for fmt in ["text", "json"] {
        let out = doctor().args(["--format", fmt, text]).output().unwrap();
        let s = String::from_utf8_lossy(&out.stdout);
        assert!(!s.contains("SECRETVALUE123"), "{fmt}: {s}");
    }
    let out = doctor().args(["--no-redact", text]).output().unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("SECRETVALUE123"));
}

#[test]
fn list_filters_and_sources() {
    let out = doctor()
        .args(["list", "--severity", "info", "--source"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.lines().count() > 0);
    assert!(
        text.lines()
            .all(|l| l.contains(" info ") && l.contains("(embedded:data/")),
        "{text}"
    );
    let out = doctor()
        .args(["list", "--driver", "aliyundriveopen", "--format", "json"])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let entries = v["entries"].as_array().unwrap();
    assert!(!entries.is_empty());
    assert!(
        entries
            .iter()
            .all(|e| e["drivers"].to_string().contains("AliyundriveOpen"))
    );
    let out = doctor().args(["list", "--tag", "crash"]).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("go-panic") && !text.contains("port-in-use"),
        "{text}"
    );
}

/// One broken user catalog per lint message, each named with file, line,
/// entry and field.
#[test]
fn lint_messages_are_precise() {
    let cases: &[(&str, &str)] = &[
        ("- id: a\n  title: [unclosed\n", ":2:"),
        (
            "- id: a\n  title: t\n  severity: error\n  patterns: ['x']\n  cause: c\n  fix: [f]\n  colour: red\n",
            "unknown field `colour`",
        ),
        (
            "- id: a\n  title: t\n  severity: error\n  patterns: ['xyz1']\n  cause: c\n  fix: [f]\n- id: a\n  title: t\n  severity: error\n  patterns: ['xyz2']\n  cause: c\n  fix: [f]\n",
            ":7: error: entry 'a', field 'id': duplicate id",
        ),
        (
            "- id: a\n  title: t\n  severity: error\n  patterns: ['abc(']\n  cause: c\n  fix: [f]\n",
            "entry 'a', field 'patterns[0]': invalid regex",
        ),
        (
            "- id: a\n  title: t\n  severity: error\n  patterns: ['abcdef']\n  cause: c\n  fix: [f]\n  examples: ['abcdef', 'nothing']\n",
            "entry 'a', field 'examples[1]': example does not diagnose as this entry: nothing matches",
        ),
        (
            "- id: a\n  title: t\n  severity: error\n  patterns: ['abcdef']\n  cause: c\n  fix: [f]\n  counter_examples: ['xx abcdef']\n",
            "entry 'a', field 'counter_examples[0]': counter-example matches this entry",
        ),
        (
            "- id: a\n  title: 'port {port}'\n  severity: error\n  patterns: ['abcdef']\n  cause: c\n  fix: [f]\n",
            "entry 'a', field 'title': placeholder {port} names no capture",
        ),
        (
            "- id: a\n  title: t\n  severity: error\n  patterns: ['abcdef']\n  cause: c\n  fix: [f]\n",
            "warning: entry 'a', field 'zh': no Simplified Chinese text",
        ),
        (
            "- id: a\n  title: t\n  severity: error\n  patterns: ['abcdef: ([^\"]{0,120})']\n  cause: c\n  fix: [f]\n",
            "warning: entry 'a', field 'patterns[0]': counted repetition {0,120}",
        ),
    ];
    for (yaml, expect) in cases {
        let mut f = tempfile::Builder::new().suffix(".yaml").tempfile().unwrap();
        f.write_all(yaml.as_bytes()).unwrap();
        let path = f.path().to_str().unwrap().to_string();
        let out = doctor().args(["lint", &path]).output().unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.contains(expect), "expected {expect:?} in:\n{text}");
        assert!(text.contains(&path), "names the file: {text}");
        let warning_only = expect.starts_with("warning");
        assert_eq!(
            out.status.code(),
            Some(if warning_only { 0 } else { 2 }),
            "{text}"
        );
    }
}

/// Two entries each explaining every example of the other are named as
/// near-duplicates (here one of them also fails to rank its own example
/// first, an error, so lint exits 2).
#[test]
fn lint_names_near_duplicates() {
    let yaml = "- id: a\n  title: t\n  severity: error\n  patterns: ['quota exceeded']\n  cause: c\n  fix: [f]\n  examples: ['frob quota exceeded']\n- id: b\n  title: t\n  severity: error\n  patterns: ['frob quota']\n  cause: c\n  fix: [f]\n  examples: ['frob quota exceeded now']\n";
    let mut f = tempfile::Builder::new().suffix(".yaml").tempfile().unwrap();
    f.write_all(yaml.as_bytes()).unwrap();
    let out = doctor()
        .args(["lint", f.path().to_str().unwrap()])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains(":1: warning: entry 'a', field 'examples': near-duplicate of 'b'"),
        "{text}"
    );
    assert_eq!(text.matches("near-duplicate").count(), 1, "{text}");
    assert_eq!(out.status.code(), Some(2), "{text}");
}

/// `--docs openlist` is tests/cmd/docs-openlist.toml.
#[test]
fn config_directory_catalogs() {
    let dir = tempfile::tempdir().unwrap();
    let cat_d = dir.path().join("alist-doctor").join("catalog.d");
    std::fs::create_dir_all(&cat_d).unwrap();
    std::fs::write(
        cat_d.join("local.yaml"),
        "- id: from-config-dir\n  title: From the config dir\n  severity: info\n  patterns: ['our nas said hello']\n  cause: c\n  fix: [f]\n",
    )
    .unwrap();
    let out = doctor()
        .env("XDG_CONFIG_HOME", dir.path())
        .args(["--format", "json", "our NAS said hello"])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(ids(&v), ["from-config-dir"]);
    let out = doctor()
        .env("XDG_CONFIG_HOME", dir.path())
        .args(["list", "--source"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("local.yaml"));
}

/// Options every command takes may come before the subcommand's name.
#[test]
fn shared_options_before_the_subcommand() {
    let out = doctor()
        .args(["--lang", "zh", "explain", "port-in-use"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.starts_with("错误[port-in-use]"), "{text}");
    let out = doctor()
        .args([
            "--color=never",
            "--lang",
            "zh",
            "list",
            "--severity",
            "info",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    // Every row is an info entry, its severity written in Chinese.
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(!text.is_empty());
    assert!(text.lines().all(|l| l.contains("提示")), "{text}");
    // A diagnosis option does not apply to a subcommand: the word is a paste.
    let out = doctor()
        .args(["--format", "json", "list"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("`list` is a command: give it first"), "{err}");
}
