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

/// The name the binary is installed under, as completion scripts register it.
const BIN: &str = "alist-doctor";

/// The shell completion script for `shell`.
pub(crate) fn completions(shell: clap_complete::Shell, out: &mut dyn Write) -> Result<u8, Error> {
    let mut cmd = <Args as clap::CommandFactory>::command();
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut cmd, BIN, &mut script);
    let script = String::from_utf8_lossy(&script);
    let script = match shell {
        clap_complete::Shell::Bash => bash_states(&script, BIN),
        clap_complete::Shell::Fish => fish_positionals(script.into_owned(), &cmd),
        _ => script.into_owned(),
    };
    out.write_all(script.as_bytes())?;
    Ok(0)
}

/// clap_complete's bash script walks the words typed so far and names the
/// state it reaches by escaping the binary's name and each subcommand's
/// separately, `-` becoming `__`: `alist__doctor__subcmd__list`. The
/// `case` arms that complete each state escape the whole path in one pass,
/// so the binary's `-` becomes the subcommand separator instead:
/// `alist__subcmd__doctor__subcmd__list)`. No arm matches a subcommand, and
/// nothing completes after one (clap-rs/clap#6421, open for clap_complete
/// 4.6). The arms are renamed to the states the walk reaches; the top
/// level (`alist__doctor`) is already spelt alike in both. Where a release
/// spells them alike, nothing here matches and the script is unchanged.
fn bash_states(script: &str, bin: &str) -> String {
    const SEP: &str = "__subcmd__";
    let wrong = format!("{}{SEP}", bin.replace('-', SEP));
    let right = format!("{}{SEP}", bin.replace('-', "__"));
    if wrong == right {
        return script.to_string();
    }
    let mut out = String::with_capacity(script.len());
    for line in script.split_inclusive('\n') {
        let body = line.trim_start();
        let indent = &line[..line.len() - body.len()];
        // An arm label: the whole line is `<state>)`.
        match body.strip_prefix(&wrong) {
            Some(rest) if rest.trim_end().ends_with(')') && !rest.contains(' ') => {
                out.push_str(indent);
                out.push_str(&right);
                out.push_str(rest);
            }
            _ => out.push_str(line),
        }
    }
    out
}

/// clap_complete's fish script completes the values of options but not of
/// positional arguments, so `alist-doctor completions <TAB>` offered file
/// names. One `complete` line per subcommand positional that has a fixed
/// set of values (the shell of `completions`) adds them.
fn fish_positionals(mut script: String, cmd: &clap::Command) -> String {
    let using = format!("__fish_{}_using_subcommand", BIN.replace('-', "_"));
    for sub in cmd.get_subcommands() {
        for arg in sub.get_positionals() {
            let values: Vec<String> = arg
                .get_possible_values()
                .iter()
                .filter(|v| !v.is_hide_set())
                .map(|v| v.get_name().to_string())
                .collect();
            if values.is_empty() {
                continue;
            }
            script.push_str(&format!(
                "complete -c {BIN} -n \"{using} {}\" -f -a \"{}\"\n",
                sub.get_name(),
                values.join(" ")
            ));
        }
    }
    script
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
