//! Each import step, accept and reject, with the expected reason; the registered-ASN set
//! changed live.

mod common;

use bgp_core::attr::{AsPath, AttrValue, PathAttribute, Segment, SegmentType};
use common::*;
use route_server::{RejectReason, RoaTable, RouteServerConfig, SessionConfig, SessionState};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// Sends `update` from client 0 of a fresh two-client lab built with `cfg` and returns the
/// verdict of `prefix`.
fn verdict_with(cfg: RouteServerConfig, update: &bgp_core::UpdateView, prefix: &str) -> Option<RejectReason> {
    let mut lab = Lab::new(2, cfg);
    lab.send(0, update);
    let v = lab.rs.explain(net(prefix));
    assert_eq!(v.len(), 1, "one path stored for {prefix}");
    // The verdict is consistent with what client 1 received.
    assert_eq!(
        v[0].reason.is_none(),
        lab.views[1].routes.contains_key(&(net(prefix), 0))
    );
    v[0].reason
}

fn verdict(update: &bgp_core::UpdateView, prefix: &str) -> Option<RejectReason> {
    verdict_with(Lab::config(), update, prefix)
}

fn ok_attrs() -> Vec<PathAttribute> {
    attrs(&[asn(0), 13335], addr(0))
}

#[test]
fn ipv4_prefix_lengths_outside_8_to_24_are_rejected_and_the_bounds_accepted() {
    assert_eq!(
        verdict(&announce(&ok_attrs(), &["6.0.0.0/7"]), "6.0.0.0/7"),
        Some(RejectReason::PrefixTooShort)
    );
    assert_eq!(verdict(&announce(&ok_attrs(), &["6.0.0.0/8"]), "6.0.0.0/8"), None);
    assert_eq!(verdict(&announce(&ok_attrs(), &["1.2.3.0/24"]), "1.2.3.0/24"), None);
    assert_eq!(
        verdict(&announce(&ok_attrs(), &["1.2.3.128/25"]), "1.2.3.128/25"),
        Some(RejectReason::PrefixTooLong)
    );
}

#[test]
fn ipv4_length_limits_are_configurable() {
    let mut cfg = Lab::config();
    cfg.import.ipv4_max_length = 25;
    assert_eq!(
        verdict_with(cfg, &announce(&ok_attrs(), &["1.2.3.128/25"]), "1.2.3.128/25"),
        None
    );
}

fn ipv6_lab() -> Lab {
    let mut s = SessionConfig::new("c0", asn(0), IpAddr::V6(v6addr(0)));
    s.max_prefixes_v6 = Some(100);
    let s1 = SessionConfig::new("c1", asn(1), IpAddr::V6(v6addr(1)));
    Lab::with_sessions(Lab::config(), vec![s, s1])
}

fn v6addr(i: u16) -> Ipv6Addr {
    Ipv6Addr::new(0x2001, 0x7f8, 0, 0, 0, 0, 0, 1 + i)
}

fn v6_verdict(prefix: &str) -> Option<RejectReason> {
    let mut lab = ipv6_lab();
    lab.send(0, &announce6(&attrs6(&[asn(0), 13335]), v6addr(0), &[prefix]));
    let v = lab.rs.explain(net(prefix));
    assert_eq!(
        v[0].reason.is_none(),
        lab.views[1].routes.contains_key(&(net(prefix), 0))
    );
    v[0].reason
}

#[test]
fn ipv6_prefix_lengths_outside_19_to_48_are_rejected_and_the_bounds_accepted() {
    assert_eq!(v6_verdict("2a00::/18"), Some(RejectReason::PrefixTooShort));
    assert_eq!(v6_verdict("2a00::/19"), None);
    assert_eq!(v6_verdict("2a00:1450:1::/48"), None);
    assert_eq!(v6_verdict("2a00:1450:1::/49"), Some(RejectReason::PrefixTooLong));
}

#[test]
fn bogon_prefixes_of_both_families_are_rejected() {
    for p in [
        "10.0.0.0/8",
        "192.168.10.0/24",
        "192.0.2.0/24",
        "100.64.0.0/10",
        "172.16.5.0/24",
    ] {
        assert_eq!(
            verdict(&announce(&ok_attrs(), &[p]), p),
            Some(RejectReason::BogonPrefix),
            "{p}"
        );
    }
    for p in ["2001:db8::/32", "fc00::/24", "2002:100::/24", "4000::/20"] {
        assert_eq!(v6_verdict(p), Some(RejectReason::BogonPrefix), "{p}");
    }
}

#[test]
fn an_empty_as_path_is_rejected() {
    let mut a = ok_attrs();
    a[1] = PathAttribute::new(AttrValue::AsPath(AsPath::default()));
    assert_eq!(
        verdict(&announce(&a, &["1.1.1.0/24"]), "1.1.1.0/24"),
        Some(RejectReason::AsPathEmpty)
    );
}

#[test]
fn an_as_path_longer_than_64_is_rejected_and_64_is_accepted() {
    let mut path = vec![asn(0); 63];
    path.push(13335);
    assert_eq!(
        verdict(&announce(&attrs(&path, addr(0)), &["1.1.1.0/24"]), "1.1.1.0/24"),
        None
    );
    path.insert(0, asn(0));
    assert_eq!(
        verdict(&announce(&attrs(&path, addr(0)), &["1.1.1.0/24"]), "1.1.1.0/24"),
        Some(RejectReason::AsPathTooLong)
    );
}

#[test]
fn an_as_path_with_an_as_set_is_rejected() {
    let mut a = ok_attrs();
    a[1] = PathAttribute::new(AttrValue::AsPath(AsPath {
        segments: vec![
            Segment {
                kind: SegmentType::Sequence,
                asns: vec![asn(0)],
            },
            Segment {
                kind: SegmentType::Set,
                asns: vec![13335, 15169],
            },
        ],
    }));
    assert_eq!(
        verdict(&announce(&a, &["1.1.1.0/24"]), "1.1.1.0/24"),
        Some(RejectReason::AsPathHasSet)
    );
}

#[test]
fn a_left_most_as_other_than_the_client_is_rejected() {
    let a = attrs(&[3333, 13335], addr(0));
    assert_eq!(
        verdict(&announce(&a, &["1.1.1.0/24"]), "1.1.1.0/24"),
        Some(RejectReason::FirstAsNotClient)
    );
}

#[test]
fn a_next_hop_other_than_the_session_address_is_rejected() {
    let a = attrs(&[asn(0), 13335], Ipv4Addr::new(192, 0, 2, 99));
    assert_eq!(
        verdict(&announce(&a, &["1.1.1.0/24"]), "1.1.1.0/24"),
        Some(RejectReason::NextHopNotClient)
    );
}

fn same_as_lab(allow: bool) -> Lab {
    let mut cfg = Lab::config();
    cfg.import.allow_same_as_next_hop = allow;
    let r1 = SessionConfig::new("a-router1", asn(0), IpAddr::V4(addr(0)));
    let r2 = SessionConfig::new("a-router2", asn(0), IpAddr::V4(addr(1)));
    let other = SessionConfig::new("b", asn(2), IpAddr::V4(addr(2)));
    Lab::with_sessions(cfg, vec![r1, r2, other])
}

#[test]
fn a_next_hop_of_another_session_of_the_same_as_is_accepted_only_when_allowed() {
    let update = announce(&attrs(&[asn(0), 13335], addr(1)), &["1.1.1.0/24"]);
    let mut lab = same_as_lab(true);
    lab.send(0, &update);
    assert_eq!(lab.rs.explain(net("1.1.1.0/24"))[0].reason, None);
    assert!(lab.views[2].routes.contains_key(&(net("1.1.1.0/24"), 0)));
    let mut lab = same_as_lab(false);
    lab.send(0, &update);
    assert_eq!(
        lab.rs.explain(net("1.1.1.0/24"))[0].reason,
        Some(RejectReason::NextHopNotClient)
    );
    assert!(lab.views[2].routes.is_empty());
}

#[test]
fn bogon_asns_anywhere_in_the_path_are_rejected() {
    for bad in [
        0u32,
        23456,
        64496,
        64512,
        65535,
        65536,
        100_000,
        4_200_000_000,
        u32::MAX,
    ] {
        let a = attrs(&[asn(0), bad, 13335], addr(0));
        assert_eq!(
            verdict(&announce(&a, &["1.1.1.0/24"]), "1.1.1.0/24"),
            Some(RejectReason::BogonAsnInPath),
            "AS{bad}"
        );
    }
}

#[test]
fn an_origin_that_is_not_a_registered_customer_asn_is_rejected() {
    let a = attrs(&[asn(0), 7777], addr(0));
    assert_eq!(
        verdict(&announce(&a, &["1.1.1.0/24"]), "1.1.1.0/24"),
        Some(RejectReason::OriginNotRegistered)
    );
    let a = attrs(&[asn(0), 3333], addr(0));
    assert_eq!(verdict(&announce(&a, &["1.1.1.0/24"]), "1.1.1.0/24"), None);
}

fn peering_service() -> RouteServerConfig {
    let mut cfg = Lab::config();
    cfg.import.peering_service = true;
    cfg
}

#[test]
fn peering_service_refuses_paths_longer_than_three() {
    let ok = attrs(&[asn(0), 3333, 13335], addr(0));
    assert_eq!(
        verdict_with(peering_service(), &announce(&ok, &["1.1.1.0/24"]), "1.1.1.0/24"),
        None
    );
    let long = attrs(&[asn(0), 3333, 15169, 13335], addr(0));
    assert_eq!(
        verdict_with(peering_service(), &announce(&long, &["1.1.1.0/24"]), "1.1.1.0/24"),
        Some(RejectReason::PeeringServicePathTooLong)
    );
    assert_eq!(
        verdict(&announce(&long, &["1.1.1.0/24"]), "1.1.1.0/24"),
        None,
        "off by default"
    );
}

#[test]
fn peering_service_refuses_prepending() {
    let a = attrs(&[asn(0), 13335, 13335], addr(0));
    assert_eq!(
        verdict_with(peering_service(), &announce(&a, &["1.1.1.0/24"]), "1.1.1.0/24"),
        Some(RejectReason::PeeringServicePrepended)
    );
}

#[test]
fn peering_service_refuses_private_asns_when_the_bogon_asn_step_is_off() {
    let mut cfg = peering_service();
    cfg.import.reject_bogon_asns = false;
    let a = attrs(&[asn(0), 64512, 13335], addr(0));
    assert_eq!(
        verdict_with(cfg, &announce(&a, &["1.1.1.0/24"]), "1.1.1.0/24"),
        Some(RejectReason::PeeringServicePrivateAsn)
    );
}

fn rpki_lab(reject_invalid: bool) -> Lab {
    let mut cfg = Lab::config();
    cfg.import.rpki.reject_invalid = reject_invalid;
    let mut lab = Lab::new(2, cfg);
    let roas = RoaTable::from_json(r#"{"roas":[{"asn":"AS13335","prefix":"1.1.1.0/24","maxLength":24,"ta":"apnic"}]}"#)
        .expect("ROAs");
    lab.rs.set_roas(roas);
    lab
}

#[test]
fn rpki_invalid_routes_are_rejected_when_the_switch_is_on() {
    let mut lab = rpki_lab(true);
    lab.send(0, &announce(&attrs(&[asn(0), 15169], addr(0)), &["1.1.1.0/24"]));
    lab.send(0, &announce(&attrs(&[asn(0), 13335], addr(0)), &["1.0.0.0/24"]));
    assert_eq!(
        lab.rs.explain(net("1.1.1.0/24"))[0].reason,
        Some(RejectReason::RpkiInvalid)
    );
    assert_eq!(
        lab.rs.explain(net("1.0.0.0/24"))[0].reason,
        None,
        "not found is accepted"
    );
    lab.send(0, &announce(&attrs(&[asn(0), 13335], addr(0)), &["1.1.1.0/24"]));
    assert_eq!(lab.rs.explain(net("1.1.1.0/24"))[0].reason, None, "valid is accepted");
    let mut lab = rpki_lab(false);
    lab.send(0, &announce(&attrs(&[asn(0), 15169], addr(0)), &["1.1.1.0/24"]));
    assert_eq!(
        lab.rs.explain(net("1.1.1.0/24"))[0].reason,
        None,
        "switch off: invalid is accepted"
    );
}

#[test]
fn the_earliest_failing_step_is_the_reason() {
    // Too long, bogon, wrong first AS and unregistered origin at once: length comes first.
    let a = attrs(&[3333, 7777], Ipv4Addr::new(192, 0, 2, 99));
    assert_eq!(
        verdict(&announce(&a, &["10.1.1.128/25"]), "10.1.1.128/25"),
        Some(RejectReason::PrefixTooLong)
    );
    assert_eq!(
        verdict(&announce(&a, &["10.1.1.0/24"]), "10.1.1.0/24"),
        Some(RejectReason::BogonPrefix)
    );
    assert_eq!(
        verdict(&announce(&a, &["1.1.1.0/24"]), "1.1.1.0/24"),
        Some(RejectReason::FirstAsNotClient)
    );
}

#[test]
fn rejected_routes_are_listed_per_session_with_reason_and_attributes() {
    let mut lab = Lab::new(2, Lab::config());
    lab.send(
        0,
        &announce(&attrs(&[asn(0), 7777], addr(0)), &["1.1.1.0/24", "1.1.2.0/24"]),
    );
    lab.send(0, &announce(&ok_attrs(), &["1.1.3.0/24"]));
    let mut rejected = lab.rs.rejected(lab.ids[0]).expect("session");
    rejected.sort_by_key(|r| r.prefix);
    let got: Vec<(String, Option<RejectReason>)> = rejected.iter().map(|r| (r.prefix.to_string(), r.reason)).collect();
    assert_eq!(
        got,
        [
            ("1.1.1.0/24".to_string(), Some(RejectReason::OriginNotRegistered)),
            ("1.1.2.0/24".to_string(), Some(RejectReason::OriginNotRegistered))
        ]
    );
    assert!(rejected[0]
        .attributes
        .iter()
        .any(|a| matches!(&a.value, AttrValue::AsPath(p) if p.origin_asn() == Some(7777))));
    assert!(lab.rs.rejected(lab.ids[1]).expect("session").is_empty());
    assert_eq!(lab.rs.rib_in(lab.ids[0]).expect("session").len(), 3);
}

#[test]
fn registering_and_deregistering_an_origin_changes_every_clients_view_without_a_reset() {
    let mut lab = Lab::new(3, Lab::config());
    lab.send(0, &announce(&attrs(&[asn(0), 7777], addr(0)), &["1.1.1.0/24"]));
    lab.send(1, &announce(&attrs(&[asn(1), 7777], addr(1)), &["1.1.2.0/24"]));
    assert!(lab.views.iter().all(|v| v.routes.is_empty()));

    assert!(lab.rs.register_asn(7777));
    assert!(!lab.rs.register_asn(7777), "registering twice is refused");
    assert!(lab.rs.registered_asns().contains(&7777));
    lab.sync();
    assert_eq!(lab.views[0].prefixes(), [net("1.1.2.0/24")]);
    assert_eq!(lab.views[1].prefixes(), [net("1.1.1.0/24")]);
    assert_eq!(lab.views[2].prefixes(), [net("1.1.1.0/24"), net("1.1.2.0/24")]);

    assert!(lab.rs.deregister_asn(7777));
    lab.sync();
    assert!(lab.views.iter().all(|v| v.routes.is_empty()));
    assert_eq!(
        lab.rs.explain(net("1.1.1.0/24"))[0].reason,
        Some(RejectReason::OriginNotRegistered)
    );
    for id in &lab.ids {
        assert_eq!(lab.rs.session_state(*id).expect("session"), SessionState::Up);
        let c = lab.rs.counters(*id).expect("session");
        assert_eq!((c.ups, c.downs), (1, 0), "no session was reset");
    }
}
