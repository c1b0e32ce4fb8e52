//! MIPS32 system mode: the privileged architecture on top of the generated CPU. CP0 and
//! the CPU models ([`cp0`]), the TLB ([`tlb`]), address translation ([`mmu`]), exception
//! and interrupt entry ([`exception`]), the spec's helpers in system mode ([`helpers`]),
//! UHI semihosting ([`uhi`]) and the vCPU loop that ties them to the translator, the IR
//! interpreter and the softmmu ([`vcpu`]).
//!
//! This module owns MIPS machinery only; boards (RAM size, devices, interrupt wiring, how a
//! kernel is started) live in crate `specemu-machines`.

pub mod cp0;
pub mod exception;
pub mod helpers;
pub mod mmu;
pub mod reset_cpu;
pub mod tlb;
pub mod uhi;
pub mod vcpu;

pub use cp0::{CpuModel, MODELS};
pub use vcpu::{LogFlags, Stop, SysConfig, Vcpu};
