//! Persistent context and the epilogue, ARM-style (`tests/spec-errors/pass/
//! persistent-context-and-it-blocks.isa`): the Thumb bit (cpsr.T) and the IT state are
//! context bound to state fields, so a block is translated for one of them and its key says
//! which; `bx` and `msr` change them at run time (the block ends, the next one is looked up
//! in the new context), `it` changes the IT state when it is translated (the block goes
//! on), and the epilogue advances the IT state as ARM's ITAdvance does. Expected values
//! follow the ARM ARM's IT rules: ITSTATE = firstcond:mask; an instruction inside the block
//! runs when ITSTATE<7:4> holds; after it ITSTATE<4:0> shifts left, and becomes 0 once
//! ITSTATE<2:0> is 0.

super::test_core!("lang_context.rs", ctxdemo);

use super::{Machine, Translated};
use crate::interp::BlockExit;

const T: u32 = 1 << 5;
const Z: u32 = 1 << 30;

fn a32(words: &[u32]) -> Vec<u8> {
    words.iter().flat_map(|w| w.to_le_bytes()).collect()
}
fn t16(code: &mut Vec<u8>, halves: &[u16]) {
    code.extend(halves.iter().flat_map(|h| h.to_le_bytes()));
}
const fn bx(rm: u32) -> u32 {
    0x012 << 20 | rm
}
const fn movs(rd: u16, imm: u16) -> u16 {
    4 << 11 | rd << 8 | imm
}
const fn adds(rd: u16, imm: u16) -> u16 {
    6 << 11 | rd << 8 | imm
}
const fn it(firstcond: u16, mask: u16) -> u16 {
    0xbf00 | firstcond << 4 | mask
}
const UDF: u16 = 0xde00;

/// ARM `bx r1` to Thumb code at 0x108: `it eq; movs r2, #5; adds r3, #7; udf`.
fn interworking(z: bool) -> (CpuState, BlockExit, Vec<Translated>) {
    let mut code = a32(&[bx(1), 0]);
    t16(&mut code, &[it(0, 0b1000), movs(2, 5), adds(3, 7), UDF]);
    let mut m = Machine::new(CpuState { pc: 0x100, cpsr: if z { Z } else { 0 }, ..Default::default() });
    m.cpu.r[1] = 0x109;
    let (exit, blocks) = run_code(&mut m, &code);
    (m.cpu, exit, blocks)
}

#[test]
fn bx_switches_the_instruction_set_and_the_next_block_is_translated_in_the_new_context() {
    let (cpu, exit, blocks) = interworking(true);
    assert!(matches!(exit, BlockExit::Raise { code: 2, pc: 0x10e, .. }), "udf at 0x10e: {exit:?}");
    assert_eq!(cpu.cpsr & T, T, "bx to an odd address sets the T bit");
    // The ARM block ends at bx (the context changed at run time); the Thumb block is keyed
    // by context 1 (thumb) and holds it, movs, adds and udf: `it` did not end it.
    assert_eq!(blocks, vec![Translated { pc: 0x100, ctx: 0, len: 4 }, Translated { pc: 0x108, ctx: 1, len: 8 }]);
    assert_eq!((cpu.r[2], cpu.r[3], cpu.itstate), (5, 7, 0), "EQ held: movs ran; the IT block is over");
}

#[test]
fn an_instruction_in_an_it_block_whose_condition_fails_does_nothing() {
    let (cpu, _, _) = interworking(false);
    assert_eq!((cpu.r[2], cpu.r[3], cpu.itstate), (0, 7, 0), "EQ failed: movs skipped, adds after the block ran");
}

#[test]
fn the_same_bytes_translate_differently_in_each_context() {
    // At 0x108 in ARM context the Thumb code is no ARM instruction.
    let mut code = a32(&[0, 0]);
    t16(&mut code, &[it(0, 0b1000), movs(2, 5)]);
    let mut m = Machine::new(CpuState { pc: 0x108, ..Default::default() });
    let (exit, blocks) = run_code(&mut m, &code);
    assert!(matches!(exit, BlockExit::Raise { code: 1, pc: 0x108, .. }), "no instruction in context 0: {exit:?}");
    assert_eq!(blocks, vec![Translated { pc: 0x108, ctx: 0, len: 1 }]);
}

#[test]
fn ite_runs_the_then_or_the_else_instruction() {
    // ITE EQ: firstcond 0, mask 0b1100; then `movs r2, #5`, else `movs r2, #6`.
    for (z, want) in [(true, 5), (false, 6)] {
        let mut code = Vec::new();
        t16(&mut code, &[it(0, 0b1100), movs(2, 5), movs(2, 6), UDF]);
        let cpsr = T | if z { Z } else { 0 };
        let mut m = Machine::new(CpuState { pc: 0x100, cpsr, ..Default::default() });
        let (_, blocks) = run_code(&mut m, &code);
        assert_eq!((m.cpu.r[2], m.cpu.itstate), (want, 0), "Z={z}");
        assert_eq!(blocks, vec![Translated { pc: 0x100, ctx: 1, len: 8 }], "one block for the whole IT block");
    }
}

#[test]
fn writing_the_bound_field_ends_the_block_and_the_next_decodes_in_the_new_context() {
    // Thumb `msr cpsr, r4` with r4 = 0 (T clear), then ARM `mov r5, #0x123` and `udf`.
    let mut code = Vec::new();
    t16(&mut code, &[0xf300 | 4 << 3]);
    code.extend(a32(&[0x03a << 20 | 5 << 12 | 0x123, 0xe7f0_0000]));
    let mut m = Machine::new(CpuState { pc: 0x100, cpsr: T, ..Default::default() });
    let (exit, blocks) = run_code(&mut m, &code);
    assert!(matches!(exit, BlockExit::Raise { code: 2, pc: 0x106, .. }), "{exit:?}");
    assert_eq!(m.cpu.r[5], 0x123);
    assert_eq!(blocks, vec![Translated { pc: 0x100, ctx: 1, len: 2 }, Translated { pc: 0x102, ctx: 0, len: 8 }]);
}

#[test]
fn the_it_state_lives_in_its_field_between_blocks() {
    // Start inside an ITT EQ block, as after an exception return into one: ITSTATE 0x04
    // (the state `it` leaves), Z set; both instructions run and the block ends there.
    let mut code = Vec::new();
    t16(&mut code, &[movs(2, 1), movs(3, 2), movs(4, 3), UDF]);
    let mut m = Machine::new(CpuState { pc: 0x100, cpsr: T | Z, itstate: 0x04, ..Default::default() });
    let (_, blocks) = run_code(&mut m, &code);
    // ITSTATE 0x04 is persistent context 0x04 << 1 | thumb in the key.
    assert_eq!(blocks[0].ctx, 0x04 << 1 | 1);
    assert_eq!((m.cpu.r[2], m.cpu.r[3], m.cpu.r[4], m.cpu.itstate), (1, 2, 3, 0));
}
