//! Ingest: one UPDATE from a client's session through the import verdict
//! ([`crate::policy::verdict`]) into the table. The attribute set is interned once per
//! UPDATE and its attribute-only checks run once per set and session; per prefix there is
//! only the prefix steps, the table insert and, when switched on, the RPKI lookup. No
//! allocation per prefix.

use super::{EngineError, FamilyTable, RouteServer};
use crate::arena::Candidate;
use crate::attrs::AttrId;
use crate::session::{SessionId, SessionState};
use bgp_core::fsm::Cease;
use bgp_core::nlri::Nlri;
use bgp_core::{Family, Notification, UpdateView};
use ipnet::{Ipv4Net, Ipv6Net};
use serde::Serialize;
use std::time::Duration;

/// The session exceeded its max-prefix limit: the driver sends `cease` (Cease 6/1 with AFI,
/// SAFI and the limit, RFC 4486 §4, built by [`Cease::max_prefixes`]), closes the session,
/// and restarts it after `restart_after` if set. The engine has already withdrawn the
/// session's routes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MaxPrefixExceeded {
    /// The family whose limit was exceeded.
    pub family: Family,
    /// The limit.
    pub limit: u32,
    /// The Cease to send.
    pub cease: Cease,
    /// When to restart the session, or `None` to keep it down.
    pub restart_after: Option<Duration>,
}

impl MaxPrefixExceeded {
    fn new(family: Family, limit: u32, restart_after: Option<Duration>) -> Self {
        MaxPrefixExceeded {
            family,
            limit,
            cease: Cease::max_prefixes(family, limit),
            restart_after,
        }
    }

    /// The NOTIFICATION the Cease sends.
    pub fn notification(&self) -> Notification {
        self.cease.notification()
    }
}

/// What one UPDATE did.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct IngestOutcome {
    /// Announced NLRI accepted by the import chain.
    pub accepted: u32,
    /// Announced NLRI rejected (kept with their reason).
    pub rejected: u32,
    /// NLRI withdrawn (including those treated as withdrawn under RFC 7606).
    pub withdrawn: u32,
    /// NLRI of a family the session does not carry, ignored.
    pub ignored: u32,
    /// Set when the max-prefix limit was exceeded; the session is down.
    #[serde(skip)]
    pub max_prefix: Option<MaxPrefixExceeded>,
}

impl RouteServer {
    /// Feeds one validated UPDATE received on session `id`.
    pub fn ingest(&mut self, id: SessionId, view: &UpdateView) -> Result<IngestOutcome, EngineError> {
        let s = self.session(id)?;
        if s.state != SessionState::Up {
            return Err(EngineError::SessionNotUp(id));
        }
        let mut out = IngestOutcome::default();
        self.sessions[id.0 as usize].counters.updates_in += 1;
        let tw = view.treat_as_withdraw();
        if let Some(e) = view.error() {
            tracing::debug!(session = id.0, error = %e.notification, action = ?e.action, "UPDATE with RFC 7606 error");
        }
        self.withdraw::<Ipv4Net>(id, view.withdrawn_ipv4(), &mut out);
        if let Some(mu) = view.mp_unreach() {
            self.withdraw::<Ipv4Net>(id, mu.ipv4(), &mut out);
            self.withdraw::<Ipv6Net>(id, mu.ipv6(), &mut out);
        }
        if !view.nlri_bytes().is_empty() {
            if tw {
                self.withdraw::<Ipv4Net>(id, view.announced_ipv4(), &mut out);
            } else {
                let attr = self.attrs.intern(view, Family::IPV4_UNICAST, None, self.asn);
                self.announce::<Ipv4Net>(id, attr, view.announced_ipv4(), &mut out);
                self.attrs.release_if_unused(attr);
            }
        }
        if out.max_prefix.is_none() {
            if let Some(mr) = view.mp_reach() {
                if tw {
                    self.withdraw::<Ipv4Net>(id, mr.ipv4(), &mut out);
                    self.withdraw::<Ipv6Net>(id, mr.ipv6(), &mut out);
                } else if mr.family == Family::IPV4_UNICAST || mr.family == Family::IPV6_UNICAST {
                    let attr = self.attrs.intern(view, mr.family, Some(mr.next_hop), self.asn);
                    if mr.family == Family::IPV4_UNICAST {
                        self.announce::<Ipv4Net>(id, attr, mr.ipv4(), &mut out);
                    } else {
                        self.announce::<Ipv6Net>(id, attr, mr.ipv6(), &mut out);
                    }
                    self.attrs.release_if_unused(attr);
                }
            }
        }
        if let Some(mp) = &out.max_prefix {
            tracing::info!(session = id.0, family = %mp.family, limit = mp.limit, "max-prefix exceeded; session taken down");
            self.take_down(id, SessionState::MaxPrefixDown);
        }
        self.trim_sessions();
        Ok(out)
    }

    fn withdraw<P: FamilyTable>(
        &mut self,
        id: SessionId,
        prefixes: impl Iterator<Item = Nlri<P>>,
        out: &mut IngestOutcome,
    ) {
        let sid = id.0;
        let session = &mut self.sessions[sid as usize];
        let carries = session.carries(P::INDEX);
        let table = P::of_mut(&mut self.tables);
        let fo = &mut session.out[P::INDEX];
        let mut withdrawn = 0u32;
        for n in prefixes {
            if !carries {
                out.ignored += 1;
                continue;
            }
            withdrawn += 1;
            let Some(idx) = table.lookup(&n.prefix.normalized()) else {
                continue;
            };
            if let Some(old) = table.remove(idx, sid, n.path_id.unwrap_or(0)) {
                fo.received = fo.received.saturating_sub(1);
                self.attrs.release(old.attr);
                if old.accepted() {
                    table.mark(idx);
                }
            }
        }
        out.withdrawn += withdrawn;
        session.counters.withdrawals_in += withdrawn as u64;
    }

    fn announce<P: FamilyTable>(
        &mut self,
        id: SessionId,
        attr: AttrId,
        prefixes: impl Iterator<Item = Nlri<P>>,
        out: &mut IngestOutcome,
    ) {
        let sid = id.0;
        if !self.sessions[sid as usize].carries(P::INDEX) {
            out.ignored += prefixes.count() as u32;
            return;
        }
        let rs = &mut *self;
        let Some(chain) = rs.policy.chain(&mut rs.attrs, &rs.sessions, sid, attr) else {
            return;
        };
        let session = &mut rs.sessions[sid as usize];
        let limit = session.config.max_prefixes(P::FAMILY);
        let fo = &mut session.out[P::INDEX];
        let table = P::of_mut(&mut rs.tables);
        let (mut accepted, mut rejected) = (0u32, 0u32);
        let mut refs = 0u32;
        for n in prefixes {
            let prefix = n.prefix.normalized();
            let c = Candidate {
                session: sid,
                reason: chain.verdict(prefix).map_or(0, |r| r.code()),
                spare: 0,
                path_id: n.path_id.unwrap_or(0),
                attr,
            };
            let idx = table.intern(prefix);
            refs += 1;
            let old = table.upsert(idx, c);
            if c.accepted() {
                accepted += 1;
            } else {
                rejected += 1;
            }
            match old {
                Some(o) => {
                    if o.accepted() || c.accepted() {
                        table.mark(idx);
                    }
                    if o.attr != attr {
                        rs.attrs_pending.push(o.attr);
                    } else {
                        refs -= 1;
                    }
                }
                None => {
                    if c.accepted() {
                        table.mark(idx);
                    }
                    fo.received += 1;
                    if let Some(l) = limit.filter(|l| fo.received > *l) {
                        out.max_prefix = Some(MaxPrefixExceeded::new(P::FAMILY, l, session.config.restart_after));
                        break;
                    }
                }
            }
        }
        session.counters.routes_in += (accepted + rejected) as u64;
        session.counters.accepted += accepted as u64;
        session.counters.rejected += rejected as u64;
        out.accepted += accepted;
        out.rejected += rejected;
        rs.attrs.acquire_n(attr, refs);
        for old in rs.attrs_pending.drain(..) {
            rs.attrs.release(old);
        }
    }
}
