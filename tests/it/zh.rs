//! `--lang zh` translates the tool's own words everywhere it prints them
//! (#16): findings, suggestions, unknown errors, variants, releases,
//! statistics, summaries, `list` and `explain`. What comes from the input,
//! ids, flags, config keys, URLs and the catalog's evidence citations
//! (which quote English sources) are not UI.

use crate::util::doctor;

/// English words the text report, `list` and `explain` print as their own.
const UI_WORDS: &[&str] = &[
    "error",
    "warning",
    "info",
    "while",
    "cause",
    "fix",
    "docs",
    "also",
    "matched",
    "release",
    "fixed",
    "summary",
    "problem",
    "problems",
    "occurrence",
    "occurrences",
    "unknown",
    "line",
    "lines",
    "input",
    "inputs",
    "possibly",
    "times",
    "last",
    "values",
    "mount",
    "driver",
    "path",
    "area",
    "source",
    "tags",
    "applies",
    "evidence",
    "keywords",
    "patterns",
    "examples",
    "not",
    "found",
    "read",
    "known",
    "shows",
    "e.g",
];

fn english_ui_words(output: &str) -> Vec<String> {
    // URLs, code, ids, flags, placeholders, messages a title quotes and
    // HTTP statuses (`405 Method Not Allowed`).
    let url = regex::Regex::new(
        r"https?://\S+|`[^`]*`|\b[a-z0-9]+(?:-[a-z0-9]+)+\b|--[a-z-]+|<[a-z_]+>|（[^）]*）|[1-5][0-9]{2}(?: [A-Z][a-z]+)+",
    )
    .unwrap();
    let mut found = Vec::new();
    let mut in_evidence = false;
    for line in output.lines() {
        // Quoted input: a sample, the matched line, a template.
        if line.starts_with("   |") || line.contains("例：") || line.contains('×') {
            continue;
        }
        // explain's evidence cites English sources verbatim; its keywords,
        // patterns and examples are machine text.
        if ["依据", "关键词", "模式", "示例", "不是这个问题"]
            .iter()
            .any(|h| line.starts_with(h))
        {
            in_evidence = true;
            continue;
        }
        if in_evidence && line.starts_with("  ") {
            continue;
        }
        in_evidence = false;
        let plain = url.replace_all(line, " ");
        for word in plain.split(|c: char| !c.is_ascii_alphabetic() && c != '.') {
            let w = word.trim_matches('.').to_ascii_lowercase();
            if UI_WORDS.contains(&w.as_str()) {
                found.push(format!("{w}: {line}"));
            }
        }
    }
    found
}

fn zh(args: &[&str], stdin: Option<&str>) -> String {
    let mut c = doctor();
    c.arg("--lang").arg("zh").args(args);
    if let Some(s) = stdin {
        c.write_stdin(s.to_string());
    }
    String::from_utf8(c.output().unwrap().stdout).unwrap()
}

#[test]
fn chinese_output_has_no_english_ui_words() {
    let log = "AList 版本: v3.40.0\n\
               ERRO[2024-01-01 10:00:00] failed link: not found 302 redirect\n\
               ERRO[2024-01-01 10:00:00] failed get objs: failed to list objs: ForbiddenDriveNotValid\n\
               ERRO[2024-01-01 10:00:00] failed frob: TooManyRequest\n\
               ERRO[2024-01-01 10:00:00] failed to start: listen tcp 0.0.0.0:5244: bind: address already in use\n\
               ERRO[2024-01-01 10:00:00] failed to start: listen tcp 0.0.0.0:5245: bind: address already in use\n\
               ERRO[2024-01-01 10:00:00] failed to start: listen tcp 0.0.0.0:5245: bind: address already in use\n";
    let outputs = [
        ("log", zh(&[], Some(log))),
        ("statistics", zh(&["--statistics"], Some(log))),
        (
            "paraphrase",
            zh(&["--", "网页上传大文件时提示文件太大"], None),
        ),
        ("collect", zh(&["--", "服务器错误"], None)),
        ("nothing", zh(&["--", "一切正常"], None)),
        ("list", zh(&["list", "--severity", "warning"], None)),
        (
            "explain",
            zh(&["explain", "upload-413-body-too-large"], None),
        ),
        (
            "explain fixed",
            zh(&["explain", "baidu-photo-download-api-changed"], None),
        ),
    ];
    let mut bad = Vec::new();
    for (what, out) in &outputs {
        assert!(!out.trim().is_empty(), "{what}: no output");
        for w in english_ui_words(out) {
            bad.push(format!("{what}: {w}"));
        }
    }
    assert!(
        bad.is_empty(),
        "English in --lang zh output:\n{}",
        bad.join("\n")
    );
}
