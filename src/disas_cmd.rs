//! `specemu disas`: reads an ELF file, chooses the architecture from its header, and prints
//! each executable section in GNU objdump's `-d --no-show-raw-insn` format, with symbol
//! labels, `<symbol+offset>` annotations and objdump's `...` for runs of zero bytes. Also
//! `specemu -cpu help`'s list of cores and CPU models ([`list_cpus`]).

use anyhow::{bail, Context as _};
use object::{Object, ObjectSection, ObjectSymbol, SectionFlags, SymbolKind};
use specemu_runtime::disas::{bad_line, Arch, Disassembler};
use std::collections::BTreeMap;
use std::io::Write as _;

// Xtensa property tables (`.xt.prop`): which bytes of a code section are literals.
#[path = "xtensa_prop.rs"]
pub mod xtensa_prop;

pub fn list_cpus() {
    use specemu_runtime::arch::DisasInfo;
    use specemu_runtime::targets::ARCHES;
    println!("Available CPUs:");
    let mut seen: Vec<usize> = Vec::new();
    for a in ARCHES {
        let Some(DisasInfo { cores, .. }) = a.disas else { continue };
        // Architectures with several modes (x86's 32 and 64 bits) share one core list.
        if seen.contains(&(cores as usize)) {
            continue;
        }
        seen.push(cores as usize);
        for c in cores() {
            println!("  {:<8} {}", a.name, c.name);
        }
    }
    for a in ARCHES {
        if let Some(help) = a.cpu_help {
            print!("{}", help());
        }
    }
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
    let big_endian = !obj.is_little_endian();
    let (arch, format) = match obj.architecture() {
        object::Architecture::Mips => {
            (Arch::Mips, if big_endian { "elf32-tradbigmips" } else { "elf32-tradlittlemips" })
        }
        object::Architecture::Xtensa => (Arch::Xtensa, if big_endian { "elf32-xtensa-be" } else { "elf32-xtensa-le" }),
        object::Architecture::X86_64 => (Arch::X86_64, "elf64-x86-64"),
        object::Architecture::I386 => (Arch::I386, "elf32-i386"),
        other => bail!("{path}: unsupported architecture {other:?}"),
    };
    let dis = Disassembler::new(arch, big_endian, cpu)?;
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
    let xt_table = (arch == Arch::Xtensa).then(|| xtensa_prop::read_prop_table(&obj));
    let relocatable = obj.kind() == object::ObjectKind::Relocatable;
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
        let xt = xt_table
            .as_ref()
            .map(|t| (xtensa_prop::SectionProps::new(t, sec.index(), sec.address(), sec.size()), relocatable));
        disassemble_section(&dis, bytes, sec.address(), &syms, xt.as_ref(), &mut out);
    }
    Ok(out)
}

fn addr_width(arch: Arch) -> usize {
    match arch {
        Arch::X86_64 => 16,
        _ => 8,
    }
}

/// `xt`: for Xtensa, the section's property records and whether the file is relocatable.
fn disassemble_section(
    dis: &Disassembler,
    bytes: &[u8],
    base: u64,
    syms: &Symbols,
    xt: Option<&(xtensa_prop::SectionProps, bool)>,
    out: &mut String,
) {
    let unit = match dis.arch {
        Arch::Mips => 4,
        _ => 1,
    };
    let w = addr_width(dis.arch);
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
        // Xtensa: objdump's rule as written, fewer than 3 zero bytes that end the symbol's range.
        let short_tail = match xt {
            Some(_) => off + zeros == next_sym && zeros > 0 && zeros < 3,
            None => off + zeros == bytes.len() && zeros > 0 && zeros < 4 && unit == 1,
        };
        if !prev_had_delay_slot && (zeros >= 8 || short_tail) {
            out.push_str("\t...\n");
            let mut skip = zeros - zeros % unit;
            // Xtensa (as objdump on every target): skip whole words unless the run ends the range.
            if xt.is_some() && off + zeros != next_sym {
                skip = zeros & !3;
            }
            off += skip.max(unit);
            continue;
        }
        let (len, text) = match xt {
            Some((props, reloc)) => xtensa_prop::one(dis, props, bytes, base, off, next_sym, *reloc, &sym),
            None => match dis.one(&bytes[off..], pc, &sym) {
                Some((n, t)) if n > 0 => (n, t),
                _ => bad_line(dis.arch, &bytes[off..], dis.big_endian),
            },
        };
        prev_had_delay_slot = dis.arch == Arch::Mips && has_delay_slot(&text);
        out.push_str(&format!("{pc:>8x}:\t{text}\n"));
        off += len;
    }
}

/// MIPS branches and jumps (their next instruction is a delay slot).
fn has_delay_slot(text: &str) -> bool {
    let m = text.split('\t').next().unwrap_or("");
    matches!(m, "j" | "jal" | "jr" | "jalr" | "jr.hb" | "jalr.hb" | "b" | "bal" | "jalx")
        || (m.starts_with('b') && !matches!(m, "break" | "bitswap"))
}
