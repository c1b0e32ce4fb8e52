//! Running a Linux program in user mode, for any architecture in the list: follow `#!` lines,
//! read the ELF header, hand the program to its architecture's CPU loop
//! ([`cpu_loop::run_as`]), and go on with the next program when the guest calls `execve` on
//! a guest program (in this process, as a library: the old guest's memory, translations and
//! close-on-exec files go; the process, its pid and its other files stay).
//!
//! Owns the options of `specemu run` and the program-to-program hand-off; it must not know
//! an architecture (the list in `targets` and `arch::LinuxTarget` say everything).

use super::elf::{self, ElfError};
use std::path::{Path, PathBuf};

mod check;
pub mod cpu_loop;
mod debugger;
pub mod exec;
mod regions;
mod signals;

/// Options of `specemu run`.
#[derive(Debug, Clone, Default)]
pub struct RunOptions {
    pub sysroot: Option<PathBuf>,
    /// The guest's initial environment (`VAR=VALUE`).
    pub env: Vec<String>,
    pub strace: bool,
    /// argv[0] for the guest when it differs from the program path (`-0`).
    pub argv0: Option<String>,
    /// `-d` items: in_asm, op, op_opt, out_asm, exec, insns.
    pub log_in_asm: bool,
    pub log_op: bool,
    pub log_op_opt: bool,
    pub log_out_asm: bool,
    pub log_exec: bool,
    /// `-d insns`: print the guest instructions a program executed when it ends (counted by
    /// the interpreter, so only with `-accel interp`).
    pub log_insns: bool,
    /// The execution backend (`-accel`).
    pub accel: Accel,
    /// `-cpu MODEL[,PROP=VALUE...]` as given; the program's architecture parses it.
    pub cpu: Option<String>,
    /// `-perfmap`: write `/tmp/perf-PID.map` naming each compiled block, for `perf report`.
    pub perfmap: bool,
    /// The process exits when the guest does (the `specemu` binary, not a test running
    /// many guests): the translated blocks are left for the exit to free.
    pub exit_with_guest: bool,
}

/// Which backend runs translated blocks (`-accel jit|interp|check`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Accel {
    /// The x86-64 JIT (the default), with block chaining.
    #[default]
    Jit,
    /// The IR interpreter.
    Interp,
    /// Both, block by block: each block runs compiled, then again interpreted from the same
    /// state, and the first difference in registers, memory written or exit is reported.
    Check,
}

impl Accel {
    pub fn parse(s: &str) -> Option<Accel> {
        match s {
            "jit" | "tcg" => Some(Accel::Jit),
            "interp" => Some(Accel::Interp),
            "check" => Some(Accel::Check),
            _ => None,
        }
    }
    pub fn name(self) -> &'static str {
        match self {
            Accel::Jit => "jit",
            Accel::Interp => "interp",
            Accel::Check => "check",
        }
    }
}

/// How the guest ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GuestEnd {
    Exited(i32),
    /// Killed by a signal (Linux number on the host).
    Signaled(i32),
}

#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error(transparent)]
    Elf(#[from] ElfError),
    #[error("{0}")]
    Other(String),
}

/// A program to run: the file, its argument vector (argv[0] included) and environment.
#[derive(Debug, Clone)]
pub struct Program {
    pub path: String,
    pub args: Vec<String>,
    pub env: Vec<String>,
}

/// What a CPU loop ended with.
#[derive(Debug)]
pub enum Outcome {
    End(GuestEnd),
    /// The guest called `execve` on a guest program: run it next, in this process.
    Exec(Program),
}

/// Exit status of `-accel check` when the backends differ.
pub const CHECK_FAILED: i32 = 125;

/// Run a Linux program to its end. `args[0]` is the program path as given.
pub fn run(path: &str, args: &[String], opts: &RunOptions) -> Result<GuestEnd, RunError> {
    run_debug(path, args, opts, None)
}

/// [`run`] under a debugger (`specemu run -g`) when `debugger` is given: the program stops
/// before its first instruction and serves the debugger through the link.
pub fn run_debug(
    path: &str,
    args: &[String],
    opts: &RunOptions,
    mut debugger: Option<crate::debug::link::Local>,
) -> Result<GuestEnd, RunError> {
    let mut args = args.to_vec();
    if let (Some(a0), Some(first)) = (&opts.argv0, args.first_mut()) {
        first.clone_from(a0);
    }
    let mut prog = Program { path: path.to_string(), args, env: opts.env.clone() };
    loop {
        let (path, args) = resolve_script(&prog.path, &prog.args, opts.sysroot.as_deref())?;
        let data = elf::read(Path::new(&path))?;
        let kind = elf::kind(data.bytes(), &path)?;
        drop(data);
        let Some(run) = crate::arch::for_elf(kind).and_then(|a| a.linux_user) else {
            return Err(RunError::Other(format!(
                "{path}: no Linux user mode for this architecture (ELF machine {}, {}-bit, {}-endian)",
                kind.machine,
                if kind.is_64 { 64 } else { 32 },
                if kind.big_endian { "big" } else { "little" }
            )));
        };
        match run(Program { path, args, env: prog.env }, opts, &mut debugger)? {
            Outcome::End(end) => return Ok(end),
            Outcome::Exec(next) => prog = next,
        }
    }
}

/// gdb's view of the architecture of the program at `path` (after its `#!` lines), for a
/// debugger that connects before the program is loaded.
pub fn gdb_info(path: &str, sysroot: Option<&Path>) -> Result<crate::arch::GdbInfo, RunError> {
    let (path, _) = resolve_script(path, &[path.to_string()], sysroot)?;
    let data = elf::read(Path::new(&path))?;
    let kind = elf::kind(data.bytes(), &path)?;
    crate::arch::for_elf(kind)
        .and_then(|a| a.gdb)
        .ok_or_else(|| RunError::Other(format!("{path}: the gdb stub does not know this architecture")))
}

/// Follow `#!` lines: the program to load and its argument vector.
pub(crate) fn resolve_script(
    path: &str,
    args: &[String],
    sysroot: Option<&Path>,
) -> Result<(String, Vec<String>), RunError> {
    let mut path = path.to_string();
    let mut args = args.to_vec();
    for _ in 0..4 {
        let Some(line) = exec::shebang(Path::new(&path)).map_err(|err| ElfError::Io { path: path.clone(), err })?
        else {
            return Ok((path, args));
        };
        let (interp, opt) = line;
        if interp.is_empty() {
            return Err(RunError::Other(format!("{path}: empty #! line")));
        }
        let mut new_args = vec![interp.clone()];
        new_args.extend(opt);
        new_args.push(path.clone());
        new_args.extend(args.iter().skip(1).cloned());
        args = new_args;
        path = exec::in_sysroot(&interp, sysroot);
    }
    Err(RunError::Other(format!("{path}: too many levels of #! interpreters")))
}
