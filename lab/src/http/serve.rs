//! Serving an API router on a listener with hyper's HTTP/1 server (hyper-util's tokio glue):
//! hyper reads each request's header within [`ApiLimits::header_timeout`] (its
//! `header_read_timeout`, which also closes idle keep-alive connections), tower's timeout
//! bounds each request, and a semaphore caps the connections: a permit is taken *before*
//! `accept()`, so at the cap the API stops accepting and holds no more descriptors. A failed
//! accept (e.g. `EMFILE`) is logged at most once per window with a count.

use super::errors::{error_response, json_errors, size_limits};
use super::limits::{ApiLimits, HYPER_MAX_HEADER_BYTES, MAX_BODY_BYTES, SHUTDOWN_GRACE};
use axum::error_handling::HandleErrorLayer;
use axum::extract::DefaultBodyLimit;
use axum::http::StatusCode;
use axum::middleware::from_fn;
use axum::Router;
use bgp_core::speaker::accept_errors::{AcceptErrors, ACCEPT_ERROR_LOG_WINDOW, ACCEPT_ERROR_PAUSE};
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use std::future::Future;
use std::io;
use std::sync::Arc;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tower::{BoxError, ServiceBuilder};

/// `router` with the request limits and JSON errors every API answer goes through.
fn guarded(router: Router, limits: &ApiLimits) -> Router {
    let secs = limits.request_timeout.as_secs_f64();
    let on_timeout = move |e: BoxError| async move {
        if e.is::<tower::timeout::error::Elapsed>() {
            error_response(
                StatusCode::SERVICE_UNAVAILABLE,
                &format!("the request took longer than {secs} s; try again"),
            )
        } else {
            error_response(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string())
        }
    };
    router
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(
            ServiceBuilder::new()
                .layer(HandleErrorLayer::new(on_timeout))
                .timeout(limits.request_timeout),
        )
        .layer(from_fn(size_limits))
        .layer(from_fn(json_errors))
}

/// Failures of `accept()` that concern one connection only (it went away before it was
/// accepted): skipped without a pause or a log line.
fn connection_error(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::ConnectionAborted | io::ErrorKind::ConnectionReset | io::ErrorKind::ConnectionRefused
    )
}

/// Serves `router` on `listener` within `limits` until `stop` completes; then stops
/// accepting and gives open connections [`SHUTDOWN_GRACE`] to finish.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: ApiLimits,
    stop: impl Future<Output = ()> + Send + 'static,
) -> io::Result<()> {
    let app = guarded(router, &limits);
    let what = format!("HTTP API {}", listener.local_addr()?);
    let mut errors = AcceptErrors::new(what, ACCEPT_ERROR_LOG_WINDOW);
    let permits = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let mut http = http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout)
        .max_header_size(HYPER_MAX_HEADER_BYTES);
    let graceful = GracefulShutdown::new();
    tokio::pin!(stop);
    loop {
        let permit = tokio::select! {
            p = permits.clone().acquire_owned() => match p {
                Ok(p) => p,
                Err(_) => break,
            },
            () = &mut stop => break,
        };
        let accepted = tokio::select! {
            r = listener.accept() => r,
            () = &mut stop => break,
        };
        let stream = match accepted {
            Ok((stream, _)) => stream,
            Err(e) if connection_error(&e) => continue,
            Err(e) => {
                errors.note(&e);
                tokio::time::sleep(ACCEPT_ERROR_PAUSE).await;
                continue;
            }
        };
        let conn = http.serve_connection(TokioIo::new(stream), TowerToHyperService::new(app.clone()));
        let conn = graceful.watch(conn);
        tokio::spawn(async move {
            // Errors here are the client's (a header timeout, a reset): nothing to report.
            let _ = conn.await;
            drop(permit);
        });
    }
    drop(listener);
    let _ = tokio::time::timeout(SHUTDOWN_GRACE, graceful.shutdown()).await;
    Ok(())
}
