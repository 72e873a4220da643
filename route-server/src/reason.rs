//! Why an import step rejected a route: a typed reason with a stable kebab-case name (for
//! the API, logs and JSON) and a sentence a client's operator can act on.

use std::fmt;

/// The import step that rejected a route. The variants are in the order the import chain
/// runs them (IXP Manager's order); the discriminant is the stable numeric code stored in the
/// table (0 means accepted, so codes start at 1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[repr(u8)]
pub enum RejectReason {
    /// Prefix shorter than the family's minimum length.
    PrefixTooShort = 1,
    /// Prefix longer than the family's maximum length.
    PrefixTooLong,
    /// Special-purpose, documentation, private or otherwise unroutable prefix.
    BogonPrefix,
    /// AS_PATH with no ASN at all.
    AsPathEmpty,
    /// AS_PATH longer than the configured limit.
    AsPathTooLong,
    /// AS_PATH contains an AS_SET or AS_CONFED_SET.
    AsPathHasSet,
    /// Left-most ASN differs from the client's ASN.
    FirstAsNotClient,
    /// NEXT_HOP is not the client's session address.
    NextHopNotClient,
    /// A reserved, private, documentation or AS_TRANS ASN appears in the path.
    BogonAsnInPath,
    /// Peering Service: AS path longer than 3 ASNs.
    PeeringServicePathTooLong,
    /// Peering Service: an ASN repeated consecutively (prepending).
    PeeringServicePrepended,
    /// Peering Service: a private ASN in the path.
    PeeringServicePrivateAsn,
    /// Origin ASN is not one of the exchange's registered customer ASNs (the AS8075 rule).
    OriginNotRegistered,
    /// RPKI origin validation says invalid (RFC 6811).
    RpkiInvalid,
}

/// Every reason, in chain order.
pub const ALL_REASONS: [RejectReason; 14] = [
    RejectReason::PrefixTooShort,
    RejectReason::PrefixTooLong,
    RejectReason::BogonPrefix,
    RejectReason::AsPathEmpty,
    RejectReason::AsPathTooLong,
    RejectReason::AsPathHasSet,
    RejectReason::FirstAsNotClient,
    RejectReason::NextHopNotClient,
    RejectReason::BogonAsnInPath,
    RejectReason::PeeringServicePathTooLong,
    RejectReason::PeeringServicePrepended,
    RejectReason::PeeringServicePrivateAsn,
    RejectReason::OriginNotRegistered,
    RejectReason::RpkiInvalid,
];

impl RejectReason {
    /// The stable kebab-case name, e.g. `origin-not-registered`.
    pub const fn name(self) -> &'static str {
        match self {
            RejectReason::PrefixTooShort => "prefix-too-short",
            RejectReason::PrefixTooLong => "prefix-too-long",
            RejectReason::BogonPrefix => "bogon-prefix",
            RejectReason::AsPathEmpty => "as-path-empty",
            RejectReason::AsPathTooLong => "as-path-too-long",
            RejectReason::AsPathHasSet => "as-path-has-as-set",
            RejectReason::FirstAsNotClient => "first-as-not-client",
            RejectReason::NextHopNotClient => "next-hop-not-client",
            RejectReason::BogonAsnInPath => "bogon-asn-in-path",
            RejectReason::PeeringServicePathTooLong => "peering-service-path-too-long",
            RejectReason::PeeringServicePrepended => "peering-service-prepended",
            RejectReason::PeeringServicePrivateAsn => "peering-service-private-asn",
            RejectReason::OriginNotRegistered => "origin-not-registered",
            RejectReason::RpkiInvalid => "rpki-invalid",
        }
    }

    /// A sentence for the client's operator: what is wrong and what to change.
    pub const fn sentence(self) -> &'static str {
        match self {
            RejectReason::PrefixTooShort => {
                "The prefix is shorter than the route server accepts (IPv4 /8, IPv6 /19 by default); announce more specific prefixes."
            }
            RejectReason::PrefixTooLong => {
                "The prefix is longer than the route server accepts (IPv4 /24, IPv6 /48 by default); announce the covering aggregate."
            }
            RejectReason::BogonPrefix => {
                "The prefix is special-purpose, documentation, private or not global unicast (RFC 6890); it must not be announced on the Internet."
            }
            RejectReason::AsPathEmpty => "The AS_PATH is empty; a route from a client must carry at least the client's ASN.",
            RejectReason::AsPathTooLong => "The AS_PATH is longer than the route server's limit (64 by default); reduce prepending.",
            RejectReason::AsPathHasSet => "The AS_PATH contains an AS_SET, which route servers refuse (RFC 9774); announce without aggregation sets.",
            RejectReason::FirstAsNotClient => "The left-most ASN of the AS_PATH is not the client's ASN; the route must be announced by the client itself.",
            RejectReason::NextHopNotClient => "The NEXT_HOP is not the address of the client's session (RFC 7948 §4.8); set next-hop-self towards the route server.",
            RejectReason::BogonAsnInPath => "The AS_PATH contains a reserved, private, documentation or AS_TRANS ASN; remove private ASNs before announcing.",
            RejectReason::PeeringServicePathTooLong => "Peering Service prefixes must have an AS path of at most 3 ASNs.",
            RejectReason::PeeringServicePrepended => "Peering Service prefixes must not be prepended (the same ASN twice in a row).",
            RejectReason::PeeringServicePrivateAsn => "Peering Service prefixes must not carry private ASNs.",
            RejectReason::OriginNotRegistered => "The origin ASN is not a registered customer ASN of the exchange; register the ASN (AS8075 rule) or stop announcing the prefix.",
            RejectReason::RpkiInvalid => "RPKI origin validation says invalid (RFC 6811): a ROA covers the prefix but none matches the origin ASN and length; fix the ROA or the announcement.",
        }
    }

    /// The stored code (1..=14).
    pub const fn code(self) -> u8 {
        self as u8
    }

    /// From [`RejectReason::code`].
    pub fn from_code(code: u8) -> Option<RejectReason> {
        ALL_REASONS.iter().copied().find(|r| r.code() == code)
    }

    /// From [`RejectReason::name`].
    pub fn from_name(name: &str) -> Option<RejectReason> {
        ALL_REASONS.iter().copied().find(|r| r.name() == name)
    }
}

impl fmt::Display for RejectReason {
    /// The kebab-case name.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl serde::Serialize for RejectReason {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_reason_round_trips_through_its_code_and_name() {
        for r in ALL_REASONS {
            assert_eq!(RejectReason::from_code(r.code()), Some(r));
            assert_eq!(RejectReason::from_name(r.name()), Some(r));
            assert!(r.sentence().ends_with('.'), "{r}");
        }
        assert_eq!(RejectReason::from_code(0), None);
    }
}
