//! The shared table of one family: a prefix interner giving each prefix a dense `u32` index,
//! and per prefix its candidate paths (accepted and rejected) in the [`Arena`]. One table for
//! all clients; per-client views are computed when output is wanted.

use crate::arena::{Arena, Candidate, Slot};
use crate::bitmap::Bitmap;
use crate::hash::FxHashMap;
use crate::prefix::RoutePrefix;

/// The table of one family.
#[derive(Debug)]
pub struct PrefixTable<P: RoutePrefix> {
    index: FxHashMap<P, u32>,
    prefixes: Vec<P>,
    slots: Vec<Slot>,
    arena: Arena,
    /// Prefixes whose candidates changed since the last flush into the clients' dirty sets.
    changed: Bitmap,
    pending: bool,
}

impl<P: RoutePrefix> Default for PrefixTable<P> {
    fn default() -> Self {
        PrefixTable {
            index: FxHashMap::default(),
            prefixes: Vec::new(),
            slots: Vec::new(),
            arena: Arena::default(),
            changed: Bitmap::default(),
            pending: false,
        }
    }
}

impl<P: RoutePrefix> PrefixTable<P> {
    /// The index of `prefix` (already normalized), creating it. Indices are never reused, so
    /// per-client bits stay meaningful while a client has not yet been sent a withdrawal.
    #[inline]
    pub fn intern(&mut self, prefix: P) -> u32 {
        let next = self.prefixes.len() as u32;
        let idx = *self.index.entry(prefix).or_insert(next);
        if idx == next {
            self.prefixes.push(prefix);
            self.slots.push(Slot::default());
        }
        idx
    }

    /// Records that the candidates of `idx` changed, for the next flush into clients' dirty sets.
    #[inline]
    pub fn mark(&mut self, idx: u32) {
        self.changed.set(idx);
        self.pending = true;
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

    /// Number of prefixes ever interned.
    pub fn prefix_count(&self) -> u32 {
        self.prefixes.len() as u32
    }

    /// The prefix at `idx`.
    #[inline]
    pub fn prefix(&self, idx: u32) -> Option<P> {
        self.prefixes.get(idx as usize).copied()
    }

    /// The candidates of `idx`.
    #[inline]
    pub fn candidates(&self, idx: u32) -> &[Candidate] {
        match self.slots.get(idx as usize) {
            Some(s) => self.arena.get(s),
            None => &[],
        }
    }

    /// The candidates of `idx`, mutable (verdicts may change; identity must not).
    #[inline]
    pub fn candidates_mut(&mut self, idx: u32) -> &mut [Candidate] {
        match self.slots.get(idx as usize) {
            Some(s) => self.arena.get_mut(s),
            None => &mut [],
        }
    }

    /// Stores `c` for `idx`, replacing the candidate with the same session and path id.
    /// Returns the replaced candidate.
    #[inline]
    pub fn upsert(&mut self, idx: u32, c: Candidate) -> Option<Candidate> {
        let slot = &mut self.slots[idx as usize];
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

    /// Removes the candidate of `session` / `path_id` at `idx`.
    #[inline]
    pub fn remove(&mut self, idx: u32, session: u16, path_id: u32) -> Option<Candidate> {
        let slot = self.slots.get_mut(idx as usize)?;
        let i = self
            .arena
            .get(slot)
            .iter()
            .position(|c| c.session == session && c.path_id == path_id)?;
        self.arena.swap_remove(slot, i)
    }

    /// Removes every candidate of `session`; calls `f` for each removed one.
    pub fn remove_session(&mut self, session: u16, mut f: impl FnMut(u32, Candidate)) {
        for (idx, slot) in self.slots.iter_mut().enumerate() {
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
        }
    }

    /// Heap bytes of the table's structures (interner, prefixes, slots, arena, bitmap).
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
            + self.prefixes.capacity() * std::mem::size_of::<P>()
            + self.slots.capacity() * std::mem::size_of::<Slot>()
            + self.arena.heap_bytes()
            + self.changed.heap_bytes()
    }
}
