//! Fuzz target: arbitrary bytes as MIPS code (either byte order, chosen by the first byte)
//! go through decode → lower → translate → optimize → interpret, raw and optimized, from a
//! state derived from the input. Nothing may panic, and the optimized block must behave
//! exactly like the raw one (same exit, state and stores).

#![no_main]

use libfuzzer_sys::fuzz_target;
use specemu_runtime::interp::Interp;
use specemu_runtime::opt::optimize;
use specemu_runtime::targets::mips::mips;
use specemu_runtime::targets::mips::testing::{block_from_input, FakeEnv, FUZZ_BASE};

/// Addresses at 0xf000_0000 and above fault, so fault paths are compared too.
fn high(addr: u64) -> bool {
    addr >> 28 == 0xf
}

fuzz_target!(|data: &[u8]| {
    let Some(raw) = block_from_input(data) else { return };
    let base = FUZZ_BASE;
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
    let mut e1 = FakeEnv::new(cpu.clone(), high);
    let mut e2 = FakeEnv::new(cpu, high);
    let x1 = Interp::default().run(&raw, &mut e1);
    let x2 = Interp::default().run(&opt, &mut e2);
    assert_eq!(x1, x2);
    assert_eq!(e1.stores, e2.stores);
    assert_eq!(e1.cpu, e2.cpu);
});
