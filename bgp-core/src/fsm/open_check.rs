//! Checks of a received OPEN that need the session configuration (RFC 4271 §6.2, RFC 6793,
//! RFC 6286, RFC 7607, RFC 5492): peer AS, hold time, BGP identifier, required capabilities.
//! The configuration-free checks (version, optional parameter types) are
//! [`crate::open::Open::decode`]'s.

use super::config::{PeerAs, RequiredCapability, SessionConfig};
use super::negotiate::{families_of, negotiate, Negotiated};
use super::open_msg::our_capabilities;
use super::transition::Reason;
use crate::capability::{AddPathMode, Capability};
use crate::error::{code, Notification};
use crate::open::Open;
use crate::types::{AFI_IPV6, AS_TRANS};
use bytes::BufMut;

/// Why an OPEN was refused: the NOTIFICATION to send and the reason to record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OpenRejection {
    /// The NOTIFICATION (code 2, OPEN Message Error).
    pub notification: Notification,
    /// The transition reason: [`Reason::BadPeerAs`] or [`Reason::NotificationSent`].
    pub reason: Reason,
}

impl OpenRejection {
    fn plain(notification: Notification) -> Self {
        OpenRejection {
            reason: Reason::NotificationSent(notification.clone()),
            notification,
        }
    }

    fn bad_peer_as(received: u32, expected: Option<u32>) -> Self {
        OpenRejection {
            notification: Notification::new(code::OPEN, code::open::BAD_PEER_AS),
            reason: Reason::BadPeerAs { received, expected },
        }
    }
}

/// The peer's AS as its OPEN announces it: the 4-octet capability's when we support 4-octet
/// AS numbers and the peer sent one, else My AS. Fails with 2/2 when the OPEN contradicts
/// itself (My AS neither AS_TRANS nor the capability's AS) or announces AS 0 (RFC 7607).
pub fn peer_asn(config: &SessionConfig, peer: &Open) -> Result<u32, OpenRejection> {
    let my_as = u32::from(peer.my_as);
    let cap = if config.four_octet_as {
        peer.capabilities().find_map(|c| match c {
            Capability::FourOctetAs(a) => Some(*a),
            _ => None,
        })
    } else {
        None
    };
    let asn = match cap {
        Some(a) if my_as != AS_TRANS && my_as != a => return Err(OpenRejection::bad_peer_as(a, None)),
        Some(a) => a,
        None => my_as,
    };
    if asn == 0 {
        return Err(OpenRejection::bad_peer_as(0, None));
    }
    Ok(asn)
}

/// The capability TLV (code, length, value) we would have wanted, for 2/7 data.
fn wanted(config: &SessionConfig, req: RequiredCapability) -> Capability {
    let ours = our_capabilities(config);
    let find = |pred: &dyn Fn(&Capability) -> bool| ours.iter().find(|c| pred(c)).cloned();
    match req {
        RequiredCapability::FourOctetAs => Capability::FourOctetAs(config.local_as),
        RequiredCapability::Family(f) => Capability::Multiprotocol(f),
        RequiredCapability::RouteRefresh => Capability::RouteRefresh,
        RequiredCapability::EnhancedRouteRefresh => Capability::EnhancedRouteRefresh,
        RequiredCapability::ExtendedMessage => Capability::ExtendedMessage,
        RequiredCapability::GracefulRestart => {
            find(&|c| matches!(c, Capability::GracefulRestart { .. })).unwrap_or(Capability::GracefulRestart {
                flags: 0,
                time: 0,
                families: Vec::new(),
            })
        }
        RequiredCapability::AddPath(f) => {
            let mode = config
                .add_path
                .iter()
                .find(|(x, _)| *x == f)
                .map_or(AddPathMode::Both, |(_, m)| *m);
            Capability::AddPath(vec![(f, mode)])
        }
        RequiredCapability::ExtendedNextHop(f) => {
            let nh = config
                .extended_next_hop
                .iter()
                .find(|(x, _)| *x == f)
                .map_or(AFI_IPV6, |(_, a)| *a);
            Capability::ExtendedNextHop(vec![(f, nh)])
        }
    }
}

fn peer_has(peer: &Open, req: RequiredCapability) -> bool {
    let mut caps = peer.capabilities();
    match req {
        RequiredCapability::FourOctetAs => caps.any(|c| matches!(c, Capability::FourOctetAs(_))),
        RequiredCapability::Family(f) => families_of(peer.capabilities()).contains(&f),
        RequiredCapability::RouteRefresh => caps.any(|c| matches!(c, Capability::RouteRefresh)),
        RequiredCapability::EnhancedRouteRefresh => caps.any(|c| matches!(c, Capability::EnhancedRouteRefresh)),
        RequiredCapability::ExtendedMessage => caps.any(|c| matches!(c, Capability::ExtendedMessage)),
        RequiredCapability::GracefulRestart => caps.any(|c| matches!(c, Capability::GracefulRestart { .. })),
        RequiredCapability::AddPath(f) => {
            caps.any(|c| matches!(c, Capability::AddPath(v) if v.iter().any(|(x, _)| *x == f)))
        }
        RequiredCapability::ExtendedNextHop(f) => {
            caps.any(|c| matches!(c, Capability::ExtendedNextHop(v) if v.iter().any(|(x, _)| *x == f)))
        }
    }
}

/// Checks the peer's OPEN against the configuration, in the order of RFC 4271 §6.2, and
/// negotiates the session.
///
/// - version other than 4: 2/1 with our version as data;
/// - peer AS (see [`peer_asn`]) other than the configured one: 2/2;
/// - hold time 1 or 2: 2/6;
/// - BGP identifier 0, or equal to ours on an internal session (RFC 6286 §2.2): 2/3;
/// - a required capability missing: 2/7 with the missing capabilities as data (RFC 5492 §3).
pub fn check_open(config: &SessionConfig, peer: &Open) -> Result<Negotiated, OpenRejection> {
    if peer.version != 4 {
        return Err(OpenRejection::plain(Notification::with_data(
            code::OPEN,
            code::open::UNSUPPORTED_VERSION,
            vec![0u8, 4],
        )));
    }
    let asn = peer_asn(config, peer)?;
    if let PeerAs::Exact(expected) = config.peer_as {
        // Without 4-octet support on our side, a 4-octet peer shows up as AS_TRANS.
        let shown = if !config.four_octet_as && expected > u32::from(u16::MAX) {
            AS_TRANS
        } else {
            expected
        };
        if asn != shown {
            return Err(OpenRejection::bad_peer_as(asn, Some(expected)));
        }
    }
    if peer.hold_time == 1 || peer.hold_time == 2 {
        return Err(OpenRejection::plain(Notification::new(
            code::OPEN,
            code::open::UNACCEPTABLE_HOLD_TIME,
        )));
    }
    let internal = asn == config.local_as;
    if peer.bgp_id.is_unspecified() || (internal && peer.bgp_id == config.router_id) {
        return Err(OpenRejection::plain(Notification::new(
            code::OPEN,
            code::open::BAD_BGP_IDENTIFIER,
        )));
    }
    let mut data = Vec::new();
    for req in &config.required {
        if !peer_has(peer, *req) {
            let cap = wanted(config, *req);
            let value = cap.value_bytes();
            data.put_u8(cap.code());
            data.put_u8(value.len() as u8);
            data.put_slice(&value);
        }
    }
    if !data.is_empty() {
        return Err(OpenRejection::plain(Notification::with_data(
            code::OPEN,
            code::open::UNSUPPORTED_CAPABILITY,
            data,
        )));
    }
    Ok(negotiate(config, peer, asn))
}
