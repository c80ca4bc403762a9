//! One module per command, each a function of the resolved `Config` that
//! writes to `out` and returns the exit code.

pub(crate) mod check;
pub(crate) mod diagnose;
pub(crate) mod explain;
pub(crate) mod generate;
pub(crate) mod lint;
pub(crate) mod list;

use std::borrow::Cow;
use std::io::Write;

use crate::catalog::Catalog;
use crate::cli::config::{CatalogChoice, Config, Run};
use crate::error::Error;

/// Runs the command `cfg` names.
pub(crate) fn run(cfg: &Config, out: &mut dyn Write) -> Result<u8, Error> {
    match &cfg.command {
        Run::Diagnose(d) => diagnose::run(cfg, d, out),
        Run::Check(c) => check::run(cfg, c, out),
        Run::Explain { id, json } => explain::run(cfg, id, *json, out),
        Run::List(l) => list::run(cfg, l, out),
        Run::Lint { files } => lint::run(files, out),
        Run::Patterns => generate::patterns(cfg, out),
        Run::Completions(shell) => generate::completions(*shell, out),
        Run::Man { dir } => generate::man(dir.as_deref(), out),
    }
}

/// The catalog the config chose: built-in and user files.
pub(crate) fn load_catalog(choice: &CatalogChoice) -> Result<Cow<'static, Catalog>, Error> {
    Ok(Catalog::with_user_files(&choice.files, choice.builtin)?)
}
