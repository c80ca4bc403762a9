//! Every FAQ problem, pasted in every shape users paste it in, is diagnosed
//! by its own entry first, through the real binary.

use crate::util::json;
use serde_json::Value;

/// (id, the message at the core of the FAQ problem).
const FAQ: &[(&str, &str)] = &[
    (
        "aliyundrive-open-too-many-requests",
        "TooManyRequests:Too Many Requests",
    ),
    (
        "aliyundrive-open-exceed-capacity",
        "ExceedCapacityForbidden:exceed capacity forbidden",
    ),
    ("login-token-expired", "token is expired"),
    (
        "refresh-token-missing",
        "failed to refresh token: The input parameter refresh_token is missing. Please refer to document.",
    ),
    (
        "drive-not-valid",
        "ForbiddenDriveNotValid:not valid driveId",
    ),
    (
        "network-no-such-host",
        r#"Get "https://openapi.alipan.com/adrive/v1.0/openFile/list": dial tcp: lookup openapi.alipan.com on 127.0.0.11:53: no such host"#,
    ),
    (
        "network-dns-lookup-failed",
        r#"Post "https://api.example.net/v2/file/list": dial tcp: lookup api.example.net on 192.168.1.1:53: server misbehaving"#,
    ),
    (
        "network-tls-handshake-timeout",
        r#"Post "https://auth.aliyundrive.com/v2/account/token": net/http: TLS handshake timeout"#,
    ),
    (
        "network-connection-reset",
        r#"Get "https://pan.baidu.com/rest/2.0/xpan/file": read tcp 172.17.0.2:45678->203.0.113.9:443: read: connection reset by peer"#,
    ),
    (
        "network-connection-refused",
        r#"Post "http://192.168.1.10:5244/api/fs/list": dial tcp 192.168.1.10:5244: connect: connection refused"#,
    ),
    (
        "network-client-timeout",
        r#"Get "https://graph.microsoft.com/v1.0/me/drive/root/children": context deadline exceeded (Client.Timeout exceeded while awaiting headers)"#,
    ),
    (
        "network-unreachable",
        r#"Get "https://www.googleapis.com/drive/v3/files": dial tcp [2001:db8::1]:443: connect: network is unreachable"#,
    ),
    (
        "storage-mount-path-duplicate",
        "failed create storage in database: UNIQUE constraint failed: x_storages.mount_path",
    ),
    (
        "storage-mount-path-required",
        "Key: 'Storage.MountPath' Error:Field validation for 'MountPath' failed on the 'required' tag",
    ),
    (
        "meta-path-duplicate",
        "failed create meta: UNIQUE constraint failed: x_meta.path",
    ),
    (
        "meta-path-required",
        "Key: 'Meta.Path' Error:Field validation for 'Path' failed on the 'required' tag",
    ),
    (
        "alist-site-mount-forbidden",
        "the site does not allow mounted",
    ),
    (
        "region-pikpak-share",
        "Sorry, sharing is not available in the current region",
    ),
    (
        "region-terabox",
        "terabox is not yet available in this area",
    ),
    ("search-not-available", "search not available"),
    (
        "baidu-photo-rename-invalid",
        "only chinese and english, numbers and underscores are supported, and the length is no more than 50",
    ),
    (
        "aliyundrive-open-file-id-not-found",
        "NotFound.FileId:The resource file_id cannot be found. file_id:634e704cefa78f92fefd4c779f7422d820082d041",
    ),
    (
        "browser-userscript-conflict",
        "System error: SyntaxError: Invalid regular expression: /?/: Nothing to repeat",
    ),
    (
        "login-locked-too-many-attempts",
        "Too many unsuccessful sign-in attempts have been made using an incorrect username or password, Try again later.",
    ),
    (
        "no-storage",
        "failed get storage: please add a storage first",
    ),
    (
        "onedrive-app-mysite-url",
        "Unable to retrieve user's mysite URL",
    ),
    (
        "port-in-use",
        "failed to start: listen tcp 0.0.0.0:5244: bind: address already in use",
    ),
    (
        "upload-413-body-too-large",
        "Request failed with status code 413",
    ),
    ("query-fail-61008", "query fail [61008]"),
];

/// The API answers `{"code":500,"message":…}` with Go's JSON escaping.
fn go_json_body(m: &str) -> String {
    let s = serde_json::to_string(m).unwrap();
    let s = s
        .replace('&', r"\u0026")
        .replace('<', r"\u003c")
        .replace('>', r"\u003e");
    format!(r#"{{"code":500,"message":{s},"data":null}}"#)
}

fn capitalise(m: &str) -> String {
    let mut c = m.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

type Shape = (&'static str, fn(&str) -> String);

const SHAPES: &[Shape] = &[
    ("bare", |m| m.to_string()),
    ("list chain", |m| {
        format!("failed get objs: failed to list objs: {m}")
    }),
    ("add-storage chain", |m| {
        format!("Failed init storage but storage is already created: failed init storage: {m}")
    }),
    ("start-up chain", |m| {
        format!("failed get enabled storages: [/ali], driver: [AliyundriveOpen], Error: {m}")
    }),
    ("json body", go_json_body),
    ("json body inside a log line", |m| {
        format!("ERRO[2024-01-02 15:04:05] {}", go_json_body(m))
    }),
    ("logrus coloured", |m| {
        format!("\x1b[31mERRO\x1b[0m[2024-01-02 15:04:05] {m:<44} ")
    }),
    ("logrus, ESC lost", |m| {
        format!("[31mERRO[0m[2024-01-02 15:04:05] {m}")
    }),
    ("logrus plain", |m| format!("ERRO[2024-01-02 15:04:05] {m}")),
    ("chinese prose", |m| {
        format!("我在添加存储时报错：{m}\n请问怎么解决？")
    }),
    ("chinese inline", |m| format!("刚升级就出现 {m} 这个错误")),
    ("web UI casing", capitalise),
];

/// Runs every FAQ message in one shape through the binary at once; each
/// argument's finding must be its own entry.
fn check_shape(name: &str, shape: fn(&str) -> String) -> Vec<String> {
    let texts: Vec<String> = FAQ.iter().map(|(_, m)| shape(m)).collect();
    let args: Vec<&str> = texts.iter().map(String::as_str).collect();
    let (code, v) = json(&args, None);
    assert_eq!(code, 1, "{name}: findings must exit 1");
    let findings: &Vec<Value> = v["findings"].as_array().unwrap();
    let mut failures = Vec::new();
    for (i, (id, _)) in FAQ.iter().enumerate() {
        // The FAQ's `token is expired` is the AList login; inside a storage's
        // chain the same words are a cloud API's own JWT (see the entry's
        // counter-examples), which that chain's fallback explains.
        if *id == "login-token-expired" && name.ends_with("chain") {
            continue;
        }
        let source = format!("<arg {}>", i + 1);
        let got: Vec<&str> = findings
            .iter()
            .filter(|f| f["source"] == source.as_str())
            .map(|f| f["id"].as_str().unwrap())
            .collect();
        if got.first() != Some(id) {
            failures.push(format!("{name}: {id}: got {got:?} for {:?}", texts[i]));
        }
    }
    failures
}

#[test]
fn every_faq_problem_in_every_shape() {
    let failures: Vec<String> = SHAPES
        .iter()
        .flat_map(|(name, shape)| check_shape(name, *shape))
        .collect();
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn port_in_use_wordings() {
    for (text, port) in [
        (
            "failed to start http: listen tcp 0.0.0.0:5244: bind: address already in use",
            "5244",
        ),
        (
            "failed to start https: listen tcp :5245: bind: address already in use",
            "5245",
        ),
        (
            "FATA[2024-01-02 15:04:05] failed to start http: listen tcp [::]:8080: bind: address already in use",
            "8080",
        ),
        (
            "failed to start: listen tcp 0.0.0.0:5244: bind: Only one usage of each socket address (protocol/network address/port) is normally permitted.",
            "5244",
        ),
    ] {
        let (_, v) = json(&[text], None);
        assert_eq!(
            crate::util::ids(&v).first().map(String::as_str),
            Some("port-in-use"),
            "{text}"
        );
        let f = &v["findings"][0];
        assert_eq!(f["captures"]["port"], port, "{text}");
        assert!(
            f["title"].as_str().unwrap().contains(port),
            "title names the port: {f}"
        );
        let fix = f["fix"].to_string();
        assert!(fix.contains(port), "fix names the port: {fix}");
    }
}

#[test]
fn captures_fill_the_advice() {
    let (_, v) = json(
        &[
            "failed get objs: failed to list objs: NotFound.FileId:The resource file_id cannot be found. file_id:634e704cefa78f92fefd4c779f7422d820082d041",
        ],
        None,
    );
    let f = &v["findings"][0];
    assert_eq!(f["id"], "aliyundrive-open-file-id-not-found");
    assert!(
        f.to_string()
            .contains("634e704cefa78f92fefd4c779f7422d820082d041")
    );
}
