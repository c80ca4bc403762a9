//! `--format json`: the whole view as one JSON document (schema in README.md).

use std::io::{self, Write};

use super::View;

pub fn render(w: &mut dyn Write, v: &View) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *w, v).map_err(io::Error::other)?;
    writeln!(w)
}
