//! The byte format of the assembler's tables, shared by the generator, which writes them
//! (`gen/asm_data.rs`), and the runtime, which reads them (`runtime/src/asm/data.rs`
//! includes this file). The tables are data, not code, so that compiling a core's assembler
//! costs next to nothing.
//!
//! Encoding: numbers are unsigned LEB128; a string is its length and its UTF-8 bytes; a
//! bool is one byte; an option is a byte (0 or 1) then the value; a list is its length
//! then its items. Trees are in prefix order: a tag from [`node`], its immediates, then its
//! children. Evaluator programs are byte strings of [`op`]s run on a stack of `u64`.
//!
//! Knows no architecture.

/// Tags of an expression tree (the solver's view of a value).
pub mod node {
    /// Then the constant.
    pub const CONST: u8 = 0;
    /// Then the operand field's index.
    pub const FIELD: u8 = 1;
    pub const PC: u8 = 2;
    pub const NEXT_PC: u8 = 3;
    /// Then the operand.
    pub const NEG: u8 = 4;
    pub const NOT: u8 = 5;
    /// Then a [`super::binop`] byte and the two operands.
    pub const BIN: u8 = 6;
    /// Then the right side's width and the two operands.
    pub const CONCAT: u8 = 7;
    /// Then the source width and the operand.
    pub const SEXT: u8 = 8;
    pub const ZEXT: u8 = 9;
    /// Then the condition and the two branches.
    pub const COND: u8 = 10;
    /// Then the context variable's index.
    pub const CTX: u8 = 11;
    pub const OPAQUE: u8 = 12;
}

/// Binary operators of a tree.
pub mod binop {
    pub const ADD: u8 = 0;
    pub const SUB: u8 = 1;
    pub const MUL: u8 = 2;
    pub const AND: u8 = 3;
    pub const OR: u8 = 4;
    pub const XOR: u8 = 5;
    pub const SHL: u8 = 6;
    pub const SHR: u8 = 7;
    pub const EQ: u8 = 8;
    pub const NE: u8 = 9;
    pub const LT: u8 = 10;
    pub const LE: u8 = 11;
    pub const GT: u8 = 12;
    pub const GE: u8 = 13;
    pub const LAND: u8 = 14;
    pub const LOR: u8 = 15;
}

/// Tags of a form's display part.
pub mod part {
    /// Then the text.
    pub const TEXT: u8 = 0;
    pub const SEP: u8 = 1;
    /// Then the value index, its tree and its [`super::kind`].
    pub const VALUE: u8 = 2;
    /// Then the value index, its tree and the register file's index.
    pub const REG: u8 = 3;
    /// Then the value index, its tree and the list of (key, name).
    pub const NAMES: u8 = 4;
    /// In scopes only: the rest of the display is a trailing comment.
    pub const COMMENT: u8 = 5;
    /// In scopes only: then the table whose chosen alternative's display goes here.
    pub const TABLE: u8 = 6;
}

/// How a number is shown.
pub mod kind {
    pub const UNSIGNED: u8 = 0;
    pub const SIGNED: u8 = 1;
    pub const ADDRESS: u8 = 2;
}

/// A token's byte order: the core's, or fixed.
pub mod order {
    pub const CORE: u8 = 0;
    pub const LITTLE: u8 = 1;
    pub const BIG: u8 = 2;
}

/// The evaluator's operations. Values are `u64`s masked to their width, as in the code the
/// generator writes for the disassembler; an operand `m` is a mask, `w` a width.
pub mod op {
    /// Push the constant.
    pub const CONST: u8 = 0;
    /// Push operand field `k`.
    pub const FIELD: u8 = 1;
    /// Push `pc & m`, `next_pc & m`.
    pub const PC: u8 = 2;
    pub const NEXT_PC: u8 = 3;
    /// `x.wrapping_neg() & m`, `!x & m`, `x == 0`.
    pub const NEG: u8 = 4;
    pub const NOT: u8 = 5;
    pub const LNOT: u8 = 6;
    /// Shifts (`x`, then the count): left within `w` bits, logical right, arithmetic right
    /// of a `w`-bit value.
    pub const SHL: u8 = 7;
    pub const SHR: u8 = 8;
    pub const SAR: u8 = 9;
    /// `(x << s) | y`.
    pub const CONCAT: u8 = 10;
    pub const LAND: u8 = 11;
    pub const LOR: u8 = 12;
    /// `(x op y) & m`.
    pub const ADD: u8 = 13;
    pub const SUB: u8 = 14;
    pub const MUL: u8 = 15;
    pub const AND: u8 = 16;
    pub const OR: u8 = 17;
    pub const XOR: u8 = 18;
    /// Unsigned comparisons.
    pub const EQ: u8 = 19;
    pub const NE: u8 = 20;
    pub const LT: u8 = 21;
    pub const LE: u8 = 22;
    pub const GT: u8 = 23;
    pub const GE: u8 = 24;
    /// Signed comparisons of `w`-bit values.
    pub const SLT: u8 = 25;
    pub const SLE: u8 = 26;
    pub const SGT: u8 = 27;
    pub const SGE: u8 = 28;
    /// `c ? x : y` (all three on the stack, `c` deepest).
    pub const SELECT: u8 = 29;
    /// Then `n` and `n` constants: element `min(i, n - 1)`.
    pub const TABLE: u8 = 30;
    /// Bit `i & 63` of `x`.
    pub const BIT: u8 = 31;
    /// Then `lo` and `m`: `(x >> lo) & m`.
    pub const SLICE: u8 = 32;
    /// Then the source width and `m`: `sign_extend(x) & m`.
    pub const SEXT: u8 = 33;
    pub const POPCOUNT: u8 = 34;
}
