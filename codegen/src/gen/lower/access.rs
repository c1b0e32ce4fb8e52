//! The register accessors each generated core gets once: `reg_X(b)` for registers and the
//! element accessors of register files (index known at translation time or at run time,
//! masked into the file; windowed files compute their physical index at run time).

use super::*;

/// Register accessors emitted once per variant: `reg_X(b)` for registers, `rd_F`/`wr_F`
/// (index known at translation time) and `rdx_F`/`wrx_F` (run-time index) for register files.
pub(super) fn accessors(v: &Variant) -> TokenStream {
    let mut out = Vec::new();
    for r in &v.regs {
        let f = format_ident!("reg_{}", r.name);
        let field = format_ident!("{}", r.name);
        let name = &r.name;
        let ty = ty_of(r.width);
        let w = r.width;
        let size = elem_size(r.width) as u8;
        out.push(quote! {
            fn #f(b: &mut Builder) -> sem::V {
                (b.global_sized(#ty, core::mem::offset_of!(CpuState, #field) as u32, #size, #name), #w)
            }
        });
    }
    for rf in &v.regfiles {
        let field = format_ident!("{}", rf.name);
        if let Some(w) = &rf.window {
            out.push(windowed_accessors(rf, w, &field));
            continue;
        }
        let names = format_ident!("{}_NAMES", rf.name.to_uppercase());
        let ty = ty_of(rf.width);
        let w = rf.width;
        let esz = elem_size(rf.width);
        let esz8 = esz as u8;
        let (rd, wr, rdx, wrx) = (
            format_ident!("rd_{}", rf.name),
            format_ident!("wr_{}", rf.name),
            format_ident!("rdx_{}", rf.name),
            format_ident!("wrx_{}", rf.name),
        );
        let (zero_rd, zero_wr, zero_fix) = match rf.zero {
            Some(z) => (
                quote!(if i == #z { return sem::konst(b, 0, #w); }),
                quote!(if i == #z { return; }),
                quote!({
                    let zi = b.konst(Ty::I32, #z);
                    let zv = b.konst(#ty, 0);
                    b.store_state(zv, core::mem::offset_of!(CpuState, #field) as u32, zi, #esz8);
                }),
            ),
            None => (quote!(), quote!(), quote!()),
        };
        // Register files are padded to a power of two (see gen/state.rs): a translation-time
        // index is masked into it (the checker proved it below `count`), a run-time one too.
        let slots = rf.slots();
        let smask = slots - 1;
        let slots32 = slots as u32;
        out.push(quote! {
            fn #rd(b: &mut Builder, i: u64) -> sem::V {
                let i = i & #smask;
                #zero_rd
                let name = #names.get(i as usize).copied().unwrap_or("?");
                (b.global_sized(#ty, core::mem::offset_of!(CpuState, #field) as u32 + (i as u32) * #esz, #esz8, name), #w)
            }
            fn #wr(b: &mut Builder, i: u64, x: sem::V) {
                let i = i & #smask;
                #zero_wr
                let v = sem::fit(b, x, #w);
                let g = #rd(b, i).0;
                b.mov(g, v);
            }
            fn #rdx(b: &mut Builder, i: sem::V) -> sem::V {
                let i = sem::reg_index(b, i, #slots32);
                (b.load_state(#ty, core::mem::offset_of!(CpuState, #field) as u32, i, #esz8), #w)
            }
            fn #wrx(b: &mut Builder, i: sem::V, x: sem::V) {
                let i = sem::reg_index(b, i, #slots32);
                let v = sem::fit(b, x, #w);
                b.store_state(v, core::mem::offset_of!(CpuState, #field) as u32, i, #esz8);
                #zero_fix
            }
        });
    }
    quote!(#(#out)*)
}

/// The accessors of a windowed register file: register `i` is physical register
/// `(base * unit + i) mod physical`, an index computed at run time from the base register.
fn windowed_accessors(rf: &RegFile, w: &Window, field: &Ident) -> TokenStream {
    let ty = ty_of(rf.width);
    let width = rf.width;
    let esz8 = elem_size(rf.width) as u8;
    let slots = rf.slots() as u32;
    let unit = w.unit;
    let base = format_ident!("reg_{}", w.base);
    let (rd, wr, rdx, wrx, wi) = (
        format_ident!("rd_{}", rf.name),
        format_ident!("wr_{}", rf.name),
        format_ident!("rdx_{}", rf.name),
        format_ident!("wrx_{}", rf.name),
        format_ident!("window_{}", rf.name),
    );
    quote! {
        /// The physical index of window register `i`.
        fn #wi(b: &mut Builder, i: sem::V) -> Val {
            let base = #base(b);
            let base = sem::zext(b, base, 32);
            let unit = sem::konst(b, #unit, 32);
            let first = sem::mul(b, base, unit);
            let i = (sem::fit(b, i, 32), 32);
            let at = sem::add(b, first, i);
            sem::reg_index(b, at, #slots)
        }
        fn #rd(b: &mut Builder, i: u64) -> sem::V {
            let i = sem::konst(b, i, 32);
            #rdx(b, i)
        }
        fn #wr(b: &mut Builder, i: u64, x: sem::V) {
            let i = sem::konst(b, i, 32);
            #wrx(b, i, x)
        }
        fn #rdx(b: &mut Builder, i: sem::V) -> sem::V {
            let i = #wi(b, i);
            (b.load_state(#ty, core::mem::offset_of!(CpuState, #field) as u32, i, #esz8), #width)
        }
        fn #wrx(b: &mut Builder, i: sem::V, x: sem::V) {
            let i = #wi(b, i);
            let v = sem::fit(b, x, #width);
            b.store_state(v, core::mem::offset_of!(CpuState, #field) as u32, i, #esz8);
        }
    }
}
