//! Address families and other small protocol constants shared by every module.

use std::fmt;
use std::str::FromStr;

/// AFI for IPv4 (RFC 4760, IANA "Address Family Numbers").
pub const AFI_IPV4: u16 = 1;
/// AFI for IPv6.
pub const AFI_IPV6: u16 = 2;
/// SAFI for unicast forwarding.
pub const SAFI_UNICAST: u8 = 1;
/// SAFI for multicast forwarding.
pub const SAFI_MULTICAST: u8 = 2;

/// The reserved 2-octet AS used in place of a 4-octet AS on 2-octet sessions (RFC 6793).
pub const AS_TRANS: u32 = 23456;

/// Message type codes (RFC 4271 §4.1, RFC 2918).
pub mod msg_type {
    /// OPEN.
    pub const OPEN: u8 = 1;
    /// UPDATE.
    pub const UPDATE: u8 = 2;
    /// NOTIFICATION.
    pub const NOTIFICATION: u8 = 3;
    /// KEEPALIVE.
    pub const KEEPALIVE: u8 = 4;
    /// ROUTE-REFRESH (RFC 2918).
    pub const ROUTE_REFRESH: u8 = 5;
}

/// Length of the fixed BGP header: 16-octet marker, 2-octet length, 1-octet type.
pub const HEADER_LEN: usize = 19;
/// Maximum message size without the extended message capability (RFC 4271).
pub const MAX_MESSAGE_LEN: usize = 4096;
/// Maximum message size with the extended message capability (RFC 8654).
pub const MAX_EXTENDED_MESSAGE_LEN: usize = 65535;

/// An AFI/SAFI pair, e.g. IPv4 unicast (1/1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub struct Family {
    /// Address family identifier.
    pub afi: u16,
    /// Subsequent address family identifier.
    pub safi: u8,
}

impl Family {
    /// IPv4 unicast (1/1).
    pub const IPV4_UNICAST: Family = Family {
        afi: AFI_IPV4,
        safi: SAFI_UNICAST,
    };
    /// IPv6 unicast (2/1).
    pub const IPV6_UNICAST: Family = Family {
        afi: AFI_IPV6,
        safi: SAFI_UNICAST,
    };

    /// A family from its numbers.
    pub const fn new(afi: u16, safi: u8) -> Self {
        Family { afi, safi }
    }
}

impl fmt::Display for Family {
    /// `ipv4-unicast`, `ipv6-unicast`, `ipv4-multicast`, `ipv6-multicast`, otherwise `AFI/SAFI`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.afi, self.safi) {
            (AFI_IPV4, SAFI_UNICAST) => f.write_str("ipv4-unicast"),
            (AFI_IPV6, SAFI_UNICAST) => f.write_str("ipv6-unicast"),
            (AFI_IPV4, SAFI_MULTICAST) => f.write_str("ipv4-multicast"),
            (AFI_IPV6, SAFI_MULTICAST) => f.write_str("ipv6-multicast"),
            (afi, safi) => write!(f, "{afi}/{safi}"),
        }
    }
}

impl FromStr for Family {
    type Err = String;

    /// Parses the names [`Family`]'s `Display` writes, and `AFI/SAFI` numbers.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "ipv4-unicast" => Ok(Family::IPV4_UNICAST),
            "ipv6-unicast" => Ok(Family::IPV6_UNICAST),
            "ipv4-multicast" => Ok(Family::new(AFI_IPV4, SAFI_MULTICAST)),
            "ipv6-multicast" => Ok(Family::new(AFI_IPV6, SAFI_MULTICAST)),
            other => {
                let (a, s2) = other.split_once('/').ok_or_else(|| {
                    format!("unknown family `{other}`: use ipv4-unicast, ipv6-unicast or AFI/SAFI numbers")
                })?;
                let afi = a.parse().map_err(|_| format!("bad AFI in `{other}`"))?;
                let safi = s2.parse().map_err(|_| format!("bad SAFI in `{other}`"))?;
                Ok(Family::new(afi, safi))
            }
        }
    }
}
