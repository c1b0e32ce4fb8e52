//! Helpers shared by the conformance-tier integration tests: the project root, the scratch
//! folder under `target/conformance`, the guest cache under `target/guest-cache`, tool checks
//! that fail with the command that installs the tool, running a command that must succeed,
//! Debian's busybox-static for mipsel, the project's own guests (tests/guests/build.sh) and
//! specemu's release build.
//!
//! Each test file includes this module (`mod common;`); no test uses every helper, hence
//! the `dead_code` allowance. It must hold no test and no expectation of its own.
#![allow(dead_code)]

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Mutex, OnceLock};

/// The root package's folder (the repository root).
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The target directory the test binaries and specemu were built into (`CARGO_TARGET_DIR`
/// or `target/`).
pub fn target_dir() -> PathBuf {
    let exe = Path::new(env!("CARGO_BIN_EXE_specemu"));
    exe.parent().and_then(Path::parent).expect("the target directory").to_path_buf()
}

/// `target/conformance`, created if missing: where the tests keep inputs, logs and other
/// scratch files of one run.
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

// ------------------------------------------------------------------ the guest cache

/// `target/guest-cache` (under the target directory the tests were built into): guests built
/// from the sources in tests/guests and Debian packages, made once and shared by every test
/// binary and every later `cargo test`. Each entry is a folder named after what it holds and
/// a [`Fingerprint`] of its inputs, so a changed source, build script, flag or tool version
/// makes a new entry; `rm -rf target/guest-cache` clears them all.
pub fn cache_root() -> PathBuf {
    let d = target_dir().join("guest-cache");
    std::fs::create_dir_all(&d).expect("create target/guest-cache");
    d
}

/// A fingerprint of a cache entry's inputs (64-bit FNV-1a: stable across Rust versions and
/// machines, unlike `DefaultHasher`): file names and contents, folder listings, tool versions
/// and any other text (compiler flags) the output depends on.
#[derive(Clone, Copy, Debug)]
pub struct Fingerprint(u64);

impl Fingerprint {
    pub fn new() -> Self {
        Fingerprint(0xcbf2_9ce4_8422_2325)
    }

    fn bytes(mut self, data: &[u8]) -> Self {
        // The length first, so that ("ab", "c") and ("a", "bc") differ.
        for b in (data.len() as u64).to_le_bytes().iter().chain(data) {
            self.0 ^= u64::from(*b);
            self.0 = self.0.wrapping_mul(0x0000_0100_0000_01b3);
        }
        self
    }

    /// Any text the output depends on (flags, an architecture, a package name).
    pub fn text(self, s: &str) -> Self {
        self.bytes(s.as_bytes())
    }

    /// A file under the repository root (`rel`): its name and contents.
    pub fn file(self, rel: &str) -> Self {
        let data = std::fs::read(root().join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"));
        self.text(rel).bytes(&data)
    }

    /// Every file directly in the folder `rel` (not in its subfolders), in name order.
    pub fn dir(mut self, rel: &str) -> Self {
        let dir = root().join(rel);
        let mut names: Vec<String> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .map(|e| e.expect("dir entry"))
            .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        for n in names {
            self = self.file(&format!("{rel}/{n}"));
        }
        self
    }

    /// The first line of `cmd --version` (a toolchain upgrade makes a new entry).
    pub fn tool(self, cmd: &str) -> Self {
        let v = Command::new(cmd)
            .arg("--version")
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).lines().next().unwrap_or("").to_string())
            .unwrap_or_else(|_| "missing".into());
        self.text(cmd).text(&v)
    }

    /// The installed versions of Debian packages (C libraries, which have no `--version`);
    /// nothing on a host without dpkg.
    pub fn packages(self, names: &[&str]) -> Self {
        let v = Command::new("dpkg-query")
            .arg("-W")
            .arg("-f=${Package} ${Version}\\n")
            .args(names)
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
            .unwrap_or_default();
        self.text(&v)
    }

    pub fn hex(self) -> String {
        format!("{:016x}", self.0)
    }
}

impl Default for Fingerprint {
    fn default() -> Self {
        Self::new()
    }
}

/// The cache entry `target/guest-cache/NAME-KEY`, made by `build` the first time (KEY is
/// `inputs` in hex). `build` fills a fresh temporary folder, which is renamed into place only
/// once it returns: an entry that exists is complete. An exclusive lock on
/// `NAME-KEY.lock` makes concurrent test binaries (and threads) wait for one build instead of
/// racing; a build that panics leaves no entry and releases the lock.
pub fn cached(name: &str, inputs: Fingerprint, build: impl FnOnce(&Path)) -> PathBuf {
    let base = cache_root();
    let entry = format!("{name}-{}", inputs.hex());
    let done = base.join(&entry);
    if done.is_dir() {
        return done;
    }
    let lock_path = base.join(format!("{entry}.lock"));
    let lock = File::create(&lock_path).unwrap_or_else(|e| panic!("{}: {e}", lock_path.display()));
    lock.lock().unwrap_or_else(|e| panic!("lock {}: {e}", lock_path.display()));
    if done.is_dir() {
        return done; // another test binary built it while we waited
    }
    let tmp = base.join(format!(".{entry}.tmp"));
    if tmp.exists() {
        // Left by a build that failed or was killed; we hold the lock, so nobody uses it.
        std::fs::remove_dir_all(&tmp).unwrap_or_else(|e| panic!("{}: {e}", tmp.display()));
    }
    std::fs::create_dir_all(&tmp).unwrap_or_else(|e| panic!("{}: {e}", tmp.display()));
    build(&tmp);
    std::fs::rename(&tmp, &done).unwrap_or_else(|e| panic!("rename {} to {}: {e}", tmp.display(), done.display()));
    eprintln!("guest cache: built {}", done.display());
    done
}

/// Debian's busybox-static for mipsel, downloaded with apt (no foreign architecture is added
/// to the system) by tests/guests/fetch-debian.sh into `target/guest-cache/debian`, once:
/// the script keeps the unpacked package with a stamp naming its inputs and takes a lock, so
/// concurrent test binaries and later runs (and bench/run.sh) share one download.
pub fn debian_busybox_mipsel(install: &str) -> PathBuf {
    static ONCE: OnceLock<PathBuf> = OnceLock::new();
    static LOCK: Mutex<()> = Mutex::new(());
    let _g = LOCK.lock().unwrap_or_else(|e| e.into_inner());
    ONCE.get_or_init(|| {
        need("apt-get", install);
        need("dpkg-deb", install);
        let out = cache_root().join("debian");
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

/// The project's own guest programs, built by tests/guests/build.sh (MIPS both byte orders,
/// Xtensa lx106, x86-64, with the host's reference output) into the guest cache, once for
/// every test binary and run, until a source, the script or a toolchain changes.
pub fn own_guests(install: &str) -> PathBuf {
    static ONCE: OnceLock<PathBuf> = OnceLock::new();
    static LOCK: Mutex<()> = Mutex::new(());
    let _g = LOCK.lock().unwrap_or_else(|e| e.into_inner());
    ONCE.get_or_init(|| {
        const CC: [&str; 4] = ["mips-linux-gnu-gcc", "mipsel-linux-gnu-gcc", "xtensa-lx106-elf-gcc", "gcc"];
        for c in CC {
            need(c, install);
        }
        let inputs = CC
            .iter()
            .fold(Fingerprint::new(), |f, c| f.tool(c))
            .packages(&["picolibc-xtensa-lx106-elf", "libc6-dev-mips-cross", "libc6-dev-mipsel-cross", "libc6-dev"])
            .file("tests/guests/build.sh")
            .dir("tests/guests/mips")
            .dir("tests/guests/xtensa-lx106")
            .dir("tests/guests/x86_64");
        cached("guests", inputs, |out| {
            run_ok(Command::new("bash").arg(root().join("tests/guests/build.sh")).arg(out));
        })
    })
    .clone()
}

/// specemu built with optimisations: `SPECEMU_BIN` if set, else the release build in the
/// target directory these tests were built into, made with `cargo build --release` (cargo
/// does nothing when it is up to date). The interpreter and `-accel check` are ~100x slower
/// than the JIT, and the debug build is many times slower again.
pub fn specemu_release() -> PathBuf {
    static ONCE: OnceLock<PathBuf> = OnceLock::new();
    static LOCK: Mutex<()> = Mutex::new(());
    let _g = LOCK.lock().unwrap_or_else(|e| e.into_inner());
    ONCE.get_or_init(|| {
        if let Some(p) = std::env::var_os("SPECEMU_BIN") {
            return PathBuf::from(p);
        }
        let this = PathBuf::from(env!("CARGO_BIN_EXE_specemu"));
        if this.parent().and_then(|p| p.file_name()).is_some_and(|n| n == "release") {
            return this;
        }
        let target = target_dir();
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        run_ok(
            Command::new(cargo)
                .args(["build", "--release", "--bin", "specemu"])
                .env("CARGO_TARGET_DIR", &target)
                .current_dir(root()),
        );
        let bin = target.join("release/specemu");
        assert!(bin.is_file(), "{} was not built", bin.display());
        bin
    })
    .clone()
}

/// objdump mnemonics of the instructions in the x86 subset (with the suffixed forms objdump
/// prints in AT&T syntax).
pub fn x86_subset(m: &str) -> bool {
    const BASE: &[&str] = &[
        "mov", "movzx", "movsx", "movsxd", "lea", "add", "or", "adc", "sbb", "and", "sub", "xor", "cmp", "test", "inc",
        "dec", "neg", "not", "imul", "mul", "div", "idiv", "shl", "shr", "sar", "rol", "ror", "push", "pop", "call",
        "ret", "jmp", "leave", "syscall", "int", "hlt", "nop", "cltq", "cqto", "cltd", "cwtl", "cwtd", "cbtw", "cdqe",
        "cqo", "cdq", "cwde",
    ];
    const SUFFIX: &[char] = &['b', 'w', 'l', 'q'];
    if BASE.contains(&m) {
        return true;
    }
    // movzbl, movswq, movslq, ...
    if (m.starts_with("movz") || m.starts_with("movs")) && m.len() == 6 && m[4..].chars().all(|c| SUFFIX.contains(&c)) {
        return true;
    }
    if let Some(stem) = m.strip_suffix(SUFFIX) {
        if BASE.contains(&stem) && !matches!(stem, "movzx" | "movsx") {
            return true;
        }
    }
    const CC: &[&str] = &[
        "o", "no", "b", "ae", "e", "ne", "be", "a", "s", "ns", "p", "np", "l", "ge", "le", "g", "c", "nc", "z", "nz",
        "na", "nae", "nb", "nbe", "ng", "nge", "nl", "nle", "pe", "po",
    ];
    for p in ["j", "set", "cmov"] {
        if let Some(cc) = m.strip_prefix(p) {
            let cc = if p == "cmov" { cc.trim_end_matches(SUFFIX) } else { cc };
            if CC.contains(&cc) {
                return true;
            }
        }
    }
    false
}
