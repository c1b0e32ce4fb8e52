//! `specemu run` on the small guests checked in under tests/guests/bin: each MIPS build (both
//! byte orders) must print exactly what the x86-64 build of the same source prints when the
//! host CPU runs it natively (the independent oracle), and exit the same way. Includes a
//! self-modifying-code guest. Each runs under the JIT, the interpreter, and the block-by-block
//! comparison of the two (`-accel jit|interp|check`). Bad ELF files must give a clear error
//! and a non-zero status.

use std::path::PathBuf;
use std::process::{Command, Output};

fn bin(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/guests/bin").join(name)
}

fn specemu(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_specemu")).args(args).output().expect("run specemu")
}

fn native(name: &str) -> Output {
    const { assert!(cfg!(all(target_arch = "x86_64", target_os = "linux")), "the oracle needs an x86-64 Linux host") };
    Command::new(bin(name)).output().expect("run the native build")
}

fn same_as_native(program: &str) {
    let want = native(&format!("{program}-x86_64"));
    assert!(want.status.success(), "the native oracle failed: {want:?}");
    for arch in ["mipsel", "mips"] {
        for accel in ["jit", "interp", "check"] {
            let path = bin(&format!("{program}-{arch}"));
            let got = specemu(&["run", "-accel", accel, path.to_str().unwrap()]);
            assert_eq!(
                String::from_utf8_lossy(&got.stdout),
                String::from_utf8_lossy(&want.stdout),
                "{program}-{arch} -accel {accel}: stdout differs (stderr: {})",
                String::from_utf8_lossy(&got.stderr)
            );
            assert_eq!(got.status.code(), want.status.code(), "{program}-{arch} -accel {accel}: exit status differs");
        }
    }
}

#[test]
fn hello_prints_what_the_host_cpu_prints() {
    same_as_native("hello");
}

#[test]
fn self_modifying_code_runs_the_new_instructions() {
    same_as_native("smc");
}

#[test]
fn corrupt_or_truncated_elf_files_give_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    let good = std::fs::read(bin("hello-mipsel")).unwrap();
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("empty", vec![]),
        ("not-elf", b"plain text, not a program\n".to_vec()),
        ("header-only", good[..20].to_vec()),
        ("cut-in-program-headers", good[..60].to_vec()),
        ("cut-in-segment", good[..good.len() / 8].to_vec()),
        ("bad-phnum", {
            let mut g = good.clone();
            g[44] = 0xff;
            g[45] = 0xff;
            g
        }),
    ];
    for (name, bytes) in cases {
        let p = dir.path().join(name);
        std::fs::write(&p, &bytes).unwrap();
        let out = specemu(&["run", p.to_str().unwrap()]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{name}: accepted a bad file");
        assert!(err.contains(name), "{name}: the error should name the file: {err}");
        assert!(!err.contains("panicked"), "{name}: panic: {err}");
    }
}
