//! The knowledge base: catalog entries loaded from YAML (embedded `data/*.yaml`
//! plus user files), with strict parsing and precise, located errors.
#![warn(clippy::string_slice)]

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};

use once_cell::sync::Lazy;
use serde::Serialize;

pub(crate) mod budget;
pub(crate) mod lint;
pub(crate) mod pattern;
pub(crate) mod placeholder;
pub(crate) mod schema;
pub(crate) mod similarity;

use crate::catalog::schema::{RawEntry, entry_lines};

/// The tables build.rs writes; see `Tables` there.
mod embedded {
    use super::Severity;

    /// A range of `SPANS` (a list of strings) or of another table.
    pub(crate) type Range = (u32, u32);

    /// One entry: what matching reads at hand, the rest as JSON.
    pub(crate) struct Record {
        pub id: u32,
        pub severity: Severity,
        pub fallback: bool,
        pub generic: bool,
        pub paste_only: bool,
        pub benign: bool,
        pub priority: i32,
        pub patterns: Range,
        pub area: u32,
        pub source: u32,
        pub line: usize,
        /// A range of `PATTERN_SETS`.
        pub literals: Range,
        /// The fewest bytes any match of its patterns spans.
        pub shortest: u32,
        /// The whole entry as JSON of `schema::RawEntry`.
        pub json: u32,
    }

    include!(concat!(env!("OUT_DIR"), "/embedded.rs"));
}

/// Bumped whenever entries are added or changed; printed by `--version`.
/// `data_is_unchanged_or_versioned` fails when `data/` changes without it.
pub(crate) const CATALOG_VERSION: &str = crate::catalog_version!();

/// Entries in the embedded catalog, counted at build time.
pub(crate) const ENTRY_COUNT: usize = embedded::ENTRY_COUNT;

pub(crate) use crate::catalog::schema::{Server, Severity};

/// Catalog text lives as long as the program: embedded entries are statics
/// that build.rs writes out, and a user file's entries are leaked once when
/// it is loaded (a handful of kilobytes, read once per run).
pub(crate) type StrList = &'static [&'static str];

/// Text of an entry as shown: Chinese folded lines joined.
#[derive(Debug, Clone, Default)]
pub(crate) struct Wording {
    pub title: String,
    pub cause: String,
    pub fix: Vec<String>,
}

/// One known problem as the program uses it: the fields matching reads on
/// every message, at hand; where it came from; and the whole entry as its
/// author wrote it (`raw()`, see `schema::RawEntry`), which reports read.
#[derive(Debug, Clone)]
pub(crate) struct Entry {
    pub id: &'static str,
    pub severity: Severity,
    /// A generic entry: ranks below every specific entry that matches.
    pub fallback: bool,
    /// Other software prints this wording too (see `schema::RawEntry`).
    pub generic: bool,
    /// Pasted text only, when nothing else answers (see `schema::RawEntry`).
    pub paste_only: bool,
    /// Normal operation: recognised so that it is neither a finding nor an
    /// unknown error when it appears in a log.
    pub benign: bool,
    pub priority: i32,
    pub patterns: StrList,
    /// Area (file stem) the entry came from.
    pub area: &'static str,
    /// Where the entry came from: `embedded:data/x.yaml` or a user file path.
    pub source: &'static str,
    /// 1-based line of the entry in its file, for messages.
    pub line: usize,
    /// Its record in the embedded tables (prefilter literals computed at
    /// build time); `None` for user entries.
    pub record: Option<usize>,
    /// The fewest bytes any match of its patterns spans: a shorter
    /// message cannot be this entry's (`usize::MAX`: none can match).
    pub shortest: usize,
    raw: Raw,
}

/// An entry as written: parsed from the embedded JSON when first read
/// (most runs show a handful of entries), or given (user files).
#[derive(Debug, Clone)]
struct Raw {
    json: &'static str,
    parsed: once_cell::sync::OnceCell<std::sync::Arc<RawEntry>>,
}

fn leak(s: String) -> &'static str {
    Box::leak(s.into_boxed_str())
}

fn leak_list(v: &[String]) -> StrList {
    Box::leak(
        v.iter()
            .map(|s| leak(s.clone()))
            .collect::<Vec<_>>()
            .into_boxed_slice(),
    )
}

impl RawEntry {
    /// The entry as the rest of the program sees it (see `StrList`).
    pub(crate) fn into_entry(self, area: &'static str, source: &'static str, line: usize) -> Entry {
        let shortest = pattern::shortest_of(&self.patterns);
        Entry {
            shortest,
            id: leak(self.id.clone()),
            severity: self.severity,
            fallback: self.fallback,
            generic: self.generic,
            paste_only: self.paste_only,
            benign: self.benign,
            priority: self.priority,
            patterns: leak_list(&self.patterns),
            area,
            source,
            line,
            record: None,
            raw: Raw {
                json: "",
                parsed: once_cell::sync::OnceCell::with_value(std::sync::Arc::new(self)),
            },
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Lang {
    En,
    Zh,
}

impl Entry {
    /// The entry as its author wrote it.
    pub(crate) fn raw(&self) -> &RawEntry {
        self.raw.parsed.get_or_init(|| {
            // build.rs wrote this JSON from a RawEntry; the test
            // `embedded_entries_read_back` reads every one.
            std::sync::Arc::new(
                serde_json::from_str(self.raw.json)
                    .unwrap_or_else(|_| RawEntry::unreadable(self.id)),
            )
        })
    }

    pub(crate) fn text(&self, lang: Lang) -> Wording {
        let r = self.raw();
        match (lang, &r.zh) {
            (Lang::Zh, Some(zh)) => Wording {
                title: join_cjk(&zh.title),
                cause: join_cjk(&zh.cause),
                fix: zh.fix.iter().map(|f| join_cjk(f)).collect(),
            },
            _ => Wording {
                title: r.title.clone(),
                cause: r.cause.clone(),
                fix: r.fix.clone(),
            },
        }
    }

    /// Servers this entry applies to (empty in YAML means both).
    pub(crate) fn servers(&self) -> Vec<Server> {
        let applies_to = &self.raw().applies_to;
        if applies_to.is_empty() {
            vec![Server::Alist, Server::Openlist]
        } else {
            applies_to.clone()
        }
    }
}

/// YAML's folded blocks turn line breaks into spaces; between two Chinese
/// characters (or Chinese punctuation) such a space does not belong.
pub(crate) fn join_cjk(s: &str) -> String {
    let is_cjk = |c: char| matches!(c as u32, 0x2E80..=0x9FFF | 0xF900..=0xFAFF | 0xFF00..=0xFFEF);
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len());
    for (i, &c) in chars.iter().enumerate() {
        if c == ' ' && i > 0 && i + 1 < chars.len() && is_cjk(chars[i - 1]) && is_cjk(chars[i + 1])
        {
            continue;
        }
        out.push(c);
    }
    out
}

/// A located problem in a catalog file: what, where, which entry and field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CatalogIssue {
    pub warning: bool,
    pub file: String,
    pub line: Option<usize>,
    pub column: Option<usize>,
    pub entry: Option<String>,
    pub field: Option<String>,
    pub message: String,
}

impl CatalogIssue {
    pub(crate) fn error(file: &str, message: impl Into<String>) -> Self {
        CatalogIssue {
            warning: false,
            file: file.to_string(),
            line: None,
            column: None,
            entry: None,
            field: None,
            message: message.into(),
        }
    }

    pub(crate) fn at_entry(mut self, e: &Entry, field: &str) -> Self {
        self.line = Some(e.line);
        self.entry = Some(e.id.to_string());
        self.field = Some(field.to_string());
        self
    }
}

impl CatalogIssue {
    /// `file:line:column: entry 'id', field 'f': message`, without the
    /// severity word (for an error that ends the run, which says it).
    pub(crate) fn located(&self) -> String {
        let mut s = self.file.clone();
        if let Some(l) = self.line {
            s.push_str(&format!(":{l}"));
            if let Some(c) = self.column {
                s.push_str(&format!(":{c}"));
            }
        }
        if let Some(id) = &self.entry {
            s.push_str(&format!(": entry '{id}'"));
            if let Some(field) = &self.field {
                s.push_str(&format!(", field '{field}'"));
            }
        } else if let Some(field) = &self.field {
            s.push_str(&format!(": field '{field}'"));
        }
        s.push_str(&format!(": {}", self.message));
        s
    }
}

/// The lint form: `file:line: error: entry 'id', field 'f': message`.
impl fmt::Display for CatalogIssue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(l) = self.line {
            write!(f, ":{l}")?;
            if let Some(c) = self.column {
                write!(f, ":{c}")?;
            }
        }
        write!(f, ": {}", if self.warning { "warning" } else { "error" })?;
        if let Some(id) = &self.entry {
            write!(f, ": entry '{id}'")?;
        }
        if let Some(field) = &self.field {
            write!(f, ", field '{field}'")?;
        }
        write!(f, ": {}", self.message)
    }
}

impl std::error::Error for CatalogIssue {}

/// Largest catalog file read, in bytes: the built-in catalog, all of it,
/// is a few MiB of YAML; past this a file is not a catalog one writes by
/// hand, and reading it would take seconds and gigabytes.
pub(crate) const MAX_FILE: u64 = 16 << 20;

/// What a catalog file may hold once read (see `budget`): 64 MiB of text
/// with its YAML aliases replayed, and few enough values and parser
/// events that reading it stays within about 256 MiB (a file of 1.5
/// million events, 8 MB of ordinary entries, took 190 MiB and 4 s). The
/// built-in catalog, all of it, is under 100,000 of either.
const LIMITS: budget::Limits = budget::Limits {
    text: 64 << 20,
    values: 2_000_000,
    events: 1_500_000,
};

fn over_message(over: budget::Over) -> String {
    match over {
        budget::Over::Text => format!(
            "holds more than {} MiB of text once its YAML aliases (*name) are replayed; refused",
            LIMITS.text >> 20
        ),
        budget::Over::Values => format!(
            "holds more than {} million values once its YAML aliases (*name) are replayed; refused",
            LIMITS.values as f64 / 1e6
        ),
        budget::Over::Events => format!(
            "holds more than {} million YAML nodes; refused",
            LIMITS.events as f64 / 1e6
        ),
    }
}

/// Parses one catalog file. `origin` names it in messages and in `Entry::source`.
pub(crate) fn parse_file(origin: &str, area: &str, text: &str) -> Result<Vec<Entry>, CatalogIssue> {
    if text.trim().is_empty() {
        return Ok(Vec::new());
    }
    if let Err(over) = budget::check(text, LIMITS) {
        return Err(CatalogIssue::error(origin, over_message(over)));
    }
    let raw: Vec<RawEntry> = serde_yaml::from_str(text).map_err(|e| {
        let mut d = CatalogIssue::error(origin, yaml_message(&e));
        if let Some(loc) = e.location() {
            d.line = Some(loc.line());
            d.column = Some(loc.column());
        }
        d
    })?;
    let lines = entry_lines(text);
    let (area, origin) = (leak(area.to_string()), leak(origin.to_string()));
    Ok(raw
        .into_iter()
        .enumerate()
        .map(|(i, e)| e.into_entry(area, origin, lines.get(i).copied().unwrap_or(1)))
        .collect())
}

/// serde_yaml appends " at line X column Y" to its messages; we print the
/// location ourselves in `file:line:column` form.
fn yaml_message(e: &serde_yaml::Error) -> String {
    let s = e.to_string();
    match s.rsplit_once(" at line ") {
        Some((message, _)) => message.to_string(),
        None => s,
    }
}

pub(crate) fn is_kebab_id(id: &str) -> bool {
    !id.is_empty()
        && id.split('-').all(|part| {
            !part.is_empty()
                && part
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
        && id.as_bytes()[0].is_ascii_lowercase()
}

/// Structural checks every loaded entry must pass (the rest is in `lint`).
pub(crate) fn check_structure(e: &Entry) -> Vec<CatalogIssue> {
    let mut out = Vec::new();
    let err = |field: &str, msg: String| CatalogIssue::error(e.source, msg).at_entry(e, field);
    if !is_kebab_id(e.id) {
        out.push(err(
            "id",
            "ids are kebab-case: lower-case letters and digits separated by single '-'".into(),
        ));
    }
    if e.patterns.is_empty() {
        out.push(err("patterns", "at least one pattern is required".into()));
    }
    if e.raw().title.trim().is_empty() {
        out.push(err("title", "must not be empty".into()));
    }
    if e.raw().fix.is_empty() {
        out.push(err("fix", "at least one fix step is required".into()));
    }
    out
}

/// The loaded knowledge: entries in rank order (catalog order breaks ties).
#[derive(Debug, Clone, Default)]
pub(crate) struct Catalog {
    pub entries: Vec<Entry>,
    index: HashMap<&'static str, usize>,
    /// The vocabulary suggestions are ranked on, built on first use.
    suggest: once_cell::sync::OnceCell<std::sync::Arc<crate::diagnose::suggest::Index>>,
}

static EMBEDDED: Lazy<Catalog> = Lazy::new(|| {
    let mut cat = Catalog::default();
    // build.rs checked the schema and the ids, and the test suite runs the
    // structural checks on them: reading every title here would bring the
    // whole catalog text into memory.
    for (i, r) in embedded::RECORDS.iter().enumerate() {
        cat.push(r.entry(i));
    }
    cat
});

/// String `i` of the embedded catalog.
fn text(i: u32) -> &'static str {
    let (start, end) = embedded::SPANS[i as usize];
    // SAFETY: build.rs wrote TEXT from whole strings and recorded where each
    // starts and ends, so every span lies on character boundaries
    // (`spans_are_strings` checks them all). The checked slice would read
    // the bytes at both ends: the pages of text nobody shows.
    unsafe { embedded::TEXT.get_unchecked(start as usize..end as usize) }
}

/// A list of strings, made once for the program's lifetime.
fn texts((first, end): embedded::Range) -> StrList {
    Box::leak((first..end).map(text).collect())
}

impl embedded::Record {
    fn entry(&self, index: usize) -> Entry {
        Entry {
            id: text(self.id),
            severity: self.severity,
            fallback: self.fallback,
            generic: self.generic,
            paste_only: self.paste_only,
            benign: self.benign,
            priority: self.priority,
            patterns: texts(self.patterns),
            area: text(self.area),
            source: text(self.source),
            line: self.line,
            record: Some(index),
            shortest: self.shortest as usize,
            raw: Raw {
                json: text(self.json),
                parsed: once_cell::sync::OnceCell::new(),
            },
        }
    }
}

/// The prefilter literal sets build.rs computed for each pattern of
/// embedded record `record` (see `pattern::required_literals`).
pub(crate) fn embedded_literals(record: usize) -> Vec<Vec<StrList>> {
    let (a, b) = embedded::RECORDS[record].literals;
    (a..b)
        .map(|p| {
            let (s, e) = embedded::PATTERN_SETS[p as usize];
            (s..e)
                .map(|set| texts(embedded::SETS[set as usize]))
                .collect()
        })
        .collect()
}

/// Names and YAML text of the embedded catalog files.
pub(crate) fn embedded_files() -> &'static [(&'static str, &'static str)] {
    embedded::FILES
}

impl Catalog {
    /// The catalog compiled into the binary, parsed once.
    pub(crate) fn embedded() -> &'static Catalog {
        &EMBEDDED
    }

    pub(crate) fn from_entries(entries: Vec<Entry>) -> Catalog {
        let mut c = Catalog::default();
        for e in entries {
            c.upsert(e);
        }
        c
    }

    fn push(&mut self, e: Entry) {
        self.index.insert(e.id, self.entries.len());
        self.entries.push(e);
    }

    /// Adds an entry, or replaces the entry with the same id in place.
    pub(crate) fn upsert(&mut self, e: Entry) {
        match self.index.get(e.id) {
            Some(&i) => self.entries[i] = e,
            None => self.push(e),
        }
    }

    /// The suggestion engine over this catalog (built on first use).
    pub(crate) fn suggestions(&self) -> &crate::diagnose::suggest::Index {
        self.suggest
            .get_or_init(|| std::sync::Arc::new(crate::diagnose::suggest::Index::new(self)))
    }

    pub(crate) fn get(&self, id: &str) -> Option<&Entry> {
        self.index.get(id).map(|&i| &self.entries[i])
    }

    pub(crate) fn len(&self) -> usize {
        self.entries.len()
    }

    /// The embedded catalog (unless `builtin` is false) with user files
    /// layered on top, in order (override by id). A file is taken whole
    /// or not at all: a refused one in `files` (named by the user) ends
    /// the run; one in `dropins` (found in the config directory, read on
    /// every run) is left out, and the reason comes back as a warning, so
    /// one bad file there does not break every run.
    pub(crate) fn with_user_files(
        files: &[PathBuf],
        dropins: &[PathBuf],
        builtin: bool,
    ) -> Result<(std::borrow::Cow<'static, Catalog>, Vec<CatalogIssue>), CatalogIssue> {
        let embedded = Catalog::embedded();
        if files.is_empty() && dropins.is_empty() && builtin {
            return Ok((std::borrow::Cow::Borrowed(embedded), Vec::new()));
        }
        let mut cat = if builtin {
            embedded.clone()
        } else {
            Catalog::default()
        };
        let mut skipped = Vec::new();
        for path in files {
            for e in load_user_file(path)? {
                cat.upsert(e);
            }
        }
        for path in dropins {
            match load_user_file(path) {
                Ok(entries) => entries.into_iter().for_each(|e| cat.upsert(e)),
                Err(d) => skipped.push(d),
            }
        }
        Ok((std::borrow::Cow::Owned(cat), skipped))
    }

    /// Ids most similar to `id`, best first (for "did you mean").
    pub(crate) fn closest_ids(&self, id: &str, n: usize) -> Vec<&str> {
        let mut scored: Vec<(usize, &str)> = self
            .entries
            .iter()
            .map(|e| (similarity::osa_distance(id, e.id), e.id))
            .collect();
        scored.sort();
        scored.into_iter().take(n).map(|(_, s)| s).collect()
    }
}

/// The area of a catalog file: its stem.
pub(crate) fn area_of(path: &Path) -> String {
    path.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "user".into())
}

/// Reads a catalog file as text, refusing one over `MAX_FILE` bytes
/// before reading it (or, for a pipe, as soon as it passes the limit).
pub(crate) fn read_file(path: &Path) -> Result<String, CatalogIssue> {
    use std::io::Read;
    let origin = path.display().to_string();
    let io = |e: std::io::Error| CatalogIssue::error(&origin, crate::read::input::io_reason(&e));
    let too_big = || {
        CatalogIssue::error(
            &origin,
            format!(
                "larger than {} MiB; refused (a catalog file is a few hundred kilobytes at most)",
                MAX_FILE >> 20
            ),
        )
    };
    let file = std::fs::File::open(path).map_err(io)?;
    if file
        .metadata()
        .is_ok_and(|m| m.is_file() && m.len() > MAX_FILE)
    {
        return Err(too_big());
    }
    let mut bytes = Vec::new();
    file.take(MAX_FILE + 1)
        .read_to_end(&mut bytes)
        .map_err(io)?;
    if bytes.len() as u64 > MAX_FILE {
        return Err(too_big());
    }
    String::from_utf8(bytes).map_err(|_| CatalogIssue::error(&origin, "not valid UTF-8 text"))
}

/// Reads, parses and checks a user catalog file, whole: its entries, or
/// the first thing wrong with it. The area is the file stem. Patterns are
/// compiled here, so a bad one fails before any input is read.
pub(crate) fn load_user_file(path: &Path) -> Result<Vec<Entry>, CatalogIssue> {
    let origin = path.display().to_string();
    let text = read_file(path)?;
    let entries = parse_file(&origin, &area_of(path), &text)?;
    let mut seen: HashMap<&str, usize> = HashMap::new();
    for e in &entries {
        if let Some(d) = check_structure(e).into_iter().next() {
            return Err(d);
        }
        // The first definition would silently lose its lines to the second.
        if let Some(first) = seen.insert(e.id, e.line) {
            return Err(CatalogIssue::error(
                e.source,
                format!("duplicate id, first defined at {}:{first}", e.source),
            )
            .at_entry(e, "id"));
        }
        for (i, p) in e.patterns.iter().enumerate() {
            pattern::check_pattern(p).map_err(|m| {
                CatalogIssue::error(e.source, m).at_entry(e, &format!("patterns[{i}]"))
            })?;
        }
    }
    Ok(entries)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folded_chinese_lines_join() {
        assert_eq!(
            join_cjk("这是 一行。 下一行 AList 的 port"),
            "这是一行。下一行 AList 的 port"
        );
    }

    #[test]
    fn spans_are_strings() {
        for &(start, end) in embedded::SPANS {
            assert!(embedded::TEXT.get(start as usize..end as usize).is_some());
        }
        assert!(embedded::TEXT.len() < u32::MAX as usize);
    }

    #[test]
    fn embedded_entries_pass_the_structural_checks() {
        let cat = Catalog::embedded();
        assert_eq!(cat.len(), ENTRY_COUNT);
        for e in &cat.entries {
            assert_eq!(check_structure(e), Vec::new(), "{}", e.id);
            let record = e.record.expect("embedded");
            assert_eq!(
                embedded_literals(record).len(),
                e.patterns.len(),
                "{}",
                e.id
            );
        }
    }

    /// Every embedded entry's JSON reads back into the entry as written,
    /// with the fields matching uses equal to the tables'.
    #[test]
    fn embedded_entries_read_back() {
        for e in &Catalog::embedded().entries {
            let raw: RawEntry = serde_json::from_str(e.raw.json).expect(e.id);
            assert_eq!(raw.id, e.id);
            assert_eq!(raw.severity, e.severity);
            assert_eq!(
                (
                    raw.fallback,
                    raw.generic,
                    raw.paste_only,
                    raw.benign,
                    raw.priority
                ),
                (e.fallback, e.generic, e.paste_only, e.benign, e.priority),
                "{}",
                e.id
            );
            assert_eq!(raw.patterns, e.patterns, "{}", e.id);
        }
    }

    #[test]
    fn kebab_ids() {
        assert!(is_kebab_id("port-in-use"));
        assert!(is_kebab_id("query-fail-61008"));
        assert!(!is_kebab_id("Port-in-use"));
        assert!(!is_kebab_id("port--in-use"));
        assert!(!is_kebab_id("port_in_use"));
        assert!(!is_kebab_id("-port"));
        assert!(!is_kebab_id("1port"));
    }

    #[test]
    fn yaml_errors_are_located() {
        let d = parse_file("x.yaml", "x", "- id: a\n  bogus: 1\n").unwrap_err();
        assert_eq!(d.file, "x.yaml");
        assert!(d.line.is_some());
        assert!(d.message.contains("unknown field `bogus`"), "{}", d.message);
    }
}
