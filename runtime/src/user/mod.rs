//! Linux user mode: guest memory, ELF loading, the initial stack, system calls and the CPU
//! loop. With the JIT, the only place allowed to manage host mappings for the guest.

pub mod elf;
pub mod mem;
pub mod run;
pub mod stack;
pub mod syscall;
