//! x86 and x86-64 (a decode and disassembly subset) generated from `isa-specs/x86`, and their
//! lines in the architecture list (one per code size: the decoder's `mode` context).

include!(concat!(env!("OUT_DIR"), "/x86.rs"));

mod asm;

use crate::arch::{ArchEntry, DisasCore, DisasInfo, ElfKind};

const EM_386: u16 = 3;
const EM_X86_64: u16 = 62;

fn cores() -> Vec<DisasCore> {
    VARIANTS.iter().filter_map(|n| variant(n)).map(|v| DisasCore { name: v.name, disas_one: v.disas_one }).collect()
}

/// objdump prints an undecodable byte as `(bad)`.
fn bad(_bytes: &[u8], _big_endian: bool) -> (usize, String) {
    (1, "(bad)".to_string())
}

const DISAS: DisasInfo =
    DisasInfo { cores, default_core: None, bad, max_insn_len: 15, unit: 1, delay_slot: None, section_rules: None };

pub static ARCH_64: ArchEntry = ArchEntry {
    name: "x86_64",
    elf: |k: ElfKind| k.machine == EM_X86_64,
    elf_format: |_| "elf64-x86-64",
    disas: Some(DISAS),
    disas_context: &[("mode", 2)],
    linux_user: None,
    cpu_help: None,
    gdb: None,
    system: None,
    asm: Some(&asm::ASM_64),
};

pub static ARCH_32: ArchEntry = ArchEntry {
    name: "i386",
    elf: |k: ElfKind| k.machine == EM_386,
    elf_format: |_| "elf32-i386",
    disas: Some(DISAS),
    disas_context: &[("mode", 1)],
    linux_user: None,
    cpu_help: None,
    gdb: None,
    system: None,
    asm: Some(&asm::ASM_32),
};
