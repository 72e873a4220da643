//! The session prefixes and addresses of one connection's BGP session.
//!
//! A session prefix is an IPv4 /30 or /31 or an IPv6 /126 or /127 holding exactly the two ends.
//! In a /30 the network and broadcast addresses are unusable; in a /126 the all-zero address is
//! the subnet-router anycast address (RFC 4291 §2.6.1), which routers refuse on an interface.

use std::net::IpAddr;

use ipnet::IpNet;

use crate::peering::finding::Finding;
use crate::peering::model::BgpSession;

/// One address family's view of a session.
struct Family {
    /// "IPv4" or "IPv6".
    name: &'static str,
    /// "V4" or "V6", as in the field names.
    suffix: &'static str,
    prefix: Option<IpNet>,
    microsoft: Option<IpAddr>,
    peer: Option<IpAddr>,
    /// Allowed prefix lengths: the point-to-point one first.
    lengths: [u8; 2],
    /// Field names of Microsoft's and the peer's address.
    fields: [&'static str; 2],
}

/// Checks the IPv4 and the IPv6 session of `connections[i]` (`path`).
pub fn check(path: &str, session: &BgpSession, out: &mut Vec<Finding>) {
    let families = [
        Family {
            name: "IPv4",
            suffix: "V4",
            prefix: session.session_prefix_v4.map(IpNet::V4),
            microsoft: session.microsoft_session_ipv4_address.map(IpAddr::V4),
            peer: session.peer_session_ipv4_address.map(IpAddr::V4),
            lengths: [31, 30],
            fields: ["microsoftSessionIPv4Address", "peerSessionIPv4Address"],
        },
        Family {
            name: "IPv6",
            suffix: "V6",
            prefix: session.session_prefix_v6.map(IpNet::V6),
            microsoft: session.microsoft_session_ipv6_address.map(IpAddr::V6),
            peer: session.peer_session_ipv6_address.map(IpAddr::V6),
            lengths: [127, 126],
            fields: ["microsoftSessionIPv6Address", "peerSessionIPv6Address"],
        },
    ];
    for family in &families {
        check_family(&format!("{path}.bgpSession"), family, out);
    }
}

// Just over 100 lines: the checks of one family's session prefixes and addresses, in the order
// the portal shows them; each is a few lines and reads as a list.
fn check_family(path: &str, family: &Family, out: &mut Vec<Finding>) {
    let (name, suffix) = (family.name, family.suffix);
    let prefix_path = format!("{path}.sessionPrefix{suffix}");
    let microsoft_path = format!("{path}.{}", family.fields[0]);
    let peer_path = format!("{path}.{}", family.fields[1]);
    let Some(prefix) = family.prefix else {
        if family.microsoft.is_none() && family.peer.is_none() {
            out.push(Finding::warning(
                format!("session-{}-missing", name.to_ascii_lowercase()),
                prefix_path,
                format!("the connection has no {name} session; Microsoft's policy expects both IPv4 and IPv6 sessions"),
                format!("add sessionPrefix{suffix} and both ends' {name} addresses"),
            ));
        } else {
            out.push(Finding::error(
                "session-prefix-missing",
                prefix_path,
                format!("{name} session addresses are given without sessionPrefix{suffix}"),
                format!(
                    "set sessionPrefix{suffix} to the /{} holding both addresses",
                    family.lengths[0]
                ),
            ));
        }
        return;
    };
    let [p2p, pair] = family.lengths;
    if prefix.prefix_len() != p2p && prefix.prefix_len() != pair {
        out.push(Finding::error(
            "session-prefix-length",
            prefix_path.clone(),
            format!(
                "{prefix} is a /{}; an {name} session prefix is a /{p2p} or a /{pair}",
                prefix.prefix_len()
            ),
            format!("use a /{p2p} (or a /{pair}) for the session"),
        ));
        return;
    }
    if prefix.trunc() != prefix {
        out.push(Finding::warning(
            "session-prefix-host-bits",
            prefix_path.clone(),
            format!(
                "{prefix} has host bits set; Azure expects the network address {}",
                prefix.trunc()
            ),
            format!("write it as {}", prefix.trunc()),
        ));
    }
    let network = prefix.trunc();
    let ends = [
        (family.microsoft, microsoft_path, "Microsoft's"),
        (family.peer, peer_path.clone(), "the peer's"),
    ];
    for (address, field_path, whose) in &ends {
        let Some(address) = *address else {
            out.push(Finding::error(
                "session-address-missing",
                field_path.clone(),
                format!("{whose} end of the {name} session has no address"),
                format!("set it to an address of {network}; the lab needs both ends to build the session"),
            ));
            continue;
        };
        if !network.contains(&address) {
            out.push(Finding::error(
                "session-address-outside-prefix",
                field_path.clone(),
                format!("{address} is not inside the session prefix {network}"),
                format!("pick {whose} address from {network}"),
            ));
        } else if network.prefix_len() == pair && address == network.network() {
            let (code, what) = match address {
                IpAddr::V4(_) => ("session-address-network-or-broadcast", "the network address"),
                IpAddr::V6(_) => (
                    "session-address-subnet-router-anycast",
                    "the subnet-router anycast address",
                ),
            };
            out.push(Finding::error(
                code,
                field_path.clone(),
                format!("{address} is {what} of {network}"),
                format!("use one of the two usable addresses of {network}, or a /{p2p}"),
            ));
        } else if network.prefix_len() == pair && address.is_ipv4() && address == network.broadcast() {
            out.push(Finding::error(
                "session-address-network-or-broadcast",
                field_path.clone(),
                format!("{address} is the broadcast address of {network}"),
                format!("use one of the two usable addresses of {network}, or a /{p2p}"),
            ));
        }
    }
    if let (Some(microsoft), Some(peer)) = (family.microsoft, family.peer) {
        if microsoft == peer {
            out.push(Finding::error(
                "session-addresses-equal",
                peer_path,
                format!("both ends of the {name} session are {peer}"),
                format!("give the peer the other address of {network}"),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn findings(session: BgpSession) -> Vec<(String, String)> {
        let mut out = Vec::new();
        check("connections[0]", &session, &mut out);
        out.into_iter().map(|f| (f.code, f.path)).collect()
    }

    fn v4(prefix: &str, microsoft: &str, peer: &str) -> BgpSession {
        BgpSession {
            session_prefix_v4: Some(prefix.parse().unwrap()),
            microsoft_session_ipv4_address: Some(microsoft.parse().unwrap()),
            peer_session_ipv4_address: Some(peer.parse().unwrap()),
            session_prefix_v6: Some("2a0e:1::/127".parse().unwrap()),
            microsoft_session_ipv6_address: Some("2a0e:1::".parse().unwrap()),
            peer_session_ipv6_address: Some("2a0e:1::1".parse().unwrap()),
            ..BgpSession::default()
        }
    }

    #[test]
    fn both_addresses_of_a_slash_31_are_usable() {
        assert!(findings(v4("185.1.0.0/31", "185.1.0.0", "185.1.0.1")).is_empty());
    }

    #[test]
    fn the_network_and_broadcast_addresses_of_a_slash_30_are_refused() {
        let got = findings(v4("185.1.0.0/30", "185.1.0.0", "185.1.0.3"));
        assert_eq!(
            got,
            [
                (
                    "session-address-network-or-broadcast".to_string(),
                    "connections[0].bgpSession.microsoftSessionIPv4Address".to_string()
                ),
                (
                    "session-address-network-or-broadcast".to_string(),
                    "connections[0].bgpSession.peerSessionIPv4Address".to_string()
                ),
            ]
        );
    }

    #[test]
    fn an_address_outside_the_prefix_and_equal_ends_are_errors() {
        let got = findings(v4("185.1.0.0/31", "185.1.0.2", "185.1.0.2"));
        let codes: Vec<&str> = got.iter().map(|(c, _)| c.as_str()).collect();
        assert_eq!(
            codes,
            [
                "session-address-outside-prefix",
                "session-address-outside-prefix",
                "session-addresses-equal"
            ]
        );
    }

    #[test]
    fn a_slash_29_is_the_wrong_length() {
        let got = findings(v4("185.1.0.0/29", "185.1.0.1", "185.1.0.2"));
        assert_eq!(
            got,
            [(
                "session-prefix-length".into(),
                "connections[0].bgpSession.sessionPrefixV4".into()
            )]
        );
    }

    #[test]
    fn a_missing_ipv6_session_is_only_a_warning() {
        let session = BgpSession {
            session_prefix_v6: None,
            ..v4("185.1.0.0/31", "185.1.0.0", "185.1.0.1")
        };
        let session = BgpSession {
            microsoft_session_ipv6_address: None,
            peer_session_ipv6_address: None,
            ..session
        };
        assert_eq!(
            findings(session),
            [(
                "session-ipv6-missing".into(),
                "connections[0].bgpSession.sessionPrefixV6".into()
            )]
        );
    }
}
