//! Where IR values and guest registers live while a block runs, and the moves between those
//! places: operands of an instruction, loads into and stores from host registers, spill
//! slots and CPU-state fields, immediates; and the guest registers that `regalloc` keeps in
//! host registers (loaded at entry, written back before anything reads the state).
//!
//! Owns no instruction selection and no control flow; it must not emit branches, exits or
//! calls.

use super::{Em, Opnd};
use crate::ir::{Ty, Val};
use crate::jit::regalloc::{Loc, RAX, RBP, RSP};
use dynasmrt::{dynasm, DynasmApi};

impl Em<'_> {
    pub(super) fn loc(&self, v: Val) -> Loc {
        self.a.locs[v.0 as usize]
    }

    pub(super) fn ty(&self, v: Val) -> Ty {
        self.b.ty(v)
    }

    pub(super) fn w64(&self, v: Val) -> bool {
        self.ty(v) == Ty::I64
    }

    /// `v` as an operand of an instruction of `v`'s width, if it can be used directly.
    pub(super) fn opnd(&self, v: Val) -> Option<Opnd> {
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
    pub(super) fn opnd_or(&mut self, v: Val, scratch: u8) -> Opnd {
        match self.opnd(v) {
            Some(o) => o,
            None => {
                self.load(scratch, v);
                Opnd::R(scratch)
            }
        }
    }

    /// `v` in a register: its own, or `scratch` after loading.
    pub(super) fn reg_or(&mut self, v: Val, scratch: u8) -> u8 {
        match self.loc(v) {
            Loc::Reg(r) => r,
            _ => {
                self.load(scratch, v);
                scratch
            }
        }
    }

    /// Load `v` into register `r` (zero-extended to 64 bits for i32 values).
    pub(super) fn load(&mut self, r: u8, v: Val) {
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

    pub(super) fn store_state(&mut self, off: i32, size: u8, r: u8) {
        match size {
            1 => dynasm!(self.ops ; .arch x64 ; mov BYTE [rbp + off], Rb(r)),
            2 => dynasm!(self.ops ; .arch x64 ; mov WORD [rbp + off], Rw(r)),
            4 => dynasm!(self.ops ; .arch x64 ; mov DWORD [rbp + off], Rd(r)),
            _ => dynasm!(self.ops ; .arch x64 ; mov QWORD [rbp + off], Rq(r)),
        }
    }

    pub(super) fn mov_imm(&mut self, r: u8, c: u64, w64: bool) {
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
    pub(super) fn store(&mut self, v: Val, r: u8) {
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
    pub(super) fn dst_reg(&self, dst: Val) -> u8 {
        match self.loc(dst) {
            Loc::Reg(r) => r,
            _ => RAX,
        }
    }

    pub(super) fn reg_of(&self, v: Val) -> Option<u8> {
        match self.loc(v) {
            Loc::Reg(r) => Some(r),
            _ => None,
        }
    }

    // ------------------------------------------------------------------ globals

    /// Load the guest registers held in host registers (`entry`: only those whose first
    /// mention is not a write).
    pub(super) fn load_globals(&mut self, entry: bool) {
        for i in 0..self.a.globals.len() {
            let g = self.a.globals[i];
            if !entry || g.entry_load {
                self.load_state(g.reg, g.off as i32, g.size);
            }
        }
    }

    /// Write back every written guest register held in a host register (those first
    /// written without a load only once that write has happened).
    pub(super) fn sync_globals(&mut self) {
        self.sync_globals_where(|_, _| true);
    }

    /// The same for the guest registers whose state bytes `(offset, size)` satisfy `want`.
    pub(super) fn sync_globals_where(&mut self, want: impl Fn(u32, u32) -> bool) {
        for i in 0..self.a.globals.len() {
            let g = self.a.globals[i];
            if g.written && (g.entry_load || self.cur > g.def_at) && want(g.off, g.size as u32) {
                self.store_state(g.off as i32, g.size, g.reg);
            }
        }
    }

    /// The guest registers [`Self::sync_globals`] would write back here, as a bit set.
    pub(super) fn sync_set(&self) -> u64 {
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
    pub(super) fn load_globals_where(&mut self, want: impl Fn(u32, u32) -> bool) {
        for i in 0..self.a.globals.len() {
            let g = self.a.globals[i];
            if want(g.off, g.size as u32) {
                self.load_state(g.reg, g.off as i32, g.size);
            }
        }
    }
}
