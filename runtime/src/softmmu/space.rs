//! The guest-physical address space: an ordered list of regions (RAM in anonymous memory
//! mappings, ROM, MMIO devices behind [`Device`]) and the bookkeeping of which RAM pages hold
//! translated code, so that a write to them can invalidate translations.
//!
//! Owns the host mappings and the region lookup; must not know what the devices are or how
//! virtual addresses map to physical ones. Regions are fixed once the board is built; the
//! space is shared (`Arc`) between the vCPU thread and the monitor.

use std::sync::atomic::{AtomicBool, AtomicU8, Ordering};
use std::sync::{Arc, Mutex};

/// Page size of code tracking and of the soft TLB.
pub const PAGE_SIZE: u64 = 4096;

/// A memory-mapped device. Offsets are relative to the region's base; `size` is 1, 2, 4 or
/// 8 bytes. Values are numbers (the device decides its own byte order).
pub trait Device: Send {
    fn read(&mut self, offset: u64, size: u32) -> u64;
    fn write(&mut self, offset: u64, size: u32, value: u64);
}

/// What backs a region.
pub enum RegionKind {
    /// Read-write memory.
    Ram,
    /// Read-only memory: guest writes are ignored; boards fill it with [`AddressSpace::load`].
    Rom,
    /// A device; reads and writes go to it.
    Mmio(Arc<Mutex<dyn Device>>),
    /// Decoded but empty: reads return all ones, writes are ignored (an ISA bus hole).
    Open,
}

struct Region {
    name: String,
    base: u64,
    size: u64,
    kind: RegionKind,
    mem: Option<memmap2::MmapRaw>,
    /// RAM only: one byte per page, non-zero when translated code came from the page.
    code: Vec<AtomicU8>,
}

/// An access that no region decodes (the architecture raises a bus error).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BusError {
    pub paddr: u64,
}

/// Where a physical page lives, for the soft TLB.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageTarget {
    /// Host memory: address of the page's first byte; `rom` when writes are ignored.
    Host { ptr: usize, rom: bool },
    /// Goes through [`AddressSpace::read`]/[`AddressSpace::write`] (devices, holes).
    Slow,
}

/// The guest-physical address space.
pub struct AddressSpace {
    regions: Vec<Region>,
    code_written: AtomicBool,
    dirty_code: Mutex<Vec<u64>>,
}

impl std::fmt::Debug for AddressSpace {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut l = f.debug_list();
        for r in &self.regions {
            l.entry(&format_args!("{} {:#x}+{:#x}", r.name, r.base, r.size));
        }
        l.finish()
    }
}

impl Default for AddressSpace {
    fn default() -> Self {
        Self::new()
    }
}

impl AddressSpace {
    pub fn new() -> Self {
        AddressSpace { regions: Vec::new(), code_written: AtomicBool::new(false), dirty_code: Mutex::new(Vec::new()) }
    }

    /// Add a region. Earlier regions win where regions overlap (a device inside a bus hole).
    /// RAM and ROM sizes are rounded up to whole pages.
    pub fn add(&mut self, name: &str, base: u64, size: u64, kind: RegionKind) -> Result<(), String> {
        if size == 0 || base.checked_add(size).is_none() {
            return Err(format!("region {name}: bad size {size:#x} at {base:#x}"));
        }
        let (mem, code, size) = match kind {
            RegionKind::Ram | RegionKind::Rom => {
                let size = size.div_ceil(PAGE_SIZE) * PAGE_SIZE;
                let m = memmap2::MmapOptions::new()
                    .len(size as usize)
                    .map_anon()
                    .map_err(|e| format!("region {name}: cannot map {size:#x} bytes: {e}"))?;
                let raw = memmap2::MmapRaw::from(m);
                let pages = (size / PAGE_SIZE) as usize;
                (Some(raw), (0..pages).map(|_| AtomicU8::new(0)).collect(), size)
            }
            _ => (None, Vec::new(), size),
        };
        self.regions.push(Region { name: name.to_string(), base, size, kind, mem, code });
        Ok(())
    }

    fn find(&self, paddr: u64) -> Option<&Region> {
        self.regions.iter().find(|r| paddr >= r.base && paddr - r.base < r.size)
    }

    /// Host memory behind `[paddr, paddr + len)` when one RAM/ROM region holds all of it.
    fn host(&self, paddr: u64, len: u64) -> Option<(&Region, *mut u8)> {
        let r = self.find(paddr)?;
        let m = r.mem.as_ref()?;
        let off = paddr - r.base;
        if off + len > r.size {
            return None;
        }
        // SAFETY: `off + len <= r.size`, the length of the mapping.
        Some((r, unsafe { m.as_mut_ptr().add(off as usize) }))
    }

    /// Where the page holding `paddr` lives (for a soft-TLB fill): host memory when one
    /// RAM/ROM region decodes the whole page, else the slow path (devices, holes, pages that
    /// regions share).
    pub fn page_target(&self, paddr: u64) -> Option<PageTarget> {
        let page = paddr & !(PAGE_SIZE - 1);
        let r = self.regions.iter().find(|r| r.base < page + PAGE_SIZE && page < r.base + r.size)?;
        let whole = r.base <= page && page + PAGE_SIZE <= r.base + r.size;
        match (&r.kind, whole, self.host(page, PAGE_SIZE)) {
            (RegionKind::Ram, true, Some((_, p))) => Some(PageTarget::Host { ptr: p as usize, rom: false }),
            (RegionKind::Rom, true, Some((_, p))) => Some(PageTarget::Host { ptr: p as usize, rom: true }),
            _ => Some(PageTarget::Slow),
        }
    }

    /// Read `size` bytes at `paddr` in the given byte order (devices: their own value).
    pub fn read(&self, paddr: u64, size: u32, big_endian: bool) -> Result<u64, BusError> {
        let r = self.find(paddr).ok_or(BusError { paddr })?;
        match &r.kind {
            RegionKind::Mmio(d) => Ok(d.lock().unwrap_or_else(|e| e.into_inner()).read(paddr - r.base, size)),
            RegionKind::Open => Ok(u64::MAX >> (64 - 8 * size)),
            RegionKind::Ram | RegionKind::Rom => {
                let mut b = [0u8; 8];
                self.read_bytes(paddr, &mut b[..size as usize])?;
                Ok(from_bytes(&b[..size as usize], big_endian))
            }
        }
    }

    /// Write `size` bytes at `paddr`. Writes to ROM and holes are ignored.
    pub fn write(&self, paddr: u64, size: u32, value: u64, big_endian: bool) -> Result<(), BusError> {
        let r = self.find(paddr).ok_or(BusError { paddr })?;
        match &r.kind {
            RegionKind::Mmio(d) => {
                d.lock().unwrap_or_else(|e| e.into_inner()).write(paddr - r.base, size, value);
                Ok(())
            }
            RegionKind::Open | RegionKind::Rom => Ok(()),
            RegionKind::Ram => {
                let b = to_bytes(value, size, big_endian);
                self.write_bytes_inner(paddr, &b[..size as usize], false)
            }
        }
    }

    /// Copy guest memory out (RAM and ROM only; the monitor's `xp`, loaders).
    pub fn read_bytes(&self, paddr: u64, buf: &mut [u8]) -> Result<(), BusError> {
        let (_, p) = self.host(paddr, buf.len() as u64).ok_or(BusError { paddr })?;
        // SAFETY: `host` checked that the whole range lies inside the mapping.
        unsafe { std::ptr::copy_nonoverlapping(p, buf.as_mut_ptr(), buf.len()) };
        Ok(())
    }

    /// Copy data into RAM (debugger and semihosting writes; ROM ignores them).
    pub fn write_bytes(&self, paddr: u64, data: &[u8]) -> Result<(), BusError> {
        self.write_bytes_inner(paddr, data, false)
    }

    /// Copy data into RAM or ROM (image loading: ROM is writable this way).
    pub fn load(&self, paddr: u64, data: &[u8]) -> Result<(), BusError> {
        self.write_bytes_inner(paddr, data, true)
    }

    fn write_bytes_inner(&self, paddr: u64, data: &[u8], allow_rom: bool) -> Result<(), BusError> {
        let (r, p) = self.host(paddr, data.len() as u64).ok_or(BusError { paddr })?;
        if matches!(r.kind, RegionKind::Rom) && !allow_rom {
            return Ok(());
        }
        // SAFETY: `host` checked that the whole range lies inside the mapping.
        unsafe { std::ptr::copy_nonoverlapping(data.as_ptr(), p, data.len()) };
        if !data.is_empty() {
            self.note_write(paddr, data.len() as u64);
        }
        Ok(())
    }

    /// A write to `[paddr, paddr + len)` happened through a host pointer: record the code
    /// pages it hit.
    pub fn note_write(&self, paddr: u64, len: u64) {
        let Some(r) = self.find(paddr) else { return };
        if r.code.is_empty() {
            return;
        }
        let first = (paddr - r.base) / PAGE_SIZE;
        let last = ((paddr - r.base + len.max(1) - 1) / PAGE_SIZE).min(r.code.len() as u64 - 1);
        for i in first..=last {
            if r.code[i as usize].swap(0, Ordering::Relaxed) != 0 {
                self.dirty_code.lock().unwrap_or_else(|e| e.into_inner()).push(r.base + i * PAGE_SIZE);
                self.code_written.store(true, Ordering::Release);
            }
        }
    }

    /// Whether the page holding `paddr` is marked as holding translated code.
    pub fn is_code_page(&self, paddr: u64) -> bool {
        self.find(paddr)
            .filter(|r| !r.code.is_empty())
            .map(|r| r.code[((paddr - r.base) / PAGE_SIZE) as usize].load(Ordering::Relaxed) != 0)
            .unwrap_or(false)
    }

    /// Translated code now comes from the page holding `paddr`.
    pub fn mark_code_page(&self, paddr: u64) {
        if let Some(r) = self.find(paddr) {
            if let Some(c) = r.code.get(((paddr - r.base) / PAGE_SIZE) as usize) {
                c.store(1, Ordering::Relaxed);
            }
        }
    }

    /// Physical pages of translated code written since the last call.
    pub fn take_dirty_code(&self) -> Vec<u64> {
        if !self.code_written.swap(false, Ordering::Acquire) {
            return Vec::new();
        }
        std::mem::take(&mut *self.dirty_code.lock().unwrap_or_else(|e| e.into_inner()))
    }
}

/// Bytes to a number in the given byte order.
pub fn from_bytes(b: &[u8], big_endian: bool) -> u64 {
    let mut v = 0u64;
    if big_endian {
        for &x in b {
            v = v << 8 | x as u64;
        }
    } else {
        for &x in b.iter().rev() {
            v = v << 8 | x as u64;
        }
    }
    v
}

/// A number to `size` bytes in the given byte order (the first `size` of the result).
pub fn to_bytes(v: u64, size: u32, big_endian: bool) -> [u8; 8] {
    let mut b = [0u8; 8];
    for (i, x) in b.iter_mut().enumerate().take(size as usize) {
        let shift = if big_endian { 8 * (size as usize - 1 - i) } else { 8 * i };
        *x = (v >> shift) as u8;
    }
    b
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Reg(u64);
    impl Device for Reg {
        fn read(&mut self, offset: u64, _size: u32) -> u64 {
            self.0 + offset
        }
        fn write(&mut self, _offset: u64, _size: u32, value: u64) {
            self.0 = value;
        }
    }

    #[test]
    fn ram_rom_mmio_and_holes() {
        let mut s = AddressSpace::new();
        let dev = Arc::new(Mutex::new(Reg(0x100)));
        s.add("dev", 0x1000_0010, 8, RegionKind::Mmio(dev.clone())).unwrap();
        s.add("hole", 0x1000_0000, 0x1000, RegionKind::Open).unwrap();
        s.add("ram", 0, 0x10000, RegionKind::Ram).unwrap();
        s.add("rom", 0x1fc0_0000, 0x1000, RegionKind::Rom).unwrap();
        s.write(0x10, 4, 0x1122_3344, true).unwrap();
        assert_eq!(s.read(0x10, 1, true).unwrap(), 0x11);
        assert_eq!(s.read(0x10, 4, false).unwrap(), 0x4433_2211);
        s.load(0x1fc0_0000, &[1, 2]).unwrap();
        s.write(0x1fc0_0000, 1, 9, true).unwrap();
        assert_eq!(s.read(0x1fc0_0000, 2, true).unwrap(), 0x0102);
        assert_eq!(s.read(0x1000_0012, 1, true).unwrap(), 0x102);
        s.write(0x1000_0010, 1, 7, true).unwrap();
        assert_eq!(dev.lock().unwrap().0, 7);
        assert_eq!(s.read(0x1000_0020, 1, true).unwrap(), 0xff);
        assert_eq!(s.read(0x2000_0000, 4, true), Err(BusError { paddr: 0x2000_0000 }));
        assert!(s.read(0xffff, 4, true).is_err(), "straddles the end of RAM");
        assert_eq!(s.page_target(0x1000_0010), Some(PageTarget::Slow));
        assert!(matches!(s.page_target(0x2000), Some(PageTarget::Host { rom: false, .. })));
        assert!(matches!(s.page_target(0x1fc0_0000), Some(PageTarget::Host { rom: true, .. })));
        assert_eq!(s.page_target(0x3000_0000), None);
    }

    #[test]
    fn code_pages_report_writes() {
        let mut s = AddressSpace::new();
        s.add("ram", 0, 0x4000, RegionKind::Ram).unwrap();
        s.mark_code_page(0x1000);
        s.write(0x2000, 4, 1, false).unwrap();
        assert!(s.take_dirty_code().is_empty());
        s.write(0x1ffe, 4, 1, false).unwrap();
        assert_eq!(s.take_dirty_code(), vec![0x1000]);
        assert!(!s.is_code_page(0x1000));
    }
}
