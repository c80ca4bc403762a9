//! Which database the server really reads, and whether it can be read:
//! `db_file` resolution (D1), the table prefix (D2), the versions that last
//! wrote the two files (D3), unreadable or non-SQLite files (D7), and the
//! SQL to run by hand on MySQL and PostgreSQL.

use std::path::Path;

use super::Ctx;
use crate::check::Observation;
use crate::check::db::OpenError;
use crate::check::paths::Resolved;
use crate::check::version::release;

/// The observation for a database that could not be opened.
pub(crate) fn open_error(path: &Path, e: &OpenError) -> Observation {
    match e {
        OpenError::Unreadable(err) => Observation::new(
            "database-unreadable",
            format!(
                "check: data.db cannot be opened: {}",
                crate::read::input::io_reason(err)
            ),
            path,
            1,
        ),
        OpenError::NotSqlite(why) => Observation::new(
            "database-not-sqlite",
            format!("check: data.db: {why}"),
            path,
            1,
        ),
        OpenError::Sqlite(err) => Observation::new(
            "database-not-sqlite",
            format!("check: data.db: SQLite cannot read it ({err})"),
            path,
            1,
        ),
    }
}

pub(super) fn run(ctx: &mut Ctx<'_>, db_file: &str) {
    db_file_elsewhere(ctx, db_file);
    table_prefix(ctx);
    versions(ctx);
}

/// D1: the configured file does not exist, while this directory has one.
fn db_file_elsewhere(ctx: &mut Ctx<'_>, db_file: &str) {
    let Some(c) = ctx.config else { return };
    if c.str(&["database", "type"]).is_some_and(|t| t != "sqlite3") {
        return;
    }
    let Some(configured) = c.str(&["database", "db_file"]) else {
        return;
    };
    let here = ctx.dir.join("data.db");
    match ctx.paths.resolve(db_file) {
        Resolved::Host(p) if !p.exists() && here.is_file() => {
            ctx.config_obs(
                "database-file-elsewhere",
                "db_file",
                format!(
                    "check: config.json: db_file \"{configured}\" is {}, which does not exist; \
                     data.db of this directory is not used",
                    p.display()
                ),
            );
        }
        Resolved::Container(p) if !p.is_empty() && !here.is_file() => {
            ctx.config_obs(
                "config-path-in-container",
                "db_file",
                format!(
                    "check: config.json: database.db_file \"{p}\" is a path inside the \
                     container; not checked from the host"
                ),
            );
        }
        _ => {}
    }
}

/// D2: no tables under the configured prefix, but under another one.
fn table_prefix(ctx: &mut Ctx<'_>) {
    let Some(db) = ctx.db else { return };
    let storages = ctx.table("storages");
    if db.has_table(&storages) {
        return;
    }
    let other: Option<String> = db
        .tables()
        .filter_map(|t| t.strip_suffix("storages"))
        .map(str::to_string)
        .next();
    let db_path = ctx.db_path.clone();
    match other {
        Some(other) => ctx.push(Observation::new(
            "database-table-prefix-mismatch",
            format!(
                "check: data.db: no tables start with table_prefix \"{}\", the tables start with \"{other}\"",
                ctx.prefix
            ),
            db_path,
            1,
        )),
        None => {
            ctx.notes.push(format!(
                "data.db has no {storages} table yet: the server creates its tables at its first start"
            ));
        }
    }
}

/// D3: config.json and data.db were last written by different releases.
fn versions(ctx: &mut Ctx<'_>) {
    let (Some(cv), Some(dv)) = (
        ctx.detected.config_version.clone(),
        ctx.detected.db_version.clone(),
    ) else {
        return;
    };
    if let (Some(a), Some(b)) = (release(&cv), release(&dv))
        && a != b
    {
        let path = ctx.config_path.clone();
        ctx.push(Observation::new(
            "data-dir-version-mismatch",
            format!("check: config.json was last written by {cv}, data.db by {dv}"),
            path,
            1,
        ));
    }
}

/// The read-only queries for a MySQL or PostgreSQL install, to run by hand.
pub(crate) fn external_sql(kind: &str, prefix: &str) -> String {
    let q = |s: &str| {
        if kind == "mysql" {
            format!("`{s}`")
        } else {
            format!("\"{s}\"")
        }
    };
    let begin = if kind == "mysql" {
        "START TRANSACTION READ ONLY;"
    } else {
        "BEGIN TRANSACTION READ ONLY;"
    };
    format!(
        "{begin}\n\
         -- storages that failed to start (status is what the admin page shows)\n\
         SELECT id, mount_path, driver, status, disabled FROM {p}storages WHERE status <> 'work';\n\
         -- accounts (never select pwd_hash, salt or otp_secret into a paste)\n\
         SELECT id, username, role, disabled, permission, base_path FROM {p}users;\n\
         -- version and search settings\n\
         SELECT {k}, {v} FROM {p}setting_items WHERE {k} IN ('version', 'search_index', 'index_progress');\n\
         ROLLBACK;",
        p = prefix,
        k = q("key"),
        v = q("value"),
    )
}
