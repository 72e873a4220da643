//! One function per route: check the path's names and the body, ask the running lab, answer
//! with the Azure-shaped resource or an Azure-style error.

use super::{check, names};
use crate::http::errors::{bounded, MAX_QUOTING_TEXT_CHARS};
use crate::http::excerpt;
use crate::lab::control::{Answer, Control, LabError, Op};
use crate::peering::model::{BgpSession, DirectConnection};
use axum::extract::{Path, State};
use axum::http::{Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::de::DeserializeOwned;
use serde_json::Value;

/// The answer as an HTTP response: its status and JSON body, or the error's.
pub(super) fn respond(r: Result<Answer, LabError>) -> Response {
    match r {
        Ok(a) => (StatusCode::from_u16(a.status).unwrap_or(StatusCode::OK), Json(a.body)).into_response(),
        Err(e) => (
            StatusCode::from_u16(e.status).unwrap_or(StatusCode::BAD_REQUEST),
            Json(e.body()),
        )
            .into_response(),
    }
}

/// `body` as a `what`, or 400 saying where it is not.
pub(super) fn parse<T: DeserializeOwned>(body: &str, what: &str) -> Result<T, LabError> {
    serde_json::from_str(body).map_err(|e| {
        LabError::new(
            400,
            "InvalidRequestContent",
            format!(
                "the body is not a valid {what}: {} (line {}, column {})",
                bounded(&e.to_string(), MAX_QUOTING_TEXT_CHARS),
                e.line(),
                e.column()
            ),
            None,
        )
    })
}

/// The peering named in the path, checked.
fn peering(name: String) -> Result<Option<String>, LabError> {
    names::check(&name, "peeringName")?;
    Ok(Some(name))
}

/// Asks the lab `op` on the peering `name` once the path's names are valid.
async fn ask(c: &Control, name: String, op: Result<Op, LabError>) -> Response {
    match peering(name).and_then(|p| op.map(|op| (p, op))) {
        Ok((p, op)) => respond(c.ask(p, op).await),
        Err(e) => respond(Err(e)),
    }
}

/// `GET /peerings`.
pub async fn list(State(c): State<Control>) -> Response {
    respond(c.ask(None, Op::List).await)
}

/// `GET /peerings/{name}`.
pub async fn get(State(c): State<Control>, Path(name): Path<String>) -> Response {
    ask(&c, name, Ok(Op::Get)).await
}

/// `DELETE /peerings/{name}`: deprovision.
pub async fn deprovision(State(c): State<Control>, Path(name): Path<String>) -> Response {
    ask(&c, name, Ok(Op::Deprovision)).await
}

/// `PUT /peerings/{name}/connections/{id}`, body a `DirectConnection`, checked with
/// `peerlab validate`'s rules for a connection.
pub async fn add_connection(
    State(c): State<Control>,
    Path((name, id)): Path<(String, String)>,
    body: String,
) -> Response {
    let op = names::check(&id, "connectionIdentifier")
        .and_then(|()| parse::<DirectConnection>(&body, "DirectConnection"))
        .and_then(|mut connection| {
            check::drop_empty_key(connection.bgp_session.as_mut());
            check::connection(&connection)?;
            Ok(Op::AddConnection {
                id,
                connection: Box::new(connection),
            })
        });
    ask(&c, name, op).await
}

/// `DELETE /peerings/{name}/connections/{id}`.
pub async fn remove_connection(State(c): State<Control>, Path((name, id)): Path<(String, String)>) -> Response {
    let op = names::check(&id, "connectionIdentifier").map(|()| Op::RemoveConnection { id });
    ask(&c, name, op).await
}

/// `PUT`/`PATCH /peerings/{name}/connections/{id}/bgpSession`, body a `BgpSession` with the
/// addresses of the session to add, or naming an existing session's Microsoft address with
/// the settings to change (limits and key checked with `peerlab validate`'s rules).
pub async fn add_session(State(c): State<Control>, Path((name, id)): Path<(String, String)>, body: String) -> Response {
    let op = names::check(&id, "connectionIdentifier")
        .and_then(|()| parse::<BgpSession>(&body, "BgpSession"))
        .and_then(|session| {
            check::session(&session)?;
            Ok(Op::AddSession {
                id,
                session: Box::new(session),
            })
        });
    ask(&c, name, op).await
}

/// `GET /peerings/{name}/registeredAsns`.
pub async fn registered_asns(State(c): State<Control>, Path(name): Path<String>) -> Response {
    ask(&c, name, Ok(Op::RegisteredAsns)).await
}

/// `PUT /peerings/{name}/registeredAsns/{asn_name}`, body `{"properties": {"asn": N}}`.
pub async fn register(
    State(c): State<Control>,
    Path((name, asn_name)): Path<(String, String)>,
    body: String,
) -> Response {
    let op = names::check(&asn_name, "registeredAsnName")
        .and_then(|()| parse::<Value>(&body, "RegisteredAsn"))
        .and_then(|v| {
            v.pointer("/properties/asn")
                .and_then(Value::as_u64)
                .and_then(|a| u32::try_from(a).ok())
                .ok_or_else(|| {
                    LabError::new(
                        400,
                        "InvalidRequestContent",
                        "`properties.asn` is missing or not an ASN; send {\"properties\": {\"asn\": 64500}}",
                        Some("properties.asn"),
                    )
                })
        })
        .map(|asn| Op::Register { name: asn_name, asn });
    ask(&c, name, op).await
}

/// `DELETE /peerings/{name}/registeredAsns/{asn_name}`.
pub async fn deregister(State(c): State<Control>, Path((name, asn_name)): Path<(String, String)>) -> Response {
    let op = names::check(&asn_name, "registeredAsnName").map(|()| Op::Deregister { name: asn_name });
    ask(&c, name, op).await
}

/// `GET /peerings/{name}/receivedRoutes`.
pub async fn received_routes(State(c): State<Control>, Path(name): Path<String>) -> Response {
    ask(&c, name, Ok(Op::ReceivedRoutes)).await
}

/// `GET /lab/status`.
pub async fn status(State(c): State<Control>) -> Response {
    respond(c.ask(None, Op::Status).await)
}

/// Any other path.
pub async fn no_route() -> Response {
    respond(Err(LabError::not_found(
        "no such route; see docs/lab.md for the API (e.g. GET /peerings)",
    )))
}

/// A path without this method: 405.
pub async fn wrong_method(method: Method, uri: Uri) -> Response {
    respond(Err(LabError::new(
        405,
        "MethodNotAllowed",
        format!(
            "`{}` does not take {}; see docs/lab.md for each route's methods",
            excerpt(uri.path()),
            excerpt(method.as_str())
        ),
        None,
    )))
}
