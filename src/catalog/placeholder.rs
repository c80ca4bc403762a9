//! `{name}` and `{name|fallback words}` placeholders in catalog text, filled
//! from a match's named captures so advice names the user's own port or path.
#![warn(clippy::string_slice)]

/// One placeholder occurrence: capture name and optional fallback text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Placeholder<'a> {
    pub name: &'a str,
    pub fallback: Option<&'a str>,
}

/// Every placeholder in `text`, in order. Braces that do not hold a
/// lower-case identifier (JSON like `{"code":500}`) are plain text.
pub(crate) fn placeholders(text: &str) -> Vec<Placeholder<'_>> {
    let mut out = Vec::new();
    scan(text, |p| out.push(p));
    out
}

/// `text` with placeholders replaced by capture values; a placeholder whose
/// capture did not take part (or caught nothing) uses its fallback, or
/// `<name>` (in advice that reads as "put yours here": `--port <port>`).
pub(crate) fn fill(text: &str, captures: &[(String, String)]) -> String {
    fill_with(text, captures, |name| format!("<{name}>"))
}

/// `fill` for a title: a placeholder with nothing to fill it disappears,
/// and so do the separators and brackets it leaves dangling
/// (`Token refresh failed: {reason}` → `Token refresh failed`).
pub(crate) fn fill_title(text: &str, captures: &[(String, String)]) -> String {
    const HOLE: char = '\u{1}';
    let filled = fill_with(text, captures, |_| HOLE.to_string());
    if !filled.contains(HOLE) {
        return filled;
    }
    // Between Chinese words a hole takes its spaces with it (`端口 {port}
    // 已被占用` → `端口已被占用`).
    let chars: Vec<char> = filled.chars().collect();
    let mut joined = String::with_capacity(filled.len());
    let mut i = 0;
    while i < chars.len() {
        let wide = |c: Option<&char>| {
            c.is_some_and(
                |&c| matches!(c as u32, 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF),
            )
        };
        if chars[i] == ' '
            && chars.get(i + 1) == Some(&HOLE)
            && chars.get(i + 2) == Some(&' ')
            && wide(i.checked_sub(1).and_then(|p| chars.get(p)))
            && wide(chars.get(i + 3))
        {
            i += 3;
            continue;
        }
        joined.push(chars[i]);
        i += 1;
    }
    let mut t = joined.replace(HOLE, "");
    // Brackets and quotes that held only the placeholder.
    for empty in ["()", "（）", "[]", "\"\"", "''", "``", "「」", "“”", "‘’"] {
        t = t.replace(empty, "");
    }
    let mut out = String::with_capacity(t.len());
    for w in t.split(' ').filter(|w| !w.is_empty()) {
        // A separator left between two spaces (`a — b` without `b`'s
        // value) or glued to a bracket goes with the hole.
        if matches!(w, "-" | "—" | "–" | ":" | "/" | "," | "·") {
            out.push_str(" \u{2}");
            continue;
        }
        if !out.is_empty() && !w.starts_with([')', '）', ',', '.', ':', '，', '。']) {
            out.push(' ');
        }
        out.push_str(w);
    }
    // Separators with nothing after them, or doubled.
    let out = out.replace(" \u{2} \u{2}", " \u{2}");
    let out = out.replace(" \u{2}", " —");
    let trim: &[char] = &[' ', ':', '：', ',', '，', '-', '—', '–', '/', '·'];
    out.trim_matches(trim).replace("( ", "(").replace(" )", ")")
}

/// `fill`, with `missing` rendering a placeholder that has neither a capture
/// nor a fallback (Markdown pages use `‹name›`: `<name>` would be HTML there).
// boundary: spans start at an ASCII `{` and end after an ASCII `}`.
#[allow(clippy::string_slice)]
pub(crate) fn fill_with(
    text: &str,
    captures: &[(String, String)],
    missing: impl Fn(&str) -> String,
) -> String {
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    let mut spans = Vec::new();
    scan_spans(text, |start, end, p| spans.push((start, end, p)));
    for (start, end, p) in spans {
        out.push_str(&text[last..start]);
        match captures.iter().find(|(n, v)| n == p.name && !v.is_empty()) {
            Some((_, v)) => out.push_str(v),
            None => match p.fallback {
                Some(fb) => out.push_str(fb),
                None => out.push_str(&missing(p.name)),
            },
        }
        last = end;
    }
    out.push_str(&text[last..]);
    out
}

fn scan<'a>(text: &'a str, mut f: impl FnMut(Placeholder<'a>)) {
    scan_spans(text, |_, _, p| f(p));
}

// boundary: `i` is an ASCII `{` byte and `close` a `}` found after it.
#[allow(clippy::string_slice)]
fn scan_spans<'a>(text: &'a str, mut f: impl FnMut(usize, usize, Placeholder<'a>)) {
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'{'
            && let Some(close) = text[i + 1..].find('}')
        {
            let inner = &text[i + 1..i + 1 + close];
            let (name, fallback) = match inner.split_once('|') {
                Some((n, fb)) => (n, Some(fb)),
                None => (inner, None),
            };
            if is_ident(name) && fallback.is_none_or(|fb| !fb.contains('{')) {
                f(i, i + close + 2, Placeholder { name, fallback });
                i += close + 2;
                continue;
            }
        }
        i += 1;
    }
}

fn is_ident(s: &str) -> bool {
    let mut b = s.bytes();
    matches!(b.next(), Some(c) if c.is_ascii_lowercase() || c == b'_')
        && b.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fills_and_falls_back() {
        let caps = vec![("port".to_string(), "5244".to_string())];
        assert_eq!(
            fill("port {port} on {addr|all addresses}", &caps),
            "port 5244 on all addresses"
        );
        assert_eq!(
            fill(r#"body {"code":500} {x}"#, &caps),
            r#"body {"code":500} <x>"#
        );
        assert_eq!(placeholders("{a} {b|c} {Not} {}").len(), 2);
        let empty = vec![("port".to_string(), String::new())];
        assert_eq!(fill("--port {port}", &empty), "--port <port>");
    }

    #[test]
    fn titles_lose_what_has_no_value() {
        let none: Vec<(String, String)> = Vec::new();
        let t = |s: &str| fill_title(s, &none);
        assert_eq!(
            t("Aliyun token refresh failed: {reason}"),
            "Aliyun token refresh failed"
        );
        assert_eq!(
            t("Refused {method} {path} (403 Forbidden)"),
            "Refused (403 Forbidden)"
        );
        assert_eq!(t("Port {port} is in use"), "Port is in use");
        assert_eq!(t("Upload failed ({code})"), "Upload failed");
        assert_eq!(t("Provider said “{message}”"), "Provider said");
        assert_eq!(t("令牌刷新失败：{reason}"), "令牌刷新失败");
        assert_eq!(t("端口 {port} 已被占用"), "端口已被占用");
        assert_eq!(
            t("Rate limited — {message} — retry later"),
            "Rate limited — retry later"
        );
        assert_eq!(
            t("Mount {mount|a storage} failed"),
            "Mount a storage failed"
        );
        let caps = vec![("reason".to_string(), "bad".to_string())];
        assert_eq!(fill_title("Failed: {reason}", &caps), "Failed: bad");
    }
}
