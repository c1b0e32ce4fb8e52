//! MIPS32's registers as gdb numbers them: gdb's built-in layout for 32-bit MIPS without a
//! target description, which QEMU's stub serves too. 0-31 the general registers, 32 sr
//! (Status), 33 lo, 34 hi, 35 bad (BadVAddr), 36 cause, 37 pc, 38-69 f0-f31 (the 32-bit view
//! of each FPR: with FR=0 an odd register is the high half of the even one), 70 fsr (FCSR),
//! 71 fir, 72 the frame pointer gdb no longer uses (0), 73-88 the embedded registers (0), 89
//! PRId. The `g` packet carries registers 0-72, each 4 bytes in the guest's byte order.
//! Without an FPU (24Kc) the FPU registers read 0.
//!
//! Writes follow QEMU: FIR, the zero and embedded registers ignore them, FCSR keeps its
//! read-only bits; Status and Cause are handed back to the caller ([`Cp0Write`]), which
//! applies CP0's write masks in system mode and ignores them in user mode.
//!
//! Owns the numbering only; it must not know the gdb protocol or how a CPU is stopped.

use super::fpu::{fpr_s, set_fpr_s};
use super::mips::CpuState;
use crate::debug::DebugError;

/// Registers in the `g` packet.
pub const G_REGS: usize = 73;
/// Registers `p` can read (0..NUM_REGS).
pub const NUM_REGS: usize = 90;

const SR: usize = 32;
const LO: usize = 33;
const HI: usize = 34;
const BAD: usize = 35;
const CAUSE: usize = 36;
pub const PC: usize = 37;
const F0: usize = 38;
const FSR: usize = 70;
const FIR: usize = 71;
const PRID: usize = 89;

/// FCSR bits gdb may change (those ctc1 may change).
const FCSR_WRITABLE: u32 = 0xff83_ffff;

/// A write the caller performs itself: Status or Cause, through CP0's masks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cp0Write {
    Status(u32),
    Cause(u32),
}

/// The layout for one CPU: its byte order, whether it has an FPU, its PRId.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Layout {
    pub big_endian: bool,
    pub fpu: bool,
    pub prid: u32,
}

impl Layout {
    /// Register `n`'s value (None: no such register).
    pub fn read(&self, cpu: &CpuState, n: usize) -> Option<u32> {
        Some(match n {
            0..=31 => cpu.gpr[n],
            SR => cpu.status,
            LO => cpu.lo,
            HI => cpu.hi,
            BAD => cpu.badvaddr,
            CAUSE => cpu.cause,
            PC => cpu.pc,
            F0..=69 if self.fpu => fpr_s(cpu, (n - F0) as u8),
            FSR if self.fpu => cpu.fcsr,
            FIR if self.fpu => cpu.fir,
            PRID => self.prid,
            F0..=88 => 0,
            _ => return None,
        })
    }

    /// Write register `n`. `Ok(Some(..))`: the caller writes Status or Cause itself.
    pub fn write(&self, cpu: &mut CpuState, n: usize, v: u32) -> Result<Option<Cp0Write>, DebugError> {
        match n {
            0 => {}
            1..=31 => cpu.gpr[n] = v,
            SR => return Ok(Some(Cp0Write::Status(v))),
            LO => cpu.lo = v,
            HI => cpu.hi = v,
            BAD => cpu.badvaddr = v,
            CAUSE => return Ok(Some(Cp0Write::Cause(v))),
            // No MIPS16/microMIPS: the ISA-mode bit is dropped.
            PC => cpu.pc = v & !1,
            F0..=69 if self.fpu => set_fpr_s(cpu, (n - F0) as u8, v),
            FSR if self.fpu => cpu.fcsr = (v & FCSR_WRITABLE) | (cpu.fcsr & !FCSR_WRITABLE),
            F0..=PRID => {}
            _ => return Err(DebugError::BadRegister),
        }
        Ok(None)
    }

    fn bytes(&self, v: u32) -> [u8; 4] {
        if self.big_endian {
            v.to_be_bytes()
        } else {
            v.to_le_bytes()
        }
    }

    fn value(&self, b: &[u8]) -> Option<u32> {
        let b: [u8; 4] = b.try_into().ok()?;
        Some(if self.big_endian { u32::from_be_bytes(b) } else { u32::from_le_bytes(b) })
    }

    /// The `g` packet's bytes.
    pub fn g_packet(&self, cpu: &CpuState) -> Vec<u8> {
        (0..G_REGS).flat_map(|n| self.bytes(self.read(cpu, n).unwrap_or(0))).collect()
    }

    /// Register `n`'s bytes (`p`).
    pub fn reg_bytes(&self, cpu: &CpuState, n: usize) -> Option<Vec<u8>> {
        self.read(cpu, n).map(|v| self.bytes(v).to_vec())
    }

    /// Apply a `G` packet (whole registers only; those it does not reach keep their values).
    /// Status and Cause go to `cp0`.
    pub fn set_g_packet(
        &self,
        cpu: &mut CpuState,
        bytes: &[u8],
        cp0: &mut dyn FnMut(&mut CpuState, Cp0Write),
    ) -> Result<(), DebugError> {
        if !bytes.len().is_multiple_of(4) || bytes.len() > NUM_REGS * 4 {
            return Err(DebugError::BadRegister);
        }
        for (n, chunk) in bytes.chunks_exact(4).enumerate() {
            let v = self.value(chunk).ok_or(DebugError::BadRegister)?;
            if let Some(w) = self.write(cpu, n, v)? {
                cp0(cpu, w);
            }
        }
        Ok(())
    }

    /// Apply a `P` packet.
    pub fn set_reg_bytes(
        &self,
        cpu: &mut CpuState,
        n: usize,
        bytes: &[u8],
        cp0: &mut dyn FnMut(&mut CpuState, Cp0Write),
    ) -> Result<(), DebugError> {
        let v = self.value(bytes).ok_or(DebugError::BadRegister)?;
        if let Some(w) = self.write(cpu, n, v)? {
            cp0(cpu, w);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cpu() -> CpuState {
        let mut c = CpuState::default();
        for (i, g) in c.gpr.iter_mut().enumerate() {
            *g = 0x1000_0000 + i as u32;
        }
        c.gpr[0] = 0;
        c.status = 0x2400_0010;
        c.lo = 0x1111;
        c.hi = 0x2222;
        c.badvaddr = 0x3333;
        c.cause = 0x4444;
        c.pc = 0x0040_0540;
        c.fpr[0] = 0x4004_0000_0000_0000; // 2.5 as a double: f0 = low half, f1 = high half
        c.fcsr = 0x0100_0003;
        c.fir = 0x0073_9300;
        c
    }

    #[test]
    fn the_g_packet_is_73_registers_in_guest_byte_order() {
        let c = cpu();
        let le = Layout { big_endian: false, fpu: true, prid: 0x19300 };
        let g = le.g_packet(&c);
        assert_eq!(g.len(), 73 * 4);
        assert_eq!(&g[4..8], &[1, 0, 0, 0x10], "r1, little endian");
        assert_eq!(&g[37 * 4..38 * 4], &0x0040_0540u32.to_le_bytes(), "pc");
        assert_eq!(&g[32 * 4..33 * 4], &0x2400_0010u32.to_le_bytes(), "sr");
        let be = Layout { big_endian: true, ..le };
        let g = be.g_packet(&c);
        assert_eq!(&g[37 * 4..38 * 4], &[0x00, 0x40, 0x05, 0x40], "pc, big endian");
        assert_eq!(&g[72 * 4..], &[0, 0, 0, 0], "the old frame pointer reads 0");
    }

    #[test]
    fn fpu_registers_use_the_32_bit_view_and_vanish_without_an_fpu() {
        let mut c = cpu();
        let l = Layout { big_endian: false, fpu: true, prid: 0 };
        // FR=0 (Status.FR clear): f1 is the high half of fpr[0].
        c.status &= !(1 << 26);
        assert_eq!(l.read(&c, 38), Some(0));
        assert_eq!(l.read(&c, 39), Some(0x4004_0000));
        assert_eq!(l.read(&c, 70), Some(0x0100_0003));
        assert_eq!(l.read(&c, 71), Some(0x0073_9300));
        let nofpu = Layout { fpu: false, ..l };
        assert_eq!(nofpu.read(&c, 39), Some(0));
        assert_eq!(nofpu.read(&c, 71), Some(0));
        assert_eq!(l.read(&c, 89), Some(0));
        assert_eq!(l.read(&c, 90), None);
    }

    #[test]
    fn writes_follow_qemu() {
        let mut c = cpu();
        let l = Layout { big_endian: true, fpu: true, prid: 0 };
        let mut seen = Vec::new();
        let mut cp0 = |_: &mut CpuState, w: Cp0Write| seen.push(w);
        l.set_reg_bytes(&mut c, 4, &[0, 0, 0, 42], &mut cp0).unwrap();
        assert_eq!(c.gpr[4], 42);
        l.set_reg_bytes(&mut c, 0, &[0, 0, 0, 42], &mut cp0).unwrap();
        assert_eq!(c.gpr[0], 0, "r0 stays zero");
        l.set_reg_bytes(&mut c, 37, &[0, 0x40, 0x10, 0x01], &mut cp0).unwrap();
        assert_eq!(c.pc, 0x0040_1000);
        l.set_reg_bytes(&mut c, 71, &[0, 0, 0, 0], &mut cp0).unwrap();
        assert_eq!(c.fir, 0x0073_9300, "FIR is read-only");
        l.set_reg_bytes(&mut c, 70, &[0xff, 0xff, 0xff, 0xff], &mut cp0).unwrap();
        assert_eq!(c.fcsr, 0xff83_ffff | (0x0100_0003 & !FCSR_WRITABLE));
        l.set_reg_bytes(&mut c, 32, &[0, 0, 0, 1], &mut cp0).unwrap();
        l.set_reg_bytes(&mut c, 36, &[0, 0, 1, 0], &mut cp0).unwrap();
        assert!(l.set_reg_bytes(&mut c, 90, &[0, 0, 0, 1], &mut cp0).is_err());
        assert!(l.set_reg_bytes(&mut c, 3, &[0, 0, 1], &mut cp0).is_err(), "short value");
        let mut c2 = cpu();
        let g = l.g_packet(&c);
        l.set_g_packet(&mut c2, &g, &mut cp0).unwrap();
        assert_eq!(c2.gpr, c.gpr);
        assert_eq!((c2.pc, c2.lo, c2.hi, c2.fcsr), (c.pc, c.lo, c.hi, c.fcsr));
        assert!(l.set_g_packet(&mut c2, &g[..7], &mut cp0).is_err());
        assert_eq!(seen[0], Cp0Write::Status(1));
        assert_eq!(seen[1], Cp0Write::Cause(0x100));
    }
}
