//! The functions pass: spec functions (`fn`) are type-checked once, in a scope of their
//! parameters and the architecture's state (no instruction's operands), their result
//! checked against the declared width, and calls that would recurse refused; register
//! views likewise (the read in a scope of the index, the write of the index and the value).
//!
//! Must not inline anything (the instruction pass does, after checking each call site).

use super::Builder;
use crate::ast::{self, Item};
use crate::diag::Diagnostic;
use crate::load::Module;
use crate::typeck::Scope;
use std::collections::{BTreeMap, BTreeSet};

impl Builder<'_> {
    pub(super) fn pass_functions(&mut self, items: &[(&Module, &Item)]) {
        let empty = BTreeMap::new();
        for f in self.v.fns.clone() {
            let locals: BTreeMap<String, u32> = f.params.iter().cloned().collect();
            let mut sc = Scope::new(&self.v, &empty);
            sc.locals = vec![locals];
            match sc.expr(&f.body) {
                Ok(Some(w)) if w != f.ret => self.err(
                    Diagnostic::error(
                        f.body.span(),
                        format!("width mismatch: `{}` returns {} bits, its body is {w} bits", f.name, f.ret),
                        format!("{w} bits"),
                    )
                    .with_note("widths never change implicitly: use sext(x, N), zext(x, N) or a slice x[hi:lo]"),
                ),
                Ok(None) => {
                    if let ast::Expr::Int(x, s) = &f.body {
                        if f.ret < 128 && x >> f.ret != 0 {
                            self.err(Diagnostic::error(
                                *s,
                                format!("width mismatch: {x:#x} does not fit in {} bits", f.ret),
                                "too wide for the result",
                            ));
                        }
                    }
                }
                Ok(_) => {}
                Err(d) => self.err(d),
            }
        }
        for view in self.v.views.clone() {
            let idx: BTreeMap<String, u32> = [(view.index.clone(), view.index_width)].into();
            let mut sc = Scope::new(&self.v, &empty);
            sc.locals = vec![idx.clone()];
            match sc.expr(&view.read) {
                Ok(Some(w)) if w != view.width => self.err(Diagnostic::error(
                    view.read.span(),
                    format!("width mismatch: view `{}` is {} bits, its read is {w} bits", view.name, view.width),
                    format!("{w} bits"),
                )),
                Err(d) => self.err(d),
                _ => {}
            }
            let mut locals = idx;
            locals.insert(view.value.clone(), view.width);
            let mut sc = Scope::new(&self.v, &empty);
            sc.locals = vec![locals];
            let errs = sc.block(&view.write);
            self.errs.extend(errs);
        }
        self.check_fn_cycles();
        // Guards named in `with` clauses must exist.
        for (_, it) in items {
            let named: Vec<&ast::Ident> = match it {
                Item::Insn(d) => d.guards.iter().collect(),
                Item::Format { guards, .. } | Item::Table { guards, .. } => guards.iter().collect(),
                _ => vec![],
            };
            for g in named {
                if !self.guards.contains_key(&g.name) {
                    let mut d = Diagnostic::error(g.span, format!("unknown guard `{}`", g.name), "no such guard");
                    if let Some(c) = super::closest(&g.name, self.guards.keys()) {
                        d = d.with_note(format!("did you mean `{c}`?"));
                    } else {
                        d = d.with_note("declare it with `guard NAME: CONDITION else { ... }`");
                    }
                    self.err(d);
                }
            }
        }
    }

    fn check_fn_cycles(&mut self) {
        let v = &self.v;
        let names = v.fns.iter().map(|f| f.name.clone()).chain(v.views.iter().map(|x| x.name.clone()));
        let graph: BTreeMap<String, Vec<(String, crate::diag::Span)>> = names
            .map(|n| {
                let mut c = Vec::new();
                crate::inline::body_uses(v, &n, &mut c);
                (n, c)
            })
            .collect();
        fn reaches(
            g: &BTreeMap<String, Vec<(String, crate::diag::Span)>>,
            from: &str,
            to: &str,
            seen: &mut BTreeSet<String>,
        ) -> bool {
            if !seen.insert(from.to_string()) {
                return false;
            }
            g.get(from).is_some_and(|cs| cs.iter().any(|(c, _)| c == to || reaches(g, c, to, seen)))
        }
        for (f, cs) in &graph {
            for (c, span) in cs {
                if c == f || reaches(&graph, c, f, &mut BTreeSet::new()) {
                    let msg =
                        if c == f { format!("`{f}` uses itself") } else { format!("`{f}` uses itself through `{c}`") };
                    self.errs.push(
                        Diagnostic::error(*span, msg, "recursive call")
                            .with_note("spec functions and views are inlined, so they cannot recurse"),
                    );
                    return;
                }
            }
        }
    }
}
