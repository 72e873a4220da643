//! Judging a run with break-it scenarios: was each scenario's expected outcome observed, and
//! did everything the scenarios do not break reach its normal end state?

use super::super::lifecycle::session_state;
use super::super::report::{EdgeRouteRow, FilteredRow};
use super::super::speakers::EdgeRib;
use super::super::topology::Topology;
use super::plan::{expected_of, Planned};
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

/// What the judge looks at.
pub struct LabState<'a> {
    /// The topology.
    pub top: &'a Topology,
    /// FSM state per speaker.
    pub fsm: &'a [Option<State>],
    /// Routes per edge speaker.
    pub ribs: &'a [EdgeRib],
    /// Connection states (`None` before the first).
    pub states: &'a [Option<ConnectionState>],
    /// The route server's filtered routes.
    pub filtered: &'a [RouteView],
    /// The route server's sessions.
    pub rs_sessions: &'a [SessionView],
    /// Per speaker: removed from the lab while it ran (missing: not removed).
    pub gone: &'a [bool],
}

impl LabState<'_> {
    fn connection_state(&self, c: usize) -> ConnectionState {
        self.states
            .get(c)
            .copied()
            .flatten()
            .unwrap_or(ConnectionState::PendingApproval)
    }

    fn gone(&self, i: usize) -> bool {
        self.gone.get(i).copied().unwrap_or(false)
    }

    /// Connections the verdict ignores: failed to provision, or removed.
    fn ignored(&self, c: usize) -> bool {
        let conn = &self.top.connections[c];
        let speakers: Vec<usize> = [conn.v4, conn.v6].into_iter().flatten().collect();
        self.connection_state(c) == ConnectionState::ProvisioningFailed || speakers.iter().all(|i| self.gone(*i))
    }

    fn established(&self, i: usize) -> bool {
        self.fsm.get(i).copied().flatten() == Some(State::Established)
    }
}

/// Judges every planned scenario and the rest of the lab.
pub fn judge(planned: &[Planned], seen: &[Seen], s: &LabState) -> BreakItReport {
    let scenarios: Vec<ScenarioReport> = planned.iter().map(|p| scenario(p, seen, s)).collect();
    let unbroken_converged = unbroken_converged(planned, s);
    let passed = unbroken_converged && scenarios.iter().all(|r| r.expected_observed);
    BreakItReport {
        scenarios,
        unbroken_converged,
        passed,
    }
}

/// Whether a scenario keeps connection `c` from being provisioned (its sessions never come up).
pub fn blocks_provisioning(planned: &[Planned], c: usize) -> bool {
    planned
        .iter()
        .any(|p| p.connection == Some(c) && matches!(p.scenario, Scenario::WrongPeerAsn | Scenario::Md5Mismatch))
}

fn unbroken_converged(planned: &[Planned], s: &LabState) -> bool {
    let down: Vec<usize> = planned.iter().flat_map(|p| p.down.iter().copied()).collect();
    let excluded: Vec<_> = planned.iter().flat_map(|p| p.excluded.iter().copied()).collect();
    let sessions_up = (0..s.top.speakers.len()).all(|i| down.contains(&i) || s.gone(i) || s.established(i));
    let connections_ok = s.top.connections.iter().enumerate().all(|(c, conn)| {
        if blocks_provisioning(planned, c) || s.ignored(c) {
            return true;
        }
        s.connection_state(c) == ConnectionState::Active
            && [(conn.v4, Family::IPV4_UNICAST), (conn.v6, Family::IPV6_UNICAST)]
                .iter()
                .filter_map(|(i, f)| i.map(|i| (i, *f)))
                .filter(|(i, _)| !down.contains(i))
                .all(|(i, family)| {
                    let held = &s.ribs[i].routes;
                    expected_of(s.top, family)
                        .iter()
                        .filter(|p| !excluded.contains(p))
                        .all(|p| held.contains_key(p))
                })
    });
    sessions_up && connections_ok
}

fn session(i: usize, seen: &[Seen], s: &LabState) -> ScenarioSession {
    let plan = &s.top.speakers[i];
    let x = &seen[i];
    let rs = s
        .rs_sessions
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
        state: session_state(s.fsm.get(i).copied().flatten()),
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

fn filtered_row(r: &RouteView) -> FilteredRow {
    FilteredRow {
        origin_as: r.as_path.last().copied(),
        prefix: r.prefix.clone(),
        from: r.from.clone(),
        as_path: r.as_path.clone(),
        reason: r.reason.as_ref().map(|x| x.name).unwrap_or("").to_owned(),
        sentence: r.reason.as_ref().map(|x| x.sentence).unwrap_or("").to_owned(),
    }
}

fn scenario(p: &Planned, seen: &[Seen], s: &LabState) -> ScenarioReport {
    let sessions: Vec<ScenarioSession> = p.sessions.iter().map(|i| session(*i, seen, s)).collect();
    let connection = p.connection.map(|c| ScenarioConnection {
        connection: s.top.connections[c].name.clone(),
        connection_state: s.connection_state(c),
    });
    let still_provisioning = p
        .connection
        .is_some_and(|c| s.connection_state(c) == ConnectionState::ProvisioningStarted);
    let mut filtered = Vec::new();
    let mut routes = Vec::new();
    let (ok, observed) = match p.scenario {
        Scenario::WrongPeerAsn => {
            let ok = still_provisioning
                && p.sessions
                    .iter()
                    .all(|i| seen[*i].sent_code(2, 2) && seen[*i].established == 0);
            let n: usize = p
                .sessions
                .iter()
                .map(|i| seen[*i].sent.iter().filter(|n| n.code == 2).count())
                .sum();
            (
                ok,
                format!("the edge sent NOTIFICATION 2/2 Bad Peer AS {n} times; no session reached Established"),
            )
        }
        Scenario::Md5Mismatch => {
            let silent = |i: &usize| {
                let x = &seen[*i];
                !x.opened()
                    && x.sent.is_empty()
                    && x.received.is_empty()
                    && x.first_connect.is_some_and(|t| t.elapsed() >= MD5_WINDOW)
            };
            let ok = still_provisioning && p.sessions.iter().all(silent);
            let failures: usize = p.sessions.iter().map(|i| seen[*i].connect_failures).sum();
            let opened = p.sessions.iter().any(|i| seen[*i].opened());
            (
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
        Scenario::HoldTimerExpiry => {
            let i = p.sessions[0];
            let x = &seen[i];
            let ok = x.sent_code(4, 0) && x.back_after_fault && s.established(i);
            (
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
        Scenario::MaxPrefixExceeded => {
            let i = p.sessions[0];
            let sent = seen[i].sent_code(6, 1);
            let idle = s.fsm.get(i).copied().flatten() == Some(State::Idle);
            let limit = p.limit.map(|(_, l)| l).unwrap_or(0);
            (
                sent && idle,
                format!(
                    "{}; the session is {}",
                    if sent {
                        format!("the edge sent NOTIFICATION 6/1 Maximum Number of Prefixes Reached (limit {limit})")
                    } else {
                        "no 6/1 sent yet".to_owned()
                    },
                    session_state(s.fsm.get(i).copied().flatten())
                ),
            )
        }
        Scenario::UnregisteredCustomer => {
            for (c, conn) in s.top.connections.iter().enumerate() {
                for i in [conn.v4, conn.v6].into_iter().flatten() {
                    for r in s.ribs[i].routes.values() {
                        if r.origin_as.is_some_and(|o| p.customer_asns.contains(&o)) {
                            routes.push(EdgeRouteRow {
                                connection: s.top.connections[c].name.clone(),
                                route: r.clone(),
                            });
                        }
                    }
                }
            }
            (
                !routes.is_empty(),
                format!(
                    "AS8075 holds {} routes originated by unregistered AS{}",
                    routes.len(),
                    p.customer_asns.first().copied().unwrap_or_default()
                ),
            )
        }
        Scenario::NextHopMismatch => {
            let names: Vec<&str> = p
                .sessions
                .iter()
                .map(|i| s.top.speakers[*i].rs_session.as_str())
                .collect();
            filtered = s
                .filtered
                .iter()
                .filter(|r| names.contains(&r.from.as_str()))
                .map(filtered_row)
                .collect();
            let all_filtered = p.excluded.iter().all(|x| {
                filtered
                    .iter()
                    .any(|f| f.prefix == x.to_string() && f.reason == "next-hop-not-client")
            });
            let none_at_edge = s
                .ribs
                .iter()
                .all(|r| p.excluded.iter().all(|x| !r.routes.contains_key(x)));
            let up = p.sessions.iter().all(|i| s.established(*i));
            (
                all_filtered && none_at_edge && up,
                format!(
                    "the route server filtered {} of the customer's {} prefixes as next-hop-not-client; at AS8075: {}",
                    filtered.iter().filter(|f| f.reason == "next-hop-not-client").count(),
                    p.excluded.len(),
                    if none_at_edge { "none" } else { "some" }
                ),
            )
        }
    };
    ScenarioReport {
        scenario: p.scenario.as_str(),
        target: p.target.clone(),
        broken: p.broken.clone(),
        expected: p.expected.clone(),
        observed,
        expected_observed: ok,
        connection,
        sessions,
        filtered,
        routes_at_as8075: routes,
    }
}
