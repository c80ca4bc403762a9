//! config.json: syntax, types, site_url, listeners, certificates, secrets.

use serde_json::Value;

use super::Ctx;
use crate::check::Observation;
use crate::check::config::{ConfigFile, kind_of, type_name};
use crate::check::paths::Resolved;

/// jwt_secret values published in templates and tutorials.
const PUBLISHED_SECRETS: &[&str] = &[
    "random generated",
    "random_generated",
    "your_jwt_secret",
    "jwt_secret",
    "secret",
    "alist",
    "openlist",
    "changeme",
];

pub(super) fn run(ctx: &mut Ctx<'_>) {
    let Some(c) = ctx.config else {
        for id in [
            "config-json-invalid",
            "config-value-wrong-type",
            "config-site-url-no-scheme",
            "config-https-cert-missing",
            "config-port-collision",
        ] {
            ctx.skip(id, "no readable config.json");
        }
        return;
    };
    syntax(ctx, c);
    if c.value.is_none() {
        ctx.skip(
            "config-value-wrong-type",
            "config.json is not JSON and could not be repaired",
        );
        return;
    }
    if let Some(v) = &c.value {
        types(ctx, c, v, "");
    }
    site_url(ctx, c);
    listeners(ctx, c);
    secrets(ctx, c);
    database(ctx, c);
    cors(ctx, c);
}

fn syntax(ctx: &mut Ctx<'_>, c: &ConfigFile) {
    let Some(s) = &c.syntax else { return };
    let corrected = match &s.corrected {
        Some(lines) => lines.join("; "),
        None => "no automatic correction".into(),
    };
    let o = Observation::new(
        "config-json-invalid",
        format!(
            "check: config.json:{}:{}: not valid JSON, {}; corrected: {corrected}",
            s.line, s.column, s.problem
        ),
        ctx.config_path.clone(),
        s.line,
    );
    ctx.push(o);
}

/// Every known key whose value json-iterator would refuse.
fn types(ctx: &mut Ctx<'_>, c: &ConfigFile, v: &Value, at: &str) {
    let Some(obj) = v.as_object() else { return };
    for (k, val) in obj {
        let path = if at.is_empty() {
            k.to_ascii_lowercase()
        } else {
            format!("{at}.{}", k.to_ascii_lowercase())
        };
        let Some(kind) = kind_of(&path) else { continue };
        if !kind.accepts(val) {
            let article = if kind.name().starts_with(['a', 'o']) {
                "an"
            } else {
                "a"
            };
            let line = c.line_of(k);
            ctx.push(Observation::new(
                "config-value-wrong-type",
                format!(
                    "check: config.json: {path} is of type {}; the server reads {article} {}",
                    type_name(val),
                    kind.name()
                ),
                ctx.config_path.clone(),
                line,
            ));
        } else if val.is_object() {
            types(ctx, c, val, &path);
        }
    }
}

fn site_url(ctx: &mut Ctx<'_>, c: &ConfigFile) {
    let Some(url) = c.str(&["site_url"]).map(str::trim) else {
        return;
    };
    if url.is_empty() {
        return;
    }
    let shown = url.to_string();
    if !url.contains("://") {
        ctx.config_obs(
            "config-site-url-no-scheme",
            "site_url",
            format!("check: config.json: site_url \"{shown}\" has no scheme"),
        );
        return;
    }
    let Some((scheme, rest)) = url.split_once("://") else {
        return;
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host_port = authority.rsplit('@').next().unwrap_or("");
    let (host, port) = split_host_port(host_port);
    let bad = if !scheme.eq_ignore_ascii_case("http") && !scheme.eq_ignore_ascii_case("https") {
        Some(format!("the scheme {scheme} is not http or https"))
    } else if url.contains(char::is_whitespace) {
        Some("it contains a space".into())
    } else if host.is_empty() {
        Some("it has no host name".into())
    } else if let Some(p) = port
        && (p.is_empty() || p.parse::<u16>().is_err())
    {
        Some(format!("the port \"{p}\" is not a number from 0 to 65535"))
    } else {
        None
    };
    if let Some(reason) = bad {
        ctx.config_obs(
            "config-site-url-unparsable",
            "site_url",
            format!("check: config.json: site_url \"{shown}\" cannot be parsed: {reason}"),
        );
        return;
    }
    let https_port = c.int(&["scheme", "https_port"]).unwrap_or(-1);
    let http_port = c.int(&["scheme", "http_port"]).unwrap_or(5244);
    let force = c.bool(&["scheme", "force_https"]).unwrap_or(false);
    if scheme.eq_ignore_ascii_case("http") && https_port > 0 && (http_port == -1 || force) {
        ctx.config_obs(
            "config-site-url-http-with-https",
            "site_url",
            format!(
                "check: config.json: site_url \"{shown}\" is http:// while the server serves \
                 HTTPS on port {https_port}"
            ),
        );
    }
    let h = host
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_ascii_lowercase();
    if h == "localhost" || h.starts_with("127.") || h == "::1" || h == "0.0.0.0" {
        ctx.config_obs(
            "config-site-url-loopback",
            "site_url",
            format!("check: config.json: site_url \"{shown}\" points at the loopback address"),
        );
    }
    // force_https with TLS ended at a proxy: https:// without the
    // server's own HTTPS port.
    if force
        && scheme.eq_ignore_ascii_case("https")
        && https_port > 0
        && http_port > 0
        && port.and_then(|p| p.parse::<i64>().ok()) != Some(https_port)
    {
        ctx.config_obs(
            "config-force-https-loop",
            "force_https",
            format!(
                "check: config.json: force_https is on while site_url \"{shown}\" is served \
                 through a TLS proxy"
            ),
        );
    }
}

/// `host:port` → (host, Some(port)); IPv6 in brackets.
fn split_host_port(s: &str) -> (&str, Option<&str>) {
    if let Some(rest) = s.strip_prefix('[') {
        return match rest.split_once(']') {
            Some((h, tail)) => (h, tail.strip_prefix(':')),
            None => (s, None),
        };
    }
    match s.rsplit_once(':') {
        Some((h, p)) => (h, Some(p)),
        None => (s, None),
    }
}

/// Port of a `host:port` / `:port` listen string.
fn listen_port(s: &str) -> Option<i64> {
    s.rsplit_once(':').and_then(|(_, p)| p.parse().ok())
}

fn listeners(ctx: &mut Ctx<'_>, c: &ConfigFile) {
    let http = c.int(&["scheme", "http_port"]).unwrap_or(5244);
    let https = c.int(&["scheme", "https_port"]).unwrap_or(-1);
    let unix = c.str(&["scheme", "unix_file"]).unwrap_or("");
    if http == -1 && https == -1 && unix.is_empty() {
        ctx.config_obs(
            "config-no-listener",
            "http_port",
            "check: config.json: http_port and https_port are -1 and unix_file is empty: \
             nothing listens"
                .into(),
        );
    }
    let mut ports: Vec<(&str, i64)> = Vec::new();
    if http > 0 {
        ports.push(("scheme.http_port", http));
    }
    if https > 0 {
        ports.push(("scheme.https_port", https));
    }
    if c.bool(&["s3", "enable"]) == Some(true)
        && let Some(p) = c.int(&["s3", "port"])
    {
        ports.push(("s3.port", p));
    }
    for (section, default) in [("ftp", ":5221"), ("sftp", ":5222")] {
        if c.bool(&[section, "enable"]) == Some(true)
            && let Some(p) = listen_port(c.str(&[section, "listen"]).unwrap_or(default))
        {
            ports.push((
                if section == "ftp" {
                    "ftp.listen"
                } else {
                    "sftp.listen"
                },
                p,
            ));
        }
    }
    if c.bool(&["mcp", "enable"]) == Some(true)
        && let Some(p) = c.int(&["mcp", "port"])
    {
        ports.push(("mcp.port", p));
    }
    let mut reported: Vec<i64> = Vec::new();
    for (i, (a, pa)) in ports.iter().enumerate() {
        if let Some((b, _)) = ports[i + 1..].iter().find(|(_, pb)| pb == pa)
            && !reported.contains(pa)
        {
            reported.push(*pa);
            let key = b.rsplit('.').next().unwrap_or(b);
            ctx.config_obs(
                "config-port-collision",
                key,
                format!("check: config.json: {a} and {b} both listen on port {pa}"),
            );
        }
    }
    // Certificates: for HTTPS, and for the S3 server with ssl.
    let s3_ssl = c.bool(&["s3", "enable"]) == Some(true) && c.bool(&["s3", "ssl"]) == Some(true);
    if https > 0 || s3_ssl {
        let port = if https > 0 {
            https
        } else {
            c.int(&["s3", "port"]).unwrap_or(5246)
        };
        for key in ["cert_file", "key_file"] {
            let v = c.str(&["scheme", key]).unwrap_or("").trim().to_string();
            let problem = if v.is_empty() {
                Some(String::new())
            } else {
                match ctx.paths.resolve(&v) {
                    Resolved::Host(p) => (std::fs::File::open(&p).is_err()).then(|| v.clone()),
                    Resolved::Container(_) => {
                        ctx.config_obs(
                            "config-path-in-container",
                            key,
                            format!(
                                "check: config.json: scheme.{key} \"{v}\" is a path inside the \
                                 container; not checked from the host"
                            ),
                        );
                        None
                    }
                }
            };
            if let Some(file) = problem {
                ctx.config_obs(
                    "config-https-cert-missing",
                    key,
                    format!(
                        "check: config.json: HTTPS on port {port} needs scheme.{key}, and \"{file}\" \
                         cannot be opened"
                    ),
                );
            }
        }
    }
}

fn secrets(ctx: &mut Ctx<'_>, c: &ConfigFile) {
    if let Some(secret) = c.str(&["jwt_secret"]) {
        let shape = if secret.is_empty() {
            Some("empty".to_string())
        } else if PUBLISHED_SECRETS
            .iter()
            .any(|p| p.eq_ignore_ascii_case(secret))
        {
            Some("a value published in examples".to_string())
        } else if secret.chars().count() < 16 {
            Some(format!("only {} characters long", secret.chars().count()))
        } else {
            None
        };
        if let Some(shape) = shape {
            ctx.config_obs(
                "config-jwt-secret-weak",
                "jwt_secret",
                format!("check: config.json: jwt_secret is {shape}"),
            );
        }
    } else if c.mentions("jwt_secret") {
        // Present but not a string: the type check says so.
    } else {
        ctx.config_obs(
            "config-jwt-secret-weak",
            "jwt_secret",
            "check: config.json: jwt_secret is empty".into(),
        );
    }
    if c.bool(&["tls_insecure_skip_verify"]) == Some(true) {
        ctx.config_obs(
            "config-tls-verify-disabled",
            "tls_insecure_skip_verify",
            "check: config.json: tls_insecure_skip_verify is true".into(),
        );
    }
    if let Some(n) = c.int(&["token_expires_in"])
        && n <= 0
    {
        ctx.config_obs(
            "config-token-expiry-invalid",
            "token_expires_in",
            format!("check: config.json: token_expires_in is {n}, not a positive number of hours"),
        );
    }
}

fn database(ctx: &mut Ctx<'_>, c: &ConfigFile) {
    let kind = c.str(&["database", "type"]).unwrap_or("sqlite3");
    if !matches!(kind, "sqlite3" | "mysql" | "postgres") {
        ctx.config_obs(
            "config-database-type-unsupported",
            "type",
            format!(
                "check: config.json: database type \"{kind}\" is not sqlite3, mysql or postgres"
            ),
        );
        return;
    }
    if kind == "sqlite3"
        && let Some(file) = c.str(&["database", "db_file"])
        && (!file.ends_with(".db") || file.len() <= 3)
    {
        ctx.config_obs(
            "config-db-file-name",
            "db_file",
            format!("check: config.json: db_file \"{file}\" does not end in .db"),
        );
    }
}

fn cors(ctx: &mut Ctx<'_>, c: &ConfigFile) {
    let Some(origins) = c.get(&["cors", "allow_origins"]).and_then(Value::as_array) else {
        return;
    };
    if origins.is_empty() {
        ctx.config_obs(
            "config-cors-invalid",
            "allow_origins",
            "check: config.json: cors.allow_origins is empty".into(),
        );
        return;
    }
    for o in origins.iter().filter_map(Value::as_str) {
        if o != "*" && !o.starts_with("http://") && !o.starts_with("https://") && !o.contains('*') {
            ctx.config_obs(
                "config-cors-invalid",
                "allow_origins",
                format!(
                    "check: config.json: cors.allow_origins has \"{o}\" without http:// or https://"
                ),
            );
            return;
        }
    }
}
