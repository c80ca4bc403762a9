//! Reading `config.json` as the server does: strict JSON (json-iterator
//! in standard-library mode), keys matched case-insensitively. A file that
//! does not parse is repaired where the mistake is a common one (a
//! byte-order mark, comments, trailing commas, single quotes, single
//! backslashes in Windows paths), so the report can show the corrected
//! lines and the other checks still run.

use std::path::Path;

use serde_json::Value;

/// Keys whose values are secrets: never shown, not even in a corrected line.
const SECRET_KEYS: &[&str] = &["jwt_secret", "password", "dsn", "api_key"];

/// What made the file invalid JSON, and how it reads corrected.
#[derive(Debug, Clone)]
pub(crate) struct Syntax {
    pub line: u64,
    pub column: u64,
    /// The first mistake, in words.
    pub problem: String,
    /// `line N: text` of each corrected line (secret values masked), or
    /// `None` when the file could not be repaired.
    pub corrected: Option<Vec<String>>,
}

/// `config.json` as read.
#[derive(Debug, Clone)]
pub(crate) struct ConfigFile {
    text: String,
    /// The parsed value (of the repaired text when the file is invalid).
    pub value: Option<Value>,
    pub syntax: Option<Syntax>,
}

impl ConfigFile {
    pub(crate) fn read(path: &Path) -> std::io::Result<ConfigFile> {
        let bytes = std::fs::read(path)?;
        Ok(ConfigFile::parse(path, &String::from_utf8_lossy(&bytes)))
    }

    pub(crate) fn parse(path: &Path, text: &str) -> ConfigFile {
        let (value, syntax) = match serde_json::from_str::<Value>(text) {
            Ok(v) => (Some(v), None),
            Err(e) => {
                let (fixed, first) = repair(text);
                let value = serde_json::from_str::<Value>(&fixed).ok();
                let (line, column, problem) = match first {
                    Some(f) => (f.line, f.column, f.problem.to_string()),
                    None => (e.line() as u64, e.column() as u64, strip_location(&e)),
                };
                let corrected = value.as_ref().map(|_| changed_lines(text, &fixed));
                (
                    value,
                    Some(Syntax {
                        line,
                        column,
                        problem,
                        corrected,
                    }),
                )
            }
        };
        let _ = path;
        ConfigFile {
            text: text.to_string(),
            value,
            syntax,
        }
    }

    /// The value at `path` (keys matched case-insensitively, the last of
    /// equal keys winning, as the server reads them).
    pub(crate) fn get(&self, path: &[&str]) -> Option<&Value> {
        let mut v = self.value.as_ref()?;
        for key in path {
            let obj = v.as_object()?;
            v = obj
                .iter()
                .filter(|(k, _)| k.eq_ignore_ascii_case(key))
                .map(|(_, v)| v)
                .next_back()?;
        }
        Some(v)
    }

    pub(crate) fn str(&self, path: &[&str]) -> Option<&str> {
        self.get(path).and_then(Value::as_str)
    }

    pub(crate) fn int(&self, path: &[&str]) -> Option<i64> {
        self.get(path).and_then(Value::as_i64)
    }

    pub(crate) fn bool(&self, path: &[&str]) -> Option<bool> {
        self.get(path).and_then(Value::as_bool)
    }

    /// 1-based line of the first `"key"` in the file (1 when not found).
    pub(crate) fn line_of(&self, key: &str) -> u64 {
        let needle = format!("\"{}\"", key.to_ascii_lowercase());
        self.text
            .lines()
            .position(|l| l.to_ascii_lowercase().contains(&needle))
            .map_or(1, |i| i as u64 + 1)
    }

    /// Whether the file's text names `key` at all (any nesting).
    pub(crate) fn mentions(&self, key: &str) -> bool {
        let needle = format!("\"{}\"", key.to_ascii_lowercase());
        self.text.to_ascii_lowercase().contains(&needle)
    }
}

/// serde_json ends its messages with " at line X column Y".
fn strip_location(e: &serde_json::Error) -> String {
    let s = e.to_string();
    s.rsplit_once(" at line ")
        .map_or(s.clone(), |(m, _)| m.to_string())
}

/// The first mistake `repair` corrected.
#[derive(Debug, Clone, Copy)]
struct Fix {
    line: u64,
    column: u64,
    problem: &'static str,
}

/// The text with the common mistakes corrected, and the first of them.
fn repair(text: &str) -> (String, Option<Fix>) {
    let mut out = String::with_capacity(text.len());
    let mut first: Option<Fix> = None;
    let chars: Vec<char> = text.chars().collect();
    let (mut line, mut col) = (1u64, 1u64);
    let mut i = 0;
    let note = |first: &mut Option<Fix>, line, column, problem| {
        if first.is_none() {
            *first = Some(Fix {
                line,
                column,
                problem,
            });
        }
    };
    if chars.first() == Some(&'\u{feff}') {
        note(
            &mut first,
            1,
            1,
            "the file starts with a byte-order mark (UTF-8 with BOM)",
        );
        i = 1;
    }
    // Advances over chars[i], keeping line and column.
    macro_rules! step {
        () => {{
            let c = chars[i];
            if c == '\n' {
                line += 1;
                col = 1;
            } else {
                col += 1;
            }
            i += 1;
            c
        }};
    }
    while i < chars.len() {
        let c = chars[i];
        match c {
            '"' | '\'' => {
                let quote = c;
                if quote == '\'' {
                    note(&mut first, line, col, "a string in single quotes");
                }
                out.push('"');
                step!();
                // `"D:\alist\temp"`: every backslash of a Windows path is literal.
                let windows = chars.get(i).is_some_and(char::is_ascii_alphabetic)
                    && chars.get(i + 1) == Some(&':')
                    && chars.get(i + 2) == Some(&'\\')
                    && chars.get(i + 3) != Some(&'\\');
                while i < chars.len() && chars[i] != quote && chars[i] != '\n' {
                    let ch = chars[i];
                    if ch == '\\' && windows {
                        note(
                            &mut first,
                            line,
                            col,
                            "a single backslash in a string (Windows paths need \\\\ or /)",
                        );
                        out.push_str("\\\\");
                        step!();
                    } else if ch == '\\' {
                        let next = chars.get(i + 1).copied();
                        if next.is_some_and(|n| n == quote || "\"\\/bfnrtu".contains(n)) {
                            out.push('\\');
                            step!();
                            let n = step!();
                            if n == '\'' {
                                out.pop();
                            }
                            out.push(n);
                        } else {
                            note(
                                &mut first,
                                line,
                                col,
                                "a single backslash in a string (Windows paths need \\\\ or /)",
                            );
                            out.push_str("\\\\");
                            step!();
                        }
                    } else if ch == '"' {
                        out.push_str("\\\"");
                        step!();
                    } else {
                        out.push(step!());
                    }
                }
                if i < chars.len() && chars[i] == quote {
                    step!();
                }
                out.push('"');
            }
            '/' if chars.get(i + 1) == Some(&'/') => {
                note(&mut first, line, col, "a // comment (JSON has no comments)");
                while i < chars.len() && chars[i] != '\n' {
                    step!();
                }
            }
            '/' if chars.get(i + 1) == Some(&'*') => {
                note(
                    &mut first,
                    line,
                    col,
                    "a /* comment */ (JSON has no comments)",
                );
                step!();
                step!();
                while i < chars.len() && !(chars[i] == '*' && chars.get(i + 1) == Some(&'/')) {
                    step!();
                }
                if i < chars.len() {
                    step!();
                    step!();
                }
            }
            ',' => {
                // A comma followed (after blanks and comments) by } or ].
                let mut j = i + 1;
                loop {
                    while j < chars.len() && chars[j].is_whitespace() {
                        j += 1;
                    }
                    if chars.get(j) == Some(&'/') && chars.get(j + 1) == Some(&'/') {
                        while j < chars.len() && chars[j] != '\n' {
                            j += 1;
                        }
                        continue;
                    }
                    break;
                }
                if matches!(chars.get(j), Some('}' | ']')) {
                    note(&mut first, line, col, "a comma before a closing bracket");
                    step!();
                } else {
                    out.push(step!());
                }
            }
            _ => out.push(step!()),
        }
    }
    (out, first)
}

/// `line N: text` for each line that `repair` changed (compared line by
/// line; comment-only lines that vanished are shown as removed).
fn changed_lines(before: &str, after: &str) -> Vec<String> {
    let before = before.trim_start_matches('\u{feff}');
    let a: Vec<&str> = before.lines().collect();
    let b: Vec<&str> = after.trim_start_matches('\u{feff}').lines().collect();
    let mut out = Vec::new();
    for (i, old) in a.iter().enumerate() {
        let new = b.get(i).copied().unwrap_or("");
        if old.trim_end() != new.trim_end() {
            let shown = mask_secret(new.trim());
            if shown.is_empty() {
                out.push(format!("line {}: (remove the comment)", i + 1));
            } else {
                out.push(format!("line {}: {}", i + 1, shown));
            }
        }
    }
    if out.is_empty() && before.len() != after.len() {
        out.push("line 1: (save the file again as UTF-8 without BOM)".to_string());
    }
    out
}

/// A `"key": "value"` line with the value replaced when the key is a secret.
fn mask_secret(line: &str) -> String {
    let lower = line.to_ascii_lowercase();
    for k in SECRET_KEYS {
        if lower.starts_with(&format!("\"{k}\"")) {
            let end = if line.ends_with(',') { "," } else { "" };
            return format!("\"{k}\": \"***\"{end}");
        }
    }
    line.to_string()
}

/// The JSON type of a value, in words.
pub(crate) fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "whole number",
        Value::Number(_) => "decimal number",
        Value::String(_) => "string",
        Value::Array(_) => "list",
        Value::Object(_) => "object",
    }
}

/// What the server's `Config` struct holds at a key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Bool,
    Int,
    Str,
    Strings,
    Object,
    /// A list of objects (`log.filter.filters`).
    Objects,
}

impl Kind {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Kind::Bool => "boolean (true or false)",
            Kind::Int => "whole number",
            Kind::Str => "string",
            Kind::Strings => "list of strings",
            Kind::Object => "object",
            Kind::Objects => "list of objects",
        }
    }

    /// Whether json-iterator reads `v` into this kind (null always is).
    pub(crate) fn accepts(self, v: &Value) -> bool {
        match (self, v) {
            (_, Value::Null) => true,
            (Kind::Bool, Value::Bool(_)) => true,
            (Kind::Int, Value::Number(n)) => n.is_i64() || n.is_u64(),
            (Kind::Str, Value::String(_)) => true,
            (Kind::Strings, Value::Array(a)) => a.iter().all(|x| x.is_string() || x.is_null()),
            (Kind::Object, Value::Object(_)) => true,
            (Kind::Objects, Value::Array(a)) => a.iter().all(|x| x.is_object() || x.is_null()),
            _ => false,
        }
    }
}

/// Every key of `Config` in AList 3.x and OpenList 4.x (internal/conf/config.go),
/// with its kind. Sections are listed as objects, their keys as `section.key`.
pub(crate) const SCHEMA: &[(&str, Kind)] = &[
    ("force", Kind::Bool),
    ("site_url", Kind::Str),
    ("cdn", Kind::Str),
    ("jwt_secret", Kind::Str),
    ("token_expires_in", Kind::Int),
    ("database", Kind::Object),
    ("database.type", Kind::Str),
    ("database.host", Kind::Str),
    ("database.port", Kind::Int),
    ("database.user", Kind::Str),
    ("database.password", Kind::Str),
    ("database.name", Kind::Str),
    ("database.db_file", Kind::Str),
    ("database.table_prefix", Kind::Str),
    ("database.ssl_mode", Kind::Str),
    ("database.dsn", Kind::Str),
    ("meilisearch", Kind::Object),
    ("meilisearch.host", Kind::Str),
    ("meilisearch.api_key", Kind::Str),
    ("meilisearch.index_prefix", Kind::Str),
    ("meilisearch.index", Kind::Str),
    ("scheme", Kind::Object),
    ("scheme.address", Kind::Str),
    ("scheme.http_port", Kind::Int),
    ("scheme.https_port", Kind::Int),
    ("scheme.force_https", Kind::Bool),
    ("scheme.cert_file", Kind::Str),
    ("scheme.key_file", Kind::Str),
    ("scheme.unix_file", Kind::Str),
    ("scheme.unix_file_perm", Kind::Str),
    ("scheme.enable_h2c", Kind::Bool),
    ("scheme.enable_h3", Kind::Bool),
    ("temp_dir", Kind::Str),
    ("bleve_dir", Kind::Str),
    ("dist_dir", Kind::Str),
    ("log", Kind::Object),
    ("log.enable", Kind::Bool),
    ("log.name", Kind::Str),
    ("log.max_size", Kind::Int),
    ("log.max_backups", Kind::Int),
    ("log.max_age", Kind::Int),
    ("log.compress", Kind::Bool),
    ("log.filter", Kind::Object),
    ("log.filter.enable", Kind::Bool),
    ("log.filter.filters", Kind::Objects),
    ("delayed_start", Kind::Int),
    ("auto_memory_limit", Kind::Int),
    ("min_free_memory", Kind::Int),
    ("max_block_limit", Kind::Int),
    ("max_connections", Kind::Int),
    ("max_concurrency", Kind::Int),
    ("tls_insecure_skip_verify", Kind::Bool),
    ("tasks", Kind::Object),
    ("tasks.allow_retry_canceled", Kind::Bool),
    ("cors", Kind::Object),
    ("cors.allow_origins", Kind::Strings),
    ("cors.allow_methods", Kind::Strings),
    ("cors.allow_headers", Kind::Strings),
    ("s3", Kind::Object),
    ("s3.enable", Kind::Bool),
    ("s3.port", Kind::Int),
    ("s3.ssl", Kind::Bool),
    ("ftp", Kind::Object),
    ("ftp.enable", Kind::Bool),
    ("ftp.listen", Kind::Str),
    ("ftp.find_pasv_port_attempts", Kind::Int),
    ("ftp.active_transfer_port_non_20", Kind::Bool),
    ("ftp.idle_timeout", Kind::Int),
    ("ftp.connection_timeout", Kind::Int),
    ("ftp.disable_active_mode", Kind::Bool),
    ("ftp.default_transfer_binary", Kind::Bool),
    ("ftp.enable_active_conn_ip_check", Kind::Bool),
    ("ftp.enable_pasv_conn_ip_check", Kind::Bool),
    ("sftp", Kind::Object),
    ("sftp.enable", Kind::Bool),
    ("sftp.listen", Kind::Str),
    ("mcp", Kind::Object),
    ("mcp.enable", Kind::Bool),
    ("mcp.port", Kind::Int),
    ("last_launched_version", Kind::Str),
    ("proxy_address", Kind::Str),
];

/// Task sections (`tasks.<name>`) and their keys.
pub(crate) const TASK_KEYS: &[(&str, Kind)] = &[
    ("workers", Kind::Int),
    ("max_retry", Kind::Int),
    ("task_persistant", Kind::Bool),
];

/// The kind the server expects at a dotted, lower-case key path.
pub(crate) fn kind_of(path: &str) -> Option<Kind> {
    if let Some(k) = SCHEMA.iter().find(|(p, _)| *p == path) {
        return Some(k.1);
    }
    let parts: Vec<&str> = path.split('.').collect();
    match parts.as_slice() {
        ["tasks", _] => Some(Kind::Object),
        ["tasks", _, key] => TASK_KEYS.iter().find(|(k, _)| k == key).map(|k| k.1),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(text: &str) -> ConfigFile {
        ConfigFile::parse(Path::new("config.json"), text)
    }

    #[test]
    fn valid_json_is_read_case_insensitively() {
        let c = cfg(r#"{"SITE_URL": "https://a.example.com", "scheme": {"Http_Port": 5244}}"#);
        assert!(c.syntax.is_none());
        assert_eq!(c.str(&["site_url"]), Some("https://a.example.com"));
        assert_eq!(c.int(&["scheme", "http_port"]), Some(5244));
    }

    #[test]
    fn common_mistakes_are_located_and_corrected() {
        let text =
            "{\n  // my site\n  \"temp_dir\": \"D:\\alist\\temp\",\n  \"force\": false,\n}\n";
        let c = cfg(text);
        let s = c.syntax.clone().expect("invalid");
        assert_eq!((s.line, s.column), (2, 3));
        assert!(s.problem.contains("comment"), "{}", s.problem);
        let fixed = s.corrected.expect("repaired");
        assert!(
            fixed.contains(&r#"line 3: "temp_dir": "D:\\alist\\temp","#.to_string()),
            "{fixed:?}"
        );
        assert_eq!(c.str(&["temp_dir"]), Some(r"D:\alist\temp"));
        assert_eq!(c.bool(&["force"]), Some(false));
    }

    #[test]
    fn bom_and_single_quotes() {
        let c = cfg("\u{feff}{\"force\": false}");
        assert!(
            c.syntax
                .as_ref()
                .expect("bom")
                .problem
                .contains("byte-order")
        );
        assert_eq!(c.bool(&["force"]), Some(false));
        let c = cfg("{'site_url': 'https://x.example.com'}");
        assert_eq!(c.str(&["site_url"]), Some("https://x.example.com"));
    }

    #[test]
    fn secrets_never_appear_in_corrections() {
        let c = cfg("{\n\"jwt_secret\": \"CANARYjwt\", // x\n\"force\": true\n}");
        let fixed = c.syntax.expect("invalid").corrected.expect("fixed");
        assert!(fixed.iter().all(|l| !l.contains("CANARY")), "{fixed:?}");
    }

    #[test]
    fn kinds() {
        assert_eq!(kind_of("scheme.http_port"), Some(Kind::Int));
        assert_eq!(kind_of("tasks.copy.workers"), Some(Kind::Int));
        assert!(!Kind::Int.accepts(&serde_json::json!("5244")));
        assert!(!Kind::Bool.accepts(&serde_json::json!(1)));
        assert!(Kind::Int.accepts(&serde_json::json!(5244)));
    }
}
