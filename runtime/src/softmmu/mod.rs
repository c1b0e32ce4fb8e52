//! System-mode memory: the guest-physical address space (RAM, ROM and MMIO devices as
//! regions, [`space`]), the per-vCPU soft TLB that caches virtual-page translations
//! ([`tlb`]), and the virtual clock that drives timers ([`clock`]).
//!
//! This module owns regions, devices behind the [`Device`] trait, soft-TLB entries and
//! virtual time. It must not know any board, device model or guest architecture: the
//! architecture fills the soft TLB from its own MMU walk, boards build the address space.

pub mod clock;
pub mod space;
pub mod tlb;

pub use clock::VirtualClock;
pub use space::{AddressSpace, BusError, Device, RegionKind};
pub use tlb::{Access, SoftTlb, TlbEntry};
