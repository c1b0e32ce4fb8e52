//! Memory management calls: brk, mmap/mmap2 (anonymous, file-backed private and shared,
//! MAP_FIXED and MAP_FIXED_NOREPLACE, address hints, top-down placement), munmap, mprotect,
//! mremap, madvise, msync, mincore and the mlock family, all inside the guest reservation.

use super::{cvt, fd, Process, Sys, SysResult};
use crate::user::mem::{GuestMem, PAGE, PROT_EXEC, PROT_READ, PROT_WRITE};

fn prot_of(p: u64) -> u8 {
    let mut r = 0;
    if p & 1 != 0 {
        r |= PROT_READ;
    }
    if p & 2 != 0 {
        r |= PROT_WRITE;
    }
    if p & 4 != 0 {
        r |= PROT_EXEC;
    }
    r
}

impl Process {
    pub(super) fn mm_call(&mut self, sys: Sys, a: &[u64; 8], mem: &mut GuestMem) -> SysResult {
        use Sys::*;
        match sys {
            Brk => {
                let want = a[0];
                if want >= self.brk_start {
                    let new_end = want.div_ceil(PAGE) * PAGE;
                    if new_end > self.brk {
                        if !(self.brk..new_end).step_by(PAGE as usize).all(|p| !mem.is_mapped(p)) {
                            return Ok(self.brk);
                        }
                        mem.map(self.brk, new_end - self.brk, PROT_READ | PROT_WRITE);
                    } else if new_end < self.brk {
                        mem.unmap(new_end, self.brk - new_end);
                    }
                    self.brk = new_end;
                    return Ok(want);
                }
                Ok(self.brk)
            }
            Mmap => self.mmap(a[0], a[1], a[2], a[3] as u32, fd(a[4]), a[5], mem),
            Mmap2 => self.mmap(a[0], a[1], a[2], a[3] as u32, fd(a[4]), a[5] * 4096, mem),
            Munmap => {
                if !a[0].is_multiple_of(PAGE) || a[1] == 0 {
                    return Err(libc::EINVAL);
                }
                mem.unmap(a[0], a[1]);
                Ok(0)
            }
            Mprotect => {
                if !a[0].is_multiple_of(PAGE) {
                    return Err(libc::EINVAL);
                }
                mem.protect(a[0], a[1], prot_of(a[2])).map(|_| 0)
            }
            Mremap => self.mremap(a[0], a[1], a[2], a[3] as u32, a[4], mem),
            Madvise => {
                if a[2] == 4 {
                    // MADV_DONTNEED: private pages read as zero afterwards.
                    mem.discard(a[0], a[1]);
                }
                Ok(0)
            }
            Msync => {
                // MS_ASYNC 1, MS_INVALIDATE 2, MS_SYNC 4 on every ABI we know.
                if !mem.range_mapped(a[0], a[1]) {
                    return Err(libc::ENOMEM);
                }
                mem.sync(a[0], a[1], a[2] as i32).map(|_| 0).map_err(|e| e.raw_os_error().unwrap_or(libc::EINVAL))
            }
            Mlock | Munlock | Mlockall | Munlockall => Ok(0),
            Mincore => {
                let pages = a[1].div_ceil(PAGE);
                if !mem.range_mapped(a[0], a[1]) {
                    return Err(libc::ENOMEM);
                }
                mem.write_bytes(a[2], &vec![1u8; pages as usize]).map_err(|_| libc::EFAULT)?;
                Ok(0)
            }
            Cacheflush => Ok(0),
            _ => Err(libc::ENOSYS),
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn mmap(&mut self, addr: u64, len: u64, prot: u64, flags: u32, f: i32, off: u64, mem: &mut GuestMem) -> SysResult {
        let abi = self.abi;
        if len == 0 || !off.is_multiple_of(PAGE) {
            return Err(libc::EINVAL);
        }
        let len = len.checked_next_multiple_of(PAGE).filter(|&l| l < mem.size()).ok_or(libc::ENOMEM)?;
        let anon = flags & abi.map_anonymous != 0;
        let shared = flags & 0xf == abi.map_shared;
        if !shared && flags & 0xf != abi.map_private && flags & 0xf != 3 {
            return Err(libc::EINVAL);
        }
        let fixed = flags & abi.map_fixed != 0;
        let noreplace = flags & abi.map_fixed_noreplace != 0;
        // Check the file first, so that a failing mmap changes nothing.
        let mut file_len = 0u64;
        let mut writable_file = false;
        if !anon {
            // SAFETY: F_GETFL on an integer descriptor.
            let fl = unsafe { libc::fcntl(f, libc::F_GETFL) };
            if fl < 0 {
                return Err(libc::EBADF);
            }
            let acc = fl & libc::O_ACCMODE;
            if acc == libc::O_WRONLY {
                return Err(libc::EACCES);
            }
            writable_file = acc == libc::O_RDWR;
            if shared && prot & 2 != 0 && !writable_file {
                return Err(libc::EACCES);
            }
            // SAFETY: `st` is a local out-parameter.
            let st = unsafe {
                let mut st: libc::stat64 = std::mem::zeroed();
                cvt(libc::fstat64(f, &mut st))?;
                st
            };
            if st.st_mode & libc::S_IFMT == libc::S_IFDIR {
                return Err(libc::ENODEV);
            }
            file_len = st.st_size as u64;
        }
        let addr = if fixed || noreplace {
            if !addr.is_multiple_of(PAGE) || addr.checked_add(len).is_none_or(|e| e > mem.size()) {
                return Err(libc::EINVAL);
            }
            if noreplace && (addr..addr + len).step_by(PAGE as usize).any(|p| mem.is_mapped(p)) {
                return Err(libc::EEXIST);
            }
            addr
        } else {
            let hint = addr & !(PAGE - 1);
            let hint_ok = hint != 0
                && hint.checked_add(len).is_some_and(|e| e <= self.mmap_top)
                && (hint..hint + len).step_by(PAGE as usize).all(|p| !mem.is_mapped(p));
            if hint_ok {
                hint
            } else {
                mem.find_free_down(self.mmap_floor, self.mmap_top, len)
                    .or_else(|| mem.find_free(self.brk + (64 << 20), self.mmap_floor, len))
                    .ok_or(libc::ENOMEM)?
            }
        };
        let p = prot_of(prot);
        if anon {
            if shared {
                mem.map_file(addr, len, p, -1, 0, true, true).map_err(|e| e.raw_os_error().unwrap_or(libc::ENOMEM))?;
            } else {
                mem.unmap(addr, len);
                mem.map(addr, len, p);
            }
            return Ok(addr);
        }
        // File-backed: map the pages the file covers; pages past its end read as zero
        // (Linux would raise SIGBUS on them; no program relies on that).
        let file_pages = file_len.saturating_sub(off).div_ceil(PAGE) * PAGE;
        let flen = len.min(file_pages);
        mem.unmap(addr, len);
        if flen > 0 {
            mem.map_file(addr, flen, p, f, off, shared, writable_file)
                .map_err(|e| e.raw_os_error().unwrap_or(libc::ENOMEM))?;
        }
        if flen < len {
            mem.map(addr + flen, len - flen, p);
        }
        Ok(addr)
    }

    fn mremap(
        &mut self,
        old: u64,
        old_len: u64,
        new_len: u64,
        flags: u32,
        new_addr: u64,
        mem: &mut GuestMem,
    ) -> SysResult {
        const MAYMOVE: u32 = 1;
        const FIXED: u32 = 2;
        if !old.is_multiple_of(PAGE) || new_len == 0 {
            return Err(libc::EINVAL);
        }
        let old_len = old_len.next_multiple_of(PAGE);
        let new_len = new_len.next_multiple_of(PAGE);
        if !mem.range_mapped(old, old_len.max(PAGE)) {
            return Err(libc::EFAULT);
        }
        let prot = mem.prot(old);
        if flags & FIXED == 0 {
            if new_len <= old_len {
                if new_len < old_len {
                    mem.unmap(old + new_len, old_len - new_len);
                }
                return Ok(old);
            }
            let tail_free = (old + old_len..old + new_len).step_by(PAGE as usize).all(|p| !mem.is_mapped(p))
                && old + new_len <= mem.size();
            if tail_free {
                mem.map(old + old_len, new_len - old_len, prot);
                return Ok(old);
            }
            if flags & MAYMOVE == 0 {
                return Err(libc::ENOMEM);
            }
        }
        let dest = if flags & FIXED != 0 {
            if !new_addr.is_multiple_of(PAGE) {
                return Err(libc::EINVAL);
            }
            new_addr
        } else {
            mem.find_free_down(self.mmap_floor, self.mmap_top, new_len).ok_or(libc::ENOMEM)?
        };
        // Move: copy the contents (this breaks sharing of shared file mappings; rare).
        let keep = old_len.min(new_len) as usize;
        let mut data = vec![0u8; keep];
        let mut a = 0;
        while a < keep {
            let n = (PAGE as usize).min(keep - a);
            if let Ok(b) = mem.read_bytes(old + a as u64, n) {
                data[a..a + n].copy_from_slice(b);
            }
            a += n;
        }
        mem.unmap(dest, new_len);
        mem.map(dest, new_len, PROT_READ | PROT_WRITE);
        mem.poke(dest, &data).map_err(|_| libc::EFAULT)?;
        let _ = mem.protect(dest, new_len, prot);
        mem.unmap(old, old_len);
        Ok(dest)
    }
}
