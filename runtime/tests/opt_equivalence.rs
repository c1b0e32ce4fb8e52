//! The optimizer preserves meaning: blocks translated from random MIPS instruction words are
//! run on the IR interpreter before and after optimization from the same random state; the
//! final CPU state, the block exit and every memory write must be identical.

use specemu_runtime::interp::{BlockExit, Interp};
use specemu_runtime::ir::Block;
use specemu_runtime::opt::optimize;
use specemu_runtime::targets::mips::testing::{fetch_from, FakeEnv};
use specemu_runtime::targets::mips::{frontend::MipsFrontend, mips};
use specemu_runtime::tb::translate::{translate, Limits};

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

/// Addresses in the top page fault, so fault paths are compared too.
fn top_page(addr: u64) -> bool {
    addr & 0xffff_f000 == 0xffff_f000
}

#[test]
fn optimized_blocks_behave_like_unoptimized_ones() {
    let mut rng = Rng(0x0123_4567_89ab_cdef);
    let mut compared = 0;
    for round in 0..3000 {
        let be = round % 2 == 1;
        // A few random words, biased toward common opcodes by taking the top bits from a list.
        let words: Vec<u32> = (0..8)
            .map(|_| {
                let w = rng.next() as u32;
                let ops =
                    [0x00u32, 0x08, 0x09, 0x0c, 0x0d, 0x0f, 0x23, 0x2b, 0x04, 0x05, 0x1c, 0x1f, 0x11, 0x0a, 0x20, 0x24];
                if rng.next().is_multiple_of(4) {
                    w
                } else {
                    (w & 0x03ff_ffff) | ops[(rng.next() % ops.len() as u64) as usize] << 26
                }
            })
            .collect();
        let (x1, _) = check_words(&words, be, &mut rng, &format!("round {round}"));
        // Reserved Instruction at the first word: nothing ran. (At a later one, from an
        // undecodable word or a branch in a delay slot, the instructions before it ran.)
        if !matches!(x1, BlockExit::Raise { code: 10, pc: 0x1000, .. }) {
            compared += 1;
        }
    }
    assert!(compared > 1000, "too few blocks ran past decoding: {compared}");
}

/// Translate `words` into one block, run it raw and optimized from the same random state
/// and assert they agree (exit, stores, final state); the exit and the optimized block are
/// returned.
fn check_words(words: &[u32], be: bool, rng: &mut Rng, what: &str) -> (BlockExit, Block) {
    let fe = MipsFrontend { big_endian: be };
    let mut code = Vec::new();
    for w in words {
        code.extend_from_slice(&if be { w.to_be_bytes() } else { w.to_le_bytes() });
    }
    let base = 0x1000u64;
    let mut fetch = fetch_from(&code, base);
    let raw =
        translate(&fe, base, 0, &mut fetch, Limits { max_insns: words.len() as u32, page_size: 4096, side_exits: 2 });
    let mut opt = raw.clone();
    optimize(&mut opt);
    let mut cpu = mips::CpuState::default();
    for r in 1..32 {
        cpu.gpr[r] = match rng.next() % 4 {
            0 => 0,
            1 => 0xffff_fff0 | (rng.next() as u32 & 15),
            _ => rng.next() as u32,
        };
    }
    cpu.hi = rng.next() as u32;
    cpu.lo = rng.next() as u32;
    cpu.pc = base as u32;
    cpu.status = 0x2000_0010;
    let mut e1 = FakeEnv::new(cpu.clone(), top_page);
    let mut e2 = FakeEnv::new(cpu, top_page);
    let x1 = Interp::default().run(&raw, &mut e1);
    let x2 = Interp::default().run(&opt, &mut e2);
    let ctx = || {
        format!(
            "{what} ({}) words {words:08x?}\nraw:\n{}\noptimized:\n{}",
            if be { "BE" } else { "LE" },
            specemu_runtime::ir::dump_block(&raw),
            specemu_runtime::ir::dump_block(&opt)
        )
    };
    assert_eq!(x1, x2, "different exits\n{}", ctx());
    assert_eq!(e1.stores, e2.stores, "different stores\n{}", ctx());
    assert_eq!(e1.cpu, e2.cpu, "different state\n{}", ctx());
    assert!(opt.ops.len() <= raw.ops.len());
    (x1, opt)
}

/// Compare-and-branch idioms (`slt[u] d,a,b; beq|bne d,$0,L`, with the delay slot writing
/// `d`, `a` or something else): the optimizer turns tests of flags into comparisons.
#[test]
fn compare_and_branch_idioms_keep_their_meaning() {
    let mut rng = Rng(0x005e_ed0f_f1a9);
    let mut fused = 0;
    for round in 0..3000 {
        let be = round % 2 == 1;
        let r = |rng: &mut Rng| (rng.next() % 8) as u32 + if rng.next().is_multiple_of(4) { 0 } else { 2 };
        let (d, a, b2) = (r(&mut rng), r(&mut rng), r(&mut rng));
        let slt = (a << 21) | (b2 << 16) | (d << 11) | [0x2a, 0x2b][(rng.next() % 2) as usize];
        let br = ([0x04u32, 0x05][(rng.next() % 2) as usize] << 26) | (d << 21) | 3;
        let (x, y, z) = (r(&mut rng), r(&mut rng), r(&mut rng));
        let slot = match rng.next() % 3 {
            0 => (x << 21) | (y << 16) | (d << 11) | 0x2b,
            1 => (x << 21) | (y << 16) | (z << 11) | 0x21,
            _ => (0x09 << 26) | (x << 21) | (a << 16) | (rng.next() as u32 & 0xffff),
        };
        let words = [slt, br, slot];
        let (_, opt) = check_words(&words, be, &mut rng, &format!("round {round} words {words:08x?}"));
        // The branch compares registers instead of testing a flag against 0.
        let dump = specemu_runtime::ir::dump_block(&opt);
        if dump.lines().any(|l| l.contains("brcond_i32") && !l.contains("$0x0,")) {
            fused += 1;
        }
    }
    assert!(fused > 1000, "the branch should take the comparison in most rounds: {fused}");
}

/// Random IR over a few globals, temporaries and many constants (folding paths), with forward
/// branches (where propagation must forget), checked the same way.
#[test]
fn optimized_random_ir_behaves_like_unoptimized_ir() {
    use specemu_runtime::ir::{BinOp, Builder, Cond, Exit, Ty, UnOp};
    let bins = [
        BinOp::Add,
        BinOp::Sub,
        BinOp::Mul,
        BinOp::And,
        BinOp::Or,
        BinOp::Xor,
        BinOp::Shl,
        BinOp::Shr,
        BinOp::Sar,
        BinOp::Rotl,
        BinOp::Rotr,
        BinOp::Divu,
        BinOp::Divs,
        BinOp::Remu,
        BinOp::Rems,
    ];
    let uns = [UnOp::Neg, UnOp::Not, UnOp::Bswap, UnOp::Clz, UnOp::Ctz, UnOp::Ctpop];
    let conds =
        [Cond::Eq, Cond::Ne, Cond::Ltu, Cond::Leu, Cond::Gtu, Cond::Geu, Cond::Lt, Cond::Le, Cond::Gt, Cond::Ge];
    let mut rng = Rng(0xfeed_beef_1234_5678);
    let mut folded_some = 0;
    for round in 0..4000 {
        let mut b = Builder::new(0x1000);
        let off = |r: u32| core::mem::offset_of!(mips::CpuState, gpr) as u32 + 4 * r;
        let mut vals: Vec<_> = (1..5).map(|r| b.global(Ty::I32, off(r), "g")).collect();
        let consts = [0u64, 1, 2, 31, 32, 0x7fff_ffff, 0x8000_0000, 0xffff_ffff, 0x1234_5678];
        for _ in 0..4 {
            let c = consts[(rng.next() % consts.len() as u64) as usize];
            vals.push(b.konst(Ty::I32, c));
        }
        let mut pending_label = None;
        for step in 0..12 {
            let pick = |rng: &mut Rng, vals: &Vec<_>| vals[(rng.next() % vals.len() as u64) as usize];
            let (x, y) = (pick(&mut rng, &vals), pick(&mut rng, &vals));
            let v = match rng.next() % 8 {
                0..=2 => b.bin(bins[(rng.next() % bins.len() as u64) as usize], x, y),
                3 => b.un(uns[(rng.next() % uns.len() as u64) as usize], x),
                4 => b.extract(x, (rng.next() % 32) as u32, 1 + (rng.next() % 31) as u32, rng.next().is_multiple_of(2)),
                5 => b.deposit(x, y, (rng.next() % 24) as u32, 1 + (rng.next() % 8) as u32),
                6 => b.setcond(conds[(rng.next() % conds.len() as u64) as usize], x, y),
                _ => {
                    let (t, f) = (pick(&mut rng, &vals), pick(&mut rng, &vals));
                    b.movcond(conds[(rng.next() % conds.len() as u64) as usize], x, y, t, f)
                }
            };
            vals.push(v);
            // Sometimes write a global, sometimes branch forward over a few ops.
            if rng.next().is_multiple_of(3) {
                let g = vals[(rng.next() % 4) as usize];
                b.mov(g, v);
            }
            if pending_label.is_none() && step < 8 && rng.next().is_multiple_of(4) {
                let l = b.new_label();
                let (p, q) = (pick(&mut rng, &vals), pick(&mut rng, &vals));
                b.brcond(conds[(rng.next() % conds.len() as u64) as usize], p, q, l);
                pending_label = Some((l, step + 2));
            }
            if let Some((l, at)) = pending_label {
                if step == at {
                    b.set_label(l);
                    pending_label = None;
                }
            }
        }
        if let Some((l, _)) = pending_label {
            b.set_label(l);
        }
        for r in 0..4 {
            let g = vals[r];
            let v = vals[vals.len() - 1 - r];
            b.mov(g, v);
        }
        b.exit(Exit::ExitTb);
        let raw = b.finish();
        let mut opt = raw.clone();
        optimize(&mut opt);
        if opt.ops.len() < raw.ops.len() {
            folded_some += 1;
        }
        let mut cpu = mips::CpuState::default();
        for r in 1..5 {
            cpu.gpr[r] = rng.next() as u32;
        }
        let mut e1 = FakeEnv::new(cpu.clone(), top_page);
        let mut e2 = FakeEnv::new(cpu, top_page);
        let x1 = Interp::default().run(&raw, &mut e1);
        let x2 = Interp::default().run(&opt, &mut e2);
        let ctx = || {
            format!(
                "round {round}\nraw:\n{}\noptimized:\n{}",
                specemu_runtime::ir::dump_block(&raw),
                specemu_runtime::ir::dump_block(&opt)
            )
        };
        assert_eq!(x1, x2, "different exits\n{}", ctx());
        assert_eq!(e1.cpu, e2.cpu, "different state\n{}", ctx());
    }
    assert!(folded_some > 2000, "the optimizer should shrink most random blocks: {folded_some}");
}

/// A delay slot that overwrites the register its branch tests (`andi v0,v0,m; bnez v0,L;
/// li v0,45`, as gcc schedules it): the value tested is kept in a temporary, and the branch
/// tests it directly instead of a flag computed before the slot.
#[test]
fn delay_slot_overwriting_the_tested_register() {
    let mut rng = Rng(0x0de1_a950_7000);
    for round in 0..200 {
        let be = round % 2 == 1;
        let m = 1u32 << (rng.next() % 16);
        let br = [0x1440_0003u32, 0x1040_0003][(rng.next() % 2) as usize];
        let words = [0x3042_0000 | m, br, 0x2402_002d];
        let (_, opt) = check_words(&words, be, &mut rng, &format!("round {round} words {words:08x?}"));
        let dump = specemu_runtime::ir::dump_block(&opt);
        assert!(!dump.contains("setcond"), "the branch should test the masked value itself:\n{dump}");
    }
}

/// Loads and stores through the same base register with aligned offsets, sometimes with the
/// base moved by a constant in between: an access whose alignment check cannot fail (an
/// earlier check of the same base at least as strict passed) loses its check, and every
/// block still raises the same Address Error at the same instruction as the unoptimized one.
#[test]
fn alignment_checks_that_cannot_fail_go() {
    let mut rng = Rng(0xa11_9e0d_c4ec);
    let (mut raw_checks, mut opt_checks) = (0, 0);
    for round in 0..3000 {
        let be = round % 2 == 1;
        let base = [4u32, 29][(rng.next() % 2) as usize];
        let words: Vec<u32> = (0..6)
            .map(|_| {
                if rng.next().is_multiple_of(6) {
                    // addiu base, base, imm
                    let imm = [4u32, 8, 0xfff0, 2, 1][(rng.next() % 5) as usize];
                    return (0x09 << 26) | (base << 21) | (base << 16) | imm;
                }
                // lw, lh, lhu, lb, sw, sh, sb
                let op = [0x23u32, 0x21, 0x25, 0x20, 0x2b, 0x29, 0x28][(rng.next() % 7) as usize];
                let off = [0u32, 2, 4, 8, 16, 6, 1, 3, 0xfffc, 0xfff8][(rng.next() % 10) as usize];
                let rt = 8 + (rng.next() % 8) as u32;
                (op << 26) | (base << 21) | (rt << 16) | off
            })
            .collect();
        let raw_dump = {
            let fe = MipsFrontend { big_endian: be };
            let code: Vec<u8> = words.iter().flat_map(|w| if be { w.to_be_bytes() } else { w.to_le_bytes() }).collect();
            let mut fetch = fetch_from(&code, 0x1000);
            let raw = translate(&fe, 0x1000, 0, &mut fetch, Limits { max_insns: 6, page_size: 4096, side_exits: 2 });
            specemu_runtime::ir::dump_block(&raw)
        };
        let (_, opt) = check_words(&words, be, &mut rng, &format!("round {round}"));
        raw_checks += raw_dump.matches(" raise ").count();
        opt_checks += specemu_runtime::ir::dump_block(&opt).matches(" raise ").count();
    }
    assert!(opt_checks * 10 < raw_checks * 8, "checks: {raw_checks} unoptimized, {opt_checks} optimized");
}

/// `sllv`, `srlv` and `srav` by the same register: the IR masks the amount to 5 bits, which a
/// 32-bit shift does anyway, so the shifts take the register itself and no mask is left.
#[test]
fn variable_shifts_take_the_register_unmasked() {
    let mut rng = Rng(0x5417_7000_0001);
    for round in 0..300 {
        let be = round % 2 == 1;
        let s = 2 + (rng.next() % 6) as u32;
        let words: Vec<u32> = (0..3)
            .map(|_| {
                let funct = [0x04u32, 0x06, 0x07][(rng.next() % 3) as usize];
                let (t, d) = (8 + (rng.next() % 8) as u32, 8 + (rng.next() % 8) as u32);
                (s << 21) | (t << 16) | (d << 11) | funct
            })
            .collect();
        let (_, opt) = check_words(&words, be, &mut rng, &format!("round {round}"));
        let dump = specemu_runtime::ir::dump_block(&opt);
        assert!(!dump.contains("extract"), "the shift amount should not be masked:\n{dump}");
    }
}
