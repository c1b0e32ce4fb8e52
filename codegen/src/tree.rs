//! Decision trees over fixed encoding bits, and the overlapping-encodings check.
//! A tree switches on bits that every remaining candidate fixes (decodetree's idea); leaves
//! hold candidates in priority order (more fixed bits first) and re-check everything.

use crate::diag::Diagnostic;
use crate::model::*;
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// Where a tree node reads its bits: the context word or the token window at a position.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Src {
    /// Window of `bytes` bytes at byte offset `offset` (after prefixes).
    Win {
        offset: u32,
        bytes: u32,
        be: bool,
    },
    Ctx,
}

#[derive(Debug, Clone)]
pub enum Node {
    Switch { src: Src, mask: u64, arms: Vec<(u64, Node)>, default: Box<Node> },
    Leaf(Vec<usize>),
}

/// One `!=` constraint: byte-level (mask, value) pairs, and a context mask and value.
pub type Exclusion = (Vec<(u8, u8)>, u64, u64);

/// Static constraints of one candidate, per byte order.
#[derive(Debug, Clone)]
pub struct Cand {
    /// Per static position: (byte offset, token bytes, token is BE, mask, value) in token bits.
    pub pos: Vec<(u32, u32, bool, u64, u64)>,
    /// Byte-level view of the static bytes: (mask, value) per byte.
    pub bytes: Vec<(u8, u8)>,
    pub ctx_mask: u64,
    pub ctx_val: u64,
    /// Exclusions: `!=` constraints, each ruling out the words where it matches.
    pub excl: Vec<Exclusion>,
    pub fixed_bits: u32,
}

/// Bit offset of each context variable in the context word.
pub fn ctx_layout(v: &Variant) -> Vec<u32> {
    let mut off = 0;
    v.context
        .iter()
        .map(|c| {
            let o = off;
            off += c.width;
            o
        })
        .collect()
}

fn token_bytes(width_bytes: u32, be: bool, mask: u64, val: u64) -> Vec<(u8, u8)> {
    (0..width_bytes)
        .map(|i| {
            let shift = if be { (width_bytes - 1 - i) * 8 } else { i * 8 };
            (((mask >> shift) & 0xff) as u8, ((val >> shift) & 0xff) as u8)
        })
        .collect()
}

pub fn candidate(v: &Variant, p: &Pattern, core_be: bool) -> Cand {
    let layout = ctx_layout(v);
    let mut c = Cand { pos: vec![], bytes: vec![], ctx_mask: 0, ctx_val: 0, excl: vec![], fixed_bits: 0 };
    let mut offset = 0u32;
    for seg in p.segments.iter().take(p.static_len()) {
        let Some(t) = seg.token else { break };
        let tok = &v.tokens[t];
        let be = tok.is_be(core_be);
        let (mut m, mut val) = (0u64, 0u64);
        for fc in &seg.constraints {
            let f = &tok.fields[fc.field];
            let (fm, fv) = f.encode(be, fc.value);
            if fc.equal {
                m |= fm;
                val = (val & !fm) | fv;
            } else {
                let mut bytes = vec![(0u8, 0u8); c.bytes.len()];
                bytes.extend(token_bytes(tok.bytes(), be, fm, fv));
                c.excl.push((bytes, 0, 0));
            }
        }
        c.pos.push((offset, tok.bytes(), be, m, val));
        c.bytes.extend(token_bytes(tok.bytes(), be, m, val));
        c.fixed_bits += m.count_ones();
        offset += tok.bytes();
        if !seg.tables.is_empty() {
            break;
        }
    }
    for &(ci, eq, value) in &p.ctx {
        let w = v.context[ci].width;
        let m = ones(w) << layout[ci];
        let val = value << layout[ci];
        if eq {
            c.ctx_mask |= m;
            c.ctx_val = (c.ctx_val & !m) | val;
            c.fixed_bits += w;
        } else {
            c.excl.push((vec![], m, val));
        }
    }
    c
}

/// Build the tree for `cands` (indices into `all`), given in priority order.
pub fn build(all: &[Cand], order: Vec<usize>) -> Node {
    let mut tested = BTreeMap::new();
    build_rec(all, order, &mut tested, 0)
}

fn window_of(all: &[Cand], cands: &[usize], p: usize) -> Option<Src> {
    // Position p is usable when every candidate that reads it agrees on its offset.
    let mut off = None;
    let mut bytes = 0;
    let mut be = false;
    for &c in cands {
        if let Some(&(o, b, e, _, _)) = all[c].pos.get(p) {
            match off {
                None => off = Some(o),
                Some(x) if x != o => return None,
                _ => {}
            }
            if b > bytes {
                bytes = b;
                be = e;
            }
        }
    }
    off.map(|offset| Src::Win { offset, bytes, be })
}

/// A candidate's mask and value within a window source.
pub fn cand_in(c: &Cand, src: Src) -> (u64, u64) {
    match src {
        Src::Ctx => (c.ctx_mask, c.ctx_val),
        Src::Win { offset, bytes, be } => {
            let mut m = 0u64;
            let mut v = 0u64;
            for i in 0..bytes {
                let Some(&(bm, bv)) = c.bytes.get((offset + i) as usize) else { continue };
                let shift = if be { (bytes - 1 - i) * 8 } else { i * 8 };
                m |= (bm as u64) << shift;
                v |= (bv as u64) << shift;
            }
            (m, v)
        }
    }
}

fn build_rec(all: &[Cand], cands: Vec<usize>, tested: &mut BTreeMap<Src, u64>, depth: u32) -> Node {
    if cands.len() <= 1 || depth > 24 {
        return Node::Leaf(cands);
    }
    let maxpos = cands.iter().map(|&c| all[c].pos.len()).max().unwrap_or(0);
    let mut srcs: Vec<Src> = (0..maxpos).filter_map(|p| window_of(all, &cands, p)).collect();
    srcs.push(Src::Ctx);
    for src in srcs {
        let t = tested.get(&src).copied().unwrap_or(0);
        let mut common: Option<u64> = None;
        let mut n = 0;
        for &c in &cands {
            let (m, _) = cand_in(&all[c], src);
            let m = m & !t;
            if m != 0 {
                n += 1;
                common = Some(common.map_or(m, |x| x & m));
            }
        }
        let Some(mask) = common else { continue };
        if mask == 0 || n < 2 {
            continue;
        }
        let mut values: Vec<u64> = Vec::new();
        let mut wild = Vec::new();
        for &c in &cands {
            let (m, v) = cand_in(&all[c], src);
            if m & mask == mask {
                if !values.contains(&(v & mask)) {
                    values.push(v & mask);
                }
            } else {
                wild.push(c);
            }
        }
        values.sort();
        let mut arms = Vec::new();
        tested.insert(src, t | mask);
        for val in values {
            let sub: Vec<usize> = cands
                .iter()
                .copied()
                .filter(|&c| {
                    let (m, v) = cand_in(&all[c], src);
                    m & mask != mask || v & mask == val
                })
                .collect();
            arms.push((val, build_rec(all, sub, tested, depth + 1)));
        }
        let default = Box::new(build_rec(all, wild, tested, depth + 1));
        tested.insert(src, t);
        return Node::Switch { src, mask, arms, default };
    }
    Node::Leaf(cands)
}

/// Candidates in priority order: more fixed bits first, then declaration order.
pub fn priority(all: &[Cand]) -> Vec<usize> {
    let mut idx: Vec<usize> = (0..all.len()).collect();
    idx.sort_by_key(|&i| (std::cmp::Reverse(all[i].fixed_bits), i));
    idx
}

fn compatible(a: &Cand, b: &Cand) -> bool {
    let n = a.bytes.len().min(b.bytes.len());
    for i in 0..n {
        let (am, av) = a.bytes[i];
        let (bm, bv) = b.bytes[i];
        if (av ^ bv) & am & bm != 0 {
            return false;
        }
    }
    (a.ctx_val ^ b.ctx_val) & a.ctx_mask & b.ctx_mask == 0
}

/// Whether the union of both candidates' fixed bits forces one exclusion to hold.
fn excluded(a: &Cand, b: &Cand) -> bool {
    let n = a.bytes.len().max(b.bytes.len());
    let comb: Vec<(u8, u8)> = (0..n)
        .map(|i| {
            let (am, av) = a.bytes.get(i).copied().unwrap_or((0, 0));
            let (bm, bv) = b.bytes.get(i).copied().unwrap_or((0, 0));
            (am | bm, (av & am) | (bv & bm))
        })
        .collect();
    let cm = a.ctx_mask | b.ctx_mask;
    let cv = (a.ctx_val & a.ctx_mask) | (b.ctx_val & b.ctx_mask);
    for (eb, em, ev) in a.excl.iter().chain(b.excl.iter()) {
        let bytes_forced = eb
            .iter()
            .enumerate()
            .all(|(i, &(m, v))| m == 0 || comb.get(i).is_some_and(|&(cm8, cv8)| cm8 & m == m && cv8 & m == v));
        let ctx_forced = *em == 0 || (cm & em == *em && cv & em == *ev);
        if bytes_forced && ctx_forced && (eb.iter().any(|&(m, _)| m != 0) || *em != 0) {
            return true;
        }
    }
    disjoint_by_enumeration(a, b, &comb, cm, cv)
}

/// Exact check for exclusions that only together rule out every common word (`r!=0 r!=1`
/// against `r!=2 r!=3` on a 2-bit field): try every value of the bits the exclusions test
/// and the fixed bits leave open, when they are few.
fn disjoint_by_enumeration(a: &Cand, b: &Cand, comb: &[(u8, u8)], cm: u64, cv: u64) -> bool {
    // Free bits: (byte index or None for the context word, bit mask).
    let mut free: Vec<(Option<usize>, u64)> = Vec::new();
    for (eb, em, _) in a.excl.iter().chain(b.excl.iter()) {
        for (i, &(m, _)) in eb.iter().enumerate() {
            let fixed = comb.get(i).map_or(0, |&(m8, _)| m8);
            for bit in 0..8 {
                let x = 1u64 << bit;
                if m as u64 & x != 0 && fixed as u64 & x == 0 && !free.contains(&(Some(i), x)) {
                    free.push((Some(i), x));
                }
            }
        }
        for bit in 0..64 {
            let x = 1u64 << bit;
            if em & x != 0 && cm & x == 0 && !free.contains(&(None, x)) {
                free.push((None, x));
            }
        }
    }
    if free.is_empty() || free.len() > 12 {
        return false;
    }
    let holds = |bytes: &[(u8, u8)], ctx: u64, (eb, em, ev): &(Vec<(u8, u8)>, u64, u64)| {
        eb.iter().enumerate().all(|(i, &(m, v))| m == 0 || bytes.get(i).is_some_and(|&(_, x)| x & m == v))
            && (*em == 0 || ctx & em == *ev)
            && (eb.iter().any(|&(m, _)| m != 0) || *em != 0)
    };
    for assign in 0u32..(1 << free.len()) {
        let mut bytes: Vec<(u8, u8)> = comb.iter().map(|&(m, v)| (m, v & m)).collect();
        let mut ctx = cv & cm;
        for (k, &(pos, x)) in free.iter().enumerate() {
            if assign >> k & 1 != 0 {
                match pos {
                    Some(i) => {
                        if i >= bytes.len() {
                            bytes.resize(i + 1, (0, 0));
                        }
                        bytes[i].1 |= x as u8;
                    }
                    None => ctx |= x,
                }
            }
        }
        if !a.excl.iter().chain(b.excl.iter()).any(|e| holds(&bytes, ctx, e)) {
            // Both candidates accept this word.
            return false;
        }
    }
    true
}

/// `a` is strictly more specific than `b`: every bit `b` fixes, `a` fixes the same way.
/// A shorter `a` qualifies when `b` fixes nothing past `a`'s bytes (x86 `vzeroupper`, no
/// ModRM, against the VEX form with a ModRM byte of any value).
fn contains(a: &Cand, b: &Cand) -> bool {
    for i in 0..b.bytes.len() {
        let (am, _) = a.bytes.get(i).copied().unwrap_or((0, 0));
        let (bm, _) = b.bytes[i];
        if bm & !am != 0 {
            return false;
        }
    }
    b.ctx_mask & !a.ctx_mask == 0 && a.fixed_bits > b.fixed_bits
}

fn example(a: &Cand, b: &Cand) -> String {
    let mut parts = Vec::new();
    for (i, &(off, nb, be, am, av)) in a.pos.iter().enumerate() {
        let (bm, bv) = b.pos.get(i).filter(|p| p.0 == off && p.1 == nb).map(|p| (p.3, p.4)).unwrap_or((0, 0));
        let val = (av & am) | (bv & bm);
        let _ = be;
        parts.push(format!("{:#0w$x}", val, w = (nb * 2 + 2) as usize));
    }
    parts.join(" ")
}

/// Report overlapping encodings among `items` (name, span, candidate).
pub fn check_overlaps(items: &[(&str, crate::diag::Span, Cand)]) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for i in 0..items.len() {
        for j in i + 1..items.len() {
            let (an, asp, a) = &items[i];
            let (bn, bsp, b) = &items[j];
            if !compatible(a, b) || excluded(a, b) {
                continue;
            }
            if contains(a, b) || contains(b, a) {
                continue;
            }
            let word = example(a, b);
            out.push(
                Diagnostic::error(
                    *bsp,
                    format!("overlapping encodings: `{bn}` and `{an}` both match {word}"),
                    format!("`{bn}` matches {word}"),
                )
                .with_secondary(*asp, format!("`{an}` matches it too"))
                .with_note("make the patterns disjoint, or make one strictly more specific (it then takes priority)"),
            );
            if out.len() > 50 {
                return out;
            }
        }
    }
    out
}

/// Render a tree as text for `specemu-codegen tree`.
pub fn render(node: &Node, names: &dyn Fn(usize) -> String, out: &mut String, indent: usize) {
    let pad = "  ".repeat(indent);
    match node {
        Node::Leaf(c) => {
            let list: Vec<String> = c.iter().map(|&i| names(i)).collect();
            if list.is_empty() {
                let _ = writeln!(out, "{pad}(invalid)");
            } else {
                let _ = writeln!(out, "{pad}{}", list.join(" | "));
            }
        }
        Node::Switch { src, mask, arms, default } => {
            let s = match src {
                Src::Ctx => "context".to_string(),
                Src::Win { offset, bytes, be } => {
                    format!("bytes[{offset}..{}]{}", offset + bytes, if *be { " be" } else { " le" })
                }
            };
            let _ = writeln!(out, "{pad}switch {s} & {mask:#x}");
            for (v, n) in arms {
                let _ = writeln!(out, "{pad}  {v:#x} =>");
                render(n, names, out, indent + 2);
            }
            if !matches!(&**default, Node::Leaf(c) if c.is_empty()) {
                let _ = writeln!(out, "{pad}  _ =>");
                render(default, names, out, indent + 2);
            }
        }
    }
}
