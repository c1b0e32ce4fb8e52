//! Guest architectures. Each submodule includes the code generated from `isa-specs/<arch>`
//! at build time; hand-written, ISA-specific support (helpers, MMU walks, ABI) lives beside it.

pub mod mips;

/// Xtensa, one module per core overlay in `isa-specs/xtensa/cores`.
pub mod xtensa {
    include!(concat!(env!("OUT_DIR"), "/xtensa.rs"));
}

/// x86 / x86-64 (decode and disassembly subset), generated from `isa-specs/x86`.
pub mod x86 {
    include!(concat!(env!("OUT_DIR"), "/x86.rs"));
}
