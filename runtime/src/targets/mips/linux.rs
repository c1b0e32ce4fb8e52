//! MIPS32 o32 Linux user mode through the generic traits: [`MipsLinux`] is the
//! [`LinuxTarget`] the user-mode CPU loop runs (the ABI tables of `abi.rs`, the frames of
//! `signal.rs`, the helpers of `helpers.rs`), and the generated `CpuState` is a
//! [`GuestCpu`] with gdb's MIPS registers (`gdb.rs`).
//!
//! Owns that glue only.

use super::gdb::{Cp0Write, Layout};
use super::mips::{self, CpuState};
use super::{abi, cpu_option, fpu, signal};
use crate::arch::{BadFrame, GdbRegs, GuestCpu, LinuxTarget, SignalDelivery, UserHelpers};
use crate::debug::DebugError;
use crate::user::abi::LinuxAbi;
use crate::user::mem::GuestMem;
use crate::user::signal::SigInfo;

/// QEMU's user-mode PRId (a 24Kf), which gdb reads as register 89.
const USER_PRID: u32 = 0x0001_9300;
/// Cause.ExcCode of `syscall`.
const EXC_SYS: u32 = 8;

impl GuestCpu for CpuState {
    fn read_state(&self, off: usize) -> u64 {
        CpuState::read_state(self, off)
    }
    fn write_state(&mut self, off: usize, v: u64) {
        CpuState::write_state(self, off, v)
    }
    #[inline]
    fn pc(&self) -> u64 {
        self.pc as u64
    }
    #[inline]
    fn set_pc(&mut self, pc: u64) {
        self.pc = pc as u32;
    }
    #[inline]
    fn context_key(&self) -> u64 {
        CpuState::context_key(self)
    }
    const PC_OFFSET: u32 = core::mem::offset_of!(CpuState, pc) as u32;
    const PC_SIZE: u8 = 4;
}

fn user_layout(big_endian: bool) -> Layout {
    Layout { big_endian, fpu: true, prid: USER_PRID }
}

/// User mode ignores writes to Status and Cause (as QEMU's user mode does).
fn ignore_cp0(_: &mut CpuState, _: Cp0Write) {}

impl GdbRegs for CpuState {
    fn gdb_registers(&self, big_endian: bool) -> Vec<u8> {
        user_layout(big_endian).g_packet(self)
    }
    fn set_gdb_registers(&mut self, big_endian: bool, bytes: &[u8]) -> Result<(), DebugError> {
        user_layout(big_endian).set_g_packet(self, bytes, &mut ignore_cp0).map_err(|_| DebugError::BadRegister)
    }
    fn gdb_register(&self, big_endian: bool, n: usize) -> Option<Vec<u8>> {
        user_layout(big_endian).reg_bytes(self, n)
    }
    fn set_gdb_register(&mut self, big_endian: bool, n: usize, bytes: &[u8]) -> Result<(), DebugError> {
        user_layout(big_endian).set_reg_bytes(self, n, bytes, &mut ignore_cp0).map_err(|_| DebugError::BadRegister)
    }
}

impl UserHelpers<CpuState> for super::helpers::UserHelpers {
    #[inline]
    fn call(&mut self, cpu: &mut CpuState, id: u32, args: &[u64]) -> Result<u64, (u32, u64)> {
        self.pending = None;
        let r = mips::call_helper(self, cpu, id, args);
        match self.pending.take() {
            Some(e) => Err(e),
            None => Ok(r),
        }
    }
    fn set_retired(&mut self, insns: u64) {
        self.cycles = insns;
    }
}

/// MIPS32 (o32) Linux user mode, both byte orders.
pub enum MipsLinux {}

impl LinuxTarget for MipsLinux {
    type Cpu = CpuState;
    type Helpers = super::helpers::UserHelpers;
    type Frontend = super::frontend::MipsFrontend;
    type CpuConfig = cpu_option::CpuOption;

    fn abi(big_endian: bool) -> LinuxAbi {
        abi::o32(big_endian)
    }
    fn frontend(big_endian: bool) -> Self::Frontend {
        super::frontend::MipsFrontend { big_endian }
    }
    fn parse_cpu(arg: Option<&str>) -> Result<Self::CpuConfig, String> {
        match arg {
            Some(s) => cpu_option::parse(s),
            None => Ok(cpu_option::CpuOption::default()),
        }
    }
    fn configure(cfg: &Self::CpuConfig) {
        fpu::set_qemu_fpu(cfg.qemu_fpu);
    }
    fn initial_cpu(_cfg: &Self::CpuConfig, program: &[u8], e_flags: u32, entry: u64, sp: u64) -> CpuState {
        let mut cpu = CpuState { pc: entry as u32, ..Default::default() };
        cpu.gpr[abi::REG_SP] = sp as u32;
        cpu.gpr[abi::REG_T9] = entry as u32;
        // User mode: FPU on, user privilege; the FP register model (Status.FR) from the ELF's
        // FP ABI as Linux chooses it, and the FPU's implementation register. (User mode
        // always has an FPU: where the model has none, Linux emulates it.)
        cpu.status = (1 << 29) | 0x10;
        if fpu::status_fr_for(fpu::elf_fp_abi(program), e_flags) {
            cpu.status |= 1 << 26;
        }
        cpu.fir = fpu::FIR_VALUE;
        // HWREna as Linux sets it on a CPU with UserLocal: CPUNum, SYNCI_Step, CC, CCRes and
        // UserLocal readable by rdhwr in user mode.
        cpu.hwrena = 0x2000_000f;
        cpu
    }
    fn direct_helpers() -> &'static [Option<usize>] {
        super::direct::direct_helpers()
    }

    const EXC_SYSCALL: u32 = EXC_SYS;
    fn syscall_args(cpu: &CpuState, mem: &GuestMem, big_endian: bool) -> (u32, [u64; 8]) {
        abi::syscall_args(cpu, mem, big_endian)
    }
    fn set_syscall_result(cpu: &mut CpuState, r: Result<u64, i32>, second: Option<u64>) {
        match (r, second) {
            (Ok(v0), Some(v1)) => abi::set_result2(cpu, v0, v1),
            _ => abi::set_result(cpu, r),
        }
    }
    fn after_syscall(pc: u64) -> u64 {
        pc + 4
    }
    fn stack_pointer(cpu: &CpuState) -> u64 {
        cpu.gpr[abi::REG_SP] as u64
    }
    fn set_stack_pointer(cpu: &mut CpuState, sp: u64) {
        cpu.gpr[abi::REG_SP] = sp as u32;
    }
    fn set_tls(cpu: &mut CpuState, tls: u64) {
        cpu.userlocal = tls as u32;
    }
    fn resume_pc(pc: u64, flags: u32) -> u64 {
        if flags & crate::tb::translate::IN_DELAY_SLOT != 0 {
            pc - 4
        } else {
            pc
        }
    }
    fn exception_signal(cpu: &CpuState, mem: &GuestMem, big_endian: bool, code: u32, arg: u64, pc: u64) -> SigInfo {
        let insn = mem.load_quiet(pc, 4, big_endian).map(|w| w as u32);
        signal::exception_signal(code, arg, pc, insn, cpu.fcsr)
    }
    fn signal_trampoline(big_endian: bool) -> (u64, Vec<u8>) {
        let mut code = Vec::new();
        for w in signal::TRAMPOLINE_CODE {
            code.extend_from_slice(&if big_endian { w.to_be_bytes() } else { w.to_le_bytes() });
        }
        (signal::TRAMPOLINE, code)
    }
    fn setup_rt_frame(cpu: &mut CpuState, mem: &mut GuestMem, d: &SignalDelivery<'_>) -> Result<(), BadFrame> {
        signal::setup_rt_frame(cpu, mem, d.abi, d.info, d.handler, d.resume, d.old_mask, d.altstack, d.use_altstack)
    }
    fn restore_rt_frame(cpu: &mut CpuState, mem: &GuestMem, abi: &LinuxAbi) -> Result<u128, BadFrame> {
        signal::restore_rt_frame(cpu, mem, abi)
    }
    fn disas_one(bytes: &[u8], pc: u64, big_endian: bool) -> Option<(usize, String)> {
        mips::disas_one(bytes, pc, big_endian, &[], &mips::plain_addr)
    }
}
