//! The x86 assembler checked against its own disassembler on the instructions of the
//! project's x86 test programs: every instruction of their code is disassembled (a linear
//! sweep, as objdump does), the text is assembled by `specemu as`'s engine at the same
//! address, and the result must disassemble to the same text. Where it is not the same bytes,
//! the text names several encodings (GNU as and compilers pick among them differently: an
//! 8- or 32-bit displacement of zero, `add` as 01 or 03 between registers, the order of
//! prefixes); the share and the kinds are reported (`--nocapture`).
//!
//! Failures fail the test for instructions of the x86 subset (the instructions the
//! objdump conformance test holds to objdump's text); instructions outside it, which the
//! spec decodes for their length and shows approximately (SSE), are reported only.
//!
//! The hermetic test uses the checked-in tests/guests/bin/hello-x86_64; the conformance one
//! compiles tests/guests/x86_64/*.c with the host gcc (-O0 and -O2, objects only, so the code
//! is the project's and not the C library's) and assembles tests/guests/x86_64/asm/*.s, which
//! cover every form of the subset, with GNU as for x86-64 and i386.

use specemu_runtime::arch::ArchEntry;
use specemu_runtime::asm::source::assemble_insn;
use specemu_runtime::disas::Disassembler;
use specemu_runtime::targets::ARCHES;
use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

mod common;
use common::{root, run_ok, work};

const INSTALL: &str = "apt-get install gcc binutils";

fn arch(name: &str) -> &'static ArchEntry {
    ARCHES.iter().copied().find(|a| a.name == name).unwrap_or_else(|| panic!("no architecture {name}"))
}

/// The executable sections of a little-endian ELF file: (address, bytes).
fn code_sections(data: &[u8]) -> Vec<(u64, Vec<u8>)> {
    let is64 = data.get(4) == Some(&2);
    let rd = |off: usize, n: usize| -> u64 {
        let mut v = 0u64;
        for i in (0..n).rev() {
            v = (v << 8) | *data.get(off + i).unwrap_or(&0) as u64;
        }
        v
    };
    let (shoff, shentsize, shnum) = if is64 {
        (rd(0x28, 8) as usize, rd(0x3a, 2) as usize, rd(0x3c, 2) as usize)
    } else {
        (rd(0x20, 4) as usize, rd(0x2e, 2) as usize, rd(0x30, 2) as usize)
    };
    let mut out = Vec::new();
    for i in 0..shnum {
        let h = shoff + i * shentsize;
        let (stype, flags, addr, off, size) = if is64 {
            (rd(h + 4, 4), rd(h + 8, 8), rd(h + 16, 8), rd(h + 24, 8) as usize, rd(h + 32, 8) as usize)
        } else {
            (rd(h + 4, 4), rd(h + 8, 4), rd(h + 12, 4), rd(h + 16, 4) as usize, rd(h + 20, 4) as usize)
        };
        const SHT_PROGBITS: u64 = 1;
        const SHF_EXECINSTR: u64 = 4;
        if stype == SHT_PROGBITS && flags & SHF_EXECINSTR != 0 && size > 0 {
            out.push((addr, data[off..off + size].to_vec()));
        }
    }
    out
}

#[derive(Default)]
struct Report {
    decoded: usize,
    same_text: usize,
    same_bytes: usize,
    /// By mnemonic: count and an example.
    failed: BTreeMap<String, (usize, String)>,
    other_text: BTreeMap<String, (usize, String)>,
    /// Failures outside the subset.
    outside: BTreeMap<String, (usize, String)>,
    other_bytes: BTreeMap<String, (usize, String)>,
}

fn mnemonic(text: &str) -> String {
    text.split_whitespace().next().unwrap_or("").to_string()
}

fn note(map: &mut BTreeMap<String, (usize, String)>, text: &str, example: String) {
    map.entry(mnemonic(text)).or_insert((0, example)).0 += 1;
}

/// Whether objdump's text is of an instruction in the x86 subset (its mnemonic, after the
/// prefixes objdump prints before it).
fn in_subset(text: &str) -> bool {
    let m = text
        .split_whitespace()
        .find(|w| !matches!(*w, "lock" | "rep" | "repz" | "repnz" | "data16" | "cs" | "ds" | "es" | "ss"))
        .unwrap_or("");
    common::x86_subset(m)
}

/// Round-trip every instruction of `file`'s code.
fn round_trip(arch: &'static ArchEntry, file: &Path, r: &mut Report) {
    let data = std::fs::read(file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    let asm = arch.asm.expect("x86 has an assembler");
    let core = (asm.cores)().into_iter().next().expect("an x86 core");
    let dis = Disassembler::new(arch, false, None).expect("x86 disassembler");
    let plain = |a: u64, out: &mut String| out.push_str(&format!("{a:#x}"));
    for (base, code) in code_sections(&data) {
        let mut at = 0usize;
        while at < code.len() {
            let pc = base + at as u64;
            let Some((len, text)) = dis.one(&code[at..], pc, &plain) else {
                at += 1;
                continue;
            };
            let bytes = &code[at..at + len];
            at += len;
            if text.contains("(bad)") {
                continue;
            }
            r.decoded += 1;
            let line = text.replace('\t', " ");
            let subset = in_subset(&text);
            match assemble_insn(asm, core, false, &line, pc) {
                Err(e) if subset => note(&mut r.failed, &text, format!("{text}: {e}")),
                Err(e) => note(&mut r.outside, &text, format!("{text}: {e}")),
                Ok(out) => {
                    let again = dis.one(&out, pc, &plain).filter(|(n, _)| *n == out.len()).map(|(_, t)| t);
                    if again.as_deref() != Some(text.as_str()) {
                        let map = if subset { &mut r.other_text } else { &mut r.outside };
                        note(map, &text, format!("{text} -> {again:?}"));
                        continue;
                    }
                    r.same_text += 1;
                    if out == bytes {
                        r.same_bytes += 1;
                    } else {
                        note(&mut r.other_bytes, &text, format!("{text}: {bytes:02x?} -> {out:02x?}"));
                    }
                }
            }
        }
    }
}

/// Print the report and fail on any text that did not come back.
fn check(name: &str, r: &Report) {
    let pct = |n: usize| 100.0 * n as f64 / r.decoded.max(1) as f64;
    println!(
        "{name}: {} instructions; same text {:.2}%, same bytes {:.2}%",
        r.decoded,
        pct(r.same_text),
        pct(r.same_bytes)
    );
    for (m, (n, ex)) in &r.other_bytes {
        println!("    same text, other bytes: {m} ({n}): {ex}");
    }
    for (m, (n, ex)) in &r.outside {
        println!("    outside the subset, not round-tripped: {m} ({n}): {ex}");
    }
    let mut problems = Vec::new();
    for (m, (n, ex)) in r.failed.iter().chain(r.other_text.iter()) {
        println!("    FAILED {m} ({n}): {ex}");
        problems.push(ex.clone());
    }
    assert!(r.decoded > 0, "{name}: no instructions");
    assert!(
        problems.is_empty(),
        "{name}: {} kinds of text did not round-trip:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

#[test]
fn x86_64_hello_round_trips_through_the_assembler() {
    let mut r = Report::default();
    round_trip(arch("x86_64"), &root().join("tests/guests/bin/hello-x86_64"), &mut r);
    check("hello-x86_64", &r);
}

#[test]
#[ignore = "conformance tier: needs gcc and GNU as for x86 (.ci/run)"]
fn x86_test_programs_round_trip_through_the_assembler() {
    common::need("gcc", INSTALL);
    common::need("as", INSTALL);
    let dir = work().join("asm-roundtrip-x86");
    std::fs::create_dir_all(&dir).expect("work dir");
    let mut r = Report::default();
    for opt in ["-O0", "-O2"] {
        for src in ["main.c", "ops.c"] {
            let obj = dir.join(format!("{src}{opt}.o"));
            run_ok(
                Command::new("gcc")
                    .args(["-c", opt, "-fno-asynchronous-unwind-tables", "-o"])
                    .arg(&obj)
                    .arg(root().join("tests/guests/x86_64").join(src)),
            );
            round_trip(arch("x86_64"), &obj, &mut r);
        }
    }
    check("x86-64 test programs (gcc -O0 and -O2)", &r);
    for (flag, name) in [("--64", "x86_64"), ("--32", "i386")] {
        let mut r = Report::default();
        let mut files: Vec<_> = std::fs::read_dir(root().join("tests/guests/x86_64/asm"))
            .expect("asm sources")
            .map(|e| e.expect("entry").path())
            .filter(|p| p.extension().is_some_and(|x| x == "s"))
            .collect();
        files.sort();
        for s in files {
            let obj = dir.join(format!("{}{flag}.o", s.file_stem().unwrap().to_string_lossy()));
            run_ok(Command::new("as").arg(flag).arg("-o").arg(&obj).arg(&s));
            round_trip(arch(name), &obj, &mut r);
        }
        check(&format!("tests/guests/x86_64/asm/*.s ({name})"), &r);
    }
}
