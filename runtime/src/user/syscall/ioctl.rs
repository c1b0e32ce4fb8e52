//! ioctl for terminals and descriptors: termios (TCGETS/TCSETS*, with the guest's control
//! character positions and c_lflag bits), window size, foreground process group, session,
//! FIONREAD/FIONBIO/FIOCLEX. Numbers come from the ABI table; unknown requests give ENOTTY.

use super::{cvt, fd, Process, SysResult};
use crate::user::abi::{map_bits, F};
use crate::user::mem::GuestMem;

impl Process {
    pub(super) fn ioctl(&mut self, a: &[u64; 8], mem: &mut GuestMem) -> SysResult {
        let t = self.abi.termios;
        let (f, req, arg) = (fd(a[0]), a[1] as u32, a[2]);
        let int_out = |p: &Self, mem: &mut GuestMem, hreq: libc::c_ulong| -> SysResult {
            let mut v: libc::c_int = 0;
            // SAFETY: these requests write one int to the local `v`.
            cvt(unsafe { libc::ioctl(f, hreq, &mut v) })?;
            p.w32(mem, arg, v as u32 as u64)?;
            Ok(0)
        };
        let int_in = |p: &Self, mem: &GuestMem, hreq: libc::c_ulong| -> SysResult {
            let v = p.r32(mem, arg)? as i32;
            // SAFETY: these requests read one int from the local `v`.
            cvt(unsafe { libc::ioctl(f, hreq, &v) })
        };
        let int_arg = |hreq: libc::c_ulong| -> SysResult {
            // SAFETY: these requests take an integer argument, not a pointer.
            cvt(unsafe { libc::ioctl(f, hreq, arg as u32 as libc::c_ulong) })
        };
        if req == t.tcgets {
            // SAFETY: TCGETS writes a struct termios into the local `tio`.
            let tio = unsafe {
                let mut tio: libc::termios = std::mem::zeroed();
                cvt(libc::ioctl(f, libc::TCGETS, &mut tio))?;
                tio
            };
            let mut s = self.new_struct(t.size);
            s.put(t.iflag, tio.c_iflag as u64);
            s.put(t.oflag, tio.c_oflag as u64);
            s.put(t.cflag, tio.c_cflag as u64);
            let back: Vec<(u32, u32)> = t.lflag_bits.iter().map(|&(g, h)| (h, g)).collect();
            s.put(t.lflag, map_bits(tio.c_lflag, &back) as u64);
            s.put(t.line, tio.c_line as u64);
            for &(g, h) in t.cc {
                if g < t.ncc && h < tio.c_cc.len() {
                    s.put(F((t.cc_off + g) as u16, 1), tio.c_cc[h] as u64);
                }
            }
            self.write_struct(mem, arg, &s)?;
            return Ok(0);
        }
        if req == t.tcsets || req == t.tcsetsw || req == t.tcsetsf {
            let s = self.read_struct(mem, arg, t.size)?;
            // SAFETY: TCGETS fills the local `tio`, which is then modified and passed back.
            unsafe {
                let mut tio: libc::termios = std::mem::zeroed();
                cvt(libc::ioctl(f, libc::TCGETS, &mut tio))?;
                tio.c_iflag = s.get(t.iflag) as u32;
                tio.c_oflag = s.get(t.oflag) as u32;
                tio.c_cflag = s.get(t.cflag) as u32;
                tio.c_lflag = map_bits(s.get(t.lflag) as u32, t.lflag_bits);
                tio.c_line = s.get(t.line) as u8;
                for &(g, h) in t.cc {
                    if g < t.ncc && h < tio.c_cc.len() {
                        tio.c_cc[h] = s.get(F((t.cc_off + g) as u16, 1)) as u8;
                    }
                }
                let hreq = if req == t.tcsets {
                    libc::TCSETS
                } else if req == t.tcsetsw {
                    libc::TCSETSW
                } else {
                    libc::TCSETSF
                };
                return cvt(libc::ioctl(f, hreq, &tio));
            }
        }
        if req == t.tiocgwinsz {
            // SAFETY: TIOCGWINSZ writes a struct winsize into the local `ws`.
            let ws = unsafe {
                let mut ws: libc::winsize = std::mem::zeroed();
                cvt(libc::ioctl(f, libc::TIOCGWINSZ, &mut ws))?;
                ws
            };
            let mut s = self.new_struct(8);
            s.put(F(0, 2), ws.ws_row as u64);
            s.put(F(2, 2), ws.ws_col as u64);
            s.put(F(4, 2), ws.ws_xpixel as u64);
            s.put(F(6, 2), ws.ws_ypixel as u64);
            self.write_struct(mem, arg, &s)?;
            return Ok(0);
        }
        if req == t.tiocswinsz {
            let s = self.read_struct(mem, arg, 8)?;
            let ws = libc::winsize {
                ws_row: s.get(F(0, 2)) as u16,
                ws_col: s.get(F(2, 2)) as u16,
                ws_xpixel: s.get(F(4, 2)) as u16,
                ws_ypixel: s.get(F(6, 2)) as u16,
            };
            // SAFETY: TIOCSWINSZ reads the local `ws`.
            return cvt(unsafe { libc::ioctl(f, libc::TIOCSWINSZ, &ws) });
        }
        match req {
            r if r == t.tiocgpgrp => int_out(self, mem, libc::TIOCGPGRP),
            r if r == t.tiocspgrp => int_in(self, mem, libc::TIOCSPGRP),
            r if r == t.tiocgsid => int_out(self, mem, libc::TIOCGSID),
            r if r == t.fionread => int_out(self, mem, libc::FIONREAD),
            r if r == t.tiocoutq => int_out(self, mem, libc::TIOCOUTQ),
            r if r == t.fionbio => int_in(self, mem, libc::FIONBIO),
            r if r == t.fioasync => int_in(self, mem, libc::FIOASYNC),
            r if r == t.fioclex => int_arg(libc::FIOCLEX),
            r if r == t.fionclex => int_arg(libc::FIONCLEX),
            r if r == t.tiocsctty => int_arg(libc::TIOCSCTTY),
            r if r == t.tiocnotty => int_arg(libc::TIOCNOTTY),
            r if r == t.tcflsh => int_arg(libc::TCFLSH),
            r if r == t.tcxonc => int_arg(libc::TCXONC),
            r if r == t.tcsbrk => int_arg(libc::TCSBRK),
            _ => {
                // Not a terminal request we know: if `f` is not even open, say so.
                // SAFETY: F_GETFD on an integer descriptor.
                if unsafe { libc::fcntl(f, libc::F_GETFD) } < 0 {
                    return Err(libc::EBADF);
                }
                Err(libc::ENOTTY)
            }
        }
    }
}
