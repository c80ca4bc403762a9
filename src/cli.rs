//! Command-line interface: the clap definitions (the only place flags exist),
//! their resolution into settings, and the subcommands.

use std::io::{self, IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context as _, Result, bail};
use clap::{Parser, Subcommand, ValueEnum};

use crate::catalog::{Catalog, CatalogIssue, Lang, Server, Severity};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::catalog::lint::{self, LintFile};
use crate::diagnose::{Diagnoser, Outcome};
use crate::matching::Matcher;
use crate::parse::time::sortable as parse_time;
use crate::pipeline::{ScanOptions, Window};
use crate::read::input::Source;
use crate::report::{self, InputError, ViewOptions};

const VERSION: &str = concat!(
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

Exit codes: 0 nothing found at or above --fail-on, 1 a finding at or above
--fail-on, 2 usage error, unreadable input or invalid catalog.";

/// Explains AList and OpenList errors: paste a message or pipe a whole log.
#[derive(Debug, Parser)]
#[command(
    name = "alist-doctor",
    version = VERSION,
    about,
    after_help = AFTER_HELP
)]
pub(crate) struct Cli {
    /// Error messages to diagnose, one pasted message each (may span lines);
    /// `-` reads standard input. With no TEXT and no --file, standard input is read.
    #[arg(value_name = "TEXT")]
    pub texts: Vec<String>,

    /// Read a log file (repeatable).
    #[arg(short = 'f', long = "file", value_name = "PATH")]
    pub files: Vec<PathBuf>,

    /// Follow a growing log file like `tail -F` (re-opened when rotated); Ctrl-C ends it.
    #[arg(long, value_name = "PATH")]
    pub follow: Option<PathBuf>,

    /// Only events at or after this time (`2024-01-02 15:04:05`, RFC 3339, or a date).
    #[arg(long, value_name = "TIME", value_parser = time_arg)]
    pub since: Option<String>,

    /// Only events at or before this time (same forms as --since).
    #[arg(long, value_name = "TIME", value_parser = time_arg)]
    pub until: Option<String>,

    /// Print only how often each problem occurred.
    #[arg(long)]
    pub statistics: bool,

    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text, global = true)]
    pub format: Format,

    /// When to colour the text output (NO_COLOR and CLICOLOR_FORCE are honoured with auto).
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, value_name = "WHEN", global = true)]
    pub color: ColorChoice,

    /// Exit with 1 when a finding is at least this severe (`never`: always 0).
    #[arg(long, value_enum, default_value_t = FailOn::Info, value_name = "SEVERITY")]
    pub fail_on: FailOn,

    /// Worker threads that parse and match a log [default: the number of cores, at most 4].
    #[arg(short = 'j', long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=64))]
    pub threads: Option<u16>,

    /// Language of titles, causes and fixes [default: from LC_ALL, LC_MESSAGES or LANG].
    #[arg(long, value_enum, global = true)]
    pub lang: Option<LangArg>,

    /// Whose documentation to link first.
    #[arg(long, value_enum, default_value_t = DocsArg::Alist, global = true)]
    pub docs: DocsArg,

    /// Show secrets (tokens, cookies, passwords, signed URLs) instead of masking them.
    #[arg(long, global = true)]
    pub no_redact: bool,

    /// Add a catalog file whose entries extend or override the built-in ones (repeatable).
    #[arg(long = "catalog", value_name = "FILE", global = true)]
    pub catalogs: Vec<PathBuf>,

    /// Leave the built-in catalog out: only --catalog files (and user catalogs)
    /// are used. For catalog authors: `--no-builtin --catalog data/*.yaml`
    /// tries edited files without a rebuild.
    #[arg(long, global = true)]
    pub no_builtin: bool,

    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Print everything the catalog knows about one problem.
    Explain {
        /// The problem's id, as shown in brackets in the report.
        id: String,
    },
    /// List the catalog's problems: id, severity, title.
    List(ListArgs),
    /// Check catalog files: schema, regexes, examples, counter-examples.
    Lint {
        /// Catalog files to check together [default: the built-in catalog].
        files: Vec<PathBuf>,
    },
    /// Print every catalog pattern, one per line (for `rg -f` comparisons).
    Patterns,
    /// Print a shell completion script.
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff).
    Man,
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
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum SeverityArg {
    Error,
    Warning,
    Info,
}

impl From<SeverityArg> for Severity {
    fn from(s: SeverityArg) -> Severity {
        match s {
            SeverityArg::Error => Severity::Error,
            SeverityArg::Warning => Severity::Warning,
            SeverityArg::Info => Severity::Info,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Format {
    /// Human-readable report (coloured on a terminal).
    Text,
    /// One JSON document (fields in README.md, schema in docs/output.schema.json).
    Json,
    /// One JSON object per event as it is diagnosed, then a summary object.
    Ndjson,
    /// GitHub Actions workflow commands; a table in $GITHUB_STEP_SUMMARY.
    Github,
    /// SARIF 2.1.0, for GitHub code scanning and other SARIF viewers.
    Sarif,
    /// The catalog as one Markdown page (with `list` only).
    Markdown,
}

fn time_arg(s: &str) -> std::result::Result<String, String> {
    parse_time(s).ok_or_else(|| {
        format!("'{s}' is not a time: use '2024-01-02 15:04:05', '2024-01-02T15:04:05+08:00' or '2024-01-02'")
    })
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

/// Resolved settings: what the rest of the program sees.
#[derive(Debug, Clone)]
pub(crate) struct Config {
    pub sources: Vec<Source>,
    pub follow: Option<PathBuf>,
    pub window: Window,
    pub statistics: bool,
    pub format: Format,
    pub fail_on: Option<Severity>,
    pub view: ViewOptions,
    pub catalogs: Vec<PathBuf>,
    /// Whether the built-in catalog is used (`--no-builtin` leaves it out).
    pub builtin: bool,
    pub threads: usize,
}

/// Language from the flag, else the locale variables in POSIX precedence.
pub(crate) fn resolve_lang(flag: Option<LangArg>, env: impl Fn(&str) -> Option<String>) -> Lang {
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

/// Whether to colour: an explicit flag wins; with auto, NO_COLOR turns colour
/// off, CLICOLOR_FORCE turns it on, else colour only a terminal.
pub(crate) fn resolve_color(
    choice: ColorChoice,
    env: impl Fn(&str) -> Option<String>,
    tty: bool,
) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            if env("NO_COLOR").is_some_and(|v| !v.is_empty()) {
                false
            } else if env("CLICOLOR_FORCE").is_some_and(|v| !v.is_empty() && v != "0") {
                true
            } else {
                tty
            }
        }
    }
}

fn env_var(k: &str) -> Option<String> {
    std::env::var(k).ok()
}

impl Cli {
    fn resolve(&self) -> Result<Config> {
        let mut sources = Vec::new();
        for (i, t) in self.texts.iter().enumerate() {
            if t == "-" {
                if !sources.contains(&Source::Stdin) {
                    sources.push(Source::Stdin);
                }
            } else {
                sources.push(Source::Text {
                    index: i + 1,
                    text: t.clone(),
                });
            }
        }
        sources.extend(self.files.iter().cloned().map(Source::File));
        if sources.is_empty() && self.follow.is_none() {
            if io::stdin().is_terminal() {
                bail!(
                    "nothing to diagnose: paste an error message as an argument, \
                     pipe a log into standard input, or use --file PATH (see --help)"
                );
            }
            sources.push(Source::Stdin);
        }
        let mut catalogs = self.catalogs.clone();
        catalogs.extend(user_catalog_files());
        Ok(Config {
            builtin: !self.no_builtin,
            sources,
            follow: self.follow.clone(),
            window: Window {
                since: self.since.clone(),
                until: self.until.clone(),
            },
            statistics: self.statistics,
            format: self.format,
            fail_on: match self.fail_on {
                FailOn::Error => Some(Severity::Error),
                FailOn::Warning => Some(Severity::Warning),
                FailOn::Info => Some(Severity::Info),
                FailOn::Never => None,
            },
            view: self.view_options(),
            catalogs,
            threads: self.threads.map_or_else(default_threads, usize::from),
        })
    }

    fn view_options(&self) -> ViewOptions {
        ViewOptions {
            lang: resolve_lang(self.lang, env_var),
            docs_first: match self.docs {
                DocsArg::Alist => Server::Alist,
                DocsArg::Openlist => Server::Openlist,
            },
            redact: !self.no_redact,
        }
    }

    fn load_catalog(&self) -> Result<std::borrow::Cow<'static, Catalog>> {
        let mut files = self.catalogs.clone();
        files.extend(user_catalog_files());
        Ok(Catalog::with_user_files(&files, !self.no_builtin)?)
    }
}

/// Extra catalog files: `ALIST_DOCTOR_CATALOG` (path-list) and every `*.yaml`
/// in the user's `alist-doctor/catalog.d/` config directory.
pub(crate) fn user_catalog_files() -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = Vec::new();
    if let Some(list) = std::env::var_os("ALIST_DOCTOR_CATALOG") {
        out.extend(std::env::split_paths(&list).filter(|p| !p.as_os_str().is_empty()));
    }
    if let Some(dir) = config_dir().map(|d| d.join("alist-doctor").join("catalog.d"))
        && let Ok(rd) = std::fs::read_dir(&dir)
    {
        let mut found: Vec<PathBuf> = rd
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "yaml" || x == "yml"))
            .collect();
        found.sort();
        out.extend(found);
    }
    out
}

/// `$XDG_CONFIG_HOME`, `~/.config` on Unix, `%APPDATA%` on Windows.
fn config_dir() -> Option<PathBuf> {
    if let Some(x) = std::env::var_os("XDG_CONFIG_HOME").filter(|x| !x.is_empty()) {
        return Some(PathBuf::from(x));
    }
    if cfg!(windows) {
        return std::env::var_os("APPDATA").map(PathBuf::from);
    }
    if cfg!(target_os = "macos")
        && let Some(h) = std::env::var_os("HOME")
    {
        let p = PathBuf::from(h).join("Library/Application Support");
        if p.is_dir() {
            return Some(p);
        }
    }
    std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config"))
}

/// glibc raises its mmap threshold each time a large block is freed, after
/// which recycled 256 KiB chunk buffers and the workers' freed search
/// caches stay in the heaps, and peak memory creeps up with the length of
/// the log (+1 MiB over 1 GiB). A fixed trim threshold keeps the threshold
/// where it starts and returns freed tops of the heaps.
fn steady_allocator() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets a tuning parameter; called before any thread
    // is started.
    unsafe {
        libc::mallopt(libc::M_TRIM_THRESHOLD, 128 << 10);
    }
}

/// Entry point of the binary: runs and maps every failure to exit code 2.
pub(crate) fn main() -> ExitCode {
    steady_allocator();
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    let color = resolve_color(cli.color, env_var, io::stdout().is_terminal());
    colored::control::set_override(color);
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    let result = run(&cli, &mut out).and_then(|code| {
        out.flush()?;
        Ok(code)
    });
    match result {
        Ok(code) => ExitCode::from(code),
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("alist-doctor: error: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<io::Error>()
            .is_some_and(|io| io.kind() == io::ErrorKind::BrokenPipe)
    })
}

/// Runs the parsed command line; returns the exit code.
pub(crate) fn run(cli: &Cli, out: &mut dyn Write) -> Result<u8> {
    match &cli.command {
        Some(Command::Explain { id }) => explain(cli, id, out),
        Some(Command::List(args)) => list(cli, args, out),
        Some(Command::Lint { files }) => lint_cmd(files, out),
        Some(Command::Patterns) => {
            let cat = cli.load_catalog()?;
            // ripgrep joins `-f` patterns into one regex, where two patterns
            // naming the same group would clash: plain groups match the same.
            let named = crate::small_regex(r"\(\?P?<[A-Za-z_][A-Za-z0-9_]*>")?;
            for e in &cat.entries {
                for p in e.patterns {
                    writeln!(out, "(?i){}", named.replace_all(p, "("))?;
                }
            }
            Ok(0)
        }
        Some(Command::Completions { shell }) => {
            let mut cmd = <Cli as clap::CommandFactory>::command();
            clap_complete::generate(*shell, &mut cmd, "alist-doctor", out);
            Ok(0)
        }
        Some(Command::Man) => {
            let cmd = <Cli as clap::CommandFactory>::command();
            clap_mangen::Man::new(cmd).render(out)?;
            Ok(0)
        }
        None => diagnose(cli, out),
    }
}

/// Workers for a log: one per core; past four, reading is the limit.
fn default_threads() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get().min(4))
}

fn diagnose(cli: &Cli, out: &mut dyn Write) -> Result<u8> {
    if cli.format == Format::Markdown {
        bail!("--format markdown renders the catalog: use it with `alist-doctor list`");
    }
    let cfg = cli.resolve()?;
    let catalog = Catalog::with_user_files(&cfg.catalogs, cfg.builtin)?;
    let matcher = Matcher::new(catalog);
    let mut d = Diagnoser::new(&matcher);

    // Ctrl-C ends reading; what was found is still reported (exit 130).
    let stop = Arc::new(AtomicBool::new(false));
    {
        let stop = Arc::clone(&stop);
        let _ = ctrlc::set_handler(move || stop.store(true, Ordering::Relaxed));
    }

    let mut sources = cfg.sources.clone();
    if let Some(p) = &cfg.follow {
        sources.push(Source::File(p.clone()));
    }
    let names: Vec<String> = sources.iter().map(Source::name).collect();
    let follow_index = cfg.follow.as_ref().map(|_| sources.len() - 1);
    // Following a file in text mode prints each problem when first seen.
    let live_text = follow_index.is_some() && cfg.format == Format::Text && !cfg.statistics;
    let progress =
        io::stderr().is_terminal() && cfg.format != Format::Ndjson && follow_index.is_none();
    let mut errors = Vec::new();
    let mut output_error: Option<io::Error> = None;

    for (i, src) in sources.iter().enumerate() {
        if stop.load(Ordering::Relaxed) {
            break;
        }
        let following = Some(i) == follow_index;
        let opened = if following {
            match &cfg.follow {
                Some(p) => crate::read::input::FollowReader::open(p, Arc::clone(&stop))
                    .map(|r| (Box::new(r) as Box<dyn io::Read + Send>, None, false)),
                None => continue,
            }
        } else {
            open_with_progress(src, progress, &stop)
        };
        let (reader, bar, shared_read) = match opened {
            Ok(r) => r,
            Err(reason) => {
                input_error(&mut errors, src, reason);
                continue;
            }
        };
        let opts = ScanOptions {
            paste: src.is_paste(),
            window: &cfg.window,
            live: following || (cfg.format == Format::Ndjson && *src == Source::Stdin),
            stop: &stop,
            parallel: true,
            threads: cfg.threads,
            stdin: *src == Source::Stdin,
            shared_read,
        };
        let view_opts = cfg.view;
        let mut on_event = |d: &Diagnoser<'_>, o: Outcome| -> io::Result<()> {
            let written = match (cfg.format, o) {
                (Format::Ndjson, _) => report::ndjson::occurrence(out, d, o, &names, &view_opts),
                (Format::Text, Outcome::Finding { index, new: true }) if live_text => {
                    let f = report::finding_view(d, &d.findings[index], &names, &view_opts);
                    report::text::finding(out, &f, view_opts.lang).and_then(|_| out.flush())
                }
                _ => Ok(()),
            };
            written.map_err(|e| {
                let stop_reading = io::Error::other("output failed");
                output_error = Some(e);
                // Ends standard input too, for whoever is reading it.
                stop.store(true, Ordering::Relaxed);
                stop_reading
            })
        };
        let result = crate::pipeline::scan(&mut d, reader, i, &opts, &mut on_event);
        if let Some(bar) = bar {
            bar.finish_and_clear();
        }
        if let Some(e) = output_error.take() {
            return Err(e.into());
        }
        if let Err(e) = result {
            input_error(
                &mut errors,
                src,
                format!("read error: {}", crate::read::input::io_reason(&e)),
            );
        }
    }

    let view = report::build(&d, &names, &errors, &cfg.view);
    match (cfg.format, cfg.statistics) {
        (Format::Text, true) => report::text::statistics(out, &view)?,
        (Format::Json, true) => report::json::statistics(out, &view)?,
        (Format::Text, false) if live_text => report::text::unknown_and_summary(out, &view)?,
        (Format::Text, false) => report::text::render(out, &view)?,
        (Format::Json, false) => report::json::render(out, &view)?,
        (Format::Ndjson, _) => report::ndjson::summary(out, &view)?,
        (Format::Sarif, _) => report::sarif::render(out, &view)?,
        (Format::Markdown, _) => {}
        (Format::Github, _) => {
            report::github::render(out, &view)?;
            if let Some(path) = std::env::var_os("GITHUB_STEP_SUMMARY").filter(|p| !p.is_empty()) {
                report::github::step_summary(std::path::Path::new(&path), &view).with_context(
                    || {
                        format!(
                            "cannot append to GITHUB_STEP_SUMMARY ({})",
                            path.to_string_lossy()
                        )
                    },
                )?;
            }
        }
    }
    if stop.load(Ordering::Relaxed) {
        return Ok(130);
    }
    Ok(exit_code(&view, cfg.fail_on))
}

/// An input opened for reading, with its progress bar (large files on a
/// terminal) and whether its reads end promptly once reading stops (a
/// regular file; standard input on Unix, see `input::StdinReader`), so
/// that workers may read it themselves.
type Opened = (
    Box<dyn io::Read + Send>,
    Option<indicatif::ProgressBar>,
    bool,
);

/// Opens an input, with a progress bar on stderr for files when asked.
fn open_with_progress(
    src: &Source,
    progress: bool,
    stop: &Arc<AtomicBool>,
) -> std::result::Result<Opened, String> {
    let Source::File(path) = src else {
        let stops_promptly = *src == Source::Stdin && crate::read::input::STDIN_STOPS_PROMPTLY;
        return src.open(stop).map(|r| (r, None, stops_promptly));
    };
    let file = crate::read::input::open_file(path)?;
    let meta = file.metadata().ok();
    let regular = meta.as_ref().is_some_and(std::fs::Metadata::is_file);
    let len = meta.map_or(0, |m| m.len());
    // Small or non-regular files are over before a bar would help.
    if !progress || len < 8 << 20 {
        let r = crate::read::input::maybe_gunzip(Box::new(file))
            .map_err(|e| crate::read::input::io_reason(&e))?;
        return Ok((r, None, regular));
    }
    let bar = progress_bar(len);
    let wrapped = bar.wrap_read(file);
    let r = crate::read::input::maybe_gunzip(Box::new(wrapped))
        .map_err(|e| crate::read::input::io_reason(&e))?;
    Ok((r, Some(bar), regular))
}

/// Says on stderr, in one line, that `src` could not be read, and keeps it
/// for the summary (and exit code 2).
fn input_error(errors: &mut Vec<InputError>, src: &Source, reason: String) {
    eprintln!("alist-doctor: {}: {reason}", src.name());
    errors.push(InputError {
        input: src.name(),
        reason,
    });
}

/// A progress bar over `len` bytes, drawn on stderr.
fn progress_bar(len: u64) -> indicatif::ProgressBar {
    let bar = indicatif::ProgressBar::new(len);
    bar.set_draw_target(indicatif::ProgressDrawTarget::stderr());
    if let Ok(style) = indicatif::ProgressStyle::with_template(
        "{bar:40} {bytes}/{total_bytes} {bytes_per_sec} eta {eta}",
    ) {
        bar.set_style(style);
    }
    bar
}

fn exit_code(view: &report::View, fail_on: Option<Severity>) -> u8 {
    if !view.summary.errors.is_empty() {
        2
    } else if fail_on.is_some_and(|min| view.findings.iter().any(|f| f.severity >= min)) {
        1
    } else {
        0
    }
}

fn explain(cli: &Cli, id: &str, out: &mut dyn Write) -> Result<u8> {
    let cat = cli.load_catalog()?;
    let opts = cli.view_options();
    let Some(e) = cat.get(id) else {
        let close = cat.closest_ids(id, 3);
        bail!(
            "no catalog entry has the id '{id}'; did you mean {}? (`alist-doctor list` shows them all)",
            close
                .iter()
                .map(|c| format!("'{c}'"))
                .collect::<Vec<_>>()
                .join(", ")
        );
    };
    if cli.format == Format::Json {
        let (title, cause, fix, docs) = report::entry_text(e, &[], &opts);
        let r = e.raw();
        let v = serde_json::json!({
            "version": report::JSON_VERSION,
            "id": e.id, "title": title, "severity": e.severity, "tags": r.tags,
            "drivers": r.drivers, "applies_to": e.servers(), "cause": cause, "fix": fix,
            "docs": docs, "patterns": e.patterns, "examples": r.examples,
            "counter_examples": r.counter_examples, "area": e.area, "source": e.source,
            "generic": e.generic, "keywords": r.keywords, "fixed_in": r.fixed_in,
            "evidence": r.evidence,
        });
        serde_json::to_writer_pretty(&mut *out, &v)?;
        writeln!(out)?;
        return Ok(0);
    }
    use colored::Colorize;
    let (title, cause, fix, docs) = report::entry_text(e, &[], &opts);
    writeln!(
        out,
        "{}[{}]: {}",
        report::text::severity_label(e.severity),
        e.id.cyan(),
        title.bold()
    )?;
    writeln!(out, "  area: {} · source: {}", e.area, e.source)?;
    let r = e.raw();
    if !r.tags.is_empty() {
        writeln!(out, "  tags: {}", r.tags.join(", "))?;
    }
    if !r.drivers.is_empty() {
        writeln!(out, "  drivers: {}", r.drivers.join(", "))?;
    }
    let servers: Vec<&str> = e
        .servers()
        .iter()
        .map(|s| match s {
            Server::Alist => "AList",
            Server::Openlist => "OpenList",
        })
        .collect();
    writeln!(out, "  applies to: {}", servers.join(", "))?;
    writeln!(out, "\n{}\n  {}", "cause:".green().bold(), cause.trim())?;
    writeln!(out, "\n{}", "fix:".green().bold())?;
    for (i, f) in fix.iter().enumerate() {
        writeln!(out, "  {}. {}", i + 1, f.trim())?;
    }
    if !docs.is_empty() {
        writeln!(out, "\n{}", "docs:".green().bold())?;
        for d in &docs {
            writeln!(out, "  {d}")?;
        }
    }
    writeln!(out, "\n{}", "patterns:".green().bold())?;
    for p in e.patterns {
        writeln!(out, "  {p}")?;
    }
    if !r.examples.is_empty() {
        writeln!(out, "\n{}", "examples:".green().bold())?;
        for x in &r.examples {
            writeln!(out, "  {}", crate::parse::normalize::collapse_whitespace(x))?;
        }
    }
    if !r.counter_examples.is_empty() {
        writeln!(out, "\n{}", "not this problem:".green().bold())?;
        for x in &r.counter_examples {
            writeln!(out, "  {}", crate::parse::normalize::collapse_whitespace(x))?;
        }
    }
    Ok(0)
}

fn list(cli: &Cli, args: &ListArgs, out: &mut dyn Write) -> Result<u8> {
    let cat = cli.load_catalog()?;
    let opts = cli.view_options();
    let selected: Vec<&crate::catalog::Entry> = cat
        .entries
        .iter()
        .filter(|e| {
            args.tag
                .as_ref()
                .is_none_or(|t| e.raw().tags.iter().any(|x| x.eq_ignore_ascii_case(t)))
        })
        .filter(|e| {
            args.driver
                .as_ref()
                .is_none_or(|d| e.raw().drivers.iter().any(|x| x.eq_ignore_ascii_case(d)))
        })
        .filter(|e| {
            args.severity
                .is_none_or(|s| e.severity == Severity::from(s))
        })
        .collect();
    if cli.format == Format::Markdown {
        let shown = Catalog::from_entries(selected.into_iter().cloned().collect());
        report::markdown::render(out, &shown, &opts)?;
        return Ok(0);
    }
    if cli.format == Format::Json {
        let entries: Vec<serde_json::Value> = selected
            .iter()
            .map(|e| {
                let t = e.text(opts.lang);
                serde_json::json!({
                    "id": e.id, "severity": e.severity, "title": t.title, "area": e.area,
                    "tags": e.raw().tags, "drivers": e.raw().drivers, "applies_to": e.servers(),
                    "examples": e.raw().examples.len(),
                    "counter_examples": e.raw().counter_examples.len(),
                    "zh": e.raw().zh.is_some(), "source": e.source,
                })
            })
            .collect();
        let v = serde_json::json!({
            "version": report::JSON_VERSION,
            "catalog_version": crate::catalog::CATALOG_VERSION,
            "entries": entries,
        });
        serde_json::to_writer_pretty(&mut *out, &v)?;
        writeln!(out)?;
        return Ok(0);
    }
    let width = selected.iter().map(|e| e.id.len()).max().unwrap_or(0);
    for e in &selected {
        let t = e.text(opts.lang);
        write!(
            out,
            "{:<width$}  {:<7}  {}",
            e.id,
            e.severity.as_str(),
            crate::catalog::placeholder::fill(&t.title, &[])
        )?;
        if args.source {
            write!(out, "  ({})", e.source)?;
        }
        writeln!(out)?;
    }
    Ok(0)
}

fn lint_cmd(files: &[PathBuf], out: &mut dyn Write) -> Result<u8> {
    let (inputs, strict) = if files.is_empty() {
        (lint::embedded(), true)
    } else {
        let mut v = Vec::new();
        for f in files {
            let text = std::fs::read(f)
                .map_err(|e| {
                    CatalogIssue::error(&f.display().to_string(), crate::read::input::io_reason(&e))
                })
                .and_then(|b| {
                    String::from_utf8(b).map_err(|_| {
                        CatalogIssue::error(&f.display().to_string(), "not valid UTF-8 text")
                    })
                })
                .with_context(|| "cannot lint".to_string())?;
            v.push(LintFile {
                origin: f.display().to_string(),
                area: f
                    .file_stem()
                    .map(|s| s.to_string_lossy().into_owned())
                    .unwrap_or_default(),
                text,
            });
        }
        (v, false)
    };
    let diags = lint::lint(&inputs, strict);
    for d in &diags {
        writeln!(out, "{d}")?;
    }
    let errors = diags.iter().filter(|d| !d.warning).count();
    let warnings = diags.len() - errors;
    writeln!(
        out,
        "lint: {} file{}, {errors} error{}, {warnings} warning{}",
        inputs.len(),
        if inputs.len() == 1 { "" } else { "s" },
        if errors == 1 { "" } else { "s" },
        if warnings == 1 { "" } else { "s" },
    )?;
    Ok(if errors > 0 { 2 } else { 0 })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lang_from_locale() {
        let env = |v: &'static str| move |k: &str| (k == "LANG").then(|| v.to_string());
        assert_eq!(resolve_lang(None, env("zh_CN.UTF-8")), Lang::Zh);
        assert_eq!(resolve_lang(None, env("en_US.UTF-8")), Lang::En);
        assert_eq!(
            resolve_lang(Some(LangArg::En), env("zh_CN.UTF-8")),
            Lang::En
        );
        let lc_all = |k: &str| match k {
            "LC_ALL" => Some("C".to_string()),
            "LANG" => Some("zh_TW".to_string()),
            _ => None,
        };
        assert_eq!(resolve_lang(None, lc_all), Lang::En);
    }

    #[test]
    fn colour_precedence() {
        let none = |_: &str| None;
        let no_color = |k: &str| (k == "NO_COLOR").then(|| "1".to_string());
        let force = |k: &str| (k == "CLICOLOR_FORCE").then(|| "1".to_string());
        assert!(resolve_color(ColorChoice::Auto, none, true));
        assert!(!resolve_color(ColorChoice::Auto, none, false));
        assert!(!resolve_color(ColorChoice::Auto, no_color, true));
        assert!(resolve_color(ColorChoice::Auto, force, false));
        assert!(resolve_color(ColorChoice::Always, no_color, false));
        assert!(!resolve_color(ColorChoice::Never, force, true));
    }
}
