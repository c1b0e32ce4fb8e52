//! The assembler's exact evaluator, compiled: a display value (or condition) as a stack
//! program (`crate::asm_format::op`) that computes what the code `expr.rs` writes for the
//! disassembler computes, widths and masks included, so that the runtime checks a solution
//! against the spec without generated code. Widths are inferred as `Env::gen` infers them.
//! Expressions it cannot compile (decoder context, calls other than `sext`, `zext` and
//! `popcount`) give an error: the assembler then checks that form by disassembling.
//!
//! Knows no architecture.

use super::asm_data::W;
use super::expr::{const_eval, const_table_name, Env};
use crate::asm_format::op;
use crate::ast::{BinOp, Expr, UnOp};
use crate::model::{ones, ParamValue};

/// Compile `e` for an instruction whose operand fields are `env.operands`, by index.
pub fn program(env: &Env, e: &Expr) -> Result<Vec<u8>, String> {
    let mut w = W::default();
    compile(env, e, None, &mut w)?;
    Ok(w.done())
}

/// Append `e`'s program; returns its width as `Env::gen` does. `want`: the width the
/// context expects for a literal.
fn compile(env: &Env, e: &Expr, want: Option<u32>, out: &mut W) -> Result<Option<u32>, String> {
    let v = env.v;
    Ok(match e {
        Expr::Int(x, _) => {
            out.byte(op::CONST).num((*x as u64) & ones(want.unwrap_or(64)));
            want
        }
        Expr::Bool(b, _) => {
            out.byte(op::CONST).num(*b as u64);
            Some(1)
        }
        Expr::Name(i) => {
            let n = &i.name;
            if let Some(k) = env.operands.keys().position(|x| x == n) {
                out.byte(op::FIELD).num(k as u64);
                env.width_of_name(n)
            } else if (n == "pc" || n == "next_pc") && env.pc_width.is_some() {
                let o = if n == "pc" { op::PC } else { op::NEXT_PC };
                out.byte(o).num(ones(env.pc_width.unwrap_or(64)));
                env.pc_width
            } else if v.ctx_index(n).is_some() {
                return Err(format!("`{n}` is decoder context"));
            } else {
                match v.params.get(n) {
                    Some(ParamValue::Int(x)) => {
                        out.byte(op::CONST).num((*x as u64) & ones(want.unwrap_or(64)));
                        want
                    }
                    Some(ParamValue::Bool(b)) => {
                        out.byte(op::CONST).num(*b as u64);
                        Some(1)
                    }
                    _ => return Err(format!("`{n}` has no value at decode time")),
                }
            }
        }
        Expr::Unary(o, a, _) => {
            let w = compile(env, a, want, out)?.or(want);
            match o {
                UnOp::Neg => out.byte(op::NEG).num(ones(w.unwrap_or(64))),
                UnOp::Not => out.byte(op::NOT).num(ones(w.unwrap_or(64))),
                UnOp::LNot => {
                    out.byte(op::LNOT);
                    return Ok(Some(1));
                }
            };
            w
        }
        Expr::Binary(o, a, b, _) => binary(env, *o, a, b, want, out)?,
        Expr::Ternary(c, a, b, _) => {
            compile(env, c, Some(1), out)?;
            let w = width(env, a)?.or(width(env, b)?).or(want);
            compile(env, a, w, out)?;
            compile(env, b, w, out)?;
            out.byte(op::SELECT);
            w
        }
        Expr::Index(base, idx, _) if const_table_name(v, base).is_some() => {
            let c = const_table_name(v, base).ok_or("table")?;
            compile(env, idx, Some(64), out)?;
            out.byte(op::TABLE).nums(c.values.iter().copied());
            Some(c.width)
        }
        Expr::Index(base, idx, _) => {
            compile(env, base, None, out)?;
            compile(env, idx, Some(64), out)?;
            out.byte(op::BIT);
            Some(1)
        }
        Expr::Slice(base, hi, lo, _) => {
            compile(env, base, None, out)?;
            let h = const_eval(v, hi).ok_or("slice bound")?;
            let l = const_eval(v, lo).ok_or("slice bound")?;
            let w = (h - l + 1) as u32;
            out.byte(op::SLICE).num(l as u64).num(ones(w));
            Some(w)
        }
        Expr::Call(name, args, _) => match (name.name.as_str(), args.first()) {
            ("sext" | "zext", Some(x)) => {
                let wx = compile(env, x, None, out)?;
                let w = const_eval(v, args.get(1).ok_or("width")?).ok_or("width")? as u32;
                if name.name == "sext" {
                    out.byte(op::SEXT).num(wx.unwrap_or(64) as u64).num(ones(w));
                }
                Some(w)
            }
            ("popcount", Some(x)) => {
                let w = compile(env, x, None, out)?;
                out.byte(op::POPCOUNT);
                w
            }
            (other, _) => return Err(format!("`{other}` has no program")),
        },
        Expr::Field(..) => return Err("register fields cannot be read at decode or display time".into()),
    })
}

/// The width `compile` gives `e`, without keeping its program.
fn width(env: &Env, e: &Expr) -> Result<Option<u32>, String> {
    compile(env, e, None, &mut W::default())
}

fn binary(env: &Env, o: BinOp, a: &Expr, b: &Expr, want: Option<u32>, out: &mut W) -> Result<Option<u32>, String> {
    use BinOp::*;
    Ok(match o {
        Shl | Shr | Sar => {
            let w = compile(env, a, want, out)?;
            compile(env, b, Some(64), out)?;
            let wv = w.or(want).unwrap_or(64);
            match o {
                Shl => out.byte(op::SHL).num(wv as u64),
                Shr => out.byte(op::SHR),
                _ => out.byte(op::SAR).num(wv as u64),
            };
            Some(wv)
        }
        Concat => {
            let wa = compile(env, a, None, out)?.ok_or("`++` operand without width")?;
            let wb = compile(env, b, None, out)?.ok_or("`++` operand without width")?;
            out.byte(op::CONCAT).num(wb as u64);
            Some(wa + wb)
        }
        LAnd | LOr => {
            compile(env, a, Some(1), out)?;
            compile(env, b, Some(1), out)?;
            out.byte(if o == LAnd { op::LAND } else { op::LOR });
            Some(1)
        }
        _ => {
            // The operand width first, so that literals adapt (as `Env::gen` does).
            let w = width(env, a)?.or(width(env, b)?).or(want);
            compile(env, a, w, out)?;
            compile(env, b, w, out)?;
            let (wv, m) = (w.unwrap_or(64) as u64, ones(w.unwrap_or(64)));
            let (code, imm) = match o {
                Add => (op::ADD, Some(m)),
                Sub => (op::SUB, Some(m)),
                Mul => (op::MUL, Some(m)),
                And => (op::AND, None),
                Or => (op::OR, None),
                Xor => (op::XOR, None),
                Eq => (op::EQ, None),
                Ne => (op::NE, None),
                Lt => (op::LT, None),
                Le => (op::LE, None),
                Gt => (op::GT, None),
                Ge => (op::GE, None),
                Slt => (op::SLT, Some(wv)),
                Sle => (op::SLE, Some(wv)),
                Sgt => (op::SGT, Some(wv)),
                Sge => (op::SGE, Some(wv)),
                Shl | Shr | Sar | Concat | LAnd | LOr => unreachable!("handled above"),
            };
            out.byte(code);
            if let Some(x) = imm {
                out.num(x);
            }
            match o {
                Add | Sub | Mul | And | Or | Xor => w,
                _ => Some(1),
            }
        }
    })
}
