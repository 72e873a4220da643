//! Shared helpers for peerlab end-to-end and conformance tests.
//!
//! # Layout
//! - [`vectors`]: reads the ExaBGP `.ci`/`.conf` and `decoding/*` vectors in place.
//! - [`facts`]: reduces our decode and ExaBGP's JSON to the same comparable facts.
//! - [`wire`]: builds (possibly malformed) messages byte by byte for table tests.
//! - [`strategies`]: proptest strategies for valid, canonical owned messages.
//! - [`fuzz_entry`]: the codec fuzz entry points, also replayed over the regression inputs.
//! - [`fuzz_route_server`], [`fuzz_peering_file`]: the route-server engine's and the peering
//!   loaders' fuzz entry points, replayed the same way.
//! - [`rs_model`]: the route-server engine against its reference model (the proptest in
//!   `route-server/tests/model.rs` and the `route_server` fuzz target share it).
//! - [`regressions`]: lists the fuzz regression inputs under `tests/regressions/`.
//! - [`daemons`]: real BIRD 2, GoBGP, OpenBGPD and FRR for interop tests: their configurations, started and
//!   stopped through `peerlab::daemons`, skipped or required by `PEERLAB_REQUIRE_INTEROP`.
//! - [`peer`]: peerlab's speaker side of an interop test, over loopback TCP.
//! - [`ports`]: ports for daemons and speakers, free on both loopbacks and outside the ephemeral range.
//! - [`sockets`]: checks with `ss` that nothing a test started listens outside loopback.

pub mod daemons;
pub mod facts;
pub mod fuzz_entry;
pub mod fuzz_peering_file;
pub mod fuzz_route_server;
pub mod peer;
pub mod ports;
pub mod regressions;
pub mod rs_model;
pub mod sockets;
pub mod strategies;
pub mod vectors;
pub mod wire;
