//! The `specemu` command line as a library: each subcommand is a module, so integration
//! tests call the same code the binary runs.

pub mod as_cmd;
pub mod cli;
pub mod disas_cmd;
pub mod gdb;
pub mod monitor;
pub mod objdump_diff;
pub mod run_cmd;
pub mod system_cmd;
