//! Fuzz target: arbitrary bytes as MIPS code (either byte order, chosen by the first byte)
//! go through decode → lower → translate → optimize → interpret, raw and optimized, from a
//! state derived from the input. Nothing may panic, and the optimized block must behave
//! exactly like the raw one (same exit, state and stores).

#![no_main]

use libfuzzer_sys::fuzz_target;
use specemu_runtime::interp::{Env, Interp, MemFault};
use specemu_runtime::ir::MemOp;
use specemu_runtime::opt::optimize;
use specemu_runtime::targets::mips::{frontend::MipsFrontend, mips};
use specemu_runtime::tb::translate::{translate, Limits};

struct FakeEnv {
    cpu: mips::CpuState,
    stores: Vec<(u64, u64, u8)>,
}

fn mix(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z ^ (z >> 27)
}

impl Env for FakeEnv {
    fn read_state(&self, off: u32) -> u64 {
        self.cpu.read_state(off as usize)
    }
    fn write_state(&mut self, off: u32, v: u64) {
        self.cpu.write_state(off as usize, v)
    }
    fn load(&mut self, addr: u64, m: MemOp) -> Result<u64, MemFault> {
        if addr >> 28 == 0xf {
            return Err(MemFault { addr, write: false, protection: false });
        }
        let bits = m.size as u32 * 8;
        Ok(mix(addr) & if bits == 64 { u64::MAX } else { (1 << bits) - 1 })
    }
    fn store(&mut self, addr: u64, v: u64, m: MemOp) -> Result<(), MemFault> {
        if addr >> 28 == 0xf {
            return Err(MemFault { addr, write: true, protection: false });
        }
        self.stores.push((addr, v, m.size));
        Ok(())
    }
    fn call_helper(&mut self, id: u32, args: &[u64]) -> Result<u64, (u32, u64)> {
        Ok(args.iter().fold(id as u64, |h, a| mix(h ^ a)))
    }
}

fuzz_target!(|data: &[u8]| {
    if data.len() < 5 {
        return;
    }
    let be = data[0] & 1 == 1;
    let code = &data[1..];
    let base = 0x40_0000u64;
    let fe = MipsFrontend { big_endian: be };
    let mut fetch = |a: u64, buf: &mut [u8]| {
        let off = (a - base) as usize;
        let n = buf.len().min(code.len().saturating_sub(off));
        buf[..n].copy_from_slice(&code[off..off + n]);
        n
    };
    let raw = translate(&fe, base, &mut fetch, Limits { max_insns: 64, page_size: 1 << 20, side_exits: 3 });
    let mut opt = raw.clone();
    optimize(&mut opt);
    let mut cpu = mips::CpuState::default();
    for (r, chunk) in data.chunks(4).enumerate().take(32) {
        let mut w = [0u8; 4];
        w[..chunk.len()].copy_from_slice(chunk);
        cpu.gpr[r] = u32::from_le_bytes(w);
    }
    cpu.gpr[0] = 0;
    cpu.pc = base as u32;
    let mut e1 = FakeEnv { cpu: cpu.clone(), stores: vec![] };
    let mut e2 = FakeEnv { cpu, stores: vec![] };
    let x1 = Interp::default().run(&raw, &mut e1);
    let x2 = Interp::default().run(&opt, &mut e2);
    assert_eq!(x1, x2);
    assert_eq!(e1.stores, e2.stores);
    assert_eq!(e1.cpu, e2.cpu);
});
