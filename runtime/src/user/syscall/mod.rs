//! Linux system calls, independent of the guest architecture: each target's ABI table
//! ([`LinuxAbi`]) names its calls, and its register convention gives up to eight arguments;
//! this module maps names to [`Sys`], does the work on the host and translates structures,
//! flags, errno and signal numbers with the tables. Results are a value or a *host* errno
//! ([`SysResult`]); the CPU loop translates errno for the guest.
//!
//! Files: `fs` (files, directories, descriptors), `io` (poll, select, pipes, sendfile),
//! `ioctl` (terminals), `mm` (brk, mmap family), `proc` (identity, fork, exec, wait, limits),
//! `signal` (sigaction, masks, kill), `time` (clocks, sleeps, timers), `ipc` (SysV messages,
//! semaphores, shared memory), `net` (sockets), `strace` (the `-strace` log).

mod fs;
mod io;
mod ioctl;
mod ipc;
mod mm;
mod net;
mod proc;
mod signal;
pub mod strace;
mod time;

use super::abi::{LinuxAbi, StructBuf};
use super::mem::GuestMem;
use super::signal::SigState;
use std::ffi::CString;
use std::path::PathBuf;

macro_rules! syscalls {
    ($($v:ident = $n:literal,)*) => {
        /// The system calls specemu implements (by their Linux names).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Sys { $($v,)* }
        impl Sys {
            pub fn name(self) -> &'static str {
                match self { $(Sys::$v => $n,)* }
            }
            pub fn from_name(s: &str) -> Option<Sys> {
                match s { $($n => Some(Sys::$v),)* _ => None }
            }
        }
    };
}

syscalls! {
    Exit = "exit", ExitGroup = "exit_group", Read = "read", Write = "write", Readv = "readv",
    Writev = "writev", Pread64 = "pread64", Pwrite64 = "pwrite64", Preadv = "preadv", Pwritev = "pwritev",
    Open = "open", Openat = "openat", Creat = "creat", Close = "close", CloseRange = "close_range",
    Unlink = "unlink", Unlinkat = "unlinkat", Link = "link", Linkat = "linkat", Symlink = "symlink",
    Symlinkat = "symlinkat", Readlink = "readlink", Readlinkat = "readlinkat", Rename = "rename",
    Renameat = "renameat", Renameat2 = "renameat2", Mkdir = "mkdir", Mkdirat = "mkdirat", Rmdir = "rmdir",
    Mknod = "mknod", Mknodat = "mknodat", Chmod = "chmod", Fchmod = "fchmod", Fchmodat = "fchmodat",
    Chown = "chown", Lchown = "lchown", Fchown = "fchown", Fchownat = "fchownat", Access = "access",
    Faccessat = "faccessat", Faccessat2 = "faccessat2", Truncate = "truncate", Ftruncate = "ftruncate",
    Truncate64 = "truncate64", Ftruncate64 = "ftruncate64", Fsync = "fsync", Fdatasync = "fdatasync",
    Sync = "sync", Syncfs = "syncfs", Lseek = "lseek", Llseek = "_llseek", Stat64 = "stat64",
    Lstat64 = "lstat64", Fstat64 = "fstat64", Fstatat64 = "fstatat64", Statx = "statx", Statfs64 = "statfs64",
    Fstatfs64 = "fstatfs64", Statfs = "statfs", Fstatfs = "fstatfs", Getdents64 = "getdents64",
    Getcwd = "getcwd", Chdir = "chdir", Fchdir = "fchdir", Chroot = "chroot", Umask = "umask",
    Utime = "utime", Utimes = "utimes", Utimensat = "utimensat", UtimensatTime64 = "utimensat_time64",
    Futimesat = "futimesat", Pipe = "pipe", Pipe2 = "pipe2", Dup = "dup", Dup2 = "dup2", Dup3 = "dup3",
    Fcntl = "fcntl", Fcntl64 = "fcntl64", Flock = "flock", Ioctl = "ioctl", Poll = "poll", Ppoll = "ppoll",
    PpollTime64 = "ppoll_time64", Newselect = "_newselect", Pselect6 = "pselect6",
    Pselect6Time64 = "pselect6_time64", Sendfile = "sendfile", Sendfile64 = "sendfile64",
    Fadvise64 = "fadvise64", Fallocate = "fallocate", Time = "time", Gettimeofday = "gettimeofday",
    Settimeofday = "settimeofday", ClockGettime = "clock_gettime", ClockGettime64 = "clock_gettime64",
    ClockGetres = "clock_getres", ClockGetresTime64 = "clock_getres_time64", ClockNanosleep = "clock_nanosleep",
    ClockNanosleepTime64 = "clock_nanosleep_time64", Nanosleep = "nanosleep", Times = "times",
    Getitimer = "getitimer", Setitimer = "setitimer", Alarm = "alarm", Uname = "uname",
    Getrandom = "getrandom", Getrlimit = "getrlimit", Setrlimit = "setrlimit", Prlimit64 = "prlimit64",
    Sysinfo = "sysinfo", Getrusage = "getrusage", Getpid = "getpid", Getppid = "getppid", Gettid = "gettid",
    Getuid = "getuid", Geteuid = "geteuid", Getgid = "getgid", Getegid = "getegid", Getresuid = "getresuid",
    Getresgid = "getresgid", Setuid = "setuid", Setgid = "setgid", Setreuid = "setreuid",
    Setregid = "setregid", Setresuid = "setresuid", Setresgid = "setresgid", Getgroups = "getgroups",
    Setgroups = "setgroups", Getpgid = "getpgid", Setpgid = "setpgid", Getpgrp = "getpgrp",
    Setsid = "setsid", Getsid = "getsid", Getpriority = "getpriority", Setpriority = "setpriority",
    SchedYield = "sched_yield", SchedGetaffinity = "sched_getaffinity", Personality = "personality",
    Prctl = "prctl", Brk = "brk", Mmap = "mmap", Mmap2 = "mmap2", Munmap = "munmap", Mprotect = "mprotect",
    Mremap = "mremap", Madvise = "madvise", Msync = "msync", Mlock = "mlock", Munlock = "munlock",
    Mlockall = "mlockall", Munlockall = "munlockall", Mincore = "mincore", Fork = "fork", Vfork = "vfork",
    Clone = "clone", Clone3 = "clone3", Execve = "execve", Wait4 = "wait4", Waitid = "waitid",
    Waitpid = "waitpid", Kill = "kill", Tkill = "tkill", Tgkill = "tgkill", RtSigaction = "rt_sigaction",
    RtSigprocmask = "rt_sigprocmask", RtSigreturn = "rt_sigreturn", Sigreturn = "sigreturn",
    RtSigsuspend = "rt_sigsuspend", RtSigpending = "rt_sigpending", RtSigtimedwait = "rt_sigtimedwait",
    RtSigtimedwaitTime64 = "rt_sigtimedwait_time64", Sigaltstack = "sigaltstack", Pause = "pause",
    RtSigqueueinfo = "rt_sigqueueinfo", SetThreadArea = "set_thread_area", SetTidAddress = "set_tid_address",
    SetRobustList = "set_robust_list", Futex = "futex", FutexTime64 = "futex_time64", Ipc = "ipc",
    Msgget = "msgget", Msgsnd = "msgsnd", Msgrcv = "msgrcv", Msgctl = "msgctl", Semget = "semget",
    Semop = "semop", Semtimedop = "semtimedop", SemtimedopTime64 = "semtimedop_time64", Semctl = "semctl",
    Shmget = "shmget", Shmat = "shmat", Shmdt = "shmdt", Shmctl = "shmctl", Cacheflush = "cacheflush",
    Socket = "socket", Socketpair = "socketpair", Connect = "connect", Bind = "bind", Listen = "listen",
    Accept = "accept", Accept4 = "accept4", Sendto = "sendto", Recvfrom = "recvfrom", Send = "send",
    Recv = "recv", Shutdown = "shutdown", Getsockopt = "getsockopt", Setsockopt = "setsockopt",
    Getsockname = "getsockname", Getpeername = "getpeername", Rseq = "rseq", Getcpu = "getcpu",
    Sethostname = "sethostname", Vhangup = "vhangup",
}

/// Outcome of one system call: a value or a host errno.
pub type SysResult = Result<u64, i32>;

/// What the CPU loop must do after a call beyond storing its result.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum After {
    /// Store the result and continue.
    Continue,
    /// The guest called exit/exit_group.
    Exit(i32),
}

/// Process-wide state the system calls need.
#[derive(Debug)]
pub struct Process {
    pub abi: LinuxAbi,
    pub be: bool,
    pub brk_start: u64,
    pub brk: u64,
    /// Top-down mmap area: [mmap_floor, mmap_top).
    pub mmap_floor: u64,
    pub mmap_top: u64,
    pub exit_code: Option<i32>,
    /// Guest TLS pointer set by set_thread_area.
    pub tls: Option<u64>,
    pub uname_machine: &'static str,
    pub strace: bool,
    /// Absolute host path of the guest program (what /proc/self/exe means to the guest).
    pub exe_path: PathBuf,
    pub sysroot: Option<PathBuf>,
    pub sig: SigState,
    pub clear_child_tid: u64,
    /// The second result register (o32 `pipe`).
    pub result2: Option<u64>,
    /// The guest program an `execve` asked to run next (in this process).
    pub exec: Option<crate::user::run::Program>,
    /// The guest stack pointer at the time of the call (sigaltstack reports SS_ONSTACK).
    pub cur_sp: u64,
}

impl Process {
    pub fn new(abi: LinuxAbi, brk: u64, exe_path: PathBuf) -> Self {
        let brk = brk.div_ceil(4096) * 4096;
        Process {
            abi,
            be: abi.big_endian,
            brk_start: brk,
            brk,
            mmap_floor: 0x1000_0000,
            mmap_top: 0x7700_0000,
            exit_code: None,
            tls: None,
            uname_machine: abi.uname_machine,
            strace: false,
            exe_path,
            sysroot: None,
            sig: SigState::new(abi.nsig),
            clear_child_tid: 0,
            result2: None,
            exec: None,
            cur_sp: 0,
        }
    }

    /// The implemented call behind guest number `n`, if any.
    pub fn sys_of(&self, n: u32) -> Option<Sys> {
        self.abi.syscall_name(n).and_then(Sys::from_name)
    }

    /// Perform `sys` with arguments `a`.
    pub fn call(&mut self, sys: Sys, a: &[u64; 8], mem: &mut GuestMem) -> SysResult {
        use Sys::*;
        match sys {
            Exit | ExitGroup => {
                self.exit_code = Some(a[0] as i32);
                Ok(0)
            }
            Read | Write | Readv | Writev | Pread64 | Pwrite64 | Preadv | Pwritev | Open | Openat | Creat | Close
            | CloseRange | Unlink | Unlinkat | Link | Linkat | Symlink | Symlinkat | Readlink | Readlinkat | Rename
            | Renameat | Renameat2 | Mkdir | Mkdirat | Rmdir | Mknod | Mknodat | Chmod | Fchmod | Fchmodat | Chown
            | Lchown | Fchown | Fchownat | Access | Faccessat | Faccessat2 | Truncate | Ftruncate | Truncate64
            | Ftruncate64 | Fsync | Fdatasync | Sync | Syncfs | Lseek | Llseek | Stat64 | Lstat64 | Fstat64
            | Fstatat64 | Statx | Statfs64 | Fstatfs64 | Statfs | Fstatfs | Getdents64 | Getcwd | Chdir | Fchdir
            | Chroot | Umask | Utime | Utimes | Utimensat | UtimensatTime64 | Futimesat | Dup | Dup2 | Dup3 | Fcntl
            | Fcntl64 | Flock | Fadvise64 | Fallocate => self.fs_call(sys, a, mem),
            Pipe | Pipe2 | Poll | Ppoll | PpollTime64 | Newselect | Pselect6 | Pselect6Time64 | Sendfile
            | Sendfile64 => self.io_call(sys, a, mem),
            Ioctl => self.ioctl(a, mem),
            Time | Gettimeofday | Settimeofday | ClockGettime | ClockGettime64 | ClockGetres | ClockGetresTime64
            | ClockNanosleep | ClockNanosleepTime64 | Nanosleep | Times | Getitimer | Setitimer | Alarm => {
                self.time_call(sys, a, mem)
            }
            Brk | Mmap | Mmap2 | Munmap | Mprotect | Mremap | Madvise | Msync | Mlock | Munlock | Mlockall
            | Munlockall | Mincore | Cacheflush => self.mm_call(sys, a, mem),
            RtSigaction | RtSigprocmask | RtSigsuspend | RtSigpending | RtSigtimedwait | RtSigtimedwaitTime64
            | Sigaltstack | Pause | Kill | Tkill | Tgkill | RtSigqueueinfo => self.signal_call(sys, a, mem),
            Ipc | Msgget | Msgsnd | Msgrcv | Msgctl | Semget | Semop | Semtimedop | SemtimedopTime64 | Semctl
            | Shmget | Shmat | Shmdt | Shmctl => self.ipc_call(sys, a, mem),
            Socket | Socketpair | Connect | Bind | Listen | Accept | Accept4 | Sendto | Recvfrom | Send | Recv
            | Shutdown | Getsockopt | Setsockopt | Getsockname | Getpeername => self.net_call(sys, a, mem),
            _ => self.proc_call(sys, a, mem),
        }
    }

    // -------------------------------------------------------------- guest memory helpers

    pub(crate) fn r32(&self, mem: &GuestMem, addr: u64) -> Result<u64, i32> {
        mem.load(addr, 4, self.be).map_err(|_| libc::EFAULT)
    }
    pub(crate) fn w32(&self, mem: &mut GuestMem, addr: u64, v: u64) -> Result<(), i32> {
        mem.store(addr, v, 4, self.be).map_err(|_| libc::EFAULT)
    }
    pub(crate) fn r64(&self, mem: &GuestMem, addr: u64) -> Result<u64, i32> {
        mem.load(addr, 8, self.be).map_err(|_| libc::EFAULT)
    }
    pub(crate) fn w64(&self, mem: &mut GuestMem, addr: u64, v: u64) -> Result<(), i32> {
        mem.store(addr, v, 8, self.be).map_err(|_| libc::EFAULT)
    }
    pub(crate) fn rword(&self, mem: &GuestMem, addr: u64) -> Result<u64, i32> {
        mem.load(addr, self.abi.word, self.be).map_err(|_| libc::EFAULT)
    }
    pub(crate) fn read_struct(&self, mem: &GuestMem, addr: u64, size: usize) -> Result<StructBuf, i32> {
        let b = mem.read_bytes(addr, size).map_err(|_| libc::EFAULT)?;
        Ok(StructBuf::from_bytes(b, self.be))
    }
    pub(crate) fn write_struct(&self, mem: &mut GuestMem, addr: u64, s: &StructBuf) -> Result<(), i32> {
        mem.write_bytes(addr, &s.data).map_err(|_| libc::EFAULT)
    }
    pub(crate) fn new_struct(&self, size: usize) -> StructBuf {
        StructBuf::new(size, self.be)
    }

    /// A guest C string as a host CString (EFAULT, ENAMETOOLONG).
    pub(crate) fn cstr(&self, mem: &GuestMem, addr: u64) -> Result<CString, i32> {
        if addr == 0 {
            return Err(libc::EFAULT);
        }
        let v = mem.read_cstr(addr, 4097).map_err(|_| libc::EFAULT)?;
        if v.len() > 4096 {
            return Err(libc::ENAMETOOLONG);
        }
        CString::new(v).map_err(|_| libc::EINVAL)
    }

    /// A guest path for a lookup: `/proc/self/exe` means the guest program, and absolute
    /// paths are looked up under the `-L` sysroot first (as qemu-user does).
    pub(crate) fn path(&self, mem: &GuestMem, addr: u64) -> Result<CString, i32> {
        let c = self.cstr(mem, addr)?;
        Ok(self.translate_path(c))
    }

    pub(crate) fn translate_path(&self, c: CString) -> CString {
        let b = c.as_bytes();
        let pid_exe = format!("/proc/{}/exe", std::process::id());
        if b == b"/proc/self/exe" || b == pid_exe.as_bytes() {
            return CString::new(self.exe_path.as_os_str().as_encoded_bytes()).unwrap_or(c);
        }
        if let Some(root) = &self.sysroot {
            if b.first() == Some(&b'/') && b.len() > 1 {
                let p = root.join(std::ffi::OsStr::from_encoded_bytes_safe(&b[1..]));
                if p.symlink_metadata().is_ok() {
                    if let Ok(s) = CString::new(p.into_os_string().into_encoded_bytes()) {
                        return s;
                    }
                }
            }
        }
        c
    }

    /// A guest path for creating or changing (no sysroot lookup).
    pub(crate) fn path_plain(&self, mem: &GuestMem, addr: u64) -> Result<CString, i32> {
        self.cstr(mem, addr)
    }
}

/// `OsStr::from_encoded_bytes_unchecked` without unsafe: Unix paths are bytes.
trait FromBytes {
    fn from_encoded_bytes_safe(b: &[u8]) -> &std::ffi::OsStr;
}
impl FromBytes for std::ffi::OsStr {
    fn from_encoded_bytes_safe(b: &[u8]) -> &std::ffi::OsStr {
        use std::os::unix::ffi::OsStrExt;
        std::ffi::OsStr::from_bytes(b)
    }
}

/// The calling thread's errno after a failed libc call.
pub(crate) fn errno() -> i32 {
    std::io::Error::last_os_error().raw_os_error().unwrap_or(libc::EIO)
}

/// Integer return types of libc calls.
pub(crate) trait Ret {
    fn to_i64(self) -> i64;
}
impl Ret for i32 {
    fn to_i64(self) -> i64 {
        self as i64
    }
}
impl Ret for i64 {
    fn to_i64(self) -> i64 {
        self
    }
}
impl Ret for isize {
    fn to_i64(self) -> i64 {
        self as i64
    }
}

/// A libc return value: negative means failure with errno.
pub(crate) fn cvt<T: Ret>(r: T) -> SysResult {
    let r: i64 = r.to_i64();
    if r < 0 {
        Err(errno())
    } else {
        Ok(r as u64)
    }
}

/// A guest file descriptor argument.
pub(crate) fn fd(v: u64) -> i32 {
    v as u32 as i32
}

/// A 64-bit argument passed as two 32-bit words (in the guest's memory order of the halves:
/// high word first on big-endian guests).
pub(crate) fn pair(big_endian: bool, first: u64, second: u64) -> u64 {
    if big_endian {
        (first << 32) | (second & 0xffff_ffff)
    } else {
        (second << 32) | (first & 0xffff_ffff)
    }
}
