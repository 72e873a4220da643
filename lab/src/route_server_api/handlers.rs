//! One handler per endpoint; each answers JSON.

use super::error::ApiError;
use axum::extract::{Path, Query, State};
use axum::Json;
use ipnet::IpNet;
use route_server::runtime::{RouteServerHandle, RouteView, SessionView, VerdictView};
use serde::Deserialize;
use serde_json::{json, Value};

type Answer<T> = Result<Json<T>, ApiError>;

/// `GET /sessions`.
pub async fn sessions(State(rs): State<RouteServerHandle>) -> Answer<Vec<SessionView>> {
    Ok(Json(rs.sessions().await?))
}

/// `GET /sessions/{name}`.
pub async fn session(State(rs): State<RouteServerHandle>, Path(name): Path<String>) -> Answer<SessionView> {
    Ok(Json(rs.session(&name).await?))
}

/// `GET /sessions/{name}/rib-in`.
pub async fn rib_in(State(rs): State<RouteServerHandle>, Path(name): Path<String>) -> Answer<Vec<RouteView>> {
    Ok(Json(rs.rib_in(&name).await?))
}

/// `GET /sessions/{name}/adj-rib-out`.
pub async fn adj_rib_out(State(rs): State<RouteServerHandle>, Path(name): Path<String>) -> Answer<Vec<RouteView>> {
    Ok(Json(rs.adj_rib_out(&name).await?))
}

/// `GET /sessions/{name}/rejected`.
pub async fn rejected(State(rs): State<RouteServerHandle>, Path(name): Path<String>) -> Answer<Vec<RouteView>> {
    Ok(Json(rs.rejected(&name).await?))
}

/// The query of `GET /rejected`.
#[derive(Debug, Deserialize)]
pub struct PrefixQuery {
    /// Explain this prefix instead of listing every rejected route.
    pub prefix: Option<String>,
}

/// `GET /rejected` (every rejected route) and `GET /rejected?prefix=P` (every session's
/// verdict on P: `explain`).
pub async fn rejected_all(State(rs): State<RouteServerHandle>, Query(q): Query<PrefixQuery>) -> Answer<Value> {
    match q.prefix {
        Some(p) => {
            let prefix: IpNet = p
                .parse()
                .map_err(|_| ApiError::bad_request(format!("`prefix`: `{p}` is not a prefix such as 192.0.2.0/24")))?;
            let verdicts: Vec<VerdictView> = rs.explain(prefix).await?;
            Ok(Json(
                json!({ "prefix": prefix.trunc().to_string(), "verdicts": verdicts }),
            ))
        }
        None => Ok(Json(json!(rs.rejected_all().await?))),
    }
}

/// `GET /registered-asns`.
pub async fn registered_asns(State(rs): State<RouteServerHandle>) -> Answer<Vec<u32>> {
    Ok(Json(rs.registered_asns().await?))
}

fn parse_asn(s: &str) -> Result<u32, ApiError> {
    s.trim_start_matches("AS")
        .parse()
        .map_err(|_| ApiError::bad_request(format!("`{s}` is not an ASN such as 64500")))
}

/// `PUT /registered-asns/{asn}`: applied live, no session reset.
pub async fn register_asn(State(rs): State<RouteServerHandle>, Path(asn): Path<String>) -> Answer<Value> {
    let asn = parse_asn(&asn)?;
    let added = rs.register_asn(asn).await?;
    Ok(Json(json!({ "asn": asn, "registered": true, "changed": added })))
}

/// `DELETE /registered-asns/{asn}`: applied live, no session reset.
pub async fn deregister_asn(State(rs): State<RouteServerHandle>, Path(asn): Path<String>) -> Answer<Value> {
    let asn = parse_asn(&asn)?;
    let removed = rs.deregister_asn(asn).await?;
    Ok(Json(json!({ "asn": asn, "registered": false, "changed": removed })))
}

/// `GET /stats`.
pub async fn stats(State(rs): State<RouteServerHandle>) -> Answer<route_server::runtime::handle::StatsView> {
    Ok(Json(rs.stats().await?))
}
