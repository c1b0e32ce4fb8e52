//! MIPS32 address translation: the fixed segments (kuseg, kseg0, kseg1, ksseg/kseg2,
//! kseg3), the privilege checks of kernel, supervisor and user mode, the ERL rule (kuseg
//! unmapped), and the TLB for mapped segments. The result is a physical address or the
//! exception the access raises (address error, TLB refill, TLB invalid, TLB modified).
//!
//! Owns the mapping rules only; must not change CP0 state or deliver exceptions.

use super::cp0::{Cp0, DBG_DM, ST_ERL, ST_EXL};
use super::tlb::Lookup;
use crate::softmmu::Access;
use crate::targets::mips::mips::CpuState;

/// Cause.ExcCode values of memory exceptions.
pub const EXC_MOD: u32 = 1;
pub const EXC_TLBL: u32 = 2;
pub const EXC_TLBS: u32 = 3;
pub const EXC_ADEL: u32 = 4;
pub const EXC_ADES: u32 = 5;
pub const EXC_IBE: u32 = 6;
pub const EXC_DBE: u32 = 7;

/// The privilege an access runs at; also the soft TLB's MMU index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Kernel = 0,
    Supervisor = 1,
    User = 2,
    /// Kernel with Status.ERL set: kuseg is unmapped.
    KernelErl = 3,
}

/// Number of soft-TLB tables (one per [`Mode`]).
pub const MMU_MODES: usize = 4;

pub fn mode(cpu: &CpuState) -> Mode {
    let s = cpu.status;
    if s & ST_ERL != 0 {
        Mode::KernelErl
    } else if s & ST_EXL != 0 || cpu.debug & DBG_DM != 0 {
        Mode::Kernel
    } else {
        match (s >> 3) & 3 {
            0 => Mode::Kernel,
            1 => Mode::Supervisor,
            _ => Mode::User,
        }
    }
}

/// A successful translation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Mapped {
    pub paddr: u64,
    pub writable: bool,
}

/// The exception an access raises.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fault {
    pub code: u32,
    pub vaddr: u32,
    /// TLB refill (no matching entry): vector offset 0x000 unless EXL.
    pub refill: bool,
    /// A TLB exception (sets Context and EntryHi besides BadVAddr).
    pub tlb: bool,
}

fn addr_error(vaddr: u32, access: Access) -> Fault {
    let code = if access == Access::Write { EXC_ADES } else { EXC_ADEL };
    Fault { code, vaddr, refill: false, tlb: false }
}

/// Translate `vaddr` for `access` in the CPU's current mode.
pub fn translate(cpu: &CpuState, cp0: &Cp0, vaddr: u32, access: Access) -> Result<Mapped, Fault> {
    let m = mode(cpu);
    let kernel = matches!(m, Mode::Kernel | Mode::KernelErl);
    match vaddr {
        0..=0x7fff_ffff => {
            if m == Mode::KernelErl {
                return Ok(Mapped { paddr: vaddr as u64, writable: true });
            }
            mapped(cp0, vaddr, access)
        }
        0x8000_0000..=0x9fff_ffff if kernel => Ok(Mapped { paddr: (vaddr - 0x8000_0000) as u64, writable: true }),
        0xa000_0000..=0xbfff_ffff if kernel => Ok(Mapped { paddr: (vaddr - 0xa000_0000) as u64, writable: true }),
        0xc000_0000..=0xdfff_ffff if kernel || m == Mode::Supervisor => mapped(cp0, vaddr, access),
        0xe000_0000..=0xffff_ffff if kernel => mapped(cp0, vaddr, access),
        _ => Err(addr_error(vaddr, access)),
    }
}

fn mapped(cp0: &Cp0, vaddr: u32, access: Access) -> Result<Mapped, Fault> {
    let code = if access == Access::Write { EXC_TLBS } else { EXC_TLBL };
    match cp0.tlb.lookup(vaddr, cp0.asid()) {
        Lookup::Hit { dirty: false, .. } if access == Access::Write => {
            Err(Fault { code: EXC_MOD, vaddr, refill: false, tlb: true })
        }
        Lookup::Hit { paddr, dirty, .. } => Ok(Mapped { paddr, writable: dirty }),
        Lookup::Invalid => Err(Fault { code, vaddr, refill: false, tlb: true }),
        Lookup::Miss => Err(Fault { code, vaddr, refill: true, tlb: true }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::targets::mips::system::cp0::MODELS;

    #[test]
    fn segments_modes_and_tlb() {
        let mut cpu = CpuState::default();
        let mut cp0 = Cp0::new(MODELS[0], false);
        cp0.reset(&mut cpu);
        // Reset: ERL, kuseg unmapped.
        assert_eq!(translate(&cpu, &cp0, 0x1000, Access::Read).unwrap().paddr, 0x1000);
        cpu.status = 0;
        assert_eq!(translate(&cpu, &cp0, 0x8000_1000, Access::Fetch).unwrap().paddr, 0x1000);
        assert_eq!(translate(&cpu, &cp0, 0xbfd0_03f8, Access::Write).unwrap().paddr, 0x1fd0_03f8);
        // The reset TLB is all zeros: VPN2 0 of ASID 0 matches, invalid (as in QEMU).
        let f = translate(&cpu, &cp0, 0x1000, Access::Write).unwrap_err();
        assert_eq!((f.code, f.refill), (EXC_TLBS, false));
        let f = translate(&cpu, &cp0, 0x0040_0000, Access::Read).unwrap_err();
        assert_eq!((f.code, f.refill), (EXC_TLBL, true));
        cp0.tlb.write(0, 0x0000_0000, 0, 0x40 << 6 | 0b010, 0x41 << 6 | 0b110);
        assert_eq!(translate(&cpu, &cp0, 0x10, Access::Read).unwrap(), Mapped { paddr: 0x40010, writable: false });
        assert_eq!(translate(&cpu, &cp0, 0x10, Access::Write).unwrap_err().code, EXC_MOD);
        assert!(translate(&cpu, &cp0, 0x1010, Access::Write).unwrap().writable);
        // User mode: kseg0 is an address error.
        cpu.status = 0x10;
        assert_eq!(translate(&cpu, &cp0, 0x8000_0000, Access::Read).unwrap_err().code, EXC_ADEL);
        assert_eq!(translate(&cpu, &cp0, 0xc000_0000, Access::Write).unwrap_err().code, EXC_ADES);
        // EXL: kernel again.
        cpu.status = 0x12;
        assert!(translate(&cpu, &cp0, 0x8000_0000, Access::Read).is_ok());
    }
}
