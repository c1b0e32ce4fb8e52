//! Packet-level tests of the stub: a real TCP session (gdbstub, our `Target`, connection and
//! event loop) against a fake CPU, driven by a minimal gdb client written here. Checks the
//! replies gdb relies on, error replies for bad requests, and that malformed input never
//! takes the stub down.

use super::session;
use specemu_runtime::debug::{
    CpuDebug, CpuJob, DebugCpu, DebugError, DebugTarget, Resume, StopEvent, StopReason, StopSink, WatchHit,
};
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// A CPU with a pc (register 37 of a 73-register layout of 4-byte registers, everything
/// else 0) and 64 bytes of memory at 0.
struct Cpu {
    pc: u32,
    mem: [u8; 64],
    dbg: CpuDebug,
}

impl DebugCpu for Cpu {
    fn big_endian(&self) -> bool {
        false
    }
    fn gdb_registers(&self) -> Vec<u8> {
        let mut v = vec![0u8; 73 * 4];
        v[37 * 4..38 * 4].copy_from_slice(&self.pc.to_le_bytes());
        v
    }
    fn set_gdb_registers(&mut self, b: &[u8]) -> Result<(), DebugError> {
        let pc = b.get(37 * 4..38 * 4).ok_or(DebugError::BadRegister)?;
        self.pc = u32::from_le_bytes(pc.try_into().unwrap());
        Ok(())
    }
    fn gdb_register(&self, n: usize) -> Result<Vec<u8>, DebugError> {
        match n {
            37 => Ok(self.pc.to_le_bytes().to_vec()),
            0..=89 => Ok(vec![0; 4]),
            _ => Err(DebugError::BadRegister),
        }
    }
    fn set_gdb_register(&mut self, n: usize, b: &[u8]) -> Result<(), DebugError> {
        match (n, <[u8; 4]>::try_from(b)) {
            (37, Ok(v)) => self.pc = u32::from_le_bytes(v),
            (0..=89, Ok(_)) => {}
            _ => return Err(DebugError::BadRegister),
        }
        Ok(())
    }
    fn read_memory(&mut self, addr: u64, buf: &mut [u8]) -> usize {
        let a = (addr as usize).min(64);
        let n = buf.len().min(64 - a);
        buf[..n].copy_from_slice(&self.mem[a..a + n]);
        n
    }
    fn write_memory(&mut self, addr: u64, data: &[u8]) -> Result<(), DebugError> {
        let a = addr as usize;
        if a + data.len() > 64 {
            return Err(DebugError::BadAddress(addr));
        }
        self.mem[a..a + data.len()].copy_from_slice(data);
        Ok(())
    }
    fn debug(&mut self) -> &mut CpuDebug {
        &mut self.dbg
    }
}

/// Runs to the first breakpoint (then the first watchpoint) on `continue`; without either it
/// runs until interrupted. A step adds 4 to the pc.
struct Fake {
    cpu: Cpu,
    sink: StopSink,
    run: u64,
    log: Arc<Mutex<Vec<String>>>,
}

impl DebugTarget for Fake {
    fn gdb_info(&self) -> specemu_runtime::arch::GdbInfo {
        specemu_runtime::arch::GdbInfo { arch_name: "toy", pc_reg: 37, reg_bytes: 4, num_regs: 90 }
    }
    fn with_cpu(&mut self, job: CpuJob) -> Result<(), DebugError> {
        job(&mut self.cpu);
        Ok(())
    }
    fn resume(&mut self, how: Resume, signal: Option<i32>) -> Result<u64, DebugError> {
        self.run += 1;
        self.log.lock().unwrap().push(format!("resume {how:?} {signal:?}"));
        let stop = match how {
            Resume::Step => {
                self.cpu.pc += 4;
                Some(StopReason::Step)
            }
            Resume::Continue => {
                let bp = (0..64u64).find(|&a| self.cpu.dbg.breakpoint_at(a).is_some());
                if let Some(a) = bp {
                    self.cpu.pc = a as u32;
                    Some(StopReason::Breakpoint { hw: self.cpu.dbg.breakpoint_at(a) == Some(true) })
                } else if self.cpu.dbg.watch.check(0, 64, true) {
                    Some(StopReason::Watch(self.cpu.dbg.watch.hit.take().unwrap()))
                } else {
                    None
                }
            }
        };
        if let Some(reason) = stop {
            (self.sink)(StopEvent { run: self.run, reason });
        }
        Ok(self.run)
    }
    fn interrupt(&mut self) {
        self.log.lock().unwrap().push("interrupt".into());
        // A stale stop of an earlier run first: it must be ignored.
        (self.sink)(StopEvent { run: self.run - 1, reason: StopReason::Step });
        (self.sink)(StopEvent { run: self.run, reason: StopReason::Interrupted });
    }
    fn detach(&mut self) {
        self.log.lock().unwrap().push("detach".into());
    }
    fn kill(&mut self) {
        self.log.lock().unwrap().push("kill".into());
    }
}

/// A minimal gdb: framing, checksums, acknowledgements.
struct Client {
    s: TcpStream,
}

fn checksum(body: &[u8]) -> u8 {
    body.iter().fold(0u8, |a, &b| a.wrapping_add(b))
}

impl Client {
    fn raw(&mut self, bytes: &[u8]) {
        self.s.write_all(bytes).unwrap();
    }

    fn byte(&mut self) -> u8 {
        let mut b = [0u8];
        self.s.read_exact(&mut b).expect("the stub answers");
        b[0]
    }

    /// The next packet from the stub (acknowledged).
    fn packet(&mut self) -> String {
        while self.byte() != b'$' {}
        let mut body = Vec::new();
        loop {
            match self.byte() {
                b'#' => break,
                c => body.push(c),
            }
        }
        let sum = [self.byte(), self.byte()];
        let sum = u8::from_str_radix(std::str::from_utf8(&sum).unwrap(), 16).unwrap();
        assert_eq!(sum, checksum(&body), "checksum of {:?}", String::from_utf8_lossy(&body));
        self.raw(b"+");
        // Run-length encoding: `X*N` is X and N - 29 more of it.
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
        String::from_utf8(out).unwrap()
    }

    fn send(&mut self, body: &str) {
        let p = format!("${body}#{:02x}", checksum(body.as_bytes()));
        self.raw(p.as_bytes());
        assert_eq!(self.byte(), b'+', "ack of {body}");
    }

    fn ask(&mut self, body: &str) -> String {
        self.send(body);
        self.packet()
    }
}

fn start() -> (Client, Arc<Mutex<Vec<String>>>, std::thread::JoinHandle<()>) {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = l.local_addr().unwrap();
    let log = Arc::new(Mutex::new(Vec::new()));
    let log2 = log.clone();
    let t = std::thread::spawn(move || {
        let (s, _) = l.accept().unwrap();
        let mut mem = [0u8; 64];
        for (i, b) in mem.iter_mut().enumerate() {
            *b = i as u8;
        }
        session(
            s,
            move |sink| {
                Ok(Box::new(Fake { cpu: Cpu { pc: 0x10, mem, dbg: CpuDebug::default() }, sink, run: 0, log: log2 }))
            },
            false,
            None,
        );
    });
    let s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
    (Client { s }, log, t)
}

#[test]
fn registers_memory_breakpoints_steps_and_kill() {
    let (mut c, log, t) = start();
    assert!(c.ask("qSupported:multiprocess+;swbreak+;hwbreak+").contains("swbreak+"));
    assert!(c.ask("?").starts_with('T'), "stopped when gdb connects");
    let g = c.ask("g");
    assert_eq!(g.len(), 73 * 8);
    assert_eq!(&g[37 * 8..38 * 8], "10000000", "pc, little endian");
    assert_eq!(c.ask("p25"), "10000000");
    assert!(c.ask("p5a").starts_with('E'), "register 90 does not exist");
    assert_eq!(c.ask("P25=20000000"), "OK");
    assert_eq!(c.ask("p25"), "20000000");
    assert_eq!(c.ask("m4,4"), "04050607");
    assert_eq!(c.ask("m3e,4"), "3e3f", "a read stops at the end of memory");
    assert_eq!(c.ask("m1000,4"), "E14", "unmapped memory: as QEMU's reply");
    assert_eq!(c.ask("M8,2:abcd"), "OK");
    assert_eq!(c.ask("m8,2"), "abcd");
    assert!(c.ask("M100,2:abcd").starts_with('E'));
    // A software breakpoint: continue stops there.
    assert_eq!(c.ask("Z0,30,4"), "OK");
    let stop = c.ask("c");
    assert!(stop.starts_with("T05") && stop.contains("swbreak:"), "{stop}");
    assert_eq!(c.ask("p25"), "30000000");
    assert_eq!(c.ask("z0,30,4"), "OK");
    // A hardware one.
    assert_eq!(c.ask("Z1,34,4"), "OK");
    assert!(c.ask("c").contains("hwbreak:"));
    assert_eq!(c.ask("z1,34,4"), "OK");
    // A write watchpoint: the stop names it and its address.
    assert_eq!(c.ask("Z2,c,4"), "OK");
    let stop = c.ask("c");
    assert!(stop.starts_with("T05") && stop.contains("watch:0c;"), "{stop}");
    assert_eq!(c.ask("z2,c,4"), "OK");
    assert!(c.ask("Z2,c,0").starts_with('E'), "an empty watchpoint is refused");
    // A step.
    assert_eq!(c.ask("s"), "S05");
    assert_eq!(c.ask("p25"), "38000000");
    // Continue with nothing to stop at, then Ctrl-C: SIGINT (the stale stop is ignored).
    c.send("c");
    c.raw(&[3]);
    let stop = c.packet();
    assert!(stop.starts_with("T02"), "{stop}");
    // Continue with a signal (gdb's numbering: 30 is SIGUSR1, Linux's 10).
    c.send("vCont;C1e");
    c.raw(&[3]);
    let stop = c.packet();
    assert!(stop.starts_with("T02"), "{stop}");
    assert_eq!(c.ask("vKill;1"), "OK");
    t.join().unwrap();
    let log = log.lock().unwrap().clone();
    assert!(log.contains(&"resume Continue Some(10)".to_string()), "{log:?}");
    assert_eq!(log.last().map(String::as_str), Some("kill"));
}

#[test]
fn malformed_input_gets_errors_and_the_session_survives() {
    let (mut c, log, t) = start();
    // A bad checksum is refused with '-'.
    c.raw(b"$g#00");
    assert_eq!(c.byte(), b'-');
    // Bad arguments: error replies, or empty ones (unsupported).
    for bad in [
        "m",
        "m,",
        "mzz,4",
        "m4",
        "m123456789,4",
        "M4,2:zz",
        "Z9,4,4",
        "p",
        "pzz",
        "P25=12",
        "G123",
        "qXfer:x",
        "vCont;q",
    ] {
        let r = c.ask(bad);
        assert!(r.is_empty() || r.starts_with('E'), "{bad}: {r}");
    }
    // Noise between packets, a very long packet, bytes that are not ASCII.
    c.raw(b"garbage\xff\xfe+++---");
    let long = "q".repeat(10_000);
    c.raw(format!("${long}#{:02x}", checksum(long.as_bytes())).as_bytes());
    assert_eq!(c.byte(), b'-', "an oversized packet is refused");
    // After all that the stub still answers.
    assert_eq!(c.ask("p25"), "10000000");
    assert_eq!(c.ask("D"), "OK");
    t.join().unwrap();
    assert_eq!(log.lock().unwrap().last().map(String::as_str), Some("detach"));
}

#[test]
fn a_vanishing_client_detaches() {
    let (mut c, log, t) = start();
    assert!(c.ask("?").starts_with('T'));
    c.send("c");
    drop(c);
    t.join().unwrap();
    assert_eq!(log.lock().unwrap().last().map(String::as_str), Some("detach"));
}

/// gdb's `watch:ADDR` is matched against the watched range; a hit inside it is reported.
#[test]
fn watch_hits_are_inside_the_range() {
    let mut d = CpuDebug::default();
    d.add_watchpoint(specemu_runtime::debug::Watchpoint {
        addr: 0x100,
        len: 4,
        kind: specemu_runtime::debug::WatchKind::Write,
    });
    assert!(d.watch.check(0xfc, 8, true));
    assert_eq!(d.watch.hit, Some(WatchHit { addr: 0x100, kind: specemu_runtime::debug::WatchKind::Write }));
}
