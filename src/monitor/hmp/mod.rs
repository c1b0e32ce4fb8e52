//! The human monitor (HMP): one command line in, the text QEMU's monitor would print out.
//! Commands: `help|?`, `info status|registers|cpus`, `stop|s`, `cont|c`, `system_reset`,
//! `system_powerdown`, `quit|q`, `exit_preconfig`, `x`, `xp`. Parsing, messages ("unknown
//! command: 'x'", "x: extraneous characters at the end of line", `Try "help x" for more
//! information`, "Command 'x' not available until machine initialization has completed.") and
//! output layouts follow QEMU 7.2.
//!
//! Lines end in `\n` here; the transports turn them into `\r\n` as QEMU's monitor does. This
//! module must not know transports or QMP.

pub mod expr;
pub mod memdump;

use super::Shared;
use specemu_runtime::control::{RunState, VmControl};

/// What a command printed.
#[derive(Debug, Default)]
pub struct Output {
    pub text: String,
    /// The command was `quit`: the process is about to exit (no prompt follows).
    pub quit: bool,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Args {
    None,
    /// `/fmt addr`.
    FmtAddr,
    /// `[-a|vcpu]`.
    Registers,
    /// The rest of the line, optional.
    RestOfLine,
}

struct Cmd {
    /// Name and aliases, `|`-separated, as `help` prints them.
    name: &'static str,
    params: &'static str,
    help: &'static str,
    args: Args,
    /// Usable before the machine exists (QEMU's `p` flag).
    preconfig: bool,
}

const fn cmd(name: &'static str, params: &'static str, help: &'static str, args: Args, preconfig: bool) -> Cmd {
    Cmd { name, params, help, args, preconfig }
}

/// Top-level commands, sorted by name (QEMU's help order).
const COMMANDS: &[Cmd] = &[
    cmd("cont|c", "", "resume emulation", Args::None, false),
    cmd("exit_preconfig", "", "exit the preconfig state", Args::None, true),
    cmd("help|?", "[cmd]", "show the help", Args::RestOfLine, true),
    cmd("info", "[subcommand]", "show various information about the system state", Args::None, true),
    cmd("quit|q", "", "quit the emulator", Args::None, true),
    cmd("stop|s", "", "stop emulation", Args::None, false),
    cmd("system_powerdown", "", "send system power down event", Args::None, false),
    cmd("system_reset", "", "reset the system", Args::None, false),
    cmd("x", "/fmt addr", "virtual memory dump starting at 'addr'", Args::FmtAddr, false),
    cmd("xp", "/fmt addr", "physical memory dump starting at 'addr'", Args::FmtAddr, false),
];

const INFO_COMMANDS: &[Cmd] = &[
    cmd("cpus", "", "show infos for each CPU", Args::None, false),
    cmd(
        "registers",
        "[-a|vcpu]",
        "show the cpu registers (-a: show register info for all cpus; vcpu: specific vCPU to query; show the current CPU's registers if no argument is specified)",
        Args::Registers,
        false,
    ),
    cmd("status", "", "show the current VM status (running|paused)", Args::None, true),
];

fn matches(cmd: &Cmd, name: &str) -> bool {
    cmd.name.split('|').any(|n| n == name)
}

/// Run one command line. `cpu` is the current vCPU (QMP's `cpu-index`); None: the first.
pub fn execute(shared: &Shared, line: &str, cpu: Option<usize>) -> Output {
    let mut out = Output::default();
    run(shared, line, cpu, &mut out.text, &mut out.quit);
    out
}

fn run(shared: &Shared, line: &str, cpu: Option<usize>, out: &mut String, quit: &mut bool) {
    // Command name(s): up to a blank or '/'.
    let mut rest = line;
    let mut table = COMMANDS;
    let mut prefix = "";
    let cmd = loop {
        let trimmed = rest.trim_start();
        if trimmed.is_empty() {
            return;
        }
        let end = trimmed.find(|c: char| c == '/' || c.is_ascii_whitespace()).unwrap_or(trimmed.len());
        let name = &trimmed[..end];
        let after = &trimmed[end..];
        let typed = &line[..line.len() - after.len()];
        let Some(cmd) = table.iter().find(|c| matches(c, name)) else {
            out.push_str(&format!("unknown command: '{typed}'\n"));
            return;
        };
        if !cmd.preconfig && !shared.vm().machine_created() {
            out.push_str(&format!("Command '{typed}' not available until machine initialization has completed.\n"));
            return;
        }
        rest = after.trim_start();
        if cmd.name == "info" && !rest.is_empty() {
            table = INFO_COMMANDS;
            prefix = "info ";
            continue;
        }
        break cmd;
    };
    let typed = line[..line.len() - rest.len()].trim_end();
    if let Err(msg) = run_cmd(shared, cmd, prefix, rest, cpu, out, quit) {
        out.push_str(&format!("{msg}\nTry \"help {typed}\" for more information\n"));
    }
}

/// Err: an argument error, printed with the "Try help" line.
fn run_cmd(
    shared: &Shared,
    cmd: &Cmd,
    prefix: &str,
    args: &str,
    cpu: Option<usize>,
    out: &mut String,
    quit: &mut bool,
) -> Result<(), String> {
    let extraneous = || format!("{}: extraneous characters at the end of line", cmd.name);
    let current_cpu = || cpu.or_else(|| shared.vm().cpus().first().map(|c| c.index));
    match cmd.args {
        Args::None => {
            if !args.trim().is_empty() {
                return Err(extraneous());
            }
        }
        Args::RestOfLine => {}
        Args::FmtAddr => {
            let (fmt, rest) = {
                let mut defaults = shared.hmp_format();
                memdump::parse_format(args, &mut defaults)?
            };
            let (addr, rest) = expr::eval(rest, &|_| None)?;
            if !rest.trim().is_empty() {
                return Err(extraneous());
            }
            let physical = cmd.name == "xp";
            let vm = shared.vm();
            let cpu = current_cpu_of(&**vm, cpu);
            out.push_str(&memdump::dump(&**vm, fmt, addr, physical, cpu));
            return Ok(());
        }
        Args::Registers => {
            let rest = args.trim_start();
            let (all, rest) = match rest.strip_prefix("-a") {
                Some(r) if r.is_empty() || r.starts_with(char::is_whitespace) => (true, r.trim_start()),
                _ => (false, rest),
            };
            let vcpu = if rest.is_empty() {
                None
            } else {
                let (v, tail) = expr::eval(rest, &|_| None)?;
                if (v >> 32) & 0xffff_ffff != 0 {
                    return Err(format!("'{}' has failed: integer is for 32-bit values", cmd.name));
                }
                if !tail.trim().is_empty() {
                    return Err(extraneous());
                }
                Some(v as usize)
            };
            let vm = shared.vm();
            let cpus = vm.cpus();
            if all {
                for c in &cpus {
                    out.push_str(&format!("\nCPU#{}\n{}", c.index, vm.info_registers(c.index)));
                }
            } else if let Some(v) = vcpu {
                if cpus.iter().any(|c| c.index == v) {
                    out.push_str(&format!("\nCPU#{v}\n{}", vm.info_registers(v)));
                } else {
                    out.push_str(&format!("CPU#{v} not available\n"));
                }
            } else {
                match current_cpu_of(&**vm, cpu) {
                    Some(c) => out.push_str(&format!("\nCPU#{c}\n{}", vm.info_registers(c))),
                    None => out.push_str("No CPU available\n"),
                }
            }
            return Ok(());
        }
    }
    let full = format!("{prefix}{}", cmd.name);
    match full.as_str() {
        "cont|c" => error_line(out, shared.vm().cont()),
        "stop|s" => shared.vm().stop(),
        "system_reset" => shared.vm().reset(),
        "system_powerdown" => error_line(out, shared.vm().powerdown()),
        "quit|q" => {
            shared.vm().quit();
            *quit = true;
        }
        "exit_preconfig" => {
            let mut vm = shared.vm();
            if vm.machine_created() {
                out.push_str("Error: The command is permitted only before machine initialization\n");
            } else {
                error_line(out, vm.create_machine());
            }
        }
        "help|?" => help(args.trim(), out),
        "info" => list(INFO_COMMANDS, "info ", out),
        "info status" => {
            let state = shared.vm().state();
            let running = state == RunState::Running;
            out.push_str(&format!("VM status: {}", if running { "running" } else { "paused" }));
            if !running && state != RunState::Paused {
                out.push_str(&format!(" ({})", state.qmp_name()));
            }
            out.push('\n');
        }
        "info cpus" => {
            let current = current_cpu();
            for c in shared.vm().cpus() {
                let mark = if Some(c.index) == current { '*' } else { ' ' };
                out.push_str(&format!("{mark} CPU #{}: thread_id={}\n", c.index, c.thread_id));
            }
        }
        _ => out.push_str(&format!("unknown command: '{full}'\n")),
    }
    Ok(())
}

fn current_cpu_of(vm: &dyn VmControl, cpu: Option<usize>) -> Option<usize> {
    cpu.or_else(|| vm.cpus().first().map(|c| c.index))
}

fn error_line(out: &mut String, r: Result<(), String>) {
    if let Err(e) = r {
        out.push_str(&format!("Error: {e}\n"));
    }
}

fn list(table: &[Cmd], prefix: &str, out: &mut String) {
    for c in table {
        out.push_str(&format!("{prefix}{} {} -- {}\n", c.name, c.params, c.help));
    }
}

/// `help [cmd [subcmd]]`.
fn help(topic: &str, out: &mut String) {
    let words: Vec<&str> = topic.split_whitespace().collect();
    let Some(first) = words.first() else { return list(COMMANDS, "", out) };
    let Some(cmd) = COMMANDS.iter().find(|c| matches(c, first)) else {
        out.push_str(&format!("unknown command: '{first}'\n"));
        return;
    };
    if cmd.name == "info" {
        match words.get(1) {
            None => list(INFO_COMMANDS, "info ", out),
            Some(sub) => match INFO_COMMANDS.iter().find(|c| matches(c, sub)) {
                Some(c) => list(std::slice::from_ref(c), "info ", out),
                None => out.push_str(&format!("unknown command: 'info {sub}'\n")),
            },
        }
        return;
    }
    list(std::slice::from_ref(cmd), "", out);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::monitor::fake_vm::FakeVm;

    fn hmp(shared: &Shared, line: &str) -> String {
        execute(shared, line, None).text
    }

    #[test]
    fn dumps_match_qemu() {
        // Expected texts are qemu-system-mips 7.2's, with the same bytes at address 0.
        let sh = Shared::new(Box::new(FakeVm::new(true)));
        let cases = [
            ("xp /8xb 0", "0000000000000000: 0xff 0x0a 0x42 0x41 0x01 0x00 0x00 0x80\n"),
            ("xp /4xh 0", "0000000000000000: 0xff0a 0x4241 0x0100 0x0080\n"),
            ("xp /1xg 0", "0000000000000000: 0xff0a424101000080\n"),
            ("xp /3dw 0", "0000000000000000: 4278862401   16777344 2131581991\n"),
            ("xp /3ow 0", "0000000000000000: 037702441101  0100000200 017703256047\n"),
            ("xp /2db 0", "0000000000000000: 255  10\n"),
            ("xp /2oh 0", "0000000000000000: 0177412 041101\n"),
            ("xp /2dg 0", "0000000000000000:   -69169997313736576  9155074940087566336\n"),
            (
                "xp /20cb 0",
                "0000000000000000: '\\xff' '\\n' 'B' 'A' '\\x01' '\\x00' '\\x00' '\\x80'\n\
                 0000000000000008: '\\x7f' '\\r' '\\\\' '\\'' '\\x00' '\\x00' '\\x00' '\\x00'\n\
                 0000000000000010: '\\x00' '\\x00' '\\x00' '\\x00'\n",
            ),
            // Format and size stick: bytes, as chars.
            ("xp /3 0", "0000000000000000: '\\xff' '\\n' 'B'\n"),
            ("x /2xg 0x80000000", "80000000: 0xff0a424101000080 0x7f0d5c2700000000\n"),
            ("x /2x -8", "fffffff8: Cannot access memory\n"),
            ("xp /2x -8", "fffffffffffffff8: Cannot access memory\n"),
            (
                "xp /3xg 0xffff0",
                "00000000000ffff0: 0x0000000000000000 0x0000000000000000\n0000000000100000: Cannot access memory\n",
            ),
            ("xp /2x 0x10+0x4*2", "0000000000000018: 0x0000000000000000 0x0000000000000000\n"),
            ("xp /0x 0", ""),
            ("xp /2zx 0", "invalid char in format: 'z'\nTry \"help xp\" for more information\n"),
            ("xp /x", "unexpected end of expression\nTry \"help xp\" for more information\n"),
            ("xp /x 0 1", "xp: extraneous characters at the end of line\nTry \"help xp\" for more information\n"),
            ("xp /x foo", "invalid char 'f' in expression\nTry \"help xp\" for more information\n"),
            ("xp /x $pc", "unknown register\nTry \"help xp\" for more information\n"),
        ];
        for (line, want) in cases {
            assert_eq!(hmp(&sh, line), want, "{line}");
        }
    }

    #[test]
    fn commands_match_qemu() {
        let sh = Shared::new(Box::new(FakeVm::new(true)));
        assert_eq!(hmp(&sh, "info status"), "VM status: running\n");
        assert_eq!(hmp(&sh, "s"), "");
        assert_eq!(hmp(&sh, "info status"), "VM status: paused\n");
        assert_eq!(hmp(&sh, "c"), "");
        assert_eq!(hmp(&sh, "info cpus"), "* CPU #0: thread_id=42\n");
        assert_eq!(hmp(&sh, "info registers"), "\nCPU#0\npc=0xbfc00000\n");
        assert_eq!(hmp(&sh, "info registers 3"), "CPU#3 not available\n");
        assert_eq!(
            hmp(&sh, "info registers x"),
            "invalid char 'x' in expression\nTry \"help info registers\" for more information\n"
        );
        assert_eq!(
            hmp(&sh, "info status extra"),
            "status: extraneous characters at the end of line\nTry \"help info status\" for more information\n"
        );
        assert_eq!(
            hmp(&sh, "stop extra"),
            "stop|s: extraneous characters at the end of line\nTry \"help stop\" for more information\n"
        );
        assert_eq!(hmp(&sh, "bogus"), "unknown command: 'bogus'\n");
        assert_eq!(hmp(&sh, "info bogus"), "unknown command: 'info bogus'\n");
        assert_eq!(hmp(&sh, "help stop"), "stop|s  -- stop emulation\n");
        assert_eq!(hmp(&sh, "help nosuch"), "unknown command: 'nosuch'\n");
        assert_eq!(hmp(&sh, "help info status"), "info status  -- show the current VM status (running|paused)\n");
        assert_eq!(hmp(&sh, "? x"), "x /fmt addr -- virtual memory dump starting at 'addr'\n");
        assert_eq!(hmp(&sh, "  info   status  "), "VM status: running\n");
        assert_eq!(hmp(&sh, ""), "");
        assert_eq!(hmp(&sh, "system_powerdown"), "Error: this board has no power button\n");
        assert!(hmp(&sh, "help").contains("xp /fmt addr -- physical memory dump starting at 'addr'\n"));
    }

    #[test]
    fn preconfig() {
        let sh = Shared::new(Box::new(FakeVm::new(false)));
        assert_eq!(hmp(&sh, "info status"), "VM status: paused (prelaunch)\n");
        assert_eq!(
            hmp(&sh, "info cpus"),
            "Command 'info cpus' not available until machine initialization has completed.\n"
        );
        assert_eq!(hmp(&sh, "stop"), "Command 'stop' not available until machine initialization has completed.\n");
        assert_eq!(hmp(&sh, "exit_preconfig"), "");
        assert_eq!(hmp(&sh, "info status"), "VM status: running\n");
        assert_eq!(hmp(&sh, "exit_preconfig"), "Error: The command is permitted only before machine initialization\n");
    }

    #[test]
    fn any_line_is_safe() {
        let sh = Shared::new(Box::new(FakeVm::new(true)));
        let mut seed = 7u32;
        for _ in 0..3000 {
            let mut line = String::new();
            for _ in 0..(seed % 24) {
                seed = seed.wrapping_mul(1103515245).wrapping_add(12345);
                let pick = "x p/ 0123456789abcdefghiuwgLo$()+-*%&|^~'\" info registers status -a xp é\u{0}";
                line.push(pick.chars().nth((seed >> 16) as usize % pick.chars().count()).unwrap_or(' '));
            }
            seed = seed.wrapping_mul(1103515245).wrapping_add(12345);
            let _ = hmp(&sh, &line);
            if line.trim_start().starts_with('q') {
                continue;
            }
        }
    }
}
