//! The development set: 190 texts users pasted into the AList and OpenList
//! trackers (`../shared/eval/dev_cases.jsonl`, read where the project's
//! shared material lives, like the bench generator). Each runs through the
//! real binary as its README says (`message` and `negative` as one
//! argument, `log` on standard input); the first answer (first finding, or
//! else first suggestion) must be an acceptable id, and a negative must
//! raise no error or warning finding.
//!
//! Without `../shared` the test is skipped with a note, except under
//! `CI=true`, where the set must be there.

use std::path::PathBuf;
use std::sync::Mutex;

use serde_json::Value;

use crate::util::doctor_std;

/// Cases no entry fitted when the set was made (`acceptable_ids` empty):
/// the entry written for each, by the case's line number (the thread
/// reference is not unique in the set).
const WRITTEN_FOR: &[(usize, &str)] = &[
    (64, "token-relay-unavailable"),
    (68, "aliyundrive-open-token-verify-failed"),
    (69, "aliyundrive-open-token-verify-failed"),
    (72, "s3-multipart-too-many-parts"),
    (73, "pikpak-file-not-found"),
    (81, "terabox-precreate-api-change"),
    (82, "terabox-dlink-access-denied"),
    (86, "pikpak-file-not-found"),
    (88, "strm-object-not-found"),
    (100, "daemon-start-binary-not-found"),
    (101, "daemon-start-binary-not-found"),
    (106, "yun139-api-host-not-set"),
    (107, "ilanzou-openlist-user-agent-blocked"),
    (111, "aliyundrive-oss-concurrency-limit"),
    (114, "quark-folder-too-large"),
    (118, "aliyundrive-link-needs-referer"),
    (129, "cli-v2-flags-rejected"),
    (130, "frontend-ipa-name-invalid-character"),
    (163, "dav-client-forbidden"),
    (166, "aliyundrive-drive-id-empty"),
    (168, "aliyundrive-drive-id-empty"),
    (184, "cloud189-pc-login-params-null"),
    (186, "alist-v2-admin-token-invalid"),
];

/// The share of cases with an expected id whose first answer must be right.
const REQUIRED: f64 = 0.95;

fn dev_set() -> Option<PathBuf> {
    let p = PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/eval/dev_cases.jsonl"
    ));
    if p.exists() {
        return Some(p);
    }
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "CI=true but the development set {} is missing",
        p.display()
    );
    println!(
        "skipped: {} is not here (the shared material sits next to the checkout)",
        p.display()
    );
    None
}

struct Case {
    line: usize,
    kind: String,
    text: String,
    expect: Vec<String>,
}

/// The first answer and whether an error or warning finding was raised.
fn answer(c: &Case) -> (Option<String>, Vec<String>) {
    let mut cmd = doctor_std();
    cmd.args(["--format", "json"]);
    let out = if c.kind == "log" {
        use std::io::Write;
        let mut child = cmd
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let mut stdin = child.stdin.take().unwrap();
        let text = c.text.clone();
        let writer = std::thread::spawn(move || stdin.write_all(text.as_bytes()));
        let out = child.wait_with_output().unwrap();
        writer.join().unwrap().unwrap();
        out
    } else {
        cmd.arg("--").arg(&c.text).output().unwrap()
    };
    let v: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "case {}: stdout is not JSON ({e}); stderr: {}",
            c.line,
            String::from_utf8_lossy(&out.stderr)
        )
    });
    let id = |x: &Value| x["id"].as_str().map(str::to_string);
    let first = v["findings"]
        .get(0)
        .and_then(id)
        .or_else(|| v["suggestions"].get(0).and_then(id));
    let loud = v["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|f| matches!(f["severity"].as_str(), Some("error" | "warning")))
        .filter_map(id)
        .collect();
    (first, loud)
}

#[test]
fn development_set_first_answers() {
    let Some(path) = dev_set() else { return };
    let known: std::collections::BTreeSet<&str> =
        alist_doctor::testing::entry_ids().into_iter().collect();
    let mut cases = Vec::new();
    for (n, l) in std::fs::read_to_string(&path).unwrap().lines().enumerate() {
        if l.trim().is_empty() {
            continue;
        }
        let v: Value = serde_json::from_str(l).unwrap();
        let line = n + 1;
        let mut expect: Vec<String> = v["acceptable_ids"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|x| x.as_str().map(str::to_string))
            .collect();
        let kind = v["kind"].as_str().unwrap().to_string();
        if expect.is_empty() && kind != "negative" {
            let (_, id) = WRITTEN_FOR
                .iter()
                .find(|(l, _)| *l == line)
                .unwrap_or_else(|| {
                    panic!("case {line} has no acceptable id and none written for it")
                });
            expect.push(id.to_string());
        }
        for id in &expect {
            assert!(
                known.contains(id.as_str()),
                "case {line}: {id} is not a catalog id"
            );
        }
        let text = v["text"].as_str().unwrap().to_string();
        cases.push(Case {
            line,
            kind,
            text,
            expect,
        });
    }
    assert_eq!(cases.len(), 190, "the development set changed size");

    // Two at a time: the cases are independent runs of the binary.
    let next = Mutex::new(0usize);
    let results = Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for _ in 0..2 {
            s.spawn(|| {
                loop {
                    let i = {
                        let mut n = next.lock().unwrap();
                        *n += 1;
                        *n - 1
                    };
                    let Some(c) = cases.get(i) else { break };
                    let got = answer(c);
                    results.lock().unwrap().push((i, got));
                }
            });
        }
    });
    let mut results = results.into_inner().unwrap();
    results.sort_by_key(|r| r.0);

    let mut per_kind: std::collections::BTreeMap<&str, (usize, usize)> = Default::default();
    let (mut wrong, mut alarms) = (Vec::new(), Vec::new());
    for (i, (first, loud)) in results {
        let c = &cases[i];
        let ok = if c.kind == "negative" {
            if !loud.is_empty() {
                alarms.push(format!("case {}: {loud:?}", c.line));
            }
            loud.is_empty()
        } else {
            let ok = first.as_ref().is_some_and(|f| c.expect.contains(f));
            if !ok {
                wrong.push(format!(
                    "case {} ({}): expected {:?}, got {first:?}",
                    c.line, c.kind, c.expect
                ));
            }
            ok
        };
        let k = per_kind.entry(c.kind.as_str()).or_default();
        k.0 += usize::from(ok);
        k.1 += 1;
    }
    for (kind, (ok, all)) in &per_kind {
        println!("{kind}: {ok} / {all} first answers right");
    }
    for w in wrong.iter().chain(&alarms) {
        println!("  {w}");
    }
    let expected: usize = per_kind
        .iter()
        .filter(|(k, _)| **k != "negative")
        .map(|(_, v)| v.1)
        .sum();
    let right = expected - wrong.len();
    assert!(
        alarms.is_empty(),
        "negatives raised error or warning findings:\n{}",
        alarms.join("\n")
    );
    assert!(
        right as f64 >= REQUIRED * expected as f64,
        "{right} of {expected} first answers right, below {REQUIRED}:\n{}",
        wrong.join("\n")
    );
}
