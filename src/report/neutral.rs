//! Terminal safety: text that came from the input (or a user catalog) is
//! passed through `neutralise` before the text report adds its own
//! colours. Control characters and C1 controls are shown escaped, so an
//! ESC, BEL or CSI in a log line can never set a window title, write the
//! clipboard (OSC 52), reset the terminal or make it answer a query;
//! bidirectional overrides are removed, so a line cannot display
//! reordered.
#![warn(clippy::string_slice)]

use std::borrow::Cow;

/// Whether `c` must not reach a terminal as it is.
fn unsafe_char(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t') || is_bidi_control(c)
}

/// Unicode's explicit directional formatting characters.
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{061c}')
}

/// `s` safe to print: controls as `\x1b`-style escapes (C1 as `\u{9b}`),
/// bidirectional controls dropped. Borrowed when there is nothing to do.
pub(crate) fn neutralise(s: &str) -> Cow<'_, str> {
    if !s.chars().any(unsafe_char) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if is_bidi_control(c) {
            continue;
        }
        if unsafe_char(c) {
            let n = c as u32;
            if n < 0x80 {
                out.push_str(&format!("\\x{n:02x}"));
            } else {
                out.push_str(&format!("\\u{{{n:x}}}"));
            }
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_are_shown_not_sent() {
        for (given, want) in [
            ("plain text", "plain text"),
            ("\u{1b}]52;c;aGk=\u{7}", "\\x1b]52;c;aGk=\\x07"),
            ("\u{1b}]0;pwned\u{7}", "\\x1b]0;pwned\\x07"),
            ("\u{1b}c\u{1b}[2J\u{1b}[>c", "\\x1bc\\x1b[2J\\x1b[>c"),
            ("\u{1b}P+q544e\u{1b}\\", "\\x1bP+q544e\\x1b\\"),
            ("\u{9b}31m", "\\u{9b}31m"),
            ("abc\u{202e}fed", "abcfed"),
            ("tab\tand\nnewline", "tab\tand\nnewline"),
        ] {
            assert_eq!(neutralise(given), want, "{given:?}");
        }
    }

    #[test]
    fn nothing_unsafe_survives() {
        for c in (0u32..0x3000).filter_map(char::from_u32) {
            let s = format!("a{c}b");
            let out = neutralise(&s);
            assert!(!out.chars().any(unsafe_char), "{c:?}");
        }
    }
}
