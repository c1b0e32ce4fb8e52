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

/// `lw t9,1(v0); addu v1,t9,t9` (little-endian) with `v0` even: the load raises AdEL at its
/// alignment check. t9 is written first after that check's branch, so the JIT does not load
/// it at block entry; the raise must leave the guest's t9 as it was, not write back the host
/// register that never held it.
#[test]
fn unaligned_load_into_a_register_not_loaded_at_entry() {
    jit_matches_interp(&[0x00, 0x01, 0x00, 0x59, 0x8c, 0x21, 0x18, 0x39, 0x03]);
}

/// A block whose translation goes on past a side exit beyond the end of the input (the
/// harness's fetch used to panic there).
#[test]
fn translation_past_the_end_of_the_input() {
    jit_matches_interp(&[0xb7, 0x06, 0x00, 0x3b, 0xff, 0x2a]);
}

/// Random blocks, biased toward the opcodes programs use most (loads and stores of every
/// width and signedness, immediates, branches, SPECIAL and SPECIAL3 with `rdhwr`, COP1), in
/// both byte orders and every FPU and HWREna setting: what the fuzz target does, at a fixed
/// seed and a size the hermetic tests afford.
#[test]
fn random_blocks_agree() {
    let mut x = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    let ops = [
        0x00u32, 0x04, 0x05, 0x08, 0x09, 0x0a, 0x0c, 0x0d, 0x0f, 0x11, 0x1c, 0x1f, 0x20, 0x21, 0x23, 0x24, 0x25, 0x28,
        0x29, 0x2b, 0x31, 0x35, 0x39, 0x3d,
    ];
    for _ in 0..3000 {
        let mut data = vec![next() as u8];
        let be = data[0] & 1 == 1;
        for _ in 0..8 {
            let w = next() as u32;
            let w = match next() % 8 {
                0 => w,
                // rdhwr v1,$29
                1 => 0x7c03_e83b,
                _ => (w & 0x03ff_ffff) | ops[(next() % ops.len() as u64) as usize] << 26,
            };
            data.extend_from_slice(&if be { w.to_be_bytes() } else { w.to_le_bytes() });
        }
        jit_matches_interp(&data);
    }
}
