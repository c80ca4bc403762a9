//! What packagers and integrators rely on: completions, the man page, the
//! output schema, SARIF, the generated catalog pages, the Docker image.

use crate::util::doctor;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command as Std;

fn fixture(name: &str) -> String {
    format!("{}/tests/fixtures/logs/{name}", env!("CARGO_MANIFEST_DIR"))
}

fn root(p: &str) -> String {
    format!("{}/{p}", env!("CARGO_MANIFEST_DIR"))
}

fn stdout(args: &[&str]) -> String {
    let out = doctor().args(args).output().unwrap();
    String::from_utf8(out.stdout).unwrap()
}

fn have(tool: &str) -> bool {
    Std::new("sh")
        .args(["-c", &format!("command -v {tool}")])
        .output()
        .is_ok_and(|o| o.status.success())
}

/// A tool the tests need but the machine may lack: `None` when it is
/// there, else skip with a printed reason, except under `CI=true`, where
/// `.ci/run` installs it and its absence is a failure.
fn missing(tool: &str, what: &str) -> Option<()> {
    if have(tool) {
        return None;
    }
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "{tool} is missing: .ci/run installs it, and CI checks {what} with it"
    );
    println!("skipped: {tool} is not installed, so {what} is not checked");
    Some(())
}

fn write_completion(dir: &Path, shell: &str) -> PathBuf {
    let path = dir.join(format!("alist-doctor.{shell}"));
    std::fs::write(&path, stdout(&["completions", shell])).unwrap();
    path
}

#[test]
fn completions_for_every_shell() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let script = stdout(&["completions", shell]);
        assert!(script.len() > 500, "{shell}: {} bytes", script.len());
        assert!(script.contains("alist-doctor"), "{shell}");
        assert!(
            script.contains("--fail-on") || script.contains("fail-on"),
            "{shell} completes flags"
        );
    }
    let dir = tempfile::tempdir().unwrap();
    for shell in ["bash", "zsh", "fish"] {
        if shell != "bash" && missing(shell, &format!("the {shell} completion's syntax")).is_some()
        {
            continue;
        }
        let path = write_completion(dir.path(), shell);
        let st = Std::new(shell).arg("-n").arg(&path).status().unwrap();
        assert!(st.success(), "{shell} -n rejects the {shell} completion");
    }
}

/// Completes the last of `words` as bash does on TAB, in a fresh
/// `bash --norc`: source the script, find the function `complete -p`
/// registered for alist-doctor, call it with bash's arguments (command,
/// word being completed, word before it) and print `COMPREPLY`.
fn bash_complete(script: &Path, words: &[&str]) -> Vec<String> {
    const DRIVER: &str = r#"
source "$1" || exit 3
shift
spec=$(complete -p alist-doctor) || exit 4
f=$(sed -E 's/.* -F ([^ ]+) .*/\1/' <<<"$spec")
COMP_WORDS=("$@")
COMP_CWORD=$(( $# - 1 ))
COMP_LINE="$*"
COMP_POINT=${#COMP_LINE}
"$f" alist-doctor "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
printf '%s\n' "${COMPREPLY[@]}"
"#;
    let out = Std::new("bash")
        .args(["--norc", "--noprofile", "-c", DRIVER, "bash"])
        .arg(script)
        .args(words)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "bash completion of {words:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect()
}

fn sorted(words: &[&str]) -> Vec<String> {
    let mut v: Vec<String> = words.iter().map(|w| w.to_string()).collect();
    v.sort();
    v
}

/// Bash completion through real bash, at the top level and after every
/// subcommand (clap_complete names subcommand states two ways for a
/// hyphenated binary, clap-rs/clap#6421; generate.rs renames them).
#[test]
fn bash_completion_completes_after_every_subcommand() {
    let dir = tempfile::tempdir().unwrap();
    let script = write_completion(dir.path(), "bash");
    let spec = Std::new("bash")
        .args([
            "--norc",
            "--noprofile",
            "-c",
            "source \"$1\" && complete -p alist-doctor",
            "bash",
        ])
        .arg(&script)
        .output()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&spec.stdout)
            .trim_end()
            .ends_with(" alist-doctor"),
        "complete -p: {}{}",
        String::from_utf8_lossy(&spec.stdout),
        String::from_utf8_lossy(&spec.stderr)
    );
    let complete = |words: &[&str]| {
        let mut all = vec!["alist-doctor"];
        all.extend_from_slice(words);
        bash_complete(&script, &all)
    };
    let exactly = |words: &[&str], want: &[&str]| {
        let mut got = complete(words);
        got.sort();
        assert_eq!(got, sorted(want), "alist-doctor {}<TAB>", words.join(" "));
    };

    exactly(&["--for"], &["--format"]);
    exactly(
        &["--format", ""],
        &["text", "json", "ndjson", "github", "sarif"],
    );
    let top = complete(&[""]);
    let subcommands: Vec<&str> = top
        .iter()
        .map(String::as_str)
        .filter(|w| !w.starts_with('-'))
        .collect();
    for sub in [
        "check",
        "explain",
        "list",
        "lint",
        "patterns",
        "completions",
        "man",
        "help",
    ] {
        assert!(subcommands.contains(&sub), "top level lacks {sub}: {top:?}");
    }
    // After each subcommand, its own options: `--help`, and not the
    // top-level `--statistics` (which shows the state is the subcommand's).
    for sub in &subcommands {
        if *sub == "help" {
            continue;
        }
        let got = complete(&[sub, "--"]);
        assert!(
            got.iter().any(|w| w == "--help") && !got.iter().any(|w| w == "--statistics"),
            "alist-doctor {sub} --<TAB>: {got:?}"
        );
    }
    let explain = complete(&["explain", "--"]);
    assert!(explain.iter().any(|w| w == "--format"), "{explain:?}");
    exactly(&["explain", "--format", ""], &["text", "json"]);
    exactly(&["list", "--sev"], &["--severity"]);
    exactly(&["list", "--format", ""], &["text", "json", "markdown"]);
    exactly(&["list", "--severity", ""], &["error", "warning", "info"]);
    exactly(
        &["check", "--fail-on", ""],
        &["error", "warning", "info", "never"],
    );
    exactly(&["check", "--format", "s"], &["sarif"]);
    // A global option before the subcommand does not lose it.
    exactly(
        &["--color", "never", "list", "--format", "m"],
        &["markdown"],
    );
    let shells = complete(&["completions", ""]);
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        assert!(
            shells.iter().any(|w| w == shell),
            "completions <TAB>: {shells:?}"
        );
    }
    let help = complete(&["help", ""]);
    assert!(help.iter().any(|w| w == "list"), "help <TAB>: {help:?}");
}

/// Every state the bash script's walk reaches has a `case` arm that
/// completes it, and every arm is reached.
#[test]
fn bash_completion_states_are_spelt_alike() {
    let script = stdout(&["completions", "bash"]);
    let states: std::collections::BTreeSet<&str> = script
        .lines()
        .filter_map(|l| l.trim().strip_prefix("cmd=\""))
        .filter_map(|l| l.strip_suffix('"'))
        .filter(|s| !s.is_empty())
        .collect();
    let arms: std::collections::BTreeSet<&str> = script
        .lines()
        .filter(|l| l.starts_with("        ") && !l.starts_with("         "))
        .filter_map(|l| l.trim().strip_suffix(')'))
        .filter(|l| !l.starts_with('-') && !l.contains(['*', ' ', '"']))
        .collect();
    assert!(states.len() > 8, "{states:?}");
    assert_eq!(states, arms, "states assigned vs. case arms");
}

/// zsh loads the script: with compinit, sourcing it registers its
/// function for alist-doctor. compinit writes no dump (`-D` alone: a `-d`
/// after it turns dumping back on, and compdump replaces the file named
/// with a `mv`), and HOME and ZDOTDIR point into the temporary directory.
#[test]
fn zsh_completion_loads() {
    if missing("zsh", "loading the zsh completion").is_some() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let script = write_completion(dir.path(), "zsh");
    let out = Std::new("zsh")
        .args([
            "-fc",
            "autoload -Uz compinit && compinit -u -D && source \"$1\" && print -r -- $_comps[alist-doctor]",
            "zsh",
        ])
        .arg(&script)
        .env("HOME", dir.path())
        .env("ZDOTDIR", dir.path())
        .output()
        .unwrap();
    assert!(
        out.status.success() && String::from_utf8_lossy(&out.stdout).trim() == "_alist-doctor",
        "zsh: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let left: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(left.len(), 1, "compinit left files behind: {left:?}");
}

/// fish completes through the script for real (`complete -C`), after
/// subcommands too.
#[test]
fn fish_completion_completes() {
    if missing("fish", "the fish completion").is_some() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let script = write_completion(dir.path(), "fish");
    let complete = |line: &str| -> Vec<String> {
        let out = Std::new("fish")
            .args([
                "--no-config",
                "-c",
                "source $argv[1]; and complete -C $argv[2]",
            ])
            .arg(&script)
            .arg(line)
            // What fish keeps (universal variables) stays in the temporary directory.
            .env("HOME", dir.path())
            .env_remove("XDG_CONFIG_HOME")
            .env_remove("XDG_DATA_HOME")
            .env_remove("XDG_CACHE_HOME")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "fish: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let mut v: Vec<String> = String::from_utf8(out.stdout)
            .unwrap()
            .lines()
            .map(|l| l.split('\t').next().unwrap().to_string())
            .collect();
        v.sort();
        v
    };
    assert_eq!(complete("alist-doctor --for"), sorted(&["--format"]));
    assert_eq!(complete("alist-doctor list --sev"), sorted(&["--severity"]));
    assert_eq!(
        complete("alist-doctor list --format "),
        sorted(&["text", "json", "markdown"])
    );
    assert_eq!(
        complete("alist-doctor completions "),
        sorted(&["bash", "zsh", "fish", "powershell", "elvish"])
    );
    let explain = complete("alist-doctor explain --");
    assert!(
        explain.iter().any(|w| w == "--format") && !explain.iter().any(|w| w == "--statistics"),
        "{explain:?}"
    );
}

#[test]
fn man_page_renders() {
    let page = stdout(&["man"]);
    assert!(
        page.starts_with(".ie") || page.contains(".TH"),
        "roff: {}",
        &page[..page.len().min(200)]
    );
    assert!(page.contains("alist\\-doctor") && page.contains("fail\\-on"));
    if have("man") {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("alist-doctor.1");
        std::fs::write(&path, &page).unwrap();
        let out = Std::new("man")
            .arg("-l")
            .arg(&path)
            .env("MANPAGER", "cat")
            .env("PAGER", "cat")
            .output()
            .unwrap();
        assert!(out.status.success());
        assert!(
            String::from_utf8_lossy(&out.stdout).contains("fail"),
            "man -l renders"
        );
    }
}

fn schema() -> jsonschema::Validator {
    let text = std::fs::read_to_string(root("docs/output.schema.json")).unwrap();
    let schema: Value = serde_json::from_str(&text).unwrap();
    jsonschema::validator_for(&schema).expect("the schema is valid JSON Schema")
}

fn assert_valid(v: &jsonschema::Validator, doc: &Value, what: &str) {
    let errors: Vec<String> = v
        .iter_errors(doc)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "{what} does not match docs/output.schema.json:\n{}\n{doc:#}",
        errors.join("\n")
    );
}

#[test]
fn every_json_format_matches_the_schema() {
    let v = schema();
    let unknown = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(
        unknown.path(),
        "ERRO[2024-01-01 10:00:00] failed frobnicate /a: code 1\n\
         ERRO[2024-01-01 10:00:01] failed frobnicate /b: TooManyRequest\n",
    )
    .unwrap();
    let inputs: Vec<Vec<String>> = vec![
        vec!["failed to start: listen tcp 0.0.0.0:5244: bind: address already in use".into()],
        vec!["nothing to see".into()],
        // Suggestions (a paraphrase) and "collect this" (nothing to go on).
        vec!["上传大文件一直提示413".into(), "it shows an error".into()],
        vec![
            "--file".into(),
            fixture("startup-storage.log"),
            "--file".into(),
            fixture("go-panic.log"),
        ],
        vec![
            "--file".into(),
            unknown.path().to_str().unwrap().into(),
            "--file".into(),
            "/nonexistent".into(),
        ],
        vec![
            "--lang".into(),
            "zh".into(),
            "--file".into(),
            fixture("pkg-errors-dump.log"),
        ],
    ];
    for args in &inputs {
        let a: Vec<&str> = args.iter().map(String::as_str).collect();
        for extra in [
            &["--format", "json"][..],
            &["--format", "json", "--statistics"][..],
        ] {
            let out = doctor().args(extra).args(&a).output().unwrap();
            let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
            assert_valid(&v, &doc, &format!("{extra:?} {a:?}"));
        }
        let out = doctor()
            .args(["--format", "ndjson"])
            .args(&a)
            .output()
            .unwrap();
        let text = String::from_utf8(out.stdout).unwrap();
        for line in text.lines() {
            let doc: Value = serde_json::from_str(line).unwrap();
            assert_valid(&v, &doc, &format!("ndjson {a:?}"));
        }
    }
}

#[test]
fn sarif_has_the_required_fields() {
    let out = doctor()
        .args([
            "--format",
            "sarif",
            "--file",
            &fixture("startup-storage.log"),
            "--file",
            &fixture("pkg-errors-dump.log"),
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["version"], "2.1.0");
    assert!(doc["$schema"].as_str().unwrap().contains("sarif-2.1.0"));
    let run = &doc["runs"][0];
    let driver = &run["tool"]["driver"];
    assert_eq!(driver["name"], "alist-doctor");
    let rules = driver["rules"].as_array().unwrap();
    let results = run["results"].as_array().unwrap();
    assert_eq!(results.len(), 2);
    for r in results {
        let idx = r["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(
            rules[idx]["id"], r["ruleId"],
            "ruleIndex points at the rule"
        );
        assert!(["error", "warning", "note", "none"].contains(&r["level"].as_str().unwrap()));
        assert!(!r["message"]["text"].as_str().unwrap().is_empty());
        let loc = &r["locations"][0]["physicalLocation"];
        assert!(
            loc["artifactLocation"]["uri"]
                .as_str()
                .unwrap()
                .ends_with(".log")
        );
        assert!(loc["region"]["startLine"].as_u64().unwrap() >= 1);
    }
    for rule in rules {
        assert!(rule["id"].is_string());
        assert!(
            !rule["shortDescription"]["text"]
                .as_str()
                .unwrap()
                .is_empty()
        );
        assert!(!rule["help"]["text"].as_str().unwrap().is_empty());
        assert!(rule["helpUri"].as_str().unwrap().starts_with("https://"));
    }
    let counts: Vec<u64> = results
        .iter()
        .map(|r| r["occurrenceCount"].as_u64().unwrap())
        .collect();
    assert!(counts.contains(&2), "{counts:?}");
}

#[test]
fn catalog_pages_are_up_to_date() {
    for (lang, file) in [("en", "docs/catalog.md"), ("zh", "docs/catalog.zh.md")] {
        let fresh = stdout(&["list", "--format", "markdown", "--lang", lang]);
        let committed = std::fs::read_to_string(root(file)).unwrap_or_default();
        assert!(
            fresh == committed,
            "{file} is stale: regenerate it with `cargo run -- list --format markdown --lang {lang} > {file}`"
        );
    }
    let page = stdout(&["list", "--format", "markdown"]);
    assert!(page.contains("### `port-in-use` — Port ‹port› is already in use"));
    assert!(page.contains("## Network, TLS and reverse proxies"));
}

#[test]
fn version_names_the_catalog() {
    let v = stdout(&["--version"]);
    let n = alist_doctor::testing::ENTRY_COUNT;
    assert!(v.contains(&format!("{n} entries")), "{v}");
    assert!(v.contains(alist_doctor::testing::CATALOG_VERSION), "{v}");
}

/// Builds the image where a Docker engine answers; skipped (with a note)
/// elsewhere, e.g. on machines that have only the client.
#[test]
fn docker_image_builds_where_docker_is_available() {
    let engine = Std::new("docker")
        .arg("info")
        .output()
        .is_ok_and(|o| o.status.success());
    if !engine {
        eprintln!("skipped: no Docker engine here");
        return;
    }
    let st = Std::new("docker")
        .args([
            "build",
            "-t",
            "alist-doctor-test",
            env!("CARGO_MANIFEST_DIR"),
        ])
        .status()
        .unwrap();
    assert!(st.success());
    let out = Std::new("docker")
        .args([
            "run",
            "--rm",
            "alist-doctor-test",
            "failed to start: listen tcp :5244: bind: address already in use",
        ])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("port-in-use"));
}
