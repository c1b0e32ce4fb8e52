//! System mode's guest memory model: guest addresses are virtual, looked up inline in the
//! soft TLB's fast table of the current mode (`JitCtx::tlb`); the guest base is 0 and a hit
//! adds the entry's addend.
//!
//! Must not emit the access itself (`memory`) or anything of user mode's model.

use super::Em;
use crate::jit::ctx::JitCtx;
use crate::softmmu::tlb::ENTRIES as TLB_ENTRIES;
use dynasmrt::{dynasm, DynamicLabel, DynasmApi, DynasmLabelApi};
use std::mem::offset_of;

impl Em<'_> {
    /// The inline soft-TLB lookup of system mode (DESIGN.md section 6) for the guest-virtual
    /// address in `ecx`: index the current mode's fast table, compare the page and the
    /// access's alignment bits with the read or write tag, and on a hit turn `rcx` into the
    /// host address (addend; `r15` is 0). A miss, an unaligned access, MMIO, ROM writes and
    /// code pages jump to `slow` with `rcx` unchanged. Uses `rax` and `rdx`.
    pub(super) fn tlb_check(&mut self, size: u8, write: bool, slow: DynamicLabel) {
        let table = cx!(self.t, tlb);
        let mask = !0xfffu32 | (size.max(1) as u32 - 1);
        let tag = if write { 4 } else { 0 };
        dynasm!(self.ops ; .arch x64
            ; mov edx, ecx
            ; shr edx, 12
            ; and edx, (TLB_ENTRIES - 1) as i32
            ; shl edx, 4
            ; add rdx, QWORD [table]
            ; mov eax, ecx
            ; and eax, mask as i32
            ; cmp eax, DWORD [rdx + tag]
            ; jne =>slow
            ; mov ecx, ecx
            ; add rcx, QWORD [rdx + 8]
        );
    }
}
