//! The engine: [`RouteServer`] holds the sessions, the attribute-set store and one shared
//! table per family. A session driver feeds it decoded UPDATEs ([`RouteServer::ingest`]) and
//! pulls the UPDATEs to send ([`RouteServer::poll_output`]); it does no I/O and keeps no
//! clock, so it can live in one table task fed through channels.
//!
//! - `ingest`: import chain and table updates, max-prefix.
//! - `output`: per-client best path, export filter, packing.
//! - `registry`: registered customer ASNs and policy re-evaluation.
//! - `query`: RIB views, rejected routes, `explain`, counters, memory.
//! - `page`: the route listings in pages with a cursor (bounded memory per answer).

mod ingest;
mod output;
mod page;
mod query;
mod registry;

pub use ingest::{IngestOutcome, MaxPrefixExceeded};
pub use page::{Cursor, Listing, Page};
pub use query::{MemoryUsage, Route, SessionVerdict, Stats};

use crate::attrs::{AttrId, AttrStore};
use crate::config::{ExportConfig, ImportConfig, RouteServerConfig};
use crate::hash::{FxHashMap, FxHashSet};
use crate::policy::{check_attributes, Sender};
use crate::prefix::RoutePrefix;
use crate::reason::RejectReason;
use crate::rpki::RoaTable;
use crate::session::{Counters, FamilyOut, Session, SessionConfig, SessionId, SessionState};
use crate::table::Table;
use bgp_core::{SessionContext, UpdateBuilder};
use ipnet::{Ipv4Net, Ipv6Net};
use std::fmt;
use std::net::{IpAddr, Ipv4Addr};

/// Why the engine refused a call.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EngineError {
    /// No session has this id.
    UnknownSession(SessionId),
    /// The session is not established.
    SessionNotUp(SessionId),
    /// More sessions than the table's 16-bit session ids can name.
    TooManySessions,
    /// Another session already uses this address.
    DuplicateAddress(IpAddr),
}

impl fmt::Display for EngineError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EngineError::UnknownSession(id) => write!(f, "no session with id {}", id.0),
            EngineError::SessionNotUp(id) => write!(f, "session {} is not established", id.0),
            EngineError::TooManySessions => f.write_str("at most 65,535 sessions"),
            EngineError::DuplicateAddress(a) => write!(f, "address {a} is already used by another session"),
        }
    }
}

impl std::error::Error for EngineError {}

/// Both families' tables.
#[derive(Debug, Default)]
pub(crate) struct Tables {
    pub v4: Table<Ipv4Net>,
    pub v6: Table<Ipv6Net>,
}

/// Picks a family's table out of [`Tables`].
pub(crate) trait FamilyTable: RoutePrefix {
    fn of(t: &Tables) -> &Table<Self>;
    fn of_mut(t: &mut Tables) -> &mut Table<Self>;
}

impl FamilyTable for Ipv4Net {
    fn of(t: &Tables) -> &Table<Self> {
        &t.v4
    }
    fn of_mut(t: &mut Tables) -> &mut Table<Self> {
        &mut t.v4
    }
}

impl FamilyTable for Ipv6Net {
    fn of(t: &Tables) -> &Table<Self> {
        &t.v6
    }
    fn of_mut(t: &mut Tables) -> &mut Table<Self> {
        &mut t.v6
    }
}

/// The route server engine (sans-IO). `Send`: move it into the task that owns the table.
#[derive(Debug)]
pub struct RouteServer {
    asn: u32,
    router_id: Ipv4Addr,
    import: ImportConfig,
    export: ExportConfig,
    registered: FxHashSet<u32>,
    roas: RoaTable,
    attrs: AttrStore,
    tables: Tables,
    sessions: Vec<Session>,
    clients: FxHashMap<String, u32>,
    /// ADD-PATH identifiers sent to clients: one per (sending session, received path id).
    path_ids: FxHashMap<(u16, u32), u32>,
    /// The last ADD-PATH identifier handed out.
    next_path_id: u32,
    /// Attribute sets to release after an ingest loop (reused buffer).
    attrs_pending: Vec<AttrId>,
    /// Sessions removed with [`RouteServer::remove_session`]: their ids are never reused.
    removed: FxHashSet<u16>,
}

impl RouteServer {
    /// An engine with the policy, switches and registered ASNs of `config` and no sessions
    /// (add them with [`RouteServer::add_session`], e.g. from [`RouteServerConfig::sessions`]).
    pub fn new(config: &RouteServerConfig) -> Self {
        RouteServer {
            asn: config.asn,
            router_id: config.router_id,
            import: config.import.clone(),
            export: config.export.clone(),
            registered: config.registered_asns.iter().copied().collect(),
            roas: RoaTable::default(),
            attrs: AttrStore::default(),
            tables: Tables::default(),
            sessions: Vec::new(),
            clients: FxHashMap::default(),
            path_ids: FxHashMap::default(),
            next_path_id: 0,
            attrs_pending: Vec::new(),
            removed: FxHashSet::default(),
        }
    }

    /// The route server's ASN.
    pub fn asn(&self) -> u32 {
        self.asn
    }

    /// The route server's BGP identifier.
    pub fn router_id(&self) -> Ipv4Addr {
        self.router_id
    }

    /// Adds a session (down until [`RouteServer::session_up`]).
    pub fn add_session(&mut self, config: SessionConfig) -> Result<SessionId, EngineError> {
        if self.sessions.len() >= u16::MAX as usize {
            return Err(EngineError::TooManySessions);
        }
        let removed = &self.removed;
        if self
            .sessions
            .iter()
            .enumerate()
            .any(|(i, s)| s.config.address == config.address && !removed.contains(&(i as u16)))
        {
            return Err(EngineError::DuplicateAddress(config.address));
        }
        let next = self.clients.len() as u32;
        let client = *self.clients.entry(config.name.clone()).or_insert(next);
        let id = SessionId(self.sessions.len() as u16);
        self.sessions.push(Session {
            config,
            client,
            state: SessionState::Down,
            ctx: SessionContext::default(),
            router_id: None,
            builder: None,
            out: [FamilyOut::default(), FamilyOut::default()],
            counters: Counters::default(),
        });
        Ok(id)
    }

    fn session(&self, id: SessionId) -> Result<&Session, EngineError> {
        if self.removed.contains(&id.0) {
            return Err(EngineError::UnknownSession(id));
        }
        self.sessions.get(id.0 as usize).ok_or(EngineError::UnknownSession(id))
    }

    /// Removes a session for good (its client was de-configured): its routes are withdrawn
    /// from every client, and from then on the engine treats its id as unknown. Its address
    /// may be given to a new session.
    pub fn remove_session(&mut self, id: SessionId) -> Result<(), EngineError> {
        self.session(id)?;
        self.take_down(id, SessionState::Down);
        self.removed.insert(id.0);
        tracing::debug!(session = id.0, "session removed");
        Ok(())
    }

    /// The session came up with the negotiated encode context `ctx` (4-octet AS, ADD-PATH,
    /// extended message as sent to this client). A session that was up is first taken down,
    /// so nothing from its previous life stays. Its whole view becomes pending output.
    pub fn session_up(&mut self, id: SessionId, ctx: SessionContext) -> Result<(), EngineError> {
        if self.session(id)?.state == SessionState::Up {
            self.take_down(id, SessionState::Down);
        }
        let counts = [self.tables.v4.prefix_count(), self.tables.v6.prefix_count()];
        let s = &mut self.sessions[id.0 as usize];
        s.state = SessionState::Up;
        s.ctx = ctx;
        s.builder = Some(UpdateBuilder::new(ctx));
        s.counters.ups += 1;
        let carries = [s.carries(0), s.carries(1)];
        for (i, fo) in s.out.iter_mut().enumerate() {
            fo.reset();
            if carries[i] {
                fo.dirty.set_first(counts[i]);
                fo.end_of_rib_pending = true;
            }
        }
        tracing::debug!(session = id.0, name = %s.config.name, "session up");
        Ok(())
    }

    /// Records the peer's BGP identifier, the best-path tie-breaker before the address.
    pub fn set_router_id(&mut self, id: SessionId, router_id: Ipv4Addr) -> Result<(), EngineError> {
        self.session(id)?;
        self.sessions[id.0 as usize].router_id = Some(router_id);
        Ok(())
    }

    /// The session went down: all its routes are withdrawn from every client.
    pub fn session_down(&mut self, id: SessionId) -> Result<(), EngineError> {
        self.session(id)?;
        self.take_down(id, SessionState::Down);
        Ok(())
    }

    /// The client asked for a route refresh (RFC 2918): its whole view is sent again.
    pub fn route_refresh(&mut self, id: SessionId) -> Result<(), EngineError> {
        if self.session(id)?.state != SessionState::Up {
            return Err(EngineError::SessionNotUp(id));
        }
        let counts = [self.tables.v4.prefix_count(), self.tables.v6.prefix_count()];
        let s = &mut self.sessions[id.0 as usize];
        let carries = [s.carries(0), s.carries(1)];
        for (i, fo) in s.out.iter_mut().enumerate() {
            if carries[i] {
                fo.dirty.set_first(counts[i]);
            }
        }
        Ok(())
    }

    pub(crate) fn take_down(&mut self, id: SessionId, state: SessionState) {
        let sid = id.0;
        let Some(s) = self.sessions.get_mut(sid as usize) else {
            return;
        };
        let was_up = s.state == SessionState::Up;
        s.state = state;
        s.builder = None;
        for fo in &mut s.out {
            fo.reset();
        }
        if was_up {
            s.counters.downs += 1;
        }
        let attrs = &mut self.attrs;
        let t = &mut self.tables;
        remove_session_routes(&mut t.v4, attrs, sid);
        remove_session_routes(&mut t.v6, attrs, sid);
        self.path_ids.retain(|(s, _), _| *s != sid);
        tracing::debug!(session = sid, ?state, "session down; its routes are withdrawn");
    }
}

fn remove_session_routes<P: RoutePrefix>(table: &mut Table<P>, attrs: &mut AttrStore, sid: u16) {
    let mut changed = Vec::new();
    table.remove_session(sid, |idx, c| {
        attrs.release(c.attr);
        if c.accepted() {
            changed.push(idx);
        }
    });
    for idx in changed {
        table.mark(idx);
    }
}

/// The attribute-only import verdict of `attr` for session `sid`, computed once and cached
/// in the attribute set.
pub(crate) fn attr_verdict(
    attrs: &mut AttrStore,
    sessions: &[Session],
    import: &ImportConfig,
    registered: &FxHashSet<u32>,
    sid: u16,
    attr: AttrId,
) -> Option<RejectReason> {
    let set = attrs.get_mut(attr)?;
    if let Some(v) = set.verdict(sid) {
        return v;
    }
    let s = &sessions[sid as usize];
    let same_as: Vec<IpAddr> = if import.allow_same_as_next_hop {
        sessions
            .iter()
            .filter(|o| o.config.asn == s.config.asn && o.config.address != s.config.address)
            .map(|o| o.config.address)
            .collect()
    } else {
        Vec::new()
    };
    let sender = Sender {
        asn: s.config.asn,
        address: s.config.address,
        same_as_addresses: &same_as,
    };
    let v = check_attributes(set, &sender, import, registered);
    set.set_verdict(sid, v);
    v
}
