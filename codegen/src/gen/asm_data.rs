//! Writing the assembler's tables as bytes (`crate::asm_format` says the encoding; the
//! runtime's `asm/data.rs` reads them): a writer, and the trees' constructors. Emitting the
//! tables as one byte string per core instead of code that builds them keeps the assembler
//! out of the compile time. Knows no architecture.

use crate::asm_format::{binop, node};
use crate::ast::BinOp;

/// Bytes being written.
#[derive(Default, Clone)]
pub struct W(pub Vec<u8>);

impl W {
    /// An unsigned LEB128 number.
    pub fn num(&mut self, mut x: u64) -> &mut Self {
        loop {
            let b = (x & 0x7f) as u8;
            x >>= 7;
            if x == 0 {
                self.0.push(b);
                return self;
            }
            self.0.push(b | 0x80);
        }
    }
    pub fn byte(&mut self, b: u8) -> &mut Self {
        self.0.push(b);
        self
    }
    pub fn flag(&mut self, b: bool) -> &mut Self {
        self.byte(b as u8)
    }
    /// A length-prefixed byte string (a string, a program).
    pub fn bytes(&mut self, s: &[u8]) -> &mut Self {
        self.num(s.len() as u64);
        self.0.extend_from_slice(s);
        self
    }
    pub fn str(&mut self, s: &str) -> &mut Self {
        self.bytes(s.as_bytes())
    }
    /// Bytes already encoded (a tree, a part).
    pub fn raw(&mut self, s: &[u8]) -> &mut Self {
        self.0.extend_from_slice(s);
        self
    }
    /// A list of items already encoded.
    pub fn list<T: AsRef<[u8]>>(&mut self, items: &[T]) -> &mut Self {
        self.num(items.len() as u64);
        for i in items {
            self.raw(i.as_ref());
        }
        self
    }
    pub fn nums(&mut self, items: impl ExactSizeIterator<Item = u64>) -> &mut Self {
        self.num(items.len() as u64);
        for i in items {
            self.num(i);
        }
        self
    }
    /// An option of bytes already encoded.
    pub fn opt(&mut self, x: Option<&[u8]>) -> &mut Self {
        match x {
            Some(x) => self.byte(1).raw(x),
            None => self.byte(0),
        }
    }
    pub fn done(&mut self) -> Vec<u8> {
        std::mem::take(&mut self.0)
    }
}

/// A tree: its encoded bytes.
pub type Tree = Vec<u8>;

pub fn t_const(x: u64) -> Tree {
    W::default().byte(node::CONST).num(x).done()
}
pub fn t_field(k: u16) -> Tree {
    W::default().byte(node::FIELD).num(k as u64).done()
}
pub fn t_ctx(k: u16) -> Tree {
    W::default().byte(node::CTX).num(k as u64).done()
}
pub fn t_leaf(tag: u8) -> Tree {
    vec![tag]
}
pub fn t_opaque() -> Tree {
    t_leaf(node::OPAQUE)
}
/// A unary node (`NEG`, `NOT`, `ZEXT`).
pub fn t_un(tag: u8, a: &[u8]) -> Tree {
    W::default().byte(tag).raw(a).done()
}
pub fn t_sext(a: &[u8], w: u32) -> Tree {
    W::default().byte(node::SEXT).num(w as u64).raw(a).done()
}
pub fn t_concat(a: &[u8], b: &[u8], w: u32) -> Tree {
    W::default().byte(node::CONCAT).num(w as u64).raw(a).raw(b).done()
}
pub fn t_cond(c: &[u8], a: &[u8], b: &[u8]) -> Tree {
    W::default().byte(node::COND).raw(c).raw(a).raw(b).done()
}
/// A binary node, by its [`binop`] code.
pub fn t_bin(op: u8, a: &[u8], b: &[u8]) -> Tree {
    W::default().byte(node::BIN).byte(op).raw(a).raw(b).done()
}

/// The tree operator of a spec operator, if trees have it (`>>>` reads as `>>`).
pub fn tree_op(op: BinOp) -> Option<u8> {
    Some(match op {
        BinOp::Add => binop::ADD,
        BinOp::Sub => binop::SUB,
        BinOp::Mul => binop::MUL,
        BinOp::And => binop::AND,
        BinOp::Or => binop::OR,
        BinOp::Xor => binop::XOR,
        BinOp::Shl => binop::SHL,
        BinOp::Shr | BinOp::Sar => binop::SHR,
        BinOp::Eq => binop::EQ,
        BinOp::Ne => binop::NE,
        BinOp::Lt => binop::LT,
        BinOp::Le => binop::LE,
        BinOp::Gt => binop::GT,
        BinOp::Ge => binop::GE,
        BinOp::LAnd => binop::LAND,
        BinOp::LOr => binop::LOR,
        _ => return None,
    })
}
