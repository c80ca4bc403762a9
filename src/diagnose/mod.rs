//! Turns events into findings: matches each against the catalog, collapses
//! repeats of the same problem, and groups errors nobody knows yet.
#![warn(clippy::string_slice)]

use crate::matching::memo::{FastMap as HashMap, Memo};

use std::hash::BuildHasher;
use std::sync::Arc;

use crate::catalog::Severity;
use crate::matching::{Caches, Hit, Matcher};

pub(crate) mod suggest;
use crate::parse::envelope::Level;
use crate::parse::event::Event;

/// Caps that keep memory bounded on hostile input (said in the summary).
pub(crate) const MAX_FINDINGS: usize = 10_000;
pub(crate) const MAX_UNKNOWN: usize = 1_000;
/// Distinct capture sets kept per entry; later ones count under the entry
/// without captures.
pub(crate) const MAX_VARIANTS: usize = 16;
const MAX_SAMPLES: usize = 3;
/// Longest sample, matched text or template shown, in bytes (see `sample`).
pub(crate) const MAX_SAMPLE_LEN: usize = 2_000;

/// Where an occurrence is: input index, line, timestamp.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Position {
    pub source: usize,
    pub line: u64,
    pub timestamp: Option<String>,
}

/// A `Position` borrowed from the event it is read from: most occurrences
/// only update a finding's last position, whose timestamp buffer is then
/// reused rather than a new one allocated per event.
#[derive(Clone, Copy)]
struct PositionRef<'a> {
    source: usize,
    line: u64,
    timestamp: &'a Option<String>,
}

impl PositionRef<'_> {
    fn into_position(self) -> Position {
        Position {
            source: self.source,
            line: self.line,
            timestamp: self.timestamp.clone(),
        }
    }

    fn write_to(self, p: &mut Position) {
        p.source = self.source;
        p.line = self.line;
        p.timestamp.clone_from(self.timestamp);
    }
}

/// What the user was doing when it failed, read from the wrap chain.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Context {
    pub action: Option<&'static str>,
    pub mount_path: Option<String>,
    pub driver: Option<String>,
    pub path: Option<String>,
}

#[derive(Debug, Clone)]
pub(crate) struct Finding {
    pub entry: usize,
    pub captures: Vec<(String, String)>,
    pub count: u64,
    pub first: Position,
    pub last: Position,
    /// The first event's headline message (the innermost cause of a dump).
    pub matched: String,
    /// Up to three distinct headline messages.
    pub samples: Vec<String>,
    pub context: Context,
    /// Other entries that also matched the first occurrence.
    pub also: Vec<usize>,
}

#[derive(Debug, Clone)]
pub(crate) struct Unknown {
    pub template: String,
    pub count: u64,
    pub level: Option<Level>,
    /// A service's answer (`parse::body`) no entry knows, rather than an
    /// error line: reported with level `body`.
    pub body: bool,
    pub first: Position,
    pub sample: String,
}

/// What one event turned out to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// Index into `Diagnoser::findings`; `new` on the first occurrence.
    Finding {
        index: usize,
        new: bool,
    },
    Unknown {
        index: usize,
        new: bool,
    },
    Benign,
    /// Another program's line (see `Matched::foreign`).
    Foreign,
    Nothing,
}

/// One finding or unknown error as it happened, owned: what the pipeline
/// hands a streaming report (ndjson, text while following a file).
#[derive(Debug, Clone)]
pub(crate) struct Occurrence {
    pub what: Occurred,
    /// Its first occurrence: a finding or unknown error not seen before.
    pub new: bool,
    pub at: Position,
    /// The event's text as shown.
    pub shown: String,
}

/// The finding or unknown error an occurrence counts under, as it stands.
#[derive(Debug, Clone)]
pub(crate) enum Occurred {
    Finding(Finding),
    Unknown(Unknown),
}

/// What the diagnosis counts itself (the pipeline counts lines and events).
#[derive(Debug, Clone, Default)]
pub(crate) struct Stats {
    pub benign: u64,
    /// Events printed by other programs that only generic entries would
    /// have explained, or that were their own errors.
    pub foreign: u64,
    pub findings_capped: bool,
    pub unknown_capped: bool,
    /// Occurrences of known problems past the findings cap that no
    /// finding could count (still counted in the summary).
    pub findings_uncounted: u64,
    /// Unknown-error occurrences past the template cap: counted, not kept.
    pub unknown_past_cap: u64,
}

/// The diagnosis of a run: findings (known problems, repeats collapsed),
/// unknown errors (grouped by template) and counts. Events arrive in input
/// order, one input after another (`start_input`).
pub(crate) struct Diagnoser<'m> {
    pub matcher: &'m Matcher,
    pub findings: Vec<Finding>,
    pub unknown: Vec<Unknown>,
    pub stats: Stats,
    /// Findings by entry, then captures.
    by_key: HashMap<usize, HashMap<Vec<(String, String)>, usize>>,
    by_template: HashMap<String, usize>,
    /// The text of the last one-line error that became an unknown error,
    /// and which: the same text again is that one again (a flood of one
    /// line need not be looked into each time).
    last_unknown: Option<(String, usize)>,
    /// Samples longer than `MAX_SAMPLE_LEN` kept per finding, by a hash of
    /// their whole text: they are kept redacted and cut, so they cannot be
    /// compared with a new text without redacting it.
    long_samples: HashMap<(usize, u64), ()>,
    /// Matching for `observe`; worker threads have workers of their own.
    worker: MatchWorker<'m>,
    /// Distinct capture sets recorded per entry.
    variants: HashMap<usize, usize>,
    /// The input being read (an index into the run's inputs).
    source: usize,
    /// Whether that input is pasted text: normal-operation messages are
    /// then explained rather than skipped.
    paste: bool,
    /// What each pasted input came to (for suggestions), by input.
    pub pastes: HashMap<usize, PasteOutcome>,
    /// The server and release an input showed (`alist version`, the
    /// settings API), and which input: the first found.
    pub running: Option<(crate::parse::version::Running, usize)>,
    /// Events of the current input looked at for a release.
    version_looks: u32,
}

/// What the entries made of one pasted input.
#[derive(Debug, Clone, Default)]
pub(crate) struct PasteOutcome {
    /// Entries reported for it.
    pub found: Vec<usize>,
    /// Whether one of them is specific (not a fallback).
    pub specific: bool,
    /// Generic entries whose wording another program's line in it has.
    pub set_aside: Vec<usize>,
    /// Its events that say something went wrong (not routine lines), the
    /// text suggestions are ranked on (bounded).
    pub troubled: String,
}

/// Events of a log looked at for the release it names.
const MAX_VERSION_LOOKS: u32 = 1000;

/// How much of a paste's troubled text suggestions look at.
const TROUBLED_TEXT: usize = 8 << 10;

/// Distinct message texts whose hits are remembered (the table is emptied
/// when full, which keeps memory bounded). Per worker; 512 holds the
/// recurring messages of a busy log (1,024 saved 1.7% of the work on a
/// generated log but cost ~1 MiB more over 1 GiB).
const HIT_CACHE: usize = 512;

/// Longest text whose hits are remembered: messages are a few hundred
/// bytes; an event of up to 64 KiB in each entry would let a hostile log
/// make the table tens of MiB.
const REMEMBERED_TEXT: usize = 2048;

/// What `Diagnoser::record` made of one event: its outcome and its text
/// as shown.
#[derive(Debug, Clone)]
pub(crate) struct Recorded {
    pub outcome: Outcome,
    pub shown: String,
}

/// What matching made of one event: its normalised match text, the entries
/// that explain it (the reported one with captures) and its headline as
/// shown, when that differs from the match text (`None`: the same; most
/// events are one line, shown as they are matched).
#[derive(Debug, Clone)]
pub(crate) struct Matched {
    pub text: String,
    pub hits: Arc<Vec<Hit>>,
    pub shown: Option<String>,
    /// Another program printed it (and nothing in it shows AList): the
    /// hits of generic entries were set aside (`set_aside`).
    pub foreign: bool,
    /// Generic entries whose wording it has, not reported for a foreign
    /// line (a paste may still suggest them).
    pub set_aside: Vec<usize>,
}

/// Matches events against the catalog. A log repeats the same messages many
/// times, so results are remembered per message text. Each thread that
/// matches owns one (with the regexes' search caches); sharing one behind a
/// lock saved a little memory and cost a third of the throughput.
pub(crate) struct MatchWorker<'m> {
    matcher: &'m Matcher,
    /// Hits of recent message texts.
    remembered: Memo<String, Arc<Vec<Hit>>>,
    /// The regexes' search state.
    search: Caches,
    /// Reference mode (tests): no cache, captures for every hit.
    reference: bool,
    /// Pasted text: a benign hit is the one reported (see `hits`).
    paste: bool,
}

/// What a worker thread needs to make its own `MatchWorker`.
#[derive(Clone, Copy)]
pub(crate) struct WorkerSpec<'m> {
    matcher: &'m Matcher,
    reference: bool,
}

impl<'m> WorkerSpec<'m> {
    pub(crate) fn build(self) -> MatchWorker<'m> {
        MatchWorker::new(self.matcher, self.reference)
    }
}

impl<'m> MatchWorker<'m> {
    pub(crate) fn matcher(&self) -> &'m Matcher {
        self.matcher
    }

    /// A worker for logs; `reference` for the tests' yardstick.
    pub(crate) fn new(matcher: &'m Matcher, reference: bool) -> Self {
        MatchWorker {
            matcher,
            remembered: Memo::new(HIT_CACHE, REMEMBERED_TEXT),
            search: Caches::new(!reference),
            reference,
            paste: false,
        }
    }

    /// Matches one event (`None` for routine ones: info and debug need no
    /// matching).
    pub(crate) fn match_event(&mut self, ev: &Event) -> Option<Matched> {
        if ev.is_routine() {
            return None;
        }
        let (text, lines) = ev.match_text_and_lines();
        // Another program's line that shows nothing of AList: generic
        // wording does not explain it. (A bare message is the user's own.)
        let foreign = ev.is_foreign()
            && !crate::parse::event::has_alist_evidence(&text)
            && !ev
                .frames
                .iter()
                .any(|f| crate::parse::event::has_alist_evidence(f));
        let (hits, set_aside) = if foreign {
            self.hits_of_foreign(&text)
        } else {
            (self.hits(&text), Vec::new())
        };
        // A one-line event is shown as it is matched: its head, decoded;
        // text of several lines by the lines the match spans, not the prose
        // around them. Texts are cut to length when kept (`sample`),
        // redacted first.
        let top = reported_hit(&hits, &self.matcher.catalog().entries, self.paste);
        let shown = if let (Some(i), true) = (top, lines.len() > 1) {
            Some(lines_of(&text, &lines, hits[i].start, hits[i].end).to_string())
        } else {
            (!ev.is_one_line()).then(|| crate::parse::normalize::normalize(ev.headline()))
        };
        Some(Matched {
            text,
            hits,
            shown,
            foreign,
            set_aside,
        })
    }

    /// The hits of another program's line: generic entries' are set aside
    /// (their wording is not AList's there), the rest ranked as usual. Not
    /// remembered: such lines are few in an AList log.
    fn hits_of_foreign(&mut self, text: &str) -> (Arc<Vec<Hit>>, Vec<usize>) {
        let entries = &self.matcher.catalog().entries;
        let (mut hits, generic): (Vec<Hit>, Vec<Hit>) = self
            .candidates(text)
            .into_iter()
            .partition(|h| !entries[h.entry].generic);
        if let Some(i) = reported_hit(&hits, entries, self.paste) {
            self.matcher
                .fill_captures(&mut self.search, &mut hits[i], text);
        }
        (
            Arc::new(hits),
            generic.into_iter().map(|h| h.entry).collect(),
        )
    }

    fn hits(&mut self, text: &str) -> Arc<Vec<Hit>> {
        let paste = self.paste;
        if self.reference {
            return self.reference_hits(text);
        }
        if let Some(h) = self.remembered.get(text) {
            return Arc::clone(h);
        }
        let mut hits = self.candidates(text);
        let entries = &self.matcher.catalog().entries;
        // The hit that will be reported: a benign one wins when pasted, and
        // in a log a benign hit means no report at all.
        if let Some(i) = reported_hit(&hits, entries, paste) {
            self.matcher
                .fill_captures(&mut self.search, &mut hits[i], text);
        }
        let hits = Arc::new(hits);
        if !paste {
            self.remembered.missed(text, || Arc::clone(&hits));
        }
        hits
    }

    /// The entries whose patterns match `text`, ranked; entries that answer
    /// pasted text only are left out of a log.
    fn candidates(&mut self, text: &str) -> Vec<Hit> {
        let mut hits = self.matcher.hits(&mut self.search, text);
        if !self.paste {
            let entries = &self.matcher.catalog().entries;
            hits.retain(|h| !entries[h.entry].paste_only);
        }
        hits
    }

    /// The straightforward way, kept as the yardstick for the fast path:
    /// every candidate pattern's captures, no cache.
    fn reference_hits(&mut self, text: &str) -> Arc<Vec<Hit>> {
        let mut hits = self.candidates(text);
        for h in &mut hits {
            self.matcher.fill_captures(&mut self.search, h, text);
        }
        Arc::new(hits)
    }
}

/// Which of an event's hits is reported: a benign hit wins when the text
/// is pasted (it is explained); in a log a benign hit means no report at all.
fn reported_hit(hits: &[Hit], entries: &[crate::catalog::Entry], paste: bool) -> Option<usize> {
    match hits.iter().position(|h| entries[h.entry].benign) {
        Some(i) if paste => Some(i),
        Some(_) => None,
        None => (!hits.is_empty()).then_some(0),
    }
}

impl<'m> Diagnoser<'m> {
    pub(crate) fn new(matcher: &'m Matcher) -> Self {
        Diagnoser {
            matcher,
            findings: Vec::new(),
            unknown: Vec::new(),
            stats: Stats::default(),
            by_key: HashMap::default(),
            by_template: HashMap::default(),
            last_unknown: None,
            long_samples: HashMap::default(),
            worker: MatchWorker::new(matcher, false),
            variants: HashMap::default(),
            source: 0,
            paste: false,
            pastes: HashMap::default(),
            running: None,
            version_looks: 0,
        }
    }

    /// A diagnoser on the reference path (tests): no cache, captures for
    /// every hit.
    pub(crate) fn reference(matcher: &'m Matcher) -> Self {
        Diagnoser {
            worker: MatchWorker::new(matcher, true),
            ..Diagnoser::new(matcher)
        }
    }

    /// The events that follow come from input `source`, pasted or not.
    pub(crate) fn start_input(&mut self, source: usize, paste: bool) {
        self.source = source;
        self.paste = paste;
        self.version_looks = 0;
        self.worker.paste = paste;
    }

    /// How to make matching workers like this one's, on other threads.
    pub(crate) fn worker_spec(&self) -> WorkerSpec<'m> {
        WorkerSpec {
            matcher: self.matcher,
            reference: self.worker.reference,
        }
    }

    /// Matches one event on this thread (`record` then adds it up).
    pub(crate) fn match_event(&mut self, ev: &Event) -> Option<Matched> {
        self.worker.match_event(ev)
    }

    /// Matches and records one event.
    pub(crate) fn observe(&mut self, ev: &Event) -> Recorded {
        let matched = self.worker.match_event(ev);
        self.record(ev, matched)
    }

    /// Records an event matched by `match_event` here or by a worker's
    /// `MatchWorker::match_event`. Events must arrive in input order:
    /// counts, first/last positions and caps depend on it.
    pub(crate) fn record(&mut self, ev: &Event, matched: Option<Matched>) -> Recorded {
        let nothing = |outcome| Recorded {
            outcome,
            shown: String::new(),
        };
        let Some(Matched {
            text,
            hits,
            shown,
            foreign,
            set_aside,
        }) = matched
        else {
            return nothing(Outcome::Nothing);
        };
        // A log that names its release does so near its start (a pasted
        // text is looked at whole before reading).
        // (A text too short to name one is no look: a flood of tiny lines
        // is not read at all, see parse::tiny.)
        if self.running.is_none()
            && !self.paste
            && self.version_looks < MAX_VERSION_LOOKS
            && text.len() > crate::parse::tiny::MAX_TINY
        {
            self.version_looks += 1;
            self.running = crate::parse::version::detect(&text).map(|r| (r, self.source));
        }
        let entries = &self.matcher.catalog().entries;
        let top = reported_hit(&hits, entries, self.paste);
        if self.paste {
            let p = self.pastes.entry(self.source).or_default();
            if let Some(i) = top {
                let e = hits[i].entry;
                p.found.push(e);
                p.specific |= !entries[e].fallback;
            }
            p.set_aside.extend(set_aside.iter().copied());
            if p.troubled.len() < TROUBLED_TEXT && suggest::has_error_signal(&text) {
                p.troubled.push_str(&text);
                p.troubled.push('\n');
            }
        }
        // Another program's line that only generic wording explains, or
        // an error of its own: counted, neither a finding nor AList's
        // unknown error.
        if foreign && top.is_none() && (!set_aside.is_empty() || ev.is_error()) {
            self.stats.foreign += 1;
            return nothing(Outcome::Foreign);
        }
        if top.is_none() && hits.iter().any(|h| entries[h.entry].benign) {
            self.stats.benign += 1;
            return nothing(Outcome::Benign);
        }
        let pos = PositionRef {
            source: self.source,
            line: ev.line,
            timestamp: &ev.timestamp,
        };
        // A service's answer that only a fallback, or nothing, explains:
        // its code and message are the reason, and what to report. In a
        // log only error lines are looked into (warnings are often retries).
        let weak = top.is_none_or(|i| entries[hits[i].entry].fallback);
        if top.is_none()
            && !self.paste
            && ev.is_error()
            && ev.is_one_line()
            && let Some((last, index)) = &self.last_unknown
            && *last == text
        {
            let index = *index;
            self.unknown[index].count += 1;
            return Recorded {
                outcome: Outcome::Unknown { index, new: false },
                shown: shown.unwrap_or(text),
            };
        }
        let body = if weak && (self.paste || ev.is_error()) {
            crate::parse::body::find(&text)
        } else {
            None
        };
        // "Collect this" gives way to what the text does hold: a service's
        // answer, or an error line to report as an unknown error.
        let top = top
            .filter(|&i| !(entries[hits[i].entry].paste_only && (body.is_some() || ev.is_error())));
        // The answer in the words entries are written against may have a
        // specific entry of its own (an S3 `<Code>NoSuchBucket</Code>`).
        if let Some(b) = &body {
            let canonical = b.canonical();
            let alt = self.worker.hits(&canonical);
            if let Some(i) = reported_hit(&alt, entries, self.paste)
                && !entries[alt[i].entry].fallback
            {
                if let Some(p) = self.pastes.get_mut(&self.source) {
                    p.found.push(alt[i].entry);
                    p.specific = true;
                }
                let shown = text.replace('\n', " ");
                let outcome = self.record_finding(&alt, i, &canonical, &shown, pos);
                return Recorded { outcome, shown };
            }
        }
        if let (Some(b), Some(_)) = (&body, top) {
            self.record_body(b, &text, pos.into_position());
        }
        let outcome = match (top, body) {
            (Some(i), _) => {
                self.record_finding(&hits, i, &text, shown.as_deref().unwrap_or(&text), pos)
            }
            (None, Some(b)) => self.record_body(&b, &text, pos.into_position()),
            (None, None) if ev.is_error() => {
                let outcome = self.record_unknown(ev, pos.into_position());
                if let Outcome::Unknown { index, .. } = outcome
                    && !self.paste
                    && ev.is_one_line()
                {
                    self.last_unknown = Some((text.clone(), index));
                }
                outcome
            }
            (None, None) => Outcome::Nothing,
        };
        Recorded {
            outcome,
            shown: shown.unwrap_or(text),
        }
    }

    /// An owned copy of what `r` recorded, for a streaming report.
    pub(crate) fn occurrence(&self, ev: &Event, r: Recorded) -> Option<Occurrence> {
        let (what, new) = match r.outcome {
            Outcome::Finding { index, new } => {
                (Occurred::Finding(self.findings[index].clone()), new)
            }
            Outcome::Unknown { index, new } => {
                (Occurred::Unknown(self.unknown[index].clone()), new)
            }
            Outcome::Benign | Outcome::Foreign | Outcome::Nothing => return None,
        };
        Some(Occurrence {
            what,
            new,
            at: Position {
                source: self.source,
                line: ev.line,
                timestamp: ev.timestamp.clone(),
            },
            shown: r.shown,
        })
    }

    /// Whether an occurrence is counted without its captures: once an entry
    /// has `MAX_VARIANTS` distinct captures (a file id or a client port in
    /// every message), new ones fold into the entry alone, so memory stays
    /// flat.
    fn folds(&mut self, entry: usize, captures: &[(String, String)]) -> bool {
        let fold = !captures.is_empty()
            && !self
                .by_key
                .get(&entry)
                .is_some_and(|m| m.contains_key(captures))
            && self.variants.get(&entry).copied().unwrap_or(0) >= MAX_VARIANTS;
        if fold {
            self.stats.findings_capped = true;
        }
        fold
    }

    fn record_finding(
        &mut self,
        hits: &[Hit],
        top: usize,
        text: &str,
        shown: &str,
        pos: PositionRef<'_>,
    ) -> Outcome {
        let hit = &hits[top];
        let captures: &[(String, String)] = if self.folds(hit.entry, &hit.captures) {
            &[]
        } else {
            &hit.captures
        };
        if let Some(&i) = self.by_key.get(&hit.entry).and_then(|m| m.get(captures)) {
            let f = &mut self.findings[i];
            f.count += 1;
            pos.write_to(&mut f.last);
            if f.samples.len() < MAX_SAMPLES {
                let new = if shown.len() <= MAX_SAMPLE_LEN {
                    !f.samples.iter().any(|s| s == shown)
                } else {
                    let key = (i, self.by_key.hasher().hash_one(shown));
                    self.long_samples.insert(key, ()).is_none()
                };
                if new {
                    f.samples.push(sample(shown));
                }
            }
            return Outcome::Finding {
                index: i,
                new: false,
            };
        }
        if self.findings.len() >= MAX_FINDINGS {
            // Keep counting under the first finding of the same entry.
            self.stats.findings_capped = true;
            if let Some(i) = self.findings.iter().position(|f| f.entry == hit.entry) {
                self.findings[i].count += 1;
                return Outcome::Finding {
                    index: i,
                    new: false,
                };
            }
            self.stats.findings_uncounted += 1;
            return Outcome::Nothing;
        }
        let entries = &self.matcher.catalog().entries;
        let also = hits
            .iter()
            .enumerate()
            // "Collect this" is no alternative to a real answer.
            .filter(|(i, h)| *i != top && !entries[h.entry].benign && !entries[h.entry].paste_only)
            .map(|(_, h)| h.entry)
            .take(5)
            .collect();
        let index = self.findings.len();
        *self.variants.entry(hit.entry).or_insert(0) += 1;
        if shown.len() > MAX_SAMPLE_LEN {
            let key = (index, self.by_key.hasher().hash_one(shown));
            self.long_samples.insert(key, ());
        }
        let shown = sample(shown);
        self.findings.push(Finding {
            entry: hit.entry,
            captures: captures.to_vec(),
            count: 1,
            first: pos.into_position(),
            last: pos.into_position(),
            matched: shown.clone(),
            samples: vec![shown],
            context: context_of(text),
            also,
        });
        self.by_key
            .entry(hit.entry)
            .or_default()
            .insert(captures.to_vec(), index);
        Outcome::Finding { index, new: true }
    }

    fn record_unknown(&mut self, ev: &Event, pos: Position) -> Outcome {
        let shown = crate::parse::normalize::normalize(ev.headline());
        // Grouped by the template of the text as it came, which is never
        // shown: the template shown is built from the redacted text, once
        // per new template (views merge the ones that then read alike).
        self.count_unknown(template_of(&shown), || Unknown {
            template: template_of(&crate::report::redact::redact(&shown)),
            count: 1,
            level: ev.level.or(Some(Level::Panic)),
            body: false,
            first: pos,
            sample: sample(&shown),
        })
    }

    /// One more occurrence of the unknown error grouped under `key`, or a
    /// new one (`new`, built only then) while the table has room.
    fn count_unknown(&mut self, key: String, new: impl FnOnce() -> Unknown) -> Outcome {
        if let Some(&i) = self.by_template.get(&key) {
            self.unknown[i].count += 1;
            return Outcome::Unknown {
                index: i,
                new: false,
            };
        }
        if self.unknown.len() >= MAX_UNKNOWN {
            self.stats.unknown_capped = true;
            self.stats.unknown_past_cap += 1;
            return Outcome::Nothing;
        }
        let index = self.unknown.len();
        self.unknown.push(new());
        self.by_template.insert(key, index);
        Outcome::Unknown { index, new: true }
    }

    /// A service's answer no entry knows, listed by its kind, code and
    /// message (numbers in the message masked; the code is kept whole:
    /// it is what tells one answer from another).
    fn record_body(&mut self, b: &crate::parse::body::Body, text: &str, pos: Position) -> Outcome {
        let template = |redact: bool| {
            crate::parse::body::Body {
                message: b.message.as_deref().map(|m| {
                    if redact {
                        template_of(&crate::report::redact::redact(m))
                    } else {
                        template_of(m)
                    }
                }),
                code: b.code.as_deref().map(|c| {
                    if redact {
                        crate::report::redact::redact(c).into_owned()
                    } else {
                        c.to_string()
                    }
                }),
                ..b.clone()
            }
            .describe()
        };
        // Grouped like other unknown errors: by the text as it came; the
        // template shown is built from the redacted text.
        self.count_unknown(template(false), || Unknown {
            template: template(true),
            count: 1,
            level: None,
            body: true,
            first: pos,
            sample: sample(&text.replace('\n', " ")),
        })
    }

    pub(crate) fn severity(&self, f: &Finding) -> Severity {
        self.matcher.catalog().entries[f.entry].severity
    }

    /// Findings in report order: severity, then count, then first seen.
    pub(crate) fn sorted_findings(&self) -> Vec<&Finding> {
        let entries = &self.matcher.catalog().entries;
        // In a paste the specific answer comes first, whatever line of it
        // matched: a fallback wrapper or wording other programs share is
        // the weaker reading even when its severity is higher.
        let weak = |f: &Finding| {
            let e = &entries[f.entry];
            self.pastes.contains_key(&f.first.source) && (e.fallback || e.generic)
        };
        let mut v: Vec<&Finding> = self.findings.iter().collect();
        v.sort_by(|a, b| {
            weak(a)
                .cmp(&weak(b))
                .then(self.severity(b).cmp(&self.severity(a)))
                .then(b.count.cmp(&a.count))
                .then((a.first.source, a.first.line).cmp(&(b.first.source, b.first.line)))
        });
        v
    }

    pub(crate) fn sorted_unknown(&self) -> Vec<&Unknown> {
        let mut v: Vec<&Unknown> = self.unknown.iter().collect();
        v.sort_by(|a, b| {
            b.count
                .cmp(&a.count)
                .then((a.first.source, a.first.line).cmp(&(b.first.source, b.first.line)))
        });
        v
    }
}

/// The lines of `text` (beginning at `starts`) that bytes `start..end`
/// touch, without the separator that follows the last.
fn lines_of<'t>(text: &'t str, starts: &[usize], start: usize, end: usize) -> &'t str {
    let first = starts.partition_point(|&s| s <= start).saturating_sub(1);
    let last = starts
        .partition_point(|&s| s < end.max(start + 1))
        .saturating_sub(1);
    let from = starts[first];
    let to = starts.get(last + 1).map_or(text.len(), |&next| next - 1);
    // boundary: line starts follow a one-byte separator (` ` or `\n`).
    #[allow(clippy::string_slice)]
    text.get(from..to.max(from)).unwrap_or(text)
}

fn clip(s: &str) -> String {
    crate::parse::normalize::clip_bytes(&crate::parse::normalize::tidy(s), MAX_SAMPLE_LEN)
}

/// A text as kept to be shown: cut to `MAX_SAMPLE_LEN`, redacted before
/// the cut when it is cut, so that no secret is left half masked.
fn sample(s: &str) -> String {
    crate::report::redact::clip(s, MAX_SAMPLE_LEN).into_owned()
}

use crate::static_regex as re;

re!(
    STORAGE_DRIVER,
    r"(?i)storages?:? \[(?P<mount>[^\]]*)\],? driver:? \[(?P<driver>[^\]]*)\]"
);
re!(
    LIST_PATH,
    r"(?i)\bfailed (?:list|get|link|put|make dir|move|copy|rename|remove) (?P<path>/[^\s:]*):"
);

/// (needle, what the user was doing), most specific first.
pub(crate) const ACTIONS: &[(&str, &str)] = &[
    (
        "failed get enabled storages",
        "loading storages at start-up",
    ),
    (
        "failed init storage but storage is already created",
        "adding a storage",
    ),
    ("failed create storage", "saving a storage"),
    ("failed update storage", "saving a storage"),
    ("failed load storage", "loading a storage"),
    ("failed init storage", "loading a storage"),
    ("failed to start", "starting the server"),
    ("listen tcp", "starting the server"),
    ("failed to connect database", "starting the server"),
    ("failed get objs", "listing a folder"),
    ("failed to list objs", "listing a folder"),
    ("fs/list:", "listing a folder"),
    ("failed list ", "listing a folder"),
    ("failed link", "getting a download link"),
    ("failed get link", "getting a download link"),
    ("failed put", "uploading"),
    ("failed to make dir", "uploading"),
    ("createtempfile", "uploading"),
    ("upload", "uploading"),
    ("failed create meta", "saving a meta rule"),
    ("failed copy", "copying files"),
    ("failed move", "moving files"),
    ("failed rename", "renaming a file"),
    ("failed remove", "deleting files"),
    ("offline download", "adding an offline download"),
    ("search", "searching"),
    ("sign-in", "logging in"),
    ("login", "logging in"),
    ("token is expired", "using a login session"),
];

/// Reads the user's action, mount path and driver from a message.
pub(crate) fn context_of(text: &str) -> Context {
    let lower = text.to_ascii_lowercase();
    let mut c = Context {
        action: ACTIONS
            .iter()
            .find(|(needle, _)| lower.contains(needle))
            .map(|(_, a)| *a),
        ..Context::default()
    };
    // Each regex runs (and is compiled, the first time) only on text with
    // a literal it needs: a pasted message seldom has either.
    if lower.contains("driver")
        && let Some(m) = STORAGE_DRIVER.captures(text)
    {
        c.mount_path = Some(m["mount"].to_string());
        c.driver = Some(m["driver"].to_string());
    }
    if lower.contains("failed ")
        && lower.contains(" /")
        && let Some(m) = LIST_PATH.captures(text)
    {
        c.path = Some(m["path"].to_string());
    }
    c
}

re!(
    VOLATILE,
    r#"(?xi)
      (?P<url>\b[a-z][a-z0-9+.-]*://[^\s"'<>]+)
    | (?P<quoted>"[^"]*"|'[^']*')
    | (?P<uuid>\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b)
    | (?P<ip>\b\d{1,3}(?:\.\d{1,3}){3}(?::\d+)?\b|\[[0-9a-f:]+\](?::\d+)?)
    | (?P<path>(?:\b[a-z]:)?(?:[/\\][^\s/\\:,;\]\[)(]+){2,}[/\\]?|/[^\s/:,;\]\[)(]+)
    | (?P<hex>\b(?:[0-9a-f]*[0-9][0-9a-f]*[a-f][0-9a-f]*|[0-9a-f]*[a-f][0-9a-f]*[0-9][0-9a-f]*)\b)
    | (?P<num>\b\d+(?:\.\d+)?\b|-\d+\b)
    "#
);

/// A message with its volatile parts masked, so that one error repeated with
/// other paths, ids or numbers groups under one template.
pub(crate) fn template_of(msg: &str) -> String {
    let masked = VOLATILE.replace_all(msg, |c: &regex::Captures<'_>| {
        let kind = ["url", "quoted", "uuid", "ip", "path", "hex", "num"]
            .into_iter()
            .find(|k| c.name(k).is_some())
            .unwrap_or("num");
        let whole = c.get(0).map_or("", |m| m.as_str());
        let start = c.get(0).map_or(0, |m| m.start());
        // `i/o` is a word, not a path.
        // boundary: `start` is a regex match start on `msg`.
        #[allow(clippy::string_slice)]
        if kind == "path"
            && msg[..start]
                .chars()
                .last()
                .is_some_and(char::is_alphanumeric)
        {
            return whole.to_string();
        }
        match kind {
            "url" => "<url>",
            "quoted" => "\"<str>\"",
            "uuid" => "<uuid>",
            "ip" => "<ip>",
            "path" => "<path>",
            "hex" => "<hex>",
            _ => "<n>",
        }
        .to_string()
    });
    clip(&masked)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A text is remembered from its second miss on, and what is
    /// remembered is what matching finds.
    #[test]
    fn hits_are_remembered_on_the_second_miss() {
        let matcher = Matcher::new(std::borrow::Cow::Borrowed(
            crate::catalog::Catalog::embedded(),
        ));
        let mut cache = MatchWorker::new(&matcher, false);
        let text = "failed get objs: failed to list objs: ForbiddenDriveNotValid:not valid driveId";
        let first = cache.hits(text);
        assert_eq!(cache.remembered.len(), 0);
        let second = cache.hits(text);
        assert_eq!(cache.remembered.len(), 1);
        let third = cache.hits(text);
        assert!(Arc::ptr_eq(&second, &third));
        assert_eq!(first, third);
        assert!(!first.is_empty());
        // Nor is a long text, however often it comes.
        let long = format!("{text} {}", "x".repeat(REMEMBERED_TEXT));
        let entries = |h: &[Hit]| h.iter().map(|h| h.entry).collect::<Vec<_>>();
        for _ in 0..3 {
            assert_eq!(entries(&cache.hits(&long)), entries(&first));
        }
        assert_eq!(cache.remembered.len(), 1);
        // Pasted text is never remembered.
        let mut cache = MatchWorker::new(&matcher, false);
        cache.paste = true;
        for _ in 0..3 {
            cache.hits(text);
        }
        assert_eq!(cache.remembered.len(), 0);
    }

    #[test]
    fn templates_mask_volatile_parts() {
        assert_eq!(
            template_of(
                "failed list /quark/Movies/2024: Get \"https://x.y/z?a=1\": dial tcp 10.0.0.5:443: i/o timeout after 30 s"
            ),
            "failed list <path>: Get \"<str>\": dial tcp <ip>: i/o timeout after <n> s"
        );
        assert_eq!(
            template_of("file 634e704cefa78f92fefd4c779f7422d820082d041 gone, code -9"),
            "file <hex> gone, code <n>"
        );
        assert_eq!(template_of("failed get objs: EOF"), "failed get objs: EOF");
    }

    #[test]
    fn context_from_chains() {
        let c =
            context_of("failed get enabled storages: [/ali], driver: [AliyundriveOpen], Error: x");
        assert_eq!(c.action, Some("loading storages at start-up"));
        assert_eq!(c.mount_path.as_deref(), Some("/ali"));
        assert_eq!(c.driver.as_deref(), Some("AliyundriveOpen"));
        let c = context_of(
            "failed get objs: failed to list objs: failed list /quark/Movies: require login [guest]",
        );
        assert_eq!(c.action, Some("listing a folder"));
        assert_eq!(c.path.as_deref(), Some("/quark/Movies"));
    }
}
