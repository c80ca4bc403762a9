//! `alist-doctor check DATA_DIR`: data directories built here from the real
//! schema of each release (tests/fixtures/schema, from the gorm DDL), with
//! problems planted, and the real OpenWrt database from ../shared. Every run
//! goes through `run_check`, which asserts that no file of the data
//! directory changed (names, sizes, mtimes, SHA-256) and that no private
//! copy is left in the temporary directory.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use rusqlite::Connection;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::util::doctor;

#[derive(Clone, Copy, Debug, PartialEq)]
enum V {
    A335,
    A363,
    O425,
}

impl V {
    fn ddl(self) -> &'static str {
        match self {
            V::A335 => include_str!("../fixtures/schema/alist-3.35.sql"),
            V::A363 => include_str!("../fixtures/schema/alist-3.63.sql"),
            V::O425 => include_str!("../fixtures/schema/openlist-4.2.5.sql"),
        }
    }

    fn version(self) -> &'static str {
        match self {
            V::A335 => "v3.35.0",
            V::A363 => "v3.63.0",
            V::O425 => "v4.2.5",
        }
    }

    fn role(self, n: i64) -> Value {
        if self == V::A363 {
            json!(format!("[{n}]"))
        } else {
            json!(n)
        }
    }

    /// config.json as the release writes it (the keys of its Config struct).
    fn config(self) -> Value {
        let mut c = json!({
            "force": false, "site_url": "", "cdn": "", "jwt_secret": "Zq8xK2mP4vL9nR7t",
            "token_expires_in": 48,
            "database": {"type": "sqlite3", "host": "", "port": 0, "user": "", "password": "",
                         "name": "", "db_file": "data/data.db", "table_prefix": "x_",
                         "ssl_mode": "", "dsn": ""},
            "meilisearch": {"host": "http://localhost:7700", "api_key": "", "index_prefix": ""},
            "scheme": {"address": "0.0.0.0", "http_port": 5244, "https_port": -1,
                       "force_https": false, "cert_file": "", "key_file": "", "unix_file": "",
                       "unix_file_perm": ""},
            "temp_dir": "data/temp", "bleve_dir": "data/bleve", "dist_dir": "",
            "log": {"enable": true, "name": "data/log/log.log", "max_size": 50,
                    "max_backups": 30, "max_age": 28, "compress": false},
            "delayed_start": 0, "max_connections": 0, "tls_insecure_skip_verify": false,
            "tasks": {"download": {"workers": 5, "max_retry": 1, "task_persistant": false},
                      "copy": {"workers": 5, "max_retry": 2, "task_persistant": false}},
            "cors": {"allow_origins": ["*"], "allow_methods": ["*"], "allow_headers": ["*"]},
            "s3": {"enable": false, "port": 5246, "ssl": false},
            "last_launched_version": self.version(),
        });
        match self {
            V::A335 => {}
            V::A363 => {
                c["mcp"] = json!({"enable": false, "port": 5248});
                c["tasks"]["s3_transition"] = json!({"workers": 5, "max_retry": 2});
            }
            V::O425 => {
                c["meilisearch"] =
                    json!({"host": "http://localhost:7700", "api_key": "", "index": "openlist"});
                c["log"]["filter"] = json!({"enable": false, "filters": []});
                c["tasks"]["move"] =
                    json!({"workers": 5, "max_retry": 2, "task_persistant": false});
                c["proxy_address"] = json!("");
                c["sftp"] = json!({"enable": false, "listen": ":5222"});
            }
        }
        c
    }
}

fn sha256_hex(s: &str) -> String {
    Sha256::digest(s.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The servers' password hash (model.StaticHash, then HashPwd).
fn pwd_hash(pwd: &str, salt: &str) -> String {
    sha256_hex(&format!(
        "{}-{salt}",
        sha256_hex(&format!("{pwd}-https://github.com/alist-org/alist"))
    ))
}

/// A data directory `<tmp>/data`, healthy until a test plants a problem.
struct Fixture {
    root: tempfile::TempDir,
    v: V,
}

impl Fixture {
    fn new(v: V) -> Fixture {
        let f = Fixture {
            root: tempfile::tempdir().unwrap(),
            v,
        };
        let dir = f.dir();
        std::fs::create_dir_all(dir.join("log")).unwrap();
        std::fs::create_dir_all(dir.join("temp")).unwrap();
        f.write_config(&v.config());
        std::fs::write(
            dir.join("log/log.log"),
            format!(
                "\u{1b}[36mINFO\u{1b}[0m[2026-01-02 10:00:00] reading config file: {}\n\
                 \u{1b}[36mINFO\u{1b}[0m[2026-01-02 10:00:01] init logrus...\n\
                 \u{1b}[36mINFO\u{1b}[0m[2026-01-02 10:00:02] start HTTP server @ 0.0.0.0:5244\n",
                if v == V::O425 {
                    dir.join("config.json").display().to_string()
                } else {
                    "data/config.json".into()
                }
            ),
        )
        .unwrap();
        let c = f.conn();
        c.execute_batch(v.ddl()).unwrap();
        for (k, val) in [
            ("version", v.version()),
            ("search_index", "none"),
            ("index_progress", "{}"),
            ("site_title", "My Files"),
        ] {
            c.execute(
                "INSERT INTO x_setting_items (key, value, type, \"group\", flag) VALUES (?1, ?2, 'string', 0, 0)",
                [k, val],
            )
            .unwrap();
        }
        f.user("admin", "S0me-Strong-Pass!", 2, false, 0);
        f.user("guest", "guest", 1, true, 0);
        if v == V::A363 {
            for (id, name, perm) in [(1, "guest", 0), (2, "admin", 0x7fff), (3, "general", 0)] {
                c.execute(
                    "INSERT INTO x_roles (id, name, raw_permission) VALUES (?1, ?2, ?3)",
                    rusqlite::params![
                        id,
                        name,
                        json!([{"path": "/", "permission": perm}]).to_string()
                    ],
                )
                .unwrap();
            }
        }
        f.storage(
            "/local",
            "Local",
            "work",
            &json!({"root_folder_path": "/srv/media"}).to_string(),
        );
        f
    }

    fn dir(&self) -> PathBuf {
        self.root.path().join("data")
    }

    fn conn(&self) -> Connection {
        Connection::open(self.dir().join("data.db")).unwrap()
    }

    fn write_config(&self, v: &Value) {
        std::fs::write(
            self.dir().join("config.json"),
            serde_json::to_string_pretty(v).unwrap(),
        )
        .unwrap();
    }

    fn config(&self, edit: impl FnOnce(&mut Value)) {
        let mut v: Value =
            serde_json::from_str(&std::fs::read_to_string(self.dir().join("config.json")).unwrap())
                .unwrap();
        edit(&mut v);
        self.write_config(&v);
    }

    fn user(&self, name: &str, pwd: &str, role: i64, disabled: bool, perm: i64) {
        let salt = format!("salt-{name}");
        self.conn()
            .execute(
                "INSERT INTO x_users (username, pwd_hash, salt, password, base_path, role, disabled, permission, otp_secret)
                 VALUES (?1, ?2, ?3, '', '/', ?4, ?5, ?6, '')",
                rusqlite::params![
                    name,
                    pwd_hash(pwd, &salt),
                    salt,
                    self.v.role(role).to_string().trim_matches('"'),
                    disabled,
                    perm
                ],
            )
            .unwrap();
    }

    fn storage(&self, mount: &str, driver: &str, status: &str, addition: &str) {
        self.conn()
            .execute(
                "INSERT INTO x_storages (mount_path, \"order\", driver, cache_expiration, status, addition, disabled, webdav_policy, down_proxy_url)
                 VALUES (?1, 0, ?2, 30, ?3, ?4, 0, '302_redirect', '')",
                [mount, driver, status, addition],
            )
            .unwrap();
    }

    fn sql(&self, sql: &str) {
        self.conn().execute_batch(sql).unwrap();
    }
}

/// Every file under `dir`: relative path → (size, mtime, SHA-256).
fn snapshot(dir: &Path) -> BTreeMap<String, (u64, std::time::SystemTime, String)> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let e = e.unwrap();
            let p = e.path();
            let m = std::fs::symlink_metadata(&p).unwrap();
            let rel = p.strip_prefix(dir).unwrap().display().to_string();
            if m.is_dir() {
                out.insert(format!("{rel}/"), (0, m.modified().unwrap(), String::new()));
                stack.push(p);
            } else {
                let bytes = std::fs::read(&p).unwrap_or_default();
                let hash: String = Sha256::digest(&bytes)
                    .iter()
                    .map(|b| format!("{b:02x}"))
                    .collect();
                out.insert(rel, (m.len(), m.modified().unwrap(), hash));
            }
        }
    }
    out
}

/// Runs `check` with `args` (a data directory among them); asserts that
/// `dir` is byte-for-byte unchanged and that no temporary file is left.
fn run_check(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let tmp = tempfile::tempdir().unwrap();
    let before = snapshot(dir);
    let out = doctor()
        .arg("check")
        .args(args)
        .env("TMPDIR", tmp.path())
        .output()
        .unwrap();
    let after = snapshot(dir);
    assert_eq!(
        before,
        after,
        "check changed the data directory {}",
        dir.display()
    );
    let left: Vec<_> = std::fs::read_dir(tmp.path()).unwrap().collect();
    assert!(left.is_empty(), "temporary files left behind: {left:?}");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn check_json(dir: &Path) -> (i32, Value) {
    let d = dir.display().to_string();
    let (code, out, err) = run_check(dir, &["--format", "json", &d]);
    let v: Value = serde_json::from_str(&out)
        .unwrap_or_else(|e| panic!("not JSON ({e}):\n{out}\nstderr:\n{err}"));
    (code, v)
}

fn ids(v: &Value) -> Vec<String> {
    let mut ids: Vec<String> = crate::util::ids(v);
    ids.sort();
    ids
}

/// Asserts that the findings are exactly `want` (each once), each with a fix.
fn assert_ids(v: &Value, want: &[&str]) {
    let mut want: Vec<String> = want.iter().map(|s| s.to_string()).collect();
    want.sort();
    assert_eq!(ids(v), want, "{v:#}");
    for f in v["findings"].as_array().unwrap() {
        assert!(!f["fix"].as_array().unwrap().is_empty(), "{f:#}");
    }
}

#[test]
fn healthy_directories_report_nothing() {
    for v in [V::A335, V::A363, V::O425] {
        let f = Fixture::new(v);
        let (code, j) = check_json(&f.dir());
        assert_ids(&j, &[]);
        assert_eq!(code, 0, "{v:?}: {j:#}");
        let dir = &j["check"]["dirs"][0];
        assert_eq!(dir["database"]["access"], "immutable", "{v:?}");
        let server = if v == V::O425 { "openlist" } else { "alist" };
        assert_eq!(dir["server"], server, "{v:?}");
        assert_eq!(dir["version"], v.version(), "{v:?}");
        assert_eq!(dir["container"], false, "{v:?}");
    }
}

/// The problems the design ranks most valuable, planted together in one
/// directory per release: each is reported once, with its fix.
#[test]
fn planted_problems_are_reported_once_each() {
    for v in [V::A335, V::A363, V::O425] {
        let f = Fixture::new(v);
        f.config(|c| {
            c["site_url"] = json!("alist.example.com");
            c["jwt_secret"] = json!("short");
            c["tls_insecure_skip_verify"] = json!(true);
            c["token_expires_in"] = json!(0);
            c["temp_dir"] = json!("data");
            c["cors"]["allow_origins"] = json!([]);
            c["scheme"]["https_port"] = json!(5245);
            c["s3"] = json!({"enable": true, "port": 5244, "ssl": false});
        });
        f.user("root", "admin", 2, false, 0);
        f.sql("UPDATE x_users SET disabled = 0, permission = 136 WHERE username = 'guest'");
        if v == V::A363 {
            f.sql(r#"UPDATE x_roles SET raw_permission = '[{"path":"/","permission":136}]' WHERE id = 1"#);
        }
        f.storage(
            "/aliyun",
            "AliyundriveOpen",
            "empty token returned from official API, a wrong refresh token may have been used",
            "{}",
        );
        f.storage("/odd", "WebDav", "something new 42 happened", "{}");
        let foreign = if v == V::O425 {
            "AList V2"
        } else {
            "cloudflare_imgbed"
        };
        f.storage("/ghost", foreign, "work", "{}");
        f.storage("/dup/", "Local", "work", "{}");
        f.storage("/dup", "Local", "work", "{\"root_folder_path\":");
        f.sql("UPDATE x_storages SET webdav_policy = 'use_proxy_url' WHERE mount_path = '/aliyun'");
        f.sql(r#"UPDATE x_setting_items SET value = 'database' WHERE key = 'search_index';
                 UPDATE x_setting_items SET value = '{"obj_count":3,"is_done":true,"last_done_time":"2026-01-01T00:00:00Z","error":"failed to create full text index"}' WHERE key = 'index_progress';"#);
        let (code, j) = check_json(&f.dir());
        let mut want = vec![
            "config-site-url-no-scheme",
            "config-jwt-secret-weak",
            "config-tls-verify-disabled",
            "config-token-expiry-invalid",
            "config-cors-invalid",
            "config-https-cert-missing",
            "config-https-cert-missing",
            "config-port-collision",
            "temp-dir-wipes-data",
            "user-default-password",
            "user-guest-can-write",
            "refresh-api-empty-token",
            "storage-status-error",
            "storage-driver-missing",
            "storage-mount-path-collision",
            "storage-addition-invalid",
            "storage-proxy-url-missing",
            "search-index-build-failed",
        ];
        want.sort();
        assert_ids(&j, &want);
        assert_eq!(code, 1, "{v:?}");
        let status = j["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["id"] == "refresh-api-empty-token")
            .unwrap();
        assert_eq!(status["context"]["mount_path"], "/aliyun", "{status:#}");
        assert_eq!(status["context"]["driver"], "AliyundriveOpen");
    }
}

#[test]
fn config_that_will_not_load_is_located_and_corrected() {
    let f = Fixture::new(V::O425);
    let text = std::fs::read_to_string(f.dir().join("config.json")).unwrap();
    let broken = text.replacen(
        "\"temp_dir\": \"data/temp\",",
        "\"temp_dir\": \"D:\\alist\\temp\", // Windows",
        1,
    );
    std::fs::write(f.dir().join("config.json"), broken).unwrap();
    let (code, j) = check_json(&f.dir());
    assert_eq!(code, 1);
    let ids = ids(&j);
    assert!(ids.contains(&"config-json-invalid".to_string()), "{j:#}");
    let finding = &j["findings"][0];
    assert_eq!(finding["id"], "config-json-invalid");
    let fix = finding["fix"][0].as_str().unwrap();
    assert!(fix.contains(r#""temp_dir": "D:\\alist\\temp","#), "{fix}");
    assert!(
        finding["captures"]["line"]
            .as_str()
            .unwrap()
            .parse::<u64>()
            .unwrap()
            > 1
    );

    let f = Fixture::new(V::A335);
    f.config(|c| c["scheme"]["http_port"] = json!("5244"));
    let (_, j) = check_json(&f.dir());
    assert_ids(&j, &["config-value-wrong-type"]);
    assert_eq!(j["findings"][0]["captures"]["key"], "scheme.http_port");
}

#[test]
fn more_config_checks_and_their_negatives() {
    type Edit = fn(&mut Value);
    let cases: &[(Edit, &[&str])] = &[
        (
            |c| c["site_url"] = json!("https://a.example.com:port"),
            &["config-site-url-unparsable"],
        ),
        (
            |c| c["site_url"] = json!("http://127.0.0.1:5244"),
            &["config-site-url-loopback"],
        ),
        (
            |c| {
                c["site_url"] = json!("http://a.example.com");
                c["scheme"]["https_port"] = json!(5245);
                c["scheme"]["http_port"] = json!(-1);
                c["scheme"]["cert_file"] = json!("data/cert.pem");
                c["scheme"]["key_file"] = json!("data/key.pem");
            },
            &["config-site-url-http-with-https"],
        ),
        (
            |c| {
                c["site_url"] = json!("https://a.example.com");
                c["scheme"]["https_port"] = json!(5245);
                c["scheme"]["force_https"] = json!(true);
                c["scheme"]["cert_file"] = json!("data/cert.pem");
                c["scheme"]["key_file"] = json!("data/key.pem");
            },
            &["config-force-https-loop"],
        ),
        (
            |c| c["scheme"]["http_port"] = json!(-1),
            &["config-no-listener"],
        ),
        (
            |c| c["database"]["type"] = json!("postgresql"),
            &["config-database-type-unsupported"],
        ),
        (
            |c| c["database"]["db_file"] = json!("data/data.sqlite"),
            &["config-db-file-name", "database-file-elsewhere"],
        ),
        (
            |c| c["database"]["table_prefix"] = json!("alist_"),
            &["database-table-prefix-mismatch"],
        ),
        (
            |c| c["last_launched_version"] = json!("v4.1.0"),
            &["data-dir-version-mismatch"],
        ),
        (
            |c| c["cors"]["allow_origins"] = json!(["a.example.com"]),
            &["config-cors-invalid"],
        ),
        // Negatives: near misses that are fine.
        (
            |c| c["site_url"] = json!("https://a.example.com/alist"),
            &[],
        ),
        (|c| c["scheme"]["unix_file"] = json!("/run/alist.sock"), &[]),
        (|c| c["temp_dir"] = json!("data/temp/"), &[]),
        (|c| c["jwt_secret"] = json!("0123456789abcdefXYZ"), &[]),
    ];
    for (i, (edit, want)) in cases.iter().enumerate() {
        let f = Fixture::new(V::O425);
        std::fs::write(f.dir().join("cert.pem"), "x").unwrap();
        std::fs::write(f.dir().join("key.pem"), "x").unwrap();
        f.config(*edit);
        let (_, j) = check_json(&f.dir());
        let mut w: Vec<&str> = want.to_vec();
        w.sort();
        assert_eq!(ids(&j), w, "case {i}: {j:#}");
    }
}

#[test]
fn database_state_checks_and_their_negatives() {
    // Never built, an empty database index, a missing bleve index.
    let f = Fixture::new(V::A363);
    f.sql("UPDATE x_setting_items SET value = 'database' WHERE key = 'search_index'");
    let (_, j) = check_json(&f.dir());
    assert_ids(&j, &["search-index-never-built"]);
    f.sql(r#"UPDATE x_setting_items SET value = '{"obj_count":0,"is_done":true,"last_done_time":"2026-01-01T00:00:00Z","error":""}' WHERE key = 'index_progress'"#);
    let (_, j) = check_json(&f.dir());
    assert_ids(&j, &["search-database-index-empty"]);
    f.sql("INSERT INTO x_search_nodes VALUES ('/', 'local', 1, 0)");
    let (_, j) = check_json(&f.dir());
    assert_ids(&j, &[]);
    f.sql("UPDATE x_setting_items SET value = 'bleve' WHERE key = 'search_index'");
    let (_, j) = check_json(&f.dir());
    assert_ids(&j, &["search-bleve-index-missing"]);
    std::fs::create_dir_all(f.dir().join("bleve")).unwrap();
    std::fs::write(f.dir().join("bleve/index_meta.json"), "{}").unwrap();
    let (_, j) = check_json(&f.dir());
    assert_ids(&j, &[]);

    // A plain password kept from before v3.25; a disabled storage's status is not reported.
    let f = Fixture::new(V::A335);
    f.sql("UPDATE x_users SET password = 'plain' WHERE username = 'admin'");
    f.storage("/off", "WebDav", "something new 42 happened", "{}");
    f.sql("UPDATE x_storages SET disabled = 1 WHERE mount_path = '/off'");
    let (_, j) = check_json(&f.dir());
    assert_ids(&j, &["user-plain-password"]);

    // A guest that may only read and a disabled guest with every bit.
    let f = Fixture::new(V::O425);
    f.sql("UPDATE x_users SET disabled = 0, permission = 256 WHERE username = 'guest'");
    assert_ids(&check_json(&f.dir()).1, &[]);
    f.sql("UPDATE x_users SET disabled = 1, permission = 65535 WHERE username = 'guest'");
    assert_ids(&check_json(&f.dir()).1, &[]);

    // Not a database.
    let f = Fixture::new(V::O425);
    std::fs::write(f.dir().join("data.db"), "<html>not found</html>").unwrap();
    let (_, j) = check_json(&f.dir());
    assert_ids(&j, &["database-not-sqlite"]);
}

/// A checkless column: the check is listed as skipped, not a failure.
#[test]
fn missing_columns_skip_the_check() {
    let f = Fixture::new(V::A335);
    f.sql("ALTER TABLE x_storages DROP COLUMN status");
    let (code, j) = check_json(&f.dir());
    assert_ids(&j, &[]);
    assert_eq!(code, 0);
    let skipped = &j["check"]["dirs"][0]["skipped"];
    assert!(
        skipped
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["id"] == "storage-status-error"),
        "{skipped:#}"
    );
}

#[test]
fn a_live_writer_is_read_through_a_private_copy_and_its_rows_seen() {
    let f = Fixture::new(V::O425);
    let w = f.conn();
    w.pragma_update(None, "journal_mode", "WAL").unwrap();
    w.pragma_update(None, "wal_autocheckpoint", 0).unwrap();
    w.execute(
        "INSERT INTO x_storages (mount_path, driver, status, addition, disabled) VALUES ('/walrow', 'WebDav', 'something new 42 happened', '{}', 0)",
        [],
    )
    .unwrap();
    let wal = f.dir().join("data.db-wal");
    assert!(std::fs::metadata(&wal).unwrap().len() > 0);
    let (code, j) = check_json(&f.dir());
    assert_eq!(code, 1);
    assert_eq!(j["check"]["dirs"][0]["database"]["access"], "copy");
    assert_ids(&j, &["storage-status-error"]);
    assert_eq!(j["findings"][0]["context"]["mount_path"], "/walrow");
    drop(w);
}

#[cfg(unix)]
#[test]
fn a_read_only_directory_is_read_in_place_without_side_files() {
    use std::os::unix::fs::PermissionsExt;
    let f = Fixture::new(V::A363);
    let dir = f.dir();
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o555)).unwrap();
    let (code, j) = check_json(&dir);
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    assert_eq!(code, 0, "{j:#}");
    assert_eq!(j["check"]["dirs"][0]["database"]["access"], "immutable");
    assert!(!dir.join("data.db-wal").exists() && !dir.join("data.db-shm").exists());
}

/// Privacy: every secret slot holds a canary; none reaches any output.
#[test]
fn secrets_never_reach_any_output() {
    let f = Fixture::new(V::O425);
    let text = serde_json::to_string_pretty(&{
        let mut c = V::O425.config();
        c["jwt_secret"] = json!("CANARYjwt0123456789");
        c["database"]["password"] = json!("CANARYdbpass");
        c["meilisearch"]["api_key"] = json!("CANARYmeili");
        c
    })
    .unwrap();
    // A comment on the secret's line: the corrected text must mask it.
    let text = text.replacen(
        "\"CANARYjwt0123456789\",",
        "\"CANARYjwt0123456789\", // keep",
        1,
    );
    std::fs::write(f.dir().join("config.json"), text).unwrap();
    f.storage(
        "/ali",
        "AliyundriveOpen",
        "failed get objs: Authorization: Bearer CANARYbearer0123 refused; refresh_token=CANARYstatus",
        &json!({"refresh_token": "CANARYrefresh", "password": "CANARYaddpass", "cookie": "CANARYcookie"}).to_string(),
    );
    f.storage(
        "/panic",
        "Thunder",
        "[panic] err: bad token eyJhbGciOiJIUzI1NiJ9.eyJDQU5BUlkiOjF9.CANARYjwtsig\nstack: goroutine 1",
        "{}",
    );
    f.sql(
        "INSERT INTO x_setting_items (key, value) VALUES ('token', 'CANARYtoken'), ('qbittorrent_url', 'http://admin:CANARYqb@localhost:8080/');
         INSERT INTO x_meta (path, password) VALUES ('/', 'CANARYmeta');
         INSERT INTO x_sharing_dbs (id, pwd) VALUES ('s1', 'CANARYshare');
         UPDATE x_users SET otp_secret = 'CANARYotp', password = 'CANARYplain' WHERE username = 'admin';",
    );
    let d = f.dir().display().to_string();
    for format in ["text", "json", "ndjson", "github", "sarif"] {
        for lang in ["en", "zh"] {
            for extra in [&[][..], &["--no-redact"][..]] {
                let mut args = vec!["--format", format, "--lang", lang, &d];
                args.extend_from_slice(extra);
                let (code, out, err) = run_check(&f.dir(), &args);
                assert_eq!(code, 1, "{format} {lang}: {out}{err}");
                for text in [&out, &err] {
                    assert!(
                        !text.contains("CANARY"),
                        "a secret reached the {format} output ({lang}, {extra:?}):\n{text}"
                    );
                }
            }
        }
    }
}

/// Paths of a container's volume: the certificate lies inside the
/// container, so it is not called missing.
#[test]
fn container_paths_are_not_called_missing() {
    let f = Fixture::new(V::O425);
    let vol = f.root.path().join("openlist");
    std::fs::rename(f.dir(), &vol).unwrap();
    let text = std::fs::read_to_string(vol.join("config.json")).unwrap();
    let mut c: Value = serde_json::from_str(&text).unwrap();
    c["scheme"]["https_port"] = json!(5245);
    c["scheme"]["cert_file"] = json!("/opt/openlist/cert/cert.pem");
    c["scheme"]["key_file"] = json!("data/key.pem");
    std::fs::write(vol.join("config.json"), c.to_string()).unwrap();
    std::fs::write(vol.join("key.pem"), "x").unwrap();
    std::fs::write(
        vol.join("log/log.log"),
        "INFO[2026-01-02 10:00:00] reading config file: /opt/openlist/data/config.json\n",
    )
    .unwrap();
    let (_, j) = check_json(&vol);
    assert_eq!(j["check"]["dirs"][0]["container"], true);
    // Root-owned files in an OpenList >= 4.1.0 volume are rightly reported
    // (the image runs as uid 1001); the path inside the container is info.
    let found: Vec<&Value> = j["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["id"] != "data-dir-not-writable")
        .collect();
    assert_eq!(found.len(), 1, "{j:#}");
    assert_eq!(found[0]["id"], "config-path-in-container");
    assert_eq!(found[0]["severity"], "info");
}

/// MySQL: config-level checks and the read-only SQL, no connection.
#[test]
fn external_databases_get_the_sql_to_run() {
    let f = Fixture::new(V::O425);
    std::fs::remove_file(f.dir().join("data.db")).unwrap();
    f.config(|c| {
        c["database"] = json!({"type": "mysql", "host": "127.0.0.1", "port": 3306, "user": "alist",
                               "password": "CANARYmysql", "name": "alist", "db_file": "data/data.db",
                               "table_prefix": "x_", "ssl_mode": "", "dsn": ""});
    });
    let d = f.dir().display().to_string();
    let (code, out, _) = run_check(&f.dir(), &[&d]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("START TRANSACTION READ ONLY;"), "{out}");
    assert!(
        out.contains("SELECT id, mount_path, driver, status, disabled FROM x_storages"),
        "{out}"
    );
    assert!(!out.contains("CANARY"));
}

/// The JSON and NDJSON of a check match docs/output.schema.json.
#[test]
fn check_output_matches_the_schema() {
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/docs/output.schema.json"
        ))
        .unwrap(),
    )
    .unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let f = Fixture::new(V::A363);
    f.config(|c| c["site_url"] = json!("alist.example.com"));
    let (_, j) = check_json(&f.dir());
    let errors: Vec<String> = validator.iter_errors(&j).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{errors:#?}\n{j:#}");
    let d = f.dir().display().to_string();
    let (_, out, _) = run_check(&f.dir(), &["--format", "ndjson", &d]);
    let lines: Vec<Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines[0]["type"], "check");
    assert_eq!(lines.last().unwrap()["type"], "summary");
    for l in &lines {
        let errors: Vec<String> = validator.iter_errors(l).map(|e| e.to_string()).collect();
        assert!(errors.is_empty(), "{errors:#?}\n{l:#}");
    }
}

/// Errors of the last start are reported; those of an earlier run are not.
#[test]
fn the_log_of_the_last_start_is_diagnosed() {
    let f = Fixture::new(V::O425);
    let cfg = f.dir().join("config.json").display().to_string();
    std::fs::write(
        f.dir().join("log/log.log"),
        format!(
            "INFO[2026-01-01 09:00:00] reading config file: {cfg}\n\
             ERRO[2026-01-01 09:00:05] failed get storage: can't find storage with rawPath: /gone\n\
             INFO[2026-01-02 10:00:00] reading config file: {cfg}\n\
             ERRO[2026-01-02 10:00:05] failed to start http: listen tcp 0.0.0.0:5244: bind: address already in use\n"
        ),
    )
    .unwrap();
    let (_, j) = check_json(&f.dir());
    assert_ids(&j, &["port-in-use"]);
    assert_eq!(j["findings"][0]["first_line"], 4);
}

#[test]
fn discovery_reports_every_directory_found() {
    let root = tempfile::tempdir().unwrap();
    let cwd = tempfile::tempdir().unwrap();
    for d in ["opt/alist/data", "etc/openlist"] {
        let f = Fixture::new(V::O425);
        let target = root.path().join(d);
        std::fs::create_dir_all(target.parent().unwrap()).unwrap();
        std::fs::rename(f.dir(), &target).unwrap();
    }
    let out = doctor()
        .args(["check", "--format", "json"])
        .env("ALIST_DOCTOR_ROOT", root.path())
        .env("PATH", "/nonexistent")
        .current_dir(cwd.path())
        .output()
        .unwrap();
    let j: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(j["check"]["dirs"].as_array().unwrap().len(), 2, "{j:#}");
    let several: Vec<&Value> = j["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["id"] == "data-dir-several")
        .collect();
    assert_eq!(several.len(), 1, "{j:#}");

    let empty = tempfile::tempdir().unwrap();
    let out = doctor()
        .arg("check")
        .env("ALIST_DOCTOR_ROOT", empty.path())
        .env("PATH", "/nonexistent")
        .current_dir(cwd.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no data directory found"));
}

/// The data directory of the service user: files it cannot write.
#[cfg(unix)]
#[test]
fn files_the_service_user_cannot_write() {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    let f = Fixture::new(V::O425);
    let dir = f.dir();
    if std::fs::metadata(&dir).unwrap().uid() != 0 {
        println!("skipped: needs root to give files to another user");
        return;
    }
    std::os::unix::fs::chown(&dir, Some(1001), Some(1001)).unwrap();
    std::os::unix::fs::chown(dir.join("config.json"), Some(1001), Some(1001)).unwrap();
    std::os::unix::fs::chown(dir.join("log"), Some(1001), Some(1001)).unwrap();
    std::os::unix::fs::chown(dir.join("temp"), Some(1001), Some(1001)).unwrap();
    // data.db stays root's, 0644: the service (uid 1001) cannot write it.
    std::fs::set_permissions(dir.join("data.db"), std::fs::Permissions::from_mode(0o644)).unwrap();
    let (_, j) = check_json(&dir);
    assert_ids(&j, &["data-dir-not-writable"]);
    std::os::unix::fs::chown(dir.join("data.db"), Some(1001), Some(1001)).unwrap();
    let (_, j) = check_json(&dir);
    assert_ids(&j, &[]);
}

/// The database luci-app-openlist2 ships (../shared/fixtures): admin/admin.
#[test]
fn the_openwrt_database_has_the_default_password() {
    let shared = std::env::var_os("ALIST_DOCTOR_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared"));
    let db = shared.join("fixtures/luci-app-openlist2-data.db");
    if !db.is_file() {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "{} is missing: CI must have ../shared",
            db.display()
        );
        println!(
            "skipped: {} not found (set ALIST_DOCTOR_SHARED)",
            db.display()
        );
        return;
    }
    let before = snapshot(db.parent().unwrap());
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("openlist2");
    std::fs::create_dir(&data).unwrap();
    std::fs::copy(&db, data.join("data.db")).unwrap();
    let (code, j) = check_json(&data);
    assert_eq!(code, 1);
    assert_ids(&j, &["user-default-password"]);
    assert_eq!(snapshot(db.parent().unwrap()), before);
}
