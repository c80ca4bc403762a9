//! Every row of the problems users report most (shared/reference/
//! frequent-problems.md) is diagnosed by the entry written for it, through
//! the real binary.

use crate::util::json;

/// (frequent-problems row, message as users paste it, expected id).
const ROWS: &[(u8, &str, &str)] = &[
    (
        1,
        "failed get objs: failed to list objs: driver not init",
        "driver-not-init",
    ),
    (
        1,
        "failed get objs: storage not init: failed to refresh token: unexpected reply",
        "storage-not-init",
    ),
    (
        1,
        "failed get objs: storage status: unexpected reply: storage not init",
        "storage-not-init",
    ),
    (
        2,
        "failed get objs: failed get dir: object not found",
        "object-not-found",
    ),
    (2, "failed get objs: not a folder", "not-a-folder"),
    (
        3,
        "[ali_open] failed to refresh token: empty token returned from official API",
        "refresh-api-empty-token",
    ),
    (
        4,
        "failed get objs: failed to list objs: AccessTokenExpired:token expired",
        "aliyundrive-open-access-token-expired",
    ),
    (
        5,
        "failed init storage: failed to refresh token: You should use the token that request with aliyundrive open insted of aliyundrive",
        "aliyundrive-open-wrong-token-type",
    ),
    (
        6,
        "Failed init storage: invalid X-Device-Id",
        "aliyundrive-legacy-device-session",
    ),
    (
        7,
        "failed get objs: failed to list objs: NotFound.ParentFileId:The resource parent_file_id cannot be found",
        "aliyundrive-open-parent-file-id-not-found",
    ),
    (
        8,
        "failed get objs: failed to list objs: UserNotAllowedAccessDrive:user not allowed access drive",
        "aliyundrive-open-drive-not-authorized",
    ),
    (
        9,
        "failed init storage but storage is already created: database is locked",
        "sqlite-database-locked",
    ),
    (
        10,
        "failed get objs: failed to list objs: PROPFIND /: 403",
        "webdav-propfind-forbidden",
    ),
    (
        11,
        r#"failed init storage: Get "192.168.1.5:5005/dav": unsupported protocol scheme """#,
        "url-unsupported-protocol-scheme",
    ),
    (
        11,
        "failed init storage: parse \"192.168.1.5:5005\": first path segment in URL cannot contain colon",
        "url-first-path-segment-colon",
    ),
    (
        12,
        "failed get objs: failed to list objs: json: cannot unmarshal string into Go struct field Resp.data of type int",
        "json-cannot-unmarshal",
    ),
    (
        12,
        "failed get objs: failed to list objs: invalid character '<' looking for beginning of value",
        "provider-returned-html",
    ),
    (
        13,
        "failed get objs: failed to list objs: require login [guest]",
        "quark-uc-cookie-expired",
    ),
    (
        13,
        "failed init storage: token [st invalid]",
        "quark-uc-cookie-expired",
    ),
    (
        14,
        "failed init storage: captcha_required",
        "pikpak-thunder-captcha-required",
    ),
    (
        15,
        r#"failed init storage: oauth2: "invalid_grant" "invalid refresh token: abc""#,
        "pikpak-refresh-token-invalid",
    ),
    (16, "Loading storage, please wait", "storage-loading"),
    (16, "获取设置失败：请稍候，正在加载储存", "storage-loading"),
    (
        17,
        "failed init storage: userSessionBO is null",
        "cloud189-session-invalid",
    ),
    (
        18,
        "failed get objs: failed to list objs: req: [https://pan.baidu.com/rest/2.0/xpan/file] ,errno: -6, refer to https://pan.baidu.com/union/doc/",
        "baidu-netdisk-token-invalid",
    ),
    (
        19,
        "failed init storage: failed to check login status according to cookie",
        "terabox-cookie-invalid",
    ),
    (
        20,
        "failed get objs: failed to list objs: 请进行验证",
        "pan123-captcha-required",
    ),
];

#[test]
fn every_frequent_problem_has_its_entry() {
    let mut failures = Vec::new();
    for (row, text, id) in ROWS {
        let (_, v) = json(&[text], None);
        let got = crate::util::ids(&v);
        if got.first().map(String::as_str) != Some(*id) {
            failures.push(format!(
                "row {row}: expected {id}, got {got:?} for {text:?}"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    let rows: std::collections::BTreeSet<u8> = ROWS.iter().map(|r| r.0).collect();
    assert_eq!(
        rows.len(),
        20,
        "every row of frequent-problems.md is covered"
    );
}
