//! The MIPS32 Release 2 floating-point unit (COP1) behind the helpers `isa-specs/mips/fpu.isa`
//! declares: the FR=0/FR=1 register views, FCSR cause/flag/enable handling and the
//! FloatingPoint exception, and the choice of FR for a program (its FP ABI). The arithmetic
//! itself (exact IEEE 754, legacy MIPS NaNs, flush to zero) is in [`ops`].
//!
//! Soft-float library: Berkeley SoftFloat 3 through `softfloat-wrapper`. It is the reference
//! IEEE 754 implementation (checked by TestFloat), exact in all four rounding modes MIPS has,
//! reports all five IEEE flags, detects tininess after rounding (what the MIPS architecture
//! requires) and keeps its mode and flags thread-local, so parallel tests are safe. The
//! pure-Rust alternatives were weighed and rejected: `rustc_apfloat` has no square root and
//! reports underflow from the subnormal *result* (wrong in the band just below the smallest
//! normal), `simple-soft-float` is LGPL, `softfp` is a one-release crate with RISC-V NaNs.
//! The price: building it needs a C compiler and CMake (`.ci/install-tools.sh` installs them).
//! SoftFloat's own NaN rules (x86's) never reach the guest: [`ops`] handles NaN operands
//! itself and replaces every NaN SoftFloat produces by the MIPS default NaN.

mod host;
pub mod ops;
#[cfg(test)]
mod tests;

use super::mips::CpuState;
pub use ops::{Fmt, Op};
use std::sync::atomic::{AtomicBool, Ordering};

const STATUS_FR: u32 = 1 << 26;

/// FCSR fields (MIPS32 Vol. I, FCSR): RM 1:0, Flags 6:2, Enables 11:7, Cause 17:12, FS 24.
const FCSR_FLAGS_SHIFT: u32 = 2;
const FCSR_ENABLES_SHIFT: u32 = 7;
const FCSR_CAUSE_SHIFT: u32 = 12;
const FCSR_FS: u32 = 1 << 24;

/// Cause/flag/enable bits in FCSR order (Flags and Enables have no E).
pub const CAUSE_I: u8 = 1 << 0;
pub const CAUSE_U: u8 = 1 << 1;
pub const CAUSE_O: u8 = 1 << 2;
pub const CAUSE_Z: u8 = 1 << 3;
pub const CAUSE_V: u8 = 1 << 4;
pub const CAUSE_E: u8 = 1 << 5;

/// The value FIR reads in user mode: a 64-bit FPU (F64) with S, D, PS, W and L formats,
/// implementation 0x93 as the 24Kf (Release 2) reports it. The loader sets `fir` from this.
pub const FIR_VALUE: u32 = (1 << 22) | (1 << 21) | (1 << 20) | (1 << 18) | (1 << 17) | (1 << 16) | (0x93 << 8);

fn fr(cpu: &CpuState) -> bool {
    cpu.status & STATUS_FR != 0
}

/// The 32-bit view of FPR `n`: with FR=1 the low half of `fpr[n]`; with FR=0 an odd register
/// is the high half of the even register below it (the pair holds one double).
pub fn fpr_s(cpu: &CpuState, n: u8) -> u32 {
    let n = n as usize & 31;
    if fr(cpu) || n.is_multiple_of(2) {
        cpu.fpr[n] as u32
    } else {
        (cpu.fpr[n - 1] >> 32) as u32
    }
}

/// Write the 32-bit view of FPR `n`, keeping the other half (what mtc1 and single-precision
/// results do on a 64-bit FPU; the manual leaves the upper half UNPREDICTABLE with FR=1).
pub fn set_fpr_s(cpu: &mut CpuState, n: u8, v: u32) {
    let n = n as usize & 31;
    if fr(cpu) || n.is_multiple_of(2) {
        cpu.fpr[n] = (cpu.fpr[n] & 0xffff_ffff_0000_0000) | v as u64;
    } else {
        cpu.fpr[n - 1] = (cpu.fpr[n - 1] & 0xffff_ffff) | (v as u64) << 32;
    }
}

/// `-cpu ...,qemu-fpu=on`: the process's FPU follows QEMU 7.2's simplifications. One flag
/// per process: user mode runs one guest CPU model, system mode one board.
static QEMU_FPU: AtomicBool = AtomicBool::new(false);

/// Choose the FPU behaviour for this process (from the `-cpu` option, before the guest runs).
pub fn set_qemu_fpu(on: bool) {
    QEMU_FPU.store(on, Ordering::Relaxed);
}

/// Start an operation in the environment FCSR gives (rounding mode, flush to zero).
pub fn begin(cpu: &CpuState) -> Op {
    Op::new((cpu.fcsr & 3) as u8, cpu.fcsr & FCSR_FS != 0)
        .with_enables((cpu.fcsr >> FCSR_ENABLES_SHIFT) as u8)
        .with_qemu_fpu(QEMU_FPU.load(Ordering::Relaxed))
}

/// Finish an operation: Cause := the operation's exceptions; if one of them is enabled (or
/// it is Unimplemented Operation, which cannot be disabled) the FloatingPoint exception is
/// taken (Flags unchanged, destination not written: returns true); otherwise they are ORed
/// into Flags.
pub fn finish(cpu: &mut CpuState, op: &Op) -> bool {
    write_cause(cpu, op.cause())
}

/// [`finish`] for an operation whose exceptions are `cause`.
#[inline(always)]
fn write_cause(cpu: &mut CpuState, cause: u8) -> bool {
    cpu.fcsr = (cpu.fcsr & !(0x3f << FCSR_CAUSE_SHIFT)) | (cause as u32) << FCSR_CAUSE_SHIFT;
    let enables = ((cpu.fcsr >> FCSR_ENABLES_SHIFT) & 0x1f) as u8 | CAUSE_E;
    if cause & enables != 0 {
        return true;
    }
    cpu.fcsr |= ((cause & 0x1f) as u32) << FCSR_FLAGS_SHIFT;
    false
}

/// `fs OP ft` when the host FPU alone decides it (round to nearest, no flush to zero, the
/// Inexact exception not enabled, operands and result as `host::arith` wants them), with
/// FCSR updated as [`begin`], `Op::arith` and [`finish`] would: Cause := Inexact or nothing,
/// ORed into Flags. `None` leaves FCSR alone (the caller takes the full path). The same
/// result as that path, in a quarter fewer host instructions (fmul.d: 117 to 90 a call,
/// callgrind of bench/cbench.c): the JIT calls these helpers for every double add and
/// multiply of a numeric loop.
#[inline(always)]
pub fn arith_fast(cpu: &mut CpuState, f: Fmt, op: ops::Arith, a: u64, b: u64) -> Option<u64> {
    if cpu.fcsr & (3 | FCSR_FS | (CAUSE_I as u32) << FCSR_ENABLES_SHIFT) != 0 {
        return None;
    }
    let (r, inexact) = host::arith(f, op, a, b)?;
    // Inexact is not enabled: never a trap.
    write_cause(cpu, if inexact { CAUSE_I } else { 0 });
    Some(r)
}

/// `.MIPS.abiflags` `fp_abi` values (binutils `Val_GNU_MIPS_ABI_FP_*`).
pub mod fp_abi {
    pub const ANY: u8 = 0;
    pub const DOUBLE: u8 = 1;
    pub const SINGLE: u8 = 2;
    pub const SOFT: u8 = 3;
    pub const OLD_64: u8 = 4;
    pub const XX: u8 = 5;
    pub const FP64: u8 = 6;
    pub const FP64A: u8 = 7;
}

/// Status.FR for a program, as Linux chooses it on a Release 2 CPU with a 64-bit FPU
/// (arch/mips/kernel/elf.c): FR=1 for the FP64 and FP64A ABIs (and EF_MIPS_FP64 without
/// abiflags), FR=0 for everything else, FPXX included (it runs in either mode and Linux
/// prefers FR=0 before Release 6).
pub fn status_fr_for(fp_abi: Option<u8>, e_flags: u32) -> bool {
    const EF_MIPS_FP64: u32 = 0x200;
    match fp_abi {
        Some(fp_abi::FP64 | fp_abi::FP64A | fp_abi::OLD_64) => true,
        Some(_) => false,
        None => e_flags & EF_MIPS_FP64 != 0,
    }
}

/// The `fp_abi` byte of a 32-bit MIPS ELF file's `.MIPS.abiflags` (found through the
/// PT_MIPS_ABIFLAGS program header), or None if it has none or the file is malformed.
pub fn elf_fp_abi(data: &[u8]) -> Option<u8> {
    const PT_MIPS_ABIFLAGS: u32 = 0x7000_0003;
    if data.len() < 52 || &data[..4] != b"\x7fELF" || data[4] != 1 {
        return None;
    }
    let be = data[5] == 2;
    let u16_at = |o: usize| -> Option<u32> {
        let b = data.get(o..o + 2)?;
        Some(if be { u16::from_be_bytes([b[0], b[1]]) } else { u16::from_le_bytes([b[0], b[1]]) } as u32)
    };
    let u32_at = |o: usize| -> Option<u32> {
        let b: [u8; 4] = data.get(o..o + 4)?.try_into().ok()?;
        Some(if be { u32::from_be_bytes(b) } else { u32::from_le_bytes(b) })
    };
    let phoff = u32_at(28)? as usize;
    let phentsize = u16_at(42)? as usize;
    let phnum = u16_at(44)? as usize;
    for i in 0..phnum {
        let ph = phoff.checked_add(i.checked_mul(phentsize)?)?;
        if u32_at(ph)? == PT_MIPS_ABIFLAGS {
            let off = u32_at(ph + 4)? as usize;
            // struct mips_abiflags_v0: version (2), isa_level, isa_rev, gpr_size, cpr1_size,
            // cpr2_size, fp_abi (offset 7), ...
            return data.get(off.checked_add(7)?).copied();
        }
    }
    None
}
