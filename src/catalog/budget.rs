//! How big a YAML document is once read: its text and values with every
//! alias (`*name`) replayed, and its parser events. A 1.7 MB user catalog
//! of 10,000 entries, each `examples: *big`, reads into gigabytes; 16 MiB
//! of `'',` holds five million values, and serde_yaml keeps an event of
//! about 100 bytes for each before it builds anything.
//!
//! serde_yaml 0.9 has no limit for either (its only guards are a nesting
//! depth and a cap on alias jumps relative to the event count, which a
//! wide, flat amplification never reaches), and it loads all of a
//! document's events before the first value is built, so no visitor of
//! its output can stop early enough. The document is therefore first
//! streamed through libyaml, the same parser serde_yaml uses (its Rust
//! port `unsafe-libyaml`, already a dependency of serde_yaml), one event
//! at a time, keeping only the expanded size of each anchored node: the
//! walk stops as soon as a limit is passed, in constant memory, at about
//! 100 MB/s. A document libyaml cannot parse passes here; its error is
//! serde_yaml's to report.
#![warn(clippy::string_slice)]

use std::collections::HashMap;
use std::ffi::CStr;
use std::mem::MaybeUninit;

/// Limits on a document, each counted with its aliases replayed except
/// `events`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Limits {
    /// Bytes of scalar text.
    pub text: usize,
    /// Scalars, sequences and mappings.
    pub values: usize,
    /// Parser events as written (what serde_yaml holds in memory).
    pub events: usize,
}

/// Which limit a document passed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Over {
    Text,
    Values,
    Events,
}

/// A libyaml parser over a borrowed string. Boxed and never moved: libyaml
/// keeps a pointer to the parser inside it (its read handler's data).
struct Parser<'a> {
    parser: Box<MaybeUninit<unsafe_libyaml::yaml_parser_t>>,
    _input: &'a [u8],
}

impl<'a> Parser<'a> {
    fn new(input: &'a [u8]) -> Option<Self> {
        let mut parser = Box::new(MaybeUninit::<unsafe_libyaml::yaml_parser_t>::uninit());
        // SAFETY: `parser` is valid for writes; initialisation zeroes it first.
        // The input outlives the parser (`'a`), and the parser is deleted in
        // `drop` only if initialised (a failed initialise frees what it took).
        unsafe {
            let p: *mut unsafe_libyaml::yaml_parser_t = (*parser).as_mut_ptr();
            if unsafe_libyaml::yaml_parser_initialize(p).fail {
                return None;
            }
            unsafe_libyaml::yaml_parser_set_encoding(p, unsafe_libyaml::YAML_UTF8_ENCODING);
            unsafe_libyaml::yaml_parser_set_input_string(p, input.as_ptr(), input.len() as u64);
        }
        Some(Parser {
            parser,
            _input: input,
        })
    }

    /// The next event, given to `f` while it is alive; `None` on a parse
    /// error.
    fn next<T>(&mut self, f: impl FnOnce(&unsafe_libyaml::yaml_event_t) -> T) -> Option<T> {
        let mut event = MaybeUninit::<unsafe_libyaml::yaml_event_t>::uninit();
        // SAFETY: the parser was initialised in `new`; a successful parse
        // initialises `event`, which is deleted once `f` has read it.
        unsafe {
            let p: *mut unsafe_libyaml::yaml_parser_t = (*self.parser).as_mut_ptr();
            let error = (&*p).error;
            if error != unsafe_libyaml::YAML_NO_ERROR
                || unsafe_libyaml::yaml_parser_parse(p, event.as_mut_ptr()).fail
            {
                return None;
            }
            let out = f(&*event.as_ptr());
            unsafe_libyaml::yaml_event_delete(event.as_mut_ptr());
            Some(out)
        }
    }
}

impl Drop for Parser<'_> {
    fn drop(&mut self) {
        // SAFETY: initialised in `new` (a `Parser` exists only then).
        unsafe { unsafe_libyaml::yaml_parser_delete((*self.parser).as_mut_ptr()) }
    }
}

/// An event, as far as sizes go.
enum Step {
    /// A scalar: its length and anchor.
    Scalar(usize, Option<Vec<u8>>),
    /// A sequence or mapping starts, with its anchor.
    Open(Option<Vec<u8>>),
    Close,
    Alias(Vec<u8>),
    End,
    Other,
}

/// A NUL-terminated anchor name owned by the event being read.
///
/// # Safety
/// `p` is null or points to a NUL-terminated string that outlives the call.
unsafe fn anchor(p: *const u8) -> Option<Vec<u8>> {
    // SAFETY: as the caller promises.
    (!p.is_null()).then(|| unsafe { CStr::from_ptr(p.cast()) }.to_bytes().to_vec())
}

fn step(e: &unsafe_libyaml::yaml_event_t) -> Step {
    // SAFETY: each union field is read only for the event type that has it,
    // and its pointers are the event's own, alive while `e` is.
    unsafe {
        match e.type_ {
            unsafe_libyaml::YAML_SCALAR_EVENT => {
                Step::Scalar(e.data.scalar.length as usize, anchor(e.data.scalar.anchor))
            }
            unsafe_libyaml::YAML_SEQUENCE_START_EVENT => {
                Step::Open(anchor(e.data.sequence_start.anchor))
            }
            unsafe_libyaml::YAML_MAPPING_START_EVENT => {
                Step::Open(anchor(e.data.mapping_start.anchor))
            }
            unsafe_libyaml::YAML_SEQUENCE_END_EVENT | unsafe_libyaml::YAML_MAPPING_END_EVENT => {
                Step::Close
            }
            unsafe_libyaml::YAML_ALIAS_EVENT => {
                Step::Alias(anchor(e.data.alias.anchor).unwrap_or_default())
            }
            unsafe_libyaml::YAML_STREAM_END_EVENT => Step::End,
            _ => Step::Other,
        }
    }
}

/// Text and values, with aliases replayed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Size {
    text: usize,
    values: usize,
}

impl Size {
    fn add(&mut self, o: Size) {
        self.text = self.text.saturating_add(o.text);
        self.values = self.values.saturating_add(o.values);
    }

    fn minus(self, o: Size) -> Size {
        Size {
            text: self.text - o.text,
            values: self.values - o.values,
        }
    }
}

/// Checks `text` against `limits` without building anything.
pub(crate) fn check(text: &str, limits: Limits) -> Result<(), Over> {
    let Some(mut parser) = Parser::new(text.as_bytes()) else {
        return Ok(());
    };
    let mut total = Size::default();
    // The size of each anchored node, by name (a later anchor of the same
    // name replaces it, as in YAML).
    let mut anchored: HashMap<Vec<u8>, Size> = HashMap::new();
    // Open collections: the total when each began, and its anchor.
    let mut open: Vec<(Size, Option<Vec<u8>>)> = Vec::new();
    let mut events = 0usize;
    loop {
        let Some(step) = parser.next(step) else {
            return Ok(());
        };
        events += 1;
        match step {
            Step::Scalar(len, name) => {
                let own = Size {
                    text: len,
                    values: 1,
                };
                total.add(own);
                if let Some(name) = name {
                    anchored.insert(name, own);
                }
            }
            Step::Open(name) => {
                total.add(Size { text: 0, values: 1 });
                let before = Size {
                    text: total.text,
                    values: total.values - 1,
                };
                open.push((before, name));
            }
            Step::Close => {
                if let Some((before, Some(name))) = open.pop() {
                    anchored.insert(name, total.minus(before));
                }
            }
            Step::Alias(name) => {
                if let Some(size) = anchored.get(&name) {
                    total.add(*size);
                }
            }
            Step::End => return Ok(()),
            Step::Other => {}
        }
        if total.text > limits.text {
            return Err(Over::Text);
        }
        if total.values > limits.values {
            return Err(Over::Values);
        }
        if events > limits.events {
            return Err(Over::Events);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const WIDE: Limits = Limits {
        text: usize::MAX,
        values: usize::MAX,
        events: usize::MAX,
    };

    /// `big` of 100 items of 8 bytes, then `uses` naming it `n` times.
    fn amplified(n: usize) -> String {
        let mut yaml = String::from("big: &big [");
        for i in 0..100 {
            yaml.push_str(&format!("'item {i:03}',"));
        }
        yaml.push_str("]\nuses:\n");
        for _ in 0..n {
            yaml.push_str("  - *big\n");
        }
        yaml
    }

    #[test]
    fn aliases_count_as_expanded() {
        let yaml = amplified(100);
        // 101 copies of the list: 800 bytes and 101 values each.
        let text = 101 * 800;
        let values = 101 * 101 + 5;
        let at = |text, values| Limits {
            text,
            values,
            events: usize::MAX,
        };
        assert_eq!(check(&yaml, at(text + 20, values)), Ok(()));
        assert_eq!(check(&yaml, at(text - 1, usize::MAX)), Err(Over::Text));
        assert_eq!(check(&yaml, at(usize::MAX, values - 6)), Err(Over::Values));
        // Events are counted as written: about 100 for the list and one
        // per alias.
        let events = Limits {
            events: 220,
            ..WIDE
        };
        assert_eq!(check(&yaml, events), Ok(()));
        assert_eq!(check(&amplified(200), events), Err(Over::Events));
    }

    #[test]
    fn nested_anchors_multiply() {
        let yaml = "a: &a ['xxxxxxxx','xxxxxxxx']\nb: &b [*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b]\nd: [*c,*c,*c,*c]\n";
        // a, b, c and d hold 2, 8, 32 and 128 strings of 8 bytes; the
        // keys are 4 more.
        let limits = |text| Limits { text, ..WIDE };
        let text = 8 * (2 + 8 + 32 + 128) + 4;
        assert_eq!(check(yaml, limits(text)), Ok(()));
        assert_eq!(check(yaml, limits(text - 1)), Err(Over::Text));
    }

    #[test]
    fn documents_libyaml_cannot_parse_pass() {
        let tight = Limits {
            text: 64,
            values: 8,
            events: 16,
        };
        assert_eq!(check("- id: [unclosed\n", tight), Ok(()));
        assert_eq!(check("a: *nowhere\n", tight), Ok(()));
        assert_eq!(check("", tight), Ok(()));
    }
}
