//! The MIPS32 joint TLB (software-managed, R4000 style): entries mapping an even/odd pair of
//! virtual pages (VPN2, PageMask, ASID or Global) to two physical frames (EntryLo0/1 with
//! valid, dirty and cache bits), the probe/read/write operations behind tlbp, tlbr, tlbwi and
//! tlbwr, and the lookup that the address translation uses.
//!
//! Owns the entries only; CP0 register values come in and go out as arguments. Must not
//! raise exceptions (the caller turns a [`Lookup`] into one) or know the soft TLB.

/// Number of entries of the modelled CPU (24Kf: Config1.MMUSize = 15).
pub const ENTRIES: usize = 16;

/// One TLB entry, as tlbwi wrote it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Entry {
    /// EntryHi.VPN2 (bits 31:13), masked by PageMask.
    pub vpn2: u32,
    pub asid: u8,
    pub global: bool,
    /// PageMask (bits 28:13).
    pub mask: u32,
    /// EntryLo0/1 without the G bit: PFN (bits 25:6), C (5:3), D (2), V (1).
    pub lo: [u32; 2],
}

/// What a lookup found for an address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lookup {
    /// Mapped: physical address, whether writes are allowed (D), and the page size.
    Hit { paddr: u64, dirty: bool, page_size: u64 },
    /// A matching entry whose V bit is clear (TLB invalid exception).
    Invalid,
    /// No entry matches (TLB refill exception).
    Miss,
}

/// The TLB.
#[derive(Debug, Clone)]
pub struct Tlb {
    pub entries: [Entry; ENTRIES],
}

impl Default for Tlb {
    fn default() -> Self {
        Tlb { entries: [Entry::default(); ENTRIES] }
    }
}

impl Entry {
    fn matches(&self, vaddr: u32, asid: u8) -> bool {
        let m = !(self.mask | 0x1fff);
        (self.vpn2 & m) == (vaddr & m) && (self.global || self.asid == asid)
    }
}

impl Tlb {
    /// The entry mapping `vaddr` in address space `asid`.
    pub fn lookup(&self, vaddr: u32, asid: u8) -> Lookup {
        let Some(e) = self.entries.iter().find(|e| e.matches(vaddr, asid)) else {
            return Lookup::Miss;
        };
        let mask = e.mask | 0x1fff;
        let page_size = (mask as u64 + 1) >> 1;
        let odd = (vaddr as u64 & page_size) != 0;
        let lo = e.lo[odd as usize];
        if lo & 2 == 0 {
            return Lookup::Invalid;
        }
        let pfn = ((lo >> 6) & 0xf_ffff) as u64;
        let base = (pfn << 12) & !(page_size - 1);
        Lookup::Hit { paddr: base | (vaddr as u64 & (page_size - 1)), dirty: lo & 4 != 0, page_size }
    }

    /// tlbp: the index of the entry matching EntryHi, if any.
    pub fn probe(&self, entryhi: u32) -> Option<usize> {
        let (vpn2, asid) = (entryhi & 0xffff_e000, entryhi as u8);
        self.entries.iter().position(|e| e.matches(vpn2, asid))
    }

    /// tlbwi/tlbwr: write entry `index` from EntryHi, PageMask, EntryLo0 and EntryLo1.
    pub fn write(&mut self, index: usize, entryhi: u32, pagemask: u32, lo0: u32, lo1: u32) {
        let mask = pagemask & 0x1fff_e000;
        self.entries[index % ENTRIES] = Entry {
            vpn2: entryhi & 0xffff_e000 & !mask,
            asid: entryhi as u8,
            global: lo0 & lo1 & 1 != 0,
            mask,
            lo: [lo0 & !1, lo1 & !1],
        };
    }

    /// tlbr: (EntryHi, PageMask, EntryLo0, EntryLo1) of entry `index`.
    pub fn read(&self, index: usize) -> (u32, u32, u32, u32) {
        let e = &self.entries[index % ENTRIES];
        let g = e.global as u32;
        (e.vpn2 | e.asid as u32, e.mask, e.lo[0] | g, e.lo[1] | g)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairs_masks_asids_and_bits() {
        let mut t = Tlb::default();
        // 4 KiB pair at 0x00400000 (ASID 5): even page -> frame 0x100 (valid, dirty), odd
        // page -> frame 0x200 (valid, clean).
        t.write(3, 0x0040_0005, 0, 0x100 << 6 | 0b110, 0x200 << 6 | 0b010);
        assert_eq!(t.lookup(0x0040_0123, 5), Lookup::Hit { paddr: 0x10_0123, dirty: true, page_size: 4096 });
        assert_eq!(t.lookup(0x0040_1ffc, 5), Lookup::Hit { paddr: 0x20_0ffc, dirty: false, page_size: 4096 });
        assert_eq!(t.lookup(0x0040_0000, 6), Lookup::Miss, "other ASID");
        assert_eq!(t.probe(0x0040_1005), Some(3));
        assert_eq!(t.probe(0x0040_1006), None);
        assert_eq!(t.read(3), (0x0040_0005, 0, 0x100 << 6 | 0b110, 0x200 << 6 | 0b010));
        // Global 16 KiB pair, odd half invalid.
        t.write(0, 0x1000_00ff, 0x6000, 0x400 << 6 | 0b011, 0x404 << 6 | 0b001);
        assert_eq!(t.lookup(0x1000_3000, 1), Lookup::Hit { paddr: 0x40_3000, dirty: false, page_size: 16384 });
        assert_eq!(t.lookup(0x1000_4000, 2), Lookup::Invalid);
        assert_eq!(t.read(0).2 & 1, 1, "G reads back in both EntryLo");
    }
}
