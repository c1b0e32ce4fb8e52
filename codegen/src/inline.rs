//! Syntax-tree rewrites the checker applies once a construct is checked, so the generator
//! sees only the constructs of the core language: spec functions are inlined at their call
//! sites, and guards are wrapped around the semantics of the instructions they apply to.
//!
//! Owns no checking: every input here was type-checked first (argument widths, the guard's
//! condition in the instruction's scope), and name capture is refused by the checker.

use crate::ast::{BinOp, Block, Expr, GuardDecl, Ident, Stmt, UnOp};
use crate::model::Variant;
use std::collections::{BTreeMap, BTreeSet};

/// How deep inlining may nest before the rewrite gives up (the checker refuses recursion;
/// this only bounds a bug).
const MAX_DEPTH: u32 = 64;

/// `e` with every spec-function call replaced by the function's body.
pub fn expr(v: &Variant, e: &Expr) -> Expr {
    inline_expr(v, e, &BTreeMap::new(), 0)
}

/// `b` with every spec-function call replaced by the function's body.
pub fn block(v: &Variant, b: &Block) -> Block {
    Block { stmts: b.stmts.iter().map(|s| stmt(v, s)).collect(), span: b.span }
}

fn stmt(v: &Variant, s: &Stmt) -> Stmt {
    match s {
        Stmt::Let { name, width, value, span } => {
            Stmt::Let { name: name.clone(), width: *width, value: expr(v, value), span: *span }
        }
        Stmt::Assign { target, value, span } => {
            let mut t = target.clone();
            t.index = t.index.as_ref().map(|i| expr(v, i));
            Stmt::Assign { target: t, value: expr(v, value), span: *span }
        }
        Stmt::If { cond, then, els, span } => {
            Stmt::If { cond: expr(v, cond), then: block(v, then), els: els.as_ref().map(|e| block(v, e)), span: *span }
        }
        Stmt::Expr(e) => Stmt::Expr(expr(v, e)),
    }
}

/// Inline calls in `e`; `subst` maps the parameters of the function being inlined to their
/// arguments.
fn inline_expr(v: &Variant, e: &Expr, subst: &BTreeMap<String, Expr>, depth: u32) -> Expr {
    let r = |x: &Expr| Box::new(inline_expr(v, x, subst, depth));
    match e {
        Expr::Int(..) | Expr::Bool(..) => e.clone(),
        Expr::Name(i) => subst.get(&i.name).cloned().unwrap_or_else(|| e.clone()),
        Expr::Call(n, args, span) => {
            let args: Vec<Expr> = args.iter().map(|a| inline_expr(v, a, subst, depth)).collect();
            match v.spec_fn(&n.name) {
                Some(f) if depth < MAX_DEPTH => {
                    let mut inner = BTreeMap::new();
                    for ((p, w), a) in f.params.iter().zip(args) {
                        // A literal keeps the parameter's width (the body was checked with it).
                        let a = match a {
                            Expr::Int(_, s) => {
                                Expr::Call(Ident { name: "zext".into(), span: s }, vec![a, Expr::Int(*w as u128, s)], s)
                            }
                            other => other,
                        };
                        inner.insert(p.clone(), a);
                    }
                    inline_expr(v, &f.body, &inner, depth + 1)
                }
                _ => Expr::Call(n.clone(), args, *span),
            }
        }
        Expr::Index(a, i, s) => Expr::Index(r(a), r(i), *s),
        Expr::Slice(a, h, l, s) => Expr::Slice(r(a), r(h), r(l), *s),
        Expr::Field(a, f, s) => Expr::Field(r(a), f.clone(), *s),
        Expr::Unary(op, a, s) => Expr::Unary(*op, r(a), *s),
        Expr::Binary(op, a, b, s) => Expr::Binary(*op, r(a), r(b), *s),
        Expr::Ternary(c, a, b, s) => Expr::Ternary(r(c), r(a), r(b), *s),
    }
}

/// The names an expression reads that are not among `params` (what a function body needs
/// from where it is inlined).
pub fn free_names(e: &Expr, params: &BTreeSet<String>, out: &mut BTreeSet<String>) {
    match e {
        Expr::Int(..) | Expr::Bool(..) => {}
        Expr::Name(i) => {
            if !params.contains(&i.name) {
                out.insert(i.name.clone());
            }
        }
        Expr::Call(_, args, _) => args.iter().for_each(|a| free_names(a, params, out)),
        Expr::Index(a, b, _) | Expr::Binary(_, a, b, _) => {
            free_names(a, params, out);
            free_names(b, params, out);
        }
        Expr::Slice(a, b, c, _) | Expr::Ternary(a, b, c, _) => {
            free_names(a, params, out);
            free_names(b, params, out);
            free_names(c, params, out);
        }
        Expr::Field(a, _, _) | Expr::Unary(_, a, _) => free_names(a, params, out),
    }
}

/// The spec functions `e` calls directly.
pub fn calls(v: &Variant, e: &Expr, out: &mut Vec<(String, crate::diag::Span)>) {
    match e {
        Expr::Int(..) | Expr::Bool(..) | Expr::Name(_) => {}
        Expr::Call(n, args, _) => {
            if v.spec_fn(&n.name).is_some() {
                out.push((n.name.clone(), n.span));
            }
            args.iter().for_each(|a| calls(v, a, out));
        }
        Expr::Index(a, b, _) | Expr::Binary(_, a, b, _) => {
            calls(v, a, out);
            calls(v, b, out);
        }
        Expr::Slice(a, b, c, _) | Expr::Ternary(a, b, c, _) => {
            calls(v, a, out);
            calls(v, b, out);
            calls(v, c, out);
        }
        Expr::Field(a, _, _) | Expr::Unary(_, a, _) => calls(v, a, out),
    }
}

/// Every expression of a block, in order (for walks over calls and names).
pub fn block_exprs<'b>(b: &'b Block, out: &mut Vec<&'b Expr>) {
    for s in &b.stmts {
        match s {
            Stmt::Let { value, .. } => out.push(value),
            Stmt::Assign { target, value, .. } => {
                if let Some(i) = &target.index {
                    out.push(i);
                }
                out.push(value);
            }
            Stmt::If { cond, then, els, .. } => {
                out.push(cond);
                block_exprs(then, out);
                if let Some(e) = els {
                    block_exprs(e, out);
                }
            }
            Stmt::Expr(e) => out.push(e),
        }
    }
}

/// The names a block binds with `let`.
pub fn let_names(b: &Block, out: &mut BTreeSet<String>) {
    for s in &b.stmts {
        match s {
            Stmt::Let { name, .. } => {
                out.insert(name.name.clone());
            }
            Stmt::If { then, els, .. } => {
                let_names(then, out);
                if let Some(e) = els {
                    let_names(e, out);
                }
            }
            _ => {}
        }
    }
}

/// The condition that is true when `e` is false, written without a `!` where an operator
/// has an opposite (so a guard lowers to the same compare-and-branch as a hand-written `if`).
pub fn negate(e: &Expr) -> Expr {
    use BinOp::*;
    match e {
        Expr::Bool(b, s) => Expr::Bool(!b, *s),
        Expr::Unary(UnOp::LNot, a, _) => (**a).clone(),
        Expr::Binary(op, a, b, s) => {
            let opp = match op {
                Eq => Ne,
                Ne => Eq,
                Lt => Ge,
                Ge => Lt,
                Le => Gt,
                Gt => Le,
                Slt => Sge,
                Sge => Slt,
                Sle => Sgt,
                Sgt => Sle,
                LAnd => return Expr::Binary(LOr, Box::new(negate(a)), Box::new(negate(b)), *s),
                LOr => return Expr::Binary(LAnd, Box::new(negate(a)), Box::new(negate(b)), *s),
                _ => return Expr::Unary(UnOp::LNot, Box::new(e.clone()), e.span()),
            };
            Expr::Binary(opp, a.clone(), b.clone(), *s)
        }
        _ => Expr::Unary(UnOp::LNot, Box::new(e.clone()), e.span()),
    }
}

/// `sem` run under `guards` (outermost first): a guard without `else` runs what it guards
/// only when its condition holds; a guard with `else` runs its else block instead when the
/// condition fails, written first as a hand-written check would be.
pub fn wrap_guards(sem: &Block, guards: &[&GuardDecl]) -> Block {
    let mut body = sem.clone();
    for g in guards.iter().rev() {
        let span = g.span;
        let s = match &g.els {
            None => Stmt::If { cond: g.cond.clone(), then: body, els: None, span },
            Some(e) => Stmt::If { cond: negate(&g.cond), then: e.clone(), els: Some(body), span },
        };
        body = Block { stmts: vec![s], span: sem.span };
    }
    body
}
