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

/// QEMU's names of its system-emulation targets (its QAPI `SysEmuTarget` enum), which QMP's
/// schema lists and `query-cpus-fast` reports: the names of every architecture QEMU has,
/// kept with the list of specemu's own.
pub static QEMU_TARGETS: &[&str] = &[
    "aarch64",
    "alpha",
    "arm",
    "avr",
    "cris",
    "hppa",
    "i386",
    "loongarch64",
    "m68k",
    "microblaze",
    "microblazeel",
    "mips",
    "mips64",
    "mips64el",
    "mipsel",
    "nios2",
    "or1k",
    "ppc",
    "ppc64",
    "riscv32",
    "riscv64",
    "rx",
    "s390x",
    "sh4",
    "sh4eb",
    "sparc",
    "sparc64",
    "tricore",
    "x86_64",
    "xtensa",
    "xtensaeb",
];
