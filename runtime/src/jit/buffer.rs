//! The code buffer: one fixed-size host mapping, readable, writable and executable, filled
//! from the start; when it is full the owner flushes everything and starts again.
//!
//! This module owns the mapping and the allocation cursor; it knows nothing of blocks,
//! chaining or instruction encodings.

/// A bump-allocated executable buffer.
pub struct CodeBuffer {
    base: *mut u8,
    size: usize,
    used: usize,
}

impl std::fmt::Debug for CodeBuffer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "CodeBuffer({} of {} bytes at {:p})", self.used, self.size, self.base)
    }
}

impl CodeBuffer {
    /// Map `size` bytes.
    pub fn new(size: usize) -> std::io::Result<CodeBuffer> {
        // SAFETY: a fresh private anonymous mapping at an address the kernel picks.
        let p = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                size,
                libc::PROT_READ | libc::PROT_WRITE | libc::PROT_EXEC,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_NORESERVE,
                -1,
                0,
            )
        };
        if p == libc::MAP_FAILED {
            return Err(std::io::Error::last_os_error());
        }
        Ok(CodeBuffer { base: p.cast(), size, used: 0 })
    }

    /// Address where the next code will go.
    pub fn cursor(&self) -> usize {
        self.base as usize + self.used
    }

    /// Room left in bytes.
    pub fn free(&self) -> usize {
        self.size - self.used
    }

    /// Copy `code` (assembled for address `cursor()`) in; returns its address, or `None`
    /// when it does not fit.
    pub fn push(&mut self, code: &[u8]) -> Option<usize> {
        if code.len() > self.free() {
            return None;
        }
        let at = self.cursor();
        // SAFETY: `at..at+len` lies inside the mapping (checked above) and no other reference
        // to these bytes exists (they were never handed out).
        unsafe { std::ptr::copy_nonoverlapping(code.as_ptr(), at as *mut u8, code.len()) };
        self.used += code.len();
        // Keep entries 16-byte aligned.
        self.used = (self.used + 15) & !15;
        self.used = self.used.min(self.size);
        Some(at)
    }

    /// Forget everything after the first `keep` bytes (the trampoline stays).
    pub fn reset_to(&mut self, keep: usize) {
        self.used = keep;
    }

    /// Bytes in use.
    pub fn used(&self) -> usize {
        self.used
    }

    /// The addresses the buffer spans.
    pub fn range(&self) -> (usize, usize) {
        (self.base as usize, self.base as usize + self.size)
    }

    /// Whether `addr` points into this buffer.
    pub fn contains(&self, addr: usize) -> bool {
        addr >= self.base as usize && addr < self.base as usize + self.size
    }

    /// Overwrite the 4-byte field at `at` (a `jmp rel32` displacement).
    pub fn patch_u32(&mut self, at: usize, v: u32) {
        assert!(self.contains(at) && self.contains(at + 3), "patch outside the code buffer");
        // SAFETY: inside the mapping (asserted); the field is part of code this buffer holds;
        // compiled code is not running while the dispatcher patches (single-threaded).
        unsafe { std::ptr::write_unaligned(at as *mut u32, v) };
    }

    /// The bytes of `[addr, addr+len)` (for `-d out_asm`).
    pub fn bytes(&self, addr: usize, len: usize) -> &[u8] {
        assert!(self.contains(addr) && addr + len <= self.base as usize + self.size);
        // SAFETY: inside the mapping (asserted), borrowed from `self`.
        unsafe { std::slice::from_raw_parts(addr as *const u8, len) }
    }
}

impl Drop for CodeBuffer {
    fn drop(&mut self) {
        // SAFETY: the mapping this object created; no code runs from it any more.
        unsafe { libc::munmap(self.base.cast(), self.size) };
    }
}
