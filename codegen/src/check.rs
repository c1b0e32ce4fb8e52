//! Checking: turns loaded files into one checked [`Variant`] per core (or one for an
//! architecture without cores). Resolves names, checks widths, options and parameters,
//! parses display templates. Overlapping encodings are checked in `tree`.

use crate::ast::{self, Item, Value};
use crate::diag::{Diagnostic, Diagnostics, Span};
use crate::load::{Loaded, Module};
use crate::model::*;
use crate::typeck::Scope;
use std::collections::{BTreeMap, BTreeSet};

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

fn read_core(m: &Module, isa: &str, declared: &BTreeMap<String, Span>, diags: &mut Diagnostics) -> Option<CoreSel> {
    let mut sel: Option<CoreSel> = None;
    for it in &m.ast.items {
        match it {
            Item::Core { name, arch } => {
                if arch.name != isa {
                    diags.list.push(Diagnostic::error(
                        arch.span,
                        format!("core `{}` is for `{}`, but this folder holds `{isa}`", name.name, arch.name),
                        format!("expected `{isa}`"),
                    ));
                }
                sel = Some(CoreSel {
                    name: name.name.clone(),
                    span: name.span,
                    options: BTreeSet::new(),
                    params: vec![],
                    regions: vec![],
                });
            }
            other => {
                let Some(s) = sel.as_mut() else {
                    diags.list.push(Diagnostic::error(
                        item_span(other),
                        "a core file must start with `core NAME for ARCH;`",
                        "expected `core` first",
                    ));
                    return None;
                };
                match other {
                    Item::Option(o) => {
                        if !declared.contains_key(&o.name) {
                            let mut d = Diagnostic::error(
                                o.span,
                                format!("unknown option `{}`", o.name),
                                format!("no option module declares `option {};`", o.name),
                            );
                            if let Some(best) = closest(&o.name, declared.keys()) {
                                d = d.with_note(format!("did you mean `{best}`?"));
                            }
                            diags.list.push(d);
                        } else {
                            s.options.insert(o.name.clone());
                        }
                    }
                    Item::Param { name, value, .. } => s.params.push((name.clone(), value.clone())),
                    Item::Region { name, kind, base, size, .. } => {
                        if kind.name != "ram" && kind.name != "rom" {
                            diags.list.push(Diagnostic::error(
                                kind.span,
                                "unknown region kind",
                                "expected `ram` or `rom`",
                            ));
                        }
                        s.regions.push(Region {
                            name: name.name.clone(),
                            kind: kind.name.clone(),
                            base: *base,
                            size: *size,
                        });
                    }
                    other => diags.list.push(Diagnostic::error(
                        item_span(other),
                        "not allowed in a core file",
                        "a core holds only `option`, `param` and `region` lines",
                    )),
                }
            }
        }
    }
    if sel.is_none() {
        diags.list.push(Diagnostic::error_nospan(format!("{}: empty core file", m.path.display())));
    }
    sel
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
    }
}

fn param_value(v: &Value) -> ParamValue {
    match v {
        Value::Int(i, _) => ParamValue::Int(*i),
        Value::Str(s, _) => ParamValue::Str(s.clone()),
        Value::Bool(b, _) => ParamValue::Bool(*b),
        Value::Ident(i) => ParamValue::Ident(i.name.clone()),
        Value::List(l, _) => ParamValue::List(l.iter().map(param_value).collect()),
    }
}

fn type_ok(ty: &str, v: &Value) -> bool {
    match (ty, v) {
        ("int", Value::Int(..))
        | ("bool", Value::Bool(..))
        | ("string", Value::Str(..))
        | ("list", Value::List(..)) => true,
        ("endian", Value::Ident(i)) => i.name == "little" || i.name == "big",
        ("ident", Value::Ident(_)) => true,
        _ => false,
    }
}

struct Builder<'l> {
    l: &'l Loaded,
    v: Variant,
    formats: BTreeMap<String, (ast::Pattern, Option<(String, Span)>)>,
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
    };
    let mut b = Builder { l, v, formats: BTreeMap::new(), errs: vec![] };
    let items: Vec<(&Module, &Item)> = l
        .modules
        .iter()
        .filter(|m| m.option.as_ref().is_none_or(|(o, _)| core.options.contains(o)))
        .flat_map(|m| m.ast.items.iter().map(move |i| (m, i)))
        .collect();
    b.pass_params(&items, core);
    b.pass_state(&items);
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

    fn pass_params(&mut self, items: &[(&Module, &Item)], core: &CoreSel) {
        let mut types: BTreeMap<String, Option<String>> = BTreeMap::new();
        for (_, it) in items {
            if let Item::Param { name, ty, value } = it {
                if let Some(t) = ty {
                    if !["int", "bool", "endian", "list", "ident", "string"].contains(&t.name.as_str()) {
                        self.err(Diagnostic::error(
                            t.span,
                            format!("unknown parameter type `{}`", t.name),
                            "expected int, bool, endian, list, ident or string",
                        ));
                    } else if !type_ok(&t.name, value) {
                        self.err(Diagnostic::error(
                            value.span(),
                            format!("this value is not of type `{}`", t.name),
                            "wrong type",
                        ));
                    }
                }
                if self.v.params.contains_key(&name.name) {
                    self.err(Diagnostic::error(
                        name.span,
                        format!("parameter `{}` is declared twice", name.name),
                        "second declaration",
                    ));
                }
                types.insert(name.name.clone(), ty.as_ref().map(|t| t.name.clone()));
                self.v.params.insert(name.name.clone(), param_value(value));
            }
            if let Item::Syntax(k, val) = it {
                match (k.name.as_str(), val) {
                    ("mnemonic_pad", Value::Int(n, _)) => self.v.syntax.mnemonic_pad = Some(*n as u32),
                    _ => self.err(Diagnostic::error(
                        k.span,
                        format!("unknown syntax setting `{}`", k.name),
                        "expected `mnemonic_pad = N`",
                    )),
                }
            }
        }
        for (name, value) in &core.params {
            match types.get(&name.name) {
                None => {
                    let mut d = Diagnostic::error(
                        name.span,
                        format!("unknown parameter `{}`", name.name),
                        "not declared by the spec or its enabled options",
                    );
                    if let Some(best) = closest(&name.name, types.keys()) {
                        d = d.with_note(format!("did you mean `{best}`?"));
                    }
                    self.err(d);
                }
                Some(Some(t)) if !type_ok(t, value) => {
                    self.err(Diagnostic::error(value.span(), format!("this value is not of type `{t}`"), "wrong type"));
                }
                _ => {
                    self.v.params.insert(name.name.clone(), param_value(value));
                }
            }
        }
        self.v.default_be = matches!(self.v.params.get("ENDIAN"), Some(ParamValue::Ident(e)) if e == "big");
    }

    fn pass_state(&mut self, items: &[(&Module, &Item)]) {
        let mut names_seen: BTreeSet<String> = BTreeSet::new();
        let mut claim = |errs: &mut Vec<Diagnostic>, n: &ast::Ident| {
            if !names_seen.insert(n.name.clone()) {
                errs.push(Diagnostic::error(n.span, format!("`{}` is defined twice", n.name), "second definition"));
            }
        };
        for (_, it) in items {
            match it {
                Item::RegFile { name, count, width, attrs, .. } => {
                    claim(&mut self.errs, name);
                    let n = match count {
                        ast::Count::Int(n, _) => *n,
                        ast::Count::Param(p) => match self.v.params.get(&p.name) {
                            Some(ParamValue::Int(n)) => *n as u64,
                            _ => {
                                self.err(Diagnostic::error(
                                    p.span,
                                    format!("unknown integer parameter `{}`", p.name),
                                    "register count must be a number or an int parameter",
                                ));
                                0
                            }
                        },
                    };
                    let mut rf = RegFile {
                        name: name.name.clone(),
                        count: n,
                        width: *width,
                        names: (0..n).map(|i| format!("{}{i}", name.name)).collect(),
                        zero: None,
                    };
                    for (k, val) in attrs {
                        match (k.name.as_str(), val) {
                            ("names", Value::List(l, s)) => {
                                let ns: Vec<String> = l
                                    .iter()
                                    .map(|x| match x {
                                        Value::Str(s, _) => s.clone(),
                                        Value::Ident(i) => i.name.clone(),
                                        _ => String::new(),
                                    })
                                    .collect();
                                if ns.len() as u64 != n {
                                    self.err(Diagnostic::error(
                                        *s,
                                        format!("{} names for {n} registers", ns.len()),
                                        "wrong number of names",
                                    ));
                                }
                                for (i, nm) in ns.into_iter().enumerate() {
                                    if i < rf.names.len() {
                                        rf.names[i] = nm;
                                    }
                                }
                            }
                            ("names", Value::Str(p, _)) => {
                                rf.names = (0..n).map(|i| p.replace("{}", &i.to_string())).collect();
                            }
                            ("zero", Value::Int(z, _)) => rf.zero = Some(*z as u64),
                            _ => self.err(Diagnostic::error(
                                k.span,
                                format!("unknown register file attribute `{}`", k.name),
                                "expected `names` or `zero`",
                            )),
                        }
                    }
                    self.v.regfiles.push(rf);
                }
                Item::Reg { name, width, fields, .. } => {
                    claim(&mut self.errs, name);
                    let mut fs = Vec::new();
                    for (f, r) in fields {
                        if r.hi >= *width {
                            self.err(Diagnostic::error(
                                r.span,
                                format!(
                                    "width mismatch: bit {} is outside the {width}-bit register `{}`",
                                    r.hi, name.name
                                ),
                                "out of range",
                            ));
                        }
                        fs.push((f.name.clone(), r.hi, r.lo));
                    }
                    self.v.regs.push(Reg { name: name.name.clone(), width: *width, fields: fs });
                }
                Item::Names { name, entries } => {
                    let e = self.v.names.entry(name.name.clone()).or_default();
                    for (k, s, sp) in entries {
                        if e.insert(*k, s.clone()).is_some() {
                            self.errs.push(Diagnostic::error(
                                *sp,
                                format!("`{}` has two names for {k}", name.name),
                                "duplicate entry",
                            ));
                        }
                    }
                }
                Item::Token { name, width, order, fields, .. } => {
                    claim(&mut self.errs, name);
                    if *width == 0 || width % 8 != 0 || *width > 64 {
                        self.err(Diagnostic::error(
                            name.span,
                            format!("token width {width} is not a whole number of bytes up to 64"),
                            "bad width",
                        ));
                    }
                    let mut fs: Vec<Field> = Vec::new();
                    for f in fields {
                        if fs.iter().any(|x| x.name == f.name.name) {
                            self.err(Diagnostic::error(
                                f.name.span,
                                format!("field `{}` is defined twice in token `{}`", f.name.name, name.name),
                                "second definition",
                            ));
                            continue;
                        }
                        let conv = |r: &ast::Ranges, errs: &mut Vec<Diagnostic>| -> (Vec<(u32, u32)>, u32) {
                            let mut w = 0;
                            let mut v = Vec::new();
                            for p in &r.parts {
                                if p.hi >= *width {
                                    errs.push(Diagnostic::error(
                                        p.span,
                                        format!(
                                            "width mismatch: bit {} is outside the {width}-bit token `{}`",
                                            p.hi, name.name
                                        ),
                                        "out of range",
                                    ));
                                }
                                w += p.hi - p.lo + 1;
                                v.push((p.hi, p.lo));
                            }
                            (v, w)
                        };
                        let (little, wl) = conv(&f.little, &mut self.errs);
                        let (big, wb) = match &f.big {
                            Some(b) => conv(b, &mut self.errs),
                            None => (little.clone(), wl),
                        };
                        if wl != wb {
                            self.err(Diagnostic::error(
                                f.name.span,
                                format!(
                                    "width mismatch: field `{}` is {wl} bits little-endian but {wb} bits big-endian",
                                    f.name.name
                                ),
                                "layouts differ in width",
                            ));
                        }
                        if wl > 64 {
                            self.err(Diagnostic::error(f.name.span, "a field is at most 64 bits", "too wide"));
                        }
                        fs.push(Field { name: f.name.name.clone(), width: wl, little, big });
                    }
                    self.v.tokens.push(Token { name: name.name.clone(), width: *width, order: *order, fields: fs });
                }
                Item::Context(vars) => {
                    for c in vars {
                        claim(&mut self.errs, &c.name);
                        self.v.context.push(CtxVar {
                            name: c.name.name.clone(),
                            width: c.width,
                            derived: c.derived.clone(),
                        });
                    }
                }
                Item::Helper { name, params, ret, flags } => {
                    claim(&mut self.errs, name);
                    let n = name.name.as_str();
                    if crate::typeck::is_intrinsic(n) {
                        self.err(Diagnostic::error(
                            name.span,
                            format!("`{n}` is a built-in function of the spec language"),
                            "a helper cannot take its name",
                        ));
                    }
                    let (mut reads, mut writes) = (Vec::new(), Vec::new());
                    for (f, regs) in flags {
                        if !["pure", "reads", "writes", "raises", "mode"].contains(&f.name.as_str()) {
                            self.err(Diagnostic::error(
                                f.span,
                                format!("unknown helper flag `{}`", f.name),
                                "expected pure, reads, writes, raises or mode",
                            ));
                            continue;
                        }
                        if !regs.is_empty() && !["reads", "writes"].contains(&f.name.as_str()) {
                            self.err(Diagnostic::error(
                                f.span,
                                format!("helper flag `{}` takes no registers", f.name),
                                "only `reads(...)` and `writes(...)` name registers",
                            ));
                        }
                        for r in regs {
                            // Registers and register files are declared earlier in the spec.
                            let known = self.v.regs.iter().any(|x| x.name == r.name)
                                || self.v.regfiles.iter().any(|x| x.name == r.name);
                            if !known {
                                self.err(Diagnostic::error(
                                    r.span,
                                    format!("`{}` is not a register or register file", r.name),
                                    "`reads(...)`/`writes(...)` name the CPU state the helper touches",
                                ));
                            }
                            if f.name == "reads" {
                                reads.push(r.name.clone());
                            } else if f.name == "writes" {
                                writes.push(r.name.clone());
                            }
                        }
                    }
                    self.v.helpers.push(Helper {
                        name: name.name.clone(),
                        params: params.iter().map(|(n, w)| (n.name.clone(), *w)).collect(),
                        ret: *ret,
                        flags: flags.iter().map(|(f, _)| f.name.clone()).collect(),
                        reads,
                        writes,
                    });
                }
                Item::Exception { name, code } => {
                    claim(&mut self.errs, name);
                    self.v.exceptions.insert(name.name.clone(), *code);
                }
                Item::Format { name, pattern, operands } => {
                    claim(&mut self.errs, name);
                    self.formats.insert(name.name.clone(), (pattern.clone(), operands.clone()));
                }
                Item::Table { name, .. } => {
                    claim(&mut self.errs, name);
                }
                _ => {}
            }
        }
        // Context derivations are checked once every variable is known.
        let empty = BTreeMap::new();
        let ow = |_: &Operand| None;
        for c in self.v.context.clone() {
            if let Some(e) = &c.derived {
                let mut sc = Scope {
                    v: &self.v,
                    operands: &empty,
                    operand_width: &ow,
                    locals: vec![],
                    allow_pc: false,
                    display: false,
                    used: BTreeSet::new(),
                };
                match sc.expr(e) {
                    Ok(Some(w)) if w != c.width => self.err(Diagnostic::error(
                        e.span(),
                        format!(
                            "width mismatch: context variable `{}` is {} bits, its value {w} bits",
                            c.name, c.width
                        ),
                        "wrong width",
                    )),
                    Err(d) => self.err(d),
                    _ => {}
                }
            }
        }
    }

    fn pass_tables_and_insns(&mut self, items: &[(&Module, &Item)]) {
        // Tables first get an index so patterns can name them; alternatives are resolved after.
        for (_, it) in items {
            if let Item::Table { name, .. } = it {
                self.v.tables.push(Table { name: name.name.clone(), alts: vec![], span: name.span });
            }
        }
        let mut insn_names = BTreeSet::new();
        for (_, it) in items {
            match it {
                Item::Table { name, alts } => {
                    let ti = self.v.table_index(&name.name).expect("table indexed");
                    let mut resolved = Vec::new();
                    for (i, a) in alts.iter().enumerate() {
                        if let Some(ins) = self.resolve_insn(
                            &format!("{}#{i}", name.name),
                            &a.pattern,
                            &a.displays,
                            a.sem.as_ref(),
                            a.span,
                            true,
                        ) {
                            resolved.push(ins);
                        }
                    }
                    self.v.tables[ti].alts = resolved;
                }
                Item::Insn(d) => {
                    if !insn_names.insert(d.name.name.clone()) {
                        self.err(Diagnostic::error(
                            d.name.span,
                            format!("instruction `{}` is defined twice", d.name.name),
                            "second definition",
                        ));
                        continue;
                    }
                    if let Some(ins) =
                        self.resolve_insn(&d.name.name, &d.pattern, &d.displays, d.sem.as_ref(), d.span, false)
                    {
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

    /// Resolve a pattern; fills `ops` with operand names. Returns the pattern and the
    /// operand template of a format it used.
    fn resolve_pattern(
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
                if let Some((fp, fo)) = self.formats.get(&a.name.name).cloned() {
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

    fn resolve_insn(
        &mut self,
        name: &str,
        pattern: &ast::Pattern,
        displays: &[ast::Display],
        sem: Option<&ast::Block>,
        span: Span,
        in_table: bool,
    ) -> Option<Insn> {
        let mut ops = BTreeMap::new();
        let (pat, fmt_ops) = self.resolve_pattern(pattern, &mut ops)?;
        let mut disp = Vec::new();
        let mut used = BTreeSet::new();
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
                Ok(x) => disp.push(x),
                Err(e) => {
                    self.err(e);
                    return None;
                }
            }
        }
        if let Some(b) = sem {
            let v = &self.v;
            let ow = |o: &Operand| operand_width(v, o);
            let mut sc = Scope {
                v,
                operands: &ops,
                operand_width: &ow,
                locals: vec![],
                allow_pc: true,
                display: false,
                used: BTreeSet::new(),
            };
            let errs = sc.block(b);
            used.extend(sc.used);
            self.errs.extend(errs);
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
            sem: sem.cloned(),
            span,
            origin,
        })
    }

    /// Warn about token bits an instruction neither fixes nor reads (its decoding ignores
    /// them). Positions where a table reads the token are skipped: the table uses those bits.
    fn warn_unused_bits(&mut self, name: &str, span: Span, pat: &Pattern, ops: &BTreeMap<String, Operand>) {
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

    #[allow(clippy::too_many_arguments)]
    fn parse_display(
        &mut self,
        template: &str,
        base: Span,
        using_fmt: bool,
        own_len: usize,
        ops: &BTreeMap<String, Operand>,
        cond: Option<&ast::Expr>,
        used: &mut BTreeSet<String>,
    ) -> Result<Display, Diagnostic> {
        let mut parts = Vec::new();
        let mut text = String::new();
        let bytes: Vec<char> = template.chars().collect();
        let mut i = 0;
        // Byte offsets in the template map to the source only for the insn's own text.
        let map = |byte_off: usize| -> usize {
            if using_fmt {
                // Template is "MNEMONIC OPERANDS"; the operands come from the format string.
                byte_off.saturating_sub(own_len + 1)
            } else {
                byte_off
            }
        };
        let mut byte_pos = 0usize;
        while i < bytes.len() {
            let c = bytes[i];
            if c == '{' && bytes.get(i + 1) == Some(&'{') {
                text.push('{');
                i += 2;
                byte_pos += 2;
                continue;
            }
            if c == '}' && bytes.get(i + 1) == Some(&'}') {
                text.push('}');
                i += 2;
                byte_pos += 2;
                continue;
            }
            if c == '{' {
                let start = byte_pos + 1;
                let mut j = i + 1;
                let mut depth = 0;
                let mut inner = String::new();
                while j < bytes.len() && !(bytes[j] == '}' && depth == 0) {
                    if bytes[j] == '(' || bytes[j] == '[' {
                        depth += 1;
                    }
                    if bytes[j] == ')' || bytes[j] == ']' {
                        depth -= 1;
                    }
                    inner.push(bytes[j]);
                    j += 1;
                }
                if j >= bytes.len() {
                    return Err(Diagnostic::error(
                        base.sub(map(byte_pos), map(byte_pos) + 1),
                        "unclosed `{` in display",
                        "expected `}`",
                    ));
                }
                if !text.is_empty() {
                    parts.push(DisplayPart::Text(std::mem::take(&mut text)));
                }
                if inner.trim() == "#" {
                    // `{#}`: the rest of the display is a trailing comment.
                    parts.push(DisplayPart::Comment);
                    byte_pos += inner.len() + 2;
                    i = j + 1;
                    continue;
                }
                // Split off a format spec after the last top-level ':' not inside [].
                let (expr_text, fmt_text) = split_fmt(&inner);
                let espan = base.sub(map(start), map(start) + expr_text.len());
                let expr = crate::parse::parse_expr(expr_text, espan)?;
                let fmt = self.display_fmt(&expr, fmt_text, espan, ops)?;
                self.check_display_expr(&expr, &fmt, ops, used)?;
                parts.push(DisplayPart::Value { expr, fmt });
                byte_pos += inner.len() + 2;
                i = j + 1;
                continue;
            }
            text.push(c);
            byte_pos += c.len_utf8();
            i += 1;
        }
        if !text.is_empty() {
            parts.push(DisplayPart::Text(text));
        }
        if let Some(c) = cond {
            let v = &self.v;
            let ow = |o: &Operand| operand_width(v, o);
            let mut sc = Scope {
                v,
                operands: ops,
                operand_width: &ow,
                locals: vec![],
                allow_pc: true,
                display: true,
                used: BTreeSet::new(),
            };
            let t = sc.expr(c)?;
            used.extend(sc.used);
            if let Some(w) = t {
                if w != 1 {
                    return Err(Diagnostic::error(
                        c.span(),
                        format!("width mismatch: a display condition must be 1 bit, this is {w} bits"),
                        "not a condition",
                    ));
                }
            }
        }
        Ok(Display { parts, cond: cond.cloned(), span: base })
    }

    fn display_fmt(
        &mut self,
        e: &ast::Expr,
        f: Option<&str>,
        span: Span,
        ops: &BTreeMap<String, Operand>,
    ) -> Result<Fmt, Diagnostic> {
        if let ast::Expr::Name(n) = e {
            if let Some(Operand::Table { table, .. }) = ops.get(&n.name) {
                return Ok(Fmt::Table(*table));
            }
        }
        if let ast::Expr::Index(b, _, _) = e {
            if let ast::Expr::Name(n) = &**b {
                if self.v.regfiles.iter().any(|r| r.name == n.name) && f.is_none() {
                    return Ok(Fmt::RegName(n.name.clone()));
                }
                if self.v.names.contains_key(&n.name) && f.is_none() {
                    return Ok(Fmt::Names(n.name.clone()));
                }
            }
        }
        Ok(match f {
            None | Some("u") | Some("d") => Fmt::Unsigned,
            Some("s") => Fmt::Signed,
            Some("x") => Fmt::Hex,
            Some("sx") => Fmt::SignedHex,
            Some("a") => Fmt::Addr,
            Some(other) => {
                if self.v.names.contains_key(other) || self.v.regfiles.iter().any(|r| r.name == other) {
                    Fmt::Names(other.to_string())
                } else {
                    return Err(Diagnostic::error(
                        span,
                        format!("unknown display format `{other}`"),
                        "expected u, s, x, sx, a, or a names table or register file",
                    ));
                }
            }
        })
    }

    fn check_display_expr(
        &mut self,
        e: &ast::Expr,
        fmt: &Fmt,
        ops: &BTreeMap<String, Operand>,
        used: &mut BTreeSet<String>,
    ) -> Result<(), Diagnostic> {
        if let Fmt::Table(_) = fmt {
            if let ast::Expr::Name(n) = e {
                used.insert(n.name.clone());
            }
            return Ok(());
        }
        let v = &self.v;
        let ow = |o: &Operand| operand_width(v, o);
        let mut sc = Scope {
            v,
            operands: ops,
            operand_width: &ow,
            locals: vec![],
            allow_pc: true,
            display: true,
            used: BTreeSet::new(),
        };
        let r = sc.expr(e);
        used.extend(sc.used);
        r.map(|_| ())
    }
}

/// Width of an operand: a field's width, or a table's export (tables export nothing numeric).
pub fn operand_width(v: &Variant, o: &Operand) -> Option<u32> {
    match o {
        Operand::Field { token, field, .. } => Some(v.tokens[*token].fields[*field].width),
        Operand::Table { .. } => Some(64),
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

fn split_fmt(inner: &str) -> (&str, Option<&str>) {
    let mut depth = 0i32;
    let mut last = None;
    for (i, c) in inner.char_indices() {
        match c {
            '[' | '(' => depth += 1,
            ']' | ')' => depth -= 1,
            ':' if depth == 0 => last = Some(i),
            _ => {}
        }
    }
    match last {
        Some(i) => (&inner[..i], Some(inner[i + 1..].trim())),
        None => (inner, None),
    }
}
