//! What the optimizer's forward pass knows about values at a point of a block: copies and
//! constants a value equals, values known to be non-zero, values whose low bits are known to
//! be zero (alignment), and how some temporaries were defined (the low bits of a value, a
//! value plus a constant). Every fact is tied to the generations of the values it names, so
//! redefining a value invalidates what was known about it without a search.
//!
//! Owns only these tables and their snapshots at branches; the pass that reads them, and the
//! rewrites they allow, live in `opt`.

use crate::ir::Val;

/// How a temporary was defined, while the values named keep the generations recorded.
#[derive(Clone, Copy, Debug)]
pub(super) enum Derived {
    /// `t = extract(src, 0, k)` unsigned: t is the low `k` bits of `src`.
    LowBits { src: Val, src_gen: u32, k: u8, gen: u32 },
    /// `t = base + c` (c a constant).
    AddConst { base: Val, base_gen: u32, c: u64, gen: u32 },
}

/// A fact to carry to a label that one branch reaches.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) enum Fact {
    /// `v` equals `s` (of generation `g`).
    Eq(Val, Val, u32),
    /// `v` (of generation `g`) is non-zero.
    NonZero(Val, u32),
    /// The low `k` bits of `v` (of generation `g`) are zero.
    Aligned(Val, u8, u32),
}

pub(super) type Snapshot = smallvec::SmallVec<[Fact; 8]>;

pub(super) struct Known {
    known: Vec<Option<(Val, u32)>>,
    generation: Vec<u32>,
    nonzero: Vec<Option<u32>>,
    align: Vec<Option<(u8, u32)>>,
    derived: Vec<Option<Derived>>,
    /// Values with an entry in any table, each once, to clear quickly: a value has an
    /// entry (current or not) exactly when it is here.
    set: Vec<Val>,
}

impl Known {
    pub(super) fn new(n: usize) -> Self {
        Known {
            known: vec![None; n],
            generation: vec![0; n],
            nonzero: vec![None; n],
            align: vec![None; n],
            derived: vec![None; n],
            set: Vec::new(),
        }
    }

    pub(super) fn grow(&mut self, n: usize) {
        if self.known.len() < n {
            self.known.resize(n, None);
            self.generation.resize(n, 0);
            self.nonzero.resize(n, None);
            self.align.resize(n, None);
            self.derived.resize(n, None);
        }
    }

    pub(super) fn gen(&self, v: Val) -> u32 {
        self.generation.get(v.0 as usize).copied().unwrap_or(0)
    }

    pub(super) fn get(&self, v: Val) -> Option<Val> {
        match self.known.get(v.0 as usize).copied().flatten() {
            Some((s, g)) if self.gen(s) == g => Some(s),
            _ => None,
        }
    }

    pub(super) fn insert(&mut self, d: Val, src: Val) {
        self.grow(d.0.max(src.0) as usize + 1);
        self.track(d);
        self.known[d.0 as usize] = Some((src, self.gen(src)));
    }

    pub(super) fn is_nonzero(&self, v: Val) -> bool {
        matches!(self.nonzero.get(v.0 as usize), Some(Some(g)) if *g == self.gen(v))
    }

    pub(super) fn set_nonzero(&mut self, v: Val) {
        self.grow(v.0 as usize + 1);
        self.track(v);
        self.nonzero[v.0 as usize] = Some(self.gen(v));
    }

    /// How many low bits of `v` are known to be zero (0 when nothing is known).
    pub(super) fn aligned(&self, v: Val) -> u8 {
        match self.align.get(v.0 as usize).copied().flatten() {
            Some((k, g)) if g == self.gen(v) => k,
            _ => 0,
        }
    }

    /// The low `k` bits of `v` are zero; when `v` is a constant offset from a value, so are
    /// that value's low bits up to the offset's alignment.
    pub(super) fn set_aligned(&mut self, v: Val, k: u8) {
        if k <= self.aligned(v) {
            return;
        }
        self.grow(v.0 as usize + 1);
        self.track(v);
        self.align[v.0 as usize] = Some((k, self.gen(v)));
        if let Some(Derived::AddConst { base, base_gen, c, .. }) = self.derived(v) {
            if base_gen == self.gen(base) {
                self.set_aligned(base, k.min(c.trailing_zeros() as u8));
            }
        }
    }

    /// The values known aligned, and by how many bits, when `t` is zero: `t` is the low `k`
    /// bits of `x`, and `x` may be a constant offset from another value.
    pub(super) fn alignment_of_zero_low_bits(&self, t: Val) -> smallvec::SmallVec<[(Val, u8); 2]> {
        let mut out = smallvec::SmallVec::new();
        if let Some(Derived::LowBits { src, k, .. }) = self.derived(t) {
            let (mut v, mut k) = (src, k);
            while k > 0 && out.len() < 4 {
                out.push((v, k));
                match self.derived(v) {
                    Some(Derived::AddConst { base, c, .. }) => {
                        k = k.min(c.trailing_zeros() as u8);
                        v = base;
                    }
                    _ => break,
                }
            }
        }
        out
    }

    /// How `t` was defined, if every value that names is still current.
    pub(super) fn derived(&self, t: Val) -> Option<Derived> {
        let d = self.derived.get(t.0 as usize).copied().flatten()?;
        let current = match d {
            Derived::LowBits { src, src_gen, gen, .. } => gen == self.gen(t) && src_gen == self.gen(src),
            Derived::AddConst { base, base_gen, gen, .. } => gen == self.gen(t) && base_gen == self.gen(base),
        };
        current.then_some(d)
    }

    /// Record how `t` was just defined (after [`forget`](Self::forget) of `t`).
    pub(super) fn set_derived(&mut self, t: Val, d: Derived) {
        self.grow(t.0 as usize + 1);
        self.track(t);
        self.derived[t.0 as usize] = Some(d);
    }

    /// Put `v` in `set` unless it has an entry already (and so is there).
    fn track(&mut self, v: Val) {
        let i = v.0 as usize;
        if self.known[i].is_none() && self.nonzero[i].is_none() && self.align[i].is_none() && self.derived[i].is_none()
        {
            self.set.push(v);
        }
    }

    /// `d` is redefined: forget what it equals and what equals it.
    pub(super) fn forget(&mut self, d: Val) {
        let i = d.0 as usize;
        if i < self.known.len() {
            self.known[i] = None;
            self.generation[i] = self.generation[i].wrapping_add(1);
        }
    }

    pub(super) fn clear(&mut self) {
        for v in self.set.drain(..) {
            let i = v.0 as usize;
            self.known[i] = None;
            self.nonzero[i] = None;
            self.align[i] = None;
            self.derived[i] = None;
        }
    }

    /// The current facts, to restore at a label only one branch reaches.
    pub(super) fn snapshot(&self) -> Snapshot {
        let mut out = Snapshot::new();
        for &v in &self.set {
            if let Some(s) = self.get(v) {
                out.push(Fact::Eq(v, s, self.gen(s)));
            }
            if self.is_nonzero(v) {
                out.push(Fact::NonZero(v, self.gen(v)));
            }
            let k = self.aligned(v);
            if k > 0 {
                out.push(Fact::Aligned(v, k, self.gen(v)));
            }
        }
        out
    }

    /// The fact as strong as both `f` and what holds now, if any part of it does.
    fn weakest(&self, f: Fact) -> Option<Fact> {
        match f {
            Fact::Eq(v, s, _) => (self.get(v) == Some(s)).then_some(f),
            Fact::NonZero(v, _) => self.is_nonzero(v).then_some(f),
            Fact::Aligned(v, k, g) => {
                let k = k.min(self.aligned(v));
                (k > 0).then_some(Fact::Aligned(v, k, g))
            }
        }
    }

    /// Keep only the facts that also hold in `snap`.
    pub(super) fn intersect(&mut self, snap: &Snapshot) {
        let keep: Snapshot = snap.iter().filter_map(|&f| self.weakest(f)).collect();
        self.restore(&keep);
    }

    pub(super) fn restore(&mut self, snap: &Snapshot) {
        self.clear();
        for &f in snap {
            match f {
                Fact::Eq(v, s, g) if self.gen(s) == g => {
                    self.track(v);
                    self.known[v.0 as usize] = Some((s, g));
                }
                Fact::NonZero(v, g) if self.gen(v) == g => {
                    self.track(v);
                    self.nonzero[v.0 as usize] = Some(g);
                }
                Fact::Aligned(v, k, g) if self.gen(v) == g => {
                    self.track(v);
                    self.align[v.0 as usize] = Some((k, g));
                }
                _ => {}
            }
        }
    }
}
