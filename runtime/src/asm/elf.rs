//! The ELF relocatable object `specemu as` writes: its sections, a symbol table (the file
//! symbol, section symbols, local then global labels, undefined symbols) and one REL or RELA
//! section per section with relocations, in ELF32 or ELF64 and either byte order, laid out
//! as GNU ld reads GNU as's objects. Owns the file format only.

/// A section of the object.
#[derive(Debug, Clone, Default)]
pub struct Section {
    pub name: String,
    /// SHT_PROGBITS (1) or SHT_NOBITS (8).
    pub kind: u32,
    /// SHF_WRITE 1, SHF_ALLOC 2, SHF_EXECINSTR 4.
    pub flags: u64,
    pub align: u64,
    pub data: Vec<u8>,
    /// Size of a NOBITS section.
    pub size: u64,
    pub relocs: Vec<Reloc>,
}

/// A relocation at `offset` of its section against `sym`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reloc {
    pub offset: u64,
    pub sym: RelocSym,
    pub rtype: u32,
    /// The addend (written in a RELA entry; a REL target keeps it in the bytes).
    pub addend: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RelocSym {
    /// The section symbol of section `i`.
    Section(usize),
    /// A named symbol (undefined here, or global).
    Named(String),
}

/// A symbol of the object's table.
#[derive(Debug, Clone)]
pub struct Symbol {
    pub name: String,
    /// Section index in [`Object::sections`]; None: undefined; absolute values use
    /// `absolute`.
    pub section: Option<usize>,
    pub value: u64,
    pub global: bool,
    pub absolute: bool,
    /// STT_NOTYPE 0, STT_OBJECT 1, STT_FUNC 2.
    pub stype: u8,
    pub size: u64,
}

/// Everything one object holds.
#[derive(Debug, Clone)]
pub struct Object {
    pub is_64: bool,
    pub big_endian: bool,
    pub machine: u16,
    pub flags: u32,
    /// Relocations carry explicit addends (SHT_RELA).
    pub rela: bool,
    pub file_name: String,
    pub sections: Vec<Section>,
    pub symbols: Vec<Symbol>,
}

/// A section header: name, type, flags, offset, size, link, info, alignment, entry size.
type Header = (u32, u32, u64, u64, u64, u32, u32, u64, u64);

struct W {
    out: Vec<u8>,
    be: bool,
    is_64: bool,
}

impl W {
    fn n(&mut self, v: u64, size: usize) {
        for i in 0..size {
            let sh = if self.be { 8 * (size - 1 - i) } else { 8 * i };
            self.out.push((v >> sh) as u8);
        }
    }
    fn h(&mut self, v: u64) {
        self.n(v, 2)
    }
    fn w(&mut self, v: u64) {
        self.n(v, 4)
    }
    /// An address-sized field.
    fn a(&mut self, v: u64) {
        self.n(v, if self.is_64 { 8 } else { 4 })
    }
    fn pad_to(&mut self, align: u64) {
        while !(self.out.len() as u64).is_multiple_of(align.max(1)) {
            self.out.push(0);
        }
    }
}

fn strtab_add(tab: &mut Vec<u8>, s: &str) -> u32 {
    if s.is_empty() {
        return 0;
    }
    let at = tab.len() as u32;
    tab.extend_from_slice(s.as_bytes());
    tab.push(0);
    at
}

impl Object {
    /// The object file's bytes.
    pub fn write(&self) -> Vec<u8> {
        let n = self.sections.len();
        // Section header indexes: 0 null, 1..=n ours, then the relocation sections, then
        // .symtab, .strtab, .shstrtab.
        let with_relocs: Vec<usize> = (0..n).filter(|&i| !self.sections[i].relocs.is_empty()).collect();
        let symtab_ix = 1 + n + with_relocs.len();
        let (strtab_ix, shstrtab_ix) = (symtab_ix + 1, symtab_ix + 2);

        // The symbol table: null, file, section symbols, locals, then globals.
        let mut strtab = vec![0u8];
        let mut syms: Vec<(u32, u64, u64, u8, u16)> = vec![(0, 0, 0, 0, 0)];
        syms.push((strtab_add(&mut strtab, &self.file_name), 0, 0, 4, 0xfff1)); // STT_FILE, SHN_ABS
        let mut sect_sym = vec![0u32; n];
        for (i, s) in sect_sym.iter_mut().enumerate() {
            *s = syms.len() as u32;
            syms.push((0, 0, 0, 3, (i + 1) as u16)); // STT_SECTION
        }
        let mut by_name = std::collections::HashMap::new();
        let mut ordered: Vec<&Symbol> = self.symbols.iter().filter(|s| !s.global && s.section.is_some()).collect();
        ordered.extend(self.symbols.iter().filter(|s| !s.global && s.absolute));
        let first_global = syms.len() + ordered.len();
        ordered.extend(self.symbols.iter().filter(|s| s.global || (s.section.is_none() && !s.absolute)));
        for s in ordered {
            let shndx = match (s.section, s.absolute) {
                (_, true) => 0xfff1,
                (Some(i), _) => (i + 1) as u16,
                (None, _) => 0,
            };
            let bind = if s.global || (s.section.is_none() && !s.absolute) { 1 } else { 0 };
            by_name.insert(s.name.clone(), syms.len() as u32);
            syms.push((strtab_add(&mut strtab, &s.name), s.value, s.size, (bind << 4) | s.stype, shndx));
        }

        let mut shstrtab = vec![0u8];
        let mut w = W { out: Vec::new(), be: self.big_endian, is_64: self.is_64 };
        let ehsize = if self.is_64 { 64 } else { 52 };
        w.out.resize(ehsize, 0);
        // (name, type, flags, offset, size, link, info, align, entsize)
        let mut headers: Vec<Header> = vec![(0, 0, 0, 0, 0, 0, 0, 0, 0)];
        for s in &self.sections {
            let name = strtab_add(&mut shstrtab, &s.name);
            w.pad_to(s.align);
            let off = w.out.len() as u64;
            let size = if s.kind == 8 {
                s.size
            } else {
                w.out.extend_from_slice(&s.data);
                s.data.len() as u64
            };
            headers.push((name, s.kind, s.flags, off, size, 0, 0, s.align.max(1), 0));
        }
        let word = if self.is_64 { 8 } else { 4 };
        for &i in &with_relocs {
            let s = &self.sections[i];
            let prefix = if self.rela { ".rela" } else { ".rel" };
            let name = strtab_add(&mut shstrtab, &format!("{prefix}{}", s.name));
            w.pad_to(word);
            let off = w.out.len() as u64;
            for r in &s.relocs {
                let sym = match &r.sym {
                    RelocSym::Section(k) => sect_sym[*k],
                    RelocSym::Named(nm) => by_name.get(nm).copied().unwrap_or(0),
                };
                w.a(r.offset);
                if self.is_64 {
                    w.n(((sym as u64) << 32) | r.rtype as u64, 8);
                } else {
                    w.w(((sym as u64) << 8) | (r.rtype as u64 & 0xff));
                }
                if self.rela {
                    w.a(r.addend as u64);
                }
            }
            let entsize = (if self.rela { 3 } else { 2 }) * word;
            let size = w.out.len() as u64 - off;
            headers.push((
                name,
                if self.rela { 4 } else { 9 },
                0x40,
                off,
                size,
                symtab_ix as u32,
                (i + 1) as u32,
                word,
                entsize,
            ));
        }
        // .symtab
        let name = strtab_add(&mut shstrtab, ".symtab");
        w.pad_to(word);
        let off = w.out.len() as u64;
        for &(nm, value, size, info, shndx) in &syms {
            if self.is_64 {
                w.w(nm as u64);
                w.out.push(info);
                w.out.push(0);
                w.h(shndx as u64);
                w.n(value, 8);
                w.n(size, 8);
            } else {
                w.w(nm as u64);
                w.w(value);
                w.w(size);
                w.out.push(info);
                w.out.push(0);
                w.h(shndx as u64);
            }
        }
        let entsize = if self.is_64 { 24 } else { 16 };
        let size = w.out.len() as u64 - off;
        headers.push((name, 2, 0, off, size, strtab_ix as u32, first_global as u32, word, entsize));
        for (nm, tab) in [(".strtab", &strtab), (".shstrtab", &Vec::new())] {
            let name = strtab_add(&mut shstrtab, nm);
            let tab = if nm == ".shstrtab" { shstrtab.clone() } else { tab.clone() };
            let off = w.out.len() as u64;
            w.out.extend_from_slice(&tab);
            headers.push((name, 3, 0, off, tab.len() as u64, 0, 0, 1, 0));
        }
        w.pad_to(word);
        let shoff = w.out.len() as u64;
        for &(name, t, flags, off, size, link, info, align, entsize) in &headers {
            w.w(name as u64);
            w.w(t as u64);
            w.a(flags);
            w.a(0);
            w.a(off);
            w.a(size);
            w.w(link as u64);
            w.w(info as u64);
            w.a(align);
            w.a(entsize);
        }
        // The ELF header, now that the offsets are known.
        let mut h = W { out: Vec::new(), be: self.big_endian, is_64: self.is_64 };
        h.out.extend_from_slice(&[
            0x7f,
            b'E',
            b'L',
            b'F',
            if self.is_64 { 2 } else { 1 },
            if self.big_endian { 2 } else { 1 },
            1,
            0,
        ]);
        h.out.resize(16, 0);
        h.h(1); // ET_REL
        h.h(self.machine as u64);
        h.w(1);
        h.a(0);
        h.a(0);
        h.a(shoff);
        h.w(self.flags as u64);
        h.h(ehsize as u64);
        h.h(0);
        h.h(0);
        h.h(if self.is_64 { 64 } else { 40 });
        h.h(headers.len() as u64);
        h.h(shstrtab_ix as u64);
        w.out[..ehsize].copy_from_slice(&h.out);
        w.out
    }
}
