//! Signal frames of Linux/MIPS o32, as the kernel lays them out (arch/mips/kernel/signal.c):
//! `struct rt_sigframe { u32 rs_ass[4]; u32 rs_pad[2]; siginfo_t rs_info; struct ucontext
//! rs_uc; }` with the o32 `struct sigcontext` (64-bit register slots) inside the ucontext,
//! and the sigreturn trampoline page (`li v0, __NR_rt_sigreturn; syscall`) the handler
//! returns through, as the kernel's VDSO provides. Also: which signal a MIPS exception
//! becomes.

use super::mips::CpuState;
use crate::user::abi::{LinuxAbi, StructBuf, F};
use crate::user::mem::GuestMem;
use crate::user::signal::{self as sig, SigInfo};

/// Offsets in the frame.
const RS_INFO: u64 = 24;
const RS_UC: u64 = RS_INFO + 128;
/// In the ucontext: uc_flags, uc_link, uc_stack (12 bytes), then the 8-aligned sigcontext.
const UC_STACK: u64 = 8;
const UC_MCONTEXT: u64 = 24;
const UC_SIGMASK: u64 = UC_MCONTEXT + SC_SIZE;
/// In the sigcontext.
const SC_PC: u64 = 8;
const SC_REGS: u64 = 16;
const SC_FPREGS: u64 = 272;
const SC_FPC_CSR: u64 = 532;
const SC_USED_MATH: u64 = 540;
const SC_MDHI: u64 = 552;
const SC_MDLO: u64 = 560;
const SC_SIZE: u64 = 592;
/// The whole frame: rs_ass, rs_pad, siginfo, ucontext (with a 16-byte sigset).
pub const FRAME_SIZE: u64 = RS_UC + UC_SIGMASK + 16;

/// Where the trampoline page lives (above the stack, like a VDSO).
pub const TRAMPOLINE: u64 = 0x7fff_f000;
/// `li v0, 4193` (rt_sigreturn); `syscall`; then `li v0, 4119` (sigreturn); `syscall`.
pub const TRAMPOLINE_CODE: [u32; 4] = [0x2402_1061, 0x0000_000c, 0x2402_1017, 0x0000_000c];

const EXC_ADEL: u32 = 4;
const EXC_ADES: u32 = 5;
const EXC_BP: u32 = 9;
const EXC_RI: u32 = 10;
const EXC_CPU: u32 = 11;
const EXC_OV: u32 = 12;
const EXC_TR: u32 = 13;
const EXC_FPE: u32 = 15;

/// The guest signal (MIPS numbers) and siginfo for exception `code` at `pc` (`arg` is the
/// exception's argument, e.g. the bad address); `insn` is the instruction word at `pc`.
pub fn exception_signal(code: u32, arg: u64, pc: u64, insn: Option<u32>, fcsr: u32) -> SigInfo {
    let mk = |signo, code, addr| SigInfo { signo, code, addr, ..SigInfo::default() };
    match code {
        EXC_ADEL | EXC_ADES => mk(10, sig::BUS_ADRALN, arg),
        EXC_OV => mk(8, sig::FPE_INTOVF, pc),
        EXC_BP | EXC_TR => {
            // The trap or break code (Linux: 6 overflow, 7 divide by zero → SIGFPE).
            let c = insn
                .map(|w| {
                    if code == EXC_TR {
                        if w >> 26 == 0 {
                            (w >> 6) & 0x3ff
                        } else {
                            0
                        }
                    } else {
                        let b = (w >> 6) & 0xf_ffff;
                        if b >= 1 << 10 {
                            b >> 10
                        } else {
                            b
                        }
                    }
                })
                .unwrap_or(0);
            match c {
                6 => mk(8, sig::FPE_INTOVF, pc),
                7 => mk(8, 1, pc), // FPE_INTDIV
                _ => mk(5, if code == EXC_BP { sig::TRAP_BRKPT } else { sig::SI_KERNEL }, pc),
            }
        }
        EXC_FPE => {
            // FCSR cause bits 12..17: I, U, O, Z, V, E.
            let cause = (fcsr >> 12) & 0x3f;
            let c = if cause & 0x10 != 0 {
                7 // FPE_FLTINV
            } else if cause & 0x08 != 0 {
                3 // FPE_FLTDIV
            } else if cause & 0x04 != 0 {
                4 // FPE_FLTOVF
            } else if cause & 0x02 != 0 {
                5 // FPE_FLTUND
            } else if cause & 0x01 != 0 {
                6 // FPE_FLTRES
            } else {
                0
            };
            mk(8, c, pc)
        }
        EXC_CPU => mk(4, 8, pc), // ILL_COPROC
        EXC_RI => mk(4, sig::ILL_ILLOPC, pc),
        _ => mk(4, sig::ILL_ILLOPC, pc),
    }
}

/// The siginfo bytes for `info` (guest layout and byte order).
fn siginfo(abi: &LinuxAbi, info: &SigInfo) -> StructBuf {
    let mut s = StructBuf::new(128, abi.big_endian);
    s.put(F(0, 4), info.signo as u64);
    s.put(F(abi.si_code_off, 4), info.code as u32 as u64);
    s.put(F(abi.si_errno_off, 4), info.errno as u64);
    match info.signo {
        4 | 5 | 7 | 8 | 10 | 11 if info.code > 0 => s.put(F(12, 4), info.addr),
        18 => {
            s.put(F(12, 4), info.pid as u64);
            s.put(F(16, 4), info.uid as u64);
            s.put(F(20, 4), info.status as u64);
        }
        _ => {
            s.put(F(12, 4), info.pid as u64);
            s.put(F(16, 4), info.uid as u64);
        }
    }
    s
}

pub use crate::arch::BadFrame;

/// Build an rt signal frame for `info` and point the CPU at `handler`. `resume_pc` is where
/// the interrupted code continues; `old_mask` the mask sigreturn restores; `altstack` is
/// (sp, size, enabled) of the alternate stack and `use_altstack` whether this action asks for
/// it. Fails when the frame cannot be written (the caller then kills the guest).
#[allow(clippy::too_many_arguments)]
pub fn setup_rt_frame(
    cpu: &mut CpuState,
    mem: &mut GuestMem,
    abi: &LinuxAbi,
    info: &SigInfo,
    handler: u64,
    resume_pc: u64,
    old_mask: u128,
    altstack: (u64, u64, bool),
    use_altstack: bool,
) -> Result<(), BadFrame> {
    let be = abi.big_endian;
    let cur_sp = cpu.gpr[29] as u64;
    let (ss_sp, ss_size, ss_enabled) = altstack;
    let on_alt = ss_enabled && cur_sp > ss_sp && cur_sp <= ss_sp + ss_size;
    let mut sp = cur_sp.wrapping_sub(32);
    if use_altstack && ss_enabled && !on_alt {
        sp = ss_sp + ss_size;
    }
    let frame = sp.wrapping_sub(FRAME_SIZE) & !15;
    let mut f = StructBuf::new(FRAME_SIZE as usize, be);
    f.put_bytes(RS_INFO as usize, &siginfo(abi, info).data);
    let uc = RS_UC as u16;
    f.put(F(uc + UC_STACK as u16, 4), ss_sp);
    f.put(F(uc + UC_STACK as u16 + 4, 4), ss_size);
    let ss_flags = if !ss_enabled {
        abi.ss_disable
    } else if on_alt {
        abi.ss_onstack
    } else {
        0
    };
    f.put(F(uc + UC_STACK as u16 + 8, 4), ss_flags as u64);
    let sc = uc + UC_MCONTEXT as u16;
    f.put(F(sc + SC_PC as u16, 8), resume_pc);
    for i in 0..32u16 {
        f.put(F(sc + SC_REGS as u16 + 8 * i, 8), cpu.gpr[i as usize] as i32 as i64 as u64);
        f.put(F(sc + SC_FPREGS as u16 + 8 * i, 8), cpu.fpr[i as usize]);
    }
    f.put(F(sc + SC_FPC_CSR as u16, 4), cpu.fcsr as u64);
    f.put(F(sc + SC_USED_MATH as u16, 4), 1);
    f.put(F(sc + SC_MDHI as u16, 8), cpu.hi as i32 as i64 as u64);
    f.put(F(sc + SC_MDLO as u16, 8), cpu.lo as i32 as i64 as u64);
    for w in 0..4u16 {
        f.put(F(uc + UC_SIGMASK as u16 + 4 * w, 4), (old_mask >> (32 * w)) as u32 as u64);
    }
    mem.write_bytes(frame, &f.data).map_err(|_| BadFrame)?;
    cpu.gpr[4] = info.signo as u32;
    cpu.gpr[5] = (frame + RS_INFO) as u32;
    cpu.gpr[6] = (frame + RS_UC) as u32;
    cpu.gpr[29] = frame as u32;
    cpu.gpr[31] = TRAMPOLINE as u32;
    cpu.gpr[25] = handler as u32;
    cpu.pc = handler as u32;
    Ok(())
}

/// rt_sigreturn: restore the registers saved in the frame at the guest sp; returns the
/// signal mask to restore.
pub fn restore_rt_frame(cpu: &mut CpuState, mem: &GuestMem, abi: &LinuxAbi) -> Result<u128, BadFrame> {
    let frame = cpu.gpr[29] as u64;
    let b = mem.read_bytes(frame, FRAME_SIZE as usize).map_err(|_| BadFrame)?;
    let f = StructBuf::from_bytes(b, abi.big_endian);
    let sc = (RS_UC + UC_MCONTEXT) as u16;
    cpu.pc = f.get(F(sc + SC_PC as u16, 8)) as u32;
    for i in 1..32u16 {
        cpu.gpr[i as usize] = f.get(F(sc + SC_REGS as u16 + 8 * i, 8)) as u32;
    }
    for i in 0..32u16 {
        cpu.fpr[i as usize] = f.get(F(sc + SC_FPREGS as u16 + 8 * i, 8));
    }
    cpu.fcsr = f.get(F(sc + SC_FPC_CSR as u16, 4)) as u32;
    cpu.hi = f.get(F(sc + SC_MDHI as u16, 8)) as u32;
    cpu.lo = f.get(F(sc + SC_MDLO as u16, 8)) as u32;
    let mut mask = 0u128;
    for w in 0..4u16 {
        mask |= (f.get(F((RS_UC + UC_SIGMASK) as u16 + 4 * w, 4)) as u128) << (32 * w);
    }
    Ok(mask)
}
