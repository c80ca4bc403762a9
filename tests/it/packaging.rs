//! What packagers and integrators rely on: completions, the man page, the
//! output schema, SARIF, the generated catalog pages, the Docker image.

use crate::util::doctor;
use serde_json::Value;
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
    for (shell, checker) in [("bash", "bash"), ("zsh", "zsh"), ("fish", "fish")] {
        if !have(checker) {
            assert_ne!(
                shell, "bash",
                "bash must be present to check the bash completion"
            );
            continue;
        }
        let path = dir.path().join(format!("completion.{shell}"));
        std::fs::write(&path, stdout(&["completions", shell])).unwrap();
        let st = Std::new(checker).arg("-n").arg(&path).status().unwrap();
        assert!(st.success(), "{checker} -n rejects the {shell} completion");
    }
}

#[test]
fn bash_completion_completes() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.bash");
    std::fs::write(&path, stdout(&["completions", "bash"])).unwrap();
    // The function name is whatever `complete -F` registers.
    let script = format!(
        "source {}; f=$(complete -p alist-doctor | sed -E 's/.*-F ([^ ]+).*/\\1/'); \
         COMP_WORDS=(alist-doctor --for); COMP_CWORD=1; $f alist-doctor --for alist-doctor; \
         printf '%s\\n' \"${{COMPREPLY[@]}}\"",
        path.display()
    );
    let out = Std::new("bash").args(["-c", &script]).output().unwrap();
    let words = String::from_utf8_lossy(&out.stdout);
    assert!(words.lines().any(|w| w == "--format"), "{words}");
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
