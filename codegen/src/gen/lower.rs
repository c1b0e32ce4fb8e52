//! Generated lowering: one `lower_<insn>` per instruction with semantics, emitting IR through
//! the runtime's `ir::Builder` and `tb::sem`. Parts of the semantics that depend only on
//! encoding fields, `pc` and parameters are computed in Rust at translation time (static);
//! the rest becomes IR (dynamic). This file holds expressions and the per-instruction
//! functions (guards, the epilogue, the delay-slot model); `stmt` the statements, `access`
//! the register accessors, `helpers` the `Helpers` trait for helpers a spec declares, so a
//! missing implementation is a compile error.

use super::decoder::insn_struct;
use super::expr::{const_eval, const_lookup, const_table_name, lit, Env};
use super::state::rust_uint;
use crate::ast::{BinOp, Block, Expr, Stmt, UnOp};
use crate::model::*;
use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};
use std::collections::{BTreeMap, BTreeSet};

/// Lowering state for one instruction.
pub(super) struct Lx<'a> {
    pub(super) v: &'a Variant,
    pub(super) ins: &'a Insn,
    /// Scopes of locals: name -> (rust ident, width, static?).
    scopes: Vec<BTreeMap<String, (Ident, u32, bool)>>,
    assigned: BTreeSet<String>,
    counter: u32,
    /// Inside a run-time `if`: jumps, annuls and raises are conditional.
    pub(super) dyn_depth: u32,
}

type R<T> = Result<T, String>;

mod access;
mod helpers;
mod stmt;

fn collect_assigned(b: &Block, out: &mut BTreeSet<String>) {
    for s in &b.stmts {
        match s {
            Stmt::Assign { target, .. } if target.index.is_none() && target.field.is_none() => {
                out.insert(target.name.name.clone());
            }
            Stmt::If { then, els, .. } => {
                collect_assigned(then, out);
                if let Some(e) = els {
                    collect_assigned(e, out);
                }
            }
            Stmt::For { body, .. } => collect_assigned(body, out),
            _ => {}
        }
    }
}

fn has_call(b: &Block, names: &[&str]) -> bool {
    fn in_expr(e: &Expr, names: &[&str]) -> bool {
        match e {
            Expr::Call(n, args, _) => names.contains(&n.name.as_str()) || args.iter().any(|a| in_expr(a, names)),
            _ => false,
        }
    }
    b.stmts.iter().any(|s| match s {
        Stmt::Expr(e) => in_expr(e, names),
        Stmt::If { then, els, .. } => has_call(then, names) || els.as_ref().is_some_and(|e| has_call(e, names)),
        Stmt::For { body, .. } => has_call(body, names),
        _ => false,
    })
}

fn elem_size(width: u32) -> u32 {
    match width {
        0..=8 => 1,
        9..=16 => 2,
        17..=32 => 4,
        _ => 8,
    }
}

fn ty_of(w: u32) -> TokenStream {
    if w <= 32 {
        quote!(Ty::I32)
    } else {
        quote!(Ty::I64)
    }
}

fn reg_global(r: &Reg) -> TokenStream {
    let f = format_ident!("reg_{}", r.name);
    quote!(#f(b))
}

/// The IR condition of a comparison operator (None for other operators).
fn cmp_cond(op: BinOp) -> Option<TokenStream> {
    use BinOp::*;
    Some(match op {
        Eq => quote!(Cond::Eq),
        Ne => quote!(Cond::Ne),
        Lt => quote!(Cond::Ltu),
        Le => quote!(Cond::Leu),
        Gt => quote!(Cond::Gtu),
        Ge => quote!(Cond::Geu),
        Slt => quote!(Cond::Lt),
        Sle => quote!(Cond::Le),
        Sgt => quote!(Cond::Gt),
        Sge => quote!(Cond::Ge),
        _ => return None,
    })
}

/// The operands of a chain of `&&`.
fn conjuncts<'e>(e: &'e Expr, out: &mut Vec<&'e Expr>) {
    match e {
        Expr::Binary(BinOp::LAnd, a, b, _) => {
            conjuncts(a, out);
            conjuncts(b, out);
        }
        _ => out.push(e),
    }
}

/// Whether a block's last statement is `raise(...)` (control never falls out of it).
fn ends_in_raise(b: &Block) -> bool {
    matches!(b.stmts.last(), Some(Stmt::Expr(Expr::Call(n, _, _))) if n.name == "raise")
}

impl<'a> Lx<'a> {
    /// Lowering state for `ins` (an instruction, or a table alternative's blocks).
    pub(super) fn new(v: &'a Variant, ins: &'a Insn) -> Self {
        let mut assigned = BTreeSet::new();
        for b in ins.sem.iter().chain(ins.after.iter()).chain(v.epilogue.iter()) {
            collect_assigned(b, &mut assigned);
        }
        Lx { v, ins, scopes: vec![], assigned, counter: 0, dyn_depth: 0 }
    }

    fn local(&self, n: &str) -> Option<&(Ident, u32, bool)> {
        self.scopes.iter().rev().find_map(|s| s.get(n))
    }

    fn fresh(&mut self, base: &str) -> Ident {
        self.counter += 1;
        format_ident!("{}{}", base, self.counter)
    }

    pub(super) fn pc_bits(&self) -> u32 {
        self.v.regs.iter().find(|r| r.name == "pc").map(|r| r.width).unwrap_or(64)
    }

    fn env(&self) -> Env<'a> {
        Env {
            v: self.v,
            operands: &self.ins.operands,
            via_struct: true,
            pc_width: Some(self.pc_bits()),
            lowering: true,
        }
    }

    /// Whether `e` can be computed at translation time.
    pub(super) fn is_static(&self, e: &Expr) -> bool {
        match e {
            Expr::Int(..) | Expr::Bool(..) => true,
            Expr::Name(i) => {
                if let Some((_, _, st)) = self.local(&i.name) {
                    return *st;
                }
                self.ins.operands.get(&i.name).is_some_and(|o| matches!(o, Operand::Field { .. }))
                    || i.name == "pc"
                    || i.name == "next_pc"
                    || self.v.ctx_index(&i.name).is_some()
                    || matches!(self.v.params.get(&i.name), Some(ParamValue::Int(_)) | Some(ParamValue::Bool(_)))
            }
            Expr::Unary(_, a, _) => self.is_static(a),
            Expr::Binary(_, a, b, _) => self.is_static(a) && self.is_static(b),
            Expr::Ternary(c, a, b, _) => self.is_static(c) && self.is_static(a) && self.is_static(b),
            Expr::Slice(a, _, _, _) => self.is_static(a),
            Expr::Index(a, i, _) => {
                if const_table_name(self.v, a).is_some() {
                    return self.is_static(i);
                }
                if let Expr::Name(n) = &**a {
                    if self.v.regfiles.iter().any(|r| r.name == n.name) {
                        return false;
                    }
                }
                self.is_static(a) && self.is_static(i)
            }
            Expr::Call(n, args, _) => match n.name.as_str() {
                "sext" | "zext" => self.is_static(&args[0]),
                "big_endian" => true,
                _ => false,
            },
            Expr::Field(..) => false,
        }
    }

    /// Whether some operand of the `&&` chain `e` is known at translation time.
    fn static_conjuncts(&self, e: &Expr) -> bool {
        let mut parts = Vec::new();
        conjuncts(e, &mut parts);
        parts.len() > 1 && parts.iter().any(|p| self.is_static(p))
    }

    fn has_static_local(&self, e: &Expr) -> bool {
        match e {
            Expr::Name(i) => matches!(self.local(&i.name), Some((_, _, true))),
            Expr::Unary(_, a, _) | Expr::Slice(a, _, _, _) | Expr::Field(a, _, _) => self.has_static_local(a),
            Expr::Binary(_, a, b, _) | Expr::Index(a, b, _) => self.has_static_local(a) || self.has_static_local(b),
            Expr::Ternary(c, a, b, _) => {
                self.has_static_local(c) || self.has_static_local(a) || self.has_static_local(b)
            }
            Expr::Call(_, args, _) => args.iter().any(|a| self.has_static_local(a)),
            _ => false,
        }
    }

    /// Rust `u64` code for a static expression, and its width when known.
    pub(super) fn st(&self, e: &Expr, want: Option<u32>) -> R<(TokenStream, Option<u32>)> {
        if let Expr::Name(i) = e {
            if let Some((id, w, true)) = self.local(&i.name) {
                return Ok((quote!(#id), Some(*w)));
            }
        }
        if !self.has_static_local(e) {
            let (code, w) = self.env().gen(e, want)?;
            // Context variables come from the decoded instruction.
            if code.to_string().contains("ctx") {
                return Ok((quote!({ let ctx = &d.ctx; #code }), w));
            }
            return Ok((code, w));
        }
        match e {
            Expr::Unary(op, a, _) => {
                let (x, w) = self.st(a, want)?;
                let w = w.or(want).unwrap_or(64);
                let m = lit(ones(w));
                Ok(match op {
                    UnOp::Neg => (quote!((#x.wrapping_neg() & #m)), Some(w)),
                    UnOp::Not => (quote!((!#x & #m)), Some(w)),
                    UnOp::LNot => (quote!(((#x == 0) as u64)), Some(1)),
                })
            }
            Expr::Binary(op, a, b, _) => {
                let (x, wa) = self.st(a, None)?;
                let (y, wb) = self.st(b, None)?;
                static_bin(*op, x, y, wa.or(wb).or(want), wb)
            }
            Expr::Ternary(c, a, b, _) => {
                let (cc, _) = self.st(c, Some(1))?;
                let (x, wa) = self.st(a, want)?;
                let (y, wb) = self.st(b, want)?;
                Ok((quote!((if #cc != 0 { #x } else { #y })), wa.or(wb)))
            }
            Expr::Index(a, i, _) if const_table_name(self.v, a).is_some() => {
                let c = const_table_name(self.v, a).expect("checked");
                let (i, _) = self.st(i, None)?;
                Ok((const_lookup(c, i), Some(c.width)))
            }
            Expr::Index(a, i, _) => {
                let (x, _) = self.st(a, None)?;
                let (i, _) = self.st(i, None)?;
                Ok((quote!(((#x >> (#i & 63)) & 1)), Some(1)))
            }
            Expr::Slice(a, hi, lo, _) => {
                let (x, _) = self.st(a, None)?;
                let h = const_eval(self.v, hi).ok_or("slice bound")? as u32;
                let l = const_eval(self.v, lo).ok_or("slice bound")? as u32;
                let m = lit(ones(h - l + 1));
                let ll = lit(l as u64);
                Ok((quote!(((#x >> #ll) & #m)), Some(h - l + 1)))
            }
            Expr::Call(n, args, _) => {
                let (x, wx) = self.st(&args[0], None)?;
                let w = const_eval(self.v, &args[1]).ok_or("width")? as u32;
                let m = lit(ones(w));
                if n.name == "sext" {
                    let wl = lit(wx.unwrap_or(64) as u64);
                    Ok((quote!(((sx(#x, #wl as u32) as u64) & #m)), Some(w)))
                } else {
                    Ok((x, Some(w)))
                }
            }
            _ => Err(format!("unsupported translation-time expression in `{}`", self.ins.name)),
        }
    }

    fn width_hint(&self, e: &Expr) -> Option<u32> {
        match e {
            Expr::Int(..) => None,
            Expr::Bool(..) => Some(1),
            Expr::Name(i) => {
                if let Some((_, w, _)) = self.local(&i.name) {
                    return Some(*w);
                }
                if let Some(t) = self.table_operand(&i.name) {
                    return t.export_width;
                }
                if let Some(op) = self.ins.operands.get(&i.name) {
                    return crate::check::operand_width(self.v, op);
                }
                if i.name == "pc" || i.name == "next_pc" {
                    return Some(self.pc_bits());
                }
                if let Some(r) = self.v.regs.iter().find(|r| r.name == i.name) {
                    return Some(r.width);
                }
                self.v.context.iter().find(|c| c.name == i.name).map(|c| c.width)
            }
            Expr::Index(a, _, _) => {
                if let Expr::Name(n) = &**a {
                    if let Some(rf) = self.v.regfiles.iter().find(|r| r.name == n.name) {
                        return Some(rf.width);
                    }
                    if let Some(c) = self.v.const_table(&n.name) {
                        return Some(c.width);
                    }
                }
                Some(1)
            }
            Expr::Slice(_, h, l, _) => {
                let h = const_eval(self.v, h)? as u32;
                let l = const_eval(self.v, l)? as u32;
                Some(h - l + 1)
            }
            Expr::Field(r, f, _) => {
                let Expr::Name(n) = &**r else { return None };
                let reg = self.v.regs.iter().find(|x| x.name == n.name)?;
                reg.fields.iter().find(|(x, _, _)| *x == f.name).map(|(_, h, l)| h - l + 1)
            }
            Expr::Unary(UnOp::LNot, _, _) => Some(1),
            Expr::Unary(_, a, _) => self.width_hint(a),
            Expr::Binary(op, a, b, _) => match op {
                BinOp::Eq
                | BinOp::Ne
                | BinOp::Lt
                | BinOp::Le
                | BinOp::Gt
                | BinOp::Ge
                | BinOp::Slt
                | BinOp::Sle
                | BinOp::Sgt
                | BinOp::Sge
                | BinOp::LAnd
                | BinOp::LOr => Some(1),
                BinOp::Concat => Some(self.width_hint(a)? + self.width_hint(b)?),
                BinOp::Shl | BinOp::Shr | BinOp::Sar => self.width_hint(a),
                _ => self.width_hint(a).or_else(|| self.width_hint(b)),
            },
            Expr::Ternary(_, a, b, _) => self.width_hint(a).or_else(|| self.width_hint(b)),
            Expr::Call(n, args, _) => match n.name.as_str() {
                "sext" | "zext" => const_eval(self.v, &args[1]).map(|x| x as u32),
                "load" => const_eval(self.v, &args[0]).map(|x| x as u32),
                "big_endian" | "branch_taken" => Some(1),
                "add_overflow" | "sub_overflow" | "carry" | "borrow" => Some(1),
                "mulu_wide" | "muls_wide" => Some(2 * self.width_hint(&args[0]).or_else(|| self.width_hint(&args[1]))?),
                "clz" | "clo" | "ctz" | "popcount" | "bswap" | "bitrev" | "rotl" | "rotr" => self.width_hint(&args[0]),
                "udiv" | "sdiv" | "urem" | "srem" | "umin" | "umax" | "smin" | "smax" => {
                    self.width_hint(&args[0]).or_else(|| self.width_hint(&args[1]))
                }
                other => self.v.helpers.iter().find(|h| h.name == other).and_then(|h| h.ret),
            },
        }
    }

    /// Rust code producing a `sem::V` (IR value and width) for `e`.
    pub(super) fn dy(&mut self, e: &Expr, want: Option<u32>) -> R<(TokenStream, u32)> {
        if self.is_static(e) {
            let (code, w) = self.st(e, want)?;
            let w = w.or(want).ok_or_else(|| format!("cannot tell the width of a constant in `{}`", self.ins.name))?;
            return Ok((quote!(sem::konst(b, #code, #w)), w));
        }
        Ok(match e {
            Expr::Name(i) => {
                if let Some((id, w, _)) = self.local(&i.name).cloned() {
                    (quote!(#id), w)
                } else if self.table_operand(&i.name).is_some() {
                    self.table_read(&i.name)?
                } else if let Some(r) = self.v.regs.iter().find(|r| r.name == i.name) {
                    (reg_global(r), r.width)
                } else {
                    return Err(format!("`{}` cannot be read in semantics", i.name));
                }
            }
            Expr::Index(base, idx, _) => {
                if let Expr::Name(n) = &**base {
                    if let Some(rf) = self.v.regfiles.iter().find(|r| r.name == n.name) {
                        let w = rf.width;
                        if self.is_static(idx) {
                            let (i, _) = self.st(idx, Some(32))?;
                            let f = format_ident!("rd_{}", rf.name);
                            return Ok((quote!(#f(b, #i)), w));
                        }
                        let (i, _) = self.dy(idx, None)?;
                        let f = format_ident!("rdx_{}", rf.name);
                        return Ok((quote!({ let i = #i; #f(b, i) }), w));
                    }
                }
                let (x, wx) = self.dy(base, None)?;
                if self.is_static(idx) {
                    let (i, _) = self.st(idx, Some(wx))?;
                    return Ok((quote!({ let x = #x; let i = (#i) as u32; sem::slice(b, x, i, i) }), 1));
                }
                let (i, _) = self.dy(idx, Some(wx))?;
                (quote!({ let x = #x; let i = #i; sem::bit(b, x, i) }), 1)
            }
            Expr::Slice(a, hi, lo, _) => {
                let h = const_eval(self.v, hi).ok_or("slice bound")? as u32;
                let l = const_eval(self.v, lo).ok_or("slice bound")? as u32;
                let (x, _) = self.dy(a, None)?;
                (quote!({ let x = #x; sem::slice(b, x, #h, #l) }), h - l + 1)
            }
            Expr::Field(r, f, _) => {
                let Expr::Name(n) = &**r else { return Err("register field".into()) };
                let reg = self.v.regs.iter().find(|x| x.name == n.name).ok_or("register")?;
                let (_, hi, lo) = reg.fields.iter().find(|(x, _, _)| *x == f.name).ok_or("field")?.clone();
                let g = reg_global(reg);
                (quote!({ let r = #g; sem::field(b, r, #hi, #lo) }), hi - lo + 1)
            }
            Expr::Unary(op, a, _) => {
                let (x, w) = self.dy(a, want)?;
                match op {
                    UnOp::Neg => (quote!({ let x = #x; sem::neg(b, x) }), w),
                    UnOp::Not | UnOp::LNot => (quote!({ let x = #x; sem::not(b, x) }), w),
                }
            }
            Expr::Binary(op, a, c, _) => self.binary(*op, a, c, want)?,
            Expr::Ternary(c, a, x, _) => {
                let w = self.width_hint(a).or_else(|| self.width_hint(x)).or(want);
                if self.is_static(c) {
                    let (cc, _) = self.st(c, Some(1))?;
                    let (t, w1) = self.dy(a, w)?;
                    let (f, _) = self.dy(x, Some(w1))?;
                    (quote!(if #cc != 0 { #t } else { #f }), w1)
                } else {
                    let (cc, _) = self.dy(c, Some(1))?;
                    let (t, w1) = self.dy(a, w)?;
                    let (f, _) = self.dy(x, Some(w1))?;
                    (quote!({ let c = #cc; let t = #t; let f = #f; sem::select(b, c, t, f) }), w1)
                }
            }
            Expr::Call(n, args, _) => self.call(&n.name, args)?,
            Expr::Int(..) | Expr::Bool(..) => unreachable!("literals are static"),
        })
    }

    fn binary(&mut self, op: BinOp, a: &Expr, c: &Expr, want: Option<u32>) -> R<(TokenStream, u32)> {
        use BinOp::*;
        Ok(match op {
            Shl | Shr | Sar => {
                let (x, w) = self.dy(a, want)?;
                let (y, _) = self.dy(c, Some(w.max(8)))?;
                let f = match op {
                    Shl => quote!(sem::shl),
                    Shr => quote!(sem::shr),
                    _ => quote!(sem::sar),
                };
                (quote!({ let x = #x; let y = #y; #f(b, x, y) }), w)
            }
            Concat => {
                let (x, wa) = self.dy(a, None)?;
                let (y, wb) = self.dy(c, None)?;
                (quote!({ let x = #x; let y = #y; sem::concat(b, x, y) }), wa + wb)
            }
            LAnd | LOr => {
                let (x, _) = self.dy(a, Some(1))?;
                let (y, _) = self.dy(c, Some(1))?;
                let f = if op == LAnd { quote!(sem::and) } else { quote!(sem::or) };
                (quote!({ let x = #x; let y = #y; #f(b, x, y) }), 1)
            }
            _ => {
                let w = self.width_hint(a).or_else(|| self.width_hint(c)).or(want);
                let (x, w1) = self.dy(a, w)?;
                let (y, _) = self.dy(c, Some(w1))?;
                let (f, rw) = match op {
                    Add => (quote!(sem::add(b, x, y)), w1),
                    Sub => (quote!(sem::sub(b, x, y)), w1),
                    Mul => (quote!(sem::mul(b, x, y)), w1),
                    And => (quote!(sem::and(b, x, y)), w1),
                    Or => (quote!(sem::or(b, x, y)), w1),
                    Xor => (quote!(sem::xor(b, x, y)), w1),
                    Eq => (quote!(sem::cmp(b, Cond::Eq, x, y)), 1),
                    Ne => (quote!(sem::cmp(b, Cond::Ne, x, y)), 1),
                    Lt => (quote!(sem::cmp(b, Cond::Ltu, x, y)), 1),
                    Le => (quote!(sem::cmp(b, Cond::Leu, x, y)), 1),
                    Gt => (quote!(sem::cmp(b, Cond::Gtu, x, y)), 1),
                    Ge => (quote!(sem::cmp(b, Cond::Geu, x, y)), 1),
                    Slt => (quote!(sem::cmp(b, Cond::Lt, x, y)), 1),
                    Sle => (quote!(sem::cmp(b, Cond::Le, x, y)), 1),
                    Sgt => (quote!(sem::cmp(b, Cond::Gt, x, y)), 1),
                    Sge => (quote!(sem::cmp(b, Cond::Ge, x, y)), 1),
                    _ => unreachable!("handled above"),
                };
                (quote!({ let x = #x; let y = #y; #f }), rw)
            }
        })
    }

    /// Two operands of a common width (the first operand's, or a hint).
    fn pair(&mut self, a: &Expr, c: &Expr) -> R<(TokenStream, TokenStream, u32)> {
        let w = self.width_hint(a).or_else(|| self.width_hint(c));
        let (x, w1) = self.dy(a, w)?;
        let (y, _) = self.dy(c, Some(w1))?;
        Ok((x, y, w1))
    }

    fn call(&mut self, name: &str, args: &[Expr]) -> R<(TokenStream, u32)> {
        Ok(match name {
            "branch_taken" => (
                quote!({
                    let t = cx.taken_value(b);
                    (t, 1)
                }),
                1,
            ),
            "sext" | "zext" => {
                let w = const_eval(self.v, &args[1]).ok_or("width")? as u32;
                let (x, _) = self.dy(&args[0], None)?;
                let f = if name == "sext" { quote!(sem::sext) } else { quote!(sem::zext) };
                (quote!({ let x = #x; #f(b, x, #w) }), w)
            }
            "load" => {
                let w = const_eval(self.v, &args[0]).ok_or("load size")? as u32;
                let (a, _) = self.dy(&args[1], Some(self.pc_bits()))?;
                (quote!({ let a = #a; sem::load(b, #w, a, cx.big_endian) }), w)
            }
            "add_overflow" | "sub_overflow" | "carry" | "borrow" => {
                let (x, y, _) = self.pair(&args[0], &args[1])?;
                let f = format_ident!("{}", name);
                (quote!({ let x = #x; let y = #y; sem::#f(b, x, y) }), 1)
            }
            "clz" | "clo" | "ctz" | "popcount" | "bswap" | "bitrev" => {
                let (x, w) = self.dy(&args[0], None)?;
                let f = format_ident!("{}", name);
                (quote!({ let x = #x; sem::#f(b, x) }), w)
            }
            "rotl" | "rotr" => {
                let (x, w) = self.dy(&args[0], None)?;
                let (y, _) = self.dy(&args[1], Some(w.max(8)))?;
                let f = format_ident!("{}", name);
                (quote!({ let x = #x; let y = #y; sem::#f(b, x, y) }), w)
            }
            "mulu_wide" | "muls_wide" => {
                let (x, y, w) = self.pair(&args[0], &args[1])?;
                let signed = name == "muls_wide";
                (quote!({ let x = #x; let y = #y; sem::mul_wide(b, x, y, #signed) }), 2 * w)
            }
            "udiv" | "sdiv" | "urem" | "srem" => {
                let (x, y, w) = self.pair(&args[0], &args[1])?;
                let op = match name {
                    "udiv" => quote!(BinOp::Divu),
                    "sdiv" => quote!(BinOp::Divs),
                    "urem" => quote!(BinOp::Remu),
                    _ => quote!(BinOp::Rems),
                };
                (quote!({ let x = #x; let y = #y; sem::div(b, #op, x, y) }), w)
            }
            "umin" | "umax" | "smin" | "smax" => {
                let (x, y, w) = self.pair(&args[0], &args[1])?;
                let cond = match name {
                    "umin" => quote!(Cond::Ltu),
                    "umax" => quote!(Cond::Gtu),
                    "smin" => quote!(Cond::Lt),
                    _ => quote!(Cond::Gt),
                };
                (quote!({ let x = #x; let y = #y; sem::minmax(b, #cond, x, y) }), w)
            }
            other => {
                let (idx, h) = self
                    .v
                    .helpers
                    .iter()
                    .enumerate()
                    .find(|(_, h)| h.name == other)
                    .ok_or_else(|| format!("unknown function `{other}`"))?;
                let h = h.clone();
                let mut argc = Vec::new();
                for (a, (_, w)) in args.iter().zip(&h.params) {
                    let (x, _) = self.dy(a, Some(*w))?;
                    argc.push(quote!({ let x = #x; sem::fit(b, x, 64) }));
                }
                let idx = idx as u32;
                let flags = helpers::helper_flags(self.v, &h);
                let ret = match h.ret {
                    Some(w) => {
                        let ty = ty_of(w);
                        quote!(Some(#ty))
                    }
                    None => quote!(None),
                };
                let rw = h.ret.unwrap_or(1);
                // A helper that changes how later code translates (`mode`), or may write
                // persistent context, ends the block after the instruction.
                let has = |f: &str| h.flags.iter().any(|x| x == f);
                let bound_regs: Vec<&str> = self.v.bound_context().map(|(_, b)| b.reg.as_str()).collect();
                let ends = has("mode")
                    || (has("writes")
                        && !bound_regs.is_empty()
                        && (h.writes.is_empty() || h.writes.iter().any(|w| bound_regs.contains(&w.as_str()))));
                let end = if ends { quote!(cx.end_after = true;) } else { quote!() };
                let call = quote!({ #end let args = vec![#(#argc),*]; b.call(#idx, #other, args, #ret, #flags) });
                if h.ret.is_some() {
                    (quote!({ let r = #call.expect("helper result"); (r, #rw) }), rw)
                } else {
                    (quote!({ #call; sem::konst(b, 0, 1) }), 1)
                }
            }
        })
    }
}

fn static_bin(
    op: BinOp,
    x: TokenStream,
    y: TokenStream,
    w: Option<u32>,
    wb: Option<u32>,
) -> R<(TokenStream, Option<u32>)> {
    use BinOp::*;
    let wv = w.unwrap_or(64);
    let m = lit(ones(wv));
    Ok(match op {
        Add => (quote!((#x.wrapping_add(#y) & #m)), w),
        Sub => (quote!((#x.wrapping_sub(#y) & #m)), w),
        Mul => (quote!((#x.wrapping_mul(#y) & #m)), w),
        And => (quote!((#x & #y)), w),
        Or => (quote!((#x | #y)), w),
        Xor => (quote!((#x ^ #y)), w),
        Shl => (quote!(shl(#x, #y, #wv)), w),
        Shr => (quote!(shr(#x, #y)), w),
        Sar => (quote!(sar(#x, #y, #wv)), w),
        Eq => (quote!(((#x == #y) as u64)), Some(1)),
        Ne => (quote!(((#x != #y) as u64)), Some(1)),
        Lt => (quote!(((#x < #y) as u64)), Some(1)),
        Le => (quote!(((#x <= #y) as u64)), Some(1)),
        Gt => (quote!(((#x > #y) as u64)), Some(1)),
        Ge => (quote!(((#x >= #y) as u64)), Some(1)),
        Slt => (quote!(((sx(#x, #wv) < sx(#y, #wv)) as u64)), Some(1)),
        Sle => (quote!(((sx(#x, #wv) <= sx(#y, #wv)) as u64)), Some(1)),
        Sgt => (quote!(((sx(#x, #wv) > sx(#y, #wv)) as u64)), Some(1)),
        Sge => (quote!(((sx(#x, #wv) >= sx(#y, #wv)) as u64)), Some(1)),
        LAnd => (quote!((((#x != 0) && (#y != 0)) as u64)), Some(1)),
        LOr => (quote!((((#x != 0) || (#y != 0)) as u64)), Some(1)),
        Concat => {
            let s = lit(wb.ok_or("`++` operand without a width")? as u64);
            (quote!(((#x << #s) | #y)), w.map(|a| a + wb.unwrap_or(0)))
        }
    })
}

/// Lowering functions, the `lower` dispatcher, and the `Helpers` trait of one variant.
pub fn gen_lower(v: &Variant) -> Result<TokenStream, String> {
    let mut fns = Vec::new();
    let mut arms = Vec::new();
    for ins in &v.insns {
        let s = insn_struct(ins);
        let Some(sem) = &ins.sem else {
            arms.push(quote!(Insn::#s(_) => false));
            continue;
        };
        let mut lx = Lx::new(v, ins);
        let body = lx.block(sem).map_err(|e| format!("{}: {e}", ins.origin))?;
        let fname = format_ident!("lower_{}", ins.name.replace('.', "_").to_lowercase());
        let branching = ["jump", "jump_delayed", "annul_delay_slot"];
        let epi_jumps = v.epilogue.as_ref().is_some_and(|e| has_call(e, &branching));
        let prepare = if has_call(sem, &branching) || epi_jumps { quote!(cx.prepare(b);) } else { quote!() };
        // The epilogue, lowered in this instruction's context (after its guards, tables'
        // `after` blocks and jumps: `branch_taken()` sees them).
        let epilogue = match &v.epilogue {
            Some(e) => {
                let code = lx.block(e).map_err(|e| format!("{}: epilogue: {e}", ins.origin))?;
                let settle = if epi_jumps { quote!(cx.settle_taken(b);) } else { quote!() };
                quote!(#settle #code)
            }
            None => quote!(),
        };
        let mut doc = format!("Lowering of `{}` ({})", ins.name, ins.origin);
        if !ins.guards.is_empty() {
            doc += &format!("; guards: {}", ins.guards.join(", "));
        }
        if !ins.inlined.is_empty() {
            doc += &format!("; inlines: {}", ins.inlined.join(", "));
        }
        doc.push('.');
        fns.push(quote! {
            #[doc = #doc]
            #[allow(unused_variables)]
            fn #fname(f: &f::#s, d: &Decoded, pc: u64, b: &mut Builder, cx: &mut LowerCx) {
                let npc = pc.wrapping_add(d.len as u64);
                #prepare
                #body
                #epilogue
            }
        });
        arms.push(quote!(Insn::#s(x) => { #fname(x, d, pc, b, cx); true }));
    }
    let (methods, dispatch, table) = helpers::helper_items(v);
    let acc = access::accessors(v);
    let exports = super::exports::export_enums(v);
    // The delay-slot model, and what a jump in a delay slot does.
    let next_pc = match &v.delay_slot {
        None => quote!(NextPcModel::Sequential),
        Some(DelaySlot::SlotBranchRaises(code)) => {
            let code = *code as u32;
            quote!(NextPcModel::SlotBranchRaises(#code))
        }
        Some(DelaySlot::Register(r)) => {
            let f = format_ident!("{}", r);
            let n = v.fixed_insn_bytes().ok_or("a next-PC register needs instructions of one length")?;
            let bit = v.npc_key_bit().unwrap_or(0);
            if bit >= 64 {
                return Err("persistent context leaves no key bit for the next-PC register".into());
            }
            quote!(NextPcModel::Register { offset: core::mem::offset_of!(CpuState, #f) as u32, insn_bytes: #n, key_bit: #bit })
        }
    };
    let slot_check = match &v.delay_slot {
        Some(DelaySlot::SlotBranchRaises(code)) => {
            let code = *code as u32;
            let jumping: Vec<TokenStream> = v
                .insns
                .iter()
                .filter(|i| i.sem.iter().chain(i.after.iter()).any(|b| has_call(b, &["jump", "jump_delayed"])))
                .map(|i| {
                    let s = insn_struct(i);
                    quote!(Insn::#s(_))
                })
                .collect();
            if jumping.is_empty() {
                quote!()
            } else {
                quote! {
                    // A jump in a delay slot raises instead of running.
                    if cx.in_delay_slot && matches!(d.insn, #(#jumping)|*) {
                        let z = b.konst(Ty::I64, 0);
                        b.raise(#code, z);
                        cx.ends_block = true;
                        return true;
                    }
                }
            }
        }
        _ => quote!(),
    };
    Ok(quote! {
        #[allow(unused_imports)]
        use crate::ir::{BinOp, Builder, Cond, HelperFlags, Ty, Val};
        #[allow(unused_imports)]
        use crate::tb::{sem, LowerCx, NextPcModel};
        #acc
        #exports
        #(#fns)*
        /// Lower `d` (at `pc`) into `b`. `false`: the instruction has no semantics yet.
        /// How this architecture finds the next PC (its delay-slot model).
        pub const NEXT_PC: NextPcModel = #next_pc;
        pub fn lower(d: &Decoded, pc: u64, b: &mut Builder, cx: &mut LowerCx) -> bool {
            #slot_check
            match &d.insn { #(#arms,)* }
        }
        /// The helpers this core's spec declares; the runtime implements them.
        #[allow(clippy::too_many_arguments)]
        pub trait Helpers { #(#methods)* }
        /// Name and flags of each helper, by id.
        pub const HELPERS: &[(&str, HelperFlags)] = &[#(#table),*];
        /// Call helper `id` with `args` (each zero-extended to 64 bits).
        pub fn call_helper<H: Helpers + ?Sized>(h: &mut H, cpu: &mut CpuState, id: u32, args: &[u64]) -> u64 {
            match id { #(#dispatch,)* _ => panic!("no helper {id}") }
        }
    })
}
