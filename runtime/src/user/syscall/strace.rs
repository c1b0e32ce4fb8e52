//! The `-strace` log, in QEMU's format: `PID name(args) = result`, strings quoted,
//! pointers in hex, errors as `-1 errno=N (text)` with the guest's errno number. The call is
//! printed before it runs (so exit and execve show) and the result after.

use super::Sys;
use crate::user::mem::GuestMem;

/// How each argument prints: `s` string, `d` signed decimal, `u` unsigned, `x` hex, `o`
/// octal; the string's length is the number of arguments shown.
fn kinds(sys: Option<Sys>) -> &'static str {
    use Sys::*;
    let Some(sys) = sys else { return "xxx" };
    match sys {
        Exit | ExitGroup | Close | Dup | Fsync | Fdatasync | Fchdir | Umask | Alarm => "d",
        Read | Write | Getdents64 | Readv | Writev => "dxu",
        Pread64 | Pwrite64 => "dxuxx",
        Open => "sxo",
        Openat => "dsxo",
        Creat | Mkdir | Chmod | Access => "so",
        Mkdirat | Fchmodat | Faccessat => "dso",
        Unlink | Rmdir | Chdir | Chroot => "s",
        Unlinkat => "dsx",
        Rename | Link | Symlink => "ss",
        Renameat | Linkat => "dsds",
        Readlink => "sxu",
        Readlinkat => "dsxu",
        Stat64 | Lstat64 | Statfs64 | Statfs | Truncate | Truncate64 => "sx",
        Fstat64 | Fstatfs64 | Fstatfs => "dx",
        Fstatat64 => "dsxx",
        Statx => "dsxxx",
        Lseek => "ddd",
        Llseek => "dddxd",
        Dup2 | Dup3 => "ddx",
        Fcntl | Fcntl64 | Ioctl => "dxx",
        Execve => "sxx",
        Kill | Tkill => "dd",
        Tgkill => "ddd",
        Wait4 => "dxxx",
        Brk | Uname | Time | Pipe | SetThreadArea | SetTidAddress => "x",
        Mmap | Mmap2 => "xuxxdx",
        Munmap => "xu",
        Mprotect => "xux",
        RtSigaction => "dxx",
        RtSigprocmask => "dxx",
        Clone => "xx",
        Getpid | Getppid | Gettid | Getuid | Geteuid | Getgid | Getegid | Fork | Vfork | Setsid | Getpgrp | Sync
        | Pause | SchedYield => "",
        _ => "xxx",
    }
}

fn quote(mem: &GuestMem, addr: u64) -> String {
    if addr == 0 {
        return "NULL".into();
    }
    match mem.read_cstr(addr, 256) {
        Ok(b) => {
            let mut s = String::from("\"");
            for &c in &b {
                match c {
                    b'"' => s.push_str("\\\""),
                    b'\\' => s.push_str("\\\\"),
                    b'\n' => s.push_str("\\n"),
                    b'\t' => s.push_str("\\t"),
                    0x20..=0x7e => s.push(c as char),
                    _ => s.push_str(&format!("\\{c:03o}")),
                }
            }
            s.push('"');
            s
        }
        Err(_) => format!("{addr:#x}"),
    }
}

/// The `PID name(args)` part.
pub fn call_line(pid: u32, n: u32, name: Option<&str>, sys: Option<Sys>, a: &[u64; 8], mem: &GuestMem) -> String {
    let Some(name) = name else {
        return format!("{pid} Unknown syscall {n}");
    };
    let args: Vec<String> = kinds(sys)
        .chars()
        .enumerate()
        .map(|(i, k)| match k {
            's' => quote(mem, a[i]),
            'd' => format!("{}", a[i] as u32 as i32),
            'u' => format!("{}", a[i] as u32),
            'o' => format!("{:#o}", a[i] as u32),
            _ => format!("{:#x}", a[i]),
        })
        .collect();
    format!("{pid} {name}({})", args.join(","))
}

/// The ` = result` part, with the host errno `host_err` shown as the guest's `guest_err`.
pub fn result(r: Result<u64, i32>, guest_err: i32) -> String {
    match r {
        Ok(v) if v > 0xffff => format!(" = {v:#x}"),
        Ok(v) => format!(" = {v}"),
        Err(e) => {
            let text = std::io::Error::from_raw_os_error(e).to_string();
            let text = text.split(" (os error").next().unwrap_or(&text).to_string();
            format!(" = -1 errno={guest_err} ({text})")
        }
    }
}
