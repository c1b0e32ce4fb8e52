//! Conformance tier for Linux user mode: Debian's busybox-static for mipsel under
//! `specemu run` against the host's busybox (byte-identical stdout, same exit status), a
//! dynamically linked program with Debian's mipsel sysroot, the project's own C programs
//! (signals, fork/exec/wait, SysV IPC, /proc/self/maps) built for mipsel and for the host and compared, a
//! guest killed by an unhandled SIGSEGV, corrupt ELF files, and the `-strace` format.
//!
//! Every guest run happens twice, with the JIT (`-accel jit`) and with the interpreter
//! (`-accel interp`), and both must match the host; `busybox_jit_check` also runs workloads
//! with `-accel check` (block-by-block comparison of the two backends). The tests run a
//! release build of specemu (built once, in the same target directory).
//!
//! Tiers. The full-size workloads (64 MiB hashes, a 1M-line sort, megabytes through gzip and
//! bzip2, a 100k-line sort) run under the JIT at full size, and under the interpreter (~100x
//! slower) on reduced inputs: a prefix of the same generated data, through the same applets
//! and pipelines, compared with the host's busybox on the same reduced input; likewise
//! `busybox_jit_check` runs reduced workloads. Each such test takes seconds of CPU time
//! instead of minutes. The full-size interpreter and `-accel check` runs are the long tier:
//! tests named `long_*`, `#[ignore]`d like the rest and skipped by `.ci/run`
//! (`--skip long_`); run them with `cargo test --test user_busybox -- --ignored long_`.
//!
//! They need the cross compiler, the host busybox and network access to Debian's archive;
//! they are `#[ignore]`d in the hermetic `cargo test` and run by `.ci/run` (`cargo test --
//! --ignored --skip long_`), which installs the tools. A missing tool fails the test with the
//! command that installs it.

use std::os::unix::process::ExitStatusExt as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::{Mutex, OnceLock};

mod common;
use common::{cached, root, run_ok, work, Fingerprint};

fn need(cmd: &str) {
    common::need(cmd, INSTALL)
}

/// Debian's busybox-static for mipsel.
fn guest_busybox() -> PathBuf {
    common::debian_busybox_mipsel(INSTALL)
}

const INSTALL: &str = "sudo .ci/install-tools.sh   (or: apt-get install busybox gcc-mipsel-linux-gnu libc6-dev-mipsel-cross libc6-mipsel-cross gcc-mips-linux-gnu libc6-dev-mips-cross libc6-mips-cross gcc dpkg-dev debian-archive-keyring)";

/// specemu built with optimisations (`SPECEMU_BIN`, or `cargo build --release`).
fn specemu() -> PathBuf {
    common::specemu_release()
}

/// A directory whose applet names all point to the host's busybox, put first in PATH for
/// host runs so that `sh -c` scripts use busybox applets, as the guest's standalone shell does.
fn host_applets() -> PathBuf {
    static ONCE: OnceLock<PathBuf> = OnceLock::new();
    static LOCK: Mutex<()> = Mutex::new(());
    let _g = LOCK.lock().unwrap_or_else(|e| e.into_inner());
    ONCE.get_or_init(|| {
        need("busybox");
        let bb = PathBuf::from(run_ok(Command::new("sh").arg("-c").arg("command -v busybox")).trim());
        let dir = work().join("host-applets");
        std::fs::create_dir_all(&dir).expect("applet dir");
        for name in run_ok(Command::new(&bb).arg("--list")).lines().chain(["busybox"]) {
            let link = dir.join(name);
            if link.symlink_metadata().is_err() {
                std::os::unix::fs::symlink(&bb, &link).expect("symlink applet");
            }
        }
        dir
    })
    .clone()
}

/// A scratch directory with the test inputs (made once, deterministic contents).
fn inputs() -> PathBuf {
    static ONCE: OnceLock<PathBuf> = OnceLock::new();
    static LOCK: Mutex<()> = Mutex::new(());
    let _g = LOCK.lock().unwrap_or_else(|e| e.into_inner());
    ONCE.get_or_init(|| {
        let d = work().join("user-inputs");
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).expect("inputs dir");
        // 1 MiB of pseudo-random bytes (xorshift), text files of numbers.
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut bin = Vec::with_capacity(1 << 20);
        while bin.len() < 1 << 20 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            bin.extend_from_slice(&x.to_le_bytes());
        }
        std::fs::write(d.join("random.bin"), &bin).expect("write random.bin");
        std::fs::write(d.join("random-256k.bin"), &bin[..256 << 10]).expect("write random-256k.bin");
        let lines: String = (1..=100_000u64).map(|i| format!("{}\n", (i * 7919) % 100_003)).collect();
        std::fs::write(d.join("100k.txt"), &lines).expect("write 100k.txt");
        std::fs::write(d.join("100k-5k.txt"), first_lines(&lines, 5000)).expect("write 100k-5k.txt");
        let small: String = lines.lines().take(3000).map(|l| format!("{l} {}.{}\n", l.len(), l)).collect();
        std::fs::write(d.join("small.txt"), &small).expect("write small.txt");
        // A tree with fixed mtimes for ls -l, find and tar.
        let t = d.join("tree");
        std::fs::create_dir_all(t.join("a/b")).expect("tree");
        std::fs::write(t.join("a/f1"), "one\n").expect("f1");
        std::fs::write(t.join("a/b/f2"), "two two\n").expect("f2");
        std::fs::write(t.join("top.txt"), "top\n").expect("top");
        run_ok(Command::new("chmod").arg("640").arg(t.join("a/f1")));
        run_ok(Command::new("sh").arg("-c").arg(
            "find tree -exec touch -h -d '2021-03-04 05:06:07' {} + && touch -d '2020-01-02 03:04:05' tree/a/b/f2",
        ).current_dir(&d));
        d
    })
    .clone()
}

fn env_fixed(cmd: &mut Command) -> &mut Command {
    cmd.env("LC_ALL", "C").env("TZ", "UTC").env_remove("SPECEMU_BIN").current_dir(inputs())
}

/// The backends every guest run is repeated with.
const BACKENDS: [&str; 2] = ["jit", "interp"];

fn guest(accel: &str, args: &[&str]) -> Output {
    let mut c = Command::new(specemu());
    c.args(["run", "-accel", accel]).arg(guest_busybox()).args(args);
    env_fixed(&mut c).stdin(Stdio::null()).output().expect("run specemu")
}

fn host(args: &[&str]) -> Output {
    let path = format!("{}:{}", host_applets().display(), std::env::var("PATH").unwrap_or_default());
    let mut c = Command::new(host_applets().join("busybox"));
    c.args(args).env("PATH", path);
    env_fixed(&mut c).stdin(Stdio::null()).output().expect("run host busybox")
}

/// Run `args` on the host and under each backend; require identical stdout and exit status.
fn same(args: &[&str]) {
    same_on(&BACKENDS, args)
}

/// Run `args` on the host and under each of `backends`; identical stdout and exit status.
fn same_on(backends: &[&str], args: &[&str]) {
    let h = host(args);
    for &accel in backends {
        let g = guest(accel, args);
        assert_eq!(
            String::from_utf8_lossy(&g.stdout),
            String::from_utf8_lossy(&h.stdout),
            "stdout differs for busybox {args:?} (-accel {accel})\nguest stderr: {}",
            String::from_utf8_lossy(&g.stderr)
        );
        assert_eq!(
            g.status.code(),
            h.status.code(),
            "exit status differs for busybox {args:?} (-accel {accel}; guest {:?}, host {:?})\nguest stderr: {}",
            g.status,
            h.status,
            String::from_utf8_lossy(&g.stderr)
        );
    }
    assert!(
        !h.stdout.is_empty() || matches!(args[0], "true" | "false"),
        "busybox {args:?} printed nothing on the host"
    );
}

// ------------------------------------------------------------------ busybox applets

#[test]
#[ignore = "conformance tier: needs the host busybox and Debian's busybox-static:mipsel (.ci/run)"]
fn busybox_text_applets() {
    same(&["echo", "hello", "world"]);
    same(&["printf", "%s|%5d|%f|%.3e|%x\\n", "str", "42", "3.14159", "12345.678", "255"]);
    same(&["expr", "3", "*", "7", "+", "1"]);
    same(&["expr", "length", "hello"]);
    same(&["wc", "small.txt"]);
    same(&["od", "-A", "x", "-t", "x1", "-N", "200", "random.bin"]);
    same(&["od", "-c", "-N", "64", "small.txt"]);
    same(&["sed", "-n", "s/^1\\(.\\)/X\\1/p", "small.txt"]);
    same(&["awk", "{ s += $3 * 1.5; n++ } END { printf \"%.4f %g %d\\n\", s, s / n, n }", "small.txt"]);
    // The host's busybox awk has no math library (no sqrt, sin...): arithmetic only.
    same(&[
        "awk",
        "BEGIN { x = 1; for (i = 1; i <= 20; i++) { x = x * 1.1 + 1 / i; printf \"%.6f %e %g\\n\", x, x, x / 3 } }",
    ]);
    same(&["sort", "-n", "-r", "small.txt"]);
    same(&["false"]);
}

/// The first `n` lines of `text`.
fn first_lines(text: &str, n: usize) -> String {
    text.lines().take(n).map(|l| format!("{l}\n")).collect()
}

// A full-size workload as lists of busybox command lines: the full size (the JIT in the
// conformance tier, the interpreter in the long tier) and the reduced size (the interpreter
// in the conformance tier): the same applets and pipelines on a prefix of the same input.

const SORT_100K: &[&[&str]] = &[&["sort", "100k.txt"]];
const SORT_100K_REDUCED: &[&[&str]] = &[&["sort", "100k-5k.txt"]];

#[test]
#[ignore = "conformance tier: needs the host busybox and Debian's busybox-static:mipsel (.ci/run)"]
fn busybox_sort_100k_lines() {
    jit_full_interp_reduced(SORT_100K, SORT_100K_REDUCED);
}

#[test]
#[ignore = "long tier: the interpreter on 100k lines (cargo test -- --ignored long_)"]
fn long_busybox_sort_100k_lines_interp() {
    for args in SORT_100K {
        same_on(&["interp"], args);
    }
}

/// The full-size inputs of the user-mode issue: 64 MiB of pseudo-random bytes and a
/// 1M-line file of numbers (made once, deterministic), and their reduced versions for the
/// interpreter: the first MiB, the first 5000 lines.
fn big_inputs() -> PathBuf {
    static ONCE: OnceLock<PathBuf> = OnceLock::new();
    static LOCK: Mutex<()> = Mutex::new(());
    let _g = LOCK.lock().unwrap_or_else(|e| e.into_inner());
    ONCE.get_or_init(|| {
        let d = inputs();
        let mut x: u64 = 0x2545_f491_4f6c_dd1d;
        let mut bin = Vec::with_capacity(64 << 20);
        while bin.len() < 64 << 20 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            bin.extend_from_slice(&x.to_le_bytes());
        }
        std::fs::write(d.join("64m.bin"), &bin).expect("write 64m.bin");
        std::fs::write(d.join("64m-1m.bin"), &bin[..1 << 20]).expect("write 64m-1m.bin");
        let lines: String = (1..=1_000_000u64).map(|i| format!("{}\n", (i * 104_729) % 1_000_003)).collect();
        std::fs::write(d.join("1m.txt"), &lines).expect("write 1m.txt");
        std::fs::write(d.join("1m-5k.txt"), first_lines(&lines, 5000)).expect("write 1m-5k.txt");
        d
    })
    .clone()
}

/// `full` under the JIT, `reduced` under the interpreter, each against the host.
fn jit_full_interp_reduced(full: &[&[&str]], reduced: &[&[&str]]) {
    for args in full {
        same_on(&["jit"], args);
    }
    for args in reduced {
        same_on(&["interp"], args);
    }
}

const HASHES_64M: &[&[&str]] = &[&["sha256sum", "64m.bin"], &["md5sum", "64m.bin"]];
const HASHES_64M_REDUCED: &[&[&str]] = &[&["sha256sum", "64m-1m.bin"], &["md5sum", "64m-1m.bin"]];

const SORT_1M: &[&[&str]] = &[&["sh", "-c", "sort 1m.txt | md5sum; sort -n 1m.txt | tail -3"]];
const SORT_1M_REDUCED: &[&[&str]] = &[&["sh", "-c", "sort 1m-5k.txt | md5sum; sort -n 1m-5k.txt | tail -3"]];

const COMPRESSION_4M: &[&[&str]] = &[
    &["sh", "-c", "head -c 4000000 1m.txt | gzip -9 | tee /dev/null | gunzip | md5sum"],
    &["sh", "-c", "head -c 4000000 1m.txt | gzip -9 | md5sum"],
    &["sh", "-c", "head -c 2000000 1m.txt | bzip2 | bunzip2 | md5sum; head -c 2000000 1m.txt | bzip2 | md5sum"],
];
const COMPRESSION_4M_REDUCED: &[&[&str]] = &[
    &["sh", "-c", "head -c 100000 1m.txt | gzip -9 | tee /dev/null | gunzip | md5sum"],
    &["sh", "-c", "head -c 100000 1m.txt | gzip -9 | md5sum"],
    &["sh", "-c", "head -c 50000 1m.txt | bzip2 | bunzip2 | md5sum; head -c 50000 1m.txt | bzip2 | md5sum"],
];

#[test]
#[ignore = "conformance tier: needs the host busybox and Debian's busybox-static:mipsel (.ci/run)"]
fn busybox_full_size_hashes_64mib() {
    big_inputs();
    jit_full_interp_reduced(HASHES_64M, HASHES_64M_REDUCED);
}

#[test]
#[ignore = "conformance tier: needs the host busybox and Debian's busybox-static:mipsel (.ci/run)"]
fn busybox_full_size_sort_1m_lines() {
    big_inputs();
    jit_full_interp_reduced(SORT_1M, SORT_1M_REDUCED);
}

#[test]
#[ignore = "conformance tier: needs the host busybox and Debian's busybox-static:mipsel (.ci/run)"]
fn busybox_full_size_compression() {
    big_inputs();
    jit_full_interp_reduced(COMPRESSION_4M, COMPRESSION_4M_REDUCED);
}

#[test]
#[ignore = "long tier: the interpreter on 64 MiB (cargo test -- --ignored long_)"]
fn long_busybox_full_size_hashes_64mib_interp() {
    big_inputs();
    for args in HASHES_64M {
        same_on(&["interp"], args);
    }
}

#[test]
#[ignore = "long tier: the interpreter on 1M lines (cargo test -- --ignored long_)"]
fn long_busybox_full_size_sort_1m_lines_interp() {
    big_inputs();
    for args in SORT_1M {
        same_on(&["interp"], args);
    }
}

#[test]
#[ignore = "long tier: the interpreter on megabytes of gzip and bzip2 (cargo test -- --ignored long_)"]
fn long_busybox_full_size_compression_interp() {
    big_inputs();
    for args in COMPRESSION_4M {
        same_on(&["interp"], args);
    }
}

/// Workloads for `-accel check`: each block compiled and interpreted from the same state must
/// agree (status 125 and a report otherwise), and the output must be the host's. The same
/// applets and pipelines as [`JIT_CHECK_FULL`] on smaller inputs.
const JIT_CHECK: &[&[&str]] = &[
    &["sha256sum", "random-256k.bin"],
    &["md5sum", "random-256k.bin"],
    &["sort", "-n", "100k-5k.txt"],
    &["sh", "-c", "head -c 50000 100k.txt | gzip -9 | gunzip | md5sum"],
    &["sh", "-c", "head -c 50000 100k.txt | bzip2 | bunzip2 | md5sum"],
    &["awk", "BEGIN { x = 1; for (i = 1; i <= 2000; i++) x = x * 1.0001 + 1 / i; printf \"%.9f\\n\", x }"],
    &["sh", "-c", "for i in 1 2 3; do echo $i; done | (trap 'echo t' EXIT; wc -l); ls -l tree | wc -l"],
];

/// The `-accel check` workloads at the sizes of the long tier.
const JIT_CHECK_FULL: &[&[&str]] = &[
    &["sha256sum", "random.bin"],
    &["md5sum", "random.bin"],
    &["sort", "-n", "100k.txt"],
    &["sh", "-c", "head -c 300000 100k.txt | gzip -9 | gunzip | md5sum"],
    &["sh", "-c", "head -c 200000 100k.txt | bzip2 | bunzip2 | md5sum"],
    &["awk", "BEGIN { x = 1; for (i = 1; i <= 20000; i++) x = x * 1.0001 + 1 / i; printf \"%.9f\\n\", x }"],
    &["sh", "-c", "for i in 1 2 3; do echo $i; done | (trap 'echo t' EXIT; wc -l); ls -l tree | wc -l"],
];

fn jit_check(workloads: &[&[&str]]) {
    for &args in workloads {
        let h = host(args);
        let g = guest("check", args);
        assert_eq!(
            g.status.code(),
            h.status.code(),
            "-accel check on busybox {args:?}:\n{}",
            String::from_utf8_lossy(&g.stderr).lines().take(60).collect::<Vec<_>>().join("\n")
        );
        assert_eq!(String::from_utf8_lossy(&g.stdout), String::from_utf8_lossy(&h.stdout), "busybox {args:?}");
    }
}

/// `-accel check` on real workloads (reduced sizes).
#[test]
#[ignore = "conformance tier: needs the host busybox and Debian's busybox-static:mipsel (.ci/run)"]
fn busybox_jit_check() {
    jit_check(JIT_CHECK);
}

/// `-accel check` on the full-size workloads (minutes).
#[test]
#[ignore = "long tier: -accel check on the full-size workloads (cargo test -- --ignored long_)"]
fn long_busybox_jit_check_full_size() {
    jit_check(JIT_CHECK_FULL);
}

#[test]
#[ignore = "conformance tier: needs the host busybox and Debian's busybox-static:mipsel (.ci/run)"]
fn busybox_hashes() {
    same(&["sha256sum", "random.bin"]);
    same(&["md5sum", "random.bin", "small.txt"]);
}

#[test]
#[ignore = "conformance tier: needs the host busybox and Debian's busybox-static:mipsel (.ci/run)"]
fn busybox_compression() {
    same(&[
        "sh",
        "-c",
        "head -c 65536 random.bin | gzip -9 | md5sum; head -c 200000 100k.txt | gzip -9 | gunzip | md5sum",
    ]);
    same(&["sh", "-c", "head -c 150000 100k.txt | gzip -9 | md5sum"]);
    same(&[
        "sh",
        "-c",
        "head -c 100000 100k.txt | bzip2 | md5sum; head -c 100000 100k.txt | bzip2 | bunzip2 | cmp - 100k.txt; echo $?",
    ]);
}

#[test]
#[ignore = "conformance tier: needs the host busybox and Debian's busybox-static:mipsel (.ci/run)"]
fn busybox_files_and_archives() {
    same(&["ls", "-l", "tree/a"]);
    same(&["ls", "-lR", "tree"]);
    same(&["find", "tree", "-type", "f"]);
    same(&["sh", "-c", "tar cf - tree | tar tvf -"]);
    same(&[
        "sh",
        "-c",
        "rm -rf x && mkdir x && tar cf t.tar tree && cd x && tar xf ../t.tar && find . | sort && cat tree/a/b/f2 && ls -l tree/a; cd .. && rm -rf x t.tar",
    ]);
    same(&["sh", "-c", "cp small.txt c.txt && mv c.txt d.txt && ln -s d.txt e.txt && readlink e.txt && wc -l e.txt && rm d.txt e.txt; ls d.txt; echo $?"]);
}

#[test]
#[ignore = "conformance tier: needs the host busybox and Debian's busybox-static:mipsel (.ci/run)"]
fn busybox_shell_scripts() {
    same(&["sh", "-c", "seq 1 50 | sort -rn | head -3 | tr '\\n' ' '; echo"]);
    same(&[
        "sh",
        "-c",
        "i=0; while [ $i -lt 20 ]; do i=$((i + 3)); done; echo $i; for w in a b c; do echo -n $w; done; echo",
    ]);
    same(&[
        "sh",
        "-c",
        "x=$(echo sub | tr a-z A-Z); echo $x; (echo in subshell; exit 3); echo status $?; { echo grouped; } | cat",
    ]);
    same(&["sh", "-c", "trap 'echo exit trap' EXIT; trap 'echo got INT' INT; kill -INT $$; echo after; false"]);
    same(&["sh", "-c", "f() { echo \"f:$1:$#\"; return 4; }; f one two; echo $?; set -- p q r; echo $2 $#"]);
    same(&["sh", "-c", "echo data > f.tmp; read line < f.tmp; echo got $line; rm f.tmp; exit 5"]);
    same(&["sh", "-c", "sleep 0.1 & wait $!; echo waited $?; (kill -TERM $$ 2>/dev/null; sleep 1) & wait; echo done"]);
}

// ------------------------------------------------------------------ own programs

/// Build `tests/guests/mips/user/NAME.c` for mipsel (or big-endian mips when `NAME` ends in
/// `@be`), static or dynamic, and for the host; each build once into the guest cache (reused
/// until the source or the compiler changes; concurrent tests wait for one build instead of
/// writing the same file while another runs it).
fn build(name: &str, dynamic: bool) -> (PathBuf, PathBuf) {
    let (name, triple) = match name.strip_suffix("@be") {
        Some(n) => (n, "mips-linux-gnu"),
        None => (name, "mipsel-linux-gnu"),
    };
    let cc = format!("{triple}-gcc");
    need(&cc);
    need("gcc");
    let src = format!("tests/guests/mips/user/{name}.c");
    let tag = if dynamic { "dyn" } else { "static" };
    let libc = if triple.starts_with("mipsel") { "libc6-dev-mipsel-cross" } else { "libc6-dev-mips-cross" };
    let compile = |compiler: &str, static_link: bool, out: &Path| {
        let mut c = Command::new(compiler);
        c.args(["-O2", "-o"]).arg(out.join(name)).arg(root().join(&src)).arg("-lm");
        if static_link {
            c.arg("-static");
        }
        run_ok(&mut c);
    };
    let guest_inputs = Fingerprint::new().tool(&cc).packages(&[libc]).text(&format!("-O2 -lm {tag}")).file(&src);
    let g = cached(&format!("user-{name}-{triple}-{tag}"), guest_inputs, |out| compile(&cc, !dynamic, out));
    let host_inputs = Fingerprint::new().tool("gcc").packages(&["libc6-dev"]).text("-O2 -lm").file(&src);
    let h = cached(&format!("user-{name}-host"), host_inputs, |out| compile("gcc", false, out));
    (g.join(name), h.join(name))
}

fn run_guest_prog(accel: &str, prog: &Path, args: &[&str], sysroot: Option<&str>) -> Output {
    let mut c = Command::new(specemu());
    c.args(["run", "-accel", accel]);
    if let Some(s) = sysroot {
        c.arg("-L").arg(s);
    }
    c.arg(prog).args(args);
    env_fixed(&mut c).output().expect("run specemu")
}

fn same_as_host(name: &str, dynamic: bool, args: &[&str]) {
    let (g, h) = build(name, dynamic);
    let sysroot = if dynamic {
        let root = if name.ends_with("@be") { "/usr/mips-linux-gnu" } else { "/usr/mipsel-linux-gnu" };
        assert!(
            Path::new(root).join("lib/ld.so.1").is_file(),
            "the sysroot {root} is missing; install it with:\n  {INSTALL}"
        );
        Some(root)
    } else {
        None
    };
    let ho = env_fixed(Command::new(&h).args(args)).output().expect("run host program");
    for accel in BACKENDS {
        let go = run_guest_prog(accel, &g, args, sysroot);
        assert_eq!(
            String::from_utf8_lossy(&go.stdout),
            String::from_utf8_lossy(&ho.stdout),
            "{name} (-accel {accel}): stdout differs\nguest stderr: {}",
            String::from_utf8_lossy(&go.stderr)
        );
        assert_eq!(go.status.code(), ho.status.code(), "{name} (-accel {accel}): exit status differs");
        assert_eq!(go.status.signal(), ho.status.signal(), "{name} (-accel {accel}): terminating signal differs");
    }
}

#[test]
#[ignore = "conformance tier: needs the MIPS cross compilers and sysroots (.ci/run)"]
fn dynamically_linked_program() {
    same_as_host("dynlink", true, &["one", "two"]);
    same_as_host("dynlink@be", true, &["big", "endian"]);
}

#[test]
#[ignore = "conformance tier: needs the MIPS cross compilers (.ci/run)"]
fn guest_signal_handlers() {
    same_as_host("signals", false, &[]);
    same_as_host("signals@be", false, &[]);
}

#[test]
#[ignore = "conformance tier: needs the MIPS cross compilers (.ci/run)"]
fn unhandled_fault_kills_with_the_signal() {
    let (g, _) = build("signals", false);
    for accel in BACKENDS {
        let o = run_guest_prog(accel, &g, &["die"], None);
        assert_eq!(String::from_utf8_lossy(&o.stdout), "about to fault\n");
        assert_eq!(
            o.status.signal(),
            Some(libc_sigsegv()),
            "-accel {accel}: expected death by SIGSEGV, got {:?}",
            o.status
        );
        assert!(
            String::from_utf8_lossy(&o.stderr).contains("uncaught target signal 11"),
            "-accel {accel}: stderr: {}",
            String::from_utf8_lossy(&o.stderr)
        );
    }
}

fn libc_sigsegv() -> i32 {
    11
}

#[test]
#[ignore = "conformance tier: needs the MIPS cross compilers (.ci/run)"]
fn fork_exec_wait() {
    same_as_host("forkexec", false, &[]);
    same_as_host("forkexec@be", false, &[]);
}

#[test]
#[ignore = "conformance tier: needs the MIPS cross compilers (.ci/run)"]
fn sysv_ipc() {
    same_as_host("ipc", false, &[]);
    same_as_host("ipc@be", false, &[]);
}

/// `/proc/self/maps` shows the guest's own mappings (guest addresses and permissions, the
/// program file, [stack], [heap], mmap/mprotect/munmap, a file mapping's offset), as the
/// host kernel shows the native build's.
#[test]
#[ignore = "conformance tier: needs the MIPS cross compilers (.ci/run)"]
fn proc_self_maps() {
    same_as_host("maps", false, &[]);
    same_as_host("maps@be", false, &[]);
}

// ------------------------------------------------------------------ errors and tracing

#[test]
#[ignore = "conformance tier: needs Debian's busybox-static:mipsel (.ci/run)"]
fn corrupt_elf_files_give_clear_errors() {
    let data = std::fs::read(guest_busybox()).expect("read busybox");
    let dir = work().join("corrupt-elf");
    std::fs::create_dir_all(&dir).expect("corrupt dir");
    let mut cases: Vec<(&str, Vec<u8>)> = vec![
        ("empty", vec![]),
        ("magic-only", b"\x7fELF".to_vec()),
        ("header-only", data[..52].to_vec()),
        ("truncated-phdrs", data[..60].to_vec()),
        ("truncated-segment", data[..data.len() / 3].to_vec()),
        ("not-elf", b"just some text\n".to_vec()),
    ];
    let mut bad_class = data.clone();
    bad_class[4] = 7;
    cases.push(("bad-class", bad_class));
    let mut bad_phnum = data.clone();
    bad_phnum[44] = 0xff;
    bad_phnum[45] = 0xff;
    cases.push(("bad-phnum", bad_phnum));
    for (name, bytes) in cases {
        let p = dir.join(name);
        std::fs::write(&p, &bytes).expect("write case");
        let o = Command::new(specemu()).arg("run").arg(&p).output().expect("run specemu");
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(1), "{name}: expected exit status 1, got {:?}; stderr: {err}", o.status);
        assert!(err.starts_with("specemu: ") && err.contains(name), "{name}: unclear error: {err}");
        assert!(!err.contains("panicked"), "{name}: panic: {err}");
    }
}

#[test]
#[ignore = "conformance tier: needs Debian's busybox-static:mipsel (.ci/run)"]
fn strace_prints_qemu_style_lines() {
    let mut c = Command::new(specemu());
    c.arg("run").arg("-strace").arg(guest_busybox()).args(["cat", "hello-missing-file"]);
    let o = env_fixed(&mut c).output().expect("run specemu");
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.lines().any(|l| l.contains(" openat(-100,\"hello-missing-file\",")
            && l.ends_with("= -1 errno=2 (No such file or directory)")),
        "no openat error line in:\n{err}"
    );
    assert!(err.lines().any(|l| l.contains(" exit_group(1)")), "no exit_group line in:\n{err}");
    assert!(err
        .lines()
        .all(|l| !l.contains(" write(") || l.split(' ').next().is_some_and(|p| p.parse::<u32>().is_ok())));
}

#[test]
#[ignore = "conformance tier: needs the host busybox, script(1) and busybox-static:mipsel (.ci/run)"]
fn terminal_ioctls_on_a_pty() {
    need("script");
    // `script` gives the command a pseudo-terminal: stty reads and changes termios (TCGETS,
    // TCSETS with the guest's c_lflag bits and c_cc positions); tty finds the terminal.
    let cmd = "stty -a; stty -echo; stty -a | grep -o -- '-echo '; stty echo intr ^K; stty -a | grep -o 'intr = ^K'; tty >/dev/null; echo tty=$?";
    let on_pty = |prefix: String| -> String {
        let mut c = Command::new("script");
        c.arg("-qec").arg(format!("{prefix} sh -c \"{cmd}\"")).arg("/dev/null");
        let o = env_fixed(&mut c).stdin(Stdio::null()).output().expect("run script");
        String::from_utf8_lossy(&o.stdout).replace('\r', "")
    };
    let path = format!("{}:{}", host_applets().display(), std::env::var("PATH").unwrap_or_default());
    let h = on_pty(format!("PATH={path} {}", host_applets().join("busybox").display()));
    let g = on_pty(format!("{} run {}", specemu().display(), guest_busybox().display()));
    assert!(h.contains("intr = ^K"), "host run did not work on a pty:\n{h}");
    assert_eq!(g, h);
}
