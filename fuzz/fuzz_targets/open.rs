//! Fuzz target `open`: see `tests/src/fuzz_entry.rs` for what it checks.
#![no_main]

#[allow(dead_code)]
#[path = "../../tests/src/fuzz_entry.rs"]
mod fuzz_entry;

libfuzzer_sys::fuzz_target!(|data: &[u8]| fuzz_entry::open(data));
