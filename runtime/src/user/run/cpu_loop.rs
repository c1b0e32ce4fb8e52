//! The user-mode CPU loop of one program, for any [`LinuxTarget`]: load the program and its
//! interpreter, build the stack, then run blocks through the shared [`Engine`] and handle
//! what they exit for: system calls, guest exceptions and memory faults (delivered as
//! signals to the guest's handlers, or ending the process with that signal), and host
//! signals, which are forwarded to the guest at block boundaries.
//!
//! Owns the loop and the program's start; system calls and signal delivery are in
//! `signals.rs`, the check mode in `check.rs`, the debugger's hooks in `debugger.rs`.

use super::{Accel, Outcome, Program, RunError, RunOptions};
use crate::arch::{GuestCpu, LinuxTarget, UserHelpers};
use crate::interp::{BlockExit, Env, MemFault};
use crate::ir::MemOp;
use crate::jit::{Jit, JitConfig};
use crate::tb::engine::{Engine, EngineConfig, PcKey, Tb};
use crate::tb::translate::{translate_debug, Limits, EXC_DEBUG_STOP};
use crate::user::elf;
use crate::user::mem::{GuestMem, PROT_EXEC, PROT_READ};
use crate::user::signal::{self as hs, SigInfo, SIG_IGN};
use crate::user::syscall::Process;
use std::path::{Path, PathBuf};
use std::sync::Arc;

pub(super) struct UserEnv<'a, A: LinuxTarget> {
    pub cpu: &'a mut A::Cpu,
    pub mem: &'a mut GuestMem,
    pub helpers: &'a mut A::Helpers,
    /// The debugger's watchpoints (empty when none).
    pub watch: &'a mut crate::debug::Watch,
    /// Guest addresses wrap at this mask (the guest's address width).
    pub addr_mask: u64,
}

impl<A: LinuxTarget> Env for UserEnv<'_, A> {
    fn read_state(&self, off: u32) -> u64 {
        self.cpu.read_state(off as usize)
    }
    fn write_state(&mut self, off: u32, v: u64) {
        self.cpu.write_state(off as usize, v)
    }
    fn load(&mut self, addr: u64, m: MemOp) -> Result<u64, MemFault> {
        if self.watch.check(addr & self.addr_mask, m.size as u64, false) {
            return Err(MemFault { addr, write: false, protection: false });
        }
        self.mem.load(addr & self.addr_mask, m.size, m.big_endian)
    }
    fn store(&mut self, addr: u64, v: u64, m: MemOp) -> Result<(), MemFault> {
        if self.watch.check(addr & self.addr_mask, m.size as u64, true) {
            return Err(MemFault { addr, write: true, protection: false });
        }
        self.mem.store(addr & self.addr_mask, v, m.size, m.big_endian)
    }
    fn code_dirty(&self) -> bool {
        self.mem.has_dirty_code()
    }
    fn call_helper(&mut self, id: u32, args: &[u64]) -> Result<u64, (u32, u64)> {
        self.helpers.call(self.cpu, id, args)
    }
}

/// The [`UserEnv`] of a [`Loop`]: its CPU, memory, helpers and watchpoints, borrowed apart
/// from the engine that runs the block (hence a macro, not a method).
macro_rules! user_env {
    ($l:expr) => {
        UserEnv::<A> {
            cpu: &mut $l.cpu,
            mem: &mut $l.mem,
            helpers: &mut $l.helpers,
            watch: &mut $l.debug.watch,
            addr_mask: $l.addr_mask,
        }
    };
}
pub(super) use user_env;

/// 16 random bytes for AT_RANDOM.
fn random_bytes() -> [u8; 16] {
    let mut random = [0u8; 16];
    // SAFETY: `random` is a local 16-byte buffer.
    if unsafe { libc::getrandom(random.as_mut_ptr().cast(), 16, 0) } != 16 {
        for (i, r) in random.iter_mut().enumerate() {
            *r = (std::process::id() as u8).wrapping_mul(31).wrapping_add(i as u8 * 17);
        }
    }
    random
}

/// Run `prog` (an ELF file of architecture `A`, `#!` lines already followed) until it ends
/// or executes another guest program. `debugger` is taken, and handed back on an exec.
pub fn run_as<A: LinuxTarget>(
    prog: Program,
    opts: &RunOptions,
    debugger: &mut Option<crate::debug::link::Local>,
) -> Result<Outcome, RunError> {
    let cfg = A::parse_cpu(opts.cpu.as_deref()).map_err(RunError::Other)?;
    let path = prog.path.as_str();
    let data = elf::read(Path::new(path))?;
    let kind = elf::kind(data.bytes(), path)?;
    let be = kind.big_endian;
    let abi = A::abi(be);
    let mut mem =
        GuestMem::new(abi.addr_bits).map_err(|e| RunError::Other(format!("cannot reserve guest memory: {e}")))?;
    let exe = elf::load_image(&mut mem, &data, path, None)?;
    let mut entry = exe.entry;
    let mut interp_base = None;
    if let Some(interp) = &exe.interp {
        let ipath = elf::find_interp(interp, opts.sysroot.as_deref());
        let idata = elf::read(&ipath)?;
        let info = elf::load_image(&mut mem, &idata, &ipath.display().to_string(), None)?;
        interp_base = Some(info.bias);
        entry = info.entry;
    }
    let sp = super::super::stack::build(&mut mem, &exe, interp_base, &prog.args, &prog.env, &abi, random_bytes())
        .map_err(|f| RunError::Other(format!("cannot build the stack: fault at {:#x}", f.addr)))?;
    let (tramp_at, tramp) = A::signal_trampoline(be);
    mem.map(tramp_at, 4096, PROT_READ | PROT_EXEC);
    mem.poke(tramp_at, &tramp).map_err(|_| RunError::Other("cannot map the signal trampoline".into()))?;
    A::configure(&cfg);
    let cpu = A::initial_cpu(&cfg, data.bytes(), exe.flags, entry, sp);
    drop(data);

    let exe_path = std::fs::canonicalize(path).unwrap_or_else(|_| PathBuf::from(path));
    let mut proc = Process::new(abi, exe.end, exe_path);
    proc.strace = opts.strace;
    proc.sysroot = opts.sysroot.clone();
    let jit = match opts.accel {
        Accel::Interp => None,
        a => new_jit::<A>(a, &mem, opts, debugger.is_some()),
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

    let tiered = opts.accel == Accel::Jit && jit.is_some() && !opts.log_op_opt && !opts.log_out_asm;
    let ecfg = EngineConfig {
        tiered,
        chain: opts.accel == Accel::Jit,
        keep_ir: opts.accel != Accel::Jit,
        log_op_opt: opts.log_op_opt,
        log_out_asm: opts.log_out_asm,
    };
    let mut cpu_loop = Loop::<A> {
        cpu,
        mem,
        proc,
        helpers: Default::default(),
        fe: A::frontend(be),
        be,
        addr_mask: if abi.addr_bits >= 64 { u64::MAX } else { (1u64 << abi.addr_bits) - 1 },
        engine: Engine::new(jit, ecfg, Box::new(std::io::stderr())),
        opts: opts.clone(),
        debug: Default::default(),
        gdb: None,
        gdb_start: false,
        gdb_stepped: false,
        gdb_injected: None,
        gdb_translated: Default::default(),
    };
    if let Some(link) = debugger.take() {
        cpu_loop.debug_attach(link);
    }
    let out = cpu_loop.run();
    if opts.log_insns {
        eprintln!("specemu: {} guest instructions executed by {path}", cpu_loop.engine.interp.insns);
    }
    match out {
        Outcome::End(end) => {
            cpu_loop.debug_finish(match end {
                super::GuestEnd::Exited(c) => crate::debug::StopReason::Exited(c),
                super::GuestEnd::Signaled(s) => crate::debug::StopReason::Terminated(s),
            });
            if opts.exit_with_guest {
                cpu_loop.engine.forget_blocks();
            }
        }
        Outcome::Exec(_) => *debugger = cpu_loop.gdb.take(),
    }
    Ok(out)
}

/// The JIT for user mode (None, with a warning, when it cannot be set up).
fn new_jit<A: LinuxTarget>(a: Accel, mem: &GuestMem, opts: &RunOptions, debugged: bool) -> Option<Jit> {
    let cfg = JitConfig {
        pc_offset: A::Cpu::PC_OFFSET,
        pc_size: A::Cpu::PC_SIZE,
        all_slow: a == Accel::Check,
        buffer_size: crate::jit::DEFAULT_BUFFER,
        softmmu: false,
        guard: a == Accel::Jit,
        direct: A::direct_helpers(),
        self_loops: a == Accel::Jit && !debugged,
    };
    if cfg.guard {
        hs::install_fault_handler();
    }
    let mut j = match Jit::new(cfg) {
        Ok(j) => j,
        Err(e) => {
            eprintln!("specemu: warning: cannot map the JIT's code buffer ({e}); the interpreter runs the program");
            return None;
        }
    };
    let (base, fast) = mem.jit_view();
    if let Err(e) = j.set_memory(base, fast) {
        eprintln!("specemu: warning: {e}; the interpreter runs the program");
        return None;
    }
    if a == Accel::Check {
        j.take_undo_log();
    }
    if opts.perfmap {
        j.enable_perf_map();
    }
    Some(j)
}

pub(super) struct Loop<A: LinuxTarget> {
    pub(super) cpu: A::Cpu,
    pub(super) mem: GuestMem,
    pub(super) proc: Process,
    pub(super) helpers: A::Helpers,
    pub(super) fe: A::Frontend,
    pub(super) be: bool,
    pub(super) addr_mask: u64,
    pub(super) engine: Engine<PcKey>,
    pub(super) opts: RunOptions,
    /// The debugger's breakpoints, watchpoints and stepping (inert without one).
    pub(super) debug: crate::debug::CpuDebug,
    /// The link to the debugger (`specemu run -g`); see `debugger.rs`.
    pub(super) gdb: Option<crate::debug::link::Local>,
    /// Stop before the first instruction.
    pub(super) gdb_start: bool,
    /// A block ran since the debugger resumed with a single step.
    pub(super) gdb_stepped: bool,
    /// The guest signal the debugger injected (delivered without another stop).
    pub(super) gdb_injected: Option<i32>,
    pub(super) gdb_translated: crate::debug::TranslatedFor,
}

impl<A: LinuxTarget> Loop<A> {
    fn run(&mut self) -> Outcome {
        loop {
            if self.gdb.is_some() {
                self.debug_boundary();
            }
            if hs::any_pending() || !self.proc.sig.sync.is_empty() {
                self.deliver_signals();
            }
            let pc = self.cpu.pc();
            let key = PcKey { pc, ctx: self.cpu.context_key() };
            let block = match self.engine.lookup(key) {
                Some(b) => b,
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
                    self.translate(key)
                }
            };
            let region = match self.engine.tiers_up_next(&block) && self.regions() {
                true => self.compile_loop(key, &block),
                false => None,
            };
            let block = match region {
                Some(region) => region,
                None => self.engine.tier_up(key, block),
            };
            if self.opts.log_exec {
                eprintln!("Trace: [{pc:08x}]");
            }
            let exit = match (self.opts.accel, block.host()) {
                (Accel::Check, Some(id)) => self.run_checked(&block, id),
                _ => {
                    let stepping = self.debug.step;
                    let cpu: *mut A::Cpu = &mut self.cpu;
                    let mut env = user_env!(self);
                    self.engine.run(&block, key, &mut env, cpu.cast(), A::Cpu::PC_OFFSET, stepping)
                }
            };
            if self.gdb.is_some() {
                self.debug_after_block();
            }
            self.helpers.set_retired(self.engine.interp.insns);
            if self.mem.has_dirty_code() {
                let pages = self.mem.take_dirty_code();
                self.engine.invalidate_pages(pages);
            }
            match exit {
                BlockExit::Goto { pc, .. } => self.cpu.set_pc(pc),
                BlockExit::Lookup | BlockExit::Exit => {}
                BlockExit::Raise { code: EXC_DEBUG_STOP, pc, .. } => self.debug_breakpoint(pc),
                BlockExit::Raise { code, pc, .. } if code == A::EXC_SYSCALL => {
                    if let Some(out) = self.syscall(pc) {
                        return out;
                    }
                }
                BlockExit::Raise { code, arg, pc, flags } => {
                    let info = A::exception_signal(&self.cpu, &self.mem, self.be, code, arg, pc);
                    self.fault(info, A::resume_pc(pc, flags));
                }
                BlockExit::Fault { fault, pc, flags } => {
                    let resume = A::resume_pc(pc, flags);
                    if self.debug_watch(resume) {
                        continue;
                    }
                    let info = SigInfo {
                        signo: 11,
                        code: if fault.protection { hs::SEGV_ACCERR } else { hs::SEGV_MAPERR },
                        addr: fault.addr,
                        ..SigInfo::default()
                    };
                    self.fault(info, resume);
                }
            }
        }
    }

    fn translate(&mut self, key: PcKey) -> Arc<Tb> {
        let pc = key.pc;
        let mem = &mut self.mem;
        let dbg = &self.debug;
        let lim = dbg.limits(Limits::default());
        let blk = translate_debug(&self.fe, pc, key.ctx, &mut |a, buf| mem.fetch(a, buf), lim, &|a| dbg.stops_at(a));
        if self.opts.log_in_asm {
            log_in_asm::<A>(&self.mem, pc, blk.guest_len, self.be);
        }
        if self.opts.log_op {
            eprint!("{}", crate::ir::dump_block(&blk));
        }
        let (first, n) = pages_of(pc, blk.guest_len);
        let all = [first, first + 0x1000, first + 0x2000, first + 0x3000];
        if n <= all.len() {
            self.engine.add(key, blk, &all[..n])
        } else {
            let pages: Vec<u64> = (0..n as u64).map(|i| first + i * 0x1000).collect();
            self.engine.add(key, blk, &pages)
        }
    }
}

/// The pages of `[pc, pc+len)` (the first and how many): writes to them invalidate the
/// block at `pc`.
fn pages_of(pc: u64, len: u64) -> (u64, usize) {
    let first = pc & !0xfff;
    let last = (pc + len.max(1) - 1) & !0xfff;
    (first, ((last - first) / 0x1000 + 1) as usize)
}

/// `-d in_asm`: the guest code of a block, as objdump prints it.
pub(super) fn log_in_asm<A: LinuxTarget>(mem: &GuestMem, pc: u64, len: u64, be: bool) {
    eprintln!("IN:");
    let mut a = pc;
    while a < pc + len {
        let mut buf = [0u8; 16];
        let n = crate::arch::read_guest(mem, a, &mut buf, u64::MAX);
        let (l, text) = A::disas_one(&buf[..n], a, be).unwrap_or((1, "(bad)".into()));
        eprintln!("0x{a:08x}:  {text}");
        a += l.max(1) as u64;
    }
    eprintln!();
}
