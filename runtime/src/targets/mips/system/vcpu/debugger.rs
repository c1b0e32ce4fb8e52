//! The MIPS vCPU under a debugger: the stops the vCPU loop hands back as [`Stop::Debug`]
//! (breakpoint, watchpoint; `run` itself reports the end of a single step), keeping its
//! translations in line with [`CpuDebug`], and the stopped vCPU as [`DebugCpu`] for the
//! board to lend to the gdb stub: registers in gdb's MIPS layout (Status and Cause written
//! through CP0's masks, as QEMU's system mode does), memory at virtual addresses as the CPU
//! sees them now (the MMU's translation without side effects, like QEMU's debug accesses:
//! RAM and ROM can be written, devices are read but not written).
//!
//! Owns that glue only; it must not know the board or the gdb protocol.

use super::{Stop, Vcpu};
use crate::debug::{CpuDebug, DebugCpu, DebugError, StopReason};
use crate::softmmu::space::PAGE_SIZE;
use crate::softmmu::Access;
use crate::targets::mips::gdb::{Cp0Write, Layout};
use crate::targets::mips::mips::CpuState;
use crate::targets::mips::system::mmu;

/// Config1.FP: the CPU has an FPU.
const CONFIG1_FP: u32 = 1;

impl Vcpu {
    /// Drop every translation when breakpoints, stepping or the watchpoints' access paths
    /// changed (compiled blocks have them built in).
    pub(super) fn debug_sync(&mut self) {
        let mut stale = self.debug.translations_stale(&mut self.debug_translated);
        let slow = !self.debug.watch.is_empty();
        if let Some(j) = self.engine.jit.as_mut() {
            stale |= j.set_all_slow(slow);
        }
        if stale {
            self.engine.flush();
        }
    }

    /// The block raised the debugger's stop: the instruction at `pc` has a breakpoint.
    pub(super) fn debug_breakpoint(&mut self, pc: u32) -> Stop {
        self.cpu.pc = pc;
        let hw = self.debug.breakpoint_at(pc as u64).unwrap_or(false);
        Stop::Debug(StopReason::Breakpoint { hw })
    }

    /// A watchpoint refused an access of the instruction at `pc` (or of the delay slot
    /// after the branch at `pc`).
    pub(super) fn debug_watch(&mut self, pc: u32) -> Stop {
        self.cpu.pc = pc;
        match self.debug.watch.hit.take() {
            Some(hit) => Stop::Debug(StopReason::Watch(hit)),
            None => Stop::Debug(StopReason::Interrupted),
        }
    }

    fn gdb_layout(&self) -> Layout {
        let m = &self.h.cp0.model;
        Layout { big_endian: self.cfg.big_endian, fpu: m.config1 & CONFIG1_FP != 0, prid: m.prid }
    }

    /// Status and Cause from the debugger, through mtc0's masks and side effects.
    fn cp0_write(&mut self, w: Cp0Write) {
        let cycles = self.clock.cycles();
        let (reg, v) = match w {
            Cp0Write::Status(v) => (12, v),
            Cp0Write::Cause(v) => (13, v),
        };
        let _ = self.h.cp0.write(&mut self.cpu, reg, 0, v, cycles);
        // The MMU mode may have changed.
        self.soft.flush();
    }

    fn phys(&self, va: u32) -> Option<u64> {
        mmu::translate(&self.cpu, &self.h.cp0, va, Access::Read).ok().map(|m| m.paddr)
    }
}

impl DebugCpu for Vcpu {
    fn big_endian(&self) -> bool {
        self.cfg.big_endian
    }
    fn gdb_registers(&self) -> Vec<u8> {
        self.gdb_layout().g_packet(&self.cpu)
    }
    fn set_gdb_registers(&mut self, bytes: &[u8]) -> Result<(), DebugError> {
        let l = self.gdb_layout();
        let mut cp0 = Vec::new();
        l.set_g_packet(&mut self.cpu, bytes, &mut |_: &mut CpuState, w| cp0.push(w))
            .map_err(|_| DebugError::BadRegister)?;
        for w in cp0 {
            self.cp0_write(w);
        }
        Ok(())
    }
    fn gdb_register(&self, n: usize) -> Result<Vec<u8>, DebugError> {
        self.gdb_layout().reg_bytes(&self.cpu, n).ok_or(DebugError::BadRegister)
    }
    fn set_gdb_register(&mut self, n: usize, bytes: &[u8]) -> Result<(), DebugError> {
        let l = self.gdb_layout();
        let mut cp0 = None;
        l.set_reg_bytes(&mut self.cpu, n, bytes, &mut |_: &mut CpuState, w| cp0 = Some(w))
            .map_err(|_| DebugError::BadRegister)?;
        if let Some(w) = cp0 {
            self.cp0_write(w);
        }
        Ok(())
    }
    fn read_memory(&mut self, addr: u64, buf: &mut [u8]) -> usize {
        let mut done = 0;
        while done < buf.len() {
            let va = (addr as u32).wrapping_add(done as u32);
            let room = (PAGE_SIZE - (va as u64 & (PAGE_SIZE - 1))) as usize;
            let n = room.min(buf.len() - done);
            let Some(pa) = self.phys(va) else { break };
            let chunk = &mut buf[done..done + n];
            // RAM and ROM at once; devices (and holes) a byte at a time, as the monitor's `x`.
            if self.space.read_bytes(pa, chunk).is_err() {
                for (i, b) in chunk.iter_mut().enumerate() {
                    match self.space.read(pa + i as u64, 1, false) {
                        Ok(v) => *b = v as u8,
                        Err(_) => return done + i,
                    }
                }
            }
            done += n;
        }
        done
    }
    fn write_memory(&mut self, addr: u64, data: &[u8]) -> Result<(), DebugError> {
        let mut done = 0;
        while done < data.len() {
            let va = (addr as u32).wrapping_add(done as u32);
            let room = (PAGE_SIZE - (va as u64 & (PAGE_SIZE - 1))) as usize;
            let n = room.min(data.len() - done);
            let pa = self.phys(va).ok_or(DebugError::BadAddress(va as u64))?;
            // RAM and ROM (as QEMU's debug writes); other regions ignore it.
            if self.space.load(pa, &data[done..done + n]).is_err() && self.space.page_target(pa).is_none() {
                return Err(DebugError::BadAddress(va as u64));
            }
            done += n;
        }
        // Translated code from the written pages must not run again.
        self.drop_dirty_code();
        Ok(())
    }
    fn debug(&mut self) -> &mut CpuDebug {
        &mut self.debug
    }
}
