//! The `specemu` command line: QEMU-style options; subcommands choose what to do.
//! `specemu disas FILE.elf [--cpu CORE]` prints the executable sections like
//! `objdump -d --no-show-raw-insn`.

use specemu::{disas_cmd, objdump_diff, run_cmd, system_cmd};

use std::process::ExitCode;

const USAGE: &str = "usage:
  specemu run [-L SYSROOT] [-E VAR=VALUE] [-strace] [-d in_asm,op,exec] [-g PORT] PROG [ARGS...]
                                                     run a Linux program of another architecture
                                                     (-g: wait for gdb on 127.0.0.1:PORT first)
  specemu system-mips|system-mipsel [-M MACHINE] [-cpu MODEL] [-m MEGS] [-kernel FILE] [-S] [--preconfig]
          [-qmp DEV] [-monitor DEV] [-s] [-gdb tcp::PORT] [-serial stdio] [-nographic] [-semihosting] [-append ARGS]
          [-d in_asm,op,op_opt,exec,int] [-D LOGFILE]
                                                     system mode (QEMU's qemu-system-mips command line;
                                                     boards: -M mipssim, -M none)
  specemu disas [--cpu CORE | -cpu CORE] FILE.elf   disassemble every executable section
  specemu objdump-diff [--cpu CORE] [--only m1,m2] OBJDUMP-LISTING FILE.elf
                                                     compare with objdump's listing
  specemu -cpu help                                  list CPU models (cores)
  specemu --version";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("run") {
        return match run_cmd::run(&args[1..]) {
            Ok(code) => ExitCode::from(code as u8),
            Err(e) => {
                eprintln!("specemu: {e:#}");
                ExitCode::from(1)
            }
        };
    }
    if let Some(big_endian) = match args.first().map(String::as_str) {
        Some("system-mips") => Some(true),
        Some("system-mipsel") => Some(false),
        _ => None,
    } {
        return match system_cmd::run(big_endian, &args[1..]) {
            Ok(code) => ExitCode::from(code as u8),
            Err(e) => {
                eprintln!("specemu: {e:#}");
                ExitCode::from(1)
            }
        };
    }
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("specemu: {e:#}");
            ExitCode::from(1)
        }
    }
}

fn run(args: &[String]) -> anyhow::Result<()> {
    match args.first().map(String::as_str) {
        Some("disas") => disas_cmd::run(&args[1..]),
        Some("objdump-diff") => objdump_diff::run(&args[1..]),
        Some("-cpu") | Some("--cpu") if args.get(1).map(String::as_str) == Some("help") => {
            disas_cmd::list_cpus();
            Ok(())
        }
        Some("--version") | Some("-version") => {
            println!("specemu {}", env!("CARGO_PKG_VERSION"));
            Ok(())
        }
        Some("-h") | Some("--help") | Some("-help") => {
            println!("{USAGE}");
            Ok(())
        }
        _ => anyhow::bail!("{USAGE}"),
    }
}
