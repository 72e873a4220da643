//! Session lifecycle: adding and removing sessions, bringing them up (their whole view
//! becomes pending output) and down (their routes are withdrawn from every client), route
//! refresh.

use super::{EngineError, RouteServer};
use crate::attrs::AttrStore;
use crate::prefix::RoutePrefix;
use crate::prefix_table::PrefixTable;
use crate::session::{Counters, FamilyOut, Session, SessionConfig, SessionId, SessionState};
use bgp_core::{SessionContext, UpdateBuilder};
use std::net::Ipv4Addr;

impl RouteServer {
    /// Adds a session (down until [`RouteServer::session_up`]).
    pub fn add_session(&mut self, config: SessionConfig) -> Result<SessionId, EngineError> {
        if self.sessions.len() >= crate::config::MAX_SESSIONS {
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
        let counts = [self.tables.v4.index_bound(), self.tables.v6.index_bound()];
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
        let counts = [self.tables.v4.index_bound(), self.tables.v6.index_bound()];
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
        let [v4, v6] = &mut s.out;
        forget_sent(v4, &mut self.tables.v4);
        forget_sent(v6, &mut self.tables.v6);
        if was_up {
            s.counters.downs += 1;
        }
        let attrs = &mut self.attrs;
        let t = &mut self.tables;
        remove_session_routes(&mut t.v4, attrs, sid);
        remove_session_routes(&mut t.v6, attrs, sid);
        self.path_ids.retain(|(s, _), _| *s != sid);
        self.trim_sessions();
        tracing::debug!(session = sid, ?state, "session down; its routes are withdrawn");
    }

    /// After a table's index range shrank (prefixes forgotten at its end), shrinks every
    /// session's per-prefix state of that family to the new range.
    pub(crate) fn trim_sessions(&mut self) {
        let shrunk = [self.tables.v4.take_shrunk(), self.tables.v6.take_shrunk()];
        let bounds = [self.tables.v4.index_bound(), self.tables.v6.index_bound()];
        for i in (0..2).filter(|&i| shrunk[i]) {
            for fo in self.sessions.iter_mut().map(|s| &mut s.out[i]) {
                fo.dirty.truncate(bounds[i]);
                fo.announced.truncate(bounds[i]);
                if fo.paths.len() * 4 <= fo.paths.capacity() {
                    fo.paths.shrink_to(fo.paths.len() * 2);
                }
            }
        }
    }
}

/// Forgets what a session was sent in one family (its announced set and ADD-PATH map) and
/// its pending work, telling the table which prefixes the session no longer holds.
fn forget_sent<P: RoutePrefix>(fo: &mut FamilyOut, table: &mut PrefixTable<P>) {
    fo.announced.ones().for_each(|idx| table.withdrawn_from(idx));
    fo.paths.keys().for_each(|&idx| table.withdrawn_from(idx));
    fo.reset();
}

fn remove_session_routes<P: RoutePrefix>(table: &mut PrefixTable<P>, attrs: &mut AttrStore, sid: u16) {
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
