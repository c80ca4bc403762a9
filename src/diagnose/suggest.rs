//! Suggestions for partial text: when no specific entry explains a paste
//! (or an unknown error of a log), entries are ranked by what of theirs
//! the text contains: their keywords (English and Chinese: `文件太大`,
//! `TooManyRequest`) and pattern literals as phrases, the words of their
//! id and title, and the start of a word cut off at the end of the text
//! (`current regio`). Rare phrases weigh more (inverse document frequency
//! over the catalog) and so do long ones, so `413` or `TooManyRequest`
//! decide and `failed` hardly counts. The same engine answers `explain`'s
//! "did you mean".
#![warn(clippy::string_slice)]

use std::collections::{HashMap, HashSet};

use serde::Serialize;

use crate::catalog::Catalog;

/// At most this many suggestions are given.
pub(crate) const MAX_SUGGESTIONS: usize = 3;

/// Below this score a suggestion is noise (calibrated on the development
/// set: its paraphrased and cut pastes score above, its normal-operation
/// lines do not reach the engine, see `has_error_signal`).
const THRESHOLD: f32 = 4.0;

/// Suggestions far below the best one are left out.
const RELATIVE: f32 = 0.35;

/// A suggestion needs one term that alone says this much (a keyword, a
/// code, a rare phrase): many common words together are not a reason.
const DISTINCT: f32 = 5.0;

/// One suggested entry: how well it fits, and the words it shares.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct Suggestion {
    pub id: String,
    /// Rounded to two decimals (f64: printed as written, `11.19`).
    pub score: f64,
    pub words: Vec<String>,
}

/// Words that carry no meaning here, whatever their frequency.
const STOP: &[&str] = &[
    "the", "and", "for", "not", "are", "was", "with", "this", "that", "from", "you", "your", "has",
    "have", "but", "can", "cannot", "its", "into", "when", "then", "will", "all", "any", "get",
    "got", "use", "used", "one",
];

fn is_cjk(c: char) -> bool {
    matches!(c as u32, 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF)
}

/// A word as compared: lower case, a plural `s` dropped.
fn stem(w: &str) -> String {
    let w = w.to_ascii_lowercase();
    match w.strip_suffix('s') {
        Some(s) if s.len() >= 4 && !s.ends_with('s') => s.to_string(),
        _ => w,
    }
}

/// The words of a text: ASCII words and numbers of 3+ characters (camel
/// case kept whole: `TooManyRequests` is one word), and each pair of
/// neighbouring Chinese characters.
pub(crate) fn terms(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut word = String::new();
    let mut prev_cjk: Option<char> = None;
    let flush = |word: &mut String, out: &mut Vec<String>| {
        if word.len() >= 3 && !STOP.contains(&word.to_ascii_lowercase().as_str()) {
            out.push(stem(word));
        }
        word.clear();
    };
    for c in text.chars() {
        if c.is_ascii_alphanumeric() || c == '_' {
            word.push(c);
            prev_cjk = None;
            continue;
        }
        flush(&mut word, &mut out);
        if is_cjk(c) {
            if let Some(p) = prev_cjk {
                out.push(format!("{p}{c}"));
            }
            prev_cjk = Some(c);
        } else {
            prev_cjk = None;
        }
    }
    flush(&mut word, &mut out);
    out
}

/// The word a text may have been cut in: its last ASCII word when the
/// text ends in it or in an ellipsis (`Too many unsuccessful....`,
/// `current regio`).
fn cut_word(text: &str) -> Option<String> {
    let t = text.trim_end();
    let t = t.trim_end_matches(['.', '…']);
    let last: String = t
        .chars()
        .rev()
        .take_while(|c| c.is_ascii_alphanumeric())
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    (last.len() >= 4 && !last.bytes().all(|b| b.is_ascii_digit()))
        .then(|| last.to_ascii_lowercase())
}

/// The end of a text that may be a cut-off piece of a known message: the
/// last line after its last `: ` (the wrappers before it are not), without
/// a trailing ellipsis, lower case; at least 12 characters and two words
/// (`current regio` of `… in the current region`).
fn cut_tail(text: &str) -> Option<String> {
    let line = text.trim_end().lines().next_back()?;
    let tail = line
        .rsplit(": ")
        .next()?
        .trim()
        .trim_end_matches(['.', '…'])
        .trim_end();
    (tail.chars().count() >= 12 && tail.contains(' ')).then(|| tail.to_lowercase())
}

/// The catalog's vocabulary, per entry: phrases (keywords and pattern
/// literals, matched as substrings) and words (of the English title and
/// the id, matched whole).
#[derive(Debug)]
pub(crate) struct Index {
    entries: Vec<Vocabulary>,
    /// Phrase or word → how rare it is across entries (inverse document
    /// frequency).
    idf: HashMap<String, f32>,
    /// Every ASCII word of the vocabulary: a text's last word that is one
    /// of them is whole, not cut.
    known_words: HashSet<String>,
    ids: Vec<&'static str>,
    /// Entries never suggested: the "collect this" answers.
    quiet: Vec<bool>,
    /// Every example, lower case, one a line, and where each entry's begin
    /// (ascending offsets): a cut text is looked up in them.
    examples: String,
    example_starts: Vec<(usize, usize)>,
}

#[derive(Debug, Default)]
struct Vocabulary {
    phrases: Vec<String>,
    words: HashSet<String>,
}

/// Whether `phrase` (lower case) occurs in `text` (lower case), on word
/// boundaries where it starts or ends with an ASCII letter or digit (a
/// plural `s` after it allowed: `TooManyRequest` in `TooManyRequests`).
fn occurs(text: &str, phrase: &str) -> bool {
    let tb = text.as_bytes();
    let word = |b: u8| b.is_ascii_alphanumeric();
    let starts_word = phrase.as_bytes().first().is_some_and(|&b| word(b));
    let ends_word = phrase.as_bytes().last().is_some_and(|&b| word(b));
    memchr::memmem::find_iter(tb, phrase.as_bytes()).any(|at| {
        let mut end = at + phrase.len();
        if ends_word && tb.get(end) == Some(&b's') {
            end += 1;
        }
        (!starts_word || at == 0 || !word(tb[at - 1]))
            && (!ends_word || end == tb.len() || !word(tb[end]))
    })
}

/// How much a matched phrase says: longer ones more (a Chinese character
/// counts as two letters), up to three times a word.
fn length_weight(phrase: &str) -> f32 {
    let units: usize = phrase
        .chars()
        .map(|c| if c.is_ascii() { 1 } else { 2 })
        .sum();
    (units as f32 / 8.0).clamp(0.5, 3.0)
}

impl Index {
    /// The vocabulary of every entry of `catalog` (its text is read here:
    /// built once, when a first suggestion is asked for).
    pub(crate) fn new(catalog: &Catalog) -> Index {
        let mut entries = Vec::with_capacity(catalog.entries.len());
        let mut df: HashMap<String, usize> = HashMap::new();
        for e in &catalog.entries {
            let r = e.raw();
            let mut v = Vocabulary::default();
            let mut phrases: HashSet<String> = r
                .keywords
                .iter()
                .map(|k| k.trim().to_lowercase())
                .filter(|k| k.len() >= 3)
                .collect();
            for p in e.patterns {
                for set in crate::catalog::pattern::required_literals(p).unwrap_or_default() {
                    phrases.extend(set.into_iter().filter(|l| l.chars().count() >= 4));
                }
            }
            v.phrases = phrases.into_iter().collect();
            v.phrases.sort();
            let title = format!("{} {}", e.id.replace('-', " "), r.title);
            v.words = terms(&title)
                .into_iter()
                .filter(|t| t.is_ascii() && t.len() >= 4)
                .collect();
            for t in &v.words {
                *df.entry(t.clone()).or_default() += 1;
            }
            entries.push(v);
        }
        // A phrase weighs by how rare it is: the number of entries whose
        // examples or text contain it (the wrappers every chain has,
        // `failed get objs`, are common there, `toomanyrequest` is not).
        let phrases: Vec<String> = {
            let mut all: Vec<String> = entries.iter().flat_map(|v| v.phrases.clone()).collect();
            all.sort();
            all.dedup();
            all
        };
        let set = crate::matching::prefilter::LiteralSet::new(&phrases);
        let mut seen = vec![0usize; phrases.len()];
        for e in &catalog.entries {
            // Examples and the entry's own prose: a phrase that advice
            // mentions everywhere (`alist server`, `docker logs`) is an
            // everyday word, not a symptom.
            let r = e.raw();
            let mut text = r.examples.join("\n");
            text.push('\n');
            text.push_str(&r.cause);
            text.push('\n');
            text.push_str(&r.fix.join("\n"));
            if let Some(zh) = &r.zh {
                text.push('\n');
                text.push_str(&zh.cause);
                text.push('\n');
                text.push_str(&zh.fix.join("\n"));
            }
            let text = text.to_lowercase();
            let mut here = HashSet::new();
            set.find_all(text.as_bytes(), |i| {
                here.insert(i);
            });
            for i in here {
                seen[i] += 1;
            }
        }
        for (p, n) in phrases.into_iter().zip(seen) {
            *df.entry(p).or_default() += n.max(1);
        }
        let n = catalog.entries.len().max(1) as f32;
        let idf: HashMap<String, f32> = df
            .into_iter()
            .map(|(t, d)| (t, (n / d as f32).ln().max(0.0)))
            .collect();
        let known_words = idf
            .keys()
            .flat_map(|t| {
                t.split(|c: char| !c.is_ascii_alphanumeric())
                    .filter(|w| !w.is_empty())
                    .map(str::to_string)
                    .collect::<Vec<_>>()
            })
            .collect();
        let (mut examples, mut example_starts) = (String::new(), Vec::new());
        for (i, e) in catalog.entries.iter().enumerate() {
            example_starts.push((examples.len(), i));
            for x in &e.raw().examples {
                examples.push_str(&x.to_lowercase());
                examples.push('\n');
            }
        }
        Index {
            entries,
            idf,
            known_words,
            examples,
            example_starts,
            ids: catalog.entries.iter().map(|e| e.id).collect(),
            quiet: catalog.entries.iter().map(|e| e.paste_only).collect(),
        }
    }

    fn idf(&self, t: &str) -> f32 {
        self.idf.get(t).copied().unwrap_or(0.0)
    }

    /// The entries whose examples hold `tail` from a word's start, and how
    /// rare that is.
    fn examples_holding(&self, tail: &str) -> (Vec<usize>, f32) {
        let b = self.examples.as_bytes();
        let mut owners: Vec<usize> = memchr::memmem::find_iter(b, tail.as_bytes())
            .filter(|&at| at == 0 || !b[at - 1].is_ascii_alphanumeric())
            .map(|at| {
                let k = self
                    .example_starts
                    .partition_point(|(start, _)| *start <= at);
                self.example_starts[k - 1].1
            })
            .collect();
        owners.dedup();
        let n = self.entries.len().max(1) as f32;
        let idf = (n / owners.len().max(1) as f32).ln().max(0.0);
        (owners, idf)
    }

    /// The entries that fit `text` best, at most `MAX_SUGGESTIONS`, best
    /// first, above the threshold; `skip` entries are left out (those
    /// already reported).
    pub(crate) fn suggest(&self, text: &str, skip: &[usize]) -> Vec<Suggestion> {
        let lower = text.to_lowercase();
        let words: HashSet<String> = terms(text).into_iter().collect();
        // A word that is whole in the catalog's vocabulary was not cut.
        let cut = cut_word(text).filter(|c| !self.known_words.contains(c));
        // The text may end in a piece of a known message, cut off.
        let (tail, holders, tail_idf) = match cut_tail(text) {
            Some(t) => {
                let (owners, idf) = self.examples_holding(&t);
                (t, owners, idf)
            }
            None => (String::new(), Vec::new(), 0.0),
        };
        let mut scored: Vec<(f32, usize, Vec<String>)> = Vec::new();
        for (i, v) in self.entries.iter().enumerate() {
            if skip.contains(&i) || self.quiet[i] {
                continue;
            }
            let (mut score, mut strongest) = (0.0f32, 0.0f32);
            let mut matched = Vec::new();
            let mut add = |weight: f32, term: String, matched: &mut Vec<String>| {
                score += weight;
                strongest = strongest.max(weight);
                matched.push(term);
            };
            for p in &v.phrases {
                if occurs(&lower, p) {
                    add(self.idf(p) * length_weight(p), p.clone(), &mut matched);
                }
            }
            for w in &v.words {
                if words.contains(w) && !matched.iter().any(|m| m.contains(w.as_str())) {
                    add(self.idf(w) * 0.5, w.clone(), &mut matched);
                }
            }
            // A word cut at the end of the text: the entry's words and
            // phrases it begins, weighed as the rarest, less for a guess.
            if let Some(cut) = &cut
                && !matched.iter().any(|m| m.contains(cut.as_str()))
                && let Some(best) = v
                    .words
                    .iter()
                    .chain(v.phrases.iter())
                    .filter(|t| t.len() > cut.len() && t.starts_with(cut.as_str()))
                    .map(|t| self.idf(t))
                    .reduce(f32::max)
            {
                add(best * 0.8, format!("{cut}…"), &mut matched);
            }
            if holders.contains(&i) && !matched.iter().any(|m| m.contains(tail.as_str())) {
                add(
                    tail_idf * length_weight(&tail) * 0.8,
                    format!("{tail}…"),
                    &mut matched,
                );
            }
            if score >= THRESHOLD && strongest >= DISTINCT {
                matched.sort();
                scored.push((score, i, matched));
            }
        }
        scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        let best = scored.first().map_or(0.0, |s| s.0);
        scored
            .into_iter()
            .take_while(|s| s.0 >= best * RELATIVE)
            .take(MAX_SUGGESTIONS)
            .map(|(score, i, words)| Suggestion {
                id: self.ids[i].to_string(),
                score: (f64::from(score) * 100.0).round() / 100.0,
                words,
            })
            .collect()
    }
}

/// Whether a text says something went wrong: the gate for suggestions and
/// for "collect this" (normal-operation lines get neither).
pub(crate) fn has_error_signal(text: &str) -> bool {
    const WORDS: &[&str] = &[
        "error",
        "fail",
        "denied",
        "invalid",
        "timeout",
        "timed out",
        "refused",
        "cannot",
        "can't",
        "unable",
        "not found",
        "forbidden",
        "unauthorized",
        "exception",
        "panic",
        "too many",
        "too large",
        "limit",
        "expired",
        "错误",
        "失败",
        "报错",
        "异常",
        "无法",
        "不能",
        "超时",
        "拒绝",
        "提示",
        "不行",
        "出错",
        "问题",
        "限流",
        "太大",
        "不存在",
    ];
    let lower = text.to_lowercase();
    WORDS.iter().any(|w| lower.contains(w)) || has_status_code(&lower)
}

/// An HTTP error status standing on its own: three digits from 400 to 599,
/// not part of a longer number, a decimal or a duration (`461.42ms`).
fn has_status_code(text: &str) -> bool {
    let b = text.as_bytes();
    (0..b.len().saturating_sub(2)).any(|i| {
        matches!(b[i], b'4' | b'5')
            && b[i + 1].is_ascii_digit()
            && b[i + 2].is_ascii_digit()
            && (i == 0 || !(b[i - 1].is_ascii_digit() || b[i - 1] == b'.'))
            && !b
                .get(i + 3)
                .is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'.')
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terms_of_mixed_text() {
        assert_eq!(
            terms("日志显示TooManyRequest问题 413"),
            ["日志", "志显", "显示", "toomanyrequest", "问题", "413"]
        );
        assert_eq!(terms("failed to list objs"), ["failed", "list", "objs"]);
        assert_eq!(terms("the tokens"), ["token"]);
    }

    #[test]
    fn cut_words() {
        assert_eq!(cut_word("current regio").as_deref(), Some("regio"));
        assert_eq!(
            cut_word("Too many unsuccessful....").as_deref(),
            Some("unsuccessful")
        );
        assert_eq!(cut_word("ends with a word.").as_deref(), Some("word"));
        assert_eq!(cut_word("a dot."), None);
        assert_eq!(cut_word("中文"), None);
    }

    #[test]
    fn cut_tails() {
        assert_eq!(
            cut_tail("failed to init storage: current regio").as_deref(),
            Some("current regio")
        );
        assert_eq!(
            cut_tail("prose\nSorry, sharing is not available in…").as_deref(),
            Some("sorry, sharing is not available in")
        );
        assert_eq!(cut_tail("error: timeout"), None);
    }

    #[test]
    fn error_signal() {
        assert!(has_error_signal("大文件会显示413文件太大"));
        assert!(has_error_signal("Request failed with status code 500"));
        assert!(!has_error_signal(
            "INFO[2023-08-01 09:32:14] start HTTP server @ 0.0.0.0:5244"
        ));
    }
}
