//! Generated CPU state (`#[repr(C)]` struct with register offsets), decode context,
//! parameters, options and memory regions of one variant.

use crate::model::{DelaySlot, ParamValue, Variant};
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

pub fn rust_uint(width: u32) -> TokenStream {
    match width {
        0..=8 => quote!(u8),
        9..=16 => quote!(u16),
        17..=32 => quote!(u32),
        33..=64 => quote!(u64),
        _ => quote!(u128),
    }
}

fn param_item(name: &str, v: &ParamValue) -> TokenStream {
    let id = format_ident!("{}", name);
    match v {
        ParamValue::Int(i) => {
            let l = proc_macro2::Literal::i128_unsuffixed(*i);
            if *i >= 0 && *i <= u64::MAX as i128 {
                quote!(pub const #id: u64 = #l;)
            } else {
                quote!(pub const #id: i128 = #l;)
            }
        }
        ParamValue::Bool(b) => quote!(pub const #id: bool = #b;),
        ParamValue::Str(s) | ParamValue::Ident(s) => quote!(pub const #id: &str = #s;),
        ParamValue::List(l) => {
            if l.iter().all(|x| matches!(x, ParamValue::Int(_))) {
                let xs: Vec<TokenStream> = l
                    .iter()
                    .map(|x| match x {
                        ParamValue::Int(i) => {
                            let l = proc_macro2::Literal::u64_unsuffixed(*i as u64);
                            quote!(#l)
                        }
                        _ => unreachable!(),
                    })
                    .collect();
                quote!(pub const #id: &[u64] = &[#(#xs),*];)
            } else {
                let xs: Vec<String> = l
                    .iter()
                    .map(|x| match x {
                        ParamValue::Str(s) | ParamValue::Ident(s) => s.clone(),
                        ParamValue::Int(i) => i.to_string(),
                        ParamValue::Bool(b) => b.to_string(),
                        ParamValue::List(_) => String::new(),
                    })
                    .collect();
                quote!(pub const #id: &[&str] = &[#(#xs),*];)
            }
        }
    }
}

pub fn gen_state(v: &Variant) -> TokenStream {
    let params: Vec<TokenStream> = v.params.iter().map(|(n, p)| param_item(n, p)).collect();
    let options = &v.options;
    let regions: Vec<TokenStream> = v
        .regions
        .iter()
        .map(|r| {
            let (n, k, b, s) = (&r.name, &r.kind, r.base, r.size);
            quote!((#n, #k, #b, #s))
        })
        .collect();
    let mut fields = Vec::new();
    // `Default` is written out: derive(Default) stops at arrays of 32 elements.
    let mut zeros = Vec::new();
    // Safe access by byte offset, for the IR interpreter, the debugger and the monitor.
    let mut reads = Vec::new();
    let mut writes = Vec::new();
    let mut offsets = Vec::new();
    let mut gdb_names = Vec::new();
    for rf in &v.regfiles {
        let id = format_ident!("{}", rf.name);
        let ty = rust_uint(rf.width);
        // The physical file when windowed, padded to a power of two, so a masked run-time
        // index never leaves the array.
        let n = rf.storage() as usize;
        let slots = rf.slots() as usize;
        fields.push(quote!(pub #id: [#ty; #slots]));
        zeros.push(quote!(#id: [0; #slots]));
        let esz = (rf.width.div_ceil(8)).next_power_of_two().min(16) as usize;
        reads.push(quote!(if off >= core::mem::offset_of!(CpuState, #id) && off < core::mem::offset_of!(CpuState, #id) + #n * #esz {
            return self.#id[(off - core::mem::offset_of!(CpuState, #id)) / #esz] as u64;
        }));
        writes.push(quote!(if off >= core::mem::offset_of!(CpuState, #id) && off < core::mem::offset_of!(CpuState, #id) + #n * #esz {
            self.#id[(off - core::mem::offset_of!(CpuState, #id)) / #esz] = v as #ty;
            return;
        }));
        let name = &rf.name;
        offsets.push(quote!((#name, core::mem::offset_of!(CpuState, #id))));
        let names = &rf.names;
        let cname = format_ident!("{}_NAMES", rf.name.to_uppercase());
        gdb_names.push(quote!(pub const #cname: &[&str] = &[#(#names),*];));
    }
    for r in &v.regs {
        let id = format_ident!("{}", r.name);
        let ty = rust_uint(r.width);
        fields.push(quote!(pub #id: #ty));
        zeros.push(quote!(#id: 0));
        reads.push(quote!(if off == core::mem::offset_of!(CpuState, #id) { return self.#id as u64; }));
        writes.push(quote!(if off == core::mem::offset_of!(CpuState, #id) { self.#id = v as #ty; return; }));
        let name = &r.name;
        offsets.push(quote!((#name, core::mem::offset_of!(CpuState, #id))));
    }
    let ctx_fields: Vec<TokenStream> = v
        .context
        .iter()
        .map(|c| {
            let id = format_ident!("{}", c.name);
            quote!(pub #id: u64)
        })
        .collect();
    let set_arms: Vec<TokenStream> = v
        .context
        .iter()
        .map(|c| {
            let id = format_ident!("{}", c.name);
            let n = &c.name;
            quote!(#n => { self.#id = value; true })
        })
        .collect();
    // Persistent context: packed into the block key's context word, read from the state.
    let (mut from_key, mut to_key, mut of_state) = (Vec::new(), Vec::new(), Vec::new());
    let mut key_bits = 0u32;
    for (c, b) in v.bound_context() {
        let id = format_ident!("{}", c.name);
        let reg = format_ident!("{}", b.reg);
        let m = super::expr::lit(if c.width == 64 { u64::MAX } else { (1u64 << c.width) - 1 });
        let (off, lo) = (b.key_off, b.lo);
        from_key.push(quote!(c.#id = (k >> #off) & #m;));
        to_key.push(quote!(((self.#id & #m) << #off)));
        of_state.push(quote!((((self.#reg as u64 >> #lo) & #m) << #off)));
        key_bits = key_bits.max(off + c.width);
    }
    if let (Some(bit), Some(DelaySlot::Register(r))) = (v.npc_key_bit(), &v.delay_slot) {
        let npc = format_ident!("{}", r);
        let n = v.fixed_insn_bytes().unwrap_or(4);
        of_state.push(quote!((((self.#npc != self.pc.wrapping_add(#n as _)) as u64) << #bit)));
        key_bits = bit + 1;
    }
    let to_key = if to_key.is_empty() { quote!(0) } else { quote!(#(#to_key)|*) };
    let of_state = if of_state.is_empty() { quote!(0) } else { quote!(#(#of_state)|*) };
    let default_be = v.default_be;
    let core = &v.name;
    quote! {
        /// Bits of persistent context in the block key's context word (0: none).
        pub const CONTEXT_KEY_BITS: u32 = #key_bits;
        impl CpuState {
            /// The persistent context (`bound` context variables) packed as the block key's
            /// context word: which translation of a PC this state runs.
            #[inline]
            #[allow(clippy::identity_op, clippy::unnecessary_cast)]
            pub fn context_key(&self) -> u64 {
                #of_state
            }
        }
        /// Name of this variant (the core, or the architecture when it has no cores).
        pub const CORE: &str = #core;
        /// Byte order the core is configured for.
        pub const DEFAULT_BIG_ENDIAN: bool = #default_be;
        /// Options this core has.
        pub const OPTIONS: &[&str] = &[#(#options),*];
        /// Memory regions of the core: (name, kind, base, size).
        pub const REGIONS: &[(&str, &str, u64, u64)] = &[#(#regions),*];
        /// Parameter values of this core.
        #[allow(non_upper_case_globals)]
        pub mod params {
            #(#params)*
        }
        /// Guest CPU state; the IR addresses registers by their offsets in this struct.
        #[repr(C)]
        #[derive(Clone, Debug, PartialEq, Eq)]
        pub struct CpuState {
            #(#fields,)*
        }
        impl Default for CpuState {
            fn default() -> Self {
                CpuState { #(#zeros,)* }
            }
        }
        impl CpuState {
            /// The register (or register-file element) at byte offset `off`, zero-extended;
            /// 0 for an offset that names no register.
            #[allow(clippy::cast_lossless, clippy::unnecessary_cast)]
            pub fn read_state(&self, off: usize) -> u64 {
                #(#reads)*
                0
            }
            /// Write the register at byte offset `off` (truncated to its width).
            #[allow(clippy::cast_lossless, clippy::unnecessary_cast)]
            pub fn write_state(&mut self, off: usize, v: u64) {
                #(#writes)*
            }
        }
        /// Byte offsets of each register and register file in [`CpuState`].
        pub const OFFSETS: &[(&str, usize)] = &[#(#offsets),*];
        #(#gdb_names)*
        /// Decoder context: CPU mode bits and what prefixes set.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
        pub struct Context {
            #(#ctx_fields,)*
        }
        impl Context {
            /// The decoder context of the persistent context word `k` (every other variable 0).
            #[allow(unused_mut, unused_variables)]
            pub fn from_key(k: u64) -> Context {
                let mut c = Context::default();
                #(#from_key)*
                c
            }
            /// The persistent context word of this context.
            #[allow(clippy::identity_op)]
            pub fn key(&self) -> u64 {
                #to_key
            }
            /// Set a context variable by its spec name; false if there is none.
            #[allow(unused_variables)]
            pub fn set(&mut self, name: &str, value: u64) -> bool {
                match name { #(#set_arms)* _ => false }
            }
        }
    }
}
