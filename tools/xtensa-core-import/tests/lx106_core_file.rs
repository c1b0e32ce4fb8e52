//! Conformance tier: the checked-in lx106 core file (`isa-specs/xtensa/cores/lx106.core`) is
//! exactly what the importer writes from the real `core-isa.h` of Debian's
//! picolibc-xtensa-lx106-elf. `#[ignore]`d in the hermetic `cargo test` (needs the package);
//! run by `.ci/run` with `--ignored`, which installs it.

use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

#[test]
#[ignore = "conformance tier: needs picolibc-xtensa-lx106-elf for the real core-isa.h (.ci/run)"]
fn lx106_core_file_is_what_the_importer_writes() {
    let header = Path::new("/usr/lib/xtensa-lx106-elf/include/machine/core-isa.h");
    assert!(
        header.is_file(),
        "{} is missing; install it with:\n  apt-get install picolibc-xtensa-lx106-elf",
        header.display()
    );
    let text = std::fs::read_to_string(header).expect("read core-isa.h");
    let generated = specemu_xtensa_import::import_overlay(&text, "lx106").expect("import");
    let checked_in = std::fs::read_to_string(root().join("isa-specs/xtensa/cores/lx106.core")).expect("lx106.core");
    assert_eq!(checked_in, generated, "isa-specs/xtensa/cores/lx106.core differs from the importer's output");
}
