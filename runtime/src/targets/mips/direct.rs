//! Helpers that compiled code calls directly, without the generic dispatch (`Env::call_helper`
//! and the spec's helper-number match): the floating-point helpers, which depend only on the
//! CPU state (FCSR, Status.FR, the FPRs) and behave the same in user and system mode. Each
//! entry runs the `UserHelpers` implementation itself, so there is one implementation of
//! every helper; an exception it raises is handed to the JIT's raise protocol.
//!
//! Owns the table of entries by helper number; must not implement FPU semantics (`fpu/`).

use super::helpers::UserHelpers;
use super::mips::{CpuState, Helpers, HELPERS};
use crate::jit::ctx::{raise_from_helper, JitCtx};
use std::sync::OnceLock;

/// A helper's result as the 64 bits compiled code receives.
trait Bits {
    fn bits(self) -> u64;
}
impl Bits for () {
    fn bits(self) -> u64 {
        0
    }
}
impl Bits for u8 {
    fn bits(self) -> u64 {
        self as u64
    }
}
impl Bits for u32 {
    fn bits(self) -> u64 {
        self as u64
    }
}
impl Bits for u64 {
    fn bits(self) -> u64 {
        self
    }
}

macro_rules! direct {
    ($($name:ident($($a:ident: $t:ty),*);)*) => {
        $(
            /// # Safety
            /// Called by compiled code with its live context and CPU state.
            unsafe extern "sysv64" fn $name(ctx: *mut JitCtx, cpu: *mut u8, $($a: u64),*) -> u64 {
                // SAFETY: compiled code passes the CPU state it runs on (a live `CpuState`).
                let cpu = unsafe { &mut *(cpu as *mut CpuState) };
                let mut h = UserHelpers::default();
                let r = Helpers::$name(&mut h, cpu, $($a as $t),*).bits();
                if let Some((code, arg)) = h.pending {
                    // SAFETY: `ctx` is the caller's live context.
                    unsafe { raise_from_helper(ctx, code, arg) };
                }
                r
            }
        )*

        fn table() -> Vec<Option<usize>> {
            HELPERS
                .iter()
                .map(|(n, _)| match *n {
                    $(stringify!($name) => Some($name as *const () as usize),)*
                    _ => None,
                })
                .collect()
        }
    };
}

direct! {
    fadd_s(a: u32, b: u32);
    fadd_d(a: u64, b: u64);
    fadd_ps(a: u64, b: u64);
    fsub_s(a: u32, b: u32);
    fsub_d(a: u64, b: u64);
    fsub_ps(a: u64, b: u64);
    fmul_s(a: u32, b: u32);
    fmul_d(a: u64, b: u64);
    fmul_ps(a: u64, b: u64);
    fdiv_s(a: u32, b: u32);
    fdiv_d(a: u64, b: u64);
    fsqrt_s(a: u32);
    fsqrt_d(a: u64);
    frecip_s(a: u32);
    frecip_d(a: u64);
    frsqrt_s(a: u32);
    frsqrt_d(a: u64);
    fabs_s(a: u32);
    fabs_d(a: u64);
    fabs_ps(a: u64);
    fneg_s(a: u32);
    fneg_d(a: u64);
    fneg_ps(a: u64);
    fmadd_s(a: u32, b: u32, c: u32);
    fmadd_d(a: u64, b: u64, c: u64);
    fmadd_ps(a: u64, b: u64, c: u64);
    fmsub_s(a: u32, b: u32, c: u32);
    fmsub_d(a: u64, b: u64, c: u64);
    fmsub_ps(a: u64, b: u64, c: u64);
    fnmadd_s(a: u32, b: u32, c: u32);
    fnmadd_d(a: u64, b: u64, c: u64);
    fnmadd_ps(a: u64, b: u64, c: u64);
    fnmsub_s(a: u32, b: u32, c: u32);
    fnmsub_d(a: u64, b: u64, c: u64);
    fnmsub_ps(a: u64, b: u64, c: u64);
    fcmp_s(a: u32, b: u32, cond: u8);
    fcmp_d(a: u64, b: u64, cond: u8);
    fcmp_ps(a: u64, b: u64, cond: u8);
    fcvt_s_d(a: u64);
    fcvt_s_w(a: u32);
    fcvt_s_l(a: u64);
    fcvt_d_s(a: u32);
    fcvt_d_w(a: u32);
    fcvt_d_l(a: u64);
    fcvt_w_s(a: u32, rm: u8);
    fcvt_w_d(a: u64, rm: u8);
    fcvt_l_s(a: u32, rm: u8);
    fcvt_l_d(a: u64, rm: u8);
}

/// Direct entries by helper number (`None`: through `Env::call_helper`), for `JitConfig`.
pub fn direct_helpers() -> &'static [Option<usize>] {
    static T: OnceLock<Vec<Option<usize>>> = OnceLock::new();
    T.get_or_init(table)
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_fpu_helper_has_a_direct_entry() {
        let t = super::direct_helpers();
        let names: Vec<&str> = super::HELPERS.iter().map(|(n, _)| *n).collect();
        for (i, n) in names.iter().enumerate() {
            let fp = n.starts_with('f') || *n == "set_fpr_s";
            assert_eq!(t[i].is_some(), fp, "helper {n}");
        }
    }
}
