//! Generated disassemblers: one display function per instruction and table alternative,
//! choosing the first display whose condition holds, in GNU objdump's line format
//! (mnemonic, then a tab or padding, then operands).

use super::decoder::{alt_struct, insn_struct, table_type};
use super::expr::{lit, Env};
use crate::model::*;
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

fn value_code(v: &Variant, env: &Env, expr: &crate::ast::Expr, fmt: &Fmt) -> Result<TokenStream, String> {
    Ok(match fmt {
        Fmt::Table(t) => {
            let fnm = format_ident!("disp_tab_{}", v.tables[*t].name.to_lowercase());
            let crate::ast::Expr::Name(n) = expr else { return Err("table display".into()) };
            let id = format_ident!("f_{}", n.name);
            quote!(#fnm(&f.#id, pc, npc, ctx, out, tail, sym);)
        }
        Fmt::RegName(rf) | Fmt::Names(rf) if matches!(expr, crate::ast::Expr::Index(..)) => {
            let crate::ast::Expr::Index(_, idx, _) = expr else { unreachable!() };
            let (i, _) = env.gen(idx, None)?;
            names_code(v, rf, i)
        }
        Fmt::RegName(rf) | Fmt::Names(rf) => {
            let (i, _) = env.gen(expr, None)?;
            names_code(v, rf, i)
        }
        _ => {
            let (x, w) = env.gen(expr, None)?;
            let wl = lit(w.unwrap_or(64) as u64);
            match fmt {
                Fmt::Unsigned => quote!(let _ = write!(out, "{}", #x);),
                Fmt::Signed => quote!(let _ = write!(out, "{}", sx(#x, #wl as u32));),
                Fmt::Hex => quote!(let _ = write!(out, "{:#x}", #x);),
                Fmt::SignedHex => quote!({
                    let s = sx(#x, #wl as u32);
                    if s < 0 { let _ = write!(out, "-{:#x}", s.unsigned_abs()); } else { let _ = write!(out, "{:#x}", s); }
                }),
                Fmt::Addr => quote!({ let a = #x; sym(a, out); }),
                _ => unreachable!(),
            }
        }
    })
}

fn names_code(v: &Variant, table: &str, idx: TokenStream) -> TokenStream {
    if let Some(rf) = v.regfiles.iter().find(|r| r.name == table) {
        let cname = format_ident!("{}_NAMES", rf.name.to_uppercase());
        return quote!({
            let i = #idx as usize;
            match #cname.get(i) { Some(n) => out.push_str(n), None => { let _ = write!(out, "{}", i); } }
        });
    }
    let entries = &v.names[table];
    let arms: Vec<TokenStream> = entries
        .iter()
        .map(|(k, s)| {
            let k = lit(*k);
            quote!(#k => out.push_str(#s))
        })
        .collect();
    quote!(match #idx { #(#arms,)* other => { let _ = write!(out, "{}", other); } })
}

/// Code writing one display; `split` separates the mnemonic from the operands. Parts after
/// `{#}` go to `tail`, which the caller appends at the end of the line.
fn display_code(v: &Variant, env: &Env, d: &Display, split: bool) -> Result<TokenStream, String> {
    let mut mnem = Vec::new();
    let mut ops = Vec::new();
    let mut comment = Vec::new();
    let mut in_comment = false;
    let mut in_ops = !split;
    for part in &d.parts {
        if in_comment {
            match part {
                DisplayPart::Text(t) => comment.push(quote!(out.push_str(#t);)),
                DisplayPart::Value { expr, fmt } => comment.push(value_code(v, env, expr, fmt)?),
                DisplayPart::Comment => {}
            }
            continue;
        }
        match part {
            DisplayPart::Comment => in_comment = true,
            DisplayPart::Text(t) => {
                if !in_ops {
                    if let Some(i) = t.find(' ') {
                        let (a, b) = t.split_at(i);
                        if !a.is_empty() {
                            mnem.push(quote!(out.push_str(#a);));
                        }
                        in_ops = true;
                        let b = b.trim_start();
                        if !b.is_empty() {
                            ops.push(quote!(out.push_str(#b);));
                        }
                        continue;
                    }
                    mnem.push(quote!(out.push_str(#t);));
                } else {
                    ops.push(quote!(out.push_str(#t);));
                }
            }
            DisplayPart::Value { expr, fmt } => {
                let c = value_code(v, env, expr, fmt)?;
                if in_ops {
                    ops.push(c);
                } else {
                    mnem.push(c);
                }
            }
        }
    }
    // The comment writes to `tail` (named `out` inside); a table displayed there gets a
    // scratch tail of its own.
    let comment = if comment.is_empty() {
        quote!()
    } else {
        quote!({
            let out: &mut String = &mut *tail;
            let tail: &mut String = &mut String::new();
            #(#comment)*
        })
    };
    if !split {
        return Ok(quote!(#(#ops)* #comment));
    }
    let sep = match v.syntax.mnemonic_pad {
        Some(n) => {
            let n = n as usize;
            quote!({
                let used = out.len() - start;
                for _ in used..#n { out.push(' '); }
                out.push(' ');
            })
        }
        None => quote!(out.push('\t');),
    };
    if ops.is_empty() {
        Ok(quote!(#(#mnem)* #comment))
    } else {
        Ok(quote!(#(#mnem)* #sep #(#ops)* #comment))
    }
}

fn display_fn(
    v: &Variant,
    fname: &proc_macro2::Ident,
    sty: TokenStream,
    ins: &Insn,
    split: bool,
) -> Result<TokenStream, String> {
    let env = Env {
        v,
        operands: &ins.operands,
        via_struct: true,
        pc_width: v.regs.iter().find(|r| r.name == "pc").map(|r| r.width).or(Some(64)),
        lowering: false,
    };
    let _ = lit;
    let mut branches = Vec::new();
    for d in ins.displays.iter().filter(|d| !d.asm_only) {
        let code = display_code(v, &env, d, split)?;
        match &d.cond {
            Some(c) => {
                let (cc, _) = env.gen(c, Some(1))?;
                branches.push(quote!(if #cc != 0 { #code return; }));
            }
            None => {
                branches.push(quote!({ #code return; }));
                break;
            }
        }
    }
    Ok(quote! {
        fn #fname(f: &#sty, pc: u64, npc: u64, ctx: &Context, out: &mut String, tail: &mut String, sym: Sym) {
            let start = out.len();
            #(#branches)*
        }
    })
}

pub fn gen_disasm(v: &Variant) -> Result<TokenStream, String> {
    let mut fns = Vec::new();
    let mut arms = Vec::new();
    for ins in &v.insns {
        let s = insn_struct(ins);
        let fname = format_ident!("disp_{}", ins.name.replace('.', "_").to_lowercase());
        fns.push(display_fn(v, &fname, quote!(f::#s), ins, true)?);
        arms.push(quote!(Insn::#s(x) => #fname(x, pc, npc, &d.ctx, out, &mut tail, sym)));
    }
    for t in &v.tables {
        let ty = table_type(t);
        let mut tarms = Vec::new();
        for (i, a) in t.alts.iter().enumerate() {
            let s = alt_struct(t, i);
            let fname = format_ident!("disp_{}_{}", t.name.to_lowercase(), i);
            fns.push(display_fn(v, &fname, quote!(f::#s), a, false)?);
            let an = format_ident!("A{}", i);
            tarms.push(quote!(#ty::#an(x) => #fname(x, pc, npc, ctx, out, tail, sym)));
        }
        let fnm = format_ident!("disp_tab_{}", t.name.to_lowercase());
        fns.push(quote! {
            fn #fnm(t: &#ty, pc: u64, npc: u64, ctx: &Context, out: &mut String, tail: &mut String, sym: Sym) {
                match t { #(#tarms,)* }
            }
        });
    }
    let _ = lit;
    Ok(quote! {
        #(#fns)*
        /// Writes a code address as the caller wants it: objdump writes `addr <symbol+off>`,
        /// or `0xaddr` in a file without symbols ([`plain_addr`] does the latter).
        pub type Sym<'a> = &'a dyn Fn(u64, &mut String);
        /// A symbolizer that knows no symbols: `0x` and the address in hex, as objdump writes it.
        pub fn plain_addr(a: u64, out: &mut String) {
            let _ = write!(out, "{a:#x}");
        }
        /// Append the objdump-style text of `d` at address `pc`: mnemonic, separator, operands.
        #[allow(unreachable_code, unused_variables)]
        pub fn disasm(d: &Decoded, pc: u64, out: &mut String, sym: Sym) {
            let npc = pc.wrapping_add(d.len as u64);
            // Trailing comments (`{#}` in a display) are collected here, then appended.
            let mut tail = String::new();
            match &d.insn { #(#arms,)* }
            out.push_str(&tail);
        }
        /// Decode and disassemble one instruction; `ctx` sets decoder context variables by
        /// name (for example the x86 `mode`). Returns the length and the text.
        pub fn disas_one(b: &[u8], pc: u64, big_endian: bool, ctx: &[(&str, u64)], sym: Sym) -> Option<(usize, String)> {
            let mut c = Context::default();
            for (n, v) in ctx { c.set(n, *v); }
            let d = decode(b, big_endian, &c)?;
            let mut s = String::new();
            disasm(&d, pc, &mut s, sym);
            Some((d.len, s))
        }
    })
}
