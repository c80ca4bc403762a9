//! alist-doctor: explains the errors AList and OpenList print, from a catalog
//! of known problems. The binary is a thin wrapper around [`run`].
//!
//! Pipeline: [`input`] reads bytes → [`envelope`] peels each line →
//! [`event`] groups lines into events → [`diagnose`] matches them with
//! [`matcher`] against the [`catalog`] → [`report`] renders the result.
#![deny(clippy::unwrap_used, clippy::expect_used)]
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]
// A catalog `CatalogIssue` is built at most once per bad file, never on a hot
// path: its size does not matter.
#![allow(clippy::result_large_err)]

/// The catalog's version, as a literal so that `--version` can be static.
#[macro_export]
#[doc(hidden)]
macro_rules! catalog_version {
    () => {
        "2026.12.06.7"
    };
}

/// Compiles one of the tool's own constant regexes, with a small lazy-DFA
/// cache: they run on single lines, and the default cache (2 MiB per regex)
/// would make memory grow with the input's variety.
pub(crate) fn small_regex(pattern: &str) -> Result<regex::Regex, regex::Error> {
    regex::RegexBuilder::new(pattern)
        .dfa_size_limit(256 << 10)
        .build()
}

/// Strings glued from 0..=`max_pieces` random `pieces`, for the tests that
/// compare a hand-written classifier with the regex it replaced.
/// Deterministic (xorshift), so a failure reproduces.
#[cfg(test)]
pub(crate) fn random_texts<'a>(
    seed: u64,
    count: usize,
    max_pieces: usize,
    pieces: &'a [&'a str],
) -> impl Iterator<Item = String> + 'a {
    let mut state = seed | 1;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    (0..count).map(move |_| {
        let n = (next() % (max_pieces as u64 + 1)) as usize;
        (0..n)
            .map(|_| pieces[(next() % pieces.len() as u64) as usize])
            .collect()
    })
}

/// `static NAME: Lazy<Regex>` for a constant pattern.
macro_rules! static_regex {
    ($name:ident, $pat:expr) => {
        static $name: once_cell::sync::Lazy<regex::Regex> = once_cell::sync::Lazy::new(|| {
            // Invariant: constant patterns, each exercised by its module's tests.
            #[allow(clippy::unwrap_used)]
            $crate::small_regex($pat).unwrap()
        });
    };
}
pub(crate) use static_regex;

pub(crate) mod catalog;
pub(crate) mod check;
pub(crate) mod cli;
pub(crate) mod commands;
pub(crate) mod diagnose;
pub(crate) mod error;
pub(crate) mod matching;
pub(crate) mod parse;
pub(crate) mod pipeline;
pub(crate) mod read;
pub(crate) mod report;
#[doc(hidden)]
pub mod testing;

/// Runs the command line of this process; the binary's whole `main`.
pub fn run() -> std::process::ExitCode {
    cli::main()
}
