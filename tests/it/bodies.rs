//! Answers of other services inside a message (#14.6): S3/OSS XML, JSON
//! with error codes, HTML pages, Cloudflare's `error code: 52x`. Known
//! ones are diagnosed by their code; unknown ones are listed with their
//! code and message (`level: "body"`), pasted or in a log.

use serde_json::Value;

use crate::util::{ids, json};

fn bodies(v: &Value) -> Vec<String> {
    v["unknown"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|u| u["level"] == "body")
        .map(|u| u["template"].as_str().unwrap().to_string())
        .collect()
}

/// The XML an S3-compatible service answers, as AList quotes it after its
/// own wrapper: the code decides, not the wrapper's fallback.
#[test]
fn an_xml_answer_is_diagnosed_by_its_code() {
    let text = "failed link: <?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>NoSuchBucket</Code>\
                <Message>The specified bucket does not exist</Message><RequestId>1</RequestId></Error>";
    let (_, v) = json(&["--", text], None);
    assert_eq!(ids(&v), ["s3-no-such-bucket"], "{v:#}");
    assert!(bodies(&v).is_empty());
    let line = format!("ERRO[2024-01-01 10:00:00] {}\n", text.replace('\n', ""));
    let (_, v) = json(&[], Some(&line));
    assert_eq!(ids(&v), ["s3-no-such-bucket"], "{v:#}");
}

/// An answer no entry knows: its kind, code and message are listed, in a
/// paste (next to the wrapper's fallback finding) and in a log.
#[test]
fn an_unknown_answer_is_listed_with_its_code() {
    let (_, v) = json(
        &[
            "--",
            r#"failed get objs: failed to list objs: {"code":"QuotaExceeded","message":"quota used up"}"#,
        ],
        None,
    );
    assert_eq!(ids(&v), ["list-failed"]);
    assert_eq!(
        bodies(&v),
        ["JSON answer, code QuotaExceeded: quota used up"]
    );

    let log = "ERRO[2024-01-01 10:00:00] failed frob: {\"errcode\":4711,\"errmsg\":\"zzz 12\"}\n\
               ERRO[2024-01-01 10:00:01] failed frob: {\"errcode\":4711,\"errmsg\":\"zzz 13\"}\n\
               ERRO[2024-01-01 10:00:02] failed frob: <html><head><title>Access denied | example.com used Cloudflare</title></head></html>\n";
    let (_, v) = json(&[], Some(log));
    assert!(ids(&v).is_empty());
    assert_eq!(
        bodies(&v),
        [
            "JSON answer, code 4711: zzz <n>",
            "HTML answer: Access denied | example.com used Cloudflare"
        ]
    );
    assert_eq!(v["unknown"][0]["count"], 2);
    // A success answer is no error; a warning's body in a log is not looked into.
    let (_, v) = json(
        &[],
        Some(
            "WARN[2024-01-01 10:00:00] retry: {\"errcode\":1,\"errmsg\":\"x\"}\nERRO[2024-01-01 10:00:00] odd: {\"code\":0,\"message\":\"ok\"}\n",
        ),
    );
    assert!(bodies(&v).is_empty(), "{v:#}");
}

/// The token relay answering with an error page (Cloudflare's 52x or a
/// proxy's 502) is the relay being down, not a bad token.
#[test]
fn a_relay_error_page_means_the_relay_is_down() {
    for resp in [
        "error code: 522",
        "<html><head><title>502 Bad Gateway</title></head><body><center>nginx</center></body></html>",
    ] {
        let text = format!(
            "failed init storage: failed to refresh token: refresh token is empty, resp: {resp}"
        );
        let (_, v) = json(&["--", &text], None);
        assert_eq!(ids(&v)[0], "token-relay-unavailable", "{resp}: {v:#}");
    }
}
