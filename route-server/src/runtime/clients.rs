//! Clients added and removed while the route server runs: [`RouteServerHandle::add_client`]
//! starts the new client's passive sessions (binding listen sockets it needs),
//! [`RouteServerHandle::remove_client`] sends each of its sessions a Cease, withdraws its
//! routes from everyone and forgets it.

use super::client_session;
use super::handle::{RouteServerHandle, RuntimeError};
use super::options::Transport;
use super::spawn::{forward, pump};
use super::table_task::Slot;
use crate::config::{ClientConfig, RouteServerConfig};
use crate::session::SessionId;
use bgp_core::fsm::{Cease, State};
use bgp_core::speaker::{Command, Control, Listener};
use bytes::Bytes;
use std::collections::VecDeque;
use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant};
use tokio::sync::mpsc;
use tracing::info;

/// How long [`RouteServerHandle::remove_client`] waits for the sessions to close after the
/// Cease before ending them.
const REMOVE_GRACE: Duration = Duration::from_secs(2);

/// One session of a client being added, before it is handed to the table.
struct Pending {
    session: crate::session::SessionConfig,
    name: String,
    listen: SocketAddr,
    peer: IpAddr,
}

impl RouteServerHandle {
    /// Adds a client while running: one passive session per address, on the listen address
    /// of its transport in `transports` (bound now if new) or the first configured listen
    /// address of its family. A client already configured under this name and ASN gets the
    /// addresses as further sessions (e.g. an IPv6 session next to its IPv4 one). Fails,
    /// changing nothing, when an address is taken or the name belongs to another ASN.
    /// Returns the new sessions' names (`client@address`).
    pub async fn add_client(
        &self,
        client: ClientConfig,
        transports: Vec<Transport>,
    ) -> Result<Vec<String>, RuntimeError> {
        let mut one = RouteServerConfig::new(self.parts.config.asn, self.parts.config.router_id);
        one.listen.clone_from(&self.parts.config.listen);
        one.clients = vec![client.clone()];
        if let Some(p) = one.validate().first() {
            return Err(RuntimeError::BadRequest(p.to_string()));
        }
        let mut pending = Vec::new();
        for s in one.sessions() {
            let listen = match transports.iter().find(|t| t.session_address == s.address) {
                Some(t) => t.listen,
                None => self.bound_listen(s.address)?,
            };
            let peer = transports
                .iter()
                .find(|t| t.session_address == s.address)
                .map_or(s.address, |t| t.peer);
            let name = format!("{}@{}", s.name, s.address);
            pending.push(Pending {
                session: s,
                name,
                listen,
                peer,
            });
        }
        let wanted: Vec<(IpAddr, SocketAddr, IpAddr)> =
            pending.iter().map(|p| (p.session.address, p.listen, p.peer)).collect();
        let client_name = client.name.clone();
        let client_asn = client.asn;
        self.run(move |t| {
            if t
                .rs
                .session_ids()
                .any(|id| t.rs.session_config(id).is_ok_and(|c| c.name == client_name && c.asn != client_asn))
            {
                return Err(RuntimeError::BadRequest(format!(
                    "`name`: a client named `{client_name}` is already configured with another ASN; choose another name"
                )));
            }
            for (address, listen, peer) in &wanted {
                if let Some(other) = t.rs.session_ids().find(|id| t.rs.session_config(*id).is_ok_and(|c| c.address == *address)) {
                    return Err(RuntimeError::BadRequest(format!(
                        "`addresses`: {address} is already the session address of `{}`; give the client another address",
                        t.name(other)
                    )));
                }
                if t.slots.iter().any(|s| !s.removed && s.listen == *listen && s.peer == *peer) {
                    return Err(RuntimeError::BadRequest(format!(
                        "session {address}: another session already accepts connections from {peer} on {listen}; \
                         give it its own listen port (a transport)"
                    )));
                }
            }
            Ok(())
        })
        .await??;
        let mut names = Vec::new();
        for p in pending {
            names.push(self.start_session(p).await?);
        }
        info!(client = %client.name, sessions = names.len(), "client added");
        Ok(names)
    }

    /// The bound listen address serving `address` when no transport names one.
    fn bound_listen(&self, address: IpAddr) -> Result<SocketAddr, RuntimeError> {
        let bound = self.listen_addrs();
        bound
            .iter()
            .filter(|(configured, _)| self.parts.config.listen.contains(configured))
            .find(|(configured, _)| configured.is_ipv4() == address.is_ipv4())
            .map(|(_, b)| *b)
            .ok_or_else(|| {
                RuntimeError::BadRequest(format!(
                    "`addresses`: no {} listen address for {address}; give the session a transport",
                    if address.is_ipv4() { "IPv4" } else { "IPv6" }
                ))
            })
    }

    /// Registers the peer on its listener (binding it when new), starts the passive session
    /// and hands it to the table.
    async fn start_session(&self, p: Pending) -> Result<String, RuntimeError> {
        let listen = self.listener_for(p.listen).await?;
        let incoming = {
            let listeners = self
                .parts
                .listeners
                .lock()
                .map_err(|_| RuntimeError::Io("listener lock poisoned".into()))?;
            let l = listeners
                .iter()
                .find(|l| l.local_addr() == listen)
                .ok_or_else(|| RuntimeError::Io(format!("no listener on {listen}")))?;
            l.register(p.peer, p.session.md5_key.as_deref()).map_err(|e| {
                RuntimeError::Io(format!("cannot set up session {} on {listen}: {e}", p.session.address))
            })?
        };
        let opts = self.run(|t| t.opts.clone()).await?;
        let handle = client_session::spawn(&self.parts.config, &p.session, &p.name, &opts, incoming);
        let (out_tx, out_rx) = mpsc::channel::<Vec<Bytes>>(opts.output_queue.max(1));
        let commands = handle.commands.clone();
        let name = p.name.clone();
        let slot = Slot {
            name: p.name.clone(),
            state: State::Idle,
            commands: handle.commands.clone(),
            control: handle.control.clone(),
            output: out_tx,
            transitions: VecDeque::new(),
            sent: VecDeque::new(),
            peer_router_id: None,
            listen,
            peer: p.peer,
            removed: false,
        };
        let session = p.session;
        let added = self
            .run(move |t| {
                let id =
                    t.rs.add_session(session)
                        .map_err(|e| RuntimeError::BadRequest(e.to_string()))?;
                debug_assert_eq!(id.0 as usize, t.slots.len());
                t.slots.push(slot);
                Ok::<SessionId, RuntimeError>(id)
            })
            .await?;
        let id = match added {
            Ok(id) => id,
            Err(e) => {
                let _ = commands.send(Command::Shutdown).await;
                handle.task.abort();
                return Err(e);
            }
        };
        let tasks = [
            tokio::spawn(forward(out_rx, commands)),
            tokio::spawn(pump(id, handle.events, self.parts.events.clone())),
            handle.task,
        ];
        if let Ok(mut all) = self.parts.tasks.lock() {
            all.extend(tasks);
        }
        Ok(name)
    }

    /// The bound address of the listener for `listen`, binding it when there is none yet.
    async fn listener_for(&self, listen: SocketAddr) -> Result<SocketAddr, RuntimeError> {
        let known = self
            .listen_addrs()
            .into_iter()
            .find(|(configured, bound)| *configured == listen || *bound == listen);
        if let Some((_, bound)) = known {
            return Ok(bound);
        }
        let l = Listener::bind(listen)
            .await
            .map_err(|e| RuntimeError::Io(format!("cannot listen on {listen}: {e}")))?;
        let bound = l.local_addr();
        info!(listen = %bound, "listening");
        if let Ok(mut b) = self.parts.bound.lock() {
            b.push((listen, bound));
        }
        if let Ok(mut ls) = self.parts.listeners.lock() {
            ls.push(l);
        }
        Ok(bound)
    }

    /// Removes client `name` while running: `cease` (e.g. [`Cease::peer_deconfigured`]) on
    /// each of its sessions, its routes withdrawn from every other client at once, then its
    /// sessions end (after they close, or after a short grace) and the route server forgets
    /// it. Returns the removed sessions' names.
    pub async fn remove_client(&self, name: &str, cease: Cease) -> Result<Vec<String>, RuntimeError> {
        let client = name.to_owned();
        let removed = self
            .run(move |t| {
                let ids: Vec<SessionId> =
                    t.rs.session_ids()
                        .filter(|id| t.rs.session_config(*id).is_ok_and(|c| c.name == client))
                        .collect();
                let mut out = Vec::new();
                for id in ids {
                    let _ = t.rs.remove_session(id);
                    if let Some(s) = t.slots.get_mut(id.0 as usize) {
                        s.control.send(Control::Stop(cease.clone()));
                        s.removed = true;
                        out.push((id, s.name.clone(), s.commands.clone(), s.listen, s.peer));
                    }
                }
                out
            })
            .await?;
        if removed.is_empty() {
            return Err(RuntimeError::UnknownSession(name.to_owned()));
        }
        let ids: Vec<usize> = removed.iter().map(|r| r.0 .0 as usize).collect();
        let start = Instant::now();
        while start.elapsed() < REMOVE_GRACE {
            let ids = ids.clone();
            let idle = self
                .run(move |t| {
                    ids.iter()
                        .all(|i| t.slots.get(*i).is_none_or(|s| s.state == State::Idle))
                })
                .await?;
            if idle {
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let mut names = Vec::new();
        for (_, n, commands, listen, peer) in removed {
            let _ = commands.send(Command::Shutdown).await;
            if let Ok(ls) = self.parts.listeners.lock() {
                if let Some(l) = ls.iter().find(|l| l.local_addr() == listen) {
                    l.unregister(peer);
                }
            }
            names.push(n);
        }
        info!(client = %name, sessions = names.len(), "client removed");
        Ok(names)
    }
}
