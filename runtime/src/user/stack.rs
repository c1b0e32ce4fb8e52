//! The initial process stack as Linux builds it: argument and environment strings, 16 random
//! bytes (AT_RANDOM), the platform string, then auxv, envp and argv pointer arrays and argc,
//! 16-byte aligned, in the guest's word size and byte order.

use super::abi::LinuxAbi;
use super::elf::ElfInfo;
use super::mem::{GuestMem, PROT_READ, PROT_WRITE};

pub const STACK_SIZE: u64 = 8 << 20;

const AT_PHDR: u64 = 3;
const AT_PHENT: u64 = 4;
const AT_PHNUM: u64 = 5;
const AT_PAGESZ: u64 = 6;
const AT_BASE: u64 = 7;
const AT_FLAGS: u64 = 8;
const AT_ENTRY: u64 = 9;
const AT_UID: u64 = 11;
const AT_EUID: u64 = 12;
const AT_GID: u64 = 13;
const AT_EGID: u64 = 14;
const AT_PLATFORM: u64 = 15;
const AT_HWCAP: u64 = 16;
const AT_CLKTCK: u64 = 17;
const AT_SECURE: u64 = 23;
const AT_RANDOM: u64 = 25;
const AT_EXECFN: u64 = 31;

/// Build the stack; returns the initial stack pointer.
pub fn build(
    mem: &mut GuestMem,
    exe: &ElfInfo,
    interp_base: Option<u64>,
    args: &[String],
    env: &[String],
    abi: &LinuxAbi,
    random: [u8; 16],
) -> Result<u64, crate::interp::MemFault> {
    let be = exe.big_endian;
    let word = abi.word as u64;
    mem.map(abi.stack_top - STACK_SIZE, STACK_SIZE, PROT_READ | PROT_WRITE);
    let mut sp = abi.stack_top;
    let mut push_bytes = |mem: &mut GuestMem, bytes: &[u8]| -> Result<u64, crate::interp::MemFault> {
        sp -= bytes.len() as u64;
        mem.poke(sp, bytes)?;
        Ok(sp)
    };
    let cstr = |s: &str| {
        let mut v = s.as_bytes().to_vec();
        v.push(0);
        v
    };
    let execfn = push_bytes(mem, &cstr(args.first().map(String::as_str).unwrap_or("")))?;
    let mut env_ptrs = Vec::new();
    for e in env.iter().rev() {
        env_ptrs.push(push_bytes(mem, &cstr(e))?);
    }
    env_ptrs.reverse();
    let mut arg_ptrs = Vec::new();
    for a in args.iter().rev() {
        arg_ptrs.push(push_bytes(mem, &cstr(a))?);
    }
    arg_ptrs.reverse();
    let plat = push_bytes(mem, &cstr(abi.platform))?;
    let rand = push_bytes(mem, &random)?;
    let mut sp = sp & !15;
    let aux: Vec<(u64, u64)> = vec![
        (AT_PHDR, exe.phdr_addr),
        (AT_PHENT, exe.phent),
        (AT_PHNUM, exe.phnum),
        (AT_PAGESZ, 4096),
        (AT_BASE, interp_base.unwrap_or(0)),
        (AT_FLAGS, 0),
        (AT_ENTRY, exe.entry),
        (AT_UID, 0),
        (AT_EUID, 0),
        (AT_GID, 0),
        (AT_EGID, 0),
        (AT_HWCAP, abi.hwcap),
        (AT_CLKTCK, 100),
        (AT_SECURE, 0),
        (AT_RANDOM, rand),
        (AT_PLATFORM, plat),
        (AT_EXECFN, execfn),
        (0, 0),
    ];
    let n = 1 + arg_ptrs.len() + 1 + env_ptrs.len() + 1 + aux.len() * 2;
    sp -= n as u64 * word;
    sp &= !15;
    let mut words: Vec<u64> = Vec::with_capacity(n);
    words.push(args.len() as u64);
    words.extend(&arg_ptrs);
    words.push(0);
    words.extend(&env_ptrs);
    words.push(0);
    for (k, v) in aux {
        words.push(k);
        words.push(v);
    }
    let mut bytes = Vec::with_capacity(words.len() * word as usize);
    for w in words {
        let b = if be { w.to_be_bytes() } else { w.to_le_bytes() };
        bytes.extend_from_slice(if be { &b[8 - word as usize..] } else { &b[..word as usize] });
    }
    mem.poke(sp, &bytes)?;
    Ok(sp)
}
