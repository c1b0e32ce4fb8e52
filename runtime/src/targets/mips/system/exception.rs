//! Exception and interrupt entry of the MIPS32 privileged architecture: EPC and Cause.BD
//! (unless Status.EXL was already set), Cause.ExcCode and CE, Status.EXL, BadVAddr and the
//! TLB fault registers, and the vector: BEV selects 0xbfc00200 or EBase, then +0x000 for a
//! TLB refill with EXL clear, +0x200 for an interrupt with Cause.IV, +0x180 otherwise.
//! Also the interrupt state: which interrupts are pending (Cause.IP & Status.IM) and whether
//! they are enabled (IE set, EXL, ERL and Debug Mode clear), and entry into Debug Mode.
//!
//! Owns these rules; must not touch memory or translations (eret is in the spec).

use super::cp0::{Cp0, CA_BD, CA_IV, CA_TI, DBG_DM, ST_BEV, ST_ERL, ST_EXL, ST_IE};
use super::mmu::Fault;
use crate::targets::mips::mips::CpuState;

pub const EXC_INT: u32 = 0;
pub const EXC_CPU: u32 = 11;

/// Take exception `code` raised by the instruction at `pc` (`in_delay`: it sits in a branch
/// delay slot, so the branch at `pc - 4` is where the handler returns). `ce` is the
/// coprocessor number of a CoprocessorUnusable exception; `refill` selects the TLB refill
/// vector.
pub fn enter(cpu: &mut CpuState, cp0: &Cp0, code: u32, pc: u32, in_delay: bool, ce: u32, refill: bool) {
    let exl = cpu.status & ST_EXL != 0;
    if !exl {
        if in_delay {
            cpu.epc = pc.wrapping_sub(4);
            cpu.cause |= CA_BD;
        } else {
            cpu.epc = pc;
            cpu.cause &= !CA_BD;
        }
        cpu.status |= ST_EXL;
    }
    let offset = if refill && !exl {
        0x000
    } else if code == EXC_INT && cpu.cause & CA_IV != 0 {
        0x200
    } else {
        0x180
    };
    if code == EXC_CPU {
        cpu.cause = (cpu.cause & !(3 << 28)) | ((ce & 3) << 28);
    }
    cpu.cause = (cpu.cause & !(0x1f << 2)) | ((code & 0x1f) << 2);
    let base = if cpu.status & ST_BEV != 0 { 0xbfc0_0200 } else { cp0.ebase & !0x3ff };
    cpu.pc = base.wrapping_add(offset);
}

/// Take a memory exception: BadVAddr, and for TLB exceptions Context and EntryHi, then
/// the exception.
pub fn enter_fault(cpu: &mut CpuState, cp0: &mut Cp0, f: Fault, pc: u32, in_delay: bool) {
    cpu.badvaddr = f.vaddr;
    if f.tlb {
        cp0.set_tlb_fault(f.vaddr);
    }
    enter(cpu, cp0, f.code, pc, in_delay, 0, f.refill);
}

/// Enter Debug Mode for sdbbp (Debug.DExcCode = Bp): DEPC, Debug.DBD and DM, vector
/// 0xbfc00480.
pub fn enter_debug_breakpoint(cpu: &mut CpuState, pc: u32, in_delay: bool) {
    cpu.depc = if in_delay { pc.wrapping_sub(4) } else { pc };
    cpu.debug = (cpu.debug & !(1 << 31 | 0x1f << 10)) | (in_delay as u32) << 31 | 9 << 10 | 1 << 1 | DBG_DM;
    cpu.pc = 0xbfc0_0480;
}

/// Refresh Cause.IP7..IP2 from the hardware lines (`hw`: bit n = line of IPn) and the
/// timer (Cause.TI drives IP7, IntCtl.IPTI = 7).
pub fn update_ip(cpu: &mut CpuState, hw: u32) {
    let mut ip = hw & 0xfc;
    if cpu.cause & CA_TI != 0 {
        ip |= 0x80;
    }
    cpu.cause = (cpu.cause & !0xfc00) | (ip << 8);
}

/// Whether an interrupt is pending, unmasked and enabled.
pub fn interrupt_ready(cpu: &CpuState) -> bool {
    let pending = cpu.cause & cpu.status & 0xff00;
    pending != 0 && cpu.status & (ST_IE | ST_EXL | ST_ERL) == ST_IE && cpu.debug & DBG_DM == 0
}

/// Whether some interrupt is pending and unmasked (what ends `wait`, even with IE clear).
pub fn interrupt_pending(cpu: &CpuState) -> bool {
    cpu.cause & cpu.status & 0xff00 != 0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::targets::mips::system::cp0::MODELS;

    #[test]
    fn vectors_epc_and_bd() {
        let mut cpu = CpuState::default();
        let cp0 = Cp0::new(MODELS[0], false);
        cpu.status = ST_BEV;
        enter(&mut cpu, &cp0, 8, 0x8000_1000, false, 0, false);
        assert_eq!((cpu.pc, cpu.epc, cpu.cause), (0xbfc0_0380, 0x8000_1000, 8 << 2));
        cpu.status = 0;
        enter(&mut cpu, &cp0, 2, 0x8000_2004, true, 0, true);
        assert_eq!((cpu.pc, cpu.epc, cpu.cause >> 31), (0x8000_0000, 0x8000_2000, 1));
        // Nested (EXL set): general vector, EPC and BD unchanged.
        enter(&mut cpu, &cp0, 3, 0x8000_3000, false, 0, true);
        assert_eq!((cpu.pc, cpu.epc, cpu.cause >> 31), (0x8000_0180, 0x8000_2000, 1));
        cpu.status = 0;
        enter(&mut cpu, &cp0, EXC_CPU, 0x8000_0010, false, 1, false);
        assert_eq!((cpu.cause >> 28) & 3, 1);
        cpu.status = ST_IE | 0x8000;
        cpu.cause = CA_TI | CA_IV;
        update_ip(&mut cpu, 0);
        assert!(interrupt_ready(&cpu));
        enter(&mut cpu, &cp0, EXC_INT, 0x8000_0020, false, 0, false);
        assert_eq!(cpu.pc, 0x8000_0200);
        assert!(!interrupt_ready(&cpu), "EXL masks");
    }
}
