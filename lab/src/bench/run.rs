//! One run: open every session to the target, wait until all are up, send every tester's
//! pre-encoded UPDATEs, and wait until every monitor holds every expected route (or the
//! time limit passes). Measures the phases and the target's CPU time and peak memory.

use super::load::{Client, Load, TARGET_AS};
use super::targets::{process, RunningTarget};
use super::verify::{MonitorTable, Verdict};
use bgp_core::fsm::{Cease, PeerAs, SessionConfig};
use bgp_core::speaker::{self, Command, DriverOptions, SessionEvent, TcpConnector};
use bgp_core::SessionContext;
use bytes::Bytes;
use serde::Serialize;
use std::io::{IsTerminal, Write};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;
use tokio::sync::{mpsc, watch, Notify};
use tokio::time::Instant;

/// UPDATEs handed to a session per command (below its write queue, so it keeps reading).
const CHUNK: usize = 64;
/// How often the received-routes curve is sampled.
const SAMPLE: Duration = Duration::from_millis(100);

/// How a run goes.
#[derive(Clone, Debug)]
pub struct RunOptions {
    /// Give up (and report) after this long.
    pub time_limit: Duration,
    /// Pace all testers together to this many routes per second (flat out when `None`).
    pub rate: Option<f64>,
    /// Show a progress line on stderr (only when it is a terminal).
    pub progress: bool,
    /// Name shown in the progress line.
    pub label: String,
}

/// What one run measured.
#[derive(Clone, Debug, Serialize)]
pub struct RunResult {
    /// Every session Established, in seconds from the first connection.
    pub sessions_up_s: Option<f64>,
    /// From the first UPDATE sent until every monitor held every route.
    pub convergence_s: Option<f64>,
    /// Routes verified at the monitors in the end.
    pub routes_verified: u64,
    /// Routes the monitors had to hold.
    pub routes_expected: u64,
    /// Verified routes per second of convergence.
    pub routes_per_s: Option<f64>,
    /// The target's CPU seconds during the run (user + system).
    pub target_cpu_s: Option<f64>,
    /// The target's peak RSS in KiB (VmHWM; the process's lifetime peak).
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

/// Shared between the session tasks and the run.
struct Shared {
    load: Arc<Load>,
    ok_total: AtomicU64,
    total: u64,
    established: AtomicUsize,
    downs: AtomicU64,
    converged: OnceLock<Instant>,
    notify: Notify,
    wrong_context: OnceLock<String>,
}

fn session_config(c: &Client) -> SessionConfig {
    let id = match c.addr {
        IpAddr::V4(a) => a,
        IpAddr::V6(_) => Ipv4Addr::new(10, 1, (c.index >> 8) as u8, c.index as u8),
    };
    let mut cfg = SessionConfig::new(
        format!("bench-{}", c.index).as_str(),
        c.asn,
        PeerAs::Exact(TARGET_AS),
        id,
    );
    cfg.connect_retry_time = 1;
    cfg.hold_time = 90;
    cfg.extended_message = false;
    cfg.add_path = Vec::new();
    cfg
}

/// Drains one session's events; a monitor checks every UPDATE. Returns the monitor's table.
async fn client_task(
    client: Client,
    mut events: mpsc::Receiver<SessionEvent>,
    shared: Arc<Shared>,
    mut stop: watch::Receiver<bool>,
) -> Option<MonitorTable> {
    let mut table = client
        .monitor
        .then(|| MonitorTable::new(client.index, shared.load.expected_count(&client)));
    let mut up = false;
    loop {
        let ev = tokio::select! {
            e = events.recv() => e,
            _ = stop.changed() => None,
        };
        let Some(ev) = ev else { break };
        match ev {
            SessionEvent::Established(n) => {
                if n.tx != SessionContext::default() {
                    let _ = shared
                        .wrong_context
                        .set(format!("client {}: unexpected negotiation {:?}", client.index, n.tx));
                }
                if !up {
                    up = true;
                    shared.established.fetch_add(1, Ordering::Relaxed);
                }
            }
            SessionEvent::Down { .. } if up => {
                shared.downs.fetch_add(1, Ordering::Relaxed);
            }
            SessionEvent::Update(v) => {
                if let Some(t) = table.as_mut() {
                    t.apply(&shared.load, &v, &shared.ok_total);
                    if shared.ok_total.load(Ordering::Relaxed) == shared.total
                        && shared.converged.set(Instant::now()).is_ok()
                    {
                        shared.notify.notify_one();
                    }
                }
            }
            _ => {}
        }
    }
    table
}

/// Sends one tester's UPDATEs, flat out or paced to `per_tester_rate` routes per second.
async fn send_task(commands: mpsc::Sender<Command>, msgs: Vec<Bytes>, routes: usize, per_tester_rate: Option<f64>) {
    let start = Instant::now();
    let per_msg = routes as f64 / msgs.len().max(1) as f64;
    let mut sent = 0usize;
    let mut it = msgs.into_iter().peekable();
    while it.peek().is_some() {
        let n = match per_tester_rate {
            Some(_) => 1,
            None => CHUNK,
        };
        let chunk: Vec<Bytes> = it.by_ref().take(n).collect();
        sent += chunk.len();
        if commands.send(Command::SendUpdates(chunk)).await.is_err() {
            return;
        }
        if let Some(r) = per_tester_rate {
            let due = start + Duration::from_secs_f64(sent as f64 * per_msg / r.max(0.001));
            tokio::time::sleep_until(due).await;
        }
    }
}

fn progress_line(opts: &RunOptions, shared: &Shared, clients: usize, t: Duration) {
    let ok = shared.ok_total.load(Ordering::Relaxed);
    let pct = if shared.total == 0 {
        100.0
    } else {
        ok as f64 * 100.0 / shared.total as f64
    };
    let mut err = std::io::stderr().lock();
    let _ = write!(
        err,
        "\r{}: {}/{} sessions up, {}/{} routes ({pct:.1}%), {:.1} s   ",
        opts.label,
        shared.established.load(Ordering::Relaxed),
        clients,
        ok,
        shared.total,
        t.as_secs_f64()
    );
    let _ = err.flush();
}

/// Runs the load once against `target`.
pub async fn run_once(load: Arc<Load>, target: &RunningTarget, opts: &RunOptions) -> RunResult {
    let progress = opts.progress && std::io::stderr().is_terminal();
    let ctx = SessionContext::default();
    // Everything is encoded before the clock starts.
    let mut encoded = Vec::with_capacity(load.spec.testers);
    for k in 0..load.spec.testers {
        match load.encode(k, &ctx) {
            Ok(m) => encoded.push(m),
            Err(e) => return failed(&load, format!("encoding tester {k}: {e}")),
        }
    }
    let shared = Arc::new(Shared {
        total: load.total_expected(),
        load: load.clone(),
        ok_total: AtomicU64::new(0),
        established: AtomicUsize::new(0),
        downs: AtomicU64::new(0),
        converged: OnceLock::new(),
        notify: Notify::new(),
        wrong_context: OnceLock::new(),
    });
    let pid = target.pid();
    let cpu0 = pid.and_then(process::cpu_seconds);
    let (stop_tx, stop_rx) = watch::channel(false);
    let start = Instant::now();
    let deadline = start + opts.time_limit;
    let mut commands = Vec::with_capacity(load.clients.len());
    let mut tasks = Vec::with_capacity(load.clients.len());
    let mut session_tasks = Vec::with_capacity(load.clients.len());
    for c in &load.clients {
        let mut conn = TcpConnector::new(target.addr);
        conn.local = Some(SocketAddr::new(c.addr, 0));
        let (_, incoming) = mpsc::channel(1);
        let h = speaker::spawn_session(
            session_config(c),
            Box::new(conn),
            incoming,
            DriverOptions {
                start: true,
                restart_after: Some(Duration::from_secs(1)),
            },
        );
        commands.push(h.commands);
        session_tasks.push(h.task);
        tasks.push(tokio::spawn(client_task(
            c.clone(),
            h.events,
            shared.clone(),
            stop_rx.clone(),
        )));
    }
    let n = load.clients.len();
    let mut error = None;
    // Phase 1: every session up.
    while shared.established.load(Ordering::Relaxed) < n && Instant::now() < deadline {
        if progress {
            progress_line(opts, &shared, n, start.elapsed());
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let up = shared.established.load(Ordering::Relaxed);
    let sessions_up_s = (up == n).then(|| start.elapsed().as_secs_f64());
    let mut series = Vec::new();
    let mut convergence_s = None;
    let t0 = Instant::now();
    if up < n {
        error = Some(format!("only {up} of {n} sessions came up within the time limit"));
    } else if let Some(e) = shared.wrong_context.get() {
        error = Some(e.clone());
    } else {
        // Phase 2: send everything, sample until every route is verified.
        let per_tester = opts.rate.map(|r| r / load.spec.testers.max(1) as f64);
        let mut senders = Vec::with_capacity(load.spec.testers);
        for (k, msgs) in encoded.into_iter().enumerate() {
            senders.push(tokio::spawn(send_task(
                commands[k].clone(),
                msgs,
                load.spec.prefixes,
                per_tester,
            )));
        }
        let mut last_progress = Instant::now();
        loop {
            let done = shared.converged.get().is_some() || shared.total == 0;
            series.push((t0.elapsed().as_secs_f64(), shared.ok_total.load(Ordering::Relaxed)));
            if progress && (done || last_progress.elapsed() >= Duration::from_millis(200)) {
                progress_line(opts, &shared, n, start.elapsed());
                last_progress = Instant::now();
            }
            if done || Instant::now() >= deadline {
                break;
            }
            let _ = tokio::time::timeout(SAMPLE, shared.notify.notified()).await;
        }
        for s in senders {
            s.abort();
        }
        convergence_s = match (shared.converged.get(), shared.total) {
            (_, 0) => Some(0.0),
            (Some(at), _) => Some(at.duration_since(t0).as_secs_f64()),
            (None, _) => None,
        };
        if let Some(c) = convergence_s {
            if let Some(last) = series.last_mut() {
                *last = (c, shared.ok_total.load(Ordering::Relaxed));
            }
        }
        if convergence_s.is_none() {
            error = Some(format!(
                "not converged within the time limit ({} s)",
                opts.time_limit.as_secs_f64()
            ));
        }
    }
    if progress {
        eprintln!();
    }
    let target_cpu_s = match (cpu0, pid.and_then(process::cpu_seconds)) {
        (Some(a), Some(b)) => Some(b - a),
        _ => None,
    };
    let target_peak_rss_kib = pid.and_then(process::peak_rss_kib);
    // The monitors' tables as they are now, before the sessions close (closing them makes
    // the target withdraw every route).
    let _ = stop_tx.send(true);
    let mut verdict = Verdict::default();
    for t in tasks {
        if let Ok(Some(table)) = t.await {
            verdict.merge(table.verdict(&load));
        }
    }
    // Tear down: a Cease to the target, then end the session tasks.
    for c in &commands {
        let _ = c.try_send(Command::Stop(Cease::admin_shutdown(Some("peerlab bench: done"))));
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    for (c, t) in commands.iter().zip(&session_tasks) {
        let _ = c.try_send(Command::Shutdown);
        t.abort();
    }
    let routes_verified = shared.ok_total.load(Ordering::Relaxed);
    RunResult {
        sessions_up_s,
        routes_per_s: convergence_s.filter(|c| *c > 0.0).map(|c| routes_verified as f64 / c),
        convergence_s,
        routes_verified,
        routes_expected: shared.total,
        target_cpu_s,
        target_peak_rss_kib,
        session_downs: shared.downs.load(Ordering::Relaxed),
        series,
        verdict,
        error,
    }
}

/// The result of a run that could not take place (nothing measured), with its reason.
pub(crate) fn failed(load: &Load, e: String) -> RunResult {
    RunResult {
        sessions_up_s: None,
        convergence_s: None,
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
