//! A scripted [`VmControl`] for the monitor's hermetic tests: one big-endian 32-bit MIPS-like
//! vCPU, 1 MiB of RAM at 0 whose first bytes are those QEMU's tests loaded with
//! `-device loader` (so dumps can be compared with QEMU's output), run-state bookkeeping with
//! QEMU's event rules, and a power button that can be missing.
//!
//! Test-only; it must not be used by the binary.

use specemu_runtime::control::{CpuDefinition, CpuInfo, MachineInfo, RunState, TimedEvent, VmControl, VmEvent};
use std::sync::mpsc::{channel, Receiver, Sender};
use std::time::SystemTime;

pub struct FakeVm {
    pub created: bool,
    pub state: RunState,
    pub ram: Vec<u8>,
    pub power_button: bool,
    pub subscribers: Vec<Sender<TimedEvent>>,
}

impl FakeVm {
    pub fn new(created: bool) -> FakeVm {
        let mut ram = vec![0u8; 1 << 20];
        ram[..12].copy_from_slice(&[0xff, 0x0a, 0x42, 0x41, 0x01, 0x00, 0x00, 0x80, 0x7f, 0x0d, 0x5c, 0x27]);
        FakeVm {
            created,
            state: if created { RunState::Running } else { RunState::Prelaunch },
            ram,
            power_button: false,
            subscribers: Vec::new(),
        }
    }

    fn emit(&mut self, event: VmEvent) {
        let e = TimedEvent { event, at: SystemTime::now() };
        self.subscribers.retain(|s| s.send(e.clone()).is_ok());
    }
}

impl VmControl for FakeVm {
    fn state(&self) -> RunState {
        self.state
    }
    fn machine_created(&self) -> bool {
        self.created
    }
    fn create_machine(&mut self) -> Result<(), String> {
        self.created = true;
        self.state = RunState::Running;
        self.emit(VmEvent::Resume);
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
        self.emit(VmEvent::Reset { guest: false, reason: "host-qmp-system-reset".into() });
    }
    fn powerdown(&mut self) -> Result<(), String> {
        if !self.power_button {
            return Err("this board has no power button".into());
        }
        self.emit(VmEvent::Powerdown);
        Ok(())
    }
    fn quit(&mut self) {
        self.emit(VmEvent::Shutdown { guest: false, reason: "host-qmp-quit".into() });
    }
    fn cpus(&self) -> Vec<CpuInfo> {
        if !self.created {
            return Vec::new();
        }
        vec![CpuInfo {
            index: 0,
            thread_id: 42,
            target: test_target().into(),
            qom_path: "/machine/unattached/device[0]".into(),
            pc: 0xbfc0_0000,
            halted: false,
        }]
    }
    fn info_registers(&self, _cpu: usize) -> String {
        "pc=0xbfc00000\n".into()
    }
    fn read_virt(&self, _cpu: usize, addr: u64, len: usize) -> Result<Vec<u8>, String> {
        self.read_phys(addr & 0x1fff_ffff, len)
    }
    fn read_phys(&self, addr: u64, len: usize) -> Result<Vec<u8>, String> {
        let end = addr.checked_add(len as u64).filter(|&e| e <= self.ram.len() as u64).ok_or("Cannot access memory")?;
        Ok(self.ram[addr as usize..end as usize].to_vec())
    }
    fn big_endian(&self) -> bool {
        true
    }
    fn subscribe(&mut self) -> Receiver<TimedEvent> {
        let (tx, rx) = channel();
        self.subscribers.push(tx);
        rx
    }
    fn machines(&self) -> Vec<MachineInfo> {
        vec![MachineInfo {
            name: "fake".into(),
            description: "a test board".into(),
            default_cpu_type: "toy-cpu".into(),
            is_default: true,
            cpu_max: 1,
        }]
    }
    fn cpu_definitions(&self) -> Vec<CpuDefinition> {
        vec![CpuDefinition { name: "toy".into(), typename: "toy-cpu".into() }]
    }
}

/// The QMP target name the fake CPU reports: the first architecture with a system mode.
pub fn test_target() -> &'static str {
    specemu_runtime::targets::ARCHES.iter().find_map(|a| a.system.map(|s| s.qmp_target)).unwrap_or("")
}
