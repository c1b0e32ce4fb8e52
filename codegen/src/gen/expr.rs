//! Rust code for spec expressions evaluated at decode or display time (conditions, display
//! values, context derivations). Values are `u64` masked to their width.

use crate::ast::{BinOp, Expr, UnOp};
use crate::model::{ConstTable, Operand, ParamValue, Variant};
use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use std::collections::BTreeMap;

/// How names are reached from generated code.
pub struct Env<'a> {
    pub v: &'a Variant,
    pub operands: &'a BTreeMap<String, Operand>,
    /// `true`: operands are fields of `f` (`f.f_x`); `false`: locals (`f_x`).
    pub via_struct: bool,
    /// Width of `pc`, when `pc` may be read.
    pub pc_width: Option<u32>,
    /// Generating lowering code, where the translation context `cx` is in scope (so
    /// `big_endian()` has a value); false at decode and display time.
    pub lowering: bool,
}

/// A `u64` literal, in hex when that reads better (masks, opcodes).
pub fn lit(v: u64) -> TokenStream {
    let text = if v < 256 { format!("{v}u64") } else { format!("{v:#x}u64") };
    let l: proc_macro2::Literal = text.parse().expect("literal");
    quote!(#l)
}

fn mask_ts(w: u32) -> TokenStream {
    lit(crate::model::ones(w))
}

impl Env<'_> {
    pub(super) fn width_of_name(&self, n: &str) -> Option<u32> {
        if let Some(op) = self.operands.get(n) {
            return crate::check::operand_width(self.v, op);
        }
        if n == "pc" {
            return self.pc_width;
        }
        if let Some(c) = self.v.context.iter().find(|c| c.name == n) {
            return Some(c.width);
        }
        if let Some(ParamValue::Bool(_)) = self.v.params.get(n) {
            return Some(1);
        }
        None
    }

    /// Generate `e`; `want` is the width the context expects for a literal.
    pub fn gen(&self, e: &Expr, want: Option<u32>) -> Result<(TokenStream, Option<u32>), String> {
        Ok(match e {
            Expr::Int(v, _) => {
                let w = want.unwrap_or(64);
                (lit((*v as u64) & crate::model::ones(w)), want)
            }
            Expr::Bool(b, _) => (lit(*b as u64), Some(1)),
            Expr::Name(i) => {
                let n = &i.name;
                if self.operands.contains_key(n) {
                    let id = format_ident!("f_{}", n);
                    let ts = if self.via_struct { quote!(f.#id) } else { quote!(#id) };
                    (ts, self.width_of_name(n))
                } else if n == "pc" && self.pc_width.is_some() {
                    let m = mask_ts(self.pc_width.unwrap_or(64));
                    (quote!((pc & #m)), self.pc_width)
                } else if n == "next_pc" && self.pc_width.is_some() {
                    let m = mask_ts(self.pc_width.unwrap_or(64));
                    (quote!((npc & #m)), self.pc_width)
                } else if self.v.ctx_index(n).is_some() {
                    let id = format_ident!("{}", n);
                    (quote!(ctx.#id), self.width_of_name(n))
                } else {
                    match self.v.params.get(n) {
                        Some(ParamValue::Int(x)) => {
                            let w = want.unwrap_or(64);
                            (lit((*x as u64) & crate::model::ones(w)), want)
                        }
                        Some(ParamValue::Bool(b)) => (lit(*b as u64), Some(1)),
                        _ => return Err(format!("`{n}` has no value at decode time")),
                    }
                }
            }
            Expr::Unary(op, a, _) => {
                let (x, w) = self.gen(a, want)?;
                let wm = mask_ts(w.or(want).unwrap_or(64));
                match op {
                    UnOp::Neg => (quote!((#x.wrapping_neg() & #wm)), w.or(want)),
                    UnOp::Not => (quote!((!#x & #wm)), w.or(want)),
                    UnOp::LNot => (quote!(((#x == 0) as u64)), Some(1)),
                }
            }
            Expr::Binary(op, a, b, _) => {
                use BinOp::*;
                match op {
                    Shl | Shr | Sar => {
                        let (x, w) = self.gen(a, want)?;
                        let (y, _) = self.gen(b, Some(64))?;
                        let wv = w.or(want).unwrap_or(64);
                        let wl = lit(wv as u64);
                        (
                            match op {
                                Shl => quote!(shl(#x, #y, #wl as u32)),
                                Shr => quote!(shr(#x, #y)),
                                _ => quote!(sar(#x, #y, #wl as u32)),
                            },
                            Some(wv),
                        )
                    }
                    Concat => {
                        let (x, wa) = self.gen(a, None)?;
                        let (y, wb) = self.gen(b, None)?;
                        let wb = wb.ok_or("`++` operand without width")?;
                        let wa = wa.ok_or("`++` operand without width")?;
                        let s = lit(wb as u64);
                        (quote!(((#x << #s) | #y)), Some(wa + wb))
                    }
                    LAnd | LOr => {
                        let (x, _) = self.gen(a, Some(1))?;
                        let (y, _) = self.gen(b, Some(1))?;
                        if *op == LAnd {
                            (quote!((((#x != 0) && (#y != 0)) as u64)), Some(1))
                        } else {
                            (quote!((((#x != 0) || (#y != 0)) as u64)), Some(1))
                        }
                    }
                    _ => {
                        // Find the operand width first so literals adapt.
                        let wa = self.gen(a, None)?.1;
                        let wb = self.gen(b, None)?.1;
                        let w = wa.or(wb).or(want);
                        let (x, _) = self.gen(a, w)?;
                        let (y, _) = self.gen(b, w)?;
                        let wv = w.unwrap_or(64);
                        let m = mask_ts(wv);
                        let wl = lit(wv as u64);
                        match op {
                            Add => (quote!((#x.wrapping_add(#y) & #m)), w),
                            Sub => (quote!((#x.wrapping_sub(#y) & #m)), w),
                            Mul => (quote!((#x.wrapping_mul(#y) & #m)), w),
                            And => (quote!((#x & #y)), w),
                            Or => (quote!((#x | #y)), w),
                            Xor => (quote!((#x ^ #y)), w),
                            Eq => (quote!(((#x == #y) as u64)), Some(1)),
                            Ne => (quote!(((#x != #y) as u64)), Some(1)),
                            Lt => (quote!(((#x < #y) as u64)), Some(1)),
                            Le => (quote!(((#x <= #y) as u64)), Some(1)),
                            Gt => (quote!(((#x > #y) as u64)), Some(1)),
                            Ge => (quote!(((#x >= #y) as u64)), Some(1)),
                            Slt => (quote!(((sx(#x, #wl as u32) < sx(#y, #wl as u32)) as u64)), Some(1)),
                            Sle => (quote!(((sx(#x, #wl as u32) <= sx(#y, #wl as u32)) as u64)), Some(1)),
                            Sgt => (quote!(((sx(#x, #wl as u32) > sx(#y, #wl as u32)) as u64)), Some(1)),
                            Sge => (quote!(((sx(#x, #wl as u32) >= sx(#y, #wl as u32)) as u64)), Some(1)),
                            _ => unreachable!(),
                        }
                    }
                }
            }
            Expr::Ternary(c, a, b, _) => {
                let (cc, _) = self.gen(c, Some(1))?;
                let wa = self.gen(a, None)?.1;
                let wb = self.gen(b, None)?.1;
                let w = wa.or(wb).or(want);
                let (x, _) = self.gen(a, w)?;
                let (y, _) = self.gen(b, w)?;
                (quote!((if #cc != 0 { #x } else { #y })), w)
            }
            Expr::Index(base, idx, _) if const_table_name(self.v, base).is_some() => {
                let c = const_table_name(self.v, base).expect("checked");
                let (i, _) = self.gen(idx, Some(64))?;
                (const_lookup(c, i), Some(c.width))
            }
            Expr::Index(base, idx, _) => {
                let (x, _) = self.gen(base, None)?;
                let (i, _) = self.gen(idx, Some(64))?;
                (quote!(((#x >> (#i & 63)) & 1)), Some(1))
            }
            Expr::Slice(base, hi, lo, _) => {
                let (x, _) = self.gen(base, None)?;
                let h = const_eval(self.v, hi).ok_or("slice bound")?;
                let l = const_eval(self.v, lo).ok_or("slice bound")?;
                let w = (h - l + 1) as u32;
                let m = mask_ts(w);
                let ll = lit(l as u64);
                (quote!(((#x >> #ll) & #m)), Some(w))
            }
            Expr::Call(name, args, _) => match name.name.as_str() {
                "sext" | "zext" => {
                    let (x, wx) = self.gen(&args[0], None)?;
                    let w = const_eval(self.v, &args[1]).ok_or("width")? as u32;
                    let m = mask_ts(w);
                    if name.name == "sext" {
                        let wl = lit(wx.unwrap_or(64) as u64);
                        (quote!(((sx(#x, #wl as u32) as u64) & #m)), Some(w))
                    } else {
                        (x, Some(w))
                    }
                }
                "popcount" => {
                    let (x, w) = self.gen(&args[0], None)?;
                    (quote!((#x.count_ones() as u64)), w)
                }
                "big_endian" if self.lowering => (quote!((cx.big_endian as u64)), Some(1)),
                other => return Err(format!("`{other}` cannot be evaluated at decode or display time")),
            },
            Expr::Field(..) => return Err("register fields cannot be read at decode or display time".into()),
        })
    }
}

/// The constant table `e` names, if it is one.
pub fn const_table_name<'v>(v: &'v Variant, e: &Expr) -> Option<&'v ConstTable> {
    match e {
        Expr::Name(n) => v.const_table(&n.name),
        _ => None,
    }
}

/// Element `i` (Rust code for a `u64`) of constant table `c`. The checker proved the index
/// in range; it is clamped all the same, so no index can read outside the table.
pub fn const_lookup(c: &ConstTable, i: TokenStream) -> TokenStream {
    let vals: Vec<TokenStream> = c.values.iter().map(|x| lit(*x)).collect();
    let last = c.values.len().saturating_sub(1);
    quote!({
        const T: &[u64] = &[#(#vals),*];
        T[(#i as usize).min(#last)]
    })
}

pub fn const_eval(v: &Variant, e: &Expr) -> Option<u128> {
    match e {
        Expr::Int(x, _) => Some(*x),
        Expr::Name(i) => match v.params.get(&i.name) {
            Some(ParamValue::Int(x)) => Some(*x as u128),
            _ => None,
        },
        Expr::Binary(op, a, b, _) => {
            let a = const_eval(v, a)?;
            let b = const_eval(v, b)?;
            Some(match op {
                BinOp::Add => a.wrapping_add(b),
                BinOp::Sub => a.wrapping_sub(b),
                BinOp::Mul => a.wrapping_mul(b),
                _ => return None,
            })
        }
        _ => None,
    }
}
