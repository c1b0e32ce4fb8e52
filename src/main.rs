//! The `specemu` binary: picks the subcommand from the first word and hands the rest to its
//! module (`run`, `system-NAME` for each architecture with a system mode, `disas`, `as`,
//! `objdump-diff`), and answers the
//! top-level options itself: `-cpu help`, `-d help`, `-version`, `-help`. Each module parses
//! its own options (QEMU's single-dash spellings, through `specemu::cli`). Prints errors and
//! sets the exit status.

use clap::{Arg, ArgAction, Command};
use specemu::cli::{self, LogMode, Message, Style};
use specemu::{as_cmd, disas_cmd, objdump_diff, run_cmd, system_cmd};

use std::process::ExitCode;

/// mimalloc rather than the C library's allocator: translating and compiling a block
/// allocates and frees a few dozen small lists, and glibc's malloc and free took 10-13% of
/// a short Python run's host instructions.
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The top-level command: its own options, and the subcommands for `--help` and for clap's
/// suggestion when a subcommand name is mistyped.
fn command() -> Command {
    let mut c = Command::new("specemu")
        .bin_name("specemu")
        .about("A CPU emulator whose guest instruction sets are described in spec files")
        .version(env!("CARGO_PKG_VERSION"))
        .override_usage("specemu COMMAND [OPTIONS] ...\n       specemu -cpu help | -d help | -version | -help")
        .after_help("Each command has its own -help (specemu run -help); specemu help COMMAND shows it too.")
        .disable_help_subcommand(true)
        .args_conflicts_with_subcommands(true)
        .arg(Arg::new("cpu").long("cpu").value_name("help").help("List the CPU models and disassembler cores"))
        .arg(Arg::new("log").short('d').value_name("help").help("List the -d log items"))
        .subcommand(run_cmd::command());
    for (name, _, _) in system_cmd::commands() {
        c = c.subcommand(system_cmd::command(name));
    }
    c.subcommand(disas_cmd::command())
        .subcommand(as_cmd::command())
        .subcommand(objdump_diff::command())
        .subcommand(Command::new("help").about("Show a command's help").arg(Arg::new("command").action(ArgAction::Set)))
}

/// The help of the subcommand `name` (None: no such subcommand).
fn sub_help(name: &str) -> Option<String> {
    let (cmd, style) = match name {
        "run" => (run_cmd::command(), Style::Qemu),
        "disas" => (disas_cmd::command(), Style::Gnu),
        "as" => (as_cmd::command(), Style::Gnu),
        "objdump-diff" => (objdump_diff::command(), Style::Gnu),
        _ => (system_cmd::command(system_name(name)?), Style::Qemu),
    };
    Some(cli::help_text(cmd, style))
}

/// `name` as a `system-NAME` command of the architecture list.
fn system_name(name: &str) -> Option<&'static str> {
    system_cmd::commands().into_iter().map(|c| c.0).find(|&c| c == name)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (first, rest) = match args.split_first() {
        Some((f, r)) => (f.as_str(), r),
        None => ("", &[][..]),
    };
    let result = match first {
        "run" => run_cmd::run(rest),
        "disas" => disas_cmd::run(rest).map(|()| 0),
        "as" => as_cmd::run(rest).map(|()| 0),
        "objdump-diff" => objdump_diff::run(rest).map(|()| 0),
        _ => match system_name(first) {
            Some(name) => system_cmd::run(name, rest),
            None => top_level(&args),
        },
    };
    match result {
        Ok(code) => ExitCode::from(code as u8),
        Err(e) => match e.downcast_ref::<Message>() {
            Some(m) => {
                m.print();
                ExitCode::from(m.status())
            }
            None => {
                eprintln!("specemu: {e:#}");
                ExitCode::from(1)
            }
        },
    }
}

/// `specemu` without a subcommand: `-cpu help`, `-d help`, `--version`, `--help`, `help CMD`.
fn top_level(args: &[String]) -> anyhow::Result<i32> {
    let parsed = cli::parse_with::<()>(command(), Style::Qemu, args)?;
    let m = &parsed.matches;
    if let Some(("help", sub)) = m.subcommand() {
        let text = match sub.get_one::<String>("command") {
            None => cli::help_text(command(), Style::Qemu),
            Some(name) => sub_help(name).ok_or_else(|| {
                let msg = format!("unrecognized subcommand '{name}'");
                cli::usage_error(command(), clap::error::ErrorKind::InvalidSubcommand, &msg)
            })?,
        };
        cli::out(&text);
        return Ok(0);
    }
    if let Some(v) = m.get_one::<String>("cpu") {
        if !cli::is_help(v) {
            anyhow::bail!("-cpu {v}: give a command (specemu run -cpu {v} ...); specemu -cpu help lists the models");
        }
        disas_cmd::list_cpus();
        return Ok(0);
    }
    if let Some(v) = m.get_one::<String>("log") {
        if !cli::is_help(v) {
            anyhow::bail!("-d {v}: give a command (specemu run -d {v} ...); specemu -d help lists the items");
        }
        cli::out(&cli::log_help(LogMode::Both));
        return Ok(0);
    }
    // No command and no option: as before, the help as an error.
    Err(Message { text: cli::help_text(command(), Style::Qemu), is_error: true }.into())
}
