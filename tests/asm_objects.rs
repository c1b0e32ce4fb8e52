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

/// Places the x86 programs' code (`.text` and `.text.*`) and data at fixed addresses.
const X86_LINK_SCRIPT: &str = "SECTIONS {
  . = 0x400000;
  .text : { *(.text) *(.text.*) }
  . = 0x500000;
  .data : { *(.data) }
  .bss : { *(.bss) }
  /DISCARD/ : { *(.note.*) }
}
";

/// x86-64 and i386: `reloc-NN.s` (references to labels in other sections and in another
/// file, of each kind GNU as relocates) and `extern-NN.s` are assembled by specemu as and
/// by GNU as; each file's relocations are GNU as's (offset and type), each pair of objects
/// is linked by GNU ld, `.text` and `.data` are byte-identical, and both programs (run on
/// this x86-64 host) write the same lines and exit with status 0.
#[test]
#[ignore = "conformance tier: needs GNU binutils for x86-64 (.ci/run)"]
fn x86_objects_match_gnu_as_and_run() {
    let (gas, ld) = ("x86_64-linux-gnu-as", "x86_64-linux-gnu-ld");
    let install = "sudo .ci/install-tools.sh   (or: apt-get install binutils)";
    common::need(gas, install);
    common::need(ld, install);
    for (arch, bits, emulation) in [("x86_64", "64", "elf_x86_64"), ("i386", "32", "elf_i386")] {
        let dir = work().join("asm-objects").join(arch);
        std::fs::create_dir_all(&dir).expect("work dir");
        let script = dir.join("link.ld");
        std::fs::write(&script, X86_LINK_SCRIPT).expect("link script");
        let (mut gnu, mut se) = (Vec::new(), Vec::new());
        for stem in ["reloc", "extern"] {
            let src = root().join(format!("tests/guests/x86_64/asm-objects/{stem}-{bits}.s"));
            let (g, s) = (dir.join(format!("{stem}.gnu.o")), dir.join(format!("{stem}.se.o")));
            run(Command::new(gas).arg(format!("--{bits}")).arg("-o").arg(&g).arg(&src));
            let cli = AsCli {
                arch: Some(arch.into()),
                output: s.display().to_string(),
                input: src.display().to_string(),
                ..AsCli::default()
            };
            let bytes = assemble(&cli).unwrap_or_else(|e| panic!("specemu as {}: {e}", src.display()));
            std::fs::write(&s, bytes).expect("write object");
            assert_eq!(relocations(&s), relocations(&g), "{arch} {stem}: relocations differ from GNU as's");
            gnu.push(g);
            se.push(s);
        }
        let (ge, see) = (dir.join("prog.gnu"), dir.join("prog.se"));
        for (objs, out) in [(&gnu, &ge), (&se, &see)] {
            run(Command::new(ld)
                .args(["-m", emulation, "-T"])
                .arg(&script)
                .args(["-e", "_start", "-o"])
                .arg(out)
                .args(objs));
        }
        for name in [".text", ".data"] {
            let x = section("x86_64-linux-gnu", &ge, name, &dir.join("a.bin"));
            let y = section("x86_64-linux-gnu", &see, name, &dir.join("b.bin"));
            assert!(!x.is_empty() && x == y, "{arch}: {name} differs from GNU as's ({} vs {} bytes)", x.len(), y.len());
        }
        let (a, b) = (Command::new(&ge).output().expect("run"), Command::new(&see).output().expect("run"));
        assert!(a.status.success() && a.stdout.len() > 40, "{arch}: GNU as's program: {a:?}");
        assert_eq!((b.status.code(), &b.stdout), (a.status.code(), &a.stdout), "{arch}: the programs differ");
        println!(
            "{arch}: identical .text and .data, relocations as GNU as's; both print {:?}",
            String::from_utf8_lossy(&b.stdout)
        );
    }
}
