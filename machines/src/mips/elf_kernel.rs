//! Loading a `-kernel` ELF image into guest-physical memory, as QEMU's MIPS boards do: each
//! PT_LOAD segment at its (physical) address passed through the board's translation (for
//! MIPS: KSEG0 to physical, `addr & 0x1fffffff`), zero-filled up to its memory size; the
//! entry point is the program's. Malformed files give errors, never panics.
//!
//! Owns ELF parsing for boards; must not know any board's memory map (the caller passes the
//! translation and the address space).

use specemu_runtime::softmmu::AddressSpace;

/// A loaded kernel: its entry point and the segments (physical address, bytes) so that a
/// reset can load them again.
#[derive(Debug, Clone)]
pub struct Kernel {
    pub entry: u64,
    pub big_endian: bool,
    pub segments: Vec<(u64, Vec<u8>)>,
    /// The highest physical address loaded (exclusive).
    pub high: u64,
}

const EM_MIPS: u16 = 8;
const PT_LOAD: u32 = 1;

fn rd(d: &[u8], off: usize, n: usize, be: bool) -> Result<u64, String> {
    let b = d.get(off..off + n).ok_or_else(|| format!("truncated at offset {off:#x}"))?;
    Ok(if be { b.iter().fold(0, |v, &x| v << 8 | x as u64) } else { b.iter().rev().fold(0, |v, &x| v << 8 | x as u64) })
}

/// Parse a 32-bit MIPS ELF executable of byte order `big_endian`.
pub fn parse(data: &[u8], big_endian: bool, translate: &dyn Fn(u64) -> u64) -> Result<Kernel, String> {
    if data.len() < 52 || &data[..4] != b"\x7fELF" {
        return Err("not an ELF file".into());
    }
    if data[4] != 1 {
        return Err("not a 32-bit ELF file".into());
    }
    let be = match data[5] {
        1 => false,
        2 => true,
        _ => return Err("bad ELF byte order".into()),
    };
    if be != big_endian {
        return Err(format!("ELF byte order is {}-endian, the machine's is not", if be { "big" } else { "little" }));
    }
    if rd(data, 18, 2, be)? as u16 != EM_MIPS {
        return Err("not a MIPS ELF file".into());
    }
    let entry = rd(data, 24, 4, be)?;
    let phoff = rd(data, 28, 4, be)? as usize;
    let phentsize = rd(data, 42, 2, be)? as usize;
    let phnum = rd(data, 44, 2, be)? as usize;
    if phentsize < 32 {
        return Err("bad program header size".into());
    }
    let mut segments = Vec::new();
    let mut high = 0;
    for i in 0..phnum {
        let ph = phoff.checked_add(i * phentsize).ok_or("bad program header offset")?;
        if rd(data, ph, 4, be)? as u32 != PT_LOAD {
            continue;
        }
        let offset = rd(data, ph + 4, 4, be)? as usize;
        let paddr = rd(data, ph + 12, 4, be)?;
        let filesz = rd(data, ph + 16, 4, be)? as usize;
        let memsz = rd(data, ph + 20, 4, be)? as usize;
        if memsz == 0 {
            continue;
        }
        if filesz > memsz || memsz > 1 << 30 {
            return Err(format!("segment {i}: bad sizes (file {filesz:#x}, memory {memsz:#x})"));
        }
        let end = offset.checked_add(filesz).ok_or("bad segment offset")?;
        let bytes = data.get(offset..end).ok_or_else(|| format!("segment {i} lies outside the file"))?;
        let mut seg = bytes.to_vec();
        seg.resize(memsz, 0);
        let pa = translate(paddr);
        high = high.max(pa + memsz as u64);
        segments.push((pa, seg));
    }
    if segments.is_empty() {
        return Err("no loadable segments".into());
    }
    Ok(Kernel { entry, big_endian, segments, high })
}

impl Kernel {
    /// Copy the segments into `space`.
    pub fn load_into(&self, space: &AddressSpace) -> Result<(), String> {
        for (pa, bytes) in &self.segments {
            space.load(*pa, bytes).map_err(|e| {
                format!("segment at physical {pa:#x} (+{:#x}) is outside RAM/ROM ({:#x})", bytes.len(), e.paddr)
            })?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn elf(be: bool, entry: u32, paddr: u32, data: &[u8], memsz: u32) -> Vec<u8> {
        let w16 = |v: u16| if be { v.to_be_bytes() } else { v.to_le_bytes() };
        let w32 = |v: u32| if be { v.to_be_bytes() } else { v.to_le_bytes() };
        let mut f = vec![0x7f, b'E', b'L', b'F', 1, if be { 2 } else { 1 }, 1, 0];
        f.resize(16, 0);
        f.extend(w16(2));
        f.extend(w16(EM_MIPS));
        f.extend(w32(1));
        f.extend(w32(entry));
        f.extend(w32(52)); // phoff
        f.extend(w32(0));
        f.extend(w32(0));
        f.extend(w16(52));
        f.extend(w16(32));
        f.extend(w16(1));
        f.extend(w16(40));
        f.extend(w16(0));
        f.extend(w16(0));
        for v in [PT_LOAD, 84, paddr, paddr, data.len() as u32, memsz, 5, 4] {
            f.extend(w32(v));
        }
        f.extend_from_slice(data);
        f
    }

    #[test]
    fn loads_and_rejects() {
        let k = parse(&elf(true, 0x8000_1000, 0x8000_1000, &[1, 2, 3], 8), true, &|a| a & 0x1fff_ffff).unwrap();
        assert_eq!(k.entry, 0x8000_1000);
        assert_eq!(k.segments, vec![(0x1000, vec![1, 2, 3, 0, 0, 0, 0, 0])]);
        assert!(parse(&elf(false, 0, 0, &[1], 1), true, &|a| a).unwrap_err().contains("byte order"));
        let mut bad = elf(true, 0, 0, &[1], 1);
        bad.truncate(70); // inside the program header
        assert!(parse(&bad, true, &|a| a).is_err());
        assert!(parse(b"\x7fELF", true, &|a| a).is_err());
        let mut huge = elf(true, 0, 0, &[1], 1);
        huge[44] = 0xff; // phnum: past the end of the file
        assert!(parse(&huge, true, &|a| a).is_err());
    }
}
