//! Rate-limited logging of a listener's failed `accept()`s. When the process runs out of file
//! descriptors every accept fails at once and keeps failing: one log line per failure fills
//! the log (thousands of lines a minute) and hides everything else. [`AcceptErrors`] logs the
//! first failure, then at most one line per window with how many failures it stood for.
//!
//! The decision ([`AcceptErrors::record`]) takes the time as an argument, so it is tested
//! without clocks; [`AcceptErrors::note`] is the logging call a listener makes.

use std::io;
use std::time::{Duration, Instant};
use tracing::warn;

/// How often a repeated accept failure is logged, at most.
pub const ACCEPT_ERROR_LOG_WINDOW: Duration = Duration::from_secs(10);

/// How long an accept loop pauses after a failure, so that a process out of file descriptors
/// does not spin (the failure lasts until some descriptor is closed).
pub const ACCEPT_ERROR_PAUSE: Duration = Duration::from_millis(50);

/// Counts a listener's accept failures and says when to log them.
#[derive(Clone, Debug)]
pub struct AcceptErrors {
    /// What is listening, for the log line (e.g. `BGP 127.0.0.1:179`).
    what: String,
    window: Duration,
    /// When the last line was logged.
    last_logged: Option<Instant>,
    /// Failures since that line.
    unlogged: u64,
}

impl AcceptErrors {
    /// A counter for the listener described by `what`, logging at most once per `window`.
    pub fn new(what: impl Into<String>, window: Duration) -> Self {
        AcceptErrors {
            what: what.into(),
            window,
            last_logged: None,
            unlogged: 0,
        }
    }

    /// One failure at `now`: `Some(n)` when a line is due now, standing for `n` failures (this
    /// one and those not logged since the last line); `None` when it is only counted.
    pub fn record(&mut self, now: Instant) -> Option<u64> {
        self.unlogged += 1;
        let due = self
            .last_logged
            .is_none_or(|t| now.saturating_duration_since(t) >= self.window);
        if !due {
            return None;
        }
        self.last_logged = Some(now);
        Some(std::mem::take(&mut self.unlogged))
    }

    /// Records `e` now and logs it when a line is due.
    pub fn note(&mut self, e: &io::Error) {
        if let Some(count) = self.record(Instant::now()) {
            warn!(
                listener = %self.what,
                error = %e,
                failures = count,
                "accept failed ({count} time(s) since the last such line; logged at most every {} s)",
                self.window.as_secs()
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_failure_is_logged_at_once() {
        let mut a = AcceptErrors::new("test", Duration::from_secs(10));
        assert_eq!(a.record(Instant::now()), Some(1));
    }

    #[test]
    fn failures_within_the_window_are_counted_and_reported_with_the_next_line() {
        let start = Instant::now();
        let mut a = AcceptErrors::new("test", Duration::from_secs(10));
        assert_eq!(a.record(start), Some(1));
        let logged: Vec<Option<u64>> = (1..=999)
            .map(|ms| a.record(start + Duration::from_millis(ms * 5)))
            .collect();
        assert!(logged.iter().all(Option::is_none), "nothing logged inside the window");
        assert_eq!(a.record(start + Duration::from_secs(10)), Some(1000));
        assert_eq!(a.record(start + Duration::from_secs(11)), None);
        assert_eq!(a.record(start + Duration::from_secs(25)), Some(2));
    }

    #[test]
    fn two_thousand_failures_over_a_minute_give_at_most_seven_lines() {
        let start = Instant::now();
        let mut a = AcceptErrors::new("test", Duration::from_secs(10));
        let lines: Vec<u64> = (0..2000u64)
            .filter_map(|i| a.record(start + Duration::from_millis(i * 30)))
            .collect();
        assert!(lines.len() <= 7, "{lines:?}");
        assert_eq!(
            lines.iter().sum::<u64>() + a.unlogged,
            2000,
            "every failure counted once"
        );
    }
}
