//! An Xtensa-style zero-overhead loop in the spec (`tests/spec-errors/pass/
//! zero-overhead-loop.isa`): LEND is persistent context, so the instruction that ends the
//! loop is known when translated and only its epilogue emits code; the epilogue goes back
//! to LBEG while LCOUNT is not 0 and PS.EXCM is 0, and not after a taken branch. Expected
//! values follow the Xtensa ISA's LOOP: LCOUNT = AR[s] - 1, so the body runs AR[s] times.

super::test_core!("lang_loop.rs", zoldemo);

use super::{Machine, Translated};
use crate::interp::BlockExit;

const fn loop_(s: u32, len: u32) -> u32 {
    1 << 24 | s << 20 | len
}
const fn addi(t: u32, s: u32, imm: u32) -> u32 {
    2 << 24 | s << 20 | t << 16 | imm
}
const fn beqz(s: u32, off: u32) -> u32 {
    3 << 24 | s << 20 | off
}
const STOP: u32 = 4 << 24;

fn run_words(cpu: CpuState, words: &[u32]) -> (CpuState, BlockExit, Vec<Translated>) {
    let code: Vec<u8> = words.iter().flat_map(|w| w.to_le_bytes()).collect();
    let mut m = Machine::new(cpu);
    let (exit, blocks) = run_code(&mut m, &code);
    (m.cpu, exit, blocks)
}

/// `loop a2, 0x10c; addi a3, a3, 1; addi a4, a4, 2; stop` with a2 = `n`.
fn counted(n: u32, excm: bool) -> (CpuState, BlockExit, Vec<Translated>) {
    let mut cpu = CpuState { pc: 0x100, ps: if excm { 1 << 4 } else { 0 }, ..Default::default() };
    cpu.a[2] = n;
    run_words(cpu, &[loop_(2, 8), addi(3, 3, 1), addi(4, 4, 2), STOP])
}

#[test]
fn the_body_runs_as_many_times_as_the_count_register_says() {
    let (cpu, exit, blocks) = counted(3, false);
    assert!(matches!(exit, BlockExit::Raise { code: 2, pc: 0x10c, .. }), "{exit:?}");
    assert_eq!((cpu.a[3], cpu.a[4], cpu.lcount), (3, 6, 0));
    assert_eq!((cpu.lbeg, cpu.lend), (0x104, 0x10c));
    // `loop` wrote LEND: its block ends there. The body's block is keyed by LEND = 0x10c;
    // the same block runs again for each iteration.
    assert_eq!(blocks[0], Translated { pc: 0x100, ctx: 0, len: 4 });
    assert!(blocks[1..].iter().all(|b| b.ctx == 0x10c), "{blocks:x?}");
    assert_eq!(blocks[1], Translated { pc: 0x104, ctx: 0x10c, len: 8 });
}

#[test]
fn a_count_of_one_runs_the_body_once() {
    let (cpu, _, _) = counted(1, false);
    assert_eq!((cpu.a[3], cpu.a[4], cpu.lcount), (1, 2, 0));
}

#[test]
fn no_loop_back_while_an_exception_is_handled() {
    let (cpu, _, _) = counted(3, true);
    assert_eq!((cpu.a[3], cpu.a[4], cpu.lcount), (1, 2, 2), "PS.EXCM = 1: the loop end does nothing");
}

#[test]
fn a_taken_branch_at_the_loop_end_leaves_the_loop() {
    // loop a2, 0x10c; addi a3, a3, 1; beqz a5, 0x110; stop; stop
    let words = [loop_(2, 8), addi(3, 3, 1), beqz(5, 8), STOP, STOP];
    let mut cpu = CpuState { pc: 0x100, ..Default::default() };
    cpu.a[2] = 3;
    let (out, exit, _) = run_words(cpu.clone(), &words);
    assert!(matches!(exit, BlockExit::Raise { pc: 0x110, .. }), "branch taken to 0x110: {exit:?}");
    assert_eq!((out.a[3], out.lcount), (1, 2));
    // Not taken (a5 != 0): the loop goes on as usual.
    cpu.a[5] = 1;
    let (out, exit, _) = run_words(cpu, &words);
    assert!(matches!(exit, BlockExit::Raise { pc: 0x10c, .. }), "{exit:?}");
    assert_eq!((out.a[3], out.lcount), (3, 0));
}
