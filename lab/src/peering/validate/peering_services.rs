//! The customers' Peering Services and the prefixes they register: what can be checked before
//! any route flows. Each prefix's key must belong to a registered ASN of this peering, the
//! prefix must be public and no longer than /24 (IPv4) or /48 (IPv6), and registered once; a
//! key of another ASN than the customer's own is a warning. Whether the prefix is received
//! from the key's ASN is for the lab run to see ([`crate::peering::prefix_validation`]).

use std::collections::HashMap;

use ipnet::IpNet;

use super::common::{check_provisioning, check_unique_name};
use crate::peering::enums::PrefixValidationState;
use crate::peering::finding::Finding;
use crate::peering::lab_section::Customer;
use crate::peering::model::{PeeringFile, RegisteredAsn};
use crate::peering::peering_service::{
    describe_registered, registered_names, KeyProblem, PeeringService, PeeringServicePrefix,
};
use crate::peering::prefix::PrefixIssue;

/// Checks `peeringServices`.
pub fn check(file: &PeeringFile, out: &mut Vec<Finding>) {
    let mut names: HashMap<String, usize> = HashMap::new();
    let mut registered_prefixes: HashMap<IpNet, String> = HashMap::new();
    for (i, service) in file.peering_services.iter().enumerate() {
        let path = format!("peeringServices[{i}]");
        check_unique_name(
            &mut names,
            service.name.as_deref(),
            ("peeringServices", i),
            "peering-service-name-duplicate",
            "give every Peering Service resource its own name",
            out,
        );
        let customer = check_service(file, &path, service, out);
        let mut prefix_names: HashMap<String, usize> = HashMap::new();
        let prefixes_path = format!("{path}.prefixes");
        for (j, prefix) in service.prefixes.iter().enumerate() {
            let path = format!("{prefixes_path}[{j}]");
            check_unique_name(
                &mut prefix_names,
                prefix.name.as_deref(),
                (&prefixes_path, j),
                "service-prefix-name-duplicate",
                "give every prefix resource of a Peering Service its own name",
                out,
            );
            check_prefix(&path, prefix, &mut registered_prefixes, out);
            check_key(file, &path, prefix, customer, out);
            check_read_only(&path, prefix, out);
        }
    }
}

/// The service's own fields; returns the `[lab]` customer it belongs to, when named and found.
fn check_service<'a>(
    file: &'a PeeringFile,
    path: &str,
    service: &PeeringService,
    out: &mut Vec<Finding>,
) -> Option<&'a Customer> {
    if service.prefixes.is_empty() {
        out.push(Finding::warning(
            "peering-service-no-prefixes",
            format!("{path}.prefixes"),
            "the Peering Service registers no prefix",
            "add [[peeringServices.prefixes]] with the prefixes the customer registers, or remove the Peering Service",
        ));
    }
    check_provisioning(
        service.provisioning_state,
        "peering-service-provisioning-failed",
        path,
        (
            "creating the Peering Service failed",
            "check the location and the provider the customer chose, then create it again",
        ),
        out,
    );
    if let (Some(provider), Some(peer_name)) = (
        &service.peering_service_provider,
        file.peer_asn.as_ref().and_then(|p| p.peer_name.as_ref()),
    ) {
        if !provider.trim().eq_ignore_ascii_case(peer_name.trim()) {
            out.push(Finding::warning(
                "peering-service-provider-mismatch",
                format!("{path}.peeringServiceProvider"),
                format!(
                    "the Peering Service names provider \"{provider}\", but this peering's provider is \"{peer_name}\" (peerAsn.peerName)"
                ),
                format!("the customer chooses \"{peer_name}\" as its provider, since the key comes from this exchange"),
            ));
        }
    }
    let name = service.customer.as_ref()?;
    let customers = file.lab.as_ref().map(|l| l.customers.as_slice()).unwrap_or_default();
    let found = customers.iter().find(|c| &c.name == name);
    if found.is_none() {
        let known: Vec<&str> = customers.iter().map(|c| c.name.as_str()).collect();
        out.push(Finding::error(
            "peering-service-customer-unknown",
            format!("{path}.customer"),
            format!("\"{name}\" is not a customer in [lab]"),
            if known.is_empty() {
                "add the customer as a [[lab.customers]] entry, or remove `customer`".to_string()
            } else {
                format!("name one of the lab's customers: {}", known.join(", "))
            },
        ));
    }
    found
}

/// The prefix itself: present, public, not too specific, registered once.
fn check_prefix(
    path: &str,
    registration: &PeeringServicePrefix,
    registered_prefixes: &mut HashMap<IpNet, String>,
    out: &mut Vec<Finding>,
) {
    let field = format!("{path}.prefix");
    let Some(prefix) = registration.prefix else {
        out.push(Finding::error(
            "service-prefix-missing",
            field,
            "the prefix resource has no prefix",
            "set prefix to the customer's prefix, e.g. \"185.42.136.0/22\"",
        ));
        return;
    };
    for issue in PrefixIssue::of(&prefix) {
        out.push(Finding::error(
            format!("service-prefix-{}", issue.code_suffix()),
            field.clone(),
            issue.describe(&prefix),
            issue.fix(&prefix),
        ));
    }
    match registered_prefixes.get(&prefix.trunc()) {
        Some(first) => out.push(Finding::error(
            "service-prefix-duplicate",
            field,
            format!("{prefix} is already registered at {first}"),
            "register each prefix once, under the Peering Service of the customer it belongs to",
        )),
        None => {
            registered_prefixes.insert(prefix.trunc(), field);
        }
    }
}

/// The key: it belongs to a registered ASN of this peering, and to the customer's own.
fn check_key(
    file: &PeeringFile,
    path: &str,
    registration: &PeeringServicePrefix,
    customer: Option<&Customer>,
    out: &mut Vec<Finding>,
) {
    let key_field = format!("{path}.peeringServicePrefixKey");
    let registered = &file.registered_asns;
    let owner = match registration.key_owner(registered) {
        Ok(owner) => owner,
        Err(problem) => {
            let (code, field) = match &problem {
                KeyProblem::Missing => ("service-prefix-key-missing", key_field),
                KeyProblem::UnknownKey(_) => ("service-prefix-key-unknown", key_field),
                KeyProblem::UnknownName(_) => {
                    ("service-prefix-registered-asn-unknown", format!("{path}.registeredAsn"))
                }
                KeyProblem::Conflict { .. } => ("service-prefix-key-conflict", key_field),
            };
            out.push(Finding::error(
                code,
                field,
                format!("{problem}; registered ASNs: {}", registered_names(registered)),
                "use the peeringServicePrefixKey of the customer's registered ASN (or name it with registeredAsn = \"NAME\")",
            ));
            return;
        }
    };
    let (Some(customer), Some(key_asn)) = (customer, owner.asn) else {
        return;
    };
    if customer.asn == key_asn || customer.origins().contains(&key_asn) {
        return;
    }
    let field = if registration.peering_service_prefix_key.is_some() {
        key_field
    } else {
        format!("{path}.registeredAsn")
    };
    let prefix = registration
        .prefix
        .map_or_else(|| "the prefix".to_string(), |p| p.to_string());
    out.push(Finding::warning(
        "service-prefix-customer-asn-differs",
        field,
        format!(
            "customer \"{}\" (AS{}) registers {prefix} with the key of {}: Microsoft verifies it only if AS{key_asn} originates it",
            customer.name,
            customer.asn,
            describe_registered(owner)
        ),
        own_key_fix(registered, customer, key_asn),
    ));
}

fn own_key_fix(registered: &[RegisteredAsn], customer: &Customer, key_asn: u32) -> String {
    match registered.iter().find(|r| r.asn == Some(customer.asn)) {
        Some(own) => format!(
            "register it with the customer's own key ({}), unless AS{key_asn} really originates it \
             (then list AS{key_asn} in the customer's originAsns)",
            describe_registered(own)
        ),
        None => format!(
            "the exchange registers AS{} and gives the customer that registration's key",
            customer.asn
        ),
    }
}

/// What Azure reported about the prefix, when the file is an export.
fn check_read_only(path: &str, registration: &PeeringServicePrefix, out: &mut Vec<Finding>) {
    let reason = registration
        .error_message
        .clone()
        .or_else(|| registration.events.last().map(|e| e.event_summary.clone()))
        .filter(|r| !r.trim().is_empty())
        .map_or_else(String::new, |r| format!(": {r}"));
    let field = format!("{path}.prefixValidationState");
    match registration.prefix_validation_state {
        Some(state @ (PrefixValidationState::Failed | PrefixValidationState::Invalid)) => out.push(Finding::error(
            "service-prefix-validation-failed",
            field,
            format!("Microsoft reports the prefix {state}{reason}"),
            "fix what errorMessage and events say (docs/peering-file.md lists the reasons), then let Microsoft validate again",
        )),
        Some(PrefixValidationState::Warning) => out.push(Finding::warning(
            "service-prefix-validation-warning",
            field,
            format!("Microsoft reports the prefix with a warning{reason}"),
            "fix what errorMessage and events say (docs/peering-file.md lists the reasons)",
        )),
        _ => {}
    }
    check_provisioning(
        registration.provisioning_state,
        "service-prefix-provisioning-failed",
        path,
        ("registering the prefix failed", "register the prefix again"),
        out,
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::peering::enums::ProvisioningState;
    use crate::peering::lab_section::LabSection;
    use crate::peering::model::PeerAsn;

    const KEY_A: &str = "9f62a5db-0f86-4fef-8e86-f42c119ff45b";
    const KEY_B: &str = "09c19708-c6ba-42d2-bcf7-705565635832";

    fn registered(name: &str, asn: u32, key: &str) -> RegisteredAsn {
        RegisteredAsn {
            name: Some(name.into()),
            asn: Some(asn),
            peering_service_prefix_key: Some(key.into()),
            provisioning_state: Some(ProvisioningState::Succeeded),
        }
    }

    fn customer(name: &str, asn: u32) -> Customer {
        Customer {
            name: name.into(),
            asn,
            origin_asns: Vec::new(),
            prefixes_v4: Vec::new(),
            prefixes_v6: Vec::new(),
        }
    }

    fn prefix(text: &str, key: Option<&str>, name: Option<&str>) -> PeeringServicePrefix {
        PeeringServicePrefix {
            prefix: Some(text.parse().unwrap()),
            peering_service_prefix_key: key.map(str::to_string),
            registered_asn: name.map(str::to_string),
            ..PeeringServicePrefix::default()
        }
    }

    fn file(services: Vec<PeeringService>) -> PeeringFile {
        PeeringFile {
            peer_asn: Some(PeerAsn {
                peer_name: Some("Kestrel Internet Exchange".into()),
                ..PeerAsn::default()
            }),
            registered_asns: vec![
                registered("fjordcloud", 211548, KEY_A),
                registered("tundra-net", 211549, KEY_B),
            ],
            peering_services: services,
            lab: Some(LabSection {
                customers: vec![customer("fjordcloud", 211548), customer("polar-hosting", 211552)],
                break_it: Vec::new(),
            }),
            ..PeeringFile::default()
        }
    }

    fn service(customer: Option<&str>, prefixes: Vec<PeeringServicePrefix>) -> PeeringService {
        PeeringService {
            name: Some(format!("{}-ps", customer.unwrap_or("x"))),
            customer: customer.map(str::to_string),
            peering_service_provider: Some("Kestrel Internet Exchange".into()),
            prefixes,
            ..PeeringService::default()
        }
    }

    fn findings(file: &PeeringFile) -> Vec<(String, String)> {
        let mut out = Vec::new();
        check(file, &mut out);
        out.into_iter().map(|f| (f.code, f.path)).collect()
    }

    #[test]
    fn a_public_prefix_with_the_customers_own_key_passes_by_key_or_by_name() {
        let file = file(vec![service(
            Some("fjordcloud"),
            vec![
                prefix("185.42.136.0/22", Some(KEY_A), None),
                prefix("2a0e:8f00::/32", None, Some("fjordcloud")),
            ],
        )]);
        assert_eq!(findings(&file), []);
    }

    #[test]
    fn an_unknown_key_is_an_error_naming_the_key_and_the_registered_asns() {
        let unknown = "00000000-1111-2222-3333-444444444444";
        let file = file(vec![service(
            None,
            vec![prefix("185.42.136.0/22", Some(unknown), None)],
        )]);
        let mut out = Vec::new();
        check(&file, &mut out);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].code, "service-prefix-key-unknown");
        assert_eq!(out[0].path, "peeringServices[0].prefixes[0].peeringServicePrefixKey");
        assert!(out[0].message.contains(unknown), "{}", out[0].message);
        assert!(
            out[0].message.contains("fjordcloud (AS211548), tundra-net (AS211549)"),
            "{}",
            out[0].message
        );
    }

    #[test]
    fn a_missing_contradicting_or_misnamed_key_is_an_error() {
        let file = file(vec![service(
            None,
            vec![
                prefix("185.42.136.0/22", None, None),
                prefix("185.42.140.0/22", Some(KEY_B), Some("fjordcloud")),
                prefix("185.42.144.0/22", None, Some("polar-hosting")),
            ],
        )]);
        assert_eq!(
            findings(&file),
            [
                (
                    "service-prefix-key-missing".into(),
                    "peeringServices[0].prefixes[0].peeringServicePrefixKey".into()
                ),
                (
                    "service-prefix-key-conflict".into(),
                    "peeringServices[0].prefixes[1].peeringServicePrefixKey".into()
                ),
                (
                    "service-prefix-registered-asn-unknown".into(),
                    "peeringServices[0].prefixes[2].registeredAsn".into()
                ),
            ]
        );
    }

    #[test]
    fn private_too_specific_and_twice_registered_prefixes_are_errors() {
        let file = file(vec![
            service(
                Some("fjordcloud"),
                vec![
                    prefix("10.0.0.0/8", Some(KEY_A), None),
                    prefix("185.42.136.0/25", Some(KEY_A), None),
                    prefix("2a0e:8f00:1::/56", Some(KEY_A), None),
                    prefix("185.42.140.0/22", Some(KEY_A), None),
                ],
            ),
            service(None, vec![prefix("185.42.140.0/22", Some(KEY_B), None)]),
        ]);
        assert_eq!(
            findings(&file),
            [
                (
                    "service-prefix-not-public".into(),
                    "peeringServices[0].prefixes[0].prefix".into()
                ),
                (
                    "service-prefix-too-specific".into(),
                    "peeringServices[0].prefixes[1].prefix".into()
                ),
                (
                    "service-prefix-too-specific".into(),
                    "peeringServices[0].prefixes[2].prefix".into()
                ),
                (
                    "service-prefix-duplicate".into(),
                    "peeringServices[1].prefixes[0].prefix".into()
                ),
            ]
        );
    }

    #[test]
    fn another_customers_key_is_a_warning_naming_both_asns() {
        let file = file(vec![service(
            Some("fjordcloud"),
            vec![prefix("185.42.136.0/22", None, Some("tundra-net"))],
        )]);
        let mut out = Vec::new();
        check(&file, &mut out);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].code, "service-prefix-customer-asn-differs");
        assert_eq!(out[0].path, "peeringServices[0].prefixes[0].registeredAsn");
        assert!(out[0].message.contains("AS211548") && out[0].message.contains("tundra-net (AS211549)"));
        assert!(out[0].fix.contains("fjordcloud (AS211548)"), "{}", out[0].fix);
    }

    #[test]
    fn a_key_of_an_origin_asn_the_customer_announces_for_is_fine() {
        let mut file = file(vec![service(
            Some("fjordcloud"),
            vec![prefix("185.42.136.0/22", Some(KEY_B), None)],
        )]);
        if let Some(lab) = &mut file.lab {
            lab.customers[0].origin_asns = vec![211548, 211549];
        }
        assert_eq!(findings(&file), []);
    }

    #[test]
    fn an_unregistered_customer_is_told_to_get_its_asn_registered() {
        let file = file(vec![service(
            Some("polar-hosting"),
            vec![prefix("91.220.14.0/24", Some(KEY_A), None)],
        )]);
        let mut out = Vec::new();
        check(&file, &mut out);
        assert_eq!(out[0].code, "service-prefix-customer-asn-differs");
        assert!(out[0].fix.contains("registers AS211552"), "{}", out[0].fix);
    }

    #[test]
    fn service_level_mistakes_are_reported_on_the_service() {
        let mut wrong_provider = service(Some("nobody"), vec![prefix("185.42.136.0/22", Some(KEY_A), None)]);
        wrong_provider.peering_service_provider = Some("Another ISP".into());
        wrong_provider.provisioning_state = Some(ProvisioningState::Failed);
        let mut empty = service(None, Vec::new());
        empty.name = wrong_provider.name.clone();
        let file = file(vec![wrong_provider, empty]);
        assert_eq!(
            findings(&file),
            [
                (
                    "peering-service-provisioning-failed".into(),
                    "peeringServices[0].provisioningState".into()
                ),
                (
                    "peering-service-provider-mismatch".into(),
                    "peeringServices[0].peeringServiceProvider".into()
                ),
                (
                    "peering-service-customer-unknown".into(),
                    "peeringServices[0].customer".into()
                ),
                (
                    "peering-service-name-duplicate".into(),
                    "peeringServices[1].name".into()
                ),
                (
                    "peering-service-no-prefixes".into(),
                    "peeringServices[1].prefixes".into()
                ),
            ]
        );
    }

    #[test]
    fn what_azure_reports_about_an_exported_prefix_is_shown() {
        let mut failed = prefix("185.42.136.0/22", Some(KEY_A), None);
        failed.prefix_validation_state = Some(PrefixValidationState::Failed);
        failed.error_message = Some("prefix not received from the provider".into());
        failed.provisioning_state = Some(ProvisioningState::Failed);
        let mut warned = prefix("2a0e:8f00::/32", Some(KEY_A), None);
        warned.prefix_validation_state = Some(PrefixValidationState::Warning);
        let mut verified = prefix("185.42.140.0/22", Some(KEY_A), None);
        verified.prefix_validation_state = Some(PrefixValidationState::Verified);
        let file = file(vec![service(Some("fjordcloud"), vec![failed, warned, verified])]);
        let mut out = Vec::new();
        check(&file, &mut out);
        let codes: Vec<&str> = out.iter().map(|f| f.code.as_str()).collect();
        assert_eq!(
            codes,
            [
                "service-prefix-validation-failed",
                "service-prefix-provisioning-failed",
                "service-prefix-validation-warning"
            ]
        );
        assert!(out[0]
            .message
            .ends_with("Failed: prefix not received from the provider"));
    }
}
