//! A fast hash for the runtime's internal tables keyed by small integers (value indices,
//! guest addresses of blocks and pages). Not collision-resistant: only for keys the guest
//! cannot choose to attack the host with (a slow table is the worst a guest could cause).
//!
//! Owns the hasher only; knows nothing of what the tables hold.

/// A fast hasher for small integer keys (translation-time maps; no untrusted keys).
#[derive(Default, Clone, Copy)]
pub struct BuildFx;

/// A `HashMap` with [`BuildFx`].
pub type FxHashMap<K, V> = std::collections::HashMap<K, V, BuildFx>;

impl std::hash::BuildHasher for BuildFx {
    type Hasher = FxHasher;
    fn build_hasher(&self) -> FxHasher {
        FxHasher(0)
    }
}

/// Multiply-rotate hashing (the scheme rustc uses for its own tables).
#[derive(Default, Clone, Copy)]
pub struct FxHasher(u64);

impl std::hash::Hasher for FxHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(b as u64);
        }
    }
    fn write_u8(&mut self, i: u8) {
        self.write_u64(i as u64)
    }
    fn write_u32(&mut self, i: u32) {
        self.write_u64(i as u64)
    }
    fn write_u64(&mut self, i: u64) {
        self.0 = (self.0.rotate_left(5) ^ i).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
    fn write_usize(&mut self, i: usize) {
        self.write_u64(i as u64)
    }
}
