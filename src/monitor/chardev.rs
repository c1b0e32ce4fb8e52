//! The values of `-qmp` and `-monitor`, in QEMU's character-device syntax: `stdio`, `none`
//! (`-monitor` only), `unix:PATH,server=on,wait=off` and `tcp:HOST:PORT,server=on,wait=off`
//! (QEMU's older `server` / `nowait` spellings too). Only listening sockets are supported, and
//! TCP only on loopback: an empty host means 127.0.0.1 (QEMU would listen on every
//! interface).
//!
//! This file owns parsing only; it opens nothing.

use std::path::PathBuf;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Chardev {
    Stdio,
    None,
    Unix { path: PathBuf, wait: bool },
    Tcp { host: String, port: u16, wait: bool },
}

/// Parse `spec`; `opt` is the option's name for messages ("-qmp").
pub fn parse(opt: &str, spec: &str) -> Result<Chardev, String> {
    if spec == "stdio" {
        return Ok(Chardev::Stdio);
    }
    if spec == "none" {
        return Ok(Chardev::None);
    }
    let mut parts = spec.split(',');
    let addr = parts.next().unwrap_or("");
    let mut server = false;
    let mut wait = true;
    for p in parts {
        let (key, value) = p.split_once('=').unwrap_or((p, "on"));
        let flag = match value {
            "on" | "yes" | "true" => true,
            "off" | "no" | "false" => false,
            _ => return Err(format!("{opt}: Parameter '{key}' expects 'on' or 'off'")),
        };
        match key {
            "server" => server = flag,
            "wait" => wait = flag,
            "nowait" => wait = !flag,
            _ => return Err(format!("{opt}: Invalid parameter '{key}'")),
        }
    }
    if !server {
        return Err(format!("{opt} {spec}: only listening sockets are supported: add ,server=on"));
    }
    if let Some(path) = addr.strip_prefix("unix:") {
        if path.is_empty() {
            return Err(format!("{opt}: unix: needs a path"));
        }
        return Ok(Chardev::Unix { path: path.into(), wait });
    }
    if let Some(hp) = addr.strip_prefix("tcp:") {
        let (host, port) = hp.rsplit_once(':').ok_or_else(|| format!("{opt}: tcp:HOST:PORT expected"))?;
        let port: u16 = port.parse().map_err(|_| format!("{opt}: port '{port}' is not a number"))?;
        let host = host.trim_start_matches('[').trim_end_matches(']');
        let host = if host.is_empty() { "127.0.0.1" } else { host };
        if !matches!(host, "localhost" | "::1") && !host.starts_with("127.") {
            return Err(format!("{opt}: the monitor listens on loopback only (127.0.0.1, localhost, ::1), not {host}"));
        }
        return Ok(Chardev::Tcp { host: host.to_string(), port, wait });
    }
    Err(format!("{opt} {spec}: unsupported character device (stdio, unix:PATH,server=on or tcp:HOST:PORT,server=on)"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spellings() {
        assert_eq!(parse("-qmp", "stdio"), Ok(Chardev::Stdio));
        assert_eq!(
            parse("-qmp", "unix:/tmp/q.sock,server,nowait"),
            Ok(Chardev::Unix { path: "/tmp/q.sock".into(), wait: false })
        );
        assert_eq!(
            parse("-qmp", "unix:/tmp/q.sock,server=on,wait=off"),
            Ok(Chardev::Unix { path: "/tmp/q.sock".into(), wait: false })
        );
        assert_eq!(
            parse("-qmp", "tcp:127.0.0.1:4444,server=on"),
            Ok(Chardev::Tcp { host: "127.0.0.1".into(), port: 4444, wait: true })
        );
        assert_eq!(
            parse("-qmp", "tcp::4444,server,wait=off"),
            Ok(Chardev::Tcp { host: "127.0.0.1".into(), port: 4444, wait: false })
        );
        assert!(parse("-qmp", "tcp:10.0.0.1:4444,server=on").is_err());
        assert!(parse("-qmp", "unix:/tmp/x").is_err());
        assert!(parse("-qmp", "unix:/tmp/x,server=on,bogus=1").is_err());
        assert!(parse("-qmp", "vc").is_err());
    }
}
