//! The lexical rules of a source line: where a comment starts, how statements and
//! arguments are separated (outside string literals and parentheses), and string literals'
//! escapes.

/// The characters of `s` outside string literals (`"..."` with `\` escapes): byte offset,
/// character, and the parenthesis depth there.
fn outside_strings(s: &str) -> Vec<(usize, char, i32)> {
    let mut out = Vec::new();
    let (mut in_str, mut esc, mut depth) = (false, false, 0i32);
    for (i, c) in s.char_indices() {
        if in_str {
            match (esc, c) {
                (true, _) => esc = false,
                (false, '\\') => esc = true,
                (false, '"') => in_str = false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => in_str = true,
            '(' => depth += 1,
            ')' => depth -= 1,
            _ => {}
        }
        out.push((i, c, depth));
    }
    out
}

/// `line` without its comment (from the first comment character outside a string).
pub(super) fn strip_comment<'l>(line: &'l str, comment: &str) -> &'l str {
    match outside_strings(line).into_iter().find(|&(_, c, _)| comment.contains(c)) {
        Some((i, ..)) => &line[..i],
        None => line,
    }
}

/// Statements of a line: `;` separates them outside strings.
pub(super) fn split_statements(line: &str) -> Vec<&str> {
    split_outside_strings(line, ';', false)
}

/// `s` split at each `sep` outside strings (and, with `top_level`, outside parentheses).
fn split_outside_strings(s: &str, sep: char, top_level: bool) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    for (i, c, depth) in outside_strings(s) {
        if c == sep && (!top_level || depth == 0) {
            out.push(&s[start..i]);
            start = i + c.len_utf8();
        }
    }
    out.push(&s[start..]);
    out
}

/// A directive's comma-separated arguments.
pub fn split_args(s: &str) -> Vec<String> {
    if s.trim().is_empty() {
        return Vec::new();
    }
    split_outside_strings(s, ',', true).into_iter().map(|a| a.trim().to_string()).collect()
}

/// The bytes of a string literal `"..."` with GNU as's escapes.
pub(super) fn unquote(s: &str) -> Result<Vec<u8>, String> {
    let s = s.trim();
    let inner = s.strip_prefix('"').and_then(|x| x.strip_suffix('"')).ok_or("expected a string in double quotes")?;
    let b = inner.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] != b'\\' {
            out.push(b[i]);
            i += 1;
            continue;
        }
        i += 1;
        let c = *b.get(i).ok_or("a string ends in `\\`")?;
        i += 1;
        match c {
            b'n' => out.push(10),
            b't' => out.push(9),
            b'r' => out.push(13),
            b'b' => out.push(8),
            b'f' => out.push(12),
            b'"' => out.push(b'"'),
            b'\\' => out.push(b'\\'),
            b'x' => {
                let mut v = 0u32;
                while i < b.len() && b[i].is_ascii_hexdigit() {
                    v = v * 16 + (b[i] as char).to_digit(16).unwrap_or(0);
                    i += 1;
                }
                out.push(v as u8);
            }
            b'0'..=b'7' => {
                let mut v = (c - b'0') as u32;
                let mut n = 1;
                while n < 3 && i < b.len() && (b'0'..=b'7').contains(&b[i]) {
                    v = v * 8 + (b[i] - b'0') as u32;
                    i += 1;
                    n += 1;
                }
                out.push(v as u8);
            }
            other => out.push(other),
        }
    }
    Ok(out)
}
