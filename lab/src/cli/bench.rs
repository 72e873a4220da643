//! `peerlab bench`: route-server throughput of peerlab's own route server, side by side
//! with BIRD and GoBGP. Testers announce pre-encoded UPDATEs, monitors check every route;
//! the table (or `--json`) gives session set-up time, when the testers were done feeding,
//! convergence time, routes/s and the target's CPU and peak memory.

use clap::Args;
use peerlab::harness::load::{Load, LoadSpec, NextHops, SessionTransport, Shape};
use peerlab::harness::mrt;
use peerlab::harness::plot;
use peerlab::harness::report::{self, TargetReport};
use peerlab::harness::run::{self, RunOptions};
use peerlab::harness::targets::{self, Target};
use serde_json::json;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

/// Most runs per target.
const MAX_RUNS: usize = 100;

/// Arguments of `peerlab bench`.
#[derive(Args, Debug)]
pub struct BenchArgs {
    /// The route server: peerlab (in this process), peerlab-process (a separate
    /// `peerlab route-server`), bird, gobgp (started by peerlab on loopback) or HOST:PORT of
    /// one already running on loopback.
    #[arg(long, conflicts_with = "compare")]
    pub target: Option<Target>,
    /// Run the same load against each of these targets, e.g. bird,gobgp,peerlab-process.
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
    /// Replay the prefixes and AS paths of this MRT RIB dump (uncompressed TABLE_DUMP_V2 or
    /// TABLE_DUMP) instead of synthetic ones; --prefixes caps each tester's share.
    #[arg(long, value_name = "FILE")]
    pub mrt: Option<std::path::PathBuf>,
    /// Share of IPv6 /48s among the prefixes (the rest are IPv4 /24s), 0 to 1.
    #[arg(long, default_value_t = 0.0)]
    pub ipv6_share: f64,
    /// The sessions' TCP over IPv4 (each client from its own 127.1.x.y) or IPv6 (every
    /// client from ::1, a listen port per session: --target peerlab only).
    #[arg(long, value_enum, default_value = "ipv4")]
    pub transport: SessionTransport,
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
    /// No progress on stderr (a bar on a terminal, else a plain line every 10 s).
    #[arg(long)]
    pub no_progress: bool,
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
    if args.transport == SessionTransport::Ipv6 && targets.iter().any(|t| *t != Target::Peerlab) {
        return usage(
            "--transport ipv6 works with --target peerlab only: every client connects from ::1, and the other \
             targets cannot be given a listen port per session here",
        );
    }
    if targets.contains(&Target::PeerlabProcess) && args.ipv6_share > 0.0 {
        return usage(
            "peerlab-process carries IPv4 prefixes only (its configuration file cannot give each client a second \
             session for IPv6 on a shared loopback address): use --ipv6-share 0, or --target peerlab",
        );
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
        next_hops: NextHops::Labels,
        transport: args.transport,
    };
    let replay = match &args.mrt {
        Some(path) => match mrt::read_routes(path, args.testers.saturating_mul(args.prefixes)) {
            Ok(r) => Some(r),
            Err(e) => return usage(format!("--mrt: {e}")),
        },
        None => None,
    };
    // The same routes for every target; only the IPv4 next hop differs (see NextHops).
    let mut loads: Vec<(NextHops, Arc<Load>)> = Vec::new();
    for t in &targets {
        let next_hops = t.next_hops();
        if loads.iter().any(|(n, _)| *n == next_hops) {
            continue;
        }
        let spec = LoadSpec {
            next_hops,
            ..spec.clone()
        };
        let built = match &replay {
            Some((routes, _)) => Load::from_routes(spec, routes),
            None => Load::new(spec),
        };
        match built {
            Ok(l) => loads.push((next_hops, Arc::new(l))),
            Err(e) => return usage(e),
        }
    }
    let Some(load) = loads.first().map(|(_, l)| l.clone()) else {
        return usage("give --target or --compare");
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
        let load_t = loads
            .iter()
            .find(|(n, _)| *n == t.next_hops())
            .map_or_else(|| load.clone(), |(_, l)| l.clone());
        let mut runs = Vec::with_capacity(args.runs);
        for i in 0..args.runs {
            let opts = RunOptions {
                time_limit: Duration::from_secs_f64(args.time_limit),
                rate: args.rate,
                progress: !args.no_progress,
                label: format!("{t} run {}/{}", i + 1, args.runs),
            };
            let result = rt.block_on(async {
                match targets::start(t, &load_t, args.target_pid).await {
                    Ok(running) => {
                        let r = run::run_once(load_t.clone(), &running, &opts).await;
                        running.stop().await;
                        r
                    }
                    Err(e) => run::failed(&load_t, format!("cannot start the target: {e}")),
                }
            });
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
    let source = match (&args.mrt, &replay) {
        (Some(path), Some((_, sum))) => format!(
            ", replaying {} (kept {} of {} announcements)",
            path.display(),
            sum.kept,
            sum.read
        ),
        _ => String::new(),
    };
    let load_line = format!(
        "shape {}, {} testers x {} prefixes ({}% ipv6), {} routes expected at the monitors, seed {}{source}",
        format!("{:?}", args.shape).to_lowercase(),
        args.testers,
        load.spec.prefixes,
        (load.spec.ipv6_share * 100.0).round(),
        load.total_expected(),
        args.seed
    );
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
                "shape": args.shape, "testers": args.testers, "prefixes": load.spec.prefixes,
                "ipv6-share": load.spec.ipv6_share, "seed": args.seed, "transport": args.transport, "rate": args.rate,
                "routes-expected": load.total_expected(),
                "mrt": replay.as_ref().map(|(_, sum)| json!({
                    "file": args.mrt.as_ref().map(|p| p.display().to_string()), "summary": sum,
                })),
            },
            "targets": reports,
        });
        println!("{v}");
    } else {
        print!("{}", report::table(&load_line, &reports));
    }
    super::status(!ok)
}
