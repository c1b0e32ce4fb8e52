//! specemu-runtime: the generated targets (decoders, disassemblers, CPU state) and, as they
//! land, the IR, optimizer, backends, translation cache, softmmu and user mode.
//! A library: boards, the monitor and the command line sit on top of it.

pub mod arch;
pub mod asm;
pub mod control;
pub mod debug;
pub mod disas;
pub mod fxhash;
pub mod interp;
pub mod ir;
pub mod jit;
pub mod lowmem;
pub mod opt;
pub mod softmmu;
pub mod targets;
pub mod tb;
pub mod user;
