//! The x86-64 JIT backend (dynasmrt): compiles IR blocks into a bounded code buffer, runs
//! them through a trampoline that sets up the register conventions (see `emit`), chains
//! `goto_tb` exits by patching their jumps, keeps a lookup table for indirect jumps that
//! compiled code consults without returning, and unchains and forgets blocks on
//! invalidation. When the buffer is full everything is flushed at once.
//!
//! This module owns compiled code and its bookkeeping. It does not translate guest code,
//! decide when blocks are stale (the caller says so), or know any guest architecture; a
//! block it cannot compile is reported as unsupported and the caller interprets it.

mod buffer;
pub mod ctx;
mod emit;
pub mod fault;
pub mod out_asm;
mod regalloc;
mod slow_site;

use crate::interp::{Env, MemFault};
use crate::ir::Block;
use buffer::CodeBuffer;
use ctx::{exit, JitCtx, LookupEntry, EMPTY_ENTRY, LOOKUP_ENTRIES};
use dynasmrt::{dynasm, x64::X64Relocation, DynasmApi, DynasmLabelApi, VecAssembler};
pub use emit::Unsupported;
/// The most arguments compiled code passes to a helper (the spec checker's limit must match).
pub const MAX_HELPER_ARGS: usize = emit::MAX_ARGS;
use std::mem::offset_of;

/// Default size of the code buffer.
pub const DEFAULT_BUFFER: usize = 64 << 20;

/// How a compiled block's execution ended (what the dispatcher must do next).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JitExit {
    /// Left block `from` through unchained `goto_tb` slot `slot`; the PC is written.
    Goto {
        from: usize,
        slot: u8,
    },
    /// An indirect jump missed the lookup table; the PC is written.
    Lookup,
    /// `exit_tb`; the PC is written.
    Exit,
    /// The exit request was set; the PC is written (the block that saw it did not run).
    Request,
    Raise {
        code: u32,
        arg: u64,
        pc: u64,
        flags: u32,
    },
    Fault {
        fault: MemFault,
        pc: u64,
        flags: u32,
    },
}

/// A block in the code buffer.
#[derive(Debug)]
struct HostBlock {
    pc: u64,
    entry: usize,
    len: usize,
    /// Bytes of data at the end of its code (`emit::Compiled::data`).
    data: u32,
    /// Its `goto_tb` exits (boxed: exactly as many as it has, kept for the block's life).
    gotos: Box<[emit::GotoSite]>,
    /// (block, goto index) whose jump is patched to this block.
    incoming: Vec<(usize, usize)>,
    live: bool,
    /// Offset of the code after its entry's exit-request check (`emit::Compiled::body_off`).
    body: u32,
    /// Nothing it does asks for an exit (`emit::Compiled::quiet`).
    quiet: bool,
}

/// Fixed parameters of the machine the code runs in.
#[derive(Debug, Clone, Copy)]
pub struct JitConfig {
    /// Offset and size of the guest PC in the CPU state.
    pub pc_offset: u32,
    pub pc_size: u8,
    /// Route every guest memory access through the runtime (the check mode logs them).
    pub all_slow: bool,
    pub buffer_size: usize,
    /// System mode: guest addresses are virtual, looked up inline in the soft TLB's fast
    /// table ([`Jit::set_tlb`]); the guest base is 0.
    pub softmmu: bool,
    /// User mode with host-protected guest memory: accesses are direct, and host faults at
    /// them go to their slow paths ([`fault`]; the embedder installs the handler).
    pub guard: bool,
    /// Helpers compiled code may call directly, by helper number: `f(ctx, cpu, args...)`
    /// returning the result (raising through [`ctx::raise_from_helper`]); `None` (or a
    /// number past the end) goes through `Env::call_helper`.
    pub direct: &'static [Option<usize>],
    /// Compile a `goto_tb` to the block's own start as a jump back inside the block (guest
    /// registers stay in host registers across iterations; the exit request is checked at
    /// the back edge). Only where nothing else needs the block to return between
    /// iterations (user mode without a debugger; not system mode, whose interrupts and
    /// clock are handled between blocks).
    pub self_loops: bool,
}

/// The JIT: code buffer, blocks, chaining and the lookup table.
pub struct Jit {
    buf: CodeBuffer,
    /// The context and, after it, the lookup table, below 2 GiB (`lowmem`).
    low: crate::lowmem::LowBuf,
    ctx: *mut JitCtx,
    lookup: *mut LookupEntry,
    fast: usize,
    trampoline: usize,
    epilogue: usize,
    /// The shared slow path of guest memory accesses (`slow_site`).
    slow_stub: usize,
    tramp_len: usize,
    blocks: Vec<HostBlock>,
    cfg: JitConfig,
    has_popcnt: bool,
    /// Number of full flushes so far.
    pub flushes: u64,
    /// `-perfmap`: one line per compiled block in `/tmp/perf-PID.map` (perf's JIT map format).
    perf_map: Option<std::io::BufWriter<std::fs::File>>,
    /// The direct-access sites of the blocks (`JitConfig::guard`), registered with `fault`.
    faults: Box<fault::FaultMap>,
}

impl std::fmt::Debug for Jit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Jit({} blocks, {:?})", self.blocks.len(), self.buf)
    }
}

type Trampoline = extern "sysv64" fn(*mut JitCtx, *mut u8, usize) -> u64;

/// The pointer to the current context's exit request, for host signal handlers.
static EXIT_REQUEST: std::sync::atomic::AtomicPtr<u8> = std::sync::atomic::AtomicPtr::new(std::ptr::null_mut());

/// Ask running compiled code to return to the dispatcher at the next block entry
/// (async-signal-safe: one atomic load and one byte store).
pub fn request_exit() {
    let p = EXIT_REQUEST.load(std::sync::atomic::Ordering::Acquire);
    if !p.is_null() {
        // SAFETY: the pointer is the `exit_request` byte of the live context registered by
        // `Jit::new` (cleared again when that Jit is dropped).
        unsafe { std::ptr::write_volatile(p, 1) };
    }
}

impl Jit {
    pub fn new(cfg: JitConfig) -> std::io::Result<Jit> {
        let mut buf = CodeBuffer::new(cfg.buffer_size)?;
        let base = buf.cursor();
        let mut ops = VecAssembler::<X64Relocation>::new(base);
        let frame = emit::FRAME + 8;
        dynasm!(ops ; .arch x64
            ; push rbp ; push rbx ; push r12 ; push r13 ; push r14 ; push r15
            ; sub rsp, frame
            ; mov QWORD [rsp], rdi
            ; mov rbp, rsi
            ; mov r15, QWORD [rdi + offset_of!(JitCtx, guest_base) as i32]
            ; jmp rdx
        );
        let ep_off = ops.offset().0;
        dynasm!(ops ; .arch x64
            ; ->epilogue:
            ; add rsp, frame
            ; pop r15 ; pop r14 ; pop r13 ; pop r12 ; pop rbx ; pop rbp
            ; ret
        );
        // The slow-path stub (`slow_site`): called from a site with its descriptor in rax
        // and rsp 16-byte aligned; saves every register as the image, calls the handler with
        // the context (the frame's first word) and the image, then resumes at the site or
        // leaves through the epilogue with the handler's exit kind.
        let stub_off = ops.offset().0;
        let handler = slow_site::slow_site as *const () as usize as i64;
        let to_frame = slow_site::FRAME_FROM_IMAGE as i32;
        dynasm!(ops ; .arch x64
            ; push r15 ; push r14 ; push r13 ; push r12 ; push r11 ; push r10 ; push r9 ; push r8
            ; push rdi ; push rsi ; push rbp ; push rsp ; push rbx ; push rdx ; push rcx ; push rax
            ; mov rsi, rsp
            ; mov rdi, QWORD [rsp + to_frame]
            ; sub rsp, 8
            ; mov rax, QWORD handler
            ; call rax
            ; add rsp, 8
            ; test rax, rax
            ; jnz >out
            ; pop rax ; pop rcx ; pop rdx ; pop rbx ; add rsp, 8 ; pop rbp ; pop rsi ; pop rdi
            ; pop r8 ; pop r9 ; pop r10 ; pop r11 ; pop r12 ; pop r13 ; pop r14 ; pop r15
            ; ret
            ; out:
            ; add rsp, to_frame
            ; jmp ->epilogue
        );
        let code = ops.finalize().map_err(|e| std::io::Error::other(format!("{e:?}")))?;
        let at = buf.push(&code).ok_or_else(|| std::io::Error::other("code buffer too small"))?;
        let tramp_len = buf.used();
        let ctx_size = (std::mem::size_of::<JitCtx>() + 63) & !63;
        let low = crate::lowmem::LowBuf::new(ctx_size + LOOKUP_ENTRIES * std::mem::size_of::<LookupEntry>())?;
        if !low.is_low() {
            return Err(std::io::Error::other("no host memory below 2 GiB for the JIT's context (MAP_32BIT)"));
        }
        let ctx: *mut JitCtx = low.as_ptr().cast();
        // SAFETY: `low` is at least `ctx_size + table` bytes, 64-byte aligned (page aligned),
        // owned by the Jit and freed only in its Drop after the context is dropped.
        let lookup: *mut LookupEntry = unsafe {
            ctx.write(*JitCtx::new());
            (*ctx).lookup = low.as_ptr().add(ctx_size).cast();
            let lookup = (*ctx).lookup;
            for i in 0..LOOKUP_ENTRIES {
                lookup.add(i).write(EMPTY_ENTRY);
            }
            EXIT_REQUEST.store(&mut (*ctx).exit_request, std::sync::atomic::Ordering::Release);
            lookup
        };
        let mut j = Jit {
            buf,
            low,
            ctx,
            lookup,
            fast: 0,
            trampoline: at,
            epilogue: at + ep_off,
            slow_stub: at + stub_off,
            tramp_len,
            blocks: Vec::new(),
            cfg,
            has_popcnt: std::arch::is_x86_feature_detected!("popcnt"),
            flushes: 0,
            perf_map: None,
            faults: Box::default(),
        };
        if cfg.guard {
            let (lo, hi) = j.buf.range();
            fault::register(&mut *j.faults, lo, hi);
        }
        Ok(j)
    }

    /// Where guest memory is (guest address 0) and its per-page fast-access table.
    /// Fails when the table is not below 2 GiB.
    pub fn set_memory(&mut self, guest_base: *mut u8, fast_pages: *const u8) -> Result<(), String> {
        if fast_pages as usize + (1 << 20) >= 1 << 31 {
            return Err("the page table for compiled code is not below 2 GiB".into());
        }
        self.ctx().guest_base = guest_base;
        self.ctx().fast_pages = fast_pages;
        self.fast = fast_pages as usize;
        Ok(())
    }

    /// System mode: the fast table (`softmmu::tlb::FastEntry`s) compiled code looks guest
    /// addresses up in, set before each block runs (it changes with the MMU mode).
    pub fn set_tlb(&mut self, table: *const u8) {
        self.ctx().tlb = table;
    }

    /// Name every block compiled from now on in `/tmp/perf-PID.map`, where `perf report`
    /// looks for the symbols of JIT code (as QEMU's `-perfmap`). Best effort: a file that
    /// cannot be created leaves the map off.
    pub fn enable_perf_map(&mut self) {
        let path = format!("/tmp/perf-{}.map", std::process::id());
        self.perf_map = std::fs::File::create(path).ok().map(std::io::BufWriter::new);
    }

    fn ctx(&mut self) -> &mut JitCtx {
        // SAFETY: `ctx` points at the context written in `new`, alive until Drop; `&mut self`
        // makes this the only reference the runtime holds (compiled code is not running).
        unsafe { &mut *self.ctx }
    }

    fn ctx_ref(&self) -> &JitCtx {
        // SAFETY: as in `ctx`.
        unsafe { &*self.ctx }
    }

    fn lookup(&mut self) -> &mut [LookupEntry] {
        // SAFETY: the table written in `new`, LOOKUP_ENTRIES entries, alive until Drop.
        unsafe { std::slice::from_raw_parts_mut(self.lookup, LOOKUP_ENTRIES) }
    }

    /// Route every guest memory access of blocks compiled from now on through the runtime
    /// (`JitConfig::all_slow`), for example while a debugger watches memory. A change flushes
    /// every block (the caller forgets their ids, as after a flushing `compile`); returns
    /// whether it did.
    pub fn set_all_slow(&mut self, on: bool) -> bool {
        if self.cfg.all_slow == on {
            return false;
        }
        self.cfg.all_slow = on;
        self.flush();
        true
    }

    /// The exit-request byte itself, for a test that sets it from another thread while
    /// compiled code runs (as a signal handler does through [`request_exit`]).
    #[cfg(test)]
    pub(crate) fn exit_request_byte(&mut self) -> *mut u8 {
        &mut self.ctx().exit_request
    }

    /// Set the exit request (the next block entry returns to the dispatcher).
    pub fn request_exit(&mut self) {
        self.ctx().exit_request = 1;
    }

    fn target(&self) -> emit::Target {
        emit::Target {
            pc_offset: self.cfg.pc_offset,
            pc_size: self.cfg.pc_size,
            epilogue: self.epilogue,
            all_slow: self.cfg.all_slow,
            has_popcnt: self.has_popcnt,
            ctx: self.ctx as usize as i32,
            lookup: self.lookup as usize as i32,
            fast: self.fast as i32,
            softmmu: self.cfg.softmmu,
            guard: self.cfg.guard,
            direct: self.cfg.direct,
            self_loops: self.cfg.self_loops,
            slow_stub: self.slow_stub,
        }
    }

    /// Compile `b`. Returns the block's id and whether the buffer was flushed first (then
    /// every earlier id is gone and the caller must forget them).
    pub fn compile(&mut self, b: &Block) -> Result<(usize, bool), Unsupported> {
        let mut flushed = false;
        for attempt in 0..2 {
            let id = self.blocks.len();
            let base = self.buf.cursor();
            let c = emit::compile(b, base, id as u64, self.target())?;
            match self.buf.push(&c.code) {
                Some(entry) => {
                    debug_assert_eq!(entry, base);
                    self.faults.add(entry, c.faults);
                    if let Some(m) = self.perf_map.as_mut() {
                        use std::io::Write as _;
                        let _ = writeln!(m, "{:x} {:x} guest_{:x}", entry, c.code.len(), b.pc);
                        let _ = m.flush();
                    }
                    self.blocks.push(HostBlock {
                        pc: b.pc,
                        entry,
                        len: c.code.len(),
                        data: c.data as u32,
                        gotos: c.gotos.into_boxed_slice(),
                        incoming: Vec::new(),
                        live: true,
                        body: c.body_off as u32,
                        quiet: c.quiet,
                    });
                    return Ok((id, flushed));
                }
                None if attempt == 0 => {
                    self.flush();
                    flushed = true;
                }
                None => break,
            }
        }
        Err(Unsupported::Assembler("block larger than the code buffer".into()))
    }

    /// Forget every block.
    pub fn flush(&mut self) {
        self.blocks.clear();
        self.faults.clear();
        self.lookup().fill(EMPTY_ENTRY);
        self.buf.reset_to(self.tramp_len);
        self.flushes += 1;
    }

    /// Run block `id` on the CPU state at `cpu` (the state the IR's global offsets refer
    /// to) until compiled code returns.
    pub fn run(&mut self, id: usize, cpu: *mut u8, env: &mut dyn Env) -> JitExit {
        let entry = self.blocks[id].entry;
        // SAFETY (lifetime erasure): the pointer is used only by the entry points in `ctx`
        // while compiled code runs below, inside this call, where `env` is borrowed.
        let env_ptr: *mut (dyn Env + 'static) = unsafe { std::mem::transmute(env as *mut dyn Env) };
        self.ctx().env = Some(env_ptr);
        // SAFETY: `trampoline` is the code assembled in `new` with the signature of
        // `Trampoline`; `cpu` is the live CPU state the blocks were compiled for; `entry` is
        // a block compiled into this buffer (not flushed since: ids are dropped on flush).
        let kind = unsafe {
            let f: Trampoline = std::mem::transmute(self.trampoline);
            f(self.ctx, cpu, entry)
        };
        let c = self.ctx();
        c.env = None;
        match kind & 0xff {
            exit::GOTO => JitExit::Goto { from: (kind >> 16) as usize, slot: (kind >> 8) as u8 },
            exit::LOOKUP => JitExit::Lookup,
            exit::EXIT => JitExit::Exit,
            exit::REQUEST => {
                c.exit_request = 0;
                JitExit::Request
            }
            exit::RAISE => {
                c.raised = 0;
                JitExit::Raise { code: c.code as u32, arg: c.arg, pc: c.insn_pc, flags: c.insn_flags as u32 }
            }
            _ => {
                c.raised = 0;
                JitExit::Fault {
                    fault: MemFault { addr: c.fault_addr, write: c.fault_write != 0, protection: c.fault_prot != 0 },
                    pc: c.insn_pc,
                    flags: c.insn_flags as u32,
                }
            }
        }
    }

    /// Whether the exit request is pending (it is cleared when a block sees it).
    pub fn exit_requested(&self) -> bool {
        self.ctx_ref().exit_request != 0
    }

    pub fn clear_exit_request(&mut self) {
        self.ctx().exit_request = 0;
    }

    /// The guest PC and persistent context a `goto_tb` slot of block `from` leads to.
    pub fn goto_target(&self, from: usize, slot: u8) -> Option<(u64, u64)> {
        self.blocks.get(from)?.gotos.iter().find(|g| g.slot == slot).map(|g| (g.target_pc, g.target_ctx))
    }

    /// Patch `from`'s exit `slot` to jump straight into block `to`.
    pub fn chain(&mut self, from: usize, slot: u8, to: usize) {
        if from >= self.blocks.len() || to >= self.blocks.len() || !self.blocks[from].live || !self.blocks[to].live {
            return;
        }
        let Some(gi) = self.blocks[from].gotos.iter().position(|g| g.slot == slot) else { return };
        let g = self.blocks[from].gotos[gi];
        let site = self.blocks[from].entry + g.disp_off;
        // A chained jump from a block that cannot ask for an exit itself, to a block further
        // on in guest memory, skips the target's exit-request check: a cycle of chained
        // blocks must go back somewhere, and there (or in a block that stores or calls) the
        // check is made, so a request is still seen within a bounded number of blocks.
        let (fb, tb) = (&self.blocks[from], &self.blocks[to]);
        let target = if fb.quiet && tb.pc > fb.pc { tb.entry + tb.body as usize } else { tb.entry };
        let rel = target as i64 - (site as i64 + 4);
        self.buf.patch_u32(site, rel as i32 as u32);
        let incoming = &mut self.blocks[to].incoming;
        if incoming.capacity() == 0 {
            // Most blocks are chained to from one or two places: no room for four.
            incoming.reserve_exact(1);
        }
        incoming.push((from, gi));
    }

    /// Make `pc` → block `id` known to indirect jumps. Only blocks of persistent context 0
    /// belong here (compiled lookups compare the PC alone, and only exits in context 0 make
    /// them); the caller checks.
    pub fn set_lookup(&mut self, pc: u64, id: usize) {
        if let Some(b) = self.blocks.get(id).filter(|b| b.live) {
            let i = ((pc >> 2) as usize) & (LOOKUP_ENTRIES - 1);
            let host = b.entry;
            self.lookup()[i] = LookupEntry { pc, host };
        }
    }

    /// Block `id` is stale: nothing may enter it any more (patched jumps go back to their
    /// stubs, its lookup entry is cleared). Its code stays until the next flush.
    pub fn invalidate(&mut self, id: usize) {
        let Some(b) = self.blocks.get_mut(id) else { return };
        if !b.live {
            return;
        }
        b.live = false;
        let (pc, entry) = (b.pc, b.entry);
        let incoming = std::mem::take(&mut b.incoming);
        for (from, gi) in incoming {
            let fb = &self.blocks[from];
            let g = fb.gotos[gi];
            let site = fb.entry + g.disp_off;
            let stub = fb.entry + g.stub_off;
            let rel = stub as i64 - (site as i64 + 4);
            self.buf.patch_u32(site, rel as i32 as u32);
        }
        let i = ((pc >> 2) as usize) & (LOOKUP_ENTRIES - 1);
        if self.lookup()[i].host == entry {
            self.lookup()[i] = EMPTY_ENTRY;
        }
    }

    /// The host code of block `id` (for `-d out_asm`): address, bytes, and how many of
    /// those at the end are data.
    pub fn code_of(&self, id: usize) -> Option<(usize, &[u8], usize)> {
        let b = self.blocks.get(id)?;
        Some((b.entry, self.buf.bytes(b.entry, b.len), b.data as usize))
    }

    /// Turn on the memory-write log (check mode) and take what it holds.
    pub fn take_undo_log(&mut self) -> Vec<(u64, crate::ir::MemOp, u64)> {
        self.ctx().undo.replace(Vec::new()).unwrap_or_default()
    }

    /// Bytes of code in the buffer.
    pub fn code_bytes(&self) -> usize {
        self.buf.used()
    }
}

// SAFETY: every raw pointer in a `Jit` points into memory the `Jit` owns exclusively (its
// code buffer and its low-memory context and tables); nothing else keeps those pointers
// except `EXIT_REQUEST`, through which any thread may only store one byte. Moving the
// `Jit` to another thread moves that ownership; compiled code only runs inside `&mut self`.
unsafe impl Send for Jit {}

impl Drop for Jit {
    fn drop(&mut self) {
        fault::unregister(&mut *self.faults);
        let _ = EXIT_REQUEST.compare_exchange(
            &mut self.ctx().exit_request,
            std::ptr::null_mut(),
            std::sync::atomic::Ordering::AcqRel,
            std::sync::atomic::Ordering::Relaxed,
        );
        // SAFETY: the context written in `new`, dropped once, before `low` is unmapped.
        unsafe { std::ptr::drop_in_place(self.ctx) };
        let _ = self.low.len();
    }
}
