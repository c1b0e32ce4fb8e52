//! Conformance tier (`cargo test -- --ignored`, run by `.ci/run`): the QMP and human monitors
//! driven by QEMU's own Python client `qemu.qmp` (tests/qmp/qmp_conformance.py), against
//! specemu and, as the oracle that the script's expectations are QEMU's, against
//! `qemu-system-mips -M none`. `.ci/install-tools.sh` installs both; a missing tool fails the
//! test with the command that installs it.
//!
//! The Python interpreter is `$SPECEMU_QMP_PYTHON`, else the venv install-tools.sh makes.

use std::path::{Path, PathBuf};
use std::process::Command;

const VENV_PYTHON: &str = "/opt/specemu-qmp-venv/bin/python3";
const INSTALL: &str = "run .ci/install-tools.sh as root, or: apt-get install -y python3 python3-venv && \
     python3 -m venv /opt/specemu-qmp-venv && /opt/specemu-qmp-venv/bin/pip install qemu.qmp";

fn python() -> PathBuf {
    let py = std::env::var_os("SPECEMU_QMP_PYTHON").map(PathBuf::from).unwrap_or_else(|| VENV_PYTHON.into());
    let ok = Command::new(&py).args(["-c", "import qemu.qmp"]).output().map(|o| o.status.success()).unwrap_or(false);
    assert!(ok, "{} cannot import qemu.qmp (the QMP conformance tests need it): {INSTALL}", py.display());
    py
}

fn script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/qmp/qmp_conformance.py")
}

fn run_conformance(args: &[&str]) {
    let out = Command::new(python()).arg(script()).args(args).output().expect("run the conformance script");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    println!("{stdout}");
    assert!(out.status.success(), "QMP conformance failed:\n{stdout}\n{stderr}");
}

#[test]
#[ignore = "conformance tier: needs python3 with qemu.qmp (.ci/install-tools.sh)"]
fn qmp_and_hmp_with_qemu_qmp_client() {
    run_conformance(&["--emulator", "specemu", "--specemu", env!("CARGO_BIN_EXE_specemu")]);
}

#[test]
#[ignore = "conformance tier: needs qemu-system-mips and qemu.qmp (.ci/install-tools.sh)"]
fn expectations_hold_for_qemu_itself() {
    let found = Command::new("qemu-system-mips").arg("--version").output().map(|o| o.status.success());
    assert!(
        found.unwrap_or(false),
        "qemu-system-mips (the oracle) is missing: apt-get install -y qemu-system-mips, or run .ci/install-tools.sh"
    );
    run_conformance(&["--emulator", "qemu"]);
}
