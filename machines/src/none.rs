//! QEMU's `none` machine ("empty machine"): no devices; RAM at physical address 0 only when
//! `-m` gives a size; a CPU only when `-cpu` names one, and then it stays halted forever (its
//! registers keep their reset values: the architecture's [`ResetCpu`]). It exists so the monitor, `-S` and `--preconfig` can be
//! used and tested without a real board.
//!
//! This file owns the board and its run-state bookkeeping; it must not know the monitor, QMP
//! or the command line (those reach it through [`VmControl`] only).

use std::sync::mpsc::{channel, Receiver, Sender};
use std::time::SystemTime;

use specemu_runtime::control::{
    BoardConfig, CpuDefinition, CpuInfo, MachineInfo, RunState, TimedEvent, VmControl, VmEvent,
};

use crate::MachineType;
use specemu_runtime::arch::{ArchEntry, ResetCpu};

pub const MACHINE: MachineType = MachineType {
    name: "none",
    description: "empty machine",
    is_default: false,
    cpu_max: 1,
    default_cpu_type: None,
    create,
};

/// Larger `-m` values are refused rather than attempted.
const MAX_RAM: u64 = 64 << 30;

/// The architecture the command line chose (the first with a system mode when none).
fn arch_of(config: &BoardConfig) -> Result<&'static ArchEntry, String> {
    let found = if config.arch.is_empty() {
        specemu_runtime::targets::ARCHES.iter().copied().find(|a| a.system.is_some())
    } else {
        specemu_runtime::arch::by_name(&config.arch).filter(|a| a.system.is_some())
    };
    found.ok_or_else(|| format!("no system mode for architecture '{}'", config.arch))
}

fn create(config: &BoardConfig) -> Result<Box<dyn VmControl>, String> {
    let arch = arch_of(config)?;
    let (Some(sys), Some(disas)) = (arch.system, arch.disas) else {
        return Err(format!("no system mode for architecture '{}'", arch.name));
    };
    if let Some(cpu) = &config.cpu {
        if !sys.reset.models.contains(&cpu.as_str()) {
            return Err(format!("unable to find CPU model '{cpu}'"));
        }
    }
    if config.ram_size.is_some_and(|s| s > MAX_RAM) {
        return Err(format!("-m: at most {} MiB for the none machine", MAX_RAM >> 20));
    }
    let mut vm = NoneMachine {
        arch,
        qmp_target: sys.qmp_target,
        reset: sys.reset,
        disas,
        config: config.clone(),
        created: false,
        state: RunState::Prelaunch,
        ram: Vec::new(),
        has_cpu: false,
        subscribers: Vec::new(),
    };
    if !config.preconfig {
        vm.create_machine()?;
    }
    Ok(Box::new(vm))
}

struct NoneMachine {
    arch: &'static ArchEntry,
    qmp_target: &'static str,
    reset: ResetCpu,
    disas: specemu_runtime::arch::DisasInfo,
    config: BoardConfig,
    created: bool,
    state: RunState,
    ram: Vec<u8>,
    has_cpu: bool,
    subscribers: Vec<Sender<TimedEvent>>,
}

impl NoneMachine {
    fn emit(&mut self, event: VmEvent) {
        let timed = TimedEvent { event, at: SystemTime::now() };
        self.subscribers.retain(|s| s.send(timed.clone()).is_ok());
    }

    fn read_ram(&self, addr: u64, len: usize) -> Result<Vec<u8>, String> {
        let end = addr.checked_add(len as u64).ok_or("address wraps")?;
        if end > self.ram.len() as u64 {
            return Err("Cannot access memory".to_string());
        }
        Ok(self.ram[addr as usize..end as usize].to_vec())
    }
}

impl VmControl for NoneMachine {
    fn state(&self) -> RunState {
        self.state
    }

    fn machine_created(&self) -> bool {
        self.created
    }

    fn create_machine(&mut self) -> Result<(), String> {
        if self.created {
            return Err("the machine already exists".to_string());
        }
        let size = self.config.ram_size.unwrap_or(0) as usize;
        self.ram = vec![0; size];
        self.has_cpu = self.config.cpu.is_some();
        self.created = true;
        if self.config.start_paused {
            self.state = RunState::Prelaunch;
        } else {
            self.state = RunState::Running;
            self.emit(VmEvent::Resume);
        }
        Ok(())
    }

    fn stop(&mut self) {
        if self.state == RunState::Running {
            self.state = RunState::Paused;
            self.emit(VmEvent::Stop);
        }
    }

    fn cont(&mut self) -> Result<(), String> {
        if self.state != RunState::Running {
            self.state = RunState::Running;
            self.emit(VmEvent::Resume);
        }
        Ok(())
    }

    fn reset(&mut self) {
        self.emit(VmEvent::Reset { guest: false, reason: "host-qmp-system-reset".to_string() });
    }

    fn powerdown(&mut self) -> Result<(), String> {
        // QEMU's none machine has no power button, yet system_powerdown still reports the
        // request (POWERDOWN) and succeeds; nothing listens to it.
        self.emit(VmEvent::Powerdown);
        Ok(())
    }

    fn quit(&mut self) {
        self.state = RunState::Shutdown;
        self.emit(VmEvent::Shutdown { guest: false, reason: "host-qmp-quit".to_string() });
    }

    fn cpus(&self) -> Vec<CpuInfo> {
        if !self.has_cpu {
            return Vec::new();
        }
        vec![CpuInfo {
            index: 0,
            // No vCPU thread runs a halted CPU; report the process's main thread.
            thread_id: i64::from(std::process::id()),
            target: self.qmp_target.to_string(),
            qom_path: "/machine/unattached/device[0]".to_string(),
            pc: self.reset.pc,
            halted: true,
        }]
    }

    fn info_registers(&self, cpu: usize) -> String {
        if !self.has_cpu || cpu != 0 {
            return String::new();
        }
        (self.reset.info_registers)()
    }

    fn read_virt(&self, cpu: usize, addr: u64, len: usize) -> Result<Vec<u8>, String> {
        if !self.has_cpu || cpu != 0 {
            return Err("No CPU available".to_string());
        }
        self.read_ram((self.reset.translate)(addr)?, len)
    }

    fn read_phys(&self, addr: u64, len: usize) -> Result<Vec<u8>, String> {
        self.read_ram(addr, len)
    }

    fn big_endian(&self) -> bool {
        self.config.big_endian
    }

    fn subscribe(&mut self) -> Receiver<TimedEvent> {
        let (tx, rx) = channel();
        self.subscribers.push(tx);
        rx
    }

    fn machines(&self) -> Vec<MachineInfo> {
        crate::machine_infos()
    }

    fn disassemble(&self, cpu: usize, physical: bool, addr: u64, count: usize) -> Result<Vec<(u64, String)>, String> {
        let core = (self.disas.cores)().into_iter().next().ok_or("no disassembler")?;
        let (step, be) = (self.reset.insn_bytes, self.config.big_endian);
        let mut out = Vec::new();
        for i in 0..count {
            let a = (addr as u32).wrapping_add((step * i) as u32);
            let word =
                if physical { self.read_phys(u64::from(a), step) } else { self.read_virt(cpu, u64::from(a), step) };
            let Ok(word) = word else {
                out.push((u64::from(a), "Cannot access memory".to_string()));
                break;
            };
            let text = match (core.disas_one)(&word, u64::from(a), be, self.arch.disas_context, &|_, _| {}) {
                Some((_, t)) => t,
                None => (self.disas.bad)(&word, be).1,
            };
            out.push((u64::from(a), text));
        }
        Ok(out)
    }

    fn cpu_definitions(&self) -> Vec<CpuDefinition> {
        let suffix = self.reset.qom_suffix;
        self.reset
            .models
            .iter()
            .map(|m| CpuDefinition { name: m.to_string(), typename: format!("{m}{suffix}") })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(preconfig: bool, paused: bool) -> BoardConfig {
        BoardConfig {
            machine: "none".into(),
            cpu: Some("24Kf".into()),
            ram_size: Some(4096),
            preconfig,
            start_paused: paused,
            ..Default::default()
        }
    }

    #[test]
    fn preconfig_then_create_runs_and_reports_resume() {
        let mut vm = create(&config(true, false)).unwrap();
        let events = vm.subscribe();
        assert!(!vm.machine_created());
        assert_eq!(vm.state(), RunState::Prelaunch);
        vm.create_machine().unwrap();
        assert_eq!(vm.state(), RunState::Running);
        assert_eq!(events.try_recv().unwrap().event, VmEvent::Resume);
        assert!(vm.create_machine().is_err());
    }

    #[test]
    fn stop_and_cont_only_change_what_qemu_changes() {
        let mut vm = create(&config(false, true)).unwrap();
        let events = vm.subscribe();
        vm.stop();
        assert_eq!(vm.state(), RunState::Prelaunch);
        assert!(events.try_recv().is_err());
        vm.cont().unwrap();
        vm.cont().unwrap();
        vm.stop();
        let got: Vec<_> = events.try_iter().map(|e| e.event).collect();
        assert_eq!(got, vec![VmEvent::Resume, VmEvent::Stop]);
        assert_eq!(vm.state(), RunState::Paused);
    }

    #[test]
    fn memory_and_cpu() {
        let vm = create(&config(false, false)).unwrap();
        assert_eq!(vm.read_phys(4092, 4).unwrap(), vec![0; 4]);
        assert!(vm.read_phys(4093, 4).is_err());
        assert!(vm.read_phys(u64::MAX, 4).is_err());
        assert_eq!(vm.read_virt(0, 0x8000_0000, 4).unwrap(), vec![0; 4]);
        assert!(vm.read_virt(0, 0xc000_0000, 4).is_err());
        assert_eq!(vm.cpus().len(), 1);
        assert!(vm.info_registers(0).starts_with("pc=0xbfc00000 "));
        assert_eq!(vm.disassemble(0, true, 0, 1).unwrap(), vec![(0, "nop".to_string())]);
        assert_eq!(vm.disassemble(0, true, 4092, 5).unwrap().len(), 2);
        let bare = create(&BoardConfig { machine: "none".into(), ..Default::default() }).unwrap();
        assert!(bare.cpus().is_empty());
        assert!(bare.read_phys(0, 1).is_err());
        assert!(create(&BoardConfig { cpu: Some("nope".into()), ..Default::default() }).is_err());
    }
}
