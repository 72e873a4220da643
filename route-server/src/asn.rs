//! ASN classes from the IANA "Autonomous System (AS) Numbers" and "Special-Purpose AS
//! Numbers" registries.

/// ASNs that must not appear in an Internet AS path: 0 (RFC 7607), AS_TRANS 23456
/// (RFC 6793), 64496–64511 documentation (RFC 5398), 64512–65534 private (RFC 6996), 65535
/// reserved (RFC 7300), 65536–65551 documentation (RFC 5398), 65552–131071 reserved,
/// 4200000000–4294967294 private (RFC 6996) and 4294967295 reserved (RFC 7300).
pub const fn is_bogon_asn(asn: u32) -> bool {
    matches!(asn, 0 | 23456 | 64496..=131071 | 4_200_000_000..=u32::MAX)
}

/// Private-use ASNs (RFC 6996): 64512–65534 and 4200000000–4294967294.
pub const fn is_private_asn(asn: u32) -> bool {
    matches!(asn, 64512..=65534 | 4_200_000_000..=4_294_967_294)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_iana_special_ranges_are_bogons_and_public_asns_are_not() {
        for asn in [
            0,
            23456,
            64496,
            64511,
            64512,
            65534,
            65535,
            65536,
            65551,
            131071,
            4_200_000_000,
            u32::MAX,
        ] {
            assert!(is_bogon_asn(asn), "{asn}");
        }
        for asn in [1, 8075, 13335, 64495, 131072, 4_199_999_999] {
            assert!(!is_bogon_asn(asn), "{asn}");
        }
        assert!(is_private_asn(64512) && is_private_asn(4_294_967_294));
        assert!(!is_private_asn(65535) && !is_private_asn(u32::MAX));
    }
}
