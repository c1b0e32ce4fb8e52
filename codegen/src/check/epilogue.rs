//! The epilogue pass: `epilogue { ... }`, the semantics every instruction runs after its own
//! (Xtensa's zero-overhead loop, ARM's IT-state advance). At most one per architecture
//! variant; type-checked in a scope without operands, where `branch_taken()` (is the
//! instruction jumping?) and `next_pc` have values; spec functions are inlined into it.
//!
//! Must not look at instructions: the generator lowers the epilogue into each of them.

use super::Builder;
use crate::ast::Item;
use crate::diag::{Diagnostic, Span};
use crate::load::Module;
use crate::typeck::Scope;
use std::collections::{BTreeMap, BTreeSet};

impl Builder<'_> {
    pub(super) fn pass_epilogue(&mut self, items: &[(&Module, &Item)]) {
        let mut first: Option<Span> = None;
        for (_, it) in items {
            let Item::Epilogue(body, span) = it else { continue };
            if let Some(f) = first {
                self.err(
                    Diagnostic::error(span.sub(0, 8), "a second epilogue", "one epilogue runs after every instruction")
                        .with_note(format!("the first is at {}", self.origin(f))),
                );
                continue;
            }
            first = Some(*span);
            let empty = BTreeMap::new();
            let mut sc = Scope::new(&self.v, &empty);
            sc.epilogue = true;
            let errs = sc.block(body);
            if !errs.is_empty() {
                self.errs.extend(errs);
                continue;
            }
            let mut uses = Vec::new();
            crate::inline::block_uses(&self.v, body, &mut uses);
            let mut local = BTreeSet::new();
            crate::inline::let_names(body, &mut local);
            self.check_capture(&uses, &local);
            self.v.epilogue = Some(crate::inline::block(&self.v, body));
        }
    }
}
