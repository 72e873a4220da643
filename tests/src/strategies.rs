//! proptest strategies for owned messages that are valid and canonical under a context, so
//! that `decode(to_bytes(m)) == m` must hold: each value is one the decoder produces itself
//! (no duplicate attributes, AS_PATH segments of 1..=255 ASNs, 2-octet ASNs below 65,536 on
//! 2-octet sessions, non-empty community lists, path identifiers exactly where ADD-PATH is on,
//! prefix bits past the last octet zero, next hops in the form `NextHop::from_bytes` gives).

use bgp_core::attr::{
    expected_flags, flags, Aggregator, AsPath, AttrValue, Community, ExtendedCommunity, Ipv6ExtendedCommunity,
    LargeCommunity, MpNlri, MpReach, MpUnreach, NextHop, Origin, PathAttribute, Segment, SegmentType,
};
use bgp_core::capability::{AddPathMode, Capability, GracefulRestartFamily};
use bgp_core::message::RouteRefresh;
use bgp_core::nlri::Nlri;
use bgp_core::open::{Open, OptParam};
use bgp_core::types::{AFI_IPV4, AFI_IPV6, SAFI_UNICAST};
use bgp_core::{Family, Message, Notification, SessionContext, Update};
use bytes::Bytes;
use ipnet::{Ipv4Net, Ipv6Net};
use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::select;
use std::net::{Ipv4Addr, Ipv6Addr};

/// Any session context with 4,096-octet messages.
pub fn context() -> impl Strategy<Value = SessionContext> {
    (any::<bool>(), any::<bool>(), any::<bool>(), any::<bool>()).prop_map(|(four, ap4, ap6, enh)| SessionContext {
        four_octet_as: four,
        add_path_ipv4: ap4,
        add_path_ipv6: ap6,
        extended_message: false,
        extended_next_hop: enh,
    })
}

fn bytes(max: usize) -> impl Strategy<Value = Bytes> {
    vec(any::<u8>(), 0..=max).prop_map(Bytes::from)
}

fn path_id(add_path: bool) -> BoxedStrategy<Option<u32>> {
    if add_path {
        any::<u32>().prop_map(Some).boxed()
    } else {
        Just(None).boxed()
    }
}

/// An IPv4 prefix as the wire gives it: bits past the last prefix octet are zero.
pub fn ipv4_nlri(add_path: bool) -> impl Strategy<Value = Nlri<Ipv4Net>> {
    (path_id(add_path), any::<u32>(), 0u8..=32).prop_map(|(path_id, addr, len)| {
        let octets = u32::from(len).div_ceil(8);
        let mask = if octets == 0 { 0 } else { u32::MAX << (32 - 8 * octets) };
        let prefix = Ipv4Net::new(Ipv4Addr::from(addr & mask), len).unwrap_or_default();
        Nlri { path_id, prefix }
    })
}

/// An IPv6 prefix as the wire gives it.
pub fn ipv6_nlri(add_path: bool) -> impl Strategy<Value = Nlri<Ipv6Net>> {
    (path_id(add_path), any::<u128>(), 0u8..=128).prop_map(|(path_id, addr, len)| {
        let octets = u32::from(len).div_ceil(8);
        let mask = if octets == 0 {
            0
        } else {
            u128::MAX << (128 - 8 * octets)
        };
        let prefix = Ipv6Net::new(Ipv6Addr::from(addr & mask), len).unwrap_or_default();
        Nlri { path_id, prefix }
    })
}

fn asn(width: usize) -> BoxedStrategy<u32> {
    if width == 4 {
        any::<u32>().boxed()
    } else {
        (0u32..=65535).boxed()
    }
}

/// An AS path of 0..=3 segments of 1..=255 ASNs (mostly short, sometimes near 255).
pub fn as_path(width: usize) -> impl Strategy<Value = AsPath> {
    let kind = select(vec![
        SegmentType::Set,
        SegmentType::Sequence,
        SegmentType::ConfedSequence,
        SegmentType::ConfedSet,
    ]);
    let len = prop_oneof![9 => 1usize..=8, 1 => 250usize..=255];
    let segment =
        (kind, len).prop_flat_map(move |(kind, n)| vec(asn(width), n).prop_map(move |asns| Segment { kind, asns }));
    vec(segment, 0..=3).prop_map(|segments| AsPath { segments })
}

fn ipv4() -> impl Strategy<Value = Ipv4Addr> {
    any::<u32>().prop_map(Ipv4Addr::from)
}

fn next_hop_for(family: Family, ctx: SessionContext) -> BoxedStrategy<NextHop> {
    let lens: Vec<usize> = match (family.afi, family.safi) {
        (AFI_IPV4, SAFI_UNICAST) if ctx.extended_next_hop => vec![4, 16, 32],
        (AFI_IPV4, SAFI_UNICAST) => vec![4],
        (AFI_IPV6, SAFI_UNICAST) => vec![16, 32],
        _ => vec![0, 4, 12, 16, 24, 32, 40],
    };
    select(lens)
        .prop_flat_map(|n| vec(any::<u8>(), n))
        .prop_map(|b| NextHop::from_bytes(&Bytes::from(b)))
        .boxed()
}

/// A family: IPv4 or IPv6 unicast, or any other (kept opaque).
pub fn family() -> impl Strategy<Value = Family> {
    prop_oneof![
        Just(Family::IPV4_UNICAST),
        Just(Family::IPV6_UNICAST),
        (any::<u16>(), any::<u8>()).prop_map(|(a, s)| Family::new(a, s)),
    ]
}

fn mp_nlri(family: Family, ctx: SessionContext) -> BoxedStrategy<MpNlri> {
    let ap = ctx.add_path(family);
    match (family.afi, family.safi) {
        (AFI_IPV4, SAFI_UNICAST) => vec(ipv4_nlri(ap), 0..=10).prop_map(MpNlri::Ipv4).boxed(),
        (AFI_IPV6, SAFI_UNICAST) => vec(ipv6_nlri(ap), 0..=10).prop_map(MpNlri::Ipv6).boxed(),
        _ => bytes(64).prop_map(MpNlri::Opaque).boxed(),
    }
}

fn mp_reach(ctx: SessionContext) -> impl Strategy<Value = AttrValue> {
    family().prop_flat_map(move |family| {
        (next_hop_for(family, ctx), any::<u8>(), mp_nlri(family, ctx)).prop_map(move |(next_hop, reserved, nlri)| {
            AttrValue::MpReach(MpReach {
                family,
                next_hop,
                reserved,
                nlri,
            })
        })
    })
}

fn mp_unreach(ctx: SessionContext) -> impl Strategy<Value = AttrValue> {
    family().prop_flat_map(move |family| {
        mp_nlri(family, ctx).prop_map(move |nlri| AttrValue::MpUnreach(MpUnreach { family, nlri }))
    })
}

/// Any attribute value this codec models, or an unknown one, valid under `ctx`.
pub fn attr_value(ctx: SessionContext) -> impl Strategy<Value = AttrValue> {
    let w = ctx.as_width();
    let aggregator = (asn(w), ipv4()).prop_map(|(asn, address)| Aggregator { asn, address });
    let as4_aggregator = (any::<u32>(), ipv4()).prop_map(|(asn, address)| Aggregator { asn, address });
    // Type codes the codec does not model.
    let unknown_code = any::<u8>().prop_filter("not modelled", |t| expected_flags(*t).is_none());
    prop_oneof![
        select(vec![Origin::Igp, Origin::Egp, Origin::Incomplete]).prop_map(AttrValue::Origin),
        as_path(w).prop_map(AttrValue::AsPath),
        ipv4().prop_map(AttrValue::NextHop),
        any::<u32>().prop_map(AttrValue::Med),
        any::<u32>().prop_map(AttrValue::LocalPref),
        Just(AttrValue::AtomicAggregate),
        aggregator.prop_map(AttrValue::Aggregator),
        vec(any::<u32>().prop_map(Community), 1..=8).prop_map(AttrValue::Communities),
        ipv4().prop_map(AttrValue::OriginatorId),
        vec(ipv4(), 1..=4).prop_map(AttrValue::ClusterList),
        mp_reach(ctx),
        mp_unreach(ctx),
        vec(any::<[u8; 8]>().prop_map(ExtendedCommunity), 1..=4).prop_map(AttrValue::ExtendedCommunities),
        as_path(4).prop_map(AttrValue::As4Path),
        as4_aggregator.prop_map(AttrValue::As4Aggregator),
        vec(any::<[u8; 20]>().prop_map(Ipv6ExtendedCommunity), 1..=3).prop_map(AttrValue::Ipv6ExtendedCommunities),
        vec(
            (any::<u32>(), any::<u32>(), any::<u32>()).prop_map(|(g, a, b)| LargeCommunity::new(g, a, b)),
            1..=4
        )
        .prop_map(AttrValue::LargeCommunities),
        (unknown_code, bytes(300)).prop_map(|(type_code, value)| AttrValue::Unknown { type_code, value }),
    ]
}

/// An attribute with flags as a peer may send them: the right Optional/Transitive bits, the
/// Partial bit only where allowed (optional transitive), Extended Length when needed or by
/// choice. Unknown attributes are optional (an unknown well-known one is an error).
pub fn attribute(ctx: SessionContext) -> impl Strategy<Value = PathAttribute> {
    (attr_value(ctx), any::<bool>(), any::<bool>(), any::<bool>()).prop_map(move |(value, ext, partial, transitive)| {
        let mut f = match &value {
            AttrValue::Unknown { .. } => flags::OPTIONAL | if transitive { flags::TRANSITIVE } else { 0 },
            v => v.canonical_flags(),
        };
        if partial && f == flags::OPTIONAL_TRANSITIVE {
            f |= flags::PARTIAL;
        }
        if ext || value.encoded_len(&ctx) > 255 {
            f |= flags::EXTENDED_LENGTH;
        }
        PathAttribute { flags: f, value }
    })
}

/// An UPDATE valid under `ctx`: attributes of distinct types, IPv4 withdrawn routes and NLRI.
pub fn update(ctx: SessionContext) -> impl Strategy<Value = Update> {
    (
        vec(ipv4_nlri(ctx.add_path_ipv4), 0..=12),
        vec(attribute(ctx), 0..=8),
        vec(ipv4_nlri(ctx.add_path_ipv4), 0..=12),
    )
        .prop_map(|(withdrawn, attrs, nlri)| {
            let mut attributes: Vec<PathAttribute> = Vec::new();
            for a in attrs {
                if attributes.iter().all(|b| b.type_code() != a.type_code()) {
                    attributes.push(a);
                }
            }
            Update {
                withdrawn,
                attributes,
                nlri,
            }
        })
}

fn text(max: usize) -> impl Strategy<Value = String> {
    proptest::string::string_regex(&format!("[a-zA-Z0-9 ./_é-]{{0,{max}}}")).unwrap_or_else(|e| panic!("{e}"))
}

/// Any capability kind, in the canonical form its typed decoder gives back.
pub fn capability() -> impl Strategy<Value = Capability> {
    let fam = (any::<u16>(), any::<u8>()).prop_map(|(a, s)| Family::new(a, s));
    let mode = select(vec![AddPathMode::Receive, AddPathMode::Send, AddPathMode::Both]);
    let known = [1u8, 2, 5, 6, 64, 65, 69, 70, 73, 75];
    prop_oneof![
        fam.clone().prop_map(Capability::Multiprotocol),
        Just(Capability::RouteRefresh),
        vec((fam.clone(), any::<u16>()), 0..=4).prop_map(Capability::ExtendedNextHop),
        Just(Capability::ExtendedMessage),
        (0u8..16, 0u16..4096, vec((fam.clone(), any::<u8>()), 0..=4)).prop_map(|(f, time, fams)| {
            Capability::GracefulRestart {
                flags: f << 4,
                time,
                families: fams
                    .into_iter()
                    .map(|(family, flags)| GracefulRestartFamily { family, flags })
                    .collect(),
            }
        }),
        any::<u32>().prop_map(Capability::FourOctetAs),
        vec((fam, mode), 0..=4).prop_map(Capability::AddPath),
        Just(Capability::EnhancedRouteRefresh),
        (text(40), text(40)).prop_map(|(hostname, domain)| Capability::Fqdn { hostname, domain }),
        text(60).prop_map(Capability::SoftwareVersion),
        (
            any::<u8>().prop_filter("not a typed code", move |c| !known.contains(c)),
            bytes(40)
        )
            .prop_map(|(code, value)| Capability::Unknown { code, value }),
    ]
}

/// An OPEN that passes the RFC 4271 §6.2 checks, with each capability kind possible; the
/// RFC 9072 extended parameters encoding is used when asked for or when needed.
pub fn open() -> impl Strategy<Value = Open> {
    (
        any::<u16>(),
        prop_oneof![Just(0u16), 3u16..=u16::MAX],
        1u32..,
        vec(vec(capability(), 0..=4).prop_map(OptParam::Capabilities), 0..=3),
        any::<bool>(),
    )
        .prop_map(|(my_as, hold_time, id, params, ext)| {
            let mut open = Open {
                version: 4,
                my_as,
                hold_time,
                bgp_id: Ipv4Addr::from(id),
                params,
                extended_params: ext,
            };
            let mut body = Vec::new();
            open.encode_body(&mut body);
            // The encoder switches to RFC 9072 when the parameters do not fit one octet.
            open.extended_params = body.get(9..11) == Some(&[255, 255][..]);
            open
        })
}

/// Any message, valid under `ctx` and at most 4,096 octets.
pub fn message(ctx: SessionContext) -> impl Strategy<Value = Message> {
    let notification =
        (any::<u8>(), any::<u8>(), bytes(64)).prop_map(|(code, subcode, data)| Notification { code, subcode, data });
    let route_refresh = (family(), any::<u8>()).prop_map(|(family, subtype)| RouteRefresh { family, subtype });
    prop_oneof![
        3 => update(ctx).prop_map(Message::Update),
        1 => open().prop_map(Message::Open),
        1 => notification.prop_map(Message::Notification),
        1 => Just(Message::Keepalive),
        1 => route_refresh.prop_map(Message::RouteRefresh),
    ]
    .prop_filter("fits in 4,096 octets", move |m| m.to_bytes(&ctx).is_ok())
}

/// A context and a message valid under it.
pub fn context_and_message() -> impl Strategy<Value = (SessionContext, Message)> {
    context().prop_flat_map(|ctx| (Just(ctx), message(ctx)))
}
