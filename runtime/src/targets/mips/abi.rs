//! The Linux o32 ABI of MIPS: system-call numbers (4000 + n) mapped to the generic calls of
//! `user::syscall`, argument registers (a0..a3, then the stack at sp+16), results in v0 with
//! a3 = 0, or errno in v0 with a3 = 1.

use super::mips::CpuState;
use crate::user::syscall::Sys;

const A0: usize = 4;
const V0: usize = 2;
const A3: usize = 7;
const SP: usize = 29;

/// The generic system call behind o32 number `n`.
pub fn syscall_of(n: u32) -> Option<Sys> {
    use Sys::*;
    Some(match n.checked_sub(4000)? {
        1 => Exit,
        3 => Read,
        4 => Write,
        5 => Open,
        6 => Close,
        10 => Unlink,
        13 => Time,
        19 => Lseek,
        20 => Getpid,
        24 => Getuid,
        33 => Access,
        37 => Kill,
        41 => Dup,
        45 => Brk,
        47 => Getgid,
        49 => Geteuid,
        50 => Getegid,
        54 => Ioctl,
        63 => Dup2,
        64 => Getppid,
        90 => Mmap,
        91 => Munmap,
        114 => Wait4,
        122 => Uname,
        125 => Mprotect,
        140 => Llseek,
        145 => Readv,
        146 => Writev,
        167 => Mremap,
        194 => RtSigaction,
        195 => RtSigprocmask,
        210 => Mmap2,
        212 => Ftruncate64,
        213 => Stat64,
        214 => Lstat64,
        215 => Fstat64,
        219 => Getdents64,
        220 => Fcntl64,
        222 => Gettid,
        246 => ExitGroup,
        252 => SetTidAddress,
        263 => ClockGettime,
        283 => SetThreadArea,
        288 => Openat,
        293 => Fstatat64,
        338 => Prlimit64,
        353 => Getrandom,
        _ => return None,
    })
}

/// System-call number and its six arguments.
pub fn syscall_args(cpu: &CpuState, mem: &crate::user::mem::GuestMem, big_endian: bool) -> (u32, [u64; 6]) {
    let n = cpu.gpr[V0];
    let sp = cpu.gpr[SP] as u64;
    let stack = |k: u64| mem.load_quiet(sp + 16 + 4 * k, 4, big_endian).unwrap_or(0);
    (
        n,
        [
            cpu.gpr[A0] as u64,
            cpu.gpr[A0 + 1] as u64,
            cpu.gpr[A0 + 2] as u64,
            cpu.gpr[A0 + 3] as u64,
            stack(0),
            stack(1),
        ],
    )
}

/// Store a system call's result: a value, or a positive errno.
pub fn set_result(cpu: &mut CpuState, r: Result<u64, i32>) {
    match r {
        Ok(v) => {
            cpu.gpr[V0] = v as u32;
            cpu.gpr[A3] = 0;
        }
        Err(e) => {
            cpu.gpr[V0] = e as u32;
            cpu.gpr[A3] = 1;
        }
    }
}

/// Register numbers the loader and signal code need.
pub const REG_SP: usize = SP;
pub const REG_RA: usize = 31;
pub const REG_T9: usize = 25;
