//! The second pass: every value evaluated with all labels known, instructions solved and
//! encoded, data and relocations written, and the object put together.

use super::text::strip_comment;
use super::{template, Args, Assembler, Job, Pending, SymDef};
use crate::asm::elf::{Object, Reloc, RelocSym, Symbol};
use crate::asm::expr::{self, Expr, SymRef};
use crate::asm::form::{Form, Kind, Node};
use crate::asm::operands::shows;
use crate::asm::operands::Arg;
use crate::asm::solve::{solve_form, tree_of, Miss};
use crate::asm::solve_ctx::{solve_ctx_form, CtxSetup};
use crate::asm::{AsmError, RelocAsk, Target};

impl Assembler<'_> {
    /// The second pass, and the object.
    pub fn finish(mut self, file_name: &str) -> Result<Object, Vec<AsmError>> {
        self = self.settle_sizes();
        let pending = std::mem::take(&mut self.pending);
        self.second_pass = true;
        let mut undefined: Vec<String> = Vec::new();
        for p in &pending {
            self.loc = p.loc.clone();
            self.seq = p.seq;
            self.dot = (p.sec, p.off);
            match &p.job {
                Job::Data { size, expr, col } => self.finish_data(p, *size, expr, *col, &mut undefined),
                Job::Insn { cands, len, col, .. } => self.finish_insn(p, cands, *len, *col, &mut undefined),
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
                None => return self.err(col, format!("unknown relocation operator `{m}`")),
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

    fn finish_insn(
        &mut self,
        p: &Pending,
        cands: &[(usize, Args)],
        len: usize,
        col: usize,
        undefined: &mut Vec<String>,
    ) {
        let index = self.index.clone();
        let mut last: Option<String> = None;
        self.insn_len = Some(len);
        for (fi, args) in cands {
            let form = &index.forms[*fi];
            let encoded = self.encode_insn(form, args, p.sec, p.off, undefined);
            match encoded {
                Ok((bytes, relocs)) if bytes.len() == len => {
                    self.write_at(p.sec, p.off, &bytes);
                    self.sections[p.sec].relocs.extend(relocs);
                    self.insn_len = None;
                    return;
                }
                Ok((bytes, _)) => {
                    last = Some(format!(
                        "`{}` takes {} bytes here, where the first pass reserved {len}",
                        form.insn,
                        bytes.len()
                    ))
                }
                Err(m) => last = Some(m),
            }
        }
        self.insn_len = None;
        self.err(col, last.unwrap_or_else(|| "cannot encode this instruction".into()));
    }

    /// Encode `form` with `args` at offset `off` of section `sec`: its bytes and relocations,
    /// or why not. `len`: the length the first pass reserved, once known (the second pass).
    pub(super) fn encode_insn(
        &mut self,
        form: &Form,
        args: &Args,
        sec: usize,
        off: u64,
        undefined: &mut Vec<String>,
    ) -> Result<(Vec<u8>, Vec<Reloc>), String> {
        let mut wants = Vec::new();
        let mut relocs = Vec::new();
        let mut fields = Vec::new();
        let mut checked = Vec::new();
        for (k, kind, arg) in args {
            let target = match arg {
                Arg::Index(x) => *x,
                Arg::Expr(e) => match self.operand(form, *k, *kind, e, sec, off, undefined)? {
                    Operand::Value(t) => t,
                    Operand::Reloc(t, r) => {
                        relocs.push(r);
                        wants.push((*k, *kind, t));
                        continue;
                    }
                    Operand::Field(f) => {
                        fields.push(f);
                        continue;
                    }
                },
            };
            wants.push((*k, *kind, target));
            checked.push((*k, *kind, target));
        }
        let pc = self.origin + off;
        let solved = if form.eval.is_some() {
            solve_form(form, &wants, pc, self.big_endian, self.core.table.decoded)
        } else {
            let setup = CtxSetup { vars: &self.index.vars, start: &self.ctx_start, prefixes: &self.index.prefixes };
            let (arch, table, be) = (self.arch, self.core.table, self.big_endian);
            // Forms without an evaluator are checked by the disassembler: what was encoded must
            // show the operands written (those the linker fills in aside).
            let verify = |bytes: &[u8]| {
                let plain = |a: u64, out: &mut String| out.push_str(&format!("{a:#x}"));
                match (table.disas_one)(bytes, pc, be, arch.context, &plain) {
                    Some((n, text)) if n == bytes.len() => {
                        shows(form, strip_comment(&text, arch.comment), &checked, arch.spelling)
                    }
                    _ => false,
                }
            };
            solve_ctx_form(form, &wants, pc, self.big_endian, &setup, &verify)
        };
        match solved {
            Ok(mut bytes) => {
                for f in fields {
                    relocs.push(self.place_field(form, f, &mut bytes, off)?);
                }
                Ok((bytes, relocs))
            }
            Err(Miss::Value { value }) => {
                let shown = args.iter().position(|(k, ..)| *k == value).map(|i| i + 1).unwrap_or(0);
                Err(format!(
                    "operand {shown} of `{}` is out of range, misaligned or out of reach (form `{}`)",
                    form.insn,
                    template(form)
                ))
            }
            Err(Miss::Cond) => Err(format!("the operands do not fit `{}`", template(form))),
            Err(Miss::Encoding) => Err(format!("`{}` cannot encode these operands", form.insn)),
        }
    }

    /// The relocation of a field the linker fills in ([`Target::Field`]), placed at the
    /// field in the encoded `bytes` (after any prefixes), which get its in-place addend.
    fn place_field(&self, form: &Form, f: FieldReloc, bytes: &mut [u8], off: u64) -> Result<Reloc, String> {
        let at = field_bytes(form, f.value, self.big_endian)
            .ok_or_else(|| format!("`{}`: the relocated operand is not one whole-byte field", form.insn))?;
        let p = bytes.len() - form.len().min(bytes.len()) + at.offset;
        let mut addend = f.reloc.addend;
        match f.base {
            Some(Node::Pc) => addend += p as i64,
            Some(_) => addend += p as i64 - bytes.len() as i64,
            None => {}
        }
        let inplace = if self.arch.rela { 0 } else { addend };
        let n = at.bytes;
        if !self.arch.rela && n < 8 && (inplace < -(1i64 << (8 * n - 1)) || inplace >= (1i64 << (8 * n))) {
            return Err(format!("the addend {inplace} does not fit the relocated {n}-byte field"));
        }
        for i in 0..n {
            let sh = if at.big { 8 * (n - 1 - i) } else { 8 * i };
            if let Some(b) = bytes.get_mut(p + i) {
                *b = (inplace >> sh) as u8;
            }
        }
        Ok(Reloc { offset: off + p as u64, addend, ..f.reloc })
    }

    /// The target value of operand `k`, and its relocation if the file cannot resolve it.
    #[allow(clippy::too_many_arguments)]
    fn operand(
        &mut self,
        form: &Form,
        k: u16,
        kind: Kind,
        e: &Expr,
        sec: usize,
        off: u64,
        undefined: &mut Vec<String>,
    ) -> Result<Operand, String> {
        let v = expr::eval(e, self)?;
        let tree = tree_of(form, k);
        let next_rel = v.sym.is_some() && (self.arch.next_pc_relative)(form, k);
        let base = if next_rel { Some(Node::NextPc) } else { tree.and_then(rel_base) };
        match (&v.sym, &v.modifier) {
            (None, None) => Ok(Operand::Value(v.addend as u64)),
            (None, Some(m)) => (self.arch.modifier)(m, v.addend)
                .map(|x| Operand::Value(x as u64))
                .ok_or_else(|| format!("unknown relocation operator `{m}`")),
            // `sym(%rip)` for a label of this section: its offset from the next instruction.
            (Some(SymRef::Section(s)), None) if *s == sec && next_rel => {
                let len = self.insn_len.unwrap_or(form.len()) as i64;
                Ok(Operand::Value(v.addend.wrapping_sub(off as i64 + len) as u64))
            }
            (Some(SymRef::Section(s)), None) if *s == sec && base.is_some() && kind == Kind::Address => {
                Ok(Operand::Value(v.addend as u64))
            }
            (Some(sym), m) => {
                let field = field_width(form, k);
                let ask = RelocAsk {
                    insn: form.insn,
                    kind,
                    pc_relative: base.is_some(),
                    modifier: m.as_deref(),
                    addend: v.addend,
                    pc: off,
                    bits: field,
                    signed: kind == Kind::Signed || tree.is_some_and(|t| matches!(t, Node::Sext(..))),
                    named: matches!(sym, SymRef::Undefined(_)),
                };
                let fix = (self.arch.reloc)(&ask)?;
                let r =
                    Reloc { offset: off, sym: self.reloc_sym(sym, undefined), rtype: fix.rtype, addend: fix.addend };
                let target = match fix.target {
                    Target::Value(t) => t,
                    Target::Field => return Ok(Operand::Field(FieldReloc { value: k, reloc: r, base })),
                    Target::Zero => {
                        let zeros = vec![0u64; form.nfields];
                        let pc = self.origin + off;
                        match form.value(k as usize, &zeros, pc, pc + form.len() as u64) {
                            Some(v) => v,
                            None => return Err(format!("`{}` cannot take this relocation", form.insn)),
                        }
                    }
                };
                Ok(Operand::Reloc(target, r))
            }
        }
    }
}

/// An operand as the second pass encodes it.
enum Operand {
    Value(u64),
    /// A value to encode, with the relocation the linker applies to it.
    Reloc(u64, Reloc),
    /// A field the linker fills in.
    Field(FieldReloc),
}

/// A relocation of a whole field ([`Target::Field`]), before its place is known.
struct FieldReloc {
    /// The form's value whose field it is.
    value: u16,
    reloc: Reloc,
    /// What a pc-relative value is an offset from (`Pc` or `NextPc`).
    base: Option<Node>,
}

/// Where a field sits in a form's bytes.
struct FieldAt {
    offset: usize,
    bytes: usize,
    big: bool,
}

/// The bytes of the one field value `k` of `form` reads, when it is whole bytes of one token.
fn field_bytes(form: &Form, k: u16, big_endian: bool) -> Option<FieldAt> {
    let j = one_field(tree_of(form, k)?)?;
    let seg = form.segs.iter().find(|s| s.fields.iter().any(|f| f.field == j))?;
    let sf = seg.fields.iter().find(|f| f.field == j)?;
    let big = seg.order.unwrap_or(big_endian);
    let &[(hi, lo)] = (if big { &sf.big } else { &sf.little }).as_slice() else { return None };
    let n = hi - lo + 1;
    if lo % 8 != 0 || n % 8 != 0 {
        return None;
    }
    let first = if big { (seg.bytes as u32 * 8 - 1 - hi) / 8 } else { lo / 8 };
    Some(FieldAt { offset: seg.at as usize + first as usize, bytes: (n / 8) as usize, big })
}

/// The field a value is, when its tree reads exactly one field (through extensions).
fn one_field(n: &Node) -> Option<u16> {
    let mut v = Vec::new();
    n.fields(&mut v);
    v.dedup();
    match v.as_slice() {
        [j] => Some(*j),
        _ => None,
    }
}

/// The width of the one field value `k` of `form` is, if it is one field's value.
pub(super) fn field_width(form: &Form, k: u16) -> Option<u32> {
    let j = one_field(tree_of(form, k)?)?;
    Some(form.widths.get(j as usize).copied().unwrap_or(64))
}

/// What a value's tree is an offset from, if it is one: the instruction's address (`pc +
/// ...`) or the next one's.
fn rel_base(n: &Node) -> Option<Node> {
    use crate::asm::form::BinOp;
    match n {
        Node::Pc => Some(Node::Pc),
        Node::NextPc => Some(Node::NextPc),
        // An aligned pc (Xtensa's `(pc + 3) & ~3`) is still the instruction's address.
        Node::Bin(BinOp::And, a, b) if matches!(**b, Node::Const(_)) => rel_base(a),
        Node::Bin(BinOp::Add, a, b) => rel_base(a).or_else(|| rel_base(b)),
        Node::Bin(BinOp::Sub, a, _) => rel_base(a),
        _ => None,
    }
}
