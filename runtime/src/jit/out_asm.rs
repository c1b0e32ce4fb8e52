//! `-d out_asm`: host code as text (iced-x86, GNU assembler syntax), one instruction a line
//! with its address, as QEMU prints its translated code.
//!
//! This module only formats bytes; it must not touch the code buffer.

use iced_x86::{Decoder, DecoderOptions, Formatter, GasFormatter, Instruction};

/// Disassemble `code`, which sits at host address `addr`.
pub fn format(addr: usize, code: &[u8]) -> String {
    let mut dec = Decoder::with_ip(64, code, addr as u64, DecoderOptions::NONE);
    let mut fmt = GasFormatter::new();
    let mut out = String::new();
    let mut text = String::new();
    let mut insn = Instruction::default();
    while dec.can_decode() {
        dec.decode_out(&mut insn);
        text.clear();
        fmt.format(&insn, &mut text);
        out.push_str(&format!("0x{:016x}:  {text}\n", insn.ip()));
    }
    out
}
