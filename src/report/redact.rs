//! Keeps credentials out of everything the tool prints. Matching runs on the
//! original text; only what is shown is redacted, so findings never change.
//!
//! A text is decoded first (JSON and Go string escapes, twice; HTML
//! entities), the way the matcher reads it, so that a secret cannot hide
//! behind `\"` or `&quot;`. Then each step masks what it recognises, in
//! order:
//!
//! 1. private key blocks (`-----BEGIN … PRIVATE KEY-----`);
//! 2. credential headers (`Authorization`, `Cookie`, `Set-Cookie`,
//!    `X-…-Token`/`-Key`/`-Secret`/`-Signature`…), to the end of the header:
//!    the end of the line, the next header, or the quote or bracket that
//!    opened it;
//! 3. tokens known by their shape wherever they are: JWTs, Google, Microsoft,
//!    Dropbox, Baidu, GitHub, Telegram bot and PikPak captcha tokens, AList
//!    admin tokens, webhook paths; access key ids (`AKIA…`, `LTAI…`) keep
//!    their first and last four characters;
//! 4. AList setting items whose key names a secret (`{"key":"token","value":…}`);
//! 5. the password of `scheme://user:password@host` (up to the last `@`
//!    before the host), of MySQL DSNs (`user:password@tcp(…)`) and of
//!    `curl -u user:password`;
//! 6. URL query values whose name says they are secret, or that look like
//!    a key or token (16+ characters, letters and digits), except under
//!    names of ids, paths and hashes (`cid`, `file_id`: what the advice
//!    needs);
//! 7. cookie strings (`a=1; b=2`) that hold a credential: every value;
//! 8. values whose name says they are secret, in every notation: JSON,
//!    XML elements, `name=value`, `name = value`, URL-encoded `name%3Dvalue`,
//!    Go's `map[name:value]` and `%+v` (`{Name:value}`), and `name: value`,
//!    where, because that is also how prose reads (`failed to refresh
//!    token: The input …`), only a value that looks like a secret is masked;
//! 9. `Bearer` and `Basic` credentials.
//!
//! When nothing is found the text is returned as it came, so redacting twice
//! gives the same text as redacting once. It fails closed: should a rule not
//! compile, the whole text is masked.
#![warn(clippy::string_slice)]

use std::borrow::Cow;
use std::cell::RefCell;
use std::ops::Range;

use once_cell::sync::OnceCell;
use regex::Regex;

/// What a secret is replaced with.
pub(crate) const MASK: &str = "***";

/// A rule that did not compile: the text is masked whole.
#[derive(Debug)]
struct Broken;

/// A constant regex, compiled on first use the way all the tool's own
/// regexes are (`crate::small_regex`).
struct Rule {
    pattern: &'static str,
    re: OnceCell<Option<Regex>>,
}

impl Rule {
    const fn new(pattern: &'static str) -> Self {
        Rule {
            pattern,
            re: OnceCell::new(),
        }
    }

    fn get(&self) -> Result<&Regex, Broken> {
        self.re
            .get_or_init(|| crate::small_regex(self.pattern).ok())
            .as_ref()
            .ok_or(Broken)
    }
}

/// One replacement: a byte range of the text and what it becomes.
type Edit = (Range<usize>, Cow<'static, str>);

/// A step of the redaction: a cheap test on the lower-cased text that every
/// text the step could change passes, and the step.
struct Step {
    needs: fn(&str) -> bool,
    run: fn(&str) -> Result<Vec<Edit>, Broken>,
}

const STEPS: &[Step] = &[
    Step {
        needs: |l| l.contains("private key-----"),
        run: private_keys,
    },
    Step {
        needs: |l| {
            l.contains(':')
                && (l.contains("authorization") || l.contains("cookie") || l.contains("x-"))
        },
        run: headers,
    },
    Step {
        needs: might_have_shapes,
        run: shapes,
    },
    Step {
        needs: |l| l.contains("key") && l.contains("value"),
        run: setting_items,
    },
    Step {
        needs: |l| l.contains("://") && l.contains('@'),
        run: url_userinfo,
    },
    Step {
        needs: |l| {
            l.contains('@') && (l.contains("tcp") || l.contains("unix") || l.contains("udp"))
        },
        run: mysql_dsn,
    },
    Step {
        needs: |l| l.contains("-u") && l.contains(':'),
        run: curl_user,
    },
    Step {
        needs: |l| l.contains("://") && l.contains('?'),
        run: url_queries,
    },
    Step {
        needs: |l| l.contains(';') && l.contains('='),
        run: cookie_lists,
    },
    Step {
        needs: might_name_a_secret,
        run: named_values,
    },
    Step {
        needs: |l| l.contains("bearer") || l.contains("basic"),
        run: bearer,
    },
];

/// Texts redacted lately, per thread, and what they became (`None`: as
/// they were). Streaming reports redact a finding's texts at each of its
/// occurrences: the same few texts over and over. Bounded like the
/// matching caches: at most `REMEMBERED` texts of at most 2 KiB.
const REMEMBERED: usize = 128;

thread_local! {
    static REDACTED: RefCell<crate::matching::memo::Memo<String, Option<Box<str>>>> =
        RefCell::new(crate::matching::memo::Memo::new(REMEMBERED, 2048));
}

/// `text` with secrets masked (decoded when anything was masked).
pub(crate) fn redact(text: &str) -> Cow<'_, str> {
    if let Some(seen) = REDACTED.with(|m| m.borrow().get(text).cloned()) {
        return seen.map_or(Cow::Borrowed(text), |s| Cow::Owned(s.into()));
    }
    let out = redact_with(text, STEPS);
    REDACTED.with(|m| {
        m.borrow_mut()
            .missed(text, || (out != text).then(|| out.as_ref().into()))
    });
    out
}

fn redact_with<'t>(text: &'t str, steps: &[Step]) -> Cow<'t, str> {
    let decoded = decode(text);
    match mask(&decoded, steps) {
        Ok(None) => Cow::Borrowed(text),
        Ok(Some(masked)) => Cow::Owned(masked),
        Err(Broken) => Cow::Borrowed(MASK),
    }
}

/// Redacts when `on`, else passes through.
pub(crate) fn maybe(text: &str, on: bool) -> String {
    if on {
        redact(text).into_owned()
    } else {
        text.to_string()
    }
}

/// `text` cut to at most `max` bytes (with `…`), for a capture or a sample.
/// A text that has to be cut is redacted first, so that a secret across the
/// cut is masked whole rather than left without the end its rule needs.
/// This is the only redaction `--no-redact` does not turn off.
pub(crate) fn clip(text: &str, max: usize) -> Cow<'_, str> {
    if text.len() <= max {
        return Cow::Borrowed(text);
    }
    Cow::Owned(crate::parse::normalize::clip_bytes(&redact(text), max))
}

/// JSON and Go string escapes (twice: API bodies quoted inside log lines
/// are escaped twice) and HTML entities decoded, as the matcher reads them.
fn decode(s: &str) -> Cow<'_, str> {
    use crate::parse::normalize::{decode_html_entities, has_escapes, unescape_json};
    let mut text = Cow::Borrowed(s);
    if !has_escapes(s) {
        return text;
    }
    for _ in 0..2 {
        if text.contains('\\') {
            text = Cow::Owned(unescape_json(&text));
        }
    }
    if text.contains('&')
        && let Cow::Owned(d) = decode_html_entities(&text)
    {
        text = Cow::Owned(d);
    }
    text
}

/// Runs the steps; `None` when none changed anything.
fn mask(text: &str, steps: &[Step]) -> Result<Option<String>, Broken> {
    let mut current: Option<String> = None;
    let mut lower = text.to_ascii_lowercase();
    for step in steps {
        if !(step.needs)(&lower) {
            continue;
        }
        let t = current.as_deref().unwrap_or(text);
        let edits = (step.run)(t)?;
        if let Some(changed) = splice(t, &edits) {
            lower = changed.to_ascii_lowercase();
            current = Some(changed);
        }
    }
    Ok(current)
}

/// `text` with the edits made (they are in order and do not overlap).
// boundary: every edit's range comes from regex matches and from scans
// that stop at ASCII bytes, so both ends are character boundaries.
#[allow(clippy::string_slice)]
fn splice(text: &str, edits: &[Edit]) -> Option<String> {
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    let mut changed = false;
    for (range, with) in edits {
        if range.start < copied || range.end > text.len() || range.start > range.end {
            continue;
        }
        if text[range.clone()] == **with {
            continue;
        }
        out.push_str(&text[copied..range.start]);
        out.push_str(with);
        copied = range.end;
        changed = true;
    }
    if !changed {
        return None;
    }
    out.push_str(&text[copied..]);
    Some(out)
}

fn masked(range: Range<usize>) -> Edit {
    (range, Cow::Borrowed(MASK))
}

/// An access key id as shown: its first and last four characters.
fn partial(id: &str) -> Cow<'static, str> {
    let n = id.chars().count();
    if n < 12 || id.contains('…') {
        return Cow::Borrowed(MASK);
    }
    let head: String = id.chars().take(4).collect();
    let tail: String = id.chars().skip(n - 4).collect();
    Cow::Owned(format!("{head}…{tail}"))
}

// ---------------------------------------------------------------------------
// 1. Private keys

static PRIVATE_KEY: Rule = Rule::new(
    r"-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----(?s:.*?)(?:-----END [A-Z0-9 ]*PRIVATE KEY-----|\z)",
);

fn private_keys(t: &str) -> Result<Vec<Edit>, Broken> {
    Ok(PRIVATE_KEY
        .get()?
        .find_iter(t)
        .map(|m| masked(m.range()))
        .collect())
}

// ---------------------------------------------------------------------------
// 2. Headers

static HEADER: Rule = Rule::new(
    r"(?i)(?:^|[^a-z0-9_-])((?:proxy-)?authorization|(?:set-)?cookie2?|x-[a-z0-9-]*(?:token|key|secret|sign|auth|passw|session|credential|captcha|ticket)[a-z0-9-]*)[ \t]*:[ \t]*",
);

/// Where the next header starts, in a one-line text: a dashed name
/// (`User-Agent:`) or a common one-word name, then `: `.
static NEXT_HEADER: Rule = Rule::new(
    r"(?i)[ \t](?:[a-z][a-z0-9]*(?:-[a-z0-9]+)+|host|accept|connection|origin|referer|range|date|server|via|pragma|upgrade|priority|cookie|authorization|location|expect):[ \t]",
);

/// Authorization schemes: the credential is the word after.
const AUTH_SCHEMES: &[&str] = &[
    "bearer",
    "basic",
    "digest",
    "token",
    "oss",
    "aws",
    "aws4-hmac-sha256",
    "negotiate",
    "ntlm",
    "hmac",
];

// boundary: header names and separators are ASCII, `v` follows the
// separator, and every end comes from a scan that stops at an ASCII byte.
#[allow(clippy::string_slice)]
fn headers(t: &str) -> Result<Vec<Edit>, Broken> {
    let re = HEADER.get()?;
    let next = NEXT_HEADER.get()?;
    let b = t.as_bytes();
    let mut edits = Vec::new();
    let mut at = 0;
    while at < t.len() {
        let Some(c) = re.captures_at(t, at) else {
            break;
        };
        let (Some(whole), Some(name)) = (c.get(0), c.get(1)) else {
            break;
        };
        let v = whole.end();
        let opener = name.start().checked_sub(1).map(|i| b[i]);
        let auth = name
            .as_str()
            .to_ascii_lowercase()
            .ends_with("authorization");
        let span = header_value(t, v, opener, auth, next);
        at = span.end.max(v).max(whole.start() + 1);
        let value = t[span.clone()].trim_end();
        if value.is_empty() || value.starts_with(MASK) {
            continue;
        }
        edits.push(masked(span.start..span.start + value.len()));
    }
    Ok(edits)
}

/// The value of a header starting at `v`: to the end of the line, or of
/// what opened it (a quote or bracket just before its name), or to the
/// next header.
// boundary: see `headers`.
#[allow(clippy::string_slice)]
fn header_value(t: &str, v: usize, opener: Option<u8>, auth: bool, next: &Regex) -> Range<usize> {
    let b = t.as_bytes();
    let eol = memchr::memchr2(b'\n', b'\r', &b[v..]).map_or(b.len(), |o| v + o);
    // Go's http.Header: `Cookie:[a=1; b=2]`.
    if b.get(v) == Some(&b'[') {
        return v + 1..bracket_close(b, v, b'[', b']').min(eol);
    }
    match opener {
        Some(q @ (b'"' | b'\'' | b'`')) => v..balanced_quote_close(b, v, q).min(eol),
        Some(o @ (b'(' | b'[' | b'{')) => {
            let c = match o {
                b'(' => b')',
                b'[' => b']',
                _ => b'}',
            };
            // The opener is before the value: depth starts at one.
            let mut depth = 1usize;
            let mut end = eol;
            for (i, &ch) in b[v..eol].iter().enumerate() {
                if ch == o {
                    depth += 1;
                } else if ch == c {
                    depth -= 1;
                    if depth == 0 {
                        end = v + i;
                        break;
                    }
                }
            }
            v..end
        }
        _ => {
            // The next header is looked for after the credential: after the
            // first word, or the first two when that is an auth scheme.
            let mut from = skip_word(b, v, eol);
            if auth {
                let first = t[v..from].trim().to_ascii_lowercase();
                if AUTH_SCHEMES.contains(&first.as_str()) {
                    from = skip_word(b, from, eol);
                }
            }
            let end = next.find_at(&t[..eol], from).map_or(eol, |m| m.start());
            // A bracket closed in the value was opened before the header
            // (`&{User:u Cookie:a=1}`): it ends the value.
            let mut depth = 0usize;
            let close = b[v..end].iter().position(|&c| match c {
                b'(' | b'[' | b'{' => {
                    depth += 1;
                    false
                }
                b')' | b']' | b'}' if depth == 0 => true,
                b')' | b']' | b'}' => {
                    depth -= 1;
                    false
                }
                _ => false,
            });
            v..close.map_or(end, |c| v + c)
        }
    }
}

/// The end of the word at `i` (after leading blanks), at most `end`.
fn skip_word(b: &[u8], mut i: usize, end: usize) -> usize {
    while i < end && (b[i] == b' ' || b[i] == b'\t') {
        i += 1;
    }
    while i < end && b[i] != b' ' && b[i] != b'\t' {
        i += 1;
    }
    i
}

/// The closing quote of a value opened by `q` before `from`: quotes inside
/// come in pairs (`response="…"`, `__pus="…"`); the closing one is a quote
/// outside such a pair followed by a blank, punctuation that ends a value,
/// or the end. The end of the text when there is none.
fn balanced_quote_close(b: &[u8], from: usize, q: u8) -> usize {
    let mut inner = false;
    for i in from..b.len() {
        if b[i] != q {
            continue;
        }
        if inner {
            inner = false;
            continue;
        }
        match b.get(i + 1) {
            None => return i,
            Some(c) if c.is_ascii_whitespace() || b",]});>".contains(c) => return i,
            _ => inner = true,
        }
    }
    b.len()
}

/// The index of the bracket closing the one at `open`, or the end.
fn bracket_close(b: &[u8], open: usize, o: u8, c: u8) -> usize {
    let mut depth = 0usize;
    for (i, &ch) in b.iter().enumerate().skip(open) {
        if ch == o {
            depth += 1;
        } else if ch == c {
            depth = depth.saturating_sub(1);
            if depth == 0 {
                return i;
            }
        }
    }
    b.len()
}

// ---------------------------------------------------------------------------
// 3. Shapes

static SHAPES: Rule = Rule::new(concat!(
    r"(?P<mask>",
    // JSON Web Tokens, and base64 JSON in general; no word boundary before
    // them (`cache_key_eyJ…`).
    r"eyJ[A-Za-z0-9_-]{10,}(?:\.[A-Za-z0-9_-]*){0,2}",
    // Google: OAuth client secrets, refresh and access tokens.
    r"|GOCSPX-[A-Za-z0-9_-]{10,}|1//0[A-Za-z0-9_-]{20,}|ya29\.[A-Za-z0-9_-]{20,}",
    // Microsoft: personal account (`M.C5…_BAY.0.U.…`) and Entra (`0.AX…`) tokens.
    r"|\bM\.[CR][0-9]*_[A-Za-z0-9]+\.[A-Za-z0-9!*$_.~-]{20,}|\b0\.A[A-Za-z0-9_*.-]{20,}",
    // Dropbox short-lived tokens.
    r"|sl\.(?:u\.)?[A-Za-z0-9_-]{40,}",
    // Baidu access and refresh tokens: 121./122., 32 hex digits, a dotted
    // tail (an IPv4 address never has 32 hex digits).
    r"|12[12]\.[0-9a-f]{32}\.[A-Za-z0-9_.-]{6,}",
    // PikPak / Thunder captcha tokens.
    r"|ck0\.[A-Za-z0-9_.-]{20,}",
    // AList / OpenList admin tokens.
    r"|\b(?:alist|openlist)-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}[A-Za-z0-9]{16,}",
    // GitHub tokens.
    r"|\bgh[pousr]_[A-Za-z0-9]{30,}|\bgithub_pat_[A-Za-z0-9_]{30,}",
    r")",
    // Telegram bot tokens: `/bot<id>:<35 characters>/sendMessage`.
    r"|bot(?P<bot>[0-9]{5,12}:[A-Za-z0-9_-]{30,})",
    // Webhooks whose URL is the secret.
    r"|(?:hooks\.slack\.com/services|/api/webhooks/[0-9]+|/open-apis/bot/v2/hook)/(?P<hook>[A-Za-z0-9/_-]{8,})",
    // Access key ids: shown as their first and last four characters.
    r"|(?P<keyid>\b(?:AKIA|ASIA|LTAI)[A-Za-z0-9]{12,28}\b)",
));

fn might_have_shapes(l: &str) -> bool {
    [
        "eyj", "gocspx-", "1//0", "ya29.", "m.c", "m.r", "0.a", "sl.", "121.", "122.", "ck0.",
        "list-", "ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_", "hook", "akia", "asia",
        "ltai",
    ]
    .iter()
    .any(|n| l.contains(n))
        // `bot` and a digit: Telegram's `/bot123…:…`, not `robot` or `both`.
        || memchr::memmem::find_iter(l.as_bytes(), b"bot")
            .any(|i| l.as_bytes().get(i + 3).is_some_and(u8::is_ascii_digit))
}

fn shapes(t: &str) -> Result<Vec<Edit>, Broken> {
    let re = SHAPES.get()?;
    let mut edits = Vec::new();
    for c in re.captures_iter(t) {
        if let Some(m) = c.name("mask").or(c.name("bot")).or(c.name("hook")) {
            edits.push(masked(m.range()));
        } else if let Some(m) = c.name("keyid") {
            edits.push((m.range(), partial(m.as_str())));
        }
    }
    Ok(edits)
}

// ---------------------------------------------------------------------------
// 4. AList setting items

static SETTING: Rule = Rule::new(
    r#"(?i)\bkey["']?[ \t]*[:=][ \t]*["']?([A-Za-z0-9_.-]+)["']?[ \t]*,?[ \t]*["']?value["']?[ \t]*[:=][ \t]*"#,
);

fn setting_items(t: &str) -> Result<Vec<Edit>, Broken> {
    let re = SETTING.get()?;
    let mut edits = Vec::new();
    for c in re.captures_iter(t) {
        let (Some(whole), Some(key)) = (c.get(0), c.get(1)) else {
            continue;
        };
        if secret_kind(key.as_str()).is_none() {
            continue;
        }
        if let Some(span) = value_span(t, whole.end(), Form::Colon) {
            edits.push(masked(span));
        }
    }
    Ok(edits)
}

// ---------------------------------------------------------------------------
// 5. Passwords in URLs, DSNs and curl

static URL_AUTHORITY: Rule = Rule::new(r#"(?i)\b[a-z][a-z0-9+.-]*://([^\s"'<>`]+)"#);

/// `scheme://user:password@host`: the password is everything between the
/// first `:` and the last `@` before a host (Go splits there too), so it
/// may hold `@` and `/`; the user may be empty.
// boundary: `:` and `@` are ASCII.
#[allow(clippy::string_slice)]
fn url_userinfo(t: &str) -> Result<Vec<Edit>, Broken> {
    let re = URL_AUTHORITY.get()?;
    let mut edits = Vec::new();
    for c in re.captures_iter(t) {
        let Some(rest) = c.get(1) else { continue };
        let s = rest.as_str();
        let Some(colon) = s.find(':') else { continue };
        let user = &s[..colon];
        if user.contains(['/', '@', '?', '#']) {
            continue;
        }
        let b = s.as_bytes();
        let Some(at) = (colon + 1..b.len()).rev().find(|&i| {
            b[i] == b'@'
                && b.get(i + 1)
                    .is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'[')
        }) else {
            continue;
        };
        let password = &s[colon + 1..at];
        if password.is_empty() || password == MASK || is_port_then_path(password) {
            continue;
        }
        let start = rest.start() + colon + 1;
        edits.push(masked(start..start + password.len()));
    }
    Ok(edits)
}

/// `8080/path` or `8080`: a port, not a password.
fn is_port_then_path(s: &str) -> bool {
    let digits = s.bytes().take_while(u8::is_ascii_digit).count();
    (1..=5).contains(&digits) && matches!(s.as_bytes().get(digits), None | Some(b'/' | b'?' | b'#'))
}

static DSN: Rule = Rule::new(r#"(?i)[\w.~%+-]*:([^\s"'<>`]*)@(?:tcp6?|udp|unix)\("#);

fn mysql_dsn(t: &str) -> Result<Vec<Edit>, Broken> {
    let re = DSN.get()?;
    Ok(re
        .captures_iter(t)
        .filter_map(|c| c.get(1))
        .filter(|m| !m.as_str().is_empty() && m.as_str() != MASK)
        .map(|m| masked(m.range()))
        .collect())
}

static CURL_USER: Rule = Rule::new(r#"(?:^|\s)(?:-u|--user)(?:[ \t]+|=)["']?[^\s"':]*:([^\s"']+)"#);

fn curl_user(t: &str) -> Result<Vec<Edit>, Broken> {
    let re = CURL_USER.get()?;
    Ok(re
        .captures_iter(t)
        .filter_map(|c| c.get(1))
        .filter(|m| m.as_str() != MASK)
        .map(|m| masked(m.range()))
        .collect())
}

// ---------------------------------------------------------------------------
// 6. URL query strings

static URL_QUERY: Rule = Rule::new(r#"(?i)\b[a-z][a-z0-9+.-]*://[^\s"'<>?#`]*\?"#);

/// Query parameters whose values stay even when they look random: ids,
/// paths and hashes, which the advice needs and which are not secret.
const QUERY_KEEP: &[&str] = &[
    "cid",
    "fid",
    "pid",
    "aid",
    "id",
    "ids",
    "uid",
    "gid",
    "file_id",
    "fileid",
    "file_ids",
    "fileids",
    "folder_id",
    "folderid",
    "parent_file_id",
    "parent_id",
    "parentid",
    "dir_id",
    "dirid",
    "drive_id",
    "driveid",
    "share_id",
    "shareid",
    "path",
    "dir",
    "file",
    "filename",
    "name",
    "prefix",
    "marker",
    "uploadid",
    "x-amz-credential",
    "xt",
    "hash",
    "info_hash",
    "infohash",
    "btih",
    "content_hash",
    "sha1",
    "md5",
    "etag",
    "client_id",
    "clientid",
    "app_id",
    "appid",
    "x-amz-algorithm",
    "x-amz-date",
    "x-amz-expires",
    "x-amz-signedheaders",
    "x-oss-date",
    "x-oss-expires",
    "x-oss-signature-version",
    "expires",
];

// boundary: the query's delimiters (`?`, `&`, `=`, the stops) are ASCII.
#[allow(clippy::string_slice)]
fn url_queries(t: &str) -> Result<Vec<Edit>, Broken> {
    let re = URL_QUERY.get()?;
    let b = t.as_bytes();
    let mut edits = Vec::new();
    let mut at = 0;
    while let Some(m) = re.find_at(t, at) {
        let start = m.end();
        let end = (start..b.len())
            .find(|&i| b[i].is_ascii_whitespace() || b"\"'<>#`".contains(&b[i]))
            .unwrap_or(b.len());
        let mut p = start;
        for pair in t[start..end].split('&') {
            let range = p..p + pair.len();
            p += pair.len() + 1;
            match pair.split_once('=') {
                Some((name, value)) => {
                    let vstart = range.start + name.len() + 1;
                    if value.is_empty() || value.starts_with(MASK) || value.contains('…') {
                        continue;
                    }
                    let lname = name.to_ascii_lowercase();
                    let with = match secret_kind(name) {
                        Some(Kind::KeyId) => partial(value),
                        Some(Kind::Secret) => Cow::Borrowed(MASK),
                        None if !QUERY_KEEP.contains(&lname.as_str()) && looks_random(value) => {
                            Cow::Borrowed(MASK)
                        }
                        None => continue,
                    };
                    edits.push((vstart..range.end, with));
                }
                // A bare query that could be a key (`?3f1c…`).
                None if looks_random(pair) => {
                    edits.push(masked(range));
                }
                None => {}
            }
        }
        at = end.max(m.end());
    }
    Ok(edits)
}

// ---------------------------------------------------------------------------
// 7. Cookie strings

static COOKIES: Rule =
    Rule::new(r#"[A-Za-z0-9_.-]+=[^;\s"'&]*(?:;[ \t]*[A-Za-z0-9_.-]+=[^;\s"'&]*)+"#);

/// Cookie names that are credentials only inside a cookie string (115's).
const COOKIE_NAMES: &[&str] = &["uid", "cid", "seid", "kid"];

// boundary: `;` and `=` are ASCII.
#[allow(clippy::string_slice)]
fn cookie_lists(t: &str) -> Result<Vec<Edit>, Broken> {
    let re = COOKIES.get()?;
    let mut edits = Vec::new();
    for m in re.find_iter(t) {
        let s = m.as_str();
        let pairs: Vec<(usize, &str, &str)> = s
            .split(';')
            .scan(0usize, |off, piece| {
                let at = *off;
                *off += piece.len() + 1;
                let lead = piece.len() - piece.trim_start().len();
                let (name, value) = piece.trim_start().split_once('=')?;
                Some((m.start() + at + lead + name.len() + 1, name, value))
            })
            .collect();
        let credential = pairs.iter().any(|(_, name, _)| {
            COOKIE_NAMES.contains(&name.to_ascii_lowercase().as_str())
                || secret_kind(name).is_some()
        });
        if !credential {
            continue;
        }
        for (vstart, _, value) in pairs {
            if !value.is_empty() && !value.starts_with(MASK) {
                edits.push(masked(vstart..vstart + value.len()));
            }
        }
    }
    Ok(edits)
}

// ---------------------------------------------------------------------------
// 8. Named values

/// Words one of which is in every name `secret_kind` takes for secret (a
/// test checks it): the regex finds only such names, and the step's
/// cheap test looks for them.
macro_rules! name_words {
    () => {
        "token|secret|pass|pwd|cookie|credential|bduss|bdclnd|puus|pus|ticket|auth|key|sess|sig|dsn|seid|salt|sid|otp"
    };
}

/// A name with one of `name_words!` in it, and what follows it. The match
/// is read by hand (`named_values`): a capture search per match would be
/// the dearest part of redacting.
static NAMED: Rule = Rule::new(concat!(
    "(?i)",
    // JSON (or a Python dict): "name": …
    r#"["'][A-Za-z0-9_.$@-]*(?:"#,
    name_words!(),
    r#")[A-Za-z0-9_.$@-]*["'][ \t]*:[ \t]*"#,
    // XML: <Name>…</Name>
    r"|<[A-Za-z0-9_.:-]*(?:",
    name_words!(),
    r")[A-Za-z0-9_.:-]*>",
    // name=…, name = …, name%3D…, name:…, name: …
    r"|[A-Za-z0-9_.-]*(?:",
    name_words!(),
    r")[A-Za-z0-9_.-]*(?:[ \t]*=[ \t]*|%3[Dd]|:[ \t]*)",
));

/// How a value is written after its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Form {
    Json,
    Xml,
    Equals,
    /// `name%3Dvalue`: the value ends at `%26` too.
    Encoded,
    /// `name:value`: Go's maps and `%+v` structs.
    Colon,
    /// `name: value`: YAML, and prose.
    ColonSpace,
}

/// What a name says its value is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Secret,
    /// An access key id: shown as its first and last four characters.
    KeyId,
}

/// Words that make a name secret wherever they are in it.
const SECRET_WORDS: &[&str] = &[
    "token",
    "secret",
    "passw",
    "pwd",
    "passphrase",
    "cookie",
    "credential",
    "bduss",
    "stoken",
    "bdclnd",
    "puus",
    "ticket",
    "authorization",
    "creditkey",
    "sessionid",
    "sessid",
    "session_id",
    "sessionkey",
    "session_key",
    "apikey",
    "api_key",
    "api-key",
    "signature",
    "private_key",
    "privatekey",
    "private-key",
];

/// Words that make a name secret when they are a whole part of it
/// (`x-oss-sign`, `__pus`, `mysql_dsn`; not `design` or `assign`).
const SECRET_PARTS: &[&str] = &[
    "pass", "sign", "sig", "auth", "dsn", "seid", "pus", "salt", "session", "sid", "otp",
];

/// Words of error codes, which name no value (`AccessTokenExpired:token
/// expired`, `TokenVerifyFailed:The token …`).
const ERROR_WORDS: &[&str] = &[
    "invalid",
    "expired",
    "fail",
    "error",
    "missing",
    "notfound",
    "not_found",
    "mismatch",
    "notmatch",
    "denied",
    "required",
    "empty",
    "exceed",
    "wrong",
    "illegal",
    "forbidden",
    "unauthorized",
    "incorrect",
];

/// Whether `name` names a secret, and which kind.
fn secret_kind(name: &str) -> Option<Kind> {
    let n = name.to_ascii_lowercase();
    let n = n.trim_matches(|c: char| !c.is_ascii_alphanumeric() && c != '_');
    // The credential scope of a signed URL: its key id is masked by shape.
    if n.is_empty()
        || n.ends_with("amz-credential")
        || n.ends_with("oss-credential")
        || ERROR_WORDS.iter().any(|w| n.contains(w))
    {
        return None;
    }
    // `requirepass`, `rpc_pass`.
    if n.contains("secret") || n.contains("passw") || n.ends_with("pass") {
        return Some(Kind::Secret);
    }
    if n.ends_with("keyid")
        || n.ends_with("key_id")
        || n.ends_with("key-id")
        || n == "access_key"
        || n == "accesskey"
    {
        return Some(Kind::KeyId);
    }
    if SECRET_WORDS.iter().any(|w| n.contains(w))
        || n.split(['_', '-', '.', ':', '$', '@'])
            .any(|p| SECRET_PARTS.contains(&p))
    {
        return Some(Kind::Secret);
    }
    None
}

/// Whether the lower-cased text holds a word of `name_words!`.
fn might_name_a_secret(l: &str) -> bool {
    name_words!().split('|').any(|w| l.contains(w))
}

// boundary: names and separators are ASCII; the value's ends come from
// `value_span`, which stops at ASCII bytes.
#[allow(clippy::string_slice)]
fn named_values(t: &str) -> Result<Vec<Edit>, Broken> {
    let re = NAMED.get()?;
    let mut edits = Vec::new();
    let mut at = 0;
    while at < t.len() {
        let Some(whole) = re.find_at(t, at) else {
            break;
        };
        at = whole.end().max(whole.start() + 1);
        let (name, form) = name_and_form(whole.as_str());
        let Some(kind) = secret_kind(name) else {
            continue;
        };
        let Some(span) = value_span(t, whole.end(), form) else {
            continue;
        };
        let value = &t[span.clone()];
        if form == Form::ColonSpace && !looks_secret(value) {
            continue;
        }
        // A DSN or URL whose password is masked already keeps its host.
        if value.contains(":***@") {
            continue;
        }
        at = span.end.max(at);
        let with = match kind {
            Kind::KeyId => partial(value),
            Kind::Secret => Cow::Borrowed(MASK),
        };
        edits.push((span, with));
    }
    Ok(edits)
}

/// The name in a match of `NAMED`, and the notation its value is in.
// boundary: the name ends at an ASCII byte (a quote, `>`, or the first
// byte outside the name's ASCII class).
#[allow(clippy::string_slice)]
fn name_and_form(m: &str) -> (&str, Form) {
    let name_byte = |c: u8| c.is_ascii_alphanumeric() || b"_.-$@:".contains(&c);
    match m.as_bytes().first() {
        Some(b'"' | b'\'') => {
            let end = m[1..].find(['"', '\'']).map_or(m.len(), |e| e + 1);
            (&m[1..end], Form::Json)
        }
        Some(b'<') => (m[1..].trim_end_matches('>'), Form::Xml),
        _ => {
            let end = m
                .bytes()
                .position(|c| !name_byte(c) || c == b':')
                .unwrap_or(m.len());
            let sep = &m[end..];
            let form = if sep.contains('=') {
                Form::Equals
            } else if sep.starts_with('%') {
                Form::Encoded
            } else if sep.len() > 1 {
                Form::ColonSpace
            } else {
                Form::Colon
            };
            (&m[..end], form)
        }
    }
}

/// The value written in `form` at `v`: the inside of its quotes or
/// brackets, or the run of characters its notation allows. `None` for no
/// value, one already masked, an object (its members are looked at one by
/// one), and `null`-like words.
// boundary: every end found stops at an ASCII byte.
#[allow(clippy::string_slice)]
fn value_span(t: &str, v: usize, form: Form) -> Option<Range<usize>> {
    let b = t.as_bytes();
    let first = *b.get(v)?;
    let span = match (form, first) {
        (Form::Xml, _) => v..memchr::memchr(b'<', &b[v..]).map_or(b.len(), |o| v + o),
        (_, q @ (b'"' | b'\'')) => v + 1..quote_close(b, v + 1, q),
        (_, b'{') => return None,
        (Form::ColonSpace, b'[' | b'(' | b'<' | b'&') => return None,
        (_, b'[') => v + 1..bracket_close(b, v, b'[', b']'),
        (Form::ColonSpace, _) => {
            let end = (v..b.len())
                .find(|&i| b[i].is_ascii_whitespace())
                .unwrap_or(b.len());
            let value = t[v..end].trim_end_matches([',', ';', '.', ')', ']', '}', '>', '"', '\'']);
            v..v + value.len()
        }
        (form, _) => {
            let stops: &[u8] = match form {
                Form::Json => b",}]",
                Form::Colon => b"\"'<>,]})`",
                _ => b"&\"'<>`",
            };
            let mut end = b.len();
            #[allow(clippy::needless_range_loop)]
            for i in v..b.len() {
                if b[i].is_ascii_whitespace()
                    || stops.contains(&b[i])
                    || (form == Form::Encoded
                        && b[i] == b'%'
                        && b.get(i + 1..i + 3)
                            .is_some_and(|h| h.eq_ignore_ascii_case(b"26")))
                {
                    end = i;
                    break;
                }
            }
            // `sessionKey=XXXX, next=…`: the comma ends the sentence.
            let value = t[v..end].trim_end_matches([',', ';', '.']);
            v..v + value.len()
        }
    };
    let value = t.get(span.clone())?;
    let lower = value.trim().to_ascii_lowercase();
    if lower.is_empty()
        || value.starts_with(MASK)
        || value.contains('…')
        || ["null", "nil", "<nil>", "true", "false", "none", "undefined"].contains(&lower.as_str())
    {
        return None;
    }
    Some(span)
}

/// The closing quote of a quoted value whose text starts at `from`: the
/// first `q` followed by a blank, punctuation that ends a value, or the
/// end, so a decoded `\"` inside the value does not end it. The end of
/// the text when there is none (a value cut short).
fn quote_close(b: &[u8], from: usize, q: u8) -> usize {
    for i in from..b.len() {
        if b[i] != q {
            continue;
        }
        match b.get(i + 1) {
            None => return i,
            Some(c) if c.is_ascii_whitespace() || b",;:}])>&\"'".contains(c) => return i,
            _ => {}
        }
    }
    b.len()
}

/// Whether a value after `name: ` looks like a secret rather than the next
/// words of a sentence: six characters or more without a blank, with a
/// digit, mixed case after the first letter (not `WRONGPASS`), or a symbol.
fn looks_secret(v: &str) -> bool {
    let v = v.trim_matches(['"', '\'']);
    v.chars().count() >= 6
        && !v.ends_with(':')
        && !v.contains(char::is_whitespace)
        && (v.bytes().any(|c| c.is_ascii_digit())
            || (v.bytes().any(|c| c.is_ascii_lowercase())
                && v.chars().skip(1).any(|c| c.is_ascii_uppercase()))
            || v.bytes().any(|c| b"!#$%^&*+=~?|@".contains(&c)))
}

/// Whether a query value under a name that says nothing looks like a key,
/// a signature or a token: 16 characters or more of a token's alphabet,
/// letters and digits both.
fn looks_random(v: &str) -> bool {
    v.len() >= 16
        && v.bytes().any(|c| c.is_ascii_digit())
        && v.bytes().any(|c| c.is_ascii_alphabetic())
        && v.bytes()
            .all(|c| c.is_ascii_alphanumeric() || b"-_.~+/=%*!$".contains(&c))
}

// ---------------------------------------------------------------------------
// 9. Bearer and Basic credentials

static BEARER: Rule = Rule::new(r"(?i)\b(?:bearer|basic)[ \t]+([A-Za-z0-9._~+/=-]{8,})");

fn bearer(t: &str) -> Result<Vec<Edit>, Broken> {
    let re = BEARER.get()?;
    Ok(re
        .captures_iter(t)
        .filter_map(|c| c.get(1))
        .filter(|m| looks_secret(m.as_str()))
        .map(|m| masked(m.range()))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every rule, compiled the way production compiles it.
    const RULES: &[&Rule] = &[
        &PRIVATE_KEY,
        &HEADER,
        &NEXT_HEADER,
        &SHAPES,
        &SETTING,
        &URL_AUTHORITY,
        &DSN,
        &CURL_USER,
        &URL_QUERY,
        &COOKIES,
        &NAMED,
        &BEARER,
    ];

    /// Every name `secret_kind` takes for secret holds a word of
    /// `name_words!`, so `NAMED` finds it.
    #[test]
    fn name_words_cover_every_secret_name() {
        let words: Vec<&str> = name_words!().split('|').collect();
        for w in SECRET_WORDS.iter().chain(SECRET_PARTS).chain(&[
            "secret",
            "passw",
            "requirepass",
            "keyid",
            "key_id",
            "access_key",
        ]) {
            assert!(secret_kind(w).is_some(), "{w}");
            assert!(words.iter().any(|n| w.contains(n)), "{w}");
        }
    }

    #[test]
    fn every_rule_compiles() {
        for r in RULES {
            assert!(r.get().is_ok(), "{}", r.pattern);
            assert!(crate::small_regex(r.pattern).is_ok(), "{}", r.pattern);
        }
    }

    static BAD: Rule = Rule::new(r"(unclosed");

    /// A rule that does not compile masks the whole text.
    #[test]
    fn a_broken_rule_masks_everything() {
        fn broken(t: &str) -> Result<Vec<Edit>, Broken> {
            BAD.get()?;
            Ok(vec![masked(0..t.len())])
        }
        let steps = [Step {
            needs: |_| true,
            run: broken,
        }];
        assert_eq!(redact_with("listen tcp 0.0.0.0:5244", &steps), MASK);
        // Only a step a text needs is compiled and run.
        let steps = [Step {
            needs: |_| false,
            run: broken,
        }];
        assert_eq!(redact_with("listen tcp", &steps), "listen tcp");
    }

    /// (text, secrets that must go, what must stay).
    const CASES: &[(&str, &[&str], &[&str])] = &[
        (
            "refresh_token=abcDEF123456",
            &["abcDEF123456"],
            &["refresh_token="],
        ),
        (
            r#"{"refresh_token":"abcDEF123456","x":1}"#,
            &["abcDEF123456"],
            &[r#""x":1"#],
        ),
        (
            r#"{\"access_token\":\"abcDEF123456\"}"#,
            &["abcDEF123456"],
            &[],
        ),
        (
            "Authorization: Bearer abcDEF123456",
            &["abcDEF123456"],
            &["Authorization: "],
        ),
        (
            "Cookie: __puus=abcDEF123456; ctoken=zzz",
            &["abcDEF123456", "zzz"],
            &[],
        ),
        (
            "GET https://cdn.example.com/f.mkv?sign=abcDEF123456&t=1&cid=2593093001",
            &["abcDEF123456"],
            &["cdn.example.com/f.mkv", "t=1", "cid=2593093001"],
        ),
        (
            "https://bob:hunter2secret@dav.example.com/x",
            &["hunter2secret"],
            &["bob:", "@dav.example.com/x"],
        ),
        (
            "token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.abcDEF123456",
            &["abcDEF123456", "eyJzdWIiOiIxIn0"],
            &[],
        ),
        (
            "password=hunter2secret user=bob",
            &["hunter2secret"],
            &["user=bob"],
        ),
        ("x-oss-signature=abcDEF123456", &["abcDEF123456"], &[]),
        ("sessionKey=abcDEF123456", &["abcDEF123456"], &[]),
        // Red team 3a-3f.
        (
            r#"failed create storage: {"mount_path":"/smb","addition":"{\"address\":\"nas:445\",\"username\":\"u\",\"password\":\"SmbD83J7c3yp3z\"}"}"#,
            &["SmbD83J7c3yp3z"],
            &["/smb", "nas:445"],
        ),
        (
            "&quot;password&quot;:&quot;Qw8zLk2mNp4x&quot;",
            &["Qw8zLk2mNp4x"],
            &[],
        ),
        (
            r"\u0022password\u0022:\u0022Qw8zLk2mNp4x\u0022",
            &["Qw8zLk2mNp4x"],
            &[],
        ),
        (
            "Get http://admin:p@ssw0rd!Syyx3B@127.0.0.1:8080/api/v2/auth/login: EOF",
            &["p@ssw0rd!Syyx3B", "ssw0rd!S"],
            &["127.0.0.1:8080/api/v2/auth/login", "admin:"],
        ),
        (
            r#"parse "postgres://alist:Sup3r/ACRuN5oA!24@db:5432/alist": net/url: invalid userinfo"#,
            &["Sup3r/ACRuN5oA!24"],
            &["db:5432/alist"],
        ),
        (
            "dial redis://:Rd5kPw9zXq2m@10.0.0.3:6379",
            &["Rd5kPw9zXq2m"],
            &["10.0.0.3:6379"],
        ),
        (
            r#"Authorization: Digest username="u", realm="r", nonce="abc", uri="/", response="6629fae49393a05397450978507c4ef1""#,
            &["6629fae49393a05397450978507c4ef1"],
            &[],
        ),
        (
            r#"Cookie: SEID="8f2a9c1e7b3d4f60"; UID=1234567_A1_1700000000"#,
            &["8f2a9c1e7b3d4f60", "1700000000"],
            &[],
        ),
        (
            r#"Set-Cookie: __pus="a8c2e4f6b1d3a5c7e9f0b2d4"; Path=/"#,
            &["a8c2e4f6b1d3a5c7e9f0b2d4"],
            &[],
        ),
        (
            r#"{"password":"ab\"cdEF12gh34","x":"keep"}"#,
            &["cdEF12gh34"],
            &[r#""x":"keep""#],
        ),
        ("password=ab,cd;EF12gh34 next", &["cd;EF12gh34"], &["next"]),
        (
            "cache_key_eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig",
            &["eyJzdWIiOiIxIn0"],
            &["cache_key_"],
        ),
        // Coverage.
        (
            "map[refresh_token:9f8e7d6c5b4a39281706f5e4d3c2b1a0 user:bob]",
            &["9f8e7d6c5b4a3928"],
            &["user:bob"],
        ),
        (
            "&{Username:bob Password:Hx7!kq2Lm9 Cookie:x}",
            &["Hx7!kq2Lm9"],
            &["Username:bob"],
        ),
        (
            "refresh_token: 9f8e7d6c5b4a39281706f5e4d3c2b1a0",
            &["9f8e7d6c5b4a3928"],
            &[],
        ),
        ("pass = Zq8xWv3sTk2m", &["Zq8xWv3sTk2m"], &[]),
        (
            "<SignatureProvided>a1b2c3d4e5f60718</SignatureProvided>",
            &["a1b2c3d4e5f60718"],
            &[],
        ),
        (
            "<AWSAccessKeyId>AKIAQX7ZK2M4N5P6R7T8</AWSAccessKeyId>",
            &["Q7ZK2M4N", "AKIAQX7ZK2M4N5P6R7T8"],
            &["AKIA…R7T8"],
        ),
        (
            "user=u&password%3DHx7kq2Lm9Pw%26x%3D1",
            &["Hx7kq2Lm9Pw"],
            &["x%3D1"],
        ),
        (
            "curl -u admin:Tr4nsm1ss10nPw http://127.0.0.1:9091/transmission/rpc",
            &["Tr4nsm1ss10nPw"],
            &["127.0.0.1:9091"],
        ),
        (
            "Error 1045: root:My5qlPw@ss@tcp(172.17.0.2:3306)/alist",
            &["My5qlPw@ss"],
            &["172.17.0.2:3306"],
        ),
        (
            "UID=1234567_A1_1700000000; CID=3c5e7a9b1d2f4a6c8e0b2d4f6a8c0e2b; SEID=9e8d7c6b5a4f3e2d1c0b; KID=a1b2c3d4e5f6a7b8",
            &[
                "3c5e7a9b1d2f4a6c",
                "9e8d7c6b5a4f3e2d",
                "a1b2c3d4e5f6a7b8",
                "1234567_",
            ],
            &[],
        ),
        (
            r#"{"key":"token","value":"alist-1f2e3d4c-5b6a-7980-a1b2-c3d4e5f6a7b8Zx9Yw8Vu7Ts6Rq5Po4Nm3Lk2"}"#,
            &["Zx9Yw8Vu7Ts6Rq5P", "1f2e3d4c-5b6a"],
            &[r#""key":"token""#],
        ),
        (
            "Post https://api.telegram.org/bot7123456789:AAHk3Lm9Qx2Zp8Wv4Ty6Rs1Nb5Jc7Df0Gh/sendMessage: dial tcp 149.154.167.220:443: i/o timeout",
            &["7123456789:AAH", "AAHk3Lm9Qx2Zp8Wv"],
            &["/sendMessage", "149.154.167.220:443"],
        ),
        (
            r#"{"params":["token:aria2Secr3tRpc","2089b05ecca3d829"]}"#,
            &["aria2Secr3tRpc"],
            &["2089b05ecca3d829"],
        ),
        (
            "access_token=121.0123456789abcdef0123456789abcdef.YGSuZDXQ4sWAYq5lJbwrK7hXuOg4WoJKAe2iDo5.J6ydVw from 121.40.12.8",
            &["0123456789abcdef", "YGSuZDXQ4sWAYq5l"],
            &["121.40.12.8"],
        ),
        (
            "X-Api-Key: 3f9a1c7e5b2d4f6a8c0e",
            &["3f9a1c7e5b2d4f6a8c0e"],
            &[],
        ),
    ];

    /// Found by tests/fixtures/secrets.tsv.
    const MORE: &[(&str, &[&str], &[&str])] = &[
        (
            "map[__puus:632cd5b737436dcdAA7s8cNS fid:abc]",
            &["632cd5b737436dcd"],
            &["fid:abc"],
        ),
        (
            "redis AUTH requirepass=P6iDOZ3xU3cS",
            &["P6iDOZ3xU3cS"],
            &[],
        ),
        (
            r#"{"dsn":"alist:p4ssW0rd!x@tcp(db:3306)/alist"}"#,
            &["p4ssW0rd!x"],
            &["alist:***@tcp(db:3306)/alist"],
        ),
    ];

    #[test]
    fn secrets_are_masked_and_idempotent() {
        for (text, secrets, keep) in CASES.iter().chain(MORE) {
            let once = redact(text);
            for s in *secrets {
                assert!(!once.contains(s), "{text}\n -> {once}\n leaks {s}");
            }
            for k in *keep {
                assert!(once.contains(k), "{text}\n -> {once}\n lost {k}");
            }
            assert!(
                once.contains(MASK) || once.contains('…'),
                "{text} -> {once}"
            );
            assert_eq!(redact(&once), once, "not idempotent: {text}");
        }
    }

    #[test]
    fn ordinary_messages_are_untouched() {
        for text in [
            "failed to refresh token: The input parameter refresh_token is missing. Please refer to document.",
            "failed to refresh token: refresh token is empty, resp: 404 page not found",
            "token is expired",
            "listen tcp 0.0.0.0:5244: bind: address already in use",
            "failed get objs: failed to list objs: Get \"https://api.example.com/x\": EOF",
            "failed get objs: Get \"https://webapi.115.com/files?aid=1&cid=2593093001609739968&o=user_ptime&asc=0&offset=0&show_dir=1&limit=56\": EOF",
            "Error 1045 (28000): Access denied for user 'alist'@'172.17.0.1' (using password: YES)",
            "magnet:?xt=urn:btih:0123456789abcdef0123456789abcdef01234567&dn=ubuntu.iso",
            "aria2 gid 2089b05ecca3d829 failed: 121.40.12.8:6800",
            "failed basic auth: authentication required",
        ] {
            assert_eq!(redact(text), text);
        }
    }

    /// A text remembered (from its second redaction on) comes out the same.
    #[test]
    fn remembered_texts_come_out_the_same() {
        for text in ["password=hunter2secret user=bob", "listen tcp 0.0.0.0:5244"] {
            let first = redact(text).into_owned();
            for _ in 0..3 {
                assert_eq!(redact(text), first);
            }
        }
        assert_eq!(REDACTED.with(|m| m.borrow().len()), 2);
    }

    /// A secret across the cut of a clip is masked whole, not cut in half.
    #[test]
    fn clipping_masks_first() {
        let text = format!(
            "resp: {{\"pad\":\"{}\",\"refresh_token\":\"0a1b2c3d4e5f60718293a4b5c6d7e8f9\"}}",
            "x".repeat(170)
        );
        let clipped = clip(&text, 200);
        assert!(!clipped.contains("0a1b2c3d"), "{clipped}");
        assert!(clipped.len() <= 200 + '…'.len_utf8());
        assert_eq!(clip("short", 200), "short");
    }
}
