//! The spec's helpers as the generated code sees them: the `Helpers` trait methods the
//! runtime implements, the dispatcher by helper id, and each helper's `HelperFlags` (what a
//! call may read, write or raise; the state ranges `reads(...)`/`writes(...)` name).

use super::*;

/// The `Helpers` trait's methods, the arms of `call_helper`, and the `HELPERS` table rows.
pub(super) fn helper_items(v: &Variant) -> (Vec<TokenStream>, Vec<TokenStream>, Vec<TokenStream>) {
    let mut methods = Vec::new();
    let mut dispatch = Vec::new();
    let mut table = Vec::new();
    for (i, h) in v.helpers.iter().enumerate() {
        let m = format_ident!("{}", h.name);
        let params: Vec<TokenStream> = h
            .params
            .iter()
            .map(|(n, w)| {
                let id = format_ident!("{}", n);
                let t = rust_uint(*w);
                quote!(#id: #t)
            })
            .collect();
        let ret = match h.ret {
            Some(w) => {
                let t = rust_uint(w);
                quote!(-> #t)
            }
            None => quote!(),
        };
        let doc = format!("Helper `{}` declared by the spec; flags: [{}].", h.name, h.flags.join(", "));
        methods.push(quote!(#[doc = #doc] fn #m(&mut self, cpu: &mut CpuState #(, #params)*) #ret;));
        let args: Vec<TokenStream> = h
            .params
            .iter()
            .enumerate()
            .map(|(k, (_, w))| {
                let t = rust_uint(*w);
                quote!(args[#k] as #t)
            })
            .collect();
        let i = i as u32;
        let call =
            if h.ret.is_some() { quote!(h.#m(cpu #(, #args)*) as u64) } else { quote!({ h.#m(cpu #(, #args)*); 0 }) };
        dispatch.push(quote!(#i => #call));
        let name = &h.name;
        let flags = helper_flags(v, h);
        table.push(quote!((#name, #flags)));
    }
    (methods, dispatch, table)
}

pub(super) fn helper_flags(v: &Variant, h: &Helper) -> TokenStream {
    let has = |f: &str| h.flags.iter().any(|x| x == f);
    let (p, r, w, x) = (has("pure"), has("reads"), has("writes"), has("raises"));
    // The CPU-state byte ranges of the registers `reads(...)`/`writes(...)` name.
    let ranges = |names: &[String]| -> Vec<TokenStream> {
        names
            .iter()
            .filter_map(|n| {
                let field = format_ident!("{}", n);
                if let Some(r) = v.regs.iter().find(|r| &r.name == n) {
                    let len = elem_size(r.width);
                    Some(quote!((core::mem::offset_of!(CpuState, #field) as u32, #len)))
                } else {
                    let rf = v.regfiles.iter().find(|r| &r.name == n)?;
                    let len = elem_size(rf.width) * rf.slots() as u32;
                    Some(quote!((core::mem::offset_of!(CpuState, #field) as u32, #len)))
                }
            })
            .collect()
    };
    let (rr, wr) = (ranges(&h.reads), ranges(&h.writes));
    quote!(HelperFlags {
        pure: #p,
        reads_state: #r,
        writes_state: #w,
        may_raise: #x,
        reads: &[#(#rr),*],
        writes: &[#(#wr),*],
    })
}
