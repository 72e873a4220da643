//! One-off measurement for issue 14 item 5: announce N distinct IPv4 /24s from one client
//! (exported to a second client), withdraw them all, and print the engine's counters, its
//! memory by capacity and the process RSS at the start, after the announcements and after
//! the withdrawals.
//!
//! `cargo run --release -p route-server --example forget_prefixes -- [N] [ROUNDS]`
//! (defaults: 1,000,000 prefixes, 1 round). Linux only for the RSS figure.

use bgp_core::attr::{AsPath, AttrValue, Origin, PathAttribute};
use bgp_core::nlri::Nlri;
use bgp_core::{SessionContext, UpdateBuilder, UpdateView};
use bytes::Bytes;
use ipnet::Ipv4Net;
use route_server::{RouteServer, RouteServerConfig, SessionConfig, SessionId};
use std::net::{IpAddr, Ipv4Addr};

/// Prefixes per UPDATE (4 octets each: fits a 4,096-octet message).
const PER_UPDATE: usize = 900;

fn rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

fn prefix(k: u32) -> Ipv4Net {
    let addr = Ipv4Addr::new(20 + (k >> 16) as u8, (k >> 8) as u8, k as u8, 0);
    Ipv4Net::new(addr, 24).unwrap_or_default()
}

fn updates(n: u32, attrs: Option<&[PathAttribute]>) -> Vec<UpdateView> {
    let ctx = SessionContext::default();
    let mut b = UpdateBuilder::new(ctx);
    let mut frames: Vec<Bytes> = Vec::new();
    let all: Vec<u32> = (0..n).collect();
    for chunk in all.chunks(PER_UPDATE) {
        let nlri = chunk.iter().map(|k| Nlri::new(prefix(*k)));
        match attrs {
            Some(a) => b.announce_ipv4(a, nlri, &mut frames).unwrap_or_default(),
            None => b.withdraw_ipv4(nlri, &mut frames),
        }
    }
    frames
        .into_iter()
        .filter_map(|f| UpdateView::parse(f, &ctx).ok())
        .collect()
}

fn drain(rs: &mut RouteServer, id: SessionId) -> usize {
    let mut msgs = 0;
    while rs.has_output(id) {
        msgs += rs.poll_output(id, 1 << 20).map(|m| m.len()).unwrap_or(0);
    }
    msgs
}

fn report(when: &str, rs: &RouteServer) {
    let st = rs.stats();
    let m = rs.memory();
    println!(
        "{when:>16}: RSS {:>7} KiB | ipv4_prefixes {:>8} paths {:>8} attribute_sets {} | memory tables {:>10} B sessions {:>9} B",
        rss_kib(),
        st.ipv4_prefixes,
        st.paths,
        st.attribute_sets,
        m.tables,
        m.sessions
    );
}

fn main() {
    let mut args = std::env::args().skip(1);
    let n: u32 = args.next().and_then(|a| a.parse().ok()).unwrap_or(1_000_000);
    let rounds: u32 = args.next().and_then(|a| a.parse().ok()).unwrap_or(1);
    let mut cfg = RouteServerConfig::new(5000, Ipv4Addr::new(192, 0, 2, 254));
    cfg.registered_asns = vec![1100, 1200, 13335];
    let mut rs = RouteServer::new(&cfg);
    let a = rs
        .add_session(SessionConfig::new("a", 1100, IpAddr::V4(Ipv4Addr::new(192, 0, 2, 1))))
        .expect("session a");
    let b = rs
        .add_session(SessionConfig::new("b", 1200, IpAddr::V4(Ipv4Addr::new(192, 0, 2, 2))))
        .expect("session b");
    for id in [a, b] {
        rs.session_up(id, SessionContext::default()).expect("up");
        drain(&mut rs, id);
    }
    let attrs = vec![
        PathAttribute::new(AttrValue::Origin(Origin::Igp)),
        PathAttribute::new(AttrValue::AsPath(AsPath::sequence(vec![1100, 13335]))),
        PathAttribute::new(AttrValue::NextHop(Ipv4Addr::new(192, 0, 2, 1))),
    ];
    report("start", &rs);
    for round in 1..=rounds {
        let announce = updates(n, Some(&attrs));
        for u in &announce {
            rs.ingest(a, u).expect("ingest");
        }
        drop(announce);
        let sent = drain(&mut rs, b);
        report(&format!("announced {round}"), &rs);
        let withdraw = updates(n, None);
        for u in &withdraw {
            rs.ingest(a, u).expect("ingest");
        }
        drop(withdraw);
        let sent_w = drain(&mut rs, b);
        report(&format!("withdrawn {round}"), &rs);
        println!(
            "{:>16}  ({sent} UPDATEs of announcements and {sent_w} of withdrawals sent to b)",
            ""
        );
    }
}
