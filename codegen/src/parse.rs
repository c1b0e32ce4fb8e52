//! Parsing: spec text (pest grammar in `grammar.pest`) to the syntax tree in `ast`.
//! Syntax errors become diagnostics with file:line:column; nothing here resolves names.

use crate::ast::*;
use crate::diag::{Diagnostic, Span};
use pest::iterators::Pair;
use pest::Parser;

#[derive(pest_derive::Parser)]
#[grammar = "grammar.pest"]
struct SpecParser;

/// Parse one file's text. `file` is the id in the source map, used for spans.
pub fn parse_file(text: &str, file: u32) -> Result<SpecFile, Diagnostic> {
    pest::set_error_detail(true);
    let mut pairs = SpecParser::parse(Rule::file, text).map_err(|e| pest_error(e, file))?;
    let file_pair = pairs.next().expect("file rule");
    let mut items = Vec::new();
    let cx = Cx { file };
    let mut option_guards = Vec::new();
    for p in file_pair.into_inner() {
        match p.as_rule() {
            Rule::EOI => {}
            Rule::option_decl => {
                let mut it = p.into_inner();
                items.push(Item::Option(cx.ident(it.next().unwrap())));
                if let Some(w) = it.next() {
                    option_guards = cx.with_clause(w);
                }
            }
            _ => items.extend(cx.items(p)?),
        }
    }
    // `option NAME with g;`: every instruction of the module gets the guards, outermost.
    if !option_guards.is_empty() {
        for it in &mut items {
            if let Item::Insn(d) = it {
                prepend_guards(&mut d.guards, &option_guards);
            }
        }
    }
    Ok(SpecFile { items })
}

/// Put `outer` in front of `guards` (each guard once).
fn prepend_guards(guards: &mut Vec<Ident>, outer: &[Ident]) {
    let mut all: Vec<Ident> = outer.to_vec();
    all.append(guards);
    let mut seen = std::collections::BTreeSet::new();
    all.retain(|g| seen.insert(g.name.clone()));
    *guards = all;
}

/// Parse an expression that stands inside a display template (`{...}`).
/// `base` is the span of the expression's text within its file.
pub fn parse_expr(text: &str, base: Span) -> Result<Expr, Diagnostic> {
    pest::set_error_detail(true);
    let mut pairs = SpecParser::parse(Rule::expr_only, text).map_err(|e| {
        let mut d = pest_error(e, base.file);
        if let Some(s) = d.span.as_mut() {
            *s = base.sub(s.start as usize, s.end as usize);
        }
        d
    })?;
    let p = pairs.next().expect("expr_only");
    let cx = Cx { file: base.file };
    let e = p.into_inner().next().expect("expr");
    Ok(shift_expr(cx.expr(e)?, base.start))
}

fn shift_span(s: Span, by: u32) -> Span {
    Span { file: s.file, start: s.start + by, end: s.end + by }
}

fn shift_ident(i: Ident, by: u32) -> Ident {
    Ident { name: i.name, span: shift_span(i.span, by) }
}

fn shift_expr(e: Expr, by: u32) -> Expr {
    let b = |e: Box<Expr>| Box::new(shift_expr(*e, by));
    match e {
        Expr::Int(v, s) => Expr::Int(v, shift_span(s, by)),
        Expr::Bool(v, s) => Expr::Bool(v, shift_span(s, by)),
        Expr::Name(i) => Expr::Name(shift_ident(i, by)),
        Expr::Call(i, args, s) => {
            Expr::Call(shift_ident(i, by), args.into_iter().map(|a| shift_expr(a, by)).collect(), shift_span(s, by))
        }
        Expr::Index(a, i, s) => Expr::Index(b(a), b(i), shift_span(s, by)),
        Expr::Slice(a, h, l, s) => Expr::Slice(b(a), b(h), b(l), shift_span(s, by)),
        Expr::Field(a, f, s) => Expr::Field(b(a), shift_ident(f, by), shift_span(s, by)),
        Expr::Unary(op, a, s) => Expr::Unary(op, b(a), shift_span(s, by)),
        Expr::Binary(op, x, y, s) => Expr::Binary(op, b(x), b(y), shift_span(s, by)),
        Expr::Ternary(c, x, y, s) => Expr::Ternary(b(c), b(x), b(y), shift_span(s, by)),
    }
}

fn rule_words(r: &Rule) -> &'static str {
    match r {
        Rule::ident | Rule::any_ident => "a name",
        Rule::int | Rule::neg_int | Rule::hex_int | Rule::dec_int | Rule::bin_int => "a number",
        Rule::string => "a string",
        Rule::item | Rule::EOI => "an item (isa, option, use, param, reg, regfile, token, format, table, insn, ...)",
        Rule::expr | Rule::primary => "an expression",
        Rule::block => "`{`",
        Rule::displays | Rule::display => "a display string",
        Rule::stmt => "a statement",
        Rule::pattern | Rule::segment | Rule::atom => "a pattern",
        Rule::constraint => "a field constraint like `op=0x21`",
        Rule::constraint_op => "`=` or `!=`",
        Rule::bit_range | Rule::ranges => "a bit range like `31:26`",
        Rule::value => "a value",
        Rule::byte_order => "`little` or `big`",
        Rule::token_field => "a field like `op = 31:26;`",
        Rule::reg_field => "a register field like `IE = 0;`",
        Rule::attr => "an attribute like `names = [...];`",
        Rule::names_entry => "an entry like `3 = \"sar\";`",
        Rule::lvalue => "an assignment target",
        Rule::index => "`[`",
        Rule::field_sel => "`.`",
        Rule::when_clause => "`when`",
        Rule::constraints => "`(`",
        Rule::helper_flags => "`[`",
        Rule::helper_param => "a parameter like `a: 32`",
        Rule::table_alt => "`alt`",
        Rule::context_var => "a context variable like `mode: 2;`",
        Rule::ctx_assign => "an assignment like `rex = 1;`",
        Rule::last_kw => "`last`",
        Rule::call => "a call",
        _ => "something else",
    }
}

fn pest_error(e: pest::error::Error<Rule>, file: u32) -> Diagnostic {
    use pest::error::{ErrorVariant, InputLocation};
    let (mut start, mut end) = match e.location {
        InputLocation::Pos(p) => (p, p + 1),
        InputLocation::Span((a, b)) => (a, b),
    };
    // With error detail on, pest also knows the literal tokens (`;`, `}`) it wanted at the
    // furthest position it reached: that is where the mistake is.
    if let Some(att) = e.parse_attempts() {
        let toks: Vec<String> = att
            .expected_tokens()
            .iter()
            .map(|t| t.to_string())
            .filter(|t| !t.trim().is_empty() && t != "//" && t != "/*" && !t.contains(".."))
            .collect();
        if att.max_position >= start && !toks.is_empty() {
            start = att.max_position;
            end = start + 1;
            let mut words: Vec<String> = toks.iter().map(|t| format!("`{t}`")).collect();
            words.sort();
            words.dedup();
            let expected = match words.len() {
                1 => words[0].clone(),
                _ => {
                    let last = words.pop().unwrap_or_default();
                    format!("{} or {last}", words.join(", "))
                }
            };
            return Diagnostic::error(
                Span::new(file, start, end),
                format!("syntax error: expected {expected}"),
                format!("expected {expected}"),
            );
        }
    }
    let expected = match &e.variant {
        ErrorVariant::ParsingError { positives, .. } => {
            let mut words: Vec<&str> = positives.iter().map(rule_words).collect();
            words.sort();
            words.dedup();
            match words.len() {
                0 => "something else".to_string(),
                1 => words[0].to_string(),
                _ => {
                    let last = words.pop().unwrap_or_default();
                    format!("{} or {last}", words.join(", "))
                }
            }
        }
        ErrorVariant::CustomError { message } => message.clone(),
    };
    Diagnostic::error(
        Span::new(file, start, end),
        format!("syntax error: expected {expected}"),
        format!("expected {expected}"),
    )
}

struct Cx {
    file: u32,
}

fn parse_int_text(s: &str) -> Option<u128> {
    let t: String = s.chars().filter(|c| *c != '_').collect();
    if let Some(h) = t.strip_prefix("0x") {
        u128::from_str_radix(h, 16).ok()
    } else if let Some(b) = t.strip_prefix("0b") {
        u128::from_str_radix(b, 2).ok()
    } else {
        t.parse().ok()
    }
}

fn unquote(s: &str) -> String {
    let inner = &s[1..s.len() - 1];
    let mut out = String::new();
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('n') => out.push('\n'),
                Some('t') => out.push('\t'),
                Some(o) => out.push(o),
                None => out.push('\\'),
            }
        } else {
            out.push(c);
        }
    }
    out
}

type R<T> = Result<T, Diagnostic>;

impl Cx {
    /// One item, or the items of a `with g { ... }` group (each given the group's guards).
    fn items(&self, p: Pair<Rule>) -> R<Vec<Item>> {
        if p.as_rule() != Rule::with_group {
            return Ok(vec![self.item(p)?]);
        }
        let mut it = p.into_inner();
        let guards = self.with_clause(it.next().unwrap());
        let mut out = Vec::new();
        for inner in it {
            out.extend(self.items(inner)?);
        }
        for item in &mut out {
            match item {
                Item::Insn(d) => prepend_guards(&mut d.guards, &guards),
                Item::Format { guards: g, .. } | Item::Table { guards: g, .. } => prepend_guards(g, &guards),
                _ => {}
            }
        }
        Ok(out)
    }

    fn with_clause(&self, p: Pair<Rule>) -> Vec<Ident> {
        p.into_inner().map(|i| self.ident(i)).collect()
    }

    fn span(&self, p: &Pair<Rule>) -> Span {
        let s = p.as_span();
        Span::new(self.file, s.start(), s.end())
    }
    fn ident(&self, p: Pair<Rule>) -> Ident {
        Ident { name: p.as_str().to_string(), span: self.span(&p) }
    }
    fn int(&self, p: &Pair<Rule>) -> R<u128> {
        let text = p.as_str();
        let (neg, body) = match text.strip_prefix('-') {
            Some(b) => (true, b),
            None => (false, text),
        };
        let v = parse_int_text(body)
            .ok_or_else(|| Diagnostic::error(self.span(p), "number too large", "does not fit in 128 bits"))?;
        Ok(if neg { v.wrapping_neg() } else { v })
    }
    fn small(&self, p: &Pair<Rule>) -> R<u32> {
        let v = self.int(p)?;
        u32::try_from(v)
            .map_err(|_| Diagnostic::error(self.span(p), "number too large here", "expected a small number"))
    }
    fn u64(&self, p: &Pair<Rule>) -> R<u64> {
        let v = self.int(p)?;
        u64::try_from(v).map_err(|_| Diagnostic::error(self.span(p), "number too large", "must fit in 64 bits"))
    }

    fn item(&self, p: Pair<Rule>) -> R<Item> {
        let span = self.span(&p);
        let rule = p.as_rule();
        let mut it = p.into_inner();
        Ok(match rule {
            Rule::isa_decl => Item::Isa(self.ident(it.next().unwrap())),
            Rule::option_decl => {
                let name = self.ident(it.next().unwrap());
                if let Some(w) = it.next() {
                    return Err(Diagnostic::error(
                        self.span(&w),
                        "`option NAME with ...` belongs at the top of a module file",
                        "guards of an option apply to its module",
                    ));
                }
                Item::Option(name)
            }
            Rule::use_decl => {
                let s = it.next().unwrap();
                Item::Use(unquote(s.as_str()), self.span(&s))
            }
            Rule::syntax_decl => {
                let name = self.ident(it.next().unwrap());
                let value = self.value(it.next().unwrap())?;
                Item::Syntax(name, value)
            }
            Rule::param_decl => {
                let name = self.ident(it.next().unwrap());
                let mut next = it.next().unwrap();
                let ty = if next.as_rule() == Rule::ident {
                    let t = self.ident(next);
                    next = it.next().unwrap();
                    Some(t)
                } else {
                    None
                };
                Item::Param { name, ty, value: self.value(next)? }
            }
            Rule::core_decl => {
                Item::Core { name: self.ident(it.next().unwrap()), arch: self.ident(it.next().unwrap()) }
            }
            Rule::region_decl => {
                let name = self.ident(it.next().unwrap());
                let kind = self.ident(it.next().unwrap());
                let base = self.u64(&it.next().unwrap())?;
                let size = self.u64(&it.next().unwrap())?;
                Item::Region { name, kind, base, size, span }
            }
            Rule::regfile_decl => {
                let name = self.ident(it.next().unwrap());
                let c = it.next().unwrap().into_inner().next().unwrap();
                let count = if c.as_rule() == Rule::int {
                    Count::Int(self.u64(&c)?, self.span(&c))
                } else {
                    Count::Param(self.ident(c))
                };
                let width = self.small(&it.next().unwrap())?;
                let attrs = self.attrs(it.next())?;
                Item::RegFile { name, count, width, attrs, span }
            }
            Rule::reg_decl => {
                let name = self.ident(it.next().unwrap());
                let width = self.small(&it.next().unwrap())?;
                let mut fields = Vec::new();
                if let Some(b) = it.next() {
                    for f in b.into_inner() {
                        let mut fi = f.into_inner();
                        let n = self.ident(fi.next().unwrap());
                        let r = self.bit_range(fi.next().unwrap())?;
                        fields.push((n, r));
                    }
                }
                Item::Reg { name, width, fields, span }
            }
            Rule::names_decl => {
                let name = self.ident(it.next().unwrap());
                let mut entries = Vec::new();
                for e in it {
                    let es = self.span(&e);
                    let mut ei = e.into_inner();
                    let k = self.u64(&ei.next().unwrap())?;
                    let v = unquote(ei.next().unwrap().as_str());
                    entries.push((k, v, es));
                }
                Item::Names { name, entries }
            }
            Rule::token_decl => {
                let name = self.ident(it.next().unwrap());
                let width = self.small(&it.next().unwrap())?;
                let mut order = None;
                let mut fields = Vec::new();
                for f in it {
                    match f.as_rule() {
                        Rule::byte_order => {
                            order = Some(if f.as_str() == "big" { ByteOrder::Big } else { ByteOrder::Little })
                        }
                        _ => {
                            let mut fi = f.into_inner();
                            let n = self.ident(fi.next().unwrap());
                            let little = self.ranges(fi.next().unwrap())?;
                            let big = match fi.next() {
                                Some(b) => Some(self.ranges(b)?),
                                None => None,
                            };
                            fields.push(TokenField { name: n, little, big });
                        }
                    }
                }
                Item::Token { name, width, order, fields, span }
            }
            Rule::context_decl => {
                let mut vars = Vec::new();
                for v in it {
                    let mut vi = v.into_inner();
                    let name = self.ident(vi.next().unwrap());
                    let width = self.small(&vi.next().unwrap())?;
                    let (mut derived, mut bound) = (None, None);
                    if let Some(e) = vi.next() {
                        if e.as_rule() == Rule::bound_clause {
                            let mut bi = e.into_inner();
                            let reg = self.ident(bi.next().unwrap());
                            bound = Some((reg, bi.next().map(|f| self.ident(f))));
                        } else {
                            derived = Some(self.expr(e)?);
                        }
                    }
                    vars.push(ContextVar { name, width, derived, bound });
                }
                Item::Context(vars)
            }
            Rule::prefix_decl => {
                let pattern = self.pattern(it.next().unwrap())?;
                let mut last = false;
                let mut assigns = Vec::new();
                for a in it {
                    if a.as_rule() == Rule::last_kw {
                        last = true;
                        continue;
                    }
                    let mut ai = a.into_inner();
                    let n = self.ident(ai.next().unwrap());
                    let e = self.expr(ai.next().unwrap())?;
                    assigns.push((n, e));
                }
                Item::Prefix { pattern, last, assigns, span }
            }
            Rule::format_decl => {
                let name = self.ident(it.next().unwrap());
                let pattern = self.pattern(it.next().unwrap())?;
                let mut operands = None;
                let mut guards = Vec::new();
                let mut asm = Vec::new();
                for x in it {
                    match x.as_rule() {
                        Rule::string => operands = Some((unquote(x.as_str()), self.span(&x))),
                        Rule::format_asm => {
                            let s = x.into_inner().next().unwrap();
                            let span = self.span(&s);
                            asm.push(Display { template: unquote(s.as_str()), span, cond: None, asm_only: true });
                        }
                        _ => guards = self.with_clause(x),
                    }
                }
                Item::Format { name, pattern, operands, asm, guards }
            }
            Rule::table_decl => {
                let name = self.ident(it.next().unwrap());
                let mut alts = Vec::new();
                let mut guards = Vec::new();
                for a in it {
                    if a.as_rule() == Rule::with_clause {
                        guards = self.with_clause(a);
                        continue;
                    }
                    let aspan = self.span(&a);
                    let mut ai = a.into_inner();
                    let pattern = self.pattern(ai.next().unwrap())?;
                    let displays = self.displays(ai.next().unwrap())?;
                    let (mut export, mut sem, mut after) = (None, None, None);
                    for x in ai {
                        match x.as_rule() {
                            Rule::export_clause => export = Some(self.expr(x.into_inner().next().unwrap())?),
                            Rule::after_clause => after = Some(self.block(x.into_inner().next().unwrap())?),
                            _ => sem = Some(self.block(x)?),
                        }
                    }
                    alts.push(TableAlt { pattern, displays, export, sem, after, span: aspan });
                }
                Item::Table { name, alts, guards }
            }
            Rule::insn_decl => {
                let name = self.ident(it.next().unwrap());
                let pattern = self.pattern(it.next().unwrap())?;
                let displays = self.displays(it.next().unwrap())?;
                let mut sem = None;
                let mut guards = Vec::new();
                for x in it {
                    match x.as_rule() {
                        Rule::with_clause => guards = self.with_clause(x),
                        _ => sem = Some(self.block(x)?),
                    }
                }
                Item::Insn(InsnDecl { name, pattern, displays, sem, span, guards })
            }
            Rule::helper_decl => {
                let name = self.ident(it.next().unwrap());
                let mut params = Vec::new();
                let mut ret = None;
                let mut flags = Vec::new();
                for p in it {
                    match p.as_rule() {
                        Rule::helper_param => {
                            let mut pi = p.into_inner();
                            let n = self.ident(pi.next().unwrap());
                            let w = self.small(&pi.next().unwrap())?;
                            params.push((n, w));
                        }
                        Rule::int => ret = Some(self.small(&p)?),
                        Rule::helper_flags => {
                            flags = p
                                .into_inner()
                                .map(|f| {
                                    let mut fi = f.into_inner();
                                    let name = self.ident(fi.next().unwrap());
                                    (name, fi.map(|r| self.ident(r)).collect())
                                })
                                .collect()
                        }
                        _ => {}
                    }
                }
                Item::Helper { name, params, ret, flags }
            }
            Rule::exception_decl => {
                Item::Exception { name: self.ident(it.next().unwrap()), code: self.u64(&it.next().unwrap())? }
            }
            Rule::fn_decl => {
                let name = self.ident(it.next().unwrap());
                let mut params = Vec::new();
                let mut ret = 0;
                let mut body = None;
                for x in it {
                    match x.as_rule() {
                        Rule::helper_param => {
                            let mut pi = x.into_inner();
                            let n = self.ident(pi.next().unwrap());
                            let w = self.small(&pi.next().unwrap())?;
                            params.push((n, w));
                        }
                        Rule::int => ret = self.small(&x)?,
                        _ => body = Some(self.expr(x)?),
                    }
                }
                Item::Fn(FnDecl { name, params, ret, body: body.expect("fn body"), span })
            }
            Rule::const_decl => {
                let name = self.ident(it.next().unwrap());
                let len = self.u64(&it.next().unwrap())?;
                let width = self.small(&it.next().unwrap())?;
                let list = it.next().unwrap();
                let mut values = Vec::new();
                for x in list.into_inner() {
                    values.push(self.value(x)?);
                }
                Item::Const { name, len, width, values, span }
            }
            Rule::view_decl => {
                let name = self.ident(it.next().unwrap());
                let mut pi = it.next().unwrap().into_inner();
                let iname = self.ident(pi.next().unwrap());
                let iw = self.small(&pi.next().unwrap())?;
                let width = self.small(&it.next().unwrap())?;
                let read = self.expr(it.next().unwrap())?;
                let value = self.ident(it.next().unwrap());
                let write = self.block(it.next().unwrap())?;
                Item::View(ViewDecl { name, index: (iname, iw), width, read, value, write, span })
            }
            Rule::guard_decl => {
                let name = self.ident(it.next().unwrap());
                let cond = self.expr(it.next().unwrap())?;
                let els = match it.next() {
                    Some(b) => Some(self.block(b)?),
                    None => None,
                };
                Item::Guard(GuardDecl { name, cond, els, span })
            }
            Rule::epilogue_decl => Item::Epilogue(self.block(it.next().unwrap())?, span),
            Rule::next_pc_decl => {
                let model = self.ident(it.next().unwrap());
                let attrs = self.attrs(it.next())?;
                Item::NextPc { model, attrs, span }
            }
            r => unreachable!("unexpected item rule {r:?}"),
        })
    }

    /// `{ name = value; ... }` (an `attr_block`), or nothing.
    fn attrs(&self, block: Option<Pair<Rule>>) -> R<Vec<(Ident, Value)>> {
        let mut out = Vec::new();
        for a in block.into_iter().flat_map(|b| b.into_inner()) {
            let mut ai = a.into_inner();
            let k = self.ident(ai.next().unwrap());
            out.push((k, self.value(ai.next().unwrap())?));
        }
        Ok(out)
    }

    fn value(&self, p: Pair<Rule>) -> R<Value> {
        let inner = p.into_inner().next().unwrap();
        let span = self.span(&inner);
        Ok(match inner.as_rule() {
            Rule::int | Rule::neg_int => {
                let v = self.int(&inner)?;
                Value::Int(v as i128, span)
            }
            Rule::string => Value::Str(unquote(inner.as_str()), span),
            Rule::bool_lit => Value::Bool(inner.as_str() == "true", span),
            Rule::any_ident => Value::Ident(self.ident(inner)),
            Rule::list_value => {
                let mut v = Vec::new();
                for x in inner.into_inner() {
                    v.push(self.value(x)?);
                }
                Value::List(v, span)
            }
            r => unreachable!("value {r:?}"),
        })
    }

    fn bit_range(&self, p: Pair<Rule>) -> R<BitRange> {
        let span = self.span(&p);
        let mut it = p.into_inner();
        let hi = self.small(&it.next().unwrap())?;
        let lo = match it.next() {
            Some(l) => self.small(&l)?,
            None => hi,
        };
        if lo > hi {
            return Err(Diagnostic::error(
                span,
                "bit range is written low:high",
                format!("write `{lo}:{hi}` (most significant bit first)"),
            ));
        }
        Ok(BitRange { hi, lo, span })
    }

    fn ranges(&self, p: Pair<Rule>) -> R<Ranges> {
        let span = self.span(&p);
        let mut parts = Vec::new();
        for r in p.into_inner() {
            parts.push(self.bit_range(r)?);
        }
        Ok(Ranges { parts, span })
    }

    fn constraints(&self, p: Pair<Rule>) -> R<Vec<Constraint>> {
        let mut v = Vec::new();
        for c in p.into_inner() {
            let span = self.span(&c);
            let mut ci = c.into_inner();
            let field = self.ident(ci.next().unwrap());
            let equal = ci.next().unwrap().as_str() == "=";
            let vp = ci.next().unwrap();
            let value = self.int(&vp)? as i128;
            v.push(Constraint { field, equal, value, span });
        }
        Ok(v)
    }

    fn pattern(&self, p: Pair<Rule>) -> R<Pattern> {
        let span = self.span(&p);
        let mut segments = Vec::new();
        let mut when = Vec::new();
        for s in p.into_inner() {
            match s.as_rule() {
                Rule::segment => {
                    let mut atoms = Vec::new();
                    for a in s.into_inner() {
                        let aspan = self.span(&a);
                        let mut ai = a.into_inner();
                        let name = self.ident(ai.next().unwrap());
                        let constraints = match ai.next() {
                            Some(c) => self.constraints(c)?,
                            None => vec![],
                        };
                        atoms.push(Atom { name, constraints, span: aspan });
                    }
                    segments.push(atoms);
                }
                Rule::when_clause => {
                    when = self.constraints(s.into_inner().next().unwrap())?;
                }
                r => unreachable!("pattern {r:?}"),
            }
        }
        Ok(Pattern { segments, when, span })
    }

    fn displays(&self, p: Pair<Rule>) -> R<Vec<Display>> {
        let mut v = Vec::new();
        for d in p.into_inner() {
            let mut di = d.into_inner().peekable();
            let asm_only = di.next_if(|x| x.as_rule() == Rule::asm_only).is_some();
            let s = di.next().unwrap();
            let span = self.span(&s);
            let cond = match di.next() {
                Some(e) => Some(self.expr(e)?),
                None => None,
            };
            v.push(Display { template: s.as_str()[1..s.as_str().len() - 1].to_string(), span, cond, asm_only });
        }
        Ok(v)
    }

    fn block(&self, p: Pair<Rule>) -> R<Block> {
        let span = self.span(&p);
        let mut stmts = Vec::new();
        for s in p.into_inner() {
            stmts.push(self.stmt(s)?);
        }
        Ok(Block { stmts, span })
    }

    fn stmt(&self, p: Pair<Rule>) -> R<Stmt> {
        let span = self.span(&p);
        let rule = p.as_rule();
        let mut it = p.into_inner();
        Ok(match rule {
            Rule::let_stmt => {
                let name = self.ident(it.next().unwrap());
                let mut next = it.next().unwrap();
                let width = if next.as_rule() == Rule::int {
                    let w = self.small(&next)?;
                    next = it.next().unwrap();
                    Some(w)
                } else {
                    None
                };
                Stmt::Let { name, width, value: self.expr(next)?, span }
            }
            Rule::if_stmt => {
                let cond = self.expr(it.next().unwrap())?;
                let then = self.block(it.next().unwrap())?;
                let els = match it.next() {
                    None => None,
                    Some(e) if e.as_rule() == Rule::block => Some(self.block(e)?),
                    Some(e) => {
                        let s = self.stmt(e)?;
                        let sp = match &s {
                            Stmt::If { span, .. } => *span,
                            _ => span,
                        };
                        Some(Block { stmts: vec![s], span: sp })
                    }
                };
                Stmt::If { cond, then, els, span }
            }
            Rule::assign_stmt => {
                let lv = it.next().unwrap();
                let lspan = self.span(&lv);
                let mut li = lv.into_inner();
                let name = self.ident(li.next().unwrap());
                let mut index = None;
                let mut field = None;
                for x in li {
                    if x.as_rule() == Rule::expr {
                        index = Some(self.expr(x)?);
                    } else {
                        field = Some(self.ident(x));
                    }
                }
                Stmt::Assign {
                    target: LValue { name, index, field, span: lspan },
                    value: self.expr(it.next().unwrap())?,
                    span,
                }
            }
            Rule::expr_stmt => Stmt::Expr(self.call(it.next().unwrap())?),
            Rule::for_stmt => {
                let var = self.ident(it.next().unwrap());
                let lo = self.expr(it.next().unwrap())?;
                let hi = self.expr(it.next().unwrap())?;
                let body = self.block(it.next().unwrap())?;
                Stmt::For { var, lo, hi, body, span }
            }
            r => unreachable!("stmt {r:?}"),
        })
    }

    fn call(&self, p: Pair<Rule>) -> R<Expr> {
        let span = self.span(&p);
        let mut it = p.into_inner();
        let name = self.ident(it.next().unwrap());
        let mut args = Vec::new();
        for a in it {
            args.push(self.expr(a)?);
        }
        Ok(Expr::Call(name, args, span))
    }

    fn expr(&self, p: Pair<Rule>) -> R<Expr> {
        let span = self.span(&p);
        match p.as_rule() {
            Rule::expr | Rule::paren => self.expr(p.into_inner().next().unwrap()),
            Rule::ternary => {
                let mut it = p.into_inner();
                let c = self.expr(it.next().unwrap())?;
                match it.next() {
                    None => Ok(c),
                    Some(a) => {
                        let a = self.expr(a)?;
                        let b = self.expr(it.next().unwrap())?;
                        Ok(Expr::Ternary(Box::new(c), Box::new(a), Box::new(b), span))
                    }
                }
            }
            Rule::lor
            | Rule::land
            | Rule::bor
            | Rule::bxor
            | Rule::band
            | Rule::eq
            | Rule::rel
            | Rule::shift
            | Rule::concat
            | Rule::sum
            | Rule::product => {
                let rule = p.as_rule();
                let mut it = p.into_inner();
                let mut lhs = self.expr(it.next().unwrap())?;
                while let Some(x) = it.next() {
                    let (op, rhs) = match x.as_rule() {
                        Rule::bor_op
                        | Rule::band_op
                        | Rule::eq_op
                        | Rule::rel_op
                        | Rule::shift_op
                        | Rule::sum_op
                        | Rule::product_op => (binop(x.as_str()), self.expr(it.next().unwrap())?),
                        _ => {
                            let op = match rule {
                                Rule::lor => BinOp::LOr,
                                Rule::land => BinOp::LAnd,
                                Rule::bxor => BinOp::Xor,
                                Rule::concat => BinOp::Concat,
                                r => unreachable!("binary {r:?}"),
                            };
                            (op, self.expr(x)?)
                        }
                    };
                    let s = lhs.span().to(rhs.span());
                    lhs = Expr::Binary(op, Box::new(lhs), Box::new(rhs), s);
                }
                Ok(lhs)
            }
            Rule::unary => {
                let mut ops = Vec::new();
                let mut operand = None;
                for x in p.into_inner() {
                    if x.as_rule() == Rule::unary_op {
                        ops.push((
                            match x.as_str() {
                                "-" => UnOp::Neg,
                                "~" => UnOp::Not,
                                _ => UnOp::LNot,
                            },
                            self.span(&x),
                        ));
                    } else {
                        operand = Some(self.expr(x)?);
                    }
                }
                let mut e = operand.unwrap();
                for (op, s) in ops.into_iter().rev() {
                    let sp = s.to(e.span());
                    // Fold `-literal` into a negative literal.
                    e = Expr::Unary(op, Box::new(e), sp);
                }
                Ok(e)
            }
            Rule::postfix => {
                let mut it = p.into_inner();
                let mut e = self.expr(it.next().unwrap())?;
                for x in it {
                    let s = e.span().to(self.span(&x));
                    match x.as_rule() {
                        Rule::index => {
                            let mut xi = x.into_inner();
                            let a = self.expr(xi.next().unwrap())?;
                            e = match xi.next() {
                                None => Expr::Index(Box::new(e), Box::new(a), s),
                                Some(b) => Expr::Slice(Box::new(e), Box::new(a), Box::new(self.expr(b)?), s),
                            };
                        }
                        Rule::field_sel => {
                            let f = self.ident(x.into_inner().next().unwrap());
                            e = Expr::Field(Box::new(e), f, s);
                        }
                        r => unreachable!("postfix {r:?}"),
                    }
                }
                Ok(e)
            }
            Rule::int => Ok(Expr::Int(self.int(&p)?, span)),
            Rule::bool_lit => Ok(Expr::Bool(p.as_str() == "true", span)),
            Rule::ident => Ok(Expr::Name(self.ident(p))),
            Rule::call => self.call(p),
            r => unreachable!("expr {r:?}"),
        }
    }
}

fn binop(s: &str) -> BinOp {
    use BinOp::*;
    match s {
        "|" => Or,
        "&" => And,
        "==" => Eq,
        "!=" => Ne,
        "<" => Lt,
        "<=" => Le,
        ">" => Gt,
        ">=" => Ge,
        "<s" => Slt,
        "<=s" => Sle,
        ">s" => Sgt,
        ">=s" => Sge,
        "<<" => Shl,
        ">>" => Shr,
        ">>>" => Sar,
        "+" => Add,
        "-" => Sub,
        "*" => Mul,
        _ => unreachable!("operator {s}"),
    }
}
