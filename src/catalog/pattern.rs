//! The pattern language of the catalog: how a pattern compiles, what it
//! captures, whether it is plain text, and the literals every match must
//! contain (the prefilter's input). A leaf: the catalog, the matcher, lint
//! and build.rs depend on it, it depends on the regex crates only. build.rs
//! compiles every embedded pattern with it (a bad one fails the build) and
//! computes the literals, so start-up parses no regex at all.

use regex_automata::meta::{self, Regex};
use regex_automata::util::{primitives::PatternID, syntax};
use regex_syntax::hir::{Class, Hir, HirKind};

/// Compiled-size ceiling for one pattern: keeps hostile user catalogs from
/// eating memory (the regex crate's matching is linear-time, so size is the
/// only resource a pattern can abuse).
const PATTERN_SIZE_LIMIT: usize = 2 << 20;

/// Lazy-DFA cache per pattern: enough for the short messages patterns run
/// on; the default (2 MiB each) would let dozens of patterns grow memory.
const DFA_CACHE: usize = 256 << 10;

/// Longest captured value kept, in bytes: patterns capture with `*`, and a
/// whole JSON body is no use as a detail (nor as a grouping key).
pub(crate) const MAX_CAPTURE: usize = 200;

/// Compiles a catalog pattern the way the matcher runs it: case-insensitive,
/// over bytes, with ASCII classes (`\w`, `\s`, `\b`, `\d` and their negations)
/// where the pattern allows it. Unicode classes compile to automata about
/// a hundred times larger, and ASCII word boundaries are what an English
/// message inside Chinese prose needs (`报错object not found`). Patterns that
/// need Unicode (a non-ASCII character inside a class) keep it.
///
/// regex-automata's meta regex is what the regex crate wraps; used directly,
/// its search caches are explicit, so one set serves every thread that
/// matches (see `Caches`) instead of one set per thread, and the one-pass
/// engine (a memory-hungry shortcut for captures) can be left out.
// regex-automata's BuildError is large; it is made once per bad pattern.
#[allow(clippy::result_large_err)]
pub(crate) fn compile_pattern(p: &str) -> Result<Regex, String> {
    let build = |unicode: bool| {
        Regex::builder()
            .syntax(
                syntax::Config::new()
                    .case_insensitive(true)
                    .unicode(unicode)
                    .utf8(false),
            )
            .configure(
                meta::Config::new()
                    .utf8_empty(false)
                    .nfa_size_limit(Some(PATTERN_SIZE_LIMIT))
                    .hybrid_cache_capacity(DFA_CACHE)
                    .onepass(false)
                    .auto_prefilter(false),
            )
            .build(p)
    };
    build(false).or_else(|_| build(true)).map_err(|e| {
        if let Some(limit) = e.size_limit() {
            format!(
                "regex is too big: its compiled form exceeds {limit} bytes; simplify it \
                 (fewer nested repetitions, ASCII classes like [0-9] instead of \\d)"
            )
        } else {
            let reason = match e.syntax_error() {
                Some(syntax) => syntax.to_string(),
                None => e.to_string(),
            };
            format!("invalid regex: {}", one_line(&reason))
        }
    })
}

/// The fewest bytes any match of `p` spans, read the way `compile_pattern`
/// reads it (`None` when it can never match, or does not parse).
pub(crate) fn shortest_match(p: &str) -> Option<usize> {
    let parse = |unicode: bool| {
        syntax::parse_with(
            p,
            &syntax::Config::new()
                .case_insensitive(true)
                .unicode(unicode)
                .utf8(false),
        )
        .ok()
    };
    let hir = parse(false).or_else(|| parse(true))?;
    hir.properties().minimum_len()
}

/// The fewest bytes any match of any of `patterns` spans (`usize::MAX`
/// when none can match).
pub(crate) fn shortest_of<S: AsRef<str>>(patterns: &[S]) -> usize {
    patterns
        .iter()
        .map(|p| shortest_match(p.as_ref()).unwrap_or(usize::MAX))
        .min()
        .unwrap_or(usize::MAX)
}

/// Largest compiled pattern a catalog may hold, in bytes (its regex's
/// `memory_usage`). Past a point a pattern's search stops fitting its
/// lazy-DFA cache and falls back to a slower engine: on 64 KiB lines
/// `\w{550}` (62 KB) ran at 8 ms a line, `\w{700}` (79 KB) at 280 ms
/// and `(?:\w{100}){100}` (1.1 MB) at 3 s. The built-in catalog's
/// largest pattern is 34 KB.
const PATTERN_MEMORY: usize = 64 << 10;

/// What a catalog pattern must be, embedded or a user's: it compiles
/// within the size limits, and it cannot match the empty string. An empty
/// match (`''`, `x*`, `^`, `(?:)`) hits every message: a finding on every
/// line, or with `benign` every problem of a log silenced.
#[allow(clippy::result_large_err)]
pub(crate) fn check_pattern(p: &str) -> Result<Regex, String> {
    let re = compile_pattern(p)?;
    if re.memory_usage() > PATTERN_MEMORY {
        return Err(format!(
            "regex is too big: its compiled form takes {} KiB, over the {} KiB a catalog \
             pattern may take, and it would be slow on long lines; simplify it (a counted \
             repetition such as \\w{{1000}} is the usual cause: use \\w+ instead)",
            re.memory_usage() >> 10,
            PATTERN_MEMORY >> 10
        ));
    }
    if shortest_match(p) == Some(0) {
        return Err(
            "matches the empty string, so it would match every message; \
             make it require some text"
                .into(),
        );
    }
    Ok(re)
}

/// The names of a compiled pattern's named groups.
pub(crate) fn capture_names(re: &Regex) -> impl Iterator<Item = &str> {
    re.group_info().pattern_names(PatternID::ZERO).flatten()
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

/// The text a pattern matches, lower-cased, when it is plain text: no
/// metacharacter, escapes of punctuation only, no cased letter beyond
/// ASCII (the same rule as the prefilter's literals). Matching it
/// ASCII-case-insensitively is what the regex (case-insensitive, ASCII
/// classes) does.
pub(crate) fn plain_text(pattern: &str) -> Option<String> {
    let body = pattern.strip_prefix("(?i)").unwrap_or(pattern);
    let mut out = String::with_capacity(body.len());
    let mut chars = body.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some(e) if e.is_ascii_punctuation() => out.push(e),
                _ => return None,
            },
            '[' | ']' | '(' | ')' | '{' | '}' | '*' | '+' | '?' | '|' | '^' | '$' | '.' => {
                return None;
            }
            c if !c.is_ascii() && c.to_lowercase().ne(c.to_uppercase()) => return None,
            c => out.push(c),
        }
    }
    out.make_ascii_lowercase();
    (!out.is_empty()).then_some(out)
}

/// Shortest literal worth prefiltering on; shorter ones hit nearly every line.
const MIN_LITERAL: usize = 3;

/// Literal sets kept per pattern: a few distinctive ones prune as well as all.
const MAX_SETS: usize = 3;

/// Sets of literals (lower-cased) that every match of `pattern` satisfies:
/// each set has at least one of its literals in the match. A pattern needs
/// to run only on text that satisfies all its sets. `None` when no useful
/// set exists.
pub(crate) fn required_literals(pattern: &str) -> Option<Vec<Vec<String>>> {
    let hir = regex_syntax::ParserBuilder::new()
        .case_insensitive(false)
        .build()
        .parse(pattern)
        .ok()?;
    let mut sets: Vec<Vec<String>> = required(&hir)
        .into_iter()
        .filter(|set| !set.is_empty() && set.iter().all(|l| l.len() >= MIN_LITERAL))
        .collect();
    // The most selective first: long literals, few alternatives.
    sets.sort_by_key(|set| std::cmp::Reverse(selectivity(set)));
    sets.dedup();
    sets.truncate(MAX_SETS);
    (!sets.is_empty()).then_some(sets)
}

fn selectivity(set: &[String]) -> (usize, std::cmp::Reverse<usize>) {
    let shortest = set.iter().map(String::len).min().unwrap_or(0);
    (shortest.min(12), std::cmp::Reverse(set.len()))
}

/// The one string `h` matches (ASCII case folded), if it matches exactly one.
fn exact(h: &Hir) -> Option<String> {
    match h.kind() {
        HirKind::Literal(lit) => {
            let s = std::str::from_utf8(&lit.0).ok()?;
            // Non-ASCII letters with case would need Unicode folding, which
            // the prefilter (literals and text lower-cased as ASCII) does not do.
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

/// Every literal set `h` requires (a conjunction); empty when none.
fn required(h: &Hir) -> Vec<Vec<String>> {
    if let Some(s) = exact(h).filter(|s| !s.is_empty()) {
        return vec![vec![s]];
    }
    match h.kind() {
        HirKind::Capture(c) => required(&c.sub),
        HirKind::Repetition(r) if r.min >= 1 => required(&r.sub),
        HirKind::Alternation(subs) => {
            // One set: for each alternative, the literals of its best set.
            let mut all: Vec<String> = Vec::new();
            for s in subs {
                let sets = required(s);
                let Some(best) = sets
                    .iter()
                    .filter(|set| set.iter().all(|l| l.len() >= MIN_LITERAL))
                    .max_by_key(|set| selectivity(set))
                else {
                    return Vec::new();
                };
                for lit in best {
                    if !all.contains(lit) {
                        all.push(lit.clone());
                    }
                }
            }
            vec![all]
        }
        HirKind::Concat(subs) => {
            let mut sets: Vec<Vec<String>> = Vec::new();
            let mut run = String::new();
            for s in subs {
                match exact(s) {
                    Some(lit) => run.push_str(&lit),
                    None => {
                        if !run.is_empty() {
                            sets.push(vec![std::mem::take(&mut run)]);
                        }
                        sets.extend(required(s));
                    }
                }
            }
            if !run.is_empty() {
                sets.push(vec![run]);
            }
            sets
        }
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literals_from_concat_and_alternation() {
        let sets = |v: &[&[&str]]| -> Option<Vec<Vec<String>>> {
            Some(
                v.iter()
                    .map(|s| s.iter().map(|l| l.to_string()).collect())
                    .collect(),
            )
        };
        assert_eq!(
            required_literals(r"listen tcp (?P<a>\S*):(?P<p>\d+): bind: address already in use"),
            sets(&[&[": bind: address already in use"], &["listen tcp "]])
        );
        assert_eq!(
            required_literals(r"TooManyRequests|Too Many Requests"),
            sets(&[&["toomanyrequests", "too many requests"]])
        );
        assert_eq!(
            required_literals(r"failed get objs.*(?:TooManyRequests|Too Many Requests)"),
            sets(&[
                &["failed get objs"],
                &["toomanyrequests", "too many requests"]
            ])
        );
        assert_eq!(
            required_literals(r"[Tt]oken is expired"),
            sets(&[&["token is expired"]])
        );
        assert_eq!(required_literals(r"\d+"), None);
        assert_eq!(required_literals(r"a|\d"), None);
        // Short parts are left out; the rest still counts.
        assert_eq!(
            required_literals(r"a\d+ not found"),
            sets(&[&[" not found"]])
        );
        assert_eq!(required_literals(r"请进行验证"), sets(&[&["请进行验证"]]));
    }

    #[test]
    fn patterns_that_match_empty_or_search_slowly_are_refused() {
        for p in [
            "", "x*", "^", "(?:)", "(?m)^$", "$^", r"\b", "(?:a|)", "a?b?",
        ] {
            let err = check_pattern(p).unwrap_err();
            assert!(err.contains("empty string"), "{p}: {err}");
        }
        for p in ["a", "x+", r"\d", "(?:ab|c)", "请进行验证"] {
            assert!(check_pattern(p).is_ok(), "{p}");
        }
        // Too big to search quickly on a long line (red-team H22).
        for p in [r"(?:\w{100}){100}", r"\w{1000}"] {
            assert!(check_pattern(p).unwrap_err().contains("too big"), "{p}");
        }
        assert_eq!(shortest_match("listen tcp (?P<a>\\S*):"), Some(12));
        assert_eq!(shortest_match("é"), Some(2));
        assert_eq!(shortest_match(r"[^\s\S]"), None);
    }
}
