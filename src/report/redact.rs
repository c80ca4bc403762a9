//! Keeps credentials out of everything the tool prints. Matching runs on the
//! original text; only what is shown is redacted, so findings never change.
//! Redacting twice gives the same text as redacting once.
#![warn(clippy::string_slice)]

use std::borrow::Cow;

use once_cell::sync::{Lazy, OnceCell};
use regex::{Captures, Regex};

/// What a secret is replaced with.
pub(crate) const MASK: &str = "***";

/// Names whose values are secrets, as a regex fragment (matched
/// case-insensitively, as part of a longer name too: `x-oss-signature`,
/// `refresh_token`, `sessionKey`).
const SECRET_NAME: &str = r"[\w.-]*(?:token|secret|passw(?:or)?d|passwd|pwd|cookie|session_?key|sessionid|signature|sign|sig|credential|api_?key|bduss|stoken|puus|ticket|authorization)[\w.-]*";

/// Words at least one of which is in any secret name (lower-case).
const SECRET_WORDS: &[&str] = &[
    "token",
    "secret",
    "passw",
    "pwd",
    "cookie",
    "session",
    "sig",
    "credential",
    "api",
    "bduss",
    "stoken",
    "puus",
    "ticket",
    "authorization",
];

/// A redaction rule, compiled on first use: `needs` is a cheap test that
/// every text the regex can match passes (on the lower-cased text), so most
/// messages never compile or run most rules.
struct Rule {
    pattern: String,
    needs: fn(&str) -> bool,
    replace: fn(&Captures<'_>) -> String,
    re: OnceCell<Option<Regex>>,
}

fn rule(pattern: &str, needs: fn(&str) -> bool, replace: fn(&Captures<'_>) -> String) -> Rule {
    Rule {
        pattern: pattern.to_string(),
        needs,
        replace,
        re: OnceCell::new(),
    }
}

fn secret_word(lower: &str) -> bool {
    SECRET_WORDS.iter().any(|w| lower.contains(w))
}

static RULES: Lazy<Vec<Rule>> = Lazy::new(|| {
    vec![
        // Authorization / Cookie headers: the whole value, up to a quote or line end.
        rule(
            r#"(?i)\b((?:proxy-)?authorization|cookie|set-cookie|x-oss-signature|x-amz-security-token)(\s*:\s*)[^\r\n"]*[^\s"]"#,
            |l| {
                l.contains(':')
                    && (l.contains("authorization")
                        || l.contains("cookie")
                        || l.contains("x-oss-signature")
                        || l.contains("x-amz-security-token"))
            },
            |c| format!("{}{}{MASK}", &c[1], &c[2]),
        ),
        // JSON members, plain or escaped once: "token":"…" / \"token\":\"…\"
        rule(
            &format!(r#"(?i)(\\?"{SECRET_NAME}\\?"\s*:\s*)(\\?")(?:[^"\\]|\\[^"])*(\\?")"#),
            |l| l.contains('"') && l.contains(':') && secret_word(l),
            |c| format!("{}{}{MASK}{}", &c[1], &c[2], &c[3]),
        ),
        // key=value (query strings, logfmt, cookies).
        rule(
            &format!(r#"(?i)\b({SECRET_NAME})=("?)[^\s&"',;)}}\]]+"#),
            |l| l.contains('=') && secret_word(l),
            |c| format!("{}={}{MASK}", &c[1], &c[2]),
        ),
        // Bearer / Basic credentials outside a header.
        rule(
            r"(?i)\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{8,}",
            |l| l.contains("bearer") || l.contains("basic"),
            |c| format!("{} {MASK}", &c[1]),
        ),
        // JSON Web Tokens anywhere.
        rule(
            r"\beyJ[A-Za-z0-9_-]{8,}(?:\.[A-Za-z0-9_-]+){1,2}",
            |l| l.contains("eyj"),
            |_| MASK.to_string(),
        ),
        // user:password@ in URLs.
        rule(
            r"(?i)\b([a-z][a-z0-9+.-]*://[^/\s:@]+):[^@\s/]+@",
            |l| l.contains("://") && l.contains('@'),
            |c| format!("{}:{MASK}@", &c[1]),
        ),
        // Query strings of URLs (signed download links): keep scheme, host, path.
        rule(
            r#"(?i)\b(https?://[^\s?#"'<>]+)\?[^\s#"'<>]+"#,
            |l| l.contains("://") && l.contains('?'),
            |c| format!("{}?{MASK}", &c[1]),
        ),
    ]
});

/// `text` with secrets masked.
pub(crate) fn redact(text: &str) -> Cow<'_, str> {
    let mut out = Cow::Borrowed(text);
    // Lower-cased once, and again only after a rule changed the text.
    let mut lower = text.to_ascii_lowercase();
    for r in RULES.iter() {
        if !(r.needs)(&lower) {
            continue;
        }
        // Invariant: constant patterns, exercised by this module's tests.
        let Some(re) = r.re.get_or_init(|| crate::small_regex(&r.pattern).ok()) else {
            continue;
        };
        if re.is_match(&out) {
            let replaced = re
                .replace_all(&out, |c: &Captures<'_>| (r.replace)(c))
                .into_owned();
            lower = replaced.to_ascii_lowercase();
            out = Cow::Owned(replaced);
        }
    }
    out
}

/// Redacts when `on`, else passes through.
pub(crate) fn maybe(text: &str, on: bool) -> String {
    if on {
        redact(text).into_owned()
    } else {
        text.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CASES: &[(&str, &str)] = &[
        ("refresh_token=abcDEF123456", "SECRETabcDEF123456"),
        (r#"{"refresh_token":"abcDEF123456","x":1}"#, "abcDEF123456"),
        (r#"{\"access_token\":\"abcDEF123456\"}"#, "abcDEF123456"),
        ("Authorization: Bearer abcDEF123456", "abcDEF123456"),
        ("Cookie: __puus=abcDEF123456; ctoken=zzz", "abcDEF123456"),
        (
            "GET https://cdn.example.com/f.mkv?sign=abcDEF123456&t=1",
            "abcDEF123456",
        ),
        (
            "https://bob:hunter2secret@dav.example.com/x",
            "hunter2secret",
        ),
        (
            "token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.abcDEF123456",
            "abcDEF123456",
        ),
        ("password=hunter2secret user=bob", "hunter2secret"),
        ("x-oss-signature=abcDEF123456", "abcDEF123456"),
        ("sessionKey=abcDEF123456", "abcDEF123456"),
    ];

    #[test]
    fn secrets_are_masked_and_idempotent() {
        for (text, secret) in CASES {
            let secret = secret.trim_start_matches("SECRET");
            let once = redact(text);
            assert!(!once.contains(secret), "{text} -> {once}");
            assert!(once.contains(MASK), "{text} -> {once}");
            assert_eq!(redact(&once), once, "not idempotent: {text}");
        }
    }

    #[test]
    fn every_rule_compiles() {
        for r in RULES.iter() {
            assert!(Regex::new(&r.pattern).is_ok(), "{}", r.pattern);
        }
    }

    #[test]
    fn ordinary_messages_are_untouched() {
        for text in [
            "failed to refresh token: The input parameter refresh_token is missing. Please refer to document.",
            "token is expired",
            "listen tcp 0.0.0.0:5244: bind: address already in use",
            "failed get objs: failed to list objs: Get \"https://api.example.com/x\": EOF",
        ] {
            assert_eq!(redact(text), text);
        }
    }
}
