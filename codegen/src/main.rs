//! `specemu-codegen`: tools for spec authors: `check`, `dump` and `tree`. (A core file from a
//! Tensilica `core-isa.h` is written by `specemu-xtensa-import`, tools/xtensa-core-import.)

use std::path::{Path, PathBuf};
use std::process::ExitCode;

const USAGE: &str = "usage:
  specemu-codegen check DIR [--cores DIR]...      check a spec folder, print diagnostics
  specemu-codegen dump DIR [--cores DIR]...       print the generated Rust
  specemu-codegen tree DIR [CORE] [--cores DIR]... print the decision tree of a core
(core files from a vendor's configuration header: the tools in tools/)";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(code) => code,
        Err(msg) => {
            eprintln!("{msg}");
            ExitCode::from(2)
        }
    }
}

fn split_cores(args: &[String]) -> (Vec<String>, Vec<PathBuf>) {
    let mut pos = Vec::new();
    let mut cores = Vec::new();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        if a == "--cores" {
            if let Some(d) = it.next() {
                cores.push(PathBuf::from(d));
            }
        } else {
            pos.push(a.clone());
        }
    }
    (pos, cores)
}

fn base() -> Option<PathBuf> {
    std::env::current_dir().ok()
}

fn run(args: &[String]) -> Result<ExitCode, String> {
    let Some(cmd) = args.first() else {
        return Err(USAGE.to_string());
    };
    let (pos, cores) = split_cores(&args[1..]);
    match cmd.as_str() {
        "check" | "dump" | "tree" => {
            let dir = pos.first().ok_or(USAGE)?;
            let dir = Path::new(dir);
            let dir = dir.canonicalize().map_err(|e| format!("{}: {e}", dir.display()))?;
            match specemu_codegen::generate(&dir, &cores) {
                Err(d) => {
                    eprint!("{}", d.render(base().as_deref()));
                    Ok(ExitCode::from(1))
                }
                Ok(g) => {
                    eprint!("{}", g.warnings.render(base().as_deref()));
                    match cmd.as_str() {
                        "dump" => print!("{}", g.code),
                        "tree" => {
                            let core = pos.get(1).cloned().unwrap_or_else(|| g.variants[0].clone());
                            let t = g
                                .trees
                                .get(&core)
                                .ok_or_else(|| format!("no core `{core}`; cores: {}", g.variants.join(", ")))?;
                            print!("{t}");
                        }
                        _ => println!(
                            "{}: ok ({} core{}: {})",
                            g.isa,
                            g.variants.len(),
                            if g.variants.len() == 1 { "" } else { "s" },
                            g.variants.join(", ")
                        ),
                    }
                    Ok(ExitCode::SUCCESS)
                }
            }
        }
        "-h" | "--help" | "help" => {
            println!("{USAGE}");
            Ok(ExitCode::SUCCESS)
        }
        other => Err(format!("unknown command `{other}`\n{USAGE}")),
    }
}
