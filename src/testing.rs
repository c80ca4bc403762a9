//! What the integration tests and the fuzz targets use of the library:
//! plain functions over plain data. Not an API (no stability promise,
//! hidden from the docs). Everything else is `pub(crate)`, so rustc
//! reports code that nothing uses.

use std::collections::BTreeMap;

use once_cell::sync::Lazy;

use crate::catalog::Catalog;
use crate::catalog::lint::LintFile;
use crate::diagnose::Diagnoser;
use crate::matching::Matcher;
use crate::parse::envelope::LineKind;
use crate::parse::event::EventBuilder;

/// The catalog's version, as `--version` prints it.
pub const CATALOG_VERSION: &str = crate::catalog::CATALOG_VERSION;
/// Entries in the built-in catalog.
pub const ENTRY_COUNT: usize = crate::catalog::ENTRY_COUNT;

static MATCHER: Lazy<Matcher> = Lazy::new(Matcher::embedded);

/// (file name, YAML as written) of each built-in catalog file.
pub fn embedded_files() -> &'static [(&'static str, &'static str)] {
    crate::catalog::embedded_files()
}

/// Ids of the built-in catalog, in catalog order.
pub fn entry_ids() -> Vec<&'static str> {
    Catalog::embedded().entries.iter().map(|e| e.id).collect()
}

/// What the tests count of one built-in entry.
#[derive(Debug, Clone)]
pub struct EntrySummary {
    pub id: &'static str,
    pub examples: usize,
    pub counter_examples: usize,
    pub zh: bool,
}

/// Every built-in entry, counted.
pub fn entries() -> Vec<EntrySummary> {
    Catalog::embedded()
        .entries
        .iter()
        .map(|e| EntrySummary {
            id: e.id,
            examples: e.raw().examples.len(),
            counter_examples: e.raw().counter_examples.len(),
            zh: e.raw().zh.is_some(),
        })
        .collect()
}

/// One built-in example: (entry id, benign?, text).
pub fn examples() -> Vec<(&'static str, bool, String)> {
    Catalog::embedded()
        .entries
        .iter()
        .flat_map(|e| {
            e.raw()
                .examples
                .iter()
                .map(move |x| (e.id, e.benign, x.clone()))
        })
        .collect()
}

/// Lints catalog texts `(origin, text)` together: `(is warning, message)`.
pub fn lint_texts(files: &[(&str, &str)], strict: bool) -> Vec<(bool, String)> {
    let files: Vec<LintFile> = files
        .iter()
        .map(|(origin, text)| LintFile {
            origin: origin.to_string(),
            area: origin.trim_end_matches(".yaml").to_string(),
            text: text.to_string(),
        })
        .collect();
    crate::catalog::lint::lint(&files, strict)
        .into_iter()
        .map(|d| (d.warning, d.to_string()))
        .collect()
}

/// Lints the built-in catalog as shipped (strict).
pub fn lint_embedded() -> Vec<(bool, String)> {
    crate::catalog::lint::lint(&crate::catalog::lint::embedded(), true)
        .into_iter()
        .map(|d| (d.warning, d.to_string()))
        .collect()
}

/// Parses a user catalog file's text: the number of entries, or the error.
pub fn parse_catalog(text: &str) -> Result<usize, String> {
    crate::catalog::parse_file("test.yaml", "test", text)
        .map(|v| v.len())
        .map_err(|d| d.to_string())
}

/// One physical line as the envelope parser reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineView {
    /// No envelope was recognised.
    pub plain: bool,
    pub timestamp: Option<String>,
    pub message: String,
}

pub fn parse_line(line: &str) -> LineView {
    let l = crate::parse::envelope::parse_line(line);
    LineView {
        plain: l.kind == LineKind::Plain,
        timestamp: l.timestamp,
        message: l.message,
    }
}

/// The match texts of the events `lines` make, read as a log.
pub fn event_texts(lines: &[String]) -> Vec<String> {
    let mut b = EventBuilder::new(false);
    let mut out = Vec::new();
    for (i, l) in lines.iter().enumerate() {
        if let Some(ev) = b.push(i as u64 + 1, crate::parse::envelope::parse_line(l)) {
            out.push(ev.match_text());
        }
    }
    out.extend(b.finish().map(|ev| ev.match_text()));
    out
}

/// The id of the first finding of `text` with the built-in catalog, read
/// as pasted or as a log.
pub fn first_id(text: &str, paste: bool) -> Option<String> {
    let mut d = Diagnoser::new(&MATCHER);
    crate::pipeline::diagnose_text(&mut d, text, paste);
    let first = d.sorted_findings().first().map(|f| f.entry);
    first.map(|i| MATCHER.catalog().entries[i].id.to_string())
}

/// Any bytes through the whole pipeline; returns the texts a report would
/// show (findings' matched texts, unknown samples), redacted.
pub fn diagnose_bytes(bytes: &[u8], paste: bool) -> Vec<String> {
    let mut d = Diagnoser::new(&MATCHER);
    crate::pipeline::diagnose_bytes(&mut d, bytes, paste);
    d.findings
        .iter()
        .map(|f| f.matched.as_str())
        .chain(d.unknown.iter().map(|u| u.sample.as_str()))
        .map(redact)
        .collect()
}

/// The redaction every report applies.
pub fn redact(s: &str) -> String {
    crate::report::redact::redact(s).into_owned()
}

/// (id, captures as text) → (count, first line, last line).
pub type Summary = BTreeMap<(String, String), (u64, u64, u64)>;

/// The lines and events of a log as the plain path reads them (every line
/// parsed, one thread): what the fast scanner's shortcuts must count too.
pub fn reference_counts(log: &[u8]) -> (u64, u64) {
    let mut b = EventBuilder::new(false);
    let (mut n, mut events) = (0, 0);
    let mut lines: Vec<&[u8]> = log.split(|c| *c == b'\n').collect();
    if log.ends_with(b"\n") {
        lines.pop();
    }
    for line in lines {
        n += 1;
        let line = crate::parse::envelope::parse_line(&String::from_utf8_lossy(line));
        events += u64::from(b.push(n, line).is_some());
    }
    events += u64::from(b.finish().is_some());
    (n, events)
}

/// What the plain path reports for a log: every line through the full
/// envelope parser, every candidate's captures, no cache, one thread. The
/// yardstick the fast scanner is compared with. Also returns the number
/// of unknown-error occurrences.
pub fn reference_summary(log: &[u8]) -> (Summary, u64) {
    let matcher = &*MATCHER;
    let mut d = Diagnoser::reference(matcher);
    let mut b = EventBuilder::new(false);
    let mut n = 0;
    let mut lines: Vec<&[u8]> = log.split(|c| *c == b'\n').collect();
    if log.ends_with(b"\n") {
        lines.pop();
    }
    for line in lines {
        n += 1;
        let line = crate::parse::envelope::parse_line(&String::from_utf8_lossy(line));
        if let Some(ev) = b.push(n, line) {
            d.observe(&ev);
        }
    }
    if let Some(ev) = b.finish() {
        d.observe(&ev);
    }
    let cat = matcher.catalog();
    let mut out = Summary::new();
    for f in &d.findings {
        let mut caps = f.captures.clone();
        caps.sort();
        out.insert(
            (cat.entries[f.entry].id.to_string(), format!("{caps:?}")),
            (f.count, f.first.line, f.last.line),
        );
    }
    (out, d.unknown.iter().map(|u| u.count).sum())
}
