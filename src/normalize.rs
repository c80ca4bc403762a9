//! Turns a message as pasted (ANSI colours, JSON or HTML escapes, wrapped
//! whitespace) into the canonical text the catalog patterns are written for.

use std::borrow::Cow;

// ANSI SGR colour codes, also with the ESC byte lost (`[31mERRO[0m[`), as
// some NAS panels show them. Without ESC at least one digit is required so
// that text like `[mount]` is left alone.
crate::static_regex!(ANSI, r"\x1b\[[0-9;?]*[A-Za-z]|\[[0-9]+(?:;[0-9]+)*m");

/// Removes ANSI colour codes.
pub fn strip_ansi(s: &str) -> Cow<'_, str> {
    if !s.contains('[') {
        return Cow::Borrowed(s);
    }
    ANSI.replace_all(s, "")
}

/// The canonical form of a message for matching.
pub fn normalize(s: &str) -> String {
    let mut text: Cow<'_, str> = Cow::Borrowed(s);
    // Twice: API bodies quoted inside log lines are escaped twice.
    for _ in 0..2 {
        if text.contains('\\') {
            text = Cow::Owned(unescape_json(&text));
        }
    }
    if text.contains('&') {
        text = Cow::Owned(decode_html_entities(&text));
    }
    let text = strip_ansi(&text);
    collapse_whitespace(&text)
}

/// Collapses every run of whitespace (including NBSP and the ideographic
/// space) into one ASCII space and trims both ends.
pub fn collapse_whitespace(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut pending_space = false;
    for c in s.chars() {
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
pub fn unescape_json(s: &str) -> String {
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

/// Decodes the HTML entities OpenList's error pages and web UIs produce.
pub fn decode_html_entities(s: &str) -> String {
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
    let mut out = s.to_string();
    for (from, to) in ENTITIES {
        if out.contains(from) {
            out = out.replace(from, to);
        }
    }
    out
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

    #[test]
    fn collapses_whitespace() {
        assert_eq!(normalize("  a \t\n b\u{3000}c  "), "a b c");
    }

    #[test]
    fn decodes_entities() {
        assert_eq!(normalize("&quot;x&quot; &amp;lt;"), "\"x\" &lt;");
    }
}
