//! Syntax-tree rewrites the checker applies once a construct is checked, so the generator
//! sees only the constructs of the core language: spec functions and register views are
//! inlined where they are used, and guards are wrapped around the semantics of the
//! instructions they apply to.
//!
//! Owns no checking: every input here was type-checked first (argument widths, the guard's
//! condition in the instruction's scope), and name capture is refused by the checker.

use crate::ast::{BinOp, Block, Expr, GuardDecl, Ident, Stmt, UnOp};
use crate::model::Variant;
use std::collections::{BTreeMap, BTreeSet};

/// How deep inlining may nest before the rewrite gives up (the checker refuses recursion;
/// this only bounds a bug).
const MAX_DEPTH: u32 = 64;

/// `e` with every spec-function call and view read replaced by what it stands for.
pub fn expr(v: &Variant, e: &Expr) -> Expr {
    inline_expr(v, e, &BTreeMap::new(), 0)
}

/// `b` with every spec-function call, view read and view write replaced by what it stands for.
pub fn block(v: &Variant, b: &Block) -> Block {
    inline_block(v, b, &BTreeMap::new(), 0)
}

type Subst = BTreeMap<String, Expr>;

fn inline_block(v: &Variant, b: &Block, subst: &Subst, depth: u32) -> Block {
    Block { stmts: b.stmts.iter().map(|s| inline_stmt(v, s, subst, depth)).collect(), span: b.span }
}

/// An argument bound to a parameter of `w` bits: a literal keeps the parameter's width (the
/// body was checked with it).
fn bind(a: Expr, w: u32) -> Expr {
    match a {
        Expr::Int(_, s) => Expr::Call(Ident { name: "zext".into(), span: s }, vec![a, Expr::Int(w as u128, s)], s),
        other => other,
    }
}

fn inline_stmt(v: &Variant, s: &Stmt, subst: &Subst, depth: u32) -> Stmt {
    let ex = |e: &Expr| inline_expr(v, e, subst, depth);
    match s {
        Stmt::Let { name, width, value, span } => {
            Stmt::Let { name: name.clone(), width: *width, value: ex(value), span: *span }
        }
        Stmt::Assign { target, value, span } => {
            let index = target.index.as_ref().map(ex);
            let value = ex(value);
            match (v.view(&target.name.name), index) {
                // A view write: its write block, with the value bound once to a fresh local.
                (Some(view), Some(idx)) if target.field.is_none() && depth < MAX_DEPTH => {
                    let tmp = Ident { name: format!("__view_{}_{}", view.name, span.start), span: *span };
                    let mut inner = Subst::new();
                    inner.insert(view.index.clone(), bind(idx, view.index_width));
                    inner.insert(view.value.clone(), Expr::Name(tmp.clone()));
                    let mut stmts = vec![Stmt::Let { name: tmp, width: Some(view.width), value, span: *span }];
                    stmts.extend(inline_block(v, &view.write, &inner, depth + 1).stmts);
                    Stmt::If {
                        cond: Expr::Bool(true, *span),
                        then: Block { stmts, span: *span },
                        els: None,
                        span: *span,
                    }
                }
                (_, index) => {
                    let mut t = target.clone();
                    t.index = index;
                    Stmt::Assign { target: t, value, span: *span }
                }
            }
        }
        Stmt::If { cond, then, els, span } => Stmt::If {
            cond: ex(cond),
            then: inline_block(v, then, subst, depth),
            els: els.as_ref().map(|e| inline_block(v, e, subst, depth)),
            span: *span,
        },
        Stmt::For { var, lo, hi, body, span } => Stmt::For {
            var: var.clone(),
            lo: ex(lo),
            hi: ex(hi),
            body: inline_block(v, body, subst, depth),
            span: *span,
        },
        Stmt::Table { .. } => s.clone(),
        Stmt::Expr(e) => Stmt::Expr(ex(e)),
    }
}

/// Inline calls and view reads in `e`; `subst` maps the parameters of the function or view
/// being inlined to their arguments.
fn inline_expr(v: &Variant, e: &Expr, subst: &Subst, depth: u32) -> Expr {
    let r = |x: &Expr| Box::new(inline_expr(v, x, subst, depth));
    match e {
        Expr::Int(..) | Expr::Bool(..) => e.clone(),
        Expr::Name(i) => subst.get(&i.name).cloned().unwrap_or_else(|| e.clone()),
        Expr::Call(n, args, span) => {
            let args: Vec<Expr> = args.iter().map(|a| inline_expr(v, a, subst, depth)).collect();
            match v.spec_fn(&n.name) {
                Some(f) if depth < MAX_DEPTH => {
                    let inner: Subst = f.params.iter().zip(args).map(|((p, w), a)| (p.clone(), bind(a, *w))).collect();
                    inline_expr(v, &f.body, &inner, depth + 1)
                }
                _ => Expr::Call(n.clone(), args, *span),
            }
        }
        Expr::Index(a, i, s) => {
            if let Expr::Name(n) = &**a {
                if let Some(view) = v.view(&n.name).filter(|_| depth < MAX_DEPTH) {
                    let idx = inline_expr(v, i, subst, depth);
                    let mut inner = Subst::new();
                    inner.insert(view.index.clone(), bind(idx, view.index_width));
                    return inline_expr(v, &view.read, &inner, depth + 1);
                }
            }
            Expr::Index(r(a), r(i), *s)
        }
        Expr::Slice(a, h, l, s) => Expr::Slice(r(a), r(h), r(l), *s),
        Expr::Field(a, f, s) => Expr::Field(r(a), f.clone(), *s),
        Expr::Unary(op, a, s) => Expr::Unary(*op, r(a), *s),
        Expr::Binary(op, a, b, s) => Expr::Binary(*op, r(a), r(b), *s),
        Expr::Ternary(c, a, b, s) => Expr::Ternary(r(c), r(a), r(b), *s),
    }
}

/// The names an expression reads that are not among `params` (what a function body needs
/// from where it is inlined).
fn free_names(e: &Expr, params: &BTreeSet<String>, out: &mut BTreeSet<String>) {
    if let Expr::Name(i) = e {
        if !params.contains(&i.name) {
            out.insert(i.name.clone());
        }
    }
    for c in e.children() {
        free_names(c, params, out);
    }
}

/// The spec functions `e` calls and the views it reads, directly.
pub fn calls(v: &Variant, e: &Expr, out: &mut Vec<(String, crate::diag::Span)>) {
    match e {
        Expr::Call(n, _, _) if v.spec_fn(&n.name).is_some() => out.push((n.name.clone(), n.span)),
        Expr::Index(a, _, s) => match &**a {
            Expr::Name(n) if v.view(&n.name).is_some() => out.push((n.name.clone(), *s)),
            _ => {}
        },
        _ => {}
    }
    for c in e.children() {
        calls(v, c, out);
    }
}

/// The spec functions and views a block uses: calls and view reads in its expressions, and
/// the views it assigns.
pub fn block_uses(v: &Variant, b: &Block, out: &mut Vec<(String, crate::diag::Span)>) {
    let mut exprs = Vec::new();
    block_exprs(b, &mut exprs);
    for e in exprs {
        calls(v, e, out);
    }
    views_written(v, b, out);
}

fn views_written(v: &Variant, b: &Block, out: &mut Vec<(String, crate::diag::Span)>) {
    for s in &b.stmts {
        match s {
            Stmt::Assign { target, span, .. } if v.view(&target.name.name).is_some() => {
                out.push((target.name.name.clone(), *span));
            }
            Stmt::If { then, els, .. } => {
                views_written(v, then, out);
                if let Some(e) = els {
                    views_written(v, e, out);
                }
            }
            Stmt::For { body, .. } => views_written(v, body, out),
            _ => {}
        }
    }
}

/// The names a function or view body reads from where it is inlined (its free names, less
/// its parameters and the locals it binds itself).
pub fn body_globals(v: &Variant, name: &str, out: &mut BTreeSet<String>) {
    if let Some(f) = v.spec_fn(name) {
        let params: BTreeSet<String> = f.params.iter().map(|(p, _)| p.clone()).collect();
        free_names(&f.body, &params, out);
    } else if let Some(view) = v.view(name) {
        let mut params: BTreeSet<String> = [view.index.clone(), view.value.clone()].into();
        free_names(&view.read, &params, out);
        let_names(&view.write, &mut params);
        let mut exprs = Vec::new();
        block_exprs(&view.write, &mut exprs);
        for e in exprs {
            free_names(e, &params, out);
        }
        let mut written = Vec::new();
        views_written(v, &view.write, &mut written);
        out.extend(written.into_iter().map(|(n, _)| n));
    }
}

/// What a function or view body uses in turn (for cycles and capture).
pub fn body_uses(v: &Variant, name: &str, out: &mut Vec<(String, crate::diag::Span)>) {
    if let Some(f) = v.spec_fn(name) {
        calls(v, &f.body, out);
    } else if let Some(view) = v.view(name) {
        calls(v, &view.read, out);
        block_uses(v, &view.write, out);
    }
}

/// Every expression of a block, in order (for walks over calls and names).
fn block_exprs<'b>(b: &'b Block, out: &mut Vec<&'b Expr>) {
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
            Stmt::For { lo, hi, body, .. } => {
                out.push(lo);
                out.push(hi);
                block_exprs(body, out);
            }
            Stmt::Table { .. } => {}
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
            Stmt::For { var, body, .. } => {
                out.insert(var.name.clone());
                let_names(body, out);
            }
            _ => {}
        }
    }
}

/// The condition that is true when `e` is false, written without a `!` where an operator
/// has an opposite (so a guard lowers to the same compare-and-branch as a hand-written `if`).
fn negate(e: &Expr) -> Expr {
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
