//! Files and directories: a temp_dir that holds something of value (it is
//! emptied at every start, F1), a mounted folder inside it (F2), and files
//! the service user cannot write (D5).

use std::path::{Path, PathBuf};

use super::Ctx;
use crate::check::Observation;
use crate::check::paths::{Resolved, clean, within};

pub(super) fn run(ctx: &mut Ctx<'_>) {
    temp_dir(ctx);
    #[cfg(unix)]
    ownership(ctx);
}

/// Local storages' roots: (mount path, root as configured).
fn local_roots(ctx: &Ctx<'_>) -> Vec<(String, String)> {
    let Some(db) = ctx.db else { return Vec::new() };
    let table = ctx.table("storages");
    let Ok(rows) = db.rows(&table, &["mount_path", "driver", "addition"], 100_000) else {
        return Vec::new();
    };
    rows.iter()
        .filter(|r| r.text("driver") == "Local")
        .filter_map(|r| {
            let a: serde_json::Value = serde_json::from_str(r.text("addition")).ok()?;
            let root = a.get("root_folder_path")?.as_str()?.trim().to_string();
            (!root.is_empty()).then(|| (r.text("mount_path").to_string(), root))
        })
        .collect()
}

fn temp_dir(ctx: &mut Ctx<'_>) {
    let configured = ctx
        .config
        .and_then(|c| c.str(&["temp_dir"]))
        .unwrap_or("data/temp")
        .to_string();
    let temp = ctx.paths.resolve(&configured);
    let mut what: Vec<String> = Vec::new();
    let raw = configured.trim_end_matches(['/', '\\']);
    match raw {
        _ if configured.trim().is_empty() => return,
        "" => what.push("the whole file system".into()),
        "/tmp" => what.push("the system's /tmp".into()),
        _ => {}
    }
    if let Resolved::Host(t) = &temp {
        let t = clean(t);
        if ctx.config.is_some() && within(&ctx.dir, &t) {
            what.push(format!("the data directory {}", ctx.dir.display()));
        } else if ctx.db.is_some() && within(&ctx.db_path, &t) {
            what.push("the database data.db".into());
        }
    }
    for (mount, root) in local_roots(ctx) {
        let inside = match (&temp, ctx.paths.resolve(&root)) {
            (Resolved::Host(t), Resolved::Host(r)) => within(&r, t),
            (Resolved::Container(t), Resolved::Container(r)) if !t.is_empty() => {
                within(Path::new(&r), Path::new(t))
            }
            _ => false,
        };
        if inside {
            what.push(format!("Local storage {mount}'s root {root}"));
        }
    }
    if let Some(w) = what.first() {
        let w = w.clone();
        ctx.config_obs(
            "temp-dir-wipes-data",
            "temp_dir",
            format!(
                "check: config.json: temp_dir \"{configured}\" is or contains {w}; the server \
                 empties it at every start"
            ),
        );
        return;
    }
    #[cfg(unix)]
    if let Resolved::Host(t) = &temp {
        let dev = |p: &Path| {
            use std::os::unix::fs::MetadataExt;
            std::fs::symlink_metadata(p).ok().map(|m| m.dev())
        };
        if let Some(m) = mounts_inside(t, &dev) {
            let shown = m.display().to_string();
            ctx.config_obs(
                "temp-dir-mount-inside",
                "temp_dir",
                format!(
                    "check: {shown} inside temp_dir is a separate mount (a mapped folder); the \
                     server empties it at every start"
                ),
            );
        }
    }
}

/// The first of `temp`'s direct subdirectories on another device than
/// `temp` (a bind mount or volume mapped into it).
pub(crate) fn mounts_inside(temp: &Path, dev: &dyn Fn(&Path) -> Option<u64>) -> Option<PathBuf> {
    let own = dev(temp)?;
    let mut subdirs: Vec<PathBuf> = std::fs::read_dir(temp)
        .ok()?
        .filter_map(|e| e.ok())
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .map(|e| e.path())
        .collect();
    subdirs.sort();
    subdirs
        .into_iter()
        .find(|p| dev(p).is_some_and(|d| d != own))
}

/// D5: files the server must write that its user cannot.
#[cfg(unix)]
fn ownership(ctx: &mut Ctx<'_>) {
    use std::os::unix::fs::MetadataExt;
    let Ok(dir_meta) = std::fs::metadata(&ctx.dir) else {
        return;
    };
    // OpenList's image runs as uid 1001 since v4.1.0; elsewhere the owner
    // of the data directory is taken for the service user.
    let openlist_image = ctx.paths.container
        && ctx.detected.fork == Some(crate::check::version::Fork::Openlist)
        && ctx
            .detected
            .version
            .or(ctx.detected.at_least)
            .is_some_and(|v| v >= crate::check::version::Version(4, 1, 0));
    let uid = if openlist_image { 1001 } else { dir_meta.uid() };
    if uid == 0 {
        return;
    }
    let gid = dir_meta.gid();
    let mut files: Vec<PathBuf> = vec![ctx.dir.clone()];
    for name in [
        "config.json",
        "data.db",
        "data.db-wal",
        "data.db-shm",
        "log",
        "temp",
    ] {
        files.push(ctx.dir.join(name));
    }
    if ctx.db_path.parent() != Some(ctx.dir.as_path()) {
        files.push(ctx.db_path.clone());
    }
    let mut reported = 0;
    for f in files {
        let Ok(m) = std::fs::metadata(&f) else {
            continue;
        };
        let mode = m.mode() & 0o7777;
        let need = if m.is_dir() { 0o3 } else { 0o2 };
        let ok = if m.uid() == uid {
            (mode >> 6) & need == need
        } else if m.gid() == gid && !openlist_image {
            (mode >> 3) & need == need
        } else {
            mode & need == need
        };
        if !ok && reported < 3 {
            reported += 1;
            let o = Observation::new(
                "data-dir-not-writable",
                format!(
                    "check: {} belongs to uid {} with mode {:04o}; the server runs as uid {uid} \
                     and cannot write it",
                    f.display(),
                    m.uid(),
                    mode
                ),
                &f,
                1,
            );
            ctx.push(o);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_subdirectory_on_another_device_is_a_mount() {
        let t = tempfile::tempdir().unwrap();
        std::fs::create_dir(t.path().join("aria2")).unwrap();
        std::fs::create_dir(t.path().join("qbittorrent")).unwrap();
        let base = t.path().to_path_buf();
        let dev = |p: &Path| Some(if p.ends_with("qbittorrent") { 9 } else { 1 });
        assert_eq!(mounts_inside(&base, &dev), Some(base.join("qbittorrent")));
        let same = |_: &Path| Some(1);
        assert_eq!(mounts_inside(&base, &same), None);
    }
}
