//! Read-only access to `data.db`. Opening a SQLite file with `mode=ro`
//! alone is not read-only: SQLite creates `data.db-wal` and `data.db-shm`
//! beside a WAL database (owned by whoever ran the doctor) and fails in a
//! directory it cannot write. So:
//!
//! * no write-ahead log (absent or empty): `file:…?mode=ro&immutable=1`,
//!   which takes no lock and creates nothing;
//! * a non-empty `data.db-wal` (a running server, or one that stopped
//!   uncleanly): `immutable` would not see the rows still in the log, so
//!   `data.db` and `data.db-wal` are copied into a private directory (0700,
//!   files 0600), the copy is opened, and the directory is removed when the
//!   copy is dropped, on Ctrl-C (`cleanup_on_interrupt`) and on a panic.
//!
//! Columns are read by name (`PRAGMA table_info`), never by position: the
//! schema differs between forks and versions.

use std::collections::BTreeMap;
use std::fs::{self, File};
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use rusqlite::types::ValueRef;
use rusqlite::{Connection, OpenFlags};

/// Above this size (database plus log) the copy is not made: the database
/// is read `immutable`, without the rows still in the log.
const MAX_COPY: u64 = 1 << 30;

/// How the database was opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Access {
    /// The file itself, `immutable=1`: nothing written, no lock.
    Immutable,
    /// A private copy of the file and its write-ahead log.
    Copy,
    /// The file itself, `immutable=1`, although a write-ahead log exists
    /// (too large to copy): recent changes are not seen.
    ImmutableWithoutLog,
}

/// Why the database could not be read.
#[derive(Debug)]
pub(crate) enum OpenError {
    /// The file could not be opened or read (permissions).
    Unreadable(io::Error),
    /// Empty, or not a SQLite file.
    NotSqlite(&'static str),
    /// SQLite refused it.
    Sqlite(rusqlite::Error),
}

impl std::fmt::Display for OpenError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            OpenError::Unreadable(e) => f.write_str(&crate::read::input::io_reason(e)),
            OpenError::NotSqlite(why) => f.write_str(why),
            OpenError::Sqlite(e) => write!(f, "{e}"),
        }
    }
}

/// Directories of private copies still on disk, for the Ctrl-C handler.
static COPIES: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// Removes every private copy still on disk (the Ctrl-C handler calls it
/// before the process exits; drops do it otherwise).
pub(crate) fn remove_copies() {
    if let Ok(mut dirs) = COPIES.lock() {
        for d in dirs.drain(..) {
            let _ = fs::remove_dir_all(d);
        }
    }
}

/// A private copy of a live database: a 0700 temporary directory, removed
/// when dropped.
struct Copy {
    dir: Option<tempfile::TempDir>,
}

impl Drop for Copy {
    fn drop(&mut self) {
        if let Some(dir) = self.dir.take() {
            let path = dir.path().to_path_buf();
            if let Ok(mut dirs) = COPIES.lock() {
                dirs.retain(|d| *d != path);
            }
            let _ = dir.close();
        }
    }
}

/// An open database and what is known of its schema.
pub(crate) struct Database {
    conn: Connection,
    pub access: Access,
    /// Bytes in `data.db-wal` when the database was opened.
    pub wal_bytes: u64,
    /// Table name → column names, as the file has them.
    tables: BTreeMap<String, Vec<String>>,
    /// Dropped after `conn` (fields drop in order): the copy outlives the
    /// connection that reads it.
    _copy: Option<Copy>,
}

/// A row: the requested columns by name (`None`: NULL or absent column).
#[derive(Debug, Clone, Default)]
pub(crate) struct Row(BTreeMap<String, Option<String>>);

impl Row {
    pub(crate) fn get(&self, col: &str) -> Option<&str> {
        self.0.get(col).and_then(|v| v.as_deref())
    }

    pub(crate) fn text(&self, col: &str) -> &str {
        self.get(col).unwrap_or("")
    }

    /// A gorm boolean: `1`/`true` (numeric or text).
    pub(crate) fn flag(&self, col: &str) -> bool {
        matches!(
            self.get(col).map(str::to_ascii_lowercase).as_deref(),
            Some("1" | "true" | "t")
        )
    }

    pub(crate) fn int(&self, col: &str) -> Option<i64> {
        self.get(col).and_then(|v| v.trim().parse().ok())
    }
}

/// `file:` URI of an absolute path, with the characters SQLite's URI parser
/// gives a meaning escaped.
fn uri(path: &Path) -> String {
    let mut s = String::from("file:");
    for c in path.to_string_lossy().chars() {
        match c {
            '%' => s.push_str("%25"),
            '?' => s.push_str("%3f"),
            '#' => s.push_str("%23"),
            ' ' => s.push_str("%20"),
            '\\' if cfg!(windows) => s.push('/'),
            c => s.push(c),
        }
    }
    s
}

/// Size of `path`, 0 when absent.
fn size(path: &Path) -> u64 {
    fs::metadata(path).map_or(0, |m| m.len())
}

/// `data.db` → `data.db-wal`.
pub(crate) fn sibling(path: &Path, suffix: &str) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(suffix);
    PathBuf::from(s)
}

impl Database {
    /// Opens `path` without writing anything beside it (see the module).
    pub(crate) fn open(path: &Path) -> Result<Database, OpenError> {
        let abs = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
        let mut head = [0u8; 16];
        let mut f = File::open(&abs).map_err(OpenError::Unreadable)?;
        let n = read_up_to(&mut f, &mut head).map_err(OpenError::Unreadable)?;
        drop(f);
        if n == 0 {
            return Err(OpenError::NotSqlite("the file is empty"));
        }
        if n < 16 || &head != b"SQLite format 3\0" {
            return Err(OpenError::NotSqlite("the file is not a SQLite database"));
        }
        let wal = sibling(&abs, "-wal");
        let wal_bytes = size(&wal);
        let (conn, access, copy) = if wal_bytes == 0 {
            (immutable(&abs)?, Access::Immutable, None)
        } else if size(&abs) + wal_bytes > MAX_COPY {
            (immutable(&abs)?, Access::ImmutableWithoutLog, None)
        } else {
            let (conn, copy) = copied(&abs, &wal)?;
            (conn, Access::Copy, Some(copy))
        };
        let _ = conn.pragma_update(None, "query_only", 1);
        let mut db = Database {
            conn,
            access,
            wal_bytes,
            tables: BTreeMap::new(),
            _copy: copy,
        };
        db.tables = db.read_schema().map_err(OpenError::Sqlite)?;
        Ok(db)
    }

    fn read_schema(&self) -> rusqlite::Result<BTreeMap<String, Vec<String>>> {
        let mut names = Vec::new();
        {
            let mut st = self
                .conn
                .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")?;
            let rows = st.query_map([], |r| r.get::<_, String>(0))?;
            for n in rows {
                names.push(n?);
            }
        }
        let mut out = BTreeMap::new();
        for name in names {
            let mut st = self
                .conn
                .prepare("SELECT name FROM pragma_table_info(?1)")?;
            let cols = st
                .query_map([&name], |r| r.get::<_, String>(0))?
                .collect::<rusqlite::Result<Vec<String>>>()?;
            out.insert(name, cols);
        }
        Ok(out)
    }

    pub(crate) fn tables(&self) -> impl Iterator<Item = &str> {
        self.tables.keys().map(String::as_str)
    }

    pub(crate) fn has_table(&self, table: &str) -> bool {
        self.tables.contains_key(table)
    }

    pub(crate) fn has_column(&self, table: &str, col: &str) -> bool {
        self.tables
            .get(table)
            .is_some_and(|c| c.iter().any(|x| x == col))
    }

    /// The first of `cols` that `table` lacks (a check that needs it is
    /// skipped), or the table itself when it is missing.
    pub(crate) fn missing(&self, table: &str, cols: &[&str]) -> Option<String> {
        match self.tables.get(table) {
            None => Some(format!("table {table} is missing")),
            Some(have) => cols
                .iter()
                .find(|c| !have.iter().any(|h| h == *c))
                .map(|c| format!("{table} has no column {c}")),
        }
    }

    /// Rows of `table` with the columns of `cols` it has (others read as
    /// NULL), at most `limit`.
    pub(crate) fn rows(
        &self,
        table: &str,
        cols: &[&str],
        limit: usize,
    ) -> rusqlite::Result<Vec<Row>> {
        let present: Vec<&str> = cols
            .iter()
            .copied()
            .filter(|c| self.has_column(table, c))
            .collect();
        if present.is_empty() {
            return Ok(Vec::new());
        }
        let list: Vec<String> = present.iter().map(|c| quote(c)).collect();
        let sql = format!(
            "SELECT {} FROM {} LIMIT {limit}",
            list.join(", "),
            quote(table)
        );
        let mut st = self.conn.prepare(&sql)?;
        let rows = st.query_map([], |r| {
            let mut m = BTreeMap::new();
            for (i, c) in present.iter().enumerate() {
                m.insert(c.to_string(), text_of(r.get_ref(i)?));
            }
            Ok(Row(m))
        })?;
        rows.collect()
    }

    /// `SELECT count(*)` of a table (0 when absent).
    pub(crate) fn count(&self, table: &str) -> u64 {
        if !self.has_table(table) {
            return 0;
        }
        self.conn
            .query_row(&format!("SELECT count(*) FROM {}", quote(table)), [], |r| {
                r.get::<_, i64>(0)
            })
            .map_or(0, |n| n.max(0) as u64)
    }

    /// A column's SQLite storage class in the first row (`text`, `integer`).
    pub(crate) fn type_of(&self, table: &str, col: &str) -> Option<String> {
        if !self.has_column(table, col) {
            return None;
        }
        self.conn
            .query_row(
                &format!(
                    "SELECT typeof({}) FROM {} WHERE {} IS NOT NULL LIMIT 1",
                    quote(col),
                    quote(table),
                    quote(col)
                ),
                [],
                |r| r.get::<_, String>(0),
            )
            .ok()
    }

    /// The value of one setting (`x_setting_items`-like table `table`).
    pub(crate) fn setting(&self, table: &str, key: &str) -> Option<String> {
        if !self.has_column(table, "key") || !self.has_column(table, "value") {
            return None;
        }
        self.conn
            .query_row(
                &format!("SELECT \"value\" FROM {} WHERE \"key\" = ?1", quote(table)),
                [key],
                |r| Ok(text_of(r.get_ref(0)?)),
            )
            .ok()
            .flatten()
    }
}

fn text_of(v: ValueRef<'_>) -> Option<String> {
    match v {
        ValueRef::Null => None,
        ValueRef::Integer(i) => Some(i.to_string()),
        ValueRef::Real(f) => Some(f.to_string()),
        ValueRef::Text(t) | ValueRef::Blob(t) => Some(String::from_utf8_lossy(t).into_owned()),
    }
}

/// A quoted SQL identifier.
pub(crate) fn quote(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

fn read_up_to(f: &mut File, buf: &mut [u8]) -> io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match f.read(&mut buf[n..])? {
            0 => break,
            k => n += k,
        }
    }
    Ok(n)
}

fn immutable(abs: &Path) -> Result<Connection, OpenError> {
    let uri = format!("{}?mode=ro&immutable=1", uri(abs));
    Connection::open_with_flags(
        uri,
        OpenFlags::SQLITE_OPEN_READ_ONLY
            | OpenFlags::SQLITE_OPEN_URI
            | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(OpenError::Sqlite)
}

/// Copies `db` and its log into a private directory and opens the copy
/// (SQLite replays the log into it).
fn copied(db: &Path, wal: &Path) -> Result<(Connection, Copy), OpenError> {
    let dir = tempfile::Builder::new()
        .prefix("alist-doctor-")
        .tempdir()
        .map_err(OpenError::Unreadable)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let _ = fs::set_permissions(dir.path(), fs::Permissions::from_mode(0o700));
    }
    if let Ok(mut dirs) = COPIES.lock() {
        dirs.push(dir.path().to_path_buf());
    }
    let copy = Copy { dir: Some(dir) };
    let base = copy
        .dir
        .as_ref()
        .map(|d| d.path().to_path_buf())
        .unwrap_or_default();
    let target = base.join("data.db");
    // The log first: a checkpoint between the two copies then leaves the
    // database newer than the log's frames, which replay to the same pages.
    private_copy(wal, &sibling(&target, "-wal")).map_err(OpenError::Unreadable)?;
    private_copy(db, &target).map_err(OpenError::Unreadable)?;
    let conn = Connection::open_with_flags(
        &target,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(OpenError::Sqlite)?;
    Ok((conn, copy))
}

/// Copies `from` into a new file `to` readable by this user only.
fn private_copy(from: &Path, to: &Path) -> io::Result<()> {
    let mut src = File::open(from)?;
    let mut opts = fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut dst = opts.open(to)?;
    io::copy(&mut src, &mut dst)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uri_escapes_what_sqlite_reads() {
        assert_eq!(
            uri(Path::new("/a b/c?d#e%f/data.db")),
            "file:/a%20b/c%3fd%23e%25f/data.db"
        );
    }
}
