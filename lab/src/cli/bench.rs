//! `peerlab bench`: route-server throughput of peerlab's own route server, side by side
//! with BIRD and GoBGP. Testers announce pre-encoded UPDATEs, monitors check every route;
//! the table (or `--json`) gives session set-up time, when the testers were done feeding,
//! convergence time, routes/s and the target's CPU and peak memory.

use clap::Args;
use peerlab::harness::load::{LoadSpec, NextHops, SessionTransport, Shape};
use peerlab::harness::plan::{Plan, Request};
use peerlab::harness::plot;
use peerlab::harness::report::{self, TargetReport};
use peerlab::harness::targets::Target;
use serde_json::json;
use std::process::ExitCode;

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

impl BenchArgs {
    /// The request these arguments make.
    fn request(&self) -> Request {
        let targets = match &self.target {
            Some(t) => vec![t.clone()],
            None => self.compare.clone(),
        };
        Request {
            targets,
            spec: LoadSpec {
                shape: self.shape,
                testers: self.testers,
                prefixes: self.prefixes,
                ipv6_share: self.ipv6_share,
                seed: self.seed,
                next_hops: NextHops::Labels,
                transport: self.transport,
            },
            mrt: self.mrt.clone(),
            runs: self.runs,
            time_limit_s: self.time_limit,
            rate: self.rate,
            target_pid: self.target_pid,
            progress: !self.no_progress,
        }
    }
}

/// Runs the subcommand.
pub fn run(args: &BenchArgs) -> ExitCode {
    let plan = match Plan::new(args.request()) {
        Ok(p) => p,
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
    let reports = rt.block_on(plan.run(|t, i, result| {
        if !result.ok() {
            eprintln!(
                "peerlab bench: {t} run {i} failed: {}\n{}",
                result.error.as_deref().unwrap_or("routes not as expected"),
                result.verdict.describe()
            );
        }
    }));
    let title = plan.describe();
    if let Some(path) = &args.plot {
        if let Err(e) = std::fs::write(path, plot::of_reports(&title, &reports)) {
            eprintln!("peerlab bench: writing {}: {e}", path.display());
        }
    }
    let ok = reports.iter().all(|r| r.ok);
    if args.json {
        println!("{}", json_document(&plan, ok, &reports));
    } else {
        print!("{}", report::table(&title, &reports));
    }
    super::status(!ok)
}

/// The `--json` document: the load, then each target's report.
fn json_document(plan: &Plan, ok: bool, reports: &[TargetReport]) -> serde_json::Value {
    let (r, load) = (&plan.request, plan.load());
    json!({
        "ok": ok,
        "load": {
            "shape": r.spec.shape, "testers": r.spec.testers, "prefixes": load.spec.prefixes,
            "ipv6-share": load.spec.ipv6_share, "seed": r.spec.seed, "transport": r.spec.transport, "rate": r.rate,
            "routes-expected": load.total_expected(),
            "mrt": plan.mrt.as_ref().map(|sum| json!({
                "file": r.mrt.as_ref().map(|p| p.display().to_string()), "summary": sum,
            })),
        },
        "targets": reports,
    })
}
