//! peerlab's library: the Azure peering model, the lab that brings a peering up, the route
//! server's HTTP API and the route-server benchmark harness. The `peerlab` binary
//! (`src/main.rs`, `src/cli/`) is a thin command line over it: it parses arguments and
//! prints; nothing here imports it.
//!
//! # Layout
//! - [`peering`]: the peering file — the model of `Microsoft.Peering` resources, loading it
//!   (TOML or Azure resource JSON), validating it the way the portal and the peering policy
//!   would, rendering it back.
//! - [`lab`]: the lab runtime behind `peerlab run`: the simulated turn-up of a peering on
//!   loopback (route server, AS8075 edges, customers), its state records, the operations of
//!   its Azure-shaped API, the break-it scenarios and the report.
//! - [`announce`]: the routes a speaker announces, encoded for a negotiated session (used by
//!   the lab's speakers and by `peerlab speaker`).
//! - [`route_server_api`]: the local HTTP JSON API of `peerlab route-server`.
//! - [`daemons`]: external BGP daemons (BIRD 2, GoBGP, OpenBGPD, FRR, peerlab's route server
//!   as a process) started on loopback and stopped by their own pids, for the bench, the
//!   tests and the lab.
//! - [`http`]: what both HTTP APIs share: serving within limits (connections, header and
//!   request timeouts, sizes) and JSON error answers.
//! - [`harness`]: the route-server benchmark harness behind `peerlab bench` (testers,
//!   monitors, targets, verification, report). Not to be confused with the workspace's
//!   `benches/` crate, which holds the criterion micro-benchmarks of the libraries.

pub mod announce;
pub mod daemons;
pub mod harness;
pub mod http;
pub mod lab;
pub mod peering;
pub mod route_server_api;
