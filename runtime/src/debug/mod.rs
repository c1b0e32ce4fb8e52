//! The debugger's side of a CPU, architecture-neutral: breakpoints and watchpoints (what gdb's
//! `Z` packets ask for), single stepping, why a CPU stopped, and the two interfaces between a
//! debugger front end (the gdb stub in `src/gdb/`) and a CPU:
//!
//! - [`DebugCpu`]: a *stopped* CPU, for reading and writing registers (in gdb's numbering and
//!   byte order, which the guest architecture defines) and guest memory, and for setting
//!   breakpoints and watchpoints. User mode's CPU loop and system mode's vCPU implement it.
//! - [`DebugTarget`]: a CPU that runs on another thread, as the stub drives it: run a closure
//!   on it while it is stopped, resume or single-step it, interrupt it, detach, kill. Stops
//!   come back asynchronously as [`StopEvent`]s through a [`StopSink`]. User mode implements
//!   it with [`link`] (a channel to the guest's thread); boards through `VmControl::debugger`.
//!
//! How a CPU loop honours [`CpuDebug`]: it translates with [`crate::tb::translate::translate_debug`]
//! so that an instruction with a breakpoint raises [`crate::tb::translate::EXC_DEBUG_STOP`]
//! before it runs; while stepping it translates one instruction per block (a branch with its
//! delay slot) and stops after each block; while watchpoints exist every guest memory access
//! goes through its `Env` (the JIT's `all_slow`), where [`Watch::check`] refuses a watched
//! access before it happens, so the stop is precise with the PC at the accessing instruction;
//! when [`CpuDebug::generation`] changes, it drops its translations.
//!
//! This module owns that bookkeeping and the contracts; it must not know the gdb protocol, a
//! guest architecture or a board.

pub mod link;

use crate::tb::translate::Limits;
use std::collections::BTreeMap;

/// What a watchpoint watches (gdb's `Z2`, `Z3`, `Z4`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum WatchKind {
    Write,
    Read,
    /// Reads and writes.
    Access,
}

/// One watchpoint: `len` bytes from `addr`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Watchpoint {
    pub addr: u64,
    pub len: u64,
    pub kind: WatchKind,
}

/// An access that a watchpoint caught: an address inside the watched range and what the
/// access was (a write, or a read).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WatchHit {
    pub addr: u64,
    pub kind: WatchKind,
}

/// The watchpoints, checked by a CPU's memory accesses, and the hit a refused access left.
#[derive(Debug, Default, Clone)]
pub struct Watch {
    list: Vec<Watchpoint>,
    /// Set by [`Watch::check`] when it refused an access; taken by the CPU loop when the
    /// block ends with the resulting fault.
    pub hit: Option<WatchHit>,
}

impl Watch {
    /// No watchpoint is set (accesses need no check).
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// Whether an access of `size` bytes at `addr` (a write, or a read) touches a watchpoint
    /// of a matching kind. When it does, the hit is recorded and the caller refuses the
    /// access (reporting a fault) so that it does not happen.
    #[inline]
    pub fn check(&mut self, addr: u64, size: u64, write: bool) -> bool {
        if self.list.is_empty() {
            return false;
        }
        self.check_slow(addr, size, write)
    }

    #[cold]
    fn check_slow(&mut self, addr: u64, size: u64, write: bool) -> bool {
        let end = addr.saturating_add(size.max(1));
        for w in &self.list {
            let matches = match w.kind {
                WatchKind::Write => write,
                WatchKind::Read => !write,
                WatchKind::Access => true,
            };
            let wend = w.addr.saturating_add(w.len.max(1));
            if matches && addr < wend && w.addr < end {
                // gdb matches the reported address against the watched range.
                let at = addr.max(w.addr);
                let kind = if write { WatchKind::Write } else { WatchKind::Read };
                self.hit = Some(WatchHit { addr: at, kind: if w.kind == WatchKind::Access { w.kind } else { kind } });
                return true;
            }
        }
        false
    }

    pub fn list(&self) -> &[Watchpoint] {
        &self.list
    }
}

/// Which kinds of breakpoint are set at an address.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
struct BpKinds {
    sw: bool,
    hw: bool,
}

/// The debugger's requests to one CPU: breakpoints, watchpoints, single stepping. Owned by
/// the CPU (its thread), changed by the debugger only while the CPU is stopped.
#[derive(Debug, Default, Clone)]
pub struct CpuDebug {
    breakpoints: BTreeMap<u64, BpKinds>,
    pub watch: Watch,
    /// Run one instruction (a branch with its delay slot), then stop.
    pub step: bool,
    /// Changes whenever the breakpoints or the watchpoint set's emptiness change: the CPU
    /// must drop its translations (they have breakpoints and memory access paths compiled in).
    generation: u64,
}

impl CpuDebug {
    /// Insert a breakpoint (`hw`: a hardware one, `Z1`; else software, `Z0`). False when one
    /// of that kind is there already.
    pub fn add_breakpoint(&mut self, addr: u64, hw: bool) -> bool {
        let k = self.breakpoints.entry(addr).or_default();
        let slot = if hw { &mut k.hw } else { &mut k.sw };
        if *slot {
            return false;
        }
        *slot = true;
        self.generation += 1;
        true
    }

    /// Remove a breakpoint; false when there was none of that kind.
    pub fn remove_breakpoint(&mut self, addr: u64, hw: bool) -> bool {
        let Some(k) = self.breakpoints.get_mut(&addr) else { return false };
        let slot = if hw { &mut k.hw } else { &mut k.sw };
        if !*slot {
            return false;
        }
        *slot = false;
        if !k.sw && !k.hw {
            self.breakpoints.remove(&addr);
        }
        self.generation += 1;
        true
    }

    /// Whether an instruction at `pc` must stop the CPU before it runs (`Some(hw)`: the
    /// breakpoint is a hardware one; a software one wins when both are set).
    #[inline]
    pub fn breakpoint_at(&self, pc: u64) -> Option<bool> {
        if self.breakpoints.is_empty() {
            return None;
        }
        self.breakpoints.get(&pc).map(|k| !k.sw)
    }

    pub fn has_breakpoints(&self) -> bool {
        !self.breakpoints.is_empty()
    }

    pub fn add_watchpoint(&mut self, w: Watchpoint) -> bool {
        if w.len == 0 {
            return false;
        }
        if self.watch.list.is_empty() {
            self.generation += 1;
        }
        self.watch.list.push(w);
        true
    }

    /// Remove one watchpoint equal to `w`; false when there is none.
    pub fn remove_watchpoint(&mut self, w: Watchpoint) -> bool {
        let Some(i) = self.watch.list.iter().position(|x| *x == w) else { return false };
        self.watch.list.remove(i);
        if self.watch.list.is_empty() {
            self.generation += 1;
        }
        true
    }

    /// Forget every breakpoint and watchpoint and stop stepping (the debugger detached).
    pub fn clear(&mut self) {
        if self.has_breakpoints() || !self.watch.is_empty() || self.step {
            self.generation += 1;
        }
        self.breakpoints.clear();
        self.watch = Watch::default();
        self.step = false;
    }

    /// Whether the debugger asks anything of the CPU (translations must consult it).
    #[inline]
    pub fn active(&self) -> bool {
        self.step || !self.breakpoints.is_empty() || !self.watch.is_empty()
    }

    /// A number that changes whenever translations made before are stale.
    pub fn generation(&self) -> u64 {
        self.generation
    }

    /// Whether translations made for `seen` are stale now (breakpoints, the watchpoint set's
    /// emptiness or stepping changed); updates `seen`.
    pub fn translations_stale(&self, seen: &mut TranslatedFor) -> bool {
        let now = TranslatedFor { generation: self.generation, step: self.step };
        let stale = now != *seen;
        *seen = now;
        stale
    }

    /// The translation limits for the next block: one instruction while stepping.
    pub fn limits(&self, base: Limits) -> Limits {
        if self.step {
            Limits { max_insns: 1, ..base }
        } else {
            base
        }
    }

    /// Whether the translator must stop before the instruction at `pc` (a breakpoint; while
    /// stepping none: a step executes the instruction it starts at, as in QEMU).
    #[inline]
    pub fn stops_at(&self, pc: u64) -> bool {
        !self.step && self.breakpoint_at(pc).is_some()
    }
}

/// What a CPU loop's translations were made for (see [`CpuDebug::translations_stale`]).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct TranslatedFor {
    generation: u64,
    step: bool,
}

/// Why a CPU stopped for the debugger.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StopReason {
    /// Before the instruction at the PC, which has a breakpoint (`hw`: a hardware one).
    Breakpoint { hw: bool },
    /// After one instruction (a branch with its delay slot).
    Step,
    /// Before the instruction at the PC, whose memory access a watchpoint caught; the access
    /// has not happened (the debugger steps over it).
    Watch(WatchHit),
    /// The debugger asked the CPU to stop (gdb's Ctrl-C).
    Interrupted,
    /// User mode: a signal for the guest, before it is delivered (the Linux number).
    Signal(i32),
    /// The program exited with this status.
    Exited(i32),
    /// The program was killed by this signal (the Linux number).
    Terminated(i32),
}

/// A stop, tagged with the run (the number of resumes so far) it ends, so that a late report
/// of an earlier run can be told apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StopEvent {
    pub run: u64,
    pub reason: StopReason,
}

/// Where a CPU reports its stops (called from the CPU's thread).
pub type StopSink = Box<dyn Fn(StopEvent) + Send>;

/// Why a debugger request failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DebugError {
    /// No such register, or a value of the wrong size.
    #[error("bad register")]
    BadRegister,
    /// The memory is not mapped (or not accessible that way).
    #[error("cannot access memory at {0:#x}")]
    BadAddress(u64),
    /// The CPU is gone (the program ended, the machine shut down).
    #[error("the target is gone")]
    Gone,
    #[error("{0}")]
    Other(String),
}

/// A stopped CPU as a debugger sees it. Registers use gdb's numbering and the guest's byte
/// order (each architecture defines its layout); addresses are the CPU's virtual addresses.
pub trait DebugCpu {
    /// The guest's byte order (that of register and memory bytes).
    fn big_endian(&self) -> bool;
    /// What gdb's `g` packet carries.
    fn gdb_registers(&self) -> Vec<u8>;
    /// gdb's `G` packet; registers beyond `bytes` keep their values.
    fn set_gdb_registers(&mut self, bytes: &[u8]) -> Result<(), DebugError>;
    /// gdb's `p` packet: register `n` (Err for a register the layout does not have).
    fn gdb_register(&self, n: usize) -> Result<Vec<u8>, DebugError>;
    /// gdb's `P` packet.
    fn set_gdb_register(&mut self, n: usize, bytes: &[u8]) -> Result<(), DebugError>;
    /// Copy memory from `addr`; the number of bytes readable from the start (0: none).
    fn read_memory(&mut self, addr: u64, buf: &mut [u8]) -> usize;
    /// Write memory at `addr` (translated code that it changes is dropped).
    fn write_memory(&mut self, addr: u64, data: &[u8]) -> Result<(), DebugError>;
    /// The breakpoints and watchpoints.
    fn debug(&mut self) -> &mut CpuDebug;
}

/// A job for a stopped CPU (owned data only: it may run on the CPU's thread).
pub type CpuJob = Box<dyn FnOnce(&mut dyn DebugCpu) + Send>;

/// How to resume.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resume {
    Continue,
    /// One instruction (a branch with its delay slot), then stop with [`StopReason::Step`].
    Step,
}

/// A CPU on another thread, as a debugger front end drives it. It is stopped when attached.
pub trait DebugTarget: Send {
    /// What gdb needs to know of the CPU's architecture (its name, the register layout).
    fn gdb_info(&self) -> crate::arch::GdbInfo;
    /// Run `job` on the stopped CPU; returns when it has run.
    fn with_cpu(&mut self, job: CpuJob) -> Result<(), DebugError>;
    /// Let the CPU run (user mode: `signal` is delivered to the guest first, a Linux number).
    /// Returns the number of the run; its stop arrives through the sink as a [`StopEvent`]
    /// carrying that number.
    fn resume(&mut self, how: Resume, signal: Option<i32>) -> Result<u64, DebugError>;
    /// Ask the running CPU to stop; the stop ([`StopReason::Interrupted`], or whatever
    /// stopped it first) arrives through the sink.
    fn interrupt(&mut self);
    /// The debugger leaves: breakpoints and watchpoints go, and the CPU runs on.
    fn detach(&mut self);
    /// The debugger ends the program (gdb's `k`).
    fn kill(&mut self);
}

/// Run `f` on `t`'s stopped CPU and return its result.
pub fn on_cpu<R: Send + 'static>(
    t: &mut dyn DebugTarget,
    f: impl FnOnce(&mut dyn DebugCpu) -> R + Send + 'static,
) -> Result<R, DebugError> {
    let slot = std::sync::Arc::new(std::sync::Mutex::new(None));
    let out = slot.clone();
    t.with_cpu(Box::new(move |cpu| {
        let r = f(cpu);
        *out.lock().unwrap_or_else(|e| e.into_inner()) = Some(r);
    }))?;
    let r = slot.lock().unwrap_or_else(|e| e.into_inner()).take();
    r.ok_or(DebugError::Gone)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn breakpoints_are_counted_by_kind_and_bump_the_generation() {
        let mut d = CpuDebug::default();
        let g0 = d.generation();
        assert!(d.add_breakpoint(0x400100, false));
        assert!(!d.add_breakpoint(0x400100, false), "a second Z0 at the same address");
        assert!(d.add_breakpoint(0x400100, true));
        assert_eq!(d.breakpoint_at(0x400100), Some(false), "software wins when both are set");
        assert!(d.remove_breakpoint(0x400100, false));
        assert_eq!(d.breakpoint_at(0x400100), Some(true));
        assert!(!d.remove_breakpoint(0x400100, false));
        assert!(d.remove_breakpoint(0x400100, true));
        assert_eq!(d.breakpoint_at(0x400100), None);
        assert!(!d.has_breakpoints());
        assert!(d.generation() >= g0 + 4);
    }

    #[test]
    fn watchpoints_match_overlapping_accesses_of_their_kind() {
        let mut d = CpuDebug::default();
        let g0 = d.generation();
        let w = Watchpoint { addr: 0x1000, len: 4, kind: WatchKind::Write };
        assert!(d.add_watchpoint(w));
        assert_eq!(d.generation(), g0 + 1, "the first watchpoint changes the access paths");
        assert!(!d.watch.check(0x1000, 4, false), "a read does not trigger a write watchpoint");
        assert!(!d.watch.check(0xffc, 4, true), "just below");
        assert!(!d.watch.check(0x1004, 1, true), "just above");
        assert!(d.watch.check(0x1002, 1, true));
        assert_eq!(d.watch.hit, Some(WatchHit { addr: 0x1002, kind: WatchKind::Write }));
        d.watch.hit = None;
        // A wider access that starts below reports an address inside the range.
        assert!(d.watch.check(0xff8, 16, true));
        assert_eq!(d.watch.hit.take().map(|h| h.addr), Some(0x1000));
        let r = Watchpoint { addr: 0x2000, len: 8, kind: WatchKind::Read };
        let a = Watchpoint { addr: 0x3000, len: 1, kind: WatchKind::Access };
        d.add_watchpoint(r);
        d.add_watchpoint(a);
        assert!(!d.watch.check(0x2004, 4, true));
        assert!(d.watch.check(0x2004, 4, false));
        assert_eq!(d.watch.hit.take(), Some(WatchHit { addr: 0x2004, kind: WatchKind::Read }));
        assert!(d.watch.check(0x3000, 1, true));
        assert_eq!(d.watch.hit.take(), Some(WatchHit { addr: 0x3000, kind: WatchKind::Access }));
        assert!(d.remove_watchpoint(w));
        assert!(!d.remove_watchpoint(w));
        assert!(d.remove_watchpoint(r) && d.remove_watchpoint(a));
        assert!(d.watch.is_empty() && !d.active());
        assert!(!d.add_watchpoint(Watchpoint { addr: 0, len: 0, kind: WatchKind::Read }));
    }

    #[test]
    fn clear_forgets_everything() {
        let mut d = CpuDebug::default();
        d.add_breakpoint(4, true);
        d.add_watchpoint(Watchpoint { addr: 8, len: 4, kind: WatchKind::Access });
        d.step = true;
        let g = d.generation();
        d.clear();
        assert!(!d.active());
        assert!(d.generation() > g);
    }
}
