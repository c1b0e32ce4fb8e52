//! GNU as expressions: numbers, symbols, `.`, numeric local labels (`1b`, `1f`), character
//! constants, unary and binary operators with GNU as's precedence, parentheses, and
//! relocation operators (`%hi(x)`, `%lo(x)`, `x@PLT`, which the architecture names and
//! evaluates).
//! Parsing and evaluation against a symbol table; owns no syntax beyond expressions.

/// A parsed expression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expr {
    Num(i64),
    Sym(String),
    /// `.`: the current location.
    Dot,
    /// `Nb` / `Nf`: the nearest numeric label `N` before or after this line.
    Local(u32, bool),
    Neg(Box<Expr>),
    Not(Box<Expr>),
    LNot(Box<Expr>),
    Bin(char, Box<Expr>, Box<Expr>),
    /// `%NAME(x)`, or `x@NAME`.
    Modifier(String, Box<Expr>),
}

/// A value: a number, or a symbol's address plus a number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Val {
    /// The symbol (or section) it is relative to; None for a plain number.
    pub sym: Option<SymRef>,
    pub addend: i64,
    /// The relocation operator applied, if any (its argument is `sym` + `addend`).
    pub modifier: Option<String>,
}

/// What a value is relative to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SymRef {
    /// An offset in this section of the file.
    Section(usize),
    /// A symbol this file does not define.
    Undefined(String),
}

impl Val {
    pub fn num(n: i64) -> Val {
        Val { sym: None, addend: n, modifier: None }
    }
}

/// Parse an expression at byte `i` of `s`. Returns it and where it ends (the first byte it
/// could not continue with).
pub fn parse(s: &str, i: usize) -> Result<(Expr, usize), String> {
    let mut p = P { s: s.as_bytes(), i };
    let e = p.binary(0)?;
    Ok((e, p.i))
}

struct P<'a> {
    s: &'a [u8],
    i: usize,
}

/// GNU as's binary operators, loosest first (its manual: `&&` `||`; then `+` `-` and the
/// comparisons; then `|` `&` `^` `!`; then `*` `/` `%` `<<` `>>`).
const LEVELS: &[&[&str]] = &[
    &["||", "&&"],
    &["+", "-", "==", "<>", "!=", "<=", ">=", "<", ">"],
    &["|", "&", "^", "!"],
    &["*", "/", "%", "<<", ">>"],
];

fn ident_char(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_' || c == b'.' || c == b'$'
}

impl P<'_> {
    fn ws(&mut self) {
        while self.s.get(self.i).is_some_and(|c| *c == b' ' || *c == b'\t') {
            self.i += 1;
        }
    }
    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }
    fn starts(&self, t: &str) -> bool {
        self.s[self.i.min(self.s.len())..].starts_with(t.as_bytes())
    }

    /// The `)` that ends a parenthesized expression.
    fn close(&mut self) -> Result<(), String> {
        self.ws();
        if self.peek() != Some(b')') {
            return Err("expected `)`".into());
        }
        self.i += 1;
        Ok(())
    }

    fn binary(&mut self, level: usize) -> Result<Expr, String> {
        if level == LEVELS.len() {
            return self.unary();
        }
        let mut left = self.binary(level + 1)?;
        loop {
            self.ws();
            // The longest operator here (`<<` is not `<`, `||` not `|`), if it is of this level.
            let Some(op) = LEVELS.iter().flat_map(|l| l.iter()).filter(|o| self.starts(o)).max_by_key(|o| o.len())
            else {
                break;
            };
            if !LEVELS[level].contains(op) {
                break;
            }
            self.i += op.len();
            let right = self.binary(level + 1)?;
            let c = match *op {
                "<<" => 'L',
                ">>" => 'R',
                "||" => 'o',
                "&&" => 'a',
                "==" => '=',
                "!=" | "<>" => 'n',
                "<=" => 'l',
                ">=" => 'g',
                "!" => 'O',
                o => o.chars().next().unwrap_or('?'),
            };
            left = Expr::Bin(c, Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn unary(&mut self) -> Result<Expr, String> {
        self.ws();
        match self.peek() {
            Some(b'-') => {
                self.i += 1;
                Ok(Expr::Neg(Box::new(self.unary()?)))
            }
            Some(b'+') => {
                self.i += 1;
                self.unary()
            }
            Some(b'~') => {
                self.i += 1;
                Ok(Expr::Not(Box::new(self.unary()?)))
            }
            Some(b'!') => {
                self.i += 1;
                Ok(Expr::LNot(Box::new(self.unary()?)))
            }
            Some(b'(') => {
                self.i += 1;
                let e = self.binary(0)?;
                self.close()?;
                Ok(e)
            }
            Some(b'%') => {
                self.i += 1;
                let start = self.i;
                while self.peek().is_some_and(|c| c.is_ascii_alphanumeric() || c == b'_') {
                    self.i += 1;
                }
                let name = String::from_utf8_lossy(&self.s[start..self.i]).to_string();
                self.ws();
                if name.is_empty() || self.peek() != Some(b'(') {
                    return Err("expected a relocation operator such as `%hi(symbol)`".into());
                }
                self.i += 1;
                let e = self.binary(0)?;
                self.close()?;
                Ok(Expr::Modifier(name, Box::new(e)))
            }
            Some(b'\'') => {
                let c = *self.s.get(self.i + 1).ok_or("expected a character after `'`")?;
                self.i += 2;
                if c == b'\\' {
                    let e = *self.s.get(self.i).ok_or("expected an escape")?;
                    self.i += 1;
                    let v = match e {
                        b'n' => 10,
                        b't' => 9,
                        b'r' => 13,
                        b'0' => 0,
                        o => o,
                    };
                    return Ok(Expr::Num(v as i64));
                }
                if self.peek() == Some(b'\'') {
                    self.i += 1;
                }
                Ok(Expr::Num(c as i64))
            }
            Some(c) if c.is_ascii_digit() => self.number(),
            // GNU as: a symbol's name begins with a letter, `.` or `_` (`$` may follow).
            Some(c) if c.is_ascii_alphabetic() || c == b'.' || c == b'_' => {
                let start = self.i;
                while self.peek().is_some_and(ident_char) {
                    self.i += 1;
                }
                let name = String::from_utf8_lossy(&self.s[start..self.i]).to_string();
                // `symbol@NAME`: a relocation operator written after the symbol (`puts@PLT`).
                if self.peek() == Some(b'@') && self.s.get(self.i + 1).is_some_and(|c| c.is_ascii_alphabetic()) {
                    self.i += 1;
                    let m = self.i;
                    while self.peek().is_some_and(|c| c.is_ascii_alphanumeric() || c == b'_') {
                        self.i += 1;
                    }
                    let op = String::from_utf8_lossy(&self.s[m..self.i]).to_string();
                    return Ok(Expr::Modifier(op, Box::new(Expr::Sym(name))));
                }
                Ok(if name == "." { Expr::Dot } else { Expr::Sym(name) })
            }
            _ => Err("expected an expression".into()),
        }
    }

    fn number(&mut self) -> Result<Expr, String> {
        let start = self.i;
        while self.peek().is_some_and(|c| c.is_ascii_alphanumeric()) {
            self.i += 1;
        }
        let text = std::str::from_utf8(&self.s[start..self.i]).unwrap_or("");
        let lower = text.to_ascii_lowercase();
        // `1b`, `1f`: numeric local labels.
        if let Some(n) = lower.strip_suffix('b').or_else(|| lower.strip_suffix('f')) {
            if !n.is_empty()
                && n.bytes().all(|c| c.is_ascii_digit())
                && !lower.starts_with("0x")
                && !lower.starts_with("0b")
            {
                let forward = lower.ends_with('f');
                return Ok(Expr::Local(n.parse().map_err(|_| format!("bad label `{text}`"))?, forward));
            }
        }
        let v = if let Some(h) = lower.strip_prefix("0x") {
            u64::from_str_radix(h, 16)
        } else if let Some(b) = lower.strip_prefix("0b") {
            u64::from_str_radix(b, 2)
        } else if lower.len() > 1 && lower.starts_with('0') {
            u64::from_str_radix(&lower[1..], 8)
        } else {
            lower.parse::<u64>()
        };
        v.map(|v| Expr::Num(v as i64)).map_err(|_| format!("bad number `{text}`"))
    }
}

/// Where names and `.` get their values.
pub trait Symbols {
    /// A symbol's value; None when this file does not define it.
    fn symbol(&self, name: &str) -> Option<Val>;
    /// `.`.
    fn dot(&self) -> Val;
    /// The numeric label `n`, before (`forward` false) or after this line.
    fn local(&self, n: u32, forward: bool) -> Result<Val, String>;
}

/// Evaluate `e`. A symbol this file lacks is an undefined symbol; a relocation operator is
/// kept in the value for the architecture to apply.
pub fn eval(e: &Expr, syms: &dyn Symbols) -> Result<Val, String> {
    Ok(match e {
        Expr::Num(n) => Val::num(*n),
        Expr::Sym(s) => {
            syms.symbol(s).unwrap_or(Val { sym: Some(SymRef::Undefined(s.clone())), addend: 0, modifier: None })
        }
        Expr::Dot => syms.dot(),
        Expr::Local(n, f) => syms.local(*n, *f)?,
        Expr::Neg(a) => Val::num(abs(eval(a, syms)?, "-")?.wrapping_neg()),
        Expr::Not(a) => Val::num(!abs(eval(a, syms)?, "~")?),
        Expr::LNot(a) => Val::num((abs(eval(a, syms)?, "!")? == 0) as i64),
        Expr::Modifier(m, a) => {
            let v = eval(a, syms)?;
            if v.modifier.is_some() {
                return Err(format!("`%{m}` of a relocation operator"));
            }
            Val { modifier: Some(m.clone()), ..v }
        }
        Expr::Bin(op, a, b) => {
            let (x, y) = (eval(a, syms)?, eval(b, syms)?);
            match op {
                '+' => match (&x.sym, &y.sym) {
                    (_, None) if y.modifier.is_none() && x.modifier.is_none() => {
                        Val { addend: x.addend.wrapping_add(y.addend), ..x }
                    }
                    (None, _) if x.modifier.is_none() && y.modifier.is_none() => {
                        Val { addend: x.addend.wrapping_add(y.addend), ..y }
                    }
                    _ => return Err("the sum of two symbols has no value".into()),
                },
                '-' => match (&x.sym, &y.sym) {
                    (_, None) if y.modifier.is_none() && x.modifier.is_none() => {
                        Val { addend: x.addend.wrapping_sub(y.addend), ..x }
                    }
                    (Some(SymRef::Section(s)), Some(SymRef::Section(t))) if s == t => {
                        Val::num(x.addend.wrapping_sub(y.addend))
                    }
                    _ => return Err("the difference of symbols in different sections has no value here".into()),
                },
                _ => {
                    let (x, y) = (abs(x, "an operator")?, abs(y, "an operator")?);
                    Val::num(match op {
                        '*' => x.wrapping_mul(y),
                        '/' if y != 0 => x.wrapping_div(y),
                        '%' if y != 0 => x.wrapping_rem(y),
                        '/' | '%' => return Err("division by zero".into()),
                        'L' => x.checked_shl(y as u32).unwrap_or(0),
                        'R' => x.checked_shr(y as u32).unwrap_or(0),
                        '&' => x & y,
                        '|' => x | y,
                        '^' => x ^ y,
                        'O' => x | !y,
                        'o' => (x != 0 || y != 0) as i64,
                        'a' => (x != 0 && y != 0) as i64,
                        '=' => -((x == y) as i64),
                        'n' => -((x != y) as i64),
                        '<' => -((x < y) as i64),
                        '>' => -((x > y) as i64),
                        'l' => -((x <= y) as i64),
                        'g' => -((x >= y) as i64),
                        _ => return Err(format!("operator `{op}`")),
                    })
                }
            }
        }
    })
}

/// The number `v` is, or an error saying `what` needs one.
pub fn abs(v: Val, what: &str) -> Result<i64, String> {
    match (&v.sym, &v.modifier) {
        (None, None) => Ok(v.addend),
        _ => Err(format!("{what} needs a value known here, not an address")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct NoSyms;
    impl Symbols for NoSyms {
        fn symbol(&self, _: &str) -> Option<Val> {
            None
        }
        fn dot(&self) -> Val {
            Val::num(0x100)
        }
        fn local(&self, n: u32, f: bool) -> Result<Val, String> {
            Ok(Val::num(n as i64 * if f { 10 } else { -10 }))
        }
    }

    fn num(s: &str) -> i64 {
        let (e, end) = parse(s, 0).unwrap();
        assert_eq!(end, s.len(), "{s}");
        abs(eval(&e, &NoSyms).unwrap(), "test").unwrap()
    }

    /// Values as GNU as computes them (its manual's precedence: `*` binds tighter than `+`,
    /// `+`, `-`, `|`, `&` share a level, comparisons yield -1 for true).
    #[test]
    fn precedence_and_numbers() {
        assert_eq!(num("1+2*3"), 7);
        assert_eq!(num("(1+2)*3"), 9);
        assert_eq!(num("1<<4|1"), 17);
        assert_eq!(num("0x10 - 010 - 0b1"), 7);
        assert_eq!(num("-4"), -4);
        assert_eq!(num("'a'"), 97);
        assert_eq!(num("2 < 3"), -1);
        assert_eq!(num(". + 4"), 0x104);
        assert_eq!(num("1b"), -10);
        assert_eq!(num("2f"), 20);
    }

    #[test]
    fn stops_where_the_operand_ends() {
        let (e, end) = parse("8($sp)", 0).unwrap();
        assert_eq!((e, end), (Expr::Num(8), 1));
        let (e, end) = parse("%lo(x)($3)", 0).unwrap();
        assert_eq!(end, 6);
        assert!(matches!(e, Expr::Modifier(..)));
    }
}
