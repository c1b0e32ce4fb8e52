//! The instruction pass: tables (indexed first so patterns can name them, then their
//! alternatives), instructions and prefixes, each resolved to its pattern, display
//! templates and semantics; and the check that no table refers to itself.
//!
//! Must not parse display templates (`display`) or resolve pattern atoms (`patterns`).

use super::Builder;
use crate::ast::{self, Item};
use crate::diag::{Diagnostic, Span};
use crate::load::Module;
use crate::model::*;
use crate::typeck::Scope;
use std::collections::{BTreeMap, BTreeSet};

impl Builder<'_> {
    pub(super) fn pass_tables_and_insns(&mut self, items: &[(&Module, &Item)]) {
        // Tables first get an index so patterns can name them; alternatives are resolved after.
        for (_, it) in items {
            if let Item::Table { name, guards, .. } = it {
                let ti = self.v.tables.len();
                self.v.tables.push(Table {
                    name: name.name.clone(),
                    alts: vec![],
                    span: name.span,
                    export_width: None,
                    writable: false,
                });
                if !guards.is_empty() {
                    self.table_guards.insert(ti, guards.clone());
                }
            }
        }
        // Tables before instructions, so that an instruction sees what its tables export (a
        // table whose export another table's alternative reads is declared before it).
        for (_, it) in items {
            if let Item::Table { name, alts, .. } = it {
                let ti = self.v.table_index(&name.name).expect("table indexed");
                let mut resolved = Vec::new();
                for (i, a) in alts.iter().enumerate() {
                    if let Some(ins) = self.resolve_insn(
                        &format!("{}#{i}", name.name),
                        &a.pattern,
                        &a.displays,
                        a.sem.as_ref(),
                        a.span,
                        Some(a),
                        &[],
                    ) {
                        resolved.push(ins);
                    }
                }
                self.v.tables[ti].alts = resolved;
                self.table_export(ti, alts);
            }
        }
        let mut insn_names = BTreeSet::new();
        for (_, it) in items {
            match it {
                Item::Insn(d) => {
                    if !insn_names.insert(d.name.name.clone()) {
                        self.err(Diagnostic::error(
                            d.name.span,
                            format!("instruction `{}` is defined twice", d.name.name),
                            "second definition",
                        ));
                        continue;
                    }
                    if let Some(ins) = self.resolve_insn(
                        &d.name.name,
                        &d.pattern,
                        &d.displays,
                        d.sem.as_ref(),
                        d.span,
                        None,
                        &d.guards,
                    ) {
                        self.v.insns.push(ins);
                    }
                }
                Item::Prefix { pattern, last, assigns, span } => {
                    let mut ops = BTreeMap::new();
                    let Some((pat, _)) = self.resolve_pattern(pattern, &mut ops) else { continue };
                    if pat.segments.len() != 1 || pat.segments[0].token.is_none() || !pat.segments[0].tables.is_empty()
                    {
                        self.err(Diagnostic::error(
                            *span,
                            "a prefix is one token",
                            "expected `prefix TOKEN(field=value ...) { ... }`",
                        ));
                        continue;
                    }
                    let mut asg = Vec::new();
                    for (n, e) in assigns {
                        let Some(ci) = self.v.ctx_index(&n.name) else {
                            self.err(Diagnostic::error(
                                n.span,
                                format!("unknown context variable `{}`", n.name),
                                "declare it in `context { ... }`",
                            ));
                            continue;
                        };
                        if self.v.context[ci].bound.is_some() {
                            self.err(
                                Diagnostic::error(
                                    n.span,
                                    format!("`{}` is persistent context, bound to a state field", n.name),
                                    "a prefix cannot set it",
                                )
                                .with_note("an instruction changes it with `set_context`"),
                            );
                            continue;
                        }
                        asg.push((ci, e.clone()));
                    }
                    self.v.prefixes.push(Prefix { pattern: pat, last: *last, assigns: asg, operands: ops });
                }
                _ => {}
            }
        }
        self.check_table_cycles();
    }

    fn check_table_cycles(&mut self) {
        fn visit(v: &Variant, t: usize, stack: &mut Vec<usize>) -> Option<Vec<usize>> {
            if stack.contains(&t) {
                return Some(stack.clone());
            }
            stack.push(t);
            for a in &v.tables[t].alts {
                for s in &a.pattern.segments {
                    for &u in &s.tables {
                        if let Some(c) = visit(v, u, stack) {
                            return Some(c);
                        }
                    }
                }
            }
            stack.pop();
            None
        }
        for t in 0..self.v.tables.len() {
            if let Some(c) = visit(&self.v, t, &mut vec![]) {
                let names: Vec<&str> = c.iter().map(|&i| self.v.tables[i].name.as_str()).collect();
                let span = self.v.tables[t].span;
                self.err(Diagnostic::error(
                    span,
                    format!("table `{}` refers to itself", self.v.tables[t].name),
                    format!("cycle: {}", names.join(" -> ")),
                ));
                return;
            }
        }
    }

    /// The guards an instruction runs under, outermost first: its own (with its option's and
    /// groups'), then its format's, then those of the tables its pattern uses; each once.
    fn insn_guards(&self, own: &[ast::Ident], pattern: &ast::Pattern, pat: &Pattern) -> Vec<ast::GuardDecl> {
        let mut names: Vec<String> = own.iter().map(|g| g.name.clone()).collect();
        for seg in &pattern.segments {
            for a in seg {
                if let Some((_, _, gs)) = self.formats.get(&a.name.name) {
                    names.extend(gs.iter().map(|g| g.name.clone()));
                }
            }
        }
        for seg in &pat.segments {
            for t in &seg.tables {
                if let Some(gs) = self.table_guards.get(t) {
                    names.extend(gs.iter().map(|g| g.name.clone()));
                }
            }
        }
        let mut seen = BTreeSet::new();
        names.retain(|n| seen.insert(n.clone()));
        // Unknown names were reported by the functions pass.
        names.iter().filter_map(|n| self.guards.get(n).cloned()).collect()
    }

    /// The global names a spec function or view reads, through what it uses in turn.
    fn fn_globals(&self, name: &str, depth: u32, out: &mut BTreeSet<String>) {
        if depth > 64 {
            return;
        }
        crate::inline::body_globals(&self.v, name, out);
        let mut cs = Vec::new();
        crate::inline::body_uses(&self.v, name, &mut cs);
        for (c, _) in cs {
            self.fn_globals(&c, depth + 1, out);
        }
    }

    /// Refuse a call whose function reads a global name that the call site shadows with an
    /// operand or a local of its own (inlining would silently read the wrong value).
    pub(super) fn check_capture(&mut self, uses: &[(String, Span)], local: &BTreeSet<String>) {
        for (c, span) in uses.iter().cloned() {
            let mut g = BTreeSet::new();
            self.fn_globals(&c, 0, &mut g);
            if let Some(n) = g.iter().find(|n| local.contains(*n)) {
                self.err(
                    Diagnostic::error(
                        span,
                        format!("`{c}` reads `{n}`, which this instruction also names"),
                        format!("`{n}` here is this instruction's own"),
                    )
                    .with_note("functions see the architecture's names only; rename one of them"),
                );
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn resolve_insn(
        &mut self,
        name: &str,
        pattern: &ast::Pattern,
        displays: &[ast::Display],
        sem: Option<&ast::Block>,
        span: Span,
        alt: Option<&ast::TableAlt>,
        own_guards: &[ast::Ident],
    ) -> Option<Insn> {
        let in_table = alt.is_some();
        let mut ops = BTreeMap::new();
        let (pat, fmt_ops) = self.resolve_pattern(pattern, &mut ops)?;
        let guards = self.insn_guards(own_guards, pattern, &pat);
        let with_tables: Option<ast::Block> =
            sem.map(|b| if in_table { b.clone() } else { self.with_table_steps(b, &ops) });
        let guarded: Option<ast::Block> = with_tables.as_ref().map(|b| {
            let gs: Vec<&ast::GuardDecl> = guards.iter().collect();
            crate::inline::wrap_guards(b, &gs)
        });
        let sem = guarded.as_ref();
        let mut disp = Vec::new();
        let mut used = BTreeSet::new();
        // The assembler-only displays of the formats the pattern names come after its own.
        let mut all: Vec<ast::Display> = displays.to_vec();
        if !in_table {
            for a in pattern.segments.iter().flatten() {
                if let Some(extra) = self.format_asm.get(&a.name.name) {
                    all.extend(extra.iter().cloned());
                }
            }
        }
        let displays = &all[..];
        for d in displays {
            let mut template = d.template.clone();
            let mut tspan = d.span;
            if !in_table && !template.trim().contains(' ') {
                if let Some((fo, fs)) = &fmt_ops {
                    if !fo.is_empty() {
                        template = format!("{template} {fo}");
                        tspan = *fs;
                    }
                }
            }
            let offset_base = if tspan == d.span { d.span.sub(1, 1) } else { tspan.sub(1, 1) };
            let using_fmt = tspan != d.span;
            match self.parse_display(
                &template,
                offset_base,
                using_fmt,
                d.template.len(),
                &ops,
                d.cond.as_ref(),
                &mut used,
            ) {
                Ok(x) => disp.push(Display { asm_only: d.asm_only, ..x }),
                Err(e) => {
                    self.err(e);
                    return None;
                }
            }
        }
        if let Some(d) = displays.iter().find(|d| d.asm_only) {
            if in_table {
                self.err(Diagnostic::error(
                    d.span,
                    "`asm` displays belong to instructions, not table alternatives",
                    "assembler-only display in a table",
                ));
                return None;
            }
            if displays.iter().all(|d| d.asm_only) {
                self.err(Diagnostic::error(
                    d.span,
                    format!("`{name}` has only `asm` displays: the disassembler needs one it prints"),
                    "no display without `asm`",
                ));
                return None;
            }
        }
        if let Some(b) = sem {
            let v = &self.v;
            let mut sc = Scope::new(v, &ops);
            let errs = sc.block(b);
            used.extend(sc.used);
            self.errs.extend(errs);
        }
        let (export, after) = match alt {
            Some(a) => self.check_alt_export(a, &ops, &mut used),
            None => (None, None),
        };
        // Inline spec functions, once every call site is checked.
        let mut local: BTreeSet<String> = ops.keys().cloned().collect();
        if let Some(b) = sem {
            crate::inline::let_names(b, &mut local);
        }
        let mut uses = Vec::new();
        if let Some(b) = sem {
            crate::inline::block_uses(&self.v, b, &mut uses);
        }
        for d in &disp {
            for e in d.cond.iter().chain(d.parts.iter().filter_map(|p| match p {
                DisplayPart::Value { expr, .. } => Some(expr),
                _ => None,
            })) {
                crate::inline::calls(&self.v, e, &mut uses);
            }
        }
        self.check_capture(&uses, &local);
        let mut inlined: Vec<String> = Vec::new();
        for (c, _) in uses {
            if !inlined.contains(&c) {
                inlined.push(c);
            }
        }
        let sem = sem.map(|b| crate::inline::block(&self.v, b));
        for d in &mut disp {
            d.cond = d.cond.as_ref().map(|c| crate::inline::expr(&self.v, c));
            for p in &mut d.parts {
                if let DisplayPart::Value { expr, .. } = p {
                    *expr = crate::inline::expr(&self.v, expr);
                }
            }
        }
        let origin = self.origin(span);
        // Keep the operands the instruction uses (tables always: they decide the length).
        let ops: BTreeMap<String, Operand> =
            ops.into_iter().filter(|(n, o)| matches!(o, Operand::Table { .. }) || used.contains(n)).collect();
        if !in_table {
            self.warn_unused_bits(name, span, &pat, &ops);
        }
        Some(Insn {
            name: name.to_string(),
            pattern: pat,
            operands: ops,
            displays: disp,
            sem,
            span,
            origin,
            guards: guards.iter().map(|g| g.name.name.clone()).collect(),
            inlined,
            export,
            after,
        })
    }
}
