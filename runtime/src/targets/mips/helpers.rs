//! Implementations of the helpers the MIPS spec declares, for user mode: CP0 and TLB
//! operations are privileged (the spec raises before calling them outside kernel mode),
//! `rdhwr` reads the user-visible hardware registers, and FPU operations go to `fpu`.
//! A helper that raises a guest exception records it in `pending`; the caller turns it into
//! a block exit.

use super::fpu;
use super::mips::{CpuState, Helpers};

/// Helper state for one vCPU in user mode.
#[derive(Debug, Default)]
pub struct UserHelpers {
    pub big_endian: bool,
    /// Exception raised by the last helper: (code, argument).
    pub pending: Option<(u32, u64)>,
    /// Counter read by `rdhwr $2` (cycle count).
    pub cycles: u64,
}

const EXC_RI: u32 = 10;

impl Helpers for UserHelpers {
    fn big_endian(&mut self, _cpu: &mut CpuState) -> u8 {
        self.big_endian as u8
    }
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
    fn fpr_s(&mut self, cpu: &mut CpuState, n: u8) -> u32 {
        fpu::fpr_s(cpu, n)
    }
    fn set_fpr_s(&mut self, cpu: &mut CpuState, n: u8, value: u32) {
        fpu::set_fpr_s(cpu, n, value)
    }
    fn fadd_s(&mut self, cpu: &mut CpuState, a: u32, b: u32) -> u32 {
        fpu::bin_s(cpu, a, b, |x, y| x + y)
    }
    fn fadd_d(&mut self, cpu: &mut CpuState, a: u64, b: u64) -> u64 {
        fpu::bin_d(cpu, a, b, |x, y| x + y)
    }
    fn fadd_ps(&mut self, cpu: &mut CpuState, a: u64, b: u64) -> u64 {
        fpu::bin_ps(cpu, a, b, |x, y| x + y)
    }
    fn fsub_s(&mut self, cpu: &mut CpuState, a: u32, b: u32) -> u32 {
        fpu::bin_s(cpu, a, b, |x, y| x - y)
    }
    fn fsub_d(&mut self, cpu: &mut CpuState, a: u64, b: u64) -> u64 {
        fpu::bin_d(cpu, a, b, |x, y| x - y)
    }
    fn fsub_ps(&mut self, cpu: &mut CpuState, a: u64, b: u64) -> u64 {
        fpu::bin_ps(cpu, a, b, |x, y| x - y)
    }
    fn fmul_s(&mut self, cpu: &mut CpuState, a: u32, b: u32) -> u32 {
        fpu::bin_s(cpu, a, b, |x, y| x * y)
    }
    fn fmul_d(&mut self, cpu: &mut CpuState, a: u64, b: u64) -> u64 {
        fpu::bin_d(cpu, a, b, |x, y| x * y)
    }
    fn fmul_ps(&mut self, cpu: &mut CpuState, a: u64, b: u64) -> u64 {
        fpu::bin_ps(cpu, a, b, |x, y| x * y)
    }
    fn fdiv_s(&mut self, cpu: &mut CpuState, a: u32, b: u32) -> u32 {
        fpu::bin_s(cpu, a, b, |x, y| x / y)
    }
    fn fdiv_d(&mut self, cpu: &mut CpuState, a: u64, b: u64) -> u64 {
        fpu::bin_d(cpu, a, b, |x, y| x / y)
    }
    fn fsqrt_s(&mut self, cpu: &mut CpuState, a: u32) -> u32 {
        fpu::un_s(cpu, a, f32::sqrt)
    }
    fn fsqrt_d(&mut self, cpu: &mut CpuState, a: u64) -> u64 {
        fpu::un_d(cpu, a, f64::sqrt)
    }
    fn frecip_s(&mut self, cpu: &mut CpuState, a: u32) -> u32 {
        fpu::un_s(cpu, a, |x| 1.0 / x)
    }
    fn frecip_d(&mut self, cpu: &mut CpuState, a: u64) -> u64 {
        fpu::un_d(cpu, a, |x| 1.0 / x)
    }
    fn frsqrt_s(&mut self, cpu: &mut CpuState, a: u32) -> u32 {
        fpu::un_s(cpu, a, |x| 1.0 / x.sqrt())
    }
    fn frsqrt_d(&mut self, cpu: &mut CpuState, a: u64) -> u64 {
        fpu::un_d(cpu, a, |x| 1.0 / x.sqrt())
    }
    fn fabs_s(&mut self, _cpu: &mut CpuState, a: u32) -> u32 {
        a & 0x7fff_ffff
    }
    fn fabs_d(&mut self, _cpu: &mut CpuState, a: u64) -> u64 {
        a & 0x7fff_ffff_ffff_ffff
    }
    fn fabs_ps(&mut self, _cpu: &mut CpuState, a: u64) -> u64 {
        a & 0x7fff_ffff_7fff_ffff
    }
    fn fneg_s(&mut self, _cpu: &mut CpuState, a: u32) -> u32 {
        a ^ 0x8000_0000
    }
    fn fneg_d(&mut self, _cpu: &mut CpuState, a: u64) -> u64 {
        a ^ 0x8000_0000_0000_0000
    }
    fn fneg_ps(&mut self, _cpu: &mut CpuState, a: u64) -> u64 {
        a ^ 0x8000_0000_8000_0000
    }
    fn fmadd_s(&mut self, cpu: &mut CpuState, a: u32, b: u32, c: u32) -> u32 {
        fpu::fma_s(cpu, a, b, c, false, false)
    }
    fn fmadd_d(&mut self, cpu: &mut CpuState, a: u64, b: u64, c: u64) -> u64 {
        fpu::fma_d(cpu, a, b, c, false, false)
    }
    fn fmadd_ps(&mut self, cpu: &mut CpuState, a: u64, b: u64, c: u64) -> u64 {
        fpu::fma_ps(cpu, a, b, c, false, false)
    }
    fn fmsub_s(&mut self, cpu: &mut CpuState, a: u32, b: u32, c: u32) -> u32 {
        fpu::fma_s(cpu, a, b, c, true, false)
    }
    fn fmsub_d(&mut self, cpu: &mut CpuState, a: u64, b: u64, c: u64) -> u64 {
        fpu::fma_d(cpu, a, b, c, true, false)
    }
    fn fmsub_ps(&mut self, cpu: &mut CpuState, a: u64, b: u64, c: u64) -> u64 {
        fpu::fma_ps(cpu, a, b, c, true, false)
    }
    fn fnmadd_s(&mut self, cpu: &mut CpuState, a: u32, b: u32, c: u32) -> u32 {
        fpu::fma_s(cpu, a, b, c, false, true)
    }
    fn fnmadd_d(&mut self, cpu: &mut CpuState, a: u64, b: u64, c: u64) -> u64 {
        fpu::fma_d(cpu, a, b, c, false, true)
    }
    fn fnmadd_ps(&mut self, cpu: &mut CpuState, a: u64, b: u64, c: u64) -> u64 {
        fpu::fma_ps(cpu, a, b, c, false, true)
    }
    fn fnmsub_s(&mut self, cpu: &mut CpuState, a: u32, b: u32, c: u32) -> u32 {
        fpu::fma_s(cpu, a, b, c, true, true)
    }
    fn fnmsub_d(&mut self, cpu: &mut CpuState, a: u64, b: u64, c: u64) -> u64 {
        fpu::fma_d(cpu, a, b, c, true, true)
    }
    fn fnmsub_ps(&mut self, cpu: &mut CpuState, a: u64, b: u64, c: u64) -> u64 {
        fpu::fma_ps(cpu, a, b, c, true, true)
    }
    fn fcmp_s(&mut self, cpu: &mut CpuState, a: u32, b: u32, cond: u8) -> u8 {
        fpu::cmp(cpu, f32::from_bits(a) as f64, f32::from_bits(b) as f64, cond) as u8
    }
    fn fcmp_d(&mut self, cpu: &mut CpuState, a: u64, b: u64, cond: u8) -> u8 {
        fpu::cmp(cpu, f64::from_bits(a), f64::from_bits(b), cond) as u8
    }
    fn fcmp_ps(&mut self, cpu: &mut CpuState, a: u64, b: u64, cond: u8) -> u8 {
        let lo = fpu::cmp(cpu, f32::from_bits(a as u32) as f64, f32::from_bits(b as u32) as f64, cond);
        let hi = fpu::cmp(cpu, f32::from_bits((a >> 32) as u32) as f64, f32::from_bits((b >> 32) as u32) as f64, cond);
        (hi as u8) << 1 | lo as u8
    }
    fn fcvt_s_d(&mut self, _cpu: &mut CpuState, a: u64) -> u32 {
        (f64::from_bits(a) as f32).to_bits()
    }
    fn fcvt_s_w(&mut self, _cpu: &mut CpuState, a: u32) -> u32 {
        (a as i32 as f32).to_bits()
    }
    fn fcvt_s_l(&mut self, _cpu: &mut CpuState, a: u64) -> u32 {
        (a as i64 as f32).to_bits()
    }
    fn fcvt_d_s(&mut self, _cpu: &mut CpuState, a: u32) -> u64 {
        (f32::from_bits(a) as f64).to_bits()
    }
    fn fcvt_d_w(&mut self, _cpu: &mut CpuState, a: u32) -> u64 {
        (a as i32 as f64).to_bits()
    }
    fn fcvt_d_l(&mut self, _cpu: &mut CpuState, a: u64) -> u64 {
        (a as i64 as f64).to_bits()
    }
    fn fcvt_w_s(&mut self, cpu: &mut CpuState, a: u32, rm: u8) -> u32 {
        fpu::to_int(cpu, f32::from_bits(a) as f64, rm, 32) as u32
    }
    fn fcvt_w_d(&mut self, cpu: &mut CpuState, a: u64, rm: u8) -> u32 {
        fpu::to_int(cpu, f64::from_bits(a), rm, 32) as u32
    }
    fn fcvt_l_s(&mut self, cpu: &mut CpuState, a: u32, rm: u8) -> u64 {
        fpu::to_int(cpu, f32::from_bits(a) as f64, rm, 64)
    }
    fn fcvt_l_d(&mut self, cpu: &mut CpuState, a: u64, rm: u8) -> u64 {
        fpu::to_int(cpu, f64::from_bits(a), rm, 64)
    }
}
