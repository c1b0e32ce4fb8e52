//! Building IR blocks: values (temporaries, globals, constants), labels and operations.
//! Generated lowering code and hand-written target support call this; it folds nothing
//! itself (the optimizer does), except that constants and globals are shared.

use super::intern::Interner;
use super::*;

#[derive(Debug, Default)]
pub struct Builder {
    pub block: Block,
    globals: Interner,
    consts: Interner,
}

/// What one block's building needs and the next can reuse: the sharing tables and the
/// growing op and value lists.
#[derive(Default)]
struct Scratch {
    globals: Interner,
    consts: Interner,
    ops: Vec<Op>,
    vals: Vec<ValInfo>,
}

thread_local! {
    /// The scratch of the last dropped builder, emptied, for the next one: every block would
    /// otherwise allocate and grow two sharing tables and two lists (and then cut the lists to
    /// their length), about a tenth of a short program's translation time.
    static SCRATCH: std::cell::RefCell<Option<Scratch>> = const { std::cell::RefCell::new(None) };
}

impl Builder {
    pub fn new(pc: u64) -> Self {
        let s = SCRATCH.with(|t| t.borrow_mut().take()).unwrap_or_else(|| Scratch {
            ops: Vec::with_capacity(128),
            vals: Vec::with_capacity(128),
            ..Scratch::default()
        });
        let block = Block { pc, ops: s.ops, vals: s.vals, ..Block::default() };
        Builder { block, globals: s.globals, consts: s.consts }
    }

    /// The block, its lists allocated at their length: a block may live long in the
    /// translation cache as IR (tier 0), and most blocks are far below the scratch's
    /// capacity, which goes back for the next block (when `self` drops).
    pub fn finish(mut self) -> Block {
        let mut block = std::mem::take(&mut self.block);
        let mut ops = Vec::with_capacity(block.ops.len());
        ops.append(&mut block.ops);
        let mut vals = Vec::with_capacity(block.vals.len());
        vals.append(&mut block.vals);
        self.block.ops = std::mem::replace(&mut block.ops, ops);
        self.block.vals = std::mem::replace(&mut block.vals, vals);
        block
    }

    fn val(&mut self, ty: Ty, kind: ValKind) -> Val {
        self.block.vals.push(ValInfo { ty, kind });
        Val(self.block.vals.len() as u32 - 1)
    }

    /// A fresh temporary.
    pub fn temp(&mut self, ty: Ty) -> Val {
        self.val(ty, ValKind::Temp)
    }

    /// A constant (masked to the type).
    pub fn konst(&mut self, ty: Ty, v: u64) -> Val {
        let v = v & ty.mask();
        // One probe whether the constant is new or not (`get` then `insert` took two).
        let vals = &mut self.block.vals;
        Val(self.consts.get_or_insert(v, ty == Ty::I64, || {
            vals.push(ValInfo { ty, kind: ValKind::Const(v) });
            vals.len() as u32 - 1
        }))
    }

    /// The guest register of type `ty` at byte `offset` of the CPU state, stored in as many
    /// bytes as the type has.
    pub fn global(&mut self, ty: Ty, offset: u32, name: &'static str) -> Val {
        self.global_sized(ty, offset, (ty.bits() / 8) as u8, name)
    }

    /// The guest register of type `ty` at byte `offset`, stored in `size` bytes.
    pub fn global_sized(&mut self, ty: Ty, offset: u32, size: u8, name: &'static str) -> Val {
        let vals = &mut self.block.vals;
        Val(self.globals.get_or_insert(offset as u64, ty == Ty::I64, || {
            vals.push(ValInfo { ty, kind: ValKind::Global { offset, size, name } });
            vals.len() as u32 - 1
        }))
    }

    pub fn ty(&self, v: Val) -> Ty {
        self.block.ty(v)
    }

    pub fn emit(&mut self, op: Op) {
        self.block.ops.push(op);
    }

    pub fn new_label(&mut self) -> Label {
        self.block.labels += 1;
        Label(self.block.labels - 1)
    }

    pub fn set_label(&mut self, l: Label) {
        self.emit(Op::Label(l));
    }

    pub fn insn_start(&mut self, pc: u64, flags: u32) {
        self.block.insns += 1;
        self.emit(Op::InsnStart { pc, flags });
    }

    pub fn mov(&mut self, dst: Val, src: Val) {
        self.emit(Op::Mov { dst, src });
    }

    pub fn bin(&mut self, op: BinOp, a: Val, b: Val) -> Val {
        let ty = self.ty(a);
        let dst = self.temp(ty);
        self.emit(Op::Bin { op, dst, a, b });
        dst
    }

    pub fn un(&mut self, op: UnOp, a: Val) -> Val {
        let ty = self.ty(a);
        let dst = self.temp(ty);
        self.emit(Op::Un { op, dst, a });
        dst
    }

    /// `a & mask(bits)` when `bits` is below the type's width (keeps values canonical).
    pub fn trunc(&mut self, a: Val, bits: u32) -> Val {
        let ty = self.ty(a);
        if bits >= ty.bits() {
            return a;
        }
        let dst = self.temp(ty);
        self.emit(Op::Extract { dst, src: a, ofs: 0, len: bits as u8, signed: false });
        dst
    }

    /// Extend the low `bits` of `a` into a value of type `ty`.
    pub fn ext(&mut self, ty: Ty, a: Val, bits: u32, signed: bool) -> Val {
        let dst = self.temp(ty);
        self.emit(Op::Ext { dst, src: a, bits: bits as u8, signed });
        dst
    }

    pub fn extract(&mut self, a: Val, ofs: u32, len: u32, signed: bool) -> Val {
        let ty = self.ty(a);
        let dst = self.temp(ty);
        self.emit(Op::Extract { dst, src: a, ofs: ofs as u8, len: len as u8, signed });
        dst
    }

    pub fn deposit(&mut self, base: Val, val: Val, ofs: u32, len: u32) -> Val {
        let ty = self.ty(base);
        let dst = self.temp(ty);
        self.emit(Op::Deposit { dst, base, val, ofs: ofs as u8, len: len as u8 });
        dst
    }

    /// 0 or 1, of type i32.
    pub fn setcond(&mut self, cond: Cond, a: Val, b: Val) -> Val {
        let dst = self.temp(Ty::I32);
        self.emit(Op::Setcond { cond, dst, a, b });
        dst
    }

    pub fn movcond(&mut self, cond: Cond, a: Val, b: Val, t: Val, f: Val) -> Val {
        let ty = self.ty(t);
        let dst = self.temp(ty);
        self.emit(Op::Movcond { cond, dst, a, b, t, f });
        dst
    }

    pub fn mul2(&mut self, signed: bool, a: Val, b: Val) -> (Val, Val) {
        let ty = self.ty(a);
        let lo = self.temp(ty);
        let hi = self.temp(ty);
        self.emit(Op::Mul2 { signed, lo, hi, a, b });
        (lo, hi)
    }

    pub fn load(&mut self, ty: Ty, addr: Val, mem: MemOp) -> Val {
        let dst = self.temp(ty);
        self.emit(Op::Load { dst, addr, mem });
        dst
    }

    pub fn store(&mut self, val: Val, addr: Val, mem: MemOp) {
        self.emit(Op::Store { val, addr, mem });
    }

    pub fn load_state(&mut self, ty: Ty, base: u32, index: Val, scale: u8) -> Val {
        let dst = self.temp(ty);
        self.emit(Op::LoadState { dst, base, index, scale });
        dst
    }

    pub fn store_state(&mut self, val: Val, base: u32, index: Val, scale: u8) {
        self.emit(Op::StoreState { val, base, index, scale });
    }

    pub fn call(
        &mut self,
        helper: u32,
        name: &'static str,
        args: Vec<Val>,
        ret: Option<Ty>,
        flags: HelperFlags,
    ) -> Option<Val> {
        let ret = ret.map(|t| self.temp(t));
        self.emit(Op::Call(Box::new(Call { helper, name, args, ret, flags })));
        ret
    }

    pub fn raise(&mut self, code: u32, arg: Val) {
        self.emit(Op::Raise { code, arg });
    }

    pub fn br(&mut self, l: Label) {
        self.emit(Op::Br(l));
    }

    pub fn brcond(&mut self, cond: Cond, a: Val, b: Val, label: Label) {
        self.emit(Op::Brcond { cond, a, b, label });
    }

    pub fn exit(&mut self, e: Exit) {
        self.emit(Op::Exit(e));
    }
}

impl Drop for Builder {
    /// Give the tables and lists back for the next builder, finished or not (a scratch block
    /// that only asks what an instruction does is dropped unfinished).
    fn drop(&mut self) {
        let (mut globals, mut consts) = (std::mem::take(&mut self.globals), std::mem::take(&mut self.consts));
        globals.clear();
        consts.clear();
        let (mut ops, mut vals) = (std::mem::take(&mut self.block.ops), std::mem::take(&mut self.block.vals));
        ops.clear();
        vals.clear();
        // (`try_with`: a builder dropped while the thread exits just frees its scratch.)
        let _ = SCRATCH.try_with(|t| *t.borrow_mut() = Some(Scratch { globals, consts, ops, vals }));
    }
}
