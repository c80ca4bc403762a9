//! The ways a run fails, each with its exit code. I/O errors travel as
//! `io::Error` up to here; only `main` turns them into words.

use std::fmt;
use std::io;

use crate::catalog::CatalogIssue;

/// A failure that ends the run.
#[derive(Debug)]
pub(crate) enum Error {
    /// The command line asks for something impossible (exit 2).
    Usage(String),
    /// A catalog file was refused (exit 2).
    Catalog(CatalogIssue),
    /// A file the command itself writes or reads (a lint input, a man page
    /// directory) failed (exit 2).
    File { path: String, error: io::Error },
    /// Writing the report failed: a closed pipe ends the run quietly
    /// (exit 0, as `head` expects), anything else is exit 2.
    Output(io::Error),
}

impl Error {
    /// The process exit code for this failure.
    pub(crate) fn code(&self) -> u8 {
        match self {
            Error::Output(e) if e.kind() == io::ErrorKind::BrokenPipe => 0,
            _ => 2,
        }
    }

    /// Whether anything should be said (not for a closed pipe).
    pub(crate) fn is_quiet(&self) -> bool {
        matches!(self, Error::Output(e) if e.kind() == io::ErrorKind::BrokenPipe)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Usage(m) => f.write_str(m),
            Error::Catalog(issue) => f.write_str(&issue.located()),
            Error::File { path, error } => {
                write!(f, "{path}: {}", crate::read::input::io_reason(error))
            }
            Error::Output(e) => write!(
                f,
                "cannot write the report: {}",
                crate::read::input::io_reason(e)
            ),
        }
    }
}

impl std::error::Error for Error {}

impl From<io::Error> for Error {
    fn from(e: io::Error) -> Self {
        Error::Output(e)
    }
}

impl From<CatalogIssue> for Error {
    fn from(d: CatalogIssue) -> Self {
        Error::Catalog(d)
    }
}
