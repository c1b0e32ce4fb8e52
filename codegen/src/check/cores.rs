//! Core files and parameters: reads a `core NAME for ARCH;` file (its options, parameter
//! values and memory regions) and checks the spec's parameter declarations, `syntax`
//! settings and the values a core gives them.
//!
//! Must not look at state, encodings or instructions.

use super::{closest, item_span, Builder, CoreSel};
use crate::ast::{Item, Value};
use crate::diag::{Diagnostic, Diagnostics, Span};
use crate::load::Module;
use crate::model::*;
use std::collections::{BTreeMap, BTreeSet};

pub(super) fn read_core(
    m: &Module,
    isa: &str,
    declared: &BTreeMap<String, Span>,
    diags: &mut Diagnostics,
) -> Option<CoreSel> {
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

impl Builder<'_> {
    pub(super) fn pass_params(&mut self, items: &[(&Module, &Item)], core: &CoreSel) {
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
}
