//! MIPS32 Release 2 floating-point arithmetic on raw bit patterns: one [`Op`] accumulates the
//! exception causes of every step of an instruction (madd is a rounded multiply then a
//! rounded add; paired-single operates on both halves), in the FCSR rounding mode.
//!
//! Rules beyond IEEE 754 that this file owns, with their source:
//! - Legacy NaN encoding (MIPS32 Vol. I, "NaN"): a NaN whose most significant fraction bit is
//!   set is *signalling*; the default quiet NaN is 0x7fbfffff / 0x7ff7ffffffffffff.
//! - NaN operands: any signalling operand gives Invalid and the default NaN (a legacy sNaN
//!   cannot be quieted by setting a bit); otherwise the first quiet NaN operand in operand
//!   order (fs, ft; fs*ft then fr for madd) is the result. Invalid operations without NaN
//!   operands (inf-inf, 0*inf, 0/0, inf/inf, sqrt(-x)) give the default NaN.
//! - abs/neg are arithmetic in Release 2 (R4000 manual, "Invalid Operation Exception": ABS
//!   and NEG signal Invalid on a signalling NaN): a sNaN gives Invalid and the default NaN,
//!   everything else only has its sign changed (a quiet NaN included).
//! - Conversions to integer: NaN, infinity or out of range give Invalid and 2^31-1 / 2^63-1.
//! - recip = 1/x and rsqrt = 1/sqrt(x) rounded after each step, as QEMU does (the manual lets
//!   both be less accurate than IEEE).
//! - FCSR.FS = 1 (flush to zero; R4000 manual table 7-1 and the 74K programming guide):
//!   denormal operands are read as zero of the same sign, and a tiny result (denormal, or
//!   Underflow raised) is replaced by zero or the smallest normal as the rounding mode and
//!   sign say, raising Underflow and Inexact (Unimplemented Operation if either is enabled).
//!
//! [`Op::with_qemu_fpu`] switches to the simplifications of QEMU 7.2's MIPS FPU, for users
//! who compare against qemu-user (`-cpu 24Kf,qemu-fpu=on`): every NaN result is the default
//! NaN (QEMU runs SoftFloat in default-NaN mode for legacy NaNs), abs/neg are bit operations
//! that never signal, and FS=1 only replaces a result that is tiny before rounding by a
//! zero of its sign, silently, without reading denormal operands as zero.

use super::{CAUSE_E, CAUSE_I, CAUSE_O, CAUSE_U, CAUSE_V, CAUSE_Z};
use softfloat_wrapper::{ExceptionFlags, Float, RoundingMode, F32, F64};

/// A binary floating-point format; values are bit patterns in the low bits of a u64.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fmt {
    S,
    D,
}

impl Fmt {
    fn sign(self) -> u64 {
        match self {
            Fmt::S => 1 << 31,
            Fmt::D => 1 << 63,
        }
    }
    fn exp_mask(self) -> u64 {
        match self {
            Fmt::S => 0x7f80_0000,
            Fmt::D => 0x7ff0_0000_0000_0000,
        }
    }
    fn frac_mask(self) -> u64 {
        match self {
            Fmt::S => 0x007f_ffff,
            Fmt::D => 0x000f_ffff_ffff_ffff,
        }
    }
    /// The most significant fraction bit: set in a legacy-MIPS signalling NaN.
    fn snan_bit(self) -> u64 {
        match self {
            Fmt::S => 1 << 22,
            Fmt::D => 1 << 51,
        }
    }
    /// The MIPS legacy default NaN.
    pub fn default_nan(self) -> u64 {
        match self {
            Fmt::S => 0x7fbf_ffff,
            Fmt::D => 0x7ff7_ffff_ffff_ffff,
        }
    }
    fn min_normal(self) -> u64 {
        match self {
            Fmt::S => 0x0080_0000,
            Fmt::D => 0x0010_0000_0000_0000,
        }
    }
    pub fn is_nan(self, x: u64) -> bool {
        x & self.exp_mask() == self.exp_mask() && x & self.frac_mask() != 0
    }
    pub fn is_snan(self, x: u64) -> bool {
        self.is_nan(x) && x & self.snan_bit() != 0
    }
    fn is_denormal(self, x: u64) -> bool {
        x & self.exp_mask() == 0 && x & self.frac_mask() != 0
    }
    fn is_neg(self, x: u64) -> bool {
        x & self.sign() != 0
    }
    /// The value as a host float, exact for every non-NaN value (f32 -> f64 is exact).
    fn to_host(self, x: u64) -> f64 {
        match self {
            Fmt::S => f32::from_bits(x as u32) as f64,
            Fmt::D => f64::from_bits(x),
        }
    }
}

/// Arithmetic operations SoftFloat performs for us.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Arith {
    Add,
    Sub,
    Mul,
    Div,
}

/// One instruction's floating-point work: the FCSR environment and the accumulated causes.
#[derive(Debug, Clone)]
pub struct Op {
    rm: u8,
    flush: bool,
    /// FCSR.Enables (I U O Z V): flushing a tiny result with U or I enabled is unimplemented.
    enables: u8,
    cause: u8,
    /// QEMU 7.2's FPU simplifications (see the module documentation).
    qemu: bool,
}

/// Run `f` with SoftFloat's (thread-local) flags cleared and return its result and flags.
fn with_flags<T>(f: impl FnOnce() -> T) -> (T, ExceptionFlags) {
    ExceptionFlags::default().set();
    let r = f();
    let mut fl = ExceptionFlags::default();
    fl.get();
    (r, fl)
}

fn rounding(rm: u8) -> RoundingMode {
    match rm & 3 {
        0 => RoundingMode::TiesToEven,
        1 => RoundingMode::TowardZero,
        2 => RoundingMode::TowardPositive,
        _ => RoundingMode::TowardNegative,
    }
}

impl Op {
    /// `rm`: FCSR.RM (0 nearest, 1 toward zero, 2 toward +inf, 3 toward -inf); `flush`: FCSR.FS.
    pub fn new(rm: u8, flush: bool) -> Op {
        Op { rm: rm & 3, flush, enables: 0, cause: 0, qemu: false }
    }

    /// The same with FCSR.Enables known (needed only for flush to zero).
    pub fn with_enables(mut self, enables: u8) -> Op {
        self.enables = enables & 0x1f;
        self
    }

    /// The same with QEMU 7.2's FPU simplifications on or off.
    pub fn with_qemu_fpu(mut self, on: bool) -> Op {
        self.qemu = on;
        self
    }

    /// The causes raised so far (FCSR cause bit order: I U O Z V E).
    pub fn cause(&self) -> u8 {
        self.cause
    }

    fn raise(&mut self, fl: ExceptionFlags) {
        if fl.is_inexact() {
            self.cause |= CAUSE_I;
        }
        if fl.is_underflow() {
            self.cause |= CAUSE_U;
        }
        if fl.is_overflow() {
            self.cause |= CAUSE_O;
        }
        if fl.is_infinite() {
            self.cause |= CAUSE_Z;
        }
        if fl.is_invalid() {
            self.cause |= CAUSE_V;
        }
    }

    /// An operand as the operation sees it: with FS=1 a denormal reads as a signed zero.
    fn input(&self, f: Fmt, x: u64) -> u64 {
        if self.flush && !self.qemu && f.is_denormal(x) {
            x & f.sign()
        } else {
            x
        }
    }

    /// Result of an operation with NaN operands (at least one), in operand order.
    fn nan_result(&mut self, f: Fmt, ops: &[u64]) -> u64 {
        if ops.iter().any(|&x| f.is_snan(x)) {
            self.cause |= CAUSE_V;
            return f.default_nan();
        }
        if self.qemu {
            return f.default_nan();
        }
        *ops.iter().find(|&&x| f.is_nan(x)).expect("nan_result needs a NaN operand")
    }

    /// Run a rounded operation in the FCSR rounding mode and finish its result: map
    /// SoftFloat's flags, replace its NaNs by the MIPS default NaN, apply flush to zero.
    /// `raw` computes the operation in a given rounding mode.
    fn rounded(&mut self, f: Fmt, raw: impl Fn(RoundingMode) -> (u64, ExceptionFlags)) -> u64 {
        let (r, fl) = raw(rounding(self.rm));
        if self.qemu && self.flush {
            // QEMU flushes before rounding: a result whose exact value is below the smallest
            // normal becomes a zero of its sign, and raises nothing (Invalid and Divide by
            // zero cannot come with a finite tiny result).
            let mag = |x: u64| x & !f.sign();
            let tiny = f.is_denormal(r)
                || (fl.is_inexact()
                    && mag(r) <= f.min_normal()
                    && mag(raw(RoundingMode::TowardZero).0) < f.min_normal());
            if tiny {
                return r & f.sign();
            }
        }
        self.result(f, r, fl)
    }

    /// Common tail of a rounded floating-point result: map SoftFloat's flags, replace its
    /// NaNs by the MIPS default NaN, apply flush to zero to tiny results.
    fn result(&mut self, f: Fmt, r: u64, fl: ExceptionFlags) -> u64 {
        self.raise(fl);
        if f.is_nan(r) {
            return f.default_nan();
        }
        if self.flush && !self.qemu && (f.is_denormal(r) || fl.is_underflow()) {
            return self.flush_tiny(f, r);
        }
        r
    }

    /// FS=1: a tiny result becomes zero or the smallest normal (R4000 manual table 7-1).
    fn flush_tiny(&mut self, f: Fmt, r: u64) -> u64 {
        self.cause |= CAUSE_U | CAUSE_I;
        if self.enables & (CAUSE_U | CAUSE_I) != 0 {
            // The hardware cannot deliver this result: Unimplemented Operation (always taken).
            self.cause |= CAUSE_E;
        }
        let neg = f.is_neg(r);
        let sign = r & f.sign();
        match (self.rm, neg) {
            (2, false) => f.min_normal(),
            (3, true) => f.sign() | f.min_normal(),
            _ => sign,
        }
    }

    /// Round to nearest without flush to zero: the host FPU may answer (`host`).
    fn host_ok(&self) -> bool {
        self.rm == 0 && !self.flush
    }

    /// A result of the host fast path.
    fn host_result(&mut self, (r, inexact): (u64, bool)) -> u64 {
        if inexact {
            self.cause |= CAUSE_I;
        }
        r
    }

    /// fs OP ft. Inlined, so that a caller with a constant format and operation (the JIT's
    /// direct helpers) gets the host fast path for just that operation; SoftFloat's path
    /// stays out of line.
    #[inline(always)]
    pub fn arith(&mut self, f: Fmt, op: Arith, a: u64, b: u64) -> u64 {
        if self.host_ok() {
            if let Some(r) = super::host::arith(f, op, a, b) {
                return self.host_result(r);
            }
        }
        self.arith_soft(f, op, a, b)
    }

    /// fs OP ft through SoftFloat.
    #[inline(never)]
    fn arith_soft(&mut self, f: Fmt, op: Arith, a: u64, b: u64) -> u64 {
        if f.is_nan(a) || f.is_nan(b) {
            return self.nan_result(f, &[a, b]);
        }
        let (a, b) = (self.input(f, a), self.input(f, b));
        self.rounded(f, |rm| match f {
            Fmt::S => {
                let (x, y) = (F32::from_bits(a as u32), F32::from_bits(b as u32));
                let (r, fl) = with_flags(|| match op {
                    Arith::Add => x.add(y, rm),
                    Arith::Sub => x.sub(y, rm),
                    Arith::Mul => x.mul(y, rm),
                    Arith::Div => x.div(y, rm),
                });
                (r.to_bits() as u64, fl)
            }
            Fmt::D => {
                let (x, y) = (F64::from_bits(a), F64::from_bits(b));
                with_flags(|| {
                    match op {
                        Arith::Add => x.add(y, rm),
                        Arith::Sub => x.sub(y, rm),
                        Arith::Mul => x.mul(y, rm),
                        Arith::Div => x.div(y, rm),
                    }
                    .to_bits()
                })
            }
        })
    }

    pub fn sqrt(&mut self, f: Fmt, a: u64) -> u64 {
        if self.host_ok() {
            if let Some(r) = super::host::sqrt(f, a) {
                return self.host_result(r);
            }
        }
        if f.is_nan(a) {
            return self.nan_result(f, &[a]);
        }
        let a = self.input(f, a);
        self.rounded(f, |rm| match f {
            Fmt::S => with_flags(|| F32::from_bits(a as u32).sqrt(rm).to_bits() as u64),
            Fmt::D => with_flags(|| F64::from_bits(a).sqrt(rm).to_bits()),
        })
    }

    /// recip.fmt: 1 / fs.
    pub fn recip(&mut self, f: Fmt, a: u64) -> u64 {
        let one = match f {
            Fmt::S => 0x3f80_0000,
            Fmt::D => 0x3ff0_0000_0000_0000,
        };
        self.arith(f, Arith::Div, one, a)
    }

    /// rsqrt.fmt: 1 / sqrt(fs), each step rounded.
    pub fn rsqrt(&mut self, f: Fmt, a: u64) -> u64 {
        let s = self.sqrt(f, a);
        self.recip(f, s)
    }

    /// abs.fmt / neg.fmt (arithmetic: a signalling NaN signals Invalid).
    pub fn sign_op(&mut self, f: Fmt, a: u64, neg: bool) -> u64 {
        if f.is_snan(a) && !self.qemu {
            self.cause |= CAUSE_V;
            return f.default_nan();
        }
        let a = self.input(f, a);
        if neg {
            a ^ f.sign()
        } else {
            a & !f.sign()
        }
    }

    /// madd/msub/nmadd/nmsub: (fs * ft) ± fr, product and sum each rounded, then negated
    /// for the n forms (a NaN result too).
    pub fn madd(&mut self, f: Fmt, a: u64, b: u64, c: u64, sub: bool, neg: bool) -> u64 {
        let p = self.arith(f, Arith::Mul, a, b);
        let r = self.arith(f, if sub { Arith::Sub } else { Arith::Add }, p, c);
        if neg {
            r ^ f.sign()
        } else {
            r
        }
    }

    /// c.cond.fmt: cond bit 0 unordered, bit 1 equal, bit 2 less than; bit 3 signals
    /// Invalid on any NaN operand (without it only a signalling NaN does).
    pub fn compare(&mut self, f: Fmt, a: u64, b: u64, cond: u8) -> bool {
        if f.is_nan(a) || f.is_nan(b) {
            if cond & 8 != 0 || f.is_snan(a) || f.is_snan(b) {
                self.cause |= CAUSE_V;
            }
            return cond & 1 != 0;
        }
        // Ordered operands: host comparison is exact IEEE comparison (+0 == -0).
        let (x, y) = (f.to_host(self.input(f, a)), f.to_host(self.input(f, b)));
        (cond & 2 != 0 && x == y) || (cond & 4 != 0 && x < y)
    }

    /// cvt.d.s / cvt.s.d: between floating-point formats.
    pub fn convert(&mut self, from: Fmt, to: Fmt, a: u64) -> u64 {
        if self.host_ok() {
            if let Some(r) = super::host::convert(from, to, a) {
                return self.host_result(r);
            }
        }
        if from.is_nan(a) {
            if from.is_snan(a) {
                self.cause |= CAUSE_V;
                return to.default_nan();
            }
            if self.qemu {
                return to.default_nan();
            }
            // A quiet NaN keeps its sign and the high bits of its payload; if none are left
            // (a narrowing that would produce infinity) the result is the default NaN.
            let sign = if from.is_neg(a) { to.sign() } else { 0 };
            let frac = match (from, to) {
                (Fmt::S, Fmt::D) => (a & from.frac_mask()) << 29,
                (Fmt::D, Fmt::S) => (a & from.frac_mask()) >> 29,
                _ => a & from.frac_mask(),
            };
            return if frac == 0 { to.default_nan() } else { sign | to.exp_mask() | frac };
        }
        let a = self.input(from, a);
        if from == to {
            return a;
        }
        self.rounded(to, |rm| match from {
            Fmt::S => with_flags(|| F32::from_bits(a as u32).to_f64(rm).to_bits()),
            Fmt::D => with_flags(|| F64::from_bits(a).to_f32(rm).to_bits() as u64),
        })
    }

    /// cvt.fmt.w / cvt.fmt.l: from a signed 32- or 64-bit integer.
    pub fn from_int(&mut self, to: Fmt, a: u64, bits64: bool) -> u64 {
        let v = if bits64 { a as i64 } else { a as u32 as i32 as i64 };
        if self.host_ok() {
            return self.host_result(super::host::from_int(to, v));
        }
        self.rounded(to, |rm| match to {
            Fmt::S => with_flags(|| F32::from_i64(v, rm).to_bits() as u64),
            Fmt::D => with_flags(|| F64::from_i64(v, rm).to_bits()),
        })
    }

    /// cvt/round/trunc/ceil/floor to a 32- or 64-bit integer with rounding mode `rm`.
    pub fn to_int(&mut self, from: Fmt, a: u64, rm: u8, bits64: bool) -> u64 {
        let invalid = if bits64 { i64::MAX as u64 } else { i32::MAX as u64 };
        if !self.flush && !bits64 {
            if let Some(r) = super::host::to_int32(from, a, rm) {
                return self.host_result(r);
            }
        }
        if from.is_nan(a) {
            self.cause |= CAUSE_V;
            return invalid;
        }
        let a = self.input(from, a);
        let rm = rounding(rm);
        let (r, fl) = match (from, bits64) {
            (Fmt::S, false) => with_flags(|| F32::from_bits(a as u32).to_i32(rm, true) as u32 as u64),
            (Fmt::S, true) => with_flags(|| F32::from_bits(a as u32).to_i64(rm, true) as u64),
            (Fmt::D, false) => with_flags(|| F64::from_bits(a).to_i32(rm, true) as u32 as u64),
            (Fmt::D, true) => with_flags(|| F64::from_bits(a).to_i64(rm, true) as u64),
        };
        self.raise(fl);
        if fl.is_invalid() {
            return invalid;
        }
        r
    }
}
