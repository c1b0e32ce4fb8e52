//! File and directory system calls: open/close/read/write and their vector and positional
//! forms, seeking, the stat family (stat64, statx, statfs64), directory reading, links,
//! permissions, ownership, timestamps, the working directory, dup and fcntl. Guest file
//! descriptors are host file descriptors.

use super::{cvt, fd, pair, Process, Sys, SysResult};
use crate::user::abi::StructBuf;
use crate::user::mem::GuestMem;

const AT_FDCWD: i32 = -100;

impl Process {
    pub(super) fn fs_call(&mut self, sys: Sys, a: &[u64; 8], mem: &mut GuestMem) -> SysResult {
        use Sys::*;
        let be = self.be;
        match sys {
            Read => self.read(fd(a[0]), a[1], a[2], None, mem),
            Write => self.write(fd(a[0]), a[1], a[2], None, mem),
            Pread64 => self.read(fd(a[0]), a[1], a[2], Some(pair(be, a[4], a[5]) as i64), mem),
            Pwrite64 => self.write(fd(a[0]), a[1], a[2], Some(pair(be, a[4], a[5]) as i64), mem),
            Readv => self.readv(fd(a[0]), a[1], a[2], None, false, mem),
            Writev => self.readv(fd(a[0]), a[1], a[2], None, true, mem),
            Preadv => self.readv(fd(a[0]), a[1], a[2], Some((a[4] << 32 | a[3]) as i64), false, mem),
            Pwritev => self.readv(fd(a[0]), a[1], a[2], Some((a[4] << 32 | a[3]) as i64), true, mem),
            Open => self.openat(AT_FDCWD, a[0], a[1] as u32, a[2], mem),
            Openat => self.openat(fd(a[0]), a[1], a[2] as u32, a[3], mem),
            Creat => self.openat(AT_FDCWD, a[0], 0x1 | 0x100 | 0x200, a[1], mem),
            Close => {
                // SAFETY: closing a descriptor number has no memory-safety effect on us; the
                // emulator keeps no descriptors of its own open while the guest runs.
                cvt(unsafe { libc::close(fd(a[0])) })
            }
            CloseRange => {
                // SAFETY: plain integer arguments.
                cvt(unsafe { libc::syscall(libc::SYS_close_range, a[0] as u32, a[1] as u32, a[2] as u32) })
            }
            Lseek => {
                // SAFETY: plain integer arguments.
                cvt(unsafe { libc::lseek(fd(a[0]), a[1] as u32 as i32 as i64, a[2] as i32) })
            }
            Llseek => {
                let off = ((a[1] << 32) | (a[2] & 0xffff_ffff)) as i64;
                // SAFETY: plain integer arguments.
                let r = cvt(unsafe { libc::lseek(fd(a[0]), off, a[4] as i32) })?;
                self.w64(mem, a[3], r)?;
                Ok(0)
            }
            Unlink => {
                let p = self.path_plain(mem, a[0])?;
                // SAFETY: `p` is a valid NUL-terminated string.
                cvt(unsafe { libc::unlink(p.as_ptr()) })
            }
            Unlinkat => {
                let p = self.path_plain(mem, a[1])?;
                // SAFETY: `p` is a valid NUL-terminated string.
                cvt(unsafe { libc::unlinkat(fd(a[0]), p.as_ptr(), a[2] as i32) })
            }
            Rmdir => {
                let p = self.path_plain(mem, a[0])?;
                // SAFETY: `p` is a valid NUL-terminated string.
                cvt(unsafe { libc::rmdir(p.as_ptr()) })
            }
            Mkdir => self.mkdirat(AT_FDCWD, a[0], a[1], mem),
            Mkdirat => self.mkdirat(fd(a[0]), a[1], a[2], mem),
            Mknod => self.mknodat(AT_FDCWD, a[0], a[1], a[2], mem),
            Mknodat => self.mknodat(fd(a[0]), a[1], a[2], a[3], mem),
            Link => self.linkat(AT_FDCWD, a[0], AT_FDCWD, a[1], 0, mem),
            Linkat => self.linkat(fd(a[0]), a[1], fd(a[2]), a[3], a[4] as i32, mem),
            Symlink => self.symlinkat(a[0], AT_FDCWD, a[1], mem),
            Symlinkat => self.symlinkat(a[0], fd(a[1]), a[2], mem),
            Readlink => self.readlinkat(AT_FDCWD, a[0], a[1], a[2], mem),
            Readlinkat => self.readlinkat(fd(a[0]), a[1], a[2], a[3], mem),
            Rename => self.renameat(AT_FDCWD, a[0], AT_FDCWD, a[1], 0, mem),
            Renameat => self.renameat(fd(a[0]), a[1], fd(a[2]), a[3], 0, mem),
            Renameat2 => self.renameat(fd(a[0]), a[1], fd(a[2]), a[3], a[4] as u32, mem),
            Chmod => self.fchmodat(AT_FDCWD, a[0], a[1], mem),
            Fchmodat => self.fchmodat(fd(a[0]), a[1], a[2], mem),
            Fchmod => {
                // SAFETY: plain integer arguments.
                cvt(unsafe { libc::fchmod(fd(a[0]), a[1] as u32) })
            }
            Chown => self.fchownat(AT_FDCWD, a[0], a[1], a[2], 0, mem),
            Lchown => self.fchownat(AT_FDCWD, a[0], a[1], a[2], libc::AT_SYMLINK_NOFOLLOW, mem),
            Fchownat => self.fchownat(fd(a[0]), a[1], a[2], a[3], a[4] as i32, mem),
            Fchown => {
                // SAFETY: plain integer arguments.
                cvt(unsafe { libc::fchown(fd(a[0]), a[1] as u32, a[2] as u32) })
            }
            Access => self.faccessat(AT_FDCWD, a[0], a[1], 0, mem),
            Faccessat => self.faccessat(fd(a[0]), a[1], a[2], 0, mem),
            Faccessat2 => self.faccessat(fd(a[0]), a[1], a[2], a[3] as i32, mem),
            Truncate => {
                let p = self.path_plain(mem, a[0])?;
                // SAFETY: `p` is a valid NUL-terminated string.
                cvt(unsafe { libc::truncate(p.as_ptr(), a[1] as u32 as i32 as i64) })
            }
            Truncate64 => {
                let p = self.path_plain(mem, a[0])?;
                // SAFETY: `p` is a valid NUL-terminated string.
                cvt(unsafe { libc::truncate(p.as_ptr(), pair(be, a[2], a[3]) as i64) })
            }
            Ftruncate => {
                // SAFETY: plain integer arguments.
                cvt(unsafe { libc::ftruncate(fd(a[0]), a[1] as u32 as i32 as i64) })
            }
            Ftruncate64 => {
                // SAFETY: plain integer arguments.
                cvt(unsafe { libc::ftruncate(fd(a[0]), pair(be, a[2], a[3]) as i64) })
            }
            Fsync => {
                // SAFETY: plain integer arguments.
                cvt(unsafe { libc::fsync(fd(a[0])) })
            }
            Fdatasync => {
                // SAFETY: plain integer arguments.
                cvt(unsafe { libc::fdatasync(fd(a[0])) })
            }
            Sync => {
                // SAFETY: no arguments.
                unsafe { libc::sync() };
                Ok(0)
            }
            Syncfs => {
                // SAFETY: plain integer arguments.
                cvt(unsafe { libc::syncfs(fd(a[0])) })
            }
            Fadvise64 => Ok(0),
            Fallocate => {
                // SAFETY: plain integer arguments.
                cvt(unsafe {
                    libc::fallocate(fd(a[0]), a[1] as i32, pair(be, a[2], a[3]) as i64, pair(be, a[4], a[5]) as i64)
                })
            }
            Stat64 => self.stat(AT_FDCWD, a[0], a[1], 0, mem),
            Lstat64 => self.stat(AT_FDCWD, a[0], a[1], libc::AT_SYMLINK_NOFOLLOW, mem),
            Fstat64 => self.fstat(fd(a[0]), a[1], mem),
            Fstatat64 => self.stat(fd(a[0]), a[1], a[2], a[3] as i32, mem),
            Statx => self.statx(fd(a[0]), a[1], a[2] as i32, a[3] as u32, a[4], mem),
            Statfs64 | Statfs => {
                let p = self.path(mem, a[0])?;
                // SAFETY: `st` is a local out-parameter, `p` a valid C string.
                let st = unsafe {
                    let mut st: libc::statfs64 = std::mem::zeroed();
                    cvt(libc::statfs64(p.as_ptr(), &mut st))?;
                    st
                };
                let buf = if sys == Statfs64 { a[2] } else { a[1] };
                self.put_statfs(&st, buf, mem)
            }
            Fstatfs64 | Fstatfs => {
                // SAFETY: `st` is a local out-parameter.
                let st = unsafe {
                    let mut st: libc::statfs64 = std::mem::zeroed();
                    cvt(libc::fstatfs64(fd(a[0]), &mut st))?;
                    st
                };
                let buf = if sys == Fstatfs64 { a[2] } else { a[1] };
                self.put_statfs(&st, buf, mem)
            }
            Getdents64 => self.getdents64(fd(a[0]), a[1], a[2], mem),
            Getcwd => {
                let cwd = std::env::current_dir().map_err(|e| e.raw_os_error().unwrap_or(libc::ENOENT))?;
                let mut b = cwd.into_os_string().into_encoded_bytes();
                b.push(0);
                if b.len() as u64 > a[1] {
                    return Err(libc::ERANGE);
                }
                mem.write_bytes(a[0], &b).map_err(|_| libc::EFAULT)?;
                Ok(b.len() as u64)
            }
            Chdir => {
                let p = self.path_plain(mem, a[0])?;
                // SAFETY: `p` is a valid NUL-terminated string.
                cvt(unsafe { libc::chdir(p.as_ptr()) })
            }
            Fchdir => {
                // SAFETY: plain integer arguments.
                cvt(unsafe { libc::fchdir(fd(a[0])) })
            }
            Chroot => {
                let p = self.path_plain(mem, a[0])?;
                // SAFETY: `p` is a valid NUL-terminated string.
                cvt(unsafe { libc::chroot(p.as_ptr()) })
            }
            Umask => {
                // SAFETY: plain integer arguments.
                Ok(unsafe { libc::umask(a[0] as u32 & 0o777) } as u64)
            }
            Utime => {
                let times = if a[1] == 0 {
                    None
                } else {
                    let s = self.read_struct(mem, a[1], 8)?;
                    let f = |o| s.get(crate::user::abi::F(o, 4)) as i64;
                    Some([(f(0), 0), (f(4), 0)])
                };
                self.utimens(AT_FDCWD, a[0], times, 0, mem)
            }
            Utimes | Futimesat => {
                let (dirfd, p, t) = if sys == Utimes { (AT_FDCWD, a[0], a[1]) } else { (fd(a[0]), a[1], a[2]) };
                let times = if t == 0 {
                    None
                } else {
                    let s = self.read_struct(mem, t, 16)?;
                    let f = |o| s.get_signed(crate::user::abi::F(o, 4));
                    Some([(f(0), f(4) * 1000), (f(8), f(12) * 1000)])
                };
                self.utimens(dirfd, p, times, 0, mem)
            }
            Utimensat | UtimensatTime64 => {
                let times = if a[2] == 0 {
                    None
                } else {
                    let t64 = sys == UtimensatTime64;
                    let (sz, w) = if t64 { (32, 8) } else { (16, 4) };
                    let s = self.read_struct(mem, a[2], sz)?;
                    let f = |o| s.get_signed(crate::user::abi::F(o, w));
                    Some([(f(0), f(w as u16)), (f(2 * w as u16), f(3 * w as u16))])
                };
                self.utimens(fd(a[0]), a[1], times, a[3] as i32, mem)
            }
            Dup => {
                // SAFETY: plain integer arguments.
                cvt(unsafe { libc::dup(fd(a[0])) })
            }
            Dup2 => {
                // SAFETY: plain integer arguments.
                cvt(unsafe { libc::dup2(fd(a[0]), fd(a[1])) })
            }
            Dup3 => {
                let flags = self.abi.open_flags_to_host(a[2] as u32);
                // SAFETY: plain integer arguments.
                cvt(unsafe { libc::dup3(fd(a[0]), fd(a[1]), flags) })
            }
            Flock => {
                // SAFETY: plain integer arguments.
                cvt(unsafe { libc::flock(fd(a[0]), a[1] as i32) })
            }
            Fcntl | Fcntl64 => self.fcntl(fd(a[0]), a[1] as u32, a[2], sys == Fcntl64, mem),
            _ => Err(libc::ENOSYS),
        }
    }

    fn read(&mut self, f: i32, buf: u64, len: u64, off: Option<i64>, mem: &mut GuestMem) -> SysResult {
        let len = len.min(0x7fff_f000) as usize;
        let s = mem.write_slice(buf, len).map_err(|_| libc::EFAULT)?;
        // SAFETY: `s` is a writable slice of exactly `len` bytes of guest memory.
        cvt(unsafe {
            match off {
                None => libc::read(f, s.as_mut_ptr().cast(), len),
                Some(o) => libc::pread(f, s.as_mut_ptr().cast(), len, o),
            }
        })
    }

    fn write(&mut self, f: i32, buf: u64, len: u64, off: Option<i64>, mem: &mut GuestMem) -> SysResult {
        let len = len.min(0x7fff_f000) as usize;
        let s = mem.read_bytes(buf, len).map_err(|_| libc::EFAULT)?;
        // SAFETY: `s` is a readable slice of exactly `len` bytes of guest memory.
        cvt(unsafe {
            match off {
                None => libc::write(f, s.as_ptr().cast(), len),
                Some(o) => libc::pwrite(f, s.as_ptr().cast(), len, o),
            }
        })
    }

    fn readv(&mut self, f: i32, iov: u64, cnt: u64, off: Option<i64>, write: bool, mem: &mut GuestMem) -> SysResult {
        if cnt > 1024 {
            return Err(libc::EINVAL);
        }
        let mut v = Vec::with_capacity(cnt as usize);
        for i in 0..cnt {
            let base = self.r32(mem, iov + i * 8)?;
            let len = self.r32(mem, iov + i * 8 + 4)? as usize;
            let ptr = if write {
                mem.read_bytes(base, len).map_err(|_| libc::EFAULT)?.as_ptr() as *mut u8
            } else {
                mem.write_slice(base, len).map_err(|_| libc::EFAULT)?.as_mut_ptr()
            };
            v.push(libc::iovec { iov_base: ptr.cast(), iov_len: len });
        }
        // SAFETY: every iovec points at guest memory checked above for the access direction
        // (readable for writev, writable for readv); no Rust reference to those bytes is
        // alive during the call.
        cvt(unsafe {
            match (write, off) {
                (true, None) => libc::writev(f, v.as_ptr(), v.len() as i32),
                (false, None) => libc::readv(f, v.as_ptr(), v.len() as i32),
                (true, Some(o)) => libc::pwritev(f, v.as_ptr(), v.len() as i32, o),
                (false, Some(o)) => libc::preadv(f, v.as_ptr(), v.len() as i32, o),
            }
        })
    }

    fn openat(&mut self, dirfd: i32, path: u64, flags: u32, mode: u64, mem: &mut GuestMem) -> SysResult {
        let hflags = self.abi.open_flags_to_host(flags);
        let creating = hflags & (libc::O_CREAT | libc::O_TMPFILE) != 0;
        let p = if creating { self.path_plain(mem, path)? } else { self.path(mem, path)? };
        if !creating && self.is_own_maps(&p) {
            return self.open_own_maps(mem, hflags);
        }
        // SAFETY: `p` is a valid NUL-terminated string.
        cvt(unsafe { libc::openat(dirfd, p.as_ptr(), hflags, mode as u32) })
    }

    /// Whether `p` names this process's maps file (`/proc/self/maps`, `/proc/PID/maps`).
    fn is_own_maps(&self, p: &std::ffi::CStr) -> bool {
        let b = p.to_bytes();
        b == b"/proc/self/maps" || b == format!("/proc/{}/maps", std::process::id()).as_bytes()
    }

    /// The guest's view of its mappings (`user::maps`) in an in-memory file (memfd), so that
    /// read, lseek and fstat work on it as on the kernel's.
    fn open_own_maps(&mut self, mem: &GuestMem, hflags: i32) -> SysResult {
        use crate::user::stack::STACK_SIZE;
        let stack_top = self.abi.stack_top;
        use std::io::{Seek, Write};
        use std::os::fd::{FromRawFd, IntoRawFd};
        let text = crate::user::maps::proc_self_maps(
            mem,
            &[(stack_top - STACK_SIZE, stack_top, "[stack]"), (self.brk_start, self.brk, "[heap]")],
        );
        let cloexec = if hflags & libc::O_CLOEXEC != 0 { libc::MFD_CLOEXEC } else { 0 };
        // SAFETY: the name is a valid NUL-terminated string.
        let fd = cvt(unsafe { libc::memfd_create(c"maps".as_ptr(), cloexec) })? as i32;
        // SAFETY: `fd` was just created and nothing else owns it; the `File` closes it on
        // error, and `into_raw_fd` hands it to the guest otherwise.
        let mut f = unsafe { std::fs::File::from_raw_fd(fd) };
        f.write_all(text.as_bytes()).and_then(|_| f.rewind()).map_err(|e| e.raw_os_error().unwrap_or(libc::EIO))?;
        Ok(f.into_raw_fd() as u64)
    }

    fn mkdirat(&mut self, dirfd: i32, path: u64, mode: u64, mem: &mut GuestMem) -> SysResult {
        let p = self.path_plain(mem, path)?;
        // SAFETY: `p` is a valid NUL-terminated string.
        cvt(unsafe { libc::mkdirat(dirfd, p.as_ptr(), mode as u32) })
    }

    fn mknodat(&mut self, dirfd: i32, path: u64, mode: u64, dev: u64, mem: &mut GuestMem) -> SysResult {
        let p = self.path_plain(mem, path)?;
        // o32 dev_t: major in bits 18..31, minor in bits 0..17.
        let d = libc::makedev((dev >> 18) as u32 & 0x3fff, dev as u32 & 0x3ffff);
        // SAFETY: `p` is a valid NUL-terminated string.
        cvt(unsafe { libc::mknodat(dirfd, p.as_ptr(), mode as u32, d) })
    }

    fn linkat(&mut self, d1: i32, p1: u64, d2: i32, p2: u64, flags: i32, mem: &mut GuestMem) -> SysResult {
        let a = self.path_plain(mem, p1)?;
        let b = self.path_plain(mem, p2)?;
        // SAFETY: valid NUL-terminated strings.
        cvt(unsafe { libc::linkat(d1, a.as_ptr(), d2, b.as_ptr(), flags) })
    }

    fn symlinkat(&mut self, target: u64, dirfd: i32, path: u64, mem: &mut GuestMem) -> SysResult {
        let t = self.cstr(mem, target)?;
        let p = self.path_plain(mem, path)?;
        // SAFETY: valid NUL-terminated strings.
        cvt(unsafe { libc::symlinkat(t.as_ptr(), dirfd, p.as_ptr()) })
    }

    fn readlinkat(&mut self, dirfd: i32, path: u64, buf: u64, size: u64, mem: &mut GuestMem) -> SysResult {
        let raw = self.cstr(mem, path)?;
        let pid_exe = format!("/proc/{}/exe", std::process::id());
        if raw.as_bytes() == b"/proc/self/exe" || raw.as_bytes() == pid_exe.as_bytes() {
            let b = self.exe_path.as_os_str().as_encoded_bytes().to_vec();
            let n = b.len().min(size as usize);
            mem.write_bytes(buf, &b[..n]).map_err(|_| libc::EFAULT)?;
            return Ok(n as u64);
        }
        let p = self.translate_path(raw);
        let s = mem.write_slice(buf, size as usize).map_err(|_| libc::EFAULT)?;
        // SAFETY: `s` is a writable slice of `size` bytes; `p` a valid C string.
        cvt(unsafe { libc::readlinkat(dirfd, p.as_ptr(), s.as_mut_ptr().cast(), s.len()) })
    }

    fn renameat(&mut self, d1: i32, p1: u64, d2: i32, p2: u64, flags: u32, mem: &mut GuestMem) -> SysResult {
        let a = self.path_plain(mem, p1)?;
        let b = self.path_plain(mem, p2)?;
        // SAFETY: valid NUL-terminated strings.
        cvt(unsafe { libc::syscall(libc::SYS_renameat2, d1, a.as_ptr(), d2, b.as_ptr(), flags) })
    }

    fn fchmodat(&mut self, dirfd: i32, path: u64, mode: u64, mem: &mut GuestMem) -> SysResult {
        let p = self.path_plain(mem, path)?;
        // SAFETY: `p` is a valid NUL-terminated string.
        cvt(unsafe { libc::fchmodat(dirfd, p.as_ptr(), mode as u32, 0) })
    }

    fn fchownat(&mut self, dirfd: i32, path: u64, uid: u64, gid: u64, flags: i32, mem: &mut GuestMem) -> SysResult {
        let p = self.path_plain(mem, path)?;
        // SAFETY: `p` is a valid NUL-terminated string.
        cvt(unsafe { libc::fchownat(dirfd, p.as_ptr(), uid as u32, gid as u32, flags) })
    }

    fn faccessat(&mut self, dirfd: i32, path: u64, mode: u64, flags: i32, mem: &mut GuestMem) -> SysResult {
        let p = self.path(mem, path)?;
        // SAFETY: `p` is a valid NUL-terminated string.
        cvt(unsafe { libc::syscall(libc::SYS_faccessat2, dirfd, p.as_ptr(), mode as i32, flags) })
    }

    fn utimens(
        &mut self,
        dirfd: i32,
        path: u64,
        t: Option<[(i64, i64); 2]>,
        flags: i32,
        mem: &mut GuestMem,
    ) -> SysResult {
        let ts = t.map(|t| {
            [libc::timespec { tv_sec: t[0].0, tv_nsec: t[0].1 }, libc::timespec { tv_sec: t[1].0, tv_nsec: t[1].1 }]
        });
        let tp = ts.as_ref().map(|t| t.as_ptr()).unwrap_or(std::ptr::null());
        if path == 0 {
            // futimens form: utimensat(fd, NULL, times, 0)
            // SAFETY: `tp` is null or points at two local timespecs.
            return cvt(unsafe { libc::syscall(libc::SYS_utimensat, dirfd, std::ptr::null::<u8>(), tp, flags) });
        }
        let p = self.path_plain(mem, path)?;
        // SAFETY: `p` is a valid C string, `tp` null or two local timespecs.
        cvt(unsafe { libc::utimensat(dirfd, p.as_ptr(), tp, flags) })
    }

    fn stat(&mut self, dirfd: i32, path: u64, buf: u64, flags: i32, mem: &mut GuestMem) -> SysResult {
        let p = self.path(mem, path)?;
        // SAFETY: `st` is a local out-parameter, `p` a valid C string.
        let st = unsafe {
            let mut st: libc::stat64 = std::mem::zeroed();
            cvt(libc::fstatat64(dirfd, p.as_ptr(), &mut st, flags))?;
            st
        };
        self.put_stat(&st, buf, mem)
    }

    fn fstat(&mut self, f: i32, buf: u64, mem: &mut GuestMem) -> SysResult {
        // SAFETY: `st` is a local out-parameter.
        let st = unsafe {
            let mut st: libc::stat64 = std::mem::zeroed();
            cvt(libc::fstat64(f, &mut st))?;
            st
        };
        self.put_stat(&st, buf, mem)
    }

    fn put_stat(&self, st: &libc::stat64, buf: u64, mem: &mut GuestMem) -> SysResult {
        let l = self.abi.stat64;
        let mut s = self.new_struct(l.size);
        // o32 dev_t: major << 18 | minor.
        let dev = |d: u64| ((libc::major(d) as u64) << 18) | (libc::minor(d) as u64 & 0x3ffff);
        s.put(l.dev, dev(st.st_dev));
        s.put(l.ino, st.st_ino);
        s.put(l.mode, st.st_mode as u64);
        s.put(l.nlink, st.st_nlink);
        s.put(l.uid, st.st_uid as u64);
        s.put(l.gid, st.st_gid as u64);
        s.put(l.rdev, dev(st.st_rdev));
        s.put(l.size_, st.st_size as u64);
        s.put(l.blksize, st.st_blksize as u64);
        s.put(l.blocks, st.st_blocks as u64);
        s.put(l.atime, st.st_atime as u64);
        s.put(l.atime_nsec, st.st_atime_nsec as u64);
        s.put(l.mtime, st.st_mtime as u64);
        s.put(l.mtime_nsec, st.st_mtime_nsec as u64);
        s.put(l.ctime, st.st_ctime as u64);
        s.put(l.ctime_nsec, st.st_ctime_nsec as u64);
        self.write_struct(mem, buf, &s)?;
        Ok(0)
    }

    fn put_statfs(&self, st: &libc::statfs64, buf: u64, mem: &mut GuestMem) -> SysResult {
        let l = self.abi.statfs64;
        let mut s = self.new_struct(l.size);
        s.put(l.type_, st.f_type as u64);
        s.put(l.bsize, st.f_bsize as u64);
        s.put(l.frsize, st.f_frsize as u64);
        s.put(l.blocks, st.f_blocks);
        s.put(l.bfree, st.f_bfree);
        s.put(l.bavail, st.f_bavail);
        s.put(l.files, st.f_files);
        s.put(l.ffree, st.f_ffree);
        // SAFETY: fsid_t is two ints; reading it as such is how it is defined.
        let fsid: [i32; 2] = unsafe { std::mem::transmute(st.f_fsid) };
        s.put(l.fsid0, fsid[0] as u32 as u64);
        s.put(l.fsid1, fsid[1] as u32 as u64);
        s.put(l.namelen, st.f_namelen as u64);
        s.put(l.flags, st.f_flags as u64);
        self.write_struct(mem, buf, &s)?;
        Ok(0)
    }

    fn statx(&mut self, dirfd: i32, path: u64, flags: i32, mask: u32, buf: u64, mem: &mut GuestMem) -> SysResult {
        let p = if path == 0 { c"".to_owned() } else { self.path(mem, path)? };
        let mut raw = [0u8; 256];
        // SAFETY: `raw` is a 256-byte buffer, the size of struct statx; `p` a valid C string.
        cvt(unsafe { libc::syscall(libc::SYS_statx, dirfd, p.as_ptr(), flags, mask, raw.as_mut_ptr()) })?;
        if self.be {
            // struct statx is the same on every ABI except for byte order: swap each field.
            const FIELDS: &[(usize, usize)] = &[
                (0, 4),
                (4, 4),
                (8, 8),
                (16, 4),
                (20, 4),
                (24, 4),
                (28, 2),
                (32, 8),
                (40, 8),
                (48, 8),
                (56, 8),
                (64, 8),
                (72, 4),
                (80, 8),
                (88, 4),
                (96, 8),
                (104, 4),
                (112, 8),
                (120, 4),
                (128, 4),
                (132, 4),
                (136, 4),
                (140, 4),
                (144, 8),
                (152, 4),
                (156, 4),
            ];
            for &(o, n) in FIELDS {
                raw[o..o + n].reverse();
            }
        }
        mem.write_bytes(buf, &raw).map_err(|_| libc::EFAULT)?;
        Ok(0)
    }

    fn getdents64(&mut self, f: i32, buf: u64, count: u64, mem: &mut GuestMem) -> SysResult {
        let count = count.min(1 << 20) as usize;
        let mut host = vec![0u8; count];
        // SAFETY: `host` is a writable buffer of `count` bytes.
        let n = cvt(unsafe { libc::syscall(libc::SYS_getdents64, f, host.as_mut_ptr(), count) })? as usize;
        // linux_dirent64 is the same on every ABI except for byte order.
        if self.be {
            let mut o = 0;
            while o + 19 <= n {
                let reclen = u16::from_le_bytes([host[o + 16], host[o + 17]]) as usize;
                host[o..o + 8].reverse();
                host[o + 8..o + 16].reverse();
                host[o + 16..o + 18].reverse();
                if reclen == 0 {
                    break;
                }
                o += reclen;
            }
        }
        mem.write_bytes(buf, &host[..n]).map_err(|_| libc::EFAULT)?;
        Ok(n as u64)
    }

    fn fcntl(&mut self, f: i32, cmd: u32, arg: u64, is64: bool, mem: &mut GuestMem) -> SysResult {
        let abi = self.abi;
        let lock = if cmd == abi.f_getlk64 || cmd == abi.f_getlk {
            Some(libc::F_GETLK)
        } else if cmd == abi.f_setlk64 || cmd == abi.f_setlk {
            Some(libc::F_SETLK)
        } else if cmd == abi.f_setlkw64 || cmd == abi.f_setlkw {
            Some(libc::F_SETLKW)
        } else {
            None
        };
        if let Some(hcmd) = lock {
            let l = if is64 && (cmd == abi.f_getlk64 || cmd == abi.f_setlk64 || cmd == abi.f_setlkw64) {
                abi.flock64
            } else {
                abi.flock
            };
            let s = self.read_struct(mem, arg, l.size)?;
            let mut fl: libc::flock = libc::flock {
                l_type: s.get(l.type_) as i16,
                l_whence: s.get(l.whence) as i16,
                l_start: s.get_signed(l.start),
                l_len: s.get_signed(l.len),
                l_pid: s.get(l.pid) as i32,
            };
            // SAFETY: `fl` is a local struct flock.
            cvt(unsafe { libc::fcntl(f, hcmd, &mut fl) })?;
            if hcmd == libc::F_GETLK {
                let mut s: StructBuf = s;
                s.put(l.type_, fl.l_type as u64);
                s.put(l.whence, fl.l_whence as u64);
                s.put(l.start, fl.l_start as u64);
                s.put(l.len, fl.l_len as u64);
                s.put(l.pid, fl.l_pid as u64);
                self.write_struct(mem, arg, &s)?;
            }
            return Ok(0);
        }
        let hcmd = abi.fcntl_cmds.iter().find(|&&(g, _)| g == cmd).map(|&(_, h)| h).unwrap_or(cmd as i32);
        match hcmd {
            libc::F_GETFL => {
                // SAFETY: plain integer arguments.
                let r = cvt(unsafe { libc::fcntl(f, libc::F_GETFL) })?;
                Ok(abi.open_flags_to_guest(r as i32) as u64)
            }
            libc::F_SETFL => {
                let h = abi.open_flags_to_host(arg as u32);
                // SAFETY: plain integer arguments.
                cvt(unsafe { libc::fcntl(f, libc::F_SETFL, h) })
            }
            libc::F_DUPFD
            | libc::F_DUPFD_CLOEXEC
            | libc::F_GETFD
            | libc::F_SETFD
            | libc::F_GETOWN
            | libc::F_SETOWN
            | libc::F_SETPIPE_SZ
            | libc::F_GETPIPE_SZ
            | libc::F_SETLEASE
            | libc::F_GETLEASE
            | libc::F_NOTIFY
            | libc::F_ADD_SEALS
            | libc::F_GET_SEALS => {
                // SAFETY: these commands take an integer argument.
                cvt(unsafe { libc::fcntl(f, hcmd, arg as u32 as i32) })
            }
            _ => Err(libc::EINVAL),
        }
    }
}
