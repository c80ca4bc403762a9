//! The diagnosis: every input through the pipeline, one report at the end
//! (and occurrences as they happen, for the streaming formats).

use std::io::{self, IsTerminal, Read, Write};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::catalog::Severity;
use crate::cli::config::{Config, Diagnosis};
use crate::diagnose::{Diagnoser, suggest};
use crate::error::Error;
use crate::matching::Matcher;
use crate::pipeline::{OutputFailed, ReadMode, ScanOptions, ScanStats, scan};
use crate::read::decode::{Encoding, Separator, decode};
use crate::read::input::{self, Source};
use crate::report::{self, InputEncoding, InputError, InputNotes, View, Views};

pub(crate) fn run(cfg: &Config, run: &Diagnosis, out: &mut dyn Write) -> Result<u8, Error> {
    let catalog = super::load_catalog(&cfg.catalog)?;
    let matcher = Matcher::new(catalog);
    let mut d = Diagnoser::new(&matcher);

    // Ctrl-C ends reading; what was found is still reported (exit 130).
    let stop = Arc::new(AtomicBool::new(false));
    {
        let stop = Arc::clone(&stop);
        let _ = ctrlc::set_handler(move || stop.store(true, Ordering::Relaxed));
    }

    let names: Vec<String> = run.sources.iter().map(Source::name).collect();
    // A pasted text that names its server and release (an issue's version
    // line) says so before anything is reported.
    let running = run.sources.iter().enumerate().find_map(|(i, s)| match s {
        Source::Text { text, .. } => crate::parse::version::detect(text).map(|r| (r, i)),
        _ => None,
    });
    let view_opts = report::ViewOptions {
        running,
        ..cfg.view
    };
    let views = Views {
        catalog: matcher.catalog(),
        names: &names,
        opts: &view_opts,
    };
    let streams = matches!(run.shape.format, report::Format::Ndjson) || run.shape.live;
    let progress = io::stderr().is_terminal() && !streams;
    let mut report = report::for_shape(run.shape, views, out);
    let mut notes = InputNotes::default();
    let mut scanned = ScanStats::default();

    // A followed file that is replaced is read again from its start, as
    // a new generation of the same input (its lines count from 1).
    let replaced = Arc::new(AtomicBool::new(false));
    let mut generation = 0;
    // The followed file's path holds something unreadable (said once).
    let mut unreadable = false;
    let mut inputs = run.sources.iter().enumerate();
    let mut current = inputs.next();
    while let Some((i, src)) = current {
        if stop.load(Ordering::Relaxed) {
            break;
        }
        let live = matches!(src, Source::Follow(_))
            || (*src == Source::Stdin && run.shape.format == report::Format::Ndjson);
        let opened = open(src, progress, &stop, &replaced, generation)
            .and_then(|o| Ok((decode(o.reader, live)?, o.bar, o.shared_read)));
        let (decoded, bar, shared_read) = match opened {
            Ok(o) => {
                unreadable = false;
                o
            }
            // A followed file was replaced by something that cannot be
            // read (a directory, a file without permission): wait for a
            // file there again, as `tail -F` does, until Ctrl-C.
            Err(e)
                if generation > 0
                    && matches!(src, Source::Follow(_))
                    && !stop.load(Ordering::Relaxed) =>
            {
                if !std::mem::replace(&mut unreadable, true) {
                    eprintln!(
                        "alist-doctor: {}: {}; waiting for a file there again (Ctrl-C ends)",
                        report::neutral::neutralise(&src.name()),
                        input::io_reason(&e)
                    );
                }
                std::thread::sleep(REOPEN_WAIT);
                continue;
            }
            Err(e) => {
                input_error(&mut notes.errors, src, &e);
                current = inputs.next();
                continue;
            }
        };
        if decoded.encoding != Encoding::Utf8 || decoded.separator != Separator::Lf {
            notes.encoding.push(InputEncoding {
                input: src.name(),
                encoding: decoded.encoding,
                line_ends: match decoded.separator {
                    Separator::Lf => None,
                    Separator::Cr => Some("CR"),
                    Separator::Nul => Some("NUL"),
                },
            });
        }
        let mode = match src {
            Source::Text { .. } => ReadMode::Paste,
            _ if live => ReadMode::Live,
            _ => ReadMode::Log {
                threads: run.threads,
                shared_read,
                stdin: *src == Source::Stdin,
            },
        };
        let opts = ScanOptions {
            mode,
            window: &run.window,
            stop: &stop,
        };
        let result = scan(&mut d, decoded.reader, i, &opts, report.as_mut());
        if let Some(bar) = bar {
            bar.finish_and_clear();
        }
        scanned += result.stats;
        // Text given as an argument was typed or pasted: a short one
        // (`EOF`) is text whatever it holds.
        if result.stats.lines > 0
            && !decoded.text_seen.load(Ordering::Relaxed)
            && !matches!(src, Source::Text { .. })
        {
            let e = io::Error::other("nothing in it could be read as text (binary data?)");
            input_error(&mut notes.errors, src, &e);
        }
        if let Err(e) = result.result {
            // A report that cannot be written ends the run; a read error
            // ends this input only.
            match OutputFailed::take(e) {
                Ok(output) => return Err(Error::Output(output)),
                Err(read) => input_error(&mut notes.errors, src, &read),
            }
        }
        if replaced.swap(false, Ordering::Relaxed) {
            generation += 1;
        } else {
            generation = 0;
            current = inputs.next();
        }
    }

    // Pasted text that no specific entry explains: the entries it most
    // resembles, led by generic ones another program's line in it has.
    for (i, src) in run.sources.iter().enumerate() {
        if !matches!(src, Source::Text { .. }) {
            continue;
        }
        let outcome = d.pastes.get(&i).cloned().unwrap_or_default();
        if outcome.specific || outcome.troubled.is_empty() {
            continue;
        }
        let text = &outcome.troubled;
        let cat = matcher.catalog();
        let mut list: Vec<suggest::Suggestion> = Vec::new();
        for &e in &outcome.set_aside {
            let id = cat.entries[e].id.to_string();
            if !list.iter().any(|s| s.id == id) {
                list.push(suggest::Suggestion {
                    id,
                    score: 0.0,
                    words: vec!["(wording other programs print too)".into()],
                });
            }
        }
        list.extend(cat.suggestions().suggest(text, &outcome.found));
        list.truncate(suggest::MAX_SUGGESTIONS);
        if !list.is_empty() {
            notes.suggestions.push((i, list));
        }
    }
    let view = views.build(&d, scanned, &notes);
    if let Some(word) = mistyped_command(&run.sources, &view) {
        return Err(Error::Usage(word));
    }
    report.finish(&view)?;
    if stop.load(Ordering::Relaxed) {
        return Ok(130);
    }
    Ok(exit_code(&view, run.fail_on))
}

/// How often a followed path that holds no readable file is looked at.
const REOPEN_WAIT: std::time::Duration = std::time::Duration::from_millis(100);

/// An input opened for reading.
struct Opened {
    reader: Box<dyn Read + Send>,
    /// A progress bar on stderr (large files on a terminal).
    bar: Option<indicatif::ProgressBar>,
    /// Its reads end promptly once reading stops (a regular file; standard
    /// input on Unix, see `input::StdinReader`): workers may read it.
    shared_read: bool,
}

/// Opens an input, with a progress bar on stderr for large files when
/// asked; a followed file's `generation` counts its replacements.
fn open(
    src: &Source,
    progress: bool,
    stop: &Arc<AtomicBool>,
    replaced: &Arc<AtomicBool>,
    generation: u32,
) -> io::Result<Opened> {
    let path = match src {
        Source::File(path) => path,
        Source::Follow(path) => {
            let r = input::FollowReader::open(
                path,
                Arc::clone(stop),
                Arc::clone(replaced),
                generation > 0,
            )?;
            return Ok(Opened {
                reader: Box::new(r),
                bar: None,
                shared_read: false,
            });
        }
        _ => {
            let shared_read = *src == Source::Stdin && input::STDIN_STOPS_PROMPTLY;
            return Ok(Opened {
                reader: src.open(stop)?,
                bar: None,
                shared_read,
            });
        }
    };
    let file = input::open_file(path, stop)?;
    let meta = file.metadata().ok();
    let regular = meta.as_ref().is_some_and(std::fs::Metadata::is_file);
    let len = meta.map_or(0, |m| m.len());
    // Small or non-regular files are over before a bar would help.
    if !regular {
        // A FIFO whose writer falls quiet must not outlast a Ctrl-C.
        return Ok(Opened {
            reader: input::maybe_gunzip(Box::new(input::StoppableReader::new(file, stop)))?,
            bar: None,
            shared_read: false,
        });
    }
    if !progress || len < 8 << 20 {
        return Ok(Opened {
            reader: input::maybe_gunzip(Box::new(file))?,
            bar: None,
            shared_read: true,
        });
    }
    let bar = progress_bar(len);
    let wrapped = bar.wrap_read(file);
    Ok(Opened {
        reader: input::maybe_gunzip(Box::new(wrapped))?,
        bar: Some(bar),
        shared_read: true,
    })
}

/// Says on stderr, in one line, that `src` could not be read, and keeps it
/// for the summary (and exit code 2).
fn input_error(errors: &mut Vec<InputError>, src: &Source, e: &io::Error) {
    let reason = input::io_reason(e);
    eprintln!(
        "alist-doctor: {}: {reason}",
        report::neutral::neutralise(&src.name())
    );
    errors.push(InputError {
        input: src.name(),
        reason,
    });
}

/// A progress bar over `len` bytes, drawn on stderr.
fn progress_bar(len: u64) -> indicatif::ProgressBar {
    let bar = indicatif::ProgressBar::new(len);
    bar.set_draw_target(indicatif::ProgressDrawTarget::stderr());
    if let Ok(style) = indicatif::ProgressStyle::with_template(
        "{bar:40} {bytes}/{total_bytes} {bytes_per_sec} eta {eta}",
    ) {
        bar.set_style(style);
    }
    bar
}

fn exit_code(view: &View, fail_on: Option<Severity>) -> u8 {
    if !view.summary.errors.is_empty() {
        2
    } else if fail_on.is_some_and(|min| view.findings.iter().any(|f| f.severity >= min)) {
        1
    } else {
        0
    }
}

/// Subcommand names worth a "did you mean": four letters or more, so that
/// words like `map` or `line` stay pastes.
const COMMANDS: [&str; 6] = [
    "check",
    "explain",
    "list",
    "lint",
    "patterns",
    "completions",
];

/// `alist-doctor lsit`: a first argument that is one word within one edit
/// (a transposition counts as one) of a subcommand, when the catalog knows
/// nothing in the input, is a mistyped command, not a message.
fn mistyped_command(sources: &[Source], view: &View) -> Option<String> {
    let Some(Source::Text { index: 1, text }) = sources.first() else {
        return None;
    };
    let word = text.trim();
    if !view.findings.is_empty()
        || !view.unknown.is_empty()
        || word.is_empty()
        || !word.bytes().all(|b| b.is_ascii_alphabetic())
    {
        return None;
    }
    let lower = word.to_ascii_lowercase();
    // The command itself, after an option of the diagnosis (`--file x
    // list`): it must come first.
    if COMMANDS.contains(&lower.as_str()) {
        return Some(format!(
            "`{lower}` is a command: give it first, without the diagnosis's options (`alist-doctor {lower} …`)"
        ));
    }
    let close = COMMANDS
        .iter()
        .find(|c| lower != **c && crate::catalog::similarity::osa_distance(&lower, c) <= 1)?;
    Some(format!(
        "'{word}' is not a command: did you mean `{close}`? \
         (to diagnose a message, paste the whole error text)"
    ))
}
