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

use super::decoder::insn_struct;
use super::expr::{lit, Env};
use crate::ast::{BinOp, Expr, UnOp};
use crate::model::*;
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

/// How a display's names reach the solver: a name's tree and width (`None`: not an operand
/// or context name of this form, so `pc`, a parameter, or opaque).
pub(super) type Resolve<'a> = &'a dyn Fn(&str) -> Option<(TokenStream, Option<u32>)>;

/// A resolver for an instruction's own operand fields, by their index.
fn fields_of(v: &Variant, ins: &Insn, n: &str) -> Option<(TokenStream, Option<u32>)> {
    let k = ins.operands.keys().position(|k| k == n)? as u16;
    Some((quote!(N::Field(#k)), crate::check::operand_width(v, &ins.operands[n])))
}

/// The expression tree of `e` as a `Node` constant (structure only: the evaluator, or the
/// disassembler, gives exact values).
pub(super) fn node(v: &Variant, res: Resolve, e: &Expr) -> TokenStream {
    match e {
        Expr::Int(x, _) => {
            let x = lit(*x as u64);
            quote!(N::Const(#x))
        }
        Expr::Bool(b, _) => {
            let x = lit(*b as u64);
            quote!(N::Const(#x))
        }
        Expr::Name(i) => {
            if let Some((t, _)) = res(&i.name) {
                return t;
            }
            match (i.name.as_str(), v.params.get(&i.name)) {
                ("pc", _) => quote!(N::Pc),
                ("next_pc", _) => quote!(N::NextPc),
                (_, Some(ParamValue::Int(x))) => {
                    let x = lit(*x as u64);
                    quote!(N::Const(#x))
                }
                (_, Some(ParamValue::Bool(b))) => {
                    let x = lit(*b as u64);
                    quote!(N::Const(#x))
                }
                _ => quote!(N::Opaque),
            }
        }
        Expr::Unary(op, a, _) => {
            let a = node(v, res, a);
            match op {
                UnOp::Neg => quote!(N::negate(#a)),
                UnOp::Not => quote!(N::invert(#a)),
                UnOp::LNot => quote!(N::Opaque),
            }
        }
        Expr::Binary(op, a, b, _) => {
            let wb = width(v, res, b);
            let (a, b) = (node(v, res, a), node(v, res, b));
            let o = match op {
                BinOp::Add => quote!(Add),
                BinOp::Sub => quote!(Sub),
                BinOp::Mul => quote!(Mul),
                BinOp::And => quote!(And),
                BinOp::Or => quote!(Or),
                BinOp::Xor => quote!(Xor),
                BinOp::Shl => quote!(Shl),
                BinOp::Shr | BinOp::Sar => quote!(Shr),
                BinOp::Eq => quote!(Eq),
                BinOp::Ne => quote!(Ne),
                BinOp::Lt => quote!(Lt),
                BinOp::Le => quote!(Le),
                BinOp::Gt => quote!(Gt),
                BinOp::Ge => quote!(Ge),
                BinOp::LAnd => quote!(LAnd),
                BinOp::LOr => quote!(LOr),
                BinOp::Concat => {
                    let Some(w) = wb else { return quote!(N::Opaque) };
                    return quote!(N::concat(#a, #b, #w));
                }
                _ => return quote!(N::Opaque),
            };
            quote!(N::bin(B::#o, #a, #b))
        }
        Expr::Ternary(c, a, b, _) => {
            let (c, a, b) = (node(v, res, c), node(v, res, a), node(v, res, b));
            quote!(N::cond(#c, #a, #b))
        }
        Expr::Call(name, args, _) if matches!(name.name.as_str(), "sext" | "zext") && !args.is_empty() => {
            let a = node(v, res, &args[0]);
            match (name.name.as_str(), width(v, res, &args[0])) {
                ("sext", Some(w)) => quote!(N::sext(#a, #w)),
                _ => quote!(N::zext(#a)),
            }
        }
        _ => quote!(N::Opaque),
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

/// Display parts as `Part` constants, built up one display (or table display) at a time.
#[derive(Default)]
pub(super) struct Render {
    pub parts: Vec<TokenStream>,
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
                    self.parts.push(quote!(P::Text(#a)));
                }
                self.parts.push(quote!(P::Sep));
                self.in_ops = true;
                t = b.trim_start();
            }
        }
        if !t.is_empty() {
            self.parts.push(quote!(P::Text(#t)));
        }
    }

    /// A value (not a table's display): its part, with the next value index, which it
    /// returns. A register or name is chosen by its index (`gpr[rs]`: `rs`).
    pub fn value(&mut self, v: &Variant, res: Resolve, expr: &Expr, fmt: &Fmt) -> u16 {
        let expr = match (fmt, expr) {
            (Fmt::RegName(_) | Fmt::Names(_), Expr::Index(_, i, _)) => i,
            _ => expr,
        };
        let k = self.nvalues;
        self.nvalues += 1;
        let tree = node(v, res, expr);
        self.parts.push(match fmt {
            Fmt::RegName(rf) | Fmt::Names(rf) => match v.regfiles.iter().find(|r| &r.name == rf) {
                Some(r) => {
                    let names = format_ident!("{}_NAMES", r.name.to_uppercase());
                    quote!(P::Reg { value: #k, tree: #tree, names: #names })
                }
                None => {
                    let (keys, joined) = names_table(v, rf);
                    quote!(P::names(#k, #tree, #keys, #joined))
                }
            },
            Fmt::Table(_) => quote!(P::Text("?")),
            Fmt::Unsigned | Fmt::Hex => quote!(P::Value { value: #k, tree: #tree, kind: K::Unsigned }),
            Fmt::Signed | Fmt::SignedHex => quote!(P::Value { value: #k, tree: #tree, kind: K::Signed }),
            Fmt::Addr => quote!(P::Value { value: #k, tree: #tree, kind: K::Address }),
        });
        k
    }
}

/// A `names` table as the assembler reads it: its keys as a `&[u64]` constant and its names
/// joined by newlines (an array of `&str` would be a table of pointers the loader relocates
/// at every start-up).
pub(super) fn names_table(v: &Variant, table: &str) -> (TokenStream, String) {
    let keys: Vec<TokenStream> = v.names[table].keys().map(|n| lit(*n)).collect();
    (quote!(&[#(#keys),*]), v.names[table].values().cloned().collect::<Vec<_>>().join("\n"))
}

/// One display's parts as `Part` constants; values go to `evals` (their index is the
/// evaluator's `k`).
fn parts(v: &Variant, res: Resolve, d: &Display, evals: &mut Vec<Expr>) -> Vec<TokenStream> {
    let mut r = Render::default();
    for part in &d.parts {
        match part {
            DisplayPart::Comment => break,
            DisplayPart::Text(t) => r.text(t),
            DisplayPart::Value { expr, fmt } => {
                r.value(v, res, expr, fmt);
                evals.push(match (fmt, expr) {
                    (Fmt::RegName(_) | Fmt::Names(_), Expr::Index(_, i, _)) => (**i).clone(),
                    _ => expr.clone(),
                });
            }
        }
    }
    r.parts
}

/// Whether `ins` needs composed forms (`asm_scopes.rs`, composed at run time): it reads operand tables, or prefixes can
/// change its decoder context.
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

/// The encoding of `ins`: one `Seg` per pattern segment.
fn segs(v: &Variant, ins: &Insn) -> Vec<TokenStream> {
    let mut out = Vec::new();
    let mut at = 0u8;
    for (si, seg) in ins.pattern.segments.iter().enumerate() {
        let Some(ti) = seg.token else { continue };
        let tok = &v.tokens[ti];
        let bytes = tok.bytes() as u8;
        let here = at;
        at += bytes;
        let order = order(tok);
        let (le, be) = (fixed(tok, &seg.constraints, false), fixed(tok, &seg.constraints, true));
        let mut fields = Vec::new();
        for (k, (_, op)) in ins.operands.iter().enumerate() {
            if let Operand::Field { seg: s, field, .. } = op {
                if *s == si {
                    fields.push(seg_field(tok, *field, k as u16));
                }
            }
        }
        out.push(
            quote!(Seg { at: #here, bytes: #bytes, order: #order, little: #le, big: #be, fields: vec![#(#fields),*] }),
        );
    }
    out
}

/// A token's fixed bits for one byte order, as a `Fixed` constant.
pub(super) fn fixed(tok: &Token, constraints: &[FieldConstraint], be: bool) -> TokenStream {
    let (mut m, mut x) = (0u64, 0u64);
    let mut not = Vec::new();
    for fc in constraints {
        let (fm, fv) = tok.fields[fc.field].encode(be, fc.value);
        if fc.equal {
            m |= fm;
            x |= fv;
        } else {
            let (fm, fv) = (lit(fm), lit(fv));
            not.push(quote!((#fm, #fv)));
        }
    }
    let (m, x) = (lit(m), lit(x));
    quote!(Fixed { mask: #m, value: #x, not: vec![#(#not),*] })
}

/// A token's byte order as an `Option<bool>` constant (`None`: the core's).
pub(super) fn order(tok: &Token) -> TokenStream {
    match tok.order {
        Some(crate::ast::ByteOrder::Big) => quote!(Some(true)),
        Some(crate::ast::ByteOrder::Little) => quote!(Some(false)),
        None => quote!(None),
    }
}

/// Where field `field` of `tok` sits, as a `SegField` for form field `k`.
pub(super) fn seg_field(tok: &Token, field: usize, k: u16) -> TokenStream {
    let f = &tok.fields[field];
    let pl: Vec<TokenStream> = f.little.iter().map(|(h, l)| quote!((#h, #l))).collect();
    let pb: Vec<TokenStream> = f.big.iter().map(|(h, l)| quote!((#h, #l))).collect();
    quote!(SegField { field: #k, little: vec![#(#pl),*], big: vec![#(#pb),*] })
}

/// `asm_forms()`, their evaluators and `asm_unsupported()` for one variant.
pub fn gen_asm(v: &Variant) -> Result<TokenStream, String> {
    let pc_width = v.regs.iter().find(|r| r.name == "pc").map(|r| r.width).or(Some(64));
    let mut forms = Vec::new();
    let mut fns = Vec::new();
    let mut skipped = Vec::new();
    let mut flat = Vec::new();
    for ins in &v.insns {
        let ffn = format_ident!("asm_forms_{}", insn_struct(ins).to_string().to_lowercase());
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
        let field_names: Vec<&String> = ins.operands.keys().collect();
        let widths: Vec<u32> = ins.operands.values().map(|o| crate::check::operand_width(v, o).unwrap_or(64)).collect();
        let binds: Vec<TokenStream> = field_names
            .iter()
            .enumerate()
            .map(|(i, n)| {
                let id = format_ident!("f_{}", n);
                quote!(let #id = f.get(#i).copied().unwrap_or(0);)
            })
            .collect();
        let segs = segs(v, ins);
        let mut insn_forms = Vec::new();
        for (di, d) in ins.displays.iter().enumerate() {
            let mut evals = Vec::new();
            let parts = parts(v, res, d, &mut evals);
            let cond = match &d.cond {
                Some(c) => {
                    let k = evals.len() as u16;
                    evals.push(c.clone());
                    let tree = node(v, res, c);
                    quote!(Some((#k, #tree)))
                }
                None => quote!(None),
            };
            let mut arms = Vec::new();
            let mut vwidths = Vec::new();
            for (k, e) in evals.iter().enumerate() {
                let (code, w) = env.gen(e, None)?;
                arms.push(quote!(#k => #code));
                vwidths.push(w.unwrap_or(64).min(64) as u8);
            }
            let fname = format_ident!("asm_eval_{}_{}", insn_struct(ins).to_string().to_lowercase(), di);
            fns.push(quote! {
                #[allow(unused_variables, clippy::all)]
                fn #fname(k: usize, f: &[u64], pc: u64, npc: u64) -> u64 {
                    let ctx = derived_context();
                    #(#binds)*
                    match k { #(#arms,)* _ => 0 }
                }
            });
            let name = &ins.name;
            let asm_only = d.asm_only;
            let nfields = field_names.len();
            insn_forms.push(quote! {
                out.push(Form {
                    insn: #name,
                    asm_only: #asm_only,
                    parts: vec![#(#parts),*],
                    cond: #cond,
                    nfields: #nfields,
                    widths: vec![#(#widths),*],
                    value_widths: vec![#(#vwidths),*],
                    segs: vec![#(#segs),*],
                    nctx: 0,
                    eval: Some(#fname),
                });
            });
        }
        fns.push(quote! {
            #[allow(clippy::all)]
            fn #ffn(out: &mut Vec<Form>) { #(#insn_forms)* }
        });
        forms.push(quote!(#ffn(&mut out);));
    }
    let skipped = skipped.join("\n");
    let prefixes = super::asm_scopes::gen_prefixes(v)?;
    let scopes = super::asm_scopes::gen_scopes(v, &flat)?;
    Ok(quote! {
        #prefixes
        #[allow(unused_imports)]
        use crate::asm::compose::{Scope, ScopeSeg, ScopeToken, ScopeDisplay, DPart as D};
        #scopes
        #[allow(unused_imports)]
        use crate::asm::form::{Form, Part as P, Kind as K, Node as N, BinOp as B, Seg, SegField, Fixed};
        #(#fns)*
        /// Every display of every instruction as an assembler form, in spec order (the
        /// assembler takes the first form that encodes a line), but for those composed from
        /// `asm_scopes()`. Built when called, so that the tables cost the program nothing
        /// until it assembles (no relocated statics).
        pub fn asm_forms() -> Vec<Form> {
            let mut out = Vec::new();
            #(#forms)*
            out
        }
        /// Instructions the assembler cannot encode yet, and why (one string, `name\twhy`
        /// lines, so that no table of pointers needs relocating at start-up).
        pub fn asm_unsupported() -> Vec<(&'static str, &'static str)> {
            #skipped.lines().filter_map(|l| l.split_once('\t')).collect()
        }
    })
}
