//! Candidate lists of all prefixes in one arena: blocks of 1, 2, 4, … candidates carved out
//! of a single `Vec`, with an intrusive free list per block size. Adding a path to a prefix
//! allocates nothing on the heap except when the arena itself grows; when most of it is
//! free, the table compacts it ([`Arena::compact`]) so the memory returns.

/// One path of one prefix: who sent it, its path identifier, its attribute set and the
/// import verdict (0: accepted, else a [`crate::RejectReason`] code). 12 octets.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Candidate {
    /// Sending session.
    pub session: u16,
    /// 0 when accepted, else the reject reason's code.
    pub reason: u8,
    /// Unused; keeps the layout explicit.
    pub spare: u8,
    /// ADD-PATH path identifier as received (0 without ADD-PATH).
    pub path_id: u32,
    /// Interned attribute set.
    pub attr: u32,
}

impl Candidate {
    /// Whether the import chain accepted it.
    #[inline]
    pub fn accepted(&self) -> bool {
        self.reason == 0
    }
}

/// Where a prefix's candidates are: 8 octets per prefix.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Slot {
    start: u32,
    len: u16,
    class: u8,
}

const NO_CLASS: u8 = u8::MAX;
const NONE: u32 = u32::MAX;
const CLASSES: usize = 17;

impl Default for Slot {
    fn default() -> Self {
        Slot {
            start: 0,
            len: 0,
            class: NO_CLASS,
        }
    }
}

impl Slot {
    /// Number of candidates.
    #[inline]
    pub fn len(&self) -> usize {
        self.len as usize
    }

    /// Whether there are none.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

/// The arena.
#[derive(Debug)]
pub struct Arena {
    items: Vec<Candidate>,
    free: [u32; CLASSES],
    /// Items in allocated blocks (whole blocks, used or not).
    used: usize,
    /// Blocks released since the last compaction.
    releases: usize,
}

impl Default for Arena {
    fn default() -> Self {
        Arena {
            items: Vec::new(),
            free: [NONE; CLASSES],
            used: 0,
            releases: 0,
        }
    }
}

impl Arena {
    /// The candidates of `slot`.
    #[inline]
    pub fn get(&self, slot: &Slot) -> &[Candidate] {
        let s = slot.start as usize;
        self.items.get(s..s + slot.len as usize).unwrap_or(&[])
    }

    /// The candidates of `slot`, mutable.
    #[inline]
    pub fn get_mut(&mut self, slot: &Slot) -> &mut [Candidate] {
        let s = slot.start as usize;
        self.items.get_mut(s..s + slot.len as usize).unwrap_or(&mut [])
    }

    fn alloc(&mut self, class: u8) -> u32 {
        self.used += 1usize << class;
        let head = self.free[class as usize];
        if head != NONE {
            self.free[class as usize] = self.items[head as usize].attr;
            return head;
        }
        let start = self.items.len() as u32;
        self.items
            .resize(self.items.len() + (1usize << class), Candidate::default());
        start
    }

    fn release(&mut self, start: u32, class: u8) {
        self.used -= 1usize << class;
        self.releases += 1;
        self.items[start as usize].attr = self.free[class as usize];
        self.free[class as usize] = start;
    }

    /// Appends `c` to `slot`, moving the list to a larger block when full.
    #[inline]
    pub fn push(&mut self, slot: &mut Slot, c: Candidate) {
        if slot.class == NO_CLASS {
            slot.class = 0;
            slot.start = self.alloc(0);
            slot.len = 0;
        } else if slot.len as usize == 1usize << slot.class {
            let class = slot.class + 1;
            let start = self.alloc(class);
            let (old, len) = (slot.start as usize, slot.len as usize);
            self.items.copy_within(old..old + len, start as usize);
            self.release(slot.start, slot.class);
            slot.start = start;
            slot.class = class;
        }
        self.items[slot.start as usize + slot.len as usize] = c;
        slot.len += 1;
    }

    /// Removes the candidate at `i` (order is not kept); frees the block when empty.
    #[inline]
    pub fn swap_remove(&mut self, slot: &mut Slot, i: usize) -> Option<Candidate> {
        if i >= slot.len as usize {
            return None;
        }
        let s = slot.start as usize;
        let last = s + slot.len as usize - 1;
        let c = self.items[s + i];
        self.items[s + i] = self.items[last];
        slot.len -= 1;
        if slot.len == 0 {
            self.release(slot.start, slot.class);
            *slot = Slot::default();
        }
        Some(c)
    }

    /// Whether it is time to [`Arena::compact`] an arena serving `slots` slots: at most a
    /// quarter of the memory held is in allocated blocks, and either none is (compaction is
    /// then free) or at least `slots / 4` blocks were released since the last compaction (so
    /// its cost, a pass over the slots, is paid for by the releases).
    pub fn is_sparse(&self, slots: usize) -> bool {
        let cap = self.items.capacity();
        cap > 0 && self.used * 4 <= cap && (self.used == 0 || self.releases >= slots / 4)
    }

    /// Moves the blocks of `slots` (every live slot of the arena) next to each other in a
    /// new allocation of just their size, updating the slots, and drops the free lists.
    pub fn compact<'a>(&mut self, slots: impl Iterator<Item = &'a mut Slot>) {
        self.free = [NONE; CLASSES];
        self.releases = 0;
        if self.used == 0 {
            // No slot has a block: nothing to move.
            self.items = Vec::new();
            return;
        }
        let mut items = Vec::with_capacity(self.used);
        for slot in slots.filter(|s| s.class != NO_CLASS) {
            let start = slot.start as usize;
            let end = start + (1usize << slot.class);
            slot.start = items.len() as u32;
            items.extend_from_slice(self.items.get(start..end).unwrap_or(&[]));
        }
        self.items = items;
    }

    /// Heap bytes held (capacity, including free blocks).
    pub fn heap_bytes(&self) -> usize {
        self.items.capacity() * std::mem::size_of::<Candidate>()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cand(session: u16) -> Candidate {
        Candidate {
            session,
            ..Candidate::default()
        }
    }

    #[test]
    fn lists_grow_shrink_and_reuse_freed_blocks() {
        let mut a = Arena::default();
        let mut s1 = Slot::default();
        let mut s2 = Slot::default();
        for i in 0..5 {
            a.push(&mut s1, cand(i));
        }
        a.push(&mut s2, cand(100));
        let got: Vec<u16> = a.get(&s1).iter().map(|c| c.session).collect();
        assert_eq!(got, [0, 1, 2, 3, 4]);
        assert_eq!(a.get(&s2)[0].session, 100);
        let before = a.heap_bytes();
        while !s1.is_empty() {
            a.swap_remove(&mut s1, 0);
        }
        for i in 0..5 {
            a.push(&mut s1, cand(i + 10));
        }
        assert_eq!(a.heap_bytes(), before, "freed blocks are reused");
        let mut got: Vec<u16> = a.get(&s1).iter().map(|c| c.session).collect();
        got.sort_unstable();
        assert_eq!(got, [10, 11, 12, 13, 14]);
        assert_eq!(a.get(&s2)[0].session, 100);
    }

    #[test]
    fn compaction_keeps_every_list_and_gives_back_the_free_blocks() {
        let mut a = Arena::default();
        let mut slots = vec![Slot::default(); 100];
        for (i, s) in slots.iter_mut().enumerate() {
            for j in 0..=(i % 3) {
                a.push(s, cand((i * 10 + j) as u16));
            }
        }
        for s in slots.iter_mut().skip(2) {
            while !s.is_empty() {
                a.swap_remove(s, 0);
            }
        }
        assert!(a.is_sparse(slots.len()));
        let before = a.heap_bytes();
        a.compact(slots.iter_mut());
        assert!(a.heap_bytes() < before && !a.is_sparse(slots.len()));
        assert_eq!(a.get(&slots[0]).iter().map(|c| c.session).collect::<Vec<_>>(), [0]);
        assert_eq!(a.get(&slots[1]).iter().map(|c| c.session).collect::<Vec<_>>(), [10, 11]);
        a.push(&mut slots[5], cand(7));
        assert_eq!(a.get(&slots[5])[0].session, 7);
        for s in slots.iter_mut() {
            while !s.is_empty() {
                a.swap_remove(s, 0);
            }
        }
        a.compact(slots.iter_mut());
        assert_eq!(a.heap_bytes(), 0, "an empty arena holds nothing");
    }
}
