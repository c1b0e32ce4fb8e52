//! Conformance tier: the bare-metal MIPS system tests (tests/guests/mips-system/) on
//! specemu's mipssim board against QEMU's (Debian's `qemu-system-mips`), both byte orders.
//! Each program prints what it observed (CP0 values, exception codes, EPC/BadVAddr, device
//! registers) through the UART; its serial output (stdout), its UHI console output (stderr)
//! and its exit status (UHI exit) must be identical under both. QEMU is the oracle, run by
//! the test: no expected output is stored.
//!
//! Both run as `-M mipssim -nographic -semihosting -kernel PROG.elf`; specemu twice, with
//! the JIT (`-accel jit`, its inline soft-TLB path) and with the IR interpreter.
//!
//! `#[ignore]`d in the hermetic `cargo test` (needs the cross compilers and qemu-system);
//! run by `.ci/run` with `--ignored`. A missing tool fails with the command that installs it.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

mod common;
use common::{cached, root, Fingerprint};

fn need(cmd: &str) {
    common::need(cmd, INSTALL)
}

const INSTALL: &str =
    ".ci/install-tools.sh   (or: apt-get install gcc-mips-linux-gnu gcc-mipsel-linux-gnu qemu-system-mips)";
const TIMEOUT: Duration = Duration::from_secs(120);

/// Every program, built once into the guest cache (reused by later runs until a source, the
/// build script or a toolchain changes); the folder.
fn built() -> &'static Path {
    static ONCE: OnceLock<PathBuf> = OnceLock::new();
    ONCE.get_or_init(|| {
        for c in ["mips-linux-gnu-gcc", "mipsel-linux-gnu-gcc", "qemu-system-mips", "qemu-system-mipsel"] {
            need(c);
        }
        let inputs =
            Fingerprint::new().tool("mips-linux-gnu-gcc").tool("mipsel-linux-gnu-gcc").dir("tests/guests/mips-system");
        cached("mips-system", inputs, |out| {
            let st = Command::new("bash")
                .arg(root().join("tests/guests/mips-system/build.sh"))
                .arg(out)
                .status()
                .expect("run tests/guests/mips-system/build.sh");
            assert!(st.success(), "building the mips-system guests failed ({st}); tools: {INSTALL}");
        })
    })
}

/// What a run produced.
#[derive(Debug, PartialEq, Eq)]
struct Run {
    status: Option<i32>,
    stdout: String,
    stderr: String,
}

fn run(mut cmd: Command) -> Run {
    let what = format!("{cmd:?}");
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {what}: {e}"));
    let mut out = child.stdout.take().expect("stdout");
    let mut err = child.stderr.take().expect("stderr");
    let t_out = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = out.read_to_end(&mut v);
        v
    });
    let t_err = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = err.read_to_end(&mut v);
        v
    });
    let start = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().expect("wait") {
            break s;
        }
        if start.elapsed() > TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{what} did not finish within {TIMEOUT:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let stdout = String::from_utf8_lossy(&t_out.join().expect("stdout reader")).into_owned();
    let stderr = String::from_utf8_lossy(&t_err.join().expect("stderr reader")).into_owned();
    Run { status: status.code(), stdout, stderr }
}

fn board_args(cmd: &mut Command, elf: &Path) {
    cmd.args(["-M", "mipssim", "-nographic", "-semihosting", "-kernel"]).arg(elf);
}

/// Run `name` for both byte orders under QEMU and specemu and compare. One program at a
/// time: QEMU's timer follows host time, and an overloaded host only makes it slower.
fn compare(name: &str) {
    static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _serial = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let dir = built();
    for (suffix, qemu, sub) in
        [("be", "qemu-system-mips", "system-mips"), ("le", "qemu-system-mipsel", "system-mipsel")]
    {
        let elf = dir.join(format!("{name}-{suffix}.elf"));
        let mut q = Command::new(qemu);
        board_args(&mut q, &elf);
        let expected = run(q);
        assert!(
            expected.stdout.contains(&format!("{name}: done")) || name == "uhi",
            "{name}-{suffix}: QEMU's run did not complete:\n{expected:#?}"
        );
        for accel in ["jit", "interp"] {
            let mut s = Command::new(env!("CARGO_BIN_EXE_specemu"));
            s.args([sub, "-accel", accel]);
            board_args(&mut s, &elf);
            let got = run(s);
            if got != expected {
                let diff: Vec<String> = expected
                    .stdout
                    .lines()
                    .zip(got.stdout.lines())
                    .filter(|(a, b)| a != b)
                    .take(10)
                    .map(|(a, b)| format!("  qemu:    {a}\n  specemu: {b}"))
                    .collect();
                panic!(
                "{name}-{suffix}: specemu -accel {accel} differs from {qemu}\nfirst differing lines:\n{}\nqemu: {expected:#?}\nspecemu: {got:#?}",
                diff.join("\n")
            );
            }
            println!(
                "{name}-{suffix} -accel {accel}: identical to {qemu} ({} bytes of serial output, exit {:?})",
                got.stdout.len(),
                got.status
            );
        }
    }
}

macro_rules! program {
    ($($name:ident),*) => {$(
        #[test]
        #[ignore = "conformance tier: needs mips cross compilers and qemu-system-mips (.ci/install-tools.sh)"]
        fn $name() {
            compare(stringify!($name));
        }
    )*};
}

program!(cp0, exceptions, timer, tlb, fpu, uart, uhi);
