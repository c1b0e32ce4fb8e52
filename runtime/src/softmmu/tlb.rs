//! The per-vCPU soft TLB: a direct-mapped cache, one table per MMU index (privilege mode),
//! from a virtual page to where the page lives (host memory or the slow path through the
//! address space) and what it allows (read, write, execute). The architecture fills it from
//! its MMU walk on a miss and flushes it when its translation changes (TLB writes, ASID or
//! mode-mapping changes).
//!
//! Beside each table it keeps the same translations in the layout compiled code reads inline
//! ([`FastEntry`], DESIGN.md section 6): per slot a read tag, a write tag and the addend from
//! guest-virtual to host address. A tag is the page address when the access may go straight
//! to host memory, and [`NO_TAG`] otherwise (MMIO, ROM writes, pages holding translated
//! code, no permission), so those accesses take the slow path.
//!
//! Owns the cache only; must not know how an architecture translates addresses or raises
//! faults.

use super::space::{PageTarget, PAGE_SIZE};

/// Slots per MMU mode (a power of two; compiled code masks with `ENTRIES - 1`).
pub const ENTRIES: usize = 256;

/// A tag no access matches: compiled code compares `vaddr & (page mask | alignment mask)`,
/// whose low 12 bits are zero for an aligned access, against the tag.
pub const NO_TAG: u32 = 1;

/// One slot as compiled code reads it (16 bytes; 32-bit guest addresses).
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FastEntry {
    /// The virtual page address when reads may use host memory directly, else [`NO_TAG`].
    pub read: u32,
    /// The same for writes.
    pub write: u32,
    /// Host address minus guest-virtual address, for the page.
    pub addend: u64,
}

const EMPTY_FAST: FastEntry = FastEntry { read: NO_TAG, write: NO_TAG, addend: 0 };

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
    /// `ENTRIES` fast entries per mode, mode after mode; never reallocated (compiled code
    /// holds its address).
    fast: Box<[FastEntry]>,
}

impl SoftTlb {
    /// A TLB with `mmu_modes` independent tables (for example kernel, supervisor, user).
    pub fn new(mmu_modes: usize) -> Self {
        let modes = mmu_modes.max(1);
        SoftTlb { tables: vec![vec![None; ENTRIES]; modes], fast: vec![EMPTY_FAST; modes * ENTRIES].into_boxed_slice() }
    }

    /// The fast table of mode `mmu` (`ENTRIES` [`FastEntry`]s), for compiled code.
    pub fn fast_table(&self, mmu: usize) -> *const FastEntry {
        self.fast[(mmu * ENTRIES).min(self.fast.len() - ENTRIES)..].as_ptr()
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

    /// Cache a translation (replacing whatever shared its slot). `direct_write`: writes
    /// may go to host memory without the slow path (false for pages holding translated code).
    pub fn insert(&mut self, mmu: usize, e: TlbEntry, direct_write: bool) {
        if let Some(t) = self.tables.get_mut(mmu) {
            let slot = Self::slot(e.vpage);
            t[slot] = Some(e);
            let tag = e.vpage as u32;
            self.fast[mmu * ENTRIES + slot] = match e.target {
                PageTarget::Host { ptr, rom } if e.vpage <= u32::MAX as u64 => FastEntry {
                    read: if e.read { tag } else { NO_TAG },
                    write: if e.write && !rom && direct_write { tag } else { NO_TAG },
                    addend: (ptr as u64).wrapping_sub(e.vpage),
                },
                _ => EMPTY_FAST,
            };
        }
    }

    /// Send writes to physical page `ppage` through the slow path from now on (it now
    /// holds translated code).
    pub fn forbid_direct_write(&mut self, ppage: u64) {
        for (m, t) in self.tables.iter().enumerate() {
            for (i, e) in t.iter().enumerate() {
                if e.is_some_and(|x| x.ppage == ppage) {
                    self.fast[m * ENTRIES + i].write = NO_TAG;
                }
            }
        }
    }

    /// Forget everything.
    pub fn flush(&mut self) {
        for t in &mut self.tables {
            t.iter_mut().for_each(|e| *e = None);
        }
        self.fast.iter_mut().for_each(|e| *e = EMPTY_FAST);
    }

    /// Forget every translation to physical page `ppage` (its contents changed meaning).
    pub fn flush_phys_page(&mut self, ppage: u64) {
        for (m, t) in self.tables.iter_mut().enumerate() {
            for (i, e) in t.iter_mut().enumerate() {
                if e.is_some_and(|x| x.ppage == ppage) {
                    *e = None;
                    self.fast[m * ENTRIES + i] = EMPTY_FAST;
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
        t.insert(0, entry(0x8000_1000, false), true);
        assert!(t.lookup(0, 0x8000_1ffc, Access::Read).is_some());
        assert!(t.lookup(0, 0x8000_1ffc, Access::Write).is_none(), "read-only page");
        assert!(t.lookup(0, 0x8000_1000, Access::Fetch).is_none(), "not executable");
        assert!(t.lookup(1, 0x8000_1000, Access::Read).is_none(), "other mode");
        assert!(t.lookup(0, 0x8010_1000, Access::Read).is_none(), "same slot, other page");
        t.insert(0, entry(0x8010_1000, true), true);
        assert!(t.lookup(0, 0x8000_1000, Access::Read).is_none(), "evicted");
        assert!(t.lookup(0, 0x8010_1000, Access::Write).is_some());
        t.flush_phys_page(0x5000);
        assert!(t.lookup(0, 0x8010_1000, Access::Read).is_none());
        t.insert(1, entry(0x1000, true), true);
        t.flush();
        assert!(t.lookup(1, 0x1000, Access::Read).is_none());
        assert!(t.lookup(7, 0x1000, Access::Read).is_none(), "no such mode: a miss, not a panic");
    }

    #[test]
    fn fast_entries_follow_the_table() {
        let mut t = SoftTlb::new(2);
        let fast = |t: &SoftTlb, m: usize, va: u64| {
            // SAFETY: the table has ENTRIES entries per mode.
            unsafe { *t.fast_table(m).add(SoftTlb::slot(va)) }
        };
        let ram =
            TlbEntry { target: PageTarget::Host { ptr: 0x7f00_0000_0000, rom: false }, ..entry(0x8000_1000, true) };
        t.insert(1, ram, true);
        let f = fast(&t, 1, 0x8000_1000);
        assert_eq!((f.read, f.write), (0x8000_1000, 0x8000_1000));
        assert_eq!(0x8000_1234u64.wrapping_add(f.addend), 0x7f00_0000_0234);
        assert_eq!(fast(&t, 0, 0x8000_1000).read, NO_TAG, "other mode");
        t.forbid_direct_write(0x5000);
        assert_eq!((fast(&t, 1, 0x8000_1000).read, fast(&t, 1, 0x8000_1000).write), (0x8000_1000, NO_TAG));
        let rom = TlbEntry { target: PageTarget::Host { ptr: 0x7f00_0000_0000, rom: true }, ..ram };
        t.insert(1, rom, true);
        assert_eq!(fast(&t, 1, 0x8000_1000).write, NO_TAG, "ROM writes are ignored by the slow path");
        t.insert(1, entry(0x8000_1000, true), true);
        assert_eq!(fast(&t, 1, 0x8000_1000).read, NO_TAG, "MMIO");
        t.insert(1, ram, false);
        assert_eq!(fast(&t, 1, 0x8000_1000).write, NO_TAG, "a code page");
        t.flush_phys_page(0x5000);
        assert_eq!(fast(&t, 1, 0x8000_1000).read, NO_TAG);
        t.insert(1, ram, true);
        t.flush();
        assert_eq!(fast(&t, 1, 0x8000_1000).read, NO_TAG);
    }
}
