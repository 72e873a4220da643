//! The two unicast prefix types behind one trait, so the table, the import chain and the
//! export are written once; and the built-in bogon prefix lists.

use crate::config::ImportConfig;
use bgp_core::Family;
use ipnet::{IpNet, Ipv4Net, Ipv6Net};
use std::fmt::Debug;
use std::hash::Hash;
use std::net::{Ipv4Addr, Ipv6Addr};

/// Index of a family in per-family arrays: 0 for IPv4 unicast, 1 for IPv6 unicast.
pub type FamilyIndex = usize;

/// An IPv4 or IPv6 unicast prefix as the table stores it.
pub trait RoutePrefix: Copy + Eq + Hash + Ord + Debug + Send + Sync + 'static {
    /// The family.
    const FAMILY: Family;
    /// Position in per-family arrays.
    const INDEX: FamilyIndex;
    /// The prefix with host bits cleared (the table's key).
    fn normalized(self) -> Self;
    /// Prefix length.
    fn length(self) -> u8;
    /// As an `IpNet`.
    fn to_ipnet(self) -> IpNet;
    /// From an `IpNet` of this family.
    fn from_ipnet(net: IpNet) -> Option<Self>;
    /// The configured (minimum, maximum) accepted length.
    fn length_bounds(cfg: &ImportConfig) -> (u8, u8);
    /// Whether the prefix is inside a built-in bogon range.
    fn is_bogon(self) -> bool;
}

/// Built-in IPv4 bogons: RFC 6890 special-purpose blocks, RFC 1918 private ranges, RFC 5737
/// documentation, shared address space, benchmarking, multicast and class E (the list
/// IXP Manager and arouteserver ship).
pub const IPV4_BOGONS: &[(Ipv4Addr, u8)] = &[
    (Ipv4Addr::new(0, 0, 0, 0), 8),
    (Ipv4Addr::new(10, 0, 0, 0), 8),
    (Ipv4Addr::new(100, 64, 0, 0), 10),
    (Ipv4Addr::new(127, 0, 0, 0), 8),
    (Ipv4Addr::new(169, 254, 0, 0), 16),
    (Ipv4Addr::new(172, 16, 0, 0), 12),
    (Ipv4Addr::new(192, 0, 0, 0), 24),
    (Ipv4Addr::new(192, 0, 2, 0), 24),
    (Ipv4Addr::new(192, 88, 99, 0), 24),
    (Ipv4Addr::new(192, 168, 0, 0), 16),
    (Ipv4Addr::new(198, 18, 0, 0), 15),
    (Ipv4Addr::new(198, 51, 100, 0), 24),
    (Ipv4Addr::new(203, 0, 113, 0), 24),
    (Ipv4Addr::new(224, 0, 0, 0), 4),
    (Ipv4Addr::new(240, 0, 0, 0), 4),
];

/// Built-in IPv6 bogons (IXP Manager's list: RFC 6890 special-purpose, documentation, 6to4,
/// 6bone, ULA, link-local, site-local, multicast). Anything outside 2000::/3 (global unicast)
/// is a bogon too.
pub const IPV6_BOGONS: &[(Ipv6Addr, u8)] = &[
    (Ipv6Addr::new(0, 0, 0, 0, 0, 0, 0, 0), 8),
    (Ipv6Addr::new(0x0100, 0, 0, 0, 0, 0, 0, 0), 64),
    (Ipv6Addr::new(0x2001, 0x2, 0, 0, 0, 0, 0, 0), 48),
    (Ipv6Addr::new(0x2001, 0x10, 0, 0, 0, 0, 0, 0), 28),
    (Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 0), 32),
    (Ipv6Addr::new(0x2002, 0, 0, 0, 0, 0, 0, 0), 16),
    (Ipv6Addr::new(0x3ffe, 0, 0, 0, 0, 0, 0, 0), 16),
    (Ipv6Addr::new(0xfc00, 0, 0, 0, 0, 0, 0, 0), 7),
    (Ipv6Addr::new(0xfe80, 0, 0, 0, 0, 0, 0, 0), 10),
    (Ipv6Addr::new(0xfec0, 0, 0, 0, 0, 0, 0, 0), 10),
    (Ipv6Addr::new(0xff00, 0, 0, 0, 0, 0, 0, 0), 8),
];

#[inline]
fn covered32(addr: u32, len: u8, net: u32, net_len: u8) -> bool {
    len >= net_len && (net_len == 0 || (addr ^ net) >> (32 - net_len as u32) == 0)
}

#[inline]
fn covered128(addr: u128, len: u8, net: u128, net_len: u8) -> bool {
    len >= net_len && (net_len == 0 || (addr ^ net) >> (128 - net_len as u32) == 0)
}

impl RoutePrefix for Ipv4Net {
    const FAMILY: Family = Family::IPV4_UNICAST;
    const INDEX: FamilyIndex = 0;

    #[inline]
    fn normalized(self) -> Self {
        self.trunc()
    }

    #[inline]
    fn length(self) -> u8 {
        self.prefix_len()
    }

    fn to_ipnet(self) -> IpNet {
        IpNet::V4(self)
    }

    fn from_ipnet(net: IpNet) -> Option<Self> {
        match net {
            IpNet::V4(n) => Some(n),
            IpNet::V6(_) => None,
        }
    }

    fn length_bounds(cfg: &ImportConfig) -> (u8, u8) {
        (cfg.ipv4_min_length, cfg.ipv4_max_length)
    }

    #[inline]
    fn is_bogon(self) -> bool {
        let a = u32::from(self.addr());
        IPV4_BOGONS
            .iter()
            .any(|(n, l)| covered32(a, self.prefix_len(), u32::from(*n), *l))
    }
}

impl RoutePrefix for Ipv6Net {
    const FAMILY: Family = Family::IPV6_UNICAST;
    const INDEX: FamilyIndex = 1;

    #[inline]
    fn normalized(self) -> Self {
        self.trunc()
    }

    #[inline]
    fn length(self) -> u8 {
        self.prefix_len()
    }

    fn to_ipnet(self) -> IpNet {
        IpNet::V6(self)
    }

    fn from_ipnet(net: IpNet) -> Option<Self> {
        match net {
            IpNet::V6(n) => Some(n),
            IpNet::V4(_) => None,
        }
    }

    fn length_bounds(cfg: &ImportConfig) -> (u8, u8) {
        (cfg.ipv6_min_length, cfg.ipv6_max_length)
    }

    #[inline]
    fn is_bogon(self) -> bool {
        let a = u128::from(self.addr());
        let len = self.prefix_len();
        // Global unicast is 2000::/3; a prefix outside it (or covering more than it) is a bogon.
        let global = covered128(a, len, 0x2000u128 << 112, 3);
        !global || IPV6_BOGONS.iter().any(|(n, l)| covered128(a, len, u128::from(*n), *l))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v4(s: &str) -> Ipv4Net {
        s.parse().expect("prefix")
    }

    fn v6(s: &str) -> Ipv6Net {
        s.parse().expect("prefix")
    }

    #[test]
    fn private_documentation_and_special_prefixes_are_bogons() {
        for p in [
            "10.1.0.0/16",
            "192.168.1.0/24",
            "192.0.2.0/24",
            "100.64.0.0/10",
            "224.0.0.0/8",
            "0.0.0.0/8",
        ] {
            assert!(v4(p).is_bogon(), "{p}");
        }
        for p in [
            "2001:db8::/32",
            "fc00::/8",
            "fe80::/10",
            "2002::/16",
            "4000::/4",
            "::/8",
            "ff02::/16",
        ] {
            assert!(v6(p).is_bogon(), "{p}");
        }
    }

    #[test]
    fn ordinary_global_prefixes_are_not_bogons() {
        for p in ["1.1.1.0/24", "8.0.0.0/8", "172.32.0.0/16", "193.0.0.0/21"] {
            assert!(!v4(p).is_bogon(), "{p}");
        }
        for p in ["2001:4860::/32", "2a00:1450::/29", "2600::/12"] {
            assert!(!v6(p).is_bogon(), "{p}");
        }
    }
}
