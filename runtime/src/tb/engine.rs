//! The translation engine both CPU loops share (user mode and system mode): the block cache
//! (a direct-mapped front on a hash map, keyed by what identifies a translation: the guest
//! PC in user mode, the virtual and physical PC in system mode), tiers (a new block's raw IR
//! is interpreted; after [`TIER_UP`] runs it is optimized and compiled), compilation by the
//! JIT, `goto_tb` chaining and the indirect-jump table, running a block on either backend,
//! and invalidation (by page, of blocks spanning pages, or everything).
//!
//! The loops translate (they know how to fetch guest code) and handle what a block exits
//! for; this module owns the blocks from then on. It must not know an architecture or a
//! mode's memory model.

use crate::fxhash::FxHashMap as HashMap;
use crate::interp::{BlockExit, Env, Interp};
use crate::ir::Block;
use crate::jit::{Jit, JitExit};
use std::collections::VecDeque;
use std::io::Write;
use std::sync::atomic::{AtomicU16, AtomicU32, AtomicUsize, Ordering::Relaxed};
use std::sync::Arc;

/// Runs of a tier-0 block before it is compiled (see [`Tb::tier0`]).
pub const TIER_UP: u32 = 8;

/// The bytes of unoptimized IR that tier-0 blocks may hold at once. A program's start runs
/// thousands of blocks a few times each (python3 about 38,000), and their IR would otherwise
/// stay for the whole run: past the budget the oldest tier-0 blocks are forgotten (translated
/// again if they run again), so that the IR kept is bounded, not the blocks ever run.
/// Measured on python3 and perl at reduced inputs (callgrind, against no budget): 4 MiB
/// costs 7-8% more host instructions and takes python3's max RSS from 137 to 45 MiB; 8 MiB
/// costs 2-3% and leaves 54 MiB.
pub const TIER0_BUDGET: usize = 4 << 20;

/// Entries of the direct-mapped front of the block cache. The table is written whole when the
/// engine starts, so it is sized for start-up as much as for hit rate: 4096 entries (32 KiB, a pointer each)
/// cost a short program's start about as many page faults as they save it lookups.
const FAST_SLOTS: usize = 4096;
const NO_HOST: usize = usize::MAX;

/// What identifies a translation.
pub trait BlockKey: Copy + Eq + std::hash::Hash + std::fmt::Debug {
    /// The guest PC the block starts at.
    fn pc(self) -> u64;
    /// The persistent context word it was translated in (`GuestCpu::context_key`).
    fn context(self) -> u64;
    /// The key as words, kept in its block (the direct-mapped front compares them).
    fn words(self) -> [u64; 3];
}

/// User mode: a block is its guest PC in a persistent context.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PcKey {
    pub pc: u64,
    pub ctx: u64,
}

impl BlockKey for PcKey {
    fn pc(self) -> u64 {
        self.pc
    }
    fn context(self) -> u64 {
        self.ctx
    }
    fn words(self) -> [u64; 3] {
        [self.pc, self.ctx, 0]
    }
}

/// System mode: the virtual and the physical PC, and the persistent context.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PhysPcKey {
    pub pc: u64,
    pub phys: u64,
    pub ctx: u64,
}

impl BlockKey for PhysPcKey {
    fn pc(self) -> u64 {
        self.pc
    }
    fn context(self) -> u64 {
        self.ctx
    }
    fn words(self) -> [u64; 3] {
        [self.pc, self.phys, self.ctx]
    }
}

/// A translated block: its IR, and its compiled code when the JIT has it.
#[derive(Debug)]
pub struct Tb {
    /// Its key (`BlockKey::words`).
    key: [u64; 3],
    pub ir: Block,
    host: AtomicUsize,
    /// Tier 0: the unoptimized IR, interpreted until the block has run [`TIER_UP`] times
    /// (then it is optimized and compiled). Most blocks of a program run a few times only,
    /// and interpreting them costs less than optimizing and compiling them.
    tier0: bool,
    /// For a tier-0 block: which addition it was (its entry in the tier-0 queue names it)
    /// and the bytes of IR it counts against [`TIER0_BUDGET`] while it stays at tier 0.
    serial: u64,
    ir_bytes: usize,
    runs: AtomicU32,
    /// How often its runs at tier 0 left through `goto_tb` slots 0 and 1 (kept when it is
    /// compiled): which way its branch goes, for regions (see [`Engine::exits`]).
    exits: [AtomicU16; 2],
    /// A region (a loop of guest blocks, see `Engine::replace`): its `goto_tb` slots are
    /// not a guest block's.
    region: bool,
    /// The pages the block's code lies on (writes to them invalidate it).
    pages: Pages,
}

/// The pages a block lies on: inline for the usual one or two (a block is shorter than a
/// page on every architecture so far), so adding a block allocates nothing for them.
#[derive(Debug, Clone)]
enum Pages {
    Inline(u8, [u64; 4]),
    Heap(Box<[u64]>),
}

impl Pages {
    fn new(pages: &[u64]) -> Self {
        if pages.len() <= 4 {
            let mut a = [0; 4];
            a[..pages.len()].copy_from_slice(pages);
            Pages::Inline(pages.len() as u8, a)
        } else {
            Pages::Heap(pages.into())
        }
    }
    fn as_slice(&self) -> &[u64] {
        match self {
            Pages::Inline(n, a) => &a[..*n as usize],
            Pages::Heap(b) => b,
        }
    }
}

impl Tb {
    /// The block's id in the JIT, when it is compiled.
    pub fn host(&self) -> Option<usize> {
        Some(self.host.load(Relaxed)).filter(|&h| h != NO_HOST)
    }
}

/// How blocks are run.
#[derive(Debug, Clone, Copy, Default)]
pub struct EngineConfig {
    /// Interpret new blocks until they are hot (only with a JIT).
    pub tiered: bool,
    /// Patch `goto_tb` exits into direct jumps and fill the indirect-jump table (when nothing
    /// must be checked between blocks).
    pub chain: bool,
    /// Keep every block's IR after compiling it (the check mode interprets it again).
    pub keep_ir: bool,
    /// `-d op_opt`, `-d out_asm`.
    pub log_op_opt: bool,
    pub log_out_asm: bool,
}

/// A tier-0 block in the eviction queue: its key, its run count when it was queued, and
/// which addition it was (a later block for the same key is another).
#[derive(Debug, Clone, Copy)]
struct Queued<K> {
    key: K,
    runs: u32,
    serial: u64,
}

/// The blocks of one CPU and the backends that run them.
pub struct Engine<K: BlockKey> {
    cache: HashMap<K, Arc<Tb>>,
    /// Direct-mapped front of `cache`, indexed by guest PC (each block knows its key: an
    /// entry is one pointer, so the table costs start-up few pages).
    fast: Vec<Option<Arc<Tb>>>,
    by_page: HashMap<u64, Vec<K>>,
    /// Blocks whose code spans pages (system mode drops them when mappings change).
    crossing: Vec<K>,
    /// Tier-0 blocks in the order they were added (entries of blocks compiled or forgotten
    /// since stay until they come up, and are then dropped).
    tier0: VecDeque<Queued<K>>,
    /// The IR bytes of the blocks at tier 0 now (a block leaves the count when it is
    /// compiled or forgotten, not when its queue entry comes up).
    tier0_bytes: usize,
    /// The serial number of the next tier-0 block.
    next_serial: u64,
    pub interp: Interp,
    pub jit: Option<Jit>,
    /// The compiled block and `goto_tb` slot the last block left through, to chain from.
    chain_from: Option<(usize, u8)>,
    /// The last compiled block returned at its entry because of the exit request.
    pub requested: bool,
    pub cfg: EngineConfig,
    /// Where `-d` output goes.
    pub log: Box<dyn Write + Send>,
}

impl<K: BlockKey> std::fmt::Debug for Engine<K> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Engine({} blocks, {:?})", self.cache.len(), self.jit)
    }
}

fn slot_of(pc: u64) -> usize {
    // Instructions are 2-byte aligned at least (4 on many architectures): fold higher bits
    // into the low ones so that every slot is used either way.
    (((pc >> 1) ^ (pc >> 13)) as usize) & (FAST_SLOTS - 1)
}

impl<K: BlockKey> Engine<K> {
    pub fn new(jit: Option<Jit>, cfg: EngineConfig, log: Box<dyn Write + Send>) -> Self {
        // `resize_with` of a constant `None` compiles to a memset; `vec![None; N]` clones
        // (a branch per slot: 29K host instructions at every start).
        let mut fast = Vec::with_capacity(FAST_SLOTS);
        fast.resize_with(FAST_SLOTS, || None);
        Engine {
            cache: HashMap::default(),
            fast,
            by_page: HashMap::default(),
            crossing: Vec::new(),
            tier0: VecDeque::new(),
            tier0_bytes: 0,
            next_serial: 0,
            interp: Interp::default(),
            jit,
            chain_from: None,
            requested: false,
            cfg,
            log,
        }
    }

    /// Leave the translated blocks allocated instead of freeing them one by one, for a
    /// process about to exit (which frees everything at once): freeing a short program's
    /// blocks costs about 2% of its run. Only what the blocks own is leaked: the JIT and the
    /// log still drop (flushing what they buffer).
    pub fn forget_blocks(&mut self) {
        std::mem::forget(std::mem::take(&mut self.cache));
        std::mem::forget(std::mem::take(&mut self.fast));
        std::mem::forget(std::mem::take(&mut self.by_page));
        std::mem::forget(std::mem::take(&mut self.tier0));
    }

    /// The block for `key`, if translated.
    #[inline]
    pub fn lookup(&mut self, key: K) -> Option<Arc<Tb>> {
        let slot = slot_of(key.pc());
        if let Some(b) = &self.fast[slot] {
            if b.key == key.words() {
                return Some(b.clone());
            }
        }
        let b = self.cache.get(&key)?.clone();
        self.fast[slot] = Some(b.clone());
        Some(b)
    }

    /// Add the block just translated for `key`, whose code lies on `pages` (page addresses
    /// that identify it for invalidation): kept at tier 0, or optimized and compiled.
    pub fn add(&mut self, key: K, blk: Block, pages: &[u64]) -> Arc<Tb> {
        let pages = Pages::new(pages);
        let tiered = self.cfg.tiered && self.jit.is_some();
        let b = if tiered {
            let (bytes, serial) = (blk.heap_bytes(), self.next_serial);
            self.next_serial += 1;
            self.queue_tier0(key, bytes, serial);
            Arc::new(Tb {
                key: key.words(),
                ir: blk,
                host: AtomicUsize::new(NO_HOST),
                tier0: true,
                serial,
                ir_bytes: bytes,
                runs: AtomicU32::new(0),
                exits: Default::default(),
                region: false,
                pages,
            })
        } else {
            self.compile(key, blk, pages)
        };
        self.insert(key, b.clone());
        b
    }

    /// Queue a new tier-0 block of `bytes` of IR; past [`TIER0_BUDGET`], forget the oldest
    /// tier-0 blocks that have not run since they were queued (one that has goes to the back
    /// again, so blocks that keep running stay until they are compiled). A tier-0 block is
    /// not compiled: no compiled code, chained exit or lookup entry leads to it. Entries of
    /// blocks that left tier 0 since (compiled or forgotten) are dropped as they come up.
    fn queue_tier0(&mut self, key: K, bytes: usize, serial: u64) {
        self.tier0.push_back(Queued { key, runs: 0, serial });
        self.tier0_bytes += bytes;
        while self.tier0_bytes > TIER0_BUDGET {
            let Some(q) = self.tier0.pop_front() else { break };
            let now = match self.cache.get(&q.key) {
                Some(tb) if tb.tier0 && tb.serial == q.serial => tb.runs.load(Relaxed),
                _ => continue,
            };
            if now > q.runs {
                // It ran since it was queued: a second chance at the back.
                self.tier0.push_back(Queued { runs: now, ..q });
                continue;
            }
            // Its key stays in its pages' lists until `insert` compacts them (removing it
            // now meant a scan of the page's list per block forgotten).
            if let Some(tb) = self.forget(q.key) {
                if tb.pages.as_slice().len() > 1 {
                    self.crossing.retain(|&k| k != q.key);
                }
            }
        }
    }

    /// `tb` is no longer in the cache: a tier-0 block's IR leaves the budget's count.
    fn left(&mut self, tb: &Tb) {
        if tb.tier0 {
            debug_assert!(self.tier0_bytes >= tb.ir_bytes);
            self.tier0_bytes -= tb.ir_bytes;
        }
    }

    fn insert(&mut self, key: K, b: Arc<Tb>) {
        if let Some(old) = self.cache.insert(key, b.clone()) {
            self.left(&old);
        }
        for &p in b.pages.as_slice() {
            let keys = self.by_page.entry(p).or_default();
            keys.push(key);
            if keys.len() >= 32 && keys.len().is_power_of_two() {
                // Drop the keys of blocks forgotten since (evicted tier-0 blocks leave theirs)
                // and repeats: repeats never reach half of a list of 32 or more.
                let cache = &self.cache;
                keys.retain(|k| cache.get(k).is_some_and(|tb| tb.pages.as_slice().contains(&p)));
                keys.sort_unstable_by_key(|k| k.words());
                keys.dedup();
            }
        }
        if b.pages.as_slice().len() > 1 {
            self.crossing.push(key);
        }
        self.fast[slot_of(key.pc())] = Some(b);
    }

    /// Count a run of `tb`; a tier-0 block that ran often enough is optimized and compiled
    /// in place of the old one.
    #[inline]
    pub fn tier_up(&mut self, key: K, tb: Arc<Tb>) -> Arc<Tb> {
        if !tb.tier0 {
            return tb;
        }
        let runs = tb.runs.load(Relaxed);
        if runs < TIER_UP {
            tb.runs.store(runs + 1, Relaxed);
            return tb;
        }
        let b = self.replace(key, &tb, tb.ir.clone(), false);
        // The same exits, compiled: what the runs showed still holds.
        for (to, from) in b.exits.iter().zip(&tb.exits) {
            to.store(from.load(Relaxed), Relaxed);
        }
        b
    }

    /// Whether `tb` (tier 0) is compiled the next time it runs: the moment to translate it
    /// again as a region instead ([`replace`](Self::replace); [`exits`](Self::exits) tells what
    /// the runs at tier 0 showed).
    pub fn tiers_up_next(&self, tb: &Tb) -> bool {
        tb.tier0 && tb.runs.load(Relaxed) >= TIER_UP
    }

    /// The `goto_tb` exits 0 and 1 of block `key`: how often its runs at tier 0 took each,
    /// and the guest PC and context each leads to.
    pub fn exits(&self, key: K) -> [Option<(u32, u64, u64)>; 2] {
        let Some(tb) = self.cache.get(&key).filter(|tb| !tb.region) else { return [None, None] };
        let mut targets = [None; 2];
        match (tb.host(), self.jit.as_ref()) {
            (Some(id), Some(jit)) => targets = [0, 1].map(|s| jit.goto_target(id, s)),
            // A block's exits are its last ops.
            _ => {
                for op in tb.ir.ops.iter().rev().take(8) {
                    if let crate::ir::Op::Exit(crate::ir::Exit::GotoTb { slot: s @ 0..=1, pc, ctx }) = *op {
                        targets[s as usize] = Some((pc, ctx));
                    }
                }
            }
        }
        [0usize, 1].map(|s| targets[s].map(|(pc, ctx)| (tb.exits[s].load(Relaxed) as u32, pc, ctx)))
    }

    /// Compile `blk` (a translation of the block for `key`, as `tb` is, on the same pages) in
    /// place of `tb`; with `region`, `blk` is a region (`translate::translate_region`).
    pub fn replace(&mut self, key: K, tb: &Tb, blk: Block, region: bool) -> Arc<Tb> {
        let mut b = self.compile(key, blk, tb.pages.clone());
        if let Some(new) = Arc::get_mut(&mut b) {
            new.region = region;
        }
        if let Some(e) = self.cache.get_mut(&key) {
            let old = std::mem::replace(e, b.clone());
            self.left(&old);
            self.fast[slot_of(key.pc())] = Some(b.clone());
        } else {
            // Compiling flushed everything, page lists included.
            self.insert(key, b.clone());
        }
        b
    }

    /// Optimize `blk` and compile it (or keep it for the interpreter). Never inlined:
    /// `bench/insns.sh` finds compile time under this name in a profile.
    #[inline(never)]
    fn compile(&mut self, key: K, mut blk: Block, pages: Pages) -> Arc<Tb> {
        crate::opt::optimize(&mut blk);
        if self.cfg.log_op_opt {
            let t = crate::ir::dump_block(&blk).replacen("OP:", "OP after optimization:", 1);
            let _ = self.log.write_all(t.as_bytes());
        }
        let (mut host, mut flushed) = (None, false);
        if let Some(jit) = self.jit.as_mut() {
            match jit.compile(&blk) {
                Ok((id, f)) => {
                    flushed = f;
                    if self.cfg.log_out_asm {
                        if let Some((addr, code, data)) = jit.code_of(id) {
                            let t = format!(
                                "OUT: [size={}]\n{}\n",
                                code.len(),
                                crate::jit::out_asm::format(addr, code, data)
                            );
                            let _ = self.log.write_all(t.as_bytes());
                        }
                    }
                    host = Some(id);
                }
                Err(why) => {
                    if self.cfg.log_out_asm {
                        let _ = writeln!(self.log, "OUT: not compiled ({why:?}); the interpreter runs this block\n");
                    }
                }
            }
        }
        if flushed {
            // Every compiled block is gone (and compiled blocks keep no IR to interpret):
            // forget them all; they are translated again when run.
            self.forget_all();
        }
        if host.is_some() && !self.cfg.keep_ir {
            // Only the interpreter and the check mode read the IR again: keep the block's
            // extent, free the rest.
            blk.ops = Vec::new();
            blk.vals = Vec::new();
        }
        Arc::new(Tb {
            key: key.words(),
            ir: blk,
            host: AtomicUsize::new(host.unwrap_or(NO_HOST)),
            tier0: false,
            serial: 0,
            ir_bytes: 0,
            runs: AtomicU32::new(0),
            exits: Default::default(),
            region: false,
            pages,
        })
    }

    /// Run `tb` (the block for `key`) once: compiled when it is, else interpreted. `cpu` is
    /// the state `env` reads and writes, `pc_off` the PC's offset in it. With chaining, the
    /// exit the last block took is patched to this one first, and indirect jumps learn it.
    #[inline]
    pub fn run(&mut self, tb: &Tb, key: K, env: &mut dyn Env, cpu: *mut u8, pc_off: u32, stepping: bool) -> BlockExit {
        let chain_from = self.chain_from.take();
        let (pc, ctx) = (key.pc(), key.context());
        match (tb.host(), self.jit.as_mut()) {
            (Some(id), Some(jit)) => {
                if self.cfg.chain {
                    if let Some((from, slot)) = chain_from {
                        if jit.goto_target(from, slot) == Some((pc, ctx)) {
                            jit.chain(from, slot, id);
                        }
                    }
                    // A single step must come back after its one block; compiled lookups
                    // know context 0 only.
                    if !stepping && ctx == 0 {
                        jit.set_lookup(pc, id);
                    }
                }
                self.run_compiled(id, env, cpu, pc_off)
            }
            _ => {
                let exit = self.interp.run(&tb.ir, env);
                if let (true, BlockExit::Goto { slot: slot @ 0..=1, .. }) = (tb.tier0, exit) {
                    let n = &tb.exits[slot as usize];
                    n.store(n.load(Relaxed).saturating_add(1), Relaxed);
                }
                exit
            }
        }
    }

    /// Run compiled block `id`; a `goto_tb` exit remembers where to chain from.
    pub fn run_compiled(&mut self, id: usize, env: &mut dyn Env, cpu: *mut u8, pc_off: u32) -> BlockExit {
        let jit = self.jit.as_mut().expect("JIT backend");
        match jit.run(id, cpu, env) {
            JitExit::Goto { from, slot } => {
                if self.cfg.chain {
                    self.chain_from = Some((from, slot));
                }
                BlockExit::Goto { pc: env.read_state(pc_off), slot }
            }
            JitExit::Lookup => BlockExit::Lookup,
            JitExit::Exit => BlockExit::Exit,
            JitExit::Request => {
                self.requested = true;
                BlockExit::Exit
            }
            JitExit::Raise { code, arg, pc, flags } => BlockExit::Raise { code, arg, pc, flags },
            JitExit::Fault { fault, pc, flags } => BlockExit::Fault { fault, pc, flags },
        }
    }

    /// Forget the block for `key` (and its compiled code).
    pub fn drop_block(&mut self, key: K) {
        if let Some(tb) = self.forget(key) {
            if let (Some(id), Some(jit)) = (tb.host(), self.jit.as_mut()) {
                jit.invalidate(id);
            }
        }
    }

    /// Take the block for `key` out of the cache and its direct-mapped front.
    fn forget(&mut self, key: K) -> Option<Arc<Tb>> {
        let tb = self.cache.remove(&key)?;
        self.left(&tb);
        let slot = slot_of(key.pc());
        if matches!(&self.fast[slot], Some(b) if b.key == key.words()) {
            self.fast[slot] = None;
        }
        Some(tb)
    }

    /// Forget the blocks on `pages` (their code was written); compiled code must not chain
    /// on through a stale exit.
    pub fn invalidate_pages(&mut self, pages: impl IntoIterator<Item = u64>) {
        for page in pages {
            if let Some(keys) = self.by_page.remove(&page) {
                for k in keys {
                    self.drop_block(k);
                }
            }
        }
        self.chain_from = None;
        if let Some(jit) = self.jit.as_mut() {
            jit.clear_exit_request();
        }
    }

    /// Forget the blocks whose code spans pages (the mappings changed).
    pub fn drop_crossing(&mut self) {
        for k in std::mem::take(&mut self.crossing) {
            self.drop_block(k);
        }
    }

    /// Forget every block.
    pub fn flush(&mut self) {
        self.forget_all();
        if let Some(j) = self.jit.as_mut() {
            j.flush();
        }
    }

    /// Forget every block and what refers to blocks (the JIT's code is the caller's).
    fn forget_all(&mut self) {
        self.cache.clear();
        self.fast.iter_mut().for_each(|e| *e = None);
        self.by_page.clear();
        self.crossing.clear();
        self.tier0.clear();
        self.tier0_bytes = 0;
        self.chain_from = None;
    }

    /// Do not chain from the last block (the loop must see the next block boundary).
    pub fn unchain(&mut self) {
        self.chain_from = None;
    }
}

#[cfg(test)]
mod tests;
