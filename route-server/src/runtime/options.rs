//! How the runtime runs: timers of the sessions, queue sizes and transport overrides.

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

/// Where one session's TCP connection comes from, when it is not simply "the session address
/// on the listen address of its family".
///
/// On IPv6 loopback every client has the address `::1`, but the engine names sessions by
/// their address (and checks NEXT_HOP against it). A lab then gives each such client a label
/// as its session address in the configuration (e.g. the documentation address it uses as
/// next hop) and a `Transport` saying which listen address (a port of its own) it connects to
/// and from which real address.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Transport {
    /// The session address as configured (the engine's name for the session).
    pub session_address: IpAddr,
    /// The address to listen on for this session (a listener is shared by every session
    /// naming the same address).
    pub listen: SocketAddr,
    /// The address the client really connects from.
    pub peer: IpAddr,
}

/// Runtime settings beyond the route server configuration.
#[derive(Clone, Debug)]
pub struct RuntimeOptions {
    /// Hold time offered to clients (default 90 s).
    pub hold_time: u16,
    /// After a session fell to Idle (connection lost, error), listen again after this long
    /// (default 1 s, in whole seconds): the first IdleHoldTime of the session's damping, which
    /// doubles while the client keeps flapping ([`super::client_session`]). Max-prefix
    /// shutdowns follow the client's `restart_after_secs` instead.
    pub reconnect_after: Duration,
    /// Events buffered between all sessions and the table task (default 4096).
    pub event_queue: usize,
    /// UPDATE batches buffered per session between the table task and the session
    /// (default 8); when full, the session's output waits in the engine.
    pub output_queue: usize,
    /// About how many octets of UPDATEs one batch carries (default 64 KiB).
    pub batch_bytes: usize,
    /// How often pending output of sessions whose queue was full is retried (default 50 ms).
    pub retry_interval: Duration,
    /// Transport overrides, by session address.
    pub transports: Vec<Transport>,
    /// How often `import.rpki.roa_file` is checked for a change (default 5 s; `None`: only
    /// [`super::RouteServerHandle::reload_roas`] reads it again).
    pub roa_poll: Option<Duration>,
}

impl Default for RuntimeOptions {
    fn default() -> Self {
        RuntimeOptions {
            hold_time: 90,
            reconnect_after: Duration::from_secs(1),
            event_queue: 4096,
            output_queue: 8,
            batch_bytes: 64 * 1024,
            retry_interval: Duration::from_millis(50),
            transports: Vec::new(),
            roa_poll: Some(Duration::from_secs(5)),
        }
    }
}

impl RuntimeOptions {
    /// The transport override of `session_address`, if any.
    pub fn transport(&self, session_address: IpAddr) -> Option<&Transport> {
        self.transports.iter().find(|t| t.session_address == session_address)
    }
}
