//! Events as QMP sends them: `{"timestamp": {"seconds": S, "microseconds": U}, "event": NAME,
//! "data": {...}}` (no `data` for events without members), with the wall-clock time the
//! machine reported.
//!
//! This file owns the event JSON only; which client receives what is `server.rs`.

use serde_json::{json, Map, Value};
use specemu_runtime::control::{TimedEvent, VmEvent};
use std::time::UNIX_EPOCH;

pub fn event_json(e: &TimedEvent) -> Value {
    let since = e.at.duration_since(UNIX_EPOCH).unwrap_or_default();
    let mut m = Map::new();
    m.insert("timestamp".into(), json!({"seconds": since.as_secs(), "microseconds": since.subsec_micros()}));
    let (name, data) = match &e.event {
        VmEvent::Stop => ("STOP", None),
        VmEvent::Resume => ("RESUME", None),
        VmEvent::Powerdown => ("POWERDOWN", None),
        VmEvent::Reset { guest, reason } => ("RESET", Some(json!({"guest": guest, "reason": reason}))),
        VmEvent::Shutdown { guest, reason } => ("SHUTDOWN", Some(json!({"guest": guest, "reason": reason}))),
    };
    m.insert("event".into(), json!(name));
    if let Some(d) = data {
        m.insert("data".into(), d);
    }
    Value::Object(m)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::monitor::json_write::to_qemu_json;
    use std::time::Duration;

    #[test]
    fn qemu_shape() {
        let at = UNIX_EPOCH + Duration::from_micros(1_795_574_668_405_880);
        let e = TimedEvent { event: VmEvent::Reset { guest: false, reason: "host-qmp-system-reset".into() }, at };
        assert_eq!(
            to_qemu_json(&event_json(&e)),
            r#"{"timestamp": {"seconds": 1795574668, "microseconds": 405880}, "event": "RESET", "data": {"guest": false, "reason": "host-qmp-system-reset"}}"#
        );
        let e = TimedEvent { event: VmEvent::Stop, at };
        assert_eq!(
            to_qemu_json(&event_json(&e)),
            r#"{"timestamp": {"seconds": 1795574668, "microseconds": 405880}, "event": "STOP"}"#
        );
    }
}
