//! What `specemu as` needs to know of x86 beyond the spec: the ELF machines, the code size
//! each assembles for (the decoder's `mode`: 64-bit for x86-64, 32-bit for i386), AT&T
//! syntax's `#` comments and `sym(%rip)`, and the relocations GNU as writes for labels in
//! other sections or files: the field the linker fills in (a displacement or immediate of
//! 8 to 64 bits; `call`/`jmp` targets PC-relative, PLT32 for another file's symbol on
//! x86-64), and data words (`.long`/`.quad`).

use crate::asm::form::{Form, Kind, Part};
use crate::asm::operands::Spelling;
use crate::asm::source::Assembler;
use crate::asm::{AsmArch, Fixup, RelocAsk, Target};
use std::collections::HashMap;

const R_X86_64_64: u32 = 1;
const R_X86_64_PC32: u32 = 2;
const R_X86_64_PLT32: u32 = 4;
const R_X86_64_32: u32 = 10;
const R_X86_64_32S: u32 = 11;
const R_X86_64_16: u32 = 12;
const R_X86_64_8: u32 = 14;
const R_386_32: u32 = 1;
const R_386_PC32: u32 = 2;
const R_386_16: u32 = 20;
const R_386_8: u32 = 22;

fn field(rtype: u32, a: &RelocAsk) -> Result<Fixup, String> {
    Ok(Fixup { rtype, target: Target::Field, addend: a.addend })
}

fn check_modifier(a: &RelocAsk) -> Result<bool, String> {
    match a.modifier {
        None => Ok(false),
        Some(m) if m.eq_ignore_ascii_case("plt") && a.pc_relative => Ok(true),
        Some(m) => Err(format!("`{}`: the relocation operator `@{m}` is not supported here", a.insn)),
    }
}

fn reloc_64(a: &RelocAsk) -> Result<Fixup, String> {
    let plt = check_modifier(a)?;
    match (a.pc_relative, a.bits) {
        // GNU as: a call or jump to another file's symbol goes through the PLT.
        (true, Some(32)) if a.kind == Kind::Address && (a.named || plt) => field(R_X86_64_PLT32, a),
        (true, Some(32)) => field(R_X86_64_PC32, a),
        (false, Some(64)) => field(R_X86_64_64, a),
        (false, Some(32)) if a.signed => field(R_X86_64_32S, a),
        (false, Some(32)) => field(R_X86_64_32, a),
        (false, Some(16)) => field(R_X86_64_16, a),
        (false, Some(8)) => field(R_X86_64_8, a),
        _ => Err(unrelocatable(a)),
    }
}

fn reloc_32(a: &RelocAsk) -> Result<Fixup, String> {
    check_modifier(a)?;
    match (a.pc_relative, a.bits) {
        (true, Some(32)) => field(R_386_PC32, a),
        (false, Some(32)) => field(R_386_32, a),
        (false, Some(16)) => field(R_386_16, a),
        (false, Some(8)) => field(R_386_8, a),
        _ => Err(unrelocatable(a)),
    }
}

fn unrelocatable(a: &RelocAsk) -> String {
    let what = if a.pc_relative { "a PC-relative" } else { "an" };
    match a.bits {
        Some(b) => format!("`{}`: no relocation for {what} {b}-bit field", a.insn),
        None => format!("`{}`: this operand cannot take a relocation", a.insn),
    }
}

/// GNU as's other spellings of a line: a size suffix objdump leaves out ([`unsuffixed`]),
/// a condition's other name (`jnb` is `jae`, `setz` is `sete`, `cmovnge` is `cmovl`),
/// `sal` for `shl`, and a memory operand without its scale (`(%rsi,%rdi)` is
/// `(%rsi,%rdi,1)`).
fn respell(mnemonic: &str, operands: &str) -> Option<(String, String)> {
    // gcc's `rep bsf` is `tzcnt` (and `rep bsr` `lzcnt`), as objdump shows them.
    if mnemonic == "rep" {
        let (word, rest) = operands.trim_start().split_once(|c: char| c.is_whitespace())?;
        let counted = match word.strip_prefix("bsf").map(|_| "tzcnt").or(word.strip_prefix("bsr").map(|_| "lzcnt")) {
            Some(c) => format!("{c}{}", &word[3..]),
            None => return None,
        };
        return respell(&counted, rest.trim_start()).or(Some((counted, rest.trim_start().to_string())));
    }
    let m = aliased(mnemonic)
        .or_else(|| unsuffixed(mnemonic, operands).map(|u| aliased(&u).unwrap_or(u)))
        .unwrap_or_else(|| mnemonic.to_string());
    let ops = with_scales(operands);
    (m != mnemonic || ops != operands).then_some((m, ops))
}

/// A mnemonic's name in objdump's spelling, when GNU as takes it as another's.
fn aliased(mnemonic: &str) -> Option<String> {
    const CONDITIONS: [(&str, &str); 14] = [
        ("c", "b"),
        ("nae", "b"),
        ("nc", "ae"),
        ("nb", "ae"),
        ("z", "e"),
        ("nz", "ne"),
        ("na", "be"),
        ("nbe", "a"),
        ("pe", "p"),
        ("po", "np"),
        ("nge", "l"),
        ("nl", "ge"),
        ("ng", "le"),
        ("nle", "g"),
    ];
    if mnemonic == "sal" {
        return Some("shl".into());
    }
    ["j", "set", "cmov"].iter().find_map(|p| {
        let cc = mnemonic.strip_prefix(p)?;
        CONDITIONS.iter().find(|(a, _)| *a == cc).map(|(_, c)| format!("{p}{c}"))
    })
}

/// Memory operands of two registers with their scale (AT&T's default, 1) written out.
fn with_scales(operands: &str) -> String {
    let mut out = String::with_capacity(operands.len() + 2);
    let mut rest = operands;
    while let Some(open) = rest.find('(') {
        let Some(len) = rest[open..].find(')') else { break };
        let inner = &rest[open + 1..open + len];
        out.push_str(&rest[..open + len]);
        let parts: Vec<&str> = inner.split(',').map(str::trim).collect();
        if parts.len() == 2 && parts[1].starts_with('%') {
            out.push_str(",1");
        }
        rest = &rest[open + len..];
    }
    out.push_str(rest);
    out
}

/// AT&T's operand-size suffix on a mnemonic that objdump shows without one (`movq $5,%rax`,
/// `addl %eax,%ebx`, `pushq $1`, `callq`): the mnemonic without it, when every register
/// operand is of that size.
fn unsuffixed(mnemonic: &str, operands: &str) -> Option<String> {
    let bits = match mnemonic.as_bytes().last()? {
        b'b' => 8,
        b'w' => 16,
        b'l' => 32,
        b'q' => 64,
        _ => return None,
    };
    let mut depth = 0;
    let mut start = 0;
    let mut ops = Vec::new();
    for (i, c) in operands.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            ',' if depth == 0 => {
                ops.push(&operands[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    ops.push(&operands[start..]);
    let sized = |r: &str| -> Option<u32> {
        const GPR: [&str; 8] = ["ax", "cx", "dx", "bx", "sp", "bp", "si", "di"];
        if ["al", "cl", "dl", "bl", "ah", "ch", "dh", "bh", "spl", "bpl", "sil", "dil"].contains(&r) {
            return Some(8);
        }
        if GPR.contains(&r) {
            return Some(16);
        }
        if r.strip_prefix('e').is_some_and(|x| GPR.contains(&x)) {
            return Some(32);
        }
        if r.strip_prefix('r').is_some_and(|x| GPR.contains(&x)) {
            return Some(64);
        }
        let n = r.strip_prefix('r')?;
        let digits = n.trim_end_matches(|c: char| c.is_ascii_alphabetic());
        if digits.is_empty() || !digits.bytes().all(|c| c.is_ascii_digit()) {
            return None;
        }
        match &n[digits.len()..] {
            "b" | "l" => Some(8),
            "w" => Some(16),
            "d" => Some(32),
            "" => Some(64),
            _ => None,
        }
    };
    // The last register operand (not a memory operand's base or segment) gives the size:
    // the destination, where a shift's count is `%cl`.
    let last = ops
        .iter()
        .rev()
        .map(|o| o.trim())
        .find_map(|op| op.strip_prefix('%').filter(|r| r.bytes().all(|c| c.is_ascii_alphanumeric())));
    if let Some(r) = last {
        if sized(&r.to_ascii_lowercase()) != Some(bits) {
            return None;
        }
    }
    Some(mnemonic[..mnemonic.len() - 1].to_string())
}

/// `sym(%rip)` (and `sym(%eip)`): the value before the register is the displacement from
/// the next instruction.
fn next_pc_relative(form: &Form, k: u16) -> bool {
    let mut parts = form.parts.iter();
    while let Some(p) = parts.next() {
        if let Part::Value { value, .. } = p {
            if *value == k {
                return matches!(parts.next(), Some(Part::Text(t)) if t.starts_with("(%rip)") || t.starts_with("(%eip)"));
            }
        }
    }
    false
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
    spelling: Spelling { register_prefix: None, respell },
    comment: "#",
    section_align: 1,
    pad_sections: false,
    auto_align_data: false,
    align_is_power: false,
    reloc: reloc_64,
    next_pc_relative,
    data_reloc: data_reloc_64,
    modifier,
    directive,
};

pub static ASM_32: AsmArch = AsmArch {
    context: &[("mode", 1)],
    elf_machine: super::EM_386,
    is_64: false,
    rela: false,
    reloc: reloc_32,
    data_reloc: data_reloc_32,
    ..ASM_64
};

#[cfg(test)]
mod tests {
    use super::{respell, unsuffixed};

    #[test]
    fn gnu_as_spellings() {
        let r = |m: &str, o: &str| respell(m, o);
        assert_eq!(r("jnb", ".L5"), Some(("jae".into(), ".L5".into())));
        assert_eq!(r("setz", "%al"), Some(("sete".into(), "%al".into())));
        assert_eq!(r("sall", "$7, %eax"), Some(("shl".into(), "$7, %eax".into())));
        assert_eq!(r("cmovnl", "%eax,%ebx"), Some(("cmovge".into(), "%eax,%ebx".into())));
        assert_eq!(r("leal", "(%rsi,%rdi), %eax"), Some(("lea".into(), "(%rsi,%rdi,1), %eax".into())));
        assert_eq!(r("lea", "8(%rsi, %rdi), %eax"), Some(("lea".into(), "8(%rsi, %rdi,1), %eax".into())));
        assert_eq!(r("mov", "(%rsi,%rdi,4), %eax"), None);
        assert_eq!(r("sarl", "%cl, %eax"), Some(("sar".into(), "%cl, %eax".into())));
        assert_eq!(r("rep", "bsfq\t%rbp, %rcx"), Some(("tzcnt".into(), "%rbp, %rcx".into())));
        assert_eq!(r("rep", "bsrl %ebx, %ecx"), Some(("lzcnt".into(), "%ebx, %ecx".into())));
        assert_eq!(r("jae", "1f"), None);
    }

    #[test]
    fn size_suffixes_agree_with_register_operands() {
        assert_eq!(unsuffixed("movq", "$5, %rax").as_deref(), Some("mov"));
        assert_eq!(unsuffixed("addl", "%eax,%ebx").as_deref(), Some("add"));
        assert_eq!(unsuffixed("movb", "%al, (%rax)").as_deref(), Some("mov"));
        assert_eq!(unsuffixed("movq", "%fs:40, %r10").as_deref(), Some("mov"));
        assert_eq!(unsuffixed("pushq", "$1").as_deref(), Some("push"));
        assert_eq!(unsuffixed("movw", "%r9w, %r10w").as_deref(), Some("mov"));
        assert_eq!(unsuffixed("movl", "%r9d, %eax").as_deref(), Some("mov"));
        // The suffix and a register disagree, or nothing to take off.
        assert_eq!(unsuffixed("movl", "$5, %rax"), None);
        assert_eq!(unsuffixed("movb", "%ax, %bx"), None);
        assert_eq!(unsuffixed("mov", "%eax, %ebx"), None);
    }
}
