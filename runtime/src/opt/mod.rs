//! The optimizer: constant folding and copy propagation (forward, forgetting at labels, where
//! control flow merges), then dead-code elimination driven by liveness over the block's
//! control-flow graph (a flag computation that the next instruction overwrites disappears),
//! then the local rewrites of `fuse` (branch flags, setcond into branches, copies into their
//! destinations). Works on any block; knows no guest architecture.

mod fuse;

use crate::ir::{ext_bits, BinOp, Block, Op, Ty, Val, ValInfo, ValKind};
use std::collections::HashMap;

/// Run every pass.
pub fn optimize(b: &mut Block) {
    fold_and_propagate(b);
    eliminate_dead(b);
    fuse::fuse(b);
}

fn konst(b: &mut Block, ty: Ty, v: u64) -> Val {
    let v = v & ty.mask();
    if let Some(i) = b.vals.iter().position(|x| x.ty == ty && x.kind == ValKind::Const(v)) {
        return Val(i as u32);
    }
    b.vals.push(ValInfo { ty, kind: ValKind::Const(v) });
    Val(b.vals.len() as u32 - 1)
}

fn is_temp(b: &Block, v: Val) -> bool {
    matches!(b.kind(v), ValKind::Temp)
}

/// A few values, inline (an op reads at most four, except helper calls).
pub type Vals = smallvec::SmallVec<[Val; 4]>;

/// Values an op reads.
pub fn uses(op: &Op) -> Vals {
    use smallvec::smallvec as v;
    match op {
        Op::Mov { src, .. } => v![*src],
        Op::Bin { a, b, .. } | Op::Setcond { a, b, .. } | Op::Brcond { a, b, .. } => v![*a, *b],
        Op::Mul2 { a, b, .. } => v![*a, *b],
        Op::Un { a, .. } => v![*a],
        Op::Ext { src, .. } | Op::Extract { src, .. } => v![*src],
        Op::Deposit { base, val, .. } => v![*base, *val],
        Op::Movcond { a, b, t, f, .. } => v![*a, *b, *t, *f],
        Op::Load { addr, .. } => v![*addr],
        Op::Store { val, addr, .. } => v![*val, *addr],
        Op::LoadState { index, .. } => v![*index],
        Op::StoreState { val, index, .. } => v![*val, *index],
        Op::Call { args, .. } => args.iter().copied().collect(),
        Op::Raise { arg, .. } => v![*arg],
        Op::InsnStart { .. } | Op::Label(_) | Op::Br(_) | Op::Exit(_) => Vals::new(),
    }
}

/// Values an op writes.
pub fn defs(op: &Op) -> Vals {
    use smallvec::smallvec as v;
    match op {
        Op::Mov { dst, .. }
        | Op::Bin { dst, .. }
        | Op::Un { dst, .. }
        | Op::Ext { dst, .. }
        | Op::Extract { dst, .. }
        | Op::Deposit { dst, .. }
        | Op::Setcond { dst, .. }
        | Op::Movcond { dst, .. }
        | Op::Load { dst, .. }
        | Op::LoadState { dst, .. } => v![*dst],
        Op::Mul2 { lo, hi, .. } => v![*lo, *hi],
        Op::Call { ret, .. } => ret.iter().copied().collect(),
        _ => Vals::new(),
    }
}

/// Ops that only compute their outputs (removable when nothing reads them).
fn is_pure(op: &Op) -> bool {
    matches!(
        op,
        Op::Mov { .. }
            | Op::Bin { .. }
            | Op::Un { .. }
            | Op::Ext { .. }
            | Op::Extract { .. }
            | Op::Deposit { .. }
            | Op::Setcond { .. }
            | Op::Movcond { .. }
            | Op::Mul2 { .. }
    ) || matches!(op, Op::Call { flags, .. } if flags.pure)
}

/// Forward pass: replace uses by known copies and constants; fold ops on constants.
pub fn fold_and_propagate(b: &mut Block) {
    // What a value is known to equal: a constant value or another value (a copy).
    let mut known: HashMap<Val, Val> = HashMap::new();
    let ops = std::mem::take(&mut b.ops);
    let mut out = Vec::with_capacity(ops.len());
    let forget = |known: &mut HashMap<Val, Val>, d: Val| {
        known.remove(&d);
        known.retain(|_, v| *v != d);
    };
    // Labels some branch jumps to: control flow merges there. A label no branch names is
    // reached only by falling through, so what is known stays known.
    let targeted: std::collections::HashSet<u32> = ops
        .iter()
        .filter_map(|op| match op {
            Op::Br(l) | Op::Brcond { label: l, .. } => Some(l.0),
            _ => None,
        })
        .collect();
    // False after an unconditional jump, exit or raise, until a label that is jumped to.
    let mut reachable = true;
    for mut op in ops {
        if let Op::Label(l) = op {
            if targeted.contains(&l.0) {
                known.clear();
                reachable = true;
            }
            if reachable {
                out.push(op);
            }
            continue;
        }
        if !reachable {
            continue;
        }
        if matches!(op, Op::Br(_) | Op::Exit(_) | Op::Raise { .. }) {
            reachable = false;
        }
        // Substitute known values in uses.
        let sub = |v: &mut Val, known: &HashMap<Val, Val>| {
            if let Some(k) = known.get(v) {
                *v = *k;
            }
        };
        match &mut op {
            Op::Mov { src, .. } => sub(src, &known),
            Op::Bin { a, b: y, .. } | Op::Setcond { a, b: y, .. } | Op::Brcond { a, b: y, .. } => {
                sub(a, &known);
                sub(y, &known);
            }
            Op::Mul2 { a, b: y, .. } => {
                sub(a, &known);
                sub(y, &known);
            }
            Op::Un { a, .. } => sub(a, &known),
            Op::Ext { src, .. } | Op::Extract { src, .. } => sub(src, &known),
            Op::Deposit { base, val, .. } => {
                sub(base, &known);
                sub(val, &known);
            }
            Op::Movcond { a, b: y, t, f, .. } => {
                sub(a, &known);
                sub(y, &known);
                sub(t, &known);
                sub(f, &known);
            }
            Op::Load { addr, .. } => sub(addr, &known),
            Op::Store { val, addr, .. } => {
                sub(val, &known);
                sub(addr, &known);
            }
            Op::LoadState { index, .. } => sub(index, &known),
            Op::StoreState { val, index, .. } => {
                sub(val, &known);
                sub(index, &known);
            }
            Op::Call { args, .. } => args.iter_mut().for_each(|a| sub(a, &known)),
            Op::Raise { arg, .. } => sub(arg, &known),
            _ => {}
        }
        // Fold.
        let c = |v: Val, b: &Block| b.const_of(v);
        let folded: Option<Op> = match &op {
            Op::Bin { op: bop, dst, a, b: y } => {
                let ty = b.ty(*dst);
                match (c(*a, b), c(*y, b)) {
                    (Some(x), Some(z)) => {
                        let k = konst(b, ty, bop.eval(ty, x, z));
                        Some(Op::Mov { dst: *dst, src: k })
                    }
                    (_, Some(0))
                        if matches!(
                            bop,
                            BinOp::Add | BinOp::Sub | BinOp::Or | BinOp::Xor | BinOp::Shl | BinOp::Shr | BinOp::Sar
                        ) =>
                    {
                        Some(Op::Mov { dst: *dst, src: *a })
                    }
                    (Some(0), _) if matches!(bop, BinOp::Add | BinOp::Or | BinOp::Xor) => {
                        Some(Op::Mov { dst: *dst, src: *y })
                    }
                    (_, Some(0)) | (Some(0), _) if matches!(bop, BinOp::And | BinOp::Mul) => {
                        let k = konst(b, ty, 0);
                        Some(Op::Mov { dst: *dst, src: k })
                    }
                    (_, Some(m)) if *bop == BinOp::And && m == ty.mask() => Some(Op::Mov { dst: *dst, src: *a }),
                    (_, Some(1)) if *bop == BinOp::Mul => Some(Op::Mov { dst: *dst, src: *a }),
                    _ => None,
                }
            }
            Op::Un { op: uop, dst, a } => c(*a, b).map(|x| {
                let ty = b.ty(*dst);
                let k = konst(b, ty, uop.eval(ty, x));
                Op::Mov { dst: *dst, src: k }
            }),
            Op::Ext { dst, src, bits, signed } => c(*src, b).map(|x| {
                let ty = b.ty(*dst);
                let k = konst(b, ty, ext_bits(x, *bits, *signed, ty));
                Op::Mov { dst: *dst, src: k }
            }),
            Op::Extract { dst, src, ofs, len, signed } => {
                let ty = b.ty(*dst);
                if let Some(x) = c(*src, b) {
                    let k = konst(b, ty, ext_bits(x >> *ofs, *len, *signed, ty));
                    Some(Op::Mov { dst: *dst, src: k })
                } else if *ofs == 0 && !*signed && *len as u32 >= ty.bits() && b.ty(*src) == ty {
                    Some(Op::Mov { dst: *dst, src: *src })
                } else {
                    None
                }
            }
            Op::Deposit { dst, base, val, ofs, len } => match (c(*base, b), c(*val, b)) {
                (Some(x), Some(v)) => {
                    let ty = b.ty(*dst);
                    let m = if *len >= 64 { u64::MAX } else { ((1u64 << *len) - 1) << *ofs };
                    let k = konst(b, ty, (x & !m) | ((v << *ofs) & m));
                    Some(Op::Mov { dst: *dst, src: k })
                }
                _ => None,
            },
            Op::Setcond { cond, dst, a, b: y } => match (c(*a, b), c(*y, b)) {
                (Some(x), Some(z)) => {
                    let r = cond.eval(b.ty(*a), x, z) as u64;
                    let k = konst(b, Ty::I32, r);
                    Some(Op::Mov { dst: *dst, src: k })
                }
                _ => None,
            },
            Op::Movcond { cond, dst, a, b: y, t, f } => match (c(*a, b), c(*y, b)) {
                (Some(x), Some(z)) => {
                    let pick = if cond.eval(b.ty(*a), x, z) { *t } else { *f };
                    Some(Op::Mov { dst: *dst, src: pick })
                }
                _ if t == f => Some(Op::Mov { dst: *dst, src: *t }),
                _ => None,
            },
            Op::Brcond { cond, a, b: y, label } => match (c(*a, b), c(*y, b)) {
                (Some(x), Some(z)) => {
                    if cond.eval(b.ty(*a), x, z) {
                        Some(Op::Br(*label))
                    } else {
                        // Never taken: drop it (an InsnStart keeps the slot harmlessly).
                        Some(Op::InsnStart { pc: u64::MAX, flags: u32::MAX })
                    }
                }
                _ => None,
            },
            _ => None,
        };
        let op = folded.unwrap_or(op);
        if let Op::InsnStart { pc: u64::MAX, flags: u32::MAX } = op {
            continue;
        }
        if let Op::Br(_) = op {
            reachable = false;
        }
        // Update knowledge with what this op defines.
        for d in defs(&op) {
            forget(&mut known, d);
        }
        if let Op::Mov { dst, src } = op {
            if dst != src && b.ty(dst) == b.ty(src) && (is_temp(b, dst) || b.const_of(src).is_some()) {
                // A copy into a temporary (or a constant into anything) is safe to propagate
                // until either side is written again.
                known.insert(dst, src);
            }
        }
        out.push(op);
    }
    let used: std::collections::HashSet<u32> = out
        .iter()
        .filter_map(|op| match op {
            Op::Br(l) | Op::Brcond { label: l, .. } => Some(l.0),
            _ => None,
        })
        .collect();
    out.retain(|op| !matches!(op, Op::Label(l) if !used.contains(&l.0)));
    b.ops = out;
}

/// Liveness-driven dead-code elimination. Globals are live wherever the block can be left
/// (exits, ops that may fault or raise, helpers that read state); temporaries die with the block.
pub fn eliminate_dead(b: &mut Block) {
    let n = b.ops.len();
    if n == 0 {
        return;
    }
    let nv = b.vals.len();
    let globals: Vec<usize> = (0..nv).filter(|&i| matches!(b.vals[i].kind, ValKind::Global { .. })).collect();
    let mut label_at: HashMap<u32, usize> = HashMap::new();
    for (i, op) in b.ops.iter().enumerate() {
        if let Op::Label(l) = op {
            label_at.insert(l.0, i);
        }
    }
    let succ = |i: usize, op: &Op| -> smallvec::SmallVec<[usize; 2]> {
        use smallvec::smallvec as v;
        match op {
            Op::Br(l) => v![label_at[&l.0]],
            Op::Brcond { label, .. } => v![i + 1, label_at[&label.0]],
            Op::Exit(_) | Op::Raise { .. } => v![],
            _ => v![i + 1],
        }
    };
    // live_in[i] as bitsets (Vec<u64>).
    let words = nv.div_ceil(64);
    let mut globals_mask = vec![0u64; words];
    for &g in &globals {
        globals_mask[g / 64] |= 1 << (g % 64);
    }
    let mut live_in = vec![vec![0u64; words]; n + 1];
    // Past the end: globals live (the block falls off into the dispatcher).
    for &g in &globals {
        live_in[n][g / 64] |= 1 << (g % 64);
    }
    let exits_state = |op: &Op| -> bool {
        match op {
            Op::Exit(_) | Op::Raise { .. } | Op::Load { .. } | Op::Store { .. } => true,
            Op::LoadState { .. } | Op::StoreState { .. } => true,
            Op::Call { flags, .. } => flags.reads_state || flags.writes_state || flags.may_raise,
            _ => false,
        }
    };
    // Blocks branch forward, so one backward pass settles it; the loop checks that.
    let mut changed = true;
    let mut out = vec![0u64; words];
    while changed {
        changed = false;
        for i in (0..n).rev() {
            let op = &b.ops[i];
            out.iter_mut().for_each(|w| *w = 0);
            for s in succ(i, op) {
                for (w, x) in out.iter_mut().zip(&live_in[s.min(n)]) {
                    *w |= x;
                }
            }
            if exits_state(op) {
                for (w, g) in out.iter_mut().zip(&globals_mask) {
                    *w |= g;
                }
            }
            for d in defs(op) {
                let d = d.0 as usize;
                // A partial write (deposit) still reads the old value through `base`.
                out[d / 64] &= !(1 << (d % 64));
            }
            for u in uses(op) {
                let u = u.0 as usize;
                if !matches!(b.vals[u].kind, ValKind::Const(_)) {
                    out[u / 64] |= 1 << (u % 64);
                }
            }
            if out != live_in[i] {
                live_in[i].copy_from_slice(&out);
                changed = true;
            }
        }
    }
    // Remove pure ops whose outputs are dead right after them.
    let mut keep = vec![true; n];
    for (i, (op, k)) in b.ops.iter().zip(keep.iter_mut()).enumerate() {
        if !is_pure(op) {
            continue;
        }
        let mut after = vec![0u64; words];
        for s in succ(i, op) {
            for (w, x) in after.iter_mut().zip(&live_in[s.min(n)]) {
                *w |= x;
            }
        }
        let live = defs(op).iter().any(|d| {
            let d = d.0 as usize;
            after[d / 64] & (1 << (d % 64)) != 0
        });
        if let Op::Mov { dst, src } = op {
            if dst == src {
                *k = false;
                continue;
            }
        }
        if !live {
            *k = false;
        }
    }
    let mut k = keep.into_iter();
    b.ops.retain(|_| k.next().unwrap_or(true));
}
