//! A [`DebugTarget`] for a CPU whose own thread serves the debugger while it is stopped (user
//! mode: the guest runs on the process's main thread, the gdb stub on another). [`pair`]
//! makes the two ends: [`Remote`] (the debugger's, a `DebugTarget`) sends jobs and resumes
//! over a channel and raises flags; [`Local`] (the CPU's) is polled at block boundaries
//! ([`Local::wants_stop`]) and, while the CPU is stopped, runs the debugger's jobs on it
//! ([`Local::stop`]).
//!
//! Owns the hand-over between the two threads only; it must not know the gdb protocol or a
//! guest architecture.

use super::{CpuJob, DebugCpu, DebugError, DebugTarget, Resume, StopEvent, StopReason, StopSink};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{channel, sync_channel, Receiver, RecvTimeoutError, Sender};
use std::sync::Arc;
use std::time::Duration;

enum Msg {
    Job(CpuJob),
    Resume(Resume, Option<i32>),
    Detach,
    Kill,
}

#[derive(Default)]
struct Flags {
    /// The debugger wants the running CPU to stop.
    interrupt: AtomicBool,
    /// The debugger left.
    detached: AtomicBool,
}

/// What the CPU does after a stop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum After {
    /// Run on (deliver `signal` first, a Linux number, when given).
    Resume(Resume, Option<i32>),
    /// The debugger left: run on without it (breakpoints and watchpoints are cleared).
    Detach,
    /// The debugger ends the program.
    Kill,
}

/// The debugger's end: a [`DebugTarget`].
pub struct Remote {
    tx: Sender<Msg>,
    flags: Arc<Flags>,
    run: u64,
    wake: fn(),
    info: crate::arch::GdbInfo,
}

/// The CPU's end.
pub struct Local {
    rx: Receiver<Msg>,
    flags: Arc<Flags>,
    sink: StopSink,
    run: u64,
    pid: u32,
}

/// Make the two ends. `sink` receives the CPU's stops; `wake` makes a running CPU return to
/// its loop soon (for example the JIT's exit request), so that it sees a request.
pub fn pair(sink: StopSink, wake: fn(), info: crate::arch::GdbInfo) -> (Local, Remote) {
    let (tx, rx) = channel();
    let flags = Arc::new(Flags::default());
    (
        Local { rx, flags: flags.clone(), sink, run: 0, pid: std::process::id() },
        Remote { tx, flags, run: 0, wake, info },
    )
}

impl Local {
    /// Whether the debugger asks the running CPU to stop (a cheap test for block boundaries).
    #[inline]
    pub fn wants_stop(&self) -> bool {
        self.flags.interrupt.load(Ordering::Acquire) || self.flags.detached.load(Ordering::Acquire)
    }

    /// Whether this end belongs to another process (a child forked after the debugger
    /// attached: it must run on undebugged, as a child under QEMU's gdb stub does).
    pub fn in_forked_child(&self) -> bool {
        self.pid != std::process::id()
    }

    /// The CPU stopped: report `reason` (None for the stop before the first instruction,
    /// which the debugger assumes) and run the debugger's jobs until it resumes, detaches or
    /// kills.
    pub fn stop(&mut self, reason: Option<StopReason>, cpu: &mut dyn DebugCpu) -> After {
        self.flags.interrupt.store(false, Ordering::Release);
        if !self.flags.detached.load(Ordering::Acquire) {
            if let Some(reason) = reason {
                (self.sink)(StopEvent { run: self.run, reason });
            }
            loop {
                match self.rx.recv() {
                    Ok(Msg::Job(job)) => job(cpu),
                    Ok(Msg::Resume(how, signal)) => {
                        self.run += 1;
                        return After::Resume(how, signal);
                    }
                    Ok(Msg::Kill) => return After::Kill,
                    Ok(Msg::Detach) | Err(_) => break,
                }
            }
        }
        self.flags.detached.store(true, Ordering::Release);
        cpu.debug().clear();
        After::Detach
    }

    /// The program ended (`reason`: exited or killed by a signal): tell the debugger and give
    /// it up to `wait` to see it (it detaches or disconnects when it has).
    pub fn finish(&mut self, reason: StopReason, wait: Duration) {
        if self.flags.detached.load(Ordering::Acquire) {
            return;
        }
        (self.sink)(StopEvent { run: self.run, reason });
        let deadline = std::time::Instant::now() + wait;
        loop {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            match self.rx.recv_timeout(left) {
                // Nothing can run on a finished CPU; dropping the job tells the debugger.
                Ok(Msg::Job(_)) | Ok(Msg::Resume(..)) => {}
                Ok(Msg::Detach) | Ok(Msg::Kill) | Err(RecvTimeoutError::Disconnected) => return,
                Err(RecvTimeoutError::Timeout) => return,
            }
        }
    }
}

impl DebugTarget for Remote {
    fn gdb_info(&self) -> crate::arch::GdbInfo {
        self.info
    }
    fn with_cpu(&mut self, job: CpuJob) -> Result<(), DebugError> {
        let (done_tx, done_rx) = sync_channel::<()>(1);
        let job: CpuJob = Box::new(move |cpu| {
            job(cpu);
            let _ = done_tx.send(());
        });
        self.tx.send(Msg::Job(job)).map_err(|_| DebugError::Gone)?;
        // The job (and with it the sender) is dropped unrun when the CPU is gone.
        done_rx.recv().map_err(|_| DebugError::Gone)
    }

    fn resume(&mut self, how: Resume, signal: Option<i32>) -> Result<u64, DebugError> {
        self.flags.interrupt.store(false, Ordering::Release);
        self.tx.send(Msg::Resume(how, signal)).map_err(|_| DebugError::Gone)?;
        self.run += 1;
        Ok(self.run)
    }

    fn interrupt(&mut self) {
        self.flags.interrupt.store(true, Ordering::Release);
        (self.wake)();
    }

    fn detach(&mut self) {
        self.flags.detached.store(true, Ordering::Release);
        let _ = self.tx.send(Msg::Detach);
        (self.wake)();
    }

    fn kill(&mut self) {
        let _ = self.tx.send(Msg::Kill);
        self.flags.interrupt.store(true, Ordering::Release);
        (self.wake)();
    }
}

#[cfg(test)]
mod tests {
    use super::super::{on_cpu, CpuDebug};
    use super::*;

    const TOY_INFO: crate::arch::GdbInfo =
        crate::arch::GdbInfo { arch_name: "toy", pc_reg: 0, reg_bytes: 4, num_regs: 1 };

    /// A CPU with one register and 16 bytes of memory.
    #[derive(Default)]
    struct Toy {
        reg: u32,
        mem: [u8; 16],
        dbg: CpuDebug,
    }

    impl DebugCpu for Toy {
        fn big_endian(&self) -> bool {
            false
        }
        fn gdb_registers(&self) -> Vec<u8> {
            self.reg.to_le_bytes().to_vec()
        }
        fn set_gdb_registers(&mut self, b: &[u8]) -> Result<(), DebugError> {
            self.reg = u32::from_le_bytes(b.try_into().map_err(|_| DebugError::BadRegister)?);
            Ok(())
        }
        fn gdb_register(&self, n: usize) -> Result<Vec<u8>, DebugError> {
            if n == 0 {
                Ok(self.gdb_registers())
            } else {
                Err(DebugError::BadRegister)
            }
        }
        fn set_gdb_register(&mut self, n: usize, b: &[u8]) -> Result<(), DebugError> {
            if n != 0 {
                return Err(DebugError::BadRegister);
            }
            self.set_gdb_registers(b)
        }
        fn read_memory(&mut self, addr: u64, buf: &mut [u8]) -> usize {
            let a = addr as usize;
            let n = buf.len().min(16usize.saturating_sub(a));
            buf[..n].copy_from_slice(&self.mem[a.min(16)..a.min(16) + n]);
            n
        }
        fn write_memory(&mut self, addr: u64, data: &[u8]) -> Result<(), DebugError> {
            let a = addr as usize;
            if a + data.len() > 16 {
                return Err(DebugError::BadAddress(addr));
            }
            self.mem[a..a + data.len()].copy_from_slice(data);
            Ok(())
        }
        fn debug(&mut self) -> &mut CpuDebug {
            &mut self.dbg
        }
    }

    fn no_wake() {}

    #[test]
    fn jobs_run_on_the_cpu_thread_until_resume_and_stops_carry_the_run() {
        let (events_tx, events) = channel();
        let (mut local, mut remote) = pair(
            Box::new(move |e| {
                let _ = events_tx.send(e);
            }),
            no_wake,
            TOY_INFO,
        );
        let cpu_thread = std::thread::spawn(move || {
            let mut cpu = Toy { reg: 7, ..Toy::default() };
            let first = local.stop(None, &mut cpu);
            // "Run" until the debugger interrupts.
            while !local.wants_stop() {
                std::thread::yield_now();
            }
            let second = local.stop(Some(StopReason::Interrupted), &mut cpu);
            (first, second, cpu.reg, cpu.mem, cpu.dbg.has_breakpoints())
        });
        assert_eq!(on_cpu(&mut remote, |c| c.gdb_registers()).unwrap(), vec![7, 0, 0, 0]);
        on_cpu(&mut remote, |c| c.set_gdb_register(0, &[9, 0, 0, 0])).unwrap().unwrap();
        on_cpu(&mut remote, |c| c.write_memory(4, b"ab")).unwrap().unwrap();
        assert!(on_cpu(&mut remote, |c| c.write_memory(15, b"ab")).unwrap().is_err());
        assert!(on_cpu(&mut remote, |c| c.debug().add_breakpoint(0x40, false)).unwrap());
        assert_eq!(remote.resume(Resume::Step, None).unwrap(), 1);
        remote.interrupt();
        let ev = events.recv_timeout(Duration::from_secs(30)).unwrap();
        assert_eq!(ev, StopEvent { run: 1, reason: StopReason::Interrupted });
        remote.detach();
        let (first, second, reg, mem, bps) = cpu_thread.join().unwrap();
        assert_eq!(first, After::Resume(Resume::Step, None));
        assert_eq!(second, After::Detach);
        assert_eq!(reg, 9);
        assert_eq!(&mem[4..6], b"ab");
        assert!(!bps, "detaching clears the breakpoints");
    }

    #[test]
    fn a_vanished_cpu_or_debugger_is_not_a_hang() {
        let (mut local, mut remote) = pair(Box::new(|_| {}), no_wake, TOY_INFO);
        // The debugger disconnects while the CPU is stopped: the CPU detaches.
        let mut cpu = Toy::default();
        let t = std::thread::spawn(move || local.stop(Some(StopReason::Step), &mut cpu));
        remote.detach();
        assert_eq!(t.join().unwrap(), After::Detach);
        // The CPU is gone: requests fail instead of blocking.
        assert_eq!(remote.with_cpu(Box::new(|_| {})), Err(DebugError::Gone));
        assert!(remote.resume(Resume::Continue, None).is_err());
        // The program ended and nobody listens: finish returns at once.
        let (mut local, remote) = pair(Box::new(|_| {}), no_wake, TOY_INFO);
        drop(remote);
        local.finish(StopReason::Exited(0), Duration::from_secs(60));
    }
}
