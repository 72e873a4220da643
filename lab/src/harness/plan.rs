//! A `peerlab bench` invocation as a plan: the targets, the load each of them gets (the same
//! routes for every target; only the IPv4 next hop differs, see [`NextHops`]), how many runs
//! and how long each may take — with everything a target cannot carry refused before
//! anything starts. Then the runs themselves, target after target, each against a freshly
//! started daemon.

use super::load::{Load, LoadSpec, NextHops};
use super::mrt::{self, MrtSummary};
use super::report::TargetReport;
use super::run::{self, RunOptions, RunResult};
use super::targets::{self, Target};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

/// Most runs per target.
pub const MAX_RUNS: usize = 100;
/// Longest time limit of a run, in seconds (a day).
const MAX_TIME_LIMIT_S: f64 = 86_400.0;

/// What was asked for.
#[derive(Clone, Debug)]
pub struct Request {
    /// The targets, in the order of the table (ratios are to the first).
    pub targets: Vec<Target>,
    /// The load (its `next_hops` is chosen per target).
    pub spec: LoadSpec,
    /// An MRT RIB dump to replay instead of synthetic routes.
    pub mrt: Option<PathBuf>,
    /// Runs per target, 1 to [`MAX_RUNS`].
    pub runs: usize,
    /// Seconds a run may take.
    pub time_limit_s: f64,
    /// All testers together paced to this many routes per second.
    pub rate: Option<f64>,
    /// With an external target: its pid, to measure.
    pub target_pid: Option<u32>,
    /// Progress on stderr.
    pub progress: bool,
}

/// A request checked, with its loads built.
#[derive(Debug)]
pub struct Plan {
    /// What was asked for.
    pub request: Request,
    /// One load per kind of next hop the targets need.
    loads: Vec<(NextHops, Arc<Load>)>,
    /// With an MRT replay: what was read from the dump.
    pub mrt: Option<MrtSummary>,
}

impl Plan {
    /// Checks the request, reads the MRT dump, builds the loads and refuses a target that
    /// cannot carry its load; the error names the option to change.
    pub fn new(request: Request) -> Result<Plan, String> {
        check_limits(&request)?;
        let replay = match &request.mrt {
            Some(path) => Some(
                mrt::read_routes(path, request.spec.testers.saturating_mul(request.spec.prefixes))
                    .map_err(|e| format!("--mrt: {e}"))?,
            ),
            None => None,
        };
        let mut loads: Vec<(NextHops, Arc<Load>)> = Vec::new();
        for t in &request.targets {
            let next_hops = t.next_hops();
            if loads.iter().any(|(n, _)| *n == next_hops) {
                continue;
            }
            let spec = LoadSpec {
                next_hops,
                ..request.spec.clone()
            };
            let load = match &replay {
                Some((routes, _)) => Load::from_routes(spec, routes)?,
                None => Load::new(spec)?,
            };
            loads.push((next_hops, Arc::new(load)));
        }
        let plan = Plan {
            loads,
            mrt: replay.map(|(_, summary)| summary),
            request,
        };
        for t in &plan.request.targets {
            t.check(&plan.load_for(t))?;
        }
        Ok(plan)
    }

    /// The load of the first target (the routes are the same for all; a plan has at least
    /// one target, so at least one load).
    pub fn load(&self) -> &Load {
        &self.loads[0].1
    }

    /// The load for target `t`.
    fn load_for(&self, t: &Target) -> Arc<Load> {
        self.loads
            .iter()
            .find(|(n, _)| *n == t.next_hops())
            .map_or_else(|| self.loads[0].1.clone(), |(_, l)| l.clone())
    }

    /// One line saying what the load is, for the table and the plot.
    pub fn describe(&self) -> String {
        let spec = &self.request.spec;
        let load = self.load();
        let source = match (&self.request.mrt, &self.mrt) {
            (Some(path), Some(sum)) => format!(
                ", replaying {} (kept {} of {} announcements)",
                path.display(),
                sum.kept,
                sum.read
            ),
            _ => String::new(),
        };
        format!(
            "shape {}, {} testers x {} prefixes ({}% ipv6), {} routes expected at the monitors, seed {}{source}",
            format!("{:?}", spec.shape).to_lowercase(),
            spec.testers,
            load.spec.prefixes,
            (load.spec.ipv6_share * 100.0).round(),
            load.total_expected(),
            spec.seed
        )
    }

    /// Every run against every target; `on_run(target, run_number, result)` is called after
    /// each (from 1).
    pub async fn run(&self, mut on_run: impl FnMut(&Target, usize, &RunResult)) -> Vec<TargetReport> {
        let mut reports = Vec::with_capacity(self.request.targets.len());
        for t in &self.request.targets {
            let mut runs = Vec::with_capacity(self.request.runs);
            for i in 1..=self.request.runs {
                let result = self.run_once(t, i).await;
                on_run(t, i, &result);
                runs.push(result);
            }
            reports.push(TargetReport::new(t.to_string(), runs));
        }
        reports
    }

    /// Run `i` against `t`: the target started, the load run, the target stopped.
    async fn run_once(&self, t: &Target, i: usize) -> RunResult {
        let load = self.load_for(t);
        let opts = RunOptions {
            time_limit: Duration::from_secs_f64(self.request.time_limit_s),
            rate: self.request.rate,
            progress: self.request.progress,
            label: format!("{t} run {i}/{}", self.request.runs),
        };
        match targets::start(t, &load, self.request.target_pid).await {
            Ok(running) => {
                let r = run::run_once(load.clone(), &running, &opts).await;
                running.stop().await;
                r
            }
            Err(e) => run::failed(&load, format!("cannot start the target: {e}")),
        }
    }
}

/// The runs, time limit and rate within their bounds.
fn check_limits(r: &Request) -> Result<(), String> {
    if r.targets.is_empty() {
        return Err("give --target or --compare".into());
    }
    if r.runs == 0 || r.runs > MAX_RUNS {
        return Err(format!("--runs must be 1 to {MAX_RUNS}"));
    }
    if !(r.time_limit_s > 0.0 && r.time_limit_s <= MAX_TIME_LIMIT_S) {
        return Err(format!("--time-limit must be between 0 and {MAX_TIME_LIMIT_S} seconds"));
    }
    if r.rate.is_some_and(|r| r.is_nan() || r <= 0.0) {
        return Err("--rate must be positive".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::harness::load::{SessionTransport, Shape};

    fn request(targets: &[&str]) -> Request {
        Request {
            targets: targets.iter().map(|t| t.parse().unwrap()).collect(),
            spec: LoadSpec {
                shape: Shape::Bgperf,
                testers: 2,
                prefixes: 10,
                ipv6_share: 0.0,
                seed: 1,
                next_hops: NextHops::Labels,
                transport: SessionTransport::Ipv4,
            },
            mrt: None,
            runs: 1,
            time_limit_s: 60.0,
            rate: None,
            target_pid: None,
            progress: false,
        }
    }

    #[test]
    fn each_kind_of_next_hop_gets_its_own_load_of_the_same_routes() {
        let plan = Plan::new(request(&["bird", "peerlab", "gobgp"])).unwrap();
        assert_eq!(plan.loads.len(), 2);
        let bird = plan.load_for(&Target::Bird);
        let peerlab = plan.load_for(&Target::Peerlab);
        assert_eq!(bird.spec.next_hops, NextHops::Labels);
        assert_eq!(peerlab.spec.next_hops, NextHops::SessionAddress);
        assert_eq!(bird.prefixes, peerlab.prefixes);
        assert!(Arc::ptr_eq(&bird, &plan.load_for(&Target::Gobgp)));
        assert!(plan
            .describe()
            .starts_with("shape bgperf, 2 testers x 10 prefixes (0% ipv6), 20 routes"));
    }

    #[test]
    fn what_a_target_cannot_carry_is_refused_before_anything_starts() {
        let mut r = request(&["peerlab", "bird"]);
        r.spec.transport = SessionTransport::Ipv6;
        let e = Plan::new(r).unwrap_err();
        assert!(e.contains("--target peerlab only") && e.contains("bird"), "{e}");
        let mut r = request(&["peerlab-process"]);
        r.spec.ipv6_share = 0.5;
        let e = Plan::new(r).unwrap_err();
        assert!(
            e.contains("IPv4 prefixes only") && e.contains("--target peerlab"),
            "{e}"
        );
    }

    #[test]
    fn runs_time_limit_and_rate_out_of_bounds_are_refused_naming_the_option() {
        let with = |f: fn(&mut Request)| {
            let mut r = request(&["peerlab"]);
            f(&mut r);
            Plan::new(r).unwrap_err()
        };
        assert!(with(|r| r.runs = 0).contains("--runs must be 1 to 100"));
        assert!(with(|r| r.runs = MAX_RUNS + 1).contains("--runs"));
        assert!(with(|r| r.time_limit_s = 0.0).contains("--time-limit"));
        assert!(with(|r| r.rate = Some(f64::NAN)).contains("--rate must be positive"));
        assert!(with(|r| r.targets.clear()).contains("give --target or --compare"));
    }
}
