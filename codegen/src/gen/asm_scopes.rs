//! Assembler data for instructions that read operand tables or decoder context (x86's
//! ModRM, SIB and displacement tables, and its operand size from prefixes): each such
//! instruction and each table alternative as a *scope* (its pattern's tokens and tables, its
//! displays with `Table` parts, trees over its own fields and the context), which the
//! assembler composes into flat forms when it first needs them (`runtime/src/asm/compose.rs`),
//! so that a table is emitted once and not once per instruction that reads it. Also the
//! context's derivations, and the prefixes as the assembler chooses them.
//!
//! Emits data only. Knows no architecture.

use super::asm::{data_const, node, reg_names, seg_field, shown, token, value_part, Resolve, ValuePart};
use super::asm_data::{t_bin, t_const, t_ctx, t_field, t_opaque, Tree, W};
use super::expr::Env;
use crate::asm_format::{binop, part};
use crate::ast::Expr;
use crate::model::*;
use proc_macro2::TokenStream;
use quote::quote;

/// A scope's names: its operand fields by index (a table operand is opaque), then the
/// context by variable index.
fn scope_name(v: &Variant, ins: &Insn, n: &str) -> Option<(Tree, Option<u32>)> {
    match ins.operands.get(n) {
        Some(op @ Operand::Field { .. }) => {
            let k = ins.operands.keys().position(|x| x == n)? as u16;
            Some((t_field(k), crate::check::operand_width(v, op)))
        }
        Some(Operand::Table { .. }) => Some((t_opaque(), None)),
        None => ctx_name(v, n),
    }
}

fn ctx_name(v: &Variant, n: &str) -> Option<(Tree, Option<u32>)> {
    let ci = v.ctx_index(n)?;
    Some((t_ctx(ci as u16), Some(v.context[ci].width)))
}

/// `ctx == val` (or `!=`) over the tree of a context variable.
fn ctx_test(n: &[u8], eq: bool, val: u64) -> Tree {
    t_bin(if eq { binop::EQ } else { binop::NE }, n, &t_const(val))
}

/// One display of a scope, encoded.
fn display(v: &Variant, ins: &Insn, d: &Display) -> Result<Vec<u8>, String> {
    let res: Resolve = &|n: &str| scope_name(v, ins, n);
    let env = Env { v, operands: &ins.operands, via_struct: false, pc_width: Some(64), lowering: false };
    let mut parts = Vec::new();
    for p in &d.parts {
        let mut w = W::default();
        match p {
            DisplayPart::Comment => w.byte(part::COMMENT),
            DisplayPart::Text(t) => w.byte(part::TEXT).str(t),
            DisplayPart::Value { fmt: Fmt::Table(t), .. } => w.byte(part::TABLE).num(*t as u64),
            DisplayPart::Value { expr, fmt } => {
                let e: &Expr = shown(expr, fmt);
                let width = env.gen(e, None)?.1.unwrap_or(64).min(64) as u8;
                let tree = node(v, res, e);
                match value_part(v, fmt) {
                    ValuePart::Reg(rf) => w.byte(part::REG).raw(&tree).num(rf as u64),
                    ValuePart::Names(names) => w.byte(part::NAMES).raw(&tree).raw(&names),
                    ValuePart::Number(kd) => w.byte(part::VALUE).raw(&tree).byte(kd),
                    ValuePart::Table => unreachable!("matched above"),
                }
                .byte(width)
            }
        };
        parts.push(w.done());
    }
    let cond = d.cond.as_ref().map(|c| node(v, res, c));
    let mut w = W::default();
    w.list(&parts).opt(cond.as_deref()).flag(d.asm_only);
    Ok(w.done())
}

/// An instruction or table alternative as a scope, encoded.
pub fn scope(v: &Variant, ins: &Insn) -> Result<Vec<u8>, String> {
    let mut w = W::default();
    w.str(&ins.name).num(ins.pattern.segments.len() as u64);
    for (si, seg) in ins.pattern.segments.iter().enumerate() {
        match seg.token {
            Some(t) => {
                let tok = &v.tokens[t];
                let mut fs = Vec::new();
                let mut tfields = Vec::new();
                for (k, op) in ins.operands.values().enumerate() {
                    if let Operand::Field { seg: s, field, .. } = op {
                        if *s == si {
                            fs.push(seg_field(tok, *field, k as u16));
                            tfields.push(*field as u64);
                        }
                    }
                }
                w.byte(1).num(t as u64).raw(&token(tok, &seg.constraints, 0, &fs)).nums(tfields.into_iter());
            }
            None => {
                w.byte(0);
            }
        }
        w.nums(seg.tables.iter().map(|t| *t as u64));
    }
    let ctx: Vec<Tree> = ins.pattern.ctx.iter().map(|&(ci, eq, val)| ctx_test(&t_ctx(ci as u16), eq, val)).collect();
    let widths = ins.operands.values().map(|o| crate::check::operand_width(v, o).unwrap_or(64) as u64);
    let displays = ins.displays.iter().map(|d| display(v, ins, d)).collect::<Result<Vec<_>, _>>()?;
    w.list(&ctx).nums(widths.collect::<Vec<_>>().into_iter()).list(&displays);
    Ok(w.done())
}

/// `asm_scopes()`: the instructions that need composing (`flat`), every table's
/// alternatives, and the context's derivations, as a byte string (`ASM_SCOPES`).
pub fn gen_scopes(v: &Variant, flat: &[&Insn]) -> Result<TokenStream, String> {
    let mut w = W::default();
    let insns = flat.iter().map(|ins| scope(v, ins)).collect::<Result<Vec<_>, _>>()?;
    w.list(&insns).num(v.tables.len() as u64);
    for t in &v.tables {
        let alts = t.alts.iter().map(|alt| scope(v, alt)).collect::<Result<Vec<_>, _>>()?;
        w.list(&alts);
    }
    w.num(v.context.len() as u64);
    for c in &v.context {
        let derived = c.derived.as_ref().map(|e| node(v, &|n: &str| ctx_name(v, n), e));
        w.opt(derived.as_deref());
    }
    let data = data_const("ASM_SCOPES", &w.done());
    let regs = reg_names(v);
    Ok(quote! {
        #data
        /// The instructions the assembler composes from operand tables and context, every
        /// table's alternatives, and each context variable's derivation (None: a base one).
        pub fn asm_scopes() -> crate::asm::compose::ScopeSet {
            crate::asm::data::scopes(ASM_SCOPES, #regs)
        }
    })
}

/// The base (not derived) context variables: the first fields of every composed form.
fn base_context(v: &Variant) -> Vec<usize> {
    (0..v.context.len()).filter(|&i| v.context[i].derived.is_none()).collect()
}

/// The tree of context variable `ci` over the base variables (as fields): a base variable's
/// field, or a derived one's definition.
fn ctx_node(v: &Variant, ci: usize) -> Tree {
    let c = &v.context[ci];
    match &c.derived {
        None => t_field(base_context(v).iter().position(|&b| b == ci).unwrap_or(0) as u16),
        Some(e) => node(v, &|n: &str| ctx_field(v, n), e),
    }
}

fn ctx_field(v: &Variant, n: &str) -> Option<(Tree, Option<u32>)> {
    let ci = v.ctx_index(n)?;
    Some((ctx_node(v, ci), Some(v.context[ci].width)))
}

/// `asm_context()` and `asm_prefixes()`: the base context variables (name, width, whether a
/// prefix sets it) and each prefix as the assembler chooses it (`ASM_PREFIXES`).
pub fn gen_prefixes(v: &Variant) -> Result<TokenStream, String> {
    let base = base_context(v);
    let vars: Vec<TokenStream> = base
        .iter()
        .map(|&ci| {
            let c = &v.context[ci];
            let (n, w) = (&c.name, c.width);
            let set = v.prefixes.iter().any(|p| p.assigns.iter().any(|(a, _)| *a == ci));
            quote!((#n, #w, #set))
        })
        .collect();
    let mut w = W::default();
    w.num(v.prefixes.len() as u64);
    for p in &v.prefixes {
        let seg = &p.pattern.segments[0];
        let Some(t) = seg.token else { return Err("a prefix without a token".into()) };
        let tok = &v.tokens[t];
        let names: Vec<&String> = p.operands.keys().collect();
        let res = |n: &str| -> Option<(Tree, Option<u32>)> {
            match p.operands.get(n) {
                Some(op) => {
                    let k = (base.len() + names.iter().position(|x| *x == n)?) as u16;
                    Some((t_field(k), crate::check::operand_width(v, op)))
                }
                None => ctx_field(v, n),
            }
        };
        let mut widths: Vec<u64> = base.iter().map(|&c| v.context[c].width as u64).collect();
        let mut fs = Vec::new();
        for (j, op) in p.operands.values().enumerate() {
            widths.push(crate::check::operand_width(v, op).unwrap_or(64) as u64);
            if let Operand::Field { field, .. } = op {
                fs.push(seg_field(tok, *field, (base.len() + j) as u16));
            }
        }
        let when = p
            .pattern
            .ctx
            .iter()
            .map(|&(ci, eq, val)| ctx_test(&ctx_node(v, ci), eq, val))
            .reduce(|a, b| t_bin(binop::LAND, &a, &b));
        let mut assigns = Vec::new();
        for (ci, e) in &p.assigns {
            let Some(k) = base.iter().position(|b| b == ci) else {
                return Err("a prefix that sets a derived context variable".into());
            };
            let mut a = W::default();
            a.num(k as u64).raw(&node(v, &res, e));
            assigns.push(a.done());
        }
        w.raw(&token(tok, &seg.constraints, 0, &fs)).nums(widths.into_iter()).opt(when.as_deref());
        w.flag(p.last).list(&assigns);
    }
    let data = data_const("ASM_PREFIXES", &w.done());
    Ok(quote! {
        /// The decoder context's base variables (name, width, set by a prefix), in the order
        /// of the first fields of the forms that read context.
        pub fn asm_context() -> Vec<(&'static str, u32, bool)> {
            vec![#(#vars),*]
        }
        #data
        /// The prefixes, in spec order, as the assembler chooses them.
        pub fn asm_prefixes() -> Vec<crate::asm::form::PrefixForm> {
            crate::asm::data::prefixes(ASM_PREFIXES)
        }
    })
}
