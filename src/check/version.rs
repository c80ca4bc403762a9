//! Which fork (AList or OpenList) and which release wrote a data directory,
//! from what the files carry: the `version` setting and
//! `last_launched_version` (the last start), tables and columns that
//! appeared in known releases, and config keys only one fork writes.

use super::config::ConfigFile;
use super::db::Database;

// One notion of a server and its releases, shared with the diagnosis
// (`parse::version`): the fork is the product.
pub(crate) use crate::parse::version::{Product as Fork, Version};

/// A release as numbers (`v4.2.5`); `None` for `dev` or `beta` builds.
pub(crate) fn release(v: &str) -> Option<Version> {
    Version::parse(v)
}

/// What the files say.
#[derive(Debug, Clone, Default)]
pub(crate) struct Detected {
    pub fork: Option<Fork>,
    /// The release of the last start, when a file names one.
    pub version: Option<Version>,
    /// The earliest release the schema can be from, when no file names one.
    pub at_least: Option<Version>,
    /// `version` setting of the database and `last_launched_version`.
    pub db_version: Option<String>,
    pub config_version: Option<String>,
    pub signals: Vec<String>,
}

impl Detected {
    /// `v4.2.5`, `≥ v3.46.0`, or `None`.
    pub(crate) fn shown(&self) -> Option<String> {
        self.version
            .map(|v| v.to_string())
            .or_else(|| self.at_least.map(|v| format!(">= {v}")))
    }
}

/// Schema markers: (table, column or "" for the table, fork, first release).
const MARKERS: &[(&str, &str, Fork, Version)] = &[
    ("roles", "", Fork::Alist, Version(3, 46, 0)),
    ("sessions", "", Fork::Alist, Version(3, 52, 0)),
    ("shares", "", Fork::Alist, Version(3, 59, 0)),
    (
        "storages",
        "down_proxy_sign",
        Fork::Alist,
        Version(3, 56, 0),
    ),
    ("sharing_dbs", "", Fork::Openlist, Version(4, 1, 2)),
    (
        "storages",
        "disable_proxy_sign",
        Fork::Openlist,
        Version(4, 0, 9),
    ),
    (
        "storages",
        "custom_cache_policies",
        Fork::Openlist,
        Version(4, 1, 9),
    ),
    ("users", "allow_ldap", Fork::Openlist, Version(4, 1, 9)),
    ("meta", "read_users", Fork::Openlist, Version(4, 2, 0)),
];

/// Config keys only one fork writes: (dotted key, fork).
const CONFIG_MARKERS: &[(&[&str], Fork)] = &[
    (&["meilisearch", "index"], Fork::Openlist),
    (&["meilisearch", "index_prefix"], Fork::Alist),
    (&["log", "filter"], Fork::Openlist),
    (&["proxy_address"], Fork::Openlist),
    (&["tasks", "move"], Fork::Openlist),
    (&["tasks", "s3_transition"], Fork::Alist),
    (&["mcp", "port"], Fork::Alist),
];

pub(crate) fn detect(config: Option<&ConfigFile>, db: Option<&Database>, prefix: &str) -> Detected {
    let mut d = Detected::default();
    let mut votes: Vec<Fork> = Vec::new();
    if let Some(db) = db {
        d.db_version = db.setting(&format!("{prefix}setting_items"), "version");
        for (table, col, fork, since) in MARKERS {
            let t = format!("{prefix}{table}");
            let present = if col.is_empty() {
                db.has_table(&t)
            } else {
                db.has_column(&t, col)
            };
            if present {
                votes.push(*fork);
                d.signals.push(if col.is_empty() {
                    format!("table {t}")
                } else {
                    format!("column {t}.{col}")
                });
                if d.at_least.is_none_or(|v| v < *since) {
                    d.at_least = Some(*since);
                }
            }
        }
        if db.type_of(&format!("{prefix}users"), "role").as_deref() == Some("text") {
            votes.push(Fork::Alist);
            d.signals
                .push(format!("{prefix}users.role holds JSON text"));
        }
    }
    if let Some(c) = config {
        d.config_version = c.str(&["last_launched_version"]).map(str::to_string);
        for (key, fork) in CONFIG_MARKERS {
            if c.get(key).is_some() {
                votes.push(*fork);
                d.signals.push(format!("config key {}", key.join(".")));
            }
        }
    }
    // The release of the last start wins: the database's own record
    // first, then the config's.
    let named = [d.db_version.as_deref(), d.config_version.as_deref()]
        .into_iter()
        .flatten()
        .find_map(|v| release(v).map(|r| (v.to_string(), r)));
    if let Some((text, r)) = named {
        d.version = Some(r);
        d.fork = Some(if r.0 >= 4 {
            Fork::Openlist
        } else {
            Fork::Alist
        });
        d.signals.insert(0, format!("version {text}"));
        d.at_least = None;
    } else {
        let alist = votes.iter().filter(|f| **f == Fork::Alist).count();
        let openlist = votes.len() - alist;
        d.fork = match (alist, openlist) {
            (0, 0) => None,
            (a, o) if a > o => Some(Fork::Alist),
            (a, o) if o > a => Some(Fork::Openlist),
            _ => None,
        };
        if d.fork == Some(Fork::Openlist) && d.at_least.is_none_or(|v| v.0 < 4) {
            d.at_least = Some(Version(4, 0, 0));
        }
    }
    d
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn releases() {
        assert_eq!(release("v4.2.5"), Some(Version(4, 2, 5)));
        assert_eq!(release("v3.35.0-beta"), Some(Version(3, 35, 0)));
        assert_eq!(release("dev"), None);
    }
}
