//! The connections: at least one, each with a `Peer` address provider, a facility, a
//! bandwidth and a BGP session; identifiers and session addresses unique across connections.

use std::collections::HashMap;
use std::net::IpAddr;

use ipnet::IpNet;

use super::common::is_guid;
use super::{limits, sessions};
use crate::peering::enums::{ConnectionState, SessionAddressProvider};
use crate::peering::finding::Finding;
use crate::peering::model::{DirectConnection, PeeringFile};

/// Checks every connection and what they must not share.
pub fn check(file: &PeeringFile, out: &mut Vec<Finding>) {
    if file.connections.is_empty() {
        out.push(Finding::error(
            "connections-missing",
            "connections",
            "the peering has no connection",
            "add at least one [[connections]] entry with its facility, bandwidth and BGP session",
        ));
    }
    let mut identifiers: HashMap<String, usize> = HashMap::new();
    for (i, connection) in file.connections.iter().enumerate() {
        let path = format!("connections[{i}]");
        check_connection(&path, connection, out);
        if let Some(id) = &connection.connection_identifier {
            if let Some(first) = identifiers.insert(id.to_ascii_lowercase(), i) {
                out.push(Finding::error(
                    "connection-identifier-duplicate",
                    format!("{path}.connectionIdentifier"),
                    format!("connection identifier {id} is also used by connections[{first}]"),
                    "give every connection its own GUID",
                ));
            }
        }
    }
    check_shared_addresses(file, out);
}

/// Checks one connection on its own (`path` is where it sits, e.g. `connections[0]`): its
/// fields, its session prefixes and addresses, its limits and TCP-MD5 key. What connections
/// must not share is checked by [`check`].
pub fn check_connection(path: &str, connection: &DirectConnection, out: &mut Vec<Finding>) {
    check_one(path, connection, out);
    if let Some(session) = &connection.bgp_session {
        sessions::check(path, session, out);
        limits::check(path, session, out);
    }
}

fn check_one(path: &str, connection: &DirectConnection, out: &mut Vec<Finding>) {
    if connection.session_address_provider != Some(SessionAddressProvider::Peer) {
        let provider = connection.session_address_provider.map_or("not set", |p| p.as_str());
        out.push(Finding::error(
            "session-address-provider-not-peer",
            format!("{path}.sessionAddressProvider"),
            format!(
                "the session address provider is {provider}; on an exchange with route server the peer supplies them"
            ),
            "set sessionAddressProvider = \"Peer\" and give the session prefixes",
        ));
    }
    if connection.bandwidth_in_mbps.unwrap_or(0) == 0 {
        out.push(Finding::error(
            "bandwidth-missing",
            format!("{path}.bandwidthInMbps"),
            "the connection has no bandwidth",
            "set bandwidthInMbps to the port speed, e.g. 10000 or 100000",
        ));
    }
    if connection.peering_db_facility_id.is_none() {
        out.push(Finding::error(
            "facility-missing",
            format!("{path}.peeringDBFacilityId"),
            "the connection has no PeeringDB facility",
            "set peeringDBFacilityId to the PeeringDB id of the facility where Microsoft and the exchange meet",
        ));
    }
    if connection.use_for_peering_service != Some(true) {
        out.push(Finding::warning(
            "connection-not-for-peering-service",
            format!("{path}.useForPeeringService"),
            "the connection is not used for Peering Service, so registered customers' traffic will not use it",
            "set useForPeeringService = true",
        ));
    }
    if let Some(id) = connection.connection_identifier.as_deref().filter(|id| !is_guid(id)) {
        out.push(Finding::warning(
            "connection-identifier-not-guid",
            format!("{path}.connectionIdentifier"),
            format!("\"{id}\" is not a GUID"),
            "use a GUID such as 5f4cb5c7-6b43-4444-9338-9abc72606c16, or leave it out",
        ));
    }
    if connection.connection_state == Some(ConnectionState::ProvisioningFailed) {
        let reason = connection
            .error_message
            .as_deref()
            .map_or(String::new(), |m| format!(": {m}"));
        out.push(Finding::error(
            "connection-provisioning-failed",
            format!("{path}.connectionState"),
            format!("provisioning of the connection failed{reason}"),
            "correct what errorMessage names (often the session addresses or the ASN) and update the connection",
        ));
    }
    if connection.bgp_session.is_none() {
        out.push(Finding::error(
            "bgp-session-missing",
            format!("{path}.bgpSession"),
            "the connection has no BGP session",
            "add a bgpSession with sessionPrefixV4/V6 and both ends' addresses",
        ));
    }
}

/// No address may serve two connections, and no two connections' session prefixes overlap.
fn check_shared_addresses(file: &PeeringFile, out: &mut Vec<Finding>) {
    let mut seen: HashMap<IpAddr, (usize, String)> = HashMap::new();
    let mut prefixes: Vec<(usize, IpNet, String)> = Vec::new();
    for (i, connection) in file.connections.iter().enumerate() {
        let Some(session) = &connection.bgp_session else {
            continue;
        };
        let path = format!("connections[{i}].bgpSession");
        let addresses: [(Option<IpAddr>, &str); 4] = [
            (
                session.microsoft_session_ipv4_address.map(IpAddr::V4),
                "microsoftSessionIPv4Address",
            ),
            (
                session.peer_session_ipv4_address.map(IpAddr::V4),
                "peerSessionIPv4Address",
            ),
            (
                session.microsoft_session_ipv6_address.map(IpAddr::V6),
                "microsoftSessionIPv6Address",
            ),
            (
                session.peer_session_ipv6_address.map(IpAddr::V6),
                "peerSessionIPv6Address",
            ),
        ];
        for (address, field) in addresses {
            let Some(address) = address else { continue };
            let here = format!("{path}.{field}");
            match seen.get(&address) {
                Some((first, first_path)) if *first != i => out.push(Finding::error(
                    "session-address-duplicate",
                    here,
                    format!("{address} is also used by {first_path}"),
                    "give each connection its own session prefix and addresses",
                )),
                Some(_) => {}
                None => {
                    seen.insert(address, (i, here));
                }
            }
        }
        let nets = [
            (
                session.session_prefix_v4.map(|p| IpNet::V4(p.trunc())),
                "sessionPrefixV4",
            ),
            (
                session.session_prefix_v6.map(|p| IpNet::V6(p.trunc())),
                "sessionPrefixV6",
            ),
        ];
        for (net, field) in nets {
            let Some(net) = net else { continue };
            let here = format!("{path}.{field}");
            if let Some((_, other, other_path)) = prefixes
                .iter()
                .find(|(j, p, _)| *j != i && (p.contains(&net) || net.contains(p)))
            {
                out.push(Finding::error(
                    "session-prefix-overlap",
                    here.clone(),
                    format!("{net} overlaps {other} of {other_path}"),
                    "give each connection its own, non-overlapping session prefix",
                ));
            }
            prefixes.push((i, net, here));
        }
    }
}
