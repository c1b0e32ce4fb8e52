//! One QMP request → one response, the way QEMU 7.2 checks and answers it: the request's
//! shape ("QMP input must be a JSON object", "QMP input member 'x' is unexpected", ...),
//! capabilities negotiation, command lookup (CommandNotFound), out-of-band, the preconfig
//! gate, argument checking (`qmp_args.rs`), then the command itself against [`VmControl`].
//!
//! This file owns request handling; it must not touch sockets or threads (`qmp_session.rs`)
//! and knows no board.

use super::qmp_args::check_arguments;
use super::qmp_schema::{self, CommandDef, COMMANDS};
use super::{hmp, Shared};
use serde_json::{json, Map, Value};
use specemu_runtime::control::RunState;

/// Per-connection protocol state.
#[derive(Debug, Default, Clone)]
pub struct Session {
    /// `qmp_capabilities` done: commands run and events are delivered.
    pub negotiated: bool,
    /// The client enabled the `oob` capability (`exec-oob` is then a known member).
    pub oob: bool,
}

/// An error as QMP reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QmpError {
    pub class: &'static str,
    pub desc: String,
}

fn generic(desc: impl Into<String>) -> QmpError {
    QmpError { class: "GenericError", desc: desc.into() }
}

/// The greeting sent when a client connects.
pub fn greeting() -> Value {
    json!({"QMP": {"version": version_info(), "capabilities": ["oob"]}})
}

fn version_info() -> Value {
    let v = env!("CARGO_PKG_VERSION");
    let mut parts = v.split('.').map(|p| p.parse::<i64>().unwrap_or(0));
    let (major, minor, micro) = (parts.next().unwrap_or(0), parts.next().unwrap_or(0), parts.next().unwrap_or(0));
    json!({"qemu": {"micro": micro, "minor": minor, "major": major}, "package": format!("specemu {v}")})
}

/// Handle one message from the JSON stream (`Err` is a parse error) and build the response.
pub fn handle(session: &mut Session, shared: &Shared, msg: Result<Value, String>) -> Value {
    let req = match msg {
        Ok(Value::Object(req)) => req,
        Ok(_) => return error_response(None, &generic("QMP input must be a JSON object")),
        Err(e) => return error_response(None, &generic(e)),
    };
    let id = req.get("id").cloned();
    match run(session, shared, &req) {
        Ok(ret) => {
            let mut r = Map::new();
            r.insert("return".into(), ret);
            if let Some(id) = id {
                r.insert("id".into(), id);
            }
            Value::Object(r)
        }
        Err(mut e) => {
            if !session.negotiated && e.class == "CommandNotFound" {
                e.desc = "Expecting capabilities negotiation with 'qmp_capabilities'".into();
            }
            error_response(id, &e)
        }
    }
}

fn error_response(id: Option<Value>, e: &QmpError) -> Value {
    let mut r = Map::new();
    if let Some(id) = id {
        r.insert("id".into(), id);
    }
    r.insert("error".into(), json!({"class": e.class, "desc": e.desc}));
    Value::Object(r)
}

fn run(session: &mut Session, shared: &Shared, req: &Map<String, Value>) -> Result<Value, QmpError> {
    for (k, v) in req {
        match k.as_str() {
            "execute" | "exec-oob" if k == "execute" || session.oob => {
                if !v.is_string() {
                    return Err(generic(format!("QMP input member '{k}' must be a string")));
                }
            }
            "arguments" => {
                if !v.is_object() {
                    return Err(generic("QMP input member 'arguments' must be an object"));
                }
            }
            "id" => {}
            _ => return Err(generic(format!("QMP input member '{k}' is unexpected"))),
        }
    }
    let exec = req.get("execute").and_then(Value::as_str);
    let oob = if session.oob { req.get("exec-oob").and_then(Value::as_str) } else { None };
    let (name, is_oob) = match (exec, oob) {
        (Some(_), Some(_)) => return Err(generic("QMP input member 'execute' clashes with 'exec-oob'")),
        (Some(n), None) => (n, false),
        (None, Some(n)) => (n, true),
        (None, None) => return Err(generic("QMP input lacks member 'execute'")),
    };
    let not_found = || QmpError { class: "CommandNotFound", desc: format!("The command {name} has not been found") };
    let cmd = qmp_schema::command(name).ok_or_else(not_found)?;
    if !session.negotiated && cmd.name != "qmp_capabilities" {
        return Err(not_found());
    }
    if is_oob {
        return Err(generic(format!("The command {name} does not support OOB")));
    }
    if !cmd.allow_preconfig && !shared.vm().machine_created() {
        return Err(generic(format!(
            "The command '{name}' is permitted only after machine initialization has completed"
        )));
    }
    let empty = Map::new();
    let args = req.get("arguments").and_then(Value::as_object).unwrap_or(&empty);
    check_arguments(cmd.arg, args).map_err(generic)?;
    execute(session, shared, cmd, args)
}

fn execute(
    session: &mut Session,
    shared: &Shared,
    cmd: &CommandDef,
    args: &Map<String, Value>,
) -> Result<Value, QmpError> {
    let ok = Ok(json!({}));
    match cmd.name {
        "qmp_capabilities" => {
            if session.negotiated {
                return Err(QmpError {
                    class: "CommandNotFound",
                    desc: "Capabilities negotiation is already complete, command ignored".into(),
                });
            }
            let enable = args.get("enable").and_then(Value::as_array);
            session.oob = enable.is_some_and(|caps| caps.iter().any(|c| c == "oob"));
            session.negotiated = true;
            ok
        }
        "query-qmp-schema" => Ok(qmp_schema::introspect()),
        "query-commands" => Ok(Value::Array(COMMANDS.iter().map(|c| json!({"name": c.name})).collect())),
        "query-status" => {
            let state = shared.vm().state();
            Ok(json!({"status": state.qmp_name(), "singlestep": false, "running": state == RunState::Running}))
        }
        "query-version" => Ok(version_info()),
        "x-exit-preconfig" => {
            let mut vm = shared.vm();
            if vm.machine_created() {
                return Err(generic("The command is permitted only before machine initialization"));
            }
            vm.create_machine().map_err(generic)?;
            ok
        }
        "quit" => {
            shared.vm().quit();
            ok
        }
        "stop" => {
            shared.vm().stop();
            ok
        }
        "cont" => {
            shared.vm().cont().map_err(generic)?;
            ok
        }
        "system_reset" => {
            shared.vm().reset();
            ok
        }
        "system_powerdown" => {
            shared.vm().powerdown().map_err(generic)?;
            ok
        }
        "query-cpus-fast" => Ok(Value::Array(
            shared
                .vm()
                .cpus()
                .iter()
                .map(|c| {
                    json!({"thread-id": c.thread_id, "qom-path": c.qom_path, "cpu-index": c.index, "target": c.target})
                })
                .collect(),
        )),
        "query-machines" => Ok(Value::Array(shared.vm().machines().iter().map(machine_json).collect())),
        "query-cpu-definitions" => Ok(Value::Array(
            shared
                .vm()
                .cpu_definitions()
                .iter()
                .map(|d| json!({"name": d.name, "typename": d.typename, "static": false, "deprecated": false}))
                .collect(),
        )),
        "human-monitor-command" => {
            let line = args.get("command-line").and_then(Value::as_str).unwrap_or("");
            let cpu = match args.get("cpu-index").and_then(Value::as_i64) {
                None => None,
                Some(i) => {
                    let valid = shared.vm().cpus().iter().any(|c| c.index as i64 == i);
                    if !valid {
                        return Err(generic("Parameter 'cpu-index' expects a CPU number"));
                    }
                    Some(i as usize)
                }
            };
            let out = hmp::execute(shared, line, cpu);
            Ok(Value::String(out.text.replace('\n', "\r\n")))
        }
        other => Err(generic(format!("internal error: no handler for {other}"))),
    }
}

fn machine_json(m: &specemu_runtime::control::MachineInfo) -> Value {
    let mut e = Map::new();
    e.insert("hotpluggable-cpus".into(), json!(false));
    e.insert("name".into(), json!(m.name));
    e.insert("numa-mem-supported".into(), json!(false));
    if !m.default_cpu_type.is_empty() {
        e.insert("default-cpu-type".into(), json!(m.default_cpu_type));
    }
    if m.is_default {
        e.insert("is-default".into(), json!(true));
    }
    e.insert("cpu-max".into(), json!(m.cpu_max));
    e.insert("deprecated".into(), json!(false));
    Value::Object(e)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::monitor::fake_vm::FakeVm;
    use crate::monitor::json_stream::JsonStream;
    use crate::monitor::json_write::to_qemu_json;

    /// Feed raw text as a client would; the responses as QEMU prints them.
    fn talk(shared: &Shared, session: &mut Session, input: &str) -> Vec<String> {
        JsonStream::new()
            .feed(input.as_bytes())
            .into_iter()
            .map(|m| to_qemu_json(&handle(session, shared, m)))
            .collect()
    }

    fn negotiated(created: bool) -> (Shared, Session) {
        let shared = Shared::new(Box::new(FakeVm::new(created)));
        let mut s = Session::default();
        assert_eq!(talk(&shared, &mut s, r#"{"execute":"qmp_capabilities"}"#), vec![r#"{"return": {}}"#]);
        (shared, s)
    }

    #[test]
    fn negotiation() {
        let shared = Shared::new(Box::new(FakeVm::new(true)));
        let mut s = Session::default();
        let want = r#"{"error": {"class": "CommandNotFound", "desc": "Expecting capabilities negotiation with 'qmp_capabilities'"}}"#;
        assert_eq!(talk(&shared, &mut s, r#"{"execute":"query-status"}"#), vec![want]);
        assert_eq!(talk(&shared, &mut s, r#"{"execute":"nope"}"#), vec![want]);
        assert_eq!(
            talk(&shared, &mut s, r#"{"execute":"qmp_capabilities","id":1}"#),
            vec![r#"{"return": {}, "id": 1}"#]
        );
        assert_eq!(
            talk(&shared, &mut s, r#"{"execute":"qmp_capabilities"}"#),
            vec![
                r#"{"error": {"class": "CommandNotFound", "desc": "Capabilities negotiation is already complete, command ignored"}}"#
            ]
        );
    }

    #[test]
    fn request_shape_errors_match_qemu() {
        let (shared, mut s) = negotiated(true);
        let cases = [
            (r#"[1,2]"#, r#"{"error": {"class": "GenericError", "desc": "QMP input must be a JSON object"}}"#),
            (r#"{"foo":1}"#, r#"{"error": {"class": "GenericError", "desc": "QMP input member 'foo' is unexpected"}}"#),
            (
                r#"{"execute":1}"#,
                r#"{"error": {"class": "GenericError", "desc": "QMP input member 'execute' must be a string"}}"#,
            ),
            (
                r#"{"execute":"query-status","arguments":5}"#,
                r#"{"error": {"class": "GenericError", "desc": "QMP input member 'arguments' must be an object"}}"#,
            ),
            (
                r#"{"id":5}"#,
                r#"{"id": 5, "error": {"class": "GenericError", "desc": "QMP input lacks member 'execute'"}}"#,
            ),
            (
                r#"{"exec-oob":"query-status"}"#,
                r#"{"error": {"class": "GenericError", "desc": "QMP input member 'exec-oob' is unexpected"}}"#,
            ),
            (
                r#"{"execute":"nope","id":[1,2]}"#,
                r#"{"id": [1, 2], "error": {"class": "CommandNotFound", "desc": "The command nope has not been found"}}"#,
            ),
            (
                r#"{bad json}"#,
                r#"{"error": {"class": "GenericError", "desc": "JSON parse error, invalid keyword 'bad'"}}"#,
            ),
            (
                r#"{"execute":"query-status","arguments":{"x":1}}"#,
                r#"{"error": {"class": "GenericError", "desc": "Parameter 'x' is unexpected"}}"#,
            ),
            (
                r#"{"execute":"human-monitor-command"}"#,
                r#"{"error": {"class": "GenericError", "desc": "Parameter 'command-line' is missing"}}"#,
            ),
            (
                r#"{"execute":"human-monitor-command","arguments":{"command-line":"info status","cpu-index":5}}"#,
                r#"{"error": {"class": "GenericError", "desc": "Parameter 'cpu-index' expects a CPU number"}}"#,
            ),
            (
                r#"{"execute":"query-status","id":"a"}"#,
                r#"{"return": {"status": "running", "singlestep": false, "running": true}, "id": "a"}"#,
            ),
            (
                r#"{"execute":"x-exit-preconfig"}"#,
                r#"{"error": {"class": "GenericError", "desc": "The command is permitted only before machine initialization"}}"#,
            ),
            (
                r#"{"execute":"system_powerdown"}"#,
                r#"{"error": {"class": "GenericError", "desc": "this board has no power button"}}"#,
            ),
        ];
        for (input, want) in cases {
            assert_eq!(talk(&shared, &mut s, input), vec![want.to_string()], "input {input}");
        }
    }

    #[test]
    fn out_of_band() {
        let shared = Shared::new(Box::new(FakeVm::new(true)));
        let mut s = Session::default();
        talk(&shared, &mut s, r#"{"execute":"qmp_capabilities","arguments":{"enable":["oob"]}}"#);
        assert!(s.oob);
        assert_eq!(
            talk(&shared, &mut s, r#"{"exec-oob":"query-status"}"#),
            vec![r#"{"error": {"class": "GenericError", "desc": "The command query-status does not support OOB"}}"#]
        );
        assert_eq!(
            talk(&shared, &mut s, r#"{"execute":"stop","exec-oob":"stop"}"#),
            vec![
                r#"{"error": {"class": "GenericError", "desc": "QMP input member 'execute' clashes with 'exec-oob'"}}"#
            ]
        );
    }

    #[test]
    fn preconfig_gate_and_exit() {
        let (shared, mut s) = negotiated(false);
        let events = shared.vm().subscribe();
        assert_eq!(
            talk(&shared, &mut s, r#"{"execute":"query-status"}"#),
            vec![r#"{"return": {"status": "prelaunch", "singlestep": false, "running": false}}"#]
        );
        for c in ["stop", "cont", "query-cpus-fast", "human-monitor-command", "query-machines"] {
            assert_eq!(
                talk(&shared, &mut s, &format!(r#"{{"execute":"{c}"}}"#)),
                vec![format!(
                    r#"{{"error": {{"class": "GenericError", "desc": "The command '{c}' is permitted only after machine initialization has completed"}}}}"#
                )]
            );
        }
        for c in ["query-version", "query-commands", "query-qmp-schema"] {
            assert!(talk(&shared, &mut s, &format!(r#"{{"execute":"{c}"}}"#))[0].starts_with(r#"{"return": "#));
        }
        assert_eq!(talk(&shared, &mut s, r#"{"execute":"x-exit-preconfig"}"#), vec![r#"{"return": {}}"#]);
        assert_eq!(events.try_recv().map(|e| e.event).ok(), Some(specemu_runtime::control::VmEvent::Resume));
        assert_eq!(
            talk(&shared, &mut s, r#"{"execute":"query-cpus-fast"}"#),
            vec![format!(
                r#"{{"return": [{{"thread-id": 42, "qom-path": "/machine/unattached/device[0]", "cpu-index": 0, "target": "{}"}}]}}"#,
                crate::monitor::fake_vm::test_target()
            )]
        );
    }

    #[test]
    fn human_monitor_command_through_qmp() {
        let (shared, mut s) = negotiated(true);
        let r = talk(
            &shared,
            &mut s,
            r#"{"execute":"human-monitor-command","arguments":{"command-line":"xp /2x 0","cpu-index":0}}"#,
        );
        assert_eq!(r, vec![r#"{"return": "0000000000000000: 0xff0a4241 0x01000080\r\n"}"#]);
    }
}
