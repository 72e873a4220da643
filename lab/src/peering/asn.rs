//! Which ASNs may appear on Microsoft's peering: public ones, not Microsoft's own.
//!
//! Ranges from the IANA "Special-Purpose AS Numbers" registry: RFC 7607 (AS 0), RFC 6793
//! (AS_TRANS 23456), RFC 5398 (documentation), RFC 6996 (private use), RFC 7300 (last ASNs).

/// ASNs of Microsoft's own networks: AS8075 (the peering's other end), AS8069 (reserved for
/// special applications, not for this product) and AS12076 (ExpressRoute, which peers filter).
pub const MICROSOFT_ASNS: [u32; 3] = [8075, 8069, 12076];

/// What kind of ASN a number is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AsnClass {
    /// A public ASN a peering may use.
    Public,
    /// Private use: 64512–65534, 4200000000–4294967294.
    Private,
    /// Reserved: 0, 65535, 65552–131071, 4294967295, and 23456 (AS_TRANS).
    Reserved,
    /// Documentation: 64496–64511, 65536–65551.
    Documentation,
    /// One of Microsoft's own ASNs.
    Microsoft,
}

impl AsnClass {
    /// Classifies an ASN.
    pub fn of(asn: u32) -> AsnClass {
        match asn {
            0 | 23456 | 65535 | 65552..=131071 | 4294967295 => AsnClass::Reserved,
            64496..=64511 | 65536..=65551 => AsnClass::Documentation,
            64512..=65534 | 4200000000..=4294967294 => AsnClass::Private,
            _ if MICROSOFT_ASNS.contains(&asn) => AsnClass::Microsoft,
            _ => AsnClass::Public,
        }
    }

    /// The suffix of the finding code for this class (`private`, `reserved`, …); `None` for
    /// a public ASN.
    pub fn code_suffix(self) -> Option<&'static str> {
        match self {
            AsnClass::Public => None,
            AsnClass::Private => Some("private"),
            AsnClass::Reserved => Some("reserved"),
            AsnClass::Documentation => Some("documentation"),
            AsnClass::Microsoft => Some("microsoft"),
        }
    }

    /// Why an ASN of this class is not acceptable, in words, for `asn`.
    pub fn describe(self, asn: u32) -> String {
        match self {
            AsnClass::Public => format!("AS{asn} is public"),
            AsnClass::Private => format!("AS{asn} is a private-use ASN (RFC 6996)"),
            AsnClass::Reserved if asn == 23456 => format!("AS{asn} is AS_TRANS (RFC 6793), not a real ASN"),
            AsnClass::Reserved => format!("AS{asn} is a reserved ASN"),
            AsnClass::Documentation => format!("AS{asn} is a documentation ASN (RFC 5398)"),
            AsnClass::Microsoft => format!("AS{asn} is one of Microsoft's own ASNs"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_edges_of_every_special_range_are_classified() {
        let cases = [
            (0, AsnClass::Reserved),
            (1, AsnClass::Public),
            (8075, AsnClass::Microsoft),
            (8069, AsnClass::Microsoft),
            (12076, AsnClass::Microsoft),
            (23456, AsnClass::Reserved),
            (64495, AsnClass::Public),
            (64496, AsnClass::Documentation),
            (64511, AsnClass::Documentation),
            (64512, AsnClass::Private),
            (65534, AsnClass::Private),
            (65535, AsnClass::Reserved),
            (65536, AsnClass::Documentation),
            (65551, AsnClass::Documentation),
            (65552, AsnClass::Reserved),
            (131071, AsnClass::Reserved),
            (131072, AsnClass::Public),
            (4199999999, AsnClass::Public),
            (4200000000, AsnClass::Private),
            (4294967294, AsnClass::Private),
            (4294967295, AsnClass::Reserved),
        ];
        for (asn, class) in cases {
            assert_eq!(AsnClass::of(asn), class, "AS{asn}");
        }
    }

    #[test]
    fn only_a_public_asn_has_no_code_suffix() {
        assert_eq!(AsnClass::Public.code_suffix(), None);
        assert_eq!(AsnClass::of(64512).code_suffix(), Some("private"));
        assert!(AsnClass::of(23456).describe(23456).contains("AS_TRANS"));
    }
}
