//! Checking a command's `arguments` against its schema type, with the messages of QEMU's QAPI
//! input visitor: "Parameter 'x' is missing", "Invalid parameter type for 'x', expected:
//! integer", "Parameter 'x' is unexpected", "Parameter 'x' does not accept value 'y'".
//! Members are checked in schema order and unexpected members last, so a missing or
//! wrong-typed member is reported before an unexpected one, as in QEMU.
//!
//! This file owns argument validation only; it must not execute commands.

use super::qmp_schema::{builtin_json_type, type_def, TypeDef};
use serde_json::{Map, Value};

/// Check `args` (the request's `arguments`, or an empty object) against object type `ty`.
pub fn check_arguments(ty: &str, args: &Map<String, Value>) -> Result<(), String> {
    check_members(ty, args, "")
}

fn check_members(ty: &str, obj: &Map<String, Value>, prefix: &str) -> Result<(), String> {
    let Some(TypeDef::Object { members, .. }) = type_def(ty) else {
        return Err(format!("internal error: {ty} is not an object type"));
    };
    for m in members.iter() {
        let path = format!("{prefix}{}", m.name);
        match obj.get(m.name) {
            None if m.optional => {}
            None => return Err(format!("Parameter '{path}' is missing")),
            Some(v) => check_value(m.ty, v, &path, &path)?,
        }
    }
    if let Some(extra) = obj.keys().find(|k| !members.iter().any(|m| m.name == k.as_str())) {
        return Err(format!("Parameter '{prefix}{extra}' is unexpected"));
    }
    Ok(())
}

/// `path` names the value in type errors; `enum_name` in enum-value errors (QEMU says 'null'
/// for list elements there).
fn check_value(ty: &str, v: &Value, path: &str, enum_name: &str) -> Result<(), String> {
    let expected = |what: &str| Err(format!("Invalid parameter type for '{path}', expected: {what}"));
    if let Some(jt) = builtin_json_type(ty) {
        return match (jt, v) {
            ("string", Value::String(_)) => Ok(()),
            ("string", _) => expected("string"),
            ("int", Value::Number(n)) if n.is_i64() => Ok(()),
            ("int", _) => expected("integer"),
            ("boolean", Value::Bool(_)) => Ok(()),
            ("boolean", _) => expected("boolean"),
            ("number", Value::Number(_)) => Ok(()),
            ("number", _) => expected("number"),
            ("null", Value::Null) => Ok(()),
            ("null", _) => expected("null"),
            _ => Ok(()),
        };
    }
    if let Some(elem) = ty.strip_prefix('[').and_then(|t| t.strip_suffix(']')) {
        let Value::Array(items) = v else { return expected("array") };
        for (i, item) in items.iter().enumerate() {
            check_value(elem, item, &format!("{path}[{i}]"), "null")?;
        }
        return Ok(());
    }
    match type_def(ty) {
        Some(TypeDef::Enum { values, .. }) => {
            let Value::String(s) = v else { return expected("string") };
            if values.contains(&s.as_str()) {
                Ok(())
            } else {
                Err(format!("Parameter '{enum_name}' does not accept value '{s}'"))
            }
        }
        Some(TypeDef::Object { .. }) => {
            let Value::Object(o) = v else { return expected("object") };
            check_members(ty, o, &format!("{path}."))
        }
        None => Err(format!("internal error: unknown type {ty}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn check(ty: &str, v: Value) -> Result<(), String> {
        check_arguments(ty, v.as_object().unwrap())
    }

    #[test]
    fn qemu_messages() {
        // Each message was checked against qemu-system-mips 7.2.
        let hmc = "HumanMonitorCommandArgs";
        assert_eq!(check(hmc, json!({})).unwrap_err(), "Parameter 'command-line' is missing");
        assert_eq!(
            check(hmc, json!({"command-line": 5})).unwrap_err(),
            "Invalid parameter type for 'command-line', expected: string"
        );
        assert_eq!(check(hmc, json!({"command-line": "x", "x": 1})).unwrap_err(), "Parameter 'x' is unexpected");
        assert_eq!(check(hmc, json!({"zz": 1})).unwrap_err(), "Parameter 'command-line' is missing");
        for bad in [json!(1.5), json!("0"), json!(null), json!(18446744073709551615u64), json!(true)] {
            assert_eq!(
                check(hmc, json!({"command-line": "x", "cpu-index": bad})).unwrap_err(),
                "Invalid parameter type for 'cpu-index', expected: integer"
            );
        }
        assert!(check(hmc, json!({"command-line": "x", "cpu-index": -1})).is_ok());
        let caps = "QmpCapabilitiesArgs";
        assert_eq!(
            check(caps, json!({"enable": ["bogus"]})).unwrap_err(),
            "Parameter 'null' does not accept value 'bogus'"
        );
        assert_eq!(
            check(caps, json!({"enable": "oob"})).unwrap_err(),
            "Invalid parameter type for 'enable', expected: array"
        );
        assert_eq!(
            check(caps, json!({"enable": [5]})).unwrap_err(),
            "Invalid parameter type for 'enable[0]', expected: string"
        );
        assert!(check(caps, json!({"enable": ["oob", "oob"]})).is_ok());
        assert_eq!(check("Empty", json!({"x": 1})).unwrap_err(), "Parameter 'x' is unexpected");
    }
}
