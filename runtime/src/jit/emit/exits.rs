//! Block entry and the exits to the dispatcher: the exit-request check at entry, the jump to
//! the trampoline's epilogue with an exit kind, writing the next guest PC, the inline lookup
//! table probe of an indirect jump, and the exit of an instruction that raises or faults
//! (its PC and flags stored, its guest registers written back through a shared path).
//!
//! Must not select instructions or touch guest memory; the out-of-line code these exits
//! queue is emitted by `cold`.

use super::{Cold, Em};
use crate::ir::{Op, Val, ValKind};
use crate::jit::ctx::{self, exit, JitCtx};
use crate::jit::regalloc::RAX;
use dynasmrt::{dynasm, DynasmApi, DynasmLabelApi};
use std::mem::offset_of;

impl Em<'_> {
    pub(super) fn exit_with(&mut self, kind: u64) {
        let ep = self.t.epilogue;
        dynasm!(self.ops ; .arch x64 ; mov eax, kind as i32 ; jmp extern ep);
    }

    pub(super) fn prologue(&mut self) {
        let req = self.ops.new_dynamic_label();
        let er = cx!(self.t, exit_request);
        dynasm!(self.ops ; .arch x64
            ; cmp BYTE [er], 0
            ; jne =>req
        );
        self.body_off = self.ops.offset().0;
        self.cold.push(Cold::Request { label: req, pc: self.b.pc });
        self.load_globals(true);
        if let Some(h) = self.loop_head {
            dynasm!(self.ops ; .arch x64 ; =>h);
        }
    }

    pub(super) fn write_pc_imm(&mut self, pc: u64) {
        let off = self.t.pc_offset as i32;
        if self.t.pc_size == 8 {
            self.mov_imm(RAX, pc, true);
            dynasm!(self.ops ; .arch x64 ; mov QWORD [rbp + off], rax);
        } else {
            dynasm!(self.ops ; .arch x64 ; mov DWORD [rbp + off], pc as u32 as i32);
        }
    }

    /// Store the instruction PC/flags and leave with `kind` (RAISE or FAULT); `rcx` = ctx.
    pub(super) fn exit_at_insn(&mut self, kind: u64, pc: u64, flags: u32) {
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

    /// The inline probe of the indirect-jump table. The PC comes from the value the op before
    /// moved into it when there is one (a register, usually: no reload of the store just
    /// made), else from the state.
    pub(super) fn lookup_and_goto(&mut self) {
        let miss = self.ops.new_dynamic_label();
        let off = self.t.pc_offset as i32;
        let moved = match self.cur.checked_sub(1).map(|k| &self.b.ops[k]) {
            Some(&Op::Mov { dst, src }) => match self.b.vals[dst.0 as usize].kind {
                ValKind::Global { offset, .. } if offset == self.t.pc_offset => Some(src),
                _ => None,
            },
            _ => None,
        };
        if let Some(src) = moved {
            self.load(RAX, src);
        } else if self.t.pc_size == 8 {
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

    /// Of `defs`, the values whose old contents nothing needs if the op faults or raises:
    /// temporaries. A guest register's old value is what the exit path writes back.
    pub(super) fn dead_across_fault(&self, defs: &[Val]) -> Vec<Val> {
        defs.iter().copied().filter(|&v| !matches!(self.b.vals[v.0 as usize].kind, ValKind::Global { .. })).collect()
    }
}
