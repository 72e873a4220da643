//! Timer jitter (RFC 4271 §10): a base duration times a random factor uniform in 0.75–1.0,
//! drawn from a small deterministic PRNG seeded by the session configuration.

/// Applies RFC 4271 §10 jitter to `base_ms` using `random`: the result lies in
/// `[0.75 × base_ms, base_ms]` (factor steps of 1/1000).
pub const fn jittered(base_ms: u64, random: u64) -> u64 {
    let factor = 750 + random % 251;
    base_ms.saturating_mul(factor) / 1000
}

/// A SplitMix64 generator: tiny, fast and deterministic for a given seed, which is all
/// jitter needs (it is not for anything secret).
#[derive(Clone, Debug)]
pub struct Jitter {
    state: u64,
    enabled: bool,
}

impl Jitter {
    /// A generator seeded with `seed`; when `enabled` is false, durations pass unchanged.
    pub const fn new(seed: u64, enabled: bool) -> Self {
        Jitter { state: seed, enabled }
    }

    /// The next pseudo-random value.
    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// `base_ms` with jitter applied (or unchanged when jitter is off).
    pub fn apply(&mut self, base_ms: u64) -> u64 {
        if self.enabled {
            jittered(base_ms, self.next_u64())
        } else {
            base_ms
        }
    }

    /// Replaces the seed (e.g. with a value from the driver's random source).
    pub fn reseed(&mut self, seed: u64) {
        self.state = seed;
    }
}
