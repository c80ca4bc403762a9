//! `alist-doctor check [DATA_DIR]`: diagnoses an installation's data
//! directory before its user sees an error. Reads `config.json`, `data.db`
//! (strictly read-only, see `db`) and the log; each problem found is an
//! `Observation` naming a catalog entry (`data/check.yaml`, or any entry
//! for a stored storage status and a log line), which the command turns into
//! the diagnosis' findings and reports.
//!
//! * `discovery`: where data directories usually are;
//! * `config`: `config.json` as the server reads it;
//! * `db`: read-only SQLite access;
//! * `version`: which fork and version wrote the files;
//! * `paths`: paths in the config as the host sees them (Docker volumes);
//! * `checks`: the checks;
//! * `findings`: observations into findings;
//! * `drivers`: the driver names of every release (generated).

pub(crate) mod checks;
pub(crate) mod config;
pub(crate) mod db;
pub(crate) mod discovery;
pub(crate) mod drivers;
pub(crate) mod findings;
pub(crate) mod paths;
pub(crate) mod version;

use std::path::PathBuf;

use serde::Serialize;

pub(crate) use findings::Observation;

/// A check that could not run on this directory, and why.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Skipped {
    /// The catalog entry the check reports.
    pub id: &'static str,
    pub reason: String,
}

/// The database as the check saw it.
#[derive(Debug, Clone, Default, Serialize)]
pub(crate) struct DbInfo {
    /// `sqlite3`, `mysql`, `postgres` (from config.json; default sqlite3).
    #[serde(rename = "type")]
    pub kind: String,
    pub path: Option<PathBuf>,
    /// How it was opened (`None`: not opened).
    pub access: Option<db::Access>,
    /// Bytes in its write-ahead log when opened.
    pub wal_bytes: u64,
    /// The read-only SQL to run by hand (MySQL, PostgreSQL).
    pub sql: Option<String>,
}

/// What the check found out about one data directory.
#[derive(Debug, Clone, Default, Serialize)]
pub(crate) struct DirInfo {
    pub path: PathBuf,
    /// Given as the argument, or where discovery found it.
    pub found_by: String,
    /// `alist` or `openlist`, when the files tell.
    pub server: Option<&'static str>,
    /// The release that last started on these files (`v4.2.5`), or a band
    /// (`≥ v3.46.0`).
    pub version: Option<String>,
    /// The signals the fork and version were read from.
    pub detected_from: Vec<String>,
    /// The files are a container's volume: paths in config.json are the
    /// container's, and only those inside the volume are checked.
    pub container: bool,
    pub config: Option<PathBuf>,
    pub database: DbInfo,
    pub log: Option<PathBuf>,
    pub skipped: Vec<Skipped>,
    /// Facts worth knowing that are not problems.
    pub notes: Vec<String>,
}

/// One data directory checked.
#[derive(Debug, Default)]
pub(crate) struct DirReport {
    pub info: DirInfo,
    pub observations: Vec<Observation>,
    /// The log to run the diagnosis over, and the time of the server's last
    /// start in it (events before it are left out).
    pub log_since: Option<(PathBuf, Option<String>)>,
}
