//! The JIT against the interpreter on one block, for the `jit_vs_interp` fuzz target and the
//! regression test that replays what it found. Arbitrary bytes become MIPS code (the first
//! byte chooses the byte order, whether the FPU is enabled (Status.CU1) and in which
//! register model (Status.FR), so that floating-point code runs rather than raising
//! Coprocessor Unusable, and whether HWREna lets `rdhwr` read UserLocal inline); the code is
//! translated and optimized into one block, which then runs twice from the same state:
//! compiled by the x86-64 JIT and interpreted. Guest memory
//! is real (a `GuestMem` with one mapped data page, so the JIT's inline accesses and its
//! slow paths both run; registers point into the page, near it, or anywhere), and helpers
//! are the real user-mode ones, called through `Env` by both backends. Nothing may panic,
//! and both runs must end the same way with the same registers and the same memory.

use super::{block_from_input, mix, FUZZ_BASE};
use crate::interp::{BlockExit, Env, Interp, MemFault};
use crate::ir::MemOp;
use crate::jit::{Jit, JitConfig, JitExit};
use crate::opt::optimize;
use crate::targets::mips::helpers::UserHelpers;
use crate::targets::mips::mips;
use crate::user::mem::{GuestMem, PROT_READ, PROT_WRITE};
use std::cell::RefCell;

const DATA: u64 = 0x1000_0000;
const PAGE: usize = 4096;

struct FuzzEnv<'a> {
    cpu: &'a mut mips::CpuState,
    mem: &'a mut GuestMem,
    helpers: UserHelpers,
}

impl Env for FuzzEnv<'_> {
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
        let r = mips::call_helper(&mut self.helpers, self.cpu, id, args);
        match self.helpers.pending.take() {
            Some(e) => Err(e),
            None => Ok(r),
        }
    }
}

struct World {
    mem: GuestMem,
    jit: Jit,
}

thread_local! {
    static WORLD: RefCell<World> = RefCell::new({
        let mut mem = GuestMem::new(32).expect("guest memory");
        mem.map(DATA, PAGE as u64, PROT_READ | PROT_WRITE);
        let cfg = JitConfig {
            pc_offset: std::mem::offset_of!(mips::CpuState, pc) as u32,
            pc_size: 4,
            all_slow: false,
            buffer_size: 16 << 20,
            softmmu: false,
            guard: false,
            direct: &[],
            self_loops: false,
        };
        let mut jit = Jit::new(cfg).expect("JIT");
        let (base, fast) = mem.jit_view();
        jit.set_memory(base, fast).expect("low page table");
        World { mem, jit }
    });
}

fn page(mem: &GuestMem) -> Vec<u8> {
    (0..PAGE as u64).map(|i| mem.load_quiet(DATA + i, 1, false).unwrap_or(0) as u8).collect()
}

/// Run `data` (as the fuzz target defines it) compiled, in both code shapes, and
/// interpreted; panic on any difference.
pub fn jit_matches_interp(data: &[u8]) {
    let Some(mut block) = block_from_input(data) else { return };
    let base = FUZZ_BASE;
    optimize(&mut block);
    let mut cpu = mips::CpuState::default();
    for (r, chunk) in data.chunks(4).enumerate().take(32) {
        let mut w = [0u8; 4];
        w[..chunk.len()].copy_from_slice(chunk);
        let w = u32::from_le_bytes(w);
        // Most registers point into (or just around) the data page.
        cpu.gpr[r] = match r % 4 {
            0 | 1 => DATA as u32 + (w & 0xffc),
            2 => DATA as u32 - 0x800 + (w & 0x1ffe),
            _ => w,
        };
    }
    cpu.gpr[0] = 0;
    cpu.pc = base as u32;
    // Status.CU1 (bit 29) and Status.FR (bit 26) from the first byte; FCSR (rounding mode,
    // enables, FS, condition codes) from the input's hash.
    cpu.status = (if data[0] & 2 != 0 { 1 << 29 } else { 0 }) | (if data[0] & 4 != 0 { 1 << 26 } else { 0 });
    // HWREna as Linux sets it (rdhwr $29 reads UserLocal inline) or clear (the helper).
    cpu.hwrena = if data[0] & 8 != 0 { 0x2000_000f } else { 0 };
    cpu.userlocal = mix(data.len() as u64) as u32;
    cpu.fcsr = mix(data.iter().fold(0, |h, &b| mix(h ^ b as u64))) as u32 & 0xff80_0fff;
    for (i, chunk) in data.chunks(8).enumerate().take(32) {
        cpu.fpr[i] = chunk.iter().fold(i as u64, |h, &b| mix(h ^ b as u64));
    }
    let init: Vec<u8> = (0..PAGE).map(|i| mix(i as u64 ^ data.len() as u64) as u8).collect();
    // Both code shapes: accesses inline with slow paths for what they cannot do, and every
    // access through its slow path (as `-accel check` and gdb watchpoints compile).
    for all_slow in [false, true] {
        WORLD.with(|w| {
            let w = &mut *w.borrow_mut();
            w.jit.set_all_slow(all_slow);
            w.jit.flush();
            let Ok((id, _)) = w.jit.compile(&block) else { return };
            w.mem.poke(DATA, &init).expect("data page");
            let mut cpu_jit = cpu.clone();
            let jit_exit = {
                let p: *mut mips::CpuState = &mut cpu_jit;
                let mut env = FuzzEnv { cpu: &mut cpu_jit, mem: &mut w.mem, helpers: UserHelpers::default() };
                w.jit.run(id, p.cast(), &mut env)
            };
            w.jit.clear_exit_request();
            let mem_jit = page(&w.mem);
            w.mem.poke(DATA, &init).expect("data page");
            let mut cpu_int = cpu.clone();
            let int_exit = {
                let mut env = FuzzEnv { cpu: &mut cpu_int, mem: &mut w.mem, helpers: UserHelpers::default() };
                Interp::default().run(&block, &mut env)
            };
            let mem_int = page(&w.mem);
            let as_interp = match jit_exit {
                JitExit::Goto { slot, .. } => BlockExit::Goto { pc: cpu_jit.pc as u64, slot },
                JitExit::Lookup => BlockExit::Lookup,
                JitExit::Exit | JitExit::Request => BlockExit::Exit,
                JitExit::Raise { code, arg, pc, flags } => BlockExit::Raise { code, arg, pc, flags },
                JitExit::Fault { fault, pc, flags } => BlockExit::Fault { fault, pc, flags },
            };
            if let BlockExit::Goto { pc, .. } = int_exit {
                cpu_int.pc = pc as u32;
            }
            assert_eq!(as_interp, int_exit, "exits differ (all_slow {all_slow})");
            assert_eq!(cpu_jit, cpu_int, "registers differ (all_slow {all_slow})");
            assert!(mem_jit == mem_int, "memory differs (all_slow {all_slow})");
        });
    }
}
