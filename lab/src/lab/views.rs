//! The running lab as Azure resources: the peering with its connections (states, session
//! states, `errorMessage`), its `registeredAsns`, its `receivedRoutes`, and the lab's own
//! status (the Connections view and each session's record).

use super::lifecycle::{connection_state, session_state};
use super::report::ConnectionRow;
use super::runner::Lab;
use super::tuning::Tuning;
use crate::peering::enums::{ConnectionState, ProvisioningState, SessionState};
use serde_json::{json, Value};
use std::collections::BTreeSet;

/// Seconds since 1970 as an RFC 3339 UTC timestamp.
fn rfc3339(secs: u64) -> String {
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

fn now() -> String {
    rfc3339(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or_default(),
    )
}

impl Lab {
    /// The peering's resource name (`peering` when the file gives none).
    pub fn peering_name(&self) -> String {
        self.file.peering.name.clone().unwrap_or_else(|| "peering".to_owned())
    }

    /// The `connectionState` of connection `c` now.
    pub fn connection_state_of(&self, c: usize) -> ConnectionState {
        let conn = &self.top.connections[c];
        if conn.error_message.is_some() {
            ConnectionState::ProvisioningFailed
        } else if self.life[c].removing || self.gone(c) {
            ConnectionState::PendingRemove
        } else {
            connection_state(&self.facts[c])
        }
    }

    /// `sessionStateV4` and `sessionStateV6` of connection `c` now (`PendingUpdate` while a
    /// session is being changed).
    pub fn session_states_of(&self, c: usize) -> [SessionState; 2] {
        let conn = &self.top.connections[c];
        [conn.v4, conn.v6].map(|s| match s {
            _ if conn.error_message.is_some() => SessionState::None,
            None => SessionState::None,
            Some(_) if self.life[c].removing || self.gone(c) => SessionState::PendingRemove,
            Some(i) if self.is_updating(i) => SessionState::PendingUpdate,
            Some(i) => session_state(self.fsm.get(i).copied().flatten()),
        })
    }

    fn registered_set(&self) -> BTreeSet<u32> {
        self.registrations.iter().map(|r| r.asn).collect()
    }

    /// The Connections view: one row per connection not removed.
    pub fn connection_rows(&self) -> Vec<ConnectionRow> {
        let registered = self.registered_set();
        (0..self.top.connections.len())
            .filter(|c| !self.gone(*c))
            .map(|c| {
                let conn = &self.top.connections[c];
                let mut received = 0;
                let mut accepted = 0;
                for i in [conn.v4, conn.v6].into_iter().flatten() {
                    for r in self.ribs[i].routes.values() {
                        received += 1;
                        accepted += usize::from(r.origin_as.is_some_and(|o| registered.contains(&o)));
                    }
                }
                let [v4, v6] = self.session_states_of(c);
                ConnectionRow {
                    connection: conn.name.clone(),
                    facility: conn.facility,
                    connection_state: self.connection_state_of(c),
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
    pub fn connection_view(&self, c: usize) -> Value {
        let conn = &self.top.connections[c];
        let mut r = conn.resource.clone();
        r.connection_identifier = Some(conn.name.clone());
        r.connection_state = Some(self.connection_state_of(c));
        r.error_message.clone_from(&conn.error_message);
        if r.connection_state == Some(ConnectionState::Active) {
            r.provisioned_bandwidth_in_mbps = r.bandwidth_in_mbps;
        }
        let [v4, v6] = self.session_states_of(c);
        if let Some(s) = r.bgp_session.as_mut() {
            s.session_state_v4 = Some(v4);
            s.session_state_v6 = Some(v6);
            // A secret is written, never read back: whether a session has a key shows as
            // `md5` in `/lab/status`.
            s.md5_authentication_key = None;
        }
        serde_json::to_value(r).unwrap_or(Value::Null)
    }

    /// The peering as an Azure `Microsoft.Peering/peerings` resource.
    pub fn peering_view(&self) -> Value {
        let p = &self.file.peering;
        let connections: Vec<Value> = (0..self.top.connections.len())
            .filter(|c| !self.gone(*c))
            .map(|c| self.connection_view(c))
            .collect();
        let settled = (0..self.top.connections.len()).filter(|c| !self.gone(*c)).all(|c| {
            matches!(
                self.connection_state_of(c),
                ConnectionState::Active | ConnectionState::ProvisioningFailed
            )
        });
        let state = if self.deprovisioning {
            ProvisioningState::Deleting
        } else if settled {
            ProvisioningState::Succeeded
        } else {
            ProvisioningState::Updating
        };
        json!({
            "name": self.peering_name(),
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
    pub fn registration_view(&self, name: &str) -> Value {
        self.registrations
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
    pub fn registered_view(&self) -> Value {
        let v: Vec<Value> = self
            .registrations
            .iter()
            .map(|r| self.registration_view(&r.name))
            .collect();
        json!({ "value": v })
    }

    /// The routes AS8075 received over the peering, as Azure `ReceivedRoutes`.
    pub fn received_routes_view(&self) -> Value {
        let at = now();
        let mut seen = BTreeSet::new();
        let mut v = Vec::new();
        for (c, conn) in self.top.connections.iter().enumerate() {
            if self.gone(c) {
                continue;
            }
            for i in [conn.v4, conn.v6].into_iter().flatten() {
                for r in self.ribs[i].routes.values() {
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
    pub fn status_view(&self) -> Value {
        let sessions: Vec<Value> = self
            .top
            .speakers
            .iter()
            .enumerate()
            .map(|(i, s)| {
                json!({
                    "speaker": s.name,
                    "asn": s.asn,
                    "sessionAddress": s.label.to_string(),
                    "state": session_state(self.fsm.get(i).copied().flatten()),
                    "removed": self.speaker_gone[i],
                    "establishedCount": self.established_count[i],
                    "notificationsReceived": self.notifications_received[i],
                    "notificationsSent": self.notifications_sent[i],
                    "md5": self.setup.tuning.get(i).map_or(s.md5.is_some(), |t| t.md5.is_some()),
                    "maxPrefixes": self.setup.tuning.get(i).map_or_else(
                        || Tuning::of(&self.top, i).max_prefixes,
                        |t| t.max_prefixes
                    ),
                    "history": self.session_history[i],
                })
            })
            .collect();
        json!({
            "peering": self.peering_name(),
            "api": self.api.map(|a| a.to_string()),
            "connections": self.connection_rows(),
            "registeredAsns": self.registered_set(),
            "allEstablished": self.all_established(),
            "converged": self.converged(),
            "deprovisioning": self.deprovisioning,
            "sessions": sessions,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::rfc3339;

    #[test]
    fn timestamps_are_rfc_3339_utc() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(rfc3339(1_795_000_000 + 3661), "2026-11-18T12:07:41Z");
    }
}
