//! Registered customer ASNs: public, unique, each with its own GUID prefix key, and only once
//! a connection is `Active`.

use std::collections::HashMap;

use super::common::{check_provisioning, check_public_asn, check_unique_name, is_guid};
use crate::peering::enums::ConnectionState;
use crate::peering::finding::Finding;
use crate::peering::model::PeeringFile;

/// Checks `registeredAsns`.
pub fn check(file: &PeeringFile, out: &mut Vec<Finding>) {
    if file.registered_asns.is_empty() {
        return;
    }
    let any_active = file
        .connections
        .iter()
        .any(|c| c.connection_state == Some(ConnectionState::Active));
    if !any_active {
        out.push(Finding::error(
            "registered-asn-without-active-connection",
            "registeredAsns",
            "customer ASNs are registered but no connection is Active; Azure registers ASNs only on an Active connection",
            "bring a connection to connectionState = \"Active\" first, or remove the registered ASNs",
        ));
    }
    let mut asns: HashMap<u32, usize> = HashMap::new();
    let mut names: HashMap<String, usize> = HashMap::new();
    let mut keys: HashMap<String, usize> = HashMap::new();
    for (i, registered) in file.registered_asns.iter().enumerate() {
        let path = format!("registeredAsns[{i}]");
        check_unique_name(
            &mut names,
            registered.name.as_deref(),
            ("registeredAsns", i),
            "registered-asn-name-duplicate",
            "give every registered ASN resource its own name",
            out,
        );
        match registered.asn {
            None => out.push(Finding::error(
                "registered-asn-missing",
                format!("{path}.asn"),
                "the registered ASN has no ASN",
                "set asn to the customer's public ASN",
            )),
            Some(asn) => {
                check_public_asn(
                    "registered-asn",
                    asn,
                    format!("{path}.asn"),
                    "register only customers' public ASNs",
                    out,
                );
                if let Some(first) = asns.insert(asn, i) {
                    out.push(Finding::error(
                        "registered-asn-duplicate",
                        format!("{path}.asn"),
                        format!("AS{asn} is already registered as registeredAsns[{first}]; Azure refuses a duplicate"),
                        "remove the duplicate registration",
                    ));
                }
            }
        }
        match &registered.peering_service_prefix_key {
            None => out.push(Finding::warning(
                "prefix-key-missing",
                format!("{path}.peeringServicePrefixKey"),
                "the registered ASN has no prefix key yet (Azure assigns one when registration completes)",
                "copy peeringServicePrefixKey from the portal once the registration has succeeded",
            )),
            Some(key) if !is_guid(key) => out.push(Finding::error(
                "prefix-key-not-guid",
                format!("{path}.peeringServicePrefixKey"),
                format!("\"{key}\" is not a GUID; Azure's prefix keys are GUIDs"),
                "copy the key exactly from the portal (8-4-4-4-12 hexadecimal digits)",
            )),
            Some(key) => {
                if let Some(first) = keys.insert(key.to_ascii_lowercase(), i) {
                    out.push(Finding::error(
                        "prefix-key-duplicate",
                        format!("{path}.peeringServicePrefixKey"),
                        format!(
                            "the prefix key is also that of registeredAsns[{first}]; every registered ASN has its own"
                        ),
                        "copy each registered ASN's own key from the portal",
                    ));
                }
            }
        }
        check_provisioning(
            registered.provisioning_state,
            "registered-asn-provisioning-failed",
            &path,
            (
                "registration of the ASN failed",
                "check that the ASN is the customer's and not already registered elsewhere, then register it again",
            ),
            out,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::peering::enums::ProvisioningState;
    use crate::peering::model::{DirectConnection, RegisteredAsn};

    fn registered(asn: u32, key: &str) -> RegisteredAsn {
        RegisteredAsn {
            name: Some(format!("as{asn}")),
            asn: Some(asn),
            peering_service_prefix_key: Some(key.into()),
            provisioning_state: Some(ProvisioningState::Succeeded),
        }
    }

    fn codes(state: ConnectionState, registered_asns: Vec<RegisteredAsn>) -> Vec<String> {
        let connection = DirectConnection {
            connection_state: Some(state),
            ..DirectConnection::default()
        };
        let file = PeeringFile {
            connections: vec![connection],
            registered_asns,
            ..PeeringFile::default()
        };
        let mut out = Vec::new();
        check(&file, &mut out);
        out.into_iter().map(|f| f.code).collect()
    }

    const KEY_A: &str = "6b2d3c4e-1f2a-4b5c-8d9e-0a1b2c3d4e5f";
    const KEY_B: &str = "7c3e4d5f-2a3b-4c6d-9e0f-1b2c3d4e5f60";

    #[test]
    fn unique_public_asns_with_guid_keys_on_an_active_connection_pass() {
        assert!(codes(
            ConnectionState::Active,
            vec![registered(210001, KEY_A), registered(210002, KEY_B)]
        )
        .is_empty());
    }

    #[test]
    fn registration_before_a_connection_is_active_is_an_error() {
        assert_eq!(
            codes(ConnectionState::Validating, vec![registered(210001, KEY_A)]),
            ["registered-asn-without-active-connection"]
        );
    }

    #[test]
    fn duplicate_asns_and_keys_are_errors() {
        let mut second = registered(210001, KEY_A);
        second.name = Some("other".into());
        assert_eq!(
            codes(ConnectionState::Active, vec![registered(210001, KEY_A), second]),
            ["registered-asn-duplicate", "prefix-key-duplicate"]
        );
    }

    #[test]
    fn a_key_that_is_no_guid_is_an_error() {
        assert_eq!(
            codes(ConnectionState::Active, vec![registered(210001, "key-1")]),
            ["prefix-key-not-guid"]
        );
    }
}
