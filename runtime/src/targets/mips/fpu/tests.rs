//! Unit tests of the FPU (see the bottom of the brief in mod.rs).
