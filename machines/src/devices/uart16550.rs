//! The 8250/16550A UART as PC-compatible boards have it (QEMU's `serial` model): eight byte
//! registers (RBR/THR, IER, IIR/FCR, LCR, MCR, LSR, MSR, SCR; DLL/DLM under LCR.DLAB), the
//! receive FIFO, loopback, and the interrupt priority of the IIR (line status, received data,
//! transmitter empty, modem status). Transmitted bytes go straight to the output (the line
//! never stalls, so LSR.THRE is set again at once); received bytes come from an input queue
//! that the board fills (the host's stdin) and [`Uart16550::poll_input`] moves into the FIFO.
//!
//! Owns the register model and its interrupt line; must not know the board's address map or
//! the CPU (the line is a bit in a shared word of interrupt lines).

use specemu_runtime::softmmu::Device;
use std::collections::VecDeque;
use std::io::Write;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};

const IER_RDI: u8 = 0x01;
const IER_THRI: u8 = 0x02;
const IER_RLSI: u8 = 0x04;
const IER_MSI: u8 = 0x08;
const IIR_NO_INT: u8 = 0x01;
const IIR_FE: u8 = 0xc0;
const LSR_DR: u8 = 0x01;
const LSR_OE: u8 = 0x02;
const LSR_BI: u8 = 0x10;
const LSR_THRE: u8 = 0x20;
const LSR_TEMT: u8 = 0x40;
const LSR_INT_ANY: u8 = 0x1e;
const MCR_LOOP: u8 = 0x10;
const FCR_FE: u8 = 0x01;
const FCR_RFR: u8 = 0x02;
const FCR_XFR: u8 = 0x04;
const FIFO_SIZE: usize = 16;

/// Bytes waiting to be received (filled by the board's input thread).
pub type Input = Arc<Mutex<VecDeque<u8>>>;

/// One UART.
pub struct Uart16550 {
    rbr: u8,
    ier: u8,
    iir: u8,
    lcr: u8,
    mcr: u8,
    lsr: u8,
    msr: u8,
    scr: u8,
    fcr: u8,
    divider: u16,
    thr_ipending: bool,
    rx: VecDeque<u8>,
    itl: usize,
    out: Box<dyn Write + Send>,
    input: Input,
    irq: Arc<AtomicU32>,
    irq_bit: u32,
}

impl std::fmt::Debug for Uart16550 {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Uart16550").field("lsr", &self.lsr).field("ier", &self.ier).finish_non_exhaustive()
    }
}

impl Uart16550 {
    /// A UART writing to `out`, reading from `input`, raising bit `irq_bit` of `irq`.
    pub fn new(out: Box<dyn Write + Send>, input: Input, irq: Arc<AtomicU32>, irq_bit: u32) -> Self {
        let mut u = Uart16550 {
            rbr: 0,
            ier: 0,
            iir: IIR_NO_INT,
            lcr: 0,
            mcr: 0,
            lsr: 0,
            msr: 0,
            scr: 0,
            fcr: 0,
            divider: 0,
            thr_ipending: false,
            rx: VecDeque::new(),
            itl: 1,
            out,
            input,
            irq,
            irq_bit,
        };
        u.reset();
        u
    }

    /// Power-on state.
    pub fn reset(&mut self) {
        self.rbr = 0;
        self.ier = 0;
        self.iir = IIR_NO_INT;
        self.lcr = 0;
        self.lsr = LSR_TEMT | LSR_THRE;
        self.msr = 0xb0; // DCD, DSR, CTS
        self.mcr = 0x08; // OUT2
        self.scr = 0;
        self.fcr = 0;
        self.divider = 0x0c;
        self.thr_ipending = false;
        self.rx.clear();
        self.itl = 1;
        self.update_irq();
    }

    fn fifo_on(&self) -> bool {
        self.fcr & FCR_FE != 0
    }

    fn update_irq(&mut self) {
        let id = if self.ier & IER_RLSI != 0 && self.lsr & LSR_INT_ANY != 0 {
            0x06
        } else if self.ier & IER_RDI != 0 && self.lsr & LSR_DR != 0 && (!self.fifo_on() || self.rx.len() >= self.itl) {
            0x04
        } else if self.ier & IER_THRI != 0 && self.thr_ipending {
            0x02
        } else if self.ier & IER_MSI != 0 && self.msr & 0x0f != 0 {
            0x00
        } else {
            IIR_NO_INT
        };
        self.iir = id | (self.iir & 0xf0);
        if id != IIR_NO_INT {
            self.irq.fetch_or(self.irq_bit, Ordering::AcqRel);
        } else {
            self.irq.fetch_and(!self.irq_bit, Ordering::AcqRel);
        }
    }

    fn receive(&mut self, b: u8) {
        if self.fifo_on() {
            if self.rx.len() >= FIFO_SIZE {
                self.lsr |= LSR_OE;
            } else {
                self.rx.push_back(b);
            }
        } else {
            if self.lsr & LSR_DR != 0 {
                self.lsr |= LSR_OE;
            }
            self.rbr = b;
        }
        self.lsr |= LSR_DR;
        self.update_irq();
    }

    fn can_receive(&self) -> bool {
        if self.fifo_on() {
            self.rx.len() < FIFO_SIZE
        } else {
            self.lsr & LSR_DR == 0
        }
    }

    /// Move waiting input bytes into the receiver while it has room.
    pub fn poll_input(&mut self) {
        if self.mcr & MCR_LOOP != 0 {
            return;
        }
        while self.can_receive() {
            let b = match self.input.lock() {
                Ok(mut q) => q.pop_front(),
                Err(_) => None,
            };
            match b {
                Some(b) => self.receive(b),
                None => break,
            }
        }
    }

    fn transmit(&mut self, b: u8) {
        if self.mcr & MCR_LOOP != 0 {
            self.receive(b);
        } else {
            let _ = self.out.write_all(&[b]);
            let _ = self.out.flush();
        }
        self.lsr |= LSR_THRE | LSR_TEMT;
        self.thr_ipending = true;
        self.update_irq();
    }
}

impl Device for Uart16550 {
    fn read(&mut self, offset: u64, _size: u32) -> u64 {
        let dlab = self.lcr & 0x80 != 0;
        let v = match offset & 7 {
            0 if dlab => self.divider as u8,
            0 => {
                let b = if self.fifo_on() { self.rx.pop_front().unwrap_or(0) } else { self.rbr };
                if !self.fifo_on() || self.rx.is_empty() {
                    self.lsr &= !(LSR_DR | LSR_BI);
                }
                self.update_irq();
                self.poll_input();
                b
            }
            1 if dlab => (self.divider >> 8) as u8,
            1 => self.ier,
            2 => {
                let r = self.iir;
                if r & 0x0f == 0x02 {
                    self.thr_ipending = false;
                    self.update_irq();
                }
                r
            }
            3 => self.lcr,
            4 => self.mcr,
            5 => {
                let r = self.lsr;
                if self.lsr & (LSR_BI | LSR_OE) != 0 {
                    self.lsr &= !(LSR_BI | LSR_OE);
                    self.update_irq();
                }
                r
            }
            6 => {
                if self.mcr & MCR_LOOP != 0 {
                    // Loopback: the modem outputs drive the inputs.
                    (self.mcr & 0x0c) << 4 | (self.mcr & 0x02) << 3 | (self.mcr & 0x01) << 5
                } else {
                    let r = self.msr;
                    self.msr &= 0xf0;
                    r
                }
            }
            _ => self.scr,
        };
        v as u64
    }

    fn write(&mut self, offset: u64, _size: u32, value: u64) {
        let v = value as u8;
        let dlab = self.lcr & 0x80 != 0;
        match offset & 7 {
            0 if dlab => self.divider = (self.divider & 0xff00) | v as u16,
            0 => {
                self.thr_ipending = false;
                self.lsr &= !(LSR_THRE | LSR_TEMT);
                self.update_irq();
                self.transmit(v);
            }
            1 if dlab => self.divider = (self.divider & 0x00ff) | (v as u16) << 8,
            1 => {
                let changed = (self.ier ^ v) & 0x0f;
                self.ier = v & 0x0f;
                if changed & IER_THRI != 0 {
                    self.thr_ipending = self.ier & IER_THRI != 0 && self.lsr & LSR_THRE != 0;
                }
                if changed != 0 {
                    self.update_irq();
                }
            }
            2 => {
                let mut v = v;
                if (v ^ self.fcr) & FCR_FE != 0 {
                    v |= FCR_RFR | FCR_XFR;
                }
                if v & FCR_RFR != 0 {
                    self.lsr &= !(LSR_DR | LSR_BI);
                    self.rx.clear();
                }
                if v & FCR_XFR != 0 {
                    self.lsr |= LSR_THRE;
                    self.thr_ipending = true;
                }
                self.fcr = v & 0xc9;
                if self.fcr & FCR_FE != 0 {
                    self.iir |= IIR_FE;
                    self.itl = [1, 4, 8, 14][(v >> 6) as usize];
                } else {
                    self.iir &= !IIR_FE;
                }
                self.update_irq();
            }
            3 => self.lcr = v,
            4 => self.mcr = v & 0x1f,
            5 | 6 => {}
            _ => self.scr = v,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Sink(Arc<Mutex<Vec<u8>>>);
    impl Write for Sink {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(b);
            Ok(b.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    fn uart() -> (Uart16550, Arc<Mutex<Vec<u8>>>, Input, Arc<AtomicU32>) {
        let out = Arc::new(Mutex::new(Vec::new()));
        let input: Input = Arc::default();
        let irq = Arc::new(AtomicU32::new(0));
        let u = Uart16550::new(Box::new(Sink(out.clone())), input.clone(), irq.clone(), 1 << 4);
        (u, out, input, irq)
    }

    #[test]
    fn transmit_receive_and_interrupts() {
        let (mut u, out, input, irq) = uart();
        assert_eq!(u.read(5, 1), 0x60, "LSR: THRE | TEMT");
        assert_eq!(u.read(2, 1), 0x01, "IIR: no interrupt");
        u.write(0, 1, b'h' as u64);
        u.write(0, 1, b'i' as u64);
        assert_eq!(&*out.lock().unwrap(), b"hi");
        // THR-empty interrupt: pending once enabled, cleared by reading IIR.
        u.write(1, 1, IER_THRI as u64);
        assert_eq!(irq.load(Ordering::Relaxed), 1 << 4);
        assert_eq!(u.read(2, 1), 0x02);
        assert_eq!(irq.load(Ordering::Relaxed), 0);
        // Received data: DR, RDI interrupt, cleared by reading RBR.
        u.write(1, 1, IER_RDI as u64);
        input.lock().unwrap().extend(b"ab");
        u.poll_input();
        assert_eq!(u.read(5, 1) & 1, 1);
        assert_eq!(u.read(2, 1), 0x04);
        assert_eq!(u.read(0, 1), b'a' as u64);
        assert_eq!(u.read(0, 1), b'b' as u64, "the next byte arrives when the first is read");
        assert_eq!(u.read(5, 1) & 1, 0);
        assert_eq!(irq.load(Ordering::Relaxed), 0);
        // Divisor latch and scratch.
        u.write(3, 1, 0x83);
        u.write(0, 1, 0x01);
        u.write(1, 1, 0x02);
        assert_eq!((u.read(0, 1), u.read(1, 1)), (0x01, 0x02));
        u.write(3, 1, 0x03);
        u.write(7, 1, 0x5a);
        assert_eq!(u.read(7, 1), 0x5a);
        // FIFO mode: IIR shows it; loopback receives what is sent.
        u.write(2, 1, 0x07);
        assert_eq!(u.read(2, 1) & 0xc0, 0xc0);
        u.write(4, 1, MCR_LOOP as u64);
        u.write(0, 1, b'z' as u64);
        assert_eq!(u.read(0, 1), b'z' as u64);
        assert_eq!(&*out.lock().unwrap(), b"hi");
    }
}
