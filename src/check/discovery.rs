//! Where AList and OpenList keep their data directories, when `check` is
//! given none: the places the official installers, images, packages and
//! desktop apps use. A directory counts when it holds `config.json` or
//! `data.db`.

use std::path::{Path, PathBuf};

/// What discovery reads of the environment (resolved once, in settings).
#[derive(Debug, Clone, Default)]
pub(crate) struct Places {
    /// Prefix for every absolute place (tests; `ALIST_DOCTOR_ROOT`).
    pub root: Option<PathBuf>,
    pub cwd: Option<PathBuf>,
    pub home: Option<PathBuf>,
    pub appdata: Option<PathBuf>,
    /// `PATH`, split.
    pub path: Vec<PathBuf>,
}

/// A place looked at, and why.
#[derive(Debug, Clone, serde::Serialize)]
pub(crate) struct Candidate {
    pub path: PathBuf,
    pub why: String,
}

impl Places {
    fn rooted(&self, p: &str) -> PathBuf {
        match &self.root {
            Some(r) => r.join(p.trim_start_matches('/')),
            None => PathBuf::from(p),
        }
    }

    /// Every place to look at, in order, without duplicates.
    pub(crate) fn candidates(&self) -> Vec<Candidate> {
        let mut out: Vec<Candidate> = Vec::new();
        let mut add = |path: PathBuf, why: &str| {
            if !out.iter().any(|c| c.path == path) {
                out.push(Candidate {
                    path,
                    why: why.to_string(),
                });
            }
        };
        if let Some(cwd) = &self.cwd {
            add(cwd.join("data"), "./data (the default --data)");
        }
        for dir in &self.path {
            for bin in ["alist", "openlist", "alist.exe", "openlist.exe"] {
                let exe = dir.join(bin);
                if exe.is_file() {
                    let real = std::fs::canonicalize(&exe).unwrap_or(exe);
                    if let Some(parent) = real.parent() {
                        add(parent.join("data"), "beside the binary on PATH");
                    }
                }
            }
        }
        for p in [
            "/opt/alist/data",
            "/opt/openlist/data",
            "/etc/alist",
            "/etc/openlist",
            "/etc/openlist2",
        ] {
            add(self.rooted(p), "a usual install location");
        }
        for unit in ["alist.service", "openlist.service"] {
            for dir in [
                "/etc/systemd/system",
                "/lib/systemd/system",
                "/usr/lib/systemd/system",
            ] {
                let file = self.rooted(&format!("{dir}/{unit}"));
                if let Some(wd) = working_directory(&file) {
                    add(
                        self.rooted(&wd).join("data"),
                        "WorkingDirectory of the systemd unit",
                    );
                }
            }
        }
        if let Some(home) = &self.home {
            add(
                home.join(".local/share/OpenList Desktop/data"),
                "OpenList Desktop",
            );
            add(
                home.join("Library/Application Support/OpenList Desktop/data"),
                "OpenList Desktop",
            );
        }
        if let Some(appdata) = &self.appdata {
            add(
                appdata.join("OpenList Desktop").join("data"),
                "OpenList Desktop",
            );
        }
        if cfg!(windows) {
            add(
                self.rooted("C:\\Windows\\System32\\data"),
                "started from a default command prompt",
            );
        }
        out
    }

    /// The candidates that hold a data directory.
    pub(crate) fn found(&self) -> (Vec<Candidate>, Vec<Candidate>) {
        self.candidates()
            .into_iter()
            .partition(|c| is_data_dir(&c.path))
    }
}

/// Whether `dir` holds `config.json` or `data.db`.
pub(crate) fn is_data_dir(dir: &Path) -> bool {
    dir.join("config.json").is_file() || dir.join("data.db").is_file()
}

/// `WorkingDirectory=` of a systemd unit file.
fn working_directory(unit: &Path) -> Option<String> {
    let text = std::fs::read_to_string(unit).ok()?;
    text.lines().find_map(|l| {
        l.trim()
            .strip_prefix("WorkingDirectory=")
            .map(|v| v.trim().trim_start_matches('-').to_string())
            .filter(|v| v.starts_with('/'))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unit_working_directory_is_read() {
        let dir = tempfile::tempdir().unwrap();
        let unit = dir.path().join("etc/systemd/system/openlist.service");
        std::fs::create_dir_all(unit.parent().unwrap()).unwrap();
        std::fs::write(
            &unit,
            "[Service]\nWorkingDirectory=/srv/openlist\nExecStart=/srv/openlist/openlist server\n",
        )
        .unwrap();
        let places = Places {
            root: Some(dir.path().to_path_buf()),
            ..Places::default()
        };
        let c = places.candidates();
        assert!(
            c.iter()
                .any(|c| c.path == dir.path().join("srv/openlist/data")),
            "{c:?}"
        );
    }
}
