//! The mipssim board behind `VmControl`, hermetically: tiny hand-assembled kernels (no cross
//! compiler needed) check run states (`-S` prelaunch, stop, cont, reset), events, register
//! and memory inspection, the UART on the bus, and the UHI exit status.

use specemu_machines::mips::mipssim::Mipssim;
use specemu_runtime::control::{BoardConfig, RunState, VmControl, VmEvent};
use std::time::Duration;

/// A big-endian ELF executable with `code` at virtual 0x80001000 (its entry).
fn kernel(code: &[u32]) -> tempfile::NamedTempFile {
    let mut f = vec![0x7f, b'E', b'L', b'F', 1, 2, 1, 0];
    f.resize(16, 0);
    let h16 = |v: u16| v.to_be_bytes();
    let h32 = |v: u32| v.to_be_bytes();
    f.extend(h16(2));
    f.extend(h16(8));
    f.extend(h32(1));
    f.extend(h32(0x8000_1000));
    f.extend(h32(52));
    f.extend(h32(0));
    f.extend(h32(0));
    f.extend(h16(52));
    f.extend(h16(32));
    f.extend(h16(1));
    f.extend(h16(40));
    f.extend(h16(0));
    f.extend(h16(0));
    let size = code.len() as u32 * 4;
    for v in [1, 84, 0x8000_1000, 0x8000_1000, size, size, 5, 4] {
        f.extend(h32(v));
    }
    for w in code {
        f.extend(h32(*w));
    }
    let file = tempfile::NamedTempFile::new().expect("temp file");
    std::fs::write(file.path(), &f).expect("write kernel");
    file
}

fn config(k: &tempfile::NamedTempFile, paused: bool) -> BoardConfig {
    BoardConfig {
        machine: "mipssim".into(),
        kernel: Some(k.path().to_path_buf()),
        big_endian: true,
        semihosting: true,
        start_paused: paused,
        ..Default::default()
    }
}

#[test]
fn prelaunch_cont_and_uhi_exit_status() {
    // t0 = 0xbfd00000; store 'A' to the UART's THR and keep it in memory; UHI exit(7).
    let k = kernel(&[
        0x3c08_bfd0, // lui t0, 0xbfd0
        0x2409_0041, // li t1, 'A'
        0xa109_03f8, // sb t1, 0x3f8(t0)
        0x3c0a_8000, // lui t2, 0x8000
        0xa149_2000, // sb t1, 0x2000(t2)
        0x2419_0001, // li t9, 1
        0x2404_0007, // li a0, 7
        0x7000_007f, // sdbbp 1
        0x1000_ffff, // b .
        0,
    ]);
    let mut m = Mipssim::new(&config(&k, true), Box::new(std::io::sink())).expect("machine");
    assert_eq!(m.state(), RunState::Prelaunch);
    let regs = m.info_registers(0);
    assert!(regs.starts_with("pc=0x80001000 HI=0x00000000 LO=0x00000000 ds 10000090"), "{regs}");
    assert!(regs.contains("GPR04: a0 ffffffff"), "UHI boot: a0 = -1\n{regs}");
    assert!(regs.contains("GPR00: r0 00000000 at 00000000"), "{regs}");
    assert!(regs.contains("CP0 Status  0x00400004"), "reset Status: BEV | ERL\n{regs}");
    assert_eq!(m.read_phys(0x1000, 4).unwrap(), vec![0x3c, 0x08, 0xbf, 0xd0]);
    assert_eq!(m.read_virt(0, 0x8000_1000, 2).unwrap(), vec![0x3c, 0x08]);
    assert!(m.read_phys(0x1000_0000, 4).is_err(), "unassigned physical memory");
    let events = m.subscribe();
    m.cont().expect("cont");
    assert_eq!(events.recv_timeout(Duration::from_secs(10)).unwrap().event, VmEvent::Resume);
    assert_eq!(m.wait(), 7);
    assert_eq!(m.state(), RunState::Shutdown);
    assert_eq!(m.read_phys(0x2000, 1).unwrap(), vec![b'A']);
    assert!(matches!(
        events.recv_timeout(Duration::from_secs(10)).unwrap().event,
        VmEvent::Shutdown { guest: true, .. }
    ));
}

#[test]
fn stop_inspect_reset_and_quit() {
    // Count in t0 forever.
    let k = kernel(&[
        0x2508_0001, // addiu t0, t0, 1
        0x1000_fffe, // b 0x80001000
        0,
    ]);
    let mut m = Mipssim::new(&config(&k, false), Box::new(std::io::sink())).expect("machine");
    let events = m.subscribe();
    assert_eq!(m.state(), RunState::Running);
    std::thread::sleep(Duration::from_millis(50));
    m.stop();
    assert_eq!(m.state(), RunState::Paused);
    assert_eq!(events.recv_timeout(Duration::from_secs(10)).unwrap().event, VmEvent::Stop);
    let a = m.info_registers(0);
    std::thread::sleep(Duration::from_millis(20));
    assert_eq!(a, m.info_registers(0), "paused: nothing runs");
    let cpus = m.cpus();
    assert_eq!(cpus.len(), 1);
    assert!((0x8000_1000..0x8000_100c).contains(&cpus[0].pc), "{:#x}", cpus[0].pc);
    assert!(cpus[0].thread_id > 0);
    m.reset();
    assert!(matches!(events.recv_timeout(Duration::from_secs(10)).unwrap().event, VmEvent::Reset { guest: false, .. }));
    // A reset keeps the machine paused; it starts again from the kernel entry.
    assert_eq!(m.state(), RunState::Paused);
    assert_eq!(m.cpus()[0].pc, 0x8000_1000);
    assert!(m.info_registers(0).contains("t0 00000000"));
    m.cont().unwrap();
    assert_eq!(events.recv_timeout(Duration::from_secs(10)).unwrap().event, VmEvent::Resume);
    assert_eq!(m.machines()[0].name, "mipssim");
    assert!(m.cpu_definitions().iter().any(|c| c.name == "24Kf" && c.typename == "24Kf-mips-cpu"));
    assert!(m.big_endian());
    m.quit();
}

#[test]
fn bad_kernels_and_options_are_errors() {
    let f = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(f.path(), b"not an elf").unwrap();
    let e = Mipssim::new(&config(&f, false), Box::new(std::io::sink())).err().unwrap();
    assert!(e.contains("could not load kernel"), "{e}");
    let k = kernel(&[0]);
    let mut c = config(&k, false);
    c.big_endian = false;
    assert!(Mipssim::new(&c, Box::new(std::io::sink())).err().unwrap().contains("byte order"));
    let mut c = config(&k, false);
    c.cpu = Some("nosuchcpu".into());
    assert!(Mipssim::new(&c, Box::new(std::io::sink())).err().unwrap().contains("nosuchcpu"));
    let mut c = config(&k, false);
    c.ram_size = Some(1 << 20);
    c.kernel = None;
    c.start_paused = true;
    assert!(Mipssim::new(&c, Box::new(std::io::sink())).is_ok(), "no kernel: starts at the reset vector");
}

#[test]
fn preconfig_then_create_machine_through_the_registry() {
    let k = kernel(&[
        0x2419_0001, // li t9, 1
        0x2404_0005, // li a0, 5
        0x7000_007f, // sdbbp 1
        0x1000_ffff, // b .
        0,
    ]);
    let mut c = config(&k, false);
    c.preconfig = true;
    let mut vm = specemu_machines::create(&c).expect("mipssim in the registry");
    assert!(!vm.machine_created());
    assert_eq!(vm.state(), RunState::Prelaunch);
    assert!(vm.cpus().is_empty());
    let events = vm.subscribe();
    vm.create_machine().expect("create");
    assert!(vm.machine_created());
    assert!(vm.create_machine().is_err(), "only once");
    assert_eq!(events.recv_timeout(Duration::from_secs(10)).unwrap().event, VmEvent::Resume);
    let ev = events.recv_timeout(Duration::from_secs(10)).unwrap().event;
    assert_eq!(ev, VmEvent::Shutdown { guest: true, reason: "guest-shutdown".into() });
    assert_eq!(vm.exit_status(), 5);
    let dis = vm.disassemble(0, false, 0x8000_1000, 2).unwrap();
    assert_eq!(dis[0], (0x8000_1000, "li\tt9,1".to_string()));
    vm.quit();
    assert_eq!(vm.state(), RunState::Shutdown);
}

#[test]
fn late_subscribers_learn_of_an_earlier_exit_and_bad_uhi_ends_the_machine() {
    let k = kernel(&[0x2419_0001, 0x2404_0009, 0x7000_007f, 0x1000_ffff, 0]);
    let mut m = Mipssim::new(&config(&k, false), Box::new(std::io::sink())).expect("machine");
    assert_eq!(m.wait(), 9);
    let events = m.subscribe();
    let ev = events.recv_timeout(Duration::from_secs(10)).unwrap().event;
    assert_eq!(ev, VmEvent::Shutdown { guest: true, reason: "guest-shutdown".into() });
    // An unknown UHI operation (99): internal error, status 1, SHUTDOWN reported.
    let k = kernel(&[0x2419_0063, 0x7000_007f, 0x1000_ffff, 0]);
    let mut m = Mipssim::new(&config(&k, false), Box::new(std::io::sink())).expect("machine");
    assert_eq!(m.wait(), 1);
    assert_eq!(m.state(), RunState::InternalError);
    assert_eq!(m.exit_status(), 1);
    let ev = m.subscribe().recv_timeout(Duration::from_secs(10)).unwrap().event;
    assert_eq!(ev, VmEvent::Shutdown { guest: true, reason: "guest-panic".into() });
}
