//! Assembler data for instructions that read operand tables or decoder context (x86's
//! ModRM, SIB and displacement tables, and its operand size from prefixes): each such
//! instruction and each table alternative as a *scope* (its pattern's tokens and tables, its
//! displays with `Table` parts, trees over its own fields and the context), which the
//! assembler composes into flat forms when it first needs them (`runtime/src/asm/compose.rs`),
//! so that a table is emitted once and not once per instruction that reads it. Also the
//! context's derivations, and the prefixes as the assembler chooses them.
//!
//! Emits data only. Knows no architecture.

use super::asm::{fixed, names_table, node, order, seg_field, Resolve};
use super::expr::{lit, Env};
use crate::ast::Expr;
use crate::model::*;
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

/// A scope's names: its operand fields by index (a table operand is opaque), then the
/// context by variable index.
fn scope_name(v: &Variant, ins: &Insn, n: &str) -> Option<(TokenStream, Option<u32>)> {
    match ins.operands.get(n) {
        Some(op @ Operand::Field { .. }) => {
            let k = ins.operands.keys().position(|x| x == n)? as u16;
            Some((quote!(N::Field(#k)), crate::check::operand_width(v, op)))
        }
        Some(Operand::Table { .. }) => Some((quote!(N::Opaque), None)),
        None => ctx_name(v, n),
    }
}

fn ctx_name(v: &Variant, n: &str) -> Option<(TokenStream, Option<u32>)> {
    let ci = v.ctx_index(n)?;
    let k = ci as u16;
    Some((quote!(N::Ctx(#k)), Some(v.context[ci].width)))
}

/// One display of a scope, as a `ScopeDisplay` constant.
fn display(v: &Variant, ins: &Insn, d: &Display) -> Result<TokenStream, String> {
    let res: Resolve = &|n: &str| scope_name(v, ins, n);
    let env = Env { v, operands: &ins.operands, via_struct: false, pc_width: Some(64), lowering: false };
    let mut parts = Vec::new();
    for part in &d.parts {
        parts.push(match part {
            DisplayPart::Comment => quote!(D::Comment),
            DisplayPart::Text(t) => quote!(D::Text(#t)),
            DisplayPart::Value { fmt: Fmt::Table(t), .. } => {
                let t = *t as u16;
                quote!(D::Table(#t))
            }
            DisplayPart::Value { expr, fmt } => {
                let e: &Expr = match (fmt, expr) {
                    (Fmt::RegName(_) | Fmt::Names(_), Expr::Index(_, i, _)) => i,
                    _ => expr,
                };
                let w = env.gen(e, None)?.1.unwrap_or(64).min(64) as u8;
                let tree = node(v, res, e);
                match fmt {
                    Fmt::RegName(rf) | Fmt::Names(rf) => match v.regfiles.iter().find(|r| &r.name == rf) {
                        Some(r) => {
                            let names = format_ident!("{}_NAMES", r.name.to_uppercase());
                            quote!(D::Reg { tree: #tree, names: #names, width: #w })
                        }
                        None => {
                            let (keys, joined) = names_table(v, rf);
                            quote!(D::Names { tree: #tree, keys: #keys, joined: #joined, width: #w })
                        }
                    },
                    Fmt::Unsigned | Fmt::Hex => quote!(D::Value { tree: #tree, kind: K::Unsigned, width: #w }),
                    Fmt::Signed | Fmt::SignedHex => quote!(D::Value { tree: #tree, kind: K::Signed, width: #w }),
                    Fmt::Addr => quote!(D::Value { tree: #tree, kind: K::Address, width: #w }),
                    Fmt::Table(_) => unreachable!(),
                }
            }
        });
    }
    let cond = match &d.cond {
        Some(c) => {
            let n = node(v, res, c);
            quote!(Some(#n))
        }
        None => quote!(None),
    };
    let asm_only = d.asm_only;
    Ok(quote!(ScopeDisplay { parts: vec![#(#parts),*], cond: #cond, asm_only: #asm_only }))
}

/// An instruction or table alternative as a `Scope` constant.
pub fn scope(v: &Variant, ins: &Insn) -> Result<TokenStream, String> {
    let mut segs = Vec::new();
    for (si, seg) in ins.pattern.segments.iter().enumerate() {
        let token = match seg.token {
            Some(t) => {
                let tok = &v.tokens[t];
                let (id, bytes, ord) = (t as u16, tok.bytes() as u8, order(tok));
                let (le, be) = (fixed(tok, &seg.constraints, false), fixed(tok, &seg.constraints, true));
                let mut fs = Vec::new();
                let mut tfields = Vec::new();
                for (k, op) in ins.operands.values().enumerate() {
                    if let Operand::Field { seg: s, field, .. } = op {
                        if *s == si {
                            fs.push(seg_field(tok, *field, k as u16));
                            let tf = *field as u16;
                            tfields.push(quote!(#tf));
                        }
                    }
                }
                quote!(Some(ScopeToken {
                    id: #id,
                    seg: Seg { at: 0, bytes: #bytes, order: #ord, little: #le, big: #be, fields: vec![#(#fs),*] },
                    tfields: vec![#(#tfields),*],
                }))
            }
            None => quote!(None),
        };
        let tables: Vec<u16> = seg.tables.iter().map(|t| *t as u16).collect();
        segs.push(quote!(ScopeSeg { token: #token, tables: vec![#(#tables),*] }));
    }
    let mut ctx = Vec::new();
    for &(ci, eq, val) in &ins.pattern.ctx {
        let k = ci as u16;
        let val = lit(val);
        let op = if eq { quote!(B::Eq) } else { quote!(B::Ne) };
        ctx.push(quote!(N::bin(#op, N::Ctx(#k), N::Const(#val))));
    }
    let widths: Vec<u32> = ins.operands.values().map(|o| crate::check::operand_width(v, o).unwrap_or(64)).collect();
    let displays = ins.displays.iter().map(|d| display(v, ins, d)).collect::<Result<Vec<_>, _>>()?;
    let name = &ins.name;
    Ok(quote!(Scope {
        name: #name,
        segs: vec![#(#segs),*],
        ctx: vec![#(#ctx),*],
        widths: vec![#(#widths),*],
        displays: vec![#(#displays),*],
    }))
}

/// `asm_scopes()`: the instructions that need composing (`flat`), every table's
/// alternatives, and the context's derivations.
pub fn gen_scopes(v: &Variant, flat: &[&Insn]) -> Result<TokenStream, String> {
    let mut fns = Vec::new();
    let mut insns = Vec::new();
    for (i, ins) in flat.iter().enumerate() {
        let f = format_ident!("asm_scope_{}", i);
        let s = scope(v, ins)?;
        fns.push(quote!(#[allow(clippy::all)] fn #f() -> Scope { #s }));
        insns.push(quote!(#f()));
    }
    let mut tables = Vec::new();
    for (ti, t) in v.tables.iter().enumerate() {
        let mut alts = Vec::new();
        for (ai, alt) in t.alts.iter().enumerate() {
            let f = format_ident!("asm_table_{}_{}", ti, ai);
            let s = scope(v, alt)?;
            fns.push(quote!(#[allow(clippy::all)] fn #f() -> Scope { #s }));
            alts.push(quote!(#f()));
        }
        tables.push(quote!(vec![#(#alts),*]));
    }
    let derived: Vec<TokenStream> = v
        .context
        .iter()
        .map(|c| match &c.derived {
            Some(e) => {
                let res: Resolve = &|n: &str| ctx_name(v, n);
                let n = node(v, res, e);
                quote!(Some(#n))
            }
            None => quote!(None),
        })
        .collect();
    Ok(quote! {
        #(#fns)*
        /// The instructions the assembler composes from operand tables and context, every
        /// table's alternatives, and each context variable's derivation (None: a base one).
        #[allow(clippy::all)]
        pub fn asm_scopes() -> crate::asm::compose::ScopeSet {
            crate::asm::compose::ScopeSet {
                insns: vec![#(#insns),*],
                tables: vec![#(#tables),*],
                derived: vec![#(#derived),*],
            }
        }
    })
}

/// The base (not derived) context variables: the first fields of every composed form.
fn base_context(v: &Variant) -> Vec<usize> {
    (0..v.context.len()).filter(|&i| v.context[i].derived.is_none()).collect()
}

/// The tree of context variable `ci` over the base variables (as fields): a base variable's
/// field, or a derived one's definition.
fn ctx_node(v: &Variant, ci: usize) -> TokenStream {
    let c = &v.context[ci];
    match &c.derived {
        None => {
            let k = base_context(v).iter().position(|&b| b == ci).unwrap_or(0) as u16;
            quote!(N::Field(#k))
        }
        Some(e) => {
            let res: Resolve = &|n: &str| ctx_field(v, n);
            node(v, res, e)
        }
    }
}

fn ctx_field(v: &Variant, n: &str) -> Option<(TokenStream, Option<u32>)> {
    let ci = v.ctx_index(n)?;
    Some((ctx_node(v, ci), Some(v.context[ci].width)))
}

/// `asm_context()` and `asm_prefixes()`: the base context variables (name, width, whether a
/// prefix sets it) and each prefix as the assembler chooses it.
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
    let mut pfx = Vec::new();
    for p in &v.prefixes {
        let seg = &p.pattern.segments[0];
        let Some(t) = seg.token else { return Err("a prefix without a token".into()) };
        let tok = &v.tokens[t];
        let names: Vec<&String> = p.operands.keys().collect();
        let res = |n: &str| -> Option<(TokenStream, Option<u32>)> {
            match p.operands.get(n) {
                Some(op) => {
                    let k = (base.len() + names.iter().position(|x| *x == n)?) as u16;
                    Some((quote!(N::Field(#k)), crate::check::operand_width(v, op)))
                }
                None => ctx_field(v, n),
            }
        };
        let mut widths: Vec<u32> = base.iter().map(|&c| v.context[c].width).collect();
        let mut fs = Vec::new();
        for (j, op) in p.operands.values().enumerate() {
            widths.push(crate::check::operand_width(v, op).unwrap_or(64));
            if let Operand::Field { field, .. } = op {
                fs.push(seg_field(tok, *field, (base.len() + j) as u16));
            }
        }
        let (bytes, ord) = (tok.bytes() as u8, order(tok));
        let (le, be) = (fixed(tok, &seg.constraints, false), fixed(tok, &seg.constraints, true));
        let mut when = Vec::new();
        for &(ci, eq, val) in &p.pattern.ctx {
            let n = ctx_node(v, ci);
            let val = lit(val);
            when.push(if eq {
                quote!(N::bin(B::Eq, #n, N::Const(#val)))
            } else {
                quote!(N::bin(B::Ne, #n, N::Const(#val)))
            });
        }
        let when = match when.split_first() {
            None => quote!(None),
            Some((f, rest)) => {
                let mut c = f.clone();
                for r in rest {
                    c = quote!(N::bin(B::LAnd, #c, #r));
                }
                quote!(Some(#c))
            }
        };
        let mut assigns = Vec::new();
        for (ci, e) in &p.assigns {
            let Some(k) = base.iter().position(|b| b == ci) else {
                return Err("a prefix that sets a derived context variable".into());
            };
            let k = k as u16;
            let n = node(v, &res, e);
            assigns.push(quote!((#k, #n)));
        }
        let nfields = widths.len();
        let last = p.last;
        pfx.push(quote! {
            out.push(crate::asm::form::PrefixForm {
                seg: Seg { at: 0, bytes: #bytes, order: #ord, little: #le, big: #be, fields: vec![#(#fs),*] },
                nfields: #nfields,
                widths: vec![#(#widths),*],
                when: #when,
                last: #last,
                assigns: vec![#(#assigns),*],
            });
        });
    }
    Ok(quote! {
        /// The decoder context's base variables (name, width, set by a prefix), in the order
        /// of the first fields of the forms that read context.
        pub fn asm_context() -> Vec<(&'static str, u32, bool)> {
            vec![#(#vars),*]
        }
        /// The prefixes, in spec order, as the assembler chooses them.
        #[allow(clippy::all)]
        pub fn asm_prefixes() -> Vec<crate::asm::form::PrefixForm> {
            let mut out = Vec::new();
            #(#pfx)*
            out
        }
    })
}
