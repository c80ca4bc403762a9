//! A fast hasher for the tables that see every matched message (remembered
//! hits, findings by captures), and `Memo`, the bounded table the matching
//! caches are built on. The standard SipHash costs ~3% of a scan on these
//! short keys; this one mixes eight bytes per step (the multiply-rotate
//! scheme rustc uses for its own tables). A per-process random seed keeps
//! crafted collisions from being written into a log in advance, and every
//! table it serves is bounded, so a collision costs time, never memory.

use std::borrow::Borrow;
use std::collections::HashMap;
use std::hash::{BuildHasher, Hash, Hasher};

const K: u64 = 0xf135_7aea_2e62_a9c5;

#[derive(Clone, Copy)]
pub(crate) struct FastState {
    seed: u64,
}

impl Default for FastState {
    fn default() -> Self {
        // `RandomState` draws its keys from the OS once per thread; one
        // hash of them is seed enough.
        FastState {
            seed: std::collections::hash_map::RandomState::new().hash_one(0x5eed_u64),
        }
    }
}

impl BuildHasher for FastState {
    type Hasher = FastHasher;
    fn build_hasher(&self) -> FastHasher {
        FastHasher { hash: self.seed }
    }
}

pub(crate) struct FastHasher {
    hash: u64,
}

impl FastHasher {
    #[inline]
    fn add(&mut self, word: u64) {
        self.hash = (self.hash ^ word).wrapping_mul(K).rotate_left(26);
    }
}

impl Hasher for FastHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in chunks.by_ref() {
            let mut w = [0u8; 8];
            w.copy_from_slice(c);
            self.add(u64::from_le_bytes(w));
        }
        let rest = chunks.remainder();
        let mut w = [0u8; 8];
        w[..rest.len()].copy_from_slice(rest);
        // The length tells `ab` + `` from `a` + `b`.
        self.add(u64::from_le_bytes(w) ^ ((rest.len() as u64) << 59));
    }

    #[inline]
    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }

    #[inline]
    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }

    #[inline]
    fn write_u64(&mut self, i: u64) {
        self.add(i);
    }

    #[inline]
    fn finish(&self) -> u64 {
        // A last mix spreads the high bits into the low ones the table uses.
        let h = self.hash;
        (h ^ (h >> 29)).wrapping_mul(K) ^ (h >> 32)
    }
}

/// A `HashMap` with the fast hasher.
pub(crate) type FastMap<K, V> = HashMap<K, V, FastState>;

/// A bounded table of what was worked out from a key (the hits of a
/// message, the captures of a matched text, that a line is a stack frame),
/// one per thread. It is emptied when full, never keeps a key longer than
/// `longest` bytes (so a hostile log of long lines cannot make it large),
/// and keeps a key only from its second miss on: most texts matched in a
/// long log occur once (an id or a URL in them differs every time), and
/// storing them would only push the recurring ones out before they recur.
pub(crate) struct Memo<K, V> {
    map: FastMap<K, V>,
    admit: SecondMiss,
    capacity: usize,
    longest: usize,
}

impl<K: Hash + Eq, V> Memo<K, V> {
    pub(crate) fn new(capacity: usize, longest: usize) -> Self {
        Memo {
            map: FastMap::default(),
            admit: SecondMiss::default(),
            capacity,
            longest,
        }
    }

    pub(crate) fn get<Q>(&self, key: &Q) -> Option<&V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.map.get(key)
    }

    /// Notes that `key` was looked up in vain and what it stands for,
    /// which is kept if the key missed before and is short enough.
    pub(crate) fn missed<Q>(&mut self, key: &Q, value: impl FnOnce() -> V)
    where
        K: Borrow<Q>,
        Q: Hash + Eq + AsRef<[u8]> + ToOwned<Owned = K> + ?Sized,
    {
        if key.as_ref().len() > self.longest || !self.admit.check(self.map.hasher().hash_one(key)) {
            return;
        }
        if self.map.len() >= self.capacity {
            self.map.clear();
        }
        self.map.insert(key.to_owned(), value());
    }

    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.map.len()
    }
}

/// Says whether a key (by hash) missed before. A bit set by chance admits
/// a one-off key: harmless, but wasted, so the bits start afresh once an
/// eighth of them were set.
#[derive(Default)]
struct SecondMiss {
    bits: Vec<u64>,
    misses: usize,
}

/// 8 KiB of bits.
const SECOND_MISS_BITS: usize = 1 << 16;

impl SecondMiss {
    /// Whether `hash` missed before (since the last reset); notes that it
    /// did now.
    fn check(&mut self, hash: u64) -> bool {
        if self.bits.is_empty() || self.misses >= SECOND_MISS_BITS / 8 {
            self.bits.clear();
            self.bits.resize(SECOND_MISS_BITS / 64, 0);
            self.misses = 0;
        }
        self.misses += 1;
        let bit = hash as usize % SECOND_MISS_BITS;
        let (word, mask) = (bit / 64, 1u64 << (bit % 64));
        let before = self.bits[word] & mask != 0;
        self.bits[word] |= mask;
        before
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Keys that differ in one byte, or only in how they split into
    /// pieces, land in different buckets often enough to spread.
    #[test]
    fn spreads_similar_keys() {
        let s = FastState::default();
        let mut low_bits = std::collections::HashSet::new();
        for i in 0..4096u32 {
            let key = format!("failed get objs: file_id:{i:08x}");
            low_bits.insert(s.hash_one(&key) & 0xfff);
        }
        // 4096 keys into 4096 buckets: a good hash fills ~63%.
        assert!(low_bits.len() > 2300, "{}", low_bits.len());
        let pair = |a: &str, b: &str| s.hash_one((a, b));
        assert_ne!(pair("ab", ""), pair("a", "b"));
        let mut m: FastMap<String, usize> = FastMap::default();
        m.insert("x".into(), 1);
        assert_eq!(m.get("x"), Some(&1));
    }

    #[test]
    fn second_miss_says_yes_from_the_second_time_on() {
        let mut f = SecondMiss::default();
        assert!(!f.check(42));
        assert!(f.check(42));
        assert!(f.check(42));
        assert!(!f.check(43));
        // After a reset the filter has forgotten.
        for k in 1000..1000 + SECOND_MISS_BITS as u64 / 8 {
            f.check(k * 7919);
        }
        assert!(!f.check(42));
    }

    #[test]
    fn memo_keeps_short_keys_from_their_second_miss() {
        let mut m: Memo<String, usize> = Memo::new(2, 5);
        m.missed("a", || 1);
        assert_eq!(m.get("a"), None);
        m.missed("a", || 1);
        assert_eq!(m.get("a"), Some(&1));
        // Too long, however often.
        for _ in 0..3 {
            m.missed("abcdef", || 6);
        }
        assert_eq!(m.get("abcdef"), None);
        // Full: emptied before the next key goes in.
        for k in ["b", "b", "c", "c"] {
            m.missed(k, || 0);
        }
        assert_eq!((m.len(), m.get("a")), (1, None));
    }
}
