//! Routes and packed UPDATE messages for the codec benches.
//!
//! Every message is produced by peerlab's own [`UpdateBuilder`] under the default session
//! context (4-octet AS, no ADD-PATH, 4,096-octet messages), so the prefix count is whatever
//! the builder fits in one message next to the attributes: 1,006 IPv4 /24s, 572 IPv6 /48s.

use bgp_core::attr::{AsPath, AttrValue, Community, NextHop, Origin, PathAttribute};
use bgp_core::nlri::Nlri;
use bgp_core::{SessionContext, UpdateBuilder, UpdateView};
use bytes::Bytes;
use ipnet::{Ipv4Net, Ipv6Net};
use std::net::{Ipv4Addr, Ipv6Addr};

/// Length of the BGP message header (marker, length, type).
pub const HEADER_LEN: usize = 19;

/// More routes than fit in one 4,096-octet message of either family.
pub const ROUTE_POOL: usize = 2_048;

/// The attributes shared by every IPv4 route: ORIGIN, a 3-ASN AS_PATH, NEXT_HOP, MED and two
/// communities.
pub fn ipv4_attributes() -> Vec<PathAttribute> {
    let mut attrs = common_attributes();
    attrs.insert(2, PathAttribute::new(AttrValue::NextHop(Ipv4Addr::new(192, 0, 2, 1))));
    attrs
}

/// The attributes shared by every IPv6 route: as for IPv4 but without NEXT_HOP, which goes
/// in the MP_REACH_NLRI (see [`ipv6_next_hop`]).
pub fn ipv6_attributes() -> Vec<PathAttribute> {
    common_attributes()
}

fn common_attributes() -> Vec<PathAttribute> {
    vec![
        PathAttribute::new(AttrValue::Origin(Origin::Igp)),
        PathAttribute::new(AttrValue::AsPath(AsPath::sequence(vec![64_500, 64_501, 64_502]))),
        PathAttribute::new(AttrValue::Med(100)),
        PathAttribute::new(AttrValue::Communities(vec![
            Community((64_500 << 16) | 1),
            Community((64_500 << 16) | 2),
        ])),
    ]
}

/// The global IPv6 next hop of the IPv6 routes.
pub fn ipv6_next_hop() -> NextHop {
    NextHop::V6 {
        global: Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 1),
        link_local: None,
    }
}

/// `count` distinct IPv4 /24s: 10.0.0.0/24, 10.0.1.0/24, ...
pub fn ipv4_routes(count: usize) -> Vec<Nlri<Ipv4Net>> {
    (0..count as u32)
        .filter_map(|i| Ipv4Net::new(Ipv4Addr::from((10 << 24) | (i << 8)), 24).ok())
        .map(Nlri::new)
        .collect()
}

/// `count` distinct IPv6 /48s: 2001:db8:0::/48, 2001:db8:1::/48, ... (past 65,536 the
/// second group grows too).
pub fn ipv6_routes(count: usize) -> Vec<Nlri<Ipv6Net>> {
    (0..count as u128)
        .filter_map(|i| Ipv6Net::new(Ipv6Addr::from((0x2001_0db8_u128 << 96) + (i << 80)), 48).ok())
        .map(Nlri::new)
        .collect()
}

/// The session context every bench decodes and encodes under.
pub fn context() -> SessionContext {
    SessionContext::default()
}

/// One packed UPDATE message (header included) and how many prefixes it announces.
#[derive(Clone, Debug)]
pub struct Packed {
    /// The whole frame, header included.
    pub frame: Bytes,
    /// The number of prefixes the builder fitted in it, as peerlab's decoder counts them.
    pub prefixes: usize,
}

/// The first message the builder packs from [`ROUTE_POOL`] IPv4 /24s: a full 4,096-octet
/// UPDATE with the prefixes in the NLRI field. `None` if the builder fails or peerlab's
/// decoder finds any error in the message.
pub fn packed_ipv4() -> Option<Packed> {
    let mut out = Vec::new();
    UpdateBuilder::new(context())
        .announce_ipv4(&ipv4_attributes(), ipv4_routes(ROUTE_POOL), &mut out)
        .ok()?;
    let frame = out.into_iter().next()?;
    let view = UpdateView::parse(frame.clone(), &context())
        .ok()
        .filter(|v| v.error().is_none())?;
    let prefixes = view.announced_ipv4().count();
    Some(Packed { frame, prefixes })
}

/// The first message the builder packs from [`ROUTE_POOL`] IPv6 /48s: a full 4,096-octet
/// UPDATE with the prefixes in an MP_REACH_NLRI. `None` if the builder fails or peerlab's
/// decoder finds any error in the message.
pub fn packed_ipv6() -> Option<Packed> {
    let mut out = Vec::new();
    UpdateBuilder::new(context())
        .announce_ipv6(&ipv6_attributes(), &ipv6_next_hop(), ipv6_routes(ROUTE_POOL), &mut out)
        .ok()?;
    let frame = out.into_iter().next()?;
    let view = UpdateView::parse(frame.clone(), &context())
        .ok()
        .filter(|v| v.error().is_none())?;
    let prefixes = view.mp_reach()?.ipv6().count();
    Some(Packed { frame, prefixes })
}
