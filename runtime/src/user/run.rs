//! The user-mode CPU loop for MIPS Linux guests: translate blocks (cached by guest PC,
//! invalidated when their code pages are written), run them, and handle what they exit
//! for: system calls, guest exceptions (delivered as signals) and memory faults.

use super::elf::{self, ElfError};
use super::mem::GuestMem;
use super::syscall::Process;
use crate::interp::{BlockExit, Env, Interp, MemFault};
use crate::ir::{Block, MemOp};
use crate::targets::mips::{abi, frontend::MipsFrontend, helpers::UserHelpers, mips};
use crate::tb::translate::{translate, Limits};
use std::collections::HashMap;
use std::path::PathBuf;
use std::rc::Rc;

/// Options of `specemu run`.
#[derive(Debug, Clone, Default)]
pub struct RunOptions {
    pub sysroot: Option<PathBuf>,
    pub env: Vec<String>,
    pub strace: bool,
    /// `-d` items: in_asm, op, exec.
    pub log_in_asm: bool,
    pub log_op: bool,
    pub log_exec: bool,
}

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
}

impl Env for UserEnv<'_> {
    fn read_state(&self, off: u32) -> u64 {
        self.cpu.read_state(off as usize)
    }
    fn write_state(&mut self, off: u32, v: u64) {
        self.cpu.write_state(off as usize, v)
    }
    fn load(&mut self, addr: u64, m: MemOp) -> Result<u64, MemFault> {
        self.mem.load(addr & 0xffff_ffff, m.size, m.big_endian)
    }
    fn store(&mut self, addr: u64, v: u64, m: MemOp) -> Result<(), MemFault> {
        self.mem.store(addr & 0xffff_ffff, v, m.size, m.big_endian)
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

/// Linux signal numbers on MIPS and on the host (x86-64) for the guest faults we deliver.
const SIGILL: i32 = 4;
const SIGTRAP: i32 = 5;
const SIGBUS_HOST: i32 = 7;
const SIGFPE: i32 = 8;
const SIGSEGV: i32 = 11;

/// Run a MIPS Linux program to its end.
pub fn run_mips(path: &str, args: &[String], opts: &RunOptions) -> Result<GuestEnd, RunError> {
    let data = elf::read(std::path::Path::new(path))?;
    let (_, be, machine) = elf::identify(&data, path)?;
    if machine != elf::EM_MIPS {
        return Err(RunError::Other(format!("{path}: not a MIPS program (e_machine {machine})")));
    }
    let mut mem = GuestMem::new(32).map_err(|e| RunError::Other(format!("cannot reserve guest memory: {e}")))?;
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
    let mut random = [0u8; 16];
    for (i, r) in random.iter_mut().enumerate() {
        *r = (std::process::id() as u8).wrapping_mul(31).wrapping_add(i as u8 * 17);
    }
    let sp =
        super::stack::build(&mut mem, &exe, interp_base, args, &opts.env, if be { "mips" } else { "mipsel" }, random)
            .map_err(|f| RunError::Other(format!("cannot build the stack: fault at {:#x}", f.addr)))?;
    let mut cpu = mips::CpuState { pc: entry as u32, ..Default::default() };
    cpu.gpr[abi::REG_SP] = sp as u32;
    cpu.gpr[abi::REG_T9] = entry as u32;
    // User mode: FPU on, FR as the o32 FPXX default (FR=0), user privilege.
    cpu.status = (1 << 29) | 0x10;
    // The FP register model from the ELF's FP ABI (as Linux chooses it), and the FPU's id.
    if crate::targets::mips::fpu::status_fr_for(crate::targets::mips::fpu::elf_fp_abi(&data), exe.flags) {
        cpu.status |= 1 << 26;
    }
    cpu.fir = crate::targets::mips::fpu::FIR_VALUE;
    let mut proc = Process::new(exe.end, "mips");
    proc.strace = opts.strace;
    let mut helpers = UserHelpers { big_endian: be, ..UserHelpers::default() };
    let fe = MipsFrontend { big_endian: be };
    let mut cache: HashMap<u64, Rc<Block>> = HashMap::new();
    let mut by_page: HashMap<u64, Vec<u64>> = HashMap::new();
    let mut interp = Interp::default();
    loop {
        let pc = cpu.pc as u64;
        let block = match cache.get(&pc) {
            Some(b) => b.clone(),
            None => {
                if !mem.executable(pc) {
                    return Ok(deliver(SIGSEGV, pc, opts));
                }
                let blk = translate(&fe, pc, &mut |a, buf| mem.fetch(a, buf), Limits::default());
                if opts.log_in_asm {
                    log_in_asm(&mem, pc, blk.guest_len, be);
                }
                if opts.log_op {
                    eprint!("{}", crate::ir::dump_block(&blk));
                }
                let b = Rc::new(blk);
                let first = pc & !0xfff;
                let last = (pc + b.guest_len.max(1) - 1) & !0xfff;
                let mut p = first;
                while p <= last {
                    by_page.entry(p).or_default().push(pc);
                    p += 0x1000;
                }
                cache.insert(pc, b.clone());
                b
            }
        };
        if opts.log_exec {
            eprintln!("Trace: [{pc:08x}]");
        }
        let exit = {
            let mut env = UserEnv { cpu: &mut cpu, mem: &mut mem, helpers: &mut helpers };
            interp.run(&block, &mut env)
        };
        helpers.cycles = interp.insns;
        for page in mem.take_dirty_code() {
            if let Some(pcs) = by_page.remove(&page) {
                for p in pcs {
                    cache.remove(&p);
                }
            }
        }
        match exit {
            BlockExit::Goto { pc, .. } => cpu.pc = pc as u32,
            BlockExit::Lookup | BlockExit::Exit => {}
            BlockExit::Raise { code: 8, pc, flags, .. } => {
                // syscall: the instruction after it (a syscall in a delay slot is not supported by Linux either).
                let _ = flags;
                let (n, a) = abi::syscall_args(&cpu, &mem, be);
                let r = match abi::syscall_of(n) {
                    Some(sys) => proc.call(sys, a, &mut mem, be),
                    None => Err(super::syscall::ENOSYS),
                };
                if opts.strace {
                    eprintln!("{} {n}({:#x}, {:#x}, {:#x}) = {:?}", std::process::id(), a[0], a[1], a[2], r);
                }
                if let Some(code) = proc.exit_code {
                    return Ok(GuestEnd::Exited(code));
                }
                if let Some(t) = proc.tls.take() {
                    cpu.userlocal = t as u32;
                }
                abi::set_result(&mut cpu, r);
                cpu.pc = (pc + 4) as u32;
            }
            BlockExit::Raise { code, pc, .. } => {
                let sig = match code {
                    9 | 13 => SIGTRAP,
                    12 | 15 => SIGFPE,
                    4 | 5 => SIGBUS_HOST,
                    _ => SIGILL,
                };
                return Ok(deliver(sig, pc, opts));
            }
            BlockExit::Fault { fault, pc, .. } => {
                let _ = fault;
                return Ok(deliver(SIGSEGV, pc, opts));
            }
        }
    }
}

fn deliver(sig: i32, pc: u64, _opts: &RunOptions) -> GuestEnd {
    eprintln!("specemu: guest terminated by signal {sig} at pc {pc:#x}");
    GuestEnd::Signaled(sig)
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
