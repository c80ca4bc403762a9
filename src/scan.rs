//! Drives one input through the pipeline: lines → envelopes → events →
//! diagnosis, reporting each outcome as it happens (for streaming formats).

use std::io::{self, Read};

use crate::diagnose::{Diagnoser, Outcome};
use crate::envelope::parse_line;
use crate::event::{Event, EventBuilder};
use crate::input::LineReader;

/// Reads `r` to the end. `on_event` sees every outcome as soon as its event
/// is complete. An I/O error stops this input; what was read still counts.
pub fn scan(
    d: &mut Diagnoser<'_>,
    r: impl Read,
    source: usize,
    paste: bool,
    on_event: &mut dyn FnMut(&Diagnoser<'_>, Outcome) -> io::Result<()>,
) -> io::Result<()> {
    let mut reader = LineReader::new(r);
    let mut builder = EventBuilder::new(paste);
    let mut n: u64 = 0;
    let mut handle = |d: &mut Diagnoser<'_>, ev: Event| -> io::Result<()> {
        let outcome = d.observe(&ev, source, paste);
        on_event(d, outcome)
    };
    let result = loop {
        match reader.next_line() {
            Ok(Some(bytes)) => {
                n += 1;
                let text = String::from_utf8_lossy(bytes);
                if let Some(ev) = builder.push(n, parse_line(&text)) {
                    handle(d, ev)?;
                }
            }
            Ok(None) => break Ok(()),
            Err(e) => break Err(e),
        }
    };
    if let Some(ev) = builder.finish() {
        handle(d, ev)?;
    }
    d.stats.lines += n;
    d.stats.cut_lines += reader.cut_lines;
    result
}

/// Diagnoses a pasted text on its own (catalog examples, tests).
pub fn diagnose_text(d: &mut Diagnoser<'_>, text: &str) {
    // Reading from memory cannot fail.
    let _ = scan(d, text.as_bytes(), 0, true, &mut |_, _| Ok(()));
}
