//! The user-mode CPU loop under a debugger (`specemu run -g PORT`): the hooks `run.rs` calls
//! at block boundaries and block exits, and the stopped guest as [`DebugCpu`] (registers in
//! gdb's layout for the architecture, memory through the guest's address space). The guest thread serves the
//! debugger itself while stopped, through a [`Local`] link end (`crate::debug::link`).
//!
//! What stops the guest: the first instruction (unreported: the debugger assumes it), a
//! breakpoint (its instruction has not run), a watchpoint (the access has not happened), the
//! end of a single step, the debugger's interrupt, and every synchronous signal before it is
//! delivered (the debugger may pass it on, change it or discard it). The end of the program
//! (exit status or fatal signal) is reported before the process goes. A child forked while
//! debugging runs on without the debugger.
//!
//! Owns that glue only; it must not speak the gdb protocol (that is `src/gdb/`) nor change
//! how the loop translates and runs blocks beyond what [`CpuDebug`] asks.

use super::cpu_loop::Loop;
use crate::arch::{GdbRegs, GuestCpu, LinuxTarget};
use crate::debug::link::{After, Local};
use crate::debug::{CpuDebug, DebugCpu, DebugError, Resume, StopReason};
use crate::user::mem::GuestMem;
use crate::user::signal::SigInfo;
use std::time::Duration;

/// How long the end of the program waits for the debugger to take the news.
const FINISH_WAIT: Duration = Duration::from_secs(10);

/// The stopped guest.
struct View<'a, C> {
    cpu: &'a mut C,
    mem: &'a mut GuestMem,
    debug: &'a mut CpuDebug,
    big_endian: bool,
    addr_mask: u64,
}

impl<C: GdbRegs> DebugCpu for View<'_, C> {
    fn big_endian(&self) -> bool {
        self.big_endian
    }
    fn gdb_registers(&self) -> Vec<u8> {
        self.cpu.gdb_registers(self.big_endian)
    }
    fn set_gdb_registers(&mut self, bytes: &[u8]) -> Result<(), DebugError> {
        self.cpu.set_gdb_registers(self.big_endian, bytes)
    }
    fn gdb_register(&self, n: usize) -> Result<Vec<u8>, DebugError> {
        self.cpu.gdb_register(self.big_endian, n).ok_or(DebugError::BadRegister)
    }
    fn set_gdb_register(&mut self, n: usize, bytes: &[u8]) -> Result<(), DebugError> {
        self.cpu.set_gdb_register(self.big_endian, n, bytes)
    }
    fn read_memory(&mut self, addr: u64, buf: &mut [u8]) -> usize {
        // Page by page, stopping at the first unreadable one.
        crate::arch::read_guest(self.mem, addr, buf, self.addr_mask)
    }
    fn write_memory(&mut self, addr: u64, data: &[u8]) -> Result<(), DebugError> {
        // Like a debugger's ptrace writes: read-only pages (code) too. Translated code there
        // is dropped before the guest runs again (see `debug_sync`).
        if addr.checked_add(data.len() as u64).is_none_or(|end| end - 1 > self.addr_mask) {
            return Err(DebugError::BadAddress(addr));
        }
        self.mem.poke(addr, data).map_err(|f| DebugError::BadAddress(f.addr))
    }
    fn debug(&mut self) -> &mut CpuDebug {
        self.debug
    }
}

/// A signal the debugger sends the guest (gdb's `signal SIG`).
fn injected(guest: i32) -> SigInfo {
    SigInfo { signo: guest, code: crate::user::signal::SI_USER, ..SigInfo::default() }
}

/// Linux's signal number of a guest signal.
fn host_signal<A: LinuxTarget>(l: &Loop<A>, guest: i32) -> i32 {
    l.proc.abi.sig_to_host(guest).unwrap_or(guest)
}

impl<A: LinuxTarget> Loop<A> {
    /// Attach the debugger: the guest stops before its first instruction.
    pub(super) fn debug_attach(&mut self, link: Local) {
        self.gdb = Some(link);
        self.gdb_start = true;
    }

    /// At a block boundary (before signals are delivered): stop if the debugger wants it, a
    /// step ended, or the guest is about to run its first instruction.
    pub(super) fn debug_boundary(&mut self) {
        let Some(link) = self.gdb.as_ref() else { return };
        if link.in_forked_child() {
            // A child of fork: the parent keeps the debugger. The link's channels are shared
            // with the parent's stub thread, which does not exist here: leave them alone.
            if let Some(l) = self.gdb.take() {
                std::mem::forget(l);
            }
            self.debug.clear();
            self.debug_sync();
            return;
        }
        let reason = if std::mem::take(&mut self.gdb_start) {
            None
        } else if self.debug.step && self.gdb_stepped {
            Some(StopReason::Step)
        } else if link.wants_stop() {
            Some(StopReason::Interrupted)
        } else {
            return;
        };
        self.debug_stop_and_inject(reason);
    }

    /// A block ended. While stepping, the step is done unless the block never ran (the exit
    /// request stopped it at its entry); compiled blocks are not chained.
    pub(super) fn debug_after_block(&mut self) {
        if self.debug.step {
            self.gdb_stepped = !std::mem::take(&mut self.engine.requested);
            self.engine.unchain();
        }
    }

    /// The block raised the debugger's stop: the instruction at `pc` has a breakpoint.
    pub(super) fn debug_breakpoint(&mut self, pc: u64) {
        self.cpu.set_pc(pc);
        let hw = self.debug.breakpoint_at(pc).unwrap_or(false);
        self.debug_stop_and_inject(Some(StopReason::Breakpoint { hw }));
    }

    /// The block faulted: when a watchpoint refused the access, stop before the accessing
    /// instruction (`resume`: its address, or its branch's for a delay slot) and return true.
    pub(super) fn debug_watch(&mut self, resume: u64) -> bool {
        let Some(hit) = self.debug.watch.hit.take() else { return false };
        if self.gdb.is_none() {
            return false;
        }
        self.cpu.set_pc(resume);
        self.debug_stop_and_inject(Some(StopReason::Watch(hit)));
        true
    }

    /// A signal is about to be delivered: the debugger sees it first and decides (gdb's
    /// `continue` passes it on, `signal 0` discards it, `signal SIG` replaces it). A signal
    /// the debugger itself injected is not shown again.
    pub(super) fn debug_signal(&mut self, info: SigInfo) -> Option<SigInfo> {
        if self.gdb.is_none() || self.gdb_injected.take() == Some(info.signo) {
            return Some(info);
        }
        let host = host_signal(self, info.signo);
        match self.debug_stop(Some(StopReason::Signal(host))) {
            After::Resume(_, None) => None,
            After::Resume(_, Some(sig)) if sig == host => Some(info),
            After::Resume(_, Some(sig)) => self.proc.abi.sig_to_guest(sig).map(injected),
            After::Detach | After::Kill => Some(info),
        }
    }

    /// Stop for `reason`; a signal the debugger resumes with is delivered next.
    fn debug_stop_and_inject(&mut self, reason: Option<StopReason>) {
        if let After::Resume(_, Some(sig)) = self.debug_stop(reason) {
            if let Some(g) = self.proc.abi.sig_to_guest(sig) {
                self.proc.sig.sync.push(injected(g));
                self.gdb_injected = Some(g);
            }
        }
    }

    /// The program ends (`Exited`/`Terminated`, Linux numbers): tell the debugger.
    pub(super) fn debug_finish(&mut self, reason: StopReason) {
        if let Some(mut l) = self.gdb.take() {
            if !l.in_forked_child() {
                l.finish(reason, FINISH_WAIT);
            } else {
                std::mem::forget(l);
            }
        }
    }

    /// Stop and serve the debugger until it resumes (`reason` None: the stop before the
    /// first instruction, which is not reported). A kill ends the process here, as QEMU's
    /// stub does.
    fn debug_stop(&mut self, reason: Option<StopReason>) -> After {
        let Some(link) = self.gdb.as_mut() else { return After::Detach };
        let mut view = View {
            cpu: &mut self.cpu,
            mem: &mut self.mem,
            debug: &mut self.debug,
            big_endian: self.be,
            addr_mask: self.addr_mask,
        };
        let after = link.stop(reason, &mut view);
        match after {
            After::Resume(how, _) => {
                self.debug.step = how == Resume::Step;
                self.gdb_stepped = false;
            }
            After::Detach => self.gdb = None,
            After::Kill => {
                eprintln!("specemu: terminated by the debugger");
                use std::io::Write as _;
                let _ = std::io::stdout().flush();
                std::process::exit(0);
            }
        }
        self.debug_sync();
        after
    }

    /// Make the translations match what the debugger asks: drop them all when breakpoints,
    /// stepping or the watchpoints' access paths changed, or the debugger wrote code.
    pub(super) fn debug_sync(&mut self) {
        let mut stale = self.debug.translations_stale(&mut self.gdb_translated);
        if self.mem.has_dirty_code() {
            self.mem.take_dirty_code();
            stale = true;
        }
        let slow = self.opts.accel == super::Accel::Check || !self.debug.watch.is_empty();
        if let Some(j) = self.engine.jit.as_mut() {
            stale |= j.set_all_slow(slow);
        }
        if stale {
            self.engine.flush();
        }
    }
}
