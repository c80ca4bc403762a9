//! alist-doctor: explains the errors AList and OpenList print, from a catalog
//! of known problems. The binary is a thin wrapper around [`cli::main`].
//!
//! Pipeline: [`input`] reads bytes → [`envelope`] peels each line →
//! [`event`] groups lines into events → [`diagnose`] matches them with
//! [`matcher`] against the [`catalog`] → [`report`] renders the result.
#![deny(clippy::unwrap_used, clippy::expect_used)]
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]
// A catalog `Diagnostic` is built at most once per bad file, never on a hot
// path: its size does not matter.
#![allow(clippy::result_large_err)]

/// The catalog's version, as a literal so that `--version` can be static.
#[macro_export]
#[doc(hidden)]
macro_rules! catalog_version {
    () => {
        "2026.11.28"
    };
}

pub mod catalog;
pub mod cli;
pub mod diagnose;
pub mod envelope;
pub mod event;
pub mod input;
pub mod lint;
pub mod literals;
pub mod matcher;
pub mod normalize;
pub mod placeholder;
pub mod redact;
pub mod report;
pub mod scan;
