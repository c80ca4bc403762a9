//! Turns a message as pasted (ANSI colours, JSON or HTML escapes, wrapped
//! whitespace) into the canonical text the catalog patterns are written for.
#![warn(clippy::string_slice)]

use std::borrow::Cow;

/// Removes ANSI colour codes: `ESC [ params letter`, and SGR codes with
/// the ESC byte lost (`[31mERRO[0m[`), as some NAS panels show them. Without
/// ESC at least one digit is required, so text like `[mount]` stays. Written
/// by hand: it runs on every line that is not routine.
// boundary: `at` is an ASCII ESC or `[` found by memchr; `copied` is just
// after an escape sequence, which is ASCII.
#[allow(clippy::string_slice)]
pub(crate) fn strip_ansi(s: &str) -> Cow<'_, str> {
    let b = s.as_bytes();
    if memchr::memchr(b'[', b).is_none() {
        return Cow::Borrowed(s);
    }
    let mut out: Option<String> = None;
    let (mut copied, mut i) = (0, 0);
    while let Some(off) = memchr::memchr2(0x1b, b'[', &b[i..]) {
        let at = i + off;
        match ansi_code_at(b, at) {
            Some(end) => {
                out.get_or_insert_with(|| String::with_capacity(s.len()))
                    .push_str(&s[copied..at]);
                copied = end;
                i = end;
            }
            None => i = at + 1,
        }
    }
    match out {
        None => Cow::Borrowed(s),
        Some(mut o) => {
            o.push_str(&s[copied..]);
            Cow::Owned(o)
        }
    }
}

/// The ways an escape byte is written out when a log is copied through a
/// viewer or a forum: the letters `ESC` (Notepad++, Sublime), `^[` (`cat -v`,
/// `less`), and the C and shell escapes (JSON's `\u001b` is decoded with
/// the JSON it is in).
const WRITTEN_ESC: [&str; 5] = ["ESC[", "^[[", "\\e[", "\\033[", "\\x1b["];

/// `s` with every written-out escape that starts a colour code (`[`,
/// digits and `;`, then `m`) turned into the escape byte, so that
/// `ESC[31mERROESC[0m[…]` reads as the coloured head it was. Borrowed when
/// there is none (most lines: one substring search).
pub(crate) fn written_escapes(s: &str) -> Cow<'_, str> {
    let b = s.as_bytes();
    if memchr::memchr3(b'E', b'^', b'\\', b).is_none()
        || !WRITTEN_ESC
            .iter()
            .any(|w| memchr::memmem::find(b, w.as_bytes()).is_some())
    {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    'scan: while !rest.is_empty() {
        for w in WRITTEN_ESC {
            if let Some(after) = rest.strip_prefix(w) {
                let code = after
                    .bytes()
                    .take_while(|c| c.is_ascii_digit() || *c == b';')
                    .count();
                if after.as_bytes().get(code) == Some(&b'm') {
                    out.push_str("\u{1b}[");
                    rest = after;
                    continue 'scan;
                }
            }
        }
        let mut chars = rest.chars();
        if let Some(c) = chars.next() {
            out.push(c);
        }
        rest = chars.as_str();
    }
    Cow::Owned(out)
}

/// The end of the colour code starting at `at`, if one does.
fn ansi_code_at(b: &[u8], at: usize) -> Option<usize> {
    let digits_from = |mut j: usize| {
        while b.get(j).is_some_and(u8::is_ascii_digit) {
            j += 1;
        }
        j
    };
    if b[at] == 0x1b {
        if b.get(at + 1) != Some(&b'[') {
            return None;
        }
        let mut j = at + 2;
        while b
            .get(j)
            .is_some_and(|c| c.is_ascii_digit() || *c == b';' || *c == b'?')
        {
            j += 1;
        }
        return b
            .get(j)
            .is_some_and(u8::is_ascii_alphabetic)
            .then_some(j + 1);
    }
    // `[` digits (`;` digits)* `m`
    let mut j = at + 1;
    loop {
        let end = digits_from(j);
        if end == j {
            return None;
        }
        j = end;
        if b.get(j) == Some(&b';') {
            j += 1;
        } else {
            break;
        }
    }
    (b.get(j) == Some(&b'm')).then_some(j + 1)
}

/// The canonical form of a message for matching.
pub(crate) fn normalize(s: &str) -> String {
    let mut text: Cow<'_, str> = Cow::Borrowed(s);
    // Twice: API bodies quoted inside log lines are escaped twice.
    for _ in 0..2 {
        if text.contains('\\') {
            text = Cow::Owned(unescape_json(&text));
        }
    }
    if text.contains('&')
        && let Cow::Owned(decoded) = decode_html_entities(&text)
    {
        text = Cow::Owned(decoded);
    }
    tidy(&text)
}

/// Colour codes out, whitespace collapsed: what a message is shown as, and
/// all `normalize` does to text without escapes (see `has_escapes`).
pub(crate) fn tidy(s: &str) -> String {
    collapse_whitespace(&strip_ansi(s))
}

/// Whether `normalize` would decode anything in `s` (JSON or Go escapes,
/// HTML entities); when not, `normalize(s) == tidy(s)`.
pub(crate) fn has_escapes(s: &str) -> bool {
    s.contains(['\\', '&'])
}

/// `s` cut to at most `max` bytes on a character boundary, with `…` when cut.
// boundary: `end` walks back to `is_char_boundary`.
#[allow(clippy::string_slice)]
pub(crate) fn clip_bytes(s: &str, max: usize) -> String {
    if s.len() <= max {
        return s.to_string();
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &s[..end])
}

/// Collapses every run of whitespace (including NBSP and the ideographic
/// space) into one ASCII space and trims both ends.
// boundary: `run` ends before the first byte outside printable ASCII, and
// a character is stepped over by its own length.
#[allow(clippy::string_slice)]
pub(crate) fn collapse_whitespace(s: &str) -> String {
    // Most messages are printable ASCII with single spaces between words:
    // already collapsed, one pass tells.
    let b = s.as_bytes();
    let mut prev_space = true;
    let canonical = b.iter().all(|&c| {
        let space = c == b' ';
        let ok = (0x21..=0x7e).contains(&c) || (space && !prev_space);
        prev_space = space;
        ok
    }) && !prev_space;
    if canonical || s.is_empty() {
        return s.to_owned();
    }
    let mut out = String::with_capacity(s.len());
    let mut pending_space = false;
    let mut rest = s;
    while !rest.is_empty() {
        // Printable ASCII runs, the bulk of any log, are copied whole.
        let run = rest
            .bytes()
            .position(|b| !(0x21..=0x7e).contains(&b))
            .unwrap_or(rest.len());
        if run > 0 {
            if pending_space && !out.is_empty() {
                out.push(' ');
            }
            pending_space = false;
            out.push_str(&rest[..run]);
            rest = &rest[run..];
            continue;
        }
        let Some(c) = rest.chars().next() else { break };
        rest = &rest[c.len_utf8()..];
        if c.is_whitespace() || c == '\u{a0}' || c.is_control() {
            pending_space = true;
        } else {
            if pending_space && !out.is_empty() {
                out.push(' ');
            }
            pending_space = false;
            out.push(c);
        }
    }
    out
}

/// Decodes JSON / Go string escapes in place (`\"`, `\\`, `\/`, `\n`, `\t`,
/// `\uXXXX` with surrogate pairs). Unknown escapes are kept as written so
/// Windows paths survive.
pub(crate) fn unescape_json(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.peek().copied() {
            Some('"') => {
                chars.next();
                out.push('"');
            }
            Some('\\') => {
                chars.next();
                out.push('\\');
            }
            Some('/') => {
                chars.next();
                out.push('/');
            }
            Some('n') | Some('r') | Some('t') => {
                chars.next();
                out.push(' ');
            }
            Some('u') => {
                let mut look = chars.clone();
                look.next();
                let hex: String = look.by_ref().take(4).collect();
                match u32::from_str_radix(&hex, 16) {
                    Ok(cp) if hex.len() == 4 => {
                        chars = look;
                        if (0xD800..0xDC00).contains(&cp) {
                            // High surrogate: try to pair with a following \uDCxx.
                            let mut look2 = chars.clone();
                            let pair: String = look2.by_ref().take(6).collect();
                            if let Some(lo) = pair
                                .strip_prefix("\\u")
                                .and_then(|h| u32::from_str_radix(h, 16).ok())
                                .filter(|lo| (0xDC00..0xE000).contains(lo))
                            {
                                chars = look2;
                                let full = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                                out.push(char::from_u32(full).unwrap_or('\u{fffd}'));
                            } else {
                                out.push('\u{fffd}');
                            }
                        } else {
                            out.push(char::from_u32(cp).unwrap_or('\u{fffd}'));
                        }
                    }
                    _ => out.push('\\'),
                }
            }
            _ => out.push('\\'),
        }
    }
    out
}

/// The HTML entities OpenList's error pages and web UIs produce.
const ENTITIES: &[(&str, &str)] = &[
    ("&quot;", "\""),
    ("&#34;", "\""),
    ("&#39;", "'"),
    ("&#x27;", "'"),
    ("&apos;", "'"),
    ("&lt;", "<"),
    ("&gt;", ">"),
    ("&nbsp;", " "),
    ("&amp;", "&"),
];

/// Decodes the HTML entities OpenList's error pages and web UIs produce,
/// in one pass: every entity starts with `&` and ends at the next `;`, so
/// occurrences never overlap and a decoded `&` is not decoded again
/// (`&amp;lt;` is `&lt;`). Borrowed when there is nothing to decode: URLs
/// in messages carry `&` in their queries far more often than entities.
// boundary: `at` is an ASCII `&`; `copied` is just after an ASCII entity.
#[allow(clippy::string_slice)]
pub(crate) fn decode_html_entities(s: &str) -> Cow<'_, str> {
    let mut out: Option<String> = None;
    let mut copied = 0;
    for at in memchr::memchr_iter(b'&', s.as_bytes()) {
        if at < copied {
            continue;
        }
        let rest = &s[at..];
        if let Some((from, to)) = ENTITIES.iter().find(|(from, _)| rest.starts_with(from)) {
            let o = out.get_or_insert_with(|| String::with_capacity(s.len()));
            o.push_str(&s[copied..at]);
            o.push_str(to);
            copied = at + from.len();
        }
    }
    match out {
        None => Cow::Borrowed(s),
        Some(mut o) => {
            o.push_str(&s[copied..]);
            Cow::Owned(o)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_ansi_with_and_without_esc() {
        assert_eq!(strip_ansi("\x1b[31mERRO\x1b[0m[x]"), "ERRO[x]");
        assert_eq!(strip_ansi("[31mERRO[0m[x]"), "ERRO[x]");
        assert_eq!(strip_ansi("[/mount] [m]"), "[/mount] [m]");
    }

    #[test]
    fn unescapes_json_bodies() {
        assert_eq!(
            normalize(r#"{\"message\":\"a \u0026 b\"}"#),
            r#"{"message":"a & b"}"#
        );
        assert_eq!(normalize(r"C:\Users\x"), r"C:\Users\x");
        assert_eq!(normalize(r"\ud83d\ude00 ok"), "\u{1f600} ok");
        assert_eq!(normalize(r"\ud83d"), "\u{fffd}");
    }

    /// The hand-written scanner agrees with the regex it replaced.
    #[test]
    fn written_out_escapes_become_the_byte() {
        for (given, want) in [
            (
                "ESC[31mERROESC[0m[2023-04-01 08:21:21] x",
                "\u{1b}[31mERRO\u{1b}[0m[2023-04-01 08:21:21] x",
            ),
            ("^[[33mWARN^[[0m[2024] y", "\u{1b}[33mWARN\u{1b}[0m[2024] y"),
            ("\\e[36mINFO\\e[0m", "\u{1b}[36mINFO\u{1b}[0m"),
            ("\\033[1;31mE\\x1b[0m", "\u{1b}[1;31mE\u{1b}[0m"),
            ("ESCAPE[31m and ESC[x stay", "ESCAPE[31m and ESC[x stay"),
            ("no escape 错误", "no escape 错误"),
        ] {
            assert_eq!(written_escapes(given), want, "{given:?}");
        }
    }

    #[test]
    fn strip_ansi_equals_the_regex() {
        let re = regex::Regex::new(r"\x1b\[[0-9;?]*[A-Za-z]|\[[0-9]+(?:;[0-9]+)*m").unwrap();
        let pieces = [
            "\x1b", "[", "3", "1", ";", "?", "m", "K", "x", " ", "错", "]",
        ];
        for s in crate::random_texts(0x9e37_79b9, 5_000, 10, &pieces) {
            assert_eq!(strip_ansi(&s), re.replace_all(&s, ""), "{s:?}");
        }
    }

    #[test]
    fn collapses_whitespace() {
        assert_eq!(normalize("  a \t\n b\u{3000}c  "), "a b c");
    }

    /// The shortcut the diagnosis takes for text without escapes.
    #[test]
    fn without_escapes_normalize_is_tidy() {
        let parts = [
            "a", " ", "  ", "\t", "\u{a0}", "\x1b[31m", "[0m", "&amp;", "\\n", "\\\"", "是", "x:y",
        ];
        let mut plain = 0;
        for s in crate::random_texts(0x7157, 20_000, 8, &parts) {
            if !has_escapes(&s) {
                assert_eq!(normalize(&s), tidy(&s), "{s:?}");
                plain += 1;
            }
        }
        assert!(plain > 1_000, "{plain}");
    }

    /// The ASCII fast path must agree with the plain char-by-char rule.
    #[test]
    fn collapse_fast_path_equals_the_plain_rule() {
        fn plain(s: &str) -> String {
            let mut out = String::new();
            let mut pending = false;
            for c in s.chars() {
                if c.is_whitespace() || c == '\u{a0}' || c.is_control() {
                    pending = true;
                } else {
                    if pending && !out.is_empty() {
                        out.push(' ');
                    }
                    pending = false;
                    out.push(c);
                }
            }
            out
        }
        let pieces = [
            "a", " ", "\t", "\n", "\u{7f}", "\u{0}", "\u{a0}", "\u{3000}", "\u{85}", "错", "~", "!",
        ];
        for s in crate::random_texts(0x2545_f491, 2_000, 12, &pieces) {
            assert_eq!(collapse_whitespace(&s), plain(&s), "{s:?}");
        }
    }

    #[test]
    fn decodes_entities() {
        assert_eq!(normalize("&quot;x&quot; &amp;lt;"), "\"x\" &lt;");
        assert!(matches!(
            decode_html_entities("https://a/b?x=1&y=2"),
            Cow::Borrowed(_)
        ));
    }

    /// One pass decodes as replacing each entity in turn over the whole
    /// text did (the old way), on every string of up to four pieces.
    #[test]
    fn one_pass_decoding_equals_replacing_in_turn() {
        fn in_turn(s: &str) -> String {
            let mut out = s.to_string();
            for (from, to) in ENTITIES {
                out = out.replace(from, to);
            }
            out
        }
        let pieces = [
            "&", ";", "amp;", "lt;", "&amp;", "&quot;", "&#34;", "&#x27;", "&nbsp;", "&gt;", "&lt",
            "x", "是", " ", "&apos;", "&#39;",
        ];
        let mut texts = vec![String::new()];
        for _ in 0..4 {
            let longer: Vec<String> = texts
                .iter()
                .flat_map(|t| pieces.iter().map(move |p| format!("{t}{p}")))
                .collect();
            texts.extend(longer);
            texts.dedup();
        }
        for t in &texts {
            assert_eq!(decode_html_entities(t), in_turn(t), "{t:?}");
        }
    }
}
