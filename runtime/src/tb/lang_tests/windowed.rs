//! An Xtensa-style windowed register file (`tests/spec-errors/pass/windowed-register-file.isa`):
//! 16 visible registers `a0..a15` in 32 physical ones, `a[i]` being physical register
//! `(windowbase * 4 + i) mod 32`; a call8-style `entry8` moves the window up by 8 registers
//! and raises WindowOverflow8 when the callee's frame is still live (its WindowStart bit set),
//! and `retw8` moves it back (as the Xtensa ISA's CALL8/ENTRY/RETW do, without the stack
//! frame).

super::test_core!("lang_windowed.rs", wdemo);

use super::Machine;
use crate::interp::BlockExit;

const ENTRY8: u32 = 1 << 24;
const RETW8: u32 = 2 << 24;
fn movi(t: u32, imm: u32) -> u32 {
    3 << 24 | t << 16 | imm
}
fn mov(t: u32, s: u32) -> u32 {
    4 << 24 | s << 20 | t << 16
}

#[test]
fn a_call_moves_the_window_so_the_callers_a10_is_the_callees_a2() {
    let mut m = Machine::new(CpuState::default());
    m.cpu.windowstart = 1;
    run(&mut m, movi(10, 5));
    assert_eq!(m.cpu.ar[10], 5, "window 0: a10 is physical register 10");
    run(&mut m, ENTRY8);
    assert_eq!((m.cpu.windowbase, m.cpu.windowstart), (2, 0b101));
    // In the callee a2 is physical 8 + 2 = 10: the caller's a10.
    run(&mut m, mov(3, 2));
    assert_eq!(m.cpu.ar[11], 5, "callee's a3 is physical 11");
    run(&mut m, RETW8);
    assert_eq!((m.cpu.windowbase, m.cpu.windowstart), (0, 1));
    // Back in the caller, its a11 is what the callee wrote as a3.
    run(&mut m, mov(1, 11));
    assert_eq!(m.cpu.ar[1], 5);
}

#[test]
fn the_window_wraps_around_the_physical_file() {
    let mut m = Machine::new(CpuState::default());
    m.cpu.windowbase = 7;
    // a4 at window base 7 is physical (28 + 4) mod 32 = 0.
    run(&mut m, movi(4, 0x77));
    assert_eq!((m.cpu.ar[0], m.cpu.ar[28]), (0x77, 0));
}

#[test]
fn a_live_callee_frame_raises_window_overflow_and_moves_nothing() {
    let mut m = Machine::new(CpuState::default());
    m.cpu.windowstart = 0b101;
    let exit = run(&mut m, ENTRY8);
    match exit {
        BlockExit::Raise { code, arg, .. } => assert_eq!((code, arg), (6, 2)),
        other => panic!("expected WindowOverflow8, got {other:?}"),
    }
    assert_eq!((m.cpu.windowbase, m.cpu.windowstart), (0, 0b101));
}
