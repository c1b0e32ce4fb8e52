//! A new Xtensa core is a data file and a rebuild, no code: this test writes two core
//! overlays into a temporary folder, builds `specemu` with `SPECEMU_EXTRA_CORES` pointing at
//! it (in a separate target directory), and checks that `-cpu help` lists them and that
//! `specemu disas --cpu NAME` disassembles an lx106 program exactly as objdump does — and that
//! switching an option off changes exactly the instructions of that option.

use specemu::objdump_diff::{compare, parse_listing};
use std::process::Command;

mod common;
use common::{root, run_ok as run};

/// lx106's overlay with another name and, optionally, some option lines removed.
fn derived_core(name: &str, drop_options: &[&str]) -> String {
    let lx106 = std::fs::read_to_string(root().join("isa-specs/xtensa/cores/lx106.core")).expect("lx106.core");
    let mut out = String::from("// A core that exists only in this test.\n");
    for line in lx106.lines() {
        if line.starts_with("//") {
            continue;
        }
        if line.starts_with("core ") {
            out.push_str(&format!("core {name} for xtensa;\n"));
            continue;
        }
        if drop_options.iter().any(|o| line == format!("option {o};")) {
            continue;
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}

#[test]
#[ignore = "conformance tier: rebuilds specemu (minutes) and needs gcc-xtensa-lx106 (.ci/run)"]
fn a_new_core_is_a_file_and_a_rebuild() {
    for t in ["xtensa-lx106-elf-gcc", "xtensa-lx106-elf-objdump"] {
        let ok =
            Command::new("sh").arg("-c").arg(format!("command -v {t}")).status().map(|s| s.success()).unwrap_or(false);
        assert!(ok, "`{t}` is missing; install with: apt-get install gcc-xtensa-lx106 binutils-xtensa-lx106 picolibc-xtensa-lx106-elf");
    }
    let tmp = tempfile::tempdir().expect("tempdir");
    std::fs::write(tmp.path().join("testcore.core"), derived_core("testcore", &[])).unwrap();
    std::fs::write(tmp.path().join("testcore_nomul.core"), derived_core("testcore_nomul", &["mul32", "mul16"]))
        .unwrap();

    // Build specemu with the extra cores, apart from the normal target directory.
    let target = root().join("target/conformance/new-core-target");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    run(Command::new(cargo)
        .current_dir(root())
        .args(["build", "--quiet", "--bin", "specemu"])
        .env("CARGO_TARGET_DIR", &target)
        .env("SPECEMU_EXTRA_CORES", tmp.path()));
    let bin = target.join("debug/specemu");

    let help = run(Command::new(&bin).args(["-cpu", "help"]));
    assert!(help.contains("testcore"), "-cpu help does not list the new core:\n{help}");
    assert!(help.contains("testcore_nomul"), "-cpu help does not list the new core:\n{help}");

    // An lx106 program of our own, and objdump's listing of it.
    let guests = root().join("target/conformance/new-core-guests");
    run(Command::new("bash").arg(root().join("tests/guests/build.sh")).arg(&guests));
    let elf = guests.join("xtensa-lx106/intalgo-O2.elf");
    let theirs =
        parse_listing(&run(Command::new("xtensa-lx106-elf-objdump").args(["-d", "--no-show-raw-insn"]).arg(&elf)));

    let same = parse_listing(&run(Command::new(&bin).args(["disas", "--cpu", "testcore"]).arg(&elf)));
    let r = compare(&theirs, &same, None);
    println!("testcore: {}", r.render(3));
    assert!(r.percent() >= 99.5, "new core disassembles differently from objdump:\n{}", r.render(5));

    // Without the multiply options, exactly the multiply instructions stop decoding.
    let nomul = parse_listing(&run(Command::new(&bin).args(["disas", "--cpu", "testcore_nomul"]).arg(&elf)));
    let muls: Vec<u64> =
        theirs.iter().filter(|(_, t)| t.starts_with("mull ") || t.starts_with("mul16")).map(|(a, _)| *a).collect();
    assert!(!muls.is_empty(), "the test program should contain multiplications");
    for a in &muls {
        assert_ne!(nomul.get(a), theirs.get(a), "{a:x}: a multiply decoded without the option");
    }
    let first_mul = muls[0];
    let before: Vec<_> = theirs.range(..first_mul).collect();
    for (a, t) in before {
        assert_eq!(nomul.get(a), same.get(a), "{a:x}: `{t}` changed without the multiply options");
    }
}
