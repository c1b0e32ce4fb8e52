//! Spec-error tests: every `tests/spec-errors/fail/*.isa` must be rejected with exactly the
//! snapshotted message (file:line:column, the line, a caret); every `pass/*.isa` accepted;
//! every `warn/*.isa` accepted with the snapshotted warning.
//! A `.core` file beside a case is loaded as its core overlay.

use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn cases(kind: &str) -> Vec<PathBuf> {
    let dir = root().join("tests/spec-errors").join(kind);
    let mut v: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "isa"))
        .collect();
    v.sort();
    v
}

fn run_case(path: &Path) -> Result<(), String> {
    let core = path.with_extension("core");
    let cores: Vec<PathBuf> = if core.exists() { vec![core] } else { vec![] };
    match specemu_codegen::check_file(path, &cores) {
        Ok(_) => Ok(()),
        Err(d) => Err(d.render(Some(&root()))),
    }
}

#[test]
fn failing_specs_report_file_line_column_and_caret() {
    let all = cases("fail");
    assert!(all.len() >= 6, "expected the failure cases, found {}", all.len());
    for path in all {
        let name = path.file_stem().unwrap().to_string_lossy().to_string();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.starts_with("// intent:"), "{name}: first line must state the intent");
        let msg = run_case(&path).expect_err(&format!("{name} must be rejected"));
        // Every error names a place with a caret under it.
        assert!(msg.contains("--> tests/spec-errors/fail/"), "{name}: no file:line:col\n{msg}");
        assert!(msg.contains('^'), "{name}: no caret\n{msg}");
        insta::assert_snapshot!(format!("spec_error_{name}"), msg);
    }
}

#[test]
fn accepted_specs_pass() {
    for path in cases("pass") {
        if let Err(msg) = run_case(&path) {
            panic!("{} must be accepted:\n{msg}", path.display());
        }
    }
}

#[test]
fn unused_encoding_bits_are_warned_about() {
    for path in cases("warn") {
        let name = path.file_stem().unwrap().to_string_lossy().to_string();
        let (_, diags) = specemu_codegen::check_file(&path, &[])
            .unwrap_or_else(|d| panic!("{name} must be accepted:\n{}", d.render(Some(&root()))));
        let msg = diags.render(Some(&root()));
        assert!(msg.starts_with("warning:"), "{name}: expected a warning:\n{msg}");
        insta::assert_snapshot!(format!("spec_warning_{name}"), msg);
    }
}

/// The checker refuses helpers with more arguments than compiled code can pass.
#[test]
fn the_checker_s_helper_argument_limit_is_the_jit_s() {
    assert_eq!(specemu_codegen::model::IR_MAX_HELPER_ARGS, specemu_runtime::jit::MAX_HELPER_ARGS);
}
