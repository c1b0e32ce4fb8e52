//! The checked model of one variant (an architecture with one core's options and parameters):
//! resolved tokens, fields, patterns and displays. Produced by `check`, read by `tree` and `gen`.

use crate::ast::{Block, ByteOrder, Expr};
use crate::diag::Span;
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq)]
pub enum ParamValue {
    Int(i128),
    Bool(bool),
    Str(String),
    Ident(String),
    List(Vec<ParamValue>),
}

#[derive(Debug, Clone)]
pub struct RegFile {
    pub name: String,
    pub count: u64,
    pub width: u32,
    pub names: Vec<String>,
    pub zero: Option<u64>,
    /// A windowed file: its `count` registers are a window into a larger physical file.
    pub window: Option<Window>,
}

/// Register `i` of a windowed file is physical register `(base * unit + i) mod physical`
/// (Xtensa's AR with WindowBase, SPARC's windows with CWP).
#[derive(Debug, Clone)]
pub struct Window {
    pub physical: u64,
    /// The register that holds the window base.
    pub base: String,
    pub unit: u64,
}

impl RegFile {
    /// The registers the CPU state holds for this file (the physical file, when windowed).
    pub fn storage(&self) -> u64 {
        self.window.as_ref().map_or(self.count, |w| w.physical)
    }
    /// The storage padded to a power of two (so a masked index never leaves it).
    pub fn slots(&self) -> u64 {
        self.storage().max(1).next_power_of_two()
    }
}

#[derive(Debug, Clone)]
pub struct Reg {
    pub name: String,
    pub width: u32,
    pub fields: Vec<(String, u32, u32)>,
}

#[derive(Debug, Clone)]
pub struct Field {
    pub name: String,
    pub width: u32,
    /// (hi, lo) parts, most significant first, for little- and big-endian reading.
    pub little: Vec<(u32, u32)>,
    pub big: Vec<(u32, u32)>,
}

impl Field {
    pub fn parts(&self, be: bool) -> &[(u32, u32)] {
        if be {
            &self.big
        } else {
            &self.little
        }
    }
    /// Mask and value in token bit numbering that make this field equal `v`.
    pub fn encode(&self, be: bool, v: u64) -> (u64, u64) {
        let mut mask = 0u64;
        let mut val = 0u64;
        // Total even for fields the checker rejected (bits beyond 63, layouts of other widths).
        let mut shift = self.width;
        for &(hi, lo) in self.parts(be) {
            let n = hi.saturating_sub(lo) + 1;
            shift = shift.saturating_sub(n);
            let part = v.checked_shr(shift).unwrap_or(0) & ones(n);
            mask |= ones(n).checked_shl(lo).unwrap_or(0);
            val |= part.checked_shl(lo).unwrap_or(0);
        }
        (mask, val)
    }
}

pub fn ones(n: u32) -> u64 {
    if n >= 64 {
        u64::MAX
    } else {
        (1u64 << n) - 1
    }
}

#[derive(Debug, Clone)]
pub struct Token {
    pub name: String,
    pub width: u32,
    /// Fixed byte order, or None to follow the core's ENDIAN.
    pub order: Option<ByteOrder>,
    pub fields: Vec<Field>,
}

impl Token {
    pub fn field(&self, name: &str) -> Option<usize> {
        self.fields.iter().position(|f| f.name == name)
    }
    pub fn bytes(&self) -> u32 {
        self.width / 8
    }
    /// Whether this token is read big-endian when the core is `core_be`.
    pub fn is_be(&self, core_be: bool) -> bool {
        match self.order {
            Some(ByteOrder::Big) => true,
            Some(ByteOrder::Little) => false,
            None => core_be,
        }
    }
}

#[derive(Debug, Clone)]
pub struct CtxVar {
    pub name: String,
    pub width: u32,
    pub derived: Option<Expr>,
    /// Persistent context: kept in bits `lo..lo+width` of register `reg` (`bound REG.FIELD`),
    /// read when a block is looked up (it is part of the block key) and written by
    /// `set_context`.
    pub bound: Option<Bound>,
}

/// Where a persistent context variable lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bound {
    pub reg: String,
    pub field: Option<String>,
    /// The field's lowest bit in the register (0 for a whole register).
    pub lo: u32,
    /// The variable's offset in the block key's context word.
    pub key_off: u32,
}

/// A constraint `field (=|!=) value` on one token field.
#[derive(Debug, Clone)]
pub struct FieldConstraint {
    pub field: usize,
    pub equal: bool,
    pub value: u64,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct Segment {
    /// The token read at this position, if any atom names one.
    pub token: Option<usize>,
    pub constraints: Vec<FieldConstraint>,
    /// Tables that start at this position.
    pub tables: Vec<usize>,
}

#[derive(Debug, Clone)]
pub struct Pattern {
    pub segments: Vec<Segment>,
    /// Constraints on context variables: (var, equal, value).
    pub ctx: Vec<(usize, bool, u64)>,
    pub span: Span,
}

impl Pattern {
    /// Number of leading segments whose offsets are known without running a table.
    pub fn static_len(&self) -> usize {
        let mut n = 0;
        for s in &self.segments {
            n += 1;
            if !s.tables.is_empty() {
                break;
            }
        }
        n
    }
}

/// Where a name used by an instruction comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Operand {
    /// Field `field` of the token at segment `seg`.
    Field { seg: usize, token: usize, field: usize },
    /// The value of table `table` at segment `seg`.
    Table { seg: usize, table: usize },
}

#[derive(Debug, Clone)]
pub struct Display {
    pub parts: Vec<DisplayPart>,
    pub cond: Option<Expr>,
    pub span: Span,
    /// Only the assembler reads it (`asm "..."`).
    pub asm_only: bool,
}

#[derive(Debug, Clone)]
pub enum DisplayPart {
    Text(String),
    Value {
        expr: Expr,
        fmt: Fmt,
    },
    /// `{#}`: the rest of this display is a trailing comment, printed at the end of the
    /// line after every operand (x86 objdump's `# ADDRESS` after a %rip-relative operand).
    Comment,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fmt {
    Unsigned,
    Signed,
    Hex,
    SignedHex,
    Addr,
    /// Look the value up in a `names` table or register file.
    Names(String),
    /// The display of a table operand.
    Table(usize),
    /// A register name: `regfile[index]`.
    RegName(String),
}

#[derive(Debug, Clone)]
pub struct Insn {
    pub name: String,
    pub pattern: Pattern,
    /// Every operand name in scope, in a fixed order.
    pub operands: BTreeMap<String, Operand>,
    pub displays: Vec<Display>,
    pub sem: Option<Block>,
    pub span: Span,
    /// `path:line` of the declaration, for generated comments.
    pub origin: String,
    /// The guards wrapped around the semantics, outermost first (for generated comments).
    pub guards: Vec<String>,
    /// The spec functions inlined into the semantics or displays (for generated comments).
    pub inlined: Vec<String>,
    /// A table alternative's export (`sem` is then its block run before the instruction's
    /// semantics, `after` its block run after them).
    pub export: Option<Export>,
    pub after: Option<Block>,
}

/// What a table alternative yields to the instruction that uses the table.
#[derive(Debug, Clone)]
pub enum Export {
    /// A value (read only).
    Value(Expr),
    /// A register: read and written.
    Reg(String),
    /// A register-file element.
    RegFile { file: String, index: Expr },
    /// `mem(N, address)`: N bits of guest memory, loaded when read, stored when written.
    Mem { size: u32, addr: Expr },
}

impl Export {
    pub fn writable(&self) -> bool {
        !matches!(self, Export::Value(_))
    }
}

#[derive(Debug, Clone)]
pub struct Table {
    pub name: String,
    pub alts: Vec<Insn>,
    pub span: Span,
    /// The width every alternative exports, when they do.
    pub export_width: Option<u32>,
    /// Whether every alternative exports a location (so the table can be assigned).
    pub writable: bool,
}

impl Table {
    /// Whether an instruction using the table has a step before its semantics (an export
    /// to compute or an alternative's block to run).
    pub fn has_before(&self) -> bool {
        self.alts.iter().any(|a| a.export.is_some() || a.sem.is_some())
    }
    /// Whether it has a step after them (an alternative's `after` block).
    pub fn has_after(&self) -> bool {
        self.alts.iter().any(|a| a.after.is_some())
    }
}

#[derive(Debug, Clone)]
pub struct Prefix {
    pub pattern: Pattern,
    pub last: bool,
    pub assigns: Vec<(usize, Expr)>,
    pub operands: BTreeMap<String, Operand>,
}

#[derive(Debug, Clone)]
pub struct Helper {
    pub name: String,
    pub params: Vec<(String, u32)>,
    pub ret: Option<u32>,
    pub flags: Vec<String>,
    /// The registers or register files `reads(...)` and `writes(...)` name: the only CPU
    /// state the helper touches (empty: all of it, when the flag is given).
    pub reads: Vec<String>,
    pub writes: Vec<String>,
}

/// A pure spec function (`fn`), inlined by the checker wherever it is called.
#[derive(Debug, Clone)]
pub struct SpecFn {
    pub name: String,
    pub params: Vec<(String, u32)>,
    pub ret: u32,
    pub body: Expr,
    pub span: Span,
}

/// A register view (`view NAME[i: IW]: W { read = ...; write(v) { ... } }`): an indexed
/// name whose reads and writes the checker inlines as the given expression and statements.
#[derive(Debug, Clone)]
pub struct View {
    pub name: String,
    pub index: String,
    pub index_width: u32,
    pub width: u32,
    pub read: Expr,
    pub value: String,
    pub write: Block,
    pub span: Span,
}

/// A constant table (`const NAME[N]: W = [...]`), indexed at translation time.
#[derive(Debug, Clone)]
pub struct ConstTable {
    pub name: String,
    pub width: u32,
    pub values: Vec<u64>,
}

#[derive(Debug, Clone)]
pub struct Region {
    pub name: String,
    pub kind: String,
    pub base: u64,
    pub size: u64,
}

#[derive(Debug, Clone, Default)]
pub struct Syntax {
    /// Pad the mnemonic with spaces to this width and add one space (x86 objdump style);
    /// None: a tab between mnemonic and operands.
    pub mnemonic_pad: Option<u32>,
}

/// The widest value the IR carries (`Ty::I64`): registers, locals, helper arguments and
/// results, and every intermediate value are at most this many bits.
pub const IR_MAX_BITS: u32 = 64;
/// The most arguments a helper call may pass (the JIT's `MAX_ARGS`; a runtime test checks
/// that the two agree).
pub const IR_MAX_HELPER_ARGS: usize = 8;

/// Everything the generator needs for one variant.
#[derive(Debug, Clone)]
pub struct Variant {
    pub isa: String,
    pub name: String,
    pub default_be: bool,
    pub options: Vec<String>,
    pub params: BTreeMap<String, ParamValue>,
    pub syntax: Syntax,
    pub regfiles: Vec<RegFile>,
    pub regs: Vec<Reg>,
    pub names: BTreeMap<String, BTreeMap<u64, String>>,
    pub tokens: Vec<Token>,
    pub context: Vec<CtxVar>,
    pub prefixes: Vec<Prefix>,
    pub tables: Vec<Table>,
    pub insns: Vec<Insn>,
    pub helpers: Vec<Helper>,
    pub exceptions: BTreeMap<String, u64>,
    pub regions: Vec<Region>,
    pub fns: Vec<SpecFn>,
    pub consts: Vec<ConstTable>,
    pub views: Vec<View>,
    /// Semantics run after every instruction's (`epilogue { ... }`), functions inlined.
    pub epilogue: Option<Block>,
    /// The delay-slot model (`next_pc delayed { ... }`); None: instructions run in sequence
    /// and every jump takes effect at the end of its instruction.
    pub delay_slot: Option<DelaySlot>,
}

/// `next_pc delayed { ... }`: a delayed jump takes effect after the next instruction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DelaySlot {
    /// A jump in a delay slot raises this exception (code) instead of running (MIPS:
    /// ReservedInstruction).
    SlotBranchRaises(u64),
    /// The architecture's next-PC register (SPARC's npc): a jump in a delay slot is defined
    /// (a DCTI couple: one instruction at the first target, then the second target).
    Register(String),
}

impl Variant {
    pub fn token_index(&self, name: &str) -> Option<usize> {
        self.tokens.iter().position(|t| t.name == name)
    }
    pub fn table_index(&self, name: &str) -> Option<usize> {
        self.tables.iter().position(|t| t.name == name)
    }
    /// The length in bytes every instruction has, when they all have one (tokens only).
    pub fn fixed_insn_bytes(&self) -> Option<u32> {
        let mut lens = self.insns.iter().map(|i| {
            let segs = &i.pattern.segments;
            let fixed = segs.iter().all(|s| s.tables.is_empty() && s.token.is_some());
            fixed.then(|| segs.iter().filter_map(|s| s.token).map(|t| self.tokens[t].bytes()).sum::<u32>())
        });
        let first = lens.next()??;
        lens.all(|l| l == Some(first)).then_some(first)
    }
    /// The bit of the block key's context word that says a block starts with its next PC
    /// elsewhere than after its first instruction (`next_pc delayed { register = R; }`).
    pub fn npc_key_bit(&self) -> Option<u32> {
        match &self.delay_slot {
            Some(DelaySlot::Register(_)) => {
                Some(self.bound_context().map(|(c, b)| b.key_off + c.width).max().unwrap_or(0))
            }
            _ => None,
        }
    }
    /// The persistent (bound) context variables, in key order.
    pub fn bound_context(&self) -> impl Iterator<Item = (&CtxVar, &Bound)> {
        self.context.iter().filter_map(|c| c.bound.as_ref().map(|b| (c, b)))
    }
    /// Whether writing bits `lo..=hi` of register `reg` may change persistent context.
    pub fn writes_context(&self, reg: &str, hi: u32, lo: u32) -> bool {
        self.bound_context().any(|(c, b)| b.reg == reg && b.lo <= hi && lo < b.lo + c.width)
    }
    pub fn ctx_index(&self, name: &str) -> Option<usize> {
        self.context.iter().position(|c| c.name == name)
    }
    pub fn spec_fn(&self, name: &str) -> Option<&SpecFn> {
        self.fns.iter().find(|f| f.name == name)
    }
    pub fn view(&self, name: &str) -> Option<&View> {
        self.views.iter().find(|x| x.name == name)
    }
    pub fn const_table(&self, name: &str) -> Option<&ConstTable> {
        self.consts.iter().find(|c| c.name == name)
    }
}
