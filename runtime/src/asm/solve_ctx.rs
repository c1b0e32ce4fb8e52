//! Solving forms that read decoder context (the generator's flat forms of operand tables):
//! the context's base variables are the form's first fields, solved like the tokens'; the
//! prefixes that give the context the operands need are chosen here; and, as such forms have
//! no evaluator, what was encoded is disassembled and must show the operands it was given.
//! Owns no syntax and no architecture.

use super::form::{encode, encode_seg, fill_fixed, fill_seg, fill_unknown, Form, Kind, Part, PrefixForm};
use super::solve::{fits, ones, tree_of, Cx, Miss};

/// What solving with context needs besides the form.
pub struct CtxSetup<'a> {
    /// The base context variables: (name, width, set by a prefix).
    pub vars: &'a [(&'static str, u32, bool)],
    /// Their values before any prefix (the caller's code size, zero elsewhere).
    pub start: &'a [u64],
    pub prefixes: &'a [PrefixForm],
}

/// Most prefix bytes an instruction gets (x86 allows 14 before a 15-byte limit).
const MAX_PREFIX_BYTES: usize = 14;

/// Most choices among names spelled alike (`%al` is byte register 0 without REX and 16
/// with it) that one form tries.
const MAX_CHOICES: usize = 512;

/// For each wanted value, the values that read the same: several keys of a `names` table
/// with one spelling, or just the value.
fn alternatives(form: &Form, wants: &[(u16, Kind, u64)]) -> Vec<Vec<u64>> {
    wants
        .iter()
        .map(|&(k, _, t)| {
            let names = form.parts.iter().find_map(|p| match p {
                Part::Names { value, names, .. } if *value == k => Some(names),
                _ => None,
            });
            let Some(names) = names else { return vec![t] };
            let Some(spelled) = names.iter().find(|(key, _)| *key == t).map(|(_, n)| *n) else { return vec![t] };
            let mut alts = vec![t];
            alts.extend(
                names.iter().filter(|(key, n)| *key != t && n.eq_ignore_ascii_case(spelled)).map(|(key, _)| *key),
            );
            alts
        })
        .collect()
}

/// Encode context form `form` at `pc` so that each value `k` is `target`, with the prefixes
/// it needs; `verify` gets the bytes and says whether they show the operands.
pub fn solve_ctx_form(
    form: &Form,
    wants: &[(u16, Kind, u64)],
    pc: u64,
    big_endian: bool,
    setup: &CtxSetup,
    verify: &dyn Fn(&[u8]) -> bool,
) -> Result<Vec<u8>, Miss> {
    let alts = alternatives(form, wants);
    let mut pick = vec![0usize; wants.len()];
    let mut first_err = None;
    for _ in 0..MAX_CHOICES {
        let chosen: Vec<(u16, Kind, u64)> =
            wants.iter().zip(&pick).zip(&alts).map(|((&(k, kind, _), &i), a)| (k, kind, a[i])).collect();
        match solve_once(form, &chosen, pc, big_endian, setup, verify) {
            Ok(b) => return Ok(b),
            Err(e) => {
                first_err.get_or_insert(e);
            }
        }
        // The next choice (the last value varies fastest).
        let mut i = pick.len();
        loop {
            if i == 0 {
                return Err(first_err.unwrap_or(Miss::Encoding));
            }
            i -= 1;
            pick[i] += 1;
            if pick[i] < alts[i].len() {
                break;
            }
            pick[i] = 0;
        }
    }
    Err(first_err.unwrap_or(Miss::Encoding))
}

fn solve_once(
    form: &Form,
    wants: &[(u16, Kind, u64)],
    pc: u64,
    big_endian: bool,
    setup: &CtxSetup,
    verify: &dyn Fn(&[u8]) -> bool,
) -> Result<Vec<u8>, Miss> {
    let nctx = form.nctx.min(setup.vars.len());
    let len = form.len() as u64;
    let mut plen = 0u64;
    // The prefixes change the length, which pc-relative values depend on: solve again until
    // it settles.
    for _ in 0..4 {
        let npc = pc.wrapping_add(plen + len);
        let mut fields = vec![None; form.nfields];
        for (i, slot) in fields.iter_mut().enumerate().take(nctx) {
            if !setup.vars[i].2 {
                *slot = Some(setup.start[i]);
            }
        }
        fill_fixed(form, &mut fields, big_endian);
        let mut cx = Cx { f: &mut fields, w: 64, widths: &form.widths, pc, npc };
        cx.solve_wants(form, wants);
        fill_fixed(form, cx.f, big_endian);
        if let Some((_, tree)) = &form.cond {
            cx.assign(tree);
        }
        // What the operands fixed of the context; the rest keeps its value before prefixes.
        let forced: Vec<Option<u64>> = (0..nctx).map(|i| if setup.vars[i].2 { fields[i] } else { None }).collect();
        for (i, slot) in fields.iter_mut().enumerate().take(nctx) {
            slot.get_or_insert(setup.start[i]);
        }
        fill_unknown(form, &mut fields, big_endian);
        let vals: Vec<u64> = fields.iter().map(|v| v.unwrap_or(0)).collect();
        let mut known: Vec<Option<u64>> = vals.iter().map(|&v| Some(v)).collect();
        let cx = Cx { f: &mut known, w: 64, widths: &form.widths, pc, npc };
        for &(k, kind, t) in wants {
            let w = form.value_widths.get(k as usize).copied().unwrap_or(64) as u32;
            let shown = tree_of(form, k).and_then(|tree| cx.eval(tree));
            if !fits(t, w, kind) || shown.is_some_and(|x| (x ^ t) & ones(w) != 0) {
                return Err(Miss::Value { value: k });
            }
        }
        if let Some((_, tree)) = &form.cond {
            if cx.eval(tree) == Some(0) {
                return Err(Miss::Cond);
            }
        }
        let prefix = choose_prefixes(setup, &forced, big_endian).ok_or(Miss::Encoding)?;
        if prefix.len() as u64 != plen {
            plen = prefix.len() as u64;
            continue;
        }
        let body = encode(form, &vals, big_endian).ok_or(Miss::Encoding)?;
        let mut bytes = prefix;
        bytes.extend(body);
        return if verify(&bytes) { Ok(bytes) } else { Err(Miss::Encoding) };
    }
    Err(Miss::Encoding)
}

/// Prefixes that take the context from `setup.start` to every value in `want`, in spec
/// order with the prefixes that end the prefix run (`last`) after the others; a prefix is
/// taken when it spoils no wanted value already there and brings one (or, failing that,
/// moves one not there yet).
fn choose_prefixes(setup: &CtxSetup, want: &[Option<u64>], big_endian: bool) -> Option<Vec<u8>> {
    let n = want.len();
    let mut cur: Vec<u64> = setup.start[..n].to_vec();
    let good = |c: &[u64]| want.iter().zip(c).filter(|(w, c)| w.is_some_and(|w| w == **c)).count();
    let target = want.iter().filter(|w| w.is_some()).count();
    let mut order: Vec<usize> = (0..setup.prefixes.len()).collect();
    order.sort_by_key(|&i| setup.prefixes[i].last);
    let mut out = Vec::new();
    while good(&cur) < target {
        if out.len() > MAX_PREFIX_BYTES {
            return None;
        }
        // A prefix that brings a wanted value; else one that moves a value not yet right
        // (a second 0x66 counts `data16` up to the number wanted).
        let mut took = None;
        let mut moves = None;
        for &pi in &order {
            let p = &setup.prefixes[pi];
            let Some((next, bytes)) = apply(p, &cur, want, setup, big_endian) else { continue };
            let spoils = (0..n).any(|i| want[i].is_some_and(|w| w == cur[i] && w != next[i]));
            if spoils {
                continue;
            }
            if good(&next) > good(&cur) {
                took = Some((pi, next, bytes));
                break;
            }
            if moves.is_none() && (0..n).any(|i| want[i].is_some() && next[i] != cur[i]) {
                moves = Some((pi, next, bytes));
            }
        }
        let (pi, next, bytes) = took.or(moves)?;
        cur = next;
        out.extend(bytes);
        if setup.prefixes[pi].last {
            if good(&cur) < target {
                return None;
            }
            break;
        }
    }
    Some(out)
}

/// Prefix `p` after context `cur`, its fields solved for the wanted values: the context it
/// leaves and its bytes, or None where it does not apply.
fn apply(
    p: &PrefixForm,
    cur: &[u64],
    want: &[Option<u64>],
    setup: &CtxSetup,
    big_endian: bool,
) -> Option<(Vec<u64>, Vec<u8>)> {
    let n = cur.len();
    let mut f: Vec<Option<u64>> = cur.iter().map(|&c| Some(c)).collect();
    f.resize(p.nfields.max(n), None);
    {
        let mut cx = Cx { f: &mut f, w: 64, widths: &p.widths, pc: 0, npc: 0 };
        if let Some(w) = &p.when {
            if cx.eval(w)? == 0 {
                return None;
            }
        }
        for (var, tree) in &p.assigns {
            if let Some(t) = want.get(*var as usize).copied().flatten() {
                cx.w = setup.vars.get(*var as usize)?.1;
                if cx.eval(tree).is_none() {
                    cx.solve(tree, t);
                }
            }
        }
    }
    fill_seg(&p.seg, &mut f, big_endian);
    let vals: Vec<Option<u64>> = f.iter().map(|v| Some(v.unwrap_or(0))).collect();
    let mut known = vals.clone();
    let cx = Cx { f: &mut known, w: 64, widths: &p.widths, pc: 0, npc: 0 };
    let mut next = cur.to_vec();
    for (var, tree) in &p.assigns {
        let i = *var as usize;
        *next.get_mut(i)? = cx.eval(tree)? & ones(setup.vars.get(i)?.1);
    }
    let plain: Vec<u64> = vals.iter().map(|v| v.unwrap_or(0)).collect();
    let mut bytes = vec![0u8; p.seg.bytes as usize];
    encode_seg(&p.seg, &plain, big_endian, &mut bytes)?;
    Some((next, bytes))
}
