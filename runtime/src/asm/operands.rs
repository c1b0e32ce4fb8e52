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
#[derive(Clone, Copy, Default)]
pub struct Spelling {
    /// A prefix registers may carry (GNU as's `$` on MIPS): `$sp`, and `$29` by number.
    pub register_prefix: Option<&'static str>,
}

/// The form's values in `mnemonic` and `operands`, if the text is this form's: (value
/// index, kind, argument) in display order.
pub fn match_form(form: &Form, mnemonic: &str, operands: &str, sp: Spelling) -> Option<Vec<(u16, Kind, Arg)>> {
    let sep = form.parts.iter().position(|p| matches!(p, Part::Sep));
    let (mparts, oparts) = match sep {
        Some(i) => (&form.parts[..i], &form.parts[i + 1..]),
        None => (&form.parts[..], &[][..]),
    };
    let mut out = Vec::new();
    if !walk(mparts, mnemonic, 0, true, sp, &mut out) {
        return None;
    }
    if !walk(oparts, operands, 0, false, sp, &mut out) {
        return None;
    }
    Some(out)
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
        return i == s.len();
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
        Part::Sep => walk(rest, s, i, exact, sp, out),
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
            let mut cands: Vec<(usize, u64)> =
                names.iter().filter(|(_, n)| starts_with_ci(tail, n)).map(|(k, n)| (n.len(), *k)).collect();
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
            cands.sort_by_key(|c| std::cmp::Reverse(c.0));
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

/// The constant expression at byte `i` of `s`: its length and value.
fn number_at(s: &str, i: usize) -> Option<(usize, i64)> {
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
    let (e, end) = expr::parse(s, i).ok()?;
    let v = expr::abs(expr::eval(&e, &NoSymbols).ok()?, "").ok()?;
    Some((end - i, v))
}
