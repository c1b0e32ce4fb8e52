//! Loading: finds an architecture's root spec (`<dir>/<dir-name>.isa`), follows `use`
//! includes, and reads core overlays (`<dir>/cores/*.core` plus extra folders).
//! Reads files and parses them; meaning is `check`'s job.

use crate::ast::{Item, SpecFile};
use crate::diag::{Diagnostic, Diagnostics, SourceMap, Span};
use crate::parse::parse_file;
use std::path::{Path, PathBuf};

/// One parsed spec file and the option it belongs to (None: always present).
#[derive(Debug, Clone)]
pub struct Module {
    pub path: PathBuf,
    pub file: u32,
    pub option: Option<(String, Span)>,
    pub ast: SpecFile,
    /// Byte offset of the start of each line, for `file:line` in generated comments.
    pub line_starts: Vec<u32>,
}

fn line_starts(text: &str) -> Vec<u32> {
    std::iter::once(0).chain(text.match_indices('\n').map(|(i, _)| i as u32 + 1)).collect()
}

#[derive(Debug, Clone)]
pub struct Loaded {
    pub dir: PathBuf,
    pub modules: Vec<Module>,
    pub cores: Vec<Module>,
}

/// Load an architecture folder. Every file is read and parsed; all errors are collected.
pub fn load_arch(dir: &Path, extra_core_dirs: &[PathBuf], diags: &mut Diagnostics) -> Option<Loaded> {
    let name = dir.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
    let root = dir.join(format!("{name}.isa"));
    let mut cores = vec![dir.join("cores")];
    cores.extend(extra_core_dirs.iter().cloned());
    load_root(dir, &root, &cores, diags)
}

/// Load from an explicit root file; `core_paths` are folders of `.core` files or single files.
pub fn load_root(dir: &Path, root: &Path, core_paths: &[PathBuf], diags: &mut Diagnostics) -> Option<Loaded> {
    let root = root.to_path_buf();
    let mut loaded = Loaded { dir: dir.to_path_buf(), modules: Vec::new(), cores: Vec::new() };
    if !root.is_file() {
        diags.list.push(Diagnostic::error_nospan(format!(
            "no root spec file: expected {} (an architecture folder holds `<folder-name>.isa`)",
            root.display()
        )));
        return None;
    }
    let mut stack = vec![(root, None::<Span>)];
    while let Some((path, from)) = stack.pop() {
        let path = normalize(&path);
        if diags.sources.find(&path).is_some() {
            continue;
        }
        let Some((file, ast)) = read_and_parse(&path, from, &mut diags.sources, &mut diags.list) else {
            continue;
        };
        let mut option = None;
        let base = path.parent().unwrap_or(Path::new(".")).to_path_buf();
        let mut uses = Vec::new();
        for (i, item) in ast.items.iter().enumerate() {
            match item {
                Item::Option(o) if i == 0 => option = Some((o.name.clone(), o.span)),
                Item::Option(o) => diags.list.push(Diagnostic::error(
                    o.span,
                    "`option` must be the first item of a module file",
                    "move this to the top of the file",
                )),
                Item::Use(p, s) => uses.push((base.join(p), *s)),
                _ => {}
            }
        }
        for u in uses.into_iter().rev() {
            stack.push((u.0, Some(u.1)));
        }
        let ls = line_starts(diags.sources.text(file));
        loaded.modules.push(Module { path, file, option, ast, line_starts: ls });
    }
    for cd in core_paths {
        let mut paths: Vec<PathBuf> = if cd.is_file() {
            vec![cd.clone()]
        } else {
            let Ok(rd) = std::fs::read_dir(cd) else { continue };
            rd.filter_map(|e| e.ok().map(|e| e.path())).filter(|p| p.extension().is_some_and(|e| e == "core")).collect()
        };
        paths.sort();
        for p in paths {
            if let Some((file, ast)) = read_and_parse(&p, None, &mut diags.sources, &mut diags.list) {
                let ls = line_starts(diags.sources.text(file));
                loaded.cores.push(Module { path: p, file, option: None, ast, line_starts: ls });
            }
        }
    }
    Some(loaded)
}

fn normalize(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            std::path::Component::ParentDir => {
                out.pop();
            }
            std::path::Component::CurDir => {}
            c => out.push(c),
        }
    }
    out
}

fn read_and_parse(
    path: &Path,
    from: Option<Span>,
    sources: &mut SourceMap,
    out: &mut Vec<Diagnostic>,
) -> Option<(u32, SpecFile)> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) => {
            let msg = format!("cannot read {}: {e}", path.display());
            out.push(match from {
                Some(s) => Diagnostic::error(s, msg, "included here"),
                None => Diagnostic::error_nospan(msg),
            });
            return None;
        }
    };
    let file = sources.add(path, text);
    match parse_file(sources.text(file), file) {
        Ok(ast) => Some((file, ast)),
        Err(d) => {
            out.push(d);
            None
        }
    }
}
