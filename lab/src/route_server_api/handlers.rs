//! One handler per endpoint; each answers JSON. Route listings come in pages
//! (`?limit=&after=`, see [`super::params`]).

use super::error::ApiError;
use super::params::{self, PageQuery, RejectedQuery};
use crate::http::excerpt;
use axum::extract::{Path, Query, State};
use axum::http::{Method, StatusCode, Uri};
use axum::Json;
use ipnet::IpNet;
use route_server::runtime::{RouteQuery, RouteServerHandle, SessionView, VerdictView};
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

async fn page(rs: &RouteServerHandle, query: RouteQuery, q: &PageQuery) -> Answer<Value> {
    let (after, limit) = q.read()?;
    Ok(Json(json!(rs.routes_page(query, after, limit).await?)))
}

/// `GET /sessions/{name}/rib-in`, `…/adj-rib-out` and `…/rejected`, each `?limit=&after=`.
pub async fn session_routes(
    State(rs): State<RouteServerHandle>,
    Path((name, listing)): Path<(String, String)>,
    Query(q): Query<PageQuery>,
    uri: Uri,
) -> Answer<Value> {
    let query = match listing.as_str() {
        "rib-in" => RouteQuery::RibIn(name),
        "adj-rib-out" => RouteQuery::AdjRibOut(name),
        "rejected" => RouteQuery::Rejected(name),
        _ => return Err(not_found(&uri)),
    };
    page(&rs, query, &q).await
}

/// `GET /rejected?limit=&after=` (every session's rejected routes, in pages) and
/// `GET /rejected?prefix=P` (every session's verdict on P: `explain`).
pub async fn rejected_all(State(rs): State<RouteServerHandle>, Query(q): Query<RejectedQuery>) -> Answer<Value> {
    let paging = PageQuery {
        limit: q.limit,
        after: q.after,
    };
    let Some(p) = q.prefix else {
        return page(&rs, RouteQuery::RejectedAll, &paging).await;
    };
    if paging.limit.is_some() || paging.after.is_some() {
        return Err(ApiError::bad_field(
            "prefix",
            "`prefix` asks for one prefix's verdicts, which come whole: leave out `limit` and `after`",
        ));
    }
    let prefix: IpNet = p.parse().map_err(|_| {
        ApiError::bad_field(
            "prefix",
            format!("`{}` is not a prefix such as 192.0.2.0/24", excerpt(&p)),
        )
    })?;
    let verdicts: Vec<VerdictView> = rs.explain(prefix).await?;
    Ok(Json(
        json!({ "prefix": prefix.trunc().to_string(), "verdicts": verdicts }),
    ))
}

/// `GET /registered-asns`.
pub async fn registered_asns(State(rs): State<RouteServerHandle>) -> Answer<Vec<u32>> {
    Ok(Json(rs.registered_asns().await?))
}

/// `PUT /registered-asns/{asn}`: applied live, no session reset.
pub async fn register_asn(State(rs): State<RouteServerHandle>, Path(asn): Path<String>) -> Answer<Value> {
    let asn = params::asn(&asn)?;
    let added = rs.register_asn(asn).await?;
    Ok(Json(json!({ "asn": asn, "registered": true, "changed": added })))
}

/// `DELETE /registered-asns/{asn}`: applied live, no session reset.
pub async fn deregister_asn(State(rs): State<RouteServerHandle>, Path(asn): Path<String>) -> Answer<Value> {
    let asn = params::asn(&asn)?;
    let removed = rs.deregister_asn(asn).await?;
    Ok(Json(json!({ "asn": asn, "registered": false, "changed": removed })))
}

/// `GET /stats`.
pub async fn stats(State(rs): State<RouteServerHandle>) -> Answer<route_server::runtime::handle::StatsView> {
    Ok(Json(rs.stats().await?))
}

/// Any other path: 404.
pub async fn no_route(uri: Uri) -> ApiError {
    not_found(&uri)
}

fn not_found(uri: &Uri) -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        format!(
            "no such path `{}`; see docs/route-server.md (GET /sessions, /rejected, /registered-asns, /stats)",
            excerpt(uri.path())
        ),
    )
}

/// A path without this method: 405.
pub async fn wrong_method(method: Method, uri: Uri) -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        format!(
            "`{}` does not take {}; see docs/route-server.md for each path's methods",
            excerpt(uri.path()),
            excerpt(method.as_str())
        ),
    )
}
