//! `peerlab bench`: route-server throughput, side by side with BIRD and GoBGP. Testers
//! announce pre-encoded UPDATEs, monitors check every route; the table (or `--json`) gives
//! session set-up time, convergence time, routes/s and the target's CPU and peak memory.

use crate::bench::load::{Load, LoadSpec, Shape};
use crate::bench::plot;
use crate::bench::report::{self, TargetReport};
use crate::bench::run::{self, RunOptions};
use crate::bench::targets::{self, Target};
use clap::Args;
use serde_json::json;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

/// Most runs per target.
const MAX_RUNS: usize = 100;

/// Arguments of `peerlab bench`.
#[derive(Args, Debug)]
pub struct BenchArgs {
    /// The route server: bird, gobgp (started by peerlab on loopback) or HOST:PORT of one
    /// already running on loopback (peerlab: not yet).
    #[arg(long, conflicts_with = "compare")]
    pub target: Option<Target>,
    /// Run the same load against each of these targets, e.g. bird,gobgp.
    #[arg(long, value_delimiter = ',')]
    pub compare: Vec<Target>,
    /// bgperf: N testers and one monitor; ixp: every client announces and receives.
    #[arg(long, value_enum, default_value = "bgperf")]
    pub shape: Shape,
    /// Testers (in the ixp shape, clients); each its own 127.1.x.y address.
    #[arg(long, default_value_t = 10)]
    pub testers: usize,
    /// Unique prefixes each tester announces.
    #[arg(long, default_value_t = 1000)]
    pub prefixes: usize,
    /// Share of IPv6 /48s among the prefixes (the rest are IPv4 /24s), 0 to 1.
    #[arg(long, default_value_t = 0.0)]
    pub ipv6_share: f64,
    /// Seed for AS paths, MEDs and communities.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Pace all testers together to this many routes per second (default: flat out).
    #[arg(long, value_name = "ROUTES_PER_S")]
    pub rate: Option<f64>,
    /// Runs per target (a fresh daemon each time); figures are min/median/max.
    #[arg(long, default_value_t = 1)]
    pub runs: usize,
    /// Seconds a run may take before it fails with a report of what is missing.
    #[arg(long, default_value_t = 120.0, value_name = "SECONDS")]
    pub time_limit: f64,
    /// With --target HOST:PORT: the route server's pid, to measure its CPU and memory.
    #[arg(long, value_name = "PID")]
    pub target_pid: Option<u32>,
    /// Print JSON instead of the table.
    #[arg(long)]
    pub json: bool,
    /// Write a plot of routes received over time per target (SVG).
    #[arg(long, value_name = "FILE.svg")]
    pub plot: Option<std::path::PathBuf>,
}

fn usage(msg: impl std::fmt::Display) -> ExitCode {
    eprintln!("peerlab bench: {msg}");
    ExitCode::from(super::EXIT_USAGE)
}

/// Runs the subcommand.
pub fn run(args: &BenchArgs) -> ExitCode {
    let targets: Vec<Target> = match (&args.target, args.compare.is_empty()) {
        (Some(t), _) => vec![t.clone()],
        (None, false) => args.compare.clone(),
        (None, true) => return usage("give --target or --compare"),
    };
    if targets.contains(&Target::Peerlab) {
        return usage("not yet: `peerlab` as a bench target waits for the route-server runtime; start `peerlab route-server` and pass --target 127.0.0.1:PORT");
    }
    if args.runs == 0 || args.runs > MAX_RUNS {
        return usage(format!("--runs must be 1 to {MAX_RUNS}"));
    }
    if !(args.time_limit > 0.0 && args.time_limit <= 86_400.0) {
        return usage("--time-limit must be between 0 and 86400 seconds");
    }
    if args.rate.is_some_and(|r| r.is_nan() || r <= 0.0) {
        return usage("--rate must be positive");
    }
    let spec = LoadSpec {
        shape: args.shape,
        testers: args.testers,
        prefixes: args.prefixes,
        ipv6_share: args.ipv6_share,
        seed: args.seed,
    };
    let load = match Load::new(spec) {
        Ok(l) => Arc::new(l),
        Err(e) => return usage(e),
    };
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => return usage(format!("cannot start the runtime: {e}")),
    };
    let mut reports = Vec::with_capacity(targets.len());
    for t in &targets {
        let mut runs = Vec::with_capacity(args.runs);
        for i in 0..args.runs {
            let opts = RunOptions {
                time_limit: Duration::from_secs_f64(args.time_limit),
                rate: args.rate,
                progress: true,
                label: format!("{t} run {}/{}", i + 1, args.runs),
            };
            let result = match targets::start(t, &load.clients, args.target_pid) {
                Ok(running) => {
                    let r = rt.block_on(run::run_once(load.clone(), &running, &opts));
                    drop(running);
                    r
                }
                Err(e) => run::failed(&load, format!("cannot start the target: {e}")),
            };
            if !result.ok() {
                eprintln!(
                    "peerlab bench: {t} run {} failed: {}\n{}",
                    i + 1,
                    result.error.as_deref().unwrap_or("routes not as expected"),
                    result.verdict.describe()
                );
            }
            runs.push(result);
        }
        reports.push(TargetReport::new(t.to_string(), runs));
    }
    let load_line = format!(
        "shape {:?}, {} testers x {} prefixes ({}% IPv6), {} routes expected at the monitors, seed {}",
        args.shape,
        args.testers,
        args.prefixes,
        (args.ipv6_share * 100.0).round(),
        load.total_expected(),
        args.seed
    )
    .to_lowercase();
    if let Some(path) = &args.plot {
        let series: Vec<plot::Series<'_>> = reports
            .iter()
            .filter_map(|r| {
                r.median_run().map(|m| plot::Series {
                    name: &r.target,
                    points: &m.series,
                })
            })
            .collect();
        if let Err(e) = std::fs::write(path, plot::svg(&load_line, &series)) {
            eprintln!("peerlab bench: writing {}: {e}", path.display());
        }
    }
    let ok = reports.iter().all(|r| r.ok);
    if args.json {
        let v = json!({
            "ok": ok,
            "load": {
                "shape": args.shape, "testers": args.testers, "prefixes": args.prefixes,
                "ipv6-share": args.ipv6_share, "seed": args.seed, "rate": args.rate,
                "routes-expected": load.total_expected(),
            },
            "targets": reports,
        });
        println!("{v}");
    } else {
        print!("{}", report::table(&load_line, &reports));
    }
    super::status(!ok)
}
