//! Starting the runtime: one shared listener per listen address, one passive speaker session
//! per client session (with its TCP-MD5 key), an event pump and an output forwarder per
//! session, and the table task.

use super::handle::{RouteServerHandle, RuntimeError};
use super::options::RuntimeOptions;
use super::table_task::{self, Slot, Table};
use crate::config::RouteServerConfig;
use crate::server::RouteServer;
use crate::session::{SessionConfig, SessionId};
use bgp_core::capability::AddPathMode;
use bgp_core::fsm::{PeerAs, SessionConfig as FsmConfig, State};
use bgp_core::speaker::{self, Command, DriverOptions, Listener, NoConnector, SessionEvent};
use bytes::Bytes;
use std::collections::hash_map::Entry;
use std::collections::{HashMap, HashSet, VecDeque};
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::sync::mpsc;
use tracing::info;

pub(crate) fn fsm_config(rs: &RouteServerConfig, s: &SessionConfig, name: &str, opts: &RuntimeOptions) -> FsmConfig {
    let mut c = FsmConfig::new(name, rs.asn, PeerAs::Exact(s.asn), rs.router_id);
    c.passive = true;
    c.hold_time = opts.hold_time;
    c.families.clone_from(&s.families);
    if s.add_path {
        c.add_path = s.families.iter().map(|f| (*f, AddPathMode::Send)).collect();
    }
    c
}

/// Which listen address serves `s`: its transport override, else the first configured listen
/// address of its family.
fn listen_of(config: &RouteServerConfig, opts: &RuntimeOptions, s: &SessionConfig) -> Result<SocketAddr, RuntimeError> {
    if let Some(t) = opts.transport(s.address) {
        return Ok(t.listen);
    }
    config
        .listen
        .iter()
        .find(|l| l.is_ipv4() == s.address.is_ipv4())
        .copied()
        .ok_or_else(|| {
            RuntimeError::Config(format!(
                "`listen`: no {} listen address for session {} of client `{}`; add one, e.g. {}",
                if s.address.is_ipv4() { "IPv4" } else { "IPv6" },
                s.address,
                s.name,
                if s.address.is_ipv4() {
                    "\"127.0.0.1:1179\""
                } else {
                    "\"[::1]:1179\""
                }
            ))
        })
}

/// Starts the route server of `config`: binds its listen addresses, starts one passive
/// session per client session and the table task. Call from a multi-threaded tokio runtime
/// so socket work and table work run on separate cores.
pub async fn start(config: &RouteServerConfig, opts: RuntimeOptions) -> Result<RouteServerHandle, RuntimeError> {
    let problems = config.validate();
    if let Some(p) = problems.first() {
        return Err(RuntimeError::Config(p.to_string()));
    }
    let mut rs = RouteServer::new(config);
    let (ev_tx, ev_rx) = mpsc::channel::<(SessionId, SessionEvent)>(opts.event_queue.max(1));
    let mut listeners: HashMap<SocketAddr, Listener> = HashMap::new();
    let mut slots = Vec::new();
    let mut tasks = Vec::new();
    let mut routed = HashSet::new();
    for s in config.sessions() {
        let listen = listen_of(config, &opts, &s)?;
        let listener = match listeners.entry(listen) {
            Entry::Occupied(e) => e.into_mut(),
            Entry::Vacant(e) => {
                let l = Listener::bind(listen)
                    .await
                    .map_err(|e| RuntimeError::Io(format!("cannot listen on {listen}: {e}")))?;
                info!(listen = %l.local_addr(), "listening");
                e.insert(l)
            }
        };
        let peer = opts.transport(s.address).map_or(s.address, |t| t.peer);
        if !routed.insert((listen, peer)) {
            return Err(RuntimeError::Config(format!(
                "session {} of client `{}`: another session already accepts connections from {peer} on {listen}; \
                 give each session on a shared address its own listen port (a transport override)",
                s.address, s.name
            )));
        }
        let incoming = listener
            .register(peer, s.md5_key.as_deref())
            .map_err(|e| RuntimeError::Io(format!("cannot set up session {} on {listen}: {e}", s.address)))?;
        let name = format!("{}@{}", s.name, s.address);
        let fsm = fsm_config(config, &s, &name, &opts);
        let id = rs.add_session(s).map_err(|e| RuntimeError::Config(e.to_string()))?;
        let driver = DriverOptions {
            start: true,
            restart_after: Some(opts.reconnect_after),
        };
        let handle = speaker::spawn_session(fsm, Box::new(NoConnector), incoming, driver);
        let (out_tx, out_rx) = mpsc::channel::<Vec<Bytes>>(opts.output_queue.max(1));
        tasks.push(tokio::spawn(forward(out_rx, handle.commands.clone())));
        tasks.push(tokio::spawn(pump(id, handle.events, ev_tx.clone())));
        tasks.push(handle.task);
        slots.push(Slot {
            name,
            state: State::Idle,
            commands: handle.commands,
            output: out_tx,
            transitions: VecDeque::new(),
            sent: VecDeque::new(),
            peer_router_id: None,
            listen: listener.local_addr(),
            peer,
            removed: false,
        });
    }
    let bound: Vec<(SocketAddr, SocketAddr)> = listeners.iter().map(|(k, l)| (*k, l.local_addr())).collect();
    let (job_tx, job_rx) = mpsc::channel::<table_task::Job>(64);
    let table = Table { rs, slots, opts };
    let table_task = tokio::spawn(table_task::run(table, ev_rx, job_rx));
    Ok(RouteServerHandle::new(
        job_tx,
        Arc::new(super::handle::Parts {
            listeners: std::sync::Mutex::new(listeners.into_values().collect()),
            bound: std::sync::Mutex::new(bound),
            config: config.clone(),
            events: ev_tx,
            tasks: std::sync::Mutex::new(tasks),
            table_task: std::sync::Mutex::new(Some(table_task)),
        }),
    ))
}

/// Session events → the table task, tagged with the session; waits when the table is busy
/// (the session then stops reading its socket: back-pressure).
pub(crate) async fn pump(
    id: SessionId,
    mut events: mpsc::Receiver<SessionEvent>,
    table: mpsc::Sender<(SessionId, SessionEvent)>,
) {
    while let Some(ev) = events.recv().await {
        if table.send((id, ev)).await.is_err() {
            return;
        }
    }
}

/// UPDATE batches from the table → the session; waits on the session, never on the table.
pub(crate) async fn forward(mut batches: mpsc::Receiver<Vec<Bytes>>, session: mpsc::Sender<Command>) {
    while let Some(b) = batches.recv().await {
        if session.send(Command::SendUpdates(b)).await.is_err() {
            return;
        }
    }
}
