//! `alist-doctor lint`: validates catalog files as a set and proves every
//! example and counter-example through the real diagnosis pipeline.
#![warn(clippy::string_slice)]

use std::collections::HashMap;

use regex_syntax::hir::{Hir, HirKind};

use crate::catalog::pattern::{
    MAX_CAPTURE, capture_names, check_pattern, compile_pattern, required_literals,
};
use crate::catalog::placeholder::placeholders;
use crate::catalog::{Catalog, CatalogIssue, Entry, check_structure, embedded_files, parse_file};
use crate::diagnose::Diagnoser;
use crate::matching::Matcher;
use crate::pipeline::diagnose_text;

/// A catalog file to lint: name for messages, area, contents.
pub(crate) struct LintFile {
    pub(crate) origin: String,
    pub(crate) area: String,
    pub(crate) text: String,
}

/// The embedded catalog's files, as shipped.
pub(crate) fn embedded() -> Vec<LintFile> {
    embedded_files()
        .iter()
        .map(|(name, text)| LintFile {
            origin: format!("data/{name}"),
            area: name.trim_end_matches(".yaml").to_string(),
            text: text.to_string(),
        })
        .collect()
}

/// Lints `files` together as one catalog. `strict` is for the embedded
/// catalog: missing Chinese text or fewer than two examples are errors there,
/// warnings in user catalogs.
pub(crate) fn lint(files: &[LintFile], strict: bool) -> Vec<CatalogIssue> {
    let mut out = Vec::new();
    let mut entries: Vec<Entry> = Vec::new();
    for f in files {
        match parse_file(&f.origin, &f.area, &f.text) {
            Ok(es) => entries.extend(es),
            Err(d) => out.push(d),
        }
    }
    let mut seen: HashMap<&str, (&str, usize)> = HashMap::new();
    let mut usable = Vec::new();
    for e in entries {
        let mut ok = true;
        let structure = check_structure(&e);
        ok &= structure.is_empty();
        out.extend(structure);
        if let Some((file, line)) = seen.get(e.id) {
            out.push(
                CatalogIssue::error(
                    e.source,
                    format!("duplicate id, first defined at {file}:{line}"),
                )
                .at_entry(&e, "id"),
            );
            ok = false;
        } else {
            seen.insert(e.id, (e.source, e.line));
        }
        for (i, p) in e.patterns.iter().enumerate() {
            let field = format!("patterns[{i}]");
            match check_pattern(p) {
                Err(m) => {
                    out.push(CatalogIssue::error(e.source, m).at_entry(&e, &field));
                    ok = false;
                }
                Ok(_) if required_literals(p).is_none() => out.push(warn(
                    &e,
                    &field,
                    "no literal of 3+ characters is required by this pattern, so it runs on every line (slow)",
                )),
                Ok(_) => {}
            }
            if let Some((min, max)) = wide_bound(p) {
                let mut d = CatalogIssue::error(
                    e.source,
                    format!(
                        "counted repetition {{{min},{max}}}: the automaton grows with the bound \
                         (memory and speed on every search); use * or + instead, captured \
                         values are clipped to {} bytes anyway",
                        MAX_CAPTURE
                    ),
                )
                .at_entry(&e, &field);
                d.warning = !strict;
                out.push(d);
            }
        }
        out.extend(check_text(&e, strict));
        if ok {
            usable.push(e);
        }
    }
    let catalog = Catalog::from_entries(usable);
    let matcher = Matcher::new(std::borrow::Cow::Owned(catalog));
    out.extend(check_examples(&matcher));
    out
}

/// Widest bounded range a counted repetition may span (`{0,32}`); exact
/// counts (`{36}` for a UUID) stay cheap.
const MAX_BOUND_RANGE: u32 = 32;

/// The first counted repetition in `pattern` whose range is wider than
/// `MAX_BOUND_RANGE`, as (min, max).
fn wide_bound(pattern: &str) -> Option<(u32, u32)> {
    fn walk(h: &Hir) -> Option<(u32, u32)> {
        match h.kind() {
            HirKind::Repetition(r) => match r.max {
                Some(max) if max - r.min > MAX_BOUND_RANGE => Some((r.min, max)),
                _ => walk(&r.sub),
            },
            HirKind::Capture(c) => walk(&c.sub),
            HirKind::Concat(subs) | HirKind::Alternation(subs) => subs.iter().find_map(walk),
            _ => None,
        }
    }
    let hir = regex_syntax::ParserBuilder::new()
        .build()
        .parse(pattern)
        .ok()?;
    walk(&hir)
}

fn warn(e: &Entry, field: &str, msg: &str) -> CatalogIssue {
    let mut d = CatalogIssue::error(e.source, msg).at_entry(e, field);
    d.warning = true;
    d
}

fn check_text(e: &Entry, strict: bool) -> Vec<CatalogIssue> {
    let mut out = Vec::new();
    let names: Vec<String> = e
        .patterns
        .iter()
        .filter_map(|p| compile_pattern(p).ok())
        .flat_map(|re| capture_names(&re).map(str::to_string).collect::<Vec<_>>())
        .collect();
    let r = e.raw();
    let mut texts: Vec<(String, &str)> =
        vec![("title".into(), &r.title), ("cause".into(), &r.cause)];
    texts.extend(
        r.fix
            .iter()
            .enumerate()
            .map(|(i, f)| (format!("fix[{i}]"), f.as_str())),
    );
    if let Some(zh) = &r.zh {
        texts.push(("zh.title".into(), &zh.title));
        texts.push(("zh.cause".into(), &zh.cause));
        texts.extend(
            zh.fix
                .iter()
                .enumerate()
                .map(|(i, f)| (format!("zh.fix[{i}]"), f.as_str())),
        );
    }
    for (field, text) in texts {
        for p in placeholders(text) {
            if !names.iter().any(|n| n == p.name) {
                out.push(
                    CatalogIssue::error(
                        e.source,
                        format!(
                            "placeholder {{{}}} names no capture of the entry's patterns",
                            p.name
                        ),
                    )
                    .at_entry(e, &field),
                );
            }
        }
    }
    let mut soft = |field: &str, msg: &str| {
        let mut d = CatalogIssue::error(e.source, msg).at_entry(e, field);
        d.warning = !strict;
        out.push(d);
    };
    match &r.zh {
        None => soft("zh", "no Simplified Chinese text (zh: title, cause, fix)"),
        Some(zh)
            if zh.title.trim().is_empty() || zh.cause.trim().is_empty() || zh.fix.is_empty() =>
        {
            soft(
                "zh",
                "Chinese text is incomplete: title, cause and fix are all needed",
            )
        }
        Some(_) => {}
    }
    if r.examples.len() < 2 {
        soft(
            "examples",
            "at least 2 examples are needed to prove the patterns",
        );
    }
    if r.docs.is_empty() {
        soft("docs", "no documentation link");
    }
    if r.evidence.is_empty() {
        soft(
            "evidence",
            "no evidence: say where the message is produced (owner/repo:path@tag) and where a code's meaning is documented (URL or owner/repo#N)",
        );
    }
    for (i, ev) in r.evidence.iter().enumerate() {
        if let Err(why) = evidence_reference(ev) {
            out.push(CatalogIssue::error(e.source, why).at_entry(e, &format!("evidence[{i}]")));
        }
    }
    let fixed_in = r.fixed_in.clone().unwrap_or_default();
    for (server, v) in [("alist", &fixed_in.alist), ("openlist", &fixed_in.openlist)] {
        if let Some(v) = v
            && !is_release(v)
        {
            out.push(
                CatalogIssue::error(e.source, format!("'{v}' is not a release tag like v3.45.0"))
                    .at_entry(e, &format!("fixed_in.{server}")),
            );
        }
    }
    if (fixed_in.alist.is_some() || fixed_in.openlist.is_some())
        && !r.evidence.iter().any(|ev| {
            ev.contains("release")
                || ev.contains("/commit/")
                || ev.contains("/pull/")
                || ev.contains('@')
        })
    {
        out.push(warn(
            e,
            "fixed_in",
            "cite the release notes or the fixing commit in evidence",
        ));
    }
    // A problem a release fixed: the first thing to do is that upgrade
    // (the report says whether the release in use predates it).
    if fixed_in.alist.is_some() || fixed_in.openlist.is_some() {
        let first = r.fix.first().map(|f| f.to_lowercase()).unwrap_or_default();
        let zh_first =
            r.zh.as_ref()
                .and_then(|z| z.fix.first())
                .cloned()
                .unwrap_or_default();
        if !(first.contains("upgrade") || first.contains("update")) {
            out.push(
                CatalogIssue::error(e.source, "with fixed_in, the first fix step is the upgrade")
                    .at_entry(e, "fix[0]"),
            );
        }
        if r.zh.is_some() && !(zh_first.contains("升级") || zh_first.contains("更新")) {
            out.push(
                CatalogIssue::error(
                    e.source,
                    "with fixed_in, the first fix step is the upgrade (升级)",
                )
                .at_entry(e, "zh.fix[0]"),
            );
        }
    }
    for (i, d) in r.docs.iter().enumerate() {
        if !d.starts_with("https://") {
            out.push(warn(
                e,
                &format!("docs[{i}]"),
                "links should start with https://",
            ));
        }
    }
    out
}

/// `v3.45.0`: a release tag.
fn is_release(v: &str) -> bool {
    v.strip_prefix('v').is_some_and(|r| {
        let parts: Vec<&str> = r.split('.').collect();
        parts.len() == 3
            && parts
                .iter()
                .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
    })
}

/// Checks an evidence item's reference, its first word: a file at a
/// revision (`AlistGo/alist:drivers/x/util.go@v3.41.0`), a thread
/// (`AlistGo/alist#3918`) or a page (`https://…`).
pub(crate) fn evidence_reference(item: &str) -> Result<(), String> {
    let reference = item.split_whitespace().next().unwrap_or("");
    if let Some(url) = reference.strip_prefix("https://") {
        return if url.contains('.') {
            Ok(())
        } else {
            Err(format!("'{reference}' is not a web address"))
        };
    }
    let repo_ok = |r: &str| {
        let mut parts = r.split('/');
        let ok = |s: Option<&str>| {
            s.is_some_and(|s| {
                !s.is_empty()
                    && s.bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b))
            })
        };
        ok(parts.next()) && ok(parts.next()) && parts.next().is_none()
    };
    if let Some((repo, n)) = reference.split_once('#') {
        if repo_ok(repo) && !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) {
            return Ok(());
        }
    } else if let Some((repo, rest)) = reference.split_once(':')
        && let Some((path, rev)) = rest.rsplit_once('@')
        && repo_ok(repo)
        && !path.is_empty()
        && !rev.is_empty()
    {
        return Ok(());
    }
    Err(format!(
        "'{reference}' is not a reference: use owner/repo:path@tag-or-commit, owner/repo#N or an https:// address, then what it shows"
    ))
}

/// Every example must come out with its entry as the first finding, every
/// counter-example must not produce the entry at all.
fn check_examples(matcher: &Matcher) -> Vec<CatalogIssue> {
    let mut out = Vec::new();
    let entries = &matcher.catalog().entries;
    // For each entry, the other entries that every one of its examples
    // also matches: two entries each in the other's set say the same.
    let mut covered_by: Vec<Option<std::collections::BTreeSet<usize>>> = vec![None; entries.len()];
    for (ei, e) in entries.iter().enumerate() {
        for (i, ex) in e.raw().examples.iter().enumerate() {
            let mut d = Diagnoser::new(matcher);
            diagnose_text(&mut d, ex, true);
            let matched: std::collections::BTreeSet<usize> = d
                .findings
                .iter()
                .flat_map(|f| std::iter::once(f.entry).chain(f.also.iter().copied()))
                .filter(|&j| j != ei)
                .collect();
            covered_by[ei] = Some(match covered_by[ei].take() {
                None => matched,
                Some(before) => before.intersection(&matched).copied().collect(),
            });
            let first = d.sorted_findings().first().map(|f| f.entry);
            if first != Some(ei) {
                let got = match first {
                    Some(j) => format!("'{}' ranks first", entries[j].id),
                    None => "nothing matches".to_string(),
                };
                out.push(
                    CatalogIssue::error(
                        e.source,
                        format!("example does not diagnose as this entry: {got}"),
                    )
                    .at_entry(e, &format!("examples[{i}]")),
                );
            }
        }
        for (i, ex) in e.raw().counter_examples.iter().enumerate() {
            let mut d = Diagnoser::new(matcher);
            diagnose_text(&mut d, ex, true);
            if d.findings
                .iter()
                .any(|f| f.entry == ei || f.also.contains(&ei))
            {
                out.push(
                    CatalogIssue::error(e.source, "counter-example matches this entry")
                        .at_entry(e, &format!("counter_examples[{i}]")),
                );
            }
        }
    }
    for (a, set) in covered_by.iter().enumerate() {
        for &b in set.iter().flatten() {
            if a < b && covered_by[b].as_ref().is_some_and(|s| s.contains(&a)) {
                let (ea, eb) = (&entries[a], &entries[b]);
                out.push(warn(
                    ea,
                    "examples",
                    &format!(
                        "near-duplicate of '{}': every example of each also matches the \
                         other; merge them, or give each an example only it explains",
                        eb.id
                    ),
                ));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(text: &str) -> Vec<LintFile> {
        vec![LintFile {
            origin: "t.yaml".into(),
            area: "t".into(),
            text: text.into(),
        }]
    }

    #[test]
    fn reports_each_kind_of_problem() {
        let yaml = r#"
- id: one
  title: "Port {port} {nope}"
  severity: error
  patterns: ['listen tcp \S*:(?P<port>\d+): bind: address already in use']
  cause: c
  fix: [f]
  docs: [https://alistgo.com/]
  examples: ['listen tcp :5244: bind: address already in use', 'no match here']
  counter_examples: ['listen tcp :1: bind: address already in use']
- id: one
  title: t
  severity: error
  patterns: ['(']
  cause: c
  fix: [f]
"#;
        let d = lint(&file(yaml), false);
        let text: Vec<String> = d.iter().map(|d| d.to_string()).collect();
        let has = |s: &str| text.iter().any(|t| t.contains(s));
        assert!(has("placeholder {nope}"), "{text:#?}");
        assert!(
            has("field 'examples[1]': example does not diagnose"),
            "{text:#?}"
        );
        assert!(
            has("field 'counter_examples[0]': counter-example matches"),
            "{text:#?}"
        );
        assert!(has("duplicate id"), "{text:#?}");
        assert!(
            has("field 'patterns[0]': invalid regex: unclosed group"),
            "{text:#?}"
        );
        assert!(
            has("t.yaml:2: warning: entry 'one', field 'zh'"),
            "{text:#?}"
        );
    }

    /// Two entries whose examples each also match the other are reported
    /// as near-duplicates (issue #15); one that only overlaps is not.
    #[test]
    fn near_duplicates_are_reported() {
        let entry = |id: &str, pattern: &str, example: &str| {
            format!(
                "- id: {id}\n  title: t\n  severity: error\n  patterns: ['{pattern}']\n  \
                 cause: c\n  fix: [f]\n  docs: [https://alistgo.com/]\n  \
                 examples: ['{example}']\n"
            )
        };
        let yaml = entry(
            "quota-a",
            "frobnicator quota exceeded",
            "frobnicator quota exceeded",
        ) + &entry(
            "quota-b",
            "quota exceeded for frob",
            "frobnicator quota exceeded for frob",
        ) + &entry("other", "widget jammed", "widget jammed");
        let d = lint(&file(&yaml), false);
        let text: Vec<String> = d.iter().map(|d| d.to_string()).collect();
        let near: Vec<&String> = text
            .iter()
            .filter(|t| t.contains("near-duplicate"))
            .collect();
        assert_eq!(
            near.len(),
            0,
            "the first's example does not match the second: {text:#?}"
        );
        let yaml = entry("quota-a", "quota exceeded", "frobnicator quota exceeded")
            + &entry(
                "quota-b",
                "frobnicator quota",
                "frobnicator quota exceeded now",
            )
            + &entry("other", "widget jammed", "widget jammed");
        let d = lint(&file(&yaml), false);
        let text: Vec<String> = d.iter().map(|d| d.to_string()).collect();
        let near: Vec<&String> = text
            .iter()
            .filter(|t| t.contains("near-duplicate"))
            .collect();
        assert_eq!(near.len(), 1, "{text:#?}");
        assert!(
            near[0].contains("'quota-a'") && near[0].contains("'quota-b'"),
            "{near:?}"
        );
    }

    #[test]
    fn a_fixed_problem_starts_with_the_upgrade() {
        let yaml = |fix: &str| {
            format!(
                r#"
- id: fixed
  title: t
  severity: error
  fixed_in: {{alist: "v3.41.0"}}
  patterns: ['boom']
  cause: c
  fix: ['{fix}']
  examples: ['boom']
  evidence: ["AlistGo/alist:drivers/x/util.go@v3.41.0 fix released"]
"#
            )
        };
        let says = |fix: &str| {
            lint(&file(&yaml(fix)), false)
                .iter()
                .any(|d| !d.warning && d.message.contains("first fix step is the upgrade"))
        };
        assert!(says("Reload the storage."));
        assert!(!says("Upgrade to AList v3.41.0 or later."));
    }

    #[test]
    fn wide_counted_repetitions_are_flagged() {
        assert_eq!(wide_bound(r"failed list /[^:]{0,300}: "), Some((0, 300)));
        assert_eq!(wide_bound(r"a(?:b|(x{2,40}))"), Some((2, 40)));
        assert_eq!(wide_bound(r"[0-9a-f-]{36} [a-z]{1,8} .*"), None);
        let yaml = r#"
- id: wide
  title: t
  severity: error
  patterns: ['boom: (?P<detail>[^"]{0,120})']
  cause: c
  fix: [f]
  examples: ['boom: x', 'boom: y']
"#;
        let d = lint(&file(yaml), false);
        let hit = d
            .iter()
            .find(|d| d.message.contains("counted repetition {0,120}"))
            .unwrap_or_else(|| panic!("{d:#?}"));
        assert!(hit.warning && hit.field.as_deref() == Some("patterns[0]"));
        assert!(
            lint(&file(yaml), true)
                .iter()
                .any(|d| !d.warning && d.message.contains("{0,120}"))
        );
    }
}
