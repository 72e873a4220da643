//! The effect of every documented setting of the route server configuration
//! (docs/route-server.md), each shown through the running route server with real client
//! sessions over loopback TCP. Where a setting changes a verdict, the same announcements are
//! run with the default and with the setting, so the difference is the setting's effect.

mod live;

use bgp_core::capability::AddPathMode;
use bgp_core::Family;
use live::{attrs, client, config, eventually, lo, with_med, Held, Peer, PeerSpec, RS_AS};
use route_server::runtime::{RouteServerHandle, RuntimeOptions};
use route_server::RouteServerConfig;
use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::Duration;

const STOP: Duration = Duration::from_secs(2);

async fn start(cfg: &RouteServerConfig, v6: bool) -> (RouteServerHandle, SocketAddr) {
    live::start(cfg, RuntimeOptions::default(), v6).await
}

/// One announcement of the sending client: prefix, AS_PATH and NEXT_HOP (the sender's
/// address when `None`).
struct Announce {
    prefix: &'static str,
    path: Vec<u32>,
    next_hop: Option<IpAddr>,
}

fn route(prefix: &'static str, path: &[u32]) -> Announce {
    Announce {
        prefix,
        path: path.to_vec(),
        next_hop: None,
    }
}

/// What the receiving client got and what the route server rejected (prefix → reason).
struct Outcome {
    received: BTreeMap<String, Held>,
    rejected: BTreeMap<String, String>,
}

/// Client `a` (AS1100, 127.0.`n`.1) sends `routes`, one UPDATE each, then 185.`n`.0.0/16
/// (accepted by every configuration used here); client `c` (AS1300, 127.0.`n`.3) receives.
/// `tweak` changes the configuration (its settings, more clients) before the start.
async fn import_with(n: u8, tweak: impl FnOnce(&mut RouteServerConfig), routes: Vec<Announce>) -> Outcome {
    let (a_addr, c_addr) = (lo(n, 1), lo(n, 3));
    let mut cfg = config(vec![client("a", 1_100, &[a_addr]), client("c", 1_300, &[c_addr])]);
    tweak(&mut cfg);
    let (rs, listen) = start(&cfg, false).await;
    let mut a = PeerSpec::new(1_100, a_addr, listen).start();
    let mut c = PeerSpec::new(1_300, c_addr, listen).start();
    a.up(0).await;
    c.up(0).await;
    for r in &routes {
        let nh = r.next_hop.unwrap_or(a_addr);
        a.announce(&attrs(&r.path, nh), nh, &[r.prefix]).await;
    }
    let sentinel = format!("185.{n}.0.0/16");
    a.announce(&attrs(&[1_100], a_addr), a_addr, &[sentinel.as_str()]).await;
    c.expect("the last announcement arrives", |p| p.holds(&sentinel)).await;
    let received = c
        .routes
        .iter()
        .filter(|((p, _), _)| p.to_string() != sentinel)
        .map(|((p, _), h)| (p.to_string(), h.clone()))
        .collect();
    let rejected = rs
        .rejected("a")
        .await
        .expect("rejected routes")
        .into_iter()
        .map(|r| (r.prefix, r.reason.map_or(String::new(), |x| x.name.to_owned())))
        .collect();
    a.stop().await;
    c.stop().await;
    rs.shutdown(STOP).await;
    Outcome { received, rejected }
}

fn reasons(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs.iter().map(|(p, r)| (p.to_string(), r.to_string())).collect()
}

fn prefixes(o: &Outcome) -> Vec<&str> {
    o.received.keys().map(String::as_str).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn router_id_and_asn_are_what_clients_see_in_the_open_and_the_lower_client_router_id_wins_a_tie() {
    let (a_addr, b_addr, c_addr) = (lo(51, 1), lo(51, 2), lo(51, 3));
    let mut cfg = config(vec![
        client("a", 1_100, &[a_addr]),
        client("b", 1_200, &[b_addr]),
        client("c", 1_300, &[c_addr]),
    ]);
    cfg.router_id = Ipv4Addr::new(10, 255, 255, 51);
    let (rs, listen) = start(&cfg, false).await;
    // b has the higher session address but the lower BGP identifier.
    let mut a = PeerSpec::new(1_100, a_addr, listen);
    a.router_id = Ipv4Addr::new(10, 0, 0, 200);
    let mut b = PeerSpec::new(1_200, b_addr, listen);
    b.router_id = Ipv4Addr::new(10, 0, 0, 100);
    let (mut a, mut b) = (a.start(), b.start());
    let mut c = PeerSpec::new(1_300, c_addr, listen).start();
    let open = a.up(0).await;
    assert_eq!((open.peer_id, open.peer_asn), (Ipv4Addr::new(10, 255, 255, 51), RS_AS));
    b.up(0).await;
    c.up(0).await;

    a.announce(&attrs(&[1_100], a_addr), a_addr, &["185.51.1.0/24"]).await;
    c.expect("a's route arrives", |p| p.as_path("185.51.1.0/24") == Some(vec![1_100]))
        .await;
    // Equal LOCAL_PREF, AS_PATH length, ORIGIN, no MED: the router id decides.
    b.announce(&attrs(&[1_200], b_addr), b_addr, &["185.51.1.0/24"]).await;
    c.expect("b's route (router id 10.0.0.100 < 10.0.0.200) replaces a's", |p| {
        p.as_path("185.51.1.0/24") == Some(vec![1_200])
    })
    .await;
    assert_eq!(c.paths("185.51.1.0/24").len(), 1);
    rs.shutdown(STOP).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn restart_after_secs_lets_the_route_server_restart_a_max_prefix_shutdown_and_without_it_the_session_stays_down()
{
    let (r_addr, s_addr) = (lo(52, 1), lo(52, 2));
    let mut r = client("r", 1_100, &[r_addr]);
    r.max_prefixes_v4 = Some(1);
    r.restart_after_secs = Some(1);
    let mut s = client("s", 1_200, &[s_addr]);
    s.max_prefixes_v4 = Some(1);
    let (rs, listen) = start(&config(vec![r, s]), false).await;
    let mut r = PeerSpec::new(1_100, r_addr, listen).start();
    let mut s = PeerSpec::new(1_200, s_addr, listen).start();
    r.up(0).await;
    s.up(0).await;
    r.announce(&attrs(&[1_100], r_addr), r_addr, &["185.52.1.0/24", "185.52.2.0/24"])
        .await;
    s.announce(&attrs(&[1_200], s_addr), s_addr, &["185.52.3.0/24", "185.52.4.0/24"])
        .await;
    for p in [&mut r, &mut s] {
        p.expect("Cease 6/1", |p| {
            p.received.iter().any(|n| (n.code, n.subcode) == (6, 1))
        })
        .await;
    }
    // The client keeps connecting (every second); only the route server decides when it
    // accepts again.
    r.expect("the route server restarted the session by itself", |p| p.ups == 2)
        .await;
    let refused_before = s.connections_lost + s.connect_failures;
    s.expect("three more refused connection attempts", |p| {
        p.connections_lost + p.connect_failures >= refused_before + 3
    })
    .await;
    assert_eq!(s.ups, 1, "without restart_after_secs the session stays down");
    let view = rs.session("s").await.expect("session s");
    assert_eq!(view.table_state, route_server::SessionState::MaxPrefixDown);
    let view = rs.session("r").await.expect("session r");
    assert_eq!(
        (view.counters.ups, view.table_state),
        (2, route_server::SessionState::Up)
    );
    rs.shutdown(STOP).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn max_prefixes_v6_shuts_down_an_ipv6_session_over_its_limit_with_cease_6_1_for_afi_2() {
    let v6 = IpAddr::V6(std::net::Ipv6Addr::LOCALHOST);
    let mut a = client("a", 1_100, &[lo(53, 1), v6]);
    a.max_prefixes_v4 = Some(5);
    a.max_prefixes_v6 = Some(1);
    let (rs, listen6) = start(&config(vec![a]), true).await;
    let mut a = PeerSpec::new(1_100, v6, listen6).start();
    a.up(0).await;
    a.announce(&attrs(&[1_100], v6), v6, &["2a00:5300::/32"]).await;
    let accepted = eventually("the first IPv6 route is held", || {
        let rs = rs.clone();
        async move { rs.rib_in("a@::1").await.ok().filter(|r| r.len() == 1) }
    })
    .await;
    assert!(accepted[0].reason.is_none(), "{accepted:?}");
    assert!(a.received.is_empty(), "one route is within the limit");
    a.announce(&attrs(&[1_100], v6), v6, &["2a00:5301::/32"]).await;
    a.expect("Cease 6/1", |p| !p.received.is_empty()).await;
    let n = &a.received[0];
    // RFC 4486 §4: AFI 2 (IPv6), SAFI 1, the limit 1.
    assert_eq!((n.code, n.subcode, n.data.as_ref()), (6, 1, &[0, 2, 1, 0, 0, 0, 1][..]));
    let view = rs.session("a@::1").await.expect("session");
    assert_eq!(view.table_state, route_server::SessionState::MaxPrefixDown);
    rs.shutdown(STOP).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ipv4_min_and_max_length_bound_the_accepted_ipv4_prefix_lengths() {
    let routes = || {
        vec![
            route("20.0.0.0/12", &[1_100]),
            route("20.16.0.0/16", &[1_100]),
            route("20.17.1.0/24", &[1_100]),
        ]
    };
    let default = import_with(54, |_| {}, routes()).await;
    assert_eq!(prefixes(&default), ["20.0.0.0/12", "20.16.0.0/16", "20.17.1.0/24"]);
    let bounded = import_with(
        55,
        |c| {
            c.import.ipv4_min_length = 16;
            c.import.ipv4_max_length = 20;
        },
        routes(),
    )
    .await;
    assert_eq!(prefixes(&bounded), ["20.16.0.0/16"]);
    assert_eq!(
        bounded.rejected,
        reasons(&[("20.0.0.0/12", "prefix-too-short"), ("20.17.1.0/24", "prefix-too-long")])
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ipv6_min_and_max_length_bound_the_accepted_ipv6_prefix_lengths() {
    let v6 = IpAddr::V6(std::net::Ipv6Addr::LOCALHOST);
    let mut cfg = config(vec![client("a", 1_100, &[v6])]);
    cfg.import.ipv6_min_length = 24;
    cfg.import.ipv6_max_length = 40;
    let (rs, listen6) = start(&cfg, true).await;
    let mut a = PeerSpec::new(1_100, v6, listen6).start();
    a.up(0).await;
    // With the defaults (19..=48) all three would be accepted.
    a.announce(
        &attrs(&[1_100], v6),
        v6,
        &["2a00::/20", "2a02:1000::/32", "2a03:1000:10::/44"],
    )
    .await;
    let held = eventually("three routes held", || {
        let rs = rs.clone();
        async move { rs.rib_in("a").await.ok().filter(|r| r.len() == 3) }
    })
    .await;
    let verdicts: BTreeMap<&str, Option<&str>> = held
        .iter()
        .map(|r| (r.prefix.as_str(), r.reason.as_ref().map(|x| x.name)))
        .collect();
    assert_eq!(
        verdicts,
        BTreeMap::from([
            ("2a00::/20", Some("prefix-too-short")),
            ("2a02:1000::/32", None),
            ("2a03:1000:10::/44", Some("prefix-too-long")),
        ])
    );
    rs.shutdown(STOP).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn max_as_path_length_rejects_longer_as_paths_as_as_path_too_long() {
    let routes = || {
        vec![
            route("20.56.0.0/16", &[1_100, 3_356, 13_335]),
            route("20.57.0.0/16", &[1_100, 3_356, 174, 13_335]),
        ]
    };
    let registered = |c: &mut RouteServerConfig| c.registered_asns.push(13_335);
    let default = import_with(56, registered, routes()).await;
    assert_eq!(prefixes(&default), ["20.56.0.0/16", "20.57.0.0/16"]);
    let limited = import_with(
        57,
        |c| {
            registered(c);
            c.import.max_as_path_length = 3;
        },
        routes(),
    )
    .await;
    assert_eq!(prefixes(&limited), ["20.56.0.0/16"]);
    assert_eq!(limited.rejected, reasons(&[("20.57.0.0/16", "as-path-too-long")]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn add_path_sends_every_allowed_path_with_path_ids_to_a_client_that_negotiates_it() {
    let (a_addr, b_addr, c_addr, d_addr) = (lo(58, 1), lo(58, 2), lo(58, 3), lo(58, 4));
    let mut c = client("c", 1_300, &[c_addr]);
    c.add_path = true;
    let cfg = config(vec![
        client("a", 1_100, &[a_addr]),
        client("b", 1_200, &[b_addr]),
        c,
        client("d", 1_400, &[d_addr]),
    ]);
    let (rs, listen) = start(&cfg, false).await;
    let mut a = PeerSpec::new(1_100, a_addr, listen).start();
    let mut b = PeerSpec::new(1_200, b_addr, listen).start();
    let mut c = PeerSpec::new(1_300, c_addr, listen);
    c.add_path = true;
    let mut c = c.start();
    // d asks for ADD-PATH too, but its client is not configured with `add_path`.
    let mut d = PeerSpec::new(1_400, d_addr, listen);
    d.add_path = true;
    let mut d = d.start();
    a.up(0).await;
    b.up(0).await;
    let c_open = c.up(0).await;
    let d_open = d.up(0).await;
    assert_eq!(c_open.add_path, [(Family::IPV4_UNICAST, AddPathMode::Receive)]);
    assert!(d_open.add_path.is_empty(), "{:?}", d_open.add_path);
    a.announce(&attrs(&[1_100], a_addr), a_addr, &["185.58.1.0/24"]).await;
    b.announce(&attrs(&[1_200], b_addr), b_addr, &["185.58.1.0/24"]).await;
    c.expect("both paths, with path ids", |p| p.paths("185.58.1.0/24").len() == 2)
        .await;
    let mut paths: Vec<Vec<u32>> = c.paths("185.58.1.0/24").iter().map(|h| h.as_path.clone()).collect();
    paths.sort();
    assert_eq!(paths, [vec![1_100], vec![1_200]]);
    d.expect("one best path", |p| p.paths("185.58.1.0/24").len() == 1).await;
    assert!(d.routes.keys().all(|(_, id)| *id == 0), "no path ids without ADD-PATH");
    rs.shutdown(STOP).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn allow_same_as_next_hop_accepts_the_session_address_of_another_client_of_the_same_asn() {
    // a2: another client (another router) of a's ASN, at 127.0.n.2; a announces with a2's
    // address as NEXT_HOP. a2 itself never connects.
    let run = |n: u8, allow: bool| {
        let a2 = lo(n, 2);
        import_with(
            n,
            move |c| {
                c.clients.push(client("a2", 1_100, &[a2]));
                c.import.allow_same_as_next_hop = allow;
            },
            vec![Announce {
                prefix: "185.59.1.0/24",
                path: vec![1_100],
                next_hop: Some(a2),
            }],
        )
    };
    let default = run(59, false).await;
    assert!(default.received.is_empty());
    assert_eq!(default.rejected, reasons(&[("185.59.1.0/24", "next-hop-not-client")]));
    let allowed = run(60, true).await;
    assert!(allowed.rejected.is_empty(), "{:?}", allowed.rejected);
    assert_eq!(allowed.received["185.59.1.0/24"].next_hop, Some(lo(60, 2)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn peering_service_rejects_prepended_long_and_private_asn_paths_that_are_otherwise_accepted() {
    let routes = || {
        vec![
            route("20.61.0.0/16", &[1_100, 1_100, 13_335]),
            route("20.62.0.0/16", &[1_100, 3_356, 174, 13_335]),
            route("20.63.0.0/16", &[1_100, 64_512, 13_335]),
            route("20.64.0.0/16", &[1_100, 13_335]),
        ]
    };
    // Private ASNs are bogons: with the default `reject_bogon_asns` they are refused before
    // the Peering Service checks, so it is off in both runs.
    let base = |c: &mut RouteServerConfig| {
        c.registered_asns.push(13_335);
        c.import.reject_bogon_asns = false;
    };
    let off = import_with(61, base, routes()).await;
    assert_eq!(
        prefixes(&off),
        ["20.61.0.0/16", "20.62.0.0/16", "20.63.0.0/16", "20.64.0.0/16"]
    );
    let on = import_with(
        62,
        |c| {
            base(c);
            c.import.peering_service = true;
        },
        routes(),
    )
    .await;
    assert_eq!(prefixes(&on), ["20.64.0.0/16"]);
    assert_eq!(
        on.rejected,
        reasons(&[
            ("20.61.0.0/16", "peering-service-prepended"),
            ("20.62.0.0/16", "peering-service-path-too-long"),
            ("20.63.0.0/16", "peering-service-private-asn"),
        ])
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reject_bogon_asns_refuses_a_private_asn_in_the_path_and_off_lets_it_through() {
    let routes = || vec![route("20.63.0.0/16", &[1_100, 64_512, 13_335])];
    let registered = |c: &mut RouteServerConfig| c.registered_asns.push(13_335);
    let default = import_with(63, registered, routes()).await;
    assert!(default.received.is_empty());
    assert_eq!(default.rejected, reasons(&[("20.63.0.0/16", "bogon-asn-in-path")]));
    let off = import_with(
        64,
        |c| {
            registered(c);
            c.import.reject_bogon_asns = false;
        },
        routes(),
    )
    .await;
    assert_eq!(off.received["20.63.0.0/16"].as_path, [1_100, 64_512, 13_335]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn require_registered_origin_refuses_an_unregistered_origin_and_off_lets_it_through() {
    // 13335 is not in `registered_asns`.
    let routes = || vec![route("20.65.0.0/16", &[1_100, 13_335])];
    let default = import_with(65, |_| {}, routes()).await;
    assert!(default.received.is_empty());
    assert_eq!(default.rejected, reasons(&[("20.65.0.0/16", "origin-not-registered")]));
    let off = import_with(66, |c| c.import.require_registered_origin = false, routes()).await;
    assert_eq!(off.received["20.65.0.0/16"].as_path, [1_100, 13_335]);
    assert!(off.rejected.is_empty());
}

/// Clients a (AS1100, identifier 10.0.0.1, MED 50) and b (AS1200, identifier 10.0.0.2,
/// MED 10) announce the same prefix; the AS_PATH client c (AS1300) ends up with.
async fn med_choice(n: u8, always_compare_med: bool) -> Vec<u32> {
    let (a_addr, b_addr, c_addr) = (lo(n, 1), lo(n, 2), lo(n, 3));
    let mut cfg = config(vec![
        client("a", 1_100, &[a_addr]),
        client("b", 1_200, &[b_addr]),
        client("c", 1_300, &[c_addr]),
    ]);
    cfg.export.always_compare_med = always_compare_med;
    let (rs, listen) = start(&cfg, false).await;
    let mut peers: Vec<Peer> = [(1_100, a_addr, 1), (1_200, b_addr, 2), (1_300, c_addr, 3)]
        .into_iter()
        .map(|(asn, addr, id)| {
            let mut p = PeerSpec::new(asn, addr, listen);
            p.router_id = Ipv4Addr::new(10, 0, 0, id);
            p.start()
        })
        .collect();
    for p in &mut peers {
        p.up(0).await;
    }
    let prefix = "185.67.1.0/24";
    peers[0]
        .announce(&with_med(attrs(&[1_100], a_addr), 50), a_addr, &[prefix])
        .await;
    peers[2]
        .expect("a's route arrives", |p| p.as_path(prefix) == Some(vec![1_100]))
        .await;
    // b's route and a marker in the same UPDATE: once the marker is there, b's route was
    // ingested too.
    let marker = format!("185.{n}.2.0/24");
    peers[1]
        .announce(&with_med(attrs(&[1_200], b_addr), 10), b_addr, &[prefix, &marker])
        .await;
    peers[2].expect("b's UPDATE was ingested", |p| p.holds(&marker)).await;
    let chosen = peers[2].as_path(prefix).expect("a route for the prefix");
    assert_eq!(
        peers[2].paths(prefix)[0].med,
        Some(if chosen == [1_100] { 50 } else { 10 })
    );
    rs.shutdown(STOP).await;
    chosen
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn always_compare_med_prefers_the_lower_med_across_neighbour_ases() {
    assert_eq!(
        med_choice(67, false).await,
        [1_100],
        "by default MEDs of different neighbour ASes are not compared: the lower router id wins"
    );
    assert_eq!(
        med_choice(68, true).await,
        [1_200],
        "with always_compare_med the lower MED wins"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn md5_key_admits_a_client_signing_with_the_key_and_no_other() {
    let (a_addr, b_addr) = (lo(69, 1), lo(69, 2));
    let mut a = client("a", 1_100, &[a_addr]);
    a.md5_key = Some("lab-secret".to_owned());
    let mut b = client("b", 1_200, &[b_addr]);
    b.md5_key = Some("lab-secret".to_owned());
    let (rs, listen) = start(&config(vec![a, b]), false).await;
    let mut a = PeerSpec::new(1_100, a_addr, listen);
    a.md5 = Some("lab-secret".to_owned());
    let mut a = a.start();
    a.up(0).await;
    // b's router does not sign: its SYNs are dropped, every attempt times out.
    let mut b = PeerSpec::new(1_200, b_addr, listen).start();
    b.expect("two failed connection attempts", |p| p.connect_failures >= 2)
        .await;
    assert_eq!(b.ups, 0);
    let sessions = rs.sessions().await.expect("sessions");
    let state = |n: &str| sessions.iter().find(|s| s.client == n).map(|s| s.state.clone());
    assert!(live::established(&state("a").unwrap_or_default()));
    assert!(!live::established(&state("b").unwrap_or_default()));
    rs.shutdown(STOP).await;
}
