//! The modify operations of a running lab, each answering like the Azure resource it
//! changes: add a connection (`PendingApproval` → … → `Active`, or `ProvisioningFailed`),
//! remove one (`PendingRemove`, Cease 6/3 on its sessions, then gone), add a session to an
//! Active connection (`PendingAdd`, the FSM states, `Established`), register and deregister
//! customer ASNs (live, no session reset), deprovision the peering. Changing a session
//! (`PendingUpdate`) is in [`super::session_update`].

use super::context::{Ctx, Done};
use super::control::{Answer, LabError, Op, Request};
use super::guid::new_guid;
use super::service_prefixes;
use super::session_update;
use super::speakers::{self, Running};
use super::state::{Lab, Registration};
use super::views;
use crate::peering::enums::{ConnectionState, ProvisioningState};
use crate::peering::model::{BgpSession, DirectConnection};
use bgp_core::fsm::Cease;
use route_server::runtime::RouteServerHandle;
use serde_json::json;
use std::net::IpAddr;
use tokio::sync::mpsc;

/// Finishes background work reported on the run's loop.
pub fn finish(lab: &mut Lab, ctx: Ctx<'_>, d: Done) {
    match d {
        Done::Removed { connection, result } => {
            if let Err(e) = result {
                eprintln!(
                    "peerlab run: removing connection {}: {e}",
                    lab.top.connections[connection].name
                );
            }
            for i in lab.removed(connection) {
                if let Some(r) = ctx.running.get(i) {
                    r.stop_for_good();
                }
            }
        }
        Done::Rekeyed { connection, result } => session_update::rekeyed(lab, ctx, connection, result),
    }
}

/// Answers one API request.
pub async fn handle(lab: &mut Lab, ctx: Ctx<'_>, req: Request) {
    let r = answer(lab, ctx, req.peering, req.op).await;
    lab.note();
    let _ = req.reply.send(r);
}

async fn answer(lab: &mut Lab, ctx: Ctx<'_>, peering: Option<String>, op: Op) -> Result<Answer, LabError> {
    if let Some(p) = &peering {
        if *p != lab.peering_name() {
            return Err(LabError::not_found(format!(
                "no peering named `{p}`; this lab runs `{}` (GET /peerings lists it)",
                lab.peering_name()
            )));
        }
    }
    match op {
        Op::List => Ok(Answer::ok(json!({ "value": [views::peering(lab)] }))),
        Op::Get => Ok(Answer::ok(views::peering(lab))),
        Op::RegisteredAsns => Ok(Answer::ok(views::registered(lab))),
        Op::ReceivedRoutes => Ok(Answer::ok(views::received_routes(lab))),
        Op::Status => Ok(Answer::ok(views::status(lab))),
        Op::Services(op) => service_prefixes::answer(lab, op),
        Op::AddConnection { id, connection } => add_connection(lab, ctx, id, *connection).await,
        Op::RemoveConnection { id } => {
            let c = lab.find_connection(&id)?;
            remove_connection(lab, &ctx, c);
            Ok(Answer {
                status: 202,
                body: views::connection(lab, c),
            })
        }
        Op::AddSession { id, session } => add_session(lab, ctx, &id, *session).await,
        Op::Register { name, asn } => register(lab, ctx.rs, name, asn).await,
        Op::Deregister { name } => deregister(lab, ctx.rs, &name).await,
        Op::Deprovision => {
            lab.deprovisioning = true;
            let live: Vec<usize> = (0..lab.top.connections.len())
                .filter(|c| !lab.gone(*c) && !lab.connections[*c].removing)
                .collect();
            for c in live {
                remove_connection(lab, &ctx, c);
            }
            lab.check_ended();
            Ok(Answer {
                status: 202,
                body: views::peering(lab),
            })
        }
    }
}

fn conflict(code: &'static str, message: String, target: Option<&str>) -> LabError {
    LabError::new(409, code, message, target)
}

fn refuse_while_deprovisioning(lab: &Lab) -> Result<(), LabError> {
    if lab.deprovisioning {
        return Err(conflict(
            "PeeringDeprovisioning",
            format!(
                "peering `{}` is being deprovisioned; start a new lab",
                lab.peering_name()
            ),
            None,
        ));
    }
    Ok(())
}

/// A speaker slot with nothing running (its commands go nowhere).
fn not_running() -> Running {
    let (commands, _) = mpsc::channel(1);
    Running {
        commands,
        control: None,
        tasks: Vec::new(),
    }
}

/// Starts the speakers `idx` (they were just planned, so they are the next indices), each
/// with its tuning read from the topology now that its client is at the route server.
fn start_speakers(lab: &mut Lab, ctx: &mut Ctx<'_>, idx: &[usize]) {
    lab.retune(idx);
    for &i in idx {
        let plan = &lab.top.speakers[i];
        let tuning = &lab.speakers[i].tuning;
        let r = speakers::start_tuned((i, 0), plan, lab.top.rs.asn, tuning, ctx.events.clone()).unwrap_or_else(|e| {
            eprintln!("peerlab run: {}: cannot start: {e}", plan.name);
            not_running()
        });
        debug_assert_eq!(ctx.running.len(), i);
        ctx.running.push(r);
    }
}

/// The speakers `idx` were planned but their connection failed provisioning: they never
/// start, and they count as gone, so they never hold up convergence.
fn never_start(lab: &mut Lab, ctx: &mut Ctx<'_>, idx: &[usize]) {
    for &i in idx {
        debug_assert_eq!(ctx.running.len(), i);
        ctx.running.push(not_running());
        lab.speakers[i].gone = true;
    }
}

async fn add_connection(
    lab: &mut Lab,
    mut ctx: Ctx<'_>,
    id: String,
    mut conn: DirectConnection,
) -> Result<Answer, LabError> {
    refuse_while_deprovisioning(lab)?;
    if let Some(given) = &conn.connection_identifier {
        if *given != id {
            return Err(LabError::new(
                400,
                "InvalidRequestContent",
                format!("`connectionIdentifier` {given} differs from the path's {id}; make them equal or leave it out"),
                Some("connectionIdentifier"),
            ));
        }
    }
    if lab.find_connection(&id).is_ok() {
        return Err(conflict(
            "Conflict",
            format!("connection {id} already exists; remove it first or choose another connectionIdentifier"),
            Some("connectionIdentifier"),
        ));
    }
    conn.connection_identifier = Some(id);
    conn.connection_state = None;
    conn.error_message = None;
    let planned = lab
        .top
        .plan_connection(&conn)
        .map_err(|e| LabError::new(400, "InvalidRequestContent", e, Some("bgpSession")))?;
    let c = planned.connection;
    lab.grow();
    lab.note();
    let Some(client) = planned.client else {
        return Ok(Answer {
            status: 201,
            body: views::connection(lab, c),
        });
    };
    lab.connections[c].facts.approved = true;
    lab.note();
    let transports = lab.top.transports_of(&planned.speakers);
    if let Err(e) = ctx.rs.add_client(client.clone(), transports).await {
        lab.top.connections[c].error_message = Some(format!(
            "the route server could not take the connection's sessions: {e}"
        ));
        never_start(lab, &mut ctx, &planned.speakers);
        lab.note();
        return Ok(Answer {
            status: 201,
            body: views::connection(lab, c),
        });
    }
    lab.top.rs.clients.push(client);
    lab.connections[c].facts.provisioned = true;
    start_speakers(lab, &mut ctx, &planned.speakers);
    lab.note();
    Ok(Answer {
        status: 201,
        body: views::connection(lab, c),
    })
}

/// `PendingRemove` now; the route server sends Cease 6/3 and forgets the client in the
/// background, then [`Lab::removed`] finishes.
fn remove_connection(lab: &mut Lab, ctx: &Ctx<'_>, c: usize) {
    if lab.connections[c].removing || lab.gone(c) {
        return;
    }
    if lab.top.connections[c].error_message.is_some() {
        lab.top.connections[c].removed = true;
        lab.check_ended();
        return;
    }
    lab.connections[c].removing = true;
    lab.note();
    let rs = ctx.rs.clone();
    let done = ctx.done.clone();
    let client = lab.top.connections[c].client.clone();
    tokio::spawn(async move {
        let result = rs
            .remove_client(&client, Cease::peer_deconfigured())
            .await
            .map_err(|e| e.to_string());
        let _ = done.send(Done::Removed { connection: c, result }).await;
    });
}

async fn add_session(lab: &mut Lab, mut ctx: Ctx<'_>, id: &str, s: BgpSession) -> Result<Answer, LabError> {
    refuse_while_deprovisioning(lab)?;
    let c = lab.find_connection(id)?;
    if let Some(v4) = session_update::names_existing(lab, c, &s) {
        return session_update::update_session(lab, &ctx, c, &s, v4);
    }
    let state = lab.connection_state_of(c);
    if state != ConnectionState::Active {
        return Err(conflict(
            "InvalidConnectionState",
            format!("sessions can be added only to an Active connection; connection {id} is {state}"),
            Some("connectionState"),
        ));
    }
    let conn = &lab.top.connections[c];
    let (ms, peer, target) = match (s.microsoft_session_ipv4_address, s.microsoft_session_ipv6_address) {
        (Some(a), _) if conn.v4.is_none() => (
            IpAddr::V4(a),
            s.peer_session_ipv4_address.map(IpAddr::V4),
            "bgpSession.microsoftSessionIPv4Address",
        ),
        (_, Some(a)) if conn.v6.is_none() => (
            IpAddr::V6(a),
            s.peer_session_ipv6_address.map(IpAddr::V6),
            "bgpSession.microsoftSessionIPv6Address",
        ),
        _ => {
            let lacking = match (conn.v4, conn.v6) {
                (None, _) => "microsoftSessionIPv4Address (the connection has no IPv4 session)",
                (_, None) => "microsoftSessionIPv6Address (the connection has no IPv6 session)",
                _ => "nothing: the connection has both sessions already",
            };
            return Err(conflict(
                "InvalidSession",
                format!("give the address of the session to add; connection {id} can take {lacking}"),
                Some("bgpSession"),
            ));
        }
    };
    if let Some(p) = peer {
        if let Some((asn, who)) = lab.top.holder_of(p, Some(c)) {
            return Err(conflict(
                "AddressInUse",
                format!("address {p} is already configured on {who} (AS{asn}); choose another address"),
                Some(target),
            ));
        }
    }
    let planned = lab
        .top
        .plan_session(c, ms)
        .map_err(|e| conflict("AddressInUse", e, Some(target)))?;
    merge_session(&mut lab.top.connections[c].resource, &s, ms.is_ipv4());
    lab.grow();
    lab.note();
    let Some(client) = planned.client else {
        return Ok(Answer::ok(views::connection(lab, c)));
    };
    let transports = lab.top.transports_of(&planned.speakers);
    ctx.rs
        .add_client(client.clone(), transports)
        .await
        .map_err(|e| conflict("AddressInUse", e.to_string(), Some(target)))?;
    if let Some(existing) = lab.top.rs.clients.iter_mut().find(|x| x.name == client.name) {
        existing.addresses.extend(client.addresses);
    }
    start_speakers(lab, &mut ctx, &planned.speakers);
    lab.note();
    Ok(Answer {
        status: 202,
        body: views::connection(lab, c),
    })
}

/// Copies the new family's fields of `s` into the connection's `bgpSession`.
fn merge_session(conn: &mut DirectConnection, s: &BgpSession, v4: bool) {
    let b = conn.bgp_session.get_or_insert_with(BgpSession::default);
    if v4 {
        b.session_prefix_v4 = s.session_prefix_v4.or(b.session_prefix_v4);
        b.microsoft_session_ipv4_address = s.microsoft_session_ipv4_address;
        b.peer_session_ipv4_address = s.peer_session_ipv4_address.or(b.peer_session_ipv4_address);
        b.max_prefixes_advertised_v4 = s.max_prefixes_advertised_v4.or(b.max_prefixes_advertised_v4);
    } else {
        b.session_prefix_v6 = s.session_prefix_v6.or(b.session_prefix_v6);
        b.microsoft_session_ipv6_address = s.microsoft_session_ipv6_address;
        b.peer_session_ipv6_address = s.peer_session_ipv6_address.or(b.peer_session_ipv6_address);
        b.max_prefixes_advertised_v6 = s.max_prefixes_advertised_v6.or(b.max_prefixes_advertised_v6);
    }
}

async fn register(lab: &mut Lab, rs: &RouteServerHandle, name: String, asn: u32) -> Result<Answer, LabError> {
    refuse_while_deprovisioning(lab)?;
    if let Some(r) = lab.registrations.iter().find(|r| r.name == name) {
        if r.asn == asn {
            return Ok(Answer::ok(views::registration(lab, &name)));
        }
        return Err(conflict(
            "Conflict",
            format!(
                "registered ASN `{name}` already registers AS{}; deregister it first or choose another name",
                r.asn
            ),
            Some("properties.asn"),
        ));
    }
    if let Some(r) = lab.registrations.iter().find(|r| r.asn == asn) {
        return Err(conflict(
            "DuplicateRegisteredAsn",
            format!(
                "AS{asn} is already registered on this peering as `{}`; a customer ASN is registered once",
                r.name
            ),
            Some("properties.asn"),
        ));
    }
    let active = (0..lab.top.connections.len()).any(|c| lab.connection_state_of(c) == ConnectionState::Active);
    if !active {
        return Err(conflict(
            "NoActiveConnection",
            "customer ASNs can be registered only while a connection of the peering is Active; \
             wait until one is (GET the peering)"
                .to_owned(),
            Some("properties.asn"),
        ));
    }
    rs.register_asn(asn)
        .await
        .map_err(|e| LabError::new(400, "InvalidRequestContent", e.to_string(), Some("properties.asn")))?;
    // The same name and ASN registered again gets its key back, so the customers' prefixes
    // registered with it validate again (a decision of the lab; Azure would issue a new key).
    let key = match lab.retired.iter().position(|r| r.name == name && r.asn == asn) {
        Some(i) => lab.retired.remove(i).key,
        None => new_guid(),
    };
    lab.registrations.push(Registration {
        name: name.clone(),
        asn,
        key,
        state: ProvisioningState::Succeeded,
    });
    lab.set_registered(asn, true);
    Ok(Answer {
        status: 201,
        body: views::registration(lab, &name),
    })
}

async fn deregister(lab: &mut Lab, rs: &RouteServerHandle, name: &str) -> Result<Answer, LabError> {
    let Some(pos) = lab.registrations.iter().position(|r| r.name == name) else {
        return Err(LabError::not_found(format!(
            "no registered ASN named `{name}` (GET .../registeredAsns lists them)"
        )));
    };
    let body = views::registration(lab, name);
    let asn = lab.registrations[pos].asn;
    rs.deregister_asn(asn)
        .await
        .map_err(|e| LabError::new(503, "ServiceUnavailable", e.to_string(), None))?;
    let gone = lab.registrations.remove(pos);
    lab.retired.retain(|r| r.name != gone.name);
    lab.retired.push(gone);
    lab.set_registered(asn, false);
    Ok(Answer::ok(body))
}
