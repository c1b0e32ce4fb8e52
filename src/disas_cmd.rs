//! `specemu disas`: reads an ELF file, chooses the architecture from its header, and prints
//! each executable section in GNU objdump's `-d --no-show-raw-insn` format, with symbol
//! labels, `<symbol+offset>` annotations and objdump's `...` for runs of zero bytes. Also
//! `specemu -cpu help`'s list of cores and CPU models ([`list_cpus`]).

use anyhow::{bail, Context as _};
use object::{Object, ObjectSection, ObjectSymbol, SectionFlags, SymbolKind};
use specemu_runtime::disas::Disassembler;
use std::collections::BTreeMap;
use std::io::Write as _;

pub fn list_cpus() {
    use specemu_runtime::arch::DisasInfo;
    use specemu_runtime::targets::ARCHES;
    let mut text = String::from("Available CPUs:\n");
    let mut seen: Vec<usize> = Vec::new();
    for a in ARCHES {
        let Some(DisasInfo { cores, .. }) = a.disas else { continue };
        // Architectures with several modes (x86's 32 and 64 bits) share one core list.
        if seen.contains(&(cores as usize)) {
            continue;
        }
        seen.push(cores as usize);
        for c in cores() {
            text.push_str(&format!("  {:<8} {}\n", a.name, c.name));
        }
    }
    for a in ARCHES {
        if let Some(help) = a.cpu_help {
            text.push_str(&help());
        }
    }
    crate::cli::out(&text);
}

/// `specemu disas`'s options (`-cpu` is accepted for `--cpu`).
#[derive(Debug, clap::Parser)]
#[command(
    name = "disas",
    bin_name = "specemu disas",
    about = "Disassemble every executable section of an ELF file, as objdump -d --no-show-raw-insn"
)]
pub struct DisasCli {
    /// The core to decode for (specemu -cpu help lists them; default: from the ELF header)
    #[arg(long, value_name = "CORE")]
    pub cpu: Option<String>,
    /// The ELF file (its header chooses the architecture)
    #[arg(value_name = "FILE.elf")]
    pub file: String,
}

/// The clap command of `specemu disas`.
pub fn command() -> clap::Command {
    <DisasCli as clap::CommandFactory>::command()
}

/// Parse the words after `disas`. Help and usage errors come back as a [`crate::cli::Message`].
pub fn parse_args(args: &[String]) -> anyhow::Result<DisasCli> {
    Ok(crate::cli::parse::<DisasCli>(crate::cli::Style::Gnu, args)?.options)
}

pub fn run(args: &[String]) -> anyhow::Result<()> {
    run_parsed(parse_args(args)?)
}

pub fn run_parsed(args: DisasCli) -> anyhow::Result<()> {
    let DisasCli { cpu, file } = args;
    let data = std::fs::read(&file).with_context(|| format!("cannot read {file}"))?;
    let text = disassemble_elf(&data, &file, cpu.as_deref())?;
    let stdout = std::io::stdout();
    let mut lock = stdout.lock();
    // A closed pipe (`| head`) is not an error worth reporting.
    let _ = lock.write_all(text.as_bytes());
    Ok(())
}

struct Symbols {
    /// address -> name chosen for labels and annotations.
    by_addr: BTreeMap<u64, String>,
}

impl Symbols {
    /// Write a code address as objdump does: `addr <sym+off>`, or `0xaddr` in a file that has
    /// no symbols at all.
    fn annotate(&self, addr: u64, out: &mut String) {
        if self.by_addr.is_empty() {
            out.push_str(&format!("{addr:#x}"));
            return;
        }
        out.push_str(&format!("{addr:x}"));
        if let Some((a, n)) = self.by_addr.range(..=addr).next_back() {
            if addr == *a {
                out.push_str(&format!(" <{n}>"));
            } else {
                out.push_str(&format!(" <{n}+{:#x}>", addr - a));
            }
        }
    }
}

/// The whole disassembly text of an ELF image.
pub fn disassemble_elf(data: &[u8], path: &str, cpu: Option<&str>) -> anyhow::Result<String> {
    let obj = object::File::parse(data).with_context(|| format!("{path}: not a readable ELF file"))?;
    let kind = specemu_runtime::user::elf::kind(data, path).with_context(|| format!("{path}: not an ELF file"))?;
    let dis = match Disassembler::for_elf(kind, cpu) {
        Ok(d) => d,
        Err(specemu_runtime::disas::DisasError::UnknownArch(_)) => {
            bail!("{path}: unsupported architecture {:?}", obj.architecture())
        }
        Err(e) => return Err(e.into()),
    };
    let format = (dis.arch.elf_format)(kind);
    let mut by_addr: BTreeMap<u64, String> = BTreeMap::new();
    for s in obj.symbols() {
        let Ok(name) = s.name() else { continue };
        if name.is_empty() || matches!(s.kind(), SymbolKind::Section | SymbolKind::File) || s.section_index().is_none()
        {
            continue;
        }
        // Prefer global symbols, then the first seen, as objdump mostly does.
        let e = by_addr.entry(s.address());
        match e {
            std::collections::btree_map::Entry::Vacant(v) => {
                v.insert(name.to_string());
            }
            std::collections::btree_map::Entry::Occupied(mut o) => {
                if s.is_global() {
                    o.insert(name.to_string());
                }
            }
        }
    }
    let syms = Symbols { by_addr };
    let addr_width = if kind.is_64 { 16 } else { 8 };
    let mut out = String::new();
    out.push_str(&format!("\n{path}:     file format {format}\n\n"));
    for sec in obj.sections() {
        let exec = match sec.flags() {
            SectionFlags::Elf { sh_flags } => sh_flags & u64::from(object::elf::SHF_EXECINSTR) != 0,
            _ => false,
        };
        if !exec || sec.size() == 0 {
            continue;
        }
        let Ok(bytes) = sec.data() else { continue };
        let name = sec.name().unwrap_or("?");
        out.push_str(&format!("\nDisassembly of section {name}:\n"));
        let rules = dis.section_rules(&obj, sec.index(), sec.address(), sec.size());
        disassemble_section(&dis, bytes, sec.address(), &syms, rules.as_deref(), addr_width, &mut out);
    }
    Ok(out)
}

/// `rules`: what the architecture's objdump does differently in this section; `w`: the width
/// of addresses in labels.
fn disassemble_section(
    dis: &Disassembler,
    bytes: &[u8],
    base: u64,
    syms: &Symbols,
    rules: Option<&dyn specemu_runtime::arch::SectionRules>,
    w: usize,
    out: &mut String,
) {
    let unit = dis.info.unit;
    let mut off = 0usize;
    let mut prev_had_delay_slot = false;
    let end = base + bytes.len() as u64;
    let sym = |a: u64, o: &mut String| syms.annotate(a, o);
    // Labels at symbol addresses inside the section.
    let labels: BTreeMap<u64, &String> = syms.by_addr.range(base..end).map(|(a, n)| (*a, n)).collect();
    let mut next_label = labels.iter().peekable();
    while off < bytes.len() {
        let pc = base + off as u64;
        while let Some((a, n)) = next_label.peek() {
            if **a > pc {
                break;
            }
            if **a == pc {
                out.push_str(&format!("\n{pc:0w$x} <{n}>:\n"));
            }
            next_label.next();
        }
        // objdump prints `...` for 8 or more zero bytes (not in a delay slot).
        let zeros = bytes[off..].iter().take_while(|&&b| b == 0).count();
        let next_sym = labels.range(pc + 1..).next().map(|(a, _)| (*a - base) as usize).unwrap_or(bytes.len());
        let zeros = zeros.min(next_sym - off);
        let skip = match rules {
            Some(r) => r.zeros(off, zeros, next_sym),
            None => {
                let short_tail = off + zeros == bytes.len() && zeros > 0 && zeros < 4 && unit == 1;
                (zeros >= 8 || short_tail).then(|| (zeros - zeros % unit).max(unit))
            }
        };
        if let (false, Some(skip)) = (prev_had_delay_slot, skip) {
            out.push_str("\t...\n");
            off += skip;
            continue;
        }
        let (len, text) = match rules {
            Some(r) => r.one(dis, bytes, base, off, next_sym, &sym),
            None => match dis.one(&bytes[off..], pc, &sym) {
                Some((n, t)) if n > 0 => (n, t),
                _ => dis.bad(&bytes[off..]),
            },
        };
        prev_had_delay_slot = dis.has_delay_slot(&text);
        out.push_str(&format!("{pc:>8x}:\t{text}\n"));
        off += len;
    }
}
