//! Max-prefix: exceeding the limit gives the Cease 6/1 action with AFI, SAFI and the limit
//! (RFC 4486 §4), and the session's routes are withdrawn everywhere.

mod common;

use bgp_core::error::code;
use bgp_core::Family;
use common::*;
use route_server::{SessionConfig, SessionState};
use std::net::IpAddr;
use std::time::Duration;

#[test]
fn exceeding_max_prefix_asks_for_cease_6_1_and_withdraws_everything() {
    let mut a = SessionConfig::new("a", asn(0), IpAddr::V4(addr(0)));
    a.max_prefixes_v4 = Some(3);
    a.restart_after = Some(Duration::from_secs(30));
    let sessions = vec![a, SessionConfig::new("b", asn(1), IpAddr::V4(addr(1)))];
    let mut lab = Lab::with_sessions(Lab::config(), sessions);
    let route = attrs(&[asn(0), 13335], addr(0));
    let ok = lab.send(0, &announce(&route, &["1.1.1.0/24", "1.1.2.0/24", "1.1.3.0/24"]));
    assert_eq!((ok.accepted, ok.max_prefix.is_some()), (3, false));
    // Re-announcing the same prefixes does not count twice.
    let again = lab.send(0, &announce(&route, &["1.1.1.0/24"]));
    assert!(again.max_prefix.is_none());
    assert_eq!(lab.views[1].routes.len(), 3);

    let over = lab.send(0, &announce(&route, &["1.1.4.0/24"]));
    let mp = over.max_prefix.expect("limit exceeded");
    assert_eq!(mp.family, Family::IPV4_UNICAST);
    assert_eq!(mp.limit, 3);
    assert_eq!(mp.restart_after, Some(Duration::from_secs(30)));
    assert_eq!(
        (mp.notification().code, mp.notification().subcode),
        (code::CEASE, code::cease::MAX_PREFIXES)
    );
    assert_eq!(
        &mp.notification().data[..],
        &[0, 1, 1, 0, 0, 0, 3],
        "AFI 1, SAFI 1, limit 3"
    );

    assert_eq!(
        lab.rs.session_state(lab.ids[0]).expect("session"),
        SessionState::MaxPrefixDown
    );
    assert!(lab.views[1].routes.is_empty(), "withdrawn from every client");
    assert!(lab.rs.rib_in(lab.ids[0]).expect("session").is_empty());
    assert!(
        lab.rs.ingest(lab.ids[0], &announce(&route, &["1.1.1.0/24"])).is_err(),
        "the session is down"
    );

    // The driver restarts it: the session starts again from nothing.
    lab.rs.session_up(lab.ids[0], Default::default()).expect("up");
    let ok = lab.send(0, &announce(&route, &["1.1.1.0/24"]));
    assert_eq!(ok.accepted, 1);
    assert_eq!(lab.views[1].routes.len(), 1);
}

#[test]
fn withdrawn_routes_free_room_under_the_limit() {
    let mut a = SessionConfig::new("a", asn(0), IpAddr::V4(addr(0)));
    a.max_prefixes_v4 = Some(2);
    let mut lab = Lab::with_sessions(
        Lab::config(),
        vec![a, SessionConfig::new("b", asn(1), IpAddr::V4(addr(1)))],
    );
    let route = attrs(&[asn(0), 13335], addr(0));
    lab.send(0, &announce(&route, &["1.1.1.0/24", "1.1.2.0/24"]));
    lab.send(0, &withdraw(&["1.1.1.0/24"]));
    let out = lab.send(0, &announce(&route, &["1.1.3.0/24"]));
    assert!(out.max_prefix.is_none());
    assert_eq!(lab.views[1].routes.len(), 2);
}
