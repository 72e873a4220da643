//! Candidate lists of all prefixes in one arena: blocks of 1, 2, 4, … candidates carved out
//! of a single `Vec`, with an intrusive free list per block size. Adding a path to a prefix
//! allocates nothing on the heap except when the arena itself grows.

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
}

impl Default for Arena {
    fn default() -> Self {
        Arena {
            items: Vec::new(),
            free: [NONE; CLASSES],
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
}
