//! Answers of other services inside a message: what a cloud, a storage
//! API or a relay sent back, which AList quotes after its own words
//! (`failed to list objs: {"errno":-9,…}`, `resp: error code: 522`,
//! `<Error><Code>AccessDenied</Code>…`). Their code and message are the
//! real reason; when no entry knows them, they are what to report.
#![warn(clippy::string_slice)]

use serde_json::Value;

/// What kind of answer it was.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// OSS / S3 / COS XML: `<Error><Code>…</Code><Message>…</Message>`.
    Xml,
    /// A JSON object with an error code and/or message.
    Json,
    /// An HTML page: its `<title>` (a login page, a WAF, a proxy's error).
    Html,
    /// Cloudflare's own answer when the origin behind it is down
    /// (`error code: 522`).
    Cloudflare,
}

impl Kind {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Kind::Xml => "XML",
            Kind::Json => "JSON",
            Kind::Html => "HTML",
            Kind::Cloudflare => "Cloudflare",
        }
    }
}

/// A service's answer found in a text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Body {
    pub kind: Kind,
    pub code: Option<String>,
    pub message: Option<String>,
}

impl Body {
    /// The answer as the clouds' SDKs word it (`NoSuchBucket: The
    /// specified bucket does not exist`, `error code: 522`): what entries
    /// are written against.
    pub(crate) fn canonical(&self) -> String {
        match (self.kind, &self.code, &self.message) {
            (Kind::Cloudflare, Some(c), _) => format!("error code: {c}"),
            (_, Some(c), Some(m)) => format!("{c}: {m}"),
            (_, Some(c), None) => c.clone(),
            (_, None, Some(m)) => m.clone(),
            (_, None, None) => String::new(),
        }
    }

    /// One line for the unknown-errors list: kind, code, message.
    pub(crate) fn describe(&self) -> String {
        let mut s = format!("{} answer", self.kind.as_str());
        if let Some(c) = &self.code {
            s.push_str(", code ");
            s.push_str(c);
        }
        if let Some(m) = &self.message {
            s.push_str(": ");
            s.push_str(m);
        }
        s
    }
}

/// Bodies larger than this are not looked into (a whole page pasted).
const MAX_SCAN: usize = 64 << 10;
/// Messages are cut to this many characters.
const MAX_MESSAGE: usize = 200;

/// The first service answer in `text` that says something went wrong.
pub(crate) fn find(text: &str) -> Option<Body> {
    let text = text.get(..MAX_SCAN).unwrap_or(text);
    let b = text.as_bytes();
    let has = |needle: &str| memchr::memmem::find(b, needle.as_bytes());
    if (has("<Code>").is_some() || has("<code>").is_some())
        && let Some(body) = xml(text)
    {
        return Some(body);
    }
    if let Some(at) = has("error code: 52") {
        let code: String = text
            .get(at + "error code: ".len()..)
            .unwrap_or_default()
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        if code.len() == 3 {
            return Some(Body {
                kind: Kind::Cloudflare,
                code: Some(code),
                message: None,
            });
        }
    }
    if memchr::memchr(b'{', b).is_some()
        && let Some(body) = json(text)
    {
        return Some(body);
    }
    if let Some(title) = between_ci(text, "<title>", "</title>") {
        let title = tidy(title);
        if !title.is_empty() {
            return Some(Body {
                kind: Kind::Html,
                code: None,
                message: Some(title),
            });
        }
    }
    None
}

fn tidy(s: &str) -> String {
    let s = s.split_whitespace().collect::<Vec<_>>().join(" ");
    s.chars().take(MAX_MESSAGE).collect()
}

/// The text between the first `open` and the `close` after it.
fn between<'t>(text: &'t str, open: &str, close: &str) -> Option<&'t str> {
    let start = text.find(open)? + open.len();
    let rest = text.get(start..)?;
    rest.get(..rest.find(close)?)
}

/// `between`, ignoring the case of the tags (`<TITLE>`).
fn between_ci<'t>(text: &'t str, open: &str, close: &str) -> Option<&'t str> {
    // ASCII lower-casing keeps byte offsets.
    let lower = text.to_ascii_lowercase();
    let start = lower.find(open)? + open.len();
    let len = lower.get(start..)?.find(close)?;
    text.get(start..start + len)
}

fn xml(text: &str) -> Option<Body> {
    let code = between(text, "<Code>", "</Code>").or_else(|| between(text, "<code>", "</code>"))?;
    let message = between(text, "<Message>", "</Message>")
        .or_else(|| between(text, "<message>", "</message>"));
    let code = tidy(code);
    (!code.is_empty()).then(|| Body {
        kind: Kind::Xml,
        code: Some(code),
        message: message.map(tidy).filter(|m| !m.is_empty()),
    })
}

/// Keys that hold an error code, and keys that hold its message, as the
/// clouds AList talks to name them.
const CODE_KEYS: &[&str] = &[
    "errno",
    "error_code",
    "errNo",
    "errcode",
    "errCode",
    "err_no",
    "status_code",
    "code",
    "status",
    "error",
];
const MESSAGE_KEYS: &[&str] = &[
    "message",
    "msg",
    "error_msg",
    "errmsg",
    "errMsg",
    "err_msg",
    "error_description",
    "show_msg",
    "errorMessage",
    "detail",
    "error",
];

fn json(text: &str) -> Option<Body> {
    let b = text.as_bytes();
    // Each `{` in turn, until one starts an object that is an error.
    for at in memchr::memchr_iter(b'{', b).take(16) {
        let Some(rest) = text.get(at..) else { continue };
        let mut stream = serde_json::Deserializer::from_str(rest).into_iter::<Value>();
        let Some(Ok(Value::Object(o))) = stream.next() else {
            continue;
        };
        if let Some(body) = json_error(&o, 0) {
            return Some(body);
        }
    }
    None
}

fn scalar(v: &Value) -> Option<String> {
    match v {
        Value::String(s) if !s.trim().is_empty() => Some(tidy(s)),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// A code that says "no error".
fn is_success(code: &str) -> bool {
    matches!(
        code.to_ascii_lowercase().as_str(),
        "0" | "200" | "ok" | "success" | "true" | "0000" | "00000"
    )
}

fn json_error(o: &serde_json::Map<String, Value>, depth: usize) -> Option<Body> {
    // A nested error object (`{"error":{"code":…,"message":…}}`).
    if depth < 3 {
        for k in ["error", "err", "data"] {
            if let Some(Value::Object(inner)) = o.get(k)
                && let Some(body) = json_error(inner, depth + 1)
            {
                return Some(body);
            }
        }
    }
    let code = CODE_KEYS
        .iter()
        .find_map(|k| o.get(*k).and_then(scalar))
        .filter(|c| !is_success(c));
    let message = MESSAGE_KEYS
        .iter()
        .find_map(|k| o.get(*k).and_then(scalar))
        .filter(|m| code.as_deref() != Some(m.as_str()));
    if o.get("success") == Some(&Value::Bool(true)) {
        return None;
    }
    match (&code, &message) {
        (Some(_), _) => Some(Body {
            kind: Kind::Json,
            code,
            message,
        }),
        // A message without a code is an error only where the key says so.
        (None, Some(_))
            if ["error", "error_msg", "errmsg", "error_description"]
                .iter()
                .any(|k| o.contains_key(*k)) =>
        {
            Some(Body {
                kind: Kind::Json,
                code: None,
                message,
            })
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(text: &str) -> Option<String> {
        find(text).map(|b| b.describe())
    }

    #[test]
    fn service_answers() {
        assert_eq!(
            d("failed link: <?xml version=\"1.0\"?>\n<Error>\n<Code>AccessDenied</Code>\n<Message>Access Denied</Message><RequestId>1</RequestId></Error>").as_deref(),
            Some("XML answer, code AccessDenied: Access Denied")
        );
        assert_eq!(
            d(r#"failed to list objs: {"errno":-9,"request_id":1}"#).as_deref(),
            Some("JSON answer, code -9")
        );
        assert_eq!(
            d(r#"resp: {"error_code":31326,"error_msg":"user is not authorized, hitcode:119"}"#)
                .as_deref(),
            Some("JSON answer, code 31326: user is not authorized, hitcode:119")
        );
        assert_eq!(
            d(r#"{"error":{"code":"itemNotFound","message":"The resource could not be found."}}"#)
                .as_deref(),
            Some("JSON answer, code itemNotFound: The resource could not be found.")
        );
        assert_eq!(
            d("refresh token is empty, resp: error code: 522").as_deref(),
            Some("Cloudflare answer, code 522")
        );
        assert_eq!(
            d("<html><head><title>403 Forbidden</title></head><body>nginx</body></html>")
                .as_deref(),
            Some("HTML answer: 403 Forbidden")
        );
        assert_eq!(
            d(r#"{"error":"invalid_grant","error_description":"Bad Request"}"#).as_deref(),
            Some("JSON answer, code invalid_grant: Bad Request")
        );
    }

    #[test]
    fn success_and_plain_objects_are_no_answer() {
        assert_eq!(d(r#"{"code":200,"message":"success","data":{}}"#), None);
        assert_eq!(d(r#"{"errno":0,"list":[]}"#), None);
        assert_eq!(d(r#"{"name":"a.mkv","size":1}"#), None);
        assert_eq!(d(r#"{"success":true,"code":"OK"}"#), None);
        assert_eq!(d("no body at all: failed"), None);
        assert_eq!(d("{ not json"), None);
    }
}
