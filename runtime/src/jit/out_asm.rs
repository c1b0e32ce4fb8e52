//! `-d out_asm`: host code as text (iced-x86, GNU assembler syntax), one instruction a line
//! with its address, as QEMU prints its translated code.
//!
//! This module only formats bytes; it must not touch the code buffer.

use iced_x86::{Decoder, DecoderOptions, Formatter, GasFormatter, Instruction};

/// Disassemble `code`, which sits at host address `addr`; its last `data` bytes are not
/// instructions (the slow-path descriptors) and are listed as bytes.
pub fn format(addr: usize, code: &[u8], data: usize) -> String {
    let split = code.len().saturating_sub(data);
    let mut dec = Decoder::with_ip(64, &code[..split], addr as u64, DecoderOptions::NONE);
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
    if split < code.len() {
        out.push_str(&format!("  -- {} bytes of slow-path descriptors\n", code.len() - split));
        for (i, chunk) in code[split..].chunks(16).enumerate() {
            let bytes: Vec<String> = chunk.iter().map(|b| format!("0x{b:02x}")).collect();
            out.push_str(&format!("0x{:016x}:  .byte {}\n", addr + split + 16 * i, bytes.join(",")));
        }
    }
    out
}
