//! The gdbstub `Arch` for 32-bit MIPS, both byte orders: registers travel as the bytes the
//! CPU side produced in gdb's layout (`specemu_runtime::targets::mips::gdb`: 73 registers in
//! `g`, 90 reachable with `p`, each in the guest's byte order), and the target description
//! only names the architecture, so gdb uses its built-in MIPS register set, as it does with
//! QEMU's stub.
//!
//! Why not `gdbstub_arch::mips::Mips`: its registers always serialize little-endian (wrong
//! for big-endian MIPS), stop at register 71 (QEMU's stub and gdb's layout have 72, the old
//! frame pointer) and number 72 and up as DSP registers, which gdb's MIPS layout does not
//! have. Its little-endian order for registers 0-71 is ours (a test checks it).
//!
//! Owns the mapping between gdbstub's types and register bytes; it must not know CPU state.

use gdbstub::arch::{Arch, RegId, Registers};
use specemu_runtime::targets::mips::gdb::{NUM_REGS, PC};

use std::num::NonZeroUsize;

/// 32-bit MIPS for gdbstub.
pub enum Mips32 {}

/// gdb's `g`/`G` packet contents, in the guest's byte order.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct RawRegs {
    pub bytes: Vec<u8>,
    pub big_endian: bool,
}

impl Registers for RawRegs {
    type ProgramCounter = u32;

    fn pc(&self) -> u32 {
        let b: [u8; 4] = self.bytes.get(PC * 4..PC * 4 + 4).and_then(|s| s.try_into().ok()).unwrap_or([0; 4]);
        if self.big_endian {
            u32::from_be_bytes(b)
        } else {
            u32::from_le_bytes(b)
        }
    }

    fn gdb_serialize(&self, mut write_byte: impl FnMut(Option<u8>)) {
        for &b in &self.bytes {
            write_byte(Some(b));
        }
    }

    fn gdb_deserialize(&mut self, bytes: &[u8]) -> Result<(), ()> {
        if !bytes.len().is_multiple_of(4) || bytes.len() > NUM_REGS * 4 {
            return Err(());
        }
        self.bytes = bytes.to_vec();
        Ok(())
    }
}

/// A register number of gdb's MIPS layout.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RegNum(pub usize);

impl RegId for RegNum {
    fn from_raw_id(id: usize) -> Option<(Self, Option<NonZeroUsize>)> {
        // Any number parses; those past the layout get an error reply (as QEMU's `E14`),
        // not gdbstub's empty "unsupported" one, which would make gdb stop using `p`.
        (id < 0x10000).then(|| (RegNum(id), NonZeroUsize::new(4)))
    }
}

/// Only the architecture: gdb then uses its built-in MIPS registers (the target description
/// gdbstub_arch gives 32-bit MIPS as well).
pub const TARGET_XML: &str = r#"<target version="1.0"><architecture>mips</architecture></target>"#;

impl Arch for Mips32 {
    type Usize = u32;
    type Registers = RawRegs;
    /// gdb's breakpoint kinds for MIPS (4: MIPS32) name the instruction size; any is fine
    /// for breakpoints that do not patch memory.
    type BreakpointKind = usize;
    type RegId = RegNum;

    fn target_description_xml() -> Option<&'static str> {
        Some(TARGET_XML)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use specemu_runtime::targets::mips::gdb::Layout;
    use specemu_runtime::targets::mips::mips::CpuState;

    /// Our little-endian `g` packet has gdbstub_arch's register order for registers 0-71.
    #[test]
    fn little_endian_layout_agrees_with_gdbstub_arch() {
        let mut c = CpuState::default();
        for (i, g) in c.gpr.iter_mut().enumerate() {
            *g = 0x0101_0000 * (i as u32 + 1) + 3;
        }
        c.status = 0x2000_0010;
        c.lo = 0x10;
        c.hi = 0x20;
        c.badvaddr = 0x30;
        c.cause = 0x40;
        c.pc = 0x0040_0540;
        c.status |= 1 << 26; // FR=1: 32 independent 32-bit views
        for (i, f) in c.fpr.iter_mut().enumerate() {
            *f = 0x3f80_0000 + i as u64;
        }
        c.fcsr = 0x0100_0000;
        c.fir = 0x0073_9300;
        let ours = RawRegs { bytes: Layout { big_endian: false, fpu: true, prid: 0 }.g_packet(&c), big_endian: false };
        let mut theirs = gdbstub_arch::mips::reg::MipsCoreRegs::<u32> { r: c.gpr, ..Default::default() };
        theirs.cp0.status = c.status;
        theirs.lo = c.lo;
        theirs.hi = c.hi;
        theirs.cp0.badvaddr = c.badvaddr;
        theirs.cp0.cause = c.cause;
        theirs.pc = c.pc;
        for (i, f) in theirs.fpu.r.iter_mut().enumerate() {
            *f = 0x3f80_0000 + i as u32;
        }
        theirs.fpu.fcsr = c.fcsr;
        theirs.fpu.fir = c.fir;
        let mut a = Vec::new();
        ours.gdb_serialize(|b| a.push(b.unwrap()));
        let mut b = Vec::new();
        theirs.gdb_serialize(|x| b.push(x.unwrap()));
        assert_eq!(b.len(), 72 * 4);
        assert_eq!(&a[..72 * 4], &b[..], "registers 0-71");
        assert_eq!(&a[72 * 4..], &[0; 4], "72: the old frame pointer");
        assert_eq!(ours.pc(), 0x0040_0540);
        // Big-endian: the same registers byte-swapped (gdbstub_arch cannot say this).
        let be = Layout { big_endian: true, fpu: true, prid: 0 }.g_packet(&c);
        for (x, y) in be.chunks(4).zip(a.chunks(4)) {
            assert_eq!(x.iter().rev().collect::<Vec<_>>(), y.iter().collect::<Vec<_>>());
        }
        assert_eq!(RawRegs { bytes: be, big_endian: true }.pc(), 0x0040_0540);
    }

    #[test]
    fn register_numbers_and_packets_are_checked() {
        assert!(RegNum::from_raw_id(0).is_some());
        assert_eq!(RegNum::from_raw_id(89).map(|(r, s)| (r, s.map(|s| s.get()))), Some((RegNum(89), Some(4))));
        assert!(RegNum::from_raw_id(90).is_some(), "read, then refused by the CPU");
        let mut r = RawRegs::default();
        assert!(r.gdb_deserialize(&[0; 7]).is_err());
        assert!(r.gdb_deserialize(&[0; 91 * 4]).is_err());
        assert!(r.gdb_deserialize(&[1; 8]).is_ok());
        assert_eq!(r.bytes, vec![1; 8]);
        assert_eq!(r.pc(), 0, "a short packet has no pc");
    }
}
