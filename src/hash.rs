//! A fast hasher for the tables that see every matched message (remembered
//! hits, findings by captures). The standard SipHash costs ~3% of a scan on
//! these short keys; this one mixes eight bytes per step (the multiply-rotate
//! scheme rustc uses for its own tables). A per-process random seed keeps
//! crafted collisions from being written into a log in advance, and every
//! table it serves is bounded, so a collision costs time, never memory.

use std::collections::HashMap;
use std::hash::{BuildHasher, Hasher};

const K: u64 = 0xf135_7aea_2e62_a9c5;

#[derive(Clone, Copy)]
pub struct FastState {
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

pub struct FastHasher {
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
pub type FastMap<K, V> = HashMap<K, V, FastState>;

/// Admission filter for the bounded caches of matching results: says
/// whether a key (by hash) missed before, so that a cache takes a key only
/// on its second miss. Most texts matched in a long log occur once (an id
/// or a URL in them differs every time); storing them would only push the
/// recurring ones out before they recur. A bit set by chance admits a
/// one-off key: harmless, but wasted, so the bits start afresh once an
/// eighth of them were set.
#[derive(Default)]
pub struct SecondMiss {
    bits: Vec<u64>,
    misses: usize,
}

/// 8 KiB of bits.
const SECOND_MISS_BITS: usize = 1 << 16;

impl SecondMiss {
    /// Whether `hash` missed before (since the last reset); notes that it
    /// did now.
    pub fn check(&mut self, hash: u64) -> bool {
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
}
