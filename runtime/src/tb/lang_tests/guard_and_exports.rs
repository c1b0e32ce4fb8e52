//! An ARM-style core (`tests/spec-errors/pass/guard-table-exports-and-hooks.isa`): a
//! condition-field guard, a shifter table that exports a value and sets the shifter carry,
//! an addressing table that exports memory and writes the base back after the access, and
//! r15 as a register view that reads as pc + 8 and branches when written.

super::test_core!("lang_guard_and_exports.rs", demo);

use super::Machine;
use crate::interp::BlockExit;

fn machine() -> Machine<CpuState> {
    Machine::new(CpuState::default())
}

const AL: u32 = 14;
const EQ: u32 = 0;
const C: u32 = 1 << 29;
const Z: u32 = 1 << 30;

/// Data processing with an immediate: cond 00 1 opc s rn rd rot imm8.
fn dp_imm(cond: u32, opc: u32, s: u32, rn: u32, rd: u32, rot: u32, imm8: u32) -> u32 {
    cond << 28 | 1 << 25 | opc << 21 | s << 20 | rn << 16 | rd << 12 | rot << 8 | imm8
}

/// Data processing with a register shifted left by an immediate: cond 00 0 opc s rn rd sh_imm 00 0 rm.
fn dp_lsl(cond: u32, opc: u32, s: u32, rn: u32, rd: u32, sh_imm: u32, rm: u32) -> u32 {
    cond << 28 | opc << 21 | s << 20 | rn << 16 | rd << 12 | sh_imm << 7 | rm
}

/// Load/store with an immediate offset, pre-indexed, adding: cond 01 0 1 1 0 w l rn rd off12.
fn ldst(cond: u32, w: u32, l: u32, rn: u32, rd: u32, off12: u32) -> u32 {
    cond << 28 | 1 << 26 | 1 << 24 | 1 << 23 | w << 21 | l << 20 | rn << 16 | rd << 12 | off12
}

#[test]
fn the_shifter_table_exports_a_rotated_immediate() {
    let mut m = machine();
    m.cpu.r[2] = 5;
    // add r1, r2, #0xff ror 8 (rot = 4: rotate right by 8) = 5 + 0xff000000.
    run(&mut m, dp_imm(AL, 4, 0, 2, 1, 4, 0xff));
    assert_eq!(m.cpu.r[1], 0xff00_0005);
    // The alternative's block ran: the carry is bit 31 of the rotated immediate.
    assert_eq!(m.cpu.shifter_carry, 1);
}

#[test]
fn r15_reads_as_pc_plus_8_and_branches_when_written() {
    let mut m = machine();
    // add r1, pc, #4 at 0x100: 0x108 + 4.
    run(&mut m, dp_imm(AL, 4, 0, 15, 1, 0, 4));
    assert_eq!(m.cpu.r[1], 0x10c);
    // add pc, r2, #0: a jump to r2 (r[15] itself is never written).
    m.cpu.r[2] = 0x2000;
    let exit = run(&mut m, dp_imm(AL, 4, 0, 2, 15, 0, 0));
    let pc = match exit {
        BlockExit::Goto { pc, .. } => pc,
        BlockExit::Lookup | BlockExit::Exit => m.cpu.pc as u64,
        other => panic!("{other:?}"),
    };
    assert_eq!((pc, m.cpu.r[15]), (0x2000, 0));
}

#[test]
fn the_condition_guard_skips_the_instruction_when_it_fails() {
    let mut m = machine();
    m.cpu.r[2] = 1;
    m.cpu.r[1] = 77;
    // addeq r1, r2, #1 with Z clear: nothing happens, not even the shifter's block.
    run(&mut m, dp_imm(EQ, 4, 0, 2, 1, 0, 1));
    assert_eq!((m.cpu.r[1], m.cpu.shifter_carry), (77, 0));
    m.cpu.cpsr = Z;
    run(&mut m, dp_imm(EQ, 4, 0, 2, 1, 0, 1));
    assert_eq!(m.cpu.r[1], 2);
}

#[test]
fn movs_takes_the_carry_the_shifter_computed_before_it() {
    let mut m = machine();
    // movs r3, r4, lsl #4: the carry is the last bit shifted out, bit 28 of r4.
    m.cpu.r[4] = 0x1000_0001;
    run(&mut m, dp_lsl(AL, 13, 1, 0, 3, 4, 4));
    assert_eq!(m.cpu.r[3], 0x0000_0010);
    assert_eq!(m.cpu.cpsr & (C | Z), C);
    // A result of zero sets Z; the carry out of bit 28 is clear.
    m.cpu.r[4] = 0x0000_0000;
    run(&mut m, dp_lsl(AL, 13, 1, 0, 3, 4, 4));
    assert_eq!(m.cpu.cpsr & (C | Z), Z);
}

#[test]
fn the_addressing_table_exports_memory_and_writes_the_base_back_after() {
    let mut m = machine();
    m.mem[0x10..0x14].copy_from_slice(&0xdead_beefu32.to_le_bytes());
    m.cpu.r[2] = 0x1008;
    // ldr r1, [r2, #8]: loads 0x1010, no writeback.
    run(&mut m, ldst(AL, 0, 1, 2, 1, 8));
    assert_eq!((m.cpu.r[1], m.cpu.r[2]), (0xdead_beef, 0x1008));
    // ldr r1, [r2, #8]!: the same load, then r2 = 0x1010.
    m.cpu.r[1] = 0;
    run(&mut m, ldst(AL, 1, 1, 2, 1, 8));
    assert_eq!((m.cpu.r[1], m.cpu.r[2]), (0xdead_beef, 0x1010));
    // str r5, [r2, #4]!: the location export written, then the base.
    m.cpu.r[5] = 0x0102_0304;
    run(&mut m, ldst(AL, 1, 0, 2, 5, 4));
    assert_eq!(&m.mem[0x14..0x18], &0x0102_0304u32.to_le_bytes());
    assert_eq!(m.cpu.r[2], 0x1014);
}

#[test]
fn a_faulting_access_leaves_the_base_register_alone() {
    let mut m = machine();
    // ldr r1, [r2, #8]! with r2 pointing outside memory: a fault, and no writeback.
    m.cpu.r[2] = 0x9000;
    let exit = run(&mut m, ldst(AL, 1, 1, 2, 1, 8));
    assert!(matches!(exit, BlockExit::Fault { .. }), "{exit:?}");
    assert_eq!(m.cpu.r[2], 0x9000);
}
