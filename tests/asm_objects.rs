//! `specemu as` against GNU as: each of the project's assembly test files is assembled by
//! both, both objects are linked by GNU ld with the same script, and `.literal`, `.text` and
//! `.data` must be byte-identical. Where ld refuses both objects (integer.s has a `jalx` to
//! a MIPS32 function, which ld rejects), the objects' sections and relocations are compared
//! instead. The conformance tests need Debian's cross binutils and are `#[ignore]`d in the
//! hermetic tier; `.ci/run` runs them. The dc233c test needs nothing and always runs.

use specemu::as_cmd::{assemble, AsCli};
use std::path::{Path, PathBuf};
use std::process::Command;

mod common;
use common::{root, run_ok as run, work};

const INSTALL: &str =
    "sudo .ci/install-tools.sh   (or: apt-get install binutils-mipsel-linux-gnu binutils-mips-linux-gnu binutils-xtensa-lx106)";

/// Places every section the files use at fixed addresses (literals before the code, as
/// `l32r` needs) and drops the notes only GNU as writes.
const LINK_SCRIPT: &str = "SECTIONS {
  . = 0x400000;
  .literal : { *(.literal) }
  .text : { *(.text) }
  . = 0x500000;
  .data : { *(.data) }
  .bss : { *(.bss) }
  /DISCARD/ : { *(.MIPS.abiflags) *(.reginfo) *(.pdr) *(.gnu.attributes) *(.xt.*) *(.xtensa.info) }
}
";

fn ours(src: &Path, cpu: &str, flags: &[&str], out: &Path) {
    let cli = AsCli {
        cpu: Some(cpu.into()),
        big: flags.contains(&"-EB"),
        little: flags.contains(&"-EL"),
        output: out.display().to_string(),
        input: src.display().to_string(),
        ..AsCli::default()
    };
    let bytes = assemble(&cli).unwrap_or_else(|e| panic!("specemu as {}: {e}", src.display()));
    std::fs::write(out, bytes).expect("write object");
}

/// A section's bytes of `file` (empty when it has none).
fn section(prefix: &str, file: &Path, name: &str, out: &Path) -> Vec<u8> {
    let _ = std::fs::remove_file(out);
    run(Command::new(format!("{prefix}-objcopy")).args(["-O", "binary", "--only-section", name]).arg(file).arg(out));
    std::fs::read(out).unwrap_or_default()
}

/// Relocations of an object as (offset, type) lines.
fn relocations(file: &Path) -> Vec<String> {
    let text = run(Command::new("readelf").arg("-rW").arg(file));
    text.lines()
        .filter_map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            (f.len() >= 3 && f[0].chars().all(|c| c.is_ascii_hexdigit())).then(|| format!("{} {}", f[0], f[2]))
        })
        .collect()
}

/// Compare specemu as with `{prefix}-as` on every file; returns one line per file.
fn compare(prefix: &str, cpu: &str, ours_flags: &[&str], gnu_flags: &[&str], files: &[PathBuf]) -> Vec<String> {
    let gas = format!("{prefix}-as");
    let ld = format!("{prefix}-ld");
    common::need(&gas, INSTALL);
    common::need(&ld, INSTALL);
    let dir = work().join("asm-objects").join(prefix).join(ours_flags.join(""));
    std::fs::create_dir_all(&dir).expect("work dir");
    let script = dir.join("link.ld");
    std::fs::write(&script, LINK_SCRIPT).expect("link script");
    let mut lines = Vec::new();
    for src in files {
        let stem = src.file_stem().unwrap().to_string_lossy().to_string();
        let (g, s) = (dir.join(format!("{stem}.gnu.o")), dir.join(format!("{stem}.se.o")));
        run(Command::new(&gas).args(gnu_flags).arg("-o").arg(&g).arg(src));
        ours(src, cpu, ours_flags, &s);
        let (ge, se) = (dir.join(format!("{stem}.gnu.elf")), dir.join(format!("{stem}.se.elf")));
        let link = |o: &Path, e: &Path| {
            Command::new(&ld).arg("-T").arg(&script).args(["-e", "0", "-o"]).arg(e).arg(o).output().expect("run ld")
        };
        let (lg, ls) = (link(&g, &ge), link(&s, &se));
        let (a, b, what) = if lg.status.success() && ls.status.success() {
            (ge, se, "linked")
        } else {
            assert!(!lg.status.success() && !ls.status.success(), "{stem}: ld links one object and refuses the other");
            assert_eq!(relocations(&g), relocations(&s), "{stem}: relocations differ");
            (g, s, "objects (ld refuses both)")
        };
        let mut sizes = Vec::new();
        for name in [".literal", ".text", ".data"] {
            let x = section(prefix, &a, name, &dir.join("a.bin"));
            let y = section(prefix, &b, name, &dir.join("b.bin"));
            assert!(x == y, "{prefix} {stem}: {name} differs from GNU as's ({} vs {} bytes)", x.len(), y.len());
            sizes.push(format!("{name} {}", x.len()));
        }
        lines.push(format!("{prefix} {stem}: identical, {what}: {}", sizes.join(", ")));
    }
    lines
}

fn sources(dirs: &[&str]) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = dirs
        .iter()
        .flat_map(|d| std::fs::read_dir(root().join(d)).unwrap_or_else(|e| panic!("{d}: {e}")))
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "s"))
        .collect();
    v.sort();
    assert!(!v.is_empty(), "no sources in {dirs:?}");
    v
}

#[test]
#[ignore = "conformance tier: needs Debian's MIPS cross binutils (.ci/run)"]
fn mips_objects_match_gnu_as_both_byte_orders() {
    let files = sources(&["tests/guests/mips/asm", "tests/guests/mips/asm-as"]);
    // Debian's mipsel as inserts `sync` before `ll` unless told not to (a Loongson erratum);
    // specemu as writes what is written.
    let el = compare(
        "mipsel-linux-gnu",
        "mips",
        &["-EL"],
        &["-march=mips32r2", "-mhard-float", "-mno-fix-loongson3-llsc"],
        &files,
    );
    let eb = compare("mips-linux-gnu", "mips", &["-EB"], &["-march=mips32r2", "-mhard-float"], &files);
    for l in el.iter().chain(&eb) {
        println!("{l}");
    }
    assert_eq!(el.len() + eb.len(), 2 * files.len());
}

#[test]
#[ignore = "conformance tier: needs binutils-xtensa-lx106 (.ci/run)"]
fn lx106_objects_match_gnu_as() {
    let files = sources(&["tests/guests/xtensa-lx106/asm", "tests/guests/xtensa-lx106/asm-as"]);
    for l in compare("xtensa-lx106-elf", "lx106", &[], &[], &files) {
        println!("{l}");
    }
}

/// A program with windowed calls and loops, which Debian's lx106 binutils cannot assemble,
/// assembles for dc233c and disassembles to the instructions written.
#[test]
fn dc233c_windowed_program_assembles_and_disassembles() {
    let src = root().join("tests/guests/xtensa/asm/windowed-dc233c.s");
    let obj = work().join("windowed-dc233c.o");
    std::fs::create_dir_all(work()).expect("work dir");
    ours(&src, "dc233c", &[], &obj);
    let data = std::fs::read(&obj).expect("object");
    let text =
        specemu::disas_cmd::disassemble_elf(&data, &obj.display().to_string(), Some("dc233c")).expect("disassemble");
    // Each instruction line of the source, in order, is an instruction line of the listing.
    let written: Vec<String> = std::fs::read_to_string(&src)
        .expect("source")
        .lines()
        .map(|l| l.split('#').next().unwrap_or("").trim().to_string())
        .map(|l| l.rsplit(':').next().unwrap_or("").trim().to_string())
        .filter(|l| !l.is_empty() && !l.starts_with('.'))
        .map(|l| l.split_whitespace().next().unwrap_or("").to_string())
        .collect();
    let shown: Vec<String> = text
        .lines()
        .filter_map(|l| l.split('\t').nth(1))
        .filter(|m| !m.starts_with('.'))
        .map(|m| m.trim().to_string())
        .collect();
    assert_eq!(shown, written, "listing:\n{text}");
    for m in ["entry", "call8", "retw", "loop", "loopnez", "callx8", "retw.n"] {
        assert!(shown.iter().any(|s| s == m), "{m} missing from:\n{text}");
    }
    // The call reaches `sum` and the loop ends after its body, as written.
    assert!(text.contains("call8\t14 <sum>"), "{text}");
    assert!(text.contains("loop\ta10, f <main+0xf>"), "{text}");
}

#[test]
fn errors_name_the_place_and_what_was_expected() {
    let dir = work().join("asm-errors");
    std::fs::create_dir_all(&dir).expect("work dir");
    let src = dir.join("bad.s");
    std::fs::write(&src, "\t.set noreorder\n\taddu $1, $2\n\tfrob $1\n\taddiu $1, $2, 40000\n").expect("write");
    let cli = AsCli {
        cpu: Some("mips".into()),
        input: src.display().to_string(),
        output: dir.join("bad.o").display().to_string(),
        ..AsCli::default()
    };
    let err = assemble(&cli).expect_err("errors").to_string();
    assert!(err.contains("bad.s:2:7: error: operands do not match `addu`; expected addu REG,REG,REG"), "{err}");
    assert!(err.contains("bad.s:3:2: error: unknown instruction `frob`"), "{err}");
    assert!(err.contains("bad.s:4:8: error: operand 3 of `addiu` is out of range"), "{err}");
    assert!(err.contains("\taddu $1, $2\n") && err.contains("^"), "{err}");
    // Outside `.set noreorder`, a branch is refused rather than assembled differently.
    std::fs::write(&src, "\tb 1f\n1:\tnop\n").expect("write");
    let err = assemble(&cli).expect_err("reorder").to_string();
    assert!(err.contains("delay slot") && err.contains(".set noreorder"), "{err}");
}
