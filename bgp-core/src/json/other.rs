//! NOTIFICATION, KEEPALIVE and ROUTE-REFRESH in JSON.

use super::field::{as_hex, as_str, as_uint, err, join, only_keys, parse, required};
use super::{hex, JsonError};
use crate::error::Notification;
use crate::message::RouteRefresh;
use serde_json::{json, Map, Value};

pub(crate) fn notification_to_json(n: &Notification) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("type".into(), json!("notification"));
    m.insert("code".into(), json!(n.code));
    m.insert("subcode".into(), json!(n.subcode));
    m.insert("code-name".into(), json!(n.code_name()));
    m.insert("subcode-name".into(), json!(n.subcode_name()));
    m.insert("data".into(), json!(hex::encode(&n.data)));
    if let Some(text) = n.shutdown_communication() {
        m.insert("shutdown-message".into(), json!(text));
    }
    m
}

/// `data` wins; without it a `shutdown-message` becomes the RFC 9003 data.
pub(crate) fn notification_from_json(m: &Map<String, Value>) -> Result<Notification, JsonError> {
    only_keys(
        m,
        &[
            "type",
            "code",
            "subcode",
            "code-name",
            "subcode-name",
            "data",
            "shutdown-message",
        ],
        "",
    )?;
    let code = as_uint(required(m, "code", "")?, "code")?;
    let subcode = as_uint(required(m, "subcode", "")?, "subcode")?;
    if let Some(d) = m.get("data") {
        return Ok(Notification::with_data(code, subcode, as_hex(d, "data")?));
    }
    match m.get("shutdown-message") {
        Some(t) => {
            let n = Notification::cease_with_message(subcode, as_str(t, "shutdown-message")?);
            Ok(Notification { code, ..n })
        }
        None => Ok(Notification::new(code, subcode)),
    }
}

pub(crate) fn keepalive_to_json() -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("type".into(), json!("keepalive"));
    m
}

/// Subtypes 0–2 by name, reserved ones as numbers.
pub(crate) fn route_refresh_to_json(r: &RouteRefresh) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("type".into(), json!("route-refresh"));
    m.insert("family".into(), json!(r.family.to_string()));
    let subtype = match r.subtype {
        0..=2 => json!(r.subtype_name()),
        n => json!(n),
    };
    m.insert("subtype".into(), subtype);
    m
}

pub(crate) fn route_refresh_from_json(m: &Map<String, Value>) -> Result<RouteRefresh, JsonError> {
    only_keys(m, &["type", "family", "subtype"], "")?;
    let family = parse(required(m, "family", "")?, "family")?;
    let subtype = match m.get("subtype") {
        None => RouteRefresh::REQUEST,
        Some(Value::String(s)) => match s.as_str() {
            "request" => RouteRefresh::REQUEST,
            "borr" => RouteRefresh::BORR,
            "eorr" => RouteRefresh::EORR,
            other => {
                return Err(err(
                    "subtype",
                    format!("`{other}` is not request, borr, eorr or a number"),
                ))
            }
        },
        Some(v) => as_uint(v, &join("", "subtype"))?,
    };
    Ok(RouteRefresh { family, subtype })
}
