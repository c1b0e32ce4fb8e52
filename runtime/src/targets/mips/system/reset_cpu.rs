//! A MIPS32 CPU (24Kf) in its reset state that never runs, as the `none` machine has it:
//! where its PC is, how it translates addresses, and what `info registers` shows.

/// The MIPS32 reset vector (kseg1 boot ROM).
pub const RESET_PC: u64 = 0xbfc0_0000;

/// Virtual → physical at reset (Status.ERL set): kuseg is unmapped, kseg0/kseg1 drop their
/// top three bits, kseg2/kseg3 need the TLB, which a halted CPU never filled.
pub fn translate(addr: u64) -> Result<u64, String> {
    let addr = addr as u32;
    match addr {
        0..=0x7fff_ffff => Ok(u64::from(addr)),
        0x8000_0000..=0xbfff_ffff => Ok(u64::from(addr & 0x1fff_ffff)),
        _ => Err("Cannot access memory".to_string()),
    }
}

/// `info registers` of a 24Kf at reset, in the layout of QEMU's MIPS `cpu_dump_state`.
pub fn info_registers() -> String {
    const NAMES: [&str; 32] = [
        "r0", "at", "v0", "v1", "a0", "a1", "a2", "a3", "t0", "t1", "t2", "t3", "t4", "t5", "t6", "t7", "s0", "s1",
        "s2", "s3", "s4", "s5", "s6", "s7", "t8", "t9", "k0", "k1", "gp", "sp", "s8", "ra",
    ];
    let mut s = format!("pc=0x{RESET_PC:08x} HI=0x00000000 LO=0x00000000 ds 10000090 00000000 0\n");
    for (row, names) in NAMES.chunks(4).enumerate() {
        s.push_str(&format!("GPR{:02}:", row * 4));
        for n in names {
            s.push_str(&format!(" {n} 00000000"));
        }
        s.push('\n');
    }
    s.push_str("CP0 Status  0x00400004 Cause   0x00000000 EPC    0x00000000\n");
    s.push_str("    Config0 0x80008482 Config1 0x9e190c8f LLAddr 0x0000000000000000\n");
    s.push_str("    Config2 0x80000000 Config3 0x00000000\n");
    s.push_str("    Config4 0x00000000 Config5 0x00000000\n");
    s
}
