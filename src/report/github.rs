//! `--format github`: GitHub Actions workflow commands, one per finding
//! (`::error file=…,line=…,title=…::…`), and a Markdown table appended to
//! `$GITHUB_STEP_SUMMARY` when that variable names a file.
#![warn(clippy::string_slice)]

use std::io::{self, Write};
use std::path::Path;

use super::View;
use crate::catalog::Severity;

/// Escapes a workflow-command message.
fn data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a workflow-command property value.
fn property(s: &str) -> String {
    data(s).replace(':', "%3A").replace(',', "%2C")
}

/// `file=…,line=…` for inputs that are files (pasted text and stdin are not).
fn location(source: &str, line: u64) -> Vec<String> {
    if source.starts_with('<') {
        return Vec::new();
    }
    vec![format!("file={}", property(source)), format!("line={line}")]
}

/// `--format github`: workflow commands, and the step summary when
/// `$GITHUB_STEP_SUMMARY` names a file.
pub(crate) struct Github<'a> {
    pub out: &'a mut dyn Write,
    pub step_summary: Option<std::path::PathBuf>,
}

impl super::Report for Github<'_> {
    fn finish(&mut self, view: &View) -> io::Result<()> {
        render(self.out, view)?;
        match &self.step_summary {
            Some(path) => step_summary(path, view).map_err(|e| {
                io::Error::new(
                    e.kind(),
                    format!(
                        "cannot append to GITHUB_STEP_SUMMARY ({}): {e}",
                        path.display()
                    ),
                )
            }),
            None => Ok(()),
        }
    }
}

fn render(w: &mut dyn Write, v: &View) -> io::Result<()> {
    for f in &v.findings {
        let level = match f.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "notice",
        };
        let mut props = location(&f.source, f.first_line);
        props.push(format!(
            "title={}",
            property(&format!("{} [{}]", f.title, f.id))
        ));
        let mut msg = format!("{} (×{})\n{}\n", f.matched, f.count, f.cause.trim());
        for (i, step) in f.fix.iter().enumerate() {
            msg.push_str(&format!("{}. {}\n", i + 1, step.trim()));
        }
        if let Some(d) = f.docs.first() {
            msg.push_str(d);
        }
        writeln!(w, "::{level} {}::{}", props.join(","), data(msg.trim_end()))?;
    }
    for u in &v.unknown {
        let mut props = location(&u.source, u.first_line);
        props.push(format!(
            "title={}",
            property("Unknown AList error (not in the alist-doctor catalog)")
        ));
        writeln!(
            w,
            "::warning {}::{}",
            props.join(","),
            data(&format!("{} (×{})", u.sample, u.count))
        )?;
    }
    let s = &v.summary;
    writeln!(
        w,
        "alist-doctor: {} problem(s), {} occurrence(s), {} unknown error(s) in {} line(s)",
        s.findings, s.occurrences, s.unknown, s.lines
    )
}

/// Appends the findings as a Markdown table to the step summary file.
fn step_summary(path: &Path, v: &View) -> io::Result<()> {
    let mut md = String::from("## alist-doctor\n\n");
    if v.findings.is_empty() && v.unknown.is_empty() {
        md.push_str("No known problem found.\n");
    } else {
        md.push_str("| severity | problem | id | count | first seen |\n|---|---|---|---|---|\n");
        for f in &v.findings {
            md.push_str(&format!(
                "| {} | {} | `{}` | {} | {}:{} |\n",
                f.severity,
                cell(&f.title),
                f.id,
                f.count,
                cell(&f.source),
                f.first_line
            ));
        }
        for u in &v.unknown {
            md.push_str(&format!(
                // An unknown error is a warning, as its annotation is: the
                // catalog cannot say how serious it is.
                "| warning | unknown {}: {} | | {} | {}:{} |\n",
                u.level,
                cell(&u.template),
                u.count,
                cell(&u.source),
                u.first_line
            ));
        }
    }
    md.push('\n');
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)?;
    f.write_all(md.as_bytes())
}

fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}
