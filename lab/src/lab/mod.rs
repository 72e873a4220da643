//! `peerlab run`: the exchange of a peering file brought up on loopback, in one process.
//!
//! # Layout
//! - [`lifecycle`]: the Azure connection and session states the lab walks through.
//! - [`topology`]: who runs: the route server's configuration, the AS8075 edge and customer
//!   speakers, and the loopback socket behind every session address of the file.
//! - [`speakers`]: starting the lab's own BGP speakers and collecting what they hear.
//! - [`report`]: the Connections view, the routes at AS8075 and the filtered routes.
//! - [`runner`]: the run itself: lifecycle, progress, convergence, shutdown.
//! - [`summary`]: the report assembled at the end of a run.
//! - [`edges`]: planning one connection's edge sessions (at start or added while running).
//! - [`control`]: the requests the API hands the running lab, and its answers.
//! - [`ops`]: the modify operations: add/remove a connection, add a session, register and
//!   deregister an ASN, deprovision.
//! - [`session_update`]: changing a session (max-prefix limit, TCP-MD5 key): `PendingUpdate`.
//! - [`views`]: the Azure-shaped JSON of the peering, its registered ASNs and received routes.
//! - [`api`]: the local HTTP JSON API over the running lab (axum).
//! - [`live`]: the live Connections view on a terminal.
//! - [`tuning`]: per-speaker settings: TCP-MD5 keys, max-prefix limits, scenario overrides.
//! - [`scenario`]: the break-it scenarios: what they break, what they expect, the verdict.
//! - [`relay`]: a loopback TCP relay that can go silent (a switch port), for hold-timer expiry.

pub mod api;
pub mod control;
pub mod edges;
pub mod guid;
pub mod lifecycle;
pub mod live;
pub mod ops;
pub mod relay;
pub mod report;
pub mod runner;
pub mod scenario;
pub mod session_update;
pub mod speakers;
pub mod summary;
pub mod topology;
pub mod tuning;
pub mod views;
