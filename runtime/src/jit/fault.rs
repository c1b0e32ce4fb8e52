//! Host faults in compiled code. In user mode compiled code accesses guest memory directly
//! (guest base plus address), and the host protection of guest pages mirrors what may be
//! done without the runtime (`user::mem`); an access that needs the runtime (a guest fault,
//! a write to a page holding translated code) faults on the host. The SIGSEGV/SIGBUS handler
//! here finds the faulting instruction among the access sites the emitter recorded and moves
//! the thread to that access's slow path, which does the access through the runtime; nothing
//! has changed yet when the fault is taken, so the slow path starts from the same state.
//!
//! A fault anywhere else goes to the fallback the embedder installed (user mode: the guest's
//! disposition of the signal, or the default action for a fault of the emulator itself).
//!
//! Owns the handler and the table of access sites; must not decide anything about guests.

use std::sync::atomic::{AtomicBool, AtomicPtr, AtomicUsize, Ordering};

/// The access sites of one compiled block: (offset of the faulting instruction, offset of
/// its slow path), sorted by the first.
struct Sites {
    start: usize,
    sites: Box<[(u32, u32)]>,
}

/// The access sites of every block in a code buffer, sorted by block address (blocks are
/// allocated upwards until the buffer is flushed).
#[derive(Default)]
pub struct FaultMap {
    blocks: Vec<Sites>,
}

/// The map the handler reads, and the code buffer it covers. Only written while compiled
/// code is not running (the handler runs on the thread that runs compiled code).
static MAP: AtomicPtr<FaultMap> = AtomicPtr::new(std::ptr::null_mut());
static CODE_LO: AtomicUsize = AtomicUsize::new(0);
static CODE_HI: AtomicUsize = AtomicUsize::new(0);
static INSTALLED: AtomicBool = AtomicBool::new(false);

/// What to do with a fault that is not an access site of compiled code.
pub type Fallback = extern "C" fn(libc::c_int, *mut libc::siginfo_t, *mut libc::c_void);
static FALLBACK: AtomicUsize = AtomicUsize::new(0);

impl FaultMap {
    /// Record block `start`'s sites (appended: blocks come in address order).
    pub fn add(&mut self, start: usize, sites: Vec<(u32, u32)>) {
        if !sites.is_empty() {
            self.blocks.push(Sites { start, sites: sites.into_boxed_slice() });
        }
    }

    pub fn clear(&mut self) {
        self.blocks.clear();
    }

    /// Where the fault at host address `pc` continues, if it is an access site.
    fn redirect(&self, pc: usize) -> Option<usize> {
        let i = self.blocks.partition_point(|b| b.start <= pc).checked_sub(1)?;
        let b = &self.blocks[i];
        let off = u32::try_from(pc - b.start).ok()?;
        let j = b.sites.binary_search_by_key(&off, |s| s.0).ok()?;
        Some(b.start + b.sites[j].1 as usize)
    }
}

/// Make `map` (covering the code buffer `[lo, hi)`) the one the handler consults. The
/// pointer must stay valid until `unregister`.
pub fn register(map: *mut FaultMap, lo: usize, hi: usize) {
    CODE_LO.store(lo, Ordering::Relaxed);
    CODE_HI.store(hi, Ordering::Relaxed);
    MAP.store(map, Ordering::Release);
}

/// Forget `map` if it is the registered one.
pub fn unregister(map: *mut FaultMap) {
    if MAP.compare_exchange(map, std::ptr::null_mut(), Ordering::AcqRel, Ordering::Relaxed).is_ok() {
        CODE_HI.store(0, Ordering::Relaxed);
    }
}

/// Install the handler for SIGSEGV and SIGBUS (once per process), with `fallback` for
/// faults that are not access sites.
pub fn install(fallback: Fallback) {
    FALLBACK.store(fallback as usize, Ordering::Release);
    if INSTALLED.swap(true, Ordering::AcqRel) {
        return;
    }
    for sig in [libc::SIGSEGV, libc::SIGBUS] {
        // SAFETY: a zeroed sigaction is valid; the handler is async-signal-safe (atomic
        // loads, reads of the fault map, which is not mutated while compiled code runs).
        unsafe {
            let mut sa: libc::sigaction = std::mem::zeroed();
            sa.sa_sigaction = handler as *const () as usize;
            sa.sa_flags = libc::SA_SIGINFO | libc::SA_NODEFER;
            libc::sigemptyset(&mut sa.sa_mask);
            libc::sigaction(sig, &sa, std::ptr::null_mut());
        }
    }
}

/// Whether the handler is installed (then the embedder must not replace it).
pub fn installed() -> bool {
    INSTALLED.load(Ordering::Acquire)
}

extern "C" fn handler(sig: libc::c_int, info: *mut libc::siginfo_t, ctx: *mut libc::c_void) {
    if !ctx.is_null() {
        // SAFETY: for an SA_SIGINFO handler the kernel passes a valid ucontext_t.
        let uc = unsafe { &mut *(ctx as *mut libc::ucontext_t) };
        let pc = uc.uc_mcontext.gregs[libc::REG_RIP as usize] as usize;
        let (lo, hi) = (CODE_LO.load(Ordering::Relaxed), CODE_HI.load(Ordering::Relaxed));
        let map = MAP.load(Ordering::Acquire);
        if pc >= lo && pc < hi && !map.is_null() {
            // SAFETY: the registered map is alive (unregistered before it is dropped) and not
            // being changed: the fault is in compiled code, which does not run while the
            // runtime compiles.
            if let Some(to) = unsafe { &*map }.redirect(pc) {
                uc.uc_mcontext.gregs[libc::REG_RIP as usize] = to as i64;
                return;
            }
        }
    }
    let f = FALLBACK.load(Ordering::Acquire);
    if f != 0 {
        // SAFETY: FALLBACK only ever holds a `Fallback` stored by `install`.
        let f: Fallback = unsafe { std::mem::transmute(f) };
        f(sig, info, ctx);
    } else {
        // Nobody to ask: the default action (the fault repeats and ends the process).
        // SAFETY: resetting a disposition to the default is async-signal-safe.
        unsafe { libc::signal(sig, libc::SIG_DFL) };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redirect_finds_exact_sites_only() {
        let mut m = FaultMap::default();
        m.add(0x1000, vec![(0x10, 0x80), (0x20, 0x90)]);
        m.add(0x2000, vec![(0x4, 0x40)]);
        assert_eq!(m.redirect(0x1010), Some(0x1080));
        assert_eq!(m.redirect(0x1020), Some(0x1090));
        assert_eq!(m.redirect(0x2004), Some(0x2040));
        assert_eq!(m.redirect(0x1011), None, "not the start of an access");
        assert_eq!(m.redirect(0x0fff), None, "before every block");
        m.clear();
        assert_eq!(m.redirect(0x1010), None);
    }
}
