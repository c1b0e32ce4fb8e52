//! The cold code emitted after a block's body: slow paths of guest loads and stores (calls
//! into the runtime, then resume or take the fault exit), the exits of raising helpers, the
//! unchained stubs of `goto_tb` exits, the exit-request exits, raise-only paths moved out
//! of line, and the shared write-back paths of raise and fault exits.
//!
//! Must not decide what goes out of line (the hot path queues [`Cold`] items) or emit
//! anything into the hot path.

use super::Em;
use crate::ir::Val;
use crate::jit::ctx::exit;
use crate::jit::regalloc::{RAX, RCX};
use crate::jit::slow_site::Site;
use dynasmrt::{dynasm, DynamicLabel, DynasmApi, DynasmLabelApi};

/// Out-of-line code emitted after the block body.
pub(super) enum Cold {
    Load {
        slow: DynamicLabel,
        resume: DynamicLabel,
        code: u32,
        /// The exception of a fused alignment check (`select`).
        align: Option<u32>,
        /// The register the hot path indexed guest memory with (its low 32 bits are the
        /// address; `None`: all of `rcx` is).
        addr_reg: Option<u8>,
        dst: Val,
        pc: u64,
        flags: u32,
        k: usize,
    },
    Store {
        slow: DynamicLabel,
        resume: DynamicLabel,
        code: u32,
        align: Option<u32>,
        addr_reg: Option<u8>,
        val: Val,
        pc: u64,
        flags: u32,
        k: usize,
    },
    Raised {
        label: DynamicLabel,
        kind: u64,
        pc: u64,
        flags: u32,
        k: usize,
    },
    Goto {
        stub: DynamicLabel,
        site: usize,
        pc: u64,
    },
    Request {
        label: DynamicLabel,
        pc: u64,
    },
    /// The exit request seen at a self-loop's back edge: write registers back, then leave.
    LoopRequest {
        label: DynamicLabel,
        pc: u64,
    },
    /// Ops `from..=to` (ending in a raise) moved out of the hot path.
    Ops {
        label: DynamicLabel,
        from: usize,
        to: usize,
        pc: u64,
        flags: u32,
    },
}

impl Em<'_> {
    pub(super) fn emit_cold(&mut self, block_id: u64) {
        // Cold code may queue more cold code (an outlined load's slow path).
        while !self.cold.is_empty() {
            let cold = std::mem::take(&mut self.cold);
            for c in cold {
                self.emit_cold_one(c, block_id);
            }
        }
        for (set, l) in std::mem::take(&mut self.sync_exits) {
            dynasm!(self.ops ; .arch x64 ; =>l);
            for i in 0..self.a.globals.len().min(64) {
                if set & (1 << i) != 0 {
                    let g = self.a.globals[i];
                    self.store_state(g.off as i32, g.size, g.reg);
                }
            }
            let ep = self.t.epilogue;
            dynasm!(self.ops ; .arch x64 ; jmp extern ep);
        }
    }

    /// The descriptor of the slow path of the access at op `k` (`v`: a load's destination or
    /// a store's value). The register that held the address on the hot path still does: a
    /// faulting access writes nothing.
    #[allow(clippy::too_many_arguments)]
    fn site(
        &mut self,
        store: bool,
        code: u32,
        align_raise: Option<u32>,
        addr_reg: Option<u8>,
        v: Val,
        pc: u64,
        flags: u32,
        k: usize,
    ) -> Site {
        self.cur = k;
        let set = self.sync_set();
        let sync = (0..self.a.globals.len().min(64))
            .filter(|i| set & (1 << i) != 0)
            .map(|i| {
                let g = self.a.globals[i];
                (g.reg, g.off, g.size)
            })
            .collect();
        Site {
            store,
            code,
            align_raise,
            addr_reg: addr_reg.unwrap_or(RCX),
            addr64: addr_reg.is_none(),
            loc: self.loc(v),
            w64: self.w64(v),
            pc,
            flags,
            sync,
        }
    }

    /// The slow path at `slow`: a site of the shared stub (`jit::slow_site`) whose
    /// descriptor goes to the block's data; it resumes at `resume`.
    fn slow_site(&mut self, slow: DynamicLabel, resume: DynamicLabel, site: Site) {
        let desc = self.ops.new_dynamic_label();
        let mut bytes = Vec::new();
        site.encode(&mut bytes);
        self.data.push((desc, bytes));
        let stub = self.t.slow_stub;
        dynasm!(self.ops ; .arch x64
            ; =>slow
            ; lea rax, [=>desc]
            ; call extern stub
            ; jmp =>resume
        );
    }

    /// The descriptors of the block's slow-path sites, after all its code. Returns where
    /// they start.
    pub(super) fn emit_data(&mut self) -> usize {
        let at = self.ops.offset().0;
        for (l, bytes) in std::mem::take(&mut self.data) {
            dynasm!(self.ops ; .arch x64 ; =>l);
            self.ops.extend(bytes);
        }
        at
    }

    fn emit_cold_one(&mut self, c: Cold, block_id: u64) {
        {
            match c {
                Cold::Ops { label, from, to, pc, flags } => {
                    self.aligned.clear();
                    dynasm!(self.ops ; .arch x64 ; =>label);
                    self.pc = pc;
                    self.flags = flags;
                    for k in from..=to {
                        self.op(k);
                    }
                }
                Cold::Load { slow, resume, code, align, dst, addr_reg, pc, flags, k } => {
                    let site = self.site(false, code, align, addr_reg, dst, pc, flags, k);
                    self.slow_site(slow, resume, site);
                }
                Cold::Store { slow, resume, code, align, val, addr_reg, pc, flags, k } => {
                    let site = self.site(true, code, align, addr_reg, val, pc, flags, k);
                    self.slow_site(slow, resume, site);
                }
                Cold::Raised { label, kind, pc, flags, k } => {
                    self.cur = k;
                    dynasm!(self.ops ; .arch x64 ; =>label);
                    self.exit_at_insn(kind, pc, flags);
                }
                Cold::Goto { stub, site, pc } => {
                    dynasm!(self.ops ; .arch x64 ; =>stub);
                    self.write_pc_imm(pc);
                    // The exit kind carries the block and the slot (`ctx::exit::goto`).
                    let slot = self.gotos[site].0.slot;
                    self.mov_imm(RAX, exit::goto(block_id, slot), true);
                    let ep = self.t.epilogue;
                    dynasm!(self.ops ; .arch x64 ; jmp extern ep);
                }
                Cold::Request { label, pc } => {
                    dynasm!(self.ops ; .arch x64 ; =>label);
                    self.write_pc_imm(pc);
                    self.exit_with(exit::REQUEST);
                }
                Cold::LoopRequest { label, pc } => {
                    dynasm!(self.ops ; .arch x64 ; =>label);
                    self.cur = self.b.ops.len();
                    self.sync_globals();
                    self.write_pc_imm(pc);
                    self.exit_with(exit::REQUEST);
                }
            }
        }
    }
}
