//! Output: for one client, every dirty prefix's best path (or, with ADD-PATH, every allowed
//! path) computed for that client, grouped by attribute set and packed by the
//! [`bgp_core::UpdateBuilder`] into as few UPDATEs as fit. Only the last state of a prefix
//! is sent, however often it changed while the client was busy; withdrawals are sent only
//! for what was announced.

use super::{EngineError, FamilyTable, RouteServer};
use crate::best::Selector;
use crate::export::rewrite;
use crate::session::{FamilyOut, SessionId, SessionState};
use bgp_core::nlri::Nlri;
use bgp_core::{Message, Update, UpdateBuilder};
use bytes::Bytes;
use ipnet::{Ipv4Net, Ipv6Net};

/// Prefixes handled between two checks of the output budget.
const CHUNK: usize = 2048;

/// What one chunk of dirty prefixes comes to for one client and family (buffers reused
/// from chunk to chunk).
#[derive(Default)]
struct Chunk {
    /// (attribute set, prefix index, path id) to announce.
    announce: Vec<(u32, u32, u32)>,
    /// (prefix index, path id) to withdraw.
    withdraw: Vec<(u32, u32)>,
    /// The path ids of one prefix under ADD-PATH.
    ids: Vec<u32>,
    /// Prefixes the client holds from this chunk on (it held nothing of them before).
    gained: Vec<u32>,
    /// Prefixes the client no longer holds once this chunk is sent.
    lost: Vec<u32>,
}

impl Chunk {
    fn clear(&mut self) {
        self.announce.clear();
        self.withdraw.clear();
        self.gained.clear();
        self.lost.clear();
    }
}

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
        self.trim_sessions();
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
        let mut chunk = Chunk::default();
        let (mut n_announced, mut n_withdrawn) = (0u64, 0u64);
        let mut cursor = 0;
        loop {
            chunk.clear();
            if self.decide_chunk::<P>(sid, &mut fo, &mut cursor, &mut chunk) == 0 {
                break;
            }
            n_withdrawn += chunk.withdraw.len() as u64;
            n_announced += chunk.announce.len() as u64;
            let before = out.len();
            self.pack_chunk::<P>(sid, &mut builder, &mut chunk, out);
            // Only now, with the withdrawals packed, may a prefix be forgotten.
            let table = P::of_mut(&mut self.tables);
            chunk.gained.iter().for_each(|&idx| table.announced_to(idx));
            chunk.lost.iter().for_each(|&idx| table.withdrawn_from(idx));
            *bytes += out[before..].iter().map(Bytes::len).sum::<usize>();
            if *bytes >= max_bytes {
                break;
            }
        }
        if fo.end_of_rib_pending && fo.dirty.next_set(0).is_none() {
            fo.end_of_rib_pending = false;
            if let Ok(eor) = Message::Update(Update::end_of_rib(P::FAMILY)).to_bytes(builder.context()) {
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

    /// Takes up to [`CHUNK`] dirty prefixes of session `sid` from `cursor` on and decides for
    /// each what the client gets: its best path (or, under ADD-PATH, every path the export
    /// filter allows) or a withdrawal of what it was sent. Returns the number taken.
    fn decide_chunk<P: FamilyTable>(
        &mut self,
        sid: usize,
        fo: &mut FamilyOut,
        cursor: &mut u32,
        chunk: &mut Chunk,
    ) -> usize {
        let table = P::of(&self.tables);
        let sel = Selector::new(&self.attrs, &self.sessions, self.export.always_compare_med);
        let target = &self.sessions[sid];
        let add_path = target.add_path_out(P::FAMILY);
        let mut n = 0;
        while n < CHUNK {
            let Some(idx) = fo.dirty.next_set(*cursor) else { break };
            *cursor = idx + 1;
            fo.dirty.clear(idx);
            n += 1;
            let cands = table.candidates(idx);
            if !add_path {
                match sel.best(cands, target) {
                    Some(b) => {
                        chunk.announce.push((b.attr, idx, 0));
                        if !fo.announced.get(idx) {
                            fo.announced.set(idx);
                            chunk.gained.push(idx);
                        }
                    }
                    None if fo.announced.get(idx) => {
                        chunk.withdraw.push((idx, 0));
                        fo.announced.clear(idx);
                        chunk.lost.push(idx);
                    }
                    None => {}
                }
                continue;
            }
            chunk.ids.clear();
            for c in cands.iter().filter(|c| sel.filter.allows(c, target)) {
                let next = &mut self.next_path_id;
                let pid = *self.path_ids.entry((c.session, c.path_id)).or_insert_with(|| {
                    *next += 1;
                    *next
                });
                chunk.ids.push(pid);
                chunk.announce.push((c.attr, idx, pid));
            }
            let old = fo.paths.remove(&idx);
            for pid in old.iter().flatten().filter(|p| !chunk.ids.contains(p)) {
                chunk.withdraw.push((idx, *pid));
            }
            match (old.is_some(), chunk.ids.is_empty()) {
                (false, false) => chunk.gained.push(idx),
                (true, true) => chunk.lost.push(idx),
                _ => {}
            }
            if !chunk.ids.is_empty() {
                fo.paths.insert(idx, chunk.ids.clone());
            }
        }
        n
    }

    /// Packs a chunk's withdrawals, then its announcements grouped by attribute set (in the
    /// form for session `sid`'s client), into UPDATEs appended to `out`.
    fn pack_chunk<P: FamilyTable>(
        &self,
        sid: usize,
        builder: &mut UpdateBuilder,
        chunk: &mut Chunk,
        out: &mut Vec<Bytes>,
    ) {
        let table = P::of(&self.tables);
        let add_path = self.sessions[sid].add_path_out(P::FAMILY);
        let nlri = |idx: u32, pid: u32| {
            Some(Nlri {
                path_id: add_path.then_some(pid),
                prefix: table.prefix(idx)?,
            })
        };
        if !chunk.withdraw.is_empty() {
            P::withdraw(
                builder,
                chunk.withdraw.iter().filter_map(|&(idx, pid)| nlri(idx, pid)),
                out,
            );
        }
        chunk.announce.sort_unstable();
        let ctx = *builder.context();
        for group in chunk.announce.chunk_by(|a, b| a.0 == b.0) {
            let Some(set) = self.attrs.get(group[0].0) else {
                continue;
            };
            let attrs = rewrite::for_client(&set.export, &ctx);
            let it = group.iter().filter_map(|&(_, idx, pid)| nlri(idx, pid));
            if let Err(e) = P::announce(builder, &attrs, &set.mp_next_hop, it, out) {
                tracing::warn!(session = sid, error = %e, "attribute set too large to send; prefixes skipped");
            }
        }
    }
}
