//! The table task: the only owner of the [`RouteServer`]. It turns session events into engine
//! calls, hands each session's pending output to that session's bounded queue without ever
//! waiting on it, shuts sessions down at their max-prefix limit, and runs the handle's
//! queries between batches.

use super::options::RuntimeOptions;
use super::view::{NotificationView, SessionView, TransitionView};
use crate::server::RouteServer;
use crate::session::{SessionId, SessionState};
use bgp_core::fsm::{Cease, State};
use bgp_core::speaker::{Command, Control, Controller, SessionEvent};
use bytes::Bytes;
use std::collections::VecDeque;
use tokio::sync::mpsc;
use tracing::{info, warn};

/// Transitions and NOTIFICATIONs kept per session for the API.
const KEEP: usize = 16;
/// Events handled before output is flushed and queries are served again.
const BATCH: usize = 256;

/// A query or change run inside the table task.
pub(crate) type Job = Box<dyn FnOnce(&mut Table) + Send>;

/// What the table task knows of one speaker session.
#[derive(Debug)]
pub(crate) struct Slot {
    pub name: String,
    pub state: State,
    pub commands: mpsc::Sender<Command>,
    /// Starts and stops: delivered even while the session's command queue is full.
    pub control: Controller,
    pub output: mpsc::Sender<Vec<Bytes>>,
    pub transitions: VecDeque<TransitionView>,
    pub sent: VecDeque<NotificationView>,
    pub peer_router_id: Option<std::net::Ipv4Addr>,
    /// The listen address (as bound) serving this session.
    pub listen: std::net::SocketAddr,
    /// The address the client connects from.
    pub peer: std::net::IpAddr,
    /// The client was removed ([`super::RouteServerHandle::remove_client`]).
    pub removed: bool,
}

/// The engine and the sessions' slots.
#[derive(Debug)]
pub(crate) struct Table {
    pub rs: RouteServer,
    pub slots: Vec<Slot>,
    pub opts: RuntimeOptions,
    /// How many ROAs the engine validates against.
    pub roas: usize,
}

fn keep<T>(q: &mut VecDeque<T>, v: T) {
    if q.len() == KEEP {
        q.pop_front();
    }
    q.push_back(v);
}

impl Table {
    /// The session's name.
    pub fn name(&self, id: SessionId) -> String {
        self.slots
            .get(id.0 as usize)
            .map_or_else(|| format!("session-{}", id.0), |s| s.name.clone())
    }

    /// Finds a session by name (`client@address`), or by client name when that client has
    /// one session.
    pub fn find(&self, name: &str) -> Option<SessionId> {
        if let Some(i) = self.slots.iter().position(|s| s.name == name && !s.removed) {
            return Some(SessionId(i as u16));
        }
        let mut of_client = self
            .rs
            .session_ids()
            .filter(|id| self.rs.session_config(*id).is_ok_and(|c| c.name == name));
        match (of_client.next(), of_client.next()) {
            (Some(id), None) => Some(id),
            _ => None,
        }
    }

    /// The API view of a session.
    pub fn view(&self, id: SessionId) -> Option<SessionView> {
        let slot = self.slots.get(id.0 as usize)?;
        let cfg = self.rs.session_config(id).ok()?;
        Some(SessionView {
            name: slot.name.clone(),
            client: cfg.name.clone(),
            asn: cfg.asn,
            address: cfg.address,
            state: slot.state.to_string(),
            table_state: self.rs.session_state(id).ok()?,
            peer_router_id: slot.peer_router_id,
            last_transitions: slot.transitions.iter().cloned().collect(),
            notifications_sent: slot.sent.iter().cloned().collect(),
            counters: self.rs.counters(id).ok()?,
        })
    }

    fn event(&mut self, id: SessionId, ev: SessionEvent) {
        let i = id.0 as usize;
        let Some(slot) = self.slots.get_mut(i) else { return };
        match ev {
            SessionEvent::Transition(t) => {
                tracing::debug!(session = %slot.name, from = %t.from, to = %t.to, reason = %t.reason, "state change");
                slot.state = t.to;
                keep(&mut slot.transitions, TransitionView::from(&t));
            }
            SessionEvent::Established(n, _) => {
                slot.peer_router_id = Some(n.peer_id);
                let name = slot.name.clone();
                let _ = self.rs.set_router_id(id, n.peer_id);
                if let Err(e) = self.rs.session_up(id, n.tx) {
                    warn!(session = %name, error = %e, "session_up refused");
                }
            }
            SessionEvent::Update(view) => match self.rs.ingest(id, &view) {
                Ok(outcome) => {
                    if let Some(mp) = outcome.max_prefix {
                        warn!(session = %slot.name, family = ?mp.family, limit = mp.limit, "max-prefix limit exceeded; session shut down");
                        // AutomaticStop sends the Cease; the Stop that follows (in Idle, so
                        // nothing is sent) cancels the driver's automatic restart.
                        slot.control.send(Control::AutomaticStop(mp.cease.clone()));
                        slot.control.send(Control::Stop(mp.cease));
                        if let Some(after) = mp.restart_after {
                            let control = slot.control.clone();
                            tokio::spawn(async move {
                                tokio::time::sleep(after).await;
                                control.send(Control::Start);
                            });
                        }
                    }
                }
                Err(e) => warn!(session = %slot.name, error = %e, "UPDATE not ingested"),
            },
            SessionEvent::RouteRefresh(_) => {
                let _ = self.rs.route_refresh(id);
            }
            SessionEvent::NotificationSent(n) => {
                info!(session = %slot.name, code = n.code, subcode = n.subcode, "NOTIFICATION sent");
                keep(&mut slot.sent, NotificationView::from(&n));
            }
            SessionEvent::Down { .. } => {
                // After a max-prefix shutdown the engine has already withdrawn the routes and
                // keeps `max-prefix-down` until the session comes up again.
                if self.rs.session_state(id) == Ok(SessionState::Up) {
                    let _ = self.rs.session_down(id);
                }
            }
            SessionEvent::ConnectFailed(e) => warn!(session = %slot.name, error = %e, "connect failed"),
        }
    }

    /// Hands pending output to every session whose queue has room; `true` when some session
    /// still has output waiting (its queue was full).
    fn flush(&mut self) -> bool {
        let mut waiting = false;
        for i in 0..self.slots.len() {
            let id = SessionId(i as u16);
            while self.rs.has_output(id) {
                let Ok(permit) = self.slots[i].output.try_reserve() else {
                    waiting = true;
                    break;
                };
                match self.rs.poll_output(id, self.opts.batch_bytes) {
                    Ok(batch) if !batch.is_empty() => permit.send(batch),
                    Ok(_) => {}
                    Err(_) => break,
                }
            }
        }
        waiting
    }

    /// Replaces the ROA set; every route held is re-evaluated (the changes go out with the
    /// next flush).
    pub fn set_roas(&mut self, roas: crate::rpki::RoaTable) {
        self.roas = roas.len();
        self.rs.set_roas(roas);
    }

    /// Sends Cease 6/2 with `message` to every session.
    pub fn stop_all(&mut self, message: &str) {
        for s in &self.slots {
            s.control.send(Control::Stop(Cease::admin_shutdown(Some(message))));
        }
    }
}

/// The table task's loop: events in batches, then output, then queries; a retry tick for
/// sessions whose queue was full. Ends when every sender is gone.
pub(crate) async fn run(
    mut table: Table,
    mut events: mpsc::Receiver<(SessionId, SessionEvent)>,
    mut jobs: mpsc::Receiver<Job>,
) {
    let mut tick = tokio::time::interval(table.opts.retry_interval);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut waiting = false;
    let mut jobs_open = true;
    loop {
        tokio::select! {
            ev = events.recv() => {
                let Some((id, ev)) = ev else { break };
                table.event(id, ev);
                for _ in 1..BATCH {
                    match events.try_recv() {
                        Ok((id, ev)) => table.event(id, ev),
                        Err(_) => break,
                    }
                }
                waiting = table.flush();
            }
            job = jobs.recv(), if jobs_open => match job {
                Some(job) => {
                    job(&mut table);
                    waiting = table.flush();
                }
                None => jobs_open = false,
            },
            _ = tick.tick(), if waiting => waiting = table.flush(),
        }
    }
}
