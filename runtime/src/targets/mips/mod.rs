//! MIPS32 Release 2 (both byte orders): the code generated from `isa-specs/mips` (decoder,
//! disassembler, lowering, CPU state, `Helpers` trait) and the hand-written support beside it:
//! the translator front end, helper implementations, the Linux o32 ABI and its signal frames,
//! the privileged architecture for system mode, and MIPS's line in the architecture list.

include!(concat!(env!("OUT_DIR"), "/mips.rs"));

pub mod abi;
pub mod asm;
pub mod cpu_option;
pub mod direct;
pub mod fpu;
pub mod frontend;
pub mod gdb;
pub mod helpers;
pub mod linux;
pub mod signal;
pub mod system;
pub mod testing;

use crate::arch::{ArchEntry, DisasCore, DisasInfo, ElfKind, GdbInfo, ResetCpu, SystemInfo};
use std::fmt::Write as _;

/// ELF machine number of MIPS.
pub const EM_MIPS: u16 = 8;

fn cores() -> Vec<DisasCore> {
    VARIANTS.iter().filter_map(|n| variant(n)).map(|v| DisasCore { name: v.name, disas_one: v.disas_one }).collect()
}

/// objdump prints an undecodable word as `.word`.
fn bad(bytes: &[u8], big_endian: bool) -> (usize, String) {
    let n = bytes.len().min(4);
    let mut w = 0u32;
    for i in 0..n {
        let b = bytes[if big_endian { i } else { n - 1 - i }] as u32;
        w = (w << 8) | b;
    }
    (n.max(1), format!(".word\t{w:#x}"))
}

/// Branches and jumps (their next instruction is a delay slot), by mnemonic.
fn has_delay_slot(text: &str) -> bool {
    let m = text.split('\t').next().unwrap_or("");
    matches!(m, "j" | "jal" | "jr" | "jalr" | "jr.hb" | "jalr.hb" | "b" | "bal" | "jalx")
        || (m.starts_with('b') && !matches!(m, "break" | "bitswap"))
}

/// `-cpu help`: the models of `run` and `system-mips`, and their properties.
fn cpu_help() -> String {
    let mut s = String::from("MIPS CPU models for run and system-mips (-cpu MODEL[,PROP=VALUE...]):\n");
    for m in system::MODELS {
        let _ = writeln!(s, "  {}", m.name);
    }
    s.push_str("MIPS CPU properties:\n");
    for (p, what) in cpu_option::PROPERTIES {
        let _ = writeln!(s, "  {p:<18} {what}");
    }
    s
}

fn run_linux(
    prog: crate::user::run::Program,
    opts: &crate::user::run::RunOptions,
    debugger: &mut Option<crate::debug::link::Local>,
) -> Result<crate::user::run::Outcome, crate::user::run::RunError> {
    crate::user::run::cpu_loop::run_as::<linux::MipsLinux>(prog, opts, debugger)
}

pub static ARCH: ArchEntry = ArchEntry {
    name: "mips",
    elf: |k: ElfKind| k.machine == EM_MIPS && !k.is_64,
    elf_format: |k: ElfKind| if k.big_endian { "elf32-tradbigmips" } else { "elf32-tradlittlemips" },
    disas: Some(DisasInfo {
        cores,
        default_core: None,
        bad,
        max_insn_len: 4,
        unit: 4,
        delay_slot: Some(has_delay_slot),
        section_rules: None,
    }),
    disas_context: &[],
    linux_user: Some(run_linux),
    cpu_help: Some(cpu_help),
    gdb: Some(GDB),
    system: Some(SystemInfo {
        commands: &[("system-mips", true), ("system-mipsel", false)],
        qmp_target: "mips",
        cpu_list_prefix: "MIPS",
        models: || system::MODELS.iter().map(|m| m.name).collect(),
        about: "a MIPS32 board (qemu-system-mips's command line)",
        reset: ResetCpu {
            models: &["24Kf"],
            qom_suffix: "-mips-cpu",
            pc: system::reset_cpu::RESET_PC,
            translate: system::reset_cpu::translate,
            info_registers: system::reset_cpu::info_registers,
            insn_bytes: 4,
        },
    }),
    asm: Some(&asm::ASM),
};

/// gdb's built-in 32-bit MIPS registers (see `gdb.rs`).
pub const GDB: GdbInfo = GdbInfo { arch_name: "mips", pc_reg: gdb::PC, reg_bytes: 4, num_regs: gdb::NUM_REGS };
