//! Prepares the embedded catalog: every `data/*.yaml` is parsed here, with
//! the same schema user catalogs follow, and written out as Rust statics
//! (entries, their lines, each pattern's prefilter literals). Start-up then
//! parses nothing, catalog text costs no heap, and its pages are read only
//! when an entry is shown. A malformed file fails the build with its
//! location.
use std::collections::HashMap;
use std::fmt::Write as _;
use std::{env, fs, path::Path};

#[path = "src/literals.rs"]
#[allow(dead_code)]
mod literals;
#[path = "src/schema.rs"]
#[allow(dead_code)]
mod schema;

use schema::{RawEntry, RawLocalized};

fn main() {
    let dir = Path::new(&env::var("CARGO_MANIFEST_DIR").unwrap()).join("data");
    println!("cargo:rerun-if-changed={}", dir.display());
    println!("cargo:rerun-if-changed=src/literals.rs");
    println!("cargo:rerun-if-changed=src/schema.rs");
    let mut files: Vec<_> = fs::read_dir(&dir)
        .expect("data/ directory")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .collect();
    files.sort();
    let mut entries = String::from(
        "/// Every embedded entry, file by file (files sorted by name).\n\
         pub static ENTRIES: &[Entry] = &[\n",
    );
    let mut sources = String::from(
        "/// (file name, YAML as written) of each embedded catalog file.\n\
         pub static FILES: &[(&str, &str)] = &[\n",
    );
    let mut ids: HashMap<String, String> = HashMap::new();
    for f in &files {
        println!("cargo:rerun-if-changed={}", f.display());
        let name = f.file_name().unwrap().to_string_lossy().into_owned();
        let text = fs::read_to_string(f).unwrap();
        let parsed: Vec<RawEntry> = if text.trim().is_empty() {
            Vec::new()
        } else {
            serde_yaml::from_str(&text).unwrap_or_else(|e| panic!("data/{name}: {e}"))
        };
        let lines = schema::entry_lines(&text);
        for (i, e) in parsed.iter().enumerate() {
            let line = lines.get(i).copied().unwrap_or(1);
            if let Some(first) = ids.insert(e.id.clone(), format!("data/{name}:{line}")) {
                panic!(
                    "data/{name}:{line}: duplicate id '{}', first at {first}",
                    e.id
                );
            }
            entry(&mut entries, e, &name, line);
        }
        writeln!(
            sources,
            "    ({name:?}, include_str!({:?})),",
            f.display().to_string()
        )
        .unwrap();
    }
    entries.push_str("];\n");
    sources.push_str("];\n");
    let out = format!(
        "{entries}\n{sources}\npub const ENTRY_COUNT: usize = {};\n",
        ids.len()
    );
    println!("cargo:rustc-env=ALIST_DOCTOR_ENTRIES={}", ids.len());
    let out_dir = env::var("OUT_DIR").unwrap();
    fs::write(Path::new(&out_dir).join("embedded.rs"), out).unwrap();
}

/// One `Entry { .. }` expression.
fn entry(out: &mut String, e: &RawEntry, file: &str, line: usize) {
    let literals: Vec<String> = e
        .patterns
        .iter()
        .map(|p| {
            let sets = literals::required_literals(p).unwrap_or_default();
            let sets: Vec<String> = sets.iter().map(|s| list(s)).collect();
            format!("&[{}]", sets.join(", "))
        })
        .collect();
    let zh = match &e.zh {
        Some(RawLocalized { title, cause, fix }) => format!(
            "Some(Localized {{ title: {title:?}, cause: {cause:?}, fix: {} }})",
            list(fix)
        ),
        None => "None".into(),
    };
    let servers: Vec<String> = e
        .applies_to
        .iter()
        .map(|s| format!("Server::{s:?}"))
        .collect();
    writeln!(
        out,
        "    Entry {{ id: {:?}, title: {:?}, severity: Severity::{:?}, tags: {}, drivers: {}, \
         applies_to: &[{}], fallback: {}, priority: {}, benign: {}, patterns: {}, cause: {:?}, \
         fix: {}, docs: {}, zh: {zh}, examples: {}, counter_examples: {}, area: {:?}, \
         source: {:?}, line: {line}, literals: &[{}] }},",
        e.id,
        e.title,
        e.severity,
        list(&e.tags),
        list(&e.drivers),
        servers.join(", "),
        e.fallback,
        e.priority,
        e.benign,
        list(&e.patterns),
        e.cause,
        list(&e.fix),
        list(&e.docs),
        list(&e.examples),
        list(&e.counter_examples),
        file.trim_end_matches(".yaml"),
        format!("embedded:data/{file}"),
        literals.join(", "),
    )
    .unwrap();
}

/// A `&[&str]` expression (Debug formatting of a str is a valid literal).
fn list(items: &[String]) -> String {
    let items: Vec<String> = items.iter().map(|s| format!("{s:?}")).collect();
    format!("&[{}]", items.join(", "))
}
