//! Paths in `config.json` as this machine sees them. The server resolves a
//! relative path against its working directory, not the data directory
//! (`data/data.db` with the default `--data data`), and in a container the
//! data directory is a volume: `/etc/openlist` on the host is
//! `/opt/openlist/data` inside. A path that only exists inside the
//! container cannot be checked from the host; checks say so (info) instead
//! of calling it missing.

use std::path::{Component, Path, PathBuf};

/// A path from the config, resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Resolved {
    /// Where the file is on this machine.
    Host(PathBuf),
    /// A path inside the container (or relative to a working directory
    /// that is not known): not checked.
    Container(String),
}

/// How paths of one data directory resolve.
#[derive(Debug, Clone)]
pub(crate) struct Paths {
    /// The data directory on this machine.
    pub dir: PathBuf,
    /// The server's working directory, when known.
    cwd: Option<PathBuf>,
    /// The data directory as the server sees it, when it differs.
    server_dir: Option<PathBuf>,
    /// The files are a container's volume.
    pub container: bool,
}

impl Paths {
    /// `seen_config`: the config path the server logged at its last start
    /// (`reading config file: /opt/openlist/data/config.json`); `relative`:
    /// whether the config's own paths are relative (`data/…`).
    pub(crate) fn new(dir: &Path, seen_config: Option<&str>, relative_data: bool) -> Paths {
        let dir = std::path::absolute(dir).unwrap_or_else(|_| dir.to_path_buf());
        let named_data = dir.file_name().is_some_and(|n| n == "data");
        let seen_dir = seen_config
            .map(Path::new)
            .filter(|p| p.is_absolute())
            .and_then(Path::parent)
            .map(Path::to_path_buf);
        match seen_dir {
            Some(s) if s != dir => {
                let cwd = s.parent().map(Path::to_path_buf);
                Paths {
                    dir,
                    cwd,
                    server_dir: Some(s),
                    container: true,
                }
            }
            _ if named_data => Paths {
                cwd: dir.parent().map(Path::to_path_buf),
                dir,
                server_dir: None,
                container: false,
            },
            // `data/…` paths in a directory not named `data`: the
            // directory was `./data` of a server elsewhere (a volume).
            _ if relative_data => Paths {
                dir,
                cwd: None,
                server_dir: None,
                container: true,
            },
            _ => Paths {
                cwd: Some(dir.clone()),
                dir,
                server_dir: None,
                container: false,
            },
        }
    }

    /// Where `p` (a path from config.json) is on this machine.
    pub(crate) fn resolve(&self, p: &str) -> Resolved {
        let path = Path::new(p);
        if p.is_empty() {
            return Resolved::Container(String::new());
        }
        if looks_foreign(p) {
            return Resolved::Container(p.to_string());
        }
        if path.is_absolute() {
            if let Some(s) = &self.server_dir
                && let Ok(rest) = path.strip_prefix(s)
            {
                return Resolved::Host(self.dir.join(rest));
            }
            if self.container {
                return Resolved::Container(p.to_string());
            }
            return Resolved::Host(clean(path));
        }
        let mut parts = path.components();
        if matches!(parts.next(), Some(Component::Normal(first)) if first == "data")
            && (self.container || self.cwd.as_deref() == self.dir.parent())
        {
            return Resolved::Host(clean(&self.dir.join(parts.as_path())));
        }
        match &self.cwd {
            Some(cwd) if !self.container => Resolved::Host(clean(&cwd.join(path))),
            _ => Resolved::Container(p.to_string()),
        }
    }
}

/// A Windows path on Unix or the other way round.
fn looks_foreign(p: &str) -> bool {
    let b = p.as_bytes();
    let drive = b.len() >= 2 && b[0].is_ascii_alphabetic() && b[1] == b':';
    if cfg!(windows) {
        p.starts_with('/')
    } else {
        drive
    }
}

/// `a/./b/../c` → `a/c`, without touching the file system.
pub(crate) fn clean(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            c => out.push(c.as_os_str()),
        }
    }
    out
}

/// Whether `inner` is `outer` or inside it.
pub(crate) fn within(inner: &Path, outer: &Path) -> bool {
    clean(inner).starts_with(clean(outer))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_install_resolves_against_the_parent() {
        let p = Paths::new(Path::new("/opt/alist/data"), None, true);
        assert!(!p.container);
        assert_eq!(
            p.resolve("data/temp"),
            Resolved::Host("/opt/alist/data/temp".into())
        );
        assert_eq!(p.resolve("/mnt/x"), Resolved::Host("/mnt/x".into()));
    }

    #[test]
    fn a_volume_maps_data_paths_and_leaves_the_rest() {
        let p = Paths::new(Path::new("/etc/openlist"), None, true);
        assert!(p.container);
        assert_eq!(
            p.resolve("data/data.db"),
            Resolved::Host("/etc/openlist/data.db".into())
        );
        assert_eq!(
            p.resolve("/mnt/media"),
            Resolved::Container("/mnt/media".into())
        );
        let p = Paths::new(
            Path::new("/etc/openlist"),
            Some("/opt/openlist/data/config.json"),
            true,
        );
        assert_eq!(
            p.resolve("/opt/openlist/data/temp"),
            Resolved::Host("/etc/openlist/temp".into())
        );
    }

    #[test]
    fn absolute_config_paths_on_the_host() {
        let p = Paths::new(Path::new("/etc/openlist2"), None, false);
        assert!(!p.container);
        assert_eq!(
            p.resolve("/etc/openlist2/data.db"),
            Resolved::Host("/etc/openlist2/data.db".into())
        );
        assert!(within(Path::new("/a/b/c"), Path::new("/a/b")));
        assert!(!within(Path::new("/a/bc"), Path::new("/a/b")));
    }
}
