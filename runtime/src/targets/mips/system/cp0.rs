//! CP0, the MIPS32 system control coprocessor, for one vCPU: the registers that are not in
//! the generated `CpuState` (Index, EntryLo0/1, Context, PageMask, Wired, EntryHi, Count and
//! Compare, EBase, Config0-3, ...), what mfc0 reads and mtc0 writes (writable-bit masks and
//! side effects), the Count/Compare timer on the virtual clock, Random, and the TLB
//! operations' use of these registers. Values follow the CPU model ([`CpuModel`]), matching
//! what QEMU's models show the guest (tests/guests/mips-system/cp0.c checks it).
//!
//! Owns CP0 and TLB state; must not touch memory, the soft TLB (it reports changes through
//! [`Effect`]) or deliver exceptions (exception.rs does).

use super::tlb::{self, Tlb};
use crate::targets::mips::mips::CpuState;

/// Status bits.
pub const ST_IE: u32 = 1 << 0;
pub const ST_EXL: u32 = 1 << 1;
pub const ST_ERL: u32 = 1 << 2;
pub const ST_BEV: u32 = 1 << 22;
/// Cause bits.
pub const CA_TI: u32 = 1 << 30;
pub const CA_DC: u32 = 1 << 27;
pub const CA_IV: u32 = 1 << 23;
pub const CA_BD: u32 = 1 << 31;
/// Debug.DM.
pub const DBG_DM: u32 = 1 << 30;

/// A CPU model: identification and configuration registers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CpuModel {
    pub name: &'static str,
    pub prid: u32,
    /// Config0 without the BE bit (added for big-endian cores).
    pub config0: u32,
    pub config1: u32,
    pub config2: u32,
    pub config3: u32,
    /// Status bits mtc0 may change.
    pub status_rw: u32,
    /// FIR (the FPU implementation register), 0 without an FPU.
    pub fir: u32,
}

/// The CPU models `-cpu` accepts. 24Kf is the mipssim default.
pub const MODELS: &[CpuModel] = &[
    CpuModel {
        name: "24Kf",
        prid: 0x0001_9300,
        config0: 0x8000_0482,
        config1: 0x9e19_0c8f,
        config2: 0x8000_0000,
        config3: 0,
        status_rw: 0x3678_ff1f,
        fir: 0x0073_9300,
    },
    CpuModel {
        name: "24Kc",
        prid: 0x0001_9300,
        config0: 0x8000_0482,
        config1: 0x9e19_0c8e,
        config2: 0x8000_0000,
        config3: 0,
        status_rw: 0x1278_ff1f,
        fir: 0,
    },
];

/// Find a model by name (case-insensitive, like QEMU).
pub fn model(name: &str) -> Option<&'static CpuModel> {
    MODELS.iter().find(|m| m.name.eq_ignore_ascii_case(name))
}

/// What a CP0 operation changed that the caller must act on.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Effect {
    /// Translations changed (TLB written, ASID changed): flush the soft TLB.
    pub tlb_changed: bool,
}

/// The CP0 registers outside `CpuState`, the TLB and the timer state.
#[derive(Debug, Clone)]
pub struct Cp0 {
    pub model: CpuModel,
    pub big_endian: bool,
    pub index: u32,
    pub entrylo0: u32,
    pub entrylo1: u32,
    pub context: u32,
    pub pagemask: u32,
    pub wired: u32,
    pub entryhi: u32,
    pub compare: u32,
    /// Count = cycles / 2 + count_offset while counting.
    count_offset: u32,
    /// Count while Cause.DC stops it.
    count_frozen: u32,
    /// Count when the timer was last checked.
    last_count: u32,
    pub ebase: u32,
    pub config0: u32,
    pub intctl: u32,
    pub lladdr: u32,
    pub errctl: u32,
    pub desave: u32,
    pub taglo: u32,
    pub datalo: u32,
    pub taghi: u32,
    pub datahi: u32,
    pub watchlo: [u32; 8],
    pub watchhi: [u32; 8],
    pub tlb: Tlb,
    random_seed: u32,
    random_prev: u32,
}

impl Cp0 {
    pub fn new(model: CpuModel, big_endian: bool) -> Self {
        Cp0 {
            model,
            big_endian,
            index: 0,
            entrylo0: 0,
            entrylo1: 0,
            context: 0,
            pagemask: 0,
            wired: 0,
            entryhi: 0,
            compare: 0,
            count_offset: 0,
            count_frozen: 0,
            last_count: 0,
            ebase: 0x8000_0000,
            config0: model.config0 | if big_endian { 1 << 15 } else { 0 },
            intctl: 0xe000_0000,
            lladdr: 0,
            errctl: 0,
            desave: 0,
            taglo: 0,
            datalo: 0,
            taghi: 0,
            datahi: 0,
            watchlo: [0; 8],
            watchhi: [0; 8],
            tlb: Tlb::default(),
            random_seed: 1,
            random_prev: 0,
        }
    }

    /// The reset state of CP0 and of the CP0 fields of `cpu` (cold reset: Status.BEV and
    /// ERL set, kernel mode, FPU implementation register from the model).
    pub fn reset(&mut self, cpu: &mut CpuState) {
        *self = Cp0::new(self.model, self.big_endian);
        cpu.status = ST_BEV | ST_ERL;
        cpu.cause = 0;
        cpu.srsctl = 0;
        cpu.debug = 0x0200_0000 | (1 << 15);
        cpu.fir = self.model.fir;
    }

    /// The current ASID (EntryHi bits 7:0).
    pub fn asid(&self) -> u8 {
        self.entryhi as u8
    }

    pub fn count(&self, cpu: &CpuState, cycles: u64) -> u32 {
        if cpu.cause & CA_DC != 0 {
            self.count_frozen
        } else {
            ((cycles / 2) as u32).wrapping_add(self.count_offset)
        }
    }

    fn set_count(&mut self, cpu: &CpuState, v: u32, cycles: u64) {
        self.count_frozen = v;
        self.count_offset = v.wrapping_sub((cycles / 2) as u32);
        let _ = cpu;
        self.last_count = v;
    }

    /// Check the timer: sets Cause.TI when Count passed Compare since the last check.
    pub fn check_timer(&mut self, cpu: &mut CpuState, cycles: u64) {
        let now = self.count(cpu, cycles);
        let since = now.wrapping_sub(self.last_count);
        let to_compare = self.compare.wrapping_sub(self.last_count);
        if since != 0 && to_compare != 0 && to_compare <= since {
            cpu.cause |= CA_TI;
        }
        self.last_count = now;
    }

    /// The cycle at which Count next equals Compare (None while Count is stopped).
    pub fn timer_deadline(&self, cpu: &CpuState, cycles: u64) -> Option<u64> {
        if cpu.cause & CA_DC != 0 {
            return None;
        }
        let now = self.count(cpu, cycles);
        let ticks = match self.compare.wrapping_sub(now) {
            0 => 1u64 << 32,
            t => t as u64,
        };
        Some((cycles / 2 + ticks) * 2)
    }

    /// Random: a pseudo-random index in [Wired, 15], never the same twice in a row (the
    /// ISO C rand() linear congruential generator, as QEMU's models use).
    pub fn random(&mut self) -> u32 {
        let n = tlb::ENTRIES as u32;
        let wired = self.wired.min(n - 1);
        let span = n - wired;
        if span == 1 {
            return n - 1;
        }
        loop {
            self.random_seed = self.random_seed.wrapping_mul(1_103_515_245).wrapping_add(12345);
            let idx = (self.random_seed >> 16) % span + wired;
            if idx != self.random_prev {
                self.random_prev = idx;
                return idx;
            }
        }
    }

    /// mfc0 `reg`, `sel`. Registers the model does not implement read as all ones (as
    /// QEMU's pre-Release 6 models do).
    pub fn read(&mut self, cpu: &CpuState, reg: u8, sel: u8, cycles: u64) -> u32 {
        match (reg, sel) {
            (0, 0) => self.index,
            (1, 0) => self.random(),
            (2, 0) => self.entrylo0,
            (3, 0) => self.entrylo1,
            (4, 0) => self.context,
            (5, 0) => self.pagemask,
            (5, 1) => 0, // PageGrain
            (6, 0) => self.wired,
            (6, 1..=5) => 0, // SRSConf0-4
            (7, 0) => cpu.hwrena,
            (8, 0) => cpu.badvaddr,
            (9, 0) => self.count(cpu, cycles),
            (10, 0) => self.entryhi,
            (11, 0) => self.compare,
            (12, 0) => cpu.status,
            (12, 1) => self.intctl,
            (12, 2) => cpu.srsctl,
            (12, 3) => 0, // SRSMap
            (13, 0) => cpu.cause,
            (14, 0) => cpu.epc,
            (15, 0) => self.model.prid,
            (15, 1) => self.ebase,
            (16, 0) => self.config0,
            (16, 1) => self.model.config1,
            (16, 2) => self.model.config2,
            (16, 3) => self.model.config3,
            (16, 4..=7) => 0,
            (17, 0) => self.lladdr,
            (18, s) => self.watchlo[s as usize & 7],
            (19, s) => self.watchhi[s as usize & 7],
            (23, 0) => cpu.debug,
            (24, 0) => cpu.depc,
            (25, _) => 0, // performance counters: none
            (26, 0) => self.errctl,
            (27, 0..=3) => 0, // CacheErr
            (28, s) if s & 1 == 0 => self.taglo,
            (28, _) => self.datalo,
            (29, s) if s & 1 == 0 => self.taghi,
            (29, _) => self.datahi,
            (30, 0) => cpu.errorepc,
            (31, 0) => self.desave,
            _ => u32::MAX,
        }
    }

    /// mtc0 `reg`, `sel`, `v`.
    pub fn write(&mut self, cpu: &mut CpuState, reg: u8, sel: u8, v: u32, cycles: u64) -> Effect {
        let mut fx = Effect::default();
        match (reg, sel) {
            // Index: values beyond the TLB are ignored.
            (0, 0) if ((v & 0x7fff_ffff) as usize) < tlb::ENTRIES => {
                self.index = (self.index & 0x8000_0000) | (v & 0x7fff_ffff);
            }
            (2, 0) => self.entrylo0 = v & 0x03ff_ffff,
            (3, 0) => self.entrylo1 = v & 0x03ff_ffff,
            (4, 0) => self.context = (self.context & 0x007f_ffff) | (v & 0xff80_0000),
            (5, 0) => {
                let m = (v >> 13) & 0xffff;
                if m & m.wrapping_add(1) == 0 {
                    self.pagemask = m << 13;
                }
            }
            (6, 0) => self.wired = v % tlb::ENTRIES as u32,
            (7, 0) => cpu.hwrena = v & 0xf,
            (9, 0) => self.set_count(cpu, v, cycles),
            (10, 0) => {
                let nv = v & 0xffff_e0ff;
                if nv as u8 != self.entryhi as u8 {
                    fx.tlb_changed = true;
                }
                self.entryhi = nv;
            }
            (11, 0) => {
                self.check_timer(cpu, cycles);
                self.compare = v;
                cpu.cause &= !CA_TI;
            }
            (12, 0) => {
                let m = self.model.status_rw;
                let old = cpu.status;
                cpu.status = (old & !m) | (v & m);
                if (old ^ cpu.status) & ST_ERL != 0 {
                    fx.tlb_changed = true; // kuseg is unmapped under ERL
                }
            }
            (12, 1) => self.intctl = (self.intctl & !0x3e0) | (v & 0x3e0),
            (12, 2) => {
                let m = (0xf << 12) | (0xf << 6);
                cpu.srsctl = (cpu.srsctl & !m) | (v & m);
            }
            (13, 0) => {
                let old = cpu.cause;
                let m = 0x08c0_0300;
                if (old ^ v) & CA_DC != 0 {
                    if v & CA_DC != 0 {
                        self.count_frozen = self.count(cpu, cycles);
                    } else {
                        self.count_offset = self.count_frozen.wrapping_sub((cycles / 2) as u32);
                    }
                }
                cpu.cause = (old & !m) | (v & m);
            }
            (14, 0) => cpu.epc = v,
            (15, 1) => self.ebase = (self.ebase & !0x3fff_f000) | (v & 0x3fff_f000),
            (16, 0) => self.config0 = (self.config0 & !7) | (v & 7),
            (17, 0) => {}
            (18, s) => self.watchlo[s as usize & 7] = v,
            (19, s) => self.watchhi[s as usize & 7] = v & 0x40ff_0ff8,
            (23, 0) => cpu.debug = (cpu.debug & !0x1330_0010) | (v & 0x1330_0010),
            (24, 0) => cpu.depc = v,
            (26, 0) => self.errctl = v,
            (28, s) if s & 1 == 0 => self.taglo = v,
            (28, _) => self.datalo = v,
            (29, s) if s & 1 == 0 => self.taghi = v,
            (29, _) => self.datahi = v,
            (30, 0) => cpu.errorepc = v,
            (31, 0) => self.desave = v,
            _ => {}
        }
        fx
    }

    /// tlbp: Index of the matching entry, or Index.P set.
    pub fn tlb_probe(&mut self) {
        match self.tlb.probe(self.entryhi) {
            Some(i) => self.index = i as u32,
            None => self.index |= 0x8000_0000,
        }
    }

    /// tlbr: EntryHi, PageMask, EntryLo0/1 from the entry Index selects.
    pub fn tlb_read(&mut self) -> Effect {
        let (hi, mask, lo0, lo1) = self.tlb.read((self.index & 0x7fff_ffff) as usize);
        let fx = Effect { tlb_changed: hi as u8 != self.entryhi as u8 };
        self.entryhi = hi;
        self.pagemask = mask;
        self.entrylo0 = lo0;
        self.entrylo1 = lo1;
        fx
    }

    /// tlbwi (`random` false) or tlbwr.
    pub fn tlb_write(&mut self, random: bool) -> Effect {
        let i = if random { self.random() as usize } else { (self.index & 0x7fff_ffff) as usize };
        self.tlb.write(i, self.entryhi, self.pagemask, self.entrylo0, self.entrylo1);
        Effect { tlb_changed: true }
    }

    /// After a TLB refill/invalid/modified exception for `vaddr`: BadVPN2 in Context and
    /// VPN2 in EntryHi (the ASID stays).
    pub fn set_tlb_fault(&mut self, vaddr: u32) {
        self.context = (self.context & 0xff80_000f) | ((vaddr >> 13) << 4 & 0x007f_fff0);
        self.entryhi = (vaddr & 0xffff_e000) | (self.entryhi & 0xff);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_timer_and_random() {
        let mut cpu = CpuState::default();
        let mut c = Cp0::new(MODELS[0], true);
        c.reset(&mut cpu);
        assert_eq!(c.read(&cpu, 16, 0, 0), 0x8000_8482);
        c.write(&mut cpu, 12, 0, 0xffbf_ffe0, 0);
        assert_eq!(cpu.status, 0x3638_ff00);
        c.write(&mut cpu, 13, 0, u32::MAX, 0);
        assert_eq!(cpu.cause, 0x08c0_0300);
        c.write(&mut cpu, 13, 0, 0, 0);
        assert_eq!(c.write(&mut cpu, 10, 0, u32::MAX, 0), Effect { tlb_changed: true });
        assert_eq!(c.entryhi, 0xffff_e0ff);
        c.write(&mut cpu, 5, 0, u32::MAX, 0);
        assert_eq!(c.pagemask, 0x1fff_e000);
        c.write(&mut cpu, 0, 0, u32::MAX, 0);
        assert_eq!(c.index, 0);
        assert_eq!(c.read(&cpu, 4, 2, 0), u32::MAX, "UserLocal is not implemented on 24Kf");
        // Count runs at half the cycle rate; Compare fires once when passed.
        c.write(&mut cpu, 9, 0, 100, 1000);
        assert_eq!(c.count(&cpu, 1010), 105);
        c.write(&mut cpu, 11, 0, 110, 1010);
        assert_eq!(c.timer_deadline(&cpu, 1010), Some(1020));
        c.check_timer(&mut cpu, 1018);
        assert_eq!(cpu.cause & CA_TI, 0);
        c.check_timer(&mut cpu, 1020);
        assert_ne!(cpu.cause & CA_TI, 0);
        c.write(&mut cpu, 11, 0, 0, 1020);
        assert_eq!(cpu.cause & CA_TI, 0);
        c.write(&mut cpu, 6, 0, 14, 0);
        for _ in 0..20 {
            let r = c.random();
            assert!((14..=15).contains(&r));
        }
    }
}
