//! The translator: decodes and lowers guest instructions into one IR block until a branch,
//! an exception, a page boundary or the size limit. Delay slots (MIPS, SPARC) are translated
//! with their branch; an annulled slot is skipped under its condition. With
//! [`Limits::side_exits`], a block goes on past conditional branches on their not-taken path
//! (the taken path leaves through a side exit), so a hot path with branches is one block.

use super::{next_pc, Branch, LowerCx, NextPcModel};
use crate::ir::{Block, Builder, Cond, Exit, Ty};

/// `insn_start` flag: this instruction is in a delay slot (the branch is 1 instruction back).
pub const IN_DELAY_SLOT: u32 = 1;

/// Raise code of a debugger stop: the instruction at the raise's PC has a breakpoint and has
/// not run (see [`translate_debug`]). No guest architecture raises it (their codes are small).
pub const EXC_DEBUG_STOP: u32 = 0xdeb0_0001;

/// Outcome of lowering one instruction.
pub enum Lowered {
    /// Lowered; the instruction is `len` bytes.
    Ok(usize),
    /// Not an instruction of this core (or no semantics yet): raise the target's
    /// illegal-instruction exception.
    Illegal,
}

/// What the translator needs from a guest architecture.
pub trait Frontend {
    fn big_endian(&self) -> bool;
    /// Width of the guest PC in bits.
    fn pc_bits(&self) -> u32;
    /// Byte offset of the PC in the CPU state.
    fn pc_offset(&self) -> u32;
    /// Exception code raised for an undecodable instruction.
    fn illegal_insn_code(&self) -> u32;
    /// Longest instruction in bytes.
    fn max_insn_len(&self) -> usize;
    /// Decode `bytes` (at `pc`) and lower the instruction into `b`.
    fn lower_insn(&self, bytes: &[u8], pc: u64, b: &mut Builder, cx: &mut LowerCx) -> Lowered;
    /// How the next PC is found (the spec's `next_pc` declaration: delay slots).
    fn next_pc(&self) -> NextPcModel;
}

/// Translation limits.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub max_insns: u32,
    pub page_size: u64,
    /// Conditional branches (with a static target, on the same page) a block may go on past,
    /// leaving through a side exit when taken; 0: a block ends at its first branch (as QEMU's
    /// translation blocks do).
    pub side_exits: u32,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { max_insns: 512, page_size: 4096, side_exits: 0 }
    }
}

fn write_pc(f: &dyn Frontend, b: &mut Builder, target: crate::ir::Val) {
    let pc = b.global(Ty::for_width(f.pc_bits()), f.pc_offset(), "pc");
    b.mov(pc, target);
}

/// Leave the block toward `br` (taken, through `goto_tb` slot `slot`) or `fallthrough` (not
/// taken, slot `slot + 1`; with `go_on`, the block continues there instead), in persistent
/// context `ctx`. With `dispatch`, both ways go back to the dispatcher (the context may have
/// changed at run time).
#[allow(clippy::too_many_arguments)]
fn emit_branch_exit(
    f: &dyn Frontend,
    b: &mut Builder,
    br: &Branch,
    fallthrough: u64,
    slot: u8,
    go_on: bool,
    ctx: u64,
    dispatch: bool,
) {
    let not_taken = br.taken.map(|t| {
        let l = b.new_label();
        let z = b.konst(Ty::I32, 0);
        b.brcond(Cond::Eq, t, z, l);
        l
    });
    next_pc::sync(f, b, br.target);
    match br.static_target {
        Some(t) if !dispatch => b.exit(Exit::GotoTb { slot, pc: t, ctx }),
        _ => {
            write_pc(f, b, br.target);
            b.exit(if dispatch { Exit::ExitTb } else { Exit::LookupAndGoto { ctx } });
        }
    }
    if let Some(l) = not_taken {
        b.set_label(l);
        if !go_on {
            exit_to(f, b, fallthrough, slot + 1, ctx, dispatch);
        }
    }
}

/// Leave the block for the constant `pc`: chainable through `slot`, or by the dispatcher.
fn exit_to(f: &dyn Frontend, b: &mut Builder, pc: u64, slot: u8, ctx: u64, dispatch: bool) {
    let np = b.konst(Ty::for_width(f.pc_bits()), pc);
    next_pc::sync(f, b, np);
    if dispatch {
        write_pc(f, b, np);
        b.exit(Exit::ExitTb);
    } else {
        b.exit(Exit::GotoTb { slot, pc, ctx });
    }
}

/// Translate the block starting at `pc` in persistent context `context` (the block key's
/// context word). `fetch(addr, buf)` copies guest code bytes and returns how many it could
/// (0 when the address is not executable).
pub fn translate(
    f: &dyn Frontend,
    pc: u64,
    context: u64,
    fetch: &mut dyn FnMut(u64, &mut [u8]) -> usize,
    lim: Limits,
) -> Block {
    translate_debug(f, pc, context, fetch, lim, &|_| false)
}

/// [`translate`] for a CPU under a debugger: an instruction for which `stop_at(addr)` is true
/// (a breakpoint) is not translated. The block ends before it, or, when it is the block's
/// first, is only a raise of [`EXC_DEBUG_STOP`] at its address, so the CPU stops with its
/// state exactly as before that instruction. (Delay slots are not checked: debuggers place
/// no breakpoints there.) Single stepping is `Limits { max_insns: 1, .. }`.
/// Never inlined: `bench/insns.sh` finds translation time under this name in a profile.
#[inline(never)]
pub fn translate_debug(
    f: &dyn Frontend,
    pc: u64,
    context: u64,
    fetch: &mut dyn FnMut(u64, &mut [u8]) -> usize,
    lim: Limits,
    stop_at: &dyn Fn(u64) -> bool,
) -> Block {
    translate_path(f, pc, context, fetch, lim, stop_at, None)
}

/// Translate a loop that starts at `pc` as one block (a region): at the branch that ends each
/// guest block on the way (the first at `pc`), `hot(start of that guest block)` says which
/// way the program goes (`Some(true)`: taken, `Some(false)`: not taken), and translation goes
/// on that way; the other way leaves through a `goto_tb` side exit. The region ends with a
/// `goto_tb` back to `pc` when the path comes back there (the backend keeps such a loop in
/// the block). Everything stays on `pc`'s page, within `lim.max_insns` and
/// `lim.side_exits` side exits; where the path cannot go on, the block leaves as a block
/// does. Needs a next-PC model without a next-PC register (the continuation would have to
/// set it); with one, this is [`translate`]. Never inlined: `bench/insns.sh` finds
/// translation time under this name in a profile.
#[inline(never)]
pub fn translate_region(
    f: &dyn Frontend,
    pc: u64,
    context: u64,
    fetch: &mut dyn FnMut(u64, &mut [u8]) -> usize,
    lim: Limits,
    hot: &dyn Fn(u64) -> Option<bool>,
) -> Block {
    let hot = next_pc::register(f).is_none().then_some(hot);
    translate_path(f, pc, context, fetch, lim, &|_| false, hot)
}

#[allow(clippy::too_many_arguments)]
fn translate_path(
    f: &dyn Frontend,
    pc: u64,
    context: u64,
    fetch: &mut dyn FnMut(u64, &mut [u8]) -> usize,
    lim: Limits,
    stop_at: &dyn Fn(u64) -> bool,
    hot: Option<&dyn Fn(u64) -> Option<bool>>,
) -> Block {
    if let NextPcModel::Register { key_bit, .. } = f.next_pc() {
        if (context >> key_bit) & 1 != 0 {
            return next_pc::translate_step(f, pc, context, fetch);
        }
    }
    let mut b = Builder::new(pc);
    b.block.context = context;
    let mut ctx = context;
    let mut cur = pc;
    let mut buf = vec![0u8; f.max_insn_len()];
    let page = pc & !(lim.page_size - 1);
    let mut n = 0u32;
    // The next free `goto_tb` slot, and how many more side exits the block may take.
    let (mut slot, mut side_exits) = (0u8, lim.side_exits.min(64));
    // A region: where the current guest block started, the guest blocks it went through,
    // and the end of the furthest instruction translated.
    let (mut seg_start, mut visited, mut furthest) = (pc, Vec::new(), pc);
    loop {
        if stop_at(cur) {
            if cur == pc {
                b.insn_start(cur, 0);
                let z = b.konst(Ty::I64, 0);
                b.raise(EXC_DEBUG_STOP, z);
                b.block.guest_len = 1;
            } else {
                exit_to(f, &mut b, cur, slot, ctx, false);
                b.block.guest_len = cur - pc;
            }
            return b.finish();
        }
        let got = fetch(cur, &mut buf);
        b.insn_start(cur, 0);
        let mut cx = LowerCx::new(f.big_endian(), f.pc_bits(), ctx);
        let len = match f.lower_insn(&buf[..got], cur, &mut b, &mut cx) {
            Lowered::Ok(len) => len,
            Lowered::Illegal => {
                let z = b.konst(Ty::I64, 0);
                b.raise(f.illegal_insn_code(), z);
                b.block.guest_len = furthest.max(cur + 1) - pc;
                return b.finish();
            }
        };
        n += 1;
        let next = cur + len as u64;
        if cx.ends_block {
            let np = b.konst(Ty::for_width(f.pc_bits()), next);
            write_pc(f, &mut b, np);
            next_pc::sync(f, &mut b, np);
            b.exit(Exit::ExitTb);
            b.block.guest_len = furthest.max(next) - pc;
            return b.finish();
        }
        let mut end_after = cx.end_after;
        ctx = cx.context;
        if let Some(br) = cx.branch {
            let mut after = next;
            if br.delayed && next_pc::register(f).is_some() && cx.annul != Some(None) {
                // A jump in the delay slot: leave before it with the next PC set, so that it
                // runs as a block of its own (`next_pc::translate_step`).
                let got = fetch(next, &mut buf);
                if next_pc::slot_jumps(f, next, ctx, &buf[..got]) {
                    let slot = b.konst(Ty::for_width(f.pc_bits()), next);
                    next_pc::exit_delayed(f, &mut b, Some(&br), cx.annul, slot);
                    b.block.guest_len = next - pc;
                    return b.finish();
                }
            }
            if br.delayed {
                // The delay slot: translated here, skipped when annulled.
                let skip = match cx.annul {
                    Some(None) => true,
                    Some(Some(a)) => {
                        let l = b.new_label();
                        let z = b.konst(Ty::I32, 0);
                        b.brcond(Cond::Ne, a, z, l);
                        let slot_cx = translate_slot(f, &mut b, next, ctx, fetch, &mut buf);
                        after = slot_cx.0;
                        // The slot ran on one path only: its context is not known statically.
                        end_after |= slot_cx.1.end_after || slot_cx.1.context != ctx;
                        b.set_label(l);
                        false
                    }
                    None => false,
                };
                if skip {
                    after = next + (f.max_insn_len().min(4)) as u64;
                } else if cx.annul.is_none() {
                    let slot_cx = translate_slot(f, &mut b, next, ctx, fetch, &mut buf);
                    after = slot_cx.0;
                    end_after |= slot_cx.1.end_after;
                    ctx = slot_cx.1.context;
                }
            }
            furthest = furthest.max(after);
            if let Some(hot) = hot {
                let same_page = |a: u64| a & !(lim.page_size - 1) == page;
                let way = match (hot(seg_start), br.taken, br.static_target) {
                    _ if end_after || cx.annul.is_some() || n >= lim.max_insns || side_exits == 0 => None,
                    (Some(true), _, Some(t)) if same_page(t) => Some((t, true)),
                    (Some(false), Some(_), _) if same_page(after) => Some((after, false)),
                    _ => None,
                };
                if let Some((to, taken)) = way.filter(|&(to, _)| to == pc || !visited.contains(&to)) {
                    // An unconditional jump leaves no other way.
                    if let Some(t) = br.taken {
                        if taken {
                            let l = b.new_label();
                            let z = b.konst(Ty::I32, 0);
                            b.brcond(Cond::Ne, t, z, l);
                            exit_to(f, &mut b, after, slot, ctx, false);
                            b.set_label(l);
                        } else {
                            emit_branch_exit(f, &mut b, &br, after, slot, true, ctx, false);
                        }
                        slot += 1;
                        side_exits -= 1;
                    }
                    n += br.delayed as u32;
                    if to == pc {
                        // Back at the top: the loop closes.
                        exit_to(f, &mut b, pc, slot, ctx, false);
                        b.block.guest_len = furthest - pc;
                        return b.finish();
                    }
                    (cur, seg_start) = (to, to);
                    visited.push(to);
                    continue;
                }
            }
            let go_on = hot.is_none()
                && side_exits > 0
                && !end_after
                && br.taken.is_some()
                && br.static_target.is_some()
                && cx.annul.is_none()
                && n < lim.max_insns
                && after & !(lim.page_size - 1) == page;
            emit_branch_exit(f, &mut b, &br, after, slot, go_on, ctx, end_after);
            if go_on {
                b.block.side_exits += 1;
                side_exits -= 1;
                slot += 1;
                n += br.delayed as u32;
                cur = after;
                continue;
            }
            b.block.guest_len = furthest.max(after) - pc;
            return b.finish();
        }
        cur = next;
        furthest = furthest.max(cur);
        if end_after || n >= lim.max_insns || cur & !(lim.page_size - 1) != page {
            exit_to(f, &mut b, cur, slot, ctx, end_after);
            b.block.guest_len = furthest - pc;
            return b.finish();
        }
    }
}

/// Translate the instruction in a delay slot at `pc` in context `ctx`; returns the address
/// after it and its lowering state.
fn translate_slot(
    f: &dyn Frontend,
    b: &mut Builder,
    pc: u64,
    ctx: u64,
    fetch: &mut dyn FnMut(u64, &mut [u8]) -> usize,
    buf: &mut [u8],
) -> (u64, LowerCx) {
    let got = fetch(pc, buf);
    b.insn_start(pc, IN_DELAY_SLOT);
    let mut cx = LowerCx::new(f.big_endian(), f.pc_bits(), ctx);
    cx.in_delay_slot = true;
    match f.lower_insn(&buf[..got], pc, b, &mut cx) {
        Lowered::Ok(len) => (pc + len as u64, cx),
        Lowered::Illegal => {
            let z = b.konst(Ty::I64, 0);
            b.raise(f.illegal_insn_code(), z);
            (pc + 4, cx)
        }
    }
}
