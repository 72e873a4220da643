//! A `registeredAsns` child resource of a peering: a customer ASN behind the route server and
//! the prefix key Microsoft gave it. Its own file because both the peering ([`super::model`])
//! and the customers' Peering Services ([`super::peering_service`]) refer to it.

use serde::{Deserialize, Serialize};

use super::enums::ProvisioningState;

/// A `registeredAsns` child resource: a customer ASN behind the route server, and its key.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RegisteredAsn {
    /// Resource name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// `properties.asn`: the customer's ASN from which traffic originates.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub asn: Option<u32>,
    /// `properties.peeringServicePrefixKey` (read-only, a GUID).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub peering_service_prefix_key: Option<String>,
    /// `properties.provisioningState`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provisioning_state: Option<ProvisioningState>,
}
