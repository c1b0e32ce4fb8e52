//! Unit tests of the FPU against independent oracles: the host CPU's IEEE arithmetic for
//! round-to-nearest (computed here at test time, on pseudo-random and edge operands), and
//! known IEEE 754 / MIPS facts for the other rounding modes, flags, NaNs and flush to zero.

use super::ops::{Arith, Fmt, Op};
use super::*;

const I: u8 = CAUSE_I;
const U: u8 = CAUSE_U;
const O: u8 = CAUSE_O;
const Z: u8 = CAUSE_Z;
const V: u8 = CAUSE_V;

/// xorshift64*: deterministic operands.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    /// Mostly ordinary values, some near the exponent extremes.
    fn f64_bits(&mut self) -> u64 {
        let r = self.next();
        match r % 8 {
            0 => r & 0x800f_ffff_ffff_ffff | 0x0010_0000_0000_0000, // near the smallest normal
            1 => r & 0x800f_ffff_ffff_ffff,                         // denormal
            2 => (r | 0x7fe0_0000_0000_0000) & !(1 << 52),          // near the largest
            _ => r & 0xbfff_ffff_ffff_ffff | 0x3000_0000_0000_0000,
        }
    }
    fn f32_bits(&mut self) -> u32 {
        let r = self.next() as u32;
        match r % 8 {
            0 => r & 0x807f_ffff | 0x0080_0000,
            1 => r & 0x807f_ffff,
            2 => (r | 0x7f00_0000) & !(1 << 23),
            _ => r & 0xbfff_ffff | 0x3000_0000,
        }
    }
}

fn op(rm: u8) -> Op {
    Op::new(rm, false)
}

#[test]
fn nearest_matches_host_double() {
    let mut rng = Rng(0x1234_5678_9abc_def1);
    for _ in 0..20_000 {
        let (a, b, c) = (rng.f64_bits(), rng.f64_bits(), rng.f64_bits());
        let (x, y, z) = (f64::from_bits(a), f64::from_bits(b), f64::from_bits(c));
        let host = [x + y, x - y, x * y, x / y];
        for (k, kind) in [Arith::Add, Arith::Sub, Arith::Mul, Arith::Div].into_iter().enumerate() {
            let r = op(0).arith(Fmt::D, kind, a, b);
            if host[k].is_nan() {
                assert_eq!(r, Fmt::D.default_nan(), "{kind:?} {a:#x} {b:#x}");
            } else {
                assert_eq!(r, host[k].to_bits(), "{kind:?} {a:#x} {b:#x}");
            }
        }
        let s = op(0).sqrt(Fmt::D, a);
        if x < 0.0 {
            assert_eq!(s, Fmt::D.default_nan());
        } else {
            assert_eq!(s, x.sqrt().to_bits(), "sqrt {a:#x}");
        }
        // madd rounds the product, then the sum (not fused).
        let m = op(0).madd(Fmt::D, a, b, c, false, false);
        let hm = x * y + z;
        if !hm.is_nan() {
            assert_eq!(m, hm.to_bits(), "madd {a:#x} {b:#x} {c:#x}");
        }
        assert_eq!(op(0).convert(Fmt::D, Fmt::S, a), (x as f32).to_bits() as u64, "cvt.s.d {a:#x}");
        let ll = rng.next();
        assert_eq!(op(0).from_int(Fmt::D, ll, true), (ll as i64 as f64).to_bits());
        assert_eq!(op(0).from_int(Fmt::S, ll, true), (ll as i64 as f32).to_bits() as u64);
    }
}

#[test]
fn nearest_matches_host_single() {
    let mut rng = Rng(0x0fed_cba9_8765_4321);
    for _ in 0..20_000 {
        let (a, b) = (rng.f32_bits() as u64, rng.f32_bits() as u64);
        let (x, y) = (f32::from_bits(a as u32), f32::from_bits(b as u32));
        let host = [x + y, x - y, x * y, x / y];
        for (k, kind) in [Arith::Add, Arith::Sub, Arith::Mul, Arith::Div].into_iter().enumerate() {
            let r = op(0).arith(Fmt::S, kind, a, b);
            if host[k].is_nan() {
                assert_eq!(r, Fmt::S.default_nan());
            } else {
                assert_eq!(r, host[k].to_bits() as u64, "{kind:?} {a:#x} {b:#x}");
            }
        }
        if x >= 0.0 {
            assert_eq!(op(0).sqrt(Fmt::S, a), x.sqrt().to_bits() as u64);
        }
        assert_eq!(op(0).convert(Fmt::S, Fmt::D, a), (x as f64).to_bits());
        // Host rounding to an integer (ties to even), where in range.
        let r = x.round_ties_even();
        if r.abs() < 2147483648.0 {
            assert_eq!(op(0).to_int(Fmt::S, a, 0, false), r as i32 as u32 as u64, "cvt.w.s {a:#x}");
        }
    }
}

#[test]
fn directed_rounding_and_flags() {
    let one = 0x3f80_0000u64;
    let tiny = 0x3380_0000u64; // 2^-24: half an ulp of 1.0
    let mut o = op(0);
    assert_eq!(o.arith(Fmt::S, Arith::Add, one, tiny), one, "ties to even");
    assert_eq!(o.cause(), I);
    assert_eq!(op(1).arith(Fmt::S, Arith::Add, one, tiny), one, "toward zero");
    assert_eq!(op(2).arith(Fmt::S, Arith::Add, one, tiny), one + 1, "toward +inf");
    assert_eq!(op(3).arith(Fmt::S, Arith::Sub, one, tiny), 0x3f7f_ffff, "toward -inf");
    assert_eq!(op(1).arith(Fmt::S, Arith::Sub, one, tiny), 0x3f7f_ffff, "toward zero, down");
    // 1/3 in every mode: RN and RU round up (…ab), RZ and RD down (…aa).
    let three = 0x4040_0000u64;
    let thirds: Vec<u64> = (0..4).map(|rm| op(rm).arith(Fmt::S, Arith::Div, one, three)).collect();
    assert_eq!(thirds, [0x3eaa_aaab, 0x3eaa_aaaa, 0x3eaa_aaab, 0x3eaa_aaaa]);
    // -1/3: RU toward zero, RD away.
    let neg =
        [op(2).arith(Fmt::S, Arith::Div, one | 1 << 31, three), op(3).arith(Fmt::S, Arith::Div, one | 1 << 31, three)];
    assert_eq!(neg, [0xbeaa_aaaa, 0xbeaa_aaab]);
    // Overflow: the result depends on the mode; always O and I.
    let max = 0x7f7f_ffffu64;
    let two = 0x4000_0000u64;
    for (rm, want) in [(0, 0x7f80_0000), (1, max), (2, 0x7f80_0000), (3, max)] {
        let mut o = op(rm);
        assert_eq!(o.arith(Fmt::S, Arith::Mul, max, two), want, "overflow rm={rm}");
        assert_eq!(o.cause(), O | I);
    }
    let mut o = op(3);
    assert_eq!(o.arith(Fmt::S, Arith::Mul, max | 1 << 31, two), 0xff80_0000, "negative overflow toward -inf");
    // Underflow only when tiny and inexact: exact denormal results raise nothing.
    let min_normal = 0x0080_0000u64;
    let half = 0x3f00_0000u64;
    let mut o = op(0);
    assert_eq!(o.arith(Fmt::S, Arith::Mul, min_normal, half), 0x0040_0000);
    assert_eq!(o.cause(), 0);
    let mut o = op(0);
    assert_eq!(o.arith(Fmt::S, Arith::Mul, min_normal | 1, half), 0x0040_0000, "ties to even");
    assert_eq!(o.cause(), U | I);
    // Tininess after rounding: (2^-126)(1 - 2^-25) rounds to the smallest normal: no U.
    let mut o = op(0);
    let below = op(0).arith(Fmt::D, Arith::Sub, 0x3810_0000_0000_0000, 0x3660_0000_0000_0000);
    assert_eq!(o.convert(Fmt::D, Fmt::S, below), min_normal);
    assert_eq!(o.cause(), I, "tiny before rounding only: no underflow");
    // Divide by zero and invalid operations.
    let mut o = op(0);
    assert_eq!(o.arith(Fmt::D, Arith::Div, 0x3ff0_0000_0000_0000, 1 << 63), 0xfff0_0000_0000_0000);
    assert_eq!(o.cause(), Z);
    let mut o = op(0);
    assert_eq!(o.arith(Fmt::D, Arith::Div, 0, 0), Fmt::D.default_nan());
    assert_eq!(o.cause(), V);
    let mut o = op(0);
    assert_eq!(o.arith(Fmt::S, Arith::Sub, 0x7f80_0000, 0x7f80_0000), Fmt::S.default_nan());
    assert_eq!(o.cause(), V);
    let mut o = op(0);
    assert_eq!(o.sqrt(Fmt::S, one | 1 << 31), Fmt::S.default_nan());
    assert_eq!(o.cause(), V);
    // Exact zero sums: +0 except toward -inf.
    assert_eq!(op(0).arith(Fmt::S, Arith::Sub, one, one), 0);
    assert_eq!(op(3).arith(Fmt::S, Arith::Sub, one, one), 1 << 31);
}

#[test]
fn legacy_nans() {
    let snan = 0x7fc0_0000u64; // quiet bit set: signalling in the legacy encoding
    let qnan = 0xff80_0001u64;
    let one = 0x3f80_0000u64;
    let mut o = op(0);
    assert_eq!(o.arith(Fmt::S, Arith::Add, one, qnan), qnan, "quiet NaN propagates");
    assert_eq!(o.cause(), 0);
    let mut o = op(0);
    assert_eq!(o.arith(Fmt::S, Arith::Add, qnan, snan), 0x7fbf_ffff, "sNaN: default NaN");
    assert_eq!(o.cause(), V);
    let mut o = op(0);
    assert_eq!(o.sign_op(Fmt::S, snan, false), 0x7fbf_ffff, "abs is arithmetic");
    assert_eq!(o.cause(), V);
    assert_eq!(op(0).sign_op(Fmt::S, qnan, false), qnan & 0x7fff_ffff);
    assert_eq!(op(0).sign_op(Fmt::D, 0x7ff7_ffff_ffff_ffff, true), 0xfff7_ffff_ffff_ffff);
    // Compares: quiet conditions signal only on sNaN, signalling ones (bit 3) on any NaN.
    let mut o = op(0);
    assert!(o.compare(Fmt::S, qnan, one, 1), "c.un");
    assert_eq!(o.cause(), 0);
    let mut o = op(0);
    assert!(!o.compare(Fmt::S, qnan, one, 12), "c.lt");
    assert_eq!(o.cause(), V);
    let mut o = op(0);
    assert!(!o.compare(Fmt::S, snan, one, 2), "c.eq");
    assert_eq!(o.cause(), V);
    assert!(op(0).compare(Fmt::S, 0, 1 << 31, 2), "+0 == -0");
    assert!(op(0).compare(Fmt::D, 0xbff0_0000_0000_0000, 0, 4), "-1 < 0");
    // Conversions of NaN.
    let mut o = op(0);
    assert_eq!(o.convert(Fmt::S, Fmt::D, snan), Fmt::D.default_nan());
    assert_eq!(o.cause(), V);
    assert_eq!(op(0).convert(Fmt::S, Fmt::D, 0x7f80_0001), 0x7ff0_0000_2000_0000);
    assert_eq!(op(0).convert(Fmt::D, Fmt::S, 0xfff0_0000_0000_0001), 0x7fbf_ffff, "no payload left");
}

#[test]
fn integer_conversions() {
    let cases: [(u64, u8, u64, u8); 10] = [
        (0x4020_0000, 0, 2, I),                     // 2.5 -> 2 (ties to even)
        (0x4060_0000, 0, 4, I),                     // 3.5 -> 4
        (0xc020_0000, 1, (-2i32) as u32 as u64, I), // trunc(-2.5)
        (0x4006_6666, 2, 3, I),                     // ceil(2.1)
        (0xc006_6666, 3, (-3i32) as u32 as u64, I), // floor(-2.1)
        (0x4f00_0000, 0, 0x7fff_ffff, V),           // 2^31: out of range
        (0xcf00_0000, 0, 0x8000_0000, 0),           // -2^31: in range, exact
        (0x7f80_0000, 1, 0x7fff_ffff, V),           // +inf
        (0xff80_0000, 1, 0x7fff_ffff, V),           // -inf: also 2^31-1 on MIPS
        (0x7fbf_ffff, 1, 0x7fff_ffff, V),           // NaN
    ];
    for (a, rm, want, cause) in cases {
        let mut o = op(0);
        assert_eq!(o.to_int(Fmt::S, a, rm, false), want, "{a:#x} rm={rm}");
        assert_eq!(o.cause(), cause, "{a:#x} rm={rm}");
    }
    let mut o = op(0);
    assert_eq!(o.to_int(Fmt::D, 0x43e0_0000_0000_0000, 1, true), i64::MAX as u64, "2^63");
    assert_eq!(o.cause(), V);
    let mut o = op(0);
    assert_eq!(o.from_int(Fmt::S, 0x0100_0001, false), 0x4b80_0000, "2^24+1 rounds");
    assert_eq!(o.cause(), I);
    assert_eq!(op(2).from_int(Fmt::S, 0x0100_0001, false), 0x4b80_0001);
}

#[test]
fn flush_to_zero() {
    let den = 0x0000_0001u64;
    let one = 0x3f80_0000u64;
    let mut o = Op::new(0, true);
    assert_eq!(o.arith(Fmt::S, Arith::Add, one, den), one, "denormal operand reads as zero");
    assert_eq!(o.cause(), 0);
    // A tiny result: zero, or the smallest normal rounding away from zero (R4000 table 7-1).
    let min_normal = 0x0080_0000u64;
    let half = 0x3f00_0000u64;
    for (rm, pos, neg) in
        [(0, 0, 1u64 << 31), (1, 0, 1 << 31), (2, min_normal, 1 << 31), (3, 0, (1 << 31) | min_normal)]
    {
        let mut o = Op::new(rm, true);
        assert_eq!(o.arith(Fmt::S, Arith::Mul, min_normal, half), pos, "rm={rm}");
        assert_eq!(o.cause(), U | I);
        assert_eq!(Op::new(rm, true).arith(Fmt::S, Arith::Mul, min_normal | 1 << 31, half), neg, "rm={rm}");
    }
    let mut o = Op::new(0, true).with_enables(U);
    o.arith(Fmt::S, Arith::Mul, min_normal, half);
    assert_eq!(o.cause(), U | I | CAUSE_E, "unimplemented when underflow traps are on");
}

#[test]
fn register_models_and_fcsr() {
    let mut cpu = CpuState::default();
    set_fpr_s(&mut cpu, 0, 0x1111_1111);
    set_fpr_s(&mut cpu, 1, 0x2222_2222);
    assert_eq!(cpu.fpr[0], 0x2222_2222_1111_1111, "FR=0: odd single is the high half");
    assert_eq!(fpr_s(&cpu, 1), 0x2222_2222);
    cpu.status |= 1 << 26;
    set_fpr_s(&mut cpu, 1, 0x3333_3333);
    assert_eq!(cpu.fpr[1] as u32, 0x3333_3333, "FR=1: 32 independent registers");
    assert_eq!(cpu.fpr[0], 0x2222_2222_1111_1111);
    // Cause replaced, flags accumulated; an enabled exception traps and leaves the flags.
    cpu.fcsr = 3 | (0x1f << 12);
    let mut o = begin(&cpu);
    assert_eq!(o.arith(Fmt::S, Arith::Div, 0x3f80_0000, 0x4040_0000), 0x3eaa_aaaa, "RM from FCSR");
    assert!(!finish(&mut cpu, &o));
    assert_eq!(cpu.fcsr, 3 | (1 << 12) | (1 << 2));
    cpu.fcsr |= (Z as u32) << 7;
    let mut o = begin(&cpu);
    o.arith(Fmt::S, Arith::Div, 0x3f80_0000, 0);
    assert!(finish(&mut cpu, &o), "divide by zero enabled");
    assert_eq!(cpu.fcsr, 3 | ((Z as u32) << 7) | ((Z as u32) << 12) | (1 << 2));
}

#[test]
fn fp_abi_selects_fr() {
    assert!(status_fr_for(Some(fp_abi::FP64), 0));
    assert!(status_fr_for(Some(fp_abi::FP64A), 0));
    assert!(!status_fr_for(Some(fp_abi::XX), 0));
    assert!(!status_fr_for(Some(fp_abi::DOUBLE), 0x200));
    assert!(status_fr_for(None, 0x200));
    assert!(!status_fr_for(None, 0));
    // A minimal little-endian ELF32 with one PT_MIPS_ABIFLAGS header at 52 and the flags at 84.
    let mut elf = vec![0u8; 84 + 24];
    elf[..6].copy_from_slice(b"\x7fELF\x01\x01");
    elf[28..32].copy_from_slice(&52u32.to_le_bytes());
    elf[42..44].copy_from_slice(&32u16.to_le_bytes());
    elf[44..46].copy_from_slice(&1u16.to_le_bytes());
    elf[52..56].copy_from_slice(&0x7000_0003u32.to_le_bytes());
    elf[56..60].copy_from_slice(&84u32.to_le_bytes());
    elf[84 + 7] = fp_abi::FP64;
    assert_eq!(elf_fp_abi(&elf), Some(fp_abi::FP64));
    assert_eq!(elf_fp_abi(&elf[..60]), None, "truncated");
}

/// `-cpu ...,qemu-fpu=on`: the rules the CPU test found QEMU 7.2 to follow (its output is
/// compared line by line with qemu-user's in tests/mips_cputest.rs).
#[test]
fn qemu_fpu_simplifications() {
    let q = |flush: bool| Op::new(0, flush).with_qemu_fpu(true);
    let qnan = 0x7f80_0001; // a legacy quiet NaN with a payload
    let snan = 0x7fc0_0000;
    let mut o = q(false);
    assert_eq!(o.arith(Fmt::S, Arith::Add, qnan, 0x3f80_0000), Fmt::S.default_nan(), "default NaN");
    assert_eq!(o.cause(), 0);
    assert_eq!(o.sign_op(Fmt::S, snan, true), snan | 1 << 31, "neg is a bit operation");
    assert_eq!(o.cause(), 0, "and never signals");
    assert_eq!(o.convert(Fmt::S, Fmt::D, qnan), Fmt::D.default_nan());
    // FS=1: the smallest normal times 0.5 is tiny: a zero of its sign, nothing raised.
    let mut o = q(true);
    assert_eq!(o.arith(Fmt::S, Arith::Mul, 0x8080_0000, 0x3f00_0000), 0x8000_0000);
    assert_eq!(o.cause(), 0);
    // A denormal operand is not read as zero.
    assert_eq!(o.arith(Fmt::S, Arith::Mul, 0x0000_0001, 0x4b00_0000), 0x0080_0000);
    // The manual's rules for comparison: the operand's quiet NaN, and Underflow|Inexact.
    let mut m = Op::new(0, true);
    assert_eq!(m.arith(Fmt::S, Arith::Add, qnan, 0x3f80_0000), qnan);
    assert_eq!(m.arith(Fmt::S, Arith::Mul, 0x8080_0000, 0x3f00_0000), 0x8000_0000);
    assert_eq!(m.cause(), U | I);
}

/// SoftFloat's own answer in round-to-nearest: result bits and flags.
fn softfloat_arith(f: Fmt, op: Arith, a: u64, b: u64) -> (u64, softfloat_wrapper::ExceptionFlags) {
    use softfloat_wrapper::{ExceptionFlags, Float, RoundingMode, F32, F64};
    let rm = RoundingMode::TiesToEven;
    ExceptionFlags::default().set();
    let r = match f {
        Fmt::S => {
            let (x, y) = (F32::from_bits(a as u32), F32::from_bits(b as u32));
            match op {
                Arith::Add => x.add(y, rm),
                Arith::Sub => x.sub(y, rm),
                Arith::Mul => x.mul(y, rm),
                Arith::Div => x.div(y, rm),
            }
            .to_bits() as u64
        }
        Fmt::D => {
            let (x, y) = (F64::from_bits(a), F64::from_bits(b));
            match op {
                Arith::Add => x.add(y, rm),
                Arith::Sub => x.sub(y, rm),
                Arith::Mul => x.mul(y, rm),
                Arith::Div => x.div(y, rm),
            }
            .to_bits()
        }
    };
    let mut fl = ExceptionFlags::default();
    fl.get();
    (r, fl)
}

/// The host-FPU fast path (`host.rs`) against SoftFloat, the independent oracle: wherever the
/// fast path answers, its bits and its Inexact flag must be SoftFloat's and SoftFloat must
/// raise nothing else. Also checks that the fast path does answer for ordinary operands
/// (else it would be dead code and the test would prove nothing).
#[test]
fn host_fast_path_matches_softfloat() {
    let mut rng = Rng(0x1234_5678_9abc_def1);
    let mut answered = 0;
    let specials64 =
        [0u64, 1 << 63, 0x3ff0_0000_0000_0000, 0x0010_0000_0000_0000, 0x0010_0000_0000_0001, 0x7fef_ffff_ffff_ffff];
    let specials32 = [0u64, 1 << 31, 0x3f80_0000, 0x0080_0000, 0x0080_0001, 0x7f7f_ffff];
    for i in 0..400_000 {
        let f = if i % 2 == 0 { Fmt::D } else { Fmt::S };
        let op = [Arith::Add, Arith::Sub, Arith::Mul, Arith::Div][(i / 2) % 4];
        let (a, b) = match (f, i % 7) {
            (Fmt::D, 0) => (specials64[i % 6], rng.f64_bits()),
            (Fmt::D, 1) => (rng.f64_bits(), specials64[(i / 7) % 6]),
            (Fmt::D, _) => (rng.f64_bits(), rng.f64_bits()),
            (Fmt::S, 0) => (specials32[i % 6], rng.f32_bits() as u64),
            (Fmt::S, 1) => (rng.f32_bits() as u64, specials32[(i / 7) % 6]),
            (Fmt::S, _) => (rng.f32_bits() as u64, rng.f32_bits() as u64),
        };
        if let Some((r, inexact)) = super::host::arith(f, op, a, b) {
            answered += 1;
            let (sr, fl) = softfloat_arith(f, op, a, b);
            assert_eq!(r, sr, "{f:?} {op:?} {a:#x} {b:#x}: host {r:#x}, SoftFloat {sr:#x}");
            assert_eq!(inexact, fl.is_inexact(), "{f:?} {op:?} {a:#x} {b:#x}: inexact");
            assert!(
                !fl.is_underflow() && !fl.is_overflow() && !fl.is_invalid() && !fl.is_infinite(),
                "{f:?} {op:?} {a:#x} {b:#x}: SoftFloat raised more than Inexact"
            );
        }
    }
    assert!(answered > 200_000, "the fast path answered only {answered} times");
}

/// Conversions and square roots of the fast path against SoftFloat.
#[test]
fn host_fast_conversions_match_softfloat() {
    use softfloat_wrapper::{ExceptionFlags, Float, RoundingMode, F32, F64};
    let rm = RoundingMode::TiesToEven;
    let mut rng = Rng(0x0bad_cafe_1234_5678);
    let flags = || {
        let mut fl = ExceptionFlags::default();
        fl.get();
        fl
    };
    for _ in 0..100_000 {
        let d = rng.f64_bits();
        let s = rng.f32_bits() as u64;
        if let Some((r, inexact)) = super::host::convert(Fmt::D, Fmt::S, d) {
            ExceptionFlags::default().set();
            let sr = F64::from_bits(d).to_f32(rm).to_bits() as u64;
            let fl = flags();
            assert_eq!((r, inexact), (sr, fl.is_inexact()), "cvt.s.d {d:#x}");
            assert!(!fl.is_underflow() && !fl.is_overflow());
        }
        if let Some((r, inexact)) = super::host::sqrt(Fmt::D, d) {
            ExceptionFlags::default().set();
            let sr = F64::from_bits(d).sqrt(rm).to_bits();
            assert_eq!((r, inexact), (sr, flags().is_inexact()), "sqrt.d {d:#x}");
        }
        if let Some((r, inexact)) = super::host::sqrt(Fmt::S, s) {
            ExceptionFlags::default().set();
            let sr = F32::from_bits(s as u32).sqrt(rm).to_bits() as u64;
            assert_eq!((r, inexact), (sr, flags().is_inexact()), "sqrt.s {s:#x}");
        }
        let v = rng.next() as i64 >> (rng.next() % 40);
        for (to, bits) in [(Fmt::S, false), (Fmt::D, false), (Fmt::S, true), (Fmt::D, true)] {
            let v = if bits { v } else { v as i32 as i64 };
            let (r, inexact) = super::host::from_int(to, v);
            ExceptionFlags::default().set();
            let sr = match to {
                Fmt::S => F32::from_i64(v, rm).to_bits() as u64,
                Fmt::D => F64::from_i64(v, rm).to_bits(),
            };
            assert_eq!((r, inexact), (sr, flags().is_inexact()), "cvt from {v}");
        }
        for (rmi, srm) in [
            (0u8, RoundingMode::TiesToEven),
            (1, RoundingMode::TowardZero),
            (2, RoundingMode::TowardPositive),
            (3, RoundingMode::TowardNegative),
        ] {
            // Values around the 32-bit range, many with fractions (some exactly .5).
            let xd = ((v as f64) / (1u64 << (v as u64 % 33)) as f64).to_bits();
            if let Some((r, inexact)) = super::host::to_int32(Fmt::D, xd, rmi) {
                ExceptionFlags::default().set();
                let sr = F64::from_bits(xd).to_i32(srm, true) as u32 as u64;
                let fl = flags();
                assert_eq!((r, inexact), (sr, fl.is_inexact()), "to_int32 {xd:#x} rm {rmi}");
                assert!(!fl.is_invalid());
            }
        }
    }
}

/// `arith_fast` leaves the guest in the state the full path (`begin`, `Op::arith`, `finish`)
/// does, or declines and leaves FCSR alone: same result, Cause and Flags, for every format
/// and operation, across rounding modes, flush to zero, enables and flags already set.
#[test]
fn arith_fast_matches_the_full_path() {
    let mut rng = Rng(0x0fa5_7f00d);
    let fcsrs =
        [0, 0x7c, 1, 3, FCSR_FS, (I as u32) << FCSR_ENABLES_SHIFT, (O as u32) << FCSR_ENABLES_SHIFT, 0x3f << 12];
    let mut fast = 0;
    for k in 0..40_000 {
        let f = if k % 2 == 0 { Fmt::D } else { Fmt::S };
        let op = [Arith::Add, Arith::Sub, Arith::Mul, Arith::Div][k / 2 % 4];
        let (a, b) = match f {
            Fmt::D => (rng.f64_bits(), rng.f64_bits()),
            Fmt::S => (rng.f32_bits() as u64, rng.f32_bits() as u64),
        };
        let fcsr = fcsrs[k / 8 % fcsrs.len()];
        let mut cpu = CpuState { fcsr, ..CpuState::default() };
        let Some(r) = arith_fast(&mut cpu, f, op, a, b) else {
            assert_eq!(cpu.fcsr, fcsr, "declined, FCSR untouched");
            continue;
        };
        fast += 1;
        let mut full = CpuState { fcsr, ..CpuState::default() };
        let mut o = begin(&full);
        let want = o.arith(f, op, a, b);
        assert!(!finish(&mut full, &o), "{f:?} {op:?} {a:#x} {b:#x}: the fast path took a trapping case");
        assert_eq!((r, cpu.fcsr), (want, full.fcsr), "{f:?} {op:?} {a:#x} {b:#x} fcsr {fcsr:#x}");
    }
    assert!(fast > 10_000, "the fast path decided only {fast} cases");
}
