//! The context that compiled code and the runtime share while a block runs: how the block
//! left (exit kind and its details), the indirect-jump lookup table, the exit request that
//! makes the next block entry return to the dispatcher, and the entry points compiled code
//! calls for what it does not do inline (helpers, memory slow paths).
//!
//! This module owns the `#[repr(C)]` layout and those `extern "sysv64"` entry points; it must
//! not emit code (that is `emit`) nor decide what to run next (that is the caller's loop).

use crate::interp::{Env, MemFault};
use crate::ir::MemOp;

/// Entries of the indirect-jump lookup table (a power of two).
pub const LOOKUP_ENTRIES: usize = 4096;

/// An entry of the lookup table: guest PC → host entry. `pc == u64::MAX` is empty.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct LookupEntry {
    pub pc: u64,
    pub host: usize,
}

pub const EMPTY_ENTRY: LookupEntry = LookupEntry { pc: u64::MAX, host: 0 };

/// How compiled code returned to the dispatcher (the value in `rax`; its low byte is the
/// kind).
pub mod exit {
    /// Left through an unchained `goto_tb` exit; the PC is in the state, the block and the
    /// slot in the rest of `rax` ([`goto`]).
    pub const GOTO: u64 = 1;
    /// The exit value of `goto_tb` slot `slot` of block `block`.
    pub const fn goto(block: u64, slot: u8) -> u64 {
        GOTO | (slot as u64) << 8 | block << 16
    }
    /// An indirect jump whose target was not in the lookup table; the PC is in the state.
    pub const LOOKUP: u64 = 2;
    /// `exit_tb`: back to the dispatcher; the PC is in the state.
    pub const EXIT: u64 = 3;
    /// A guest exception: `ctx.code`, `ctx.arg` at instruction `ctx.insn_pc`/`insn_flags`.
    pub const RAISE: u64 = 4;
    /// A memory fault (`ctx.fault_*`) at instruction `ctx.insn_pc`/`insn_flags`.
    pub const FAULT: u64 = 5;
    /// The exit request was set at a block entry; the PC (of that block) is in the state.
    pub const REQUEST: u64 = 6;
}

/// Shared between compiled code and the runtime. Offsets are taken with `offset_of!`.
#[repr(C)]
pub struct JitCtx {
    /// Nonzero: the next block entry returns to the dispatcher (signals, invalidation).
    pub exit_request: u8,
    /// Set by `helper_thunk`/memory slow paths when they raised/faulted.
    pub raised: u8,
    pub _pad: [u8; 6],
    pub guest_base: *mut u8,
    pub fast_pages: *const u8,
    pub lookup: *mut LookupEntry,
    /// System mode: the soft TLB's fast table of the current MMU mode.
    pub tlb: *const u8,
    /// Exit details.
    pub code: u64,
    pub arg: u64,
    pub insn_pc: u64,
    pub insn_flags: u64,
    pub fault_addr: u64,
    pub fault_write: u64,
    pub fault_prot: u64,
    /// The machine the block runs in (valid while `Jit::run` executes a block).
    pub env: Option<*mut (dyn Env + 'static)>,
    /// Memory-write log for the differential check mode: (address, size, old value).
    pub undo: Option<Vec<(u64, MemOp, u64)>>,
}

impl JitCtx {
    pub fn new() -> Box<JitCtx> {
        Box::new(JitCtx {
            exit_request: 0,
            raised: 0,
            _pad: [0; 6],
            guest_base: std::ptr::null_mut(),
            fast_pages: std::ptr::null(),
            lookup: std::ptr::null_mut(),
            tlb: std::ptr::null(),
            code: 0,
            arg: 0,
            insn_pc: 0,
            insn_flags: 0,
            fault_addr: 0,
            fault_write: 0,
            fault_prot: 0,
            env: None,
            undo: None,
        })
    }

    fn env(&mut self) -> &mut dyn Env {
        // SAFETY: `env` is set by `Jit::run` to a live `&mut dyn Env` for exactly the duration
        // of the compiled code's execution, and compiled code calls these entry points only
        // then; nothing else holds that borrow meanwhile.
        unsafe { &mut *self.env.expect("JitCtx::env outside Jit::run") }
    }

    fn fault(&mut self, f: MemFault) {
        self.raised = 1;
        self.fault_addr = f.addr;
        self.fault_write = f.write as u64;
        self.fault_prot = f.protection as u64;
    }
}

/// Encode a `MemOp` for the slow paths: size | signed << 8 | big_endian << 9 | i64 << 10.
pub fn memop_code(m: MemOp, dst_i64: bool) -> u32 {
    m.size as u32 | (m.signed as u32) << 8 | (m.big_endian as u32) << 9 | (dst_i64 as u32) << 10
}

pub(super) fn memop_decode(code: u32) -> (MemOp, bool) {
    (MemOp { size: code as u8, signed: code & 0x100 != 0, big_endian: code & 0x200 != 0 }, code & 0x400 != 0)
}

/// A helper call from compiled code: `args` points at the arguments. On a guest exception the
/// code and argument go to `ctx.code`/`ctx.arg` and `ctx.raised` is set.
///
/// # Safety
/// Only compiled code calls it, with its live context and `nargs` stored arguments.
pub unsafe extern "sysv64" fn helper_thunk(ctx: *mut JitCtx, id: u32, args: *const u64, nargs: u32) -> u64 {
    // SAFETY: compiled code passes its own context and a pointer to `nargs` stored arguments
    // in its frame.
    let (ctx, args) = unsafe { (&mut *ctx, std::slice::from_raw_parts(args, nargs as usize)) };
    match ctx.env().call_helper(id, args) {
        Ok(v) => v,
        Err((code, arg)) => {
            ctx.raised = 1;
            ctx.code = code as u64;
            ctx.arg = arg;
            0
        }
    }
}

/// A helper that compiled code called directly raised guest exception `code` with `arg`:
/// the same protocol as [`helper_thunk`] (the code checks `raised` after the call).
///
/// # Safety
/// `ctx` must be the live context of the compiled code that made the call.
pub unsafe fn raise_from_helper(ctx: *mut JitCtx, code: u32, arg: u64) {
    // SAFETY: the caller passes its own live context.
    let ctx = unsafe { &mut *ctx };
    ctx.raised = 1;
    ctx.code = code as u64;
    ctx.arg = arg;
}

/// A load that the inline path did not do (`slow_site`): returns the value extended to the
/// destination type, or sets `ctx.raised` and the fault details.
pub(super) fn load_slow(ctx: &mut JitCtx, addr: u64, code: u32) -> u64 {
    let (m, i64dst) = memop_decode(code);
    match ctx.env().load(addr, m) {
        Ok(v) => {
            let ty = if i64dst { crate::ir::Ty::I64 } else { crate::ir::Ty::I32 };
            if m.signed {
                crate::ir::ext_bits(v, m.size * 8, true, ty)
            } else {
                v & ty.mask()
            }
        }
        Err(f) => {
            ctx.fault(f);
            0
        }
    }
}

/// A store that the inline path did not do, or every store in check mode (`slow_site`).
pub(super) fn store_slow(ctx: &mut JitCtx, addr: u64, val: u64, code: u32) {
    let (m, _) = memop_decode(code);
    if ctx.undo.is_some() {
        let old = ctx.env().load(addr, m);
        if let (Ok(old), Some(u)) = (old, ctx.undo.as_mut()) {
            u.push((addr, m, old));
        }
    }
    match ctx.env().store(addr, val, m) {
        Ok(()) => {
            // Translated code was written: the dispatcher must invalidate before the next
            // block runs (chained jumps would otherwise enter stale code).
            if ctx.env().code_dirty() {
                ctx.exit_request = 1;
            }
        }
        Err(f) => ctx.fault(f),
    }
}
