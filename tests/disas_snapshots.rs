//! Disassembly listings of the small guests checked in under tests/guests/bin, snapshotted.
//! The conformance tier (`checked_in_guests_match_objdump` in conformance_objdump.rs) checks
//! the same binaries against GNU objdump, so these snapshots are oracle-checked.

use std::path::PathBuf;

fn listing(name: &str, cpu: Option<&str>) -> String {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let rel = format!("tests/guests/bin/{name}");
    let data = std::fs::read(root.join(&rel)).expect("checked-in guest");
    specemu::disas_cmd::disassemble_elf(&data, &rel, cpu).expect("disassemble")
}

#[test]
fn mipsel_listing() {
    insta::assert_snapshot!("disas_hello_mipsel", listing("hello-mipsel", None));
}

#[test]
fn mips_big_endian_listing() {
    insta::assert_snapshot!("disas_hello_mips", listing("hello-mips", None));
}

#[test]
fn x86_64_listing() {
    insta::assert_snapshot!("disas_hello_x86_64", listing("hello-x86_64", None));
}

#[test]
fn xtensa_lx106_listing() {
    insta::assert_snapshot!("disas_lx106_fsm", listing("lx106-fsm.elf", Some("lx106")));
}

#[test]
fn bad_elf_files_give_errors_not_panics() {
    for bytes in [&b""[..], b"\x7fELF", b"\x7fELF\x01\x01\x01\x00garbage-garbage-garbage", b"not an elf at all"] {
        let r = std::panic::catch_unwind(|| specemu::disas_cmd::disassemble_elf(bytes, "bad", None));
        let r = r.expect("disassemble_elf panicked on a bad file");
        assert!(r.is_err(), "a bad file was accepted");
    }
    // Every truncation of a real file either fails cleanly or disassembles.
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let data = std::fs::read(root.join("tests/guests/bin/hello-mipsel")).unwrap();
    for n in (0..data.len()).step_by(7) {
        let r = std::panic::catch_unwind(|| specemu::disas_cmd::disassemble_elf(&data[..n], "cut", None));
        assert!(r.is_ok(), "panic on a file cut at {n} bytes");
    }
}
