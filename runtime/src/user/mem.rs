//! Guest memory of a user-mode process: the whole guest address space (4 GiB for 32-bit
//! guests) reserved as one anonymous mapping (memmap2), accessed through bounds-checked
//! slices, with per-page permissions checked on every access and a "holds translated code"
//! bit so that stores to code pages invalidate their translations. Guest code can never reach
//! host memory outside the reservation.

use crate::interp::MemFault;
use memmap2::MmapMut;

pub const PAGE: u64 = 4096;
pub const PROT_READ: u8 = 1;
pub const PROT_WRITE: u8 = 2;
pub const PROT_EXEC: u8 = 4;
/// Page holds code that has been translated.
const HAS_CODE: u8 = 8;
/// Page is mapped (permissions may still be none).
const MAPPED: u8 = 16;

pub struct GuestMem {
    map: MmapMut,
    flags: Vec<u8>,
    size: u64,
    /// Pages with translated code that were written since the last `take_dirty_code`.
    dirty_code: Vec<u64>,
}

impl std::fmt::Debug for GuestMem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "GuestMem({:#x} bytes)", self.size)
    }
}

impl GuestMem {
    /// Reserve a guest address space of `1 << addr_bits` bytes (at most 32 bits here).
    pub fn new(addr_bits: u32) -> std::io::Result<Self> {
        let size = 1u64 << addr_bits;
        let map = MmapMut::map_anon(size as usize)?;
        Ok(GuestMem { map, flags: vec![0; (size / PAGE) as usize], size, dirty_code: Vec::new() })
    }

    pub fn size(&self) -> u64 {
        self.size
    }

    fn page(&self, addr: u64) -> Option<usize> {
        if addr < self.size {
            Some((addr / PAGE) as usize)
        } else {
            None
        }
    }

    /// Map `[addr, addr+len)` with `prot` (page-aligned outward). Newly mapped pages read as zero.
    pub fn map(&mut self, addr: u64, len: u64, prot: u8) {
        let start = addr & !(PAGE - 1);
        let end = (addr + len).div_ceil(PAGE) * PAGE;
        let mut a = start;
        while a < end && a < self.size {
            let p = (a / PAGE) as usize;
            if self.flags[p] & MAPPED == 0 {
                self.map[a as usize..(a + PAGE) as usize].fill(0);
            }
            self.flags[p] = MAPPED | (prot & 7) | (self.flags[p] & HAS_CODE);
            a += PAGE;
        }
    }

    /// Unmap the pages of `[addr, addr+len)`.
    pub fn unmap(&mut self, addr: u64, len: u64) {
        let mut a = addr & !(PAGE - 1);
        while a < addr + len && a < self.size {
            let p = (a / PAGE) as usize;
            if self.flags[p] & HAS_CODE != 0 {
                self.dirty_code.push(a);
            }
            self.flags[p] = 0;
            a += PAGE;
        }
    }

    /// Change permissions of mapped pages; `false` if some page is not mapped.
    pub fn protect(&mut self, addr: u64, len: u64, prot: u8) -> bool {
        let mut a = addr & !(PAGE - 1);
        let mut ok = true;
        while a < addr + len && a < self.size {
            let p = (a / PAGE) as usize;
            if self.flags[p] & MAPPED == 0 {
                ok = false;
            } else {
                if self.flags[p] & HAS_CODE != 0 && prot & PROT_EXEC == 0 {
                    self.dirty_code.push(a);
                }
                self.flags[p] = MAPPED | (prot & 7) | (self.flags[p] & HAS_CODE);
            }
            a += PAGE;
        }
        ok
    }

    pub fn is_mapped(&self, addr: u64) -> bool {
        self.page(addr).is_some_and(|p| self.flags[p] & MAPPED != 0)
    }

    pub fn prot(&self, addr: u64) -> u8 {
        self.page(addr).map(|p| self.flags[p] & 7).unwrap_or(0)
    }

    /// Lowest free (unmapped) range of `len` bytes at or above `from`, below `limit`.
    pub fn find_free(&self, from: u64, limit: u64, len: u64) -> Option<u64> {
        let pages = len.div_ceil(PAGE) as usize;
        let mut start = (from.div_ceil(PAGE)) as usize;
        let last = (limit.min(self.size) / PAGE) as usize;
        let mut run = 0;
        let mut p = start;
        while p < last {
            if self.flags[p] & MAPPED == 0 {
                run += 1;
                if run == pages {
                    return Some(start as u64 * PAGE);
                }
            } else {
                run = 0;
                start = p + 1;
            }
            p += 1;
        }
        None
    }

    fn check(&self, addr: u64, len: u64, need: u8, write: bool) -> Result<(), MemFault> {
        if len == 0 {
            return Ok(());
        }
        let end =
            addr.checked_add(len - 1).filter(|&e| e < self.size).ok_or(MemFault { addr, write, protection: false })?;
        let mut p = addr / PAGE;
        while p <= end / PAGE {
            let f = self.flags[p as usize];
            if f & MAPPED == 0 {
                return Err(MemFault { addr: (p * PAGE).max(addr), write, protection: false });
            }
            if f & need != need {
                return Err(MemFault { addr: (p * PAGE).max(addr), write, protection: true });
            }
            p += 1;
        }
        Ok(())
    }

    /// A load for the runtime's own use (system-call arguments on the stack).
    pub fn load_quiet(&self, addr: u64, size: u8, big_endian: bool) -> Option<u64> {
        self.load(addr, size, big_endian).ok()
    }

    /// A guest load of `size` bytes.
    pub fn load(&self, addr: u64, size: u8, big_endian: bool) -> Result<u64, MemFault> {
        self.check(addr, size as u64, PROT_READ, false)?;
        let a = addr as usize;
        let s = &self.map[a..a + size as usize];
        let mut v = 0u64;
        if big_endian {
            for &x in s {
                v = (v << 8) | x as u64;
            }
        } else {
            for &x in s.iter().rev() {
                v = (v << 8) | x as u64;
            }
        }
        Ok(v)
    }

    fn note_code_write(&mut self, addr: u64, len: u64) {
        let mut p = addr / PAGE;
        while p <= (addr + len - 1) / PAGE {
            if self.flags[p as usize] & HAS_CODE != 0 {
                self.flags[p as usize] &= !HAS_CODE;
                self.dirty_code.push(p * PAGE);
            }
            p += 1;
        }
    }

    /// A guest store of the low `size` bytes of `v`.
    pub fn store(&mut self, addr: u64, v: u64, size: u8, big_endian: bool) -> Result<(), MemFault> {
        self.check(addr, size as u64, PROT_WRITE, true)?;
        self.note_code_write(addr, size as u64);
        let a = addr as usize;
        let n = size as usize;
        let d = &mut self.map[a..a + n];
        for (i, byte) in d.iter_mut().enumerate() {
            let shift = if big_endian { (n - 1 - i) * 8 } else { i * 8 };
            *byte = (v >> shift) as u8;
        }
        Ok(())
    }

    /// Copy code bytes for translation; marks the pages as holding code. Returns the number of
    /// bytes copied (stops at the first non-executable page).
    pub fn fetch(&mut self, addr: u64, buf: &mut [u8]) -> usize {
        let mut n = 0;
        while n < buf.len() {
            let a = addr + n as u64;
            let Some(p) = self.page(a) else { break };
            if self.flags[p] & (MAPPED | PROT_EXEC) != MAPPED | PROT_EXEC {
                break;
            }
            self.flags[p] |= HAS_CODE;
            buf[n] = self.map[a as usize];
            n += 1;
        }
        n
    }

    /// Whether the page at `addr` may be executed.
    pub fn executable(&self, addr: u64) -> bool {
        self.page(addr).is_some_and(|p| self.flags[p] & (MAPPED | PROT_EXEC) == MAPPED | PROT_EXEC)
    }

    /// Pages holding translated code that were modified or unmapped since the last call.
    pub fn take_dirty_code(&mut self) -> Vec<u64> {
        std::mem::take(&mut self.dirty_code)
    }

    /// Read guest bytes for a system call (permission-checked).
    pub fn read_bytes(&self, addr: u64, len: usize) -> Result<&[u8], MemFault> {
        self.check(addr, len as u64, PROT_READ, false)?;
        Ok(&self.map[addr as usize..addr as usize + len])
    }

    /// Write guest bytes for a system call (permission-checked).
    pub fn write_bytes(&mut self, addr: u64, data: &[u8]) -> Result<(), MemFault> {
        self.check(addr, data.len() as u64, PROT_WRITE, true)?;
        if !data.is_empty() {
            self.note_code_write(addr, data.len() as u64);
        }
        self.map[addr as usize..addr as usize + data.len()].copy_from_slice(data);
        Ok(())
    }

    /// Write bytes ignoring permissions (the loader, the kernel building the stack).
    pub fn poke(&mut self, addr: u64, data: &[u8]) -> Result<(), MemFault> {
        self.check(addr, data.len() as u64, 0, true)?;
        self.map[addr as usize..addr as usize + data.len()].copy_from_slice(data);
        Ok(())
    }

    /// Read a NUL-terminated string (at most `max` bytes).
    pub fn read_cstr(&self, addr: u64, max: usize) -> Result<Vec<u8>, MemFault> {
        let mut out = Vec::new();
        let mut a = addr;
        while out.len() < max {
            let b = self.read_bytes(a, 1)?[0];
            if b == 0 {
                return Ok(out);
            }
            out.push(b);
            a += 1;
        }
        Ok(out)
    }
}
