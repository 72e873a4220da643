//! The customers' side of the prefix key in a running lab: their Peering Services, the
//! prefixes they register with a `peeringServicePrefixKey`, and the lab's verdict on each,
//! judged again whenever what AS8075's edges hold, the sessions or the registrations change.
//!
//! - [`start`]: the file's Peering Services, every prefix `Pending`.
//! - [`revalidate`]: every prefix judged against the edges' routes (by [`tick`]: when something
//!   changed, or while a prefix is `Pending`); a progress line per state change.
//! - [`answer`]: the API's `peeringServices` requests (list, get, create, delete; register and
//!   remove a prefix).
//! - [`rows`]: the "Peering Service prefixes" rows of the report and the status.

use super::clock::now;
use super::control::{Answer, LabError, ServiceOp};
use super::rows::ServicePrefixRow;
use super::service_book::{self, start_pending};
use super::state::{Lab, Registration};
use crate::peering::enums::{ConnectionState, LearnedType, PrefixValidationState, ProvisioningState};
use crate::peering::peering_service::{PeeringService, PeeringServicePrefix};
use crate::peering::prefix_validation::{EdgeConnection, EdgeRoutes, ReceivedRoute};
use ipnet::IpNet;
use serde_json::{json, Value};
use std::time::Duration;

/// How long a connection is `Active` before the lab judges prefixes by it even though it does
/// not carry every registered customer's route yet.
pub const SETTLE: Duration = Duration::from_secs(2);

/// On the run's tick: judges the prefixes again when something changed, or while one waits
/// (`Pending`: a connection may have settled since).
pub fn tick(lab: &mut Lab) {
    let waiting = lab.services.iter().any(|s| {
        s.prefixes
            .iter()
            .any(|p| p.prefix_validation_state == Some(PrefixValidationState::Pending))
    });
    if lab.changed || waiting {
        revalidate(lab);
    }
}

/// The file's Peering Services, as the lab starts them.
pub fn start(lab: &mut Lab) {
    lab.services = service_book::initial(&lab.file.peering_services, &lab.registrations);
}

/// What AS8075's edges hold over the connections in service (not failed, not being removed,
/// in the peering's order: the first is the primary; a session counts as up once it is
/// Established and its connection `Active`), limited to routes for a registered prefix, a
/// covering or a more specific one.
pub fn edge_routes(lab: &Lab) -> EdgeRoutes {
    let registered: Vec<IpNet> = lab
        .services
        .iter()
        .flat_map(|s| s.prefixes.iter().filter_map(|p| p.prefix.map(|n| n.trunc())))
        .collect();
    let related = |p: &IpNet| registered.iter().any(|r| r.contains(p) || p.contains(r));
    let mut edges = EdgeRoutes::default();
    for c in lab.live_connections() {
        let conn = &lab.top.connections[c];
        // Before Active no customer route reaches AS8075 (the registered ASNs apply then): a
        // session counts once its connection carries every registered customer's route, or has
        // been Active for SETTLE (what is missing then is missing).
        let settled = lab.connection_state_of(c) == ConnectionState::Active
            && lab.connections[c]
                .active_since
                .is_some_and(|t| lab.holds_expected(c) || t.elapsed() >= SETTLE);
        let up = |s: Option<usize>| settled && s.is_some_and(|i| lab.speakers[i].established());
        let index = edges.connections.len();
        edges.connections.push(EdgeConnection {
            name: conn.name.clone(),
            ipv4_established: up(conn.v4),
            ipv6_established: up(conn.v6),
        });
        for i in lab.edges_of(c) {
            for r in lab.speakers[i].rib.routes.values().filter(|r| related(&r.prefix)) {
                edges.routes.push(ReceivedRoute {
                    connection: index,
                    prefix: r.prefix,
                    as_path: r.as_path.clone(),
                });
            }
        }
    }
    edges
}

/// Judges every registered prefix again; prints a progress line for each whose state changed.
pub fn revalidate(lab: &mut Lab) {
    if lab.services.iter().all(|s| s.prefixes.is_empty()) {
        return;
    }
    let edges = edge_routes(lab);
    let (changes, any) = service_book::revalidate(&mut lab.services, &lab.registrations, &lab.retired, &edges, &now());
    lab.changed |= any;
    if !lab.shows_progress() {
        return;
    }
    let at_ms = lab.started.elapsed().as_millis();
    for c in changes {
        let why = c.error_message.map(|m| format!(": {m}")).unwrap_or_default();
        eprintln!(
            "peerlab run: {at_ms:>6} ms prefix {} {} ({}): {}{why}",
            c.prefix, c.prefix_name, c.service, c.state
        );
    }
}

/// The rows of the "Peering Service prefixes" section.
pub fn rows(lab: &Lab) -> Vec<ServicePrefixRow> {
    let mut out = Vec::new();
    for s in &lab.services {
        for p in &s.prefixes {
            out.push(ServicePrefixRow {
                peering_service: s.name.clone().unwrap_or_default(),
                name: p.name.clone().unwrap_or_default(),
                prefix: p.prefix.map_or_else(|| "-".to_owned(), |n| n.to_string()),
                key_of: key_of(lab, p),
                prefix_validation_state: p.prefix_validation_state.unwrap_or(PrefixValidationState::Pending),
                learned_type: p.learned_type.unwrap_or(LearnedType::None),
                error_message: p.error_message.clone(),
            });
        }
    }
    out
}

/// The registration whose key `p` uses, as people name it: `fjordcloud (AS211548)`.
fn key_of(lab: &Lab, p: &PeeringServicePrefix) -> Option<String> {
    key_owner(lab, p).map(|r| format!("{} (AS{})", r.name, r.asn))
}

/// The registration whose key `p` uses, if it is registered now.
fn key_owner<'a>(lab: &'a Lab, p: &PeeringServicePrefix) -> Option<&'a Registration> {
    let key = p.peering_service_prefix_key.as_deref()?;
    lab.registrations
        .iter()
        .find(|r| r.key.eq_ignore_ascii_case(key.trim()))
}

/// Answers one `peeringServices` request.
pub fn answer(lab: &mut Lab, op: ServiceOp) -> Result<Answer, LabError> {
    match op {
        ServiceOp::List => {
            let v: Vec<Value> = lab.services.iter().map(service_view).collect();
            Ok(Answer::ok(json!({ "value": v })))
        }
        ServiceOp::Get { service } => Ok(Answer::ok(service_view(&lab.services[find(lab, &service)?]))),
        ServiceOp::Put { service, body } => Ok(put_service(lab, service, *body)),
        ServiceOp::Delete { service } => {
            let i = find(lab, &service)?;
            let gone = lab.services.remove(i);
            lab.changed = true;
            Ok(Answer::ok(service_view(&gone)))
        }
        ServiceOp::Prefixes { service } => {
            let s = &lab.services[find(lab, &service)?];
            let v: Vec<Value> = s.prefixes.iter().map(|p| prefix_view(lab, &service, p)).collect();
            Ok(Answer::ok(json!({ "value": v })))
        }
        ServiceOp::GetPrefix { service, name } => {
            let (i, j) = find_prefix(lab, &service, &name)?;
            Ok(Answer::ok(prefix_view(lab, &service, &lab.services[i].prefixes[j])))
        }
        ServiceOp::PutPrefix { service, name, body } => put_prefix(lab, &service, name, *body),
        ServiceOp::DeletePrefix { service, name } => {
            let (i, j) = find_prefix(lab, &service, &name)?;
            let gone = lab.services[i].prefixes.remove(j);
            lab.changed = true;
            Ok(Answer::ok(prefix_view(lab, &service, &gone)))
        }
    }
}

fn find(lab: &Lab, service: &str) -> Result<usize, LabError> {
    lab.services
        .iter()
        .position(|s| s.name.as_deref() == Some(service))
        .ok_or_else(|| {
            LabError::not_found(format!(
                "no Peering Service named `{service}` (GET /peeringServices lists them; PUT /peeringServices/{service} creates it)"
            ))
        })
}

fn find_prefix(lab: &Lab, service: &str, name: &str) -> Result<(usize, usize), LabError> {
    let i = find(lab, service)?;
    let j = lab.services[i]
        .prefixes
        .iter()
        .position(|p| p.name.as_deref() == Some(name))
        .ok_or_else(|| {
            LabError::not_found(format!(
                "Peering Service `{service}` has no prefix named `{name}` (GET /peeringServices/{service}/prefixes lists them)"
            ))
        })?;
    Ok((i, j))
}

fn put_service(lab: &mut Lab, name: String, body: PeeringService) -> Answer {
    lab.changed = true;
    if let Some(s) = lab
        .services
        .iter_mut()
        .find(|s| s.name.as_deref() == Some(name.as_str()))
    {
        s.customer = body.customer.or(s.customer.take());
        s.peering_service_location = body.peering_service_location.or(s.peering_service_location.take());
        s.peering_service_provider = body.peering_service_provider.or(s.peering_service_provider.take());
        return Answer::ok(service_view(s));
    }
    let service = PeeringService {
        name: Some(name),
        provisioning_state: Some(ProvisioningState::Succeeded),
        prefixes: Vec::new(),
        ..body
    };
    let body = service_view(&service);
    lab.services.push(service);
    Answer { status: 201, body }
}

/// Registers (or registers again) a prefix: `Pending` in the answer, judged on the next tick.
fn put_prefix(lab: &mut Lab, service: &str, name: String, mut p: PeeringServicePrefix) -> Result<Answer, LabError> {
    let i = find(lab, service)?;
    let Some(prefix) = p.prefix else {
        return Err(LabError::new(
            400,
            "InvalidRequestContent",
            "`properties.prefix` is missing: send the prefix to register, e.g. {\"properties\": {\"prefix\": \"185.42.136.0/22\", \"peeringServicePrefixKey\": \"…\"}}",
            Some("properties.prefix"),
        ));
    };
    if p.peering_service_prefix_key.is_none() && p.registered_asn.is_none() {
        return Err(LabError::new(
            400,
            "InvalidRequestContent",
            "`properties.peeringServicePrefixKey` is missing: send the key the exchange gave for the ASN that originates the prefix (or peerlab's `registeredAsn`, the registration's name)",
            Some("properties.peeringServicePrefixKey"),
        ));
    }
    let taken = lab.services.iter().find_map(|s| {
        s.prefixes
            .iter()
            .find(|q| {
                q.prefix.map(|n| n.trunc()) == Some(prefix.trunc())
                    && !(s.name.as_deref() == Some(service) && q.name.as_deref() == Some(name.as_str()))
            })
            .map(|q| (s.name.clone().unwrap_or_default(), q.name.clone().unwrap_or_default()))
    });
    if let Some((s, q)) = taken {
        return Err(LabError::new(
            409,
            "Conflict",
            format!("{prefix} is already registered as prefix `{q}` of Peering Service `{s}`; a prefix is registered once (remove that one first)"),
            Some("properties.prefix"),
        ));
    }
    p.name = Some(name.clone());
    start_pending(&mut p, &lab.registrations);
    let prefixes = &mut lab.services[i].prefixes;
    let status = match prefixes.iter().position(|q| q.name.as_deref() == Some(name.as_str())) {
        Some(j) => {
            prefixes[j] = p;
            200
        }
        None => {
            prefixes.push(p);
            201
        }
    };
    lab.changed = true;
    let shown = lab.services[i]
        .prefixes
        .iter()
        .find(|q| q.name.as_deref() == Some(name.as_str()));
    let body = shown.map(|q| prefix_view(lab, service, q)).unwrap_or(Value::Null);
    Ok(Answer { status, body })
}

/// A Peering Service as an Azure resource (peerlab's `customer` beside it).
fn service_view(s: &PeeringService) -> Value {
    json!({
        "name": s.name,
        "type": "Microsoft.Peering/peeringServices",
        "customer": s.customer,
        "properties": {
            "peeringServiceLocation": s.peering_service_location,
            "peeringServiceProvider": s.peering_service_provider,
            "provisioningState": s.provisioning_state,
        }
    })
}

/// A registered prefix as an Azure resource (peerlab's `registeredAsn`, the registration whose
/// key it uses, beside it).
fn prefix_view(lab: &Lab, service: &str, p: &PeeringServicePrefix) -> Value {
    json!({
        "name": p.name,
        "id": format!("/peeringServices/{service}/prefixes/{}", p.name.as_deref().unwrap_or_default()),
        "type": "Microsoft.Peering/peeringServices/prefixes",
        "registeredAsn": key_owner(lab, p).map(|r| r.name.as_str()),
        "properties": {
            "prefix": p.prefix,
            "peeringServicePrefixKey": p.peering_service_prefix_key,
            "prefixValidationState": p.prefix_validation_state,
            "learnedType": p.learned_type,
            "errorMessage": p.error_message,
            "events": p.events,
            "provisioningState": p.provisioning_state,
        }
    })
}
