//! Interop of peerlab's speaker with real BIRD 2, GoBGP, OpenBGPD and FRR daemons started by
//! the test on loopback: each daemon with peerlab active and passive, over IPv4 and IPv6
//! transport.

use bgp_core::attr::{Community, LargeCommunity};
use bgp_core::fsm::State;
use ipnet::IpNet;
use peerlab_tests::daemons::{self, Daemon, PeerSpec};
use peerlab_tests::peer::{self, PeerlabSide, Running};
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

const PEERLAB_AS: u32 = 4_200_000_001;
const DAEMON_AS: u32 = 4_200_000_002;
const WAIT: Duration = Duration::from_secs(30);

/// The daemons these tests run against.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Kind {
    Bird,
    Gobgp,
    Openbgpd,
    Frr,
}

/// Every daemon, for the tests that run against each in turn.
const ALL: [Kind; 4] = [Kind::Bird, Kind::Gobgp, Kind::Openbgpd, Kind::Frr];

impl Kind {
    fn daemon(self) -> Daemon {
        match self {
            Kind::Bird => Daemon::Bird,
            Kind::Gobgp => Daemon::Gobgp,
            Kind::Openbgpd => Daemon::Openbgpd,
            Kind::Frr => Daemon::Frr,
        }
    }
}

/// Addresses for one test: peerlab and the daemon, on loopback.
fn addrs(v6: bool) -> (IpAddr, IpAddr) {
    if v6 {
        ("::1".parse().unwrap(), "::1".parse().unwrap())
    } else {
        ("127.0.0.1".parse().unwrap(), "127.0.0.2".parse().unwrap())
    }
}

fn daemon_route(v6: bool) -> IpNet {
    if v6 { "2001:db8:d::/48" } else { "198.51.100.0/24" }.parse().unwrap()
}

fn peerlab_route(v6: bool) -> IpNet {
    if v6 { "2001:db8:e::/48" } else { "203.0.113.0/24" }.parse().unwrap()
}

/// The next hop peerlab announces: a documentation address, only a label.
fn next_hop_label(v6: bool) -> IpAddr {
    if v6 { "2001:db8::1" } else { "192.0.2.1" }.parse().unwrap()
}

struct Setup {
    daemon: daemons::Running,
    side: PeerlabSide,
    peerlab: Running,
}

/// Starts the daemon and peerlab's session; `daemon_active` decides who connects.
async fn setup(
    kind: Kind,
    v6: bool,
    peerlab_passive: bool,
    peer_as_seen_by_peerlab: u32,
    md5: (Option<&str>, Option<&str>),
    hold: u16,
) -> Option<Setup> {
    let program = daemons::require_daemon(kind.daemon(), "interop")?;
    let (pl_ip, d_ip) = addrs(v6);
    let pl_port = daemons::free_port();
    let d_port = daemons::free_port();
    let spec = PeerSpec {
        local_addr: d_ip,
        local_port: d_port,
        local_as: DAEMON_AS,
        router_id: "10.255.0.2".parse().unwrap(),
        peer_addr: pl_ip,
        peer_port: pl_port,
        peer_as: PEERLAB_AS,
        passive: !peerlab_passive,
        hold_time: hold,
        md5: md5.1.map(str::to_owned),
        bird_export: Some("filter { if source = RTS_STATIC then bgp_med = 77; accept; }".to_owned()),
    };
    let route = daemon_route(v6);
    let config = match kind {
        Kind::Bird => {
            let (ch, table) = if v6 { ("ipv6", "") } else { ("ipv4", "") };
            let extra = format!(
                "protocol static daemon_routes {{ {ch}{table}; route {route} unreachable {{ bgp_community.add((65010,7)); bgp_large_community.add(({DAEMON_AS},1,2)); }}; }}"
            );
            daemons::bird_config(&spec, &extra)
        }
        Kind::Gobgp => daemons::gobgp_config(&spec),
        Kind::Openbgpd => {
            // Over IPv6 both ends are ::1: a documentation address stands in as next hop.
            let nh = if v6 { " nexthop 2001:db8::2" } else { "" };
            let network =
                format!("network {route} set {{ med 77 community 65010:7 large-community {DAEMON_AS}:1:2{nh} }}");
            daemons::openbgpd_config(&spec, &network)
        }
        Kind::Frr => {
            let nh = if v6 {
                "\n set ipv6 next-hop global 2001:db8::2"
            } else {
                ""
            };
            let route_map = format!(
                "route-map daemon_routes permit 10\n set metric 77\n set community 65010:7\n set large-community {DAEMON_AS}:1:2{nh}"
            );
            daemons::frr_config(&spec, &format!("  network {route} route-map daemon_routes"), &route_map)
        }
    };
    // Started means listening on d_port (whoever connects).
    let daemon =
        daemons::start(kind.daemon(), &program, &spec, config).unwrap_or_else(|e| panic!("{kind:?} starts: {e}"));
    if kind == Kind::Gobgp {
        let afi = if v6 { "ipv6" } else { "ipv4" };
        let args = [
            "global",
            "rib",
            "add",
            "-a",
            afi,
            &route.to_string(),
            "med",
            "77",
            "community",
            "65010:7",
        ];
        let large = format!("{DAEMON_AS}:1:2");
        let args: Vec<&str> = args.into_iter().chain(["large-community", &large]).collect();
        if let Err(e) = daemon.control_until_ok(&args, Duration::from_secs(10)) {
            panic!("gobgp rib add failed: {e}");
        }
    }
    let side = PeerlabSide {
        local: SocketAddr::new(pl_ip, pl_port),
        remote: SocketAddr::new(d_ip, d_port),
        local_as: PEERLAB_AS,
        remote_as: peer_as_seen_by_peerlab,
        passive: peerlab_passive,
        hold_time: hold,
        md5: md5.0.map(str::to_owned),
    };
    let peerlab = peer::start(&side).await.expect("peerlab session starts");
    Some(Setup { daemon, side, peerlab })
}

/// Whether the daemon holds peerlab's route with the attributes unchanged.
fn daemon_has_route(kind: Kind, d: &daemons::Running, v6: bool) -> bool {
    let p = peerlab_route(v6).to_string();
    match kind {
        Kind::Bird => {
            let out = daemons::control(d, &["show", "route", &p, "all"]);
            out.contains(&p)
                && out.contains(&format!("BGP.as_path: {PEERLAB_AS}\n"))
                && out.contains(&format!("BGP.next_hop: {}", next_hop_label(v6)))
                && out.contains("BGP.med: 55")
                && out.contains("(65020,9)")
                && out.contains(&format!("({PEERLAB_AS}, 3, 4)"))
        }
        Kind::Gobgp => {
            let afi = if v6 { "ipv6" } else { "ipv4" };
            let out = daemons::control(d, &["global", "rib", "-a", afi, &p, "-j"]);
            let community = (65020u32 << 16) | 9;
            out.contains("\"metric\":55")
                && out.contains(&format!("\"asns\":[{PEERLAB_AS}]"))
                && out.contains(&format!("\"nexthop\":\"{}\"", next_hop_label(v6)))
                && out.contains(&community.to_string())
                && out.contains(&format!("\"ASN\":{PEERLAB_AS}"))
        }
        Kind::Openbgpd => {
            let out = daemons::control(d, &["show", "rib", "in", "detail", &p]);
            out.contains(&p)
                && out.contains("metric 55")
                && out.contains("65020:9")
                && out.contains(&format!("{PEERLAB_AS}:3:4"))
        }
        Kind::Frr => {
            let afi = if v6 { "ipv6" } else { "ipv4" };
            let out = daemons::control(d, &["show", "bgp", afi, "unicast", &p, "json"]);
            out.contains("\"metric\":55") && out.contains("65020:9") && out.contains(&format!("{PEERLAB_AS}:3:4"))
        }
    }
}

async fn established_and_routes_cross(kind: Kind, v6: bool, peerlab_passive: bool) {
    let Some(mut s) = setup(kind, v6, peerlab_passive, DAEMON_AS, (None, None), 9).await else {
        return;
    };
    daemons::assert_loopback_only(&s.daemon);
    let up = s.peerlab.wait_until(WAIT, |r| r.established()).await;
    assert!(
        up,
        "{kind:?} v6={v6} passive={peerlab_passive}: not Established; transitions {:?}; daemon log:\n{}",
        s.peerlab.transitions,
        s.daemon.log()
    );
    s.peerlab
        .announce(
            &s.side,
            peerlab_route(v6),
            next_hop_label(v6),
            55,
            Community::new(65020, 9),
            LargeCommunity::new(PEERLAB_AS, 3, 4),
        )
        .await;
    let want = daemon_route(v6);
    let got = s
        .peerlab
        .wait_until(WAIT, |r| r.received.iter().any(|(p, _)| *p == want))
        .await;
    assert!(
        got,
        "{kind:?}: daemon's route {want} not received; got {:?}",
        s.peerlab.received
    );
    let (_, attrs) = s.peerlab.received.iter().find(|(p, _)| *p == want).cloned().unwrap();
    assert_eq!(attrs.as_path, vec![DAEMON_AS], "{kind:?} v6={v6}: {attrs:?}");
    // An eBGP speaker announces its own session address as the next hop; BIRD over IPv6
    // announces the documentation address its configuration names instead (both ends are ::1,
    // so its own address cannot be the next hop: `daemons::bird_config`).
    let want_nh: IpAddr = match (kind, v6) {
        (Kind::Bird, true) => "2001:db8::2".parse().unwrap(),
        _ => s.side.remote.ip(),
    };
    assert_eq!(attrs.next_hop, Some(want_nh), "{kind:?} v6={v6}: {attrs:?}");
    assert_eq!(attrs.med, Some(77), "{kind:?} v6={v6}: {attrs:?}");
    assert_eq!(attrs.communities, vec![Community::new(65010, 7)]);
    assert_eq!(attrs.large, vec![LargeCommunity::new(DAEMON_AS, 1, 2)]);
    let mut seen = false;
    for _ in 0..100 {
        if daemon_has_route(kind, &s.daemon, v6) {
            seen = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let afi = if v6 { "ipv6" } else { "ipv4" };
    let shown = match kind {
        Kind::Bird => daemons::control(&s.daemon, &["show", "route", "all"]),
        Kind::Gobgp => daemons::control(&s.daemon, &["global", "rib", "-a", afi, "-j"]),
        Kind::Openbgpd => daemons::control(&s.daemon, &["show", "rib", "in", "detail"]),
        Kind::Frr => daemons::control(&s.daemon, &["show", "bgp", afi, "unicast", "json"]),
    };
    assert!(seen, "{kind:?} did not receive peerlab's route unchanged: {shown}");
    daemons::assert_loopback_only(&s.daemon);
}

/// [`established_and_routes_cross`] over IPv4 and IPv6, with peerlab active and passive.
async fn every_way_routes_cross(kind: Kind) {
    for v6 in [false, true] {
        for passive in [false, true] {
            established_and_routes_cross(kind, v6, passive).await;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bird_and_peerlab_establish_with_4_octet_asns_and_exchange_routes_unchanged() {
    every_way_routes_cross(Kind::Bird).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gobgp_and_peerlab_establish_with_4_octet_asns_and_exchange_routes_unchanged() {
    every_way_routes_cross(Kind::Gobgp).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn openbgpd_and_peerlab_establish_with_4_octet_asns_and_exchange_routes_unchanged() {
    every_way_routes_cross(Kind::Openbgpd).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn frr_and_peerlab_establish_with_4_octet_asns_and_exchange_routes_unchanged() {
    every_way_routes_cross(Kind::Frr).await;
}

async fn wrong_peer_as(kind: Kind) {
    let Some(mut s) = setup(kind, false, false, 64_999, (None, None), 9).await else {
        return;
    };
    let refused = s
        .peerlab
        .wait_until(WAIT, |r| {
            r.sent.iter().any(|n| (n.code, n.subcode) == (2, 2))
                && r.transitions.last().is_some_and(|t| t.to == State::Idle)
        })
        .await;
    assert!(
        refused,
        "{kind:?}: no OPEN error 2/2 sent; transitions {:?}",
        s.peerlab.transitions
    );
    let history: Vec<(State, State)> = s.peerlab.transitions.iter().map(|t| (t.from, t.to)).collect();
    assert!(history.starts_with(&[(State::Idle, State::Connect)]), "{history:?}");
    let last = s
        .peerlab
        .transitions
        .iter()
        .rfind(|t| t.to == State::Idle)
        .expect("back to Idle");
    assert_eq!(last.from, State::OpenSent);
    assert!(last.reason.to_string().starts_with("bad-peer-as"), "{}", last.reason);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_peer_as_gives_open_error_2_2_with_bird() {
    wrong_peer_as(Kind::Bird).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_peer_as_gives_open_error_2_2_with_gobgp() {
    wrong_peer_as(Kind::Gobgp).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_peer_as_gives_open_error_2_2_with_openbgpd() {
    wrong_peer_as(Kind::Openbgpd).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_peer_as_gives_open_error_2_2_with_frr() {
    wrong_peer_as(Kind::Frr).await;
}

async fn md5_same_key_establishes(kind: Kind) {
    let key = Some("s3cr3t-peerlab");
    let Some(mut s) = setup(kind, false, false, DAEMON_AS, (key, key), 9).await else {
        return;
    };
    let up = s.peerlab.wait_until(WAIT, |r| r.established()).await;
    assert!(
        up,
        "{kind:?}: MD5 with the same key did not establish: {:?} {:?}",
        s.peerlab.transitions, s.peerlab.connect_failures
    );
}

async fn md5_different_key_never_establishes(kind: Kind) {
    let Some(mut s) = setup(kind, false, false, DAEMON_AS, (Some("ours"), Some("theirs")), 9).await else {
        return;
    };
    // The kernel drops segments with a wrong signature, so the TCP connection never opens:
    // peerlab must report connection failures, not hang in Connect.
    let failed = s.peerlab.wait_until(WAIT, |r| r.connect_failures.len() >= 2).await;
    assert!(
        failed,
        "{kind:?}: no connection failure reported: {:?}",
        s.peerlab.transitions
    );
    assert!(!s
        .peerlab
        .transitions
        .iter()
        .any(|t| t.to == State::OpenSent || t.to == State::Established));
    assert!(
        s.peerlab
            .transitions
            .iter()
            .any(|t| t.reason.to_string() == "tcp-connection-fails"),
        "{:?}",
        s.peerlab.transitions
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tcp_md5_with_the_same_key_establishes_and_with_another_key_fails_cleanly() {
    // Not OpenBGPD: the portable 7.7 of Debian 12 sets no TCP-MD5 keys on Linux ("PF_KEY
    // not available"; openbgpd-portable issue 79, fixed by pull request 85 in a later release).
    for kind in [Kind::Bird, Kind::Gobgp, Kind::Frr] {
        md5_same_key_establishes(kind).await;
        md5_different_key_never_establishes(kind).await;
    }
}

async fn hold_timer_on_a_frozen_daemon(kind: Kind) {
    let Some(mut s) = setup(kind, false, false, DAEMON_AS, (None, None), 3).await else {
        return;
    };
    assert!(
        s.peerlab.wait_until(WAIT, |r| r.established()).await,
        "{kind:?}: not Established"
    );
    s.daemon.freeze().expect("SIGSTOP");
    let expired = s
        .peerlab
        .wait_until(WAIT, |r| {
            r.transitions
                .iter()
                .any(|t| t.from == State::Established && t.reason.to_string() == "hold-timer-expired")
        })
        .await;
    s.daemon.thaw().expect("SIGCONT");
    assert!(
        expired,
        "{kind:?}: hold timer did not expire: {:?}",
        s.peerlab.transitions
    );
    assert!(
        s.peerlab.sent.iter().any(|n| (n.code, n.subcode) == (4, 0)),
        "{kind:?}: no NOTIFICATION 4/0 sent: {:?}",
        s.peerlab.sent
    );
    let downs = s.peerlab.transitions.len();
    let back = s
        .peerlab
        .wait_until(WAIT, |r| r.transitions.len() > downs && r.established())
        .await;
    assert!(
        back,
        "{kind:?}: session did not come back after SIGCONT: {:?}",
        &s.peerlab.transitions[downs..]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_frozen_daemon_makes_the_hold_timer_expire_with_4_0_and_the_session_comes_back() {
    for kind in ALL {
        hold_timer_on_a_frozen_daemon(kind).await;
    }
}

async fn admin_shutdown_is_logged(kind: Kind) {
    let Some(mut s) = setup(kind, false, false, DAEMON_AS, (None, None), 9).await else {
        return;
    };
    assert!(
        s.peerlab.wait_until(WAIT, |r| r.established()).await,
        "{kind:?}: not Established"
    );
    s.peerlab.shutdown("peerlab maintenance window").await;
    let idle = s
        .peerlab
        .wait_until(WAIT, |r| r.transitions.last().is_some_and(|t| t.to == State::Idle))
        .await;
    assert!(idle, "{kind:?}: not Idle after shutdown");
    let n = s
        .peerlab
        .sent
        .iter()
        .find(|n| n.code == 6)
        .cloned()
        .expect("a Cease was sent");
    assert_eq!(
        (n.subcode, n.shutdown_communication()),
        (2, Some("peerlab maintenance window"))
    );
    let mut logged = false;
    for _ in 0..50 {
        if s.daemon.log().contains("peerlab maintenance window") {
            logged = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(logged, "{kind:?} did not log the shutdown message:\n{}", s.daemon.log());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn administrative_shutdown_sends_cease_6_2_with_a_message_the_daemon_logs() {
    // Not FRR: bgpd 8.4 may act on the TCP close before the NOTIFICATION that came just
    // before it (its log then says only "Peer closed the session"), a race on its side.
    for kind in [Kind::Bird, Kind::Gobgp, Kind::Openbgpd] {
        admin_shutdown_is_logged(kind).await;
    }
}
