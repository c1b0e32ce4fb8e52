//! The `specemu` command line (hermetic): every command's `--help`, suggestions for mistyped
//! options in QEMU's spelling, `-cpu help`, `-M help`, `-d help`, `-version`, the guest's own
//! arguments passing through untouched, `-E`/`-U` in command-line order, and the command lines
//! the other tests and the runtime's execve use, parsed as they were before clap.

use specemu::run_cmd::{self, RunArgs};
use specemu::system_cmd;
use std::path::PathBuf;
use std::process::{Command, Output};

fn specemu(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_specemu")).args(args).output().expect("run specemu")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Succeeds and prints on stdout.
fn ok_stdout(args: &[&str]) -> String {
    let o = specemu(args);
    assert!(o.status.success(), "specemu {args:?} failed: {o:?}");
    stdout(&o)
}

fn words(s: &str) -> Vec<String> {
    s.split_whitespace().map(String::from).collect()
}

fn guest(name: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/guests/bin").join(name).display().to_string()
}

#[test]
fn every_command_has_help_listing_its_options() {
    let cases: &[(&[&str], &[&str])] = &[
        (&["--help"], &["run", "system-mips", "system-mipsel", "disas", "objdump-diff", "-cpu help", "-d help"]),
        (&["run", "--help"], &["-L SYSROOT", "-E VAR=VALUE", "-U VAR", "-0 ARGV0", "-cpu MODEL", "-strace", "-g PORT"]),
        (&["run", "-help"], &["-accel ACCEL", "-perfmap", "-d ITEMS", "PROG", "ARGS"]),
        (
            &["system-mips", "--help"],
            &["-M, -machine MACHINE", "-cpu MODEL", "-kernel FILE", "-qmp DEV", "--preconfig"],
        ),
        (&["system-mipsel", "-h"], &["little-endian", "-monitor DEV", "-gdb DEV", "-nographic", "-S ", "-s "]),
        (&["disas", "--help"], &["--cpu CORE", "FILE.elf"]),
        (&["objdump-diff", "--help"], &["--cpu CORE", "--only", "--examples N", "OBJDUMP-LISTING"]),
        (&["help", "run"], &["-L SYSROOT"]),
    ];
    for (args, wanted) in cases {
        let out = ok_stdout(args);
        assert!(out.contains("Usage: specemu"), "specemu {args:?}: no usage line:\n{out}");
        for w in *wanted {
            assert!(out.contains(w), "specemu {args:?}: no `{w}` in:\n{out}");
        }
        // One line per option, each with a description.
        for line in out.lines().filter(|l| l.starts_with("  -")) {
            assert!(line.trim().contains("  "), "specemu {args:?}: option without a description: {line}");
        }
    }
}

#[test]
fn a_mistyped_option_gets_a_suggestion_in_qemu_spelling() {
    let o = specemu(&["run", "-cpux", "24Kf", "x"]);
    let err = stderr(&o);
    assert!(!o.status.success());
    assert!(err.contains("'-cpux'"), "the option as typed: {err}");
    assert!(err.contains("similar argument exists: '-cpu'"), "a suggestion naming -cpu: {err}");
    assert!(!err.contains("--cpu"), "QEMU's spelling, not clap's: {err}");
    let o = specemu(&["system-mips", "-kernal", "k.elf"]);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("'-kernel'"), "{}", stderr(&o));
    // disas documents --cpu, and says so.
    let o = specemu(&["disas", "--cpux", "lx106", "f.elf"]);
    assert!(!o.status.success() && stderr(&o).contains("'--cpu'"), "{}", stderr(&o));
    let o = specemu(&["sytem-mips"]);
    assert!(!o.status.success() && stderr(&o).contains("'system-mips'"), "{}", stderr(&o));
}

#[test]
fn usage_errors_exit_non_zero() {
    for args in [&["run"][..], &["run", "-cpu"], &["system-mips", "-M"], &["disas"], &["objdump-diff", "x"], &["bogus"]]
    {
        let o = specemu(args);
        assert_eq!(o.status.code(), Some(1), "specemu {args:?}: {o:?}");
        assert!(stderr(&o).starts_with("error: "), "specemu {args:?}: {}", stderr(&o));
    }
    assert!(stderr(&specemu(&["run"])).contains("PROG"));
}

#[test]
fn help_values_list_models_machines_and_log_items() {
    assert!(ok_stdout(&["-cpu", "help"]).contains("24Kf"));
    assert!(ok_stdout(&["--cpu", "help"]).contains("lx106"));
    assert!(ok_stdout(&["run", "-cpu", "help"]).contains("24Kf"));
    let machines = ok_stdout(&["system-mips", "-M", "help"]);
    assert!(machines.contains("mipssim") && machines.contains("none"), "{machines}");
    assert!(ok_stdout(&["system-mipsel", "-machine", "help"]).contains("mipssim"));
    assert!(ok_stdout(&["system-mips", "-cpu", "help"]).contains("MIPS '24Kf'"));
    assert!(ok_stdout(&["system-mips", "-M", "none", "-cpu", "?"]).contains("MIPS '24Kf'"));
    let items = ok_stdout(&["-d", "help"]);
    for i in ["in_asm", "op", "op_opt", "out_asm", "exec", "int"] {
        assert!(items.lines().any(|l| l.starts_with(i)), "-d help: no {i} in:\n{items}");
    }
    assert!(!ok_stdout(&["run", "-d", "help"]).contains("int "), "user mode has no int item");
    assert!(ok_stdout(&["system-mips", "-d", "help"]).contains("int "));
}

#[test]
fn version() {
    let want = format!("specemu {}\n", env!("CARGO_PKG_VERSION"));
    assert_eq!(ok_stdout(&["-version"]), want);
    assert_eq!(ok_stdout(&["--version"]), want);
}

fn parse_run(s: &str) -> (specemu_runtime::user::run::RunOptions, String, Vec<String>, Option<u16>) {
    match run_cmd::parse_args(&words(s)).unwrap_or_else(|e| panic!("{s}: {e}")) {
        RunArgs::Run { opts, prog, guest_args, gdb_port } => (opts, prog, guest_args, gdb_port),
        other => panic!("{s}: {other:?}"),
    }
}

/// `specemu run PROG ARGS...` (no option first) takes a shorter road than clap; it must read
/// what clap reads: PROG, its arguments untouched, every option at its default.
#[test]
fn a_bare_program_line_reads_as_with_options_before_it() {
    let (bare, prog, args, port) = parse_run("PROG -cpu foo --help -- -E x");
    let (dashed, prog2, args2, port2) = parse_run("-- PROG -cpu foo --help -- -E x");
    assert_eq!((&prog, &args, port), (&prog2, &args2, port2));
    assert_eq!(args, words("PROG -cpu foo --help -- -E x"));
    assert_eq!(format!("{bare:?}"), format!("{dashed:?}"));
}

#[test]
fn guest_arguments_pass_untouched() {
    let (opts, prog, args, _) = parse_run("-cpu 24Kf PROG -cpu foo --help -- -E x");
    assert_eq!(opts.cpu.as_deref(), Some("24Kf"));
    assert_eq!(prog, "PROG");
    assert_eq!(args, words("PROG -cpu foo --help -- -E x"));
    let (_, prog, args, _) = parse_run("-strace -- -PROG -0 x");
    assert_eq!((prog.as_str(), args), ("-PROG", words("-PROG -0 x")));
    // A guest that ignores its arguments runs as if it had none.
    let o = specemu(&["run", &guest("hello-mipsel"), "-cpu", "foo", "--help", "-version"]);
    assert!(o.status.success(), "{o:?}");
    assert!(stdout(&o).starts_with("Hello from a specemu guest\n"), "{o:?}");
}

#[test]
fn environment_changes_apply_in_command_line_order() {
    let host = words("A=host B=host C=host");
    let changes = [
        ("set_env", "D=1".to_string()),
        ("unset_env", "A".to_string()),
        ("set_env", "A=2".to_string()),
        ("unset_env", "D".to_string()),
        ("set_env", "B=3".to_string()),
        ("unset_env", "C".to_string()),
    ];
    assert_eq!(run_cmd::guest_env(host, &changes), words("A=2 B=3"));
    // parse_args reads them in that order: -U after -E removes, -E after -U sets.
    let (opts, ..) = parse_run("-E SPECEMU_CLI_T=1 -U SPECEMU_CLI_T -E SPECEMU_CLI_U=2 PROG");
    assert!(!opts.env.iter().any(|e| e.starts_with("SPECEMU_CLI_T=")));
    assert!(opts.env.iter().any(|e| e == "SPECEMU_CLI_U=2"));
    let (opts, ..) = parse_run("-U SPECEMU_CLI_T -E SPECEMU_CLI_T=1 PROG");
    assert!(opts.env.iter().any(|e| e == "SPECEMU_CLI_T=1"));
}

/// The command lines of tests/*.rs and tests/qmp/qmp_conformance.py, and the form scripts use
/// (`specemu run [-L R] [-strace] [-cpu C] [-accel A] -0 ARGV0 -- PATH ARGS...`).
#[test]
fn existing_command_lines_parse_as_before() {
    let (opts, prog, args, port) = parse_run("-accel interp -g 1234 /g/prog a -b");
    assert_eq!((opts.accel.name(), port, prog.as_str()), ("interp", Some(1234), "/g/prog"));
    assert_eq!(args, words("/g/prog a -b"));
    let (opts, ..) = parse_run("-accel check -cpu 24Kf,qemu-fpu=on /g/prog");
    assert_eq!((opts.accel.name(), opts.cpu.as_deref()), ("check", Some("24Kf,qemu-fpu=on")));
    let (opts, prog, args, _) = parse_run("-L /sysroot -strace -cpu 24Kc -accel jit -0 -sh -- /bin/sh -c ls");
    assert_eq!(opts.sysroot.as_deref(), Some(std::path::Path::new("/sysroot")));
    assert!(opts.strace);
    assert_eq!((opts.argv0.as_deref(), prog.as_str()), (Some("-sh"), "/bin/sh"));
    assert_eq!(args, words("/bin/sh -c ls"));
    let (opts, ..) = parse_run("-d in_asm,op -d exec -perfmap PROG");
    assert!(opts.log_in_asm && opts.log_op && opts.log_exec && !opts.log_op_opt && opts.perfmap);

    let sys = |s: &str| {
        system_cmd::parse_args(system_cmd::commands().into_iter().find(|c| !c.2).unwrap().0, &words(s))
            .unwrap_or_else(|e| panic!("{s}: {e}"))
    };
    let sa = sys("-accel interp -M mipssim -display none -serial stdio -semihosting -S -kernel k.elf -gdb tcp::4321");
    let c = &sa.config;
    assert!(c.interp && c.serial_stdio && c.semihosting && c.start_paused && !c.big_endian);
    assert_eq!((c.machine.as_str(), c.kernel.as_deref()), ("mipssim", Some(std::path::Path::new("k.elf"))));
    assert_eq!(sa.gdb.as_deref(), Some("127.0.0.1:4321"));
    let sa = sys("-accel jit -M mipssim -nographic -semihosting -kernel k.elf");
    assert!(!sa.config.interp && sa.config.serial_stdio);
    let qmp = |n: u32| format!("unix:/tmp/q{n}.sock,server=on,wait=off");
    let sa = sys(&format!("-qmp {} -qmp {} -M none --preconfig -S -cpu 24Kf -m 1 -monitor stdio", qmp(0), qmp(1)));
    assert_eq!(sa.monitors.len(), 3);
    assert!(sa.config.preconfig && sa.config.start_paused);
    assert_eq!((sa.config.cpu.as_deref(), sa.config.ram_size), (Some("24Kf"), Some(1 << 20)));
}

/// A listing piped into a reader that closes early (`specemu -cpu help | head -1`) ends
/// quietly: no panic, no "Broken pipe" message (checked against a reader that reads nothing).
#[test]
fn listings_into_a_closed_pipe_end_quietly() {
    use std::process::Stdio;
    for args in [&["-cpu", "help"][..], &["-d", "help"], &["system-mips", "-M", "help"], &["run", "-cpu", "help"]] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_specemu"))
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("run specemu");
        // Close the read end before specemu writes (it may also finish first: both must pass).
        drop(child.stdout.take());
        let out = child.wait_with_output().expect("wait for specemu");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!err.contains("panicked") && !err.contains("Broken pipe"), "{args:?}: {err}");
        assert_eq!(out.status.code(), Some(0), "{args:?}: {err}");
    }
}
