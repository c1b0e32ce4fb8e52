//! `x /FMT ADDR` and `xp /FMT ADDR`: the `/FMT` parser (count, format x/d/u/o/c/i, size
//! b/h/w/g; omitted parts come from the last `/FMT` used, as in QEMU) and the dump itself in
//! QEMU's layout: 8 bytes a line for bytes, 16 otherwise; physical addresses in 16 hex
//! digits, virtual ones at the guest's address width; "Cannot access memory" ends the dump at
//! the first line that cannot be read.
//!
//! This file owns formatting; memory comes from [`VmControl`]. It must not parse commands.

use specemu_runtime::control::VmControl;

/// What QEMU remembers between `x`/`xp` commands (process-wide, like QEMU's statics).
#[derive(Debug, Clone, Copy)]
pub struct FormatDefaults {
    pub format: u8,
    pub size: i32,
}

impl Default for FormatDefaults {
    fn default() -> Self {
        FormatDefaults { format: b'x', size: 4 }
    }
}

/// A parsed `/FMT`; `size` is -1 for `i` without an explicit size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Format {
    pub count: i32,
    pub format: u8,
    pub size: i32,
}

/// Parse an optional `/FMT` at the start of `s` (blanks first); returns it and the rest.
pub fn parse_format<'a>(s: &'a str, defaults: &mut FormatDefaults) -> Result<(Format, &'a str), String> {
    let s = s.trim_start();
    let Some(spec) = s.strip_prefix('/') else {
        let size = if defaults.format == b'i' { -1 } else { defaults.size };
        return Ok((Format { count: 1, format: defaults.format, size }, s));
    };
    let b = spec.as_bytes();
    let mut i = 0;
    let mut count: i32 = 1;
    if b.first().is_some_and(u8::is_ascii_digit) {
        count = 0;
        while let Some(d) = b.get(i).filter(|c| c.is_ascii_digit()) {
            count = count.wrapping_mul(10).wrapping_add(i32::from(d - b'0'));
            i += 1;
        }
    }
    let mut size = -1;
    let mut format: Option<u8> = None;
    while let Some(&c) = b.get(i) {
        match c {
            b'o' | b'd' | b'u' | b'x' | b'i' | b'c' => format = Some(c),
            b'b' => size = 1,
            b'h' => size = 2,
            b'w' => size = 4,
            b'g' | b'L' => size = 8,
            _ => break,
        }
        i += 1;
    }
    if let Some(&c) = b.get(i) {
        if !c.is_ascii_whitespace() {
            let ch = spec[i..].chars().next().unwrap_or('?');
            return Err(format!("invalid char in format: '{ch}'"));
        }
    }
    let format = format.unwrap_or(defaults.format);
    if format != b'i' {
        if size < 0 {
            size = defaults.size;
        }
        defaults.size = size;
    }
    defaults.format = format;
    Ok((Format { count, format, size }, &spec[i..]))
}

/// Dump memory; `cpu` is the monitor's current vCPU (None: there is none).
pub fn dump(vm: &dyn VmControl, fmt: Format, addr: i64, physical: bool, cpu: Option<usize>) -> String {
    let mut out = String::new();
    let Some(cpu) = cpu.or(if physical && fmt.format != b'i' { Some(0) } else { None }) else {
        return "Can not dump without CPU\n".into();
    };
    let virt_bits = vm.virt_addr_bits().clamp(8, 64);
    let virt_mask = if virt_bits == 64 { u64::MAX } else { (1u64 << virt_bits) - 1 };
    let mut addr = addr as u64;
    if !physical {
        addr &= virt_mask;
    }
    if fmt.format == b'i' {
        let count = usize::try_from(fmt.count).unwrap_or(0);
        match vm.disassemble(cpu, physical, addr, count) {
            Ok(lines) => {
                for (a, text) in lines {
                    out.push_str(&format!("0x{a:08x}:  {text}\n"));
                }
            }
            Err(e) => out.push_str(&format!("{e}\n")),
        }
        return out;
    }
    let mut wsize = fmt.size.clamp(1, 8) as usize;
    let mut len = (wsize as i32).wrapping_mul(fmt.count);
    let line_size: i32 = if wsize == 1 { 8 } else { 16 };
    let bits = wsize as u32 * 8;
    let max_digits = match fmt.format {
        b'o' => bits.div_ceil(3),
        b'u' | b'd' => (bits * 10).div_ceil(33),
        b'c' => {
            wsize = 1;
            0
        }
        _ => bits / 4,
    } as usize;
    let big = vm.big_endian();
    while len > 0 {
        if physical {
            out.push_str(&format!("{addr:016x}:"));
        } else {
            out.push_str(&format!("{:0w$x}:", addr & virt_mask, w = (virt_bits / 4) as usize));
        }
        let l = len.min(line_size) as usize;
        let data = if physical { vm.read_phys(addr, l) } else { vm.read_virt(cpu, addr & virt_mask, l) };
        let Ok(data) = data.and_then(|d| if d.len() >= l { Ok(d) } else { Err(String::new()) }) else {
            out.push_str(" Cannot access memory\n");
            break;
        };
        let mut i = 0;
        while i + wsize <= l {
            let bytes = &data[i..i + wsize];
            let v = if big {
                bytes.iter().fold(0u64, |a, &b| (a << 8) | u64::from(b))
            } else {
                bytes.iter().rev().fold(0u64, |a, &b| (a << 8) | u64::from(b))
            };
            out.push(' ');
            match fmt.format {
                b'o' => {
                    // C's "%#*o": a leading 0 unless the value is 0.
                    let text = if v == 0 { "0".to_string() } else { format!("0{v:o}") };
                    out.push_str(&format!("{text:>max_digits$}"));
                }
                b'u' => out.push_str(&format!("{v:>max_digits$}")),
                b'd' => out.push_str(&format!("{:>max_digits$}", v as i64)),
                b'c' => push_char(&mut out, v as u8),
                _ => out.push_str(&format!("0x{v:0max_digits$x}")),
            }
            i += wsize;
        }
        out.push('\n');
        addr = addr.wrapping_add(l as u64);
        len -= l as i32;
    }
    out
}

/// QEMU's `monitor_printc`.
fn push_char(out: &mut String, c: u8) {
    out.push('\'');
    match c {
        b'\'' => out.push_str("\\'"),
        b'\\' => out.push_str("\\\\"),
        b'\n' => out.push_str("\\n"),
        b'\r' => out.push_str("\\r"),
        32..=126 => out.push(c as char),
        _ => out.push_str(&format!("\\x{c:02x}")),
    }
    out.push('\'');
}
