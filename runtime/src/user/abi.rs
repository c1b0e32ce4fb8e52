//! What a Linux ABI looks like to the system-call layer, as data: system-call numbers and
//! names, errno and signal numbers, flag bits that differ from the host's, ioctl numbers and
//! the layouts of the structures exchanged with the kernel. Each target fills a [`LinuxAbi`]
//! (e.g. `targets::mips::abi::o32`); `user::syscall` reads and writes guest structures only
//! through these tables, in the guest's byte order.

/// A field of a guest structure: byte offset and size in bytes (size 0: the guest has no
/// such field).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct F(pub u16, pub u8);

/// A field the guest structure does not have.
pub const NONE: F = F(0, 0);

/// A guest structure being built or read, in the guest's byte order.
#[derive(Debug, Clone)]
pub struct StructBuf {
    pub data: Vec<u8>,
    be: bool,
}

impl StructBuf {
    pub fn new(size: usize, be: bool) -> Self {
        StructBuf { data: vec![0; size], be }
    }
    pub fn from_bytes(data: &[u8], be: bool) -> Self {
        StructBuf { data: data.to_vec(), be }
    }
    /// Store the low bytes of `v` in field `f` (ignored when the guest lacks the field).
    pub fn put(&mut self, f: F, v: u64) {
        let (off, n) = (f.0 as usize, f.1 as usize);
        if n == 0 || off + n > self.data.len() {
            return;
        }
        for i in 0..n {
            let shift = if self.be { (n - 1 - i) * 8 } else { i * 8 };
            self.data[off + i] = (v >> shift) as u8;
        }
    }
    /// Read field `f` zero-extended (0 when the guest lacks the field).
    pub fn get(&self, f: F) -> u64 {
        let (off, n) = (f.0 as usize, f.1 as usize);
        if n == 0 || off + n > self.data.len() {
            return 0;
        }
        let mut v = 0u64;
        for i in 0..n {
            let b = self.data[off + i] as u64;
            let shift = if self.be { (n - 1 - i) * 8 } else { i * 8 };
            v |= b << shift;
        }
        v
    }
    /// Read field `f` sign-extended.
    pub fn get_signed(&self, f: F) -> i64 {
        let bits = f.1 as u32 * 8;
        if bits == 0 {
            return 0;
        }
        let v = self.get(f);
        ((v << (64 - bits)) as i64) >> (64 - bits)
    }
    pub fn bytes(&self, off: usize, len: usize) -> &[u8] {
        &self.data[off..off + len]
    }
    pub fn put_bytes(&mut self, off: usize, b: &[u8]) {
        self.data[off..off + b.len()].copy_from_slice(b);
    }
}

/// `struct stat64` (or the ABI's 64-bit-offset stat).
#[derive(Debug, Clone, Copy)]
pub struct StatLayout {
    pub size: usize,
    pub dev: F,
    pub ino: F,
    pub mode: F,
    pub nlink: F,
    pub uid: F,
    pub gid: F,
    pub rdev: F,
    pub size_: F,
    pub blksize: F,
    pub blocks: F,
    pub atime: F,
    pub atime_nsec: F,
    pub mtime: F,
    pub mtime_nsec: F,
    pub ctime: F,
    pub ctime_nsec: F,
}

/// `struct statfs64`.
#[derive(Debug, Clone, Copy)]
pub struct StatfsLayout {
    pub size: usize,
    pub type_: F,
    pub bsize: F,
    pub frsize: F,
    pub blocks: F,
    pub bfree: F,
    pub files: F,
    pub ffree: F,
    pub bavail: F,
    pub fsid0: F,
    pub fsid1: F,
    pub namelen: F,
    pub flags: F,
}

/// `struct flock` / `struct flock64`.
#[derive(Debug, Clone, Copy)]
pub struct FlockLayout {
    pub size: usize,
    pub type_: F,
    pub whence: F,
    pub start: F,
    pub len: F,
    pub pid: F,
}

/// The kernel's `struct sigaction` for rt_sigaction.
#[derive(Debug, Clone, Copy)]
pub struct SigactionLayout {
    pub size: usize,
    pub handler: F,
    pub flags: F,
    pub restorer: F,
    pub mask: F,
}

/// `stack_t`.
#[derive(Debug, Clone, Copy)]
pub struct StackLayout {
    pub size: usize,
    pub sp: F,
    pub flags: F,
    pub size_: F,
}

/// `struct ipc64_perm` plus the three `*id64_ds` structures.
#[derive(Debug, Clone, Copy)]
pub struct IpcLayout {
    pub perm_key: F,
    pub perm_uid: F,
    pub perm_gid: F,
    pub perm_cuid: F,
    pub perm_cgid: F,
    pub perm_mode: F,
    pub perm_seq: F,
    pub msqid_size: usize,
    pub msg_stime: F,
    pub msg_rtime: F,
    pub msg_ctime: F,
    pub msg_cbytes: F,
    pub msg_qnum: F,
    pub msg_qbytes: F,
    pub msg_lspid: F,
    pub msg_lrpid: F,
    pub shmid_size: usize,
    pub shm_segsz: F,
    pub shm_atime: F,
    pub shm_dtime: F,
    pub shm_ctime: F,
    pub shm_cpid: F,
    pub shm_lpid: F,
    pub shm_nattch: F,
    pub semid_size: usize,
    pub sem_otime: F,
    pub sem_ctime: F,
    pub sem_nsems: F,
}

/// Terminal constants: ioctl numbers, `struct termios` and the bits that differ.
#[derive(Debug, Clone, Copy)]
pub struct TermiosAbi {
    pub tcgets: u32,
    pub tcsets: u32,
    pub tcsetsw: u32,
    pub tcsetsf: u32,
    pub tcgeta: u32,
    pub tcsbrk: u32,
    pub tcxonc: u32,
    pub tcflsh: u32,
    pub tiocgwinsz: u32,
    pub tiocswinsz: u32,
    pub tiocgpgrp: u32,
    pub tiocspgrp: u32,
    pub tiocsctty: u32,
    pub tiocnotty: u32,
    pub tiocgsid: u32,
    pub tiocoutq: u32,
    pub fionread: u32,
    pub fionbio: u32,
    pub fioclex: u32,
    pub fionclex: u32,
    pub fioasync: u32,
    /// Size of the guest `struct termios` and its offsets.
    pub size: usize,
    pub iflag: F,
    pub oflag: F,
    pub cflag: F,
    pub lflag: F,
    pub line: F,
    pub cc_off: usize,
    pub ncc: usize,
    /// (guest index, host index) of the control characters.
    pub cc: &'static [(usize, usize)],
    /// (guest bit, host bit) of c_lflag (bits not listed are the same).
    pub lflag_bits: &'static [(u32, u32)],
}

/// A system-call ABI of Linux: everything that differs between architectures.
#[derive(Debug, Clone, Copy)]
pub struct LinuxAbi {
    pub name: &'static str,
    pub big_endian: bool,
    /// AT_PLATFORM.
    pub platform: &'static str,
    /// What `uname` reports as the machine.
    pub uname_machine: &'static str,
    /// AT_HWCAP.
    pub hwcap: u64,
    /// The top of the initial stack (it grows down from here).
    pub stack_top: u64,
    /// Bits of a guest virtual address (the size of the guest's reservation).
    pub addr_bits: u32,
    /// Bytes in a guest `long` / pointer.
    pub word: u8,
    /// Number of the first system call (the table below is `(number, name)`).
    pub syscalls: &'static [(u32, &'static str)],
    /// (host errno, guest errno) where they differ.
    pub errno: &'static [(i32, i32)],
    /// (host signal, guest signal) for the classic signals (1..31); real-time signals map
    /// by their distance from SIGRTMIN.
    pub signals: &'static [(i32, i32)],
    pub sigrtmin: i32,
    /// Number of guest signals (`_NSIG`), and the size of the kernel's sigset_t in bytes.
    pub nsig: i32,
    pub sigset_bytes: usize,
    /// (guest bit, host bit) of open(2) flags.
    pub open_flags: &'static [(u32, i32)],
    pub map_shared: u32,
    pub map_private: u32,
    pub map_fixed: u32,
    pub map_anonymous: u32,
    pub map_fixed_noreplace: u32,
    pub sa_siginfo: u32,
    pub sa_restart: u32,
    pub sa_nodefer: u32,
    pub sa_resethand: u32,
    pub sa_onstack: u32,
    pub sa_nocldstop: u32,
    pub sa_nocldwait: u32,
    pub sigaction: SigactionLayout,
    pub stack: StackLayout,
    pub ss_onstack: u32,
    pub ss_disable: u32,
    pub sig_block: u32,
    pub sig_unblock: u32,
    pub sig_setmask: u32,
    pub stat64: StatLayout,
    pub statfs64: StatfsLayout,
    pub flock: FlockLayout,
    pub flock64: FlockLayout,
    /// fcntl commands that differ: (guest, host).
    pub fcntl_cmds: &'static [(u32, i32)],
    pub f_getlk64: u32,
    pub f_setlk64: u32,
    pub f_setlkw64: u32,
    pub f_getlk: u32,
    pub f_setlk: u32,
    pub f_setlkw: u32,
    /// (guest resource, host resource) for getrlimit and friends.
    pub rlimits: &'static [(u32, i32)],
    pub termios: TermiosAbi,
    pub ipc: IpcLayout,
    /// Socket-level constants that differ: SOL_SOCKET and SOCK_* types (guest, host).
    pub sock_types: &'static [(u32, i32)],
    pub sol_socket: u32,
    pub so_opts: &'static [(u32, i32)],
    /// Extra poll bits that differ: (guest, host).
    pub poll_bits: &'static [(u32, i16)],
    /// Offsets of si_code and si_errno in siginfo (MIPS swaps them); the union follows at
    /// `3 * 4` on 32-bit ABIs.
    pub si_code_off: u16,
    pub si_errno_off: u16,
    /// RLIM_INFINITY of the 32-bit `struct rlimit` (0x7fffffff on MIPS o32).
    pub rlim32_infinity: u64,
}

impl LinuxAbi {
    /// Guest errno for host errno `e`.
    pub fn errno_to_guest(&self, e: i32) -> i32 {
        self.errno.iter().find(|&&(h, _)| h == e).map(|&(_, g)| g).unwrap_or(e)
    }

    /// Guest signal number for host signal `s` (None: the guest has no such signal).
    pub fn sig_to_guest(&self, s: i32) -> Option<i32> {
        if s <= 0 {
            return None;
        }
        if s >= libc::SIGRTMIN() && s <= libc::SIGRTMAX() {
            let g = self.sigrtmin + (s - libc::SIGRTMIN());
            return (g < self.nsig).then_some(g);
        }
        self.signals.iter().find(|&&(h, _)| h == s).map(|&(_, g)| g)
    }

    /// Host signal number for guest signal `s`.
    pub fn sig_to_host(&self, s: i32) -> Option<i32> {
        if s <= 0 || s > self.nsig {
            return None;
        }
        if s >= self.sigrtmin {
            let h = libc::SIGRTMIN() + (s - self.sigrtmin);
            return (h <= libc::SIGRTMAX()).then_some(h);
        }
        self.signals.iter().find(|&&(_, g)| g == s).map(|&(h, _)| h)
    }

    /// Translate guest open(2) flags to the host's.
    pub fn open_flags_to_host(&self, g: u32) -> i32 {
        let mut h = (g & 3) as i32; // O_ACCMODE is the same everywhere
        for &(gb, hb) in self.open_flags {
            if g & gb == gb && gb != 0 {
                h |= hb;
            }
        }
        h
    }

    /// Translate host open(2) flags (from F_GETFL) to the guest's.
    pub fn open_flags_to_guest(&self, h: i32) -> u32 {
        let mut g = (h & 3) as u32;
        for &(gb, hb) in self.open_flags {
            if h & hb == hb && hb != 0 {
                g |= gb;
            }
        }
        g
    }

    /// Name of system call `n`.
    pub fn syscall_name(&self, n: u32) -> Option<&'static str> {
        self.syscalls.binary_search_by_key(&n, |&(k, _)| k).ok().map(|i| self.syscalls[i].1)
    }
}

/// Translate bit flags through a (from, to) table; bits not in the table pass unchanged.
pub fn map_bits(v: u32, table: &[(u32, u32)]) -> u32 {
    let mut out = v;
    for &(from, _) in table {
        out &= !from;
    }
    for &(from, to) in table {
        if v & from != 0 {
            out |= to;
        }
    }
    out
}
