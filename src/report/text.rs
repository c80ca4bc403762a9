//! The human format: one block per finding (compiler-diagnostic style), the
//! unknown errors, and a one-line summary.
#![warn(clippy::string_slice)]

use std::io::{self, Write};

use colored::{ColoredString, Colorize};

use super::{FindingView, Report, UnknownView, View, Views};
use crate::catalog::{Lang, Server, Severity};
use crate::diagnose::{Occurred, Occurrence};

/// `error`, `warning`, `info` (`错误`, `警告`, `提示`), coloured.
/// A severity as a column of a table (`list`, `--statistics`), padded to
/// seven columns (a Chinese character is two wide).
pub(crate) fn severity_column(s: Severity, zh: bool) -> String {
    match (s, zh) {
        (Severity::Error, true) => "错误   ".to_string(),
        (Severity::Warning, true) => "警告   ".to_string(),
        (Severity::Info, true) => "提示   ".to_string(),
        (s, false) => format!("{:<7}", s.as_str()),
    }
}

pub(crate) fn severity_label(s: Severity, zh: bool) -> ColoredString {
    match (s, zh) {
        (Severity::Error, false) => "error".red().bold(),
        (Severity::Warning, false) => "warning".yellow().bold(),
        (Severity::Info, false) => "info".blue().bold(),
        (Severity::Error, true) => "错误".red().bold(),
        (Severity::Warning, true) => "警告".yellow().bold(),
        (Severity::Info, true) => "提示".blue().bold(),
    }
}

fn servers(applies: &[Server]) -> Option<&'static str> {
    match applies {
        [Server::Alist] => Some("AList only"),
        [Server::Openlist] => Some("OpenList only"),
        _ => None,
    }
}

pub(crate) fn finding(w: &mut dyn Write, f: &FindingView, lang: Lang) -> io::Result<()> {
    finding_with(w, f, &[], lang)
}

/// Variants of one problem listed under its block, at most this many.
const MAX_VARIANTS_SHOWN: usize = 8;

/// A finding, and the other findings of the same entry (other ports, other
/// file ids) listed under it: one cause and fix, not one copy per value.
fn finding_with(
    w: &mut dyn Write,
    f: &FindingView,
    others: &[&FindingView],
    lang: Lang,
) -> io::Result<()> {
    let zh = lang == Lang::Zh;
    writeln!(
        w,
        "{}{}{}{} {}",
        severity_label(f.severity, zh),
        "[".dimmed(),
        f.id.cyan(),
        "]:".dimmed(),
        safe(&f.title).bold()
    )?;
    let mut at = format!("{}:{}", safe(&f.source), f.first_line);
    if let Some(ts) = &f.first_timestamp {
        at.push_str(&format!(" ({ts})"));
    }
    if f.count > 1 {
        let times = if zh {
            format!("共 {} 次，最后一次在第 {} 行", f.count, f.last_line)
        } else {
            format!("{} times, last at line {}", f.count, f.last_line)
        };
        at.push_str(&format!("  {}", times.bold()));
    }
    writeln!(w, "  {} {}", "-->".blue(), at)?;
    for s in &f.samples {
        writeln!(w, "   {} {}", "|".blue(), safe(s))?;
    }
    if !others.is_empty() {
        let shown: Vec<String> = others
            .iter()
            .take(MAX_VARIANTS_SHOWN)
            .map(|o| {
                // What differs from the block's own values.
                let values: Vec<String> = o
                    .captures
                    .iter()
                    .filter(|(k, v)| f.captures.get(*k) != Some(*v))
                    .map(|(k, v)| format!("{k} {v}"))
                    .collect();
                let values = if values.is_empty() {
                    "…".to_string()
                } else {
                    values.join(", ")
                };
                format!(
                    "{} ({}:{}{})",
                    safe(&values),
                    safe(&o.source),
                    o.first_line,
                    if o.count > 1 {
                        format!(", {}×", o.count)
                    } else {
                        String::new()
                    }
                )
            })
            .collect();
        let more = others.len().saturating_sub(MAX_VARIANTS_SHOWN);
        let tail = match (more, zh) {
            (0, _) => String::new(),
            (n, false) => format!("; and {n} more"),
            (n, true) => format!("；另有 {n} 处"),
        };
        let head = if zh {
            format!("另有 {} 处取值不同：", others.len())
        } else {
            format!("also with other values ({}):", others.len())
        };
        writeln!(
            w,
            "   {} {} {}{tail}",
            "+".blue(),
            head,
            shown.join(if zh { "；" } else { "; " })
        )?;
    }
    let mut ctx = Vec::new();
    if let Some(a) = &f.context.action {
        if zh {
            ctx.push(format!("操作: {}", action_zh(a)));
        } else {
            ctx.push(format!("while {a}"));
        }
    }
    if let Some(m) = &f.context.mount_path {
        ctx.push(format!("{} {m}", if zh { "挂载路径" } else { "mount" }));
    } else if let Some(p) = &f.context.path {
        ctx.push(format!("{} {p}", if zh { "路径" } else { "path" }));
    }
    if let Some(d) = &f.context.driver {
        ctx.push(format!("{} {d}", if zh { "驱动" } else { "driver" }));
    }
    if let Some(s) = servers(&f.applies_to) {
        ctx.push(s.to_string());
    }
    if !ctx.is_empty() {
        writeln!(w, "  {} {}", "=".blue(), safe(&ctx.join(" · ")).dimmed())?;
    }
    writeln!(
        w,
        "  {} {}",
        label(if zh { "原因:" } else { "cause:" }),
        safe(f.cause.trim())
    )?;
    if let Some(line) = release_line(f, zh) {
        writeln!(
            w,
            "  {} {line}",
            label(if zh { "版本:" } else { "release:" })
        )?;
    }
    writeln!(w, "  {}", label(if zh { "解决:" } else { "fix:" }))?;
    for (i, step) in f.fix.iter().enumerate() {
        writeln!(w, "    {}. {}", i + 1, safe(step.trim()))?;
    }
    for d in &f.docs {
        writeln!(
            w,
            "  {} {}",
            label(if zh { "文档:" } else { "docs:" }),
            safe(d).underline()
        )?;
    }
    if !f.also.is_empty() {
        writeln!(
            w,
            "  {} {}",
            label(if zh { "也匹配:" } else { "also matched:" }),
            f.also.join(", ").dimmed()
        )?;
    }
    writeln!(w)
}

/// What the user was doing (`diagnose::ACTIONS`), in Chinese.
fn action_zh(action: &str) -> &str {
    match action {
        "loading storages at start-up" => "启动时加载存储",
        "adding a storage" => "添加存储",
        "saving a storage" => "保存存储",
        "loading a storage" => "加载存储",
        "starting the server" => "启动服务",
        "listing a folder" => "列出文件夹",
        "getting a download link" => "获取下载链接",
        "uploading" => "上传",
        "saving a meta rule" => "保存元信息规则",
        "copying files" => "复制文件",
        "moving files" => "移动文件",
        "renaming a file" => "重命名文件",
        "deleting files" => "删除文件",
        "adding an offline download" => "添加离线下载",
        "searching" => "搜索",
        "logging in" => "登录",
        "using a login session" => "使用登录会话",
        other => other,
    }
}

/// Where a release fixed the problem, and whether the one in use predates
/// the fix (when the input names it).
fn release_line(f: &FindingView, zh: bool) -> Option<String> {
    if let Some(u) = &f.upgrade {
        let (p, fixed, running) = (u.product.name(), u.fixed_in, u.running);
        return Some(match (u.predates, zh) {
            (true, false) => format!(
                "fixed in {p} {fixed}; the input shows {running}, which predates the fix: upgrade first"
            ),
            (true, true) => {
                format!("{p} {fixed} 已修复；输入中的版本是 {running}，早于该修复：请先升级")
            }
            (false, false) => format!(
                "fixed in {p} {fixed}; the input shows {running}, which has the fix: the cause is another one"
            ),
            (false, true) => {
                format!("{p} {fixed} 已修复；输入中的版本是 {running}，已包含该修复：原因另有所在")
            }
        });
    }
    let fx = f.fixed_in.as_ref()?;
    let list: Vec<String> = [("AList", &fx.alist), ("OpenList", &fx.openlist)]
        .into_iter()
        .filter_map(|(p, v)| v.as_ref().map(|v| format!("{p} {v}")))
        .collect();
    Some(if zh {
        format!("已修复于 {}（更早的版本请先升级）", list.join("、"))
    } else {
        format!(
            "fixed in {} (upgrade an older release first)",
            list.join(", ")
        )
    })
}

fn label(s: &str) -> ColoredString {
    s.green().bold()
}

pub(crate) fn unknown_heading(w: &mut dyn Write, lang: Lang) -> io::Result<()> {
    if lang == Lang::Zh {
        writeln!(
            w,
            "{}",
            format!("未知错误（目录里还没有这些错误；请把它们连同 `--format json` 的输出提交到 {ISSUES}）：").yellow().bold()
        )
    } else {
        writeln!(
            w,
            "{}",
            format!("Unknown errors (the catalog does not know these yet; please report them with the `--format json` output at {ISSUES}):")
                .yellow()
                .bold()
        )
    }
}

pub(crate) fn unknown(w: &mut dyn Write, u: &UnknownView, lang: Lang) -> io::Result<()> {
    writeln!(
        w,
        "  {:>5}× {} {}",
        u.count,
        match (lang == Lang::Zh, u.level.as_str()) {
            (true, "error") => "错误".to_string(),
            (true, "fatal") => "致命".to_string(),
            (true, "panic") => "崩溃".to_string(),
            (true, "body") => "响应".to_string(),
            (_, level) => level.to_uppercase(),
        }
        .red(),
        safe(&u.template)
    )?;
    writeln!(
        w,
        "         {} {}:{}: {}",
        if lang == Lang::Zh { "例：" } else { "e.g." }.dimmed(),
        safe(&u.source),
        u.first_line,
        safe(&u.sample).dimmed()
    )?;
    if !u.suggestions.is_empty() {
        writeln!(
            w,
            "         {}",
            if lang == Lang::Zh {
                "可能是："
            } else {
                "possibly:"
            }
            .yellow()
        )?;
        for s in &u.suggestions {
            suggestion(w, s, "           ")?;
        }
    }
    Ok(())
}

pub(crate) fn render(w: &mut dyn Write, v: &View) -> io::Result<()> {
    // One block per problem, where its first variant stands in the order.
    let mut done = std::collections::HashSet::new();
    for f in &v.findings {
        if !done.insert(f.id.as_str()) {
            continue;
        }
        let others: Vec<&FindingView> = v
            .findings
            .iter()
            .filter(|o| o.id == f.id && !std::ptr::eq(*o, f))
            .collect();
        finding_with(w, f, &others, v.lang)?;
    }
    suggestions(w, v)?;
    unknown_and_summary(w, v)
}

/// The entries a paste resembles, when none explains it.
fn suggestions(w: &mut dyn Write, v: &View) -> io::Result<()> {
    if v.suggestions.is_empty() {
        return Ok(());
    }
    let zh = v.lang == Lang::Zh;
    writeln!(
        w,
        "{}",
        if zh {
            "可能是（这段文字与下列问题相似；用 `alist-doctor explain ID` 查看详情）："
        } else {
            "Possibly (the text resembles these problems; `alist-doctor explain ID` tells more):"
        }
        .yellow()
        .bold()
    )?;
    for s in &v.suggestions {
        suggestion(w, s, "  ")?;
    }
    writeln!(w)
}

fn suggestion(w: &mut dyn Write, s: &super::SuggestionView, indent: &str) -> io::Result<()> {
    writeln!(
        w,
        "{indent}{} {} {}",
        s.id.cyan(),
        "—".dimmed(),
        safe(&s.title),
    )?;
    writeln!(w, "{indent}  {}", safe(&s.words.join(", ")).dimmed())
}

/// Text from the input or a catalog, safe to print (see `neutral`).
fn safe(s: &str) -> std::borrow::Cow<'_, str> {
    super::neutral::neutralise(s)
}

/// The part of the report after the findings (live mode printed those
/// already, one by one).
pub(crate) fn unknown_and_summary(w: &mut dyn Write, v: &View) -> io::Result<()> {
    if !v.unknown.is_empty() {
        unknown_heading(w, v.lang)?;
        for u in &v.unknown {
            unknown(w, u, v.lang)?;
        }
        writeln!(w)?;
    }
    if v.findings.is_empty() && v.unknown.is_empty() && v.suggestions.is_empty() {
        nothing_found(w, v.lang)?;
    }
    summary(w, v)
}

fn nothing_found(w: &mut dyn Write, lang: Lang) -> io::Result<()> {
    if lang == Lang::Zh {
        writeln!(w, "没有找到已知问题。")?;
        writeln!(w, "  `alist-doctor list` 列出所有已知问题；")?;
        writeln!(
            w,
            "  如果你的错误不在其中，请附上完整的错误文本提交到 {ISSUES}"
        )
    } else {
        writeln!(w, "No known problem found.")?;
        writeln!(
            w,
            "  `alist-doctor list` shows every problem the catalog knows;"
        )?;
        writeln!(
            w,
            "  if your error is not among them, report it with the full error text: {ISSUES}"
        )
    }
}

/// Where to report what the catalog does not know.
const ISSUES: &str = concat!(env!("CARGO_PKG_REPOSITORY"), "/issues");

pub(crate) fn summary(w: &mut dyn Write, v: &View) -> io::Result<()> {
    let s = &v.summary;
    let mut line = if v.lang == Lang::Zh {
        format!(
            "{} 个问题（{} 次），{} 个未知错误；读取 {} 行，来自 {} 个输入",
            s.findings, s.occurrences, s.unknown, s.lines, s.inputs
        )
    } else {
        format!(
            "{} problem{} ({} occurrence{}), {} unknown error{}, in {} line{} from {} input{}",
            s.findings,
            plural(s.findings as u64),
            s.occurrences,
            plural(s.occurrences),
            s.unknown,
            plural(s.unknown as u64),
            s.lines,
            plural(s.lines),
            s.inputs,
            plural(s.inputs as u64)
        )
    };
    if s.cut_lines > 0 {
        line.push_str(&format!(
            "; {} over-long line{} cut to {} KiB for matching",
            s.cut_lines,
            plural(s.cut_lines),
            crate::read::input::MAX_LINE / 1024
        ));
    }
    if s.foreign > 0 {
        line.push_str(&format!(
            "; {} event{} of other programs left out",
            s.foreign,
            plural(s.foreign)
        ));
    }
    if s.outside_window > 0 {
        line.push_str(&format!(
            "; {} event{} outside --since/--until skipped",
            s.outside_window,
            plural(s.outside_window)
        ));
    }
    if s.capped {
        line.push_str("; too many distinct problems: the tables were capped");
    }
    for e in &s.encoding {
        let ends = e
            .line_ends
            .map(|l| format!(", lines ended by {l}"))
            .unwrap_or_default();
        line.push_str(&format!(
            "; {} read as {}{ends}",
            crate::report::neutral::neutralise(&e.input),
            e.encoding.name()
        ));
    }
    if !s.errors.is_empty() {
        line.push_str(&format!(
            "; {} input{} could not be read",
            s.errors.len(),
            plural(s.errors.len() as u64)
        ));
    }
    let label = if v.lang == Lang::Zh {
        "汇总:"
    } else {
        "summary:"
    };
    writeln!(w, "{} {}", label.bold(), line)
}

fn plural(n: u64) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// `--statistics`: per-id counts only.
pub(crate) fn statistics(w: &mut dyn Write, v: &View) -> io::Result<()> {
    let zh = v.lang == Lang::Zh;
    for (id, severity, count) in super::statistics(v) {
        writeln!(w, "{count:>8}  {}  {id}", severity_column(severity, zh))?;
    }
    if v.summary.unknown_occurrences > 0 {
        let what = if zh {
            "（未知错误）"
        } else {
            "(unknown errors)"
        };
        writeln!(w, "{:>8}  {:<7}  {what}", v.summary.unknown_occurrences, "")?;
    }
    summary(w, v)
}

/// The text report, all at the end.
pub(crate) struct Batch<'a> {
    pub out: &'a mut dyn Write,
}

impl Report for Batch<'_> {
    fn finish(&mut self, view: &View) -> io::Result<()> {
        render(self.out, view)
    }
}

/// The text report while following a file: each problem printed when it
/// first occurs, the unknown errors and the summary at the end.
pub(crate) struct Live<'a> {
    pub out: &'a mut dyn Write,
    pub views: Views<'a>,
}

impl Report for Live<'_> {
    fn streams(&self) -> bool {
        true
    }

    fn occurrence(&mut self, o: &Occurrence) -> io::Result<()> {
        if let (Occurred::Finding(f), true) = (&o.what, o.new) {
            finding(self.out, &self.views.finding(f), self.views.opts.lang)?;
            self.out.flush()?;
        }
        Ok(())
    }

    fn finish(&mut self, view: &View) -> io::Result<()> {
        unknown_and_summary(self.out, view)
    }
}

/// `--statistics` in text.
pub(crate) struct Statistics<'a> {
    pub out: &'a mut dyn Write,
}

impl Report for Statistics<'_> {
    fn finish(&mut self, view: &View) -> io::Result<()> {
        statistics(self.out, view)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_action_has_its_chinese() {
        for (_, a) in crate::diagnose::ACTIONS {
            assert_ne!(super::action_zh(a), *a, "no Chinese for '{a}'");
        }
    }
}
