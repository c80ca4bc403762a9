//! The command line: `args` (what clap parses), `config` (settings resolved
//! once), and `main`, which maps the outcome to an exit code and nothing
//! else. The commands themselves live in `crate::commands`.

pub(crate) mod args;
pub(crate) mod config;

use std::io::{self, Write};
use std::process::ExitCode;

use clap::Parser;

use crate::cli::args::Args;
use crate::cli::config::Config;
use crate::error::Error;

/// glibc raises its mmap threshold each time a large block is freed, after
/// which recycled 256 KiB chunk buffers and the workers' freed search
/// caches stay in the heaps, and peak memory creeps up with the length of
/// the log. A fixed trim threshold keeps the threshold where it starts and
/// returns freed tops of the heaps.
fn steady_allocator() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets a tuning parameter; called before any thread
    // is started.
    unsafe {
        libc::mallopt(libc::M_TRIM_THRESHOLD, 128 << 10);
    }
}

/// Entry point of the binary.
pub(crate) fn main() -> ExitCode {
    steady_allocator();
    let args = match Args::try_parse_from(subcommand_first(std::env::args_os().collect())) {
        Ok(a) => a,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    let result = Config::from_args(args).and_then(|cfg| {
        colored::control::set_override(cfg.color);
        let stdout = io::stdout();
        let mut out = io::BufWriter::new(stdout.lock());
        let code = crate::commands::run(&cfg, &mut out)?;
        out.flush()?;
        Ok(code)
    });
    match result {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            if !e.is_quiet() {
                eprintln!(
                    "alist-doctor: error: {}",
                    crate::report::neutral::neutralise(&e.to_string())
                );
            }
            ExitCode::from(e.code())
        }
    }
}

/// `alist-doctor --lang zh explain port-in-use`: options every command
/// takes, written before the subcommand, would make clap read the
/// subcommand's name as a pasted text (pastes and subcommands exclude each
/// other). Only such options before it: the subcommand is moved first.
pub(crate) fn subcommand_first(mut argv: Vec<std::ffi::OsString>) -> Vec<std::ffi::OsString> {
    use clap::CommandFactory;
    let cmd = Args::command();
    let global: Vec<(String, bool)> = cmd
        .get_arguments()
        .filter(|a| a.is_global_set())
        .filter_map(|a| {
            let takes_value = a.get_action().takes_values();
            a.get_long().map(|l| (format!("--{l}"), takes_value))
        })
        .collect();
    let names: Vec<&str> = cmd.get_subcommands().map(|c| c.get_name()).collect();
    let mut i = 1;
    while let Some(word) = argv.get(i).and_then(|a| a.to_str()) {
        if names.contains(&word) {
            if i > 1 {
                let sub = argv.remove(i);
                argv.insert(1, sub);
            }
            break;
        }
        let (flag, inline) = match word.split_once('=') {
            Some((f, _)) => (f, true),
            None => (word, false),
        };
        match global.iter().find(|(g, _)| g == flag) {
            Some((_, true)) if !inline => i += 2,
            Some(_) => i += 1,
            None => break,
        }
    }
    argv
}

impl From<Error> for io::Error {
    fn from(e: Error) -> Self {
        io::Error::other(e.to_string())
    }
}
