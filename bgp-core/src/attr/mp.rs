//! MP_REACH_NLRI and MP_UNREACH_NLRI (RFC 4760 §3, §4; RFC 8950 extended next hop).
//!
//! ```text
//! MP_REACH_NLRI:   AFI (2) | SAFI (1) | NH length (1) | next hop | reserved (1) | NLRI ...
//! MP_UNREACH_NLRI: AFI (2) | SAFI (1) | withdrawn NLRI ...
//! ```
//! IPv4 and IPv6 unicast NLRI are decoded into prefixes; every other family's NLRI and next
//! hop are kept as opaque bytes that re-encode unchanged.

use crate::context::SessionContext;
use crate::nlri::{self, Ipv4Prefixes, Ipv6Prefixes, Nlri};
use crate::types::{Family, AFI_IPV4, AFI_IPV6, SAFI_UNICAST};
use bytes::{BufMut, Bytes};
use ipnet::{Ipv4Net, Ipv6Net};
use std::net::{Ipv4Addr, Ipv6Addr};

/// The next hop of an MP_REACH_NLRI.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum NextHop {
    /// A 4-octet IPv4 next hop.
    V4(Ipv4Addr),
    /// A 16-octet global IPv6 next hop, or 32 octets with a link-local one (RFC 2545).
    V6 {
        /// Global address.
        global: Ipv6Addr,
        /// Link-local address, when 32 octets were sent.
        link_local: Option<Ipv6Addr>,
    },
    /// Any other length or family (e.g. VPN next hops with a route distinguisher), as bytes.
    Other(Bytes),
}

impl NextHop {
    /// Parses a next hop of `bytes.len()` octets; 4, 16 and 32 octets are addresses.
    pub fn from_bytes(bytes: &Bytes) -> NextHop {
        match bytes.len() {
            4 => {
                let a: [u8; 4] = bytes[..4].try_into().unwrap_or_default();
                NextHop::V4(Ipv4Addr::from(a))
            }
            16 | 32 => {
                let g: [u8; 16] = bytes[..16].try_into().unwrap_or_default();
                let link_local = bytes
                    .get(16..32)
                    .and_then(|l| <[u8; 16]>::try_from(l).ok())
                    .map(Ipv6Addr::from);
                NextHop::V6 {
                    global: Ipv6Addr::from(g),
                    link_local,
                }
            }
            _ => NextHop::Other(bytes.clone()),
        }
    }

    /// Encoded length.
    pub fn encoded_len(&self) -> usize {
        match self {
            NextHop::V4(_) => 4,
            NextHop::V6 { link_local: None, .. } => 16,
            NextHop::V6 {
                link_local: Some(_), ..
            } => 32,
            NextHop::Other(b) => b.len(),
        }
    }

    /// Writes the address octets (without the length octet).
    pub fn encode(&self, out: &mut impl BufMut) {
        match self {
            NextHop::V4(a) => out.put_slice(&a.octets()),
            NextHop::V6 { global, link_local } => {
                out.put_slice(&global.octets());
                if let Some(l) = link_local {
                    out.put_slice(&l.octets());
                }
            }
            NextHop::Other(b) => out.put_slice(b),
        }
    }

    /// Whether this next hop's length is one RFC 4760/2545/8950 allows for `family` under
    /// `ctx` (only checked for IPv4/IPv6 unicast).
    pub fn valid_len_for(len: usize, family: Family, ctx: &SessionContext) -> bool {
        match (family.afi, family.safi) {
            (AFI_IPV4, SAFI_UNICAST) => len == 4 || (ctx.extended_next_hop && (len == 16 || len == 32)),
            (AFI_IPV6, SAFI_UNICAST) => len == 16 || len == 32,
            _ => true,
        }
    }
}

/// NLRI carried in an MP attribute.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum MpNlri {
    /// IPv4 unicast prefixes.
    Ipv4(Vec<Nlri<Ipv4Net>>),
    /// IPv6 unicast prefixes.
    Ipv6(Vec<Nlri<Ipv6Net>>),
    /// Any other family, as the bytes of its NLRI field.
    Opaque(Bytes),
}

impl MpNlri {
    /// Decodes a validated NLRI field of `family`.
    pub fn decode(family: Family, bytes: &Bytes, ctx: &SessionContext) -> MpNlri {
        let ap = ctx.add_path(family);
        match (family.afi, family.safi) {
            (AFI_IPV4, SAFI_UNICAST) => MpNlri::Ipv4(Ipv4Prefixes::new(bytes, ap).collect()),
            (AFI_IPV6, SAFI_UNICAST) => MpNlri::Ipv6(Ipv6Prefixes::new(bytes, ap).collect()),
            _ => MpNlri::Opaque(bytes.clone()),
        }
    }

    /// Encoded length.
    pub fn encoded_len(&self, family: Family, ctx: &SessionContext) -> usize {
        let ap = ctx.add_path(family);
        match self {
            MpNlri::Ipv4(v) => v.iter().map(|n| nlri::ipv4_len(n.prefix.prefix_len(), ap)).sum(),
            MpNlri::Ipv6(v) => v.iter().map(|n| nlri::ipv6_len(n.prefix.prefix_len(), ap)).sum(),
            MpNlri::Opaque(b) => b.len(),
        }
    }

    /// Writes the NLRI field.
    pub fn encode(&self, family: Family, ctx: &SessionContext, out: &mut impl BufMut) {
        let ap = ctx.add_path(family);
        match self {
            MpNlri::Ipv4(v) => v.iter().for_each(|n| nlri::put_ipv4(out, n, ap)),
            MpNlri::Ipv6(v) => v.iter().for_each(|n| nlri::put_ipv6(out, n, ap)),
            MpNlri::Opaque(b) => out.put_slice(b),
        }
    }

    /// Whether there are no NLRI.
    pub fn is_empty(&self) -> bool {
        match self {
            MpNlri::Ipv4(v) => v.is_empty(),
            MpNlri::Ipv6(v) => v.is_empty(),
            MpNlri::Opaque(b) => b.is_empty(),
        }
    }

    /// An empty NLRI list of the kind `family` uses.
    pub fn empty_for(family: Family) -> MpNlri {
        match (family.afi, family.safi) {
            (AFI_IPV4, SAFI_UNICAST) => MpNlri::Ipv4(Vec::new()),
            (AFI_IPV6, SAFI_UNICAST) => MpNlri::Ipv6(Vec::new()),
            _ => MpNlri::Opaque(Bytes::new()),
        }
    }
}

/// MP_REACH_NLRI.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct MpReach {
    /// AFI/SAFI.
    pub family: Family,
    /// Next hop.
    pub next_hop: NextHop,
    /// The reserved octet after the next hop (RFC 4760: 0, ignored on receipt; kept so that
    /// re-encoding is exact).
    pub reserved: u8,
    /// Announced NLRI.
    pub nlri: MpNlri,
}

/// MP_UNREACH_NLRI.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct MpUnreach {
    /// AFI/SAFI.
    pub family: Family,
    /// Withdrawn NLRI (empty: End-of-RIB marker for the family, RFC 4724 §2).
    pub nlri: MpNlri,
}

impl MpReach {
    /// Decodes a validated MP_REACH_NLRI value.
    pub fn decode(value: &Bytes, ctx: &SessionContext) -> Option<MpReach> {
        let family = Family::new(u16::from_be_bytes([*value.first()?, *value.get(1)?]), *value.get(2)?);
        let nh_len = *value.get(3)? as usize;
        let nh = value.get(4..4 + nh_len).map(|s| value.slice_ref(s))?;
        let reserved = *value.get(4 + nh_len)?;
        let nlri = value.get(5 + nh_len..).map(|s| value.slice_ref(s))?;
        Some(MpReach {
            family,
            next_hop: NextHop::from_bytes(&nh),
            reserved,
            nlri: MpNlri::decode(family, &nlri, ctx),
        })
    }

    /// Encoded value length.
    pub fn encoded_len(&self, ctx: &SessionContext) -> usize {
        5 + self.next_hop.encoded_len() + self.nlri.encoded_len(self.family, ctx)
    }

    /// Writes the value.
    pub fn encode(&self, ctx: &SessionContext, out: &mut impl BufMut) {
        out.put_u16(self.family.afi);
        out.put_u8(self.family.safi);
        out.put_u8(self.next_hop.encoded_len() as u8);
        self.next_hop.encode(out);
        out.put_u8(self.reserved);
        self.nlri.encode(self.family, ctx, out);
    }
}

impl MpUnreach {
    /// Decodes a validated MP_UNREACH_NLRI value.
    pub fn decode(value: &Bytes, ctx: &SessionContext) -> Option<MpUnreach> {
        let family = Family::new(u16::from_be_bytes([*value.first()?, *value.get(1)?]), *value.get(2)?);
        let nlri = value.get(3..).map(|s| value.slice_ref(s))?;
        Some(MpUnreach {
            family,
            nlri: MpNlri::decode(family, &nlri, ctx),
        })
    }

    /// Encoded value length.
    pub fn encoded_len(&self, ctx: &SessionContext) -> usize {
        3 + self.nlri.encoded_len(self.family, ctx)
    }

    /// Writes the value.
    pub fn encode(&self, ctx: &SessionContext, out: &mut impl BufMut) {
        out.put_u16(self.family.afi);
        out.put_u8(self.family.safi);
        self.nlri.encode(self.family, ctx, out);
    }
}
