//! A loop of two guest blocks translated as one region behaves, run once, like its blocks
//! run one after the other along the loop until control leaves the loop's way or comes
//! back to its top: the same exit, CPU state and stores, faults included.

use specemu_runtime::interp::{BlockExit, Interp};
use specemu_runtime::ir::{Block, Exit, Op};
use specemu_runtime::targets::mips::testing::{fetch_from, mix, FakeEnv};
use specemu_runtime::targets::mips::{frontend::MipsFrontend, mips};
use specemu_runtime::tb::translate::{translate, translate_region, Limits};

/// At 0x1000 (little-endian): `lw t0,0(a0); beq t0,t1,0x1020; addiu a0,a0,4` then
/// `addu v0,v0,t0; sw v0,0(a1); bne a0,a2,0x1000; addiu v1,v1,1; nop; nop`. The loop goes
/// through the first block's not-taken way and the second block's taken way.
const CODE: [u32; 9] =
    [0x8c88_0000, 0x1109_0006, 0x2484_0004, 0x0048_1021, 0xaca2_0000, 0x1486_fffa, 0x2463_0001, 0, 0];
const BASE: u64 = 0x1000;

fn code() -> Vec<u8> {
    CODE.iter().flat_map(|w| w.to_le_bytes()).collect()
}

fn limits() -> Limits {
    Limits { max_insns: 64, page_size: 4096, side_exits: 8 }
}

fn region() -> Block {
    let fe = MipsFrontend { big_endian: false };
    let code = code();
    let hot = |start: u64| match start {
        0x1000 => Some(false),
        0x100c => Some(true),
        _ => None,
    };
    let mut fetch = fetch_from(&code, BASE);
    translate_region(&fe, BASE, 0, &mut fetch, limits(), &hot)
}

fn block_at(pc: u64) -> Block {
    let code = code();
    let lim = Limits { side_exits: 0, ..limits() };
    let mut fetch = fetch_from(&code, BASE);
    translate(&MipsFrontend { big_endian: false }, pc, 0, &mut fetch, lim)
}

#[test]
fn the_region_closes_the_loop_and_leaves_the_other_ways() {
    let r = region();
    let gotos: Vec<u64> = r
        .ops
        .iter()
        .filter_map(|op| match op {
            Op::Exit(Exit::GotoTb { pc, .. }) => Some(*pc),
            _ => None,
        })
        .collect();
    let dump = specemu_runtime::ir::dump_block(&r);
    // The first block's taken way, the second block's not-taken way, and back to the top.
    assert_eq!(gotos, vec![0x1020, 0x101c, 0x1000], "{dump}");
}

#[test]
fn a_region_run_once_is_its_blocks_run_along_the_loop() {
    let (r, b1, b2) = (region(), block_at(0x1000), block_at(0x100c));
    let mut seed = 0x5eed_u64;
    let mut exits = std::collections::HashSet::new();
    for round in 0..2000 {
        let mut rnd = || {
            seed = mix(seed);
            seed
        };
        let mut cpu = mips::CpuState::default();
        for r in 1..32 {
            cpu.gpr[r] = rnd() as u32;
        }
        let a0 = 0x8000 + (rnd() as u32 & 0xff) * 4 + if round % 7 == 0 { 2 } else { 0 };
        cpu.gpr[4] = a0;
        cpu.gpr[5] = 0x9000 + (rnd() as u32 & 0xff) * 4 + if round % 11 == 0 { 1 } else { 0 };
        // Leave the loop at the bottom now and then, or take the exit at the top.
        cpu.gpr[6] = if round % 3 == 0 { a0 + 4 } else { a0 + 64 };
        if round % 5 == 0 {
            cpu.gpr[9] = mix(a0 as u64) as u32;
        }
        cpu.pc = BASE as u32;
        let faults = |a: u64| a & 0xffff_f000 == 0xffff_f000;
        let mut e1 = FakeEnv::new(cpu.clone(), faults);
        let x1 = Interp::default().run(&r, &mut e1);
        let mut e2 = FakeEnv::new(cpu, faults);
        let mut x2 = Interp::default().run(&b1, &mut e2);
        if let BlockExit::Goto { pc: 0x100c, .. } = x2 {
            x2 = Interp::default().run(&b2, &mut e2);
        }
        let what = |x: &BlockExit| match x {
            BlockExit::Goto { pc, .. } => format!("goto {pc:#x}"),
            other => format!("{other:?}"),
        };
        assert_eq!(what(&x1), what(&x2), "round {round}: different exits");
        assert_eq!(e1.stores, e2.stores, "round {round}: different stores");
        assert_eq!(e1.cpu, e2.cpu, "round {round}: different state");
        exits.insert(what(&x1));
    }
    // Every way out was taken: both side exits, the loop's back edge and the faults.
    assert!(exits.len() >= 4, "ways out seen: {exits:?}");
}
