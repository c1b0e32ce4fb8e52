//! Generated code for table exports: one enum per table with an export (what each
//! alternative's export holds once computed: a value, a register-file index known at
//! translation time or not, a memory address), the step before an instruction's semantics
//! (compute the export, run the alternative's block), the step after them (its `after`
//! block), and reads and writes of a table operand.
//!
//! Must not decide what an export is (the checker's `check::exports` does).

use super::decoder::table_type;
use super::lower::Lx;
use crate::model::*;
use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};

/// What an alternative's export holds once it is computed.
pub enum Slot {
    /// No export (the alternative has blocks only).
    None,
    Value,
    Reg(String),
    /// A register-file element whose index is known at translation time.
    RegStatic(String),
    /// A register-file element whose index is a run-time value.
    RegDyn(String),
    Mem(u32),
}

pub fn export_enum(t: &Table) -> Ident {
    format_ident!("X{}", table_type(t).to_string().trim_start_matches('T'))
}

/// The name of the local that holds an operand's computed export.
pub fn export_local(operand: &str) -> Ident {
    format_ident!("tx_{}", operand.to_lowercase())
}

fn variant(i: usize) -> Ident {
    format_ident!("A{}", i)
}

/// The slot of each alternative of `t`.
pub fn slots(v: &Variant, t: &Table) -> Vec<Slot> {
    t.alts
        .iter()
        .map(|a| match &a.export {
            None => Slot::None,
            Some(Export::Value(_)) => Slot::Value,
            Some(Export::Reg(r)) => Slot::Reg(r.clone()),
            Some(Export::Mem { size, .. }) => Slot::Mem(*size),
            Some(Export::RegFile { file, index }) => {
                if Lx::new(v, a).is_static(index) {
                    Slot::RegStatic(file.clone())
                } else {
                    Slot::RegDyn(file.clone())
                }
            }
        })
        .collect()
}

/// The export enums of every table that exports something or has blocks.
pub fn export_enums(v: &Variant) -> TokenStream {
    let mut out = Vec::new();
    for t in &v.tables {
        if !t.has_before() && !t.has_after() {
            continue;
        }
        let name = export_enum(t);
        let vars: Vec<TokenStream> = slots(v, t)
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let a = variant(i);
                match s {
                    Slot::None | Slot::Reg(_) => quote!(#a),
                    Slot::RegStatic(_) => quote!(#a(u64)),
                    Slot::Value | Slot::RegDyn(_) | Slot::Mem(_) => quote!(#a(sem::V)),
                }
            })
            .collect();
        let doc = format!("The export of table `{}`, computed before the instruction's semantics.", t.name);
        out.push(quote! {
            #[doc = #doc]
            #[allow(dead_code)]
            #[derive(Clone, Copy)]
            enum #name { #(#vars),* }
        });
    }
    quote!(#(#out)*)
}

impl Lx<'_> {
    /// The table behind operand `name` of this instruction, if it is a table operand.
    pub fn table_operand(&self, name: &str) -> Option<&Table> {
        match self.ins.operands.get(name)? {
            Operand::Table { table, .. } => Some(&self.v.tables[*table]),
            Operand::Field { .. } => None,
        }
    }

    /// The step before the semantics (`after == false`) or after them, for table operand
    /// `operand`: a translation-time `match` on the alternative that was decoded, each arm
    /// lowering in the alternative's own scope (its fields are `f`'s there).
    pub fn table_step(&mut self, operand: &str, after: bool) -> Result<TokenStream, String> {
        let t = self.table_operand(operand).ok_or("table operand")?.clone();
        let v = self.v;
        let ty = table_type(&t);
        let xe = export_enum(&t);
        let local = export_local(operand);
        let field = format_ident!("f_{}", operand);
        let slots = slots(v, &t);
        let mut arms = Vec::new();
        for (i, (alt, slot)) in t.alts.iter().zip(&slots).enumerate() {
            let a = variant(i);
            let mut sub = Lx::new(v, alt);
            sub.dyn_depth = self.dyn_depth;
            if after {
                let body = match &alt.after {
                    Some(b) => sub.block(b)?,
                    None => quote!(),
                };
                arms.push(quote!(#ty::#a(f) => { let _ = f; #body }));
                continue;
            }
            // Nested tables of the alternative first, then the export, then its block.
            let mut nested = Vec::new();
            for (n, op) in &alt.operands {
                if let Operand::Table { table, .. } = op {
                    if v.tables[*table].has_before() {
                        nested.push(sub.table_step(n, false)?);
                    }
                }
            }
            let value = match (&alt.export, slot) {
                (Some(Export::Value(e)), _) => {
                    let w = t.export_width;
                    let (x, _) = sub.dy(e, w)?;
                    quote!(#xe::#a(#x))
                }
                (Some(Export::RegFile { index, .. }), Slot::RegStatic(_)) => {
                    let (i, _) = sub.st(index, Some(32))?;
                    quote!(#xe::#a(#i))
                }
                (Some(Export::RegFile { index, .. }), _) => {
                    let (i, _) = sub.dy(index, None)?;
                    quote!(#xe::#a(#i))
                }
                (Some(Export::Mem { addr, .. }), _) => {
                    let (x, _) = sub.dy(addr, Some(sub.pc_bits()))?;
                    quote!(#xe::#a(#x))
                }
                (Some(Export::Reg(_)), _) | (None, _) => quote!(#xe::#a),
            };
            let block = match &alt.sem {
                Some(b) => sub.block(b)?,
                None => quote!(),
            };
            arms.push(quote!(#ty::#a(f) => {
                let _ = f;
                #(#nested)*
                let x = #value;
                #block
                x
            }));
        }
        if after {
            return Ok(quote!(match &f.#field { #(#arms)* }));
        }
        Ok(quote!(let #local: #xe = match &f.#field { #(#arms)* };))
    }

    /// Read table operand `operand` (its computed export).
    pub fn table_read(&self, operand: &str) -> Result<(TokenStream, u32), String> {
        let t = self.table_operand(operand).ok_or("table operand")?;
        let w = t.export_width.ok_or_else(|| format!("table `{}` exports nothing", t.name))?;
        let xe = export_enum(t);
        let local = export_local(operand);
        let arms: Vec<TokenStream> = slots(self.v, t)
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let a = variant(i);
                match s {
                    Slot::None => quote!(#xe::#a => sem::konst(b, 0, #w)),
                    Slot::Value => quote!(#xe::#a(x) => x),
                    Slot::Reg(r) => {
                        let g = format_ident!("reg_{}", r);
                        quote!(#xe::#a => #g(b))
                    }
                    Slot::RegStatic(file) => {
                        let f = format_ident!("rd_{}", file);
                        quote!(#xe::#a(i) => #f(b, i))
                    }
                    Slot::RegDyn(file) => {
                        let f = format_ident!("rdx_{}", file);
                        quote!(#xe::#a(i) => #f(b, i))
                    }
                    Slot::Mem(size) => quote!(#xe::#a(a) => sem::load(b, #size, a, cx.big_endian)),
                }
            })
            .collect();
        Ok((quote!(match #local { #(#arms,)* }), w))
    }

    /// Write `x` (Rust code for a `sem::V`) to table operand `operand`: every alternative
    /// exports a location (the checker refuses the rest).
    pub fn table_write(&self, operand: &str, x: TokenStream) -> Result<TokenStream, String> {
        let t = self.table_operand(operand).ok_or("table operand")?;
        let xe = export_enum(t);
        let local = export_local(operand);
        let mut arms = Vec::new();
        for (i, s) in slots(self.v, t).iter().enumerate() {
            let a = variant(i);
            arms.push(match s {
                Slot::None | Slot::Value => return Err(format!("table `{}` cannot be assigned", t.name)),
                Slot::Reg(r) => {
                    let g = format_ident!("reg_{}", r);
                    let w = self.v.regs.iter().find(|x| &x.name == r).map(|x| x.width).unwrap_or(64);
                    quote!(#xe::#a => { let r = #g(b); let v = sem::fit(b, x, #w); b.mov(r.0, v); })
                }
                Slot::RegStatic(file) => {
                    let f = format_ident!("wr_{}", file);
                    quote!(#xe::#a(i) => #f(b, i, x))
                }
                Slot::RegDyn(file) => {
                    let f = format_ident!("wrx_{}", file);
                    quote!(#xe::#a(i) => #f(b, i, x))
                }
                Slot::Mem(size) => quote!(#xe::#a(a) => sem::store(b, #size, a, x, cx.big_endian)),
            });
        }
        Ok(quote!({ let x = #x; match #local { #(#arms,)* } }))
    }
}
