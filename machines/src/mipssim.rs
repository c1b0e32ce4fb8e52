//! The `mipssim` board, compatible with QEMU's (hw/mips/mipssim.c): one MIPS32 CPU (24Kf
//! by default) clocked at 12 MHz, RAM at physical 0 (`-m`, default 128 MiB), a 4 MiB boot
//! ROM at 0x1fc00000 (the reset vector 0xbfc00000; empty, as QEMU's is without a BIOS
//! image), 64 KiB of ISA I/O space at 0x1fd00000 with a 16550 UART at I/O port 0x3f8
//! (physical 0x1fd003f8) on CPU interrupt 4 (Cause.IP4, "INT2"). `-kernel` loads an ELF
//! image (KSEG0 addresses to physical) and the CPU starts at its entry point in its reset
//! state — QEMU's mipssim writes no boot stub; with `-semihosting`, $a0 is -1.
//!
//! The vCPU runs on its own thread; [`VmControl`] pauses it at block boundaries. Owns the
//! board's composition and run control; must not contain CPU or device internals.

use crate::elf_kernel::{self, Kernel};
use crate::uart16550::{Input, Uart16550};
use specemu_runtime::control::{
    BoardConfig, CpuDefinition, CpuInfo, MachineInfo, RunState, TimedEvent, VmControl, VmEvent,
};
use specemu_runtime::softmmu::{AddressSpace, RegionKind};
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
pub const DEFAULT_CPU: &str = "24Kf";
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
    big_endian: bool,
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

/// A running (or paused) mipssim machine.
pub struct Mipssim {
    shared: Arc<Shared>,
    thread: Option<JoinHandle<()>>,
}

/// Build the machine of `cfg` behind the monitor's interface (log to stderr).
pub fn create(cfg: &BoardConfig) -> Result<Box<dyn VmControl>, String> {
    Ok(Box::new(Mipssim::new(cfg, Box::new(std::io::stderr()))?))
}

fn log_flags(items: &[String]) -> Result<LogFlags, String> {
    let mut f = LogFlags::default();
    for i in items {
        match i.as_str() {
            "in_asm" => f.in_asm = true,
            "op" => f.op = true,
            "op_opt" => f.op_opt = true,
            "exec" => f.exec = true,
            "int" => f.int = true,
            "" => {}
            other => return Err(format!("unknown -d item '{other}' (in_asm, op, op_opt, exec, int)")),
        }
    }
    Ok(f)
}

impl Mipssim {
    /// Build the machine; the vCPU starts unless `cfg.start_paused`. `log` receives `-d`
    /// output.
    pub fn new(cfg: &BoardConfig, log: Box<dyn Write + Send>) -> Result<Self, String> {
        let cpu_name = cfg.cpu.as_deref().unwrap_or(DEFAULT_CPU);
        let model = *cp0::model(cpu_name).ok_or_else(|| {
            format!(
                "unable to find CPU model '{cpu_name}' (available: {})",
                MODELS.iter().map(|m| m.name).collect::<Vec<_>>().join(", ")
            )
        })?;
        let ram = cfg.ram_size.unwrap_or(DEFAULT_RAM);
        if ram == 0 || ram > BIOS_BASE {
            return Err(format!("invalid RAM size {ram:#x} (at most {BIOS_BASE:#x} bytes fit below the boot ROM)"));
        }
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
            big_endian: cfg.big_endian,
        });
        if cfg.serial_stdio {
            spawn_stdin_reader(input);
        }
        let s = shared.clone();
        let thread = std::thread::Builder::new()
            .name("CPU 0/TCG".into())
            .spawn(move || vcpu_thread(&s))
            .map_err(|e| format!("cannot start the vCPU thread: {e}"))?;
        Ok(Mipssim { shared, thread: Some(thread) })
    }

    /// Wait until the guest ends; its exit status (UHI exit), or 1 after an internal error.
    pub fn wait(&mut self) -> i32 {
        let mut c = lock(&self.shared.ctl);
        loop {
            if let Some(code) = c.exit {
                return code;
            }
            c = self.shared.cv.wait(c).unwrap_or_else(|e| e.into_inner());
        }
    }
}

impl Drop for Mipssim {
    fn drop(&mut self) {
        {
            let mut c = lock(&self.shared.ctl);
            c.request = Request::Quit;
        }
        self.shared.kick.store(true, Ordering::Release);
        self.shared.cv.notify_all();
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
                drop(c);
                s.emit(VmEvent::Shutdown { guest: true, reason: "guest-shutdown".into() });
                s.cv.notify_all();
            }
            Stop::Error(msg) => {
                eprintln!("specemu: {msg}");
                let mut c = lock(&s.ctl);
                c.state = RunState::InternalError;
                c.exit = Some(1);
                drop(c);
                s.cv.notify_all();
            }
        }
    }
}

impl VmControl for Mipssim {
    fn state(&self) -> RunState {
        lock(&self.shared.ctl).state
    }
    fn machine_created(&self) -> bool {
        true
    }
    fn create_machine(&mut self) -> Result<(), String> {
        Ok(())
    }
    fn stop(&mut self) {
        let changed = {
            let mut c = lock(&self.shared.ctl);
            let run = c.state == RunState::Running;
            if run {
                c.state = RunState::Paused;
            }
            run
        };
        if changed {
            drop(self.shared.vcpu());
            self.shared.emit(VmEvent::Stop);
        }
    }
    fn cont(&mut self) -> Result<(), String> {
        let mut c = lock(&self.shared.ctl);
        match c.state {
            RunState::Paused | RunState::Prelaunch | RunState::Debug => {
                c.state = RunState::Running;
                drop(c);
                self.shared.emit(VmEvent::Resume);
                self.shared.cv.notify_all();
                Ok(())
            }
            RunState::Running => Ok(()),
            RunState::Shutdown => Err("the guest has shut down; reset it first".into()),
            RunState::InternalError => Err("the guest stopped on an internal error".into()),
        }
    }
    fn reset(&mut self) {
        // Between two batches (kick, then take the vCPU): the reset is done on return.
        self.shared.kick.store(true, Ordering::Release);
        self.shared.do_reset();
        {
            let mut c = lock(&self.shared.ctl);
            if c.state == RunState::Shutdown {
                c.state = RunState::Running;
                c.exit = None;
            }
        }
        self.shared.cv.notify_all();
        self.shared.emit(VmEvent::Reset { guest: false, reason: "host-qmp-system-reset".into() });
    }
    fn powerdown(&mut self) -> Result<(), String> {
        // No power button on this board: the request is reported and ignored, as in QEMU.
        self.shared.emit(VmEvent::Powerdown);
        Ok(())
    }
    fn quit(&mut self) {
        lock(&self.shared.ctl).request = Request::Quit;
        self.shared.kick.store(true, Ordering::Release);
        self.shared.cv.notify_all();
    }
    fn cpus(&self) -> Vec<CpuInfo> {
        let pc = self.shared.vcpu().cpu.pc as u64;
        vec![CpuInfo {
            index: 0,
            thread_id: self.shared.thread_id.load(Ordering::Acquire),
            target: "mips".into(),
            qom_path: "/machine/unattached/device[0]".into(),
            pc,
            halted: self.shared.halted.load(Ordering::Acquire),
        }]
    }
    fn info_registers(&self, cpu: usize) -> String {
        if cpu != 0 {
            return String::new();
        }
        self.shared.vcpu().info_registers()
    }
    fn read_virt(&self, cpu: usize, addr: u64, len: usize) -> Result<Vec<u8>, String> {
        if cpu != 0 {
            return Err(format!("no CPU {cpu}"));
        }
        let mut buf = vec![0u8; len];
        self.shared.vcpu().read_virt(addr as u32, &mut buf)?;
        Ok(buf)
    }
    fn read_phys(&self, addr: u64, len: usize) -> Result<Vec<u8>, String> {
        let mut buf = vec![0u8; len];
        for (i, b) in buf.iter_mut().enumerate() {
            let a = addr.wrapping_add(i as u64);
            *b = self.shared.space.read(a, 1, false).map_err(|_| format!("cannot access address {a:#x}"))? as u8;
        }
        Ok(buf)
    }
    fn big_endian(&self) -> bool {
        self.shared.big_endian
    }
    fn subscribe(&mut self) -> Receiver<TimedEvent> {
        let (tx, rx) = channel();
        lock(&self.shared.subscribers).push(tx);
        rx
    }
    fn machines(&self) -> Vec<MachineInfo> {
        machines()
    }
    fn cpu_definitions(&self) -> Vec<CpuDefinition> {
        cpu_definitions()
    }
}

/// The boards of this family, as `query-machines` lists them.
pub fn machines() -> Vec<MachineInfo> {
    vec![MachineInfo {
        name: NAME.into(),
        description: DESCRIPTION.into(),
        default_cpu_type: format!("{DEFAULT_CPU}-mips-cpu"),
        is_default: false,
        cpu_max: 1,
    }]
}

/// The CPU models, as `query-cpu-definitions` lists them.
pub fn cpu_definitions() -> Vec<CpuDefinition> {
    MODELS.iter().map(|m| CpuDefinition { name: m.name.into(), typename: format!("{}-mips-cpu", m.name) }).collect()
}
