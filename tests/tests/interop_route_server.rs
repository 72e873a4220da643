//! peerlab's route server (the in-process runtime, listening on loopback) with BIRD 2 and
//! GoBGP as its clients, over IPv4 and IPv6 sessions.
//!
//! Addresses: over IPv4 the route server listens on 127.0.0.1 and the clients connect from
//! 127.0.0.2 (BIRD) and 127.0.0.3 (GoBGP). Over IPv6 every client is `::1`, so each client
//! gets a listen port of its own and a documentation address as its session address in the
//! configuration (a [`Transport`] says which port and real address carry it); that label is
//! also the next hop the client announces, so the route server's NEXT_HOP check (next hop =
//! the client's session address) holds without switching anything off. GoBGP treats a
//! loopback NEXT_HOP as invalid (it treats the UPDATE as a withdraw), so over IPv4 BIRD, too,
//! announces a documentation next hop (192.0.2.2) and is known to the route server under that
//! label; GoBGP's own IPv4 next hop (its address 127.0.0.3) is fine for BIRD.
//!
//! Prefixes and ASNs are public-looking values (the import chain rejects documentation
//! prefixes and private ASNs); they are only data on loopback.

use peerlab_tests::daemons::{self, Daemon, PeerSpec, Running};
use route_server::runtime::{self, RouteServerHandle, RuntimeOptions, SessionView, Transport};
use route_server::{ClientConfig, RouteServerConfig, SessionState};
use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant};

const RS_AS: u32 = 64_999;
const BIRD_AS: u32 = 64_100;
const GOBGP_AS: u32 = 64_200;
/// Origin of a route GoBGP announces for a customer the exchange has not registered yet.
const UNREGISTERED_AS: u32 = 64_300;
/// BIRD sends a MED over eBGP only when its export filter sets one.
const BIRD_EXPORT: &str = "filter { if source = RTS_STATIC then bgp_med = 77; accept; }";
const WAIT: Duration = Duration::from_secs(40);

/// Addresses of one family's lab.
struct Family {
    v6: bool,
    rs: IpAddr,
    bird: IpAddr,
    gobgp: IpAddr,
    /// Session addresses as the route server knows them (labels over IPv6).
    bird_session: IpAddr,
    gobgp_session: IpAddr,
    afi: &'static str,
    bird_route: &'static str,
    gobgp_route: &'static str,
    unregistered_route: &'static str,
}

fn family(v6: bool) -> Family {
    let ip = |s: &str| s.parse::<IpAddr>().unwrap();
    if v6 {
        Family {
            v6,
            rs: ip("::1"),
            bird: ip("::1"),
            gobgp: ip("::1"),
            bird_session: ip("2001:db8::2"),
            gobgp_session: ip("2001:db8::3"),
            afi: "ipv6",
            bird_route: "2a00:a1::/48",
            gobgp_route: "2a00:a2::/48",
            unregistered_route: "2a00:a4::/48",
        }
    } else {
        Family {
            v6,
            rs: ip("127.0.0.1"),
            bird: ip("127.0.0.2"),
            gobgp: ip("127.0.0.3"),
            bird_session: ip("192.0.2.2"),
            gobgp_session: ip("127.0.0.3"),
            afi: "ipv4",
            bird_route: "185.0.1.0/24",
            gobgp_route: "185.0.2.0/24",
            unregistered_route: "185.0.4.0/24",
        }
    }
}

fn client(name: &str, asn: u32, address: IpAddr, max_v4: Option<u32>) -> ClientConfig {
    ClientConfig {
        name: name.to_owned(),
        asn,
        addresses: vec![address],
        md5_key: None,
        max_prefixes_v4: max_v4,
        max_prefixes_v6: None,
        add_path: false,
        restart_after_secs: None,
    }
}

struct Lab {
    rs: RouteServerHandle,
    bird: Running,
    gobgp: Running,
}

/// Starts the route server and both clients; `None` when a daemon is not installed.
async fn start_lab(f: &Family, gobgp_max_v4: Option<u32>, test: &str) -> Option<Lab> {
    let bird_bin = daemons::require_daemon(Daemon::Bird, test)?;
    let gobgpd = daemons::require_daemon(Daemon::Gobgp, test)?;
    daemons::require_program("gobgp", "gobgpd", test)?;
    let (bird_listen, gobgp_listen) = if f.v6 {
        (
            SocketAddr::new(f.rs, daemons::free_port()),
            SocketAddr::new(f.rs, daemons::free_port()),
        )
    } else {
        let shared = SocketAddr::new(f.rs, daemons::free_port());
        (shared, shared)
    };
    let mut config = RouteServerConfig::new(RS_AS, "10.255.255.1".parse().unwrap());
    config.listen = vec![bird_listen];
    config.registered_asns = vec![BIRD_AS, GOBGP_AS];
    config.clients = vec![
        client("bird", BIRD_AS, f.bird_session, None),
        client("gobgp", GOBGP_AS, f.gobgp_session, gobgp_max_v4),
    ];
    let mut opts = RuntimeOptions {
        hold_time: 9,
        ..RuntimeOptions::default()
    };
    opts.transports = [
        (f.bird_session, bird_listen, f.bird),
        (f.gobgp_session, gobgp_listen, f.gobgp),
    ]
    .into_iter()
    .filter(|(label, listen, peer)| label != peer || *listen != bird_listen)
    .map(|(session_address, listen, peer)| Transport {
        session_address,
        listen,
        peer,
    })
    .collect();
    let rs = runtime::start(&config, opts).await.expect("route server starts");

    let bird_spec = PeerSpec {
        local_addr: f.bird,
        local_port: daemons::free_port(),
        local_as: BIRD_AS,
        router_id: "10.255.0.2".parse().unwrap(),
        peer_addr: f.rs,
        peer_port: bird_listen.port(),
        peer_as: RS_AS,
        passive: false,
        hold_time: 9,
        md5: None,
        bird_export: Some(BIRD_EXPORT.to_owned()),
    };
    let ch = f.afi;
    let extra = format!(
        "protocol static bird_routes {{ {ch}; route {} unreachable {{ bgp_community.add(({BIRD_AS},7)); bgp_large_community.add(({BIRD_AS},1,2)); }}; }}",
        f.bird_route
    );
    let mut bird_config = daemons::bird_config(&bird_spec, &extra);
    if !f.v6 {
        // GoBGP treats a loopback NEXT_HOP as invalid: BIRD announces a documentation
        // address instead (its session label), as `bird_config` already does over IPv6.
        let channel = format!("  ipv4 {{ import all; export {BIRD_EXPORT}; }};");
        assert!(bird_config.contains(&channel), "{bird_config}");
        let labelled = format!(
            "  ipv4 {{ import all; export {BIRD_EXPORT}; next hop address {}; }};",
            f.bird_session
        );
        bird_config = bird_config.replace(&channel, &labelled);
    }
    let bird = daemons::start(Daemon::Bird, &bird_bin, &bird_spec, bird_config).expect("bird starts");

    let gobgp_spec = PeerSpec {
        local_addr: f.gobgp,
        local_port: daemons::free_port(),
        local_as: GOBGP_AS,
        router_id: "10.255.0.3".parse().unwrap(),
        peer_addr: f.rs,
        peer_port: gobgp_listen.port(),
        peer_as: RS_AS,
        passive: false,
        hold_time: 9,
        md5: None,
        bird_export: None,
    };
    let gobgp_config = daemons::gobgp_config(&gobgp_spec);
    let gobgp = daemons::start(Daemon::Gobgp, &gobgpd, &gobgp_spec, gobgp_config).expect("gobgpd starts");
    Some(Lab { rs, bird, gobgp })
}

/// Adds a route to GoBGP's global RIB; over IPv6 with the session label as next hop.
fn gobgp_add(lab: &Lab, f: &Family, prefix: &str, extra: &[&str]) {
    let nh = f.gobgp_session.to_string();
    let mut args = vec!["global", "rib", "add", "-a", f.afi, prefix];
    if f.v6 {
        args.extend(["nexthop", nh.as_str()]);
    }
    args.extend(extra);
    if let Err(e) = lab.gobgp.control_until_ok(&args, Duration::from_secs(15)) {
        panic!("gobgp rib add {prefix} failed: {e}\n{}", lab.gobgp.log());
    }
}

async fn sessions(rs: &RouteServerHandle) -> Vec<SessionView> {
    rs.sessions().await.expect("route server answers")
}

/// Polls `check` every 100 ms until it holds or `WAIT` passes.
async fn eventually<F: FnMut() -> bool>(mut check: F) -> bool {
    let start = Instant::now();
    while start.elapsed() < WAIT {
        if check() {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    check()
}

async fn both_established(rs: &RouteServerHandle) -> bool {
    let start = Instant::now();
    while start.elapsed() < WAIT {
        if sessions(rs).await.iter().all(|s| s.state == "Established") {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    false
}

fn bird_route(lab: &Lab, prefix: &str) -> String {
    daemons::control(&lab.bird, &["show", "route", prefix, "all"])
}

fn gobgp_route(lab: &Lab, f: &Family, prefix: &str) -> String {
    daemons::control(&lab.gobgp, &["global", "rib", "-a", f.afi, prefix, "-j"])
}

/// One scenario against two real daemons, step after step on the same running lab (split,
/// each part would have to start the daemons again); each step is commented.
async fn routes_cross_unchanged_and_registration_is_live(v6: bool, test: &str) {
    let f = family(v6);
    let Some(lab) = start_lab(&f, None, test).await else {
        return;
    };
    daemons::assert_loopback_only(&lab.bird);
    daemons::assert_loopback_only(&lab.gobgp);
    gobgp_add(&lab, &f, f.gobgp_route, &["med", "55", "community", "64200:9"]);
    let path = UNREGISTERED_AS.to_string();
    gobgp_add(&lab, &f, f.unregistered_route, &["aspath", &path]);
    assert!(
        both_established(&lab.rs).await,
        "{test}: sessions not Established: {:#?}\nbird:\n{}\ngobgp:\n{}",
        sessions(&lab.rs).await,
        lab.bird.log(),
        lab.gobgp.log()
    );

    // BIRD's route reaches GoBGP with AS_PATH, NEXT_HOP, MED and communities unchanged (the
    // route server's AS is not prepended).
    let community = (BIRD_AS << 16) | 7;
    let want_nh = format!("\"nexthop\":\"{}\"", f.bird_session);
    let got = eventually(|| {
        let out = gobgp_route(&lab, &f, f.bird_route);
        out.contains(&format!("\"asns\":[{BIRD_AS}]"))
            && out.contains("\"metric\":77")
            && out.contains(&community.to_string())
            && out.contains(&want_nh)
    })
    .await;
    assert!(
        got,
        "{test}: GoBGP lacks BIRD's route unchanged: {}\nrs rib-in of bird: {:?}",
        gobgp_route(&lab, &f, f.bird_route),
        lab.rs.rib_in("bird").await
    );

    // GoBGP's route reaches BIRD unchanged.
    let got = eventually(|| {
        let out = bird_route(&lab, f.gobgp_route);
        out.contains(&format!("BGP.as_path: {GOBGP_AS}\n"))
            && out.contains("BGP.med: 55")
            && out.contains(&format!("({GOBGP_AS},9)"))
            && out.contains(&format!("BGP.next_hop: {}", f.gobgp_session))
    })
    .await;
    assert!(
        got,
        "{test}: BIRD lacks GoBGP's route unchanged: {}\nrs rib-in of gobgp: {:?}",
        bird_route(&lab, f.gobgp_route),
        lab.rs.rib_in("gobgp").await
    );

    // The route with an unregistered origin reaches nobody and is listed with its reason.
    let rejected = lab.rs.rejected("gobgp").await.expect("gobgp session exists");
    let r = rejected
        .iter()
        .find(|r| r.prefix == f.unregistered_route)
        .unwrap_or_else(|| {
            panic!(
                "{test}: {} not among rejected routes: {rejected:?}",
                f.unregistered_route
            )
        });
    assert_eq!(
        r.reason.as_ref().map(|r| r.name),
        Some("origin-not-registered"),
        "{r:?}"
    );
    assert_eq!(r.as_path, vec![GOBGP_AS, UNREGISTERED_AS]);
    let verdicts = lab
        .rs
        .explain(f.unregistered_route.parse().unwrap())
        .await
        .expect("explain answers");
    assert!(
        verdicts.iter().all(|v| v.sent_to.is_empty() && !v.accepted),
        "{verdicts:?}"
    );
    assert!(
        !bird_route(&lab, f.unregistered_route).contains("BGP.as_path"),
        "{test}: BIRD got the unregistered route"
    );

    // Registering the ASN live sends it to BIRD without a session reset.
    assert!(lab.rs.register_asn(UNREGISTERED_AS).await.expect("register answers"));
    let got = eventually(|| {
        bird_route(&lab, f.unregistered_route).contains(&format!("BGP.as_path: {GOBGP_AS} {UNREGISTERED_AS}"))
    })
    .await;
    assert!(
        got,
        "{test}: BIRD did not get the route after registration: {}",
        bird_route(&lab, f.unregistered_route)
    );
    for s in sessions(&lab.rs).await {
        assert_eq!(s.state, "Established", "{s:?}");
        assert_eq!(
            (s.counters.ups, s.counters.downs),
            (1, 0),
            "{test}: session reset: {s:?}"
        );
    }
    daemons::assert_loopback_only(&lab.bird);
    daemons::assert_loopback_only(&lab.gobgp);
    lab.rs.shutdown(Duration::from_secs(3)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bird_and_gobgp_clients_exchange_routes_unchanged_and_a_live_registration_releases_a_route_over_ipv4() {
    routes_cross_unchanged_and_registration_is_live(false, "route server interop over IPv4").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bird_and_gobgp_clients_exchange_routes_unchanged_and_a_live_registration_releases_a_route_over_ipv6() {
    routes_cross_unchanged_and_registration_is_live(true, "route server interop over IPv6").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_gobgp_client_announcing_three_prefixes_over_a_limit_of_two_gets_cease_6_1() {
    let test = "route server max-prefix with GoBGP";
    let f = family(false);
    let Some(lab) = start_lab(&f, Some(2), test).await else {
        return;
    };
    daemons::assert_loopback_only(&lab.gobgp);
    for p in ["185.0.5.0/24", "185.0.6.0/24", "185.0.7.0/24"] {
        gobgp_add(&lab, &f, p, &[]);
    }
    let start = Instant::now();
    let mut cease = None;
    while start.elapsed() < WAIT && cease.is_none() {
        let s = lab.rs.session("gobgp").await.expect("gobgp session exists");
        cease = s
            .notifications_sent
            .iter()
            .find(|n| (n.code, n.subcode) == (6, 1))
            .cloned();
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let s = lab.rs.session("gobgp").await.expect("gobgp session exists");
    let cease = cease.unwrap_or_else(|| panic!("{test}: no Cease 6/1 sent: {s:#?}\n{}", lab.gobgp.log()));
    // AFI 1, SAFI 1, limit 2 (RFC 4486 §4).
    assert_eq!(cease.data, "00010100000002");
    assert!(
        s.last_transitions
            .iter()
            .any(|t| t.from == "Established" && t.reason == "automatic-stop 6/1"),
        "{s:#?}"
    );
    assert_eq!(s.table_state, SessionState::MaxPrefixDown, "{s:#?}");
    let routes = lab.rs.rib_in("gobgp").await.expect("gobgp session exists");
    assert!(routes.is_empty(), "routes of a session shut down stay: {routes:?}");
    daemons::assert_loopback_only(&lab.gobgp);
    daemons::assert_loopback_only(&lab.bird);
    lab.rs.shutdown(Duration::from_secs(3)).await;
}

/// Without daemons: two peerlab speakers as clients (so this runs everywhere).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn peerlab_speakers_as_clients_get_each_others_routes_unchanged_and_cease_6_1_over_the_limit() {
    use bgp_core::attr::{Community, LargeCommunity};
    use peerlab_tests::peer::{self, PeerlabSide};

    let rs_addr = SocketAddr::new("127.0.0.1".parse().unwrap(), daemons::free_port());
    let a: IpAddr = "127.0.0.2".parse().unwrap();
    let b: IpAddr = "127.0.0.3".parse().unwrap();
    let mut config = RouteServerConfig::new(RS_AS, "10.255.255.1".parse().unwrap());
    config.listen = vec![rs_addr];
    config.registered_asns = vec![BIRD_AS, GOBGP_AS];
    config.clients = vec![client("a", BIRD_AS, a, Some(1)), client("b", GOBGP_AS, b, None)];
    let opts = RuntimeOptions {
        hold_time: 9,
        ..RuntimeOptions::default()
    };
    let rs = runtime::start(&config, opts).await.expect("route server starts");
    let side = |local: IpAddr, asn: u32| PeerlabSide {
        local: SocketAddr::new(local, 0),
        remote: rs_addr,
        local_as: asn,
        remote_as: RS_AS,
        passive: false,
        hold_time: 9,
        md5: None,
    };
    let (side_a, side_b) = (side(a, BIRD_AS), side(b, GOBGP_AS));
    let mut pa = peer::start(&side_a).await.expect("client a starts");
    let mut pb = peer::start(&side_b).await.expect("client b starts");
    assert!(
        pa.wait_until(WAIT, |r| r.established()).await,
        "a: {:?}",
        pa.transitions
    );
    assert!(
        pb.wait_until(WAIT, |r| r.established()).await,
        "b: {:?}",
        pb.transitions
    );

    let prefix: ipnet::IpNet = "185.0.1.0/24".parse().unwrap();
    let (community, large) = (Community::new(64100, 7), LargeCommunity::new(BIRD_AS, 1, 2));
    pa.announce(&side_a, prefix, a, 55, community, large).await;
    let got = pb
        .wait_until(WAIT, |r| r.received.iter().any(|(p, _)| *p == prefix))
        .await;
    assert!(got, "b did not get a's route; rs: {:?}", rs.rib_in("a").await);
    let (_, attrs) = pb.received.iter().find(|(p, _)| *p == prefix).cloned().unwrap();
    assert_eq!(attrs.as_path, vec![BIRD_AS], "the route server's AS is not prepended");
    assert_eq!(attrs.med, Some(55));
    assert_eq!(attrs.communities, vec![community]);
    assert_eq!(attrs.large, vec![large]);
    let out = rs.adj_rib_out("b").await.expect("b exists");
    assert_eq!(out.len(), 1, "{out:?}");
    assert_eq!(out[0].next_hop.as_deref(), Some("127.0.0.2"));

    // A second prefix is over a's limit of one: Cease 6/1 with AFI 1, SAFI 1, limit 1.
    pa.announce(&side_a, "185.0.2.0/24".parse().unwrap(), a, 55, community, large)
        .await;
    let down = pa
        .wait_until(WAIT, |r| {
            r.transitions
                .iter()
                .any(|t| t.reason.to_string().starts_with("notification-received 6/1"))
        })
        .await;
    assert!(down, "a got no Cease 6/1: {:?}", pa.transitions);
    let s = rs.session("a").await.expect("a exists");
    assert!(
        s.notifications_sent
            .iter()
            .any(|n| (n.code, n.subcode, n.data.as_str()) == (6, 1, "00010100000001")),
        "{s:#?}"
    );
    rs.shutdown(Duration::from_secs(3)).await;
    let stopped = pb
        .wait_until(WAIT, |r| {
            r.transitions
                .iter()
                .any(|t| t.reason.to_string().contains("route server shutting down"))
        })
        .await;
    assert!(stopped, "b got no Cease 6/2 at shutdown: {:?}", pb.transitions);
}
