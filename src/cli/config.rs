//! Settings: the parsed command line (`args`) resolved once, with the
//! environment, into what the commands read. Nothing after this looks at
//! a flag or an environment variable.

use std::io::IsTerminal;
use std::path::PathBuf;

use crate::catalog::{Lang, Server, Severity};
use crate::cli::args::{
    Args, ColorChoice, Command, DocsArg, EntryFormat, FailOn, Format, LangArg, ListFormat,
    SeverityArg, Shared,
};
use crate::error::Error;
use crate::parse::time;
use crate::pipeline::Window;
use crate::read::input::Source;
use crate::report::{self, ViewOptions};

/// What to run, resolved.
#[derive(Debug, Clone)]
pub(crate) struct Config {
    pub command: Run,
    /// The language, docs order and redaction of every view.
    pub view: ViewOptions,
    /// Colour the text output.
    pub color: bool,
    pub catalog: CatalogChoice,
}

/// Which catalog files make the catalog.
#[derive(Debug, Clone)]
pub(crate) struct CatalogChoice {
    /// User catalog files named by the user: `--catalog`,
    /// `ALIST_DOCTOR_CATALOG` (one that is refused ends the run).
    pub files: Vec<PathBuf>,
    /// Files found in the config directory's catalog.d, read on every run
    /// (one that is refused is skipped with a warning).
    pub dropins: Vec<PathBuf>,
    /// Whether the built-in catalog is used (`--no-builtin` leaves it out).
    pub builtin: bool,
}

/// The command, with its own settings.
#[derive(Debug, Clone)]
pub(crate) enum Run {
    Diagnose(Diagnosis),
    Check(CheckRun),
    Explain { id: String, json: bool },
    List(ListChoice),
    Lint { files: Vec<PathBuf> },
    Patterns,
    Completions(clap_complete::Shell),
    Man { dir: Option<PathBuf> },
}

/// A diagnosis: what to read and how to report it.
#[derive(Debug, Clone)]
pub(crate) struct Diagnosis {
    /// Inputs in the order given; a followed file is `Source::Follow`.
    pub sources: Vec<Source>,
    pub window: Window,
    pub shape: report::Shape,
    pub fail_on: Option<Severity>,
    pub threads: usize,
}

/// `check`: which directory (or where to look) and how to report.
#[derive(Debug, Clone)]
pub(crate) struct CheckRun {
    /// The data directory given, or `None` to discover.
    pub dir: Option<PathBuf>,
    /// Where discovery looks (from the environment).
    pub places: crate::check::discovery::Places,
    pub format: report::Format,
    pub fail_on: Option<Severity>,
}

/// `list`: filters and format.
#[derive(Debug, Clone)]
pub(crate) struct ListChoice {
    pub tag: Option<String>,
    pub driver: Option<String>,
    pub severity: Option<Severity>,
    pub source: bool,
    pub format: ListFormat,
}

impl Config {
    /// Resolves the command line with this process's environment.
    pub(crate) fn from_args(args: Args) -> Result<Config, Error> {
        Config::resolve(args, &|k| std::env::var(k).ok(), io_is_terminal())
    }

    /// `from_args` with the environment and terminal given (tests).
    fn resolve(
        args: Args,
        env: &dyn Fn(&str) -> Option<String>,
        tty: Tty,
    ) -> Result<Config, Error> {
        let Args {
            texts,
            files,
            follow,
            since,
            until,
            threads,
            format,
            statistics,
            fail_on,
            shared,
            command,
        } = args;
        let Shared {
            color,
            lang,
            docs,
            no_redact,
            catalogs,
            no_builtin,
        } = shared;
        let command = match command {
            Some(Command::Check(c)) => Run::Check(CheckRun {
                dir: c.dir,
                places: places(env),
                format: report_format(c.format),
                fail_on: fail_on_severity(c.fail_on),
            }),
            Some(Command::Explain { id, format }) => Run::Explain {
                id,
                json: format == EntryFormat::Json,
            },
            Some(Command::List(l)) => Run::List(ListChoice {
                tag: l.tag,
                driver: l.driver,
                severity: l.severity.map(severity),
                source: l.source,
                format: l.format,
            }),
            Some(Command::Lint { files }) => Run::Lint { files },
            Some(Command::Patterns) => Run::Patterns,
            Some(Command::Completions { shell }) => Run::Completions(shell),
            Some(Command::Man { all }) => Run::Man { dir: all },
            None => {
                if statistics && !matches!(format, Format::Text | Format::Json) {
                    return Err(Error::Usage(format!(
                        "--statistics prints counts in text or json, not with --format {}",
                        format_name(format)
                    )));
                }
                let mut sources = Vec::new();
                for (i, t) in texts.into_iter().enumerate() {
                    if t == "-" {
                        if !sources.contains(&Source::Stdin) {
                            sources.push(Source::Stdin);
                        }
                    } else {
                        sources.push(Source::Text {
                            index: i + 1,
                            text: t,
                        });
                    }
                }
                sources.extend(files.into_iter().map(Source::File));
                let live = follow.is_some() && format == Format::Text && !statistics;
                sources.extend(follow.map(Source::Follow));
                if sources.is_empty() {
                    if tty.stdin {
                        return Err(Error::Usage(
                            "nothing to diagnose: paste an error message as an argument, \
                             pipe a log into standard input, or use --file PATH (see --help)"
                                .into(),
                        ));
                    }
                    sources.push(Source::Stdin);
                }
                let window = Window {
                    since: since
                        .map(|s| time::bound(&s, false).map_err(Error::Usage))
                        .transpose()?,
                    until: until
                        .map(|s| time::bound(&s, true).map_err(Error::Usage))
                        .transpose()?,
                };
                Run::Diagnose(Diagnosis {
                    sources,
                    window,
                    shape: report::Shape {
                        format: report_format(format),
                        statistics,
                        live,
                    },
                    fail_on: fail_on_severity(fail_on),
                    threads: threads.map_or_else(default_threads, usize::from),
                })
            }
        };
        let mut files = catalogs;
        files.extend(env_catalog_files(env));
        Ok(Config {
            command,
            view: ViewOptions {
                lang: resolve_lang(lang, env),
                docs_first: match docs {
                    DocsArg::Alist => Server::Alist,
                    DocsArg::Openlist => Server::Openlist,
                },
                redact: !no_redact,
                running: None,
            },
            color: resolve_color(color, env, tty.stdout),
            catalog: CatalogChoice {
                files,
                dropins: dropin_catalog_files(env),
                builtin: !no_builtin,
            },
        })
    }
}

/// Which standard streams are terminals.
#[derive(Debug, Clone, Copy)]
struct Tty {
    stdin: bool,
    stdout: bool,
}

fn io_is_terminal() -> Tty {
    Tty {
        stdin: std::io::stdin().is_terminal(),
        stdout: std::io::stdout().is_terminal(),
    }
}

fn severity(s: SeverityArg) -> Severity {
    match s {
        SeverityArg::Error => Severity::Error,
        SeverityArg::Warning => Severity::Warning,
        SeverityArg::Info => Severity::Info,
    }
}

fn report_format(f: Format) -> report::Format {
    match f {
        Format::Text => report::Format::Text,
        Format::Json => report::Format::Json,
        Format::Ndjson => report::Format::Ndjson,
        Format::Github => report::Format::Github,
        Format::Sarif => report::Format::Sarif,
    }
}

fn fail_on_severity(f: FailOn) -> Option<Severity> {
    match f {
        FailOn::Error => Some(Severity::Error),
        FailOn::Warning => Some(Severity::Warning),
        FailOn::Info => Some(Severity::Info),
        FailOn::Never => None,
    }
}

/// Where `check` looks for data directories: this process's working
/// directory, PATH, HOME, APPDATA; `ALIST_DOCTOR_ROOT` prefixes the
/// absolute places (tests, or a mounted system image).
fn places(env: &dyn Fn(&str) -> Option<String>) -> crate::check::discovery::Places {
    let nonempty = |k: &str| env(k).filter(|v| !v.is_empty()).map(PathBuf::from);
    crate::check::discovery::Places {
        root: nonempty("ALIST_DOCTOR_ROOT"),
        cwd: std::env::current_dir().ok(),
        home: nonempty("HOME"),
        appdata: nonempty("APPDATA"),
        path: env("PATH")
            .map(|p| std::env::split_paths(&p).collect())
            .unwrap_or_default(),
    }
}

fn format_name(f: Format) -> &'static str {
    match f {
        Format::Text => "text",
        Format::Json => "json",
        Format::Ndjson => "ndjson",
        Format::Github => "github",
        Format::Sarif => "sarif",
    }
}

/// Cores to use by default: all of them, at most 4 (matching scales no
/// further on a log: the input is read faster than four cores match it).
fn default_threads() -> usize {
    std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(4)
}

/// Language from the flag, else the locale variables in POSIX precedence.
pub(crate) fn resolve_lang(flag: Option<LangArg>, env: &dyn Fn(&str) -> Option<String>) -> Lang {
    match flag {
        Some(LangArg::Zh) => Lang::Zh,
        Some(LangArg::En) => Lang::En,
        None => {
            let locale = ["LC_ALL", "LC_MESSAGES", "LANG"]
                .iter()
                .filter_map(|k| env(k))
                .find(|v| !v.is_empty())
                .unwrap_or_default();
            if locale.to_ascii_lowercase().starts_with("zh") {
                Lang::Zh
            } else {
                Lang::En
            }
        }
    }
}

/// Whether to colour: an explicit flag wins; with auto, NO_COLOR and
/// TERM=dumb turn colour off, CLICOLOR_FORCE turns it on, else colour only
/// a terminal.
pub(crate) fn resolve_color(
    choice: ColorChoice,
    env: &dyn Fn(&str) -> Option<String>,
    tty: bool,
) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            if env("NO_COLOR").is_some_and(|v| !v.is_empty())
                || env("TERM").is_some_and(|v| v == "dumb")
            {
                false
            } else if env("CLICOLOR_FORCE").is_some_and(|v| !v.is_empty() && v != "0") {
                true
            } else {
                tty
            }
        }
    }
}

/// Extra catalog files named in `ALIST_DOCTOR_CATALOG` (a path list).
fn env_catalog_files(env: &dyn Fn(&str) -> Option<String>) -> Vec<PathBuf> {
    env("ALIST_DOCTOR_CATALOG")
        .map(|list| {
            std::env::split_paths(&list)
                .filter(|p| !p.as_os_str().is_empty())
                .collect()
        })
        .unwrap_or_default()
}

/// Every `*.yaml` in the user's `alist-doctor/catalog.d/` config
/// directory, by name.
fn dropin_catalog_files(env: &dyn Fn(&str) -> Option<String>) -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = Vec::new();
    if let Some(dir) = config_dir(env).map(|d| d.join("alist-doctor").join("catalog.d"))
        && let Ok(rd) = std::fs::read_dir(&dir)
    {
        found = rd
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "yaml" || x == "yml"))
            .collect();
        found.sort();
    }
    found
}

/// `$XDG_CONFIG_HOME`, `~/.config` on Unix, `%APPDATA%` on Windows.
fn config_dir(env: &dyn Fn(&str) -> Option<String>) -> Option<PathBuf> {
    if let Some(x) = env("XDG_CONFIG_HOME").filter(|x| !x.is_empty()) {
        return Some(PathBuf::from(x));
    }
    if cfg!(windows) {
        return env("APPDATA").map(PathBuf::from);
    }
    if cfg!(target_os = "macos")
        && let Some(h) = env("HOME")
    {
        let p = PathBuf::from(h).join("Library/Application Support");
        if p.is_dir() {
            return Some(p);
        }
    }
    env("HOME").map(|h| PathBuf::from(h).join(".config"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lang_from_locale() {
        let env = |v: &'static str| move |k: &str| (k == "LANG").then(|| v.to_string());
        assert_eq!(resolve_lang(None, &env("zh_CN.UTF-8")), Lang::Zh);
        assert_eq!(resolve_lang(None, &env("en_US.UTF-8")), Lang::En);
        assert_eq!(
            resolve_lang(Some(LangArg::En), &env("zh_CN.UTF-8")),
            Lang::En
        );
        let lc_all = |k: &str| match k {
            "LC_ALL" => Some("C".to_string()),
            "LANG" => Some("zh_TW".to_string()),
            _ => None,
        };
        assert_eq!(resolve_lang(None, &lc_all), Lang::En);
    }

    #[test]
    fn colour_precedence() {
        let none = |_: &str| None;
        let no_color = |k: &str| (k == "NO_COLOR").then(|| "1".to_string());
        let force = |k: &str| (k == "CLICOLOR_FORCE").then(|| "1".to_string());
        let dumb = |k: &str| (k == "TERM").then(|| "dumb".to_string());
        assert!(resolve_color(ColorChoice::Auto, &none, true));
        assert!(!resolve_color(ColorChoice::Auto, &none, false));
        assert!(!resolve_color(ColorChoice::Auto, &no_color, true));
        assert!(!resolve_color(ColorChoice::Auto, &dumb, true));
        assert!(resolve_color(ColorChoice::Auto, &force, false));
        assert!(resolve_color(ColorChoice::Always, &no_color, false));
        assert!(!resolve_color(ColorChoice::Never, &force, true));
    }
}
