//! Upgrade waves (#14.8): where the input names its server and release, a
//! finding whose entry has `fixed_in` says whether that release predates
//! the fix; forks and unnamed releases get no comparison.

use serde_json::Value;

use crate::util::{doctor, json};

const PHOTO: &str = "failed link: not found 302 redirect"; // fixed in AList v3.41.0

fn first(v: &Value) -> &Value {
    &v["findings"][0]
}

#[test]
fn an_issue_version_line_is_compared_with_the_fix() {
    let text = format!("### AList Version / AList 版本\n\nv3.40.0\n\n### Logs\n\n{PHOTO}");
    let (_, v) = json(&["--", &text], None);
    assert_eq!(first(&v)["id"], "baidu-photo-download-api-changed");
    assert_eq!(first(&v)["fixed_in"]["alist"], "v3.41.0");
    assert_eq!(
        first(&v)["upgrade"],
        serde_json::json!({"product": "alist", "running": "v3.40.0", "fixed_in": "v3.41.0", "predates": true})
    );
    assert_eq!(
        v["summary"]["server"],
        serde_json::json!({"product": "alist", "version": "v3.40.0", "input": "<arg 1>"})
    );
    let out = doctor().args(["--", &text]).output().unwrap();
    let s = String::from_utf8(out.stdout).unwrap();
    assert!(
        s.contains("the input shows v3.40.0, which predates the fix: upgrade first"),
        "{s}"
    );
    let out = doctor()
        .args(["--lang", "zh", "--", &text])
        .output()
        .unwrap();
    let s = String::from_utf8(out.stdout).unwrap();
    assert!(s.contains("早于该修复：请先升级"), "{s}");

    // A separate argument names the release as well.
    let (_, v) = json(&["--", "AList v3.45.0", PHOTO], None);
    assert_eq!(first(&v)["upgrade"]["predates"], false);
}

#[test]
fn alist_version_output_before_a_log() {
    let log = format!(
        "Built At: 2024-12-01 10:00:00 +0000\nGo Version: go1.22.1 linux/amd64\nAuthor: Xhofe <i@nn.ci>\n\
         Commit ID: 1a2b3c4\nVersion: v3.39.4\nWebVersion: 3.39.4\nERRO[2024-12-20 10:00:00] {PHOTO}\n"
    );
    let (_, v) = json(&[], Some(&log));
    assert_eq!(v["summary"]["server"]["version"], "v3.39.4");
    assert_eq!(first(&v)["upgrade"]["predates"], true);
}

#[test]
fn openlist_has_every_fix_alist_made_before_the_fork() {
    let (_, v) = json(
        &["--", &format!("OpenList 版本（必填）：v4.0.0\n{PHOTO}")],
        None,
    );
    assert_eq!(v["summary"]["server"]["product"], "openlist");
    assert_eq!(first(&v)["upgrade"]["predates"], false);
    assert_eq!(first(&v)["upgrade"]["fixed_in"], "v4.0.0");
    // A fix AList made after the fork says nothing about OpenList.
    let (_, v) = json(
        &[
            "--",
            "OpenList v4.1.0\nfailed init storage: not support alist due to privacy risk, please use openlist",
        ],
        None,
    );
    assert_eq!(first(&v)["id"], "pan115-not-support-alist");
    assert!(first(&v)["upgrade"].is_null(), "{v:#}");
}

#[test]
fn no_release_named_no_comparison() {
    let (_, v) = json(&["--", PHOTO], None);
    assert!(v["summary"]["server"].is_null());
    assert!(first(&v)["upgrade"].is_null());
    assert_eq!(first(&v)["fixed_in"]["alist"], "v3.41.0");
    let out = doctor().args(["--", PHOTO]).output().unwrap();
    let s = String::from_utf8(out.stdout).unwrap();
    assert!(
        s.contains("release: fixed in AList v3.41.0 (upgrade an older release first)"),
        "{s}"
    );
    // Other programs' versions are not the server's.
    for text in [
        "using aria2 version: 1.36.0",
        "Python version 3.11.2",
        "alist-tvbox 1.2.3",
    ] {
        let (_, v) = json(&["--", &format!("{text}\n{PHOTO}")], None);
        assert!(v["summary"]["server"].is_null(), "{text}");
    }
}
