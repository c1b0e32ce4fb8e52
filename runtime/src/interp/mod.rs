//! The IR interpreter: the portable reference backend. Executes one block against an
//! [`Env`] (CPU state, guest memory, helpers) and reports how the block ended. Knows no
//! guest architecture.

use crate::ir::{ext_bits as ext, Block, Exit, MemOp, Op, Ty, ValKind};

/// A guest memory access that failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MemFault {
    pub addr: u64,
    pub write: bool,
    /// The page is mapped but the access is not allowed (else: unmapped).
    pub protection: bool,
}

/// What the interpreter needs from the machine it runs in.
pub trait Env {
    fn read_state(&self, off: u32) -> u64;
    fn write_state(&mut self, off: u32, v: u64);
    fn load(&mut self, addr: u64, mem: MemOp) -> Result<u64, MemFault>;
    fn store(&mut self, addr: u64, v: u64, mem: MemOp) -> Result<(), MemFault>;
    /// Run helper `id`; `Err(code, arg)` when the helper raised a guest exception.
    fn call_helper(&mut self, id: u32, args: &[u64]) -> Result<u64, (u32, u64)>;
    /// Whether stores since the last check wrote memory that holds translated code (compiled
    /// code then returns to the dispatcher before running another block).
    fn code_dirty(&self) -> bool {
        false
    }
}

/// How a block's execution ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BlockExit {
    /// Continue at `pc`; `slot` is the chainable exit it left through.
    Goto { pc: u64, slot: u8 },
    /// Continue at the guest PC in the state (an indirect jump).
    Lookup,
    /// Back to the dispatcher; the guest PC is in the state.
    Exit,
    /// A guest exception at the instruction `pc` (its insn_start flags given).
    Raise { code: u32, arg: u64, pc: u64, flags: u32 },
    /// A memory fault at the instruction `pc`.
    Fault { fault: MemFault, pc: u64, flags: u32 },
}

/// Reusable interpreter state (scratch value storage).
#[derive(Debug, Default)]
pub struct Interp {
    vals: Vec<u64>,
    labels: Vec<usize>,
    globals: Vec<(usize, u32, Ty)>,
    args: Vec<u64>,
    /// Number of guest instructions started (for statistics and `-d exec`).
    pub insns: u64,
}

impl Interp {
    /// Execute `b` once.
    pub fn run(&mut self, b: &Block, env: &mut dyn Env) -> BlockExit {
        self.vals.clear();
        self.vals.resize(b.vals.len(), 0);
        // Constants and globals (the list is kept between runs to avoid allocating).
        let mut globals = std::mem::take(&mut self.globals);
        globals.clear();
        for (i, v) in b.vals.iter().enumerate() {
            match &v.kind {
                ValKind::Const(c) => self.vals[i] = *c,
                ValKind::Global { offset, .. } => {
                    self.vals[i] = env.read_state(*offset) & v.ty.mask();
                    globals.push((i, *offset, v.ty));
                }
                ValKind::Temp => {}
            }
        }
        self.labels.clear();
        self.labels.resize(b.labels as usize, usize::MAX);
        for (i, op) in b.ops.iter().enumerate() {
            if let Op::Label(l) = op {
                self.labels[l.0 as usize] = i;
            }
        }
        let exit = self.exec(b, env, &globals);
        self.globals = globals;
        exit
    }

    fn exec(&mut self, b: &Block, env: &mut dyn Env, globals: &[(usize, u32, Ty)]) -> BlockExit {
        let flush = |vals: &[u64], env: &mut dyn Env| {
            for &(i, off, _) in globals {
                env.write_state(off, vals[i]);
            }
        };
        let reload = |vals: &mut [u64], env: &mut dyn Env| {
            for &(i, off, ty) in globals {
                vals[i] = env.read_state(off) & ty.mask();
            }
        };
        let (mut cur_pc, mut cur_flags) = (b.pc, 0u32);
        let mut ip = 0usize;
        let ops = &b.ops;
        while ip < ops.len() {
            let op = &ops[ip];
            ip += 1;
            let ty = |v: crate::ir::Val| b.vals[v.0 as usize].ty;
            match op {
                Op::InsnStart { pc, flags } => {
                    cur_pc = *pc;
                    cur_flags = *flags;
                    self.insns += 1;
                }
                Op::Mov { dst, src } => {
                    self.vals[dst.0 as usize] = self.vals[src.0 as usize] & ty(*dst).mask();
                }
                Op::Bin { op, dst, a, b: y } => {
                    let t = ty(*dst);
                    self.vals[dst.0 as usize] = op.eval(t, self.vals[a.0 as usize], self.vals[y.0 as usize]);
                }
                Op::Un { op, dst, a } => {
                    self.vals[dst.0 as usize] = op.eval(ty(*dst), self.vals[a.0 as usize]);
                }
                Op::Ext { dst, src, bits, signed } => {
                    self.vals[dst.0 as usize] = ext(self.vals[src.0 as usize], *bits, *signed, ty(*dst));
                }
                Op::Extract { dst, src, ofs, len, signed } => {
                    let v = self.vals[src.0 as usize] >> *ofs;
                    self.vals[dst.0 as usize] = ext(v, *len, *signed, ty(*dst));
                }
                Op::Deposit { dst, base, val, ofs, len } => {
                    let m = if *len >= 64 { u64::MAX } else { ((1u64 << *len) - 1) << *ofs };
                    let v = (self.vals[base.0 as usize] & !m) | ((self.vals[val.0 as usize] << *ofs) & m);
                    self.vals[dst.0 as usize] = v & ty(*dst).mask();
                }
                Op::Setcond { cond, dst, a, b: y } => {
                    let c = cond.eval(ty(*a), self.vals[a.0 as usize], self.vals[y.0 as usize]);
                    self.vals[dst.0 as usize] = c as u64;
                }
                Op::Movcond { cond, dst, a, b: y, t, f } => {
                    let c = cond.eval(ty(*a), self.vals[a.0 as usize], self.vals[y.0 as usize]);
                    let v = if c { self.vals[t.0 as usize] } else { self.vals[f.0 as usize] };
                    self.vals[dst.0 as usize] = v & ty(*dst).mask();
                }
                Op::Mul2 { signed, lo, hi, a, b: y } => {
                    let t = ty(*a);
                    let (x, z) = (self.vals[a.0 as usize], self.vals[y.0 as usize]);
                    let (l, h) = match (t, signed) {
                        (Ty::I32, false) => {
                            let p = x * z;
                            (p & 0xffff_ffff, p >> 32)
                        }
                        (Ty::I32, true) => {
                            let p = (x as u32 as i32 as i64) * (z as u32 as i32 as i64);
                            (p as u64 & 0xffff_ffff, (p >> 32) as u64 & 0xffff_ffff)
                        }
                        (Ty::I64, false) => {
                            let p = (x as u128) * (z as u128);
                            (p as u64, (p >> 64) as u64)
                        }
                        (Ty::I64, true) => {
                            let p = (x as i64 as i128) * (z as i64 as i128);
                            (p as u64, (p >> 64) as u64)
                        }
                    };
                    self.vals[lo.0 as usize] = l;
                    self.vals[hi.0 as usize] = h;
                }
                Op::Load { dst, addr, mem } => match env.load(self.vals[addr.0 as usize], *mem) {
                    Ok(v) => {
                        let v = if mem.signed { ext(v, mem.size * 8, true, ty(*dst)) } else { v };
                        self.vals[dst.0 as usize] = v & ty(*dst).mask();
                    }
                    Err(fault) => {
                        flush(&self.vals, env);
                        return BlockExit::Fault { fault, pc: cur_pc, flags: cur_flags };
                    }
                },
                Op::Store { val, addr, mem } => {
                    if let Err(fault) = env.store(self.vals[addr.0 as usize], self.vals[val.0 as usize], *mem) {
                        flush(&self.vals, env);
                        return BlockExit::Fault { fault, pc: cur_pc, flags: cur_flags };
                    }
                }
                Op::LoadState { dst, base, index, scale } => {
                    flush(&self.vals, env);
                    let off = *base as u64 + self.vals[index.0 as usize] * *scale as u64;
                    self.vals[dst.0 as usize] = env.read_state(off as u32) & ty(*dst).mask();
                }
                Op::StoreState { val, base, index, scale } => {
                    flush(&self.vals, env);
                    let off = *base as u64 + self.vals[index.0 as usize] * *scale as u64;
                    env.write_state(off as u32, self.vals[val.0 as usize]);
                    reload(&mut self.vals, env);
                }
                Op::Call(c) => {
                    let (helper, args, ret, flags) = (&c.helper, &c.args, &c.ret, &c.flags);
                    let mut a = std::mem::take(&mut self.args);
                    a.clear();
                    a.extend(args.iter().map(|v| self.vals[v.0 as usize]));
                    if flags.reads_state || flags.writes_state || flags.may_raise {
                        flush(&self.vals, env);
                    }
                    let r = env.call_helper(*helper, &a);
                    self.args = a;
                    match r {
                        Ok(r) => {
                            if let Some(rv) = ret {
                                self.vals[rv.0 as usize] = r & ty(*rv).mask();
                            }
                            if flags.writes_state {
                                reload(&mut self.vals, env);
                            }
                        }
                        Err((code, arg)) => {
                            return BlockExit::Raise { code, arg, pc: cur_pc, flags: cur_flags };
                        }
                    }
                }
                Op::Raise { code, arg } => {
                    flush(&self.vals, env);
                    return BlockExit::Raise {
                        code: *code,
                        arg: self.vals[arg.0 as usize],
                        pc: cur_pc,
                        flags: cur_flags,
                    };
                }
                Op::Label(_) => {}
                Op::Br(l) => ip = self.labels[l.0 as usize],
                Op::Brcond { cond, a, b: y, label } => {
                    if cond.eval(ty(*a), self.vals[a.0 as usize], self.vals[y.0 as usize]) {
                        ip = self.labels[label.0 as usize];
                    }
                }
                Op::Exit(e) => {
                    flush(&self.vals, env);
                    return match e {
                        Exit::GotoTb { slot, pc, .. } => BlockExit::Goto { pc: *pc, slot: *slot },
                        Exit::LookupAndGoto { .. } => BlockExit::Lookup,
                        Exit::ExitTb => BlockExit::Exit,
                    };
                }
            }
        }
        flush(&self.vals, env);
        BlockExit::Exit
    }
}
