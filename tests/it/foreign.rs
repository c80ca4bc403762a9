//! Other programs' lines (`tests/fixtures/foreign.jsonl`: rclone, docker,
//! Prometheus, nginx, Python, Java, the kernel, postfix… each written from
//! that program's source or documentation, cited per line) never raise an
//! error or warning finding, piped as a log with their carriers. Those
//! marked `"how": "paste"` stay quiet pasted alone too. Lines marked
//! `"bare"` are asked neither: a message with nothing in it that names its
//! program is, brought to an AList tool, the user's AList problem by design.
//! `foreign-alist.jsonl` holds other programs' lines about AList's own
//! servers (a client of its WebDAV, a proxy in front of it, the OOM killer
//! naming it): those are AList's problem, diagnosed first by `expect`.

use serde_json::Value;

use crate::util::doctor;

fn cases(name: &str) -> Vec<Value> {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// Findings per input: each case is its own `--file` (a log) or argument.
/// (A finding repeated in a later input counts under the first one.)
fn run(texts: &[&str], log: bool) -> Vec<Vec<(String, String)>> {
    let dir = tempfile::tempdir().unwrap();
    let mut c = doctor();
    c.args(["--format", "json"]);
    if !log {
        c.arg("--");
    }
    for (i, t) in texts.iter().enumerate() {
        if log {
            let p = dir.path().join(format!("{i}.log"));
            std::fs::write(&p, format!("{t}\n")).unwrap();
            c.arg("--file").arg(p);
        } else {
            c.arg(t);
        }
    }
    let v: Value = serde_json::from_slice(&c.output().unwrap().stdout).unwrap();
    let names: Vec<String> = (0..texts.len())
        .map(|i| {
            if log {
                dir.path().join(format!("{i}.log")).display().to_string()
            } else {
                format!("<arg {}>", i + 1)
            }
        })
        .collect();
    names
        .iter()
        .map(|n| {
            v["findings"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|f| f["source"] == n.as_str())
                .map(|f| {
                    (
                        f["id"].as_str().unwrap().to_string(),
                        f["severity"].as_str().unwrap().to_string(),
                    )
                })
                .collect()
        })
        .collect()
}

#[test]
fn other_programs_lines_stay_quiet() {
    let all = cases("foreign.jsonl");
    assert!(all.len() >= 50, "{} lines", all.len());
    let text = |c: &Value| c["text"].as_str().unwrap().to_string();
    let mut loud = Vec::new();
    // A bare line (nothing in it names its program) read as a log is as
    // much the user's AList problem as when pasted: not asked of it.
    let logs: Vec<String> = all.iter().filter(|c| c["bare"] != true).map(text).collect();
    let refs: Vec<&str> = logs.iter().map(String::as_str).collect();
    let not_bare = all.iter().filter(|c| c["bare"] != true);
    for (c, found) in not_bare.zip(run(&refs, true)) {
        let bad: Vec<_> = found.iter().filter(|(_, s)| s != "info").collect();
        if !bad.is_empty() {
            loud.push(format!("log [{}] {bad:?}: {}", c["program"], text(c)));
        }
    }
    let pasted: Vec<&Value> = all
        .iter()
        .filter(|c| c["how"] == "paste" && c["bare"] != true)
        .collect();
    let texts: Vec<String> = pasted.iter().map(|c| text(c)).collect();
    let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
    for (c, found) in pasted.iter().zip(run(&refs, false)) {
        let bad: Vec<_> = found.iter().filter(|(_, s)| s != "info").collect();
        if !bad.is_empty() {
            loud.push(format!("paste [{}] {bad:?}: {}", c["program"], text(c)));
        }
    }
    assert!(loud.is_empty(), "{} loud:\n{}", loud.len(), loud.join("\n"));
}

#[test]
fn other_programs_lines_about_alist_are_alists_problem() {
    let all: Vec<Value> = cases("foreign-alist.jsonl")
        .into_iter()
        .filter(|c| c["expect"].is_string())
        .collect();
    assert!(all.len() >= 15, "{}", all.len());
    let mut wrong = Vec::new();
    // One run per case: repeats of a finding collapse across inputs.
    for c in &all {
        let found = run(&[c["text"].as_str().unwrap()], c["how"] == "log");
        let first = found[0].first().map(|(id, _)| id.as_str());
        if first != c["expect"].as_str() {
            wrong.push(format!(
                "[{}] expected {}, got {first:?}",
                c["program"], c["expect"]
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
