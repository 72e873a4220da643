//! One run: open every session to the target, wait until all are up, send every tester's
//! pre-encoded UPDATEs, and wait until every monitor holds every expected route (or the
//! time limit passes). Measures the phases, when the testers were done feeding, and the
//! target's CPU time and peak memory.

use super::feed::{self, Encoded};
use super::load::Load;
use super::measure;
use super::progress::Progress;
use super::sessions::{self, Sessions, Shared};
use super::targets::RunningTarget;
use super::verify::Verdict;
use bgp_core::SessionContext;
use serde::Serialize;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;
use tokio::time::Instant;

/// How often the received-routes curve is sampled.
const SAMPLE: Duration = Duration::from_millis(100);
/// How often the sessions are counted while they come up.
const UP_POLL: Duration = Duration::from_millis(20);

/// How a run goes.
#[derive(Clone, Debug)]
pub struct RunOptions {
    /// Give up (and report) after this long.
    pub time_limit: Duration,
    /// Pace all testers together to this many routes per second (flat out when `None`).
    pub rate: Option<f64>,
    /// Show progress on stderr (a bar on a terminal, else a plain line every 10 s).
    pub progress: bool,
    /// Name shown in the progress display.
    pub label: String,
}

/// What one run measured.
#[derive(Clone, Debug, Serialize)]
pub struct RunResult {
    /// Every session Established, in seconds from the first connection.
    pub sessions_up_s: Option<f64>,
    /// From the first UPDATE sent until every monitor held every route.
    pub convergence_s: Option<f64>,
    /// From the first UPDATE sent until the testers were done feeding: every UPDATE handed
    /// to their sockets and acknowledged by the target's kernel (none in flight on the wire).
    /// Well below `convergence_s` means the target, not the tester, set the pace.
    pub testers_done_s: Option<f64>,
    /// Routes verified at the monitors in the end.
    pub routes_verified: u64,
    /// Routes the monitors had to hold.
    pub routes_expected: u64,
    /// Verified routes per second of convergence.
    pub routes_per_s: Option<f64>,
    /// The target's CPU seconds during the run (user + system); none for peerlab in this
    /// process (the testers' CPU cannot be told apart).
    pub target_cpu_s: Option<f64>,
    /// The target's peak RSS in KiB (VmHWM; the process's lifetime peak); none for peerlab
    /// in this process.
    pub target_peak_rss_kib: Option<u64>,
    /// Sessions that went down after Established.
    pub session_downs: u64,
    /// (seconds since the first UPDATE, verified routes) every 100 ms.
    pub series: Vec<(f64, u64)>,
    /// What was missing or wrong.
    pub verdict: Verdict,
    /// Why the run failed, when it did.
    pub error: Option<String>,
}

impl RunResult {
    /// Whether the run converged with every route right.
    pub fn ok(&self) -> bool {
        self.error.is_none() && self.verdict.clean() && self.convergence_s.is_some()
    }
}

/// What the sending phase gave: the curve, convergence, the testers' end of feeding, or why
/// it failed.
#[derive(Default)]
struct Phase {
    series: Vec<(f64, u64)>,
    convergence_s: Option<f64>,
    testers_done_s: Option<f64>,
    error: Option<String>,
}

impl Phase {
    fn failed(error: String) -> Phase {
        Phase {
            error: Some(error),
            ..Phase::default()
        }
    }
}

/// Runs the load once against `target`: sessions up, UPDATEs out, convergence, then the
/// monitors' verdict and a Cease to every session.
pub async fn run_once(load: Arc<Load>, target: &RunningTarget, opts: &RunOptions) -> RunResult {
    // Everything is encoded before the clock starts.
    let encoded = match encode(&load) {
        Ok(e) => e,
        Err(e) => return failed(&load, e),
    };
    let shared = Arc::new(Shared::new(load.clone()));
    let mut progress = Progress::new(&opts.label, shared.total, opts.progress);
    let pid = target.pid();
    let cpu0 = pid.and_then(measure::cpu_seconds);
    let start = Instant::now();
    let deadline = start + opts.time_limit;
    let mut sessions = sessions::open(&load, target, &shared);
    let n = sessions.count;
    let sessions_up_s = wait_up(&shared, n, start, deadline, &mut progress).await;
    let phase = match (sessions_up_s, shared.wrong_context.get()) {
        (None, _) => Phase::failed(format!(
            "only {} of {n} sessions came up within the time limit",
            shared.up()
        )),
        (Some(_), Some(e)) => Phase::failed(e.clone()),
        (Some(_), None) => converge(&load, &shared, &sessions, encoded, opts, start, &mut progress).await,
    };
    progress.finish();
    let target_cpu_s = match (cpu0, pid.and_then(measure::cpu_seconds)) {
        (Some(a), Some(b)) => Some(b - a),
        _ => None,
    };
    let target_peak_rss_kib = pid.and_then(measure::peak_rss_kib);
    let verdict = sessions.verdict(&load).await;
    sessions.close().await;
    let routes_verified = shared.verified();
    RunResult {
        sessions_up_s,
        routes_per_s: phase
            .convergence_s
            .filter(|c| *c > 0.0)
            .map(|c| routes_verified as f64 / c),
        convergence_s: phase.convergence_s,
        testers_done_s: phase.testers_done_s,
        routes_verified,
        routes_expected: shared.total,
        target_cpu_s,
        target_peak_rss_kib,
        session_downs: shared.downs.load(Ordering::Relaxed),
        series: phase.series,
        verdict,
        error: phase.error,
    }
}

/// Every tester's UPDATEs, encoded for the plain session context.
fn encode(load: &Load) -> Result<Vec<Encoded>, String> {
    let ctx = SessionContext::default();
    (0..load.spec.testers)
        .map(|k| load.encode(k, &ctx).map_err(|e| format!("encoding tester {k}: {e}")))
        .collect()
}

/// Phase 1: waits (until `deadline`) for all `n` sessions to be Established; returns when
/// they were, in seconds from `start`.
async fn wait_up(shared: &Shared, n: usize, start: Instant, deadline: Instant, progress: &mut Progress) -> Option<f64> {
    while shared.up() < n && Instant::now() < deadline {
        progress.update(shared.up(), n, 0, shared.total, start.elapsed());
        tokio::time::sleep(UP_POLL).await;
    }
    (shared.up() == n).then(|| start.elapsed().as_secs_f64())
}

/// Phase 2: sends everything and samples until every route is verified or the time limit
/// passes.
async fn converge(
    load: &Load,
    shared: &Shared,
    sessions: &Sessions,
    encoded: Vec<Encoded>,
    opts: &RunOptions,
    start: Instant,
    progress: &mut Progress,
) -> Phase {
    let deadline = start + opts.time_limit;
    let t0 = Instant::now();
    let ports: Vec<u16> = sessions.ports.iter().copied().collect();
    let fed = feed::start(load, encoded, &sessions.commands, ports, opts.rate, deadline);
    let mut series = Vec::new();
    loop {
        let done = shared.converged.get().is_some() || shared.total == 0;
        series.push((t0.elapsed().as_secs_f64(), shared.verified()));
        progress.update(
            sessions.count,
            sessions.count,
            shared.verified(),
            shared.total,
            start.elapsed(),
        );
        if done || Instant::now() >= deadline {
            break;
        }
        let _ = tokio::time::timeout(SAMPLE, shared.notify.notified()).await;
    }
    let testers_done_s = fed.finish(t0).await;
    let convergence_s = match (shared.converged.get(), shared.total) {
        (_, 0) => Some(0.0),
        (Some(at), _) => Some(at.duration_since(t0).as_secs_f64()),
        (None, _) => None,
    };
    if let (Some(c), Some(last)) = (convergence_s, series.last_mut()) {
        *last = (c, shared.verified());
    }
    let error = convergence_s.is_none().then(|| {
        format!(
            "not converged within the time limit ({} s)",
            opts.time_limit.as_secs_f64()
        )
    });
    Phase {
        series,
        convergence_s,
        testers_done_s,
        error,
    }
}

/// The result of a run that could not take place (nothing measured), with its reason.
pub fn failed(load: &Load, e: String) -> RunResult {
    RunResult {
        sessions_up_s: None,
        convergence_s: None,
        testers_done_s: None,
        routes_verified: 0,
        routes_expected: load.total_expected(),
        routes_per_s: None,
        target_cpu_s: None,
        target_peak_rss_kib: None,
        session_downs: 0,
        series: Vec::new(),
        verdict: Verdict::default(),
        error: Some(e),
    }
}
