//! QMP's input framing: bytes in, one JSON message (or one parse error) out per top-level
//! value, exactly where QEMU's JSON lexer and streamer cut them. A message ends when its
//! braces and brackets balance (or go negative), a scalar at the top level is a message of its
//! own, and a character no token can start ends the message in progress with QEMU's
//! "JSON parse error, stray '...'" and then skips input up to the next structural character or
//! control character. Lines mean nothing: a request may span lines and a line may hold several.
//!
//! This file owns tokenizing and framing; turning tokens into values is `json_parse.rs`. It
//! must not know QMP commands.

use super::json_parse::{parse_tokens, Token, TokenKind};
use serde_json::Value;

/// QEMU's limits: per message, bytes in tokens, number of tokens, nesting depth.
const MAX_TOKEN_SIZE: usize = 64 << 20;
const MAX_TOKEN_COUNT: usize = 2 << 20;
const MAX_NESTING: i64 = 1 << 10;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Start,
    /// Inside a string; the quote that ends it.
    Str(u8),
    StrEscape(u8),
    /// `-` seen.
    Minus,
    /// A leading `0`.
    Zero,
    /// Integer digits (not starting with 0).
    Int,
    /// `.` seen, a digit must follow.
    Dot,
    Fraction,
    /// `e`/`E` seen.
    Exp,
    /// Exponent sign seen, a digit must follow.
    ExpSign,
    ExpDigits,
    Keyword,
    /// After a lexical error: skipping to a resynchronization point.
    Recovery,
}

/// Feed bytes with [`JsonStream::feed`]; each completed message comes out as `Ok(value)` or
/// `Err(description)` (QEMU's "JSON parse error, ..." text).
pub struct JsonStream {
    state: State,
    token: Vec<u8>,
    tokens: Vec<Token>,
    token_bytes: usize,
    braces: i64,
    brackets: i64,
}

impl Default for JsonStream {
    fn default() -> Self {
        Self::new()
    }
}

impl JsonStream {
    pub fn new() -> Self {
        JsonStream {
            state: State::Start,
            token: Vec::new(),
            tokens: Vec::new(),
            token_bytes: 0,
            braces: 0,
            brackets: 0,
        }
    }

    /// Consume `data`; returns the messages it completed, in order.
    pub fn feed(&mut self, data: &[u8]) -> Vec<Result<Value, String>> {
        let mut out = Vec::new();
        for &b in data {
            self.feed_byte(b, &mut out);
        }
        out
    }

    fn feed_byte(&mut self, b: u8, out: &mut Vec<Result<Value, String>>) {
        // A byte either extends the token in progress, ends it (and is then looked at again
        // from the start state), or is an error.
        loop {
            match self.step(b) {
                Step::Consume(next) => {
                    self.token.push(b);
                    self.state = next;
                    return;
                }
                Step::Emit(kind) => {
                    // The byte completes the token (closing quote, punctuation).
                    self.token.push(b);
                    self.emit(kind, out);
                    self.state = State::Start;
                    return;
                }
                Step::EmitThenRetry(kind) => {
                    self.emit(kind, out);
                    self.state = State::Start;
                }
                Step::Skip => return,
                Step::Retry => self.state = State::Start,
                Step::Error => {
                    self.token.push(b);
                    let text = String::from_utf8_lossy(&self.token).into_owned();
                    self.token.clear();
                    self.reset_message();
                    out.push(Err(format!("JSON parse error, stray '{text}'")));
                    self.state = State::Recovery;
                    return;
                }
            }
        }
    }

    fn step(&self, b: u8) -> Step {
        use State::*;
        match self.state {
            Start => match b {
                b'"' | b'\'' => Step::Consume(Str(b)),
                b'0' => Step::Consume(Zero),
                b'1'..=b'9' => Step::Consume(Int),
                b'-' => Step::Consume(Minus),
                b'{' => Step::Emit(TokenKind::LCurly),
                b'}' => Step::Emit(TokenKind::RCurly),
                b'[' => Step::Emit(TokenKind::LSquare),
                b']' => Step::Emit(TokenKind::RSquare),
                b',' => Step::Emit(TokenKind::Comma),
                b':' => Step::Emit(TokenKind::Colon),
                b'a'..=b'z' => Step::Consume(Keyword),
                b' ' | b'\t' | b'\r' | b'\n' => Step::Skip,
                _ => Step::Error,
            },
            Str(q) => match b {
                b'\\' => Step::Consume(StrEscape(q)),
                _ if b == q => Step::Emit(TokenKind::String),
                0x20..=0xfd => Step::Consume(Str(q)),
                _ => Step::Error,
            },
            StrEscape(q) => match b {
                b'b' | b'f' | b'n' | b'r' | b't' | b'/' | b'\\' | b'\'' | b'"' | b'u' => Step::Consume(Str(q)),
                _ => Step::Error,
            },
            Minus => match b {
                b'0' => Step::Consume(Zero),
                b'1'..=b'9' => Step::Consume(Int),
                _ => Step::Error,
            },
            Zero => match b {
                b'0'..=b'9' => Step::Error,
                b'.' => Step::Consume(Dot),
                _ => Step::EmitThenRetry(TokenKind::Integer),
            },
            Int => match b {
                b'0'..=b'9' => Step::Consume(Int),
                b'.' => Step::Consume(Dot),
                b'e' | b'E' => Step::Consume(Exp),
                _ => Step::EmitThenRetry(TokenKind::Integer),
            },
            Dot => match b {
                b'0'..=b'9' => Step::Consume(Fraction),
                _ => Step::Error,
            },
            Fraction => match b {
                b'0'..=b'9' => Step::Consume(Fraction),
                b'e' | b'E' => Step::Consume(Exp),
                _ => Step::EmitThenRetry(TokenKind::Float),
            },
            Exp => match b {
                b'+' | b'-' => Step::Consume(ExpSign),
                b'0'..=b'9' => Step::Consume(ExpDigits),
                _ => Step::Error,
            },
            ExpSign => match b {
                b'0'..=b'9' => Step::Consume(ExpDigits),
                _ => Step::Error,
            },
            ExpDigits => match b {
                b'0'..=b'9' => Step::Consume(ExpDigits),
                _ => Step::EmitThenRetry(TokenKind::Float),
            },
            Keyword => match b {
                b'a'..=b'z' => Step::Consume(Keyword),
                _ => Step::EmitThenRetry(TokenKind::Keyword),
            },
            Recovery => match b {
                b'\t' => Step::Skip,
                0x00..=0x1f | 0xfe | 0xff | b'[' | b']' | b'{' | b'}' | b':' | b',' => Step::Retry,
                _ => Step::Skip,
            },
        }
    }

    fn emit(&mut self, kind: TokenKind, out: &mut Vec<Result<Value, String>>) {
        let text = std::mem::take(&mut self.token);
        match kind {
            TokenKind::LCurly => self.braces += 1,
            TokenKind::RCurly => self.braces -= 1,
            TokenKind::LSquare => self.brackets += 1,
            TokenKind::RSquare => self.brackets -= 1,
            _ => {}
        }
        if self.token_bytes + text.len() + 1 > MAX_TOKEN_SIZE {
            self.reset_message();
            out.push(Err("JSON token size limit exceeded".to_string()));
            return;
        }
        if self.tokens.len() + 1 > MAX_TOKEN_COUNT {
            self.reset_message();
            out.push(Err("JSON token count limit exceeded".to_string()));
            return;
        }
        if self.braces + self.brackets > MAX_NESTING {
            self.reset_message();
            out.push(Err("JSON nesting depth limit exceeded".to_string()));
            return;
        }
        self.token_bytes += text.len();
        self.tokens.push(Token { kind, text });
        if (self.braces > 0 || self.brackets > 0) && self.braces >= 0 && self.brackets >= 0 {
            return;
        }
        let tokens = std::mem::take(&mut self.tokens);
        self.reset_message();
        out.push(parse_tokens(tokens));
    }

    fn reset_message(&mut self) {
        self.tokens.clear();
        self.token_bytes = 0;
        self.braces = 0;
        self.brackets = 0;
    }
}

enum Step {
    /// Append the byte to the token in progress and go to the state.
    Consume(State),
    /// The byte ends the token and belongs to it.
    Emit(TokenKind),
    /// The token ended before this byte; look at the byte again from the start state.
    EmitThenRetry(TokenKind),
    /// Ignore the byte (whitespace, or skipping after an error).
    Skip,
    /// Leave recovery and look at the byte again from the start state.
    Retry,
    Error,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn feed(s: &[u8]) -> Vec<Result<Value, String>> {
        JsonStream::new().feed(s)
    }

    fn errs(s: &[u8]) -> Vec<String> {
        feed(s).into_iter().map(|r| r.err().unwrap_or_else(|| "ok".into())).collect()
    }

    #[test]
    fn messages_are_cut_by_nesting_not_lines() {
        let mut st = JsonStream::new();
        assert!(st.feed(b"{\"execute\":\n").is_empty());
        assert_eq!(st.feed(b"\"x\"}").pop().unwrap().unwrap(), json!({"execute": "x"}));
        let two = feed(b"{\"a\":1}{\"b\":[2]} 5 ");
        assert_eq!(two.len(), 3);
        assert_eq!(two[2].as_ref().unwrap(), &json!(5));
    }

    #[test]
    fn qemu_error_texts() {
        // Each of these was checked against qemu-system-mips 7.2.
        assert_eq!(errs(b"{bad json}"), vec!["JSON parse error, invalid keyword 'bad'"]);
        assert_eq!(errs(b"{\"a\":1}}"), vec!["ok", "JSON parse error, expecting value"]);
        assert_eq!(errs(b"{\"a\":\x01}"), vec!["JSON parse error, stray '\u{1}'", "JSON parse error, expecting value"]);
        assert_eq!(errs(b"nul\n"), vec!["JSON parse error, invalid keyword 'nul'"]);
        assert_eq!(errs(b"\xc3\xbf\xc3\xbe\n"), vec!["JSON parse error, stray '\u{fffd}'"]);
    }

    #[test]
    fn single_quotes_and_numbers() {
        assert_eq!(feed(b"{'a': -0.5e+3}")[0].as_ref().unwrap(), &json!({"a": -500.0}));
        assert_eq!(feed(b"18446744073709551615 ")[0].as_ref().unwrap(), &json!(18446744073709551615u64));
        assert!(feed(b"01 ")[0].is_err());
    }

    #[test]
    fn limits_and_garbage_never_panic() {
        let deep = vec![b'['; 2000];
        let r = feed(&deep);
        assert_eq!(r[0].as_ref().unwrap_err(), "JSON nesting depth limit exceeded");
        let mut seed = 12345u32;
        let mut st = JsonStream::new();
        for _ in 0..20000 {
            seed = seed.wrapping_mul(1103515245).wrapping_add(12345);
            let alphabet = b"{}[]:,\"'\\u0123456789-+.eEtruefalsnl x\n\xff\xc3";
            let b = alphabet[(seed >> 16) as usize % alphabet.len()];
            let _ = st.feed(&[b]);
        }
    }
}
