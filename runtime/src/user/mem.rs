//! Guest memory of a user-mode process: the whole guest address space (4 GiB for 32-bit
//! guests) reserved as one private anonymous host mapping, accessed through bounds-checked
//! slices, with per-page permissions checked on every access and a "holds translated code"
//! bit so that stores to code pages invalidate their translations. Guest code can never reach
//! host memory outside the reservation.
//!
//! The host protection of every page mirrors what the guest may do without asking (as
//! QEMU's user mode does): no access to unmapped pages, read for readable or executable
//! pages, write for writable pages that hold no translated code. Compiled code therefore
//! accesses guest memory directly, and a host fault in it means the access needs the slow
//! path (a guest fault, or a write to translated code); see `jit::fault`. The runtime's own
//! accesses check guest permissions first and lift the host protection where it must write
//! anyway (the loader, code pages being written).
//!
//! Host mappings inside the reservation are replaced only here: file mappings (`map_file`),
//! System V shared memory (`attach_shm`), and fresh zero pages when guest pages are unmapped.
//! Invariant: a page that the guest has not mapped is a private anonymous zero page, so
//! mapping it needs no clearing.

use crate::interp::MemFault;

pub const PAGE: u64 = 4096;
pub const PROT_READ: u8 = 1;
pub const PROT_WRITE: u8 = 2;
pub const PROT_EXEC: u8 = 4;
/// Page holds code that has been translated.
const HAS_CODE: u8 = 8;
/// Page is mapped (permissions may still be none).
const MAPPED: u8 = 16;
/// The host mapping behind the page is read-only (a shared mapping of a read-only file, or a
/// read-only shm attach): the guest can never get write access to it.
const HOST_RO: u8 = 32;
/// The page belongs to an attached System V shared memory segment.
const SHM: u8 = 64;

/// `fast` bit: the page may be read directly.
pub const FAST_READ: u8 = 1;
/// `fast` bit: the page may be written directly (writable and holding no translated code).
pub const FAST_WRITE: u8 = 2;

pub struct GuestMem {
    base: *mut u8,
    flags: Vec<u8>,
    /// Per page, what compiled code may do without asking: [`FAST_READ`], [`FAST_WRITE`]
    /// (derived from `flags` by `set_flags`; the JIT tests these bits inline).
    fast: crate::lowmem::LowBuf,
    size: u64,
    /// Pages with translated code that were written since the last `take_dirty_code`.
    dirty_code: Vec<u64>,
    /// The host protection of each page now (`libc::PROT_*` bits).
    hprot: Vec<u8>,
}

impl std::fmt::Debug for GuestMem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "GuestMem({:#x} bytes at {:p})", self.size, self.base)
    }
}

impl Drop for GuestMem {
    fn drop(&mut self) {
        // SAFETY: `base..base+size` is the reservation this object created and owns; no
        // slice into it outlives `self`.
        unsafe {
            libc::munmap(self.base.cast(), self.size as usize);
        }
    }
}

/// No host access (unmapped guest pages, and the whole reservation at first).
const HOST_NONE: u8 = libc::PROT_NONE as u8;
const HOST_R: u8 = libc::PROT_READ as u8;
const HOST_RW: u8 = (libc::PROT_READ | libc::PROT_WRITE) as u8;

/// The `FAST_*` bits compiled code may use for a page with guest flags `f`.
fn fast_bits(f: u8) -> u8 {
    let mut fast = 0;
    if f & (MAPPED | PROT_READ) == MAPPED | PROT_READ {
        fast |= FAST_READ;
    }
    if f & (MAPPED | PROT_WRITE | HAS_CODE) == MAPPED | PROT_WRITE {
        fast |= FAST_WRITE;
    }
    fast
}

/// The host protection a page with guest flags `f` gets.
fn host_prot(f: u8) -> u8 {
    if f & MAPPED == 0 {
        return HOST_NONE;
    }
    let read = f & (PROT_READ | PROT_EXEC) != 0;
    let write = f & PROT_WRITE != 0 && f & (HAS_CODE | HOST_RO) == 0;
    match (read, write) {
        (true, true) => HOST_RW,
        (true, false) => HOST_R,
        // Write-only pages: the host cannot allow writes without reads; the slow path does.
        _ => HOST_NONE,
    }
}

fn fresh_anon(ptr: *mut u8, len: usize, fixed: bool) -> std::io::Result<*mut u8> {
    let flags = libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_NORESERVE | if fixed { libc::MAP_FIXED } else { 0 };
    // SAFETY: with MAP_FIXED the caller passes a range inside the reservation it owns (the
    // old pages there are replaced, and nothing holds references into them across this
    // call because every access goes through `&self`/`&mut self` of GuestMem); without it
    // the kernel picks a fresh range.
    let p = unsafe { libc::mmap(ptr.cast(), len, libc::PROT_NONE, flags, -1, 0) };
    if p == libc::MAP_FAILED {
        Err(std::io::Error::last_os_error())
    } else {
        Ok(p.cast())
    }
}

impl GuestMem {
    /// Reserve a guest address space of `1 << addr_bits` bytes (at most 32 bits here).
    pub fn new(addr_bits: u32) -> std::io::Result<Self> {
        let size = 1u64 << addr_bits;
        let base = fresh_anon(std::ptr::null_mut(), size as usize, false)?;
        let pages = (size / PAGE) as usize;
        let fast = crate::lowmem::LowBuf::new(pages)?;
        Ok(GuestMem { base, flags: vec![0; pages], fast, size, dirty_code: Vec::new(), hprot: vec![HOST_NONE; pages] })
    }

    /// Give the pages `[start, end)` (page-aligned addresses) the host protection their
    /// guest flags call for, one `mprotect` per run of pages that change alike.
    fn commit_prot(&mut self, start: u64, end: u64) {
        let (first, last) = ((start / PAGE) as usize, (end.div_ceil(PAGE) as usize).min(self.flags.len()));
        let mut p = first.min(last);
        while p < last {
            // Skip the pages whose host protection is already right (most of a fresh mapping's
            // pages after the first run), without bounds checks per page.
            p += (self.flags[p..last].iter().zip(&self.hprot[p..last]))
                .position(|(&f, &h)| host_prot(f) != h)
                .unwrap_or(last - p);
            if p == last {
                break;
            }
            let (run, want) = (p, host_prot(self.flags[p]));
            p += (self.flags[p..last].iter().zip(&self.hprot[p..last]))
                .position(|(&f, &h)| host_prot(f) != want || h == want)
                .unwrap_or(last - p);
            self.set_host_prot(run, p, want);
        }
    }

    /// mprotect pages `[first, end)` to `prot` and remember it.
    fn set_host_prot(&mut self, first: usize, end: usize, prot: u8) {
        // SAFETY: the range is page-aligned and inside the reservation this object owns;
        // changing its protection cannot affect memory outside it, and no Rust reference
        // into guest memory outlives the `&mut self` borrow.
        let rc = unsafe {
            libc::mprotect(self.base.add(first * PAGE as usize).cast(), (end - first) * PAGE as usize, prot as i32)
        };
        if rc == 0 {
            self.hprot[first..end].iter_mut().for_each(|h| *h = prot);
        }
    }

    /// Make the pages of `[addr, addr+len)` writable on the host for the runtime's own write
    /// (the caller restores the protection with `commit_prot`).
    fn open_for_write(&mut self, addr: u64, len: u64) {
        let r = self.page_range(addr, len);
        let (first, end) = ((r.start / PAGE) as usize, (r.end / PAGE) as usize);
        if self.hprot[first..end].iter().any(|&h| h != HOST_RW) {
            self.set_host_prot(first, end, HOST_RW);
        }
    }

    pub fn size(&self) -> u64 {
        self.size
    }

    /// Set page `p`'s flags, keeping its `fast` bits in step.
    fn set_flags(&mut self, p: usize, f: u8) {
        self.flags[p] = f;
        self.fast.as_mut_slice()[p] = fast_bits(f);
    }

    /// For compiled code: the host address of guest address 0 and the per-page table of
    /// `FAST_*` bits (one byte per 4 KiB page). Both stay valid while `self` lives; accesses
    /// whose page lacks the bit must go through `load`/`store`.
    pub fn jit_view(&self) -> (*mut u8, *const u8) {
        (self.base, self.fast.as_ptr())
    }

    /// Whether the fast-access table lies below 2 GiB (compiled code addresses it with an
    /// absolute displacement).
    pub fn fast_table_is_low(&self) -> bool {
        self.fast.is_low()
    }

    /// The guest bytes `[addr, addr+len)` (inside the reservation; callers check the guest
    /// permissions, which imply the host ones).
    fn slice(&self, addr: u64, len: usize) -> &[u8] {
        debug_assert!(addr + len as u64 <= self.size);
        // SAFETY: in bounds of the reservation (callers check), readable on the host for
        // pages the guest may read or execute (`host_prot`), which callers checked; the
        // returned slice borrows `self`, so no mapping changes under it.
        unsafe { std::slice::from_raw_parts(self.base.add(addr as usize), len) }
    }

    fn bytes_mut(&mut self, addr: u64, len: usize) -> &mut [u8] {
        debug_assert!(addr + len as u64 <= self.size);
        // SAFETY: in bounds of the reservation (callers check), and `&mut self` gives
        // exclusive access. Pages whose host mapping is read-only are never written: guest
        // writes to them fail the permission check first (HOST_RO pages never get
        // PROT_WRITE).
        unsafe { std::slice::from_raw_parts_mut(self.base.add(addr as usize), len) }
    }

    fn page(&self, addr: u64) -> Option<usize> {
        if addr < self.size {
            Some((addr / PAGE) as usize)
        } else {
            None
        }
    }

    fn page_range(&self, addr: u64, len: u64) -> std::ops::Range<u64> {
        let start = (addr & !(PAGE - 1)).min(self.size);
        let end = addr.saturating_add(len).div_ceil(PAGE).saturating_mul(PAGE).min(self.size);
        start..end
    }

    /// Map `[addr, addr+len)` with `prot` (page-aligned outward). Newly mapped pages read as zero.
    pub fn map(&mut self, addr: u64, len: u64, prot: u8) {
        let r = self.page_range(addr, len);
        let pages = (r.start / PAGE) as usize..(r.end / PAGE) as usize;
        let fast = &mut self.fast.as_mut_slice()[pages.clone()];
        for (f, fast) in self.flags[pages].iter_mut().zip(fast) {
            *f = MAPPED | (prot & 7) | (*f & HAS_CODE);
            *fast = fast_bits(*f);
        }
        self.commit_prot(r.start, r.end);
    }

    /// Unmap the pages of `[addr, addr+len)`; their host memory is replaced by zero pages.
    /// Attached shm pages are left alone (see `detach_shm`).
    pub fn unmap(&mut self, addr: u64, len: u64) {
        let r = self.page_range(addr, len);
        let mut a = r.start;
        while a < r.end {
            // Runs of pages to reset at once.
            let run_start = a;
            while a < r.end && self.flags[(a / PAGE) as usize] & SHM == 0 {
                let p = (a / PAGE) as usize;
                if self.flags[p] & HAS_CODE != 0 {
                    self.dirty_code.push(a);
                }
                self.set_flags(p, 0);
                a += PAGE;
            }
            if a > run_start {
                self.reset_host(run_start, a - run_start);
            }
            while a < r.end && self.flags[(a / PAGE) as usize] & SHM != 0 {
                a += PAGE;
            }
        }
        self.commit_prot(r.start, r.end);
    }

    /// Replace the host pages of a page-aligned range with fresh zero pages.
    fn reset_host(&mut self, addr: u64, len: u64) {
        // SAFETY: `addr..addr+len` is page-aligned and inside the reservation.
        let ptr = unsafe { self.base.add(addr as usize) };
        // Failure (the host is out of mappings) leaves the old pages in place; there is no
        // better recovery, and it does not endanger the host.
        if fresh_anon(ptr, len as usize, true).is_ok() {
            let (first, end) = ((addr / PAGE) as usize, ((addr + len) / PAGE) as usize);
            self.hprot[first..end].iter_mut().for_each(|h| *h = HOST_NONE);
        }
    }

    /// Map `len` bytes of host file `fd` at `offset` to guest `addr` (page-aligned), shared
    /// or private (`fd` < 0: shared anonymous memory, which stays shared across fork). `writable_file` says whether the host file was opened for writing (a shared
    /// mapping of a read-only file can never become writable).
    #[allow(clippy::too_many_arguments)]
    pub fn map_file(
        &mut self,
        addr: u64,
        len: u64,
        prot: u8,
        fd: i32,
        offset: u64,
        shared: bool,
        writable_file: bool,
    ) -> std::io::Result<()> {
        let r = self.page_range(addr, len);
        if r.start != addr || r.end < addr + len {
            return Err(std::io::Error::from_raw_os_error(libc::EINVAL));
        }
        self.unmap(r.start, r.end - r.start);
        let host_ro = shared && !writable_file;
        let hprot = if host_ro { libc::PROT_READ } else { libc::PROT_READ | libc::PROT_WRITE };
        let flags = libc::MAP_FIXED
            | if shared { libc::MAP_SHARED } else { libc::MAP_PRIVATE }
            | if fd < 0 { libc::MAP_ANONYMOUS } else { 0 };
        // SAFETY: the target range is page-aligned and inside the reservation we own; it
        // replaces pages that were just reset, and no reference into them is alive.
        let p = unsafe {
            libc::mmap(
                self.base.add(r.start as usize).cast(),
                (r.end - r.start) as usize,
                hprot,
                flags,
                fd,
                offset as i64,
            )
        };
        if p == libc::MAP_FAILED {
            let e = std::io::Error::last_os_error();
            self.reset_host(r.start, r.end - r.start);
            return Err(e);
        }
        let prot = if host_ro { prot & !PROT_WRITE } else { prot };
        let (first, end) = ((r.start / PAGE) as usize, (r.end / PAGE) as usize);
        self.hprot[first..end].iter_mut().for_each(|h| *h = hprot as u8);
        let mut a = r.start;
        while a < r.end {
            self.set_flags((a / PAGE) as usize, MAPPED | (prot & 7) | if host_ro { HOST_RO } else { 0 });
            a += PAGE;
        }
        self.commit_prot(r.start, r.end);
        Ok(())
    }

    /// Attach System V shared memory segment `id` (of `len` bytes) at guest `addr`.
    pub fn attach_shm(&mut self, addr: u64, len: u64, id: i32, read_only: bool) -> std::io::Result<()> {
        let r = self.page_range(addr, len);
        self.unmap(r.start, r.end - r.start);
        let flags = libc::SHM_REMAP | if read_only { libc::SHM_RDONLY } else { 0 };
        // SAFETY: the range is page-aligned, inside the reservation, and was just reset;
        // SHM_REMAP replaces the pages there and nothing references them.
        let p = unsafe { libc::shmat(id, self.base.add(r.start as usize).cast(), flags) };
        if p as isize == -1 {
            let e = std::io::Error::last_os_error();
            self.reset_host(r.start, r.end - r.start);
            return Err(e);
        }
        let prot = if read_only { PROT_READ } else { PROT_READ | PROT_WRITE };
        let (first, end) = ((r.start / PAGE) as usize, (r.end / PAGE) as usize);
        self.hprot[first..end].iter_mut().for_each(|h| *h = if read_only { HOST_R } else { HOST_RW });
        let mut a = r.start;
        while a < r.end {
            self.set_flags((a / PAGE) as usize, MAPPED | SHM | prot | if read_only { HOST_RO } else { 0 });
            a += PAGE;
        }
        self.commit_prot(r.start, r.end);
        Ok(())
    }

    /// Detach the shm segment attached at `addr`; returns its length, or None if none is there.
    pub fn detach_shm(&mut self, addr: u64) -> Option<u64> {
        let p = self.page(addr)?;
        if !addr.is_multiple_of(PAGE) || self.flags[p] & SHM == 0 {
            return None;
        }
        let mut end = addr;
        while end < self.size && self.flags[(end / PAGE) as usize] & SHM != 0 {
            end += PAGE;
        }
        // SAFETY: `addr` is the start of a segment this object attached inside its reservation.
        unsafe {
            libc::shmdt(self.base.add(addr as usize).cast());
        }
        let mut a = addr;
        while a < end {
            let p = (a / PAGE) as usize;
            if self.flags[p] & HAS_CODE != 0 {
                self.dirty_code.push(a);
            }
            self.set_flags(p, 0);
            a += PAGE;
        }
        self.reset_host(addr, end - addr);
        self.commit_prot(addr, end);
        Some(end - addr)
    }

    /// Host address of the readable guest bytes `[addr, addr+len)` (a key for host futexes).
    pub fn host_ptr(&self, addr: u64, len: u64) -> Option<*mut u8> {
        self.check(addr, len, PROT_READ, false).ok()?;
        Some(self.base.wrapping_add(addr as usize))
    }

    /// Write back a shared file mapping range (msync).
    pub fn sync(&self, addr: u64, len: u64, flags: i32) -> std::io::Result<()> {
        let r = self.page_range(addr, len);
        // SAFETY: msync only flushes pages of the reservation; it does not change memory.
        let rc = unsafe { libc::msync(self.base.add(r.start as usize).cast(), (r.end - r.start) as usize, flags) };
        if rc != 0 {
            Err(std::io::Error::last_os_error())
        } else {
            Ok(())
        }
    }

    /// Discard the contents of private anonymous pages (MADV_DONTNEED): they read as zero.
    pub fn discard(&mut self, addr: u64, len: u64) {
        let r = self.page_range(addr, len);
        let mut a = r.start;
        while a < r.end {
            let p = (a / PAGE) as usize;
            if self.flags[p] & (SHM | HOST_RO) == 0 && self.flags[p] & MAPPED != 0 {
                let f = self.flags[p];
                self.note_code_write(a, PAGE);
                // Private pages only: reset and keep the mapping and its permissions.
                self.reset_host(a, PAGE);
                self.set_flags(p, f & !HAS_CODE);
            }
            a += PAGE;
        }
        self.commit_prot(r.start, r.end);
    }

    /// Change permissions of mapped pages; `Err(ENOMEM)` if some page is not mapped,
    /// `Err(EACCES)` if write access is asked for a read-only host mapping.
    pub fn protect(&mut self, addr: u64, len: u64, prot: u8) -> Result<(), i32> {
        let r = self.page_range(addr, len);
        let mut a = r.start;
        while a < r.end {
            let f = self.flags[(a / PAGE) as usize];
            if f & MAPPED == 0 {
                return Err(libc::ENOMEM);
            }
            if f & HOST_RO != 0 && prot & PROT_WRITE != 0 {
                return Err(libc::EACCES);
            }
            a += PAGE;
        }
        let mut a = r.start;
        while a < r.end {
            let p = (a / PAGE) as usize;
            if self.flags[p] & HAS_CODE != 0 && prot & PROT_EXEC == 0 {
                self.dirty_code.push(a);
            }
            self.set_flags(p, (self.flags[p] & !7) | (prot & 7));
            a += PAGE;
        }
        self.commit_prot(r.start, r.end);
        Ok(())
    }

    /// Where the reservation is in the host's address space: (host address, size).
    pub fn host_span(&self) -> (u64, u64) {
        (self.base as u64, self.size)
    }

    pub fn is_mapped(&self, addr: u64) -> bool {
        self.page(addr).is_some_and(|p| self.flags[p] & MAPPED != 0)
    }

    /// Whether every page of the range is mapped.
    pub fn range_mapped(&self, addr: u64, len: u64) -> bool {
        let r = self.page_range(addr, len);
        (r.start..r.end).step_by(PAGE as usize).all(|a| self.is_mapped(a))
    }

    pub fn prot(&self, addr: u64) -> u8 {
        self.page(addr).map(|p| self.flags[p] & 7).unwrap_or(0)
    }

    /// Lowest free (unmapped) range of `len` bytes at or above `from`, below `limit`.
    pub fn find_free(&self, from: u64, limit: u64, len: u64) -> Option<u64> {
        let pages = len.div_ceil(PAGE).max(1) as usize;
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

    /// Highest free range of `len` bytes that ends at or below `limit` and starts at or
    /// above `floor` (top-down allocation, as Linux places mmaps).
    pub fn find_free_down(&self, floor: u64, limit: u64, len: u64) -> Option<u64> {
        let pages = len.div_ceil(PAGE).max(1) as usize;
        let lo = floor.div_ceil(PAGE) as usize;
        let mut end = (limit.min(self.size) / PAGE) as usize;
        let mut run = 0;
        while end > lo {
            let p = end - 1;
            if self.flags[p] & MAPPED == 0 {
                run += 1;
                if run == pages {
                    return Some(p as u64 * PAGE);
                }
            } else {
                run = 0;
            }
            end -= 1;
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
    #[inline]
    pub fn load(&self, addr: u64, size: u8, big_endian: bool) -> Result<u64, MemFault> {
        self.check(addr, size as u64, PROT_READ, false)?;
        let a = addr as usize;
        let s = self.slice(a as u64, size as usize);
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
                self.set_flags(p as usize, self.flags[p as usize] & !HAS_CODE);
                self.dirty_code.push(p * PAGE);
                // No translated code left here: writable again where the guest may write.
                self.commit_prot(p * PAGE, (p + 1) * PAGE);
            }
            p += 1;
        }
    }

    /// A guest store of the low `size` bytes of `v`.
    #[inline]
    pub fn store(&mut self, addr: u64, v: u64, size: u8, big_endian: bool) -> Result<(), MemFault> {
        self.check(addr, size as u64, PROT_WRITE, true)?;
        self.note_code_write(addr, size as u64);
        let n = size as usize;
        let d = self.bytes_mut(addr, n);
        for (i, byte) in d.iter_mut().enumerate() {
            let shift = if big_endian { (n - 1 - i) * 8 } else { i * 8 };
            *byte = (v >> shift) as u8;
        }
        Ok(())
    }

    /// Copy code bytes for translation; marks the pages as holding code. Returns the number of
    /// bytes copied (stops at the first non-executable page).
    pub fn fetch(&mut self, addr: u64, buf: &mut [u8]) -> usize {
        // The usual case, once per guest instruction translated: all of `buf` on one page
        // already marked as holding code.
        const CODE: u8 = MAPPED | PROT_EXEC | HAS_CODE;
        if addr % PAGE + buf.len() as u64 <= PAGE && self.page(addr).is_some_and(|p| self.flags[p] & CODE == CODE) {
            // A fixed-length copy for the usual 4-byte instruction instead of a memcpy call.
            match buf.len() {
                4 => buf.copy_from_slice(self.slice(addr, 4)),
                n => buf.copy_from_slice(self.slice(addr, n)),
            }
            return buf.len();
        }
        let mut n = 0;
        while n < buf.len() {
            let a = addr + n as u64;
            let Some(p) = self.page(a) else { break };
            if self.flags[p] & (MAPPED | PROT_EXEC) != MAPPED | PROT_EXEC {
                break;
            }
            if self.flags[p] & HAS_CODE == 0 {
                self.set_flags(p, self.flags[p] | HAS_CODE);
                // Writes to translated code must come to the runtime.
                self.commit_prot(p as u64 * PAGE, (p as u64 + 1) * PAGE);
            }
            // The rest of this page at once.
            let k = ((PAGE - a % PAGE) as usize).min(buf.len() - n);
            buf[n..n + k].copy_from_slice(self.slice(a, k));
            n += k;
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

    /// Whether code pages were modified since the last `take_dirty_code` (cheap test).
    pub fn has_dirty_code(&self) -> bool {
        !self.dirty_code.is_empty()
    }

    /// Read guest bytes for a system call (permission-checked).
    pub fn read_bytes(&self, addr: u64, len: usize) -> Result<&[u8], MemFault> {
        self.check(addr, len as u64, PROT_READ, false)?;
        Ok(self.slice(addr, len))
    }

    /// Guest bytes a system call will write into (permission-checked; marks code pages).
    pub fn write_slice(&mut self, addr: u64, len: usize) -> Result<&mut [u8], MemFault> {
        self.check(addr, len as u64, PROT_WRITE, true)?;
        if len != 0 {
            self.note_code_write(addr, len as u64);
        }
        Ok(self.bytes_mut(addr, len))
    }

    /// Write guest bytes for a system call (permission-checked).
    pub fn write_bytes(&mut self, addr: u64, data: &[u8]) -> Result<(), MemFault> {
        self.write_slice(addr, data.len())?.copy_from_slice(data);
        Ok(())
    }

    /// Write bytes ignoring permissions (the loader, the kernel building the stack and
    /// signal frames on mapped pages).
    pub fn poke(&mut self, addr: u64, data: &[u8]) -> Result<(), MemFault> {
        self.check(addr, data.len() as u64, 0, true)?;
        if let Some(p) = self.page(addr) {
            if self.flags[p] & HOST_RO != 0 {
                return Err(MemFault { addr, write: true, protection: true });
            }
        }
        if !data.is_empty() {
            self.note_code_write(addr, data.len() as u64);
            self.open_for_write(addr, data.len() as u64);
        }
        self.bytes_mut(addr, data.len()).copy_from_slice(data);
        let r = self.page_range(addr, data.len() as u64);
        self.commit_prot(r.start, r.end);
        Ok(())
    }

    /// Read a NUL-terminated string (at most `max` bytes).
    pub fn read_cstr(&self, addr: u64, max: usize) -> Result<Vec<u8>, MemFault> {
        let mut out = Vec::new();
        let mut a = addr;
        while out.len() < max {
            // Read up to the end of the page at once.
            let room = (PAGE - a % PAGE) as usize;
            let chunk = self.read_bytes(a, room.min(max - out.len()))?;
            if let Some(z) = chunk.iter().position(|&b| b == 0) {
                out.extend_from_slice(&chunk[..z]);
                return Ok(out);
            }
            out.extend_from_slice(chunk);
            a += chunk.len() as u64;
        }
        Ok(out)
    }
}
