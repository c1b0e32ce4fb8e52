//! Width checking of expressions and statements (semantics, display expressions, conditions).
//! Every value is a bit vector of a known width; integer literals take the width of what they
//! meet. No implicit truncation or extension: `sext`, `zext` and slices say it.

use crate::ast::{BinOp, Block, Expr, Stmt, UnOp};
use crate::diag::{Diagnostic, Span};
use crate::model::{Operand, ParamValue, Variant, IR_MAX_BITS};
use std::collections::BTreeMap;

/// The width of an expression: `None` for an integer literal that adapts to its context.
pub type Ty = Option<u32>;

/// What a name means where it is used.
pub struct Scope<'a> {
    pub v: &'a Variant,
    pub operands: &'a BTreeMap<String, Operand>,
    pub locals: Vec<BTreeMap<String, u32>>,
    /// Whether `pc` (this instruction's address) may be read.
    pub allow_pc: bool,
    /// In display expressions names tables may be indexed.
    pub display: bool,
    /// In the epilogue, `branch_taken()` says whether the instruction is jumping.
    pub epilogue: bool,
    pub used: std::collections::BTreeSet<String>,
    /// Loop variables in scope and the largest value each takes (they are known at
    /// translation time, so an index made of them is range-checked like a field).
    pub loops: BTreeMap<String, u128>,
}

/// The most iterations a `for` may unroll into one instruction's code.
const MAX_UNROLL: u128 = 1024;

type R<T> = Result<T, Diagnostic>;

fn mismatch(span: Span, a: u32, b: u32, what: &str) -> Diagnostic {
    Diagnostic::error(span, format!("width mismatch: {a} bits {what} {b} bits"), format!("{a} bits vs {b} bits"))
        .with_note("widths never change implicitly: use sext(x, N), zext(x, N) or a slice x[hi:lo]")
}

/// A width the IR cannot carry.
fn too_wide(span: Span, w: u128, what: &str) -> Diagnostic {
    Diagnostic::error(
        span,
        format!("{what} of {w} bits: the IR carries values of 1 to {IR_MAX_BITS} bits"),
        format!("{w} bits"),
    )
    .with_note("split a wider value into parts of at most 64 bits")
}

/// A memory access size the IR has (8, 16, 32 or 64 bits).
fn access_size(span: Span, w: u32) -> R<u32> {
    if [8, 16, 32, 64].contains(&w) {
        Ok(w)
    } else {
        Err(Diagnostic::error(span, format!("a memory access of {w} bits"), "expected 8, 16, 32 or 64"))
    }
}

/// Value-producing functions the language defines (a helper cannot take one of these names,
/// nor one of `STMT_INTRINSICS`).
const VALUE_INTRINSICS: &str = "sext zext load big_endian add_overflow sub_overflow carry borrow clz clo ctz \
                                popcount bswap bitrev rotl rotr mulu_wide muls_wide udiv sdiv urem srem umin \
                                umax smin smax branch_taken";

/// Whether `name` is a function of the language itself rather than a declared helper.
pub fn is_intrinsic(name: &str) -> bool {
    VALUE_INTRINSICS.split_whitespace().any(|n| n == name) || STMT_INTRINSICS.contains(&name)
}

/// Statement-level intrinsics (no value).
pub const STMT_INTRINSICS: &[&str] =
    &["store", "jump", "jump_delayed", "annul_delay_slot", "raise", "barrier", "nop", "halt", "set_context"];

impl<'a> Scope<'a> {
    /// The scope of semantics over `operands`: `pc` readable, no locals, not a display.
    pub fn new(v: &'a Variant, operands: &'a BTreeMap<String, Operand>) -> Self {
        Scope {
            v,
            operands,
            locals: vec![],
            allow_pc: true,
            display: false,
            epilogue: false,
            used: Default::default(),
            loops: BTreeMap::new(),
        }
    }

    fn lookup_local(&self, n: &str) -> Option<u32> {
        self.locals.iter().rev().find_map(|m| m.get(n).copied())
    }

    pub fn const_eval(&self, e: &Expr) -> Option<u128> {
        match e {
            Expr::Int(v, _) => Some(*v),
            Expr::Name(i) => match self.v.params.get(&i.name) {
                Some(ParamValue::Int(v)) => Some(*v as u128),
                _ => None,
            },
            Expr::Binary(op, a, b, _) => {
                let a = self.const_eval(a)?;
                let b = self.const_eval(b)?;
                Some(match op {
                    BinOp::Add => a.wrapping_add(b),
                    BinOp::Sub => a.wrapping_sub(b),
                    BinOp::Mul => a.wrapping_mul(b),
                    BinOp::Shl => a.checked_shl(b as u32).unwrap_or(0),
                    BinOp::Shr => a.checked_shr(b as u32).unwrap_or(0),
                    BinOp::And => a & b,
                    BinOp::Or => a | b,
                    _ => return None,
                })
            }
            _ => None,
        }
    }

    fn const_width(&self, e: &Expr, what: &str) -> R<u32> {
        match self.const_eval(e) {
            Some(v) if (1..=IR_MAX_BITS as u128).contains(&v) => Ok(v as u32),
            Some(v) => Err(too_wide(e.span(), v, what)),
            None => Err(Diagnostic::error(
                e.span(),
                format!("{what} must be a constant"),
                "expected a number or a parameter",
            )),
        }
    }

    fn unknown(&self, span: Span, name: &str) -> Diagnostic {
        let in_other_token = self.v.tokens.iter().find(|t| t.fields.iter().any(|f| f.name == name));
        match in_other_token {
            Some(t) => Diagnostic::error(
                span,
                format!("missing field: `{name}` is not part of this encoding"),
                format!("`{name}` is a field of token `{}`, which this pattern does not read", t.name),
            ),
            None => Diagnostic::error(span, format!("unknown name `{name}`"), "not found in this scope"),
        }
    }

    fn fit(&self, e: &Expr, w: u32) -> R<()> {
        if let Expr::Int(v, s) = e {
            if w < 128 && *v >> w != 0 {
                return Err(Diagnostic::error(
                    *s,
                    format!("width mismatch: {v:#x} does not fit in {w} bits"),
                    format!("needs more than {w} bits"),
                ));
            }
        }
        Ok(())
    }

    fn unify(&self, span: Span, a: (&Expr, Ty), b: (&Expr, Ty), what: &str) -> R<Ty> {
        match (a.1, b.1) {
            (Some(x), Some(y)) if x != y => Err(mismatch(span, x, y, what)),
            (Some(x), None) => {
                self.fit(b.0, x)?;
                Ok(Some(x))
            }
            (None, Some(y)) => {
                self.fit(a.0, y)?;
                Ok(Some(y))
            }
            (x, _) => Ok(x),
        }
    }

    fn want1(&self, e: &Expr, t: Ty, what: &str) -> R<()> {
        match t {
            Some(1) | None => Ok(()),
            Some(w) => Err(Diagnostic::error(
                e.span(),
                format!("width mismatch: {what} must be 1 bit, this is {w} bits"),
                format!("{w} bits"),
            )
            .with_note("compare with `!= 0` to make a condition")),
        }
    }

    /// Whether `e` is known when the instruction is translated: literals, parameters,
    /// encoding fields, `pc`, context variables and operators over them.
    fn translation_static(&self, e: &Expr) -> bool {
        match e {
            Expr::Int(..) | Expr::Bool(..) => true,
            Expr::Name(i) if self.loops.contains_key(&i.name) => true,
            Expr::Name(i) => {
                self.lookup_local(&i.name).is_none()
                    && (matches!(self.operands.get(&i.name), Some(Operand::Field { .. }))
                        || i.name == "pc"
                        || i.name == "next_pc"
                        || self.v.ctx_index(&i.name).is_some()
                        || matches!(self.v.params.get(&i.name), Some(ParamValue::Int(_) | ParamValue::Bool(_))))
            }
            Expr::Unary(_, a, _) | Expr::Slice(a, _, _, _) => self.translation_static(a),
            Expr::Binary(_, a, b, _) => self.translation_static(a) && self.translation_static(b),
            Expr::Ternary(c, a, b, _) => {
                self.translation_static(c) && self.translation_static(a) && self.translation_static(b)
            }
            Expr::Index(a, i, _) => match &**a {
                Expr::Name(n) if self.v.const_table(&n.name).is_some() => self.translation_static(i),
                Expr::Name(n) if self.v.regfiles.iter().any(|r| r.name == n.name) => false,
                _ => self.translation_static(a) && self.translation_static(i),
            },
            Expr::Call(n, args, _) => match n.name.as_str() {
                "sext" | "zext" => self.translation_static(&args[0]),
                _ => false,
            },
            Expr::Field(..) => false,
        }
    }

    /// Check an index into something of `len` elements (a register file or a constant
    /// table) that is known at translation time: it must stay below `len` for every value
    /// its width allows.
    fn check_static_index(&mut self, idx: &Expr, len: u64, what: &str) -> R<()> {
        if let Some(i) = self.const_eval(idx) {
            if i >= len as u128 {
                return Err(Diagnostic::error(
                    idx.span(),
                    format!("index {i} is out of range: {what} has {len} entries"),
                    format!("must be below {len}"),
                ));
            }
            return Ok(());
        }
        if !self.translation_static(idx) {
            return Ok(());
        }
        if let Expr::Name(n) = idx {
            if let Some(&max) = self.loops.get(&n.name) {
                if max >= len as u128 {
                    return Err(Diagnostic::error(
                        idx.span(),
                        format!(
                            "index out of range: loop variable `{}` reaches {max}, and {what} has {len} entries",
                            n.name
                        ),
                        format!("can reach {max}"),
                    ));
                }
                return Ok(());
            }
        }
        let w = self.expr(idx)?;
        if let Some(w) = w {
            let max = if w >= 64 { u64::MAX as u128 } else { (1u128 << w) - 1 };
            if max >= len as u128 {
                return Err(Diagnostic::error(
                    idx.span(),
                    format!("index out of range: this {w}-bit index reaches {max}, and {what} has {len} entries"),
                    format!("can reach {max}"),
                )
                .with_note(format!(
                    "an index known at translation time must stay below {len} for every value it can take; \
                     slice it or use a narrower field"
                )));
            }
        }
        Ok(())
    }

    /// An element of view `name`: its index must have the view's index width.
    fn view_index(&mut self, name: &str, index_width: u32, width: u32, idx: &Expr) -> R<u32> {
        if self.display {
            return Err(Diagnostic::error(
                idx.span(),
                format!("view `{name}` has no value in a display"),
                "its value exists only when the instruction runs",
            ));
        }
        self.used.insert(name.to_string());
        let t = self.expr(idx)?;
        self.unify(idx.span(), (idx, t), (idx, Some(index_width)), "used as an index of")?;
        Ok(width)
    }

    /// The width of an expression.
    pub fn expr(&mut self, e: &Expr) -> R<Ty> {
        match e {
            Expr::Int(..) => Ok(None),
            Expr::Bool(..) => Ok(Some(1)),
            Expr::Name(i) => {
                self.used.insert(i.name.clone());
                if let Some(w) = self.lookup_local(&i.name) {
                    return Ok(Some(w));
                }
                if let Some(op) = self.operands.get(&i.name) {
                    return match op {
                        Operand::Field { .. } => Ok(crate::check::operand_width(self.v, op)),
                        Operand::Table { .. } if self.display => Ok(crate::check::operand_width(self.v, op)),
                        Operand::Table { table, .. } => match self.v.tables[*table].export_width {
                            Some(w) => Ok(Some(w)),
                            None => Err(Diagnostic::error(
                                i.span,
                                format!("table `{}` exports nothing", self.v.tables[*table].name),
                                "has no value in semantics",
                            )
                            .with_note("give each of its alternatives an `export`")),
                        },
                    };
                }
                if (i.name == "pc" || i.name == "next_pc") && self.allow_pc {
                    if let Some(r) = self.v.regs.iter().find(|r| r.name == "pc") {
                        return Ok(Some(r.width));
                    }
                }
                if let Some(c) = self.v.context.iter().find(|c| c.name == i.name) {
                    return Ok(Some(c.width));
                }
                if let Some(r) = self.v.regs.iter().find(|r| r.name == i.name) {
                    return Ok(Some(r.width));
                }
                match self.v.params.get(&i.name) {
                    Some(ParamValue::Int(_)) => return Ok(None),
                    Some(ParamValue::Bool(_)) => return Ok(Some(1)),
                    Some(_) => {
                        return Err(Diagnostic::error(
                            i.span,
                            format!("parameter `{}` is not a number", i.name),
                            "only integer and bool parameters have a value here",
                        ))
                    }
                    None => {}
                }
                if self.v.regfiles.iter().any(|r| r.name == i.name) || self.v.view(&i.name).is_some() {
                    return Err(Diagnostic::error(
                        i.span,
                        format!("register file `{}` needs an index", i.name),
                        format!("write `{}[n]`", i.name),
                    ));
                }
                Err(self.unknown(i.span, &i.name))
            }
            Expr::Index(base, idx, span) => {
                if let Expr::Name(b) = &**base {
                    if let Some(view) = self.v.view(&b.name) {
                        return self.view_index(&b.name, view.index_width, view.width, idx).map(Some);
                    }
                    if let Some(rf) = self.v.regfiles.iter().find(|r| r.name == b.name) {
                        let (w, count, name) = (rf.width, rf.count, rf.name.clone());
                        self.used.insert(b.name.clone());
                        self.expr(idx)?;
                        self.check_static_index(idx, count, &format!("register file `{name}`"))?;
                        return Ok(Some(w));
                    }
                    if let Some(c) = self.v.const_table(&b.name) {
                        let (w, len, name) = (c.width, c.values.len() as u64, c.name.clone());
                        self.used.insert(b.name.clone());
                        self.expr(idx)?;
                        if !self.translation_static(idx) {
                            return Err(Diagnostic::error(
                                idx.span(),
                                format!("the index of constant table `{name}` must be known at translation time"),
                                "depends on run-time state",
                            )
                            .with_note("index it with encoding fields, constants, parameters or `pc`"));
                        }
                        self.check_static_index(idx, len, &format!("constant table `{name}`"))?;
                        return Ok(Some(w));
                    }
                    if self.display && self.v.names.contains_key(&b.name) {
                        self.expr(idx)?;
                        return Ok(None);
                    }
                }
                let bt = self.expr(base)?;
                self.expr(idx)?;
                if let (Some(w), Some(i)) = (bt, self.const_eval(idx)) {
                    if i >= w as u128 {
                        return Err(Diagnostic::error(
                            *span,
                            format!("bit {i} is outside a {w}-bit value"),
                            "out of range",
                        ));
                    }
                }
                Ok(Some(1))
            }
            Expr::Slice(base, hi, lo, span) => {
                let bt = self.expr(base)?;
                let h = self.const_eval(hi);
                let l = self.const_eval(lo);
                match (h, l) {
                    (Some(h), Some(l)) if h >= l => {
                        if let Some(w) = bt {
                            if h >= w as u128 {
                                return Err(Diagnostic::error(
                                    *span,
                                    format!("width mismatch: slice [{h}:{l}] of a {w}-bit value"),
                                    format!("bit {h} does not exist"),
                                ));
                            }
                        }
                        Ok(Some((h - l + 1) as u32))
                    }
                    _ => Err(Diagnostic::error(
                        *span,
                        "a slice needs constant bounds hi >= lo",
                        "write x[hi:lo] with numbers or parameters",
                    )),
                }
            }
            Expr::Field(base, f, span) => {
                let rname = match &**base {
                    Expr::Name(n) => n.name.clone(),
                    _ => {
                        return Err(Diagnostic::error(
                            *span,
                            "only registers have named fields",
                            "expected `REG.FIELD`",
                        ))
                    }
                };
                let Some(reg) = self.v.regs.iter().find(|r| r.name == rname) else {
                    return Err(self.unknown(base.span(), &rname));
                };
                self.used.insert(rname);
                match reg.fields.iter().find(|(n, _, _)| *n == f.name) {
                    Some((_, hi, lo)) => Ok(Some(hi - lo + 1)),
                    None => Err(Diagnostic::error(
                        f.span,
                        format!("register `{}` has no field `{}`", reg.name, f.name),
                        "unknown field",
                    )),
                }
            }
            Expr::Unary(op, a, _) => {
                let t = self.expr(a)?;
                if *op == UnOp::LNot {
                    self.want1(a, t, "the operand of `!`")?;
                    return Ok(Some(1));
                }
                Ok(t)
            }
            Expr::Binary(op, a, b, span) => {
                let ta = self.expr(a)?;
                let tb = self.expr(b)?;
                use BinOp::*;
                match op {
                    Add | Sub | Mul | And | Or | Xor => self.unify(*span, (a, ta), (b, tb), op.symbol()),
                    Shl | Shr | Sar => Ok(ta),
                    Concat => match (ta, tb) {
                        (Some(x), Some(y)) if x + y > IR_MAX_BITS => Err(too_wide(*span, (x + y) as u128, "a value")),
                        (Some(x), Some(y)) => Ok(Some(x + y)),
                        _ => Err(Diagnostic::error(
                            *span,
                            "`++` needs operands of known width",
                            "a literal has no width here; slice or extend it",
                        )),
                    },
                    Eq | Ne | Lt | Le | Gt | Ge | Slt | Sle | Sgt | Sge => {
                        self.unify(*span, (a, ta), (b, tb), op.symbol())?;
                        Ok(Some(1))
                    }
                    LAnd | LOr => {
                        self.want1(a, ta, "an operand of a logical operator")?;
                        self.want1(b, tb, "an operand of a logical operator")?;
                        Ok(Some(1))
                    }
                }
            }
            Expr::Ternary(c, a, b, span) => {
                let tc = self.expr(c)?;
                self.want1(c, tc, "a condition")?;
                let ta = self.expr(a)?;
                let tb = self.expr(b)?;
                self.unify(*span, (a, ta), (b, tb), "and")
            }
            Expr::Call(name, args, span) => self.call(name.name.as_str(), name.span, args, *span, false),
        }
    }

    fn nargs(&self, span: Span, name: &str, args: &[Expr], n: usize) -> R<()> {
        if args.len() != n {
            return Err(Diagnostic::error(
                span,
                format!("`{name}` takes {n} argument{}, {} given", if n == 1 { "" } else { "s" }, args.len()),
                "wrong number of arguments",
            ));
        }
        Ok(())
    }

    /// A call; `stmt` when it stands alone as a statement.
    pub fn call(&mut self, name: &str, nspan: Span, args: &[Expr], span: Span, stmt: bool) -> R<Ty> {
        let is_stmt_intrinsic = STMT_INTRINSICS.contains(&name);
        if is_stmt_intrinsic && !stmt {
            return Err(Diagnostic::error(span, format!("`{name}` has no value"), "use it as a statement"));
        }
        match name {
            "sext" | "zext" => {
                self.nargs(span, name, args, 2)?;
                let t = self.expr(&args[0])?;
                let w = self.const_width(&args[1], "the target width")?;
                if let Some(tw) = t {
                    if tw > w {
                        return Err(Diagnostic::error(
                            span,
                            format!("width mismatch: cannot {name} a {tw}-bit value to {w} bits"),
                            "target is narrower; use a slice to truncate",
                        ));
                    }
                }
                Ok(Some(w))
            }
            "branch_taken" => {
                self.nargs(span, name, args, 0)?;
                if !self.epilogue {
                    return Err(Diagnostic::error(
                        span,
                        "`branch_taken()` has a value only in the epilogue",
                        "an instruction's own jumps are known where it makes them",
                    ));
                }
                Ok(Some(1))
            }
            "big_endian" => {
                self.nargs(span, name, args, 0)?;
                if self.display {
                    return Err(Diagnostic::error(
                        span,
                        "`big_endian()` has no value in a display",
                        "the byte order is known only when an instruction is translated",
                    ));
                }
                Ok(Some(1))
            }
            "load" => {
                self.nargs(span, name, args, 2)?;
                let w = access_size(args[0].span(), self.const_width(&args[0], "the access size")?)?;
                self.expr(&args[1])?;
                Ok(Some(w))
            }
            "store" => {
                self.nargs(span, name, args, 3)?;
                let w = access_size(args[0].span(), self.const_width(&args[0], "the access size")?)?;
                self.expr(&args[1])?;
                let t = self.expr(&args[2])?;
                self.unify(span, (&args[2], t), (&args[2], Some(w)), "stored into")?;
                Ok(None)
            }
            "jump_delayed" | "annul_delay_slot" if self.v.delay_slot.is_none() => Err(Diagnostic::error(
                span,
                format!("`{name}` without a delay-slot model"),
                "instructions run in sequence here",
            )
            .with_note("declare `next_pc delayed { branch_in_slot = EXCEPTION; }` (or `{ register = NPC; }`)")),
            "jump" | "jump_delayed" => {
                self.nargs(span, name, args, 1)?;
                self.expr(&args[0])?;
                Ok(None)
            }
            "annul_delay_slot" | "barrier" | "nop" | "halt" => {
                self.nargs(span, name, args, 0)?;
                Ok(None)
            }
            "set_context" => {
                self.nargs(span, name, args, 2)?;
                let c = match &args[0] {
                    Expr::Name(n) => self.v.context.iter().find(|c| c.name == n.name),
                    _ => None,
                };
                let Some(c) = c else {
                    return Err(Diagnostic::error(
                        args[0].span(),
                        "not a context variable",
                        "expected a variable declared in `context { ... }`",
                    ));
                };
                if c.bound.is_none() {
                    return Err(Diagnostic::error(
                        args[0].span(),
                        format!("`{}` is not persistent context", c.name),
                        "it is decoder state of one instruction only",
                    )
                    .with_note(format!(
                        "declare it `{}: {} bound REG.FIELD;` to keep it in a state field",
                        c.name, c.width
                    )));
                }
                let w = c.width;
                let t = self.expr(&args[1])?;
                self.unify(span, (&args[1], t), (&args[0], Some(w)), "set into")?;
                Ok(None)
            }
            "raise" => {
                if args.is_empty() {
                    return self.nargs(span, name, args, 1).map(|_| None);
                }
                match &args[0] {
                    Expr::Name(n) if self.v.exceptions.contains_key(&n.name) => {}
                    other => {
                        return Err(Diagnostic::error(
                            other.span(),
                            "unknown exception",
                            "expected a name declared with `exception NAME = CODE;`",
                        ))
                    }
                }
                for a in &args[1..] {
                    self.expr(a)?;
                }
                Ok(None)
            }
            "add_overflow" | "sub_overflow" | "carry" | "borrow" => {
                self.nargs(span, name, args, 2)?;
                let a = self.expr(&args[0])?;
                let b = self.expr(&args[1])?;
                self.unify(span, (&args[0], a), (&args[1], b), "and")?;
                Ok(Some(1))
            }
            "clz" | "clo" | "ctz" | "popcount" | "bswap" | "bitrev" => {
                self.nargs(span, name, args, 1)?;
                self.expr(&args[0])
            }
            "rotl" | "rotr" => {
                self.nargs(span, name, args, 2)?;
                let t = self.expr(&args[0])?;
                self.expr(&args[1])?;
                Ok(t)
            }
            "mulu_wide" | "muls_wide" => {
                self.nargs(span, name, args, 2)?;
                let a = self.expr(&args[0])?;
                let b = self.expr(&args[1])?;
                match self.unify(span, (&args[0], a), (&args[1], b), "and")? {
                    Some(w) if 2 * w > IR_MAX_BITS => {
                        Err(too_wide(span, 2 * w as u128, &format!("the product of `{name}`")))
                    }
                    Some(w) => Ok(Some(2 * w)),
                    None => Err(Diagnostic::error(span, "operands need a known width", "here")),
                }
            }
            "udiv" | "sdiv" | "urem" | "srem" | "umin" | "umax" | "smin" | "smax" => {
                self.nargs(span, name, args, 2)?;
                let a = self.expr(&args[0])?;
                let b = self.expr(&args[1])?;
                self.unify(span, (&args[0], a), (&args[1], b), "and")
            }
            _ if self.v.spec_fn(name).is_some() => {
                let f = self.v.spec_fn(name).expect("checked").clone();
                self.nargs(span, name, args, f.params.len())?;
                for (a, (_, w)) in args.iter().zip(&f.params) {
                    let t = self.expr(a)?;
                    self.unify(a.span(), (a, t), (a, Some(*w)), "passed as")?;
                }
                Ok(Some(f.ret))
            }
            _ => {
                let Some(h) = self.v.helpers.iter().find(|h| h.name == name) else {
                    return Err(Diagnostic::error(
                        nspan,
                        format!("unknown function `{name}`"),
                        "not an intrinsic nor a declared helper",
                    )
                    .with_note("declare helpers with `helper NAME(arg: WIDTH, ...) -> WIDTH;`"));
                };
                let h = h.clone();
                self.nargs(span, name, args, h.params.len())?;
                for (a, (_, w)) in args.iter().zip(&h.params) {
                    let t = self.expr(a)?;
                    self.unify(a.span(), (a, t), (a, Some(*w)), "passed as")?;
                }
                if !stmt && h.ret.is_none() {
                    return Err(Diagnostic::error(
                        span,
                        format!("helper `{name}` returns no value"),
                        "used as a value here",
                    ));
                }
                Ok(h.ret)
            }
        }
    }

    pub fn block(&mut self, b: &Block) -> Vec<Diagnostic> {
        let mut errs = Vec::new();
        self.locals.push(BTreeMap::new());
        for s in &b.stmts {
            if let Err(d) = self.stmt(s, &mut errs) {
                errs.push(d);
            }
        }
        self.locals.pop();
        errs
    }

    fn stmt(&mut self, s: &Stmt, errs: &mut Vec<Diagnostic>) -> R<()> {
        match s {
            Stmt::Let { name, width, value, span } => {
                // A bad value still binds the name (at its declared width), so later uses
                // do not report it as unknown.
                let t = match self.expr(value) {
                    Ok(t) => t,
                    Err(d) => {
                        let w = width.unwrap_or(IR_MAX_BITS).clamp(1, IR_MAX_BITS);
                        self.locals.last_mut().expect("scope").insert(name.name.clone(), w);
                        return Err(d);
                    }
                };
                if let Some(w) = width {
                    if *w == 0 || *w > IR_MAX_BITS {
                        return Err(too_wide(name.span, *w as u128, "a value"));
                    }
                }
                let w = match (width, t) {
                    (Some(w), Some(t)) if *w != t => return Err(mismatch(*span, *w, t, "declared, value is")),
                    (Some(w), _) => {
                        self.fit(value, *w)?;
                        *w
                    }
                    (None, Some(t)) => t,
                    (None, None) => {
                        return Err(Diagnostic::error(
                            name.span,
                            "cannot infer the width of this value",
                            format!("write `let {}: N = ...`", name.name),
                        ))
                    }
                };
                self.locals.last_mut().expect("scope").insert(name.name.clone(), w);
                Ok(())
            }
            Stmt::Assign { target, value, span } => {
                let tw = self.lvalue(target)?;
                let t = self.expr(value)?;
                self.unify(*span, (value, t), (value, Some(tw)), "assigned to")?;
                if let Some(t) = t {
                    if t != tw {
                        return Err(mismatch(value.span(), t, tw, "assigned to"));
                    }
                }
                Ok(())
            }
            Stmt::If { cond, then, els, .. } => {
                let t = self.expr(cond)?;
                self.want1(cond, t, "a condition")?;
                errs.extend(self.block(then));
                if let Some(e) = els {
                    errs.extend(self.block(e));
                }
                Ok(())
            }
            Stmt::For { var, lo, hi, body, span } => {
                let bound = |e: &Expr| -> R<u128> {
                    self.const_eval(e).ok_or_else(|| {
                        Diagnostic::error(
                            e.span(),
                            "a loop bound must be a constant",
                            "expected a number or a parameter",
                        )
                    })
                };
                let (l, h) = (bound(lo)?, bound(hi)?);
                if h < l || h - l > MAX_UNROLL {
                    return Err(Diagnostic::error(
                        *span,
                        format!("a loop of {} iterations", h.saturating_sub(l)),
                        format!("expected lo <= hi and at most {MAX_UNROLL} iterations (it is unrolled)"),
                    ));
                }
                let max = h.saturating_sub(1).max(l);
                let w = (128 - max.leading_zeros()).max(1);
                let mut scope = BTreeMap::new();
                scope.insert(var.name.clone(), w);
                self.locals.push(scope);
                let outer = self.loops.insert(var.name.clone(), max);
                errs.extend(self.block(body));
                match outer {
                    Some(m) => self.loops.insert(var.name.clone(), m),
                    None => self.loops.remove(&var.name),
                };
                self.locals.pop();
                Ok(())
            }
            Stmt::Table { .. } => Ok(()),
            Stmt::Expr(e) => match e {
                Expr::Call(n, args, span) => self.call(&n.name, n.span, args, *span, true).map(|_| ()),
                other => Err(Diagnostic::error(other.span(), "expected a statement", "this value is unused")),
            },
        }
    }

    fn lvalue(&mut self, lv: &crate::ast::LValue) -> R<u32> {
        let n = &lv.name.name;
        self.used.insert(n.clone());
        if n == "pc" {
            return Err(Diagnostic::error(lv.span, "`pc` cannot be assigned", "use jump(target)"));
        }
        if let (Some(idx), Some(view)) = (&lv.index, self.v.view(n)) {
            if lv.field.is_some() {
                return Err(Diagnostic::error(lv.span, "a view has no named fields", "assign the whole element"));
            }
            return self.view_index(n, view.index_width, view.width, idx);
        }
        if let Some(idx) = &lv.index {
            let Some(rf) = self.v.regfiles.iter().find(|r| &r.name == n) else {
                return Err(Diagnostic::error(
                    lv.name.span,
                    format!("`{n}` is not a register file"),
                    "cannot index this",
                ));
            };
            let (w, count, name) = (rf.width, rf.count, rf.name.clone());
            self.expr(idx)?;
            self.check_static_index(idx, count, &format!("register file `{name}`"))?;
            return Ok(w);
        }
        if let Some(reg) = self.v.regs.iter().find(|r| &r.name == n) {
            if let Some(f) = &lv.field {
                return match reg.fields.iter().find(|(x, _, _)| *x == f.name) {
                    Some((_, hi, lo)) => Ok(hi - lo + 1),
                    None => Err(Diagnostic::error(
                        f.span,
                        format!("register `{n}` has no field `{}`", f.name),
                        "unknown field",
                    )),
                };
            }
            return Ok(reg.width);
        }
        if self.loops.contains_key(n) && lv.index.is_none() {
            return Err(Diagnostic::error(lv.span, format!("loop variable `{n}` cannot be assigned"), "read-only"));
        }
        if let Some(w) = self.lookup_local(n) {
            return Ok(w);
        }
        if let Some(c) = self.v.context.iter().find(|c| &c.name == n) {
            return Ok(c.width);
        }
        if let Some(Operand::Table { table, .. }) = self.operands.get(n) {
            let t = &self.v.tables[*table];
            return match (t.export_width, t.writable) {
                (Some(w), true) => Ok(w),
                (Some(_), false) => Err(Diagnostic::error(
                    lv.span,
                    format!("table `{}` cannot be assigned: an alternative exports a value", t.name),
                    "not a location",
                )
                .with_note("every alternative must export a register or `mem(N, address)`")),
                (None, _) => {
                    Err(Diagnostic::error(lv.span, format!("table `{}` exports nothing", t.name), "cannot be assigned"))
                }
            };
        }
        if self.operands.contains_key(n) {
            return Err(Diagnostic::error(
                lv.span,
                format!("`{n}` is an encoding field and cannot be assigned"),
                "read-only",
            ));
        }
        Err(self.unknown(lv.name.span, n))
    }
}
