//! Xtensa, one module per core overlay in `isa-specs/xtensa/cores` (decode and disassembly;
//! no execution yet), and its line in the architecture list.

include!(concat!(env!("OUT_DIR"), "/xtensa.rs"));

pub mod asm;
pub mod prop;

use crate::arch::{ArchEntry, DisasCore, DisasInfo, ElfKind};

/// ELF machine number of Xtensa.
const EM_XTENSA: u16 = 94;

fn cores() -> Vec<DisasCore> {
    VARIANTS.iter().filter_map(|n| variant(n)).map(|v| DisasCore { name: v.name, disas_one: v.disas_one }).collect()
}

/// objdump prints an undecodable byte as `.byte`.
fn bad(bytes: &[u8], _big_endian: bool) -> (usize, String) {
    (1, format!(".byte\t{:#02x}", bytes.first().copied().unwrap_or(0)))
}

pub static ARCH: ArchEntry = ArchEntry {
    name: "xtensa",
    elf: |k: ElfKind| k.machine == EM_XTENSA,
    elf_format: |k: ElfKind| if k.big_endian { "elf32-xtensa-be" } else { "elf32-xtensa-le" },
    disas: Some(DisasInfo {
        cores,
        default_core: Some("lx106"),
        bad,
        max_insn_len: 3,
        unit: 1,
        delay_slot: None,
        section_rules: Some(prop::section_rules),
    }),
    disas_context: &[],
    linux_user: None,
    cpu_help: None,
    gdb: None,
    system: None,
    asm: Some(&asm::ASM),
};
