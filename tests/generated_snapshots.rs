//! Snapshots of the generated decoders: the decision tree of every core of every
//! architecture (as `specemu-codegen tree` prints it), and the complete generated Rust of one
//! core per architecture (mips; x86; xtensa lx106 — the other Xtensa cores differ only by
//! options and parameters, which their trees show). Generation is deterministic; a spec change
//! shows up here as a reviewable diff.

use std::path::PathBuf;

fn dir(arch: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("isa-specs").join(arch)
}

fn snapshot_arch(arch: &str, full_core: &str) {
    let g = match specemu_codegen::generate(&dir(arch), &[]) {
        Ok(g) => g,
        Err(d) => panic!("{}", d.render(None)),
    };
    for (core, tree) in &g.trees {
        insta::assert_snapshot!(format!("tree_{arch}_{core}"), tree);
    }
    let (variants, _) = specemu_codegen::check(&dir(arch), &[]).map_err(|d| d.render(None)).expect("check");
    let one: Vec<_> = variants.into_iter().filter(|v| v.name == full_core).collect();
    assert_eq!(one.len(), 1, "{arch} has no core {full_core}");
    let code = specemu_codegen::gen::gen_file(arch, &one).expect("generate one core");
    insta::assert_snapshot!(format!("generated_{arch}_{full_core}"), code);
    // Deterministic: generating again gives the same bytes.
    let again = specemu_codegen::generate(&dir(arch), &[]).map_err(|d| d.render(None)).expect("generate");
    assert_eq!(again.code, g.code, "{arch}: generation is not deterministic");
}

#[test]
fn mips_decoder() {
    snapshot_arch("mips", "mips");
}

#[test]
fn xtensa_decoders() {
    snapshot_arch("xtensa", "lx106");
}

#[test]
fn x86_decoder() {
    snapshot_arch("x86", "x86");
}
