//! MIPS FPU operations. FIRST CUT: host floating point with round-to-nearest and no
//! exception flags; exact IEEE 754 results in every rounding mode with FCSR flags come with
//! the soft-float implementation (issue 3). Register access honours Status.FR: with FR=0 an
//! odd single register is the high half of the even double register below it.

use super::mips::CpuState;

const STATUS_FR: u32 = 1 << 26;

fn fr(cpu: &CpuState) -> bool {
    cpu.status & STATUS_FR != 0
}

pub fn fpr_s(cpu: &CpuState, n: u8) -> u32 {
    let n = n as usize & 31;
    if fr(cpu) || n.is_multiple_of(2) {
        cpu.fpr[n] as u32
    } else {
        (cpu.fpr[n - 1] >> 32) as u32
    }
}

pub fn set_fpr_s(cpu: &mut CpuState, n: u8, v: u32) {
    let n = n as usize & 31;
    if fr(cpu) || n.is_multiple_of(2) {
        cpu.fpr[n] = (cpu.fpr[n] & 0xffff_ffff_0000_0000) | v as u64;
    } else {
        cpu.fpr[n - 1] = (cpu.fpr[n - 1] & 0xffff_ffff) | (v as u64) << 32;
    }
}

pub fn bin_s(_cpu: &mut CpuState, a: u32, b: u32, f: impl Fn(f32, f32) -> f32) -> u32 {
    f(f32::from_bits(a), f32::from_bits(b)).to_bits()
}
pub fn bin_d(_cpu: &mut CpuState, a: u64, b: u64, f: impl Fn(f64, f64) -> f64) -> u64 {
    f(f64::from_bits(a), f64::from_bits(b)).to_bits()
}
pub fn bin_ps(cpu: &mut CpuState, a: u64, b: u64, f: impl Fn(f32, f32) -> f32) -> u64 {
    let lo = bin_s(cpu, a as u32, b as u32, &f);
    let hi = bin_s(cpu, (a >> 32) as u32, (b >> 32) as u32, &f);
    (hi as u64) << 32 | lo as u64
}
pub fn un_s(_cpu: &mut CpuState, a: u32, f: impl Fn(f32) -> f32) -> u32 {
    f(f32::from_bits(a)).to_bits()
}
pub fn un_d(_cpu: &mut CpuState, a: u64, f: impl Fn(f64) -> f64) -> u64 {
    f(f64::from_bits(a)).to_bits()
}
/// `(a * b) ± c`, negated when `neg` (MIPS madd/msub/nmadd/nmsub round twice).
pub fn fma_s(_cpu: &mut CpuState, a: u32, b: u32, c: u32, sub: bool, neg: bool) -> u32 {
    let (a, b, c) = (f32::from_bits(a), f32::from_bits(b), f32::from_bits(c));
    let p = a * b;
    let r = if sub { p - c } else { p + c };
    (if neg { -r } else { r }).to_bits()
}
pub fn fma_d(_cpu: &mut CpuState, a: u64, b: u64, c: u64, sub: bool, neg: bool) -> u64 {
    let (a, b, c) = (f64::from_bits(a), f64::from_bits(b), f64::from_bits(c));
    let p = a * b;
    let r = if sub { p - c } else { p + c };
    (if neg { -r } else { r }).to_bits()
}
pub fn fma_ps(cpu: &mut CpuState, a: u64, b: u64, c: u64, sub: bool, neg: bool) -> u64 {
    let lo = fma_s(cpu, a as u32, b as u32, c as u32, sub, neg);
    let hi = fma_s(cpu, (a >> 32) as u32, (b >> 32) as u32, (c >> 32) as u32, sub, neg);
    (hi as u64) << 32 | lo as u64
}

/// c.cond.fmt: bit 0 "unordered", bit 1 "equal", bit 2 "less"; bit 3 signals on NaN.
pub fn cmp(_cpu: &mut CpuState, a: f64, b: f64, cond: u8) -> bool {
    let un = a.is_nan() || b.is_nan();
    (cond & 1 != 0 && un) || (cond & 2 != 0 && a == b) || (cond & 4 != 0 && a < b)
}

/// Convert to a `bits`-bit integer with rounding mode `rm` (0 nearest-even, 1 zero, 2 up,
/// 3 down); invalid or out-of-range gives the MIPS default (max positive).
pub fn to_int(_cpu: &mut CpuState, a: f64, rm: u8, bits: u32) -> u64 {
    let r = match rm & 3 {
        0 => a.round_ties_even(),
        1 => a.trunc(),
        2 => a.ceil(),
        _ => a.floor(),
    };
    let (lo, hi) = if bits == 32 { (i32::MIN as f64, i32::MAX as f64) } else { (i64::MIN as f64, i64::MAX as f64) };
    if r.is_nan() || r < lo || r > hi {
        return if bits == 32 { 0x7fff_ffff } else { 0x7fff_ffff_ffff_ffff };
    }
    if bits == 32 {
        r as i32 as u32 as u64
    } else {
        r as i64 as u64
    }
}
