//! Disassembly front end: picks an architecture (from the list, by ELF header or by entry) and
//! a core, decodes one instruction at a time and formats lines the way GNU
//! `objdump -d --no-show-raw-insn` does; what objdump prints for bytes that are not an
//! instruction, and the architecture's per-section rules, come from its `DisasInfo`.
//!
//! Owns the choice of architecture and core; it must not know an architecture.

use crate::arch::{ArchEntry, DisasInfo, DisasOneFn, ElfKind, SectionRules};

/// A chosen architecture and core with its byte order and initial decoder context.
#[derive(Clone, Copy)]
pub struct Disassembler {
    pub arch: &'static ArchEntry,
    pub info: DisasInfo,
    pub core: &'static str,
    pub big_endian: bool,
    one: DisasOneFn,
}

#[derive(Debug, thiserror::Error)]
pub enum DisasError {
    #[error("unknown CPU `{cpu}` for {arch}; available: {available}")]
    UnknownCpu { cpu: String, arch: &'static str, available: String },
    #[error("no disassembler for this architecture (ELF machine {0})")]
    UnknownArch(u16),
}

impl Disassembler {
    /// The disassembler of `arch`; `cpu` names a core where the architecture has several.
    pub fn new(arch: &'static ArchEntry, big_endian: bool, cpu: Option<&str>) -> Result<Self, DisasError> {
        let Some(info) = arch.disas else {
            return Err(DisasError::UnknownCpu {
                cpu: cpu.unwrap_or("").into(),
                arch: arch.name,
                available: "".into(),
            });
        };
        let cores = (info.cores)();
        let default = info.default_core.or_else(|| cores.first().map(|c| c.name)).unwrap_or("");
        let want = cpu.unwrap_or(default);
        let Some(core) = cores.iter().find(|c| c.name == want) else {
            let available = cores.iter().map(|c| c.name).collect::<Vec<_>>().join(", ");
            return Err(DisasError::UnknownCpu { cpu: want.to_string(), arch: arch.name, available });
        };
        Ok(Disassembler { arch, info, core: core.name, big_endian, one: core.disas_one })
    }

    /// The disassembler for an ELF file of `kind`.
    pub fn for_elf(kind: ElfKind, cpu: Option<&str>) -> Result<Self, DisasError> {
        let arch =
            crate::arch::for_elf(kind).filter(|a| a.disas.is_some()).ok_or(DisasError::UnknownArch(kind.machine))?;
        Self::new(arch, kind.big_endian, cpu)
    }

    /// Disassemble one instruction at `pc`: its length and text (`mnemonic\toperands`).
    pub fn one(&self, bytes: &[u8], pc: u64, sym: &dyn Fn(u64, &mut String)) -> Option<(usize, String)> {
        (self.one)(bytes, pc, self.big_endian, self.arch.disas_context, sym)
    }

    /// What objdump prints for bytes that are not an instruction of the core.
    pub fn bad(&self, bytes: &[u8]) -> (usize, String) {
        (self.info.bad)(bytes, self.big_endian)
    }

    /// Whether the instruction printed as `text` has a delay slot.
    pub fn has_delay_slot(&self, text: &str) -> bool {
        self.info.delay_slot.is_some_and(|f| f(text))
    }

    /// The architecture's rules for one code section of `file`, if it has any.
    pub fn section_rules(
        &self,
        file: &object::File<'_>,
        index: object::SectionIndex,
        addr: u64,
        size: u64,
    ) -> Option<Box<dyn SectionRules>> {
        self.info.section_rules.map(|f| f(file, index, addr, size))
    }
}
