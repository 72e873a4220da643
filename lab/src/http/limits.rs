//! The limits of a local HTTP API. Connections, header and request timeouts are settings
//! (`peerlab route-server --api-max-connections`, `--api-header-timeout-secs`,
//! `--api-request-timeout-secs`); sizes are fixed: the APIs take short requests.

use std::time::Duration;

/// Longest request target (path and query) answered; longer is 414 (JSON).
pub const MAX_URI_BYTES: usize = 8 * 1024;
/// Largest request line plus headers answered; larger is 431 (JSON).
pub const MAX_HEADER_BYTES: usize = 16 * 1024;
/// Larger header blocks are refused by hyper itself while reading them (431 with no body:
/// the request never reaches the API). Above [`MAX_HEADER_BYTES`] so that the JSON answer is
/// the usual one.
pub const HYPER_MAX_HEADER_BYTES: usize = 64 * 1024;
/// Largest request body read (413, JSON).
pub const MAX_BODY_BYTES: usize = 64 * 1024;
/// How long, at shutdown, connections get to finish their request.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(2);

/// Default of [`ApiLimits::max_connections`].
pub const DEFAULT_MAX_CONNECTIONS: u16 = 64;
/// Default of [`ApiLimits::header_timeout`], in seconds.
pub const DEFAULT_HEADER_TIMEOUT_SECS: u64 = 10;
/// Default of [`ApiLimits::request_timeout`], in seconds.
pub const DEFAULT_REQUEST_TIMEOUT_SECS: u64 = 30;

/// Connections and time a local HTTP API grants its clients.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ApiLimits {
    /// Connections served at once. Beyond it the API accepts nothing more (the kernel queues
    /// further connections until one closes), so it never holds more file descriptors than
    /// this and the BGP listeners keep theirs.
    pub max_connections: usize,
    /// How long a client has to send a request's line and headers, counted from the
    /// connection or from the end of its previous answer: a connection that sends nothing,
    /// or an incomplete header, for this long is closed. It is also the idle timeout of a
    /// keep-alive connection.
    pub header_timeout: Duration,
    /// How long one request may take once its header is in, body and handler included
    /// (503 after).
    pub request_timeout: Duration,
}

impl Default for ApiLimits {
    fn default() -> Self {
        ApiLimits {
            max_connections: usize::from(DEFAULT_MAX_CONNECTIONS),
            header_timeout: Duration::from_secs(DEFAULT_HEADER_TIMEOUT_SECS),
            request_timeout: Duration::from_secs(DEFAULT_REQUEST_TIMEOUT_SECS),
        }
    }
}
