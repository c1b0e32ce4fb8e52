//! From operand values to field values: each display value's expression tree is inverted
//! for the field it leaves unknown (`pc + 4 + (sext(imm) << 2)` gives `imm`), conditions
//! fill the fields no operand names (`move` is `or` with `rt == 0`), the pattern fixes the
//! rest, and the form's exact evaluator then checks every value: a solution is only
//! accepted when the instruction displays the operands it was given. Owns no syntax and no
//! architecture.

pub(super) use super::form::ones;
use super::form::{encode, fill_fixed, fill_unknown, sext, BinOp, DecodedFn, Form, Kind, Node, Part};

/// Why a form did not encode the operands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Miss {
    /// Operand `operand` (its index among the form's values) cannot be encoded: out of
    /// range, misaligned, or out of the instruction's reach.
    Value { value: u16 },
    /// The display's condition does not hold (another form is meant).
    Cond,
    /// The pattern forbids these field values, or the bytes decode as another instruction
    /// (a more specific pattern, or decoder context that does not hold).
    Encoding,
}

pub(super) struct Cx<'a> {
    pub f: &'a mut [Option<u64>],
    /// The width of the value being solved for.
    pub w: u32,
    pub widths: &'a [u32],
    pub pc: u64,
    pub npc: u64,
}

impl Cx<'_> {
    /// `n`'s value with the fields known so far (wrapping 64-bit arithmetic; the exact
    /// check comes later), or None.
    pub fn eval(&self, n: &Node) -> Option<u64> {
        Some(match n {
            Node::Const(c) => *c,
            Node::Field(k) => (*self.f.get(*k as usize)?)?,
            Node::Pc => self.pc,
            Node::NextPc => self.npc,
            Node::Neg(a) => self.eval(a)?.wrapping_neg(),
            Node::Not(a) => !self.eval(a)?,
            Node::Sext(a, w) => sext(self.eval(a)?, *w) as u64,
            Node::Zext(a) => self.eval(a)?,
            Node::Concat(a, b, w) => (self.eval(a)? << (*w).min(63)) | (self.eval(b)? & ones(*w)),
            Node::Bin(op, a, b) => {
                let (x, y) = (self.eval(a)?, self.eval(b)?);
                match op {
                    BinOp::Add => x.wrapping_add(y),
                    BinOp::Sub => x.wrapping_sub(y),
                    BinOp::Mul => x.wrapping_mul(y),
                    BinOp::And => x & y,
                    BinOp::Or => x | y,
                    BinOp::Xor => x ^ y,
                    BinOp::Shl => x.checked_shl(y as u32).unwrap_or(0),
                    BinOp::Shr => x.checked_shr(y as u32).unwrap_or(0),
                    BinOp::Eq => (x == y) as u64,
                    BinOp::Ne => (x != y) as u64,
                    BinOp::Lt => (x < y) as u64,
                    BinOp::Le => (x <= y) as u64,
                    BinOp::Gt => (x > y) as u64,
                    BinOp::Ge => (x >= y) as u64,
                    BinOp::LAnd => (x != 0 && y != 0) as u64,
                    BinOp::LOr => (x != 0 || y != 0) as u64,
                }
            }
            Node::Cond(c, a, b) => {
                if self.eval(c)? != 0 {
                    self.eval(a)?
                } else {
                    self.eval(b)?
                }
            }
            Node::Opaque | Node::Ctx(_) => return None,
        })
    }

    /// Whether `x` and `t` agree in the bits of the value being solved for.
    fn same(&self, x: u64, t: u64) -> bool {
        (x ^ t) & ones(self.w) == 0
    }

    /// The width of `n` when it is plain (a field, an extension's source).
    fn width(&self, n: &Node) -> Option<u32> {
        match n {
            Node::Field(k) => self.widths.get(*k as usize).copied(),
            Node::Zext(a) => self.width(a),
            Node::Sext(_, w) => Some(*w),
            Node::Concat(a, _, w) => Some(self.width(a)? + w),
            Node::Bin(BinOp::Shl, a, b) => Some(self.width(a)? + self.eval(b)? as u32),
            _ => None,
        }
    }

    /// Set the unknown fields of `n` so that it is `t`, where it can be inverted. True when a
    /// field was set.
    pub fn solve(&mut self, n: &Node, t: u64) -> bool {
        match n {
            Node::Field(k) => {
                let w = self.widths.get(*k as usize).copied().unwrap_or(64);
                match self.f.get_mut(*k as usize) {
                    Some(slot @ None) => {
                        *slot = Some(t & ones(w));
                        true
                    }
                    _ => false,
                }
            }
            Node::Neg(a) => self.solve(a, t.wrapping_neg()),
            Node::Not(a) => self.solve(a, !t),
            Node::Sext(a, _) | Node::Zext(a) => self.solve(a, t),
            Node::Concat(a, b, w) => {
                let low = self.eval(b).is_none() && self.solve(b, t & ones(*w));
                let high = self.eval(a).is_none() && self.solve(a, t.checked_shr(*w).unwrap_or(0));
                low || high
            }
            Node::Bin(op, a, b) => {
                let (x, y) = (self.eval(a), self.eval(b));
                match (op, x, y) {
                    (BinOp::Add, Some(x), None) => self.solve(b, t.wrapping_sub(x)),
                    (BinOp::Add, None, Some(y)) => self.solve(a, t.wrapping_sub(y)),
                    (BinOp::Sub, None, Some(y)) => self.solve(a, t.wrapping_add(y)),
                    (BinOp::Sub, Some(x), None) => self.solve(b, x.wrapping_sub(t)),
                    (BinOp::Xor, Some(x), None) => self.solve(b, t ^ x),
                    (BinOp::Xor, None, Some(y)) => self.solve(a, t ^ y),
                    (BinOp::Or, Some(x), None) => self.solve(b, t & !x),
                    (BinOp::Or, None, Some(y)) => self.solve(a, t & !y),
                    (BinOp::And, None, Some(_)) => self.solve(a, t),
                    (BinOp::And, Some(_), None) => self.solve(b, t),
                    (BinOp::Shl, None, Some(k)) => self.solve(a, t.checked_shr(k as u32).unwrap_or(0)),
                    (BinOp::Shr, None, Some(k)) => self.solve(a, t.checked_shl(k as u32).unwrap_or(0)),
                    (BinOp::Mul, None, Some(c)) if c != 0 => self.solve(a, t / c),
                    (BinOp::Mul, Some(c), None) if c != 0 => self.solve(b, t / c),
                    // A comparison made true (`(asz == 2) :: rex_b :: rm` naming %rax), or
                    // false (`%eax`).
                    (BinOp::Eq, None, Some(y)) if t & 1 == 1 => self.solve(a, y),
                    (BinOp::Eq, Some(x), None) if t & 1 == 1 => self.solve(b, x),
                    (BinOp::Eq, None, Some(y)) => self.differ(a, y),
                    (BinOp::Eq, Some(x), None) => self.differ(b, x),
                    // Two unknown sides of a sum or union of bit ranges: the right one takes
                    // the low bits its width covers, then the left one the rest.
                    (BinOp::Add | BinOp::Or | BinOp::Xor, None, None) => match self.width(b) {
                        Some(w) if self.solve(b, t & ones(w)) => {
                            self.solve(n, t);
                            true
                        }
                        _ => false,
                    },
                    _ => false,
                }
            }
            // Either branch, with the condition made to choose it.
            Node::Cond(c, a, b) => {
                for (branch, want) in [(a, true), (b, false)] {
                    let saved = self.f.to_vec();
                    let produced = match self.eval(branch) {
                        Some(x) => self.same(x, t),
                        None => self.solve(branch, t) && self.eval(branch).is_some_and(|x| self.same(x, t)),
                    };
                    if produced {
                        if self.eval(c).is_none() {
                            if want {
                                self.assign(c);
                            } else {
                                self.falsify(c);
                            }
                        }
                        if self.eval(c).is_some_and(|v| (v != 0) == want) {
                            return true;
                        }
                    }
                    self.f.copy_from_slice(&saved);
                }
                false
            }
            Node::Const(_) | Node::Pc | Node::NextPc | Node::Opaque | Node::Ctx(_) => false,
        }
    }

    /// Fields a condition names that no operand set: `a == b` and `a == CONST` set them;
    /// of `x || y`, the first is taken.
    pub fn assign(&mut self, n: &Node) {
        match n {
            // What must hold before what must not: the negations (a display's "none of
            // the displays before") then only choose among the values left.
            Node::Bin(BinOp::LAnd, ..) => {
                let mut all = Vec::new();
                conjuncts(n, &mut all);
                let negated =
                    |c: &Node| matches!(c, Node::Bin(BinOp::Eq, a, b) if is_bool(a) && matches!(**b, Node::Const(0)));
                for c in all.iter().filter(|c| !negated(c)) {
                    self.assign(c);
                }
                for c in all.iter().filter(|c| negated(c)) {
                    self.assign(c);
                }
            }
            Node::Bin(BinOp::LOr, a, _) => self.assign(a),
            // `!(x)`, as the generator writes a display's "none of the displays before".
            Node::Bin(BinOp::Eq, a, b) if is_bool(a) && self.eval(b) == Some(0) => self.falsify(a),
            Node::Bin(BinOp::Eq, a, b) => match (self.eval(a), self.eval(b)) {
                (None, Some(y)) => {
                    self.solve(a, y);
                }
                (Some(x), None) => {
                    self.solve(b, x);
                }
                _ => {}
            },
            _ => {}
        }
    }
}

impl Cx<'_> {
    /// Solve each wanted value's tree for its target, again while that sets fields (one
    /// value's field may be what another's tree needs known).
    pub fn solve_wants(&mut self, form: &Form, wants: &[(u16, Kind, u64)]) {
        loop {
            let mut progress = false;
            for &(k, _, t) in wants {
                if let Some(tree) = tree_of(form, k) {
                    self.w = form.value_widths.get(k as usize).copied().unwrap_or(64) as u32;
                    if self.eval(tree).is_none() {
                        progress |= self.solve(tree, t);
                    }
                }
            }
            if !progress {
                break;
            }
        }
    }

    /// Set the unknown fields of `n` so that it is anything but `y`: the first of a few
    /// small values, zero (the default) first, that it can be made (`asz != 2` is 32-bit
    /// addressing, 1). True when it was.
    pub fn differ(&mut self, n: &Node, y: u64) -> bool {
        // Its unknown fields at their defaults (zero) may do already (`asz != 2` in 32-bit
        // code, with no address-size prefix).
        let saved = self.f.to_vec();
        let mut unknown = Vec::new();
        n.fields(&mut unknown);
        for k in unknown {
            if let Some(slot @ None) = self.f.get_mut(k as usize) {
                *slot = Some(0);
            }
        }
        if self.eval(n).is_some_and(|v| v != y) {
            return true;
        }
        self.f.copy_from_slice(&saved);
        for cand in [0, 1, 2, 3, 4, 5, 6, 7, y ^ 1] {
            if cand == y {
                continue;
            }
            let saved = self.f.to_vec();
            if self.solve(n, cand) && self.eval(n).is_some_and(|v| v != y) {
                return true;
            }
            self.f.copy_from_slice(&saved);
        }
        false
    }

    /// Fields a condition names that no operand set, chosen to make it false: `a == b` by
    /// another value, `a != b` by an equal one; of `x && y` one side, of `x || y` both.
    pub fn falsify(&mut self, n: &Node) {
        match n {
            Node::Bin(BinOp::Eq, a, b) if is_bool(a) && self.eval(b) == Some(0) => self.assign(a),
            // One false side is enough: one already false, else the first that is unknown.
            Node::Bin(BinOp::LAnd, a, b) => {
                if self.eval(a) == Some(0) || self.eval(b) == Some(0) {
                    return;
                }
                if self.eval(a).is_none() {
                    self.falsify(a);
                    if self.eval(a) == Some(0) {
                        return;
                    }
                }
                if self.eval(b).is_none() {
                    self.falsify(b);
                }
            }
            Node::Bin(BinOp::LOr, a, b) => {
                self.falsify(a);
                self.falsify(b);
            }
            // `a != b` made false: an equal value, through any tree that inverts.
            Node::Bin(BinOp::Ne, a, b) => match (self.eval(a), self.eval(b)) {
                (None, Some(y)) => {
                    self.solve(a, y);
                }
                (Some(x), None) => {
                    self.solve(b, x);
                }
                _ => {}
            },
            Node::Bin(BinOp::Eq, a, b) => match (self.eval(a), self.eval(b)) {
                (None, Some(y)) => {
                    self.differ(a, y);
                }
                (Some(x), None) => {
                    self.differ(b, x);
                }
                _ => {}
            },
            _ => {}
        }
    }
}

/// The sides of a chain of `&&`.
fn conjuncts<'n>(n: &'n Node, out: &mut Vec<&'n Node>) {
    match n {
        Node::Bin(BinOp::LAnd, a, b) => {
            conjuncts(a, out);
            conjuncts(b, out);
        }
        _ => out.push(n),
    }
}

/// Whether `n` is a truth value (a comparison or a logical operation).
fn is_bool(n: &Node) -> bool {
    matches!(
        n,
        Node::Bin(BinOp::Eq | BinOp::Ne | BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge | BinOp::LAnd | BinOp::LOr, ..)
    )
}

/// The tree of value `k` of `form`.
pub(crate) fn tree_of(form: &Form, k: u16) -> Option<&Node> {
    form.parts.iter().find_map(|p| match p {
        Part::Value { value, tree, .. } | Part::Reg { value, tree, .. } | Part::Names { value, tree, .. }
            if *value == k =>
        {
            Some(tree)
        }
        _ => None,
    })
}

/// Whether `t` is a value a `kind` operand of `w` bits may be written as: a signed number
/// in the signed range (so `li a0,0xa656` is `ori`, not an `addiu` of -22954), an unsigned
/// one in the unsigned range or as a negative number (`addmi a4,a5,-256`, which objdump
/// shows as 0xffffff00).
pub(super) fn fits(t: u64, w: u32, kind: Kind) -> bool {
    if w >= 64 {
        return true;
    }
    let s = t as i64;
    let signed_ok = s >= -(1i64 << (w - 1)) && s < (1i64 << (w - 1));
    let unsigned_ok = t <= ones(w);
    match kind {
        Kind::Signed => signed_ok,
        Kind::Unsigned => unsigned_ok || (signed_ok && s < 0),
        Kind::Address => unsigned_ok,
    }
}

/// Encode `form` at `pc` so that each value `k` is `target` (`wants`: (k, kind, target)).
pub fn solve_form(
    form: &Form,
    wants: &[(u16, Kind, u64)],
    pc: u64,
    big_endian: bool,
    decoded: DecodedFn,
) -> Result<Vec<u8>, Miss> {
    if form.eval.is_none() {
        return Err(Miss::Encoding);
    }
    let len = form.len() as u64;
    let mut fields = vec![None; form.nfields];
    fill_fixed(form, &mut fields, big_endian);
    let mut cx = Cx { f: &mut fields, w: 64, widths: &form.widths, pc, npc: pc.wrapping_add(len) };
    cx.solve_wants(form, wants);
    if let Some((_, tree)) = &form.cond {
        cx.assign(tree);
    }
    fill_unknown(form, &mut fields, big_endian);
    let vals: Vec<u64> = fields.iter().map(|v| v.unwrap_or(0)).collect();
    let npc = pc.wrapping_add(len);
    for &(k, kind, t) in wants {
        let w = form.value_widths.get(k as usize).copied().unwrap_or(64) as u32;
        if !fits(t, w, kind) || form.value(k as usize, &vals, pc, npc) != Some(t & ones(w)) {
            return Err(Miss::Value { value: k });
        }
    }
    if let Some((k, _)) = &form.cond {
        if form.value(*k as usize, &vals, pc, npc).unwrap_or(0) == 0 {
            return Err(Miss::Cond);
        }
    }
    let bytes = encode(form, &vals, big_endian).ok_or(Miss::Encoding)?;
    if decoded(&bytes, big_endian) != Some((bytes.len(), form.insn)) {
        return Err(Miss::Encoding);
    }
    Ok(bytes)
}
