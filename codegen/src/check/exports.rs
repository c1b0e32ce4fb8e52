//! Table exports: what a table alternative yields to the instructions that use the table (a
//! value, a register, a register-file element or `mem(N, address)`), its blocks run before
//! and after the instruction's semantics, the table-wide export width and writability, and
//! the steps the checker puts around an instruction's semantics for its table operands.
//!
//! Must not generate code (`gen::lower` lowers the steps and the exports).

use super::Builder;
use crate::ast::{self, Expr, Stmt};
use crate::diag::Diagnostic;
use crate::model::*;
use crate::typeck::Scope;
use std::collections::{BTreeMap, BTreeSet};

impl Builder<'_> {
    /// Check a table alternative's export and `after` block in the alternative's scope;
    /// both are returned with functions and views inlined.
    pub(super) fn check_alt_export(
        &mut self,
        a: &ast::TableAlt,
        ops: &BTreeMap<String, Operand>,
        used: &mut BTreeSet<String>,
    ) -> (Option<Export>, Option<ast::Block>) {
        let v = &self.v;
        let mut sc = Scope::new(v, ops);
        let mut errs = Vec::new();
        // A table inside an alternative gets its export and block, not its `after` block.
        for op in ops.values() {
            if let Operand::Table { table, .. } = op {
                let t = &self.v.tables[*table];
                if t.has_after() {
                    errs.push(
                        Diagnostic::error(
                            a.span,
                            format!("table `{}` has an `after` block, and is used inside another table", t.name),
                            "not supported yet",
                        )
                        .with_note("`after` blocks run for the tables an instruction names directly"),
                    );
                }
            }
        }
        let mut export = None;
        if let Some(e) = &a.export {
            match export_kind(&mut sc, e) {
                Ok(k) => export = Some(k),
                Err(d) => errs.push(d),
            }
        }
        if let Some(b) = &a.after {
            errs.extend(sc.block(b));
        }
        used.extend(sc.used);
        self.errs.extend(errs);
        // Functions and views inlined here must not read a name the alternative defines.
        let mut uses = Vec::new();
        let mut local: BTreeSet<String> = ops.keys().cloned().collect();
        if let Some(e) = &a.export {
            crate::inline::calls(&self.v, e, &mut uses);
        }
        if let Some(b) = &a.after {
            crate::inline::let_names(b, &mut local);
            crate::inline::block_uses(&self.v, b, &mut uses);
        }
        self.check_capture(&uses, &local);
        let export = export.map(|k| match k {
            Export::Value(e) => Export::Value(crate::inline::expr(&self.v, &e)),
            Export::RegFile { file, index } => Export::RegFile { file, index: crate::inline::expr(&self.v, &index) },
            Export::Mem { size, addr } => Export::Mem { size, addr: crate::inline::expr(&self.v, &addr) },
            r => r,
        });
        let after = a.after.as_ref().map(|b| crate::inline::block(&self.v, b));
        (export, after)
    }

    /// A table's export width and writability, once its alternatives are resolved: every
    /// alternative exports the same width, or none exports anything.
    pub(super) fn table_export(&mut self, ti: usize, alts: &[ast::TableAlt]) {
        let mut width: Option<(u32, crate::diag::Span)> = None;
        let mut writable = true;
        let t = &self.v.tables[ti];
        let mut errs = Vec::new();
        let any = alts.iter().any(|a| a.export.is_some());
        for (ins, a) in t.alts.iter().zip(alts) {
            match (&ins.export, &a.export) {
                (Some(k), Some(e)) => {
                    writable &= k.writable();
                    let w = export_width(&self.v, ins, k);
                    match (width, w) {
                        (Some((w0, s0)), Some(w)) if w != w0 => errs.push(
                            Diagnostic::error(
                                e.span(),
                                format!(
                                    "width mismatch: this alternative of `{}` exports {w} bits, an earlier one {w0}",
                                    t.name
                                ),
                                format!("{w} bits"),
                            )
                            .with_secondary(s0, format!("{w0} bits here")),
                        ),
                        (None, Some(w)) => width = Some((w, e.span())),
                        _ => {}
                    }
                }
                (None, None) if any => errs.push(Diagnostic::error(
                    a.span,
                    format!("this alternative of `{}` exports nothing, and others do", t.name),
                    "add `export ...`",
                )),
                _ => {}
            }
        }
        self.errs.extend(errs);
        let t = &mut self.v.tables[ti];
        t.export_width = width.map(|(w, _)| w);
        t.writable = width.is_some() && writable;
    }

    /// `sem` with the steps of its table operands around it: for each table operand whose
    /// alternatives export something or have blocks, the export and the alternative's block
    /// first, its `after` block last.
    pub(super) fn with_table_steps(&self, sem: &ast::Block, ops: &BTreeMap<String, Operand>) -> ast::Block {
        let mut before = Vec::new();
        let mut after = Vec::new();
        for (name, op) in ops {
            let Operand::Table { table, .. } = op else { continue };
            let t = &self.v.tables[*table];
            if t.has_before() {
                before.push(Stmt::Table { operand: name.clone(), after: false, span: sem.span });
            }
            if t.has_after() {
                after.push(Stmt::Table { operand: name.clone(), after: true, span: sem.span });
            }
        }
        if before.is_empty() && after.is_empty() {
            return sem.clone();
        }
        let mut stmts = before;
        stmts.extend(sem.stmts.iter().cloned());
        stmts.extend(after);
        ast::Block { stmts, span: sem.span }
    }
}

/// What an export expression is: `mem(N, address)`, a register or register-file element (a
/// location), or any other expression (a value).
fn export_kind(sc: &mut Scope, e: &Expr) -> Result<Export, Diagnostic> {
    if let Expr::Call(n, args, span) = e {
        if n.name == "mem" {
            if args.len() != 2 {
                return Err(Diagnostic::error(*span, "`mem` takes 2 arguments, the size and the address", "here"));
            }
            let size = match sc.const_eval(&args[0]) {
                Some(w) if [8, 16, 32, 64].contains(&w) => w as u32,
                _ => {
                    return Err(Diagnostic::error(args[0].span(), "a memory export's size", "expected 8, 16, 32 or 64"))
                }
            };
            sc.expr(&args[1])?;
            return Ok(Export::Mem { size, addr: args[1].clone() });
        }
    }
    sc.expr(e)?;
    Ok(match e {
        Expr::Name(i) if sc.v.regs.iter().any(|r| r.name == i.name) && sc.v.view(&i.name).is_none() => {
            Export::Reg(i.name.clone())
        }
        Expr::Index(base, idx, _) => match &**base {
            Expr::Name(f) if sc.v.regfiles.iter().any(|r| r.name == f.name) => {
                Export::RegFile { file: f.name.clone(), index: (**idx).clone() }
            }
            _ => Export::Value(e.clone()),
        },
        _ => Export::Value(e.clone()),
    })
}

/// The width an alternative's export has.
fn export_width(v: &Variant, ins: &Insn, k: &Export) -> Option<u32> {
    match k {
        Export::Mem { size, .. } => Some(*size),
        Export::Reg(r) => v.regs.iter().find(|x| &x.name == r).map(|r| r.width),
        Export::RegFile { file, .. } => v.regfiles.iter().find(|x| &x.name == file).map(|r| r.width),
        Export::Value(e) => {
            let mut sc = Scope::new(v, &ins.operands);
            sc.expr(e).ok().flatten()
        }
    }
}
