//! The QMP schema specemu implements, as data: every command (arguments, return type, whether
//! QEMU allows it in the preconfig state), every event, and the types they use, with QEMU's
//! names and shapes (QEMU 7.2's qapi). One source of truth for `query-qmp-schema`,
//! `query-commands` and argument checking (`qmp_args.rs`).
//!
//! This file owns the schema and its SchemaInfo rendering; it must not execute commands.

use serde_json::{json, Map, Value};
use std::collections::HashMap;

/// A member of an object type. `ty` is a builtin (`str`, `int`, `bool`, `number`, `null`,
/// `any`), `[T]` (array of T) or a type's name.
pub struct Member {
    pub name: &'static str,
    pub ty: &'static str,
    pub optional: bool,
}

pub enum TypeDef {
    Object {
        name: &'static str,
        members: &'static [Member],
        /// Unions: the tag member and, per tag value, the type adding its members.
        tag: Option<&'static str>,
        variants: &'static [(&'static str, &'static str)],
    },
    Enum {
        name: &'static str,
        values: &'static [&'static str],
    },
}

impl TypeDef {
    fn name(&self) -> &'static str {
        match self {
            TypeDef::Object { name, .. } | TypeDef::Enum { name, .. } => name,
        }
    }
}

pub struct CommandDef {
    pub name: &'static str,
    /// An object type; `EMPTY` for none.
    pub arg: &'static str,
    pub ret: &'static str,
    /// QEMU's `allow-preconfig`: usable before the machine exists.
    pub allow_preconfig: bool,
    pub features: &'static [&'static str],
}

pub struct EventDef {
    pub name: &'static str,
    pub arg: &'static str,
}

pub const EMPTY: &str = "Empty";

const fn m(name: &'static str, ty: &'static str) -> Member {
    Member { name, ty, optional: false }
}

const fn opt(name: &'static str, ty: &'static str) -> Member {
    Member { name, ty, optional: true }
}

const fn obj(name: &'static str, members: &'static [Member]) -> TypeDef {
    TypeDef::Object { name, members, tag: None, variants: &[] }
}

const fn cmd(name: &'static str, arg: &'static str, ret: &'static str, allow_preconfig: bool) -> CommandDef {
    CommandDef { name, arg, ret, allow_preconfig, features: &[] }
}

/// Every command, in `query-commands` order.
pub const COMMANDS: &[CommandDef] = &[
    cmd("qmp_capabilities", "QmpCapabilitiesArgs", EMPTY, true),
    cmd("query-qmp-schema", EMPTY, "[SchemaInfo]", true),
    cmd("query-commands", EMPTY, "[CommandInfo]", true),
    cmd("query-status", EMPTY, "StatusInfo", true),
    cmd("query-version", EMPTY, "VersionInfo", true),
    CommandDef { name: "x-exit-preconfig", arg: EMPTY, ret: EMPTY, allow_preconfig: true, features: &["unstable"] },
    cmd("quit", EMPTY, EMPTY, true),
    cmd("stop", EMPTY, EMPTY, false),
    cmd("cont", EMPTY, EMPTY, false),
    cmd("system_reset", EMPTY, EMPTY, false),
    cmd("system_powerdown", EMPTY, EMPTY, false),
    cmd("query-cpus-fast", EMPTY, "[CpuInfoFast]", false),
    cmd("query-machines", EMPTY, "[MachineInfo]", false),
    cmd("query-cpu-definitions", EMPTY, "[CpuDefinitionInfo]", false),
    cmd("human-monitor-command", "HumanMonitorCommandArgs", "str", false),
];

pub const EVENTS: &[EventDef] = &[
    EventDef { name: "STOP", arg: EMPTY },
    EventDef { name: "RESUME", arg: EMPTY },
    EventDef { name: "RESET", arg: "ResetEventData" },
    EventDef { name: "SHUTDOWN", arg: "ShutdownEventData" },
    EventDef { name: "POWERDOWN", arg: EMPTY },
];

const SYS_EMU_TARGETS: &[&str] = specemu_runtime::targets::QEMU_TARGETS;

/// CpuInfoFast has no target-specific members on any target specemu emulates.
const CPU_INFO_FAST_VARIANTS: &[(&str, &str)] = &{
    let mut v = [("", EMPTY); SYS_EMU_TARGETS.len()];
    let mut i = 0;
    while i < SYS_EMU_TARGETS.len() {
        v[i].0 = SYS_EMU_TARGETS[i];
        i += 1;
    }
    v
};

pub const TYPES: &[TypeDef] = &[
    obj(EMPTY, &[]),
    obj("QmpCapabilitiesArgs", &[opt("enable", "[QMPCapability]")]),
    TypeDef::Enum { name: "QMPCapability", values: &["oob"] },
    TypeDef::Object {
        name: "SchemaInfo",
        members: &[m("name", "str"), m("meta-type", "SchemaMetaType"), opt("features", "[str]")],
        tag: Some("meta-type"),
        variants: &[
            ("builtin", "SchemaInfoBuiltin"),
            ("enum", "SchemaInfoEnum"),
            ("array", "SchemaInfoArray"),
            ("object", "SchemaInfoObject"),
            ("alternate", "SchemaInfoAlternate"),
            ("command", "SchemaInfoCommand"),
            ("event", "SchemaInfoEvent"),
        ],
    },
    TypeDef::Enum {
        name: "SchemaMetaType",
        values: &["builtin", "enum", "array", "object", "alternate", "command", "event"],
    },
    obj("SchemaInfoBuiltin", &[m("json-type", "JSONType")]),
    TypeDef::Enum {
        name: "JSONType",
        values: &["string", "number", "int", "boolean", "null", "object", "array", "value"],
    },
    obj("SchemaInfoEnum", &[m("members", "[SchemaInfoEnumMember]"), m("values", "[str]")]),
    obj("SchemaInfoEnumMember", &[m("name", "str"), opt("features", "[str]")]),
    obj("SchemaInfoArray", &[m("element-type", "str")]),
    obj(
        "SchemaInfoObject",
        &[m("members", "[SchemaInfoObjectMember]"), opt("tag", "str"), opt("variants", "[SchemaInfoObjectVariant]")],
    ),
    obj(
        "SchemaInfoObjectMember",
        &[m("name", "str"), m("type", "str"), opt("default", "any"), opt("features", "[str]")],
    ),
    obj("SchemaInfoObjectVariant", &[m("case", "str"), m("type", "str")]),
    obj("SchemaInfoAlternate", &[m("members", "[SchemaInfoAlternateMember]")]),
    obj("SchemaInfoAlternateMember", &[m("type", "str")]),
    obj("SchemaInfoCommand", &[m("arg-type", "str"), m("ret-type", "str"), opt("allow-oob", "bool")]),
    obj("SchemaInfoEvent", &[m("arg-type", "str")]),
    obj("CommandInfo", &[m("name", "str")]),
    obj("StatusInfo", &[m("running", "bool"), m("singlestep", "bool"), m("status", "RunState")]),
    TypeDef::Enum {
        name: "RunState",
        values: &[
            "debug",
            "inmigrate",
            "internal-error",
            "io-error",
            "paused",
            "postmigrate",
            "prelaunch",
            "finish-migrate",
            "restore-vm",
            "running",
            "save-vm",
            "shutdown",
            "suspended",
            "watchdog",
            "guest-panicked",
            "colo",
        ],
    },
    obj("VersionInfo", &[m("qemu", "VersionTriple"), m("package", "str")]),
    obj("VersionTriple", &[m("major", "int"), m("minor", "int"), m("micro", "int")]),
    TypeDef::Object {
        name: "CpuInfoFast",
        members: &[
            m("cpu-index", "int"),
            m("qom-path", "str"),
            m("thread-id", "int"),
            opt("props", "CpuInstanceProperties"),
            m("target", "SysEmuTarget"),
        ],
        tag: Some("target"),
        variants: CPU_INFO_FAST_VARIANTS,
    },
    obj(
        "CpuInstanceProperties",
        &[
            opt("node-id", "int"),
            opt("socket-id", "int"),
            opt("die-id", "int"),
            opt("cluster-id", "int"),
            opt("core-id", "int"),
            opt("thread-id", "int"),
        ],
    ),
    TypeDef::Enum { name: "SysEmuTarget", values: SYS_EMU_TARGETS },
    obj(
        "MachineInfo",
        &[
            m("name", "str"),
            opt("alias", "str"),
            opt("is-default", "bool"),
            m("cpu-max", "int"),
            m("hotpluggable-cpus", "bool"),
            m("numa-mem-supported", "bool"),
            m("deprecated", "bool"),
            opt("default-cpu-type", "str"),
            opt("default-ram-id", "str"),
        ],
    ),
    obj(
        "CpuDefinitionInfo",
        &[
            m("name", "str"),
            opt("migration-safe", "bool"),
            m("static", "bool"),
            opt("unavailable-features", "[str]"),
            m("typename", "str"),
            opt("alias-of", "str"),
            m("deprecated", "bool"),
        ],
    ),
    obj("HumanMonitorCommandArgs", &[m("command-line", "str"), opt("cpu-index", "int")]),
    obj("ResetEventData", &[m("guest", "bool"), m("reason", "ShutdownCause")]),
    obj("ShutdownEventData", &[m("guest", "bool"), m("reason", "ShutdownCause")]),
    TypeDef::Enum {
        name: "ShutdownCause",
        values: &[
            "none",
            "host-error",
            "host-qmp-quit",
            "host-qmp-system-reset",
            "host-signal",
            "host-ui",
            "guest-shutdown",
            "guest-reset",
            "guest-panic",
            "subsystem-reset",
            "snapshot-load",
        ],
    },
];

pub fn command(name: &str) -> Option<&'static CommandDef> {
    COMMANDS.iter().find(|c| c.name == name)
}

pub fn type_def(name: &str) -> Option<&'static TypeDef> {
    TYPES.iter().find(|t| t.name() == name)
}

/// The JSON type of a builtin, or None when `ty` is not one.
pub fn builtin_json_type(ty: &str) -> Option<&'static str> {
    Some(match ty {
        "str" => "string",
        "int" => "int",
        "bool" => "boolean",
        "number" => "number",
        "null" => "null",
        "any" => "value",
        _ => return None,
    })
}

/// `query-qmp-schema`: SchemaInfo for every command and event and every type they reach.
/// Like QEMU, type names other than builtins are masked as numbers ("0" is the empty object);
/// arrays are named `[element]`.
pub fn introspect() -> Value {
    let mut r = Renderer { names: HashMap::new(), order: Vec::new() };
    r.names.insert(EMPTY, "0".to_string());
    let mut out = Vec::new();
    for c in COMMANDS {
        let mut e = Map::new();
        e.insert("name".into(), json!(c.name));
        e.insert("meta-type".into(), json!("command"));
        e.insert("arg-type".into(), json!(r.name_of(c.arg)));
        e.insert("ret-type".into(), json!(r.name_of(c.ret)));
        if !c.features.is_empty() {
            e.insert("features".into(), json!(c.features));
        }
        out.push(Value::Object(e));
    }
    for ev in EVENTS {
        out.push(json!({"name": ev.name, "meta-type": "event", "arg-type": r.name_of(ev.arg)}));
    }
    // Render every reached type; rendering may reach more.
    let mut i = 0;
    let mut rendered: Vec<String> = Vec::new();
    while i < r.order.len() {
        let ty = r.order[i];
        i += 1;
        let name = r.name_of(ty);
        if rendered.contains(&name) {
            continue;
        }
        rendered.push(name.clone());
        out.push(r.render(ty, name));
    }
    Value::Array(out)
}

struct Renderer {
    names: HashMap<&'static str, String>,
    /// Types reached, in the order they were first named.
    order: Vec<&'static str>,
}

impl Renderer {
    fn name_of(&mut self, ty: &'static str) -> String {
        if !self.order.contains(&ty) {
            self.order.push(ty);
        }
        if builtin_json_type(ty).is_some() {
            return ty.to_string();
        }
        if let Some(elem) = ty.strip_prefix('[').and_then(|t| t.strip_suffix(']')) {
            return format!("[{}]", self.name_of(elem));
        }
        if let Some(n) = self.names.get(ty) {
            return n.clone();
        }
        let n = self.names.len().to_string();
        self.names.insert(ty, n.clone());
        n
    }

    fn render(&mut self, ty: &'static str, name: String) -> Value {
        if let Some(jt) = builtin_json_type(ty) {
            return json!({"name": name, "meta-type": "builtin", "json-type": jt});
        }
        if let Some(elem) = ty.strip_prefix('[').and_then(|t| t.strip_suffix(']')) {
            return json!({"name": name, "meta-type": "array", "element-type": self.name_of(elem)});
        }
        match type_def(ty) {
            Some(TypeDef::Enum { values, .. }) => {
                let members: Vec<Value> = values.iter().map(|v| json!({"name": v})).collect();
                json!({"name": name, "meta-type": "enum", "members": members, "values": values})
            }
            Some(TypeDef::Object { members, tag, variants, .. }) => {
                let mut ms = Vec::new();
                for mem in members.iter() {
                    let mut e = Map::new();
                    e.insert("name".into(), json!(mem.name));
                    e.insert("type".into(), json!(self.name_of(mem.ty)));
                    if mem.optional {
                        e.insert("default".into(), Value::Null);
                    }
                    ms.push(Value::Object(e));
                }
                let mut e = Map::new();
                e.insert("name".into(), json!(name));
                e.insert("meta-type".into(), json!("object"));
                e.insert("members".into(), Value::Array(ms));
                if let Some(tag) = tag {
                    e.insert("tag".into(), json!(tag));
                    let vs: Vec<Value> =
                        variants.iter().map(|(case, t)| json!({"case": case, "type": self.name_of(t)})).collect();
                    e.insert("variants".into(), Value::Array(vs));
                }
                Value::Object(e)
            }
            // Every name in the tables above is defined; a unit test checks it.
            None => json!({"name": name, "meta-type": "builtin", "json-type": "value"}),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn referenced(ty: &'static str, seen: &mut Vec<&'static str>) {
        if seen.contains(&ty) {
            return;
        }
        seen.push(ty);
        if builtin_json_type(ty).is_some() {
            return;
        }
        if let Some(e) = ty.strip_prefix('[').and_then(|t| t.strip_suffix(']')) {
            return referenced(e, seen);
        }
        match type_def(ty) {
            Some(TypeDef::Object { members, variants, .. }) => {
                for m in members.iter() {
                    referenced(m.ty, seen);
                }
                for (_, t) in variants.iter() {
                    referenced(t, seen);
                }
            }
            Some(TypeDef::Enum { .. }) => {}
            None => panic!("type {ty} is used but not defined"),
        }
    }

    #[test]
    fn every_type_is_defined_and_rendered_once() {
        let mut seen = Vec::new();
        for c in COMMANDS {
            referenced(c.arg, &mut seen);
            referenced(c.ret, &mut seen);
        }
        for e in EVENTS {
            referenced(e.arg, &mut seen);
        }
        let schema = introspect();
        let names: Vec<&str> = schema.as_array().unwrap().iter().map(|e| e["name"].as_str().unwrap()).collect();
        let mut dedup = names.clone();
        dedup.sort();
        dedup.dedup();
        assert_eq!(dedup.len(), names.len(), "duplicate SchemaInfo names");
        for e in schema.as_array().unwrap() {
            for key in ["arg-type", "ret-type", "element-type"] {
                if let Some(t) = e.get(key) {
                    assert!(names.contains(&t.as_str().unwrap()), "{t} is not described");
                }
            }
        }
    }
}
