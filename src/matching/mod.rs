//! Finds which catalog entries explain a message, and ranks them.
//!
//! Each pattern contributes one set of literals of which every match must
//! contain at least one; one pass over the message finds which of all of
//! them occur (`prefilter::LiteralSet`) and so the few patterns worth
//! running, so cost does not grow with the catalog size.
//! Regexes are compiled lazily, on the first message whose literal hits.
#![warn(clippy::string_slice)]

pub(crate) mod memo;
pub(crate) mod prefilter;

use memchr::memmem::Finder;
use once_cell::sync::OnceCell;
use regex_automata::Input;
use regex_automata::meta::{self, Regex};

use std::borrow::Cow;

use crate::catalog::Catalog;
use crate::catalog::pattern::{
    MAX_CAPTURE, capture_names, compile_pattern, plain_text, required_literals,
};
use crate::matching::memo::Memo;
use crate::matching::prefilter::LiteralSet;

/// Search state for the catalog's regexes, created on first use. Whoever
/// matches owns one; the regexes themselves are shared.
/// Boxed: a cache is a large struct, and most patterns never run.
pub(crate) struct Caches {
    regexes: Vec<Option<Box<meta::Cache>>>,
    /// Messages searched since the caches' size was last checked.
    searched: usize,
    /// `CACHE_BUDGET`, except in tests.
    budget: usize,
    /// Scratch space reused from one message to the next.
    lower: String,
    seen: Vec<u32>,
    /// Captures found per pattern and matched text (see `fill_captures`);
    /// off in reference mode.
    captured: Memo<Vec<u8>, Vec<(String, String)>>,
    remember_captures: bool,
    key: Vec<u8>,
}

/// Matched texts whose captures are remembered, per thread (from their
/// second miss on; the table is emptied when full). The capture search is
/// the dearest step of matching a new message (a backtracking search,
/// ~10k instructions), and the same matched text (`lookup host: no such
/// host`) recurs inside messages that differ elsewhere (the URL before it).
const CAPTURED: usize = 256;

/// Longest matched text whose captures are remembered (its key is the
/// pattern's number and the text; captured values are clipped to
/// `MAX_CAPTURE`).
const CAPTURED_SPAN: usize = 512;

/// How many messages pass between two looks at the caches' size.
const CHECK_EVERY: usize = 1024;

/// Search caches of one matcher may hold this much; past it they start
/// afresh. Lazy DFAs add states for every new kind of text, so without a
/// bound their memory could grow with the variety of a long log. A
/// generated 1 GiB log settles at ~1.3 MiB per worker: a lower budget
/// clears too often (1 MiB cost 9% more work, rebuilding states).
const CACHE_BUDGET: usize = 2 << 20;

impl Default for Caches {
    fn default() -> Self {
        Caches {
            regexes: Vec::new(),
            searched: 0,
            budget: CACHE_BUDGET,
            lower: String::new(),
            seen: Vec::new(),
            captured: Memo::new(CAPTURED, 4 + CAPTURED_SPAN),
            remember_captures: true,
            key: Vec::new(),
        }
    }
}

impl Caches {
    /// Caches that remember captures or not (the reference path does not).
    pub(crate) fn new(remember_captures: bool) -> Self {
        Caches {
            remember_captures,
            ..Caches::default()
        }
    }

    /// Bytes the search caches hold now.
    fn held(&self) -> usize {
        self.regexes
            .iter()
            .flatten()
            .map(|c| c.memory_usage())
            .sum()
    }

    /// Drops every search cache once they hold more than the budget
    /// (looked at every `CHECK_EVERY` messages).
    fn enforce_budget(&mut self) {
        self.searched += 1;
        if self.searched < CHECK_EVERY {
            return;
        }
        self.searched = 0;
        if self.held() > self.budget {
            self.regexes.clear();
        }
    }

    fn get(&mut self, pattern: usize, re: &Regex) -> &mut meta::Cache {
        if self.regexes.len() <= pattern {
            self.regexes.resize_with(pattern + 1, || None);
        }
        self.regexes[pattern].get_or_insert_with(|| Box::new(re.create_cache()))
    }
}

/// One entry that explains a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Hit {
    pub entry: usize,
    /// Index of the pattern that matched (for `fill_captures`).
    pub pattern: usize,
    pub start: usize,
    pub end: usize,
    /// Named captures that took part in the match, in pattern order.
    pub captures: Vec<(String, String)>,
}

struct Pattern {
    entry: usize,
    source: &'static str,
    /// A pattern that is plain text: found by substring search in the
    /// lower-cased message, no regex compiled (a third of the catalog).
    literal: Option<Finder<'static>>,
    regex: OnceCell<Option<Regex>>,
    /// Whether the pattern has no look-around (`\b`, `^`, `$`…): then a
    /// match's captures depend on the matched text alone.
    span_only: OnceCell<bool>,
}

impl Pattern {
    fn regex(&self) -> Option<&Regex> {
        self.regex
            .get_or_init(|| compile_pattern(self.source).ok())
            .as_ref()
    }

    fn span_only(&self) -> bool {
        *self.span_only.get_or_init(|| {
            regex_syntax::ParserBuilder::new()
                .build()
                .parse(self.source)
                .is_ok_and(|hir| hir.properties().look_set().is_empty())
        })
    }
}

pub(crate) struct Matcher {
    catalog: Cow<'static, Catalog>,
    patterns: Vec<Pattern>,
    /// Every pattern's most selective literal set, lower-case,
    /// deduplicated, indexed for finding them all in one pass.
    prefilter: LiteralSet,
    /// For each prefilter literal, the patterns whose most selective
    /// literal set it belongs to.
    literal_patterns: Vec<Vec<u32>>,
    /// For each pattern, its other literal sets: checked (a substring
    /// search each) only on the few patterns the prefilter picked; a
    /// pattern runs only on text that satisfies every set.
    /// Finders are built once: building one costs more than a search.
    more_sets: Vec<Vec<Vec<Finder<'static>>>>,
    /// Patterns with no usable literal: always run.
    always: Vec<u32>,
    /// The shortest text any entry a log can have matches, in bytes.
    shortest: usize,
}

impl Matcher {
    /// Builds the matcher; takes the embedded catalog by reference (no copy)
    /// or an owned one (with user entries).
    pub(crate) fn new(catalog: impl Into<Cow<'static, Catalog>>) -> Matcher {
        let catalog: Cow<'static, Catalog> = catalog.into();
        let mut patterns = Vec::new();
        let mut literals: Vec<String> = Vec::new();
        let mut literal_patterns: Vec<Vec<u32>> = Vec::new();
        let mut more_sets = Vec::new();
        let mut always = Vec::new();
        let mut seen = std::collections::HashMap::new();
        for (ei, e) in catalog.entries.iter().enumerate() {
            // Embedded entries come with their literals computed at build time.
            let precomputed = e
                .record
                .map(crate::catalog::embedded_literals)
                .filter(|sets| sets.len() == e.patterns.len());
            for (i, p) in e.patterns.iter().enumerate() {
                let pi = patterns.len() as u32;
                patterns.push(Pattern {
                    entry: ei,
                    source: p,
                    literal: plain_text(p).map(|t| Finder::new(&t).into_owned()),
                    regex: OnceCell::new(),
                    span_only: OnceCell::new(),
                });
                let lits = match &precomputed {
                    Some(sets) => Some(
                        sets[i]
                            .iter()
                            .map(|s| s.iter().map(|l| l.to_string()).collect())
                            .collect(),
                    ),
                    None => required_literals(p),
                };
                // The sets come most selective first: that one goes into the
                // prefilter, the others are checked afterwards.
                let mut sets = lits.unwrap_or_default().into_iter();
                match sets.next() {
                    Some(first) => {
                        for lit in first {
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
                more_sets.push(
                    sets.map(|set| set.iter().map(|l| Finder::new(l).into_owned()).collect())
                        .collect(),
                );
            }
        }
        let shortest = catalog
            .entries
            .iter()
            .filter(|e| !e.paste_only)
            .map(|e| e.shortest)
            .min()
            .unwrap_or(usize::MAX);
        Matcher {
            shortest,
            catalog,
            patterns,
            prefilter: LiteralSet::new(&literals),
            literal_patterns,
            more_sets,
            always,
        }
    }

    /// The matcher over the built-in catalog.
    pub(crate) fn embedded() -> Matcher {
        Matcher::new(Cow::Borrowed(Catalog::embedded()))
    }

    pub(crate) fn catalog(&self) -> &Catalog {
        &self.catalog
    }

    /// The fewest bytes a text of a log must have for any entry to match
    /// it (entries that answer pastes only are left out): shorter
    /// messages need no matching.
    pub(crate) fn shortest(&self) -> usize {
        self.shortest
    }

    /// Every entry whose patterns match `text` (already normalised), best
    /// explanation first, one hit per entry; captures are left empty.
    pub(crate) fn hits(&self, caches: &mut Caches, text: &str) -> Vec<Hit> {
        // Patterns whose most selective literal set occurs.
        let seen = &mut caches.seen;
        seen.clear();
        let lower = &mut caches.lower;
        lower.clear();
        // Lower-cased once: for the prefilter, the other literal sets and
        // the plain-text patterns alike.
        lower.push_str(text);
        lower.make_ascii_lowercase();
        self.prefilter.find_all(lower.as_bytes(), |lit| {
            seen.extend_from_slice(&self.literal_patterns[lit]);
        });
        seen.sort_unstable();
        seen.dedup();
        // …and whose every other set occurs too.
        let lower = lower.as_bytes();
        let mut candidates: Vec<u32> = seen
            .iter()
            .copied()
            .filter(|&p| {
                self.more_sets[p as usize]
                    .iter()
                    .all(|set| set.iter().any(|lit| lit.find(lower).is_some()))
            })
            .chain(self.always.iter().copied())
            .collect();
        if candidates.is_empty() {
            return Vec::new();
        }
        caches.enforce_budget();
        // Catalog order, as if every pattern were tried in turn.
        candidates.sort_unstable();
        candidates.dedup();
        // Spans first (a DFA search); captures only for the hit that is
        // reported, see `fill_captures`.
        // Taken out for the loop: `search` needs the caches mutably.
        let lowered = std::mem::take(&mut caches.lower);
        let found: Vec<Hit> = candidates
            .into_iter()
            .filter_map(|pi| {
                let pi = pi as usize;
                let pat = &self.patterns[pi];
                match &pat.literal {
                    Some(lit) => lit.find(lowered.as_bytes()).map(|start| Hit {
                        entry: pat.entry,
                        pattern: pi,
                        start,
                        end: start + lit.needle().len(),
                        captures: Vec::new(),
                    }),
                    None => self.search(caches, pi, text),
                }
            })
            .collect();
        caches.lower = lowered;
        self.rank(found.into_iter())
    }

    /// Pattern `pi`'s leftmost-first match in `text`, as a hit, by its regex.
    fn search(&self, caches: &mut Caches, pi: usize, text: &str) -> Option<Hit> {
        let pat = &self.patterns[pi];
        let re = pat.regex()?;
        let m = re.search_with(caches.get(pi, re), &Input::new(text.as_bytes()))?;
        Some(Hit {
            entry: pat.entry,
            pattern: pi,
            start: m.start(),
            end: m.end(),
            captures: Vec::new(),
        })
    }

    /// One hit per entry (its deepest match), best explanation first.
    fn rank(&self, found: impl Iterator<Item = Hit>) -> Vec<Hit> {
        let mut best: Vec<Hit> = Vec::new();
        for hit in found {
            match best.iter_mut().find(|h| h.entry == hit.entry) {
                Some(old) if deeper(&hit, old) => *old = hit,
                Some(_) => {}
                None => best.push(hit),
            }
        }
        best.sort_by_key(|h| self.rank_key(h));
        best
    }

    /// Every pattern tried by its regex, no prefilter and no plain-text
    /// shortcut: the yardstick for `hits`.
    #[cfg(test)]
    fn hits_plain(&self, caches: &mut Caches, text: &str) -> Vec<Hit> {
        let found = (0..self.patterns.len()).filter_map(|pi| self.search(caches, pi, text));
        self.rank(found)
    }

    /// Fills the named captures of `hit` (found in `text`).
    ///
    /// Of all the ways a pattern matches, leftmost-first takes the one
    /// that comes first in the pattern; the way it matches exactly the
    /// text of `hit` is then the first way that matches that text. So
    /// without look-around (which could see past the match) the captures
    /// are a function of the pattern and the matched text, and are
    /// remembered as such.
    pub(crate) fn fill_captures(&self, caches: &mut Caches, hit: &mut Hit, text: &str) {
        let Some(pat) = self.patterns.get(hit.pattern) else {
            return;
        };
        if pat.literal.is_some() {
            return;
        }
        let Some(re) = pat.regex() else {
            return;
        };
        // Most patterns name nothing: no second search for them.
        if capture_names(re).next().is_none() {
            return;
        }
        let remember = caches.remember_captures && pat.span_only();
        if remember {
            let key = &mut caches.key;
            key.clear();
            key.extend_from_slice(&(hit.pattern as u32).to_le_bytes());
            key.extend_from_slice(&text.as_bytes()[hit.start..hit.end]);
            if let Some(found) = caches.captured.get(key.as_slice()) {
                hit.captures = found.clone();
                return;
            }
        }
        let cache = caches.get(hit.pattern, re);
        let mut caps = re.create_captures();
        // The same leftmost-first match `hits` found, now with groups.
        let input = Input::new(text.as_bytes()).range(hit.start..);
        re.search_captures_with(cache, &input, &mut caps);
        if !caps.is_match() {
            return;
        }
        hit.captures = capture_names(re)
            .filter_map(|n| {
                caps.get_group_by_name(n).map(|span| {
                    // Redacted before it is cut, when it is cut; the user's
                    // sentence after Chinese punctuation is no part of it.
                    let value = String::from_utf8_lossy(&text.as_bytes()[span.range()]);
                    let value =
                        crate::report::redact::clip(cut_at_prose(&value), MAX_CAPTURE).into_owned();
                    (n.to_string(), value)
                })
            })
            .collect();
        if remember {
            let captures = &hit.captures;
            caches
                .captured
                .missed(caches.key.as_slice(), || captures.clone());
        }
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
}

fn deeper(a: &Hit, b: &Hit) -> bool {
    (a.start, a.end - a.start) > (b.start, b.end - b.start)
}

/// A capture ends where Chinese punctuation closes the message
/// (`账号或密码错误。请问怎么解决` → `账号或密码错误`): what follows is the
/// user's sentence, not the provider's words. A closing quote ends it only
/// when the capture did not open that quote itself.
fn cut_at_prose(s: &str) -> &str {
    let mut open = 0usize;
    for (i, c) in s.char_indices() {
        match c {
            '「' | '“' => open += 1,
            '」' | '”' if open > 0 => open -= 1,
            '，' | '。' | '：' | '；' | '！' | '？' | '」' | '”' if i > 0 => {
                // boundary: `i` is a char index from char_indices.
                #[allow(clippy::string_slice)]
                return s[..i].trim_end();
            }
            _ => {}
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn captures_end_at_chinese_punctuation() {
        assert_eq!(
            cut_at_prose("账号或密码错误。请问怎么解决"),
            "账号或密码错误"
        );
        assert_eq!(cut_at_prose("余额不足，请充值"), "余额不足");
        assert_eq!(cut_at_prose("「文件」不存在"), "「文件」不存在");
        assert_eq!(cut_at_prose("。leading"), "。leading");
        assert_eq!(cut_at_prose("plain ascii: kept"), "plain ascii: kept");
    }

    /// Every catalog example and counter-example, normalised, as written
    /// and upper-cased, with its entry's id.
    fn example_texts() -> Vec<(&'static str, String)> {
        let mut out = Vec::new();
        for e in &Catalog::embedded().entries {
            for x in e.raw().examples.iter().chain(&e.raw().counter_examples) {
                let text = crate::parse::normalize::normalize(x);
                out.push((e.id, text.to_ascii_uppercase()));
                out.push((e.id, text));
            }
        }
        assert!(out.len() > 2_000);
        out
    }

    /// The literal prefilter only ever skips patterns that cannot match:
    /// on every example text, the hits equal those of trying every pattern.
    #[test]
    fn prefilter_never_changes_the_hits() {
        let m = Matcher::new(std::borrow::Cow::Borrowed(Catalog::embedded()));
        let mut caches = Caches::default();
        for (id, t) in example_texts() {
            let fast = m.hits(&mut caches, &t);
            let plain = m.hits_plain(&mut caches, &t);
            assert_eq!(fast, plain, "{id}: {t:?}");
        }
    }

    /// The literal set finds exactly the catalog literals a search for
    /// each in turn finds, on every example text.
    #[test]
    fn literal_set_finds_what_a_search_for_each_finds() {
        let m = Matcher::new(std::borrow::Cow::Borrowed(Catalog::embedded()));
        let set = &m.prefilter;
        assert!(set.len() > 500);
        // Literals that start alike are filed apart.
        assert!(
            set.deepest() <= 4,
            "{} literals in one bucket",
            set.deepest()
        );
        for (id, t) in example_texts() {
            let lower = t.to_ascii_lowercase();
            let mut found = Vec::new();
            set.find_all(lower.as_bytes(), |i| found.push(i));
            found.sort_unstable();
            found.dedup();
            let want: Vec<usize> = (0..set.len())
                .filter(|&i| memchr::memmem::find(lower.as_bytes(), set.literal(i)).is_some())
                .collect();
            assert_eq!(found, want, "{id}: {t:?}");
        }
    }

    /// Captures come from memory for a matched text seen before, inside
    /// other messages, and equal those searched afresh.
    #[test]
    fn captures_of_a_matched_text_are_remembered() {
        let m = Matcher::new(std::borrow::Cow::Borrowed(Catalog::embedded()));
        let (mut remembering, mut plain) = (Caches::default(), Caches::new(false));
        let texts = [
            "failed get objs: Get \"https://pan.baidu.com/a\": dial tcp: lookup pan.baidu.com: no such host",
            "failed link: Post \"https://pan.baidu.com/b\": dial tcp: lookup pan.baidu.com: no such host",
            "failed list: dial tcp: lookup pan.baidu.com: no such host",
        ];
        for t in texts {
            let mut a = m.hits(&mut remembering, t).remove(0);
            let mut b = m.hits(&mut plain, t).remove(0);
            m.fill_captures(&mut remembering, &mut a, t);
            m.fill_captures(&mut plain, &mut b, t);
            assert_eq!(a, b, "{t}");
            assert!(!a.captures.is_empty(), "{t}");
        }
        // Admitted on its second miss, found there on the third message.
        assert_eq!(remembering.captured.len(), 1);
        assert_eq!(plain.captured.len(), 0);
        // A long matched text is searched every time, never remembered.
        let host = format!("{}.example.com", "h".repeat(CAPTURED_SPAN));
        let long = format!("dial tcp: lookup {host}: no such host");
        for _ in 0..3 {
            let mut a = m.hits(&mut remembering, &long).remove(0);
            m.fill_captures(&mut remembering, &mut a, &long);
            assert!(!a.captures.is_empty());
        }
        assert_eq!(remembering.captured.len(), 1);
    }

    #[test]
    fn only_look_around_free_patterns_remember_captures() {
        let m = Matcher::new(std::borrow::Cow::Borrowed(Catalog::embedded()));
        let with = m
            .patterns
            .iter()
            .find(|p| p.source.contains("\\b"))
            .unwrap();
        assert!(!with.span_only());
        let without = m
            .patterns
            .iter()
            .find(|p| p.source.contains("(?P<host>"))
            .unwrap();
        assert!(without.span_only(), "{}", without.source);
    }

    #[test]
    fn long_captures_are_clipped() {
        let mut cat = Catalog::default();
        let mut e = Catalog::embedded().entries[0].clone();
        e.patterns = &["boom: (?P<detail>.*)"];
        e.record = None;
        cat.upsert(e);
        let m = Matcher::new(std::borrow::Cow::Owned(cat));
        let mut caches = Caches::default();
        let text = format!("boom: {}", "是".repeat(300));
        let mut hit = m.hits(&mut caches, &text).remove(0);
        m.fill_captures(&mut caches, &mut hit, &text);
        let (name, value) = &hit.captures[0];
        assert_eq!(name, "detail");
        assert!(value.ends_with('…') && value.len() <= MAX_CAPTURE + '…'.len_utf8());
        assert!(value.len() > MAX_CAPTURE - 3, "{}", value.len());
    }

    #[test]
    fn search_caches_stay_within_their_budget() {
        let m = Matcher::new(std::borrow::Cow::Borrowed(Catalog::embedded()));
        let msgs = [
            "failed to start: listen tcp 0.0.0.0:5244: bind: address already in use",
            "dial tcp 10.0.0.2:443: connect: connection refused",
            "dial tcp: lookup api.example.com: no such host",
        ];
        let live = |c: &Caches| c.regexes.iter().flatten().count();
        for budget in [usize::MAX, 1] {
            let mut caches = Caches {
                budget,
                ..Caches::default()
            };
            for i in 0..CHECK_EVERY - 1 {
                assert!(!m.hits(&mut caches, msgs[i % 3]).is_empty());
            }
            let before = live(&caches);
            assert!(before >= 3, "{before}");
            // The CHECK_EVERY-th message: over budget, every cache is
            // dropped before it is searched, so only its own remain.
            let hits = m.hits(&mut caches, msgs[0]);
            let mut fresh = Caches::default();
            assert_eq!(hits, m.hits(&mut fresh, msgs[0]));
            let expected = if budget == 1 { live(&fresh) } else { before };
            assert_eq!(live(&caches), expected, "budget {budget}");
        }
    }

    #[test]
    fn plain_text_patterns() {
        assert_eq!(
            plain_text(r"(?i)Sorry, sharing is not available"),
            Some("sorry, sharing is not available".into())
        );
        assert_eq!(
            plain_text(r"NotFound\.FileId: 文件"),
            Some("notfound.fileid: 文件".into())
        );
        for p in [
            r"a.b",
            r"a\d",
            r"(?-i:X)",
            r"x{2}",
            r"a|b",
            r"^a",
            r"a\b",
            r"[ab]",
            "Ошибка",
            "",
        ] {
            assert_eq!(plain_text(p), None, "{p}");
        }
        let plain = Catalog::embedded()
            .entries
            .iter()
            .flat_map(|e| e.patterns.iter())
            .filter(|p| plain_text(p).is_some())
            .count();
        assert!(plain > 150, "{plain}");
    }

    #[test]
    fn size_limit_is_reported() {
        let err = compile_pattern(r"(\w{500}){500}").unwrap_err();
        assert!(err.contains("too big"), "{err}");
        assert!(
            compile_pattern("(")
                .unwrap_err()
                .starts_with("invalid regex")
        );
    }
}
