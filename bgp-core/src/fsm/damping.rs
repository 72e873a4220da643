//! Damping of peer oscillations (RFC 4271 §8.1.1, DampPeerOscillations): the IdleHoldTime
//! doubles at each oscillation, up to a ceiling, and falls back to its initial value once a
//! session has proved stable.
//!
//! The RFC leaves the method to the implementation. Without a clock inside the FSM,
//! "stable" is counted in messages: after `stable_after` KEEPALIVE/UPDATE/ROUTE-REFRESH
//! messages received in Established the back-off resets (with the default timers that is
//! about a minute and a half of a healthy session).

/// The IdleHoldTime back-off.
#[derive(Clone, Debug)]
pub struct Damping {
    base_s: u64,
    max_s: u64,
    level: u32,
    stable_after: u32,
    seen: u32,
}

impl Damping {
    /// Initial IdleHoldTime `base_s`, ceiling `max_s`, reset after `stable_after` messages.
    pub fn new(base_s: u16, max_s: u16, stable_after: u32) -> Self {
        Damping {
            base_s: u64::from(base_s),
            max_s: u64::from(max_s.max(base_s)),
            level: 0,
            stable_after,
            seen: 0,
        }
    }

    /// One more oscillation ("performs peer oscillation damping" in RFC 4271 §8.2.2).
    pub fn bump(&mut self) {
        self.level = self.level.saturating_add(1).min(32);
        self.seen = 0;
    }

    /// Back to the initial IdleHoldTime (operator action or a stable session).
    pub fn reset(&mut self) {
        self.level = 0;
        self.seen = 0;
    }

    /// Number of oscillations counted since the last reset.
    pub const fn level(&self) -> u32 {
        self.level
    }

    /// The current IdleHoldTime in milliseconds: `base × 2^(level − 1)`, at most the ceiling.
    pub fn idle_hold_ms(&self) -> u64 {
        let shift = self.level.saturating_sub(1).min(20);
        self.base_s.saturating_mul(1 << shift).min(self.max_s) * 1000
    }

    /// A message received in Established; resets the back-off after enough of them.
    pub fn message_in_established(&mut self) {
        if self.level == 0 {
            return;
        }
        self.seen = self.seen.saturating_add(1);
        if self.seen >= self.stable_after {
            self.reset();
        }
    }
}
