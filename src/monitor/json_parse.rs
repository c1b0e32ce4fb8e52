//! Tokens of one QMP message → a JSON value, with the error texts of QEMU's JSON parser
//! ("JSON parse error, expecting value", "invalid keyword 'x'", "duplicate key", ...). QEMU's
//! extensions are kept: single-quoted strings and the `\'` escape. Strings must be valid
//! (modified) UTF-8 and `\u` escapes valid Unicode characters; integers become i64, else u64,
//! else f64.
//!
//! This file owns the grammar only; cutting the byte stream into messages is
//! `json_stream.rs`.

use serde_json::{Map, Number, Value};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    LCurly,
    RCurly,
    LSquare,
    RSquare,
    Comma,
    Colon,
    String,
    Integer,
    Float,
    Keyword,
}

#[derive(Debug, Clone)]
pub struct Token {
    pub kind: TokenKind,
    /// The token's bytes as they came in (strings with their quotes).
    pub text: Vec<u8>,
}

/// Parse one message's tokens; the first error wins, as in QEMU.
pub fn parse_tokens(tokens: Vec<Token>) -> Result<Value, String> {
    let mut p = Parser { tokens, pos: 0 };
    p.value().map_err(|e| format!("JSON parse error, {e}"))
}

struct Parser {
    tokens: Vec<Token>,
    pos: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.pos)
    }

    fn pop(&mut self) -> Option<Token> {
        let t = self.tokens.get(self.pos).cloned();
        self.pos += 1;
        t
    }

    fn value(&mut self) -> Result<Value, String> {
        let Some(t) = self.peek() else { return Err("premature EOI".into()) };
        match t.kind {
            TokenKind::LCurly => self.object(),
            TokenKind::LSquare => self.array(),
            TokenKind::String | TokenKind::Integer | TokenKind::Float | TokenKind::Keyword => {
                let t = self.pop().ok_or("premature EOI")?;
                literal(&t)
            }
            _ => Err("expecting value".into()),
        }
    }

    fn object(&mut self) -> Result<Value, String> {
        self.pop();
        let mut map = Map::new();
        match self.peek() {
            None => return Err("premature EOI".into()),
            Some(t) if t.kind == TokenKind::RCurly => {
                self.pop();
                return Ok(Value::Object(map));
            }
            Some(_) => {}
        }
        loop {
            self.pair(&mut map)?;
            let t = self.pop().ok_or("premature EOI")?;
            match t.kind {
                TokenKind::RCurly => return Ok(Value::Object(map)),
                TokenKind::Comma => {}
                _ => return Err("expected separator in dict".into()),
            }
        }
    }

    fn pair(&mut self, map: &mut Map<String, Value>) -> Result<(), String> {
        if self.peek().is_none() {
            return Err("premature EOI".into());
        }
        let Value::String(key) = self.value()? else { return Err("key is not a string in object".into()) };
        let t = self.pop().ok_or("premature EOI")?;
        if t.kind != TokenKind::Colon {
            return Err("missing : in object pair".into());
        }
        let value = self.value()?;
        if map.contains_key(&key) {
            return Err("duplicate key".into());
        }
        map.insert(key, value);
        Ok(())
    }

    fn array(&mut self) -> Result<Value, String> {
        self.pop();
        let mut list = Vec::new();
        match self.peek() {
            None => return Err("premature EOI".into()),
            Some(t) if t.kind == TokenKind::RSquare => {
                self.pop();
                return Ok(Value::Array(list));
            }
            Some(_) => {}
        }
        loop {
            list.push(self.value()?);
            let t = self.pop().ok_or("premature EOI")?;
            match t.kind {
                TokenKind::RSquare => return Ok(Value::Array(list)),
                TokenKind::Comma => {}
                _ => return Err("expected separator in list".into()),
            }
        }
    }
}

fn literal(t: &Token) -> Result<Value, String> {
    let text = String::from_utf8_lossy(&t.text);
    match t.kind {
        TokenKind::String => string(&t.text).map(Value::String),
        TokenKind::Keyword => match text.as_ref() {
            "true" => Ok(Value::Bool(true)),
            "false" => Ok(Value::Bool(false)),
            "null" => Ok(Value::Null),
            other => Err(format!("invalid keyword '{other}'")),
        },
        TokenKind::Integer => {
            if let Ok(v) = text.parse::<i64>() {
                Ok(Value::Number(v.into()))
            } else if let Ok(v) = text.parse::<u64>() {
                Ok(Value::Number(v.into()))
            } else {
                Ok(float(&text))
            }
        }
        _ => Ok(float(&text)),
    }
}

/// A float, or null when it is out of f64's range (QEMU would keep an infinity, which JSON
/// cannot carry).
fn float(text: &str) -> Value {
    text.parse::<f64>().ok().and_then(Number::from_f64).map_or(Value::Null, Value::Number)
}

/// A string token (with its quotes) → its value.
fn string(raw: &[u8]) -> Result<String, String> {
    let body = &raw[1..raw.len().saturating_sub(1).max(1)];
    let mut out = String::new();
    let mut i = 0;
    while i < body.len() {
        let b = body[i];
        if b == b'\\' {
            let esc = body.get(i + 1).copied().unwrap_or(0);
            i += 2;
            match esc {
                b'"' => out.push('"'),
                b'\'' => out.push('\''),
                b'\\' => out.push('\\'),
                b'/' => out.push('/'),
                b'b' => out.push('\u{8}'),
                b'f' => out.push('\u{c}'),
                b'n' => out.push('\n'),
                b'r' => out.push('\r'),
                b't' => out.push('\t'),
                b'u' => {
                    let start = i - 2;
                    let mut cp = hex4(body.get(i..i + 4));
                    i += 4;
                    if let Some(lead) = cp.filter(|c| (0xd800..=0xdbff).contains(c)) {
                        if body.get(i) == Some(&b'\\') && body.get(i + 1) == Some(&b'u') {
                            match hex4(body.get(i + 2..i + 6)) {
                                Some(trail) if (0xdc00..=0xdfff).contains(&trail) => {
                                    cp = Some(0x10000 + ((lead & 0x3ff) << 10) + (trail & 0x3ff));
                                    i += 6;
                                }
                                _ => cp = None,
                            }
                        }
                    }
                    match cp.filter(|&c| valid_codepoint(c)).and_then(char::from_u32) {
                        Some(c) => out.push(c),
                        None => {
                            let end = i.min(body.len());
                            return Err(format!(
                                "{} is not a valid Unicode character",
                                String::from_utf8_lossy(&body[start..end])
                            ));
                        }
                    }
                }
                _ => return Err("invalid escape sequence in string".into()),
            }
            continue;
        }
        let (c, len) = utf8_char(&body[i..]).ok_or("invalid UTF-8 sequence in string")?;
        out.push(c);
        i += len;
    }
    Ok(out)
}

fn hex4(s: Option<&[u8]>) -> Option<u32> {
    let s = std::str::from_utf8(s?).ok()?;
    if s.len() != 4 || !s.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    u32::from_str_radix(s, 16).ok()
}

/// QEMU accepts neither surrogates nor noncharacters.
fn valid_codepoint(c: u32) -> bool {
    c <= 0x10ffff && (c & 0xffff_f800) != 0xd800 && !(0xfdd0..=0xfdef).contains(&c) && (c & 0xfffe) != 0xfffe
}

/// One (modified) UTF-8 character: `C0 80` is NUL; overlong forms, surrogates and
/// noncharacters are errors.
fn utf8_char(s: &[u8]) -> Option<(char, usize)> {
    let b0 = *s.first()?;
    if b0 < 0x80 {
        return Some((b0 as char, 1));
    }
    if s.len() >= 2 && b0 == 0xc0 && s[1] == 0x80 {
        return Some(('\0', 2));
    }
    let (len, min, init) = match b0 {
        0xc2..=0xdf => (2, 0x80, u32::from(b0 & 0x1f)),
        0xe0..=0xef => (3, 0x800, u32::from(b0 & 0x0f)),
        0xf0..=0xf4 => (4, 0x10000, u32::from(b0 & 0x07)),
        _ => return None,
    };
    let mut cp = init;
    for k in 1..len {
        let b = *s.get(k)?;
        if b & 0xc0 != 0x80 {
            return None;
        }
        cp = (cp << 6) | u32::from(b & 0x3f);
    }
    if cp < min || !valid_codepoint(cp) {
        return None;
    }
    char::from_u32(cp).map(|c| (c, len))
}

#[cfg(test)]
mod tests {
    use super::super::json_stream::JsonStream;
    use serde_json::json;

    fn one(s: &str) -> Result<serde_json::Value, String> {
        JsonStream::new().feed(s.as_bytes()).pop().unwrap()
    }

    #[test]
    fn strings() {
        assert_eq!(one(r#""a\u00e9\ud83d\ude00\'\"""#).unwrap(), json!("aé😀'\""));
        assert_eq!(one(r#""\u0000""#).unwrap(), json!("\0"));
        assert_eq!(one(r#""\ud800x""#).unwrap_err(), "JSON parse error, \\ud800 is not a valid Unicode character");
        assert_eq!(one(r#""\uzzzz""#).unwrap_err(), "JSON parse error, \\uzzzz is not a valid Unicode character");
        assert!(one("\"\u{fffe}\"").is_err());
    }

    #[test]
    fn structure_errors() {
        assert_eq!(one(r#"{"a" 1}"#).unwrap_err(), "JSON parse error, missing : in object pair");
        assert_eq!(one(r#"{"a":1 "b":2}"#).unwrap_err(), "JSON parse error, expected separator in dict");
        assert_eq!(one(r#"{1:2}"#).unwrap_err(), "JSON parse error, key is not a string in object");
        assert_eq!(one(r#"{"a":1,"a":2}"#).unwrap_err(), "JSON parse error, duplicate key");
        assert_eq!(one("[1 2]").unwrap_err(), "JSON parse error, expected separator in list");
        assert_eq!(one("{]").unwrap_err(), "JSON parse error, expecting value");
        assert_eq!(one("[}").unwrap_err(), "JSON parse error, expecting value");
    }
}
