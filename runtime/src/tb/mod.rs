//! Translation blocks: turning guest code into IR blocks, one instruction at a time, with
//! the block-ending rules (branches, delay slots, annulled slots, exceptions, page ends).
//! `sem` lowers spec operations to IR; `LowerCx` carries what an instruction's lowering
//! tells the translator (a branch, an annulled delay slot, the end of the block).

pub mod engine;
#[cfg(test)]
mod lang_tests;
mod next_pc;
pub mod sem;
pub mod translate;

use crate::ir::{Builder, Ty, Val};

/// How an architecture finds the next PC: the spec's `next_pc` declaration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NextPcModel {
    /// Instructions run in sequence; a jump takes effect at the end of its instruction.
    Sequential,
    /// Delayed jumps (after one delay-slot instruction); a jump in a delay slot raises
    /// exception `code` instead (MIPS: ReservedInstruction, as QEMU does).
    SlotBranchRaises(u32),
    /// Delayed jumps with an architectural next-PC register at state offset `offset`
    /// (SPARC's pc/npc), instructions of `insn_bytes` bytes. A jump in a delay slot is
    /// defined: one instruction runs at the first jump's destination, then the second's.
    /// Such a block starts with npc != pc + `insn_bytes`, which bit `key_bit` of the block
    /// key's context word says (the generated `context_key` sets it).
    Register { offset: u32, insn_bytes: u32, key_bit: u32 },
}

/// A branch an instruction requested.
#[derive(Debug, Clone, Copy)]
pub struct Branch {
    /// 1-bit value: taken or not; `None` when the branch is unconditional.
    pub taken: Option<Val>,
    /// Target address value.
    pub target: Val,
    /// The target when it is known at translation time.
    pub static_target: Option<u64>,
    /// Taken after the next instruction (a delay slot).
    pub delayed: bool,
}

/// State shared between the translator and one instruction's lowering.
#[derive(Debug, Clone)]
pub struct LowerCx {
    pub big_endian: bool,
    /// Width of the guest PC in bits.
    pub pc_bits: u32,
    pub branch: Option<Branch>,
    /// Annul the delay slot: `Some(Some(v))` when 1-bit `v` says so, `Some(None)` always.
    pub annul: Option<Option<Val>>,
    /// The instruction ends the block unconditionally (raise, halt): nothing after it runs.
    pub ends_block: bool,
    /// The persistent context word (the block key's) this instruction is translated in; a
    /// `set_context` with a value known at translation time changes it for the next one.
    pub context: u64,
    /// The block ends after this instruction (and its delay slot) and goes back to the
    /// dispatcher, which looks the next block up in the state's context: the instruction may
    /// have changed persistent context at run time, or the mode (a `mode` helper).
    pub end_after: bool,
    /// The instruction is in a delay slot (set by the translator).
    pub in_delay_slot: bool,
    taken_tmp: Option<Val>,
    target_tmp: Option<Val>,
    annul_tmp: Option<Val>,
}

impl LowerCx {
    /// An instruction's lowering state, in persistent context `context`.
    pub fn new(big_endian: bool, pc_bits: u32, context: u64) -> Self {
        LowerCx {
            big_endian,
            pc_bits,
            branch: None,
            annul: None,
            ends_block: false,
            context,
            end_after: false,
            in_delay_slot: false,
            taken_tmp: None,
            target_tmp: None,
            annul_tmp: None,
        }
    }

    fn pc_ty(&self) -> Ty {
        Ty::for_width(self.pc_bits)
    }

    /// Before an instruction that may branch: temporaries start "not taken".
    pub fn prepare(&mut self, b: &mut Builder) {
        let taken = b.temp(Ty::I32);
        let zero = b.konst(Ty::I32, 0);
        b.mov(taken, zero);
        let target = b.temp(self.pc_ty());
        let annul = b.temp(Ty::I32);
        b.mov(annul, zero);
        self.taken_tmp = Some(taken);
        self.target_tmp = Some(target);
        self.annul_tmp = Some(annul);
    }

    /// `jump(t)` / `jump_delayed(t)`; `conditional` when under a run-time condition.
    pub fn jump(&mut self, b: &mut Builder, t: sem::V, static_target: Option<u64>, delayed: bool, conditional: bool) {
        let tv = sem::fit(b, t, self.pc_bits);
        let target = match self.target_tmp {
            Some(tt) => {
                b.mov(tt, tv);
                tt
            }
            None => tv,
        };
        let prev_static = self.branch.and_then(|br| br.static_target);
        let static_target = if self.branch.is_none() || prev_static == static_target { static_target } else { None };
        if conditional {
            let taken = self.taken_tmp.expect("prepare() before a conditional jump");
            let one = b.konst(Ty::I32, 1);
            b.mov(taken, one);
            self.branch = Some(Branch { taken: Some(taken), target, static_target, delayed });
        } else {
            self.branch = Some(Branch { taken: None, target, static_target, delayed });
        }
    }

    /// `branch_taken()` in the epilogue: 1-bit value, whether the instruction jumps (a
    /// constant unless its jump is conditional).
    pub fn taken_value(&mut self, b: &mut Builder) -> Val {
        match self.branch {
            None => b.konst(Ty::I32, 0),
            Some(Branch { taken: Some(t), .. }) => t,
            Some(Branch { taken: None, .. }) => b.konst(Ty::I32, 1),
        }
    }

    /// Before an epilogue that may jump: an unconditional jump of the instruction is recorded
    /// in the "taken" temporary, so that a conditional jump of the epilogue (which makes the
    /// branch conditional on that temporary) keeps it.
    pub fn settle_taken(&mut self, b: &mut Builder) {
        if let (Some(br), Some(t)) = (self.branch.as_mut(), self.taken_tmp) {
            if br.taken.is_none() {
                let one = b.konst(Ty::I32, 1);
                b.mov(t, one);
                br.taken = Some(t);
            }
        }
    }

    /// `annul_delay_slot()`.
    pub fn annul(&mut self, b: &mut Builder, conditional: bool) {
        if conditional {
            let a = self.annul_tmp.expect("prepare() before a conditional annul");
            let one = b.konst(Ty::I32, 1);
            b.mov(a, one);
            self.annul = Some(Some(a));
        } else {
            self.annul = Some(None);
        }
    }

    /// `halt()`: the block ends here when the halt is unconditional.
    pub fn halt(&mut self, _b: &mut Builder, conditional: bool) {
        if !conditional {
            self.ends_block = true;
        }
    }
}
