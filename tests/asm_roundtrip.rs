//! The assembler checks every spec against itself: random words that decode are
//! disassembled, the text is assembled by `specemu as`'s engine at the same address, and the
//! result must disassemble to the same text. Where it is not the same word, the text names
//! several encodings (an alias such as MIPS `move`, or fields the display does not show);
//! the share and the kinds are reported.
//!
//! `SPECEMU_ROUNDTRIP_WORDS=N` sets the words per core (default 10,000); run with
//! `--nocapture` for the report.

use specemu_runtime::asm::source::assemble_insn;
use specemu_runtime::disas::Disassembler;
use specemu_runtime::targets::ARCHES;
use std::collections::BTreeMap;

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        // xorshift64*: a fixed seed gives the same words on every run.
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
}

#[derive(Default)]
struct Report {
    decoded: usize,
    same_text: usize,
    same_word: usize,
    /// Texts that did not assemble (by mnemonic): count and an example with the error.
    failed: BTreeMap<String, (usize, String)>,
    /// Texts that assembled to another text.
    other_text: BTreeMap<String, (usize, String)>,
    /// Texts that assembled to the same operands spelled otherwise (`li s5,0x238c` is
    /// `ori`'s text, and GNU as's `li` takes `addiu` for it, shown as `li s5,9100`).
    respelled: BTreeMap<String, (usize, String)>,
    /// Same text, another word (by mnemonic).
    other_word: BTreeMap<String, usize>,
}

/// The text as tokens, numbers by value (`0x238c` and `9100` are one token).
fn tokens(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for t in text.split(|c: char| c == ',' || c == '(' || c == ')' || c.is_whitespace()) {
        let (neg, body) = match t.strip_prefix('-') {
            Some(b) => (true, b),
            None => (false, t),
        };
        let v = match body.strip_prefix("0x") {
            Some(h) => i128::from_str_radix(h, 16).ok(),
            None => body.parse::<i128>().ok(),
        };
        out.push(match v {
            Some(v) => format!("#{}", if neg { -v } else { v }),
            None => t.to_string(),
        });
    }
    out
}

fn same_numbers(a: &str, b: &str) -> bool {
    tokens(a) == tokens(b)
}

fn mnemonic(text: &str) -> String {
    text.split(['\t', ' ']).next().unwrap_or("").to_string()
}

fn round_trip(
    arch: &'static specemu_runtime::arch::ArchEntry,
    core: specemu_runtime::asm::AsmCore,
    be: bool,
    words: usize,
) -> Report {
    let asm = arch.asm.expect("assembler");
    let dis = Disassembler::new(arch, be, Some(core.name)).expect("disassembler for the core");
    let plain = |a: u64, out: &mut String| out.push_str(&format!("{a:#x}"));
    let mut rng = Rng(0x5eed_0f5e_cae5 ^ core.name.len() as u64);
    let mut r = Report::default();
    let pc = 0x0040_1000u64;
    for _ in 0..words {
        let w = rng.next();
        let bytes = if be { w.to_be_bytes() } else { w.to_le_bytes() };
        let Some((len, text)) = dis.one(&bytes, pc, &plain) else { continue };
        r.decoded += 1;
        let line = text.replace('\t', " ");
        match assemble_insn(asm, core, be, &line, pc) {
            Err(e) => {
                let slot = r.failed.entry(mnemonic(&text)).or_insert((0, format!("{text}: {e}")));
                slot.0 += 1;
            }
            Ok(out) => {
                let again = dis.one(&out, pc, &plain).map(|(_, t)| t).unwrap_or_default();
                if again != text && same_numbers(&again, &text) {
                    let slot = r.respelled.entry(mnemonic(&text)).or_insert((0, format!("{text} -> {again}")));
                    slot.0 += 1;
                    continue;
                }
                if again != text {
                    let slot = r.other_text.entry(mnemonic(&text)).or_insert((0, format!("{text} -> {again}")));
                    slot.0 += 1;
                    continue;
                }
                r.same_text += 1;
                if out[..] == bytes[..len] {
                    r.same_word += 1;
                } else {
                    *r.other_word.entry(mnemonic(&text)).or_default() += 1;
                }
            }
        }
    }
    r
}

#[test]
fn every_core_round_trips_through_its_assembler() {
    let words: usize = std::env::var("SPECEMU_ROUNDTRIP_WORDS").ok().and_then(|s| s.parse().ok()).unwrap_or(10_000);
    let mut problems = Vec::new();
    let mut cores_run = 0;
    for arch in ARCHES {
        let Some(asm) = arch.asm else { continue };
        // Variable-length with prefixes: its instructions come from programs instead
        // (tests/asm_roundtrip_x86.rs).
        if matches!(arch.name, "x86_64" | "i386") {
            continue;
        }
        for core in (asm.cores)() {
            for be in [false, true] {
                if be != core.default_big_endian && arch.name != "mips" {
                    continue;
                }
                cores_run += 1;
                let r = round_trip(arch, core, be, words);
                let pct = |n: usize| 100.0 * n as f64 / r.decoded.max(1) as f64;
                println!(
                    "{} {} ({}): {} words, {} decode; same text {:.2}%, same word {:.2}%, same operands respelled {:.2}%",
                    arch.name,
                    core.name,
                    if be { "big-endian" } else { "little-endian" },
                    words,
                    r.decoded,
                    pct(r.same_text),
                    pct(r.same_word),
                    pct(r.respelled.values().map(|v| v.0).sum())
                );
                for (m, n) in &r.other_word {
                    println!("    same text, another word: {m} ({n})");
                }
                for (m, (n, ex)) in &r.respelled {
                    println!("    same operands spelled otherwise: {m} ({n}): {ex}");
                }
                for (m, (n, ex)) in r.failed.iter().chain(r.other_text.iter()) {
                    println!("    FAILED {m} ({n}): {ex}");
                    problems.push(format!("{} {}: {ex}", arch.name, core.name));
                }
                assert!(r.decoded > words / 10, "{} {}: too few words decode ({})", arch.name, core.name, r.decoded);
            }
        }
    }
    assert!(cores_run > 0, "no core has an assembler");
    assert!(problems.is_empty(), "{} kinds of text did not round-trip:\n{}", problems.len(), problems.join("\n"));
}

/// Every form the generator writes (not composed from scopes) can be checked: it has the
/// exact evaluator, or, as one objdump shows, the disassembler checks it. An `asm` display
/// (GNU as's spelling, which objdump does not show) must have the evaluator. Reports how
/// many forms are checked by disassembling.
#[test]
fn every_form_can_be_checked() {
    let mut total = 0;
    for arch in ARCHES {
        let Some(asm) = arch.asm else { continue };
        for core in (asm.cores)() {
            let forms = (core.table.forms)();
            let no_eval: Vec<&str> = forms.iter().filter(|f| f.eval.is_none()).map(|f| f.insn).collect();
            let asm_only: Vec<&str> = forms.iter().filter(|f| f.eval.is_none() && f.asm_only).map(|f| f.insn).collect();
            println!(
                "{} {}: {} forms, {} checked by disassembling {:?}",
                arch.name,
                core.name,
                forms.len(),
                no_eval.len(),
                no_eval
            );
            assert!(
                asm_only.is_empty(),
                "{} {}: asm displays without an evaluator: {asm_only:?}",
                arch.name,
                core.name
            );
            total += forms.len();
        }
    }
    assert!(total > 0);
}
