//! What the two local HTTP JSON APIs (the route server's and the lab's) share: how they are
//! served, within which limits, and how every error answer becomes JSON.
//!
//! # Layout
//! - [`limits`]: [`ApiLimits`] (connections, header and request timeouts) and the fixed
//!   request size limits.
//! - [`serve`]: [`serve()`] — hyper's HTTP/1 server with a header read timeout, at most
//!   [`ApiLimits::max_connections`] connections at once (beyond it nothing is accepted, so the
//!   API never takes the file descriptors the BGP listeners need) and rate-limited logging of
//!   failed accepts.
//! - [`errors`]: the layers that make every error answer JSON `{"error": {"code",
//!   "message"}}` (timeouts, oversized requests, rejected paths, queries and bodies), and
//!   [`excerpt`], the bounded, escaped echo of bad input.

pub mod errors;
pub mod limits;
pub mod serve;

pub use errors::{error_body, excerpt};
pub use limits::ApiLimits;
pub use serve::serve;
