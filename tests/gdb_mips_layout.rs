//! The MIPS register layout of the gdb stub (`targets::mips::gdb`) against gdbstub_arch's
//! (an independent description of gdb's 32-bit MIPS `g` packet): the same order and bytes
//! for registers 0-71 in little-endian, register 72 (the old frame pointer) zero, and
//! big-endian the same registers byte-swapped (which gdbstub_arch cannot say).

use gdbstub::arch::Registers as _;
use specemu_runtime::targets::mips::gdb::Layout;
use specemu_runtime::targets::mips::mips::CpuState;

#[test]
fn little_endian_layout_agrees_with_gdbstub_arch() {
    let mut c = CpuState::default();
    for (i, g) in c.gpr.iter_mut().enumerate() {
        *g = 0x0101_0000 * (i as u32 + 1) + 3;
    }
    c.status = 0x2000_0010;
    c.lo = 0x10;
    c.hi = 0x20;
    c.badvaddr = 0x30;
    c.cause = 0x40;
    c.pc = 0x0040_0540;
    c.status |= 1 << 26; // FR=1: 32 independent 32-bit views
    for (i, f) in c.fpr.iter_mut().enumerate() {
        *f = 0x3f80_0000 + i as u64;
    }
    c.fcsr = 0x0100_0000;
    c.fir = 0x0073_9300;
    let ours = Layout { big_endian: false, fpu: true, prid: 0 }.g_packet(&c);
    let mut theirs = gdbstub_arch::mips::reg::MipsCoreRegs::<u32> { r: c.gpr, ..Default::default() };
    theirs.cp0.status = c.status;
    theirs.lo = c.lo;
    theirs.hi = c.hi;
    theirs.cp0.badvaddr = c.badvaddr;
    theirs.cp0.cause = c.cause;
    theirs.pc = c.pc;
    for (i, f) in theirs.fpu.r.iter_mut().enumerate() {
        *f = 0x3f80_0000 + i as u32;
    }
    theirs.fpu.fcsr = c.fcsr;
    theirs.fpu.fir = c.fir;
    let mut b = Vec::new();
    theirs.gdb_serialize(|x| b.push(x.unwrap()));
    assert_eq!(b.len(), 72 * 4);
    assert_eq!(&ours[..72 * 4], &b[..], "registers 0-71");
    assert_eq!(&ours[72 * 4..], &[0; 4], "72: the old frame pointer");
    assert_eq!(&ours[37 * 4..38 * 4], &0x0040_0540u32.to_le_bytes(), "pc is register 37");
    let be = Layout { big_endian: true, fpu: true, prid: 0 }.g_packet(&c);
    for (x, y) in be.chunks(4).zip(ours.chunks(4)) {
        assert_eq!(x.iter().rev().collect::<Vec<_>>(), y.iter().collect::<Vec<_>>());
    }
}
