//! Fuzz target `peering_file`: see `tests/src/fuzz_peering_file.rs` for what it checks.
#![no_main]

#[allow(dead_code)]
#[path = "../../tests/src/fuzz_peering_file.rs"]
mod fuzz_peering_file;

libfuzzer_sys::fuzz_target!(|data: &[u8]| fuzz_peering_file::peering_file(data));
