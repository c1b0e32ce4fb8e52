//! Clocks, sleeps and timers: time, gettimeofday, clock_gettime/getres (32- and 64-bit
//! time), nanosleep and clock_nanosleep (writing back the time left when interrupted),
//! times, alarm, getitimer/setitimer. Timers run on the host and deliver host signals that
//! the CPU loop forwards.

use super::{cvt, Process, Sys, SysResult};
use crate::user::mem::GuestMem;

impl Process {
    pub(super) fn time_call(&mut self, sys: Sys, a: &[u64; 8], mem: &mut GuestMem) -> SysResult {
        use Sys::*;
        match sys {
            Time => {
                // SAFETY: null argument.
                let t = unsafe { libc::time(std::ptr::null_mut()) };
                if a[0] != 0 {
                    self.w32(mem, a[0], t as u64)?;
                }
                Ok(t as u64)
            }
            Gettimeofday => {
                let ts = clock(libc::CLOCK_REALTIME)?;
                if a[0] != 0 {
                    self.w32(mem, a[0], ts.tv_sec as u64)?;
                    self.w32(mem, a[0] + 4, (ts.tv_nsec / 1000) as u64)?;
                }
                if a[1] != 0 {
                    self.w32(mem, a[1], 0)?;
                    self.w32(mem, a[1] + 4, 0)?;
                }
                Ok(0)
            }
            Settimeofday => Err(libc::EPERM),
            ClockGettime | ClockGettime64 => {
                let ts = clock(a[0] as i32)?;
                self.write_timespec(mem, a[1], sys == ClockGettime64, ts.tv_sec, ts.tv_nsec)?;
                Ok(0)
            }
            ClockGetres | ClockGetresTime64 => {
                // SAFETY: `ts` is a local out-parameter.
                let ts = unsafe {
                    let mut ts: libc::timespec = std::mem::zeroed();
                    cvt(libc::clock_getres(a[0] as i32, &mut ts))?;
                    ts
                };
                if a[1] != 0 {
                    self.write_timespec(mem, a[1], sys == ClockGetresTime64, ts.tv_sec, ts.tv_nsec)?;
                }
                Ok(0)
            }
            Nanosleep => self.sleep(libc::CLOCK_MONOTONIC, 0, a[0], a[1], false, mem),
            ClockNanosleep => self.sleep(a[0] as i32, a[1] as i32, a[2], a[3], false, mem),
            ClockNanosleepTime64 => self.sleep(a[0] as i32, a[1] as i32, a[2], a[3], true, mem),
            Times => {
                // SAFETY: `t` is a local out-parameter.
                let (r, t) = unsafe {
                    let mut t: libc::tms = std::mem::zeroed();
                    let r = libc::times(&mut t);
                    (r, t)
                };
                if a[0] != 0 {
                    for (i, v) in [t.tms_utime, t.tms_stime, t.tms_cutime, t.tms_cstime].iter().enumerate() {
                        self.w32(mem, a[0] + 4 * i as u64, *v as u64)?;
                    }
                }
                Ok(r as u64)
            }
            Alarm => {
                // SAFETY: plain integer argument.
                Ok(unsafe { libc::alarm(a[0] as u32) } as u64)
            }
            Getitimer => {
                // SAFETY: `v` is a local out-parameter.
                let v = unsafe {
                    let mut v: libc::itimerval = std::mem::zeroed();
                    cvt(libc::syscall(libc::SYS_getitimer, a[0] as i32, &mut v))?;
                    v
                };
                self.put_itimerval(mem, a[1], &v)?;
                Ok(0)
            }
            Setitimer => {
                let r = |o: u64| -> Result<i64, i32> { Ok(self.r32(mem, a[1] + o)? as i32 as i64) };
                let new = libc::itimerval {
                    it_interval: libc::timeval { tv_sec: r(0)?, tv_usec: r(4)? },
                    it_value: libc::timeval { tv_sec: r(8)?, tv_usec: r(12)? },
                };
                // SAFETY: `new` and `old` are locals.
                let old = unsafe {
                    let mut old: libc::itimerval = std::mem::zeroed();
                    cvt(libc::syscall(libc::SYS_setitimer, a[0] as i32, &new, &mut old))?;
                    old
                };
                if a[2] != 0 {
                    self.put_itimerval(mem, a[2], &old)?;
                }
                Ok(0)
            }
            _ => Err(libc::ENOSYS),
        }
    }

    fn put_itimerval(&self, mem: &mut GuestMem, addr: u64, v: &libc::itimerval) -> Result<(), i32> {
        let vals = [v.it_interval.tv_sec, v.it_interval.tv_usec, v.it_value.tv_sec, v.it_value.tv_usec];
        for (i, x) in vals.iter().enumerate() {
            self.w32(mem, addr + 4 * i as u64, *x as u64)?;
        }
        Ok(())
    }

    fn sleep(&mut self, clk: i32, flags: i32, req: u64, rem: u64, t64: bool, mem: &mut GuestMem) -> SysResult {
        let (s, ns) = self.read_timespec(mem, req, t64)?;
        if !(0..1_000_000_000).contains(&ns) || s < 0 {
            return Err(libc::EINVAL);
        }
        let r = libc::timespec { tv_sec: s, tv_nsec: ns };
        // SAFETY: `left` is a local out-parameter; `r` a local.
        let (rc, left) = unsafe {
            let mut left: libc::timespec = std::mem::zeroed();
            let rc = libc::clock_nanosleep(clk, flags, &r, &mut left);
            (rc, left)
        };
        if rc != 0 {
            if rc == libc::EINTR && rem != 0 && flags & libc::TIMER_ABSTIME == 0 {
                self.write_timespec(mem, rem, t64, left.tv_sec, left.tv_nsec)?;
            }
            return Err(rc);
        }
        Ok(0)
    }
}

fn clock(id: i32) -> Result<libc::timespec, i32> {
    // SAFETY: `ts` is a local out-parameter.
    unsafe {
        let mut ts: libc::timespec = std::mem::zeroed();
        cvt(libc::clock_gettime(id, &mut ts))?;
        Ok(ts)
    }
}
