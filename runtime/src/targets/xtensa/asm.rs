//! What `specemu as` needs to know of Xtensa beyond the specs: the ELF header flags, RELA
//! relocations (`R_XTENSA_32` for data, `R_XTENSA_SLOT0_OP` for an instruction's operand,
//! which the linker re-encodes), literals (`.literal LABEL, VALUE...` into the `.literal`
//! section, for `l32r`), and `.begin`/`.end no-transform`. specemu as writes what is
//! written: outside `no-transform`, where GNU as would narrow or relax instructions, an
//! instruction is refused.

use crate::asm::form::Kind;
use crate::asm::operands::Spelling;
use crate::asm::source::{split_args, Assembler};
use crate::asm::{AsmArch, Fixup, RelocAsk, Target};
use std::collections::HashMap;

const R_XTENSA_32: u32 = 1;
const R_XTENSA_SLOT0_OP: u32 = 20;

fn reloc(a: &RelocAsk) -> Result<Fixup, String> {
    if let Some(m) = a.modifier {
        return Err(format!("unknown relocation operator `%{m}` (Xtensa has none here)"));
    }
    match (a.kind, a.pc_relative) {
        (Kind::Address, true) => Ok(Fixup { rtype: R_XTENSA_SLOT0_OP, target: Target::Zero, addend: a.addend }),
        _ => Err("an address in this operand needs a literal: `.literal NAME, ADDRESS` and `l32r`".into()),
    }
}

fn data_reloc(size: usize) -> Option<u32> {
    (size == 4).then_some(R_XTENSA_32)
}

fn modifier(_: &str, _: i64) -> Option<i64> {
    None
}

/// EF_XTENSA_XT_INSN | EF_XTENSA_XT_LIT, as GNU as writes them.
fn e_flags(_core: &str, _be: bool, _modes: &HashMap<String, String>) -> u32 {
    0x300
}

fn insn_check(modes: &HashMap<String, String>, mnemonic: &str) -> Result<(), String> {
    if modes.get("no-transform").is_some_and(|d| d != "0") {
        return Ok(());
    }
    Err(format!(
        "`{mnemonic}` outside `.begin no-transform`: GNU as may narrow or relax it there; \
         specemu as writes what is written: put the code between `.begin no-transform` and `.end no-transform`"
    ))
}

fn directive(a: &mut Assembler, d: &str, rest: &str) -> Option<Result<(), String>> {
    let arg = rest.trim();
    match d {
        ".begin" | ".end" => {
            let what = arg.split_whitespace().next().unwrap_or("");
            match what {
                "no-transform" | "notransform" | "no-longcalls" | "longcalls" => {
                    let depth: i32 = a.modes.get(what).and_then(|v| v.parse().ok()).unwrap_or(0);
                    let depth = if d == ".begin" { depth + 1 } else { (depth - 1).max(0) };
                    let key = if what == "notransform" { "no-transform" } else { what };
                    a.modes.insert(key.to_string(), depth.to_string());
                    Some(Ok(()))
                }
                "" if d == ".end" => None,
                other => Some(Err(format!("`{d} {other}` is not supported by specemu as"))),
            }
        }
        ".literal_position" => Some(Ok(())),
        ".literal" => {
            let args = split_args(arg);
            let Some((name, values)) = args.split_first() else {
                return Some(Err("expected `.literal NAME, VALUE...`".into()));
            };
            let back = a.current();
            a.section(".literal");
            a.set_flags(6);
            a.align_to(4);
            a.label(name, 1);
            for v in values {
                a.data(4, v, 1);
            }
            a.switch_to(back);
            Some(Ok(()))
        }
        _ => None,
    }
}

pub static ASM: AsmArch = AsmArch {
    cores: super::asm_cores,
    context: &[],
    elf_machine: super::EM_XTENSA,
    is_64: false,
    rela: true,
    e_flags,
    insn_check,
    spelling: Spelling { register_prefix: None, respell: crate::asm::operands::no_respell },
    comment: "#",
    section_align: 1,
    pad_sections: false,
    auto_align_data: false,
    align_is_power: false,
    reloc,
    next_pc_relative: crate::asm::no_next_pc_relative,
    data_reloc,
    modifier,
    directive,
};
