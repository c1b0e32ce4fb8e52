//! Instruction selection: one IR op (or a fused pair) at a time. Fuses a mask with the zero
//! test of the next branch (`test`), an alignment check with the access it guards (its
//! raise happens in the access's slow path) and a quotient with its remainder (one `div`),
//! moves a branch's raise-only path out of line, and dispatches every op to its emitter: moves,
//! state accesses, control flow and block exits here; arithmetic in `alu`, guest memory in
//! `memory`, helper calls in `helper_call`.
//!
//! Must not emit guest memory access sequences or the helper-call protocol itself.

use super::{Cold, Em, GotoSite, Opnd};
use crate::ir::{BinOp, Cond, Exit, Op, Ty, Val};
use crate::jit::ctx::{exit, JitCtx};
use crate::jit::regalloc::{Loc, RAX, RCX, RDX};
use dynasmrt::{dynasm, DynamicLabel, DynasmApi, DynasmLabelApi};
use std::mem::offset_of;

impl Em<'_> {
    /// Emit the op at `k` (with what it fuses with); returns the index of the next op.
    pub(super) fn step(&mut self, k: usize) -> usize {
        if let Some(next) = self.fused_alignment(k) {
            return next;
        }
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

    /// An alignment check of the next access, `extract t, A, 0, n; brcond t == 0, L;
    /// [zero-extend T, A;] raise K, T (or A); L: load or store of 2^n bytes at A`: a `test`
    /// whose `jne` goes to the access's slow path, which raises K with the address (see
    /// `jit::slow_site`). Returns the index of the label when it fused.
    fn fused_alignment(&mut self, k: usize) -> Option<usize> {
        let ops = &self.b.ops;
        let Op::Extract { dst: t, src: a, ofs: 0, len, signed: false } = ops[k] else { return None };
        if !(1..=3).contains(&len) || self.uses[t.0 as usize] != 1 {
            return None;
        }
        let Some(&Op::Brcond { cond: Cond::Eq, a: ca, b: cb, label }) = ops.get(k + 1) else { return None };
        if ca != t || self.b.const_of(cb) != Some(0) {
            return None;
        }
        let target = self.label_at[label.0 as usize];
        if target == usize::MAX || target <= k + 1 {
            return None;
        }
        let width = if self.w64(a) { 64 } else { 32 };
        let code = match &ops[k + 2..target] {
            [Op::Raise { code, arg }] if *arg == a => *code,
            [Op::Ext { dst, src, bits, signed: false }, Op::Raise { code, arg }]
                if *src == a && arg == dst && u32::from(*bits) >= width && self.uses[dst.0 as usize] == 1 =>
            {
                *code
            }
            _ => return None,
        };
        match ops.get(target + 1) {
            Some(Op::Load { addr, mem, .. } | Op::Store { addr, mem, .. })
                if *addr == a && u32::from(mem.size) == 1 << len => {}
            _ => return None,
        }
        self.cur = k;
        let mask = (1i32 << len) - 1;
        // The register the access's slow path takes the address from (see `memory`), which
        // must hold it when the check jumps there.
        let r = match self.reg_of(a) {
            Some(r) if !(self.w64(a) || self.t.all_slow || self.t.softmmu) => r,
            _ => {
                self.load(RCX, a);
                RCX
            }
        };
        if self.w64(a) {
            dynasm!(self.ops ; .arch x64 ; test Rq(r), mask);
        } else {
            dynasm!(self.ops ; .arch x64 ; test Rd(r), mask);
        }
        let slow = self.ops.new_dynamic_label();
        self.jcc(Cond::Ne, slow);
        self.fused_align = Some((slow, code, target + 1));
        self.keep_facts_at = target;
        *self.aligned.entry(a).or_insert(0) |= mask;
        Some(target)
    }

    /// The op at `k` as `(source, mask, destination)` when it only masks bits (below bit 31:
    /// `test`'s immediate is sign-extended).
    fn test_operands(&self, k: usize) -> Option<(Val, i32, Val)> {
        match &self.b.ops[k] {
            Op::Extract { dst, src, ofs, len, signed: false } if u32::from(*ofs) + u32::from(*len) < 32 => {
                Some((*src, (((1u32 << len) - 1) << ofs) as i32, *dst))
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
        if let Some(next) = self.two_way_exit(k, cond, label) {
            return next;
        }
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

    /// A block that ends `brcond L; goto_tb A; L: goto_tb B` (a conditional branch's two
    /// exits): the guest registers are written back before the jump (`mov` leaves the flags
    /// alone), and the taken exit is the conditional jump itself, patched like any `goto_tb`
    /// jump (its last four bytes are the displacement): one jump on either path, not two.
    /// Returns the index after the block when it applies.
    fn two_way_exit(&mut self, k: usize, cond: Cond, label: crate::ir::Label) -> Option<usize> {
        let ops = &self.b.ops;
        let (
            Some(Op::Exit(Exit::GotoTb { slot: s1, pc: p1, ctx: c1 })),
            Some(Op::Label(l)),
            Some(Op::Exit(Exit::GotoTb { slot: s2, pc: p2, ctx: c2 })),
        ) = (ops.get(k + 1), ops.get(k + 2), ops.get(k + 3))
        else {
            return None;
        };
        let self_loop = |pc: u64, ctx: u64| pc == self.b.pc && ctx == self.b.context && self.loop_head.is_some();
        let only_ref =
            ops.iter().filter(|o| matches!(o, Op::Br(x) | Op::Brcond { label: x, .. } if *x == label)).count() == 1;
        if *l != label || k + 4 != ops.len() || self_loop(*p1, *c1) || self_loop(*p2, *c2) || !only_ref {
            return None;
        }
        let ((s1, p1, c1), (s2, p2, c2)) = ((*s1, *p1, *c1), (*s2, *p2, *c2));
        self.cur = k + 1;
        self.sync_globals();
        let taken = self.ops.new_dynamic_label();
        self.jcc(cond, taken);
        self.goto_site(taken, s2, p2, c2);
        let fall = self.ops.new_dynamic_label();
        dynasm!(self.ops ; .arch x64 ; jmp =>fall);
        self.goto_site(fall, s1, p1, c1);
        let l = self.labels[label.0 as usize];
        dynasm!(self.ops ; .arch x64 ; =>l);
        Some(k + 4)
    }

    /// Record the `goto_tb` jump just emitted (to `stub`, its unchained exit; its last four
    /// bytes are the displacement the JIT patches) and queue that stub.
    fn goto_site(&mut self, stub: DynamicLabel, slot: u8, pc: u64, ctx: u64) {
        let disp_off = self.ops.offset().0 - 4;
        let site = self.gotos.len();
        self.gotos.push((GotoSite { slot, disp_off, stub_off: 0, target_pc: pc, target_ctx: ctx }, stub));
        self.cold.push(Cold::Goto { stub, site, pc });
    }

    pub(super) fn op(&mut self, k: usize) {
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
            Op::Call(c) => {
                let (helper, args, ret, flags) = (c.helper, c.args.clone(), c.ret, c.flags);
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
            Op::Exit(Exit::GotoTb { pc, ctx, .. })
                if *pc == self.b.pc && *ctx == self.b.context && self.loop_head.is_some() =>
            {
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
                    Exit::GotoTb { slot, pc, ctx } => {
                        let stub = self.ops.new_dynamic_label();
                        dynasm!(self.ops ; .arch x64 ; jmp =>stub);
                        self.goto_site(stub, slot, pc, ctx);
                    }
                    // The indirect-jump table holds blocks of context 0 only (see
                    // `Jit::set_lookup`): other contexts ask the dispatcher.
                    Exit::LookupAndGoto { ctx: 0 } => self.lookup_and_goto(),
                    Exit::LookupAndGoto { .. } => self.exit_with(exit::LOOKUP),
                    Exit::ExitTb => self.exit_with(exit::EXIT),
                }
            }
        }
    }
}
