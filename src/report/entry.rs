//! Views of catalog entries, for `explain` and `list`: the entry's text
//! in the chosen language with its docs ordered, plus every field as its
//! author wrote it. Text and JSON are rendered from the same view.
#![warn(clippy::string_slice)]

use std::io::{self, Write};

use colored::Colorize;
use serde_json::{Value, json};

use super::{JSON_VERSION, ViewOptions, entry_text, text};
use crate::catalog::{Entry, Server};
use crate::parse::normalize::collapse_whitespace;

/// One entry as shown: `shown` is localised and placeholders are left as
/// their fallback words; `fields` is every field as written
/// (`schema::RawEntry`), so a new catalog field shows without code here.
pub(crate) struct EntryView<'e> {
    pub entry: &'e Entry,
    pub title: String,
    pub cause: String,
    pub fix: Vec<String>,
    pub docs: Vec<String>,
}

impl<'e> EntryView<'e> {
    pub(crate) fn new(entry: &'e Entry, opts: &ViewOptions) -> Self {
        let (_, cause, fix, docs) = entry_text(entry, &[], opts);
        // Not filled from a message: the placeholders say what goes there.
        let title = crate::catalog::placeholder::fill(&entry.text(opts.lang).title, &[]);
        EntryView {
            entry,
            title,
            cause,
            fix,
            docs,
        }
    }

    /// Every field as written, with the shown text in place of the
    /// written one and where the entry comes from.
    pub(crate) fn to_json(&self) -> Value {
        let mut v = serde_json::to_value(self.entry.raw()).unwrap_or(Value::Null);
        if let Some(o) = v.as_object_mut() {
            o.insert("title".into(), json!(self.title));
            o.insert("cause".into(), json!(self.cause));
            o.insert("fix".into(), json!(self.fix));
            o.insert("docs".into(), json!(self.docs));
            o.insert("applies_to".into(), json!(self.entry.servers()));
            o.insert("area".into(), json!(self.entry.area));
            o.insert("source".into(), json!(self.entry.source));
            o.insert("line".into(), json!(self.entry.line));
        }
        v
    }
}

/// `explain --format json`: one entry, every field.
pub(crate) fn json(w: &mut dyn Write, e: &EntryView<'_>) -> io::Result<()> {
    let mut v = e.to_json();
    if let Some(o) = v.as_object_mut() {
        o.insert("version".into(), json!(JSON_VERSION));
    }
    serde_json::to_writer_pretty(&mut *w, &v).map_err(io::Error::other)?;
    writeln!(w)
}

fn server_names(servers: &[Server]) -> String {
    servers
        .iter()
        .map(|s| match s {
            Server::Alist => "AList",
            Server::Openlist => "OpenList",
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// `explain`: one entry, everything a maintainer or user needs.
pub(crate) fn text(w: &mut dyn Write, e: &EntryView<'_>, zh: bool) -> io::Result<()> {
    let entry = e.entry;
    let r = entry.raw();
    let label = |en: &str, cn: &str| format!("{}:", if zh { cn } else { en }).green().bold();
    writeln!(
        w,
        "{}[{}]: {}",
        text::severity_label(entry.severity, zh),
        entry.id.cyan(),
        e.title.bold()
    )?;
    let (area, source) = if zh {
        ("领域", "来源")
    } else {
        ("area", "source")
    };
    writeln!(w, "  {area}: {} · {source}: {}", entry.area, entry.source)?;
    if !r.tags.is_empty() {
        writeln!(
            w,
            "  {}: {}",
            if zh { "标签" } else { "tags" },
            r.tags.join(", ")
        )?;
    }
    if !r.drivers.is_empty() {
        writeln!(
            w,
            "  {}: {}",
            if zh { "驱动" } else { "drivers" },
            r.drivers.join(", ")
        )?;
    }
    writeln!(
        w,
        "  {}: {}",
        if zh { "适用于" } else { "applies to" },
        server_names(&entry.servers())
    )?;
    let mut kind = Vec::new();
    if entry.fallback {
        kind.push(if zh { "兜底条目" } else { "fallback" });
    }
    if entry.generic {
        kind.push(if zh {
            "通用措辞（其他程序也会打印）"
        } else {
            "generic wording (other programs print it too)"
        });
    }
    if entry.benign {
        kind.push(if zh {
            "正常运行"
        } else {
            "normal operation"
        });
    }
    if !kind.is_empty() {
        writeln!(w, "  {}", kind.join(" · "))?;
    }
    if let Some(f) = &r.fixed_in {
        let mut v = Vec::new();
        if let Some(a) = &f.alist {
            v.push(format!("AList {a}"));
        }
        if let Some(o) = &f.openlist {
            v.push(format!("OpenList {o}"));
        }
        writeln!(
            w,
            "  {}: {}",
            if zh { "已修复于" } else { "fixed in" },
            v.join(", ")
        )?;
    }
    writeln!(w, "\n{}\n  {}", label("cause", "原因"), e.cause.trim())?;
    writeln!(w, "\n{}", label("fix", "解决"))?;
    for (i, f) in e.fix.iter().enumerate() {
        writeln!(w, "  {}. {}", i + 1, f.trim())?;
    }
    let lists: [(&str, &str, &[String]); 6] = [
        ("docs", "文档", &e.docs),
        ("evidence", "依据", &r.evidence),
        ("keywords", "关键词", &r.keywords),
        ("patterns", "模式", &r.patterns),
        ("examples", "示例", &r.examples),
        ("not this problem", "不是这个问题", &r.counter_examples),
    ];
    for (en, cn, items) in lists {
        if items.is_empty() {
            continue;
        }
        writeln!(w, "\n{}", label(en, cn))?;
        for x in items {
            writeln!(
                w,
                "  {}",
                collapse_whitespace(&crate::report::neutral::neutralise(x))
            )?;
        }
    }
    Ok(())
}
