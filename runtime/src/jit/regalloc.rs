//! Register allocation for one block: every value gets one location for its whole live range
//! (first to last mention in op order; blocks branch only forward, so one location per value
//! is valid on every path). The most used guest registers live in host registers for the
//! whole block (loaded at entry, written back at exits and around helpers); temporaries get
//! the remaining registers by linear scan and stack slots when none is free.
//!
//! This module decides locations only; it emits no code and knows no guest architecture.

use crate::ir::{Block, Val, ValKind};
use crate::opt::{uses, visit_defs};

/// Host register numbers (x86-64 encoding order).
pub const RAX: u8 = 0;
pub const RCX: u8 = 1;
pub const RDX: u8 = 2;
pub const RBX: u8 = 3;
pub const RSP: u8 = 4;
pub const RBP: u8 = 5;
pub const RSI: u8 = 6;
pub const RDI: u8 = 7;
pub const R8: u8 = 8;
pub const R9: u8 = 9;
pub const R10: u8 = 10;
pub const R11: u8 = 11;
pub const R12: u8 = 12;
pub const R13: u8 = 13;
pub const R14: u8 = 14;

/// Registers the allocator hands out: callee-saved first (they survive helper calls).
pub const CALLEE_SAVED: [u8; 4] = [RBX, R12, R13, R14];
pub const CALLER_SAVED: [u8; 6] = [RSI, RDI, R8, R9, R10, R11];

/// At most this many guest registers are kept in host registers.
const MAX_GLOBAL_REGS: usize = 7;

/// Where a value lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Loc {
    /// Never mentioned.
    None,
    Reg(u8),
    /// A frame slot at `[rsp + offset]`.
    Slot(i32),
    /// Its CPU-state slot `[rbp + offset]`, `size` bytes (globals without a register).
    State {
        off: u32,
        size: u8,
    },
    Const(u64),
}

/// A guest register held in a host register for the block.
#[derive(Debug, Clone, Copy)]
pub struct GlobalReg {
    pub reg: u8,
    pub off: u32,
    pub size: u8,
    /// Some op of the block writes it (so exits write it back).
    pub written: bool,
    /// Loaded at block entry. False when its first mention is a write that every later op
    /// comes after (no branch or label before it): then it holds a value from `def_at` on.
    pub entry_load: bool,
    pub def_at: usize,
}

/// The allocation of one block.
#[derive(Debug, Clone)]
pub struct Alloc {
    pub locs: Vec<Loc>,
    pub globals: Vec<GlobalReg>,
    /// Per op: caller-saved registers holding a value live across it (bit per register).
    live_across: Vec<u16>,
}

impl Alloc {
    /// Caller-saved registers holding values that must survive a call at op `k` (other
    /// than `except`'s registers), as a bit mask by register number.
    pub fn caller_saved_live_at(&self, k: usize, except: &[Val]) -> u16 {
        let mut m = self.live_across.get(k).copied().unwrap_or(0);
        for v in except {
            if let Loc::Reg(r) = self.locs[v.0 as usize] {
                m &= !(1 << r);
            }
        }
        m
    }
}

/// Caller-saved registers whose value is live across each op (defined before it, read after).
fn live_across(locs: &[Loc], first: &[usize], last: &[usize], n: usize) -> Vec<u16> {
    let mut m = vec![0u16; n + 1];
    for (i, l) in locs.iter().enumerate() {
        if let Loc::Reg(r) = *l {
            if CALLER_SAVED.contains(&r) && first[i] != usize::MAX {
                for x in &mut m[first[i]..last[i].min(n)] {
                    *x |= 1 << r;
                }
            }
        }
    }
    m
}

/// Whether the ops after the branch at `k` to `label` (forward) reach that label only by
/// the branch: they hold no label or branch, and the last before the label leaves the block.
fn skips_exit(b: &Block, k: usize, label: crate::ir::Label) -> bool {
    use crate::ir::Op;
    let mut prev = &b.ops[k];
    for op in &b.ops[k + 1..] {
        match op {
            Op::Label(l) if *l == label => return matches!(prev, Op::Raise { .. } | Op::Exit(_)),
            Op::Label(_) | Op::Br(_) | Op::Brcond { .. } => return false,
            _ => prev = op,
        }
    }
    false
}

/// Allocate `b`. `slot_base` is the frame offset of the first spill slot; at most
/// `max_slots` slots exist (`None` when the block needs more).
pub fn allocate(b: &Block, slot_base: i32, max_slots: usize, has_calls: bool) -> Option<Alloc> {
    let n = b.vals.len();
    let mut first = vec![usize::MAX; n];
    let mut last = vec![usize::MAX; n];
    let mut count = vec![0u32; n];
    let mut written = vec![false; n];
    // Whether the first mention is a write in straight-line code from the block start. A
    // branch over a path that leaves the block (an alignment check's raise) keeps the code
    // straight: every path that goes on passes its label. Writes on such a side path do not
    // count (the main path has not written the value).
    let mut def_first = vec![false; n];
    let mut straight = true;
    let mut side_until: Option<crate::ir::Label> = None;
    for (k, op) in b.ops.iter().enumerate() {
        let u = uses(op);
        if side_until.is_none() {
            visit_defs(op, |v| {
                let i = v.0 as usize;
                if first[i] == usize::MAX && straight && !u.contains(&v) {
                    def_first[i] = true;
                }
            });
        }
        match op {
            crate::ir::Op::Label(l) if side_until == Some(*l) => side_until = None,
            crate::ir::Op::Brcond { label, .. } if straight && side_until.is_none() && skips_exit(b, k, *label) => {
                side_until = Some(*label)
            }
            crate::ir::Op::Label(_) | crate::ir::Op::Br(_) | crate::ir::Op::Brcond { .. } => straight = false,
            _ => {}
        }
        let mut mention = |v: Val| {
            let i = v.0 as usize;
            if first[i] == usize::MAX {
                first[i] = k;
            }
            last[i] = k;
            count[i] += 1;
        };
        u.iter().for_each(|&v| mention(v));
        visit_defs(op, &mut mention);
        visit_defs(op, |v| written[v.0 as usize] = true);
    }
    let mut locs = vec![Loc::None; n];
    let mut free: Vec<u8> = if has_calls {
        CALLEE_SAVED.iter().chain(CALLER_SAVED.iter()).rev().copied().collect()
    } else {
        CALLER_SAVED.iter().chain(CALLEE_SAVED.iter()).rev().copied().collect()
    };
    // Globals: the most used get registers for the whole block.
    let mut gl: Vec<usize> =
        (0..n).filter(|&i| matches!(b.vals[i].kind, ValKind::Global { .. }) && first[i] != usize::MAX).collect();
    gl.sort_by_key(|&i| (std::cmp::Reverse(count[i]), i));
    let mut globals = Vec::new();
    for (rank, &i) in gl.iter().enumerate() {
        let ValKind::Global { offset, size, .. } = b.vals[i].kind else { unreachable!() };
        if rank < MAX_GLOBAL_REGS && count[i] >= 2 {
            let r = free.pop()?;
            locs[i] = Loc::Reg(r);
            let def_at = first[i];
            globals.push(GlobalReg {
                reg: r,
                off: offset,
                size,
                written: written[i],
                entry_load: !def_first[i],
                def_at,
            });
            // Live for the whole block.
            first[i] = 0;
            last[i] = b.ops.len();
        } else {
            locs[i] = Loc::State { off: offset, size };
        }
    }
    for (i, v) in b.vals.iter().enumerate() {
        if let ValKind::Const(c) = v.kind {
            locs[i] = Loc::Const(c);
        }
    }
    // Temporaries: linear scan in order of first mention.
    let mut temps: Vec<usize> =
        (0..n).filter(|&i| matches!(b.vals[i].kind, ValKind::Temp) && first[i] != usize::MAX).collect();
    temps.sort_by_key(|&i| (first[i], i));
    let mut active: Vec<usize> = Vec::new();
    let mut slots = 0usize;
    let new_slot = |slots: &mut usize| -> Option<Loc> {
        if *slots >= max_slots {
            return None;
        }
        *slots += 1;
        Some(Loc::Slot(slot_base + 8 * (*slots as i32 - 1)))
    };
    for &i in &temps {
        // Expire intervals that ended strictly before this one starts.
        active.retain(|&j| {
            if last[j] < first[i] {
                if let Loc::Reg(r) = locs[j] {
                    free.push(r);
                }
                false
            } else {
                true
            }
        });
        if let Some(r) = free.pop() {
            locs[i] = Loc::Reg(r);
            active.push(i);
            continue;
        }
        // Spill whichever of the active intervals and this one ends last.
        let far = active.iter().copied().max_by_key(|&j| last[j]);
        match far {
            Some(j) if last[j] > last[i] => {
                locs[i] = locs[j];
                locs[j] = new_slot(&mut slots)?;
                active.retain(|&x| x != j);
                active.push(i);
            }
            _ => locs[i] = new_slot(&mut slots)?,
        }
    }
    let live_across = live_across(&locs, &first, &last, b.ops.len());
    Some(Alloc { locs, globals, live_across })
}
