//! The state of a running lab, in one place: the topology, one [`SpeakerRecord`] per lab
//! speaker and one [`ConnectionRecord`] per connection (same indices as the topology's
//! speakers and connections), the peering's registered ASNs and the flags of the run.
//!
//! The event loop ([`super::runner`], [`super::events`]), the operations ([`super::ops`],
//! [`super::session_update`]), the views and the report read and change the lab through
//! [`Lab`]; this file imports none of them.

use super::control::LabError;
use super::guid::new_guid;
use super::lifecycle::{connection_state, session_state, Facts};
use super::rows::LifecycleStep;
use super::scenario::watch::Seen;
use super::speakers::EdgeRib;
use super::topology::{Role, Topology};
use super::tuning::Tuning;
use crate::peering::enums::{ConnectionState, ProvisioningState, SessionState};
use crate::peering::model::PeeringFile;
use crate::peering::peering_service::PeeringService;
use bgp_core::error::Notification;
use bgp_core::fsm::{Reason, State, Transition};
use bgp_core::speaker::SessionEvent;
use bgp_core::UpdateView;
use ipnet::IpNet;
use std::collections::BTreeSet;
use std::net::SocketAddr;
use tokio::time::Instant;

/// Most entries kept in a session's history of shown states (the latest ones).
const HISTORY: usize = 64;

/// What a session waits for while it shows `PendingUpdate`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Updating {
    /// A new max-prefix limit, applied on the edge's next enforcement pass.
    Limit,
    /// A new TCP-MD5 key: the route server re-keys its client (`client`) and the old session
    /// ends (`down`), then the edge speaker restarts (`restarted`) and runs until Established.
    Rekey {
        /// The route server's re-key: `None` while under way, then whether it succeeded.
        client: Option<bool>,
        /// The old session was seen leaving Established (or was not up).
        down: bool,
        /// The edge speaker runs with the new key.
        restarted: bool,
    },
}

/// A `registeredAsns` child of the peering.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Registration {
    /// The resource name.
    pub name: String,
    /// The customer ASN.
    pub asn: u32,
    /// `peeringServicePrefixKey`, a GUID unique per registration.
    pub key: String,
    /// `provisioningState`.
    pub state: ProvisioningState,
}

/// What the lab knows of one of its speakers (an AS8075 edge session or a customer's).
#[derive(Debug, Clone, Default)]
pub struct SpeakerRecord {
    /// FSM state of its current session; `None` before the first transition.
    pub fsm: Option<State>,
    /// It reached Established at least once.
    pub reached: bool,
    /// What it holds (AS8075 edges).
    pub rib: EdgeRib,
    /// Stopped for good: its connection was removed.
    pub gone: bool,
    /// Times it reached Established.
    pub established_count: u32,
    /// NOTIFICATIONs received, as `code/subcode`.
    pub notifications_received: Vec<String>,
    /// NOTIFICATIONs sent, as `code/subcode`.
    pub notifications_sent: Vec<String>,
    /// The generation of its session (bumped when it restarts with a new key).
    pub generation: u32,
    /// What its `PendingUpdate` waits for, if it is being updated.
    pub updating: Option<Updating>,
    /// The session states shown, in order (the latest `HISTORY`).
    pub history: Vec<SessionState>,
    /// Its settings beyond the plan: TCP-MD5 key, max-prefix limit, scenario overrides.
    pub tuning: Tuning,
    /// What it went through, as an operator reads it off the router (the break-it verdict
    /// reads it).
    pub seen: Seen,
    /// It exceeded its max-prefix limit and sent Cease 6/1; cleared when it is Established
    /// again.
    pub max_prefix_tripped: bool,
    /// The connection its session last reached Established over had TCP-MD5 (RFC 2385) set
    /// on its socket, as the speaker reported it (not the configured key).
    pub md5_signed: bool,
}

impl SpeakerRecord {
    /// Whether its current session is Established.
    pub fn established(&self) -> bool {
        self.fsm == Some(State::Established)
    }
}

/// What the lab knows of one connection beyond its plan.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ConnectionRecord {
    /// What has happened to it, from which its `connectionState` follows.
    pub facts: Facts,
    /// The `connectionState` last shown; `None` before the first.
    pub state: Option<ConnectionState>,
    /// Being removed: `PendingRemove`, its sessions `PendingRemove` (removed ones are marked on
    /// their [`super::topology::ConnectionPlan`]).
    pub removing: bool,
    /// When it last became `Active` (`None` while it is not).
    pub active_since: Option<Instant>,
}

/// Everything the run watches (and the API changes).
pub struct Lab {
    /// Who runs and where.
    pub(super) top: Topology,
    /// The peering file the lab runs.
    pub(super) file: PeeringFile,
    /// When the run started.
    pub(super) started: Instant,
    /// Per speaker, by the index of [`Topology::speakers`].
    pub(super) speakers: Vec<SpeakerRecord>,
    /// Per connection, by the index of [`Topology::connections`].
    pub(super) connections: Vec<ConnectionRecord>,
    /// The connection states entered, in order.
    pub(super) steps: Vec<LifecycleStep>,
    /// What AS8075 must hold to be converged: every registered customer's prefix.
    pub(super) expected: Vec<IpNet>,
    /// Print progress lines on stderr.
    pub(super) progress: bool,
    established_shown: usize,
    /// The peering's registered ASNs.
    pub(super) registrations: Vec<Registration>,
    /// Registrations deleted while the lab runs: a prefix key of one of them is named as such,
    /// and registering the same name and ASN again gives the registration its key back.
    pub(super) retired: Vec<Registration>,
    /// The customers' Peering Services with their registered prefixes and the lab's verdict
    /// on each ([`super::service_prefixes`]).
    pub(super) services: Vec<PeeringService>,
    /// The registered ASNs were applied at the route server (validation done).
    pub(super) registry_applied: bool,
    /// `DELETE /peerings/{name}` was asked.
    pub(super) deprovisioning: bool,
    /// Deprovisioning finished: the run ends.
    pub(super) ended: bool,
    /// Something shown changed since the live view was last drawn.
    pub(super) changed: bool,
    /// The API's address, once bound.
    pub(super) api: Option<SocketAddr>,
    /// With the live view: the lines drawn last time.
    pub(super) live_drawn: Option<usize>,
}

impl Lab {
    /// The lab of `file` planned as `top`, before anything ran.
    pub(super) fn new(top: Topology, file: &PeeringFile, progress: bool) -> Self {
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
            speakers: Vec::new(),
            connections: Vec::new(),
            steps: Vec::new(),
            expected,
            progress,
            established_shown: 0,
            registrations,
            retired: Vec::new(),
            services: Vec::new(),
            registry_applied: false,
            deprovisioning: false,
            ended: false,
            changed: true,
            api: None,
            live_drawn: None,
        };
        lab.grow();
        lab
    }

    /// Adds a record for every connection and speaker the topology gained; a new speaker's
    /// tuning is what the file says for it ([`Tuning::of`]).
    pub(super) fn grow(&mut self) {
        while self.connections.len() < self.top.connections.len() {
            self.connections.push(ConnectionRecord::default());
        }
        while self.speakers.len() < self.top.speakers.len() {
            let tuning = Tuning::of(&self.top, self.speakers.len());
            self.speakers.push(SpeakerRecord {
                tuning,
                ..SpeakerRecord::default()
            });
        }
    }

    /// Speakers `idx` take their tuning from the topology again (added while running: their
    /// client's max-prefix limits are known once it is at the route server).
    pub(super) fn retune(&mut self, idx: &[usize]) {
        for &i in idx {
            self.speakers[i].tuning = Tuning::of(&self.top, i);
        }
    }

    /// The peering's resource name (`peering` when the file gives none).
    pub fn peering_name(&self) -> String {
        self.file.peering.name.clone().unwrap_or_else(|| "peering".to_owned())
    }

    /// Whether the live view is drawn (instead of progress lines).
    pub(super) fn live_view(&self) -> bool {
        self.live_drawn.is_some()
    }

    /// Whether progress lines are printed.
    pub(super) fn shows_progress(&self) -> bool {
        self.progress && !self.live_view()
    }

    /// Whether connection `c` was removed: no longer shown, its addresses free again.
    pub(super) fn gone(&self, c: usize) -> bool {
        self.top.connections[c].removed
    }

    /// The edge speakers of connection `c`: its IPv4 session's, then its IPv6 session's.
    pub(super) fn edges_of(&self, c: usize) -> Vec<usize> {
        let conn = &self.top.connections[c];
        [conn.v4, conn.v6].into_iter().flatten().collect()
    }

    /// The connection named `id` that is not gone.
    pub(super) fn find_connection(&self, id: &str) -> Result<usize, LabError> {
        self.top
            .connections
            .iter()
            .enumerate()
            .position(|(c, x)| x.name == id && !self.gone(c))
            .ok_or_else(|| {
                LabError::not_found(format!(
                    "no connection {id} on peering `{}` (GET the peering lists its connections)",
                    self.peering_name()
                ))
            })
    }

    /// The `connectionState` of connection `c` now.
    pub fn connection_state_of(&self, c: usize) -> ConnectionState {
        let conn = &self.top.connections[c];
        if conn.error_message.is_some() {
            ConnectionState::ProvisioningFailed
        } else if self.connections[c].removing || self.gone(c) {
            ConnectionState::PendingRemove
        } else {
            connection_state(&self.connections[c].facts)
        }
    }

    /// `sessionStateV4` and `sessionStateV6` of connection `c` now (`PendingUpdate` while a
    /// session is being changed).
    pub fn session_states_of(&self, c: usize) -> [SessionState; 2] {
        let conn = &self.top.connections[c];
        [conn.v4, conn.v6].map(|s| match s {
            _ if conn.error_message.is_some() => SessionState::None,
            None => SessionState::None,
            Some(_) if self.connections[c].removing || self.gone(c) => SessionState::PendingRemove,
            Some(i) if self.is_updating(i) => SessionState::PendingUpdate,
            Some(i) => session_state(self.speakers[i].fsm),
        })
    }

    /// Whether speaker `i` shows `PendingUpdate`.
    pub(super) fn is_updating(&self, i: usize) -> bool {
        self.speakers.get(i).is_some_and(|s| s.updating.is_some())
    }

    /// The registered customer ASNs.
    pub(super) fn registered_set(&self) -> BTreeSet<u32> {
        self.registrations.iter().map(|r| r.asn).collect()
    }

    /// Every session not removed reached Established.
    pub(super) fn all_established(&self) -> bool {
        self.speakers.iter().all(|s| s.reached || s.gone)
    }

    /// The prefixes AS8075 holds over connection `c`.
    pub(super) fn edge_prefixes(&self, c: usize) -> BTreeSet<IpNet> {
        self.edges_of(c)
            .into_iter()
            .flat_map(|i| self.speakers[i].rib.routes.keys().copied())
            .collect()
    }

    /// Connections that are neither failed nor being removed.
    pub(super) fn live_connections(&self) -> Vec<usize> {
        (0..self.top.connections.len())
            .filter(|c| {
                !self.connections[*c].removing && !self.gone(*c) && self.top.connections[*c].error_message.is_none()
            })
            .collect()
    }

    /// Whether connection `c` holds every registered customer's route at AS8075.
    pub(super) fn holds_expected(&self, c: usize) -> bool {
        let held = self.edge_prefixes(c);
        self.expected.iter().all(|p| held.contains(p))
    }

    /// Every session up, and AS8075 holding every registered customer's route on every live
    /// connection.
    pub(super) fn converged(&self) -> bool {
        self.all_established()
            && self
                .live_connections()
                .into_iter()
                .all(|c| self.connections[c].facts.registered_applied && self.holds_expected(c))
    }

    /// Records every connection whose state changed (a progress line each), and each
    /// session's shown state.
    pub(super) fn note(&mut self) {
        for c in 0..self.top.connections.len() {
            let conn = &self.top.connections[c];
            let f = &mut self.connections[c].facts;
            f.no_v4 = conn.v4.is_none();
            f.no_v6 = conn.v6.is_none();
            f.v4 = conn.v4.and_then(|s| self.speakers[s].fsm);
            f.v6 = conn.v6.and_then(|s| self.speakers[s].fsm);
            if self.gone(c) {
                continue;
            }
            let state = self.connection_state_of(c);
            if self.connections[c].state == Some(state) {
                continue;
            }
            self.connections[c].state = Some(state);
            self.connections[c].active_since = (state == ConnectionState::Active).then(Instant::now);
            self.changed = true;
            let conn = &self.top.connections[c];
            let at_ms = self.started.elapsed().as_millis() as u64;
            if self.shows_progress() {
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
        let up = self.speakers.iter().filter(|s| s.established()).count();
        if up != self.established_shown {
            self.changed = true;
            if self.shows_progress() {
                eprintln!("peerlab run: {up}/{} sessions Established", self.speakers.len());
            }
        }
        self.established_shown = up;
        self.record_session_history();
    }

    /// Appends each session's shown state to its history when it changed.
    fn record_session_history(&mut self) {
        for c in 0..self.top.connections.len() {
            if self.gone(c) {
                continue;
            }
            let states = self.session_states_of(c);
            let conn = &self.top.connections[c];
            for (slot, state) in [conn.v4, conn.v6].into_iter().zip(states) {
                let Some(i) = slot else { continue };
                let h = &mut self.speakers[i].history;
                if h.last() != Some(&state) {
                    h.push(state);
                    if h.len() > HISTORY {
                        h.remove(0);
                    }
                }
            }
        }
    }

    /// Whether an event of generation `g` belongs to speaker `i`'s current session (a
    /// restarted speaker's older sessions may still report).
    pub(super) fn is_current(&self, i: usize, g: u32) -> bool {
        self.speakers.get(i).is_none_or(|s| s.generation == g)
    }

    /// An event of a session speaker `i` ran before its restart: only the NOTIFICATIONs are
    /// recorded; its state, routes and counts belong to the new session.
    pub(super) fn stale_event(&mut self, i: usize, e: &SessionEvent) {
        let s = &mut self.speakers[i];
        match e {
            SessionEvent::Transition(t) => {
                if let Reason::NotificationReceived(n) = &t.reason {
                    s.notifications_received.push(code(n));
                }
            }
            SessionEvent::NotificationSent(n) => s.notifications_sent.push(code(n)),
            _ => {}
        }
    }

    /// Records an event of speaker `i`'s current session in what it went through, before
    /// the event itself is applied.
    pub(super) fn observe(&mut self, i: usize, e: &SessionEvent) {
        let s = &mut self.speakers[i];
        s.seen.observe(e);
        match e {
            SessionEvent::Transition(t) if t.to == State::Established => s.max_prefix_tripped = false,
            SessionEvent::Established(_, protection) => s.md5_signed = protection.md5,
            _ => {}
        }
    }

    /// Speaker `i`'s current session changed state: its NOTIFICATION received (a progress
    /// line), its count of Established, a re-key's progress, then the connections' states.
    /// Returns whether the speaker is to be stopped for good now (removed, and not up).
    pub(super) fn transition(&mut self, i: usize, t: &Transition) -> bool {
        if let Reason::NotificationReceived(n) = &t.reason {
            self.speakers[i].notifications_received.push(code(n));
            if self.shows_progress() {
                eprintln!(
                    "peerlab run: {}: NOTIFICATION received {}/{}",
                    self.top.speakers[i].name, n.code, n.subcode
                );
            }
        }
        let s = &mut self.speakers[i];
        if t.to == State::Established {
            s.established_count += 1;
        }
        update_transition(&mut s.updating, t.to);
        let stop = s.gone && t.to != State::Established;
        s.fsm = Some(t.to);
        s.reached |= t.to == State::Established;
        self.note();
        stop
    }

    /// An UPDATE reached speaker `i`: an AS8075 edge applies it to what it holds.
    pub(super) fn update(&mut self, i: usize, u: &UpdateView) {
        if matches!(self.top.speakers[i].role, Role::Edge { .. }) {
            self.speakers[i].rib.apply(u);
            self.changed = true;
        }
    }

    /// Speaker `i`'s session went down: it holds nothing any more.
    pub(super) fn down(&mut self, i: usize) {
        let rib = &mut self.speakers[i].rib;
        self.changed |= !rib.routes.is_empty();
        rib.routes.clear();
    }

    /// Speaker `i` sent a NOTIFICATION.
    pub(super) fn notification_sent(&mut self, i: usize, n: &Notification) {
        self.speakers[i].notifications_sent.push(code(n));
    }

    /// Marks customers of `asn` registered or not, and what AS8075 must hold.
    pub(super) fn set_registered(&mut self, asn: u32, registered: bool) {
        for s in &mut self.top.speakers {
            if s.asn == asn {
                if let Role::Customer { registered: r } = &mut s.role {
                    *r = registered;
                }
            }
        }
        self.expected = self.top.expected_at_edge();
        self.changed = true;
    }

    /// The route server removed connection `c`: its edge speakers are gone for good. Returns
    /// those to stop now; one still Established stops once its session ends on the route
    /// server's Cease (so it records it).
    pub(super) fn removed(&mut self, c: usize) -> Vec<usize> {
        self.top.connections[c].removed = true;
        let mut stop = Vec::new();
        for i in self.edges_of(c) {
            self.speakers[i].gone = true;
            if !self.speakers[i].established() {
                stop.push(i);
            }
        }
        self.changed = true;
        if self.progress {
            eprintln!("peerlab run: connection {} removed", self.top.connections[c].name);
        }
        self.check_ended();
        stop
    }

    /// After deprovisioning, the lab ends once every connection is gone.
    pub(super) fn check_ended(&mut self) {
        if self.deprovisioning && self.top.connections.iter().all(|c| c.removed) {
            self.ended = true;
        }
    }

    /// After the edges' enforcement pass: every new max-prefix limit is applied.
    pub(super) fn limits_applied(&mut self) {
        let mut any = false;
        for s in &mut self.speakers {
            if s.updating == Some(Updating::Limit) {
                s.updating = None;
                any = true;
            }
        }
        if any {
            self.changed = true;
            self.note();
        }
    }
}

/// A NOTIFICATION as `code/subcode`.
fn code(n: &Notification) -> String {
    format!("{}/{}", n.code, n.subcode)
}

/// A session entered `to`: before the restart of a re-key, the old session is down once it
/// leaves Established; after it, Established ends the re-key.
fn update_transition(u: &mut Option<Updating>, to: State) {
    match u {
        Some(Updating::Rekey {
            down, restarted: false, ..
        }) if to != State::Established => *down = true,
        Some(Updating::Rekey { restarted: true, .. }) if to == State::Established => *u = None,
        _ => {}
    }
}
