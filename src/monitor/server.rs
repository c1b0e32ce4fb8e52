//! Running the monitors: one listener per `-qmp`/`-monitor` socket (serving one client at a
//! time, the next after the current one disconnects, like QEMU's socket chardev), stdio
//! sessions, and event delivery. Each QMP session has its own event subscription; events are
//! written only after `qmp_capabilities`, before the response of the command that caused them
//! (as QEMU orders them), and asynchronous ones within a few milliseconds.
//!
//! The process exits when the machine reports SHUTDOWN: [`wait_for_shutdown`] returns once
//! every negotiated QMP session has written that event and the reply that went with it.
//!
//! This file owns sockets, threads and the exit hand-off; request handling is
//! `qmp_dispatch.rs` and `hmp/`.

use super::chardev::Chardev;
use super::json_stream::JsonStream;
use super::json_write::to_qemu_json;
use super::qmp_dispatch::{self, Session};
use super::qmp_events::event_json;
use super::{hmp, Shared};
use specemu_runtime::control::{TimedEvent, VmEvent};
use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{channel, Receiver, RecvTimeoutError};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Protocol {
    Qmp,
    Hmp,
}

/// One `-qmp` or `-monitor` option.
#[derive(Debug, Clone)]
pub struct MonitorSpec {
    pub protocol: Protocol,
    pub dev: Chardev,
}

/// The longest human-monitor line kept whole.
const MAX_HMP_LINE: usize = 1 << 20;

/// How often an idle session looks for asynchronous events.
const EVENT_POLL: Duration = Duration::from_millis(10);

/// A byte stream a session runs on.
pub struct Conn {
    reader: Box<dyn Read + Send>,
    writer: Box<dyn Write + Send>,
    /// Ends the reader thread when the session is over (sockets only).
    closer: Option<Box<dyn FnOnce() + Send>>,
    /// The human monitor echoes what it reads (as QEMU's line editor does), except on a
    /// terminal, which echoes by itself.
    echo: bool,
}

impl Conn {
    fn unix(s: UnixStream) -> std::io::Result<Conn> {
        let r = s.try_clone()?;
        let c = s.try_clone()?;
        Ok(Conn {
            reader: Box::new(r),
            writer: Box::new(s),
            closer: Some(Box::new(move || drop(c.shutdown(std::net::Shutdown::Both)))),
            echo: true,
        })
    }

    fn tcp(s: TcpStream) -> std::io::Result<Conn> {
        let r = s.try_clone()?;
        let c = s.try_clone()?;
        Ok(Conn {
            reader: Box::new(r),
            writer: Box::new(s),
            closer: Some(Box::new(move || drop(c.shutdown(std::net::Shutdown::Both)))),
            echo: true,
        })
    }

    fn stdio() -> Conn {
        use std::io::IsTerminal;
        Conn {
            reader: Box::new(std::io::stdin()),
            writer: Box::new(std::io::stdout()),
            closer: None,
            echo: !std::io::stdin().is_terminal(),
        }
    }
}

/// A bound listener, possibly with the first client already accepted (`wait=on`).
pub struct Bound {
    protocol: Protocol,
    listener: Listener,
    first: Option<Conn>,
}

enum Listener {
    Unix(UnixListener, PathBuf),
    Tcp(TcpListener),
    Stdio,
}

/// Open every monitor's endpoint; with `wait=on`, block until its first client connects (QEMU
/// does this before creating the machine). Errors name the option.
pub fn bind(specs: &[MonitorSpec]) -> Result<Vec<Bound>, String> {
    let stdio_users = specs.iter().filter(|s| s.dev == Chardev::Stdio).count();
    if stdio_users > 1 {
        return Err("cannot use stdio by multiple character devices".into());
    }
    let mut out = Vec::new();
    for spec in specs {
        let (listener, wait) = match &spec.dev {
            Chardev::None => continue,
            Chardev::Stdio => (Listener::Stdio, false),
            Chardev::Unix { path, wait } => {
                // QEMU replaces a stale socket file.
                if path.exists() {
                    let _ = std::fs::remove_file(path);
                }
                let l = UnixListener::bind(path)
                    .map_err(|e| format!("Failed to bind socket to {}: {e}", path.display()))?;
                (Listener::Unix(l, path.clone()), *wait)
            }
            Chardev::Tcp { host, port, wait } => {
                let l = TcpListener::bind((host.as_str(), *port))
                    .map_err(|e| format!("Failed to bind socket to {host}:{port}: {e}"))?;
                (Listener::Tcp(l), *wait)
            }
        };
        let mut b = Bound { protocol: spec.protocol, listener, first: None };
        if wait {
            eprintln!("specemu: waiting for connection on: {}", describe(&b.listener));
            b.first = Some(accept(&b.listener).map_err(|e| format!("accept: {e}"))?);
        }
        out.push(b);
    }
    Ok(out)
}

fn describe(l: &Listener) -> String {
    match l {
        Listener::Unix(_, p) => format!("disconnected:unix:{},server=on", p.display()),
        Listener::Tcp(t) => t.local_addr().map(|a| format!("disconnected:tcp:{a},server=on")).unwrap_or_default(),
        Listener::Stdio => "stdio".into(),
    }
}

fn accept(l: &Listener) -> std::io::Result<Conn> {
    match l {
        Listener::Unix(u, _) => Conn::unix(u.accept()?.0),
        Listener::Tcp(t) => Conn::tcp(t.accept()?.0),
        Listener::Stdio => Ok(Conn::stdio()),
    }
}

/// Which negotiated QMP sessions have delivered the SHUTDOWN event (see [`wait_for_shutdown`]).
#[derive(Default)]
pub struct ExitGate {
    sessions: Mutex<HashMap<u64, bool>>,
    changed: Condvar,
}

impl ExitGate {
    pub(crate) fn set(&self, id: u64, delivered: Option<bool>) {
        let mut s = self.sessions.lock().unwrap_or_else(|e| e.into_inner());
        match delivered {
            Some(d) => {
                s.insert(id, d);
            }
            None => {
                s.remove(&id);
            }
        }
        self.changed.notify_all();
    }
}

static NEXT_SESSION: AtomicU64 = AtomicU64::new(1);

/// Serve every bound monitor on its own threads; returns at once.
pub fn serve(shared: Arc<Shared>, gate: Arc<ExitGate>, bound: Vec<Bound>) {
    for b in bound {
        let shared = shared.clone();
        let gate = gate.clone();
        std::thread::spawn(move || {
            let Bound { protocol, listener, mut first } = b;
            loop {
                let conn = match first.take() {
                    Some(c) => c,
                    None => match accept(&listener) {
                        Ok(c) => c,
                        Err(_) => {
                            std::thread::sleep(Duration::from_millis(50));
                            continue;
                        }
                    },
                };
                match protocol {
                    Protocol::Qmp => qmp_session(&shared, &gate, conn),
                    Protocol::Hmp => hmp_session(&shared, conn),
                }
                if matches!(listener, Listener::Stdio) {
                    return;
                }
            }
        });
    }
}

/// Remove the unix socket files of `specs` (at exit).
pub fn cleanup(specs: &[MonitorSpec]) {
    for s in specs {
        if let Chardev::Unix { path, .. } = &s.dev {
            let _ = std::fs::remove_file(path);
        }
    }
}

/// Block until the machine reports SHUTDOWN, then until every negotiated QMP session has
/// delivered it (at most `grace`). `events` must have been subscribed before serving began.
pub fn wait_for_shutdown(events: Receiver<TimedEvent>, gate: &ExitGate, grace: Duration) {
    for e in events.iter() {
        if matches!(e.event, VmEvent::Shutdown { .. }) {
            break;
        }
    }
    let deadline = Instant::now() + grace;
    let mut s = gate.sessions.lock().unwrap_or_else(|e| e.into_inner());
    while s.values().any(|delivered| !delivered) {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            break;
        }
        s = gate.changed.wait_timeout(s, left).unwrap_or_else(|e| e.into_inner()).0;
    }
}

enum Input {
    Data(Vec<u8>),
    Closed,
}

/// Read the connection on its own thread so the session can also watch for events.
fn spawn_reader(mut reader: Box<dyn Read + Send>) -> Receiver<Input> {
    let (tx, rx) = channel();
    std::thread::spawn(move || {
        let mut buf = vec![0u8; 64 * 1024];
        loop {
            match reader.read(&mut buf) {
                Ok(0) | Err(_) => {
                    let _ = tx.send(Input::Closed);
                    return;
                }
                Ok(n) => {
                    if tx.send(Input::Data(buf[..n].to_vec())).is_err() {
                        return;
                    }
                }
            }
        }
    });
    rx
}

/// Write one QMP line; false when the client is gone.
fn send(w: &mut dyn Write, v: &serde_json::Value) -> bool {
    let mut line = to_qemu_json(v);
    line.push_str("\r\n");
    w.write_all(line.as_bytes()).and_then(|_| w.flush()).is_ok()
}

fn qmp_session(shared: &Shared, gate: &ExitGate, conn: Conn) {
    let Conn { reader, mut writer, closer, .. } = conn;
    let id = NEXT_SESSION.fetch_add(1, Ordering::Relaxed);
    let events = shared.vm().subscribe();
    let input = spawn_reader(reader);
    let mut session = Session::default();
    let mut stream = JsonStream::new();
    let mut alive = send(&mut *writer, &qmp_dispatch::greeting());
    // Write pending events (dropped before negotiation, as QEMU does); true if SHUTDOWN was
    // among them.
    let flush_events = |session: &Session, writer: &mut dyn Write, alive: &mut bool| -> bool {
        let mut shutdown = false;
        for e in events.try_iter() {
            if session.negotiated && *alive {
                *alive = send(writer, &event_json(&e));
                shutdown |= matches!(e.event, VmEvent::Shutdown { .. });
            }
        }
        shutdown
    };
    while alive {
        let chunk = match input.recv_timeout(EVENT_POLL) {
            Ok(Input::Data(d)) => d,
            Ok(Input::Closed) | Err(RecvTimeoutError::Disconnected) => break,
            Err(RecvTimeoutError::Timeout) => {
                if flush_events(&session, &mut *writer, &mut alive) {
                    gate.set(id, Some(true));
                }
                continue;
            }
        };
        for msg in stream.feed(&chunk) {
            let mut shutdown = flush_events(&session, &mut *writer, &mut alive);
            let was_negotiated = session.negotiated;
            let reply = qmp_dispatch::handle(&mut session, shared, msg);
            if session.negotiated && !was_negotiated {
                gate.set(id, Some(false));
            }
            shutdown |= flush_events(&session, &mut *writer, &mut alive);
            alive = alive && send(&mut *writer, &reply);
            if shutdown {
                gate.set(id, Some(true));
            }
            if !alive {
                break;
            }
        }
    }
    gate.set(id, None);
    if let Some(close) = closer {
        close();
    }
}

fn hmp_session(shared: &Shared, conn: Conn) {
    let Conn { reader, mut writer, closer, echo } = conn;
    let input = spawn_reader(reader);
    let banner = format!("specemu {} monitor - type 'help' for more information\r\n(qemu) ", env!("CARGO_PKG_VERSION"));
    let mut alive = writer.write_all(banner.as_bytes()).and_then(|_| writer.flush()).is_ok();
    let mut pending: Vec<u8> = Vec::new();
    while alive {
        match input.recv() {
            Ok(Input::Data(d)) => pending.extend_from_slice(&d),
            Ok(Input::Closed) | Err(_) => break,
        }
        loop {
            // A line ends at '\n'; an endless one is cut at MAX_HMP_LINE bytes.
            let end = match pending.iter().position(|&b| b == b'\n') {
                Some(nl) => nl + 1,
                None if pending.len() > MAX_HMP_LINE => pending.len(),
                None => break,
            };
            let raw: Vec<u8> = pending.drain(..end).collect();
            let line = String::from_utf8_lossy(&raw);
            let line = line.trim_end_matches(['\n', '\r']);
            let out = hmp::execute(shared, line, None);
            let echoed = if echo { format!("{line}\r\n") } else { String::new() };
            let prompt = if out.quit { "" } else { "(qemu) " };
            let text = format!("{echoed}{}{prompt}", out.text.replace('\n', "\r\n"));
            if writer.write_all(text.as_bytes()).and_then(|_| writer.flush()).is_err() {
                alive = false;
                break;
            }
        }
    }
    if let Some(close) = closer {
        close();
    }
}
