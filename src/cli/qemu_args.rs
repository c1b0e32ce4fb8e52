//! QEMU's option spellings rewritten into the form clap parses, and clap's messages spelled
//! back the way the user wrote them.
//!
//! QEMU writes every option with one dash (`-cpu 24Kf`, `-M none`, `-nographic`) and accepts
//! two as well (`--cpu`). clap would read `-cpu` as the one-letter flags `-c -p -u`, so before
//! parsing, [`rewrite`] turns each option word into clap's own spelling: `--name=VALUE` for a
//! long name, `-X=VALUE` for a one-letter one. The value is always the next word, verbatim
//! (joined with `=`, so one that starts with a dash, as in `-0 -sh`, stays a value).
//!
//! Where a command ends in `PROG [ARGS...]` (`specemu run`), the first word that is not an
//! option or an option's value ends the options: `--` goes in before it and the rest is copied
//! unchanged, so the guest's own arguments are never read as specemu's (`run PROG -cpu x
//! --help` gives PROG `-cpu x --help`). An explicit `--` does the same.
//!
//! [`OptionTable::respell`] maps clap's `--name` in help-adjacent text (errors, suggestions)
//! back to the spelling the command documents (`-cpu` for QEMU's commands) or, for an option
//! clap did not know, to the word the user typed.

use clap::Command;
use std::collections::HashMap;

/// How a command's options are written in its help and messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// QEMU's: one dash (`-cpu`, `-machine`), except `--help`, `--version` and `--preconfig`,
    /// which QEMU's own help writes with two.
    Qemu,
    /// GNU's: two dashes for long names (`--cpu`); one dash is still accepted.
    Gnu,
}

/// Long names that keep two dashes in [`Style::Qemu`].
const DOUBLE_DASH: &[&str] = &["help", "version", "preconfig"];

/// One option name: clap's spelling of it and whether it takes a value.
#[derive(Debug, Clone)]
struct Target {
    clap: String,
    takes_value: bool,
}

/// What to do at the first word that is neither an option nor an option's value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum AtPositional {
    /// Options may follow positionals (`disas FILE --cpu X`).
    Continue,
    /// `PROG [ARGS...]`: insert `--`, copy the rest unchanged.
    EndOptions,
    /// A subcommand name: copy it and the rest unchanged.
    Stop,
}

/// A command's options under every name a user may write them with.
#[derive(Debug)]
pub struct OptionTable {
    /// Name without dashes (`cpu`, `M`, `machine`) -> clap's spelling.
    by_name: HashMap<String, Target>,
    /// clap's spelling of a long name (`--cpu`) -> how help and errors write it (`-cpu`).
    display: HashMap<String, String>,
    at_positional: AtPositional,
}

impl OptionTable {
    /// The options of `cmd`, which must be built (`Command::build` adds `--help`).
    pub fn new(cmd: &Command, style: Style) -> OptionTable {
        let mut by_name = HashMap::new();
        let mut display = HashMap::new();
        for a in cmd.get_arguments().filter(|a| !a.is_positional()) {
            let takes_value = a.get_num_args().is_some_and(|r| r.takes_values());
            let shorts = a.get_short().into_iter().chain(a.get_all_short_aliases().unwrap_or_default());
            for s in shorts {
                by_name.insert(s.to_string(), Target { clap: format!("-{s}"), takes_value });
            }
            let longs = a.get_long().into_iter().chain(a.get_all_aliases().unwrap_or_default());
            for l in longs {
                let clap = format!("--{l}");
                let shown = match style {
                    Style::Qemu if !DOUBLE_DASH.contains(&l) => format!("-{l}"),
                    _ => clap.clone(),
                };
                display.insert(clap.clone(), shown);
                by_name.insert(l.to_string(), Target { clap, takes_value });
            }
        }
        let at_positional = if cmd.has_subcommands() {
            AtPositional::Stop
        } else if cmd.get_positionals().any(|p| p.is_trailing_var_arg_set()) {
            AtPositional::EndOptions
        } else {
            AtPositional::Continue
        };
        OptionTable { by_name, display, at_positional }
    }

    /// How help writes the long name `name` (no dashes).
    pub fn shown_long(&self, name: &str) -> String {
        let clap = format!("--{name}");
        self.display.get(&clap).cloned().unwrap_or(clap)
    }

    /// Rewrite `args` (the words after the command's name) into clap's spelling.
    pub fn rewrite(&self, args: &[String]) -> Rewritten {
        let mut out = Vec::with_capacity(args.len() + 1);
        let mut typed = HashMap::new();
        let mut it = args.iter();
        while let Some(a) = it.next() {
            if a == "--" {
                out.push(a.clone());
                out.extend(it.cloned());
                break;
            }
            // A word that is not an option (`-` alone is a file name, as stdin).
            let Some(body) = a.strip_prefix('-').filter(|b| !b.is_empty()) else {
                match self.at_positional {
                    AtPositional::Continue => out.push(a.clone()),
                    AtPositional::EndOptions => {
                        out.push("--".to_string());
                        out.push(a.clone());
                        out.extend(it.cloned());
                        break;
                    }
                    AtPositional::Stop => {
                        out.push(a.clone());
                        out.extend(it.cloned());
                        break;
                    }
                }
                continue;
            };
            // QEMU: `--opt` is `-opt`.
            let body = body.strip_prefix('-').unwrap_or(body);
            let (name, inline) = match body.split_once('=') {
                Some((n, v)) if self.by_name.contains_key(n) => (n, Some(v)),
                _ => (body, None),
            };
            match self.by_name.get(name) {
                Some(t) if t.takes_value => match inline.map(str::to_string).or_else(|| it.next().cloned()) {
                    Some(v) => out.push(format!("{}={v}", t.clap)),
                    // clap reports the missing value.
                    None => out.push(t.clap.clone()),
                },
                // `-strace=on`: clap reports the unexpected value.
                Some(t) => out.push(match inline {
                    Some(v) => format!("{}={v}", t.clap),
                    None => t.clap.clone(),
                }),
                None => {
                    // Unknown: as a long name, so clap looks for a similar one (`-cpux`: `--cpu`).
                    let unknown = name.split('=').next().unwrap_or(name);
                    let dashes = &a[..a.len() - body.len()];
                    typed.insert(format!("--{unknown}"), format!("{dashes}{unknown}"));
                    out.push(format!("--{body}"));
                }
            }
        }
        Rewritten { args: out, typed }
    }

    /// `text` (a clap message) with every `--name` as the user knows it: the command's own
    /// options in its style, an unknown option as it was typed.
    pub fn respell(&self, text: &str, rewritten: &Rewritten) -> String {
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        while let Some(i) = rest.find("--") {
            let word_start = i == 0 || !rest[..i].ends_with(|c: char| c.is_alphanumeric() || c == '-');
            out.push_str(&rest[..i]);
            let after = &rest[i + 2..];
            let len = after.find(|c: char| !(c.is_alphanumeric() || c == '-' || c == '_')).unwrap_or(after.len());
            let word = &rest[i..i + 2 + len];
            let shown = word_start
                .then(|| rewritten.typed.get(word).or_else(|| self.display.get(word)))
                .flatten()
                .map_or(word, String::as_str);
            out.push_str(shown);
            rest = &rest[i + 2 + len..];
        }
        out.push_str(rest);
        out
    }
}

/// The words clap parses, and the unknown options as they were typed.
#[derive(Debug)]
pub struct Rewritten {
    pub args: Vec<String>,
    /// `--cpux` -> `-cpux`.
    typed: HashMap<String, String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::{Arg, ArgAction};

    fn words(s: &str) -> Vec<String> {
        s.split_whitespace().map(String::from).collect()
    }

    fn run_like() -> OptionTable {
        let mut cmd = Command::new("run")
            .arg(Arg::new("cpu").long("cpu"))
            .arg(Arg::new("strace").long("strace").action(ArgAction::SetTrue))
            .arg(Arg::new("argv0").short('0'))
            .arg(Arg::new("machine").short('M').long("machine"))
            .arg(Arg::new("preconfig").long("preconfig").action(ArgAction::SetTrue))
            .arg(Arg::new("prog"))
            .arg(Arg::new("args").num_args(0..).trailing_var_arg(true));
        cmd.build();
        OptionTable::new(&cmd, Style::Qemu)
    }

    #[test]
    fn options_take_clap_spelling_and_guest_words_stay() {
        let t = run_like();
        let r = t.rewrite(&words("-cpu 24Kf --strace -0 -sh -machine none --M=x PROG -cpu foo --help"));
        assert_eq!(
            r.args,
            words("--cpu=24Kf --strace -0=-sh --machine=none -M=x -- PROG -cpu foo --help"),
            "option values are joined to their option; PROG's words are untouched"
        );
        let r = t.rewrite(&words("-strace -- -PROG -cpu x"));
        assert_eq!(r.args, words("--strace -- -PROG -cpu x"));
        // A missing value is left for clap to report.
        assert_eq!(t.rewrite(&words("-cpu")).args, words("--cpu"));
    }

    #[test]
    fn unknown_options_are_reported_as_typed() {
        let t = run_like();
        let r = t.rewrite(&words("-cpux 24Kf x"));
        assert_eq!(r.args, words("--cpux -- 24Kf x"));
        let msg = "error: unexpected argument '--cpux' found\n  tip: a similar argument exists: '--cpu'\n";
        assert_eq!(
            t.respell(msg, &r),
            "error: unexpected argument '-cpux' found\n  tip: a similar argument exists: '-cpu'\n"
        );
        // --help and --preconfig keep QEMU's two dashes; `x--cpu` is not an option name.
        assert_eq!(
            t.respell("'--help' '--preconfig' x--cpu [--] --cpu=", &r),
            "'--help' '--preconfig' x--cpu [--] -cpu="
        );
    }
}
