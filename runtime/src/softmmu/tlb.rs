//! The per-vCPU soft TLB: a direct-mapped cache, one table per MMU index (privilege mode),
//! from a virtual page to where the page lives (host memory or the slow path through the
//! address space) and what it allows (read, write, execute). The architecture fills it from
//! its MMU walk on a miss and flushes it when its translation changes (TLB writes, ASID or
//! mode-mapping changes).
//!
//! Owns the cache only; must not know how an architecture translates addresses or raises
//! faults.

use super::space::{PageTarget, PAGE_SIZE};

const ENTRIES: usize = 256;

/// The kind of access.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    Read,
    Write,
    Fetch,
}

/// One cached translation of a 4 KiB virtual page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TlbEntry {
    /// Virtual page address.
    pub vpage: u64,
    /// Physical page address.
    pub ppage: u64,
    pub target: PageTarget,
    pub read: bool,
    pub write: bool,
    pub exec: bool,
}

impl TlbEntry {
    fn allows(&self, a: Access) -> bool {
        match a {
            Access::Read => self.read,
            Access::Write => self.write,
            Access::Fetch => self.exec,
        }
    }
}

/// The soft TLB of one vCPU.
#[derive(Debug, Clone)]
pub struct SoftTlb {
    tables: Vec<Vec<Option<TlbEntry>>>,
}

impl SoftTlb {
    /// A TLB with `mmu_modes` independent tables (for example kernel, supervisor, user).
    pub fn new(mmu_modes: usize) -> Self {
        SoftTlb { tables: vec![vec![None; ENTRIES]; mmu_modes.max(1)] }
    }

    fn slot(vaddr: u64) -> usize {
        ((vaddr / PAGE_SIZE) as usize) & (ENTRIES - 1)
    }

    /// The entry for `vaddr` in mode `mmu`, when cached and allowing `access`.
    #[inline]
    pub fn lookup(&self, mmu: usize, vaddr: u64, access: Access) -> Option<&TlbEntry> {
        let e = self.tables.get(mmu)?[Self::slot(vaddr)].as_ref()?;
        (e.vpage == vaddr & !(PAGE_SIZE - 1) && e.allows(access)).then_some(e)
    }

    /// Cache a translation (replacing whatever shared its slot).
    pub fn insert(&mut self, mmu: usize, e: TlbEntry) {
        if let Some(t) = self.tables.get_mut(mmu) {
            t[Self::slot(e.vpage)] = Some(e);
        }
    }

    /// Forget everything.
    pub fn flush(&mut self) {
        for t in &mut self.tables {
            t.iter_mut().for_each(|e| *e = None);
        }
    }

    /// Forget every translation to physical page `ppage` (its contents changed meaning).
    pub fn flush_phys_page(&mut self, ppage: u64) {
        for t in &mut self.tables {
            for e in t.iter_mut() {
                if e.is_some_and(|x| x.ppage == ppage) {
                    *e = None;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(vpage: u64, write: bool) -> TlbEntry {
        TlbEntry { vpage, ppage: 0x5000, target: PageTarget::Slow, read: true, write, exec: false }
    }

    #[test]
    fn hit_miss_permissions_modes_and_flush() {
        let mut t = SoftTlb::new(2);
        t.insert(0, entry(0x8000_1000, false));
        assert!(t.lookup(0, 0x8000_1ffc, Access::Read).is_some());
        assert!(t.lookup(0, 0x8000_1ffc, Access::Write).is_none(), "read-only page");
        assert!(t.lookup(0, 0x8000_1000, Access::Fetch).is_none(), "not executable");
        assert!(t.lookup(1, 0x8000_1000, Access::Read).is_none(), "other mode");
        assert!(t.lookup(0, 0x8010_1000, Access::Read).is_none(), "same slot, other page");
        t.insert(0, entry(0x8010_1000, true));
        assert!(t.lookup(0, 0x8000_1000, Access::Read).is_none(), "evicted");
        assert!(t.lookup(0, 0x8010_1000, Access::Write).is_some());
        t.flush_phys_page(0x5000);
        assert!(t.lookup(0, 0x8010_1000, Access::Read).is_none());
        t.insert(1, entry(0x1000, true));
        t.flush();
        assert!(t.lookup(1, 0x1000, Access::Read).is_none());
        assert!(t.lookup(7, 0x1000, Access::Read).is_none(), "no such mode: a miss, not a panic");
    }
}
