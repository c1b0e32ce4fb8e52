//! Disassembly front end: picks an architecture and core, decodes instruction by instruction,
//! and formats lines the way GNU `objdump -d --no-show-raw-insn` does.

use crate::targets;
use std::fmt::Write as _;

/// Guest architectures known to the disassembler.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Arch {
    Mips,
    Xtensa,
    X86_64,
    I386,
}

/// A chosen architecture variant with its byte order and initial decoder context.
#[derive(Clone, Copy)]
pub struct Disassembler {
    pub arch: Arch,
    pub core: &'static str,
    pub big_endian: bool,
    one: crate::arch::DisasOneFn,
    ctx: &'static [(&'static str, u64)],
}

#[derive(Debug, thiserror::Error)]
pub enum DisasError {
    #[error("unknown CPU `{cpu}` for {arch}; available: {available}")]
    UnknownCpu { cpu: String, arch: &'static str, available: String },
}

impl Disassembler {
    /// The disassembler for `arch`; `cpu` names a core where the architecture has several.
    pub fn new(arch: Arch, big_endian: bool, cpu: Option<&str>) -> Result<Self, DisasError> {
        let (name, variants, lookup): (&'static str, &'static [&'static str], fn(&str) -> Option<_>) = match arch {
            Arch::Mips => ("mips", targets::mips::VARIANTS, |n| targets::mips::variant(n).map(conv_mips)),
            Arch::Xtensa => ("xtensa", targets::xtensa::VARIANTS, |n| targets::xtensa::variant(n).map(conv_xtensa)),
            Arch::X86_64 | Arch::I386 => ("x86", targets::x86::VARIANTS, |n| targets::x86::variant(n).map(conv_x86)),
        };
        let default = match arch {
            Arch::Xtensa => "lx106",
            _ => variants.first().copied().unwrap_or(""),
        };
        let want = cpu.unwrap_or(default);
        let Some((core, one)) = lookup(want) else {
            return Err(DisasError::UnknownCpu { cpu: want.to_string(), arch: name, available: variants.join(", ") });
        };
        let ctx: &'static [(&'static str, u64)] = match arch {
            Arch::X86_64 => &[("mode", 2)],
            Arch::I386 => &[("mode", 1)],
            _ => &[],
        };
        Ok(Disassembler { arch, core, big_endian, one, ctx })
    }

    /// Disassemble one instruction at `pc`: its length and text (`mnemonic\toperands`).
    pub fn one(&self, bytes: &[u8], pc: u64, sym: &dyn Fn(u64, &mut String)) -> Option<(usize, String)> {
        (self.one)(bytes, pc, self.big_endian, self.ctx, sym)
    }
}

fn conv_mips(v: targets::mips::Variant) -> (&'static str, crate::arch::DisasOneFn) {
    (v.name, v.disas_one)
}
fn conv_xtensa(v: targets::xtensa::Variant) -> (&'static str, crate::arch::DisasOneFn) {
    (v.name, v.disas_one)
}
fn conv_x86(v: targets::x86::Variant) -> (&'static str, crate::arch::DisasOneFn) {
    (v.name, v.disas_one)
}

/// What objdump prints for bytes that are not an instruction of the core.
pub fn bad_line(arch: Arch, bytes: &[u8], big_endian: bool) -> (usize, String) {
    let mut s = String::new();
    match arch {
        Arch::Mips => {
            let n = bytes.len().min(4);
            let mut w = 0u32;
            for i in 0..n {
                let b = bytes[if big_endian { i } else { n - 1 - i }] as u32;
                w = (w << 8) | b;
            }
            let _ = write!(s, ".word\t{w:#x}");
            (n.max(1), s)
        }
        Arch::Xtensa => {
            let _ = write!(s, ".byte\t{:#02x}", bytes.first().copied().unwrap_or(0));
            (1, s)
        }
        Arch::X86_64 | Arch::I386 => (1, "(bad)".to_string()),
    }
}
