//! A growable bitmap over dense prefix indices: per-client dirty and announced sets, and the
//! table's "changed since last flush" set.

/// One bit per prefix index; grows on demand, shrinks with [`Bitmap::truncate`].
#[derive(Clone, Debug, Default)]
pub struct Bitmap {
    words: Vec<u64>,
}

impl Bitmap {
    /// Sets bit `i`.
    #[inline]
    pub fn set(&mut self, i: u32) {
        let w = (i / 64) as usize;
        if w >= self.words.len() {
            self.words.resize(w + 1, 0);
        }
        self.words[w] |= 1 << (i % 64);
    }

    /// Clears bit `i`.
    #[inline]
    pub fn clear(&mut self, i: u32) {
        if let Some(w) = self.words.get_mut((i / 64) as usize) {
            *w &= !(1 << (i % 64));
        }
    }

    /// Whether bit `i` is set.
    #[inline]
    pub fn get(&self, i: u32) -> bool {
        self.words
            .get((i / 64) as usize)
            .is_some_and(|w| w & (1 << (i % 64)) != 0)
    }

    /// Clears every bit (keeps the memory).
    pub fn clear_all(&mut self) {
        self.words.iter_mut().for_each(|w| *w = 0);
    }

    /// Sets bits `0..n`.
    pub fn set_first(&mut self, n: u32) {
        let full = (n / 64) as usize;
        let need = (n as usize).div_ceil(64);
        if self.words.len() < need {
            self.words.resize(need, 0);
        }
        self.words[..full].iter_mut().for_each(|w| *w = u64::MAX);
        if n % 64 != 0 {
            self.words[full] |= (1u64 << (n % 64)) - 1;
        }
    }

    /// `self |= other`.
    pub fn or_with(&mut self, other: &Bitmap) {
        if self.words.len() < other.words.len() {
            self.words.resize(other.words.len(), 0);
        }
        for (a, b) in self.words.iter_mut().zip(&other.words) {
            *a |= *b;
        }
    }

    /// Whether no bit is set.
    pub fn is_empty(&self) -> bool {
        self.words.iter().all(|w| *w == 0)
    }

    /// The first set bit at or after `from`.
    #[inline]
    pub fn next_set(&self, from: u32) -> Option<u32> {
        let mut w = (from / 64) as usize;
        let mut word = *self.words.get(w)? & (u64::MAX << (from % 64));
        loop {
            if word != 0 {
                return Some(w as u32 * 64 + word.trailing_zeros());
            }
            w += 1;
            word = *self.words.get(w)?;
        }
    }

    /// Clears every bit at or above `n`, and gives back the memory no longer needed once at
    /// most a quarter of what is held is in use (so that growing again costs little).
    pub fn truncate(&mut self, n: u32) {
        let need = (n as usize).div_ceil(64);
        self.words.truncate(need);
        if n % 64 != 0 {
            if let Some(w) = self.words.get_mut(need - 1) {
                *w &= (1u64 << (n % 64)) - 1;
            }
        }
        if self.words.len() * 4 <= self.words.capacity() {
            self.words.shrink_to(self.words.len() * 2);
        }
    }

    /// The set bits, ascending.
    pub fn ones(&self) -> impl Iterator<Item = u32> + '_ {
        let mut at = 0;
        std::iter::from_fn(move || {
            let i = self.next_set(at)?;
            at = i + 1;
            Some(i)
        })
    }

    /// Heap bytes held.
    pub fn heap_bytes(&self) -> usize {
        self.words.capacity() * 8
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_bits_are_found_in_order_and_cleared_bits_are_not() {
        let mut b = Bitmap::default();
        for i in [3, 64, 65, 200] {
            b.set(i);
        }
        b.clear(64);
        let mut found = Vec::new();
        let mut at = 0;
        while let Some(i) = b.next_set(at) {
            found.push(i);
            at = i + 1;
        }
        assert_eq!(found, [3, 65, 200]);
        assert!(b.get(200) && !b.get(64));
    }

    #[test]
    fn truncate_clears_the_bits_above_and_gives_memory_back() {
        let mut b = Bitmap::default();
        for i in [1, 70, 1000, 5000] {
            b.set(i);
        }
        b.truncate(71);
        assert_eq!(b.ones().collect::<Vec<_>>(), [1, 70]);
        assert!(b.heap_bytes() <= 4 * 8, "{} bytes held", b.heap_bytes());
        b.truncate(70);
        assert_eq!(b.ones().collect::<Vec<_>>(), [1]);
        b.truncate(0);
        assert_eq!((b.is_empty(), b.heap_bytes()), (true, 0));
    }

    #[test]
    fn set_first_sets_exactly_the_first_n_bits() {
        let mut b = Bitmap::default();
        b.set_first(70);
        assert!(b.get(69) && !b.get(70) && b.get(0));
    }
}
