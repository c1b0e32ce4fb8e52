//! One MIPS vCPU in system mode: the loop that checks interrupts, translates the PC through
//! the soft TLB, looks up or translates a block (cache keyed by virtual and physical PC),
//! optimizes it, runs it compiled by the JIT (guest memory through the soft TLB's fast table
//! inline, the [`Env`] below on a miss) or on the IR interpreter through that [`Env`], and
//! turns what the block exits for into architectural events (exceptions, `wait`, UHI
//! semihosting calls, the end of the program).
//!
//! Compiled blocks are not chained and indirect jumps do not use the JIT's lookup table:
//! every block returns here, where interrupts are checked and the (virtual, physical) key
//! is looked up, so a changed mapping or MMU mode can never run a stale block.
//!
//! Translation blocks are keyed by (virtual PC, physical PC): the spec reads privilege bits
//! at run time, so the mode need not be part of the key, and a changed mapping gives a
//! different physical PC. Blocks are dropped when their physical pages are written, and
//! blocks whose code spans two pages are dropped on every TLB change.
//!
//! Owns the vCPU's state, caches and logging; must not know the board (devices reach it
//! only through the address space and the interrupt lines).

use super::cp0::{Cp0, CpuModel};
use super::exception::{self, EXC_CPU};
use super::helpers::SysHelpers;
use super::mmu::{self, Fault, EXC_DBE, EXC_IBE};
use super::uhi::{self, Outcome, Uhi};
use crate::interp::{BlockExit, Env, MemFault};
use crate::ir::MemOp;
use crate::jit::{Jit, JitConfig};
use crate::softmmu::space::{from_bytes, to_bytes, PageTarget, PAGE_SIZE};
use crate::softmmu::{Access, AddressSpace, SoftTlb, TlbEntry, VirtualClock};
use crate::targets::mips::frontend::MipsFrontend;
use crate::targets::mips::mips::{self, CpuState};
use crate::tb::engine::{Engine, EngineConfig, PhysPcKey, Tb};
use crate::tb::translate::{translate_debug, Limits, EXC_DEBUG_STOP, IN_DELAY_SLOT};
use std::io::Write;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;

mod debugger;

/// Offset of the PC in the CPU state.
const CPU_PC_OFFSET: u32 = std::mem::offset_of!(CpuState, pc) as u32;

/// Exception code the spec gives sdbbp (Debug Mode entry).
const EXC_DEBUG_BP: u32 = 0x101;
const EXC_RI: u32 = 10;

/// `-d` items.
#[derive(Debug, Clone, Copy, Default)]
pub struct LogFlags {
    pub in_asm: bool,
    pub op: bool,
    pub op_opt: bool,
    pub out_asm: bool,
    pub exec: bool,
    pub int: bool,
}

/// How a vCPU is built.
#[derive(Debug, Clone)]
pub struct SysConfig {
    pub big_endian: bool,
    pub model: CpuModel,
    /// UHI semihosting on `sdbbp 1`.
    pub semihosting: bool,
    /// What UHI argc/argn report.
    pub semihosting_args: Vec<String>,
    /// CPU clock of the board (cycles per second of virtual time).
    pub hz: u64,
    pub log: LogFlags,
    /// Run blocks compiled by the x86-64 JIT (else on the IR interpreter).
    pub jit: bool,
}

/// Why [`Vcpu::run`] returned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stop {
    /// It ran its block budget; call again.
    Budget,
    /// Halted by `wait` with nothing that could wake it but a device: poll again later.
    Idle,
    /// The program ended (UHI exit) with this status.
    Exit(i32),
    /// The guest did something the emulator cannot continue from.
    Error(String),
    /// Stopped for the debugger (breakpoint, watchpoint, end of a single step).
    Debug(crate::debug::StopReason),
}

/// (virtual PC, physical PC).
type Key = PhysPcKey;

/// One MIPS vCPU of a machine.
pub struct Vcpu {
    pub cpu: CpuState,
    pub h: SysHelpers,
    pub soft: SoftTlb,
    pub clock: VirtualClock,
    pub space: Arc<AddressSpace>,
    /// Hardware interrupt lines: bit n drives Cause.IPn (n = 2..7).
    pub irq: Arc<AtomicU32>,
    cfg: SysConfig,
    fe: MipsFrontend,
    /// The blocks, the backends and the `-d` log (shared with user mode's loop).
    engine: Engine<Key>,
    uhi: Uhi,
    /// The debugger's breakpoints, watchpoints and stepping (inert without one); see
    /// `vcpu/debugger.rs`.
    pub debug: crate::debug::CpuDebug,
    debug_translated: crate::debug::TranslatedFor,
}

impl std::fmt::Debug for Vcpu {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Vcpu").field("pc", &format_args!("{:#010x}", self.cpu.pc)).finish_non_exhaustive()
    }
}

/// The interpreter's view of the machine while a block runs.
struct SysEnv<'a> {
    cpu: &'a mut CpuState,
    h: &'a mut SysHelpers,
    soft: &'a mut SoftTlb,
    space: &'a AddressSpace,
    fault: Option<Fault>,
    /// The debugger's watchpoints (empty when none).
    watch: &'a mut crate::debug::Watch,
}

/// Translate `va` for `access` through the soft TLB, filling it from the MMU on a miss.
fn lookup(
    cpu: &CpuState,
    cp0: &Cp0,
    soft: &mut SoftTlb,
    space: &AddressSpace,
    va: u32,
    access: Access,
) -> Result<TlbEntry, Fault> {
    let m = mmu::mode(cpu) as usize;
    if let Some(e) = soft.lookup(m, va as u64, access) {
        return Ok(*e);
    }
    let t = mmu::translate(cpu, cp0, va, access)?;
    let ppage = t.paddr & !(PAGE_SIZE - 1);
    let target = space.page_target(ppage).unwrap_or(PageTarget::Slow);
    let e = TlbEntry { vpage: va as u64 & !(PAGE_SIZE - 1), ppage, target, read: true, write: t.writable, exec: true };
    soft.insert(m, e, !space.is_code_page(ppage));
    Ok(e)
}

fn bus_fault(va: u32, access: Access) -> Fault {
    let code = if access == Access::Fetch { EXC_IBE } else { EXC_DBE };
    Fault { code, vaddr: va, refill: false, tlb: false }
}

impl SysEnv<'_> {
    fn fail(&mut self, f: Fault, addr: u64, write: bool) -> MemFault {
        self.fault = Some(f);
        MemFault { addr, write, protection: false }
    }
}

impl Env for SysEnv<'_> {
    fn read_state(&self, off: u32) -> u64 {
        self.cpu.read_state(off as usize)
    }
    fn write_state(&mut self, off: u32, v: u64) {
        self.cpu.write_state(off as usize, v)
    }
    fn load(&mut self, addr: u64, m: MemOp) -> Result<u64, MemFault> {
        let va = addr as u32;
        if self.watch.check(va as u64, m.size as u64, false) {
            return Err(MemFault { addr, write: false, protection: false });
        }
        let e = match lookup(self.cpu, &self.h.cp0, self.soft, self.space, va, Access::Read) {
            Ok(e) => e,
            Err(f) => return Err(self.fail(f, addr, false)),
        };
        let off = (va as u64) & (PAGE_SIZE - 1);
        let size = m.size.min(8) as u32;
        if off + size as u64 > PAGE_SIZE {
            return Err(self.fail(bus_fault(va, Access::Read), addr, false));
        }
        match e.target {
            PageTarget::Host { ptr, .. } => {
                let mut b = [0u8; 8];
                // SAFETY: `ptr` is the host address of a whole page of a RAM/ROM mapping of
                // `space`, which lives as long as the vCPU holds it; `off + size <= PAGE_SIZE`.
                unsafe {
                    std::ptr::copy_nonoverlapping((ptr as *const u8).add(off as usize), b.as_mut_ptr(), size as usize)
                };
                Ok(from_bytes(&b[..size as usize], m.big_endian))
            }
            PageTarget::Slow => self
                .space
                .read(e.ppage + off, size, m.big_endian)
                .map_err(|_| self.fail(bus_fault(va, Access::Read), addr, false)),
        }
    }
    fn store(&mut self, addr: u64, v: u64, m: MemOp) -> Result<(), MemFault> {
        let va = addr as u32;
        if self.watch.check(va as u64, m.size as u64, true) {
            return Err(MemFault { addr, write: true, protection: false });
        }
        let e = match lookup(self.cpu, &self.h.cp0, self.soft, self.space, va, Access::Write) {
            Ok(e) => e,
            Err(f) => return Err(self.fail(f, addr, true)),
        };
        let off = (va as u64) & (PAGE_SIZE - 1);
        let size = m.size.min(8) as u32;
        if off + size as u64 > PAGE_SIZE {
            return Err(self.fail(bus_fault(va, Access::Write), addr, true));
        }
        match e.target {
            PageTarget::Host { rom: true, .. } => Ok(()),
            PageTarget::Host { ptr, rom: false } => {
                let b = to_bytes(v, size, m.big_endian);
                // SAFETY: as in `load`; RAM pages are writable mappings.
                unsafe { std::ptr::copy_nonoverlapping(b.as_ptr(), (ptr as *mut u8).add(off as usize), size as usize) };
                if self.space.is_code_page(e.ppage) {
                    self.space.note_write(e.ppage + off, size as u64);
                }
                Ok(())
            }
            PageTarget::Slow => self
                .space
                .write(e.ppage + off, size, v, m.big_endian)
                .map_err(|_| self.fail(bus_fault(va, Access::Write), addr, true)),
        }
    }
    fn call_helper(&mut self, id: u32, args: &[u64]) -> Result<u64, (u32, u64)> {
        self.h.pending = None;
        let r = mips::call_helper(self.h, self.cpu, id, args);
        if self.h.effect.tlb_changed {
            self.soft.flush();
        }
        match self.h.pending.take() {
            Some(e) => Err(e),
            None => Ok(r),
        }
    }
}

/// Guest memory for UHI calls: virtual addresses in the vCPU's current mode.
struct UhiMem<'a> {
    cpu: &'a CpuState,
    cp0: &'a Cp0,
    space: &'a AddressSpace,
}

impl UhiMem<'_> {
    fn phys(&self, va: u32, access: Access) -> Result<u64, uhi::Unmapped> {
        mmu::translate(self.cpu, self.cp0, va, access).map(|m| m.paddr).map_err(|_| uhi::Unmapped)
    }
}

impl uhi::GuestMem for UhiMem<'_> {
    fn read(&mut self, va: u32, buf: &mut [u8]) -> Result<(), uhi::Unmapped> {
        for (i, b) in buf.iter_mut().enumerate() {
            let p = self.phys(va.wrapping_add(i as u32), Access::Read)?;
            *b = self.space.read(p, 1, false).map_err(|_| uhi::Unmapped)? as u8;
        }
        Ok(())
    }
    fn write(&mut self, va: u32, data: &[u8]) -> Result<(), uhi::Unmapped> {
        for (i, &b) in data.iter().enumerate() {
            let p = self.phys(va.wrapping_add(i as u32), Access::Write)?;
            self.space.write(p, 1, b as u64, false).map_err(|_| uhi::Unmapped)?;
        }
        Ok(())
    }
}

impl Vcpu {
    /// A vCPU in its reset state (PC 0xbfc00000) on `space`, interrupt lines `irq`.
    pub fn new(space: Arc<AddressSpace>, irq: Arc<AtomicU32>, cfg: SysConfig, log: Box<dyn Write + Send>) -> Self {
        let cp0 = Cp0::new(cfg.model, cfg.big_endian);
        let jit = if cfg.jit {
            let jc = JitConfig {
                pc_offset: std::mem::offset_of!(CpuState, pc) as u32,
                pc_size: 4,
                all_slow: false,
                buffer_size: crate::jit::DEFAULT_BUFFER,
                softmmu: true,
                guard: false,
                direct: crate::targets::mips::direct::direct_helpers(),
                self_loops: false,
            };
            match Jit::new(jc) {
                Ok(mut j) => match j.set_memory(std::ptr::null_mut(), std::ptr::null()) {
                    Ok(()) => Some(j),
                    Err(e) => {
                        eprintln!("specemu: warning: {e}; the interpreter runs the guest");
                        None
                    }
                },
                Err(e) => {
                    eprintln!(
                        "specemu: warning: cannot map the JIT's code buffer ({e}); the interpreter runs the guest"
                    );
                    None
                }
            }
        } else {
            None
        };
        // Blocks are not chained: interrupts, the clock and the MMU mode are checked between
        // blocks. New blocks are interpreted until hot, as in user mode.
        let engine_cfg = EngineConfig {
            tiered: !cfg.log.op_opt && !cfg.log.out_asm,
            chain: false,
            keep_ir: false,
            log_op_opt: cfg.log.op_opt,
            log_out_asm: cfg.log.out_asm,
        };
        let mut v = Vcpu {
            cpu: CpuState::default(),
            h: SysHelpers::new(cp0),
            soft: SoftTlb::new(mmu::MMU_MODES),
            clock: VirtualClock::new(cfg.hz),
            space,
            irq,
            fe: MipsFrontend { big_endian: cfg.big_endian },
            engine: Engine::new(jit, engine_cfg, log),
            uhi: Uhi::new(cfg.semihosting_args.clone()),
            cfg,
            debug: Default::default(),
            debug_translated: Default::default(),
        };
        v.reset(0xbfc0_0000);
        v
    }

    /// Cold reset, then start at `pc`. With semihosting, $a0 = -1 (UHI: "ask for argc and
    /// argv"), as QEMU's reset does.
    pub fn reset(&mut self, pc: u32) {
        self.cpu = CpuState::default();
        self.h.cp0.reset(&mut self.cpu);
        self.h.halted = false;
        self.h.pending = None;
        self.h.fpu.pending = None;
        self.cpu.pc = pc;
        if self.cfg.semihosting {
            self.cpu.gpr[4] = u32::MAX;
        }
        self.soft.flush();
        self.engine.flush();
        self.clock.reset();
        self.uhi = Uhi::new(self.cfg.semihosting_args.clone());
    }

    pub fn big_endian(&self) -> bool {
        self.cfg.big_endian
    }

    fn logln(&mut self, s: String) {
        let _ = self.engine.log.write_all(s.as_bytes());
        let _ = self.engine.log.write_all(b"\n");
    }

    /// Run up to `budget` blocks.
    pub fn run(&mut self, budget: usize) -> Stop {
        self.debug_sync();
        for _ in 0..budget {
            // Interrupts are taken at block boundaries; a single step takes none (QEMU's
            // default), unless it must wake the CPU from `wait`.
            let stepping = self.debug.step;
            self.h.cp0.check_timer(&mut self.cpu, self.clock.cycles());
            exception::update_ip(&mut self.cpu, self.irq.load(Ordering::Acquire));
            if exception::interrupt_ready(&self.cpu) && (!stepping || self.h.halted) {
                self.h.halted = false;
                let pc = self.cpu.pc;
                exception::enter(&mut self.cpu, &self.h.cp0, exception::EXC_INT, pc, false, 0, false);
                if self.cfg.log.int {
                    self.logln(format!(
                        "interrupt: pc={pc:#010x} cause={:#010x} status={:#010x} -> {:#010x}",
                        self.cpu.cause, self.cpu.status, self.cpu.pc
                    ));
                }
            }
            if self.h.halted {
                // wait: skip virtual time to the timer when it can wake us, else idle.
                let timer_can_wake = self.cpu.status & 0x8000 != 0 && self.cpu.status & 7 == 1;
                match self.h.cp0.timer_deadline(&self.cpu, self.clock.cycles()) {
                    Some(d) if timer_can_wake => {
                        self.clock.advance_to(d);
                        continue;
                    }
                    _ => return Stop::Idle,
                }
            }
            if let Some(stop) = self.step() {
                return stop;
            }
            if stepping {
                return Stop::Debug(crate::debug::StopReason::Step);
            }
        }
        Stop::Budget
    }

    /// Translate and run one block.
    fn step(&mut self) -> Option<Stop> {
        let pc = self.cpu.pc;
        if pc & 3 != 0 {
            let f = Fault { code: mmu::EXC_ADEL, vaddr: pc, refill: false, tlb: false };
            self.take_fault(f, pc, false);
            return None;
        }
        let ppc = match lookup(&self.cpu, &self.h.cp0, &mut self.soft, &self.space, pc, Access::Fetch) {
            Ok(e) => e.ppage | (pc as u64 & (PAGE_SIZE - 1)),
            Err(f) => {
                self.take_fault(f, pc, false);
                return None;
            }
        };
        if self.space.page_target(ppc).is_none() {
            self.take_fault(bus_fault(pc, Access::Fetch), pc, false);
            return None;
        }
        let key = PhysPcKey { pc: pc as u64, phys: ppc, ctx: self.cpu.context_key() };
        let tb = match self.engine.lookup(key) {
            Some(tb) => tb,
            None => self.translate(key),
        };
        let tb = self.engine.tier_up(key, tb);
        if self.cfg.log.exec {
            self.logln(format!("Trace: [{pc:08x}]"));
        }
        self.h.cycles = self.clock.cycles();
        self.h.effect = Default::default();
        let compiled = tb.host().is_some() && self.engine.jit.is_some();
        if compiled {
            if let Some(jit) = self.engine.jit.as_mut() {
                jit.set_tlb(self.soft.fast_table(mmu::mode(&self.cpu) as usize).cast());
            }
        }
        let before = self.engine.interp.insns;
        let cpu: *mut CpuState = &mut self.cpu;
        let mut env = SysEnv {
            cpu: &mut self.cpu,
            h: &mut self.h,
            soft: &mut self.soft,
            space: &self.space,
            fault: None,
            watch: &mut self.debug.watch,
        };
        let exit = self.engine.run(&tb, key, &mut env, cpu.cast(), CPU_PC_OFFSET, false);
        let fault = env.fault;
        // Instructions retired: for compiled code the whole block, or up to the one that
        // raised; the interpreter counts them.
        let insns = if compiled {
            let block = &tb.ir;
            match exit {
                BlockExit::Raise { pc: at, .. } | BlockExit::Fault { pc: at, .. } => {
                    (at.wrapping_sub(block.pc) / 4 + 1).min(block.guest_len / 4)
                }
                _ => block.guest_len / 4,
            }
        } else {
            self.engine.interp.insns - before
        };
        self.clock.advance(insns);
        if self.h.effect.tlb_changed {
            self.soft.flush();
            self.engine.drop_crossing();
        }
        self.drop_dirty_code();
        match exit {
            BlockExit::Goto { pc, .. } => self.cpu.pc = pc as u32,
            BlockExit::Lookup | BlockExit::Exit => {}
            BlockExit::Raise { code: EXC_DEBUG_STOP, pc, .. } => return Some(self.debug_breakpoint(pc as u32)),
            BlockExit::Raise { code, arg, pc, flags } => {
                return self.take_raise(code, arg, pc as u32, flags & IN_DELAY_SLOT != 0);
            }
            BlockExit::Fault { pc, flags, .. } if self.debug.watch.hit.is_some() => {
                return Some(self.debug_watch(if flags & IN_DELAY_SLOT != 0 { pc as u32 - 4 } else { pc as u32 }));
            }
            BlockExit::Fault { pc, flags, fault: mf } => {
                let f = fault.unwrap_or(Fault { code: EXC_DBE, vaddr: mf.addr as u32, refill: false, tlb: false });
                self.take_fault(f, pc as u32, flags & IN_DELAY_SLOT != 0);
            }
        }
        None
    }

    /// Forget the blocks on pages the guest wrote since the last call.
    fn drop_dirty_code(&mut self) {
        let pages = self.space.take_dirty_code();
        if !pages.is_empty() {
            self.engine.invalidate_pages(pages);
        }
    }

    fn translate(&mut self, key: Key) -> Arc<Tb> {
        let (pc, ppc) = (key.pc as u32, key.phys);
        let mut pages = vec![ppc & !(PAGE_SIZE - 1)];
        let blk = {
            let cpu = &self.cpu;
            let cp0 = &self.h.cp0;
            let soft = &mut self.soft;
            let space = &*self.space;
            let pages = &mut pages;
            let mut fetch = |a: u64, buf: &mut [u8]| -> usize {
                let va = a as u32;
                let Ok(e) = lookup(cpu, cp0, soft, space, va, Access::Fetch) else { return 0 };
                let p = e.ppage | (a & (PAGE_SIZE - 1));
                if !pages.contains(&e.ppage) {
                    pages.push(e.ppage);
                }
                let mut n = 0;
                for (i, b) in buf.iter_mut().enumerate() {
                    match space.read(p + i as u64, 1, false) {
                        Ok(v) => *b = v as u8,
                        Err(_) => break,
                    }
                    n += 1;
                }
                n
            };
            let dbg = &self.debug;
            translate_debug(&self.fe, pc as u64, key.ctx, &mut fetch, dbg.limits(Limits::default()), &|a| {
                dbg.stops_at(a)
            })
        };
        if self.cfg.log.in_asm {
            self.log_in_asm(pc, blk.guest_len);
        }
        if self.cfg.log.op {
            let t = crate::ir::dump_block(&blk);
            let _ = self.engine.log.write_all(t.as_bytes());
        }
        for &p in &pages {
            self.space.mark_code_page(p);
            self.soft.forbid_direct_write(p);
        }
        self.engine.add(key, blk, &pages)
    }

    fn log_in_asm(&mut self, pc: u32, len: u64) {
        let mut text = String::from("----------------\nIN: \n");
        let mut a = pc as u64;
        while a < pc as u64 + len {
            let mut buf = [0u8; 4];
            let ok = self.read_virt(a as u32, &mut buf).is_ok();
            let t = if ok {
                mips::disas_one(&buf, a, self.cfg.big_endian, &[], &mips::plain_addr)
                    .map(|(_, t)| t)
                    .unwrap_or_else(|| "(bad)".into())
            } else {
                "(unreadable)".into()
            };
            text.push_str(&format!("0x{a:08x}:  {t}\n"));
            a += 4;
        }
        text.push('\n');
        let _ = self.engine.log.write_all(text.as_bytes());
    }

    /// Deliver a memory exception (or bus error) of the instruction at `pc`.
    fn take_fault(&mut self, f: Fault, pc: u32, in_delay: bool) {
        if self.cfg.log.int {
            self.logln(format!(
                "exception {} at pc={pc:#010x}{} vaddr={:#010x}{}",
                f.code,
                if in_delay { " (delay slot)" } else { "" },
                f.vaddr,
                if f.refill { " (refill)" } else { "" }
            ));
        }
        if f.code == EXC_IBE || f.code == EXC_DBE {
            exception::enter(&mut self.cpu, &self.h.cp0, f.code, pc, in_delay, 0, false);
        } else {
            exception::enter_fault(&mut self.cpu, &mut self.h.cp0, f, pc, in_delay);
        }
    }

    /// Deliver an exception the block raised.
    fn take_raise(&mut self, code: u32, arg: u64, pc: u32, in_delay: bool) -> Option<Stop> {
        match code {
            EXC_DEBUG_BP => {
                let mut w = [0u8; 4];
                let insn = self.read_virt(pc, &mut w).ok().map(|_| from_bytes(&w, self.cfg.big_endian) as u32);
                if self.cfg.semihosting && insn.map(|i| (i >> 6) & 0xf_ffff) == Some(1) {
                    return self.semihost(pc);
                }
                if self.cfg.log.int {
                    self.logln(format!("debug exception (sdbbp) at pc={pc:#010x}"));
                }
                exception::enter_debug_breakpoint(&mut self.cpu, pc, in_delay);
            }
            EXC_RI if self.fetch_fault(pc).is_some() => {
                // The translator could not fetch this instruction: the fetch faults.
                if let Some(f) = self.fetch_fault(pc) {
                    self.take_fault(f, pc, in_delay);
                }
            }
            mmu::EXC_ADEL | mmu::EXC_ADES => {
                let f = Fault { code, vaddr: arg as u32, refill: false, tlb: false };
                self.take_fault(f, pc, in_delay);
            }
            _ if code < 32 => {
                if self.cfg.log.int {
                    self.logln(format!(
                        "exception {code} at pc={pc:#010x}{}",
                        if in_delay { " (delay slot)" } else { "" }
                    ));
                }
                let ce = if code == EXC_CPU { arg as u32 } else { 0 };
                exception::enter(&mut self.cpu, &self.h.cp0, code, pc, in_delay, ce, false);
            }
            _ => return Some(Stop::Error(format!("unknown exception {code:#x} at pc {pc:#010x}"))),
        }
        None
    }

    /// The exception fetching the instruction at `pc` raises, if any (TLB, address or bus
    /// error).
    fn fetch_fault(&self, pc: u32) -> Option<Fault> {
        match mmu::translate(&self.cpu, &self.h.cp0, pc, Access::Fetch) {
            Err(f) => Some(f),
            Ok(m) => self.space.read(m.paddr, 4, false).err().map(|_| bus_fault(pc, Access::Fetch)),
        }
    }

    fn semihost(&mut self, pc: u32) -> Option<Stop> {
        let op = self.cpu.gpr[25];
        let a = [self.cpu.gpr[4], self.cpu.gpr[5], self.cpu.gpr[6], self.cpu.gpr[7]];
        let mut mem = UhiMem { cpu: &self.cpu, cp0: &self.h.cp0, space: &self.space };
        let out = self.uhi.call(op, a, &mut mem);
        self.drop_dirty_code();
        match out {
            Outcome::Return(v0, v1) => {
                self.cpu.gpr[2] = v0;
                if let Some(v1) = v1 {
                    self.cpu.gpr[3] = v1;
                }
                self.cpu.pc = pc.wrapping_add(4);
                None
            }
            Outcome::Exit(code) => Some(Stop::Exit(code)),
            Outcome::Abort(msg) => Some(Stop::Error(msg)),
        }
    }

    /// Read guest-virtual memory as the vCPU sees it now (no exceptions, no soft-TLB fill).
    pub fn read_virt(&self, va: u32, buf: &mut [u8]) -> Result<(), String> {
        for (i, b) in buf.iter_mut().enumerate() {
            let a = va.wrapping_add(i as u32);
            let m = mmu::translate(&self.cpu, &self.h.cp0, a, Access::Read)
                .map_err(|_| format!("cannot access address {a:#010x}"))?;
            *b = self.space.read(m.paddr, 1, false).map_err(|_| format!("cannot access address {a:#010x}"))? as u8;
        }
        Ok(())
    }

    /// The registers as QEMU's MIPS `info registers` prints them (without the monitor's
    /// "CPU#n" header).
    pub fn info_registers(&self) -> String {
        use std::fmt::Write as _;
        let c = &self.cpu;
        let mut s = String::new();
        let _ =
            writeln!(s, "pc=0x{:08x} HI=0x{:08x} LO=0x{:08x} ds {:04x} {:08x} 0", c.pc, c.hi, c.lo, self.hflags(), 0);
        for row in 0..8 {
            let _ = write!(s, "GPR{:02}:", row * 4);
            for r in row * 4..row * 4 + 4 {
                // QEMU calls register 0 "r0" here.
                let name = if r == 0 { "r0" } else { mips::GPR_NAMES[r] };
                let _ = write!(s, " {name} {:08x}", c.gpr[r]);
            }
            s.push('\n');
        }
        let cp0 = &self.h.cp0;
        let _ = writeln!(s, "CP0 Status  0x{:08x} Cause   0x{:08x} EPC    0x{:08x}", c.status, c.cause, c.epc);
        let _ = writeln!(
            s,
            "    Config0 0x{:08x} Config1 0x{:08x} LLAddr 0x{:016x}",
            cp0.config0, cp0.model.config1, cp0.lladdr as u64
        );
        let _ = writeln!(s, "    Config2 0x{:08x} Config3 0x{:08x}", cp0.model.config2, cp0.model.config3);
        let _ = writeln!(s, "    Config4 0x{:08x} Config5 0x{:08x}", 0, 0);
        s
    }

    /// QEMU's hflags word as `info registers` shows it (mode, CP0/FPU access, ERL).
    fn hflags(&self) -> u32 {
        let c = &self.cpu;
        let mut h = 0;
        let kernel = matches!(mmu::mode(c), mmu::Mode::Kernel | mmu::Mode::KernelErl);
        if !kernel {
            h |= (c.status >> 3) & 3;
        }
        if c.debug & super::cp0::DBG_DM != 0 {
            h |= 0x4;
        }
        if kernel || c.status & (1 << 28) != 0 {
            h |= 0x10;
        }
        if c.status & (1 << 29) != 0 {
            h |= 0x20;
        }
        if c.status & (1 << 26) != 0 {
            h |= 0x40;
        }
        if self.h.cp0.model.fir & (1 << 22) != 0 {
            h |= 0x80;
        }
        if c.status & super::cp0::ST_ERL != 0 {
            h |= 0x1000_0000;
        }
        h
    }
}
