//! The peering model: one exchange-with-route-server peering as the validator and the lab see
//! it, whichever file format it came from. The customers' Peering Service resources are in
//! [`super::peering_service`].
//!
//! Field names are Azure's (`camelCase`, `peeringDBFacilityId`, `peerSessionIPv4Address`) so a
//! finding's path reads the same for a TOML file and for Azure resource JSON, and the TOML file
//! can be filled in from the portal field by field. Almost every field is optional: a missing
//! value is a finding for the validator to explain, not a parse error.

use std::net::{Ipv4Addr, Ipv6Addr};

use ipnet::{Ipv4Net, Ipv6Net};
use serde::{Deserialize, Serialize};

use super::enums::{
    ConnectionState, DirectPeeringType, Kind, ProvisioningState, Role, SessionAddressProvider, SessionState, SkuName,
    ValidationState,
};
use super::lab_section::LabSection;
use super::peering_service::PeeringService;
pub use super::registered_asn::RegisteredAsn;

/// A whole peering file: the Azure resources plus the lab's own section.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PeeringFile {
    /// The `Microsoft.Peering/peerings` resource, flattened (`properties.direct.*` lifted up).
    #[serde(default)]
    pub peering: Peering,
    /// The `Microsoft.Peering/peerAsns` resource the peering refers to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub peer_asn: Option<PeerAsn>,
    /// `properties.direct.connections` of the peering.
    #[serde(default)]
    pub connections: Vec<DirectConnection>,
    /// The peering's `registeredAsns` child resources.
    #[serde(default)]
    pub registered_asns: Vec<RegisteredAsn>,
    /// The customers' `Microsoft.Peering/peeringServices` resources, each with the prefixes it
    /// registers with a prefix key of this peering.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub peering_services: Vec<PeeringService>,
    /// What the lab simulates behind the exchange's route server.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lab: Option<LabSection>,
}

impl PeeringFile {
    /// Whether `asn` is one of the registered customer ASNs.
    pub fn is_registered(&self, asn: u32) -> bool {
        self.registered_asns.iter().any(|r| r.asn == Some(asn))
    }
}

/// The peering resource's own fields.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Peering {
    /// Resource name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// `Direct` or `Exchange`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<Kind>,
    /// `sku.name`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sku: Option<SkuName>,
    /// Azure region of the resource (e.g. `westeurope`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    /// `properties.peeringLocation`: the metro (e.g. `Amsterdam`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub peering_location: Option<String>,
    /// `properties.direct.directPeeringType`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub direct_peering_type: Option<DirectPeeringType>,
    /// `properties.direct.useForPeeringService` (read-only in Azure).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub use_for_peering_service: Option<bool>,
    /// `properties.direct.peerAsn.id`: resource id of the peer ASN, ending in its name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub peer_asn_id: Option<String>,
    /// `properties.provisioningState`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provisioning_state: Option<ProvisioningState>,
}

/// A `Microsoft.Peering/peerAsns` resource: the peer's ASN and who to call about it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PeerAsn {
    /// Resource name (the last segment of the peering's `peerAsn.id`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// `properties.peerAsn`: the exchange's ASN.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub peer_asn: Option<u32>,
    /// `properties.peerName`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub peer_name: Option<String>,
    /// `properties.peerContactDetail`.
    #[serde(default)]
    pub peer_contact_detail: Vec<ContactDetail>,
    /// `properties.validationState` (read-only in Azure).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub validation_state: Option<ValidationState>,
    /// `properties.errorMessage` (read-only in Azure).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_message: Option<String>,
}

/// One entry of `peerContactDetail`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ContactDetail {
    /// What the contact is for.
    pub role: Role,
    /// E-mail address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Telephone number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
}

/// A `DirectConnection`: one physical connection at a facility, with its BGP session.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DirectConnection {
    /// Requested bandwidth.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bandwidth_in_mbps: Option<u32>,
    /// Provisioned bandwidth (read-only in Azure).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provisioned_bandwidth_in_mbps: Option<u32>,
    /// Who supplies the session addresses.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session_address_provider: Option<SessionAddressProvider>,
    /// Whether this connection carries Peering Service traffic.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub use_for_peering_service: Option<bool>,
    /// PeeringDB facility id of the location.
    #[serde(default, rename = "peeringDBFacilityId", skip_serializing_if = "Option::is_none")]
    pub peering_db_facility_id: Option<u32>,
    /// Connection id (a GUID).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connection_identifier: Option<String>,
    /// Microsoft's tracking id (read-only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub microsoft_tracking_id: Option<String>,
    /// Why provisioning failed (read-only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_message: Option<String>,
    /// Where the connection is in its life.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connection_state: Option<ConnectionState>,
    /// The BGP sessions (IPv4 and IPv6) over this connection.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bgp_session: Option<BgpSession>,
}

/// A `BgpSession`: the IPv4 and IPv6 sessions of one connection.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BgpSession {
    /// The IPv4 prefix holding both ends' IPv4 addresses (a /30 or /31).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session_prefix_v4: Option<Ipv4Net>,
    /// The IPv6 prefix holding both ends' IPv6 addresses (a /126 or /127).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session_prefix_v6: Option<Ipv6Net>,
    /// Microsoft's end of the IPv4 session.
    #[serde(
        default,
        rename = "microsoftSessionIPv4Address",
        skip_serializing_if = "Option::is_none"
    )]
    pub microsoft_session_ipv4_address: Option<Ipv4Addr>,
    /// Microsoft's end of the IPv6 session.
    #[serde(
        default,
        rename = "microsoftSessionIPv6Address",
        skip_serializing_if = "Option::is_none"
    )]
    pub microsoft_session_ipv6_address: Option<Ipv6Addr>,
    /// The peer's end of the IPv4 session.
    #[serde(default, rename = "peerSessionIPv4Address", skip_serializing_if = "Option::is_none")]
    pub peer_session_ipv4_address: Option<Ipv4Addr>,
    /// The peer's end of the IPv6 session.
    #[serde(default, rename = "peerSessionIPv6Address", skip_serializing_if = "Option::is_none")]
    pub peer_session_ipv6_address: Option<Ipv6Addr>,
    /// Maximum number of IPv4 prefixes the peer may advertise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_prefixes_advertised_v4: Option<u32>,
    /// Maximum number of IPv6 prefixes the peer may advertise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_prefixes_advertised_v6: Option<u32>,
    /// TCP-MD5 key shared by both ends.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub md5_authentication_key: Option<String>,
    /// State of the IPv4 session (read-only in Azure; the lab drives it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session_state_v4: Option<SessionState>,
    /// State of the IPv6 session (read-only in Azure; the lab drives it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session_state_v6: Option<SessionState>,
}
