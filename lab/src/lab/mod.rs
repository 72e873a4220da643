//! `peerlab run`: the exchange of a peering file brought up on loopback, in one process.
//!
//! # Layout
//! The lab's state is in one place, [`state`]; everything else either feeds it, acts on it
//! or shows it, and no file here imports one that imports it back
//! (`scripts/module-cycles.py` checks).
//!
//! Plan (who runs, and where):
//! - [`topology`]: the route server's configuration, the AS8075 edge and customer speakers,
//!   and the loopback socket behind every session address of the file.
//! - [`edges`]: planning one connection's edge sessions (at start or added while running).
//! - [`tuning`]: per-speaker settings: TCP-MD5 keys, max-prefix limits, scenario overrides.
//!
//! State:
//! - [`state`]: [`state::Lab`] — the topology, a [`state::SpeakerRecord`] per speaker and a
//!   [`state::ConnectionRecord`] per connection, the registered ASNs, the run's flags — with
//!   the one `impl` that reads and changes them.
//! - [`lifecycle`]: the Azure connection and session states derived from a connection's facts.
//!
//! Run (acting on the state):
//! - [`runner`]: the run itself: start, the event loop and its tick, report, shutdown.
//! - [`events`]: a speaker's event recorded, traced and followed up (announce, stop for good).
//! - [`provisioning`]: connections approved, provisioned, validated, then Active.
//! - [`max_prefix`]: the AS8075 edges' max-prefix enforcement (Cease 6/1).
//! - [`speakers`]: starting the lab's own BGP speakers and what an edge holds.
//! - [`relay`]: a loopback TCP relay that can go silent (a switch port), for hold-timer expiry.
//! - [`scenario`]: the break-it scenarios: what they break, what they expect, the verdict.
//! - [`service_prefixes`]: the customers' Peering Service prefixes, judged again whenever
//!   what AS8075 holds changes (the bookkeeping in [`service_book`]).
//!
//! Operations (the API's requests, answered on the run's loop):
//! - [`control`]: the requests the API hands the running lab, and its answers.
//! - [`context`]: what the operations act on besides the state (route server, speakers,
//!   channels) and the background work they report back.
//! - [`ops`]: add/remove a connection, add a session, register and deregister an ASN,
//!   deprovision.
//! - [`session_update`]: changing a session (max-prefix limit, TCP-MD5 key): `PendingUpdate`.
//! - [`api`]: the local HTTP JSON API over the running lab (axum).
//!
//! Show (reading the state):
//! - [`views`]: the Azure-shaped JSON of the peering, its registered ASNs, received routes
//!   and the lab's status; the Connections view's rows.
//! - [`rows`]: the rows of every table shown (connections, sessions, routes, lifecycle).
//! - [`summary`]: the report assembled at the end of a run.
//! - [`report`]: the report, for people and as JSON.
//! - [`live`]: the live Connections view on a terminal.
//!
//! And [`guid`]: the GUIDs of new registrations and connections; [`clock`]: RFC 3339
//! timestamps.

pub mod api;
pub mod clock;
pub mod context;
pub mod control;
pub mod edges;
pub mod events;
pub mod guid;
pub mod lifecycle;
pub mod live;
pub mod max_prefix;
pub mod ops;
pub mod provisioning;
pub mod relay;
pub mod report;
pub mod rows;
pub mod runner;
pub mod scenario;
pub mod service_book;
pub mod service_prefixes;
pub mod session_update;
pub mod speakers;
pub mod state;
pub mod summary;
pub mod topology;
pub mod tuning;
pub mod views;
