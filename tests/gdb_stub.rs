//! Conformance tier: the gdb stub driven by Debian's `gdb-multiarch` in batch mode, in user
//! mode (`specemu run -g PORT`) and system mode (`specemu system-mips[el] -M mipssim -S -gdb
//! tcp::PORT`), both byte orders, the JIT and the interpreter. Guests: tests/guests/gdb/,
//! built here with -g -O0.
//!
//! Oracles, none stored: QEMU (`qemu-mips[el] -g`, `qemu-system-mips[el] -gdb`) running the
//! same gdb command sequence (the transcripts must be equal, where QEMU supports the
//! commands: QEMU's user mode has no watchpoints); the ELF file (entry point, symbol
//! addresses, initialized bytes, read with the `object` crate); `objdump -d -l` (which
//! instruction follows which, which store is on the source line that writes the watched
//! variable); the C source (line numbers, arguments, values).
//!
//! `#[ignore]`d in the hermetic `cargo test`; `.ci/run` runs it with `--ignored`. A missing
//! tool fails with the command that installs it.

use object::{Object, ObjectSection, ObjectSymbol};
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

mod common;
use common::{cached, root, Fingerprint};

fn need(cmd: &str) {
    common::need(cmd, INSTALL)
}

const INSTALL: &str = ".ci/install-tools.sh   (or: apt-get install gdb-multiarch gcc-mips-linux-gnu \
                       gcc-mipsel-linux-gnu libc6-dev-mips-cross libc6-dev-mipsel-cross qemu-user qemu-system-mips)";
/// Generous: the machine is shared and small.
const TIMEOUT: Duration = Duration::from_secs(300);

fn out_dir() -> PathBuf {
    root().join("target/conformance/gdb")
}

fn cc(be: bool) -> &'static str {
    if be {
        "mips-linux-gnu-gcc"
    } else {
        "mipsel-linux-gnu-gcc"
    }
}

fn tag(be: bool) -> &'static str {
    if be {
        "be"
    } else {
        "el"
    }
}

const USER_FLAGS: [&str; 3] = ["-g", "-O0", "-static"];
const BARE_FLAGS: [&str; 13] = [
    "-march=mips32r2",
    "-mabi=32",
    "-mno-abicalls",
    "-fno-pic",
    "-G0",
    "-O0",
    "-g",
    "-ffreestanding",
    "-nostdlib",
    "-static",
    "-fno-builtin",
    "-mno-gpopt",
    "-Wl,--build-id=none",
];

/// The guests, built once into the guest cache (reused by later runs until a source, a flag
/// or a toolchain changes; the sources are found through the debug info's absolute paths,
/// which stay valid: the cache is in this checkout's target directory). The tools are
/// checked every run.
fn built() -> &'static Path {
    static ONCE: OnceLock<PathBuf> = OnceLock::new();
    ONCE.get_or_init(|| {
        for c in [
            "gdb-multiarch",
            "mips-linux-gnu-gcc",
            "mipsel-linux-gnu-gcc",
            "mipsel-linux-gnu-objdump",
            "mips-linux-gnu-objdump",
            "qemu-mips",
            "qemu-mipsel",
            "qemu-system-mips",
            "qemu-system-mipsel",
        ] {
            need(c);
        }
        std::fs::create_dir_all(out_dir()).unwrap();
        let src = root().join("tests/guests/gdb");
        let sys = root().join("tests/guests/mips-system");
        let inputs = Fingerprint::new()
            .tool("mips-linux-gnu-gcc")
            .tool("mipsel-linux-gnu-gcc")
            .packages(&["libc6-dev-mips-cross", "libc6-dev-mipsel-cross"])
            .text(&format!("{USER_FLAGS:?} {BARE_FLAGS:?} -T link.ld start.S lib.c bare.c -lgcc"))
            .text(&root().display().to_string())
            .dir("tests/guests/gdb")
            .dir("tests/guests/mips-system");
        cached("gdb", inputs, |out| {
            for be in [false, true] {
                for prog in ["prog", "sig"] {
                    let st = Command::new(cc(be))
                        .args(USER_FLAGS)
                        .arg("-o")
                        .arg(out.join(format!("{prog}-{}", tag(be))))
                        .arg(src.join(format!("{prog}.c")))
                        .status()
                        .expect("run the cross compiler");
                    assert!(st.success(), "building {prog}.c failed; tools: {INSTALL}");
                }
                let st = Command::new(cc(be))
                    .args(BARE_FLAGS)
                    .arg("-I")
                    .arg(&sys)
                    .arg("-T")
                    .arg(sys.join("link.ld"))
                    .arg("-o")
                    .arg(out.join(format!("bare-{}.elf", tag(be))))
                    .arg(sys.join("start.S"))
                    .arg(sys.join("lib.c"))
                    .arg(src.join("bare.c"))
                    .arg("-lgcc")
                    .status()
                    .expect("run the cross compiler");
                assert!(st.success(), "building bare.c failed; tools: {INSTALL}");
            }
        })
    })
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// How to start an emulator with its stub on `port`.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Emu {
    /// specemu user mode, with the interpreter when true.
    User {
        interp: bool,
    },
    Qemu,
    /// specemu system mode.
    System {
        interp: bool,
    },
    QemuSystem,
}

fn emulator(emu: Emu, be: bool, elf: &Path, args: &[&str], port: u16, extra: &[String]) -> Command {
    let el = if be { "" } else { "el" };
    let mut c = match emu {
        Emu::User { interp } => {
            let mut c = Command::new(env!("CARGO_BIN_EXE_specemu"));
            c.arg("run");
            if interp {
                c.args(["-accel", "interp"]);
            }
            c.args(["-g", &port.to_string()]).arg(elf).args(args);
            c
        }
        Emu::Qemu => {
            let mut c = Command::new(format!("qemu-mips{el}"));
            c.args(["-g", &port.to_string()]).arg(elf).args(args);
            c
        }
        Emu::System { .. } | Emu::QemuSystem => {
            let mut c = if emu == Emu::QemuSystem {
                Command::new(format!("qemu-system-mips{el}"))
            } else {
                let mut c = Command::new(env!("CARGO_BIN_EXE_specemu"));
                c.arg(format!("system-mips{el}"));
                if emu == (Emu::System { interp: true }) {
                    c.args(["-accel", "interp"]);
                }
                c
            };
            c.args(["-M", "mipssim", "-display", "none", "-serial", "stdio", "-semihosting", "-S"])
                .arg("-kernel")
                .arg(elf)
                .args(["-gdb", &format!("tcp::{port}")]);
            c
        }
    };
    c.args(extra);
    c
}

/// What a debugging session produced.
struct Session {
    /// gdb's output (stdout and stderr).
    gdb: String,
    /// The emulator's standard output, and its exit status (None: killed by a signal).
    emu_out: String,
    emu_status: Option<i32>,
}

fn wait(child: &mut Child, what: &str) -> Option<i32> {
    let start = Instant::now();
    loop {
        if let Some(st) = child.try_wait().unwrap() {
            return st.code();
        }
        if start.elapsed() > TIMEOUT {
            let _ = child.kill();
            panic!("{what} did not finish within {TIMEOUT:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn spawn_emu(emu: Emu, be: bool, elf: &Path, args: &[&str], port: u16, extra: &[String], out: &Path) -> Child {
    let log = std::fs::File::create(out).unwrap();
    emulator(emu, be, elf, args, port, extra)
        .stdin(Stdio::null())
        .stdout(log.try_clone().unwrap())
        .stderr(log)
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {emu:?}: {e}"))
}

/// Run gdb's `cmds` against `emu` running `elf`: gdb connects (retrying until the stub
/// listens), runs the commands and quits; then the emulator must end by itself.
fn session(emu: Emu, be: bool, elf: &Path, args: &[&str], cmds: &[&str], extra: &[String]) -> Session {
    let port = free_port();
    let log = out_dir().join(format!("{}-{port}.log", elf.file_name().unwrap().to_string_lossy()));
    let mut child = spawn_emu(emu, be, elf, args, port, extra, &log);
    let mut gdb = Command::new("gdb-multiarch");
    gdb.args(["-batch", "-nx", "-ex", "set tcp connect-timeout 240", "-ex"])
        .arg(format!("file {}", elf.display()))
        .args(["-ex", &format!("target remote 127.0.0.1:{port}")]);
    for c in cmds {
        gdb.args(["-ex", c]);
    }
    let out = gdb.stdin(Stdio::null()).output().expect("run gdb-multiarch");
    let text = String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    let emu_status = wait(&mut child, &format!("{emu:?} after gdb quit (gdb said:\n{text})"));
    let emu_out = std::fs::read_to_string(&log).unwrap_or_default();
    Session { gdb: text, emu_out, emu_status }
}

/// Stack addresses differ between emulators (QEMU's user stack is elsewhere).
fn normalize(t: &str) -> String {
    let mut out = String::new();
    let mut rest = t;
    while let Some(i) = rest.find("argv=0x") {
        out.push_str(&rest[..i + 7]);
        rest = rest[i + 7..].trim_start_matches(|c: char| c.is_ascii_hexdigit());
        out.push_str("ADDR");
    }
    out.push_str(rest);
    out
}

// ------------------------------------------------------------------ oracles from the ELF

struct Elf {
    data: Vec<u8>,
}

impl Elf {
    fn read(p: &Path) -> Elf {
        Elf { data: std::fs::read(p).unwrap() }
    }
    fn file(&self) -> object::File<'_> {
        object::File::parse(&*self.data).unwrap()
    }
    fn entry(&self) -> u64 {
        self.file().entry()
    }
    fn symbol(&self, name: &str) -> u64 {
        self.file().symbols().find(|s| s.name() == Ok(name)).unwrap_or_else(|| panic!("no symbol {name}")).address()
    }
    /// `len` bytes at virtual address `addr`, from the file.
    fn bytes(&self, addr: u64, len: u64) -> Vec<u8> {
        let f = self.file();
        for s in f.sections() {
            if s.address() <= addr && addr + len <= s.address() + s.size() {
                let d = s.data().unwrap();
                return d[(addr - s.address()) as usize..(addr - s.address() + len) as usize].to_vec();
            }
        }
        panic!("no section holds {addr:#x}");
    }
}

/// `objdump -d -l` of `elf`: (address, instruction text, source line) per instruction.
fn disassembly(elf: &Path, be: bool) -> Vec<(u64, String, u32)> {
    let objdump = if be { "mips-linux-gnu-objdump" } else { "mipsel-linux-gnu-objdump" };
    let o = Command::new(objdump).args(["-d", "-l", "--no-show-raw-insn"]).arg(elf).output().unwrap();
    assert!(o.status.success());
    let mut line = 0;
    let mut out = Vec::new();
    for l in String::from_utf8_lossy(&o.stdout).lines() {
        if let Some((_, n)) = l.rsplit_once(".c:") {
            line = n.split_whitespace().next().and_then(|n| n.parse().ok()).unwrap_or(0);
            continue;
        }
        let Some((addr, insn)) = l.trim_start().split_once(":\t") else { continue };
        if let Ok(a) = u64::from_str_radix(addr, 16) {
            out.push((a, insn.trim().to_string(), line));
        }
    }
    out
}

/// The line of `src` that contains `text` (1-based).
fn line_of(src: &str, text: &str) -> u32 {
    let s = std::fs::read_to_string(root().join("tests/guests/gdb").join(src)).unwrap();
    s.lines().position(|l| l.contains(text)).unwrap_or_else(|| panic!("{text} not in {src}")) as u32 + 1
}

/// gdb's `x/4xw` line for `words` at `addr` (in the target's byte order).
fn xw_line(addr: u64, sym: &str, bytes: &[u8], be: bool) -> String {
    let words: Vec<String> = bytes
        .chunks(4)
        .map(|c| {
            let w: [u8; 4] = c.try_into().unwrap();
            format!("0x{:08x}", if be { u32::from_be_bytes(w) } else { u32::from_le_bytes(w) })
        })
        .collect();
    format!("{addr:#x} <{sym}>:\t{}", words.join("\t"))
}

fn value_after<'a>(t: &'a str, key: &str) -> &'a str {
    let i = t.find(key).unwrap_or_else(|| panic!("`{key}` not in:\n{t}"));
    t[i + key.len()..].lines().next().unwrap().trim()
}

// ------------------------------------------------------------------------ user mode

/// The same session under QEMU's user mode and specemu's (JIT and interpreter): every
/// command QEMU supports prints the same.
#[test]
#[ignore]
fn user_mode_transcripts_match_qemu_user() {
    let dir = built();
    let line = line_of("prog.c", "counter = x * 2;");
    let cmds = [
        "info registers pc",
        "x/4xw &table",
        "p dval",
        "p counter",
        "break add",
        "continue",
        "bt",
        "p $a0",
        "p $a1",
        "info registers a0 a1 ra",
        "stepi",
        "stepi",
        "x/i $pc",
        "next",
        "next",
        "step",
        "finish",
        "next",
        "step",
        &format!("hbreak {line}"),
        "delete 1",
        "continue",
        "p x",
        "set var x = 1234",
        "next",
        "p counter",
        "info registers v0",
        "continue",
    ];
    for be in [false, true] {
        let elf = dir.join(format!("prog-{}", tag(be)));
        let q = session(Emu::Qemu, be, &elf, &[], &cmds, &[]);
        assert!(q.gdb.contains("exited normally"), "QEMU's session:\n{}", q.gdb);
        for interp in [false, true] {
            let s = session(Emu::User { interp }, be, &elf, &[], &cmds, &[]);
            assert_eq!(normalize(&s.gdb), normalize(&q.gdb), "be={be} interp={interp}");
            assert_eq!(s.emu_status, Some(0));
            assert_eq!(s.emu_out, q.emu_out);
            assert!(s.emu_out.contains("x=1234 counter=2468"), "a memory write took effect: {}", s.emu_out);
        }
    }
}

/// Signals reach gdb before the guest, as under QEMU: SIGUSR1 (raised), then SIGSEGV
/// (a null store), which kills the program when passed on.
#[test]
#[ignore]
fn user_mode_signals_match_qemu_user() {
    let dir = built();
    let cmds = ["continue", "bt 1", "continue", "p $pc", "continue"];
    for be in [false, true] {
        let elf = dir.join(format!("sig-{}", tag(be)));
        let q = session(Emu::Qemu, be, &elf, &["x"], &cmds, &[]);
        assert!(q.gdb.contains("Program received signal SIGSEGV"), "{}", q.gdb);
        for interp in [false, true] {
            let s = session(Emu::User { interp }, be, &elf, &["x"], &cmds, &[]);
            assert_eq!(normalize(&s.gdb), normalize(&q.gdb), "be={be} interp={interp}");
            assert!(s.gdb.contains("Program terminated with signal SIGSEGV"));
            assert_eq!(s.emu_status, None, "killed by SIGSEGV");
        }
    }
}

/// What gdb shows, checked against the ELF, objdump and the source; watchpoints too.
#[test]
#[ignore]
fn user_mode_against_the_elf_and_objdump() {
    let dir = built();
    for (be, interp) in [(false, false), (false, true), (true, false), (true, true)] {
        let elf_path = dir.join(format!("prog-{}", tag(be)));
        check_debugging(Emu::User { interp }, be, &elf_path, "prog.c");
    }
}

/// The checks shared by user and system mode, on prog.c or bare.c.
fn check_debugging(emu: Emu, be: bool, elf_path: &Path, src: &str) {
    let what = format!("{emu:?} be={be}");
    let elf = Elf::read(elf_path);
    let dis = disassembly(elf_path, be);
    let add = elf.symbol("add");
    let table = elf.symbol("table");
    // The call of add in main (jal, or bal where the linker relaxed a jalr): a branch with
    // a delay slot.
    let main = elf.symbol("main");
    let call = dis
        .iter()
        .find(|(a, i, _)| *a >= main && i.ends_with("<add>") && (i.starts_with("jal\t") || i.starts_with("bal\t")))
        .map(|x| x.0)
        .expect("a call in main");
    let body_line = line_of(src, "s = a + b;");
    let store_line = line_of(src, "counter = s;");
    // The store on `counter = s;`.
    let store = dis
        .iter()
        .find(|(a, i, l)| *a >= add && *l == store_line && i.starts_with("sw\t"))
        .map(|x| x.0)
        .expect("the store to counter");
    let cmds = [
        "info registers pc".to_string(),
        "x/4xw &table".to_string(),
        format!("break *{call:#x}"),
        "continue".to_string(),
        "stepi".to_string(),
        "p/x $pc".to_string(),
        "delete".to_string(),
        "break add".to_string(),
        "continue".to_string(),
        "p $a0".to_string(),
        "p $a1".to_string(),
        "p/x $pc".to_string(),
        "stepi".to_string(),
        "p/x $pc".to_string(),
        "next".to_string(),
        "delete".to_string(),
        "watch counter".to_string(),
        "set debug infrun 1".to_string(),
        "continue".to_string(),
        "set debug infrun 0".to_string(),
        "p/x $pc".to_string(),
        "delete".to_string(),
        "continue".to_string(),
    ];
    let cmds: Vec<&str> = cmds.iter().map(String::as_str).collect();
    let s = session(emu, be, elf_path, &[], &cmds, &[]);
    let t = &s.gdb;
    // Connected before the first instruction: the pc is the ELF's entry.
    assert_eq!(value_after(t, "pc:"), format!("{:#x}", elf.entry()), "{what}\n{t}");
    // Memory: the table's initialized bytes.
    assert!(t.contains(&xw_line(table, "table", &elf.bytes(table, 16), be)), "{what}: x/4xw\n{t}");
    // stepi over the call: the jump and its delay slot, then the function's first
    // instruction (a jump through $t9 goes to add's global entry).
    let pcs: Vec<&str> = t.lines().filter_map(|l| l.strip_prefix("$")).filter(|l| l.contains("= 0x")).collect();
    assert!(pcs[0].ends_with(&format!("= {add:#x}")), "{what}: stepi at the call went to {}\n{t}", pcs[0]);
    // break add stops in add at the body's first line, with the arguments of add(3, 4).
    let hit = t.lines().find(|l| l.starts_with("Breakpoint 2, add (a=3, b=4) at ")).unwrap_or("");
    assert!(hit.ends_with(&format!("/{src}:{body_line}")), "{what}\n{t}");
    assert_eq!(value_after(t, "$2 = "), "3", "{what}: $a0");
    assert_eq!(value_after(t, "$3 = "), "4", "{what}: $a1");
    // stepi: the next instruction.
    let at = u64::from_str_radix(value_after(t, "$4 = 0x"), 16).unwrap();
    let next = dis.iter().position(|x| x.0 == at).map(|i| dis[i + 1].0).unwrap();
    assert_eq!(value_after(t, "$5 = "), format!("{next:#x}"), "{what}: stepi");
    // next: the following source line.
    assert!(t.contains(&format!("{store_line}\t")), "{what}: next\n{t}");
    // The watchpoint: the stub stops before the store objdump shows on `counter = s;` (gdb
    // then steps over it), with the values the C code gives.
    let stop_pc = value_after(t, "stop_pc=");
    assert_eq!(stop_pc, format!("{store:#x}"), "{what}: the watchpoint's stop");
    assert!(t.contains("stopped by watchpoint"), "{what}");
    assert!(t.contains("Old value = 5\nNew value = 7"), "{what}\n{t}");
    assert_eq!(value_after(t, "$6 = "), format!("{:#x}", store + 4), "{what}: after the store");
    assert!(t.contains("exited normally") || t.contains("exited with code 07"), "{what}\n{t}");
}

/// Talk to the stub directly: a minimal gdb.
struct Rsp {
    s: TcpStream,
}

impl Rsp {
    fn connect(port: u16) -> Rsp {
        let start = Instant::now();
        loop {
            match TcpStream::connect(("127.0.0.1", port)) {
                Ok(s) => {
                    s.set_read_timeout(Some(TIMEOUT)).unwrap();
                    return Rsp { s };
                }
                Err(_) if start.elapsed() < TIMEOUT => std::thread::sleep(Duration::from_millis(50)),
                Err(e) => panic!("cannot connect to the stub: {e}"),
            }
        }
    }
    fn byte(&mut self) -> u8 {
        let mut b = [0u8];
        self.s.read_exact(&mut b).expect("the stub answers");
        b[0]
    }
    fn send(&mut self, body: &str) {
        let sum = body.bytes().fold(0u8, |a, b| a.wrapping_add(b));
        self.s.write_all(format!("${body}#{sum:02x}").as_bytes()).unwrap();
    }
    /// The next packet (acknowledged); run-length encoding expanded.
    fn packet(&mut self) -> String {
        while self.byte() != b'$' {}
        let mut body = Vec::new();
        loop {
            match self.byte() {
                b'#' => break,
                c => body.push(c),
            }
        }
        self.byte();
        self.byte();
        self.s.write_all(b"+").unwrap();
        let mut out = Vec::new();
        let mut i = 0;
        while i < body.len() {
            if body[i] == b'*' && i + 1 < body.len() {
                let last = *out.last().unwrap();
                out.extend(std::iter::repeat_n(last, (body[i + 1] - 29) as usize));
                i += 2;
            } else {
                out.push(body[i]);
                i += 1;
            }
        }
        String::from_utf8_lossy(&out).into_owned()
    }
    fn ask(&mut self, body: &str) -> String {
        self.send(body);
        self.packet()
    }
    fn poke32(&mut self, addr: u64, v: u32, be: bool) {
        let b = if be { v.to_be_bytes() } else { v.to_le_bytes() };
        let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
        assert_eq!(self.ask(&format!("M{addr:x},4:{hex}")), "OK");
    }
}

/// Ctrl-C stops a running guest (SIGINT), memory writes take effect, and when gdb leaves
/// (detach, or a dropped connection) the guest runs on to its normal end; malformed
/// requests get error replies on the way.
fn interrupt_and_leave(emu: Emu, be: bool, elf_path: &Path, args: &[&str], spin_flag: Option<&str>, status: i32) {
    let elf = Elf::read(elf_path);
    for drop_connection in [false, true] {
        let what = format!("{emu:?} be={be} drop={drop_connection}");
        let port = free_port();
        let log = out_dir().join(format!("leave-{port}.log"));
        let mut child = spawn_emu(emu, be, elf_path, args, port, &[], &log);
        let mut c = Rsp::connect(port);
        c.s.write_all(b"+").unwrap();
        assert!(c.ask("qSupported:multiprocess+;swbreak+;hwbreak+").contains("PacketSize"));
        assert!(c.ask("?").starts_with('T'), "{what}");
        // Bad requests: errors, not a dead session.
        // Nothing there in either mode (user: unmapped; mipssim: no region at 0x1fb00000).
        assert!(c.ask("mbfb00000,4").starts_with('E'), "{what}: unmapped memory");
        assert!(c.ask("pzz").starts_with('E'), "{what}: malformed");
        // Stop in main, make the loop wait for us, run, interrupt.
        let main = elf.symbol("main");
        assert_eq!(c.ask(&format!("Z0,{main:x},4")), "OK");
        let stop = c.ask("vCont;c");
        assert!(stop.starts_with("T05"), "{what}: {stop}");
        assert_eq!(c.ask(&format!("z0,{main:x},4")), "OK");
        if let Some(flag) = spin_flag {
            c.poke32(elf.symbol(flag), 1, be);
        }
        c.send("vCont;c");
        // The ack, then give the guest time to reach its loop (any time works: the loop
        // spins until released).
        assert_eq!(c.byte(), b'+');
        std::thread::sleep(Duration::from_millis(200));
        c.s.write_all(&[3]).unwrap();
        let stop = c.packet();
        assert!(stop.starts_with("T02"), "{what}: Ctrl-C gives SIGINT: {stop}");
        c.poke32(elf.symbol("release"), 1, be);
        if drop_connection {
            drop(c);
        } else {
            assert_eq!(c.ask("D"), "OK");
        }
        let st = wait(&mut child, &what);
        let out = std::fs::read_to_string(&log).unwrap();
        assert_eq!(st, Some(status), "{what}: {out}");
        assert!(out.contains("x=40"), "{what}: {out}");
    }
}

#[test]
#[ignore]
fn user_mode_interrupt_memory_write_and_detach() {
    let dir = built();
    for (be, interp) in [(false, false), (false, true), (true, false)] {
        let elf = dir.join(format!("prog-{}", tag(be)));
        interrupt_and_leave(Emu::User { interp }, be, &elf, &["spin"], None, 0);
    }
}

// ---------------------------------------------------------------------- system mode

/// The same session under qemu-system-mips(el) and specemu's mipssim: every line equal,
/// watchpoints included.
#[test]
#[ignore]
fn system_mode_transcripts_match_qemu_system() {
    let dir = built();
    let line = line_of("bare.c", "puts_(\"x=\");");
    let cmds = [
        "info registers",
        "x/4xw &table",
        "p counter",
        "break add",
        "continue",
        "bt",
        "p $a0",
        "p $a1",
        "stepi",
        "stepi",
        "x/i $pc",
        "next",
        "next",
        "finish",
        "watch counter",
        "continue",
        "continue",
        "rwatch table[2]",
        "delete 1",
        "continue",
        "delete",
        &format!("hbreak {line}"),
        "continue",
        "p x",
        "set var x = 1234",
        "continue",
    ];
    for be in [false, true] {
        let elf = dir.join(format!("bare-{}.elf", tag(be)));
        let q = session(Emu::QemuSystem, be, &elf, &[], &cmds, &[]);
        assert!(q.gdb.contains("Old value = 7"), "QEMU's session:\n{}", q.gdb);
        for interp in [false, true] {
            let s = session(Emu::System { interp }, be, &elf, &[], &cmds, &[]);
            assert_eq!(s.gdb, q.gdb, "be={be} interp={interp}");
            assert_eq!(s.emu_out, q.emu_out, "serial output");
            assert!(s.emu_out.contains("x=1234"), "the register write took effect: {}", s.emu_out);
            assert_eq!(s.emu_status, q.emu_status);
        }
    }
}

#[test]
#[ignore]
fn system_mode_against_the_elf_and_objdump() {
    let dir = built();
    for (be, interp) in [(false, false), (false, true), (true, false), (true, true)] {
        let elf = dir.join(format!("bare-{}.elf", tag(be)));
        check_debugging(Emu::System { interp }, be, &elf, "bare.c");
    }
}

#[test]
#[ignore]
fn system_mode_interrupt_memory_write_and_detach() {
    let dir = built();
    for (be, interp) in [(false, false), (true, true)] {
        let elf = dir.join(format!("bare-{}.elf", tag(be)));
        interrupt_and_leave(Emu::System { interp }, be, &elf, &[], Some("wait_for_debugger"), 7);
    }
}

/// While gdb holds the machine at a breakpoint, QMP's query-status says `debug` (and HMP's
/// `info status` says so), under QEMU and under specemu alike.
#[test]
#[ignore]
fn system_mode_run_state_while_debugging() {
    let dir = built();
    let elf = dir.join("bare-el.elf");
    let mut results = Vec::new();
    for emu in [Emu::QemuSystem, Emu::System { interp: false }] {
        let qmp_port = free_port();
        let marker = out_dir().join(format!("at-breakpoint-{qmp_port}"));
        let release = out_dir().join(format!("release-{qmp_port}"));
        let _ = std::fs::remove_file(&marker);
        let _ = std::fs::remove_file(&release);
        let shell =
            format!("shell touch {}; while [ ! -e {} ]; do sleep 0.05; done", marker.display(), release.display());
        let extra = vec!["-qmp".to_string(), format!("tcp:127.0.0.1:{qmp_port},server=on,wait=off")];
        let elf2 = elf.clone();
        let cmds = ["break add".to_string(), "continue".to_string(), shell, "continue".to_string()];
        let t = std::thread::spawn(move || {
            let cmds: Vec<&str> = cmds.iter().map(String::as_str).collect();
            session(emu, false, &elf2, &[], &cmds, &extra)
        });
        let start = Instant::now();
        while !marker.exists() {
            assert!(start.elapsed() < TIMEOUT, "gdb never reached the breakpoint");
            std::thread::sleep(Duration::from_millis(50));
        }
        let mut q = Rsp::connect(qmp_port);
        let line = |q: &mut Rsp| {
            let mut v = Vec::new();
            loop {
                let b = q.byte();
                if b == b'\n' {
                    break;
                }
                v.push(b);
            }
            String::from_utf8(v).unwrap()
        };
        let greeting = line(&mut q);
        assert!(greeting.contains("QMP"), "{greeting}");
        q.s.write_all(b"{\"execute\": \"qmp_capabilities\"}\n").unwrap();
        let _ = line(&mut q);
        q.s.write_all(b"{\"execute\": \"query-status\"}\n").unwrap();
        let status = line(&mut q);
        q.s.write_all(
            b"{\"execute\": \"human-monitor-command\", \"arguments\": {\"command-line\": \"info status\"}}\n",
        )
        .unwrap();
        let hmp = line(&mut q);
        drop(q);
        std::fs::write(&release, b"").unwrap();
        let s = t.join().unwrap();
        assert!(status.contains("\"status\": \"debug\""), "{emu:?}: {status}");
        assert!(s.gdb.contains("Breakpoint 1, add"), "{}", s.gdb);
        results.push((status, hmp));
    }
    assert_eq!(results[0], results[1], "QEMU, then specemu");
}
