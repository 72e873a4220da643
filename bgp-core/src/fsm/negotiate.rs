//! Capability negotiation: what both OPENs together allow, and the two
//! [`SessionContext`]s (decoding what we receive, encoding what we send).

use super::config::SessionConfig;
use crate::capability::{AddPathMode, Capability};
use crate::context::SessionContext;
use crate::open::Open;
use crate::types::{Family, AFI_IPV6};
use std::net::Ipv4Addr;

/// The peer's Graceful Restart capability, when both sides announced one (RFC 4724).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PeerGracefulRestart {
    /// Restart flags (R bit 0x80, N bit 0x40).
    pub flags: u8,
    /// Restart Time in seconds.
    pub restart_time: u16,
    /// Families the peer preserves, with their flags (F bit 0x80).
    pub families: Vec<(Family, u8)>,
}

/// The result of a successful OPEN exchange.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Negotiated {
    /// Context for decoding what we receive.
    pub rx: SessionContext,
    /// Context for encoding what we send.
    pub tx: SessionContext,
    /// Families both sides support (RFC 4760; IPv4 unicast when neither sent multiprotocol
    /// capabilities), in our configured order.
    pub families: Vec<Family>,
    /// Negotiated hold time in seconds: the smaller of both offers; 0 means no HoldTimer and
    /// no KEEPALIVEs.
    pub hold_time: u16,
    /// KeepaliveTime in seconds: a third of the hold time (0 when the hold time is 0).
    pub keepalive_time: u16,
    /// The peer's AS (from the 4-octet capability when present).
    pub peer_asn: u32,
    /// The peer's BGP identifier.
    pub peer_id: Ipv4Addr,
    /// Internal (same AS) or external session.
    pub internal: bool,
    /// Both support 4-octet AS numbers.
    pub four_octet_as: bool,
    /// Both support Route Refresh.
    pub route_refresh: bool,
    /// Both support Enhanced Route Refresh.
    pub enhanced_route_refresh: bool,
    /// Both support Extended Message.
    pub extended_message: bool,
    /// ADD-PATH per family from our side: `Receive` means we receive path identifiers,
    /// `Send` that we send them, `Both` both (RFC 7911 §4). Families without are absent.
    pub add_path: Vec<(Family, AddPathMode)>,
    /// Extended next hop tuples both sides announced (RFC 8950).
    pub extended_next_hop: Vec<(Family, u16)>,
    /// The peer's Graceful Restart capability, when both announced one.
    pub graceful_restart: Option<PeerGracefulRestart>,
    /// Every capability the peer announced.
    pub peer_capabilities: Vec<Capability>,
}

/// Families a speaker supports given its capabilities: its multiprotocol families, or IPv4
/// unicast alone when it announced none (RFC 4760 §8).
pub fn families_of<'a>(caps: impl Iterator<Item = &'a Capability>) -> Vec<Family> {
    let mut out: Vec<Family> = Vec::new();
    for c in caps {
        if let Capability::Multiprotocol(f) = c {
            if !out.contains(f) {
                out.push(*f);
            }
        }
    }
    if out.is_empty() {
        out.push(Family::IPV4_UNICAST);
    }
    out
}

fn peer_add_path(peer: &Open, family: Family) -> Option<AddPathMode> {
    peer.capabilities()
        .filter_map(|c| match c {
            Capability::AddPath(v) => v.iter().rev().find(|(f, _)| *f == family).map(|(_, m)| *m),
            _ => None,
        })
        .last()
}

fn mode_of(receive: bool, send: bool) -> Option<AddPathMode> {
    match (receive, send) {
        (true, true) => Some(AddPathMode::Both),
        (true, false) => Some(AddPathMode::Receive),
        (false, true) => Some(AddPathMode::Send),
        (false, false) => None,
    }
}

/// Negotiates from our configuration and the peer's (already checked) OPEN.
pub fn negotiate(config: &SessionConfig, peer: &Open, peer_asn: u32) -> Negotiated {
    let has = |code: u8| peer.capabilities().any(|c| c.code() == code);
    let ours = families_of(
        config
            .families
            .iter()
            .map(|f| Capability::Multiprotocol(*f))
            .collect::<Vec<_>>()
            .iter(),
    );
    let theirs = families_of(peer.capabilities());
    let families: Vec<Family> = ours.into_iter().filter(|f| theirs.contains(f)).collect();

    let four_octet_as = config.four_octet_as && has(crate::capability::cap_code::FOUR_OCTET_AS);
    let extended_message = config.extended_message && has(crate::capability::cap_code::EXTENDED_MESSAGE);
    let route_refresh = config.route_refresh && has(crate::capability::cap_code::ROUTE_REFRESH);
    let enhanced_route_refresh =
        config.enhanced_route_refresh && has(crate::capability::cap_code::ENHANCED_ROUTE_REFRESH);

    let base = SessionContext {
        four_octet_as,
        add_path_ipv4: false,
        add_path_ipv6: false,
        extended_message,
        extended_next_hop: false,
    };
    let (mut rx, mut tx) = (base, base);

    let mut add_path = Vec::new();
    for family in &families {
        let Some(our_mode) = config.add_path.iter().rev().find(|(f, _)| f == family).map(|(_, m)| *m) else {
            continue;
        };
        let Some(their_mode) = peer_add_path(peer, *family) else {
            continue;
        };
        // RFC 7911 §4: we receive path identifiers when we said receive and they said send,
        // and send them when we said send and they said receive.
        let receive = our_mode.can_receive() && their_mode.can_send();
        let send = our_mode.can_send() && their_mode.can_receive();
        rx.set_add_path(*family, receive);
        tx.set_add_path(*family, send);
        if let Some(m) = mode_of(receive, send) {
            add_path.push((*family, m));
        }
    }

    let peer_enh: Vec<(Family, u16)> = peer
        .capabilities()
        .flat_map(|c| match c {
            Capability::ExtendedNextHop(v) => v.clone(),
            _ => Vec::new(),
        })
        .collect();
    let extended_next_hop: Vec<(Family, u16)> = config
        .extended_next_hop
        .iter()
        .filter(|t| peer_enh.contains(t) && families.contains(&t.0))
        .copied()
        .collect();
    // The codec knows one case: IPv4 unicast NLRI with an IPv6 next hop.
    let enh_v4 = extended_next_hop.contains(&(Family::IPV4_UNICAST, AFI_IPV6));
    rx.extended_next_hop = enh_v4;
    tx.extended_next_hop = enh_v4;

    let graceful_restart = if config.graceful_restart.is_some() {
        peer.capabilities().find_map(|c| match c {
            Capability::GracefulRestart { flags, time, families } => Some(PeerGracefulRestart {
                flags: *flags,
                restart_time: *time,
                families: families.iter().map(|g| (g.family, g.flags)).collect(),
            }),
            _ => None,
        })
    } else {
        None
    };

    let hold_time = config.hold_time.min(peer.hold_time);
    Negotiated {
        rx,
        tx,
        families,
        hold_time,
        keepalive_time: if hold_time == 0 { 0 } else { (hold_time / 3).max(1) },
        peer_asn,
        peer_id: peer.bgp_id,
        internal: peer_asn == config.local_as,
        four_octet_as,
        route_refresh,
        enhanced_route_refresh,
        extended_message,
        add_path,
        extended_next_hop,
        graceful_restart,
        peer_capabilities: peer.capabilities().cloned().collect(),
    }
}
