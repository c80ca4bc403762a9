//! `alist-doctor explain ID`: everything the catalog knows about one problem.

use std::io::Write;

use crate::catalog::Lang;
use crate::cli::config::Config;
use crate::error::Error;
use crate::report::entry::{self, EntryView};

pub(crate) fn run(cfg: &Config, id: &str, json: bool, out: &mut dyn Write) -> Result<u8, Error> {
    let cat = super::load_catalog(&cfg.catalog)?;
    let Some(e) = cat.get(id).or_else(|| cat.get(&id.to_ascii_lowercase())) else {
        let close = cat.closest_ids(id, 3);
        return Err(Error::Usage(format!(
            "no catalog entry has the id '{id}'; did you mean {}? (`alist-doctor list` shows them all)",
            close
                .iter()
                .map(|c| format!("'{c}'"))
                .collect::<Vec<_>>()
                .join(", ")
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
