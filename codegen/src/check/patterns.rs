//! Encodings: resolves a pattern's atoms (tokens, formats expanded in place, tables) into
//! segments with field constraints and context conditions, names its operands, and warns
//! about token bits an instruction neither fixes nor reads.
//!
//! Must not look at display templates or semantics.

use super::{closest, Builder};
use crate::ast;
use crate::diag::{Diagnostic, Span};
use crate::model::*;
use std::collections::BTreeMap;

impl Builder<'_> {
    /// Resolve a pattern; fills `ops` with operand names. Returns the pattern and the
    /// operand template of a format it used.
    pub(super) fn resolve_pattern(
        &mut self,
        p: &ast::Pattern,
        ops: &mut BTreeMap<String, Operand>,
    ) -> Option<(Pattern, Option<(String, Span)>)> {
        let mut segs: Vec<Segment> = Vec::new();
        let mut ctx = Vec::new();
        let mut fmt_ops = None;
        let mut ok = true;
        let mut pending: Vec<ast::Atom> = Vec::new();
        // Expand formats first: a format atom becomes its own segments, its constraints and `when`.
        let mut flat: Vec<Vec<ast::Atom>> = Vec::new();
        let mut when: Vec<ast::Constraint> = p.when.clone();
        for seg in &p.segments {
            let mut cur: Vec<ast::Atom> = Vec::new();
            let mut extra: Vec<Vec<ast::Atom>> = Vec::new();
            for a in seg {
                if let Some((fp, fo, _)) = self.formats.get(&a.name.name).cloned() {
                    if fmt_ops.is_none() {
                        fmt_ops = fo;
                    }
                    when.extend(fp.when.iter().cloned());
                    for (i, fs) in fp.segments.iter().enumerate() {
                        let atoms: Vec<ast::Atom> = fs.clone();
                        if i == 0 {
                            cur.extend(atoms);
                        } else {
                            extra.push(atoms);
                        }
                    }
                    // The format's constraints go to whichever of its atoms has the field.
                    pending.push(a.clone());
                } else {
                    cur.push(a.clone());
                }
            }
            flat.push(cur);
            flat.extend(extra);
        }
        for atoms in &flat {
            let mut seg = Segment { token: None, constraints: vec![], tables: vec![] };
            for a in atoms {
                if let Some(ti) = self.v.token_index(&a.name.name) {
                    if let Some(prev) = seg.token {
                        if prev != ti {
                            self.err(Diagnostic::error(
                                a.name.span,
                                "two different tokens at one position",
                                format!(
                                    "`{}` and `{}` both start here; use `;` to read them one after the other",
                                    self.v.tokens[prev].name, a.name.name
                                ),
                            ));
                            ok = false;
                        }
                    }
                    seg.token = Some(ti);
                    for c in &a.constraints {
                        match self.field_constraint(ti, c) {
                            Some(fc) => seg.constraints.push(fc),
                            None => ok = false,
                        }
                    }
                } else if let Some(t) = self.v.table_index(&a.name.name) {
                    if !a.constraints.is_empty() {
                        self.err(Diagnostic::error(
                            a.constraints[0].span,
                            "a table takes no constraints",
                            "constrain the token instead",
                        ));
                        ok = false;
                    }
                    seg.tables.push(t);
                } else {
                    let mut cands: Vec<String> = self.v.tokens.iter().map(|t| t.name.clone()).collect();
                    cands.extend(self.formats.keys().cloned());
                    cands.extend(self.v.tables.iter().map(|t| t.name.clone()));
                    let mut d = Diagnostic::error(
                        a.name.span,
                        format!("unknown name `{}`", a.name.name),
                        "not a token, format or table",
                    );
                    if let Some(best) = closest(&a.name.name, cands.iter()) {
                        d = d.with_note(format!("did you mean `{best}`?"));
                    }
                    self.err(d);
                    ok = false;
                }
            }
            segs.push(seg);
        }
        // Constraints written on a format atom.
        for a in &pending {
            for c in &a.constraints {
                let mut placed = false;
                for seg in segs.iter_mut() {
                    if let Some(ti) = seg.token {
                        if self.v.tokens[ti].field(&c.field.name).is_some() {
                            if let Some(fc) = self.field_constraint(ti, c) {
                                seg.constraints.push(fc);
                            } else {
                                ok = false;
                            }
                            placed = true;
                            break;
                        }
                    }
                }
                if !placed {
                    self.err(Diagnostic::error(
                        c.field.span,
                        format!("missing field: no token of format `{}` has a field `{}`", a.name.name, c.field.name),
                        "unknown field",
                    ));
                    ok = false;
                }
            }
        }
        for c in &when {
            match self.v.ctx_index(&c.field.name) {
                Some(ci) => {
                    let w = self.v.context[ci].width;
                    if c.value < 0 || (w < 64 && (c.value as u128) >> w != 0) {
                        self.err(Diagnostic::error(
                            c.span,
                            format!(
                                "width mismatch: {} does not fit the {w}-bit context variable `{}`",
                                c.value, c.field.name
                            ),
                            "too large",
                        ));
                        ok = false;
                    }
                    ctx.push((ci, c.equal, c.value as u64));
                }
                None => {
                    self.err(Diagnostic::error(
                        c.field.span,
                        format!("unknown context variable `{}`", c.field.name),
                        "declare it in `context { ... }`",
                    ));
                    ok = false;
                }
            }
        }
        for (si, s) in segs.iter().enumerate() {
            if let Some(t) = s.token {
                for (fi, f) in self.v.tokens[t].fields.iter().enumerate() {
                    ops.entry(f.name.clone()).or_insert(Operand::Field { seg: si, token: t, field: fi });
                }
            }
            for &t in &s.tables {
                ops.insert(self.v.tables[t].name.clone(), Operand::Table { seg: si, table: t });
            }
        }
        if !ok {
            return None;
        }
        Some((Pattern { segments: segs, ctx, span: p.span }, fmt_ops))
    }

    fn field_constraint(&mut self, ti: usize, c: &ast::Constraint) -> Option<FieldConstraint> {
        let tok = &self.v.tokens[ti];
        let Some(fi) = tok.field(&c.field.name) else {
            let d = Diagnostic::error(
                c.field.span,
                format!("missing field: token `{}` has no field `{}`", tok.name, c.field.name),
                format!("not a field of `{}`", tok.name),
            );
            let names: Vec<String> = tok.fields.iter().map(|f| f.name.clone()).collect();
            let d = match closest(&c.field.name, names.iter()) {
                Some(b) => d.with_note(format!("did you mean `{b}`?")),
                None => d,
            };
            self.err(d);
            return None;
        };
        let w = tok.fields[fi].width;
        let value = if c.value < 0 {
            // Negative values are two's complement in the field's width.
            (c.value as i64 as u64) & ones(w)
        } else {
            c.value as u64
        };
        if c.value >= 0 && w < 64 && (c.value as u128) >> w != 0 {
            self.err(Diagnostic::error(
                c.span,
                format!("width mismatch: {:#x} does not fit the {w}-bit field `{}`", c.value, c.field.name),
                format!("`{}` is {w} bits", c.field.name),
            ));
            return None;
        }
        Some(FieldConstraint { field: fi, equal: c.equal, value, span: c.span })
    }

    /// Warn about token bits an instruction neither fixes nor reads (its decoding ignores
    /// them). Positions where a table reads the token are skipped: the table uses those bits.
    pub(super) fn warn_unused_bits(&mut self, name: &str, span: Span, pat: &Pattern, ops: &BTreeMap<String, Operand>) {
        for (si, seg) in pat.segments.iter().enumerate() {
            let Some(ti) = seg.token else { continue };
            if !seg.tables.is_empty() {
                continue;
            }
            let tok = &self.v.tokens[ti];
            let mut covered = 0u64;
            for fc in &seg.constraints {
                covered |= tok.fields[fc.field].encode(false, 0).0;
            }
            for op in ops.values() {
                if let Operand::Field { seg: s, field, .. } = op {
                    if *s == si {
                        covered |= tok.fields[*field].encode(false, 0).0;
                    }
                }
            }
            let unused = ones(tok.width) & !covered;
            if unused != 0 {
                let bits = bit_ranges(unused);
                self.errs.push(Diagnostic::warning(
                    span,
                    format!("bits {bits} of `{}` in `{name}` are neither fixed nor used", tok.name),
                    "decoding ignores these bits",
                ));
            }
        }
    }
}

/// `23:20, 7` style list of the set bits of a mask, most significant first.
fn bit_ranges(mask: u64) -> String {
    let mut parts = Vec::new();
    let mut b = 63i32;
    while b >= 0 {
        if mask >> b & 1 == 1 {
            let hi = b;
            while b >= 0 && mask >> b & 1 == 1 {
                b -= 1;
            }
            let lo = b + 1;
            parts.push(if hi == lo { format!("{hi}") } else { format!("{hi}:{lo}") });
        } else {
            b -= 1;
        }
    }
    parts.join(", ")
}
