//! Generated assembler tables: each display of each instruction as an assembler *form* (the
//! display's text and values, the expression trees of its values for the solver, its
//! encoding), and one exact evaluator per form for checking a solution. The engine that
//! reads them (`runtime/src/asm/`) is generic; this file emits data and evaluators only.
//!
//! An instruction that reads operand tables, or of a variant whose prefixes set decoder
//! context, is emitted as a scope instead (`asm_scopes.rs`; the assembler composes its
//! forms). A form whose pattern needs decoder context is kept: the assembler's check that
//! the bytes decode as that instruction (with the core's default context) rejects it where
//! the context does not hold.

use super::asm_data::{t_bin, t_concat, t_cond, t_const, t_field, t_leaf, t_opaque, t_sext, t_un, tree_op, Tree, W};
use super::expr::Env;
use crate::asm_format::{kind, node as tag, order as ord, part};
use crate::ast::{BinOp, Expr, UnOp};
use crate::model::*;
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

/// How a display's names reach the solver: a name's tree and width (`None`: not an operand
/// or context name of this form, so `pc`, a parameter, or opaque).
pub(super) type Resolve<'a> = &'a dyn Fn(&str) -> Option<(Tree, Option<u32>)>;

/// A resolver for an instruction's own operand fields, by their index.
fn fields_of(v: &Variant, ins: &Insn, n: &str) -> Option<(Tree, Option<u32>)> {
    let k = ins.operands.keys().position(|k| k == n)? as u16;
    Some((t_field(k), crate::check::operand_width(v, &ins.operands[n])))
}

/// The expression tree of `e` (structure only: the evaluator, or the disassembler, gives
/// exact values).
pub(super) fn node(v: &Variant, res: Resolve, e: &Expr) -> Tree {
    match e {
        Expr::Int(x, _) => t_const(*x as u64),
        Expr::Bool(b, _) => t_const(*b as u64),
        Expr::Name(i) => {
            if let Some((t, _)) = res(&i.name) {
                return t;
            }
            match (i.name.as_str(), v.params.get(&i.name)) {
                ("pc", _) => t_leaf(tag::PC),
                ("next_pc", _) => t_leaf(tag::NEXT_PC),
                (_, Some(ParamValue::Int(x))) => t_const(*x as u64),
                (_, Some(ParamValue::Bool(b))) => t_const(*b as u64),
                _ => t_opaque(),
            }
        }
        Expr::Unary(op, a, _) => {
            let a = node(v, res, a);
            match op {
                UnOp::Neg => t_un(tag::NEG, &a),
                UnOp::Not => t_un(tag::NOT, &a),
                UnOp::LNot => t_opaque(),
            }
        }
        Expr::Binary(op, a, b, _) => {
            let wb = width(v, res, b);
            let (a, b) = (node(v, res, a), node(v, res, b));
            match (op, tree_op(*op), wb) {
                (BinOp::Concat, _, Some(w)) => t_concat(&a, &b, w),
                (BinOp::Concat, _, None) | (_, None, _) => t_opaque(),
                (_, Some(o), _) => t_bin(o, &a, &b),
            }
        }
        Expr::Ternary(c, a, b, _) => t_cond(&node(v, res, c), &node(v, res, a), &node(v, res, b)),
        Expr::Call(name, args, _) if matches!(name.name.as_str(), "sext" | "zext") && !args.is_empty() => {
            let a = node(v, res, &args[0]);
            match (name.name.as_str(), width(v, res, &args[0])) {
                ("sext", Some(w)) => t_sext(&a, w),
                _ => t_un(tag::ZEXT, &a),
            }
        }
        _ => t_opaque(),
    }
}

/// The width of `e` where the solver needs it (the right side of `::`, a sign extension's
/// source); None where it does not matter or is not plain.
fn width(v: &Variant, res: Resolve, e: &Expr) -> Option<u32> {
    match e {
        Expr::Name(i) => res(&i.name).and_then(|(_, w)| w),
        Expr::Call(n, args, _) if matches!(n.name.as_str(), "sext" | "zext") => {
            super::expr::const_eval(v, args.get(1)?).map(|w| w as u32)
        }
        Expr::Slice(_, hi, lo, _) => {
            let (h, l) = (super::expr::const_eval(v, hi)?, super::expr::const_eval(v, lo)?);
            Some((h - l + 1) as u32)
        }
        Expr::Binary(BinOp::Concat, a, b, _) => Some(width(v, res, a)? + width(v, res, b)?),
        Expr::Binary(BinOp::Add | BinOp::Sub | BinOp::And | BinOp::Or | BinOp::Xor, a, b, _) => {
            match (width(v, res, a), width(v, res, b)) {
                (Some(x), Some(y)) => Some(x.max(y)),
                (x, y) => x.or(y),
            }
        }
        _ => None,
    }
}

/// Display parts, encoded, built up one display at a time.
#[derive(Default)]
pub(super) struct Render {
    pub parts: Vec<Vec<u8>>,
    /// Past the space that ends the mnemonic.
    pub in_ops: bool,
    /// Values so far (the next value's index).
    pub nvalues: u16,
}

impl Render {
    /// Literal text; the first space outside the operands ends the mnemonic.
    pub fn text(&mut self, t: &str) {
        let mut t = t;
        if !self.in_ops {
            if let Some(i) = t.find(' ') {
                let (a, b) = t.split_at(i);
                if !a.is_empty() {
                    self.parts.push(W::default().byte(part::TEXT).str(a).done());
                }
                self.parts.push(vec![part::SEP]);
                self.in_ops = true;
                t = b.trim_start();
            }
        }
        if !t.is_empty() {
            self.parts.push(W::default().byte(part::TEXT).str(t).done());
        }
    }

    /// A value (not a table's display): its part, with the next value index, which it
    /// returns. A register or name is chosen by its index (`gpr[rs]`: `rs`).
    pub fn value(&mut self, v: &Variant, res: Resolve, expr: &Expr, fmt: &Fmt) -> u16 {
        let k = self.nvalues;
        self.nvalues += 1;
        let tree = node(v, res, shown(expr, fmt));
        let mut w = W::default();
        match value_part(v, fmt) {
            ValuePart::Reg(rf) => w.byte(part::REG).num(k as u64).raw(&tree).num(rf as u64),
            ValuePart::Names(names) => w.byte(part::NAMES).num(k as u64).raw(&tree).raw(&names),
            ValuePart::Number(kd) => w.byte(part::VALUE).num(k as u64).raw(&tree).byte(kd),
            ValuePart::Table => w.byte(part::TEXT).str("?"),
        };
        self.parts.push(w.done());
        k
    }
}

/// The expression a value part shows: a register's or name's index (`gpr[rs]`: `rs`).
pub(super) fn shown<'e>(expr: &'e Expr, fmt: &Fmt) -> &'e Expr {
    match (fmt, expr) {
        (Fmt::RegName(_) | Fmt::Names(_), Expr::Index(_, i, _)) => i,
        _ => expr,
    }
}

/// What a display value is, for the assembler.
pub(super) enum ValuePart {
    /// A register of the register file with this index.
    Reg(usize),
    /// A name of a `names` table (encoded: its keys and names).
    Names(Vec<u8>),
    /// A number of this `kind`.
    Number(u8),
    /// A table's display.
    Table,
}

pub(super) fn value_part(v: &Variant, fmt: &Fmt) -> ValuePart {
    match fmt {
        Fmt::RegName(rf) | Fmt::Names(rf) => match v.regfiles.iter().position(|r| &r.name == rf) {
            Some(i) => ValuePart::Reg(i),
            None => {
                let mut w = W::default();
                w.num(v.names[rf].len() as u64);
                for (key, name) in &v.names[rf] {
                    w.num(*key).str(name);
                }
                ValuePart::Names(w.done())
            }
        },
        Fmt::Table(_) => ValuePart::Table,
        Fmt::Unsigned | Fmt::Hex => ValuePart::Number(kind::UNSIGNED),
        Fmt::Signed | Fmt::SignedHex => ValuePart::Number(kind::SIGNED),
        Fmt::Addr => ValuePart::Number(kind::ADDRESS),
    }
}

/// One display's parts, encoded; values go to `evals` (their index is the evaluator's `k`).
fn parts(v: &Variant, res: Resolve, d: &Display, evals: &mut Vec<Expr>) -> Vec<Vec<u8>> {
    let mut r = Render::default();
    for part in &d.parts {
        match part {
            DisplayPart::Comment => break,
            DisplayPart::Text(t) => r.text(t),
            DisplayPart::Value { expr, fmt } => {
                r.value(v, res, expr, fmt);
                evals.push(shown(expr, fmt).clone());
            }
        }
    }
    r.parts
}

/// Whether `ins` needs composed forms (`asm_scopes.rs`, composed at run time): it reads
/// operand tables, or prefixes can change its decoder context.
fn needs_flat(v: &Variant, ins: &Insn) -> bool {
    !v.prefixes.is_empty()
        || ins.operands.values().any(|o| matches!(o, Operand::Table { .. }))
        || ins.pattern.segments.iter().any(|s| !s.tables.is_empty())
}

/// Why instruction `ins` has no assembler forms, if it has none.
fn unsupported(ins: &Insn) -> Option<&'static str> {
    if ins.pattern.segments.iter().any(|s| s.token.is_none()) {
        return Some("a pattern segment without a token");
    }
    None
}

/// The encoding of `ins`: one token per pattern segment, encoded.
fn segs(v: &Variant, ins: &Insn) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    let mut at = 0u8;
    for (si, seg) in ins.pattern.segments.iter().enumerate() {
        let Some(ti) = seg.token else { continue };
        let tok = &v.tokens[ti];
        let here = at;
        at += tok.bytes() as u8;
        let fields: Vec<Vec<u8>> = ins
            .operands
            .values()
            .enumerate()
            .filter_map(|(k, op)| match op {
                Operand::Field { seg: s, field, .. } if *s == si => Some(seg_field(tok, *field, k as u16)),
                _ => None,
            })
            .collect();
        out.push(token(tok, &seg.constraints, here, &fields));
    }
    out
}

/// A token at byte `at` with its fixed bits for both byte orders and these fields, encoded.
pub(super) fn token(tok: &Token, constraints: &[FieldConstraint], at: u8, fields: &[Vec<u8>]) -> Vec<u8> {
    let order = match tok.order {
        Some(crate::ast::ByteOrder::Big) => ord::BIG,
        Some(crate::ast::ByteOrder::Little) => ord::LITTLE,
        None => ord::CORE,
    };
    let mut w = W::default();
    w.byte(at).byte(tok.bytes() as u8).byte(order);
    for be in [false, true] {
        let (mut m, mut x) = (0u64, 0u64);
        let mut not = Vec::new();
        for fc in constraints {
            let (fm, fv) = tok.fields[fc.field].encode(be, fc.value);
            if fc.equal {
                m |= fm;
                x |= fv;
            } else {
                not.push((fm, fv));
            }
        }
        w.num(m).num(x).num(not.len() as u64);
        for (fm, fv) in not {
            w.num(fm).num(fv);
        }
    }
    w.list(fields);
    w.done()
}

/// Where field `field` of `tok` sits, for form field `k`, encoded.
pub(super) fn seg_field(tok: &Token, field: usize, k: u16) -> Vec<u8> {
    let f = &tok.fields[field];
    let mut w = W::default();
    w.num(k as u64);
    for bits in [&f.little, &f.big] {
        w.num(bits.len() as u64);
        for (h, l) in bits.iter() {
            w.num(*h as u64).num(*l as u64);
        }
    }
    w.done()
}

/// The register files' names, in register file order (what `REG` parts index).
pub(super) fn reg_names(v: &Variant) -> TokenStream {
    let names = v.regfiles.iter().map(|r| format_ident!("{}_NAMES", r.name.to_uppercase()));
    quote!(&[#(#names),*])
}

/// A byte string constant named `name` holding `bytes`.
pub(super) fn data_const(name: &str, bytes: &[u8]) -> TokenStream {
    let id = format_ident!("{}", name);
    let lit = proc_macro2::Literal::byte_string(bytes);
    quote!(const #id: &[u8] = #lit;)
}

/// `asm_forms()` and `asm_unsupported()` for one variant, with the scopes and prefixes: the
/// forms as a byte string (`ASM_FORMS`), read when first called.
pub fn gen_asm(v: &Variant) -> Result<TokenStream, String> {
    let pc_width = v.regs.iter().find(|r| r.name == "pc").map(|r| r.width).or(Some(64));
    let mut forms = Vec::new();
    let mut skipped = Vec::new();
    let mut flat = Vec::new();
    for ins in &v.insns {
        if needs_flat(v, ins) {
            flat.push(ins);
            continue;
        }
        if let Some(why) = unsupported(ins) {
            skipped.push(format!("{}\t{why}", ins.name));
            continue;
        }
        let env = Env { v, operands: &ins.operands, via_struct: false, pc_width, lowering: false };
        let res: Resolve = &|n: &str| fields_of(v, ins, n);
        let widths: Vec<u64> =
            ins.operands.values().map(|o| crate::check::operand_width(v, o).unwrap_or(64) as u64).collect();
        let segs = segs(v, ins);
        for d in &ins.displays {
            let mut evals = Vec::new();
            let parts = parts(v, res, d, &mut evals);
            let cond = d.cond.as_ref().map(|c| {
                let k = evals.len() as u64;
                evals.push(c.clone());
                let mut w = W::default();
                w.num(k).raw(&node(v, res, c));
                w.done()
            });
            let mut vwidths = Vec::new();
            let mut progs = Some(W::default());
            for e in &evals {
                let (_, w) = env.gen(e, None)?;
                vwidths.push(w.unwrap_or(64).min(64) as u8);
                match (super::asm_exact::program(&env, e), &mut progs) {
                    (Ok(p), Some(out)) => {
                        out.bytes(&p);
                    }
                    _ => progs = None,
                }
            }
            let progs = progs.map(|mut p| {
                let mut w = W::default();
                w.num(evals.len() as u64).raw(&p.done());
                w.done()
            });
            let mut w = W::default();
            w.str(&ins.name).flag(d.asm_only).nums(widths.iter().copied()).list(&parts).opt(cond.as_deref());
            w.bytes(&vwidths).list(&segs).opt(progs.as_deref());
            forms.push(w.done());
        }
    }
    let mut all = W::default();
    all.list(&forms);
    let data = data_const("ASM_FORMS", &all.done());
    let regs = reg_names(v);
    let skipped = skipped.join("\n");
    let prefixes = super::asm_scopes::gen_prefixes(v)?;
    let scopes = super::asm_scopes::gen_scopes(v, &flat)?;
    Ok(quote! {
        #prefixes
        #scopes
        #data
        /// Every display of every instruction as an assembler form, in spec order (the
        /// assembler takes the first form that encodes a line), but for those composed from
        /// `asm_scopes()`. Read from `ASM_FORMS` when called, so that the tables cost the
        /// program nothing until it assembles.
        pub fn asm_forms() -> Vec<crate::asm::form::Form> {
            crate::asm::data::forms(ASM_FORMS, #regs)
        }
        /// Instructions the assembler cannot encode yet, and why (one string, `name\twhy`
        /// lines, so that no table of pointers needs relocating at start-up).
        pub fn asm_unsupported() -> Vec<(&'static str, &'static str)> {
            #skipped.lines().filter_map(|l| l.split_once('\t')).collect()
        }
    })
}
