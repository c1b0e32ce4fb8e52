//! Zeroed host memory placed in the low 2 GiB of the address space when the host allows it
//! (`MAP_32BIT`), so that compiled code can address it with 32-bit absolute displacements
//! (the JIT's context, lookup table and per-page access table).
//!
//! This module owns such mappings; it knows nothing of what is stored in them.

/// A zeroed, readable and writable host mapping.
pub struct LowBuf {
    ptr: *mut u8,
    len: usize,
}

impl std::fmt::Debug for LowBuf {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "LowBuf({} bytes at {:p})", self.len, self.ptr)
    }
}

impl LowBuf {
    /// Map `len` zeroed bytes, below 2 GiB if possible.
    pub fn new(len: usize) -> std::io::Result<LowBuf> {
        let len = len.max(1);
        let map = |extra: i32| {
            // SAFETY: a fresh private anonymous mapping at an address the kernel picks.
            unsafe {
                libc::mmap(
                    std::ptr::null_mut(),
                    len,
                    libc::PROT_READ | libc::PROT_WRITE,
                    libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | extra,
                    -1,
                    0,
                )
            }
        };
        let mut p = map(libc::MAP_32BIT);
        if p == libc::MAP_FAILED {
            p = map(0);
        }
        if p == libc::MAP_FAILED {
            return Err(std::io::Error::last_os_error());
        }
        Ok(LowBuf { ptr: p.cast(), len })
    }

    pub fn as_ptr(&self) -> *mut u8 {
        self.ptr
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Whether every byte is addressable with a sign-extended 32-bit displacement.
    pub fn is_low(&self) -> bool {
        (self.ptr as usize).saturating_add(self.len) < (1usize << 31)
    }

    pub fn as_slice(&self) -> &[u8] {
        // SAFETY: `len` bytes mapped readable for as long as `self` lives.
        unsafe { std::slice::from_raw_parts(self.ptr, self.len) }
    }

    pub fn as_mut_slice(&mut self) -> &mut [u8] {
        // SAFETY: as above, and `&mut self` gives exclusive access.
        unsafe { std::slice::from_raw_parts_mut(self.ptr, self.len) }
    }
}

impl Drop for LowBuf {
    fn drop(&mut self) {
        // SAFETY: the mapping this object created.
        unsafe { libc::munmap(self.ptr.cast(), self.len) };
    }
}
