//! The running lab's local HTTP JSON API (axum, loopback only), shaped like Azure's
//! `Microsoft.Peering` resources: the peering with its connections and their BGP sessions,
//! its `registeredAsns` and `receivedRoutes`, the customers' `peeringServices` with their
//! registered prefixes, and the modify operations on them. Every
//! request is handed to the run's loop through [`super::control::Control`].
//!
//! Served within the default [`ApiLimits`] (see [`crate::http`]); every answer is JSON.
//!
//! - `handlers`: one function per route: check the names and the body, ask the lab, answer.
//! - `names`: what a peering, connection or registered-ASN name may be.
//! - `check`: the body checked with `peerlab validate`'s rules before anything is provisioned.
//! - `services`: the customers' `peeringServices` and the prefixes they register.

mod check;
mod handlers;
pub mod names;
mod services;

use super::control::Control;
use crate::http::ApiLimits;
use axum::routing::{get, put};
use axum::Router;
use std::future::Future;
use std::net::SocketAddr;

/// The API's routes.
pub fn router(control: Control) -> Router {
    Router::new()
        .route("/peerings", get(handlers::list))
        .route("/peerings/{name}", get(handlers::get).delete(handlers::deprovision))
        .route(
            "/peerings/{name}/connections/{id}",
            put(handlers::add_connection).delete(handlers::remove_connection),
        )
        .route(
            "/peerings/{name}/connections/{id}/bgpSession",
            put(handlers::add_session).patch(handlers::add_session),
        )
        .route("/peerings/{name}/registeredAsns", get(handlers::registered_asns))
        .route(
            "/peerings/{name}/registeredAsns/{asn_name}",
            put(handlers::register).delete(handlers::deregister),
        )
        .route("/peerings/{name}/receivedRoutes", get(handlers::received_routes))
        .route("/peeringServices", get(services::list))
        .route(
            "/peeringServices/{service}",
            get(services::get).put(services::put).delete(services::delete),
        )
        .route("/peeringServices/{service}/prefixes", get(services::prefixes))
        .route(
            "/peeringServices/{service}/prefixes/{prefix}",
            get(services::get_prefix)
                .put(services::put_prefix)
                .delete(services::delete_prefix),
        )
        .route("/lab/status", get(handlers::status))
        .fallback(handlers::no_route)
        .method_not_allowed_fallback(handlers::wrong_method)
        .with_state(control)
}

/// Binds `addr`, which must be a loopback address (port 0 picks a free port).
pub async fn bind(addr: SocketAddr) -> Result<tokio::net::TcpListener, String> {
    if !addr.ip().is_loopback() {
        return Err(format!(
            "--api {addr}: the lab's API binds loopback only; use 127.0.0.1:PORT or [::1]:PORT"
        ));
    }
    tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| format!("--api {addr}: cannot listen: {e}"))
}

/// Serves the API on `listener` until `stop` completes.
pub async fn serve(
    listener: tokio::net::TcpListener,
    control: Control,
    stop: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    crate::http::serve(listener, router(control), ApiLimits::default(), stop).await
}
