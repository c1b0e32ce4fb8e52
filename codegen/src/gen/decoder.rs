//! Generated decoders: one operand struct per instruction, a matcher per instruction and
//! table alternative, prefix handling, and a decision tree (nested `match` on fixed bits)
//! per byte order.

use super::expr::{lit, Env};
use crate::model::*;
use crate::tree::{self, Node, Src};
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

pub fn camel(name: &str) -> String {
    let mut out = String::new();
    let mut up = true;
    for c in name.chars() {
        if c == '_' || c == '.' || c == '#' {
            up = true;
            continue;
        }
        if up {
            out.extend(c.to_uppercase());
            up = false;
        } else {
            out.push(c);
        }
    }
    if out.chars().next().is_some_and(|c| c.is_ascii_digit()) {
        out.insert(0, 'I');
    }
    out
}

pub fn insn_struct(i: &Insn) -> proc_macro2::Ident {
    format_ident!("{}", camel(&i.name))
}

pub fn table_type(t: &Table) -> proc_macro2::Ident {
    format_ident!("T{}", camel(&t.name))
}

pub fn alt_struct(t: &Table, i: usize) -> proc_macro2::Ident {
    format_ident!("{}Alt{}", camel(&t.name), i)
}

/// The struct holding an instruction's (or table alternative's) operands.
pub fn operand_struct(v: &Variant, name: &proc_macro2::Ident, ins: &Insn) -> TokenStream {
    let fields: Vec<TokenStream> = ins
        .operands
        .iter()
        .map(|(n, op)| {
            let id = format_ident!("f_{}", n);
            match op {
                Operand::Field { .. } => quote!(pub #id: u64),
                Operand::Table { table, .. } => {
                    let ty = table_type(&v.tables[*table]);
                    quote!(pub #id: super::#ty)
                }
            }
        })
        .collect();
    let doc = format!("Operands of `{}` ({}).", ins.name, ins.origin);
    quote! {
        #[doc = #doc]
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub struct #name { #(#fields,)* }
    }
}

/// Field extraction from token value `t` using the given layout parts.
fn extract(t: &TokenStream, parts: &[(u32, u32)]) -> TokenStream {
    let mut acc: Option<TokenStream> = None;
    for &(hi, lo) in parts {
        let n = hi - lo + 1;
        let m = lit(ones(n));
        let l = lit(lo as u64);
        let piece = quote!(((#t >> #l) & #m));
        acc = Some(match acc {
            None => piece,
            Some(a) => {
                let nl = lit(n as u64);
                quote!(((#a << #nl) | #piece))
            }
        });
    }
    acc.unwrap_or(quote!(0u64))
}

/// `if t & m != v { return None; }` (or `==` for an exclusion), choosing the layout by byte
/// order only when the two layouts differ.
fn mask_test(tok: &Token, t: &proc_macro2::Ident, le: (u64, u64), be: (u64, u64), equal: bool) -> TokenStream {
    let (m, v) = if le == be || tok.order.is_some() {
        let (m, v) = if tok.order == Some(crate::ast::ByteOrder::Big) { be } else { le };
        (lit(m), lit(v))
    } else {
        let (ml, vl, mb, vb) = (lit(le.0), lit(le.1), lit(be.0), lit(be.1));
        (quote!((if BE { #mb } else { #ml })), quote!((if BE { #vb } else { #vl })))
    };
    if equal {
        quote!(if #t & #m != #v { return None; })
    } else {
        quote!(if #t & #m == #v { return None; })
    }
}

fn be_expr(tok: &Token) -> TokenStream {
    match tok.order {
        Some(crate::ast::ByteOrder::Big) => quote!(true),
        Some(crate::ast::ByteOrder::Little) => quote!(false),
        None => quote!(BE),
    }
}

/// `let f_x: u64 = ...;` extracting field `f` from token value `t`.
fn field_code(tok: &Token, f: &Field, id: &proc_macro2::Ident, t: &TokenStream) -> TokenStream {
    let el = extract(t, &f.little);
    let eb = extract(t, &f.big);
    match tok.order {
        Some(crate::ast::ByteOrder::Big) => quote!(let #id: u64 = #eb;),
        Some(crate::ast::ByteOrder::Little) => quote!(let #id: u64 = #el;),
        None if f.little == f.big => quote!(let #id: u64 = #el;),
        None => quote!(let #id: u64 = if BE { #eb } else { #el };),
    }
}

/// `fn NAME<const BE: bool>(b, pos, ctx) -> Option<(STRUCT, usize)>` for one pattern.
pub fn matcher(v: &Variant, fname: &proc_macro2::Ident, sname: TokenStream, ins: &Insn) -> Result<TokenStream, String> {
    let mut body = Vec::new();
    for &(ci, eq, val) in &ins.pattern.ctx {
        let id = format_ident!("{}", v.context[ci].name);
        let val = lit(val);
        body.push(if eq {
            quote!(if ctx.#id != #val { return None; })
        } else {
            quote!(if ctx.#id == #val { return None; })
        });
    }
    let mut inits = Vec::new();
    for (si, seg) in ins.pattern.segments.iter().enumerate() {
        let start = format_ident!("s{}", si);
        body.push(quote!(let #start = p;));
        let mut len = quote!(0usize);
        if let Some(ti) = seg.token {
            let tok = &v.tokens[ti];
            let tv = format_ident!("t{}", si);
            let nb = tok.bytes() as usize;
            let be = be_expr(tok);
            body.push(quote!(let #tv = rd_tok(b, p, #nb, #be)?;));
            // Fixed bits of every `=` constraint as one mask test; `!=` one test each.
            let (mut ml, mut vl, mut mb, mut vb) = (0u64, 0u64, 0u64, 0u64);
            let mut checks = Vec::new();
            for fc in &seg.constraints {
                let f = &tok.fields[fc.field];
                let (l_m, l_v) = f.encode(false, fc.value);
                let (b_m, b_v) = f.encode(true, fc.value);
                if fc.equal {
                    ml |= l_m;
                    vl |= l_v;
                    mb |= b_m;
                    vb |= b_v;
                } else {
                    checks.push(mask_test(tok, &tv, (l_m, l_v), (b_m, b_v), false));
                }
            }
            if ml != 0 || mb != 0 {
                checks.insert(0, mask_test(tok, &tv, (ml, vl), (mb, vb), true));
            }
            body.extend(checks);
            for (n, op) in &ins.operands {
                if let Operand::Field { seg: s, field, .. } = op {
                    if *s == si {
                        let f = &tok.fields[*field];
                        let id = format_ident!("f_{}", n);
                        body.push(field_code(tok, f, &id, &quote!(#tv)));
                        inits.push(id);
                    }
                }
            }
            len = quote!(#nb);
        }
        for &t in &seg.tables {
            let table = &v.tables[t];
            let fnm = format_ident!("tab_{}", table.name.to_lowercase());
            let id = format_ident!("f_{}", table.name);
            let n = format_ident!("n_{}", table.name.to_lowercase());
            body.push(quote!(let (#id, #n) = #fnm::<BE>(b, #start, ctx)?;));
            len = quote!(#len.max(#n));
            inits.push(id);
        }
        body.push(quote!(p = #start + #len;));
    }
    Ok(quote! {
        #[inline]
        fn #fname<const BE: bool>(b: &[u8], pos: usize, ctx: &Context) -> Option<(#sname, usize)> {
            let mut p = pos;
            #(#body)*
            Some((#sname { #(#inits),* }, p - pos))
        }
    })
}

/// A decision tree as nested matches; leaves call matchers in priority order.
pub fn tree_code(node: &Node, leaf: &dyn Fn(usize) -> TokenStream) -> TokenStream {
    match node {
        Node::Leaf(c) => {
            let calls: Vec<TokenStream> = c.iter().map(|&i| leaf(i)).collect();
            quote!({ #(#calls)* })
        }
        Node::Switch { src, mask, arms, default } => {
            let read = match src {
                Src::Ctx => quote!(cw),
                Src::Win { offset, bytes, be } => {
                    let o = *offset as usize;
                    let n = *bytes as usize;
                    quote!(rd_win(b, pos + #o, #n, #be))
                }
            };
            let m = lit(*mask);
            let arms: Vec<TokenStream> = arms
                .iter()
                .map(|(val, n)| {
                    let val = lit(*val);
                    let code = tree_code(n, leaf);
                    quote!(#val => #code)
                })
                .collect();
            let d = tree_code(default, leaf);
            quote! {
                match #read & #m {
                    #(#arms,)*
                    _ => #d
                }
            }
        }
    }
}

pub struct Trees {
    pub le: Node,
    pub be: Node,
}

/// Decision trees over a list of patterns for both byte orders.
pub fn trees(v: &Variant, pats: &[&Pattern]) -> (Trees, Vec<tree::Cand>) {
    let le: Vec<tree::Cand> = pats.iter().map(|p| tree::candidate(v, p, false)).collect();
    let be: Vec<tree::Cand> = pats.iter().map(|p| tree::candidate(v, p, true)).collect();
    let tle = tree::build(&le, tree::priority(&le));
    let tbe = tree::build(&be, tree::priority(&be));
    (Trees { le: tle, be: tbe }, le)
}

/// Code of `decode`: prefixes, context derivation, then the tree for the byte order.
pub fn gen_decoder(v: &Variant) -> Result<TokenStream, String> {
    let mut items = Vec::new();
    // Operand structs and matchers for instructions.
    let mut structs = Vec::new();
    let mut variants = Vec::new();
    let mut names = Vec::new();
    for ins in &v.insns {
        let s = insn_struct(ins);
        structs.push(operand_struct(v, &s, ins));
        variants.push(quote!(#s(f::#s)));
        names.push(ins.name.clone());
        let fname = format_ident!("m_{}", ins.name.replace('.', "_").to_lowercase());
        items.push(matcher(v, &fname, quote!(f::#s), ins)?);
    }
    // Tables: an enum per table, a struct and matcher per alternative, and a tree.
    let mut table_types = Vec::new();
    for t in &v.tables {
        let ty = table_type(t);
        let mut alts = Vec::new();
        for (i, a) in t.alts.iter().enumerate() {
            let s = alt_struct(t, i);
            structs.push(operand_struct(v, &s, a));
            let an = format_ident!("A{}", i);
            alts.push(quote!(#an(f::#s)));
            let fname = format_ident!("m_{}_{}", t.name.to_lowercase(), i);
            items.push(matcher(v, &fname, quote!(f::#s), a)?);
        }
        let doc = format!("Value of table `{}`.", t.name);
        table_types.push(quote! {
            #[doc = #doc]
            #[derive(Clone, Copy, Debug, PartialEq, Eq)]
            pub enum #ty { #(#alts),* }
        });
        let pats: Vec<&Pattern> = t.alts.iter().map(|a| &a.pattern).collect();
        let (tr, _) = trees(v, &pats);
        let tname = t.name.to_lowercase();
        let leaf = |i: usize| {
            let fname = format_ident!("m_{}_{}", tname, i);
            let an = format_ident!("A{}", i);
            quote!(if let Some((s, n)) = #fname::<BE>(b, pos, ctx) { return Some((#ty::#an(s), n)); })
        };
        let le = tree_code(&tr.le, &leaf);
        let be = tree_code(&tr.be, &leaf);
        let fnm = format_ident!("tab_{}", tname);
        items.push(quote! {
            #[allow(unused_variables, clippy::match_single_binding)]
            fn #fnm<const BE: bool>(b: &[u8], pos: usize, ctx: &Context) -> Option<(#ty, usize)> {
                let cw = ctx_word(ctx);
                if BE { #be } else { #le }
                None
            }
        });
    }
    let pats: Vec<&Pattern> = v.insns.iter().map(|i| &i.pattern).collect();
    let (tr, _) = trees(v, &pats);
    let leaf = |i: usize| {
        let ins = &v.insns[i];
        let s = insn_struct(ins);
        let fname = format_ident!("m_{}", ins.name.replace('.', "_").to_lowercase());
        quote!(if let Some((s, n)) = #fname::<BE>(b, pos, ctx) { return Some((Insn::#s(s), n)); })
    };
    let le = tree_code(&tr.le, &leaf);
    let be = tree_code(&tr.be, &leaf);

    // Context word packing for context switches.
    let layout = tree::ctx_layout(v);
    let packs: Vec<TokenStream> = v
        .context
        .iter()
        .zip(&layout)
        .map(|(c, off)| {
            let id = format_ident!("{}", c.name);
            let m = lit(ones(c.width));
            let o = lit(*off as u64);
            quote!(((ctx.#id & #m) << #o))
        })
        .collect();
    let ctx_word = if packs.is_empty() { quote!(0u64) } else { quote!(#(#packs)|*) };

    // Prefixes.
    let mut pfx = Vec::new();
    for p in &v.prefixes {
        let seg = &p.pattern.segments[0];
        let tok = &v.tokens[seg.token.expect("prefix token")];
        let nb = tok.bytes() as usize;
        let be = be_expr(tok);
        let mut conds = Vec::new();
        for fc in &seg.constraints {
            let f = &tok.fields[fc.field];
            // The byte order is known only at run time (`BE` below) unless the token fixes it.
            let (ml, vl) = f.encode(tok.is_be(false), fc.value);
            let (mb, vb) = f.encode(tok.is_be(true), fc.value);
            let (m, val) = if (ml, vl) == (mb, vb) {
                (lit(ml), lit(vl))
            } else {
                let (ml, vl, mb, vb) = (lit(ml), lit(vl), lit(mb), lit(vb));
                (quote!((if BE { #mb } else { #ml })), quote!((if BE { #vb } else { #vl })))
            };
            conds.push(if fc.equal { quote!((t & #m) == #val) } else { quote!((t & #m) != #val) });
        }
        for &(ci, eq, val) in &p.pattern.ctx {
            let id = format_ident!("{}", v.context[ci].name);
            let val = lit(val);
            conds.push(if eq { quote!(ctx.#id == #val) } else { quote!(ctx.#id != #val) });
        }
        let mut binds = Vec::new();
        for (n, op) in &p.operands {
            if let Operand::Field { field, .. } = op {
                let f = &tok.fields[*field];
                let id = format_ident!("f_{}", n);
                binds.push(field_code(tok, f, &id, &quote!(t)));
            }
        }
        let env = Env { v, operands: &p.operands, via_struct: false, pc_width: None, lowering: false };
        let mut assigns = Vec::new();
        for (ci, e) in &p.assigns {
            let c = &v.context[*ci];
            let id = format_ident!("{}", c.name);
            let (code, _) = env.gen(e, Some(c.width))?;
            let m = lit(ones(c.width));
            assigns.push(quote!(ctx.#id = #code & #m;));
        }
        let cond = if conds.is_empty() { quote!(true) } else { quote!(#(#conds)&&*) };
        let after = if p.last { quote!(break 'pfx;) } else { quote!(continue 'pfx;) };
        pfx.push(quote! {
            if let Some(t) = rd_tok(b, pos, #nb, #be) {
                if #cond {
                    #(#binds)*
                    #(#assigns)*
                    pos += #nb;
                    #after
                }
            }
        });
    }
    let prefix_loop = if pfx.is_empty() {
        quote!()
    } else {
        quote! {
            let mut guard = 0;
            'pfx: loop {
                guard += 1;
                if guard > 14 { break; }
                #(#pfx)*
                break;
            }
        }
    };
    let empty = std::collections::BTreeMap::new();
    let env = Env { v, operands: &empty, via_struct: false, pc_width: None, lowering: false };
    let mut derive = Vec::new();
    for c in &v.context {
        if let Some(e) = &c.derived {
            let id = format_ident!("{}", c.name);
            let (code, _) = env.gen(e, Some(c.width))?;
            let m = lit(ones(c.width));
            derive.push(quote!(ctx.#id = #code & #m;));
        }
    }
    let names_lit = &names;
    let name_arms: Vec<TokenStream> = v
        .insns
        .iter()
        .map(|i| {
            let s = insn_struct(i);
            let n = &i.name;
            quote!(Insn::#s(_) => #n)
        })
        .collect();
    let insn_enum = if variants.is_empty() {
        quote!(
            pub enum Insn {}
        )
    } else {
        quote!(pub enum Insn { #(#variants),* })
    };
    Ok(quote! {
        /// Operand structs, one per instruction and table alternative.
        pub mod f {
            #[allow(unused_imports)]
            use super::*;
            #(#structs)*
        }
        #(#table_types)*
        /// A decoded instruction and its operands.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        #insn_enum
        /// Names of every instruction, in spec order.
        pub const INSN_NAMES: &[&str] = &[#(#names_lit),*];
        impl Insn {
            /// The spec name of this instruction.
            pub fn name(&self) -> &'static str {
                match self { #(#name_arms,)* }
            }
        }
        /// A decoded instruction with its length in bytes and the decoder context it saw.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub struct Decoded {
            pub insn: Insn,
            pub len: usize,
            pub ctx: Context,
        }
        #[allow(unused_variables, clippy::identity_op)]
        fn ctx_word(ctx: &Context) -> u64 { #ctx_word }
        /// The default context with its derived variables computed (what `decode` sees
        /// before any prefix).
        #[allow(unused_mut, clippy::identity_op)]
        pub fn derived_context() -> Context {
            let mut ctx = Context::default();
            #(#derive)*
            ctx
        }
        #(#items)*
        #[allow(unused_variables, clippy::match_single_binding)]
        fn tree<const BE: bool>(b: &[u8], pos: usize, ctx: &Context) -> Option<(Insn, usize)> {
            let cw = ctx_word(ctx);
            if BE { #be } else { #le }
            None
        }
        /// Decode one instruction at the start of `b`. `None`: not an instruction of this
        /// core (or `b` ends inside it).
        #[allow(unused_mut, unused_variables, unused_labels, clippy::never_loop)]
        pub fn decode(b: &[u8], big_endian: bool, ctx: &Context) -> Option<Decoded> {
            let mut ctx = *ctx;
            let mut pos = 0usize;
            // Prefix tokens without a fixed byte order follow the caller's.
            #[allow(non_snake_case)]
            let BE: bool = big_endian;
            #prefix_loop
            #(#derive)*
            let (insn, n) = if big_endian { tree::<true>(b, pos, &ctx)? } else { tree::<false>(b, pos, &ctx)? };
            Some(Decoded { insn, len: pos + n, ctx })
        }
    })
}
