//! Prepares the embedded catalog: every `data/*.yaml` is parsed here, with
//! the same schema user catalogs follow, and written out as tables of
//! integers over one text (entries, their lines, each pattern's prefilter
//! literals). Start-up then parses nothing, and a malformed file fails the
//! build with its location.
use std::collections::HashMap;
use std::fmt::Write as _;
use std::{env, fs, path::Path};

#[path = "src/catalog/pattern.rs"]
#[allow(dead_code)]
mod pattern;
#[path = "src/catalog/schema.rs"]
#[allow(dead_code)]
mod schema;

use schema::RawEntry;

/// The embedded catalog's text as one string plus spans into it: tables
/// of integers need no relocation when the program loads (a table of
/// `&str` did: ~25,000 pointers, 1 MiB of pages), and strings only shown
/// in reports sit apart from those read at start-up, so their pages are
/// read only when shown.
#[derive(Default)]
struct Tables {
    hot: String,
    cold: String,
    /// (cold?, start, end) of each string, by span index.
    spans: Vec<(bool, usize, usize)>,
    known: HashMap<(bool, String), u32>,
    /// Ranges into `spans`: one per literal set.
    sets: Vec<(u32, u32)>,
    /// Ranges into `sets`: one per pattern.
    pattern_sets: Vec<(u32, u32)>,
    records: String,
}

impl Tables {
    fn span(&mut self, cold: bool, s: &str) -> u32 {
        if let Some(&i) = self.known.get(&(cold, s.to_string())) {
            return i;
        }
        let text = if cold { &mut self.cold } else { &mut self.hot };
        let start = text.len();
        text.push_str(s);
        self.spans.push((cold, start, text.len()));
        let i = (self.spans.len() - 1) as u32;
        self.known.insert((cold, s.to_string()), i);
        i
    }

    /// A range of consecutive spans (a list keeps its own, in order).
    fn list(&mut self, cold: bool, items: &[String]) -> (u32, u32) {
        let ids: Vec<u32> = items.iter().map(|s| self.span(cold, s)).collect();
        let start = self.spans.len() as u32;
        for i in ids {
            let copy = self.spans[i as usize];
            self.spans.push(copy);
        }
        (start, self.spans.len() as u32)
    }

    fn literals(&mut self, patterns: &[String]) -> (u32, u32) {
        let first = self.pattern_sets.len() as u32;
        for p in patterns {
            let sets = pattern::required_literals(p).unwrap_or_default();
            let start = self.sets.len() as u32;
            for set in sets {
                let range = self.list(false, &set);
                self.sets.push(range);
            }
            self.pattern_sets.push((start, self.sets.len() as u32));
        }
        (first, self.pattern_sets.len() as u32)
    }

    /// One entry: what matching reads on every message in the hot text
    /// and tables; the whole entry, as JSON of `RawEntry`, in the cold text
    /// (read when the entry is shown).
    fn entry(&mut self, e: &RawEntry, file: &str, line: usize) {
        let id = self.span(false, &e.id);
        let patterns = self.list(false, &e.patterns);
        let literals = self.literals(&e.patterns);
        let area = self.span(false, file.trim_end_matches(".yaml"));
        let source = self.span(false, &format!("embedded:data/{file}"));
        let json = serde_json::to_string(e).unwrap();
        let json = self.span(true, &json);
        let shortest = pattern::shortest_of(&e.patterns).min(u32::MAX as usize);
        writeln!(
            self.records,
            "    Record {{ id: {id}, severity: Severity::{:?}, fallback: {}, generic: {}, \
             paste_only: {}, benign: {}, priority: {}, patterns: {patterns:?}, area: {area}, \
             source: {source}, line: {line}, literals: {literals:?}, shortest: {shortest}, \
             json: {json} }},",
            e.severity, e.fallback, e.generic, e.paste_only, e.benign, e.priority,
        )
        .unwrap();
    }

    /// Rust source of the tables; `text_file` holds `hot` then `cold`.
    fn write(&self, text_file: &Path, count: usize, files: &str) -> String {
        fs::write(text_file, format!("{}{}", self.hot, self.cold)).unwrap();
        let shift = self.hot.len();
        let spans: Vec<String> = self
            .spans
            .iter()
            .map(|&(cold, a, b)| {
                let d = if cold { shift } else { 0 };
                format!("({}, {})", a + d, b + d)
            })
            .collect();
        let pairs = |v: &[(u32, u32)]| {
            v.iter()
                .map(|p| format!("{p:?}"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        format!(
            "/// Every string of the embedded catalog: those read at start-up first.\n\
             pub static TEXT: &str = include_str!({:?});\n\
             /// (start, end) byte offsets into `TEXT`.\n\
             pub static SPANS: &[(u32, u32)] = &[{}];\n\
             /// Ranges of `SPANS`: one per prefilter literal set.\n\
             pub static SETS: &[(u32, u32)] = &[{}];\n\
             /// Ranges of `SETS`: one per pattern.\n\
             pub static PATTERN_SETS: &[(u32, u32)] = &[{}];\n\
             /// Every embedded entry, file by file (files sorted by name).\n\
             pub static RECORDS: &[Record] = &[\n{}];\n\
             /// (file name, YAML as written) of each embedded catalog file.\n\
             pub static FILES: &[(&str, &str)] = &[\n{files}];\n\
             pub const ENTRY_COUNT: usize = {count};\n",
            text_file.display().to_string(),
            spans.join(", "),
            pairs(&self.sets),
            pairs(&self.pattern_sets),
            self.records,
        )
    }
}

fn main() {
    let dir = Path::new(&env::var("CARGO_MANIFEST_DIR").unwrap()).join("data");
    println!("cargo:rerun-if-changed={}", dir.display());
    println!("cargo:rerun-if-changed=src/catalog/pattern.rs");
    println!("cargo:rerun-if-changed=src/catalog/schema.rs");
    let mut files: Vec<_> = fs::read_dir(&dir)
        .expect("data/ directory")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .collect();
    files.sort();
    let mut tables = Tables::default();
    let mut sources = String::new();
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
            for (k, p) in e.patterns.iter().enumerate() {
                if let Err(why) = pattern::check_pattern(p) {
                    panic!("data/{name}:{line}: entry '{}', patterns[{k}]: {why}", e.id);
                }
            }
            if let Some(first) = ids.insert(e.id.clone(), format!("data/{name}:{line}")) {
                panic!(
                    "data/{name}:{line}: duplicate id '{}', first at {first}",
                    e.id
                );
            }
            tables.entry(e, &name, line);
        }
        writeln!(
            sources,
            "    ({name:?}, include_str!({:?})),",
            f.display().to_string()
        )
        .unwrap();
    }
    let out_dir = Path::new(&env::var("OUT_DIR").unwrap()).to_path_buf();
    let out = tables.write(&out_dir.join("catalog.txt"), ids.len(), &sources);
    println!("cargo:rustc-env=ALIST_DOCTOR_ENTRIES={}", ids.len());
    fs::write(out_dir.join("embedded.rs"), out).unwrap();
}
