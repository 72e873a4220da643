//! The negotiated session context that decode and encode depend on.

use crate::types::{Family, MAX_EXTENDED_MESSAGE_LEN, MAX_MESSAGE_LEN};

/// What an OPEN exchange negotiated, as far as the wire format is concerned.
///
/// It is the context of *one direction*: for decoding, `add_path` names the families whose
/// received NLRI carry path identifiers (we negotiated to receive); for encoding, the families
/// we send them in. Families other than IPv4/IPv6 unicast are kept as opaque bytes, so only
/// those two need a flag.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub struct SessionContext {
    /// Both sides announced the 4-octet AS capability (RFC 6793): AS_PATH and AGGREGATOR
    /// carry 4-octet ASNs.
    pub four_octet_as: bool,
    /// ADD-PATH (RFC 7911) path identifiers on IPv4 unicast NLRI.
    pub add_path_ipv4: bool,
    /// ADD-PATH path identifiers on IPv6 unicast NLRI.
    pub add_path_ipv6: bool,
    /// Extended messages (RFC 8654): up to 65,535 octets.
    pub extended_message: bool,
    /// Extended next hop (RFC 8950): IPv4 NLRI may carry an IPv6 next hop in MP_REACH_NLRI.
    pub extended_next_hop: bool,
}

impl Default for SessionContext {
    /// A modern session: 4-octet AS, no ADD-PATH, 4,096-octet messages.
    fn default() -> Self {
        SessionContext {
            four_octet_as: true,
            add_path_ipv4: false,
            add_path_ipv6: false,
            extended_message: false,
            extended_next_hop: false,
        }
    }
}

impl SessionContext {
    /// The largest message this context allows, header included.
    pub const fn max_message_len(&self) -> usize {
        if self.extended_message {
            MAX_EXTENDED_MESSAGE_LEN
        } else {
            MAX_MESSAGE_LEN
        }
    }

    /// Whether NLRI of `family` carry ADD-PATH path identifiers.
    pub const fn add_path(&self, family: Family) -> bool {
        match (family.afi, family.safi) {
            (1, 1) => self.add_path_ipv4,
            (2, 1) => self.add_path_ipv6,
            _ => false,
        }
    }

    /// Sets the ADD-PATH flag for `family` (ignored for families kept opaque).
    pub fn set_add_path(&mut self, family: Family, on: bool) {
        match (family.afi, family.safi) {
            (1, 1) => self.add_path_ipv4 = on,
            (2, 1) => self.add_path_ipv6 = on,
            _ => {}
        }
    }

    /// Number of octets an AS number takes in AS_PATH and AGGREGATOR.
    pub const fn as_width(&self) -> usize {
        if self.four_octet_as {
            4
        } else {
            2
        }
    }
}
