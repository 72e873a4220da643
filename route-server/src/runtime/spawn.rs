//! Starting the runtime: one shared listener per listen address, one passive speaker session
//! per client session (with its TCP-MD5 key), an event pump and an output forwarder per
//! session, the table task and the ROA file watcher.

use super::check::{check, CheckedConfig, PlannedSession};
use super::client_session;
use super::handle::{RouteServerHandle, RuntimeError};
use super::options::RuntimeOptions;
use super::roas;
use super::table_task::{self, Slot, Table};
use crate::config::RouteServerConfig;
use crate::server::RouteServer;
use crate::session::SessionId;
use bgp_core::fsm::State;
use bgp_core::speaker::{Command, Listener, SessionEvent};
use bytes::Bytes;
use std::collections::hash_map::Entry;
use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::sync::mpsc;
use tracing::info;

/// Starts the route server of `config`: [`check`]s it (the first problem found ends the
/// start with [`RuntimeError::Config`]), then [`start_checked`].
pub async fn start(config: &RouteServerConfig, opts: RuntimeOptions) -> Result<RouteServerHandle, RuntimeError> {
    let checked = check(config, &opts).map_err(|problems| {
        RuntimeError::Config(problems.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n"))
    })?;
    start_checked(checked).await
}

/// Starts a checked configuration: binds its listen addresses, starts one passive session
/// per client session, the table task (with the ROAs read by the check) and the ROA file
/// watcher. Call from a multi-threaded tokio runtime so socket work and table work run on
/// separate cores. Fails only on sockets ([`RuntimeError::Io`]).
pub async fn start_checked(checked: CheckedConfig) -> Result<RouteServerHandle, RuntimeError> {
    let CheckedConfig {
        config,
        opts,
        sessions,
        roas,
    } = checked;
    let mut rs = RouteServer::new(&config);
    let (ev_tx, ev_rx) = mpsc::channel::<(SessionId, SessionEvent)>(opts.event_queue.max(1));
    let mut listeners: HashMap<SocketAddr, Listener> = HashMap::new();
    let mut slots = Vec::new();
    let mut tasks = Vec::new();
    for PlannedSession {
        session: s,
        listen,
        peer,
    } in sessions
    {
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
        let incoming = listener
            .register(peer, s.md5_key.as_deref())
            .map_err(|e| RuntimeError::Io(format!("cannot set up session {} on {listen}: {e}", s.address)))?;
        let name = format!("{}@{}", s.name, s.address);
        let handle = client_session::spawn(&config, &s, &name, &opts, incoming);
        let id = rs.add_session(s).map_err(|e| RuntimeError::Config(e.to_string()))?;
        let (out_tx, out_rx) = mpsc::channel::<Vec<Bytes>>(opts.output_queue.max(1));
        tasks.push(tokio::spawn(forward(out_rx, handle.commands.clone())));
        tasks.push(tokio::spawn(pump(id, handle.events, ev_tx.clone())));
        tasks.push(handle.task);
        slots.push(Slot {
            name,
            state: State::Idle,
            commands: handle.commands,
            control: handle.control,
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
    let roa_stamp = roas.as_ref().and_then(|r| r.stamp);
    let roa_poll = opts.roa_poll.filter(|_| config.import.rpki.roa_file.is_some());
    let mut table = Table {
        rs,
        slots,
        opts,
        roas: 0,
    };
    if let Some(r) = roas {
        info!(roas = r.table.len(), "ROA file loaded");
        table.set_roas(r.table);
    }
    let table_task = tokio::spawn(table_task::run(table, ev_rx, job_rx));
    let parts = Arc::new(super::handle::Parts {
        listeners: std::sync::Mutex::new(listeners.into_values().collect()),
        bound: std::sync::Mutex::new(bound),
        config,
        events: ev_tx,
        tasks: std::sync::Mutex::new(tasks),
        table_task: std::sync::Mutex::new(Some(table_task)),
        roa_stamp: tokio::sync::Mutex::new(roa_stamp),
    });
    if let (Some(every), Some(path)) = (roa_poll, parts.config.import.rpki.roa_file.clone()) {
        let watcher = tokio::spawn(roas::watch(job_tx.downgrade(), Arc::downgrade(&parts), every, path));
        if let Ok(mut t) = parts.tasks.lock() {
            t.push(watcher);
        }
    }
    Ok(RouteServerHandle::new(job_tx, parts))
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
