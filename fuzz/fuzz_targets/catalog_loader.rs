//! Any text as a user catalog: parsing and linting must report, never panic.
#![no_main]

use alist_doctor::catalog::parse_file;
use alist_doctor::lint::{LintFile, lint};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = parse_file("fuzz.yaml", "fuzz", text);
    let _ = lint(
        &[LintFile {
            origin: "fuzz.yaml".into(),
            area: "fuzz".into(),
            text: text.into(),
        }],
        false,
    );
});
