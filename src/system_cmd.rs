//! `specemu system-mips` / `specemu system-mipsel`: system mode with QEMU's command line
//! (`qemu-system-mips`): `-M`, `-cpu`, `-m`, `-kernel`, `-append`, `-serial`, `-nographic`,
//! `-semihosting`, `-S`, `--preconfig`, `-qmp`, `-monitor`, `-s`, `-gdb`, `-d`, `-D`,
//! `-display none`. The options become a [`BoardConfig`], monitor specs and the gdb stub's
//! address; the board comes from the machine registry (`specemu_machines`), the monitors from
//! `crate::monitor`, the stub from `crate::gdb`.
//!
//! This file owns the command line and process lifetime; it must not know a particular board
//! or speak a monitor protocol.

use crate::monitor::chardev::{self, Chardev};
use crate::monitor::server::{self, ExitGate, MonitorSpec, Protocol};
use crate::monitor::Shared;
use anyhow::{anyhow, bail};
use specemu_runtime::control::BoardConfig;
use std::sync::Arc;
use std::time::Duration;

pub const USAGE: &str = "usage: specemu system-mips|system-mipsel [-M MACHINE|help] [-cpu MODEL|help] [-m MEGS]
        [-kernel FILE] [-append CMDLINE] [-serial stdio|none] [-nographic] [-semihosting]
        [-S] [--preconfig] [-qmp DEV] [-monitor DEV] [-s] [-gdb tcp::PORT] [-d ITEMS] [-D LOGFILE]
        [-display none] [-accel jit|tcg|interp]
  DEV: stdio | unix:PATH,server=on[,wait=off] | tcp:127.0.0.1:PORT,server=on[,wait=off]";

/// What the command line asked for.
#[derive(Debug, Default)]
pub struct SystemArgs {
    pub config: BoardConfig,
    pub monitors: Vec<MonitorSpec>,
    /// `-s` / `-gdb DEV`: where the gdb stub listens (host:port).
    pub gdb: Option<String>,
    /// `-M help`, `-cpu help`.
    pub machine_help: bool,
    pub cpu_help: bool,
}

/// Parse the options after `system-mips` / `system-mipsel`.
pub fn parse_args(big_endian: bool, args: &[String]) -> anyhow::Result<SystemArgs> {
    let mut out = SystemArgs::default();
    out.config.big_endian = big_endian;
    let mut serial: Option<String> = None;
    let mut nographic = false;
    let mut i = 0;
    while i < args.len() {
        // QEMU accepts `--opt` for every `-opt`.
        let a = args[i].strip_prefix('-').filter(|s| s.starts_with('-')).unwrap_or(&args[i]);
        let mut value = || -> anyhow::Result<String> {
            i += 1;
            args.get(i).cloned().ok_or_else(|| anyhow!("{a}: requires an argument\n{USAGE}"))
        };
        match a {
            "-M" | "-machine" => {
                let v = value()?;
                // `-machine TYPE,key=value...`: only the type (or type=TYPE) is used.
                let ty = v.split(',').next().unwrap_or("");
                let ty = ty.strip_prefix("type=").unwrap_or(ty);
                if ty == "help" || ty == "?" {
                    out.machine_help = true;
                }
                out.config.machine = ty.to_string();
            }
            "-cpu" => {
                let v = value()?;
                if v == "help" || v == "?" {
                    out.cpu_help = true;
                } else {
                    out.config.cpu = Some(v);
                }
            }
            "-m" => out.config.ram_size = Some(parse_ram_size(&value()?)?),
            "-kernel" => out.config.kernel = Some(value()?.into()),
            "-append" => out.config.append = Some(value()?),
            "-serial" => serial = Some(value()?),
            "-nographic" => nographic = true,
            "-display" => {
                let v = value()?;
                if v != "none" {
                    bail!("-display {v}: only -display none is supported");
                }
            }
            "-semihosting" => out.config.semihosting = true,
            "-S" => out.config.start_paused = true,
            "-s" => out.gdb = Some(format!("127.0.0.1:{}", crate::gdb::DEFAULT_PORT)),
            "-gdb" => out.gdb = crate::gdb::parse_dev(&value()?)?,
            "-preconfig" => out.config.preconfig = true,
            "-qmp" => {
                let dev = chardev::parse("-qmp", &value()?).map_err(|e| anyhow!(e))?;
                if dev == Chardev::None {
                    bail!("-qmp none: not a monitor");
                }
                out.monitors.push(MonitorSpec { protocol: Protocol::Qmp, dev });
            }
            "-monitor" => {
                let dev = chardev::parse("-monitor", &value()?).map_err(|e| anyhow!(e))?;
                out.monitors.push(MonitorSpec { protocol: Protocol::Hmp, dev });
            }
            "-d" => out.config.log.extend(value()?.split(',').filter(|s| !s.is_empty()).map(String::from)),
            "-D" => out.config.log_file = Some(value()?.into()),
            "-accel" | "--accel" => {
                // QEMU's `-accel NAME[,prop=...]`: tcg (= jit), jit, or interp.
                let v = value()?;
                out.config.interp = match v.split(',').next().unwrap_or("") {
                    "tcg" | "jit" => false,
                    "interp" => true,
                    other => bail!("-accel {other}: unknown accelerator (known: jit, tcg, interp)"),
                };
            }
            other => bail!("{other}: invalid option\n{USAGE}"),
        }
        i += 1;
    }
    // -nographic: serial port 0 on stdio unless -serial says otherwise. (QEMU multiplexes the
    // human monitor onto it as well; specemu does not, see README.)
    let serial = serial.or(nographic.then(|| "stdio".to_string()));
    match serial.as_deref() {
        None | Some("none") | Some("null") => {}
        // mon:stdio: the serial port on stdio; specemu does not multiplex a monitor onto it.
        Some("stdio") | Some("mon:stdio") => out.config.serial_stdio = true,
        Some(other) => bail!("-serial {other}: only stdio and none are supported"),
    }
    if out.config.serial_stdio && out.monitors.iter().any(|m| m.dev == Chardev::Stdio) {
        bail!("cannot use stdio by multiple character devices");
    }
    Ok(out)
}

/// `-m 64`, `-m 64M`, `-m 1G`, `-m size=128M`: bytes (a bare number is MiB, as in QEMU).
fn parse_ram_size(v: &str) -> anyhow::Result<u64> {
    let v = v.split(',').next().unwrap_or("");
    let v = v.strip_prefix("size=").unwrap_or(v);
    let (num, mult) = match v.char_indices().last() {
        Some((i, c @ ('k' | 'K' | 'm' | 'M' | 'g' | 'G' | 't' | 'T'))) => {
            let shift = match c.to_ascii_uppercase() {
                'K' => 10,
                'M' => 20,
                'G' => 30,
                _ => 40,
            };
            (&v[..i], 1u64 << shift)
        }
        _ => (v, 1u64 << 20),
    };
    let n: f64 = num.parse().map_err(|_| anyhow!("-m {v}: invalid ram size"))?;
    if n.is_nan() || n <= 0.0 || n * mult as f64 >= u64::MAX as f64 {
        bail!("-m {v}: invalid ram size");
    }
    Ok((n * mult as f64) as u64)
}

/// Run `specemu system-mips[el] ARGS`; the exit status.
pub fn run(big_endian: bool, args: &[String]) -> anyhow::Result<i32> {
    let mut sa = parse_args(big_endian, args)?;
    if sa.machine_help {
        print!("{}", specemu_machines::machine_help());
        return Ok(0);
    }
    if sa.config.machine.is_empty() {
        match specemu_machines::default_machine() {
            Some(m) => sa.config.machine = m.name.to_string(),
            None => {
                bail!("No machine specified, and there is no default\nUse -machine help to list supported machines")
            }
        }
    }
    if specemu_machines::find(&sa.config.machine).is_none() {
        bail!("unsupported machine type\nUse -machine help to list supported machines");
    }
    if sa.cpu_help {
        // The board type knows its CPU models; build it without a machine to ask.
        let probe = BoardConfig { preconfig: true, cpu: None, ..sa.config.clone() };
        let vm = specemu_machines::create(&probe).map_err(|e| anyhow!(e))?;
        for d in vm.cpu_definitions() {
            println!("MIPS '{}'", d.name);
        }
        return Ok(0);
    }
    let bound = server::bind(&sa.monitors).map_err(|e| anyhow!(e))?;
    let gdb = sa.gdb.as_deref().map(crate::gdb::listen).transpose()?;
    let vm = specemu_machines::create(&sa.config).map_err(|e| anyhow!(e))?;
    let shared = Arc::new(Shared::new(vm));
    let events = shared.vm().subscribe();
    let gate = Arc::new(ExitGate::default());
    server::serve(shared.clone(), gate.clone(), bound);
    if let Some(listener) = gdb {
        crate::gdb::serve_system(shared.clone(), gate.clone(), listener);
    }
    // The monitors' sessions and gdb's get a few seconds to deliver SHUTDOWN or the exit
    // status (more than they need; a loaded machine may be slow to schedule them).
    server::wait_for_shutdown(events, &gate, Duration::from_secs(10));
    server::cleanup(&sa.monitors);
    let status = shared.vm().exit_status();
    Ok(status)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(s: &str) -> Vec<String> {
        s.split_whitespace().map(String::from).collect()
    }

    #[test]
    fn options_become_a_board_config() {
        let sa = parse_args(true, &args("-M none -cpu 24Kf -m 16 -S --preconfig -qmp stdio -d in_asm,exec -D l.txt"))
            .unwrap();
        let c = &sa.config;
        assert_eq!(c.machine, "none");
        assert_eq!(c.cpu.as_deref(), Some("24Kf"));
        assert_eq!(c.ram_size, Some(16 << 20));
        assert!(c.start_paused && c.preconfig && c.big_endian);
        assert_eq!(c.log, vec!["in_asm", "exec"]);
        assert_eq!(c.log_file.as_deref(), Some(std::path::Path::new("l.txt")));
        assert_eq!(sa.monitors.len(), 1);
        assert_eq!(parse_ram_size("1G").unwrap(), 1 << 30);
        assert_eq!(parse_ram_size("size=512k").unwrap(), 512 << 10);
        assert!(parse_ram_size("0").is_err());
        assert!(parse_ram_size("x").is_err());
    }

    #[test]
    fn gdb_options() {
        assert_eq!(parse_args(false, &args("-s")).unwrap().gdb.as_deref(), Some("127.0.0.1:1234"));
        assert_eq!(parse_args(false, &args("-gdb tcp::4321")).unwrap().gdb.as_deref(), Some("127.0.0.1:4321"));
        let sa = parse_args(false, &args("-gdb tcp:localhost:77,server=on,wait=off")).unwrap();
        assert_eq!(sa.gdb.as_deref(), Some("localhost:77"));
        assert_eq!(parse_args(false, &args("-s -gdb none")).unwrap().gdb, None);
        assert!(parse_args(false, &args("-gdb unix:/tmp/x")).is_err());
        assert!(parse_args(false, &args("-gdb tcp::notaport")).is_err());
        assert!(parse_args(false, &args("-gdb")).is_err());
    }

    #[test]
    fn stdio_is_used_once() {
        assert!(parse_args(false, &args("-nographic -monitor stdio")).is_err());
        assert!(parse_args(false, &args("-qmp stdio -monitor stdio")).is_ok()); // bind() refuses it
        assert!(parse_args(false, &args("-nographic -serial none -monitor stdio")).is_ok());
        assert!(parse_args(false, &args("-bogus")).is_err());
        assert!(parse_args(false, &args("-M")).is_err());
    }
}
