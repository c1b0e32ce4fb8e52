//! Local rewrites that make branches and register writes cheaper, on any block:
//! - a 0/1 flag built with a branch (`mov t,0; setcond d; brcond d==0 L; mov t,1; L:`, or
//!   `mov t,0; brcond !c L; mov t,1; L:`) becomes one `setcond t`;
//! - a `setcond` read only by a later `brcond` against 0 (with nothing between that changes
//!   its operands, such as a delay slot) becomes that branch's condition; when a delay slot
//!   does overwrite the guest register it compares, the value it compared is kept in a new
//!   temporary first ([`branch_operands_renamed`]);
//! - a flag tested against 0 (`setcond c d,a,b; ...; setcond eq e,d,0`) is computed from
//!   the comparison itself (`setcond !c e,a,b`), so `d` may die (see [`flags_of_flags`]);
//! - a temporary computed and then only copied into the next op's destination is computed
//!   straight into that destination;
//! - a narrow load whose value is only extended by the next op (`ld t,u8; ext8s d,t`) loads
//!   with that extension straight into the extension's destination.
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

/// How many ops read and write each value (by value index), and how many branches target
/// each label. Counted once for all the rewrites: each rewrite keeps the reads of every value
/// that survives it, so the counts stay true for what they are asked about.
struct Counts {
    uses: Vec<u32>,
    defs: Vec<u32>,
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
    let mut c =
        Counts { uses: vec![0; b.vals.len()], defs: vec![0; b.vals.len()], targets: vec![0; b.labels as usize] };
    for op in &b.ops {
        super::visit_uses(op, |u| c.uses[u.0 as usize] += 1);
        super::visit_defs(op, |d| c.defs[d.0 as usize] += 1);
        if let Op::Br(l) | Op::Brcond { label: l, .. } = op {
            c.targets[l.0 as usize] += 1;
        }
    }
    c
}

/// `setcond c d,a,b; ...; setcond eq|ne e,d,0` (nothing between changes a, b or d, and no
/// label joins) → `...; setcond !c|c e,a,b`. When `d` was only tested (MIPS
/// `sltu v0,..; beqz v0,..` with `v0` rewritten in the delay slot), its setcond dies, and the
/// branch can then take the comparison itself. Says whether it rewrote anything.
fn flags_of_flags(b: &mut Block) -> bool {
    let mut changed = false;
    let n = b.ops.len();
    for i in 0..n {
        let Op::Setcond { cond, dst: d, a, b: y } = b.ops[i] else { continue };
        if d == a || d == y {
            continue;
        }
        // The values that hold the flag (`d` and its copies: `mov g,d` comes before the test
        // when the flag is a guest register).
        let mut names: smallvec::SmallVec<[Val; 2]> = smallvec::smallvec![d];
        for j in i + 1..n.min(i + 16) {
            match b.ops[j] {
                Op::Setcond { cond: c2 @ (Cond::Eq | Cond::Ne), dst: e, a: f, b: z }
                    if names.contains(&f) && is_const(b, z, 0) =>
                {
                    let cc = if c2 == Cond::Ne { cond } else { cond.invert() };
                    b.ops[j] = Op::Setcond { cond: cc, dst: e, a, b: y };
                    changed = true;
                    if e == a || e == y {
                        break;
                    }
                    names.retain(|v| *v != e);
                }
                Op::Mov { dst: g, src } if names.contains(&src) => {
                    if g == a || g == y {
                        break;
                    }
                    names.push(g);
                }
                Op::Label(_) | Op::StoreState { .. } => break,
                Op::Call(ref c) if c.flags.writes_state => break,
                ref op => {
                    let mut clobbers = false;
                    super::visit_defs(op, |v| {
                        clobbers |= v == a || v == y;
                        names.retain(|x| *x != v);
                    });
                    if clobbers {
                        break;
                    }
                }
            }
            if names.is_empty() {
                break;
            }
        }
    }
    changed
}

/// Ops between which no exit can observe the guest registers: instruction markers and ops
/// that only compute (`opt::computes_only`).
fn straight_line(op: &Op) -> bool {
    matches!(op, Op::InsnStart { .. }) || super::computes_only(op)
}

/// `op g,...; setcond f,g,x; op' g,...; ...; brcond f,0` where `g` is a guest register and
/// nothing between the two writes of `g` can leave the block (so no exit sees `g`'s first
/// value): the first value goes to a new temporary `t` instead (`op t,...; setcond f,t,x;
/// op' g,...` with `op'` reading `t` for `g`). The flag's operands then survive to the branch,
/// and [`setcond_branches`] gives the branch the comparison. This is a delay slot that
/// overwrites the register its branch tests (`andi v0,v0,m; bnez v0,L; li v0,45`). Says
/// whether it rewrote anything.
fn branch_operands_renamed(b: &mut Block) -> bool {
    let mut changed = false;
    let n = b.ops.len();
    for i in 0..n {
        // (Before `coalesce_copies`, a computed guest register is still `op t,..; mov g,t`.)
        let def = match &b.ops[i] {
            Op::Mov { dst, .. } => Some(*dst),
            op => single_dst_of(op),
        };
        let Some(g) = def else { continue };
        if !matches!(b.kind(g), ValKind::Global { .. }) || !straight_line(&b.ops[i]) {
            continue;
        }
        // The flag computed from g, then the next write of g, within straight-line code.
        let mut flag = None;
        let mut redef = None;
        for j in i + 1..n.min(i + 12) {
            let op = &b.ops[j];
            if !straight_line(op) {
                break;
            }
            let mut writes_g = false;
            super::visit_defs(op, |d| writes_g |= d == g);
            if writes_g {
                redef = Some(j);
                break;
            }
            if let Op::Setcond { dst, a, b: y, .. } = *op {
                if (a == g || y == g) && is_temp(b, dst) && flag.is_none() {
                    flag = Some((j, dst));
                }
            }
        }
        let (Some((_, f)), Some(k)) = (flag, redef) else { continue };
        // The flag must be read by a branch against 0 later (what the rename is for).
        let tested = b.ops[k + 1..n.min(k + 12)]
            .iter()
            .any(|op| matches!(op, Op::Brcond { a, b: z, .. } if *a == f && is_const(b, *z, 0)));
        if !tested {
            continue;
        }
        let ty = b.ty(g);
        b.vals.push(crate::ir::ValInfo { ty, kind: ValKind::Temp });
        let t = Val(b.vals.len() as u32 - 1);
        match &mut b.ops[i] {
            Op::Mov { dst, .. } => *dst = t,
            op => {
                if let Some(d) = single_dst(op) {
                    *d = t;
                }
            }
        }
        for op in &mut b.ops[i + 1..=k] {
            super::map_uses(op, |v| {
                if *v == g {
                    *v = t;
                }
            });
        }
        changed = true;
    }
    changed
}

/// Run every rewrite once.
pub fn fuse(b: &mut Block) {
    let mut c = counts(b);
    branch_flags(b, &c);
    if flags_of_flags(b) {
        // The flags only tested are dead now.
        super::eliminate_dead(b);
        c = counts(b);
    }
    if branch_operands_renamed(b) {
        c = counts(b);
    }
    setcond_branches(b, &c);
    coalesce_copies(b, &c);
    extending_loads(b, &c);
}

/// `load t,addr,uN; ext d,t,N,signed` (t a temporary read only there) → `load d,addr,sN|uN`:
/// the load extends (x86-64 `movsx`/`movzx` from memory) instead of a load, a copy and an
/// extension.
fn extending_loads(b: &mut Block, c: &Counts) {
    let mut ops = std::mem::take(&mut b.ops);
    let mut out: Vec<Op> = Vec::with_capacity(ops.len());
    let mut i = 0;
    while i < ops.len() {
        if let [Op::Load { dst: t, addr, mem }, Op::Ext { dst, src, bits, signed }, ..] = &ops[i..] {
            if src == t
                && !mem.signed
                && mem.size < 8
                && u32::from(*bits) == u32::from(mem.size) * 8
                && is_temp(b, *t)
                && c.uses(t) == 1
                && c.defs[t.0 as usize] == 1
            {
                let mem = crate::ir::MemOp { signed: *signed, ..*mem };
                out.push(Op::Load { dst: *dst, addr: *addr, mem });
                i += 2;
                continue;
            }
        }
        out.push(take(&mut ops[i]));
        i += 1;
    }
    b.ops = out;
}

/// `mov t,0; setcond c d,a,b; brcond eq d,0 L; mov t,1; L:` → `setcond c t,a,b`.
fn branch_flags(b: &mut Block, c: &Counts) {
    let mut ops = std::mem::take(&mut b.ops);
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
        // The same flag when the branch compares directly:
        // `mov t,0; brcond c a,b L; mov t,1; L:` → `setcond !c t,a,b`.
        if let [Op::Mov { dst: t, src: z }, Op::Brcond { cond, a, b: y, label: l }, Op::Mov { dst: t2, src: one }, Op::Label(l2), ..] =
            &ops[i..]
        {
            if t == t2
                && l == l2
                && is_const(b, *z, 0)
                && is_const(b, *one, 1)
                && a != t
                && y != t
                && c.targets(l) == 1
                && b.ty(*t) == crate::ir::Ty::I32
            {
                out.push(Op::Setcond { cond: cond.invert(), dst: *t, a: *a, b: *y });
                i += 4;
                continue;
            }
        }
        out.push(take(&mut ops[i]));
        i += 1;
    }
    b.ops = out;
}

/// `setcond c d,a,b; ...; brcond eq|ne d,0 L` (d read only there, and nothing in between
/// changes a or b or branches) → `brcond c' a,b L` in place of the branch. The ops between
/// are typically a delay slot: the branch condition was computed before it.
fn setcond_branches(b: &mut Block, c: &Counts) {
    let n = b.ops.len();
    // Indices of the setconds that became branches (ascending).
    let mut fused = Vec::new();
    for i in 0..n {
        let Op::Setcond { cond, dst: d, a, b: y } = b.ops[i] else { continue };
        if !is_temp(b, d) || c.uses(&d) != 1 {
            continue;
        }
        for j in i + 1..n.min(i + 12) {
            match &b.ops[j] {
                Op::Brcond { cond: bc @ (Cond::Eq | Cond::Ne), a: d2, b: z, label } if *d2 == d => {
                    if is_const(b, *z, 0) {
                        let cc = if *bc == Cond::Ne { cond } else { cond.invert() };
                        b.ops[j] = Op::Brcond { cond: cc, a, b: y, label: *label };
                        fused.push(i);
                    }
                    break;
                }
                Op::Label(_) | Op::Br(_) | Op::Brcond { .. } | Op::Exit(_) | Op::Raise { .. } => break,
                Op::StoreState { .. } => break,
                Op::Call(ref c) if c.flags.writes_state => break,
                op => {
                    let mut clobbers = false;
                    super::visit_defs(op, |v| clobbers |= v == a || v == y || v == d);
                    if clobbers {
                        break;
                    }
                }
            }
        }
    }
    if !fused.is_empty() {
        let mut i = 0;
        let mut next = fused.iter().peekable();
        b.ops.retain(|_| {
            let gone = next.peek() == Some(&&i);
            if gone {
                next.next();
            }
            i += 1;
            !gone
        });
    }
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

fn single_dst_of(op: &Op) -> Option<Val> {
    match op {
        Op::Bin { dst, .. }
        | Op::Un { dst, .. }
        | Op::Ext { dst, .. }
        | Op::Extract { dst, .. }
        | Op::Deposit { dst, .. }
        | Op::Setcond { dst, .. }
        | Op::Movcond { dst, .. }
        | Op::Load { dst, .. }
        | Op::LoadState { dst, .. } => Some(*dst),
        _ => None,
    }
}

/// Move op `i` out of the list being rewritten (the slot keeps a cheap placeholder that is
/// never looked at again: passes only look ahead of `i`).
fn take(op: &mut Op) -> Op {
    std::mem::replace(op, Op::Br(Label(u32::MAX)))
}

/// `op t,...; mov g,t` (t read only by that mov, same type) → `op g,...`.
fn coalesce_copies(b: &mut Block, c: &Counts) {
    let mut ops = std::mem::take(&mut b.ops);
    let mut out: Vec<Op> = Vec::with_capacity(ops.len());
    let mut i = 0;
    while i < ops.len() {
        if let [first, Op::Mov { dst: g, src: t }, ..] = &ops[i..] {
            let (g, t) = (*g, *t);
            if single_dst_of(first) == Some(t)
                && is_temp(b, t)
                && c.uses(&t) == 1
                && c.defs[t.0 as usize] == 1
                && b.ty(g) == b.ty(t)
            {
                let mut op = take(&mut ops[i]);
                if let Some(d) = single_dst(&mut op) {
                    *d = g;
                }
                out.push(op);
                i += 2;
                continue;
            }
        }
        out.push(take(&mut ops[i]));
        i += 1;
    }
    b.ops = out;
}
