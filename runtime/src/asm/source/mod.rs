//! The assembler's two passes over GNU as source. The first reads lines (`.include`d files
//! too): labels and numeric local labels, `NAME = EXPR`, the generic directives (sections,
//! data, alignment, symbols) and instructions, whose forms it matches and whose size it
//! reserves. The second evaluates every value with all labels known, solves and encodes
//! instructions, and writes data and relocations. Architecture directives go to
//! [`AsmArch::directive`].
//!
//! This file holds the state and the first pass; `directives.rs` the generic directives,
//! `second_pass.rs` the second pass and the object, `text.rs` the lexical rules (comments,
//! statements, arguments, string literals).

mod directives;
mod index;
mod second_pass;
mod sizing;
mod text;

use index::{core_forms, FormIndex};

pub use text::split_args;
use text::{split_statements, strip_comment};

use super::elf::Section;
use super::expr::{self, Expr, SymRef, Symbols, Val};
use super::form::{Form, Kind, Part};
use super::operands::{match_form, Arg};
use super::{AsmArch, AsmCore, AsmError};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

/// Where a line came from.
#[derive(Debug, Clone)]
struct Loc {
    file: String,
    line: usize,
    text: String,
}

#[derive(Clone)]
enum SymDef {
    Label(usize, u64),
    Abs(i64),
}

/// A form's matched values: (value index, kind, argument).
type Args = Vec<(u16, Kind, Arg)>;
/// The forms a line matched (by index), with their values.
type Candidates = Vec<(usize, Args)>;

enum Job {
    /// `written`: how many of the candidates are of the spelling written (the rest of
    /// another, [`super::operands::Spelling::respell`]); `settled`: its size was chosen with
    /// every value known (else the first pass checks it once all labels are).
    Insn {
        cands: Candidates,
        len: usize,
        col: usize,
        written: usize,
        settled: bool,
    },
    Data {
        size: usize,
        expr: Expr,
        col: usize,
    },
}

struct Pending {
    loc: Loc,
    seq: usize,
    sec: usize,
    off: u64,
    job: Job,
}

/// The state of one assembly.
pub struct Assembler<'a> {
    arch: &'a AsmArch,
    core: AsmCore,
    big_endian: bool,
    sections: Vec<Section>,
    cur: usize,
    prev: usize,
    stack: Vec<usize>,
    symbols: HashMap<String, SymDef>,
    /// Symbol names in the order they were first seen.
    order: Vec<String>,
    globals: HashSet<String>,
    types: HashMap<String, u8>,
    sizes: HashMap<String, Expr>,
    locals: HashMap<u32, Vec<(usize, usize, u64)>>,
    pending: Vec<Pending>,
    /// Statements so far (numeric labels are found by it).
    seq: usize,
    loc: Loc,
    /// Where `.` is while the second pass evaluates (section, offset).
    dot: (usize, u64),
    second_pass: bool,
    /// The address the current section's offset 0 stands for when solving (0 in objects;
    /// [`assemble_insn`] places one instruction at its address).
    origin: u64,
    /// Assembling one instruction out of any file: the architecture's mode checks are off.
    one_insn: bool,
    /// The length the first pass reserved for the instruction being encoded (second pass).
    insn_len: Option<usize>,
    /// The sources read, in order (a first pass reads them again when sizes grow).
    inputs: Vec<(String, String, Option<std::path::PathBuf>)>,
    /// What the previous first pass found, when this one reads the sources again.
    before: Option<sizing::Prev>,
    /// Sizing reads labels not defined yet from `before`.
    provisional: bool,
    /// Modes architecture directives keep (`.set noreorder`).
    pub modes: HashMap<String, String>,
    /// The core's forms (built once per process).
    index: Arc<FormIndex>,
    /// The decoder context's base variables before any prefix (the architecture's code
    /// size, zero elsewhere).
    ctx_start: Vec<u64>,
    errors: Vec<AsmError>,
    depth: usize,
}

const MAX_INCLUDE_DEPTH: usize = 32;

fn default_section(name: &str) -> Section {
    let (kind, flags) = match name {
        ".bss" | ".sbss" => (8, 3),
        ".data" | ".sdata" => (1, 3),
        ".rodata" => (1, 2),
        n if n.starts_with(".text") || n == ".literal" || n.starts_with(".literal.") => (1, 6),
        n if n.starts_with(".data") || n.starts_with(".bss") => (1, 3),
        _ => (1, 2),
    };
    Section { name: name.to_string(), kind, flags, align: 1, ..Section::default() }
}

impl<'a> Assembler<'a> {
    pub fn new(arch: &'a AsmArch, core: AsmCore, big_endian: bool) -> Self {
        let index = core_forms(core);
        let ctx_start =
            index.vars.iter().map(|(n, ..)| arch.context.iter().find(|(c, _)| c == n).map_or(0, |(_, v)| *v)).collect();
        let mut a = Assembler {
            arch,
            core,
            big_endian,
            sections: Vec::new(),
            cur: 0,
            prev: 0,
            stack: Vec::new(),
            symbols: HashMap::new(),
            order: Vec::new(),
            globals: HashSet::new(),
            types: HashMap::new(),
            sizes: HashMap::new(),
            locals: HashMap::new(),
            pending: Vec::new(),
            seq: 0,
            loc: Loc { file: String::new(), line: 0, text: String::new() },
            dot: (0, 0),
            second_pass: false,
            origin: 0,
            one_insn: false,
            insn_len: None,
            inputs: Vec::new(),
            before: None,
            provisional: false,
            modes: HashMap::new(),
            index,
            ctx_start,
            errors: Vec::new(),
            depth: 0,
        };
        for s in [".text", ".data", ".bss"] {
            a.section(s);
        }
        a.cur = 0;
        a.prev = 0;
        a
    }

    fn err(&mut self, col: usize, message: impl Into<String>) {
        let l = &self.loc;
        self.errors.push(AsmError {
            file: l.file.clone(),
            line: l.line,
            col,
            text: l.text.clone(),
            message: message.into(),
        });
    }

    /// Switch to section `name`, creating it with GNU as's defaults for the name.
    pub fn section(&mut self, name: &str) -> usize {
        let i = match self.sections.iter().position(|s| s.name == name) {
            Some(i) => i,
            None => {
                let mut s = default_section(name);
                s.align = self.arch.section_align.max(1);
                self.sections.push(s);
                self.sections.len() - 1
            }
        };
        if i != self.cur {
            self.prev = self.cur;
        }
        self.cur = i;
        i
    }

    /// The current section (its index), and switching back to one.
    pub fn current(&self) -> usize {
        self.cur
    }
    pub fn switch_to(&mut self, i: usize) {
        if i < self.sections.len() && i != self.cur {
            self.prev = self.cur;
            self.cur = i;
        }
    }

    /// Align the current section to `bytes` (a power of two), padding with zeros.
    pub fn align_to(&mut self, bytes: u64) {
        let s = &mut self.sections[self.cur];
        s.align = s.align.max(bytes);
        let pad = (bytes - self.offset() % bytes) % bytes;
        self.emit(&vec![0; pad as usize]);
    }

    /// Pad to `bytes`, moving the labels that stand at the current offset to the padded one.
    fn auto_align(&mut self, bytes: u64) {
        let here = self.offset();
        let to = here.div_ceil(bytes) * bytes;
        if to == here {
            return;
        }
        self.align_to(bytes);
        let cur = self.cur;
        for d in self.symbols.values_mut() {
            if let SymDef::Label(s, off) = d {
                if *s == cur && *off == here {
                    *off = to;
                }
            }
        }
    }

    /// Set the current section's ELF flags (SHF_WRITE 1, SHF_ALLOC 2, SHF_EXECINSTR 4).
    pub fn set_flags(&mut self, flags: u64) {
        self.sections[self.cur].flags = flags;
    }

    /// The current section's offset.
    pub fn offset(&self) -> u64 {
        let s = &self.sections[self.cur];
        if s.kind == 8 {
            s.size
        } else {
            s.data.len() as u64
        }
    }

    fn emit(&mut self, bytes: &[u8]) {
        let s = &mut self.sections[self.cur];
        if s.kind == 8 {
            s.size += bytes.len() as u64;
        } else {
            s.data.extend_from_slice(bytes);
        }
    }

    /// Define label `name` here.
    pub fn label(&mut self, name: &str, col: usize) {
        if self.symbols.contains_key(name) {
            self.err(col, format!("symbol `{name}` is already defined"));
            return;
        }
        if !self.order.iter().any(|n| n == name) {
            self.order.push(name.to_string());
        }
        let off = self.offset();
        self.symbols.insert(name.to_string(), SymDef::Label(self.cur, off));
    }

    /// Reserve `size` bytes for the value of `text` (written in the second pass).
    pub fn data(&mut self, size: usize, text: &str, col: usize) {
        match expr::parse(text, 0) {
            Ok((e, end)) if text[end..].trim().is_empty() => {
                self.pending.push(Pending {
                    loc: self.loc.clone(),
                    seq: self.seq,
                    sec: self.cur,
                    off: self.offset(),
                    job: Job::Data { size, expr: e, col },
                });
                self.emit(&vec![0; size]);
            }
            Ok((_, end)) => self.err(col + end, "unexpected text after the expression"),
            Err(e) => self.err(col, e),
        }
    }

    /// Assemble the file `path`.
    pub fn file(&mut self, path: &std::path::Path) {
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) => {
                let col = 1;
                self.err(col, format!("cannot read {}: {e}", path.display()));
                return;
            }
        };
        self.source(&path.display().to_string(), &text, path.parent());
    }

    /// Assemble `text` (named `name`; `.include` looks in `dir`).
    pub fn source(&mut self, name: &str, text: &str, dir: Option<&std::path::Path>) {
        if self.depth == 0 {
            self.inputs.push((name.to_string(), text.to_string(), dir.map(|d| d.to_path_buf())));
        }
        for (n, line) in text.lines().enumerate() {
            self.loc = Loc { file: name.to_string(), line: n + 1, text: line.to_string() };
            let code = strip_comment(line, self.arch.comment);
            let mut start = 0;
            for stmt in split_statements(code) {
                let col = start + 1;
                start += stmt.len() + 1;
                if !self.statement(stmt, col, dir) {
                    return;
                }
            }
        }
    }

    /// One statement starting at column `col`. False at `.end`.
    fn statement(&mut self, stmt: &str, col: usize, dir: Option<&std::path::Path>) -> bool {
        let mut s = stmt;
        let mut col = col;
        // Labels: `name:` and `N:`, any number of them.
        loop {
            let lead = s.len() - s.trim_start().len();
            let t = s.trim_start();
            let n: usize = t.bytes().take_while(|&c| c.is_ascii_alphanumeric() || b"_.$".contains(&c)).count();
            if n > 0 && t[n..].starts_with(':') {
                let name = &t[..n];
                if name.bytes().all(|c| c.is_ascii_digit()) {
                    let num = name.parse().unwrap_or(0);
                    let entry = (self.seq, self.cur, self.offset());
                    self.locals.entry(num).or_default().push(entry);
                } else {
                    self.label(name, col + lead);
                }
                s = &t[n + 1..];
                col += lead + n + 1;
                continue;
            }
            break;
        }
        let lead = s.len() - s.trim_start().len();
        let t = s.trim();
        col += lead;
        if t.is_empty() {
            return true;
        }
        // `NAME = EXPR`.
        if let Some(eq) = t.find('=') {
            let (name, rest) = (t[..eq].trim(), &t[eq + 1..]);
            if !name.is_empty()
                && name.bytes().all(|c| c.is_ascii_alphanumeric() || b"_.$".contains(&c))
                && !rest.starts_with('=')
            {
                self.equ(name, rest.trim(), col);
                return true;
            }
        }
        let word_len = t.find(|c: char| c.is_whitespace()).unwrap_or(t.len());
        let (word, rest) = (&t[..word_len], t[word_len..].trim());
        let rest_col = col + t.len() - t[word_len..].trim_start().len();
        let go_on = if word.starts_with('.') && !self.index.by_word.contains_key(&word.to_ascii_lowercase()) {
            self.directive(word, rest, col, rest_col, dir)
        } else {
            self.insn(word, rest, col, rest_col);
            true
        };
        self.seq += 1;
        go_on
    }

    fn equ(&mut self, name: &str, text: &str, col: usize) {
        match expr::parse(text, 0).and_then(|(e, _)| expr::eval(&e, self)) {
            Ok(v) => match (v.sym, v.modifier) {
                (None, None) => {
                    if !self.order.iter().any(|n| n == name) {
                        self.order.push(name.to_string());
                    }
                    self.symbols.insert(name.to_string(), SymDef::Abs(v.addend));
                }
                (Some(SymRef::Section(s)), None) => {
                    self.order.push(name.to_string());
                    self.symbols.insert(name.to_string(), SymDef::Label(s, v.addend as u64));
                }
                _ => self.err(col, format!("`{name}` must be a number or an address in this file")),
            },
            Err(e) => self.err(col, e),
        }
    }

    fn insn(&mut self, mnemonic: &str, operands: &str, col: usize, ops_col: usize) {
        let lower = mnemonic.to_ascii_lowercase();
        if let Err(e) =
            (self.arch.insn_check)(&self.modes, &lower).or_else(|e| if self.one_insn { Ok(()) } else { Err(e) })
        {
            return self.err(col, e);
        }
        let spelling = self.arch.spelling;
        let index = self.index.clone();
        let forms = &index.forms;
        let matching = |m: &str, ops: &str| -> Candidates {
            let ixs = index.candidates(m).0;
            ixs.into_iter().filter_map(|i| match_form(&forms[i], m, ops, spelling).map(|a| (i, a))).collect()
        };
        let (_, known) = index.candidates(&lower);
        // The forms of the other spelling come after those of the spelling written.
        let mut cands = matching(&lower, operands);
        let written = cands.len();
        if let Some((m, ops)) = (spelling.respell)(&lower, operands) {
            cands.extend(matching(&m, &ops));
        }
        // `asm` displays first (where GNU as spells or encodes a text its own way), then
        // spec order.
        let mut order: Vec<usize> = (0..cands.len()).collect();
        order.sort_by_key(|&c| (c >= written, !forms[cands[c].0].asm_only, cands[c].0));
        let mut cands: Candidates = order.into_iter().map(|c| cands[c].clone()).collect();
        if cands.is_empty() {
            let unsupported =
                (self.core.table.unsupported)().into_iter().find(|(n, _)| n.eq_ignore_ascii_case(mnemonic));
            let msg = match unsupported {
                Some((n, why)) => format!("`{n}` cannot be assembled yet: its spec uses {why}"),
                None if known => {
                    let mut forms_seen = Vec::new();
                    for f in index.candidates(&lower).0.iter().map(|&i| template(&forms[i])) {
                        if !forms_seen.contains(&f) && forms_seen.len() < 12 {
                            forms_seen.push(f);
                        }
                    }
                    let err_col = if operands.is_empty() { col } else { ops_col };
                    self.err(
                        err_col,
                        format!("operands do not match `{mnemonic}`; expected {}", forms_seen.join(" or ")),
                    );
                    return;
                }
                None => format!("unknown instruction `{mnemonic}` for core {}", self.core.name),
            };
            self.err(col, msg);
            return;
        }
        // The size is fixed now (labels after it depend on it); the second pass tries the
        // forms in order and takes the first of that size.
        let (sec, off) = (self.cur, self.offset());
        let least = self.before.as_ref().and_then(|p| p.sizes.get(&self.seq)).copied().unwrap_or(0);
        let optimistic = self.before.is_none();
        let (len, settled) = self.size_insn(&mut cands, written, (sec, off), least, optimistic);
        self.pending.push(Pending {
            loc: self.loc.clone(),
            seq: self.seq,
            sec,
            off,
            job: Job::Insn { cands, len, col: ops_col, written, settled },
        });
        if self.sections[self.cur].kind == 8 {
            self.err(col, "instructions in a section without contents (.bss)");
        }
        self.emit(&vec![0; len]);
    }
}

/// Assemble the one instruction `text` at address `pc`: its bytes, or the first error.
pub fn assemble_insn(arch: &AsmArch, core: AsmCore, big_endian: bool, text: &str, pc: u64) -> Result<Vec<u8>, String> {
    let mut a = Assembler::new(arch, core, big_endian);
    a.origin = pc;
    a.one_insn = true;
    a.source("<insn>", text, None);
    let len = a.offset() as usize;
    let obj = a.finish("<insn>").map_err(|e| e.first().map(|e| e.message.clone()).unwrap_or_default())?;
    let text = &obj.sections[0];
    if !text.relocs.is_empty() {
        return Err("the instruction needs a relocation".into());
    }
    Ok(text.data[..len.min(text.data.len())].to_vec())
}

impl Symbols for Assembler<'_> {
    fn symbol(&self, name: &str) -> Option<Val> {
        let prev = self.before.as_ref().filter(|_| self.provisional);
        match self.symbols.get(name).or_else(|| prev?.symbols.get(name))? {
            SymDef::Label(s, off) => Some(Val { sym: Some(SymRef::Section(*s)), addend: *off as i64, modifier: None }),
            SymDef::Abs(v) => Some(Val::num(*v)),
        }
    }
    fn dot(&self) -> Val {
        let (s, off) = if self.second_pass { self.dot } else { (self.cur, self.offset()) };
        Val { sym: Some(SymRef::Section(s)), addend: off as i64, modifier: None }
    }
    fn local(&self, n: u32, forward: bool) -> Result<Val, String> {
        let find = |locals: &HashMap<u32, Vec<(usize, usize, u64)>>| {
            let defs = locals.get(&n).map(|v| v.as_slice()).unwrap_or(&[]);
            if forward {
                defs.iter().find(|d| d.0 > self.seq).copied()
            } else {
                defs.iter().rev().find(|d| d.0 <= self.seq).copied()
            }
        };
        let prev = self.before.as_ref().filter(|_| self.provisional);
        let found = find(&self.locals).or_else(|| find(&prev?.locals));
        match found {
            Some((_, s, off)) => Ok(Val { sym: Some(SymRef::Section(s)), addend: off as i64, modifier: None }),
            None => Err(format!("no label `{n}:` {}", if forward { "after this line" } else { "before this line" })),
        }
    }
}

/// A form's syntax for error messages: `addu REG,REG,REG`.
pub fn template(form: &Form) -> String {
    let mut s = String::new();
    for p in &form.parts {
        match p {
            Part::Text(t) => s.push_str(t),
            Part::Sep => s.push(' '),
            Part::Value { kind: Kind::Address, .. } => s.push_str("ADDRESS"),
            Part::Value { .. } => s.push_str("NUMBER"),
            Part::Reg { .. } => s.push_str("REG"),
            Part::Names { names, .. } => s.push_str(names.first().map(|n| n.1).unwrap_or("NAME")),
        }
    }
    s
}
