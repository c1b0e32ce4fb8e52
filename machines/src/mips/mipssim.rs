//! The `mipssim` board, compatible with QEMU's (hw/mips/mipssim.c): one MIPS32 CPU (24Kf
//! by default) clocked at 12 MHz, RAM at physical 0 (`-m`, default 128 MiB), a 4 MiB boot
//! ROM at 0x1fc00000 (the reset vector 0xbfc00000; empty, as QEMU's is without a BIOS
//! image), 64 KiB of ISA I/O space at 0x1fd00000 with a 16550 UART at I/O port 0x3f8
//! (physical 0x1fd003f8) on CPU interrupt 4 (Cause.IP4, "INT2"). `-kernel` loads an ELF
//! image (KSEG0 addresses to physical) and the CPU starts at its entry point in its reset
//! state — QEMU's mipssim writes no boot stub; with `-semihosting`, $a0 is -1.
//!
//! The vCPU runs on its own thread; [`VmControl`] pauses it at block boundaries. A debugger
//! (the gdb stub, through [`VmControl::debugger`]) drives the same run control: its stops put
//! the machine in run state `debug`, as QEMU's do. Owns the board's composition and run
//! control; must not contain CPU or device internals.

use super::elf_kernel::{self, Kernel};
use crate::devices::uart16550::{Input, Uart16550};
use crate::MachineType;
use specemu_runtime::control::{
    BoardConfig, CpuDefinition, CpuInfo, MachineInfo, RunState, TimedEvent, VmControl, VmEvent,
};
use specemu_runtime::debug::{CpuJob, DebugError, DebugTarget, Resume, StopEvent, StopReason, StopSink};
use specemu_runtime::disas::Disassembler;
use specemu_runtime::softmmu::{AddressSpace, RegionKind};
use specemu_runtime::targets::mips::cpu_option;
use specemu_runtime::targets::mips::system::cp0::{self, MODELS};
use specemu_runtime::targets::mips::system::{LogFlags, Stop, SysConfig, Vcpu};
use std::io::{Read, Write};
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU32, Ordering};
use std::sync::mpsc::{channel, Receiver, Sender};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration, SystemTime};

pub const NAME: &str = "mipssim";
pub const DESCRIPTION: &str = "MIPS MIPSsim platform";
pub const DEFAULT_CPU: &str = cpu_option::DEFAULT_MODEL;
pub const DEFAULT_RAM: u64 = 128 << 20;
pub const CPU_HZ: u64 = 12_000_000;
pub const BIOS_BASE: u64 = 0x1fc0_0000;
pub const BIOS_SIZE: u64 = 4 << 20;
pub const ISA_BASE: u64 = 0x1fd0_0000;
pub const ISA_SIZE: u64 = 0x1_0000;
pub const UART_BASE: u64 = ISA_BASE + 0x3f8;
/// The UART's line: CPU interrupt 4 (Cause.IP4).
pub const UART_IRQ: u32 = 1 << 4;

/// Blocks a vCPU runs between looks at its control state.
const BATCH: usize = 256;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Request {
    None,
    Quit,
}

struct Ctl {
    state: RunState,
    request: Request,
    exit: Option<i32>,
}

struct Shared {
    ctl: Mutex<Ctl>,
    cv: Condvar,
    /// Set to make the vCPU leave its batch early (stop, monitor access).
    kick: AtomicBool,
    vcpu: Mutex<Vcpu>,
    space: Arc<AddressSpace>,
    uart: Arc<Mutex<Uart16550>>,
    kernel: Option<Kernel>,
    reset_pc: u32,
    subscribers: Mutex<Vec<Sender<TimedEvent>>>,
    thread_id: AtomicI64,
    halted: AtomicBool,
    debugger: Mutex<Debugger>,
}

/// The attached debugger: where its stops go and how many times it resumed the machine.
#[derive(Default)]
struct Debugger {
    sink: Option<StopSink>,
    run: u64,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Shared {
    fn emit(&self, event: VmEvent) {
        let ev = TimedEvent { event, at: SystemTime::now() };
        lock(&self.subscribers).retain(|s| s.send(ev.clone()).is_ok());
    }

    /// Lock the vCPU between two batches.
    fn vcpu(&self) -> MutexGuard<'_, Vcpu> {
        self.kick.store(true, Ordering::Release);
        lock(&self.vcpu)
    }

    /// Tell the debugger (if one is attached) that the machine stopped.
    fn debug_event(&self, reason: StopReason) {
        let d = lock(&self.debugger);
        if let Some(sink) = &d.sink {
            sink(StopEvent { run: d.run, reason });
        }
    }

    fn debugger_attached(&self) -> bool {
        lock(&self.debugger).sink.is_some()
    }

    fn do_reset(&self) {
        let mut v = lock(&self.vcpu);
        if let Some(k) = &self.kernel {
            let _ = k.load_into(&self.space);
        }
        lock(&self.uart).reset();
        v.irq.store(0, Ordering::Release);
        v.reset(self.reset_pc);
    }
}

/// The board type, for the machine registry.
pub const MACHINE: MachineType = MachineType {
    name: NAME,
    description: DESCRIPTION,
    is_default: false,
    cpu_max: 1,
    default_cpu_type: Some("24Kf-mips-cpu"),
    create,
};

/// A mipssim machine: built at once, or under `--preconfig` only configured until
/// `create_machine`.
pub struct Mipssim {
    cfg: BoardConfig,
    /// Where `-d` output goes, until the machine is built.
    log: Option<Box<dyn Write + Send>>,
    shared: Option<Arc<Shared>>,
    thread: Option<JoinHandle<()>>,
    /// Subscribers from before the machine existed (`--preconfig`).
    early: Vec<Sender<TimedEvent>>,
}

/// Build the machine of `cfg` (or, under `--preconfig`, record it) behind the monitor's
/// interface; `-d` output goes to `cfg.log_file` or stderr.
pub fn create(cfg: &BoardConfig) -> Result<Box<dyn VmControl>, String> {
    let log: Box<dyn Write + Send> = match &cfg.log_file {
        Some(p) => Box::new(std::io::BufWriter::new(
            std::fs::File::create(p).map_err(|e| format!("cannot create log file {}: {e}", p.display()))?,
        )),
        None => Box::new(std::io::stderr()),
    };
    if cfg.preconfig {
        check_config(cfg)?;
        return Ok(Box::new(Mipssim {
            cfg: cfg.clone(),
            log: Some(log),
            shared: None,
            thread: None,
            early: Vec::new(),
        }));
    }
    Ok(Box::new(Mipssim::new(cfg, log)?))
}

fn check_config(cfg: &BoardConfig) -> Result<&'static cp0::CpuModel, String> {
    let cpu = cpu_option::parse(cfg.cpu.as_deref().unwrap_or(DEFAULT_CPU))?;
    specemu_runtime::targets::mips::fpu::set_qemu_fpu(cpu.qemu_fpu);
    let model = cpu.model;
    let ram = cfg.ram_size.unwrap_or(DEFAULT_RAM);
    if ram == 0 || ram > BIOS_BASE {
        return Err(format!("invalid RAM size {ram:#x} (at most {BIOS_BASE:#x} bytes fit below the boot ROM)"));
    }
    log_flags(&cfg.log)?;
    Ok(model)
}

fn log_flags(items: &[String]) -> Result<LogFlags, String> {
    let mut f = LogFlags::default();
    for i in items {
        match i.as_str() {
            "in_asm" => f.in_asm = true,
            "op" => f.op = true,
            "op_opt" => f.op_opt = true,
            "out_asm" => f.out_asm = true,
            "exec" => f.exec = true,
            "int" => f.int = true,
            "" => {}
            other => return Err(format!("unknown -d item '{other}' (in_asm, op, op_opt, out_asm, exec, int)")),
        }
    }
    Ok(f)
}

impl Mipssim {
    /// Build the machine; the vCPU starts unless `cfg.start_paused`. `log` receives `-d`
    /// output.
    pub fn new(cfg: &BoardConfig, log: Box<dyn Write + Send>) -> Result<Self, String> {
        let (shared, thread) = build(cfg, log)?;
        Ok(Mipssim { cfg: cfg.clone(), log: None, shared: Some(shared), thread: Some(thread), early: Vec::new() })
    }

    /// Wait until the guest ends; its exit status (UHI exit), or 1 after an internal error.
    pub fn wait(&mut self) -> i32 {
        let Some(sh) = &self.shared else { return 0 };
        let mut c = lock(&sh.ctl);
        loop {
            if let Some(code) = c.exit {
                return code;
            }
            c = sh.cv.wait(c).unwrap_or_else(|e| e.into_inner());
        }
    }
}

/// Build the board and start its vCPU thread.
fn build(cfg: &BoardConfig, log: Box<dyn Write + Send>) -> Result<(Arc<Shared>, JoinHandle<()>), String> {
    let model = *check_config(cfg)?;
    let ram = cfg.ram_size.unwrap_or(DEFAULT_RAM);
    let irq = Arc::new(AtomicU32::new(0));
    let input: Input = Arc::default();
    let out: Box<dyn Write + Send> =
        if cfg.serial_stdio { Box::new(std::io::stdout()) } else { Box::new(std::io::sink()) };
    let uart = Arc::new(Mutex::new(Uart16550::new(out, input.clone(), irq.clone(), UART_IRQ)));
    let mut space = AddressSpace::new();
    // Earlier regions win: the ISA window lies inside the 4 MiB boot ROM's range and
    // takes precedence over it (QEMU maps it later, over the ROM).
    space.add("serial", UART_BASE, 8, RegionKind::Mmio(uart.clone()))?;
    space.add("isa_mmio", ISA_BASE, ISA_SIZE, RegionKind::Open)?;
    space.add("mips_mipssim.ram", 0, ram, RegionKind::Ram)?;
    space.add("mips_mipssim.bios", BIOS_BASE, BIOS_SIZE, RegionKind::Rom)?;
    let space = Arc::new(space);

    let mut reset_pc = 0xbfc0_0000u32;
    let mut kernel = None;
    let mut args = Vec::new();
    if let Some(path) = &cfg.kernel {
        let data = std::fs::read(path).map_err(|e| format!("could not load kernel '{}': {e}", path.display()))?;
        let k = elf_kernel::parse(&data, cfg.big_endian, &|a| a & 0x1fff_ffff)
            .map_err(|e| format!("could not load kernel '{}': {e}", path.display()))?;
        k.load_into(&space).map_err(|e| format!("could not load kernel '{}': {e}", path.display()))?;
        reset_pc = k.entry as u32;
        kernel = Some(k);
        args.push(path.display().to_string());
        if let Some(a) = &cfg.append {
            args.extend(a.split_whitespace().map(String::from));
        }
    }
    let sys = SysConfig {
        big_endian: cfg.big_endian,
        model,
        semihosting: cfg.semihosting,
        semihosting_args: args,
        hz: CPU_HZ,
        log: log_flags(&cfg.log)?,
        jit: !cfg.interp,
    };
    let mut vcpu = Vcpu::new(space.clone(), irq, sys, log);
    vcpu.reset(reset_pc);
    let shared = Arc::new(Shared {
        ctl: Mutex::new(Ctl {
            state: if cfg.start_paused { RunState::Prelaunch } else { RunState::Running },
            request: Request::None,
            exit: None,
        }),
        cv: Condvar::new(),
        kick: AtomicBool::new(false),
        vcpu: Mutex::new(vcpu),
        space,
        uart,
        kernel,
        reset_pc,
        subscribers: Mutex::new(Vec::new()),
        thread_id: AtomicI64::new(0),
        halted: AtomicBool::new(false),
        debugger: Mutex::new(Debugger::default()),
    });
    if cfg.serial_stdio {
        spawn_stdin_reader(input);
    }
    let s = shared.clone();
    let thread = std::thread::Builder::new()
        .name("CPU 0/TCG".into())
        .spawn(move || vcpu_thread(&s))
        .map_err(|e| format!("cannot start the vCPU thread: {e}"))?;
    Ok((shared, thread))
}

impl Drop for Mipssim {
    fn drop(&mut self) {
        if let Some(sh) = &self.shared {
            lock(&sh.ctl).request = Request::Quit;
            sh.kick.store(true, Ordering::Release);
            sh.cv.notify_all();
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn spawn_stdin_reader(input: Input) {
    let _ = std::thread::Builder::new().name("serial-stdin".into()).spawn(move || {
        let mut buf = [0u8; 256];
        let mut stdin = std::io::stdin();
        while let Ok(n) = stdin.read(&mut buf) {
            if n == 0 {
                break;
            }
            lock(&input).extend(&buf[..n]);
        }
    });
}

fn vcpu_thread(s: &Shared) {
    // SAFETY: gettid has no preconditions.
    s.thread_id.store(unsafe { libc::gettid() } as i64, Ordering::Release);
    loop {
        let mut v = {
            let mut c = lock(&s.ctl);
            loop {
                if c.request == Request::Quit {
                    return;
                }
                if c.state == RunState::Running {
                    break;
                }
                c = s.cv.wait(c).unwrap_or_else(|e| e.into_inner());
            }
            s.kick.store(false, Ordering::Release);
            // Taken while holding `ctl`: a `stop` that changes the state after this point
            // waits for the batch to end by locking the vCPU.
            lock(&s.vcpu)
        };
        let mut stop = Stop::Budget;
        for _ in 0..64 {
            lock(&s.uart).poll_input();
            stop = v.run(BATCH);
            if stop != Stop::Budget || s.kick.load(Ordering::Acquire) {
                break;
            }
        }
        s.halted.store(stop == Stop::Idle, Ordering::Release);
        drop(v);
        match stop {
            Stop::Budget => {}
            Stop::Idle => std::thread::sleep(Duration::from_millis(1)),
            Stop::Exit(code) => {
                let _ = std::io::stdout().flush();
                let mut c = lock(&s.ctl);
                c.state = RunState::Shutdown;
                c.exit = Some(code);
                // Emitted under `ctl`, so that `subscribe` sees either the state or the event.
                s.emit(VmEvent::Shutdown { guest: true, reason: "guest-shutdown".into() });
                drop(c);
                s.cv.notify_all();
                s.debug_event(StopReason::Exited(code));
            }
            Stop::Debug(reason) => {
                // A breakpoint, watchpoint or single step: the machine waits for the debugger
                // in run state `debug` (unless the monitor paused it meanwhile).
                if s.debugger_attached() {
                    let stopped = {
                        let mut c = lock(&s.ctl);
                        let run = c.state == RunState::Running;
                        if run {
                            c.state = RunState::Debug;
                        }
                        run
                    };
                    if stopped {
                        s.emit(VmEvent::Stop);
                    }
                    s.debug_event(reason);
                }
            }
            Stop::Error(msg) => {
                eprintln!("specemu: {msg}");
                let mut c = lock(&s.ctl);
                c.state = RunState::InternalError;
                c.exit = Some(1);
                // The process ends (status 1), as QEMU's does when semihosting aborts.
                s.emit(VmEvent::Shutdown { guest: true, reason: "guest-panic".into() });
                drop(c);
                s.cv.notify_all();
                s.debug_event(StopReason::Exited(1));
            }
        }
    }
}

impl Mipssim {
    fn emit_early(&mut self, event: VmEvent) {
        let ev = TimedEvent { event, at: SystemTime::now() };
        self.early.retain(|s| s.send(ev.clone()).is_ok());
    }
}

impl VmControl for Mipssim {
    fn state(&self) -> RunState {
        match &self.shared {
            Some(sh) => lock(&sh.ctl).state,
            None => RunState::Prelaunch,
        }
    }
    fn machine_created(&self) -> bool {
        self.shared.is_some()
    }
    fn create_machine(&mut self) -> Result<(), String> {
        if self.shared.is_some() {
            return Err("the machine already exists".into());
        }
        let log = self.log.take().unwrap_or_else(|| Box::new(std::io::stderr()));
        // Built paused, so that the subscribers see everything from the start.
        let (shared, thread) = build(&BoardConfig { start_paused: true, ..self.cfg.clone() }, log)?;
        lock(&shared.subscribers).append(&mut self.early);
        self.shared = Some(shared.clone());
        self.thread = Some(thread);
        if !self.cfg.start_paused {
            lock(&shared.ctl).state = RunState::Running;
            shared.emit(VmEvent::Resume);
            shared.cv.notify_all();
        }
        Ok(())
    }
    fn stop(&mut self) {
        let Some(sh) = &self.shared else { return };
        let changed = {
            let mut c = lock(&sh.ctl);
            let run = c.state == RunState::Running;
            if run {
                c.state = RunState::Paused;
            }
            run
        };
        if changed {
            drop(sh.vcpu());
            sh.emit(VmEvent::Stop);
        }
    }
    fn cont(&mut self) -> Result<(), String> {
        let Some(sh) = &self.shared else {
            return Err("the machine is not created yet (x-exit-preconfig)".into());
        };
        let mut c = lock(&sh.ctl);
        match c.state {
            RunState::Paused | RunState::Prelaunch | RunState::Debug => {
                c.state = RunState::Running;
                drop(c);
                sh.emit(VmEvent::Resume);
                sh.cv.notify_all();
                Ok(())
            }
            RunState::Running => Ok(()),
            RunState::Shutdown => Err("the guest has shut down; reset it first".into()),
            RunState::InternalError => Err("the guest stopped on an internal error".into()),
        }
    }
    fn reset(&mut self) {
        let Some(sh) = &self.shared else {
            self.emit_early(VmEvent::Reset { guest: false, reason: "host-qmp-system-reset".into() });
            return;
        };
        // Between two batches (kick, then take the vCPU): the reset is done on return.
        sh.kick.store(true, Ordering::Release);
        sh.do_reset();
        {
            let mut c = lock(&sh.ctl);
            if c.state == RunState::Shutdown {
                c.state = RunState::Running;
                c.exit = None;
            }
        }
        sh.cv.notify_all();
        sh.emit(VmEvent::Reset { guest: false, reason: "host-qmp-system-reset".into() });
    }
    fn powerdown(&mut self) -> Result<(), String> {
        // No power button on this board: the request is reported and ignored, as in QEMU.
        match &self.shared {
            Some(sh) => sh.emit(VmEvent::Powerdown),
            None => self.emit_early(VmEvent::Powerdown),
        }
        Ok(())
    }
    fn quit(&mut self) {
        let ev = VmEvent::Shutdown { guest: false, reason: "host-qmp-quit".into() };
        let Some(sh) = &self.shared else {
            self.emit_early(ev);
            return;
        };
        {
            let mut c = lock(&sh.ctl);
            c.request = Request::Quit;
            c.state = RunState::Shutdown;
        }
        sh.kick.store(true, Ordering::Release);
        sh.cv.notify_all();
        sh.emit(ev);
        // QEMU tells gdb too (`W00`) when it quits.
        sh.debug_event(StopReason::Exited(0));
    }
    fn cpus(&self) -> Vec<CpuInfo> {
        let Some(sh) = &self.shared else { return Vec::new() };
        let pc = sh.vcpu().cpu.pc as u64;
        vec![CpuInfo {
            index: 0,
            thread_id: sh.thread_id.load(Ordering::Acquire),
            target: "mips".into(),
            qom_path: "/machine/unattached/device[0]".into(),
            pc,
            halted: sh.halted.load(Ordering::Acquire),
        }]
    }
    fn info_registers(&self, cpu: usize) -> String {
        match &self.shared {
            Some(sh) if cpu == 0 => sh.vcpu().info_registers(),
            _ => String::new(),
        }
    }
    fn read_virt(&self, cpu: usize, addr: u64, len: usize) -> Result<Vec<u8>, String> {
        let Some(sh) = self.shared.as_ref().filter(|_| cpu == 0) else {
            return Err("No CPU available".into());
        };
        let mut buf = vec![0u8; len];
        sh.vcpu().read_virt(addr as u32, &mut buf)?;
        Ok(buf)
    }
    fn read_phys(&self, addr: u64, len: usize) -> Result<Vec<u8>, String> {
        let Some(sh) = &self.shared else { return Err("Cannot access memory".into()) };
        let mut buf = vec![0u8; len];
        for (i, b) in buf.iter_mut().enumerate() {
            let a = addr.wrapping_add(i as u64);
            *b = sh.space.read(a, 1, false).map_err(|_| format!("cannot access address {a:#x}"))? as u8;
        }
        Ok(buf)
    }
    fn big_endian(&self) -> bool {
        self.cfg.big_endian
    }
    fn subscribe(&mut self) -> Receiver<TimedEvent> {
        let (tx, rx) = channel();
        match &self.shared {
            Some(sh) => {
                // The guest may have ended before anyone listened (a fast UHI exit while
                // the command line was still subscribing): tell the late subscriber.
                let c = lock(&sh.ctl);
                if c.exit.is_some() {
                    let reason = if c.state == RunState::Shutdown { "guest-shutdown" } else { "guest-panic" };
                    let event = VmEvent::Shutdown { guest: true, reason: reason.into() };
                    let _ = tx.send(TimedEvent { event, at: SystemTime::now() });
                }
                lock(&sh.subscribers).push(tx);
            }
            None => self.early.push(tx),
        }
        rx
    }
    fn machines(&self) -> Vec<MachineInfo> {
        crate::machine_infos()
    }
    fn cpu_definitions(&self) -> Vec<CpuDefinition> {
        cpu_definitions()
    }
    fn exit_status(&self) -> i32 {
        self.shared.as_ref().and_then(|sh| lock(&sh.ctl).exit).unwrap_or(0)
    }
    fn debugger(&mut self, cpu: usize, sink: StopSink) -> Result<Box<dyn DebugTarget>, String> {
        let Some(sh) = self.shared.clone() else {
            return Err("the machine is not created yet (x-exit-preconfig)".into());
        };
        if cpu != 0 {
            return Err(format!("no CPU {cpu}"));
        }
        // A new session replaces an earlier one's sink (one debugger at a time).
        lock(&sh.debugger).sink = Some(sink);
        // gdb connecting stops a running machine (QEMU: `paused`); `prelaunch` stays.
        self.stop();
        Ok(Box::new(MipssimDebug { sh }))
    }
    fn disassemble(&self, cpu: usize, physical: bool, addr: u64, count: usize) -> Result<Vec<(u64, String)>, String> {
        let be = self.cfg.big_endian;
        let d = Disassembler::new(&specemu_runtime::targets::mips::ARCH, be, None).map_err(|e| e.to_string())?;
        let mut out = Vec::new();
        for i in 0..count {
            let a = (addr as u32).wrapping_add(4 * i as u32) as u64;
            let word = if physical { self.read_phys(a, 4) } else { self.read_virt(cpu, a, 4) };
            let Ok(word) = word else {
                out.push((a, "Cannot access memory".to_string()));
                break;
            };
            let text = match d.one(&word, a, &|_, _| {}) {
                Some((_, t)) => t,
                None => d.bad(&word).1,
            };
            out.push((a, text));
        }
        Ok(out)
    }
}

/// The CPU models, as `query-cpu-definitions` lists them.
pub fn cpu_definitions() -> Vec<CpuDefinition> {
    MODELS.iter().map(|m| CpuDefinition { name: m.name.into(), typename: format!("{}-mips-cpu", m.name) }).collect()
}

/// The debugger's handle on the machine (see [`VmControl::debugger`]).
struct MipssimDebug {
    sh: Arc<Shared>,
}

impl MipssimDebug {
    /// From `prelaunch`, `paused` or `debug` to running, with `VmEvent::Resume`.
    fn start(&self) -> Result<(), DebugError> {
        let mut c = lock(&self.sh.ctl);
        match c.state {
            RunState::Paused | RunState::Prelaunch | RunState::Debug => {
                c.state = RunState::Running;
                drop(c);
                self.sh.emit(VmEvent::Resume);
                self.sh.cv.notify_all();
                Ok(())
            }
            RunState::Running => Ok(()),
            RunState::Shutdown | RunState::InternalError => Err(DebugError::Gone),
        }
    }
}

impl DebugTarget for MipssimDebug {
    fn gdb_info(&self) -> specemu_runtime::arch::GdbInfo {
        specemu_runtime::targets::mips::GDB
    }
    fn with_cpu(&mut self, job: CpuJob) -> Result<(), DebugError> {
        let mut v = self.sh.vcpu();
        job(&mut *v);
        Ok(())
    }

    fn resume(&mut self, how: Resume, _signal: Option<i32>) -> Result<u64, DebugError> {
        self.sh.vcpu().debug.step = how == Resume::Step;
        let run = {
            let mut d = lock(&self.sh.debugger);
            d.run += 1;
            d.run
        };
        self.start()?;
        Ok(run)
    }

    fn interrupt(&mut self) {
        // gdb's Ctrl-C: QEMU pauses the machine (`paused`, not `debug`).
        let stopped = {
            let mut c = lock(&self.sh.ctl);
            let run = c.state == RunState::Running;
            if run {
                c.state = RunState::Paused;
            }
            run
        };
        if stopped {
            // Returns once the vCPU is between two batches.
            drop(self.sh.vcpu());
            self.sh.emit(VmEvent::Stop);
        }
        self.sh.debug_event(StopReason::Interrupted);
    }

    fn detach(&mut self) {
        lock(&self.sh.debugger).sink = None;
        self.sh.vcpu().debug.clear();
        // As QEMU's `D`: the machine runs on.
        let _ = self.start();
    }

    fn kill(&mut self) {
        // As QEMU's `k`: the process ends (status 0); SHUTDOWN tells the monitors why.
        eprintln!("specemu: terminated by the debugger");
        lock(&self.sh.debugger).sink = None;
        {
            let mut c = lock(&self.sh.ctl);
            c.request = Request::Quit;
            c.state = RunState::Shutdown;
            c.exit = Some(0);
        }
        self.sh.kick.store(true, Ordering::Release);
        self.sh.cv.notify_all();
        self.sh.emit(VmEvent::Shutdown { guest: false, reason: "host-signal".into() });
    }
}
