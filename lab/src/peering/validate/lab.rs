//! The lab section: customers with public ASNs and routable prefixes, registered ASNs that some
//! customer uses, and break-it switches that make sense for the file.

use std::collections::{HashMap, HashSet};

use ipnet::IpNet;

use super::common::check_public_asn;
use super::limits::{RECOMMENDED_MAX_V4, RECOMMENDED_MAX_V6};
use crate::peering::finding::Finding;
use crate::peering::lab_section::{Customer, LabSection, Scenario};
use crate::peering::model::PeeringFile;
use crate::peering::prefix::PrefixIssue;

/// Checks `[lab]` when present.
pub fn check(file: &PeeringFile, out: &mut Vec<Finding>) {
    let Some(lab) = &file.lab else { return };
    if lab.customers.is_empty() {
        out.push(Finding::warning(
            "lab-no-customers",
            "lab.customers",
            "the lab has no customers behind the route server: nothing will be announced",
            "add [[lab.customers]] entries with a name, an ASN and prefixes",
        ));
    }
    let peer_asn = file.peer_asn.as_ref().and_then(|p| p.peer_asn);
    let mut names: HashMap<&str, usize> = HashMap::new();
    let mut announced: HashMap<IpNet, String> = HashMap::new();
    for (i, customer) in lab.customers.iter().enumerate() {
        let path = format!("lab.customers[{i}]");
        if customer.name.trim().is_empty() {
            out.push(Finding::error(
                "customer-name-empty",
                format!("{path}.name"),
                "the customer has no name",
                "give it a short name",
            ));
        } else if let Some(first) = names.insert(customer.name.as_str(), i) {
            out.push(Finding::error(
                "customer-name-duplicate",
                format!("{path}.name"),
                format!("the name \"{}\" is also used by lab.customers[{first}]", customer.name),
                "give every customer its own name",
            ));
        }
        check_customer_asns(&path, customer, peer_asn, out);
        check_prefixes(&path, customer, &mut announced, out);
    }
    check_registered_have_customers(file, lab, out);
    check_break_it(file, lab, out);
    check_totals(file, lab, out);
}

fn check_customer_asns(path: &str, customer: &Customer, peer_asn: Option<u32>, out: &mut Vec<Finding>) {
    check_public_asn(
        "customer-asn",
        customer.asn,
        format!("{path}.asn"),
        "give the customer a public ASN",
        out,
    );
    if Some(customer.asn) == peer_asn {
        out.push(Finding::error(
            "customer-asn-is-peer-asn",
            format!("{path}.asn"),
            format!(
                "AS{} is the exchange's own ASN; a customer behind the route server has its own",
                customer.asn
            ),
            "give the customer its own ASN",
        ));
    }
    for (j, &origin) in customer.origin_asns.iter().enumerate() {
        check_public_asn(
            "origin-asn",
            origin,
            format!("{path}.originAsns[{j}]"),
            "Peering Service routes originate from public ASNs only",
            out,
        );
    }
    if customer.prefixes_v4.is_empty() && customer.prefixes_v6.is_empty() {
        out.push(Finding::warning(
            "customer-no-prefixes",
            path.to_string(),
            format!("customer \"{}\" announces no prefix", customer.name),
            "add prefixesV4 and/or prefixesV6",
        ));
    }
}

fn check_prefixes(path: &str, customer: &Customer, announced: &mut HashMap<IpNet, String>, out: &mut Vec<Finding>) {
    let v4 = customer
        .prefixes_v4
        .iter()
        .enumerate()
        .map(|(j, p)| (IpNet::V4(*p), format!("{path}.prefixesV4[{j}]")));
    let v6 = customer
        .prefixes_v6
        .iter()
        .enumerate()
        .map(|(j, p)| (IpNet::V6(*p), format!("{path}.prefixesV6[{j}]")));
    for (prefix, field) in v4.chain(v6) {
        for issue in PrefixIssue::of(&prefix) {
            let code = format!("customer-prefix-{}", issue.code_suffix());
            let (message, fix) = (issue.describe(&prefix), issue.fix(&prefix));
            // An announcement longer than the limits still reaches the route server: a warning.
            out.push(match issue {
                PrefixIssue::TooSpecific(_) => Finding::warning(code, field.clone(), message, fix),
                _ => Finding::error(code, field.clone(), message, fix),
            });
        }
        match announced.get(&prefix.trunc()) {
            Some(first) => out.push(Finding::warning(
                "customer-prefix-duplicate",
                field,
                format!("{prefix} is also announced at {first}"),
                "announce each prefix from one customer, unless a multi-origin prefix is what the lab shows",
            )),
            None => {
                announced.insert(prefix.trunc(), field);
            }
        }
    }
}

/// A registered ASN that no customer uses is a registration the lab never exercises.
fn check_registered_have_customers(file: &PeeringFile, lab: &LabSection, out: &mut Vec<Finding>) {
    if lab.customers.is_empty() {
        return;
    }
    let used: HashSet<u32> = lab
        .customers
        .iter()
        .flat_map(|c| std::iter::once(c.asn).chain(c.origins()))
        .collect();
    for (i, registered) in file.registered_asns.iter().enumerate() {
        let Some(asn) = registered.asn else { continue };
        if !used.contains(&asn) {
            out.push(Finding::warning(
                "registered-asn-without-customer",
                format!("registeredAsns[{i}].asn"),
                format!("AS{asn} is registered but no lab customer uses it"),
                "add a [[lab.customers]] entry with this ASN, or remove the registration",
            ));
        }
    }
}

fn check_break_it(file: &PeeringFile, lab: &LabSection, out: &mut Vec<Finding>) {
    let mut seen: HashSet<Scenario> = HashSet::new();
    for (j, scenario) in lab.break_it.iter().enumerate() {
        if !seen.insert(*scenario) {
            out.push(Finding::warning(
                "break-it-duplicate",
                format!("lab.breakIt[{j}]"),
                format!("\"{}\" is listed twice", scenario.as_str()),
                "list each scenario once",
            ));
            continue;
        }
        if *scenario == Scenario::UnregisteredCustomer && lab.customers.iter().all(|c| file.is_registered(c.asn)) {
            out.push(Finding::warning(
                "break-it-needs-unregistered-customer",
                format!("lab.breakIt[{j}]"),
                "\"unregistered-customer\" needs a customer whose ASN is not registered, and every customer is registered",
                "add a customer with an ASN that is not in registeredAsns",
            ));
        }
    }
}

/// Everything the customers announce reaches Microsoft through the route server; more than the
/// lowest max-prefix would trip the limit (which is what `max-prefix-exceeded` asks for).
fn check_totals(file: &PeeringFile, lab: &LabSection, out: &mut Vec<Finding>) {
    if lab.break_it.contains(&Scenario::MaxPrefixExceeded) {
        return;
    }
    let total_v4: usize = lab.customers.iter().map(|c| c.prefixes_v4.len()).sum();
    let total_v6: usize = lab.customers.iter().map(|c| c.prefixes_v6.len()).sum();
    let sessions = file.connections.iter().filter_map(|c| c.bgp_session.as_ref());
    let limit_v4 = sessions
        .clone()
        .map(|s| s.max_prefixes_advertised_v4.unwrap_or(RECOMMENDED_MAX_V4))
        .min();
    let limit_v6 = sessions
        .map(|s| s.max_prefixes_advertised_v6.unwrap_or(RECOMMENDED_MAX_V6))
        .min();
    for (name, total, limit) in [("IPv4", total_v4, limit_v4), ("IPv6", total_v6, limit_v6)] {
        let Some(limit) = limit.filter(|&l| l > 0) else {
            continue;
        };
        if total > limit as usize {
            out.push(Finding::warning(
                "lab-exceeds-max-prefix",
                "lab.customers",
                format!("the customers announce {total} {name} prefixes, more than the lowest max-prefix ({limit})"),
                "raise the max-prefix, announce fewer prefixes, or add \"max-prefix-exceeded\" to lab.breakIt",
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn customer(name: &str, asn: u32, v4: &[&str]) -> Customer {
        Customer {
            name: name.into(),
            asn,
            origin_asns: Vec::new(),
            prefixes_v4: v4.iter().map(|p| p.parse().unwrap()).collect(),
            prefixes_v6: Vec::new(),
        }
    }

    fn findings(customers: Vec<Customer>, break_it: Vec<Scenario>) -> Vec<(String, String)> {
        let file = PeeringFile {
            lab: Some(LabSection { customers, break_it }),
            ..PeeringFile::default()
        };
        let mut out = Vec::new();
        check(&file, &mut out);
        out.into_iter().map(|f| (f.code, f.path)).collect()
    }

    #[test]
    fn a_customer_with_a_public_asn_and_prefix_passes() {
        assert!(findings(vec![customer("a", 210001, &["185.10.0.0/22"])], Vec::new()).is_empty());
    }

    #[test]
    fn private_host_bit_and_too_specific_prefixes_are_reported() {
        let got = findings(
            vec![customer("a", 210001, &["10.0.0.0/8", "185.10.0.1/22", "185.11.0.0/25"])],
            Vec::new(),
        );
        assert_eq!(
            got,
            [
                (
                    "customer-prefix-not-public".into(),
                    "lab.customers[0].prefixesV4[0]".into()
                ),
                (
                    "customer-prefix-host-bits".into(),
                    "lab.customers[0].prefixesV4[1]".into()
                ),
                (
                    "customer-prefix-too-specific".into(),
                    "lab.customers[0].prefixesV4[2]".into()
                ),
            ]
        );
    }

    #[test]
    fn a_private_customer_asn_and_a_duplicate_name_are_errors() {
        let got = findings(
            vec![
                customer("a", 65001, &["185.10.0.0/22"]),
                customer("a", 210002, &["185.12.0.0/22"]),
            ],
            Vec::new(),
        );
        assert_eq!(
            got,
            [
                ("customer-asn-private".into(), "lab.customers[0].asn".into()),
                ("customer-name-duplicate".into(), "lab.customers[1].name".into()),
            ]
        );
    }

    #[test]
    fn asking_for_an_unregistered_customer_when_all_are_registered_is_a_warning() {
        let file = PeeringFile {
            registered_asns: vec![crate::peering::model::RegisteredAsn {
                asn: Some(210001),
                ..Default::default()
            }],
            lab: Some(LabSection {
                customers: vec![customer("a", 210001, &["185.10.0.0/22"])],
                break_it: vec![Scenario::UnregisteredCustomer, Scenario::UnregisteredCustomer],
            }),
            ..PeeringFile::default()
        };
        let mut out = Vec::new();
        check(&file, &mut out);
        let codes: Vec<&str> = out.iter().map(|f| f.code.as_str()).collect();
        assert_eq!(codes, ["break-it-needs-unregistered-customer", "break-it-duplicate"]);
    }
}
