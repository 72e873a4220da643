//! Benchmark support for peerlab: the routes and packed UPDATE messages the criterion
//! benches in `benches/` measure.
//!
//! # Layout
//! - [`fixtures`]: one realistic attribute set per family, distinct IPv4 /24s and IPv6 /48s,
//!   and the 4,096-octet UPDATE messages packed from them by the [`bgp_core::UpdateBuilder`].
//! - [`loopback`]: peerlab sessions and raw peers over loopback TCP for the speaker benches.

pub mod fixtures;
pub mod loopback;
