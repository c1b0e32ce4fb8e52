//! The gdb remote stub (the `gdbstub` crate speaks the protocol): `specemu run -g PORT` (user
//! mode: the program waits for gdb before its first instruction) and `specemu system-mips -s`
//! / `-gdb tcp::PORT` (system mode: gdb attaches to the board's vCPU through
//! `VmControl::debugger`; the monitors keep working beside it).
//!
//! - `arch.rs`: 32-bit MIPS for gdbstub (registers as bytes in gdb's layout).
//! - `conn.rs`: the TCP connection, read on its own thread into the channel where the
//!   target's stops arrive too.
//! - `target.rs`: gdbstub's `Target` over `specemu_runtime::debug::DebugTarget`, and the
//!   event loop.
//!
//! One gdb at a time per listener (the next one is accepted when it leaves, as QEMU's). The
//! listener is on loopback (`tcp::PORT` means 127.0.0.1). gdb's `detach` (or a dropped
//! connection) removes breakpoints and watchpoints and lets the program run on; `kill` ends
//! the process with status 0, as QEMU's stub does.
//!
//! This module owns listening and sessions; it must not know a board or CPU internals.

pub mod arch;
pub mod conn;
pub mod target;

use crate::monitor::server::ExitGate;
use crate::monitor::Shared;
use anyhow::{anyhow, bail, Context as _};
use gdbstub::stub::{DisconnectReason, GdbStub};
use specemu_runtime::debug::link::{self, Local};
use specemu_runtime::debug::{DebugTarget, StopSink};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use target::{GdbTarget, RunningHook};

/// How long the end of a session waits for gdb to close the connection.
const LINGER: std::time::Duration = std::time::Duration::from_secs(2);

/// The port `-s` means.
pub const DEFAULT_PORT: u16 = 1234;

/// Where the stub listens: `-gdb tcp::PORT`, `-gdb tcp:HOST:PORT` (`,server=on,wait=off`
/// and the like are accepted and ignored: the stub is always a server that does not wait),
/// or `-gdb none`.
pub fn parse_dev(v: &str) -> anyhow::Result<Option<String>> {
    let main = v.split(',').next().unwrap_or("");
    if main == "none" {
        return Ok(None);
    }
    let Some(rest) = main.strip_prefix("tcp:") else {
        bail!("-gdb {v}: only tcp::PORT, tcp:HOST:PORT and none are supported");
    };
    let (host, port) = rest.rsplit_once(':').unwrap_or(("", rest));
    let port: u16 = port.parse().map_err(|_| anyhow!("-gdb {v}: bad port '{port}'"))?;
    let host = if host.is_empty() { "127.0.0.1" } else { host.trim_start_matches('[').trim_end_matches(']') };
    Ok(Some(if host.contains(':') { format!("[{host}]:{port}") } else { format!("{host}:{port}") }))
}

/// Listen at `addr` (host:port).
pub fn listen(addr: &str) -> anyhow::Result<TcpListener> {
    TcpListener::bind(addr).with_context(|| format!("gdb stub: cannot listen on {addr}"))
}

/// Speak gdb's protocol on `stream` to the target `make` returns (given where its stops go)
/// until gdb leaves or the program ends.
fn session(
    stream: TcpStream,
    make: impl FnOnce(StopSink) -> Result<Box<dyn DebugTarget>, String>,
    attached: bool,
    on_running: Option<RunningHook>,
) {
    let closer = stream.try_clone().ok();
    let (conn, tx) = match conn::open(stream) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("specemu: gdb stub: {e}");
            return;
        }
    };
    let sink: StopSink = Box::new(move |e| {
        let _ = tx.send(conn::Input::Stop(e));
    });
    let t = match make(sink) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("specemu: gdb stub: {e}");
            if let Some(c) = closer {
                let _ = c.shutdown(std::net::Shutdown::Both);
            }
            return;
        }
    };
    let mut target = GdbTarget::new(t, attached, on_running);
    let mut conn = conn;
    let result = loop {
        match GdbStub::new(conn.clone()).run_blocking::<target::EventLoop>(&mut target) {
            // A packet gdbstub could not parse (or an address wider than the target's): it
            // gives up on the session; refuse the packet and go on with a new instance,
            // unless the target runs (then gdb waits for a stop the new one cannot know of).
            Err(e) if !e.is_connection_error() && !e.is_target_error() && !target.is_running() => {
                conn.refuse_and_replay();
            }
            r => break r,
        }
    };
    // gdb has our last reply (an exit status, `OK` to a detach or kill) before the target
    // goes on or the process ends.
    conn.shutdown(LINGER);
    drop(closer);
    match result {
        Ok(DisconnectReason::Kill) => target.target().kill(),
        // Disconnect, or the program ended (detaching tells a user-mode guest that gdb has
        // seen its end).
        Ok(_) => target.target().detach(),
        Err(e) => {
            if !e.is_connection_error() {
                eprintln!("specemu: gdb stub: {e}");
            }
            target.target().detach();
        }
    }
}

/// User mode: wait for gdb on `listener`, then serve it from a thread of its own. The guest
/// thread passes the returned link end to the CPU loop.
pub fn start_user(listener: TcpListener, info: specemu_runtime::arch::GdbInfo) -> anyhow::Result<Local> {
    let (stream, _) = listener.accept().context("gdb stub: accept")?;
    drop(listener);
    let (local_tx, local_rx) = std::sync::mpsc::channel();
    std::thread::Builder::new()
        .name("gdb-stub".into())
        .spawn(move || {
            // Host signals are the guest thread's business (its mask is the guest's).
            specemu_runtime::user::signal::block_host_signals_in_this_thread();
            session(
                stream,
                |sink| {
                    let (local, remote) = link::pair(sink, specemu_runtime::jit::request_exit, info);
                    local_tx.send(local).map_err(|_| "the guest is gone".to_string())?;
                    Ok(Box::new(remote))
                },
                false,
                None,
            );
        })
        .context("gdb stub: cannot start its thread")?;
    local_rx.recv().map_err(|_| anyhow!("gdb stub: the session ended before it began"))
}

/// System mode: serve gdb sessions on `listener` (one at a time) against vCPU 0 of the
/// machine in `shared`. While a session's target runs, the process's exit waits (through
/// `gate`, as for QMP's SHUTDOWN) for gdb to be told that the guest ended.
pub fn serve_system(shared: Arc<Shared>, gate: Arc<ExitGate>, listener: TcpListener) {
    let _ = std::thread::Builder::new().name("gdb-listener".into()).spawn(move || {
        for (n, stream) in listener.incoming().enumerate() {
            let Ok(stream) = stream else { continue };
            // Ids of their own, apart from the QMP sessions'.
            let id = u64::MAX - n as u64;
            let g = gate.clone();
            let hook: RunningHook = Box::new(move |running| g.set(id, running.then_some(false)));
            let sh = shared.clone();
            session(stream, |sink| sh.vm().debugger(0, sink), true, Some(hook));
            gate.set(id, None);
        }
    });
}

#[cfg(test)]
mod tests;
