//! The owned value of each path attribute, its decoding from checked bytes and its encoding.

use super::{
    flags, type_code as tc, AsPath, Community, ExtendedCommunity, Ipv6ExtendedCommunity, LargeCommunity, MpReach,
    MpUnreach,
};
use crate::context::SessionContext;
use bytes::{BufMut, Bytes};
use std::net::Ipv4Addr;

/// ORIGIN values (RFC 4271 §5.1.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub enum Origin {
    /// 0: learned from an IGP.
    Igp,
    /// 1: learned from EGP.
    Egp,
    /// 2: learned some other way.
    Incomplete,
}

impl Origin {
    /// From the wire value.
    pub const fn from_u8(v: u8) -> Option<Origin> {
        match v {
            0 => Some(Origin::Igp),
            1 => Some(Origin::Egp),
            2 => Some(Origin::Incomplete),
            _ => None,
        }
    }

    /// `igp`, `egp` or `incomplete`.
    pub const fn name(self) -> &'static str {
        match self {
            Origin::Igp => "igp",
            Origin::Egp => "egp",
            Origin::Incomplete => "incomplete",
        }
    }

    /// From [`Origin::name`].
    pub fn from_name(s: &str) -> Option<Origin> {
        match s {
            "igp" => Some(Origin::Igp),
            "egp" => Some(Origin::Egp),
            "incomplete" => Some(Origin::Incomplete),
            _ => None,
        }
    }
}

/// AGGREGATOR / AS4_AGGREGATOR value: the aggregating AS and router.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Aggregator {
    /// AS of the aggregating speaker (AS_TRANS on 2-octet sessions when it does not fit).
    pub asn: u32,
    /// BGP identifier / address of the aggregating speaker.
    pub address: Ipv4Addr,
}

/// The value of a path attribute.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum AttrValue {
    /// ORIGIN (1).
    Origin(Origin),
    /// AS_PATH (2), in the session's AS width.
    AsPath(AsPath),
    /// NEXT_HOP (3).
    NextHop(Ipv4Addr),
    /// MULTI_EXIT_DISC (4).
    Med(u32),
    /// LOCAL_PREF (5).
    LocalPref(u32),
    /// ATOMIC_AGGREGATE (6).
    AtomicAggregate,
    /// AGGREGATOR (7), in the session's AS width.
    Aggregator(Aggregator),
    /// COMMUNITIES (8).
    Communities(Vec<Community>),
    /// ORIGINATOR_ID (9).
    OriginatorId(Ipv4Addr),
    /// CLUSTER_LIST (10).
    ClusterList(Vec<Ipv4Addr>),
    /// MP_REACH_NLRI (14).
    MpReach(MpReach),
    /// MP_UNREACH_NLRI (15).
    MpUnreach(MpUnreach),
    /// EXTENDED_COMMUNITIES (16).
    ExtendedCommunities(Vec<ExtendedCommunity>),
    /// AS4_PATH (17), always 4-octet.
    As4Path(AsPath),
    /// AS4_AGGREGATOR (18), always 4-octet.
    As4Aggregator(Aggregator),
    /// IPv6 Address Specific Extended Community (25).
    Ipv6ExtendedCommunities(Vec<Ipv6ExtendedCommunity>),
    /// LARGE_COMMUNITY (32).
    LargeCommunities(Vec<LargeCommunity>),
    /// Any other attribute, kept as type and bytes so it can be passed on unchanged.
    Unknown {
        /// Type code.
        type_code: u8,
        /// Value bytes.
        value: Bytes,
    },
}

fn ipv4(b: &[u8]) -> Ipv4Addr {
    let a: [u8; 4] = b.get(..4).and_then(|s| s.try_into().ok()).unwrap_or_default();
    Ipv4Addr::from(a)
}

fn be32(b: &[u8]) -> u32 {
    u32::from_be_bytes(b.get(..4).and_then(|s| s.try_into().ok()).unwrap_or_default())
}

impl AttrValue {
    /// The type code.
    pub fn type_code(&self) -> u8 {
        match self {
            AttrValue::Origin(_) => tc::ORIGIN,
            AttrValue::AsPath(_) => tc::AS_PATH,
            AttrValue::NextHop(_) => tc::NEXT_HOP,
            AttrValue::Med(_) => tc::MED,
            AttrValue::LocalPref(_) => tc::LOCAL_PREF,
            AttrValue::AtomicAggregate => tc::ATOMIC_AGGREGATE,
            AttrValue::Aggregator(_) => tc::AGGREGATOR,
            AttrValue::Communities(_) => tc::COMMUNITIES,
            AttrValue::OriginatorId(_) => tc::ORIGINATOR_ID,
            AttrValue::ClusterList(_) => tc::CLUSTER_LIST,
            AttrValue::MpReach(_) => tc::MP_REACH_NLRI,
            AttrValue::MpUnreach(_) => tc::MP_UNREACH_NLRI,
            AttrValue::ExtendedCommunities(_) => tc::EXTENDED_COMMUNITIES,
            AttrValue::As4Path(_) => tc::AS4_PATH,
            AttrValue::As4Aggregator(_) => tc::AS4_AGGREGATOR,
            AttrValue::Ipv6ExtendedCommunities(_) => tc::IPV6_EXTENDED_COMMUNITIES,
            AttrValue::LargeCommunities(_) => tc::LARGE_COMMUNITY,
            AttrValue::Unknown { type_code, .. } => *type_code,
        }
    }

    /// The flags a newly built attribute of this kind carries (Extended Length only when the
    /// value needs it is added by the encoder). Unknown attributes get optional transitive.
    pub fn canonical_flags(&self) -> u8 {
        super::expected_flags(self.type_code()).unwrap_or(flags::OPTIONAL_TRANSITIVE)
    }

    /// Decodes a value that [`super::check_attribute`] accepted. `value` is a slice of the
    /// received frame, so opaque parts are kept without copying. Returns `None` only for
    /// bytes the check would have refused.
    pub fn decode(type_code: u8, value: &Bytes, ctx: &SessionContext) -> Option<AttrValue> {
        let v = &value[..];
        Some(match type_code {
            tc::ORIGIN => AttrValue::Origin(Origin::from_u8(*v.first()?)?),
            tc::AS_PATH => AttrValue::AsPath(AsPath::decode(v, ctx.as_width()).ok()?),
            tc::NEXT_HOP => AttrValue::NextHop(ipv4(v)),
            tc::MED => AttrValue::Med(be32(v)),
            tc::LOCAL_PREF => AttrValue::LocalPref(be32(v)),
            tc::ATOMIC_AGGREGATE => AttrValue::AtomicAggregate,
            tc::AGGREGATOR => AttrValue::Aggregator(decode_aggregator(v, ctx.as_width())?),
            tc::COMMUNITIES => AttrValue::Communities(v.chunks_exact(4).map(|c| Community(be32(c))).collect()),
            tc::ORIGINATOR_ID => AttrValue::OriginatorId(ipv4(v)),
            tc::CLUSTER_LIST => AttrValue::ClusterList(v.chunks_exact(4).map(ipv4).collect()),
            tc::MP_REACH_NLRI => AttrValue::MpReach(MpReach::decode(value, ctx)?),
            tc::MP_UNREACH_NLRI => AttrValue::MpUnreach(MpUnreach::decode(value, ctx)?),
            tc::EXTENDED_COMMUNITIES => AttrValue::ExtendedCommunities(
                v.chunks_exact(8)
                    .map(|c| ExtendedCommunity(c.try_into().unwrap_or_default()))
                    .collect(),
            ),
            tc::AS4_PATH => AttrValue::As4Path(AsPath::decode(v, 4).ok()?),
            tc::AS4_AGGREGATOR => AttrValue::As4Aggregator(decode_aggregator(v, 4)?),
            tc::IPV6_EXTENDED_COMMUNITIES => AttrValue::Ipv6ExtendedCommunities(
                v.chunks_exact(20)
                    .map(|c| Ipv6ExtendedCommunity(c.try_into().unwrap_or([0; 20])))
                    .collect(),
            ),
            tc::LARGE_COMMUNITY => AttrValue::LargeCommunities(
                v.chunks_exact(12)
                    .map(|c| LargeCommunity::new(be32(c), be32(&c[4..]), be32(&c[8..])))
                    .collect(),
            ),
            other => AttrValue::Unknown {
                type_code: other,
                value: value.clone(),
            },
        })
    }

    /// Encoded length of the value.
    pub fn encoded_len(&self, ctx: &SessionContext) -> usize {
        match self {
            AttrValue::Origin(_) => 1,
            AttrValue::AsPath(p) => p.encoded_len(ctx.as_width()),
            AttrValue::NextHop(_) | AttrValue::Med(_) | AttrValue::LocalPref(_) | AttrValue::OriginatorId(_) => 4,
            AttrValue::AtomicAggregate => 0,
            AttrValue::Aggregator(_) => 4 + ctx.as_width(),
            AttrValue::Communities(c) => 4 * c.len(),
            AttrValue::ClusterList(c) => 4 * c.len(),
            AttrValue::MpReach(m) => m.encoded_len(ctx),
            AttrValue::MpUnreach(m) => m.encoded_len(ctx),
            AttrValue::ExtendedCommunities(c) => 8 * c.len(),
            AttrValue::As4Path(p) => p.encoded_len(4),
            AttrValue::As4Aggregator(_) => 8,
            AttrValue::Ipv6ExtendedCommunities(c) => 20 * c.len(),
            AttrValue::LargeCommunities(c) => 12 * c.len(),
            AttrValue::Unknown { value, .. } => value.len(),
        }
    }

    /// Writes the value.
    pub fn encode(&self, ctx: &SessionContext, out: &mut impl BufMut) {
        match self {
            AttrValue::Origin(o) => out.put_u8(*o as u8),
            AttrValue::AsPath(p) => p.encode(ctx.as_width(), out),
            AttrValue::NextHop(a) | AttrValue::OriginatorId(a) => out.put_slice(&a.octets()),
            AttrValue::Med(v) | AttrValue::LocalPref(v) => out.put_u32(*v),
            AttrValue::AtomicAggregate => {}
            AttrValue::Aggregator(a) => encode_aggregator(a, ctx.as_width(), out),
            AttrValue::Communities(c) => c.iter().for_each(|c| out.put_u32(c.0)),
            AttrValue::ClusterList(c) => c.iter().for_each(|a| out.put_slice(&a.octets())),
            AttrValue::MpReach(m) => m.encode(ctx, out),
            AttrValue::MpUnreach(m) => m.encode(ctx, out),
            AttrValue::ExtendedCommunities(c) => c.iter().for_each(|c| out.put_slice(&c.0)),
            AttrValue::As4Path(p) => p.encode(4, out),
            AttrValue::As4Aggregator(a) => encode_aggregator(a, 4, out),
            AttrValue::Ipv6ExtendedCommunities(c) => c.iter().for_each(|c| out.put_slice(&c.0)),
            AttrValue::LargeCommunities(c) => c.iter().for_each(|c| {
                out.put_u32(c.global);
                out.put_u32(c.local1);
                out.put_u32(c.local2);
            }),
            AttrValue::Unknown { value, .. } => out.put_slice(value),
        }
    }
}

fn decode_aggregator(v: &[u8], width: usize) -> Option<Aggregator> {
    if v.len() != width + 4 {
        return None;
    }
    let asn = if width == 4 {
        be32(v)
    } else {
        u16::from_be_bytes([v[0], v[1]]) as u32
    };
    Some(Aggregator {
        asn,
        address: ipv4(&v[width..]),
    })
}

fn encode_aggregator(a: &Aggregator, width: usize, out: &mut impl BufMut) {
    if width == 4 {
        out.put_u32(a.asn);
    } else {
        out.put_u16(u16::try_from(a.asn).unwrap_or(crate::types::AS_TRANS as u16));
    }
    out.put_slice(&a.address.octets());
}
