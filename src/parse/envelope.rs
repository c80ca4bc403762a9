//! Peels the envelopes around one physical log line: the prefixes other
//! programs add (docker, compose, journald, OpenWrt) and the line formats AList
//! and OpenList write (logrus text / key=value / JSON, Go std-log, gin).
#![warn(clippy::string_slice)]

use once_cell::sync::Lazy;
use regex::Regex;

use crate::parse::normalize::strip_ansi;

/// Severity of a log line as the server wrote it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum Level {
    Debug,
    Info,
    Warn,
    Error,
    Fatal,
    Panic,
}

impl Level {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Level::Debug => "debug",
            Level::Info => "info",
            Level::Warn => "warning",
            Level::Error => "error",
            Level::Fatal => "fatal",
            Level::Panic => "panic",
        }
    }

    /// Error-or-worse lines are reported as unknown when nothing explains them.
    pub(crate) fn is_error(self) -> bool {
        self >= Level::Error
    }

    fn from_word(w: &str) -> Option<Level> {
        // Lower-cased on the stack: this runs on every warning and error.
        let mut buf = [0u8; 7];
        let word = buf.get_mut(..w.len())?;
        word.copy_from_slice(w.as_bytes());
        word.make_ascii_lowercase();
        Some(match &*word {
            b"debu" | b"debug" | b"trac" | b"trace" => Level::Debug,
            b"info" => Level::Info,
            b"warn" | b"warning" => Level::Warn,
            b"erro" | b"error" | b"err" => Level::Error,
            b"fata" | b"fatal" => Level::Fatal,
            b"pani" | b"panic" => Level::Panic,
            _ => return None,
        })
    }
}

/// What kind of line this is, once the envelopes are off.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum LineKind {
    /// A logrus entry (text, key=value or JSON form) or a Go std-log line.
    LogEntry,
    /// A gin access line.
    Access,
    /// `[Recovery] … panic recovered:` header of a gin panic block.
    Recovery,
    /// `panic: …` / `fatal error: …` from the Go runtime.
    Panic,
    /// A stack frame or goroutine header: never a finding on its own.
    Frame,
    /// An empty line.
    Blank,
    /// Text without any recognised envelope.
    Plain,
}

/// One physical line, understood.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Line {
    pub kind: LineKind,
    pub level: Option<Level>,
    /// Timestamp as written by the innermost envelope that has one, in the
    /// sortable form `YYYY-MM-DD HH:MM:SS` where it can be converted.
    pub timestamp: Option<String>,
    /// The message with envelopes, colours and padding removed.
    pub message: String,
    /// Who printed it, as far as the line tells.
    pub origin: Origin,
    /// It starts with a space or a tab: a continuation of the line before.
    pub indented: bool,
}

/// Who printed a line.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) enum Origin {
    /// Nothing says (a bare message).
    #[default]
    Unknown,
    /// A carrier names AList, OpenList or a distribution of them.
    Server,
    /// Another program: a carrier names another process (`rclone[12]:`),
    /// or the head is not AList's (Python, Java, rclone, logfmt with
    /// `ts=`…). Generic entries do not explain such lines.
    Other,
}

use crate::static_regex as re;

// Prefixes added by the programs that carry the log.
re!(COMPOSE, r"^(?P<p>[A-Za-z0-9][A-Za-z0-9_.-]*)(?-u:\s)+\| ");
re!(
    DOCKER_TS,
    r"^([0-9]{4}-[0-9][0-9]-[0-9][0-9])T([0-9][0-9]:[0-9][0-9]:[0-9][0-9])(?:[.,][0-9]+)?(?:Z|[+-][0-9][0-9]:?[0-9][0-9])? "
);
re!(
    JOURNALD,
    r"^(?:[A-Z][a-z]{2}|[0-9]{1,2}月) {1,2}[0-9]{1,2} [0-9][0-9]:[0-9][0-9]:[0-9][0-9] [^\t\n\x0B\x0C\r ]+ (?P<p>[^\t\n\x0B\x0C\r \[:]+)(?:\[[0-9]+\])?: "
);
re!(
    JOURNALD_ISO,
    r"^[0-9]{4}-[0-9][0-9]-[0-9][0-9]T[0-9:.,]+(?:Z|[+-][0-9][0-9]:?[0-9][0-9])? [^\t\n\x0B\x0C\r ]+ (?P<p>[^\t\n\x0B\x0C\r \[:]+)(?:\[[0-9]+\])?: "
);
re!(
    LOGREAD,
    r"^[A-Z][a-z]{2} [A-Z][a-z]{2} {1,2}[0-9]{1,2} [0-9][0-9]:[0-9][0-9]:[0-9][0-9] [0-9]{4} [a-z0-9]+\.[a-z]+ (?P<p>[^\t\n\x0B\x0C\r \[:]+)(?:\[[0-9]+\])?: "
);

// OpenList-Desktop's console: `[09:26:51] [INFO] [openlist] `.
re!(
    DESKTOP,
    r"^\[(?:[0-9][0-9]:[0-9][0-9]:[0-9][0-9]|N/A)\] \[[A-Z]+\] \[(?P<p>[A-Za-z0-9_-]+)\] "
);

// Prefixes a paste brings: `grep -n`/`grep -H` (`log.log:12:`), an editor's
// or a viewer's line numbers (`12|`, `  12 | `, `行 12:`, `第12行：`).
re!(
    LINE_PREFIX,
    r"^(?:[^\t\n\x0B\x0C\r :]*\.(?:log|txt|out|err)(?:\.[0-9]+)?(?:\.gz)?(?:[:-][0-9]+)?[:-]|(?-u:\s)*[0-9]{1,7}(?-u:\s)*[:|](?-u:\s)?|行(?-u:\s)*[0-9]+(?-u:\s)*[:：](?-u:\s)*|第(?-u:\s)*[0-9]+(?-u:\s)*行(?-u:\s)*[:：]?(?-u:\s)*)"
);

// Heads of other programs' lines (see `foreign_head`).
re!(
    FOREIGN_HEAD,
    r#"^(?:Traceback \(most recent call last\):|Error response from daemon: |node:[0-9A-Za-z_/]+:[0-9]+$|(?:CRITICAL|ERROR|WARNING|INFO|DEBUG):[0-9A-Za-z_.]+:|(?:[a-z_][a-z0-9_]*\.)+[A-Z][A-Za-z0-9]*(?:Error|Exception|Warning)(?-u:\b)|(?:ValueError|KeyError|TypeError|RuntimeError|OSError|ConnectionError|PermissionError|FileNotFoundError|TimeoutError|AttributeError|ImportError|ModuleNotFoundError|IndexError): |[0-9]{4}-[0-9][0-9]-[0-9][0-9] [0-9:]+,[0-9]{3} - |Exception in thread |Caused by: |[0-9]{4}-[0-9][0-9]-[0-9][0-9][ T][0-9:.]+(?-u:\s)+(?:ERROR|WARN|INFO|DEBUG)(?-u:\s)+[0-9]+ --- \[|\[[0-9]{4}-[0-9][0-9]-[0-9][0-9]T[0-9:.]+Z? +(?:ERROR|WARN|INFO|DEBUG|TRACE) +[0-9A-Za-z_:-]+\]|thread '[^']*' panicked at |[0-9]{4}-[0-9][0-9]-[0-9][0-9] [0-9:]+(?:\.[0-9]+)? (?:ERROR|WARNING|INFO|DEBUG|CRITICAL) \([0-9A-Za-z_-]+\) \[|\[[A-Z0-9]{5}\] [0-9]{4}/[0-9][0-9]/[0-9][0-9] [0-9:.]+ (?:INFO|WARNING|VERBOSE|DEBUG|OK|FATAL): |\([NIWC]\) [0-9]{4}-[0-9][0-9]-[0-9][0-9]T[0-9:]+ - |curl: \([0-9]+\)|fatal: |PHP (?:Fatal error|Warning|Notice|Parse error):|Error: listen EADDRINUSE|node:internal|(?:ts|t|level)=[^\t\n\x0B\x0C\r ]+ )"#
);

// Stack lines of other languages: Java and Node (`    at x.y(…)`,
// `    at f (/app/x.js:27:25)`), Python (`  File "x.py", line 3`). They
// belong to the event before them and show whose it is.
re!(
    FOREIGN_FRAME,
    r#"^(?-u:\s)+(?:at [0-9A-Za-z_$.<>\[\] ]+\(.*\)$|at [^\t\n\x0B\x0C\r ]+:[0-9]+:[0-9]+$|File "[^"]+", line [0-9]+)"#
);

// `2024/05/01 12:00:00 ERROR : path: …` (rclone) and `… [error] 12#12:`
// (nginx): std-log dates that are not AList's.
re!(
    FOREIGN_STDLOG,
    r"^(?:(?:ERROR|NOTICE|INFO|DEBUG|CRITICAL|WARNING) ?: |\[(?:error|warn|notice|crit|alert|emerg|info|debug)\] [0-9]+#[0-9]+: )"
);

/// Whether a program name a carrier gives is AList's (the binary, a
/// service or container named after it, or a distribution of it).
fn alist_program(p: &str) -> bool {
    let p = p.to_ascii_lowercase();
    ["alist", "openlist", "xiaoya"]
        .iter()
        .any(|n| p.contains(n))
}

/// A line head that another program prints (`FOREIGN_HEAD`); cheap byte
/// tests rule most lines out before the regex.
fn foreign_head(t: &str) -> bool {
    let Some(&first) = t.as_bytes().first() else {
        return false;
    };
    let maybe = first.is_ascii_alphanumeric() || matches!(first, b' ' | b'\t' | b'[' | b'(');
    maybe && FOREIGN_HEAD.is_match(t)
}

/// A JSON log line of another program: a level and a `message` (logrus
/// writes `msg`), and no `code` (AList's API answers are `code`, `message`,
/// `data`): Nextcloud, winston and the like.
fn other_json_log(t: &str) -> bool {
    if !t.starts_with('{') {
        return false;
    }
    let Ok(serde_json::Value::Object(o)) = serde_json::from_str::<serde_json::Value>(t) else {
        return false;
    };
    (o.contains_key("level") || o.contains_key("severity"))
        && o.contains_key("message")
        && !o.contains_key("msg")
        && !o.contains_key("code")
}

/// Lines a paste brings that are not text of the log: Markdown fences and
/// the `<details>` blocks issue templates wrap logs in.
fn wrapper_line(t: &str) -> bool {
    let t = t.trim();
    t.starts_with("```")
        || t.starts_with("~~~")
        || matches!(
            t.to_ascii_lowercase().as_str(),
            "<details>" | "</details>" | "<pre>" | "</pre>" | "<code>" | "</code>"
        )
        || (t.starts_with("<summary>") && t.ends_with("</summary>"))
        || (t.starts_with("<details>") && t.ends_with("</summary>"))
}

/// Whether `t` starts like a line the server (or a carrier of it) prints:
/// what a line prefix must be followed by to be taken off.
fn server_head(t: &str) -> bool {
    let b = t.as_bytes();
    level_head(b)
        || after_colour(b).is_some()
        || t.starts_with("time=\"")
        || t.starts_with("[GIN")
        || t.starts_with('{')
        || t.starts_with("panic: ")
        || t.starts_with("goroutine ")
        || (b.len() > 10 && b[..4].iter().all(u8::is_ascii_digit) && b[4] == b'/')
        || (b.len() > 4
            && b[0].is_ascii_uppercase()
            && b[1..3].iter().all(u8::is_ascii_lowercase)
            && b[3] == b' ')
}

/// Takes off what a paste wraps lines in: Markdown quote markers (`> `,
/// `> > `), and a grep or editor line prefix when a server head follows.
fn unwrap_paste(text: &str) -> &str {
    let mut t = text;
    while let Some(rest) = t.strip_prefix('>') {
        t = rest.strip_prefix(' ').unwrap_or(rest);
    }
    if t.as_bytes()
        .first()
        .is_some_and(|c| !c.is_ascii_uppercase() && *c != b'{' && *c != b'[')
        && let Some(m) = LINE_PREFIX.find(t)
        && m.end() > 0
    {
        // boundary: the end of a regex match on `t`.
        #[allow(clippy::string_slice)]
        let rest = &t[m.end()..];
        if server_head(rest) {
            return rest;
        }
    }
    t
}

// Line formats of the server itself.
re!(
    LOGFMT,
    r#"^time="([^"]*)" level=([0-9A-Za-z_]+) msg=("(?:[^"\\]|\\.)*"|[^\t\n\x0B\x0C\r ]*)"#
);
// The wrapped error of logrus's `WithError` (`error=`), or a field of
// that name (`err=`), after the message.
re!(LOGFMT_ERROR, r#"\s(?:error|err)=("(?:[^"\\]|\\.)*"|\S+)"#);
re!(
    GIN,
    r"^\[GIN\] ([0-9]{4})/([0-9][0-9])/([0-9][0-9]) - ([0-9][0-9]:[0-9][0-9]:[0-9][0-9]) \|(?-u:\s)*[0-9]{3}(?-u:\s)*\|"
);
re!(
    RECOVERY,
    r"^(?:([0-9]{4})/([0-9][0-9])/([0-9][0-9]) ([0-9][0-9]:[0-9][0-9]:[0-9][0-9]) )?\[Recovery\] .*?panic recovered:?(?-u:\s)*(.*)$"
);
re!(
    STDLOG,
    r"^([0-9]{4})/([0-9][0-9])/([0-9][0-9]) ([0-9][0-9]:[0-9][0-9]:[0-9][0-9])(?:\.[0-9]+)? (.*)$"
);
re!(STDLOG_LEVEL, r"^(ERROR|WARN|INFO|DEBUG)(?-u:\s)+(.*)$");
// Stack frames: goroutine headers, `\t/file.go:12 +0x1f`, gin's
// `/file.go:12 (0x4a)`, function lines like `github.com/x/y.(*T).F(0x1, ...)`
// or `runtime.goexit`, and the `[signal …]` line of a crash.
re!(
    FRAME,
    r"^(?:goroutine [0-9]+ \[|created by |\[signal |\t[^\t\n\x0B\x0C\r ]+\.(?:go|s):[0-9]+|[^\t\n\x0B\x0C\r ]+\.(?:go|s):[0-9]+(?: \+0x[0-9a-f]+| \(0x[0-9a-f]+\))|[0-9A-Za-z_.\-]+(?:/[0-9A-Za-z_.\-]+)*\.[0-9A-Za-z_.\[\]()*{}\-]+(?:\(.*\))?$|\t[0-9A-Za-z_.()*\[\]]+: )"
);

/// Understands one physical line (without its line terminator).
pub(crate) fn parse_line(raw: &str) -> Line {
    parse_with(raw, true)
}

/// `parse_line`; `coloured` takes the shortcut of `coloured_entry`
/// (the tests compare it with the way round).
fn parse_with(raw: &str, coloured: bool) -> Line {
    let mut outer_ts: Option<String> = None;
    // A NUL before a line (a log written by several processes at once)
    // is not part of it: the head after it is still recognised.
    let mut text: std::borrow::Cow<'_, str> =
        std::borrow::Cow::Borrowed(raw.trim_end_matches(['\r', '\n']).trim_start_matches('\0'));
    // A colour code written out in letters (`ESC[31m`, `\e[31m`, `^[[31m`)
    // is the escape byte, so the head is recognised as such. (JSON lines
    // carry theirs as `\u001b`, decoded with the JSON.)
    if !text.starts_with('{')
        && let std::borrow::Cow::Owned(o) = crate::parse::normalize::written_escapes(&text)
    {
        text = std::borrow::Cow::Owned(o);
    }

    // Quote markers and line numbers of a paste.
    if matches!(
        text.as_bytes().first(),
        Some(b'>' | b' ' | b'\t' | b'0'..=b'9' | 0x80..)
    ) || text.contains(".log")
        || text.contains(".txt")
    {
        let unwrapped = unwrap_paste(&text);
        if unwrapped.len() != text.len() {
            text = std::borrow::Cow::Owned(unwrapped.to_string());
        }
    }
    if wrapper_line(&text) {
        return Line {
            kind: LineKind::Blank,
            level: None,
            timestamp: None,
            message: String::new(),
            origin: Origin::Unknown,
            indented: false,
        };
    }
    // docker's json-file lines carry the real line in "log".
    if text.starts_with("{\"log\":")
        && let Some((log, time)) = docker_json(&text)
    {
        outer_ts = time;
        text = std::borrow::Cow::Owned(log);
    }
    // The program a carrier names, the innermost one that names one.
    let mut program: Option<String> = None;
    // Whether that carrier is docker compose, whose service names are the
    // user's own (an AList head under any name is AList's).
    let mut compose = false;
    // Carriers' prefixes, outermost first; at most a few layers.
    // Every carrier starts with a letter or digit; cheap byte tests decide
    // which of their regexes can possibly match before any runs.
    for _ in 0..4 {
        let b = text.as_bytes();
        let Some(&first) = b.first() else { break };
        if !first.is_ascii_alphanumeric() || level_head(b) {
            break;
        }
        let iso = first.is_ascii_digit() && b.get(10) == Some(&b'T');
        if iso && let Some(m) = DOCKER_TS.captures(&text) {
            outer_ts = crate::parse::time::sortable(&format!("{} {}", &m[1], &m[2]));
            let end = m.get(0).map_or(0, |m| m.end());
            // boundary: the end of a regex match on `text`.
            #[allow(clippy::string_slice)]
            let rest = text[end..].to_string();
            text = std::borrow::Cow::Owned(rest);
            continue;
        }
        let colon = memchr::memmem::find(b, b": ").is_some();
        let candidates: [(&Lazy<Regex>, bool); 4] = [
            (&COMPOSE, memchr::memchr(b'|', b).is_some()),
            (
                &JOURNALD,
                colon && (first.is_ascii_uppercase() || first.is_ascii_digit()),
            ),
            (&JOURNALD_ISO, colon && iso),
            (&LOGREAD, colon && first.is_ascii_uppercase()),
        ];
        let found = candidates
            .iter()
            .enumerate()
            .filter(|(_, (_, possible))| *possible)
            .find_map(|(i, (re, _))| re.captures(&text).map(|c| (i, c)));
        match found {
            Some((i, c)) => {
                let end = c.get(0).map_or(0, |m| m.end());
                program = c.name("p").map(|p| p.as_str().to_string());
                compose = i == 0;
                // boundary: the end of a regex match on `text`.
                #[allow(clippy::string_slice)]
                let rest = text[end..].to_string();
                text = std::borrow::Cow::Owned(rest);
            }
            None => break,
        }
    }

    // OpenList-Desktop's console prefix names the process it relays.
    if text.starts_with('[')
        && let Some(c) = DESKTOP.captures(&text)
    {
        let end = c.get(0).map_or(0, |m| m.end());
        program = c.name("p").map(|p| p.as_str().to_string());
        compose = false;
        // boundary: the end of a regex match on `text`.
        #[allow(clippy::string_slice)]
        let rest = text[end..].to_string();
        text = std::borrow::Cow::Owned(rest);
    }
    // Who printed it, by its carrier (a compose service name counts as
    // another program's only when no server head follows, see `compose`).
    let carrier = match program.as_deref() {
        Some(p) if alist_program(p) => Origin::Server,
        Some(_) if !(compose && server_head(&text)) => Origin::Other,
        _ => Origin::Unknown,
    };

    if coloured && let Some(line) = coloured_entry(&text) {
        return Line {
            origin: carrier,
            ..line
        };
    }
    let clean = strip_ansi(&text);
    let trimmed = clean.trim_end();
    let indented = text.starts_with([' ', '\t']);
    let line = |kind, level, ts: Option<String>, msg: &str| Line {
        kind,
        level,
        timestamp: ts.or_else(|| outer_ts.clone()),
        message: msg.trim().to_string(),
        origin: carrier,
        indented,
    };

    if trimmed.trim().is_empty() {
        return line(LineKind::Blank, None, None, "");
    }
    let tb = trimmed.as_bytes();
    if level_head(tb)
        && let Some((ts, end)) = logrus_head(trimmed)
    {
        // boundary: `level_head` checked bytes 0..4 are ASCII; `end` is
        // just after an ASCII `]`, `)` or space (`after_level`).
        #[allow(clippy::string_slice)]
        return line(
            LineKind::LogEntry,
            Level::from_word(&trimmed[..4]),
            crate::parse::time::sortable(ts),
            &trimmed[end..],
        );
    }
    if trimmed.starts_with("time=\"")
        && let Some(c) = LOGFMT.captures(trimmed)
    {
        let mut msg = go_unquote(&c[3]);
        // As in the JSON form: the error is part of the message.
        let end = c.get(0).map_or(0, |m| m.end());
        // boundary: the end of a regex match on `trimmed`.
        #[allow(clippy::string_slice)]
        if let Some(e) = LOGFMT_ERROR.captures(&trimmed[end..]) {
            msg.push_str(": ");
            msg.push_str(&go_unquote(&e[1]));
        }
        return line(
            LineKind::LogEntry,
            Level::from_word(&c[2]),
            crate::parse::time::sortable(&c[1]),
            &msg,
        );
    }
    if trimmed.starts_with('{')
        && let Some(l) = logrus_json(trimmed)
    {
        return Line {
            timestamp: l.timestamp.or(outer_ts),
            origin: if carrier == Origin::Unknown {
                l.origin
            } else {
                carrier
            },
            ..l
        };
    }
    if trimmed.starts_with("[GIN] ")
        && let Some(c) = GIN.captures(trimmed)
    {
        let ts = crate::parse::time::sortable(&format!("{}-{}-{} {}", &c[1], &c[2], &c[3], &c[4]));
        return line(LineKind::Access, None, ts, trimmed);
    }
    if trimmed.starts_with("[GIN-debug]") {
        return line(LineKind::LogEntry, Some(Level::Debug), None, trimmed);
    }
    if memchr::memmem::find(tb, b"[Recovery]").is_some()
        && let Some(c) = RECOVERY.captures(trimmed)
    {
        let ts = c.get(1).and_then(|_| {
            crate::parse::time::sortable(&format!("{}-{}-{} {}", &c[1], &c[2], &c[3], &c[4]))
        });
        return line(LineKind::Recovery, Some(Level::Error), ts, &c[5]);
    }
    if tb.first().is_some_and(u8::is_ascii_digit)
        && tb.get(4) == Some(&b'/')
        && let Some(c) = STDLOG.captures(trimmed)
    {
        let ts = crate::parse::time::sortable(&format!("{}-{}-{} {}", &c[1], &c[2], &c[3], &c[4]));
        let rest = &c[5];
        if FOREIGN_STDLOG.is_match(rest) {
            return Line {
                origin: if carrier == Origin::Server {
                    carrier
                } else {
                    Origin::Other
                },
                ..line(LineKind::Plain, None, ts, trimmed)
            };
        }
        if let Some(l) = STDLOG_LEVEL.captures(rest) {
            return line(LineKind::LogEntry, Level::from_word(&l[1]), ts, &l[2]);
        }
        return line(LineKind::LogEntry, None, ts, rest);
    }
    if trimmed.starts_with("panic: ") || trimmed.starts_with("fatal error: ") {
        return line(LineKind::Panic, Some(Level::Panic), None, trimmed);
    }
    if maybe_frame(tb) && FRAME.is_match(trimmed) {
        return line(LineKind::Frame, None, None, trimmed);
    }
    if matches!(tb.first(), Some(b' ' | b'\t')) && FOREIGN_FRAME.is_match(trimmed) {
        return Line {
            origin: Origin::Other,
            ..line(LineKind::Frame, None, None, trimmed)
        };
    }
    Line {
        origin: match carrier {
            Origin::Unknown if foreign_head(trimmed) || other_json_log(trimmed) => Origin::Other,
            _ => carrier,
        },
        ..line(LineKind::Plain, None, None, trimmed)
    }
}

/// The logrus text head after the level word: `[timestamp]`, then with
/// `ReportCaller` a `file.go:12 pkg.Func()` pair, then one space. Returns
/// the timestamp and where the message starts. By hand rather than a
/// regex with captures: it runs on every warning and error line.
fn logrus_head(s: &str) -> Option<(&str, usize)> {
    let (ts, end) = after_level(s.get(4..)?)?;
    Some((ts, 4 + end))
}

/// `logrus_head` from the `[` after the level word.
// boundary: `close` is an ASCII `]` found in `s`, and `end` moves on only
// over `caller_at`'s token (ending before ASCII whitespace) and one space.
#[allow(clippy::string_slice)]
fn after_level(s: &str) -> Option<(&str, usize)> {
    let close = 1 + s.get(1..)?.find(']')?;
    let ts = &s[1..close];
    let mut end = close + 1;
    if let Some(caller_end) = caller_at(&s[end..]) {
        end += caller_end;
    }
    if s[end..].starts_with(' ') {
        end += 1;
    }
    Some((ts, end))
}

/// A logrus line with its level word coloured (`ESC[31mERRO ESC[0m[…]`,
/// how a terminal-bound AList prints every warning and error), read as
/// `parse_line` reads it once the colour codes are off, without copying
/// the line to take them off. `None` for any other line.
fn coloured_entry(text: &str) -> Option<Line> {
    let rest = after_colour(text.as_bytes())?;
    let word = rest.get(..4)?;
    if !level_word(word) {
        return None;
    }
    let reset = &rest[4..];
    let tail = reset
        .strip_prefix(b"\x1b")
        .unwrap_or(reset)
        .strip_prefix(b"[0m")?;
    // boundary: everything before `tail` is ASCII.
    #[allow(clippy::string_slice)]
    let clean = strip_ansi(&text[text.len() - tail.len()..]);
    let trimmed = clean.trim_end();
    if !trimmed.starts_with('[') {
        return None;
    }
    let (ts, end) = after_level(trimmed)?;
    // boundary: `end` comes from `after_level` (see there).
    #[allow(clippy::string_slice)]
    Some(Line {
        kind: LineKind::LogEntry,
        level: Level::from_word(std::str::from_utf8(word).ok()?),
        timestamp: crate::parse::time::sortable(ts),
        message: trimmed[end..].trim().to_string(),
        origin: Origin::Unknown,
        indented: false,
    })
}

/// `source/file.go:123 pkg.(*T).Method()` at the start of `s`: the end of
/// it, if it is there.
// boundary: every index is 0, a token end found by `find` (before a
// whitespace character) or such an end + 1 (after an ASCII space), or
// just after an ASCII `.go:` found by `rfind`.
#[allow(clippy::string_slice)]
fn caller_at(s: &str) -> Option<usize> {
    let token = |from: usize| {
        s[from..]
            .find(char::is_whitespace)
            .map_or(s.len(), |i| from + i)
    };
    // A file token: something, `.go:`, digits, then exactly one space.
    let file_end = token(0);
    let go = s[..file_end].rfind(".go:").filter(|&i| i > 0)?;
    let line_no = &s[go + 4..file_end];
    if line_no.is_empty() || !line_no.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    if !s[file_end..].starts_with(' ') {
        return None;
    }
    // A function token: something, then `()`; the match ends at its last `()`.
    let func_start = file_end + 1;
    let func_end = token(func_start);
    let paren = s[func_start..func_end].rfind("()").filter(|&i| i > 0)?;
    Some(func_start + paren + 2)
}

/// `INFO[` … `TRAC[`: a logrus level word right at the start.
fn level_head(b: &[u8]) -> bool {
    b.get(4) == Some(&b'[') && level_word(&b[..4])
}

fn level_word(w: &[u8]) -> bool {
    matches!(
        w,
        b"INFO" | b"WARN" | b"ERRO" | b"FATA" | b"PANI" | b"DEBU" | b"TRAC"
    )
}

/// Byte tests that every line the FRAME regex accepts passes.
fn maybe_frame(b: &[u8]) -> bool {
    b.starts_with(b"goroutine ")
        || b.starts_with(b"created by ")
        || b.starts_with(b"[signal ")
        || b.first() == Some(&b'\t')
        || memchr::memmem::find(b, b".go:").is_some()
        || memchr::memmem::find(b, b".s:").is_some()
        // A function line: no space before its argument list.
        || (memchr::memchr(b'.', b).is_some() && {
            let head = memchr::memchr(b'(', b).map_or(b, |i| &b[..i]);
            memchr::memchr(b' ', head).is_none()
        })
}

/// The two line shapes that make up most of a busy log, recognised from a
/// few bytes without any regex: gin access lines and INFO/DEBUG/TRACE
/// logrus heads. Returns `None` for everything else (then `parse_line`
/// decides). Never disagrees with `parse_line` on kind or level; the
/// timestamp and message of these lines are not needed and are left empty.
pub(crate) fn quick_line(b: &[u8]) -> Option<Line> {
    if let Some(frame) = quick_frame(b) {
        return Some(frame);
    }
    let routine = |level| {
        Some(Line {
            kind: LineKind::LogEntry,
            level: Some(level),
            timestamp: None,
            message: String::new(),
            origin: Origin::Unknown,
            indented: false,
        })
    };
    if let Some(rest) = b.strip_prefix(b"[GIN] ") {
        return gin_head(rest).then_some(Line {
            kind: LineKind::Access,
            level: None,
            timestamp: None,
            message: String::new(),
            origin: Origin::Unknown,
            indented: false,
        });
    }
    // The level word, after an optional colour code with or without ESC.
    let (rest, coloured) = after_colour(b).map_or((b, false), |r| (r, true));
    let level = match rest.get(..4)? {
        b"INFO" => Level::Info,
        b"DEBU" | b"TRAC" => Level::Debug,
        _ => return None,
    };
    let rest = &rest[4..];
    let rest = if coloured {
        let r = rest.strip_prefix(b"\x1b").unwrap_or(rest);
        r.strip_prefix(b"[0m")?
    } else {
        rest
    };
    // `[timestamp]`: the closing bracket must exist, as the regex requires.
    let ts = rest.strip_prefix(b"[")?;
    if memchr::memchr(b']', ts).is_some() && !ts.contains(&0x1b) {
        routine(level)
    } else {
        None
    }
}

/// The two stack-frame shapes of a `%+v` dump, recognised without the
/// FRAME regex: `\t/path/file.go:12` and `github.com/x/pkg.Func(…)`. Only
/// plain ASCII lines without anything another branch of `parse_line` could
/// claim (`[`, `|`, `: `, a leading digit or capital): for those the shape
/// test is a sufficient condition for the regex, so both always agree.
fn quick_frame(b: &[u8]) -> Option<Line> {
    let first = *b.first()?;
    if !(first == b'\t' || first.is_ascii_lowercase())
        || !b.is_ascii()
        || memchr::memchr3(b'[', b'|', b'\r', b).is_some()
        || memchr::memchr_iter(b':', b).any(|i| b.get(i + 1) == Some(&b' '))
    {
        return None;
    }
    let frame = if first == b'\t' {
        tab_frame(&b[1..])
    } else {
        function_frame(b)
    };
    frame.then(|| frame_line(b, true))
}

/// The line `quick_frame` makes of a frame it recognised, with its text
/// or without.
fn frame_line(b: &[u8], text: bool) -> Line {
    Line {
        kind: LineKind::Frame,
        level: None,
        timestamp: None,
        // ASCII, checked by `quick_frame`: valid UTF-8.
        message: match text {
            true => std::str::from_utf8(b.trim_ascii())
                .map(str::to_owned)
                .unwrap_or_default(),
            false => String::new(),
        },
        origin: Origin::Unknown,
        indented: false,
    }
}

/// Stack-frame lines `quick_line` recognised before, by their bytes: a log
/// repeats the same traces (one per failing code path), and telling a
/// frame from a wrapped message byte by byte costs ~1k instructions a
/// line, a lookup a tenth of that. Lines are remembered from their second
/// sighting on; the table is emptied when full.
pub(crate) struct KnownFrames {
    known: crate::matching::memo::Memo<Vec<u8>, ()>,
}

impl Default for KnownFrames {
    fn default() -> Self {
        KnownFrames {
            known: crate::matching::memo::Memo::new(KNOWN_FRAMES, KNOWN_FRAME_LEN),
        }
    }
}

/// Frame lines remembered per thread (~100 bytes each)…
const KNOWN_FRAMES: usize = 1024;

/// …and the longest one remembered, which bounds the table.
const KNOWN_FRAME_LEN: usize = 512;

impl KnownFrames {
    /// `quick_line(b)`, answered from memory for a known frame; without
    /// `text`, a known frame's message is left empty (the frames of most
    /// events are only counted, see `EventBuilder::frame_text_needed`).
    pub(crate) fn quick_line(&mut self, b: &[u8], text: bool) -> Option<Line> {
        // Only lines that can be frames are looked up (see `quick_frame`).
        if !b
            .first()
            .is_some_and(|&c| c == b'\t' || c.is_ascii_lowercase())
        {
            return quick_line(b);
        }
        if self.known.get(b).is_some() {
            return Some(frame_line(b, text));
        }
        let line = quick_line(b)?;
        if line.kind == LineKind::Frame {
            self.known.missed(b, || ());
        }
        Some(line)
    }
}

/// `\S+\.(?:go|s):\d+` at the start of `b` (after the tab).
fn tab_frame(b: &[u8]) -> bool {
    let token = &b[..b
        .iter()
        .position(u8::is_ascii_whitespace)
        .unwrap_or(b.len())];
    // At a dot (not the first byte): `go:` or `s:`, then a digit.
    memchr::memchr_iter(b'.', token).any(|i| {
        let after = &token[i + 1..];
        let digit_at = |k: usize| after.get(k).is_some_and(u8::is_ascii_digit);
        i > 0
            && ((after.starts_with(b"go:") && digit_at(3))
                || (after.starts_with(b"s:") && digit_at(2)))
    })
}

/// `[\w.\-]+(?:/[\w.\-]+)*\.[\w.\[\]()*{}\-]+(?:\(.*\))?$`, for lines without `[`.
fn function_frame(b: &[u8]) -> bool {
    let path_char = |c: &u8| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'.' | b'-');
    let name_char = |c: &u8| path_char(c) || matches!(c, b'(' | b')' | b'*' | b'{' | b'}');
    let path_end = b
        .iter()
        .position(|c| !(path_char(c) || *c == b'/'))
        .unwrap_or(b.len());
    let path = &b[..path_end];
    if path.split(|c| *c == b'/').any(<[u8]>::is_empty) {
        return false;
    }
    // The last segment's first dot after its first character splits the
    // package path from the name.
    let last = path.iter().rposition(|c| *c == b'/').map_or(0, |i| i + 1);
    let Some(dot) = path[last..].iter().skip(1).position(|c| *c == b'.') else {
        return false;
    };
    let rest = &b[last + 1 + dot + 1..];
    let name_end = rest
        .iter()
        .position(|c| !name_char(c))
        .unwrap_or(rest.len());
    if name_end == 0 {
        return false;
    }
    name_end == rest.len() || (b.ends_with(b")") && rest[1..name_end].contains(&b'('))
}

/// What follows a `\x1b[3Nm` / `[3Nm` colour code at the start, if any.
fn after_colour(b: &[u8]) -> Option<&[u8]> {
    let b = b.strip_prefix(b"\x1b").unwrap_or(b);
    let b = b.strip_prefix(b"[3")?;
    b.get(2..)
        .filter(|_| b.first().is_some_and(u8::is_ascii_digit) && b.get(1) == Some(&b'm'))
}

/// `2024/03/14 - 09:26:53 |  200 |` after `[GIN] `.
/// A gin access line, as `quick_line` would classify it (`LineKind::Access`).
pub(crate) fn is_access_line(b: &[u8]) -> bool {
    b.strip_prefix(b"[GIN] ").is_some_and(gin_head)
}

/// The fixed part of an access line after `[GIN] `: `d` is any digit.
/// gin pads the status to `| 200 |`; other padding takes the slow path.
const GIN_SHAPE: &[u8; 30] = b"dddd/dd/dd - dd:dd:dd | ddd | ";

/// The date and time part of `GIN_SHAPE`, which every access line has.
const GIN_HEAD: usize = 23;

/// Masks that test 8 bytes of `GIN_SHAPE` from `at` in one word:
/// `(w & keep) == want` checks the fixed bytes and puts every digit slot
/// in 0x30..=0x3f; adding 6 then leaves the slot's high nibble at 3 only
/// for 0x30..=0x39 (no carry leaves a byte), which `high` checks.
const fn gin_masks(at: usize) -> [u64; 4] {
    let (mut keep, mut want, mut six, mut high) = (0u64, 0u64, 0u64, 0u64);
    let mut i = 0;
    while i < 8 {
        let c = GIN_SHAPE[at + i];
        let shift = 8 * i;
        if c == b'd' {
            keep |= 0xf0 << shift;
            want |= 0x30 << shift;
            six |= 0x06 << shift;
            high |= 0xf0 << shift;
        } else {
            keep |= 0xff << shift;
            want |= (c as u64) << shift;
        }
        i += 1;
    }
    [keep, want, six, high]
}

/// Whether the 8 bytes of `b` from `at` fit `GIN_SHAPE` from `at`.
#[inline(always)]
fn gin_word(b: &[u8; 30], at: usize, [keep, want, six, high]: [u64; 4]) -> bool {
    let mut word = [0u8; 8];
    word.copy_from_slice(&b[at..at + 8]);
    let w = u64::from_le_bytes(word);
    ((w & keep) == want) & ((w.wrapping_add(six) & high) == (want & high))
}

fn gin_head(b: &[u8]) -> bool {
    // Eight bytes at a time, without branches between the words: this
    // runs on most lines of a busy log.
    const W0: [u64; 4] = gin_masks(0);
    const W8: [u64; 4] = gin_masks(8);
    const W15: [u64; 4] = gin_masks(GIN_HEAD - 8);
    const W22: [u64; 4] = gin_masks(22);
    if let Some(h) = b.first_chunk::<30>() {
        let head = gin_word(h, 0, W0) & gin_word(h, 8, W8) & gin_word(h, 15, W15);
        if head & gin_word(h, 22, W22) {
            return true;
        }
        if !head {
            return false;
        }
    } else {
        // Too short for the usual padding; the head alone must fit.
        let Some(h) = b.first_chunk::<GIN_HEAD>() else {
            return false;
        };
        let fits = |i: usize| GIN_SHAPE[i] == h[i] || GIN_SHAPE[i] == b'd' && h[i].is_ascii_digit();
        if !(0..GIN_HEAD).all(fits) {
            return false;
        }
    }
    // Any other padding: spaces, three digits, spaces, `|`. Spaces as the
    // regex's `\s` takes them (vertical tab included); Unicode spaces are
    // left to the regex (a slower path, same answer).
    let skip_ws = |mut i: usize| {
        while b
            .get(i)
            .is_some_and(|c| c.is_ascii_whitespace() || *c == 0x0b)
        {
            i += 1;
        }
        i
    };
    let i = skip_ws(GIN_HEAD);
    b.get(i..i + 3)
        .is_some_and(|s| s.iter().all(u8::is_ascii_digit))
        && b.get(skip_ws(i + 3)) == Some(&b'|')
}

/// `{"log":"…\n","stream":"stderr","time":"…"}` → (log line, time).
fn docker_json(s: &str) -> Option<(String, Option<String>)> {
    let v: serde_json::Value = serde_json::from_str(s).ok()?;
    let log = v.get("log")?.as_str()?;
    let time = v
        .get("time")
        .and_then(|t| t.as_str())
        .and_then(crate::parse::time::sortable);
    Some((log.trim_end_matches(['\r', '\n']).to_string(), time))
}

/// A logrus JSONFormatter line.
fn logrus_json(s: &str) -> Option<Line> {
    let v: serde_json::Value = serde_json::from_str(s).ok()?;
    let obj = v.as_object()?;
    let msg = obj.get("msg")?.as_str()?;
    let level = obj
        .get("level")
        .and_then(|l| l.as_str())
        .and_then(Level::from_word);
    let mut message = msg.to_string();
    // logrus puts a wrapped error under "error" when WithError is used.
    if let Some(err) = obj.get("error").and_then(|e| e.as_str()) {
        message.push_str(": ");
        message.push_str(err);
    }
    Some(Line {
        kind: LineKind::LogEntry,
        level,
        timestamp: obj
            .get("time")
            .and_then(|t| t.as_str())
            .and_then(crate::parse::time::sortable),
        message: message.trim().to_string(),
        // zap (Caddy, …) and go-kit write `ts`, logrus writes `time`.
        origin: if !obj.contains_key("time")
            && (obj.contains_key("ts") || obj.contains_key("logger"))
        {
            Origin::Other
        } else {
            Origin::Unknown
        },
        indented: false,
    })
}

/// Undoes Go `%q` quoting (logfmt values); unquoted values pass through.
fn go_unquote(v: &str) -> String {
    match v.strip_prefix('"').and_then(|v| v.strip_suffix('"')) {
        Some(inner) => {
            let mut out = String::with_capacity(inner.len());
            let mut chars = inner.chars();
            while let Some(c) = chars.next() {
                if c != '\\' {
                    out.push(c);
                    continue;
                }
                match chars.next() {
                    Some('n') => out.push('\n'),
                    Some('t') => out.push('\t'),
                    Some('r') => out.push('\r'),
                    Some('"') => out.push('"'),
                    Some('\\') => out.push('\\'),
                    Some('x') => {
                        let h: String = chars.by_ref().take(2).collect();
                        out.push(u8::from_str_radix(&h, 16).map_or('\u{fffd}', char::from));
                    }
                    Some(c @ ('u' | 'U')) => {
                        let n = if c == 'u' { 4 } else { 8 };
                        let h: String = chars.by_ref().take(n).collect();
                        out.push(
                            u32::from_str_radix(&h, 16)
                                .ok()
                                .and_then(char::from_u32)
                                .unwrap_or('\u{fffd}'),
                        );
                    }
                    Some(other) => {
                        out.push('\\');
                        out.push(other);
                    }
                    None => out.push('\\'),
                }
            }
            out
        }
        None => v.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The shortcut for coloured logrus heads reads every line as the
    /// way round (colour codes off the whole line first) does.
    #[test]
    fn coloured_heads_read_as_the_way_round() {
        let parts = [
            "\x1b",
            "[31m",
            "[33m",
            "[0m",
            "[1m",
            "ERRO",
            "WARN",
            "INFO",
            "Erro",
            "[",
            "]",
            "2024-01-02 03:04:05",
            " ",
            "  ",
            "failed get objs",
            "x.go:12",
            "pkg.F()",
            ":",
            "是",
            "\t",
            "[3",
            "m",
        ];
        let mut taken = 0;
        for (i, tail) in crate::random_texts(0xc0105, 60_000, 8, &parts).enumerate() {
            // Mostly a coloured head (with and without ESC), then pieces.
            let esc = ["\x1b", "", "\x1b"][i % 3];
            let word = ["ERRO", "WARN", "INFO", "Erro", "ERR"][i % 5];
            let reset = ["\x1b[0m", "[0m", "\x1b[0m[", "\x1b[0m["][i % 4];
            let raw = match i % 7 {
                0 => tail,
                _ => format!("{esc}[3{}m{word}{reset}{tail}", i % 10),
            };
            taken += usize::from(coloured_entry(&raw).is_some());
            assert_eq!(parse_with(&raw, true), parse_with(&raw, false), "{raw:?}");
        }
        assert!(taken > 2_000, "only {taken} lines took the shortcut");
        let l = parse_line("\x1b[31mERRO\x1b[0m[2024-05-04 03:56:41] failed get objs: x ");
        assert_eq!(
            (l.level, l.timestamp.as_deref(), l.message.as_str()),
            (
                Some(Level::Error),
                Some("2024-05-04 03:56:41"),
                "failed get objs: x"
            )
        );
    }

    #[test]
    fn level_words_in_any_case() {
        for (w, want) in [
            ("ERRO", Some(Level::Error)),
            ("Warning", Some(Level::Warn)),
            ("err", Some(Level::Error)),
            ("TRACE", Some(Level::Debug)),
            ("PaNiC", Some(Level::Panic)),
            ("errors", None),
            ("warnings", None),
            ("", None),
            ("é", None),
        ] {
            assert_eq!(Level::from_word(w), want, "{w:?}");
        }
    }

    fn p(s: &str) -> Line {
        parse_line(s)
    }

    /// The hand-written logrus head agrees with the regex it replaced.
    #[test]
    fn logrus_head_equals_the_regex() {
        let re = regex::Regex::new(
            r"^(INFO|WARN|ERRO|FATA|PANI|DEBU|TRAC)\[([^\]]*)\](?:\S+\.go:\d+ \S+\(\))? ?",
        )
        .unwrap();
        let parts = [
            "]", "x", ".go:", "12", " ", "()", "f", "\t", "(", "]", "é", "  ",
        ];
        for tail in crate::random_texts(0x1234_5678, 20_000, 11, &parts) {
            let s = format!("ERRO[{tail}");
            let want = re
                .captures(&s)
                .map(|c| (c.get(2).unwrap().as_str(), c.get(0).unwrap().end()));
            assert_eq!(logrus_head(&s), want, "{s:?}");
        }
        assert_eq!(
            logrus_head("WARN[2024]op/fs.go:128 op.List.func1() failed"),
            Some(("2024", 39))
        );
    }

    #[test]
    fn logrus_coloured_plain_and_lost_esc() {
        for raw in [
            "\x1b[31mERRO\x1b[0m[2024-01-02 15:04:05] failed get objs: x                 \n",
            "[31mERRO[0m[2024-01-02 15:04:05] failed get objs: x ",
            "ERRO[2024-01-02 15:04:05] failed get objs: x",
        ] {
            let l = p(raw);
            assert_eq!(l.kind, LineKind::LogEntry, "{raw:?}");
            assert_eq!(l.level, Some(Level::Error));
            assert_eq!(l.timestamp.as_deref(), Some("2024-01-02 15:04:05"));
            assert_eq!(l.message, "failed get objs: x");
        }
    }

    #[test]
    fn openlist_debug_caller_is_dropped() {
        let l = p(
            "DEBU[2025-03-14 09:30:01]/home/runner/work/x/internal/op/fs.go:113 github.com/x/internal/op.List() op.List /local",
        );
        assert_eq!(l.level, Some(Level::Debug));
        assert_eq!(l.message, "op.List /local");
    }

    #[test]
    fn logfmt_and_json() {
        let l = p(r#"time="2025-03-14 09:27:10" level=error msg="failed: \"x\"\nnext""#);
        assert_eq!(l.level, Some(Level::Error));
        assert_eq!(l.message, "failed: \"x\"\nnext");
        // logrus's WithError: the error field is part of the message.
        for field in [
            r#"error="listen tcp :5244: bind: address already in use""#,
            r#"err="listen tcp :5244: bind: address already in use""#,
            r#"user=admin error="listen tcp :5244: bind: address already in use" n=1"#,
        ] {
            let l = p(&format!(
                r#"time="2025-03-14T09:26:51+08:00" level=error msg="failed to start" {field}"#
            ));
            assert_eq!(
                l.message, "failed to start: listen tcp :5244: bind: address already in use",
                "{field}"
            );
        }
        let l = p(r#"time="2025-03-14 09:27:10" level=error msg=boom error=EOF"#);
        assert_eq!(l.message, "boom: EOF");
        let l = p(r#"time="2025-03-14 09:27:10" level=error msg="a error=b" user=x"#);
        assert_eq!(l.message, "a error=b");
        let l = p(r#"{"level":"error","msg":"boom","time":"2024-05-01T12:00:00+08:00"}"#);
        assert_eq!(l.level, Some(Level::Error));
        assert_eq!(l.timestamp.as_deref(), Some("2024-05-01 12:00:00"));
        assert_eq!(l.message, "boom");
    }

    #[test]
    fn carriers() {
        for raw in [
            "alist-1  | ERRO[2024-01-02 15:04:05] boom",
            "2025-03-14T09:26:50.123456789Z ERRO[2024-01-02 15:04:05] boom",
            "Jul 01 06:23:50 nas alist[2993]: ERRO[2024-01-02 15:04:05] boom",
            "1月 27 19:03:26 nas alist[2993]: ERRO[2024-01-02 15:04:05] boom",
            "Sat Jan 28 20:58:07 2023 daemon.err alist[2806]: ERRO[2024-01-02 15:04:05] boom",
            r#"{"log":"\u001b[31mERRO\u001b[0m[2024-01-02 15:04:05] boom \n","stream":"stderr","time":"2024-01-02T07:04:05.1Z"}"#,
        ] {
            let l = p(raw);
            assert_eq!(
                (l.level, l.message.as_str()),
                (Some(Level::Error), "boom"),
                "{raw}"
            );
        }
    }

    #[test]
    fn quick_agrees_with_the_full_parser() {
        for raw in [
            r#"[GIN] 2025/03/14 - 09:26:53 | 200 |    1.534219ms |    192.168.1.20 | POST     "/api/fs/list""#,
            r#"[GIN] 2025/03/14 - 09:26:58 | 207 |  28.41ms |        10.0.0.5 | PROPFIND  "/dav/local""#,
            "[GIN] 2025/03/14 - 09:26:58 |200|x",
            "[GIN] 2025/03/14 - 09:26:58 | 20 | x",
            "[GIN] garbage",
            "[GIN-debug] GET /ping",
            "\x1b[36mINFO\x1b[0m[2024-01-02 15:04:05] init logrus...   ",
            "[36mINFO[0m[2024-01-02 15:04:05] init",
            "INFO[2024-01-02 15:04:05] init",
            "DEBU[2025-03-14 09:30:01]/x/fs.go:113 pkg.F() op.List",
            "\x1b[37mTRAC\x1b[0m[2024-01-02 15:04:05] x",
            "INFO[unterminated",
            "INFO",
            "INFOrmation",
            "\x1b[31mERRO\x1b[0m[2024-01-02 15:04:05] boom",
            "ERRO[2024-01-02 15:04:05] boom",
            "[36mINFO[0m[2024-01-02 15:04:05\x1b] x",
            "",
            "\t/source/internal/op/fs.go:128",
            "\t/usr/local/go/src/runtime/asm_amd64.s:1700 +0x1f",
            "\t/x.go:",
            "\t.go:12",
            "\tfoo bar.go:12",
            "github.com/alist-org/alist/v3/internal/op.List.func1",
            "github.com/alist-org/alist/v3/drivers/baidu_photo.(*BaiduPhoto).List(0xc0, {0x1, 0xc0})",
            "runtime.goexit()",
            "main.main()",
            "net/http.(*conn).serve(0xc000)",
            "failed to list objs",
            "failed get objs ",
            "github.com/x/y.F(0x1, 0x2",
            "a/b/.c",
            "a//b.c",
            "x.y z",
            "created by net/http.(*Server).Serve in goroutine 1",
        ] {
            let full = parse_line(raw);
            if let Some(q) = quick_line(raw.as_bytes()) {
                let same_kind = matches!(
                    (&q.kind, &full.kind),
                    (LineKind::Access, LineKind::Access) | (LineKind::LogEntry, LineKind::LogEntry)
                ) || (q.kind == LineKind::Frame
                    && full.kind == LineKind::Frame
                    && q.message == full.message);
                assert!(
                    same_kind && q.level == full.level,
                    "{raw:?}: {q:?} vs {full:?}"
                );
            }
        }
        assert!(
            quick_line(b"[GIN] 2025/03/14 - 09:26:53 | 200 |    1.5ms |  1.2.3.4 | GET \"/\"")
                .is_some()
        );
        assert!(quick_line(b"INFO[2024-01-02 15:04:05] init").is_some());
        assert!(quick_line(b"\x1b[36mINFO\x1b[0m[2024-01-02 15:04:05] x").is_some());
        assert!(quick_line(b"\t/source/internal/op/fs.go:128").is_some());
        assert!(quick_line(b"runtime.goexit()").is_some());
    }

    /// Access lines built from random pieces: the byte test and the GIN
    /// regex agree on every one.
    #[test]
    fn access_test_equals_the_regex() {
        let parts = [
            "2025", "/", "03", "14", " - ", "09:26:53", ":", " ", "|", "200", "20", "  ", "\t",
            "x", "5",
        ];
        let mut access = 0;
        for tail in crate::random_texts(0x0bad_cafe, 50_000, 14, &parts) {
            for raw in [
                format!("[GIN] {tail}"),
                format!("[GIN] 2025/03/14 - 09:26:53 |{tail}"),
            ] {
                let full = parse_line(&raw).kind == LineKind::Access;
                assert_eq!(is_access_line(raw.as_bytes()), full, "{raw:?}");
                access += usize::from(full);
            }
        }
        assert!(access > 200, "only {access} access lines");
    }

    /// Every byte value at every position of the fixed head: the word
    /// test and the GIN regex agree.
    #[test]
    fn access_head_rejects_every_wrong_byte() {
        let line = *b"[GIN] 2025/03/14 - 09:26:53 | 200 | 1ms | 1.2.3.4 | GET \"/\"";
        for at in 6..line.len() {
            for byte in 0..=255u8 {
                let mut raw = line;
                raw[at] = byte;
                let full = parse_line(&String::from_utf8_lossy(&raw)).kind == LineKind::Access;
                assert_eq!(is_access_line(&raw), full, "byte {byte:#x} at {at}");
            }
        }
    }

    /// Other status paddings, and every cut of the line: the word test
    /// and the GIN regex agree.
    #[test]
    fn access_head_agrees_on_paddings_and_cuts() {
        for status in [
            "| 200 |",
            "|200|",
            "|  200  |",
            "| 200|",
            "|\t200\x0b|",
            "| 20 |",
        ] {
            let line = format!("[GIN] 2025/03/14 - 09:26:53 {status} 1ms | 1.2.3.4 | GET \"/\"");
            for cut in 0..=line.len() {
                let raw = &line.as_bytes()[..cut];
                let full = parse_line(&String::from_utf8_lossy(raw)).kind == LineKind::Access;
                assert_eq!(is_access_line(raw), full, "{:?}", line.get(..cut));
            }
        }
    }

    /// Frame shapes built from random pieces: whenever the quick test
    /// claims a frame, the full parser agrees, message included.
    #[test]
    fn quick_frames_never_disagree() {
        let parts = [
            "\t",
            "/",
            "a",
            "Z",
            "9",
            ".",
            ".go:",
            ".s:",
            "12",
            " ",
            "(",
            ")",
            "*",
            "{",
            "}",
            ",",
            "-",
            "_",
            "x.y",
            "(0x1, 0x2)",
        ];
        let mut claimed = 0;
        for raw in crate::random_texts(0xdead_beef, 50_000, 9, &parts) {
            if let Some(q) = quick_frame(raw.as_bytes()) {
                claimed += 1;
                let full = parse_line(&raw);
                assert_eq!(
                    (&q.kind, &q.message),
                    (&full.kind, &full.message),
                    "{raw:?}"
                );
            }
        }
        assert!(claimed > 500, "only {claimed} frames claimed");
    }

    /// Remembered frames are answered as `quick_line` answers, the first
    /// time and every time after, whatever else was seen in between.
    #[test]
    fn known_frames_answer_as_quick_line() {
        let parts = [
            "\t", "/", "a", ".go:", "12", " ", "(", ")", "x.y", ": ", "[", "ERRO",
        ];
        let texts: Vec<String> = crate::random_texts(0x5eed, 20_000, 6, &parts).collect();
        let mut known = KnownFrames::default();
        let mut remembered = 0;
        for round in 0..3 {
            for raw in &texts {
                let want = quick_line(raw.as_bytes());
                let got = known.quick_line(raw.as_bytes(), true);
                assert_eq!(got, want, "round {round}: {raw:?}");
                // Without the text: the same kind, the message left out.
                let bare = known.quick_line(raw.as_bytes(), false);
                assert_eq!(
                    bare.as_ref().map(|l| &l.kind),
                    want.as_ref().map(|l| &l.kind)
                );
            }
            remembered = remembered.max(known.known.len());
        }
        assert!(remembered > 100, "only {remembered} frames remembered");
        // A long frame is recognised, never remembered.
        let long = format!("\t/src/{}/a.go:12", "d".repeat(KNOWN_FRAME_LEN));
        let before = known.known.len();
        for _ in 0..3 {
            let got = known.quick_line(long.as_bytes(), true);
            assert_eq!(got, quick_line(long.as_bytes()));
            assert_eq!(got.map(|l| l.kind), Some(LineKind::Frame));
        }
        assert!(known.known.get(long.as_bytes()).is_none());
        assert!(known.known.len() <= before);
    }

    #[test]
    fn gin_stdlog_panic_frames() {
        let l = p(
            r#"[GIN] 2025/03/14 - 09:26:53 | 200 |    1.534219ms |    192.168.1.20 | POST     "/api/fs/list""#,
        );
        assert_eq!(l.kind, LineKind::Access);
        let l = p("2023/06/15 12:03:58.022367 ERROR RESTY Post \"x\": EOF, Attempt 2");
        assert_eq!(
            (l.level, l.message.as_str()),
            (Some(Level::Error), "RESTY Post \"x\": EOF, Attempt 2")
        );
        let l = p("\x1b[31m2025/03/14 09:27:00 [Recovery] 2025/03/14 - 09:27:00 panic recovered:");
        assert_eq!(l.kind, LineKind::Recovery);
        assert_eq!(p("panic: runtime error: x").kind, LineKind::Panic);
        for f in [
            "goroutine 7 [running]:",
            "\t/source/internal/op/fs.go:128",
            "github.com/alist-org/alist/v3/internal/op.List.func1",
            "runtime.goexit",
            "/usr/local/go/src/runtime/panic.go:261 (0x44c5b1)",
            "\tpanicmem: panic(memoryError)",
            "net/http.(*conn).serve(0xc000, {0x2a, 0xc0})",
            "\t/usr/local/go/src/net/http/server.go:2044 +0x1f4",
        ] {
            assert_eq!(p(f).kind, LineKind::Frame, "{f}");
        }
        for plain in [
            "failed to list objs",
            "EOF",
            "\tstatus code: 403, request id: X",
        ] {
            assert_eq!(p(plain).kind, LineKind::Plain, "{plain}");
        }
    }
}
