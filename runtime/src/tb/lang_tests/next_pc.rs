//! The next-PC model with an architectural next-PC register, SPARC-style (`tests/spec-errors/
//! pass/next-pc-register-and-delay-slots.isa`). Expected values follow the SPARC V8 manual's
//! delayed control transfer rules: after a delayed branch the instruction at npc (the delay
//! slot) runs, then the target; `ba,a` annuls its slot; a conditional branch with the annul
//! bit runs its slot only when taken; a branch in a delay slot (a DCTI couple) runs one
//! instruction at the first branch's target, then goes to the second's.

super::test_core!("lang_next_pc.rs", npcdemo);

use super::{Machine, Translated};
use crate::interp::BlockExit;

const fn ba(annul: bool, words: i32) -> u32 {
    1 << 24 | (annul as u32) << 23 | (words as u32 & 0xffff)
}
const fn bne(annul: bool, words: i32) -> u32 {
    2 << 24 | (annul as u32) << 23 | (words as u32 & 0xffff)
}
const fn addi(rd: u32, imm: u32) -> u32 {
    3 << 24 | rd << 16 | imm
}
const STOP: u32 = 4 << 24;
const Z: u8 = 1 << 2;

fn run_words(cpu: CpuState, words: &[u32]) -> (CpuState, BlockExit, Vec<Translated>) {
    let code: Vec<u8> = words.iter().flat_map(|w| w.to_le_bytes()).collect();
    let mut m = Machine::new(CpuState { pc: 0x100, npc: 0x104, ..cpu });
    let (exit, blocks) = run_code(&mut m, &code);
    (m.cpu, exit, blocks)
}

/// 0x100: the branch to 0x10c; 0x104: addi g1 (its delay slot); 0x108: addi g2;
/// 0x10c: addi g3; 0x110: stop.
fn around(branch: u32, icc: u8) -> (u32, u32, u32) {
    let (cpu, exit, _) =
        run_words(CpuState { icc, ..Default::default() }, &[branch, addi(1, 1), addi(2, 1), addi(3, 1), STOP]);
    assert!(matches!(exit, BlockExit::Raise { code: 2, pc: 0x110, .. }), "{exit:?}");
    (cpu.g[1], cpu.g[2], cpu.g[3])
}

#[test]
fn a_delayed_branch_runs_its_slot_and_ba_a_annuls_it() {
    assert_eq!(around(ba(false, 3), 0), (1, 0, 1), "ba: the slot runs");
    assert_eq!(around(ba(true, 3), 0), (0, 0, 1), "ba,a: the slot is annulled");
}

#[test]
fn bne_a_runs_its_slot_only_when_taken() {
    assert_eq!(around(bne(true, 3), 0), (1, 0, 1), "taken: the slot runs");
    assert_eq!(around(bne(true, 3), Z), (0, 1, 1), "not taken: the slot is annulled, 0x108 runs");
    assert_eq!(around(bne(false, 3), Z), (1, 1, 1), "not taken, no annul: the slot runs");
}

#[test]
fn a_branch_in_a_delay_slot_runs_one_instruction_at_the_first_target_then_goes_to_the_second() {
    // 0x100: ba 0x110; 0x104: ba 0x11c (in the slot); 0x110: addi g1; 0x114: addi g2;
    // 0x118: stop; 0x11c: addi g3; 0x120: stop.
    let words = [ba(false, 4), ba(false, 6), STOP, STOP, addi(1, 1), addi(2, 1), STOP, addi(3, 1), STOP];
    let (cpu, exit, blocks) = run_words(CpuState::default(), &words);
    assert!(matches!(exit, BlockExit::Raise { code: 2, pc: 0x120, .. }), "{exit:?}");
    assert_eq!((cpu.g[1], cpu.g[2], cpu.g[3]), (1, 0, 1));
    // The first branch's block ends before its slot (which jumps) with pc 0x104, npc 0x110;
    // the slot and the instruction at 0x110 run as blocks of one instruction each, their
    // key's next-PC bit set (npc is not pc + 4); 0x11c is an ordinary block again.
    assert_eq!(
        blocks,
        vec![
            Translated { pc: 0x100, ctx: 0, len: 4 },
            Translated { pc: 0x104, ctx: 1, len: 4 },
            Translated { pc: 0x110, ctx: 1, len: 4 },
            Translated { pc: 0x11c, ctx: 0, len: 8 },
        ]
    );
}

#[test]
fn every_exit_leaves_the_next_pc_after_the_pc() {
    // ba 0x10c with its slot; at 0x10c the block that raises: npc was written as pc + 4 when
    // the branch's block left for 0x10c.
    let (cpu, _, blocks) = run_words(CpuState::default(), &[ba(false, 3), addi(1, 1), STOP, STOP]);
    assert_eq!(blocks.iter().map(|b| b.ctx).collect::<Vec<_>>(), vec![0, 0]);
    assert_eq!(cpu.npc, 0x110);
}
