//! The gdbstub `Arch` for every guest architecture: registers travel as the bytes the CPU
//! side produced in gdb's layout for its architecture (`arch::GdbRegs`), in the guest's byte
//! order; addresses are 64-bit (a 32-bit guest's fit); register sizes are the CPU side's. The
//! target description only names the architecture (see `target.rs`), so gdb uses its
//! built-in register set for it, as it does with QEMU's stub.
//!
//! Owns the mapping between gdbstub's types and register bytes; it must not know CPU state
//! or an architecture.

use gdbstub::arch::{Arch, RegId, Registers};
use std::num::NonZeroUsize;

/// Any guest, for gdbstub.
pub enum GuestArch {}

/// gdb's `g`/`G` packet contents, in the guest's byte order.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct RawRegs {
    pub bytes: Vec<u8>,
    pub big_endian: bool,
    /// gdb's number of the PC and the size of each register in the packet.
    pub pc_reg: usize,
    pub reg_bytes: usize,
}

/// Longest `G` packet taken (the CPU side checks the layout).
const MAX_G_BYTES: usize = 64 << 10;

impl Registers for RawRegs {
    type ProgramCounter = u64;

    fn pc(&self) -> u64 {
        let n = self.reg_bytes;
        let Some(b) = self.bytes.get(self.pc_reg * n..self.pc_reg * n + n) else { return 0 };
        let mut v = 0u64;
        for i in 0..n.min(8) {
            let byte = if self.big_endian { b[i] } else { b[n - 1 - i] };
            v = (v << 8) | byte as u64;
        }
        v
    }

    fn gdb_serialize(&self, mut write_byte: impl FnMut(Option<u8>)) {
        for &b in &self.bytes {
            write_byte(Some(b));
        }
    }

    fn gdb_deserialize(&mut self, bytes: &[u8]) -> Result<(), ()> {
        if bytes.len() > MAX_G_BYTES {
            return Err(());
        }
        self.bytes = bytes.to_vec();
        Ok(())
    }
}

/// A register number of the architecture's gdb layout.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RegNum(pub usize);

impl RegId for RegNum {
    fn from_raw_id(id: usize) -> Option<(Self, Option<NonZeroUsize>)> {
        // Any number parses; those past the layout get an error reply (as QEMU's `E14`),
        // not gdbstub's empty "unsupported" one, which would make gdb stop using `p`. The
        // size is whatever the CPU side gives.
        (id < 0x10000).then_some((RegNum(id), None))
    }
}

/// The target description for gdb: only the architecture's name.
pub fn target_xml(arch_name: &str) -> String {
    format!(r#"<target version="1.0"><architecture>{arch_name}</architecture></target>"#)
}

impl Arch for GuestArch {
    type Usize = u64;
    type Registers = RawRegs;
    /// gdb's breakpoint kinds name the instruction size; any is fine for breakpoints that do
    /// not patch memory.
    type BreakpointKind = usize;
    type RegId = RegNum;

    /// Given per target instead (`TargetDescriptionXmlOverride`).
    fn target_description_xml() -> Option<&'static str> {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn register_numbers_and_packets_are_checked() {
        assert!(RegNum::from_raw_id(0).is_some());
        assert_eq!(RegNum::from_raw_id(89), Some((RegNum(89), None)));
        assert!(RegNum::from_raw_id(90).is_some(), "read, then refused by the CPU");
        assert!(RegNum::from_raw_id(0x10000).is_none());
        let mut r = RawRegs { pc_reg: 1, reg_bytes: 4, ..Default::default() };
        assert!(r.gdb_deserialize(&vec![0; MAX_G_BYTES + 1]).is_err());
        assert!(r.gdb_deserialize(&[1, 2, 3, 4, 0x10, 0x20, 0x30, 0x40]).is_ok());
        assert_eq!(r.pc(), 0x4030_2010, "little-endian register 1");
        r.big_endian = true;
        assert_eq!(r.pc(), 0x1020_3040, "big-endian register 1");
        r.bytes.truncate(6);
        assert_eq!(r.pc(), 0, "a short packet has no pc");
    }
}
