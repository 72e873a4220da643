//! One run: open every session to the target, wait until all are up, send every tester's
//! pre-encoded UPDATEs, and wait until every monitor holds every expected route (or the
//! time limit passes). Measures the phases, when the testers were done feeding, and the
//! target's CPU time and peak memory.

use super::load::{Client, Load, TARGET_AS};
use super::measure;
use super::progress::Progress;
use super::targets::RunningTarget;
use super::verify::{MonitorTable, Verdict};
use bgp_core::fsm::{Cease, PeerAs, SessionConfig};
use bgp_core::speaker::{self, Command, DriverOptions, SessionEvent, TcpConnector};
use bgp_core::{Family, SessionContext};
use bytes::Bytes;
use serde::Serialize;
use std::collections::HashSet;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;
use tokio::sync::{mpsc, watch, Notify};
use tokio::task::JoinHandle;
use tokio::time::Instant;

/// UPDATEs handed to a session per command (below its write queue, so it keeps reading).
const CHUNK: usize = 64;
/// How often the received-routes curve is sampled.
const SAMPLE: Duration = Duration::from_millis(100);
/// How often the testers' unacknowledged octets are read from /proc once they sent all.
const FEED_POLL: Duration = Duration::from_millis(5);

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

/// Shared between the session tasks and the run.
struct Shared {
    load: Arc<Load>,
    ok_total: AtomicU64,
    total: u64,
    /// Sessions Established (a client may have two: IPv4 and IPv6).
    established: AtomicUsize,
    downs: AtomicU64,
    converged: OnceLock<Instant>,
    notify: Notify,
    wrong_context: OnceLock<String>,
}

fn session_config(c: &Client, session: usize, families: Option<Vec<Family>>) -> SessionConfig {
    let id = match c.addr {
        IpAddr::V4(a) => a,
        IpAddr::V6(_) => Ipv4Addr::new(10, 1, (c.index >> 8) as u8, c.index as u8),
    };
    let mut cfg = SessionConfig::new(
        format!("bench-{}-{session}", c.index).as_str(),
        c.asn,
        PeerAs::Exact(TARGET_AS),
        id,
    );
    cfg.connect_retry_time = 1;
    cfg.hold_time = 90;
    cfg.extended_message = false;
    cfg.add_path = Vec::new();
    if let Some(f) = families {
        cfg.families = f;
    }
    cfg
}

/// Tags one session's events with its number and forwards them to the client's task.
async fn forward_events(n: usize, mut events: mpsc::Receiver<SessionEvent>, to: mpsc::Sender<(usize, SessionEvent)>) {
    while let Some(e) = events.recv().await {
        if to.send((n, e)).await.is_err() {
            return;
        }
    }
}

/// Drains the events of a client's sessions; a monitor checks every UPDATE. Returns the
/// monitor's table.
async fn client_task(
    client: Client,
    mut events: mpsc::Receiver<(usize, SessionEvent)>,
    shared: Arc<Shared>,
    mut stop: watch::Receiver<bool>,
) -> Option<MonitorTable> {
    let mut table = client.monitor.then(|| MonitorTable::new(client.index, &shared.load));
    let mut up = [false; 2];
    loop {
        let ev = tokio::select! {
            e = events.recv() => e,
            _ = stop.changed() => None,
        };
        let Some((s, ev)) = ev else { break };
        let s = s.min(1);
        match ev {
            SessionEvent::Established(n) => {
                if n.tx != SessionContext::default() {
                    let _ = shared
                        .wrong_context
                        .set(format!("client {}: unexpected negotiation {:?}", client.index, n.tx));
                }
                if !up[s] {
                    up[s] = true;
                    shared.established.fetch_add(1, Ordering::Relaxed);
                }
            }
            SessionEvent::Down { .. } if up[s] => {
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

/// Waits (bounded by `deadline`) until every sender has handed over its last chunk, every
/// tester's command queue is empty and no tester octet is unacknowledged on the wire;
/// returns when that was first seen.
async fn feed_done(
    senders: Vec<JoinHandle<()>>,
    commands: Vec<mpsc::Sender<Command>>,
    locals: HashSet<IpAddr>,
    ports: Vec<u16>,
    deadline: Instant,
) -> Option<Instant> {
    for s in senders {
        let _ = s.await;
    }
    // Two observations in a row: a chunk may be between the command queue and the socket.
    let mut first_seen: Option<Instant> = None;
    while Instant::now() < deadline {
        let queues_empty = commands.iter().all(|c| c.capacity() == c.max_capacity());
        if queues_empty && measure::unacked_bytes(&locals, &ports) == Some(0) {
            if first_seen.is_some() {
                return first_seen;
            }
            first_seen = Some(Instant::now());
        } else {
            first_seen = None;
        }
        tokio::time::sleep(FEED_POLL).await;
    }
    None
}

/// Runs the load once against `target`.
pub async fn run_once(load: Arc<Load>, target: &RunningTarget, opts: &RunOptions) -> RunResult {
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
    let mut progress = Progress::new(&opts.label, shared.total, opts.progress);
    // One session per client, or (peerlab in this process) one per family.
    let dests_of = |k: usize| -> Vec<(SocketAddr, Option<Vec<Family>>)> {
        match target.dests(k) {
            (a, Some(v6)) => vec![
                (a, Some(vec![Family::IPV4_UNICAST])),
                (v6, Some(vec![Family::IPV6_UNICAST])),
            ],
            (a, None) => vec![(a, None)],
        }
    };
    let pid = target.pid();
    let cpu0 = pid.and_then(measure::cpu_seconds);
    let (stop_tx, stop_rx) = watch::channel(false);
    let start = Instant::now();
    let deadline = start + opts.time_limit;
    let mut commands: Vec<Vec<mpsc::Sender<Command>>> = Vec::with_capacity(load.clients.len());
    let mut tasks = Vec::with_capacity(load.clients.len());
    let mut session_tasks = Vec::with_capacity(load.clients.len() * 2);
    let mut ports = HashSet::new();
    let mut n = 0;
    for c in &load.clients {
        let (ev_tx, ev_rx) = mpsc::channel(256);
        let dests = dests_of(c.index);
        n += dests.len();
        let mut mine = Vec::with_capacity(dests.len());
        for (i, (dest, families)) in dests.into_iter().enumerate() {
            ports.insert(dest.port());
            let mut conn = TcpConnector::new(dest);
            conn.local = Some(SocketAddr::new(c.source, 0));
            let (_, incoming) = mpsc::channel(1);
            let h = speaker::spawn_session(
                session_config(c, i, families),
                Box::new(conn),
                incoming,
                DriverOptions {
                    start: true,
                    restart_after: Some(Duration::from_secs(1)),
                },
            );
            mine.push(h.commands);
            session_tasks.push(h.task);
            session_tasks.push(tokio::spawn(forward_events(i, h.events, ev_tx.clone())));
        }
        commands.push(mine);
        tasks.push(tokio::spawn(client_task(
            c.clone(),
            ev_rx,
            shared.clone(),
            stop_rx.clone(),
        )));
    }
    let mut error = None;
    // Phase 1: every session up.
    while shared.established.load(Ordering::Relaxed) < n && Instant::now() < deadline {
        progress.update(
            shared.established.load(Ordering::Relaxed),
            n,
            0,
            shared.total,
            start.elapsed(),
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let up = shared.established.load(Ordering::Relaxed);
    let sessions_up_s = (up == n).then(|| start.elapsed().as_secs_f64());
    let mut series = Vec::new();
    let mut convergence_s = None;
    let mut testers_done_s = None;
    let t0 = Instant::now();
    if up < n {
        error = Some(format!("only {up} of {n} sessions came up within the time limit"));
    } else if let Some(e) = shared.wrong_context.get() {
        error = Some(e.clone());
    } else {
        // Phase 2: send everything, sample until every route is verified.
        let per_tester = opts.rate.map(|r| r / load.spec.testers.max(1) as f64);
        let mut senders = Vec::with_capacity(load.spec.testers * 2);
        let mut feeders = Vec::with_capacity(load.spec.testers * 2);
        for (k, (v4, v6)) in encoded.into_iter().enumerate() {
            let v4_routes = load.prefixes[k].iter().filter(|p| p.addr().is_ipv4()).count();
            let mut feed = |session: usize, msgs: Vec<Bytes>, routes: usize| {
                if msgs.is_empty() {
                    return;
                }
                let c = commands[k][session].clone();
                feeders.push(c.clone());
                senders.push(tokio::spawn(send_task(c, msgs, routes, per_tester)));
            };
            if commands[k].len() == 2 {
                feed(0, v4, v4_routes);
                feed(1, v6, load.prefixes[k].len() - v4_routes);
            } else {
                let mut all = v4;
                all.extend(v6);
                feed(0, all, load.prefixes[k].len());
            }
        }
        let locals: HashSet<IpAddr> = load.clients.iter().filter(|c| c.tester).map(|c| c.source).collect();
        let ports: Vec<u16> = ports.iter().copied().collect();
        let aborts: Vec<_> = senders.iter().map(JoinHandle::abort_handle).collect();
        let mut fed = tokio::spawn(feed_done(senders, feeders, locals, ports, deadline));
        loop {
            let done = shared.converged.get().is_some() || shared.total == 0;
            let ok = shared.ok_total.load(Ordering::Relaxed);
            series.push((t0.elapsed().as_secs_f64(), ok));
            progress.update(n, n, ok, shared.total, start.elapsed());
            if done || Instant::now() >= deadline {
                break;
            }
            let _ = tokio::time::timeout(SAMPLE, shared.notify.notified()).await;
        }
        for a in aborts {
            a.abort();
        }
        // The feed is normally done long before convergence; give it a moment otherwise.
        testers_done_s = match tokio::time::timeout(Duration::from_secs(1), &mut fed).await {
            Ok(Ok(Some(at))) => Some(at.duration_since(t0).as_secs_f64()),
            _ => None,
        };
        fed.abort();
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
    progress.finish();
    let target_cpu_s = match (cpu0, pid.and_then(measure::cpu_seconds)) {
        (Some(a), Some(b)) => Some(b - a),
        _ => None,
    };
    let target_peak_rss_kib = pid.and_then(measure::peak_rss_kib);
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
    let commands: Vec<mpsc::Sender<Command>> = commands.into_iter().flatten().collect();
    for c in &commands {
        let _ = c.try_send(Command::Stop(Cease::admin_shutdown(Some("peerlab bench: done"))));
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    for c in &commands {
        let _ = c.try_send(Command::Shutdown);
    }
    for t in &session_tasks {
        t.abort();
    }
    let routes_verified = shared.ok_total.load(Ordering::Relaxed);
    RunResult {
        sessions_up_s,
        routes_per_s: convergence_s.filter(|c| *c > 0.0).map(|c| routes_verified as f64 / c),
        convergence_s,
        testers_done_s,
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
