//! What `specemu as` needs to know of MIPS beyond the spec: the o32 ELF header flags, the
//! REL relocations (`R_MIPS_32`, `R_MIPS_26`, `R_MIPS_HI16`, `R_MIPS_LO16`, `R_MIPS_PC16`)
//! with their in-place addends, `%hi`/`%lo`, GNU as's `$` register spelling, and the
//! `.set` modes. specemu as writes what is written: in GNU as's default `reorder` mode a
//! branch is refused, because GNU as would fill its delay slot.

use crate::asm::form::Kind;
use crate::asm::operands::Spelling;
use crate::asm::source::Assembler;
use crate::asm::{AsmArch, Fixup, RelocAsk, Target};
use std::collections::HashMap;

const R_MIPS_32: u32 = 2;
const R_MIPS_26: u32 = 4;
const R_MIPS_HI16: u32 = 5;
const R_MIPS_LO16: u32 = 6;
const R_MIPS_PC16: u32 = 10;

/// `%hi(x)`: the upper half, rounded for the signed `%lo` that follows it.
fn hi(x: i64) -> i64 {
    ((x.wrapping_add(0x8000)) >> 16) & 0xffff
}

/// `%lo(x)`: the low half, as the signed immediate that adds it.
fn lo(x: i64) -> i64 {
    ((x & 0xffff) as i16) as i64
}

fn modifier(m: &str, x: i64) -> Option<i64> {
    match m {
        "hi" => Some(hi(x)),
        "lo" => Some(lo(x)),
        _ => None,
    }
}

fn reloc(a: &RelocAsk) -> Result<Fixup, String> {
    let fix = |rtype, target: i64| Ok(Fixup { rtype, target: Target::Value(target as u64), addend: 0 });
    match (a.modifier, a.kind, a.pc_relative) {
        (Some("hi"), _, _) => fix(R_MIPS_HI16, hi(a.addend)),
        (Some("lo"), _, _) => fix(R_MIPS_LO16, lo(a.addend)),
        (Some(m), ..) => Err(format!("unknown relocation operator `%{m}` (MIPS has %hi and %lo here)")),
        // A branch: the field holds (addend - 4) >> 2, so the operand reads pc + addend.
        (None, Kind::Address, true) => fix(R_MIPS_PC16, (a.pc as i64).wrapping_add(a.addend)),
        // A jump: the field holds the addend >> 2, in the 256 MB region of the jump.
        (None, Kind::Address, false) => {
            let region = (a.pc.wrapping_add(4) & 0xf000_0000) as i64;
            fix(R_MIPS_26, region | (a.addend & 0x0fff_fffc))
        }
        (None, ..) => Err("an address here needs %hi(...) or %lo(...)".into()),
    }
}

fn data_reloc(size: usize) -> Option<u32> {
    (size == 4).then_some(R_MIPS_32)
}

/// EF_MIPS_ARCH_32R2 | EF_MIPS_ABI_O32, with EF_MIPS_NOREORDER when the file said so.
fn e_flags(_core: &str, _be: bool, modes: &HashMap<String, String>) -> u32 {
    let noreorder = modes.get("reorder").is_some_and(|v| v == "no");
    0x7000_1000 | u32::from(noreorder)
}

fn insn_check(modes: &HashMap<String, String>, mnemonic: &str) -> Result<(), String> {
    if modes.get("reorder").is_some_and(|v| v == "no") || !super::has_delay_slot(mnemonic) {
        return Ok(());
    }
    Err(format!(
        "`{mnemonic}` has a delay slot, which GNU as fills itself in its default `.set reorder` mode; \
         specemu as writes what is written: add `.set noreorder`"
    ))
}

fn directive(a: &mut Assembler, d: &str, rest: &str) -> Option<Result<(), String>> {
    let arg = rest.trim();
    match d {
        ".set" if !arg.contains(',') => {
            let (key, value) = match arg {
                "noreorder" => ("reorder", "no"),
                "reorder" => ("reorder", "yes"),
                "noat" | "at" | "nomacro" | "macro" | "push" | "pop" | "mips32r2" | "mips0" | "hardfloat"
                | "softfloat" | "nomips16" | "nomicromips" | "mips16" | "micromips" => (arg, ""),
                _ if arg.starts_with("arch=") || arg.starts_with("fp=") => (arg, ""),
                "oddspreg" | "nooddspreg" => (arg, ""),
                _ => return Some(Err(format!("unknown `.set` option `{arg}`"))),
            };
            if matches!(arg, "mips16" | "micromips") {
                return Some(Err(format!("`.set {arg}`: specemu's MIPS spec has no {arg} encodings")));
            }
            a.modes.insert(key.to_string(), value.to_string());
            Some(Ok(()))
        }
        // Procedure descriptors and ABI notes: they fill .pdr and .MIPS.abiflags, not code.
        ".ent" | ".frame" | ".mask" | ".fmask" | ".module" | ".nan" | ".abicalls" | ".option" | ".insn" => Some(Ok(())),
        ".end" if !arg.is_empty() => Some(Ok(())),
        ".cpload" | ".cprestore" | ".cpsetup" | ".gpword" => {
            Some(Err(format!("`{d}` (PIC code) is not supported by specemu as")))
        }
        _ => None,
    }
}

pub static ASM: AsmArch = AsmArch {
    cores: super::asm_cores,
    context: &[],
    elf_machine: super::EM_MIPS,
    is_64: false,
    rela: false,
    e_flags,
    insn_check,
    spelling: Spelling { register_prefix: Some("$"), respell: crate::asm::operands::no_respell },
    comment: "#",
    section_align: 16,
    pad_sections: true,
    auto_align_data: true,
    align_is_power: true,
    reloc,
    next_pc_relative: crate::asm::no_next_pc_relative,
    data_reloc,
    modifier,
    directive,
};
