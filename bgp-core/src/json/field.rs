//! Reading JSON values with errors that name the field: `attributes.med: expected an integer`.

use super::JsonError;
use serde_json::{Map, Value};
use std::fmt::Display;
use std::str::FromStr;

/// `path.key`, or `key` at the top level.
pub(crate) fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

/// `path[i]`.
pub(crate) fn index(path: &str, i: usize) -> String {
    format!("{path}[{i}]")
}

pub(crate) fn err(path: &str, message: impl Into<String>) -> JsonError {
    JsonError {
        field: path.to_string(),
        message: message.into(),
    }
}

pub(crate) fn as_obj<'a>(v: &'a Value, path: &str) -> Result<&'a Map<String, Value>, JsonError> {
    v.as_object().ok_or_else(|| err(path, "expected an object"))
}

pub(crate) fn as_arr<'a>(v: &'a Value, path: &str) -> Result<&'a Vec<Value>, JsonError> {
    v.as_array().ok_or_else(|| err(path, "expected an array"))
}

pub(crate) fn as_str<'a>(v: &'a Value, path: &str) -> Result<&'a str, JsonError> {
    v.as_str().ok_or_else(|| err(path, "expected a string"))
}

/// An unsigned integer that fits `T`.
pub(crate) fn as_uint<T: TryFrom<u64>>(v: &Value, path: &str) -> Result<T, JsonError> {
    let n = v.as_u64().ok_or_else(|| err(path, "expected an integer"))?;
    T::try_from(n).map_err(|_| err(path, format!("{n} is out of range")))
}

/// A string parsed with `FromStr`.
pub(crate) fn parse<T>(v: &Value, path: &str) -> Result<T, JsonError>
where
    T: FromStr,
    T::Err: Display,
{
    let s = as_str(v, path)?;
    s.parse().map_err(|e| err(path, format!("`{s}`: {e}")))
}

/// A hex string (see [`super::hex::decode`]).
pub(crate) fn as_hex(v: &Value, path: &str) -> Result<Vec<u8>, JsonError> {
    super::hex::decode(as_str(v, path)?).map_err(|e| err(path, e))
}

/// Refuses a member of `m` (the object at `path`) that is not in `allowed`, naming it: a
/// misspelt field must not be silently ignored.
pub(crate) fn only_keys(m: &Map<String, Value>, allowed: &[&str], path: &str) -> Result<(), JsonError> {
    match m.keys().find(|k| !allowed.contains(&k.as_str())) {
        Some(k) => Err(err(
            &join(path, k),
            format!("unknown field (expected one of: {})", allowed.join(", ")),
        )),
        None => Ok(()),
    }
}

/// A required member of an object.
pub(crate) fn required<'a>(m: &'a Map<String, Value>, key: &str, path: &str) -> Result<&'a Value, JsonError> {
    m.get(key).ok_or_else(|| err(&join(path, key), "missing"))
}
