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

// dynasm's register macros (`Rq(r)`) expand to `.into()` on our `u8` register numbers.
#![allow(clippy::useless_conversion)]

use super::ctx::{self, exit, memop_code, JitCtx};
use super::regalloc::{self, Alloc, Loc, RAX, RBP, RCX, RDX, RSP};
use crate::ir::{BinOp, Block, Cond, Exit, HelperFlags, MemOp, Op, Ty, UnOp, Val, ValKind};
use crate::softmmu::tlb::ENTRIES as TLB_ENTRIES;
use crate::user::mem::{FAST_READ, FAST_WRITE};
use dynasmrt::{dynasm, x64::X64Relocation, DynamicLabel, DynasmApi, DynasmLabelApi, VecAssembler};
use std::mem::offset_of;

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
}

/// Offset of a `JitCtx` field as an absolute displacement.
macro_rules! cx {
    ($t:expr, $f:ident) => {
        $t.ctx + offset_of!(JitCtx, $f) as i32
    };
}

/// A `goto_tb` exit: where its `jmp rel32` displacement is and where its stub is.
#[derive(Debug, Clone, Copy)]
pub struct GotoSite {
    pub slot: u8,
    /// Offset (from the block start) of the 4-byte displacement.
    pub disp_off: usize,
    /// Offset of the unchained stub (the jump's initial target).
    pub stub_off: usize,
    pub target_pc: u64,
}

/// A compiled block, assembled for address `base`.
#[derive(Debug)]
pub struct Compiled {
    pub code: Vec<u8>,
    pub gotos: Vec<GotoSite>,
    /// Direct guest memory accesses (`Target::guard`): (offset of the access instruction,
    /// offset of its slow path), in code order.
    pub faults: Vec<(u32, u32)>,
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

macro_rules! alu {
    ($ops:expr, $mn:ident, $w64:expr, $d:expr, $b:expr) => {
        match ($w64, $b) {
            (false, Opnd::R(r)) => dynasm!($ops ; .arch x64 ; $mn Rd($d), Rd(r)),
            (true, Opnd::R(r)) => dynasm!($ops ; .arch x64 ; $mn Rq($d), Rq(r)),
            (false, Opnd::M(base, disp)) => dynasm!($ops ; .arch x64 ; $mn Rd($d), DWORD [Rq(base) + disp]),
            (true, Opnd::M(base, disp)) => dynasm!($ops ; .arch x64 ; $mn Rq($d), QWORD [Rq(base) + disp]),
            (false, Opnd::I(i)) => dynasm!($ops ; .arch x64 ; $mn Rd($d), i),
            (true, Opnd::I(i)) => dynasm!($ops ; .arch x64 ; $mn Rq($d), i),
        }
    };
}

/// Out-of-line code emitted after the block body.
enum Cold {
    Load {
        slow: DynamicLabel,
        resume: DynamicLabel,
        code: u32,
        dst: Val,
        save: u16,
        pc: u64,
        flags: u32,
        k: usize,
    },
    Store {
        slow: DynamicLabel,
        resume: DynamicLabel,
        code: u32,
        val: Val,
        save: u16,
        pc: u64,
        flags: u32,
        k: usize,
    },
    Raised {
        label: DynamicLabel,
        kind: u64,
        pc: u64,
        flags: u32,
        k: usize,
    },
    Goto {
        stub: DynamicLabel,
        site: usize,
        pc: u64,
    },
    Request {
        label: DynamicLabel,
        pc: u64,
    },
    /// The exit request seen at a self-loop's back edge: write registers back, then leave.
    LoopRequest {
        label: DynamicLabel,
        pc: u64,
    },
    /// Ops `from..=to` (ending in a raise) moved out of the hot path.
    Ops {
        label: DynamicLabel,
        from: usize,
        to: usize,
        pc: u64,
        flags: u32,
    },
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
}

/// Compile `b` as block number `block_id` for address `base`.
pub fn compile(b: &Block, base: usize, block_id: u64, t: Target) -> Result<Compiled, Unsupported> {
    // Forward branches only.
    let mut seen = vec![false; b.labels as usize];
    let mut has_calls = false;
    for op in &b.ops {
        match op {
            Op::Label(l) => seen[l.0 as usize] = true,
            Op::Br(l) | Op::Brcond { label: l, .. } if seen[l.0 as usize] => return Err(Unsupported::BackwardBranch),
            Op::Call { args, .. } => {
                has_calls = true;
                if args.len() > MAX_ARGS {
                    return Err(Unsupported::TooManyArgs);
                }
            }
            Op::Un { op: UnOp::Ctpop, .. } if !t.has_popcnt => return Err(Unsupported::NoPopcnt),
            Op::Load { .. } | Op::Store { .. } => has_calls = true,
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
    };
    let self_loop = t.self_loops
        && !t.all_slow
        && b.ops.iter().any(|op| matches!(op, Op::Exit(Exit::GotoTb { pc, .. }) if *pc == b.pc));
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
    Ok(Compiled { code, gotos, faults })
}

impl Em<'_> {
    fn loc(&self, v: Val) -> Loc {
        self.a.locs[v.0 as usize]
    }

    fn ty(&self, v: Val) -> Ty {
        self.b.ty(v)
    }

    fn w64(&self, v: Val) -> bool {
        self.ty(v) == Ty::I64
    }

    /// `v` as an operand of an instruction of `v`'s width, if it can be used directly.
    fn opnd(&self, v: Val) -> Option<Opnd> {
        let full = (self.ty(v).bits() / 8) as u8;
        match self.loc(v) {
            Loc::Reg(r) => Some(Opnd::R(r)),
            Loc::Slot(d) => Some(Opnd::M(RSP, d)),
            Loc::State { off, size } if size == full => Some(Opnd::M(RBP, off as i32)),
            Loc::Const(c) => {
                let fits = match self.ty(v) {
                    Ty::I32 => true,
                    Ty::I64 => c as i64 == c as i32 as i64,
                };
                fits.then_some(Opnd::I(c as i32))
            }
            _ => None,
        }
    }

    /// `v` as an operand, loading it into `scratch` when it cannot be used directly.
    fn opnd_or(&mut self, v: Val, scratch: u8) -> Opnd {
        match self.opnd(v) {
            Some(o) => o,
            None => {
                self.load(scratch, v);
                Opnd::R(scratch)
            }
        }
    }

    /// `v` in a register: its own, or `scratch` after loading.
    fn reg_or(&mut self, v: Val, scratch: u8) -> u8 {
        match self.loc(v) {
            Loc::Reg(r) => r,
            _ => {
                self.load(scratch, v);
                scratch
            }
        }
    }

    /// Load `v` into register `r` (zero-extended to 64 bits for i32 values).
    fn load(&mut self, r: u8, v: Val) {
        let w64 = self.w64(v);
        match self.loc(v) {
            Loc::Reg(s) => {
                if s != r {
                    if w64 {
                        dynasm!(self.ops ; .arch x64 ; mov Rq(r), Rq(s));
                    } else {
                        dynasm!(self.ops ; .arch x64 ; mov Rd(r), Rd(s));
                    }
                }
            }
            Loc::Slot(d) => {
                if w64 {
                    dynasm!(self.ops ; .arch x64 ; mov Rq(r), QWORD [rsp + d]);
                } else {
                    dynasm!(self.ops ; .arch x64 ; mov Rd(r), DWORD [rsp + d]);
                }
            }
            Loc::State { off, size } => self.load_state(r, off as i32, size),
            Loc::Const(c) => self.mov_imm(r, c, w64),
            Loc::None => dynasm!(self.ops ; .arch x64 ; xor Rd(r), Rd(r)),
        }
    }

    fn load_state(&mut self, r: u8, off: i32, size: u8) {
        match size {
            1 => dynasm!(self.ops ; .arch x64 ; movzx Rd(r), BYTE [rbp + off]),
            2 => dynasm!(self.ops ; .arch x64 ; movzx Rd(r), WORD [rbp + off]),
            4 => dynasm!(self.ops ; .arch x64 ; mov Rd(r), DWORD [rbp + off]),
            _ => dynasm!(self.ops ; .arch x64 ; mov Rq(r), QWORD [rbp + off]),
        }
    }

    fn store_state(&mut self, off: i32, size: u8, r: u8) {
        match size {
            1 => dynasm!(self.ops ; .arch x64 ; mov BYTE [rbp + off], Rb(r)),
            2 => dynasm!(self.ops ; .arch x64 ; mov WORD [rbp + off], Rw(r)),
            4 => dynasm!(self.ops ; .arch x64 ; mov DWORD [rbp + off], Rd(r)),
            _ => dynasm!(self.ops ; .arch x64 ; mov QWORD [rbp + off], Rq(r)),
        }
    }

    fn mov_imm(&mut self, r: u8, c: u64, w64: bool) {
        if c == 0 {
            dynasm!(self.ops ; .arch x64 ; xor Rd(r), Rd(r));
        } else if !w64 || c <= u32::MAX as u64 {
            dynasm!(self.ops ; .arch x64 ; mov Rd(r), c as u32 as i32);
        } else if c as i64 == c as i32 as i64 {
            dynasm!(self.ops ; .arch x64 ; mov Rq(r), c as i32);
        } else {
            dynasm!(self.ops ; .arch x64 ; mov Rq(r), QWORD c as i64);
        }
    }

    /// Write register `r` (holding a value of `v`'s type) to `v`'s location.
    fn store(&mut self, v: Val, r: u8) {
        let w64 = self.w64(v);
        match self.loc(v) {
            Loc::Reg(d) => {
                if d != r {
                    if w64 {
                        dynasm!(self.ops ; .arch x64 ; mov Rq(d), Rq(r));
                    } else {
                        dynasm!(self.ops ; .arch x64 ; mov Rd(d), Rd(r));
                    }
                }
            }
            Loc::Slot(d) => dynasm!(self.ops ; .arch x64 ; mov QWORD [rsp + d], Rq(r)),
            Loc::State { off, size } => self.store_state(off as i32, size, r),
            Loc::Const(_) | Loc::None => {}
        }
    }

    /// The register to compute `dst` into: its own, or `rax`.
    fn dst_reg(&self, dst: Val) -> u8 {
        match self.loc(dst) {
            Loc::Reg(r) => r,
            _ => RAX,
        }
    }

    fn reg_of(&self, v: Val) -> Option<u8> {
        match self.loc(v) {
            Loc::Reg(r) => Some(r),
            _ => None,
        }
    }

    // ------------------------------------------------------------------ globals

    /// Load the guest registers held in host registers (`entry`: only those whose first
    /// mention is not a write).
    fn load_globals(&mut self, entry: bool) {
        for i in 0..self.a.globals.len() {
            let g = self.a.globals[i];
            if !entry || g.entry_load {
                self.load_state(g.reg, g.off as i32, g.size);
            }
        }
    }

    /// Write back every written guest register held in a host register (those first
    /// written without a load only once that write has happened).
    fn sync_globals(&mut self) {
        self.sync_globals_where(|_, _| true);
    }

    /// The same for the guest registers whose state bytes `(offset, size)` satisfy `want`.
    fn sync_globals_where(&mut self, want: impl Fn(u32, u32) -> bool) {
        for i in 0..self.a.globals.len() {
            let g = self.a.globals[i];
            if g.written && (g.entry_load || self.cur > g.def_at) && want(g.off, g.size as u32) {
                self.store_state(g.off as i32, g.size, g.reg);
            }
        }
    }

    /// The guest registers [`Self::sync_globals`] would write back here, as a bit set.
    fn sync_set(&self) -> u64 {
        let mut set = 0;
        for (i, g) in self.a.globals.iter().enumerate().take(64) {
            if g.written && (g.entry_load || self.cur > g.def_at) {
                set |= 1 << i;
            }
        }
        set
    }

    /// Reload the guest registers held in host registers whose state bytes satisfy `want`
    /// (after a helper wrote them).
    fn load_globals_where(&mut self, want: impl Fn(u32, u32) -> bool) {
        for i in 0..self.a.globals.len() {
            let g = self.a.globals[i];
            if want(g.off, g.size as u32) {
                self.load_state(g.reg, g.off as i32, g.size);
            }
        }
    }

    fn exit_with(&mut self, kind: u64) {
        let ep = self.t.epilogue;
        dynasm!(self.ops ; .arch x64 ; mov eax, kind as i32 ; jmp extern ep);
    }

    fn prologue(&mut self) {
        let req = self.ops.new_dynamic_label();
        let er = cx!(self.t, exit_request);
        dynasm!(self.ops ; .arch x64
            ; cmp BYTE [er], 0
            ; jne =>req
        );
        self.cold.push(Cold::Request { label: req, pc: self.b.pc });
        self.load_globals(true);
        if let Some(h) = self.loop_head {
            dynasm!(self.ops ; .arch x64 ; =>h);
        }
    }

    fn write_pc_imm(&mut self, pc: u64) {
        let off = self.t.pc_offset as i32;
        if self.t.pc_size == 8 {
            self.mov_imm(RAX, pc, true);
            dynasm!(self.ops ; .arch x64 ; mov QWORD [rbp + off], rax);
        } else {
            dynasm!(self.ops ; .arch x64 ; mov DWORD [rbp + off], pc as u32 as i32);
        }
    }

    fn save_regs(&mut self, regs: u16) {
        for r in (0..16u8).filter(|r| regs & (1 << r) != 0) {
            let d = SAVE_OFF + 8 * r as i32;
            dynasm!(self.ops ; .arch x64 ; mov QWORD [rsp + d], Rq(r));
        }
    }

    fn restore_regs(&mut self, regs: u16) {
        for r in (0..16u8).filter(|r| regs & (1 << r) != 0) {
            let d = SAVE_OFF + 8 * r as i32;
            dynasm!(self.ops ; .arch x64 ; mov Rq(r), QWORD [rsp + d]);
        }
    }

    fn call_abs(&mut self, f: usize) {
        dynasm!(self.ops ; .arch x64 ; mov rax, QWORD f as i64 ; call rax);
    }

    /// Store the instruction PC/flags and leave with `kind` (RAISE or FAULT); `rcx` = ctx.
    fn exit_at_insn(&mut self, kind: u64, pc: u64, flags: u32) {
        self.mov_imm(RAX, pc, true);
        let (ip, ifl, rs) = (cx!(self.t, insn_pc), cx!(self.t, insn_flags), cx!(self.t, raised));
        dynasm!(self.ops ; .arch x64
            ; mov QWORD [ip], rax
            ; mov QWORD [ifl], flags as i32
            ; mov BYTE [rs], 0
            ; mov eax, kind as i32
        );
        // Raises and faults that write back the same registers share one exit path.
        let set = self.sync_set();
        let l = match self.sync_exits.iter().find(|(s, _)| *s == set) {
            Some(&(_, l)) => l,
            None => {
                let l = self.ops.new_dynamic_label();
                self.sync_exits.push((set, l));
                l
            }
        };
        dynasm!(self.ops ; .arch x64 ; jmp =>l);
    }

    // ------------------------------------------------------------------ ops

    /// Emit the op at `k` (with what it fuses with); returns the index of the next op.
    fn step(&mut self, k: usize) -> usize {
        let ops = &self.b.ops;
        // `x & mask` (or its low bits) compared with zero by the next branch: `test`.
        if let (Some((src, mask, dst)), Some(Op::Brcond { cond: cond @ (Cond::Eq | Cond::Ne), a, b, label })) =
            (self.test_operands(k), ops.get(k + 1))
        {
            if *a == dst && self.b.const_of(*b) == Some(0) && self.uses[dst.0 as usize] == 1 {
                let (cond, label) = (*cond, *label);
                self.cur = k;
                let r = self.reg_or(src, RAX);
                if self.w64(src) {
                    dynasm!(self.ops ; .arch x64 ; test Rq(r), mask);
                } else {
                    dynasm!(self.ops ; .arch x64 ; test Rd(r), mask);
                }
                let next = self.branch_tail(k + 1, cond, label);
                if cond == Cond::Eq && self.keep_facts_at == next {
                    // The path that goes on is the one where `src & mask == 0`.
                    *self.aligned.entry(src).or_insert(0) |= mask;
                }
                return next;
            }
        }
        // A quotient and remainder of the same operands: one `div`.
        if let (
            Some(Op::Bin { op: q @ (BinOp::Divu | BinOp::Divs), dst: dq, a, b }),
            Some(Op::Bin { op: r, dst: dr, a: a2, b: b2 }),
        ) = (ops.get(k), ops.get(k + 1))
        {
            let pair = matches!((q, r), (BinOp::Divu, BinOp::Remu) | (BinOp::Divs, BinOp::Rems));
            if pair && a == a2 && b == b2 && dq != a && dq != b && dq != dr {
                let (signed, dq, dr, a, b) = (*q == BinOp::Divs, *dq, *dr, *a, *b);
                self.cur = k;
                self.div_rem(signed, dq, dr, a, b);
                return k + 2;
            }
        }
        if let Op::Brcond { cond, a, b, label } = &ops[k] {
            let (cond, label) = (*cond, *label);
            self.cur = k;
            self.cmp(*a, *b);
            return self.branch_tail(k, cond, label);
        }
        if let Op::Label(_) = ops[k] {
            if self.keep_facts_at != k {
                self.aligned.clear();
            }
        }
        for d in crate::opt::defs(&ops[k]) {
            self.aligned.remove(&d);
        }
        self.op(k);
        k + 1
    }

    /// The op at `k` as `(source, mask, destination)` when it only masks low bits.
    fn test_operands(&self, k: usize) -> Option<(Val, i32, Val)> {
        match &self.b.ops[k] {
            Op::Extract { dst, src, ofs: 0, len, signed: false } if *len < 31 => {
                Some((*src, ((1u32 << len) - 1) as i32, *dst))
            }
            Op::Bin { op: BinOp::And, dst, a, b } => {
                let c = self.b.const_of(*b)?;
                (c <= i32::MAX as u64).then_some((*a, c as i32, *dst))
            }
            _ => None,
        }
    }

    /// The jump of the branch at `k` (flags already set): when the not-taken path only
    /// raises, it moves out of line and the taken path falls through.
    fn branch_tail(&mut self, k: usize, cond: Cond, label: crate::ir::Label) -> usize {
        let target = self.label_at[label.0 as usize];
        if target != usize::MAX && target > k {
            let body = &self.b.ops[k + 1..target];
            let raise = body.iter().position(|o| matches!(o, Op::Raise { .. }));
            if let Some(r) = raise {
                let plain = body[..r].iter().all(|o| {
                    !matches!(o, Op::Label(_) | Op::Br(_) | Op::Brcond { .. } | Op::Exit(_) | Op::InsnStart { .. })
                });
                let dead_tail = body[r + 1..].iter().all(|o| matches!(o, Op::Br(_)));
                if plain && dead_tail {
                    self.keep_facts_at = target;
                    let cold = self.ops.new_dynamic_label();
                    self.jcc(cond.invert(), cold);
                    self.cold.push(Cold::Ops {
                        label: cold,
                        from: k + 1,
                        to: k + 1 + r,
                        pc: self.pc,
                        flags: self.flags,
                    });
                    return target;
                }
            }
        }
        let l = self.labels[label.0 as usize];
        self.jcc(cond, l);
        k + 1
    }

    fn op(&mut self, k: usize) {
        self.cur = k;
        let op = &self.b.ops[k];
        match op {
            Op::InsnStart { pc, flags } => {
                self.pc = *pc;
                self.flags = *flags;
            }
            Op::Mov { dst, src } => {
                let (dst, src) = (*dst, *src);
                if let Some(d) = self.reg_of(dst) {
                    self.load(d, src);
                } else if let (Loc::Const(c), Some(Opnd::M(base, disp))) = (self.loc(src), self.opnd(dst)) {
                    let w64 = self.w64(dst);
                    if !w64 {
                        dynasm!(self.ops ; .arch x64 ; mov DWORD [Rq(base) + disp], c as u32 as i32);
                    } else if c as i64 == c as i32 as i64 {
                        dynasm!(self.ops ; .arch x64 ; mov QWORD [Rq(base) + disp], c as i32);
                    } else {
                        self.load(RAX, src);
                        self.store(dst, RAX);
                    }
                } else {
                    let r = self.reg_or(src, RAX);
                    self.store(dst, r);
                }
            }
            Op::Bin { op, dst, a, b } => self.bin(*op, *dst, *a, *b),
            Op::Un { op, dst, a } => self.un(*op, *dst, *a),
            Op::Ext { dst, src, bits, signed } => self.extract(*dst, *src, 0, *bits, *signed),
            Op::Extract { dst, src, ofs, len, signed } => self.extract(*dst, *src, *ofs, *len, *signed),
            Op::Deposit { dst, base, val, ofs, len } => self.deposit(*dst, *base, *val, *ofs, *len),
            Op::Setcond { cond, dst, a, b } => {
                let (cond, dst) = (*cond, *dst);
                self.cmp(*a, *b);
                self.setcc(cond);
                let d = self.dst_reg(dst);
                dynasm!(self.ops ; .arch x64 ; movzx Rd(d), al);
                if d == RAX {
                    self.store(dst, RAX);
                }
            }
            Op::Movcond { cond, dst, a, b, t, f } => {
                let (cond, dst, t, f) = (*cond, *dst, *t, *f);
                let w64 = self.w64(dst);
                // The condition into ecx first (compares use rcx/rdx as scratch), then
                // rax = f, rdx = t when t needs a register, and a cmov on `ecx != 0`.
                self.cmp(*a, *b);
                self.setcc(cond);
                dynasm!(self.ops ; .arch x64 ; movzx ecx, al);
                let tsrc = match self.opnd(t) {
                    Some(Opnd::I(_)) | None => {
                        self.load(RDX, t);
                        Opnd::R(RDX)
                    }
                    Some(o) => o,
                };
                self.load(RAX, f);
                dynasm!(self.ops ; .arch x64 ; test ecx, ecx);
                self.cmov(Cond::Ne, w64, tsrc);
                self.store(dst, RAX);
            }
            Op::Mul2 { signed, lo, hi, a, b } => {
                let (signed, lo, hi, a, b) = (*signed, *lo, *hi, *a, *b);
                if self.w64(a) {
                    self.load(RAX, a);
                    self.load(RCX, b);
                    if signed {
                        dynasm!(self.ops ; .arch x64 ; imul rcx);
                    } else {
                        dynasm!(self.ops ; .arch x64 ; mul rcx);
                    }
                    self.store(lo, RAX);
                    self.store(hi, RDX);
                } else {
                    self.load(RAX, a);
                    self.load(RCX, b);
                    if signed {
                        dynasm!(self.ops ; .arch x64 ; movsxd rax, eax ; movsxd rcx, ecx);
                    }
                    dynasm!(self.ops ; .arch x64 ; imul rax, rcx ; mov rdx, rax ; shr rdx, 32 ; mov eax, eax);
                    self.store(lo, RAX);
                    self.store(hi, RDX);
                }
            }
            Op::Load { dst, addr, mem } => self.guest_load(k, *dst, *addr, *mem),
            Op::Store { val, addr, mem } => self.guest_store(k, *val, *addr, *mem),
            Op::LoadState { dst, base, index, scale } => {
                let (dst, base, index, scale) = (*dst, *base as i32, *index, *scale);
                self.sync_globals();
                self.load(RCX, index);
                match scale {
                    1 => dynasm!(self.ops ; .arch x64 ; movzx eax, BYTE [rbp + rcx + base]),
                    2 => dynasm!(self.ops ; .arch x64 ; movzx eax, WORD [rbp + rcx * 2 + base]),
                    4 => dynasm!(self.ops ; .arch x64 ; mov eax, DWORD [rbp + rcx * 4 + base]),
                    _ => dynasm!(self.ops ; .arch x64 ; mov rax, QWORD [rbp + rcx * 8 + base]),
                }
                if self.ty(dst) == Ty::I32 && scale == 8 {
                    dynasm!(self.ops ; .arch x64 ; mov eax, eax);
                }
                self.store(dst, RAX);
            }
            Op::StoreState { val, base, index, scale } => {
                let (val, base, index, scale) = (*val, *base as i32, *index, *scale);
                self.sync_globals();
                self.load(RCX, index);
                self.load(RAX, val);
                match scale {
                    1 => dynasm!(self.ops ; .arch x64 ; mov BYTE [rbp + rcx + base], al),
                    2 => dynasm!(self.ops ; .arch x64 ; mov WORD [rbp + rcx * 2 + base], ax),
                    4 => dynasm!(self.ops ; .arch x64 ; mov DWORD [rbp + rcx * 4 + base], eax),
                    _ => dynasm!(self.ops ; .arch x64 ; mov QWORD [rbp + rcx * 8 + base], rax),
                }
                self.load_globals(false);
            }
            Op::Call { helper, args, ret, flags, .. } => {
                let (helper, args, ret, flags) = (*helper, args.clone(), *ret, *flags);
                self.call_helper(k, helper, &args, ret, flags);
            }
            Op::Raise { code, arg } => {
                let (code, arg) = (*code, *arg);
                self.load(RDX, arg);
                let (co, ar) = (cx!(self.t, code), cx!(self.t, arg));
                dynasm!(self.ops ; .arch x64
                    ; mov QWORD [co], code as i32
                    ; mov QWORD [ar], rdx
                );
                let (pc, fl) = (self.pc, self.flags);
                self.exit_at_insn(exit::RAISE, pc, fl);
            }
            Op::Label(l) => {
                let l = self.labels[l.0 as usize];
                dynasm!(self.ops ; .arch x64 ; =>l);
            }
            Op::Br(l) => {
                let l = self.labels[l.0 as usize];
                dynasm!(self.ops ; .arch x64 ; jmp =>l);
            }
            Op::Brcond { cond, a, b, label } => {
                let (cond, l) = (*cond, self.labels[label.0 as usize]);
                self.cmp(*a, *b);
                self.jcc(cond, l);
            }
            Op::Exit(Exit::GotoTb { pc, .. }) if *pc == self.b.pc && self.loop_head.is_some() => {
                // Back to the top without leaving: only the exit request (signals, code
                // writes) makes the block return.
                let (head, req) = (self.loop_head.unwrap_or_else(|| unreachable!()), self.ops.new_dynamic_label());
                let er = cx!(self.t, exit_request);
                dynasm!(self.ops ; .arch x64
                    ; cmp BYTE [er], 0
                    ; jne =>req
                    ; jmp =>head
                );
                self.cold.push(Cold::LoopRequest { label: req, pc: self.b.pc });
            }
            Op::Exit(e) => {
                let e = *e;
                self.sync_globals();
                match e {
                    Exit::GotoTb { slot, pc } => {
                        let stub = self.ops.new_dynamic_label();
                        dynasm!(self.ops ; .arch x64 ; jmp =>stub);
                        let disp_off = self.ops.offset().0 - 4;
                        let site = self.gotos.len();
                        self.gotos.push((GotoSite { slot, disp_off, stub_off: 0, target_pc: pc }, stub));
                        self.cold.push(Cold::Goto { stub, site, pc });
                    }
                    Exit::LookupAndGoto => self.lookup_and_goto(),
                    Exit::ExitTb => self.exit_with(exit::EXIT),
                }
            }
        }
    }

    fn lookup_and_goto(&mut self) {
        let miss = self.ops.new_dynamic_label();
        let off = self.t.pc_offset as i32;
        if self.t.pc_size == 8 {
            dynasm!(self.ops ; .arch x64 ; mov rax, QWORD [rbp + off]);
        } else {
            dynasm!(self.ops ; .arch x64 ; mov eax, DWORD [rbp + off]);
        }
        let mask = (ctx::LOOKUP_ENTRIES - 1) as i32;
        let (lk, lk8) = (self.t.lookup, self.t.lookup + 8);
        dynasm!(self.ops ; .arch x64
            ; mov ecx, eax
            ; shr ecx, 2
            ; and ecx, mask
            ; shl ecx, 4
            ; cmp QWORD [rcx + lk], rax
            ; jne =>miss
            ; jmp QWORD [rcx + lk8]
            ; =>miss
        );
        self.exit_with(exit::LOOKUP);
    }

    /// `cmp a, b` in `a`'s width.
    fn cmp(&mut self, a: Val, b: Val) {
        let w64 = self.w64(a);
        let ra = match self.opnd(a) {
            Some(Opnd::R(r)) => Opnd::R(r),
            Some(Opnd::M(base, d)) => Opnd::M(base, d),
            _ => {
                self.load(RCX, a);
                Opnd::R(RCX)
            }
        };
        let mut ob = self.opnd_or(b, RDX);
        if let (Opnd::M(..), Opnd::M(..)) = (ra, ob) {
            self.load(RDX, b);
            ob = Opnd::R(RDX);
        }
        match ra {
            // Against zero: `test r, r` sets the same flags (and is shorter).
            Opnd::R(r) if matches!(ob, Opnd::I(0)) => {
                if w64 {
                    dynasm!(self.ops ; .arch x64 ; test Rq(r), Rq(r));
                } else {
                    dynasm!(self.ops ; .arch x64 ; test Rd(r), Rd(r));
                }
            }
            Opnd::R(r) => alu!(self.ops, cmp, w64, r, ob),
            Opnd::M(base, d) => match (w64, ob) {
                (false, Opnd::R(r)) => dynasm!(self.ops ; .arch x64 ; cmp DWORD [Rq(base) + d], Rd(r)),
                (true, Opnd::R(r)) => dynasm!(self.ops ; .arch x64 ; cmp QWORD [Rq(base) + d], Rq(r)),
                (false, Opnd::I(i)) => dynasm!(self.ops ; .arch x64 ; cmp DWORD [Rq(base) + d], i),
                (true, Opnd::I(i)) => dynasm!(self.ops ; .arch x64 ; cmp QWORD [Rq(base) + d], i),
                (_, Opnd::M(..)) => unreachable!("both operands in memory"),
            },
            Opnd::I(_) => unreachable!("immediate loaded above"),
        }
    }

    fn setcc(&mut self, c: Cond) {
        match c {
            Cond::Eq => dynasm!(self.ops ; .arch x64 ; sete al),
            Cond::Ne => dynasm!(self.ops ; .arch x64 ; setne al),
            Cond::Ltu => dynasm!(self.ops ; .arch x64 ; setb al),
            Cond::Leu => dynasm!(self.ops ; .arch x64 ; setbe al),
            Cond::Gtu => dynasm!(self.ops ; .arch x64 ; seta al),
            Cond::Geu => dynasm!(self.ops ; .arch x64 ; setae al),
            Cond::Lt => dynasm!(self.ops ; .arch x64 ; setl al),
            Cond::Le => dynasm!(self.ops ; .arch x64 ; setle al),
            Cond::Gt => dynasm!(self.ops ; .arch x64 ; setg al),
            Cond::Ge => dynasm!(self.ops ; .arch x64 ; setge al),
        }
    }

    fn jcc(&mut self, c: Cond, l: DynamicLabel) {
        match c {
            Cond::Eq => dynasm!(self.ops ; .arch x64 ; je =>l),
            Cond::Ne => dynasm!(self.ops ; .arch x64 ; jne =>l),
            Cond::Ltu => dynasm!(self.ops ; .arch x64 ; jb =>l),
            Cond::Leu => dynasm!(self.ops ; .arch x64 ; jbe =>l),
            Cond::Gtu => dynasm!(self.ops ; .arch x64 ; ja =>l),
            Cond::Geu => dynasm!(self.ops ; .arch x64 ; jae =>l),
            Cond::Lt => dynasm!(self.ops ; .arch x64 ; jl =>l),
            Cond::Le => dynasm!(self.ops ; .arch x64 ; jle =>l),
            Cond::Gt => dynasm!(self.ops ; .arch x64 ; jg =>l),
            Cond::Ge => dynasm!(self.ops ; .arch x64 ; jge =>l),
        }
    }

    fn cmov(&mut self, c: Cond, w64: bool, src: Opnd) {
        macro_rules! cm {
            ($mn:ident) => {
                match (w64, src) {
                    (false, Opnd::R(r)) => dynasm!(self.ops ; .arch x64 ; $mn eax, Rd(r)),
                    (true, Opnd::R(r)) => dynasm!(self.ops ; .arch x64 ; $mn rax, Rq(r)),
                    (false, Opnd::M(b, d)) => dynasm!(self.ops ; .arch x64 ; $mn eax, DWORD [Rq(b) + d]),
                    (true, Opnd::M(b, d)) => dynasm!(self.ops ; .arch x64 ; $mn rax, QWORD [Rq(b) + d]),
                    (_, Opnd::I(_)) => unreachable!("cmov source is loaded"),
                }
            };
        }
        match c {
            Cond::Eq => cm!(cmove),
            Cond::Ne => cm!(cmovne),
            Cond::Ltu => cm!(cmovb),
            Cond::Leu => cm!(cmovbe),
            Cond::Gtu => cm!(cmova),
            Cond::Geu => cm!(cmovae),
            Cond::Lt => cm!(cmovl),
            Cond::Le => cm!(cmovle),
            Cond::Gt => cm!(cmovg),
            Cond::Ge => cm!(cmovge),
        }
    }

    fn bin(&mut self, op: BinOp, dst: Val, a: Val, b: Val) {
        let w64 = self.w64(dst);
        match op {
            BinOp::Divu | BinOp::Divs | BinOp::Remu | BinOp::Rems => return self.div(op, dst, a, b),
            BinOp::Shl | BinOp::Shr | BinOp::Sar | BinOp::Rotl | BinOp::Rotr => return self.shift(op, dst, a, b),
            _ => {}
        }
        let commutative = matches!(op, BinOp::Add | BinOp::Mul | BinOp::And | BinOp::Or | BinOp::Xor);
        let mut d = self.dst_reg(dst);
        let (a, b) =
            if commutative && self.reg_of(b) == Some(d) && self.reg_of(a) != Some(d) { (b, a) } else { (a, b) };
        if self.reg_of(b) == Some(d) && self.reg_of(a) != Some(d) {
            d = RAX;
        }
        // Mul has no memory-immediate form we use; load immediates for it.
        let ob = match (op, self.opnd(b)) {
            (BinOp::Mul, Some(Opnd::I(_))) | (_, None) => {
                self.load(RCX, b);
                Opnd::R(RCX)
            }
            (_, Some(o)) => o,
        };
        self.load(d, a);
        match op {
            BinOp::Add => alu!(self.ops, add, w64, d, ob),
            BinOp::Sub => alu!(self.ops, sub, w64, d, ob),
            BinOp::And => alu!(self.ops, and, w64, d, ob),
            BinOp::Or => alu!(self.ops, or, w64, d, ob),
            BinOp::Xor => alu!(self.ops, xor, w64, d, ob),
            BinOp::Mul => match (w64, ob) {
                (false, Opnd::R(r)) => dynasm!(self.ops ; .arch x64 ; imul Rd(d), Rd(r)),
                (true, Opnd::R(r)) => dynasm!(self.ops ; .arch x64 ; imul Rq(d), Rq(r)),
                (false, Opnd::M(base, disp)) => dynasm!(self.ops ; .arch x64 ; imul Rd(d), DWORD [Rq(base) + disp]),
                (true, Opnd::M(base, disp)) => dynasm!(self.ops ; .arch x64 ; imul Rq(d), QWORD [Rq(base) + disp]),
                (_, Opnd::I(_)) => unreachable!("loaded above"),
            },
            _ => unreachable!(),
        }
        self.store(dst, d);
    }

    fn shift(&mut self, op: BinOp, dst: Val, a: Val, b: Val) {
        let w64 = self.w64(dst);
        let mut d = self.dst_reg(dst);
        if self.reg_of(b) == Some(d) && self.reg_of(a) != Some(d) {
            d = RAX;
        }
        let imm = self.b.const_of(b).map(|c| (c % self.ty(dst).bits() as u64) as i8);
        if imm.is_none() {
            self.load(RCX, b);
        }
        self.load(d, a);
        macro_rules! sh {
            ($mn:ident) => {
                match (w64, imm) {
                    (false, Some(i)) => dynasm!(self.ops ; .arch x64 ; $mn Rd(d), i),
                    (true, Some(i)) => dynasm!(self.ops ; .arch x64 ; $mn Rq(d), i),
                    (false, None) => dynasm!(self.ops ; .arch x64 ; $mn Rd(d), cl),
                    (true, None) => dynasm!(self.ops ; .arch x64 ; $mn Rq(d), cl),
                }
            };
        }
        match op {
            BinOp::Shl => sh!(shl),
            BinOp::Shr => sh!(shr),
            BinOp::Sar => sh!(sar),
            BinOp::Rotl => sh!(rol),
            BinOp::Rotr => sh!(ror),
            _ => unreachable!(),
        }
        self.store(dst, d);
    }

    /// Division with the IR's rules: x/0 = all ones, x%0 = x, signed overflow wraps.
    fn div(&mut self, op: BinOp, dst: Val, a: Val, b: Val) {
        let w64 = self.w64(dst);
        let signed = matches!(op, BinOp::Divs | BinOp::Rems);
        let rem = matches!(op, BinOp::Remu | BinOp::Rems);
        let (zero, minus1, done) =
            (self.ops.new_dynamic_label(), self.ops.new_dynamic_label(), self.ops.new_dynamic_label());
        self.load(RCX, b);
        self.load(RAX, a);
        if w64 {
            dynasm!(self.ops ; .arch x64 ; test rcx, rcx ; jz =>zero);
        } else {
            dynasm!(self.ops ; .arch x64 ; test ecx, ecx ; jz =>zero);
        }
        if signed {
            if w64 {
                dynasm!(self.ops ; .arch x64 ; cmp rcx, -1 ; je =>minus1 ; cqo ; idiv rcx);
            } else {
                dynasm!(self.ops ; .arch x64 ; cmp ecx, -1 ; je =>minus1 ; cdq ; idiv ecx);
            }
        } else if w64 {
            dynasm!(self.ops ; .arch x64 ; xor edx, edx ; div rcx);
        } else {
            dynasm!(self.ops ; .arch x64 ; xor edx, edx ; div ecx);
        }
        if rem {
            dynasm!(self.ops ; .arch x64 ; mov rax, rdx);
        }
        dynasm!(self.ops ; .arch x64 ; jmp =>done ; =>zero);
        if !rem {
            // x / 0 = all ones (x % 0 = x: rax already holds it).
            if w64 {
                dynasm!(self.ops ; .arch x64 ; mov rax, -1);
            } else {
                dynasm!(self.ops ; .arch x64 ; mov eax, -1);
            }
        }
        dynasm!(self.ops ; .arch x64 ; jmp =>done ; =>minus1);
        if rem {
            dynasm!(self.ops ; .arch x64 ; xor eax, eax);
        } else if w64 {
            dynasm!(self.ops ; .arch x64 ; neg rax);
        } else {
            dynasm!(self.ops ; .arch x64 ; neg eax);
        }
        dynasm!(self.ops ; .arch x64 ; =>done);
        if !w64 {
            dynasm!(self.ops ; .arch x64 ; mov eax, eax);
        }
        self.store(dst, RAX);
    }

    /// `q = a / b; r = a % b` with the IR's rules (x/0 = all ones and x%0 = x; signed
    /// overflow wraps with remainder 0), one `div` for both.
    fn div_rem(&mut self, signed: bool, q: Val, r: Val, a: Val, b: Val) {
        let w64 = self.w64(q);
        let (zero, minus1, done) =
            (self.ops.new_dynamic_label(), self.ops.new_dynamic_label(), self.ops.new_dynamic_label());
        self.load(RCX, b);
        self.load(RAX, a);
        if w64 {
            dynasm!(self.ops ; .arch x64 ; test rcx, rcx ; jz =>zero);
        } else {
            dynasm!(self.ops ; .arch x64 ; test ecx, ecx ; jz =>zero);
        }
        match (signed, w64) {
            (true, true) => dynasm!(self.ops ; .arch x64 ; cmp rcx, -1 ; je =>minus1 ; cqo ; idiv rcx),
            (true, false) => dynasm!(self.ops ; .arch x64 ; cmp ecx, -1 ; je =>minus1 ; cdq ; idiv ecx),
            (false, true) => dynasm!(self.ops ; .arch x64 ; xor edx, edx ; div rcx),
            (false, false) => dynasm!(self.ops ; .arch x64 ; xor edx, edx ; div ecx),
        }
        dynasm!(self.ops ; .arch x64 ; jmp =>done ; =>zero);
        // x / 0: quotient all ones, remainder x.
        if w64 {
            dynasm!(self.ops ; .arch x64 ; mov rdx, rax ; mov rax, -1 ; jmp =>done ; =>minus1 ; neg rax ; xor edx, edx);
        } else {
            dynasm!(self.ops ; .arch x64 ; mov edx, eax ; mov eax, -1 ; jmp =>done ; =>minus1 ; neg eax ; xor edx, edx);
        }
        // (32-bit results are zero-extended already: every path writes eax and edx.)
        dynasm!(self.ops ; .arch x64 ; =>done);
        // `q` first: a `q` nothing reads may share its register with `r` (its interval ends
        // where `r`'s begins), and then `r` must win.
        self.store(q, RAX);
        self.store(r, RDX);
    }

    fn un(&mut self, op: UnOp, dst: Val, a: Val) {
        let w64 = self.w64(dst);
        let d = self.dst_reg(dst);
        self.load(d, a);
        match (op, w64) {
            (UnOp::Neg, false) => dynasm!(self.ops ; .arch x64 ; neg Rd(d)),
            (UnOp::Neg, true) => dynasm!(self.ops ; .arch x64 ; neg Rq(d)),
            (UnOp::Not, false) => dynasm!(self.ops ; .arch x64 ; not Rd(d)),
            (UnOp::Not, true) => dynasm!(self.ops ; .arch x64 ; not Rq(d)),
            (UnOp::Bswap, false) => dynasm!(self.ops ; .arch x64 ; bswap Rd(d)),
            (UnOp::Bswap, true) => dynasm!(self.ops ; .arch x64 ; bswap Rq(d)),
            (UnOp::Clz, false) => {
                dynasm!(self.ops ; .arch x64 ; mov ecx, -1 ; bsr Rd(d), Rd(d) ; cmovz Rd(d), ecx ; neg Rd(d) ; add Rd(d), 31)
            }
            (UnOp::Clz, true) => {
                dynasm!(self.ops ; .arch x64 ; mov rcx, -1 ; bsr Rq(d), Rq(d) ; cmovz Rq(d), rcx ; neg Rq(d) ; add Rq(d), 63)
            }
            (UnOp::Ctz, false) => dynasm!(self.ops ; .arch x64 ; mov ecx, 32 ; bsf Rd(d), Rd(d) ; cmovz Rd(d), ecx),
            (UnOp::Ctz, true) => dynasm!(self.ops ; .arch x64 ; mov ecx, 64 ; bsf Rq(d), Rq(d) ; cmovz Rq(d), rcx),
            (UnOp::Ctpop, false) => dynasm!(self.ops ; .arch x64 ; popcnt Rd(d), Rd(d)),
            (UnOp::Ctpop, true) => dynasm!(self.ops ; .arch x64 ; popcnt Rq(d), Rq(d)),
        }
        self.store(dst, d);
    }

    /// `dst = (src >> ofs)` low `len` bits, sign- or zero-extended (also `Ext` with ofs 0).
    fn extract(&mut self, dst: Val, src: Val, ofs: u8, len: u8, signed: bool) {
        let dw64 = self.w64(dst);
        let d = self.dst_reg(dst);
        let len = len.min(64);
        self.load(d, src);
        match (ofs, len, signed) {
            (0, 8, true) if dw64 => dynasm!(self.ops ; .arch x64 ; movsx Rq(d), Rb(d)),
            (0, 8, true) => dynasm!(self.ops ; .arch x64 ; movsx Rd(d), Rb(d)),
            (0, 16, true) if dw64 => dynasm!(self.ops ; .arch x64 ; movsx Rq(d), Rw(d)),
            (0, 16, true) => dynasm!(self.ops ; .arch x64 ; movsx Rd(d), Rw(d)),
            (0, 32, true) if dw64 => dynasm!(self.ops ; .arch x64 ; movsxd Rq(d), Rd(d)),
            (0, 8, false) => dynasm!(self.ops ; .arch x64 ; movzx Rd(d), Rb(d)),
            (0, 16, false) => dynasm!(self.ops ; .arch x64 ; movzx Rd(d), Rw(d)),
            (0, 64, _) => {
                if !dw64 {
                    dynasm!(self.ops ; .arch x64 ; mov Rd(d), Rd(d));
                }
            }
            (0, 32, _) => dynasm!(self.ops ; .arch x64 ; mov Rd(d), Rd(d)),
            _ => {
                if signed {
                    let l = (64 - ofs as i32 - len as i32).max(0) as i8;
                    let r = (64 - len as i32) as i8;
                    dynasm!(self.ops ; .arch x64 ; shl Rq(d), l ; sar Rq(d), r);
                } else {
                    if ofs > 0 {
                        dynasm!(self.ops ; .arch x64 ; shr Rq(d), ofs as i8);
                    }
                    if len < 32 {
                        dynasm!(self.ops ; .arch x64 ; and Rd(d), ((1u32 << len) - 1) as i32);
                    } else if len == 32 {
                        dynasm!(self.ops ; .arch x64 ; mov Rd(d), Rd(d));
                    } else if len < 64 {
                        dynasm!(self.ops ; .arch x64 ; mov rcx, QWORD ((1u64 << len) - 1) as i64 ; and Rq(d), rcx);
                    }
                }
                if !dw64 {
                    dynasm!(self.ops ; .arch x64 ; mov Rd(d), Rd(d));
                }
            }
        }
        self.store(dst, d);
    }

    fn deposit(&mut self, dst: Val, base: Val, val: Val, ofs: u8, len: u8) {
        let w = self.ty(dst).bits();
        let m: u64 = if len as u32 >= 64 { u64::MAX } else { ((1u64 << len) - 1) << ofs } & self.ty(dst).mask();
        self.load(RAX, base);
        self.load(RCX, val);
        dynasm!(self.ops ; .arch x64
            ; mov rdx, QWORD !m as i64
            ; and rax, rdx
            ; shl rcx, ofs as i8
            ; mov rdx, QWORD m as i64
            ; and rcx, rdx
            ; or rax, rcx
        );
        if w == 32 {
            dynasm!(self.ops ; .arch x64 ; mov eax, eax);
        }
        self.store(dst, RAX);
    }

    // ------------------------------------------------------------------ memory

    fn guest_load(&mut self, k: usize, dst: Val, addr: Val, mem: MemOp) {
        let dw64 = self.w64(dst);
        let code = memop_code(mem, dw64);
        let slow = self.ops.new_dynamic_label();
        let resume = self.ops.new_dynamic_label();
        // A temporary destination's old value is dead; a guest register's is written back if
        // the slow path faults, so it must survive the call.
        let save = self.a.caller_saved_live_at(k, &self.dead_across_fault(&[dst]));
        self.load(RCX, addr);
        if self.w64(addr) || self.t.all_slow {
            dynasm!(self.ops ; .arch x64 ; jmp =>slow ; =>resume);
            self.cold.push(Cold::Load { slow, resume, code, dst, save, pc: self.pc, flags: self.flags, k });
            return;
        }
        if self.t.softmmu {
            self.tlb_check(mem.size, false, slow);
        } else if self.t.guard {
            // The access below faults on the host when it needs the runtime.
            self.faults.push((self.ops.offset().0, slow));
        } else {
            let fast = self.t.fast;
            dynasm!(self.ops ; .arch x64
                ; mov edx, ecx
                ; shr edx, 12
                ; test BYTE [rdx + fast], FAST_READ as i8
                ; jz =>slow
            );
            if mem.size > 1 && !self.known_aligned(addr, mem.size) {
                dynasm!(self.ops ; .arch x64 ; test cl, (mem.size - 1) as i8 ; jnz =>slow);
            }
        }
        // Straight into the destination's register when it has one.
        let d = self.dst_reg(dst);
        match (mem.size, mem.big_endian, mem.signed) {
            (1, _, false) => dynasm!(self.ops ; .arch x64 ; movzx Rd(d), BYTE [r15 + rcx]),
            (1, _, true) if dw64 => dynasm!(self.ops ; .arch x64 ; movsx Rq(d), BYTE [r15 + rcx]),
            (1, _, true) => dynasm!(self.ops ; .arch x64 ; movsx Rd(d), BYTE [r15 + rcx]),
            (2, false, false) => dynasm!(self.ops ; .arch x64 ; movzx Rd(d), WORD [r15 + rcx]),
            (2, false, true) if dw64 => dynasm!(self.ops ; .arch x64 ; movsx Rq(d), WORD [r15 + rcx]),
            (2, false, true) => dynasm!(self.ops ; .arch x64 ; movsx Rd(d), WORD [r15 + rcx]),
            (2, true, s) => {
                dynasm!(self.ops ; .arch x64 ; movzx Rd(d), WORD [r15 + rcx] ; rol Rw(d), 8);
                match (s, dw64) {
                    (false, _) => dynasm!(self.ops ; .arch x64 ; movzx Rd(d), Rw(d)),
                    (true, false) => dynasm!(self.ops ; .arch x64 ; movsx Rd(d), Rw(d)),
                    (true, true) => dynasm!(self.ops ; .arch x64 ; movsx Rq(d), Rw(d)),
                }
            }
            (4, be, s) => {
                dynasm!(self.ops ; .arch x64 ; mov Rd(d), DWORD [r15 + rcx]);
                if be {
                    dynasm!(self.ops ; .arch x64 ; bswap Rd(d));
                }
                if s && dw64 {
                    dynasm!(self.ops ; .arch x64 ; movsxd Rq(d), Rd(d));
                }
            }
            (_, be, _) => {
                dynasm!(self.ops ; .arch x64 ; mov Rq(d), QWORD [r15 + rcx]);
                if be {
                    dynasm!(self.ops ; .arch x64 ; bswap Rq(d));
                }
                if !dw64 {
                    dynasm!(self.ops ; .arch x64 ; mov Rd(d), Rd(d));
                }
            }
        }
        if d == RAX {
            self.store(dst, RAX);
        }
        dynasm!(self.ops ; .arch x64 ; =>resume);
        self.cold.push(Cold::Load { slow, resume, code, dst, save, pc: self.pc, flags: self.flags, k });
    }

    /// The inline soft-TLB lookup of system mode (DESIGN.md section 6) for the guest-virtual
    /// address in `ecx`: index the current mode's fast table, compare the page and the
    /// access's alignment bits with the read or write tag, and on a hit turn `rcx` into the
    /// host address (addend; `r15` is 0). A miss, an unaligned access, MMIO, ROM writes and
    /// code pages jump to `slow` with `rcx` unchanged. Uses `rax` and `rdx`.
    fn tlb_check(&mut self, size: u8, write: bool, slow: DynamicLabel) {
        let table = cx!(self.t, tlb);
        let mask = !0xfffu32 | (size.max(1) as u32 - 1);
        let tag = if write { 4 } else { 0 };
        dynasm!(self.ops ; .arch x64
            ; mov edx, ecx
            ; shr edx, 12
            ; and edx, (TLB_ENTRIES - 1) as i32
            ; shl edx, 4
            ; add rdx, QWORD [table]
            ; mov eax, ecx
            ; and eax, mask as i32
            ; cmp eax, DWORD [rdx + tag]
            ; jne =>slow
            ; mov ecx, ecx
            ; add rcx, QWORD [rdx + 8]
        );
    }

    /// Whether a branch already proved `addr`'s low bits zero for an access of `size`.
    fn known_aligned(&self, addr: Val, size: u8) -> bool {
        let need = (size - 1) as i32;
        self.aligned.get(&addr).is_some_and(|m| m & need == need)
    }

    fn guest_store(&mut self, k: usize, val: Val, addr: Val, mem: MemOp) {
        let code = memop_code(mem, self.w64(val));
        let slow = self.ops.new_dynamic_label();
        let resume = self.ops.new_dynamic_label();
        let save = self.a.caller_saved_live_at(k, &[]);
        self.load(RCX, addr);
        if self.w64(addr) || self.t.all_slow {
            dynasm!(self.ops ; .arch x64 ; jmp =>slow ; =>resume);
        } else {
            if self.t.softmmu {
                self.tlb_check(mem.size, true, slow);
            } else if self.t.guard {
                // (the access site is recorded at the store instruction below)
            } else {
                let fast = self.t.fast;
                dynasm!(self.ops ; .arch x64
                    ; mov edx, ecx
                    ; shr edx, 12
                    ; test BYTE [rdx + fast], FAST_WRITE as i8
                    ; jz =>slow
                );
                if mem.size > 1 && !self.known_aligned(addr, mem.size) {
                    dynasm!(self.ops ; .arch x64 ; test cl, (mem.size - 1) as i8 ; jnz =>slow);
                }
            }
            let r = match (mem.size, mem.big_endian) {
                (1, _) | (_, false) => self.reg_or(val, RAX),
                _ => {
                    self.load(RAX, val);
                    RAX
                }
            };
            // Big-endian: swap in rax first (the slow path reloads the value itself).
            match (mem.size, mem.big_endian) {
                (2, true) => dynasm!(self.ops ; .arch x64 ; rol ax, 8),
                (4, true) => dynasm!(self.ops ; .arch x64 ; bswap eax),
                (8, true) => dynasm!(self.ops ; .arch x64 ; bswap rax),
                _ => {}
            }
            if self.t.guard && !self.t.softmmu {
                self.faults.push((self.ops.offset().0, slow));
            }
            match (mem.size, mem.big_endian) {
                (1, _) => dynasm!(self.ops ; .arch x64 ; mov BYTE [r15 + rcx], Rb(r)),
                (2, false) => dynasm!(self.ops ; .arch x64 ; mov WORD [r15 + rcx], Rw(r)),
                (2, true) => dynasm!(self.ops ; .arch x64 ; mov WORD [r15 + rcx], ax),
                (4, false) => dynasm!(self.ops ; .arch x64 ; mov DWORD [r15 + rcx], Rd(r)),
                (4, true) => dynasm!(self.ops ; .arch x64 ; mov DWORD [r15 + rcx], eax),
                (_, false) => dynasm!(self.ops ; .arch x64 ; mov QWORD [r15 + rcx], Rq(r)),
                (_, true) => dynasm!(self.ops ; .arch x64 ; mov QWORD [r15 + rcx], rax),
            }
            dynasm!(self.ops ; .arch x64 ; =>resume);
        }
        self.cold.push(Cold::Store { slow, resume, code, val, save, pc: self.pc, flags: self.flags, k });
    }

    // ------------------------------------------------------------------ helpers

    fn call_helper(&mut self, k: usize, helper: u32, args: &[Val], ret: Option<Val>, flags: HelperFlags) {
        // The helper sees the guest registers it may read or (partly) write in the state; a
        // raise needs nothing here (its exit path writes every register back).
        self.sync_globals_where(|off, size| flags.may_read(off, size) || flags.may_write(off, size));
        for (i, &a) in args.iter().enumerate() {
            let r = self.reg_or(a, RAX);
            let d = ARGS_OFF + 8 * i as i32;
            dynasm!(self.ops ; .arch x64 ; mov QWORD [rsp + d], Rq(r));
        }
        let except: Vec<Val> = ret.into_iter().collect();
        let except = if flags.may_raise { self.dead_across_fault(&except) } else { except };
        let save = self.a.caller_saved_live_at(k, &except);
        self.save_regs(save);
        let ctxp = self.t.ctx;
        let direct = self.t.direct.get(helper as usize).copied().flatten().filter(|_| args.len() <= 4);
        if let Some(f) = direct {
            // f(ctx, cpu, a0, a1, a2, a3): the arguments from their frame slots.
            for (i, reg) in [RDX, RCX, 8u8, 9u8].into_iter().enumerate().take(args.len()) {
                let d = ARGS_OFF + 8 * i as i32;
                dynasm!(self.ops ; .arch x64 ; mov Rq(reg), QWORD [rsp + d]);
            }
            dynasm!(self.ops ; .arch x64 ; mov edi, ctxp ; mov rsi, rbp);
            self.call_abs(f);
        } else {
            dynasm!(self.ops ; .arch x64
                ; mov edi, ctxp
                ; mov esi, helper as i32
                ; lea rdx, [rsp + ARGS_OFF]
                ; mov ecx, args.len() as i32
            );
            self.call_abs(ctx::helper_thunk as *const () as usize);
        }
        self.restore_regs(save);
        self.load_globals_where(|off, size| flags.may_write(off, size));
        // A raise is taken before the result is stored: the exit writes back the guest
        // registers as they were before the instruction.
        if flags.may_raise {
            let l = self.ops.new_dynamic_label();
            let rs = cx!(self.t, raised);
            dynasm!(self.ops ; .arch x64
                ; cmp BYTE [rs], 0
                ; jne =>l
            );
            self.cold.push(Cold::Raised { label: l, kind: exit::RAISE, pc: self.pc, flags: self.flags, k });
        }
        if let Some(r) = ret {
            self.store(r, RAX);
        }
    }

    /// Of `defs`, the values whose old contents nothing needs if the op faults or raises:
    /// temporaries. A guest register's old value is what the exit path writes back.
    fn dead_across_fault(&self, defs: &[Val]) -> Vec<Val> {
        defs.iter().copied().filter(|&v| !matches!(self.b.vals[v.0 as usize].kind, ValKind::Global { .. })).collect()
    }

    // ------------------------------------------------------------------ cold code

    fn emit_cold(&mut self, block_id: u64) {
        // Cold code may queue more cold code (an outlined load's slow path).
        while !self.cold.is_empty() {
            let cold = std::mem::take(&mut self.cold);
            for c in cold {
                self.emit_cold_one(c, block_id);
            }
        }
        for (set, l) in std::mem::take(&mut self.sync_exits) {
            dynasm!(self.ops ; .arch x64 ; =>l);
            for i in 0..self.a.globals.len().min(64) {
                if set & (1 << i) != 0 {
                    let g = self.a.globals[i];
                    self.store_state(g.off as i32, g.size, g.reg);
                }
            }
            let ep = self.t.epilogue;
            dynasm!(self.ops ; .arch x64 ; jmp extern ep);
        }
    }

    fn emit_cold_one(&mut self, c: Cold, block_id: u64) {
        {
            match c {
                Cold::Ops { label, from, to, pc, flags } => {
                    self.aligned.clear();
                    dynasm!(self.ops ; .arch x64 ; =>label);
                    self.pc = pc;
                    self.flags = flags;
                    for k in from..=to {
                        self.op(k);
                    }
                }
                Cold::Load { slow, resume, code, dst, save, pc, flags, k } => {
                    self.cur = k;
                    dynasm!(self.ops ; .arch x64 ; =>slow);
                    self.save_regs(save);
                    let ctxp = self.t.ctx;
                    dynasm!(self.ops ; .arch x64 ; mov edi, ctxp ; mov rsi, rcx ; mov edx, code as i32);
                    self.call_abs(ctx::load_slow as *const () as usize);
                    self.restore_regs(save);
                    let fault = self.ops.new_dynamic_label();
                    let rs = cx!(self.t, raised);
                    dynasm!(self.ops ; .arch x64
                        ; cmp BYTE [rs], 0
                        ; jne =>fault
                    );
                    self.store(dst, RAX);
                    dynasm!(self.ops ; .arch x64
                        ; jmp =>resume
                        ; =>fault
                    );
                    self.exit_at_insn(exit::FAULT, pc, flags);
                }
                Cold::Store { slow, resume, code, val, save, pc, flags, k } => {
                    self.cur = k;
                    dynasm!(self.ops ; .arch x64 ; =>slow);
                    self.save_regs(save);
                    // The value first: it may live in rsi or rdi, which the arguments take.
                    self.load(RDX, val);
                    let ctxp = self.t.ctx;
                    dynasm!(self.ops ; .arch x64 ; mov rsi, rcx ; mov edi, ctxp ; mov ecx, code as i32);
                    self.call_abs(ctx::store_slow as *const () as usize);
                    self.restore_regs(save);
                    let fault = self.ops.new_dynamic_label();
                    let rs = cx!(self.t, raised);
                    dynasm!(self.ops ; .arch x64
                        ; cmp BYTE [rs], 0
                        ; jne =>fault
                        ; jmp =>resume
                        ; =>fault
                    );
                    self.exit_at_insn(exit::FAULT, pc, flags);
                }
                Cold::Raised { label, kind, pc, flags, k } => {
                    self.cur = k;
                    dynasm!(self.ops ; .arch x64 ; =>label);
                    self.exit_at_insn(kind, pc, flags);
                }
                Cold::Goto { stub, site, pc } => {
                    dynasm!(self.ops ; .arch x64 ; =>stub);
                    self.write_pc_imm(pc);
                    let slot = self.gotos[site].0.slot;
                    let (blk_at, slot_at) = (cx!(self.t, block), cx!(self.t, slot));
                    dynasm!(self.ops ; .arch x64
                        ; mov QWORD [blk_at], block_id as i32
                        ; mov QWORD [slot_at], slot as i32
                    );
                    self.exit_with(exit::GOTO);
                }
                Cold::Request { label, pc } => {
                    dynasm!(self.ops ; .arch x64 ; =>label);
                    self.write_pc_imm(pc);
                    self.exit_with(exit::REQUEST);
                }
                Cold::LoopRequest { label, pc } => {
                    dynasm!(self.ops ; .arch x64 ; =>label);
                    self.cur = self.b.ops.len();
                    self.sync_globals();
                    self.write_pc_imm(pc);
                    self.exit_with(exit::REQUEST);
                }
            }
        }
    }
}
