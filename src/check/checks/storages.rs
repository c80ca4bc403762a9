//! The storages as stored: the status each one's last start left (run
//! through the catalog, S1), drivers this server lacks (S2), mount paths
//! that collide once cleaned (S4), settings that are not JSON (S7), and a
//! proxy policy without its URL (S11).

use super::Ctx;
use crate::check::Observation;
use crate::check::drivers;
use crate::check::version::{Fork, release};
use crate::diagnose::Diagnoser;
use crate::pipeline::diagnose_text;
use crate::report::redact;

/// Longest stored status shown (a panic status holds a whole stack).
const MAX_STATUS: usize = 300;

pub(super) fn run(ctx: &mut Ctx<'_>) {
    let Some(db) = ctx.db else {
        if ctx
            .config
            .is_some_and(|c| c.str(&["database", "type"]).is_some_and(|t| t != "sqlite3"))
        {
            ctx.skip(
                "storage-status-error",
                "the database is not SQLite: run the printed SQL",
            );
        }
        return;
    };
    let table = ctx.table("storages");
    if let Some(why) = db.missing(&table, &["mount_path", "driver"]) {
        if db.has_table(&table) {
            ctx.skip("storage-status-error", why.clone());
            ctx.skip("storage-driver-missing", why);
        }
        return;
    }
    let cols = [
        "mount_path",
        "driver",
        "status",
        "disabled",
        "addition",
        "webdav_policy",
        "down_proxy_url",
    ];
    let rows = match db.rows(&table, &cols, 100_000) {
        Ok(r) => r,
        Err(e) => {
            ctx.skip(
                "storage-status-error",
                format!("{table} cannot be read: {e}"),
            );
            return;
        }
    };
    let status_col = db.has_column(&table, "status");
    if !status_col {
        ctx.skip(
            "storage-status-error",
            format!("{table} has no column status"),
        );
    }
    let db_path = ctx.db_path.clone();
    let mut cleaned: Vec<(String, String)> = Vec::new();
    for r in &rows {
        let mount = r.text("mount_path").to_string();
        let driver = r.text("driver").to_string();
        let enabled = !r.flag("disabled");
        // S2
        if let Some(missing) = driver_missing(ctx, &driver) {
            ctx.push(
                Observation::new(
                    "storage-driver-missing",
                    format!("check: storage {mount} uses driver \"{driver}\", which {missing} does not have"),
                    &db_path,
                    1,
                )
                .storage(&mount, &driver),
            );
        } else if enabled && status_col {
            // S1
            let status = r.text("status").trim();
            if !status.is_empty() && status != "work" {
                ctx.push(status_finding(ctx, &mount, &driver, status));
            }
        }
        // S4
        let clean = clean_mount(&mount);
        if let Some((first, _)) = cleaned.iter().find(|(_, c)| *c == clean) {
            ctx.push(
                Observation::new(
                    "storage-mount-path-collision",
                    format!(
                        "check: storages \"{first}\" and \"{mount}\" are both mounted at {clean}"
                    ),
                    &db_path,
                    1,
                )
                .storage(&mount, &driver),
            );
        } else {
            cleaned.push((mount.clone(), clean));
        }
        // S7
        let addition = r.text("addition");
        if !addition.trim().is_empty()
            && serde_json::from_str::<serde_json::Value>(addition).is_err()
        {
            ctx.push(
                Observation::new(
                    "storage-addition-invalid",
                    format!("check: storage {mount} ({driver}): its settings (addition) are not valid JSON"),
                    &db_path,
                    1,
                )
                .storage(&mount, &driver),
            );
        }
        // S11
        if r.text("webdav_policy") == "use_proxy_url" && r.text("down_proxy_url").trim().is_empty()
        {
            ctx.push(
                Observation::new(
                    "storage-proxy-url-missing",
                    format!(
                        "check: storage {mount} ({driver}): webdav_policy is use_proxy_url but \
                         down_proxy_url is empty"
                    ),
                    &db_path,
                    1,
                )
                .storage(&mount, &driver),
            );
        }
    }
}

/// A stored status through the catalog: the entry that explains it, or
/// the generic one. The status is redacted before anything keeps it.
fn status_finding(ctx: &Ctx<'_>, mount: &str, driver: &str, status: &str) -> Observation {
    let shown = redact::redact(status).into_owned();
    let mut d = Diagnoser::new(ctx.matcher);
    diagnose_text(&mut d, status, true);
    let hit = d
        .sorted_findings()
        .first()
        .map(|f| (f.entry, f.captures.clone()));
    let one_line = crate::parse::normalize::clip_bytes(
        &crate::parse::normalize::collapse_whitespace(&shown),
        MAX_STATUS,
    );
    let cat = ctx.matcher.catalog();
    let o = match hit {
        Some((entry, captures)) if !cat.entries[entry].benign => {
            let captures = captures
                .into_iter()
                .map(|(k, v)| (k, redact::redact(&v).into_owned()))
                .collect();
            let mut o = Observation::new(cat.entries[entry].id, one_line, &ctx.db_path, 1);
            o.captures = Some(captures);
            o
        }
        _ => Observation::new(
            "storage-status-error",
            format!("check: storage {mount} ({driver}) stored status: {one_line}"),
            &ctx.db_path,
            1,
        ),
    };
    o.storage(mount, driver)
}

/// `Some("OpenList v4.0.5")` when the detected server does not register
/// `driver`.
fn driver_missing(ctx: &Ctx<'_>, driver: &str) -> Option<String> {
    let fork = ctx.detected.fork?;
    if driver.is_empty() {
        return None;
    }
    let table = match fork {
        Fork::Alist => drivers::ALIST,
        Fork::Openlist => drivers::OPENLIST,
    };
    let spans = table.iter().find(|(n, _)| *n == driver).map(|(_, s)| *s);
    let version = ctx.detected.version;
    let registered = match (spans, version) {
        (None, _) => false,
        (Some(_), None) => true,
        (Some(spans), Some(v)) => {
            // A release newer than the table's: as its last release.
            spans.iter().any(|(first, last)| {
                release(first).is_some_and(|f| f <= v)
                    && last.is_none_or(|l| release(l).is_some_and(|l| v <= l))
            })
        }
    };
    if registered {
        return None;
    }
    let shown = ctx
        .detected
        .shown()
        .filter(|_| version.is_some())
        .map_or(fork.name().to_string(), |v| format!("{} {v}", fork.name()));
    Some(shown)
}

/// A mount path as the server keys its storages (`utils.FixAndCleanPath`).
pub(crate) fn clean_mount(p: &str) -> String {
    let p = p.replace('\\', "/");
    let p = if p.starts_with('/') {
        p
    } else {
        format!("/{p}")
    };
    let mut parts: Vec<&str> = Vec::new();
    for seg in p.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            s => parts.push(s),
        }
    }
    format!("/{}", parts.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mount_paths_clean_like_the_server() {
        assert_eq!(clean_mount("/a/"), "/a");
        assert_eq!(clean_mount("a"), "/a");
        assert_eq!(clean_mount("\\a\\b"), "/a/b");
        assert_eq!(clean_mount("/a//b/../c"), "/a/c");
        assert_eq!(clean_mount("/"), "/");
    }
}
