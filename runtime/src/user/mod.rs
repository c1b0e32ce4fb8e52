//! Linux user mode: guest memory, ELF loading, the initial stack, system calls and signals.
//! The only place (with the JIT) allowed to manage host mappings for the guest.

pub mod mem;
