//! The user-mode CPU loop for MIPS Linux guests: load the program (following `#!` lines),
//! translate blocks (cached by guest PC, invalidated when their code pages are written), run
//! them, and handle what they exit for: system calls, guest exceptions and memory faults
//! (delivered as signals to the guest's handlers, or ending the process with that signal),
//! and host signals, which are forwarded to the guest at block boundaries.

use super::elf::{self, ElfError};
use super::mem::{GuestMem, PROT_EXEC, PROT_READ};
use super::signal::{self as hs, SigInfo, SigState, SIG_DFL, SIG_IGN};
use super::syscall::{strace, Process, Sys};
use crate::fxhash::FxHashMap as HashMap;
use crate::interp::{BlockExit, Env, Interp, MemFault};
use crate::ir::{Block, MemOp};
use crate::jit::{Jit, JitConfig, JitExit};
use crate::targets::mips::{abi, frontend::MipsFrontend, helpers::UserHelpers, mips, signal as msig};
use crate::tb::translate::{translate_debug, Limits, EXC_DEBUG_STOP, IN_DELAY_SLOT};
use std::cell::Cell;
use std::path::{Path, PathBuf};
use std::rc::Rc;

mod debugger;

/// Options of `specemu run`.
#[derive(Debug, Clone, Default)]
pub struct RunOptions {
    pub sysroot: Option<PathBuf>,
    pub env: Vec<String>,
    pub strace: bool,
    /// argv[0] for the guest when it differs from the program path (`-0`).
    pub argv0: Option<String>,
    /// `-d` items: in_asm, op, exec.
    pub log_in_asm: bool,
    pub log_op: bool,
    pub log_op_opt: bool,
    pub log_out_asm: bool,
    pub log_exec: bool,
    /// The execution backend (`-accel`).
    pub accel: Accel,
    /// `-cpu`: the model and its properties (user mode always has an FPU: where the model
    /// has none, Linux emulates it).
    pub cpu: crate::targets::mips::cpu_option::CpuOption,
    /// The `-cpu` text as given, passed on to programs the guest executes.
    pub cpu_arg: Option<String>,
    /// `-perfmap`: write `/tmp/perf-PID.map` naming each compiled block, for `perf report`.
    pub perfmap: bool,
}

/// Which backend runs translated blocks (`-accel jit|interp|check`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Accel {
    /// The x86-64 JIT (the default), with block chaining.
    #[default]
    Jit,
    /// The IR interpreter.
    Interp,
    /// Both, block by block: each block runs compiled, then again interpreted from the same
    /// state, and the first difference in registers, memory written or exit is reported.
    Check,
}

impl Accel {
    pub fn parse(s: &str) -> Option<Accel> {
        match s {
            "jit" | "tcg" => Some(Accel::Jit),
            "interp" => Some(Accel::Interp),
            "check" => Some(Accel::Check),
            _ => None,
        }
    }
    pub fn name(self) -> &'static str {
        match self {
            Accel::Jit => "jit",
            Accel::Interp => "interp",
            Accel::Check => "check",
        }
    }
}

/// A translated block: its IR, and its compiled code when the JIT has it.
struct Tb {
    ir: Block,
    host: Cell<Option<usize>>,
    /// Tier 0: the unoptimized IR, interpreted until the block has run `TIER_UP` times
    /// (then it is optimized and compiled). Most blocks of a program run a few times only,
    /// and interpreting them costs less than optimizing and compiling them.
    tier0: bool,
    runs: Cell<u32>,
}

/// Runs of a tier-0 block before it is compiled (see [`Tb::tier0`]).
const TIER_UP: u32 = 16;

/// How the guest ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GuestEnd {
    Exited(i32),
    /// Killed by a signal (Linux number on the host).
    Signaled(i32),
}

#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error(transparent)]
    Elf(#[from] ElfError),
    #[error("{0}")]
    Other(String),
}

struct UserEnv<'a> {
    cpu: &'a mut mips::CpuState,
    mem: &'a mut GuestMem,
    helpers: &'a mut UserHelpers,
    /// The debugger's watchpoints (empty when none).
    watch: &'a mut crate::debug::Watch,
}

impl Env for UserEnv<'_> {
    fn read_state(&self, off: u32) -> u64 {
        self.cpu.read_state(off as usize)
    }
    fn write_state(&mut self, off: u32, v: u64) {
        self.cpu.write_state(off as usize, v)
    }
    fn load(&mut self, addr: u64, m: MemOp) -> Result<u64, MemFault> {
        if debugger::watched(self, addr & 0xffff_ffff, m.size, false) {
            return Err(MemFault { addr, write: false, protection: false });
        }
        self.mem.load(addr & 0xffff_ffff, m.size, m.big_endian)
    }
    fn store(&mut self, addr: u64, v: u64, m: MemOp) -> Result<(), MemFault> {
        if debugger::watched(self, addr & 0xffff_ffff, m.size, true) {
            return Err(MemFault { addr, write: true, protection: false });
        }
        self.mem.store(addr & 0xffff_ffff, v, m.size, m.big_endian)
    }
    fn code_dirty(&self) -> bool {
        self.mem.has_dirty_code()
    }
    fn call_helper(&mut self, id: u32, args: &[u64]) -> Result<u64, (u32, u64)> {
        self.helpers.pending = None;
        let r = mips::call_helper(self.helpers, self.cpu, id, args);
        match self.helpers.pending.take() {
            Some(e) => Err(e),
            None => Ok(r),
        }
    }
}

/// Follow `#!` lines: the program to load and its argument vector.
fn resolve_script(path: &str, args: &[String], sysroot: Option<&Path>) -> Result<(String, Vec<String>), RunError> {
    let mut path = path.to_string();
    let mut args = args.to_vec();
    for _ in 0..4 {
        let head = {
            use std::io::Read as _;
            let mut f =
                std::fs::File::open(&path).map_err(|err| RunError::Elf(ElfError::Io { path: path.clone(), err }))?;
            let mut b = vec![0u8; 256];
            let n = f.read(&mut b).unwrap_or(0);
            b.truncate(n);
            b
        };
        if !head.starts_with(b"#!") {
            return Ok((path, args));
        }
        let line = head[2..].split(|&c| c == b'\n').next().unwrap_or(&[]);
        let line = String::from_utf8_lossy(line).trim().to_string();
        let mut parts = line.splitn(2, [' ', '\t']);
        let interp = parts.next().unwrap_or("").to_string();
        if interp.is_empty() {
            return Err(RunError::Other(format!("{path}: empty #! line")));
        }
        let opt = parts.next().map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
        let mut new_args = vec![interp.clone()];
        new_args.extend(opt);
        new_args.push(path.clone());
        new_args.extend(args.iter().skip(1).cloned());
        args = new_args;
        path = match sysroot {
            Some(root) if interp.starts_with('/') && root.join(&interp[1..]).exists() => {
                root.join(&interp[1..]).display().to_string()
            }
            _ => interp,
        };
    }
    Err(RunError::Other(format!("{path}: too many levels of #! interpreters")))
}

/// Run a MIPS Linux program to its end. `args[0]` is the program path as given.
pub fn run_mips(path: &str, args: &[String], opts: &RunOptions) -> Result<GuestEnd, RunError> {
    run_mips_debug(path, args, opts, None)
}

/// [`run_mips`] under a debugger (`specemu run -g`) when `debugger` is given: the program
/// stops before its first instruction and serves the debugger through the link.
pub fn run_mips_debug(
    path: &str,
    args: &[String],
    opts: &RunOptions,
    debugger: Option<crate::debug::link::Local>,
) -> Result<GuestEnd, RunError> {
    let (path, mut args) = resolve_script(path, args, opts.sysroot.as_deref())?;
    if let (Some(a0), Some(first)) = (&opts.argv0, args.first_mut()) {
        first.clone_from(a0);
    }
    let path = path.as_str();
    let data = elf::read(Path::new(path))?;
    let (_, be, machine) = elf::identify(data.bytes(), path)?;
    if machine != elf::EM_MIPS {
        return Err(RunError::Other(format!("{path}: not a MIPS program (e_machine {machine})")));
    }
    let mut mem = GuestMem::new(32).map_err(|e| RunError::Other(format!("cannot reserve guest memory: {e}")))?;
    let exe = elf::load_image(&mut mem, &data, path, None)?;
    let fp_abi = crate::targets::mips::fpu::elf_fp_abi(data.bytes());
    drop(data);
    let mut entry = exe.entry;
    let mut interp_base = None;
    if let Some(interp) = &exe.interp {
        let ipath = elf::find_interp(interp, opts.sysroot.as_deref());
        let idata = elf::read(&ipath)?;
        let info = elf::load_image(&mut mem, &idata, &ipath.display().to_string(), None)?;
        interp_base = Some(info.bias);
        entry = info.entry;
    }
    let mut random = [0u8; 16];
    // SAFETY: `random` is a local 16-byte buffer.
    if unsafe { libc::getrandom(random.as_mut_ptr().cast(), 16, 0) } != 16 {
        for (i, r) in random.iter_mut().enumerate() {
            *r = (std::process::id() as u8).wrapping_mul(31).wrapping_add(i as u8 * 17);
        }
    }
    let sp =
        super::stack::build(&mut mem, &exe, interp_base, &args, &opts.env, if be { "mips" } else { "mipsel" }, random)
            .map_err(|f| RunError::Other(format!("cannot build the stack: fault at {:#x}", f.addr)))?;
    // The signal trampoline page.
    let mut tramp = Vec::new();
    for w in msig::TRAMPOLINE_CODE {
        tramp.extend_from_slice(&if be { w.to_be_bytes() } else { w.to_le_bytes() });
    }
    mem.map(msig::TRAMPOLINE, 4096, PROT_READ | PROT_EXEC);
    mem.poke(msig::TRAMPOLINE, &tramp).map_err(|_| RunError::Other("cannot map the signal trampoline".into()))?;

    let mut cpu = mips::CpuState { pc: entry as u32, ..Default::default() };
    cpu.gpr[abi::REG_SP] = sp as u32;
    cpu.gpr[abi::REG_T9] = entry as u32;
    // User mode: FPU on, user privilege; the FP register model (Status.FR) from the ELF's FP
    // ABI as Linux chooses it, and the FPU's implementation register.
    cpu.status = (1 << 29) | 0x10;
    if crate::targets::mips::fpu::status_fr_for(fp_abi, exe.flags) {
        cpu.status |= 1 << 26;
    }
    cpu.fir = crate::targets::mips::fpu::FIR_VALUE;

    let exe_path = std::fs::canonicalize(path).unwrap_or_else(|_| PathBuf::from(path));
    let mut proc = Process::new(abi::o32(be), exe.end, "mips", exe_path);
    proc.strace = opts.strace;
    proc.sysroot = opts.sysroot.clone();
    if let Some(r) = &opts.sysroot {
        proc.exec_extra_args.extend(["-L".to_string(), r.display().to_string()]);
    }
    if opts.strace {
        proc.exec_extra_args.push("-strace".into());
    }
    crate::targets::mips::fpu::set_qemu_fpu(opts.cpu.qemu_fpu);
    if let Some(c) = &opts.cpu_arg {
        proc.exec_extra_args.extend(["-cpu".to_string(), c.clone()]);
    }
    if opts.accel != Accel::Jit {
        proc.exec_extra_args.extend(["-accel".to_string(), opts.accel.name().to_string()]);
    }
    let jit = match opts.accel {
        Accel::Interp => None,
        a => {
            let cfg = JitConfig {
                pc_offset: std::mem::offset_of!(mips::CpuState, pc) as u32,
                pc_size: 4,
                all_slow: a == Accel::Check,
                buffer_size: crate::jit::DEFAULT_BUFFER,
                softmmu: false,
                guard: a == Accel::Jit,
                direct: crate::targets::mips::direct::direct_helpers(),
                self_loops: a == Accel::Jit && debugger.is_none(),
            };
            if cfg.guard {
                hs::install_fault_handler();
            }
            let mut j = Jit::new(cfg).map_err(|e| RunError::Other(format!("cannot map the JIT's code buffer: {e}")))?;
            let (base, fast) = mem.jit_view();
            if let Err(e) = j.set_memory(base, fast) {
                eprintln!("specemu: warning: {e}; the interpreter runs the program");
                None
            } else {
                if a == Accel::Check {
                    j.take_undo_log();
                }
                if opts.perfmap {
                    j.enable_perf_map();
                }
                Some(j)
            }
        }
    };
    // Signal state inherited across exec: ignored signals and the mask.
    for g in 1..=proc.abi.nsig {
        if let Some(h) = proc.abi.sig_to_host(g) {
            if hs::host_ignored(h) {
                proc.sig.actions[g as usize].handler = SIG_IGN;
            }
        }
    }
    proc.sig.mask = hs::host_mask_as_guest(&proc.abi);

    let mut cpu_loop = Loop {
        cpu,
        mem,
        proc,
        helpers: UserHelpers::default(),
        fe: MipsFrontend { big_endian: be },
        cache: HashMap::default(),
        fast: vec![None; FAST_SLOTS],
        by_page: HashMap::default(),
        interp: Interp::default(),
        jit,
        chain_from: None,
        requested: false,
        opts: opts.clone(),
        debug: Default::default(),
        gdb: None,
        gdb_start: false,
        gdb_stepped: false,
        gdb_injected: None,
        gdb_translated: Default::default(),
    };
    if let Some(link) = debugger {
        cpu_loop.debug_attach(link);
    }
    let end = cpu_loop.run();
    cpu_loop.debug_finish(match end {
        GuestEnd::Exited(c) => crate::debug::StopReason::Exited(c),
        GuestEnd::Signaled(s) => crate::debug::StopReason::Terminated(s),
    });
    Ok(end)
}

const FAST_SLOTS: usize = 4096;

/// Exit status of `-accel check` when the backends differ.
pub const CHECK_FAILED: i32 = 125;

struct Loop {
    cpu: mips::CpuState,
    mem: GuestMem,
    proc: Process,
    helpers: UserHelpers,
    fe: MipsFrontend,
    cache: HashMap<u64, Rc<Tb>>,
    /// Direct-mapped front of `cache`, indexed by guest PC.
    fast: Vec<Option<(u64, Rc<Tb>)>>,
    by_page: HashMap<u64, Vec<u64>>,
    interp: Interp,
    jit: Option<Jit>,
    /// The compiled block and `goto_tb` slot the last block left through, to chain to the
    /// next block.
    chain_from: Option<(usize, u8)>,
    /// The last compiled block returned at its entry because of the exit request.
    requested: bool,
    opts: RunOptions,
    /// The debugger's breakpoints, watchpoints and stepping (inert without one).
    debug: crate::debug::CpuDebug,
    /// The link to the debugger (`specemu run -g`); see `debugger.rs`.
    gdb: Option<crate::debug::link::Local>,
    /// Stop before the first instruction.
    gdb_start: bool,
    /// A block ran since the debugger resumed with a single step.
    gdb_stepped: bool,
    /// The guest signal the debugger injected (delivered without another stop).
    gdb_injected: Option<i32>,
    gdb_translated: crate::debug::TranslatedFor,
}

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

impl Loop {
    fn run(&mut self) -> GuestEnd {
        let be = self.fe.big_endian;
        loop {
            if self.gdb.is_some() {
                self.debug_boundary();
            }
            if hs::any_pending() || !self.proc.sig.sync.is_empty() {
                self.deliver_signals(None);
            }
            let pc = self.cpu.pc as u64;
            let slot = ((pc >> 2) as usize) & (FAST_SLOTS - 1);
            let fast = match &self.fast[slot] {
                Some((p, b)) if *p == pc => Some(b.clone()),
                _ => None,
            };
            let block = match fast.or_else(|| self.cache.get(&pc).cloned()) {
                Some(b) => {
                    self.fast[slot] = Some((pc, b.clone()));
                    b
                }
                None => {
                    if !self.mem.executable(pc) {
                        let info = SigInfo {
                            signo: 11,
                            code: if self.mem.is_mapped(pc) { hs::SEGV_ACCERR } else { hs::SEGV_MAPERR },
                            addr: pc,
                            ..SigInfo::default()
                        };
                        self.fault(info, pc);
                        continue;
                    }
                    self.translate(pc)
                }
            };
            let block = if block.tier0 && block.runs.get() >= TIER_UP {
                self.promote(pc, &block)
            } else {
                block.runs.set(block.runs.get() + 1);
                block
            };
            if self.opts.log_exec {
                eprintln!("Trace: [{pc:08x}]");
            }
            let chain_from = self.chain_from.take();
            let exit = match (self.opts.accel, block.host.get()) {
                (Accel::Jit, Some(id)) => {
                    let jit = self.jit.as_mut().expect("JIT backend");
                    if let Some((from, slot)) = chain_from {
                        if jit.goto_target(from, slot) == Some(pc) {
                            jit.chain(from, slot, id);
                        }
                    }
                    // A single step must come back after its one block.
                    if !self.debug.step {
                        jit.set_lookup(pc, id);
                    }
                    self.run_compiled(id)
                }
                (Accel::Check, Some(id)) => self.run_checked(&block, id),
                _ => {
                    let mut env = UserEnv {
                        cpu: &mut self.cpu,
                        mem: &mut self.mem,
                        helpers: &mut self.helpers,
                        watch: &mut self.debug.watch,
                    };
                    self.interp.run(&block.ir, &mut env)
                }
            };
            if self.gdb.is_some() {
                self.debug_after_block();
            }
            self.helpers.cycles = self.interp.insns;
            if self.mem.has_dirty_code() {
                self.fast.iter_mut().for_each(|e| *e = None);
                for page in self.mem.take_dirty_code() {
                    if let Some(pcs) = self.by_page.remove(&page) {
                        for p in pcs {
                            if let Some(tb) = self.cache.remove(&p) {
                                if let (Some(id), Some(jit)) = (tb.host.get(), self.jit.as_mut()) {
                                    jit.invalidate(id);
                                }
                            }
                        }
                    }
                }
                self.chain_from = None;
                if let Some(jit) = self.jit.as_mut() {
                    jit.clear_exit_request();
                }
            }
            match exit {
                BlockExit::Goto { pc, .. } => self.cpu.pc = pc as u32,
                BlockExit::Lookup | BlockExit::Exit => {}
                BlockExit::Raise { code: EXC_DEBUG_STOP, pc, .. } => self.debug_breakpoint(pc),
                BlockExit::Raise { code: 8, pc, .. } => {
                    if let Some(end) = self.syscall(pc) {
                        return end;
                    }
                }
                BlockExit::Raise { code, arg, pc, flags } => {
                    let insn = self.mem.load_quiet(pc, 4, be).map(|w| w as u32);
                    let info = msig::exception_signal(code, arg, pc, insn, self.cpu.fcsr);
                    let resume = if flags & IN_DELAY_SLOT != 0 { pc - 4 } else { pc };
                    self.fault(info, resume);
                }
                BlockExit::Fault { fault, pc, flags } => {
                    if self.debug_watch(if flags & IN_DELAY_SLOT != 0 { pc - 4 } else { pc }) {
                        continue;
                    }
                    let info = SigInfo {
                        signo: 11,
                        code: if fault.protection { hs::SEGV_ACCERR } else { hs::SEGV_MAPERR },
                        addr: fault.addr,
                        ..SigInfo::default()
                    };
                    let resume = if flags & IN_DELAY_SLOT != 0 { pc - 4 } else { pc };
                    self.fault(info, resume);
                }
            }
        }
    }

    fn translate(&mut self, pc: u64) -> Rc<Tb> {
        let mem = &mut self.mem;
        let dbg = &self.debug;
        let lim = dbg.limits(Limits::default());
        let blk = translate_debug(&self.fe, pc, &mut |a, buf| mem.fetch(a, buf), lim, &|a| dbg.stops_at(a));
        if self.opts.log_in_asm {
            log_in_asm(&self.mem, pc, blk.guest_len, self.fe.big_endian);
        }
        if self.opts.log_op {
            eprint!("{}", crate::ir::dump_block(&blk));
        }
        // Tier 0 (the JIT, unless every block's stages are to be logged or checked).
        let tiered =
            self.opts.accel == Accel::Jit && self.jit.is_some() && !self.opts.log_op_opt && !self.opts.log_out_asm;
        let b = if tiered {
            Rc::new(Tb { ir: blk, host: Cell::new(None), tier0: true, runs: Cell::new(0) })
        } else {
            self.compile_block(blk)
        };
        self.register_pages(pc, b.ir.guest_len);
        self.cache.insert(pc, b.clone());
        b
    }

    /// Writes to the pages of `[pc, pc+len)` invalidate the block at `pc`.
    fn register_pages(&mut self, pc: u64, len: u64) {
        let first = pc & !0xfff;
        let last = (pc + len.max(1) - 1) & !0xfff;
        let mut p = first;
        while p <= last {
            self.by_page.entry(p).or_default().push(pc);
            p += 0x1000;
        }
    }

    /// A tier-0 block ran often enough: optimize and compile it, in place of the old one.
    fn promote(&mut self, pc: u64, tb: &Tb) -> Rc<Tb> {
        let b = self.compile_block(tb.ir.clone());
        if !self.cache.contains_key(&pc) {
            // Compiling flushed everything, page lists included.
            self.register_pages(pc, b.ir.guest_len);
        }
        self.cache.insert(pc, b.clone());
        let slot = ((pc >> 2) as usize) & (FAST_SLOTS - 1);
        self.fast[slot] = Some((pc, b.clone()));
        b
    }

    /// Optimize `blk` and compile it (or keep it for the interpreter).
    fn compile_block(&mut self, mut blk: Block) -> Rc<Tb> {
        crate::opt::optimize(&mut blk);
        if self.opts.log_op_opt {
            eprint!("{}", crate::ir::dump_block(&blk).replacen("OP:", "OP after optimization:", 1));
        }
        let mut host = None;
        if let Some(jit) = self.jit.as_mut() {
            match jit.compile(&blk) {
                Ok((id, flushed)) => {
                    if flushed {
                        // Every compiled block is gone (and compiled blocks keep no IR to
                        // interpret): forget them all; they are translated again when run.
                        self.cache.clear();
                        self.fast.iter_mut().for_each(|e| *e = None);
                        self.by_page.clear();
                        self.chain_from = None;
                    }
                    if self.opts.log_out_asm {
                        if let Some((addr, code)) = jit.code_of(id) {
                            eprintln!("OUT: [size={}]", code.len());
                            eprintln!("{}", crate::jit::out_asm::format(addr, code));
                        }
                    }
                    host = Some(id);
                }
                Err(why) => {
                    if self.opts.log_out_asm {
                        eprintln!("OUT: not compiled ({why:?}); the interpreter runs this block\n");
                    }
                }
            }
        }
        if host.is_some() && self.opts.accel == Accel::Jit {
            // Only the interpreter and the check mode read the IR again: keep the block's
            // extent, free the rest.
            blk.ops = Vec::new();
            blk.vals = Vec::new();
        }
        Rc::new(Tb { ir: blk, host: Cell::new(host), tier0: false, runs: Cell::new(0) })
    }

    /// Run compiled block `id`; a `goto_tb` exit remembers where to chain from.
    fn run_compiled(&mut self, id: usize) -> BlockExit {
        let jit = self.jit.as_mut().expect("JIT backend");
        let mut env = UserEnv {
            cpu: &mut self.cpu,
            mem: &mut self.mem,
            helpers: &mut self.helpers,
            watch: &mut self.debug.watch,
        };
        let cpu: *mut mips::CpuState = &mut *env.cpu;
        let e = jit.run(id, cpu.cast(), &mut env);
        match e {
            JitExit::Goto { from, slot } => {
                self.chain_from = Some((from, slot));
                BlockExit::Goto { pc: self.cpu.pc as u64, slot }
            }
            JitExit::Lookup => BlockExit::Lookup,
            JitExit::Exit => BlockExit::Exit,
            JitExit::Request => {
                self.requested = true;
                BlockExit::Exit
            }
            JitExit::Raise { code, arg, pc, flags } => BlockExit::Raise { code, arg, pc, flags },
            JitExit::Fault { fault, pc, flags } => BlockExit::Fault { fault, pc, flags },
        }
    }

    fn take_undo(&mut self) -> Vec<(u64, MemOp, u64)> {
        self.jit.as_mut().expect("JIT backend").take_undo_log()
    }

    /// `-accel check`: run block `id` compiled, undo what it did, run it interpreted, and
    /// stop at the first difference.
    fn run_checked(&mut self, tb: &Tb, id: usize) -> BlockExit {
        let before = self.cpu.clone();
        self.requested = false;
        let jit_exit = self.run_compiled(id);
        self.chain_from = None;
        if self.requested {
            // The block saw the exit request (a host signal) and did not run.
            self.take_undo();
            return jit_exit;
        }
        let after_jit = self.cpu.clone();
        let log = self.take_undo();
        let be = self.fe.big_endian;
        let written: Vec<Option<u64>> =
            log.iter().map(|&(a, m, _)| self.mem.load_quiet(a, m.size, m.big_endian)).collect();
        for &(a, m, old) in log.iter().rev() {
            let _ = self.mem.store(a, old, m.size, m.big_endian);
        }
        self.cpu = before;
        let interp_exit = {
            let mut env = UserEnv {
                cpu: &mut self.cpu,
                mem: &mut self.mem,
                helpers: &mut self.helpers,
                watch: &mut self.debug.watch,
            };
            self.interp.run(&tb.ir, &mut env)
        };
        // Compiled code writes the PC of a goto_tb exit; the interpreter leaves it to the loop.
        if let BlockExit::Goto { pc, .. } = interp_exit {
            self.cpu.pc = pc as u32;
        }
        let mut diffs = Vec::new();
        if jit_exit != interp_exit {
            diffs.push(format!("exit: jit {jit_exit:?}, interpreter {interp_exit:?}"));
        }
        if after_jit != self.cpu {
            let (j, i) = (format!("{after_jit:?}"), format!("{:?}", self.cpu));
            for (a, b) in j.split(", ").zip(i.split(", ")) {
                if a != b {
                    diffs.push(format!("state: jit {a}, interpreter {b}"));
                }
            }
        }
        for (&(a, m, _), w) in log.iter().zip(&written) {
            let now = self.mem.load_quiet(a, m.size, m.big_endian);
            if now != *w {
                diffs.push(format!("memory {a:#x} ({} bytes): jit {w:x?}, interpreter {now:x?}", m.size));
            }
        }
        if !diffs.is_empty() {
            eprintln!("specemu: -accel check: the JIT and the interpreter differ after block {:#010x}:", tb.ir.pc);
            for d in &diffs {
                eprintln!("  {d}");
            }
            log_in_asm(&self.mem, tb.ir.pc, tb.ir.guest_len, be);
            eprint!("{}", crate::ir::dump_block(&tb.ir));
            if let Some((addr, code)) = self.jit.as_ref().and_then(|j| j.code_of(id)) {
                eprintln!("{}", crate::jit::out_asm::format(addr, code));
            }
            std::process::exit(CHECK_FAILED);
        }
        interp_exit
    }

    /// A synchronous signal from the guest's own execution; `resume` is the guest PC the
    /// frame records (the faulting instruction, or its branch for a delay slot).
    fn fault(&mut self, info: SigInfo, resume: u64) {
        self.cpu.pc = resume as u32;
        self.proc.sig.sync.push(info);
        self.deliver_signals(None);
    }

    /// Handle a `syscall` at `pc`; `Some` when the guest ended.
    fn syscall(&mut self, pc: u64) -> Option<GuestEnd> {
        let be = self.fe.big_endian;
        let (n, a) = abi::syscall_args(&self.cpu, &self.mem, be);
        let sys = self.proc.sys_of(n);
        let pid = std::process::id();
        if self.opts.strace {
            let line = strace::call_line(pid, n, self.proc.abi.syscall_name(n), sys, &a, &self.mem);
            eprint!("{line}");
            if matches!(sys, Some(Sys::Exit | Sys::ExitGroup)) {
                eprintln!();
            }
        }
        self.proc.cur_sp = self.cpu.gpr[abi::REG_SP] as u64;
        match sys {
            Some(Sys::RtSigreturn) => {
                match msig::restore_rt_frame(&mut self.cpu, &self.mem, &self.proc.abi) {
                    Ok(mask) => {
                        let abi = self.proc.abi;
                        self.proc.sig.set_mask(&abi, mask);
                        if self.opts.strace {
                            eprintln!(" = (restored)");
                        }
                    }
                    Err(msig::BadFrame) => {
                        let info = SigInfo { signo: 11, code: hs::SI_KERNEL, ..SigInfo::default() };
                        self.die(info);
                    }
                }
                return None;
            }
            Some(Sys::Sigreturn) => {
                // Frames are always rt frames (see targets::mips::signal).
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
            return Some(GuestEnd::Exited(code));
        }
        if sys == Some(Sys::Clone) && r == Ok(0) {
            // The child: clone's new stack and CLONE_SETTLS.
            if a[1] != 0 {
                self.cpu.gpr[abi::REG_SP] = a[1] as u32;
            }
            if a[0] & 0x80000 != 0 {
                self.cpu.userlocal = a[3] as u32;
            }
        }
        if let Some(t) = self.proc.tls.take() {
            self.cpu.userlocal = t as u32;
        }
        // Interrupted by a signal: restart the call after the handler when it asks for that.
        if r == Err(libc::EINTR) && hs::any_pending() {
            if let Some(s) = sys {
                let restart = restartable(s) && self.next_pending_restarts();
                if restart {
                    if self.opts.strace {
                        eprintln!(" = ? (restarting)");
                    }
                    self.cpu.pc = pc as u32;
                    self.deliver_signals(None);
                    return None;
                }
            }
        }
        self.finish_syscall(pc, r, sys);
        if self.proc.sig.saved_mask.is_some() {
            // rt_sigsuspend: deliver now, with the temporary mask; then restore the old mask.
            self.deliver_signals(None);
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
        abi::set_result(&mut self.cpu, guest);
        if let (Some(v1), Ok(v0)) = (self.proc.result2.take(), guest) {
            abi::set_result2(&mut self.cpu, v0, v1);
        }
        let _ = sys;
        self.cpu.pc = (pc + 4) as u32;
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
    fn deliver_signals(&mut self, _only: Option<i32>) {
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
                    let resume = self.cpu.pc as u64;
                    let ok = msig::setup_rt_frame(
                        &mut self.cpu,
                        &mut self.mem,
                        &abi,
                        &info,
                        handler,
                        resume,
                        old,
                        alt,
                        use_alt,
                    );
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
    fn die(&mut self, info: SigInfo) -> ! {
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
        eprintln!("specemu: uncaught target signal {} ({text}) at pc {:#010x}", info.signo, self.cpu.pc);
        self.debug_finish(crate::debug::StopReason::Terminated(h));
        hs::die_by_signal(h)
    }
}

fn log_in_asm(mem: &GuestMem, pc: u64, len: u64, be: bool) {
    eprintln!("IN:");
    let mut a = pc;
    while a < pc + len {
        let mut buf = [0u8; 4];
        for (i, b) in buf.iter_mut().enumerate() {
            *b = mem.load_quiet(a + i as u64, 1, false).unwrap_or(0) as u8;
        }
        let text =
            mips::disas_one(&buf, a, be, &[], &mips::plain_addr).map(|(_, t)| t).unwrap_or_else(|| "(bad)".into());
        eprintln!("0x{a:08x}:  {text}");
        a += 4;
    }
    eprintln!();
}
