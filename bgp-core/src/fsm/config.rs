//! Per-session configuration: the mandatory and optional session attributes of RFC 4271
//! §8 and what the OPEN offers.

use crate::capability::AddPathMode;
use crate::types::Family;
use serde::{Serialize, Serializer};
use std::fmt;
use std::net::Ipv4Addr;
use std::sync::Arc;

/// A session's name in transition records and logs (cheap to clone).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SessionId(Arc<str>);

impl SessionId {
    /// A session id from its name.
    pub fn new(name: &str) -> Self {
        SessionId(Arc::from(name))
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl From<&str> for SessionId {
    fn from(name: &str) -> Self {
        SessionId::new(name)
    }
}

impl Serialize for SessionId {
    /// As its name.
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl fmt::Display for SessionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Which AS the peer must have.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PeerAs {
    /// Exactly this AS (a mismatch is 2/2 Bad Peer AS).
    Exact(u32),
    /// Any AS (e.g. a route server's dynamic neighbors).
    Any,
}

/// A capability the peer must announce; without it the OPEN is refused with 2/7 Unsupported
/// Capability carrying the capability (RFC 5492 §3).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RequiredCapability {
    /// 4-octet AS numbers (RFC 6793).
    FourOctetAs,
    /// Multiprotocol support for this family (RFC 4760); IPv4 unicast is implied when the
    /// peer announces no multiprotocol capability at all.
    Family(Family),
    /// Route Refresh (RFC 2918).
    RouteRefresh,
    /// Enhanced Route Refresh (RFC 7313).
    EnhancedRouteRefresh,
    /// Extended Message (RFC 8654).
    ExtendedMessage,
    /// Graceful Restart (RFC 4724).
    GracefulRestart,
    /// ADD-PATH for this family (RFC 7911).
    AddPath(Family),
    /// Extended next hop for this NLRI family (RFC 8950).
    ExtendedNextHop(Family),
}

/// What our Graceful Restart capability announces (RFC 4724 §3).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GracefulRestartConfig {
    /// Restart Time in seconds (12 bits).
    pub restart_time: u16,
    /// The Restart State (R) bit: we are restarting.
    pub restarting: bool,
    /// Families, each with the Forwarding State (F) bit.
    pub families: Vec<(Family, bool)>,
}

/// Configuration of one session. Times are in seconds.
///
/// The RFC 4271 §8 session attributes map as follows: ConnectRetryTime =
/// `connect_retry_time`, HoldTime = `hold_time`, KeepaliveTime = a third of the negotiated
/// hold time, DelayOpen/DelayOpenTime = `delay_open`/`delay_open_time`,
/// DampPeerOscillations/IdleHoldTime = `damp_peer_oscillations`/`idle_hold_time`, and the
/// flags of the same names. The timers and ConnectRetryCounter live in [`super::Fsm`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionConfig {
    /// Name in transition records.
    pub session: SessionId,
    /// Our AS.
    pub local_as: u32,
    /// The peer's AS.
    pub peer_as: PeerAs,
    /// Our BGP identifier.
    pub router_id: Ipv4Addr,
    /// HoldTime we offer (0, or at least 3; default 90).
    pub hold_time: u16,
    /// The "large value" the HoldTimer gets while waiting for the peer's OPEN (default 240,
    /// the 4 minutes RFC 4271 §8.2.2 suggests).
    pub large_hold_time: u16,
    /// SendHoldTime (RFC 9687): how long the peer may accept no data in Established before
    /// the session is closed with NOTIFICATION 8. `None` (the default): RFC 9687 §6's
    /// default, the greater of 8 minutes and twice the negotiated hold time. `Some(0)`:
    /// no SendHoldTimer. `Some(s)`: `s` seconds, which must exceed `hold_time` (§4.4).
    /// Either way the timer does not run when the negotiated hold time is 0.
    pub send_hold_time: Option<u32>,
    /// ConnectRetryTime (default 120).
    pub connect_retry_time: u16,
    /// DelayOpen: wait for the peer's OPEN before sending ours.
    pub delay_open: bool,
    /// DelayOpenTime (default 5).
    pub delay_open_time: u16,
    /// PassiveTcpEstablishment: wait for the peer to connect.
    pub passive: bool,
    /// AllowAutomaticStart.
    pub allow_automatic_start: bool,
    /// AllowAutomaticStop.
    pub allow_automatic_stop: bool,
    /// DampPeerOscillations: automatic restarts after an IdleHoldTime that doubles at every
    /// oscillation and resets once a session stays Established as long as its next wait
    /// ([`super::damping`]).
    pub damp_peer_oscillations: bool,
    /// Initial IdleHoldTime (default 5).
    pub idle_hold_time: u16,
    /// Ceiling of the IdleHoldTime back-off (default 120).
    pub idle_hold_time_max: u16,
    /// SendNOTIFICATIONwithoutOPEN.
    pub send_notification_without_open: bool,
    /// TrackTcpState: the driver feeds events 14 and 15.
    pub track_tcp_state: bool,
    /// CollisionDetectEstablishedState.
    pub collision_detect_established_state: bool,
    /// Families offered as Multiprotocol capabilities (none: only IPv4 unicast, implicitly).
    pub families: Vec<Family>,
    /// ADD-PATH modes offered per family.
    pub add_path: Vec<(Family, AddPathMode)>,
    /// Offer Route Refresh.
    pub route_refresh: bool,
    /// Offer Enhanced Route Refresh.
    pub enhanced_route_refresh: bool,
    /// Offer Extended Message.
    pub extended_message: bool,
    /// Offer extended next hop: (NLRI family, next-hop AFI) tuples.
    pub extended_next_hop: Vec<(Family, u16)>,
    /// Offer Graceful Restart.
    pub graceful_restart: Option<GracefulRestartConfig>,
    /// Support 4-octet AS numbers (offer the capability and use it when the peer does).
    pub four_octet_as: bool,
    /// Capabilities the peer must offer.
    pub required: Vec<RequiredCapability>,
    /// Apply RFC 4271 §10 jitter to ConnectRetry and Keepalive timers.
    pub jitter: bool,
    /// Seed of the jitter PRNG (fixed seeds make runs reproducible).
    pub jitter_seed: u64,
}

impl SessionConfig {
    /// A session with the RFC 4271 §10 defaults: hold 90 s, connect retry 120 s, active,
    /// IPv4 and IPv6 unicast, route refresh, 4-octet AS, jitter on.
    pub fn new(session: impl Into<SessionId>, local_as: u32, peer_as: PeerAs, router_id: Ipv4Addr) -> Self {
        SessionConfig {
            session: session.into(),
            local_as,
            peer_as,
            router_id,
            hold_time: 90,
            large_hold_time: 240,
            send_hold_time: None,
            connect_retry_time: 120,
            delay_open: false,
            delay_open_time: 5,
            passive: false,
            allow_automatic_start: true,
            allow_automatic_stop: true,
            damp_peer_oscillations: false,
            idle_hold_time: 5,
            idle_hold_time_max: 120,
            send_notification_without_open: false,
            track_tcp_state: false,
            collision_detect_established_state: false,
            families: vec![Family::IPV4_UNICAST, Family::IPV6_UNICAST],
            add_path: Vec::new(),
            route_refresh: true,
            enhanced_route_refresh: false,
            extended_message: false,
            extended_next_hop: Vec::new(),
            graceful_restart: None,
            four_octet_as: true,
            required: Vec::new(),
            jitter: true,
            jitter_seed: 0x5EED,
        }
    }

    /// Checks values the protocol forbids: hold time 1 or 2 (RFC 4271 §4.2), AS 0, BGP
    /// identifier 0 (RFC 6286), a 4-octet local AS without 4-octet support, a send hold
    /// time not above the hold time (RFC 9687 §4.4).
    pub fn validate(&self) -> Result<(), String> {
        if self.hold_time == 1 || self.hold_time == 2 {
            return Err(format!("hold time {} s: must be 0 or at least 3", self.hold_time));
        }
        if self.local_as == 0 {
            return Err("local AS 0 is reserved".to_owned());
        }
        if self.router_id.is_unspecified() {
            return Err("router id 0.0.0.0 is not a valid BGP identifier".to_owned());
        }
        if self.local_as > u32::from(u16::MAX) && !self.four_octet_as {
            return Err(format!("local AS {} needs 4-octet AS support", self.local_as));
        }
        if self.connect_retry_time == 0 {
            return Err("connect retry time must be at least 1 s".to_owned());
        }
        if let Some(s) = self
            .send_hold_time
            .filter(|s| *s != 0 && *s <= u32::from(self.hold_time))
        {
            return Err(format!(
                "send hold time {s} s: must exceed the hold time of {} s (RFC 9687 §4.4), or be 0 to turn it off",
                self.hold_time
            ));
        }
        Ok(())
    }
}
