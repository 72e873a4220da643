//! `peerlab run`: the exchange of a peering file brought up on loopback, in one process.
//!
//! # Layout
//! - [`lifecycle`]: the Azure connection and session states the lab walks through.
//! - [`topology`]: who runs: the route server's configuration, the AS8075 edge and customer
//!   speakers, and the loopback socket behind every session address of the file.
//! - [`speakers`]: starting the lab's own BGP speakers and collecting what they hear.
//! - [`report`]: the Connections view, the routes at AS8075 and the filtered routes.
//! - [`runner`]: the run itself: lifecycle, progress, convergence, shutdown.

pub mod lifecycle;
pub mod report;
pub mod runner;
pub mod speakers;
pub mod topology;
