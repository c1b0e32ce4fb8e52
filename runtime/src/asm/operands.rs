//! Matching an instruction's text against a form's display parts: the mnemonic exactly, the
//! operands with free spacing around punctuation, registers and names by their spelling
//! (longest first, backtracking when the rest does not match), numbers as expressions left
//! unevaluated (labels are known only after the first pass). Owns the text side of a form.

use super::expr::{self, Expr};
use super::form::{Form, Kind, Part};

/// One matched value of a form.
#[derive(Debug, Clone, PartialEq)]
pub enum Arg {
    /// A register or name: its index.
    Index(u64),
    /// A number or address, to evaluate in the second pass.
    Expr(Expr),
}

/// What the syntax allows beyond the displays' own spelling.
#[derive(Clone, Copy)]
pub struct Spelling {
    /// A prefix registers may carry (GNU as's `$` on MIPS): `$sp`, and `$29` by number.
    pub register_prefix: Option<&'static str>,
    /// Another spelling of a line (its mnemonic, lowercase, and operands), whose forms are
    /// tried after those of the line as written (AT&T's size suffixes: `movq $5,%rax` is
    /// `mov`; GNU as's aliases: `jnb` is `jae`).
    pub respell: fn(&str, &str) -> Option<(String, String)>,
}

/// [`Spelling::respell`] for syntaxes with one spelling per line.
pub fn no_respell(_: &str, _: &str) -> Option<(String, String)> {
    None
}

/// The form's values in `mnemonic` and `operands`, if the text is this form's: (value
/// index, kind, argument) in display order. The mnemonic may be several words (x86's
/// `lock addl`, `rep stos`): the text is read as one line, exactly up to the form's end of
/// mnemonic, which must be followed by a space or the end.
pub fn match_form(form: &Form, mnemonic: &str, operands: &str, sp: Spelling) -> Option<Vec<(u16, Kind, Arg)>> {
    let line;
    let s = if operands.is_empty() {
        mnemonic
    } else {
        line = format!("{mnemonic} {operands}");
        &line
    };
    let mut out = Vec::new();
    if !walk(&form.parts, s, 0, true, sp, &mut out) {
        return None;
    }
    Some(out)
}

/// Whether `text` (as the disassembler shows an encoding) is `form` with the values in
/// `wants` (value index, kind, value): names by spelling, numbers by value in their width.
pub fn shows(form: &Form, text: &str, wants: &[(u16, Kind, u64)], sp: Spelling) -> bool {
    let text = text.trim();
    let (mn, ops) = match text.find([' ', '\t']) {
        Some(i) => (&text[..i], text[i..].trim()),
        None => (text, ""),
    };
    let Some(got) = match_form(form, &mn.to_ascii_lowercase(), ops, sp) else { return false };
    wants.iter().all(|&(k, _, t)| {
        let w = form.value_widths.get(k as usize).copied().unwrap_or(64) as u32;
        let mask = if w >= 64 { u64::MAX } else { (1u64 << w) - 1 };
        got.iter().filter(|(gk, ..)| *gk == k).all(|(_, _, arg)| match arg {
            Arg::Index(x) => {
                spelled(form, k, *x).is_some_and(|a| spelled(form, k, t).is_some_and(|b| a.eq_ignore_ascii_case(b)))
            }
            Arg::Expr(e) => number_at_expr(e).is_some_and(|v| (v as u64 ^ t) & mask == 0),
        })
    })
}

/// How value `k` of `form` spells index `x`.
fn spelled(form: &Form, k: u16, x: u64) -> Option<&'static str> {
    form.parts.iter().find_map(|p| match p {
        Part::Reg { value, names, .. } if *value == k => names.get(x as usize).copied(),
        Part::Names { value, names, .. } if *value == k => names.iter().find(|(key, _)| *key == x).map(|(_, n)| *n),
        _ => None,
    })
}

fn skip_ws(s: &str, mut i: usize) -> usize {
    let b = s.as_bytes();
    while i < b.len() && (b[i] == b' ' || b[i] == b'\t') {
        i += 1;
    }
    i
}

/// Match `parts` against `s` from byte `i` to its end. In the mnemonic (`exact`), no
/// spacing is skipped.
fn walk(parts: &[Part], s: &str, i: usize, exact: bool, sp: Spelling, out: &mut Vec<(u16, Kind, Arg)>) -> bool {
    let i = if exact { i } else { skip_ws(s, i) };
    let Some((first, rest)) = parts.split_first() else {
        return skip_ws(s, i) == s.len();
    };
    let mark = out.len();
    let attempt = |len: usize, value: u16, kind: Kind, arg: Arg, out: &mut Vec<(u16, Kind, Arg)>| {
        out.push((value, kind, arg));
        if walk(rest, s, i + len, exact, sp, out) {
            return true;
        }
        out.truncate(mark);
        false
    };
    let tail = &s[i..];
    match first {
        // The mnemonic ends at a space or the end of the line.
        Part::Sep => {
            let at_end = i == s.len() || matches!(s.as_bytes()[i], b' ' | b'\t');
            at_end && walk(rest, s, i, false, sp, out)
        }
        Part::Text(t) => {
            let mut j = i;
            for c in t.bytes() {
                if c == b' ' {
                    continue;
                }
                if !exact {
                    j = skip_ws(s, j);
                }
                if s.as_bytes().get(j).map(|x| x.to_ascii_lowercase()) != Some(c.to_ascii_lowercase()) {
                    return false;
                }
                j += 1;
            }
            walk(rest, s, j, exact, sp, out)
        }
        Part::Reg { value, names, .. } => {
            let mut cands: Vec<(usize, u64)> = Vec::new();
            for (k, n) in names.iter().enumerate() {
                if starts_with_ci(tail, n) {
                    cands.push((n.len(), k as u64));
                }
                if let Some(p) = sp.register_prefix {
                    if !n.starts_with(p) && tail.starts_with(p) && starts_with_ci(&tail[p.len()..], n) {
                        cands.push((p.len() + n.len(), k as u64));
                    }
                }
            }
            if let Some(p) = sp.register_prefix {
                // `$29`: a register by number, in files whose names do not carry the prefix.
                if let Some(digits) = tail.strip_prefix(p) {
                    let d: String = digits.chars().take_while(|c| c.is_ascii_digit()).collect();
                    if !d.is_empty() && names.first().is_some_and(|n| !n.starts_with(p)) {
                        if let Ok(k) = d.parse::<u64>() {
                            if (k as usize) < names.len() {
                                cands.push((p.len() + d.len(), k));
                            }
                        }
                    }
                }
            }
            cands.sort_by_key(|c| std::cmp::Reverse(c.0));
            cands.into_iter().any(|(len, k)| attempt(len, *value, Kind::Unsigned, Arg::Index(k), out))
        }
        Part::Names { value, names, .. } => {
            // An empty name (x86's absent `lock `) matches nothing written.
            let mut cands: Vec<(usize, u64)> = names
                .iter()
                .filter(|(_, n)| n.is_empty() || starts_with_ci(tail, n))
                .map(|(k, n)| (n.len(), *k))
                .collect();
            // A name that is a number (Xtensa's b4const `0x100`) matches that number however
            // it is written (`256`).
            if !exact {
                if let Some((len, v)) = number_at(s, i) {
                    cands.extend(
                        names
                            .iter()
                            .filter(|(_, n)| number_at(n, 0).is_some_and(|(l, x)| l == n.len() && x == v))
                            .map(|(k, _)| (len, *k)),
                    );
                }
            }
            // Names spelled alike match alike: the first stands for them (the solver tries
            // the others).
            cands.sort_by_key(|c| std::cmp::Reverse(c.0));
            cands.dedup_by_key(|c| c.0);
            cands.into_iter().any(|(len, k)| attempt(len, *value, Kind::Unsigned, Arg::Index(k), out))
        }
        Part::Value { value, kind, .. } => match expr::parse(s, i) {
            Ok((e, end)) if end > i => attempt(end - i, *value, *kind, Arg::Expr(e), out),
            _ => false,
        },
    }
}

fn starts_with_ci(s: &str, p: &str) -> bool {
    !p.is_empty() && s.len() >= p.len() && s.as_bytes()[..p.len()].eq_ignore_ascii_case(p.as_bytes())
}

/// The value of a constant expression.
fn number_at_expr(e: &Expr) -> Option<i64> {
    expr::abs(expr::eval(e, &NoSymbols).ok()?, "").ok()
}

/// The constant expression at byte `i` of `s`: its length and value.
fn number_at(s: &str, i: usize) -> Option<(usize, i64)> {
    let (e, end) = expr::parse(s, i).ok()?;
    Some((end - i, number_at_expr(&e)?))
}

/// Symbols for constant expressions: there are none.
struct NoSymbols;
impl expr::Symbols for NoSymbols {
    fn symbol(&self, _: &str) -> Option<expr::Val> {
        None
    }
    fn dot(&self) -> expr::Val {
        expr::Val { sym: Some(expr::SymRef::Undefined(".".into())), addend: 0, modifier: None }
    }
    fn local(&self, _: u32, _: bool) -> Result<expr::Val, String> {
        Err("a label".into())
    }
}
