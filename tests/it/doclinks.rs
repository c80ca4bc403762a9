//! Every `docs:` link of the embedded catalog to AList's or OpenList's docs
//! site names a page, and a heading anchor where it has one, that the site
//! publishes. `tests/fixtures/doc-pages.txt` lists them; it is written by
//! `scripts/gen-doc-pages.py` from the two docs repositories and committed,
//! so the test needs neither network nor the repositories.

use std::collections::HashSet;

use crate::util::doctor;

const FIXTURE: &str = include_str!("../fixtures/doc-pages.txt");

/// The sites the fixture covers, with the repository each is built from.
const SITES: [(&str, &str); 2] = [
    ("alistgo.com", "AlistGo/docs"),
    ("doc.oplist.org", "OpenListTeam/OpenList-Docs"),
];

/// The fixture's pages and `page#anchor` lines.
fn published() -> HashSet<&'static str> {
    FIXTURE
        .lines()
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect()
}

/// `%XX` escapes decoded as UTF-8 (the fixture holds links decoded).
fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = b
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (b[i], hex) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (c, _) => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The host of an `https://` or `http://` link.
fn host(link: &str) -> Option<&str> {
    let rest = link
        .strip_prefix("https://")
        .or_else(|| link.strip_prefix("http://"))?;
    rest.split(['/', '#', '?']).next()
}

/// (entry id, link) for every `docs:` link of the embedded catalog.
fn doc_links(lang: &str) -> Vec<(String, String)> {
    let out = doctor()
        .args(["--lang", lang, "list", "--format", "json"])
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "list failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("list prints JSON");
    let entries = v["entries"].as_array().expect("entries[]");
    let mut links = Vec::new();
    for e in entries {
        let id = e["id"].as_str().expect("id");
        for d in e["docs"].as_array().expect("docs[]") {
            links.push((id.to_string(), d.as_str().expect("a link").to_string()));
        }
    }
    links
}

/// In English, and in Chinese, where AList's links lead to its Chinese
/// pages (`/zh/…`, whose anchors are Chinese headings: none is kept).
#[test]
fn docs_links_name_published_pages_and_anchors() {
    for lang in ["en", "zh"] {
        check_links(lang);
    }
}

fn check_links(lang: &str) {
    let pages = published();
    let mut checked = 0;
    let mut broken = Vec::new();
    for (id, link) in doc_links(lang) {
        if !host(&link).is_some_and(|h| SITES.iter().any(|(s, _)| *s == h)) {
            continue;
        }
        checked += 1;
        let (page, anchor) = match link.split_once('#') {
            Some((p, a)) => (percent_decode(p), Some(percent_decode(a))),
            None => (percent_decode(&link), None),
        };
        let why = if !pages.contains(page.as_str()) {
            "no such page"
        } else if anchor
            .as_ref()
            .is_some_and(|a| !pages.contains(format!("{page}#{a}").as_str()))
        {
            "no such anchor on the page"
        } else {
            continue;
        };
        broken.push(format!("  {id}: {link} ({why})"));
    }
    assert!(
        checked > 100,
        "only {checked} docs links to {SITES:?}: is `list --format json` still listing docs?"
    );
    assert!(
        broken.is_empty(),
        "--lang {lang}: {} of {checked} docs links name no page or anchor of tests/fixtures/doc-pages.txt \
         (point them at the page that holds the information, or regenerate the fixture with \
         scripts/gen-doc-pages.py when the docs changed):\n{}",
        broken.len(),
        broken.join("\n")
    );
}

#[test]
fn fixture_covers_both_sites_at_a_commit() {
    let pages = published();
    let header: Vec<&str> = FIXTURE.lines().take_while(|l| l.starts_with('#')).collect();
    for (site, repo) in SITES {
        let line = header
            .iter()
            .find(|l| l.contains(&format!("https://{site}/")) && l.contains(repo))
            .unwrap_or_else(|| panic!("the header names no {repo} for {site}"));
        assert!(
            line.split_whitespace()
                .any(|w| w.len() == 40 && w.bytes().all(|b| b.is_ascii_hexdigit())),
            "no commit for {repo}: {line}"
        );
        let prefix = format!("https://{site}/");
        let on_site: Vec<&&str> = pages.iter().filter(|p| p.starts_with(&prefix)).collect();
        assert!(
            on_site.iter().filter(|p| !p.contains('#')).count() > 50,
            "too few pages of {site}"
        );
        assert!(
            on_site.iter().filter(|p| p.contains('#')).count() > 500,
            "too few anchors of {site}"
        );
    }
}

#[test]
fn percent_decoding_matches_the_fixture_form() {
    assert_eq!(
        percent_decode("https://alistgo.com/guide/drivers/Alist%20V2%20V3.html"),
        "https://alistgo.com/guide/drivers/Alist V2 V3.html"
    );
    assert_eq!(percent_decode("%E5%A6%82%E4%BD%95bug"), "如何bug");
    assert_eq!(percent_decode("100%"), "100%");
    assert_eq!(
        host("https://doc.oplist.org/faq/howto#x"),
        Some("doc.oplist.org")
    );
}
