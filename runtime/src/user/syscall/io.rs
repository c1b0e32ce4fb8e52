//! Descriptor multiplexing and plumbing: pipe/pipe2, poll/ppoll, select/pselect6 (guest
//! `fd_set`s are arrays of guest words), and sendfile.

use super::{cvt, fd, Process, Sys, SysResult};
use crate::user::mem::GuestMem;

impl Process {
    pub(super) fn io_call(&mut self, sys: Sys, a: &[u64; 8], mem: &mut GuestMem) -> SysResult {
        use Sys::*;
        match sys {
            Pipe => {
                let mut fds = [0i32; 2];
                // SAFETY: `fds` is a local array of two ints.
                cvt(unsafe { libc::pipe(fds.as_mut_ptr()) })?;
                self.result2 = Some(fds[1] as u64);
                Ok(fds[0] as u64)
            }
            Pipe2 => {
                let mut fds = [0i32; 2];
                let flags = self.abi.open_flags_to_host(a[1] as u32);
                // SAFETY: `fds` is a local array of two ints.
                cvt(unsafe { libc::pipe2(fds.as_mut_ptr(), flags) })?;
                let r = self
                    .w32(mem, a[0], fds[0] as u32 as u64)
                    .and_then(|_| self.w32(mem, a[0] + 4, fds[1] as u32 as u64));
                if r.is_err() {
                    // SAFETY: closing the descriptors just created.
                    unsafe {
                        libc::close(fds[0]);
                        libc::close(fds[1]);
                    }
                }
                r.map(|_| 0)
            }
            Poll => self.poll(a[0], a[1], Some(a[2] as i32 as i64 * 1_000_000).filter(|&t| t >= 0), None, mem),
            Ppoll | PpollTime64 => {
                let t = if a[2] == 0 { None } else { Some(self.read_timespec(mem, a[2], sys == PpollTime64)?) };
                let t = t.map(|(s, n)| s.saturating_mul(1_000_000_000).saturating_add(n));
                let mask = if a[3] == 0 { None } else { Some(self.read_sigset(mem, a[3])?) };
                self.poll(a[0], a[1], t, mask, mem)
            }
            Newselect => {
                let t = if a[4] == 0 {
                    None
                } else {
                    let s = self.r32(mem, a[4])? as i32 as i64;
                    let us = self.r32(mem, a[4] + 4)? as i32 as i64;
                    Some(s * 1_000_000_000 + us * 1000)
                };
                let left = self.select(a[0] as i32, [a[1], a[2], a[3]], t, None, mem)?;
                if let (Some(ns), true) = (left.1, a[4] != 0) {
                    self.w32(mem, a[4], (ns / 1_000_000_000) as u64)?;
                    self.w32(mem, a[4] + 4, ((ns % 1_000_000_000) / 1000) as u64)?;
                }
                Ok(left.0)
            }
            Pselect6 | Pselect6Time64 => {
                let t64 = sys == Pselect6Time64;
                let t = if a[4] == 0 { None } else { Some(self.read_timespec(mem, a[4], t64)?) };
                let t = t.map(|(s, n)| s.saturating_mul(1_000_000_000).saturating_add(n));
                let mask = if a[5] == 0 {
                    None
                } else {
                    let p = self.r32(mem, a[5])?;
                    if p == 0 {
                        None
                    } else {
                        Some(self.read_sigset(mem, p)?)
                    }
                };
                let left = self.select(a[0] as i32, [a[1], a[2], a[3]], t, mask, mem)?;
                if let (Some(ns), true) = (left.1, a[4] != 0) {
                    self.write_timespec(mem, a[4], t64, ns / 1_000_000_000, ns % 1_000_000_000)?;
                }
                Ok(left.0)
            }
            Sendfile | Sendfile64 => {
                let mut off: i64 = 0;
                let has_off = a[2] != 0;
                if has_off {
                    off = if sys == Sendfile64 {
                        self.r64(mem, a[2])? as i64
                    } else {
                        self.r32(mem, a[2])? as i32 as i64
                    };
                }
                let p = if has_off { &mut off as *mut i64 } else { std::ptr::null_mut() };
                // SAFETY: `p` is null or points at the local `off`.
                let r = cvt(unsafe { libc::sendfile(fd(a[0]), fd(a[1]), p, a[3] as usize) })?;
                if has_off {
                    if sys == Sendfile64 {
                        self.w64(mem, a[2], off as u64)?;
                    } else {
                        self.w32(mem, a[2], off as u64)?;
                    }
                }
                Ok(r)
            }
            _ => Err(libc::ENOSYS),
        }
    }

    /// A guest timespec (32- or 64-bit fields) as (seconds, nanoseconds).
    pub(crate) fn read_timespec(&self, mem: &GuestMem, addr: u64, t64: bool) -> Result<(i64, i64), i32> {
        if t64 {
            Ok((self.r64(mem, addr)? as i64, self.r64(mem, addr + 8)? as i64))
        } else {
            Ok((self.r32(mem, addr)? as i32 as i64, self.r32(mem, addr + 4)? as i32 as i64))
        }
    }

    pub(crate) fn write_timespec(&self, mem: &mut GuestMem, addr: u64, t64: bool, s: i64, ns: i64) -> Result<(), i32> {
        if t64 {
            self.w64(mem, addr, s as u64)?;
            self.w64(mem, addr + 8, ns as u64)
        } else {
            self.w32(mem, addr, s as u64)?;
            self.w32(mem, addr + 4, ns as u64)
        }
    }

    fn poll(&mut self, fds: u64, n: u64, timeout_ns: Option<i64>, mask: Option<u128>, mem: &mut GuestMem) -> SysResult {
        if n > 65536 {
            return Err(libc::EINVAL);
        }
        let bits = self.abi.poll_bits;
        let mut v = Vec::with_capacity(n as usize);
        for i in 0..n {
            let s = self.read_struct(mem, fds + i * 8, 8)?;
            let ev = s.get(crate::user::abi::F(4, 2)) as u32;
            let mut h = (ev & !bits.iter().fold(0, |m, &(g, _)| m | g)) as i16;
            for &(g, hb) in bits {
                if ev & g != 0 {
                    h |= hb;
                }
            }
            v.push(libc::pollfd { fd: s.get(crate::user::abi::F(0, 4)) as i32, events: h, revents: 0 });
        }
        let ts = timeout_ns.map(|t| libc::timespec { tv_sec: t / 1_000_000_000, tv_nsec: t % 1_000_000_000 });
        let set = mask.map(|m| crate::user::signal::host_sigset(&self.abi, m));
        // SAFETY: `v` holds `n` pollfds; the timespec and sigset pointers are null or locals.
        let r = cvt(unsafe {
            libc::ppoll(
                v.as_mut_ptr(),
                v.len() as libc::nfds_t,
                ts.as_ref().map(|t| t as *const _).unwrap_or(std::ptr::null()),
                set.as_ref().map(|s| s as *const _).unwrap_or(std::ptr::null()),
            )
        })?;
        for (i, p) in v.iter().enumerate() {
            let rev = p.revents;
            let mut g = (rev as u16 as u32) & !bits.iter().fold(0u32, |m, &(_, hb)| m | hb as u16 as u32);
            for &(gb, hb) in bits {
                if rev & hb != 0 {
                    g |= gb;
                }
            }
            mem.store(fds + i as u64 * 8 + 6, g as u64, 2, self.be).map_err(|_| libc::EFAULT)?;
        }
        Ok(r)
    }

    /// select on guest fd_sets; returns (count, remaining time in ns).
    fn select(
        &mut self,
        nfds: i32,
        sets: [u64; 3],
        timeout_ns: Option<i64>,
        mask: Option<u128>,
        mem: &mut GuestMem,
    ) -> Result<(u64, Option<i64>), i32> {
        if !(0..=libc::FD_SETSIZE as i32).contains(&nfds) {
            return Err(libc::EINVAL);
        }
        let words = (nfds as u64).div_ceil(32);
        // SAFETY: fd_set is plain data; FD_ZERO/FD_SET/FD_ISSET operate on local values with
        // descriptors below FD_SETSIZE.
        let mut host: [libc::fd_set; 3] = unsafe { std::mem::zeroed() };
        for (k, &g) in sets.iter().enumerate() {
            if g == 0 {
                continue;
            }
            for w in 0..words {
                let bits = self.r32(mem, g + w * 4)?;
                for b in 0..32 {
                    let f = (w * 32 + b) as i32;
                    if f < nfds && bits & (1 << b) != 0 {
                        // SAFETY: see above.
                        unsafe { libc::FD_SET(f, &mut host[k]) };
                    }
                }
            }
        }
        let mut ts = timeout_ns.map(|t| libc::timespec { tv_sec: t / 1_000_000_000, tv_nsec: t % 1_000_000_000 });
        let set = mask.map(|m| crate::user::signal::host_sigset(&self.abi, m));
        let ptr =
            |k: usize, h: &mut [libc::fd_set; 3]| if sets[k] == 0 { std::ptr::null_mut() } else { &mut h[k] as *mut _ };
        let (p0, p1, p2) = (ptr(0, &mut host), ptr(1, &mut host), ptr(2, &mut host));
        let sigarg: Option<[usize; 2]> = set.as_ref().map(|s| [s as *const libc::sigset_t as usize, 8]);
        let sp = sigarg.as_ref().map(|x| x.as_ptr()).unwrap_or(std::ptr::null());
        // SAFETY: the set pointers are null or point into the local `host` array; timeout
        // and sigmask pointers are null or locals. The raw syscall updates the timeout.
        let r = cvt(unsafe {
            libc::syscall(
                libc::SYS_pselect6,
                nfds,
                p0,
                p1,
                p2,
                ts.as_mut().map(|t| t as *mut libc::timespec).unwrap_or(std::ptr::null_mut()),
                sp,
            )
        })?;
        for (k, &g) in sets.iter().enumerate() {
            if g == 0 {
                continue;
            }
            for w in 0..words {
                let mut bits = 0u64;
                for b in 0..32 {
                    let f = (w * 32 + b) as i32;
                    // SAFETY: see above.
                    if f < nfds && unsafe { libc::FD_ISSET(f, &host[k]) } {
                        bits |= 1 << b;
                    }
                }
                self.w32(mem, g + w * 4, bits)?;
            }
        }
        Ok((r, ts.map(|t| t.tv_sec * 1_000_000_000 + t.tv_nsec)))
    }

    /// A guest sigset_t (the ABI's size, guest words) as a guest mask.
    pub(crate) fn read_sigset(&self, mem: &GuestMem, addr: u64) -> Result<u128, i32> {
        let mut m = 0u128;
        for w in 0..(self.abi.sigset_bytes / 4) as u64 {
            m |= (self.r32(mem, addr + w * 4)? as u128) << (32 * w);
        }
        Ok(m)
    }

    pub(crate) fn write_sigset(&self, mem: &mut GuestMem, addr: u64, m: u128) -> Result<(), i32> {
        for w in 0..(self.abi.sigset_bytes / 4) as u64 {
            self.w32(mem, addr + w * 4, (m >> (32 * w)) as u32 as u64)?;
        }
        Ok(())
    }
}
