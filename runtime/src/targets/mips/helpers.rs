//! Implementations of the helpers the MIPS spec declares, for user mode: CP0 and TLB
//! operations are privileged (the spec raises before calling them outside kernel mode),
//! `rdhwr` reads the user-visible hardware registers, and FPU operations go to `fpu` (the
//! FloatingPoint exception is raised here when `fpu::finish` says an enabled one occurred).
//! A helper that raises a guest exception records it in `pending`; the caller turns it into
//! a block exit.

use super::fpu::{self, ops::Arith::*, Fmt::*, Op};
use super::mips::{CpuState, Helpers};

/// Helper state for one vCPU in user mode.
#[derive(Debug, Default)]
pub struct UserHelpers {
    /// Exception raised by the last helper: (code, argument).
    pub pending: Option<(u32, u64)>,
    /// Counter read by `rdhwr $2` (cycle count).
    pub cycles: u64,
}

const EXC_RI: u32 = 10;
/// Cause.ExcCode of the FloatingPoint exception.
const EXC_FPE: u32 = 15;

impl Helpers for UserHelpers {
    fn cp0_read(&mut self, cpu: &mut CpuState, reg: u8, sel: u8) -> u32 {
        match (reg, sel) {
            (4, 2) => cpu.userlocal,
            (8, 0) => cpu.badvaddr,
            (12, 0) => cpu.status,
            (13, 0) => cpu.cause,
            (14, 0) => cpu.epc,
            (15, 0) => 0x0001_9300, // PRId: MIPS 24K
            _ => 0,
        }
    }
    fn cp0_write(&mut self, cpu: &mut CpuState, reg: u8, sel: u8, value: u32) {
        match (reg, sel) {
            (4, 2) => cpu.userlocal = value,
            (12, 0) => cpu.status = value,
            (13, 0) => cpu.cause = value,
            (14, 0) => cpu.epc = value,
            _ => {}
        }
    }
    fn rdhwr(&mut self, cpu: &mut CpuState, reg: u8) -> u32 {
        match reg {
            0 => 0,                  // CPUNum
            1 => 32,                 // SYNCI_Step: cache line size
            2 => self.cycles as u32, // CC
            3 => 1,                  // CCRes
            29 => cpu.userlocal,     // UserLocal (TLS pointer)
            _ => {
                self.pending = Some((EXC_RI, 0));
                0
            }
        }
    }
    fn tlb_probe(&mut self, _cpu: &mut CpuState) {}
    fn tlb_read(&mut self, _cpu: &mut CpuState) {}
    fn tlb_write_indexed(&mut self, _cpu: &mut CpuState) {}
    fn tlb_write_random(&mut self, _cpu: &mut CpuState) {}
    fn cache_op(&mut self, _cpu: &mut CpuState, _op: u8, _addr: u32) {}
    fn synci(&mut self, _cpu: &mut CpuState, _addr: u32) {}
    fn wait_for_interrupt(&mut self, _cpu: &mut CpuState) {}
    fn fadd_s(&mut self, cpu: &mut CpuState, a: u32, b: u32) -> u32 {
        match fpu::arith_fast(cpu, S, Add, a as u64, b as u64) {
            Some(r) => r as u32,
            None => self.fp(cpu, |op| op.arith(S, Add, a as u64, b as u64) as u32),
        }
    }
    fn fadd_d(&mut self, cpu: &mut CpuState, a: u64, b: u64) -> u64 {
        match fpu::arith_fast(cpu, D, Add, a, b) {
            Some(r) => r,
            None => self.fp(cpu, |op| op.arith(D, Add, a, b)),
        }
    }
    fn fadd_ps(&mut self, cpu: &mut CpuState, a: u64, b: u64) -> u64 {
        self.fp(cpu, |op| ps2(a, b, |x, y| op.arith(S, Add, x, y)))
    }
    fn fsub_s(&mut self, cpu: &mut CpuState, a: u32, b: u32) -> u32 {
        match fpu::arith_fast(cpu, S, Sub, a as u64, b as u64) {
            Some(r) => r as u32,
            None => self.fp(cpu, |op| op.arith(S, Sub, a as u64, b as u64) as u32),
        }
    }
    fn fsub_d(&mut self, cpu: &mut CpuState, a: u64, b: u64) -> u64 {
        match fpu::arith_fast(cpu, D, Sub, a, b) {
            Some(r) => r,
            None => self.fp(cpu, |op| op.arith(D, Sub, a, b)),
        }
    }
    fn fsub_ps(&mut self, cpu: &mut CpuState, a: u64, b: u64) -> u64 {
        self.fp(cpu, |op| ps2(a, b, |x, y| op.arith(S, Sub, x, y)))
    }
    fn fmul_s(&mut self, cpu: &mut CpuState, a: u32, b: u32) -> u32 {
        match fpu::arith_fast(cpu, S, Mul, a as u64, b as u64) {
            Some(r) => r as u32,
            None => self.fp(cpu, |op| op.arith(S, Mul, a as u64, b as u64) as u32),
        }
    }
    fn fmul_d(&mut self, cpu: &mut CpuState, a: u64, b: u64) -> u64 {
        match fpu::arith_fast(cpu, D, Mul, a, b) {
            Some(r) => r,
            None => self.fp(cpu, |op| op.arith(D, Mul, a, b)),
        }
    }
    fn fmul_ps(&mut self, cpu: &mut CpuState, a: u64, b: u64) -> u64 {
        self.fp(cpu, |op| ps2(a, b, |x, y| op.arith(S, Mul, x, y)))
    }
    fn fdiv_s(&mut self, cpu: &mut CpuState, a: u32, b: u32) -> u32 {
        match fpu::arith_fast(cpu, S, Div, a as u64, b as u64) {
            Some(r) => r as u32,
            None => self.fp(cpu, |op| op.arith(S, Div, a as u64, b as u64) as u32),
        }
    }
    fn fdiv_d(&mut self, cpu: &mut CpuState, a: u64, b: u64) -> u64 {
        match fpu::arith_fast(cpu, D, Div, a, b) {
            Some(r) => r,
            None => self.fp(cpu, |op| op.arith(D, Div, a, b)),
        }
    }
    fn fsqrt_s(&mut self, cpu: &mut CpuState, a: u32) -> u32 {
        self.fp(cpu, |op| op.sqrt(S, a as u64) as u32)
    }
    fn fsqrt_d(&mut self, cpu: &mut CpuState, a: u64) -> u64 {
        self.fp(cpu, |op| op.sqrt(D, a))
    }
    fn frecip_s(&mut self, cpu: &mut CpuState, a: u32) -> u32 {
        self.fp(cpu, |op| op.recip(S, a as u64) as u32)
    }
    fn frecip_d(&mut self, cpu: &mut CpuState, a: u64) -> u64 {
        self.fp(cpu, |op| op.recip(D, a))
    }
    fn frsqrt_s(&mut self, cpu: &mut CpuState, a: u32) -> u32 {
        self.fp(cpu, |op| op.rsqrt(S, a as u64) as u32)
    }
    fn frsqrt_d(&mut self, cpu: &mut CpuState, a: u64) -> u64 {
        self.fp(cpu, |op| op.rsqrt(D, a))
    }
    fn fabs_s(&mut self, cpu: &mut CpuState, a: u32) -> u32 {
        self.fp(cpu, |op| op.sign_op(S, a as u64, false) as u32)
    }
    fn fabs_d(&mut self, cpu: &mut CpuState, a: u64) -> u64 {
        self.fp(cpu, |op| op.sign_op(D, a, false))
    }
    fn fabs_ps(&mut self, cpu: &mut CpuState, a: u64) -> u64 {
        self.fp(cpu, |op| ps1(a, |x| op.sign_op(S, x, false)))
    }
    fn fneg_s(&mut self, cpu: &mut CpuState, a: u32) -> u32 {
        self.fp(cpu, |op| op.sign_op(S, a as u64, true) as u32)
    }
    fn fneg_d(&mut self, cpu: &mut CpuState, a: u64) -> u64 {
        self.fp(cpu, |op| op.sign_op(D, a, true))
    }
    fn fneg_ps(&mut self, cpu: &mut CpuState, a: u64) -> u64 {
        self.fp(cpu, |op| ps1(a, |x| op.sign_op(S, x, true)))
    }
    fn fmadd_s(&mut self, cpu: &mut CpuState, a: u32, b: u32, c: u32) -> u32 {
        self.fp(cpu, |op| op.madd(S, a as u64, b as u64, c as u64, false, false) as u32)
    }
    fn fmadd_d(&mut self, cpu: &mut CpuState, a: u64, b: u64, c: u64) -> u64 {
        self.fp(cpu, |op| op.madd(D, a, b, c, false, false))
    }
    fn fmadd_ps(&mut self, cpu: &mut CpuState, a: u64, b: u64, c: u64) -> u64 {
        self.fp(cpu, |op| ps3(a, b, c, |x, y, z| op.madd(S, x, y, z, false, false)))
    }
    fn fmsub_s(&mut self, cpu: &mut CpuState, a: u32, b: u32, c: u32) -> u32 {
        self.fp(cpu, |op| op.madd(S, a as u64, b as u64, c as u64, true, false) as u32)
    }
    fn fmsub_d(&mut self, cpu: &mut CpuState, a: u64, b: u64, c: u64) -> u64 {
        self.fp(cpu, |op| op.madd(D, a, b, c, true, false))
    }
    fn fmsub_ps(&mut self, cpu: &mut CpuState, a: u64, b: u64, c: u64) -> u64 {
        self.fp(cpu, |op| ps3(a, b, c, |x, y, z| op.madd(S, x, y, z, true, false)))
    }
    fn fnmadd_s(&mut self, cpu: &mut CpuState, a: u32, b: u32, c: u32) -> u32 {
        self.fp(cpu, |op| op.madd(S, a as u64, b as u64, c as u64, false, true) as u32)
    }
    fn fnmadd_d(&mut self, cpu: &mut CpuState, a: u64, b: u64, c: u64) -> u64 {
        self.fp(cpu, |op| op.madd(D, a, b, c, false, true))
    }
    fn fnmadd_ps(&mut self, cpu: &mut CpuState, a: u64, b: u64, c: u64) -> u64 {
        self.fp(cpu, |op| ps3(a, b, c, |x, y, z| op.madd(S, x, y, z, false, true)))
    }
    fn fnmsub_s(&mut self, cpu: &mut CpuState, a: u32, b: u32, c: u32) -> u32 {
        self.fp(cpu, |op| op.madd(S, a as u64, b as u64, c as u64, true, true) as u32)
    }
    fn fnmsub_d(&mut self, cpu: &mut CpuState, a: u64, b: u64, c: u64) -> u64 {
        self.fp(cpu, |op| op.madd(D, a, b, c, true, true))
    }
    fn fnmsub_ps(&mut self, cpu: &mut CpuState, a: u64, b: u64, c: u64) -> u64 {
        self.fp(cpu, |op| ps3(a, b, c, |x, y, z| op.madd(S, x, y, z, true, true)))
    }
    fn fcmp_s(&mut self, cpu: &mut CpuState, a: u32, b: u32, cond: u8) -> u8 {
        self.fp(cpu, |op| op.compare(S, a as u64, b as u64, cond) as u8)
    }
    fn fcmp_d(&mut self, cpu: &mut CpuState, a: u64, b: u64, cond: u8) -> u8 {
        self.fp(cpu, |op| op.compare(D, a, b, cond) as u8)
    }
    fn fcmp_ps(&mut self, cpu: &mut CpuState, a: u64, b: u64, cond: u8) -> u8 {
        self.fp(cpu, |op| {
            let lo = op.compare(S, a & 0xffff_ffff, b & 0xffff_ffff, cond);
            let hi = op.compare(S, a >> 32, b >> 32, cond);
            (hi as u8) << 1 | lo as u8
        })
    }
    fn fcvt_s_d(&mut self, cpu: &mut CpuState, a: u64) -> u32 {
        self.fp(cpu, |op| op.convert(D, S, a) as u32)
    }
    fn fcvt_s_w(&mut self, cpu: &mut CpuState, a: u32) -> u32 {
        self.fp(cpu, |op| op.from_int(S, a as u64, false) as u32)
    }
    fn fcvt_s_l(&mut self, cpu: &mut CpuState, a: u64) -> u32 {
        self.fp(cpu, |op| op.from_int(S, a, true) as u32)
    }
    fn fcvt_d_s(&mut self, cpu: &mut CpuState, a: u32) -> u64 {
        self.fp(cpu, |op| op.convert(S, D, a as u64))
    }
    fn fcvt_d_w(&mut self, cpu: &mut CpuState, a: u32) -> u64 {
        self.fp(cpu, |op| op.from_int(D, a as u64, false))
    }
    fn fcvt_d_l(&mut self, cpu: &mut CpuState, a: u64) -> u64 {
        self.fp(cpu, |op| op.from_int(D, a, true))
    }
    fn fcvt_w_s(&mut self, cpu: &mut CpuState, a: u32, rm: u8) -> u32 {
        self.fp(cpu, |op| op.to_int(S, a as u64, rm, false) as u32)
    }
    fn fcvt_w_d(&mut self, cpu: &mut CpuState, a: u64, rm: u8) -> u32 {
        self.fp(cpu, |op| op.to_int(D, a, rm, false) as u32)
    }
    fn fcvt_l_s(&mut self, cpu: &mut CpuState, a: u32, rm: u8) -> u64 {
        self.fp(cpu, |op| op.to_int(S, a as u64, rm, true))
    }
    fn fcvt_l_d(&mut self, cpu: &mut CpuState, a: u64, rm: u8) -> u64 {
        self.fp(cpu, |op| op.to_int(D, a, rm, true))
    }
}

impl UserHelpers {
    /// Run one floating-point helper: the operation in FCSR's environment, then FCSR
    /// cause/flags and, if an enabled exception occurred, the FloatingPoint exception.
    fn fp<T>(&mut self, cpu: &mut CpuState, f: impl FnOnce(&mut Op) -> T) -> T {
        let mut op = fpu::begin(cpu);
        let r = f(&mut op);
        if fpu::finish(cpu, &op) {
            self.pending = Some((EXC_FPE, 0));
        }
        r
    }
}

/// Paired single: the same single-precision operation on both halves (lower first).
fn ps1(a: u64, mut f: impl FnMut(u64) -> u64) -> u64 {
    let lo = f(a & 0xffff_ffff);
    let hi = f(a >> 32);
    hi << 32 | lo
}
fn ps2(a: u64, b: u64, mut f: impl FnMut(u64, u64) -> u64) -> u64 {
    let lo = f(a & 0xffff_ffff, b & 0xffff_ffff);
    let hi = f(a >> 32, b >> 32);
    hi << 32 | lo
}
fn ps3(a: u64, b: u64, c: u64, mut f: impl FnMut(u64, u64, u64) -> u64) -> u64 {
    let lo = f(a & 0xffff_ffff, b & 0xffff_ffff, c & 0xffff_ffff);
    let hi = f(a >> 32, b >> 32, c >> 32);
    hi << 32 | lo
}
