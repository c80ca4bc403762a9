//! `--format ndjson`: one JSON object per line, written as soon as an event
//! is diagnosed (`"type": "finding"` or `"unknown"`), then one `"summary"`.
//! Live pipelines (`docker logs -f alist | alist-doctor --format ndjson`) and
//! log shippers read it line by line.
#![warn(clippy::string_slice)]

use std::io::{self, Write};

use serde_json::{Value, json};

use super::{JSON_VERSION, View, ViewOptions, finding_view, unknown_view};
use crate::diagnose::{Diagnoser, Outcome};
use crate::report::redact;

fn line(w: &mut dyn Write, v: &Value) -> io::Result<()> {
    serde_json::to_writer(&mut *w, v).map_err(io::Error::other)?;
    w.write_all(b"\n")?;
    // Each object must reach the reader now, not when a buffer fills.
    w.flush()
}

/// Writes the object for one outcome, if it is a finding or an unknown error.
pub(crate) fn occurrence(
    w: &mut dyn Write,
    d: &Diagnoser<'_>,
    outcome: Outcome,
    names: &[String],
    opts: &ViewOptions,
) -> io::Result<()> {
    let Some((pos, message)) = &d.last else {
        return Ok(());
    };
    let source = names.get(pos.source).cloned().unwrap_or_default();
    let shown = redact::maybe(message, opts.redact);
    let v = match outcome {
        Outcome::Finding { index, new } => {
            let f = finding_view(d, &d.findings[index], names, opts);
            let mut v = serde_json::to_value(&f).map_err(io::Error::other)?;
            if let Some(o) = v.as_object_mut() {
                o.insert("type".into(), json!("finding"));
                o.insert("version".into(), json!(JSON_VERSION));
                o.insert("new".into(), json!(new));
                o.insert("source".into(), json!(source));
                o.insert("line".into(), json!(pos.line));
                o.insert("timestamp".into(), json!(pos.timestamp));
                o.insert("matched".into(), json!(shown));
            }
            v
        }
        Outcome::Unknown { index, new } => {
            let u = unknown_view(&d.unknown[index], names, opts);
            json!({
                "type": "unknown", "version": JSON_VERSION, "new": new,
                "template": u.template, "count": u.count, "level": u.level,
                "source": source, "line": pos.line, "timestamp": pos.timestamp,
                "sample": shown,
            })
        }
        Outcome::Benign | Outcome::Nothing => return Ok(()),
    };
    line(w, &v)
}

/// The closing object.
pub(crate) fn summary(w: &mut dyn Write, view: &View) -> io::Result<()> {
    let mut v = serde_json::to_value(&view.summary).map_err(io::Error::other)?;
    if let Some(o) = v.as_object_mut() {
        o.insert("type".into(), json!("summary"));
        o.insert("version".into(), json!(JSON_VERSION));
        o.insert("lang".into(), json!(view.lang));
    }
    line(w, &v)
}
