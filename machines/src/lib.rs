//! Board models and devices (system mode); boards compose the runtime, never the other way round.
//!
//! - `mipssim`: QEMU-compatible MIPS simulator board (RAM, boot ROM, ISA UART, -kernel).
//! - `uart16550`: the 8250/16550A UART.
//! - `elf_kernel`: loading `-kernel` ELF images into guest-physical memory.

pub mod elf_kernel;
pub mod mipssim;
pub mod uart16550;

use specemu_runtime::control::{BoardConfig, VmControl};

/// Build the board `cfg.machine` names.
pub fn create(cfg: &BoardConfig) -> Result<Box<dyn VmControl>, String> {
    match cfg.machine.as_str() {
        mipssim::NAME => mipssim::create(cfg),
        other => Err(format!("unsupported machine type '{other}' (use -M help)")),
    }
}
