//! Any bytes through the whole log pipeline: line reader, envelopes,
//! events, matching, redaction of what would be shown.
#![no_main]

use std::borrow::Cow;

use alist_doctor::catalog::Catalog;
use alist_doctor::diagnose::Diagnoser;
use alist_doctor::matcher::Matcher;
use alist_doctor::redact::redact;
use alist_doctor::scan::diagnose_bytes;
use libfuzzer_sys::fuzz_target;
use once_cell::sync::Lazy;

static MATCHER: Lazy<Matcher> = Lazy::new(|| {
    Matcher::new(Cow::Borrowed(
        Catalog::embedded().expect("embedded catalog"),
    ))
});

fuzz_target!(|data: &[u8]| {
    for paste in [false, true] {
        let mut d = Diagnoser::new(&MATCHER);
        diagnose_bytes(&mut d, data, paste);
        for f in &d.findings {
            let _ = redact(&f.matched);
        }
        for u in &d.unknown {
            let _ = redact(&u.sample);
        }
    }
});
