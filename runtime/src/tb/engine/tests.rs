//! The engine's tests: the tier-0 budget, and chained blocks and the exit request (a store to
//! translated code, an asynchronous request in a loop of chained blocks).

use super::*;
use crate::ir::{Builder, Exit, Ty};
use crate::jit::JitConfig;

/// A tiered engine whose JIT has no guest memory (accesses would go to the runtime).
fn engine() -> Engine<PcKey> {
    engine_with(true, false)
}

/// `tiered`: new blocks start at tier 0; `all_slow`: guest memory only through the runtime.
fn engine_with(tiered: bool, all_slow: bool) -> Engine<PcKey> {
    let jit = Jit::new(JitConfig {
        pc_offset: 0,
        pc_size: 4,
        all_slow,
        buffer_size: 1 << 20,
        softmmu: false,
        guard: false,
        direct: &[],
        self_loops: false,
    })
    .expect("code buffer");
    let cfg = EngineConfig { tiered, chain: true, ..EngineConfig::default() };
    Engine::new(Some(jit), cfg, Box::new(std::io::sink()))
}

/// A block at `pc` of a few ops: `r = r + 1`, then on to `pc + 4`.
fn block(pc: u64) -> Block {
    let mut b = Builder::new(pc);
    let r = b.global(Ty::I32, 4, "r");
    let one = b.konst(Ty::I32, 1);
    let s = b.bin(crate::ir::BinOp::Add, r, one);
    b.mov(r, s);
    b.exit(Exit::GotoTb { slot: 0, pc: pc + 4, ctx: 0 });
    b.finish()
}

/// A machine of 16 state words (the PC at 0, `r` at 4) whose memory is one word per
/// address; stores to `code` write translated code.
struct ChainEnv {
    state: Box<[u64; 16]>,
    mem: HashMap<u64, u64>,
    code: std::ops::Range<u64>,
    dirty: bool,
}

impl ChainEnv {
    fn new() -> Self {
        ChainEnv { state: Box::new([0; 16]), mem: HashMap::default(), code: 0..0, dirty: false }
    }
    fn r(&self) -> u32 {
        self.read_state(4) as u32
    }
}

impl Env for ChainEnv {
    fn read_state(&self, off: u32) -> u64 {
        let b: &[u8; 128] = bytemuck_words(&self.state);
        u32::from_le_bytes(b[off as usize..off as usize + 4].try_into().unwrap()) as u64
    }
    fn write_state(&mut self, off: u32, v: u64) {
        let p = self.state.as_mut_ptr().cast::<u8>();
        // SAFETY: `off + 4` is within the 128 bytes of the state (offsets 0 and 4 only).
        unsafe { std::ptr::copy_nonoverlapping((v as u32).to_le_bytes().as_ptr(), p.add(off as usize), 4) };
    }
    fn load(&mut self, addr: u64, _: crate::ir::MemOp) -> Result<u64, crate::interp::MemFault> {
        Ok(self.mem.get(&addr).copied().unwrap_or(0))
    }
    fn store(&mut self, addr: u64, v: u64, _: crate::ir::MemOp) -> Result<(), crate::interp::MemFault> {
        self.dirty |= self.code.contains(&addr);
        self.mem.insert(addr, v);
        Ok(())
    }
    fn call_helper(&mut self, _: u32, _: &[u64]) -> Result<u64, (u32, u64)> {
        unreachable!("no helpers in these blocks")
    }
    fn code_dirty(&self) -> bool {
        self.dirty
    }
}

fn bytemuck_words(w: &[u64; 16]) -> &[u8; 128] {
    // SAFETY: 16 u64 are 128 initialised bytes, and u8 has no alignment.
    unsafe { &*(w as *const [u64; 16]).cast::<[u8; 128]>() }
}

/// At `pc`: `r += add`, optionally `mem[store_at] = r`, then on to `next`.
fn add_block(pc: u64, add: u64, store_at: Option<u64>, next: u64) -> Block {
    let mut b = Builder::new(pc);
    let r = b.global(Ty::I32, 4, "r");
    let k = b.konst(Ty::I32, add);
    let s = b.bin(crate::ir::BinOp::Add, r, k);
    b.mov(r, s);
    if let Some(a) = store_at {
        let a = b.konst(Ty::I32, a);
        b.store(r, a, crate::ir::MemOp { size: 4, signed: false, big_endian: false });
    }
    b.exit(Exit::GotoTb { slot: 0, pc: next, ctx: 0 });
    b.finish()
}

/// Compiling every block at once; guest memory only through the runtime (no fast table).
fn compiled_engine() -> Engine<PcKey> {
    engine_with(false, true)
}

fn run_at(e: &mut Engine<PcKey>, env: &mut ChainEnv, pc: u64) -> BlockExit {
    let key = PcKey { pc, ctx: 0 };
    let tb = e.lookup(key).expect("block added");
    let cpu = env.state.as_mut_ptr().cast::<u8>();
    e.run(&tb, key, env, cpu, 0, false)
}

/// A block that stores into translated code does not run on into the next block through
/// its chained jump: the next block's entry sees the exit request first (its code may be
/// stale), even though it lies further on and a block that stores nothing would skip
/// that check.
#[test]
fn a_store_to_code_stops_a_chain_at_the_next_entry() {
    let mut e = compiled_engine();
    let mut env = ChainEnv::new();
    e.add(PcKey { pc: 0x100, ctx: 0 }, add_block(0x100, 1, Some(0x300), 0x200), &[0]);
    e.add(PcKey { pc: 0x200, ctx: 0 }, add_block(0x200, 10, None, 0x500), &[0]);
    assert_eq!(run_at(&mut e, &mut env, 0x100), BlockExit::Goto { pc: 0x200, slot: 0 });
    assert_eq!(run_at(&mut e, &mut env, 0x200), BlockExit::Goto { pc: 0x500, slot: 0 });
    assert_eq!(env.r(), 11);
    // The chain 0x100 -> 0x200 is patched now; this time the store writes code.
    env.code = 0x300..0x304;
    let exit = run_at(&mut e, &mut env, 0x100);
    assert_eq!((exit, env.r(), env.read_state(0)), (BlockExit::Exit, 12, 0x200), "stopped at 0x200's entry");
    assert!(std::mem::take(&mut e.requested));
}

/// A loop of chained blocks that store nothing still returns when an exit is requested
/// from elsewhere (a signal): the backward jump enters its target through the check.
#[test]
fn a_loop_of_quiet_chained_blocks_sees_an_exit_request() {
    let mut e = compiled_engine();
    let mut env = ChainEnv::new();
    e.add(PcKey { pc: 0x100, ctx: 0 }, add_block(0x100, 1, None, 0x200), &[0]);
    e.add(PcKey { pc: 0x200, ctx: 0 }, add_block(0x200, 1, None, 0x100), &[0]);
    assert_eq!(run_at(&mut e, &mut env, 0x100), BlockExit::Goto { pc: 0x200, slot: 0 });
    assert_eq!(run_at(&mut e, &mut env, 0x200), BlockExit::Goto { pc: 0x100, slot: 0 });
    // Both ways chained from here on: the next run loops inside compiled code.
    let flag = e.jit.as_mut().unwrap().exit_request_byte() as usize;
    let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let d = done.clone();
    let asker = std::thread::spawn(move || {
        for _ in 0..200 {
            std::thread::sleep(std::time::Duration::from_millis(50));
            if d.load(Relaxed) {
                return;
            }
            // SAFETY: the JIT context's exit-request byte stays mapped while the loop runs
            // (the test joins this thread before the engine is dropped).
            unsafe { std::sync::atomic::AtomicU8::from_ptr(flag as *mut u8).store(1, Relaxed) };
        }
        eprintln!("compiled code never returned on an exit request");
        std::process::abort();
    });
    let exit = run_at(&mut e, &mut env, 0x100);
    done.store(true, Relaxed);
    asker.join().unwrap();
    assert_eq!((exit, env.read_state(0)), (BlockExit::Exit, 0x100), "stopped at the loop's top");
    // Each block adds one: at the top, whole turns (the count may wrap; its parity stays).
    assert_eq!(env.r() % 2, 0, "whole turns of the loop: {}", env.r());
}

/// Tier-0 IR stays within the budget however many blocks run once; a block that keeps
/// running survives the ones added after it, a forgotten block can be added again, and the
/// page lists keep every kept block without piling up forgotten ones.
#[test]
fn tier0_ir_stays_within_its_budget() {
    let mut e = engine();
    // Blocks the budget holds; the hot block runs every half of that (not often enough
    // to be compiled before the end), and three budgets' worth are added.
    let fit = TIER0_BUDGET / block(0).heap_bytes();
    let n = 3 * fit;
    let key = |i: usize| PcKey { pc: 0x1000 + 4 * i as u64, ctx: 0 };
    let hot = key(0);
    e.add(hot, block(hot.pc), &[hot.pc >> 12]);
    for i in 1..n {
        let k = key(i);
        e.add(k, block(k.pc), &[k.pc >> 12]);
        if i % (fit / 2) == 0 {
            let tb = e.lookup(hot).expect("a block that keeps running is kept");
            assert!(tb.tier0);
            let _ = e.tier_up(hot, tb);
        }
    }
    let live: usize = e.cache.values().filter(|tb| tb.tier0).map(|tb| tb.ir.heap_bytes()).sum();
    assert!(live <= TIER0_BUDGET, "{live} bytes of tier-0 IR kept, budget {TIER0_BUDGET}");
    assert!(e.cache.len() < n / 2, "{} of {n} blocks kept", e.cache.len());
    assert!(e.lookup(key(1)).is_none(), "the oldest block that ran once is forgotten");
    assert!(e.lookup(key(n - 1)).is_some(), "the newest block is kept");
    assert!(e.lookup(hot).is_some(), "the block that keeps running is kept");
    for (k, tb) in &e.cache {
        let p = tb.pages.as_slice()[0];
        assert!(e.by_page[&p].contains(k), "a kept block is on its page's list");
    }
    // Forgotten blocks' keys stay until the list's next compaction, but repeats do not pile
    // up: add eight blocks of a fresh page and forget them, a hundred times.
    let fresh = |i: usize| PcKey { pc: 0x100_0000 + 4 * i as u64, ctx: 0 };
    for _ in 0..100 {
        for i in 0..8 {
            e.add(fresh(i), block(fresh(i).pc), &[fresh(i).pc >> 12]);
        }
        for i in 0..8 {
            e.drop_block(fresh(i));
        }
    }
    let first = &e.by_page[&(fresh(0).pc >> 12)];
    let mut distinct = first.clone();
    distinct.sort_unstable_by_key(|k| k.words());
    distinct.dedup();
    assert!(first.len() <= 2 * distinct.len().max(32), "{} keys, {} distinct", first.len(), distinct.len());
    e.add(key(1), block(key(1).pc), &[key(1).pc >> 12]);
    assert!(e.lookup(key(1)).is_some());
}

/// A block compiled or forgotten leaves the tier-0 count at once, not when its queue entry
/// comes up: the budget holds as many tier-0 blocks as it can.
#[test]
fn blocks_that_leave_tier0_leave_the_budget() {
    let mut e = engine();
    let bytes = block(0).heap_bytes();
    let key = |i: usize| PcKey { pc: 0x1000 + 4 * i as u64, ctx: 0 };
    for i in 0..4 {
        e.add(key(i), block(key(i).pc), &[key(i).pc >> 12]);
    }
    assert_eq!(e.tier0_bytes, 4 * bytes);
    // Compile block 0 by running it often enough.
    let mut tb = e.lookup(key(0)).unwrap();
    for _ in 0..=TIER_UP {
        tb = e.tier_up(key(0), tb);
    }
    assert!(!tb.tier0, "compiled");
    assert_eq!(e.tier0_bytes, 3 * bytes, "the compiled block's IR no longer counts");
    e.drop_block(key(1));
    assert_eq!(e.tier0_bytes, 2 * bytes, "nor does a forgotten block's");
    // Fill the budget: blocks 2 and 3, queued before the new ones, go first, and the stale
    // entries of blocks 0 and 1 forget nothing (block 0 stays compiled).
    let fit = TIER0_BUDGET / bytes;
    for i in 4..fit + 4 {
        e.add(key(i), block(key(i).pc), &[key(i).pc >> 12]);
    }
    assert!(e.tier0_bytes <= TIER0_BUDGET);
    assert!(e.lookup(key(0)).is_some_and(|tb| !tb.tier0), "the compiled block stays");
    assert!(e.lookup(key(2)).is_none() && e.lookup(key(3)).is_none(), "the oldest tier-0 blocks go");
    assert!(e.lookup(key(4)).is_some(), "the next ones stay: the budget counts only tier 0");
    let live: usize = e.cache.values().filter(|tb| tb.tier0).map(|tb| tb.ir.heap_bytes()).sum();
    assert_eq!(live, e.tier0_bytes);
}
