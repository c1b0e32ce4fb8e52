//! The optimizer: constant folding and copy propagation (forward, forgetting at labels, where
//! control flow merges; alignment checks that an earlier check implies fold away, see
//! `known`), then dead-code elimination driven by liveness over the block's
//! control-flow graph (a flag computation that the next instruction overwrites disappears),
//! then the local rewrites of `fuse` (branch flags, setcond into branches, copies into their
//! destinations). Works on any block; knows no guest architecture.

mod fuse;
mod known;

use crate::ir::{ext_bits, BinOp, Block, Cond, Op, Ty, Val, ValInfo, ValKind};
use known::{Derived, Fact, Known, Snapshot};

/// Run every pass.
pub fn optimize(b: &mut Block) {
    fold_and_propagate(b);
    eliminate_dead(b);
    fuse::fuse(b);
}

fn is_temp(b: &Block, v: Val) -> bool {
    matches!(b.kind(v), ValKind::Temp)
}

/// A few values, inline (an op reads at most four, except helper calls).
pub type Vals = smallvec::SmallVec<[Val; 4]>;

/// The values an op reads, each passed to `$f` (by value with `*`, else by reference): one
/// list of operands for [`visit_uses`] and [`map_uses`] (`$iter`: how to walk a call's
/// arguments, `iter` or `iter_mut`).
macro_rules! each_use {
    ($op:expr, $f:ident $(, $deref:tt)?; $iter:ident) => {
        match $op {
            Op::Mov { src, .. } => $f($($deref)? src),
            Op::Bin { a, b, .. } | Op::Setcond { a, b, .. } | Op::Brcond { a, b, .. } | Op::Mul2 { a, b, .. } => {
                $f($($deref)? a);
                $f($($deref)? b)
            }
            Op::Un { a, .. } => $f($($deref)? a),
            Op::Ext { src, .. } | Op::Extract { src, .. } => $f($($deref)? src),
            Op::Deposit { base, val, .. } => {
                $f($($deref)? base);
                $f($($deref)? val)
            }
            Op::Movcond { a, b, t, f: e, .. } => {
                $f($($deref)? a);
                $f($($deref)? b);
                $f($($deref)? t);
                $f($($deref)? e)
            }
            Op::Load { addr, .. } => $f($($deref)? addr),
            Op::Store { val, addr, .. } => {
                $f($($deref)? val);
                $f($($deref)? addr)
            }
            Op::LoadState { index, .. } => $f($($deref)? index),
            Op::StoreState { val, index, .. } => {
                $f($($deref)? val);
                $f($($deref)? index)
            }
            Op::Call(c) => {
                for a in c.args.$iter() {
                    $f($($deref)? a)
                }
            }
            Op::Raise { arg, .. } => $f($($deref)? arg),
            Op::InsnStart { .. } | Op::Label(_) | Op::Br(_) | Op::Exit(_) => {}
        }
    };
}

/// Call `f` on each value an op reads.
#[inline]
pub fn visit_uses(op: &Op, mut f: impl FnMut(Val)) {
    each_use!(op, f, *; iter)
}

/// Call `f` on each value an op reads, to change it.
pub fn map_uses(op: &mut Op, mut f: impl FnMut(&mut Val)) {
    each_use!(op, f; iter_mut)
}

/// Call `f` on each value an op writes.
#[inline]
pub fn visit_defs(op: &Op, mut f: impl FnMut(Val)) {
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
        | Op::LoadState { dst, .. } => f(*dst),
        Op::Mul2 { lo, hi, .. } => {
            f(*lo);
            f(*hi)
        }
        Op::Call(c) => {
            if let Some(r) = c.ret {
                f(r)
            }
        }
        _ => {}
    }
}

/// Values an op reads.
pub fn uses(op: &Op) -> Vals {
    let mut v = Vals::new();
    visit_uses(op, |x| v.push(x));
    v
}

/// Values an op writes.
pub fn defs(op: &Op) -> Vals {
    let mut v = Vals::new();
    visit_defs(op, |x| v.push(x));
    v
}

/// Ops that compute their outputs from their inputs only: they cannot fault, raise, call,
/// branch or leave the block.
fn computes_only(op: &Op) -> bool {
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
    )
}

/// Ops that only compute their outputs (removable when nothing reads them).
fn is_pure(op: &Op) -> bool {
    computes_only(op) || matches!(op, Op::Call(c) if c.flags.pure)
}

/// Constants that folding created in this block, to share them (constants the block had
/// already are not looked up: a duplicate constant costs nothing downstream).
struct Consts(smallvec::SmallVec<[(u64, Ty, Val); 8]>);

impl Consts {
    fn new() -> Self {
        Consts(smallvec::SmallVec::new())
    }
    fn get(&mut self, b: &mut Block, ty: Ty, v: u64) -> Val {
        let v = v & ty.mask();
        if let Some(&(_, _, x)) = self.0.iter().find(|&&(c, t, _)| c == v && t == ty) {
            return x;
        }
        b.vals.push(ValInfo { ty, kind: ValKind::Const(v) });
        let x = Val(b.vals.len() as u32 - 1);
        self.0.push((v, ty, x));
        x
    }
}

thread_local! {
    /// The forward pass's tables, kept between blocks (translation allocates less).
    static KNOWN: std::cell::RefCell<Option<Known>> = const { std::cell::RefCell::new(None) };
}

/// Forward pass: replace uses by known copies and constants; fold ops on constants.
pub fn fold_and_propagate(b: &mut Block) {
    let mut known = KNOWN.with(|k| k.borrow_mut().take()).unwrap_or_else(|| Known::new(0));
    known.clear();
    known.grow(b.vals.len());
    let mut consts = Consts::new();
    let globals: Vec<(Val, u32, u32)> = (b.vals.iter().enumerate())
        .filter_map(|(i, v)| match v.kind {
            ValKind::Global { offset, size, .. } => Some((Val(i as u32), offset, size as u32)),
            _ => None,
        })
        .collect();
    let ops = std::mem::take(&mut b.ops);
    let mut out = Vec::with_capacity(ops.len());
    // How many branches jump to each label: control flow merges at those. A label no branch
    // names is reached only by falling through, so what is known stays known; a label one
    // branch names keeps what was known at that branch (and, if the fall-through into it is
    // reachable, what is known on both paths).
    let mut targets = vec![0u32; b.labels as usize];
    for op in &ops {
        if let Op::Br(l) | Op::Brcond { label: l, .. } = op {
            targets[l.0 as usize] += 1;
        }
    }
    let flags = flag_temps(b, &ops);
    let skips_dead_end = branches_over_dead_ends(&ops, &targets);
    let mut at_branch: Vec<Option<Snapshot>> = vec![None; b.labels as usize];
    // A branch over a dead end (see `branches_over_dead_ends`) takes no snapshot: at its
    // label, what the dead end defined is forgotten and what the branch being taken tells
    // is added.
    let mut over_dead_end: Option<(u32, Snapshot, Vals)> = None;
    // False after an unconditional jump, exit or raise, until a label that is jumped to.
    let mut reachable = true;
    for mut op in ops {
        if let Op::Label(l) = op {
            let li = l.0 as usize;
            if let Some((_, taken, dead_defs)) = over_dead_end.take_if(|(x, ..)| *x == l.0) {
                dead_defs.iter().for_each(|&d| known.forget(d));
                for f in taken {
                    match f {
                        Fact::NonZero(v, g) if known.gen(v) == g => known.set_nonzero(v),
                        Fact::Aligned(v, k, g) if known.gen(v) == g => known.set_aligned(v, k),
                        _ => {}
                    }
                }
                reachable = true;
                out.push(op);
                continue;
            }
            match (targets[li], at_branch[li].take()) {
                (0, _) => {}
                (1, Some(snap)) => {
                    if reachable {
                        known.intersect(&snap);
                    } else {
                        known.restore(&snap);
                    }
                    reachable = true;
                }
                _ => {
                    known.clear();
                    reachable = true;
                }
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
        map_uses(&mut op, |v| {
            if let Some(k) = known.get(*v) {
                *v = k;
            }
        });
        let folded = fold(b, &mut consts, &op)
            .or_else(|| fold_nonzero(b, &known, &op))
            .or_else(|| fold_known_bits(b, &known, &mut consts, &op))
            .or_else(|| fold_flag_mask(b, &flags, &op));
        let op = folded.unwrap_or(op);
        if let Op::InsnStart { pc: u64::MAX, flags: u32::MAX } = op {
            continue;
        }
        if let Op::Br(_) = op {
            reachable = false;
        }
        if let Some((_, _, dead_defs)) = &mut over_dead_end {
            visit_defs(&op, |d| dead_defs.push(d));
            if let Op::Call(c) = &op {
                if c.flags.writes_state {
                    dead_defs.extend(globals.iter().map(|&(g, ..)| g));
                }
            }
            if let Op::StoreState { .. } = op {
                dead_defs.extend(globals.iter().map(|&(g, ..)| g));
            }
        }
        let dead_end = match op {
            Op::Brcond { label, .. } if skips_dead_end[label.0 as usize] => {
                over_dead_end = Some((label.0, Snapshot::new(), Vals::new()));
                true
            }
            _ => false,
        };
        if let Op::Br(l) | Op::Brcond { label: l, .. } = op {
            if targets[l.0 as usize] == 1 {
                let mut snap = match &mut over_dead_end {
                    Some((_, taken, _)) if dead_end => std::mem::take(taken),
                    _ => known.snapshot(),
                };
                // Taken `x != 0`: x is non-zero at the label.
                if let Op::Brcond { cond: Cond::Ne, a, b: z, .. } = op {
                    if b.const_of(z) == Some(0) && b.const_of(a).is_none() {
                        snap.push(Fact::NonZero(a, known.gen(a)));
                    }
                }
                // Taken `low_bits(x) == 0`: x is aligned at the label.
                if let Op::Brcond { cond: Cond::Eq, a, b: z, .. } = op {
                    if b.const_of(z) == Some(0) {
                        for (v, k) in known.alignment_of_zero_low_bits(a) {
                            snap.retain(|f| !matches!(*f, Fact::Aligned(x, ..) if x == v));
                            snap.push(Fact::Aligned(v, k.max(known.aligned(v)), known.gen(v)));
                        }
                    }
                }
                match &mut over_dead_end {
                    Some((_, taken, _)) if dead_end => *taken = snap,
                    _ => at_branch[l.0 as usize] = Some(snap),
                }
            }
        }
        // What the branch not being taken tells holds only on the dead end.
        let refine = !dead_end;
        // Not taken `x == 0`: x is non-zero from here on.
        if let Op::Brcond { cond: Cond::Eq, a, b: z, .. } = op {
            if refine && b.const_of(z) == Some(0) && b.const_of(a).is_none() {
                known.set_nonzero(a);
            }
        }
        // Not taken `low_bits(x) != 0`: x is aligned from here on.
        if let Op::Brcond { cond: Cond::Ne, a, b: z, .. } = op {
            if refine && b.const_of(z) == Some(0) {
                for (v, k) in known.alignment_of_zero_low_bits(a) {
                    known.set_aligned(v, k);
                }
            }
        }
        let facts = facts_of(b, &known, &op);
        // Update knowledge with what this op defines, including guest registers that a
        // helper or an indexed state store may change behind the IR's back.
        visit_defs(&op, |d| known.forget(d));
        match &op {
            Op::Call(c) if c.flags.writes_state => {
                for &(g, off, size) in &globals {
                    if c.flags.may_write(off, size) {
                        known.forget(g);
                    }
                }
            }
            Op::StoreState { .. } => globals.iter().for_each(|&(g, _, _)| known.forget(g)),
            _ => {}
        }
        if let Some((d, k, derived)) = facts {
            if k > 0 {
                known.set_aligned(d, k);
            }
            if let Some(derived) = derived {
                let r = derived.record(&known, d);
                known.set_derived(d, r);
            }
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
    // A jump to the very next op goes.
    let mut i = 0;
    while i + 1 < out.len() {
        if matches!((&out[i], &out[i + 1]), (Op::Br(l), Op::Label(m)) if l == m) {
            out.remove(i);
        } else {
            i += 1;
        }
    }
    let mut used = vec![false; b.labels as usize];
    for op in &out {
        if let Op::Br(l) | Op::Brcond { label: l, .. } = op {
            used[l.0 as usize] = true;
        }
    }
    out.retain(|op| !matches!(op, Op::Label(l) if !used[l.0 as usize]));
    b.ops = out;
    KNOWN.with(|k| *k.borrow_mut() = Some(known));
}

/// The labels that one conditional branch jumps to over a dead end: straight-line ops that
/// end in a raise or an exit, so that the label is reached only from the branch (the check
/// before an access and its raise, the two exits at a block's end). What is known at such a
/// label is what was known at the branch, less what the dead end redefined.
fn branches_over_dead_ends(ops: &[Op], targets: &[u32]) -> Vec<bool> {
    let mut out = vec![false; targets.len()];
    for (i, op) in ops.iter().enumerate() {
        let Op::Brcond { label, .. } = op else { continue };
        if targets[label.0 as usize] != 1 {
            continue;
        }
        let mut last: Option<&Op> = None;
        for next in &ops[i + 1..] {
            match next {
                Op::Label(l) if l == label => {
                    out[label.0 as usize] = matches!(last, Some(Op::Raise { .. } | Op::Exit(_)));
                    break;
                }
                Op::Label(_) | Op::Br(_) | Op::Brcond { .. } => break,
                _ => last = Some(next),
            }
        }
    }
    out
}

/// How many low bits of `v` are zero: known, or those of a constant.
fn low_zero_bits(b: &Block, known: &Known, v: Val) -> u8 {
    match b.const_of(v) {
        Some(c) => (c & b.ty(v).mask()).trailing_zeros().min(b.ty(v).bits()) as u8,
        None => known.aligned(v),
    }
}

/// How a definition was derived, recorded once its destination has been forgotten.
#[derive(Clone, Copy)]
enum NewDerived {
    LowBits { src: Val, k: u8 },
    AddConst { base: Val, c: u64 },
}

impl NewDerived {
    fn record(self, known: &Known, dst: Val) -> Derived {
        match self {
            NewDerived::LowBits { src, k } => Derived::LowBits { src, src_gen: known.gen(src), k, gen: known.gen(dst) },
            NewDerived::AddConst { base, c } => {
                Derived::AddConst { base, base_gen: known.gen(base), c, gen: known.gen(dst) }
            }
        }
    }
}

/// What `op` tells of the value it defines: how many of its low bits are zero (from its
/// operands, before the op redefines anything), and, for `extract(x, 0, k)` and `x + c`,
/// how it was derived.
fn facts_of(b: &Block, known: &Known, op: &Op) -> Option<(Val, u8, Option<NewDerived>)> {
    let z = |v: Val| low_zero_bits(b, known, v);
    let (dst, k, derived) = match *op {
        Op::Mov { dst, src } => (dst, z(src), None),
        Op::Bin { op: bop, dst, a, b: y } => {
            let k = match bop {
                BinOp::Add | BinOp::Sub | BinOp::Or | BinOp::Xor => z(a).min(z(y)),
                BinOp::And => z(a).max(z(y)),
                BinOp::Mul => z(a).saturating_add(z(y)),
                BinOp::Shl => match b.const_of(y) {
                    Some(c) => z(a).saturating_add((c % b.ty(dst).bits() as u64) as u8),
                    None => z(a),
                },
                _ => 0,
            };
            let derived = match (bop, b.const_of(a), b.const_of(y)) {
                (BinOp::Add, None, Some(c)) if a != dst => Some(NewDerived::AddConst { base: a, c }),
                (BinOp::Add, Some(c), None) if y != dst => Some(NewDerived::AddConst { base: y, c }),
                (BinOp::Sub, None, Some(c)) if a != dst => Some(NewDerived::AddConst { base: a, c: c.wrapping_neg() }),
                _ => None,
            };
            (dst, k, derived)
        }
        Op::Ext { dst, src, bits, .. } => (dst, z(src).min(bits), None),
        Op::Extract { dst, src, ofs: 0, len, signed } => {
            let derived = (!signed && src != dst).then_some(NewDerived::LowBits { src, k: len });
            (dst, z(src).min(len), derived)
        }
        _ => return None,
    };
    Some((dst, k.min(b.ty(dst).bits() as u8), derived))
}

/// Rewrites from known bits: `extract(x, ofs, len)` of bits known to be zero is 0; a shift
/// or rotate by `extract(x, 0, k)`, when `2^k` is at least the width, shifts by `x` (the IR
/// takes shift amounts modulo the width).
fn fold_known_bits(b: &mut Block, known: &Known, consts: &mut Consts, op: &Op) -> Option<Op> {
    match *op {
        Op::Extract { dst, src, ofs, len, .. } if ofs as u32 + len as u32 <= known.aligned(src) as u32 => {
            let k = consts.get(b, b.ty(dst), 0);
            Some(Op::Mov { dst, src: k })
        }
        Op::Bin { op: bop @ (BinOp::Shl | BinOp::Shr | BinOp::Sar | BinOp::Rotl | BinOp::Rotr), dst, a, b: y } => {
            match known.derived(y) {
                Some(Derived::LowBits { src, k, .. })
                    if (k as u32) < 64 && 1u64 << k >= b.ty(dst).bits() as u64 && b.ty(src) == b.ty(y) =>
                {
                    Some(Op::Bin { op: bop, dst, a, b: src })
                }
                _ => None,
            }
        }
        _ => None,
    }
}

/// The temporaries that only ever hold 0 or 1: every op that defines them is a `setcond`.
fn flag_temps(b: &Block, ops: &[Op]) -> Vec<bool> {
    let mut flag = vec![None::<bool>; b.vals.len()];
    for op in ops {
        let is_setcond = matches!(op, Op::Setcond { .. });
        visit_defs(op, |d| {
            let f = &mut flag[d.0 as usize];
            *f = Some(f.unwrap_or(true) && is_setcond && is_temp(b, d));
        });
    }
    flag.into_iter().map(|f| f == Some(true)).collect()
}

/// `x & 1` (either order) of a flag `x` (see [`flag_temps`]) is `x`: the mask a
/// condition such as `a && b` leaves when one side folded to a constant 1.
fn fold_flag_mask(b: &Block, flags: &[bool], op: &Op) -> Option<Op> {
    let Op::Bin { op: BinOp::And, dst, a, b: y } = op else { return None };
    let is_flag = |v: Val| flags.get(v.0 as usize).copied().unwrap_or(false) && b.ty(v) == b.ty(*dst);
    match (b.const_of(*a), b.const_of(*y)) {
        (Some(1), None) if is_flag(*y) => Some(Op::Mov { dst: *dst, src: *y }),
        (None, Some(1)) if is_flag(*a) => Some(Op::Mov { dst: *dst, src: *a }),
        _ => None,
    }
}

/// A branch on `x == 0` / `x != 0` decided by `x` being known non-zero.
fn fold_nonzero(b: &Block, known: &Known, op: &Op) -> Option<Op> {
    match op {
        Op::Brcond { cond, a, b: z, label } if b.const_of(*z) == Some(0) && known.is_nonzero(*a) => match cond {
            Cond::Ne => Some(Op::Br(*label)),
            Cond::Eq => Some(Op::InsnStart { pc: u64::MAX, flags: u32::MAX }),
            _ => None,
        },
        _ => None,
    }
}

/// `op` with constant operands folded (or simplified by an identity), if it can be.
fn fold(b: &mut Block, consts: &mut Consts, op: &Op) -> Option<Op> {
    let c = |v: Val, b: &Block| b.const_of(v);
    match op {
        Op::Bin { op: bop, dst, a, b: y } => {
            let ty = b.ty(*dst);
            match (c(*a, b), c(*y, b)) {
                (Some(x), Some(z)) => {
                    let k = consts.get(b, ty, bop.eval(ty, x, z));
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
                    let k = consts.get(b, ty, 0);
                    Some(Op::Mov { dst: *dst, src: k })
                }
                (_, Some(m)) if *bop == BinOp::And && m == ty.mask() => Some(Op::Mov { dst: *dst, src: *a }),
                (_, Some(1)) if *bop == BinOp::Mul => Some(Op::Mov { dst: *dst, src: *a }),
                _ => None,
            }
        }
        Op::Un { op: uop, dst, a } => c(*a, b).map(|x| {
            let ty = b.ty(*dst);
            let k = consts.get(b, ty, uop.eval(ty, x));
            Op::Mov { dst: *dst, src: k }
        }),
        Op::Ext { dst, src, bits, signed } => c(*src, b).map(|x| {
            let ty = b.ty(*dst);
            let k = consts.get(b, ty, ext_bits(x, *bits, *signed, ty));
            Op::Mov { dst: *dst, src: k }
        }),
        Op::Extract { dst, src, ofs, len, signed } => {
            let ty = b.ty(*dst);
            if let Some(x) = c(*src, b) {
                let k = consts.get(b, ty, ext_bits(x >> *ofs, *len, *signed, ty));
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
                let k = consts.get(b, ty, (x & !m) | ((v << *ofs) & m));
                Some(Op::Mov { dst: *dst, src: k })
            }
            _ => None,
        },
        Op::Setcond { cond, dst, a, b: y } => match (c(*a, b), c(*y, b)) {
            (Some(x), Some(z)) => {
                let r = cond.eval(b.ty(*a), x, z) as u64;
                let k = consts.get(b, Ty::I32, r);
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
                    // Never taken: drop it.
                    Some(Op::InsnStart { pc: u64::MAX, flags: u32::MAX })
                }
            }
            _ => None,
        },
        _ => None,
    }
}

/// Liveness-driven dead-code elimination. Globals are live wherever the block can be left
/// (exits, ops that may fault or raise, helpers that read state); temporaries die with the block.
pub fn eliminate_dead(b: &mut Block) {
    let n = b.ops.len();
    if n == 0 {
        return;
    }
    let nv = b.vals.len();
    let words = nv.div_ceil(64);
    let mut label_at = vec![usize::MAX; b.labels as usize];
    for (i, op) in b.ops.iter().enumerate() {
        if let Op::Label(l) = op {
            label_at[l.0 as usize] = i;
        }
    }
    let mut globals_mask = vec![0u64; words];
    for (i, v) in b.vals.iter().enumerate() {
        if matches!(v.kind, ValKind::Global { .. }) {
            globals_mask[i / 64] |= 1 << (i % 64);
        }
    }
    let exits_state = |op: &Op| -> bool {
        match op {
            Op::Exit(_) | Op::Raise { .. } | Op::Load { .. } | Op::Store { .. } => true,
            Op::LoadState { .. } | Op::StoreState { .. } => true,
            Op::Call(c) => c.flags.reads_state || c.flags.writes_state || c.flags.may_raise,
            _ => false,
        }
    };
    // live_in of op i is row i of one flat bitset table; row n is past the end, where
    // globals are live (the block falls off into the dispatcher).
    let mut live = vec![0u64; (n + 1) * words];
    live[n * words..].copy_from_slice(&globals_mask);
    let mut out = vec![0u64; words];
    let mut keep = vec![true; n];
    // Blocks branch forward, so one backward pass settles it (a label's live_in is final
    // before any branch to it is visited); the loop re-checks when that does not hold.
    let mut changed = true;
    let mut first = true;
    while changed {
        changed = false;
        for i in (0..n).rev() {
            let op = &b.ops[i];
            out.iter_mut().for_each(|w| *w = 0);
            let or_row = |row: usize, out: &mut [u64]| {
                for (w, x) in out.iter_mut().zip(&live[row * words..(row + 1) * words]) {
                    *w |= x;
                }
            };
            match op {
                Op::Br(l) => or_row(label_at[l.0 as usize].min(n), &mut out),
                Op::Brcond { label, .. } => {
                    or_row(i + 1, &mut out);
                    or_row(label_at[label.0 as usize].min(n), &mut out);
                }
                Op::Exit(_) | Op::Raise { .. } => {}
                _ => or_row(i + 1, &mut out),
            }
            // `out` is live-after: a pure op whose outputs are all dead there goes.
            if first || !keep[i] {
                let dead_mov = matches!(op, Op::Mov { dst, src } if dst == src);
                let mut any_live = false;
                visit_defs(op, |d| any_live |= out[d.0 as usize / 64] & (1 << (d.0 % 64)) != 0);
                keep[i] = !(is_pure(op) && (dead_mov || !any_live));
            }
            if !keep[i] {
                // A removed op neither defines nor uses anything.
                if live[i * words..(i + 1) * words] != out[..] {
                    live[i * words..(i + 1) * words].copy_from_slice(&out);
                    changed = true;
                }
                continue;
            }
            if exits_state(op) {
                for (w, g) in out.iter_mut().zip(&globals_mask) {
                    *w |= g;
                }
            }
            // A partial write (deposit) still reads the old value through `base`.
            visit_defs(op, |d| out[d.0 as usize / 64] &= !(1 << (d.0 % 64)));
            visit_uses(op, |u| {
                let u = u.0 as usize;
                if !matches!(b.vals[u].kind, ValKind::Const(_)) {
                    out[u / 64] |= 1 << (u % 64);
                }
            });
            if live[i * words..(i + 1) * words] != out[..] {
                live[i * words..(i + 1) * words].copy_from_slice(&out);
                changed = true;
            }
        }
        first = false;
        // Forward-only blocks are settled after the first pass.
        if !changed || label_at.iter().all(|&l| l == usize::MAX) {
            break;
        }
        changed = has_backward_branch(b, &label_at) && changed;
    }
    let mut k = keep.into_iter();
    b.ops.retain(|_| k.next().unwrap_or(true));
}

fn has_backward_branch(b: &Block, label_at: &[usize]) -> bool {
    b.ops.iter().enumerate().any(|(i, op)| match op {
        Op::Br(l) | Op::Brcond { label: l, .. } => label_at[l.0 as usize] <= i,
        _ => false,
    })
}
