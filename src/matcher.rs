//! Finds which catalog entries explain a message, and ranks them.
//!
//! Each pattern contributes one set of literals of which every match must
//! contain at least one; an Aho-Corasick automaton over all of them picks the
//! few patterns worth running, so cost does not grow with the catalog size.
//! Regexes are compiled lazily, on the first message whose literal hits.

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use once_cell::sync::OnceCell;
use regex::{Regex, RegexBuilder};
use regex_syntax::hir::{Class, Hir, HirKind};

use crate::catalog::Catalog;

/// Compiled-size ceiling for one pattern: keeps hostile user catalogs from
/// eating memory (the regex crate's matching is linear-time, so size is the
/// only resource a pattern can abuse).
const PATTERN_SIZE_LIMIT: usize = 2 << 20;

/// Shortest literal worth prefiltering on; shorter ones hit nearly every line.
const MIN_LITERAL: usize = 3;

/// Compiles a catalog pattern the way the matcher runs it (case-insensitive).
pub fn compile_pattern(p: &str) -> Result<Regex, String> {
    RegexBuilder::new(p)
        .case_insensitive(true)
        .size_limit(PATTERN_SIZE_LIMIT)
        .dfa_size_limit(PATTERN_SIZE_LIMIT)
        .build()
        .map_err(|e| match e {
            regex::Error::CompiledTooBig(limit) => format!(
                "regex is too big: its compiled form exceeds {limit} bytes; simplify it \
                 (fewer nested repetitions, ASCII classes like [0-9] instead of \\d)"
            ),
            other => format!("invalid regex: {}", one_line(&other.to_string())),
        })
}

/// The regex crate's multi-line error, as one line: its last line says what
/// is wrong (`error: unclosed group`).
fn one_line(s: &str) -> String {
    let last = s
        .lines()
        .map(str::trim)
        .rfind(|l| !l.is_empty())
        .unwrap_or(s);
    last.trim_start_matches("error: ").to_string()
}

/// One entry that explains a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    pub entry: usize,
    pub start: usize,
    pub end: usize,
    /// Named captures that took part in the match, in pattern order.
    pub captures: Vec<(String, String)>,
}

struct Pattern {
    entry: usize,
    source: String,
    regex: OnceCell<Option<Regex>>,
}

impl Pattern {
    fn regex(&self) -> Option<&Regex> {
        self.regex
            .get_or_init(|| compile_pattern(&self.source).ok())
            .as_ref()
    }
}

pub struct Matcher {
    catalog: Catalog,
    patterns: Vec<Pattern>,
    prefilter: Option<AhoCorasick>,
    /// For each prefilter literal, the patterns it stands for.
    literal_patterns: Vec<Vec<u32>>,
    /// Patterns with no usable literal: always run.
    always: Vec<u32>,
}

impl Matcher {
    pub fn new(catalog: Catalog) -> Matcher {
        let mut patterns = Vec::new();
        let mut literals: Vec<String> = Vec::new();
        let mut literal_patterns: Vec<Vec<u32>> = Vec::new();
        let mut always = Vec::new();
        let mut seen = std::collections::HashMap::new();
        for (ei, e) in catalog.entries.iter().enumerate() {
            for p in &e.patterns {
                let pi = patterns.len() as u32;
                patterns.push(Pattern {
                    entry: ei,
                    source: p.clone(),
                    regex: OnceCell::new(),
                });
                match required_literals(p) {
                    Some(lits) => {
                        for lit in lits {
                            let li = *seen.entry(lit.clone()).or_insert_with(|| {
                                literals.push(lit);
                                literal_patterns.push(Vec::new());
                                literals.len() - 1
                            });
                            literal_patterns[li].push(pi);
                        }
                    }
                    None => always.push(pi),
                }
            }
        }
        let prefilter = AhoCorasickBuilder::new()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::Standard)
            .build(&literals)
            .ok();
        if prefilter.is_none() {
            // Cannot happen for literal strings; fall back to running everything.
            always = (0..patterns.len() as u32).collect();
        }
        Matcher {
            catalog,
            patterns,
            prefilter,
            literal_patterns,
            always,
        }
    }

    pub fn catalog(&self) -> &Catalog {
        &self.catalog
    }

    /// Every entry whose patterns match `text` (already normalised), best
    /// explanation first, one hit per entry.
    pub fn hits(&self, text: &str) -> Vec<Hit> {
        let mut candidates = vec![false; self.patterns.len()];
        let mut any = false;
        if let Some(ac) = &self.prefilter {
            for m in ac.find_overlapping_iter(text) {
                for &p in &self.literal_patterns[m.pattern().as_usize()] {
                    candidates[p as usize] = true;
                    any = true;
                }
            }
        }
        for &p in &self.always {
            candidates[p as usize] = true;
            any = true;
        }
        if !any {
            return Vec::new();
        }
        let mut best: Vec<Hit> = Vec::new();
        for (pi, _) in candidates.iter().enumerate().filter(|(_, c)| **c) {
            let pat = &self.patterns[pi];
            let Some(re) = pat.regex() else { continue };
            let Some(caps) = re.captures(text) else {
                continue;
            };
            let Some(m) = caps.get(0) else { continue };
            let captures = re
                .capture_names()
                .flatten()
                .filter_map(|n| {
                    caps.name(n)
                        .map(|v| (n.to_string(), v.as_str().to_string()))
                })
                .collect();
            let hit = Hit {
                entry: pat.entry,
                start: m.start(),
                end: m.end(),
                captures,
            };
            match best.iter_mut().find(|h| h.entry == hit.entry) {
                Some(old) if deeper(&hit, old) => *old = hit,
                Some(_) => {}
                None => best.push(hit),
            }
        }
        best.sort_by_key(|h| self.rank_key(h));
        best
    }

    /// Ranking: specific before fallback, higher priority, the match that
    /// starts later (deeper in a wrap chain, so nearer the real cause), the
    /// longer match, then catalog order.
    fn rank_key(
        &self,
        h: &Hit,
    ) -> (
        bool,
        i32,
        std::cmp::Reverse<usize>,
        std::cmp::Reverse<usize>,
        usize,
    ) {
        let e = &self.catalog.entries[h.entry];
        (
            e.fallback,
            -e.priority,
            std::cmp::Reverse(h.start),
            std::cmp::Reverse(h.end - h.start),
            h.entry,
        )
    }

    /// Every pattern of the catalog, for `alist-doctor patterns`.
    pub fn pattern_sources(&self) -> impl Iterator<Item = &str> {
        self.patterns.iter().map(|p| p.source.as_str())
    }

    /// Prefilter literals of pattern number `i` (for lint's speed warnings).
    pub fn has_literal(&self, entry: usize) -> bool {
        self.patterns
            .iter()
            .enumerate()
            .filter(|(_, p)| p.entry == entry)
            .all(|(i, _)| !self.always.contains(&(i as u32)))
    }
}

fn deeper(a: &Hit, b: &Hit) -> bool {
    (a.start, a.end - a.start) > (b.start, b.end - b.start)
}

/// A set of literals (lower-cased) at least one of which occurs in every
/// match of `pattern`; `None` when no useful set exists.
pub fn required_literals(pattern: &str) -> Option<Vec<String>> {
    let hir = regex_syntax::ParserBuilder::new()
        .case_insensitive(false)
        .build()
        .parse(pattern)
        .ok()?;
    let set = required(&hir)?;
    if set.iter().all(|l| l.len() >= MIN_LITERAL) {
        Some(set)
    } else {
        None
    }
}

/// The one string `h` matches (ASCII case folded), if it matches exactly one.
fn exact(h: &Hir) -> Option<String> {
    match h.kind() {
        HirKind::Literal(lit) => {
            let s = std::str::from_utf8(&lit.0).ok()?;
            // Non-ASCII letters with case would need Unicode folding, which the
            // ASCII-insensitive automaton does not do.
            if s.chars()
                .any(|c| !c.is_ascii() && c.to_lowercase().ne(c.to_uppercase()))
            {
                return None;
            }
            Some(s.to_ascii_lowercase())
        }
        HirKind::Class(class) => single_folded_char(class).map(String::from),
        HirKind::Capture(c) => exact(&c.sub),
        HirKind::Concat(subs) => subs.iter().map(exact).collect(),
        HirKind::Repetition(r) if r.max == Some(r.min) && r.min <= 8 => {
            exact(&r.sub).map(|s| s.repeat(r.min as usize))
        }
        _ => None,
    }
}

/// `[Tt]` and `(?i)t` are one character for an ASCII-insensitive search.
fn single_folded_char(class: &Class) -> Option<char> {
    let mut found: Option<char> = None;
    let mut check = |c: char| -> bool {
        if !c.is_ascii() {
            return false;
        }
        let c = c.to_ascii_lowercase();
        match found {
            None => {
                found = Some(c);
                true
            }
            Some(f) => f == c,
        }
    };
    match class {
        Class::Unicode(u) => {
            for r in u.iter() {
                if (r.end() as u32) - (r.start() as u32) > 1 {
                    return None;
                }
                for c in [r.start(), r.end()] {
                    if !check(c) {
                        return None;
                    }
                }
            }
        }
        Class::Bytes(b) => {
            for r in b.iter() {
                if r.end() - r.start() > 1 {
                    return None;
                }
                for c in [r.start(), r.end()] {
                    if !check(c as char) {
                        return None;
                    }
                }
            }
        }
    }
    found
}

fn required(h: &Hir) -> Option<Vec<String>> {
    if let Some(s) = exact(h).filter(|s| !s.is_empty()) {
        return Some(vec![s]);
    }
    match h.kind() {
        HirKind::Capture(c) => required(&c.sub),
        HirKind::Repetition(r) if r.min >= 1 => required(&r.sub),
        HirKind::Alternation(subs) => {
            let mut all = Vec::new();
            for s in subs {
                for lit in required(s)? {
                    if !all.contains(&lit) {
                        all.push(lit);
                    }
                }
            }
            Some(all)
        }
        HirKind::Concat(subs) => {
            let mut candidates: Vec<Vec<String>> = Vec::new();
            let mut run = String::new();
            for s in subs {
                match exact(s) {
                    Some(lit) => run.push_str(&lit),
                    None => {
                        if !run.is_empty() {
                            candidates.push(vec![std::mem::take(&mut run)]);
                        }
                        if let Some(set) = required(s) {
                            candidates.push(set);
                        }
                    }
                }
            }
            if !run.is_empty() {
                candidates.push(vec![run]);
            }
            candidates.into_iter().max_by_key(|set| {
                let shortest = set.iter().map(String::len).min().unwrap_or(0);
                (shortest.min(12), std::cmp::Reverse(set.len()))
            })
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literals_from_concat_and_alternation() {
        assert_eq!(
            required_literals(r"listen tcp (?P<a>\S*):(?P<p>\d+): bind: address already in use"),
            Some(vec![": bind: address already in use".into()])
        );
        assert_eq!(
            required_literals(r"TooManyRequests|Too Many Requests"),
            Some(vec!["toomanyrequests".into(), "too many requests".into()])
        );
        assert_eq!(
            required_literals(r"[Tt]oken is expired"),
            Some(vec!["token is expired".into()])
        );
        assert_eq!(required_literals(r"\d+"), None);
        assert_eq!(required_literals(r"a|\d"), None);
        assert_eq!(
            required_literals(r"请进行验证"),
            Some(vec!["请进行验证".into()])
        );
    }

    #[test]
    fn size_limit_is_reported() {
        let err = compile_pattern(r"(\w{100}){100}").unwrap_err();
        assert!(err.contains("too big"), "{err}");
        assert!(
            compile_pattern("(")
                .unwrap_err()
                .starts_with("invalid regex")
        );
    }
}
