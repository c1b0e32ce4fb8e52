//! `specemu as [--cpu CORE] [-EB|-EL] FILE.s -o FILE.o`: assembles GNU as source into an ELF
//! relocatable object with the assembler the specs generate (`specemu_runtime::asm`). The
//! core chooses the architecture; `--arch` picks an architecture's default core.
//!
//! This file owns the command line and the choice of core only.

use anyhow::{bail, Context as _};
use specemu_runtime::arch::ArchEntry;
use specemu_runtime::asm::source::Assembler;
use specemu_runtime::asm::AsmCore;
use specemu_runtime::targets::ARCHES;

/// `specemu as`'s options (GNU as's `-EB`/`-EL`; `-cpu` is accepted for `--cpu`).
#[derive(Debug, Default, clap::Parser)]
#[command(
    name = "as",
    bin_name = "specemu as",
    about = "Assemble GNU as source into an ELF object, for any core in the specs (writes what is written: no delay-slot filling, macros or narrowing)"
)]
pub struct AsCli {
    /// The core to assemble for (specemu -cpu help lists them)
    #[arg(long, value_name = "CORE")]
    pub cpu: Option<String>,
    /// The architecture, with its default core (when --cpu does not say)
    #[arg(long, value_name = "ARCH")]
    pub arch: Option<String>,
    /// Big-endian output
    #[arg(long = "EB", conflicts_with = "little")]
    pub big: bool,
    /// Little-endian output
    #[arg(long = "EL")]
    pub little: bool,
    /// The object file to write
    #[arg(short = 'o', value_name = "FILE.o", default_value = "a.out")]
    pub output: String,
    /// The source file
    #[arg(value_name = "FILE.s")]
    pub input: String,
}

/// The clap command of `specemu as`.
pub fn command() -> clap::Command {
    <AsCli as clap::CommandFactory>::command()
}

pub fn parse_args(args: &[String]) -> anyhow::Result<AsCli> {
    Ok(crate::cli::parse::<AsCli>(crate::cli::Style::Gnu, args)?.options)
}

pub fn run(args: &[String]) -> anyhow::Result<()> {
    run_parsed(parse_args(args)?)
}

/// Every core an assembler exists for, with its architecture.
fn all_cores() -> Vec<(&'static ArchEntry, AsmCore)> {
    let mut v = Vec::new();
    for a in ARCHES {
        if let Some(asm) = a.asm {
            v.extend((asm.cores)().into_iter().map(|c| (*a, c)));
        }
    }
    v
}

/// The core `cpu` (or `arch`'s first) names.
pub fn choose(cpu: Option<&str>, arch: Option<&str>) -> anyhow::Result<(&'static ArchEntry, AsmCore)> {
    let cores = all_cores();
    let names = || cores.iter().map(|(_, c)| c.name).collect::<Vec<_>>().join(", ");
    match (cpu, arch) {
        (Some(c), _) => match cores.iter().find(|(_, k)| k.name.eq_ignore_ascii_case(c)) {
            Some(x) => Ok(*x),
            None => bail!("unknown core `{c}` for specemu as; cores with an assembler: {}", names()),
        },
        (None, Some(a)) => match cores.iter().find(|(e, _)| e.name == a) {
            Some(x) => Ok(*x),
            None => bail!("no assembler for architecture `{a}`; cores with an assembler: {}", names()),
        },
        (None, None) => bail!("say which core with --cpu CORE (cores with an assembler: {})", names()),
    }
}

/// Assemble `input` into object bytes.
pub fn assemble(cli: &AsCli) -> anyhow::Result<Vec<u8>> {
    let (arch, core) = choose(cli.cpu.as_deref(), cli.arch.as_deref())?;
    let asm = arch.asm.context("architecture without assembler")?;
    let be = if cli.big {
        true
    } else if cli.little {
        false
    } else {
        core.default_big_endian
    };
    let mut a = Assembler::new(asm, core, be);
    let path = std::path::Path::new(&cli.input);
    if !path.exists() {
        bail!("{}: no such file", cli.input);
    }
    a.file(path);
    let name = path.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
    match a.finish(&name) {
        Ok(obj) => Ok(obj.write()),
        Err(errors) => {
            let n = errors.len();
            let text: Vec<String> = errors.iter().take(50).map(|e| e.to_string()).collect();
            bail!("{}\n{n} error{}", text.join("\n"), if n == 1 { "" } else { "s" })
        }
    }
}

pub fn run_parsed(cli: AsCli) -> anyhow::Result<()> {
    let bytes = assemble(&cli)?;
    std::fs::write(&cli.output, bytes).with_context(|| format!("cannot write {}", cli.output))
}
