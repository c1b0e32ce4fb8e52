//! What `specemu as` needs to know of x86 beyond the spec: the ELF machines, the code size
//! each assembles for (the decoder's `mode`: 64-bit for x86-64, 32-bit for i386), AT&T
//! syntax's `#` comments, and data relocations (`.long`/`.quad` of a label). Instruction
//! operands that need a relocation (a label in another section or file) are refused with
//! an error for now: their field's offset inside the instruction is not passed on yet.

use crate::asm::operands::Spelling;
use crate::asm::source::Assembler;
use crate::asm::{AsmArch, Fixup, RelocAsk};
use std::collections::HashMap;

const R_X86_64_64: u32 = 1;
const R_X86_64_32: u32 = 10;
const R_386_32: u32 = 1;

fn reloc(a: &RelocAsk) -> Result<Fixup, String> {
    Err(format!(
        "`{}` refers to a label in another section or file, which needs a relocation that x86 \
         instructions do not get yet (data words do: .long/.quad)",
        a.insn
    ))
}

fn data_reloc_64(size: usize) -> Option<u32> {
    match size {
        4 => Some(R_X86_64_32),
        8 => Some(R_X86_64_64),
        _ => None,
    }
}

fn data_reloc_32(size: usize) -> Option<u32> {
    (size == 4).then_some(R_386_32)
}

fn modifier(_: &str, _: i64) -> Option<i64> {
    None
}

fn e_flags(_core: &str, _be: bool, _modes: &HashMap<String, String>) -> u32 {
    0
}

fn insn_check(_modes: &HashMap<String, String>, _mnemonic: &str) -> Result<(), String> {
    Ok(())
}

fn directive(_a: &mut Assembler, _name: &str, _args: &str) -> Option<Result<(), String>> {
    None
}

pub static ASM_64: AsmArch = AsmArch {
    cores: super::asm_cores,
    context: &[("mode", 2)],
    elf_machine: super::EM_X86_64,
    is_64: true,
    rela: true,
    e_flags,
    insn_check,
    spelling: Spelling { register_prefix: None },
    comment: "#",
    section_align: 1,
    pad_sections: false,
    auto_align_data: false,
    align_is_power: false,
    reloc,
    data_reloc: data_reloc_64,
    modifier,
    directive,
};

pub static ASM_32: AsmArch = AsmArch {
    context: &[("mode", 1)],
    elf_machine: super::EM_386,
    is_64: false,
    rela: false,
    data_reloc: data_reloc_32,
    ..ASM_64
};
