//! One function per route: parse the path and body, ask the running lab, answer with the
//! Azure-shaped resource or an Azure-style error.

use crate::lab::control::{Answer, Control, LabError, Op};
use crate::peering::model::{BgpSession, DirectConnection};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::de::DeserializeOwned;
use serde_json::Value;

fn respond(r: Result<Answer, LabError>) -> Response {
    match r {
        Ok(a) => (StatusCode::from_u16(a.status).unwrap_or(StatusCode::OK), Json(a.body)).into_response(),
        Err(e) => (
            StatusCode::from_u16(e.status).unwrap_or(StatusCode::BAD_REQUEST),
            Json(e.body()),
        )
            .into_response(),
    }
}

fn parse<T: DeserializeOwned>(body: &str, what: &str) -> Result<T, LabError> {
    serde_json::from_str(body).map_err(|e| {
        LabError::new(
            400,
            "InvalidRequestContent",
            format!(
                "the body is not a valid {what}: {e} (line {}, column {})",
                e.line(),
                e.column()
            ),
            None,
        )
    })
}

/// `GET /peerings`.
pub async fn list(State(c): State<Control>) -> Response {
    respond(c.ask(None, Op::List).await)
}

/// `GET /peerings/{name}`.
pub async fn get(State(c): State<Control>, Path(name): Path<String>) -> Response {
    respond(c.ask(Some(name), Op::Get).await)
}

/// `DELETE /peerings/{name}`: deprovision.
pub async fn deprovision(State(c): State<Control>, Path(name): Path<String>) -> Response {
    respond(c.ask(Some(name), Op::Deprovision).await)
}

/// `PUT /peerings/{name}/connections/{id}`, body a `DirectConnection`.
pub async fn add_connection(
    State(c): State<Control>,
    Path((name, id)): Path<(String, String)>,
    body: String,
) -> Response {
    let connection: DirectConnection = match parse(&body, "DirectConnection") {
        Ok(v) => v,
        Err(e) => return respond(Err(e)),
    };
    let op = Op::AddConnection {
        id,
        connection: Box::new(connection),
    };
    respond(c.ask(Some(name), op).await)
}

/// `DELETE /peerings/{name}/connections/{id}`.
pub async fn remove_connection(State(c): State<Control>, Path((name, id)): Path<(String, String)>) -> Response {
    respond(c.ask(Some(name), Op::RemoveConnection { id }).await)
}

/// `PUT`/`PATCH /peerings/{name}/connections/{id}/bgpSession`, body a `BgpSession` with the
/// addresses of the session to add, or naming an existing session's Microsoft address with
/// the settings to change.
pub async fn add_session(State(c): State<Control>, Path((name, id)): Path<(String, String)>, body: String) -> Response {
    let session: BgpSession = match parse(&body, "BgpSession") {
        Ok(v) => v,
        Err(e) => return respond(Err(e)),
    };
    let op = Op::AddSession {
        id,
        session: Box::new(session),
    };
    respond(c.ask(Some(name), op).await)
}

/// `GET /peerings/{name}/registeredAsns`.
pub async fn registered_asns(State(c): State<Control>, Path(name): Path<String>) -> Response {
    respond(c.ask(Some(name), Op::RegisteredAsns).await)
}

/// `PUT /peerings/{name}/registeredAsns/{asn_name}`, body `{"properties": {"asn": N}}`.
pub async fn register(
    State(c): State<Control>,
    Path((name, asn_name)): Path<(String, String)>,
    body: String,
) -> Response {
    let v: Value = match parse(&body, "RegisteredAsn") {
        Ok(v) => v,
        Err(e) => return respond(Err(e)),
    };
    let Some(asn) = v
        .pointer("/properties/asn")
        .and_then(Value::as_u64)
        .and_then(|a| u32::try_from(a).ok())
    else {
        return respond(Err(LabError::new(
            400,
            "InvalidRequestContent",
            "`properties.asn` is missing or not an ASN; send {\"properties\": {\"asn\": 64500}}",
            Some("properties.asn"),
        )));
    };
    respond(c.ask(Some(name), Op::Register { name: asn_name, asn }).await)
}

/// `DELETE /peerings/{name}/registeredAsns/{asn_name}`.
pub async fn deregister(State(c): State<Control>, Path((name, asn_name)): Path<(String, String)>) -> Response {
    respond(c.ask(Some(name), Op::Deregister { name: asn_name }).await)
}

/// `GET /peerings/{name}/receivedRoutes`.
pub async fn received_routes(State(c): State<Control>, Path(name): Path<String>) -> Response {
    respond(c.ask(Some(name), Op::ReceivedRoutes).await)
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
