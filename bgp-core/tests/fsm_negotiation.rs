//! OPEN checks and capability negotiation: hold time, peer AS, BGP identifier, families,
//! ADD-PATH, 4-octet AS, extended message, route refresh, extended next hop, graceful
//! restart, required capabilities.

#[path = "fsm_support.rs"]
mod support;

use bgp_core::capability::{AddPathMode, Capability, GracefulRestartFamily};
use bgp_core::fsm::{
    check_open, Action, Event, GracefulRestartConfig, PeerAs, Reason, RequiredCapability, SessionConfig, State, Timer,
};
use bgp_core::open::{Open, OptParam};
use bgp_core::types::AS_TRANS;
use bgp_core::Family;
use std::net::Ipv4Addr;
use support::*;

fn open_with(asn: u32, caps: Vec<Capability>) -> Open {
    Open::new(asn, 90, PEER_ID, caps)
}

/// An OPEN without any capability (an old speaker).
fn bare_open(my_as: u16, hold: u16, id: Ipv4Addr) -> Open {
    Open {
        version: 4,
        my_as,
        hold_time: hold,
        bgp_id: id,
        params: Vec::new(),
        extended_params: false,
    }
}

fn receive_open(cfg: SessionConfig, open: Open) -> (bgp_core::fsm::Fsm, Vec<Action>) {
    let mut fsm = fsm_in(State::OpenSent, cfg);
    let actions = fsm.handle(10, Event::BGPOpen(open));
    (fsm, actions)
}

#[test]
fn holdtime_negotiation_uses_minimum() {
    let (fsm, actions) = receive_open(config(), peer_open(30));
    let n = fsm.negotiated().expect("negotiated");
    assert_eq!(n.hold_time, 30);
    assert_eq!(n.keepalive_time, 10);
    assert_eq!(started(&actions, Timer::Hold), Some(30_000));
    assert_eq!(started(&actions, Timer::Keepalive), Some(10_000));
    let mut cfg = config();
    cfg.hold_time = 9;
    let (fsm, _) = receive_open(cfg, peer_open(90));
    assert_eq!(fsm.negotiated().map(|n| (n.hold_time, n.keepalive_time)), Some((9, 3)));
}

#[test]
fn zero_hold_time_starts_neither_hold_nor_keepalive_timer() {
    let (mut fsm, actions) = receive_open(config(), peer_open(0));
    assert_eq!(fsm.state(), State::OpenConfirm);
    assert!(sent(&actions, 4), "the KEEPALIVE confirming the OPEN is still sent");
    assert_eq!(started(&actions, Timer::Keepalive), None);
    assert!(stopped(&actions, Timer::Hold), "the large OpenSent hold timer stops");
    assert!(!fsm.timer_running(Timer::Hold));
    let actions = fsm.handle(11, Event::KeepAliveMsg);
    assert_eq!(fsm.state(), State::Established);
    assert_eq!(started(&actions, Timer::Hold), None);
}

#[test]
fn hold_time_of_one_or_two_seconds_is_refused_with_2_6() {
    for hold in [1, 2] {
        let (fsm, actions) = receive_open(config(), peer_open(hold));
        assert_eq!(notification(&actions), Some((2, 6)), "hold {hold}");
        assert_eq!(fsm.state(), State::Idle);
        assert_eq!(transitions(&actions)[0].event.number(), 22, "recorded as BGPOpenMsgErr");
    }
}

#[test]
fn bad_peer_as_sends_2_2_and_records_bad_peer_as() {
    let (fsm, actions) = receive_open(config(), open_with(65099, vec![]));
    assert_eq!(notification(&actions), Some((2, 2)));
    assert_eq!(fsm.state(), State::Idle);
    let t = &transitions(&actions)[0];
    assert_eq!(
        t.reason,
        Reason::BadPeerAs {
            received: 65099,
            expected: Some(PEER_AS)
        }
    );
    assert_eq!(t.reason.to_string(), "bad-peer-as 65099 (expected 65002)");
}

#[test]
fn as_trans_in_my_as_takes_the_four_octet_capability_as() {
    let mut cfg = config();
    cfg.peer_as = PeerAs::Exact(4_200_000_001);
    let open = open_with(4_200_000_001, vec![]);
    assert_eq!(u32::from(open.my_as), AS_TRANS);
    let n = check_open(&cfg, &open).expect("accepted");
    assert_eq!(n.peer_asn, 4_200_000_001);
    assert!(n.four_octet_as && n.rx.four_octet_as && n.tx.four_octet_as);
}

#[test]
fn four_octet_capability_contradicting_my_as_is_bad_peer_as() {
    let mut open = open_with(PEER_AS, vec![]);
    open.my_as = 65003;
    let err = check_open(&config(), &open).expect_err("refused");
    assert_eq!((err.notification.code, err.notification.subcode), (2, 2));
}

#[test]
fn peer_as_zero_is_bad_peer_as() {
    let mut cfg = config();
    cfg.peer_as = PeerAs::Any;
    let err = check_open(&cfg, &bare_open(0, 90, PEER_ID)).expect_err("refused");
    assert_eq!((err.notification.code, err.notification.subcode), (2, 2));
}

#[test]
fn any_peer_as_accepts_whatever_the_peer_announces() {
    let mut cfg = config();
    cfg.peer_as = PeerAs::Any;
    let n = check_open(&cfg, &open_with(64777, vec![])).expect("accepted");
    assert_eq!(n.peer_asn, 64777);
    assert!(!n.internal);
}

#[test]
fn identical_bgp_identifier_is_refused_on_ibgp_with_2_3() {
    let mut cfg = config();
    cfg.peer_as = PeerAs::Exact(LOCAL_AS);
    let open = Open::new(LOCAL_AS, 90, LOCAL_ID, vec![]);
    let err = check_open(&cfg, &open).expect_err("refused");
    assert_eq!((err.notification.code, err.notification.subcode), (2, 3));
}

#[test]
fn identical_bgp_identifier_is_accepted_on_ebgp_per_rfc_6286() {
    let open = Open::new(PEER_AS, 90, LOCAL_ID, vec![]);
    let n = check_open(&config(), &open).expect("accepted between different ASes");
    assert_eq!(n.peer_id, LOCAL_ID);
}

#[test]
fn families_default_to_ipv4_unicast_when_the_peer_sends_no_multiprotocol_capability() {
    let n = check_open(&config(), &bare_open(PEER_AS as u16, 90, PEER_ID)).expect("accepted");
    assert_eq!(n.families, vec![Family::IPV4_UNICAST]);
    assert!(!n.four_octet_as, "an old speaker: 2-octet AS_PATH");
    assert_eq!(n.rx.as_width(), 2);
}

#[test]
fn families_are_the_intersection_of_both_offers() {
    let mut cfg = config();
    cfg.families = vec![Family::IPV6_UNICAST, Family::new(1, 2)];
    let open = open_with(
        PEER_AS,
        vec![
            Capability::Multiprotocol(Family::IPV4_UNICAST),
            Capability::Multiprotocol(Family::IPV6_UNICAST),
        ],
    );
    let n = check_open(&cfg, &open).expect("accepted");
    assert_eq!(n.families, vec![Family::IPV6_UNICAST]);
}

#[test]
fn add_path_directions_follow_rfc_7911() {
    let mut cfg = config();
    cfg.add_path = vec![
        (Family::IPV4_UNICAST, AddPathMode::Receive),
        (Family::IPV6_UNICAST, AddPathMode::Both),
    ];
    let open = open_with(
        PEER_AS,
        vec![
            Capability::Multiprotocol(Family::IPV4_UNICAST),
            Capability::Multiprotocol(Family::IPV6_UNICAST),
            Capability::AddPath(vec![
                (Family::IPV4_UNICAST, AddPathMode::Both),
                (Family::IPV6_UNICAST, AddPathMode::Receive),
            ]),
        ],
    );
    let n = check_open(&cfg, &open).expect("accepted");
    // IPv4: we receive, they can send -> we receive only. IPv6: they only receive -> we send.
    assert!(n.rx.add_path_ipv4 && !n.tx.add_path_ipv4);
    assert!(!n.rx.add_path_ipv6 && n.tx.add_path_ipv6);
    assert_eq!(
        n.add_path,
        vec![
            (Family::IPV4_UNICAST, AddPathMode::Receive),
            (Family::IPV6_UNICAST, AddPathMode::Send)
        ]
    );
}

#[test]
fn add_path_needs_a_capability_from_the_peer() {
    let mut cfg = config();
    cfg.add_path = vec![(Family::IPV4_UNICAST, AddPathMode::Both)];
    let n = check_open(&cfg, &peer_open(90)).expect("accepted");
    assert!(!n.rx.add_path_ipv4 && !n.tx.add_path_ipv4);
    assert!(n.add_path.is_empty());
}

#[test]
fn extended_message_route_refresh_and_enhanced_route_refresh_need_both_sides() {
    let mut cfg = config();
    cfg.extended_message = true;
    cfg.enhanced_route_refresh = true;
    let n = check_open(&cfg, &peer_open(90)).expect("accepted");
    assert!(!n.extended_message && !n.rx.extended_message && !n.enhanced_route_refresh);
    assert!(n.route_refresh);
    let open = open_with(
        PEER_AS,
        vec![Capability::ExtendedMessage, Capability::EnhancedRouteRefresh],
    );
    let n = check_open(&cfg, &open).expect("accepted");
    assert!(n.extended_message && n.rx.extended_message && n.tx.extended_message);
    assert_eq!(n.rx.max_message_len(), 65535);
    assert!(n.enhanced_route_refresh && !n.route_refresh);
}

#[test]
fn extended_next_hop_needs_both_sides_per_family() {
    let mut cfg = config();
    cfg.extended_next_hop = vec![(Family::IPV4_UNICAST, 2)];
    let n = check_open(&cfg, &peer_open(90)).expect("accepted");
    assert!(!n.rx.extended_next_hop && n.extended_next_hop.is_empty());
    let open = open_with(
        PEER_AS,
        vec![
            Capability::Multiprotocol(Family::IPV4_UNICAST),
            Capability::ExtendedNextHop(vec![(Family::IPV4_UNICAST, 2)]),
        ],
    );
    let n = check_open(&cfg, &open).expect("accepted");
    assert!(n.rx.extended_next_hop && n.tx.extended_next_hop);
    assert_eq!(n.extended_next_hop, vec![(Family::IPV4_UNICAST, 2)]);
}

#[test]
fn peer_graceful_restart_is_recorded_when_both_offer_it() {
    let gr = Capability::GracefulRestart {
        flags: 0x80,
        time: 120,
        families: vec![GracefulRestartFamily {
            family: Family::IPV4_UNICAST,
            flags: 0x80,
        }],
    };
    let n = check_open(&config(), &open_with(PEER_AS, vec![gr.clone()])).expect("accepted");
    assert!(n.graceful_restart.is_none(), "we did not offer it");
    let mut cfg = config();
    cfg.graceful_restart = Some(GracefulRestartConfig {
        restart_time: 90,
        restarting: false,
        families: vec![(Family::IPV4_UNICAST, true)],
    });
    let n = check_open(&cfg, &open_with(PEER_AS, vec![gr])).expect("accepted");
    let g = n.graceful_restart.expect("recorded");
    assert_eq!((g.flags, g.restart_time), (0x80, 120));
    assert_eq!(g.families, vec![(Family::IPV4_UNICAST, 0x80)]);
}

#[test]
fn missing_required_capability_is_refused_with_2_7_carrying_the_capability() {
    let mut cfg = config();
    cfg.required = vec![RequiredCapability::FourOctetAs];
    let err = check_open(&cfg, &bare_open(PEER_AS as u16, 90, PEER_ID)).expect_err("refused");
    assert_eq!((err.notification.code, err.notification.subcode), (2, 7));
    let mut data = vec![65u8, 4];
    data.extend_from_slice(&LOCAL_AS.to_be_bytes());
    assert_eq!(&err.notification.data[..], &data[..]);
}

#[test]
fn missing_required_family_is_refused_with_the_multiprotocol_capability_as_data() {
    let mut cfg = config();
    cfg.required = vec![RequiredCapability::Family(Family::IPV6_UNICAST)];
    let open = open_with(PEER_AS, vec![Capability::Multiprotocol(Family::IPV4_UNICAST)]);
    let (fsm, actions) = receive_open(cfg.clone(), open);
    let n = notification_full(&actions).expect("NOTIFICATION");
    assert_eq!((n.code, n.subcode), (2, 7));
    assert_eq!(&n.data[..], &[1u8, 4, 0, 2, 0, 1][..]);
    assert_eq!(fsm.state(), State::Idle);
    let ok = check_open(&cfg, &peer_open(90));
    assert!(ok.is_ok(), "a peer with IPv6 unicast satisfies it");
}

#[test]
fn our_open_uses_as_trans_for_a_four_octet_local_as() {
    let cfg = SessionConfig::new("big", 4_200_000_000, PeerAs::Any, LOCAL_ID);
    let fsm = bgp_core::fsm::Fsm::new(cfg);
    let open = fsm.our_open();
    assert_eq!(u32::from(open.my_as), AS_TRANS);
    assert_eq!(open.asn(), 4_200_000_000);
    assert_eq!(open.hold_time, 90);
}

#[test]
fn our_open_offers_the_configured_capabilities() {
    let mut cfg = config();
    cfg.add_path = vec![(Family::IPV4_UNICAST, AddPathMode::Both)];
    cfg.extended_message = true;
    let fsm = bgp_core::fsm::Fsm::new(cfg);
    let caps: Vec<&Capability> = fsm.our_open().capabilities().collect();
    assert!(caps.contains(&&Capability::Multiprotocol(Family::IPV6_UNICAST)));
    assert!(caps.contains(&&Capability::RouteRefresh));
    assert!(caps.contains(&&Capability::ExtendedMessage));
    assert!(caps.contains(&&Capability::AddPath(vec![(Family::IPV4_UNICAST, AddPathMode::Both)])));
    assert!(caps.contains(&&Capability::FourOctetAs(LOCAL_AS)));
}

#[test]
fn without_four_octet_support_the_capability_is_neither_sent_nor_used() {
    let mut cfg = config();
    cfg.four_octet_as = false;
    let fsm = bgp_core::fsm::Fsm::new(cfg.clone());
    assert!(!fsm
        .our_open()
        .capabilities()
        .any(|c| matches!(c, Capability::FourOctetAs(_))));
    let n = check_open(&cfg, &peer_open(90)).expect("accepted");
    assert!(!n.four_octet_as && !n.rx.four_octet_as && !n.tx.four_octet_as);
    // A 4-octet peer then shows up as AS_TRANS, which matches the configured 4-octet AS.
    cfg.peer_as = PeerAs::Exact(4_200_000_001);
    let n = check_open(&cfg, &open_with(4_200_000_001, vec![])).expect("accepted");
    assert_eq!(n.peer_asn, AS_TRANS);
}

#[test]
fn unknown_optional_parameters_do_not_disturb_negotiation() {
    let mut open = peer_open(90);
    open.params.push(OptParam::Capabilities(vec![Capability::Unknown {
        code: 200,
        value: bytes::Bytes::from_static(&[1, 2]),
    }]));
    let n = check_open(&config(), &open).expect("unknown capabilities are ignored");
    assert_eq!(n.peer_capabilities.len(), open.capabilities().count());
}

#[test]
fn config_validation_refuses_hold_times_of_one_and_two_seconds() {
    let mut cfg = config();
    assert!(cfg.validate().is_ok());
    cfg.hold_time = 2;
    assert!(cfg.validate().is_err());
    cfg.hold_time = 0;
    assert!(cfg.validate().is_ok());
}
