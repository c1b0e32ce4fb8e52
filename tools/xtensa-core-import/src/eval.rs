//! Macro evaluation: integer constant expressions as in C's `#if` and macro
//! bodies. A tokenizer, a precedence-climbing parser, and an evaluator that
//! expands object-like macros at use (with the last definition), rejects
//! function-like and self-referential ones, and knows the predefined
//! `__XTENSA__`/`__XTENSA_EB__`/`__XTENSA_EL__`.
//!
//! Must not run directives (`preprocess`) or know what any `XCHAL_*` macro
//! means.

use crate::preprocess::{Macro, MacroKind, Table};

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Num(i128),
    Ident(String),
    Str,
    Op(&'static str),
}

/// A token and the line of the `#define` whose body it came from (`None`
/// for tokens of the expression being evaluated itself).
type LTok = (Tok, Option<usize>);

const OPERATORS: &[&str] = &[
    "<<", ">>", "<=", ">=", "==", "!=", "&&", "||", "+", "-", "*", "/", "%", "<", ">", "&", "|", "^", "~", "!", "(",
    ")", "?", ":", ",",
];

fn tokenize(s: &str) -> Result<Vec<Tok>, String> {
    let chars: Vec<char> = s.chars().collect();
    let mut toks = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
        } else if c.is_ascii_alphabetic() || c == '_' {
            let start = i;
            while i < chars.len() && (chars[i].is_ascii_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            toks.push(Tok::Ident(chars[start..i].iter().collect()));
        } else if c.is_ascii_digit() {
            let start = i;
            while i < chars.len() && (chars[i].is_ascii_alphanumeric() || chars[i] == '_' || chars[i] == '.') {
                i += 1;
            }
            let text: String = chars[start..i].iter().collect();
            toks.push(Tok::Num(parse_number(&text)?));
        } else if c == '"' {
            i += 1;
            while i < chars.len() && chars[i] != '"' {
                i += if chars[i] == '\\' { 2 } else { 1 };
            }
            i += 1;
            toks.push(Tok::Str);
        } else if c == '\'' {
            match (chars.get(i + 1), chars.get(i + 2)) {
                (Some(&ch), Some('\'')) if ch != '\\' && ch != '\'' => {
                    toks.push(Tok::Num(ch as i128));
                    i += 3;
                }
                _ => return Err("unsupported character literal".to_string()),
            }
        } else {
            let rest: String = chars[i..chars.len().min(i + 2)].iter().collect();
            let op = OPERATORS
                .iter()
                .find(|op| rest.starts_with(**op))
                .ok_or_else(|| format!("unexpected character `{c}`"))?;
            toks.push(Tok::Op(op));
            i += op.len();
        }
    }
    Ok(toks)
}

fn parse_number(text: &str) -> Result<i128, String> {
    let digits = text.trim_end_matches(['u', 'U', 'l', 'L']);
    let parsed = if let Some(hex) = digits.strip_prefix("0x").or_else(|| digits.strip_prefix("0X")) {
        u64::from_str_radix(hex, 16)
    } else if digits.len() > 1 && digits.starts_with('0') {
        u64::from_str_radix(&digits[1..], 8)
    } else {
        digits.parse::<u64>()
    };
    parsed.map(i128::from).map_err(|_| format!("invalid integer constant `{text}`"))
}

#[derive(Debug, Clone)]
enum Expr {
    Num(i128),
    /// An identifier left after macro expansion: not a defined object-like
    /// macro.
    Ident(String, Option<usize>),
    /// A function-like macro invocation (arguments skipped).
    Call(String, Option<usize>),
    Str(Option<usize>),
    Unary(&'static str, Box<Expr>),
    Binary(&'static str, Box<Expr>, Box<Expr>),
    Cond(Box<Expr>, Box<Expr>, Box<Expr>),
}

#[derive(Debug)]
pub(crate) struct EvalError {
    /// The line of the `#define` the problem came from, if known.
    pub(crate) line: Option<usize>,
    pub(crate) msg: String,
}

impl EvalError {
    fn at(line: Option<usize>, msg: impl Into<String>) -> Self {
        EvalError { line, msg: msg.into() }
    }
}

struct Parser<'t> {
    toks: &'t [LTok],
    pos: usize,
}

impl Parser<'_> {
    fn parse(toks: &[LTok]) -> Result<Expr, EvalError> {
        if toks.is_empty() {
            return Err(EvalError::at(None, "empty expression"));
        }
        let mut p = Parser { toks, pos: 0 };
        let e = p.conditional()?;
        match p.toks.get(p.pos) {
            None => Ok(e),
            Some((t, line)) => Err(EvalError::at(*line, format!("unexpected {} after expression", describe(t)))),
        }
    }

    fn peek_op(&self) -> Option<&'static str> {
        match self.toks.get(self.pos) {
            Some((Tok::Op(op), _)) => Some(op),
            _ => None,
        }
    }

    fn expect(&mut self, op: &str) -> Result<(), EvalError> {
        if self.peek_op() == Some(op) {
            self.pos += 1;
            return Ok(());
        }
        Err(match self.toks.get(self.pos) {
            Some((t, line)) => EvalError::at(*line, format!("expected `{op}`, found {}", describe(t))),
            None => EvalError::at(None, format!("expected `{op}` at end of expression")),
        })
    }

    fn conditional(&mut self) -> Result<Expr, EvalError> {
        let c = self.binary(1)?;
        if self.peek_op() == Some("?") {
            self.pos += 1;
            let a = self.conditional()?;
            self.expect(":")?;
            let b = self.conditional()?;
            return Ok(Expr::Cond(Box::new(c), Box::new(a), Box::new(b)));
        }
        Ok(c)
    }

    fn precedence(op: &str) -> Option<u8> {
        Some(match op {
            "||" => 1,
            "&&" => 2,
            "|" => 3,
            "^" => 4,
            "&" => 5,
            "==" | "!=" => 6,
            "<" | ">" | "<=" | ">=" => 7,
            "<<" | ">>" => 8,
            "+" | "-" => 9,
            "*" | "/" | "%" => 10,
            _ => return None,
        })
    }

    fn binary(&mut self, min: u8) -> Result<Expr, EvalError> {
        let mut lhs = self.unary()?;
        while let Some(op) = self.peek_op() {
            let Some(prec) = Self::precedence(op) else {
                break;
            };
            if prec < min {
                break;
            }
            self.pos += 1;
            let rhs = self.binary(prec + 1)?;
            lhs = Expr::Binary(op, Box::new(lhs), Box::new(rhs));
        }
        Ok(lhs)
    }

    fn unary(&mut self) -> Result<Expr, EvalError> {
        if let Some(op @ ("+" | "-" | "~" | "!")) = self.peek_op() {
            self.pos += 1;
            let e = self.unary()?;
            return Ok(Expr::Unary(op, Box::new(e)));
        }
        self.primary()
    }

    fn primary(&mut self) -> Result<Expr, EvalError> {
        let (tok, line) =
            self.toks.get(self.pos).cloned().ok_or_else(|| EvalError::at(None, "unexpected end of expression"))?;
        self.pos += 1;
        match tok {
            Tok::Num(n) => Ok(Expr::Num(n)),
            Tok::Str => Ok(Expr::Str(line)),
            Tok::Ident(name) => {
                if self.peek_op() != Some("(") {
                    return Ok(Expr::Ident(name, line));
                }
                // A function-like macro invocation: skip its arguments.
                let mut depth = 0usize;
                loop {
                    match self.toks.get(self.pos) {
                        None => return Err(EvalError::at(line, format!("unbalanced parentheses after `{name}`"))),
                        Some((Tok::Op("("), _)) => depth += 1,
                        Some((Tok::Op(")"), _)) => {
                            depth -= 1;
                            if depth == 0 {
                                self.pos += 1;
                                break;
                            }
                        }
                        Some(_) => {}
                    }
                    self.pos += 1;
                }
                Ok(Expr::Call(name, line))
            }
            Tok::Op("(") => {
                let e = self.conditional()?;
                self.expect(")")?;
                Ok(e)
            }
            Tok::Op(op) => Err(EvalError::at(line, format!("unexpected `{op}`"))),
        }
    }
}

fn describe(t: &Tok) -> String {
    match t {
        Tok::Num(n) => format!("number {n}"),
        Tok::Ident(s) => format!("`{s}`"),
        Tok::Str => "string literal".to_string(),
        Tok::Op(op) => format!("`{op}`"),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    /// `#if`: identifiers that are not macros are 0.
    Condition,
    /// Fact values: identifiers that are not macros are errors.
    Value,
}

/// Evaluates integer constant expressions the way the C preprocessor does:
/// object-like macros are replaced by their bodies token by token (a macro
/// is not expanded inside its own expansion), `defined` operands are not
/// expanded, then the token list is parsed and evaluated.
pub(crate) struct Evaluator<'a> {
    table: &'a Table,
    mode: Mode,
    /// While working out `XCHAL_HAVE_BE` for the endianness predefines,
    /// those predefines are unknown (so they cannot recurse).
    endian_known: bool,
}

impl<'a> Evaluator<'a> {
    pub(crate) fn new(table: &'a Table, mode: Mode) -> Self {
        Evaluator { table, mode, endian_known: true }
    }

    /// Evaluates the text of an expression (an `#if` condition).
    pub(crate) fn eval_text(&self, text: &str) -> Result<i128, EvalError> {
        let toks = tokenize(text).map_err(|msg| EvalError::at(None, msg))?;
        let toks: Vec<LTok> = toks.into_iter().map(|t| (t, None)).collect();
        self.eval_tokens(&toks)
    }

    /// Evaluates the value of a defined macro.
    pub(crate) fn eval_macro(&self, name: &str) -> Result<i128, EvalError> {
        let m = &self.table[name];
        if let MacroKind::Object(body) = &m.kind {
            if body.is_empty() {
                return Err(EvalError::at(Some(m.line), format!("{name} is defined without a value")));
            }
        }
        self.eval_tokens(&[(Tok::Ident(name.to_string()), Some(m.line))])
    }

    fn eval_tokens(&self, toks: &[LTok]) -> Result<i128, EvalError> {
        let mut expanded = Vec::new();
        self.expand(toks, &mut expanded, &mut Vec::new())?;
        let expr = Parser::parse(&expanded)?;
        self.eval(&expr)
    }

    fn expand(&self, toks: &[LTok], out: &mut Vec<LTok>, expanding: &mut Vec<String>) -> Result<(), EvalError> {
        let mut i = 0;
        while i < toks.len() {
            let (tok, line) = &toks[i];
            i += 1;
            let Tok::Ident(name) = tok else {
                out.push((tok.clone(), *line));
                continue;
            };
            if name == "defined" {
                // `defined X` / `defined ( X )`: the operand is not expanded.
                let parens = matches!(toks.get(i), Some((Tok::Op("("), _)));
                let operand = toks.get(i + usize::from(parens));
                let Some((Tok::Ident(operand), _)) = operand else {
                    return Err(EvalError::at(*line, "`defined` without a macro name"));
                };
                i += 1 + usize::from(parens);
                if parens {
                    if !matches!(toks.get(i), Some((Tok::Op(")"), _))) {
                        return Err(EvalError::at(*line, "missing `)` after `defined(`"));
                    }
                    i += 1;
                }
                let defined = self.table.contains_key(operand) || self.predefined(operand).is_some();
                out.push((Tok::Num(i128::from(defined)), *line));
                continue;
            }
            if expanding.iter().any(|n| n == name) {
                out.push((tok.clone(), *line));
                continue;
            }
            match self.table.get(name) {
                Some(Macro { line: def_line, kind: MacroKind::Object(body) }) => {
                    let body_toks = tokenize(body)
                        .map_err(|msg| EvalError::at(Some(*def_line), format!("in the value of {name}: {msg}")))?;
                    let body_toks: Vec<LTok> = body_toks.into_iter().map(|t| (t, Some(*def_line))).collect();
                    expanding.push(name.clone());
                    self.expand(&body_toks, out, expanding)?;
                    expanding.pop();
                }
                Some(_) => out.push((tok.clone(), *line)),
                None => match self.predefined(name) {
                    Some(v) => out.push((Tok::Num(v), *line)),
                    None => out.push((tok.clone(), *line)),
                },
            }
        }
        Ok(())
    }

    /// Macros a compiler for the core would define: `__XTENSA__`, and the
    /// endianness macro matching `XCHAL_HAVE_BE` once that is known.
    pub(crate) fn predefined(&self, name: &str) -> Option<i128> {
        let big_endian = || {
            if !self.endian_known || !self.table.contains_key("XCHAL_HAVE_BE") {
                return None;
            }
            let ev = Evaluator { table: self.table, mode: Mode::Condition, endian_known: false };
            ev.eval_macro("XCHAL_HAVE_BE").ok().map(|v| v != 0)
        };
        match name {
            "__XTENSA__" => Some(1),
            "__XTENSA_EB__" => big_endian().filter(|&be| be).map(|_| 1),
            "__XTENSA_EL__" => big_endian().filter(|&be| !be).map(|_| 1),
            _ => None,
        }
    }

    fn unknown(&self, line: Option<usize>, msg: String) -> Result<i128, EvalError> {
        match self.mode {
            Mode::Condition => Ok(0),
            Mode::Value => Err(EvalError::at(line, msg)),
        }
    }

    fn eval(&self, e: &Expr) -> Result<i128, EvalError> {
        Ok(match e {
            Expr::Num(n) => *n,
            Expr::Str(line) => return Err(EvalError::at(*line, "a string literal is not a number")),
            Expr::Call(name, line) => return self.unknown(*line, format!("`{name}(...)` cannot be evaluated")),
            Expr::Ident(name, line) => {
                let why = match self.table.get(name) {
                    Some(Macro { kind: MacroKind::Function, .. }) => "is a function-like macro",
                    Some(_) => "refers to itself",
                    None => "is not a defined macro",
                };
                return self.unknown(*line, format!("`{name}` {why}"));
            }
            Expr::Unary(op, a) => {
                let a = self.eval(a)?;
                match *op {
                    "+" => a,
                    "-" => a.checked_neg().ok_or_else(|| EvalError::at(None, "arithmetic overflow"))?,
                    "~" => !a,
                    "!" => i128::from(a == 0),
                    _ => unreachable!("unary operator {op}"),
                }
            }
            Expr::Binary("&&", a, b) => i128::from(self.eval(a)? != 0 && self.eval(b)? != 0),
            Expr::Binary("||", a, b) => i128::from(self.eval(a)? != 0 || self.eval(b)? != 0),
            Expr::Binary(op, a, b) => {
                let (a, b) = (self.eval(a)?, self.eval(b)?);
                let overflow = || EvalError::at(None, format!("arithmetic overflow in `{a} {op} {b}`"));
                match *op {
                    "+" => a.checked_add(b).ok_or_else(overflow)?,
                    "-" => a.checked_sub(b).ok_or_else(overflow)?,
                    "*" => a.checked_mul(b).ok_or_else(overflow)?,
                    "/" | "%" if b == 0 => return Err(EvalError::at(None, "division by zero")),
                    "/" => a / b,
                    "%" => a % b,
                    "<<" | ">>" if !(0..64).contains(&b) => {
                        return Err(EvalError::at(None, format!("shift by {b} is out of range")))
                    }
                    "<<" => a.checked_shl(b as u32).filter(|v| v >> b == a).ok_or_else(overflow)?,
                    ">>" => a >> b,
                    "<" => i128::from(a < b),
                    ">" => i128::from(a > b),
                    "<=" => i128::from(a <= b),
                    ">=" => i128::from(a >= b),
                    "==" => i128::from(a == b),
                    "!=" => i128::from(a != b),
                    "&" => a & b,
                    "|" => a | b,
                    "^" => a ^ b,
                    _ => unreachable!("binary operator {op}"),
                }
            }
            Expr::Cond(c, a, b) => {
                if self.eval(c)? != 0 {
                    self.eval(a)?
                } else {
                    self.eval(b)?
                }
            }
        })
    }
}
