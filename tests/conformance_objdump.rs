//! Conformance tier: `specemu disas` against GNU objdump, line by line by address (ignoring
//! `<symbol>` annotations and runs of white space), on real binaries: Debian's
//! busybox-static for mipsel, the project's own programs built with Debian's cross compilers
//! (tests/guests/build.sh), and hand-written assembly covering every instruction of a spec.
//!
//! These need the cross toolchains; they are `#[ignore]`d in the hermetic `cargo test` and run
//! by `.ci/run` (`cargo test -- --ignored`), which installs them. A missing tool fails the test
//! with the command that installs it.

use specemu::objdump_diff::{compare, parse_listing, Report};
use std::path::{Path, PathBuf};
use std::process::Command;

mod common;
use common::{root, run_ok as run, work};

fn need(cmd: &str) {
    common::need(cmd, INSTALL)
}

fn busybox_mipsel() -> PathBuf {
    common::debian_busybox_mipsel(INSTALL)
}

const INSTALL: &str = "sudo .ci/install-tools.sh   (or: apt-get install gcc-mipsel-linux-gnu gcc-mips-linux-gnu binutils-mipsel-linux-gnu binutils-mips-linux-gnu gcc-xtensa-lx106 binutils-xtensa-lx106 picolibc-xtensa-lx106-elf binutils gcc)";

/// The project's guest programs (tests/guests/build.sh), from the guest cache.
fn guests() -> PathBuf {
    common::own_guests(INSTALL)
}

fn objdump(tool: &str, elf: &Path) -> String {
    need(tool);
    run(Command::new(tool).arg("-d").arg("--no-show-raw-insn").arg(elf))
}

fn ours(elf: &Path, cpu: Option<&str>) -> String {
    let data = std::fs::read(elf).unwrap_or_else(|e| panic!("{}: {e}", elf.display()));
    specemu::disas_cmd::disassemble_elf(&data, &elf.display().to_string(), cpu).expect("specemu disas")
}

fn diff(tool: &str, elf: &Path, cpu: Option<&str>, only: Option<&dyn Fn(&str) -> bool>) -> Report {
    let theirs = parse_listing(&objdump(tool, elf));
    let mine = parse_listing(&ours(elf, cpu));
    compare(&theirs, &mine, only)
}

/// Assert a minimum agreement and print the figure (shown with `--nocapture`).
fn expect(name: &str, r: &Report, min_percent: f64) {
    println!("{name}: {}", r.render(2));
    assert!(r.total > 0, "{name}: objdump printed no instructions");
    assert!(
        r.percent() >= min_percent,
        "{name}: {:.3}% agreement with objdump, below {min_percent}%:\n{}",
        r.percent(),
        r.render(4)
    );
}

/// Assemble every `.s` in `dir` with `as_tool` (extra flags) and link nothing: objdump reads
/// relocatable objects, and so does `specemu disas`.
fn assemble_all(dir: &str, as_tool: &str, flags: &[&str], tag: &str) -> Vec<PathBuf> {
    need(as_tool);
    let src = root().join(dir);
    let out = work().join("asm").join(tag);
    std::fs::create_dir_all(&out).expect("asm out dir");
    let mut objs = Vec::new();
    let mut files: Vec<PathBuf> = std::fs::read_dir(&src)
        .unwrap_or_else(|e| panic!("{}: {e}", src.display()))
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "s" || e == "S"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no assembly inputs in {dir}");
    for f in files {
        let o = out.join(f.file_name().unwrap()).with_extension("o");
        run(Command::new(as_tool).args(flags).arg("-o").arg(&o).arg(&f));
        objs.push(o);
    }
    objs
}

// ------------------------------------------------------------------ MIPS

#[test]
#[ignore = "conformance tier: needs Debian's cross binutils and network access to Debian's archive (.ci/run)"]
fn mips_busybox_mipsel_matches_objdump() {
    let bb = busybox_mipsel();
    let r = diff("mipsel-linux-gnu-objdump", &bb, None, None);
    expect("busybox-static:mipsel", &r, 99.5);
}

#[test]
#[ignore = "conformance tier: needs Debian's MIPS cross compilers (.ci/run)"]
fn mips_own_programs_match_objdump_both_byte_orders() {
    let g = guests();
    let be = diff("mips-linux-gnu-objdump", &g.join("mips/prog-be"), None, None);
    expect("prog-be (big-endian, static glibc)", &be, 99.5);
    let le = diff("mipsel-linux-gnu-objdump", &g.join("mips/prog-le"), None, None);
    expect("prog-le (little-endian, static glibc)", &le, 99.5);
}

#[test]
#[ignore = "conformance tier: needs Debian's MIPS cross binutils (.ci/run)"]
fn mips_every_instruction_matches_objdump_both_byte_orders() {
    for (tool, as_tool, tag) in [
        ("mipsel-linux-gnu-objdump", "mipsel-linux-gnu-as", "mipsel"),
        ("mips-linux-gnu-objdump", "mips-linux-gnu-as", "mips"),
    ] {
        for o in assemble_all("tests/guests/mips/asm", as_tool, &["-march=mips32r2", "-mhard-float"], tag) {
            let r = diff(tool, &o, None, None);
            expect(&format!("{tag} {}", o.display()), &r, 100.0);
        }
    }
}

// ------------------------------------------------------------------ Xtensa

#[test]
#[ignore = "conformance tier: needs gcc-xtensa-lx106 and picolibc (.ci/run)"]
fn xtensa_lx106_programs_match_objdump() {
    let g = guests();
    for p in ["intalgo-O2", "strfmt-O2", "fsm-O2", "fsm-Os"] {
        let elf = g.join(format!("xtensa-lx106/{p}.elf"));
        let r = diff("xtensa-lx106-elf-objdump", &elf, Some("lx106"), None);
        expect(&format!("lx106 {p}"), &r, 99.5);
    }
}

/// The same programs without their property sections (`objcopy -R .xt.prop -R .xt.lit -R
/// .xt.insn`), as a program linked elsewhere may come: objdump then decodes literal pools
/// and padding as instructions, and so must specemu disas.
#[test]
#[ignore = "conformance tier: needs gcc-xtensa-lx106 and picolibc (.ci/run)"]
fn xtensa_lx106_programs_without_property_sections_match_objdump() {
    let g = guests();
    let dir = work().join("lx106-without-properties");
    std::fs::create_dir_all(&dir).expect("work dir");
    need("xtensa-lx106-elf-objcopy");
    for p in ["intalgo-O2", "strfmt-O2", "fsm-O2", "fsm-Os"] {
        let elf = dir.join(format!("{p}.elf"));
        run(Command::new("xtensa-lx106-elf-objcopy")
            .args(["-R", ".xt.prop", "-R", ".xt.lit", "-R", ".xt.insn"])
            .arg(g.join(format!("xtensa-lx106/{p}.elf")))
            .arg(&elf));
        let r = diff("xtensa-lx106-elf-objdump", &elf, Some("lx106"), None);
        expect(&format!("lx106 {p} without property sections"), &r, 100.0);
    }
}

/// Bytes that are not all instructions: every 16-bit word of the narrow formats (op0 8-13)
/// and 40,000 random 24-bit words (a fixed seed), written as `.byte`, disassemble as objdump
/// shows them (words of a known format but no opcode are `excw` there, L32R literals inside
/// the section are shown).
#[test]
#[ignore = "conformance tier: needs binutils-xtensa-lx106 (.ci/run)"]
fn xtensa_lx106_arbitrary_words_match_objdump() {
    need("xtensa-lx106-elf-as");
    let dir = work().join("lx106-words");
    std::fs::create_dir_all(&dir).expect("work dir");
    let mut src = String::from("\t.text\n");
    for op0 in 8u32..14 {
        for rest in 0..4096u32 {
            let w = op0 | rest << 4;
            src.push_str(&format!("\t.byte {:#x}, {:#x}\n", w & 0xff, w >> 8));
        }
    }
    let mut x = 0x9e37_79b9_7f4a_7c15u64;
    for _ in 0..40_000 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        // op0 0-7: the 24-bit formats.
        let w = (x as u32 & 0xff_fff0) | (x >> 32) as u32 & 7;
        src.push_str(&format!("\t.byte {:#x}, {:#x}, {:#x}\n", w & 0xff, (w >> 8) & 0xff, w >> 16));
    }
    let (s, o) = (dir.join("words.s"), dir.join("words.o"));
    std::fs::write(&s, src).expect("write");
    run(Command::new("xtensa-lx106-elf-as").arg("-o").arg(&o).arg(&s));
    let r = diff("xtensa-lx106-elf-objdump", &o, Some("lx106"), None);
    expect("lx106 arbitrary words", &r, 100.0);
}

#[test]
#[ignore = "conformance tier: needs binutils-xtensa-lx106 (.ci/run)"]
fn xtensa_every_lx106_instruction_matches_objdump() {
    for o in assemble_all("tests/guests/xtensa-lx106/asm", "xtensa-lx106-elf-as", &[], "xtensa") {
        let r = diff("xtensa-lx106-elf-objdump", &o, Some("lx106"), None);
        expect(&format!("lx106 {}", o.display()), &r, 100.0);
    }
}

// ------------------------------------------------------------------ x86

fn x86_subset(m: &str) -> bool {
    common::x86_subset(m)
}

#[test]
#[ignore = "conformance tier: needs gcc with static glibc (.ci/run)"]
fn x86_64_subset_matches_objdump() {
    let g = guests();
    for p in ["prog-O0", "prog-O2"] {
        let r = diff("objdump", &g.join(format!("x86_64/{p}")), None, Some(&x86_subset));
        expect(&format!("x86-64 {p} (subset)"), &r, 100.0);
    }
}

#[test]
#[ignore = "conformance tier: needs GNU as for x86 (.ci/run)"]
fn x86_every_subset_form_matches_objdump() {
    for (flags, tag) in [(&["--64"][..], "x86_64"), (&["--32"][..], "i386")] {
        for o in assemble_all("tests/guests/x86_64/asm", "as", flags, tag) {
            let r = diff("objdump", &o, None, Some(&x86_subset));
            expect(&format!("{tag} {}", o.display()), &r, 100.0);
        }
    }
}

#[test]
#[ignore = "conformance tier: needs the MIPS, Xtensa and x86 binutils (.ci/run)"]
fn checked_in_guests_match_objdump() {
    let bin = root().join("tests/guests/bin");
    for (tool, name, cpu) in [
        ("mipsel-linux-gnu-objdump", "hello-mipsel", None),
        ("mips-linux-gnu-objdump", "hello-mips", None),
        ("objdump", "hello-x86_64", None),
        ("xtensa-lx106-elf-objdump", "lx106-fsm.elf", Some("lx106")),
    ] {
        let only: Option<&dyn Fn(&str) -> bool> = if name.contains("x86") { Some(&x86_subset) } else { None };
        let r = diff(tool, &bin.join(name), cpu, only);
        expect(name, &r, 100.0);
    }
}
