//! The catalog's YAML schema, as written by authors (see CONTRIBUTING.md).
//! Plain serde types with no other dependency, so build.rs reads the
//! embedded `data/*.yaml` with exactly the rules user catalogs follow.

use std::fmt;

use serde::{Deserialize, Serialize};

#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Severity {
    #[default]
    Info,
    Warning,
    Error,
}

impl Severity {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Which server prints a message: AList, its fork OpenList, or both.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Server {
    Alist,
    Openlist,
}

/// Text of an entry in one language, as written.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawLocalized {
    pub title: String,
    pub cause: String,
    pub fix: Vec<String>,
}

/// One known problem, as its author wrote it: the one definition of the
/// catalog's fields. build.rs reads `data/*.yaml` into it and embeds each
/// entry as JSON of it; user catalogs are read into it; `explain` and
/// `list --format json` print it. A field only reports show is added here
/// and nowhere else. The few fields matching reads on every message
/// (`id`, `severity`, `fallback`, `generic`, `benign`, `priority`,
/// `patterns`) are mirrored into `catalog::Entry` (and build.rs's tables).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawEntry {
    pub id: String,
    pub title: String,
    pub severity: Severity,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    pub drivers: Vec<String>,
    #[serde(default)]
    pub applies_to: Vec<Server>,
    /// A generic entry: ranks below every specific entry that matches.
    #[serde(default)]
    pub fallback: bool,
    #[serde(default)]
    pub priority: i32,
    /// Normal operation: recognised so that it is neither a finding nor an
    /// unknown error when it appears in a log.
    #[serde(default)]
    pub benign: bool,
    /// Other software prints this wording too (x509, `address already in
    /// use`, AADSTS codes…): a line that another program printed never
    /// yields this entry. Orthogonal to `fallback`.
    #[serde(default)]
    pub generic: bool,
    /// Answers pasted text only, and only when nothing else does: no other
    /// finding and no suggestion (the "collect this" entry).
    #[serde(default)]
    pub paste_only: bool,
    pub patterns: Vec<String>,
    pub cause: String,
    pub fix: Vec<String>,
    #[serde(default)]
    pub docs: Vec<String>,
    #[serde(default)]
    pub zh: Option<RawLocalized>,
    #[serde(default)]
    pub examples: Vec<String>,
    #[serde(default)]
    pub counter_examples: Vec<String>,
    /// Words (English and Chinese) a partial or paraphrased paste may use
    /// for this problem, for suggestions: `TooManyRequest`, `请求过多`.
    #[serde(default)]
    pub keywords: Vec<String>,
    /// The releases that fixed a failure a provider change caused.
    #[serde(default)]
    pub fixed_in: Option<FixedIn>,
    /// Where the message is produced (`AlistGo/alist:path@tag`), and where a
    /// code's meaning is documented or observed (a URL, `owner/repo#N`);
    /// each item's first word is the reference, the rest says what it shows.
    #[serde(default)]
    pub evidence: Vec<String>,
}

impl RawEntry {
    /// Stands in for an entry whose text cannot be read (never expected:
    /// the embedded JSON is written by build.rs from this type).
    pub(crate) fn unreadable(id: &str) -> RawEntry {
        RawEntry {
            id: id.to_string(),
            title: id.to_string(),
            ..RawEntry::default()
        }
    }
}

/// Per server, the first release with the fix (`v3.45.0`, `v4.1.0`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct FixedIn {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alist: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub openlist: Option<String>,
}

/// Line numbers of the top-level sequence items (`- ` at column 0): where
/// each entry of a catalog file starts, for messages.
pub(crate) fn entry_lines(text: &str) -> Vec<usize> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| l.starts_with("- ") || *l == "-")
        .map(|(i, _)| i + 1)
        .collect()
}
