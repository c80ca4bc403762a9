//! `--format sarif`: SARIF 2.1.0 for GitHub code scanning and other viewers.
//! A rule is a catalog entry (help text and doc link), a result is a problem
//! with the file and line of its first occurrence and how often it occurred.
#![warn(clippy::string_slice)]

use std::io::{self, Write};

use serde_json::{Value, json};

use super::View;
use crate::catalog::Severity;

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// `--format sarif`.
pub(crate) struct Sarif<'a> {
    pub out: &'a mut dyn Write,
}

impl super::Report for Sarif<'_> {
    fn finish(&mut self, view: &View) -> io::Result<()> {
        render(self.out, view)
    }
}

fn render(w: &mut dyn Write, v: &View) -> io::Result<()> {
    let mut rules: Vec<Value> = Vec::new();
    let mut rule_ids: Vec<&str> = Vec::new();
    let mut results = Vec::new();
    for f in &v.findings {
        let index = match rule_ids.iter().position(|id| *id == f.id) {
            Some(i) => i,
            None => {
                let steps: Vec<String> = f
                    .fix
                    .iter()
                    .enumerate()
                    .map(|(i, s)| format!("{}. {}", i + 1, s.trim()))
                    .collect();
                let mut rule = json!({
                    "id": f.id,
                    "name": f.id,
                    "shortDescription": {"text": f.title},
                    "fullDescription": {"text": f.cause.trim()},
                    "help": {
                        "text": format!("{}\n\n{}", f.cause.trim(), steps.join("\n")),
                        "markdown": format!("{}\n\n{}", f.cause.trim(), steps.join("\n")),
                    },
                    "defaultConfiguration": {"level": level(f.severity)},
                    "properties": {"tags": f.tags},
                });
                if let Some(d) = f.docs.first() {
                    rule["helpUri"] = json!(d);
                }
                rule_ids.push(&f.id);
                rules.push(rule);
                rule_ids.len() - 1
            }
        };
        let mut result = json!({
            "ruleId": f.id,
            "ruleIndex": index,
            "level": level(f.severity),
            "message": {"text": format!("{}: {}", f.title, f.matched)},
            "occurrenceCount": f.count,
            "properties": {"captures": f.captures, "last_line": f.last_line},
        });
        // Pasted text and standard input have no file to point at.
        if !f.source.starts_with('<') {
            result["locations"] = json!([{
                "physicalLocation": {
                    "artifactLocation": {"uri": f.source},
                    "region": {"startLine": f.first_line},
                }
            }]);
        }
        results.push(result);
    }
    let doc = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "alist-doctor",
                "version": env!("CARGO_PKG_VERSION"),
                "semanticVersion": env!("CARGO_PKG_VERSION"),
                "informationUri": "https://github.com/alist-doctor/alist-doctor",
                "rules": rules,
            }},
            "results": results,
            "properties": {"suggestions": v.suggestions},
        }],
    });
    serde_json::to_writer_pretty(&mut *w, &doc).map_err(io::Error::other)?;
    writeln!(w)
}
