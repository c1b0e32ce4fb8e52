//! The host FPU as a fast path for the common case of MIPS floating point: round to nearest,
//! no flush to zero, operands that are normal numbers or zeros, and results that are normal
//! numbers (or exact zeros). There the host's IEEE 754 arithmetic gives the same bits as
//! SoftFloat, and the only exception that can occur is Inexact, which is computed exactly
//! with error-free transformations (TwoSum for add/sub, a fused multiply-add for the error of
//! a product, quotient or square root). Everything else (NaN, infinity, denormal operands,
//! results that may overflow or be tiny, directed rounding, FS=1) answers `None` and goes to
//! SoftFloat in `ops`. Correct to the bit and the flag by construction; `tests.rs` checks it
//! against SoftFloat on edge cases and random operands.
//!
//! Owns only these computations; FCSR handling stays in `ops` and `mod.rs`.

use super::ops::{Arith, Fmt};

/// Whether `x` (of format `f`) is a normal number or a zero.
fn plain(f: Fmt, x: u64) -> bool {
    let (exp, frac) = match f {
        Fmt::S => ((x >> 23) & 0xff, x & 0x7f_ffff),
        Fmt::D => ((x >> 52) & 0x7ff, x & 0xf_ffff_ffff_ffff),
    };
    let max = if f == Fmt::S { 0xff } else { 0x7ff };
    exp != max && !(exp == 0 && frac != 0)
}

fn is_zero(f: Fmt, x: u64) -> bool {
    match f {
        Fmt::S => x & 0x7fff_ffff == 0,
        Fmt::D => x & 0x7fff_ffff_ffff_ffff == 0,
    }
}

/// Whether the magnitude of a result is safely normal: above the smallest normal (a result
/// equal to it may be a tiny value rounded up, which needs SoftFloat's underflow rules) and
/// finite.
fn safely_normal(f: Fmt, r: u64) -> bool {
    match f {
        Fmt::S => {
            let m = r & 0x7fff_ffff;
            m > 0x0080_0000 && m < 0x7f80_0000
        }
        Fmt::D => {
            let m = r & 0x7fff_ffff_ffff_ffff;
            m > 0x0010_0000_0000_0000 && m < 0x7ff0_0000_0000_0000
        }
    }
}

/// The biased exponent of a double.
fn exp64(x: u64) -> u64 {
    (x >> 52) & 0x7ff
}

/// A double large enough that the FMA-computed error of a product, quotient or square root
/// near it cannot fall below the subnormal range (where it would not be exact): the error
/// is a multiple of about 2^(e - 104), which must be at least 2^-1074.
fn error_exact(x: u64) -> bool {
    exp64(x) >= 128
}

/// Whether the host has FMA (the exact error of products and quotients needs it).
fn has_fma() -> bool {
    use std::sync::atomic::{AtomicU8, Ordering};
    static FMA: AtomicU8 = AtomicU8::new(0);
    match FMA.load(Ordering::Relaxed) {
        0 => {
            let yes = std::arch::is_x86_feature_detected!("fma");
            FMA.store(if yes { 1 } else { 2 }, Ordering::Relaxed);
            yes
        }
        v => v == 1,
    }
}

/// `a * b - c` with one rounding (FMA).
#[target_feature(enable = "fma")]
fn fms(a: f64, b: f64, c: f64) -> f64 {
    use std::arch::x86_64::*;
    _mm_cvtsd_f64(_mm_fmsub_sd(_mm_set_sd(a), _mm_set_sd(b), _mm_set_sd(c)))
}

/// The error of `s = a + b` (TwoSum): zero exactly when the sum is exact.
fn sum_error(a: f64, b: f64, s: f64) -> f64 {
    let bb = s - a;
    (a - (s - bb)) + (b - bb)
}

fn sum_error32(a: f32, b: f32, s: f32) -> f32 {
    let bb = s - a;
    (a - (s - bb)) + (b - bb)
}

/// `a op b` in round-to-nearest: the result bits and whether it is inexact, or `None` when
/// SoftFloat must decide. Always inlined: callers pass a constant format and operation.
#[inline(always)]
pub fn arith(f: Fmt, op: Arith, a: u64, b: u64) -> Option<(u64, bool)> {
    if !plain(f, a) || !plain(f, b) {
        return None;
    }
    let (za, zb) = (is_zero(f, a), is_zero(f, b));
    match f {
        Fmt::S => {
            let (x, y) = (f32::from_bits(a as u32), f32::from_bits(b as u32));
            let (r, inexact) = match op {
                Arith::Add | Arith::Sub => {
                    let y = if op == Arith::Sub { -y } else { y };
                    let s = x + y;
                    (s, sum_error32(x, y, s) != 0.0)
                }
                Arith::Mul => {
                    // The exact product of two singles fits in a double.
                    let p = x as f64 * y as f64;
                    let r = p as f32;
                    (r, r as f64 != p)
                }
                Arith::Div => {
                    if zb {
                        return None;
                    }
                    let q = x / y;
                    // q * y is exact in double: the quotient is exact iff it gives x back.
                    (q, q as f64 * y as f64 != x as f64)
                }
            };
            let bits = r.to_bits() as u64;
            let exact_zero = is_zero(f, bits) && !inexact && (matches!(op, Arith::Add | Arith::Sub) || za);
            (safely_normal(f, bits) || exact_zero).then_some((bits, inexact))
        }
        Fmt::D => {
            let (x, y) = (f64::from_bits(a), f64::from_bits(b));
            let (r, inexact) = match op {
                Arith::Add | Arith::Sub => {
                    let y = if op == Arith::Sub { -y } else { y };
                    let s = x + y;
                    (s, sum_error(x, y, s) != 0.0)
                }
                Arith::Mul => {
                    if !has_fma() {
                        return None;
                    }
                    let p = x * y;
                    if !(error_exact(p.to_bits()) || za || zb) {
                        return None;
                    }
                    // SAFETY: `has_fma` checked that the CPU has FMA.
                    (p, unsafe { fms(x, y, p) } != 0.0)
                }
                Arith::Div => {
                    if zb || !has_fma() || !(error_exact(a) || za) {
                        return None;
                    }
                    let q = x / y;
                    // The remainder x - q*y is exact for a normal quotient: zero iff exact.
                    // SAFETY: `has_fma` checked that the CPU has FMA.
                    (q, unsafe { fms(q, y, x) } != 0.0)
                }
            };
            let bits = r.to_bits();
            let exact_zero = is_zero(f, bits) && !inexact && (matches!(op, Arith::Add | Arith::Sub) || za);
            (safely_normal(f, bits) || exact_zero).then_some((bits, inexact))
        }
    }
}

/// The square root in round-to-nearest, or `None` when SoftFloat must decide.
pub fn sqrt(f: Fmt, a: u64) -> Option<(u64, bool)> {
    if !plain(f, a) || is_zero(f, a) || a >> (if f == Fmt::S { 31 } else { 63 }) & 1 != 0 {
        return None;
    }
    match f {
        Fmt::S => {
            let x = f32::from_bits(a as u32);
            let r = x.sqrt();
            // r * r is exact in double.
            let inexact = r as f64 * r as f64 != x as f64;
            let bits = r.to_bits() as u64;
            safely_normal(f, bits).then_some((bits, inexact))
        }
        Fmt::D => {
            if !has_fma() || !error_exact(a) {
                return None;
            }
            let x = f64::from_bits(a);
            let r = x.sqrt();
            // SAFETY: `has_fma` checked that the CPU has FMA.
            let inexact = unsafe { fms(r, r, x) } != 0.0;
            let bits = r.to_bits();
            safely_normal(f, bits).then_some((bits, inexact))
        }
    }
}

/// cvt.d.s / cvt.s.d in round-to-nearest, or `None` when SoftFloat must decide.
pub fn convert(from: Fmt, to: Fmt, a: u64) -> Option<(u64, bool)> {
    if !plain(from, a) {
        return None;
    }
    match (from, to) {
        // Every single is exactly a double.
        (Fmt::S, Fmt::D) => Some(((f32::from_bits(a as u32) as f64).to_bits(), false)),
        (Fmt::D, Fmt::S) => {
            let x = f64::from_bits(a);
            let r = x as f32;
            let bits = r.to_bits() as u64;
            let inexact = r as f64 != x;
            (safely_normal(Fmt::S, bits) || (is_zero(Fmt::D, a) && !inexact)).then_some((bits, inexact))
        }
        _ => Some((a, false)),
    }
}

/// cvt.fmt.w / cvt.fmt.l in round-to-nearest (`v` already sign-extended).
pub fn from_int(to: Fmt, v: i64) -> (u64, bool) {
    match to {
        Fmt::S => {
            let r = v as f32;
            (r.to_bits() as u64, r as f64 as i128 != v as i128)
        }
        Fmt::D => {
            let r = v as f64;
            (r.to_bits(), r as i128 != v as i128)
        }
    }
}

/// cvt/round/trunc/ceil/floor to a 32-bit integer with rounding mode `rm` (0 nearest even,
/// 1 toward zero, 2 up, 3 down) for values well inside the range, or `None`.
pub fn to_int32(from: Fmt, a: u64, rm: u8) -> Option<(u64, bool)> {
    if !plain(from, a) {
        return None;
    }
    let x = match from {
        Fmt::S => f32::from_bits(a as u32) as f64,
        Fmt::D => f64::from_bits(a),
    };
    if !(x > -2147483648.0 && x < 2147483647.0) {
        return None;
    }
    let r = match rm & 3 {
        0 => x.round_ties_even(),
        1 => x.trunc(),
        2 => x.ceil(),
        _ => x.floor(),
    };
    if !(-2147483648.0..=2147483647.0).contains(&r) {
        return None;
    }
    Some((r as i32 as u32 as u64, r != x))
}
