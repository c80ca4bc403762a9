//! What a check observed, and how it becomes a finding of the diagnosis:
//! the observation names a catalog entry and says what was seen in that
//! entry's words (`check: config.json:3: site_url "x" has no scheme`); the
//! entry's own patterns read the captures its text needs from that line,
//! exactly as they would from a pasted one, so `lint` proves both.

use std::path::PathBuf;

use crate::catalog::Catalog;
use crate::catalog::pattern::MAX_CAPTURE;
use crate::diagnose::{Context, Finding, Position};
use crate::parse::normalize::clip_bytes;

/// One problem a check saw.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Observation {
    /// The catalog entry that explains it.
    pub id: String,
    /// What was seen, in the entry's pattern's words (never a secret).
    pub text: String,
    /// The file it is about, and the line there (1: the whole file).
    pub file: PathBuf,
    pub line: u64,
    pub mount_path: Option<String>,
    pub driver: Option<String>,
    /// Captures found by the diagnosis engine (a stored status, a log
    /// line); `None`: read from `text` with the entry's patterns.
    pub captures: Option<Vec<(String, String)>>,
}

impl Observation {
    pub(crate) fn new(
        id: &str,
        text: impl Into<String>,
        file: impl Into<PathBuf>,
        line: u64,
    ) -> Self {
        Observation {
            id: id.to_string(),
            text: text.into(),
            file: file.into(),
            line: line.max(1),
            mount_path: None,
            driver: None,
            captures: None,
        }
    }

    pub(crate) fn storage(mut self, mount_path: &str, driver: &str) -> Self {
        self.mount_path = Some(mount_path.to_string());
        self.driver = (!driver.is_empty()).then(|| driver.to_string());
        self
    }
}

/// The captures of `entry`'s first pattern that matches `text`.
pub(crate) fn captures(cat: &Catalog, id: &str, text: &str) -> Option<Vec<(String, String)>> {
    let e = cat.get(id)?;
    for p in e.patterns {
        let Ok(re) = regex::RegexBuilder::new(p).case_insensitive(true).build() else {
            continue;
        };
        if let Some(c) = re.captures(text) {
            let mut out = Vec::new();
            for name in re.capture_names().flatten() {
                if let Some(m) = c.name(name) {
                    out.push((name.to_string(), clip_bytes(m.as_str(), MAX_CAPTURE)));
                }
            }
            return Some(out);
        }
    }
    None
}

/// Findings of the observations, each once (`source` is the index of the
/// observation's file in `names`, added when new).
pub(crate) fn to_findings(
    cat: &Catalog,
    obs: &[Observation],
    names: &mut Vec<String>,
) -> Vec<Finding> {
    let mut out: Vec<Finding> = Vec::new();
    type Key = (usize, Vec<(String, String)>, Option<String>);
    let mut seen: Vec<Key> = Vec::new();
    for o in obs {
        let Some(entry) = cat.entries.iter().position(|e| e.id == o.id) else {
            continue;
        };
        let caps = match &o.captures {
            Some(c) => c.clone(),
            None => captures(cat, &o.id, &o.text).unwrap_or_default(),
        };
        let key = (entry, caps.clone(), o.mount_path.clone());
        if seen.contains(&key) {
            continue;
        }
        seen.push(key);
        let name = o.file.display().to_string();
        let source = match names.iter().position(|n| *n == name) {
            Some(i) => i,
            None => {
                names.push(name);
                names.len() - 1
            }
        };
        let at = Position {
            source,
            line: o.line,
            timestamp: None,
        };
        out.push(Finding {
            entry,
            captures: caps,
            count: 1,
            first: at.clone(),
            last: at,
            matched: o.text.clone(),
            samples: vec![o.text.clone()],
            context: Context {
                action: None,
                mount_path: o.mount_path.clone(),
                driver: o.driver.clone(),
                path: None,
            },
            also: Vec::new(),
        });
    }
    out
}
