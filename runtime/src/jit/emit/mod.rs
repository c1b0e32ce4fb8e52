//! x86-64 code for one IR block (dynasmrt). Register conventions while compiled code runs:
//! `rbp` = the CPU state, `r15` = guest memory base; `rax`, `rcx`, `rdx` are scratch; the
//! other registers hold values as `regalloc` decided. The [`JitCtx`](super::ctx::JitCtx), the
//! lookup table and the per-page fast-access table lie below 2 GiB and are addressed with
//! absolute 32-bit displacements.
//!
//! Guest memory accesses with 32-bit addresses are inline (page bit test, alignment test,
//! access at `r15 + address`, byte swap for big-endian guests); anything else goes to an
//! out-of-line slow path that calls the runtime. Exits write back the guest registers held
//! in host registers and return to the trampoline's epilogue with an exit kind in `rax`,
//! except chained `goto_tb` exits, whose `jmp` the dispatcher patches.
//!
//! This module turns one block into bytes and records its patch sites; it must not decide
//! what to run, own code memory, or know any guest architecture.
//!
//! This file owns the interface (frame layout, [`Target`], [`Compiled`], [`Unsupported`]),
//! the emitter's state and [`compile`], the driver over a block. The emitter's methods live
//! beside it, one job a file:
//! - `values`: where IR values and guest registers live, and moves between those places;
//! - `select` and `alu`: instruction selection (fusion, control flow, exits; arithmetic,
//!   compares and conditions);
//! - `memory` (the access itself), `memory_user` (user mode: the per-page table check or a
//!   host-protected direct access) and `memory_softmmu` (system mode: the inline soft-TLB
//!   lookup);
//! - `helper_call`: the helper-call ABI;
//! - `exits`: block entry and the exits to the dispatcher;
//! - `cold`: the out-of-line code after the body (slow-path sites, raise and fault exits)
//!   and, after all code, the slow-path descriptors (`jit::slow_site`).

// dynasm's register macros (`Rq(r)`) expand to `.into()` on our `u8` register numbers.
#![allow(clippy::useless_conversion)]

use super::ctx::exit;
use super::regalloc::{self, Alloc};
use crate::ir::{Block, Exit, Op, UnOp, Val};
use cold::Cold;
use dynasmrt::{x64::X64Relocation, DynamicLabel, VecAssembler};

/// Frame layout (bytes from `rsp`): the context pointer, helper arguments, the save area for
/// caller-saved registers (indexed by register number), then spill slots.
pub const ARGS_OFF: i32 = 8;
pub const MAX_ARGS: usize = 8;
pub const SAVE_OFF: i32 = ARGS_OFF + 8 * MAX_ARGS as i32;
pub const SLOTS_OFF: i32 = SAVE_OFF + 8 * 16;
pub const MAX_SLOTS: usize = 1024;
/// Frame size below the saved registers; keeps `rsp` 16-byte aligned in compiled code
/// (the trampoline pushes six registers over the return address).
pub const FRAME: i32 = (SLOTS_OFF + 8 * MAX_SLOTS as i32 + 15) & !15;

/// What the emitter needs to know about the machine.
#[derive(Debug, Clone, Copy)]
pub struct Target {
    pub pc_offset: u32,
    pub pc_size: u8,
    /// Address of the trampoline's epilogue (exits jump there with the kind in `rax`).
    pub epilogue: usize,
    /// Every memory access through the slow path (the differential check mode logs them).
    pub all_slow: bool,
    pub has_popcnt: bool,
    /// Absolute addresses (below 2 GiB) of the context, the lookup table and the per-page
    /// fast-access table.
    pub ctx: i32,
    pub lookup: i32,
    pub fast: i32,
    /// System mode: guest addresses are virtual and go through the soft TLB's fast table
    /// (`ctx.tlb`), the guest base is 0 and a hit adds the entry's addend.
    pub softmmu: bool,
    /// User mode with host-protected guest memory: accesses go straight to guest base plus
    /// address, and a host fault at one moves to its slow path (`fault`).
    pub guard: bool,
    /// Direct helper entries by helper number (see `JitConfig::direct`).
    pub direct: &'static [Option<usize>],
    /// A `goto_tb` to the block's own start jumps back inside the block, guest registers
    /// staying in host registers (see `JitConfig::self_loops`).
    pub self_loops: bool,
    /// Address of the shared slow-path stub (`jit::slow_site`).
    pub slow_stub: usize,
}

/// Offset of a `JitCtx` field as an absolute displacement.
macro_rules! cx {
    ($t:expr, $f:ident) => {
        $t.ctx + offset_of!(JitCtx, $f) as i32
    };
}

mod alu;
mod cold;
mod exits;
mod helper_call;
mod memory;
mod memory_softmmu;
mod memory_user;
mod select;
mod values;

/// A `goto_tb` exit: where its `jmp rel32` displacement is and where its stub is.
#[derive(Debug, Clone, Copy)]
pub struct GotoSite {
    pub slot: u8,
    /// Offset (from the block start) of the 4-byte displacement.
    pub disp_off: usize,
    /// Offset of the unchained stub (the jump's initial target).
    pub stub_off: usize,
    pub target_pc: u64,
    /// The persistent context the exit leaves in.
    pub target_ctx: u64,
}

/// A compiled block, assembled for address `base`.
#[derive(Debug)]
pub struct Compiled {
    pub code: Vec<u8>,
    pub gotos: Vec<GotoSite>,
    /// Direct guest memory accesses (`Target::guard`): (offset of the access instruction,
    /// offset of its slow path), in code order.
    pub faults: Vec<(u32, u32)>,
    /// Bytes of data (slow-path descriptors) at the end of `code`, after the instructions.
    pub data: usize,
    /// Offset of the code after the entry's exit-request check (see `Jit::chain`).
    pub body_off: usize,
    /// The block neither stores to guest memory nor calls a helper: nothing it does can
    /// ask for an exit (a write to translated code does, through the store's slow path).
    pub quiet: bool,
}

/// Why a block cannot be compiled (the interpreter runs it instead).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unsupported {
    BackwardBranch,
    TooManySlots,
    TooManyArgs,
    NoPopcnt,
    Assembler(String),
}

#[derive(Clone, Copy)]
enum Opnd {
    R(u8),
    M(u8, i32),
    I(i32),
}

struct Em<'a> {
    ops: VecAssembler<X64Relocation>,
    b: &'a Block,
    a: Alloc,
    t: Target,
    labels: Vec<DynamicLabel>,
    cold: Vec<Cold>,
    gotos: Vec<(GotoSite, DynamicLabel)>,
    pc: u64,
    flags: u32,
    /// How many ops read each value.
    uses: Vec<u32>,
    /// Op index of each label.
    label_at: Vec<usize>,
    /// Index of the op being emitted (which guest registers are written yet).
    cur: usize,
    /// Values whose low bits a branch proved zero (mask), on the path being emitted.
    aligned: crate::fxhash::FxHashMap<Val, i32>,
    /// The label at this op index keeps `aligned` (only an outlined branch reaches it).
    keep_facts_at: usize,
    /// Direct accesses: code offset of the instruction that may fault, and its slow path.
    faults: Vec<(usize, DynamicLabel)>,
    /// The loop head of a block that jumps back to its own start (after the entry loads).
    loop_head: Option<DynamicLabel>,
    /// The shared exits of raises and faults, one per set of guest registers to write back
    /// (bit i: `a.globals[i]`).
    sync_exits: Vec<(u64, DynamicLabel)>,
    /// The slow-path descriptors, placed after the code.
    data: Vec<(DynamicLabel, Vec<u8>)>,
    /// An alignment check fused into the access at an op index: the access's slow-path
    /// label (the check jumps there) and the exception it raises.
    fused_align: Option<(DynamicLabel, u32, usize)>,
    /// Offset of the code after the entry's exit-request check.
    body_off: usize,
}

/// Compile `b` as block number `block_id` for address `base`.
pub fn compile(b: &Block, base: usize, block_id: u64, t: Target) -> Result<Compiled, Unsupported> {
    // Forward branches only.
    let mut seen = vec![false; b.labels as usize];
    let mut has_calls = false;
    let mut quiet = true;
    for op in &b.ops {
        match op {
            Op::Label(l) => seen[l.0 as usize] = true,
            Op::Br(l) | Op::Brcond { label: l, .. } if seen[l.0 as usize] => return Err(Unsupported::BackwardBranch),
            Op::Call(c) => {
                has_calls = true;
                quiet = false;
                if c.args.len() > MAX_ARGS {
                    return Err(Unsupported::TooManyArgs);
                }
            }
            Op::Un { op: UnOp::Ctpop, .. } if !t.has_popcnt => return Err(Unsupported::NoPopcnt),
            Op::Load { .. } => has_calls = true,
            Op::Store { .. } => {
                has_calls = true;
                quiet = false;
            }
            _ => {}
        }
    }
    let a = regalloc::allocate(b, SLOTS_OFF, MAX_SLOTS, has_calls).ok_or(Unsupported::TooManySlots)?;
    let mut ops = VecAssembler::<X64Relocation>::new(base);
    let labels = (0..b.labels).map(|_| ops.new_dynamic_label()).collect();
    let mut uses = vec![0u32; b.vals.len()];
    let mut label_at = vec![usize::MAX; b.labels as usize];
    for (k, op) in b.ops.iter().enumerate() {
        for u in crate::opt::uses(op) {
            uses[u.0 as usize] += 1;
        }
        if let Op::Label(l) = op {
            label_at[l.0 as usize] = k;
        }
    }
    let mut em = Em {
        ops,
        b,
        a,
        t,
        labels,
        cold: Vec::new(),
        gotos: Vec::new(),
        pc: b.pc,
        flags: 0,
        uses,
        label_at,
        cur: 0,
        aligned: Default::default(),
        keep_facts_at: usize::MAX,
        faults: Vec::new(),
        loop_head: None,
        sync_exits: Vec::new(),
        data: Vec::new(),
        fused_align: None,
        body_off: 0,
    };
    let self_loop = t.self_loops
        && !t.all_slow
        && b.ops
            .iter()
            .any(|op| matches!(op, Op::Exit(Exit::GotoTb { pc, ctx, .. }) if *pc == b.pc && *ctx == b.context));
    if self_loop {
        // Every guest register is loaded at entry: at the loop head the registers hold the
        // current values, whichever iteration it is, and any exit may write them back.
        em.a.globals.iter_mut().for_each(|g| g.entry_load = true);
        em.loop_head = Some(em.ops.new_dynamic_label());
    }
    em.prologue();
    let mut k = 0;
    while k < b.ops.len() {
        k = em.step(k);
    }
    // A block whose ops fall off the end returns to the dispatcher.
    if !matches!(b.ops.last(), Some(Op::Exit(_))) {
        em.sync_globals();
        em.exit_with(exit::EXIT);
    }
    em.emit_cold(block_id);
    let data_at = em.emit_data();
    let mut faults = Vec::with_capacity(em.faults.len());
    for &(at, slow) in &em.faults {
        let to = em.ops.labels().resolve_dynamic(slow).map_err(|e| Unsupported::Assembler(format!("{e:?}")))?;
        faults.push((at as u32, to.0 as u32));
    }
    let gotos_l = std::mem::take(&mut em.gotos);
    let code = em.ops.finalize().map_err(|e| Unsupported::Assembler(format!("{e:?}")))?;
    // Resolve stub offsets: the stub labels were placed in the cold section.
    let mut gotos = Vec::new();
    for (mut g, stub) in gotos_l {
        let _ = stub;
        // The displacement currently points at the stub: recover its offset from it.
        let d = i32::from_le_bytes(code[g.disp_off..g.disp_off + 4].try_into().unwrap());
        g.stub_off = (g.disp_off as i64 + 4 + d as i64) as usize;
        gotos.push(g);
    }
    let data = code.len() - data_at;
    Ok(Compiled { code, gotos, faults, data, body_off: em.body_off, quiet })
}
