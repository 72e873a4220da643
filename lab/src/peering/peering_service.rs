//! The customers' side of the prefix key: `Microsoft.Peering/peeringServices` resources and
//! their `prefixes`, and which registered ASN a prefix's key belongs to.
//!
//! The exchange registers a customer's ASN on its peering and hands the customer that
//! registration's `peeringServicePrefixKey`. The customer creates a Peering Service (its own
//! resource, naming the exchange as provider) and registers each of its prefixes under it with
//! the key. A peering file holds these resources beside the peering so that the exchange can
//! check, before turn-up, what its customers will register.

use std::fmt;

use ipnet::IpNet;
use serde::{Deserialize, Serialize};

use super::enums::{LearnedType, PrefixValidationState, ProvisioningState};
use super::registered_asn::RegisteredAsn;

/// A `Microsoft.Peering/peeringServices` resource: one customer's Peering Service with the
/// exchange, and the prefixes it registers.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PeeringService {
    /// Resource name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// peerlab's own link: the name of the `[lab]` customer that owns this resource (Azure has
    /// no such field; the resource lives in the customer's subscription).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer: Option<String>,
    /// `properties.peeringServiceLocation`: where the customer is (state or province).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub peering_service_location: Option<String>,
    /// `properties.peeringServiceProvider`: the provider's name, here the exchange's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub peering_service_provider: Option<String>,
    /// `properties.provisioningState` (read-only in Azure).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provisioning_state: Option<ProvisioningState>,
    /// The `peeringServices/{name}/prefixes` child resources.
    #[serde(default)]
    pub prefixes: Vec<PeeringServicePrefix>,
}

/// A `Microsoft.Peering/peeringServices/{name}/prefixes` resource: a prefix the customer
/// registers with a prefix key, and what Microsoft concluded about it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PeeringServicePrefix {
    /// Resource name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// `properties.prefix`: the prefix the customer's traffic comes from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prefix: Option<IpNet>,
    /// `properties.peeringServicePrefixKey`: the key the exchange handed the customer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub peering_service_prefix_key: Option<String>,
    /// peerlab's shorthand for the key: the name of the registered ASN whose key is used.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub registered_asn: Option<String>,
    /// `properties.prefixValidationState` (read-only in Azure).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prefix_validation_state: Option<PrefixValidationState>,
    /// `properties.learnedType` (read-only in Azure).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub learned_type: Option<LearnedType>,
    /// `properties.errorMessage` (read-only in Azure).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_message: Option<String>,
    /// `properties.events` (read-only in Azure).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub events: Vec<PrefixEvent>,
    /// `properties.provisioningState` (read-only in Azure).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provisioning_state: Option<ProvisioningState>,
}

/// One entry of a prefix's `events`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PrefixEvent {
    /// When it happened (RFC 3339); absent until whoever records the event stamps it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_timestamp: Option<String>,
    /// What kind of event, e.g. `OriginAsnMismatch`.
    #[serde(default)]
    pub event_type: String,
    /// One line: what happened.
    #[serde(default)]
    pub event_summary: String,
    /// `Information`, `Warning` or `Error`.
    #[serde(default)]
    pub event_level: String,
    /// The details: why, and what to do.
    #[serde(default)]
    pub event_description: String,
}

/// Why a prefix's key does not lead to a registered ASN of the peering.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyProblem {
    /// Neither `peeringServicePrefixKey` nor `registeredAsn` is given.
    Missing,
    /// The key is no registered ASN's key.
    UnknownKey(String),
    /// `registeredAsn` names no registered ASN.
    UnknownName(String),
    /// Both are given and the named registration has another key.
    Conflict {
        /// The `registeredAsn` name.
        name: String,
        /// The `peeringServicePrefixKey` given.
        key: String,
    },
}

impl fmt::Display for KeyProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KeyProblem::Missing => f.write_str("the prefix has no peeringServicePrefixKey"),
            KeyProblem::UnknownKey(key) => {
                write!(f, "the prefix key {key} belongs to no registered ASN of this peering")
            }
            KeyProblem::UnknownName(name) => write!(f, "\"{name}\" is not a registered ASN of this peering"),
            KeyProblem::Conflict { name, key } => {
                write!(f, "the prefix key {key} is not the key of registered ASN \"{name}\"")
            }
        }
    }
}

impl PeeringServicePrefix {
    /// The registered ASN whose key this prefix uses: by `peeringServicePrefixKey` (compared
    /// case-insensitively, as GUIDs are), by `registeredAsn` name, or both when they agree.
    pub fn key_owner<'a>(&self, registered: &'a [RegisteredAsn]) -> Result<&'a RegisteredAsn, KeyProblem> {
        let by_key = |key: &str| {
            registered.iter().find(|r| {
                r.peering_service_prefix_key
                    .as_deref()
                    .is_some_and(|k| k.eq_ignore_ascii_case(key.trim()))
            })
        };
        let by_name = |name: &str| registered.iter().find(|r| r.name.as_deref() == Some(name));
        match (&self.peering_service_prefix_key, &self.registered_asn) {
            (None, None) => Err(KeyProblem::Missing),
            (Some(key), None) => by_key(key).ok_or_else(|| KeyProblem::UnknownKey(key.clone())),
            (None, Some(name)) => by_name(name).ok_or_else(|| KeyProblem::UnknownName(name.clone())),
            (Some(key), Some(name)) => {
                let owner = by_name(name).ok_or_else(|| KeyProblem::UnknownName(name.clone()))?;
                match by_key(key) {
                    Some(found) if std::ptr::eq(found, owner) => Ok(owner),
                    _ => Err(KeyProblem::Conflict {
                        name: name.clone(),
                        key: key.clone(),
                    }),
                }
            }
        }
    }
}

/// The registered ASNs as people name them: `fjordcloud (AS211548), tundra-net (AS211549)`,
/// or `none` when there are none.
pub fn registered_names(registered: &[RegisteredAsn]) -> String {
    let names: Vec<String> = registered.iter().map(describe_registered).collect();
    if names.is_empty() {
        "none".into()
    } else {
        names.join(", ")
    }
}

/// One registered ASN as people name it: `fjordcloud (AS211548)`, `AS211548` without a name.
pub fn describe_registered(registered: &RegisteredAsn) -> String {
    let asn = registered
        .asn
        .map_or_else(|| "no ASN".to_string(), |a| format!("AS{a}"));
    match &registered.name {
        Some(name) => format!("{name} ({asn})"),
        None => asn,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY_A: &str = "9f62a5db-0f86-4fef-8e86-f42c119ff45b";
    const KEY_B: &str = "09c19708-c6ba-42d2-bcf7-705565635832";

    fn registered() -> Vec<RegisteredAsn> {
        [("fjordcloud", 211548, KEY_A), ("tundra-net", 211549, KEY_B)]
            .into_iter()
            .map(|(name, asn, key)| RegisteredAsn {
                name: Some(name.into()),
                asn: Some(asn),
                peering_service_prefix_key: Some(key.into()),
                provisioning_state: Some(ProvisioningState::Succeeded),
            })
            .collect()
    }

    fn prefix(key: Option<&str>, name: Option<&str>) -> PeeringServicePrefix {
        PeeringServicePrefix {
            peering_service_prefix_key: key.map(str::to_string),
            registered_asn: name.map(str::to_string),
            ..PeeringServicePrefix::default()
        }
    }

    #[test]
    fn the_key_is_found_by_guid_in_any_case_or_by_the_registrations_name() {
        let registered = registered();
        let owner = |p: PeeringServicePrefix| p.key_owner(&registered).map(|r| r.asn);
        assert_eq!(owner(prefix(Some(KEY_A), None)), Ok(Some(211548)));
        assert_eq!(owner(prefix(Some(&KEY_B.to_uppercase()), None)), Ok(Some(211549)));
        assert_eq!(owner(prefix(None, Some("tundra-net"))), Ok(Some(211549)));
        assert_eq!(owner(prefix(Some(KEY_A), Some("fjordcloud"))), Ok(Some(211548)));
    }

    #[test]
    fn a_missing_unknown_or_contradicting_key_is_a_problem() {
        let registered = registered();
        let problem = |p: PeeringServicePrefix| p.key_owner(&registered).unwrap_err();
        assert_eq!(problem(prefix(None, None)), KeyProblem::Missing);
        assert_eq!(
            problem(prefix(Some("00000000-0000-0000-0000-000000000000"), None)),
            KeyProblem::UnknownKey("00000000-0000-0000-0000-000000000000".into())
        );
        assert_eq!(
            problem(prefix(None, Some("polar-hosting"))),
            KeyProblem::UnknownName("polar-hosting".into())
        );
        assert_eq!(
            problem(prefix(Some(KEY_B), Some("fjordcloud"))),
            KeyProblem::Conflict {
                name: "fjordcloud".into(),
                key: KEY_B.into()
            }
        );
    }

    #[test]
    fn registered_asns_are_named_with_their_numbers() {
        assert_eq!(
            registered_names(&registered()),
            "fjordcloud (AS211548), tundra-net (AS211549)"
        );
        assert_eq!(registered_names(&[]), "none");
    }
}
