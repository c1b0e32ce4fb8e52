//! gdbstub's `Target` over a [`DebugTarget`] (a user-mode guest or a board's vCPU): registers,
//! memory, software and hardware breakpoints, watchpoints, continue and single step, and the
//! blocking event loop that waits for "gdb sent a byte" or "the target stopped" on one
//! channel. Stops are matched to the run they end, so a late one is dropped; signals are
//! translated between Linux numbers (the target's) and gdb's own numbering.
//!
//! Owns the protocol-facing side of debugging; it must not know a CPU, a board or how a
//! target stops.

use super::arch::{target_xml, GuestArch, RawRegs, RegNum};
use super::conn::{Event, GdbConn};
use gdbstub::common::{Pid, Signal};
use gdbstub::stub::run_blocking::{self, BlockingEventLoop, WaitForStopReasonError};
use gdbstub::stub::SingleThreadStopReason;
use gdbstub::target::ext::base::single_register_access::{SingleRegisterAccess, SingleRegisterAccessOps};
use gdbstub::target::ext::base::singlethread::{
    SingleThreadBase, SingleThreadResume, SingleThreadResumeOps, SingleThreadSingleStep, SingleThreadSingleStepOps,
};
use gdbstub::target::ext::base::BaseOps;
use gdbstub::target::ext::breakpoints::{
    Breakpoints, BreakpointsOps, HwBreakpoint, HwBreakpointOps, HwWatchpoint, HwWatchpointOps, SwBreakpoint,
    SwBreakpointOps, WatchKind as GdbWatchKind,
};
use gdbstub::target::ext::extended_mode::{Args, AttachKind, ExtendedMode, ExtendedModeOps, ShouldTerminate};
use gdbstub::target::ext::target_description_xml_override::{
    TargetDescriptionXmlOverride, TargetDescriptionXmlOverrideOps,
};
use gdbstub::target::{Target, TargetError, TargetResult};
use specemu_runtime::debug::{on_cpu, DebugError, DebugTarget, Resume, StopEvent, StopReason, WatchKind, Watchpoint};

/// What QEMU's stub answers for memory it cannot access (`E14`).
const EFAULT: u8 = 0x14;

/// gdb's signal numbers of Linux's 1..=31 (gdb numbers signals its own way).
const LINUX_TO_GDB: [u8; 32] = [
    0, 1, 2, 3, 4, 5, 6, 10, 8, 9, 30, 11, 31, 13, 14, 15, 143, 20, 19, 17, 18, 21, 22, 16, 24, 25, 26, 27, 28, 23, 32,
    12,
];

/// gdb's number of Linux signal `sig`.
pub fn gdb_signal(sig: i32) -> Signal {
    match sig {
        0..=31 => Signal(LINUX_TO_GDB[sig as usize]),
        // Real-time signals 33..=63 are gdb's REALTIME_33.. (45..).
        33..=63 => Signal((sig - 33 + 45) as u8),
        _ => Signal::UNKNOWN,
    }
}

/// Linux's number of gdb signal `sig` (None: no Linux equivalent).
pub fn linux_signal(sig: Signal) -> Option<i32> {
    if sig.0 == 0 || sig == Signal::UNKNOWN {
        return None;
    }
    if let Some(i) = LINUX_TO_GDB.iter().position(|&g| g == sig.0) {
        return Some(i as i32);
    }
    match sig.0 {
        45..=75 => Some(sig.0 as i32 - 45 + 33),
        _ => None,
    }
}

/// Called with true when the target starts running for gdb, false when it stops (the system
/// mode's exit hand-off uses it).
pub type RunningHook = Box<dyn FnMut(bool) + Send>;

/// A target as gdbstub sees it.
pub struct GdbTarget {
    t: Box<dyn DebugTarget>,
    /// What `qAttached` says: system mode attaches to a running machine (gdb detaches when
    /// it quits); user mode started the program for gdb (gdb kills it when it quits), as
    /// QEMU's stubs answer.
    attached: bool,
    /// The run gdb waits for the end of (None: the target is stopped for gdb).
    running: Option<u64>,
    on_running: Option<RunningHook>,
}

/// A request the CPU could not serve: an error reply (the CPU is gone, a bad address...).
fn nonfatal<T>(_: DebugError) -> TargetError<T> {
    TargetError::NonFatal
}

impl GdbTarget {
    pub fn new(t: Box<dyn DebugTarget>, attached: bool, on_running: Option<RunningHook>) -> Self {
        GdbTarget { t, attached, running: None, on_running }
    }

    pub fn target(&mut self) -> &mut dyn DebugTarget {
        &mut *self.t
    }

    /// gdb waits for the target to stop.
    pub fn is_running(&self) -> bool {
        self.running.is_some()
    }

    fn set_running(&mut self, run: Option<u64>) {
        self.running = run;
        if let Some(h) = self.on_running.as_mut() {
            h(run.is_some());
        }
    }

    fn resume_with(&mut self, how: Resume, signal: Option<Signal>) -> Result<(), DebugError> {
        let sig = signal.and_then(linux_signal);
        // Announced before the target runs: it may end at once, and the process must then
        // wait for gdb to hear of it.
        if let Some(h) = self.on_running.as_mut() {
            h(true);
        }
        match self.t.resume(how, sig) {
            Ok(run) => {
                self.running = Some(run);
                Ok(())
            }
            Err(e) => {
                self.set_running(None);
                Err(e)
            }
        }
    }

    /// The stop gdb waits for, if `ev` is it.
    pub fn accept(&mut self, ev: StopEvent) -> Option<SingleThreadStopReason<u64>> {
        if self.running != Some(ev.run) {
            return None;
        }
        match ev.reason {
            // The session's end reports these (after gdb has been told).
            StopReason::Exited(_) | StopReason::Terminated(_) => self.running = None,
            _ => self.set_running(None),
        }
        Some(match ev.reason {
            StopReason::Breakpoint { hw: false } => SingleThreadStopReason::SwBreak(()),
            StopReason::Breakpoint { hw: true } => SingleThreadStopReason::HwBreak(()),
            StopReason::Step => SingleThreadStopReason::DoneStep,
            StopReason::Watch(hit) => SingleThreadStopReason::Watch {
                tid: (),
                kind: match hit.kind {
                    WatchKind::Write => GdbWatchKind::Write,
                    WatchKind::Read => GdbWatchKind::Read,
                    WatchKind::Access => GdbWatchKind::ReadWrite,
                },
                addr: hit.addr,
            },
            StopReason::Interrupted => SingleThreadStopReason::SignalWithThread { tid: (), signal: Signal::SIGINT },
            StopReason::Signal(s) => SingleThreadStopReason::SignalWithThread { tid: (), signal: gdb_signal(s) },
            StopReason::Exited(code) => SingleThreadStopReason::Exited(code as u8),
            StopReason::Terminated(s) => SingleThreadStopReason::Terminated(gdb_signal(s)),
        })
    }

    fn watchpoint(addr: u64, len: u64, kind: GdbWatchKind) -> Watchpoint {
        let kind = match kind {
            GdbWatchKind::Write => WatchKind::Write,
            GdbWatchKind::Read => WatchKind::Read,
            GdbWatchKind::ReadWrite => WatchKind::Access,
        };
        Watchpoint { addr, len, kind }
    }
}

impl Target for GdbTarget {
    type Arch = GuestArch;
    type Error = DebugError;

    fn base_ops(&mut self) -> BaseOps<'_, Self::Arch, Self::Error> {
        BaseOps::SingleThread(self)
    }

    fn support_breakpoints(&mut self) -> Option<BreakpointsOps<'_, Self>> {
        Some(self)
    }

    /// For `qAttached` and an answered `vKill` (gdb's extended mode itself, `!`, is not
    /// offered: starting and attaching to programs is refused).
    fn support_extended_mode(&mut self) -> Option<ExtendedModeOps<'_, Self>> {
        Some(self)
    }

    /// The architecture's name, so that gdb uses its built-in registers for it.
    fn support_target_description_xml_override(&mut self) -> Option<TargetDescriptionXmlOverrideOps<'_, Self>> {
        Some(self)
    }

    // Forks are not reported (a forked child runs on undebugged).
    fn use_fork_stop_reason(&self) -> bool {
        false
    }
    fn use_vfork_stop_reason(&self) -> bool {
        false
    }
    fn use_vforkdone_stop_reason(&self) -> bool {
        false
    }
}

impl TargetDescriptionXmlOverride for GdbTarget {
    fn target_description_xml(
        &self,
        annex: &[u8],
        offset: u64,
        length: usize,
        buf: &mut [u8],
    ) -> TargetResult<usize, Self> {
        if annex != b"target.xml" {
            return Err(TargetError::NonFatal);
        }
        let xml = target_xml(self.t.gdb_info().arch_name);
        let data = xml.as_bytes();
        let start = (offset as usize).min(data.len());
        let n = length.min(buf.len()).min(data.len() - start);
        buf[..n].copy_from_slice(&data[start..start + n]);
        Ok(n)
    }
}

impl ExtendedMode for GdbTarget {
    fn run(&mut self, _filename: Option<&[u8]>, _args: Args<'_, '_>) -> TargetResult<Pid, Self> {
        Err(TargetError::NonFatal)
    }
    fn attach(&mut self, _pid: Pid) -> TargetResult<(), Self> {
        Err(TargetError::NonFatal)
    }
    fn query_if_attached(&mut self, _pid: Pid) -> TargetResult<AttachKind, Self> {
        Ok(if self.attached { AttachKind::Attach } else { AttachKind::Run })
    }
    fn kill(&mut self, _pid: Option<Pid>) -> TargetResult<ShouldTerminate, Self> {
        // The session's end kills the target, after the reply.
        Ok(ShouldTerminate::Yes)
    }
    fn restart(&mut self) -> Result<(), Self::Error> {
        Err(DebugError::Other("restart is not supported".into()))
    }
}

impl SingleThreadBase for GdbTarget {
    fn read_registers(&mut self, regs: &mut RawRegs) -> TargetResult<(), Self> {
        let (bytes, big_endian) = on_cpu(&mut *self.t, |c| (c.gdb_registers(), c.big_endian())).map_err(nonfatal)?;
        let info = self.t.gdb_info();
        *regs = RawRegs { bytes, big_endian, pc_reg: info.pc_reg, reg_bytes: info.reg_bytes };
        Ok(())
    }

    fn write_registers(&mut self, regs: &RawRegs) -> TargetResult<(), Self> {
        let bytes = regs.bytes.clone();
        on_cpu(&mut *self.t, move |c| c.set_gdb_registers(&bytes)).map_err(nonfatal)?.map_err(nonfatal)
    }

    fn support_single_register_access(&mut self) -> Option<SingleRegisterAccessOps<'_, (), Self>> {
        Some(self)
    }

    fn read_addrs(&mut self, start: u64, data: &mut [u8]) -> TargetResult<usize, Self> {
        let len = data.len();
        let got = on_cpu(&mut *self.t, move |c| {
            let mut b = vec![0u8; len];
            let n = c.read_memory(start, &mut b);
            b.truncate(n);
            b
        })
        .map_err(nonfatal)?;
        if got.is_empty() && len != 0 {
            return Err(TargetError::Errno(EFAULT));
        }
        data[..got.len()].copy_from_slice(&got);
        Ok(got.len())
    }

    fn write_addrs(&mut self, start: u64, data: &[u8]) -> TargetResult<(), Self> {
        let data = data.to_vec();
        on_cpu(&mut *self.t, move |c| c.write_memory(start, &data))
            .map_err(nonfatal)?
            .map_err(|_| TargetError::Errno(EFAULT))
    }

    fn support_resume(&mut self) -> Option<SingleThreadResumeOps<'_, Self>> {
        Some(self)
    }
}

impl SingleRegisterAccess<()> for GdbTarget {
    fn read_register(&mut self, _tid: (), reg: RegNum, buf: &mut [u8]) -> TargetResult<usize, Self> {
        let n = reg.0;
        let bytes = on_cpu(&mut *self.t, move |c| c.gdb_register(n))
            .map_err(nonfatal)?
            .map_err(|_| TargetError::Errno(EFAULT))?;
        let k = bytes.len().min(buf.len());
        buf[..k].copy_from_slice(&bytes[..k]);
        Ok(k)
    }

    fn write_register(&mut self, _tid: (), reg: RegNum, val: &[u8]) -> TargetResult<(), Self> {
        let (n, val) = (reg.0, val.to_vec());
        on_cpu(&mut *self.t, move |c| c.set_gdb_register(n, &val)).map_err(nonfatal)?.map_err(nonfatal)
    }
}

impl SingleThreadResume for GdbTarget {
    fn resume(&mut self, signal: Option<Signal>) -> Result<(), Self::Error> {
        self.resume_with(Resume::Continue, signal)
    }

    fn support_single_step(&mut self) -> Option<SingleThreadSingleStepOps<'_, Self>> {
        Some(self)
    }
}

impl SingleThreadSingleStep for GdbTarget {
    fn step(&mut self, signal: Option<Signal>) -> Result<(), Self::Error> {
        self.resume_with(Resume::Step, signal)
    }
}

impl Breakpoints for GdbTarget {
    fn support_sw_breakpoint(&mut self) -> Option<SwBreakpointOps<'_, Self>> {
        Some(self)
    }
    fn support_hw_breakpoint(&mut self) -> Option<HwBreakpointOps<'_, Self>> {
        Some(self)
    }
    fn support_hw_watchpoint(&mut self) -> Option<HwWatchpointOps<'_, Self>> {
        Some(self)
    }
}

// Breakpoints patch no memory: the translator stops before their instructions. Inserting
// one that exists, or removing one that does not, succeeds (gdb may repeat itself).
impl SwBreakpoint for GdbTarget {
    fn add_sw_breakpoint(&mut self, addr: u64, _kind: usize) -> TargetResult<bool, Self> {
        on_cpu(&mut *self.t, move |c| c.debug().add_breakpoint(addr, false)).map_err(nonfatal)?;
        Ok(true)
    }
    fn remove_sw_breakpoint(&mut self, addr: u64, _kind: usize) -> TargetResult<bool, Self> {
        on_cpu(&mut *self.t, move |c| c.debug().remove_breakpoint(addr, false)).map_err(nonfatal)?;
        Ok(true)
    }
}

impl HwBreakpoint for GdbTarget {
    fn add_hw_breakpoint(&mut self, addr: u64, _kind: usize) -> TargetResult<bool, Self> {
        on_cpu(&mut *self.t, move |c| c.debug().add_breakpoint(addr, true)).map_err(nonfatal)?;
        Ok(true)
    }
    fn remove_hw_breakpoint(&mut self, addr: u64, _kind: usize) -> TargetResult<bool, Self> {
        on_cpu(&mut *self.t, move |c| c.debug().remove_breakpoint(addr, true)).map_err(nonfatal)?;
        Ok(true)
    }
}

impl HwWatchpoint for GdbTarget {
    fn add_hw_watchpoint(&mut self, addr: u64, len: u64, kind: GdbWatchKind) -> TargetResult<bool, Self> {
        let w = Self::watchpoint(addr, len, kind);
        on_cpu(&mut *self.t, move |c| c.debug().add_watchpoint(w)).map_err(nonfatal)
    }
    fn remove_hw_watchpoint(&mut self, addr: u64, len: u64, kind: GdbWatchKind) -> TargetResult<bool, Self> {
        let w = Self::watchpoint(addr, len, kind);
        on_cpu(&mut *self.t, move |c| c.debug().remove_watchpoint(w)).map_err(nonfatal)?;
        Ok(true)
    }
}

/// The blocking event loop: one channel carries gdb's bytes and the target's stops.
pub enum EventLoop {}

impl BlockingEventLoop for EventLoop {
    type Target = GdbTarget;
    type Connection = GdbConn;
    type StopReason = SingleThreadStopReason<u64>;

    #[allow(clippy::type_complexity)]
    fn wait_for_stop_reason(
        target: &mut GdbTarget,
        conn: &mut GdbConn,
    ) -> Result<run_blocking::Event<Self::StopReason>, WaitForStopReasonError<DebugError, std::io::Error>> {
        loop {
            match conn.next_event() {
                Ok(Event::Byte(b)) => return Ok(run_blocking::Event::IncomingData(b)),
                Ok(Event::Stop(ev)) => {
                    if let Some(r) = target.accept(ev) {
                        return Ok(run_blocking::Event::TargetStopped(r));
                    }
                }
                Err(e) => return Err(WaitForStopReasonError::Connection(e)),
            }
        }
    }

    fn on_interrupt(target: &mut GdbTarget) -> Result<Option<Self::StopReason>, DebugError> {
        // The stop (SIGINT, or whatever stopped the target first) arrives as an event.
        target.t.interrupt();
        Ok(None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signals_map_both_ways() {
        assert_eq!(gdb_signal(libc_sig::SIGSEGV), Signal::SIGSEGV);
        assert_eq!(gdb_signal(libc_sig::SIGBUS), Signal::SIGBUS);
        assert_eq!(gdb_signal(libc_sig::SIGUSR1), Signal::SIGUSR1);
        assert_eq!(gdb_signal(libc_sig::SIGCHLD), Signal::SIGCHLD);
        assert_eq!(gdb_signal(34), Signal(46));
        assert_eq!(gdb_signal(200), Signal::UNKNOWN);
        for s in (1..=31).filter(|&s| s != 16).chain(33..=63) {
            assert_eq!(linux_signal(gdb_signal(s)), Some(s), "signal {s}");
        }
        assert_eq!(linux_signal(Signal(0)), None);
        assert_eq!(linux_signal(Signal::UNKNOWN), None);
    }

    /// Linux's numbers (x86-64 and generic), spelled out for the test.
    mod libc_sig {
        pub const SIGBUS: i32 = 7;
        pub const SIGUSR1: i32 = 10;
        pub const SIGSEGV: i32 = 11;
        pub const SIGCHLD: i32 = 17;
    }
}
