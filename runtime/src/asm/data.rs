//! Reading the assembler's tables from the bytes the generator writes for each core
//! (`format.rs`, shared with the generator, says the encoding): forms, scopes and prefixes.
//! Tables are read when the assembler first needs them; their strings borrow from the
//! static bytes. The bytes are the generator's own output, so a table that does not read
//! is a bug in the build and panics with what was being read. Knows no architecture.

use super::compose::{DPart, Scope, ScopeDisplay, ScopeSeg, ScopeSet, ScopeToken};
use super::form::{BinOp, Fixed, Form, Kind, Node, Part, PrefixForm, Seg, SegField};
use super::format::{binop, kind, node, order, part};

/// A cursor over table bytes.
pub struct Reader {
    d: &'static [u8],
    at: usize,
}

impl Reader {
    pub fn new(d: &'static [u8]) -> Reader {
        Reader { d, at: 0 }
    }

    pub fn done(&self) -> bool {
        self.at >= self.d.len()
    }

    pub fn byte(&mut self) -> Option<u8> {
        let b = *self.d.get(self.at)?;
        self.at += 1;
        Some(b)
    }

    /// An unsigned LEB128 number.
    pub fn num(&mut self) -> Option<u64> {
        let (mut v, mut shift) = (0u64, 0u32);
        loop {
            let b = self.byte()?;
            if shift < 64 {
                v |= ((b & 0x7f) as u64) << shift;
            }
            shift += 7;
            if b & 0x80 == 0 {
                return Some(v);
            }
        }
    }

    fn bytes(&mut self) -> Option<&'static [u8]> {
        let n = self.num()? as usize;
        let s = self.d.get(self.at..self.at.checked_add(n)?)?;
        self.at += n;
        Some(s)
    }
}

/// The reads below: a table that does not read is a build bug.
struct Tables {
    r: Reader,
    regs: &'static [&'static [&'static str]],
    what: &'static str,
}

impl Tables {
    fn bad(&self) -> ! {
        panic!(
            "the generated assembler tables ({}) do not read at byte {}: a bug in the generator",
            self.what, self.r.at
        )
    }
    fn num(&mut self) -> u64 {
        self.r.num().unwrap_or_else(|| self.bad())
    }
    fn n16(&mut self) -> u16 {
        self.num() as u16
    }
    fn n32(&mut self) -> u32 {
        self.num() as u32
    }
    fn byte(&mut self) -> u8 {
        self.r.byte().unwrap_or_else(|| self.bad())
    }
    fn flag(&mut self) -> bool {
        self.byte() != 0
    }
    fn str(&mut self) -> &'static str {
        match self.r.bytes().map(std::str::from_utf8) {
            Some(Ok(s)) => s,
            _ => self.bad(),
        }
    }
    fn list<T>(&mut self, mut item: impl FnMut(&mut Self) -> T) -> Vec<T> {
        let n = self.num() as usize;
        (0..n).map(|_| item(self)).collect()
    }
    fn opt<T>(&mut self, item: impl FnOnce(&mut Self) -> T) -> Option<T> {
        self.flag().then(|| item(self))
    }

    fn node(&mut self) -> Node {
        let b = |t: &mut Self| Box::new(t.node());
        match self.byte() {
            node::CONST => Node::Const(self.num()),
            node::FIELD => Node::Field(self.n16()),
            node::PC => Node::Pc,
            node::NEXT_PC => Node::NextPc,
            node::NEG => Node::Neg(b(self)),
            node::NOT => Node::Not(b(self)),
            node::BIN => {
                let op = match self.byte() {
                    binop::ADD => BinOp::Add,
                    binop::SUB => BinOp::Sub,
                    binop::MUL => BinOp::Mul,
                    binop::AND => BinOp::And,
                    binop::OR => BinOp::Or,
                    binop::XOR => BinOp::Xor,
                    binop::SHL => BinOp::Shl,
                    binop::SHR => BinOp::Shr,
                    binop::EQ => BinOp::Eq,
                    binop::NE => BinOp::Ne,
                    binop::LT => BinOp::Lt,
                    binop::LE => BinOp::Le,
                    binop::GT => BinOp::Gt,
                    binop::GE => BinOp::Ge,
                    binop::LAND => BinOp::LAnd,
                    binop::LOR => BinOp::LOr,
                    _ => self.bad(),
                };
                let a = b(self);
                Node::Bin(op, a, b(self))
            }
            node::CONCAT => {
                let w = self.n32();
                let a = b(self);
                Node::Concat(a, b(self), w)
            }
            node::SEXT => {
                let w = self.n32();
                Node::Sext(b(self), w)
            }
            node::ZEXT => Node::Zext(b(self)),
            node::COND => {
                let c = b(self);
                let x = b(self);
                Node::Cond(c, x, b(self))
            }
            node::CTX => Node::Ctx(self.n16()),
            node::OPAQUE => Node::Opaque,
            _ => self.bad(),
        }
    }

    fn kind(&mut self) -> Kind {
        match self.byte() {
            kind::UNSIGNED => Kind::Unsigned,
            kind::SIGNED => Kind::Signed,
            kind::ADDRESS => Kind::Address,
            _ => self.bad(),
        }
    }

    fn regs(&mut self) -> &'static [&'static str] {
        let i = self.num() as usize;
        self.regs.get(i).copied().unwrap_or_else(|| self.bad())
    }

    fn names(&mut self) -> Vec<(u64, &'static str)> {
        self.list(|t| (t.num(), t.str()))
    }

    fn part(&mut self) -> Part {
        match self.byte() {
            part::TEXT => Part::Text(self.str()),
            part::SEP => Part::Sep,
            part::VALUE => Part::Value { value: self.n16(), tree: self.node(), kind: self.kind() },
            part::REG => Part::Reg { value: self.n16(), tree: self.node(), names: self.regs() },
            part::NAMES => Part::Names { value: self.n16(), tree: self.node(), names: self.names() },
            _ => self.bad(),
        }
    }

    fn fixed(&mut self) -> Fixed {
        Fixed { mask: self.num(), value: self.num(), not: self.list(|t| (t.num(), t.num())) }
    }

    fn bits(&mut self) -> Vec<(u32, u32)> {
        self.list(|t| (t.n32(), t.n32()))
    }

    fn seg(&mut self) -> Seg {
        let (at, bytes) = (self.byte(), self.byte());
        let order = match self.byte() {
            order::CORE => None,
            order::LITTLE => Some(false),
            order::BIG => Some(true),
            _ => self.bad(),
        };
        Seg {
            at,
            bytes,
            order,
            little: self.fixed(),
            big: self.fixed(),
            fields: self.list(|t| SegField { field: t.n16(), little: t.bits(), big: t.bits() }),
        }
    }

    fn form(&mut self) -> Form {
        let insn = self.str();
        let asm_only = self.flag();
        let widths = self.list(Self::n32);
        let parts = self.list(Self::part);
        let cond = self.opt(|t| (t.n16(), t.node()));
        let value_widths = self.list(Self::byte);
        let segs = self.list(Self::seg);
        let eval = self.opt(|t| {
            t.list(|t| match t.r.bytes() {
                Some(p) => p,
                None => t.bad(),
            })
        });
        Form { insn, asm_only, parts, cond, nfields: widths.len(), widths, value_widths, segs, nctx: 0, eval }
    }

    fn dpart(&mut self) -> DPart {
        match self.byte() {
            part::TEXT => DPart::Text(self.str()),
            part::COMMENT => DPart::Comment,
            part::TABLE => DPart::Table(self.n16()),
            part::VALUE => DPart::Value { tree: self.node(), kind: self.kind(), width: self.byte() },
            part::REG => DPart::Reg { tree: self.node(), names: self.regs(), width: self.byte() },
            part::NAMES => DPart::Names { tree: self.node(), names: self.names(), width: self.byte() },
            _ => self.bad(),
        }
    }

    fn scope(&mut self) -> Scope {
        Scope {
            name: self.str(),
            segs: self.list(|t| ScopeSeg {
                token: t.opt(|t| ScopeToken { id: t.n16(), seg: t.seg(), tfields: t.list(Self::n16) }),
                tables: t.list(Self::n16),
            }),
            ctx: self.list(Self::node),
            widths: self.list(Self::n32),
            displays: self.list(|t| ScopeDisplay {
                parts: t.list(Self::dpart),
                cond: t.opt(Self::node),
                asm_only: t.flag(),
            }),
        }
    }

    fn prefix(&mut self) -> PrefixForm {
        let seg = self.seg();
        let widths = self.list(Self::n32);
        PrefixForm {
            seg,
            nfields: widths.len(),
            widths,
            when: self.opt(Self::node),
            last: self.flag(),
            assigns: self.list(|t| (t.n16(), t.node())),
        }
    }

    fn end(&self) {
        if !self.r.done() {
            self.bad()
        }
    }
}

/// The forms in `data`; `regs` are the register files' names, by register file index.
pub fn forms(data: &'static [u8], regs: &'static [&'static [&'static str]]) -> Vec<Form> {
    let mut t = Tables { r: Reader::new(data), regs, what: "forms" };
    let out = t.list(Tables::form);
    t.end();
    out
}

/// The scopes in `data`: instructions, each table's alternatives, each context variable's
/// derivation.
pub fn scopes(data: &'static [u8], regs: &'static [&'static [&'static str]]) -> ScopeSet {
    let mut t = Tables { r: Reader::new(data), regs, what: "scopes" };
    let insns = t.list(Tables::scope);
    let tables = t.list(|t| t.list(Tables::scope));
    let derived = t.list(|t| t.opt(Tables::node));
    t.end();
    ScopeSet { insns, tables, derived }
}

/// The prefixes in `data`.
pub fn prefixes(data: &'static [u8]) -> Vec<PrefixForm> {
    let mut t = Tables { r: Reader::new(data), regs: &[], what: "prefixes" };
    let out = t.list(Tables::prefix);
    t.end();
    out
}
