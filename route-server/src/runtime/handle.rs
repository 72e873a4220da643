//! [`RouteServerHandle`]: what the HTTP API and tests ask of a running route server. Every
//! call runs inside the table task between batches of events, so answers are consistent
//! snapshots and the engine needs no lock.

use super::table_task::{Job, Table};
use super::view::{RoutePage, RouteView, SessionView, VerdictView};
use super::SHUTDOWN_MESSAGE;
use crate::asn::is_bogon_asn;
use crate::server::{Cursor, Listing, MemoryUsage, Stats};
use crate::session::SessionId;
use bgp_core::fsm::State;
use bgp_core::speaker::{Command, Listener};
use ipnet::IpNet;
use serde::Serialize;
use std::fmt;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;

/// Why the runtime could not start or answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RuntimeError {
    /// The configuration cannot be run (names the field and the fix).
    Config(String),
    /// A socket could not be set up.
    Io(String),
    /// No session has this name.
    UnknownSession(String),
    /// The request is not acceptable (e.g. registering a private ASN).
    BadRequest(String),
    /// The route server has stopped.
    Stopped,
}

impl fmt::Display for RuntimeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RuntimeError::Config(m) | RuntimeError::Io(m) | RuntimeError::BadRequest(m) => f.write_str(m),
            RuntimeError::UnknownSession(n) => write!(f, "no session named `{n}`"),
            RuntimeError::Stopped => f.write_str("the route server has stopped"),
        }
    }
}

impl std::error::Error for RuntimeError {}

/// A route listing asked for in pages, sessions by name (`client@address`, or the client's
/// name when it has one session).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RouteQuery {
    /// Everything received on the session and held, accepted or not.
    RibIn(String),
    /// What the session's client should hold now.
    AdjRibOut(String),
    /// The session's rejected routes.
    Rejected(String),
    /// Every session's rejected routes.
    RejectedAll,
}

/// Table-wide figures for `GET /stats`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct StatsView {
    /// Configured sessions.
    pub sessions: usize,
    /// Sessions in Established.
    pub established: usize,
    /// Registered customer ASNs.
    pub registered_asns: usize,
    /// ROAs in use (from `import.rpki.roa_file`; 0 without one).
    pub roas: usize,
    /// Prefixes and paths.
    pub table: Stats,
    /// Heap bytes of the tables and per-session output state.
    pub memory: MemoryUsage,
}

/// What the handle keeps alive: listeners and tasks.
#[derive(Debug)]
pub(crate) struct Parts {
    pub listeners: Mutex<Vec<Listener>>,
    pub bound: Mutex<Vec<(SocketAddr, SocketAddr)>>,
    /// The configuration started with (listen addresses, ASN, identifier) for added clients.
    pub config: crate::config::RouteServerConfig,
    /// Events of added clients' sessions → the table task.
    pub events: mpsc::Sender<(SessionId, bgp_core::speaker::SessionEvent)>,
    pub tasks: Mutex<Vec<JoinHandle<()>>>,
    pub table_task: Mutex<Option<JoinHandle<()>>>,
    /// The version of the ROA file last read (held while reading it again).
    pub roa_stamp: tokio::sync::Mutex<Option<super::roas::Stamp>>,
}

/// A running route server. Cheap to clone; [`RouteServerHandle::shutdown`] stops it.
#[derive(Clone, Debug)]
pub struct RouteServerHandle {
    pub(crate) jobs: mpsc::Sender<Job>,
    pub(crate) parts: Arc<Parts>,
}

impl RouteServerHandle {
    pub(crate) fn new(jobs: mpsc::Sender<Job>, parts: Arc<Parts>) -> Self {
        RouteServerHandle { jobs, parts }
    }

    pub(crate) async fn run<R: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Table) -> R + Send + 'static,
    ) -> Result<R, RuntimeError> {
        let (tx, rx) = oneshot::channel();
        let job: Job = Box::new(move |t| {
            let _ = tx.send(f(t));
        });
        self.jobs.send(job).await.map_err(|_| RuntimeError::Stopped)?;
        rx.await.map_err(|_| RuntimeError::Stopped)
    }

    async fn with_session<R: Send + 'static>(
        &self,
        name: &str,
        f: impl FnOnce(&mut Table, SessionId) -> R + Send + 'static,
    ) -> Result<R, RuntimeError> {
        let n = name.to_owned();
        self.run(move |t| t.find(&n).map(|id| f(t, id)))
            .await?
            .ok_or_else(|| RuntimeError::UnknownSession(name.to_owned()))
    }

    /// The listen addresses: (as configured, as bound — with the real port when 0 was given).
    pub fn listen_addrs(&self) -> Vec<(SocketAddr, SocketAddr)> {
        self.parts.bound.lock().map(|b| b.clone()).unwrap_or_default()
    }

    /// Every session.
    pub async fn sessions(&self) -> Result<Vec<SessionView>, RuntimeError> {
        self.run(|t| t.rs.session_ids().filter_map(|id| t.view(id)).collect::<Vec<_>>())
            .await
    }

    /// One session, by `client@address` or by client name when the client has one session.
    pub async fn session(&self, name: &str) -> Result<SessionView, RuntimeError> {
        let n = name.to_owned();
        self.with_session(name, |t, id| t.view(id))
            .await?
            .ok_or(RuntimeError::UnknownSession(n))
    }

    /// Everything the session's client sent and the route server holds, with verdicts.
    pub async fn rib_in(&self, name: &str) -> Result<Vec<RouteView>, RuntimeError> {
        self.with_session(name, |t, id| routes(t, t.rs.rib_in(id).unwrap_or_default()))
            .await
    }

    /// What the session's client should hold now.
    pub async fn adj_rib_out(&self, name: &str) -> Result<Vec<RouteView>, RuntimeError> {
        self.with_session(name, |t, id| routes(t, t.rs.adj_rib_out(id).unwrap_or_default()))
            .await
    }

    /// The session's rejected routes with their reasons.
    pub async fn rejected(&self, name: &str) -> Result<Vec<RouteView>, RuntimeError> {
        self.with_session(name, |t, id| routes(t, t.rs.rejected(id).unwrap_or_default()))
            .await
    }

    /// Every session's rejected routes.
    pub async fn rejected_all(&self) -> Result<Vec<RouteView>, RuntimeError> {
        self.run(|t| {
            let ids: Vec<SessionId> = t.rs.session_ids().collect();
            let all = ids
                .into_iter()
                .flat_map(|id| t.rs.rejected(id).unwrap_or_default())
                .collect();
            routes(t, all)
        })
        .await
    }

    /// One page of a listing: at most `limit` routes after `after` (from the start when
    /// `None`), built in the table task one page at a time, so an answer's memory is bounded
    /// by `limit`, not by the table.
    pub async fn routes_page(
        &self,
        query: RouteQuery,
        after: Option<Cursor>,
        limit: usize,
    ) -> Result<RoutePage, RuntimeError> {
        self.run(move |t| {
            let session = |name: &String| t.find(name).ok_or_else(|| RuntimeError::UnknownSession(name.clone()));
            let listing = match &query {
                RouteQuery::RibIn(n) => Listing::RibIn(session(n)?),
                RouteQuery::AdjRibOut(n) => Listing::AdjRibOut(session(n)?),
                RouteQuery::Rejected(n) => Listing::Rejected(session(n)?),
                RouteQuery::RejectedAll => Listing::RejectedAll,
            };
            let page =
                t.rs.page(listing, after, limit)
                    .map_err(|e| RuntimeError::BadRequest(e.to_string()))?;
            Ok(RoutePage {
                routes: routes(t, page.routes),
                next: page.next.map(|c| c.to_string()),
            })
        })
        .await?
    }

    /// Every session's verdict on `prefix` and where each accepted path goes.
    pub async fn explain(&self, prefix: IpNet) -> Result<Vec<VerdictView>, RuntimeError> {
        self.run(move |t| {
            t.rs.explain(prefix)
                .iter()
                .map(|v| VerdictView::new(v, |id| t.name(id)))
                .collect::<Vec<_>>()
        })
        .await
    }

    /// The registered customer ASNs, ascending.
    pub async fn registered_asns(&self) -> Result<Vec<u32>, RuntimeError> {
        self.run(|t| {
            let mut v = t.rs.registered_asns();
            v.sort_unstable();
            v
        })
        .await
    }

    /// Registers `asn`, applied live to stored routes (no session is reset); `false` when it
    /// was registered already.
    pub async fn register_asn(&self, asn: u32) -> Result<bool, RuntimeError> {
        if asn == 0 || is_bogon_asn(asn) {
            return Err(RuntimeError::BadRequest(format!(
                "{asn} is a reserved or private ASN; register public customer ASNs only"
            )));
        }
        self.run(move |t| t.rs.register_asn(asn)).await
    }

    /// Deregisters `asn`, applied live; `false` when it was not registered.
    pub async fn deregister_asn(&self, asn: u32) -> Result<bool, RuntimeError> {
        self.run(move |t| t.rs.deregister_asn(asn)).await
    }

    /// Table-wide figures.
    pub async fn stats(&self) -> Result<StatsView, RuntimeError> {
        self.run(|t| StatsView {
            sessions: t.slots.iter().filter(|s| !s.removed).count(),
            established: t
                .slots
                .iter()
                .filter(|s| !s.removed && s.state == State::Established)
                .count(),
            registered_asns: t.rs.registered_asns().len(),
            roas: t.roas,
            table: t.rs.stats(),
            memory: t.rs.memory(),
        })
        .await
    }

    /// Whether the route server still runs.
    pub fn is_running(&self) -> bool {
        !self.jobs.is_closed()
    }

    /// Stops: Cease 6/2 "route server shutting down" to every session, waits (at most
    /// `grace`) until every session is Idle, then ends all tasks and closes the listeners.
    pub async fn shutdown(&self, grace: Duration) {
        let _ = self.run(|t| t.stop_all(SHUTDOWN_MESSAGE)).await;
        let start = Instant::now();
        while start.elapsed() < grace {
            let idle = self.run(|t| t.slots.iter().all(|s| s.state == State::Idle)).await;
            if idle.unwrap_or(true) {
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let _ = self
            .run(|t| {
                for s in &t.slots {
                    let _ = s.commands.try_send(Command::Shutdown);
                }
            })
            .await;
        // The writers flush the NOTIFICATIONs on their own; give them a moment (bounded).
        tokio::time::sleep(Duration::from_millis(100)).await;
        if let Ok(mut l) = self.parts.listeners.lock() {
            l.clear();
        }
        if let Ok(mut tasks) = self.parts.tasks.lock() {
            for t in tasks.drain(..) {
                t.abort();
            }
        }
        if let Some(t) = self.parts.table_task.lock().ok().and_then(|mut t| t.take()) {
            t.abort();
        }
    }
}

fn routes(t: &Table, routes: Vec<crate::server::Route>) -> Vec<RouteView> {
    routes.iter().map(|r| RouteView::new(r, t.name(r.from))).collect()
}
