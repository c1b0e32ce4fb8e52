//! `/proc/self/maps` as the guest sees it: the guest's mappings with guest addresses and
//! guest permissions, in the format a 32-bit Linux kernel prints. What backs each range
//! (file, offset, device, inode, or anonymous memory) is read from the host's own
//! `/proc/self/maps`, because every guest mapping is a host mapping inside the guest-memory
//! reservation; the permissions come from the guest's page table, since the host protection
//! differs from the guest's (code pages are write-protected, write-only pages unreadable).
//! Anonymous ranges inside the stack and the brk heap are named `[stack]` and `[heap]`.
//!
//! Owns only this text; the mappings themselves belong to `mem.rs`.

use super::mem::{GuestMem, PAGE, PROT_EXEC, PROT_READ, PROT_WRITE};

/// One line of the host's maps file, in host addresses.
struct HostMap<'a> {
    start: u64,
    end: u64,
    shared: bool,
    offset: u64,
    dev: &'a str,
    inode: u64,
    path: &'a str,
}

fn parse_host_line(line: &str) -> Option<HostMap<'_>> {
    let mut f = line.splitn(6, ' ');
    let (range, perms, offset, dev, inode) = (f.next()?, f.next()?, f.next()?, f.next()?, f.next()?);
    let path = f.next().unwrap_or("").trim_start();
    let (s, e) = range.split_once('-')?;
    Some(HostMap {
        start: u64::from_str_radix(s, 16).ok()?,
        end: u64::from_str_radix(e, 16).ok()?,
        shared: perms.as_bytes().get(3) == Some(&b's'),
        offset: u64::from_str_radix(offset, 16).ok()?,
        dev,
        inode: inode.parse().ok()?,
        path,
    })
}

/// One line of the guest's maps file.
#[derive(Debug, PartialEq)]
struct GuestMap {
    start: u64,
    end: u64,
    prot: u8,
    shared: bool,
    offset: u64,
    dev: String,
    inode: u64,
    name: String,
}

impl GuestMap {
    /// Whether `next` continues this line (the kernel shows one line per VMA; adjacent host
    /// VMAs that differ only in host protection are one guest mapping).
    fn continued_by(&self, next: &GuestMap) -> bool {
        self.end == next.start
            && self.prot == next.prot
            && self.shared == next.shared
            && self.dev == next.dev
            && self.inode == next.inode
            && self.name == next.name
            && (self.inode == 0 || self.offset + (self.end - self.start) == next.offset)
    }

    fn write(&self, out: &mut String) {
        let bit = |b: u8, c: char| if self.prot & b != 0 { c } else { '-' };
        let mut line = format!(
            "{:08x}-{:08x} {}{}{}{} {:08x} {} {} ",
            self.start,
            self.end,
            bit(PROT_READ, 'r'),
            bit(PROT_WRITE, 'w'),
            bit(PROT_EXEC, 'x'),
            if self.shared { 's' } else { 'p' },
            self.offset,
            self.dev,
            self.inode
        );
        if !self.name.is_empty() {
            // A 32-bit kernel pads to column 48 before the name (seq_setwidth(25 + 4 * 6 - 1)).
            while line.len() < 48 {
                line.push(' ');
            }
            line.push(' ');
            line.push_str(&self.name);
        }
        out.push_str(&line);
        out.push('\n');
    }
}

/// The guest's `/proc/self/maps` text. `labels` name anonymous ranges (`[stack]`, `[heap]`)
/// in guest addresses.
pub fn proc_self_maps(mem: &GuestMem, labels: &[(u64, u64, &str)]) -> String {
    let host = std::fs::read_to_string("/proc/self/maps").unwrap_or_default();
    guest_maps(mem, &host, labels)
}

fn guest_maps(mem: &GuestMem, host: &str, labels: &[(u64, u64, &str)]) -> String {
    let (base, size) = mem.host_span();
    let mut lines: Vec<GuestMap> = Vec::new();
    for h in host.lines().filter_map(parse_host_line) {
        let (s, e) = (h.start.max(base), h.end.min(base + size));
        if s >= e {
            continue;
        }
        // Runs of mapped guest pages with the same permissions.
        let mut a = s - base;
        let end = e - base;
        while a < end {
            if !mem.is_mapped(a) {
                a += PAGE;
                continue;
            }
            let prot = mem.prot(a);
            let run = a;
            while a < end && mem.is_mapped(a) && mem.prot(a) == prot {
                a += PAGE;
            }
            let anon = h.inode == 0 && h.path.is_empty();
            let name = if anon {
                labels.iter().find(|(ls, le, _)| run < *le && a > *ls).map(|l| l.2).unwrap_or("")
            } else {
                h.path
            };
            let m = GuestMap {
                start: run,
                end: a,
                prot,
                shared: h.shared,
                offset: if h.inode == 0 { 0 } else { h.offset + (run + base - h.start) },
                dev: if h.inode == 0 { "00:00".to_string() } else { h.dev.to_string() },
                inode: h.inode,
                name: name.to_string(),
            };
            match lines.last_mut() {
                Some(last) if last.continued_by(&m) => last.end = m.end,
                _ => lines.push(m),
            }
        }
    }
    let mut out = String::new();
    for l in &lines {
        l.write(&mut out);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_lines_become_guest_lines_with_guest_permissions() {
        let mut mem = GuestMem::new(32).expect("reserve guest memory");
        let (base, _) = mem.host_span();
        mem.map(0x40_0000, 0x2000, PROT_READ | PROT_EXEC);
        mem.map(0x41_0000, 0x3000, PROT_READ | PROT_WRITE);
        mem.protect(0x41_1000, 0x1000, PROT_READ).expect("mprotect");
        mem.map(0x7ff0_0000, 0x1000, PROT_READ | PROT_WRITE);
        // As the host would show it: the program's text from a file, the rest anonymous
        // (split where host protections differ), and a mapping outside the reservation.
        let host = format!(
            "{:x}-{:x} r--p 00000000 fe:01 1234                       /bin/prog\n\
             {:x}-{:x} rw-p 00000000 00:00 0 \n\
             {:x}-{:x} ---p 00000000 00:00 0 \n\
             {:x}-{:x} rw-p 00000000 00:00 0 \n\
             7fff00000000-7fff00001000 rw-p 00000000 00:00 0                          [stack]\n",
            base + 0x40_0000,
            base + 0x40_2000,
            base + 0x41_0000,
            base + 0x41_1000,
            base + 0x41_1000,
            base + 0x7ff0_0000,
            base + 0x7ff0_0000,
            base + 0x7ff0_1000,
        );
        let text = guest_maps(&mem, &host, &[(0x7ff0_0000, 0x8000_0000, "[stack]")]);
        let fields: Vec<Vec<&str>> = text.lines().map(|l| l.split_whitespace().collect()).collect();
        assert_eq!(
            fields,
            [
                vec!["00400000-00402000", "r-xp", "00000000", "fe:01", "1234", "/bin/prog"],
                vec!["00410000-00411000", "rw-p", "00000000", "00:00", "0"],
                vec!["00411000-00412000", "r--p", "00000000", "00:00", "0"],
                vec!["00412000-00413000", "rw-p", "00000000", "00:00", "0"],
                vec!["7ff00000-7ff01000", "rw-p", "00000000", "00:00", "0", "[stack]"],
            ],
            "{text}"
        );
        // Names start where a 32-bit kernel puts them; lines without one end in a space.
        for l in text.lines() {
            match l.find(['/', '[']) {
                Some(col) => assert_eq!(col, 49, "{l:?}"),
                None => assert!(l.ends_with(" 0 "), "{l:?}"),
            }
        }
    }
}
