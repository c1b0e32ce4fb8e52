//! Checking: turns loaded files into one checked [`Variant`] per core (or one for an
//! architecture without cores). Resolves names, checks widths, options and parameters,
//! parses display templates. Overlapping encodings are checked in `tree`.
//!
//! This file owns the driver ([`check_arch`]: the architecture's name, its cores, one
//! variant each) and what the passes share: the variant [`Builder`] and its error list,
//! source positions of items, operand widths and the "did you mean" suggestion. The passes
//! live beside it, in the order they run: `cores` (core files and parameters), `state`
//! (register files, registers, names, tokens, context, helpers, exceptions, formats),
//! `insns` (tables, instructions, prefixes) with `patterns` (encodings) and `display`
//! (display templates).

use crate::ast::{self, Item, Value};
use crate::diag::{Diagnostic, Diagnostics, Span};
use crate::load::{Loaded, Module};
use crate::model::*;
use std::collections::{BTreeMap, BTreeSet};

mod cores;
mod display;
mod epilogue;
mod exports;
mod functions;
mod insns;
mod next_pc;
mod patterns;
mod state;

use cores::read_core;

/// Build every variant of a loaded architecture. Errors go to `diags`.
pub fn check_arch(l: &Loaded, diags: &mut Diagnostics) -> Vec<Variant> {
    let mut isa = None;
    for m in &l.modules {
        for it in &m.ast.items {
            if let Item::Isa(i) = it {
                if isa.is_some() {
                    diags.list.push(Diagnostic::error(
                        i.span,
                        "a second `isa` declaration",
                        "only the root file names the architecture",
                    ));
                } else {
                    isa = Some(i.name.clone());
                }
            }
        }
    }
    let Some(isa) = isa else {
        if diags.has_errors() {
            return vec![];
        }
        let at = l.modules.first().map(|m| Span::new(m.file, 0, 1)).unwrap_or_default();
        diags.list.push(Diagnostic::error(
            at,
            "the root spec file does not name its architecture",
            "expected `isa NAME;` in this file",
        ));
        return vec![];
    };
    let declared_options: BTreeMap<String, Span> = l.modules.iter().filter_map(|m| m.option.clone()).collect();

    let mut cores: Vec<CoreSel> = Vec::new();
    for c in &l.cores {
        if let Some(sel) = read_core(c, &isa, &declared_options, diags) {
            if cores.iter().any(|x| x.name == sel.name) {
                diags.list.push(Diagnostic::error(
                    sel.span,
                    format!("core `{}` is defined twice", sel.name),
                    "second definition",
                ));
                continue;
            }
            cores.push(sel);
        }
    }
    if cores.is_empty() {
        cores.push(CoreSel {
            name: isa.clone(),
            span: Span::default(),
            options: declared_options.keys().cloned().collect(),
            params: vec![],
            regions: vec![],
        });
    }
    let mut out = Vec::new();
    let mut seen = BTreeSet::new();
    for core in &cores {
        let mut local = Vec::new();
        let v = build_variant(l, &isa, core, &mut local);
        for d in local {
            let key = (d.span, d.message.clone());
            if seen.insert(key) {
                diags.list.push(d);
            }
        }
        out.push(v);
    }
    out
}

struct CoreSel {
    name: String,
    span: Span,
    options: BTreeSet<String>,
    params: Vec<(ast::Ident, Value)>,
    regions: Vec<Region>,
}

fn closest<'a>(name: &str, cands: impl Iterator<Item = &'a String>) -> Option<&'a String> {
    cands.map(|c| (edit_distance(name, c), c)).filter(|(d, c)| *d <= (c.len() / 3).max(1)).min().map(|(_, c)| c)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let c = if ca == *cb { prev[j] } else { prev[j] + 1 };
            cur.push(c.min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

pub fn item_span(it: &Item) -> Span {
    match it {
        Item::Isa(i) | Item::Option(i) => i.span,
        Item::Use(_, s) => *s,
        Item::Syntax(i, _) => i.span,
        Item::Param { name, .. } => name.span,
        Item::Core { name, .. } => name.span,
        Item::Region { span, .. } | Item::RegFile { span, .. } | Item::Reg { span, .. } | Item::Token { span, .. } => {
            *span
        }
        Item::Names { name, .. } | Item::Format { name, .. } | Item::Table { name, .. } => name.span,
        Item::Context(v) => v.first().map(|c| c.name.span).unwrap_or_default(),
        Item::Prefix { span, .. } => *span,
        Item::Insn(i) => i.span,
        Item::Helper { name, .. } | Item::Exception { name, .. } => name.span,
        Item::Fn(f) => f.name.span,
        Item::Const { name, .. } => name.span,
        Item::Guard(g) => g.name.span,
        Item::View(v) => v.name.span,
        Item::Epilogue(_, span) => span.sub(0, 8),
        Item::NextPc { model, .. } => model.span,
    }
}

/// A format: its pattern, its operand template and its guards.
type FormatDef = (ast::Pattern, Option<(String, Span)>, Vec<ast::Ident>);

struct Builder<'l> {
    l: &'l Loaded,
    v: Variant,
    formats: BTreeMap<String, FormatDef>,
    /// Each format's assembler-only displays.
    format_asm: BTreeMap<String, Vec<ast::Display>>,
    /// Guards by name (`guard NAME: ...`).
    guards: BTreeMap<String, ast::GuardDecl>,
    /// The guards each table gives the instructions that use it.
    table_guards: BTreeMap<usize, Vec<ast::Ident>>,
    errs: Vec<Diagnostic>,
}

fn build_variant(l: &Loaded, isa: &str, core: &CoreSel, errs: &mut Vec<Diagnostic>) -> Variant {
    let v = Variant {
        isa: isa.to_string(),
        name: core.name.clone(),
        default_be: false,
        options: core.options.iter().cloned().collect(),
        params: BTreeMap::new(),
        syntax: Syntax::default(),
        regfiles: vec![],
        regs: vec![],
        names: BTreeMap::new(),
        tokens: vec![],
        context: vec![],
        prefixes: vec![],
        tables: vec![],
        insns: vec![],
        helpers: vec![],
        exceptions: BTreeMap::new(),
        regions: core.regions.clone(),
        fns: vec![],
        consts: vec![],
        views: vec![],
        epilogue: None,
        delay_slot: None,
    };
    let mut b = Builder {
        l,
        v,
        formats: BTreeMap::new(),
        format_asm: BTreeMap::new(),
        guards: BTreeMap::new(),
        table_guards: BTreeMap::new(),
        errs: vec![],
    };
    let items: Vec<(&Module, &Item)> = l
        .modules
        .iter()
        .filter(|m| m.option.as_ref().is_none_or(|(o, _)| core.options.contains(o)))
        .flat_map(|m| m.ast.items.iter().map(move |i| (m, i)))
        .collect();
    b.pass_params(&items, core);
    b.pass_state(&items);
    b.pass_next_pc(&items);
    b.pass_functions(&items);
    b.pass_epilogue(&items);
    b.pass_tables_and_insns(&items);
    errs.append(&mut b.errs);
    b.v
}

impl Builder<'_> {
    fn err(&mut self, d: Diagnostic) {
        self.errs.push(d);
    }

    fn origin(&self, span: Span) -> String {
        let m = self.l.modules.iter().find(|m| m.file == span.file);
        let path = m.map(|m| {
            let p = m.path.strip_prefix(self.l.dir.parent().unwrap_or(&self.l.dir)).unwrap_or(&m.path);
            p.display().to_string()
        });
        let line = m.map(|m| m.line_starts.partition_point(|&st| st <= span.start)).unwrap_or(0);
        format!("{}:{line}", path.unwrap_or_default())
    }
}

/// Width of an operand: a field's width, or a table's export (tables export nothing numeric).
pub fn operand_width(v: &Variant, o: &Operand) -> Option<u32> {
    match o {
        Operand::Field { token, field, .. } => Some(v.tokens[*token].fields[*field].width),
        Operand::Table { .. } => Some(64),
    }
}
