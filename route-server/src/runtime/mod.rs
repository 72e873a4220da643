//! The route server running for real: the sans-IO [`crate::RouteServer`] in one table task,
//! one `bgp_core` speaker session per configured client session, and a
//! [`RouteServerHandle`] with async methods for the HTTP API and tests.
//!
//! Socket work and table work run on separate tasks (and so on separate cores of a
//! multi-threaded runtime): each speaker session reads, frames and writes on its own task;
//! the table task only ingests, selects and packs. Events flow session → table through
//! bounded channels (a busy table slows the readers, never the other way round); UPDATEs flow
//! table → session through one small bounded queue per session that the table task fills
//! with `try_send`, so a stuck client keeps its output pending in the engine (its dirty
//! bits) and never delays the others.
//!
//! # Layout
//! - [`options`]: [`RuntimeOptions`] and [`Transport`] (listen address and peer address per
//!   session, for labs where clients share an address such as `::1`).
//! - `check`: [`check`], the one check of a configuration before it runs (the start and
//!   `--check` both run it), giving a [`CheckedConfig`].
//! - `spawn`: [`start`] / [`start_checked`]: listeners, sessions, event pumps, output
//!   forwarders, the table task, the ROA file watcher.
//! - `roas`: the ROA file read again on change or on request, applied live.
//! - [`client_session`]: how one client session runs (passive, damping of a flapping
//!   client's reconnects, following OpenBGPD).
//! - `table_task`: the table task: events into the engine, output out, max-prefix shutdowns.
//! - [`handle`]: [`RouteServerHandle`], the queries, registry changes and shutdown.
//! - `clients`: clients added and removed while running.
//! - [`view`]: the JSON shapes of sessions, routes and verdicts.

mod check;
pub mod client_session;
mod clients;
pub mod handle;
pub mod options;
mod roas;
mod spawn;
mod table_task;
pub mod view;

pub use check::{check, CheckedConfig};
pub use handle::{RouteQuery, RouteServerHandle, RuntimeError};
pub use options::{RuntimeOptions, Transport};
pub use spawn::{start, start_checked};
pub use view::{ReasonView, RoutePage, RouteView, SessionView, TransitionView, VerdictView};

/// The shutdown communication sent with Cease 6/2 to every session when the route server
/// stops (RFC 9003).
pub const SHUTDOWN_MESSAGE: &str = "route server shutting down";
