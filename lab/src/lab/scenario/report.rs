//! The "Break it" part of the run's report: per scenario, what was broken, what is expected
//! and what was observed (NOTIFICATIONs with names, session states, filtered routes).

use super::super::rows::{EdgeRouteRow, FilteredRow};
use crate::peering::enums::{ConnectionState, SessionState};
use route_server::runtime::view::NotificationView;
use serde::Serialize;
use std::fmt::Write as _;

/// Every active scenario and the verdict of the run.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BreakItReport {
    /// One section per scenario.
    pub scenarios: Vec<ScenarioReport>,
    /// Everything the scenarios do not break reached its normal end state: its sessions
    /// Established, its connections Active, AS8075 holding the routes it should.
    pub unbroken_converged: bool,
    /// Every scenario's expected outcome was observed and the rest converged.
    pub passed: bool,
}

/// One scenario.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ScenarioReport {
    /// Its kebab-case name.
    pub scenario: &'static str,
    /// What it targets.
    pub target: String,
    /// What was broken.
    pub broken: String,
    /// What an operator should see.
    pub expected: String,
    /// What was seen, in one sentence.
    pub observed: String,
    /// Whether the expected outcome was observed.
    pub expected_observed: bool,
    /// The connection it broke, with its state now.
    pub connection: Option<ScenarioConnection>,
    /// The sessions it concerns.
    pub sessions: Vec<ScenarioSession>,
    /// The route server's filtered routes that belong to it.
    pub filtered: Vec<FilteredRow>,
    /// The routes at AS8075 that belong to it.
    pub routes_at_as8075: Vec<EdgeRouteRow>,
}

/// A connection's state in a scenario.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ScenarioConnection {
    /// `connectionIdentifier`.
    pub connection: String,
    /// `connectionState` now.
    pub connection_state: ConnectionState,
}

/// One session of a scenario, from the lab speaker's end and the route server's.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ScenarioSession {
    /// The lab speaker, e.g. `AS8075-1 v4`.
    pub speaker: String,
    /// Its state now.
    pub state: SessionState,
    /// The states it entered, each once, in order.
    pub states_seen: Vec<SessionState>,
    /// How many times it reached Established.
    pub times_established: usize,
    /// Whether it came back to Established after the fault.
    pub back_after_fault: bool,
    /// NOTIFICATIONs the speaker sent.
    pub notifications_sent: Vec<NotificationView>,
    /// NOTIFICATIONs the speaker received.
    pub notifications_received: Vec<NotificationView>,
    /// TCP connection attempts that failed.
    pub connect_failures: usize,
    /// The reason of its last state change.
    pub last_reason: Option<String>,
    /// The route server's end of the session.
    pub route_server: Option<RouteServerSide>,
}

/// The route server's end of a session.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RouteServerSide {
    /// `client@address`.
    pub session: String,
    /// Its FSM state.
    pub state: String,
    /// NOTIFICATIONs the route server sent on it (the last few).
    pub notifications_sent: Vec<NotificationView>,
    /// The reason of its last state change.
    pub last_reason: Option<String>,
}

fn notes(v: &[NotificationView]) -> String {
    if v.is_empty() {
        return "none".to_owned();
    }
    let mut seen: Vec<String> = Vec::new();
    for n in v {
        let s = format!("{}/{} {}", n.code, n.subcode, n.name);
        if !seen.contains(&s) {
            seen.push(s);
        }
    }
    seen.join(", ")
}

impl BreakItReport {
    /// The section for people.
    pub fn render(&self) -> String {
        let mut out = String::new();
        for s in &self.scenarios {
            let _ = writeln!(out, "\nBreak it: {} ({})", s.scenario, s.target);
            let _ = writeln!(out, "  broken:   {}", s.broken);
            let _ = writeln!(out, "  expected: {}", s.expected);
            let _ = writeln!(
                out,
                "  observed: {} [{}]",
                s.observed,
                if s.expected_observed {
                    "as expected"
                } else {
                    "NOT as expected"
                }
            );
            if let Some(c) = &s.connection {
                let _ = writeln!(out, "  connection {}: {}", c.connection, c.connection_state);
            }
            for x in &s.sessions {
                let seen: Vec<&str> = x.states_seen.iter().map(|s| s.as_str()).collect();
                let _ = writeln!(
                    out,
                    "  {}: {} (passed {}; Established {} times; failed TCP attempts {})",
                    x.speaker,
                    x.state,
                    seen.join(", "),
                    x.times_established,
                    x.connect_failures
                );
                let _ = writeln!(
                    out,
                    "    NOTIFICATION sent: {}; received: {}",
                    notes(&x.notifications_sent),
                    notes(&x.notifications_received)
                );
                if let Some(r) = &x.route_server {
                    let _ = writeln!(
                        out,
                        "    route server {}: {}, NOTIFICATION sent: {}; last change: {}",
                        r.session,
                        r.state,
                        notes(&r.notifications_sent),
                        r.last_reason.as_deref().unwrap_or("-")
                    );
                }
            }
            for f in &s.filtered {
                let _ = writeln!(out, "  filtered {} from {}: {}", f.prefix, f.from, f.reason);
            }
            for r in &s.routes_at_as8075 {
                let _ = writeln!(
                    out,
                    "  at AS8075 over {}: {} origin AS{}",
                    r.connection,
                    r.route.prefix,
                    r.route.origin_as.map(|o| o.to_string()).unwrap_or_else(|| "-".into())
                );
            }
        }
        let _ = writeln!(
            out,
            "\nbreak it: everything not broken converged: {}; passed: {}",
            self.unbroken_converged, self.passed
        );
        out
    }
}
