//! The literals every match of a pattern must contain: the prefilter's
//! input. Depends on regex-syntax only, so build.rs computes them for the
//! embedded catalog at build time (start-up then parses no regex at all).

use regex_syntax::hir::{Class, Hir, HirKind};

/// Shortest literal worth prefiltering on; shorter ones hit nearly every line.
const MIN_LITERAL: usize = 3;

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
}
