//! The run: plan the lab, walk each connection through its life, start the route server and
//! the speakers, watch until converged (or the time is up, or Ctrl-C), report, and stop every
//! session with Cease 6/2.

use super::control::Control;
use super::guid::new_guid;
use super::lifecycle::Facts;
use super::ops::{self, ConnLife, Ctx, Done, Registration};
use super::report::{LifecycleStep, Report};
use super::scenario::{Scenarios, Setup};
use super::session_update::{self, Updating};
use super::speakers::{self, EdgeRib, Running};
use super::topology::{Role, Topology};
use super::{api, live, summary};
use crate::peering::enums::{ConnectionState, ProvisioningState, SessionState};
use crate::peering::model::PeeringFile;
use bgp_core::fsm::{Cease, Reason, State};
use bgp_core::speaker::{Command, SessionEvent};
use ipnet::IpNet;
use route_server::runtime::{self, RouteServerHandle, RuntimeError, RuntimeOptions};
use std::collections::BTreeSet;
use std::net::SocketAddr;
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
    /// Serve the lab's HTTP JSON API on this loopback address (port 0: a free port).
    pub api: Option<SocketAddr>,
    /// Redraw the Connections view in place on stderr (a terminal) instead of progress lines.
    pub live: bool,
    /// The break-it scenarios to inject.
    pub scenarios: Scenarios,
}

/// How long validation waits for the customers' routes to reach the route server under
/// deny-all before registering the ASNs anyway.
const VALIDATION_WAIT: Duration = Duration::from_secs(5);

/// How many times the lab plans its ports and starts its route server before giving up.
const START_ATTEMPTS: u32 = 5;

/// How long the run watches its sessions close after the Cease.
const DRAIN: Duration = Duration::from_secs(2);

/// The shutdown communication of the lab's own sessions.
const STOP_MESSAGE: &str = "peerlab run: lab stopping";

/// Everything the run watches (and the API changes).
pub struct Lab {
    pub(super) top: Topology,
    pub(super) file: PeeringFile,
    started: Instant,
    pub(super) facts: Vec<Facts>,
    pub(super) states: Vec<Option<ConnectionState>>,
    pub(super) steps: Vec<LifecycleStep>,
    pub(super) fsm: Vec<Option<State>>,
    pub(super) reached: Vec<bool>,
    pub(super) ribs: Vec<EdgeRib>,
    pub(super) expected: Vec<IpNet>,
    pub(super) progress: bool,
    established_shown: usize,
    /// Per connection: being removed (removed ones are marked on their [`super::topology::ConnectionPlan`]).
    pub(super) life: Vec<ConnLife>,
    /// Per speaker: stopped for good (its connection was removed).
    pub(super) speaker_gone: Vec<bool>,
    /// Per speaker: times it reached Established.
    pub(super) established_count: Vec<u32>,
    /// Per speaker: NOTIFICATIONs received, as `code/subcode`.
    pub(super) notifications_received: Vec<Vec<String>>,
    /// Per speaker: NOTIFICATIONs sent, as `code/subcode`.
    pub(super) notifications_sent: Vec<Vec<String>>,
    /// Per speaker: the generation of its session (bumped when it restarts with a new key).
    pub(super) generation: Vec<u32>,
    /// Per speaker: what its `PendingUpdate` waits for, if it is being updated.
    pub(super) updating: Vec<Option<Updating>>,
    /// Per speaker: the session states shown, in order (the latest ones).
    pub(super) session_history: Vec<Vec<SessionState>>,
    /// The peering's registered ASNs.
    pub(super) registrations: Vec<Registration>,
    /// The registered ASNs were applied at the route server (validation done).
    registry_applied: bool,
    /// `DELETE /peerings/{name}` was asked.
    pub(super) deprovisioning: bool,
    /// Deprovisioning finished: the run ends.
    pub(super) ended: bool,
    /// Something shown changed since the live view was last drawn.
    pub(super) changed: bool,
    /// The API's address, once bound.
    pub(super) api: Option<SocketAddr>,
    /// With the live view: the lines drawn last time.
    live_drawn: Option<usize>,
    /// Per-speaker tuning (TCP-MD5, max-prefix) and the break-it scenarios.
    pub(super) setup: Setup,
}

impl Lab {
    fn new(top: Topology, file: &PeeringFile, progress: bool) -> Self {
        let expected = top.expected_at_edge();
        let registrations = file
            .registered_asns
            .iter()
            .enumerate()
            .filter_map(|(i, r)| {
                Some(Registration {
                    name: r.name.clone().unwrap_or_else(|| format!("registered-asn-{}", i + 1)),
                    asn: r.asn?,
                    key: r.peering_service_prefix_key.clone().unwrap_or_else(new_guid),
                    state: r.provisioning_state.unwrap_or(ProvisioningState::Succeeded),
                })
            })
            .collect();
        let mut lab = Lab {
            top,
            file: file.clone(),
            started: Instant::now(),
            facts: Vec::new(),
            states: Vec::new(),
            steps: Vec::new(),
            fsm: Vec::new(),
            reached: Vec::new(),
            ribs: Vec::new(),
            expected,
            progress,
            established_shown: 0,
            life: Vec::new(),
            speaker_gone: Vec::new(),
            established_count: Vec::new(),
            notifications_received: Vec::new(),
            notifications_sent: Vec::new(),
            generation: Vec::new(),
            updating: Vec::new(),
            session_history: Vec::new(),
            registrations,
            registry_applied: false,
            deprovisioning: false,
            ended: false,
            changed: true,
            api: None,
            live_drawn: None,
            setup: Setup::default(),
        };
        lab.grow();
        lab
    }

    /// Sizes the per-connection and per-speaker records after the topology grew.
    pub(super) fn grow(&mut self) {
        let c = self.top.connections.len();
        let n = self.top.speakers.len();
        self.facts.resize(c, Facts::default());
        self.states.resize(c, None);
        self.life.resize(c, ConnLife::default());
        self.fsm.resize(n, None);
        self.reached.resize(n, false);
        self.ribs.resize(n, EdgeRib::default());
        self.speaker_gone.resize(n, false);
        self.established_count.resize(n, 0);
        self.notifications_received.resize(n, Vec::new());
        self.notifications_sent.resize(n, Vec::new());
        self.generation.resize(n, 0);
        self.updating.resize(n, None);
        self.session_history.resize(n, Vec::new());
    }

    /// Records every connection whose state changed.
    pub(super) fn note(&mut self) {
        for i in 0..self.top.connections.len() {
            let conn = &self.top.connections[i];
            let f = &mut self.facts[i];
            f.no_v4 = conn.v4.is_none();
            f.no_v6 = conn.v6.is_none();
            f.v4 = conn.v4.and_then(|s| self.fsm[s]);
            f.v6 = conn.v6.and_then(|s| self.fsm[s]);
            if self.gone(i) {
                continue;
            }
            let state = self.connection_state_of(i);
            if self.states[i] == Some(state) {
                continue;
            }
            self.states[i] = Some(state);
            self.changed = true;
            let conn = &self.top.connections[i];
            let at_ms = self.started.elapsed().as_millis() as u64;
            if self.progress && !self.live_view() {
                match &conn.error_message {
                    Some(e) if state == ConnectionState::ProvisioningFailed => {
                        eprintln!("peerlab run: {:>6} ms {}: {state}: {e}", at_ms, conn.name);
                    }
                    _ => eprintln!("peerlab run: {:>6} ms {}: {state}", at_ms, conn.name),
                }
            }
            self.steps.push(LifecycleStep {
                at_ms,
                connection: conn.name.clone(),
                connection_state: state,
            });
        }
        let up = self.fsm.iter().filter(|s| **s == Some(State::Established)).count();
        if up != self.established_shown {
            self.changed = true;
            if self.progress && !self.live_view() {
                eprintln!("peerlab run: {up}/{} sessions Established", self.fsm.len());
            }
        }
        self.established_shown = up;
        self.record_session_history();
    }

    fn live_view(&self) -> bool {
        self.live_drawn.is_some()
    }

    /// Every session not removed reached Established.
    pub(super) fn all_established(&self) -> bool {
        self.reached.iter().zip(&self.speaker_gone).all(|(r, gone)| *r || *gone)
    }

    fn edge_prefixes(&self, c: usize) -> BTreeSet<IpNet> {
        let conn = &self.top.connections[c];
        [conn.v4, conn.v6]
            .into_iter()
            .flatten()
            .flat_map(|i| self.ribs[i].routes.keys().copied())
            .collect()
    }

    /// Connections that are neither failed nor being removed.
    fn live_connections(&self) -> Vec<usize> {
        (0..self.top.connections.len())
            .filter(|c| !self.life[*c].removing && !self.gone(*c) && self.top.connections[*c].error_message.is_none())
            .collect()
    }

    /// Every session up, and AS8075 holding every registered customer's route on every live
    /// connection.
    pub(super) fn converged(&self) -> bool {
        self.all_established()
            && self.live_connections().into_iter().all(|c| {
                let held = self.edge_prefixes(c);
                self.facts[c].registered_applied && self.expected.iter().all(|p| held.contains(p))
            })
    }

    /// Redraws the live view when something changed.
    fn draw(&mut self) {
        if let Some(drawn) = self.live_drawn {
            if self.changed {
                self.live_drawn = Some(live::redraw(&self.connection_rows(), drawn));
            }
        }
        self.changed = false;
    }

    /// Event `e` of speaker `i`'s session generation `g`; a restarted speaker's older
    /// generations only add to its NOTIFICATION records.
    fn on_event(&mut self, (i, g, e): speakers::Tagged, running: &[Running], trace: bool) {
        if self.generation.get(i).is_some_and(|current| *current != g) {
            self.stale_event(i, &e);
            return;
        }
        self.setup.observe(i, &e);
        match e {
            SessionEvent::Transition(t) => {
                if trace {
                    eprintln!("{t}");
                }
                if let Reason::NotificationReceived(n) = &t.reason {
                    self.notifications_received[i].push(format!("{}/{}", n.code, n.subcode));
                    if self.progress && !self.live_view() {
                        eprintln!(
                            "peerlab run: {}: NOTIFICATION received {}/{}",
                            self.top.speakers[i].name, n.code, n.subcode
                        );
                    }
                }
                if t.to == State::Established {
                    self.established_count[i] += 1;
                }
                self.update_transition(i, t.to);
                if self.speaker_gone[i] && t.to != State::Established {
                    ops::stop_for_good(running, i);
                }
                self.fsm[i] = Some(t.to);
                self.reached[i] |= t.to == State::Established;
                self.note();
            }
            SessionEvent::Established(n) => {
                let plan = &self.top.speakers[i];
                if matches!(plan.role, Role::Customer { .. }) {
                    match speakers::announcements(&self.setup.announcing(i, plan), &n.tx) {
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
                    self.changed = true;
                }
            }
            SessionEvent::Down { .. } => {
                self.changed |= !self.ribs[i].routes.is_empty();
                self.ribs[i].routes.clear();
            }
            SessionEvent::NotificationSent(n) => {
                self.notifications_sent[i].push(format!("{}/{}", n.code, n.subcode));
                if trace {
                    eprintln!(
                        "{}: NOTIFICATION sent {}/{}",
                        self.top.speakers[i].name, n.code, n.subcode
                    );
                }
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
    let (top, rs) = start_route_server(file).await?;
    let mut lab = Lab::new(top, file, opts.progress);
    lab.setup = match Setup::prepare(&lab.top, opts.scenarios).await {
        Ok(s) => s,
        Err(e) => {
            rs.shutdown(Duration::from_secs(1)).await;
            return Err(e);
        }
    };
    if opts.live {
        lab.live_drawn = Some(0);
    }
    let deadline = lab.started + opts.limit;
    lab.note();
    for (f, c) in lab.facts.iter_mut().zip(&lab.top.connections) {
        f.approved = c.error_message.is_none();
    }
    lab.note();
    for (f, c) in lab.facts.iter_mut().zip(&lab.top.connections) {
        f.provisioned = c.error_message.is_none();
    }
    lab.note();
    let (control, mut requests) = Control::channel();
    let (stop_api, api_stopped) = tokio::sync::oneshot::channel::<()>();
    if let Some(addr) = opts.api {
        let listener = match api::bind(addr).await {
            Ok(l) => l,
            Err(e) => {
                rs.shutdown(Duration::from_secs(1)).await;
                return Err(e);
            }
        };
        let bound = listener.local_addr().map_err(|e| format!("--api {addr}: {e}"))?;
        lab.api = Some(bound);
        eprintln!("peerlab run: API listening on http://{bound}");
        tokio::spawn(api::serve(listener, control, async {
            let _ = api_stopped.await;
        }));
    }
    let (ev_tx, mut ev_rx) = mpsc::channel(1024);
    let (done_tx, mut done_rx) = mpsc::channel::<Done>(16);
    let mut running = Vec::new();
    for (i, plan) in lab.top.speakers.iter().enumerate() {
        match speakers::start_tuned((i, 0), plan, lab.top.rs.asn, &lab.setup.tuning[i], ev_tx.clone()) {
            Ok(r) => running.push(r),
            Err(e) => {
                stop(&rs, &running).await;
                return Err(format!("{}: {e}", plan.name));
            }
        }
    }
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
                Some(e) => lab.on_event(e, &running, opts.trace),
                None => break,
            },
            r = requests.recv() => if let Some(req) = r {
                let ctx = Ctx { rs: &rs, running: &mut running, events: &ev_tx, done: &done_tx };
                ops::handle(&mut lab, ctx, req).await;
            },
            d = done_rx.recv() => if let Some(d) = d {
                let ctx = Ctx { rs: &rs, running: &mut running, events: &ev_tx, done: &done_tx };
                ops::finish(&mut lab, ctx, d);
            },
            _ = tick.tick() => {
                validating_since = phase(&mut lab, &rs, validating_since, expected_rejected).await;
                lab.setup.tick(&lab.top, &lab.fsm, &lab.states, &lab.ribs, &running);
                let ctx = Ctx { rs: &rs, running: &mut running, events: &ev_tx, done: &done_tx };
                session_update::settle(&mut lab, ctx);
                lab.draw();
                if (opts.until_converged && done(&lab, &rs).await) || lab.ended {
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
    lab.note();
    lab.draw();
    let _ = stop_api.send(());
    let report = summary::report(&lab, file, &rs).await;
    cease(&running, &lab.speaker_gone).await;
    // Watch the sessions go down (bounded), so --trace shows the Cease too.
    let drain_until = Instant::now() + DRAIN;
    while lab.fsm.iter().any(|s| !matches!(s, Some(State::Idle) | None)) {
        match tokio::time::timeout_at(drain_until, ev_rx.recv()).await {
            Ok(Some(e)) => lab.on_event(e, &running, opts.trace),
            Ok(None) | Err(_) => break,
        }
    }
    stop(&rs, &running).await;
    Ok(report)
}

/// Moves connections on: validation once a connection's sessions are up under deny-all,
/// then the registered ASNs once every connection validates and the customers' routes
/// reached the route server (or [`VALIDATION_WAIT`] passed). A connection added later
/// validates as soon as its sessions are up and turns Active on the next tick.
async fn phase(
    lab: &mut Lab,
    rs: &RouteServerHandle,
    validating_since: Option<Instant>,
    expected_rejected: usize,
) -> Option<Instant> {
    let mut since = validating_since;
    let live = lab.live_connections();
    if lab.registry_applied {
        for &c in &live {
            let f = &mut lab.facts[c];
            if f.validating && f.provisioned {
                f.registered_applied = true;
            } else if f.sessions_up() && f.provisioned {
                f.validating = true;
            }
        }
        lab.note();
        return since;
    }
    for &c in &live {
        let deny_all_holds = lab.edge_prefixes(c).is_empty();
        let f = &mut lab.facts[c];
        if f.sessions_up() && !f.validating && deny_all_holds {
            f.validating = true;
        }
    }
    lab.note();
    if !live
        .iter()
        .all(|c| lab.facts[*c].validating || lab.setup.blocks_provisioning(*c))
    {
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
        let extra = lab.setup.extra_registrations();
        for asn in lab.registrations.iter().map(|r| r.asn).chain(extra).collect::<Vec<_>>() {
            if let Err(e) = rs.register_asn(asn).await {
                eprintln!("peerlab run: cannot register AS{asn}: {e}");
            }
        }
        lab.registry_applied = true;
        for c in live {
            lab.facts[c].registered_applied = !lab.setup.blocks_provisioning(c);
        }
        lab.note();
    }
    since
}

/// Plans the lab and starts its route server. The plan picks free loopback ports before the
/// route server binds them, so another process (a lab started alongside) can take one in
/// between: then the lab plans again with fresh ports, up to [`START_ATTEMPTS`] times.
async fn start_route_server(file: &PeeringFile) -> Result<(Topology, RouteServerHandle), String> {
    let mut attempt = 1;
    loop {
        let top = Topology::plan(file)?;
        let rs_opts = RuntimeOptions {
            transports: top.transports.clone(),
            ..RuntimeOptions::default()
        };
        match runtime::start(&top.rs, rs_opts).await {
            Ok(rs) => return Ok((top, rs)),
            Err(RuntimeError::Io(e)) if attempt < START_ATTEMPTS => {
                tracing::debug!(attempt, "the route server cannot bind its ports ({e}); planning again");
                attempt += 1;
            }
            Err(e) => return Err(format!("the route server cannot start: {e}")),
        }
    }
}

/// Whether `--until converged` is satisfied: with break-it scenarios, when each expected
/// outcome was observed and the rest converged; otherwise when the lab converged.
async fn done(lab: &Lab, rs: &RouteServerHandle) -> bool {
    match lab
        .setup
        .judge(&lab.top, &lab.fsm, &lab.ribs, &lab.states, &lab.speaker_gone, rs)
        .await
    {
        Some(b) => b.passed,
        None => lab.converged(),
    }
}

/// Cease 6/2 from every lab speaker but those marked in `skip` (removed: they end on the
/// route server's Cease 6/3).
async fn cease(running: &[Running], skip: &[bool]) {
    for (i, r) in running.iter().enumerate() {
        if skip.get(i).copied().unwrap_or(false) {
            continue;
        }
        let _ = r
            .commands
            .send(Command::Stop(Cease::admin_shutdown(Some(STOP_MESSAGE))))
            .await;
    }
}

/// Cease 6/2 from every lab speaker, then the route server's own Cease 6/2 and shutdown.
async fn stop(rs: &RouteServerHandle, running: &[Running]) {
    cease(running, &[]).await;
    rs.shutdown(Duration::from_secs(3)).await;
    for r in running {
        let _ = r.commands.send(Command::Shutdown).await;
        for t in &r.tasks {
            t.abort();
        }
    }
}
