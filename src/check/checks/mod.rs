//! The checks of one data directory: read what is there (config, database,
//! log), detect the fork and version, run each check, list those that could
//! not run. One module per part of the installation:
//!
//! * `config`: config.json (C checks of the design);
//! * `database`: which database the server reads, and its health (D);
//! * `storages`: the storages' stored state (S);
//! * `users`: accounts and permissions (U);
//! * `search`: the search index (X);
//! * `files`: temp_dir, ownership and modes (F, D5, D6).

mod config;
mod database;
mod files;
mod search;
mod storages;
mod users;

use std::path::{Path, PathBuf};

use super::config::ConfigFile;
use super::db::{self, Database};
use super::paths::Paths;
use super::version::{self, Detected};
use super::{DbInfo, DirInfo, DirReport, Observation, Skipped};
use crate::matching::Matcher;

/// What every check reads.
pub(crate) struct Ctx<'a> {
    pub dir: PathBuf,
    pub config: Option<&'a ConfigFile>,
    pub config_path: PathBuf,
    pub paths: Paths,
    pub db: Option<&'a Database>,
    pub db_path: PathBuf,
    pub prefix: String,
    pub detected: Detected,
    pub matcher: &'a Matcher,
    pub out: Vec<Observation>,
    pub skipped: Vec<Skipped>,
    pub notes: Vec<String>,
}

impl Ctx<'_> {
    pub(crate) fn push(&mut self, o: Observation) {
        self.out.push(o);
    }

    /// `config.json` observation at the line of `key`.
    pub(crate) fn config_obs(&mut self, id: &str, key: &str, text: String) {
        let line = self.config.map_or(1, |c| c.line_of(key));
        let o = Observation::new(id, text, self.config_path.clone(), line);
        self.out.push(o);
    }

    pub(crate) fn skip(&mut self, id: &'static str, reason: impl Into<String>) {
        let reason = reason.into();
        if !self.skipped.iter().any(|s| s.id == id) {
            self.skipped.push(Skipped { id, reason });
        }
    }

    pub(crate) fn table(&self, name: &str) -> String {
        format!("{}{name}", self.prefix)
    }

    /// The value of a setting in the database.
    pub(crate) fn setting(&self, key: &str) -> Option<String> {
        self.db?.setting(&self.table("setting_items"), key)
    }
}

/// The last `reading config file: PATH` of a log, with its time.
fn last_start(log: &Path) -> Option<(Option<String>, String)> {
    use std::io::BufRead;
    crate::static_regex!(TIME, r"(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})");
    let f = std::fs::File::open(log).ok()?;
    let mut last = None;
    for line in std::io::BufReader::new(f).split(b'\n') {
        let Ok(line) = line else { break };
        if memchr::memmem::find(&line, b"reading config file: ").is_none() {
            continue;
        }
        let text = String::from_utf8_lossy(&line);
        let text = crate::parse::normalize::strip_ansi(&text);
        if let Some((_, path)) = text.split_once("reading config file: ") {
            let ts = TIME.captures(&text).map(|c| format!("{} {}", &c[1], &c[2]));
            let path = path
                .split_whitespace()
                .next()
                .unwrap_or("")
                .trim_matches('"');
            last = Some((ts, path.to_string()));
        }
    }
    last
}

/// Checks one data directory.
pub(crate) fn check_dir(dir: &Path, found_by: &str, matcher: &Matcher) -> DirReport {
    // Paths are compared with the config's, which the server made absolute.
    let absolute = std::path::absolute(dir).unwrap_or_else(|_| dir.to_path_buf());
    let dir = absolute.as_path();
    let config_path = dir.join("config.json");
    let mut info = DirInfo {
        path: dir.to_path_buf(),
        found_by: found_by.to_string(),
        ..DirInfo::default()
    };
    let mut early: Vec<Observation> = Vec::new();
    let config = if config_path.is_file() {
        info.config = Some(config_path.clone());
        match ConfigFile::read(&config_path) {
            Ok(c) => Some(c),
            Err(e) => {
                info.notes.push(format!(
                    "config.json cannot be read: {}",
                    crate::read::input::io_reason(&e)
                ));
                None
            }
        }
    } else {
        info.notes
            .push("no config.json: the server writes its defaults at the next start".into());
        None
    };
    let cfg = config.as_ref();
    let db_type = cfg
        .and_then(|c| c.str(&["database", "type"]))
        .unwrap_or("sqlite3")
        .to_string();
    let prefix = cfg
        .and_then(|c| c.str(&["database", "table_prefix"]))
        .unwrap_or("x_")
        .to_string();

    // The log: where config.json says, else the default place.
    let log_name = cfg
        .and_then(|c| c.str(&["log", "name"]))
        .unwrap_or("data/log/log.log");
    let relative_data = [
        cfg.and_then(|c| c.str(&["database", "db_file"])),
        cfg.and_then(|c| c.str(&["temp_dir"])),
        cfg.and_then(|c| c.str(&["log", "name"])),
    ]
    .into_iter()
    .flatten()
    .any(|p| p.starts_with("data/") || p.starts_with("data\\"));
    let guess = Paths::new(dir, None, relative_data);
    let log_path = match guess.resolve(log_name) {
        super::paths::Resolved::Host(p) if p.is_file() => Some(p),
        _ => Some(dir.join("log").join("log.log")).filter(|p| p.is_file()),
    };
    let start = log_path.as_deref().and_then(last_start);
    let paths = Paths::new(dir, start.as_ref().map(|s| s.1.as_str()), relative_data);
    info.container = paths.container;
    info.log = log_path.clone();

    // The database the server reads.
    let db_file = cfg
        .and_then(|c| c.str(&["database", "db_file"]))
        .unwrap_or("data/data.db")
        .to_string();
    let db_path = match paths.resolve(&db_file) {
        super::paths::Resolved::Host(p) if p.is_file() => p,
        _ => dir.join("data.db"),
    };
    let mut database = None;
    info.database = DbInfo {
        kind: db_type.clone(),
        ..DbInfo::default()
    };
    if db_type == "sqlite3" {
        if db_path.is_file() {
            info.database.path = Some(db_path.clone());
            match Database::open(&db_path) {
                Ok(db) => {
                    info.database.access = Some(db.access);
                    info.database.wal_bytes = db.wal_bytes;
                    database = Some(db);
                }
                Err(e) => early.push(database::open_error(&db_path, &e)),
            }
        }
    } else {
        info.database.sql = Some(database::external_sql(&db_type, &prefix));
        info.notes.push(format!(
            "database type {db_type}: the tables are on the database server and are not read; \
             run the read-only SQL below yourself to see storages, users and settings"
        ));
    }

    let detected = version::detect(cfg, database.as_ref(), &prefix);
    info.server = detected.fork.map(|f| f.id());
    info.version = detected.shown();
    info.detected_from = detected.signals.clone();

    let mut ctx = Ctx {
        dir: dir.to_path_buf(),
        config: cfg,
        config_path,
        paths,
        db: database.as_ref(),
        db_path,
        prefix,
        detected,
        matcher,
        out: early,
        skipped: Vec::new(),
        notes: Vec::new(),
    };
    config::run(&mut ctx);
    database::run(&mut ctx, &db_file);
    storages::run(&mut ctx);
    users::run(&mut ctx);
    search::run(&mut ctx);
    files::run(&mut ctx);
    if let Some(db) = ctx.db
        && db.access == db::Access::Copy
    {
        ctx.notes.push(format!(
            "data.db-wal holds {} bytes not yet in data.db (the server is running, or stopped \
             uncleanly): a private copy was read",
            db.wal_bytes
        ));
    }
    if ctx
        .db
        .is_some_and(|d| d.access == db::Access::ImmutableWithoutLog)
    {
        ctx.notes.push(
            "data.db and its write-ahead log are too large to copy: changes since the last \
             checkpoint are not seen"
                .into(),
        );
    }
    info.notes.extend(ctx.notes);
    info.skipped = ctx.skipped;
    DirReport {
        info,
        observations: ctx.out,
        log_since: log_path.map(|p| (p, start.and_then(|s| s.0))),
    }
}
