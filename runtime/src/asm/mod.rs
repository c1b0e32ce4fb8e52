//! `specemu as`: an assembler generated from the specs. Each display of each instruction is
//! a form (`form.rs`, tables the generator emits); a line is matched against the forms of
//! its mnemonic (`operands.rs`), its values are evaluated (`expr.rs`) and the fields that
//! give them are solved for (`solve.rs`); GNU as's directives and the two passes are in
//! `source/`, and the ELF object in `elf.rs`.
//!
//! What an architecture adds (ELF machine and flags, relocation types, its own directives
//! and spellings) comes through [`AsmArch`]; this module names no architecture.

pub mod compose;
pub mod data;
pub mod elf;
pub mod exact;
pub mod expr;
pub mod form;
/// The tables' byte format, shared with the generator.
#[path = "../../../codegen/src/asm_format.rs"]
pub mod format;
pub mod operands;
pub mod solve;
pub mod solve_ctx;
pub mod source;

use form::{AsmTable, Kind};

/// One core the assembler can encode for.
#[derive(Clone, Copy)]
pub struct AsmCore {
    pub name: &'static str,
    pub table: AsmTable,
    pub default_big_endian: bool,
}

/// How a value that the file cannot resolve itself reaches the object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fixup {
    /// The ELF relocation type.
    pub rtype: u32,
    /// The value the instruction is encoded with: for REL, what carries the addend; for
    /// RELA, anything the linker overwrites.
    pub target: Target,
    /// RELA's addend.
    pub addend: i64,
}

/// The value to encode a relocated operand with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    Value(u64),
    /// Whatever the operand is with its fields zero (the linker writes them).
    Zero,
    /// The operand's field is the relocation's: the assembler leaves it zero (RELA) or puts
    /// the addend in it (REL), places the relocation at the field's first byte, and, for an
    /// offset from the instruction (or the next one), adds the field's distance from that
    /// address to the addend (x86's `call puts`: PLT32 `puts-4`).
    Field,
}

/// A relocated operand, as the architecture sees it.
#[derive(Debug, Clone)]
pub struct RelocAsk<'a> {
    /// The instruction (spec name) and the operand's kind.
    pub insn: &'a str,
    pub kind: Kind,
    /// Whether the operand is an offset from the instruction's address.
    pub pc_relative: bool,
    /// The relocation operator written (`hi` for `%hi(x)`).
    pub modifier: Option<&'a str>,
    /// The offset from the symbol (its offset in its section, for a section symbol).
    pub addend: i64,
    /// The instruction's address in its section.
    pub pc: u64,
    /// The width of the operand's field, when the operand is one field's value.
    pub bits: Option<u32>,
    /// Whether the operand sign-extends its field (a `sext` or a signed number).
    pub signed: bool,
    /// Whether the symbol is a named one (another file's) rather than a section's.
    pub named: bool,
}

/// What an architecture tells the assembler.
#[derive(Clone, Copy)]
pub struct AsmArch {
    pub cores: fn() -> Vec<AsmCore>,
    /// The decoder context the code is assembled for (x86's code size), by name.
    pub context: &'static [(&'static str, u64)],
    pub elf_machine: u16,
    pub is_64: bool,
    /// Relocations with explicit addends (RELA) rather than in the bytes (REL).
    pub rela: bool,
    /// The ELF header's flags for a core, byte order and the modes directives set.
    pub e_flags: fn(&str, bool, &std::collections::HashMap<String, String>) -> u32,
    /// Checks an instruction (its mnemonic) against the modes directives set, before it is
    /// assembled (MIPS refuses a branch where GNU as would reorder).
    pub insn_check: fn(&std::collections::HashMap<String, String>, &str) -> Result<(), String>,
    pub spelling: operands::Spelling,
    /// Characters that start a comment anywhere on a line.
    pub comment: &'static str,
    /// The alignment a new section starts with, and whether each section's size is padded
    /// to its alignment at the end (GNU as does both on MIPS).
    pub section_align: u64,
    pub pad_sections: bool,
    /// Whether `.half`, `.word` and `.quad` align themselves to their size (GNU as on MIPS).
    pub auto_align_data: bool,
    /// Whether `.align N` means 2^N bytes (else N bytes).
    pub align_is_power: bool,
    /// The relocation for an instruction operand; an error says why it cannot be one.
    pub reloc: fn(&RelocAsk) -> Result<Fixup, String>,
    /// Whether value `k` of a form, written with a symbol, stands for that address's offset
    /// from the next instruction (x86's `sym(%rip)`); a plain number there is the offset.
    pub next_pc_relative: fn(&form::Form, u16) -> bool,
    /// The relocation for a data word of this many bytes (`.word sym`).
    pub data_reloc: fn(usize) -> Option<u32>,
    /// A relocation operator applied to a number known here (`%hi(0x12345678)`).
    pub modifier: fn(&str, i64) -> Option<i64>,
    /// The architecture's own directives (`.set noreorder`, `.literal`): None when the
    /// directive is not one of them.
    pub directive: fn(&mut source::Assembler, &str, &str) -> Option<Result<(), String>>,
}

/// [`AsmArch::next_pc_relative`] for architectures whose syntax has no such operand.
pub fn no_next_pc_relative(_: &form::Form, _: u16) -> bool {
    false
}

/// An error at a place in a source file, with the line and a caret under the column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AsmError {
    pub file: String,
    pub line: usize,
    pub col: usize,
    pub text: String,
    pub message: String,
}

impl std::fmt::Display for AsmError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(f, "{}:{}:{}: error: {}", self.file, self.line, self.col, self.message)?;
        writeln!(f, "  {}", self.text)?;
        write!(f, "  {}^", " ".repeat(self.col.saturating_sub(1)))
    }
}

impl std::error::Error for AsmError {}
