//! `wrong-prefix-key`: a registered customer registers one of its prefixes for Peering
//! Service with another registered ASN's key. Its routes still reach AS8075 (the customer is
//! registered), but the prefix's validation fails: the origin is not the key's ASN.
//!
//! Planned on the lab's registrations (the keys) and Peering Services (a prefix not
//! registered yet is preferred, so the file's own registrations stay as they are); the
//! Peering Service it adds is the lab's own, [`SERVICE`].

use super::super::service_book::start_pending;
use super::super::state::{Lab, Registration};
use super::super::topology::Role;
use super::plan::Planned;
use crate::peering::enums::PrefixValidationState;
use crate::peering::lab_section::Scenario;
use crate::peering::peering_service::{PeeringService, PeeringServicePrefix};
use crate::peering::prefix_validation::PrefixEventType;
use ipnet::IpNet;

/// The Peering Service the scenario adds.
pub const SERVICE: &str = "break-it-wrong-prefix-key";
/// Its one prefix resource.
pub const PREFIX_NAME: &str = "wrong-prefix-key";

/// Plans the scenario on `lab`: the first registered customer that announces a prefix, its
/// first prefix not registered yet (else its first), and the key of another registration.
pub fn plan(lab: &Lab) -> Result<(Planned, IpNet, Registration), String> {
    let taken: Vec<IpNet> = lab
        .services
        .iter()
        .flat_map(|s| s.prefixes.iter().filter_map(|p| p.prefix.map(|n| n.trunc())))
        .collect();
    for s in &lab.top.speakers {
        if s.role != (Role::Customer { registered: true }) || s.prefixes.is_empty() {
            continue;
        }
        let origin = s.as_path.last().copied().unwrap_or(s.asn);
        let Some(other) = lab.registrations.iter().find(|r| r.asn != origin) else {
            continue;
        };
        let prefix = s
            .prefixes
            .iter()
            .find(|p| !taken.contains(&p.trunc()))
            .copied()
            .unwrap_or(s.prefixes[0]);
        let customer = s.rs_session.split('@').next().unwrap_or_default();
        let mut p = Planned::new(
            Scenario::WrongPrefixKey,
            format!("customer {customer} (AS{origin})"),
            format!(
                "{customer} registers {prefix} for Peering Service with the prefix key of {} (AS{}) instead of its own",
                other.name, other.asn
            ),
            format!(
                "the route reaches AS8075, but the prefix validates Failed: received with origin AS{origin}, \
                 but the key belongs to AS{}",
                other.asn
            ),
        );
        p.customer_asns = vec![origin, other.asn];
        return Ok((p, prefix, other.clone()));
    }
    Err(
        "break-it \"wrong-prefix-key\": needs a registered customer that announces a prefix and another registered \
         ASN whose key it can use"
            .into(),
    )
}

/// Adds the wrongly keyed registration to the lab's Peering Services.
pub fn apply(lab: &mut Lab, prefix: IpNet, key_of: &Registration) {
    let mut p = PeeringServicePrefix {
        name: Some(PREFIX_NAME.into()),
        prefix: Some(prefix),
        peering_service_prefix_key: Some(key_of.key.clone()),
        ..PeeringServicePrefix::default()
    };
    start_pending(&mut p, &lab.registrations);
    lab.services.push(PeeringService {
        name: Some(SERVICE.into()),
        prefixes: vec![p],
        ..PeeringService::default()
    });
}

/// The prefix validated `Failed` because of its origin; what it shows.
pub fn judge(lab: &Lab) -> (bool, String) {
    let found = lab
        .services
        .iter()
        .filter(|s| s.name.as_deref() == Some(SERVICE))
        .flat_map(|s| s.prefixes.iter())
        .find(|p| p.name.as_deref() == Some(PREFIX_NAME));
    let Some(p) = found else {
        return (false, "the wrongly keyed prefix was removed".into());
    };
    let state = p.prefix_validation_state.unwrap_or(PrefixValidationState::Pending);
    let mismatch = p
        .events
        .iter()
        .any(|e| e.event_type == PrefixEventType::OriginAsnMismatch.as_str());
    let prefix = p.prefix.map(|n| n.to_string()).unwrap_or_default();
    let why = p.error_message.clone().unwrap_or_else(|| "no error".into());
    (
        state == PrefixValidationState::Failed && mismatch,
        format!("{prefix} {state}: {why}"),
    )
}
