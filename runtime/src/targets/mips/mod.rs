//! MIPS32 Release 2 (both byte orders): the code generated from `isa-specs/mips` (decoder,
//! disassembler, lowering, CPU state, `Helpers` trait) and the hand-written support beside it:
//! the translator front end, helper implementations, the Linux o32 ABI and its signal frames.

include!(concat!(env!("OUT_DIR"), "/mips.rs"));

pub mod abi;
pub mod cpu_option;
pub mod direct;
pub mod fpu;
pub mod frontend;
pub mod gdb;
pub mod helpers;
pub mod signal;
pub mod system;
pub mod testing;
