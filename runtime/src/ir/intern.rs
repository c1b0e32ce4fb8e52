//! The builder's sharing tables: which value already stands for a constant or a guest
//! register in the block being built.
//!
//! One table serves every block a thread translates: `clear` is a counter increment (each
//! slot carries the generation that wrote it), so a new block starts with an empty table
//! without touching memory. A lookup is one multiply and, almost always, one slot, where a
//! `HashMap` took several times as many host instructions (the builder interns a constant or
//! a register for most operands; this was a tenth of a short program's translation time).
//!
//! Owns the table only; what the keys and values mean is the builder's business.

/// A slot: the key, the generation and kind that wrote it (`tag`), and the value index.
#[derive(Clone, Copy, Default)]
struct Slot {
    key: u64,
    tag: u32,
    val: u32,
}

/// An open-addressing map from (`u64` key, one-bit kind) to `u32`, cleared in O(1).
pub(super) struct Interner {
    slots: Vec<Slot>,
    /// The current generation, at least 1 (slots of other generations are empty).
    gen: u32,
    /// Entries of the current generation.
    len: usize,
}

const MIN_SLOTS: usize = 64;
/// Generations fit in 31 bits (the tag's low bit is the kind).
const MAX_GEN: u32 = (1 << 31) - 1;

impl Default for Interner {
    /// An empty table that has allocated nothing yet.
    fn default() -> Self {
        Interner { slots: Vec::new(), gen: 1, len: 0 }
    }
}

impl std::fmt::Debug for Interner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Interner({} entries)", self.len)
    }
}

impl Interner {
    /// Forget every entry.
    pub(super) fn clear(&mut self) {
        self.len = 0;
        if self.gen == MAX_GEN {
            self.slots.iter_mut().for_each(|s| *s = Slot::default());
            self.gen = 1;
        } else {
            self.gen += 1;
        }
    }

    fn home(&self, key: u64) -> usize {
        // Multiplicative hashing: the product's high bits mix every key bit.
        let h = key.wrapping_mul(0x9E37_79B9_7F4A_7C15);
        (h >> (64 - self.slots.len().trailing_zeros())) as usize
    }

    /// The value for (`key`, `kind`), made by `make` and remembered if there is none yet.
    #[inline]
    pub(super) fn get_or_insert(&mut self, key: u64, kind: bool, make: impl FnOnce() -> u32) -> u32 {
        if self.slots.is_empty() {
            self.slots = vec![Slot::default(); MIN_SLOTS];
        }
        let tag = self.gen << 1 | kind as u32;
        let mask = self.slots.len() - 1;
        let mut i = self.home(key);
        loop {
            let s = self.slots[i];
            if s.tag == tag && s.key == key {
                return s.val;
            }
            if s.tag >> 1 != self.gen {
                break;
            }
            i = (i + 1) & mask;
        }
        let val = make();
        self.slots[i] = Slot { key, tag, val };
        self.len += 1;
        if self.len * 2 > self.slots.len() {
            self.grow();
        }
        val
    }

    /// Double the slots, keeping the current generation's entries.
    fn grow(&mut self) {
        let bigger = vec![Slot::default(); self.slots.len() * 2];
        let old = std::mem::replace(&mut self.slots, bigger);
        let mask = self.slots.len() - 1;
        for s in old.into_iter().filter(|s| s.tag >> 1 == self.gen) {
            let mut i = self.home(s.key);
            while self.slots[i].tag >> 1 == self.gen {
                i = (i + 1) & mask;
            }
            self.slots[i] = s;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_and_kinds_are_told_apart_and_clear_forgets_them() {
        let mut t = Interner::default();
        let mut next = 0;
        let mut make = || {
            next += 1;
            next
        };
        let a = t.get_or_insert(5, false, &mut make);
        let b = t.get_or_insert(5, true, &mut make);
        assert_ne!(a, b);
        assert_eq!(t.get_or_insert(5, false, || unreachable!()), a);
        assert_eq!(t.get_or_insert(5, true, || unreachable!()), b);
        t.clear();
        assert_eq!(t.get_or_insert(5, false, || 99), 99);
    }

    #[test]
    fn many_keys_survive_growth_and_collisions() {
        let mut t = Interner::default();
        // Keys that differ only in high bits, and enough of them to grow the table 5 times.
        let keys: Vec<u64> = (0..2000u64).map(|i| i << 40 | (i & 3)).collect();
        for (n, &k) in keys.iter().enumerate() {
            assert_eq!(t.get_or_insert(k, n % 2 == 0, || n as u32), n as u32);
        }
        for (n, &k) in keys.iter().enumerate() {
            assert_eq!(t.get_or_insert(k, n % 2 == 0, || unreachable!()), n as u32);
        }
        assert!(t.slots.len() >= 4096);
    }

    #[test]
    fn the_generation_wraps_to_an_empty_table() {
        let mut t = Interner::default();
        t.get_or_insert(7, false, || 1);
        t.gen = MAX_GEN;
        t.get_or_insert(7, false, || 2);
        t.clear();
        assert_eq!(t.gen, 1);
        // Neither the old generation-1 entry nor the MAX_GEN one is seen.
        assert_eq!(t.get_or_insert(7, false, || 3), 3);
    }
}
