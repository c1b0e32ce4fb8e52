//! The cold code emitted after a block's body: slow paths of guest loads and stores (calls
//! into the runtime, then resume or take the fault exit), the exits of raising helpers, the
//! unchained stubs of `goto_tb` exits, the exit-request exits, raise-only paths moved out
//! of line, and the shared write-back paths of raise and fault exits.
//!
//! Must not decide what goes out of line (the hot path queues [`Cold`] items) or emit
//! anything into the hot path.

use super::Em;
use crate::ir::Val;
use crate::jit::ctx::{self, exit, JitCtx};
use crate::jit::regalloc::{RAX, RDX};
use dynasmrt::{dynasm, DynamicLabel, DynasmApi, DynasmLabelApi};
use std::mem::offset_of;

/// Out-of-line code emitted after the block body.
pub(super) enum Cold {
    Load {
        slow: DynamicLabel,
        resume: DynamicLabel,
        code: u32,
        /// The register the hot path indexed guest memory with (the slow path takes the
        /// address in `rcx`; `None`: it is there).
        addr_reg: Option<u8>,
        dst: Val,
        save: u16,
        pc: u64,
        flags: u32,
        k: usize,
    },
    Store {
        slow: DynamicLabel,
        resume: DynamicLabel,
        code: u32,
        addr_reg: Option<u8>,
        val: Val,
        save: u16,
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

    /// A slow path's first step: the guest address into `rcx`, where the runtime call
    /// takes it (the register that held it on the hot path still does: a faulting access
    /// writes nothing).
    fn address_to_rcx(&mut self, addr_reg: Option<u8>) {
        if let Some(r) = addr_reg {
            dynasm!(self.ops ; .arch x64 ; mov ecx, Rd(r));
        }
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
                Cold::Load { slow, resume, code, dst, save, addr_reg, pc, flags, k } => {
                    self.cur = k;
                    dynasm!(self.ops ; .arch x64 ; =>slow);
                    self.address_to_rcx(addr_reg);
                    self.save_regs(save);
                    let ctxp = self.t.ctx;
                    dynasm!(self.ops ; .arch x64 ; mov edi, ctxp ; mov rsi, rcx ; mov edx, code as i32);
                    self.call_abs(ctx::load_slow as *const () as usize);
                    self.restore_regs(save);
                    let fault = self.ops.new_dynamic_label();
                    let rs = cx!(self.t, raised);
                    dynasm!(self.ops ; .arch x64
                        ; cmp BYTE [rs], 0
                        ; jne =>fault
                    );
                    self.store(dst, RAX);
                    dynasm!(self.ops ; .arch x64
                        ; jmp =>resume
                        ; =>fault
                    );
                    self.exit_at_insn(exit::FAULT, pc, flags);
                }
                Cold::Store { slow, resume, code, val, save, addr_reg, pc, flags, k } => {
                    self.cur = k;
                    dynasm!(self.ops ; .arch x64 ; =>slow);
                    self.address_to_rcx(addr_reg);
                    self.save_regs(save);
                    // The value first: it may live in rsi or rdi, which the arguments take.
                    self.load(RDX, val);
                    let ctxp = self.t.ctx;
                    dynasm!(self.ops ; .arch x64 ; mov rsi, rcx ; mov edi, ctxp ; mov ecx, code as i32);
                    self.call_abs(ctx::store_slow as *const () as usize);
                    self.restore_regs(save);
                    let fault = self.ops.new_dynamic_label();
                    let rs = cx!(self.t, raised);
                    dynasm!(self.ops ; .arch x64
                        ; cmp BYTE [rs], 0
                        ; jne =>fault
                        ; jmp =>resume
                        ; =>fault
                    );
                    self.exit_at_insn(exit::FAULT, pc, flags);
                }
                Cold::Raised { label, kind, pc, flags, k } => {
                    self.cur = k;
                    dynasm!(self.ops ; .arch x64 ; =>label);
                    self.exit_at_insn(kind, pc, flags);
                }
                Cold::Goto { stub, site, pc } => {
                    dynasm!(self.ops ; .arch x64 ; =>stub);
                    self.write_pc_imm(pc);
                    let slot = self.gotos[site].0.slot;
                    let (blk_at, slot_at) = (cx!(self.t, block), cx!(self.t, slot));
                    dynasm!(self.ops ; .arch x64
                        ; mov QWORD [blk_at], block_id as i32
                        ; mov QWORD [slot_at], slot as i32
                    );
                    self.exit_with(exit::GOTO);
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
