//! Sizing instructions whose forms differ in length (x86's `jmp` with rel8 or rel32, an
//! immediate of 8 or 32 bits), as GNU as does: the first pass takes the shortest form that
//! encodes, a label not defined yet standing in as near; once every label is known, an
//! instruction that needs a longer form gets it and the sources are read again with the
//! sizes found (labels not defined yet read from the pass before), until no size grows.
//! Sizes only grow, so this ends, with the smallest sizes that hold. Instructions whose
//! forms are all one length (MIPS, Xtensa) are sized once: nothing is relaxed there.

use super::second_pass::field_width;
use super::{Args, Assembler, Candidates, Job, SymDef};
use crate::asm::expr::{self, Expr, SymRef};
use crate::asm::form::Kind;
use crate::asm::operands::Arg;
use std::collections::HashMap;

/// How a candidate ranks (least first): whether it is of another spelling, `u32::MAX` less
/// the width of the narrowest field the linker fills in (0 when none), its prefixes, its
/// length.
type SizeKey = (bool, u32, usize, usize);

/// Most times the sources are read again before the sizes are left as they are (the
/// second pass then reports any instruction that does not fit its size).
const MAX_ROUNDS: usize = 16;

/// What a first pass found, for the next to size with.
pub(super) struct Prev {
    pub symbols: HashMap<String, SymDef>,
    pub locals: HashMap<u32, Vec<(usize, usize, u64)>>,
    /// Each instruction's size (by statement number): the least it may take now.
    pub sizes: HashMap<usize, usize>,
}

impl<'a> Assembler<'a> {
    /// Whether `e` is known here: a number, or an offset in a section.
    fn known_here(&self, e: &Expr) -> bool {
        expr::eval(e, self).is_ok_and(|v| v.modifier.is_none() && matches!(v.sym, None | Some(SymRef::Section(_))))
    }

    /// The size of an instruction that may be one of `cands` at offset `off` of section
    /// `sec`, and whether every value was known (and final) to choose it. Where the forms
    /// differ in length or need prefixes: the spelling written before another, then, for a
    /// value the linker fills in (or a symbol no file defines), the widest field, then the
    /// fewest prefixes (GNU as adds none it does not need), then the shortest, and never
    /// less than `least`. `optimistic`: a value not known yet is a label further on, which
    /// may be near (else a symbol no file defines, which the linker fills in). The form
    /// chosen goes first.
    pub(super) fn size_insn(
        &mut self,
        cands: &mut Candidates,
        written: usize,
        (sec, off): (usize, u64),
        least: usize,
        optimistic: bool,
    ) -> (usize, bool) {
        let index = self.index.clone();
        let forms = &index.forms;
        let lens: Vec<usize> = cands.iter().map(|(i, _)| forms[*i].len()).collect();
        let ctx = cands.iter().any(|(i, _)| forms[*i].eval.is_none());
        if !ctx && lens.iter().all(|&l| l == lens[0]) {
            return (lens[0], true);
        }
        self.provisional = true;
        let mut settled = true;
        let mut best: Option<(SizeKey, usize, usize)> = None;
        for (ci, (fi, args)) in cands.iter().enumerate() {
            let form = &forms[*fi];
            let exprs = || args.iter().filter_map(|(k, _, a)| if let Arg::Expr(e) = a { Some((*k, e)) } else { None });
            let unknown: Vec<u16> = exprs().filter(|(_, e)| !self.known_here(e)).map(|(k, _)| k).collect();
            // Values read from the pass before are not final.
            self.provisional = false;
            settled &= exprs().all(|(_, e)| self.known_here(e));
            self.provisional = true;
            let args: Args = if unknown.is_empty() { args.clone() } else { stand_ins(args, self.origin + off) };
            let mut scratch = Vec::new();
            let Ok((bytes, relocs)) = self.encode_insn(form, &args, sec, off, &mut scratch) else { continue };
            let n = bytes.len();
            if n < least {
                continue;
            }
            let wide = !relocs.is_empty() || (!unknown.is_empty() && !optimistic);
            let narrowest = if wide {
                exprs()
                    .filter(|(k, e)| unknown.contains(k) || expr::eval(e, &*self).is_ok_and(|v| v.sym.is_some()))
                    .map(|(k, _)| field_width(form, k).unwrap_or(u32::MAX))
                    .min()
                    .unwrap_or(u32::MAX)
            } else {
                u32::MAX
            };
            let key = (ci >= written, u32::MAX - narrowest, n - form.len().min(n), n);
            if best.is_none_or(|(k, ..)| key < k) {
                best = Some((key, n, ci));
            }
        }
        self.provisional = false;
        match best {
            Some((_, n, ci)) => {
                let c = cands.remove(ci);
                cands.insert(0, c);
                (n, settled)
            }
            None => (lens[0].max(least), settled),
        }
    }

    /// Once the first pass has read everything: size again each instruction that was sized
    /// with values not known then; while any needs more room, read the sources again.
    pub(super) fn settle_sizes(mut self) -> Self {
        for _ in 0..MAX_ROUNDS {
            if !self.errors.is_empty() {
                return self;
            }
            let mut grown = false;
            let mut sizes = HashMap::new();
            let pending = std::mem::take(&mut self.pending);
            self.second_pass = true;
            for p in &pending {
                let Job::Insn { cands, len, written, settled, .. } = &p.job else { continue };
                let mut need = *len;
                if !*settled {
                    self.seq = p.seq;
                    self.dot = (p.sec, p.off);
                    need = self.size_insn(&mut cands.clone(), *written, (p.sec, p.off), *len, false).0;
                }
                grown |= need > *len;
                sizes.insert(p.seq, need);
            }
            self.second_pass = false;
            self.pending = pending;
            if !grown {
                return self;
            }
            self = self.read_again(sizes);
        }
        self
    }

    /// A new first pass over the same sources, with these least sizes and this pass's labels.
    fn read_again(self, sizes: HashMap<usize, usize>) -> Assembler<'a> {
        let mut a = Assembler::new(self.arch, self.core, self.big_endian);
        a.origin = self.origin;
        a.one_insn = self.one_insn;
        a.before = Some(Prev { symbols: self.symbols, locals: self.locals, sizes });
        for (name, text, dir) in &self.inputs {
            a.source(name, text, dir.as_deref());
        }
        a
    }
}

/// `args` with every value not known yet replaced by a stand-in: the address for an
/// address (a jump to itself reaches), zero for a number.
fn stand_ins(args: &Args, pc: u64) -> Args {
    args.iter()
        .map(|(k, kind, a)| {
            let a = match a {
                Arg::Expr(_) if *kind == Kind::Address => Arg::Expr(Expr::Num(pc as i64)),
                Arg::Expr(_) => Arg::Expr(Expr::Num(0)),
                Arg::Index(x) => Arg::Index(*x),
            };
            (*k, *kind, a)
        })
        .collect()
}
