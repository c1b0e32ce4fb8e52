//! Instruction selection for arithmetic: integer ALU ops, shifts and rotates, division with
//! the IR's rules, bit-field extract and deposit, unary ops, compares and the condition-code
//! forms (`setcc`, `jcc`, `cmov`).
//!
//! Must not access guest memory, call out or leave the block: its only jumps are local ones
//! (division's special cases) and the conditional jump it is asked for.

use super::{Em, Opnd};
use crate::ir::{BinOp, Cond, UnOp, Val};
use crate::jit::regalloc::{RAX, RCX, RDX};
use dynasmrt::{dynasm, DynamicLabel, DynasmApi, DynasmLabelApi};

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

impl Em<'_> {
    /// `cmp a, b` in `a`'s width.
    pub(super) fn cmp(&mut self, a: Val, b: Val) {
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

    pub(super) fn setcc(&mut self, c: Cond) {
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

    pub(super) fn jcc(&mut self, c: Cond, l: DynamicLabel) {
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

    pub(super) fn cmov(&mut self, c: Cond, w64: bool, src: Opnd) {
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

    pub(super) fn bin(&mut self, op: BinOp, dst: Val, a: Val, b: Val) {
        let w64 = self.w64(dst);
        match op {
            BinOp::Divu | BinOp::Divs | BinOp::Remu | BinOp::Rems => return self.div(op, dst, a, b),
            BinOp::Shl | BinOp::Shr | BinOp::Sar | BinOp::Rotl | BinOp::Rotr => return self.shift(op, dst, a, b),
            _ => {}
        }
        let commutative = matches!(op, BinOp::Add | BinOp::Mul | BinOp::And | BinOp::Or | BinOp::Xor);
        let mut d = self.dst_reg(dst);
        if self.lea(op, d, a, b) {
            return self.store(dst, d);
        }
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

    /// `d = a + b` or `a - imm` as one `lea` when `a` is in another register and `b` is an
    /// immediate or a register: no copy of `a` into `d` first. (A 32-bit `lea` takes the low
    /// 32 bits of the sum, whatever the upper halves of its inputs hold.) Says whether it did.
    fn lea(&mut self, op: BinOp, d: u8, a: Val, b: Val) -> bool {
        let w64 = self.w64(a);
        let (a, b) = match (op, self.reg_of(a), self.reg_of(b)) {
            (BinOp::Add, None, Some(_)) => (b, a),
            _ => (a, b),
        };
        let Some(ra) = self.reg_of(a).filter(|&r| r != d) else { return false };
        match (op, self.opnd(b)) {
            (BinOp::Add, Some(Opnd::I(i))) => self.lea_disp(d, ra, i, w64),
            (BinOp::Sub, Some(Opnd::I(i))) if i != i32::MIN => self.lea_disp(d, ra, -i, w64),
            (BinOp::Add, Some(Opnd::R(rb))) if w64 => dynasm!(self.ops ; .arch x64 ; lea Rq(d), [Rq(ra) + Rq(rb)]),
            (BinOp::Add, Some(Opnd::R(rb))) => dynasm!(self.ops ; .arch x64 ; lea Rd(d), [Rq(ra) + Rq(rb)]),
            _ => return false,
        }
        true
    }

    fn lea_disp(&mut self, d: u8, ra: u8, disp: i32, w64: bool) {
        if w64 {
            dynasm!(self.ops ; .arch x64 ; lea Rq(d), [Rq(ra) + disp]);
        } else {
            dynasm!(self.ops ; .arch x64 ; lea Rd(d), [Rq(ra) + disp]);
        }
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
    pub(super) fn div_rem(&mut self, signed: bool, q: Val, r: Val, a: Val, b: Val) {
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

    pub(super) fn un(&mut self, op: UnOp, dst: Val, a: Val) {
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
    pub(super) fn extract(&mut self, dst: Val, src: Val, ofs: u8, len: u8, signed: bool) {
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

    pub(super) fn deposit(&mut self, dst: Val, base: Val, val: Val, ofs: u8, len: u8) {
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
}
