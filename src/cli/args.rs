//! The command line as clap parses it, and nothing else: every flag is
//! defined here once; `--help`, the man page and the completions are
//! generated from these types. `config` turns them into settings.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

pub(crate) const VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (catalog ",
    crate::catalog_version!(),
    ", ",
    env!("ALIST_DOCTOR_ENTRIES"),
    " entries)"
);

const AFTER_HELP: &str = "\
Examples:
  alist-doctor 'failed to start: listen tcp 0.0.0.0:5244: bind: address already in use'
  docker logs alist 2>&1 | alist-doctor
  alist-doctor --file data/log/log.log --format json
  alist-doctor explain port-in-use

Exit status: 0 nothing at or above --fail-on, 1 a finding at or above it,
2 a usage error, an unreadable input or an invalid catalog, 130 Ctrl-C.";

const AFTER_LONG_HELP: &str = "\
Examples:
  alist-doctor 'failed to start: listen tcp 0.0.0.0:5244: bind: address already in use'
  docker logs alist 2>&1 | alist-doctor
  alist-doctor --file data/log/log.log --format json
  alist-doctor --follow data/log/log.log
  alist-doctor explain port-in-use
  alist-doctor list --driver 115

EXIT STATUS
  0    nothing found at or above --fail-on (or --fail-on never)
  1    a finding at or above --fail-on (default: any finding)
  2    a usage error, an input that could not be read, or an invalid catalog
  130  interrupted by Ctrl-C (what was read is still reported)

ENVIRONMENT
  ALIST_DOCTOR_CATALOG   extra catalog files, separated like PATH
  XDG_CONFIG_HOME        every *.yaml in $XDG_CONFIG_HOME/alist-doctor/catalog.d
                         (default ~/.config; %APPDATA% on Windows) is a catalog too
  NO_COLOR               no colour with --color auto
  CLICOLOR_FORCE         colour with --color auto even when not on a terminal
  TERM                   TERM=dumb means no colour with --color auto
  LC_ALL, LC_MESSAGES, LANG
                         zh_* chooses Chinese text when --lang is not given
  TZ                     the time zone of --since/--until times given with an offset
  GITHUB_STEP_SUMMARY    --format github also appends a table to this file";

/// Explains AList and OpenList errors: paste a message or pipe a whole log.
#[derive(Debug, Parser)]
#[command(
    name = "alist-doctor",
    version = VERSION,
    about,
    after_help = AFTER_HELP,
    after_long_help = AFTER_LONG_HELP,
    args_conflicts_with_subcommands = true
)]
pub(crate) struct Args {
    /// Error messages to diagnose, one pasted message each (may span lines);
    /// `-` reads standard input. With no TEXT and no --file, standard input is read.
    #[arg(value_name = "TEXT", help_heading = "Input")]
    pub texts: Vec<String>,

    /// Read a log file (repeatable; .gz files are read too).
    #[arg(
        short = 'f',
        long = "file",
        value_name = "PATH",
        help_heading = "Input"
    )]
    pub files: Vec<PathBuf>,

    /// Follow a growing log file like `tail -F` (re-opened when rotated,
    /// waited for when it does not exist yet); Ctrl-C ends it.
    #[arg(long, value_name = "PATH", help_heading = "Input")]
    pub follow: Option<PathBuf>,

    /// Only events at or after this time: `2024-01-02 15:04:05`, `2024-01-02 15:04`,
    /// RFC 3339 (`2024-01-02T15:04:05+08:00`, converted to local time) or a date.
    /// Events without a timestamp are kept.
    #[arg(long, value_name = "TIME", help_heading = "Input")]
    pub since: Option<String>,

    /// Only events at or before this time (same forms as --since; a bare date
    /// means the end of that day).
    #[arg(long, value_name = "TIME", help_heading = "Input")]
    pub until: Option<String>,

    /// Worker threads that parse and match a log [default: the number of cores, at most 4].
    #[arg(short = 'j', long, value_name = "N", help_heading = "Input",
          value_parser = clap::value_parser!(u16).range(1..=64))]
    pub threads: Option<u16>,

    /// Output format of the diagnosis.
    #[arg(long, value_enum, default_value_t = Format::Text, help_heading = "Output")]
    pub format: Format,

    /// Print only how often each problem occurred (text and json).
    #[arg(long, help_heading = "Output")]
    pub statistics: bool,

    /// Exit with 1 when a finding is at least this severe (`never`: always 0).
    #[arg(long, value_enum, default_value_t = FailOn::Info, value_name = "SEVERITY",
          help_heading = "Output")]
    pub fail_on: FailOn,

    #[command(flatten)]
    pub shared: Shared,

    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Options every command takes.
#[derive(Debug, Clone, clap::Args)]
pub(crate) struct Shared {
    /// When to colour the text output (NO_COLOR, CLICOLOR_FORCE and TERM=dumb
    /// are honoured with auto).
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, value_name = "WHEN",
          global = true, help_heading = "Output")]
    pub color: ColorChoice,

    /// Language of titles, causes and fixes [default: from LC_ALL, LC_MESSAGES or LANG].
    #[arg(long, value_enum, global = true, help_heading = "Output")]
    pub lang: Option<LangArg>,

    /// Whose documentation to link first.
    #[arg(long, value_enum, default_value_t = DocsArg::Alist, global = true,
          help_heading = "Output")]
    pub docs: DocsArg,

    /// Show secrets (tokens, cookies, passwords, signed URLs) instead of masking them.
    #[arg(long, global = true, help_heading = "Output")]
    pub no_redact: bool,

    /// Add a catalog file whose entries extend or override the built-in ones (repeatable).
    #[arg(
        long = "catalog",
        value_name = "FILE",
        global = true,
        help_heading = "Catalog"
    )]
    pub catalogs: Vec<PathBuf>,

    /// Leave the built-in catalog out: only --catalog files (and user catalogs)
    /// are used. For catalog authors: `--no-builtin --catalog data/*.yaml`
    /// tries edited files without a rebuild.
    #[arg(long, global = true, help_heading = "Catalog")]
    pub no_builtin: bool,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Check an installation's data directory (config.json, data.db, the log)
    /// for problems, without writing anything there.
    Check(CheckArgs),
    /// Print everything the catalog knows about one problem.
    Explain {
        /// The problem's id, as shown in brackets in the report (case does not matter).
        id: String,
        /// Output format.
        #[arg(long, value_enum, default_value_t = EntryFormat::Text)]
        format: EntryFormat,
    },
    /// List the catalog's problems: id, severity, title.
    List(ListArgs),
    /// Check catalog files: schema, regexes, examples, counter-examples, evidence.
    Lint {
        /// Catalog files to check together [default: the built-in catalog].
        files: Vec<PathBuf>,
    },
    /// Print every catalog pattern, one per line (for `rg -f` comparisons).
    Patterns,
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell) to
    /// standard output; see the README for where to put it.
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff), or write one page per command into DIR.
    Man {
        /// Write alist-doctor.1 and a page for each subcommand into this directory.
        #[arg(long, value_name = "DIR")]
        all: Option<PathBuf>,
    },
}

/// `alist-doctor check [DATA_DIR]`.
#[derive(Debug, Clone, clap::Args)]
#[command(after_help = "\
With no DATA_DIR, looks in ./data, beside an alist or openlist binary on PATH,
/opt/alist/data, /opt/openlist/data, /etc/alist, /etc/openlist, /etc/openlist2,
the WorkingDirectory of alist.service / openlist.service and OpenList Desktop's
folder, and checks every data directory found.

Nothing in the data directory is written or locked: the database is read with
SQLite's immutable mode, or through a private copy while a server is writing it.

Exit status as for a diagnosis: 0 nothing at or above --fail-on, 1 a finding at
or above it, 2 no data directory or a usage error, 130 Ctrl-C.")]
pub(crate) struct CheckArgs {
    /// The data directory (holds config.json and data.db) [default: discover].
    #[arg(value_name = "DATA_DIR")]
    pub dir: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Exit with 1 when a finding is at least this severe (`never`: always 0).
    #[arg(long, value_enum, default_value_t = FailOn::Info, value_name = "SEVERITY")]
    pub fail_on: FailOn,
}

/// Filters and columns of `alist-doctor list`.
#[derive(Debug, Clone, clap::Args)]
pub(crate) struct ListArgs {
    /// Only entries with this tag.
    #[arg(long, value_name = "TAG")]
    pub tag: Option<String>,
    /// Only entries about this driver (AList driver name, case-insensitive).
    #[arg(long, value_name = "DRIVER")]
    pub driver: Option<String>,
    /// Only entries of this severity.
    #[arg(long, value_enum, value_name = "SEVERITY")]
    pub severity: Option<SeverityArg>,
    /// Show where each entry comes from (embedded file or user catalog).
    #[arg(long)]
    pub source: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ListFormat::Text)]
    pub format: ListFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum SeverityArg {
    Error,
    Warning,
    Info,
}

/// Output formats of a diagnosis.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Format {
    /// Human-readable report (coloured on a terminal).
    Text,
    /// One JSON document (schema in docs/output.schema.json).
    Json,
    /// One JSON object per event as it is diagnosed, then a summary object.
    Ndjson,
    /// GitHub Actions workflow commands; a table in $GITHUB_STEP_SUMMARY.
    Github,
    /// SARIF 2.1.0, for GitHub code scanning and other SARIF viewers.
    Sarif,
}

/// Output formats of `explain`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum EntryFormat {
    Text,
    /// Every field of the entry, as JSON.
    Json,
}

/// Output formats of `list`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum ListFormat {
    Text,
    Json,
    /// The catalog as one Markdown page (docs/catalog.md).
    Markdown,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum FailOn {
    Error,
    Warning,
    /// Any finding.
    Info,
    Never,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum LangArg {
    En,
    Zh,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum DocsArg {
    Alist,
    Openlist,
}
