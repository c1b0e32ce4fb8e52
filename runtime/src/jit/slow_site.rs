//! The slow paths of guest loads and stores, shared by every block. An access that the
//! inline path cannot do (a page the runtime must handle, a soft-TLB miss, a host fault at
//! a direct access, or every access in check mode) reaches a three-instruction site in its
//! block's cold code: `lea rax, [descriptor]`, `call` the shared stub, `jmp` back to the hot
//! path. The stub saves every host register (the register image), and [`slow_site`] reads
//! the site's descriptor, does the access through the runtime, writes a load's result where
//! the destination lives (a register of the image, a frame slot or the CPU state) and
//! returns 0: the stub restores the registers and returns to the site. When the access
//! faults, it writes back the guest registers the block holds in host registers (the
//! descriptor lists them), records the instruction's PC and flags, and returns the fault
//! exit, which the stub takes to the trampoline's epilogue. A block's alignment check
//! fused into the access (`emit::select`) jumps to the same site: an unaligned address
//! raises the guest exception the block's check raised, with the same write-back.
//!
//! One descriptor is 20 to 60 bytes of data after the block's code, where a slow path
//! written out in full took 100 to 200 bytes of code.
//!
//! Owns the descriptor format and the handler; must not emit code (the emitter encodes a
//! descriptor and the JIT assembles the stub) or know any guest architecture.

use super::ctx::{self, exit, JitCtx};
use super::regalloc::{Loc, RBP};

/// The register image the stub saves: `[rsp + 8 * n]` holds host register `n` (the slot of
/// `rsp` itself is not restored); above it the return address to the site, then the
/// block's frame.
pub const IMAGE_BYTES: usize = 16 * 8;
/// Offset from the image to the block's frame (`rsp` in compiled code).
pub const FRAME_FROM_IMAGE: usize = IMAGE_BYTES + 8;

/// One slow-path site.
#[derive(Debug, Clone)]
pub struct Site {
    pub store: bool,
    /// The access (`ctx::memop_code`).
    pub code: u32,
    /// The guest exception an unaligned address raises (with the address as its argument),
    /// when the block's alignment check was fused into the access.
    pub align_raise: Option<u32>,
    /// The register holding the guest address (`rcx` when it was loaded there for the slow
    /// path), and whether all 64 bits are the address (else the low 32).
    pub addr_reg: u8,
    pub addr64: bool,
    /// A load's destination, or a store's value.
    pub loc: Loc,
    /// The loaded or stored value is 64 bits wide.
    pub w64: bool,
    /// The guest instruction's PC and flags (for the fault exit).
    pub pc: u64,
    pub flags: u32,
    /// The guest registers to write back if the access faults: (host register, state
    /// offset, size).
    pub sync: Vec<(u8, u32, u8)>,
}

const TAG_NONE: u8 = 0;
const TAG_REG: u8 = 1;
const TAG_SLOT: u8 = 2;
const TAG_STATE: u8 = 3;
const TAG_CONST: u8 = 4;

impl Site {
    /// The descriptor's bytes.
    pub fn encode(&self, out: &mut Vec<u8>) {
        let align = self.align_raise.is_some() as u8;
        out.push(self.store as u8 | (self.w64 as u8) << 1 | (self.addr64 as u8) << 2 | align << 3);
        out.extend_from_slice(&self.code.to_le_bytes());
        if let Some(c) = self.align_raise {
            out.extend_from_slice(&c.to_le_bytes());
        }
        out.push(self.addr_reg);
        match self.loc {
            Loc::None => out.push(TAG_NONE),
            Loc::Reg(r) => out.extend_from_slice(&[TAG_REG, r]),
            Loc::Slot(d) => {
                out.push(TAG_SLOT);
                out.extend_from_slice(&d.to_le_bytes());
            }
            Loc::State { off, size } => {
                out.push(TAG_STATE);
                out.extend_from_slice(&off.to_le_bytes());
                out.push(size);
            }
            Loc::Const(c) => {
                out.push(TAG_CONST);
                out.extend_from_slice(&c.to_le_bytes());
            }
        }
        out.extend_from_slice(&self.pc.to_le_bytes());
        out.extend_from_slice(&self.flags.to_le_bytes());
        out.push(self.sync.len() as u8);
        for &(r, off, size) in &self.sync {
            out.push(r);
            out.extend_from_slice(&off.to_le_bytes());
            out.push(size);
        }
    }

    /// Read a descriptor that `encode` wrote.
    fn decode(d: &mut Reader) -> Site {
        let f = d.u8();
        let code = d.u32();
        let align_raise = (f & 8 != 0).then(|| d.u32());
        let addr_reg = d.u8();
        let loc = match d.u8() {
            TAG_REG => Loc::Reg(d.u8()),
            TAG_SLOT => Loc::Slot(d.u32() as i32),
            TAG_STATE => Loc::State { off: d.u32(), size: d.u8() },
            TAG_CONST => Loc::Const(d.u64()),
            _ => Loc::None,
        };
        let pc = d.u64();
        let flags = d.u32();
        let n = d.u8();
        let sync = (0..n).map(|_| (d.u8(), d.u32(), d.u8())).collect();
        Site {
            store: f & 1 != 0,
            w64: f & 2 != 0,
            addr64: f & 4 != 0,
            code,
            align_raise,
            addr_reg,
            loc,
            pc,
            flags,
            sync,
        }
    }
}

/// A cursor over descriptor bytes in the code buffer.
struct Reader(*const u8);

impl Reader {
    fn take<const N: usize>(&mut self) -> [u8; N] {
        // SAFETY: the emitter wrote a whole descriptor at the address the site passes, and
        // `Site::decode` reads exactly the fields `Site::encode` wrote.
        let b = unsafe { self.0.cast::<[u8; N]>().read_unaligned() };
        // SAFETY: as above; the cursor stays within the descriptor.
        self.0 = unsafe { self.0.add(N) };
        b
    }
    fn u8(&mut self) -> u8 {
        self.take::<1>()[0]
    }
    fn u32(&mut self) -> u32 {
        u32::from_le_bytes(self.take())
    }
    fn u64(&mut self) -> u64 {
        u64::from_le_bytes(self.take())
    }
}

/// Read `size` bytes at `p` (a CPU-state field), zero-extended.
///
/// # Safety
/// `p` must be valid for `size` bytes.
unsafe fn read_sized(p: *const u8, size: u8) -> u64 {
    // SAFETY: the caller's guarantee.
    unsafe {
        match size {
            1 => p.read() as u64,
            2 => p.cast::<u16>().read_unaligned() as u64,
            4 => p.cast::<u32>().read_unaligned() as u64,
            _ => p.cast::<u64>().read_unaligned(),
        }
    }
}

/// Write the low `size` bytes of `v` at `p`.
///
/// # Safety
/// `p` must be valid for `size` bytes of writes.
unsafe fn write_sized(p: *mut u8, size: u8, v: u64) {
    // SAFETY: the caller's guarantee.
    unsafe {
        match size {
            1 => p.write(v as u8),
            2 => p.cast::<u16>().write_unaligned(v as u16),
            4 => p.cast::<u32>().write_unaligned(v as u32),
            _ => p.cast::<u64>().write_unaligned(v),
        }
    }
}

/// The shared slow path: `image` is the stub's register image, whose `rax` slot holds the
/// site's descriptor address. Returns 0 to resume at the site, or the exit kind.
///
/// # Safety
/// Only the stub calls it, from a site the emitter wrote, with the live context of the
/// compiled code and the image it just saved (the block's frame above it, `rbp` in it
/// pointing at the CPU state).
pub unsafe extern "sysv64" fn slow_site(ctx: *mut JitCtx, image: *mut u64) -> u64 {
    // SAFETY: the stub saved 16 registers at `image`, and the site's descriptor address in
    // the `rax` slot.
    let img = unsafe { std::slice::from_raw_parts_mut(image, 16) };
    let s = Site::decode(&mut Reader(img[0] as *const u8));
    let frame = image as usize + FRAME_FROM_IMAGE;
    let state = img[RBP as usize] as *mut u8;
    let raw = img[s.addr_reg as usize];
    let addr = if s.addr64 { raw } else { raw as u32 as u64 };
    let mask = if s.w64 { u64::MAX } else { u32::MAX as u64 };
    let size = ctx::memop_decode(s.code).0.size.max(1) as u64;
    // SAFETY: the stub passes the live context of the compiled code that called it.
    let cx = unsafe { &mut *ctx };
    // SAFETY: frame slots and CPU-state fields named by the descriptor are the block's own
    // (the allocator gave them), valid while its code runs.
    unsafe {
        if let Some(code) = s.align_raise.filter(|_| addr & (size - 1) != 0) {
            cx.code = code as u64;
            cx.arg = addr;
            return leave(cx, &s, img, state, exit::RAISE);
        }
        if s.store {
            let val = match s.loc {
                Loc::Reg(r) => img[r as usize] & mask,
                Loc::Slot(d) => ((frame as isize + d as isize) as *const u64).read() & mask,
                Loc::State { off, size } => read_sized(state.add(off as usize), size),
                Loc::Const(c) => c,
                Loc::None => 0,
            };
            ctx::store_slow(cx, addr, val, s.code);
        } else {
            let v = ctx::load_slow(cx, addr, s.code);
            if cx.raised == 0 {
                match s.loc {
                    Loc::Reg(r) => img[r as usize] = v,
                    Loc::Slot(d) => ((frame as isize + d as isize) as *mut u64).write(v),
                    Loc::State { off, size } => write_sized(state.add(off as usize), size, v),
                    Loc::Const(_) | Loc::None => {}
                }
            }
        }
        if cx.raised == 0 {
            return 0;
        }
        leave(cx, &s, img, state, exit::FAULT)
    }
}

/// Leave the block at the site's instruction with exit `kind`: the guest registers held in
/// host registers written back, the PC and flags recorded.
///
/// # Safety
/// `state` is the CPU state the block runs on and `s.sync` names fields of it.
unsafe fn leave(c: &mut JitCtx, s: &Site, img: &[u64], state: *mut u8, kind: u64) -> u64 {
    for &(r, off, size) in &s.sync {
        // SAFETY: the caller's guarantee.
        unsafe { write_sized(state.add(off as usize), size, img[r as usize]) };
    }
    c.insn_pc = s.pc;
    c.insn_flags = s.flags as u64;
    c.raised = 0;
    kind
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_descriptor_reads_back_as_written() {
        for loc in [
            Loc::None,
            Loc::Reg(9),
            Loc::Slot(-24),
            Loc::Slot(1 << 13),
            Loc::State { off: 0x1_0040, size: 2 },
            Loc::Const(0xdead_beef_0123_4567),
        ] {
            let s = Site {
                store: matches!(loc, Loc::Const(_)),
                code: ctx::memop_code(crate::ir::MemOp { size: 4, signed: true, big_endian: true }, true),
                align_raise: matches!(loc, Loc::Reg(_)).then_some(0x1234_5678),
                addr_reg: 13,
                addr64: false,
                loc,
                w64: true,
                pc: 0xffff_ffff_8000_1234,
                flags: 0x8001,
                sync: vec![(3, 0x74, 4), (14, 0x1_0000, 8)],
            };
            let mut bytes = Vec::new();
            s.encode(&mut bytes);
            let back = Site::decode(&mut Reader(bytes.as_ptr()));
            assert_eq!(format!("{s:?}"), format!("{back:?}"));
            let align = if s.align_raise.is_some() { 4 } else { 0 };
            assert_eq!(bytes.len(), 1 + 4 + align + 1 + encoded_loc_len(loc) + 8 + 4 + 1 + 2 * 6);
        }
    }

    fn encoded_loc_len(l: Loc) -> usize {
        match l {
            Loc::None => 1,
            Loc::Reg(_) => 2,
            Loc::Slot(_) => 5,
            Loc::State { .. } => 6,
            Loc::Const(_) => 9,
        }
    }
}
