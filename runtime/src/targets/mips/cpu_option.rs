//! The `-cpu MODEL[,PROPERTY=VALUE...]` option for MIPS, in QEMU's syntax, shared by user
//! mode (`specemu run`) and system mode (`specemu system-mips`). Owns the parsing and the
//! property list; what a model contains is [`super::system::cp0::MODELS`], and what a
//! property changes belongs to the unit it names (the FPU for `qemu-fpu`).

use super::system::cp0::{self, CpuModel, MODELS};

/// The default CPU model of both user mode and the mipssim board.
pub const DEFAULT_MODEL: &str = "24Kf";

/// A parsed `-cpu` value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CpuOption {
    pub model: &'static CpuModel,
    /// `qemu-fpu=on`: the FPU follows QEMU 7.2's simplifications instead of the manual
    /// (see `fpu::ops`): default NaN for every NaN result, abs/neg as bit operations, and
    /// FS=1 flushing only results, silently.
    pub qemu_fpu: bool,
}

impl Default for CpuOption {
    fn default() -> Self {
        parse(DEFAULT_MODEL).expect("the default model exists")
    }
}

/// The properties, with what they do, for `-cpu help`.
pub const PROPERTIES: &[(&str, &str)] =
    &[("qemu-fpu=on|off", "FPU results as QEMU 7.2 gives them (default NaN, bit-op abs/neg, FS flushes results only)")];

/// Parse `MODEL[,PROP=VALUE...]` (model names are case-insensitive, as in QEMU).
pub fn parse(s: &str) -> Result<CpuOption, String> {
    let mut parts = s.split(',');
    let name = parts.next().unwrap_or("");
    let model = cp0::model(name).ok_or_else(|| {
        format!(
            "unable to find CPU model '{name}' (available: {})",
            MODELS.iter().map(|m| m.name).collect::<Vec<_>>().join(", ")
        )
    })?;
    let mut opt = CpuOption { model, qemu_fpu: false };
    for p in parts {
        let (key, value) = p.split_once('=').unwrap_or((p, "on"));
        let on = match value {
            "on" | "true" | "yes" => true,
            "off" | "false" | "no" => false,
            _ => return Err(format!("-cpu {s}: property '{key}' takes on or off, not '{value}'")),
        };
        match key {
            "qemu-fpu" => opt.qemu_fpu = on,
            _ => {
                return Err(format!(
                    "-cpu {s}: CPU '{}' has no property '{key}' (known: {})",
                    model.name,
                    PROPERTIES.iter().map(|p| p.0).collect::<Vec<_>>().join(", ")
                ))
            }
        }
    }
    Ok(opt)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn models_and_properties() {
        let o = parse("24kf,qemu-fpu=on").unwrap();
        assert_eq!(o.model.name, "24Kf");
        assert!(o.qemu_fpu);
        assert!(!parse("24Kc").unwrap().qemu_fpu);
        assert!(parse("24Kf,qemu-fpu").unwrap().qemu_fpu);
        assert!(parse("r4000").unwrap_err().contains("unable to find CPU model 'r4000'"));
        assert!(parse("24Kf,fast=on").unwrap_err().contains("no property 'fast'"));
        assert!(parse("24Kf,qemu-fpu=maybe").unwrap_err().contains("takes on or off"));
    }
}
