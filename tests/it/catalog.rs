//! The embedded catalog proves itself: schema, ids, regexes, placeholders,
//! and every example and counter-example through the real pipeline.

use alist_doctor::testing::{self, ENTRY_COUNT, embedded_files};

#[test]
fn embedded_catalog_passes_strict_lint() {
    let errors: Vec<String> = testing::lint_embedded()
        .into_iter()
        .filter(|(warning, _)| !warning)
        .map(|(_, d)| d)
        .collect();
    assert!(
        errors.is_empty(),
        "{} errors:\n{}",
        errors.len(),
        errors.join("\n")
    );
}

#[test]
fn faq_ids_are_present() {
    let ids = testing::entry_ids();
    let faq = [
        "aliyundrive-open-too-many-requests",
        "aliyundrive-open-exceed-capacity",
        "login-token-expired",
        "refresh-token-missing",
        "drive-not-valid",
        "network-no-such-host",
        "network-dns-lookup-failed",
        "network-tls-handshake-timeout",
        "network-connection-reset",
        "network-connection-refused",
        "network-client-timeout",
        "network-unreachable",
        "storage-mount-path-duplicate",
        "storage-mount-path-required",
        "meta-path-duplicate",
        "meta-path-required",
        "alist-site-mount-forbidden",
        "region-pikpak-share",
        "region-terabox",
        "search-not-available",
        "baidu-photo-rename-invalid",
        "aliyundrive-open-file-id-not-found",
        "browser-userscript-conflict",
        "login-locked-too-many-attempts",
        "no-storage",
        "onedrive-app-mysite-url",
        "port-in-use",
        "upload-413-body-too-large",
        "query-fail-61008",
    ];
    let missing: Vec<&str> = faq.iter().copied().filter(|id| !ids.contains(id)).collect();
    assert!(missing.is_empty(), "missing FAQ ids: {missing:?}");
}

#[test]
fn build_time_count_and_file_list_match() {
    assert_eq!(ENTRY_COUNT, testing::entry_ids().len());
    let mut on_disk: Vec<String> = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/data"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".yaml"))
        .collect();
    on_disk.sort();
    let embedded: Vec<String> = embedded_files()
        .iter()
        .map(|(n, _)| n.to_string())
        .collect();
    assert_eq!(on_disk, embedded);
}

/// Prints the catalog's size, the figure the README quotes
/// (`cargo test --test integration -- --nocapture catalog_size`).
#[test]
fn catalog_size() {
    let entries = testing::entries();
    let examples: usize = entries.iter().map(|e| e.examples).sum();
    let counter: usize = entries.iter().map(|e| e.counter_examples).sum();
    let zh = entries.iter().filter(|e| e.zh).count();
    println!(
        "catalog: {} entries, {examples} examples, {counter} counter-examples, {zh} with Chinese text",
        entries.len()
    );
    assert!(entries.iter().all(|e| e.examples >= 2));
}

/// FNV-1a over each `data/*.yaml` file's name and bytes, in name order.
fn data_hash() -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut feed = |bytes: &[u8]| {
        for b in bytes {
            h ^= u64::from(*b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    };
    for (name, text) in embedded_files() {
        feed(name.as_bytes());
        feed(&[0]);
        feed(text.as_bytes());
        feed(&[0]);
    }
    format!("{h:016x}")
}

/// `data/` never changes under an old catalog version: every released
/// version names exactly one state of the data (typos' codegen check, for
/// data). `tests/fixtures/catalog-versions.txt` lists `version hash` pairs,
/// versions increasing; its last line is the current one.
#[test]
fn data_is_unchanged_or_versioned() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/catalog-versions.txt"
    );
    let log = std::fs::read_to_string(path).unwrap();
    let pairs: Vec<(&str, &str)> = log
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| l.split_once(' ').expect("`version hash` lines"))
        .collect();
    let hash = data_hash();
    let (last_version, last_hash) = *pairs.last().expect("at least one line");
    if last_hash != hash {
        panic!(
            "data/*.yaml changed: bump catalog_version! in src/lib.rs (now {}) and append \
             `<new version> {hash}` to tests/fixtures/catalog-versions.txt",
            testing::CATALOG_VERSION
        );
    }
    assert_eq!(
        last_version,
        testing::CATALOG_VERSION,
        "the last line of catalog-versions.txt must name the current catalog version"
    );
    let key = |v: &str| -> Vec<u32> { v.split('.').map(|p| p.parse().unwrap_or(0)).collect() };
    assert!(
        pairs.windows(2).all(|w| key(w[0].0) < key(w[1].0)),
        "versions in catalog-versions.txt must increase: a version names one state of data/"
    );
}
