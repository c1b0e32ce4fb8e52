//! The monitors: QMP (JSON, for programs) and HMP (the human monitor), QEMU-compatible, over
//! unix sockets, TCP on loopback, or stdio. Every monitor talks to the virtual machine only
//! through [`VmControl`] (runtime's control contract), never to a particular board.
//!
//! - `json_stream.rs`, `json_parse.rs`, `json_write.rs`: QMP's JSON framing, parsing and
//!   printing with QEMU's behaviour and messages.
//! - `qmp_schema.rs` (commands, events, types), `qmp_args.rs` (argument checking),
//!   `qmp_dispatch.rs` (one request → one response), `qmp_events.rs` (event JSON).
//! - `hmp/`: the human monitor's commands, expressions and memory dumps.
//! - `chardev.rs`: `-qmp`/`-monitor` option values; `server.rs`: listeners, sessions, event
//!   delivery and the shutdown hand-off to the process.
//!
//! This module owns the state the monitors share ([`Shared`]); it must not know boards.

pub mod chardev;
#[cfg(test)]
mod fake_vm;
pub mod hmp;
pub mod json_parse;
pub mod json_stream;
pub mod json_write;
pub mod qmp_args;
pub mod qmp_dispatch;
pub mod qmp_events;
pub mod qmp_schema;
pub mod server;

use specemu_runtime::control::VmControl;
use std::sync::{Mutex, MutexGuard};

/// What every monitor session shares: the machine and the HMP `x`/`xp` format defaults
/// (process-wide in QEMU too).
pub struct Shared {
    vm: Mutex<Box<dyn VmControl>>,
    hmp_format: Mutex<hmp::memdump::FormatDefaults>,
}

impl Shared {
    pub fn new(vm: Box<dyn VmControl>) -> Self {
        Shared { vm: Mutex::new(vm), hmp_format: Mutex::new(Default::default()) }
    }

    /// The machine, locked for the caller. A panic elsewhere while it was held does not make
    /// the monitor unusable.
    pub fn vm(&self) -> MutexGuard<'_, Box<dyn VmControl>> {
        self.vm.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn hmp_format(&self) -> MutexGuard<'_, hmp::memdump::FormatDefaults> {
        self.hmp_format.lock().unwrap_or_else(|e| e.into_inner())
    }
}
