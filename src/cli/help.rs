//! `--help` text, laid out from a clap command's own description of its arguments but with
//! each option spelled as the command documents it (`-cpu MODEL`, QEMU's way), which clap's
//! renderer cannot do.

use super::qemu_args::OptionTable;
use clap::{Arg, Command};
use std::fmt::Write as _;

/// Descriptions start in this column unless a spelling is wider.
const MAX_SPEC: usize = 28;

/// The help of a built `cmd`.
pub fn render(cmd: &Command, table: &OptionTable) -> String {
    let mut out = String::new();
    if let Some(about) = cmd.get_about() {
        let _ = writeln!(out, "{about}\n");
    }
    let _ = writeln!(out, "{}", cmd.clone().render_usage());
    let positionals: Vec<(String, String)> = cmd
        .get_positionals()
        .filter(|a| !a.is_hide_set())
        .map(|a| {
            let name = value_names(a).unwrap_or_else(|| a.get_id().to_string().to_uppercase());
            let many = a.get_num_args().is_some_and(|r| r.max_values() > 1);
            (if many { format!("{name}...") } else { name }, help_of(a))
        })
        .collect();
    let commands: Vec<(String, String)> = cmd
        .get_subcommands()
        .filter(|c| !c.is_hide_set())
        .map(|c| (c.get_name().to_string(), c.get_about().map(|s| s.to_string()).unwrap_or_default()))
        .collect();
    let options: Vec<(String, String)> = cmd
        .get_arguments()
        .filter(|a| !a.is_positional() && !a.is_hide_set())
        .map(|a| (spec(a, table), help_of(a)))
        .collect();
    for (title, rows) in [("Commands", &commands), ("Arguments", &positionals), ("Options", &options)] {
        section(&mut out, title, rows);
    }
    if let Some(after) = cmd.get_after_help() {
        let _ = writeln!(out, "\n{after}");
    }
    out
}

fn section(out: &mut String, title: &str, rows: &[(String, String)]) {
    if rows.is_empty() {
        return;
    }
    let width = rows.iter().map(|(s, _)| s.len()).filter(|&n| n <= MAX_SPEC).max().unwrap_or(0);
    let _ = writeln!(out, "\n{title}:");
    for (s, h) in rows {
        if s.len() > width {
            let _ = writeln!(out, "  {s}\n  {:width$}  {h}", "");
        } else {
            let _ = writeln!(out, "  {s:width$}  {h}");
        }
    }
}

/// `-M, -machine MACHINE`.
fn spec(a: &Arg, table: &OptionTable) -> String {
    let mut names: Vec<String> = a.get_short().map(|s| format!("-{s}")).into_iter().collect();
    names.extend(a.get_visible_short_aliases().unwrap_or_default().into_iter().map(|s| format!("-{s}")));
    names.extend(
        a.get_long().into_iter().chain(a.get_visible_aliases().unwrap_or_default()).map(|l| table.shown_long(l)),
    );
    let mut s = names.join(", ");
    if a.get_num_args().is_some_and(|r| r.takes_values()) {
        if let Some(v) = value_names(a) {
            s.push(' ');
            s.push_str(&v);
        }
    }
    s
}

fn value_names(a: &Arg) -> Option<String> {
    let names = a.get_value_names()?;
    Some(names.iter().map(|n| n.to_string()).collect::<Vec<_>>().join(" "))
}

fn help_of(a: &Arg) -> String {
    a.get_help().map(|h| h.to_string()).unwrap_or_default()
}
