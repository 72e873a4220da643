//! Changing a session of an Active connection: `PUT`/`PATCH .../connections/{id}/bgpSession`
//! naming the session's existing Microsoft address with a new `maxPrefixesAdvertisedV4`/`V6`
//! or `md5AuthenticationKey`. Meanwhile the sessions concerned show `PendingUpdate` and the
//! connection stays `Active`:
//! - a new max-prefix limit goes to the AS8075 edge's enforcement and is applied on its next
//!   pass (every 100 ms): if the edge holds more routes than the new limit, it sends Cease 6/1;
//! - a new TCP-MD5 key is connection-wide: the route server removes its client with Cease 6/6
//!   Other Configuration Change and adds it back with the key; once the route server is done
//!   and the old session is seen down (its 6/6 recorded), each edge speaker restarts with the
//!   key under a new generation (late events of the old session change nothing); each session
//!   shows `PendingUpdate` until it is Established again.

use super::context::{Ctx, Done};
use super::control::{Answer, LabError};
use super::speakers;
use super::state::{Lab, Updating};
use super::views;
use crate::peering::enums::ConnectionState;
use crate::peering::model::BgpSession;
use bgp_core::fsm::Cease;
use bgp_core::speaker::Command;
use std::net::IpAddr;

/// Which existing session of connection `c` the body names by its Microsoft address: `Some(true)`
/// for IPv4, `Some(false)` for IPv6, `None` when it names no existing session (an add).
pub(super) fn names_existing(lab: &Lab, c: usize, s: &BgpSession) -> Option<bool> {
    let conn = &lab.top.connections[c];
    let have = conn.resource.bgp_session.as_ref()?;
    let v4 = conn.v4.is_some()
        && s.microsoft_session_ipv4_address.is_some()
        && s.microsoft_session_ipv4_address == have.microsoft_session_ipv4_address;
    let v6 = conn.v6.is_some()
        && s.microsoft_session_ipv6_address.is_some()
        && s.microsoft_session_ipv6_address == have.microsoft_session_ipv6_address;
    match (v4, v6) {
        (true, _) => Some(true),
        (_, true) => Some(false),
        _ => None,
    }
}

fn conflict(code: &'static str, message: String, target: &str) -> LabError {
    LabError::new(409, code, message, Some(target))
}

/// Changes the IPv4 (`v4`) or IPv6 session of connection `c` as `s` asks: 202 with the
/// connection when something changes, 200 when nothing does.
pub(super) fn update_session(
    lab: &mut Lab,
    ctx: &Ctx<'_>,
    c: usize,
    s: &BgpSession,
    v4: bool,
) -> Result<Answer, LabError> {
    let id = lab.top.connections[c].name.clone();
    let edges = updatable_edges(lab, c, &id)?;
    let have = lab.top.connections[c].resource.bgp_session.clone().unwrap_or_default();
    check_peer_unchanged(&have, s, v4, &id)?;
    let limit = new_limit(&have, s, v4)?;
    let key = s
        .md5_authentication_key
        .as_ref()
        .map(|k| (!k.is_empty()).then(|| k.clone()))
        .filter(|k| *k != have.md5_authentication_key);
    if limit.is_none() && key.is_none() {
        return Ok(Answer::ok(views::connection(lab, c)));
    }
    let client_name = lab.top.connections[c].client.clone();
    if !lab.top.rs.clients.iter().any(|x| x.name == client_name) {
        return Err(LabError::new(
            503,
            "ServiceUnavailable",
            format!("the route server has no client {client_name} for connection {id}"),
            None,
        ));
    }
    let edge = if v4 {
        lab.top.connections[c].v4
    } else {
        lab.top.connections[c].v6
    };
    if let (Some(n), Some(edge)) = (limit, edge) {
        apply_limit(lab, c, edge, v4, n);
    }
    if let Some(key) = key {
        rekey(lab, ctx, c, &edges, key);
    }
    Ok(Answer {
        status: 202,
        body: views::connection(lab, c),
    })
}

/// The edge speakers of connection `c` (named `id`), when its sessions can be changed: it is
/// Active and none of them is being updated already.
fn updatable_edges(lab: &Lab, c: usize, id: &str) -> Result<Vec<usize>, LabError> {
    let state = lab.connection_state_of(c);
    if state != ConnectionState::Active {
        return Err(conflict(
            "InvalidConnectionState",
            format!("sessions can be changed only on an Active connection; connection {id} is {state}"),
            "connectionState",
        ));
    }
    let edges = lab.edges_of(c);
    if edges.iter().any(|i| lab.is_updating(*i)) {
        return Err(conflict(
            "SessionUpdateInProgress",
            format!(
                "a session of connection {id} is being updated (PendingUpdate); wait until it shows its state again"
            ),
            "bgpSession",
        ));
    }
    Ok(edges)
}

/// A session's peer address cannot change: `s` gives the current one (`have`'s) or none.
fn check_peer_unchanged(have: &BgpSession, s: &BgpSession, v4: bool, id: &str) -> Result<(), LabError> {
    let (peer_now, peer_asked, field) = if v4 {
        (
            have.peer_session_ipv4_address.map(IpAddr::V4),
            s.peer_session_ipv4_address.map(IpAddr::V4),
            "bgpSession.peerSessionIPv4Address",
        )
    } else {
        (
            have.peer_session_ipv6_address.map(IpAddr::V6),
            s.peer_session_ipv6_address.map(IpAddr::V6),
            "bgpSession.peerSessionIPv6Address",
        )
    };
    if peer_asked.is_some() && peer_asked != peer_now {
        return Err(LabError::new(
            400,
            "InvalidRequestContent",
            format!(
                "a session's addresses cannot change; give its current peer address or leave it out \
                 (to move the session, remove connection {id} and add it again)"
            ),
            Some(field),
        ));
    }
    Ok(())
}

/// The max-prefix limit `s` asks for its family when it differs from `have`'s; 0 is refused.
fn new_limit(have: &BgpSession, s: &BgpSession, v4: bool) -> Result<Option<u32>, LabError> {
    let (limit_now, limit_asked, limit_field) = if v4 {
        (
            have.max_prefixes_advertised_v4,
            s.max_prefixes_advertised_v4,
            "bgpSession.maxPrefixesAdvertisedV4",
        )
    } else {
        (
            have.max_prefixes_advertised_v6,
            s.max_prefixes_advertised_v6,
            "bgpSession.maxPrefixesAdvertisedV6",
        )
    };
    if limit_asked == Some(0) {
        return Err(LabError::new(
            400,
            "InvalidRequestContent",
            "a max-prefix limit of 0 would refuse every route; give at least 1",
            Some(limit_field),
        ));
    }
    Ok(limit_asked.filter(|n| Some(*n) != limit_now))
}

/// Records limit `n` on the connection and its route server client, and hands it to the
/// edge's enforcement; `PendingUpdate` until its next pass.
fn apply_limit(lab: &mut Lab, c: usize, edge: usize, v4: bool, n: u32) {
    let conn = &mut lab.top.connections[c];
    let b = conn.resource.bgp_session.get_or_insert_with(BgpSession::default);
    if v4 {
        b.max_prefixes_advertised_v4 = Some(n);
    } else {
        b.max_prefixes_advertised_v6 = Some(n);
    }
    let client_name = conn.client.clone();
    if let Some(cl) = lab.top.rs.clients.iter_mut().find(|x| x.name == client_name) {
        if v4 {
            cl.max_prefixes_v4 = Some(n);
        } else {
            cl.max_prefixes_v6 = Some(n);
        }
    }
    let s = &mut lab.speakers[edge];
    s.tuning.max_prefixes = Some(n);
    s.updating = Some(Updating::Limit);
}

/// Re-keys connection `c` (edges `edges`) with `key` (`None`: no TCP-MD5): the route server
/// removes its client with Cease 6/6 and adds it back in the background, then
/// [`rekeyed`] restarts the edges.
fn rekey(lab: &mut Lab, ctx: &Ctx<'_>, c: usize, edges: &[usize], key: Option<String>) {
    let conn = &mut lab.top.connections[c];
    conn.resource
        .bgp_session
        .get_or_insert_with(BgpSession::default)
        .md5_authentication_key
        .clone_from(&key);
    let client_name = conn.client.clone();
    let mut client = None;
    if let Some(cl) = lab.top.rs.clients.iter_mut().find(|x| x.name == client_name) {
        cl.md5_key.clone_from(&key);
        client = Some(cl.clone());
    }
    for &i in edges {
        lab.top.speakers[i].md5.clone_from(&key);
        let s = &mut lab.speakers[i];
        s.tuning.md5.clone_from(&key);
        s.updating = Some(Updating::Rekey {
            client: None,
            down: !s.established(),
            restarted: false,
        });
    }
    let Some(client) = client else { return };
    let transports = lab.top.transports_of(edges);
    let rs = ctx.rs.clone();
    let done = ctx.done.clone();
    tokio::spawn(async move {
        let removed = rs
            .remove_client(&client.name, Cease::other_configuration_change())
            .await
            .map_err(|e| format!("removing the client: {e}"));
        let result = match removed {
            Ok(_) => rs
                .add_client(client, transports)
                .await
                .map(|_| ())
                .map_err(|e| format!("adding the client back: {e}")),
            Err(e) => Err(e),
        };
        let _ = done.send(Done::Rekeyed { connection: c, result }).await;
    });
}

/// The route server re-keyed connection `c`'s client: each edge speaker restarts with the
/// new key (see [`settle`]). On failure the sessions show their states again once restarted.
pub(super) fn rekeyed(lab: &mut Lab, ctx: Ctx<'_>, c: usize, result: Result<(), String>) {
    let conn = &lab.top.connections[c];
    let edges = lab.edges_of(c);
    if let Err(e) = &result {
        eprintln!("peerlab run: re-keying connection {}: {e}", conn.name);
    }
    if lab.connections[c].removing || lab.gone(c) {
        // Removed meanwhile: the client added back must go again.
        for i in edges {
            lab.speakers[i].updating = None;
        }
        if result.is_ok() {
            let rs = ctx.rs.clone();
            let client = conn.client.clone();
            tokio::spawn(async move {
                let _ = rs.remove_client(&client, Cease::peer_deconfigured()).await;
            });
        }
        return;
    }
    for i in edges {
        if let Some(Updating::Rekey { client, .. }) = &mut lab.speakers[i].updating {
            *client = Some(result.is_ok());
        }
    }
    settle(lab, ctx);
}

/// Moves updates on (every tick, and when the route server finished a re-key): new limits are
/// applied after the edges' enforcement pass; an edge whose client is re-keyed and whose old
/// session is down restarts with the new key.
pub(super) fn settle(lab: &mut Lab, mut ctx: Ctx<'_>) {
    lab.limits_applied();
    let mut any = false;
    for i in 0..lab.speakers.len() {
        // A failed re-key may leave the old session up: restart without waiting for it.
        let Some(Updating::Rekey {
            client: Some(ok),
            down,
            restarted: false,
        }) = lab.speakers[i].updating
        else {
            continue;
        };
        if ok && !down {
            continue;
        }
        restart(lab, &mut ctx, i);
        lab.speakers[i].updating = ok.then_some(Updating::Rekey {
            client: Some(true),
            down: true,
            restarted: true,
        });
        any = true;
    }
    if any {
        lab.changed = true;
        lab.note();
    }
}

/// Edge `i` restarts with its tuning (the new key) under its next generation.
fn restart(lab: &mut Lab, ctx: &mut Ctx<'_>, i: usize) {
    if let Some(old) = ctx.running.get(i) {
        let _ = old.commands.try_send(Command::Shutdown);
        for t in &old.tasks {
            t.abort();
        }
    }
    let s = &mut lab.speakers[i];
    s.generation += 1;
    s.rib.routes.clear();
    let plan = &lab.top.speakers[i];
    match speakers::start_tuned((i, s.generation), plan, lab.top.rs.asn, &s.tuning, ctx.events.clone()) {
        Ok(r) => {
            if let Some(slot) = ctx.running.get_mut(i) {
                *slot = r;
            }
        }
        Err(e) => eprintln!("peerlab run: {}: cannot restart: {e}", plan.name),
    }
}
