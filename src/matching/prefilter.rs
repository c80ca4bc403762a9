//! Which of many short literals occur in a text: the matcher's prefilter.
//!
//! Every literal is filed under a hash of three of its bytes, chosen to
//! spread the literals evenly (many start alike: `failed …`). One pass over
//! the text hashes the three bytes at each position; a position whose
//! bucket is empty (most of them) costs a few instructions, and only the
//! few literals filed in a non-empty bucket are compared there. On
//! log messages this is several times cheaper than an Aho-Corasick
//! automaton's overlapping search over the same ~850 literals, builds in
//! microseconds (so a pasted message needs no warm-up path) and takes
//! ~50 KiB instead of ~330.

/// Buckets (a power of two): sparse enough that most positions of a text
/// land in an empty one.
const BUCKETS: usize = 1 << 12;

/// Literals shorter than this are looked for one by one.
const KEY: usize = 3;

pub(crate) struct LiteralSet {
    literals: Vec<Box<[u8]>>,
    /// Literal indices with the offset of their key, grouped by bucket:
    /// bucket `b` holds `order[starts[b]..starts[b + 1]]`.
    order: Vec<(u32, u32)>,
    starts: Vec<u32>,
    /// Literals too short to have a key.
    short: Vec<u32>,
}

/// How common a byte is in log messages, roughly (a log2 scale): keys of
/// rare bytes land on fewer positions of a text, where each landing costs
/// a comparison. Letters by their English frequency.
fn commonness(c: u8) -> u32 {
    match c.to_ascii_lowercase() {
        b' ' => 8,
        b'e' => 7,
        b't' | b'a' | b'o' | b'i' | b'n' | b's' | b'r' | b'h' => 6,
        b'd' | b'l' | b'c' | b'u' | b'm' | b'f' | b'p' | b'g' => 5,
        b'0'..=b'9' | b':' | b'/' | b'.' | b'"' | b'-' | b'_' => 5,
        b'w' | b'y' | b'b' | b'v' | b',' | b'=' => 4,
        b'k' | b'(' | b')' | b'[' | b']' | b'{' | b'}' | b'\'' => 3,
        _ => 2,
    }
}

fn bucket(key: [u8; KEY]) -> usize {
    let k = u32::from(key[0]) | u32::from(key[1]) << 8 | u32::from(key[2]) << 16;
    (k.wrapping_mul(0x9e37_79b1) >> (32 - BUCKETS.trailing_zeros())) as usize
}

impl LiteralSet {
    pub(crate) fn new<S: AsRef<[u8]>>(literals: &[S]) -> LiteralSet {
        let literals: Vec<Box<[u8]>> = literals.iter().map(|l| l.as_ref().into()).collect();
        let mut load = vec![0u32; BUCKETS];
        let mut short = Vec::new();
        // (bucket, literal, offset of its key). Each literal takes as its
        // key three bytes that are rare (see `commonness`) and whose bucket
        // holds few literals so far: both make fewer comparisons.
        let mut keyed: Vec<(usize, u32, u32)> = Vec::new();
        for (i, l) in literals.iter().enumerate() {
            let best = l
                .windows(KEY)
                .enumerate()
                .map(|(off, w)| (bucket([w[0], w[1], w[2]]), off, w))
                .min_by_key(|&(b, _, w)| {
                    w.iter().map(|&c| commonness(c)).sum::<u32>() + 2 * load[b]
                })
                .map(|(b, off, _)| (b, off));
            match best {
                Some((b, off)) => {
                    load[b] += 1;
                    keyed.push((b, i as u32, off as u32));
                }
                None => short.push(i as u32),
            }
        }
        let mut starts = vec![0u32; BUCKETS + 1];
        for b in 0..BUCKETS {
            starts[b + 1] = starts[b] + load[b];
        }
        let mut next = starts.clone();
        let mut order = vec![(0u32, 0u32); keyed.len()];
        for &(b, i, off) in &keyed {
            order[next[b] as usize] = (i, off);
            next[b] += 1;
        }
        LiteralSet {
            literals,
            order,
            starts,
            short,
        }
    }

    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.literals.len()
    }

    /// The most literals filed in one bucket.
    #[cfg(test)]
    pub(crate) fn deepest(&self) -> usize {
        self.starts
            .windows(2)
            .map(|w| (w[1] - w[0]) as usize)
            .max()
            .unwrap_or(0)
    }

    #[cfg(test)]
    pub(crate) fn literal(&self, i: usize) -> &[u8] {
        &self.literals[i]
    }

    /// Calls `found` with the index of every literal that occurs in
    /// `text`, once per occurrence (in no particular order).
    pub(crate) fn find_all(&self, text: &[u8], mut found: impl FnMut(usize)) {
        for (at, w) in text.windows(KEY).enumerate() {
            let b = bucket([w[0], w[1], w[2]]);
            let (from, to) = (self.starts[b] as usize, self.starts[b + 1] as usize);
            if from == to {
                continue;
            }
            // Each literal is compared where it would start.
            for &(i, off) in &self.order[from..to] {
                if let Some(start) = at.checked_sub(off as usize)
                    && text[start..].starts_with(&self.literals[i as usize])
                {
                    found(i as usize);
                }
            }
        }
        for &i in &self.short {
            let l = &self.literals[i as usize];
            if l.is_empty() || memchr::memmem::find(text, l).is_some() {
                found(i as usize);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(set: &LiteralSet, text: &str) -> Vec<usize> {
        let mut v = Vec::new();
        set.find_all(text.as_bytes(), |i| v.push(i));
        v.sort_unstable();
        v.dedup();
        v
    }

    /// The same literals as looking for each in turn, on random texts
    /// built from pieces of the literals themselves.
    #[test]
    fn finds_what_a_search_for_each_finds() {
        let literals = [
            "failed",
            "failed get",
            "fai",
            "ai",
            "d g",
            "objs",
            "no such host",
            "连接",
            "x",
            "ed ",
            "host",
            "abc",
            "bca",
            "cab",
        ];
        let set = LiteralSet::new(&literals);
        assert_eq!(set.len(), literals.len());
        let pieces = [
            "fa",
            "il",
            "ed",
            " ",
            "get",
            "obj",
            "s",
            "no such ho",
            "st",
            "连",
            "接",
            "x",
            "a",
            "b",
            "c",
        ];
        let mut hits = 0;
        for text in crate::random_texts(0xfeed, 20_000, 8, &pieces) {
            let want: Vec<usize> = (0..literals.len())
                .filter(|&i| text.contains(literals[i]))
                .collect();
            hits += want.len();
            assert_eq!(found(&set, &text), want, "{text:?}");
        }
        assert!(hits > 5_000, "only {hits} hits");
    }

    #[test]
    fn empty_and_short_texts() {
        let set = LiteralSet::new(&["abc", "ab", ""]);
        assert_eq!(found(&set, ""), vec![2]);
        assert_eq!(found(&set, "ab"), vec![1, 2]);
        assert_eq!(found(&set, "xabcx"), vec![0, 1, 2]);
    }
}
