//! What a monitor (QMP, the human monitor) may ask of a system-mode virtual machine: its run
//! state, pausing and resuming its vCPUs, reset, power-down, quit, CPU and memory inspection,
//! and the events it reports. Boards implement [`VmControl`] (crate `specemu-machines`); the
//! monitor (`src/monitor/`) only ever talks to this trait, never to a particular board.
//!
//! This module owns the contract only; it must not know any board, device or protocol.

use std::sync::mpsc::Receiver;
use std::time::SystemTime;

/// QEMU's run states, as `query-status` names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunState {
    /// Before the first `cont` after `-S`, or before machine creation with `--preconfig`.
    Prelaunch,
    Running,
    /// Stopped by `stop` (or the monitor).
    Paused,
    /// Stopped by the debugger.
    Debug,
    /// The guest shut down (and `-no-shutdown` kept the process alive).
    Shutdown,
    /// A vCPU hit an error the emulator cannot continue from.
    InternalError,
}

impl RunState {
    /// The name QMP's `query-status` uses.
    pub fn qmp_name(self) -> &'static str {
        match self {
            RunState::Prelaunch => "prelaunch",
            RunState::Running => "running",
            RunState::Paused => "paused",
            RunState::Debug => "debug",
            RunState::Shutdown => "shutdown",
            RunState::InternalError => "internal-error",
        }
    }
}

/// An event QMP reports asynchronously.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VmEvent {
    Stop,
    Resume,
    /// `guest` is true when the guest asked for it (QMP's `guest` member); `reason` is QEMU's
    /// ShutdownCause name (for example "host-qmp-system-reset", "guest-reset").
    Reset {
        guest: bool,
        reason: String,
    },
    Shutdown {
        guest: bool,
        reason: String,
    },
    Powerdown,
}

/// An event with the wall-clock time it happened (QMP's `timestamp`).
#[derive(Debug, Clone)]
pub struct TimedEvent {
    pub event: VmEvent,
    pub at: SystemTime,
}

/// One vCPU, as `query-cpus-fast` and `info cpus` show it.
#[derive(Debug, Clone)]
pub struct CpuInfo {
    pub index: usize,
    /// The host thread running it (QMP's `thread-id`).
    pub thread_id: i64,
    /// QMP's `target` (for example "mips").
    pub target: String,
    /// QOM path, for example "/machine/unattached/device[0]".
    pub qom_path: String,
    pub pc: u64,
    pub halted: bool,
}

/// A board type, as `query-machines` lists it.
#[derive(Debug, Clone)]
pub struct MachineInfo {
    pub name: String,
    pub description: String,
    pub default_cpu_type: String,
    pub is_default: bool,
    pub cpu_max: u32,
}

/// A CPU model, as `query-cpu-definitions` lists it.
#[derive(Debug, Clone)]
pub struct CpuDefinition {
    pub name: String,
    pub typename: String,
}

/// Control of one virtual machine. Calls come from the monitor thread; implementations
/// synchronise with their vCPU threads (a `stop` returns once every vCPU is paused).
pub trait VmControl: Send {
    fn state(&self) -> RunState;
    /// False under `--preconfig` until `create_machine`.
    fn machine_created(&self) -> bool;
    /// `x-exit-preconfig`: build the machine configured so far; vCPUs start unless `-S`
    /// (then emitting `VmEvent::Resume`, as QEMU does).
    fn create_machine(&mut self) -> Result<(), String>;
    /// Pause every vCPU (QMP `stop`). Only a running VM changes (to `Paused`, emitting
    /// `VmEvent::Stop`); in `prelaunch` or `paused` nothing happens, as in QEMU.
    fn stop(&mut self);
    /// Resume (QMP `cont`): from `prelaunch` or `paused` to `Running`, emitting
    /// `VmEvent::Resume`; already running: nothing, no event.
    fn cont(&mut self) -> Result<(), String>;
    /// `system_reset`: emits `VmEvent::Reset { guest: false, reason: "host-qmp-system-reset" }`;
    /// the run state stays as it was.
    fn reset(&mut self);
    /// `system_powerdown`: Err when the board has no power button.
    fn powerdown(&mut self) -> Result<(), String>;
    /// `quit`: stop everything and emit `VmEvent::Shutdown { guest: false, reason:
    /// "host-qmp-quit" }`; the process exits once the monitors have delivered that event and
    /// replied.
    fn quit(&mut self);
    fn cpus(&self) -> Vec<CpuInfo>;
    /// `info registers` for vCPU `cpu`: what QEMU's `cpu_dump_state` prints for the
    /// architecture (lines ending in `\n`); the monitor adds the `CPU#N` header line.
    fn info_registers(&self, cpu: usize) -> String;
    /// Guest-virtual memory as vCPU `cpu` sees it (`x`).
    fn read_virt(&self, cpu: usize, addr: u64, len: usize) -> Result<Vec<u8>, String>;
    /// Guest-physical memory (`xp`).
    fn read_phys(&self, addr: u64, len: usize) -> Result<Vec<u8>, String>;
    /// The guest's byte order (for `x`/`xp` word formatting).
    fn big_endian(&self) -> bool;
    /// A receiver of every event from now on (each call makes a new subscriber).
    fn subscribe(&mut self) -> Receiver<TimedEvent>;
    fn machines(&self) -> Vec<MachineInfo>;
    fn cpu_definitions(&self) -> Vec<CpuDefinition>;
    /// The process's exit status once the machine has shut down (a semihosting exit's code,
    /// for example); 0 when the board has nothing to say.
    fn exit_status(&self) -> i32 {
        0
    }
    /// Width of a guest virtual address in bits (QEMU's `target_ulong`): `x` prints and wraps
    /// addresses at this width.
    fn virt_addr_bits(&self) -> u32 {
        32
    }
    /// `x /i`, `xp /i`: `count` instructions from `addr` (virtual for vCPU `cpu`, or physical),
    /// one `(address, text)` per instruction. Boards without a disassembler keep the default.
    fn disassemble(&self, cpu: usize, physical: bool, addr: u64, count: usize) -> Result<Vec<(u64, String)>, String> {
        let _ = (cpu, physical, addr, count);
        Err("no disassembler for this machine".to_string())
    }
    /// A debugger (the gdb stub) attaches to vCPU `cpu`: the machine stops as QEMU's does when
    /// gdb connects (a running VM becomes `paused`, with `VmEvent::Stop`; `prelaunch` stays),
    /// and the returned target drives it. Stops for the debugger (breakpoint, watchpoint,
    /// step) put the VM in run state `debug` with `VmEvent::Stop`, and go to `sink`; so does
    /// the guest's end (`StopReason::Exited`). Boards without debugger support keep the
    /// default.
    fn debugger(
        &mut self,
        cpu: usize,
        sink: crate::debug::StopSink,
    ) -> Result<Box<dyn crate::debug::DebugTarget>, String> {
        let _ = (cpu, sink);
        Err("this machine has no debugger support".to_string())
    }
}

/// How to build a board: what the system-mode command line says (`-M`, `-cpu`, `-m`,
/// `-kernel`, `-serial`, `-semihosting`, `-S`, `-d`, `-D`). The command line fills it; a board's
/// constructor reads it.
#[derive(Debug, Clone, Default)]
pub struct BoardConfig {
    /// `-M` (for example "mipssim").
    pub machine: String,
    /// `-cpu`, when given.
    pub cpu: Option<String>,
    /// `-m`, in bytes, when given.
    pub ram_size: Option<u64>,
    /// `-kernel`.
    pub kernel: Option<std::path::PathBuf>,
    /// `-append`.
    pub append: Option<String>,
    /// The guest architecture (`arch::ArchEntry::name`; empty: the first with a system mode)
    /// and its byte order, as the `specemu system-NAME` command chose them.
    pub arch: String,
    pub big_endian: bool,
    /// `-serial stdio` (or `-nographic`, which implies it): serial port 0 on the process's
    /// stdin/stdout. False: the port is not connected.
    pub serial_stdio: bool,
    /// `-semihosting`.
    pub semihosting: bool,
    /// `-S`: create the machine with vCPUs paused (state `prelaunch` until `cont`).
    pub start_paused: bool,
    /// `--preconfig`: the constructor only records the configuration (state `prelaunch`,
    /// `machine_created()` false); `create_machine` (QMP `x-exit-preconfig`) builds the board.
    /// False: the constructor builds it.
    pub preconfig: bool,
    /// `-d` items (in_asm, op, op_opt, exec, int...).
    pub log: Vec<String>,
    /// `-D`: the file `-d` output goes to (stderr when absent).
    pub log_file: Option<std::path::PathBuf>,
    /// `-accel interp`: run the guest on the IR interpreter instead of the JIT.
    pub interp: bool,
}
