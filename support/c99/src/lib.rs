//! C99 `<stdint.h>` integer types for the host C ABI (glibc, LP64 and ILP32 Linux), the API
//! subset of the `c99` crate that softfloat-sys uses. Owns only type aliases.
#![allow(non_camel_case_types)]

pub type int8_t = i8;
pub type int16_t = i16;
pub type int32_t = i32;
pub type int64_t = i64;
pub type uint8_t = u8;
pub type uint16_t = u16;
pub type uint32_t = u32;
pub type uint64_t = u64;

pub type int_least8_t = i8;
pub type int_least16_t = i16;
pub type int_least32_t = i32;
pub type int_least64_t = i64;
pub type uint_least8_t = u8;
pub type uint_least16_t = u16;
pub type uint_least32_t = u32;
pub type uint_least64_t = u64;

/// glibc: `signed char`.
pub type int_fast8_t = i8;
/// glibc: `unsigned char`.
pub type uint_fast8_t = u8;

/// glibc on 64-bit targets: `long` for the 16-, 32- and 64-bit fast types.
#[cfg(target_pointer_width = "64")]
mod fast {
    pub type int_fast16_t = i64;
    pub type int_fast32_t = i64;
    pub type int_fast64_t = i64;
    pub type uint_fast16_t = u64;
    pub type uint_fast32_t = u64;
    pub type uint_fast64_t = u64;
}

/// glibc on 32-bit targets: `int` for 16 and 32 bits, `long long` for 64.
#[cfg(target_pointer_width = "32")]
mod fast {
    pub type int_fast16_t = i32;
    pub type int_fast32_t = i32;
    pub type int_fast64_t = i64;
    pub type uint_fast16_t = u32;
    pub type uint_fast32_t = u32;
    pub type uint_fast64_t = u64;
}

pub use fast::*;

#[cfg(test)]
mod tests {
    /// The sizes must be what the host C compiler uses (checked against gcc's
    /// `__INT_FAST32_WIDTH__` style predefined macros when a compiler is present).
    #[test]
    fn sizes_match_the_c_compiler() {
        let out = std::process::Command::new("cc").args(["-dM", "-E", "-x", "c", "/dev/null"]).output();
        let Ok(out) = out else {
            panic!("a C compiler (`cc`) is needed to build specemu; install gcc");
        };
        let text = String::from_utf8_lossy(&out.stdout);
        let width = |name: &str| -> u32 {
            text.lines()
                .find_map(|l| l.strip_prefix(&format!("#define {name} ")))
                .and_then(|v| v.trim().parse().ok())
                .unwrap_or_else(|| panic!("{name} not predefined by cc"))
        };
        assert_eq!(width("__INT_FAST8_WIDTH__"), 8 * std::mem::size_of::<super::int_fast8_t>() as u32);
        assert_eq!(width("__INT_FAST16_WIDTH__"), 8 * std::mem::size_of::<super::int_fast16_t>() as u32);
        assert_eq!(width("__INT_FAST32_WIDTH__"), 8 * std::mem::size_of::<super::int_fast32_t>() as u32);
        assert_eq!(width("__INT_FAST64_WIDTH__"), 8 * std::mem::size_of::<super::int_fast64_t>() as u32);
    }
}
