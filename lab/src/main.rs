//! peerlab command line.
fn main() {}
