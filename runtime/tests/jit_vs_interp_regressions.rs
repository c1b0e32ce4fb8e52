//! Inputs the `jit_vs_interp` fuzz target found, replayed in the hermetic tests: each once
//! made the JIT and the interpreter disagree (or the harness panic) and must now agree.
//! The oracle is the interpreter, the reference backend, on the same block and state.

use specemu_runtime::targets::mips::testing::jit_vs_interp::jit_matches_interp;

/// `xori zero,…; sll sp,t7,8; ldc1 $f0,4096(t0)` (little-endian, FPU on, FR=0) with the
/// load's page unmapped: the slow path's argument setup overwrote the host register that
/// held $f0, and the fault exit wrote that value back (precise exceptions need the old one).
#[test]
fn faulting_load_keeps_a_register_held_destination() {
    jit_matches_interp(&[
        0x72, 0xc6, 0x05, 0x00, 0x3b, 0x00, 0xea, 0x0f, 0x00, 0x00, 0x10, 0x00, 0xd5, 0x00, 0x00, 0xc6, 0x3b, 0x00,
        0xea, 0x0f, 0x00, 0x00, 0x10, 0x00, 0xd5, 0xc6, 0xc6, 0xc6, 0xc6, 0x80, 0xa9, 0xa9, 0xa9, 0xa9, 0xa9, 0x51,
    ]);
}

/// `mfc0 $0,$8; bc1f` (big-endian, FPU off): a helper declared read-only, then a raise.
#[test]
fn read_only_helper_then_raise() {
    jit_matches_interp(&[0x23, 0x40, 0x00, 0x40, 0x00, 0x45, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00]);
}

/// A block whose translation goes on past a side exit beyond the end of the input (the
/// harness's fetch used to panic there).
#[test]
fn translation_past_the_end_of_the_input() {
    jit_matches_interp(&[0xb7, 0x06, 0x00, 0x3b, 0xff, 0x2a]);
}
