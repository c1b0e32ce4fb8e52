//! The spec's helpers in system mode: mfc0/mtc0, the TLB instructions, rdhwr (checked
//! against HWREna outside kernel mode), cache/synci (no caches are modelled) and wait
//! (halts the vCPU until an interrupt). Floating-point helpers are the user-mode ones
//! (`helpers::UserHelpers`): the FPU does not depend on the privilege level.
//!
//! Owns the helper calls' effects on CP0; must not touch memory or the soft TLB (it reports
//! translation changes in `effect`, the vCPU loop acts on them).

use super::cp0::{Cp0, Effect};
use super::mmu;
use crate::targets::mips::helpers::UserHelpers;
use crate::targets::mips::mips::{CpuState, Helpers};

const EXC_RI: u32 = 10;

/// Helper state of one vCPU in system mode.
#[derive(Debug)]
pub struct SysHelpers {
    pub cp0: Cp0,
    /// The FPU helpers (and their pending FloatingPoint exception).
    pub fpu: UserHelpers,
    /// Exception raised by the last helper: (code, argument).
    pub pending: Option<(u32, u64)>,
    /// Virtual time (cycles) for Count while a block runs.
    pub cycles: u64,
    /// Translation changes since the vCPU loop last looked.
    pub effect: Effect,
    /// `wait` executed: idle until an interrupt.
    pub halted: bool,
}

impl SysHelpers {
    pub fn new(cp0: Cp0) -> Self {
        SysHelpers {
            cp0,
            fpu: UserHelpers::default(),
            pending: None,
            cycles: 0,
            effect: Effect::default(),
            halted: false,
        }
    }

    fn note(&mut self, fx: Effect) {
        self.effect.tlb_changed |= fx.tlb_changed;
    }

    fn take_fpu_pending(&mut self) {
        if let Some(p) = self.fpu.pending.take() {
            self.pending = Some(p);
        }
    }
}

/// FPU helpers: run the user-mode implementation, carry its exception over.
macro_rules! fpu_helpers {
    ($($name:ident($($a:ident: $t:ty),*) -> $r:ty;)*) => {
        $(
            fn $name(&mut self, cpu: &mut CpuState, $($a: $t),*) -> $r {
                let r = Helpers::$name(&mut self.fpu, cpu, $($a),*);
                self.take_fpu_pending();
                r
            }
        )*
    };
}

impl Helpers for SysHelpers {
    fn cp0_read(&mut self, cpu: &mut CpuState, reg: u8, sel: u8) -> u32 {
        self.cp0.read(cpu, reg, sel, self.cycles)
    }
    fn cp0_write(&mut self, cpu: &mut CpuState, reg: u8, sel: u8, value: u32) {
        let fx = self.cp0.write(cpu, reg, sel, value, self.cycles);
        self.note(fx);
    }
    fn rdhwr(&mut self, cpu: &mut CpuState, reg: u8) -> u32 {
        let kernel = matches!(mmu::mode(cpu), mmu::Mode::Kernel | mmu::Mode::KernelErl) || cpu.status & (1 << 28) != 0;
        let allowed = kernel || (reg < 32 && cpu.hwrena & (1 << reg) != 0);
        match reg {
            0..=3 if allowed => match reg {
                0 => self.cp0.ebase & 0x3ff,
                1 => 32,
                2 => self.cp0.count(cpu, self.cycles),
                _ => 2,
            },
            _ => {
                self.pending = Some((EXC_RI, 0));
                0
            }
        }
    }
    fn tlb_probe(&mut self, _cpu: &mut CpuState) {
        self.cp0.tlb_probe();
    }
    fn tlb_read(&mut self, _cpu: &mut CpuState) {
        let fx = self.cp0.tlb_read();
        self.note(fx);
    }
    fn tlb_write_indexed(&mut self, _cpu: &mut CpuState) {
        let fx = self.cp0.tlb_write(false);
        self.note(fx);
    }
    fn tlb_write_random(&mut self, _cpu: &mut CpuState) {
        let fx = self.cp0.tlb_write(true);
        self.note(fx);
    }
    fn cache_op(&mut self, _cpu: &mut CpuState, _op: u8, _addr: u32) {}
    fn synci(&mut self, _cpu: &mut CpuState, _addr: u32) {}
    fn wait_for_interrupt(&mut self, _cpu: &mut CpuState) {
        self.halted = true;
    }
    fpu_helpers! {
        fadd_s(a: u32, b: u32) -> u32;
        fadd_d(a: u64, b: u64) -> u64;
        fadd_ps(a: u64, b: u64) -> u64;
        fsub_s(a: u32, b: u32) -> u32;
        fsub_d(a: u64, b: u64) -> u64;
        fsub_ps(a: u64, b: u64) -> u64;
        fmul_s(a: u32, b: u32) -> u32;
        fmul_d(a: u64, b: u64) -> u64;
        fmul_ps(a: u64, b: u64) -> u64;
        fdiv_s(a: u32, b: u32) -> u32;
        fdiv_d(a: u64, b: u64) -> u64;
        fsqrt_s(a: u32) -> u32;
        fsqrt_d(a: u64) -> u64;
        frecip_s(a: u32) -> u32;
        frecip_d(a: u64) -> u64;
        frsqrt_s(a: u32) -> u32;
        frsqrt_d(a: u64) -> u64;
        fabs_s(a: u32) -> u32;
        fabs_d(a: u64) -> u64;
        fabs_ps(a: u64) -> u64;
        fneg_s(a: u32) -> u32;
        fneg_d(a: u64) -> u64;
        fneg_ps(a: u64) -> u64;
        fmadd_s(a: u32, b: u32, c: u32) -> u32;
        fmadd_d(a: u64, b: u64, c: u64) -> u64;
        fmadd_ps(a: u64, b: u64, c: u64) -> u64;
        fmsub_s(a: u32, b: u32, c: u32) -> u32;
        fmsub_d(a: u64, b: u64, c: u64) -> u64;
        fmsub_ps(a: u64, b: u64, c: u64) -> u64;
        fnmadd_s(a: u32, b: u32, c: u32) -> u32;
        fnmadd_d(a: u64, b: u64, c: u64) -> u64;
        fnmadd_ps(a: u64, b: u64, c: u64) -> u64;
        fnmsub_s(a: u32, b: u32, c: u32) -> u32;
        fnmsub_d(a: u64, b: u64, c: u64) -> u64;
        fnmsub_ps(a: u64, b: u64, c: u64) -> u64;
        fcmp_s(a: u32, b: u32, cond: u8) -> u8;
        fcmp_d(a: u64, b: u64, cond: u8) -> u8;
        fcmp_ps(a: u64, b: u64, cond: u8) -> u8;
        fcvt_s_d(a: u64) -> u32;
        fcvt_s_w(a: u32) -> u32;
        fcvt_s_l(a: u64) -> u32;
        fcvt_d_s(a: u32) -> u64;
        fcvt_d_w(a: u32) -> u64;
        fcvt_d_l(a: u64) -> u64;
        fcvt_w_s(a: u32, rm: u8) -> u32;
        fcvt_w_d(a: u64, rm: u8) -> u32;
        fcvt_l_s(a: u32, rm: u8) -> u64;
        fcvt_l_d(a: u64, rm: u8) -> u64;
    }
}
