//! Importer for Tensilica Xtensa configuration overlays.
//!
//! A Tensilica core is described by a `core-isa.h` header full of
//! `#define XCHAL_* value` macros.  QEMU turns such a header into a core
//! definition with its `import_core.sh` script and `overlay_tool.h`; this
//! module does the same job for specemu: [`import_overlay`] reads the facts
//! out of a `core-isa.h` and writes them as a specemu core overlay
//! (`isa-specs/xtensa/cores/*.core`).  No code is taken from the header or
//! from QEMU; only the configuration facts are read.
//!
//! The module owns three things:
//!
//! * a small C-preprocessor subset that is enough for real `core-isa.h`
//!   files: comments (`/* */`, `//`), line continuations, CRLF line ends,
//!   `#define`/`#undef`, `#if`/`#ifdef`/`#ifndef`/`#elif`/`#else`/`#endif`
//!   and integer constant expressions over other macros (`+ - * / % << >>
//!   & | ^ ~ ! && || == != < <= > >= ?:` and `defined`).  In `#if`
//!   conditions unknown identifiers count as 0, as in C;
//!   `__XTENSA_EB__`/`__XTENSA_EL__` follow `XCHAL_HAVE_BE` once it is
//!   known and `__XTENSA__` is always defined.  `#include` is ignored and an
//!   active `#error` is an error.
//! * the mapping from `XCHAL_*` macros to specemu option names, parameters
//!   and memory regions (see [`OPTION_NAMES`] and [`PARAM_NAMES`]), which
//!   follows the way QEMU's `overlay_tool.h` reads the same macros;
//! * the exact text layout of a core overlay file.
//!
//! The output depends only on the input text and the core name, so the same
//! header always gives the same bytes.

use std::collections::HashMap;
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

/// Every option the importer can emit, in the order it emits them.
pub const OPTION_NAMES: &[&str] = &[
    "density",
    "loop",
    "extended_l32r",
    "const16",
    "mul16",
    "mul32",
    "mul32_high",
    "div32",
    "mac16",
    "misc_sr",
    "boolean",
    "nsa",
    "minmax",
    "clamps",
    "sext",
    "windowed",
    "exceptions",
    "interrupts",
    "high_priority_interrupts",
    "timer",
    "thread_pointer",
    "processor_id",
    "conditional_store",
    "sync",
    "fp",
    "debug",
    "region_protection",
    "region_translation",
    "cacheattr",
    "mpu",
    "mmu",
    "unaligned_exception",
    "hw_alignment",
    "relocatable_vector",
    "atomctl",
    "exclusive",
    "depbits",
    "extern_regs",
    "coprocessor",
    "dfp_single_only",
    "dfp",
    "icache",
    "icache_index_lock",
    "dcache",
    "dcache_index_lock",
    "memory_ecc_parity",
    "trace_port",
];

/// Every parameter the importer can emit, in the order it emits them.
pub const PARAM_NAMES: &[&str] = &[
    "ENDIAN",
    "NUM_AREGS",
    "MAX_INSTRUCTION_SIZE",
    "INST_FETCH_WIDTH",
    "XEA_VERSION",
    "NUM_INTERRUPTS",
    "NUM_EXTINTERRUPTS",
    "NUM_INTLEVELS",
    "EXCM_LEVEL",
    "DEBUGLEVEL",
    "NMILEVEL",
    "NUM_TIMERS",
    "TIMER_INTERRUPTS",
    "INTERRUPT_LEVELS",
    "INTERRUPT_TYPES",
    "EXTERNAL_INTERRUPTS",
    "NUM_MISC_REGS",
    "NUM_IBREAK",
    "NUM_DBREAK",
    "ICACHE_SIZE",
    "ICACHE_LINESIZE",
    "ICACHE_WAYS",
    "DCACHE_SIZE",
    "DCACHE_LINESIZE",
    "DCACHE_WAYS",
    "HW_VERSION",
    "CONFIGID",
    "RESET_VECTOR",
    "RESET_VECTOR0",
    "RESET_VECTOR1",
    "VECBASE_RESET",
    "USER_VECTOR",
    "KERNEL_VECTOR",
    "DOUBLEEXC_VECTOR",
    "WINDOW_VECTORS",
    "INTLEVEL_VECTORS",
    "DEBUG_VECTOR",
    "NMI_VECTOR",
    "ITLB_ARF_ENTRIES_LOG2",
    "DTLB_ARF_ENTRIES_LOG2",
    "MMU_SPANNING_WAY",
];

/// Macros without which a header is rejected: the endianness, the register
/// file size and the option flags that QEMU's `overlay_tool.h` reads without
/// a fallback.  Other option macros default to 0 when absent (older headers
/// lack e.g. `XCHAL_HAVE_DEPBITS` or `XCHAL_HAVE_EXTERN_REGS`).
const REQUIRED_MACROS: &[&str] = &[
    "XCHAL_HAVE_BE",
    "XCHAL_NUM_AREGS",
    "XCHAL_HAVE_DENSITY",
    "XCHAL_HAVE_LOOPS",
    "XCHAL_HAVE_ABSOLUTE_LITERALS",
    "XCHAL_HAVE_MUL16",
    "XCHAL_HAVE_MUL32",
    "XCHAL_HAVE_MUL32_HIGH",
    "XCHAL_HAVE_MAC16",
    "XCHAL_NUM_MISC_REGS",
    "XCHAL_HAVE_BOOLEANS",
    "XCHAL_HAVE_NSA",
    "XCHAL_HAVE_MINMAX",
    "XCHAL_HAVE_CLAMPS",
    "XCHAL_HAVE_SEXT",
    "XCHAL_HAVE_WINDOWED",
    "XCHAL_HAVE_EXCEPTIONS",
    "XCHAL_HAVE_INTERRUPTS",
    "XCHAL_HAVE_HIGHPRI_INTERRUPTS",
    "XCHAL_HAVE_CCOUNT",
    "XCHAL_HAVE_THREADPTR",
    "XCHAL_HAVE_PRID",
    "XCHAL_HAVE_S32C1I",
    "XCHAL_HAVE_RELEASE_SYNC",
    "XCHAL_HAVE_FP",
    "XCHAL_HAVE_DEBUG",
    "XCHAL_HAVE_MIMIC_CACHEATTR",
    "XCHAL_HAVE_XLT_CACHEATTR",
    "XCHAL_HAVE_CACHEATTR",
    "XCHAL_HAVE_PTP_MMU",
    "XCHAL_UNALIGNED_LOAD_EXCEPTION",
    "XCHAL_HAVE_CP",
    "XCHAL_ICACHE_SIZE",
    "XCHAL_DCACHE_SIZE",
];

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

// ---------------------------------------------------------------------------
// Output
// ---------------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq)]
enum ParamValue {
    Dec(i128),
    /// Checked to be in `0..=u32::MAX` when built.
    Hex(i128),
    Ident(String),
    List(Vec<ParamValue>),
}

impl fmt::Display for ParamValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ParamValue::Dec(v) => write!(f, "{v}"),
            ParamValue::Hex(v) => write!(f, "0x{v:08x}"),
            ParamValue::Ident(s) => f.write_str(s),
            ParamValue::List(items) => {
                f.write_str("[")?;
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{item}")?;
                }
                f.write_str("]")
            }
        }
    }
}

struct Region {
    name: String,
    kind: &'static str,
    base: i128,
    size: i128,
}

fn render(
    name: &str,
    options: &[(&'static str, bool)],
    params: &[(&'static str, ParamValue)],
    regions: &[Region],
) -> String {
    let mut out = String::new();
    out.push_str(&format!(
        "// Core overlay `{name}`, generated by `specemu-codegen import-xtensa-overlay` from a core-isa.h.\n"
    ));
    out.push_str(
        "// Regenerate instead of editing: the test suite checks that this file is exactly what the importer writes.\n",
    );
    out.push_str(&format!("core {name} for xtensa;\n"));

    let enabled: Vec<&str> = options.iter().filter(|(_, on)| *on).map(|(n, _)| *n).collect();
    if !enabled.is_empty() {
        out.push('\n');
        for option in enabled {
            out.push_str(&format!("option {option};\n"));
        }
    }
    if !params.is_empty() {
        out.push('\n');
        for (param, value) in params {
            out.push_str(&format!("param {param} = {value};\n"));
        }
    }
    if !regions.is_empty() {
        out.push('\n');
        for r in regions {
            out.push_str(&format!("region {} {} 0x{:08x} 0x{:08x};\n", r.name, r.kind, r.base, r.size));
        }
    }
    out
}

// ---------------------------------------------------------------------------
// Facts: XCHAL macros -> options, params, regions
// ---------------------------------------------------------------------------

struct Facts<'a> {
    table: &'a Table,
}

impl Facts<'_> {
    fn has(&self, name: &str) -> bool {
        matches!(self.table.get(name), Some(Macro { kind: MacroKind::Object(_), .. }))
    }

    fn line_of(&self, name: &str) -> usize {
        self.table.get(name).map_or(0, |m| m.line)
    }

    /// The value of an object-like macro, or `None` when it is not defined.
    fn get(&self, name: &str) -> Result<Option<i128>, ImportError> {
        if !self.has(name) {
            return Ok(None);
        }
        Evaluator::new(self.table, Mode::Value)
            .eval_macro(name)
            .map(Some)
            .map_err(|e| ImportError::new(e.line.unwrap_or_else(|| self.line_of(name)), e.msg))
    }

    fn req(&self, name: &str, why: &str) -> Result<i128, ImportError> {
        self.get(name)?.ok_or_else(|| ImportError::new(0, format!("macro {name} is not defined (needed for {why})")))
    }

    /// An option flag: non-zero means present, absent means 0.
    fn flag(&self, name: &str) -> Result<bool, ImportError> {
        Ok(self.get(name)?.unwrap_or(0) != 0)
    }

    fn dec(&self, name: &str) -> Result<Option<ParamValue>, ImportError> {
        Ok(self.get(name)?.map(ParamValue::Dec))
    }

    fn hex(&self, name: &str) -> Result<Option<ParamValue>, ImportError> {
        match self.get(name)? {
            None => Ok(None),
            Some(v) => Ok(Some(ParamValue::Hex(self.check_u32(name, v)?))),
        }
    }

    fn req_hex(&self, name: &str, why: &str) -> Result<ParamValue, ImportError> {
        let v = self.req(name, why)?;
        Ok(ParamValue::Hex(self.check_u32(name, v)?))
    }

    fn check_u32(&self, name: &str, v: i128) -> Result<i128, ImportError> {
        if (0..=u32::MAX as i128).contains(&v) {
            Ok(v)
        } else {
            Err(ImportError::new(self.line_of(name), format!("{name} = {v} is not a 32-bit address")))
        }
    }

    /// A count that sizes a list: must be in 0..=64.
    fn count(&self, name: &str) -> Result<Option<usize>, ImportError> {
        match self.get(name)? {
            None => Ok(None),
            Some(v) if (0..=64).contains(&v) => Ok(Some(v as usize)),
            Some(v) => Err(ImportError::new(self.line_of(name), format!("{name} = {v} is out of range (0..=64)"))),
        }
    }

    /// The interrupt type of `XCHAL_INTn_TYPE`, as a lowercase name.
    fn int_type(&self, name: &str, why: &str) -> Result<String, ImportError> {
        let mut current = name.to_string();
        for _ in 0..16 {
            let m = match self.table.get(&current) {
                Some(m) => m,
                None => return Err(ImportError::new(0, format!("macro {current} is not defined (needed for {why})"))),
            };
            let body = match &m.kind {
                MacroKind::Object(body) => body,
                MacroKind::Function => {
                    return Err(ImportError::new(m.line, format!("{current} is a function-like macro")))
                }
            };
            let ident = single_identifier(body).ok_or_else(|| {
                ImportError::new(
                    m.line,
                    format!("{current} should name an XTHAL_INTTYPE_* interrupt type, found `{}`", body.trim()),
                )
            })?;
            if let Some(suffix) = ident.strip_prefix("XTHAL_INTTYPE_") {
                return Ok(interrupt_type_name(suffix));
            }
            current = ident;
        }
        Err(ImportError::new(
            self.line_of(name),
            format!("{name}: macro chain too deep while looking for an interrupt type"),
        ))
    }

    fn hw_version(&self) -> Result<Option<i128>, ImportError> {
        if let Some(v) = self.get("XCHAL_HW_VERSION")? {
            return Ok(Some(v));
        }
        if let (Some(major), Some(minor)) = (self.get("XCHAL_HW_VERSION_MAJOR")?, self.get("XCHAL_HW_VERSION_MINOR")?) {
            return Ok(Some(major * 100 + minor));
        }
        self.get("XCHAL_HW_MIN_VERSION")
    }
}

fn interrupt_type_name(suffix: &str) -> String {
    match suffix {
        "EXTERN_LEVEL" => "level".to_string(),
        "EXTERN_EDGE" => "edge".to_string(),
        "NMI" => "nmi".to_string(),
        "SOFTWARE" => "software".to_string(),
        "TIMER" => "timer".to_string(),
        // QEMU maps the old placeholder names TBD1/TBD2 to debug/write-error.
        "TBD1" | "DBG_REQUEST" => "debug".to_string(),
        "TBD2" | "WRITE_ERROR" => "writeerr".to_string(),
        "PROFILING" => "profiling".to_string(),
        "IDMA_DONE" => "idma_done".to_string(),
        "IDMA_ERR" => "idma_err".to_string(),
        "GS_ERR" => "gs_err".to_string(),
        other => other.to_ascii_lowercase(),
    }
}

fn collect_options(f: &Facts<'_>) -> Result<Vec<(&'static str, bool)>, ImportError> {
    let s32c1i = f.flag("XCHAL_HAVE_S32C1I")?;
    let exclusive = f.flag("XCHAL_HAVE_EXCLUSIVE")?;
    let hw_version = f.hw_version()?.unwrap_or(0);
    let dfpu_single_only = f.flag("XCHAL_HAVE_DFPU_SINGLE_ONLY")?;
    let dfp = f.flag("XCHAL_HAVE_DFP")? || dfpu_single_only || f.flag("XCHAL_HAVE_DFPU_SINGLE_DOUBLE")?;
    let coprocessor = f.flag("XCHAL_HAVE_CP")? || f.get("XCHAL_CP_NUM")?.is_some_and(|n| n > 0);

    let options: Vec<(&'static str, bool)> = vec![
        ("density", f.flag("XCHAL_HAVE_DENSITY")?),
        ("loop", f.flag("XCHAL_HAVE_LOOPS")?),
        ("extended_l32r", f.flag("XCHAL_HAVE_ABSOLUTE_LITERALS")?),
        ("const16", f.flag("XCHAL_HAVE_CONST16")?),
        ("mul16", f.flag("XCHAL_HAVE_MUL16")?),
        ("mul32", f.flag("XCHAL_HAVE_MUL32")?),
        ("mul32_high", f.flag("XCHAL_HAVE_MUL32_HIGH")?),
        ("div32", f.flag("XCHAL_HAVE_DIV32")?),
        ("mac16", f.flag("XCHAL_HAVE_MAC16")?),
        ("misc_sr", f.get("XCHAL_NUM_MISC_REGS")?.unwrap_or(0) > 0),
        ("boolean", f.flag("XCHAL_HAVE_BOOLEANS")?),
        ("nsa", f.flag("XCHAL_HAVE_NSA")?),
        ("minmax", f.flag("XCHAL_HAVE_MINMAX")?),
        ("clamps", f.flag("XCHAL_HAVE_CLAMPS")?),
        ("sext", f.flag("XCHAL_HAVE_SEXT")?),
        ("windowed", f.flag("XCHAL_HAVE_WINDOWED")?),
        ("exceptions", f.flag("XCHAL_HAVE_EXCEPTIONS")?),
        ("interrupts", f.flag("XCHAL_HAVE_INTERRUPTS")?),
        ("high_priority_interrupts", f.flag("XCHAL_HAVE_HIGHPRI_INTERRUPTS")?),
        ("timer", f.flag("XCHAL_HAVE_CCOUNT")?),
        ("thread_pointer", f.flag("XCHAL_HAVE_THREADPTR")?),
        ("processor_id", f.flag("XCHAL_HAVE_PRID")?),
        ("conditional_store", s32c1i),
        ("sync", f.flag("XCHAL_HAVE_RELEASE_SYNC")?),
        ("fp", f.flag("XCHAL_HAVE_FP")?),
        ("debug", f.flag("XCHAL_HAVE_DEBUG")?),
        ("region_protection", f.flag("XCHAL_HAVE_MIMIC_CACHEATTR")?),
        ("region_translation", f.flag("XCHAL_HAVE_XLT_CACHEATTR")?),
        ("cacheattr", f.flag("XCHAL_HAVE_CACHEATTR")?),
        ("mpu", f.flag("XCHAL_HAVE_MPU")?),
        ("mmu", f.flag("XCHAL_HAVE_PTP_MMU")?),
        ("unaligned_exception", f.flag("XCHAL_UNALIGNED_LOAD_EXCEPTION")?),
        ("hw_alignment", f.flag("XCHAL_UNALIGNED_LOAD_HW")?),
        ("relocatable_vector", f.flag("XCHAL_HAVE_VECBASE")?),
        // As QEMU: ATOMCTL exists with S32C1I on LX2.3+ hardware, or with
        // the exclusive-access instructions.
        ("atomctl", (s32c1i && hw_version >= 230000) || exclusive),
        ("exclusive", exclusive),
        ("depbits", f.flag("XCHAL_HAVE_DEPBITS")?),
        ("extern_regs", f.flag("XCHAL_HAVE_EXTERN_REGS")?),
        ("coprocessor", coprocessor),
        ("dfp_single_only", dfpu_single_only),
        ("dfp", dfp),
        ("icache", f.get("XCHAL_ICACHE_SIZE")?.unwrap_or(0) > 0),
        ("icache_index_lock", f.flag("XCHAL_ICACHE_LINE_LOCKABLE")?),
        ("dcache", f.get("XCHAL_DCACHE_SIZE")?.unwrap_or(0) > 0),
        ("dcache_index_lock", f.flag("XCHAL_DCACHE_LINE_LOCKABLE")?),
        ("memory_ecc_parity", f.flag("XCHAL_HAVE_MEM_ECC_PARITY")?),
        ("trace_port", f.flag("XCHAL_HAVE_TRAX")?),
    ];
    debug_assert_eq!(options.iter().map(|(n, _)| *n).collect::<Vec<_>>(), OPTION_NAMES);
    Ok(options)
}

fn collect_params(
    f: &Facts<'_>,
    options: &[(&'static str, bool)],
) -> Result<Vec<(&'static str, ParamValue)>, ImportError> {
    let option = |n: &str| options.iter().any(|(name, on)| *name == n && *on);
    let mut p: Vec<(&'static str, ParamValue)> = Vec::new();
    let push = |p: &mut Vec<_>, name: &'static str, v: Option<ParamValue>| {
        if let Some(v) = v {
            p.push((name, v));
        }
    };

    let endian = if f.flag("XCHAL_HAVE_BE")? { "big" } else { "little" };
    push(&mut p, "ENDIAN", Some(ParamValue::Ident(endian.to_string())));
    push(&mut p, "NUM_AREGS", f.dec("XCHAL_NUM_AREGS")?);
    push(&mut p, "MAX_INSTRUCTION_SIZE", f.dec("XCHAL_MAX_INSTRUCTION_SIZE")?);
    push(&mut p, "INST_FETCH_WIDTH", f.dec("XCHAL_INST_FETCH_WIDTH")?);
    push(&mut p, "XEA_VERSION", f.dec("XCHAL_XEA_VERSION")?);
    push(&mut p, "NUM_INTERRUPTS", f.dec("XCHAL_NUM_INTERRUPTS")?);
    push(&mut p, "NUM_EXTINTERRUPTS", f.dec("XCHAL_NUM_EXTINTERRUPTS")?);
    push(&mut p, "NUM_INTLEVELS", f.dec("XCHAL_NUM_INTLEVELS")?);
    push(&mut p, "EXCM_LEVEL", f.dec("XCHAL_EXCM_LEVEL")?);
    push(&mut p, "DEBUGLEVEL", f.dec("XCHAL_DEBUGLEVEL")?);
    let have_nmi = f.flag("XCHAL_HAVE_NMI")?;
    if have_nmi {
        push(&mut p, "NMILEVEL", f.dec("XCHAL_NMILEVEL")?);
    }
    push(&mut p, "NUM_TIMERS", f.dec("XCHAL_NUM_TIMERS")?);

    if let Some(n) = f.count("XCHAL_NUM_TIMERS")? {
        let mut list = Vec::new();
        for i in 0..n {
            let v = f.req(&format!("XCHAL_TIMER{i}_INTERRUPT"), "TIMER_INTERRUPTS")?;
            list.push(ParamValue::Dec(v));
        }
        push(&mut p, "TIMER_INTERRUPTS", Some(ParamValue::List(list)));
    }
    if let Some(n) = f.count("XCHAL_NUM_INTERRUPTS")? {
        let mut levels = Vec::new();
        let mut types = Vec::new();
        for i in 0..n {
            levels.push(ParamValue::Dec(f.req(&format!("XCHAL_INT{i}_LEVEL"), "INTERRUPT_LEVELS")?));
            types.push(ParamValue::Ident(f.int_type(&format!("XCHAL_INT{i}_TYPE"), "INTERRUPT_TYPES")?));
        }
        push(&mut p, "INTERRUPT_LEVELS", Some(ParamValue::List(levels)));
        push(&mut p, "INTERRUPT_TYPES", Some(ParamValue::List(types)));
    }
    if let Some(n) = f.count("XCHAL_NUM_EXTINTERRUPTS")? {
        let mut list = Vec::new();
        for i in 0..n {
            list.push(ParamValue::Dec(f.req(&format!("XCHAL_EXTINT{i}_NUM"), "EXTERNAL_INTERRUPTS")?));
        }
        push(&mut p, "EXTERNAL_INTERRUPTS", Some(ParamValue::List(list)));
    }

    push(&mut p, "NUM_MISC_REGS", f.dec("XCHAL_NUM_MISC_REGS")?);
    push(&mut p, "NUM_IBREAK", f.dec("XCHAL_NUM_IBREAK")?);
    push(&mut p, "NUM_DBREAK", f.dec("XCHAL_NUM_DBREAK")?);
    push(&mut p, "ICACHE_SIZE", f.dec("XCHAL_ICACHE_SIZE")?);
    push(&mut p, "ICACHE_LINESIZE", f.dec("XCHAL_ICACHE_LINESIZE")?);
    push(&mut p, "ICACHE_WAYS", f.dec("XCHAL_ICACHE_WAYS")?);
    push(&mut p, "DCACHE_SIZE", f.dec("XCHAL_DCACHE_SIZE")?);
    push(&mut p, "DCACHE_LINESIZE", f.dec("XCHAL_DCACHE_LINESIZE")?);
    push(&mut p, "DCACHE_WAYS", f.dec("XCHAL_DCACHE_WAYS")?);
    push(&mut p, "HW_VERSION", f.hw_version()?.map(ParamValue::Dec));
    if let (Some(id0), Some(id1)) = (f.hex("XCHAL_HW_CONFIGID0")?, f.hex("XCHAL_HW_CONFIGID1")?) {
        push(&mut p, "CONFIGID", Some(ParamValue::List(vec![id0, id1])));
    }

    push(&mut p, "RESET_VECTOR", f.hex("XCHAL_RESET_VECTOR_VADDR")?);
    push(&mut p, "RESET_VECTOR0", f.hex("XCHAL_RESET_VECTOR0_VADDR")?);
    push(&mut p, "RESET_VECTOR1", f.hex("XCHAL_RESET_VECTOR1_VADDR")?);
    push(&mut p, "VECBASE_RESET", f.hex("XCHAL_VECBASE_RESET_VADDR")?);
    push(&mut p, "USER_VECTOR", f.hex("XCHAL_USER_VECTOR_VADDR")?);
    push(&mut p, "KERNEL_VECTOR", f.hex("XCHAL_KERNEL_VECTOR_VADDR")?);
    push(&mut p, "DOUBLEEXC_VECTOR", f.hex("XCHAL_DOUBLEEXC_VECTOR_VADDR")?);
    push(&mut p, "WINDOW_VECTORS", f.hex("XCHAL_WINDOW_VECTORS_VADDR")?);
    // One vector per interrupt level from 2 up to the highest level, the
    // NMI level (NUM_INTLEVELS + 1) included, as in QEMU's
    // INTERRUPT_VECTORS.  The headers alias the debug and NMI levels'
    // INTLEVELn macros to DEBUG_VECTOR/NMI_VECTOR.
    if let Some(levels) = f.get("XCHAL_NUM_INTLEVELS")? {
        let top = levels + i128::from(have_nmi);
        if top > 7 {
            return Err(ImportError::new(
                f.line_of("XCHAL_NUM_INTLEVELS"),
                format!("XCHAL_NUM_INTLEVELS = {levels} gives more than 7 interrupt levels"),
            ));
        }
        let mut list = Vec::new();
        for level in 2..=top {
            list.push(f.req_hex(&format!("XCHAL_INTLEVEL{level}_VECTOR_VADDR"), "INTLEVEL_VECTORS")?);
        }
        push(&mut p, "INTLEVEL_VECTORS", Some(ParamValue::List(list)));
    }
    push(&mut p, "DEBUG_VECTOR", f.hex("XCHAL_DEBUG_VECTOR_VADDR")?);
    if have_nmi {
        push(&mut p, "NMI_VECTOR", f.hex("XCHAL_NMI_VECTOR_VADDR")?);
    }
    if option("mmu") {
        push(&mut p, "ITLB_ARF_ENTRIES_LOG2", f.dec("XCHAL_ITLB_ARF_ENTRIES_LOG2")?);
        push(&mut p, "DTLB_ARF_ENTRIES_LOG2", f.dec("XCHAL_DTLB_ARF_ENTRIES_LOG2")?);
        push(&mut p, "MMU_SPANNING_WAY", f.dec("XCHAL_HAVE_SPANNING_WAY")?);
    }

    debug_assert!({
        let order: Vec<usize> = p.iter().map(|(n, _)| PARAM_NAMES.iter().position(|x| x == n).unwrap()).collect();
        order.windows(2).all(|w| w[0] < w[1])
    });
    Ok(p)
}

/// Local memories, in a fixed order.  `XCHAL_<X>n_VADDR`/`_SIZE` describe
/// memory n of each kind; `XCHAL_NUM_<X>` (when defined) says how many
/// there are.
fn collect_regions(f: &Facts<'_>) -> Result<Vec<Region>, ImportError> {
    const KINDS: &[(&str, &str, &str)] = &[
        ("INSTRAM", "XCHAL_NUM_INSTRAM", "ram"),
        ("INSTROM", "XCHAL_NUM_INSTROM", "rom"),
        ("DATARAM", "XCHAL_NUM_DATARAM", "ram"),
        ("DATAROM", "XCHAL_NUM_DATAROM", "rom"),
        ("URAM", "XCHAL_NUM_URAM", "ram"),
        ("XLMI", "XCHAL_NUM_XLMI", "ram"),
    ];
    let mut regions = Vec::new();
    for (kind, count_macro, ram_or_rom) in KINDS {
        let count = f.get(count_macro)?;
        for n in 0..4 {
            if count.is_some_and(|c| n >= c) {
                break;
            }
            let stem = format!("XCHAL_{kind}{n}");
            if let Some(r) = region(f, &stem, &format!("{stem}_VADDR"), ram_or_rom)? {
                regions.push(r);
            }
        }
    }
    for (stem, ram_or_rom) in [("XCHAL_SYSROM0", "rom"), ("XCHAL_SYSRAM0", "ram")] {
        let base = if f.has(&format!("{stem}_VADDR")) { format!("{stem}_VADDR") } else { format!("{stem}_PADDR") };
        if let Some(r) = region(f, stem, &base, ram_or_rom)? {
            regions.push(r);
        }
    }
    Ok(regions)
}

fn region(f: &Facts<'_>, stem: &str, base_macro: &str, kind: &'static str) -> Result<Option<Region>, ImportError> {
    let size_macro = format!("{stem}_SIZE");
    let (Some(base), Some(size)) = (f.get(base_macro)?, f.get(&size_macro)?) else {
        return Ok(None);
    };
    let base = f.check_u32(base_macro, base)?;
    if size == 0 {
        return Ok(None);
    }
    if size < 0 || base + size > 1i128 << 32 {
        return Err(ImportError::new(
            f.line_of(&size_macro),
            format!("{size_macro} = {size} does not fit in the 32-bit address space at 0x{base:08x}"),
        ));
    }
    let name = stem.trim_start_matches("XCHAL_").to_ascii_lowercase();
    Ok(Some(Region { name, kind, base, size }))
}

// ---------------------------------------------------------------------------
// Preprocessor
// ---------------------------------------------------------------------------

#[derive(Debug, Clone)]
enum MacroKind {
    Object(String),
    Function,
}

#[derive(Debug, Clone)]
struct Macro {
    line: usize,
    kind: MacroKind,
}

type Table = HashMap<String, Macro>;

struct LogicalLine {
    line: usize,
    text: String,
}

/// Splits the source into logical lines: line continuations are joined,
/// comments are replaced by a space, CRLF is accepted.  Each logical line
/// carries the physical line it starts on.
fn logical_lines(src: &str) -> Vec<LogicalLine> {
    // Characters tagged with their physical line, continuations removed.
    let raw: Vec<char> = src.chars().collect();
    let mut chars: Vec<(char, usize)> = Vec::with_capacity(raw.len());
    let mut line = 1;
    let mut i = 0;
    while i < raw.len() {
        let c = raw[i];
        if c == '\r' {
            if raw.get(i + 1) != Some(&'\n') {
                chars.push((' ', line));
            }
            i += 1;
            continue;
        }
        if c == '\\' {
            let mut j = i + 1;
            while j < raw.len() && matches!(raw[j], ' ' | '\t' | '\r') {
                j += 1;
            }
            if raw.get(j) == Some(&'\n') {
                line += 1;
                i = j + 1;
                continue;
            }
        }
        chars.push((c, line));
        if c == '\n' {
            line += 1;
        }
        i += 1;
    }

    enum State {
        Code,
        Quoted(char),
        LineComment,
        BlockComment,
    }
    let mut lines = Vec::new();
    let mut text = String::new();
    let mut start: Option<usize> = None;
    let mut state = State::Code;
    let mut k = 0;
    while k < chars.len() {
        let (c, ln) = chars[k];
        let next = chars.get(k + 1).map(|&(c, _)| c);
        if start.is_none() {
            start = Some(ln);
        }
        if c == '\n' && !matches!(state, State::BlockComment) {
            lines.push(LogicalLine { line: start.take().unwrap_or(ln), text: std::mem::take(&mut text) });
            state = State::Code;
            k += 1;
            continue;
        }
        match state {
            State::Code => {
                if c == '/' && next == Some('/') {
                    state = State::LineComment;
                    k += 2;
                    continue;
                }
                if c == '/' && next == Some('*') {
                    state = State::BlockComment;
                    text.push(' ');
                    k += 2;
                    continue;
                }
                if c == '"' || c == '\'' {
                    state = State::Quoted(c);
                }
                text.push(c);
            }
            State::Quoted(q) => {
                text.push(c);
                if c == '\\' {
                    if let Some(n) = next.filter(|&n| n != '\n') {
                        text.push(n);
                        k += 2;
                        continue;
                    }
                } else if c == q {
                    state = State::Code;
                }
            }
            State::LineComment => {}
            State::BlockComment => {
                if c == '*' && next == Some('/') {
                    state = State::Code;
                    k += 2;
                    continue;
                }
            }
        }
        k += 1;
    }
    if let Some(ln) = start {
        lines.push(LogicalLine { line: ln, text });
    }
    lines
}

struct CondFrame {
    line: usize,
    parent_active: bool,
    active: bool,
    taken: bool,
    seen_else: bool,
}

/// Runs the directives of a header and returns the macro table at its end.
fn preprocess(src: &str) -> Result<Table, ImportError> {
    let mut table: Table = HashMap::new();
    let mut stack: Vec<CondFrame> = Vec::new();
    for LogicalLine { line, text } in logical_lines(src) {
        let trimmed = text.trim_start();
        let Some(rest) = trimmed.strip_prefix('#') else {
            continue;
        };
        let rest = rest.trim_start();
        let name_len = rest.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).unwrap_or(rest.len());
        let (directive, args) = rest.split_at(name_len);
        let active = stack.last().is_none_or(|f| f.active);
        match directive {
            "if" | "ifdef" | "ifndef" => {
                let cond = if active {
                    match directive {
                        "if" => eval_condition(&table, args, line)?,
                        _ => {
                            let name = first_identifier(args)
                                .ok_or_else(|| ImportError::new(line, format!("#{directive} without a macro name")))?;
                            let defined = is_defined(&table, &name);
                            if directive == "ifdef" {
                                defined
                            } else {
                                !defined
                            }
                        }
                    }
                } else {
                    false
                };
                stack.push(CondFrame {
                    line,
                    parent_active: active,
                    active: active && cond,
                    taken: !active || cond,
                    seen_else: false,
                });
            }
            "elif" => {
                let frame = stack.last_mut().ok_or_else(|| ImportError::new(line, "#elif without #if"))?;
                if frame.seen_else {
                    return Err(ImportError::new(line, "#elif after #else"));
                }
                if frame.taken {
                    frame.active = false;
                } else {
                    let cond = eval_condition(&table, args, line)?;
                    frame.active = cond;
                    frame.taken = cond;
                }
            }
            "else" => {
                let frame = stack.last_mut().ok_or_else(|| ImportError::new(line, "#else without #if"))?;
                if frame.seen_else {
                    return Err(ImportError::new(line, "#else after #else"));
                }
                frame.seen_else = true;
                frame.active = frame.parent_active && !frame.taken;
                frame.taken = true;
            }
            "endif" => {
                stack.pop().ok_or_else(|| ImportError::new(line, "#endif without #if"))?;
            }
            _ if !active => {}
            "define" => {
                let args = args.trim_start();
                let name =
                    first_identifier(args).ok_or_else(|| ImportError::new(line, "#define without a macro name"))?;
                let after = &args[name.len()..];
                let kind = if after.starts_with('(') {
                    MacroKind::Function
                } else {
                    MacroKind::Object(after.trim().to_string())
                };
                table.insert(name, Macro { line, kind });
            }
            "undef" => {
                let name = first_identifier(args.trim_start())
                    .ok_or_else(|| ImportError::new(line, "#undef without a macro name"))?;
                table.remove(&name);
            }
            "error" => {
                return Err(ImportError::new(line, format!("#error{args}")));
            }
            // #include cannot be followed here; #pragma, #warning, #line and
            // the null directive do not change any macro.
            _ => {}
        }
    }
    if let Some(frame) = stack.last() {
        return Err(ImportError::new(frame.line, "#if without #endif"));
    }
    Ok(table)
}

fn eval_condition(table: &Table, expr: &str, line: usize) -> Result<bool, ImportError> {
    Evaluator::new(table, Mode::Condition)
        .eval_text(expr)
        .map(|v| v != 0)
        .map_err(|e| ImportError::new(e.line.unwrap_or(line), format!("in #if: {}", e.msg)))
}

fn is_defined(table: &Table, name: &str) -> bool {
    table.contains_key(name) || Evaluator::new(table, Mode::Condition).predefined(name).is_some()
}

fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

fn first_identifier(s: &str) -> Option<String> {
    let s = s.trim_start();
    let end = s.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).unwrap_or(s.len());
    let ident = &s[..end];
    is_identifier(ident).then(|| ident.to_string())
}

/// The identifier a macro body consists of, allowing surrounding parentheses.
fn single_identifier(body: &str) -> Option<String> {
    let mut s = body.trim();
    while let Some(inner) = s.strip_prefix('(').and_then(|t| t.strip_suffix(')')) {
        s = inner.trim();
    }
    is_identifier(s).then(|| s.to_string())
}

// ---------------------------------------------------------------------------
// Constant expressions
// ---------------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Num(i128),
    Ident(String),
    Str,
    Op(&'static str),
}

/// A token and the line of the `#define` whose body it came from (`None`
/// for tokens of the expression being evaluated itself).
type LTok = (Tok, Option<usize>);

const OPERATORS: &[&str] = &[
    "<<", ">>", "<=", ">=", "==", "!=", "&&", "||", "+", "-", "*", "/", "%", "<", ">", "&", "|", "^", "~", "!", "(",
    ")", "?", ":", ",",
];

fn tokenize(s: &str) -> Result<Vec<Tok>, String> {
    let chars: Vec<char> = s.chars().collect();
    let mut toks = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
        } else if c.is_ascii_alphabetic() || c == '_' {
            let start = i;
            while i < chars.len() && (chars[i].is_ascii_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            toks.push(Tok::Ident(chars[start..i].iter().collect()));
        } else if c.is_ascii_digit() {
            let start = i;
            while i < chars.len() && (chars[i].is_ascii_alphanumeric() || chars[i] == '_' || chars[i] == '.') {
                i += 1;
            }
            let text: String = chars[start..i].iter().collect();
            toks.push(Tok::Num(parse_number(&text)?));
        } else if c == '"' {
            i += 1;
            while i < chars.len() && chars[i] != '"' {
                i += if chars[i] == '\\' { 2 } else { 1 };
            }
            i += 1;
            toks.push(Tok::Str);
        } else if c == '\'' {
            match (chars.get(i + 1), chars.get(i + 2)) {
                (Some(&ch), Some('\'')) if ch != '\\' && ch != '\'' => {
                    toks.push(Tok::Num(ch as i128));
                    i += 3;
                }
                _ => return Err("unsupported character literal".to_string()),
            }
        } else {
            let rest: String = chars[i..chars.len().min(i + 2)].iter().collect();
            let op = OPERATORS
                .iter()
                .find(|op| rest.starts_with(**op))
                .ok_or_else(|| format!("unexpected character `{c}`"))?;
            toks.push(Tok::Op(op));
            i += op.len();
        }
    }
    Ok(toks)
}

fn parse_number(text: &str) -> Result<i128, String> {
    let digits = text.trim_end_matches(['u', 'U', 'l', 'L']);
    let parsed = if let Some(hex) = digits.strip_prefix("0x").or_else(|| digits.strip_prefix("0X")) {
        u64::from_str_radix(hex, 16)
    } else if digits.len() > 1 && digits.starts_with('0') {
        u64::from_str_radix(&digits[1..], 8)
    } else {
        digits.parse::<u64>()
    };
    parsed.map(i128::from).map_err(|_| format!("invalid integer constant `{text}`"))
}

#[derive(Debug, Clone)]
enum Expr {
    Num(i128),
    /// An identifier left after macro expansion: not a defined object-like
    /// macro.
    Ident(String, Option<usize>),
    /// A function-like macro invocation (arguments skipped).
    Call(String, Option<usize>),
    Str(Option<usize>),
    Unary(&'static str, Box<Expr>),
    Binary(&'static str, Box<Expr>, Box<Expr>),
    Cond(Box<Expr>, Box<Expr>, Box<Expr>),
}

#[derive(Debug)]
struct EvalError {
    /// The line of the `#define` the problem came from, if known.
    line: Option<usize>,
    msg: String,
}

impl EvalError {
    fn at(line: Option<usize>, msg: impl Into<String>) -> Self {
        EvalError { line, msg: msg.into() }
    }
}

struct Parser<'t> {
    toks: &'t [LTok],
    pos: usize,
}

impl Parser<'_> {
    fn parse(toks: &[LTok]) -> Result<Expr, EvalError> {
        if toks.is_empty() {
            return Err(EvalError::at(None, "empty expression"));
        }
        let mut p = Parser { toks, pos: 0 };
        let e = p.conditional()?;
        match p.toks.get(p.pos) {
            None => Ok(e),
            Some((t, line)) => Err(EvalError::at(*line, format!("unexpected {} after expression", describe(t)))),
        }
    }

    fn peek_op(&self) -> Option<&'static str> {
        match self.toks.get(self.pos) {
            Some((Tok::Op(op), _)) => Some(op),
            _ => None,
        }
    }

    fn expect(&mut self, op: &str) -> Result<(), EvalError> {
        if self.peek_op() == Some(op) {
            self.pos += 1;
            return Ok(());
        }
        Err(match self.toks.get(self.pos) {
            Some((t, line)) => EvalError::at(*line, format!("expected `{op}`, found {}", describe(t))),
            None => EvalError::at(None, format!("expected `{op}` at end of expression")),
        })
    }

    fn conditional(&mut self) -> Result<Expr, EvalError> {
        let c = self.binary(1)?;
        if self.peek_op() == Some("?") {
            self.pos += 1;
            let a = self.conditional()?;
            self.expect(":")?;
            let b = self.conditional()?;
            return Ok(Expr::Cond(Box::new(c), Box::new(a), Box::new(b)));
        }
        Ok(c)
    }

    fn precedence(op: &str) -> Option<u8> {
        Some(match op {
            "||" => 1,
            "&&" => 2,
            "|" => 3,
            "^" => 4,
            "&" => 5,
            "==" | "!=" => 6,
            "<" | ">" | "<=" | ">=" => 7,
            "<<" | ">>" => 8,
            "+" | "-" => 9,
            "*" | "/" | "%" => 10,
            _ => return None,
        })
    }

    fn binary(&mut self, min: u8) -> Result<Expr, EvalError> {
        let mut lhs = self.unary()?;
        while let Some(op) = self.peek_op() {
            let Some(prec) = Self::precedence(op) else {
                break;
            };
            if prec < min {
                break;
            }
            self.pos += 1;
            let rhs = self.binary(prec + 1)?;
            lhs = Expr::Binary(op, Box::new(lhs), Box::new(rhs));
        }
        Ok(lhs)
    }

    fn unary(&mut self) -> Result<Expr, EvalError> {
        if let Some(op @ ("+" | "-" | "~" | "!")) = self.peek_op() {
            self.pos += 1;
            let e = self.unary()?;
            return Ok(Expr::Unary(op, Box::new(e)));
        }
        self.primary()
    }

    fn primary(&mut self) -> Result<Expr, EvalError> {
        let (tok, line) =
            self.toks.get(self.pos).cloned().ok_or_else(|| EvalError::at(None, "unexpected end of expression"))?;
        self.pos += 1;
        match tok {
            Tok::Num(n) => Ok(Expr::Num(n)),
            Tok::Str => Ok(Expr::Str(line)),
            Tok::Ident(name) => {
                if self.peek_op() != Some("(") {
                    return Ok(Expr::Ident(name, line));
                }
                // A function-like macro invocation: skip its arguments.
                let mut depth = 0usize;
                loop {
                    match self.toks.get(self.pos) {
                        None => return Err(EvalError::at(line, format!("unbalanced parentheses after `{name}`"))),
                        Some((Tok::Op("("), _)) => depth += 1,
                        Some((Tok::Op(")"), _)) => {
                            depth -= 1;
                            if depth == 0 {
                                self.pos += 1;
                                break;
                            }
                        }
                        Some(_) => {}
                    }
                    self.pos += 1;
                }
                Ok(Expr::Call(name, line))
            }
            Tok::Op("(") => {
                let e = self.conditional()?;
                self.expect(")")?;
                Ok(e)
            }
            Tok::Op(op) => Err(EvalError::at(line, format!("unexpected `{op}`"))),
        }
    }
}

fn describe(t: &Tok) -> String {
    match t {
        Tok::Num(n) => format!("number {n}"),
        Tok::Ident(s) => format!("`{s}`"),
        Tok::Str => "string literal".to_string(),
        Tok::Op(op) => format!("`{op}`"),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// `#if`: identifiers that are not macros are 0.
    Condition,
    /// Fact values: identifiers that are not macros are errors.
    Value,
}

/// Evaluates integer constant expressions the way the C preprocessor does:
/// object-like macros are replaced by their bodies token by token (a macro
/// is not expanded inside its own expansion), `defined` operands are not
/// expanded, then the token list is parsed and evaluated.
struct Evaluator<'a> {
    table: &'a Table,
    mode: Mode,
    /// While working out `XCHAL_HAVE_BE` for the endianness predefines,
    /// those predefines are unknown (so they cannot recurse).
    endian_known: bool,
}

impl<'a> Evaluator<'a> {
    fn new(table: &'a Table, mode: Mode) -> Self {
        Evaluator { table, mode, endian_known: true }
    }

    /// Evaluates the text of an expression (an `#if` condition).
    fn eval_text(&self, text: &str) -> Result<i128, EvalError> {
        let toks = tokenize(text).map_err(|msg| EvalError::at(None, msg))?;
        let toks: Vec<LTok> = toks.into_iter().map(|t| (t, None)).collect();
        self.eval_tokens(&toks)
    }

    /// Evaluates the value of a defined macro.
    fn eval_macro(&self, name: &str) -> Result<i128, EvalError> {
        let m = &self.table[name];
        if let MacroKind::Object(body) = &m.kind {
            if body.is_empty() {
                return Err(EvalError::at(Some(m.line), format!("{name} is defined without a value")));
            }
        }
        self.eval_tokens(&[(Tok::Ident(name.to_string()), Some(m.line))])
    }

    fn eval_tokens(&self, toks: &[LTok]) -> Result<i128, EvalError> {
        let mut expanded = Vec::new();
        self.expand(toks, &mut expanded, &mut Vec::new())?;
        let expr = Parser::parse(&expanded)?;
        self.eval(&expr)
    }

    fn expand(&self, toks: &[LTok], out: &mut Vec<LTok>, expanding: &mut Vec<String>) -> Result<(), EvalError> {
        let mut i = 0;
        while i < toks.len() {
            let (tok, line) = &toks[i];
            i += 1;
            let Tok::Ident(name) = tok else {
                out.push((tok.clone(), *line));
                continue;
            };
            if name == "defined" {
                // `defined X` / `defined ( X )`: the operand is not expanded.
                let parens = matches!(toks.get(i), Some((Tok::Op("("), _)));
                let operand = toks.get(i + usize::from(parens));
                let Some((Tok::Ident(operand), _)) = operand else {
                    return Err(EvalError::at(*line, "`defined` without a macro name"));
                };
                i += 1 + usize::from(parens);
                if parens {
                    if !matches!(toks.get(i), Some((Tok::Op(")"), _))) {
                        return Err(EvalError::at(*line, "missing `)` after `defined(`"));
                    }
                    i += 1;
                }
                let defined = self.table.contains_key(operand) || self.predefined(operand).is_some();
                out.push((Tok::Num(i128::from(defined)), *line));
                continue;
            }
            if expanding.iter().any(|n| n == name) {
                out.push((tok.clone(), *line));
                continue;
            }
            match self.table.get(name) {
                Some(Macro { line: def_line, kind: MacroKind::Object(body) }) => {
                    let body_toks = tokenize(body)
                        .map_err(|msg| EvalError::at(Some(*def_line), format!("in the value of {name}: {msg}")))?;
                    let body_toks: Vec<LTok> = body_toks.into_iter().map(|t| (t, Some(*def_line))).collect();
                    expanding.push(name.clone());
                    self.expand(&body_toks, out, expanding)?;
                    expanding.pop();
                }
                Some(_) => out.push((tok.clone(), *line)),
                None => match self.predefined(name) {
                    Some(v) => out.push((Tok::Num(v), *line)),
                    None => out.push((tok.clone(), *line)),
                },
            }
        }
        Ok(())
    }

    /// Macros a compiler for the core would define: `__XTENSA__`, and the
    /// endianness macro matching `XCHAL_HAVE_BE` once that is known.
    fn predefined(&self, name: &str) -> Option<i128> {
        let big_endian = || {
            if !self.endian_known || !self.table.contains_key("XCHAL_HAVE_BE") {
                return None;
            }
            let ev = Evaluator { table: self.table, mode: Mode::Condition, endian_known: false };
            ev.eval_macro("XCHAL_HAVE_BE").ok().map(|v| v != 0)
        };
        match name {
            "__XTENSA__" => Some(1),
            "__XTENSA_EB__" => big_endian().filter(|&be| be).map(|_| 1),
            "__XTENSA_EL__" => big_endian().filter(|&be| !be).map(|_| 1),
            _ => None,
        }
    }

    fn unknown(&self, line: Option<usize>, msg: String) -> Result<i128, EvalError> {
        match self.mode {
            Mode::Condition => Ok(0),
            Mode::Value => Err(EvalError::at(line, msg)),
        }
    }

    fn eval(&self, e: &Expr) -> Result<i128, EvalError> {
        Ok(match e {
            Expr::Num(n) => *n,
            Expr::Str(line) => return Err(EvalError::at(*line, "a string literal is not a number")),
            Expr::Call(name, line) => return self.unknown(*line, format!("`{name}(...)` cannot be evaluated")),
            Expr::Ident(name, line) => {
                let why = match self.table.get(name) {
                    Some(Macro { kind: MacroKind::Function, .. }) => "is a function-like macro",
                    Some(_) => "refers to itself",
                    None => "is not a defined macro",
                };
                return self.unknown(*line, format!("`{name}` {why}"));
            }
            Expr::Unary(op, a) => {
                let a = self.eval(a)?;
                match *op {
                    "+" => a,
                    "-" => a.checked_neg().ok_or_else(|| EvalError::at(None, "arithmetic overflow"))?,
                    "~" => !a,
                    "!" => i128::from(a == 0),
                    _ => unreachable!("unary operator {op}"),
                }
            }
            Expr::Binary("&&", a, b) => i128::from(self.eval(a)? != 0 && self.eval(b)? != 0),
            Expr::Binary("||", a, b) => i128::from(self.eval(a)? != 0 || self.eval(b)? != 0),
            Expr::Binary(op, a, b) => {
                let (a, b) = (self.eval(a)?, self.eval(b)?);
                let overflow = || EvalError::at(None, format!("arithmetic overflow in `{a} {op} {b}`"));
                match *op {
                    "+" => a.checked_add(b).ok_or_else(overflow)?,
                    "-" => a.checked_sub(b).ok_or_else(overflow)?,
                    "*" => a.checked_mul(b).ok_or_else(overflow)?,
                    "/" | "%" if b == 0 => return Err(EvalError::at(None, "division by zero")),
                    "/" => a / b,
                    "%" => a % b,
                    "<<" | ">>" if !(0..64).contains(&b) => {
                        return Err(EvalError::at(None, format!("shift by {b} is out of range")))
                    }
                    "<<" => a.checked_shl(b as u32).filter(|v| v >> b == a).ok_or_else(overflow)?,
                    ">>" => a >> b,
                    "<" => i128::from(a < b),
                    ">" => i128::from(a > b),
                    "<=" => i128::from(a <= b),
                    ">=" => i128::from(a >= b),
                    "==" => i128::from(a == b),
                    "!=" => i128::from(a != b),
                    "&" => a & b,
                    "|" => a | b,
                    "^" => a ^ b,
                    _ => unreachable!("binary operator {op}"),
                }
            }
            Expr::Cond(c, a, b) => {
                if self.eval(c)? != 0 {
                    self.eval(a)?
                } else {
                    self.eval(b)?
                }
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A minimal header with every required macro (all options off).
    fn base(extra: &str) -> String {
        let mut s = String::new();
        for m in REQUIRED_MACROS {
            let v = match *m {
                "XCHAL_NUM_AREGS" => "16",
                _ => "0",
            };
            s.push_str(&format!("#define {m} {v}\n"));
        }
        s.push_str(extra);
        s
    }

    fn value(src: &str, name: &str) -> Result<Option<i128>, ImportError> {
        let table = preprocess(src)?;
        Facts { table: &table }.get(name)
    }

    fn params_of(out: &str) -> Vec<&str> {
        out.lines().filter(|l| l.starts_with("param ")).collect()
    }

    fn options_of(out: &str) -> Vec<&str> {
        out.lines().filter_map(|l| l.strip_prefix("option ")).map(|l| l.trim_end_matches(';')).collect()
    }

    #[test]
    fn numbers_and_arithmetic() {
        let src = "\
#define A 0x10
#define B (A + 2) * 3
#define C (B << 4) | 1
#define D -5
#define E ((A & 0xF0) >> 4) - D
#define F 010
#define G 4096UL
#define H (~0 & 0xff) ^ 0x0F
#define I A > 8 ? 100 : 200
#define J (1 << 31) + (7 % 4) - 10 / 3
#define K 0XABCDEF01
";
        let v = |n| value(src, n).unwrap().unwrap();
        assert_eq!(v("A"), 16);
        assert_eq!(v("B"), 54);
        assert_eq!(v("C"), 54 * 16 + 1);
        assert_eq!(v("D"), -5);
        assert_eq!(v("E"), 6);
        assert_eq!(v("F"), 8);
        assert_eq!(v("G"), 4096);
        assert_eq!(v("H"), 0xf0);
        assert_eq!(v("I"), 100);
        assert_eq!(v("J"), (1 << 31) + 3 - 3);
        assert_eq!(v("K"), 0xabcd_ef01);
        assert_eq!(value(src, "NOPE").unwrap(), None);
    }

    #[test]
    fn macros_expand_at_use_and_forward_references_work() {
        let src = "#define A B + 1\n#define B 41\n#define C A * 2\n#undef B\n#define B 1\n";
        // As in C, C expands to `B + 1 * 2`, with B's last definition.
        assert_eq!(value(src, "A").unwrap(), Some(2));
        assert_eq!(value(src, "C").unwrap(), Some(3));
    }

    #[test]
    fn comments_and_continuations() {
        let src = "\
#define A 1 /* one */
#define B 2 // two
/*#define C 3*/
#define D 4 /* a comment
               over two lines */
#define E (A + \\
           B)
// #define F 6
#define G \"str // not a comment\"
#define H 8
";
        assert_eq!(value(src, "A").unwrap(), Some(1));
        assert_eq!(value(src, "B").unwrap(), Some(2));
        assert_eq!(value(src, "C").unwrap(), None);
        assert_eq!(value(src, "D").unwrap(), Some(4));
        assert_eq!(value(src, "E").unwrap(), Some(3));
        assert_eq!(value(src, "F").unwrap(), None);
        assert_eq!(value(src, "H").unwrap(), Some(8));
        let err = value(src, "G").unwrap_err();
        assert_eq!(err.line, 9);
    }

    #[test]
    fn lines_are_counted_through_comments_and_continuations() {
        let src = "/* 1\n 2\n 3 */\n#define X \\\n  \\\n  UNKNOWN_THING\n#define Y 1\n";
        let err = value(src, "X").unwrap_err();
        assert_eq!(err.line, 4);
        assert!(err.message.contains("UNKNOWN_THING"), "{}", err.message);
        let table = preprocess(src).unwrap();
        assert_eq!(table["Y"].line, 7);
    }

    #[test]
    fn conditionals() {
        let src = "\
#define ONE 1
#if ONE
#define A 1
#else
#define A 2
#endif
#if UNKNOWN_MACRO
#define B 1
#elif ONE + 1 == 2
#define B 2
#else
#define B 3
#endif
#ifdef ONE
#define C 1
#endif
#ifndef ONE
#define C 2
#error not reached
#endif
#if 0
#if 1
#define D 1
#else
#define D 2
#endif
#elif defined(ONE) && !defined TWO
#define E 5
#endif
#if 1
#else
#define F 1
#endif
";
        assert_eq!(value(src, "A").unwrap(), Some(1));
        assert_eq!(value(src, "B").unwrap(), Some(2));
        assert_eq!(value(src, "C").unwrap(), Some(1));
        assert_eq!(value(src, "D").unwrap(), None);
        assert_eq!(value(src, "E").unwrap(), Some(5));
        assert_eq!(value(src, "F").unwrap(), None);
    }

    #[test]
    fn endianness_guards_follow_xchal_have_be() {
        let src = |be| {
            format!(
                "#ifdef __XTENSA_EB__\n#define BEFORE 1\n#endif\n\
                 #define XCHAL_HAVE_BE {be}\n\
                 #ifdef __XTENSA_EB__\n#define EB 1\n#endif\n\
                 #if defined(__XTENSA_EL__)\n#define EL 1\n#endif\n\
                 #if XCHAL_HAVE_BE\n#define BIG 1\n#else\n#define BIG 0\n#endif\n"
            )
        };
        let big = src(1);
        assert_eq!(value(&big, "BEFORE").unwrap(), None);
        assert_eq!(value(&big, "EB").unwrap(), Some(1));
        assert_eq!(value(&big, "EL").unwrap(), None);
        assert_eq!(value(&big, "BIG").unwrap(), Some(1));
        let little = src(0);
        assert_eq!(value(&little, "EB").unwrap(), None);
        assert_eq!(value(&little, "EL").unwrap(), Some(1));
        assert_eq!(value(&little, "BIG").unwrap(), Some(0));
    }

    #[test]
    fn directive_errors_have_lines() {
        let e = preprocess("#define A 1\n#endif\n").unwrap_err();
        assert_eq!((e.line, e.message.as_str()), (2, "#endif without #if"));
        let e = preprocess("\n#if 1\n#define A 1\n").unwrap_err();
        assert_eq!((e.line, e.message.as_str()), (2, "#if without #endif"));
        let e = preprocess("#if 1\n#else\n#else\n#endif\n").unwrap_err();
        assert_eq!(e.line, 3);
        let e = preprocess("#if (1 +\n#endif\n").unwrap_err();
        assert_eq!(e.line, 1);
        let e = preprocess("#define X 1\n#error bad config\n").unwrap_err();
        assert_eq!((e.line, e.message.as_str()), (2, "#error bad config"));
        let e = preprocess("#if 1/0\n#endif\n").unwrap_err();
        assert!(e.message.contains("division by zero"));
    }

    #[test]
    fn function_like_macros_and_self_reference() {
        let src = "#define F(x) ((x) + 1)\n#define S S\n#if F(2)\n#define A 1\n#endif\n#define B F(2)\n";
        assert_eq!(value(src, "A").unwrap(), None);
        assert!(value(src, "B").is_err());
        assert!(value(src, "S").is_err());
        assert!(value(src, "F").unwrap().is_none());
    }

    #[test]
    fn missing_required_macro_is_an_error_with_line_zero() {
        let e = import_overlay("#define XCHAL_NUM_AREGS 16\n", "x").unwrap_err();
        assert_eq!(e.line, 0);
        assert_eq!(e.message, "required macro XCHAL_HAVE_BE is not defined");
        let src = base("").replace("#define XCHAL_NUM_AREGS 16\n", "");
        let e = import_overlay(&src, "x").unwrap_err();
        assert_eq!((e.line, e.message.as_str()), (0, "required macro XCHAL_NUM_AREGS is not defined"));
        // A required macro hidden behind a false #if is missing too.
        let src = base("").replace("#define XCHAL_HAVE_BE 0\n", "#if 0\n#define XCHAL_HAVE_BE 0\n#endif\n");
        assert!(import_overlay(&src, "x").unwrap_err().message.contains("XCHAL_HAVE_BE"));
        assert_eq!(format!("{}", ImportError::new(0, "m")), "core-isa.h: m");
        assert_eq!(format!("{}", ImportError::new(7, "m")), "core-isa.h:7: m");
    }

    #[test]
    fn bad_values_report_their_definition_line() {
        let src = base("#define XCHAL_RESET_VECTOR_VADDR 0x100000000\n");
        let line = src.lines().count();
        let e = import_overlay(&src, "x").unwrap_err();
        assert_eq!(e.line, line);
        assert!(e.message.contains("XCHAL_RESET_VECTOR_VADDR"));
        let src = base("#define XCHAL_NUM_TIMERS 1\n#define XCHAL_TIMER0_INTERRUPT XTHAL_TIMER_UNCONFIGURED\n");
        let e = import_overlay(&src, "x").unwrap_err();
        assert_eq!(e.line, src.lines().count());
        let src = base("#define XCHAL_NUM_TIMERS 2\n#define XCHAL_TIMER0_INTERRUPT 6\n");
        let e = import_overlay(&src, "x").unwrap_err();
        assert_eq!(e.line, 0);
        assert!(e.message.contains("XCHAL_TIMER1_INTERRUPT"), "{}", e.message);
    }

    #[test]
    fn invalid_core_name() {
        assert!(import_overlay(&base(""), "1abc").is_err());
        assert!(import_overlay(&base(""), "a-b").is_err());
        assert!(import_overlay(&base(""), "").is_err());
    }

    #[test]
    fn lists() {
        let src = base(
            "\
#define XCHAL_NUM_TIMERS 2
#define XCHAL_TIMER0_INTERRUPT 1
#define XCHAL_TIMER1_INTERRUPT (XCHAL_TIMER0_INTERRUPT + 1)
#define XCHAL_TIMER2_INTERRUPT XTHAL_TIMER_UNCONFIGURED
#define XCHAL_NUM_INTERRUPTS 4
#define XCHAL_INT0_LEVEL 1
#define XCHAL_INT1_LEVEL 1
#define XCHAL_INT2_LEVEL 3
#define XCHAL_INT3_LEVEL XCHAL_NMILEVEL
#define XCHAL_NMILEVEL 4
#define XCHAL_INT0_TYPE XTHAL_INTTYPE_EXTERN_LEVEL
#define XCHAL_INT1_TYPE XTHAL_INTTYPE_TIMER
#define XCHAL_INT2_TYPE (XTHAL_INTTYPE_EXTERN_EDGE)
#define MY_NMI_TYPE XTHAL_INTTYPE_NMI
#define XCHAL_INT3_TYPE MY_NMI_TYPE
#define XCHAL_NUM_EXTINTERRUPTS 2
#define XCHAL_EXTINT0_NUM 0
#define XCHAL_EXTINT1_NUM 3
#define XCHAL_HAVE_NMI 1
#define XCHAL_NUM_INTLEVELS 3
#define XCHAL_INTLEVEL2_VECTOR_VADDR 0x1000
#define XCHAL_INTLEVEL3_VECTOR_VADDR (XCHAL_INTLEVEL2_VECTOR_VADDR + 0x40)
#define XCHAL_NMI_VECTOR_VADDR 0x40000020
#define XCHAL_INTLEVEL4_VECTOR_VADDR XCHAL_NMI_VECTOR_VADDR
",
        );
        let out = import_overlay(&src, "t").unwrap();
        let params = params_of(&out);
        assert!(params.contains(&"param TIMER_INTERRUPTS = [1, 2];"), "{out}");
        assert!(params.contains(&"param INTERRUPT_LEVELS = [1, 1, 3, 4];"), "{out}");
        assert!(params.contains(&"param INTERRUPT_TYPES = [level, timer, edge, nmi];"), "{out}");
        assert!(params.contains(&"param EXTERNAL_INTERRUPTS = [0, 3];"), "{out}");
        assert!(params.contains(&"param INTLEVEL_VECTORS = [0x00001000, 0x00001040, 0x40000020];"), "{out}");
        assert!(params.contains(&"param NMILEVEL = 4;"), "{out}");
        assert!(params.contains(&"param NMI_VECTOR = 0x40000020;"), "{out}");
    }

    #[test]
    fn interrupt_type_names() {
        for (suffix, name) in [
            ("EXTERN_LEVEL", "level"),
            ("EXTERN_EDGE", "edge"),
            ("NMI", "nmi"),
            ("SOFTWARE", "software"),
            ("TIMER", "timer"),
            ("TBD1", "debug"),
            ("WRITE_ERROR", "writeerr"),
            ("TBD2", "writeerr"),
            ("PROFILING", "profiling"),
            ("IDMA_DONE", "idma_done"),
            ("IDMA_ERR", "idma_err"),
            ("GS_ERR", "gs_err"),
            ("L2_ERR", "l2_err"),
        ] {
            assert_eq!(interrupt_type_name(suffix), name);
        }
    }

    #[test]
    fn option_rules() {
        let src = base(
            "\
#define XCHAL_HAVE_S32C1I 1
#define XCHAL_HW_VERSION_MAJOR 2300
#define XCHAL_HW_VERSION_MINOR 0
#define XCHAL_NUM_MISC_REGS 2
#define XCHAL_ICACHE_SIZE 1024
#define XCHAL_HAVE_DFPU_SINGLE_ONLY 1
",
        )
        // Later definitions win; base() defined these as 0 first.
        ;
        let out = import_overlay(&src, "t").unwrap();
        assert_eq!(options_of(&out), ["misc_sr", "conditional_store", "atomctl", "dfp_single_only", "dfp", "icache"]);
        assert!(params_of(&out).contains(&"param HW_VERSION = 230000;"));

        let src = base("#define XCHAL_HAVE_S32C1I 1\n#define XCHAL_HW_VERSION 221001\n");
        let out = import_overlay(&src, "t").unwrap();
        assert_eq!(options_of(&out), ["conditional_store"]);
        let src = base("#define XCHAL_HAVE_EXCLUSIVE 1\n");
        let out = import_overlay(&src, "t").unwrap();
        assert_eq!(options_of(&out), ["atomctl", "exclusive"]);
    }

    #[test]
    fn regions() {
        let src = base(
            "\
#define XCHAL_NUM_INSTRAM 1
#define XCHAL_INSTRAM0_VADDR 0x40000000
#define XCHAL_INSTRAM0_SIZE 131072
#define XCHAL_INSTRAM1_VADDR 0x40100000
#define XCHAL_INSTRAM1_SIZE 131072
#define XCHAL_DATAROM0_VADDR 0x3FF40000
#define XCHAL_DATAROM0_SIZE 0x40000
#define XCHAL_URAM0_VADDR 0x20000000
#define XCHAL_URAM0_SIZE 0
#define XCHAL_SYSROM0_PADDR 0xFE000000
#define XCHAL_SYSROM0_SIZE 0x02000000
",
        );
        let out = import_overlay(&src, "t").unwrap();
        let regions: Vec<&str> = out.lines().filter(|l| l.starts_with("region ")).collect();
        assert_eq!(
            regions,
            [
                "region instram0 ram 0x40000000 0x00020000;",
                "region datarom0 rom 0x3ff40000 0x00040000;",
                "region sysrom0 rom 0xfe000000 0x02000000;",
            ]
        );
        let src = base("#define XCHAL_DATARAM0_VADDR 0xFFFF0000\n#define XCHAL_DATARAM0_SIZE 0x20000\n");
        let e = import_overlay(&src, "t").unwrap_err();
        assert_eq!(e.line, src.lines().count());
    }

    #[test]
    fn exact_output_of_a_small_core() {
        let src = base(
            "\
#define XCHAL_HAVE_BE 1 /* big endian */
#define XCHAL_HAVE_DENSITY 1
#define XCHAL_HAVE_WINDOWED 1
#define XCHAL_NUM_AREGS 32
#define XCHAL_HAVE_INTERRUPTS 1
#define XCHAL_NUM_INTERRUPTS 2
#define XCHAL_INT0_LEVEL 1
#define XCHAL_INT0_TYPE XTHAL_INTTYPE_SOFTWARE
#define XCHAL_INT1_LEVEL 1
#define XCHAL_INT1_TYPE XTHAL_INTTYPE_EXTERN_LEVEL
#define XCHAL_NUM_TIMERS 0
#define XCHAL_RESET_VECTOR_VADDR 0xFE000000
#define XCHAL_WINDOW_VECTORS_VADDR 0xd0000000
#define XCHAL_INSTRAM0_VADDR 0x40000000
#define XCHAL_INSTRAM0_SIZE 0x1000
",
        );
        let expected = "\
// Core overlay `tiny`, generated by `specemu-codegen import-xtensa-overlay` from a core-isa.h.
// Regenerate instead of editing: the test suite checks that this file is exactly what the importer writes.
core tiny for xtensa;

option density;
option windowed;
option interrupts;

param ENDIAN = big;
param NUM_AREGS = 32;
param NUM_INTERRUPTS = 2;
param NUM_TIMERS = 0;
param TIMER_INTERRUPTS = [];
param INTERRUPT_LEVELS = [1, 1];
param INTERRUPT_TYPES = [software, level];
param NUM_MISC_REGS = 0;
param ICACHE_SIZE = 0;
param DCACHE_SIZE = 0;
param RESET_VECTOR = 0xfe000000;
param WINDOW_VECTORS = 0xd0000000;

region instram0 ram 0x40000000 0x00001000;
";
        let out = import_overlay(&src, "tiny").unwrap();
        assert_eq!(out, expected);
        // Deterministic, and CRLF line ends change nothing.
        assert_eq!(import_overlay(&src, "tiny").unwrap(), out);
        assert_eq!(import_overlay(&src.replace('\n', "\r\n"), "tiny").unwrap(), out);
    }

    #[test]
    fn guarded_header_with_include_branch() {
        // The shape of the lx106 header shipped with Debian's toolchain.
        let src = format!(
            "#ifdef _XTENSA_HAVE_CONFIG_CORE_ISA_H\n#include <xtensa/config/core-isa.h>\n#else\n\
             #ifndef _XTENSA_CORE_CONFIGURATION_H\n#define _XTENSA_CORE_CONFIGURATION_H\n{}\
             #ifndef XTENSA_HAL_NON_PRIVILEGED_ONLY\n#define XCHAL_NUM_IBREAK 1\n#endif\n#endif\n#endif\n",
            base("")
        );
        let out = import_overlay(&src, "g").unwrap();
        assert!(params_of(&out).contains(&"param NUM_IBREAK = 1;"), "{out}");
    }

    #[test]
    fn option_and_param_tables_match_the_code() {
        let mut src = base("");
        for m in REQUIRED_MACROS {
            src = src.replace(&format!("#define {m} 0\n"), &format!("#define {m} 1\n"));
        }
        let out = import_overlay(&src, "t").unwrap();
        for option in options_of(&out) {
            assert!(OPTION_NAMES.contains(&option));
        }
    }
}
