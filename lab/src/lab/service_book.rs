//! The customers' Peering Services in a running lab, with the verdict on each registered
//! prefix: its `prefixValidationState`, `learnedType`, `errorMessage` and `events` as
//! [`crate::peering::prefix_validation`] judges them against what AS8075's edges hold.
//!
//! Pure bookkeeping: the lab hands in its registrations and its edges' routes
//! ([`super::service_prefixes`] gathers them) and gets back which prefixes changed state.
//! An event keeps the timestamp of when it was first seen, so `events` reads as a history of
//! the current verdict.

use super::state::Registration;
use crate::peering::enums::{LearnedType, PrefixValidationState, ProvisioningState};
use crate::peering::model::RegisteredAsn;
use crate::peering::peering_service::{PeeringService, PeeringServicePrefix, PrefixEvent};
use crate::peering::prefix_validation::{validate_prefix_in, EdgeRoutes, KeyBook, PrefixValidation};

/// A registered prefix whose `prefixValidationState` changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StateChange {
    /// The Peering Service's name.
    pub service: String,
    /// The prefix resource's name.
    pub prefix_name: String,
    /// The prefix, as written.
    pub prefix: String,
    /// The new state.
    pub state: PrefixValidationState,
    /// Its `errorMessage`.
    pub error_message: Option<String>,
}

/// The Peering Services of `file` as the lab starts them: created (`Succeeded`), each prefix
/// `Pending` and not learned yet, a key given by registration name resolved to that
/// registration's key.
pub fn initial(services: &[PeeringService], registrations: &[Registration]) -> Vec<PeeringService> {
    services
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let mut s = s.clone();
            s.name.get_or_insert_with(|| format!("peering-service-{}", i + 1));
            s.provisioning_state = Some(ProvisioningState::Succeeded);
            for (j, p) in s.prefixes.iter_mut().enumerate() {
                p.name.get_or_insert_with(|| format!("prefix-{}", j + 1));
                start_pending(p, registrations);
            }
            s
        })
        .collect()
}

/// A prefix as registered: `Succeeded`, `Pending`, not learned, no verdict yet; a key given
/// by registration name is filled in from that registration.
pub fn start_pending(p: &mut PeeringServicePrefix, registrations: &[Registration]) {
    if p.peering_service_prefix_key.is_none() {
        if let Some(name) = &p.registered_asn {
            p.peering_service_prefix_key = registrations.iter().find(|r| &r.name == name).map(|r| r.key.clone());
        }
    }
    p.provisioning_state = Some(ProvisioningState::Succeeded);
    p.prefix_validation_state = Some(PrefixValidationState::Pending);
    p.learned_type = Some(LearnedType::None);
    p.error_message = None;
    p.events.clear();
}

/// The lab's registrations as the peering model's `registeredAsns`.
pub fn as_registered(registrations: &[Registration]) -> Vec<RegisteredAsn> {
    registrations
        .iter()
        .map(|r| RegisteredAsn {
            name: Some(r.name.clone()),
            asn: Some(r.asn),
            peering_service_prefix_key: Some(r.key.clone()),
            provisioning_state: Some(r.state),
        })
        .collect()
}

/// Judges every registered prefix of `services` again; stamps new events with `at`. Returns
/// the prefixes whose state changed, and whether anything shown changed at all.
pub fn revalidate(
    services: &mut [PeeringService],
    registered: &[Registration],
    deleted: &[Registration],
    edges: &EdgeRoutes,
    at: &str,
) -> (Vec<StateChange>, bool) {
    let registered = as_registered(registered);
    let deleted = as_registered(deleted);
    let keys = KeyBook {
        registered: &registered,
        deleted: &deleted,
    };
    let mut changes = Vec::new();
    let mut any = false;
    for service in services.iter_mut() {
        let service_name = service.name.clone().unwrap_or_default();
        for p in &mut service.prefixes {
            let verdict = validate_prefix_in(keys, p, edges);
            let (shown, state) = apply(p, verdict, at);
            any |= shown;
            if state {
                changes.push(StateChange {
                    service: service_name.clone(),
                    prefix_name: p.name.clone().unwrap_or_default(),
                    prefix: p.prefix.map_or_else(|| "-".to_owned(), |n| n.to_string()),
                    state: p.prefix_validation_state.unwrap_or(PrefixValidationState::Pending),
                    error_message: p.error_message.clone(),
                });
            }
        }
    }
    (changes, any)
}

/// Sets `p`'s read-only fields from `v`, keeping the timestamp of each event seen before.
/// Returns (anything changed, the state changed).
fn apply(p: &mut PeeringServicePrefix, v: PrefixValidation, at: &str) -> (bool, bool) {
    let same_event = |a: &PrefixEvent, b: &PrefixEvent| {
        a.event_type == b.event_type
            && a.event_summary == b.event_summary
            && a.event_description == b.event_description
            && a.event_level == b.event_level
    };
    let events_same = p.events.len() == v.events.len() && p.events.iter().zip(&v.events).all(|(a, b)| same_event(a, b));
    let state_changed = p.prefix_validation_state != Some(v.prefix_validation_state);
    if events_same && !state_changed && p.learned_type == Some(v.learned_type) && p.error_message == v.error_message {
        return (false, false);
    }
    let before = std::mem::take(&mut p.events);
    p.events = v
        .events
        .into_iter()
        .map(|mut e| {
            let seen = before.iter().find(|b| same_event(b, &e));
            e.event_timestamp = Some(
                seen.and_then(|b| b.event_timestamp.clone())
                    .unwrap_or_else(|| at.to_owned()),
            );
            e
        })
        .collect();
    p.prefix_validation_state = Some(v.prefix_validation_state);
    p.learned_type = Some(v.learned_type);
    p.error_message = v.error_message;
    (true, state_changed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::peering::prefix_validation::{EdgeConnection, ReceivedRoute};

    const KEY: &str = "9f62a5db-0f86-4fef-8e86-f42c119ff45b";

    fn registration() -> Registration {
        Registration {
            name: "fjordcloud".into(),
            asn: 211548,
            key: KEY.into(),
            state: ProvisioningState::Succeeded,
        }
    }

    fn services() -> Vec<PeeringService> {
        let service = PeeringService {
            name: Some("fjordcloud-oslo".into()),
            prefixes: vec![PeeringServicePrefix {
                name: Some("v4".into()),
                prefix: Some("185.42.136.0/22".parse().unwrap()),
                registered_asn: Some("fjordcloud".into()),
                ..PeeringServicePrefix::default()
            }],
            ..PeeringService::default()
        };
        initial(&[service], &[registration()])
    }

    fn edges(received: bool) -> EdgeRoutes {
        let connection = |name: &str| EdgeConnection {
            name: name.into(),
            ipv4_established: true,
            ipv6_established: true,
        };
        let routes = if received {
            (0..2)
                .map(|c| ReceivedRoute {
                    connection: c,
                    prefix: "185.42.136.0/22".parse().unwrap(),
                    as_path: vec![211548],
                })
                .collect()
        } else {
            Vec::new()
        };
        EdgeRoutes {
            connections: vec![connection("oslo-1"), connection("oslo-2")],
            routes,
        }
    }

    #[test]
    fn a_prefix_starts_pending_with_the_key_of_the_registration_it_names() {
        let services = services();
        let p = &services[0].prefixes[0];
        assert_eq!(p.prefix_validation_state, Some(PrefixValidationState::Pending));
        assert_eq!(p.learned_type, Some(LearnedType::None));
        assert_eq!(p.peering_service_prefix_key.as_deref(), Some(KEY));
        assert_eq!(services[0].provisioning_state, Some(ProvisioningState::Succeeded));
    }

    #[test]
    fn a_state_change_is_reported_once_and_events_keep_their_first_timestamp() {
        let mut services = services();
        let regs = [registration()];
        let (changes, any) = revalidate(&mut services, &regs, &[], &edges(true), "2026-12-04T10:00:00Z");
        assert!(any);
        assert_eq!(changes.len(), 1);
        assert_eq!(changes[0].state, PrefixValidationState::Verified);
        let (again, any) = revalidate(&mut services, &regs, &[], &edges(true), "2026-12-04T10:00:05Z");
        assert!(again.is_empty() && !any, "nothing changed: nothing reported");
        let stamps: Vec<_> = services[0].prefixes[0]
            .events
            .iter()
            .map(|e| e.event_timestamp.clone())
            .collect();
        assert!(stamps.iter().all(|s| s.as_deref() == Some("2026-12-04T10:00:00Z")));
        let (changes, _) = revalidate(&mut services, &[], &regs, &edges(false), "2026-12-04T10:01:00Z");
        assert_eq!(changes[0].state, PrefixValidationState::Failed);
        let message = changes[0].error_message.clone().unwrap_or_default();
        assert!(
            message.contains("fjordcloud (AS211548), whose registration was deleted"),
            "{message}"
        );
    }
}
