//! Secret placements (`tests/fixtures/secrets.tsv`) through the real binary:
//! read as files, as pasted arguments and from standard input, in every
//! output (text, text in Chinese, json, ndjson, github with its step
//! summary, sarif, `--statistics`, `--statistics --format json`). No
//! 8-character piece of a secret may come out, decoded or not; every value
//! marked to keep comes out intact wherever its line is shown; an access
//! key id comes out as its first and last four characters only. Many
//! placements go through one run, so the test stays quick.

use std::collections::HashSet;
use std::path::Path;

use serde_json::Value;

use crate::util::doctor_std;

/// A placement: one log line of the table, with what it hides and keeps.
struct Placement {
    /// Line in the table, for messages.
    row: usize,
    known: bool,
    what: String,
    /// The log line as given to the tool, with its tag.
    text: String,
    /// A word put into the line to find it in the outputs.
    tag: String,
    secrets: Vec<String>,
    /// Values that must come out intact where the line is shown (access
    /// key ids as they are shown).
    keep: Vec<String>,
}

const TABLE: &str = include_str!("../fixtures/secrets.tsv");

/// Placements per run of the tool.
const BATCH: usize = 60;

fn tag(i: usize) -> String {
    // Letters that are not hex digits, so a template keeps the word.
    let letters: Vec<char> = ('g'..='z').collect();
    let n = letters.len();
    format!(
        "case{}{}{}",
        letters[i / (n * n) % n],
        letters[i / n % n],
        letters[i % n]
    )
}

fn table() -> Vec<Placement> {
    let marker = regex::Regex::new(r"\{\{(SECRET|KEEP|KEYID|PAD):([^}]*)\}\}").unwrap();
    let mut out = Vec::new();
    for (n, line) in TABLE.lines().enumerate() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let cols: Vec<&str> = line.splitn(4, '\t').collect();
        assert_eq!(cols.len(), 4, "line {}: four columns", n + 1);
        let (mut secrets, mut keep) = (Vec::new(), Vec::new());
        let text = marker.replace_all(cols[3], |c: &regex::Captures<'_>| {
            let v = c[2].to_string();
            match &c[1] {
                "SECRET" => {
                    assert!(
                        v.len() >= 8,
                        "line {}: secret {v} is too short to test",
                        n + 1
                    );
                    secrets.push(v.clone());
                    v
                }
                "KEEP" => {
                    keep.push(v.clone());
                    v
                }
                "KEYID" => {
                    let chars: Vec<char> = v.chars().collect();
                    let head: String = chars[..4].iter().collect();
                    let tail: String = chars[chars.len() - 4..].iter().collect();
                    keep.push(format!("{head}…{tail}"));
                    secrets.push(v.clone());
                    v
                }
                _ => "x".repeat(v.parse().unwrap()),
            }
        });
        let tag = tag(out.len());
        // After the `ERRO[…] ` head: the line's own start.
        let text = match text.find("] ") {
            Some(i) if text.starts_with("ERRO[") || text.starts_with("WARN[") => {
                format!("{} {tag} {}", &text[..=i], &text[i + 2..])
            }
            _ => format!("{tag} {text}"),
        };
        out.push(Placement {
            row: n + 1,
            known: match cols[0] {
                "known" => true,
                "unknown" => false,
                other => panic!("line {}: expect is known or unknown, not {other}", n + 1),
            },
            what: format!("{}/{}", cols[1], cols[2]),
            text,
            tag,
            secrets,
            keep,
        });
    }
    out
}

#[derive(Clone, Copy, Debug)]
enum Mode {
    File,
    Paste,
    Stdin,
}

const OUTPUTS: &[(&str, &[&str])] = &[
    ("text", &[]),
    ("text-zh", &["--lang", "zh"]),
    ("json", &["--format", "json"]),
    ("ndjson", &["--format", "ndjson"]),
    ("github", &["--format", "github"]),
    ("sarif", &["--format", "sarif"]),
    ("statistics", &["--statistics"]),
    ("statistics-json", &["--statistics", "--format", "json"]),
];

/// What one run printed: stdout, stderr, the step summary.
struct Printed {
    stdout: String,
    stderr: String,
    summary: String,
}

fn run(mode: Mode, batch: &[&Placement], output: &[&str], dir: &Path) -> Printed {
    let mut c = doctor_std();
    c.args(output);
    let summary = dir.join("step-summary.md");
    let _ = std::fs::remove_file(&summary);
    c.env("GITHUB_STEP_SUMMARY", &summary);
    match mode {
        Mode::File => {
            for p in batch {
                c.arg("--file").arg(dir.join(format!("{}.log", p.tag)));
            }
        }
        Mode::Paste => {
            c.arg("--");
            for p in batch {
                c.arg(&p.text);
            }
        }
        Mode::Stdin => {}
    }
    let stdin = match mode {
        Mode::Stdin => batch.iter().map(|p| format!("{}\n", p.text)).collect(),
        _ => String::new(),
    };
    c.stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let mut child = c.spawn().unwrap();
    {
        use std::io::Write;
        let mut input = child.stdin.take().unwrap();
        input.write_all(stdin.as_bytes()).unwrap();
    }
    let out = child.wait_with_output().unwrap();
    let printed = Printed {
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        summary: std::fs::read_to_string(&summary).unwrap_or_default(),
    };
    assert!(
        !printed.stderr.contains("panicked") && out.status.code().is_some_and(|c| c < 101),
        "{mode:?} {output:?}: {:?}\n{}",
        out.status,
        printed.stderr
    );
    printed
}

/// Every string in a JSON value, decoded.
fn strings(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::String(s) => out.push(s.clone()),
        Value::Array(a) => a.iter().for_each(|v| strings(v, out)),
        Value::Object(o) => o.values().for_each(|v| strings(v, out)),
        _ => {}
    }
}

/// The JSON documents of an output (one, or one per line for ndjson).
fn documents(name: &str, stdout: &str) -> Vec<Value> {
    match name {
        "json" | "sarif" | "statistics-json" => vec![serde_json::from_str(stdout).unwrap()],
        "ndjson" => stdout
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect(),
        _ => Vec::new(),
    }
}

/// The texts an output shows each line as, where a line's kept values
/// must all be: (text, whether it is an occurrence of its own, ndjson).
fn shown_texts(name: &str, printed: &Printed, docs: &[Value]) -> Vec<(String, Option<bool>)> {
    let mut out = Vec::new();
    let s = |v: &Value| v.as_str().unwrap_or_default().to_string();
    match name {
        "json" => {
            let v = &docs[0];
            for f in v["findings"].as_array().unwrap() {
                out.push((s(&f["matched"]), None));
                for x in f["samples"].as_array().unwrap() {
                    out.push((s(x), None));
                }
            }
            for u in v["unknown"].as_array().unwrap() {
                out.push((s(&u["sample"]), None));
            }
        }
        "ndjson" => {
            for v in docs {
                match v["type"].as_str() {
                    Some("finding") => out.push((s(&v["matched"]), Some(true))),
                    Some("unknown") => out.push((s(&v["sample"]), Some(false))),
                    _ => {}
                }
            }
        }
        "sarif" => {
            for r in docs[0]["runs"][0]["results"].as_array().unwrap() {
                out.push((s(&r["message"]["text"]), None));
            }
        }
        "text" | "text-zh" => {
            for l in printed.stdout.lines() {
                if l.starts_with("   | ") || l.contains(" e.g. ") {
                    out.push((l.to_string(), None));
                }
            }
        }
        "github" => {
            for l in printed.stdout.lines().filter(|l| l.starts_with("::")) {
                // The message, unescaped (`%0A` line breaks, `%25` percent).
                let msg = l.split_once("::").map_or("", |(_, m)| m);
                let msg = msg.split_once("::").map_or("", |(_, m)| m);
                out.push((msg.replace("%0A", "\n").replace("%25", "%"), None));
            }
        }
        _ => {}
    }
    out
}

/// Runs every placement in `mode` through every output and checks them.
fn check_mode(mode: Mode) {
    let table = table();
    let dir = tempfile::tempdir().unwrap();
    let mut failures = Vec::new();
    for batch in table.iter().collect::<Vec<_>>().chunks(BATCH) {
        if let Mode::File = mode {
            for p in batch {
                std::fs::write(
                    dir.path().join(format!("{}.log", p.tag)),
                    format!("{}\n", p.text),
                )
                .unwrap();
            }
        }
        for (name, args) in OUTPUTS {
            let printed = run(mode, batch, args, dir.path());
            let docs = documents(name, &printed.stdout);
            // Everything printed, as printed and decoded.
            let mut hay = vec![
                printed.stdout.clone(),
                printed.stderr.clone(),
                printed.summary.clone(),
            ];
            for d in &docs {
                strings(d, &mut hay);
            }
            let windows: HashSet<&[u8]> =
                hay.iter().flat_map(|h| h.as_bytes().windows(8)).collect();
            for p in batch {
                for secret in &p.secrets {
                    if let Some(w) = secret.as_bytes().windows(8).find(|w| windows.contains(w)) {
                        failures.push(format!(
                            "{mode:?} {name}: row {} ({}) leaks {:?} of {secret}",
                            p.row,
                            p.what,
                            String::from_utf8_lossy(w)
                        ));
                    }
                }
            }
            let shown = shown_texts(name, &printed, &docs);
            for p in batch {
                let mine: Vec<&(String, Option<bool>)> =
                    shown.iter().filter(|(t, _)| t.contains(&p.tag)).collect();
                for (t, _) in &mine {
                    for k in &p.keep {
                        if !t.contains(k.as_str()) {
                            failures.push(format!(
                                "{mode:?} {name}: row {} ({}) lost {k}: {t}",
                                p.row, p.what
                            ));
                        }
                    }
                }
                // ndjson shows every occurrence: each line is there, a
                // finding or an unknown error as the table says.
                if *name == "ndjson" {
                    if mine.is_empty() {
                        failures.push(format!(
                            "{mode:?} ndjson: row {} ({}) is not shown",
                            p.row, p.what
                        ));
                    } else if !mine.iter().any(|(_, finding)| *finding == Some(p.known)) {
                        failures.push(format!(
                            "{mode:?} ndjson: row {} ({}) should be {}",
                            p.row,
                            p.what,
                            if p.known {
                                "a finding"
                            } else {
                                "an unknown error"
                            }
                        ));
                    }
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn the_table_is_big_enough() {
    let table = table();
    let secrets: usize = table.iter().map(|p| p.secrets.len()).sum();
    assert!(secrets >= 150, "{secrets} placements");
    assert!(table.iter().any(|p| p.known) && table.iter().any(|p| !p.known));
    assert!(table.iter().map(|p| p.keep.len()).sum::<usize>() >= 50);
    let tags: HashSet<&str> = table.iter().map(|p| p.tag.as_str()).collect();
    assert_eq!(tags.len(), table.len());
}

#[test]
fn no_secret_comes_out_of_files() {
    check_mode(Mode::File);
}

#[test]
fn no_secret_comes_out_of_pasted_text() {
    check_mode(Mode::Paste);
}

#[test]
fn no_secret_comes_out_of_standard_input() {
    check_mode(Mode::Stdin);
}
