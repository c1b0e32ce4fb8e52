//! The next-PC pass: `next_pc delayed { ... }` declares the delay-slot model that
//! `jump_delayed` and `annul_delay_slot` need (without one, instructions run in sequence and
//! the checker refuses delayed jumps). Its attributes say what a jump in a delay slot does:
//! `branch_in_slot = EXCEPTION` raises (MIPS), `register = REG` names the architecture's
//! next-PC register, with which such a jump is defined (SPARC's DCTI couples).
//!
//! Must not look at instructions (the type checker refuses their delayed jumps when no model
//! is declared).

use super::Builder;
use crate::ast::{Item, Value};
use crate::diag::Diagnostic;
use crate::load::Module;
use crate::model::DelaySlot;

impl Builder<'_> {
    pub(super) fn pass_next_pc(&mut self, items: &[(&Module, &Item)]) {
        for (_, it) in items {
            let Item::NextPc { model, attrs, .. } = it else { continue };
            if self.v.delay_slot.is_some() {
                self.err(Diagnostic::error(model.span, "a second next-PC model", "declare `next_pc` once"));
                continue;
            }
            if model.name != "delayed" {
                self.err(Diagnostic::error(
                    model.span,
                    format!("unknown next-PC model `{}`", model.name),
                    "expected `delayed` (instructions without delay slots need no declaration)",
                ));
                continue;
            }
            let errors_before = self.errs.len();
            let mut found = None;
            for (k, v) in attrs {
                let name = match v {
                    Value::Ident(i) => i,
                    other => {
                        self.err(Diagnostic::error(other.span(), "expected a name", "an exception or a register"));
                        continue;
                    }
                };
                let ds = match k.name.as_str() {
                    "branch_in_slot" => match self.v.exceptions.get(&name.name) {
                        Some(&code) => DelaySlot::SlotBranchRaises(code),
                        None => {
                            self.err(Diagnostic::error(
                                name.span,
                                format!("unknown exception `{}`", name.name),
                                "declare it with `exception NAME = CODE;`",
                            ));
                            continue;
                        }
                    },
                    "register" => {
                        let pc_w = self.v.regs.iter().find(|r| r.name == "pc").map(|r| r.width);
                        match self.v.regs.iter().find(|r| r.name == name.name) {
                            Some(r) if Some(r.width) == pc_w => DelaySlot::Register(r.name.clone()),
                            Some(r) => {
                                self.err(Diagnostic::error(
                                    name.span,
                                    format!("`{}` is {} bits, the pc {} bits", r.name, r.width, pc_w.unwrap_or(0)),
                                    "the next-PC register is as wide as the pc",
                                ));
                                continue;
                            }
                            None => {
                                self.err(Diagnostic::error(
                                    name.span,
                                    format!("`{}` is not a register", name.name),
                                    "expected a register declared with `reg`",
                                ));
                                continue;
                            }
                        }
                    }
                    other => {
                        self.err(Diagnostic::error(
                            k.span,
                            format!("unknown attribute `{other}`"),
                            "expected `branch_in_slot = EXCEPTION` or `register = REG`",
                        ));
                        continue;
                    }
                };
                if found.is_some() {
                    self.err(Diagnostic::error(
                        k.span,
                        "a second attribute",
                        "a jump in a delay slot either raises or is defined by the next-PC register",
                    ));
                    continue;
                }
                found = Some(ds);
            }
            match found {
                Some(ds) => self.v.delay_slot = Some(ds),
                // An attribute was wrong (and said so): a stand-in model keeps the delayed
                // jumps of the instructions from being reported again.
                None if self.errs.len() > errors_before => self.v.delay_slot = Some(DelaySlot::SlotBranchRaises(0)),
                None => self.err(
                    Diagnostic::error(model.span, "what does a jump in a delay slot do?", "say it here")
                        .with_note("add `{ branch_in_slot = EXCEPTION; }` or `{ register = NPC; }`"),
                ),
            }
        }
    }
}
