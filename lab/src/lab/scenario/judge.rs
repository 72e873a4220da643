//! Judging a run with break-it scenarios: was each scenario's expected outcome observed, and
//! did everything the scenarios do not break reach its normal end state?

use super::super::lifecycle::session_state;
use super::super::rows::{EdgeRouteRow, FilteredRow};
use super::super::state::{Lab, SpeakerRecord};
use super::super::topology::SpeakerPlan;
use super::plan::{blocks_provisioning, expected_of, Planned};
use super::report::{BreakItReport, RouteServerSide, ScenarioConnection, ScenarioReport, ScenarioSession};
use super::watch::Seen;
use crate::peering::enums::ConnectionState;
use crate::peering::lab_section::Scenario;
use bgp_core::fsm::State;
use bgp_core::Family;
use route_server::runtime::{RouteView, SessionView};
use std::time::Duration;

/// How long the sessions of `md5-mismatch` must have tried without TCP completing before the
/// run counts the mismatch as observed.
pub const MD5_WINDOW: Duration = Duration::from_secs(3);

/// What the judge looks at: the lab, and the route server's side of it.
pub struct Observed<'a> {
    /// The lab: its topology and its speakers' and connections' records.
    pub lab: &'a Lab,
    /// The route server's filtered routes.
    pub filtered: &'a [RouteView],
    /// The route server's sessions.
    pub rs_sessions: &'a [SessionView],
}

impl Observed<'_> {
    /// The connection state last shown (`PendingApproval` before the first).
    fn connection_state(&self, c: usize) -> ConnectionState {
        self.lab
            .connections
            .get(c)
            .and_then(|r| r.state)
            .unwrap_or(ConnectionState::PendingApproval)
    }

    /// Speaker `i`'s record.
    fn speaker(&self, i: usize) -> &SpeakerRecord {
        &self.lab.speakers[i]
    }

    /// What speaker `i` went through.
    fn seen(&self, i: usize) -> &Seen {
        &self.speaker(i).seen
    }

    /// Connections the verdict ignores: failed to provision, or removed.
    fn ignored(&self, c: usize) -> bool {
        self.connection_state(c) == ConnectionState::ProvisioningFailed
            || self.lab.edges_of(c).iter().all(|i| self.speaker(*i).gone)
    }

    /// Whether the scenario's connection still shows `ProvisioningStarted`.
    fn still_provisioning(&self, p: &Planned) -> bool {
        p.connection
            .is_some_and(|c| self.connection_state(c) == ConnectionState::ProvisioningStarted)
    }
}

/// Judges every planned scenario and the rest of the lab.
pub fn judge(planned: &[Planned], o: &Observed) -> BreakItReport {
    let scenarios: Vec<ScenarioReport> = planned.iter().map(|p| scenario(p, o)).collect();
    let unbroken_converged = unbroken_converged(planned, o);
    let passed = unbroken_converged && scenarios.iter().all(|r| r.expected_observed);
    BreakItReport {
        scenarios,
        unbroken_converged,
        passed,
    }
}

fn unbroken_converged(planned: &[Planned], o: &Observed) -> bool {
    let top = &o.lab.top;
    let down: Vec<usize> = planned.iter().flat_map(|p| p.down.iter().copied()).collect();
    let excluded: Vec<_> = planned.iter().flat_map(|p| p.excluded.iter().copied()).collect();
    let sessions_up = o
        .lab
        .speakers
        .iter()
        .enumerate()
        .all(|(i, s)| down.contains(&i) || s.gone || s.established());
    let connections_ok = top.connections.iter().enumerate().all(|(c, conn)| {
        if blocks_provisioning(planned, c) || o.ignored(c) {
            return true;
        }
        o.connection_state(c) == ConnectionState::Active
            && [(conn.v4, Family::IPV4_UNICAST), (conn.v6, Family::IPV6_UNICAST)]
                .iter()
                .filter_map(|(i, f)| i.map(|i| (i, *f)))
                .filter(|(i, _)| !down.contains(i))
                .all(|(i, family)| {
                    let held = &o.speaker(i).rib.routes;
                    expected_of(top, family)
                        .iter()
                        .filter(|p| !excluded.contains(p))
                        .all(|p| held.contains_key(p))
                })
    });
    sessions_up && connections_ok
}

/// One session of a scenario: the lab speaker `plan` (its record `s`) and the route server's
/// end of it.
fn session(plan: &SpeakerPlan, s: &SpeakerRecord, rs_sessions: &[SessionView]) -> ScenarioSession {
    let x = &s.seen;
    let rs = rs_sessions
        .iter()
        .find(|r| r.name == plan.rs_session)
        .map(|r| RouteServerSide {
            session: r.name.clone(),
            state: r.state.clone(),
            notifications_sent: r.notifications_sent.clone(),
            last_reason: r.last_transitions.last().map(|t| t.reason.clone()),
        });
    ScenarioSession {
        speaker: plan.name.clone(),
        state: session_state(s.fsm),
        states_seen: x.states.iter().map(|st| session_state(Some(*st))).collect(),
        times_established: x.established,
        back_after_fault: x.back_after_fault,
        notifications_sent: x.sent.iter().map(Into::into).collect(),
        notifications_received: x.received.iter().map(Into::into).collect(),
        connect_failures: x.connect_failures,
        last_reason: x.last_reason.clone(),
        route_server: rs,
    }
}

/// What was observed of one scenario: whether it is what was expected, in one sentence, and
/// the filtered routes and the routes at AS8075 that belong to it.
struct Outcome {
    ok: bool,
    observed: String,
    filtered: Vec<FilteredRow>,
    routes: Vec<EdgeRouteRow>,
}

impl Outcome {
    fn new(ok: bool, observed: String) -> Outcome {
        Outcome {
            ok,
            observed,
            filtered: Vec::new(),
            routes: Vec::new(),
        }
    }
}

fn scenario(p: &Planned, o: &Observed) -> ScenarioReport {
    let sessions: Vec<ScenarioSession> = p
        .sessions
        .iter()
        .map(|i| session(&o.lab.top.speakers[*i], o.speaker(*i), o.rs_sessions))
        .collect();
    let connection = p.connection.map(|c| ScenarioConnection {
        connection: o.lab.top.connections[c].name.clone(),
        connection_state: o.connection_state(c),
    });
    let outcome = match p.scenario {
        Scenario::WrongPeerAsn => wrong_peer_asn(p, o),
        Scenario::Md5Mismatch => md5_mismatch(p, o),
        Scenario::HoldTimerExpiry => hold_timer_expiry(p, o),
        Scenario::MaxPrefixExceeded => max_prefix_exceeded(p, o),
        Scenario::UnregisteredCustomer => unregistered_customer(p, o),
        Scenario::NextHopMismatch => next_hop_mismatch(p, o),
        Scenario::WrongPrefixKey => {
            let (ok, observed) = super::prefix_key::judge(o.lab);
            Outcome::new(ok, observed)
        }
    };
    ScenarioReport {
        scenario: p.scenario.as_str(),
        target: p.target.clone(),
        broken: p.broken.clone(),
        expected: p.expected.clone(),
        observed: outcome.observed,
        expected_observed: outcome.ok,
        connection,
        sessions,
        filtered: outcome.filtered,
        routes_at_as8075: outcome.routes,
    }
}

/// The edge sent 2/2 Bad Peer AS on every session and none reached Established.
fn wrong_peer_asn(p: &Planned, o: &Observed) -> Outcome {
    let ok = o.still_provisioning(p)
        && p.sessions
            .iter()
            .all(|i| o.seen(*i).sent_code(2, 2) && o.seen(*i).established == 0);
    let n: usize = p
        .sessions
        .iter()
        .map(|i| o.seen(*i).sent.iter().filter(|n| n.code == 2).count())
        .sum();
    Outcome::new(
        ok,
        format!("the edge sent NOTIFICATION 2/2 Bad Peer AS {n} times; no session reached Established"),
    )
}

/// TCP never completed for [`MD5_WINDOW`]: no OPEN, no NOTIFICATION either way.
fn md5_mismatch(p: &Planned, o: &Observed) -> Outcome {
    let silent = |i: &usize| {
        let x = o.seen(*i);
        !x.opened()
            && x.sent.is_empty()
            && x.received.is_empty()
            && x.first_connect.is_some_and(|t| t.elapsed() >= MD5_WINDOW)
    };
    let ok = o.still_provisioning(p) && p.sessions.iter().all(silent);
    let failures: usize = p.sessions.iter().map(|i| o.seen(*i).connect_failures).sum();
    let opened = p.sessions.iter().any(|i| o.seen(*i).opened());
    Outcome::new(
        ok,
        format!(
            "{}; no NOTIFICATION; {failures} failed TCP attempts reported",
            if opened {
                "a session exchanged OPENs"
            } else {
                "TCP never completed: no OPEN was exchanged"
            }
        ),
    )
}

/// The edge sent 4/0 Hold Timer Expired and its session came back to Established.
fn hold_timer_expiry(p: &Planned, o: &Observed) -> Outcome {
    let i = p.sessions[0];
    let x = o.seen(i);
    let ok = x.sent_code(4, 0) && x.back_after_fault && o.speaker(i).established();
    Outcome::new(
        ok,
        format!(
            "hold timer expired: {}; back to Established after the fault: {}",
            if x.sent_code(4, 0) {
                "the edge sent NOTIFICATION 4/0 Hold Timer Expired"
            } else {
                "no 4/0 sent yet"
            },
            x.back_after_fault
        ),
    )
}

/// The edge sent Cease 6/1 with the lowered limit and its session stays Idle.
fn max_prefix_exceeded(p: &Planned, o: &Observed) -> Outcome {
    let i = p.sessions[0];
    let sent = o.seen(i).sent_code(6, 1);
    let fsm = o.speaker(i).fsm;
    let limit = p.limit.map(|(_, l)| l).unwrap_or(0);
    Outcome::new(
        sent && fsm == Some(State::Idle),
        format!(
            "{}; the session is {}",
            if sent {
                format!("the edge sent NOTIFICATION 6/1 Maximum Number of Prefixes Reached (limit {limit})")
            } else {
                "no 6/1 sent yet".to_owned()
            },
            session_state(fsm)
        ),
    )
}

/// AS8075 holds routes originated by the unregistered customer.
fn unregistered_customer(p: &Planned, o: &Observed) -> Outcome {
    let mut routes = Vec::new();
    for (c, conn) in o.lab.top.connections.iter().enumerate() {
        for i in o.lab.edges_of(c) {
            for r in o.speaker(i).rib.routes.values() {
                if r.origin_as.is_some_and(|a| p.customer_asns.contains(&a)) {
                    routes.push(EdgeRouteRow {
                        connection: conn.name.clone(),
                        route: r.clone(),
                    });
                }
            }
        }
    }
    let observed = format!(
        "AS8075 holds {} routes originated by unregistered AS{}",
        routes.len(),
        p.customer_asns.first().copied().unwrap_or_default()
    );
    Outcome {
        ok: !routes.is_empty(),
        observed,
        filtered: Vec::new(),
        routes,
    }
}

/// The route server filtered every excluded prefix as next-hop-not-client, none reached
/// AS8075, and the customer's sessions are up.
fn next_hop_mismatch(p: &Planned, o: &Observed) -> Outcome {
    let names: Vec<&str> = p
        .sessions
        .iter()
        .map(|i| o.lab.top.speakers[*i].rs_session.as_str())
        .collect();
    let filtered: Vec<FilteredRow> = o
        .filtered
        .iter()
        .filter(|r| names.contains(&r.from.as_str()))
        .map(FilteredRow::of)
        .collect();
    let all_filtered = p.excluded.iter().all(|x| {
        filtered
            .iter()
            .any(|f| f.prefix == x.to_string() && f.reason == "next-hop-not-client")
    });
    let none_at_edge = o
        .lab
        .speakers
        .iter()
        .all(|s| p.excluded.iter().all(|x| !s.rib.routes.contains_key(x)));
    let up = p.sessions.iter().all(|i| o.speaker(*i).established());
    let observed = format!(
        "the route server filtered {} of the customer's {} prefixes as next-hop-not-client; at AS8075: {}",
        filtered.iter().filter(|f| f.reason == "next-hop-not-client").count(),
        p.excluded.len(),
        if none_at_edge { "none" } else { "some" }
    );
    Outcome {
        filtered,
        ..Outcome::new(all_filtered && none_at_edge && up, observed)
    }
}
