//! The attribute-set interner: sets found by the hash of their key, reference counted by
//! the table's candidates, freed when the last one goes, their ids reused.

use super::{decode::decode_set, key, AttrId, AttrSet, NONE};
use crate::hash::{FxHashMap, FxHasher};
use bgp_core::{Family, UpdateView};
use bytes::Bytes;
use std::hash::Hasher;

/// The attribute-set store.
#[derive(Debug, Default)]
pub struct AttrStore {
    /// Key hash → first set of the chain with that hash.
    map: FxHashMap<u64, AttrId>,
    live: usize,
    sets: Vec<Option<AttrSet>>,
    free: Vec<AttrId>,
    scratch: Vec<u8>,
}

impl AttrStore {
    /// The set `id` (which must be live).
    #[inline]
    pub fn get(&self, id: AttrId) -> Option<&AttrSet> {
        self.sets.get(id as usize).and_then(Option::as_ref)
    }

    #[inline]
    pub(crate) fn get_mut(&mut self, id: AttrId) -> Option<&mut AttrSet> {
        self.sets.get_mut(id as usize).and_then(Option::as_mut)
    }

    /// Number of live attribute sets.
    pub fn len(&self) -> usize {
        self.live
    }

    /// Whether the store is empty.
    pub fn is_empty(&self) -> bool {
        self.live == 0
    }

    pub(crate) fn acquire_n(&mut self, id: AttrId, n: u32) {
        if let Some(s) = self.get_mut(id) {
            s.refs += n;
        }
    }

    pub(crate) fn release(&mut self, id: AttrId) {
        let Some(s) = self.get_mut(id) else { return };
        s.refs = s.refs.saturating_sub(1);
        if s.refs == 0 {
            self.free_set(id);
        }
    }

    /// Frees a set that nothing references (e.g. every prefix of its UPDATE was dropped).
    pub(crate) fn release_if_unused(&mut self, id: AttrId) {
        if self.get(id).is_some_and(|s| s.refs == 0) {
            self.free_set(id);
        }
    }

    fn free_set(&mut self, id: AttrId) {
        let Some(set) = self.sets.get_mut(id as usize).and_then(Option::take) else {
            return;
        };
        // Unlink from its hash chain.
        if self.map.get(&set.hash) == Some(&id) {
            if set.chain == NONE {
                self.map.remove(&set.hash);
            } else {
                self.map.insert(set.hash, set.chain);
            }
        } else {
            let mut at = self.map.get(&set.hash).copied().unwrap_or(NONE);
            while let Some(s) = self.get_mut(at) {
                if s.chain == id {
                    s.chain = set.chain;
                    break;
                }
                at = s.chain;
            }
        }
        self.free.push(id);
        self.live -= 1;
    }

    /// Forgets every cached import verdict (after the registered ASNs or policy changed).
    pub(crate) fn clear_verdicts(&mut self) {
        self.sets.iter_mut().flatten().for_each(AttrSet::clear_verdicts);
    }

    /// Interns the attributes of `view` for NLRI of `family` (MP_REACH_NLRI's next hop is
    /// part of the key when `mp_next_hop` is given). Hashes the received bytes; decodes only
    /// when the set is new.
    pub(crate) fn intern(
        &mut self,
        view: &UpdateView,
        family: Family,
        mp_next_hop: Option<&[u8]>,
        rs_asn: u32,
    ) -> AttrId {
        key::write(&mut self.scratch, view, family, mp_next_hop);
        let hash = {
            let mut h = FxHasher::default();
            h.write(&self.scratch);
            h.finish()
        };
        let head = self.map.get(&hash).copied().unwrap_or(NONE);
        let mut at = head;
        while let Some(s) = self.get(at) {
            if s.key[..] == self.scratch[..] {
                return at;
            }
            at = s.chain;
        }
        let mut set = decode_set(Bytes::copy_from_slice(&self.scratch), family, rs_asn);
        set.hash = hash;
        set.chain = head;
        let id = match self.free.pop() {
            Some(id) => {
                self.sets[id as usize] = Some(set);
                id
            }
            None => {
                self.sets.push(Some(set));
                (self.sets.len() - 1) as AttrId
            }
        };
        self.map.insert(hash, id);
        self.live += 1;
        id
    }
}
