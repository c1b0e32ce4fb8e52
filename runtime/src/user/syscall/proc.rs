//! Processes: identity (pids, uids, groups, sessions), uname, getrandom, resource limits,
//! sysinfo, getrusage, scheduling odds and ends, fork/vfork/clone (as host fork; vfork
//! waits for the child to exec or exit, like the real one), execve (re-executes specemu on
//! the new guest program), wait4/waitid (status words with guest signal numbers),
//! set_thread_area/set_tid_address and futex (on the host address of the guest word, so it
//! also works between processes sharing memory).

use super::{cvt, errno, Process, Sys, SysResult};
use crate::user::abi::F;
use crate::user::mem::GuestMem;
use std::ffi::CString;
use std::path::PathBuf;

const CLONE_VM: u64 = 0x100;
const CLONE_VFORK: u64 = 0x4000;
const CLONE_THREAD: u64 = 0x10000;
const CLONE_PARENT_SETTID: u64 = 0x0010_0000;
const CLONE_CHILD_CLEARTID: u64 = 0x0020_0000;
const CLONE_CHILD_SETTID: u64 = 0x0100_0000;

trait FromBytes {
    fn from_encoded_bytes_safe(b: &[u8]) -> &std::ffi::OsStr;
}
impl FromBytes for std::ffi::OsStr {
    fn from_encoded_bytes_safe(b: &[u8]) -> &std::ffi::OsStr {
        use std::os::unix::ffi::OsStrExt;
        std::ffi::OsStr::from_bytes(b)
    }
}

impl Process {
    pub(super) fn proc_call(&mut self, sys: Sys, a: &[u64; 8], mem: &mut GuestMem) -> SysResult {
        use Sys::*;
        // SAFETY (for the id calls below): they take and return plain integers.
        match sys {
            Getpid => Ok(unsafe { libc::getpid() } as u64),
            Gettid => Ok(unsafe { libc::getpid() } as u64),
            Getppid => Ok(unsafe { libc::getppid() } as u64),
            Getuid => Ok(unsafe { libc::getuid() } as u64),
            Geteuid => Ok(unsafe { libc::geteuid() } as u64),
            Getgid => Ok(unsafe { libc::getgid() } as u64),
            Getegid => Ok(unsafe { libc::getegid() } as u64),
            Getresuid | Getresgid => {
                let (mut r, mut e, mut s) = (0u32, 0u32, 0u32);
                // SAFETY: three local out-parameters.
                cvt(unsafe {
                    if sys == Getresuid {
                        libc::getresuid(&mut r, &mut e, &mut s)
                    } else {
                        libc::getresgid(&mut r, &mut e, &mut s)
                    }
                })?;
                self.w32(mem, a[0], r as u64)?;
                self.w32(mem, a[1], e as u64)?;
                self.w32(mem, a[2], s as u64)?;
                Ok(0)
            }
            Setuid => cvt(unsafe { libc::setuid(a[0] as u32) }),
            Setgid => cvt(unsafe { libc::setgid(a[0] as u32) }),
            Setreuid => cvt(unsafe { libc::setreuid(a[0] as u32, a[1] as u32) }),
            Setregid => cvt(unsafe { libc::setregid(a[0] as u32, a[1] as u32) }),
            Setresuid => cvt(unsafe { libc::setresuid(a[0] as u32, a[1] as u32, a[2] as u32) }),
            Setresgid => cvt(unsafe { libc::setresgid(a[0] as u32, a[1] as u32, a[2] as u32) }),
            Getgroups => {
                let n = a[0] as i32;
                if n < 0 {
                    return Err(libc::EINVAL);
                }
                let mut v = vec![0u32; n as usize];
                // SAFETY: `v` has room for `n` gids.
                let r = cvt(unsafe { libc::getgroups(n, v.as_mut_ptr()) })?;
                if n > 0 {
                    for (i, g) in v.iter().take(r as usize).enumerate() {
                        self.w32(mem, a[1] + 4 * i as u64, *g as u64)?;
                    }
                }
                Ok(r)
            }
            Setgroups => {
                let n = a[0] as usize;
                if n > 65536 {
                    return Err(libc::EINVAL);
                }
                let mut v = Vec::with_capacity(n);
                for i in 0..n {
                    v.push(self.r32(mem, a[1] + 4 * i as u64)? as u32);
                }
                // SAFETY: `v` holds `n` gids.
                cvt(unsafe { libc::setgroups(n, v.as_ptr()) })
            }
            Getpgid => cvt(unsafe { libc::getpgid(a[0] as i32) }),
            Setpgid => cvt(unsafe { libc::setpgid(a[0] as i32, a[1] as i32) }),
            Getpgrp => cvt(unsafe { libc::getpgrp() }),
            Setsid => cvt(unsafe { libc::setsid() }),
            Getsid => cvt(unsafe { libc::getsid(a[0] as i32) }),
            Getpriority => {
                // The raw system call returns 20 - nice, never negative.
                cvt(unsafe { libc::syscall(libc::SYS_getpriority, a[0] as i32, a[1] as u32) })
            }
            Setpriority => cvt(unsafe { libc::setpriority(a[0] as u32, a[1] as u32, a[2] as i32) }),
            SchedYield => Ok(0),
            SchedGetaffinity => {
                // The host's CPU mask, as an array of guest words (byte-swapped per word for
                // big-endian guests).
                let n = (a[1] as usize).min(128) & !(self.abi.word as usize - 1);
                if n == 0 {
                    return Err(libc::EINVAL);
                }
                let mut b = vec![0u8; 128];
                // SAFETY: `b` is a 128-byte buffer, the size passed.
                cvt(unsafe { libc::syscall(libc::SYS_sched_getaffinity, a[0] as i32, 128usize, b.as_mut_ptr()) })?;
                if self.be {
                    for w in b.chunks_mut(self.abi.word as usize) {
                        w.reverse();
                    }
                }
                mem.write_bytes(a[2], &b[..n]).map_err(|_| libc::EFAULT)?;
                Ok(n as u64)
            }
            Personality => Ok(0),
            Prctl => match a[0] as i32 {
                libc::PR_SET_NAME | libc::PR_GET_NAME => {
                    let mut name = [0u8; 16];
                    if a[0] as i32 == libc::PR_SET_NAME {
                        let s = self.cstr(mem, a[1])?;
                        let b = s.as_bytes();
                        let n = b.len().min(15);
                        name[..n].copy_from_slice(&b[..n]);
                    }
                    // SAFETY: `name` is a 16-byte buffer, as PR_SET/GET_NAME require.
                    cvt(unsafe { libc::prctl(a[0] as i32, name.as_mut_ptr()) })?;
                    if a[0] as i32 == libc::PR_GET_NAME {
                        mem.write_bytes(a[1], &name).map_err(|_| libc::EFAULT)?;
                    }
                    Ok(0)
                }
                libc::PR_SET_PDEATHSIG => {
                    let h = self.abi.sig_to_host(a[1] as i32).unwrap_or(0);
                    cvt(unsafe { libc::prctl(libc::PR_SET_PDEATHSIG, h as libc::c_ulong) })
                }
                libc::PR_SET_DUMPABLE | libc::PR_SET_NO_NEW_PRIVS => Ok(0),
                libc::PR_GET_DUMPABLE => Ok(1),
                _ => Err(libc::EINVAL),
            },
            Uname => {
                // SAFETY: `u` is a local out-parameter.
                let u = unsafe {
                    let mut u: libc::utsname = std::mem::zeroed();
                    libc::uname(&mut u);
                    u
                };
                let field =
                    |f: &[libc::c_char]| -> Vec<u8> { f.iter().take_while(|&&c| c != 0).map(|&c| c as u8).collect() };
                let mut buf = vec![0u8; 65 * 6];
                let fields = [
                    field(&u.sysname),
                    field(&u.nodename),
                    field(&u.release),
                    field(&u.version),
                    self.uname_machine.as_bytes().to_vec(),
                    field(&u.domainname),
                ];
                for (i, s) in fields.iter().enumerate() {
                    let n = s.len().min(64);
                    buf[i * 65..i * 65 + n].copy_from_slice(&s[..n]);
                }
                mem.write_bytes(a[0], &buf).map_err(|_| libc::EFAULT)?;
                Ok(0)
            }
            Sethostname => Err(libc::EPERM),
            Getrandom => {
                let s = mem.write_slice(a[0], a[1] as usize).map_err(|_| libc::EFAULT)?;
                // SAFETY: `s` is a writable slice of `a[1]` bytes.
                cvt(unsafe { libc::getrandom(s.as_mut_ptr().cast(), s.len(), a[2] as u32) })
            }
            Getrlimit | Setrlimit => {
                let res = self.rlimit_resource(a[0] as u32)?;
                let inf = self.abi.rlim32_infinity;
                if sys == Setrlimit {
                    let cur = self.r32(mem, a[1])?;
                    let max = self.r32(mem, a[1] + 4)?;
                    let h = |v: u64| if v >= inf { libc::RLIM_INFINITY } else { v };
                    let rl = libc::rlimit64 { rlim_cur: h(cur), rlim_max: h(max) };
                    // SAFETY: `rl` is a local.
                    return cvt(unsafe { libc::setrlimit64(res as _, &rl) });
                }
                // SAFETY: `rl` is a local out-parameter.
                let rl = unsafe {
                    let mut rl: libc::rlimit64 = std::mem::zeroed();
                    cvt(libc::getrlimit64(res as _, &mut rl))?;
                    rl
                };
                self.w32(mem, a[1], rl.rlim_cur.min(inf))?;
                self.w32(mem, a[1] + 4, rl.rlim_max.min(inf))?;
                Ok(0)
            }
            Prlimit64 => {
                let res = self.rlimit_resource(a[1] as u32)?;
                let new = if a[2] != 0 {
                    Some(libc::rlimit64 { rlim_cur: self.r64(mem, a[2])?, rlim_max: self.r64(mem, a[2] + 8)? })
                } else {
                    None
                };
                // SAFETY: pointers are null or locals.
                let old = unsafe {
                    let mut old: libc::rlimit64 = std::mem::zeroed();
                    cvt(libc::prlimit64(
                        a[0] as i32,
                        res as _,
                        new.as_ref().map(|r| r as *const _).unwrap_or(std::ptr::null()),
                        &mut old,
                    ))?;
                    old
                };
                if a[3] != 0 {
                    self.w64(mem, a[3], old.rlim_cur)?;
                    self.w64(mem, a[3] + 8, old.rlim_max)?;
                }
                Ok(0)
            }
            Sysinfo => {
                // SAFETY: `si` is a local out-parameter.
                let si = unsafe {
                    let mut si: libc::sysinfo = std::mem::zeroed();
                    cvt(libc::sysinfo(&mut si))?;
                    si
                };
                let mut unit = si.mem_unit.max(1) as u64;
                let total = si.totalram * unit;
                while total / unit > u32::MAX as u64 {
                    unit *= 2;
                }
                let scale = |v: u64| (v * si.mem_unit.max(1) as u64) / unit;
                let mut s = self.new_struct(64);
                s.put(F(0, 4), si.uptime as u64);
                for i in 0..3 {
                    s.put(F(4 + 4 * i as u16, 4), si.loads[i]);
                }
                s.put(F(16, 4), scale(si.totalram));
                s.put(F(20, 4), scale(si.freeram));
                s.put(F(24, 4), scale(si.sharedram));
                s.put(F(28, 4), scale(si.bufferram));
                s.put(F(32, 4), scale(si.totalswap));
                s.put(F(36, 4), scale(si.freeswap));
                s.put(F(40, 2), si.procs as u64);
                s.put(F(52, 4), unit);
                self.write_struct(mem, a[0], &s)?;
                Ok(0)
            }
            Getrusage => {
                // SAFETY: `ru` is a local out-parameter.
                let ru = unsafe {
                    let mut ru: libc::rusage = std::mem::zeroed();
                    cvt(libc::getrusage(a[0] as i32, &mut ru))?;
                    ru
                };
                self.put_rusage(mem, a[1], &ru)?;
                Ok(0)
            }
            Fork | Vfork => self.fork(if sys == Vfork { CLONE_VFORK } else { 0 }, 0, 0, mem),
            Clone => self.fork(a[0], a[2], a[4], mem),
            Clone3 => Err(libc::ENOSYS),
            Execve => self.execve(a[0], a[1], a[2], mem),
            Wait4 | Waitpid => {
                let (pid, st, opt, ru) = (a[0] as i32, a[1], a[2] as i32, if sys == Wait4 { a[3] } else { 0 });
                let mut status = 0;
                // SAFETY: `status` and `r` are locals.
                let mut r: libc::rusage = unsafe { std::mem::zeroed() };
                let got = cvt(unsafe { libc::wait4(pid, &mut status, opt, &mut r) })?;
                if st != 0 && got != 0 {
                    self.w32(mem, st, self.status_to_guest(status) as u64)?;
                }
                if ru != 0 {
                    self.put_rusage(mem, ru, &r)?;
                }
                Ok(got)
            }
            Waitid => self.waitid(a, mem),
            SetThreadArea => {
                self.tls = Some(a[0]);
                Ok(0)
            }
            SetTidAddress => {
                self.clear_child_tid = a[0];
                Ok(unsafe { libc::getpid() } as u64)
            }
            SetRobustList => Ok(0),
            Futex | FutexTime64 => self.futex(a, sys == FutexTime64, mem),
            Rseq => Err(libc::ENOSYS),
            Getcpu => {
                if a[0] != 0 {
                    self.w32(mem, a[0], 0)?;
                }
                if a[1] != 0 {
                    self.w32(mem, a[1], 0)?;
                }
                Ok(0)
            }
            _ => Err(libc::ENOSYS),
        }
    }

    fn rlimit_resource(&self, g: u32) -> Result<i32, i32> {
        self.abi.rlimits.iter().find(|&&(x, _)| x == g).map(|&(_, h)| h).ok_or(libc::EINVAL)
    }

    pub(crate) fn put_rusage(&self, mem: &mut GuestMem, addr: u64, ru: &libc::rusage) -> Result<(), i32> {
        let w = self.abi.word as u64;
        let mut s = self.new_struct((4 * w + 14 * w) as usize);
        let f = |i: u64| F((i * w) as u16, w as u8);
        s.put(f(0), ru.ru_utime.tv_sec as u64);
        s.put(f(1), ru.ru_utime.tv_usec as u64);
        s.put(f(2), ru.ru_stime.tv_sec as u64);
        s.put(f(3), ru.ru_stime.tv_usec as u64);
        let rest = [
            ru.ru_maxrss,
            ru.ru_ixrss,
            ru.ru_idrss,
            ru.ru_isrss,
            ru.ru_minflt,
            ru.ru_majflt,
            ru.ru_nswap,
            ru.ru_inblock,
            ru.ru_oublock,
            ru.ru_msgsnd,
            ru.ru_msgrcv,
            ru.ru_nsignals,
            ru.ru_nvcsw,
            ru.ru_nivcsw,
        ];
        for (i, v) in rest.iter().enumerate() {
            s.put(f(4 + i as u64), *v as u64);
        }
        self.write_struct(mem, addr, &s)
    }

    /// A host wait status with the guest's signal numbers.
    pub fn status_to_guest(&self, st: i32) -> i32 {
        let low = st & 0x7f;
        if low == 0 {
            st // exited
        } else if low == 0x7f {
            // stopped: signal in bits 8..15
            let g = self.abi.sig_to_guest((st >> 8) & 0xff).unwrap_or((st >> 8) & 0xff);
            (st & !0xff00) | (g << 8)
        } else if st == 0xffff {
            st
        } else {
            let g = self.abi.sig_to_guest(low).unwrap_or(low);
            (st & !0x7f) | g
        }
    }

    fn waitid(&mut self, a: &[u64; 8], mem: &mut GuestMem) -> SysResult {
        // SAFETY: `info` and `ru` are local out-parameters.
        let (info, ru) = unsafe {
            let mut info: libc::siginfo_t = std::mem::zeroed();
            let mut ru: libc::rusage = std::mem::zeroed();
            cvt(libc::syscall(libc::SYS_waitid, a[0] as i32, a[1] as i32, &mut info, a[3] as i32, &mut ru))?;
            (info, ru)
        };
        if a[2] != 0 {
            let mut s = self.new_struct(128);
            // SAFETY: waitid filled a SIGCHLD siginfo (or left it zeroed with WNOHANG).
            let (signo, code, pid, uid, status) =
                unsafe { (info.si_signo, info.si_code, info.si_pid(), info.si_uid(), info.si_status()) };
            if signo != 0 {
                let status =
                    if code == libc::CLD_EXITED { status } else { self.abi.sig_to_guest(status).unwrap_or(status) };
                s.put(F(0, 4), self.abi.sig_to_guest(signo).unwrap_or(signo) as u64);
                s.put(F(self.abi.si_code_off, 4), code as u64);
                s.put(F(12, 4), pid as u64);
                s.put(F(16, 4), uid as u64);
                s.put(F(20, 4), status as u64);
            }
            self.write_struct(mem, a[2], &s)?;
        }
        if a[4] != 0 {
            self.put_rusage(mem, a[4], &ru)?;
        }
        Ok(0)
    }

    /// fork, vfork and clone without CLONE_THREAD, as a host fork. The child's stack and TLS
    /// (clone's new sp, CLONE_SETTLS) are set by the CPU loop.
    fn fork(&mut self, flags: u64, ptid: u64, ctid: u64, mem: &mut GuestMem) -> SysResult {
        if flags & CLONE_THREAD != 0 {
            return Err(libc::EAGAIN);
        }
        let vfork = flags & CLONE_VFORK != 0;
        // vfork: the parent sleeps until the child execs or exits, which closes the child's
        // copy of a close-on-exec pipe end.
        let mut pipe = [-1i32; 2];
        if vfork {
            // SAFETY: `pipe` is a local array of two ints; the ends are moved out of the way
            // of the guest's low descriptor numbers.
            unsafe {
                if libc::pipe2(pipe.as_mut_ptr(), libc::O_CLOEXEC) == 0 {
                    for e in pipe.iter_mut() {
                        let hi = libc::fcntl(*e, libc::F_DUPFD_CLOEXEC, 900);
                        if hi >= 0 {
                            libc::close(*e);
                            *e = hi;
                        }
                    }
                }
            }
        }
        use std::io::Write as _;
        let _ = std::io::stdout().flush();
        let _ = std::io::stderr().flush();
        // SAFETY: the process is single-threaded, so the child is a complete copy that can
        // go on running the emulator.
        let pid = unsafe { libc::fork() };
        if pid < 0 {
            let e = errno();
            // SAFETY: closing our own pipe ends.
            unsafe {
                libc::close(pipe[0]);
                libc::close(pipe[1]);
            }
            return Err(e);
        }
        if pid == 0 {
            // SAFETY: getpid has no preconditions; closing our own read end.
            let me = unsafe {
                if pipe[0] >= 0 {
                    libc::close(pipe[0]);
                }
                libc::getpid()
            };
            if flags & CLONE_CHILD_SETTID != 0 && ctid != 0 {
                let _ = self.w32(mem, ctid, me as u64);
            }
            if flags & CLONE_PARENT_SETTID != 0 && ptid != 0 {
                let _ = self.w32(mem, ptid, me as u64);
            }
            if flags & CLONE_CHILD_CLEARTID != 0 {
                self.clear_child_tid = ctid;
            }
            return Ok(0);
        }
        if flags & CLONE_PARENT_SETTID != 0 && ptid != 0 {
            let _ = self.w32(mem, ptid, pid as u64);
        }
        if pipe[1] >= 0 {
            // SAFETY: closing our write end, then reading until the child's copy is closed.
            unsafe {
                libc::close(pipe[1]);
                let mut b = 0u8;
                while libc::read(pipe[0], (&mut b as *mut u8).cast(), 1) < 0 && errno() == libc::EINTR {}
                libc::close(pipe[0]);
            }
        }
        let _ = CLONE_VM;
        Ok(pid as u64)
    }

    /// Read a NULL-terminated array of guest string pointers.
    fn str_array(&self, mem: &GuestMem, mut addr: u64) -> Result<Vec<CString>, i32> {
        let mut v = Vec::new();
        if addr == 0 {
            return Ok(v);
        }
        loop {
            let p = self.rword(mem, addr)?;
            if p == 0 {
                return Ok(v);
            }
            v.push(self.cstr(mem, p)?);
            if v.len() > 1 << 20 {
                return Err(libc::E2BIG);
            }
            addr += self.abi.word as u64;
        }
    }

    /// execve: a guest program runs next in this process (the CPU loop takes
    /// [`Process::exec`]); anything else goes to the host kernel, which replaces specemu.
    fn execve(&mut self, path: u64, argv: u64, envp: u64, mem: &mut GuestMem) -> SysResult {
        use crate::user::run::exec::{self, Runner};
        let p = self.path(mem, path)?;
        let argv = self.str_array(mem, argv)?;
        let envp = self.str_array(mem, envp)?;
        let host_path = PathBuf::from(std::ffi::OsStr::from_encoded_bytes_safe(p.to_bytes()));
        match exec::runner(&host_path, self.sysroot.as_deref())? {
            Runner::Guest => {
                let text = |c: &CString| c.to_string_lossy().into_owned();
                let mut args: Vec<String> = argv.iter().map(text).collect();
                if args.is_empty() {
                    args.push(host_path.display().to_string());
                }
                let env = envp.iter().map(text).collect();
                self.exec = Some(crate::user::run::Program { path: host_path.display().to_string(), args, env });
                Ok(0)
            }
            Runner::Host => Err(exec::host_execve(&host_path, &argv, &envp, &self.abi, self.sig.mask)),
        }
    }

    fn futex(&mut self, a: &[u64; 8], t64: bool, mem: &mut GuestMem) -> SysResult {
        let op = a[1] as i32;
        let cmd = op & 0x7f;
        let Some(uaddr) = mem.host_ptr(a[0], 4) else {
            return Err(libc::EFAULT);
        };
        match cmd {
            libc::FUTEX_WAIT | libc::FUTEX_WAIT_BITSET => {
                let ts = if a[3] != 0 {
                    let (s, ns) = self.read_timespec(mem, a[3], t64)?;
                    Some(libc::timespec { tv_sec: s, tv_nsec: ns })
                } else {
                    None
                };
                let tp = ts.as_ref().map(|t| t as *const libc::timespec).unwrap_or(std::ptr::null());
                // The guest word, byte-swapped to the host's order, is what the host compares.
                let val = if self.be { (a[2] as u32).swap_bytes() } else { a[2] as u32 };
                // SAFETY: `uaddr` points at 4 readable bytes of the guest reservation; the
                // timeout is null or a local.
                cvt(unsafe { libc::syscall(libc::SYS_futex, uaddr, op, val, tp, 0usize, a[5] as u32) })
            }
            libc::FUTEX_WAKE | libc::FUTEX_WAKE_BITSET => {
                // SAFETY: as above; WAKE only uses the address as a key.
                cvt(unsafe { libc::syscall(libc::SYS_futex, uaddr, op, a[2] as u32, 0usize, 0usize, a[5] as u32) })
            }
            libc::FUTEX_REQUEUE | libc::FUTEX_CMP_REQUEUE | libc::FUTEX_WAKE_OP => {
                // Single-threaded guests have no waiters in this process; wake nobody.
                Ok(0)
            }
            _ => Err(libc::ENOSYS),
        }
    }
}
