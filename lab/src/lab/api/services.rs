//! The `peeringServices` routes: the customers' Peering Services and the prefixes they
//! register with a prefix key. Bodies have Azure's shape (`{"properties": {…}}`); peerlab's
//! own fields (`customer`, `registeredAsn`) sit beside `properties`. A field neither Azure
//! nor peerlab defines is refused, naming it; the read-only fields a GET returns may be sent
//! back and are ignored, as Azure ignores them.

use super::handlers::{parse, respond};
use super::names;
use crate::lab::control::{Control, LabError, Op, ServiceOp};
use crate::peering::enums::{LearnedType, PrefixValidationState, ProvisioningState};
use crate::peering::peering_service::{PeeringService, PeeringServicePrefix, PrefixEvent};
use axum::extract::{Path, State};
use axum::response::Response;
use ipnet::IpNet;
use serde::Deserialize;
use serde_json::Value;

/// `PUT /peeringServices/{service}` body.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct ServiceBody {
    name: Option<String>,
    #[serde(rename = "type")]
    kind: Option<String>,
    /// The ARM id and location a GET or `az` returns; not used by the lab.
    #[serde(rename = "id")]
    _id: Option<Value>,
    #[serde(rename = "location")]
    _location: Option<Value>,
    customer: Option<String>,
    #[serde(default)]
    properties: ServiceProperties,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct ServiceProperties {
    peering_service_location: Option<String>,
    peering_service_provider: Option<String>,
    /// Read-only.
    #[serde(rename = "provisioningState")]
    _provisioning_state: Option<ProvisioningState>,
}

/// `PUT /peeringServices/{service}/prefixes/{prefix}` body.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct PrefixBody {
    name: Option<String>,
    #[serde(rename = "type")]
    kind: Option<String>,
    #[serde(rename = "id")]
    _id: Option<Value>,
    registered_asn: Option<String>,
    #[serde(default)]
    properties: PrefixProperties,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct PrefixProperties {
    prefix: Option<IpNet>,
    peering_service_prefix_key: Option<String>,
    registered_asn: Option<String>,
    /// Read-only, as a GET returns them.
    #[serde(rename = "prefixValidationState")]
    _state: Option<PrefixValidationState>,
    #[serde(rename = "learnedType")]
    _learned: Option<LearnedType>,
    #[serde(rename = "errorMessage")]
    _error: Option<String>,
    #[serde(rename = "events")]
    _events: Option<Vec<PrefixEvent>>,
    #[serde(rename = "provisioningState")]
    _provisioning: Option<ProvisioningState>,
}

/// The body's `name` and `type`, when given, must be the path's and the resource's.
fn check_envelope(name: Option<&str>, kind: Option<&str>, path_name: &str, want: &str) -> Result<(), LabError> {
    if let Some(n) = name.filter(|n| *n != path_name) {
        return Err(LabError::new(
            400,
            "InvalidRequestContent",
            format!(
                "`name` is `{}` but the path names `{path_name}`; drop `name` or make them the same",
                crate::http::excerpt(n)
            ),
            Some("name"),
        ));
    }
    if let Some(k) = kind.filter(|k| !k.eq_ignore_ascii_case(want)) {
        return Err(LabError::new(
            400,
            "InvalidRequestContent",
            format!("`type` is `{}`; this route takes a {want}", crate::http::excerpt(k)),
            Some("type"),
        ));
    }
    Ok(())
}

fn service_op(service: &str, op: impl FnOnce() -> Result<ServiceOp, LabError>) -> Result<Op, LabError> {
    names::check(service, "peeringServiceName")?;
    op().map(Op::Services)
}

async fn ask(c: &Control, op: Result<Op, LabError>) -> Response {
    match op {
        Ok(op) => respond(c.ask(None, op).await),
        Err(e) => respond(Err(e)),
    }
}

/// `GET /peeringServices`.
pub async fn list(State(c): State<Control>) -> Response {
    ask(&c, Ok(Op::Services(ServiceOp::List))).await
}

/// `GET /peeringServices/{service}`.
pub async fn get(State(c): State<Control>, Path(service): Path<String>) -> Response {
    let op = service_op(&service, || {
        Ok(ServiceOp::Get {
            service: service.clone(),
        })
    });
    ask(&c, op).await
}

/// `PUT /peeringServices/{service}`, body `{"properties": {"peeringServiceLocation",
/// "peeringServiceProvider"}, "customer"}` (all optional).
pub async fn put(State(c): State<Control>, Path(service): Path<String>, body: String) -> Response {
    let op = service_op(&service, || {
        let b: ServiceBody = if body.trim().is_empty() {
            parse("{}", "PeeringService")?
        } else {
            parse(&body, "PeeringService")?
        };
        check_envelope(
            b.name.as_deref(),
            b.kind.as_deref(),
            &service,
            "Microsoft.Peering/peeringServices",
        )?;
        Ok(ServiceOp::Put {
            service: service.clone(),
            body: Box::new(PeeringService {
                customer: b.customer,
                peering_service_location: b.properties.peering_service_location,
                peering_service_provider: b.properties.peering_service_provider,
                ..PeeringService::default()
            }),
        })
    });
    ask(&c, op).await
}

/// `DELETE /peeringServices/{service}`.
pub async fn delete(State(c): State<Control>, Path(service): Path<String>) -> Response {
    let op = service_op(&service, || {
        Ok(ServiceOp::Delete {
            service: service.clone(),
        })
    });
    ask(&c, op).await
}

/// `GET /peeringServices/{service}/prefixes`.
pub async fn prefixes(State(c): State<Control>, Path(service): Path<String>) -> Response {
    let op = service_op(&service, || {
        Ok(ServiceOp::Prefixes {
            service: service.clone(),
        })
    });
    ask(&c, op).await
}

/// `GET /peeringServices/{service}/prefixes/{prefix}`.
pub async fn get_prefix(State(c): State<Control>, Path((service, name)): Path<(String, String)>) -> Response {
    let op = service_op(&service, || {
        names::check(&name, "prefixName")?;
        Ok(ServiceOp::GetPrefix {
            service: service.clone(),
            name: name.clone(),
        })
    });
    ask(&c, op).await
}

/// `PUT /peeringServices/{service}/prefixes/{prefix}`, body `{"properties": {"prefix",
/// "peeringServicePrefixKey"}}` (or peerlab's `registeredAsn` instead of the key).
pub async fn put_prefix(
    State(c): State<Control>,
    Path((service, name)): Path<(String, String)>,
    body: String,
) -> Response {
    let op = service_op(&service, || {
        names::check(&name, "prefixName")?;
        let b: PrefixBody = parse(&body, "PeeringServicePrefix")?;
        check_envelope(
            b.name.as_deref(),
            b.kind.as_deref(),
            &name,
            "Microsoft.Peering/peeringServices/prefixes",
        )?;
        if let Some(key) = &b.properties.peering_service_prefix_key {
            if uuid::Uuid::try_parse(key.trim()).is_err() {
                return Err(LabError::new(
                    400,
                    "InvalidRequestContent",
                    format!(
                        "`{}` is not a prefix key: a peeringServicePrefixKey is a GUID, as the registered ASN shows it (GET /peerings/{{name}}/registeredAsns)",
                        crate::http::excerpt(key)
                    ),
                    Some("properties.peeringServicePrefixKey"),
                ));
            }
        }
        let registered_asn = b.registered_asn.or(b.properties.registered_asn);
        if let Some(n) = &registered_asn {
            names::check(n, "registeredAsn")?;
        }
        Ok(ServiceOp::PutPrefix {
            service: service.clone(),
            name: name.clone(),
            body: Box::new(PeeringServicePrefix {
                prefix: b.properties.prefix,
                peering_service_prefix_key: b.properties.peering_service_prefix_key,
                registered_asn,
                ..PeeringServicePrefix::default()
            }),
        })
    });
    ask(&c, op).await
}

/// `DELETE /peeringServices/{service}/prefixes/{prefix}`.
pub async fn delete_prefix(State(c): State<Control>, Path((service, name)): Path<(String, String)>) -> Response {
    let op = service_op(&service, || {
        names::check(&name, "prefixName")?;
        Ok(ServiceOp::DeletePrefix {
            service: service.clone(),
            name: name.clone(),
        })
    });
    ask(&c, op).await
}
