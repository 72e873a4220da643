//! Read-only views for the driver, the lab's HTTP API and tests: Adj-RIB-In with verdicts,
//! rejected routes ("why was my route rejected?"), `explain` for one prefix, the computed
//! Adj-RIB-Out of a client, counters and memory.

use super::{EngineError, FamilyTable, RouteServer};
use crate::arena::Candidate;
use crate::reason::RejectReason;
use crate::session::{Counters, SessionConfig, SessionId, SessionState};
use bgp_core::attr::PathAttribute;
use ipnet::{IpNet, Ipv4Net, Ipv6Net};
use serde::Serialize;

/// One stored route.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Route {
    /// The prefix.
    pub prefix: IpNet,
    /// Path identifier (as received for RIB-In; as sent for Adj-RIB-Out; 0 without ADD-PATH).
    pub path_id: u32,
    /// The session that sent it.
    pub from: SessionId,
    /// `None` when accepted, else why it was rejected.
    pub reason: Option<RejectReason>,
    /// The attributes: as received (RIB-In, rejected) or as sent (Adj-RIB-Out).
    #[serde(skip)]
    pub attributes: Vec<PathAttribute>,
}

/// One session's verdict on one prefix, for [`RouteServer::explain`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SessionVerdict {
    /// The sending session.
    pub session: SessionId,
    /// Its client's name.
    pub client: String,
    /// The path identifier received.
    pub path_id: u32,
    /// `None`: accepted; otherwise the reason.
    pub reason: Option<RejectReason>,
    /// The reason's sentence, or "accepted".
    pub explanation: &'static str,
    /// The established sessions this path is sent to (as their best path, or as one of the
    /// paths under ADD-PATH).
    pub sent_to: Vec<SessionId>,
}

/// Table-wide figures.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Stats {
    /// IPv4 prefixes held: with a stored path (accepted or rejected), or still announced to
    /// a client that has not been sent the withdrawal yet. A prefix nothing holds is forgotten.
    pub ipv4_prefixes: u32,
    /// IPv6 prefixes held, counted as `ipv4_prefixes`.
    pub ipv6_prefixes: u32,
    /// Stored paths (accepted and rejected).
    pub paths: u64,
    /// Accepted paths.
    pub accepted_paths: u64,
    /// Live interned attribute sets.
    pub attribute_sets: usize,
}

/// Heap memory of the engine's structures, from their capacities.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct MemoryUsage {
    /// Prefix interners, candidate arenas and changed sets of both tables.
    pub tables: usize,
    /// Per-session dirty and announced bitmaps and ADD-PATH maps.
    pub sessions: usize,
}

fn reason_of(c: &Candidate) -> Option<RejectReason> {
    RejectReason::from_code(c.reason)
}

impl RouteServer {
    /// The session's configuration.
    pub fn session_config(&self, id: SessionId) -> Result<&SessionConfig, EngineError> {
        Ok(&self.session(id)?.config)
    }

    /// The session's state.
    pub fn session_state(&self, id: SessionId) -> Result<SessionState, EngineError> {
        Ok(self.session(id)?.state)
    }

    /// The session's counters.
    pub fn counters(&self, id: SessionId) -> Result<Counters, EngineError> {
        Ok(self.session(id)?.counters)
    }

    /// All session ids, in the order added (removed sessions left out).
    pub fn session_ids(&self) -> impl Iterator<Item = SessionId> + '_ {
        (0..self.sessions.len())
            .map(|i| SessionId(i as u16))
            .filter(|id| !self.removed.contains(&id.0))
    }

    fn routes_of<P: FamilyTable>(&self, id: SessionId, want: impl Fn(&Candidate) -> bool, out: &mut Vec<Route>) {
        let t = P::of(&self.tables);
        for idx in 0..t.index_bound() {
            for c in t.candidates(idx).iter().filter(|c| c.session == id.0 && want(c)) {
                let (Some(p), Some(set)) = (t.prefix(idx), self.attrs.get(c.attr)) else {
                    continue;
                };
                out.push(Route {
                    prefix: p.to_ipnet(),
                    path_id: c.path_id,
                    from: id,
                    reason: reason_of(c),
                    attributes: set.received(),
                });
            }
        }
    }

    /// Everything received on the session and still held, accepted or not.
    pub fn rib_in(&self, id: SessionId) -> Result<Vec<Route>, EngineError> {
        self.session(id)?;
        let mut out = Vec::new();
        self.routes_of::<Ipv4Net>(id, |_| true, &mut out);
        self.routes_of::<Ipv6Net>(id, |_| true, &mut out);
        Ok(out)
    }

    /// The session's rejected routes, each with its reason and attributes.
    pub fn rejected(&self, id: SessionId) -> Result<Vec<Route>, EngineError> {
        self.session(id)?;
        let mut out = Vec::new();
        self.routes_of::<Ipv4Net>(id, |c| !c.accepted(), &mut out);
        self.routes_of::<Ipv6Net>(id, |c| !c.accepted(), &mut out);
        Ok(out)
    }

    /// What the client of session `id` should hold now (computed, not the record of what was
    /// sent): per prefix the best path for it, or every allowed path under ADD-PATH.
    pub fn adj_rib_out(&self, id: SessionId) -> Result<Vec<Route>, EngineError> {
        let s = self.session(id)?;
        let mut out = Vec::new();
        if s.state != SessionState::Up {
            return Ok(out);
        }
        if s.carries(0) {
            self.rib_out_of::<Ipv4Net>(id, &mut out);
        }
        if s.carries(1) {
            self.rib_out_of::<Ipv6Net>(id, &mut out);
        }
        Ok(out)
    }

    fn rib_out_of<P: FamilyTable>(&self, id: SessionId, out: &mut Vec<Route>) {
        let t = P::of(&self.tables);
        let sel = self.selector();
        let target = &self.sessions[id.0 as usize];
        let add_path = target.add_path_out(P::FAMILY);
        for idx in 0..t.index_bound() {
            let Some(p) = t.prefix(idx) else { continue };
            let cands = t.candidates(idx);
            let mut push = |c: &Candidate, path_id: u32| {
                if let Some(set) = self.attrs.get(c.attr) {
                    out.push(Route {
                        prefix: p.to_ipnet(),
                        path_id,
                        from: SessionId(c.session),
                        reason: None,
                        attributes: set.exported(),
                    });
                }
            };
            if add_path {
                for c in cands.iter().filter(|c| sel.filter.allows(c, target)) {
                    push(c, self.path_ids.get(&(c.session, c.path_id)).copied().unwrap_or(0));
                }
            } else if let Some(b) = sel.best(cands, target) {
                push(&b, 0);
            }
        }
    }

    /// Every session's verdict on `prefix`, and where each accepted path goes.
    pub fn explain(&self, prefix: IpNet) -> Vec<SessionVerdict> {
        match prefix.trunc() {
            IpNet::V4(p) => self.explain_in::<Ipv4Net>(p),
            IpNet::V6(p) => self.explain_in::<Ipv6Net>(p),
        }
    }

    fn explain_in<P: FamilyTable>(&self, prefix: P) -> Vec<SessionVerdict> {
        let t = P::of(&self.tables);
        let Some(idx) = t.lookup(&prefix) else {
            return Vec::new();
        };
        let sel = self.selector();
        let cands = t.candidates(idx);
        let mut out: Vec<SessionVerdict> = cands
            .iter()
            .map(|c| {
                let reason = reason_of(c);
                let sent_to = self
                    .sessions
                    .iter()
                    .enumerate()
                    .filter(|(_, s)| s.state == SessionState::Up && s.carries(P::INDEX))
                    .filter(|(_, s)| {
                        if s.add_path_out(P::FAMILY) {
                            sel.filter.allows(c, s)
                        } else {
                            sel.best(cands, s)
                                .is_some_and(|b| b.session == c.session && b.path_id == c.path_id)
                        }
                    })
                    .map(|(i, _)| SessionId(i as u16))
                    .collect();
                SessionVerdict {
                    session: SessionId(c.session),
                    client: self.sessions[c.session as usize].config.name.clone(),
                    path_id: c.path_id,
                    reason,
                    explanation: reason.map_or("accepted", RejectReason::sentence),
                    sent_to,
                }
            })
            .collect();
        out.sort_by_key(|v| (v.session, v.path_id));
        out
    }

    /// Table-wide figures.
    pub fn stats(&self) -> Stats {
        let mut st = Stats {
            ipv4_prefixes: self.tables.v4.len(),
            ipv6_prefixes: self.tables.v6.len(),
            attribute_sets: self.attrs.len(),
            ..Stats::default()
        };
        let mut count = |cands: &[Candidate]| {
            st.paths += cands.len() as u64;
            st.accepted_paths += cands.iter().filter(|c| c.accepted()).count() as u64;
        };
        for i in 0..self.tables.v4.index_bound() {
            count(self.tables.v4.candidates(i));
        }
        for i in 0..self.tables.v6.index_bound() {
            count(self.tables.v6.candidates(i));
        }
        st
    }

    /// Heap memory of the tables and the per-session output state, from capacities
    /// (attribute sets are not included: they are shared and counted per distinct set).
    pub fn memory(&self) -> MemoryUsage {
        let sessions = self
            .sessions
            .iter()
            .flat_map(|s| s.out.iter())
            .map(|fo| {
                fo.dirty.heap_bytes()
                    + fo.announced.heap_bytes()
                    + fo.paths.capacity() * (std::mem::size_of::<(u32, Vec<u32>)>() + 1)
                    + fo.paths.values().map(|v| v.capacity() * 4).sum::<usize>()
            })
            .sum();
        MemoryUsage {
            tables: self.tables.v4.heap_bytes() + self.tables.v6.heap_bytes(),
            sessions,
        }
    }
}
