//! Signal system calls: rt_sigaction (guest dispositions, mirrored to host dispositions),
//! rt_sigprocmask, rt_sigsuspend and pause, rt_sigpending, rt_sigtimedwait, sigaltstack,
//! kill/tkill/tgkill (guest signal numbers translated to the host's). Delivery itself is
//! the CPU loop's (`user::run`) and the target's frame code.

use super::{cvt, Process, Sys, SysResult};
use crate::user::mem::GuestMem;
use crate::user::signal::{self as hs, HostAction, SigAction, SigState, SIG_DFL, SIG_IGN};

impl Process {
    pub(super) fn signal_call(&mut self, sys: Sys, a: &[u64; 8], mem: &mut GuestMem) -> SysResult {
        use Sys::*;
        let abi = self.abi;
        match sys {
            RtSigaction => {
                let sig = a[0] as i32;
                if sig < 1 || sig > abi.nsig {
                    return Err(libc::EINVAL);
                }
                let l = abi.sigaction;
                let old = self.sig.actions[sig as usize];
                if a[1] != 0 {
                    if abi.sig_to_host(sig).is_some_and(|h| h == libc::SIGKILL || h == libc::SIGSTOP) {
                        return Err(libc::EINVAL);
                    }
                    let s = self.read_struct(mem, a[1], l.size)?;
                    let mut mask = 0u128;
                    for w in 0..(l.mask.1 as u16 / 4) {
                        mask |= (s.get(crate::user::abi::F(l.mask.0 + 4 * w, 4)) as u128) << (32 * w);
                    }
                    let act = SigAction {
                        handler: s.get(l.handler),
                        flags: s.get(l.flags) as u32,
                        mask,
                        restorer: s.get(l.restorer),
                    };
                    self.sig.actions[sig as usize] = act;
                    if let Some(h) = abi.sig_to_host(sig) {
                        hs::set_host_action(h, host_action(act.handler));
                    }
                }
                if a[2] != 0 {
                    let mut s = self.new_struct(l.size);
                    s.put(l.handler, old.handler);
                    s.put(l.flags, old.flags as u64);
                    s.put(l.restorer, old.restorer);
                    for w in 0..(l.mask.1 as u16 / 4) {
                        s.put(crate::user::abi::F(l.mask.0 + 4 * w, 4), (old.mask >> (32 * w)) as u32 as u64);
                    }
                    self.write_struct(mem, a[2], &s)?;
                }
                Ok(0)
            }
            RtSigprocmask => {
                let old = self.sig.mask;
                if a[1] != 0 {
                    let set = self.read_sigset(mem, a[1])?;
                    let how = a[0] as u32;
                    let new = if how == abi.sig_block {
                        old | set
                    } else if how == abi.sig_unblock {
                        old & !set
                    } else if how == abi.sig_setmask {
                        set
                    } else {
                        return Err(libc::EINVAL);
                    };
                    self.sig.set_mask(&abi, new);
                }
                if a[2] != 0 {
                    self.write_sigset(mem, a[2], old)?;
                }
                Ok(0)
            }
            RtSigsuspend => {
                let new = self.read_sigset(mem, a[0])?;
                self.sig.saved_mask = Some(self.sig.mask);
                self.sig.mask = new;
                hs::suspend(&abi, new);
                Err(libc::EINTR)
            }
            Pause => {
                hs::suspend(&abi, self.sig.mask);
                Err(libc::EINTR)
            }
            RtSigpending => {
                let mut g = 0u128;
                // SAFETY: `set` is a local out-parameter.
                unsafe {
                    let mut set: libc::sigset_t = std::mem::zeroed();
                    cvt(libc::sigpending(&mut set))?;
                    for h in 1..65 {
                        if libc::sigismember(&set, h) == 1 {
                            if let Some(s) = abi.sig_to_guest(h) {
                                g |= SigState::bit(s);
                            }
                        }
                    }
                }
                self.write_sigset(mem, a[0], g)?;
                Ok(0)
            }
            RtSigtimedwait | RtSigtimedwaitTime64 => {
                let set = hs::host_sigset(&abi, self.read_sigset(mem, a[0])?);
                let ts = if a[2] != 0 {
                    let (s, ns) = self.read_timespec(mem, a[2], sys == RtSigtimedwaitTime64)?;
                    Some(libc::timespec { tv_sec: s, tv_nsec: ns })
                } else {
                    None
                };
                // SAFETY: `set`, `info` and the timeout are locals (or null).
                let (r, info) = unsafe {
                    let mut info: libc::siginfo_t = std::mem::zeroed();
                    let r = libc::sigtimedwait(
                        &set,
                        &mut info,
                        ts.as_ref().map(|t| t as *const _).unwrap_or(std::ptr::null()),
                    );
                    (r, info)
                };
                let h = cvt(r)? as i32;
                let g = abi.sig_to_guest(h).unwrap_or(h);
                if a[1] != 0 {
                    let mut s = self.new_struct(128);
                    s.put(crate::user::abi::F(0, 4), g as u64);
                    // SAFETY: reading the sender fields sigtimedwait filled.
                    let (code, pid, uid) = unsafe { (info.si_code, info.si_pid(), info.si_uid()) };
                    s.put(crate::user::abi::F(abi.si_code_off, 4), code as u64);
                    s.put(crate::user::abi::F(12, 4), pid as u64);
                    s.put(crate::user::abi::F(16, 4), uid as u64);
                    self.write_struct(mem, a[1], &s)?;
                }
                Ok(g as u64)
            }
            Sigaltstack => {
                let l = abi.stack;
                let on = self.sig.on_altstack(self.cur_sp);
                if a[1] != 0 {
                    let mut s = self.new_struct(l.size);
                    s.put(l.sp, self.sig.altstack_sp);
                    s.put(l.size_, self.sig.altstack_size);
                    let fl = if self.sig.altstack_disabled {
                        abi.ss_disable
                    } else if on {
                        abi.ss_onstack
                    } else {
                        0
                    };
                    s.put(l.flags, fl as u64);
                    // Written after reading the new one (they may be the same buffer).
                    let newer = if a[0] != 0 { Some(self.read_struct(mem, a[0], l.size)?) } else { None };
                    self.write_struct(mem, a[1], &s)?;
                    if let Some(n) = newer {
                        self.set_altstack(&n, on)?;
                    }
                    return Ok(0);
                }
                if a[0] != 0 {
                    let n = self.read_struct(mem, a[0], l.size)?;
                    self.set_altstack(&n, on)?;
                }
                Ok(0)
            }
            Kill | Tkill => {
                let h = self.host_sig(a[1] as i32)?;
                // SAFETY: plain integer arguments.
                cvt(unsafe { libc::kill(a[0] as i32, h) })
            }
            Tgkill => {
                let h = self.host_sig(a[2] as i32)?;
                // SAFETY: plain integer arguments.
                cvt(unsafe { libc::syscall(libc::SYS_tgkill, a[0] as i32, a[1] as i32, h) })
            }
            RtSigqueueinfo => {
                let h = self.host_sig(a[1] as i32)?;
                // SAFETY: plain integer arguments.
                cvt(unsafe { libc::kill(a[0] as i32, h) })
            }
            _ => Err(libc::ENOSYS),
        }
    }

    fn host_sig(&self, g: i32) -> Result<i32, i32> {
        if g == 0 {
            return Ok(0);
        }
        self.abi.sig_to_host(g).ok_or(libc::EINVAL)
    }

    fn set_altstack(&mut self, s: &crate::user::abi::StructBuf, on: bool) -> Result<(), i32> {
        let l = self.abi.stack;
        if on {
            return Err(libc::EPERM);
        }
        let flags = s.get(l.flags) as u32;
        if flags & self.abi.ss_disable != 0 {
            self.sig.altstack_disabled = true;
            self.sig.altstack_sp = 0;
            self.sig.altstack_size = 0;
            return Ok(());
        }
        if flags & !self.abi.ss_onstack != 0 {
            return Err(libc::EINVAL);
        }
        let size = s.get(l.size_);
        if size < 2048 {
            return Err(libc::ENOMEM);
        }
        self.sig.altstack_sp = s.get(l.sp);
        self.sig.altstack_size = size;
        self.sig.altstack_disabled = false;
        Ok(())
    }
}

/// The host disposition that mirrors guest handler `h`.
pub(crate) fn host_action(h: u64) -> HostAction {
    match h {
        SIG_DFL => HostAction::Default,
        SIG_IGN => HostAction::Ignore,
        _ => HostAction::Catch,
    }
}
