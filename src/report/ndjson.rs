//! `--format ndjson`: one JSON object per line, written as soon as an event
//! is diagnosed (`"type": "finding"` or `"unknown"`), then one `"summary"`.
//! Live pipelines (`docker logs -f alist | alist-doctor --format ndjson`) and
//! log shippers read it line by line.
#![warn(clippy::string_slice)]

use std::io::{self, Write};

use serde_json::{Value, json};

use super::{JSON_VERSION, Report, View, Views};
use crate::diagnose::{Occurred, Occurrence};
use crate::report::redact;

fn line(w: &mut dyn Write, v: &Value) -> io::Result<()> {
    serde_json::to_writer(&mut *w, v).map_err(io::Error::other)?;
    w.write_all(b"\n")?;
    // Each object must reach the reader now, not when a buffer fills.
    w.flush()
}

/// `--format ndjson`: an object per occurrence as it happens, then the
/// summary.
pub(crate) struct Ndjson<'a> {
    pub out: &'a mut dyn Write,
    pub views: Views<'a>,
}

impl Report for Ndjson<'_> {
    fn streams(&self) -> bool {
        true
    }

    fn occurrence(&mut self, o: &Occurrence) -> io::Result<()> {
        let views = &self.views;
        let source = views.source_name(&o.at);
        // The same text as json's: decoded, redacted before it is cut.
        let shown = redact::clip(&o.shown, crate::diagnose::MAX_SAMPLE_LEN);
        let shown = redact::maybe(&shown, views.opts.redact);
        let v = match &o.what {
            Occurred::Finding(f) => {
                let f = views.finding(f);
                let mut v = serde_json::to_value(&f).map_err(io::Error::other)?;
                if let Some(obj) = v.as_object_mut() {
                    obj.insert("type".into(), json!("finding"));
                    obj.insert("version".into(), json!(JSON_VERSION));
                    obj.insert("new".into(), json!(o.new));
                    obj.insert("source".into(), json!(source));
                    obj.insert("line".into(), json!(o.at.line));
                    obj.insert("timestamp".into(), json!(o.at.timestamp));
                    obj.insert("matched".into(), json!(shown));
                }
                v
            }
            Occurred::Unknown(u) => {
                let view = views.unknown(u);
                let mut v = json!({
                    "type": "unknown", "version": JSON_VERSION, "new": o.new,
                    "template": view.template, "count": view.count, "level": view.level,
                    "source": source, "line": o.at.line, "timestamp": o.at.timestamp,
                    "sample": shown,
                });
                if o.new {
                    v["suggestions"] = json!(views.unknown_suggestions(u));
                }
                v
            }
        };
        line(self.out, &v)
    }

    fn finish(&mut self, view: &View) -> io::Result<()> {
        for s in &view.suggestions {
            let mut v = serde_json::to_value(s).map_err(io::Error::other)?;
            if let Some(obj) = v.as_object_mut() {
                obj.insert("type".into(), json!("suggestion"));
                obj.insert("version".into(), json!(JSON_VERSION));
            }
            line(self.out, &v)?;
        }
        summary(self.out, view)
    }
}

/// The closing object.
fn summary(w: &mut dyn Write, view: &View) -> io::Result<()> {
    let mut v = serde_json::to_value(&view.summary).map_err(io::Error::other)?;
    if let Some(o) = v.as_object_mut() {
        o.insert("type".into(), json!("summary"));
        o.insert("version".into(), json!(JSON_VERSION));
        o.insert("lang".into(), json!(view.lang));
    }
    line(w, &v)
}
