//! Any bytes through the whole log pipeline: line reader, envelopes,
//! events, matching, redaction of what would be shown.
#![no_main]

use alist_doctor::testing::diagnose_bytes;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    for paste in [false, true] {
        let _ = diagnose_bytes(data, paste);
    }
});
