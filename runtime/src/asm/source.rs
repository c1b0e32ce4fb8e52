//! The assembler's two passes over GNU as source. The first reads lines (`.include`d files
//! too): labels and numeric local labels, `NAME = EXPR`, the generic directives (sections,
//! data, alignment, symbols) and instructions, whose forms it matches and whose size it
//! reserves. The second evaluates every value with all labels known, solves and encodes
//! instructions, and writes data and relocations. Architecture directives go to
//! [`AsmArch::directive`].

use super::elf::{Object, Reloc, RelocSym, Section, Symbol};
use super::expr::{self, Expr, SymRef, Symbols, Val};
use super::form::{Form, Kind, Node, Part};
use super::operands::{match_form, Arg};
use super::solve::{solve_form, Miss};
use super::{AsmArch, AsmCore, AsmError, RelocAsk, Target};
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, OnceLock};

type FormIndex = (Arc<Vec<Form>>, Arc<HashMap<String, Vec<usize>>>);

/// A core's forms and their index by mnemonic, built the first time the core is used.
fn core_forms(core: AsmCore) -> FormIndex {
    static CACHE: OnceLock<Mutex<HashMap<&'static str, FormIndex>>> = OnceLock::new();
    let cache = CACHE.get_or_init(|| Mutex::new(HashMap::new()));
    let mut cache = cache.lock().unwrap_or_else(|e| e.into_inner());
    cache
        .entry(core.name)
        .or_insert_with(|| {
            let forms = (core.table.forms)();
            let mut by_mnemonic: HashMap<String, Vec<usize>> = HashMap::new();
            for (i, f) in forms.iter().enumerate() {
                by_mnemonic.entry(f.mnemonic_prefix().to_ascii_lowercase()).or_default().push(i);
            }
            (Arc::new(forms), Arc::new(by_mnemonic))
        })
        .clone()
}

/// Where a line came from.
#[derive(Debug, Clone)]
struct Loc {
    file: String,
    line: usize,
    text: String,
}

enum SymDef {
    Label(usize, u64),
    Abs(i64),
}

/// A form's matched values: (value index, kind, argument).
type Args = Vec<(u16, Kind, Arg)>;
/// The forms a line matched (by index), with their values.
type Candidates = Vec<(usize, Args)>;

enum Job {
    Insn { cands: Candidates, col: usize },
    Data { size: usize, expr: Expr, col: usize },
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
    /// Modes architecture directives keep (`.set noreorder`).
    pub modes: HashMap<String, String>,
    by_mnemonic: Arc<HashMap<String, Vec<usize>>>,
    /// The core's forms (built once per process).
    forms: Arc<Vec<Form>>,
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
        let (forms, by_mnemonic) = core_forms(core);
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
            modes: HashMap::new(),
            by_mnemonic,
            forms,
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
        let go_on = if word.starts_with('.') && !self.by_mnemonic.contains_key(&word.to_ascii_lowercase()) {
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
        let forms = self.forms.clone();
        let mut cands = Vec::new();
        let mut known = false;
        for (prefix, ixs) in self.by_mnemonic.iter() {
            if !lower.starts_with(prefix.as_str()) {
                continue;
            }
            for &i in ixs {
                known |= forms[i].mnemonic_prefix().eq_ignore_ascii_case(&lower) || prefix.len() < lower.len();
                if let Some(args) = match_form(&forms[i], &lower, operands, spelling) {
                    cands.push((i, args));
                }
            }
        }
        // `asm` displays first (where GNU as spells or encodes a text its own way), then
        // spec order.
        cands.sort_by_key(|(i, _)| (!forms[*i].asm_only, *i));
        if cands.is_empty() {
            let unsupported =
                (self.core.table.unsupported)().into_iter().find(|(n, _)| n.eq_ignore_ascii_case(mnemonic));
            let msg = match unsupported {
                Some((n, why)) => format!("`{n}` cannot be assembled yet: its spec uses {why}"),
                None if known && self.by_mnemonic.contains_key(&lower) => {
                    let forms: Vec<String> = self.by_mnemonic[&lower].iter().map(|&i| template(&forms[i])).collect();
                    let mut forms_seen = Vec::new();
                    for f in forms {
                        if !forms_seen.contains(&f) {
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
        // The first form fixes the size (labels after it depend on it); the second pass
        // tries the others of that size.
        let len = forms[cands[0].0].len();
        cands.retain(|(i, _)| forms[*i].len() == len);
        self.pending.push(Pending {
            loc: self.loc.clone(),
            seq: self.seq,
            sec: self.cur,
            off: self.offset(),
            job: Job::Insn { cands, col: ops_col },
        });
        if self.sections[self.cur].kind == 8 {
            self.err(col, "instructions in a section without contents (.bss)");
        }
        self.emit(&vec![0; len]);
    }

    fn directive(
        &mut self,
        word: &str,
        rest: &str,
        col: usize,
        rest_col: usize,
        dir: Option<&std::path::Path>,
    ) -> bool {
        let d = word.to_ascii_lowercase();
        if let Some(r) = (self.arch.directive)(self, &d, rest) {
            if let Err(e) = r {
                self.err(col, e);
            }
            return true;
        }
        let args = split_args(rest);
        match d.as_str() {
            ".text" | ".data" | ".bss" => {
                self.section(&d);
            }
            ".section" | ".pushsection" => {
                let Some(name) = args.first() else {
                    self.err(rest_col, "expected a section name");
                    return true;
                };
                let name = name.trim_matches('"').to_string();
                let old = self.cur;
                let i = self.section(&name);
                if d == ".pushsection" {
                    self.stack.push(old);
                }
                if let Some(flags) = args.get(1) {
                    let mut f = 0;
                    for c in flags.trim_matches('"').chars() {
                        f |= match c {
                            'w' => 1,
                            'a' => 2,
                            'x' => 4,
                            _ => 0,
                        };
                    }
                    self.sections[i].flags = f;
                }
                if let Some(t) = args.get(2) {
                    self.sections[i].kind = if t.contains("nobits") { 8 } else { 1 };
                }
            }
            ".popsection" => match self.stack.pop() {
                Some(s) => {
                    self.prev = self.cur;
                    self.cur = s;
                }
                None => self.err(col, "`.popsection` without `.pushsection`"),
            },
            ".previous" => std::mem::swap(&mut self.cur, &mut self.prev),
            ".byte" | ".half" | ".short" | ".hword" | ".2byte" | ".word" | ".long" | ".int" | ".4byte" | ".quad"
            | ".8byte" => {
                let size = match d.as_str() {
                    ".byte" => 1,
                    ".half" | ".short" | ".hword" | ".2byte" => 2,
                    ".quad" | ".8byte" => 8,
                    _ => 4,
                };
                // `.2byte`/`.4byte`/`.8byte` are never aligned; the others are where the
                // architecture's GNU as does it (MIPS), labels just before them moving along.
                if self.arch.auto_align_data && size > 1 && !d.ends_with("byte") && !args.is_empty() {
                    self.auto_align(size as u64);
                }
                for a in &args {
                    self.data(size, a, rest_col);
                }
            }
            ".ascii" | ".asciz" | ".string" => {
                for a in &args {
                    match unquote(a) {
                        Ok(mut b) => {
                            if d != ".ascii" {
                                b.push(0);
                            }
                            self.emit(&b);
                        }
                        Err(e) => self.err(rest_col, e),
                    }
                }
            }
            ".space" | ".skip" | ".zero" => {
                let n = self.abs_arg(args.first().map(|s| s.as_str()), rest_col);
                let fill = if d == ".zero" {
                    0
                } else {
                    self.abs_arg(args.get(1).map(|s| s.as_str()).or(Some("0")), rest_col)
                };
                if (0..=1 << 28).contains(&n) {
                    self.emit(&vec![fill as u8; n as usize]);
                } else {
                    self.err(rest_col, format!("bad size {n}"));
                }
            }
            ".align" | ".balign" | ".p2align" => {
                let n = self.abs_arg(args.first().map(|s| s.as_str()), rest_col);
                let fill =
                    args.get(1).filter(|s| !s.trim().is_empty()).map(|s| self.abs_arg(Some(s), rest_col)).unwrap_or(0);
                let power = d == ".p2align" || (d == ".align" && self.arch.align_is_power);
                let bytes = if power { 1u64.checked_shl(n as u32).unwrap_or(0) } else { n as u64 };
                if bytes == 0 || !bytes.is_power_of_two() || bytes > 1 << 16 {
                    self.err(rest_col, format!("bad alignment {n}"));
                } else {
                    let s = &mut self.sections[self.cur];
                    s.align = s.align.max(bytes);
                    let pad = (bytes - self.offset() % bytes) % bytes;
                    self.emit(&vec![fill as u8; pad as usize]);
                }
            }
            ".org" => {
                let n = self.abs_arg(args.first().map(|s| s.as_str()), rest_col);
                let here = self.offset() as i64;
                if n < here {
                    self.err(rest_col, format!("`.org` moves backwards (to {n:#x} from {here:#x})"));
                } else {
                    self.emit(&vec![0; (n - here) as usize]);
                }
            }
            ".global" | ".globl" => {
                for a in args {
                    self.globals.insert(a.trim().to_string());
                    if !self.order.iter().any(|n| n == a.trim()) {
                        self.order.push(a.trim().to_string());
                    }
                }
            }
            ".local" => {}
            ".equ" | ".set" | ".equiv" => {
                if args.len() == 2 {
                    self.equ(args[0].trim(), args[1].trim(), rest_col);
                } else {
                    self.err(rest_col, format!("expected `{d} NAME, VALUE`"));
                }
            }
            ".type" => {
                if let (Some(n), Some(t)) = (args.first(), args.get(1)) {
                    let t = if t.contains("function") {
                        2
                    } else if t.contains("object") {
                        1
                    } else {
                        0
                    };
                    self.types.insert(n.trim().to_string(), t);
                }
            }
            ".size" => {
                if let (Some(n), Some(e)) = (args.first(), args.get(1)) {
                    if let Ok((e, _)) = expr::parse(e, 0) {
                        // `.size f, .-f`: `.` is where the directive is.
                        let here =
                            Val { sym: Some(SymRef::Section(self.cur)), addend: self.offset() as i64, modifier: None };
                        let e = replace_dot(e, here);
                        self.sizes.insert(n.trim().to_string(), e);
                    }
                }
            }
            ".include" => {
                let name = rest.trim().trim_matches('"');
                let path = dir.map(|d| d.join(name)).unwrap_or_else(|| name.into());
                if self.depth >= MAX_INCLUDE_DEPTH {
                    self.err(rest_col, "`.include` nested too deeply");
                } else {
                    let saved = self.loc.clone();
                    self.depth += 1;
                    self.file(&path);
                    self.depth -= 1;
                    self.loc = saved;
                }
            }
            ".end" => return false,
            ".file" | ".ident" | ".loc" | ".weak_hidden" | ".hidden" | ".protected" | ".internal" => {}
            d if d.starts_with(".cfi_") => {}
            _ => self.err(col, format!("unknown directive `{word}`")),
        }
        true
    }

    fn abs_arg(&mut self, text: Option<&str>, col: usize) -> i64 {
        let Some(text) = text else {
            self.err(col, "expected a value");
            return 0;
        };
        match expr::parse(text, 0).and_then(|(e, _)| expr::eval(&e, self)).and_then(|v| expr::abs(v, "this directive"))
        {
            Ok(v) => v,
            Err(e) => {
                self.err(col, e);
                0
            }
        }
    }

    /// The second pass, and the object.
    pub fn finish(mut self, file_name: &str) -> Result<Object, Vec<AsmError>> {
        let pending = std::mem::take(&mut self.pending);
        self.second_pass = true;
        let mut undefined: Vec<String> = Vec::new();
        for p in &pending {
            self.loc = p.loc.clone();
            self.seq = p.seq;
            self.dot = (p.sec, p.off);
            match &p.job {
                Job::Data { size, expr, col } => self.finish_data(p, *size, expr, *col, &mut undefined),
                Job::Insn { cands, col } => self.finish_insn(p, cands, *col, &mut undefined),
            }
        }
        if !self.errors.is_empty() {
            return Err(self.errors);
        }
        if self.arch.pad_sections {
            for s in &mut self.sections {
                let a = s.align.max(1);
                if s.kind == 8 {
                    s.size = s.size.div_ceil(a) * a;
                } else {
                    let n = (s.data.len() as u64).div_ceil(a) * a;
                    s.data.resize(n as usize, 0);
                }
            }
        }
        let mut symbols = Vec::new();
        for name in &self.order {
            let global = self.globals.contains(name);
            let stype = self.types.get(name).copied().unwrap_or(0);
            let size = match self.sizes.get(name).map(|e| expr::eval(e, &self)) {
                Some(Ok(v)) => v.addend as u64,
                _ => 0,
            };
            match self.symbols.get(name) {
                Some(SymDef::Label(s, off)) => {
                    if name.starts_with(".L") && !global {
                        continue;
                    }
                    symbols.push(Symbol {
                        name: name.clone(),
                        section: Some(*s),
                        value: *off,
                        global,
                        absolute: false,
                        stype,
                        size,
                    });
                }
                Some(SymDef::Abs(v)) => {
                    symbols.push(Symbol {
                        name: name.clone(),
                        section: None,
                        value: *v as u64,
                        global,
                        absolute: true,
                        stype,
                        size,
                    });
                }
                None if global && !undefined.contains(name) => undefined.push(name.clone()),
                None => {}
            }
        }
        for name in undefined {
            symbols.push(Symbol { name, section: None, value: 0, global: true, absolute: false, stype: 0, size: 0 });
        }
        Ok(Object {
            is_64: self.arch.is_64,
            big_endian: self.big_endian,
            machine: self.arch.elf_machine,
            flags: (self.arch.e_flags)(self.core.name, self.big_endian, &self.modes),
            rela: self.arch.rela,
            file_name: file_name.to_string(),
            sections: self.sections,
            symbols,
        })
    }

    fn write_at(&mut self, sec: usize, off: u64, bytes: &[u8]) {
        let s = &mut self.sections[sec];
        let o = off as usize;
        if let Some(dst) = s.data.get_mut(o..o + bytes.len()) {
            dst.copy_from_slice(bytes);
        }
    }

    fn reloc_sym(&self, r: &SymRef, undefined: &mut Vec<String>) -> RelocSym {
        match r {
            SymRef::Section(s) => RelocSym::Section(*s),
            SymRef::Undefined(n) => {
                if !undefined.contains(n) {
                    undefined.push(n.clone());
                }
                RelocSym::Named(n.clone())
            }
        }
    }

    fn finish_data(&mut self, p: &Pending, size: usize, e: &Expr, col: usize, undefined: &mut Vec<String>) {
        let v = match expr::eval(e, self) {
            Ok(v) => v,
            Err(m) => return self.err(col, m),
        };
        let (value, reloc) = match (&v.sym, &v.modifier) {
            (None, None) => (v.addend, None),
            (None, Some(m)) => match (self.arch.modifier)(m, v.addend) {
                Some(x) => (x, None),
                None => return self.err(col, format!("unknown relocation operator `%{m}`")),
            },
            (Some(sym), None) => match (self.arch.data_reloc)(size) {
                Some(t) => {
                    let r = Reloc { offset: p.off, sym: self.reloc_sym(sym, undefined), rtype: t, addend: v.addend };
                    (if self.arch.rela { 0 } else { v.addend }, Some(r))
                }
                None => return self.err(col, format!("no relocation for a {size}-byte address")),
            },
            (Some(_), Some(m)) => return self.err(col, format!("`%{m}` in data is not supported")),
        };
        let bits = size as u32 * 8;
        if bits < 64 && (value < -(1i64 << (bits - 1)) || value > ((1i64 << bits) - 1)) {
            return self.err(col, format!("value {value:#x} does not fit in {size} bytes"));
        }
        let bytes: Vec<u8> = (0..size)
            .map(|i| {
                let sh = if self.big_endian { 8 * (size - 1 - i) } else { 8 * i };
                (value >> sh) as u8
            })
            .collect();
        self.write_at(p.sec, p.off, &bytes);
        if let Some(r) = reloc {
            self.sections[p.sec].relocs.push(r);
        }
    }

    fn finish_insn(&mut self, p: &Pending, cands: &[(usize, Args)], col: usize, undefined: &mut Vec<String>) {
        let forms = self.forms.clone();
        let mut last: Option<String> = None;
        for (fi, args) in cands {
            let form = &forms[*fi];
            let mut wants = Vec::new();
            let mut relocs = Vec::new();
            let mut bad = None;
            for (k, kind, arg) in args {
                let target = match arg {
                    Arg::Index(x) => *x,
                    Arg::Expr(e) => match self.operand(form, *k, *kind, e, p, undefined) {
                        Ok((t, r)) => {
                            relocs.extend(r);
                            t
                        }
                        Err(m) => {
                            bad = Some(m);
                            break;
                        }
                    },
                };
                wants.push((*k, *kind, target));
            }
            if let Some(m) = bad {
                last = Some(m);
                continue;
            }
            match solve_form(form, &wants, self.origin + p.off, self.big_endian, self.core.table.decoded) {
                Ok(bytes) => {
                    self.write_at(p.sec, p.off, &bytes);
                    self.sections[p.sec].relocs.extend(relocs);
                    return;
                }
                Err(Miss::Value { value }) => {
                    let shown = args.iter().position(|(k, ..)| *k == value).map(|i| i + 1).unwrap_or(0);
                    last = Some(format!(
                        "operand {shown} of `{}` is out of range, misaligned or out of reach (form `{}`)",
                        form.insn,
                        template(form)
                    ));
                }
                Err(Miss::Cond) => {
                    if last.is_none() {
                        last = Some(format!("the operands do not fit `{}`", template(form)));
                    }
                }
                Err(Miss::Encoding) => last = Some(format!("`{}` cannot encode these operands", form.insn)),
            }
        }
        self.err(col, last.unwrap_or_else(|| "cannot encode this instruction".into()));
    }

    /// The target value of operand `k`, and its relocation if the file cannot resolve it.
    fn operand(
        &mut self,
        form: &Form,
        k: u16,
        kind: Kind,
        e: &Expr,
        p: &Pending,
        undefined: &mut Vec<String>,
    ) -> Result<(u64, Option<Reloc>), String> {
        let v = expr::eval(e, self)?;
        let tree = form.parts.iter().find_map(|x| match x {
            Part::Value { value, tree, .. } if *value == k => Some(tree),
            _ => None,
        });
        let pc_rel = tree.is_some_and(pc_relative);
        match (&v.sym, &v.modifier) {
            (None, None) => Ok((v.addend as u64, None)),
            (None, Some(m)) => (self.arch.modifier)(m, v.addend)
                .map(|x| (x as u64, None))
                .ok_or_else(|| format!("unknown relocation operator `%{m}`")),
            (Some(SymRef::Section(s)), None) if *s == p.sec && pc_rel && kind == Kind::Address => {
                Ok((v.addend as u64, None))
            }
            (Some(sym), m) => {
                let ask = RelocAsk {
                    insn: form.insn,
                    kind,
                    pc_relative: pc_rel,
                    modifier: m.as_deref(),
                    addend: v.addend,
                    pc: p.off,
                };
                let fix = (self.arch.reloc)(&ask)?;
                let target = match fix.target {
                    Target::Value(t) => t,
                    Target::Zero => {
                        let zeros = vec![0u64; form.nfields];
                        (form.eval)(k as usize, &zeros, self.origin + p.off, self.origin + p.off + form.len() as u64)
                    }
                };
                let r =
                    Reloc { offset: p.off, sym: self.reloc_sym(sym, undefined), rtype: fix.rtype, addend: fix.addend };
                Ok((target, Some(r)))
            }
        }
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

/// Whether a value's tree is an offset from the instruction's address (`pc + ...`).
fn pc_relative(n: &Node) -> bool {
    use super::form::BinOp;
    match n {
        Node::Pc | Node::NextPc => true,
        // An aligned pc (Xtensa's `(pc + 3) & ~3`) is still the instruction's address.
        Node::Bin(BinOp::And, a, b) if matches!(**b, Node::Const(_)) => pc_relative(a),
        Node::Bin(BinOp::Add, a, b) => pc_relative(a) || pc_relative(b),
        Node::Bin(BinOp::Sub, a, _) => pc_relative(a),
        _ => false,
    }
}

impl Symbols for Assembler<'_> {
    fn symbol(&self, name: &str) -> Option<Val> {
        match self.symbols.get(name)? {
            SymDef::Label(s, off) => Some(Val { sym: Some(SymRef::Section(*s)), addend: *off as i64, modifier: None }),
            SymDef::Abs(v) => Some(Val::num(*v)),
        }
    }
    fn dot(&self) -> Val {
        let (s, off) = if self.second_pass { self.dot } else { (self.cur, self.offset()) };
        Val { sym: Some(SymRef::Section(s)), addend: off as i64, modifier: None }
    }
    fn local(&self, n: u32, forward: bool) -> Result<Val, String> {
        let defs = self.locals.get(&n).map(|v| v.as_slice()).unwrap_or(&[]);
        let found =
            if forward { defs.iter().find(|d| d.0 > self.seq) } else { defs.iter().rev().find(|d| d.0 <= self.seq) };
        match found {
            Some(&(_, s, off)) => Ok(Val { sym: Some(SymRef::Section(s)), addend: off as i64, modifier: None }),
            None => Err(format!("no label `{n}:` {}", if forward { "after this line" } else { "before this line" })),
        }
    }
}

fn replace_dot(e: Expr, here: Val) -> Expr {
    match e {
        Expr::Dot => match here.sym {
            Some(SymRef::Section(_)) | None => Expr::Num(here.addend),
            _ => Expr::Dot,
        },
        Expr::Bin(op, a, b) => Expr::Bin(op, Box::new(replace_dot(*a, here.clone())), Box::new(replace_dot(*b, here))),
        other => other,
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

/// `line` without its comment (from the first comment character outside a string).
fn strip_comment<'l>(line: &'l str, comment: &str) -> &'l str {
    let mut in_str = false;
    let mut esc = false;
    for (i, c) in line.char_indices() {
        if in_str {
            match (esc, c) {
                (true, _) => esc = false,
                (false, '\\') => esc = true,
                (false, '"') => in_str = false,
                _ => {}
            }
            continue;
        }
        if c == '"' {
            in_str = true;
        } else if comment.contains(c) {
            return &line[..i];
        }
    }
    line
}

/// Statements of a line: `;` separates them outside strings.
fn split_statements(line: &str) -> Vec<&str> {
    split_outside_strings(line, ';')
}

fn split_outside_strings(s: &str, sep: char) -> Vec<&str> {
    let mut out = Vec::new();
    let (mut in_str, mut esc, mut depth, mut start) = (false, false, 0i32, 0);
    for (i, c) in s.char_indices() {
        if in_str {
            match (esc, c) {
                (true, _) => esc = false,
                (false, '\\') => esc = true,
                (false, '"') => in_str = false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => in_str = true,
            '(' => depth += 1,
            ')' => depth -= 1,
            c if c == sep && (sep == ';' || depth == 0) => {
                out.push(&s[start..i]);
                start = i + c.len_utf8();
            }
            _ => {}
        }
    }
    out.push(&s[start..]);
    out
}

/// A directive's comma-separated arguments.
pub fn split_args(s: &str) -> Vec<String> {
    if s.trim().is_empty() {
        return Vec::new();
    }
    split_outside_strings(s, ',').into_iter().map(|a| a.trim().to_string()).collect()
}

/// The bytes of a string literal `"..."` with GNU as's escapes.
fn unquote(s: &str) -> Result<Vec<u8>, String> {
    let s = s.trim();
    let inner = s.strip_prefix('"').and_then(|x| x.strip_suffix('"')).ok_or("expected a string in double quotes")?;
    let b = inner.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] != b'\\' {
            out.push(b[i]);
            i += 1;
            continue;
        }
        i += 1;
        let c = *b.get(i).ok_or("a string ends in `\\`")?;
        i += 1;
        match c {
            b'n' => out.push(10),
            b't' => out.push(9),
            b'r' => out.push(13),
            b'b' => out.push(8),
            b'f' => out.push(12),
            b'"' => out.push(b'"'),
            b'\\' => out.push(b'\\'),
            b'x' => {
                let mut v = 0u32;
                while i < b.len() && b[i].is_ascii_hexdigit() {
                    v = v * 16 + (b[i] as char).to_digit(16).unwrap_or(0);
                    i += 1;
                }
                out.push(v as u8);
            }
            b'0'..=b'7' => {
                let mut v = (c - b'0') as u32;
                let mut n = 1;
                while n < 3 && i < b.len() && (b'0'..=b'7').contains(&b[i]) {
                    v = v * 8 + (b[i] - b'0') as u32;
                    i += 1;
                    n += 1;
                }
                out.push(v as u8);
            }
            other => out.push(other),
        }
    }
    Ok(out)
}
