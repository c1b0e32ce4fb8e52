//! The gdb stub's connection: a TCP stream whose bytes a reader thread turns into [`Input`]s
//! on one channel, where the CPU's stops arrive too, so that waiting for "gdb sent something
//! or the target stopped" is one blocking receive. [`GdbConn`] is gdbstub's `Connection`
//! over it (reads take bytes from the channel, writes go to the socket).
//!
//! Owns the transport only; it must not interpret packets (gdbstub does) or know the target.

use gdbstub::conn::{Connection, ConnectionExt};
use specemu_runtime::debug::StopEvent;
use std::collections::VecDeque;
use std::io::{BufWriter, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::sync::mpsc::{channel, Receiver, Sender};

/// What the stub waits for.
#[derive(Debug)]
pub enum Input {
    Bytes(Vec<u8>),
    Stop(StopEvent),
    /// The client closed the connection (or it failed).
    Closed,
}

/// gdbstub's connection: bytes from the channel, replies to the socket.
pub struct GdbConn {
    rx: Receiver<Input>,
    /// Bytes received but not consumed yet.
    pending: VecDeque<u8>,
    /// Stops that arrived while gdbstub was reading a packet (handed to the event loop).
    stops: VecDeque<StopEvent>,
    closed: bool,
    out: BufWriter<TcpStream>,
    stream: TcpStream,
}

/// Start reading `stream` on its own thread. Returns the connection and the sender that
/// target stops go to.
pub fn open(stream: TcpStream) -> std::io::Result<(GdbConn, Sender<Input>)> {
    stream.set_nodelay(true)?;
    let (tx, rx) = channel();
    let mut reader = stream.try_clone()?;
    let rtx = tx.clone();
    std::thread::Builder::new().name("gdb-reader".into()).spawn(move || {
        specemu_runtime::user::signal::block_host_signals_in_this_thread();
        let mut buf = vec![0u8; 4096];
        loop {
            match Read::read(&mut reader, &mut buf) {
                Ok(0) | Err(_) => {
                    let _ = rtx.send(Input::Closed);
                    return;
                }
                Ok(n) => {
                    if rtx.send(Input::Bytes(buf[..n].to_vec())).is_err() {
                        return;
                    }
                }
            }
        }
    })?;
    let out = BufWriter::new(stream.try_clone()?);
    Ok((GdbConn { rx, pending: VecDeque::new(), stops: VecDeque::new(), closed: false, out, stream }, tx))
}

fn closed() -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::ConnectionAborted, "gdb closed the connection")
}

/// The next thing that happened while the target runs.
pub enum Event {
    Byte(u8),
    Stop(StopEvent),
}

impl GdbConn {
    /// Wait for the next byte from gdb or the next stop of the target.
    pub fn next_event(&mut self) -> std::io::Result<Event> {
        if let Some(s) = self.stops.pop_front() {
            return Ok(Event::Stop(s));
        }
        loop {
            if let Some(b) = self.pending.pop_front() {
                return Ok(Event::Byte(b));
            }
            if self.closed {
                return Err(closed());
            }
            match self.rx.recv() {
                Ok(Input::Bytes(b)) => self.pending.extend(b),
                Ok(Input::Stop(s)) => return Ok(Event::Stop(s)),
                Ok(Input::Closed) | Err(_) => self.closed = true,
            }
        }
    }

    /// Close the socket (the reader thread ends).
    pub fn shutdown(&mut self) {
        let _ = self.out.flush();
        let _ = self.stream.shutdown(Shutdown::Both);
    }

    /// Take one pending input without blocking (false when there is none).
    fn poll(&mut self) -> bool {
        match self.rx.try_recv() {
            Ok(Input::Bytes(b)) => self.pending.extend(b),
            Ok(Input::Stop(s)) => self.stops.push_back(s),
            Ok(Input::Closed) => self.closed = true,
            Err(_) => return false,
        }
        true
    }
}

impl Connection for GdbConn {
    type Error = std::io::Error;

    fn write(&mut self, byte: u8) -> Result<(), Self::Error> {
        self.out.write_all(&[byte])
    }

    fn write_all(&mut self, buf: &[u8]) -> Result<(), Self::Error> {
        self.out.write_all(buf)
    }

    fn flush(&mut self) -> Result<(), Self::Error> {
        self.out.flush()
    }
}

impl ConnectionExt for GdbConn {
    fn read(&mut self) -> Result<u8, Self::Error> {
        loop {
            if let Some(b) = self.pending.pop_front() {
                return Ok(b);
            }
            if self.closed {
                return Err(closed());
            }
            match self.rx.recv() {
                Ok(Input::Bytes(b)) => self.pending.extend(b),
                // A stop while the target is stopped for gdb: kept for the event loop, which
                // tells a current one from a stale one.
                Ok(Input::Stop(s)) => self.stops.push_back(s),
                Ok(Input::Closed) | Err(_) => self.closed = true,
            }
        }
    }

    fn peek(&mut self) -> Result<Option<u8>, Self::Error> {
        while self.pending.is_empty() && !self.closed && self.poll() {}
        Ok(self.pending.front().copied())
    }
}
