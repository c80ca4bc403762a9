//! The search index: chosen but never built, or its last build failed
//! (X1), bleve's files missing (X2), the database index empty (X3).

use super::Ctx;
use crate::check::Observation;
use crate::check::paths::Resolved;
use crate::report::redact;

pub(super) fn run(ctx: &mut Ctx<'_>) {
    let Some(db) = ctx.db else { return };
    let settings = ctx.table("setting_items");
    if db.missing(&settings, &["key", "value"]).is_some() {
        return;
    }
    let Some(index) = ctx.setting("search_index") else {
        return;
    };
    if matches!(index.as_str(), "" | "none" | "no_index") {
        return;
    }
    let db_path = ctx.db_path.clone();
    let progress: serde_json::Value = ctx
        .setting("index_progress")
        .and_then(|p| serde_json::from_str(&p).ok())
        .unwrap_or_default();
    let error = progress
        .get("error")
        .and_then(serde_json::Value::as_str)
        .unwrap_or("")
        .trim()
        .to_string();
    let built = progress.get("last_done_time").is_some_and(|t| !t.is_null());
    if !error.is_empty() {
        let error =
            redact::redact(&crate::parse::normalize::collapse_whitespace(&error)).into_owned();
        ctx.push(Observation::new(
            "search-index-build-failed",
            format!("check: search index \"{index}\": the last build failed: {error}"),
            &db_path,
            1,
        ));
        return;
    }
    if !built {
        ctx.push(Observation::new(
            "search-index-never-built",
            format!("check: search index \"{index}\" has never been built"),
            &db_path,
            1,
        ));
        return;
    }
    match index.as_str() {
        "database" | "database_non_full_text" => {
            let nodes = ctx.table("search_nodes");
            if db.has_table(&nodes) && db.count(&nodes) == 0 {
                ctx.push(Observation::new(
                    "search-database-index-empty",
                    format!("check: search index \"{index}\": {nodes} is empty"),
                    &db_path,
                    1,
                ));
            }
        }
        "bleve" => {
            let dir = ctx
                .config
                .and_then(|c| c.str(&["bleve_dir"]))
                .unwrap_or("data/bleve")
                .to_string();
            match ctx.paths.resolve(&dir) {
                Resolved::Host(p) => {
                    if !p.join("index_meta.json").is_file() {
                        ctx.push(Observation::new(
                            "search-bleve-index-missing",
                            format!("check: search index \"bleve\": {dir} has no index_meta.json"),
                            ctx.config_path.clone(),
                            ctx.config.map_or(1, |c| c.line_of("bleve_dir")),
                        ));
                    }
                }
                Resolved::Container(p) => ctx.config_obs(
                    "config-path-in-container",
                    "bleve_dir",
                    format!(
                        "check: config.json: bleve_dir \"{p}\" is a path inside the container; \
                         not checked from the host"
                    ),
                ),
            }
        }
        _ => {}
    }
}
