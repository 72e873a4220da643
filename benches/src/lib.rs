//! Benchmark support (the benches live in `benches/`).
