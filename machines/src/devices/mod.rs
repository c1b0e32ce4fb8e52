//! Devices any board may use: each knows its registers and interrupt line, never a board.

pub mod uart16550;
