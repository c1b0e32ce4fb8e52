//! MIPS boards, and what loading a kernel means on MIPS (KSEG0 addresses to physical).

pub mod elf_kernel;
pub mod mipssim;

/// The MIPS boards, in `-M help` order.
pub const BOARDS: &[crate::MachineType] = &[mipssim::MACHINE];
