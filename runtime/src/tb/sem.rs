//! Spec semantics to IR: one function per operation of the spec language, on values of an
//! explicit bit width. Values are canonical: a `w`-bit value lives in the smallest IR type
//! (i32 up to 32 bits, i64 up to 64) with the bits above `w` zero. Generated lowering code
//! calls these; nothing here knows a guest architecture.

use crate::ir::{BinOp, Builder, Cond, MemOp, Ty, UnOp, Val};

/// A dynamic value and its width in bits.
pub type V = (Val, u32);

fn ones(w: u32) -> u64 {
    if w >= 64 {
        u64::MAX
    } else {
        (1u64 << w) - 1
    }
}

pub fn konst(b: &mut Builder, v: u64, w: u32) -> V {
    (b.konst(Ty::for_width(w), v & ones(w)), w)
}

/// Bring `x` to type `ty` (zero-extending or truncating).
fn to_ty(b: &mut Builder, x: V, ty: Ty) -> Val {
    if b.ty(x.0) == ty {
        x.0
    } else {
        b.ext(ty, x.0, x.1.min(ty.bits()), false)
    }
}

/// Mask the value to `w` bits if its type is wider.
fn canon(b: &mut Builder, v: Val, w: u32) -> V {
    (b.trunc(v, w), w)
}

/// Sign-extend a `w`-bit value to the full width of type `ty`.
fn sext_full(b: &mut Builder, x: V, ty: Ty) -> Val {
    if x.1 >= ty.bits() && b.ty(x.0) == ty {
        x.0
    } else {
        b.ext(ty, x.0, x.1, true)
    }
}

pub fn bin(b: &mut Builder, op: BinOp, x: V, y: V) -> V {
    let w = x.1;
    let ty = Ty::for_width(w);
    let (xa, ya) = (to_ty(b, x, ty), to_ty(b, y, ty));
    let r = b.bin(op, xa, ya);
    match op {
        BinOp::And | BinOp::Or | BinOp::Xor => (r, w),
        _ => canon(b, r, w),
    }
}

pub fn add(b: &mut Builder, x: V, y: V) -> V {
    bin(b, BinOp::Add, x, y)
}
pub fn sub(b: &mut Builder, x: V, y: V) -> V {
    bin(b, BinOp::Sub, x, y)
}
pub fn mul(b: &mut Builder, x: V, y: V) -> V {
    bin(b, BinOp::Mul, x, y)
}
pub fn and(b: &mut Builder, x: V, y: V) -> V {
    bin(b, BinOp::And, x, y)
}
pub fn or(b: &mut Builder, x: V, y: V) -> V {
    bin(b, BinOp::Or, x, y)
}
pub fn xor(b: &mut Builder, x: V, y: V) -> V {
    bin(b, BinOp::Xor, x, y)
}

/// Shift amount as a value of type `ty`, and whether it may reach `w`.
fn amount(b: &mut Builder, n: V, ty: Ty, w: u32) -> (Val, bool) {
    let may_overflow = n.1 >= 64 || (1u64 << n.1) > w as u64;
    (to_ty(b, n, ty), may_overflow)
}

/// `x << n`; shifting by the width or more gives 0.
pub fn shl(b: &mut Builder, x: V, n: V) -> V {
    let w = x.1;
    let ty = Ty::for_width(w);
    let (amt, over) = amount(b, n, ty, w);
    let r = b.bin(BinOp::Shl, x.0, amt);
    let r = canon(b, r, w).0;
    if over {
        let lim = b.konst(ty, w as u64);
        let zero = b.konst(ty, 0);
        (b.movcond(Cond::Geu, amt, lim, zero, r), w)
    } else {
        (r, w)
    }
}

/// `x >> n` (logical); shifting by the width or more gives 0.
pub fn shr(b: &mut Builder, x: V, n: V) -> V {
    let w = x.1;
    let ty = Ty::for_width(w);
    let (amt, over) = amount(b, n, ty, w);
    let r = b.bin(BinOp::Shr, x.0, amt);
    if over {
        let lim = b.konst(ty, w as u64);
        let zero = b.konst(ty, 0);
        (b.movcond(Cond::Geu, amt, lim, zero, r), w)
    } else {
        (r, w)
    }
}

/// `x >>> n` (arithmetic); shifting by the width or more gives all sign bits.
pub fn sar(b: &mut Builder, x: V, n: V) -> V {
    let w = x.1;
    let ty = Ty::for_width(w);
    let (amt, over) = amount(b, n, ty, w);
    let s = sext_full(b, x, ty);
    let amt = if over {
        let lim = b.konst(ty, w as u64 - 1);
        b.movcond(Cond::Gtu, amt, lim, lim, amt)
    } else {
        amt
    };
    let r = b.bin(BinOp::Sar, s, amt);
    canon(b, r, w)
}

pub fn rotl(b: &mut Builder, x: V, n: V) -> V {
    rot(b, x, n, true)
}
pub fn rotr(b: &mut Builder, x: V, n: V) -> V {
    rot(b, x, n, false)
}

fn rot(b: &mut Builder, x: V, n: V, left: bool) -> V {
    let w = x.1;
    let ty = Ty::for_width(w);
    let amt = to_ty(b, n, ty);
    if w == ty.bits() {
        return (b.bin(if left { BinOp::Rotl } else { BinOp::Rotr }, x.0, amt), w);
    }
    // (x << k) | (x >> (w - k)) with k the left-rotation amount modulo w.
    let wk = b.konst(ty, w as u64);
    let k = b.bin(BinOp::Remu, amt, wk);
    let k = if left { k } else { b.bin(BinOp::Sub, wk, k) };
    let k = b.bin(BinOp::Remu, k, wk);
    let l = b.bin(BinOp::Shl, x.0, k);
    let rk = b.bin(BinOp::Sub, wk, k);
    let r = b.bin(BinOp::Shr, x.0, rk);
    let zero = b.konst(ty, 0);
    let r = b.movcond(Cond::Eq, k, zero, zero, r);
    let o = b.bin(BinOp::Or, l, r);
    canon(b, o, w)
}

/// `x ++ y`: x in the high bits.
pub fn concat(b: &mut Builder, x: V, y: V) -> V {
    let w = x.1 + y.1;
    let ty = Ty::for_width(w);
    let xa = to_ty(b, x, ty);
    let ya = to_ty(b, y, ty);
    let sh = b.konst(ty, y.1 as u64);
    let hi = b.bin(BinOp::Shl, xa, sh);
    (b.bin(BinOp::Or, hi, ya), w)
}

pub fn neg(b: &mut Builder, x: V) -> V {
    let r = b.un(UnOp::Neg, x.0);
    canon(b, r, x.1)
}

pub fn not(b: &mut Builder, x: V) -> V {
    let ty = b.ty(x.0);
    let m = b.konst(ty, ones(x.1));
    (b.bin(BinOp::Xor, x.0, m), x.1)
}

/// Compare two `w`-bit values; the result is 1 bit.
pub fn cmp(b: &mut Builder, cond: Cond, x: V, y: V) -> V {
    let w = x.1;
    let ty = Ty::for_width(w);
    let signed = matches!(cond, Cond::Lt | Cond::Le | Cond::Gt | Cond::Ge);
    let (xa, ya) = if signed { (sext_full(b, x, ty), sext_full(b, y, ty)) } else { (to_ty(b, x, ty), to_ty(b, y, ty)) };
    (b.setcond(cond, xa, ya), 1)
}

/// Branch to `l` unless `x cond y` (compared as [`cmp`] compares): the branch of an `if`
/// whose condition is a comparison, without materializing the 0/1 flag.
pub fn branch_unless(b: &mut Builder, cond: Cond, x: V, y: V, l: crate::ir::Label) {
    let ty = Ty::for_width(x.1);
    let signed = matches!(cond, Cond::Lt | Cond::Le | Cond::Gt | Cond::Ge);
    let (xa, ya) = if signed { (sext_full(b, x, ty), sext_full(b, y, ty)) } else { (to_ty(b, x, ty), to_ty(b, y, ty)) };
    b.brcond(cond.invert(), xa, ya, l);
}

/// `c ? t : f` for a 1-bit `c`.
pub fn select(b: &mut Builder, c: V, t: V, f: V) -> V {
    let ty = Ty::for_width(t.1);
    // `c ? 1 : 0` is `c` itself (a 1-bit value is 0 or 1), `c ? 0 : 1` its complement.
    match (b.block.const_of(t.0), b.block.const_of(f.0)) {
        (Some(1), Some(0)) => return (to_ty(b, c, ty), t.1),
        (Some(0), Some(1)) => {
            let one = b.konst(b.ty(c.0), 1);
            let n = b.bin(BinOp::Xor, c.0, one);
            return (to_ty(b, (n, 1), ty), t.1);
        }
        _ => {}
    }
    let (ta, fa) = (to_ty(b, t, ty), to_ty(b, f, ty));
    let cty = b.ty(c.0);
    let zero = b.konst(cty, 0);
    (b.movcond(Cond::Ne, c.0, zero, ta, fa), t.1)
}

/// Bit `i` of `x` (run-time index).
pub fn bit(b: &mut Builder, x: V, i: V) -> V {
    let ty = b.ty(x.0);
    let amt = to_ty(b, i, ty);
    let s = b.bin(BinOp::Shr, x.0, amt);
    let r = b.extract(s, 0, 1, false);
    (to_ty(b, (r, 1), Ty::I32), 1)
}

/// `x[hi:lo]`.
pub fn slice(b: &mut Builder, x: V, hi: u32, lo: u32) -> V {
    let len = hi - lo + 1;
    let r = b.extract(x.0, lo, len, false);
    let ty = Ty::for_width(len);
    (to_ty(b, (r, len), ty), len)
}

pub fn zext(b: &mut Builder, x: V, w: u32) -> V {
    (to_ty(b, x, Ty::for_width(w)), w)
}

pub fn sext(b: &mut Builder, x: V, w: u32) -> V {
    let ty = Ty::for_width(w);
    if x.1 == w {
        return (to_ty(b, x, ty), w);
    }
    let r = b.ext(ty, x.0, x.1, true);
    canon(b, r, w)
}

/// Signed overflow of `x + y` (1 bit).
pub fn add_overflow(b: &mut Builder, x: V, y: V) -> V {
    let s = add(b, x, y);
    let a = xor(b, s, x);
    let c = xor(b, s, y);
    let t = and(b, a, c);
    slice(b, t, x.1 - 1, x.1 - 1)
}

/// Signed overflow of `x - y` (1 bit).
pub fn sub_overflow(b: &mut Builder, x: V, y: V) -> V {
    let s = sub(b, x, y);
    let a = xor(b, s, x);
    let c = xor(b, x, y);
    let t = and(b, a, c);
    slice(b, t, x.1 - 1, x.1 - 1)
}

/// Unsigned carry out of `x + y`.
pub fn carry(b: &mut Builder, x: V, y: V) -> V {
    let s = add(b, x, y);
    cmp(b, Cond::Ltu, s, x)
}

/// Unsigned borrow of `x - y`.
pub fn borrow(b: &mut Builder, x: V, y: V) -> V {
    cmp(b, Cond::Ltu, x, y)
}

pub fn clz(b: &mut Builder, x: V) -> V {
    let ty = b.ty(x.0);
    let r = b.un(UnOp::Clz, x.0);
    let extra = ty.bits() - x.1;
    if extra == 0 {
        return (r, x.1);
    }
    let k = b.konst(ty, extra as u64);
    (b.bin(BinOp::Sub, r, k), x.1)
}

pub fn clo(b: &mut Builder, x: V) -> V {
    let n = not(b, x);
    clz(b, n)
}

pub fn ctz(b: &mut Builder, x: V) -> V {
    let ty = b.ty(x.0);
    let r = b.un(UnOp::Ctz, x.0);
    let w = b.konst(ty, x.1 as u64);
    let r = b.movcond(Cond::Gtu, r, w, w, r);
    (r, x.1)
}

pub fn popcount(b: &mut Builder, x: V) -> V {
    (b.un(UnOp::Ctpop, x.0), x.1)
}

/// Reverse the bytes of a 16-, 32- or 64-bit value.
pub fn bswap(b: &mut Builder, x: V) -> V {
    let ty = b.ty(x.0);
    let r = b.un(UnOp::Bswap, x.0);
    if x.1 == ty.bits() {
        return (r, x.1);
    }
    let k = b.konst(ty, (ty.bits() - x.1) as u64);
    (b.bin(BinOp::Shr, r, k), x.1)
}

/// Reverse the bits.
pub fn bitrev(b: &mut Builder, x: V) -> V {
    let mut acc = konst(b, 0, x.1);
    for i in 0..x.1 {
        let bi = slice(b, x, i, i);
        let bi = zext(b, bi, x.1);
        let sh = konst(b, (x.1 - 1 - i) as u64, 8);
        let m = shl(b, bi, sh);
        acc = or(b, acc, m);
    }
    acc
}

/// Full product of two `w`-bit values (`2w` bits, at most 64).
pub fn mul_wide(b: &mut Builder, x: V, y: V, signed: bool) -> V {
    let w = x.1;
    assert!(2 * w <= 64, "mul_wide of {w}-bit values needs 128-bit IR values");
    let (xa, ya) = if signed {
        (b.ext(Ty::I64, x.0, w, true), b.ext(Ty::I64, y.0, w, true))
    } else {
        (to_ty(b, x, Ty::I64), to_ty(b, y, Ty::I64))
    };
    let r = b.bin(BinOp::Mul, xa, ya);
    canon(b, r, 2 * w)
}

/// Division and remainder of `w`-bit values (IR conventions for zero divisors).
pub fn div(b: &mut Builder, op: BinOp, x: V, y: V) -> V {
    let w = x.1;
    let ty = Ty::for_width(w);
    let signed = matches!(op, BinOp::Divs | BinOp::Rems);
    let (xa, ya) = if signed { (sext_full(b, x, ty), sext_full(b, y, ty)) } else { (to_ty(b, x, ty), to_ty(b, y, ty)) };
    let r = b.bin(op, xa, ya);
    canon(b, r, w)
}

pub fn minmax(b: &mut Builder, cond: Cond, x: V, y: V) -> V {
    let c = cmp(b, cond, x, y);
    select(b, c, x, y)
}

/// Bits `hi:lo` of a register (a register field).
pub fn field(b: &mut Builder, reg: V, hi: u32, lo: u32) -> V {
    slice(b, reg, hi, lo)
}

/// `reg` with bits `hi:lo` replaced by `v`.
pub fn set_field(b: &mut Builder, reg: V, hi: u32, lo: u32, v: V) -> V {
    let ty = b.ty(reg.0);
    let va = to_ty(b, v, ty);
    (b.deposit(reg.0, va, lo, hi - lo + 1), reg.1)
}

/// Guest load of `w` bits, zero-extended.
pub fn load(b: &mut Builder, w: u32, addr: V, big_endian: bool) -> V {
    let ty = Ty::for_width(w);
    (b.load(ty, addr.0, MemOp { size: (w / 8) as u8, signed: false, big_endian }), w)
}

/// Guest store of the low `w` bits of `v`.
pub fn store(b: &mut Builder, w: u32, addr: V, v: V, big_endian: bool) {
    let v = to_ty(b, v, Ty::for_width(w));
    b.store(v, addr.0, MemOp { size: (w / 8) as u8, signed: false, big_endian });
}

/// A run-time index into a register file of `slots` entries (a power of two: the state
/// struct pads a file to one), as an i32 that cannot leave the file: masked to `slots - 1`
/// unless its width already keeps it below `slots`.
pub fn reg_index(b: &mut Builder, i: V, slots: u32) -> Val {
    debug_assert!(slots.is_power_of_two());
    let fits = i.1 < 32 && (1u64 << i.1) <= slots as u64;
    let i = if fits {
        i
    } else {
        let m = konst(b, (slots - 1) as u64, i.1);
        and(b, i, m)
    };
    to_ty(b, i, Ty::I32)
}

/// The value in the IR type of a `w`-bit register (for moves into globals and helper calls).
pub fn fit(b: &mut Builder, v: V, w: u32) -> Val {
    to_ty(b, v, Ty::for_width(w))
}
