//! Which server and release the input comes from, where it says so: the
//! output of `alist version` / `openlist version`, the `version` setting of
//! `/api/public/settings`, an issue template's version line, or a user's
//! "updated to v3.53.0". With it, an entry's `fixed_in` tells whether the
//! release predates the fix.
#![warn(clippy::string_slice)]

use std::cmp::Ordering;
use std::fmt;

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Product {
    Alist,
    Openlist,
}

impl Product {
    /// As in the catalog's `applies_to` and `fixed_in` keys.
    pub(crate) fn id(self) -> &'static str {
        match self {
            Product::Alist => "alist",
            Product::Openlist => "openlist",
        }
    }

    pub(crate) fn name(self) -> &'static str {
        match self {
            Product::Alist => "AList",
            Product::Openlist => "OpenList",
        }
    }

    /// By release number: AList's are v3, OpenList's start at v4.0.0.
    fn by_major(major: u32) -> Option<Product> {
        match major {
            3 => Some(Product::Alist),
            4 => Some(Product::Openlist),
            _ => None,
        }
    }
}

/// A release number, `v3.45.1`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Version(pub u32, pub u32, pub u32);

impl Version {
    pub(crate) fn parse(s: &str) -> Option<Version> {
        let mut it = s.trim().trim_start_matches(['v', 'V']).splitn(3, '.');
        let mut part = || -> Option<u32> {
            let p = it.next()?;
            let digits: String = p.chars().take_while(char::is_ascii_digit).collect();
            if digits.is_empty() || digits.len() > 6 {
                return None;
            }
            digits.parse().ok()
        };
        Some(Version(part()?, part()?, part()?))
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "v{}.{}.{}", self.0, self.1, self.2)
    }
}

impl Serialize for Version {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// A server and release the input names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub(crate) struct Running {
    pub product: Product,
    pub version: Version,
}

/// OpenList v4.0.0 was forked from AList with every AList release up to
/// this one merged (`git tag --merged v4.0.0` in OpenListTeam/OpenList
/// lists v3.45.0 as the newest v3 tag): an AList fix released by then is in
/// every OpenList release.
const FORK_POINT: Version = Version(3, 45, 0);

/// What an entry's `fixed_in` says for the release in use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub(crate) struct Upgrade {
    pub product: Product,
    pub running: Version,
    pub fixed_in: Version,
    /// The release in use is older than the fix.
    pub predates: bool,
}

/// Compares `running` with an entry's fixed releases. `None` when the
/// entry says nothing for that server (or its fix came to AList after the
/// fork, where OpenList's own history decides).
pub(crate) fn compare(
    running: Running,
    alist: Option<&str>,
    openlist: Option<&str>,
) -> Option<Upgrade> {
    let alist = alist.and_then(Version::parse);
    let openlist = openlist.and_then(Version::parse);
    let fixed_in = match running.product {
        Product::Alist => alist?,
        Product::Openlist => match (openlist, alist) {
            (Some(v), _) => v,
            // In every OpenList release.
            (None, Some(a)) if a <= FORK_POINT => Version(4, 0, 0),
            _ => return None,
        },
    };
    Some(Upgrade {
        product: running.product,
        running: running.version,
        fixed_in,
        predates: running.version.cmp(&fixed_in) == Ordering::Less,
    })
}

/// A release number at the start of `s` (`v3.40.0`, `3.40.0`), not part
/// of a longer one; and the bytes it took.
fn number_at(s: &str) -> Option<(Version, usize)> {
    let b = s.as_bytes();
    let mut i = usize::from(matches!(b.first(), Some(b'v' | b'V')));
    let start = i;
    let mut dots = 0;
    while i < b.len() && (b[i].is_ascii_digit() || (b[i] == b'.' && dots < 2)) {
        dots += usize::from(b[i] == b'.');
        i += 1;
    }
    // A trailing dot is the sentence's, not the number's.
    if i > start && b[i - 1] == b'.' {
        i -= 1;
        dots -= 1;
    }
    if dots != 2
        || b.get(i)
            .is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'.')
    {
        return None;
    }
    Version::parse(s.get(start..i)?).map(|v| (v, i))
}

/// Byte offsets just after each `needle` (ASCII, any case) in `text` that
/// starts a word.
fn after_words<'t>(
    text: &'t str,
    lower: &'t str,
    needle: &'t str,
) -> impl Iterator<Item = usize> + 't {
    memchr::memmem::find_iter(lower.as_bytes(), needle.as_bytes())
        .filter(move |&at| at == 0 || !text.as_bytes()[at - 1].is_ascii_alphanumeric())
        .map(move |at| at + needle.len())
}

/// After a product's name: the words an issue template or a user puts
/// between it and the number (`Version / AList 版本` ⏎⏎, `（必填）：`), then
/// the number.
fn release_after(rest: &str) -> Option<Version> {
    const FILLER: &[&str] = &[
        "version", "ver", "版本", "必填", "required", "alist", "openlist",
    ];
    let mut s = rest;
    for _ in 0..16 {
        if let Some((v, _)) = number_at(s) {
            return Some(v);
        }
        let lower = s.get(..s.len().min(12)).unwrap_or(s).to_ascii_lowercase();
        if let Some(w) = FILLER.iter().find(|w| lower.starts_with(**w)) {
            s = s.get(w.len()..)?;
            continue;
        }
        let c = s.chars().next()?;
        if c.is_alphanumeric() {
            return None;
        }
        s = s.get(c.len_utf8()..)?;
        // Runs of blanks and punctuation count as one step.
        s = s.trim_start_matches(|c: char| !c.is_alphanumeric() && !matches!(c, 'v' | 'V'));
    }
    None
}

/// The server and release `text` shows, if any. Hand-written rather than
/// a regex: it runs on the first events of every log, and the words around
/// a number take Unicode classes the regex crate compiles slowly.
pub(crate) fn detect(text: &str) -> Option<Running> {
    // A release number needs two dots and a 3 or a 4: most lines have none.
    if !text
        .as_bytes()
        .windows(2)
        .any(|w| matches!(w[0], b'3' | b'4') && w[1] == b'.')
    {
        return None;
    }
    let lower = text.to_ascii_lowercase();
    let by_major = |v: Version| {
        Product::by_major(v.0).map(|product| Running {
            product,
            version: v,
        })
    };

    // `alist version`: `Version: v3.40.0` next to `WebVersion:` (or alone
    // on its line); the author line tells the fork.
    for at in after_words(text, &lower, "version:") {
        // `WebVersion:` and `Go Version:` are not it.
        let head = text.get(..at - "version:".len()).unwrap_or_default();
        if head.ends_with("Go ") || text.get(at - 8..at).is_none_or(|w| w != "Version:") {
            continue;
        }
        let Some((v, _)) = number_at(text.get(at..)?.trim_start()) else {
            continue;
        };
        let alone = text
            .trim()
            .strip_prefix("Version: ")
            .is_some_and(|r| r.starts_with('v') && !r.trim().contains(' '));
        if alone || text.contains("WebVersion:") || text.contains("Go Version:") {
            let product = if lower.contains("openlist") {
                Some(Product::Openlist)
            } else if text.contains("Xhofe") || text.contains("i@nn.ci") {
                Some(Product::Alist)
            } else {
                Product::by_major(v.0)
            };
            return product.map(|product| Running {
                product,
                version: v,
            });
        }
    }
    // The settings API: `"version":"v3.40.0"` (AList) or
    // `"version":"v4.1.0 (Commit: …) - Frontend: …"` (OpenList).
    for at in memchr::memmem::find_iter(lower.as_bytes(), b"\"version\"") {
        let rest = text
            .get(at + 9..)?
            .trim_start()
            .strip_prefix(':')?
            .trim_start()
            .strip_prefix('"');
        if let Some((v, _)) = rest.and_then(number_at) {
            return by_major(v);
        }
    }
    // A product named, then its release within a few words or lines (an
    // issue template's `AList Version / AList 版本` ⏎⏎ `v3.29.1`,
    // `Alist  v3.15.0`, `OpenList 版本（必填）：v4.1.0`).
    for (word, product) in [("openlist", Product::Openlist), ("alist", Product::Alist)] {
        for at in after_words(text, &lower, word) {
            let rest = text.get(at..)?;
            // `alist-tvbox`, `alist_strm`: another program.
            if rest.starts_with(['-', '_']) || rest.starts_with(|c: char| c.is_ascii_alphanumeric())
            {
                continue;
            }
            if let Some(v) = release_after(rest) {
                // A v3 number is AList's, a v4 one OpenList's, whatever
                // name the user gave.
                return Some(by_major(v).unwrap_or(Running {
                    product,
                    version: v,
                }));
            }
        }
    }
    // A release a user moved to, without the product's name (a bare
    // `version 3.11.2` may be anything's: Python's, a NAS's).
    for verb in [
        "更新到",
        "更新至",
        "升级到",
        "升级至",
        "updated to",
        "update to",
        "upgraded to",
        "upgrade to",
    ] {
        for at in memchr::memmem::find_iter(lower.as_bytes(), verb.as_bytes()) {
            if let Some((v, _)) = number_at(text.get(at + verb.len()..)?.trim_start()) {
                return by_major(v);
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(t: &str) -> Option<String> {
        detect(t).map(|r| format!("{} {}", r.product.name(), r.version))
    }

    #[test]
    fn where_a_release_is_named() {
        let cmd = "Built At: 2024-05-01 10:00:00 +0000\nGo Version: go1.22.1 linux/amd64\n\
                   Author: Xhofe <i@nn.ci>\nCommit ID: abcdef1\nVersion: v3.35.0\nWebVersion: 3.35.0\n";
        assert_eq!(d(cmd).as_deref(), Some("AList v3.35.0"));
        let ol = cmd
            .replace(
                "Xhofe <i@nn.ci>",
                "The OpenList Projects Contributors <noreply@openlist.team>",
            )
            .replace("v3.35.0", "v4.1.2");
        assert_eq!(d(&ol).as_deref(), Some("OpenList v4.1.2"));
        assert_eq!(d("Version: v4.1.2").as_deref(), Some("OpenList v4.1.2"));
        assert_eq!(
            d(r#"{"code":200,"data":{"site_title":"AList","version":"v3.40.0"}}"#).as_deref(),
            Some("AList v3.40.0")
        );
        assert_eq!(
            d(r#""version":"v4.1.0 (Commit: 1a2b3c) - Frontend: v4.1.0 - Build at: 2025-08-01""#)
                .as_deref(),
            Some("OpenList v4.1.0")
        );
        assert_eq!(
            d("### AList Version / AList 版本\n\nv3.29.1").as_deref(),
            Some("AList v3.29.1")
        );
        assert_eq!(
            d("OpenList 版本（必填）：v4.1.10").as_deref(),
            Some("OpenList v4.1.10")
        );
        assert_eq!(
            d("Alist  v3.15.0 ，刷新时偶尔出现").as_deref(),
            Some("AList v3.15.0")
        );
        assert_eq!(
            d("今天更新到v3.53.0以后，启动就报错").as_deref(),
            Some("AList v3.53.0")
        );
    }

    #[test]
    fn no_release_where_none_is_named() {
        assert_eq!(d("using aria2 version: 1.36.0"), None);
        assert_eq!(d("GLIBC_2.28 not found, version 2.28"), None);
        assert_eq!(d("failed get objs: failed to list objs: 404"), None);
        assert_eq!(d("alist-tvbox 1.2.3"), None);
        assert_eq!(d("Version: 3.1.4"), None);
    }

    #[test]
    fn comparing_with_fixed_releases() {
        let al = |v| Running {
            product: Product::Alist,
            version: Version::parse(v).unwrap(),
        };
        let ol = |v| Running {
            product: Product::Openlist,
            version: Version::parse(v).unwrap(),
        };
        assert!(
            compare(al("v3.40.0"), Some("v3.41.0"), None)
                .unwrap()
                .predates
        );
        assert!(
            !compare(al("v3.41.0"), Some("v3.41.0"), None)
                .unwrap()
                .predates
        );
        assert_eq!(compare(al("v3.40.0"), None, Some("v4.2.0")), None);
        // An AList fix before the fork is in every OpenList release.
        assert!(
            !compare(ol("v4.0.0"), Some("v3.41.0"), None)
                .unwrap()
                .predates
        );
        // After it, only OpenList's own release counts.
        assert_eq!(compare(ol("v4.0.0"), Some("v3.52.0"), None), None);
        assert!(
            compare(ol("v4.1.9"), Some("v3.58.0"), Some("v4.2.0"))
                .unwrap()
                .predates
        );
        assert!(Version::parse("v3.9.0") < Version::parse("v3.10.0"));
    }
}
