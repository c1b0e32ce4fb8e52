//! ELF loading for user mode: parses the header and program headers of a 32-bit ELF
//! executable (bounds-checked: a truncated or corrupt file is an error that says what is
//! wrong, never a panic), maps its PT_LOAD segments, and loads the program interpreter
//! (PT_INTERP, found under the `-L` sysroot) for dynamically linked programs.
//!
//! Like the kernel's loader, segments are file mappings (private, copy on write) wherever
//! the file offset and the address agree modulo the page size, so a large program costs
//! only the pages it touches; the rest of a segment (`.bss`) is fresh zero pages. Files that
//! cannot be mapped are read and copied.

use super::mem::{GuestMem, PROT_EXEC, PROT_READ, PROT_WRITE};
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum ElfError {
    #[error("{path}: {what}")]
    Bad { path: String, what: String },
    #[error("{path}: {err}")]
    Io { path: String, err: std::io::Error },
}

/// What the loader learned about one ELF image.
#[derive(Debug, Clone)]
pub struct ElfInfo {
    pub big_endian: bool,
    pub class64: bool,
    pub machine: u16,
    pub flags: u32,
    pub entry: u64,
    pub phdr_addr: u64,
    pub phnum: u64,
    pub phent: u64,
    /// Load bias added to the file's addresses (non-zero for ET_DYN).
    pub bias: u64,
    pub end: u64,
    pub interp: Option<String>,
}

struct Reader<'a> {
    d: &'a [u8],
    be: bool,
    path: &'a str,
}

impl Reader<'_> {
    fn bad(&self, what: impl Into<String>) -> ElfError {
        ElfError::Bad { path: self.path.to_string(), what: what.into() }
    }
    fn get(&self, off: u64, n: usize) -> Result<u64, ElfError> {
        let o = usize::try_from(off).map_err(|_| self.bad("offset out of range"))?;
        let s = self.d.get(o..o.checked_add(n).ok_or_else(|| self.bad("offset out of range"))?).ok_or_else(|| {
            self.bad(format!("truncated: needs {n} bytes at offset {o:#x}, file has {:#x}", self.d.len()))
        })?;
        let mut v = 0u64;
        if self.be {
            for &x in s {
                v = (v << 8) | x as u64;
            }
        } else {
            for &x in s.iter().rev() {
                v = (v << 8) | x as u64;
            }
        }
        Ok(v)
    }
}

/// Parse the identification and machine of an ELF file without loading it.
pub fn identify(data: &[u8], path: &str) -> Result<(bool, bool, u16), ElfError> {
    if data.len() < 20 || &data[..4] != b"\x7fELF" {
        return Err(ElfError::Bad { path: path.into(), what: "not an ELF file (bad magic)".into() });
    }
    let class64 = match data[4] {
        1 => false,
        2 => true,
        c => return Err(ElfError::Bad { path: path.into(), what: format!("bad ELF class {c}") }),
    };
    let be = match data[5] {
        1 => false,
        2 => true,
        e => return Err(ElfError::Bad { path: path.into(), what: format!("bad ELF data encoding {e}") }),
    };
    let r = Reader { d: data, be, path };
    Ok((class64, be, r.get(18, 2)? as u16))
}

/// The architecture an ELF file is for (class, byte order, machine).
pub fn kind(data: &[u8], path: &str) -> Result<crate::arch::ElfKind, ElfError> {
    let (is_64, big_endian, machine) = identify(data, path)?;
    Ok(crate::arch::ElfKind { machine, is_64, big_endian })
}

/// An ELF file opened for loading: its bytes (mapped read-only, or read when the file cannot
/// be mapped) and, when mapped, the open file for mapping segments from.
pub struct ElfFile {
    data: FileBytes,
    file: Option<std::fs::File>,
}

enum FileBytes {
    Mapped(memmap2::Mmap),
    Read(Vec<u8>),
}

impl ElfFile {
    /// The whole file.
    pub fn bytes(&self) -> &[u8] {
        match &self.data {
            FileBytes::Mapped(m) => m,
            FileBytes::Read(v) => v,
        }
    }

    /// A file in memory (tests, and files that cannot be mapped).
    pub fn from_bytes(data: Vec<u8>) -> Self {
        ElfFile { data: FileBytes::Read(data), file: None }
    }
}

/// Map the segments of `elf` into `mem` at `bias` (0 for fixed executables; for ET_DYN
/// a bias chosen here when `bias` is None).
pub fn load_image(mem: &mut GuestMem, elf: &ElfFile, path: &str, bias: Option<u64>) -> Result<ElfInfo, ElfError> {
    let data = elf.bytes();
    let (class64, be, machine) = identify(data, path)?;
    let r = Reader { d: data, be, path };
    if class64 {
        return Err(r.bad("64-bit ELF files are not supported by this guest"));
    }
    let e_type = r.get(16, 2)?;
    if e_type != 2 && e_type != 3 {
        return Err(r.bad(format!("not an executable (e_type {e_type})")));
    }
    let entry = r.get(24, 4)?;
    let phoff = r.get(28, 4)?;
    let flags = r.get(36, 4)? as u32;
    let phent = r.get(42, 2)?;
    let phnum = r.get(44, 2)?;
    if phent < 32 {
        return Err(r.bad(format!("program header size {phent} is too small")));
    }
    if phnum == 0 || phnum > 256 {
        return Err(r.bad(format!("unreasonable program header count {phnum}")));
    }
    // Extent of the PT_LOAD segments.
    let mut lo = u64::MAX;
    let mut hi = 0u64;
    let mut interp = None;
    let mut phdr_vaddr = None;
    let mut loads = Vec::new();
    for i in 0..phnum {
        let ph = phoff + i * phent;
        let p_type = r.get(ph, 4)?;
        let off = r.get(ph + 4, 4)?;
        let vaddr = r.get(ph + 8, 4)?;
        let filesz = r.get(ph + 16, 4)?;
        let memsz = r.get(ph + 20, 4)?;
        let pflags = r.get(ph + 24, 4)?;
        match p_type {
            1 => {
                if filesz > memsz {
                    return Err(r.bad(format!("segment {i}: file size {filesz:#x} exceeds memory size {memsz:#x}")));
                }
                if off.checked_add(filesz).is_none_or(|e| e > data.len() as u64) {
                    return Err(r.bad(format!("segment {i}: its bytes lie outside the file (truncated?)")));
                }
                lo = lo.min(vaddr);
                hi = hi.max(vaddr + memsz);
                loads.push((off, vaddr, filesz, memsz, pflags));
                if phoff >= off && phoff < off + filesz {
                    phdr_vaddr.get_or_insert(vaddr + (phoff - off));
                }
            }
            3 => {
                let n = usize::try_from(filesz).map_err(|_| r.bad("PT_INTERP too large"))?;
                let o = usize::try_from(off).map_err(|_| r.bad("PT_INTERP offset"))?;
                let s = data.get(o..o.saturating_add(n)).ok_or_else(|| r.bad("PT_INTERP outside the file"))?;
                let s = s.split(|&b| b == 0).next().unwrap_or(&[]);
                interp = Some(String::from_utf8_lossy(s).into_owned());
            }
            6 => phdr_vaddr = Some(vaddr),
            _ => {}
        }
    }
    if loads.is_empty() {
        return Err(r.bad("no loadable segments"));
    }
    if hi > mem.size() {
        return Err(r.bad(format!("segments end at {hi:#x}, beyond the guest address space")));
    }
    let bias = match (e_type, bias) {
        (3, Some(b)) => b,
        (3, None) => {
            let len = hi - (lo & !0xfff);
            mem.find_free(0x7700_0000, 0x7f00_0000, len).ok_or_else(|| r.bad("no room to load"))? - (lo & !0xfff)
        }
        _ => 0,
    };
    for (off, vaddr, filesz, memsz, pflags) in loads {
        let mut prot = 0;
        if pflags & 4 != 0 {
            prot |= PROT_READ;
        }
        if pflags & 2 != 0 {
            prot |= PROT_WRITE;
        }
        if pflags & 1 != 0 {
            prot |= PROT_EXEC | PROT_READ;
        }
        let va = vaddr + bias;
        const PG: u64 = 4096;
        let mapped = match &elf.file {
            Some(f) if filesz > 0 && va % PG == off % PG => {
                use std::os::fd::AsRawFd as _;
                // The file's pages from the one holding the segment's start to the one
                // holding its last file byte.
                let (start, foff) = (va & !(PG - 1), off & !(PG - 1));
                let len = (va + filesz).div_ceil(PG) * PG - start;
                mem.map_file(start, len, PROT_READ | PROT_WRITE, f.as_raw_fd(), foff, false, false).is_ok()
            }
            _ => false,
        };
        if mapped {
            // Past the file bytes: zeros (the rest of the last file page, then zero pages).
            let file_end = va + filesz;
            let page_end = file_end.div_ceil(PG) * PG;
            let tail = (page_end.min(va + memsz)).saturating_sub(file_end);
            if tail > 0 {
                mem.poke(file_end, &vec![0u8; tail as usize])
                    .map_err(|_| r.bad("segment outside the address space"))?;
            }
            if va + memsz > page_end {
                mem.map(page_end, va + memsz - page_end, PROT_READ | PROT_WRITE);
            }
        } else {
            // Map writable first, copy, then set the real permissions.
            mem.map(va, memsz, PROT_READ | PROT_WRITE);
            let bytes = &data[off as usize..(off + filesz) as usize];
            mem.poke(va, bytes).map_err(|_| r.bad("segment outside the address space"))?;
        }
        let _ = mem.protect(va, memsz, prot);
    }
    Ok(ElfInfo {
        big_endian: be,
        class64,
        machine,
        flags,
        entry: entry + bias,
        phdr_addr: phdr_vaddr.unwrap_or(lo + phoff) + bias,
        phnum,
        phent,
        bias,
        end: hi + bias,
        interp,
    })
}

/// Where the interpreter `name` (an absolute guest path) lives on the host, under `sysroot`.
pub fn find_interp(name: &str, sysroot: Option<&Path>) -> PathBuf {
    match sysroot {
        Some(root) => root.join(name.trim_start_matches('/')),
        None => PathBuf::from(name),
    }
}

/// Open a file for loading (mapped when it can be), with the path in the error.
pub fn read(path: &Path) -> Result<ElfFile, ElfError> {
    let io = |err| ElfError::Io { path: path.display().to_string(), err };
    let f = std::fs::File::open(path).map_err(io)?;
    let meta = f.metadata().map_err(io)?;
    if meta.is_file() && meta.len() > 0 {
        // SAFETY: a private read-only mapping of a regular file. If another process
        // truncates the file while we read the headers we could fault; the kernel's own
        // loader and QEMU's accept the same risk for the same reason (no copy of large
        // programs).
        if let Ok(m) = unsafe { memmap2::Mmap::map(&f) } {
            return Ok(ElfFile { data: FileBytes::Mapped(m), file: Some(f) });
        }
    }
    let mut data = Vec::new();
    std::io::Read::read_to_end(&mut &f, &mut data).map_err(io)?;
    Ok(ElfFile::from_bytes(data))
}
