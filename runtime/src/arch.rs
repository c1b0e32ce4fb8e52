//! What generic code knows of a guest architecture, and nothing more: the traits through
//! which the CPU loops, the disassembler front end, the debugger and the command line reach
//! an architecture, and [`ArchEntry`], one architecture's line in the list
//! (`targets::ARCHES`).
//!
//! - [`GuestCpu`]: the CPU state the spec generated (registers at fixed offsets, the PC).
//! - [`Frontend`](crate::tb::translate::Frontend): decode, lower, block-end rules.
//! - [`LinuxTarget`]: Linux user mode: the ABI as data (`LinuxAbi`: system-call numbers,
//!   struct layouts, errno and signal numbers, HWCAP, stack top, ELF machine), the register
//!   convention of system calls (arguments, one or two results), the initial register state,
//!   how a guest exception becomes a signal, signal frames, the helper implementations.
//! - [`GdbRegs`]: the CPU's registers as gdb numbers them.
//!
//! Owns these contracts only; it must not name an architecture (each one implements the
//! traits in `targets/<arch>/`).

use crate::debug::DebugError;
use crate::interp::MemFault;
use crate::tb::translate::Frontend;
use crate::user::abi::LinuxAbi;
use crate::user::mem::GuestMem;
use crate::user::signal::SigInfo;

/// A generated CPU state: guest registers at the byte offsets the IR uses.
pub trait GuestCpu: Clone + Default + PartialEq + std::fmt::Debug + Send + 'static {
    /// Read the state field at byte offset `off` (as the IR's globals do).
    fn read_state(&self, off: usize) -> u64;
    /// Write the state field at byte offset `off`.
    fn write_state(&mut self, off: usize, v: u64);
    /// The guest PC.
    fn pc(&self) -> u64;
    /// The persistent context (the spec's `bound` context variables) packed as the block
    /// key's context word: with the PC, it says which translation runs.
    fn context_key(&self) -> u64;
    fn set_pc(&mut self, pc: u64);
    /// Byte offset and size of the PC in the state (for the JIT's exits).
    const PC_OFFSET: u32;
    const PC_SIZE: u8;
}

/// The CPU's registers in gdb's numbering for the architecture (its `g` packet and `p`/`P`).
pub trait GdbRegs {
    /// gdb's `g` packet: the registers it reads in one go, in the guest's byte order.
    fn gdb_registers(&self, big_endian: bool) -> Vec<u8>;
    /// gdb's `G` packet.
    fn set_gdb_registers(&mut self, big_endian: bool, bytes: &[u8]) -> Result<(), DebugError>;
    /// Register `n` (`p`); `None` when there is no such register.
    fn gdb_register(&self, big_endian: bool, n: usize) -> Option<Vec<u8>>;
    /// Register `n` (`P`).
    fn set_gdb_register(&mut self, big_endian: bool, n: usize, bytes: &[u8]) -> Result<(), DebugError>;
}

/// What gdb needs to know of an architecture before it sees registers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GdbInfo {
    /// The `<architecture>` of the target description (gdb's name for it).
    pub arch_name: &'static str,
    /// gdb's register number of the PC, and the size in bytes of each register in `g`.
    pub pc_reg: usize,
    pub reg_bytes: usize,
    /// Registers `p`/`P` may reach (0..num_regs).
    pub num_regs: usize,
}

/// State a target's helpers keep for one CPU in user mode.
pub trait UserHelpers<C>: Default {
    /// Call the spec's helper `id`; `Err((code, arg))` when it raised a guest exception.
    fn call(&mut self, cpu: &mut C, id: u32, args: &[u64]) -> Result<u64, (u32, u64)>;
    /// Guest instructions retired so far (for cycle counters the guest may read).
    fn set_retired(&mut self, _insns: u64) {}
}

/// A synchronous signal frame could not be written or read (the guest's stack is bad).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BadFrame;

/// Where a signal handler runs: the handler, what the frame records, the alternate stack.
#[derive(Debug, Clone, Copy)]
pub struct SignalDelivery<'a> {
    pub abi: &'a LinuxAbi,
    pub info: &'a SigInfo,
    pub handler: u64,
    /// The guest PC the frame resumes at after the handler returns.
    pub resume: u64,
    /// The signal mask to restore on return.
    pub old_mask: u128,
    /// (sp, size, enabled) of the alternate signal stack.
    pub altstack: (u64, u64, bool),
    /// The handler asked for the alternate stack (SA_ONSTACK).
    pub use_altstack: bool,
}

/// A guest architecture's Linux user mode.
pub trait LinuxTarget: 'static {
    type Cpu: GuestCpu + GdbRegs;
    type Helpers: UserHelpers<Self::Cpu>;
    type Frontend: Frontend;
    /// What `-cpu` chose.
    type CpuConfig: Clone;

    /// The ABI as data for this byte order.
    fn abi(big_endian: bool) -> LinuxAbi;
    /// The translator's front end.
    fn frontend(big_endian: bool) -> Self::Frontend;
    /// Parse `-cpu MODEL[,PROP=VALUE...]` (None: the default model).
    fn parse_cpu(arg: Option<&str>) -> Result<Self::CpuConfig, String>;
    /// Apply process-wide settings of the chosen model (before any code runs).
    fn configure(_cfg: &Self::CpuConfig) {}
    /// The register state at the program's entry: `entry` (the interpreter's when there is
    /// one), the initial stack pointer, and the program's ELF image (for its flags).
    fn initial_cpu(cfg: &Self::CpuConfig, program: &[u8], e_flags: u32, entry: u64, sp: u64) -> Self::Cpu;
    /// Helpers the JIT calls directly, by helper id (see `JitConfig::direct`).
    fn direct_helpers() -> &'static [Option<usize>] {
        &[]
    }

    /// Raise code of the system-call instruction.
    const EXC_SYSCALL: u32;
    /// System-call number and its arguments.
    fn syscall_args(cpu: &Self::Cpu, mem: &GuestMem, big_endian: bool) -> (u32, [u64; 8]);
    /// Store a call's result: a value or a positive guest errno; `second` is the second result
    /// register some calls set (o32 `pipe`).
    fn set_syscall_result(cpu: &mut Self::Cpu, r: Result<u64, i32>, second: Option<u64>);
    /// Where execution goes on after the system-call instruction at `pc`.
    fn after_syscall(pc: u64) -> u64;
    fn stack_pointer(cpu: &Self::Cpu) -> u64;
    fn set_stack_pointer(cpu: &mut Self::Cpu, sp: u64);
    /// Set the thread pointer (clone's CLONE_SETTLS, set_thread_area).
    fn set_tls(cpu: &mut Self::Cpu, tls: u64);
    /// The PC a fault at `pc` resumes at: the instruction's, or its branch's when the
    /// instruction is in a delay slot (`insn_start` flags `flags`).
    fn resume_pc(pc: u64, flags: u32) -> u64;
    /// The signal a guest exception (`code`, `arg`, raised at `pc`) becomes.
    fn exception_signal(cpu: &Self::Cpu, mem: &GuestMem, big_endian: bool, code: u32, arg: u64, pc: u64) -> SigInfo;
    /// The page where signal handlers return to (address, code), mapped read+exec.
    fn signal_trampoline(big_endian: bool) -> (u64, Vec<u8>);
    /// Build an rt signal frame and enter the handler.
    fn setup_rt_frame(cpu: &mut Self::Cpu, mem: &mut GuestMem, d: &SignalDelivery<'_>) -> Result<(), BadFrame>;
    /// `rt_sigreturn`: restore the registers from the frame; the mask to restore.
    fn restore_rt_frame(cpu: &mut Self::Cpu, mem: &GuestMem, abi: &LinuxAbi) -> Result<u128, BadFrame>;
    /// Disassemble one instruction for `-d in_asm`: length and text.
    fn disas_one(bytes: &[u8], pc: u64, big_endian: bool) -> Option<(usize, String)>;
}

/// Objdump-style disassembly of one instruction: its length and text (`mnemonic\toperands`),
/// or `None` for bytes that are not an instruction. Arguments: bytes, address, big-endian,
/// decoder context values, and how to print an address (symbols).
pub type DisasOneFn = fn(&[u8], u64, bool, &[(&str, u64)], &dyn Fn(u64, &mut String)) -> Option<(usize, String)>;

/// One core of an architecture's disassembler.
#[derive(Clone, Copy)]
pub struct DisasCore {
    pub name: &'static str,
    pub disas_one: DisasOneFn,
}

/// An architecture's disassembler as the front end (`crate::disas`) sees it.
#[derive(Clone, Copy)]
pub struct DisasInfo {
    /// Cores (the first is the default unless `default_core` says otherwise).
    pub cores: fn() -> Vec<DisasCore>,
    pub default_core: Option<&'static str>,
    /// What objdump prints for bytes that are not an instruction: (length, text).
    pub bad: fn(&[u8], bool) -> (usize, String),
    /// Longest instruction in bytes (how much a caller must offer at once).
    pub max_insn_len: usize,
    /// Instruction alignment: objdump's `...` for zero runs skips whole units.
    pub unit: usize,
    /// Whether an instruction (its text) has a delay slot (objdump prints no `...` there).
    pub delay_slot: Option<fn(&str) -> bool>,
    /// Rules the architecture's objdump adds per code section (Xtensa's literal tables).
    pub section_rules: Option<SectionRulesFn>,
}

/// What an architecture's objdump does differently in one code section of a file.
pub trait SectionRules {
    /// A run of `zeros` zero bytes at `off` (`next_sym`: where the symbol's range ends): the
    /// bytes objdump skips printing `...`, or None to disassemble them.
    fn zeros(&self, off: usize, zeros: usize, next_sym: usize) -> Option<usize>;
    /// The line at `bytes[off]` (the section starts at `base`): bytes used and text.
    fn one(
        &self,
        dis: &crate::disas::Disassembler,
        bytes: &[u8],
        base: u64,
        off: usize,
        next_sym: usize,
        sym: &dyn Fn(u64, &mut String),
    ) -> (usize, String);
}

/// The rules for section `index` (at `addr`, `size` bytes) of an ELF file.
pub type SectionRulesFn = fn(&object::File<'_>, object::SectionIndex, u64, u64) -> Box<dyn SectionRules>;

/// What an ELF file says about its architecture, as objdump names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ElfKind {
    pub machine: u16,
    /// ELFCLASS64.
    pub is_64: bool,
    pub big_endian: bool,
}

/// Runs a Linux program of this architecture: see `user::run`.
pub type RunLinuxFn = fn(
    crate::user::run::Program,
    &crate::user::run::RunOptions,
    &mut Option<crate::debug::link::Local>,
) -> Result<crate::user::run::Outcome, crate::user::run::RunError>;

/// One architecture (or one mode of one, such as x86's 32- and 64-bit) in the list.
#[derive(Clone, Copy)]
pub struct ArchEntry {
    /// The name users and `-cpu help` see.
    pub name: &'static str,
    /// Does an ELF file of this kind belong here?
    pub elf: fn(ElfKind) -> bool,
    /// objdump's name for the file format (`file format NAME`).
    pub elf_format: fn(ElfKind) -> &'static str,
    /// The disassembler, and the decoder context values it starts with.
    pub disas: Option<DisasInfo>,
    pub disas_context: &'static [(&'static str, u64)],
    /// Linux user mode, when the architecture runs programs.
    pub linux_user: Option<RunLinuxFn>,
    /// `-cpu help`: the models of `run` and `system-*`, with their properties.
    pub cpu_help: Option<fn() -> String>,
    /// gdb's view of the architecture, when the gdb stub can debug it.
    pub gdb: Option<GdbInfo>,
    /// System mode, when the architecture has it.
    pub system: Option<SystemInfo>,
    /// The assembler (`specemu as`), when the architecture has one.
    pub asm: Option<&'static crate::asm::AsmArch>,
}

/// An architecture's system mode as generic code sees it (boards of its own live in
/// `machines/src/<arch>/`).
#[derive(Clone, Copy)]
pub struct SystemInfo {
    /// The `specemu system-NAME` commands, with the byte order each one means.
    pub commands: &'static [(&'static str, bool)],
    /// QMP's `target` for its CPUs.
    pub qmp_target: &'static str,
    /// What `-cpu help` prints before each model name (QEMU's: `MIPS '24Kf'`), and the
    /// models of every board.
    pub cpu_list_prefix: &'static str,
    pub models: fn() -> Vec<&'static str>,
    /// One line for `--help`: what the command emulates.
    pub about: &'static str,
    /// A CPU that stays in its reset state (the `none` machine's `-cpu`).
    pub reset: ResetCpu,
}

/// A CPU in its reset state, never run: what the monitor can ask of it.
#[derive(Clone, Copy)]
pub struct ResetCpu {
    /// The models `-cpu` may name, and QOM's type name suffix (`MODEL-SUFFIX`).
    pub models: &'static [&'static str],
    pub qom_suffix: &'static str,
    /// The PC at reset.
    pub pc: u64,
    /// Virtual to physical address at reset (an error text for an unmapped address).
    pub translate: fn(u64) -> Result<u64, String>,
    /// `info registers` at reset, in QEMU's layout for the architecture.
    pub info_registers: fn() -> String,
    /// How far the monitor's `x/i` steps between instructions.
    pub insn_bytes: usize,
}

/// The list entry for an ELF file, if any architecture takes it.
pub fn for_elf(kind: ElfKind) -> Option<&'static ArchEntry> {
    crate::targets::ARCHES.iter().copied().find(|a| (a.elf)(kind))
}

/// The architecture whose system mode has the command `system-NAME` called `command`, with
/// the byte order that command means.
pub fn for_system_command(command: &str) -> Option<(&'static ArchEntry, bool)> {
    crate::targets::ARCHES.iter().copied().find_map(|a| {
        let s = a.system?;
        s.commands.iter().find(|(c, _)| *c == command).map(|&(_, be)| (a, be))
    })
}

/// The list entry named `name`.
pub fn by_name(name: &str) -> Option<&'static ArchEntry> {
    crate::targets::ARCHES.iter().copied().find(|a| a.name == name)
}

/// Read a guest memory range for a debugger or a log, stopping at the first unreadable page.
pub fn read_guest(mem: &GuestMem, addr: u64, buf: &mut [u8], addr_mask: u64) -> usize {
    let mut done = 0;
    while done < buf.len() {
        let a = addr.wrapping_add(done as u64) & addr_mask;
        let room = (0x1000 - (a & 0xfff)) as usize;
        let n = room.min(buf.len() - done);
        match mem.read_bytes(a, n) {
            Ok(b) => buf[done..done + n].copy_from_slice(b),
            Err(MemFault { .. }) => break,
        }
        done += n;
    }
    done
}
