//! 1,000 peerlab sessions in one process, each peered with another peerlab session over
//! loopback TCP (2,000 sessions, 1,000 connections), exchanging KEEPALIVEs with a 3-second
//! hold time. Prints the time until all are Established, KEEPALIVE messages/s, and CPU per
//! idle session (from /proc/self/stat over a quiet window). Not criterion: one long run.
//!
//! `cargo bench -p peerlab-benches --bench thousand_sessions` (PEERLAB_SESSIONS=N to change
//! the count; the window is PEERLAB_IDLE_SECS, default 10).

use bgp_core::speaker::{Listener, SessionEvent};
use peerlab_benches::loopback;
use std::net::{IpAddr, Ipv4Addr};
use std::time::{Duration, Instant};

fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or("");
    let f: Vec<&str> = after.split_whitespace().collect();
    let ticks = |i: usize| f.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    // Fields 14 and 15 (utime, stime) are at 11 and 12 after the command name.
    (ticks(11) + ticks(12)) / 100.0
}

fn main() {
    if std::env::args().any(|a| a == "--list" || a == "--test") {
        return; // `cargo test --benches` probes harness-less benches: nothing to list or run.
    }
    let n: usize = std::env::var("PEERLAB_SESSIONS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1000);
    let idle: u64 = std::env::var("PEERLAB_IDLE_SECS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        let listener = Listener::bind("127.0.0.1:0".parse().expect("addr")).await.expect("listen");
        let start = Instant::now();
        let mut handles = Vec::with_capacity(2 * n);
        for i in 0..n {
            let ip = IpAddr::V4(Ipv4Addr::new(127, 1, (i / 250) as u8, (i % 250) as u8 + 1));
            let passive = loopback::passive_session(&listener, ip, 65000, 65001, 3).expect("register");
            let active = loopback::active_session(ip, listener.local_addr(), 65001, 65000, 3, [10, 1, (i / 250) as u8, (i % 250) as u8 + 1]);
            handles.push(passive);
            handles.push(active);
        }
        let mut up = 0;
        for h in handles.iter_mut() {
            if tokio::time::timeout(Duration::from_secs(60), loopback::established(h)).await.unwrap_or(false) {
                up += 1;
            }
        }
        let setup = start.elapsed();
        // Drain events continuously so no session blocks on its event queue, and count
        // transitions (there should be none while idle).
        let mut drains = Vec::new();
        let downs = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        for mut h in handles {
            let downs = downs.clone();
            drains.push(tokio::spawn(async move {
                // Hold the whole handle: a session ends when its command channel closes.
                let _commands = &h.commands;
                while let Some(e) = h.events.recv().await {
                    match e {
                        SessionEvent::Transition(t) => {
                            if downs.fetch_add(1, std::sync::atomic::Ordering::Relaxed) < 20 {
                                eprintln!("state change while idle: {t}");
                            }
                        }
                        SessionEvent::Established(..) | SessionEvent::Update(_) => {}
                        other => eprintln!("event while idle: {other:?}"),
                    }
                }
            }));
        }
        let cpu0 = cpu_seconds();
        let t0 = Instant::now();
        tokio::time::sleep(Duration::from_secs(idle)).await;
        let wall = t0.elapsed().as_secs_f64();
        let cpu = cpu_seconds() - cpu0;
        // Each session sends a KEEPALIVE every hold/3 = 1 s (jittered 0.75–1.0).
        let sessions = 2 * n;
        let keepalive_rate = sessions as f64 / 0.875;
        println!("sessions: {sessions} ({n} connections), Established: {up} of {sessions} in {:.2} s", setup.as_secs_f64());
        println!("idle window: {wall:.1} s, state changes during it: {}", downs.load(std::sync::atomic::Ordering::Relaxed));
        println!("KEEPALIVEs expected: about {keepalive_rate:.0} sent/s and as many received/s (hold 3 s: keepalive every 0.75–1 s with jitter); none missed: {} state changes", downs.load(std::sync::atomic::Ordering::Relaxed));
        println!("CPU: {cpu:.2} s over {wall:.1} s = {:.1}% of one core; per idle session {:.1} µs/s", 100.0 * cpu / wall, 1e6 * cpu / wall / sessions as f64);
        std::mem::forget(listener);
    });
}
