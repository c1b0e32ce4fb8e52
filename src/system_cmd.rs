//! `specemu system-NAME`: system mode with QEMU's command line (`qemu-system-NAME`), one
//! command per architecture and byte order in the architecture list: `-M`, `-cpu`, `-m`, `-kernel`, `-append`, `-serial`, `-nographic`,
//! `-semihosting`, `-S`, `--preconfig`, `-qmp`, `-monitor`, `-s`, `-gdb`, `-d`, `-D`,
//! `-display none`. The options become a [`BoardConfig`], monitor specs and the gdb stub's
//! address; the board comes from the machine registry (`specemu_machines`), the monitors from
//! `crate::monitor`, the stub from `crate::gdb`.
//!
//! This file owns the command line and process lifetime; it must not know a particular board
//! or speak a monitor protocol.

use crate::cli::{self, LogMode, Style};
use crate::monitor::chardev::{self, Chardev};
use crate::monitor::server::{self, ExitGate, MonitorSpec, Protocol};
use crate::monitor::Shared;
use anyhow::{anyhow, bail};
use specemu_runtime::arch::ArchEntry;
use specemu_runtime::control::BoardConfig;
use std::sync::Arc;
use std::time::Duration;

/// The options as clap reads them (QEMU's spellings are rewritten first: `-cpu` is `--cpu`).
/// Every `system-NAME` command shares them ([`command`] names each).
#[derive(Debug, clap::Parser)]
#[command(name = "system", after_help = DEV_HELP)]
pub struct SystemCli {
    /// The board, TYPE[,PROP=VALUE...] (-M help lists them)
    #[arg(short = 'M', visible_alias = "machine", value_name = "MACHINE")]
    machine: Option<String>,
    /// CPU model and properties, MODEL[,PROP=VALUE...] (-cpu help lists them)
    #[arg(long, value_name = "MODEL")]
    cpu: Option<String>,
    /// RAM size: MiB, or with a K, M, G or T suffix (also size=SIZE)
    #[arg(short = 'm', value_name = "SIZE")]
    ram: Option<String>,
    /// The program to load (an ELF file)
    #[arg(long, value_name = "FILE")]
    kernel: Option<std::path::PathBuf>,
    /// The kernel's command line
    #[arg(long, value_name = "CMDLINE")]
    append: Option<String>,
    /// Serial port 0: stdio (also mon:stdio) or none
    #[arg(long, value_name = "DEV")]
    serial: Option<String>,
    /// No display; serial port 0 on stdio unless -serial says otherwise
    #[arg(long)]
    nographic: bool,
    /// Display: only none
    #[arg(long, value_name = "TYPE")]
    display: Vec<String>,
    /// Semihosting (UHI calls reach the host)
    #[arg(long)]
    semihosting: bool,
    /// Start with the vCPUs paused (until cont or gdb's continue)
    #[arg(short = 'S')]
    start_paused: bool,
    /// Stop before building the machine, until QMP x-exit-preconfig
    #[arg(long)]
    preconfig: bool,
    /// A QMP monitor on DEV (may be repeated)
    #[arg(long, value_name = "DEV")]
    qmp: Vec<String>,
    /// A human monitor on DEV (may be repeated)
    #[arg(long, value_name = "DEV")]
    monitor: Vec<String>,
    /// Shorthand for -gdb tcp::1234
    #[arg(short = 's')]
    gdb_default: bool,
    /// The gdb stub on DEV: tcp::PORT, tcp:HOST:PORT or none
    #[arg(long, value_name = "DEV")]
    gdb: Option<String>,
    /// Log ITEMS (comma separated); -d help lists them
    #[arg(short = 'd', value_name = "ITEMS")]
    log: Vec<String>,
    /// Write the -d log to LOGFILE instead of stderr
    #[arg(short = 'D', value_name = "LOGFILE")]
    log_file: Option<std::path::PathBuf>,
    /// Backend: jit (also tcg; the default) or interp, NAME[,PROP=VALUE...]
    #[arg(long, value_name = "NAME")]
    accel: Option<String>,
}

const DEV_HELP: &str = "DEV: stdio | unix:PATH,server=on[,wait=off] | tcp:127.0.0.1:PORT,server=on[,wait=off]";

/// What the command line asked for.
#[derive(Debug, Default)]
pub struct SystemArgs {
    pub config: BoardConfig,
    pub monitors: Vec<MonitorSpec>,
    /// `-s` / `-gdb DEV`: where the gdb stub listens (host:port).
    pub gdb: Option<String>,
    /// `-M help`, `-cpu help`, `-d help`.
    pub machine_help: bool,
    pub cpu_help: bool,
    pub log_help: bool,
}

/// Every `system-NAME` command of the architecture list: (name, architecture, big-endian).
pub fn commands() -> Vec<(&'static str, &'static ArchEntry, bool)> {
    let mut v = Vec::new();
    for a in specemu_runtime::targets::ARCHES {
        if let Some(s) = a.system {
            v.extend(s.commands.iter().map(|&(name, be)| (name, *a, be)));
        }
    }
    v
}

/// The clap command of `specemu NAME` (a `system-NAME` command of the architecture list).
pub fn command(name: &'static str) -> clap::Command {
    let about = match specemu_runtime::arch::for_system_command(name) {
        Some((a, be)) => {
            let order = if be { "big-endian" } else { "little-endian" };
            format!("System mode, {order}: {}", a.system.map(|s| s.about).unwrap_or(""))
        }
        None => String::new(),
    };
    <SystemCli as clap::CommandFactory>::command().name(name).bin_name(format!("specemu {name}")).about(about)
}

/// Parse the options after `specemu NAME` (a `system-NAME` command). Help and usage errors
/// come back as a [`crate::cli::Message`].
pub fn parse_args(name: &'static str, args: &[String]) -> anyhow::Result<SystemArgs> {
    let (arch, big_endian) =
        specemu_runtime::arch::for_system_command(name).ok_or_else(|| anyhow!("no command `{name}`"))?;
    let parsed = cli::parse_with::<SystemCli>(command(name), Style::Qemu, args)?;
    let c = parsed.options;
    let mut out = SystemArgs::default();
    out.config.arch = arch.name.to_string();
    out.config.big_endian = big_endian;
    if let Some(v) = c.machine {
        // `-machine TYPE,key=value...`: only the type (or type=TYPE) is used.
        let ty = v.split(',').next().unwrap_or("");
        let ty = ty.strip_prefix("type=").unwrap_or(ty);
        out.machine_help = cli::is_help(ty);
        out.config.machine = ty.to_string();
    }
    match c.cpu {
        Some(v) if cli::is_help(&v) => out.cpu_help = true,
        v => out.config.cpu = v,
    }
    if let Some(v) = c.ram {
        out.config.ram_size = Some(parse_ram_size(&v)?);
    }
    out.config.kernel = c.kernel;
    out.config.append = c.append;
    for v in &c.display {
        if v != "none" {
            bail!("-display {v}: only -display none is supported");
        }
    }
    out.config.semihosting = c.semihosting;
    out.config.start_paused = c.start_paused;
    out.config.preconfig = c.preconfig;
    // -s and -gdb: the last one given counts (`-s -gdb none`: no stub).
    let m = &parsed.matches;
    if let Some(dev) = c.gdb.filter(|_| cli::last_index(m, "gdb") > cli::last_index(m, "gdb_default")) {
        out.gdb = crate::gdb::parse_dev(&dev)?;
    } else if c.gdb_default {
        out.gdb = Some(format!("127.0.0.1:{}", crate::gdb::DEFAULT_PORT));
    }
    for (which, v) in cli::in_order(m, &["qmp", "monitor"]) {
        if which == "qmp" {
            let dev = chardev::parse("-qmp", &v).map_err(|e| anyhow!(e))?;
            if dev == Chardev::None {
                bail!("-qmp none: not a monitor");
            }
            out.monitors.push(MonitorSpec { protocol: Protocol::Qmp, dev });
        } else {
            let dev = chardev::parse("-monitor", &v).map_err(|e| anyhow!(e))?;
            out.monitors.push(MonitorSpec { protocol: Protocol::Hmp, dev });
        }
    }
    out.config.log = c.log.iter().flat_map(|v| v.split(',')).filter(|s| !s.is_empty()).map(String::from).collect();
    out.log_help = out.config.log.iter().any(|i| cli::is_help(i));
    out.config.log_file = c.log_file;
    if let Some(v) = c.accel {
        // QEMU's `-accel NAME[,prop=...]`: tcg (= jit), jit, or interp.
        out.config.interp = match v.split(',').next().unwrap_or("") {
            "tcg" | "jit" => false,
            "interp" => true,
            other => bail!("-accel {other}: unknown accelerator (known: jit, tcg, interp)"),
        };
    }
    // -nographic: serial port 0 on stdio unless -serial says otherwise. (QEMU multiplexes the
    // human monitor onto it as well; specemu does not, see README.)
    let serial = c.serial.or(c.nographic.then(|| "stdio".to_string()));
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

/// Run `specemu NAME ARGS` (a `system-NAME` command); the exit status.
pub fn run(name: &'static str, args: &[String]) -> anyhow::Result<i32> {
    let mut sa = parse_args(name, args)?;
    let prefix = specemu_runtime::arch::by_name(&sa.config.arch).and_then(|a| a.system).map(|s| s.cpu_list_prefix);
    let prefix = prefix.unwrap_or("");
    if sa.log_help {
        cli::out(&cli::log_help(LogMode::System));
        return Ok(0);
    }
    if sa.machine_help {
        cli::out(&specemu_machines::machine_help());
        return Ok(0);
    }
    if sa.cpu_help && sa.config.machine.is_empty() {
        // No board to ask: every model (QEMU, too, lists its CPUs without -M).
        let sys = specemu_runtime::arch::by_name(&sa.config.arch).and_then(|a| a.system);
        for m in sys.map(|s| (s.models)()).unwrap_or_default() {
            cli::out(&format!("{prefix} '{m}'\n"));
        }
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
            cli::out(&format!("{prefix} '{}'\n", d.name));
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
    /// The big- and little-endian system commands of the first architecture with both.
    fn be() -> &'static str {
        commands().into_iter().find(|c| c.2).map(|c| c.0).expect("a big-endian system command")
    }
    fn le() -> &'static str {
        commands().into_iter().find(|c| !c.2).map(|c| c.0).expect("a little-endian system command")
    }

    use super::*;

    fn args(s: &str) -> Vec<String> {
        s.split_whitespace().map(String::from).collect()
    }

    #[test]
    fn options_become_a_board_config() {
        let sa = parse_args(be(), &args("-M none -cpu 24Kf -m 16 -S --preconfig -qmp stdio -d in_asm,exec -D l.txt"))
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
        assert_eq!(parse_args(le(), &args("-s")).unwrap().gdb.as_deref(), Some("127.0.0.1:1234"));
        assert_eq!(parse_args(le(), &args("-gdb tcp::4321")).unwrap().gdb.as_deref(), Some("127.0.0.1:4321"));
        let sa = parse_args(le(), &args("-gdb tcp:localhost:77,server=on,wait=off")).unwrap();
        assert_eq!(sa.gdb.as_deref(), Some("localhost:77"));
        assert_eq!(parse_args(le(), &args("-s -gdb none")).unwrap().gdb, None);
        // The last of -s and -gdb counts.
        assert_eq!(parse_args(le(), &args("-gdb none -s")).unwrap().gdb.as_deref(), Some("127.0.0.1:1234"));
        assert_eq!(parse_args(le(), &args("-gdb tcp::1 -s -gdb tcp::2")).unwrap().gdb.as_deref(), Some("127.0.0.1:2"));
        assert!(parse_args(le(), &args("-gdb unix:/tmp/x")).is_err());
        assert!(parse_args(le(), &args("-gdb tcp::notaport")).is_err());
        assert!(parse_args(le(), &args("-gdb")).is_err());
    }

    #[test]
    fn stdio_is_used_once() {
        assert!(parse_args(le(), &args("-nographic -monitor stdio")).is_err());
        assert!(parse_args(le(), &args("-qmp stdio -monitor stdio")).is_ok()); // bind() refuses it
        assert!(parse_args(le(), &args("-nographic -serial none -monitor stdio")).is_ok());
        assert!(parse_args(le(), &args("-bogus")).is_err());
        assert!(parse_args(le(), &args("-M")).is_err());
    }

    #[test]
    fn qemu_spellings() {
        // --opt is -opt; -machine TYPE,PROP=...; the last -M counts; -d accumulates.
        let sa =
            parse_args(be(), &args("--machine type=none,x=y --cpu 24Kf -d in_asm -d int --accel tcg,thread=single"))
                .unwrap();
        assert_eq!((sa.config.machine.as_str(), sa.config.cpu.as_deref()), ("none", Some("24Kf")));
        assert_eq!(sa.config.log, vec!["in_asm", "int"]);
        assert!(!sa.config.interp);
        assert_eq!(parse_args(be(), &args("-M first -M none")).unwrap().config.machine, "none");
        assert!(parse_args(be(), &args("-M help")).unwrap().machine_help);
        assert!(parse_args(be(), &args("-d help")).unwrap().log_help);
        assert!(parse_args(be(), &args("-display gtk")).is_err());
        // Monitors in command-line order.
        let sa = parse_args(be(), &args("-monitor unix:/tmp/a,server=on -qmp stdio -monitor none")).unwrap();
        let protocols: Vec<Protocol> = sa.monitors.iter().map(|m| m.protocol).collect();
        assert_eq!(protocols, [Protocol::Hmp, Protocol::Qmp, Protocol::Hmp]);
        assert_eq!(sa.monitors[1].dev, Chardev::Stdio);
    }
}
