//! Export: NO_EXPORT / NO_ADVERTISE, the announcement-control communities and their removal,
//! never back to the sender, transparency, path hiding avoided, ADD-PATH, best path.

mod common;

use bgp_core::attr::{flags, AttrValue, Community, LargeCommunity, PathAttribute};
use bytes::Bytes;
use common::*;
use route_server::SessionConfig;
use std::net::IpAddr;

const P: &str = "1.1.1.0/24";

/// Client `i`'s IPv6 session address (and next hop), 2001:7f8::`i`.
fn nh(i: u16) -> std::net::Ipv6Addr {
    std::net::Ipv6Addr::new(0x2001, 0x7f8, 0, 0, 0, 0, 0, i)
}

/// Clients a and b over IPv6, at [`nh`] 1 and 2.
fn ipv6_pair() -> Lab {
    let sessions = vec![
        SessionConfig::new("a", asn(0), IpAddr::V6(nh(1))),
        SessionConfig::new("b", asn(1), IpAddr::V6(nh(2))),
    ];
    Lab::with_sessions(Lab::config(), sessions)
}

fn has(lab: &Lab, client: usize) -> bool {
    lab.views[client].routes.contains_key(&(net(P), 0))
}

fn sent_with(cs: &[Community]) -> Lab {
    let mut lab = Lab::new(4, Lab::config());
    lab.send(
        0,
        &announce(&with_communities(attrs(&[asn(0), 13335], addr(0)), cs), &[P]),
    );
    lab
}

fn receivers(lab: &Lab) -> Vec<usize> {
    (0..lab.views.len()).filter(|&i| has(lab, i)).collect()
}

#[test]
fn a_plain_route_goes_to_every_other_client_and_never_back_to_its_sender() {
    let lab = sent_with(&[Community::new(3333, 1)]);
    assert_eq!(receivers(&lab), [1, 2, 3]);
}

#[test]
fn no_export_and_no_advertise_routes_are_not_exported() {
    assert!(receivers(&sent_with(&[Community::NO_EXPORT])).is_empty());
    assert!(receivers(&sent_with(&[Community::NO_ADVERTISE])).is_empty());
}

#[test]
fn zero_peer_blocks_that_peer_only() {
    let lab = sent_with(&[Community::new(0, asn(2) as u16)]);
    assert_eq!(receivers(&lab), [1, 3]);
}

#[test]
fn zero_rs_blocks_everyone_except_the_rs_peer_ones() {
    assert!(receivers(&sent_with(&[Community::new(0, RS as u16)])).is_empty());
    let lab = sent_with(&[Community::new(0, RS as u16), Community::new(RS as u16, asn(3) as u16)]);
    assert_eq!(receivers(&lab), [3]);
}

#[test]
fn rs_peer_alone_does_not_restrict() {
    let lab = sent_with(&[Community::new(RS as u16, asn(3) as u16)]);
    assert_eq!(receivers(&lab), [1, 2, 3]);
}

#[test]
fn large_community_forms_block_and_allow_peers() {
    let mut lab = Lab::new(4, Lab::config());
    let a = with_large(attrs(&[asn(0), 13335], addr(0)), &[LargeCommunity::new(RS, 0, asn(1))]);
    lab.send(0, &announce(&a, &[P]));
    assert_eq!(receivers(&lab), [2, 3]);

    let mut lab = Lab::new(4, Lab::config());
    let a = with_communities(attrs(&[asn(0), 13335], addr(0)), &[Community::new(0, RS as u16)]);
    let a = with_large(a, &[LargeCommunity::new(RS, 1, asn(2))]);
    lab.send(0, &announce(&a, &[P]));
    assert_eq!(receivers(&lab), [2]);
}

fn communities_of(attrs: &[PathAttribute]) -> Option<Vec<Community>> {
    attrs.iter().find_map(|a| match &a.value {
        AttrValue::Communities(c) => Some(c.clone()),
        _ => None,
    })
}

fn large_of(attrs: &[PathAttribute]) -> Option<Vec<LargeCommunity>> {
    attrs.iter().find_map(|a| match &a.value {
        AttrValue::LargeCommunities(c) => Some(c.clone()),
        _ => None,
    })
}

#[test]
fn control_communities_are_removed_and_others_kept() {
    let mut lab = Lab::new(4, Lab::config());
    let a = with_communities(
        attrs(&[asn(0), 13335], addr(0)),
        &[
            Community::new(0, asn(2) as u16),
            Community::new(RS as u16, asn(1) as u16),
            Community::new(3333, 7),
        ],
    );
    let a = with_large(
        a,
        &[
            LargeCommunity::new(RS, 0, asn(3)),
            LargeCommunity::new(RS, 1, asn(1)),
            LargeCommunity::new(RS, 2, 9),
            LargeCommunity::new(3333, 0, 1),
        ],
    );
    lab.send(0, &announce(&a, &[P]));
    let got = &lab.views[1].routes[&(net(P), 0)];
    assert_eq!(communities_of(got), Some(vec![Community::new(3333, 7)]));
    assert_eq!(
        large_of(got),
        Some(vec![LargeCommunity::new(RS, 2, 9), LargeCommunity::new(3333, 0, 1)])
    );
}

#[test]
fn a_communities_attribute_left_empty_is_dropped() {
    let lab = sent_with(&[Community::new(RS as u16, asn(1) as u16)]);
    assert_eq!(communities_of(&lab.views[1].routes[&(net(P), 0)]), None);
}

#[test]
fn attributes_pass_unchanged_except_the_partial_bit_of_unknown_transitive_ones_and_unknown_non_transitive_ones_dropped()
{
    let mut lab = Lab::new(2, Lab::config());
    let unknown = PathAttribute {
        flags: flags::OPTIONAL_TRANSITIVE,
        value: AttrValue::Unknown {
            type_code: 99,
            value: Bytes::from_static(&[1, 2, 3]),
        },
    };
    let unknown_non_transitive = PathAttribute {
        flags: flags::OPTIONAL,
        value: AttrValue::Unknown {
            type_code: 98,
            value: Bytes::from_static(&[4]),
        },
    };
    let mut sent = with_med(attrs(&[asn(0), 3333, 13335], addr(0)), 42);
    sent = with_communities(sent, &[Community::new(3333, 1), Community::NO_PEER]);
    sent.push(unknown.clone());
    sent.push(unknown_non_transitive.clone());
    lab.send(0, &announce(&sent, &[P]));
    let got = &lab.views[1].routes[&(net(P), 0)];
    let mut expected = sent.clone();
    expected[5].flags |= flags::PARTIAL;
    // RFC 4271 §5 / §9: an unrecognized optional non-transitive attribute is quietly ignored
    // and not passed along.
    assert_eq!(expected.pop(), Some(unknown_non_transitive));
    assert_eq!(
        got, &expected,
        "AS_PATH (no RS ASN), NEXT_HOP, MED, communities unchanged; attribute 98 (optional \
         non-transitive, unrecognized) not passed along"
    );
    assert_eq!(lab.views[1].as_path(P), Some(vec![asn(0), 3333, 13335]));
}

#[test]
fn an_unrecognized_optional_non_transitive_attribute_is_not_passed_along_in_either_family() {
    let mut lab = Lab::new(2, Lab::config());
    let non_transitive = |type_code, ext| PathAttribute {
        flags: flags::OPTIONAL | if ext { flags::EXTENDED_LENGTH } else { 0 },
        value: AttrValue::Unknown {
            type_code,
            value: Bytes::from_static(&[7, 7]),
        },
    };
    let transitive = PathAttribute {
        flags: flags::OPTIONAL_TRANSITIVE,
        value: AttrValue::Unknown {
            type_code: 99,
            value: Bytes::from_static(&[1]),
        },
    };
    let mut sent = attrs(&[asn(0), 13335], addr(0));
    sent.extend([non_transitive(98, false), transitive.clone(), non_transitive(200, true)]);
    lab.send(0, &announce(&sent, &[P]));
    let codes = |attrs: &[PathAttribute]| attrs.iter().map(PathAttribute::type_code).collect::<Vec<_>>();
    let got = &lab.views[1].routes[&(net(P), 0)];
    assert_eq!(codes(got), [1, 2, 3, 99], "98 and 200 are dropped, 99 passes");
    assert_eq!(got[3].flags, flags::OPTIONAL_TRANSITIVE | flags::PARTIAL);
    let rib_in = lab.rs.rib_in(lab.ids[0]).expect("session");
    assert_eq!(
        codes(&rib_in[0].attributes),
        [1, 2, 3, 98, 99, 200],
        "the route as received still shows them"
    );

    let mut lab = ipv6_pair();
    let mut sent = attrs6(&[asn(0), 13335]);
    sent.extend([non_transitive(98, false), transitive]);
    lab.send(0, &announce6(&sent, nh(1), &["2a00:1450::/32"]));
    let got = &lab.views[1].routes[&(net("2a00:1450::/32"), 0)];
    assert_eq!(codes(got), [1, 2, 99], "IPv6: 98 is dropped, 99 passes");
}

#[test]
fn path_hiding_is_avoided_when_the_best_path_is_blocked_towards_one_client() {
    let mut lab = Lab::new(3, Lab::config());
    // A's path is shorter (best) but blocked towards C; B's longer path still reaches C.
    let a = with_communities(attrs(&[asn(0), 13335], addr(0)), &[Community::new(0, asn(2) as u16)]);
    lab.send(0, &announce(&a, &[P]));
    lab.send(1, &announce(&attrs(&[asn(1), 3333, 13335], addr(1)), &[P]));
    assert_eq!(lab.views[2].as_path(P), Some(vec![asn(1), 3333, 13335]));
    assert_eq!(lab.views[1].as_path(P), Some(vec![asn(0), 13335]));
    assert_eq!(lab.views[0].as_path(P), Some(vec![asn(1), 3333, 13335]));
}

#[test]
fn best_path_prefers_the_shorter_as_path_and_then_the_lower_med_from_the_same_neighbour() {
    // a1 and a2 are two routers of the same neighbour AS; a1 has the lower address, so without
    // MED the final tie-break would pick it.
    let sessions = vec![
        SessionConfig::new("a1", asn(0), IpAddr::V4(addr(0))),
        SessionConfig::new("a2", asn(0), IpAddr::V4(addr(1))),
        SessionConfig::new("c", asn(2), IpAddr::V4(addr(2))),
    ];
    let mut lab = Lab::with_sessions(Lab::config(), sessions);
    let med_at_c = |lab: &Lab| {
        lab.views[2].routes[&(net(P), 0)]
            .iter()
            .find_map(|a| match a.value {
                AttrValue::Med(m) => Some(m),
                _ => None,
            })
            .expect("MED")
    };
    // A shorter AS_PATH beats a lower MED.
    lab.send(0, &announce(&with_med(attrs(&[asn(0), 3333, 13335], addr(0)), 5), &[P]));
    lab.send(1, &announce(&with_med(attrs(&[asn(0), 13335], addr(1)), 100), &[P]));
    assert_eq!(lab.views[2].as_path(P), Some(vec![asn(0), 13335]));
    assert_eq!(med_at_c(&lab), 100);
    // Same length from the same neighbour AS: the lower MED wins over the lower address.
    lab.send(0, &announce(&with_med(attrs(&[asn(0), 13335], addr(0)), 50), &[P]));
    assert_eq!(med_at_c(&lab), 50, "a1: same length, lower MED");
    lab.send(1, &announce(&with_med(attrs(&[asn(0), 13335], addr(1)), 10), &[P]));
    assert_eq!(med_at_c(&lab), 10, "a2: lower MED beats a1's lower address");
}

#[test]
fn med_is_compared_only_between_routes_from_the_same_neighbour_unless_always_compare() {
    let sessions = || {
        vec![
            SessionConfig::new("a1", asn(0), IpAddr::V4(addr(0))),
            SessionConfig::new("a2", asn(0), IpAddr::V4(addr(1))),
            SessionConfig::new("b", asn(1), IpAddr::V4(addr(2))),
            SessionConfig::new("c", asn(2), IpAddr::V4(addr(3))),
        ]
    };
    let run = |always: bool| {
        let mut cfg = Lab::config();
        cfg.export.always_compare_med = always;
        let mut lab = Lab::with_sessions(cfg, sessions());
        lab.send(0, &announce(&with_med(attrs(&[asn(0), 13335], addr(0)), 50), &[P]));
        lab.send(1, &announce(&with_med(attrs(&[asn(0), 13335], addr(1)), 10), &[P]));
        lab.send(2, &announce(&with_med(attrs(&[asn(1), 13335], addr(2)), 5), &[P]));
        let got = &lab.views[3].routes[&(net(P), 0)];
        got.iter()
            .find_map(|a| match a.value {
                AttrValue::Med(m) => Some(m),
                _ => None,
            })
            .expect("MED")
    };
    // Default: a2 (MED 10) beats a1 (MED 50); b (MED 5, other AS) is not compared by MED, so
    // the tie between a2 and b goes to the lower address, a2.
    assert_eq!(run(false), 10);
    assert_eq!(run(true), 5);
}

#[test]
fn an_add_path_client_gets_every_allowed_path_with_distinct_ids() {
    let mut c = SessionConfig::new("c", asn(2), IpAddr::V4(addr(2)));
    c.add_path = true;
    let sessions = vec![
        SessionConfig::new("a", asn(0), IpAddr::V4(addr(0))),
        SessionConfig::new("b", asn(1), IpAddr::V4(addr(1))),
        c,
    ];
    let mut lab = Lab::with_sessions(Lab::config(), sessions);
    lab.send(0, &announce(&attrs(&[asn(0), 13335], addr(0)), &[P]));
    lab.send(1, &announce(&attrs(&[asn(1), 3333, 13335], addr(1)), &[P]));
    let paths: Vec<u32> = lab.views[2].routes.keys().map(|(_, id)| *id).collect();
    assert_eq!(paths.len(), 2);
    assert_ne!(paths[0], paths[1]);
    // A withdrawal removes just that path.
    lab.send(0, &withdraw(&[P]));
    assert_eq!(lab.views[2].routes.len(), 1);
    let only = lab.views[2].routes.values().next().expect("one path");
    assert!(only
        .iter()
        .any(|a| matches!(&a.value, AttrValue::AsPath(p) if p.first_asn() == Some(asn(1)))));
    // The non-ADD-PATH client A gets one path, B's.
    assert_eq!(lab.views[0].as_path(P), Some(vec![asn(1), 3333, 13335]));
}

#[test]
fn adj_rib_out_matches_what_was_sent() {
    let mut lab = Lab::new(3, Lab::config());
    lab.send(0, &announce(&attrs(&[asn(0), 13335], addr(0)), &[P, "1.1.2.0/24"]));
    lab.send(
        1,
        &announce(&attrs(&[asn(1), 13335], addr(1)), &["1.1.2.0/24", "1.1.3.0/24"]),
    );
    for (i, id) in lab.ids.iter().enumerate() {
        let rib = lab.rs.adj_rib_out(*id).expect("session");
        let mut prefixes: Vec<_> = rib.iter().map(|r| r.prefix).collect();
        prefixes.sort();
        assert_eq!(prefixes, lab.views[i].prefixes(), "client {i}");
    }
}

#[test]
fn a_route_refresh_resends_the_whole_view() {
    let mut lab = Lab::new(2, Lab::config());
    lab.send(0, &announce(&attrs(&[asn(0), 13335], addr(0)), &[P, "1.1.2.0/24"]));
    lab.rs.route_refresh(lab.ids[1]).expect("up");
    let msgs = lab.rs.poll_output(lab.ids[1], 1 << 20).expect("output");
    let mut fresh = View::default();
    fresh.apply(&msgs, &lab.ctxs[1]);
    assert_eq!(fresh.routes, lab.views[1].routes);
}

#[test]
fn a_session_going_down_withdraws_its_routes_from_everyone() {
    let mut lab = Lab::new(3, Lab::config());
    lab.send(0, &announce(&attrs(&[asn(0), 13335], addr(0)), &[P, "1.1.2.0/24"]));
    assert_eq!(lab.views[1].routes.len(), 2);
    lab.rs.session_down(lab.ids[0]).expect("session");
    lab.sync();
    assert!(lab.views[1].routes.is_empty() && lab.views[2].routes.is_empty());
    assert!(lab.rs.rib_in(lab.ids[0]).expect("session").is_empty());
    assert_eq!(lab.rs.stats().paths, 0);
}

#[test]
fn an_ipv6_route_keeps_its_next_hop() {
    let mut lab = ipv6_pair();
    lab.send(0, &announce6(&attrs6(&[asn(0), 13335]), nh(1), &["2a00:1450::/32"]));
    let k = (net("2a00:1450::/32"), 0);
    assert_eq!(lab.views[1].next_hops.get(&k), Some(&IpAddr::V6(nh(1))));
    lab.rs.session_down(lab.ids[0]).expect("session");
    lab.sync();
    assert!(lab.views[1].routes.is_empty());
}

#[test]
fn the_views_of_an_ipv6_route_show_its_mp_reach_next_hop() {
    let mut lab = ipv6_pair();
    // The /64 is longer than the IPv6 maximum prefix length: rejected.
    lab.send(
        0,
        &announce6(&attrs6(&[asn(0), 13335]), nh(1), &["2a00:1450::/32", "2a00:1450::/64"]),
    );
    let view = |r: &route_server::Route| route_server::runtime::RouteView::new(r, "a".to_owned());
    let rib_in: Vec<_> = lab.rs.rib_in(lab.ids[0]).expect("session").iter().map(view).collect();
    assert_eq!(rib_in.len(), 2);
    for r in &rib_in {
        assert_eq!(r.next_hop.as_deref(), Some("2001:7f8::1"), "RIB-In {}", r.prefix);
    }
    let rejected: Vec<_> = lab.rs.rejected(lab.ids[0]).expect("session").iter().map(view).collect();
    assert_eq!(rejected.len(), 1);
    assert_eq!(rejected[0].prefix, "2a00:1450::/64");
    assert_eq!(rejected[0].next_hop.as_deref(), Some("2001:7f8::1"));
    let out: Vec<_> = lab
        .rs
        .adj_rib_out(lab.ids[1])
        .expect("session")
        .iter()
        .map(view)
        .collect();
    assert_eq!(out.len(), 1);
    assert_eq!(out[0].next_hop.as_deref(), Some("2001:7f8::1"), "Adj-RIB-Out");
}
