//! The assembler's view of an instruction (`data.rs` reads them from the generator's tables):
//! one [`Form`] per display of each instruction, with the display's parts, the expression
//! trees of its values, its encoding and an exact evaluator. This file holds the types and
//! the encoding of field values into bytes; solving is in `solve.rs`, matching text in
//! `operands.rs`. It knows no architecture.

/// An instruction's display, as the assembler reads it.
pub struct Form {
    /// The spec's instruction name.
    pub insn: &'static str,
    /// An `asm` display (GNU as's spelling): tried before the displays objdump prints.
    pub asm_only: bool,
    pub parts: Vec<Part>,
    /// The display's condition (evaluator index, tree), which the fields must satisfy.
    pub cond: Option<(u16, Node)>,
    /// How many operand fields the instruction has (the evaluator's `f`), and their widths.
    pub nfields: usize,
    pub widths: Vec<u32>,
    /// The width of each evaluator value (a display value's, or 1 for the condition).
    pub value_widths: Vec<u8>,
    pub segs: Vec<Seg>,
    /// How many of the first fields are the decoder context's base variables
    /// ([`AsmTable::context`]'s order); 0 for a form that reads no context.
    pub nctx: usize,
    /// The exact evaluator (`exact.rs`): one program per value `k` of the display (and its
    /// condition), computing it from the fields exactly as the disassembler does. None: the
    /// assembler checks the form by disassembling what it encoded (forms of operand tables
    /// and decoder context, and values the programs cannot express).
    pub eval: Option<Vec<&'static [u8]>>,
}

impl Form {
    /// The instruction's length in bytes.
    pub fn len(&self) -> usize {
        self.segs.iter().map(|s| s.at as usize + s.bytes as usize).max().unwrap_or(0)
    }
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// Value `k` (or the condition) for these field values, exactly; None without an
    /// evaluator.
    pub fn value(&self, k: usize, fields: &[u64], pc: u64, npc: u64) -> Option<u64> {
        super::exact::run(self.eval.as_ref()?.get(k)?, fields, pc, npc)
    }
    /// The mnemonic's leading text (before any value in it).
    pub fn mnemonic_prefix(&self) -> &'static str {
        match self.parts.first() {
            Some(Part::Text(t)) => t,
            _ => "",
        }
    }
}

/// One part of a display.
#[derive(Clone)]
pub enum Part {
    /// Literal text.
    Text(&'static str),
    /// Between the mnemonic and the operands.
    Sep,
    /// A number: evaluator value `value`, whose tree the solver inverts.
    Value { value: u16, tree: Node, kind: Kind },
    /// A register of a register file, by index.
    Reg { value: u16, tree: Node, names: &'static [&'static str] },
    /// A name from a `names` table, by value.
    Names { value: u16, tree: Node, names: Vec<(u64, &'static str)> },
}

/// How a number is shown, which says what values it accepts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Unsigned,
    Signed,
    /// A code address (a branch or jump target).
    Address,
}

/// A display value's expression, for solving (structure only; [`Form::eval`] is exact).
#[derive(Debug, Clone)]
pub enum Node {
    Const(u64),
    /// Operand field `k` of the form.
    Field(u16),
    Pc,
    NextPc,
    Neg(Box<Node>),
    Not(Box<Node>),
    Bin(BinOp, Box<Node>, Box<Node>),
    /// `a :: b`, `b` being this many bits wide.
    Concat(Box<Node>, Box<Node>, u32),
    /// Sign extension of a value this many bits wide.
    Sext(Box<Node>, u32),
    Zext(Box<Node>),
    /// `c ? a : b`.
    Cond(Box<Node>, Box<Node>, Box<Node>),
    /// Decoder context variable `k` (in scopes only: composing a form replaces it).
    Ctx(u16),
    /// Anything the solver does not invert (it can still be checked).
    Opaque,
}

impl Node {
    /// The operand fields `n` reads, in tree order (repeats kept).
    pub fn fields(&self, out: &mut Vec<u16>) {
        match self {
            Node::Field(k) => out.push(*k),
            Node::Neg(a) | Node::Not(a) | Node::Sext(a, _) | Node::Zext(a) => a.fields(out),
            Node::Bin(_, a, b) | Node::Concat(a, b, _) => {
                a.fields(out);
                b.fields(out);
            }
            Node::Cond(c, a, b) => {
                c.fields(out);
                a.fields(out);
                b.fields(out);
            }
            Node::Const(_) | Node::Pc | Node::NextPc | Node::Ctx(_) | Node::Opaque => {}
        }
    }

    pub fn negate(a: Node) -> Node {
        Node::Neg(Box::new(a))
    }
    pub fn invert(a: Node) -> Node {
        Node::Not(Box::new(a))
    }
    pub fn bin(op: BinOp, a: Node, b: Node) -> Node {
        Node::Bin(op, Box::new(a), Box::new(b))
    }
    pub fn concat(a: Node, b: Node, w: u32) -> Node {
        Node::Concat(Box::new(a), Box::new(b), w)
    }
    pub fn sext(a: Node, w: u32) -> Node {
        Node::Sext(Box::new(a), w)
    }
    pub fn zext(a: Node) -> Node {
        Node::Zext(Box::new(a))
    }
    pub fn cond(c: Node, a: Node, b: Node) -> Node {
        Node::Cond(Box::new(c), Box::new(a), Box::new(b))
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinOp {
    Add,
    Sub,
    Mul,
    And,
    Or,
    Xor,
    Shl,
    Shr,
    Eq,
    Ne,
    /// Unsigned comparisons.
    Lt,
    Le,
    Gt,
    Ge,
    LAnd,
    LOr,
}

/// Fixed bits of a token: `mask`/`value` from the pattern's `=` constraints, and the
/// (mask, value) pairs its `!=` constraints forbid.
#[derive(Clone)]
pub struct Fixed {
    pub mask: u64,
    pub value: u64,
    pub not: Vec<(u64, u64)>,
}

/// Where operand field `field` sits in a token, for each byte order: (hi, lo) bit ranges,
/// most significant first.
#[derive(Clone)]
pub struct SegField {
    pub field: u16,
    pub little: Vec<(u32, u32)>,
    pub big: Vec<(u32, u32)>,
}

/// One token of the encoding.
#[derive(Clone)]
pub struct Seg {
    /// Its offset in the instruction (tokens of an operand table's alternative may share
    /// bytes with the instruction's: ModRM read by both).
    pub at: u8,
    pub bytes: u8,
    /// Fixed byte order (`Some(true)`: big-endian), or None to follow the core's.
    pub order: Option<bool>,
    pub little: Fixed,
    pub big: Fixed,
    pub fields: Vec<SegField>,
}

/// Decodes the start of the bytes: the instruction's length and spec name.
pub type DecodedFn = fn(&[u8], bool) -> Option<(usize, &'static str)>;

/// Disassembles one instruction: (bytes, address, big-endian, decoder context, address
/// formatter) to its length and text.
pub type DisasOneFn = fn(&[u8], u64, bool, &[(&str, u64)], &dyn Fn(u64, &mut String)) -> Option<(usize, String)>;

/// A prefix as the assembler chooses it: its token, the context it needs (`when`) and the
/// context variables it sets. Fields: the base context variables, then the token's.
pub struct PrefixForm {
    pub seg: Seg,
    pub nfields: usize,
    pub widths: Vec<u32>,
    pub when: Option<Node>,
    /// The decoder takes no prefix after this one.
    pub last: bool,
    /// (base context variable, its new value's tree).
    pub assigns: Vec<(u16, Node)>,
}

/// What a variant gives the assembler.
#[derive(Clone, Copy)]
pub struct AsmTable {
    /// Every form (built when called).
    pub forms: fn() -> Vec<Form>,
    /// Instructions without forms, and why.
    pub unsupported: fn() -> Vec<(&'static str, &'static str)>,
    /// The length and spec name of the instruction the bytes start with, if they decode.
    pub decoded: DecodedFn,
    /// The decoder context's base variables: (name, width, whether a prefix sets it).
    pub context: fn() -> Vec<(&'static str, u32, bool)>,
    /// The prefixes, in spec order.
    pub prefixes: fn() -> Vec<PrefixForm>,
    /// Instructions composed from operand tables and context (`compose.rs`).
    pub scopes: fn() -> super::compose::ScopeSet,
    /// The disassembler, which checks forms without an evaluator.
    pub disas_one: DisasOneFn,
}

/// A mask of the low `n` bits.
pub(crate) fn ones(n: u32) -> u64 {
    if n >= 64 {
        u64::MAX
    } else {
        (1u64 << n) - 1
    }
}

/// The low `w` bits of `v`, sign-extended (0 for a width of 0).
pub(crate) fn sext(v: u64, w: u32) -> i64 {
    match w {
        0 => 0,
        64.. => v as i64,
        _ => ((v << (64 - w)) as i64) >> (64 - w),
    }
}

/// The bytes of `form` with these field values; None when a `!=` constraint forbids them.
pub fn encode(form: &Form, fields: &[u64], big_endian: bool) -> Option<Vec<u8>> {
    let mut out = vec![0u8; form.len()];
    for seg in &form.segs {
        encode_seg(seg, fields, big_endian, &mut out)?;
    }
    Some(out)
}

/// Token `seg` with these field values, or'ed into `out` at its offset; None when its fixed
/// bits do not hold.
pub fn encode_seg(seg: &Seg, fields: &[u64], big_endian: bool, out: &mut [u8]) -> Option<()> {
    {
        let be = seg.order.unwrap_or(big_endian);
        let fixed = if be { &seg.big } else { &seg.little };
        let mut t = fixed.value;
        for f in &seg.fields {
            let v = fields.get(f.field as usize).copied().unwrap_or(0);
            t = put(t, if be { &f.big } else { &f.little }, v);
        }
        if (t & fixed.mask) != fixed.value || fixed.not.iter().any(|&(m, v)| t & m == v) {
            return None;
        }
        let n = seg.bytes as usize;
        for i in 0..n {
            let sh = if be { 8 * (n - 1 - i) } else { 8 * i };
            *out.get_mut(seg.at as usize + i)? |= (t >> sh) as u8;
        }
    }
    Some(())
}

/// Give each field the display left unset the bits the pattern and the set fields leave
/// there (zero elsewhere): `bgez`'s `rt` from the pattern, and a field that overlaps a set
/// one (`mfhc2`'s `rd` inside its 16-bit operand) from that one.
pub fn fill_unknown(form: &Form, fields: &mut [Option<u64>], big_endian: bool) {
    for seg in &form.segs {
        fill_seg(seg, fields, big_endian);
    }
}

/// Set the unknown fields whose every bit the pattern fixes or a known field covers
/// (ModRM's `mod` in a form of one of its values; x86's `r3b`, the low bits of the opcode
/// byte `b2`), so that the solver reads them as known.
pub fn fill_fixed(form: &Form, fields: &mut [Option<u64>], big_endian: bool) {
    for seg in &form.segs {
        let be = seg.order.unwrap_or(big_endian);
        let fixed = if be { &seg.big } else { &seg.little };
        let parts_of = |f: &SegField| if be { f.big.clone() } else { f.little.clone() };
        let mask_of = |f: &SegField| parts_of(f).iter().fold(0u64, |m, &(hi, lo)| m | (ones(hi - lo + 1) << lo));
        let (mut known, mut t) = (fixed.mask, fixed.value & fixed.mask);
        for f in &seg.fields {
            if let Some(Some(v)) = fields.get(f.field as usize) {
                known |= mask_of(f);
                t = put(t, &parts_of(f), *v);
            }
        }
        for f in &seg.fields {
            let mask = mask_of(f);
            if mask & known == mask {
                if let Some(slot @ None) = fields.get_mut(f.field as usize) {
                    let mut v = 0u64;
                    for (hi, lo) in parts_of(f) {
                        let n = hi - lo + 1;
                        v = v.checked_shl(n).unwrap_or(0) | ((t >> lo) & ones(n));
                    }
                    *slot = Some(v);
                }
            }
        }
    }
}

/// [`fill_unknown`] for one token.
pub fn fill_seg(seg: &Seg, fields: &mut [Option<u64>], big_endian: bool) {
    {
        let be = seg.order.unwrap_or(big_endian);
        let fixed = if be { &seg.big } else { &seg.little };
        let parts_of = |f: &SegField| if be { f.big.clone() } else { f.little.clone() };
        let mut t = fixed.value & fixed.mask;
        for f in &seg.fields {
            if let Some(Some(v)) = fields.get(f.field as usize) {
                t = put(t, &parts_of(f), *v);
            }
        }
        for f in &seg.fields {
            let Some(slot) = fields.get_mut(f.field as usize) else { continue };
            if slot.is_none() {
                let mut v = 0u64;
                for (hi, lo) in parts_of(f) {
                    let n = hi - lo + 1;
                    v = v.checked_shl(n).unwrap_or(0) | ((t >> lo) & ones(n));
                }
                *slot = Some(v);
            }
        }
    }
}

/// `t` with the field at `parts` set to `v`.
fn put(mut t: u64, parts: &[(u32, u32)], v: u64) -> u64 {
    let width: u32 = parts.iter().map(|&(hi, lo)| hi - lo + 1).sum();
    let mut shift = width;
    for &(hi, lo) in parts {
        let n = hi - lo + 1;
        shift -= n;
        let piece = v.checked_shr(shift).unwrap_or(0) & ones(n);
        t = (t & !(ones(n) << lo)) | (piece << lo);
    }
    t
}
