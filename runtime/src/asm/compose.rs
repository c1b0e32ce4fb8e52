//! Composing forms from scopes: an instruction that reads operand tables or decoder context
//! comes from the generator as a *scope* (its tokens, tables and displays over its own
//! fields), and so does each table alternative. Here every choice of alternatives is laid
//! out (tokens at byte offsets; tokens of one kind at one offset are one token, as ModRM is
//! for the instruction and its ModRM table), every choice of the shown tables' displays
//! gives one flat [`Form`], and the context becomes the form's first fields, derived
//! variables replaced by their definitions. Such forms have no evaluator: the assembler
//! checks them by disassembling (`solve_ctx.rs`). Knows no architecture.

use super::form::{BinOp, Fixed, Form, Kind, Node, Part, Seg, SegField};

/// An instruction or one table alternative, as the generator emits it.
pub struct Scope {
    /// The instruction's spec name (for an alternative, its table's).
    pub name: &'static str,
    pub segs: Vec<ScopeSeg>,
    /// Conditions its pattern puts on the context (`when(asz=0)`), over [`Node::Ctx`].
    pub ctx: Vec<Node>,
    /// Its operands' widths, by index (the index its trees' `Field`s use).
    pub widths: Vec<u32>,
    pub displays: Vec<ScopeDisplay>,
}

/// One pattern segment: a token, and tables that start where it does.
pub struct ScopeSeg {
    pub token: Option<ScopeToken>,
    pub tables: Vec<u16>,
}

pub struct ScopeToken {
    /// Which token (tokens of one kind at one offset are one).
    pub id: u16,
    /// The token with the scope's operand fields in it (`at` is 0).
    pub seg: Seg,
    /// For each of `seg.fields`, its field within the token.
    pub tfields: Vec<u16>,
}

pub struct ScopeDisplay {
    pub parts: Vec<DPart>,
    pub cond: Option<Node>,
    pub asm_only: bool,
}

/// A part of a scope's display.
pub enum DPart {
    Text(&'static str),
    /// The rest of this display is a trailing comment.
    Comment,
    /// The display of the table alternative chosen for table `t`.
    Table(u16),
    Value {
        tree: Node,
        kind: Kind,
        width: u8,
    },
    Reg {
        tree: Node,
        names: &'static [&'static str],
        width: u8,
    },
    Names {
        tree: Node,
        names: Vec<(u64, &'static str)>,
        width: u8,
    },
}

/// What a variant gives the composer.
pub struct ScopeSet {
    pub insns: Vec<Scope>,
    /// Each table's alternatives.
    pub tables: Vec<Vec<Scope>>,
    /// Each context variable's derivation over the others, or None for a base variable.
    pub derived: Vec<Option<Node>>,
}

/// Layouts per instruction (choices of table alternatives) beyond which the rest are left
/// out, and likewise forms.
const MAX_LAYOUTS: usize = 1024;
const MAX_FORMS: usize = 4096;

/// A token placed at a byte offset.
#[derive(Clone)]
struct Place {
    at: u32,
    id: u16,
    bytes: u8,
    order: Option<bool>,
    little: (u64, u64, Vec<(u64, u64)>),
    big: (u64, u64, Vec<(u64, u64)>),
}

/// A scope placed in a layout: where its segments' tokens went, and the scope chosen for
/// each of its tables.
#[derive(Clone)]
struct Placed<'a> {
    scope: &'a Scope,
    seg_place: Vec<Option<usize>>,
    children: Vec<(u16, usize)>,
}

#[derive(Clone)]
struct Layout<'a> {
    places: Vec<Place>,
    scopes: Vec<Placed<'a>>,
}

fn merge(into: &mut (u64, u64, Vec<(u64, u64)>), f: &Fixed) -> bool {
    let clash = (into.1 ^ f.value) & into.0 & f.mask != 0;
    into.0 |= f.mask;
    into.1 |= f.value & f.mask;
    into.2.extend(f.not.iter().copied());
    !clash
}

impl Layout<'_> {
    /// Put `tok` at `at`; false when its fixed bits contradict a token already there.
    fn place(&mut self, at: u32, tok: &ScopeToken) -> Option<usize> {
        let i = match self.places.iter().position(|p| p.at == at && p.id == tok.id) {
            Some(i) => i,
            None => {
                self.places.push(Place {
                    at,
                    id: tok.id,
                    bytes: tok.seg.bytes,
                    order: tok.seg.order,
                    little: (0, 0, Vec::new()),
                    big: (0, 0, Vec::new()),
                });
                self.places.len() - 1
            }
        };
        let p = &mut self.places[i];
        let ok = merge(&mut p.little, &tok.seg.little) & merge(&mut p.big, &tok.seg.big);
        let forbidden = |f: &(u64, u64, Vec<(u64, u64)>)| f.2.iter().any(|&(m, v)| m & f.0 == m && f.1 & m == v);
        (ok && !forbidden(&p.little) && !forbidden(&p.big)).then_some(i)
    }
}

/// Every layout of `scope` at byte `at` added to `base`: (layout, the scope's index in it,
/// where it ends).
fn layouts<'a>(set: &'a ScopeSet, scope: &'a Scope, at: u32, base: Layout<'a>) -> Vec<(Layout<'a>, usize, u32)> {
    let mut lay = base;
    let me = lay.scopes.len();
    lay.scopes.push(Placed { scope, seg_place: vec![None; scope.segs.len()], children: Vec::new() });
    let mut states = vec![(lay, at)];
    for (si, seg) in scope.segs.iter().enumerate() {
        let mut next = Vec::new();
        for (mut lay, start) in states {
            let mut end = start;
            if let Some(tok) = &seg.token {
                let Some(p) = lay.place(start, tok) else { continue };
                lay.scopes[me].seg_place[si] = Some(p);
                end = start + tok.seg.bytes as u32;
            }
            let mut partial = vec![(lay, end)];
            for &t in &seg.tables {
                let mut grown = Vec::new();
                for (lay, end) in partial {
                    for alt in set.tables.get(t as usize).into_iter().flatten() {
                        for (mut l, child, alt_end) in layouts(set, alt, start, lay.clone()) {
                            l.scopes[me].children.push((t, child));
                            grown.push((l, end.max(alt_end)));
                        }
                    }
                    if grown.len() > MAX_LAYOUTS {
                        break;
                    }
                }
                partial = grown;
            }
            next.extend(partial);
        }
        next.truncate(MAX_LAYOUTS);
        states = next;
    }
    states.into_iter().map(|(l, end)| (l, me, end)).collect()
}

/// A tree with a scope's fields and the context replaced by the form's fields.
fn remap(n: &Node, field: &dyn Fn(u16) -> Node, ctx: &dyn Fn(u16) -> Node) -> Node {
    let r = |x: &Node| Box::new(remap(x, field, ctx));
    match n {
        Node::Field(k) => field(*k),
        Node::Ctx(c) => ctx(*c),
        Node::Neg(a) => Node::Neg(r(a)),
        Node::Not(a) => Node::Not(r(a)),
        Node::Bin(op, a, b) => Node::Bin(*op, r(a), r(b)),
        Node::Concat(a, b, w) => Node::Concat(r(a), r(b), *w),
        Node::Sext(a, w) => Node::Sext(r(a), *w),
        Node::Zext(a) => Node::Zext(r(a)),
        Node::Cond(c, a, b) => Node::Cond(r(c), r(a), r(b)),
        Node::Const(x) => Node::Const(*x),
        Node::Pc => Node::Pc,
        Node::NextPc => Node::NextPc,
        Node::Opaque => Node::Opaque,
    }
}

/// The composer's view of one layout: its fields and how trees read them.
struct Fields<'a> {
    set: &'a ScopeSet,
    base: &'a [usize],
    /// (place, field within the token), in form-field order after the context.
    list: Vec<(usize, u16)>,
}

impl Fields<'_> {
    fn ctx(&self, c: u16) -> Node {
        match self.base.iter().position(|&b| b == c as usize) {
            Some(k) => Node::Field(k as u16),
            None => match self.set.derived.get(c as usize) {
                Some(Some(d)) => remap(d, &|_| Node::Opaque, &|x| self.ctx(x)),
                _ => Node::Opaque,
            },
        }
    }

    /// Form field of operand `k` of placed scope `p`.
    fn field(&self, lay: &Layout, p: usize, k: u16) -> Node {
        let s = &lay.scopes[p];
        for (si, seg) in s.scope.segs.iter().enumerate() {
            let Some(tok) = &seg.token else { continue };
            if let Some(j) = tok.seg.fields.iter().position(|f| f.field == k) {
                let Some(place) = s.seg_place[si] else { break };
                if let Some(i) = self.list.iter().position(|&x| x == (place, tok.tfields[j])) {
                    return Node::Field((self.base.len() + i) as u16);
                }
            }
        }
        Node::Opaque
    }

    fn tree(&self, lay: &Layout, p: usize, n: &Node) -> Node {
        remap(n, &|k| self.field(lay, p, k), &|c| self.ctx(c))
    }
}

/// A form being rendered.
#[derive(Clone, Default)]
struct Flat {
    parts: Vec<Part>,
    widths: Vec<u8>,
    conds: Vec<Node>,
    in_ops: bool,
    done: bool,
}

impl Flat {
    fn text(&mut self, t: &'static str) {
        let mut t = t;
        if !self.in_ops {
            if let Some(i) = t.find(' ') {
                if i > 0 {
                    self.parts.push(Part::Text(&t[..i]));
                }
                self.parts.push(Part::Sep);
                self.in_ops = true;
                t = t[i..].trim_start();
            }
        }
        if !t.is_empty() {
            self.parts.push(Part::Text(t));
        }
    }

    fn value(&mut self, part: Part, width: u8) {
        self.parts.push(part);
        self.widths.push(width);
    }
}

/// Render display `d` of placed scope `p` onto each state: one result per choice of the
/// displays of the tables it shows.
fn render(fx: &Fields, lay: &Layout, p: usize, d: &ScopeDisplay, mut states: Vec<Flat>) -> Vec<Flat> {
    let s = &lay.scopes[p];
    // The disassembler shows the first display whose condition holds: this one's must, and
    // none of those before it (a display after one without a condition is never shown).
    let mut conds = Vec::new();
    if !d.asm_only {
        for before in s.scope.displays.iter().take_while(|x| !std::ptr::eq(*x, d)).filter(|x| !x.asm_only) {
            match &before.cond {
                Some(c) => conds.push(Node::bin(BinOp::Eq, fx.tree(lay, p, c), Node::Const(0))),
                None => return Vec::new(),
            }
        }
    }
    if let Some(c) = &d.cond {
        conds.push(fx.tree(lay, p, c));
    }
    for st in &mut states {
        st.conds.extend(conds.iter().cloned());
    }
    for part in &d.parts {
        let live = |st: &&mut Flat| !st.done;
        match part {
            DPart::Comment => states.iter_mut().for_each(|st| st.done = true),
            DPart::Text(t) => states.iter_mut().filter(live).for_each(|st| st.text(t)),
            DPart::Table(t) => {
                let Some(&(_, child)) = s.children.iter().find(|(tt, _)| tt == t) else { return Vec::new() };
                let mut next = Vec::new();
                for st in states {
                    if st.done {
                        next.push(st);
                        continue;
                    }
                    for cd in lay.scopes[child].scope.displays.iter().filter(|d| !d.asm_only) {
                        // A `{#}` in the table's display ends that display only.
                        for mut r in render(fx, lay, child, cd, vec![st.clone()]) {
                            r.done = false;
                            next.push(r);
                        }
                    }
                    if next.len() > MAX_FORMS {
                        break;
                    }
                }
                states = next;
            }
            DPart::Value { tree, kind, width } => {
                for st in states.iter_mut().filter(live) {
                    let value = st.widths.len() as u16;
                    st.value(Part::Value { value, tree: fx.tree(lay, p, tree), kind: *kind }, *width);
                }
            }
            DPart::Reg { tree, names, width } => {
                for st in states.iter_mut().filter(live) {
                    let value = st.widths.len() as u16;
                    st.value(Part::Reg { value, tree: fx.tree(lay, p, tree), names }, *width);
                }
            }
            DPart::Names { tree, names, width } => {
                for st in states.iter_mut().filter(live) {
                    let value = st.widths.len() as u16;
                    st.value(Part::Names { value, tree: fx.tree(lay, p, tree), names: names.clone() }, *width);
                }
            }
        }
    }
    states
}

/// The forms of every scope instruction of `set`; `base_widths` are the base context
/// variables' widths, in order.
pub fn compose(set: &ScopeSet, base_widths: &[u32]) -> Vec<Form> {
    let base: Vec<usize> = (0..set.derived.len()).filter(|&i| set.derived[i].is_none()).collect();
    let mut out = Vec::new();
    for ins in &set.insns {
        let start = out.len();
        for (lay, me, _) in layouts(set, ins, 0, Layout { places: Vec::new(), scopes: Vec::new() }) {
            // The fields: each token field an operand of a placed scope names, once.
            let mut list = Vec::new();
            let mut widths: Vec<u32> = base_widths.to_vec();
            for s in &lay.scopes {
                for (si, seg) in s.scope.segs.iter().enumerate() {
                    let (Some(tok), Some(place)) = (&seg.token, s.seg_place[si]) else { continue };
                    for (j, f) in tok.seg.fields.iter().enumerate() {
                        if !list.contains(&(place, tok.tfields[j])) {
                            list.push((place, tok.tfields[j]));
                            widths.push(s.scope.widths.get(f.field as usize).copied().unwrap_or(64));
                        }
                    }
                }
            }
            let fx = Fields { set, base: &base, list };
            let segs: Vec<Seg> = lay
                .places
                .iter()
                .enumerate()
                .map(|(pi, pl)| {
                    let mut fields = Vec::new();
                    for s in &lay.scopes {
                        for (si, seg) in s.scope.segs.iter().enumerate() {
                            let Some(tok) = &seg.token else { continue };
                            if s.seg_place[si] != Some(pi) {
                                continue;
                            }
                            for (j, f) in tok.seg.fields.iter().enumerate() {
                                let Some(k) = fx.list.iter().position(|&x| x == (pi, tok.tfields[j])) else { continue };
                                let k = (base.len() + k) as u16;
                                if !fields.iter().any(|x: &SegField| x.field == k) {
                                    fields.push(SegField { field: k, little: f.little.clone(), big: f.big.clone() });
                                }
                            }
                        }
                    }
                    let fixed = |f: &(u64, u64, Vec<(u64, u64)>)| Fixed { mask: f.0, value: f.1, not: f.2.clone() };
                    Seg {
                        at: pl.at as u8,
                        bytes: pl.bytes,
                        order: pl.order,
                        little: fixed(&pl.little),
                        big: fixed(&pl.big),
                        fields,
                    }
                })
                .collect();
            let ctx_conds: Vec<Node> = lay
                .scopes
                .iter()
                .enumerate()
                .flat_map(|(p, s)| s.scope.ctx.iter().map(move |c| (p, c)))
                .map(|(p, c)| fx.tree(&lay, p, c))
                .collect();
            for d in &ins.displays {
                for st in render(&fx, &lay, me, d, vec![Flat::default()]) {
                    let mut conds = ctx_conds.clone();
                    conds.extend(st.conds);
                    let cond = conds.into_iter().reduce(|a, b| Node::bin(BinOp::LAnd, a, b));
                    let k = st.widths.len() as u16;
                    out.push(Form {
                        insn: ins.name,
                        asm_only: d.asm_only,
                        parts: st.parts,
                        cond: cond.map(|c| (k, c)),
                        nfields: widths.len(),
                        widths: widths.clone(),
                        value_widths: st.widths,
                        segs: segs.clone(),
                        nctx: base.len(),
                        eval: None,
                    });
                }
                if out.len() - start > MAX_FORMS {
                    break;
                }
            }
        }
    }
    out
}
