//! Board models and devices (system mode); boards compose the runtime, never the other way round.
//!
//! This file owns the machine registry: every board type `-M` can name, with the constructor
//! that builds it from the command line's [`BoardConfig`]. The boards of an architecture live
//! in `src/<arch>/`, whose `BOARDS` list `build.rs` finds (a new board is one entry there); no
//! file here names an architecture, a particular board, the monitor or the command line.

pub mod devices;
pub mod none;

include!(concat!(env!("OUT_DIR"), "/boards.rs"));

use specemu_runtime::control::{BoardConfig, MachineInfo, VmControl};

/// Builds a board from the command line's configuration (`--preconfig`: only records it).
pub type Constructor = fn(&BoardConfig) -> Result<Box<dyn VmControl>, String>;

/// A board type, as `-M` names it and `query-machines` lists it.
pub struct MachineType {
    pub name: &'static str,
    /// One line for `-M help`.
    pub description: &'static str,
    /// The machine used when `-M` is not given.
    pub is_default: bool,
    pub cpu_max: u32,
    /// QOM type name of the default CPU (for example "24Kf-mips-cpu"); None when the board has
    /// no CPU unless `-cpu` asks for one.
    pub default_cpu_type: Option<&'static str>,
    pub create: Constructor,
}

/// Every board, in `-M help` order: each architecture's, then `none`.
pub fn machines() -> impl Iterator<Item = &'static MachineType> {
    ARCH_BOARDS.iter().flat_map(|b| b.iter()).chain(std::iter::once(&none::MACHINE))
}

/// The board type called `name` (`-M NAME`).
pub fn find(name: &str) -> Option<&'static MachineType> {
    machines().find(|m| m.name == name)
}

/// The board used when `-M` is absent.
pub fn default_machine() -> Option<&'static MachineType> {
    machines().find(|m| m.is_default)
}

/// Build the board `config.machine` names; QEMU's message when there is none.
pub fn create(config: &BoardConfig) -> Result<Box<dyn VmControl>, String> {
    let m = find(&config.machine).ok_or_else(|| {
        format!("-M {}: unsupported machine type\nUse -machine help to list supported machines", config.machine)
    })?;
    (m.create)(config)
}

/// `query-machines`: every board type.
pub fn machine_infos() -> Vec<MachineInfo> {
    machines()
        .map(|m| MachineInfo {
            name: m.name.to_string(),
            description: m.description.to_string(),
            default_cpu_type: m.default_cpu_type.unwrap_or("").to_string(),
            is_default: m.is_default,
            cpu_max: m.cpu_max,
        })
        .collect()
}

/// `-M help`, in QEMU's layout.
pub fn machine_help() -> String {
    let mut s = String::from("Supported machines are:\n");
    for m in machines() {
        let default = if m.is_default { " (default)" } else { "" };
        s.push_str(&format!("{:<20} {}{default}\n", m.name, m.description));
    }
    s
}
