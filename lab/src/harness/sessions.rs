//! The bench's side of a run's sessions: one BGP session per client (two against peerlab in
//! this process: one per family), the task that drains a client's events and checks a
//! monitor's UPDATEs, and the tear-down with a Cease.

use super::load::{Client, Load, TARGET_AS};
use super::targets::RunningTarget;
use super::verify::{MonitorTable, Verdict};
use bgp_core::fsm::{Cease, PeerAs, SessionConfig};
use bgp_core::speaker::{self, Command, Control, Controller, DriverOptions, SessionEvent, TcpConnector};
use bgp_core::{Family, SessionContext};
use std::collections::HashSet;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;
use tokio::sync::{mpsc, watch, Notify};
use tokio::task::JoinHandle;
use tokio::time::Instant;

/// How long the sessions get to send their Cease before they are shut down.
const CEASE_GRACE: Duration = Duration::from_millis(200);

/// Shared between the session tasks and the run.
pub(super) struct Shared {
    pub(super) load: Arc<Load>,
    /// Routes verified at the monitors so far.
    pub(super) ok_total: AtomicU64,
    /// Routes the monitors must hold.
    pub(super) total: u64,
    /// Sessions Established (a client may have two: IPv4 and IPv6).
    pub(super) established: AtomicUsize,
    /// Sessions that went down after Established.
    pub(super) downs: AtomicU64,
    /// When the last expected route was verified.
    pub(super) converged: OnceLock<Instant>,
    /// Woken at convergence.
    pub(super) notify: Notify,
    /// A session that negotiated something other than the plain context the load was
    /// encoded for.
    pub(super) wrong_context: OnceLock<String>,
}

impl Shared {
    pub(super) fn new(load: Arc<Load>) -> Shared {
        Shared {
            total: load.total_expected(),
            load,
            ok_total: AtomicU64::new(0),
            established: AtomicUsize::new(0),
            downs: AtomicU64::new(0),
            converged: OnceLock::new(),
            notify: Notify::new(),
            wrong_context: OnceLock::new(),
        }
    }

    /// Sessions Established so far.
    pub(super) fn up(&self) -> usize {
        self.established.load(Ordering::Relaxed)
    }

    /// Routes verified so far.
    pub(super) fn verified(&self) -> u64 {
        self.ok_total.load(Ordering::Relaxed)
    }
}

/// Every session of a run, open.
pub(super) struct Sessions {
    /// Per client, the command queue of each of its sessions (IPv4 or only, then IPv6).
    pub(super) commands: Vec<Vec<mpsc::Sender<Command>>>,
    /// Every session's start/stop path.
    controls: Vec<Controller>,
    /// Per client, the task that drains its events (a monitor's returns its table).
    clients: Vec<JoinHandle<Option<MonitorTable>>>,
    /// The session drivers and their event forwarders.
    drivers: Vec<JoinHandle<()>>,
    /// The target's ports the sessions connect to.
    pub(super) ports: HashSet<u16>,
    /// How many sessions there are.
    pub(super) count: usize,
    stop: watch::Sender<bool>,
}

fn session_config(c: &Client, session: usize, families: Option<Vec<Family>>) -> SessionConfig {
    let id = match c.addr {
        IpAddr::V4(a) => a,
        IpAddr::V6(_) => Ipv4Addr::new(10, 1, (c.index >> 8) as u8, c.index as u8),
    };
    let mut cfg = SessionConfig::new(
        format!("bench-{}-{session}", c.index).as_str(),
        c.asn,
        PeerAs::Exact(TARGET_AS),
        id,
    );
    cfg.connect_retry_time = 1;
    cfg.hold_time = 90;
    cfg.extended_message = false;
    cfg.add_path = Vec::new();
    if let Some(f) = families {
        cfg.families = f;
    }
    cfg
}

/// Where client `k`'s sessions go: one session, or (peerlab in this process) one per family.
fn dests(target: &RunningTarget, k: usize) -> Vec<(SocketAddr, Option<Vec<Family>>)> {
    match target.dests(k) {
        (a, Some(v6)) => vec![
            (a, Some(vec![Family::IPV4_UNICAST])),
            (v6, Some(vec![Family::IPV6_UNICAST])),
        ],
        (a, None) => vec![(a, None)],
    }
}

/// Opens every client's sessions to `target`, each from the client's own source address.
pub(super) fn open(load: &Load, target: &RunningTarget, shared: &Arc<Shared>) -> Sessions {
    let (stop, stop_rx) = watch::channel(false);
    let mut s = Sessions {
        commands: Vec::with_capacity(load.clients.len()),
        controls: Vec::with_capacity(load.clients.len() * 2),
        clients: Vec::with_capacity(load.clients.len()),
        drivers: Vec::with_capacity(load.clients.len() * 4),
        ports: HashSet::new(),
        count: 0,
        stop,
    };
    for c in &load.clients {
        let (ev_tx, ev_rx) = mpsc::channel(256);
        let mut mine = Vec::with_capacity(2);
        for (i, (dest, families)) in dests(target, c.index).into_iter().enumerate() {
            s.ports.insert(dest.port());
            let mut conn = TcpConnector::new(dest);
            conn.local = Some(SocketAddr::new(c.source, 0));
            let (_, incoming) = mpsc::channel(1);
            let h = speaker::spawn_session(
                session_config(c, i, families),
                Box::new(conn),
                incoming,
                DriverOptions {
                    start: true,
                    restart_after: Some(Duration::from_secs(1)),
                },
            );
            mine.push(h.commands);
            s.controls.push(h.control);
            s.drivers.push(h.task);
            s.drivers.push(tokio::spawn(forward_events(i, h.events, ev_tx.clone())));
        }
        s.count += mine.len();
        s.commands.push(mine);
        s.clients.push(tokio::spawn(client_task(
            c.clone(),
            ev_rx,
            shared.clone(),
            stop_rx.clone(),
        )));
    }
    s
}

impl Sessions {
    /// The monitors' tables as they are now, judged (before the sessions close: closing
    /// them makes the target withdraw every route).
    pub(super) async fn verdict(&mut self, load: &Load) -> Verdict {
        let _ = self.stop.send(true);
        let mut verdict = Verdict::default();
        for t in self.clients.drain(..) {
            if let Ok(Some(table)) = t.await {
                verdict.merge(table.verdict(load));
            }
        }
        verdict
    }

    /// A Cease to the target on every session, then the session tasks end.
    pub(super) async fn close(self) {
        let commands: Vec<mpsc::Sender<Command>> = self.commands.into_iter().flatten().collect();
        for c in &self.controls {
            c.send(Control::Stop(Cease::admin_shutdown(Some("peerlab bench: done"))));
        }
        tokio::time::sleep(CEASE_GRACE).await;
        for c in &commands {
            let _ = c.try_send(Command::Shutdown);
        }
        for t in &self.drivers {
            t.abort();
        }
    }
}

/// Tags one session's events with its number and forwards them to the client's task.
async fn forward_events(n: usize, mut events: mpsc::Receiver<SessionEvent>, to: mpsc::Sender<(usize, SessionEvent)>) {
    while let Some(e) = events.recv().await {
        if to.send((n, e)).await.is_err() {
            return;
        }
    }
}

/// Drains the events of a client's sessions; a monitor checks every UPDATE. Returns the
/// monitor's table.
async fn client_task(
    client: Client,
    mut events: mpsc::Receiver<(usize, SessionEvent)>,
    shared: Arc<Shared>,
    mut stop: watch::Receiver<bool>,
) -> Option<MonitorTable> {
    let mut table = client.monitor.then(|| MonitorTable::new(client.index, &shared.load));
    let mut up = [false; 2];
    loop {
        let ev = tokio::select! {
            e = events.recv() => e,
            _ = stop.changed() => None,
        };
        let Some((s, ev)) = ev else { break };
        let s = s.min(1);
        match ev {
            SessionEvent::Established(n, _) => {
                if n.tx != SessionContext::default() {
                    let _ = shared
                        .wrong_context
                        .set(format!("client {}: unexpected negotiation {:?}", client.index, n.tx));
                }
                if !up[s] {
                    up[s] = true;
                    shared.established.fetch_add(1, Ordering::Relaxed);
                }
            }
            SessionEvent::Down { .. } if up[s] => {
                shared.downs.fetch_add(1, Ordering::Relaxed);
            }
            SessionEvent::Update(v) => {
                if let Some(t) = table.as_mut() {
                    t.apply(&shared.load, &v, &shared.ok_total);
                    if shared.verified() == shared.total && shared.converged.set(Instant::now()).is_ok() {
                        shared.notify.notify_one();
                    }
                }
            }
            _ => {}
        }
    }
    table
}
