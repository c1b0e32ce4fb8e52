//! System V IPC on the host's objects: message queues, semaphore sets and shared memory
//! (segments are attached inside the guest reservation, so guest pointers into them work),
//! through the multiplexed `ipc` call or the separate calls. The `*id64_ds` structures are
//! converted field by field between the guest's layout (ABI table) and the host's.

use super::{cvt, Process, Sys, SysResult};
use crate::user::abi::{IpcLayout, StructBuf, F};
use crate::user::mem::{GuestMem, PAGE};

/// The host's (x86-64) `ipc64_perm` and `*id64_ds` layouts.
const HOST: IpcLayout = IpcLayout {
    perm_key: F(0, 4),
    perm_uid: F(4, 4),
    perm_gid: F(8, 4),
    perm_cuid: F(12, 4),
    perm_cgid: F(16, 4),
    perm_mode: F(20, 4),
    perm_seq: F(24, 2),
    msqid_size: 120,
    msg_stime: F(48, 8),
    msg_rtime: F(56, 8),
    msg_ctime: F(64, 8),
    msg_cbytes: F(72, 8),
    msg_qnum: F(80, 8),
    msg_qbytes: F(88, 8),
    msg_lspid: F(96, 4),
    msg_lrpid: F(100, 4),
    shmid_size: 112,
    shm_segsz: F(48, 8),
    shm_atime: F(56, 8),
    shm_dtime: F(64, 8),
    shm_ctime: F(72, 8),
    shm_cpid: F(80, 4),
    shm_lpid: F(84, 4),
    shm_nattch: F(88, 8),
    semid_size: 104,
    sem_otime: F(48, 8),
    sem_ctime: F(64, 8),
    sem_nsems: F(80, 8),
};

const IPC_RMID: i32 = 0;
const IPC_SET: i32 = 1;
const IPC_STAT: i32 = 2;
const IPC_INFO: i32 = 3;
const MSG_STAT: i32 = 11;
const SHM_STAT: i32 = 13;
const SEM_STAT: i32 = 18;
const GETALL: i32 = 13;
const SETVAL: i32 = 16;
const SETALL: i32 = 17;

#[derive(Clone, Copy)]
enum Kind {
    Msg,
    Shm,
    Sem,
}

fn fields(l: &IpcLayout, k: Kind) -> Vec<F> {
    let mut v = vec![l.perm_key, l.perm_uid, l.perm_gid, l.perm_cuid, l.perm_cgid, l.perm_mode, l.perm_seq];
    match k {
        Kind::Msg => v.extend([
            l.msg_stime,
            l.msg_rtime,
            l.msg_ctime,
            l.msg_cbytes,
            l.msg_qnum,
            l.msg_qbytes,
            l.msg_lspid,
            l.msg_lrpid,
        ]),
        Kind::Shm => {
            v.extend([l.shm_segsz, l.shm_atime, l.shm_dtime, l.shm_ctime, l.shm_cpid, l.shm_lpid, l.shm_nattch])
        }
        Kind::Sem => v.extend([l.sem_otime, l.sem_ctime, l.sem_nsems]),
    }
    v
}

fn size(l: &IpcLayout, k: Kind) -> usize {
    match k {
        Kind::Msg => l.msqid_size,
        Kind::Shm => l.shmid_size,
        Kind::Sem => l.semid_size,
    }
}

fn convert(from: &StructBuf, fl: &IpcLayout, to: &mut StructBuf, tl: &IpcLayout, k: Kind) {
    for (a, b) in fields(fl, k).into_iter().zip(fields(tl, k)) {
        to.put(b, from.get(a));
    }
}

impl Process {
    pub(super) fn ipc_call(&mut self, sys: Sys, a: &[u64; 8], mem: &mut GuestMem) -> SysResult {
        use Sys::*;
        match sys {
            Ipc => {
                let call = a[0] as u32 & 0xffff;
                let version = a[0] as u32 >> 16;
                let (first, second, third, ptr, fifth) = (a[1], a[2], a[3], a[4], a[5]);
                match call {
                    1 => self.semop(first as i32, ptr, second, None, mem),
                    4 => self.semop(first as i32, ptr, second, Some(fifth), mem),
                    2 => self.semget(first, second, third),
                    3 => {
                        if ptr == 0 {
                            return Err(libc::EINVAL);
                        }
                        let arg = self.r32(mem, ptr)?;
                        self.semctl(first as i32, second as i32, third as i32, arg, mem)
                    }
                    11 => self.msgsnd(first as i32, ptr, second, third as i32, mem),
                    12 => {
                        let (msgp, typ) = if version == 0 {
                            if ptr == 0 {
                                return Err(libc::EINVAL);
                            }
                            (self.r32(mem, ptr)?, self.r32(mem, ptr + 4)? as i32 as i64)
                        } else {
                            (ptr, fifth as i32 as i64)
                        };
                        self.msgrcv(first as i32, msgp, second, typ, third as i32, mem)
                    }
                    13 => self.msgget(first, second),
                    14 => self.ipcctl(Kind::Msg, first as i32, second as i32, ptr, mem),
                    21 => {
                        let addr = self.shmat(first as i32, ptr, second as i32, mem)?;
                        self.w32(mem, third, addr)?;
                        Ok(0)
                    }
                    22 => self.shmdt(ptr, mem),
                    23 => self.shmget(first, second, third),
                    24 => self.ipcctl(Kind::Shm, first as i32, second as i32, ptr, mem),
                    _ => Err(libc::ENOSYS),
                }
            }
            Msgget => self.msgget(a[0], a[1]),
            Msgsnd => self.msgsnd(a[0] as i32, a[1], a[2], a[3] as i32, mem),
            Msgrcv => self.msgrcv(a[0] as i32, a[1], a[2], a[3] as i32 as i64, a[4] as i32, mem),
            Msgctl => self.ipcctl(Kind::Msg, a[0] as i32, a[1] as i32, a[2], mem),
            Semget => self.semget(a[0], a[1], a[2]),
            Semop => self.semop(a[0] as i32, a[1], a[2], None, mem),
            Semtimedop => self.semop(a[0] as i32, a[1], a[2], Some(a[3]), mem),
            SemtimedopTime64 => self.semop(a[0] as i32, a[1], a[2], Some(a[3] | 1 << 63), mem),
            Semctl => self.semctl(a[0] as i32, a[1] as i32, a[2] as i32, a[3], mem),
            Shmget => self.shmget(a[0], a[1], a[2]),
            Shmat => self.shmat(a[0] as i32, a[1], a[2] as i32, mem),
            Shmdt => self.shmdt(a[0], mem),
            Shmctl => self.ipcctl(Kind::Shm, a[0] as i32, a[1] as i32, a[2], mem),
            _ => Err(libc::ENOSYS),
        }
    }

    fn msgget(&mut self, key: u64, flg: u64) -> SysResult {
        // SAFETY: plain integer arguments.
        cvt(unsafe { libc::msgget(key as i32, flg as i32) })
    }

    fn semget(&mut self, key: u64, n: u64, flg: u64) -> SysResult {
        // SAFETY: plain integer arguments.
        cvt(unsafe { libc::semget(key as i32, n as i32, flg as i32) })
    }

    fn shmget(&mut self, key: u64, size: u64, flg: u64) -> SysResult {
        // SAFETY: plain integer arguments.
        cvt(unsafe { libc::shmget(key as i32, size as usize, flg as i32) })
    }

    fn msgsnd(&mut self, id: i32, msgp: u64, sz: u64, flg: i32, mem: &mut GuestMem) -> SysResult {
        let w = self.abi.word as u64;
        let typ = self.rword(mem, msgp)? as u32 as i32 as i64;
        let text = mem.read_bytes(msgp + w, sz as usize).map_err(|_| libc::EFAULT)?;
        let mut buf = Vec::with_capacity(8 + text.len());
        buf.extend_from_slice(&typ.to_ne_bytes());
        buf.extend_from_slice(text);
        // SAFETY: `buf` holds a host struct msgbuf (long mtype, then `sz` bytes of text).
        cvt(unsafe { libc::msgsnd(id, buf.as_ptr().cast(), sz as usize, flg) })
    }

    fn msgrcv(&mut self, id: i32, msgp: u64, sz: u64, typ: i64, flg: i32, mem: &mut GuestMem) -> SysResult {
        let w = self.abi.word as u64;
        let sz = sz.min(1 << 24) as usize;
        let mut buf = vec![0u8; 8 + sz];
        // SAFETY: `buf` has room for a host msgbuf with `sz` bytes of text.
        let n = cvt(unsafe { libc::msgrcv(id, buf.as_mut_ptr().cast(), sz, typ, flg) })? as usize;
        let t = i64::from_ne_bytes(buf[..8].try_into().unwrap_or([0; 8]));
        mem.store(msgp, t as u64, w as u8, self.be).map_err(|_| libc::EFAULT)?;
        mem.write_bytes(msgp + w, &buf[8..8 + n]).map_err(|_| libc::EFAULT)?;
        Ok(n as u64)
    }

    fn semop(&mut self, id: i32, sops: u64, n: u64, timeout: Option<u64>, mem: &mut GuestMem) -> SysResult {
        if n > 4096 {
            return Err(libc::E2BIG);
        }
        let mut v = Vec::with_capacity(n as usize);
        for i in 0..n {
            let s = self.read_struct(mem, sops + 6 * i, 6)?;
            v.push(libc::sembuf {
                sem_num: s.get(F(0, 2)) as u16,
                sem_op: s.get(F(2, 2)) as i16,
                sem_flg: s.get(F(4, 2)) as i16,
            });
        }
        let ts = match timeout {
            Some(t) if t & !(1 << 63) != 0 => {
                let (s, ns) = self.read_timespec(mem, t & !(1 << 63), t >> 63 != 0)?;
                Some(libc::timespec { tv_sec: s, tv_nsec: ns })
            }
            _ => None,
        };
        // SAFETY: `v` holds `n` sembufs; the timeout is null or a local.
        cvt(unsafe {
            libc::syscall(
                libc::SYS_semtimedop,
                id,
                v.as_mut_ptr(),
                v.len(),
                ts.as_ref().map(|t| t as *const libc::timespec).unwrap_or(std::ptr::null()),
            )
        })
    }

    fn semctl(&mut self, id: i32, num: i32, cmd: i32, arg: u64, mem: &mut GuestMem) -> SysResult {
        let c = cmd & !0x100; // IPC_64
        match c {
            IPC_STAT | SEM_STAT | IPC_SET => self.ipcctl(Kind::Sem, id, cmd, arg, mem),
            GETALL | SETALL => {
                // The set's size, from IPC_STAT.
                let mut st = StructBuf::new(HOST.semid_size, false);
                // SAFETY: `st` is a host semid64_ds-sized buffer.
                cvt(unsafe { libc::syscall(libc::SYS_semctl, id, 0, IPC_STAT, st.data.as_mut_ptr()) })?;
                let n = st.get(HOST.sem_nsems) as usize;
                let mut vals = vec![0u16; n];
                if c == SETALL {
                    for (i, v) in vals.iter_mut().enumerate() {
                        *v = mem.load(arg + 2 * i as u64, 2, self.be).map_err(|_| libc::EFAULT)? as u16;
                    }
                }
                // SAFETY: `vals` holds one u16 per semaphore of the set.
                cvt(unsafe { libc::syscall(libc::SYS_semctl, id, 0, c, vals.as_mut_ptr()) })?;
                if c == GETALL {
                    for (i, v) in vals.iter().enumerate() {
                        mem.store(arg + 2 * i as u64, *v as u64, 2, self.be).map_err(|_| libc::EFAULT)?;
                    }
                }
                Ok(0)
            }
            SETVAL => {
                // SAFETY: SETVAL takes an int in the union.
                cvt(unsafe { libc::syscall(libc::SYS_semctl, id, num, c, arg as u32 as i32 as libc::c_long) })
            }
            IPC_INFO | 19 => Err(libc::EINVAL),
            _ => {
                // IPC_RMID, GETVAL, GETPID, GETNCNT, GETZCNT: no argument.
                // SAFETY: plain integer arguments.
                cvt(unsafe { libc::syscall(libc::SYS_semctl, id, num, c, 0usize) })
            }
        }
    }

    /// msgctl/shmctl/semctl with IPC_STAT, IPC_SET, *_STAT, IPC_RMID and the rest.
    fn ipcctl(&mut self, k: Kind, id: i32, cmd: i32, buf: u64, mem: &mut GuestMem) -> SysResult {
        let c = cmd & !0x100;
        let gl = self.abi.ipc;
        let nr = match k {
            Kind::Msg => libc::SYS_msgctl,
            Kind::Shm => libc::SYS_shmctl,
            Kind::Sem => libc::SYS_semctl,
        };
        let call = |hbuf: *mut u8| -> SysResult {
            // SAFETY: `hbuf` is null or a host-layout buffer of the right size for `k`.
            cvt(unsafe {
                match k {
                    Kind::Sem => libc::syscall(nr, id, 0, c, hbuf),
                    _ => libc::syscall(nr, id, c, hbuf),
                }
            })
        };
        match c {
            IPC_STAT | MSG_STAT | SHM_STAT | SEM_STAT
                if c == IPC_STAT
                    || matches!((k, c), (Kind::Msg, MSG_STAT) | (Kind::Shm, SHM_STAT) | (Kind::Sem, SEM_STAT)) =>
            {
                let mut h = StructBuf::new(size(&HOST, k), false);
                let r = call(h.data.as_mut_ptr())?;
                let mut g = self.new_struct(size(&gl, k));
                convert(&h, &HOST, &mut g, &gl, k);
                self.write_struct(mem, buf, &g)?;
                Ok(r)
            }
            IPC_SET => {
                let g = self.read_struct(mem, buf, size(&gl, k))?;
                let mut h = StructBuf::new(size(&HOST, k), false);
                convert(&g, &gl, &mut h, &HOST, k);
                call(h.data.as_mut_ptr())
            }
            IPC_RMID => call(std::ptr::null_mut()),
            11 | 12 if matches!(k, Kind::Shm) => call(std::ptr::null_mut()),
            _ => Err(libc::EINVAL),
        }
    }

    fn shmat(&mut self, id: i32, addr: u64, flg: i32, mem: &mut GuestMem) -> SysResult {
        const SHM_RDONLY: i32 = 0o10000;
        const SHM_RND: i32 = 0o20000;
        let mut h = StructBuf::new(HOST.shmid_size, false);
        // SAFETY: `h` is a host shmid64_ds-sized buffer.
        cvt(unsafe { libc::syscall(libc::SYS_shmctl, id, IPC_STAT, h.data.as_mut_ptr()) })?;
        let len = h.get(HOST.shm_segsz).next_multiple_of(PAGE);
        let at = if addr == 0 {
            mem.find_free_down(self.mmap_floor, self.mmap_top, len).ok_or(libc::ENOMEM)?
        } else if flg & SHM_RND != 0 {
            addr & !(PAGE - 1)
        } else if !addr.is_multiple_of(PAGE) {
            return Err(libc::EINVAL);
        } else {
            addr
        };
        mem.attach_shm(at, len, id, flg & SHM_RDONLY != 0).map_err(|e| e.raw_os_error().unwrap_or(libc::EINVAL))?;
        Ok(at)
    }

    fn shmdt(&mut self, addr: u64, mem: &mut GuestMem) -> SysResult {
        mem.detach_shm(addr).map(|_| 0).ok_or(libc::EINVAL)
    }
}
