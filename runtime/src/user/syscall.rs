//! Linux system calls, independent of the guest architecture: each target's ABI maps its
//! numbers to [`Sys`] and its registers to six arguments; this module does the work on the
//! host, translating structures to the guest's layout. Results are a value or a positive
//! errno.

use super::mem::{GuestMem, PROT_EXEC, PROT_READ, PROT_WRITE};

/// The system calls specemu implements.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sys {
    Exit,
    ExitGroup,
    Read,
    Write,
    Readv,
    Writev,
    Open,
    Openat,
    Close,
    Unlink,
    Time,
    Lseek,
    Llseek,
    Getpid,
    Getppid,
    Gettid,
    Getuid,
    Geteuid,
    Getgid,
    Getegid,
    Access,
    Kill,
    Dup,
    Dup2,
    Brk,
    Ioctl,
    Mmap,
    Mmap2,
    Munmap,
    Mprotect,
    Mremap,
    Wait4,
    Uname,
    RtSigaction,
    RtSigprocmask,
    Ftruncate64,
    Stat64,
    Lstat64,
    Fstat64,
    Fstatat64,
    Getdents64,
    Fcntl64,
    SetTidAddress,
    ClockGettime,
    SetThreadArea,
    Prlimit64,
    Getrandom,
}

pub const ENOENT: i32 = 2;
pub const EBADF: i32 = 9;
pub const ENOMEM: i32 = 12;
pub const EFAULT: i32 = 14;
pub const EINVAL: i32 = 22;
pub const ENOTTY: i32 = 25;
pub const ENOSYS: i32 = 89; // MIPS value; targets translate errno tables later.

/// Process-wide state the system calls need.
#[derive(Debug)]
pub struct Process {
    pub brk_start: u64,
    pub brk: u64,
    pub mmap_base: u64,
    pub exit_code: Option<i32>,
    /// Guest TLS pointer set by set_thread_area.
    pub tls: Option<u64>,
    pub uname_machine: &'static str,
    pub strace: bool,
}

/// Outcome of one system call.
pub type SysResult = Result<u64, i32>;

fn fault(_: crate::interp::MemFault) -> i32 {
    EFAULT
}

fn host_errno(e: &std::io::Error) -> i32 {
    e.raw_os_error().unwrap_or(EINVAL)
}

impl Process {
    pub fn new(brk: u64, machine: &'static str) -> Self {
        let brk = brk.div_ceil(4096) * 4096;
        Process {
            brk_start: brk,
            brk,
            mmap_base: 0x5000_0000,
            exit_code: None,
            tls: None,
            uname_machine: machine,
            strace: false,
        }
    }

    /// Perform `sys` with arguments `a`.
    pub fn call(&mut self, sys: Sys, a: [u64; 6], mem: &mut GuestMem, be: bool) -> SysResult {
        use std::io::Write as _;
        match sys {
            Sys::Exit | Sys::ExitGroup => {
                self.exit_code = Some(a[0] as i32);
                Ok(0)
            }
            Sys::Write => {
                let data = mem.read_bytes(a[1], a[2] as usize).map_err(fault)?.to_vec();
                let r = match a[0] {
                    1 => std::io::stdout().write(&data).and_then(|n| std::io::stdout().flush().map(|_| n)),
                    2 => std::io::stderr().write(&data),
                    _ => return Err(EBADF),
                };
                r.map(|n| n as u64).map_err(|e| host_errno(&e))
            }
            Sys::Writev => {
                let mut total = 0u64;
                for i in 0..a[2] {
                    let base = mem.load(a[1] + i * 8, 4, be).map_err(fault)?;
                    let len = mem.load(a[1] + i * 8 + 4, 4, be).map_err(fault)?;
                    let r = self.call(Sys::Write, [a[0], base, len, 0, 0, 0], mem, be)?;
                    total += r;
                }
                Ok(total)
            }
            Sys::Brk => {
                let want = a[0];
                if want >= self.brk_start && want < self.mmap_base {
                    let new_end = want.div_ceil(4096) * 4096;
                    if new_end > self.brk {
                        mem.map(self.brk, new_end - self.brk, PROT_READ | PROT_WRITE);
                    }
                    self.brk = new_end.max(self.brk_start);
                    return Ok(want);
                }
                Ok(self.brk)
            }
            Sys::Mmap | Sys::Mmap2 => {
                let len = a[1].div_ceil(4096) * 4096;
                if len == 0 {
                    return Err(EINVAL);
                }
                let (prot, flags, fd) = (a[2] as u8, a[3], a[4] as i32);
                const MAP_FIXED: u64 = 0x10;
                const MAP_ANON: u64 = 0x800; // MIPS value
                if flags & MAP_ANON == 0 && fd >= 0 {
                    return Err(ENOSYS); // file mappings come with the full system-call layer
                }
                let addr = if flags & MAP_FIXED != 0 {
                    a[0]
                } else {
                    mem.find_free(self.mmap_base, 0x7f00_0000, len).ok_or(ENOMEM)?
                };
                let mut p = 0;
                if prot & 1 != 0 {
                    p |= PROT_READ;
                }
                if prot & 2 != 0 {
                    p |= PROT_WRITE;
                }
                if prot & 4 != 0 {
                    p |= PROT_EXEC;
                }
                mem.unmap(addr, len);
                mem.map(addr, len, p);
                Ok(addr)
            }
            Sys::Munmap => {
                mem.unmap(a[0], a[1]);
                Ok(0)
            }
            Sys::Mprotect => {
                let mut p = 0;
                if a[2] & 1 != 0 {
                    p |= PROT_READ;
                }
                if a[2] & 2 != 0 {
                    p |= PROT_WRITE;
                }
                if a[2] & 4 != 0 {
                    p |= PROT_EXEC;
                }
                if mem.protect(a[0], a[1], p) {
                    Ok(0)
                } else {
                    Err(ENOMEM)
                }
            }
            Sys::SetThreadArea => {
                self.tls = Some(a[0]);
                Ok(0)
            }
            Sys::SetTidAddress | Sys::Getpid | Sys::Gettid => Ok(std::process::id() as u64),
            Sys::Getppid => Ok(1),
            Sys::Getuid | Sys::Geteuid | Sys::Getgid | Sys::Getegid => Ok(0),
            Sys::Ioctl => Err(ENOTTY),
            Sys::RtSigaction | Sys::RtSigprocmask => Ok(0),
            Sys::Uname => {
                let mut buf = vec![0u8; 65 * 6];
                for (i, s) in ["Linux", "specemu", "6.1.0", "#1 SMP", self.uname_machine, "(none)"].iter().enumerate() {
                    buf[i * 65..i * 65 + s.len()].copy_from_slice(s.as_bytes());
                }
                mem.write_bytes(a[0], &buf).map_err(fault)?;
                Ok(0)
            }
            _ => Err(ENOSYS),
        }
    }
}
