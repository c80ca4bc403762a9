//! `--format json`: the whole view as one JSON document (schema in README.md).
#![warn(clippy::string_slice)]

use std::io::{self, Write};

use super::{Report, View};

/// `--format json`.
pub(crate) struct Json<'a> {
    pub out: &'a mut dyn Write,
}

impl Report for Json<'_> {
    fn finish(&mut self, view: &View) -> io::Result<()> {
        render(self.out, view)
    }
}

/// `--statistics --format json`.
pub(crate) struct Statistics<'a> {
    pub out: &'a mut dyn Write,
}

impl Report for Statistics<'_> {
    fn finish(&mut self, view: &View) -> io::Result<()> {
        statistics(self.out, view)
    }
}

pub(crate) fn render(w: &mut dyn Write, v: &View) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *w, v).map_err(io::Error::other)?;
    writeln!(w)
}

/// `--statistics --format json`: per-id counts only.
pub(crate) fn statistics(w: &mut dyn Write, v: &View) -> io::Result<()> {
    let stats: Vec<serde_json::Value> = super::statistics(v)
        .into_iter()
        .map(|(id, severity, count)| serde_json::json!({"id": id, "severity": severity, "count": count}))
        .collect();
    let doc = serde_json::json!({
        "version": super::JSON_VERSION,
        "statistics": stats,
        "unknown": v.summary.unknown_occurrences,
        "summary": v.summary,
    });
    serde_json::to_writer_pretty(&mut *w, &doc).map_err(io::Error::other)?;
    writeln!(w)
}
