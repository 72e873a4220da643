//! `peerlab bench` against a deliberately broken route server: a small one in this test,
//! on loopback, that accepts every client's session and passes UPDATEs on to the others,
//! but drops one prefix and changes the MED of one tester's routes. The run must fail
//! (exit 1) and name the missing and the wrong routes.

use bgp_core::attr::{AttrValue, PathAttribute};
use bgp_core::fsm::{PeerAs, SessionConfig};
use bgp_core::speaker::{self, Command, DriverOptions, Listener, NoConnector, SessionEvent};
use bgp_core::{Message, SessionContext, Update};
use ipnet::Ipv4Net;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;
use tokio::sync::mpsc;

/// The route server's AS (what `peerlab bench` expects of a target).
const RS_AS: u32 = 64_999;
/// The prefix the broken server drops: tester 0's first (11.0.0.0/24).
const DROPPED: &str = "11.0.0.0/24";
/// The MED the broken server puts on tester 1's routes.
const BAD_MED: u32 = 4242;

/// Bench client `k`'s address, as `peerlab bench` numbers them.
fn client(k: usize) -> IpAddr {
    IpAddr::V4(Ipv4Addr::new(127, 1, 1 + (k / 250) as u8, 1 + (k % 250) as u8))
}

/// What the broken server does to an UPDATE from client `from`.
fn break_update(from: usize, mut u: Update) -> Update {
    let dropped: Ipv4Net = DROPPED.parse().unwrap();
    u.nlri.retain(|n| n.prefix != dropped);
    if from == 1 {
        u.attributes.retain(|a| !matches!(a.value, AttrValue::Med(_)));
        u.attributes.push(PathAttribute::new(AttrValue::Med(BAD_MED)));
        u.attributes.sort_by_key(PathAttribute::type_code);
    }
    u
}

/// Starts the broken route server for `clients` sessions; returns its address.
async fn broken_route_server(clients: usize) -> (SocketAddr, Listener) {
    let listener = Listener::bind("127.0.0.1:0".parse().unwrap()).await.expect("bind");
    let mut handles = Vec::new();
    for k in 0..clients {
        let rx = listener.register(client(k), None).expect("register");
        let mut cfg = SessionConfig::new(format!("rs-{k}").as_str(), RS_AS, PeerAs::Any, [10, 9, 9, 9].into());
        cfg.passive = true;
        handles.push(speaker::spawn_session(
            cfg,
            Box::new(NoConnector),
            rx,
            DriverOptions {
                start: true,
                restart_after: None,
            },
        ));
    }
    let senders: Arc<Vec<mpsc::Sender<Command>>> = Arc::new(handles.iter().map(|h| h.commands.clone()).collect());
    for (k, h) in handles.into_iter().enumerate() {
        let senders = senders.clone();
        let mut events = h.events;
        tokio::spawn(async move {
            let _task = h.task;
            while let Some(e) = events.recv().await {
                let SessionEvent::Update(v) = e else { continue };
                let u = break_update(k, Update::from_view(&v));
                if u.nlri.is_empty() && u.mp_reach().is_none() {
                    continue;
                }
                let bytes = Message::Update(u)
                    .to_bytes(&SessionContext::default())
                    .expect("re-encodes");
                for (j, s) in senders.iter().enumerate() {
                    if j != k {
                        let _ = s.send(Command::SendUpdates(vec![bytes.clone()])).await;
                    }
                }
            }
        });
    }
    (listener.local_addr(), listener)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_route_server_that_drops_a_prefix_and_changes_a_med_fails_the_run_with_both_named() {
    // bgperf shape: testers 0..3, the monitor is client 3.
    let (addr, _listener) = broken_route_server(4).await;
    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_peerlab"))
        .args([
            "bench",
            "--target",
            &addr.to_string(),
            "--testers",
            "3",
            "--prefixes",
            "20",
        ])
        .args(["--time-limit", "5", "--json"])
        .output()
        .await
        .expect("peerlab runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON on stdout");
    assert_eq!(out.status.code(), Some(1), "{stderr}\n{json}");
    assert_eq!(json["ok"], false, "{json}");
    let run = &json["targets"][0]["runs"][0];
    assert_eq!(run["verdict"]["missing"], 1, "{run}");
    assert_eq!(run["verdict"]["wrong"], 20, "{run}");
    assert_eq!(run["verdict"]["unexpected"], 0, "{run}");
    assert_eq!(run["routes_verified"], 60 - 21, "{run}");
    assert!(stderr.contains("not converged within the time limit"), "{stderr}");
    assert!(stderr.contains(&format!("missing at monitor 3: {DROPPED}")), "{stderr}");
    // Tester 1's first prefix is 11.0.20.0/24, now with the wrong MED.
    assert!(stderr.contains("wrong at monitor 3: 11.0.20.0/24"), "{stderr}");
    assert!(stderr.contains(&format!("med {BAD_MED}")), "{stderr}");
}
