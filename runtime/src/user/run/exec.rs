//! Guest `execve`, as qemu-user does it: a program of an architecture specemu runs in user
//! mode (an ELF file, or a `#!` script whose interpreter is one) runs next in this process;
//! anything else (a host program, a script for a host interpreter) goes to the host kernel's
//! `execve`, which replaces specemu.
//!
//! Before a guest program runs in place of the old one, what the kernel's exec drops goes
//! here too: files opened close-on-exec (except the runtime's own, see [`keep_across_exec`])
//! and the guest's signal handlers (ignored signals and the mask stay).
//!
//! Owns that decision and those steps; it must not know an architecture.

use crate::user::abi::LinuxAbi;
use crate::user::signal::{self as hs, SigState, SIG_IGN};
use std::collections::BTreeSet;
use std::ffi::CString;
use std::path::Path;
use std::sync::Mutex;

/// Host files of the runtime itself (a debugger's connection, a log) that a guest exec must
/// not close although they are close-on-exec.
static KEEP: Mutex<BTreeSet<i32>> = Mutex::new(BTreeSet::new());

/// Keep host file `fd` open when the guest execs another guest program.
pub fn keep_across_exec(fd: i32) {
    KEEP.lock().unwrap_or_else(|e| e.into_inner()).insert(fd);
}

/// Forget a file [`keep_across_exec`] kept (it was closed).
pub fn forget_kept(fd: i32) {
    KEEP.lock().unwrap_or_else(|e| e.into_inner()).remove(&fd);
}

/// The `#!` line of `path`, if it has one: (interpreter, optional argument).
pub fn shebang(path: &Path) -> std::io::Result<Option<(String, Option<String>)>> {
    use std::io::Read as _;
    let mut f = std::fs::File::open(path)?;
    let mut b = vec![0u8; 256];
    let n = f.read(&mut b).unwrap_or(0);
    b.truncate(n);
    if !b.starts_with(b"#!") {
        return Ok(None);
    }
    let line = b[2..].split(|&c| c == b'\n').next().unwrap_or(&[]);
    let line = String::from_utf8_lossy(line).trim().to_string();
    let mut parts = line.splitn(2, [' ', '\t']);
    let interp = parts.next().unwrap_or("").to_string();
    let opt = parts.next().map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
    Ok(Some((interp, opt)))
}

/// An absolute interpreter path as the guest sees it: under the sysroot when it exists there.
pub fn in_sysroot(interp: &str, sysroot: Option<&Path>) -> String {
    match sysroot {
        Some(root) if interp.starts_with('/') && root.join(&interp[1..]).exists() => {
            root.join(&interp[1..]).display().to_string()
        }
        _ => interp.to_string(),
    }
}

/// Whether `path` is an ELF file of an architecture that runs in user mode here.
fn is_guest_elf(path: &Path) -> bool {
    use std::io::Read as _;
    let mut head = [0u8; 64];
    let Ok(n) = std::fs::File::open(path).and_then(|mut f| f.read(&mut head)) else { return false };
    match crate::user::elf::kind(&head[..n], "") {
        Ok(k) => crate::arch::for_elf(k).is_some_and(|a| a.linux_user.is_some()),
        Err(_) => false,
    }
}

/// Who runs the program a guest `execve` names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Runner {
    /// specemu, in this process.
    Guest,
    /// The host kernel.
    Host,
}

/// Decide who runs `path` (checked to exist and be executable: errors are host errnos).
pub fn runner(path: &Path, sysroot: Option<&Path>) -> Result<Runner, i32> {
    let c = CString::new(path.as_os_str().as_encoded_bytes()).map_err(|_| libc::ENOENT)?;
    // SAFETY: `c` is a valid C string.
    if unsafe { libc::access(c.as_ptr(), libc::X_OK) } != 0 {
        return Err(std::io::Error::last_os_error().raw_os_error().unwrap_or(libc::EACCES));
    }
    let md = std::fs::metadata(path).map_err(|e| e.raw_os_error().unwrap_or(libc::ENOENT))?;
    if !md.is_file() {
        return Err(libc::EACCES);
    }
    let mut p = path.to_path_buf();
    for _ in 0..4 {
        if is_guest_elf(&p) {
            return Ok(Runner::Guest);
        }
        match shebang(&p) {
            Ok(Some((interp, _))) if !interp.is_empty() => p = in_sysroot(&interp, sysroot).into(),
            _ => return Ok(Runner::Host),
        }
    }
    Ok(Runner::Host)
}

/// Replace this process with the host program `path` (the host kernel's `execve`). Returns
/// only on failure, with the errno. The host signal mask becomes the guest's; dispositions
/// already mirror the guest's.
pub fn host_execve(path: &Path, argv: &[CString], envp: &[CString], abi: &LinuxAbi, mask: u128) -> i32 {
    let Ok(p) = CString::new(path.as_os_str().as_encoded_bytes()) else { return libc::ENOENT };
    let mut aptr: Vec<*const libc::c_char> = argv.iter().map(|s| s.as_ptr()).collect();
    aptr.push(std::ptr::null());
    let mut eptr: Vec<*const libc::c_char> = envp.iter().map(|s| s.as_ptr()).collect();
    eptr.push(std::ptr::null());
    use std::io::Write as _;
    let _ = std::io::stdout().flush();
    let _ = std::io::stderr().flush();
    hs::set_host_mask(abi, mask);
    // SAFETY: NULL-terminated arrays of pointers to C strings that live until the call
    // returns (it only returns on failure).
    unsafe {
        libc::execve(p.as_ptr(), aptr.as_ptr(), eptr.as_ptr());
    }
    std::io::Error::last_os_error().raw_os_error().unwrap_or(libc::ENOEXEC)
}

/// What the kernel's exec does to the process before the new program runs: close the files
/// opened close-on-exec, and reset handled signals to their default action.
pub fn before_guest_exec(abi: &LinuxAbi, sig: &SigState) {
    for g in 1..=abi.nsig {
        let act = sig.actions.get(g as usize).copied().unwrap_or_default();
        if act.handler > SIG_IGN {
            if let Some(h) = abi.sig_to_host(g) {
                hs::set_host_action(h, hs::HostAction::Default);
            }
        }
    }
    close_on_exec_files();
}

fn close_on_exec_files() {
    let keep = KEEP.lock().unwrap_or_else(|e| e.into_inner()).clone();
    let fds: Vec<i32> = match std::fs::read_dir("/proc/self/fd") {
        Ok(rd) => rd.filter_map(|e| e.ok()?.file_name().to_str()?.parse().ok()).collect(),
        Err(_) => return,
    };
    for fd in fds {
        if fd <= 2 || keep.contains(&fd) {
            continue;
        }
        // SAFETY: F_GETFD on a descriptor number (EBADF for the directory's own, now closed).
        let flags = unsafe { libc::fcntl(fd, libc::F_GETFD) };
        if flags >= 0 && flags & libc::FD_CLOEXEC != 0 {
            // SAFETY: closing a close-on-exec descriptor the guest opened; the runtime's own
            // descriptors are in KEEP.
            unsafe { libc::close(fd) };
        }
    }
}
