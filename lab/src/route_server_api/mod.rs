//! The route server's local HTTP JSON API (axum on hyper): sessions, RIBs and rejected routes
//! in pages, with their reasons, the registered-ASN list (changed live) and table figures. It
//! binds loopback by default; `peerlab route-server` refuses anything else without
//! `--api-allow-remote`. Served within [`crate::http::ApiLimits`]; every answer is JSON,
//! errors included.
//!
//! - `handlers`: one function per endpoint, each a call on the
//!   [`route_server::runtime::RouteServerHandle`].
//! - `params`: path and query parameters (ASNs, page size and cursor), read strictly.
//! - `error`: [`ApiError`], errors as JSON with their status.

mod error;
mod handlers;
pub mod params;

pub use error::ApiError;

use crate::http::ApiLimits;
use axum::routing::{get, put};
use axum::Router;
use route_server::runtime::RouteServerHandle;
use std::future::Future;

/// The API's routes over a running route server.
pub fn router(rs: RouteServerHandle) -> Router {
    Router::new()
        .route("/sessions", get(handlers::sessions))
        .route("/sessions/{name}", get(handlers::session))
        .route("/sessions/{name}/{listing}", get(handlers::session_routes))
        .route("/rejected", get(handlers::rejected_all))
        .route("/registered-asns", get(handlers::registered_asns))
        .route(
            "/registered-asns/{asn}",
            put(handlers::register_asn).delete(handlers::deregister_asn),
        )
        .route("/stats", get(handlers::stats))
        .fallback(handlers::no_route)
        .method_not_allowed_fallback(handlers::wrong_method)
        .with_state(rs)
}

/// Serves the API on `listener` within `limits` until `stop` completes.
pub async fn serve(
    listener: tokio::net::TcpListener,
    rs: RouteServerHandle,
    limits: ApiLimits,
    stop: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    crate::http::serve(listener, router(rs), limits, stop).await
}
