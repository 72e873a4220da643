//! Path attributes (RFC 4271 §4.3, §5): the owned model, the per-attribute checks of
//! RFC 7606 §7 and their encoding.
//!
//! ```text
//!  0                   1
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |O|T|P|E| unused|  Type Code    |  then 1 (E=0) or 2 (E=1) length octets, then the value
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```

mod as_path;
mod check;
mod community;
mod mp;
mod value;

pub use as_path::{AsPath, AsPathError, Segment, SegmentType};
pub use check::check_attribute;
pub use community::{Community, ExtendedCommunity, Ipv6ExtendedCommunity, LargeCommunity};
pub use mp::{MpNlri, MpReach, MpUnreach, NextHop};
pub use value::{Aggregator, AttrValue, Origin};

use crate::context::SessionContext;
use bytes::BufMut;

/// Attribute flag bits.
pub mod flags {
    /// Optional (bit 0).
    pub const OPTIONAL: u8 = 0x80;
    /// Transitive (bit 1).
    pub const TRANSITIVE: u8 = 0x40;
    /// Partial (bit 2).
    pub const PARTIAL: u8 = 0x20;
    /// Extended Length (bit 3): a 2-octet length follows.
    pub const EXTENDED_LENGTH: u8 = 0x10;
    /// Well-known attributes: transitive, not optional.
    pub const WELL_KNOWN: u8 = TRANSITIVE;
    /// Optional non-transitive attributes.
    pub const OPTIONAL_NON_TRANSITIVE: u8 = OPTIONAL;
    /// Optional transitive attributes.
    pub const OPTIONAL_TRANSITIVE: u8 = OPTIONAL | TRANSITIVE;
}

/// Attribute type codes (IANA "BGP Path Attributes").
pub mod type_code {
    /// ORIGIN (RFC 4271).
    pub const ORIGIN: u8 = 1;
    /// AS_PATH (RFC 4271).
    pub const AS_PATH: u8 = 2;
    /// NEXT_HOP (RFC 4271).
    pub const NEXT_HOP: u8 = 3;
    /// MULTI_EXIT_DISC (RFC 4271).
    pub const MED: u8 = 4;
    /// LOCAL_PREF (RFC 4271).
    pub const LOCAL_PREF: u8 = 5;
    /// ATOMIC_AGGREGATE (RFC 4271).
    pub const ATOMIC_AGGREGATE: u8 = 6;
    /// AGGREGATOR (RFC 4271, RFC 6793).
    pub const AGGREGATOR: u8 = 7;
    /// COMMUNITIES (RFC 1997).
    pub const COMMUNITIES: u8 = 8;
    /// ORIGINATOR_ID (RFC 4456).
    pub const ORIGINATOR_ID: u8 = 9;
    /// CLUSTER_LIST (RFC 4456).
    pub const CLUSTER_LIST: u8 = 10;
    /// MP_REACH_NLRI (RFC 4760).
    pub const MP_REACH_NLRI: u8 = 14;
    /// MP_UNREACH_NLRI (RFC 4760).
    pub const MP_UNREACH_NLRI: u8 = 15;
    /// EXTENDED_COMMUNITIES (RFC 4360).
    pub const EXTENDED_COMMUNITIES: u8 = 16;
    /// AS4_PATH (RFC 6793).
    pub const AS4_PATH: u8 = 17;
    /// AS4_AGGREGATOR (RFC 6793).
    pub const AS4_AGGREGATOR: u8 = 18;
    /// IPv6 Address Specific Extended Community (RFC 5701).
    pub const IPV6_EXTENDED_COMMUNITIES: u8 = 25;
    /// LARGE_COMMUNITY (RFC 8092).
    pub const LARGE_COMMUNITY: u8 = 32;
}

/// Octets of an attribute's header (flags, type and length) for the flags octet `flags`:
/// 4 with the Extended Length bit (a 2-octet length), else 3 (RFC 4271 §4.3).
#[inline]
pub const fn header_len(flags: u8) -> usize {
    if flags & flags::EXTENDED_LENGTH != 0 {
        4
    } else {
        3
    }
}

/// The Optional and Transitive bits an attribute this codec knows must carry, or `None`
/// for a type it does not model.
pub const fn expected_flags(type_code: u8) -> Option<u8> {
    use type_code::*;
    match type_code {
        ORIGIN | AS_PATH | NEXT_HOP | LOCAL_PREF | ATOMIC_AGGREGATE => Some(flags::WELL_KNOWN),
        MED | ORIGINATOR_ID | CLUSTER_LIST | MP_REACH_NLRI | MP_UNREACH_NLRI => Some(flags::OPTIONAL_NON_TRANSITIVE),
        AGGREGATOR
        | COMMUNITIES
        | EXTENDED_COMMUNITIES
        | AS4_PATH
        | AS4_AGGREGATOR
        | IPV6_EXTENDED_COMMUNITIES
        | LARGE_COMMUNITY => Some(flags::OPTIONAL_TRANSITIVE),
        _ => None,
    }
}

/// One path attribute: its flags as received (or canonical ones for a new attribute) and
/// its value.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct PathAttribute {
    /// The flags octet. The Extended Length bit is kept as received so re-encoding gives
    /// the same bytes; it is added on encode when the value needs it.
    pub flags: u8,
    /// The value.
    pub value: AttrValue,
}

impl PathAttribute {
    /// An attribute with the canonical flags for its type (Extended Length only when needed).
    pub fn new(value: AttrValue) -> Self {
        PathAttribute {
            flags: value.canonical_flags(),
            value,
        }
    }

    /// The type code.
    pub fn type_code(&self) -> u8 {
        self.value.type_code()
    }

    /// RFC 4271 §5: an unrecognized optional transitive attribute passed on to other peers
    /// gets its Partial bit set.
    pub fn mark_partial_if_unknown_transitive(&mut self) {
        if let AttrValue::Unknown { .. } = self.value {
            if self.flags & flags::OPTIONAL_TRANSITIVE == flags::OPTIONAL_TRANSITIVE {
                self.flags |= flags::PARTIAL;
            }
        }
    }

    /// Appends flags, type, length and value. The Extended Length bit is set when the value
    /// exceeds 255 octets, and kept when the flags already had it.
    pub fn encode(&self, ctx: &SessionContext, out: &mut impl BufMut) {
        let len = self.value.encoded_len(ctx);
        let ext = len > 255 || self.flags & flags::EXTENDED_LENGTH != 0;
        let f = if ext {
            self.flags | flags::EXTENDED_LENGTH
        } else {
            self.flags
        };
        out.put_u8(f);
        out.put_u8(self.type_code());
        if ext {
            out.put_u16(len as u16);
        } else {
            out.put_u8(len as u8);
        }
        self.value.encode(ctx, out);
    }

    /// Total encoded length: header and value.
    pub fn encoded_len(&self, ctx: &SessionContext) -> usize {
        let len = self.value.encoded_len(ctx);
        let f = if len > 255 {
            self.flags | flags::EXTENDED_LENGTH
        } else {
            self.flags
        };
        len + header_len(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_len_follows_the_extended_length_bit_and_matches_the_encoding() {
        assert_eq!(header_len(flags::OPTIONAL_TRANSITIVE), 3);
        assert_eq!(header_len(flags::OPTIONAL_TRANSITIVE | flags::EXTENDED_LENGTH), 4);
        let ctx = SessionContext::default();
        for len in [1usize, 255, 256] {
            let a = PathAttribute {
                flags: flags::OPTIONAL_TRANSITIVE,
                value: AttrValue::Unknown {
                    type_code: 99,
                    value: bytes::Bytes::from(vec![0; len]),
                },
            };
            let mut out = Vec::new();
            a.encode(&ctx, &mut out);
            assert_eq!(out.len(), header_len(out[0]) + len, "value of {len} octets");
            assert_eq!(a.encoded_len(&ctx), out.len());
        }
    }
}
