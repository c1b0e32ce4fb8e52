//! The gdb stub's connection: a TCP stream whose bytes a reader thread turns into [`Input`]s
//! on one channel, where the CPU's stops arrive too, so that waiting for "gdb sent something
//! or the target stopped" is one blocking receive. [`GdbConn`] is gdbstub's `Connection`
//! over it (reads take bytes from the channel, writes go to the socket). It checks packet
//! framing first ([`Framer`]): a packet with a bad checksum, or longer than gdbstub's
//! buffer, is refused with `-` (gdb sends it again) instead of reaching gdbstub, which would
//! end the session.
//!
//! Owns the transport only; it must not interpret packets (gdbstub does) or know the target.

use gdbstub::conn::{Connection, ConnectionExt};
use specemu_runtime::debug::StopEvent;
use std::cell::RefCell;
use std::collections::VecDeque;
use std::io::{BufWriter, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::rc::Rc;
use std::sync::mpsc::{channel, Receiver, Sender};
use std::time::{Duration, Instant};

/// What the stub waits for.
#[derive(Debug)]
pub enum Input {
    Bytes(Vec<u8>),
    Stop(StopEvent),
    /// The client closed the connection (or it failed).
    Closed,
}

/// Longest packet body passed on (gdbstub's default buffer is 4096 bytes).
const MAX_PACKET: usize = 4000;

/// Checks `$body#xx` framing on the way in: good packets and the bytes between packets (acks,
/// Ctrl-C) pass; a packet with a bad checksum or an oversized body is dropped, and the
/// sender is asked to send it again.
#[derive(Debug, Default)]
pub struct Framer {
    packet: Vec<u8>,
    /// 0: between packets; 1: in a body; 2, 3: the checksum digits.
    state: u8,
}

impl Framer {
    /// Feed one byte: what to pass on, and whether to answer `-`.
    pub fn push(&mut self, b: u8, out: &mut VecDeque<u8>) -> bool {
        match self.state {
            0 if b == b'$' => {
                self.packet.clear();
                self.packet.push(b);
                self.state = 1;
            }
            // Between packets only acknowledgements and Ctrl-C mean something; gdbstub ends
            // the session on anything else (a `-` included: TCP does not garble replies).
            0 if b == b'+' || b == 0x03 => out.push_back(b),
            0 => {}
            1 => {
                self.packet.push(b);
                if b == b'#' {
                    self.state = 2;
                } else if self.packet.len() > MAX_PACKET {
                    // Too long: skip to its end, then refuse it.
                    self.state = 4;
                }
            }
            4 => {
                if b == b'#' {
                    self.packet.clear();
                    self.packet.push(b'!');
                    self.state = 2;
                }
            }
            2 => {
                self.packet.push(b);
                self.state = 3;
            }
            _ => {
                self.packet.push(b);
                self.state = 0;
                if self.packet[0] != b'$' {
                    return true;
                }
                let n = self.packet.len();
                let body = &self.packet[1..n - 3];
                let sum = body.iter().fold(0u8, |a, &c| a.wrapping_add(c));
                let given =
                    std::str::from_utf8(&self.packet[n - 2..]).ok().and_then(|h| u8::from_str_radix(h, 16).ok());
                if given == Some(sum) {
                    out.extend(self.packet.iter());
                } else {
                    return true;
                }
            }
        }
        false
    }
}

/// The connection's state, shared by the handles gdbstub gets (a session goes on with a
/// new gdbstub instance after one gave up on a packet it could not parse).
struct State {
    rx: Receiver<Input>,
    framer: Framer,
    /// Bytes received (and framed) but not consumed yet.
    pending: VecDeque<u8>,
    /// Stops that arrived while gdbstub was reading a packet (handed to the event loop).
    stops: VecDeque<StopEvent>,
    closed: bool,
    out: BufWriter<TcpStream>,
    stream: TcpStream,
    /// The negotiation packets gdb sent (`qSupported`, `QStartNoAckMode`), replayed to a new
    /// gdbstub instance with its replies muted.
    negotiation: Vec<u8>,
    /// Bytes of a replay still to be read; then the reply to its last packet is muted too.
    replay_left: usize,
    mute_next_reply: bool,
}

/// gdbstub's connection: bytes from the channel, replies to the socket. Clones share it.
#[derive(Clone)]
pub struct GdbConn(Rc<RefCell<State>>);

/// Start reading `stream` on its own thread. Returns the connection and the sender that
/// target stops go to.
pub fn open(stream: TcpStream) -> std::io::Result<(GdbConn, Sender<Input>)> {
    stream.set_nodelay(true)?;
    let (tx, rx) = channel();
    let mut reader = stream.try_clone()?;
    // A guest that execs another guest program keeps its debugger (user mode).
    {
        use std::os::fd::AsRawFd as _;
        specemu_runtime::user::run::exec::keep_across_exec(stream.as_raw_fd());
        specemu_runtime::user::run::exec::keep_across_exec(reader.as_raw_fd());
    }
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
    let st = State {
        rx,
        framer: Framer::default(),
        pending: VecDeque::new(),
        stops: VecDeque::new(),
        closed: false,
        out,
        stream,
        negotiation: Vec::new(),
        replay_left: 0,
        mute_next_reply: false,
    };
    Ok((GdbConn(Rc::new(RefCell::new(st))), tx))
}

fn closed() -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::ConnectionAborted, "gdb closed the connection")
}

/// The next thing that happened while the target runs.
pub enum Event {
    Byte(u8),
    Stop(StopEvent),
}

impl State {
    /// Frame received bytes into `pending`; refuse bad packets.
    fn take(&mut self, bytes: Vec<u8>) {
        for b in bytes {
            let before = self.pending.len();
            if self.framer.push(b, &mut self.pending) {
                let _ = self.out.write_all(b"-");
                let _ = self.out.flush();
            }
            // Remember the negotiation, for a replay.
            let new: Vec<u8> = self.pending.iter().skip(before).copied().collect();
            if new.starts_with(b"$qSupported") || new.starts_with(b"$QStartNoAckMode") {
                self.negotiation.extend(new);
            }
        }
    }

    /// Wait for more input; false when the connection is closed.
    fn wait(&mut self, keep_stops: bool) -> Option<StopEvent> {
        match self.rx.recv() {
            Ok(Input::Bytes(b)) => self.take(b),
            Ok(Input::Stop(s)) if keep_stops => self.stops.push_back(s),
            Ok(Input::Stop(s)) => return Some(s),
            Ok(Input::Closed) | Err(_) => self.closed = true,
        }
        None
    }

    fn pop(&mut self) -> Option<u8> {
        let b = self.pending.pop_front()?;
        if self.replay_left > 0 {
            self.replay_left -= 1;
            self.mute_next_reply = self.replay_left == 0;
        } else {
            self.mute_next_reply = false;
        }
        Some(b)
    }

    fn muted(&self) -> bool {
        self.replay_left > 0 || self.mute_next_reply
    }
}

impl GdbConn {
    /// Wait for the next byte from gdb or the next stop of the target.
    pub fn next_event(&mut self) -> std::io::Result<Event> {
        let mut st = self.0.borrow_mut();
        if let Some(s) = st.stops.pop_front() {
            return Ok(Event::Stop(s));
        }
        loop {
            if let Some(b) = st.pop() {
                return Ok(Event::Byte(b));
            }
            if st.closed {
                return Err(closed());
            }
            if let Some(s) = st.wait(false) {
                return Ok(Event::Stop(s));
            }
        }
    }

    /// gdbstub gave up on the packet it just read: answer it with an error (after the
    /// acknowledgement gdb may wait for; without acknowledgements gdb skips the `+`), and
    /// prepare the negotiation for a new gdbstub instance.
    pub fn refuse_and_replay(&mut self) {
        let mut st = self.0.borrow_mut();
        let _ = st.out.write_all(b"+$E16#ac");
        let _ = st.out.flush();
        st.mute_next_reply = false;
        let replay = st.negotiation.clone();
        st.replay_left = replay.len();
        for &b in replay.iter().rev() {
            st.pending.push_front(b);
        }
    }

    /// End the session gracefully: send what is buffered, close our direction, and give gdb
    /// up to `linger` to close its own (closing with its last bytes unread would reset the
    /// connection, and gdb could lose our last reply, the program's exit status say).
    pub fn shutdown(&mut self, linger: Duration) {
        let mut st = self.0.borrow_mut();
        let _ = st.out.flush();
        let _ = st.stream.shutdown(Shutdown::Write);
        let deadline = Instant::now() + linger;
        while !st.closed {
            match st.rx.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
                Ok(Input::Closed) | Err(_) => st.closed = true,
                Ok(_) => {}
            }
        }
        let _ = st.stream.shutdown(Shutdown::Both);
    }
}

impl Connection for GdbConn {
    type Error = std::io::Error;

    fn write(&mut self, byte: u8) -> Result<(), Self::Error> {
        self.write_all(&[byte])
    }

    fn write_all(&mut self, buf: &[u8]) -> Result<(), Self::Error> {
        let mut st = self.0.borrow_mut();
        if st.muted() {
            return Ok(());
        }
        st.out.write_all(buf)?;
        // gdbstub does not flush the acknowledgement of a resume (its reply comes later),
        // and gdb in acknowledgement mode sends the packet again if it waits too long.
        if buf == b"+" {
            st.out.flush()?;
        }
        Ok(())
    }

    fn flush(&mut self) -> Result<(), Self::Error> {
        self.0.borrow_mut().out.flush()
    }
}

impl ConnectionExt for GdbConn {
    fn read(&mut self) -> Result<u8, Self::Error> {
        let mut st = self.0.borrow_mut();
        loop {
            if let Some(b) = st.pop() {
                return Ok(b);
            }
            if st.closed {
                return Err(closed());
            }
            // A stop while the target is stopped for gdb: kept for the event loop, which
            // tells a current one from a stale one.
            st.wait(true);
        }
    }

    fn peek(&mut self) -> Result<Option<u8>, Self::Error> {
        let mut st = self.0.borrow_mut();
        while st.pending.is_empty() && !st.closed {
            match st.rx.try_recv() {
                Ok(Input::Bytes(b)) => st.take(b),
                Ok(Input::Stop(s)) => st.stops.push_back(s),
                Ok(Input::Closed) => st.closed = true,
                Err(_) => break,
            }
        }
        Ok(st.pending.front().copied())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn feed(f: &mut Framer, bytes: &[u8]) -> (Vec<u8>, usize) {
        let mut out = VecDeque::new();
        let nacks = bytes.iter().filter(|&&b| f.push(b, &mut out)).count();
        (out.into_iter().collect(), nacks)
    }

    #[test]
    fn good_packets_and_stray_bytes_pass_bad_ones_are_refused() {
        let mut f = Framer::default();
        assert_eq!(feed(&mut f, b"+$g#67\x03"), (b"+$g#67\x03".to_vec(), 0));
        assert_eq!(feed(&mut f, b"$g#00"), (vec![], 1), "bad checksum");
        assert_eq!(feed(&mut f, b"$g#zz"), (vec![], 1), "not hex");
        let long = vec![b'q'; MAX_PACKET + 10];
        let mut p = b"$".to_vec();
        p.extend(&long);
        p.extend(b"#00$?#3f");
        assert_eq!(feed(&mut f, &p), (b"$?#3f".to_vec(), 1), "oversized, then a good one");
        // Split across reads.
        assert_eq!(feed(&mut f, b"$m0,4"), (vec![], 0));
        assert_eq!(feed(&mut f, b"#fd"), (b"$m0,4#fd".to_vec(), 0));
    }
}
