//! The virtual clock of system mode. Time advances with the guest instructions the vCPU
//! retires (one instruction is one CPU cycle at the board's CPU frequency), plus jumps to the
//! next timer deadline while the vCPU idles (`wait`). This is QEMU's virtual clock under
//! `-icount`, not its host-time default: it makes timer behaviour a function of the program
//! alone, so timer tests are deterministic and a paused machine's clock stands still.
//!
//! Owns the count of cycles only; timers (an architecture's Count/Compare, a device's
//! deadline) compute their deadlines from it. Must not know any architecture or device.

/// Virtual time, in CPU cycles since reset.
#[derive(Debug, Clone, Copy)]
pub struct VirtualClock {
    cycles: u64,
    hz: u64,
}

impl VirtualClock {
    /// A clock at zero for a CPU running at `hz` cycles per second.
    pub fn new(hz: u64) -> Self {
        VirtualClock { cycles: 0, hz: hz.max(1) }
    }

    pub fn cycles(&self) -> u64 {
        self.cycles
    }

    /// Nanoseconds of virtual time.
    pub fn ns(&self) -> u64 {
        ((self.cycles as u128 * 1_000_000_000) / self.hz as u128) as u64
    }

    /// The vCPU retired `n` instructions.
    pub fn advance(&mut self, n: u64) {
        self.cycles = self.cycles.wrapping_add(n);
    }

    /// Idle until `cycles` (no-op when already past it).
    pub fn advance_to(&mut self, cycles: u64) {
        self.cycles = self.cycles.max(cycles);
    }

    pub fn reset(&mut self) {
        self.cycles = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn advances_by_instructions_and_idles_forward_only() {
        let mut c = VirtualClock::new(12_000_000);
        c.advance(12);
        assert_eq!(c.ns(), 1000);
        c.advance_to(6);
        assert_eq!(c.cycles(), 12);
        c.advance_to(24_000_000);
        assert_eq!(c.ns(), 2_000_000_000);
    }
}
