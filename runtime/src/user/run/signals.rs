//! The user-mode CPU loop's system calls and signals: a system call's arguments and result
//! through the target's register convention, restarts after handlers, `rt_sigreturn`, the
//! hand-off of an `execve` of a guest program, delivery of pending signals through the
//! target's frames, and the end of the process by a signal.
//!
//! Owns that glue; the calls themselves are `user::syscall`, the frames `targets/<arch>/`.

use super::cpu_loop::Loop;
use super::{GuestEnd, Outcome};
use crate::arch::{BadFrame, GuestCpu, LinuxTarget, SignalDelivery};
use crate::user::signal::{self as hs, SigInfo, SigState, SIG_DFL, SIG_IGN};
use crate::user::syscall::{strace, Sys};

/// Calls that the kernel restarts after a handler with SA_RESTART.
fn restartable(s: Sys) -> bool {
    use Sys::*;
    matches!(
        s,
        Read | Write
            | Readv
            | Writev
            | Pread64
            | Pwrite64
            | Open
            | Openat
            | Wait4
            | Waitpid
            | Waitid
            | Ioctl
            | Fcntl
            | Fcntl64
            | Flock
            | Accept
            | Accept4
            | Connect
            | Recvfrom
            | Recv
            | Sendto
            | Send
            | Msgsnd
            | Msgrcv
            | Semop
            | Ipc
            | Futex
            | FutexTime64
            | Sendfile
            | Sendfile64
            | Getrandom
    )
}

impl<A: LinuxTarget> Loop<A> {
    /// A synchronous signal from the guest's own execution; `resume` is the guest PC the
    /// frame records (the faulting instruction, or its branch for a delay slot).
    pub(super) fn fault(&mut self, info: SigInfo, resume: u64) {
        self.cpu.set_pc(resume);
        self.proc.sig.sync.push(info);
        self.deliver_signals();
    }

    /// Handle a `syscall` at `pc`; `Some` when the guest ended.
    pub(super) fn syscall(&mut self, pc: u64) -> Option<Outcome> {
        let be = self.be;
        let (n, a) = A::syscall_args(&self.cpu, &self.mem, be);
        let sys = self.proc.sys_of(n);
        let pid = std::process::id();
        if self.opts.strace {
            let line = strace::call_line(pid, n, self.proc.abi.syscall_name(n), sys, &a, &self.mem);
            eprint!("{line}");
            if matches!(sys, Some(Sys::Exit | Sys::ExitGroup)) {
                eprintln!();
            }
        }
        self.proc.cur_sp = A::stack_pointer(&self.cpu);
        match sys {
            Some(Sys::RtSigreturn) => {
                match A::restore_rt_frame(&mut self.cpu, &self.mem, &self.proc.abi) {
                    Ok(mask) => {
                        let abi = self.proc.abi;
                        self.proc.sig.set_mask(&abi, mask);
                        if self.opts.strace {
                            eprintln!(" = (restored)");
                        }
                    }
                    Err(BadFrame) => {
                        let info = SigInfo { signo: 11, code: hs::SI_KERNEL, ..SigInfo::default() };
                        self.die(info);
                    }
                }
                return None;
            }
            Some(Sys::Sigreturn) => {
                // Frames are always rt frames (see the target's signal frames).
                self.finish_syscall(pc, Err(libc::ENOSYS), sys);
                return None;
            }
            _ => {}
        }
        let r = match sys {
            Some(s) => self.proc.call(s, &a, &mut self.mem),
            None => Err(libc::ENOSYS),
        };
        if let Some(code) = self.proc.exit_code {
            return Some(Outcome::End(GuestEnd::Exited(code)));
        }
        if let Some(next) = self.proc.exec.take() {
            // execve of a guest program: it runs next, in this process.
            if self.opts.strace {
                eprintln!(" = 0");
            }
            super::exec::before_guest_exec(&self.proc.abi, &self.proc.sig);
            return Some(Outcome::Exec(next));
        }
        if sys == Some(Sys::Clone) && r == Ok(0) {
            // The child: clone's new stack and CLONE_SETTLS.
            if a[1] != 0 {
                A::set_stack_pointer(&mut self.cpu, a[1]);
            }
            if a[0] & 0x80000 != 0 {
                A::set_tls(&mut self.cpu, a[3]);
            }
        }
        if let Some(t) = self.proc.tls.take() {
            A::set_tls(&mut self.cpu, t);
        }
        // Interrupted by a signal: restart the call after the handler when it asks for that.
        if r == Err(libc::EINTR) && hs::any_pending() {
            if let Some(s) = sys {
                let restart = restartable(s) && self.next_pending_restarts();
                if restart {
                    if self.opts.strace {
                        eprintln!(" = ? (restarting)");
                    }
                    self.cpu.set_pc(pc);
                    self.deliver_signals();
                    return None;
                }
            }
        }
        self.finish_syscall(pc, r, sys);
        if self.proc.sig.saved_mask.is_some() {
            // rt_sigsuspend: deliver now, with the temporary mask; then restore the old mask.
            self.deliver_signals();
            if let Some(m) = self.proc.sig.saved_mask.take() {
                let abi = self.proc.abi;
                self.proc.sig.set_mask(&abi, m);
            }
        }
        None
    }

    fn finish_syscall(&mut self, pc: u64, r: Result<u64, i32>, sys: Option<Sys>) {
        let guest = r.map_err(|e| self.proc.abi.errno_to_guest(e));
        if self.opts.strace {
            eprintln!("{}", strace::result(r, guest.err().unwrap_or(0)));
        }
        let second = self.proc.result2.take().filter(|_| guest.is_ok());
        A::set_syscall_result(&mut self.cpu, guest, second);
        let _ = sys;
        self.cpu.set_pc(A::after_syscall(pc));
    }

    /// Whether the guest's handlers for the signals that may be pending ask for restarts
    /// (SA_RESTART on every unblocked handled signal; the usual case is a single handler).
    fn next_pending_restarts(&self) -> bool {
        let abi = self.proc.abi;
        (1..=abi.nsig).all(|g| {
            let act = &self.proc.sig.actions[g as usize];
            act.handler <= SIG_IGN || self.proc.sig.blocked(g) || act.flags & abi.sa_restart != 0
        })
    }

    /// Deliver pending signals: synchronous ones first, then host ones. A guest handler gets
    /// a frame; a signal whose action is the default ends the process by that signal.
    pub(super) fn deliver_signals(&mut self) {
        loop {
            let abi = self.proc.abi;
            let (info, sync) = if let Some(i) = self.proc.sig.sync.pop() {
                (i, true)
            } else if let Some(i) = hs::take_pending(&abi, &self.proc.sig) {
                (i, false)
            } else {
                return;
            };
            // A debugger sees every signal first, and may discard or change it.
            let Some(info) = self.debug_signal(info) else { continue };
            let g = info.signo;
            let act = self.proc.sig.actions.get(g as usize).copied().unwrap_or_default();
            let blocked = self.proc.sig.blocked(g);
            if sync && (blocked || act.handler == SIG_IGN || act.handler == SIG_DFL) {
                self.die(info);
            }
            match act.handler {
                SIG_IGN => continue,
                SIG_DFL => {
                    // The host applied the default action already (its disposition mirrors
                    // the guest's); a signal that reaches us here has an ignoring default.
                    continue;
                }
                handler => {
                    let old = self.proc.sig.saved_mask.take().unwrap_or(self.proc.sig.mask);
                    let st = &self.proc.sig;
                    let alt = (st.altstack_sp, st.altstack_size, !st.altstack_disabled);
                    let use_alt = act.flags & abi.sa_onstack != 0;
                    let resume = self.cpu.pc();
                    let d = SignalDelivery {
                        abi: &abi,
                        info: &info,
                        handler,
                        resume,
                        old_mask: old,
                        altstack: alt,
                        use_altstack: use_alt,
                    };
                    let ok = A::setup_rt_frame(&mut self.cpu, &mut self.mem, &d);
                    if ok.is_err() {
                        self.die(SigInfo { signo: 11, ..info });
                    }
                    let mut m = self.proc.sig.mask | act.mask;
                    if act.flags & abi.sa_nodefer == 0 {
                        m |= SigState::bit(g);
                    }
                    self.proc.sig.set_mask(&abi, m);
                    if act.flags & abi.sa_resethand != 0 {
                        self.proc.sig.actions[g as usize] = Default::default();
                        if let Some(h) = abi.sig_to_host(g) {
                            hs::set_host_action(h, hs::HostAction::Default);
                        }
                    }
                    if self.opts.strace {
                        eprintln!(
                            "--- signal {g} {{si_signo={g}, si_code={}, si_addr={:#010x}}} handler {handler:#x} ---",
                            info.code, info.addr
                        );
                    }
                }
            }
        }
    }

    /// End the process by the host equivalent of guest signal `info.signo`.
    pub(super) fn die(&mut self, info: SigInfo) -> ! {
        let abi = self.proc.abi;
        let h = abi.sig_to_host(info.signo).unwrap_or(libc::SIGSEGV);
        // SAFETY: strsignal returns a pointer to a static or thread-local string.
        let text = unsafe {
            let p = libc::strsignal(h);
            if p.is_null() {
                String::new()
            } else {
                std::ffi::CStr::from_ptr(p).to_string_lossy().into_owned()
            }
        };
        eprintln!("specemu: uncaught target signal {} ({text}) at pc {:#010x}", info.signo, self.cpu.pc());
        self.debug_finish(crate::debug::StopReason::Terminated(h));
        hs::die_by_signal(h)
    }
}
