//! specemu-codegen: the spec language (pest grammar, syntax tree, checker) and the
//! generator that turns `isa-specs/<arch>/` into Rust decoders, disassemblers and CPU state.
//!
//! The pipeline is one pure function, [`generate`]: load → parse → check → overlap check →
//! generate → format. All diagnostics are collected and rendered like rustc's.

pub mod asm_format;
pub mod ast;
pub mod check;
pub mod diag;
pub mod gen;
pub mod inline;
pub mod load;
pub mod model;
pub mod parse;
pub mod tree;
pub mod typeck;

use diag::Diagnostics;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The result of generating one architecture.
#[derive(Debug, Clone)]
pub struct Generated {
    pub isa: String,
    /// Formatted Rust source of every variant.
    pub code: String,
    /// Variant (core) names in order.
    pub variants: Vec<String>,
    /// Decision tree of each variant (little-endian), as text.
    pub trees: BTreeMap<String, String>,
    /// Every file read, for `rerun-if-changed`.
    pub inputs: Vec<PathBuf>,
    /// Warnings (the generation succeeded).
    pub warnings: Diagnostics,
}

/// Check an architecture folder and return the checked variants, or every diagnostic.
pub fn check(dir: &Path, extra_core_dirs: &[PathBuf]) -> Result<(Vec<model::Variant>, Diagnostics), Diagnostics> {
    let mut diags = Diagnostics::default();
    let loaded = load::load_arch(dir, extra_core_dirs, &mut diags);
    check_loaded(loaded, diags)
}

/// Check one root spec file with the given core files or folders (used by the spec-error
/// tests and by authors trying a single file).
pub fn check_file(root: &Path, cores: &[PathBuf]) -> Result<(Vec<model::Variant>, Diagnostics), Diagnostics> {
    let mut diags = Diagnostics::default();
    let dir = root.parent().unwrap_or(Path::new("."));
    let loaded = load::load_root(dir, root, cores, &mut diags);
    check_loaded(loaded, diags)
}

fn check_loaded(
    loaded: Option<load::Loaded>,
    mut diags: Diagnostics,
) -> Result<(Vec<model::Variant>, Diagnostics), Diagnostics> {
    let Some(loaded) = loaded else {
        return Err(diags);
    };
    let variants = check::check_arch(&loaded, &mut diags);
    if !diags.has_errors() {
        let mut seen = std::collections::BTreeSet::new();
        for v in &variants {
            let mut lists: Vec<Vec<(&str, diag::Span, tree::Cand)>> = Vec::new();
            for be in [false, true] {
                lists.push(
                    v.insns.iter().map(|i| (i.name.as_str(), i.span, tree::candidate(v, &i.pattern, be))).collect(),
                );
                for t in &v.tables {
                    lists.push(
                        t.alts.iter().map(|a| (t.name.as_str(), a.span, tree::candidate(v, &a.pattern, be))).collect(),
                    );
                }
            }
            for l in lists {
                for d in tree::check_overlaps(&l) {
                    if seen.insert((d.span, d.message.clone())) {
                        diags.list.push(d);
                    }
                }
            }
        }
    }
    if diags.has_errors() {
        return Err(diags);
    }
    Ok((variants, diags))
}

/// Generate the Rust source for an architecture folder (`isa-specs/<arch>`), with cores
/// from `<dir>/cores` and `extra_core_dirs`.
pub fn generate(dir: &Path, extra_core_dirs: &[PathBuf]) -> Result<Generated, Diagnostics> {
    if dir.is_file() {
        return generate_checked(check_file(dir, extra_core_dirs)?);
    }
    generate_checked(check(dir, extra_core_dirs)?)
}

fn generate_checked((variants, diags): (Vec<model::Variant>, Diagnostics)) -> Result<Generated, Diagnostics> {
    let isa = variants.first().map(|v| v.isa.clone()).unwrap_or_default();
    let code = gen::gen_file(&isa, &variants).map_err(|e| {
        let mut d = diags.clone();
        d.list.push(diag::Diagnostic::error_nospan(format!("internal generator error: {e}")));
        d
    })?;
    let mut trees = BTreeMap::new();
    for v in &variants {
        trees.insert(v.name.clone(), tree_text(v));
    }
    let mut inputs: Vec<PathBuf> = (0..)
        .map_while(|i| if (i as usize) < diags_len(&diags) { Some(diags.sources.path(i).to_path_buf()) } else { None })
        .collect();
    inputs.sort();
    Ok(Generated {
        isa,
        code,
        variants: variants.iter().map(|v| v.name.clone()).collect(),
        trees,
        inputs,
        warnings: diags,
    })
}

fn diags_len(d: &Diagnostics) -> usize {
    let mut n = 0;
    while d.sources.try_path(n as u32).is_some() {
        n += 1;
    }
    n
}

/// The decision tree of one variant as text (`specemu-codegen tree`).
pub fn tree_text(v: &model::Variant) -> String {
    let pats: Vec<&model::Pattern> = v.insns.iter().map(|i| &i.pattern).collect();
    let (tr, _) = gen::decoder::trees(v, &pats);
    let mut out = String::new();
    let names = |i: usize| v.insns[i].name.clone();
    tree::render(&tr.le, &names, &mut out, 0);
    for t in &v.tables {
        out.push_str(&format!("\ntable {}:\n", t.name));
        let pats: Vec<&model::Pattern> = t.alts.iter().map(|a| &a.pattern).collect();
        let (tt, _) = gen::decoder::trees(v, &pats);
        let names = |i: usize| format!("{}#{}", t.name, i);
        tree::render(&tt.le, &names, &mut out, 1);
    }
    out
}
