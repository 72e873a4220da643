//! Feeding the target: every tester's pre-encoded UPDATEs handed to its sessions, flat out
//! or paced, and the moment the testers were done — every UPDATE handed over and
//! acknowledged by the target's kernel.

use super::load::Load;
use super::measure;
use bgp_core::speaker::Command;
use bytes::Bytes;
use std::collections::HashSet;
use std::net::IpAddr;
use std::time::Duration;
use tokio::sync::mpsc;
use tokio::task::{AbortHandle, JoinHandle};
use tokio::time::Instant;

/// UPDATEs handed to a session per command (below its write queue, so it keeps reading).
const CHUNK: usize = 64;
/// How often the testers' unacknowledged octets are read from /proc once they sent all.
const FEED_POLL: Duration = Duration::from_millis(5);
/// How long the feed's end may still take once the routes converged.
const FEED_GRACE: Duration = Duration::from_secs(1);

/// One tester's UPDATEs: those for its IPv4 (or only) session and those for its IPv6 one.
pub(super) type Encoded = (Vec<Bytes>, Vec<Bytes>);

/// The feed under way.
pub(super) struct Feed {
    senders: Vec<AbortHandle>,
    done: JoinHandle<Option<Instant>>,
}

/// Starts sending every tester's UPDATEs on its sessions' `commands` (one session: all of
/// them; two: each family on its own), paced together to `rate` routes/s when given.
pub(super) fn start(
    load: &Load,
    encoded: Vec<Encoded>,
    commands: &[Vec<mpsc::Sender<Command>>],
    ports: Vec<u16>,
    rate: Option<f64>,
    deadline: Instant,
) -> Feed {
    let per_tester = rate.map(|r| r / load.spec.testers.max(1) as f64);
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
    let aborts = senders.iter().map(JoinHandle::abort_handle).collect();
    Feed {
        senders: aborts,
        done: tokio::spawn(feed_done(senders, feeders, locals, ports, deadline)),
    }
}

impl Feed {
    /// Stops sending; returns when the testers were done feeding, in seconds from `t0`
    /// (`None` when that was not seen).
    pub(super) async fn finish(mut self, t0: Instant) -> Option<f64> {
        for a in &self.senders {
            a.abort();
        }
        // The feed is normally done long before convergence; give it a moment otherwise.
        let at = match tokio::time::timeout(FEED_GRACE, &mut self.done).await {
            Ok(Ok(Some(at))) => Some(at.duration_since(t0).as_secs_f64()),
            _ => None,
        };
        self.done.abort();
        at
    }
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
