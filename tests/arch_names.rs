//! Shared code names no guest architecture: outside `isa-specs/<arch>/`,
//! `runtime/src/targets/<arch>/`, `machines/src/<arch>/` and the architecture list
//! (`runtime/src/targets/mod.rs`), no `.rs` file under `codegen/src`, `runtime/src`,
//! `machines/src` or `src/` has an architecture's name in an identifier, a path or a string
//! literal (comments may name them). The host JIT's x86-64 is the host, not a guest:
//! `runtime/src/jit/` may name x86.
//!
//! `PENDING` lists the files that still do, each with what is left to move; the test fails
//! when a file outside the list names an architecture, and when a listed file no longer does
//! (take it off the list).

use std::path::{Path, PathBuf};

/// Architecture names, as whole identifier segments or words (case-insensitive).
const NAMES: &[&str] = &[
    "mips", "mipsel", "mipseb", "mips32", "mips64", "mips64el", "xtensa", "xtensaeb", "x86", "x86_64", "i386", "i686",
    "amd64", "arm", "armel", "armhf", "armeb", "aarch64", "arm64", "thumb", "ppc", "ppc64", "powerpc", "sparc",
    "sparc64",
];

const ROOTS: &[&str] = &["codegen/src", "runtime/src", "machines/src", "src"];

/// Folders of one architecture (any `<arch>` child of these) and the list file.
const ARCH_FOLDERS: &[&str] = &["runtime/src/targets", "machines/src"];
const LIST_FILES: &[&str] = &["runtime/src/targets/mod.rs"];

/// Names long enough that a word starting with one names the architecture too (`mipssim`).
const PREFIXES: &[&str] = &["mips", "xtensa", "sparc", "powerpc", "aarch64"];

/// Files that still name an architecture, and why (work left for the one-runtime issue).
const PENDING: &[(&str, &str)] = &[];

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn rs_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else { return };
    for e in rd.flatten() {
        let p = e.path();
        if p.is_dir() {
            rs_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// Whether `rel` (a path relative to the root) may name architectures.
fn exempt(rel: &str) -> bool {
    if LIST_FILES.contains(&rel) {
        return true;
    }
    ARCH_FOLDERS.iter().any(|f| {
        rel.strip_prefix(f).and_then(|r| r.strip_prefix('/')).is_some_and(|r| {
            let first = r.split('/').next().unwrap_or("");
            r.contains('/') && NAMES.contains(&first)
        })
    })
}

/// The identifiers and string literals of Rust source, without comments.
fn tokens(src: &str) -> Vec<(usize, String)> {
    let b = src.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    let mut line = 1;
    while i < b.len() {
        let c = b[i];
        if c == b'\n' {
            line += 1;
            i += 1;
        } else if b[i..].starts_with(b"//") {
            while i < b.len() && b[i] != b'\n' {
                i += 1;
            }
        } else if b[i..].starts_with(b"/*") {
            let mut depth = 0;
            while i < b.len() {
                if b[i..].starts_with(b"/*") {
                    depth += 1;
                    i += 2;
                } else if b[i..].starts_with(b"*/") {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    if b[i] == b'\n' {
                        line += 1;
                    }
                    i += 1;
                }
            }
        } else if c == b'r' && (b.get(i + 1) == Some(&b'"') || b.get(i + 1) == Some(&b'#')) {
            // Raw string r"..." / r#"..."#.
            let mut j = i + 1;
            let mut hashes = 0;
            while b.get(j) == Some(&b'#') {
                hashes += 1;
                j += 1;
            }
            if b.get(j) != Some(&b'"') {
                i += 1;
                continue;
            }
            let close: Vec<u8> = std::iter::once(b'"').chain(std::iter::repeat_n(b'#', hashes)).collect();
            let start = j + 1;
            let mut k = start;
            while k < b.len() && !b[k..].starts_with(&close) {
                k += 1;
            }
            let s = String::from_utf8_lossy(&b[start..k.min(b.len())]).into_owned();
            out.push((line, s.clone()));
            line += s.matches('\n').count();
            i = k + close.len();
        } else if c == b'"' {
            let mut k = i + 1;
            while k < b.len() && b[k] != b'"' {
                if b[k] == b'\\' {
                    k += 1;
                }
                k += 1;
            }
            let s = String::from_utf8_lossy(&b[i + 1..k.min(b.len())]).into_owned();
            out.push((line, s.clone()));
            line += s.matches('\n').count();
            i = k + 1;
        } else if c == b'\'' {
            // A char literal ('x', '\n') or a lifetime ('a).
            if b.get(i + 2) == Some(&b'\'') {
                i += 3;
            } else if b.get(i + 1) == Some(&b'\\') {
                let mut k = i + 2;
                while k < b.len() && b[k] != b'\'' {
                    k += 1;
                }
                i = k + 1;
            } else {
                i += 1;
            }
        } else if c.is_ascii_alphabetic() || c == b'_' {
            let mut k = i;
            while k < b.len() && (b[k].is_ascii_alphanumeric() || b[k] == b'_') {
                k += 1;
            }
            out.push((line, String::from_utf8_lossy(&b[i..k]).into_owned()));
            i = k;
        } else {
            i += 1;
        }
    }
    out
}

/// The words of a token: identifier segments (snake_case and CamelCase) or the words of a
/// string, lower-cased; `x86_64` also as a whole.
fn words(tok: &str) -> Vec<String> {
    let mut out = Vec::new();
    for part in tok.split(|c: char| !c.is_ascii_alphanumeric() && c != '_') {
        if part.is_empty() {
            continue;
        }
        out.push(part.to_ascii_lowercase());
        for seg in part.split('_') {
            let mut cur = String::new();
            let chars: Vec<char> = seg.chars().collect();
            for (k, &ch) in chars.iter().enumerate() {
                let boundary = k > 0 && ch.is_ascii_uppercase() && chars[k - 1].is_ascii_lowercase();
                if boundary && !cur.is_empty() {
                    out.push(cur.to_ascii_lowercase());
                    cur.clear();
                }
                cur.push(ch);
            }
            if !cur.is_empty() {
                out.push(cur.to_ascii_lowercase());
            }
        }
    }
    out
}

fn named(tok: &str, host_ok: bool) -> Option<String> {
    let host = |w: &str| host_ok && matches!(w, "x86" | "x86_64" | "amd64");
    words(tok).into_iter().find_map(|w| {
        let name = NAMES.iter().find(|n| **n == w).or_else(|| PREFIXES.iter().find(|p| w.starts_with(*p)))?;
        (!host(name)).then(|| name.to_string())
    })
}

#[test]
fn the_tokenizer_finds_names_and_skips_comments() {
    let src = "// mips in a comment\n/* xtensa */ let a = MipsFrontend; let b = \"24Kf-mips-cpu\";\nlet c = EM_XTENSA; let d = alarm_param; let e = r#\"x86\"#; let f = 'a';";
    let hits: Vec<(usize, String)> =
        tokens(src).into_iter().filter_map(|(l, t)| named(&t, false).map(|n| (l, n))).collect();
    assert_eq!(
        hits,
        vec![(2, "mips".into()), (2, "mips".into()), (3, "xtensa".into()), (3, "x86".into())],
        "identifiers, strings and raw strings; not comments, not `alarm`"
    );
    assert!(exempt("runtime/src/targets/mips/abi.rs"));
    assert!(exempt("machines/src/mips/mipssim.rs"));
    assert!(LIST_FILES.iter().all(|f| exempt(f)));
    assert!(!exempt("machines/src/none.rs"));
    assert!(!exempt("machines/src/lib.rs"));
    assert_eq!(named("\"-M mipssim\"", false).as_deref(), Some("mips"), "a word starting with a name");
    assert!(!exempt("runtime/src/targets/engine.rs"));
}

#[test]
fn no_architecture_is_named_in_shared_code() {
    let root = root();
    let mut files = Vec::new();
    for r in ROOTS {
        rs_files(&root.join(r), &mut files);
    }
    files.sort();
    assert!(files.len() > 50, "found only {} files: wrong root?", files.len());
    let mut bad = Vec::new();
    let mut still_pending = Vec::new();
    for f in &files {
        let rel = f.strip_prefix(&root).expect("under the root").to_string_lossy().replace('\\', "/");
        if exempt(&rel) {
            continue;
        }
        let host_ok = rel.starts_with("runtime/src/jit/");
        let src = std::fs::read_to_string(f).expect("read source");
        let mut hits: Vec<String> = tokens(&src)
            .into_iter()
            .filter_map(|(line, t)| named(&t, host_ok).map(|n| format!("{rel}:{line}: `{t}` names {n}")))
            .collect();
        if let Some(n) = named(&rel.replace(['/', '.'], " "), host_ok) {
            hits.push(format!("{rel}: its path names {n}"));
        }
        let pending = PENDING.iter().any(|(p, _)| *p == rel);
        match (hits.is_empty(), pending) {
            (false, false) => bad.extend(hits),
            (true, true) => still_pending.push(rel),
            _ => {}
        }
    }
    assert!(
        bad.is_empty(),
        "shared code names an architecture (say it through arch::ArchEntry or the target's traits):\n{}",
        bad.join("\n")
    );
    assert!(
        still_pending.is_empty(),
        "these files no longer name an architecture: take them off PENDING: {still_pending:?}"
    );
}
