//! `specemu-xtensa-import CORE-ISA.H NAME`: prints the specemu core overlay (`.core` file)
//! of a Tensilica `core-isa.h`. Owns only the command line; the importer is the library.

use std::process::ExitCode;

const USAGE: &str = "usage:
  specemu-xtensa-import CORE-ISA.H NAME   print a .core file (e.g. > isa-specs/xtensa/cores/NAME.core)";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.as_slice() {
        [flag] if matches!(flag.as_str(), "-h" | "--help" | "help") => {
            println!("{USAGE}");
            ExitCode::SUCCESS
        }
        [h, name] => {
            let text = match std::fs::read_to_string(h) {
                Ok(t) => t,
                Err(e) => {
                    eprintln!("{h}: {e}");
                    return ExitCode::from(2);
                }
            };
            match specemu_xtensa_import::import_overlay(&text, name) {
                Ok(core) => {
                    print!("{core}");
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("{h}:{}: {}", e.line, e.message);
                    ExitCode::from(2)
                }
            }
        }
        _ => {
            eprintln!("{USAGE}");
            ExitCode::from(2)
        }
    }
}
