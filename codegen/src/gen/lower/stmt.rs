//! Statements of the generated lowering: blocks and locals, `if` (decided at translation
//! time when it can be, IR branches otherwise), unrolled loops, assignments (registers,
//! fields, register files, table exports, locals; writes of persistent context end the
//! block), and statement intrinsics (stores, jumps, raises, `set_context`).
//!
//! Expressions are the parent module's (`Lx::st`, `Lx::dy`).

use super::*;

impl Lx<'_> {
    pub(in crate::gen) fn block(&mut self, blk: &Block) -> R<TokenStream> {
        self.scopes.push(BTreeMap::new());
        let mut out = Vec::new();
        for s in &blk.stmts {
            out.push(self.stmt(s)?);
        }
        self.scopes.pop();
        Ok(quote!(#(#out)*))
    }

    fn stmt(&mut self, s: &Stmt) -> R<TokenStream> {
        Ok(match s {
            Stmt::Let { name, width, value, .. } => {
                let id = self.fresh(&format!("l_{}_", name.name));
                let assigned = self.assigned.contains(&name.name);
                if self.is_static(value) && !assigned {
                    let (code, w) = self.st(value, *width)?;
                    let w = width.or(w).unwrap_or(64);
                    self.scopes.last_mut().expect("scope").insert(name.name.clone(), (id.clone(), w, true));
                    quote!(let #id: u64 = #code;)
                } else {
                    let (code, w) = self.dy(value, *width)?;
                    let w = width.unwrap_or(w);
                    self.scopes.last_mut().expect("scope").insert(name.name.clone(), (id.clone(), w, false));
                    if assigned {
                        let ty = ty_of(w);
                        quote!(let #id: sem::V = { let v = #code; let t = b.temp(#ty); let v = sem::fit(b, v, #w); b.mov(t, v); (t, #w) };)
                    } else {
                        quote!(let #id: sem::V = #code;)
                    }
                }
            }
            Stmt::Assign { target, value, .. } => self.assign(target, value)?,
            Stmt::If { cond, then, els: None, span } if !self.is_static(cond) && self.static_conjuncts(cond) => {
                // `if S && D { ... }`: the conjuncts known at translation time decide there
                // whether any code is emitted (`next_pc == loop_end` in an epilogue).
                let mut parts = Vec::new();
                conjuncts(cond, &mut parts);
                let (st, dy): (Vec<&Expr>, Vec<&Expr>) = parts.into_iter().partition(|e| self.is_static(e));
                let mut sc = Vec::new();
                for e in st {
                    sc.push(self.st(e, Some(1))?.0);
                }
                let rest = dy
                    .into_iter()
                    .cloned()
                    .reduce(|a, b| Expr::Binary(BinOp::LAnd, Box::new(a), Box::new(b), *span))
                    .ok_or("a dynamic condition without dynamic parts")?;
                let inner = self.stmt(&Stmt::If { cond: rest, then: then.clone(), els: None, span: *span })?;
                quote!(if #(#sc != 0)&&* { #inner })
            }
            Stmt::If { cond, then, els, .. } => {
                if self.is_static(cond) {
                    let (c, _) = self.st(cond, Some(1))?;
                    let t = self.block(then)?;
                    let e = match els {
                        Some(e) => self.block(e)?,
                        None => quote!(),
                    };
                    quote!(if #c != 0 { #t } else { #e })
                } else {
                    // A comparison becomes the branch itself (no 0/1 flag in between).
                    let skip_to = |this: &mut Self, l: TokenStream| -> R<TokenStream> {
                        if let Expr::Binary(op, x, y, _) = cond {
                            if let Some(cc) = cmp_cond(*op) {
                                let w = this.width_hint(x).or_else(|| this.width_hint(y));
                                let (x, w1) = this.dy(x, w)?;
                                let (y, _) = this.dy(y, Some(w1))?;
                                return Ok(quote!({ let x = #x; let y = #y; sem::branch_unless(b, #cc, x, y, #l); }));
                            }
                        }
                        let (c, _) = this.dy(cond, Some(1))?;
                        Ok(quote!({ let c = #c; let z = b.konst(b.ty(c.0), 0); b.brcond(Cond::Eq, c.0, z, #l); }))
                    };
                    let branch = skip_to(self, if els.is_some() { quote!(l_else) } else { quote!(l_end) })?;
                    self.dyn_depth += 1;
                    let t = self.block(then)?;
                    let e = match els {
                        Some(e) => Some(self.block(e)?),
                        None => None,
                    };
                    self.dyn_depth -= 1;
                    match e {
                        None => quote!({
                            let l_end = b.new_label();
                            #branch
                            #t
                            b.set_label(l_end);
                        }),
                        // A `then` that raises never reaches the end: no jump over `else`.
                        Some(e) if ends_in_raise(then) => quote!({
                            let l_else = b.new_label();
                            #branch
                            #t
                            b.set_label(l_else);
                            #e
                        }),
                        Some(e) => quote!({
                            let l_else = b.new_label();
                            let l_end = b.new_label();
                            #branch
                            #t
                            b.br(l_end);
                            b.set_label(l_else);
                            #e
                            b.set_label(l_end);
                        }),
                    }
                }
            }
            Stmt::For { var, lo, hi, body, .. } => {
                // Unrolled at translation time: the loop variable is a translation-time local.
                let l = const_eval(self.v, lo).ok_or("loop bound")? as u64;
                let h = const_eval(self.v, hi).ok_or("loop bound")? as u64;
                let max = h.saturating_sub(1).max(l);
                let w = (64 - max.leading_zeros()).max(1);
                let id = self.fresh(&format!("l_{}_", var.name));
                let mut scope = BTreeMap::new();
                scope.insert(var.name.clone(), (id.clone(), w, true));
                self.scopes.push(scope);
                let body = self.block(body);
                self.scopes.pop();
                let body = body?;
                let (l, h) = (lit(l), lit(h));
                quote!(for #id in #l..#h { let _ = #id; #body })
            }
            Stmt::Table { operand, after, .. } => self.table_step(operand, *after)?,
            Stmt::Expr(Expr::Call(n, args, _)) => self.stmt_call(&n.name, args)?,
            Stmt::Expr(_) => return Err("expression statement".into()),
        })
    }

    fn stmt_call(&mut self, name: &str, args: &[Expr]) -> R<TokenStream> {
        let conditional = self.dyn_depth > 0;
        Ok(match name {
            "store" => {
                let w = const_eval(self.v, &args[0]).ok_or("store size")? as u32;
                let (a, _) = self.dy(&args[1], Some(self.pc_bits()))?;
                let (x, _) = self.dy(&args[2], Some(w))?;
                quote!({ let a = #a; let x = #x; sem::store(b, #w, a, x, cx.big_endian); })
            }
            "jump" | "jump_delayed" => {
                let delayed = name == "jump_delayed";
                let pcw = self.pc_bits();
                let stat = if self.is_static(&args[0]) {
                    let (code, _) = self.st(&args[0], Some(pcw))?;
                    quote!(Some(#code))
                } else {
                    quote!(None)
                };
                let (t, _) = self.dy(&args[0], Some(pcw))?;
                quote!({ let t = #t; cx.jump(b, t, #stat, #delayed, #conditional); })
            }
            "annul_delay_slot" => quote!(cx.annul(b, #conditional);),
            "raise" => {
                let Expr::Name(n) = &args[0] else { return Err("raise needs an exception name".into()) };
                let code = *self.v.exceptions.get(&n.name).ok_or("unknown exception")? as u32;
                let arg = if args.len() > 1 {
                    let (a, _) = self.dy(&args[1], Some(32))?;
                    quote!({ let a = #a; sem::fit(b, a, 64) })
                } else {
                    quote!(b.konst(Ty::I64, 0))
                };
                let end = if conditional { quote!() } else { quote!(cx.ends_block = true;) };
                quote!({ let a = #arg; b.raise(#code, a); #end })
            }
            "barrier" | "nop" => quote!(),
            "halt" => quote!(cx.halt(b, #conditional);),
            "set_context" => self.set_context(args, conditional)?,
            _ => {
                let (code, _) = self.call(name, args)?;
                quote!({ let _ = #code; })
            }
        })
    }

    /// After a write of bits `hi..=lo` of register `reg`: the block ends after the
    /// instruction when the write may change persistent context (the next instruction may
    /// decode differently, and the block key says which context a translation is for).
    fn context_write_end(&self, reg: &str, hi: u32, lo: u32) -> TokenStream {
        if self.v.writes_context(reg, hi, lo) {
            quote!(cx.end_after = true;)
        } else {
            quote!()
        }
    }

    /// `set_context(var, value)`: write the state field `var` is bound to. A value known at
    /// translation time (and not under a run-time condition) also changes the context the
    /// following instructions of the block are translated in; any other ends the block.
    fn set_context(&mut self, args: &[Expr], conditional: bool) -> R<TokenStream> {
        let Expr::Name(n) = &args[0] else { return Err("set_context needs a context variable".into()) };
        let c = self.v.context.iter().find(|c| c.name == n.name).ok_or("context variable")?.clone();
        let bd = c.bound.clone().ok_or("set_context of decoder-only context")?;
        let reg = self.v.regs.iter().find(|r| r.name == bd.reg).cloned().ok_or("bound register")?;
        let g = reg_global(&reg);
        let (hi, lo) = (bd.lo + c.width - 1, bd.lo);
        let (x, _) = self.dy(&args[1], Some(c.width))?;
        let write = if c.width == reg.width {
            let w = reg.width;
            quote!({ let x = #x; let r = #g; let v = sem::fit(b, x, #w); b.mov(r.0, v); })
        } else {
            quote!({ let x = #x; let r = #g; let nv = sem::set_field(b, r, #hi, #lo, x); b.mov(r.0, nv.0); })
        };
        if self.is_static(&args[1]) && !conditional {
            let (sv, _) = self.st(&args[1], Some(c.width))?;
            let m = lit(ones(c.width));
            let off = bd.key_off;
            Ok(quote!({
                #write
                let v: u64 = (#sv) & #m;
                cx.context = (cx.context & !(#m << #off)) | (v << #off);
            }))
        } else {
            Ok(quote!({ #write cx.end_after = true; }))
        }
    }

    fn assign(&mut self, t: &crate::ast::LValue, value: &Expr) -> R<TokenStream> {
        let n = &t.name.name;
        if let Some(idx) = &t.index {
            let rf = self.v.regfiles.iter().find(|r| &r.name == n).ok_or("register file")?.clone();
            let (x, _) = self.dy(value, Some(rf.width))?;
            if self.is_static(idx) {
                let (i, _) = self.st(idx, Some(32))?;
                let f = format_ident!("wr_{}", rf.name);
                return Ok(quote!({ let x = #x; #f(b, #i, x); }));
            }
            let (i, _) = self.dy(idx, None)?;
            let f = format_ident!("wrx_{}", rf.name);
            return Ok(quote!({ let x = #x; let i = #i; #f(b, i, x); }));
        }
        if let Some(reg) = self.v.regs.iter().find(|r| &r.name == n).cloned() {
            let g = reg_global(&reg);
            if let Some(f) = &t.field {
                let (_, hi, lo) = reg.fields.iter().find(|(x, _, _)| *x == f.name).ok_or("field")?.clone();
                let (x, _) = self.dy(value, Some(hi - lo + 1))?;
                let end = self.context_write_end(&reg.name, hi, lo);
                return Ok(quote!({
                    let x = #x;
                    let r = #g;
                    let nv = sem::set_field(b, r, #hi, #lo, x);
                    b.mov(r.0, nv.0);
                    #end
                }));
            }
            let (x, _) = self.dy(value, Some(reg.width))?;
            let w = reg.width;
            let end = self.context_write_end(&reg.name, w - 1, 0);
            return Ok(quote!({ let x = #x; let r = #g; let v = sem::fit(b, x, #w); b.mov(r.0, v); #end }));
        }
        if t.index.is_none() && t.field.is_none() {
            if let Some(w) = self.table_operand(n).and_then(|t| t.export_width) {
                let (x, _) = self.dy(value, Some(w))?;
                return self.table_write(n, x);
            }
        }
        if let Some((id, w, false)) = self.local(n).cloned() {
            let (x, _) = self.dy(value, Some(w))?;
            return Ok(quote!({ let x = #x; let v = sem::fit(b, x, #w); b.mov(#id.0, v); }));
        }
        Err(format!("cannot assign `{n}` in `{}`", self.ins.name))
    }
}
