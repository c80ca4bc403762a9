//! `alist-doctor lint [FILE…]`: checks catalog files as one catalog.

use std::io::Write;
use std::path::PathBuf;

use crate::catalog::lint::{self, LintFile};
use crate::error::Error;

pub(crate) fn run(files: &[PathBuf], out: &mut dyn Write) -> Result<u8, Error> {
    let (inputs, strict) = if files.is_empty() {
        (lint::embedded(), true)
    } else {
        let mut v = Vec::new();
        for f in files {
            // The same bounded read as a run's (a file too large to lint
            // is refused in one line).
            let text = crate::catalog::read_file(f)?;
            v.push(LintFile {
                area: crate::catalog::area_of(f),
                origin: f.display().to_string(),
                text,
            });
        }
        (v, false)
    };
    let issues = lint::lint(&inputs, strict);
    for d in &issues {
        writeln!(out, "{d}")?;
    }
    let errors = issues.iter().filter(|d| !d.warning).count();
    let warnings = issues.len() - errors;
    let s = |n: usize| if n == 1 { "" } else { "s" };
    writeln!(
        out,
        "lint: {} file{}, {errors} error{}, {warnings} warning{}",
        inputs.len(),
        s(inputs.len()),
        s(errors),
        s(warnings),
    )?;
    Ok(if errors > 0 { 2 } else { 0 })
}
