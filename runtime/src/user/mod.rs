//! Linux user mode: guest memory, ELF loading, the initial stack, the Linux ABI description
//! (`abi`), system calls, signals and the CPU loop. With the JIT, the only place allowed to
//! manage host mappings for the guest, and the only place with `unsafe` for host calls.

pub mod abi;
pub mod elf;
pub mod maps;
pub mod mem;
pub mod run;
pub mod signal;
pub mod stack;
pub mod syscall;
