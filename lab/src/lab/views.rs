//! The running lab as Azure resources: the peering with its connections (states, session
//! states, `errorMessage`), its `registeredAsns`, its `receivedRoutes`, and the lab's own
//! status (the Connections view and each session's record).

use super::clock::now;
use super::lifecycle::session_state;
use super::rows::ConnectionRow;
use super::service_prefixes;
use super::state::Lab;
use crate::peering::enums::{ConnectionState, ProvisioningState};
use serde_json::{json, Value};
use std::collections::BTreeSet;

/// The Connections view: one row per connection not removed.
pub fn connection_rows(lab: &Lab) -> Vec<ConnectionRow> {
    let registered = lab.registered_set();
    (0..lab.top.connections.len())
        .filter(|c| !lab.gone(*c))
        .map(|c| {
            let conn = &lab.top.connections[c];
            let mut received = 0;
            let mut accepted = 0;
            for i in lab.edges_of(c) {
                for r in lab.speakers[i].rib.routes.values() {
                    received += 1;
                    accepted += usize::from(r.origin_as.is_some_and(|o| registered.contains(&o)));
                }
            }
            let [v4, v6] = lab.session_states_of(c);
            ConnectionRow {
                connection: conn.name.clone(),
                facility: conn.facility,
                connection_state: lab.connection_state_of(c),
                session_state_v4: v4,
                session_state_v6: v6,
                prefixes_received: received,
                prefixes_accepted: accepted,
                error_message: conn.error_message.clone(),
            }
        })
        .collect()
}

/// Connection `c` as an Azure `DirectConnection`, without its `md5AuthenticationKey`.
pub fn connection(lab: &Lab, c: usize) -> Value {
    let conn = &lab.top.connections[c];
    let mut r = conn.resource.clone();
    r.connection_identifier = Some(conn.name.clone());
    r.connection_state = Some(lab.connection_state_of(c));
    r.error_message.clone_from(&conn.error_message);
    if r.connection_state == Some(ConnectionState::Active) {
        r.provisioned_bandwidth_in_mbps = r.bandwidth_in_mbps;
    }
    let [v4, v6] = lab.session_states_of(c);
    if let Some(s) = r.bgp_session.as_mut() {
        s.session_state_v4 = Some(v4);
        s.session_state_v6 = Some(v6);
        // A secret is written, never read back: whether a session has a key shows as `md5`
        // in `/lab/status`.
        s.md5_authentication_key = None;
    }
    serde_json::to_value(r).unwrap_or(Value::Null)
}

/// The peering as an Azure `Microsoft.Peering/peerings` resource.
pub fn peering(lab: &Lab) -> Value {
    let p = &lab.file.peering;
    let connections: Vec<Value> = (0..lab.top.connections.len())
        .filter(|c| !lab.gone(*c))
        .map(|c| connection(lab, c))
        .collect();
    let settled = (0..lab.top.connections.len()).filter(|c| !lab.gone(*c)).all(|c| {
        matches!(
            lab.connection_state_of(c),
            ConnectionState::Active | ConnectionState::ProvisioningFailed
        )
    });
    let state = if lab.deprovisioning {
        ProvisioningState::Deleting
    } else if settled {
        ProvisioningState::Succeeded
    } else {
        ProvisioningState::Updating
    };
    json!({
        "name": lab.peering_name(),
        "type": "Microsoft.Peering/peerings",
        "kind": p.kind,
        "sku": { "name": p.sku },
        "location": p.location,
        "properties": {
            "direct": {
                "connections": connections,
                "peerAsn": { "id": p.peer_asn_id },
                "useForPeeringService": p.use_for_peering_service,
                "directPeeringType": p.direct_peering_type,
            },
            "peeringLocation": p.peering_location,
            "provisioningState": state,
        }
    })
}

/// One registered ASN as an Azure resource (`Null` when there is none of that name).
pub fn registration(lab: &Lab, name: &str) -> Value {
    lab.registrations
        .iter()
        .find(|r| r.name == name)
        .map(|r| {
            json!({
                "name": r.name,
                "type": "Microsoft.Peering/peerings/registeredAsns",
                "properties": {
                    "asn": r.asn,
                    "peeringServicePrefixKey": r.key,
                    "provisioningState": r.state,
                }
            })
        })
        .unwrap_or(Value::Null)
}

/// Every registered ASN, as an Azure list.
pub fn registered(lab: &Lab) -> Value {
    let v: Vec<Value> = lab.registrations.iter().map(|r| registration(lab, &r.name)).collect();
    json!({ "value": v })
}

/// The routes AS8075 received over the peering, as Azure `ReceivedRoutes`.
pub fn received_routes(lab: &Lab) -> Value {
    let at = now();
    let mut seen = BTreeSet::new();
    let mut v = Vec::new();
    for c in (0..lab.top.connections.len()).filter(|c| !lab.gone(*c)) {
        for i in lab.edges_of(c) {
            for r in lab.speakers[i].rib.routes.values() {
                let path = r.as_path.iter().map(u32::to_string).collect::<Vec<_>>().join(" ");
                if !seen.insert((r.prefix, r.next_hop.clone(), path.clone())) {
                    continue;
                }
                v.push(json!({
                    "prefix": r.prefix.to_string(),
                    "nextHop": r.next_hop,
                    "asPath": path,
                    "originAsValidationState": "None",
                    "rpkiValidationState": "NotFound",
                    "trustAnchor": "None",
                    "receivedTimestamp": at,
                }));
            }
        }
    }
    json!({ "value": v })
}

/// The lab's own status: the Connections view, the flags of the run and every session's
/// record (state, times Established, NOTIFICATIONs received and sent, TCP-MD5 on, the
/// max-prefix limit an edge enforces, the session states shown so far).
pub fn status(lab: &Lab) -> Value {
    let sessions: Vec<Value> = lab
        .top
        .speakers
        .iter()
        .zip(&lab.speakers)
        .map(|(s, r)| {
            json!({
                "speaker": s.name,
                "asn": s.asn,
                "sessionAddress": s.label.to_string(),
                "state": session_state(r.fsm),
                "removed": r.gone,
                "establishedCount": r.established_count,
                "notificationsReceived": r.notifications_received,
                "notificationsSent": r.notifications_sent,
                "md5": r.md5_signed,
                "maxPrefixes": r.tuning.max_prefixes,
                "history": r.history,
            })
        })
        .collect();
    json!({
        "peering": lab.peering_name(),
        "api": lab.api.map(|a| a.to_string()),
        "connections": connection_rows(lab),
        "registeredAsns": lab.registered_set(),
        "allEstablished": lab.all_established(),
        "converged": lab.converged(),
        "deprovisioning": lab.deprovisioning,
        "sessions": sessions,
        "peeringServicePrefixes": service_prefixes::rows(lab),
    })
}

#[cfg(test)]
mod tests {
    use crate::lab::state::Lab;
    use crate::lab::topology::{Role, Topology};
    use crate::peering::example::EXAMPLE_TOML;
    use crate::peering::load::{parse, Format};
    use bgp_core::fsm::negotiate::negotiate;
    use bgp_core::open::Open;
    use bgp_core::speaker::{Protection, SessionEvent};
    use std::net::Ipv4Addr;

    #[test]
    fn the_md5_flag_is_what_the_speaker_set_on_the_socket_not_the_configured_key() {
        let file = parse(EXAMPLE_TOML, Format::Toml).expect("example").file;
        let top = Topology::plan(&file).expect("plan");
        let mut lab = Lab::new(top, &file, false);
        let edge = lab
            .top
            .speakers
            .iter()
            .position(|s| matches!(s.role, Role::Edge { .. }))
            .expect("an edge");
        assert!(
            lab.speakers[edge].tuning.md5.is_some(),
            "the example gives the edges a key"
        );
        let md5_shown = |lab: &Lab| super::status(lab)["sessions"][edge]["md5"].clone();
        assert_eq!(md5_shown(&lab), false, "not connected yet: nothing set");
        let plan = &lab.top.speakers[edge];
        let config =
            bgp_core::fsm::SessionConfig::new(plan.name.as_str(), plan.asn, bgp_core::fsm::PeerAs::Any, plan.router_id);
        let open = Open::new(lab.top.rs.asn, 90, Ipv4Addr::new(10, 0, 0, 1), Vec::new());
        let established = |md5: bool| {
            SessionEvent::Established(Box::new(negotiate(&config, &open, lab.top.rs.asn)), Protection { md5 })
        };
        let (unsigned, signed) = (established(false), established(true));
        lab.observe(edge, &unsigned);
        assert_eq!(md5_shown(&lab), false, "a key configured but not set on the socket");
        lab.observe(edge, &signed);
        assert_eq!(md5_shown(&lab), true);
    }
}
