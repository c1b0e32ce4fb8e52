//! Unit tests of the importer: preprocessing, expressions, the option,
//! parameter and region rules, errors with their lines, and the exact output.

use super::*;
use crate::facts::interrupt_type_name;

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
// Core overlay `tiny`, generated by `specemu-xtensa-import` from a core-isa.h.
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
