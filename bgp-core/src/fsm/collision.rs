//! Connection collision detection (RFC 4271 §6.8, RFC 6286 §2.3).
//!
//! When two connections to the same peer exist and an OPEN arrives on one of them, the
//! driver asks [`resolve`] which one to close and feeds [`super::Event::OpenCollisionDump`]
//! to that connection's FSM, which sends Cease 6/7 and goes Idle.

use super::state::State;
use std::net::Ipv4Addr;

/// One of the two colliding connections, as the driver knows it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ConnectionInfo {
    /// State of the connection's FSM.
    pub state: State,
    /// Whether we initiated the TCP connection (outgoing).
    pub initiated_locally: bool,
}

/// The connection to close.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Loser {
    /// The connection that already existed.
    Existing,
    /// The connection on which the OPEN just arrived.
    New,
}

/// Whether the connection initiated by the local speaker is the one to keep: the speaker
/// with the higher BGP identifier (compared as host-order `u32`) wins; with equal
/// identifiers (possible between ASes, RFC 6286 §2.3) the one with the larger AS wins.
pub fn local_initiator_wins(local_id: Ipv4Addr, local_as: u32, remote_id: Ipv4Addr, remote_as: u32) -> bool {
    let (l, r) = (u32::from(local_id), u32::from(remote_id));
    l > r || (l == r && local_as > remote_as)
}

/// Which connection to close, or `None` when there is no collision to resolve (the existing
/// connection is in Idle, Connect or Active: RFC 4271 §6.8 "cannot be detected").
///
/// An Established existing connection survives unless `collision_detect_established` (the
/// CollisionDetectEstablishedState attribute) is set. Otherwise the connection initiated by
/// the winner of [`local_initiator_wins`] survives; if both connections were initiated by the
/// same side (not a real collision), the new one is closed.
pub fn resolve(
    local_id: Ipv4Addr,
    local_as: u32,
    remote_id: Ipv4Addr,
    remote_as: u32,
    existing: ConnectionInfo,
    new: ConnectionInfo,
    collision_detect_established: bool,
) -> Option<Loser> {
    match existing.state {
        State::Idle | State::Connect | State::Active => return None,
        State::Established if !collision_detect_established => return Some(Loser::New),
        _ => {}
    }
    if existing.initiated_locally == new.initiated_locally {
        return Some(Loser::New);
    }
    let keep_local = local_initiator_wins(local_id, local_as, remote_id, remote_as);
    if existing.initiated_locally == keep_local {
        Some(Loser::New)
    } else {
        Some(Loser::Existing)
    }
}
