//! The human monitor's address expressions, with QEMU's grammar and messages: `+ -` below
//! `& | ^` below `* / %`, unary `+ - ~`, parentheses, `'c'` character constants, numbers in C
//! notation (`0x` hex, leading `0` octal, else decimal; at most 64 bits), `$reg` registers.
//! Arithmetic wraps at 64 bits.
//!
//! This file owns expression evaluation only; it must not print.

/// Evaluate the expression at the start of `s`; returns the value and the unparsed rest.
/// `reg` answers `$name` (None: "unknown register").
pub fn eval<'a>(s: &'a str, reg: &dyn Fn(&str) -> Option<i64>) -> Result<(i64, &'a str), String> {
    let mut p = P { s: s.as_bytes(), pos: 0, depth: 0, reg };
    p.skip_ws();
    let v = p.sum()?;
    Ok((v, &s[p.pos..]))
}

const MAX_DEPTH: u32 = 256;

struct P<'a, 'r> {
    s: &'a [u8],
    pos: usize,
    /// Nesting of unary operators and parentheses, bounded so no input exhausts the stack.
    depth: u32,
    reg: &'r dyn Fn(&str) -> Option<i64>,
}

impl P<'_, '_> {
    fn cur(&self) -> u8 {
        self.s.get(self.pos).copied().unwrap_or(0)
    }

    fn skip_ws(&mut self) {
        while self.cur().is_ascii_whitespace() {
            self.pos += 1;
        }
    }

    /// Step over one character and the blanks after it.
    fn next(&mut self) {
        if self.cur() != 0 {
            self.pos += 1;
            self.skip_ws();
        }
    }

    fn sum(&mut self) -> Result<i64, String> {
        let mut v = self.logic()?;
        loop {
            let op = self.cur();
            if op != b'+' && op != b'-' {
                return Ok(v);
            }
            self.next();
            let w = self.logic()?;
            v = if op == b'+' { v.wrapping_add(w) } else { v.wrapping_sub(w) };
        }
    }

    fn logic(&mut self) -> Result<i64, String> {
        let mut v = self.prod()?;
        loop {
            let op = self.cur();
            if !matches!(op, b'&' | b'|' | b'^') {
                return Ok(v);
            }
            self.next();
            let w = self.prod()?;
            v = match op {
                b'&' => v & w,
                b'|' => v | w,
                _ => v ^ w,
            };
        }
    }

    fn prod(&mut self) -> Result<i64, String> {
        let mut v = self.unary()?;
        loop {
            let op = self.cur();
            if !matches!(op, b'*' | b'/' | b'%') {
                return Ok(v);
            }
            self.next();
            let w = self.unary()?;
            v = match op {
                b'*' => v.wrapping_mul(w),
                _ if w == 0 => return Err("division by zero".into()),
                b'/' => v.wrapping_div(w),
                _ => v.wrapping_rem(w),
            };
        }
    }

    fn unary(&mut self) -> Result<i64, String> {
        if self.depth >= MAX_DEPTH {
            return Err("expression nested too deeply".into());
        }
        self.depth += 1;
        let v = self.unary_inner();
        self.depth -= 1;
        v
    }

    fn unary_inner(&mut self) -> Result<i64, String> {
        match self.cur() {
            b'+' => {
                self.next();
                self.unary()
            }
            b'-' => {
                self.next();
                Ok(self.unary()?.wrapping_neg())
            }
            b'~' => {
                self.next();
                Ok(!self.unary()?)
            }
            b'(' => {
                self.next();
                let v = self.sum()?;
                if self.cur() != b')' {
                    return Err("')' expected".into());
                }
                self.next();
                Ok(v)
            }
            b'\'' => {
                self.pos += 1;
                if self.cur() == 0 {
                    return Err("character constant expected".into());
                }
                let v = i64::from(self.cur() as i8);
                self.pos += 1;
                if self.cur() != b'\'' {
                    return Err("missing terminating ' character".into());
                }
                self.next();
                Ok(v)
            }
            b'$' => {
                self.pos += 1;
                let start = self.pos;
                while matches!(self.cur(), b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'_' | b'.') {
                    self.pos += 1;
                }
                let name = String::from_utf8_lossy(&self.s[start..self.pos]).into_owned();
                self.skip_ws();
                (self.reg)(&name).ok_or_else(|| "unknown register".to_string())
            }
            0 => Err("unexpected end of expression".into()),
            c => {
                let (v, len) = c_number(&self.s[self.pos..])?;
                if len == 0 {
                    return Err(format!("invalid char '{}' in expression", c as char));
                }
                self.pos += len;
                self.skip_ws();
                Ok(v as i64)
            }
        }
    }
}

/// strtoull(s, &end, 0) without leading blanks or sign: the value and the bytes used
/// (0: no number).
fn c_number(s: &[u8]) -> Result<(u64, usize), String> {
    let (radix, start) = if s.len() > 2 && s[0] == b'0' && (s[1] | 0x20) == b'x' && s[2].is_ascii_hexdigit() {
        (16, 2)
    } else if s.first() == Some(&b'0') {
        (8, 0)
    } else {
        (10, 0)
    };
    let mut v: u64 = 0;
    let mut i = start;
    let mut overflow = false;
    while let Some(d) = s.get(i).and_then(|&b| (b as char).to_digit(radix)) {
        match v.checked_mul(u64::from(radix)).and_then(|x| x.checked_add(u64::from(d))) {
            Some(x) => v = x,
            None => overflow = true,
        }
        i += 1;
    }
    if overflow {
        return Err("number too large".into());
    }
    Ok((v, if i == start { 0 } else { i }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(s: &str) -> Result<i64, String> {
        eval(s, &|r| (r == "pc").then_some(0x100)).map(|(v, _)| v)
    }

    #[test]
    fn grammar_and_messages() {
        assert_eq!(ev("4+4"), Ok(8));
        assert_eq!(ev("0x10+0x4*2"), Ok(0x18));
        assert_eq!(ev("1+2&3"), Ok(1 + (2 & 3)));
        assert_eq!(ev("010"), Ok(8));
        assert_eq!(ev("'a'"), Ok(0x61));
        assert_eq!(ev("-8"), Ok(-8));
        assert_eq!(ev("~0"), Ok(-1));
        assert_eq!(ev("$pc + 4"), Ok(0x104));
        assert_eq!(ev("0xffffffffffffffff"), Ok(-1));
        assert_eq!(ev("99999999999999999999").unwrap_err(), "number too large");
        assert_eq!(ev("1/0").unwrap_err(), "division by zero");
        assert_eq!(ev("(1").unwrap_err(), "')' expected");
        assert_eq!(ev("foo").unwrap_err(), "invalid char 'f' in expression");
        assert_eq!(ev("").unwrap_err(), "unexpected end of expression");
        assert_eq!(ev("$zz").unwrap_err(), "unknown register");
        assert_eq!(ev("'").unwrap_err(), "character constant expected");
        assert_eq!(ev("'ab").unwrap_err(), "missing terminating ' character");
        assert_eq!(eval("0 1", &|_| None).unwrap(), (0, "1"));
        assert_eq!(ev(&"(".repeat(100)).unwrap_err(), "unexpected end of expression");
        assert_eq!(ev(&"-(".repeat(100_000)).unwrap_err(), "expression nested too deeply");
    }
}
