//! MIPS UHI semihosting (`-semihosting`): `sdbbp 1` asks the host for a service, the
//! operation in $25 (t9), arguments in $4-$7, the result in $2 (v0) and errno in $3 (v1).
//! As in QEMU: exit, open (the names /dev/stdin, /dev/stdout and /dev/stderr give 0, 1, 2;
//! other names open host files), close, read, write, lseek, argc/argnlen/argn (the kernel
//! path and the -append words), plog (with one %d) and assert. Guest descriptors 0-2 are
//! the semihosting console, which without a console chardev is the host's stdin and, for
//! output, stderr (QEMU writes console output there too).
//!
//! Owns the guest-descriptor table and the host files; guest memory comes in through
//! [`GuestMem`]. Must not know the vCPU loop or the board.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{Read, Seek, SeekFrom, Write};

/// A guest address a UHI call could not access.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Unmapped;

/// Guest memory as a UHI call sees it (virtual addresses).
pub trait GuestMem {
    fn read(&mut self, vaddr: u32, buf: &mut [u8]) -> Result<(), Unmapped>;
    fn write(&mut self, vaddr: u32, data: &[u8]) -> Result<(), Unmapped>;
}

/// What a call did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Continue after the sdbbp with these v0 (and, when Some, v1) values.
    Return(u32, Option<u32>),
    /// UHI exit: the process ends with this status.
    Exit(i32),
    /// A call the guest cannot continue from (bad operation, assertion, bad pointer).
    Abort(String),
}

enum Fd {
    Console,
    Host(File),
}

/// Semihosting state of one machine.
pub struct Uhi {
    fds: BTreeMap<u32, Fd>,
    args: Vec<String>,
}

impl std::fmt::Debug for Uhi {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Uhi").field("fds", &self.fds.keys().collect::<Vec<_>>()).field("args", &self.args).finish()
    }
}

const EBADF: u32 = 9;
const EINVAL: u32 = 22;

fn errno_of(e: &std::io::Error) -> u32 {
    // UHI's errno numbers are Linux's for the common ones; anything else is EINVAL.
    match e.raw_os_error() {
        Some(n @ (1 | 2 | 4 | 9 | 13 | 16 | 17 | 20 | 21 | 22 | 23 | 24 | 27 | 28 | 29 | 30)) => n as u32,
        Some(36) => 91, // ENAMETOOLONG
        _ => EINVAL,
    }
}

fn read_cstr(mem: &mut dyn GuestMem, mut a: u32) -> Result<Vec<u8>, Unmapped> {
    let mut s = Vec::new();
    loop {
        let mut b = [0u8];
        mem.read(a, &mut b)?;
        if b[0] == 0 || s.len() > 4096 {
            return Ok(s);
        }
        s.push(b[0]);
        a = a.wrapping_add(1);
    }
}

impl Uhi {
    /// `args`: what UHI argc/argn report (QEMU: the kernel path, then the -append words).
    pub fn new(args: Vec<String>) -> Self {
        let mut fds = BTreeMap::new();
        for i in 0..3 {
            fds.insert(i, Fd::Console);
        }
        Uhi { fds, args }
    }

    fn result(r: std::io::Result<u64>) -> Outcome {
        match r {
            Ok(v) => Outcome::Return(v as u32, Some(0)),
            Err(e) => Outcome::Return(u32::MAX, Some(errno_of(&e))),
        }
    }

    /// Perform operation `op` with arguments `a` ($4-$7).
    pub fn call(&mut self, op: u32, a: [u32; 4], mem: &mut dyn GuestMem) -> Outcome {
        let fault = |op: u32| Outcome::Abort(format!("fault during UHI operation {op}"));
        match op {
            1 => Outcome::Exit(a[0] as i32),
            2 => {
                let Ok(name) = read_cstr(mem, a[0]) else { return fault(op) };
                match name.as_slice() {
                    b"/dev/stdin" => return Outcome::Return(0, None),
                    b"/dev/stdout" => return Outcome::Return(1, None),
                    b"/dev/stderr" => return Outcome::Return(2, None),
                    _ => {}
                }
                let path = String::from_utf8_lossy(&name).into_owned();
                let flags = a[1];
                let mut o = std::fs::OpenOptions::new();
                match flags & 3 {
                    0 => o.read(true),
                    1 => o.write(true),
                    _ => o.read(true).write(true),
                };
                o.append(flags & 0x8 != 0).truncate(flags & 0x400 != 0);
                if flags & 0x800 != 0 && flags & 0x200 != 0 {
                    o.create_new(true);
                } else if flags & 0x200 != 0 {
                    o.create(true);
                }
                {
                    use std::os::unix::fs::OpenOptionsExt;
                    o.mode(a[2] & 0o7777);
                }
                match o.open(&path) {
                    Ok(f) => {
                        let fd = (3..).find(|i| !self.fds.contains_key(i)).unwrap_or(3);
                        self.fds.insert(fd, Fd::Host(f));
                        Outcome::Return(fd, Some(0))
                    }
                    Err(e) => Outcome::Return(u32::MAX, Some(errno_of(&e))),
                }
            }
            3 => match self.fds.remove(&a[0]) {
                Some(_) => Outcome::Return(0, Some(0)),
                None => Outcome::Return(u32::MAX, Some(EBADF)),
            },
            4 => {
                let len = a[2].min(1 << 20) as usize;
                let mut buf = vec![0u8; len];
                let r = match self.fds.get_mut(&a[0]) {
                    Some(Fd::Console) => std::io::stdin().read(&mut buf),
                    Some(Fd::Host(f)) => f.read(&mut buf),
                    None => return Outcome::Return(u32::MAX, Some(EBADF)),
                };
                match r {
                    Ok(n) => {
                        if mem.write(a[1], &buf[..n]).is_err() {
                            return fault(op);
                        }
                        Outcome::Return(n as u32, Some(0))
                    }
                    Err(e) => Outcome::Return(u32::MAX, Some(errno_of(&e))),
                }
            }
            5 => {
                let len = a[2].min(1 << 20) as usize;
                let mut buf = vec![0u8; len];
                if mem.read(a[1], &mut buf).is_err() {
                    return fault(op);
                }
                let r = match self.fds.get_mut(&a[0]) {
                    Some(Fd::Console) => {
                        let mut e = std::io::stderr();
                        e.write_all(&buf).and_then(|_| e.flush()).map(|_| len as u64)
                    }
                    Some(Fd::Host(f)) => f.write(&buf).map(|n| n as u64),
                    None => return Outcome::Return(u32::MAX, Some(EBADF)),
                };
                Self::result(r)
            }
            6 => {
                let whence = match a[2] {
                    0 => SeekFrom::Start(a[1] as u64),
                    1 => SeekFrom::Current(a[1] as i32 as i64),
                    2 => SeekFrom::End(a[1] as i32 as i64),
                    _ => return Outcome::Return(u32::MAX, Some(EINVAL)),
                };
                match self.fds.get_mut(&a[0]) {
                    Some(Fd::Host(f)) => Self::result(f.seek(whence)),
                    Some(Fd::Console) => Outcome::Return(u32::MAX, Some(29)), // ESPIPE
                    None => Outcome::Return(u32::MAX, Some(EBADF)),
                }
            }
            7 => {
                let Ok(name) = read_cstr(mem, a[0]) else { return fault(op) };
                Self::result(std::fs::remove_file(String::from_utf8_lossy(&name).as_ref()).map(|_| 0))
            }
            9 => Outcome::Return(self.args.len() as u32, None),
            10 => Outcome::Return(self.args.get(a[0] as usize).map(|s| s.len() as u32).unwrap_or(u32::MAX), None),
            11 => match self.args.get(a[0] as usize) {
                Some(s) => {
                    let mut b = s.clone().into_bytes();
                    b.push(0);
                    if mem.write(a[1], &b).is_err() {
                        return fault(op);
                    }
                    Outcome::Return(0, None)
                }
                None => Outcome::Return(u32::MAX, None),
            },
            13 => {
                let Ok(s) = read_cstr(mem, a[0]) else { return fault(op) };
                let text = match s.windows(2).position(|w| w == b"%d") {
                    Some(i) => {
                        let mut t = s[..i].to_vec();
                        t.extend_from_slice((a[1] as i32).to_string().as_bytes());
                        t.extend_from_slice(&s[i + 2..]);
                        t
                    }
                    None => s,
                };
                let mut e = std::io::stderr();
                let _ = e.write_all(&text).and_then(|_| e.flush());
                Outcome::Return(text.len() as u32, Some(0))
            }
            14 => {
                let msg = read_cstr(mem, a[0]).unwrap_or_else(|_| b"<EFAULT>".to_vec());
                let file = read_cstr(mem, a[1]).unwrap_or_else(|_| b"<EFAULT>".to_vec());
                Outcome::Abort(format!(
                    "UHI assertion \"{}\": file \"{}\", line {}",
                    String::from_utf8_lossy(&msg),
                    String::from_utf8_lossy(&file),
                    a[2] as i32
                ))
            }
            _ => Outcome::Abort(format!("unknown UHI operation {op}")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Mem(Vec<u8>);
    impl GuestMem for Mem {
        fn read(&mut self, a: u32, buf: &mut [u8]) -> Result<(), Unmapped> {
            let a = a as usize;
            buf.copy_from_slice(self.0.get(a..a + buf.len()).ok_or(Unmapped)?);
            Ok(())
        }
        fn write(&mut self, a: u32, d: &[u8]) -> Result<(), Unmapped> {
            let a = a as usize;
            self.0.get_mut(a..a + d.len()).ok_or(Unmapped)?.copy_from_slice(d);
            Ok(())
        }
    }

    #[test]
    fn stdio_names_args_errors_and_exit() {
        let mut m = Mem(vec![0; 256]);
        m.0[..12].copy_from_slice(b"/dev/stdout\0");
        let mut u = Uhi::new(vec!["kernel.elf".into()]);
        assert_eq!(u.call(2, [0, 1, 0, 0], &mut m), Outcome::Return(1, None));
        assert_eq!(u.call(9, [0; 4], &mut m), Outcome::Return(1, None));
        assert_eq!(u.call(10, [0, 0, 0, 0], &mut m), Outcome::Return(10, None));
        assert_eq!(u.call(11, [0, 100, 0, 0], &mut m), Outcome::Return(0, None));
        assert_eq!(&m.0[100..111], b"kernel.elf\0");
        assert_eq!(u.call(3, [7, 0, 0, 0], &mut m), Outcome::Return(u32::MAX, Some(EBADF)));
        assert_eq!(u.call(5, [1, 300, 4, 0], &mut m), Outcome::Abort("fault during UHI operation 5".into()));
        assert_eq!(u.call(1, [3, 0, 0, 0], &mut m), Outcome::Exit(3));
        assert!(matches!(u.call(99, [0; 4], &mut m), Outcome::Abort(_)));
    }
}
