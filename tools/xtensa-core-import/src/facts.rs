//! Facts: which `XCHAL_*` macros give which specemu options, parameters and
//! memory regions, following the way QEMU's `overlay_tool.h` reads the same
//! macros; the macros a header must define; and the checks of the values read
//! (32-bit addresses, list sizes, interrupt type names).
//!
//! Must not parse directives or expressions (`preprocess`, `eval`) or lay out
//! the output text (`core_file`).

use crate::core_file::{ParamValue, Region};
use crate::eval::{Evaluator, Mode};
use crate::preprocess::{single_identifier, Macro, MacroKind, Table};
use crate::ImportError;

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
pub(crate) const REQUIRED_MACROS: &[&str] = &[
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

pub(crate) struct Facts<'a> {
    pub(crate) table: &'a Table,
}

impl Facts<'_> {
    pub(crate) fn has(&self, name: &str) -> bool {
        matches!(self.table.get(name), Some(Macro { kind: MacroKind::Object(_), .. }))
    }

    fn line_of(&self, name: &str) -> usize {
        self.table.get(name).map_or(0, |m| m.line)
    }

    /// The value of an object-like macro, or `None` when it is not defined.
    pub(crate) fn get(&self, name: &str) -> Result<Option<i128>, ImportError> {
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

pub(crate) fn interrupt_type_name(suffix: &str) -> String {
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

pub(crate) fn collect_options(f: &Facts<'_>) -> Result<Vec<(&'static str, bool)>, ImportError> {
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

pub(crate) fn collect_params(
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
pub(crate) fn collect_regions(f: &Facts<'_>) -> Result<Vec<Region>, ImportError> {
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
