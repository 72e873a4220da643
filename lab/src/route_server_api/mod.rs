//! The route server's local HTTP JSON API (axum): sessions, RIBs, rejected routes with their
//! reasons, the registered-ASN list (changed live) and table figures. It binds loopback by
//! default; `peerlab route-server` refuses anything else without `--api-allow-remote`.
//!
//! - `handlers`: one function per endpoint, each a call on the
//!   [`route_server::runtime::RouteServerHandle`].
//! - `error`: [`ApiError`], errors as JSON with their status.

mod error;
mod handlers;

pub use error::ApiError;

use axum::routing::{get, put};
use axum::Router;
use route_server::runtime::RouteServerHandle;
use std::future::Future;

/// The API's routes over a running route server.
pub fn router(rs: RouteServerHandle) -> Router {
    Router::new()
        .route("/sessions", get(handlers::sessions))
        .route("/sessions/{name}", get(handlers::session))
        .route("/sessions/{name}/rib-in", get(handlers::rib_in))
        .route("/sessions/{name}/adj-rib-out", get(handlers::adj_rib_out))
        .route("/sessions/{name}/rejected", get(handlers::rejected))
        .route("/rejected", get(handlers::rejected_all))
        .route("/registered-asns", get(handlers::registered_asns))
        .route(
            "/registered-asns/{asn}",
            put(handlers::register_asn).delete(handlers::deregister_asn),
        )
        .route("/stats", get(handlers::stats))
        .with_state(rs)
}

/// Serves the API on `listener` until `stop` completes.
pub async fn serve(
    listener: tokio::net::TcpListener,
    rs: RouteServerHandle,
    stop: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, router(rs)).with_graceful_shutdown(stop).await
}
