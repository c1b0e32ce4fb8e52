//! The state pass: register files, registers and their fields, names tables, tokens and
//! their fields, context variables and their derivations, helpers, exceptions and formats,
//! each name defined once.
//!
//! Must not resolve encodings or instructions (the `insns` pass does, once every name
//! here is known).

use super::Builder;
use crate::ast::{self, Item, Value};
use crate::diag::Diagnostic;
use crate::load::Module;
use crate::model::*;
use crate::typeck::Scope;
use std::collections::{BTreeMap, BTreeSet};

impl Builder<'_> {
    /// Refuse a declared width the IR cannot carry (0, or more than [`IR_MAX_BITS`]).
    pub(super) fn check_ir_width(&mut self, span: crate::diag::Span, w: u32, what: &str) {
        if w == 0 || w > IR_MAX_BITS {
            self.err(
                Diagnostic::error(
                    span,
                    format!("{what} of {w} bits: the IR carries values of 1 to {IR_MAX_BITS} bits"),
                    format!("{w} bits"),
                )
                .with_note("split a wider value into parts of at most 64 bits"),
            );
        }
    }

    pub(super) fn pass_state(&mut self, items: &[(&Module, &Item)]) {
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
                    self.check_ir_width(name.span, *width, "a register file's element");
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
                        window: None,
                    };
                    let mut window: (Option<u64>, Option<ast::Ident>, Option<u64>) = (None, None, None);
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
                            ("physical", Value::Int(p, _)) => window.0 = Some(*p as u64),
                            ("physical", Value::Ident(p)) => match self.v.params.get(&p.name) {
                                Some(ParamValue::Int(n)) => window.0 = Some(*n as u64),
                                _ => self.err(Diagnostic::error(
                                    p.span,
                                    format!("unknown integer parameter `{}`", p.name),
                                    "the physical register count must be a number or an int parameter",
                                )),
                            },
                            ("base", Value::Ident(r)) => window.1 = Some(r.clone()),
                            ("unit", Value::Int(u, _)) => window.2 = Some(*u as u64),
                            _ => self.err(Diagnostic::error(
                                k.span,
                                format!("unknown register file attribute `{}`", k.name),
                                "expected `names`, `zero`, or a window's `physical`, `base` and `unit`",
                            )),
                        }
                    }
                    match window {
                        (None, None, None) => {}
                        (Some(physical), Some(base), Some(unit)) => {
                            let known = self.v.regs.iter().any(|r| r.name == base.name);
                            if !known {
                                self.err(Diagnostic::error(
                                    base.span,
                                    format!("`{}` is not a register declared before this file", base.name),
                                    "the window base must be a register",
                                ));
                            } else if !physical.is_power_of_two() || physical < n || unit == 0 {
                                self.err(
                                    Diagnostic::error(
                                        name.span,
                                        format!("a window of {n} into {physical} registers in steps of {unit}"),
                                        "bad window",
                                    )
                                    .with_note("the physical count must be a power of two, at least the window's size; the unit at least 1"),
                                );
                            }
                            rf.window = Some(Window { physical, base: base.name.clone(), unit });
                        }
                        _ => self.err(Diagnostic::error(
                            name.span,
                            format!("register file `{}` names part of a window", name.name),
                            "a windowed file gives `physical`, `base` and `unit`",
                        )),
                    }
                    self.v.regfiles.push(rf);
                }
                Item::Reg { name, width, fields, .. } => {
                    claim(&mut self.errs, name);
                    self.check_ir_width(name.span, *width, "a register");
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
                        self.check_ir_width(c.name.span, c.width, "a context variable");
                        self.v.context.push(CtxVar {
                            name: c.name.name.clone(),
                            width: c.width,
                            derived: c.derived.clone(),
                            bound: None,
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
                    for (p, w) in params {
                        self.check_ir_width(p.span, *w, "a helper argument");
                    }
                    if let Some(w) = ret {
                        self.check_ir_width(name.span, *w, "a helper result");
                    }
                    if params.len() > IR_MAX_HELPER_ARGS {
                        self.err(Diagnostic::error(
                            name.span,
                            format!(
                                "helper `{n}` takes {} arguments; a helper call passes at most {IR_MAX_HELPER_ARGS}",
                                params.len()
                            ),
                            "too many arguments",
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
                Item::Format { name, pattern, operands, asm, guards } => {
                    claim(&mut self.errs, name);
                    self.formats.insert(name.name.clone(), (pattern.clone(), operands.clone(), guards.clone()));
                    self.format_asm.insert(name.name.clone(), asm.clone());
                }
                Item::Table { name, .. } => {
                    claim(&mut self.errs, name);
                }
                Item::Fn(f) => {
                    claim(&mut self.errs, &f.name);
                    if crate::typeck::is_intrinsic(&f.name.name) {
                        self.err(Diagnostic::error(
                            f.name.span,
                            format!("`{}` is a built-in function of the spec language", f.name.name),
                            "a function cannot take its name",
                        ));
                    }
                    for (p, w) in &f.params {
                        self.check_ir_width(p.span, *w, "a function parameter");
                    }
                    self.check_ir_width(f.name.span, f.ret, "a function result");
                    self.v.fns.push(SpecFn {
                        name: f.name.name.clone(),
                        params: f.params.iter().map(|(n, w)| (n.name.clone(), *w)).collect(),
                        ret: f.ret,
                        body: f.body.clone(),
                        span: f.span,
                    });
                }
                Item::Const { name, len, width, values, span } => {
                    claim(&mut self.errs, name);
                    let span = *span;
                    self.check_ir_width(name.span, *width, "a constant table's element");
                    if values.len() as u64 != *len {
                        self.err(Diagnostic::error(
                            span,
                            format!("{} values for a table of {len}", values.len()),
                            "wrong number of values",
                        ));
                    }
                    let mut out = Vec::new();
                    for x in values {
                        match x {
                            Value::Int(i, s) => {
                                let w = (*width).min(64);
                                let fits = if *i < 0 {
                                    w == 64 || *i >= -(1i128 << (w - 1))
                                } else {
                                    w == 64 && *i <= u64::MAX as i128 || w < 64 && *i < (1i128 << w)
                                };
                                if !fits {
                                    self.err(Diagnostic::error(
                                        *s,
                                        format!("width mismatch: {i} does not fit in {width} bits"),
                                        "too wide for the table",
                                    ));
                                }
                                out.push((*i as u64) & ones(w));
                            }
                            other => self.err(Diagnostic::error(
                                other.span(),
                                "a constant table holds numbers",
                                "expected a number",
                            )),
                        }
                    }
                    self.v.consts.push(ConstTable { name: name.name.clone(), width: *width, values: out });
                }
                Item::View(d) => {
                    claim(&mut self.errs, &d.name);
                    self.check_ir_width(d.name.span, d.width, "a view's element");
                    if d.index.1 == 0 || d.index.1 > 16 {
                        self.err(Diagnostic::error(
                            d.index.0.span,
                            format!("a view index of {} bits", d.index.1),
                            "expected 1 to 16 bits",
                        ));
                    }
                    self.v.views.push(View {
                        name: d.name.name.clone(),
                        index: d.index.0.name.clone(),
                        index_width: d.index.1,
                        width: d.width,
                        read: d.read.clone(),
                        value: d.value.name.clone(),
                        write: d.write.clone(),
                        span: d.span,
                    });
                }
                Item::Guard(g) => {
                    claim(&mut self.errs, &g.name);
                    self.guards.insert(g.name.name.clone(), g.clone());
                }
                _ => {}
            }
        }
        // A constant table and a `names` table of one name would make `x[i]` in a display
        // ambiguous (a number or a text).
        for (_, it) in items {
            if let Item::Const { name, .. } = it {
                if self.v.names.contains_key(&name.name) {
                    self.err(Diagnostic::error(
                        name.span,
                        format!("`{}` is also a `names` table", name.name),
                        "a constant table needs a name of its own",
                    ));
                }
            }
        }
        self.bind_context(items);
        // Context derivations are checked once every variable is known.
        let empty = BTreeMap::new();
        for c in self.v.context.clone() {
            if let Some(e) = &c.derived {
                let mut sc = Scope::new(&self.v, &empty);
                sc.allow_pc = false;
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

    /// Resolve `bound REG[.FIELD]` of persistent context variables (once every register is
    /// known): the field exists, has the variable's width, and all of them fit the block
    /// key's 64-bit context word.
    fn bind_context(&mut self, items: &[(&Module, &Item)]) {
        let mut key_off = 0u32;
        for (_, it) in items {
            let Item::Context(vars) = it else { continue };
            for c in vars {
                let Some((reg, field)) = &c.bound else { continue };
                let Some(r) = self.v.regs.iter().find(|r| r.name == reg.name).cloned() else {
                    let what = if self.v.regfiles.iter().any(|f| f.name == reg.name) {
                        "a register file: persistent context lives in a register or one of its fields"
                    } else {
                        "expected a register declared with `reg`"
                    };
                    self.err(Diagnostic::error(reg.span, format!("`{}` is not a register", reg.name), what));
                    continue;
                };
                let (w, lo, fname) = match field {
                    None => (r.width, 0, None),
                    Some(f) => match r.fields.iter().find(|(n, _, _)| *n == f.name) {
                        Some((n, hi, lo)) => (hi - lo + 1, *lo, Some(n.clone())),
                        None => {
                            self.err(Diagnostic::error(
                                f.span,
                                format!("register `{}` has no field `{}`", r.name, f.name),
                                "unknown field",
                            ));
                            continue;
                        }
                    },
                };
                if w != c.width {
                    let at = field.as_ref().unwrap_or(reg);
                    self.err(Diagnostic::error(
                        at.span,
                        format!("`{}` is a {}-bit context variable, bound to a {w}-bit field", c.name.name, c.width),
                        "wrong width",
                    ));
                    continue;
                }
                if key_off + c.width > 64 {
                    self.err(
                        Diagnostic::error(
                            c.name.span,
                            format!("persistent context of {} bits", key_off + c.width),
                            "the block key holds at most 64 bits of persistent context",
                        )
                        .with_note("bind fewer or narrower variables"),
                    );
                    continue;
                }
                if let Some(cv) = self.v.context.iter_mut().find(|v| v.name == c.name.name) {
                    cv.bound = Some(Bound { reg: r.name.clone(), field: fname, lo, key_off });
                }
                key_off += c.width;
            }
        }
    }
}
