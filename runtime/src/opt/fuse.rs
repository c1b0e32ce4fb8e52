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

fn is_const(b: &Block, v: Val, c: u64) -> bool {
    b.const_of(v) == Some(c)
}

fn is_temp(b: &Block, v: Val) -> bool {
    matches!(b.kind(v), ValKind::Temp)
}

/// How many ops read each value (by value index), and how many branches target each label.
struct Counts {
    uses: Vec<u32>,
    targets: Vec<u32>,
}

impl Counts {
    fn uses(&self, v: &Val) -> u32 {
        self.uses.get(v.0 as usize).copied().unwrap_or(0)
    }
    fn targets(&self, l: &Label) -> u32 {
        self.targets.get(l.0 as usize).copied().unwrap_or(0)
    }
}

fn counts(b: &Block) -> Counts {
    let mut c = Counts { uses: vec![0; b.vals.len()], targets: vec![0; b.labels as usize] };
    for op in &b.ops {
        for u in super::uses(op) {
            c.uses[u.0 as usize] += 1;
        }
        if let Op::Br(l) | Op::Brcond { label: l, .. } = op {
            c.targets[l.0 as usize] += 1;
        }
    }
    c
}

/// Run every rewrite once.
pub fn fuse(b: &mut Block) {
    branch_flags(b);
    setcond_branches(b);
    coalesce_copies(b);
}

/// `mov t,0; setcond c d,a,b; brcond eq d,0 L; mov t,1; L:` → `setcond c t,a,b`.
fn branch_flags(b: &mut Block) {
    let c = counts(b);
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
                && c.uses(d) == 1
                && c.targets(l) == 1
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
    let c = counts(b);
    let ops = std::mem::take(&mut b.ops);
    let mut out = Vec::with_capacity(ops.len());
    let mut i = 0;
    while i < ops.len() {
        if let [Op::Setcond { cond, dst: d, a, b: y }, Op::Brcond { cond: bc @ (Cond::Eq | Cond::Ne), a: d2, b: z, label }, ..] =
            &ops[i..]
        {
            if d == d2 && is_const(b, *z, 0) && is_temp(b, *d) && c.uses(d) == 1 {
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
    let c = counts(b);
    let mut defs = vec![0u32; b.vals.len()];
    for op in &b.ops {
        for d in super::defs(op) {
            defs[d.0 as usize] += 1;
        }
    }
    let ops = std::mem::take(&mut b.ops);
    let mut out: Vec<Op> = Vec::with_capacity(ops.len());
    let mut i = 0;
    while i < ops.len() {
        if let [first, Op::Mov { dst: g, src: t }, ..] = &ops[i..] {
            let mut op = first.clone();
            if let Some(d) = single_dst(&mut op) {
                if *d == *t && is_temp(b, *t) && c.uses(t) == 1 && defs[t.0 as usize] == 1 && b.ty(*g) == b.ty(*t) {
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
