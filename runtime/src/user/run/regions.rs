//! Loops as regions: when a block is about to be compiled and the blocks around it show a
//! loop back to it (a chain of `goto_tb` exits, within a few blocks on its page, each exit
//! taken at least a quarter of the time at tier 0), the loop is translated again as one block from
//! there (`translate_region`: the ways off the loop leave through side exits) and compiled
//! in its place, so that the backend keeps the guest registers in host registers across the
//! whole loop.
//!
//! Owns the choice of regions in user mode; the blocks' exits and the compile belong to the
//! engine, the region's translation to the translator.

use super::cpu_loop::Loop;
use super::Accel;
use crate::arch::LinuxTarget;
use crate::ir::{Exit, Op};
use crate::tb::engine::{PcKey, Tb};
use crate::tb::translate::{translate_region, Limits};
use std::sync::Arc;

/// Guest blocks a region may go through.
const REGION_BLOCKS: usize = 12;
/// Guest instructions a region may hold.
const REGION_INSNS: u32 = 160;
/// Blocks the search for a loop may look at.
const SEARCH_BLOCKS: usize = 16;

impl<A: LinuxTarget> Loop<A> {
    /// Whether blocks may become regions: the compiled code runs without a debugger, which
    /// needs blocks to end at each branch.
    pub(super) fn regions(&self) -> bool {
        self.opts.accel == Accel::Jit && self.gdb.is_none() && self.engine.jit.is_some()
    }

    /// The shortest way round a loop from block `key` back to it: the guest blocks on the
    /// way (the first is `key`'s) and the exit slot each leaves by. An exit counts when it
    /// leads to a block on the same page in the same context that has been translated, and
    /// its block ran at least 4 times at tier 0 and took it at least a quarter of the time.
    fn loop_path(&self, key: PcKey) -> Option<Vec<(u64, u8)>> {
        let page = |pc: u64| pc & !(Limits::default().page_size - 1);
        // Breadth first; `nodes[i].1` is how node i was reached (its parent and the slot).
        let mut nodes: Vec<(u64, Option<(usize, u8)>)> = vec![(key.pc, None)];
        let mut i = 0;
        while i < nodes.len() && nodes.len() <= SEARCH_BLOCKS {
            let exits = self.engine.exits(PcKey { pc: nodes[i].0, ctx: key.ctx });
            let runs: u32 = exits.iter().flatten().map(|e| e.0).sum();
            for (slot, e) in exits.iter().enumerate() {
                let Some((taken, pc, ctx)) = *e else { continue };
                if ctx != key.ctx || page(pc) != page(key.pc) || runs < 4 || taken * 4 < runs {
                    continue;
                }
                if pc == key.pc {
                    let mut path = vec![(nodes[i].0, slot as u8)];
                    let mut at = i;
                    while let Some((parent, s)) = nodes[at].1 {
                        path.push((nodes[parent].0, s));
                        at = parent;
                    }
                    path.reverse();
                    return (path.len() <= REGION_BLOCKS).then_some(path);
                }
                if !nodes.iter().any(|n| n.0 == pc) {
                    nodes.push((pc, Some((i, slot as u8))));
                }
            }
            i += 1;
        }
        None
    }

    /// The loop through `tb` (the block for `key`, about to be compiled) translated and
    /// compiled as one block in its place, when there is such a loop.
    pub(super) fn compile_loop(&mut self, key: PcKey, tb: &Tb) -> Option<Arc<Tb>> {
        let path = self.loop_path(key)?;
        // Slot 0 of a block's branch is its taken way.
        let hot = |start: u64| path.iter().find(|p| p.0 == start).map(|p| p.1 == 0);
        let lim = Limits { max_insns: REGION_INSNS, side_exits: REGION_BLOCKS as u32, ..Limits::default() };
        let mem = &mut self.mem;
        let blk = translate_region(&self.fe, key.pc, key.ctx, &mut |a, buf| mem.fetch(a, buf), lim, &hot);
        let closes = blk
            .ops
            .iter()
            .any(|op| matches!(op, Op::Exit(Exit::GotoTb { pc, ctx, .. }) if *pc == key.pc && *ctx == key.ctx));
        if !closes {
            return None;
        }
        if self.opts.log_op {
            eprint!("{}", crate::ir::dump_block(&blk));
        }
        Some(self.engine.replace(key, tb, blk, true))
    }
}
