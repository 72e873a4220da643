//! The engine: [`RouteServer`] holds the sessions, the attribute-set store and one shared
//! table per family. A session driver feeds it decoded UPDATEs ([`RouteServer::ingest`]) and
//! pulls the UPDATEs to send ([`RouteServer::poll_output`]); it does no I/O and keeps no
//! clock, so it can live in one table task fed through channels.
//!
//! - `sessions`: adding, removing, bringing up and down sessions; route refresh.
//! - `ingest`: UPDATEs through the import verdict into the table; max-prefix.
//! - `output`: per-client best path through the export filter, packing.
//! - `registry`: registered customer ASNs, ROAs and re-evaluation through the import verdict.
//! - `query`: RIB views, rejected routes, `explain`, counters, memory.
//! - `page`: the route listings in pages with a cursor (bounded memory per answer).

mod ingest;
mod output;
mod page;
mod query;
mod registry;
mod sessions;

pub use ingest::{IngestOutcome, MaxPrefixExceeded};
pub use page::{Cursor, Listing, Page};
pub use query::{MemoryUsage, Route, SessionVerdict, Stats};

use crate::attrs::{AttrId, AttrStore};
use crate::best::Selector;
use crate::config::{ExportConfig, RouteServerConfig};
use crate::export::Pack;
use crate::hash::{FxHashMap, FxHashSet};
use crate::policy::ImportPolicy;
use crate::prefix_table::PrefixTable;
use crate::rpki::RoaTable;
use crate::session::{Session, SessionId};
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
    pub v4: PrefixTable<Ipv4Net>,
    pub v6: PrefixTable<Ipv6Net>,
}

/// Picks a family's table out of [`Tables`].
pub(crate) trait FamilyTable: Pack {
    fn of(t: &Tables) -> &PrefixTable<Self>;
    fn of_mut(t: &mut Tables) -> &mut PrefixTable<Self>;
}

impl FamilyTable for Ipv4Net {
    fn of(t: &Tables) -> &PrefixTable<Self> {
        &t.v4
    }
    fn of_mut(t: &mut Tables) -> &mut PrefixTable<Self> {
        &mut t.v4
    }
}

impl FamilyTable for Ipv6Net {
    fn of(t: &Tables) -> &PrefixTable<Self> {
        &t.v6
    }
    fn of_mut(t: &mut Tables) -> &mut PrefixTable<Self> {
        &mut t.v6
    }
}

/// The route server engine (sans-IO). `Send`: move it into the task that owns the table.
#[derive(Debug)]
pub struct RouteServer {
    asn: u32,
    router_id: Ipv4Addr,
    policy: ImportPolicy,
    export: ExportConfig,
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
            policy: ImportPolicy {
                config: config.import.clone(),
                registered: config.registered_asns.iter().copied().collect(),
                roas: RoaTable::default(),
            },
            export: config.export.clone(),
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

    fn session(&self, id: SessionId) -> Result<&Session, EngineError> {
        if self.removed.contains(&id.0) {
            return Err(EngineError::UnknownSession(id));
        }
        self.sessions.get(id.0 as usize).ok_or(EngineError::UnknownSession(id))
    }

    /// Best-path selection behind the export filter, over the current sets and sessions.
    fn selector(&self) -> Selector<'_> {
        Selector::new(&self.attrs, &self.sessions, self.export.always_compare_med)
    }
}
