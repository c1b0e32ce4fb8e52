//! Fuzz target: random bytes as one MIPS block, run compiled by the JIT and interpreted from
//! the same state; any difference panics (`targets::mips::testing::jit_vs_interp` says how
//! the bytes become code and state).

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| specemu_runtime::targets::mips::testing::jit_vs_interp::jit_matches_interp(data));
