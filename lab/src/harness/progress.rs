//! The progress of a run on stderr: an `indicatif` bar when stderr is a terminal, otherwise a
//! plain line now and then (never on stdout, which `--json` keeps for the result).

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::time::{Duration, Instant};

/// How often a plain line is written when stderr is not a terminal.
const PLAIN_EVERY: Duration = Duration::from_secs(10);

/// A run's progress display.
#[derive(Debug)]
pub struct Progress {
    label: String,
    bar: Option<ProgressBar>,
    plain: bool,
    last_plain: Instant,
}

impl Progress {
    /// A display for `total` routes; `enabled` false shows nothing at all.
    pub fn new(label: &str, total: u64, enabled: bool) -> Progress {
        let terminal = enabled && std::io::stderr().is_terminal();
        let bar = terminal.then(|| {
            let b = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
            let style = ProgressStyle::with_template(
                "{prefix} [{elapsed_precise}] {wide_bar} {pos}/{len} routes ({percent}%) {msg}",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar());
            b.set_style(style);
            b.set_prefix(label.to_owned());
            b.enable_steady_tick(Duration::from_millis(200));
            b
        });
        Progress {
            label: label.to_owned(),
            bar,
            plain: enabled && !terminal,
            last_plain: Instant::now(),
        }
    }

    /// Shows the sessions up and the routes verified so far.
    pub fn update(&mut self, up: usize, sessions: usize, routes: u64, total: u64, elapsed: Duration) {
        if let Some(b) = &self.bar {
            b.set_position(routes);
            b.set_message(format!("{up}/{sessions} sessions up"));
        } else if self.plain && self.last_plain.elapsed() >= PLAIN_EVERY {
            self.last_plain = Instant::now();
            eprintln!(
                "peerlab bench: {}: {up}/{sessions} sessions up, {routes}/{total} routes, {:.0} s",
                self.label,
                elapsed.as_secs_f64()
            );
        }
    }

    /// Removes the bar.
    pub fn finish(&self) {
        if let Some(b) = &self.bar {
            b.finish_and_clear();
        }
    }
}
