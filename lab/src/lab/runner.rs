//! The run: plan the lab, walk each connection through its life, start the route server and
//! the speakers, watch until converged (or the time is up, or Ctrl-C), report, and stop every
//! session with Cease 6/2.

use super::lifecycle::{connection_state, session_state, Facts};
use super::report::{ConnectionRow, EdgeRouteRow, FilteredRow, LifecycleStep, Report, SessionRow};
use super::speakers::{self, EdgeRib, Running};
use super::topology::{Role, Topology};
use crate::peering::enums::ConnectionState;
use crate::peering::model::PeeringFile;
use bgp_core::fsm::{Cease, State};
use bgp_core::speaker::{Command, SessionEvent};
use ipnet::IpNet;
use route_server::runtime::{self, RouteServerHandle, RuntimeOptions};
use std::collections::BTreeSet;
use std::time::Duration;
use tokio::sync::mpsc;
use tokio::time::Instant;

/// How long a run goes on.
#[derive(Debug, Clone, Copy)]
pub struct RunOptions {
    /// Stop as soon as the lab has converged.
    pub until_converged: bool,
    /// Upper bound of the whole run.
    pub limit: Duration,
    /// Print every FSM transition of the lab's speakers on stderr.
    pub trace: bool,
    /// Print progress lines on stderr.
    pub progress: bool,
}

/// How long validation waits for the customers' routes to reach the route server under
/// deny-all before registering the ASNs anyway.
const VALIDATION_WAIT: Duration = Duration::from_secs(5);

/// How long the run watches its sessions close after the Cease.
const DRAIN: Duration = Duration::from_secs(2);

/// The shutdown communication of the lab's own sessions.
const STOP_MESSAGE: &str = "peerlab run: lab stopping";

/// Everything the run watches.
struct Lab {
    top: Topology,
    started: Instant,
    facts: Vec<Facts>,
    states: Vec<ConnectionState>,
    steps: Vec<LifecycleStep>,
    fsm: Vec<Option<State>>,
    reached: Vec<bool>,
    ribs: Vec<EdgeRib>,
    expected: Vec<IpNet>,
    progress: bool,
    established_shown: usize,
}

impl Lab {
    fn new(top: Topology, progress: bool) -> Self {
        let n = top.speakers.len();
        let c = top.connections.len();
        let expected = top.expected_at_edge();
        Lab {
            top,
            started: Instant::now(),
            facts: vec![Facts::default(); c],
            states: Vec::new(),
            steps: Vec::new(),
            fsm: vec![None; n],
            reached: vec![false; n],
            ribs: vec![EdgeRib::default(); n],
            expected,
            progress,
            established_shown: 0,
        }
    }

    /// Records every connection whose state changed.
    fn note(&mut self) {
        for (i, f) in self.facts.iter_mut().enumerate() {
            let conn = &self.top.connections[i];
            f.v4 = self.fsm[conn.v4];
            f.v6 = self.fsm[conn.v6];
            let state = connection_state(f);
            if self.states.get(i) == Some(&state) {
                continue;
            }
            if self.states.len() <= i {
                self.states.push(state);
            } else {
                self.states[i] = state;
            }
            let at_ms = self.started.elapsed().as_millis() as u64;
            if self.progress {
                eprintln!("peerlab run: {:>6} ms {}: {state}", at_ms, conn.name);
            }
            self.steps.push(LifecycleStep {
                at_ms,
                connection: conn.name.clone(),
                connection_state: state,
            });
        }
        let up = self.fsm.iter().filter(|s| **s == Some(State::Established)).count();
        if self.progress && up != self.established_shown {
            eprintln!("peerlab run: {up}/{} sessions Established", self.fsm.len());
        }
        self.established_shown = up;
    }

    fn all_established(&self) -> bool {
        self.reached.iter().all(|r| *r)
    }

    fn edge_prefixes(&self, c: usize) -> BTreeSet<IpNet> {
        let conn = &self.top.connections[c];
        [conn.v4, conn.v6]
            .iter()
            .flat_map(|i| self.ribs[*i].routes.keys().copied())
            .collect()
    }

    fn converged(&self) -> bool {
        self.all_established()
            && self.facts.iter().all(|f| f.registered_applied)
            && (0..self.top.connections.len()).all(|c| {
                let held = self.edge_prefixes(c);
                self.expected.iter().all(|p| held.contains(p))
            })
    }

    fn on_event(&mut self, i: usize, e: SessionEvent, running: &[Running], trace: bool) {
        match e {
            SessionEvent::Transition(t) => {
                if trace {
                    eprintln!("{t}");
                }
                self.fsm[i] = Some(t.to);
                self.reached[i] |= t.to == State::Established;
                self.note();
            }
            SessionEvent::Established(n) => {
                let plan = &self.top.speakers[i];
                if matches!(plan.role, Role::Customer { .. }) {
                    match speakers::announcements(plan, &n.tx) {
                        Ok(msgs) => {
                            let _ = running[i].commands.try_send(Command::SendUpdates(msgs));
                        }
                        Err(e) => eprintln!("peerlab run: {}: cannot encode its routes: {e}", plan.name),
                    }
                }
            }
            SessionEvent::Update(u) => {
                if matches!(self.top.speakers[i].role, Role::Edge { .. }) {
                    self.ribs[i].apply(&u);
                }
            }
            SessionEvent::Down { .. } => self.ribs[i].routes.clear(),
            SessionEvent::NotificationSent(n) if trace => {
                eprintln!(
                    "{}: NOTIFICATION sent {}/{}",
                    self.top.speakers[i].name, n.code, n.subcode
                );
            }
            SessionEvent::ConnectFailed(e) if trace => {
                eprintln!("{}: connection attempt failed: {e}", self.top.speakers[i].name);
            }
            _ => {}
        }
    }
}

/// Runs the lab of `file`. The report, or why the lab could not start.
pub async fn run(file: &PeeringFile, opts: RunOptions) -> Result<Report, String> {
    let top = Topology::plan(file)?;
    let mut lab = Lab::new(top, opts.progress);
    let deadline = lab.started + opts.limit;
    lab.note();
    for f in &mut lab.facts {
        f.approved = true;
    }
    lab.note();
    let rs_opts = RuntimeOptions {
        transports: lab.top.transports.clone(),
        ..RuntimeOptions::default()
    };
    let rs = runtime::start(&lab.top.rs, rs_opts)
        .await
        .map_err(|e| format!("the route server cannot start: {e}"))?;
    for f in &mut lab.facts {
        f.provisioned = true;
    }
    lab.note();
    let (ev_tx, mut ev_rx) = mpsc::channel(1024);
    let mut running = Vec::new();
    for (i, plan) in lab.top.speakers.iter().enumerate() {
        match speakers::start(i, plan, lab.top.rs.asn, ev_tx.clone()) {
            Ok(r) => running.push(r),
            Err(e) => {
                stop(&rs, &running).await;
                return Err(format!("{}: {e}", plan.name));
            }
        }
    }
    drop(ev_tx);
    let expected_rejected: usize = lab
        .top
        .speakers
        .iter()
        .filter(|s| matches!(s.role, Role::Customer { .. }))
        .map(|s| s.prefixes.len())
        .sum();
    let mut validating_since: Option<Instant> = None;
    let mut tick = tokio::time::interval(Duration::from_millis(100));
    let ctrl_c = tokio::signal::ctrl_c();
    tokio::pin!(ctrl_c);
    loop {
        tokio::select! {
            e = ev_rx.recv() => match e {
                Some((i, e)) => lab.on_event(i, e, &running, opts.trace),
                None => break,
            },
            _ = tick.tick() => {
                validating_since = phase(&mut lab, &rs, validating_since, expected_rejected).await;
                if opts.until_converged && lab.converged() {
                    break;
                }
            }
            _ = tokio::time::sleep_until(deadline) => break,
            _ = &mut ctrl_c => {
                if opts.progress {
                    eprintln!("peerlab run: interrupted");
                }
                break;
            }
        }
    }
    let report = report(&lab, file, &rs).await;
    cease(&running).await;
    // Watch the sessions go down (bounded), so --trace shows the Cease too.
    let drain_until = Instant::now() + DRAIN;
    while lab.fsm.iter().any(|s| !matches!(s, Some(State::Idle) | None)) {
        match tokio::time::timeout_at(drain_until, ev_rx.recv()).await {
            Ok(Some((i, e))) => lab.on_event(i, e, &running, opts.trace),
            Ok(None) | Err(_) => break,
        }
    }
    stop(&rs, &running).await;
    Ok(report)
}

/// Moves connections on: validation once both sessions are up under deny-all, then the
/// registered ASNs once every connection validates and the customers' routes reached the
/// route server (or [`VALIDATION_WAIT`] passed).
async fn phase(
    lab: &mut Lab,
    rs: &RouteServerHandle,
    validating_since: Option<Instant>,
    expected_rejected: usize,
) -> Option<Instant> {
    let mut since = validating_since;
    let deny_all: Vec<bool> = (0..lab.facts.len()).map(|c| lab.edge_prefixes(c).is_empty()).collect();
    for (f, deny_all_holds) in lab.facts.iter_mut().zip(deny_all) {
        if f.sessions_up() && !f.validating && deny_all_holds {
            f.validating = true;
        }
    }
    lab.note();
    let all_validating = lab.facts.iter().all(|f| f.validating);
    if !all_validating || lab.facts.iter().all(|f| f.registered_applied) {
        return since;
    }
    let started = *since.get_or_insert_with(Instant::now);
    let rejected = rs.rejected_all().await.map(|r| r.len()).unwrap_or(0);
    let customers_up = lab
        .top
        .speakers
        .iter()
        .enumerate()
        .filter(|(_, s)| matches!(s.role, Role::Customer { .. }))
        .all(|(i, _)| lab.reached[i]);
    if (customers_up && rejected >= expected_rejected) || started.elapsed() >= VALIDATION_WAIT {
        for asn in lab.top.registered.clone() {
            if let Err(e) = rs.register_asn(asn).await {
                eprintln!("peerlab run: cannot register AS{asn}: {e}");
            }
        }
        for f in &mut lab.facts {
            f.registered_applied = true;
        }
        lab.note();
    }
    since
}

async fn report(lab: &Lab, file: &PeeringFile, rs: &RouteServerHandle) -> Report {
    let registered: BTreeSet<u32> = lab.top.registered.iter().copied().collect();
    let mut connections = Vec::new();
    let mut routes = Vec::new();
    for (c, conn) in lab.top.connections.iter().enumerate() {
        let mut received = 0;
        let mut accepted = 0;
        for i in [conn.v4, conn.v6] {
            for r in lab.ribs[i].routes.values() {
                received += 1;
                accepted += usize::from(r.origin_as.is_some_and(|o| registered.contains(&o)));
                routes.push(EdgeRouteRow {
                    connection: conn.name.clone(),
                    route: r.clone(),
                });
            }
        }
        connections.push(ConnectionRow {
            connection: conn.name.clone(),
            facility: conn.facility,
            connection_state: lab.states.get(c).copied().unwrap_or(ConnectionState::PendingApproval),
            session_state_v4: session_state(lab.fsm[conn.v4]),
            session_state_v6: session_state(lab.fsm[conn.v6]),
            prefixes_received: received,
            prefixes_accepted: accepted,
        });
    }
    let sessions = lab
        .top
        .speakers
        .iter()
        .enumerate()
        .map(|(i, s)| SessionRow {
            speaker: s.name.clone(),
            asn: s.asn,
            session_address: s.label.to_string(),
            rs_session: s.rs_session.clone(),
            loopback: format!("{} -> {}", s.source, s.listen),
            state: session_state(lab.fsm[i]),
            reached_established: lab.reached[i],
            announced: s.prefixes.len(),
        })
        .collect();
    let filtered = rs
        .rejected_all()
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|r| FilteredRow {
            origin_as: r.as_path.last().copied(),
            prefix: r.prefix,
            from: r.from,
            as_path: r.as_path,
            reason: r.reason.as_ref().map(|x| x.name).unwrap_or("").to_owned(),
            sentence: r.reason.as_ref().map(|x| x.sentence).unwrap_or("").to_owned(),
        })
        .collect();
    Report {
        peering: file.peering.name.clone().unwrap_or_default(),
        route_server_asn: lab.top.rs.asn,
        registered_asns: rs.registered_asns().await.unwrap_or_default(),
        all_established: lab.all_established(),
        converged: lab.converged(),
        connections,
        sessions,
        routes_at_as8075: routes,
        filtered,
        lifecycle: lab.steps.clone(),
    }
}

/// Cease 6/2 from every lab speaker.
async fn cease(running: &[Running]) {
    for r in running {
        let _ = r
            .commands
            .send(Command::Stop(Cease::admin_shutdown(Some(STOP_MESSAGE))))
            .await;
    }
}

/// Cease 6/2 from every lab speaker, then the route server's own Cease 6/2 and shutdown.
async fn stop(rs: &RouteServerHandle, running: &[Running]) {
    cease(running).await;
    rs.shutdown(Duration::from_secs(3)).await;
    for r in running {
        let _ = r.commands.send(Command::Shutdown).await;
        for t in &r.tasks {
            t.abort();
        }
    }
}
