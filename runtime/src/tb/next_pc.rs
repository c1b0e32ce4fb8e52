//! The architectural next-PC register (`NextPcModel::Register`, SPARC's pc/npc): keeping it
//! right at every block exit, and the blocks that start with it elsewhere than after their
//! first instruction. Such a block (after a jump in a delay slot, a DCTI couple) is one
//! instruction, after which the PC is the old next PC and the next PC is that instruction's
//! jump target or the old next PC plus one instruction; it leaves through the dispatcher,
//! which keys the next block by the new state.
//!
//! Owns nothing else: delay slots of the other models are the translator's (`translate.rs`).

use super::translate::{Frontend, Lowered};
use super::{Branch, LowerCx, NextPcModel};
use crate::ir::{Block, Builder, Cond, Exit, Ty, Val};

/// The next-PC register's state offset and the instruction size, under that model.
pub(super) fn register(f: &dyn Frontend) -> Option<(u32, u32)> {
    match f.next_pc() {
        NextPcModel::Register { offset, insn_bytes, .. } => Some((offset, insn_bytes)),
        _ => None,
    }
}

/// Before leaving the block for PC `pc`: the next PC is the instruction after it.
pub(super) fn sync(f: &dyn Frontend, b: &mut Builder, pc: Val) {
    if let Some((offset, n)) = register(f) {
        let ty = Ty::for_width(f.pc_bits());
        let k = b.konst(ty, n as u64);
        let np = b.bin(crate::ir::BinOp::Add, pc, k);
        let g = b.global(ty, offset, "npc");
        b.mov(g, np);
    }
}

/// Leave through the dispatcher after the instruction whose delay slot is at `slot` (`slot`
/// is also the old next PC): the PC becomes `slot` and the next PC the jump's destination
/// (`br`, taken or not) or the instruction after `slot`; an annulled slot is skipped.
pub(super) fn exit_delayed(
    f: &dyn Frontend,
    b: &mut Builder,
    br: Option<&Branch>,
    annul: Option<Option<Val>>,
    slot: Val,
) {
    let Some((offset, n)) = register(f) else { return };
    let ty = Ty::for_width(f.pc_bits());
    let nk = b.konst(ty, n as u64);
    let after = b.bin(crate::ir::BinOp::Add, slot, nk);
    let z = b.konst(Ty::I32, 0);
    let (mut p, mut np) = (slot, after);
    if let Some(br) = br {
        if br.delayed {
            np = match br.taken {
                Some(t) => b.movcond(Cond::Ne, t, z, br.target, after),
                None => br.target,
            };
        } else {
            p = match br.taken {
                Some(t) => b.movcond(Cond::Ne, t, z, br.target, slot),
                None => br.target,
            };
            np = b.bin(crate::ir::BinOp::Add, p, nk);
        }
    }
    // Annulled: the slot is skipped, so the PC is what the next PC was.
    let skipped_np = b.bin(crate::ir::BinOp::Add, np, nk);
    match annul {
        Some(None) => (p, np) = (np, skipped_np),
        Some(Some(a)) => {
            p = b.movcond(Cond::Ne, a, z, np, p);
            np = b.movcond(Cond::Ne, a, z, skipped_np, np);
        }
        None => {}
    }
    let pc = b.global(ty, f.pc_offset(), "pc");
    b.mov(pc, p);
    let g = b.global(ty, offset, "npc");
    b.mov(g, np);
    b.exit(Exit::ExitTb);
}

/// Whether the instruction at `pc` jumps (lowered into a scratch block, so nothing of it is
/// kept): a delay slot holding one ends its branch's block before it.
pub(super) fn slot_jumps(f: &dyn Frontend, pc: u64, ctx: u64, bytes: &[u8]) -> bool {
    let mut scratch = Builder::new(pc);
    let mut cx = LowerCx::new(f.big_endian(), f.pc_bits(), ctx);
    cx.in_delay_slot = true;
    matches!(f.lower_insn(bytes, pc, &mut scratch, &mut cx), Lowered::Ok(_)) && cx.branch.is_some()
}

/// The one-instruction block at `pc` whose next PC (in the state) is not `pc` plus one
/// instruction.
pub(super) fn translate_step(
    f: &dyn Frontend,
    pc: u64,
    ctx: u64,
    fetch: &mut dyn FnMut(u64, &mut [u8]) -> usize,
) -> Block {
    let (offset, _) = register(f).expect("a next-PC register");
    let ty = Ty::for_width(f.pc_bits());
    let mut b = Builder::new(pc);
    b.block.context = ctx;
    let g = b.global(ty, offset, "npc");
    let old = b.temp(ty);
    b.mov(old, g);
    let mut buf = vec![0u8; f.max_insn_len()];
    let got = fetch(pc, &mut buf);
    b.insn_start(pc, 0);
    let mut cx = LowerCx::new(f.big_endian(), f.pc_bits(), ctx);
    cx.in_delay_slot = true;
    match f.lower_insn(&buf[..got], pc, &mut b, &mut cx) {
        Lowered::Ok(len) => {
            b.block.guest_len = len as u64;
            if !cx.ends_block {
                exit_delayed(f, &mut b, cx.branch.as_ref(), cx.annul, old);
            }
        }
        Lowered::Illegal => {
            let z = b.konst(Ty::I64, 0);
            b.raise(f.illegal_insn_code(), z);
            b.block.guest_len = 1;
        }
    }
    b.finish()
}
