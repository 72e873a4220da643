//! Communities: standard (RFC 1997) with the IANA well-known names, extended (RFC 4360),
//! IPv6-address-specific extended (RFC 5701) and large (RFC 8092).

use std::fmt;
use std::str::FromStr;

/// A standard community, `ASN:value` (RFC 1997).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub struct Community(pub u32);

/// Well-known communities and their names (IANA "BGP Well-known Communities").
const WELL_KNOWN: &[(u32, &str)] = &[
    (0xFFFF_0000, "graceful-shutdown"),
    (0xFFFF_0001, "accept-own"),
    (0xFFFF_0006, "llgr-stale"),
    (0xFFFF_0007, "no-llgr"),
    (0xFFFF_029A, "blackhole"),
    (0xFFFF_FF01, "no-export"),
    (0xFFFF_FF02, "no-advertise"),
    (0xFFFF_FF03, "no-export-subconfed"),
    (0xFFFF_FF04, "no-peer"),
];

impl Community {
    /// NO_EXPORT (RFC 1997).
    pub const NO_EXPORT: Community = Community(0xFFFF_FF01);
    /// NO_ADVERTISE (RFC 1997).
    pub const NO_ADVERTISE: Community = Community(0xFFFF_FF02);
    /// NO_EXPORT_SUBCONFED (RFC 1997).
    pub const NO_EXPORT_SUBCONFED: Community = Community(0xFFFF_FF03);
    /// NOPEER (RFC 3765).
    pub const NO_PEER: Community = Community(0xFFFF_FF04);
    /// BLACKHOLE (RFC 7999).
    pub const BLACKHOLE: Community = Community(0xFFFF_029A);
    /// GRACEFUL_SHUTDOWN (RFC 8326).
    pub const GRACEFUL_SHUTDOWN: Community = Community(0xFFFF_0000);

    /// From the two halves.
    pub const fn new(high: u16, low: u16) -> Self {
        Community(((high as u32) << 16) | low as u32)
    }

    /// The high 16 bits (by convention an ASN).
    pub const fn high(self) -> u16 {
        (self.0 >> 16) as u16
    }

    /// The low 16 bits.
    pub const fn low(self) -> u16 {
        self.0 as u16
    }

    /// The IANA name of a well-known community.
    pub fn well_known_name(self) -> Option<&'static str> {
        WELL_KNOWN.iter().find(|(v, _)| *v == self.0).map(|(_, n)| *n)
    }
}

impl fmt::Display for Community {
    /// The well-known name where there is one, else `high:low`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.well_known_name() {
            Some(name) => f.write_str(name),
            None => write!(f, "{}:{}", self.high(), self.low()),
        }
    }
}

impl FromStr for Community {
    type Err = String;

    /// `high:low` or a well-known name.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if let Some((v, _)) = WELL_KNOWN.iter().find(|(_, n)| *n == s) {
            return Ok(Community(*v));
        }
        let (h, l) = s
            .split_once(':')
            .ok_or_else(|| format!("community `{s}` is not ASN:value or a well-known name"))?;
        let h: u16 = h
            .parse()
            .map_err(|_| format!("community `{s}`: high part must be 0..=65535"))?;
        let l: u16 = l
            .parse()
            .map_err(|_| format!("community `{s}`: low part must be 0..=65535"))?;
        Ok(Community::new(h, l))
    }
}

/// A large community, `global:local1:local2` (RFC 8092).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub struct LargeCommunity {
    /// Global administrator (an ASN).
    pub global: u32,
    /// First local data part.
    pub local1: u32,
    /// Second local data part.
    pub local2: u32,
}

impl LargeCommunity {
    /// From its three parts.
    pub const fn new(global: u32, local1: u32, local2: u32) -> Self {
        LargeCommunity { global, local1, local2 }
    }
}

impl fmt::Display for LargeCommunity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.global, self.local1, self.local2)
    }
}

impl FromStr for LargeCommunity {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let mut parts = s.split(':').map(str::parse::<u32>);
        match (parts.next(), parts.next(), parts.next(), parts.next()) {
            (Some(Ok(g)), Some(Ok(a)), Some(Ok(b)), None) => Ok(LargeCommunity::new(g, a, b)),
            _ => Err(format!(
                "large community `{s}` is not global:local1:local2 (three 32-bit numbers)"
            )),
        }
    }
}

/// An extended community: 8 octets, type, subtype and value (RFC 4360).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub struct ExtendedCommunity(pub [u8; 8]);

impl ExtendedCommunity {
    /// Type high octet (bit 0x40 clear means transitive).
    pub const fn type_high(self) -> u8 {
        self.0[0]
    }

    /// Subtype octet (for the regular types).
    pub const fn subtype(self) -> u8 {
        self.0[1]
    }
}

impl fmt::Display for ExtendedCommunity {
    /// Route targets and origins of the 2-octet-AS and IPv4 types as `rt:A:N` / `soo:A:N`
    /// (`rt:192.0.2.1:N`); everything else as `0x` and 16 hex digits.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let b = self.0;
        let tag = match b[1] {
            2 => Some("rt"),
            3 => Some("soo"),
            _ => None,
        };
        match (b[0], tag) {
            (0x00, Some(tag)) => {
                let asn = u16::from_be_bytes([b[2], b[3]]);
                let v = u32::from_be_bytes([b[4], b[5], b[6], b[7]]);
                write!(f, "{tag}:{asn}:{v}")
            }
            (0x01, Some(tag)) => {
                let v = u16::from_be_bytes([b[6], b[7]]);
                write!(f, "{tag}:{}.{}.{}.{}:{v}", b[2], b[3], b[4], b[5])
            }
            _ => {
                f.write_str("0x")?;
                b.iter().try_for_each(|x| write!(f, "{x:02x}"))
            }
        }
    }
}

impl FromStr for ExtendedCommunity {
    type Err = String;

    /// The forms [`ExtendedCommunity`]'s `Display` writes.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || format!("extended community `{s}` is not rt:ASN:N, soo:ASN:N, rt:IPv4:N or 0x + 16 hex digits");
        if let Some(hex) = s.strip_prefix("0x") {
            let v = u64::from_str_radix(hex, 16).map_err(|_| bad())?;
            if hex.len() != 16 {
                return Err(bad());
            }
            return Ok(ExtendedCommunity(v.to_be_bytes()));
        }
        let mut parts = s.splitn(3, ':');
        let (Some(tag), Some(admin), Some(val)) = (parts.next(), parts.next(), parts.next()) else {
            return Err(bad());
        };
        let sub = match tag {
            "rt" => 2,
            "soo" => 3,
            _ => return Err(bad()),
        };
        if let Ok(ip) = admin.parse::<std::net::Ipv4Addr>() {
            let v: u16 = val.parse().map_err(|_| bad())?;
            let o = ip.octets();
            let v = v.to_be_bytes();
            return Ok(ExtendedCommunity([0x01, sub, o[0], o[1], o[2], o[3], v[0], v[1]]));
        }
        let asn: u16 = admin.parse().map_err(|_| bad())?;
        let v: u32 = val.parse().map_err(|_| bad())?;
        let a = asn.to_be_bytes();
        let v = v.to_be_bytes();
        Ok(ExtendedCommunity([0x00, sub, a[0], a[1], v[0], v[1], v[2], v[3]]))
    }
}

/// An IPv6-address-specific extended community: 20 octets (RFC 5701).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub struct Ipv6ExtendedCommunity(pub [u8; 20]);

impl fmt::Display for Ipv6ExtendedCommunity {
    /// `0x` and 40 hex digits.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("0x")?;
        self.0.iter().try_for_each(|x| write!(f, "{x:02x}"))
    }
}

impl FromStr for Ipv6ExtendedCommunity {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let hex = s.strip_prefix("0x").filter(|h| h.len() == 40 && h.is_ascii());
        let hex = hex.ok_or_else(|| format!("IPv6 extended community `{s}` is not 0x + 40 hex digits"))?;
        let mut out = [0u8; 20];
        for (i, o) in out.iter_mut().enumerate() {
            *o = u8::from_str_radix(&hex[2 * i..2 * i + 2], 16)
                .map_err(|_| format!("IPv6 extended community `{s}`: bad hex"))?;
        }
        Ok(Ipv6ExtendedCommunity(out))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn well_known_communities_have_names_both_ways() {
        assert_eq!(Community::NO_EXPORT.to_string(), "no-export");
        assert_eq!("no-export".parse::<Community>(), Ok(Community::NO_EXPORT));
        assert_eq!(
            "65000:1".parse::<Community>().map(|c| c.to_string()),
            Ok("65000:1".to_string())
        );
    }

    #[test]
    fn extended_communities_round_trip_through_text() {
        for s in ["rt:65000:100", "soo:192.0.2.1:7", "0x8006000000000000"] {
            let c: ExtendedCommunity = s.parse().unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(c.to_string(), s);
        }
    }
}
