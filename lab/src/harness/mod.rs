//! `peerlab bench`: route-server throughput with testers (peers that announce) and
//! monitors (peers that only receive and check every route), against peerlab's own route
//! server, BIRD 2, GoBGP or a route server already running on loopback.
//!
//! # Layout
//! - [`load`]: the clients, prefixes and attributes of a run, from a seed.
//! - [`mrt`]: the prefixes and paths of an MRT RIB dump, to replay instead.
//! - [`plan`]: a `peerlab bench` invocation checked (refusals before anything starts), its
//!   loads, and its runs target after target.
//! - [`verify`]: a monitor's table and the report of missing or wrong routes.
//! - [`run`]: one run (sessions up, UPDATEs out, convergence) and its figures, from
//!   [`sessions`] (the bench's BGP sessions and monitors) and [`feed`] (the testers'
//!   UPDATEs out, and when they were done).
//! - [`targets`]: peerlab's route server (in this process or a separate one), and BIRD and
//!   GoBGP with a route-server configuration for the load, started by [`crate::daemons`].
//! - [`measure`]: the target's CPU and memory, and the testers' unacknowledged octets, from
//!   /proc.
//! - [`progress`]: the progress bar on stderr.
//! - [`report`]: min/median/max over runs, the table, ratios.
//! - [`plot`]: the SVG of routes received over time.

pub mod feed;
pub mod load;
pub mod measure;
pub mod mrt;
pub mod plan;
pub mod plot;
pub mod progress;
pub mod report;
pub mod run;
pub mod sessions;
pub mod targets;
pub mod verify;
