//! Guest architectures, and the list of them: the one place outside an architecture's own
//! folders that names each one. Each submodule includes the code generated from
//! `isa-specs/<arch>` at build time; hand-written, ISA-specific support (helpers, MMU walks,
//! ABI) lives beside it. Generic code finds an architecture through [`ARCHES`] (see
//! `crate::arch`).

use crate::arch::ArchEntry;

pub mod mips;
pub mod x86;
pub mod xtensa;

/// Every architecture, in the order `-cpu help` lists them.
pub static ARCHES: &[&ArchEntry] = &[&mips::ARCH, &xtensa::ARCH, &x86::ARCH_64, &x86::ARCH_32];
