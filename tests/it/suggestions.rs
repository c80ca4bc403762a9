//! Suggestions for partial text and "collect this", through the binary:
//! where they appear (per paste; per unknown template in a log), in every
//! format, never in exit codes; and `explain`'s did-you-mean, which uses
//! the same engine.

use serde_json::Value;

use crate::util::{doctor, ids, json};

fn suggested(v: &Value) -> Vec<String> {
    v["suggestions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap().to_string())
        .collect()
}

/// A paraphrase in Chinese (no message, only its words) is answered by
/// the entry whose keywords it holds; a suggestion is no finding.
#[test]
fn a_paraphrase_gets_a_suggestion_and_exit_0() {
    let (code, v) = json(&["--", "网页上传大文件时提示文件太大"], None);
    assert_eq!(code, 0, "a suggestion never fails a run");
    assert!(ids(&v).is_empty(), "{v:#}");
    let s = &v["suggestions"][0];
    assert_eq!(s["id"], "upload-413-body-too-large");
    assert_eq!(s["source"], "<arg 1>");
    assert!(s["score"].as_f64().unwrap() > 0.0);
    assert!(
        s["words"]
            .as_array()
            .unwrap()
            .iter()
            .any(|w| w == "文件太大"),
        "{s}"
    );
    assert!(suggested(&v).len() <= 3);
    // --fail-on has nothing to act on either.
    let (code, _) = json(
        &["--fail-on", "info", "--", "网页上传大文件时提示文件太大"],
        None,
    );
    assert_eq!(code, 0);
}

/// A message cut mid-word, or cut after a few words of a known message,
/// is matched by the start of what it lost.
#[test]
fn a_cut_message_is_recognised_by_its_start() {
    let (_, v) = json(&["--", "failed to init storage: current regio"], None);
    assert_eq!(
        suggested(&v).first().map(String::as_str),
        Some("region-pikpak-share"),
        "{v:#}"
    );
    let words = v["suggestions"][0]["words"].to_string();
    assert!(words.contains('…'), "the cut piece is marked: {words}");
}

/// A finding of a specific entry leaves no room for suggestions; a bare
/// wrapper (a fallback) does.
#[test]
fn suggestions_only_where_no_specific_entry_answers() {
    let (_, v) = json(
        &[
            "--",
            "failed to start: listen tcp 0.0.0.0:5244: bind: address already in use",
        ],
        None,
    );
    assert_eq!(ids(&v), ["port-in-use"]);
    assert!(suggested(&v).is_empty(), "{v:#}");
    let (_, v) = json(
        &[
            "--",
            "failed get objs: sharing is not available in the curr",
        ],
        None,
    );
    assert_eq!(ids(&v)[0], "list-failed");
    assert_eq!(suggested(&v)[0], "region-pikpak-share");
}

/// Routine lines say nothing went wrong: no suggestion, no "collect this".
#[test]
fn routine_text_gets_nothing() {
    for text in [
        "INFO[2024-01-01 10:00:00] start HTTP server @ 0.0.0.0:5244",
        "我想问一下怎么挂载阿里云盘",
        "how do I add a storage",
    ] {
        let (code, v) = json(&["--", text], None);
        assert_eq!(
            (code, ids(&v), suggested(&v)),
            (0, vec![], vec![]),
            "{text}"
        );
    }
}

/// Text that says something failed but not what gets the info finding
/// that says what to collect; a status code an entry explains keeps it.
#[test]
fn collect_this_when_nothing_can_be_used() {
    for text in [
        "Request failed with status code 500",
        "服务器错误",
        "it shows an error",
    ] {
        let (_, v) = json(&["--", text], None);
        assert_eq!(ids(&v), ["collect-more-details"], "{text}: {v:#}");
        assert_eq!(v["findings"][0]["severity"], "info");
    }
    let (_, v) = json(&["--", "Request failed with status code 413"], None);
    assert_eq!(ids(&v), ["upload-413-body-too-large"]);
    // An error line no entry knows is an unknown error to report, not
    // "collect this", alone or next to other lines of the same paste.
    for text in [
        "ERRO[2024-01-01 10:00:00] failed frobnicate /a: code 17",
        "it shows an error\nERRO[2024-01-01 10:00:00] failed frobnicate /a: code 17",
    ] {
        let (_, v) = json(&["--", text], None);
        assert!(ids(&v).is_empty(), "{text}: {v:#}");
        assert_eq!(
            v["unknown"][0]["template"],
            "failed frobnicate <path>: code <n>"
        );
    }
    // Next to a real answer it is neither shown nor listed as an alternative.
    let (_, v) = json(&["--", "failed to list objs: current regio"], None);
    assert!(!v.to_string().contains("collect-more-details"), "{v:#}");
}

/// In a log: never "collect this", never a suggestion per line; an unknown
/// error template gets its suggestions once.
#[test]
fn in_a_log_suggestions_are_per_unknown_template() {
    let log = "ERRO[2024-01-01 10:00:00] it shows an error\n\
               ERRO[2024-01-01 10:00:01] failed frobnicate /a: TooManyRequest\n\
               ERRO[2024-01-01 10:00:02] failed frobnicate /b: TooManyRequest\n";
    let (_, v) = json(&[], Some(log));
    assert!(ids(&v).is_empty(), "{v:#}");
    assert!(
        suggested(&v).is_empty(),
        "a log has no per-paste suggestions"
    );
    let unknown = v["unknown"].as_array().unwrap();
    let frob = unknown
        .iter()
        .find(|u| u["template"].as_str().unwrap().contains("frobnicate"))
        .unwrap();
    assert_eq!(frob["count"], 2);
    assert_eq!(
        frob["suggestions"][0]["id"],
        "aliyundrive-open-too-many-requests"
    );
    assert!(frob["suggestions"][0].get("source").is_none());

    let out = doctor()
        .args(["--format", "ndjson"])
        .write_stdin(log)
        .output()
        .unwrap();
    let lines: Vec<Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let frob: Vec<&Value> = lines
        .iter()
        .filter(|l| {
            l["type"] == "unknown" && l["template"].as_str().unwrap().contains("frobnicate")
        })
        .collect();
    assert!(!frob.is_empty());
    for l in &frob {
        assert_eq!(l.get("suggestions").is_some(), l["new"] == true, "{l}");
    }
}

#[test]
fn every_format_carries_suggestions() {
    let text = "网页上传大文件时提示文件太大";
    let out = doctor().args(["--", text]).output().unwrap();
    let s = String::from_utf8(out.stdout).unwrap();
    assert!(
        s.contains("Possibly") && s.contains("upload-413-body-too-large"),
        "{s}"
    );
    let out = doctor()
        .args(["--lang", "zh", "--", text])
        .output()
        .unwrap();
    let s = String::from_utf8(out.stdout).unwrap();
    assert!(
        s.contains("可能是") && s.contains("上传被反向代理拒绝"),
        "{s}"
    );

    let out = doctor()
        .args(["--format", "ndjson", "--", text])
        .output()
        .unwrap();
    let s = String::from_utf8(out.stdout).unwrap();
    let kinds: Vec<String> = s
        .lines()
        .map(|l| {
            serde_json::from_str::<Value>(l).unwrap()["type"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(kinds.first().map(String::as_str), Some("suggestion"));
    assert_eq!(kinds.last().map(String::as_str), Some("summary"));
    assert!(
        kinds[..kinds.len() - 1].iter().all(|k| k == "suggestion"),
        "{kinds:?}"
    );

    let out = doctor()
        .args(["--format", "sarif", "--", text])
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        v["runs"][0]["properties"]["suggestions"][0]["id"],
        "upload-413-body-too-large"
    );
    assert!(v["runs"][0]["results"].as_array().unwrap().is_empty());
}

/// `explain` with an id that does not exist: ids holding its words, then
/// what the engine finds for it, then typos; nothing for nonsense.
#[test]
fn explain_did_you_mean() {
    let err = |q: &str| {
        let out = doctor().args(["explain", q]).output().unwrap();
        assert_eq!(out.status.code(), Some(2));
        String::from_utf8(out.stderr).unwrap()
    };
    assert!(err("onedrive-refresh").contains("did you mean 'onedrive-refresh-token-expired'"));
    assert!(err("port").contains("'port-in-use'"));
    assert!(err("TooManyRequest").contains("'aliyundrive-open-too-many-requests'"));
    assert!(err("port-in-sue").contains("did you mean 'port-in-use'"));
    let e = err("xyzzy");
    assert!(!e.contains("did you mean") && e.lines().count() == 1, "{e}");
}
