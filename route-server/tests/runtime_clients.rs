//! Clients added and removed while the route server runs: an added client's session comes
//! up on the shared listener and its routes reach the others; a removed client gets Cease
//! 6/3 "Peer De-configured", its routes are withdrawn from everyone and it is forgotten.

mod common;

use bgp_core::fsm::{Cease, PeerAs, Reason, SessionConfig, State};
use bgp_core::nlri::Nlri;
use bgp_core::speaker::{self, Command, DriverOptions, SessionEvent, SessionHandle, TcpConnector};
use bgp_core::{Family, SessionContext, UpdateBuilder};
use common::{attrs, v4};
use route_server::runtime::{self, RuntimeOptions};
use route_server::{ClientConfig, RouteServerConfig};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::Duration;
use tokio::sync::mpsc;
use tokio::time::timeout;

const RS_AS: u32 = 64_999;
const WAIT: Duration = Duration::from_secs(20);

fn client(name: &str, asn: u32, address: Ipv4Addr) -> ClientConfig {
    ClientConfig {
        name: name.to_owned(),
        asn,
        addresses: vec![IpAddr::V4(address)],
        md5_key: None,
        max_prefixes_v4: None,
        max_prefixes_v6: None,
        add_path: false,
        restart_after_secs: None,
    }
}

/// A BGP speaker connecting from `source` to the route server at `to`.
fn speaker(name: &str, asn: u32, source: Ipv4Addr, to: SocketAddr) -> SessionHandle {
    let mut cfg = SessionConfig::new(name, asn, PeerAs::Exact(RS_AS), source);
    cfg.families = vec![Family::IPV4_UNICAST];
    cfg.connect_retry_time = 1;
    let mut connector = TcpConnector::new(to);
    connector.local = Some(SocketAddr::new(IpAddr::V4(source), 0));
    let (_, incoming) = mpsc::channel(1);
    let opts = DriverOptions {
        start: true,
        restart_after: None,
    };
    speaker::spawn_session(cfg, Box::new(connector), incoming, opts)
}

/// Reads events until one matches (bounded by [`WAIT`]).
async fn until<T>(events: &mut mpsc::Receiver<SessionEvent>, mut f: impl FnMut(&SessionEvent) -> Option<T>) -> T {
    timeout(WAIT, async {
        loop {
            let e = events.recv().await.expect("the session runs");
            if let Some(v) = f(&e) {
                return v;
            }
        }
    })
    .await
    .expect("the expected event came in time")
}

async fn established(events: &mut mpsc::Receiver<SessionEvent>) -> SessionContext {
    until(events, |e| match e {
        SessionEvent::Established(n, _) => Some(n.tx),
        _ => None,
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_added_client_exchanges_routes_and_a_removed_one_gets_cease_6_3_and_its_routes_withdrawn() {
    let a_addr = Ipv4Addr::new(127, 0, 3, 1);
    let b_addr = Ipv4Addr::new(127, 0, 3, 2);
    let mut config = RouteServerConfig::new(RS_AS, Ipv4Addr::new(10, 255, 255, 9));
    config.listen = vec!["127.0.0.1:0".parse().unwrap()];
    config.registered_asns = vec![1_100, 1_200];
    config.clients = vec![client("a", 1_100, a_addr)];
    let rs = runtime::start(&config, RuntimeOptions::default())
        .await
        .expect("starts");
    let listen = rs.listen_addrs()[0].1;
    let mut a = speaker("a", 1_100, a_addr, listen);
    established(&mut a.events).await;

    let names = rs
        .add_client(client("b", 1_200, b_addr), Vec::new())
        .await
        .expect("added");
    assert_eq!(names, ["b@127.0.3.2"]);
    assert!(
        rs.add_client(client("c", 1_300, b_addr), Vec::new()).await.is_err(),
        "address taken"
    );
    let mut b = speaker("b", 1_200, b_addr, listen);
    let ctx = established(&mut b.events).await;
    let mut out = Vec::new();
    UpdateBuilder::new(ctx)
        .announce_ipv4(&attrs(&[1_200], b_addr), [Nlri::new(v4("185.0.9.0/24"))], &mut out)
        .expect("fits");
    b.commands.send(Command::SendUpdates(out)).await.expect("b runs");
    until(&mut a.events, |e| match e {
        SessionEvent::Update(u) if u.announced_ipv4().any(|n| n.prefix == v4("185.0.9.0/24")) => Some(()),
        _ => None,
    })
    .await;

    let removed = rs
        .remove_client("b", Cease::peer_deconfigured())
        .await
        .expect("removed");
    assert_eq!(removed, ["b@127.0.3.2"]);
    let notification = until(&mut b.events, |e| match e {
        SessionEvent::Transition(t) => match &t.reason {
            Reason::NotificationReceived(n) => Some((n.code, n.subcode, t.to)),
            _ => None,
        },
        _ => None,
    })
    .await;
    assert_eq!(notification, (6, 3, State::Idle));
    until(&mut a.events, |e| match e {
        SessionEvent::Update(u) if u.withdrawn_ipv4().any(|n| n.prefix == v4("185.0.9.0/24")) => Some(()),
        _ => None,
    })
    .await;
    let sessions = rs.sessions().await.expect("sessions");
    assert_eq!(
        sessions.iter().map(|s| s.name.as_str()).collect::<Vec<_>>(),
        ["a@127.0.3.1"]
    );
    assert!(
        rs.remove_client("b", Cease::peer_deconfigured()).await.is_err(),
        "already gone"
    );
    rs.shutdown(Duration::from_secs(2)).await;
}
