//! Sockets (the basics programs such as busybox use): socket/socketpair with the guest's
//! SOCK_* numbers, bind/connect/accept with socket addresses whose family field is converted
//! (the rest of sockaddr_un/in/in6 is byte strings or network order), send/recv, shutdown,
//! and SOL_SOCKET integer options.

use super::{cvt, fd, Process, Sys, SysResult};
use crate::user::mem::GuestMem;

const SOCK_TYPE_MASK: u32 = 0xf;

impl Process {
    pub(super) fn net_call(&mut self, sys: Sys, a: &[u64; 8], mem: &mut GuestMem) -> SysResult {
        use Sys::*;
        match sys {
            Socket => {
                let ty = self.sock_type(a[1] as u32)?;
                // SAFETY: plain integer arguments.
                cvt(unsafe { libc::socket(a[0] as i32, ty, a[2] as i32) })
            }
            Socketpair => {
                let ty = self.sock_type(a[1] as u32)?;
                let mut sv = [0i32; 2];
                // SAFETY: `sv` is a local array of two ints.
                cvt(unsafe { libc::socketpair(a[0] as i32, ty, a[2] as i32, sv.as_mut_ptr()) })?;
                self.w32(mem, a[3], sv[0] as u32 as u64)?;
                self.w32(mem, a[3] + 4, sv[1] as u32 as u64)?;
                Ok(0)
            }
            Bind | Connect => {
                let sa = self.sockaddr_in(mem, a[1], a[2])?;
                // SAFETY: `sa` holds `a[2]` bytes of a host-order sockaddr.
                cvt(unsafe {
                    if sys == Bind {
                        libc::bind(fd(a[0]), sa.as_ptr().cast(), sa.len() as u32)
                    } else {
                        libc::connect(fd(a[0]), sa.as_ptr().cast(), sa.len() as u32)
                    }
                })
            }
            Listen => {
                // SAFETY: plain integer arguments.
                cvt(unsafe { libc::listen(fd(a[0]), a[1] as i32) })
            }
            Accept | Accept4 => {
                let flags = if sys == Accept4 { self.abi.open_flags_to_host(a[3] as u32) } else { 0 };
                let mut buf = [0u8; 128];
                let mut len: u32 = 128;
                // SAFETY: `buf`/`len` are locals describing a 128-byte address buffer.
                let r = cvt(unsafe { libc::accept4(fd(a[0]), buf.as_mut_ptr().cast(), &mut len, flags) })?;
                if a[1] != 0 {
                    self.sockaddr_out(mem, a[1], a[2], &buf, len)?;
                }
                Ok(r)
            }
            Getsockname | Getpeername => {
                let mut buf = [0u8; 128];
                let mut len: u32 = 128;
                // SAFETY: `buf`/`len` are locals describing a 128-byte address buffer.
                cvt(unsafe {
                    if sys == Getsockname {
                        libc::getsockname(fd(a[0]), buf.as_mut_ptr().cast(), &mut len)
                    } else {
                        libc::getpeername(fd(a[0]), buf.as_mut_ptr().cast(), &mut len)
                    }
                })?;
                self.sockaddr_out(mem, a[1], a[2], &buf, len)?;
                Ok(0)
            }
            Send | Sendto => {
                let data = mem.read_bytes(a[1], a[2] as usize).map_err(|_| libc::EFAULT)?.to_vec();
                let sa = if sys == Sendto && a[4] != 0 { Some(self.sockaddr_in(mem, a[4], a[5])?) } else { None };
                // SAFETY: `data` and `sa` are locals of the given lengths.
                cvt(unsafe {
                    libc::sendto(
                        fd(a[0]),
                        data.as_ptr().cast(),
                        data.len(),
                        a[3] as i32,
                        sa.as_ref().map(|s| s.as_ptr().cast()).unwrap_or(std::ptr::null()),
                        sa.as_ref().map(|s| s.len() as u32).unwrap_or(0),
                    )
                })
            }
            Recv | Recvfrom => {
                let mut buf = [0u8; 128];
                let mut len: u32 = 128;
                let s = mem.write_slice(a[1], a[2] as usize).map_err(|_| libc::EFAULT)?;
                let want_addr = sys == Recvfrom && a[4] != 0;
                // SAFETY: `s` is a writable guest slice of `a[2]` bytes; the address buffer
                // is local.
                let r = cvt(unsafe {
                    libc::recvfrom(
                        fd(a[0]),
                        s.as_mut_ptr().cast(),
                        s.len(),
                        a[3] as i32,
                        if want_addr { buf.as_mut_ptr().cast() } else { std::ptr::null_mut() },
                        if want_addr { &mut len } else { std::ptr::null_mut() },
                    )
                })?;
                if want_addr {
                    self.sockaddr_out(mem, a[4], a[5], &buf, len)?;
                }
                Ok(r)
            }
            Shutdown => {
                // SAFETY: plain integer arguments.
                cvt(unsafe { libc::shutdown(fd(a[0]), a[1] as i32) })
            }
            Setsockopt | Getsockopt => {
                let (level, opt) = self.sockopt(a[1] as u32, a[2] as u32)?;
                if sys == Setsockopt {
                    let data = mem.read_bytes(a[3], a[4] as usize).map_err(|_| libc::EFAULT)?.to_vec();
                    let mut host = data.clone();
                    if data.len() == 4 && self.be {
                        host = u32::from_be_bytes([data[0], data[1], data[2], data[3]]).to_ne_bytes().to_vec();
                    }
                    // SAFETY: `host` is a local option buffer.
                    return cvt(unsafe {
                        libc::setsockopt(fd(a[0]), level, opt, host.as_ptr().cast(), host.len() as u32)
                    });
                }
                let glen = self.r32(mem, a[4])? as usize;
                let mut buf = vec![0u8; glen.max(4)];
                let mut len = glen as u32;
                // SAFETY: `buf` has room for `len` bytes.
                cvt(unsafe { libc::getsockopt(fd(a[0]), level, opt, buf.as_mut_ptr().cast(), &mut len) })?;
                if len == 4 && self.be {
                    let v = u32::from_ne_bytes([buf[0], buf[1], buf[2], buf[3]]);
                    buf[..4].copy_from_slice(&v.to_be_bytes());
                }
                mem.write_bytes(a[3], &buf[..len as usize]).map_err(|_| libc::EFAULT)?;
                self.w32(mem, a[4], len as u64)?;
                Ok(0)
            }
            _ => Err(libc::ENOSYS),
        }
    }

    fn sock_type(&self, g: u32) -> Result<i32, i32> {
        let base = g & SOCK_TYPE_MASK;
        let h = self.abi.sock_types.iter().find(|&&(x, _)| x == base).map(|&(_, h)| h).unwrap_or(base as i32);
        // SOCK_NONBLOCK and SOCK_CLOEXEC are the O_ flags of the ABI.
        Ok(h | self.abi.open_flags_to_host(g & !SOCK_TYPE_MASK))
    }

    fn sockopt(&self, level: u32, opt: u32) -> Result<(i32, i32), i32> {
        if level == self.abi.sol_socket {
            let h = self.abi.so_opts.iter().find(|&&(g, _)| g == opt).map(|&(_, h)| h).ok_or(libc::ENOPROTOOPT)?;
            return Ok((libc::SOL_SOCKET, h));
        }
        Ok((level as i32, opt as i32))
    }

    /// A guest sockaddr as host bytes (the family is a guest-order u16).
    fn sockaddr_in(&self, mem: &GuestMem, addr: u64, len: u64) -> Result<Vec<u8>, i32> {
        if len > 128 {
            return Err(libc::EINVAL);
        }
        let mut v = mem.read_bytes(addr, len as usize).map_err(|_| libc::EFAULT)?.to_vec();
        if v.len() >= 2 {
            let fam = if self.be { u16::from_be_bytes([v[0], v[1]]) } else { u16::from_le_bytes([v[0], v[1]]) };
            v[..2].copy_from_slice(&fam.to_ne_bytes());
        }
        Ok(v)
    }

    fn sockaddr_out(&self, mem: &mut GuestMem, addr: u64, lenp: u64, host: &[u8], len: u32) -> Result<(), i32> {
        let glen = self.r32(mem, lenp)? as usize;
        let mut v = host[..(len as usize).min(host.len())].to_vec();
        if v.len() >= 2 {
            let fam = u16::from_ne_bytes([v[0], v[1]]);
            v[..2].copy_from_slice(&if self.be { fam.to_be_bytes() } else { fam.to_le_bytes() });
        }
        let n = v.len().min(glen);
        mem.write_bytes(addr, &v[..n]).map_err(|_| libc::EFAULT)?;
        self.w32(mem, lenp, len as u64)
    }
}
