//! Importer for Tensilica Xtensa configuration overlays (the `specemu-xtensa-import` tool).
//!
//! A Tensilica core is described by a `core-isa.h` header full of
//! `#define XCHAL_* value` macros.  QEMU turns such a header into a core
//! definition with its `import_core.sh` script and `overlay_tool.h`; this
//! crate does the same job for specemu: [`import_overlay`] reads the facts
//! out of a `core-isa.h` and writes them as a specemu core overlay
//! (`isa-specs/xtensa/cores/*.core`).  No code is taken from the header or
//! from QEMU; only the configuration facts are read.
//!
//! It is a tool of its own, outside the spec generator (`specemu-codegen`),
//! which every build compiles; nothing at build time needs it.  It owns, one
//! file each:
//!
//! * `preprocess`: a small C-preprocessor subset that is enough for real
//!   `core-isa.h` files: comments (`/* */`, `//`), line continuations, CRLF
//!   line ends, `#define`/`#undef`, `#if`/`#ifdef`/`#ifndef`/`#elif`/`#else`/
//!   `#endif`.  `#include` is ignored and an active `#error` is an error.
//! * `eval`: macro evaluation, integer constant expressions over other macros
//!   (`+ - * / % << >> & | ^ ~ ! && || == != < <= > >= ?:` and `defined`).
//!   In `#if` conditions unknown identifiers count as 0, as in C;
//!   `__XTENSA_EB__`/`__XTENSA_EL__` follow `XCHAL_HAVE_BE` once it is
//!   known and `__XTENSA__` is always defined.
//! * `facts`: the mapping from `XCHAL_*` macros to specemu option names,
//!   parameters and memory regions (see [`OPTION_NAMES`] and
//!   [`PARAM_NAMES`]), which follows the way QEMU's `overlay_tool.h` reads
//!   the same macros;
//! * `core_file`: the exact text layout of a core overlay file.
//!
//! This file holds the entry point and its error type.  The output depends
//! only on the input text and the core name, so the same header always gives
//! the same bytes.

mod core_file;
mod eval;
mod facts;
mod preprocess;
#[cfg(test)]
mod tests;

use core_file::render;
use facts::{collect_options, collect_params, collect_regions, Facts, REQUIRED_MACROS};
pub use facts::{OPTION_NAMES, PARAM_NAMES};
use preprocess::{is_identifier, preprocess};
use std::fmt;

/// Why a header could not be imported.
///
/// `line` is the 1-based line of the header the problem was found on, or 0
/// when the problem is a macro that is missing altogether.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportError {
    pub line: usize,
    pub message: String,
}

impl ImportError {
    fn new(line: usize, message: impl Into<String>) -> Self {
        ImportError { line, message: message.into() }
    }
}

impl fmt::Display for ImportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            write!(f, "core-isa.h: {}", self.message)
        } else {
            write!(f, "core-isa.h:{}: {}", self.line, self.message)
        }
    }
}

impl std::error::Error for ImportError {}

/// Converts the text of a `core-isa.h` into the text of a specemu core
/// overlay named `name`.
pub fn import_overlay(core_isa_h: &str, name: &str) -> Result<String, ImportError> {
    if !is_identifier(name) {
        return Err(ImportError::new(0, format!("core name `{name}` is not an identifier ([A-Za-z_][A-Za-z0-9_]*)")));
    }
    let table = preprocess(core_isa_h)?;
    let facts = Facts { table: &table };
    for macro_name in REQUIRED_MACROS {
        if !facts.has(macro_name) {
            return Err(ImportError::new(0, format!("required macro {macro_name} is not defined")));
        }
    }
    let options = collect_options(&facts)?;
    let params = collect_params(&facts, &options)?;
    let regions = collect_regions(&facts)?;
    Ok(render(name, &options, &params, &regions))
}
