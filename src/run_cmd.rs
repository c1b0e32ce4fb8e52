//! `specemu run [-L SYSROOT] [-E VAR=VALUE] [-U VAR] [-0 ARGV0] [-cpu CPU] [-strace] [-d ITEMS]
//! [-accel jit|interp|check] [-g PORT] [--] PROG [ARGS...]`: runs a Linux program of another architecture (chosen from its ELF
//! header), passing stdin, stdout, stderr, the exit status and a fatal signal through like a
//! native program. `-g PORT` waits for gdb on 127.0.0.1:PORT before the first instruction.

use anyhow::{bail, Context as _};
use specemu_runtime::user::run::{run_debug, Accel, GuestEnd, RunOptions};
use specemu_runtime::user::signal::die_by_signal;

pub const USAGE: &str =
    "usage: specemu run [-L SYSROOT] [-E VAR=VALUE] [-U VAR] [-0 ARGV0] [-strace] [-perfmap] [-d ITEMS] [-accel jit|interp|check] [-g PORT] [--] PROG [ARGS...]";

pub fn run(args: &[String]) -> anyhow::Result<i32> {
    let mut opts = RunOptions::default();
    let mut gdb_port = None;
    let mut i = 0;
    // The guest inherits the host environment unless -E/-U change it.
    opts.env = std::env::vars_os().map(|(k, v)| format!("{}={}", k.to_string_lossy(), v.to_string_lossy())).collect();
    while i < args.len() {
        let a = args[i].as_str();
        let mut val = || -> anyhow::Result<String> {
            i += 1;
            args.get(i).cloned().with_context(|| format!("{a} needs a value"))
        };
        match a {
            "-L" => opts.sysroot = Some(val()?.into()),
            "-E" => {
                let kv = val()?;
                let key = kv.split('=').next().unwrap_or("").to_string();
                opts.env.retain(|e| e.split('=').next() != Some(&key));
                opts.env.push(kv);
            }
            "-U" => {
                let key = val()?;
                opts.env.retain(|e| e.split('=').next() != Some(&key));
            }
            "-0" => opts.argv0 = Some(val()?),
            "-cpu" | "--cpu" => {
                opts.cpu = Some(val()?);
            }
            "-strace" => opts.strace = true,
            "-perfmap" => opts.perfmap = true,
            "-g" => {
                let v = val()?;
                let port: u16 = v.parse().map_err(|_| anyhow::anyhow!("-g {v}: not a port number"))?;
                gdb_port = Some(port);
            }
            "-accel" | "--accel" => {
                let v = val()?;
                opts.accel = Accel::parse(&v)
                    .with_context(|| format!("unknown accelerator `{v}` (known: jit, interp, check)"))?;
            }
            "-d" => {
                for item in val()?.split(',') {
                    match item {
                        "in_asm" => opts.log_in_asm = true,
                        "op" => opts.log_op = true,
                        "op_opt" => opts.log_op_opt = true,
                        "out_asm" => opts.log_out_asm = true,
                        "exec" => opts.log_exec = true,
                        other => bail!("unknown -d item `{other}` (known: in_asm, op, op_opt, out_asm, exec)"),
                    }
                }
            }
            "--" => {
                i += 1;
                break;
            }
            s if s.starts_with('-') => bail!("unknown option `{s}`\n{USAGE}"),
            _ => break,
        }
        i += 1;
    }
    let Some(prog) = args.get(i) else {
        bail!("{USAGE}");
    };
    let guest_args: Vec<String> = args[i..].to_vec();
    // As qemu-user's -g: listen, and wait for gdb before the program starts.
    let debugger = match gdb_port {
        Some(port) => Some(crate::gdb::start_user(crate::gdb::listen(&format!("127.0.0.1:{port}"))?)?),
        None => None,
    };
    match run_debug(prog, &guest_args, &opts, debugger)? {
        GuestEnd::Exited(code) => Ok(code & 0xff),
        GuestEnd::Signaled(sig) => die_by_signal(sig),
    }
}
