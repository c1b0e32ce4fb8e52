//! Assembler forms of instructions that read operand tables or decoder context (x86's
//! ModRM, SIB and displacement tables, and its operand size from prefixes): every choice of
//! table alternatives is laid out as tokens at byte offsets, and every choice of their
//! displays gives one flat form, whose fields are the decoder context's base variables
//! followed by the tokens' fields. Such forms have no generated evaluator: the assembler
//! checks them by disassembling what it encoded. Also the prefixes as the assembler reads
//! them (which context each sets).
//!
//! Emits data only; `runtime/src/asm/` reads it. Knows no architecture.

use super::asm::{fixed, node, order, seg_field, Render, Resolve};
use super::expr::{lit, Env};
use crate::ast::Expr;
use crate::model::*;
use proc_macro2::TokenStream;
use quote::quote;

/// Table layouts per instruction beyond which it is left to a later version (listed as
/// unsupported): the product of its tables' alternatives.
const MAX_LAYOUTS: usize = 1024;
/// Forms per instruction (layouts times display choices) beyond which likewise.
const MAX_FORMS: usize = 4096;

/// A token placed at a byte offset of the instruction.
#[derive(Clone)]
struct Place {
    at: u32,
    token: usize,
    constraints: Vec<FieldConstraint>,
}

/// The instruction or one chosen table alternative, where its segments landed.
#[derive(Clone)]
struct Scope<'a> {
    ins: &'a Insn,
    seg_place: Vec<Option<usize>>,
    /// (table, scope of the alternative chosen for it).
    children: Vec<(usize, usize)>,
}

/// One choice of table alternatives for an instruction.
#[derive(Clone)]
struct Layout<'a> {
    places: Vec<Place>,
    scopes: Vec<Scope<'a>>,
}

impl Layout<'_> {
    fn place(&mut self, at: u32, token: usize, constraints: &[FieldConstraint]) -> usize {
        let i = match self.places.iter().position(|p| p.at == at && p.token == token) {
            Some(i) => i,
            None => {
                self.places.push(Place { at, token, constraints: Vec::new() });
                self.places.len() - 1
            }
        };
        self.places[i].constraints.extend(constraints.iter().cloned());
        i
    }

    /// Whether no two constraints of one place contradict each other.
    fn consistent(&self) -> bool {
        self.places.iter().all(|p| {
            p.constraints.iter().all(|a| {
                p.constraints.iter().all(|b| {
                    a.field != b.field
                        || match (a.equal, b.equal) {
                            (true, true) => a.value == b.value,
                            (true, false) | (false, true) => a.value != b.value,
                            (false, false) => true,
                        }
                })
            })
        })
    }
}

/// Every layout of `ins` starting at byte `at`, added to `base`: (layout, the scope of
/// `ins` in it, the offset where `ins` ends).
fn layouts<'a>(v: &'a Variant, ins: &'a Insn, at: u32, base: Layout<'a>) -> Vec<(Layout<'a>, usize, u32)> {
    let mut lay = base;
    let me = lay.scopes.len();
    lay.scopes.push(Scope { ins, seg_place: vec![None; ins.pattern.segments.len()], children: Vec::new() });
    let mut states = vec![(lay, at)];
    for (si, seg) in ins.pattern.segments.iter().enumerate() {
        let mut next = Vec::new();
        for (mut lay, start) in states {
            let mut end = start;
            if let Some(t) = seg.token {
                let p = lay.place(start, t, &seg.constraints);
                lay.scopes[me].seg_place[si] = Some(p);
                end = start + v.tokens[t].bytes();
            }
            let mut partial = vec![(lay, end)];
            for &t in &seg.tables {
                let mut grown = Vec::new();
                for (lay, end) in partial {
                    for alt in &v.tables[t].alts {
                        for (mut l, child, alt_end) in layouts(v, alt, start, lay.clone()) {
                            l.scopes[me].children.push((t, child));
                            grown.push((l, end.max(alt_end)));
                        }
                        if grown.len() > MAX_LAYOUTS {
                            return Vec::new();
                        }
                    }
                }
                partial = grown;
            }
            next.extend(partial);
        }
        states = next;
    }
    states.into_iter().filter(|(l, _)| l.consistent()).map(|(l, end)| (l, me, end)).collect()
}

/// The fields of a layout: each operand field of each scope, once per (place, field).
fn layout_fields(lay: &Layout) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    for s in &lay.scopes {
        for op in s.ins.operands.values() {
            if let Operand::Field { seg, field, .. } = op {
                if let Some(p) = s.seg_place[*seg] {
                    if !out.contains(&(p, *field)) {
                        out.push((p, *field));
                    }
                }
            }
        }
    }
    out
}

/// The base (not derived) context variables: the first fields of every flat form.
fn base_context(v: &Variant) -> Vec<usize> {
    (0..v.context.len()).filter(|&i| v.context[i].derived.is_none()).collect()
}

/// The tree of context variable `ci`: a base variable's field, or a derived one's
/// definition.
fn ctx_node(v: &Variant, ci: usize) -> TokenStream {
    let c = &v.context[ci];
    match &c.derived {
        None => {
            let k = base_context(v).iter().position(|&b| b == ci).unwrap_or(0) as u16;
            quote!(N::Field(#k))
        }
        Some(e) => {
            let res: Resolve = &|n: &str| ctx_name(v, n);
            node(v, res, e)
        }
    }
}

fn ctx_name(v: &Variant, n: &str) -> Option<(TokenStream, Option<u32>)> {
    let ci = v.ctx_index(n)?;
    Some((ctx_node(v, ci), Some(v.context[ci].width)))
}

/// A scope's names: its operand fields (as form fields), then the context.
fn scope_name(
    v: &Variant,
    lay: &Layout,
    fields: &[(usize, usize)],
    scope: usize,
    n: &str,
) -> Option<(TokenStream, Option<u32>)> {
    let s = &lay.scopes[scope];
    match s.ins.operands.get(n) {
        Some(op @ Operand::Field { seg, field, .. }) => {
            let p = s.seg_place[*seg]?;
            let k = (base_context(v).len() + fields.iter().position(|&f| f == (p, *field))?) as u16;
            Some((quote!(N::Field(#k)), crate::check::operand_width(v, op)))
        }
        Some(Operand::Table { .. }) => Some((quote!(N::Opaque), None)),
        None => ctx_name(v, n),
    }
}

/// A form being rendered: its parts, value widths and conditions.
#[derive(Clone, Default)]
struct Flat {
    r: Render,
    widths: Vec<u8>,
    conds: Vec<TokenStream>,
}

/// Render display `d` of scope `scope` onto each of `states`: one result per choice of the
/// displays of the tables it shows.
fn render(
    v: &Variant,
    lay: &Layout,
    fields: &[(usize, usize)],
    scope: usize,
    d: &Display,
    states: Vec<Flat>,
) -> Result<Vec<Flat>, String> {
    let s = &lay.scopes[scope];
    let res: Resolve = &|n: &str| scope_name(v, lay, fields, scope, n);
    let env = Env { v, operands: &s.ins.operands, via_struct: false, pc_width: Some(64), lowering: false };
    let mut states = states;
    // The disassembler shows the first display whose condition holds: this one's must, and
    // none of those before it (a display after one without a condition is never shown).
    let mut conds = Vec::new();
    if !d.asm_only {
        for before in s.ins.displays.iter().take_while(|x| !std::ptr::eq(*x, d)).filter(|x| !x.asm_only) {
            match &before.cond {
                Some(c) => {
                    let n = node(v, res, c);
                    conds.push(quote!(N::bin(B::Eq, #n, N::Const(0))));
                }
                None => return Ok(Vec::new()),
            }
        }
    }
    if let Some(c) = &d.cond {
        conds.push(node(v, res, c));
    }
    for st in &mut states {
        st.conds.extend(conds.iter().cloned());
    }
    for part in &d.parts {
        match part {
            DisplayPart::Comment => {
                for st in &mut states {
                    st.r.done = true;
                }
            }
            DisplayPart::Text(t) => {
                for st in states.iter_mut().filter(|st| !st.r.done) {
                    st.r.text(t);
                }
            }
            DisplayPart::Value { fmt: Fmt::Table(t), .. } => {
                let Some(&(_, child)) = s.children.iter().find(|(tt, _)| tt == t) else {
                    return Err("a table shown but not in the pattern".into());
                };
                let mut next = Vec::new();
                for st in states {
                    if st.r.done {
                        next.push(st);
                        continue;
                    }
                    // A `{#}` in the table's display ends that display only.
                    for cd in lay.scopes[child].ins.displays.iter().filter(|d| !d.asm_only) {
                        for mut r in render(v, lay, fields, child, cd, vec![st.clone()])? {
                            r.r.done = false;
                            next.push(r);
                        }
                    }
                    if next.len() > MAX_FORMS {
                        return Err("too many display choices".into());
                    }
                }
                states = next;
            }
            DisplayPart::Value { expr, fmt } => {
                let e: &Expr = match (fmt, expr) {
                    (Fmt::RegName(_) | Fmt::Names(_), Expr::Index(_, i, _)) => i,
                    _ => expr,
                };
                let w = env.gen(e, None)?.1.unwrap_or(64).min(64) as u8;
                for st in states.iter_mut().filter(|st| !st.r.done) {
                    st.r.value(v, res, expr, fmt);
                    st.widths.push(w);
                }
            }
        }
    }
    Ok(states)
}

/// The conditions a layout's patterns put on decoder context (`when(asz=0)`).
fn context_conds(v: &Variant, lay: &Layout) -> Vec<TokenStream> {
    let mut out = Vec::new();
    for s in &lay.scopes {
        for &(ci, eq, val) in &s.ins.pattern.ctx {
            let n = ctx_node(v, ci);
            let val = lit(val);
            out.push(if eq { quote!(N::bin(B::Eq, #n, N::Const(#val))) } else { quote!(N::bin(B::Ne, #n, N::Const(#val))) });
        }
    }
    out
}

/// The flat forms of `ins` (statements pushing onto `out`), or why it has none.
pub fn flat_forms(v: &Variant, ins: &Insn) -> Result<Vec<TokenStream>, String> {
    let lays = layouts(v, ins, 0, Layout { places: Vec::new(), scopes: Vec::new() });
    if lays.is_empty() {
        return Err("more table alternatives than the assembler lays out".into());
    }
    let nctx = base_context(v).len();
    let name = &ins.name;
    let mut out = Vec::new();
    for (lay, me, _) in &lays {
        let fields = layout_fields(lay);
        let mut widths: Vec<u32> = base_context(v).iter().map(|&c| v.context[c].width).collect();
        widths.extend(fields.iter().map(|&(p, f)| v.tokens[lay.places[p].token].fields[f].width));
        let segs: Vec<TokenStream> = lay
            .places
            .iter()
            .enumerate()
            .map(|(pi, p)| {
                let tok = &v.tokens[p.token];
                let (at, bytes, ord) = (p.at as u8, tok.bytes() as u8, order(tok));
                let (le, be) = (fixed(tok, &p.constraints, false), fixed(tok, &p.constraints, true));
                let fs: Vec<TokenStream> = fields
                    .iter()
                    .enumerate()
                    .filter(|(_, (fp, _))| *fp == pi)
                    .map(|(k, (_, f))| seg_field(tok, *f, (nctx + k) as u16))
                    .collect();
                quote!(Seg { at: #at, bytes: #bytes, order: #ord, little: #le, big: #be, fields: vec![#(#fs),*] })
            })
            .collect();
        let ctx_conds = context_conds(v, lay);
        let nfields = widths.len();
        for d in &ins.displays {
            for st in render(v, lay, &fields, *me, d, vec![Flat::default()])? {
                let mut conds = ctx_conds.clone();
                conds.extend(st.conds);
                let cond = match conds.split_first() {
                    None => quote!(None),
                    Some((first, rest)) => {
                        let mut c = first.clone();
                        for r in rest {
                            c = quote!(N::bin(B::LAnd, #c, #r));
                        }
                        let k = st.r.nvalues;
                        quote!(Some((#k, #c)))
                    }
                };
                let (parts, vw, asm_only) = (&st.r.parts, &st.widths, d.asm_only);
                out.push(quote! {
                    out.push(Form {
                        insn: #name,
                        asm_only: #asm_only,
                        parts: vec![#(#parts),*],
                        cond: #cond,
                        nfields: #nfields,
                        widths: vec![#(#widths),*],
                        value_widths: vec![#(#vw),*],
                        segs: vec![#(#segs),*],
                        nctx: #nctx,
                        eval: None,
                    });
                });
            }
            if out.len() > MAX_FORMS {
                return Err("more table and display choices than the assembler lays out".into());
            }
        }
    }
    Ok(out)
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
                None => ctx_name(v, n),
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
            when.push(if eq { quote!(N::bin(B::Eq, #n, N::Const(#val))) } else { quote!(N::bin(B::Ne, #n, N::Const(#val))) });
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
