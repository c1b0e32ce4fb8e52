//! Test support shared by the optimizer-equivalence test (`runtime/tests/opt_equivalence.rs`)
//! and the fuzz targets (`fuzz/`): an interpreter environment for MIPS blocks with no real
//! memory. Loads answer a fixed function of the address, stores are recorded, addresses that
//! a predicate picks fault (so fault paths are compared too), and helpers return a hash of
//! their number and arguments. Two runs from the same state are therefore comparable.
//!
//! Also: `fetch_from` (a translator fetch over a byte slice), `block_from_input` (how every
//! fuzz input becomes a block), and `jit_vs_interp` (the JIT against the interpreter on one
//! such block, with real guest memory).
//!
//! Owns only test support; the emulator itself must not use it.

pub mod jit_vs_interp;

use super::frontend::MipsFrontend;
use super::mips::CpuState;
use crate::interp::{Env, MemFault};
use crate::ir::{Block, MemOp};
use crate::tb::translate::{translate, Limits};

/// A 64-bit mix (splitmix64's finalizer): the "memory contents" and helper results.
pub fn mix(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z ^ (z >> 27)
}

/// The fake environment: CPU state, the stores seen (address, value, size), and which
/// addresses fault.
pub struct FakeEnv {
    pub cpu: CpuState,
    pub stores: Vec<(u64, u64, u8)>,
    pub faults: fn(u64) -> bool,
}

impl FakeEnv {
    pub fn new(cpu: CpuState, faults: fn(u64) -> bool) -> Self {
        FakeEnv { cpu, stores: Vec::new(), faults }
    }
}

impl Env for FakeEnv {
    fn read_state(&self, off: u32) -> u64 {
        self.cpu.read_state(off as usize)
    }
    fn write_state(&mut self, off: u32, v: u64) {
        self.cpu.write_state(off as usize, v)
    }
    fn load(&mut self, addr: u64, m: MemOp) -> Result<u64, MemFault> {
        if (self.faults)(addr) {
            return Err(MemFault { addr, write: false, protection: false });
        }
        let bits = m.size as u32 * 8;
        Ok(mix(addr) & if bits == 64 { u64::MAX } else { (1 << bits) - 1 })
    }
    fn store(&mut self, addr: u64, v: u64, m: MemOp) -> Result<(), MemFault> {
        if (self.faults)(addr) {
            return Err(MemFault { addr, write: true, protection: false });
        }
        self.stores.push((addr, v, m.size));
        Ok(())
    }
    fn call_helper(&mut self, id: u32, args: &[u64]) -> Result<u64, (u32, u64)> {
        Ok(args.iter().fold(id as u64, |h, a| mix(h ^ a)))
    }
}

/// A translator fetch function over `code` placed at guest address `base`: the bytes there,
/// and nothing (0 bytes) before `base` or past the end, wherever the translator asks.
pub fn fetch_from(code: &[u8], base: u64) -> impl FnMut(u64, &mut [u8]) -> usize + '_ {
    move |a: u64, buf: &mut [u8]| {
        let Some(off) = a.checked_sub(base).and_then(|o| usize::try_from(o).ok()).filter(|&o| o <= code.len()) else {
            return 0;
        };
        let n = buf.len().min(code.len() - off);
        buf[..n].copy_from_slice(&code[off..off + n]);
        n
    }
}

/// Where fuzz inputs' code is placed.
pub const FUZZ_BASE: u64 = 0x40_0000;

/// The raw (unoptimized) block of a fuzz input: the first byte's low bit chooses the byte
/// order (1: big-endian), the rest is code at [`FUZZ_BASE`]; at most 64 instructions, up to
/// three side exits. `None` for inputs shorter than 5 bytes.
pub fn block_from_input(data: &[u8]) -> Option<Block> {
    if data.len() < 5 {
        return None;
    }
    let fe = MipsFrontend { big_endian: data[0] & 1 == 1 };
    let mut fetch = fetch_from(&data[1..], FUZZ_BASE);
    let limits = Limits { max_insns: 64, page_size: 1 << 20, side_exits: 3 };
    Some(translate(&fe, FUZZ_BASE, 0, &mut fetch, limits))
}
