//! The syntax tree of spec and core files, exactly as written (no name resolution).
//! Owns the data types only; parsing lives in `parse`, meaning in `check`.

use crate::diag::Span;

#[derive(Debug, Clone)]
pub struct Ident {
    pub name: String,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub enum Value {
    Int(i128, Span),
    Str(String, Span),
    Bool(bool, Span),
    Ident(Ident),
    List(Vec<Value>, Span),
}

impl Value {
    pub fn span(&self) -> Span {
        match self {
            Value::Int(_, s) | Value::Str(_, s) | Value::Bool(_, s) | Value::List(_, s) => *s,
            Value::Ident(i) => i.span,
        }
    }
}

#[derive(Debug, Clone)]
pub struct BitRange {
    pub hi: u32,
    pub lo: u32,
    pub span: Span,
}

/// A field layout: ranges concatenated most significant first.
#[derive(Debug, Clone)]
pub struct Ranges {
    pub parts: Vec<BitRange>,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct TokenField {
    pub name: Ident,
    pub little: Ranges,
    /// Layout when the token is read big-endian, if it differs.
    pub big: Option<Ranges>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ByteOrder {
    Little,
    Big,
}

#[derive(Debug, Clone)]
pub struct Constraint {
    pub field: Ident,
    pub equal: bool,
    pub value: i128,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct Atom {
    pub name: Ident,
    pub constraints: Vec<Constraint>,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct Pattern {
    /// Each segment is a stack of atoms that start at the same position.
    pub segments: Vec<Vec<Atom>>,
    pub when: Vec<Constraint>,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct Display {
    pub template: String,
    /// Span of the string literal including quotes.
    pub span: Span,
    pub cond: Option<Expr>,
    /// `asm "..."`: read by the assembler only (GNU as's spelling where objdump prints
    /// another).
    pub asm_only: bool,
}

#[derive(Debug, Clone)]
pub enum Item {
    Isa(Ident),
    Option(Ident),
    Use(String, Span),
    Syntax(Ident, Value),
    Param {
        name: Ident,
        ty: Option<Ident>,
        value: Value,
    },
    Core {
        name: Ident,
        arch: Ident,
    },
    Region {
        name: Ident,
        kind: Ident,
        base: u64,
        size: u64,
        span: Span,
    },
    RegFile {
        name: Ident,
        count: Count,
        width: u32,
        attrs: Vec<(Ident, Value)>,
        span: Span,
    },
    Reg {
        name: Ident,
        width: u32,
        fields: Vec<(Ident, BitRange)>,
        span: Span,
    },
    Names {
        name: Ident,
        entries: Vec<(u64, String, Span)>,
    },
    Token {
        name: Ident,
        width: u32,
        order: Option<ByteOrder>,
        fields: Vec<TokenField>,
        span: Span,
    },
    Context(Vec<ContextVar>),
    Prefix {
        pattern: Pattern,
        last: bool,
        assigns: Vec<(Ident, Expr)>,
        span: Span,
    },
    Format {
        name: Ident,
        pattern: Pattern,
        operands: Option<(String, Span)>,
        /// Assembler-only displays every instruction written with this format gets.
        asm: Vec<Display>,
        /// Guards every instruction written with this format gets (`with g, ...`).
        guards: Vec<Ident>,
    },
    Table {
        name: Ident,
        alts: Vec<TableAlt>,
        /// Guards every instruction whose pattern uses this table gets.
        guards: Vec<Ident>,
    },
    Insn(InsnDecl),
    /// `flags`: each flag with the registers it names (`reads(fcsr)`), if any.
    Helper {
        name: Ident,
        params: Vec<(Ident, u32)>,
        ret: Option<u32>,
        flags: Vec<(Ident, Vec<Ident>)>,
    },
    Exception {
        name: Ident,
        code: u64,
    },
    /// `fn NAME(p: W, ...) -> W = EXPR;`: a pure function, inlined where it is called.
    Fn(FnDecl),
    /// `const NAME[N]: W = [v, ...];`: a constant table.
    Const {
        name: Ident,
        len: u64,
        width: u32,
        values: Vec<Value>,
        span: Span,
    },
    /// `guard NAME: COND else { ... }`: the instructions it is attached to run only when
    /// COND holds; otherwise the else block (or nothing) runs instead.
    Guard(GuardDecl),
    /// `view NAME[i: W]: W { read = EXPR; write(v) { ... } }`: other storage seen as a
    /// register file of its own.
    View(ViewDecl),
    /// `epilogue { ... }`: semantics that run after every instruction's.
    Epilogue(Block, Span),
    /// `next_pc MODEL { attr = value; ... }`: how the next PC is found (delay slots).
    NextPc {
        model: Ident,
        attrs: Vec<(Ident, Value)>,
        span: Span,
    },
}

#[derive(Debug, Clone)]
pub struct ViewDecl {
    pub name: Ident,
    /// The index parameter and its width (the view has 2^width entries).
    pub index: (Ident, u32),
    pub width: u32,
    pub read: Expr,
    /// The name the write block gives the value written.
    pub value: Ident,
    pub write: Block,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct FnDecl {
    pub name: Ident,
    pub params: Vec<(Ident, u32)>,
    pub ret: u32,
    pub body: Expr,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct GuardDecl {
    pub name: Ident,
    pub cond: Expr,
    pub els: Option<Block>,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub enum Count {
    Int(u64, Span),
    Param(Ident),
}

#[derive(Debug, Clone)]
pub struct ContextVar {
    pub name: Ident,
    pub width: u32,
    pub derived: Option<Expr>,
    /// `bound REG` or `bound REG.FIELD`: persistent context kept in that state field.
    pub bound: Option<(Ident, Option<Ident>)>,
}

#[derive(Debug, Clone)]
pub struct TableAlt {
    pub pattern: Pattern,
    pub displays: Vec<Display>,
    /// What the alternative yields: a value, a register or `mem(N, address)`.
    pub export: Option<Expr>,
    /// Runs before the semantics of the instruction using the table (after the export is
    /// computed): a shifter's carry-out.
    pub sem: Option<Block>,
    /// Runs after them: base-register writeback.
    pub after: Option<Block>,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct InsnDecl {
    pub name: Ident,
    pub pattern: Pattern,
    pub displays: Vec<Display>,
    pub sem: Option<Block>,
    pub span: Span,
    /// Guards, outermost first: the option module's, the enclosing groups', its own.
    pub guards: Vec<Ident>,
}

#[derive(Debug, Clone)]
pub struct Block {
    pub stmts: Vec<Stmt>,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub enum Stmt {
    Let {
        name: Ident,
        width: Option<u32>,
        value: Expr,
        span: Span,
    },
    Assign {
        target: LValue,
        value: Expr,
        span: Span,
    },
    If {
        cond: Expr,
        then: Block,
        els: Option<Block>,
        span: Span,
    },
    /// `for var in lo..hi { ... }`: constant bounds, unrolled at translation time.
    For {
        var: Ident,
        lo: Expr,
        hi: Expr,
        body: Block,
        span: Span,
    },
    /// Not written in specs: the checker puts one before an instruction's semantics for each
    /// table operand with an export or blocks (`after: false`: compute the export, run the
    /// alternative's block) and one after them (`after: true`: its `after` block).
    Table {
        operand: String,
        after: bool,
        span: Span,
    },
    Expr(Expr),
}

#[derive(Debug, Clone)]
pub struct LValue {
    pub name: Ident,
    pub index: Option<Expr>,
    pub field: Option<Ident>,
    pub span: Span,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinOp {
    Add,
    Sub,
    Mul,
    And,
    Or,
    Xor,
    Shl,
    Shr,
    Sar,
    Concat,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    Slt,
    Sle,
    Sgt,
    Sge,
    LAnd,
    LOr,
}

impl BinOp {
    pub fn symbol(self) -> &'static str {
        use BinOp::*;
        match self {
            Add => "+",
            Sub => "-",
            Mul => "*",
            And => "&",
            Or => "|",
            Xor => "^",
            Shl => "<<",
            Shr => ">>",
            Sar => ">>>",
            Concat => "++",
            Eq => "==",
            Ne => "!=",
            Lt => "<",
            Le => "<=",
            Gt => ">",
            Ge => ">=",
            Slt => "<s",
            Sle => "<=s",
            Sgt => ">s",
            Sge => ">=s",
            LAnd => "&&",
            LOr => "||",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnOp {
    Neg,
    Not,
    LNot,
}

#[derive(Debug, Clone)]
pub enum Expr {
    Int(u128, Span),
    Bool(bool, Span),
    Name(Ident),
    Call(Ident, Vec<Expr>, Span),
    Index(Box<Expr>, Box<Expr>, Span),
    Slice(Box<Expr>, Box<Expr>, Box<Expr>, Span),
    Field(Box<Expr>, Ident, Span),
    Unary(UnOp, Box<Expr>, Span),
    Binary(BinOp, Box<Expr>, Box<Expr>, Span),
    Ternary(Box<Expr>, Box<Expr>, Box<Expr>, Span),
}

impl Expr {
    /// The expressions directly inside this one, in source order.
    pub fn children(&self) -> Vec<&Expr> {
        match self {
            Expr::Int(..) | Expr::Bool(..) | Expr::Name(_) => vec![],
            Expr::Call(_, args, _) => args.iter().collect(),
            Expr::Index(a, b, _) | Expr::Binary(_, a, b, _) => vec![a, b],
            Expr::Slice(a, b, c, _) | Expr::Ternary(a, b, c, _) => vec![a, b, c],
            Expr::Field(a, _, _) | Expr::Unary(_, a, _) => vec![a],
        }
    }

    pub fn span(&self) -> Span {
        match self {
            Expr::Int(_, s)
            | Expr::Bool(_, s)
            | Expr::Call(_, _, s)
            | Expr::Index(_, _, s)
            | Expr::Slice(_, _, _, s)
            | Expr::Field(_, _, s)
            | Expr::Unary(_, _, s)
            | Expr::Binary(_, _, _, s)
            | Expr::Ternary(_, _, _, s) => *s,
            Expr::Name(i) => i.span,
        }
    }
}

/// One parsed file.
#[derive(Debug, Clone)]
pub struct SpecFile {
    pub items: Vec<Item>,
}
