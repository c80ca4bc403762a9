//! Commands that print what is generated from the catalog or the flag
//! definitions: `patterns`, `completions`, `man`.

use std::io::Write;
use std::path::Path;

use crate::cli::args::Args;
use crate::cli::config::Config;
use crate::error::Error;

/// Every catalog pattern, one a line, as ripgrep's `-f` reads them.
pub(crate) fn patterns(cfg: &Config, out: &mut dyn Write) -> Result<u8, Error> {
    let cat = super::load_catalog(&cfg.catalog)?;
    // ripgrep joins `-f` patterns into one regex, where two patterns
    // naming the same group would clash: plain groups match the same.
    let named = crate::small_regex(r"\(\?P?<[A-Za-z_][A-Za-z0-9_]*>")
        .map_err(|e| Error::Usage(e.to_string()))?;
    for e in &cat.entries {
        for p in e.patterns {
            writeln!(out, "(?i){}", named.replace_all(p, "("))?;
        }
    }
    Ok(0)
}

/// The shell completion script for `shell`.
pub(crate) fn completions(shell: clap_complete::Shell, out: &mut dyn Write) -> Result<u8, Error> {
    let mut cmd = <Args as clap::CommandFactory>::command();
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut cmd, "alist-doctor", &mut script);
    let script = String::from_utf8_lossy(&script);
    let script = match shell {
        clap_complete::Shell::Bash => bash_states(&script),
        _ => script.into_owned(),
    };
    out.write_all(script.as_bytes())?;
    Ok(0)
}

/// clap_complete's bash script names the state of the top-level command
/// after the binary with `-` turned into `__` (`alist__doctor`) in one
/// place, but as `alist-doctor` where it builds the states of subcommands
/// (`alist-doctor__explain`), so completion stops after a subcommand: no
/// state matches. One spelling, the one the top level uses, fixes it.
fn bash_states(script: &str) -> String {
    script
        .replace("alist__doctor__", "alist-doctor__")
        .replace("\"alist__doctor\"", "\"alist-doctor\"")
        .replace("alist__doctor)", "alist-doctor)")
}

/// The man page, or one page per command written into `dir`.
pub(crate) fn man(dir: Option<&Path>, out: &mut dyn Write) -> Result<u8, Error> {
    let cmd = <Args as clap::CommandFactory>::command();
    match dir {
        None => {
            clap_mangen::Man::new(cmd).render(out)?;
        }
        Some(dir) => {
            let file_error = |error| Error::File {
                path: dir.display().to_string(),
                error,
            };
            clap_mangen::generate_to(cmd, dir).map_err(file_error)?;
            let mut pages: Vec<String> = std::fs::read_dir(dir)
                .map_err(file_error)?
                .filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| n.starts_with("alist-doctor") && n.ends_with(".1"))
                .collect();
            pages.sort();
            for p in pages {
                writeln!(out, "{}", dir.join(p).display())?;
            }
        }
    }
    Ok(0)
}
