//! MIPS32 Release 2 (both byte orders): the code generated from `isa-specs/mips` (decoder,
//! disassembler, lowering, CPU state, `Helpers` trait) and the hand-written support beside it:
//! the translator front end, helper implementations and the Linux o32 ABI.

include!(concat!(env!("OUT_DIR"), "/mips.rs"));

pub mod abi;
pub mod fpu;
pub mod frontend;
pub mod helpers;
