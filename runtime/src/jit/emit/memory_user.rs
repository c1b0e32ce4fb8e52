//! User mode's guest memory models: guest memory is mapped at `r15`. Either the per-page
//! fast-access table is tested inline (with an alignment test unless a branch proved it),
//! or (`Target::guard`) the host protects guest pages and a host fault at a recorded
//! direct access moves to its slow path (`jit::fault`).
//!
//! Must not emit the access itself (`memory`) or anything of system mode's soft TLB.

use super::Em;
use crate::ir::Val;
use crate::user::mem::{FAST_READ, FAST_WRITE};
use dynasmrt::{dynasm, DynamicLabel, DynasmApi, DynasmLabelApi};

impl Em<'_> {
    /// Whether a branch already proved `addr`'s low bits zero for an access of `size`.
    fn known_aligned(&self, addr: Val, size: u8) -> bool {
        let need = (size - 1) as i32;
        self.aligned.get(&addr).is_some_and(|m| m & need == need)
    }

    /// The per-page fast-access table's test for the guest address in register `x`: a page
    /// that does not allow the access (`FAST_WRITE` for a `write`, else `FAST_READ`), or an
    /// access of `size` bytes that may be unaligned, jumps to `slow`. Uses `rdx`.
    pub(super) fn fast_page_check(&mut self, addr: Val, x: u8, size: u8, write: bool, slow: DynamicLabel) {
        let fast = self.t.fast;
        let bit = if write { FAST_WRITE } else { FAST_READ };
        dynasm!(self.ops ; .arch x64
            ; mov edx, Rd(x)
            ; shr edx, 12
            ; test BYTE [rdx + fast], bit as i8
            ; jz =>slow
        );
        if size > 1 && !self.known_aligned(addr, size) {
            dynasm!(self.ops ; .arch x64 ; test Rd(x), (size - 1) as i32 ; jnz =>slow);
        }
    }

    /// Host-protected guest memory (`Target::guard`, user mode only): the next instruction
    /// is a direct access whose host fault moves to `slow`; record where it is.
    pub(super) fn fault_site(&mut self, slow: DynamicLabel) {
        if self.t.guard && !self.t.softmmu {
            self.faults.push((self.ops.offset().0, slow));
        }
    }
}
