//! The JSON form of BGP messages, used by `peerlab decode` / `peerlab encode` and by the
//! speaker's logs. The format is described in `docs/json.md`.
//!
//! The JSON states the *facts* of a message (prefixes per family, next hops, attributes,
//! capabilities). It is lossless: [`message_from_json`] rebuilds the exact bytes, because a
//! message that is not in the canonical form the encoder produces from the facts carries a
//! `"wire"` object listing exactly its deviations (attribute order, flags, where IPv4
//! prefixes were carried, ...). A message in canonical form has no `"wire"` object.

mod attrs;
mod field;
pub mod hex;
mod nlri;
mod open;
mod other;
mod update_from;
mod update_to;

use crate::context::SessionContext;
use crate::error::BgpError;
use crate::framer::Frame;
use crate::message::Message;
use crate::update::UpdateView;
use bytes::Bytes;
use field::{as_obj, as_str, err, only_keys, required};
use serde_json::{json, Map, Value};
use std::fmt;

/// Why a JSON value is not a message: the field (`attributes.med`) and what is wrong with it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JsonError {
    /// Dotted path of the offending field (`announce.ipv4-unicast[2]`), empty for the top level.
    pub field: String,
    /// What is wrong with it.
    pub message: String,
}

impl fmt::Display for JsonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.field.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "{}: {}", self.field, self.message)
        }
    }
}

impl std::error::Error for JsonError {}

/// The JSON object of a decoded message.
pub fn message_to_json(msg: &Message, ctx: &SessionContext) -> Value {
    Value::Object(message_to_map(msg, ctx))
}

fn message_to_map(msg: &Message, ctx: &SessionContext) -> Map<String, Value> {
    match msg {
        Message::Open(o) => open::open_to_json(o),
        Message::Update(u) => update_to::update_to_json(u, ctx),
        Message::Notification(n) => other::notification_to_json(n),
        Message::Keepalive => other::keepalive_to_json(),
        Message::RouteRefresh(r) => other::route_refresh_to_json(r),
    }
}

/// The JSON object of a validated UPDATE view (the speaker's receive path).
pub fn update_view_to_json(view: &UpdateView) -> Value {
    let update = crate::update::Update::from_view(view);
    Value::Object(update_to::update_to_json(&update, view.context()))
}

/// The JSON object of an RFC 7606 / RFC 4271 error:
/// `{"error":{"code","subcode","name","data"},"action"}`.
pub fn error_to_json(e: &BgpError) -> Map<String, Value> {
    let n = &e.notification;
    let mut m = Map::new();
    m.insert(
        "error".into(),
        json!({
            "code": n.code,
            "subcode": n.subcode,
            "name": format!("{} / {}", n.code_name(), n.subcode_name()),
            "data": hex::encode(&n.data),
        }),
    );
    m.insert("action".into(), json!(e.action.as_str()));
    m
}

/// Decodes one whole frame (header included) into its JSON line: the message, or the error
/// object followed by whatever could still be decoded (treat-as-withdraw, attribute discard).
/// Also returns the error, if any.
pub fn frame_to_json(frame: Bytes, ctx: &SessionContext) -> (Value, Option<BgpError>) {
    decoded_to_json(Message::decode_with_error(frame, ctx), ctx)
}

/// [`frame_to_json`] for a [`Frame`] from the framer, whose header is already checked.
pub fn checked_frame_to_json(frame: Frame, ctx: &SessionContext) -> (Value, Option<BgpError>) {
    decoded_to_json(Message::from_frame(frame, ctx), ctx)
}

fn decoded_to_json(decoded: (Option<Message>, Option<BgpError>), ctx: &SessionContext) -> (Value, Option<BgpError>) {
    let (msg, error) = decoded;
    let mut out = error.as_ref().map(error_to_json).unwrap_or_default();
    if let Some(m) = &msg {
        out.extend(message_to_map(m, ctx));
    }
    (Value::Object(out), error)
}

/// Builds a message from its JSON object (the reverse of [`message_to_json`], `"wire"`
/// deviations included). Fields that only describe (`code-name`, `asn`, `eor`, ...) are
/// optional on input.
pub fn message_from_json(v: &Value, ctx: &SessionContext) -> Result<Message, JsonError> {
    let m = as_obj(v, "")?;
    if m.contains_key("error") {
        return Err(err("error", "an error report cannot be encoded"));
    }
    let kind = as_str(required(m, "type", "")?, "type")?;
    match kind {
        "open" => open::open_from_json(m).map(Message::Open),
        "update" => update_from::update_from_json(m, ctx).map(Message::Update),
        "notification" => other::notification_from_json(m).map(Message::Notification),
        "keepalive" => only_keys(m, &["type"], "").map(|()| Message::Keepalive),
        "route-refresh" => other::route_refresh_from_json(m).map(Message::RouteRefresh),
        other => Err(err(
            "type",
            format!("unknown message type `{other}` (open, update, notification, keepalive, route-refresh)"),
        )),
    }
}

#[cfg(test)]
mod tests;
