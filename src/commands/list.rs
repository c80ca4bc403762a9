//! `alist-doctor list`: the catalog's problems, filtered.

use std::io::Write;

use crate::catalog::{Catalog, Entry};
use crate::cli::args::ListFormat;
use crate::cli::config::{Config, ListChoice};
use crate::error::Error;
use crate::report::entry::EntryView;

pub(crate) fn run(cfg: &Config, l: &ListChoice, out: &mut dyn Write) -> Result<u8, Error> {
    let cat = super::load_catalog(&cfg.catalog)?;
    let has = |list: &[String], want: &str| list.iter().any(|x| x.eq_ignore_ascii_case(want));
    if let Some(tag) = &l.tag
        && !cat.entries.iter().any(|e| has(&e.raw().tags, tag))
    {
        return Err(unknown_value(
            "tag",
            tag,
            cat.entries.iter().flat_map(|e| e.raw().tags.clone()),
        ));
    }
    if let Some(driver) = &l.driver
        && !cat.entries.iter().any(|e| has(&e.raw().drivers, driver))
    {
        return Err(unknown_value(
            "driver",
            driver,
            cat.entries.iter().flat_map(|e| e.raw().drivers.clone()),
        ));
    }
    let selected: Vec<&Entry> = cat
        .entries
        .iter()
        .filter(|e| l.tag.as_ref().is_none_or(|t| has(&e.raw().tags, t)))
        .filter(|e| l.driver.as_ref().is_none_or(|d| has(&e.raw().drivers, d)))
        .filter(|e| l.severity.is_none_or(|s| e.severity == s))
        .collect();
    match l.format {
        ListFormat::Markdown => {
            let shown = Catalog::from_entries(selected.into_iter().cloned().collect());
            crate::report::markdown::render(out, &shown, &cfg.view)?;
        }
        ListFormat::Json => {
            let entries: Vec<serde_json::Value> = selected
                .iter()
                .map(|e| EntryView::new(e, &cfg.view).to_json())
                .collect();
            let v = serde_json::json!({
                "version": crate::report::JSON_VERSION,
                "catalog_version": crate::catalog::CATALOG_VERSION,
                "entries": entries,
            });
            serde_json::to_writer_pretty(&mut *out, &v).map_err(std::io::Error::other)?;
            writeln!(out)?;
        }
        ListFormat::Text => {
            let width = selected.iter().map(|e| e.id.len()).max().unwrap_or(0);
            for e in &selected {
                let view = EntryView::new(e, &cfg.view);
                write!(
                    out,
                    "{:<width$}  {}  {}",
                    e.id,
                    crate::report::text::severity_column(
                        e.severity,
                        cfg.view.lang == crate::catalog::Lang::Zh
                    ),
                    crate::report::neutral::neutralise(&view.title)
                )?;
                if l.source {
                    write!(out, "  ({})", e.source)?;
                }
                writeln!(out)?;
            }
        }
    }
    Ok(0)
}

/// A `--tag`/`--driver` value no entry has: say so, with the valid ones.
fn unknown_value(what: &str, given: &str, all: impl Iterator<Item = String>) -> Error {
    let mut valid: Vec<String> = all.collect();
    valid.sort_by_key(|v| v.to_ascii_lowercase());
    valid.dedup_by(|a, b| a.eq_ignore_ascii_case(b));
    Error::Usage(format!(
        "no entry has the {what} '{given}'; {what}s in the catalog: {}",
        valid.join(", ")
    ))
}
