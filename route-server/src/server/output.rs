//! Output: for one client, every dirty prefix's best path (or, with ADD-PATH, every allowed
//! path) computed for that client, grouped by attribute set and packed by the
//! [`bgp_core::UpdateBuilder`] into as few UPDATEs as fit. Only the last state of a prefix
//! is sent, however often it changed while the client was busy; withdrawals are sent only
//! for what was announced.

use super::{EngineError, FamilyTable, RouteServer};
use crate::attrs::for_two_octet_client;
use crate::best::Selector;
use crate::session::{SessionId, SessionState};
use bgp_core::nlri::Nlri;
use bgp_core::{Message, Update};
use bytes::Bytes;
use ipnet::{Ipv4Net, Ipv6Net};

/// Prefixes handled between two checks of the output budget.
const CHUNK: usize = 2048;

impl RouteServer {
    /// Merges the tables' changed sets into every established session's dirty sets.
    fn flush_changes(&mut self) {
        let sessions = &mut self.sessions;
        self.tables.v4.flush(|changed| {
            for s in sessions
                .iter_mut()
                .filter(|s| s.state == SessionState::Up && s.carries(0))
            {
                s.out[0].dirty.or_with(changed);
            }
        });
        self.tables.v6.flush(|changed| {
            for s in sessions
                .iter_mut()
                .filter(|s| s.state == SessionState::Up && s.carries(1))
            {
                s.out[1].dirty.or_with(changed);
            }
        });
    }

    /// Whether session `id` has work pending: dirty prefixes or an End-of-RIB. The work may
    /// turn out to produce no message (e.g. a prefix announced and withdrawn meanwhile).
    pub fn has_output(&mut self, id: SessionId) -> bool {
        self.flush_changes();
        self.sessions
            .get(id.0 as usize)
            .is_some_and(|s| s.out.iter().any(|fo| !fo.dirty.is_empty() || fo.end_of_rib_pending))
    }

    /// The UPDATE messages to send to session `id` now, about `max_bytes` octets of them at
    /// most (at least one chunk of prefixes is always processed); call again while
    /// [`RouteServer::has_output`] says so. After the first full view of a family, its
    /// End-of-RIB marker (RFC 4724) follows.
    pub fn poll_output(&mut self, id: SessionId, max_bytes: usize) -> Result<Vec<Bytes>, EngineError> {
        if self.session(id)?.state != SessionState::Up {
            return Err(EngineError::SessionNotUp(id));
        }
        self.flush_changes();
        let mut out = Vec::new();
        let mut bytes = 0usize;
        if self.sessions[id.0 as usize].carries(0) {
            self.output_family::<Ipv4Net>(id, max_bytes, &mut out, &mut bytes);
        }
        if bytes < max_bytes && self.sessions[id.0 as usize].carries(1) {
            self.output_family::<Ipv6Net>(id, max_bytes, &mut out, &mut bytes);
        }
        let s = &mut self.sessions[id.0 as usize];
        s.counters.updates_out += out.len() as u64;
        s.counters.bytes_out += bytes as u64;
        Ok(out)
    }

    fn output_family<P: FamilyTable>(
        &mut self,
        id: SessionId,
        max_bytes: usize,
        out: &mut Vec<Bytes>,
        bytes: &mut usize,
    ) {
        let sid = id.0 as usize;
        let mut fo = std::mem::take(&mut self.sessions[sid].out[P::INDEX]);
        let Some(mut builder) = self.sessions[sid].builder.take() else {
            self.sessions[sid].out[P::INDEX] = fo;
            return;
        };
        let ctx = *builder.context();
        let add_path = self.sessions[sid].add_path_out(P::FAMILY);
        let table = P::of(&self.tables);
        let sel = Selector {
            attrs: &self.attrs,
            sessions: &self.sessions,
            always_compare_med: self.export.always_compare_med,
        };
        let target = &self.sessions[sid];
        let mut announce: Vec<(u32, u32, u32)> = Vec::new();
        let mut withdraw: Vec<(u32, u32)> = Vec::new();
        let mut ids: Vec<u32> = Vec::new();
        let (mut n_announced, mut n_withdrawn) = (0u64, 0u64);
        let mut cursor = 0;
        loop {
            announce.clear();
            withdraw.clear();
            let mut n = 0;
            while n < CHUNK {
                let Some(idx) = fo.dirty.next_set(cursor) else { break };
                cursor = idx + 1;
                fo.dirty.clear(idx);
                n += 1;
                let cands = table.candidates(idx);
                if !add_path {
                    match sel.best(cands, target) {
                        Some(b) => {
                            announce.push((b.attr, idx, 0));
                            fo.announced.set(idx);
                        }
                        None if fo.announced.get(idx) => {
                            withdraw.push((idx, 0));
                            fo.announced.clear(idx);
                        }
                        None => {}
                    }
                    continue;
                }
                ids.clear();
                for c in cands.iter().filter(|c| sel.allowed(c, target)) {
                    let next = &mut self.next_path_id;
                    let pid = *self.path_ids.entry((c.session, c.path_id)).or_insert_with(|| {
                        *next += 1;
                        *next
                    });
                    ids.push(pid);
                    announce.push((c.attr, idx, pid));
                }
                let old = fo.paths.remove(&idx).unwrap_or_default();
                for pid in old.iter().filter(|p| !ids.contains(p)) {
                    withdraw.push((idx, *pid));
                }
                if !ids.is_empty() {
                    fo.paths.insert(idx, ids.clone());
                }
            }
            if n == 0 {
                break;
            }
            let before = out.len();
            if !withdraw.is_empty() {
                n_withdrawn += withdraw.len() as u64;
                let it = withdraw.iter().filter_map(|&(idx, pid)| {
                    Some(Nlri {
                        path_id: add_path.then_some(pid),
                        prefix: table.prefix(idx)?,
                    })
                });
                P::withdraw(&mut builder, it, out);
            }
            announce.sort_unstable();
            n_announced += announce.len() as u64;
            for group in announce.chunk_by(|a, b| a.0 == b.0) {
                let Some(set) = self.attrs.get(group[0].0) else {
                    continue;
                };
                let converted = if ctx.four_octet_as {
                    None
                } else {
                    for_two_octet_client(&set.export)
                };
                let attrs = converted.as_deref().unwrap_or(&set.export);
                let it = group.iter().filter_map(|&(_, idx, pid)| {
                    Some(Nlri {
                        path_id: add_path.then_some(pid),
                        prefix: table.prefix(idx)?,
                    })
                });
                if let Err(e) = P::announce(&mut builder, attrs, &set.mp_next_hop, it, out) {
                    tracing::warn!(session = sid, error = %e, "attribute set too large to send; prefixes skipped");
                }
            }
            *bytes += out[before..].iter().map(Bytes::len).sum::<usize>();
            if *bytes >= max_bytes {
                break;
            }
        }
        if fo.end_of_rib_pending && fo.dirty.next_set(0).is_none() {
            fo.end_of_rib_pending = false;
            if let Ok(eor) = Message::Update(Update::end_of_rib(P::FAMILY)).to_bytes(&ctx) {
                *bytes += eor.len();
                out.push(eor);
            }
        }
        let s = &mut self.sessions[sid];
        s.counters.announced_out += n_announced;
        s.counters.withdrawn_out += n_withdrawn;
        s.out[P::INDEX] = fo;
        s.builder = Some(builder);
    }
}
