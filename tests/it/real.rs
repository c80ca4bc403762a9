//! Real texts from the trackers (`tests/real/*.jsonl`): what users actually
//! pasted, machine-printed lines only, each with the thread it came from
//! and the entry that must be its first finding. One object a line:
//! `{"text", "source": "owner/repo#N", "expect": "<id>", "kind"?: "log"}`.

use std::collections::BTreeSet;

use alist_doctor::testing;
use serde_json::Value;

#[test]
fn every_real_text_is_diagnosed_first_by_its_entry() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/real");
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "jsonl"))
        .collect();
    files.sort();
    let ids: BTreeSet<&str> = testing::entry_ids().into_iter().collect();
    let thread = regex::Regex::new(r"^[\w.-]+/[\w.-]+#[0-9]+$").unwrap();
    let (mut texts, mut threads, mut wrong) = (0, BTreeSet::new(), Vec::new());
    for f in &files {
        let name = f.file_name().unwrap().to_string_lossy().into_owned();
        for (n, line) in std::fs::read_to_string(f).unwrap().lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            let v: Value = serde_json::from_str(line)
                .unwrap_or_else(|e| panic!("{name}:{}: not JSON: {e}", n + 1));
            let (text, source, expect) = (
                v["text"].as_str().unwrap_or_default(),
                v["source"].as_str().unwrap_or_default(),
                v["expect"].as_str().unwrap_or_default(),
            );
            assert!(
                !text.is_empty() && thread.is_match(source) && ids.contains(expect),
                "{name}:{}: needs text, a source owner/repo#N and a known id: {line}",
                n + 1
            );
            texts += 1;
            threads.insert(source.to_string());
            let paste = v["kind"].as_str() != Some("log");
            let got = testing::first_id(text, paste);
            if got.as_deref() != Some(expect) {
                wrong.push(format!("{name}:{}: expected {expect}, got {got:?}", n + 1));
            }
        }
    }
    println!("real texts: {texts} from {} threads", threads.len());
    assert!(
        wrong.is_empty(),
        "{} of {texts}:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}
