//! Generation: checked variants to formatted Rust source (prettyplease), deterministic.
//! Emits text only; never links the runtime it generates for.

pub mod asm;
pub mod asm_data;
mod asm_exact;
pub mod asm_scopes;
pub mod decoder;
pub mod disasm;
mod exports;
pub mod expr;
pub mod lower;
pub mod state;

use crate::model::Variant;
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

/// Support functions shared by every variant of one generated file.
fn runtime_support() -> TokenStream {
    quote! {
        /// Small functions the generated code calls; kept here so the output is self-contained.
        #[allow(dead_code)]
        mod rt {
            /// Read an `n`-byte token at `p`; `None` when `b` ends first.
            #[inline(always)]
            pub fn rd_tok(b: &[u8], p: usize, n: usize, be: bool) -> Option<u64> {
                let s = b.get(p..p.checked_add(n)?)?;
                let mut v = 0u64;
                if be {
                    for &x in s { v = (v << 8) | x as u64; }
                } else {
                    for &x in s.iter().rev() { v = (v << 8) | x as u64; }
                }
                Some(v)
            }
            /// Read an `n`-byte window at `p`, missing bytes read as zero.
            #[inline(always)]
            pub fn rd_win(b: &[u8], p: usize, n: usize, be: bool) -> u64 {
                let mut v = 0u64;
                for i in 0..n {
                    let x = b.get(p + i).copied().unwrap_or(0) as u64;
                    if be { v = (v << 8) | x; } else { v |= x << (8 * i); }
                }
                v
            }
            /// Sign-extend the low `w` bits of `v`.
            #[inline(always)]
            pub fn sx(v: u64, w: u32) -> i64 {
                if w >= 64 { v as i64 } else { ((v << (64 - w)) as i64) >> (64 - w) }
            }
            #[inline(always)]
            pub fn shl(v: u64, s: u64, w: u32) -> u64 {
                if s >= w as u64 { 0 } else { (v << s) & if w >= 64 { u64::MAX } else { (1u64 << w) - 1 } }
            }
            #[inline(always)]
            pub fn shr(v: u64, s: u64) -> u64 {
                if s >= 64 { 0 } else { v >> s }
            }
            #[inline(always)]
            pub fn sar(v: u64, s: u64, w: u32) -> u64 {
                let x = sx(v, w) >> s.min(63);
                (x as u64) & if w >= 64 { u64::MAX } else { (1u64 << w) - 1 }
            }
        }
    }
}

/// Generate one variant's module.
pub fn gen_variant(v: &Variant) -> Result<TokenStream, String> {
    let state = state::gen_state(v);
    let dec = decoder::gen_decoder(v)?;
    let dis = disasm::gen_disasm(v)?;
    let low = lower::gen_lower(v)?;
    let asm = asm::gen_asm(v)?;
    let m = format_ident!("{}", v.name);
    let doc = format!("Core `{}` of architecture `{}`.", v.name, v.isa);
    Ok(quote! {
        #[doc = #doc]
        #[allow(clippy::all, non_camel_case_types, non_snake_case, unused_parens)]
        pub mod #m {
            #![allow(unused_variables, unused_braces, unused_mut, unused_parens, unreachable_code, dead_code)]
            #![allow(clippy::identity_op, clippy::unnecessary_cast, clippy::needless_return, clippy::match_single_binding)]
            #[allow(unused_imports)]
            use super::rt::*;
            #[allow(unused_imports)]
            use std::fmt::Write as _;
            #state
            #dec
            #dis
            #low
            #asm
            /// The length and instruction name of what `b` starts with, decoded with the
            /// default context (the assembler's check that what it encoded decodes as meant).
            pub fn decoded(b: &[u8], big_endian: bool) -> Option<(usize, &'static str)> {
                decode(b, big_endian, &Context::default()).map(|d| (d.len, d.insn.name()))
            }
        }
    })
}

/// The whole generated file for an architecture, formatted.
pub fn gen_file(isa: &str, variants: &[Variant]) -> Result<String, String> {
    let mut mods = Vec::new();
    for v in variants {
        mods.push(gen_variant(v)?);
    }
    let support = runtime_support();
    let names: Vec<&str> = variants.iter().map(|v| v.name.as_str()).collect();
    let arms: Vec<TokenStream> = variants
        .iter()
        .map(|v| {
            let n = &v.name;
            let m = format_ident!("{}", v.name);
            quote!(#n => Some(Variant { name: #n, default_big_endian: #m::DEFAULT_BIG_ENDIAN, disas_one: #m::disas_one, insn_names: #m::INSN_NAMES, asm: crate::asm::form::AsmTable { forms: #m::asm_forms, unsupported: #m::asm_unsupported, decoded: #m::decoded, context: #m::asm_context, prefixes: #m::asm_prefixes, scopes: #m::asm_scopes, disas_one: #m::disas_one } }))
        })
        .collect();
    let ts = quote! {
        #support
        /// Every variant (core) generated for this architecture.
        pub const VARIANTS: &[&str] = &[#(#names),*];
        /// A function that disassembles one instruction of one variant.
        pub type DisasOne = fn(&[u8], u64, bool, &[(&str, u64)], &dyn Fn(u64, &mut String)) -> Option<(usize, String)>;
        /// What callers need to pick a variant at run time.
        #[derive(Clone, Copy)]
        pub struct Variant {
            pub name: &'static str,
            pub default_big_endian: bool,
            pub disas_one: DisasOne,
            pub insn_names: &'static [&'static str],
            /// The assembler's forms of this variant.
            pub asm: crate::asm::form::AsmTable,
        }
        /// Every variant, as a core the assembler encodes for.
        pub fn asm_cores() -> Vec<crate::asm::AsmCore> {
            VARIANTS
                .iter()
                .filter_map(|n| variant(n))
                .map(|v| crate::asm::AsmCore { name: v.name, table: v.asm, default_big_endian: v.default_big_endian })
                .collect()
        }
        /// The variant (core) called `name`.
        pub fn variant(name: &str) -> Option<Variant> {
            match name { #(#arms,)* _ => None }
        }
        #(#mods)*
    };
    let file: syn::File = syn::parse2(ts).map_err(|e| format!("generated code does not parse: {e}"))?;
    let body = prettyplease::unparse(&file);
    Ok(format!("// @generated by specemu-codegen from isa-specs/{isa}. DO NOT EDIT: change the spec files.\n{body}"))
}
