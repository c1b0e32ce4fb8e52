//! Xtensa property tables, and how GNU objdump uses them when it disassembles.
//!
//! The Xtensa assembler and linker describe every byte range of code sections in the
//! `.xt.prop` section: which bytes are instructions, which are literal pools (`L32R` data,
//! with `-mtext-section-literals` they sit inside `.text`), which are alignment fill. objdump
//! reads the table so that it does not decode literals as instructions.
//!
//! Record format (derived from the section bytes of linked lx106 programs and the public
//! `include/elf/xtensa.h` constants): an array of 12-byte records, each three 32-bit words in
//! the ELF file's byte order:
//!
//! | word | meaning |
//! |---|---|
//! | 0 | start address (final addresses in executables; relocated in `.o` files) |
//! | 1 | size in bytes (may be 0: a marker) |
//! | 2 | flags |
//!
//! Flags: 0x1 literal, 0x2 instructions, 0x4 data, 0x8 unreachable (fill after a jump),
//! 0x10 loop target, 0x20 branch target, 0x40 no density, 0x80 no reorder, 0x100 no transform,
//! 0x600 branch-target alignment request, 0x800 "alignment in bits 12..16 applies",
//! bits 12..16 log2 of the alignment. `.xt.lit` holds 8-byte (address, size) records of the
//! literal ranges only; the old `.xt.insn` table 8-byte records of instruction ranges.
//!
//! objdump (opcodes/xtensa-dis.c, binutils 2.40) per section: takes the records whose address
//! lies in the section, sorts them by address, merges neighbours that touch (counting the
//! alignment fill of an unreachable record) and whose flags differ only in "data" and
//! "no transform". At each address it finds the first non-empty record that contains the
//! address or starts after it. If there is none or it has the instruction flag, it decodes an
//! instruction, which must not cross the end of that record (or, between records, the start of
//! the next one). Otherwise, or when decoding fails: a 4-byte literal slot printed with no text
//! when the record is a literal record and the address is 4-aligned with 4 bytes left, else
//! `.byte 0xNN` for one byte. Reads stop at the next symbol (objdump's `stop_vma`), so an
//! instruction or an L32R literal across it is not read. A word whose format objdump knows
//! but whose opcode it does not is `excw` there (Debian's lx106 objdump): without property
//! sections literal pools decode that way, and so does padding.

use crate::arch::SectionRules;
use crate::disas::Disassembler;
use object::{Object, ObjectSection, ObjectSymbol, RelocationTarget, SectionIndex};

pub const PROP_LITERAL: u32 = 0x1;
pub const PROP_INSN: u32 = 0x2;
pub const PROP_DATA: u32 = 0x4;
pub const PROP_UNREACHABLE: u32 = 0x8;
pub const PROP_NO_TRANSFORM: u32 = 0x100;
pub const PROP_ALIGN: u32 = 0x800;

/// One property record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PropEntry {
    pub addr: u64,
    pub size: u64,
    pub flags: u32,
    /// In relocatable files: the section the address word is relocated against (every code
    /// section starts at 0 there, so the address alone does not say which one).
    pub section: Option<SectionIndex>,
}

impl PropEntry {
    pub fn end(&self) -> u64 {
        self.addr + self.size
    }

    /// log2 of the alignment the record asks for (bits 12..16), when the align flag is set.
    pub fn alignment_log2(&self) -> Option<u32> {
        (self.flags & PROP_ALIGN != 0).then_some((self.flags >> 12) & 0x1f)
    }

    /// Bytes after the record that belong to it: an unreachable record (fill after a jump)
    /// also covers the fill up to its alignment.
    fn fill(&self) -> u64 {
        if self.flags & PROP_UNREACHABLE == 0 {
            return 0;
        }
        let mut fill = self.size;
        if let Some(p) = self.alignment_log2() {
            let mask = (1u64 << p) - 1;
            let end = self.addr + self.size;
            fill += mask - ((end + mask) & mask);
        }
        fill
    }
}

/// Every record of the property table (`.xt.prop`, or `.xt.insn` as objdump falls back to),
/// in file order. In relocatable files the address is the relocation's symbol plus addend.
pub fn read_prop_table(obj: &object::File) -> Vec<PropEntry> {
    let big = !obj.is_little_endian();
    let rd = |b: &[u8]| -> u64 {
        let a: [u8; 4] = b.try_into().unwrap_or([0; 4]);
        u64::from(if big { u32::from_be_bytes(a) } else { u32::from_le_bytes(a) })
    };
    for (name, rec, flags) in [(".xt.prop", 12usize, None), (".xt.insn", 8usize, Some(PROP_INSN))] {
        let Some(sec) = obj.section_by_name(name) else { continue };
        let Ok(data) = sec.data() else { continue };
        let mut out: Vec<PropEntry> = data
            .chunks_exact(rec)
            .map(|c| PropEntry {
                addr: rd(&c[0..4]),
                size: rd(&c[4..8]),
                flags: flags.unwrap_or_else(|| rd(&c[8..12]) as u32),
                section: None,
            })
            .collect();
        for (off, r) in sec.relocations() {
            let i = off as usize / rec;
            if !(off as usize).is_multiple_of(rec) || i >= out.len() {
                continue;
            }
            if let RelocationTarget::Symbol(si) = r.target() {
                if let Ok(sym) = obj.symbol_by_index(si) {
                    out[i].section = sym.section_index();
                    // R_XTENSA_32 is partially in place: the word holds an addend too.
                    out[i].addr = sym.address().wrapping_add(r.addend() as u64).wrapping_add(out[i].addr);
                }
            }
        }
        if !out.is_empty() {
            return out;
        }
    }
    Vec::new()
}

/// The literal ranges (address, size) of the property table: what objdump shows as empty
/// 4-byte lines when they lie in a code section.
pub fn literal_ranges(obj: &object::File) -> Vec<(u64, u64)> {
    let mut v: Vec<(u64, u64)> = read_prop_table(obj)
        .into_iter()
        .filter(|e| e.flags & PROP_LITERAL != 0 && e.size != 0)
        .map(|e| (e.addr, e.size))
        .collect();
    v.sort_unstable();
    v
}

/// objdump's ordering of records at equal addresses.
fn cmp_entries(a: &PropEntry, b: &PropEntry) -> std::cmp::Ordering {
    if a.addr != b.addr {
        return a.addr.cmp(&b.addr);
    }
    if a.size != b.size {
        return a.size.cmp(&b.size);
    }
    if (a.flags & PROP_ALIGN) != (b.flags & PROP_ALIGN) {
        return (b.flags & PROP_ALIGN).cmp(&(a.flags & PROP_ALIGN));
    }
    if a.flags & PROP_ALIGN != 0 && a.alignment_log2() != b.alignment_log2() {
        return a.alignment_log2().cmp(&b.alignment_log2());
    }
    if (a.flags & PROP_UNREACHABLE) != (b.flags & PROP_UNREACHABLE) {
        return (b.flags & PROP_UNREACHABLE).cmp(&(a.flags & PROP_UNREACHABLE));
    }
    a.flags.cmp(&b.flags)
}

/// The property records of one section, as objdump prepares them.
#[derive(Debug, Clone, Default)]
pub struct SectionProps {
    entries: Vec<PropEntry>,
}

impl SectionProps {
    /// Records of section `index` at `start` with `size` bytes: filtered, sorted, merged.
    pub fn new(all: &[PropEntry], index: SectionIndex, start: u64, size: u64) -> Self {
        let mut v: Vec<PropEntry> = all
            .iter()
            .copied()
            .filter(|e| e.section.is_none_or(|s| s == index) && e.addr >= start && e.addr < start + size)
            .collect();
        v.sort_by(cmp_entries);
        // Merge neighbours that touch and differ only in the data / no-transform flags.
        let mask = !(PROP_DATA | PROP_NO_TRANSFORM);
        let mut out: Vec<PropEntry> = Vec::with_capacity(v.len());
        let mut j = 0;
        while j < v.len() {
            let mut e = v[j];
            j += 1;
            while j < v.len() {
                let next = v[j];
                if e.addr + e.size + e.fill() == next.addr && (e.flags & mask) == (next.flags & mask) {
                    e.size = next.addr - e.addr + next.size;
                    j += 1;
                } else {
                    break;
                }
            }
            out.push(e);
        }
        SectionProps { entries: out }
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The first non-empty record that holds `addr` or starts after it.
    pub fn find(&self, addr: u64) -> Option<&PropEntry> {
        self.entries.iter().find(|e| e.size != 0 && (addr < e.addr || addr < e.end()))
    }
}

/// `.byte` as objdump prints it (C's `%#02x`: `00` for zero, `0x5`, `0xab`).
pub fn byte_line(b: u8) -> String {
    if b == 0 {
        ".byte 00".to_string()
    } else {
        format!(".byte {b:#x}")
    }
}

/// What objdump prints at `bytes[off]`, where `bytes` is the section starting at address
/// `base` and `stop` (an offset) is where the current symbol's range ends. Returns the number
/// of bytes consumed and the text (empty for a literal slot).
#[allow(clippy::too_many_arguments)]
pub fn one(
    dis: &Disassembler,
    props: &SectionProps,
    bytes: &[u8],
    base: u64,
    off: usize,
    stop: usize,
    sym: &dyn Fn(u64, &mut String),
) -> (usize, String) {
    let pc = base + off as u64;
    let stop = stop.min(bytes.len());
    let fetched = (stop - off).min(4);
    let window = &bytes[off..off + fetched];
    let block = props.find(pc);
    if block.is_none_or(|b| b.flags & PROP_INSN != 0) {
        if let Some((n, text)) = dis.one(window, pc, sym).or_else(|| unknown_opcode(dis, window, sym)) {
            let fits = match block {
                None => true,
                Some(b) if b.addr > pc => n as u64 <= b.addr - pc,
                Some(b) => n as u64 <= b.end() - pc,
            };
            if n > 0 && n <= fetched && fits {
                let text = with_literal(text, bytes, base, stop, dis.big_endian, sym);
                return (n, text);
            }
        }
    }
    if block.is_some_and(|b| b.flags & PROP_LITERAL != 0) && pc.is_multiple_of(4) && fetched >= 4 {
        return (4, String::new());
    }
    (1, byte_line(bytes[off]))
}

/// What objdump prints for a word whose format it knows but whose opcode it does not: Debian's
/// lx106 objdump (libisa's decoder) names it `excw`, with the format's length, which op0
/// (the first nibble in the core's byte order) gives: 0-7 three bytes, 8-13 two with the
/// code density option (checked by decoding `ret.n`); 14 and 15 have no format here.
fn unknown_opcode(dis: &Disassembler, window: &[u8], sym: &dyn Fn(u64, &mut String)) -> Option<(usize, String)> {
    let b0 = *window.first()?;
    let op0 = if dis.big_endian { b0 >> 4 } else { b0 & 0xf };
    let n = match op0 {
        0..=7 => 3,
        8..=13 => {
            let ret_n: [u8; 2] = if dis.big_endian { [0xf0, 0x0d] } else { [0x0d, 0xf0] };
            dis.one(&ret_n, 0, sym)?;
            2
        }
        _ => return None,
    };
    (window.len() >= n).then(|| (n, "excw".to_string()))
}

/// objdump appends the word an L32R loads, ` (VALUE <sym>)`, when it can read it: the literal
/// lies in this section before the end of the current symbol's range (in an object file
/// too, where a literal in `.literal` is out of reach and a literal in the code is not).
fn with_literal(
    text: String,
    bytes: &[u8],
    base: u64,
    stop: usize,
    big_endian: bool,
    sym: &dyn Fn(u64, &mut String),
) -> String {
    let Some(ops) = text.strip_prefix("l32r\t") else { return text };
    let Some(target) = ops
        .split(", ")
        .nth(1)
        .and_then(|t| t.split(' ').next())
        .and_then(|t| u64::from_str_radix(t.trim_start_matches("0x"), 16).ok())
    else {
        return text;
    };
    if target < base || target + 4 > base + stop as u64 {
        return text;
    }
    let o = (target - base) as usize;
    let w: [u8; 4] = bytes[o..o + 4].try_into().expect("4 bytes");
    let v = if big_endian { u32::from_be_bytes(w) } else { u32::from_le_bytes(w) };
    let mut out = text;
    out.push_str(" (");
    sym(u64::from(v), &mut out);
    out.push(')');
    out
}

/// objdump's rules for one Xtensa code section: its property records.
struct XtSection {
    props: SectionProps,
}

impl SectionRules for XtSection {
    fn zeros(&self, off: usize, zeros: usize, next_sym: usize) -> Option<usize> {
        // objdump's rule as written: fewer than 3 zero bytes that end the symbol's range.
        let short_tail = off + zeros == next_sym && zeros > 0 && zeros < 3;
        if zeros < 8 && !short_tail {
            return None;
        }
        // Whole words, as objdump skips on every target, unless the run ends the range.
        let skip = if off + zeros != next_sym { zeros & !3 } else { zeros };
        Some(skip.max(1))
    }

    fn one(
        &self,
        dis: &Disassembler,
        bytes: &[u8],
        base: u64,
        off: usize,
        next_sym: usize,
        sym: &dyn Fn(u64, &mut String),
    ) -> (usize, String) {
        one(dis, &self.props, bytes, base, off, next_sym, sym)
    }
}

/// The rules of section `index` (at `addr`, `size` bytes) of `file`.
pub fn section_rules(file: &object::File<'_>, index: SectionIndex, addr: u64, size: u64) -> Box<dyn SectionRules> {
    let table = read_prop_table(file);
    Box::new(XtSection { props: SectionProps::new(&table, index, addr, size) })
}
