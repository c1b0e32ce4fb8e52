//! A form's exact evaluator: each display value (and the display's condition) as a small
//! stack program the generator compiles from the spec's expression, computing what the
//! disassembler computes, widths and masks included. The solver works on trees, which are
//! only the structure; a solution counts once these programs give the values written.
//! Knows no architecture.

use super::data::Reader;
use super::form::{ones, sext};
use super::format::op;

/// Run `prog` with these operand field values at `pc` (`npc`: the next instruction's
/// address). None for a program the generator did not write (a malformed one).
pub fn run(prog: &'static [u8], f: &[u64], pc: u64, npc: u64) -> Option<u64> {
    let mut r = Reader::new(prog);
    let mut st: Vec<u64> = Vec::with_capacity(8);
    while !r.done() {
        let o = r.byte()?;
        let v = match o {
            op::CONST => r.num()?,
            op::FIELD => f.get(r.num()? as usize).copied().unwrap_or(0),
            op::PC => pc & r.num()?,
            op::NEXT_PC => npc & r.num()?,
            op::NEG => st.pop()?.wrapping_neg() & r.num()?,
            op::NOT => !st.pop()? & r.num()?,
            op::LNOT => (st.pop()? == 0) as u64,
            op::POPCOUNT => st.pop()?.count_ones() as u64,
            op::BIT => {
                let (x, i) = pop2(&mut st)?;
                (x >> (i & 63)) & 1
            }
            op::SLICE => {
                let (lo, m) = (r.num()?, r.num()?);
                (st.pop()? >> lo.min(63)) & m
            }
            op::SEXT => {
                let (w, m) = (r.num()? as u32, r.num()?);
                sext(st.pop()?, w) as u64 & m
            }
            op::TABLE => {
                let n = r.num()? as usize;
                let i = (st.pop()? as usize).min(n.saturating_sub(1));
                let mut x = 0;
                for j in 0..n {
                    let c = r.num()?;
                    if j == i {
                        x = c;
                    }
                }
                x
            }
            op::SELECT => {
                let (x, y) = pop2(&mut st)?;
                if st.pop()? != 0 {
                    x
                } else {
                    y
                }
            }
            _ => {
                let (x, y) = pop2(&mut st)?;
                match o {
                    op::SHL => {
                        let w = r.num()? as u32;
                        if y >= w as u64 {
                            0
                        } else {
                            (x << y) & ones(w)
                        }
                    }
                    op::SHR => x.checked_shr(y.min(64) as u32).unwrap_or(0),
                    op::SAR => {
                        let w = r.num()? as u32;
                        (sext(x, w) >> y.min(63)) as u64 & ones(w)
                    }
                    op::CONCAT => x.checked_shl(r.num()? as u32).unwrap_or(0) | y,
                    op::LAND => (x != 0 && y != 0) as u64,
                    op::LOR => (x != 0 || y != 0) as u64,
                    op::ADD => x.wrapping_add(y) & r.num()?,
                    op::SUB => x.wrapping_sub(y) & r.num()?,
                    op::MUL => x.wrapping_mul(y) & r.num()?,
                    op::AND => x & y,
                    op::OR => x | y,
                    op::XOR => x ^ y,
                    op::EQ => (x == y) as u64,
                    op::NE => (x != y) as u64,
                    op::LT => (x < y) as u64,
                    op::LE => (x <= y) as u64,
                    op::GT => (x > y) as u64,
                    op::GE => (x >= y) as u64,
                    op::SLT | op::SLE | op::SGT | op::SGE => {
                        let w = r.num()? as u32;
                        let (a, b) = (sext(x, w), sext(y, w));
                        (match o {
                            op::SLT => a < b,
                            op::SLE => a <= b,
                            op::SGT => a > b,
                            _ => a >= b,
                        }) as u64
                    }
                    _ => return None,
                }
            }
        };
        st.push(v);
    }
    if st.len() == 1 {
        st.pop()
    } else {
        None
    }
}

fn pop2(st: &mut Vec<u64>) -> Option<(u64, u64)> {
    let y = st.pop()?;
    let x = st.pop()?;
    Some((x, y))
}
