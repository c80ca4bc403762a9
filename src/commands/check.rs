//! `alist-doctor check [DATA_DIR]`: finds the data directories (or takes
//! the one given), checks each (`crate::check`), runs the diagnosis over
//! the log of each one's last start, and reports everything through the
//! diagnosis' views and formats, with what was checked and what was skipped.

use std::io::{self, Write};
use std::path::PathBuf;
use std::sync::atomic::AtomicBool;

use serde::Serialize;
use serde_json::json;

use crate::catalog::{Lang, Severity};
use crate::check::checks::check_dir;
use crate::check::discovery::{Candidate, is_data_dir};
use crate::check::{DirInfo, DirReport, Observation, db, findings};
use crate::cli::config::{CheckRun, Config};
use crate::diagnose::{Diagnoser, Occurred, Occurrence};
use crate::error::Error;
use crate::matching::Matcher;
use crate::pipeline::{ReadMode, ScanOptions, ScanStats, Window, scan};
use crate::report::{self, InputError, JSON_VERSION, View, Views, text};

/// What `check` adds to a report: the directories and how they were read.
#[derive(Debug, Serialize)]
struct CheckSection<'a> {
    dirs: Vec<&'a DirInfo>,
    /// Where discovery looked (empty when DATA_DIR was given).
    searched: &'a [Candidate],
}

#[derive(Serialize)]
struct CheckJson<'a> {
    #[serde(flatten)]
    view: &'a View,
    check: &'a CheckSection<'a>,
}

pub(crate) fn run(cfg: &Config, run: &CheckRun, out: &mut dyn Write) -> Result<u8, Error> {
    let catalog = super::load_catalog(&cfg.catalog)?;
    let matcher = Matcher::new(catalog);
    // A private copy of a live database must not outlive an interrupted run.
    let _ = ctrlc::set_handler(|| {
        db::remove_copies();
        std::process::exit(130);
    });

    let (dirs, searched) = targets(run)?;
    let mut reports: Vec<DirReport> = dirs
        .iter()
        .map(|(dir, why)| check_dir(dir, why, &matcher))
        .collect();
    if dirs.len() > 1 {
        let list: Vec<String> = dirs.iter().map(|(d, _)| d.display().to_string()).collect();
        reports[0].observations.push(Observation::new(
            "data-dir-several",
            format!(
                "check: {} data directories found: {}",
                dirs.len(),
                list.join(", ")
            ),
            &dirs[0].0,
            1,
        ));
    }

    let mut names: Vec<String> = Vec::new();
    let mut d = Diagnoser::new(&matcher);
    let mut scanned = ScanStats::default();
    let mut errors: Vec<InputError> = Vec::new();
    let stop = AtomicBool::new(false);
    for r in &reports {
        let Some((log, since)) = &r.log_since else {
            continue;
        };
        let source = names.len();
        names.push(log.display().to_string());
        let file = match std::fs::File::open(log) {
            Ok(f) => f,
            Err(e) => {
                errors.push(InputError {
                    input: log.display().to_string(),
                    reason: crate::read::input::io_reason(&e),
                });
                continue;
            }
        };
        let window = Window {
            since: since.clone(),
            until: None,
        };
        let opts = ScanOptions {
            mode: ReadMode::Log {
                threads: 1,
                shared_read: true,
                stdin: false,
            },
            window: &window,
            stop: &stop,
        };
        let result = scan(&mut d, Box::new(file), source, &opts, &mut report::Silent);
        scanned += result.stats;
    }
    let observations: Vec<Observation> = reports
        .iter()
        .flat_map(|r| r.observations.iter().cloned())
        .collect();
    let found = findings::to_findings(matcher.catalog(), &observations, &mut names);
    d.findings.extend(found);
    // Events outside the last start are not the installation's present.
    scanned.outside_window = 0;

    let views = Views {
        catalog: matcher.catalog(),
        names: &names,
        opts: &cfg.view,
    };
    let notes = crate::report::InputNotes {
        errors,
        ..Default::default()
    };
    let view = views.build(&d, scanned, &notes);
    let infos: Vec<&DirInfo> = reports.iter().map(|r| &r.info).collect();
    let section = CheckSection {
        dirs: infos,
        searched: &searched,
    };
    match run.format {
        report::Format::Text => render_text(out, &view, &section)?,
        report::Format::Json => {
            serde_json::to_writer_pretty(
                &mut *out,
                &CheckJson {
                    view: &view,
                    check: &section,
                },
            )
            .map_err(io::Error::other)?;
            writeln!(out)?;
        }
        report::Format::Ndjson => {
            let mut line = serde_json::to_value(&section).map_err(io::Error::other)?;
            if let Some(o) = line.as_object_mut() {
                o.insert("type".into(), json!("check"));
                o.insert("version".into(), json!(JSON_VERSION));
            }
            serde_json::to_writer(&mut *out, &line).map_err(io::Error::other)?;
            writeln!(out)?;
            let shape = report::Shape {
                format: report::Format::Ndjson,
                statistics: false,
                live: false,
            };
            let mut rep = report::for_shape(shape, views, out);
            for f in d.sorted_findings() {
                rep.occurrence(&Occurrence {
                    what: Occurred::Finding(f.clone()),
                    new: true,
                    at: f.first.clone(),
                    shown: f.matched.clone(),
                })?;
            }
            rep.finish(&view)?;
        }
        format => {
            let shape = report::Shape {
                format,
                statistics: false,
                live: false,
            };
            report::for_shape(shape, views, out).finish(&view)?;
        }
    }
    Ok(exit_code(&view, run.fail_on))
}

/// The directories to check: the one given (or its `data` folder), else
/// those discovery finds; with every place looked at.
/// Directories to check, each with how it was found.
type Targets = Vec<(PathBuf, String)>;

fn targets(run: &CheckRun) -> Result<(Targets, Vec<Candidate>), Error> {
    if let Some(dir) = &run.dir {
        if !dir.is_dir() {
            return Err(Error::Usage(format!(
                "{}: not a directory (give the data directory, which holds config.json and data.db)",
                dir.display()
            )));
        }
        if is_data_dir(dir) {
            return Ok((vec![(dir.clone(), "given".into())], Vec::new()));
        }
        let inner = dir.join("data");
        if is_data_dir(&inner) {
            return Ok((
                vec![(inner, format!("data/ of {}", dir.display()))],
                Vec::new(),
            ));
        }
        return Err(Error::Usage(format!(
            "{}: holds neither config.json nor data.db: not a data directory",
            dir.display()
        )));
    }
    let (found, missed) = run.places.found();
    if found.is_empty() {
        let looked: Vec<String> = missed
            .iter()
            .map(|c| c.path.display().to_string())
            .collect();
        return Err(Error::Usage(format!(
            "no data directory found (looked in {}); give it: alist-doctor check DATA_DIR",
            looked.join(", ")
        )));
    }
    let dirs = found
        .iter()
        .map(|c| (c.path.clone(), format!("found: {}", c.why)))
        .collect();
    let mut searched = found;
    searched.extend(missed);
    Ok((dirs, searched))
}

fn exit_code(view: &View, fail_on: Option<Severity>) -> u8 {
    if !view.summary.errors.is_empty() {
        2
    } else if fail_on.is_some_and(|min| view.findings.iter().any(|f| f.severity >= min)) {
        1
    } else {
        0
    }
}

fn access_words(info: &DirInfo, zh: bool) -> String {
    use crate::check::db::Access;
    match (info.database.access, zh) {
        (Some(Access::Immutable), false) => {
            "read in immutable mode: nothing written, no lock".into()
        }
        (Some(Access::Immutable), true) => "以不可变模式读取：不写入、不加锁".into(),
        (Some(Access::Copy), false) => {
            "read through a private copy (a write-ahead log was present)".into()
        }
        (Some(Access::Copy), true) => "通过私有副本读取（存在预写日志）".into(),
        (Some(Access::ImmutableWithoutLog), false) => {
            "read in immutable mode, without the write-ahead log (too large to copy)".into()
        }
        (Some(Access::ImmutableWithoutLog), true) => {
            "以不可变模式读取，未包含预写日志（太大，未复制）".into()
        }
        (None, false) => "not read".into(),
        (None, true) => "未读取".into(),
    }
}

/// The text report: each directory, the findings, what was skipped.
fn render_text(w: &mut dyn Write, v: &View, s: &CheckSection<'_>) -> io::Result<()> {
    use colored::Colorize;
    let zh = v.lang == Lang::Zh;
    let t = |en: &'static str, cn: &'static str| if zh { cn } else { en };
    for info in &s.dirs {
        writeln!(
            w,
            "{} {} ({})",
            t("checked", "已检查").bold(),
            info.path.display(),
            info.found_by
        )?;
        let server = match (info.server, &info.version) {
            (Some(f), Some(v)) => {
                format!("{} {v}", if f == "alist" { "AList" } else { "OpenList" })
            }
            (Some(f), None) => (if f == "alist" { "AList" } else { "OpenList" }).to_string(),
            (None, _) => t("not known", "未知").to_string(),
        };
        let from = if info.detected_from.is_empty() {
            String::new()
        } else {
            format!(" ({} {})", t("from", "依据"), info.detected_from.join(", "))
        };
        writeln!(w, "  {} {server}{from}", t("server:", "服务端:").dimmed())?;
        if info.container {
            writeln!(
                w,
                "  {} {}",
                t("container:", "容器:").dimmed(),
                t(
                    "a container's volume: paths outside it are the container's and are not checked",
                    "这是容器的数据卷：卷以外的路径属于容器内部，不在主机上检查"
                )
            )?;
        }
        if let Some(p) = &info.config {
            writeln!(w, "  {} {}", t("config:", "配置:").dimmed(), p.display())?;
        }
        match &info.database.path {
            Some(p) => writeln!(
                w,
                "  {} {} {} ({})",
                t("database:", "数据库:").dimmed(),
                info.database.kind,
                p.display(),
                access_words(info, zh)
            )?,
            None => writeln!(
                w,
                "  {} {}",
                t("database:", "数据库:").dimmed(),
                info.database.kind
            )?,
        }
        if let Some(p) = &info.log {
            writeln!(w, "  {} {}", t("log:", "日志:").dimmed(), p.display())?;
        }
        for n in &info.notes {
            writeln!(w, "  {} {n}", t("note:", "说明:").dimmed())?;
        }
        if let Some(sql) = &info.database.sql {
            writeln!(
                w,
                "  {}",
                t(
                    "read-only SQL to run yourself (mysql / psql):",
                    "可自行运行的只读 SQL（mysql / psql）："
                )
                .dimmed()
            )?;
            for l in sql.lines() {
                writeln!(w, "    {l}")?;
            }
        }
        writeln!(w)?;
    }
    for f in &v.findings {
        text::finding(w, f, v.lang)?;
    }
    if !v.unknown.is_empty() {
        text::unknown_heading(w, v.lang)?;
        for u in &v.unknown {
            text::unknown(w, u, v.lang)?;
        }
        writeln!(w)?;
    }
    for info in &s.dirs {
        for sk in &info.skipped {
            writeln!(
                w,
                "{} [{}] {}",
                t("skipped", "已跳过").dimmed(),
                sk.id,
                sk.reason
            )?;
        }
    }
    if v.findings.is_empty() && v.unknown.is_empty() {
        writeln!(
            w,
            "{}",
            t(
                "No problem found in the data directory.",
                "数据目录中没有发现问题。"
            )
        )?;
    }
    text::summary(w, v)
}
