//! `specemu system-mips` / `specemu system-mipsel`: system mode, with QEMU's command line
//! (qemu-system-mips / qemu-system-mipsel) where it applies: `-M`/`-machine`, `-cpu`, `-m`,
//! `-kernel`, `-append`, `-serial stdio|none|null`, `-nographic`, `-display none`,
//! `-semihosting`, `-S`, `-d ITEMS`, `-D FILE`. Without a monitor the machine runs to its
//! end and the process exits with the guest's status (UHI exit), like QEMU.
//!
//! Owns option parsing into a [`BoardConfig`] and running a board to completion; must not
//! know board internals (it goes through `specemu_machines`).

use anyhow::{bail, Context as _};
use specemu_runtime::control::BoardConfig;
use specemu_runtime::targets::mips::system::MODELS;
use std::io::Write;

pub const USAGE: &str = "usage: specemu system-mips|system-mipsel [-M mipssim] [-cpu CPU] [-m SIZE] \
-kernel FILE [-append ARGS] [-serial stdio|none] [-nographic] [-semihosting] [-S] [-d ITEMS] [-D LOGFILE]";

/// What the command line asked for besides the board.
#[derive(Debug, Default)]
pub struct SystemArgs {
    pub board: BoardConfig,
    /// `-D`: where `-d` output goes (stderr when absent).
    pub log_file: Option<std::path::PathBuf>,
    /// `-M help` or `-cpu help`: print the list and exit.
    pub help: Option<String>,
}

/// QEMU's size syntax: a number with an optional K/M/G/T suffix, MiB when none.
pub fn parse_size(s: &str) -> anyhow::Result<u64> {
    let s = s.strip_prefix("size=").unwrap_or(s);
    let s = s.split(',').next().unwrap_or("");
    let (num, mult) = match s.char_indices().last() {
        Some((i, c)) if c.is_ascii_alphabetic() => {
            let m = match c.to_ascii_uppercase() {
                'B' => 1,
                'K' => 1 << 10,
                'M' => 1 << 20,
                'G' => 1 << 30,
                'T' => 1 << 40,
                _ => bail!("invalid size suffix in '{s}'"),
            };
            (&s[..i], m)
        }
        _ => (s, 1u64 << 20),
    };
    let n: f64 = num.parse().with_context(|| format!("invalid size '{s}'"))?;
    if n.is_nan() || n <= 0.0 || n * mult as f64 > u64::MAX as f64 {
        bail!("invalid size '{s}'");
    }
    Ok((n * mult as f64) as u64)
}

/// Parse the options after `system-mips`/`system-mipsel`.
pub fn parse(args: &[String], big_endian: bool) -> anyhow::Result<SystemArgs> {
    let mut out = SystemArgs {
        board: BoardConfig { machine: String::new(), big_endian, ..Default::default() },
        ..Default::default()
    };
    let mut i = 0;
    while i < args.len() {
        // QEMU accepts -opt and --opt alike.
        let a = args[i].strip_prefix('-').filter(|s| s.starts_with('-')).unwrap_or(&args[i]).to_string();
        let mut val = || -> anyhow::Result<String> {
            i += 1;
            args.get(i).cloned().with_context(|| format!("option {a} needs an argument"))
        };
        match a.as_str() {
            "-M" | "-machine" => {
                let v = val()?;
                let name = v.split(',').next().unwrap_or("").trim_start_matches("type=").to_string();
                if name == "help" || name == "?" {
                    out.help = Some("machine".into());
                }
                out.board.machine = name;
            }
            "-cpu" => {
                let v = val()?;
                if v == "help" || v == "?" {
                    out.help = Some("cpu".into());
                }
                out.board.cpu = Some(v);
            }
            "-m" => out.board.ram_size = Some(parse_size(&val()?)?),
            "-kernel" => out.board.kernel = Some(val()?.into()),
            "-append" => out.board.append = Some(val()?),
            "-serial" => match val()?.as_str() {
                "stdio" | "mon:stdio" => out.board.serial_stdio = true,
                "none" | "null" => out.board.serial_stdio = false,
                other => bail!("-serial {other}: only stdio, none and null are supported"),
            },
            "-nographic" => out.board.serial_stdio = true,
            "-display" => {
                let v = val()?;
                if v != "none" {
                    bail!("-display {v}: only 'none' is supported");
                }
            }
            "-monitor" => {
                let v = val()?;
                if v != "none" {
                    bail!("-monitor {v}: no monitor in this build (use -monitor none)");
                }
            }
            "-semihosting" => out.board.semihosting = true,
            "-S" => out.board.start_paused = true,
            "-d" => out.board.log.extend(val()?.split(',').map(String::from)),
            "-D" => out.log_file = Some(val()?.into()),
            "-h" | "-help" => out.help = Some("usage".into()),
            other => bail!("unknown option '{other}'\n{USAGE}"),
        }
        i += 1;
    }
    if out.board.machine.is_empty() && out.help.is_none() {
        bail!("No machine specified, and there is no default (use -M mipssim)");
    }
    Ok(out)
}

/// Run `specemu system-mips[el] ARGS`; the process exit status.
pub fn run(args: &[String], big_endian: bool) -> anyhow::Result<i32> {
    let sa = parse(args, big_endian)?;
    match sa.help.as_deref() {
        Some("machine") => {
            println!("Supported machines are:");
            for m in specemu_machines::mipssim::machines() {
                println!("{:<20} {}", m.name, m.description);
            }
            return Ok(0);
        }
        Some("cpu") => {
            for m in MODELS {
                println!("MIPS '{}'", m.name);
            }
            return Ok(0);
        }
        Some(_) => {
            println!("{USAGE}");
            return Ok(0);
        }
        None => {}
    }
    if sa.board.machine != specemu_machines::mipssim::NAME {
        bail!("unsupported machine type '{}' (use -M help)", sa.board.machine);
    }
    if sa.board.start_paused {
        bail!("-S needs a monitor to continue the machine, and this build has none");
    }
    let log: Box<dyn Write + Send> = match &sa.log_file {
        Some(p) => Box::new(std::io::BufWriter::new(
            std::fs::File::create(p).with_context(|| format!("cannot create log file {}", p.display()))?,
        )),
        None => Box::new(std::io::stderr()),
    };
    let mut m = specemu_machines::mipssim::Mipssim::new(&sa.board, log).map_err(anyhow::Error::msg)?;
    let code = m.wait();
    drop(m);
    let _ = std::io::stdout().flush();
    Ok(code)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(s: &str) -> Vec<String> {
        s.split_whitespace().map(String::from).collect()
    }

    #[test]
    fn options() {
        let a =
            parse(&args("-M mipssim -cpu 24Kc -m 64 -kernel k.elf -nographic -semihosting -d in_asm,int -D l"), true)
                .unwrap();
        assert_eq!(a.board.machine, "mipssim");
        assert_eq!(a.board.cpu.as_deref(), Some("24Kc"));
        assert_eq!(a.board.ram_size, Some(64 << 20));
        assert!(a.board.serial_stdio && a.board.semihosting && a.board.big_endian);
        assert_eq!(a.board.log, vec!["in_asm", "int"]);
        assert_eq!(a.log_file.as_deref(), Some(std::path::Path::new("l")));
        assert_eq!(parse_size("1G").unwrap(), 1 << 30);
        assert_eq!(parse_size("size=512k").unwrap(), 512 << 10);
        assert!(parse_size("x").is_err());
        assert!(parse(&args("-kernel"), false).is_err());
        assert!(parse(&args("-bogus"), false).is_err());
        assert!(parse(&args("-kernel k"), false).is_err(), "no machine");
        assert!(parse(&args("--machine help"), false).unwrap().help.is_some());
    }
}
