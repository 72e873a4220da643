//! Damping of peer oscillations (RFC 4271 §8.1.1, DampPeerOscillations): the IdleHoldTime
//! doubles at each oscillation, up to a ceiling, and falls back to its initial value once a
//! session has proved stable.
//!
//! RFC 4271 leaves the method to the implementation; this one is OpenBGPD's (`bgpd`
//! `session.c`): every fall to Idle but an operator's stop is an oscillation and doubles the
//! wait, and a session that stays Established at least as long as the wait its next failure
//! would cost is stable, which resets the back-off (OpenBGPD's IdleHoldReset timer). Stability
//! is measured on the driver's clock, the `now_ms` every event comes with, so the FSM stays
//! free of clocks; it is judged at the next message received in Established and, at the
//! latest, when the session goes down. Messages alone prove nothing: a flapping peer sends
//! its whole table each time it comes up.

/// The IdleHoldTime back-off.
#[derive(Clone, Debug)]
pub struct Damping {
    base_s: u64,
    max_s: u64,
    level: u32,
    /// When the session last reached Established, while it is there.
    up_since_ms: Option<u64>,
}

impl Damping {
    /// Initial IdleHoldTime `base_s`, ceiling `max_s` (both in seconds).
    pub fn new(base_s: u16, max_s: u16) -> Self {
        Damping {
            base_s: u64::from(base_s),
            max_s: u64::from(max_s.max(base_s)),
            level: 0,
            up_since_ms: None,
        }
    }

    /// One more oscillation ("performs peer oscillation damping" in RFC 4271 §8.2.2) at
    /// `now_ms`; a session that had been stable is forgiven first.
    pub fn bump(&mut self, now_ms: u64) {
        self.check_stable(now_ms);
        self.level = self.level.saturating_add(1).min(32);
        self.up_since_ms = None;
    }

    /// Back to the initial IdleHoldTime (operator action or a stable session).
    pub fn reset(&mut self) {
        self.level = 0;
    }

    /// Number of oscillations counted since the last reset.
    pub const fn level(&self) -> u32 {
        self.level
    }

    /// The IdleHoldTime at `level` oscillations, in milliseconds: `base × 2^(level − 1)`, at
    /// most the ceiling.
    fn wait_ms(&self, level: u32) -> u64 {
        let shift = level.saturating_sub(1).min(20);
        self.base_s.saturating_mul(1 << shift).min(self.max_s) * 1000
    }

    /// The current IdleHoldTime in milliseconds.
    pub fn idle_hold_ms(&self) -> u64 {
        self.wait_ms(self.level)
    }

    /// The session reached Established at `now_ms`.
    pub fn established(&mut self, now_ms: u64) {
        self.up_since_ms = Some(now_ms);
    }

    /// The session left Established without an oscillation (e.g. an operator's stop).
    pub fn down(&mut self) {
        self.up_since_ms = None;
    }

    /// Resets the back-off when the session has been Established at least as long as the
    /// IdleHoldTime of its next oscillation.
    pub fn check_stable(&mut self, now_ms: u64) {
        let Some(since) = self.up_since_ms else { return };
        if self.level > 0 && now_ms.saturating_sub(since) >= self.wait_ms(self.level + 1) {
            tracing::debug!(level = self.level, "stable session: damping back-off reset");
            self.reset();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Damping;

    #[test]
    fn the_wait_doubles_up_to_the_ceiling() {
        let mut d = Damping::new(1, 10);
        let waits: Vec<u64> = (0..6)
            .map(|i| {
                d.bump(i);
                d.idle_hold_ms()
            })
            .collect();
        assert_eq!(waits, vec![1_000, 2_000, 4_000, 8_000, 10_000, 10_000]);
    }

    #[test]
    fn only_a_session_up_as_long_as_its_next_wait_is_forgiven() {
        let mut d = Damping::new(1, 100);
        d.bump(0);
        d.bump(0);
        // Level 2: the next oscillation would cost 4 s.
        d.established(10_000);
        d.check_stable(13_999);
        assert_eq!(d.level(), 2);
        d.check_stable(14_000);
        assert_eq!(d.level(), 0);
    }
}
