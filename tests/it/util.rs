//! Helpers shared by the integration tests: run the real binary.

use assert_cmd::Command;
use serde_json::Value;

/// The binary with a clean, predictable environment.
pub fn doctor() -> Command {
    Command::from_std(doctor_std())
}

/// `doctor()` as a standard command, for what assert_cmd cannot do (give
/// standard input a file rather than a pipe).
pub fn doctor_std() -> std::process::Command {
    let mut c = std::process::Command::new(assert_cmd::cargo::cargo_bin("alist-doctor"));
    for k in [
        "NO_COLOR",
        "CLICOLOR_FORCE",
        "CLICOLOR",
        "LC_ALL",
        "LC_MESSAGES",
        "LANG",
        "ALIST_DOCTOR_CATALOG",
    ] {
        c.env_remove(k);
    }
    // No user catalog directory can leak into the tests.
    c.env("XDG_CONFIG_HOME", "/nonexistent-alist-doctor-test");
    c.env("HOME", "/nonexistent-alist-doctor-test");
    c
}

/// Runs with `--format json` and the given args; returns (exit code, JSON).
pub fn json(args: &[&str], stdin: Option<&str>) -> (i32, Value) {
    let mut c = doctor();
    c.arg("--format").arg("json").args(args);
    if let Some(s) = stdin {
        c.write_stdin(s.to_string());
    }
    let out = c.output().expect("runs");
    let v: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not JSON ({e}):\n{}\nstderr:\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.code().unwrap_or(-1), v)
}

/// Ids of the findings, in report order.
pub fn ids(v: &Value) -> Vec<String> {
    v["findings"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|f| f["id"].as_str().unwrap_or_default().to_string())
                .collect()
        })
        .unwrap_or_default()
}
