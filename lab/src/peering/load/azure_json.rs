//! Loads Azure resource JSON (`Microsoft.Peering/peerings`, `peerAsns`, `registeredAsns`, and
//! the customers' `peeringServices` with their `prefixes`) into the peering model.
//!
//! Accepted shapes (see docs/peering-file.md):
//! - a bundle `{"peering": {…}, "peerAsn": {…}, "registeredAsns": [{…}],
//!   "peeringServices": [{…, "prefixes": [{…}]}], "lab": {…}}`;
//! - an array of ARM resources told apart by `type`, or an ARM list `{"value": [...]}`; a
//!   prefix resource finds its Peering Service by the `peeringServices/NAME` in its `id`;
//! - a single peering resource.
//!
//! Unknown fields are ignored: ARM adds read-only fields (`id`, `etag`, `systemData`, …) that
//! the model has no use for.

use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::value::RawValue;

use super::error::LoadError;
use crate::peering::enums::{DirectPeeringType, Kind, ProvisioningState, SkuName, ValidationState};
use crate::peering::finding::Finding;
use crate::peering::lab_section::LabSection;
use crate::peering::model::{ContactDetail, DirectConnection, PeerAsn, Peering, PeeringFile, RegisteredAsn};
use crate::peering::peering_service::{PeeringService, PeeringServicePrefix};

const TYPE_PEERING: &str = "microsoft.peering/peerings";
const TYPE_PEER_ASN: &str = "microsoft.peering/peerasns";
const TYPE_REGISTERED_ASN: &str = "microsoft.peering/peerings/registeredasns";
const TYPE_PEERING_SERVICE: &str = "microsoft.peering/peeringservices";
const TYPE_SERVICE_PREFIX: &str = "microsoft.peering/peeringservices/prefixes";

/// An ARM `Microsoft.Peering/peerings` resource.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct PeeringResource {
    name: Option<String>,
    kind: Option<Kind>,
    sku: Option<Sku>,
    location: Option<String>,
    #[serde(default)]
    properties: PeeringProperties,
}

#[derive(Debug, Deserialize)]
struct Sku {
    name: Option<SkuName>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct PeeringProperties {
    direct: Option<ConnectionsProperties>,
    exchange: Option<ConnectionsProperties>,
    peering_location: Option<String>,
    provisioning_state: Option<ProvisioningState>,
}

/// `properties.direct` (or `properties.exchange`, which lacks the type and the flag).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ConnectionsProperties {
    #[serde(default)]
    connections: Vec<DirectConnection>,
    peer_asn: Option<SubResource>,
    direct_peering_type: Option<DirectPeeringType>,
    use_for_peering_service: Option<bool>,
}

#[derive(Debug, Deserialize)]
struct SubResource {
    id: Option<String>,
}

/// An ARM `Microsoft.Peering/peerAsns` resource.
#[derive(Debug, Deserialize)]
struct PeerAsnResource {
    name: Option<String>,
    #[serde(default)]
    properties: PeerAsnProperties,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct PeerAsnProperties {
    peer_asn: Option<u32>,
    #[serde(default)]
    peer_contact_detail: Vec<ContactDetail>,
    peer_name: Option<String>,
    validation_state: Option<ValidationState>,
    error_message: Option<String>,
}

/// An ARM `Microsoft.Peering/peerings/registeredAsns` resource.
#[derive(Debug, Deserialize)]
struct RegisteredAsnResource {
    name: Option<String>,
    #[serde(default)]
    properties: RegisteredAsnProperties,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct RegisteredAsnProperties {
    asn: Option<u32>,
    peering_service_prefix_key: Option<String>,
    provisioning_state: Option<ProvisioningState>,
}

/// An ARM `Microsoft.Peering/peeringServices` resource. `customer` (the `[lab]` customer it
/// belongs to) and `prefixes` (its prefix resources, nested) are peerlab's additions.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct PeeringServiceResource {
    name: Option<String>,
    customer: Option<String>,
    /// The resource's fields: `peeringServiceLocation`, `peeringServiceProvider`,
    /// `provisioningState` (the model names them as ARM does).
    #[serde(default)]
    properties: PeeringService,
    #[serde(default)]
    prefixes: Vec<PrefixResource>,
}

impl PeeringServiceResource {
    fn into_model(self) -> PeeringService {
        PeeringService {
            name: self.name,
            customer: self.customer.or(self.properties.customer.clone()),
            prefixes: self.prefixes.into_iter().map(PrefixResource::into_model).collect(),
            ..self.properties
        }
    }
}

/// An ARM `Microsoft.Peering/peeringServices/prefixes` resource. `registeredAsn` (the
/// registered ASN whose key it uses, by name) is peerlab's addition.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct PrefixResource {
    name: Option<String>,
    id: Option<String>,
    registered_asn: Option<String>,
    /// `prefix`, `peeringServicePrefixKey` and the read-only validation fields.
    #[serde(default)]
    properties: PeeringServicePrefix,
}

impl PrefixResource {
    /// The Peering Service named in the resource id (`…/peeringServices/NAME/prefixes/…`).
    fn service_name(&self) -> Option<&str> {
        let mut segments = self.id.as_deref()?.split('/');
        segments.find(|s| s.eq_ignore_ascii_case("peeringServices"))?;
        segments.next().filter(|s| !s.is_empty())
    }

    fn into_model(self) -> PeeringServicePrefix {
        PeeringServicePrefix {
            name: self.name,
            registered_asn: self.registered_asn.or(self.properties.registered_asn.clone()),
            ..self.properties
        }
    }
}

/// The bundle shape: one object holding each resource under its own key.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Bundle {
    peering: PeeringResource,
    peer_asn: Option<PeerAsnResource>,
    #[serde(default)]
    registered_asns: Vec<RegisteredAsnResource>,
    #[serde(default)]
    peering_services: Vec<PeeringServiceResource>,
    lab: Option<LabSection>,
}

/// What tells resources apart in an array: their ARM `type`.
#[derive(Debug, Deserialize)]
struct Typed {
    #[serde(rename = "type")]
    kind: Option<String>,
}

#[derive(Debug, Deserialize)]
struct ArmList<'a> {
    #[serde(borrow)]
    value: Vec<&'a RawValue>,
}

/// Parses Azure resource JSON in any of the accepted shapes.
pub fn load(text: &str) -> Result<(PeeringFile, Vec<Finding>), LoadError> {
    let shape: serde_json::Value = serde_json::from_str(text).map_err(|e| LoadError::from_json(&e, text, 0))?;
    match &shape {
        serde_json::Value::Array(_) => {
            let items: Vec<&RawValue> = serde_json::from_str(text).map_err(|e| LoadError::from_json(&e, text, 0))?;
            from_resources(text, &items, false)
        }
        serde_json::Value::Object(map) if map.contains_key("peering") => {
            let bundle: Bundle = serde_json::from_str(text).map_err(|e| LoadError::from_json(&e, text, 0))?;
            let mut file = assemble(
                bundle.peering,
                bundle.peer_asn.into_iter().collect(),
                bundle.registered_asns,
                bundle.lab,
            );
            file.peering_services = bundle
                .peering_services
                .into_iter()
                .map(PeeringServiceResource::into_model)
                .collect();
            Ok((file, Vec::new()))
        }
        serde_json::Value::Object(map) if map.get("value").is_some_and(|v| v.is_array()) => {
            let list: ArmList<'_> = serde_json::from_str(text).map_err(|e| LoadError::from_json(&e, text, 0))?;
            from_resources(text, &list.value, false)
        }
        serde_json::Value::Object(map) if map.contains_key("kind") || map.contains_key("type") => {
            let single: &RawValue = serde_json::from_str(text).map_err(|e| LoadError::from_json(&e, text, 0))?;
            from_resources(text, &[single], true)
        }
        _ => Err(LoadError::new(
            "unrecognised JSON: expected a bundle {\"peering\": …}, an array of Microsoft.Peering resources, \
             an ARM list {\"value\": […]} or a single peering resource",
        )),
    }
}

/// Sorts an array of ARM resources by `type` and assembles the model; a `single` resource
/// without `type` is taken to be the peering.
fn from_resources(text: &str, items: &[&RawValue], single: bool) -> Result<(PeeringFile, Vec<Finding>), LoadError> {
    let mut peering: Option<PeeringResource> = None;
    let mut peer_asns = Vec::new();
    let mut registered = Vec::new();
    let mut services: Vec<PeeringServiceResource> = Vec::new();
    let mut prefixes: Vec<(&RawValue, PrefixResource)> = Vec::new();
    let mut findings = Vec::new();
    for (index, raw) in items.iter().enumerate() {
        let typed: Typed = parse_raw(text, raw)?;
        match typed.kind.as_deref().map(str::to_ascii_lowercase).as_deref() {
            Some(TYPE_PEERING) => {
                if peering.is_some() {
                    return Err(located(
                        text,
                        raw,
                        "more than one Microsoft.Peering/peerings resource; validate one peering per file",
                    ));
                }
                peering = Some(parse_raw(text, raw)?);
            }
            None if single => peering = Some(parse_raw(text, raw)?),
            Some(TYPE_PEER_ASN) => peer_asns.push(parse_raw::<PeerAsnResource>(text, raw)?),
            Some(TYPE_REGISTERED_ASN) => registered.push(parse_raw::<RegisteredAsnResource>(text, raw)?),
            Some(TYPE_PEERING_SERVICE) => services.push(parse_raw(text, raw)?),
            Some(TYPE_SERVICE_PREFIX) => prefixes.push((raw, parse_raw(text, raw)?)),
            None => {
                return Err(located(
                    text,
                    raw,
                    "a resource without `type`: in an array every resource needs its ARM type",
                ))
            }
            Some(_) => findings.push(Finding::warning(
                "resource-ignored",
                format!("[{index}]"),
                format!(
                    "resource of type `{}` is not part of the peering model; it is ignored",
                    typed.kind.unwrap_or_default()
                ),
                "remove it, or keep it if the file is an export of a whole resource group",
            )),
        }
    }
    let peering = peering.ok_or_else(|| LoadError::new("no Microsoft.Peering/peerings resource in the file"))?;
    let mut file = assemble(peering, peer_asns, registered, None);
    file.peering_services = attach_prefixes(text, services, prefixes)?;
    Ok((file, findings))
}

/// Puts each prefix resource under the Peering Service its `id` names (one created when the
/// file lacks it); without an id, under the file's only Peering Service.
fn attach_prefixes(
    text: &str,
    mut services: Vec<PeeringServiceResource>,
    prefixes: Vec<(&RawValue, PrefixResource)>,
) -> Result<Vec<PeeringService>, LoadError> {
    let only_one = services.len() == 1;
    for (raw, prefix) in prefixes {
        let index =
            match prefix.service_name() {
                Some(name) => match services
                    .iter()
                    .position(|s| s.name.as_deref().is_some_and(|n| n.eq_ignore_ascii_case(name)))
                {
                    Some(i) => i,
                    None => {
                        services.push(PeeringServiceResource {
                            name: Some(name.to_string()),
                            ..PeeringServiceResource::default()
                        });
                        services.len() - 1
                    }
                },
                None if only_one => 0,
                None => return Err(located(
                    text,
                    raw,
                    "a Microsoft.Peering/peeringServices/prefixes resource without an `id` naming its Peering Service \
                     (…/peeringServices/NAME/prefixes/PREFIX), in a file with no or several Peering Services",
                )),
            };
        services[index].prefixes.push(prefix);
    }
    Ok(services.into_iter().map(PeeringServiceResource::into_model).collect())
}

/// Parses one resource of an array, placing errors in the whole file.
fn parse_raw<T: DeserializeOwned>(text: &str, raw: &RawValue) -> Result<T, LoadError> {
    serde_json::from_str(raw.get()).map_err(|e| LoadError::from_json(&e, text, offset_in(text, raw)))
}

fn located(text: &str, raw: &RawValue, message: &str) -> LoadError {
    LoadError::at_offset(message, text, offset_in(text, raw))
}

/// Byte offset of a borrowed slice within the text it was parsed from.
fn offset_in(text: &str, raw: &RawValue) -> usize {
    (raw.get().as_ptr() as usize)
        .saturating_sub(text.as_ptr() as usize)
        .min(text.len())
}

/// Builds the model from ARM resources. With several peer ASNs, the one the peering's
/// `peerAsn.id` names wins.
fn assemble(
    peering: PeeringResource,
    peer_asns: Vec<PeerAsnResource>,
    registered: Vec<RegisteredAsnResource>,
    lab: Option<LabSection>,
) -> PeeringFile {
    let props = peering.properties;
    let (connections_props, is_direct) = match (props.direct, props.exchange) {
        (Some(direct), _) => (Some(direct), true),
        (None, exchange) => (exchange, false),
    };
    let peer_asn_id = connections_props
        .as_ref()
        .and_then(|c| c.peer_asn.as_ref())
        .and_then(|p| p.id.clone());
    let referenced = peer_asn_id
        .as_deref()
        .and_then(|id| id.rsplit('/').next())
        .map(str::to_string);
    let mut peer_asns = peer_asns;
    let chosen = match peer_asns.iter().position(|p| p.name.is_some() && p.name == referenced) {
        Some(i) => Some(peer_asns.swap_remove(i)),
        None => peer_asns.into_iter().next(),
    };
    let (connections, direct_peering_type, use_for_peering_service) = match connections_props {
        Some(c) => (
            c.connections,
            c.direct_peering_type.filter(|_| is_direct),
            c.use_for_peering_service,
        ),
        None => (Vec::new(), None, None),
    };
    PeeringFile {
        peering: Peering {
            name: peering.name,
            kind: peering.kind,
            sku: peering.sku.and_then(|s| s.name),
            location: peering.location,
            peering_location: props.peering_location,
            direct_peering_type,
            use_for_peering_service,
            peer_asn_id,
            provisioning_state: props.provisioning_state,
        },
        peer_asn: chosen.map(|p| PeerAsn {
            name: p.name,
            peer_asn: p.properties.peer_asn,
            peer_name: p.properties.peer_name,
            peer_contact_detail: p.properties.peer_contact_detail,
            validation_state: p.properties.validation_state,
            error_message: p.properties.error_message,
        }),
        connections,
        registered_asns: registered
            .into_iter()
            .map(|r| RegisteredAsn {
                name: r.name,
                asn: r.properties.asn,
                peering_service_prefix_key: r.properties.peering_service_prefix_key,
                provisioning_state: r.properties.provisioning_state,
            })
            .collect(),
        peering_services: Vec::new(),
        lab,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::peering::enums::{ConnectionState, SessionAddressProvider};

    const PEERING: &str = r#"{
      "name": "ix-ams", "type": "Microsoft.Peering/peerings", "kind": "Direct",
      "sku": {"name": "Premium_Direct_Free", "tier": "Premium"}, "location": "westeurope",
      "properties": {
        "peeringLocation": "Amsterdam", "provisioningState": "Succeeded",
        "direct": {
          "directPeeringType": "IxRs", "useForPeeringService": true,
          "peerAsn": {"id": "/subscriptions/0/providers/Microsoft.Peering/peerAsns/ix-asn"},
          "connections": [{"bandwidthInMbps": 10000, "sessionAddressProvider": "Peer",
            "peeringDBFacilityId": 18, "connectionState": "Active",
            "bgpSession": {"sessionPrefixV4": "185.1.0.0/31", "peerSessionIPv4Address": "185.1.0.1"}}]
        }
      }
    }"#;

    #[test]
    fn a_single_peering_resource_loads_with_its_connections() {
        let (file, findings) = load(PEERING).unwrap();
        assert!(findings.is_empty());
        assert_eq!(file.peering.sku, Some(SkuName::PremiumDirectFree));
        assert_eq!(file.peering.direct_peering_type, Some(DirectPeeringType::IxRs));
        assert_eq!(file.peering.peering_location.as_deref(), Some("Amsterdam"));
        assert_eq!(file.connections.len(), 1);
        assert_eq!(
            file.connections[0].session_address_provider,
            Some(SessionAddressProvider::Peer)
        );
        assert_eq!(file.connections[0].connection_state, Some(ConnectionState::Active));
        assert!(file.peer_asn.is_none());
    }

    #[test]
    fn an_array_is_sorted_by_type_and_the_referenced_peer_asn_wins() {
        let text = format!(
            r#"[{PEERING},
              {{"name": "other", "type": "Microsoft.Peering/peerAsns", "properties": {{"peerAsn": 1}}}},
              {{"name": "ix-asn", "type": "microsoft.peering/peerasns", "properties": {{"peerAsn": 210000,
                "validationState": "Approved"}}}},
              {{"name": "c1", "type": "Microsoft.Peering/peerings/registeredAsns",
                "properties": {{"asn": 210001, "peeringServicePrefixKey": "k"}}}},
              {{"name": "x", "type": "Microsoft.Network/virtualNetworks"}}]"#
        );
        let (file, findings) = load(&text).unwrap();
        assert_eq!(file.peer_asn.as_ref().and_then(|p| p.peer_asn), Some(210000));
        assert_eq!(file.registered_asns.len(), 1);
        assert_eq!(file.registered_asns[0].asn, Some(210001));
        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].code, "resource-ignored");
        assert_eq!(findings[0].path, "[4]");
    }

    #[test]
    fn a_bad_value_inside_an_array_element_is_placed_in_the_whole_file() {
        let text = "[\n {\"type\": \"Microsoft.Peering/peerings\",\n  \"kind\": \"Directly\"}\n]";
        let error = load(text).unwrap_err();
        assert_eq!(error.line, Some(3));
        assert!(error.message.contains("Directly"), "{}", error.message);
    }

    #[test]
    fn the_bundle_shape_carries_the_lab_section() {
        let text = r#"{"peering": {"kind": "Direct", "properties": {"direct": {"connections": []}}},
          "registeredAsns": [{"name": "a", "properties": {"asn": 210001}}],
          "lab": {"customers": [{"name": "a", "asn": 210001}], "breakIt": ["md5-mismatch"]}}"#;
        let (file, _) = load(text).unwrap();
        assert!(file.is_registered(210001));
        assert_eq!(file.lab.map(|l| l.customers.len()), Some(1));
    }

    #[test]
    fn json_that_is_no_peering_does_not_load() {
        assert!(load("{\"hello\": 1}").is_err());
        assert!(load("[{\"type\": \"Microsoft.Peering/peerAsns\"}]").is_err());
        assert!(load("[{\"kind\": \"Direct\"}]").is_err());
        assert!(load("{\"kind\": \"Direct\"}").is_ok());
        assert_eq!(load("{\n  \"peering\": \n").unwrap_err().line, Some(3));
    }

    const SERVICE: &str = r#"{"name": "fjord-ps", "type": "Microsoft.Peering/peeringServices", "location": "norwayeast",
        "id": "/subscriptions/1/resourceGroups/rg/providers/Microsoft.Peering/peeringServices/fjord-ps",
        "properties": {"peeringServiceLocation": "Oslo", "peeringServiceProvider": "Array IX",
          "provisioningState": "Succeeded"}}"#;

    fn prefix_resource(service: Option<&str>, name: &str, prefix: &str) -> String {
        let id = service.map_or_else(String::new, |s| {
            format!(
                r#""id": "/subscriptions/1/resourceGroups/rg/providers/Microsoft.Peering/peeringServices/{s}/prefixes/{name}","#
            )
        });
        format!(
            r#"{{"name": "{name}", {id} "type": "Microsoft.Peering/peeringServices/prefixes",
              "properties": {{"prefix": "{prefix}", "peeringServicePrefixKey": "k",
                "prefixValidationState": "Failed", "learnedType": "None",
                "errorMessage": "prefix not received from the provider", "provisioningState": "Succeeded",
                "events": [{{"eventTimestamp": "2026-01-01T00:00:00Z", "eventType": "PrefixNotReceived",
                  "eventSummary": "prefix not received from the provider", "eventLevel": "Error",
                  "eventDescription": "d"}}]}}}}"#
        )
    }

    #[test]
    fn prefix_resources_join_the_peering_service_their_id_names() {
        let text = format!(
            "[{PEERING}, {SERVICE}, {}, {}]",
            prefix_resource(Some("fjord-ps"), "v4", "185.42.136.0/22"),
            prefix_resource(Some("elsewhere"), "v6", "2a0e:8f00::/32")
        );
        let (file, findings) = load(&text).unwrap();
        assert!(findings.is_empty(), "{findings:?}");
        assert_eq!(file.peering_services.len(), 2);
        let fjord = &file.peering_services[0];
        assert_eq!(fjord.peering_service_location.as_deref(), Some("Oslo"));
        assert_eq!(fjord.peering_service_provider.as_deref(), Some("Array IX"));
        assert_eq!(fjord.provisioning_state, Some(ProvisioningState::Succeeded));
        assert_eq!(fjord.prefixes.len(), 1);
        let v4 = &fjord.prefixes[0];
        assert_eq!(v4.name.as_deref(), Some("v4"));
        assert_eq!(v4.prefix, Some("185.42.136.0/22".parse().unwrap()));
        assert_eq!(v4.peering_service_prefix_key.as_deref(), Some("k"));
        assert_eq!(
            v4.prefix_validation_state,
            Some(crate::peering::enums::PrefixValidationState::Failed)
        );
        assert_eq!(v4.learned_type, Some(crate::peering::enums::LearnedType::None));
        assert_eq!(v4.events.len(), 1);
        assert_eq!(v4.events[0].event_type, "PrefixNotReceived");
        assert_eq!(file.peering_services[1].name.as_deref(), Some("elsewhere"));
        assert_eq!(file.peering_services[1].prefixes.len(), 1);
    }

    #[test]
    fn a_prefix_without_an_id_needs_exactly_one_peering_service() {
        let one = format!(
            "[{PEERING}, {SERVICE}, {}]",
            prefix_resource(None, "v4", "185.42.136.0/22")
        );
        assert_eq!(load(&one).unwrap().0.peering_services[0].prefixes.len(), 1);
        let none = format!("[{PEERING},\n{}]", prefix_resource(None, "v4", "185.42.136.0/22"));
        let error = load(&none).unwrap_err();
        assert_eq!(error.line, Some(15));
        assert!(error.message.contains("peeringServices/NAME"), "{}", error.message);
    }

    #[test]
    fn the_bundle_nests_prefixes_under_their_service_with_peerlab_links() {
        let text = r#"{"peering": {"kind": "Direct"},
          "peeringServices": [{"name": "ps", "customer": "fjordcloud",
            "properties": {"peeringServiceProvider": "IX"},
            "prefixes": [{"name": "p", "registeredAsn": "fjordcloud", "properties": {"prefix": "185.42.136.0/22"}}]}]}"#;
        let (file, _) = load(text).unwrap();
        let service = &file.peering_services[0];
        assert_eq!(service.customer.as_deref(), Some("fjordcloud"));
        assert_eq!(service.prefixes[0].registered_asn.as_deref(), Some("fjordcloud"));
        assert_eq!(service.prefixes[0].peering_service_prefix_key, None);
    }
}
