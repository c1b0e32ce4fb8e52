//! `specemu objdump-diff OBJDUMP.txt FILE.elf`: compares our disassembly with a listing that
//! GNU objdump (`-d --no-show-raw-insn`) printed, line by line by address, ignoring
//! `<symbol>` annotations and runs of white space. Prints the agreement and the differences
//! grouped by objdump's mnemonic. The differential tests use the same comparison.

use anyhow::Context as _;
use std::collections::BTreeMap;

/// Address -> normalized instruction text, for every instruction line of a listing.
pub fn parse_listing(text: &str) -> BTreeMap<u64, String> {
    let mut out = BTreeMap::new();
    for line in text.lines() {
        let t = line.trim_start();
        let Some((addr, rest)) = t.split_once(":\t") else { continue };
        let Ok(a) = u64::from_str_radix(addr, 16) else { continue };
        let n = normalize(rest);
        if n.is_empty() {
            continue;
        }
        out.entry(a).or_insert(n);
    }
    out
}

/// Drop `<symbol+off>` annotations, fold white space.
pub fn normalize(s: &str) -> String {
    let mut out = String::new();
    let mut depth = 0;
    let chars: Vec<char> = s.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '<' && (i == 0 || chars[i - 1].is_whitespace() || chars[i - 1] == '(') {
            if let Some(j) = chars[i..].iter().position(|&x| x == '>') {
                if !chars[i + 1..i + j].contains(&',') {
                    i += j + 1;
                    continue;
                }
            }
        }
        if c == '<' {
            depth += 1;
        }
        if c == '>' && depth > 0 {
            depth -= 1;
        }
        out.push(c);
        i += 1;
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// One differing line: address, objdump's text, ours.
pub type Example = (u64, String, String);

pub struct Report {
    pub total: usize,
    pub same: usize,
    /// objdump mnemonic -> (count, first few (addr, objdump, ours)).
    pub diffs: BTreeMap<String, (usize, Vec<Example>)>,
}

impl Report {
    pub fn percent(&self) -> f64 {
        if self.total == 0 {
            100.0
        } else {
            100.0 * self.same as f64 / self.total as f64
        }
    }
    pub fn render(&self, max_examples: usize) -> String {
        let mut s = format!("{} of {} instructions identical ({:.3}%)\n", self.same, self.total, self.percent());
        let mut kinds: Vec<_> = self.diffs.iter().collect();
        kinds.sort_by_key(|(k, (n, _))| (std::cmp::Reverse(*n), (*k).clone()));
        for (k, (n, ex)) in kinds {
            s.push_str(&format!("  {n:>7}  {k}\n"));
            for (a, o, m) in ex.iter().take(max_examples) {
                s.push_str(&format!("           {a:x}: objdump `{o}`  specemu `{m}`\n"));
            }
        }
        s
    }
}

/// Compare two listings on objdump's addresses; `only`, if given, keeps only instructions
/// whose objdump mnemonic is in the list.
pub fn compare(
    objdump: &BTreeMap<u64, String>,
    ours: &BTreeMap<u64, String>,
    only: Option<&dyn Fn(&str) -> bool>,
) -> Report {
    let mut r = Report { total: 0, same: 0, diffs: BTreeMap::new() };
    for (a, o) in objdump {
        let mnem = o.split(' ').next().unwrap_or("").to_string();
        if let Some(f) = only {
            if !f(&mnem) {
                continue;
            }
        }
        r.total += 1;
        let m = ours.get(a).cloned().unwrap_or_else(|| "(no instruction here)".to_string());
        if &m == o {
            r.same += 1;
        } else {
            let e = r.diffs.entry(mnem).or_insert((0, vec![]));
            e.0 += 1;
            if e.1.len() < 8 {
                e.1.push((*a, o.clone(), m));
            }
        }
    }
    r
}

/// `specemu objdump-diff`'s options (`-cpu` is accepted for `--cpu`).
#[derive(Debug, clap::Parser)]
#[command(
    name = "objdump-diff",
    bin_name = "specemu objdump-diff",
    about = "Compare specemu's disassembly of an ELF file with objdump's listing of it"
)]
pub struct ObjdumpDiffCli {
    /// The core to decode for (specemu -cpu help lists them; default: from the ELF header)
    #[arg(long, value_name = "CORE")]
    pub cpu: Option<String>,
    /// Compare only instructions with these objdump mnemonics (comma separated)
    #[arg(long, value_name = "M1,M2...", value_delimiter = ',')]
    pub only: Option<Vec<String>>,
    /// Differing lines shown for each mnemonic (default 3)
    #[arg(long, value_name = "N", default_value_t = 3)]
    pub examples: usize,
    /// What objdump -d --no-show-raw-insn printed for FILE.elf
    #[arg(value_name = "OBJDUMP-LISTING")]
    pub listing: String,
    /// The ELF file
    #[arg(value_name = "FILE.elf")]
    pub elf: String,
}

/// The clap command of `specemu objdump-diff`.
pub fn command() -> clap::Command {
    <ObjdumpDiffCli as clap::CommandFactory>::command()
}

/// Parse the words after `objdump-diff`. Help and usage errors come back as a
/// [`crate::cli::Message`].
pub fn parse_args(args: &[String]) -> anyhow::Result<ObjdumpDiffCli> {
    Ok(crate::cli::parse::<ObjdumpDiffCli>(crate::cli::Style::Gnu, args)?.options)
}

pub fn run(args: &[String]) -> anyhow::Result<()> {
    run_parsed(parse_args(args)?)
}

pub fn run_parsed(args: ObjdumpDiffCli) -> anyhow::Result<()> {
    let ObjdumpDiffCli { cpu, only, examples, listing, elf } = args;
    let theirs = std::fs::read_to_string(&listing).with_context(|| format!("cannot read {listing}"))?;
    let data = std::fs::read(&elf).with_context(|| format!("cannot read {elf}"))?;
    let ours = crate::disas_cmd::disassemble_elf(&data, &elf, cpu.as_deref())?;
    let f = only.map(|l| move |m: &str| l.iter().any(|x| x == m));
    let r = compare(&parse_listing(&theirs), &parse_listing(&ours), f.as_ref().map(|f| f as &dyn Fn(&str) -> bool));
    crate::cli::out(&r.render(examples));
    Ok(())
}
