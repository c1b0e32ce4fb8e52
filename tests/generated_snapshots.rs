//! Snapshots of the generated decoders: the decision tree of every core of every
//! architecture, as `specemu-codegen tree` prints it, and the generated Rust of each
//! architecture. Generation is deterministic; a spec change shows up here as a reviewable diff.

use std::path::PathBuf;

fn generate(arch: &str) -> specemu_codegen::Generated {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("isa-specs").join(arch);
    match specemu_codegen::generate(&dir, &[]) {
        Ok(g) => g,
        Err(d) => panic!("{}", d.render(None)),
    }
}

fn snapshot_arch(arch: &str) {
    let g = generate(arch);
    for (core, tree) in &g.trees {
        insta::assert_snapshot!(format!("tree_{arch}_{core}"), tree);
    }
    insta::assert_snapshot!(format!("generated_{arch}"), g.code);
    // Deterministic: generating again gives the same bytes.
    assert_eq!(generate(arch).code, g.code, "{arch}: generation is not deterministic");
}

#[test]
fn mips_decoder() {
    snapshot_arch("mips");
}

#[test]
fn xtensa_decoders() {
    snapshot_arch("xtensa");
}

#[test]
fn x86_decoder() {
    snapshot_arch("x86");
}
