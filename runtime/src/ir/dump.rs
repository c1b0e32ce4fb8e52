//! The stable text form of IR blocks, printed by `-d op` and `-d op_opt`.

use super::*;
use std::fmt::Write as _;

fn v(b: &Block, x: Val) -> String {
    match b.kind(x) {
        ValKind::Temp => format!("t{}", x.0),
        ValKind::Global { name, .. } => name.to_string(),
        ValKind::Const(c) => format!("${c:#x}"),
    }
}

fn ty(t: Ty) -> &'static str {
    match t {
        Ty::I32 => "i32",
        Ty::I64 => "i64",
    }
}

fn mem(m: &MemOp) -> String {
    format!("{}{}{}", if m.signed { "s" } else { "u" }, m.size * 8, if m.big_endian { "be" } else { "le" })
}

fn one(b: &Block, op: &Op) -> String {
    match op {
        Op::InsnStart { pc, flags } if *flags != 0 => format!(" ---- {pc:#x} flags={flags:#x}"),
        Op::InsnStart { pc, .. } => format!(" ---- {pc:#x}"),
        Op::Mov { dst, src } => format!(" mov_{} {}, {}", ty(b.ty(*dst)), v(b, *dst), v(b, *src)),
        Op::Bin { op, dst, a, b: y } => {
            format!(" {}_{} {}, {}, {}", op.name(), ty(b.ty(*dst)), v(b, *dst), v(b, *a), v(b, *y))
        }
        Op::Un { op, dst, a } => format!(" {}_{} {}, {}", op.name(), ty(b.ty(*dst)), v(b, *dst), v(b, *a)),
        Op::Ext { dst, src, bits, signed } => {
            let s = if *signed { "s" } else { "u" };
            format!(" ext{s}{bits}_{} {}, {}", ty(b.ty(*dst)), v(b, *dst), v(b, *src))
        }
        Op::Extract { dst, src, ofs, len, signed } => {
            let s = if *signed { "s" } else { "" };
            format!(" {s}extract_{} {}, {}, {ofs}, {len}", ty(b.ty(*dst)), v(b, *dst), v(b, *src))
        }
        Op::Deposit { dst, base, val, ofs, len } => {
            format!(" deposit_{} {}, {}, {}, {ofs}, {len}", ty(b.ty(*dst)), v(b, *dst), v(b, *base), v(b, *val))
        }
        Op::Setcond { cond, dst, a, b: y } => {
            format!(" setcond_{} {}, {}, {}, {}", ty(b.ty(*a)), v(b, *dst), v(b, *a), v(b, *y), cond.name())
        }
        Op::Movcond { cond, dst, a, b: y, t, f } => format!(
            " movcond_{} {}, {}, {}, {}, {}, {}",
            ty(b.ty(*dst)),
            v(b, *dst),
            v(b, *a),
            v(b, *y),
            v(b, *t),
            v(b, *f),
            cond.name()
        ),
        Op::Mul2 { signed, lo, hi, a, b: y } => {
            let s = if *signed { "s" } else { "u" };
            format!(" {s}mul2_{} {}, {}, {}, {}", ty(b.ty(*a)), v(b, *lo), v(b, *hi), v(b, *a), v(b, *y))
        }
        Op::Load { dst, addr, mem: m } => {
            format!(" qemu_ld_{} {}, {}, {}", ty(b.ty(*dst)), v(b, *dst), v(b, *addr), mem(m))
        }
        Op::Store { val, addr, mem: m } => {
            format!(" qemu_st_{} {}, {}, {}", ty(b.ty(*val)), v(b, *val), v(b, *addr), mem(m))
        }
        Op::LoadState { dst, base, index, scale } => {
            format!(" ld_state_{} {}, env+{base:#x}[{}*{scale}]", ty(b.ty(*dst)), v(b, *dst), v(b, *index))
        }
        Op::StoreState { val, base, index, scale } => {
            format!(" st_state_{} {}, env+{base:#x}[{}*{scale}]", ty(b.ty(*val)), v(b, *val), v(b, *index))
        }
        Op::Call(c) => {
            let (name, args, ret) = (c.name, &c.args, &c.ret);
            let a: Vec<String> = args.iter().map(|x| v(b, *x)).collect();
            match ret {
                Some(r) => format!(" call {name}, {}, {}", v(b, *r), a.join(", ")),
                None => format!(" call {name}, {}", a.join(", ")),
            }
        }
        Op::Raise { code, arg } => format!(" raise {code}, {}", v(b, *arg)),
        Op::Label(l) => format!(" set_label L{}", l.0),
        Op::Br(l) => format!(" br L{}", l.0),
        Op::Brcond { cond, a, b: y, label } => {
            format!(" brcond_{} {}, {}, {}, L{}", ty(b.ty(*a)), v(b, *a), v(b, *y), cond.name(), label.0)
        }
        Op::Exit(Exit::GotoTb { slot, pc, ctx: 0 }) => format!(" goto_tb {slot}, {pc:#x}"),
        Op::Exit(Exit::GotoTb { slot, pc, ctx }) => format!(" goto_tb {slot}, {pc:#x}, context {ctx:#x}"),
        Op::Exit(Exit::LookupAndGoto { ctx: 0 }) => " lookup_and_goto_ptr".to_string(),
        Op::Exit(Exit::LookupAndGoto { ctx }) => format!(" lookup_and_goto_ptr context {ctx:#x}"),
        Op::Exit(Exit::ExitTb) => " exit_tb".to_string(),
    }
}

/// The whole block, one op per line.
pub fn dump_block(b: &Block) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "OP: block {:#x} ({} insns)", b.pc, b.insns);
    for op in &b.ops {
        out.push_str(&one(b, op));
        out.push('\n');
    }
    out
}
