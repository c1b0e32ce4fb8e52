//! JSON text as QEMU's monitor writes it: `", "` and `": "` separators, members in the order
//! they were inserted, ASCII only (everything else as `\uXXXX`, upper-case hex, surrogate pairs
//! above U+FFFF). Clients parse JSON, so this is for people reading logs and for byte-level
//! comparison with QEMU.
//!
//! This file owns serialization only.

use serde_json::Value;
use std::fmt::Write as _;

/// One value as QEMU prints it (no trailing newline).
pub fn to_qemu_json(v: &Value) -> String {
    let mut s = String::new();
    write_value(&mut s, v);
    s
}

fn write_value(out: &mut String, v: &Value) {
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(&n.to_string()),
        Value::String(s) => write_str(out, s),
        Value::Array(a) => {
            out.push('[');
            for (i, e) in a.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_value(out, e);
            }
            out.push(']');
        }
        Value::Object(m) => {
            out.push('{');
            for (i, (k, e)) in m.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_str(out, k);
                out.push_str(": ");
                write_value(out, e);
            }
            out.push('}');
        }
    }
}

fn write_str(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            ' '..='~' => out.push(c),
            _ => {
                let mut units = [0u16; 2];
                for u in c.encode_utf16(&mut units) {
                    let _ = write!(out, "\\u{:04X}", u);
                }
            }
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn qemu_layout() {
        let v = json!({"return": {"status": "running", "singlestep": false}, "id": [1, "é\u{1}😀"]});
        assert_eq!(
            to_qemu_json(&v),
            r#"{"return": {"status": "running", "singlestep": false}, "id": [1, "\u00E9\u0001\uD83D\uDE00"]}"#
        );
        assert_eq!(to_qemu_json(&json!({})), "{}");
        assert_eq!(to_qemu_json(&json!([])), "[]");
    }
}
