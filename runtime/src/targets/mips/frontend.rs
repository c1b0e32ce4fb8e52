//! The MIPS translator front end: decode with the generated decoder, lower with the generated
//! lowering functions.

use super::mips::{decode, lower, Context, CpuState};
use crate::ir::Builder;
use crate::tb::translate::{Frontend, Lowered};
use crate::tb::{LowerCx, NextPcModel};

/// Exception code of ReservedInstruction (raised for undecodable words).
pub const EXC_RI: u32 = 10;

#[derive(Debug, Clone, Copy)]
pub struct MipsFrontend {
    pub big_endian: bool,
}

impl Frontend for MipsFrontend {
    fn big_endian(&self) -> bool {
        self.big_endian
    }
    fn pc_bits(&self) -> u32 {
        32
    }
    fn pc_offset(&self) -> u32 {
        core::mem::offset_of!(CpuState, pc) as u32
    }
    fn illegal_insn_code(&self) -> u32 {
        EXC_RI
    }
    fn max_insn_len(&self) -> usize {
        4
    }
    fn next_pc(&self) -> NextPcModel {
        super::mips::NEXT_PC
    }
    fn lower_insn(&self, bytes: &[u8], pc: u64, b: &mut Builder, cx: &mut LowerCx) -> Lowered {
        let Some(d) = decode(bytes, self.big_endian, &Context::from_key(cx.context)) else {
            return Lowered::Illegal;
        };
        if lower(&d, pc, b, cx) {
            Lowered::Ok(d.len)
        } else {
            Lowered::Illegal
        }
    }
}
