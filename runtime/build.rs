//! Generates each architecture's decoder, disassembler and CPU state from `isa-specs/`
//! (thin: all logic is in specemu-codegen). `SPECEMU_EXTRA_CORES=DIR[:DIR]` adds core
//! overlay folders (each holding `<arch>/*.core` or `*.core`) without touching the tree;
//! `SPECEMU_DUMP_GENERATED=DIR` writes a copy of the generated sources to DIR for reading;
//! `SPECEMU_SPECS=DIR` reads the specs from DIR instead of `isa-specs/`.

use std::path::{Path, PathBuf};

fn main() {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR"));
    // SPECEMU_SPECS=DIR builds from another spec tree (for trying changes side by side).
    println!("cargo:rerun-if-env-changed=SPECEMU_SPECS");
    let specs = match std::env::var_os("SPECEMU_SPECS") {
        Some(d) => PathBuf::from(d),
        None => manifest.parent().expect("workspace root").join("isa-specs"),
    };
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("OUT_DIR"));
    println!("cargo:rerun-if-env-changed=SPECEMU_EXTRA_CORES");
    println!("cargo:rerun-if-env-changed=SPECEMU_DUMP_GENERATED");
    // SPECEMU_DUMP_GENERATED=DIR also writes the generated sources there, for reading.
    let dump = std::env::var_os("SPECEMU_DUMP_GENERATED").map(PathBuf::from);
    let extra: Vec<PathBuf> = std::env::var("SPECEMU_EXTRA_CORES")
        .map(|s| s.split(':').filter(|x| !x.is_empty()).map(PathBuf::from).collect())
        .unwrap_or_default();
    // Every folder of the spec tree is an architecture (generated as `OUT_DIR/<folder>.rs`).
    watch_dir(&specs);
    let mut arches: Vec<String> = std::fs::read_dir(&specs)
        .expect("read the spec tree")
        .filter_map(|e| e.ok())
        .filter(|e| e.path().is_dir())
        .filter_map(|e| e.file_name().to_str().map(str::to_string))
        .collect();
    arches.sort();
    generate_language_tests(manifest.parent().expect("workspace root"), &out);
    for arch in &arches {
        let dir = specs.join(arch);
        watch_dir(&dir);
        let mut extra_dirs = Vec::new();
        for e in &extra {
            watch_dir(e);
            let sub = e.join(arch);
            if sub.is_dir() {
                watch_dir(&sub);
                extra_dirs.push(sub);
            } else if dir.join("cores").is_dir() {
                // A folder of bare `.core` files: for the architectures that have cores.
                extra_dirs.push(e.clone());
            }
        }
        match specemu_codegen::generate(&dir, &extra_dirs) {
            Ok(g) => {
                if let Some(d) = &dump {
                    std::fs::create_dir_all(d).expect("create SPECEMU_DUMP_GENERATED");
                    std::fs::write(d.join(format!("{arch}.rs")), &g.code).expect("write dump");
                }
                std::fs::write(out.join(format!("{arch}.rs")), g.code).expect("write generated code");
            }
            Err(d) => {
                let text = d.render(manifest.parent());
                for line in text.lines() {
                    println!("cargo:warning={line}");
                }
                eprintln!("{text}");
                panic!("isa-specs/{arch} has errors (see above)");
            }
        }
    }
}

/// Spec fragments of the language's tests (`tests/spec-errors/pass/`), generated like an
/// architecture so that unit tests (`tb::lang_tests`) lower and interpret them.
const LANGUAGE_TEST_SPECS: &[(&str, &str)] = &[
    ("lang_guard_and_exports.rs", "tests/spec-errors/pass/guard-table-exports-and-hooks.isa"),
    ("lang_windowed.rs", "tests/spec-errors/pass/windowed-register-file.isa"),
    ("lang_context.rs", "tests/spec-errors/pass/persistent-context-and-it-blocks.isa"),
    ("lang_loop.rs", "tests/spec-errors/pass/zero-overhead-loop.isa"),
    ("lang_next_pc.rs", "tests/spec-errors/pass/next-pc-register-and-delay-slots.isa"),
];

fn generate_language_tests(root: &Path, out: &Path) {
    for (name, path) in LANGUAGE_TEST_SPECS {
        let p = root.join(path);
        println!("cargo:rerun-if-changed={}", p.display());
        match specemu_codegen::generate(&p, &[]) {
            Ok(g) => std::fs::write(out.join(name), g.code).expect("write generated code"),
            Err(d) => panic!("{path} has errors:\n{}", d.render(Some(root))),
        }
    }
}

fn watch_dir(dir: &Path) {
    println!("cargo:rerun-if-changed={}", dir.display());
    if let Ok(rd) = std::fs::read_dir(dir) {
        let mut entries: Vec<PathBuf> = rd.filter_map(|e| e.ok().map(|e| e.path())).collect();
        entries.sort();
        for p in entries {
            if p.is_dir() {
                watch_dir(&p);
            } else {
                println!("cargo:rerun-if-changed={}", p.display());
            }
        }
    }
}
