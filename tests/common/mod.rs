//! Helpers shared by the conformance-tier integration tests: the project root, the scratch
//! folder under `target/conformance`, tool checks that fail with the command that installs
//! the tool, running a command that must succeed, and Debian's busybox-static for mipsel.
//!
//! Each test file includes this module (`mod common;`); no test uses every helper, hence
//! the `dead_code` allowance. It must hold no test and no expectation of its own.
#![allow(dead_code)]

use std::path::PathBuf;
use std::process::Command;
use std::sync::{Mutex, OnceLock};

/// The root package's folder (the repository root).
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `target/conformance`, created if missing: where the tests build guests and keep inputs.
pub fn work() -> PathBuf {
    let d = root().join("target/conformance");
    std::fs::create_dir_all(&d).expect("create target/conformance");
    d
}

/// Fail the test unless `cmd` is on PATH, naming `install`, the command that installs it.
pub fn need(cmd: &str, install: &str) {
    let ok = Command::new("sh")
        .arg("-c")
        .arg(format!("command -v {cmd}"))
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    assert!(ok, "`{cmd}` is not installed; install the conformance tools with:\n  {install}");
}

/// Run `cmd`; fail the test with its output unless it succeeds; its stdout.
pub fn run_ok(cmd: &mut Command) -> String {
    let out = cmd.output().unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?} failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Debian's busybox-static for mipsel, downloaded once per test run with apt (no foreign
/// architecture is added to the system) by tests/guests/fetch-debian.sh.
pub fn debian_busybox_mipsel(install: &str) -> PathBuf {
    static ONCE: OnceLock<PathBuf> = OnceLock::new();
    static LOCK: Mutex<()> = Mutex::new(());
    let _g = LOCK.lock().unwrap_or_else(|e| e.into_inner());
    ONCE.get_or_init(|| {
        need("apt-get", install);
        need("dpkg-deb", install);
        let out = work().join("debian");
        run_ok(
            Command::new("bash")
                .arg(root().join("tests/guests/fetch-debian.sh"))
                .arg(&out)
                .arg("mipsel")
                .arg("busybox-static"),
        );
        let bin = out.join("busybox-mipsel/bin/busybox");
        assert!(bin.is_file(), "fetch-debian.sh did not produce {}", bin.display());
        bin
    })
    .clone()
}
