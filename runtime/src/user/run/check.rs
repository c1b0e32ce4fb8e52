//! `-accel check`: each block runs compiled, what it did is undone, it runs again on the
//! interpreter from the same state, and the first difference in exit, registers or memory
//! written ends the program with a report.
//!
//! Owns the comparison only; running blocks is the engine's.

use super::cpu_loop::{log_in_asm, user_env, Loop, UserEnv};
use super::CHECK_FAILED;
use crate::arch::{GuestCpu, LinuxTarget};
use crate::interp::BlockExit;
use crate::ir::MemOp;
use crate::tb::engine::Tb;

impl<A: LinuxTarget> Loop<A> {
    fn take_undo(&mut self) -> Vec<(u64, MemOp, u64)> {
        self.engine.jit.as_mut().expect("JIT backend").take_undo_log()
    }

    /// Run block `id` compiled, undo what it did, run it interpreted, and stop at the first
    /// difference.
    pub(super) fn run_checked(&mut self, tb: &Tb, id: usize) -> BlockExit {
        let before = self.cpu.clone();
        self.engine.requested = false;
        let jit_exit = {
            let cpu: *mut A::Cpu = &mut self.cpu;
            let mut env = user_env!(self);
            self.engine.run_compiled(id, &mut env, cpu.cast(), A::Cpu::PC_OFFSET)
        };
        self.engine.unchain();
        if self.engine.requested {
            // The block saw the exit request (a host signal) and did not run.
            self.take_undo();
            return jit_exit;
        }
        let after_jit = self.cpu.clone();
        let log = self.take_undo();
        let written: Vec<Option<u64>> =
            log.iter().map(|&(a, m, _)| self.mem.load_quiet(a, m.size, m.big_endian)).collect();
        for &(a, m, old) in log.iter().rev() {
            let _ = self.mem.store(a, old, m.size, m.big_endian);
        }
        self.cpu = before;
        let interp_exit = {
            let mut env = user_env!(self);
            self.engine.interp.run(&tb.ir, &mut env)
        };
        // Compiled code writes the PC of a goto_tb exit; the interpreter leaves it to the loop.
        if let BlockExit::Goto { pc, .. } = interp_exit {
            self.cpu.set_pc(pc);
        }
        let mut diffs = Vec::new();
        if jit_exit != interp_exit {
            diffs.push(format!("exit: jit {jit_exit:?}, interpreter {interp_exit:?}"));
        }
        if after_jit != self.cpu {
            let (j, i) = (format!("{after_jit:?}"), format!("{:?}", self.cpu));
            for (a, b) in j.split(", ").zip(i.split(", ")) {
                if a != b {
                    diffs.push(format!("state: jit {a}, interpreter {b}"));
                }
            }
        }
        for (&(a, m, _), w) in log.iter().zip(&written) {
            let now = self.mem.load_quiet(a, m.size, m.big_endian);
            if now != *w {
                diffs.push(format!("memory {a:#x} ({} bytes): jit {w:x?}, interpreter {now:x?}", m.size));
            }
        }
        if !diffs.is_empty() {
            eprintln!("specemu: -accel check: the JIT and the interpreter differ after block {:#010x}:", tb.ir.pc);
            for d in &diffs {
                eprintln!("  {d}");
            }
            log_in_asm::<A>(&self.mem, tb.ir.pc, tb.ir.guest_len, self.be);
            eprint!("{}", crate::ir::dump_block(&tb.ir));
            if let Some((addr, code, data)) = self.engine.jit.as_ref().and_then(|j| j.code_of(id)) {
                eprintln!("{}", crate::jit::out_asm::format(addr, code, data));
            }
            std::process::exit(CHECK_FAILED);
        }
        interp_exit
    }
}
