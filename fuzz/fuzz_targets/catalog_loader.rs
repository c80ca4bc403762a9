//! Any text as a user catalog: parsing and linting must report, never panic.
#![no_main]

use alist_doctor::testing::{lint_texts, parse_catalog};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = parse_catalog(text);
    let _ = lint_texts(&[("fuzz.yaml", text)], false);
});
