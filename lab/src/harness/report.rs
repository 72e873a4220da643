//! Figures over repeated runs (min, median, max), the table for people, ratios between
//! targets and the JSON for scripts.

use super::run::RunResult;
use serde::Serialize;
use std::fmt::Write as _;

/// Min, median and max of one figure over the runs that have it.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct Stat {
    /// Smallest value.
    pub min: f64,
    /// Median (the mean of the middle two for an even count).
    pub median: f64,
    /// Largest value.
    pub max: f64,
}

impl Stat {
    /// The statistic of `values`; `None` when there are none.
    pub fn of(values: impl IntoIterator<Item = f64>) -> Option<Stat> {
        let mut v: Vec<f64> = values.into_iter().filter(|x| x.is_finite()).collect();
        if v.is_empty() {
            return None;
        }
        v.sort_by(f64::total_cmp);
        let n = v.len();
        let median = if n % 2 == 1 {
            v[n / 2]
        } else {
            (v[n / 2 - 1] + v[n / 2]) / 2.0
        };
        Some(Stat {
            min: v[0],
            median,
            max: v[n - 1],
        })
    }
}

/// Every run against one target and their summary.
#[derive(Clone, Debug, Serialize)]
pub struct TargetReport {
    /// `bird`, `gobgp` or the address.
    pub target: String,
    /// Whether every run converged with every route right.
    pub ok: bool,
    /// Seconds until all sessions were up.
    pub sessions_up_s: Option<Stat>,
    /// Seconds from the first UPDATE to convergence.
    pub convergence_s: Option<Stat>,
    /// Seconds from the first UPDATE until the testers were done feeding.
    pub testers_done_s: Option<Stat>,
    /// Routes per second.
    pub routes_per_s: Option<Stat>,
    /// The target's CPU seconds per run.
    pub target_cpu_s: Option<Stat>,
    /// The target's peak RSS in MiB.
    pub target_peak_rss_mib: Option<Stat>,
    /// Each run.
    pub runs: Vec<RunResult>,
}

impl TargetReport {
    /// Summarises `runs` against `target`.
    pub fn new(target: String, runs: Vec<RunResult>) -> TargetReport {
        let ok = !runs.is_empty() && runs.iter().all(RunResult::ok);
        TargetReport {
            target,
            ok,
            sessions_up_s: Stat::of(runs.iter().filter_map(|r| r.sessions_up_s)),
            convergence_s: Stat::of(runs.iter().filter_map(|r| r.convergence_s)),
            testers_done_s: Stat::of(runs.iter().filter_map(|r| r.testers_done_s)),
            routes_per_s: Stat::of(runs.iter().filter_map(|r| r.routes_per_s)),
            target_cpu_s: Stat::of(runs.iter().filter_map(|r| r.target_cpu_s)),
            target_peak_rss_mib: Stat::of(
                runs.iter()
                    .filter_map(|r| r.target_peak_rss_kib)
                    .map(|k| k as f64 / 1024.0),
            ),
            runs,
        }
    }

    /// The run whose convergence time is the median (for the plot), or the first.
    pub fn median_run(&self) -> Option<&RunResult> {
        let mut v: Vec<&RunResult> = self.runs.iter().filter(|r| r.convergence_s.is_some()).collect();
        v.sort_by(|a, b| {
            a.convergence_s
                .unwrap_or(0.0)
                .total_cmp(&b.convergence_s.unwrap_or(0.0))
        });
        v.get(v.len() / 2).copied().or(self.runs.first())
    }
}

fn cell(s: Option<Stat>, digits: usize) -> String {
    match s {
        Some(s) => format!("{:.d$} ({:.d$}–{:.d$})", s.median, s.min, s.max, d = digits),
        None => "n/a".into(),
    }
}

/// The table for people: one row per target with median (min–max), then ratios to the first.
/// "n/a" where a figure was not measured (CPU and memory of peerlab in this process).
pub fn table(load_line: &str, reports: &[TargetReport]) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "{load_line}");
    let _ = writeln!(
        s,
        "{:<16} {:>6} {:>22} {:>22} {:>22} {:>26} {:>20} {:>20}",
        "target", "ok", "sessions up s", "testers done s", "convergence s", "routes/s", "target CPU s", "peak RSS MiB"
    );
    for r in reports {
        let _ = writeln!(
            s,
            "{:<16} {:>6} {:>22} {:>22} {:>22} {:>26} {:>20} {:>20}",
            r.target,
            if r.ok { "yes" } else { "NO" },
            cell(r.sessions_up_s, 3),
            cell(r.testers_done_s, 3),
            cell(r.convergence_s, 3),
            cell(r.routes_per_s, 0),
            cell(r.target_cpu_s, 2),
            cell(r.target_peak_rss_mib, 1)
        );
    }
    if reports.len() > 1 {
        let base = &reports[0];
        let _ = writeln!(s, "ratios to {} (medians):", base.target);
        for r in &reports[1..] {
            let ratio = |a: Option<Stat>, b: Option<Stat>| match (a, b) {
                (Some(a), Some(b)) if b.median > 0.0 => format!("{:.2}x", a.median / b.median),
                _ => "n/a".into(),
            };
            let _ = writeln!(
                s,
                "  {}: convergence {}, routes/s {}, CPU {}, peak RSS {}",
                r.target,
                ratio(r.convergence_s, base.convergence_s),
                ratio(r.routes_per_s, base.routes_per_s),
                ratio(r.target_cpu_s, base.target_cpu_s),
                ratio(r.target_peak_rss_mib, base.target_peak_rss_mib)
            );
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stats_give_min_median_and_max_with_the_middle_mean_for_even_counts() {
        let s = Stat::of([3.0, 1.0, 2.0]).unwrap();
        assert_eq!((s.min, s.median, s.max), (1.0, 2.0, 3.0));
        let s = Stat::of([4.0, 1.0, 2.0, 3.0]).unwrap();
        assert_eq!((s.min, s.median, s.max), (1.0, 2.5, 4.0));
        assert!(Stat::of([]).is_none());
    }
}
