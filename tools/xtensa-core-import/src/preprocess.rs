//! The C-preprocessor subset: logical lines (continuations joined, comments
//! removed, CRLF accepted, each with the physical line it starts on), the
//! directives (`#define`, `#undef`, the conditionals, `#error`; `#include`
//! and the rest ignored) and the macro table they leave, plus identifier
//! helpers.
//!
//! Must not evaluate expressions itself (`#if` conditions go to `eval`) or
//! know what any `XCHAL_*` macro means.

use crate::eval::{Evaluator, Mode};
use crate::ImportError;
use std::collections::HashMap;

#[derive(Debug, Clone)]
pub(crate) enum MacroKind {
    Object(String),
    Function,
}

#[derive(Debug, Clone)]
pub(crate) struct Macro {
    pub(crate) line: usize,
    pub(crate) kind: MacroKind,
}

pub(crate) type Table = HashMap<String, Macro>;

struct LogicalLine {
    line: usize,
    text: String,
}

/// Splits the source into logical lines: line continuations are joined,
/// comments are replaced by a space, CRLF is accepted.  Each logical line
/// carries the physical line it starts on.
fn logical_lines(src: &str) -> Vec<LogicalLine> {
    // Characters tagged with their physical line, continuations removed.
    let raw: Vec<char> = src.chars().collect();
    let mut chars: Vec<(char, usize)> = Vec::with_capacity(raw.len());
    let mut line = 1;
    let mut i = 0;
    while i < raw.len() {
        let c = raw[i];
        if c == '\r' {
            if raw.get(i + 1) != Some(&'\n') {
                chars.push((' ', line));
            }
            i += 1;
            continue;
        }
        if c == '\\' {
            let mut j = i + 1;
            while j < raw.len() && matches!(raw[j], ' ' | '\t' | '\r') {
                j += 1;
            }
            if raw.get(j) == Some(&'\n') {
                line += 1;
                i = j + 1;
                continue;
            }
        }
        chars.push((c, line));
        if c == '\n' {
            line += 1;
        }
        i += 1;
    }

    enum State {
        Code,
        Quoted(char),
        LineComment,
        BlockComment,
    }
    let mut lines = Vec::new();
    let mut text = String::new();
    let mut start: Option<usize> = None;
    let mut state = State::Code;
    let mut k = 0;
    while k < chars.len() {
        let (c, ln) = chars[k];
        let next = chars.get(k + 1).map(|&(c, _)| c);
        if start.is_none() {
            start = Some(ln);
        }
        if c == '\n' && !matches!(state, State::BlockComment) {
            lines.push(LogicalLine { line: start.take().unwrap_or(ln), text: std::mem::take(&mut text) });
            state = State::Code;
            k += 1;
            continue;
        }
        match state {
            State::Code => {
                if c == '/' && next == Some('/') {
                    state = State::LineComment;
                    k += 2;
                    continue;
                }
                if c == '/' && next == Some('*') {
                    state = State::BlockComment;
                    text.push(' ');
                    k += 2;
                    continue;
                }
                if c == '"' || c == '\'' {
                    state = State::Quoted(c);
                }
                text.push(c);
            }
            State::Quoted(q) => {
                text.push(c);
                if c == '\\' {
                    if let Some(n) = next.filter(|&n| n != '\n') {
                        text.push(n);
                        k += 2;
                        continue;
                    }
                } else if c == q {
                    state = State::Code;
                }
            }
            State::LineComment => {}
            State::BlockComment => {
                if c == '*' && next == Some('/') {
                    state = State::Code;
                    k += 2;
                    continue;
                }
            }
        }
        k += 1;
    }
    if let Some(ln) = start {
        lines.push(LogicalLine { line: ln, text });
    }
    lines
}

struct CondFrame {
    line: usize,
    parent_active: bool,
    active: bool,
    taken: bool,
    seen_else: bool,
}

/// Runs the directives of a header and returns the macro table at its end.
pub(crate) fn preprocess(src: &str) -> Result<Table, ImportError> {
    let mut table: Table = HashMap::new();
    let mut stack: Vec<CondFrame> = Vec::new();
    for LogicalLine { line, text } in logical_lines(src) {
        let trimmed = text.trim_start();
        let Some(rest) = trimmed.strip_prefix('#') else {
            continue;
        };
        let rest = rest.trim_start();
        let name_len = rest.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).unwrap_or(rest.len());
        let (directive, args) = rest.split_at(name_len);
        let active = stack.last().is_none_or(|f| f.active);
        match directive {
            "if" | "ifdef" | "ifndef" => {
                let cond = if active {
                    match directive {
                        "if" => eval_condition(&table, args, line)?,
                        _ => {
                            let name = first_identifier(args)
                                .ok_or_else(|| ImportError::new(line, format!("#{directive} without a macro name")))?;
                            let defined = is_defined(&table, &name);
                            if directive == "ifdef" {
                                defined
                            } else {
                                !defined
                            }
                        }
                    }
                } else {
                    false
                };
                stack.push(CondFrame {
                    line,
                    parent_active: active,
                    active: active && cond,
                    taken: !active || cond,
                    seen_else: false,
                });
            }
            "elif" => {
                let frame = stack.last_mut().ok_or_else(|| ImportError::new(line, "#elif without #if"))?;
                if frame.seen_else {
                    return Err(ImportError::new(line, "#elif after #else"));
                }
                if frame.taken {
                    frame.active = false;
                } else {
                    let cond = eval_condition(&table, args, line)?;
                    frame.active = cond;
                    frame.taken = cond;
                }
            }
            "else" => {
                let frame = stack.last_mut().ok_or_else(|| ImportError::new(line, "#else without #if"))?;
                if frame.seen_else {
                    return Err(ImportError::new(line, "#else after #else"));
                }
                frame.seen_else = true;
                frame.active = frame.parent_active && !frame.taken;
                frame.taken = true;
            }
            "endif" => {
                stack.pop().ok_or_else(|| ImportError::new(line, "#endif without #if"))?;
            }
            _ if !active => {}
            "define" => {
                let args = args.trim_start();
                let name =
                    first_identifier(args).ok_or_else(|| ImportError::new(line, "#define without a macro name"))?;
                let after = &args[name.len()..];
                let kind = if after.starts_with('(') {
                    MacroKind::Function
                } else {
                    MacroKind::Object(after.trim().to_string())
                };
                table.insert(name, Macro { line, kind });
            }
            "undef" => {
                let name = first_identifier(args.trim_start())
                    .ok_or_else(|| ImportError::new(line, "#undef without a macro name"))?;
                table.remove(&name);
            }
            "error" => {
                return Err(ImportError::new(line, format!("#error{args}")));
            }
            // #include cannot be followed here; #pragma, #warning, #line and
            // the null directive do not change any macro.
            _ => {}
        }
    }
    if let Some(frame) = stack.last() {
        return Err(ImportError::new(frame.line, "#if without #endif"));
    }
    Ok(table)
}

fn eval_condition(table: &Table, expr: &str, line: usize) -> Result<bool, ImportError> {
    Evaluator::new(table, Mode::Condition)
        .eval_text(expr)
        .map(|v| v != 0)
        .map_err(|e| ImportError::new(e.line.unwrap_or(line), format!("in #if: {}", e.msg)))
}

fn is_defined(table: &Table, name: &str) -> bool {
    table.contains_key(name) || Evaluator::new(table, Mode::Condition).predefined(name).is_some()
}

pub(crate) fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

fn first_identifier(s: &str) -> Option<String> {
    let s = s.trim_start();
    let end = s.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).unwrap_or(s.len());
    let ident = &s[..end];
    is_identifier(ident).then(|| ident.to_string())
}

/// The identifier a macro body consists of, allowing surrounding parentheses.
pub(crate) fn single_identifier(body: &str) -> Option<String> {
    let mut s = body.trim();
    while let Some(inner) = s.strip_prefix('(').and_then(|t| t.strip_suffix(')')) {
        s = inner.trim();
    }
    is_identifier(s).then(|| s.to_string())
}
