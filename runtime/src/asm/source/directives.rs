//! The directives every architecture's GNU as has: sections, data, strings, alignment,
//! `.org`, symbols, `.equ`/`.set`, `.include`. An architecture's own come first, through
//! [`AsmArch::directive`](crate::asm::AsmArch::directive).

use super::text::{split_args, unquote};
use super::{Assembler, MAX_INCLUDE_DEPTH};
use crate::asm::expr::{self, Expr, SymRef, Val};

impl Assembler<'_> {
    pub(super) fn directive(
        &mut self,
        word: &str,
        rest: &str,
        col: usize,
        rest_col: usize,
        dir: Option<&std::path::Path>,
    ) -> bool {
        let d = word.to_ascii_lowercase();
        if let Some(r) = (self.arch.directive)(self, &d, rest) {
            if let Err(e) = r {
                self.err(col, e);
            }
            return true;
        }
        let args = split_args(rest);
        match d.as_str() {
            ".text" | ".data" | ".bss" => {
                self.section(&d);
            }
            ".section" | ".pushsection" => {
                let Some(name) = args.first() else {
                    self.err(rest_col, "expected a section name");
                    return true;
                };
                let name = name.trim_matches('"').to_string();
                let old = self.cur;
                let i = self.section(&name);
                if d == ".pushsection" {
                    self.stack.push(old);
                }
                if let Some(flags) = args.get(1) {
                    let mut f = 0;
                    for c in flags.trim_matches('"').chars() {
                        f |= match c {
                            'w' => 1,
                            'a' => 2,
                            'x' => 4,
                            _ => 0,
                        };
                    }
                    self.sections[i].flags = f;
                }
                if let Some(t) = args.get(2) {
                    self.sections[i].kind = if t.contains("nobits") { 8 } else { 1 };
                }
            }
            ".popsection" => match self.stack.pop() {
                Some(s) => {
                    self.prev = self.cur;
                    self.cur = s;
                }
                None => self.err(col, "`.popsection` without `.pushsection`"),
            },
            ".previous" => std::mem::swap(&mut self.cur, &mut self.prev),
            ".byte" | ".half" | ".short" | ".hword" | ".2byte" | ".word" | ".long" | ".int" | ".4byte" | ".quad"
            | ".8byte" => {
                let size = match d.as_str() {
                    ".byte" => 1,
                    ".half" | ".short" | ".hword" | ".2byte" => 2,
                    ".quad" | ".8byte" => 8,
                    _ => 4,
                };
                // `.2byte`/`.4byte`/`.8byte` are never aligned; the others are where the
                // architecture's GNU as does it (MIPS), labels just before them moving along.
                if self.arch.auto_align_data && size > 1 && !d.ends_with("byte") && !args.is_empty() {
                    self.auto_align(size as u64);
                }
                for a in &args {
                    self.data(size, a, rest_col);
                }
            }
            ".ascii" | ".asciz" | ".string" => {
                for a in &args {
                    match unquote(a) {
                        Ok(mut b) => {
                            if d != ".ascii" {
                                b.push(0);
                            }
                            self.emit(&b);
                        }
                        Err(e) => self.err(rest_col, e),
                    }
                }
            }
            ".space" | ".skip" | ".zero" => {
                let n = self.abs_arg(args.first().map(|s| s.as_str()), rest_col);
                let fill = if d == ".zero" {
                    0
                } else {
                    self.abs_arg(args.get(1).map(|s| s.as_str()).or(Some("0")), rest_col)
                };
                if (0..=1 << 28).contains(&n) {
                    self.emit(&vec![fill as u8; n as usize]);
                } else {
                    self.err(rest_col, format!("bad size {n}"));
                }
            }
            ".align" | ".balign" | ".p2align" => {
                let n = self.abs_arg(args.first().map(|s| s.as_str()), rest_col);
                let fill =
                    args.get(1).filter(|s| !s.trim().is_empty()).map(|s| self.abs_arg(Some(s), rest_col)).unwrap_or(0);
                let power = d == ".p2align" || (d == ".align" && self.arch.align_is_power);
                let bytes = if power { 1u64.checked_shl(n as u32).unwrap_or(0) } else { n as u64 };
                if bytes == 0 || !bytes.is_power_of_two() || bytes > 1 << 16 {
                    self.err(rest_col, format!("bad alignment {n}"));
                } else {
                    let s = &mut self.sections[self.cur];
                    s.align = s.align.max(bytes);
                    let pad = (bytes - self.offset() % bytes) % bytes;
                    self.emit(&vec![fill as u8; pad as usize]);
                }
            }
            ".org" => {
                let n = self.abs_arg(args.first().map(|s| s.as_str()), rest_col);
                let here = self.offset() as i64;
                if n < here {
                    self.err(rest_col, format!("`.org` moves backwards (to {n:#x} from {here:#x})"));
                } else {
                    self.emit(&vec![0; (n - here) as usize]);
                }
            }
            ".global" | ".globl" => {
                for a in args {
                    self.globals.insert(a.trim().to_string());
                    if !self.order.iter().any(|n| n == a.trim()) {
                        self.order.push(a.trim().to_string());
                    }
                }
            }
            ".local" => {}
            ".equ" | ".set" | ".equiv" => {
                if args.len() == 2 {
                    self.equ(args[0].trim(), args[1].trim(), rest_col);
                } else {
                    self.err(rest_col, format!("expected `{d} NAME, VALUE`"));
                }
            }
            ".type" => {
                if let (Some(n), Some(t)) = (args.first(), args.get(1)) {
                    let t = if t.contains("function") {
                        2
                    } else if t.contains("object") {
                        1
                    } else {
                        0
                    };
                    self.types.insert(n.trim().to_string(), t);
                }
            }
            ".size" => {
                if let (Some(n), Some(e)) = (args.first(), args.get(1)) {
                    if let Ok((e, _)) = expr::parse(e, 0) {
                        // `.size f, .-f`: `.` is where the directive is.
                        let here =
                            Val { sym: Some(SymRef::Section(self.cur)), addend: self.offset() as i64, modifier: None };
                        let e = replace_dot(e, here);
                        self.sizes.insert(n.trim().to_string(), e);
                    }
                }
            }
            ".include" => {
                let name = rest.trim().trim_matches('"');
                let path = dir.map(|d| d.join(name)).unwrap_or_else(|| name.into());
                if self.depth >= MAX_INCLUDE_DEPTH {
                    self.err(rest_col, "`.include` nested too deeply");
                } else {
                    let saved = self.loc.clone();
                    self.depth += 1;
                    self.file(&path);
                    self.depth -= 1;
                    self.loc = saved;
                }
            }
            ".end" => return false,
            ".file" | ".ident" | ".loc" | ".weak_hidden" | ".hidden" | ".protected" | ".internal" => {}
            d if d.starts_with(".cfi_") => {}
            _ => self.err(col, format!("unknown directive `{word}`")),
        }
        true
    }

    fn abs_arg(&mut self, text: Option<&str>, col: usize) -> i64 {
        let Some(text) = text else {
            self.err(col, "expected a value");
            return 0;
        };
        match expr::parse(text, 0).and_then(|(e, _)| expr::eval(&e, self)).and_then(|v| expr::abs(v, "this directive"))
        {
            Ok(v) => v,
            Err(e) => {
                self.err(col, e);
                0
            }
        }
    }
}

fn replace_dot(e: Expr, here: Val) -> Expr {
    match e {
        Expr::Dot => match here.sym {
            Some(SymRef::Section(_)) | None => Expr::Num(here.addend),
            _ => Expr::Dot,
        },
        Expr::Bin(op, a, b) => Expr::Bin(op, Box::new(replace_dot(*a, here.clone())), Box::new(replace_dot(*b, here))),
        other => other,
    }
}
