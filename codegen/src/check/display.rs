//! Display templates, the assembly syntax of an instruction (`"add {rd}, {rs}, {rt}"`):
//! the template parser (text, `{{`/`}}`, `{EXPR}` and `{EXPR:FMT}` values, the `{#}`
//! comment marker), each value's format, and the type check of its expression and of the
//! display's condition. Positions map back to the spec source, also when the operands come
//! from a format's operand template.
//!
//! Must not look at encodings or semantics beyond the operands it is given.

use super::Builder;
use crate::ast;
use crate::diag::{Diagnostic, Span};
use crate::model::*;
use crate::typeck::Scope;
use std::collections::{BTreeMap, BTreeSet};

impl Builder<'_> {
    #[allow(clippy::too_many_arguments)]
    pub(super) fn parse_display(
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
            let mut sc = Scope::new(v, ops);
            sc.display = true;
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
        Ok(Display { parts, cond: cond.cloned(), span: base, asm_only: false })
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
        let mut sc = Scope::new(v, ops);
        sc.display = true;
        let r = sc.expr(e);
        used.extend(sc.used);
        r.map(|_| ())
    }
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
