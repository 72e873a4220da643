//! Fuzz target `route_server`: see `tests/src/fuzz_route_server.rs` for what it checks.
#![no_main]

#[allow(dead_code)]
#[path = "../../tests/src/rs_model.rs"]
mod rs_model;

#[allow(dead_code)]
#[path = "../../tests/src/fuzz_route_server.rs"]
mod fuzz_route_server;

libfuzzer_sys::fuzz_target!(|data: &[u8]| fuzz_route_server::route_server(data));
