//! `specemu run [OPTIONS] [--] PROG [ARGS...]`: runs a Linux program of another architecture
//! (chosen from its ELF header), passing stdin, stdout, stderr, the exit status and a fatal
//! signal through like a native program. qemu-user's options: `-L SYSROOT`, `-E VAR=VALUE`,
//! `-U VAR`, `-0 ARGV0`, `-cpu MODEL|help`, `-strace`, `-perfmap`, `-d ITEMS|help`,
//! `-accel jit|interp|check`, `-g PORT` (wait for gdb on 127.0.0.1:PORT before the first
//! instruction).
//!
//! This file owns run's command line ([`RunCli`], parsed by [`parse_args`] into [`RunArgs`])
//! and hands the result to the user-mode runtime ([`run_parsed`]).

use anyhow::Context as _;
use clap::error::ErrorKind;
use specemu_runtime::user::run::{run_debug, Accel, GuestEnd, RunOptions};
use specemu_runtime::user::signal::die_by_signal;

use crate::cli::{self, LogMode, Style};

/// The options as clap reads them (QEMU's spellings are rewritten first: `-cpu` is `--cpu`).
#[derive(Debug, Default, clap::Parser)]
#[command(
    name = "run",
    bin_name = "specemu run",
    about = "Run a Linux program of another architecture (qemu-user's command line)",
    override_usage = "specemu run [OPTIONS] [--] PROG [ARGS]...\n       specemu run -cpu help | -d help"
)]
pub struct RunCli {
    /// Look for the program's interpreter and libraries under SYSROOT
    #[arg(short = 'L', value_name = "SYSROOT")]
    sysroot: Option<std::path::PathBuf>,
    /// Set VAR in the guest's environment (which starts as specemu's)
    #[arg(short = 'E', value_name = "VAR=VALUE")]
    set_env: Vec<String>,
    /// Remove VAR from the guest's environment
    #[arg(short = 'U', value_name = "VAR")]
    unset_env: Vec<String>,
    /// The guest's argv[0] (default: PROG)
    #[arg(short = '0', value_name = "ARGV0")]
    argv0: Option<String>,
    /// CPU model and properties, MODEL[,PROP=VALUE...] (-cpu help lists them)
    #[arg(long, value_name = "MODEL")]
    cpu: Option<String>,
    /// Log the guest's system calls to stderr
    #[arg(long)]
    strace: bool,
    /// Write /tmp/perf-PID.map, naming each compiled block for perf report
    #[arg(long)]
    perfmap: bool,
    /// Log ITEMS (comma separated) to stderr; -d help lists them
    #[arg(short = 'd', value_name = "ITEMS")]
    log: Vec<String>,
    /// Backend: jit (x86-64 JIT, default), interp (IR interpreter), check (both, compared)
    #[arg(long, value_name = "ACCEL")]
    accel: Option<String>,
    /// Wait for gdb on 127.0.0.1:PORT before the first instruction
    #[arg(short = 'g', value_name = "PORT")]
    gdb_port: Option<String>,
    /// The program (an ELF file; its header chooses the architecture)
    #[arg(value_name = "PROG")]
    prog: Option<String>,
    /// PROG's arguments, passed on untouched even where they look like options
    #[arg(value_name = "ARGS", trailing_var_arg = true)]
    args: Vec<String>,
}

/// What `specemu run`'s command line asked for.
#[derive(Debug)]
pub enum RunArgs {
    /// Run `prog`: `argv[0]` is `guest_args[0]` unless `-0` (in `opts`) says otherwise.
    Run { opts: RunOptions, gdb_port: Option<u16>, prog: String, guest_args: Vec<String> },
    /// `-cpu help`.
    CpuHelp,
    /// `-d help`.
    LogHelp,
}

/// The clap command of `specemu run` (for `specemu --help` and `specemu help run`).
pub fn command() -> clap::Command {
    <RunCli as clap::CommandFactory>::command()
}

/// Parse the words after `run`. Help and usage errors come back as a [`cli::Message`].
pub fn parse_args(args: &[String]) -> anyhow::Result<RunArgs> {
    // Building clap's parser costs a short program about a tenth of its start-up, so plain
    // QEMU spellings are read without it; anything else (help, errors) goes to clap.
    let (c, env_changes) = match quick_parse(args) {
        Some(quick) => quick,
        None => {
            let parsed = cli::parse::<RunCli>(Style::Qemu, args)?;
            let changes = cli::in_order(&parsed.matches, &["set_env", "unset_env"]);
            (parsed.options, changes)
        }
    };
    if c.cpu.as_deref().is_some_and(cli::is_help) {
        return Ok(RunArgs::CpuHelp);
    }
    if c.log.iter().any(|d| d.split(',').any(cli::is_help)) {
        return Ok(RunArgs::LogHelp);
    }
    let Some(prog) = c.prog else {
        let msg = "the following required arguments were not provided:\n  PROG";
        return Err(cli::usage_error(command(), ErrorKind::MissingRequiredArgument, msg).into());
    };
    let mut opts = RunOptions {
        // The guest inherits the host environment unless -E/-U change it.
        env: guest_env(host_env(), &env_changes),
        sysroot: c.sysroot,
        argv0: c.argv0,
        // The program's architecture parses it (its ELF header says which).
        cpu: c.cpu,
        strace: c.strace,
        perfmap: c.perfmap,
        exit_with_guest: true,
        ..RunOptions::default()
    };
    for item in c.log.iter().flat_map(|d| d.split(',')) {
        match item {
            "in_asm" => opts.log_in_asm = true,
            "op" => opts.log_op = true,
            "op_opt" => opts.log_op_opt = true,
            "out_asm" => opts.log_out_asm = true,
            "exec" => opts.log_exec = true,
            "insns" => opts.log_insns = true,
            other => {
                let known: Vec<&str> = (cli::LOG_ITEMS.iter())
                    .filter(|(_, _, m)| *m != cli::ItemModes::SystemOnly)
                    .map(|(n, _, _)| *n)
                    .collect();
                anyhow::bail!("unknown -d item `{other}` (known: {})", known.join(", "))
            }
        }
    }
    if let Some(v) = c.accel {
        opts.accel =
            Accel::parse(&v).with_context(|| format!("unknown accelerator `{v}` (known: jit, interp, check)"))?;
    }
    if opts.log_insns && opts.accel != Accel::Interp {
        anyhow::bail!("-d insns counts guest instructions in the interpreter: add -accel interp");
    }
    let gdb_port = match c.gdb_port {
        Some(v) => Some(v.parse::<u16>().map_err(|_| anyhow::anyhow!("-g {v}: not a port number"))?),
        None => None,
    };
    let guest_args = std::iter::once(prog.clone()).chain(c.args).collect();
    Ok(RunArgs::Run { opts, gdb_port, prog, guest_args })
}

/// `args` read as clap would read them, when they are the common case: QEMU's single-dash
/// spellings of run's options (each value a separate word not starting with `-`), then PROG
/// and its arguments untouched. `None` for anything else, which clap then parses, answers
/// (help) or refuses (with a suggestion). The test `quick_parse_agrees_with_clap` keeps the
/// two readings equal.
fn quick_parse(args: &[String]) -> Option<(RunCli, Vec<(&'static str, String)>)> {
    let mut c = RunCli::default();
    let mut changes = Vec::new();
    let mut words = args.iter();
    loop {
        let word = words.next()?;
        if !word.starts_with('-') {
            if word.is_empty() {
                return None;
            }
            c.prog = Some(word.clone());
            c.args = words.cloned().collect();
            return Some((c, changes));
        }
        match word.as_str() {
            "-strace" => c.strace = true,
            "-perfmap" => c.perfmap = true,
            option => {
                let value = words.next().filter(|v| !v.starts_with('-') && !cli::is_help(v))?.clone();
                match option {
                    "-L" => c.sysroot = Some(value.into()),
                    "-E" => {
                        c.set_env.push(value.clone());
                        changes.push(("set_env", value));
                    }
                    "-U" => {
                        c.unset_env.push(value.clone());
                        changes.push(("unset_env", value));
                    }
                    "-0" => c.argv0 = Some(value),
                    "-cpu" => c.cpu = Some(value),
                    "-d" => c.log.push(value),
                    "-accel" => c.accel = Some(value),
                    "-g" => c.gdb_port = Some(value),
                    _ => return None,
                }
            }
        }
    }
}

/// The host environment as `KEY=VALUE` strings (built without `format!`, which cost about
/// 800 host instructions more a variable at every start).
fn host_env() -> Vec<String> {
    (std::env::vars_os())
        .map(|(k, v)| {
            let (k, v) = (k.to_string_lossy(), v.to_string_lossy());
            let mut e = String::with_capacity(k.len() + 1 + v.len());
            e.push_str(&k);
            e.push('=');
            e.push_str(&v);
            e
        })
        .collect()
}

/// The guest's environment: `host` (`VAR=VALUE` strings), then each `-E VAR=VALUE`
/// (`("set_env", ..)`) and `-U VAR` (`("unset_env", ..)`) in command-line order.
pub fn guest_env(mut env: Vec<String>, changes: &[(&str, String)]) -> Vec<String> {
    for (what, v) in changes {
        let key = v.split('=').next().unwrap_or("");
        env.retain(|e| e.split('=').next() != Some(key));
        if *what == "set_env" {
            env.push(v.clone());
        }
    }
    env
}

/// `specemu run ARGS`: the exit status.
pub fn run(args: &[String]) -> anyhow::Result<i32> {
    run_parsed(parse_args(args)?)
}

/// Do what the command line asked for.
pub fn run_parsed(args: RunArgs) -> anyhow::Result<i32> {
    let (opts, gdb_port, prog, guest_args) = match args {
        RunArgs::CpuHelp => {
            print_cpu_models();
            return Ok(0);
        }
        RunArgs::LogHelp => {
            cli::out(&cli::log_help(LogMode::User));
            return Ok(0);
        }
        RunArgs::Run { opts, gdb_port, prog, guest_args } => (opts, gdb_port, prog, guest_args),
    };
    // As qemu-user's -g: listen, and wait for gdb before the program starts.
    let debugger = match gdb_port {
        Some(port) => {
            let info = specemu_runtime::user::run::gdb_info(&prog, opts.sysroot.as_deref())?;
            Some(crate::gdb::start_user(crate::gdb::listen(&format!("127.0.0.1:{port}"))?, info)?)
        }
        None => None,
    };
    match run_debug(&prog, &guest_args, &opts, debugger)? {
        GuestEnd::Exited(code) => Ok(code & 0xff),
        GuestEnd::Signaled(sig) => die_by_signal(sig),
    }
}

/// `specemu run -cpu help`: the CPU models of every architecture user mode runs, and their
/// properties.
fn print_cpu_models() {
    for a in specemu_runtime::targets::ARCHES {
        if let (Some(help), Some(_)) = (a.cpu_help, a.linux_user) {
            cli::out(&help());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(s: &str) -> Vec<String> {
        s.split_whitespace().map(String::from).collect()
    }

    /// Every command line the quick reading takes, it reads as clap does; the others go to clap.
    #[test]
    fn quick_parse_agrees_with_clap() {
        let taken = [
            "prog",
            "prog -cpu x --help -L y",
            "-accel jit prog a b",
            "-L /sys -E A=1 -U B -E C=2 -0 zero -cpu 24Kf -strace -perfmap -d in_asm -d exec -accel interp -g 1234 prog -x",
            "-cpu a -cpu b -accel check -accel jit prog",
        ];
        for line in taken {
            let args = words(line);
            let (quick, quick_changes) = quick_parse(&args).unwrap_or_else(|| panic!("`{line}` not read quickly"));
            let clap = cli::parse::<RunCli>(Style::Qemu, &args).unwrap();
            let clap_changes = cli::in_order(&clap.matches, &["set_env", "unset_env"]);
            assert_eq!(format!("{quick:?}"), format!("{:?}", clap.options), "{line}");
            assert_eq!(quick_changes, clap_changes, "{line}");
        }
        let left_to_clap =
            ["", "--cpu x prog", "-cpu help", "-cpux 24Kf prog", "-L -x prog", "-- prog", "-accel", "-h", "-strace"];
        for line in left_to_clap {
            assert!(quick_parse(&words(line)).is_none(), "`{line}` should go to clap");
        }
    }
}
