//! Accounts: an admin whose password is a well-known default (U1), plain
//! passwords kept from before v3.25 (U2), and a guest that can change
//! files (U3). Passwords are compared by hash; no secret is ever shown.

use sha2::{Digest, Sha256};

use super::Ctx;
use crate::check::Observation;

/// Default and trivial passwords: `admin` is what luci-app-openlist2 ships.
const DEFAULTS: &[&str] = &[
    "admin", "password", "123456", "12345678", "admin123", "alist", "openlist", "guest",
];

/// Role numbers (internal/model/user.go): GENERAL 0, GUEST 1, ADMIN 2.
const GUEST: i64 = 1;
const ADMIN: i64 = 2;

/// Permission bits that change files: (bit, what it allows).
const WRITE_BITS: &[(u32, &str)] = &[
    (3, "create folders and upload"),
    (4, "rename"),
    (5, "move"),
    (6, "copy"),
    (7, "delete"),
    (9, "write over WebDAV"),
    (11, "write over FTP/SFTP"),
];

fn sha256_hex(s: &str) -> String {
    let d = Sha256::digest(s.as_bytes());
    d.iter().map(|b| format!("{b:02x}")).collect()
}

/// `pwd_hash` of `password` with `salt` (both forks: model.StaticHash, HashPwd).
pub(crate) fn pwd_hash(password: &str, salt: &str) -> String {
    let stat = sha256_hex(&format!("{password}-https://github.com/alist-org/alist"));
    sha256_hex(&format!("{stat}-{salt}"))
}

/// The role numbers of a `role` column: an integer, or JSON `[2]` (AList ≥ 3.46).
fn roles(v: &str) -> Vec<i64> {
    let v = v.trim();
    if let Ok(n) = v.parse() {
        return vec![n];
    }
    serde_json::from_str::<Vec<i64>>(v).unwrap_or_default()
}

pub(super) fn run(ctx: &mut Ctx<'_>) {
    let Some(db) = ctx.db else { return };
    let table = ctx.table("users");
    if !db.has_table(&table) {
        return;
    }
    if let Some(why) = db.missing(&table, &["username", "role", "pwd_hash", "salt"]) {
        ctx.skip("user-default-password", why);
    }
    let rows = match db.rows(
        &table,
        &[
            "username",
            "role",
            "disabled",
            "permission",
            "pwd_hash",
            "salt",
            "password",
        ],
        10_000,
    ) {
        Ok(r) => r,
        Err(e) => {
            ctx.skip(
                "user-default-password",
                format!("{table} cannot be read: {e}"),
            );
            return;
        }
    };
    // AList ≥ 3.46: a guest's permissions are its roles' scopes.
    let role_perms = role_permissions(ctx);
    let db_path = ctx.db_path.clone();
    for r in &rows {
        let name = r.text("username").to_string();
        let rs = roles(r.text("role"));
        let disabled = r.flag("disabled");
        let (hash, salt) = (r.text("pwd_hash"), r.text("salt"));
        if rs.contains(&ADMIN)
            && !disabled
            && !hash.is_empty()
            && DEFAULTS
                .iter()
                .any(|p| pwd_hash(p, salt).eq_ignore_ascii_case(hash))
        {
            ctx.push(Observation::new(
                "user-default-password",
                format!("check: user {name} (admin) has a well-known default password"),
                &db_path,
                1,
            ));
        }
        if !r.text("password").is_empty() {
            ctx.push(Observation::new(
                "user-plain-password",
                format!("check: user {name} has a plain-text password stored beside its hash"),
                &db_path,
                1,
            ));
        }
        if rs.contains(&GUEST) && !disabled {
            let mut perm = r.int("permission").unwrap_or(0);
            if let Some(map) = &role_perms {
                perm = rs
                    .iter()
                    .filter_map(|id| map.iter().find(|(rid, _)| rid == id).map(|(_, p)| *p))
                    .fold(0, |a, p| a | p);
            }
            let allowed: Vec<&str> = WRITE_BITS
                .iter()
                .filter(|(bit, _)| perm >> bit & 1 == 1)
                .map(|(_, what)| *what)
                .collect();
            if !allowed.is_empty() {
                ctx.push(Observation::new(
                    "user-guest-can-write",
                    format!(
                        "check: the guest account is enabled and may {}",
                        allowed.join(", ")
                    ),
                    &db_path,
                    1,
                ));
            }
        }
    }
}

/// Role id → OR of its scopes' permissions, when the database has roles.
fn role_permissions(ctx: &Ctx<'_>) -> Option<Vec<(i64, i64)>> {
    let db = ctx.db?;
    let table = ctx.table("roles");
    if db.missing(&table, &["id", "raw_permission"]).is_some() {
        return None;
    }
    let rows = db.rows(&table, &["id", "raw_permission"], 1_000).ok()?;
    Some(
        rows.iter()
            .filter_map(|r| {
                let id = r.int("id")?;
                let scopes: Vec<serde_json::Value> =
                    serde_json::from_str(r.text("raw_permission")).unwrap_or_default();
                let p = scopes
                    .iter()
                    .filter_map(|s| s.get("permission").and_then(serde_json::Value::as_i64))
                    .fold(0, |a, p| a | p);
                Some((id, p))
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The hash of `admin` with the salt of luci-app-openlist2's admin.
    #[test]
    fn hash_scheme_matches_the_servers() {
        let h = pwd_hash("admin", "QYXGL8M4lmCv4DPu");
        assert!(h.starts_with("7023f52b"), "{h}");
        assert_eq!(roles("[2]"), vec![2]);
        assert_eq!(roles("1"), vec![1]);
    }
}
