//! Signals of a user-mode guest: the guest's dispositions, mask, alternate stack and pending
//! synchronous signals ([`SigState`], in guest signal numbers), and the host side: one
//! async-signal-safe host handler that only records which host signals arrived (with the
//! sender's pid, uid, code and status), so the CPU loop can deliver them to the guest at the
//! next block boundary. Host dispositions and the host mask mirror the guest's, so a signal
//! the guest leaves at its default acts on the specemu process exactly as on the guest (and a
//! shell sees it), and ignored or blocked signals stay so across fork and exec.
//!
//! [`die_by_signal`] ends the process the way an unhandled guest fault would end the guest.

use super::abi::LinuxAbi;
use std::sync::atomic::{AtomicBool, AtomicI32, Ordering};

pub const SIG_DFL: u64 = 0;
pub const SIG_IGN: u64 = 1;

/// One guest `struct sigaction`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SigAction {
    pub handler: u64,
    pub flags: u32,
    /// Guest signal set: bit `s - 1` for guest signal `s`.
    pub mask: u128,
    pub restorer: u64,
}

/// What a signal is about, in the guest's numbers.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SigInfo {
    pub signo: i32,
    pub code: i32,
    pub errno: i32,
    /// Fault address (SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP).
    pub addr: u64,
    pub pid: i32,
    pub uid: u32,
    /// SIGCHLD: exit status or signal.
    pub status: i32,
}

/// si_code values (the same on every Linux ABI).
pub const SI_USER: i32 = 0;
pub const SI_KERNEL: i32 = 0x80;
pub const SEGV_MAPERR: i32 = 1;
pub const SEGV_ACCERR: i32 = 2;
pub const BUS_ADRALN: i32 = 1;
pub const ILL_ILLOPC: i32 = 1;
pub const FPE_INTOVF: i32 = 2;
pub const TRAP_BRKPT: i32 = 1;

/// The guest's signal state.
#[derive(Debug, Clone)]
pub struct SigState {
    /// Indexed by guest signal number (0 unused).
    pub actions: Vec<SigAction>,
    /// Blocked guest signals.
    pub mask: u128,
    /// The mask to restore after a handler run from rt_sigsuspend.
    pub saved_mask: Option<u128>,
    pub altstack_sp: u64,
    pub altstack_size: u64,
    pub altstack_disabled: bool,
    /// Synchronous signals raised by the guest's own execution, to deliver first.
    pub sync: Vec<SigInfo>,
}

impl SigState {
    pub fn new(nsig: i32) -> Self {
        SigState {
            actions: vec![SigAction::default(); nsig as usize + 1],
            mask: 0,
            saved_mask: None,
            altstack_sp: 0,
            altstack_size: 0,
            altstack_disabled: true,
            sync: Vec::new(),
        }
    }

    pub fn bit(sig: i32) -> u128 {
        if (1..=128).contains(&sig) {
            1u128 << (sig - 1)
        } else {
            0
        }
    }

    pub fn blocked(&self, sig: i32) -> bool {
        self.mask & Self::bit(sig) != 0
    }

    /// Whether `sp` lies on the alternate signal stack.
    pub fn on_altstack(&self, sp: u64) -> bool {
        !self.altstack_disabled && sp > self.altstack_sp && sp <= self.altstack_sp + self.altstack_size
    }

    /// Set the guest mask and mirror it to the host mask.
    pub fn set_mask(&mut self, abi: &LinuxAbi, mask: u128) {
        self.mask = mask & !(Self::bit(9) | Self::bit(abi.sig_to_guest(libc::SIGSTOP).unwrap_or(19)));
        set_host_mask(abi, self.mask);
    }
}

// ------------------------------------------------------------------ host side

const NHOST: usize = 65;
#[allow(clippy::declare_interior_mutable_const)]
const FALSE: AtomicBool = AtomicBool::new(false);
#[allow(clippy::declare_interior_mutable_const)]
const ZERO: AtomicI32 = AtomicI32::new(0);
static PENDING: [AtomicBool; NHOST] = [FALSE; NHOST];
static ANY_PENDING: AtomicBool = AtomicBool::new(false);
static INFO_PID: [AtomicI32; NHOST] = [ZERO; NHOST];
static INFO_UID: [AtomicI32; NHOST] = [ZERO; NHOST];
static INFO_CODE: [AtomicI32; NHOST] = [ZERO; NHOST];
static INFO_STATUS: [AtomicI32; NHOST] = [ZERO; NHOST];

extern "C" fn host_handler(sig: libc::c_int, info: *mut libc::siginfo_t, _ctx: *mut libc::c_void) {
    let s = sig as usize;
    if s < NHOST {
        if !info.is_null() {
            // SAFETY: the kernel passes a valid siginfo for SA_SIGINFO handlers; the accessors
            // read fields of the union that are valid for signals sent by kill or SIGCHLD
            // (and harmless garbage otherwise, used only as information for the guest).
            unsafe {
                INFO_CODE[s].store((*info).si_code, Ordering::Relaxed);
                INFO_PID[s].store((*info).si_pid(), Ordering::Relaxed);
                INFO_UID[s].store((*info).si_uid() as i32, Ordering::Relaxed);
                if sig == libc::SIGCHLD {
                    INFO_STATUS[s].store((*info).si_status(), Ordering::Relaxed);
                }
            }
        }
        PENDING[s].store(true, Ordering::Release);
        ANY_PENDING.store(true, Ordering::Release);
        // Compiled code chained into a loop must come back to deliver it.
        crate::jit::request_exit();
    }
}

/// Whether some host signal is waiting for delivery (a cheap test for every block).
#[inline]
pub fn any_pending() -> bool {
    ANY_PENDING.load(Ordering::Acquire)
}

/// Take one pending host signal whose guest number is not blocked, as guest information.
pub fn take_pending(abi: &LinuxAbi, st: &SigState) -> Option<SigInfo> {
    ANY_PENDING.store(false, Ordering::Release);
    let mut found = None;
    for s in 1..NHOST {
        if !PENDING[s].load(Ordering::Acquire) {
            continue;
        }
        let Some(g) = abi.sig_to_guest(s as i32) else {
            PENDING[s].store(false, Ordering::Release);
            continue;
        };
        if st.blocked(g) {
            ANY_PENDING.store(true, Ordering::Release);
            continue;
        }
        if found.is_some() {
            ANY_PENDING.store(true, Ordering::Release);
            continue;
        }
        PENDING[s].store(false, Ordering::Release);
        let mut status = INFO_STATUS[s].load(Ordering::Relaxed);
        let code = INFO_CODE[s].load(Ordering::Relaxed);
        if s as i32 == libc::SIGCHLD && code != libc::CLD_EXITED {
            status = abi.sig_to_guest(status).unwrap_or(status);
        }
        found = Some(SigInfo {
            signo: g,
            code,
            errno: 0,
            addr: 0,
            pid: INFO_PID[s].load(Ordering::Relaxed),
            uid: INFO_UID[s].load(Ordering::Relaxed) as u32,
            status,
        });
    }
    found
}

/// How the host should treat a signal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HostAction {
    Default,
    Ignore,
    Catch,
}

/// The guest's disposition of SIGSEGV and SIGBUS while the JIT's fault handler owns them
/// (0 default, 1 ignore, 2 catch).
static SEGV_ACTION: AtomicI32 = AtomicI32::new(0);
static BUS_ACTION: AtomicI32 = AtomicI32::new(0);

fn owned_action(sig: i32) -> Option<&'static AtomicI32> {
    match sig {
        libc::SIGSEGV => Some(&SEGV_ACTION),
        libc::SIGBUS => Some(&BUS_ACTION),
        _ => None,
    }
}

/// Let the JIT's handler own SIGSEGV and SIGBUS (compiled code accesses guest memory
/// directly; a host fault there is a slow-path access). Signals it does not claim are
/// handled here as the guest's disposition says.
pub fn install_fault_handler() {
    crate::jit::fault::install(fault_fallback);
}

/// A SIGSEGV/SIGBUS that is not an access of compiled code: sent by another process
/// (si_code <= 0), it follows the guest's disposition; a fault of the emulator itself gets
/// the default action (the fault repeats and ends the process, as without a handler).
extern "C" fn fault_fallback(sig: libc::c_int, info: *mut libc::siginfo_t, ctx: *mut libc::c_void) {
    // SAFETY: the kernel passes a valid siginfo to SA_SIGINFO handlers.
    let sent = info.is_null() || unsafe { (*info).si_code } <= 0;
    let act = owned_action(sig).map(|a| a.load(Ordering::Relaxed)).unwrap_or(0);
    match (sent, act) {
        (true, 2) => host_handler(sig, info, ctx),
        (true, 1) => {}
        _ => {
            // SAFETY: resetting to the default and re-raising are async-signal-safe; for a
            // signal sent to us this ends the process as it would end the guest.
            unsafe {
                libc::signal(sig, libc::SIG_DFL);
                if sent {
                    libc::raise(sig);
                }
            }
        }
    }
}

/// Set the host disposition of host signal `sig`.
pub fn set_host_action(sig: i32, act: HostAction) {
    if sig == libc::SIGKILL || sig == libc::SIGSTOP {
        return;
    }
    if let (Some(a), true) = (owned_action(sig), crate::jit::fault::installed()) {
        a.store(
            match act {
                HostAction::Default => 0,
                HostAction::Ignore => 1,
                HostAction::Catch => 2,
            },
            Ordering::Relaxed,
        );
        return;
    }
    // SAFETY: a zeroed sigaction is a valid value; the handler installed is async-signal-safe
    // (it only stores to atomics), and sigaction is called with valid pointers.
    unsafe {
        let mut sa: libc::sigaction = std::mem::zeroed();
        sa.sa_sigaction = match act {
            HostAction::Default => libc::SIG_DFL,
            HostAction::Ignore => libc::SIG_IGN,
            HostAction::Catch => host_handler as *const () as usize,
        };
        // No SA_RESTART: an interrupted host system call returns EINTR so that the guest's
        // handler runs now; the CPU loop restarts the guest's call when its SA_RESTART says so.
        sa.sa_flags = if act == HostAction::Catch { libc::SA_SIGINFO } else { 0 };
        libc::sigfillset(&mut sa.sa_mask);
        libc::sigaction(sig, &sa, std::ptr::null_mut());
    }
}

/// The host disposition of host signal `sig` when the process started (inherited ignores).
pub fn host_ignored(sig: i32) -> bool {
    // SAFETY: querying with a null new action and a valid out pointer.
    unsafe {
        let mut old: libc::sigaction = std::mem::zeroed();
        libc::sigaction(sig, std::ptr::null(), &mut old) == 0 && old.sa_sigaction == libc::SIG_IGN
    }
}

/// A host sigset holding the host equivalents of guest set `mask`.
pub fn host_sigset(abi: &LinuxAbi, mask: u128) -> libc::sigset_t {
    // SAFETY: sigemptyset/sigaddset initialise and modify a local sigset_t.
    unsafe {
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut set);
        for g in 1..=abi.nsig.min(128) {
            if mask & SigState::bit(g) != 0 {
                if let Some(h) = abi.sig_to_host(g) {
                    // A blocked synchronous fault would kill the process: the host never
                    // blocks these (delivery to the guest checks the guest's mask).
                    if !(crate::jit::fault::installed() && owned_action(h).is_some()) {
                        libc::sigaddset(&mut set, h);
                    }
                }
            }
        }
        set
    }
}

/// Make the host mask the host equivalent of guest mask `mask`.
pub fn set_host_mask(abi: &LinuxAbi, mask: u128) {
    let set = host_sigset(abi, mask);
    // SAFETY: valid pointer to a local sigset; single-threaded process.
    unsafe {
        libc::sigprocmask(libc::SIG_SETMASK, &set, std::ptr::null_mut());
    }
}

/// Block every host signal in the calling thread, so that signals meant for the guest reach
/// the guest's thread (helper threads, such as the gdb stub's, call this first).
pub fn block_host_signals_in_this_thread() {
    // SAFETY: a local sigset, filled and passed to pthread_sigmask for this thread only.
    unsafe {
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigfillset(&mut set);
        libc::pthread_sigmask(libc::SIG_BLOCK, &set, std::ptr::null_mut());
    }
}

/// The guest mask equivalent of the current host mask (a process started by exec inherits
/// its mask).
pub fn host_mask_as_guest(abi: &LinuxAbi) -> u128 {
    let mut mask = 0u128;
    // SAFETY: querying the current mask into a local sigset.
    unsafe {
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigprocmask(libc::SIG_SETMASK, std::ptr::null(), &mut set);
        for h in 1..NHOST as i32 {
            if libc::sigismember(&set, h) == 1 {
                if let Some(g) = abi.sig_to_guest(h) {
                    mask |= SigState::bit(g);
                }
            }
        }
    }
    mask
}

/// Wait for a signal with the guest mask `mask` in force (rt_sigsuspend, pause).
pub fn suspend(abi: &LinuxAbi, mask: u128) {
    let set = host_sigset(abi, mask);
    // SAFETY: valid pointer to a local sigset; returns after a handler ran.
    unsafe {
        libc::sigsuspend(&set);
    }
}

/// End the process as if killed by host signal `sig` (default action), so the parent (a
/// shell) sees the signal. Falls back to exit status 128 + sig if the signal does not kill.
pub fn die_by_signal(sig: i32) -> ! {
    use std::io::Write as _;
    let _ = std::io::stdout().flush();
    set_host_action(sig, HostAction::Default);
    // SAFETY: plain libc calls on local data; raising a default-action signal ends the process.
    unsafe {
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut set);
        libc::sigaddset(&mut set, sig);
        libc::sigprocmask(libc::SIG_UNBLOCK, &set, std::ptr::null_mut());
        // No core files from the emulator: they would show the host process, not the guest.
        let rl = libc::rlimit { rlim_cur: 0, rlim_max: 0 };
        libc::setrlimit(libc::RLIMIT_CORE, &rl);
        libc::raise(sig);
    }
    std::process::exit(128 + sig)
}
