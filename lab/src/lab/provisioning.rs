//! Moving the connections through their life as the portal shows it: approved and
//! provisioned when the lab starts, `Validating` once a connection's sessions are up under
//! deny-all, then `Active` once the registered ASNs are applied at the route server (see
//! [`super::lifecycle`] for the states themselves).

use super::scenario::Setup;
use super::state::Lab;
use super::topology::Role;
use route_server::runtime::RouteServerHandle;
use std::time::Duration;
use tokio::time::Instant;

/// How long validation waits for the customers' routes to reach the route server under
/// deny-all before registering the ASNs anyway.
const VALIDATION_WAIT: Duration = Duration::from_secs(5);

/// Where provisioning stands.
#[derive(Debug)]
pub struct Provisioning {
    /// When every live connection was first seen validating.
    validating_since: Option<Instant>,
    /// How many routes the customers announce: the route server holds them all (rejected,
    /// under deny-all) before the registered ASNs are applied.
    expected_rejected: usize,
}

impl Provisioning {
    /// The lab's file connections approved, then provisioned (each step shown), except those
    /// that failed to provision.
    pub fn start(lab: &mut Lab) -> Provisioning {
        lab.note();
        for (r, c) in lab.connections.iter_mut().zip(&lab.top.connections) {
            r.facts.approved = c.error_message.is_none();
        }
        lab.note();
        for (r, c) in lab.connections.iter_mut().zip(&lab.top.connections) {
            r.facts.provisioned = c.error_message.is_none();
        }
        lab.note();
        let expected_rejected = lab
            .top
            .speakers
            .iter()
            .filter(|s| matches!(s.role, Role::Customer { .. }))
            .map(|s| s.prefixes.len())
            .sum();
        Provisioning {
            validating_since: None,
            expected_rejected,
        }
    }

    /// Moves connections on: validation once a connection's sessions are up under deny-all,
    /// then the registered ASNs once every connection validates and the customers' routes
    /// reached the route server (or `VALIDATION_WAIT` passed). A connection added later
    /// validates as soon as its sessions are up and turns Active on the next pass.
    pub async fn phase(&mut self, lab: &mut Lab, setup: &Setup, rs: &RouteServerHandle) {
        let live = lab.live_connections();
        if lab.registry_applied {
            for &c in &live {
                let f = &mut lab.connections[c].facts;
                if f.validating && f.provisioned {
                    f.registered_applied = true;
                } else if f.sessions_up() && f.provisioned {
                    f.validating = true;
                }
            }
            lab.note();
            return;
        }
        for &c in &live {
            let deny_all_holds = lab.edge_prefixes(c).is_empty();
            let f = &mut lab.connections[c].facts;
            if f.sessions_up() && !f.validating && deny_all_holds {
                f.validating = true;
            }
        }
        lab.note();
        if !live
            .iter()
            .all(|c| lab.connections[*c].facts.validating || setup.blocks_provisioning(*c))
        {
            return;
        }
        let started = *self.validating_since.get_or_insert_with(Instant::now);
        let rejected = rs.rejected_all().await.map(|r| r.len()).unwrap_or(0);
        let customers_up = lab
            .top
            .speakers
            .iter()
            .zip(&lab.speakers)
            .filter(|(s, _)| matches!(s.role, Role::Customer { .. }))
            .all(|(_, r)| r.reached);
        if (customers_up && rejected >= self.expected_rejected) || started.elapsed() >= VALIDATION_WAIT {
            register(lab, setup, rs, &live).await;
        }
    }
}

/// Registers the peering's customer ASNs (and those a scenario adds) at the route server:
/// the live connections turn Active, but those a scenario keeps from provisioning.
async fn register(lab: &mut Lab, setup: &Setup, rs: &RouteServerHandle, live: &[usize]) {
    let extra = setup.extra_registrations();
    for asn in lab.registrations.iter().map(|r| r.asn).chain(extra).collect::<Vec<_>>() {
        if let Err(e) = rs.register_asn(asn).await {
            eprintln!("peerlab run: cannot register AS{asn}: {e}");
        }
    }
    lab.registry_applied = true;
    for &c in live {
        lab.connections[c].facts.registered_applied = !setup.blocks_provisioning(c);
    }
    lab.note();
}
