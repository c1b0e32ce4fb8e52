//! What the subcommands' command lines share: QEMU-style words parsed by clap ([`parse`]),
//! the help, version and usage-error text that comes instead of options ([`Message`]), the
//! command-line order of repeated options ([`in_order`]) and the `-d` log items.
//!
//! Each subcommand declares its options as a clap derive struct in its own module and turns
//! them into the options its body takes; [`qemu_args`] rewrites QEMU's spellings first, and
//! [`help`] lays out `--help`.

pub mod help;
pub mod qemu_args;

use clap::error::ErrorKind;
use clap::parser::ValueSource;
use clap::{ArgMatches, Command, FromArgMatches};
use qemu_args::OptionTable;
pub use qemu_args::Style;

/// What a command line produced instead of options: help or the version (printed on stdout,
/// status 0), or a usage error (stderr, status 1, as QEMU and specemu's other errors).
#[derive(Debug)]
pub struct Message {
    /// Complete, ending in a newline.
    pub text: String,
    pub is_error: bool,
}

/// Write `text` to standard output. A closed pipe (`specemu -cpu help | head -3`) is not
/// an error worth reporting, nor a reason to panic as `print!` would.
pub fn out(text: &str) {
    use std::io::Write;
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
}

impl Message {
    pub fn print(&self) {
        if self.is_error {
            eprint!("{}", self.text);
        } else {
            out(&self.text);
        }
    }

    /// The process's exit status.
    pub fn status(&self) -> u8 {
        u8::from(self.is_error)
    }
}

impl std::fmt::Display for Message {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.text.trim_end())
    }
}

impl std::error::Error for Message {}

/// Options a command line gave, and clap's matches (where each word was).
#[derive(Debug)]
pub struct Parsed<T> {
    pub options: T,
    pub matches: ArgMatches,
}

/// Parse `args`, the words after the subcommand's name, with `T`'s own command.
pub fn parse<T: clap::Parser>(style: Style, args: &[String]) -> Result<Parsed<T>, Message> {
    parse_with(T::command(), style, args)
}

/// Parse `args` with `cmd` (`T`'s command, perhaps renamed) into `T`. A repeated option
/// overrides the earlier one, as in QEMU, unless its field collects every occurrence.
pub fn parse_with<T: FromArgMatches>(cmd: Command, style: Style, args: &[String]) -> Result<Parsed<T>, Message> {
    let mut cmd = cmd.args_override_self(true);
    cmd.build();
    let table = OptionTable::new(&cmd, style);
    let rewritten = table.rewrite(args);
    let argv = std::iter::once(cmd.get_name().to_string()).chain(rewritten.args.iter().cloned());
    let message = |e: clap::Error| match e.kind() {
        ErrorKind::DisplayHelp => Message { text: help::render(&cmd, &table), is_error: false },
        ErrorKind::DisplayVersion => Message { text: version(), is_error: false },
        _ => Message { text: table.respell(&without_value_tip(&e.render().to_string()), &rewritten), is_error: true },
    };
    let matches = cmd.clone().try_get_matches_from(argv).map_err(message)?;
    let options = T::from_arg_matches(&matches).map_err(|e| message(e.with_cmd(&cmd)))?;
    Ok(Parsed { options, matches })
}

/// clap's message for an unknown option, without its tip on passing the option as a value
/// (`use '-- -cpux'`) where it has found a similar option: that one is what was meant.
fn without_value_tip(text: &str) -> String {
    if !text.contains("a similar argument exists") {
        return text.to_string();
    }
    text.lines().filter(|l| !l.trim_start().starts_with("tip: to pass ")).map(|l| format!("{l}\n")).collect()
}

/// The `--help` text of `cmd`.
pub fn help_text(cmd: Command, style: Style) -> String {
    let mut cmd = cmd;
    cmd.build();
    help::render(&cmd, &OptionTable::new(&cmd, style))
}

/// A usage error that clap could not check itself, laid out as clap's own.
pub fn usage_error(cmd: Command, kind: ErrorKind, text: &str) -> Message {
    let mut cmd = cmd;
    Message { text: cmd.error(kind, text).render().to_string(), is_error: true }
}

/// `specemu --version`.
pub fn version() -> String {
    format!("specemu {}\n", env!("CARGO_PKG_VERSION"))
}

/// The values of the options `ids` (each a field collecting `String`s), in command-line
/// order: `(id, value)`.
pub fn in_order(m: &ArgMatches, ids: &[&'static str]) -> Vec<(&'static str, String)> {
    let mut all = Vec::new();
    for &id in ids {
        if let (Some(at), Some(values)) = (m.indices_of(id), m.get_many::<String>(id)) {
            all.extend(at.zip(values).map(|(i, v)| (i, id, v.clone())));
        }
    }
    all.sort_by_key(|(i, ..)| *i);
    all.into_iter().map(|(_, id, v)| (id, v)).collect()
}

/// Where on the command line the option `id` was last given (None: not given).
pub fn last_index(m: &ArgMatches, id: &str) -> Option<usize> {
    if m.value_source(id) != Some(ValueSource::CommandLine) {
        return None;
    }
    m.indices_of(id)?.next_back()
}

/// Which command's `-d` items to list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogMode {
    User,
    System,
    /// `specemu -d help`: both, marked.
    Both,
}

/// Which commands have a `-d` item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ItemModes {
    Both,
    UserOnly,
    SystemOnly,
}

/// `-d` items: name, what is logged, and which commands have it.
pub const LOG_ITEMS: &[(&str, &str, ItemModes)] = &[
    ("in_asm", "the guest instructions of each block when it is translated", ItemModes::Both),
    ("op", "each block's IR as translated", ItemModes::Both),
    ("op_opt", "each block's IR after optimization", ItemModes::Both),
    ("out_asm", "the host code the JIT generated for each block", ItemModes::Both),
    ("exec", "the guest address of each block as it runs (much output)", ItemModes::Both),
    ("int", "each interrupt and exception taken", ItemModes::SystemOnly),
    (
        "insns",
        "the number of guest instructions each program executed, when it ends (-accel interp)",
        ItemModes::UserOnly,
    ),
];

/// `-d help`: the log items, one a line, as QEMU lists them.
pub fn log_help(mode: LogMode) -> String {
    let mut s = String::from("Log items (comma separated):\n");
    for (name, what, modes) in LOG_ITEMS {
        let note = match (mode, modes) {
            (LogMode::User, ItemModes::SystemOnly) | (LogMode::System, ItemModes::UserOnly) => continue,
            (LogMode::Both, ItemModes::SystemOnly) => " (system mode only)",
            (LogMode::Both, ItemModes::UserOnly) => " (user mode only)",
            _ => "",
        };
        s.push_str(&format!("{name:<10} {what}{note}\n"));
    }
    s
}

/// Whether a `-cpu`, `-M` or `-d` value asks for the list (`help`, or QEMU's `?`).
pub fn is_help(value: &str) -> bool {
    value == "help" || value == "?"
}
