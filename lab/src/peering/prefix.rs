//! Which customer prefixes Microsoft's Peering Service accepts: globally routable ones, no
//! default route, nothing longer than an IPv4 /24 or an IPv6 /48.
//!
//! Ranges from the IANA IPv4 and IPv6 Special-Purpose Address registries (RFC 6890 and its
//! updates) and the IPv6 documentation ranges (RFC 3849, RFC 9637).
//!
//! The length limits: Microsoft's Peering Service rules ask for prefixes the internet carries,
//! and the internet's common filters drop IPv4 longer than /24 and IPv6 longer than /48, so a
//! longer prefix could not be reached over Peering Service anyway. The same limits apply to
//! what a lab customer announces (a warning there) and to a registered Peering Service prefix
//! (which Microsoft would not validate: an error, `Invalid`).

use std::net::{Ipv4Addr, Ipv6Addr};

use ipnet::{IpNet, Ipv4Net, Ipv6Net};

/// The longest IPv4 prefix Peering Service validates (and most networks accept).
pub const MAX_LEN_V4: u8 = 24;
/// The longest IPv6 prefix Peering Service validates (and most networks accept).
pub const MAX_LEN_V6: u8 = 48;

/// Special-purpose IPv4 ranges and what they are.
const SPECIAL_V4: [(Ipv4Addr, u8, &str); 16] = [
    (Ipv4Addr::new(0, 0, 0, 0), 8, "\"this network\" (RFC 791)"),
    (Ipv4Addr::new(10, 0, 0, 0), 8, "private (RFC 1918)"),
    (Ipv4Addr::new(100, 64, 0, 0), 10, "shared CGN space (RFC 6598)"),
    (Ipv4Addr::new(127, 0, 0, 0), 8, "loopback (RFC 1122)"),
    (Ipv4Addr::new(169, 254, 0, 0), 16, "link-local (RFC 3927)"),
    (Ipv4Addr::new(172, 16, 0, 0), 12, "private (RFC 1918)"),
    (Ipv4Addr::new(192, 0, 0, 0), 24, "IETF protocol assignments (RFC 6890)"),
    (Ipv4Addr::new(192, 0, 2, 0), 24, "documentation (RFC 5737)"),
    (
        Ipv4Addr::new(192, 88, 99, 0),
        24,
        "deprecated 6to4 relay anycast (RFC 7526)",
    ),
    (Ipv4Addr::new(192, 168, 0, 0), 16, "private (RFC 1918)"),
    (Ipv4Addr::new(198, 18, 0, 0), 15, "benchmarking (RFC 2544)"),
    (Ipv4Addr::new(198, 51, 100, 0), 24, "documentation (RFC 5737)"),
    (Ipv4Addr::new(203, 0, 113, 0), 24, "documentation (RFC 5737)"),
    (Ipv4Addr::new(224, 0, 0, 0), 4, "multicast (RFC 5771)"),
    (Ipv4Addr::new(240, 0, 0, 0), 4, "reserved (RFC 1112)"),
    (Ipv4Addr::new(255, 255, 255, 255), 32, "limited broadcast (RFC 919)"),
];

/// Special-purpose ranges inside IPv6 global unicast (2000::/3) and what they are.
const SPECIAL_V6: [(Ipv6Addr, u8, &str); 5] = [
    (Ipv6Addr::new(0x2001, 0, 0, 0, 0, 0, 0, 0), 32, "Teredo (RFC 4380)"),
    (
        Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 0),
        32,
        "documentation (RFC 3849)",
    ),
    (Ipv6Addr::new(0x2002, 0, 0, 0, 0, 0, 0, 0), 16, "6to4 (RFC 3056)"),
    (
        Ipv6Addr::new(0x3ffe, 0, 0, 0, 0, 0, 0, 0),
        16,
        "former 6bone (RFC 3701)",
    ),
    (
        Ipv6Addr::new(0x3fff, 0, 0, 0, 0, 0, 0, 0),
        20,
        "documentation (RFC 9637)",
    ),
];

/// Why an IPv4 prefix is not globally routable, or `None` when it is.
pub fn special_v4(prefix: &Ipv4Net) -> Option<&'static str> {
    SPECIAL_V4.iter().find_map(|&(addr, len, what)| {
        let range = Ipv4Net::new(addr, len).ok()?;
        range.contains(&prefix.network()).then_some(what)
    })
}

/// Why an IPv6 prefix is not globally routable, or `None` when it is.
pub fn special_v6(prefix: &Ipv6Net) -> Option<&'static str> {
    let global = Ipv6Net::new(Ipv6Addr::new(0x2000, 0, 0, 0, 0, 0, 0, 0), 3).ok()?;
    if !global.contains(&prefix.network()) {
        return Some("outside global unicast 2000::/3 (RFC 4291)");
    }
    SPECIAL_V6.iter().find_map(|&(addr, len, what)| {
        let range = Ipv6Net::new(addr, len).ok()?;
        range.contains(&prefix.network()).then_some(what)
    })
}

/// What makes a prefix unfit to announce to Microsoft or to register for Peering Service.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PrefixIssue {
    /// Written with host bits set (`185.42.136.1/22`).
    HostBits,
    /// `0.0.0.0/0` or `::/0`: Microsoft accepts no default route.
    DefaultRoute,
    /// Not globally routable; the reason, e.g. "private (RFC 1918)".
    NotPublic(&'static str),
    /// Longer than the family's limit ([`MAX_LEN_V4`], [`MAX_LEN_V6`]), which it carries.
    TooSpecific(u8),
}

impl PrefixIssue {
    /// The issues of `prefix`: host bits first, then at most one of default route, not public
    /// and too specific (judged on the prefix without its host bits).
    pub fn of(prefix: &IpNet) -> Vec<PrefixIssue> {
        let net = prefix.trunc();
        let mut issues = Vec::new();
        if net != *prefix {
            issues.push(PrefixIssue::HostBits);
        }
        let (special, max_len) = match &net {
            IpNet::V4(p) => (special_v4(p), MAX_LEN_V4),
            IpNet::V6(p) => (special_v6(p), MAX_LEN_V6),
        };
        if net.prefix_len() == 0 {
            issues.push(PrefixIssue::DefaultRoute);
        } else if let Some(what) = special {
            issues.push(PrefixIssue::NotPublic(what));
        } else if net.prefix_len() > max_len {
            issues.push(PrefixIssue::TooSpecific(max_len));
        }
        issues
    }

    /// The suffix of a finding code: `host-bits`, `default-route`, `not-public`, `too-specific`.
    pub fn code_suffix(self) -> &'static str {
        match self {
            PrefixIssue::HostBits => "host-bits",
            PrefixIssue::DefaultRoute => "default-route",
            PrefixIssue::NotPublic(_) => "not-public",
            PrefixIssue::TooSpecific(_) => "too-specific",
        }
    }

    /// What is wrong with `prefix`, in words.
    pub fn describe(self, prefix: &IpNet) -> String {
        match self {
            PrefixIssue::HostBits => format!("{prefix} has host bits set"),
            PrefixIssue::DefaultRoute => format!("{prefix} is a default route; Microsoft accepts no default routes"),
            PrefixIssue::NotPublic(what) => {
                format!("{prefix} is {what}; Peering Service prefixes must be public")
            }
            PrefixIssue::TooSpecific(max) => format!(
                "{prefix} is longer than /{max}: Peering Service validates nothing longer, and most networks filter it"
            ),
        }
    }

    /// How to fix it.
    pub fn fix(self, prefix: &IpNet) -> String {
        match self {
            PrefixIssue::HostBits => format!("write it as {}", prefix.trunc()),
            PrefixIssue::DefaultRoute => "use the customer's own prefixes only".into(),
            PrefixIssue::NotPublic(_) => "use the customer's public, registered prefixes".into(),
            PrefixIssue::TooSpecific(max) => format!("use a /{max} or shorter"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_and_documentation_ipv4_prefixes_are_special() {
        for (text, special) in [
            ("10.1.0.0/16", true),
            ("172.31.0.0/16", true),
            ("192.0.2.0/24", true),
            ("100.64.0.0/12", true),
            ("185.1.0.0/24", false),
            ("8.8.8.0/24", false),
        ] {
            let prefix: Ipv4Net = text.parse().unwrap();
            assert_eq!(special_v4(&prefix).is_some(), special, "{text}");
        }
    }

    #[test]
    fn only_global_unicast_ipv6_outside_documentation_is_routable() {
        for (text, special) in [
            ("2001:db8:1::/48", true),
            ("fd00::/8", true),
            ("fe80::/64", true),
            ("3fff:100::/24", true),
            ("2a0e:1234::/32", false),
            ("2001:67c:1::/48", false),
        ] {
            let prefix: Ipv6Net = text.parse().unwrap();
            assert_eq!(special_v6(&prefix).is_some(), special, "{text}");
        }
    }

    #[test]
    fn issues_are_host_bits_then_one_of_default_private_or_too_long() {
        let issues = |text: &str| PrefixIssue::of(&text.parse().unwrap());
        assert_eq!(issues("185.42.136.0/22"), []);
        assert_eq!(issues("2a0e:8f00::/32"), []);
        assert_eq!(issues("185.42.136.0/24"), []);
        assert_eq!(issues("2a0e:8f00::/48"), []);
        assert_eq!(issues("185.42.136.1/22"), [PrefixIssue::HostBits]);
        assert_eq!(issues("0.0.0.0/0"), [PrefixIssue::DefaultRoute]);
        assert_eq!(issues("::/0"), [PrefixIssue::DefaultRoute]);
        assert_eq!(issues("10.0.0.0/8"), [PrefixIssue::NotPublic("private (RFC 1918)")]);
        assert_eq!(issues("185.42.136.0/25"), [PrefixIssue::TooSpecific(24)]);
        assert_eq!(issues("2a0e:8f00::/49"), [PrefixIssue::TooSpecific(48)]);
        assert_eq!(
            issues("192.168.1.1/16"),
            [PrefixIssue::HostBits, PrefixIssue::NotPublic("private (RFC 1918)")]
        );
        let prefix: IpNet = "185.42.136.1/22".parse().unwrap();
        assert_eq!(PrefixIssue::HostBits.fix(&prefix), "write it as 185.42.136.0/22");
        assert_eq!(PrefixIssue::TooSpecific(24).code_suffix(), "too-specific");
    }
}
