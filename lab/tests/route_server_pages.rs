//! The route server's API lists RIBs and rejected routes in pages (`?limit=&after=`, with a
//! `next` cursor): walking the pages of every listing gives every route exactly once, IPv4
//! and IPv6 pages included, with real clients announcing through a running route server.

mod common;

use bgp_core::attr::{AsPath, AttrValue, NextHop, Origin, PathAttribute};
use bgp_core::nlri::Nlri;
use bgp_core::speaker::Command;
use bgp_core::{SessionContext, UpdateBuilder};
use common::api::request;
use ipnet::{Ipv4Net, Ipv6Net};
use peerlab::http::ApiLimits;
use peerlab::route_server_api;
use peerlab_tests::peer::{self, PeerlabSide, Running};
use route_server::runtime::{self, RuntimeOptions};
use route_server::{ClientConfig, RouteServerConfig};
use serde_json::Value;
use std::collections::BTreeSet;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::time::{Duration, Instant};

const RS_AS: u32 = 64999;
const A_AS: u32 = 64100;
const B_AS: u32 = 64200;
const C_AS: u32 = 64300;
/// An origin nobody registered: its routes are rejected `origin-not-registered`.
const UNREGISTERED: u32 = 64400;
const WAIT: Duration = Duration::from_secs(60);

const A_ACCEPTED: usize = 2000;
const A_REJECTED: usize = 400;
const C_ACCEPTED: usize = 300;
const C_REJECTED: usize = 150;

fn client(name: &str, asn: u32, address: IpAddr) -> ClientConfig {
    ClientConfig {
        name: name.into(),
        asn,
        addresses: vec![address],
        md5_key: None,
        max_prefixes_v4: None,
        max_prefixes_v6: None,
        add_path: false,
        restart_after_secs: None,
    }
}

fn v4_prefixes(range: std::ops::Range<usize>) -> Vec<Ipv4Net> {
    range
        .map(|i| Ipv4Net::new(Ipv4Addr::new(185, (i / 256) as u8, (i % 256) as u8, 0), 24).expect("a /24"))
        .collect()
}

fn v6_prefixes(range: std::ops::Range<usize>) -> Vec<Ipv6Net> {
    range
        .map(|i| Ipv6Net::new(Ipv6Addr::new(0x2a00, i as u16, 0, 0, 0, 0, 0, 0), 32).expect("a /32"))
        .collect()
}

fn attrs(path: Vec<u32>) -> Vec<PathAttribute> {
    vec![
        PathAttribute::new(AttrValue::Origin(Origin::Igp)),
        PathAttribute::new(AttrValue::AsPath(AsPath::sequence(path))),
    ]
}

/// Announces IPv4 `prefixes` with AS path `path` and next hop `nh`.
async fn announce_v4(p: &Running, path: Vec<u32>, nh: Ipv4Addr, prefixes: &[Ipv4Net]) {
    let mut a = attrs(path);
    a.push(PathAttribute::new(AttrValue::NextHop(nh)));
    let mut out = Vec::new();
    UpdateBuilder::new(SessionContext::default())
        .announce_ipv4(&a, prefixes.iter().map(|p| Nlri::new(*p)), &mut out)
        .expect("UPDATEs built");
    assert!(p.handle.command(Command::SendUpdates(out)).await, "session running");
}

/// Announces IPv6 `prefixes` with AS path `path` and next hop `nh`.
async fn announce_v6(p: &Running, path: Vec<u32>, nh: Ipv6Addr, prefixes: &[Ipv6Net]) {
    let next_hop = NextHop::V6 {
        global: nh,
        link_local: None,
    };
    let mut out = Vec::new();
    UpdateBuilder::new(SessionContext::default())
        .announce_ipv6(
            &attrs(path),
            &next_hop,
            prefixes.iter().map(|p| Nlri::new(*p)),
            &mut out,
        )
        .expect("UPDATEs built");
    assert!(p.handle.command(Command::SendUpdates(out)).await, "session running");
}

/// A route's identity in a listing: (prefix, sending session, path id).
type Key = (String, String, u64);

fn key(r: &Value) -> Key {
    (
        r["prefix"].as_str().expect("prefix").to_owned(),
        r["from"].as_str().expect("from").to_owned(),
        r["path_id"].as_u64().expect("path_id"),
    )
}

fn keys(prefixes: impl IntoIterator<Item = String>, from: &str) -> BTreeSet<Key> {
    prefixes.into_iter().map(|p| (p, from.to_owned(), 0)).collect()
}

/// Walks every page of `path` with `limit`; every route once, checked as it goes: each page
/// holds at most `limit` routes, a page with a `next` is full, no route comes twice.
fn walk(api: &str, path: &str, limit: usize) -> BTreeSet<Key> {
    let mut seen = BTreeSet::new();
    let mut after: Option<String> = None;
    let sep = if path.contains('?') { '&' } else { '?' };
    for _ in 0..100_000 {
        let target = match &after {
            Some(c) => format!("{path}{sep}limit={limit}&after={c}"),
            None => format!("{path}{sep}limit={limit}"),
        };
        let r = request(api, "GET", &target, &[], "").expect("the API answers");
        assert_eq!(r.status, 200, "{target}: {r:?}");
        let v = r.json();
        let routes = v["routes"].as_array().expect("routes");
        assert!(routes.len() <= limit, "{target}: {} routes", routes.len());
        for route in routes {
            assert!(seen.insert(key(route)), "{target}: listed twice: {route}");
        }
        match v["next"].as_str() {
            Some(c) => {
                assert_eq!(routes.len(), limit, "{target}: a page with a next is full");
                after = Some(c.to_owned());
            }
            None => {
                assert!(v["next"].is_null(), "{v}");
                return seen;
            }
        }
    }
    panic!("{path}: no last page");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_route_is_listed_exactly_once_across_the_pages_of_each_listing() {
    let v4: SocketAddr = SocketAddr::new("127.0.0.1".parse().unwrap(), 0);
    let v6: SocketAddr = SocketAddr::new("::1".parse().unwrap(), 0);
    let (a, b, c): (IpAddr, IpAddr, IpAddr) = (
        "127.0.0.2".parse().unwrap(),
        "127.0.0.3".parse().unwrap(),
        "::1".parse().unwrap(),
    );
    let mut config = RouteServerConfig::new(RS_AS, "10.255.255.1".parse().unwrap());
    config.listen = vec![v4, v6];
    config.registered_asns = vec![A_AS, C_AS];
    config.clients = vec![client("a", A_AS, a), client("b", B_AS, b), client("c", C_AS, c)];
    let rs = runtime::start(&config, RuntimeOptions::default())
        .await
        .expect("route server starts");
    let bound: Vec<SocketAddr> = rs.listen_addrs().into_iter().map(|(_, b)| b).collect();
    let side = |local: IpAddr, asn: u32| PeerlabSide {
        local: SocketAddr::new(local, 0),
        remote: *bound.iter().find(|l| l.is_ipv4() == local.is_ipv4()).expect("listen"),
        local_as: asn,
        remote_as: RS_AS,
        passive: false,
        hold_time: 90,
        md5: None,
    };
    let mut clients = Vec::new();
    for (addr, asn) in [(a, A_AS), (b, B_AS), (c, C_AS)] {
        let mut p = peer::start(&side(addr, asn)).await.expect("client starts");
        assert!(p.wait_until(WAIT, |r| r.established()).await, "{:?}", p.transitions);
        clients.push(p);
    }
    let nh_a = Ipv4Addr::new(127, 0, 0, 2);
    let a_ok = v4_prefixes(0..A_ACCEPTED);
    let a_bad = v4_prefixes(A_ACCEPTED..A_ACCEPTED + A_REJECTED);
    announce_v4(&clients[0], vec![A_AS], nh_a, &a_ok).await;
    announce_v4(&clients[0], vec![A_AS, UNREGISTERED], nh_a, &a_bad).await;
    let c_ok = v6_prefixes(0..C_ACCEPTED);
    let c_bad = v6_prefixes(C_ACCEPTED..C_ACCEPTED + C_REJECTED);
    announce_v6(&clients[2], vec![C_AS], Ipv6Addr::LOCALHOST, &c_ok).await;
    announce_v6(&clients[2], vec![C_AS, UNREGISTERED], Ipv6Addr::LOCALHOST, &c_bad).await;
    let total = (A_ACCEPTED + A_REJECTED + C_ACCEPTED + C_REJECTED) as u64;
    let start = Instant::now();
    while rs.stats().await.expect("stats").table.paths < total {
        assert!(start.elapsed() < WAIT, "{:?}", rs.stats().await);
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("API binds");
    let api = listener.local_addr().expect("address").to_string();
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let served = tokio::spawn(route_server_api::serve(
        listener,
        rs.clone(),
        ApiLimits::default(),
        async {
            let _ = stop_rx.await;
        },
    ));

    let api2 = api.clone();
    let checks = tokio::task::spawn_blocking(move || {
        let api = api2.as_str();
        let a_all: Vec<String> = a_ok.iter().chain(&a_bad).map(ToString::to_string).collect();
        assert_eq!(walk(api, "/sessions/a/rib-in", 300), keys(a_all, "a@127.0.0.2"));
        let a_out = keys(a_ok.iter().map(ToString::to_string), "a@127.0.0.2");
        assert_eq!(walk(api, "/sessions/b/adj-rib-out", 250), a_out);
        assert_eq!(walk(api, "/sessions/b/adj-rib-out", 1), a_out, "one route a page");
        let c_rejected = keys(c_bad.iter().map(ToString::to_string), "c@::1");
        assert_eq!(walk(api, "/sessions/c/rejected", 7), c_rejected);
        let mut rejected = keys(a_bad.iter().map(ToString::to_string), "a@127.0.0.2");
        rejected.extend(c_rejected);
        // The walk crosses from the IPv4 table into the IPv6 one.
        assert_eq!(walk(api, "/rejected", 100), rejected);
        assert_eq!(walk(api, "/rejected", 10_000), rejected, "the largest page");

        let r = request(api, "GET", "/sessions/a/rib-in", &[], "").expect("answer");
        let v = r.json();
        assert_eq!(v["routes"].as_array().map(Vec::len), Some(1000), "the default page");
        assert!(v["next"].is_string(), "{}", v["next"]);
        for bad in ["limit=0", "limit=10001", "limit=x", "after=nonsense", "colour=red"] {
            let r = request(api, "GET", &format!("/sessions/a/rib-in?{bad}"), &[], "").expect("answer");
            assert_eq!(r.status, 400, "{bad}: {r:?}");
            assert!(r.is_json_error(), "{bad}: {r:?}");
        }
    });
    let result = checks.await;
    let _ = stop_tx.send(());
    let _ = served.await;
    rs.shutdown(Duration::from_secs(3)).await;
    if let Err(e) = result {
        std::panic::resume_unwind(e.into_panic());
    }
}
