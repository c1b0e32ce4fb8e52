//! Guest loads and stores in the hot path: the address register (the value's own in user
//! mode, else `rcx`), the memory model's inline check (`memory_softmmu` or `memory_user`),
//! the access at `r15` plus that register with sign or zero extension and the byte swap of a
//! big-endian guest (constants stored as immediates), and the slow path queued for `cold`.
//! 64-bit addresses and the check mode (`Target::all_slow`) always take the slow path.
//!
//! Must not emit the checks of a memory model itself or the slow path's call.

use super::{Cold, Em};
use crate::ir::{MemOp, Val};
use crate::jit::ctx::memop_code;
use crate::jit::regalloc::{RAX, RCX};
use dynasmrt::{dynasm, DynamicLabel, DynasmApi, DynasmLabelApi};

impl Em<'_> {
    pub(super) fn guest_load(&mut self, k: usize, dst: Val, addr: Val, mem: MemOp) {
        let dw64 = self.w64(dst);
        let code = memop_code(mem, dw64);
        let (slow, align) = self.slow_label(k);
        let resume = self.ops.new_dynamic_label();
        if self.w64(addr) || self.t.all_slow {
            self.load(RCX, addr);
            dynasm!(self.ops ; .arch x64 ; jmp =>slow ; =>resume);
            let addr_reg = None;
            self.cold.push(Cold::Load { slow, resume, code, align, dst, addr_reg, pc: self.pc, flags: self.flags, k });
            return;
        }
        let (x, addr_reg) = self.address(addr);
        self.inline_check(addr, x, mem.size, false, slow);
        // Straight into the destination's register when it has one.
        let d = self.dst_reg(dst);
        self.fault_site(slow);
        match (mem.size, mem.big_endian, mem.signed) {
            (1, _, false) => dynasm!(self.ops ; .arch x64 ; movzx Rd(d), BYTE [r15 + Rq(x)]),
            (1, _, true) if dw64 => dynasm!(self.ops ; .arch x64 ; movsx Rq(d), BYTE [r15 + Rq(x)]),
            (1, _, true) => dynasm!(self.ops ; .arch x64 ; movsx Rd(d), BYTE [r15 + Rq(x)]),
            (2, false, false) => dynasm!(self.ops ; .arch x64 ; movzx Rd(d), WORD [r15 + Rq(x)]),
            (2, false, true) if dw64 => dynasm!(self.ops ; .arch x64 ; movsx Rq(d), WORD [r15 + Rq(x)]),
            (2, false, true) => dynasm!(self.ops ; .arch x64 ; movsx Rd(d), WORD [r15 + Rq(x)]),
            (2, true, s) => {
                dynasm!(self.ops ; .arch x64 ; movzx Rd(d), WORD [r15 + Rq(x)] ; rol Rw(d), 8);
                match (s, dw64) {
                    (false, _) => dynasm!(self.ops ; .arch x64 ; movzx Rd(d), Rw(d)),
                    (true, false) => dynasm!(self.ops ; .arch x64 ; movsx Rd(d), Rw(d)),
                    (true, true) => dynasm!(self.ops ; .arch x64 ; movsx Rq(d), Rw(d)),
                }
            }
            (4, be, s) => {
                dynasm!(self.ops ; .arch x64 ; mov Rd(d), DWORD [r15 + Rq(x)]);
                if be {
                    dynasm!(self.ops ; .arch x64 ; bswap Rd(d));
                }
                if s && dw64 {
                    dynasm!(self.ops ; .arch x64 ; movsxd Rq(d), Rd(d));
                }
            }
            (_, be, _) => {
                dynasm!(self.ops ; .arch x64 ; mov Rq(d), QWORD [r15 + Rq(x)]);
                if be {
                    dynasm!(self.ops ; .arch x64 ; bswap Rq(d));
                }
                if !dw64 {
                    dynasm!(self.ops ; .arch x64 ; mov Rd(d), Rd(d));
                }
            }
        }
        if d == RAX {
            self.store(dst, RAX);
        }
        dynasm!(self.ops ; .arch x64 ; =>resume);
        self.cold.push(Cold::Load { slow, resume, code, align, dst, addr_reg, pc: self.pc, flags: self.flags, k });
    }

    pub(super) fn guest_store(&mut self, k: usize, val: Val, addr: Val, mem: MemOp) {
        let code = memop_code(mem, self.w64(val));
        let (slow, align) = self.slow_label(k);
        let resume = self.ops.new_dynamic_label();
        let mut addr_reg = None;
        if self.w64(addr) || self.t.all_slow {
            self.load(RCX, addr);
            dynasm!(self.ops ; .arch x64 ; jmp =>slow ; =>resume);
        } else {
            let (x, areg) = self.address(addr);
            addr_reg = areg;
            self.inline_check(addr, x, mem.size, true, slow);
            if !self.store_const(val, x, mem, slow) {
                self.store_reg(val, x, mem, slow);
            }
            dynasm!(self.ops ; .arch x64 ; =>resume);
        }
        self.cold.push(Cold::Store { slow, resume, code, align, val, addr_reg, pc: self.pc, flags: self.flags, k });
    }

    /// The slow-path label of the access at op `k`, and the exception an unaligned address
    /// raises there when the block's alignment check was fused into it (its `jne` already
    /// jumps to that label; see `select`).
    fn slow_label(&mut self, k: usize) -> (DynamicLabel, Option<u32>) {
        match self.fused_align.take() {
            Some((l, code, at)) if at == k => (l, Some(code)),
            _ => (self.ops.new_dynamic_label(), None),
        }
    }

    /// The store of a value from a register (`rax` when it must be byte-swapped) at `r15 + x`.
    fn store_reg(&mut self, val: Val, x: u8, mem: MemOp, slow: DynamicLabel) {
        let r = match (mem.size, mem.big_endian) {
            (1, _) | (_, false) => self.reg_or(val, RAX),
            _ => {
                self.load(RAX, val);
                RAX
            }
        };
        // Big-endian: swap in rax first (the slow path reloads the value itself).
        match (mem.size, mem.big_endian) {
            (2, true) => dynasm!(self.ops ; .arch x64 ; rol ax, 8),
            (4, true) => dynasm!(self.ops ; .arch x64 ; bswap eax),
            (8, true) => dynasm!(self.ops ; .arch x64 ; bswap rax),
            _ => {}
        }
        self.fault_site(slow);
        match (mem.size, mem.big_endian) {
            (1, _) => dynasm!(self.ops ; .arch x64 ; mov BYTE [r15 + Rq(x)], Rb(r)),
            (2, false) => dynasm!(self.ops ; .arch x64 ; mov WORD [r15 + Rq(x)], Rw(r)),
            (2, true) => dynasm!(self.ops ; .arch x64 ; mov WORD [r15 + Rq(x)], ax),
            (4, false) => dynasm!(self.ops ; .arch x64 ; mov DWORD [r15 + Rq(x)], Rd(r)),
            (4, true) => dynasm!(self.ops ; .arch x64 ; mov DWORD [r15 + Rq(x)], eax),
            (_, false) => dynasm!(self.ops ; .arch x64 ; mov QWORD [r15 + Rq(x)], Rq(r)),
            (_, true) => dynasm!(self.ops ; .arch x64 ; mov QWORD [r15 + Rq(x)], rax),
        }
    }

    /// The register that indexes guest memory for a 32-bit address, and the register the
    /// slow path must copy it from (`None`: it is in `rcx` already). In user mode an address
    /// held in a register is used in place (an i32 value's register is zero-extended, see
    /// `values::load`); system mode's TLB lookup turns the address into a host one in `rcx`.
    fn address(&mut self, addr: Val) -> (u8, Option<u8>) {
        match self.reg_of(addr) {
            Some(r) if !self.t.softmmu => (r, Some(r)),
            _ => {
                self.load(RCX, addr);
                (RCX, None)
            }
        }
    }

    /// A constant stored with an immediate (byte-swapped here for a big-endian guest), when
    /// it fits one; says whether it did.
    fn store_const(&mut self, val: Val, x: u8, mem: MemOp, slow: DynamicLabel) -> bool {
        let Some(c) = self.b.const_of(val) else { return false };
        let c = match (mem.size, mem.big_endian) {
            (2, true) => (c as u16).swap_bytes() as u64,
            (4, true) => (c as u32).swap_bytes() as u64,
            (8, true) => c.swap_bytes(),
            _ => c,
        };
        if mem.size == 8 && c as i64 != c as i32 as i64 {
            return false;
        }
        self.fault_site(slow);
        match mem.size {
            1 => dynasm!(self.ops ; .arch x64 ; mov BYTE [r15 + Rq(x)], c as u8 as i8),
            2 => dynasm!(self.ops ; .arch x64 ; mov WORD [r15 + Rq(x)], c as u16 as i16),
            4 => dynasm!(self.ops ; .arch x64 ; mov DWORD [r15 + Rq(x)], c as u32 as i32),
            _ => dynasm!(self.ops ; .arch x64 ; mov QWORD [r15 + Rq(x)], c as i32),
        }
        true
    }

    /// The memory model's inline check of a direct access of `size` bytes at the guest
    /// address in register `x` (`rcx` in system mode; a `write` or a read): jumps to `slow`
    /// when the runtime must do it.
    /// System mode looks the address up in the soft TLB (and leaves the host address in
    /// `rcx`); user mode tests the per-page table, or (`Target::guard`) emits nothing: the
    /// access itself faults on the host ([`Self::fault_site`]).
    fn inline_check(&mut self, addr: Val, x: u8, size: u8, write: bool, slow: DynamicLabel) {
        if self.t.softmmu {
            self.tlb_check(size, write, slow);
        } else if !self.t.guard {
            self.fast_page_check(addr, x, size, write, slow);
        }
    }
}
