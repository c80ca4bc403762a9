//! Output formats. The diagnosis is first turned into one serialisable view
//! (placeholders filled, language chosen, secrets redacted); each format only
//! renders that view, so text and JSON can never disagree. Each format is a
//! `Report`: the pipeline feeds it occurrences as they happen (if it
//! streams), then the whole view once.
#![warn(clippy::string_slice)]

pub(crate) mod entry;
pub(crate) mod github;
pub(crate) mod json;
pub(crate) mod markdown;
pub(crate) mod ndjson;
pub(crate) mod neutral;
pub(crate) mod redact;
pub(crate) mod sarif;
pub(crate) mod text;

use std::collections::BTreeMap;
use std::io::{self, Write};

use serde::Serialize;

use crate::catalog::placeholder::fill;
use crate::catalog::{Catalog, Entry, Lang, Server, Severity};
use crate::diagnose::{Diagnoser, Finding, Occurrence, Position, Unknown};
use crate::parse::version::{Product, Running, Upgrade, Version};
use crate::pipeline::ScanStats;

/// A report in one format. The pipeline calls `occurrence` for every
/// finding and unknown error as soon as its event is complete, when the
/// report `streams`; `finish` gets the whole diagnosis once.
pub(crate) trait Report {
    /// Whether this report shows occurrences as they happen (building one
    /// costs a copy of its finding, so only streaming formats ask).
    fn streams(&self) -> bool {
        false
    }

    fn occurrence(&mut self, _o: &Occurrence) -> io::Result<()> {
        Ok(())
    }

    fn finish(&mut self, view: &View) -> io::Result<()>;
}

/// A report that shows nothing (library callers: lint, tests).
pub(crate) struct Silent;

impl Report for Silent {
    fn finish(&mut self, _: &View) -> io::Result<()> {
        Ok(())
    }
}

/// The output formats of a diagnosis.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Format {
    Text,
    Json,
    Ndjson,
    Github,
    Sarif,
}

/// What a report asks for besides the format.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Shape {
    pub format: Format,
    /// `--statistics`: counts per id only (text and json).
    pub statistics: bool,
    /// Text printed problem by problem as they first occur (following a file).
    pub live: bool,
}

/// The report a run asked for, writing to `out`.
pub(crate) fn for_shape<'a>(
    shape: Shape,
    views: Views<'a>,
    out: &'a mut dyn Write,
) -> Box<dyn Report + 'a> {
    match (shape.format, shape.statistics) {
        (Format::Text, true) => Box::new(text::Statistics { out }),
        (Format::Json, true) => Box::new(json::Statistics { out }),
        (Format::Text, false) if shape.live => Box::new(text::Live { out, views }),
        (Format::Text, false) => Box::new(text::Batch { out }),
        (Format::Json, false) => Box::new(json::Json { out }),
        (Format::Ndjson, _) => Box::new(ndjson::Ndjson { out, views }),
        (Format::Github, _) => Box::new(github::Github {
            out,
            step_summary: std::env::var_os("GITHUB_STEP_SUMMARY")
                .filter(|p| !p.is_empty())
                .map(std::path::PathBuf::from),
        }),
        (Format::Sarif, _) => Box::new(sarif::Sarif { out }),
    }
}

/// What turns diagnosis records into views: the catalog, the inputs'
/// names and the view options.
#[derive(Clone, Copy)]
pub(crate) struct Views<'a> {
    pub catalog: &'a Catalog,
    pub names: &'a [String],
    pub opts: &'a ViewOptions,
}

/// Version of the JSON output contract (docs in README.md).
pub(crate) const JSON_VERSION: u32 = 1;

#[derive(Debug, Clone, Copy)]
pub(crate) struct ViewOptions {
    pub lang: Lang,
    pub docs_first: Server,
    pub redact: bool,
    /// The server and release a pasted text names (and which input), known
    /// before reading; logs may name one while read (`Diagnoser::running`).
    pub running: Option<(Running, usize)>,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct FindingView {
    pub id: String,
    pub title: String,
    pub severity: Severity,
    pub tags: Vec<String>,
    pub drivers: Vec<String>,
    pub applies_to: Vec<Server>,
    pub cause: String,
    pub fix: Vec<String>,
    pub docs: Vec<String>,
    pub count: u64,
    pub source: String,
    pub first_line: u64,
    pub last_line: u64,
    pub first_timestamp: Option<String>,
    pub last_timestamp: Option<String>,
    pub matched: String,
    pub samples: Vec<String>,
    pub captures: BTreeMap<String, String>,
    pub context: ContextView,
    pub also: Vec<String>,
    /// The releases that fixed this problem, where a provider change
    /// caused it (`null` otherwise).
    pub fixed_in: Option<crate::catalog::schema::FixedIn>,
    /// Whether the release the input names predates that fix (`null`
    /// when the input names none, or the entry has no fix for it).
    pub upgrade: Option<Upgrade>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub(crate) struct ContextView {
    pub action: Option<String>,
    pub mount_path: Option<String>,
    pub driver: Option<String>,
    pub path: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct UnknownView {
    pub template: String,
    pub count: u64,
    pub level: String,
    pub source: String,
    pub first_line: u64,
    pub sample: String,
    /// Entries this error resembles, best first.
    pub suggestions: Vec<SuggestionView>,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct InputError {
    pub input: String,
    pub reason: String,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct Summary {
    pub inputs: usize,
    pub lines: u64,
    pub events: u64,
    pub findings: usize,
    pub occurrences: u64,
    pub unknown: usize,
    pub unknown_occurrences: u64,
    pub benign: u64,
    /// Events printed by other programs that only generic wording (or
    /// nothing) would have explained: left out of findings and unknowns.
    pub foreign: u64,
    pub highest_severity: Option<Severity>,
    pub cut_lines: u64,
    /// Events skipped by --since / --until.
    pub outside_window: u64,
    pub capped: bool,
    pub errors: Vec<InputError>,
    /// Inputs that were not plain UTF-8 with LF line ends, and how they
    /// were read.
    pub encoding: Vec<InputEncoding>,
    /// The server and release the input names, if it names one.
    pub server: Option<ServerView>,
}

/// The server and release an input names (`alist version`, the settings
/// API, an issue template's version line).
#[derive(Debug, Clone, Serialize)]
pub(crate) struct ServerView {
    pub product: Product,
    pub version: Version,
    pub input: String,
}

/// How an input that was not plain UTF-8 text was read.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct InputEncoding {
    pub input: String,
    pub encoding: crate::read::decode::Encoding,
    /// `CR` or `NUL` when those, not LF, ended its lines.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line_ends: Option<&'static str>,
}

/// What the run learnt about its inputs besides their lines.
#[derive(Debug, Clone, Default)]
pub(crate) struct InputNotes {
    pub errors: Vec<InputError>,
    pub encoding: Vec<InputEncoding>,
    /// Suggestions per pasted input (by input index).
    pub suggestions: Vec<(usize, Vec<crate::diagnose::suggest::Suggestion>)>,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct View {
    pub version: u32,
    pub lang: Lang,
    pub findings: Vec<FindingView>,
    pub unknown: Vec<UnknownView>,
    /// For pasted text that no specific entry explains: the entries it
    /// most resembles (never a finding: no effect on exit codes).
    pub suggestions: Vec<SuggestionView>,
    pub summary: Summary,
}

/// An entry a text resembles (see `diagnose::suggest`).
#[derive(Debug, Clone, Serialize)]
pub(crate) struct SuggestionView {
    pub id: String,
    pub title: String,
    pub score: f64,
    /// The words the text and the entry share (`regio…`: a cut word).
    pub words: Vec<String>,
    /// The input it is for (absent under an unknown error).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}

/// Renders an entry's text for a match: language, placeholders, docs order.
pub(crate) fn entry_text(
    e: &Entry,
    captures: &[(String, String)],
    opts: &ViewOptions,
) -> (String, String, Vec<String>, Vec<String>) {
    let t = e.text(opts.lang);
    (
        crate::catalog::placeholder::fill_title(&t.title, captures),
        fill(&t.cause, captures),
        t.fix.iter().map(|f| fill(f, captures)).collect(),
        docs_for(e, opts),
    )
}

/// Doc links, the preferred server's first; AList pages in Chinese live under /zh/.
/// AList's Chinese docs page for an English page path: the same path,
/// except where the docs repository names the files apart (AlistGo/docs
/// at 811e8e09: `docs/guide/drivers/sfpt.md`, `docs/zh/guide/drivers/
/// sftp.md`). tests/it/doclinks.rs proves every result is published.
fn zh_page(page: &str) -> &str {
    match page {
        "guide/drivers/sfpt.html" => "guide/drivers/sftp.html",
        _ => page,
    }
}

pub(crate) fn docs_for(e: &Entry, opts: &ViewOptions) -> Vec<String> {
    let mut docs: Vec<String> = e
        .raw()
        .docs
        .iter()
        .map(
            |d| match (opts.lang, d.strip_prefix("https://alistgo.com/")) {
                // The Chinese page of the same path; its headings, and so
                // its anchors, are Chinese: the English anchor is dropped.
                (Lang::Zh, Some(rest)) if !rest.starts_with("zh/") => {
                    let page = rest.split('#').next().unwrap_or(rest);
                    format!("https://alistgo.com/zh/{}", zh_page(page))
                }
                _ => d.to_string(),
            },
        )
        .collect();
    let preferred = match opts.docs_first {
        Server::Alist => "alistgo.com",
        Server::Openlist => "doc.oplist.org",
    };
    docs.sort_by_key(|d| !d.contains(preferred));
    docs
}

impl Views<'_> {
    /// How input `p.source` is named in reports.
    pub(crate) fn source_name(&self, p: &Position) -> String {
        source_name(self.names, p)
    }

    pub(crate) fn finding(&self, f: &Finding) -> FindingView {
        finding_view(
            self.catalog,
            f,
            self.names,
            self.opts,
            self.opts.running.map(|r| r.0),
        )
    }

    pub(crate) fn unknown(&self, u: &Unknown) -> UnknownView {
        unknown_view(u, self.names, self.opts)
    }

    /// The entries an unknown error resembles (per template, never per
    /// line: streams ask once, when the template is new).
    pub(crate) fn unknown_suggestions(&self, u: &Unknown) -> Vec<SuggestionView> {
        unknown_suggestions(self.catalog, u, self.opts)
    }

    /// The whole report: the diagnosis, what the scans counted, and the
    /// inputs that could not be read.
    pub(crate) fn build(&self, d: &Diagnoser<'_>, scanned: ScanStats, notes: &InputNotes) -> View {
        build(d, scanned, self.names, notes, self.opts)
    }
}

fn source_name(names: &[String], p: &Position) -> String {
    names.get(p.source).cloned().unwrap_or_default()
}

fn finding_view(
    cat: &Catalog,
    f: &Finding,
    names: &[String],
    opts: &ViewOptions,
    running: Option<Running>,
) -> FindingView {
    let e = &cat.entries[f.entry];
    let fixed_in = e.raw().fixed_in.clone();
    let upgrade = running.zip(fixed_in.as_ref()).and_then(|(r, fx)| {
        crate::parse::version::compare(r, fx.alist.as_deref(), fx.openlist.as_deref())
    });
    let r = |s: &str| redact::maybe(s, opts.redact);
    let captures: Vec<(String, String)> =
        f.captures.iter().map(|(k, v)| (k.clone(), r(v))).collect();
    let (title, cause, fix, docs) = entry_text(e, &captures, opts);
    FindingView {
        id: e.id.to_string(),
        title,
        severity: e.severity,
        tags: e.raw().tags.clone(),
        drivers: e.raw().drivers.clone(),
        applies_to: e.servers(),
        cause,
        fix,
        docs,
        count: f.count,
        source: source_name(names, &f.first),
        first_line: f.first.line,
        last_line: f.last.line,
        first_timestamp: f.first.timestamp.clone(),
        last_timestamp: f.last.timestamp.clone(),
        matched: r(&f.matched),
        samples: f.samples.iter().map(|s| r(s)).collect(),
        captures: captures.into_iter().collect(),
        context: ContextView {
            action: f.context.action.map(str::to_string),
            mount_path: f.context.mount_path.as_deref().map(r),
            driver: f.context.driver.clone(),
            path: f.context.path.as_deref().map(r),
        },
        also: f
            .also
            .iter()
            .map(|&i| cat.entries[i].id.to_string())
            .collect(),
        fixed_in,
        upgrade,
    }
}

fn unknown_view(u: &Unknown, names: &[String], opts: &ViewOptions) -> UnknownView {
    UnknownView {
        template: redact::maybe(&u.template, opts.redact),
        count: u.count,
        level: if u.body {
            "body".to_string()
        } else {
            u.level.map_or("error", |l| l.as_str()).to_string()
        },
        source: source_name(names, &u.first),
        first_line: u.first.line,
        sample: redact::maybe(&u.sample, opts.redact),
        suggestions: Vec::new(),
    }
}

fn unknown_suggestions(cat: &Catalog, u: &Unknown, opts: &ViewOptions) -> Vec<SuggestionView> {
    cat.suggestions()
        .suggest(&format!("{} {}", u.template, u.sample), &[])
        .iter()
        .filter_map(|s| suggestion_view(cat, s, None, opts))
        .collect()
}

/// A suggestion shown: the entry's title in the view's language.
fn suggestion_view(
    cat: &Catalog,
    s: &crate::diagnose::suggest::Suggestion,
    source: Option<String>,
    opts: &ViewOptions,
) -> Option<SuggestionView> {
    let e = cat.get(&s.id)?;
    Some(SuggestionView {
        id: s.id.clone(),
        title: crate::catalog::placeholder::fill_title(&e.text(opts.lang).title, &[]),
        score: s.score,
        words: s.words.clone(),
        source,
    })
}

fn build(
    d: &Diagnoser<'_>,
    scanned: ScanStats,
    names: &[String],
    notes: &InputNotes,
    opts: &ViewOptions,
) -> View {
    let cat = d.matcher.catalog();
    // "Collect this" gives way to suggestions for the same paste.
    // It also gives way to an unknown error of the same paste: that line
    // is what to report.
    let suggested = |source: usize| {
        notes.suggestions.iter().any(|(i, _)| *i == source)
            || d.unknown.iter().any(|u| u.first.source == source)
    };
    // A release a paste names, else one a log showed while read.
    let running = opts.running.or(d.running);
    let findings: Vec<FindingView> = d
        .sorted_findings()
        .into_iter()
        .filter(|f| !(cat.entries[f.entry].paste_only && suggested(f.first.source)))
        .map(|f| finding_view(cat, f, names, opts, running.map(|r| r.0)))
        .collect();
    let unknown = merge_alike(
        d.sorted_unknown()
            .into_iter()
            .map(|u| UnknownView {
                suggestions: unknown_suggestions(cat, u, opts),
                ..unknown_view(u, names, opts)
            })
            .collect(),
    );
    let summary = Summary {
        inputs: names.len(),
        lines: scanned.lines,
        events: scanned.events,
        findings: findings.len(),
        // Past the caps an occurrence has no row, but it still counts.
        occurrences: findings.iter().map(|f| f.count).sum::<u64>() + d.stats.findings_uncounted,
        unknown: unknown.len(),
        // Occurrences past the template cap are counted too.
        unknown_occurrences: unknown.iter().map(|u| u.count).sum::<u64>()
            + d.stats.unknown_past_cap,
        benign: d.stats.benign,
        foreign: d.stats.foreign,
        highest_severity: findings.iter().map(|f| f.severity).max(),
        cut_lines: scanned.cut_lines,
        outside_window: scanned.outside_window,
        capped: d.stats.findings_capped || d.stats.unknown_capped,
        errors: notes.errors.clone(),
        encoding: notes.encoding.clone(),
        server: running.map(|(r, input)| ServerView {
            product: r.product,
            version: r.version,
            input: names.get(input).cloned().unwrap_or_default(),
        }),
    };
    // An unknown error of a log gets the entries it resembles (per
    // template, never per line).
    let suggestions = notes
        .suggestions
        .iter()
        .flat_map(|(i, list)| {
            let name = names.get(*i).cloned();
            list.iter()
                .filter_map(move |s| suggestion_view(cat, s, name.clone(), opts))
        })
        .collect();
    View {
        version: JSON_VERSION,
        lang: opts.lang,
        findings,
        unknown,
        suggestions,
        summary,
    }
}

/// Unknown errors whose templates read alike once redacted (they differed
/// in a secret) as one: counts summed, the most frequent one's sample and
/// position kept (the input is in report order), most frequent first.
fn merge_alike(unknown: Vec<UnknownView>) -> Vec<UnknownView> {
    let mut by_template: std::collections::HashMap<String, usize> =
        std::collections::HashMap::new();
    let mut merged: Vec<UnknownView> = Vec::with_capacity(unknown.len());
    for u in unknown {
        match by_template.get(&u.template) {
            Some(&i) => merged[i].count += u.count,
            None => {
                by_template.insert(u.template.clone(), merged.len());
                merged.push(u);
            }
        }
    }
    // Stable: equal counts stay in the order they were first seen.
    merged.sort_by_key(|u| std::cmp::Reverse(u.count));
    merged
}

/// Occurrences per id (summed over captures), most frequent first.
pub(crate) fn statistics(v: &View) -> Vec<(String, Severity, u64)> {
    let mut per_id: BTreeMap<&str, (Severity, u64)> = BTreeMap::new();
    for f in &v.findings {
        let e = per_id.entry(&f.id).or_insert((f.severity, 0));
        e.1 += f.count;
    }
    let mut out: Vec<(String, Severity, u64)> = per_id
        .into_iter()
        .map(|(id, (s, c))| (id.to_string(), s, c))
        .collect();
    out.sort_by(|a, b| b.2.cmp(&a.2).then(a.0.cmp(&b.0)));
    out
}
