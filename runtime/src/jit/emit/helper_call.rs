//! The helper-call ABI of compiled code: guest registers a helper may read or write are
//! written back and reloaded around the call, arguments go through the frame's argument
//! area, live caller-saved registers are saved in the frame's save area, and the call is a
//! direct `f(ctx, cpu, a0..a3)` or the generic `helper_thunk(ctx, id, args, n)`; a helper
//! that may raise is followed by the raise check.
//!
//! Must not know what any helper does or emit guest memory accesses.

use super::{Cold, Em, ARGS_OFF, SAVE_OFF};
use crate::ir::{HelperFlags, Val};
use crate::jit::ctx::{self, exit, JitCtx};
use crate::jit::regalloc::{RAX, RCX, RDX};
use dynasmrt::{dynasm, DynasmApi, DynasmLabelApi};
use std::mem::offset_of;

impl Em<'_> {
    pub(super) fn call_helper(&mut self, k: usize, helper: u32, args: &[Val], ret: Option<Val>, flags: HelperFlags) {
        // The helper sees the guest registers it may read or (partly) write in the state; a
        // raise needs nothing here (its exit path writes every register back).
        self.sync_globals_where(|off, size| flags.may_read(off, size) || flags.may_write(off, size));
        for (i, &a) in args.iter().enumerate() {
            let r = self.reg_or(a, RAX);
            let d = ARGS_OFF + 8 * i as i32;
            dynasm!(self.ops ; .arch x64 ; mov QWORD [rsp + d], Rq(r));
        }
        let except: Vec<Val> = ret.into_iter().collect();
        let except = if flags.may_raise { self.dead_across_fault(&except) } else { except };
        let save = self.a.caller_saved_live_at(k, &except);
        self.save_regs(save);
        let ctxp = self.t.ctx;
        let direct = self.t.direct.get(helper as usize).copied().flatten().filter(|_| args.len() <= 4);
        if let Some(f) = direct {
            // f(ctx, cpu, a0, a1, a2, a3): the arguments from their frame slots.
            for (i, reg) in [RDX, RCX, 8u8, 9u8].into_iter().enumerate().take(args.len()) {
                let d = ARGS_OFF + 8 * i as i32;
                dynasm!(self.ops ; .arch x64 ; mov Rq(reg), QWORD [rsp + d]);
            }
            dynasm!(self.ops ; .arch x64 ; mov edi, ctxp ; mov rsi, rbp);
            self.call_abs(f);
        } else {
            dynasm!(self.ops ; .arch x64
                ; mov edi, ctxp
                ; mov esi, helper as i32
                ; lea rdx, [rsp + ARGS_OFF]
                ; mov ecx, args.len() as i32
            );
            self.call_abs(ctx::helper_thunk as *const () as usize);
        }
        self.restore_regs(save);
        self.load_globals_where(|off, size| flags.may_write(off, size));
        // A raise is taken before the result is stored: the exit writes back the guest
        // registers as they were before the instruction.
        if flags.may_raise {
            let l = self.ops.new_dynamic_label();
            let rs = cx!(self.t, raised);
            dynasm!(self.ops ; .arch x64
                ; cmp BYTE [rs], 0
                ; jne =>l
            );
            self.cold.push(Cold::Raised { label: l, kind: exit::RAISE, pc: self.pc, flags: self.flags, k });
        }
        if let Some(r) = ret {
            self.store(r, RAX);
        }
    }

    pub(super) fn save_regs(&mut self, regs: u16) {
        for r in (0..16u8).filter(|r| regs & (1 << r) != 0) {
            let d = SAVE_OFF + 8 * r as i32;
            dynasm!(self.ops ; .arch x64 ; mov QWORD [rsp + d], Rq(r));
        }
    }

    pub(super) fn restore_regs(&mut self, regs: u16) {
        for r in (0..16u8).filter(|r| regs & (1 << r) != 0) {
            let d = SAVE_OFF + 8 * r as i32;
            dynasm!(self.ops ; .arch x64 ; mov Rq(r), QWORD [rsp + d]);
        }
    }

    pub(super) fn call_abs(&mut self, f: usize) {
        dynasm!(self.ops ; .arch x64 ; mov rax, QWORD f as i64 ; call rax);
    }
}
