//! The six states of the BGP FSM (RFC 4271 §8.2.2).

use serde::{Serialize, Serializer};
use std::fmt;

/// A state of the BGP finite state machine (RFC 4271 §8.2.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum State {
    /// Refuses connections; no resources are allocated to the peer.
    Idle,
    /// Waiting for the outgoing TCP connection to complete.
    Connect,
    /// Listening for, and accepting, an incoming TCP connection.
    Active,
    /// Our OPEN is sent; waiting for the peer's OPEN.
    OpenSent,
    /// OPENs exchanged; waiting for the peer's KEEPALIVE.
    OpenConfirm,
    /// UPDATE, NOTIFICATION and KEEPALIVE messages are exchanged.
    Established,
}

impl State {
    /// Every state, in the order of RFC 4271 §8.2.2.
    pub const ALL: [State; 6] = [
        State::Idle,
        State::Connect,
        State::Active,
        State::OpenSent,
        State::OpenConfirm,
        State::Established,
    ];

    /// The RFC name: `Idle`, `Connect`, `Active`, `OpenSent`, `OpenConfirm`, `Established`.
    pub const fn as_str(self) -> &'static str {
        match self {
            State::Idle => "Idle",
            State::Connect => "Connect",
            State::Active => "Active",
            State::OpenSent => "OpenSent",
            State::OpenConfirm => "OpenConfirm",
            State::Established => "Established",
        }
    }
}

impl fmt::Display for State {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for State {
    /// As its RFC name, e.g. `"OpenConfirm"`.
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}
