//! The IR: TCG-like operations over typed values (i32, i64). Values are block-local
//! temporaries, globals (guest registers at fixed offsets of the CPU state), or constants.
//! This module knows no guest architecture; targets build IR through [`Builder`].

mod builder;
mod dump;
mod intern;

pub use builder::Builder;
pub use dump::dump_block;

/// The type of a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Ty {
    I32,
    I64,
}

impl Ty {
    pub fn bits(self) -> u32 {
        match self {
            Ty::I32 => 32,
            Ty::I64 => 64,
        }
    }
    pub fn mask(self) -> u64 {
        match self {
            Ty::I32 => u32::MAX as u64,
            Ty::I64 => u64::MAX,
        }
    }
    /// The smallest type holding `width` bits (at most 64).
    pub fn for_width(width: u32) -> Ty {
        if width <= 32 {
            Ty::I32
        } else {
            Ty::I64
        }
    }
}

/// The low `bits` bits of `v`, sign- or zero-extended, within type `ty` (the meaning of
/// `Ext`, `Extract` and signed loads; shared by the interpreter and the optimizer).
pub fn ext_bits(v: u64, bits: u8, signed: bool, ty: Ty) -> u64 {
    let bits = bits as u32;
    let r = if bits >= 64 {
        v
    } else if signed {
        (((v << (64 - bits)) as i64) >> (64 - bits)) as u64
    } else {
        v & ((1u64 << bits) - 1)
    };
    r & ty.mask()
}

/// A value: an index into the block's value table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Val(pub u32);

/// A label inside a block.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Label(pub u32);

#[derive(Debug, Clone, PartialEq)]
pub enum ValKind {
    /// A block-local temporary.
    Temp,
    /// A guest register at byte `offset` of the CPU state, stored in `size` bytes (1, 2, 4
    /// or 8; a narrower field than the type holds the low bits, zero-extended when read).
    Global { offset: u32, size: u8, name: &'static str },
    /// A constant.
    Const(u64),
}

#[derive(Debug, Clone, PartialEq)]
pub struct ValInfo {
    pub ty: Ty,
    pub kind: ValKind,
}

/// Comparison conditions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Cond {
    Eq,
    Ne,
    Ltu,
    Leu,
    Gtu,
    Geu,
    Lt,
    Le,
    Gt,
    Ge,
}

impl Cond {
    pub fn eval(self, ty: Ty, a: u64, b: u64) -> bool {
        let (sa, sb) = match ty {
            Ty::I32 => (a as u32 as i32 as i64, b as u32 as i32 as i64),
            Ty::I64 => (a as i64, b as i64),
        };
        match self {
            Cond::Eq => a == b,
            Cond::Ne => a != b,
            Cond::Ltu => a < b,
            Cond::Leu => a <= b,
            Cond::Gtu => a > b,
            Cond::Geu => a >= b,
            Cond::Lt => sa < sb,
            Cond::Le => sa <= sb,
            Cond::Gt => sa > sb,
            Cond::Ge => sa >= sb,
        }
    }
    pub fn name(self) -> &'static str {
        match self {
            Cond::Eq => "eq",
            Cond::Ne => "ne",
            Cond::Ltu => "ltu",
            Cond::Leu => "leu",
            Cond::Gtu => "gtu",
            Cond::Geu => "geu",
            Cond::Lt => "lt",
            Cond::Le => "le",
            Cond::Gt => "gt",
            Cond::Ge => "ge",
        }
    }
    pub fn invert(self) -> Cond {
        match self {
            Cond::Eq => Cond::Ne,
            Cond::Ne => Cond::Eq,
            Cond::Ltu => Cond::Geu,
            Cond::Leu => Cond::Gtu,
            Cond::Gtu => Cond::Leu,
            Cond::Geu => Cond::Ltu,
            Cond::Lt => Cond::Ge,
            Cond::Le => Cond::Gt,
            Cond::Gt => Cond::Le,
            Cond::Ge => Cond::Lt,
        }
    }
}

/// Two-operand operations; both operands and the result have the op's type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BinOp {
    Add,
    Sub,
    Mul,
    And,
    Or,
    Xor,
    /// Shifts and rotates take the amount modulo the width.
    Shl,
    Shr,
    Sar,
    Rotl,
    Rotr,
    /// Division never traps in the IR; targets check divisors first. x/0 = all ones,
    /// x%0 = x, signed overflow wraps.
    Divu,
    Divs,
    Remu,
    Rems,
}

impl BinOp {
    pub fn name(self) -> &'static str {
        match self {
            BinOp::Add => "add",
            BinOp::Sub => "sub",
            BinOp::Mul => "mul",
            BinOp::And => "and",
            BinOp::Or => "or",
            BinOp::Xor => "xor",
            BinOp::Shl => "shl",
            BinOp::Shr => "shr",
            BinOp::Sar => "sar",
            BinOp::Rotl => "rotl",
            BinOp::Rotr => "rotr",
            BinOp::Divu => "divu",
            BinOp::Divs => "divs",
            BinOp::Remu => "remu",
            BinOp::Rems => "rems",
        }
    }

    /// Evaluate on values of type `ty` (inputs already within the type's width).
    pub fn eval(self, ty: Ty, a: u64, b: u64) -> u64 {
        let bits = ty.bits();
        let m = ty.mask();
        let sh = (b % bits as u64) as u32;
        let sx = |v: u64| -> i64 {
            match ty {
                Ty::I32 => v as u32 as i32 as i64,
                Ty::I64 => v as i64,
            }
        };
        let r = match self {
            BinOp::Add => a.wrapping_add(b),
            BinOp::Sub => a.wrapping_sub(b),
            BinOp::Mul => a.wrapping_mul(b),
            BinOp::And => a & b,
            BinOp::Or => a | b,
            BinOp::Xor => a ^ b,
            BinOp::Shl => a << sh,
            BinOp::Shr => (a & m) >> sh,
            BinOp::Sar => (sx(a) >> sh) as u64,
            BinOp::Rotl => match ty {
                Ty::I32 => (a as u32).rotate_left(sh) as u64,
                Ty::I64 => a.rotate_left(sh),
            },
            BinOp::Rotr => match ty {
                Ty::I32 => (a as u32).rotate_right(sh) as u64,
                Ty::I64 => a.rotate_right(sh),
            },
            BinOp::Divu => (a & m).checked_div(b & m).unwrap_or(m),
            BinOp::Remu => (a & m).checked_rem(b & m).unwrap_or(a),
            BinOp::Divs => match ty {
                Ty::I32 if b as u32 == 0 => m,
                Ty::I32 => (a as u32 as i32).wrapping_div(b as u32 as i32) as u32 as u64,
                Ty::I64 if b == 0 => m,
                Ty::I64 => (a as i64).wrapping_div(b as i64) as u64,
            },
            BinOp::Rems => match ty {
                Ty::I32 if b as u32 == 0 => a,
                Ty::I32 => (a as u32 as i32).wrapping_rem(b as u32 as i32) as u32 as u64,
                Ty::I64 if b == 0 => a,
                Ty::I64 => (a as i64).wrapping_rem(b as i64) as u64,
            },
        };
        r & m
    }
}

/// One-operand operations.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum UnOp {
    Neg,
    Not,
    /// Byte swap of the whole value.
    Bswap,
    Clz,
    Ctz,
    Ctpop,
}

impl UnOp {
    pub fn name(self) -> &'static str {
        match self {
            UnOp::Neg => "neg",
            UnOp::Not => "not",
            UnOp::Bswap => "bswap",
            UnOp::Clz => "clz",
            UnOp::Ctz => "ctz",
            UnOp::Ctpop => "ctpop",
        }
    }
    pub fn eval(self, ty: Ty, a: u64) -> u64 {
        let m = ty.mask();
        let r = match (self, ty) {
            (UnOp::Neg, _) => a.wrapping_neg(),
            (UnOp::Not, _) => !a,
            (UnOp::Bswap, Ty::I32) => (a as u32).swap_bytes() as u64,
            (UnOp::Bswap, Ty::I64) => a.swap_bytes(),
            (UnOp::Clz, Ty::I32) => (a as u32).leading_zeros() as u64,
            (UnOp::Clz, Ty::I64) => a.leading_zeros() as u64,
            (UnOp::Ctz, Ty::I32) => (a as u32).trailing_zeros() as u64,
            (UnOp::Ctz, Ty::I64) => a.trailing_zeros() as u64,
            (UnOp::Ctpop, _) => (a & m).count_ones() as u64,
        };
        r & m
    }
}

/// A guest memory access.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct MemOp {
    /// 1, 2, 4 or 8 bytes.
    pub size: u8,
    /// Sign-extend the loaded value to the destination type.
    pub signed: bool,
    pub big_endian: bool,
}

/// What a helper call may do, so the optimizer and backends know what to keep.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct HelperFlags {
    /// No side effects and no state access: may be removed or folded.
    pub pure: bool,
    pub reads_state: bool,
    pub writes_state: bool,
    pub may_raise: bool,
    /// With `reads_state`/`writes_state`: the only CPU-state byte ranges (offset, length)
    /// the helper reads/writes; empty means any of the state. Backends that keep guest
    /// registers in host registers write back and reload only those.
    pub reads: &'static [(u32, u32)],
    pub writes: &'static [(u32, u32)],
}

impl HelperFlags {
    /// Whether the helper may read the state bytes `[off, off+len)`.
    pub fn may_read(&self, off: u32, len: u32) -> bool {
        self.reads_state && (self.reads.is_empty() || overlaps(self.reads, off, len))
    }
    /// Whether the helper may write the state bytes `[off, off+len)`.
    pub fn may_write(&self, off: u32, len: u32) -> bool {
        self.writes_state && (self.writes.is_empty() || overlaps(self.writes, off, len))
    }
}

fn overlaps(ranges: &[(u32, u32)], off: u32, len: u32) -> bool {
    ranges.iter().any(|&(o, l)| off < o + l && o < off + len)
}

/// How a block ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Exit {
    /// Continue at the constant `pc` through chainable exit slot `slot`, in persistent
    /// context `ctx` (the block key's context word, known when the block was translated).
    GotoTb { slot: u8, pc: u64, ctx: u64 },
    /// Continue at the address in the guest PC (already written), in context `ctx`: look it up.
    LookupAndGoto { ctx: u64 },
    /// Return to the dispatcher (mode change, system call...).
    ExitTb,
}

/// One IR operation.
#[derive(Debug, Clone, PartialEq)]
pub enum Op {
    /// Start of a guest instruction at `pc`; `flags` are target-defined (for example "in a
    /// delay slot"). Exceptions restore the guest PC from the last marker.
    InsnStart {
        pc: u64,
        flags: u32,
    },
    Mov {
        dst: Val,
        src: Val,
    },
    Bin {
        op: BinOp,
        dst: Val,
        a: Val,
        b: Val,
    },
    Un {
        op: UnOp,
        dst: Val,
        a: Val,
    },
    /// Extend the low `bits` bits of `src` (sign or zero) into `dst` (of any type);
    /// also converts between i32 and i64.
    Ext {
        dst: Val,
        src: Val,
        bits: u8,
        signed: bool,
    },
    /// `dst = (src >> ofs) & mask(len)`, sign-extended from `len` if `signed`.
    Extract {
        dst: Val,
        src: Val,
        ofs: u8,
        len: u8,
        signed: bool,
    },
    /// `dst = base` with bits `ofs..ofs+len` replaced by the low bits of `val`.
    Deposit {
        dst: Val,
        base: Val,
        val: Val,
        ofs: u8,
        len: u8,
    },
    Setcond {
        cond: Cond,
        dst: Val,
        a: Val,
        b: Val,
    },
    Movcond {
        cond: Cond,
        dst: Val,
        a: Val,
        b: Val,
        t: Val,
        f: Val,
    },
    /// Double-width multiply: `hi:lo = a * b`.
    Mul2 {
        signed: bool,
        lo: Val,
        hi: Val,
        a: Val,
        b: Val,
    },
    Load {
        dst: Val,
        addr: Val,
        mem: MemOp,
    },
    Store {
        val: Val,
        addr: Val,
        mem: MemOp,
    },
    /// A CPU-state slot at a run-time offset (`base + index * scale`), for register files
    /// indexed by a run-time value.
    LoadState {
        dst: Val,
        base: u32,
        index: Val,
        scale: u8,
    },
    StoreState {
        val: Val,
        base: u32,
        index: Val,
        scale: u8,
    },
    /// A helper call (boxed: calls are rare, and every op is as large as the largest).
    Call(Box<Call>),
    /// Raise guest exception `code` (target-defined) with an argument; leaves the block.
    Raise {
        code: u32,
        arg: Val,
    },
    Label(Label),
    Br(Label),
    Brcond {
        cond: Cond,
        a: Val,
        b: Val,
        label: Label,
    },
    Exit(Exit),
}

/// A helper call: helper `helper` (target-numbered) with `args`, its result in `ret`.
#[derive(Debug, Clone, PartialEq)]
pub struct Call {
    pub helper: u32,
    pub name: &'static str,
    pub args: Vec<Val>,
    pub ret: Option<Val>,
    pub flags: HelperFlags,
}

/// A translated block of IR.
#[derive(Debug, Clone, Default)]
pub struct Block {
    pub vals: Vec<ValInfo>,
    pub ops: Vec<Op>,
    pub labels: u32,
    /// Guest address of the first instruction.
    pub pc: u64,
    /// The persistent context word the block was translated in (part of its key).
    pub context: u64,
    /// Bytes of guest code covered.
    pub guest_len: u64,
    pub insns: u32,
    /// Side exits (conditional branches the block went on past): `goto_tb` slots
    /// `0..side_exits` are their taken paths, in guest order.
    pub side_exits: u32,
}

impl Block {
    /// The heap bytes the block's ops and values hold (what keeping its IR costs).
    pub fn heap_bytes(&self) -> usize {
        let calls: usize = self
            .ops
            .iter()
            .map(|op| match op {
                Op::Call(c) => std::mem::size_of::<Call>() + c.args.capacity() * std::mem::size_of::<Val>(),
                _ => 0,
            })
            .sum();
        self.ops.capacity() * std::mem::size_of::<Op>() + self.vals.capacity() * std::mem::size_of::<ValInfo>() + calls
    }
    pub fn ty(&self, v: Val) -> Ty {
        self.vals[v.0 as usize].ty
    }
    pub fn kind(&self, v: Val) -> &ValKind {
        &self.vals[v.0 as usize].kind
    }
    pub fn const_of(&self, v: Val) -> Option<u64> {
        match self.vals[v.0 as usize].kind {
            ValKind::Const(c) => Some(c),
            _ => None,
        }
    }
}
