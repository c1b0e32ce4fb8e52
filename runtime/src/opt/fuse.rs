//! Local rewrites that make branches and register writes cheaper, on any block:
//! - a 0/1 flag built with a branch (`mov t,0; setcond d; brcond d==0 L; mov t,1; L:`)
//!   becomes one `setcond t`;
//! - a `setcond` read only by the next `brcond` against 0 becomes that branch's condition;
//! - a temporary computed and then only copied into the next op's destination is computed
//!   straight into that destination.
//!
//! Each rewrite keeps the block's meaning exactly (checked by runtime/tests/opt_equivalence.rs).
//! Knows no guest architecture.

use crate::ir::{Block, Cond, Label, Op, Val, ValKind};
use std::collections::HashMap;

fn is_const(b: &Block, v: Val, c: u64) -> bool {
    b.const_of(v) == Some(c)
}

fn is_temp(b: &Block, v: Val) -> bool {
    matches!(b.kind(v), ValKind::Temp)
}

/// How many ops read each value, and how many branches target each label.
fn counts(b: &Block) -> (HashMap<Val, usize>, HashMap<Label, usize>) {
    let mut uses = HashMap::new();
    let mut targets = HashMap::new();
    for op in &b.ops {
        for u in super::uses(op) {
            *uses.entry(u).or_insert(0) += 1;
        }
        if let Op::Br(l) | Op::Brcond { label: l, .. } = op {
            *targets.entry(*l).or_insert(0) += 1;
        }
    }
    (uses, targets)
}

/// Run every rewrite once.
pub fn fuse(b: &mut Block) {
    branch_flags(b);
    setcond_branches(b);
    coalesce_copies(b);
}

/// `mov t,0; setcond c d,a,b; brcond eq d,0 L; mov t,1; L:` → `setcond c t,a,b`.
fn branch_flags(b: &mut Block) {
    let (uses, targets) = counts(b);
    let ops = std::mem::take(&mut b.ops);
    let mut out = Vec::with_capacity(ops.len());
    let mut i = 0;
    while i < ops.len() {
        if let [Op::Mov { dst: t, src: z }, Op::Setcond { cond, dst: d, a, b: y }, Op::Brcond { cond: Cond::Eq, a: d2, b: z2, label: l }, Op::Mov { dst: t2, src: one }, Op::Label(l2), ..] =
            &ops[i..]
        {
            if t == t2
                && d == d2
                && l == l2
                && is_const(b, *z, 0)
                && is_const(b, *z2, 0)
                && is_const(b, *one, 1)
                && a != t
                && y != t
                && is_temp(b, *d)
                && uses.get(d) == Some(&1)
                && targets.get(l) == Some(&1)
            {
                out.push(Op::Setcond { cond: *cond, dst: *t, a: *a, b: *y });
                i += 5;
                continue;
            }
        }
        out.push(ops[i].clone());
        i += 1;
    }
    b.ops = out;
}

/// `setcond c d,a,b; brcond eq|ne d,0 L` (d read only there) → `brcond c' a,b L`.
fn setcond_branches(b: &mut Block) {
    let (uses, _) = counts(b);
    let ops = std::mem::take(&mut b.ops);
    let mut out = Vec::with_capacity(ops.len());
    let mut i = 0;
    while i < ops.len() {
        if let [Op::Setcond { cond, dst: d, a, b: y }, Op::Brcond { cond: bc @ (Cond::Eq | Cond::Ne), a: d2, b: z, label }, ..] =
            &ops[i..]
        {
            if d == d2 && is_const(b, *z, 0) && is_temp(b, *d) && uses.get(d) == Some(&1) {
                let c = if *bc == Cond::Ne { *cond } else { cond.invert() };
                out.push(Op::Brcond { cond: c, a: *a, b: *y, label: *label });
                i += 2;
                continue;
            }
        }
        out.push(ops[i].clone());
        i += 1;
    }
    b.ops = out;
}

/// The single-output op's destination, for rewriting.
fn single_dst(op: &mut Op) -> Option<&mut Val> {
    match op {
        Op::Bin { dst, .. }
        | Op::Un { dst, .. }
        | Op::Ext { dst, .. }
        | Op::Extract { dst, .. }
        | Op::Deposit { dst, .. }
        | Op::Setcond { dst, .. }
        | Op::Movcond { dst, .. }
        | Op::Load { dst, .. }
        | Op::LoadState { dst, .. } => Some(dst),
        _ => None,
    }
}

/// `op t,...; mov g,t` (t read only by that mov, same type) → `op g,...`.
fn coalesce_copies(b: &mut Block) {
    let (uses, _) = counts(b);
    let mut defs: HashMap<Val, usize> = HashMap::new();
    for op in &b.ops {
        for d in super::defs(op) {
            *defs.entry(d).or_insert(0) += 1;
        }
    }
    let ops = std::mem::take(&mut b.ops);
    let mut out: Vec<Op> = Vec::with_capacity(ops.len());
    let mut i = 0;
    while i < ops.len() {
        if let [first, Op::Mov { dst: g, src: t }, ..] = &ops[i..] {
            let mut op = first.clone();
            if let Some(d) = single_dst(&mut op) {
                if *d == *t
                    && is_temp(b, *t)
                    && uses.get(t) == Some(&1)
                    && defs.get(t) == Some(&1)
                    && b.ty(*g) == b.ty(*t)
                {
                    *d = *g;
                    out.push(op);
                    i += 2;
                    continue;
                }
            }
        }
        out.push(ops[i].clone());
        i += 1;
    }
    b.ops = out;
}
