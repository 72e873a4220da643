//! The shared table of one family: a prefix interner giving each prefix a dense `u32` index,
//! and per prefix its candidate paths (accepted and rejected) in the [`Arena`]. One table for
//! all clients; per-client views are computed when output is wanted.
//!
//! A prefix is forgotten once nothing holds it: no stored path, and no session that was sent
//! it still waiting for its withdrawal (the engine reports what it sends with
//! [`PrefixTable::announced_to`] and [`PrefixTable::withdrawn_from`]). Its index is then
//! free for another prefix (the lowest free index first, so the table stays dense), the free
//! tail is cut off, and the interner, the record vector and the arena give their memory back
//! when at most a quarter of it is in use.

use crate::arena::{Arena, Candidate, Slot};
use crate::bitmap::Bitmap;
use crate::hash::FxHashMap;
use crate::prefix::RoutePrefix;
use std::collections::hash_map::Entry as MapEntry;

/// One prefix's record.
#[derive(Clone, Copy, Debug)]
struct Entry<P> {
    prefix: P,
    /// Where its candidates are.
    slot: Slot,
    /// Sessions it is announced to (and that would need a withdrawal): at most 65,535.
    sent_to: u16,
}

/// The table of one family.
#[derive(Debug)]
pub struct PrefixTable<P: RoutePrefix> {
    index: FxHashMap<P, u32>,
    entries: Vec<Entry<P>>,
    /// Indices below `entries.len()` that are free.
    free: Bitmap,
    free_count: u32,
    /// No index below this one is free.
    first_free: u32,
    arena: Arena,
    /// Prefixes whose candidates changed since the last flush into the clients' dirty sets.
    changed: Bitmap,
    pending: bool,
    /// The index range shrank since [`PrefixTable::take_shrunk`] was last called.
    shrunk: bool,
}

impl<P: RoutePrefix> Default for PrefixTable<P> {
    fn default() -> Self {
        PrefixTable {
            index: FxHashMap::default(),
            entries: Vec::new(),
            free: Bitmap::default(),
            free_count: 0,
            first_free: 0,
            arena: Arena::default(),
            changed: Bitmap::default(),
            pending: false,
            shrunk: false,
        }
    }
}

impl<P: RoutePrefix> PrefixTable<P> {
    /// The index of `prefix` (already normalized), creating it (in the lowest free index).
    /// An index is reused only once no session holds its previous prefix any more, so
    /// per-client bits stay meaningful.
    #[inline]
    pub fn intern(&mut self, prefix: P) -> u32 {
        let vacant = match self.index.entry(prefix) {
            MapEntry::Occupied(e) => return *e.get(),
            MapEntry::Vacant(e) => e,
        };
        let entry = Entry {
            prefix,
            slot: Slot::default(),
            sent_to: 0,
        };
        let reuse = match self.free_count {
            0 => None,
            _ => self.free.next_set(self.first_free),
        };
        let idx = match reuse {
            Some(idx) => {
                self.free.clear(idx);
                self.free_count -= 1;
                self.first_free = idx + 1;
                self.entries[idx as usize] = entry;
                idx
            }
            None => {
                self.entries.push(entry);
                (self.entries.len() - 1) as u32
            }
        };
        vacant.insert(idx);
        idx
    }

    /// Whether `idx` holds a prefix.
    #[inline]
    fn is_live(&self, idx: u32) -> bool {
        (idx as usize) < self.entries.len() && !self.free.get(idx)
    }

    /// Records that the candidates of `idx` changed, for the next flush into clients' dirty
    /// sets (nothing for a forgotten prefix: no client holds it).
    #[inline]
    pub fn mark(&mut self, idx: u32) {
        if self.is_live(idx) {
            self.changed.set(idx);
            self.pending = true;
        }
    }

    /// Takes the changed set: calls `f` with it when anything changed, then clears it.
    pub(crate) fn flush(&mut self, f: impl FnOnce(&Bitmap)) {
        if self.pending {
            f(&self.changed);
            self.changed.clear_all();
            self.pending = false;
        }
    }

    /// The index of `prefix`, if known.
    #[inline]
    pub fn lookup(&self, prefix: &P) -> Option<u32> {
        self.index.get(prefix).copied()
    }

    /// Number of prefixes held (with a stored path, or still announced to a session).
    pub fn len(&self) -> u32 {
        self.index.len() as u32
    }

    /// Whether no prefix is held.
    pub fn is_empty(&self) -> bool {
        self.index.is_empty()
    }

    /// Every index in use is below this bound (some below it may be free).
    pub fn index_bound(&self) -> u32 {
        self.entries.len() as u32
    }

    /// The prefix at `idx`.
    #[inline]
    pub fn prefix(&self, idx: u32) -> Option<P> {
        self.is_live(idx).then(|| self.entries[idx as usize].prefix)
    }

    /// The candidates of `idx`.
    #[inline]
    pub fn candidates(&self, idx: u32) -> &[Candidate] {
        match self.entries.get(idx as usize) {
            Some(e) => self.arena.get(&e.slot),
            None => &[],
        }
    }

    /// The candidates of `idx`, mutable (verdicts may change; identity must not).
    #[inline]
    pub fn candidates_mut(&mut self, idx: u32) -> &mut [Candidate] {
        match self.entries.get(idx as usize) {
            Some(e) => self.arena.get_mut(&e.slot),
            None => &mut [],
        }
    }

    /// Stores `c` for `idx`, replacing the candidate with the same session and path id.
    /// Returns the replaced candidate.
    #[inline]
    pub fn upsert(&mut self, idx: u32, c: Candidate) -> Option<Candidate> {
        let slot = &mut self.entries[idx as usize].slot;
        for existing in self.arena.get_mut(slot) {
            if existing.session == c.session && existing.path_id == c.path_id {
                let old = *existing;
                *existing = c;
                return Some(old);
            }
        }
        self.arena.push(slot, c);
        None
    }

    /// Removes the candidate of `session` / `path_id` at `idx`; the prefix is forgotten when
    /// that was its last path and no session holds it.
    #[inline]
    pub fn remove(&mut self, idx: u32, session: u16, path_id: u32) -> Option<Candidate> {
        let slot = &mut self.entries.get_mut(idx as usize)?.slot;
        let i = self
            .arena
            .get(slot)
            .iter()
            .position(|c| c.session == session && c.path_id == path_id)?;
        let c = self.arena.swap_remove(slot, i);
        if slot.is_empty() {
            self.forget_if_unused(idx);
            self.compact_arena_if_sparse();
        }
        c
    }

    /// Removes every candidate of `session`; calls `f` for each removed one. Prefixes left
    /// with no path that no session holds are forgotten.
    pub fn remove_session(&mut self, session: u16, mut f: impl FnMut(u32, Candidate)) {
        let mut emptied = Vec::new();
        for (idx, e) in self.entries.iter_mut().enumerate() {
            let slot = &mut e.slot;
            let mut i = 0;
            while i < slot.len() {
                let c = self.arena.get(slot)[i];
                if c.session == session {
                    self.arena.swap_remove(slot, i);
                    f(idx as u32, c);
                } else {
                    i += 1;
                }
            }
            if slot.is_empty() && e.sent_to == 0 && !self.free.get(idx as u32) {
                emptied.push(idx as u32);
            }
        }
        for idx in emptied {
            self.forget_if_unused(idx);
        }
        self.compact_arena_if_sparse();
    }

    /// Session output announced `idx` to one more session.
    #[inline]
    pub(crate) fn announced_to(&mut self, idx: u32) {
        if let Some(e) = self.entries.get_mut(idx as usize) {
            e.sent_to = e.sent_to.saturating_add(1);
        }
    }

    /// One session that was announced `idx` no longer holds it (it was sent the withdrawal,
    /// or its session ended); the prefix is forgotten when nothing else holds it.
    pub(crate) fn withdrawn_from(&mut self, idx: u32) {
        if let Some(e) = self.entries.get_mut(idx as usize) {
            e.sent_to = e.sent_to.saturating_sub(1);
            self.forget_if_unused(idx);
        }
    }

    /// Whether the index range shrank since the last call (per-session bitmaps over it can
    /// then shrink too).
    pub(crate) fn take_shrunk(&mut self) -> bool {
        std::mem::take(&mut self.shrunk)
    }

    /// Frees `idx` if it has no path and no session holds it.
    fn forget_if_unused(&mut self, idx: u32) {
        let Some(e) = self.entries.get(idx as usize) else {
            return;
        };
        if !e.slot.is_empty() || e.sent_to != 0 || self.free.get(idx) {
            return;
        }
        self.index.remove(&e.prefix);
        self.free.set(idx);
        self.free_count += 1;
        self.first_free = self.first_free.min(idx);
        self.changed.clear(idx);
        if idx as usize + 1 == self.entries.len() {
            self.cut_free_tail();
        }
        if self.index.len() * 4 <= self.index.capacity() {
            self.index.shrink_to(self.index.len() * 2);
        }
    }

    /// Drops the free indices at the end of the range, and the memory no longer needed.
    fn cut_free_tail(&mut self) {
        while let Some(last) = self.entries.len().checked_sub(1) {
            if !self.free.get(last as u32) {
                break;
            }
            self.free.clear(last as u32);
            self.free_count -= 1;
            self.entries.pop();
        }
        let len = self.entries.len();
        self.first_free = self.first_free.min(len as u32);
        if len * 4 <= self.entries.capacity() {
            self.entries.shrink_to(len * 2);
            self.free.truncate(len as u32);
            self.changed.truncate(len as u32);
            self.shrunk = true;
        }
    }

    fn compact_arena_if_sparse(&mut self) {
        if self.arena.is_sparse(self.entries.len()) {
            self.arena.compact(self.entries.iter_mut().map(|e| &mut e.slot));
        }
    }

    /// Heap bytes of the table's structures (interner, prefix records, arena, bitmaps).
    pub fn heap_bytes(&self) -> usize {
        let entry = std::mem::size_of::<(P, u32)>();
        // hashbrown: one control byte per bucket plus a group's worth of trailing bytes.
        let buckets = if self.index.capacity() == 0 {
            0
        } else {
            (self.index.capacity() * 8 / 7).next_power_of_two()
        };
        buckets * (entry + 1)
            + 16
            + self.entries.capacity() * std::mem::size_of::<Entry<P>>()
            + self.free.heap_bytes()
            + self.arena.heap_bytes()
            + self.changed.heap_bytes()
    }
}
