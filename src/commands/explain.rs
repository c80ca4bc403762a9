//! `alist-doctor explain ID`: everything the catalog knows about one problem.

use std::io::Write;

use crate::catalog::Lang;
use crate::cli::config::Config;
use crate::error::Error;
use crate::report::entry::{self, EntryView};

/// Ids close to `id`: those that hold its words in a row (`port` →
/// `port-in-use`, `onedrive-refresh` → `onedrive-refresh-token-expired`),
/// starting with them first, then the entries the suggestion engine finds
/// for it as text (`toomanyrequests` → the Aliyun rate limit), then the
/// nearest by edit distance.
fn did_you_mean(cat: &crate::catalog::Catalog, id: &str) -> Vec<String> {
    let q = id.trim().to_ascii_lowercase().replace('_', "-");
    let want: Vec<&str> = q.split('-').filter(|w| !w.is_empty()).collect();
    let mut holding: Vec<(usize, &str)> = cat
        .entries
        .iter()
        .filter_map(|e| {
            let words: Vec<&str> = e.id.split('-').collect();
            if want.is_empty() {
                return None;
            }
            let at = words
                .windows(want.len())
                .position(|w| w == want.as_slice())?;
            Some((at, e.id))
        })
        .collect();
    holding.sort_by_key(|(at, id)| (*at, id.len()));
    let mut close: Vec<String> = holding
        .into_iter()
        .take(3)
        .map(|(_, id)| id.to_string())
        .collect();
    close.extend(
        cat.suggestions()
            .suggest(&q.replace(['-', '_'], " "), &[])
            .into_iter()
            .map(|s| s.id),
    );
    // Edit distance only for near misses (typos), not for any id at all.
    let near = (q.chars().count() / 2).max(3);
    close.extend(
        cat.closest_ids(&q, 3)
            .into_iter()
            .filter(|c| crate::catalog::similarity::osa_distance(&q, c) <= near)
            .map(str::to_string),
    );
    let mut seen = std::collections::HashSet::new();
    close.retain(|c| seen.insert(c.clone()));
    close.truncate(3);
    close
}

pub(crate) fn run(cfg: &Config, id: &str, json: bool, out: &mut dyn Write) -> Result<u8, Error> {
    let cat = super::load_catalog(&cfg.catalog)?;
    let Some(e) = cat.get(id).or_else(|| cat.get(&id.to_ascii_lowercase())) else {
        let close = did_you_mean(&cat, id);
        let hint = if close.is_empty() {
            String::new()
        } else {
            let list: Vec<String> = close.iter().map(|c| format!("'{c}'")).collect();
            format!("; did you mean {}?", list.join(", "))
        };
        return Err(Error::Usage(format!(
            "no catalog entry has the id '{id}'{hint} (`alist-doctor list` shows them all)"
        )));
    };
    let view = EntryView::new(e, &cfg.view);
    if json {
        entry::json(out, &view)?;
    } else {
        entry::text(out, &view, cfg.view.lang == Lang::Zh)?;
    }
    Ok(0)
}
