//! Round trips of hand-made canonical and non-canonical messages through the JSON form.

use super::{frame_to_json, message_from_json, message_to_json};
use crate::attr::{flags, AsPath, AttrValue, MpNlri, MpReach, MpUnreach, NextHop, Origin, PathAttribute};
use crate::capability::Capability;
use crate::nlri::Nlri;
use crate::open::{Open, OptParam};
use crate::types::Family;
use crate::update::Update;
use crate::{Message, Notification, SessionContext};
use serde_json::{json, Value};

fn round_trip(msg: &Message, ctx: &SessionContext) -> Value {
    let bytes = msg.to_bytes(ctx).expect("encodes");
    let (v, error) = frame_to_json(bytes.clone(), ctx);
    assert_eq!(error, None, "{v}");
    let back = message_from_json(&v, ctx).unwrap_or_else(|e| panic!("{e}: {v}"));
    assert_eq!(back.to_bytes(ctx).expect("re-encodes"), bytes, "{v}");
    v
}

fn base_attrs() -> Vec<PathAttribute> {
    vec![
        PathAttribute::new(AttrValue::Origin(Origin::Igp)),
        PathAttribute::new(AttrValue::AsPath(AsPath::sequence(vec![64500, 64511]))),
    ]
}

#[test]
fn a_canonical_update_has_no_wire_object() {
    let mut attributes = base_attrs();
    attributes.push(PathAttribute::new(AttrValue::NextHop("192.0.2.1".parse().expect("ip"))));
    attributes.push(PathAttribute::new(AttrValue::Med(5)));
    let u = Update {
        withdrawn: vec![Nlri::new("10.9.0.0/16".parse().expect("net"))],
        attributes,
        nlri: vec![Nlri::new("10.0.0.0/8".parse().expect("net"))],
    };
    let v = round_trip(&Message::Update(u), &SessionContext::default());
    assert_eq!(v.get("wire"), None);
    assert_eq!(v["announce"], json!({"ipv4-unicast": ["10.0.0.0/8"]}));
    assert_eq!(v["withdraw"], json!({"ipv4-unicast": ["10.9.0.0/16"]}));
    assert_eq!(v["next-hop"], json!({"ipv4-unicast": "192.0.2.1"}));
    assert_eq!(v["attributes"]["med"], json!(5));
}

#[test]
fn ipv4_in_mp_reach_with_odd_flags_order_and_reserved_octet_is_recorded_and_rebuilt() {
    let mut attributes = base_attrs();
    attributes.insert(
        0,
        PathAttribute {
            flags: flags::OPTIONAL_NON_TRANSITIVE | flags::EXTENDED_LENGTH,
            value: AttrValue::MpReach(MpReach {
                family: Family::IPV4_UNICAST,
                next_hop: NextHop::V4("192.0.2.9".parse().expect("ip")),
                reserved: 7,
                nlri: MpNlri::Ipv4(vec![Nlri::new("10.1.0.0/16".parse().expect("net"))]),
            }),
        },
    );
    attributes.push(PathAttribute::new(AttrValue::NextHop("192.0.2.1".parse().expect("ip"))));
    attributes.push(PathAttribute {
        flags: flags::OPTIONAL_TRANSITIVE | flags::PARTIAL,
        value: AttrValue::Unknown {
            type_code: 99,
            value: bytes::Bytes::from_static(&[1, 2]),
        },
    });
    attributes[1].flags |= flags::EXTENDED_LENGTH;
    let u = Update {
        withdrawn: vec![],
        attributes,
        nlri: vec![Nlri::new("10.2.0.0/16".parse().expect("net"))],
    };
    let v = round_trip(&Message::Update(u), &SessionContext::default());
    assert_eq!(v["announce"], json!({"ipv4-unicast": ["10.1.0.0/16", "10.2.0.0/16"]}));
    assert_eq!(v["next-hop"], json!({"ipv4-unicast": "192.0.2.9"}));
    let mut wire_keys: Vec<&String> = v["wire"].as_object().map(|o| o.keys().collect()).unwrap_or_default();
    wire_keys.sort();
    assert_eq!(
        wire_keys,
        ["flags", "mp-reach-ipv4", "mp-reach-reserved", "next-hop", "order"]
    );
    assert_eq!(v["wire"]["mp-reach-ipv4"], json!(1));
    assert_eq!(v["wire"]["mp-reach-reserved"], json!(7));
    assert_eq!(v["wire"]["next-hop"], json!("192.0.2.1"));
    assert_eq!(v["wire"]["order"], json!([14, 1, 2, 3, 99]));
    assert_eq!(v["wire"]["flags"], json!({"14": 0x90, "1": 0x50}));
    assert_eq!(
        v["attributes"]["unknown"],
        json!([{"type": 99, "flags": 0xe0, "value": "0102"}])
    );
}

#[test]
fn next_hop_without_nlri_and_ipv4_withdrawals_in_mp_unreach_are_kept() {
    let mut attributes = base_attrs();
    attributes.push(PathAttribute::new(AttrValue::NextHop("192.0.2.1".parse().expect("ip"))));
    attributes.push(PathAttribute::new(AttrValue::MpUnreach(MpUnreach {
        family: Family::IPV4_UNICAST,
        nlri: MpNlri::Ipv4(vec![Nlri::new("10.3.0.0/16".parse().expect("net"))]),
    })));
    let u = Update {
        attributes,
        ..Update::default()
    };
    let v = round_trip(&Message::Update(u), &SessionContext::default());
    assert_eq!(v["wire"]["next-hop"], json!("192.0.2.1"));
    assert_eq!(v["wire"]["mp-unreach-ipv4"], json!(1));
    assert_eq!(v["withdraw"], json!({"ipv4-unicast": ["10.3.0.0/16"]}));
}

#[test]
fn add_path_prefixes_carry_their_path_id() {
    let ctx = SessionContext {
        add_path_ipv6: true,
        ..SessionContext::default()
    };
    let mut attributes = base_attrs();
    attributes.push(PathAttribute::new(AttrValue::MpReach(MpReach {
        family: Family::IPV6_UNICAST,
        next_hop: NextHop::V6 {
            global: "2001:db8::1".parse().expect("ip"),
            link_local: Some("fe80::1".parse().expect("ip")),
        },
        reserved: 0,
        nlri: MpNlri::Ipv6(vec![Nlri {
            path_id: Some(3),
            prefix: "2001:db8:1::/48".parse().expect("net"),
        }]),
    })));
    let u = Update {
        attributes,
        ..Update::default()
    };
    let v = round_trip(&Message::Update(u), &ctx);
    assert_eq!(
        v["announce"],
        json!({"ipv6-unicast": [{"prefix": "2001:db8:1::/48", "path-id": 3}]})
    );
    assert_eq!(
        v["next-hop"],
        json!({"ipv6-unicast": {"global": "2001:db8::1", "link-local": "fe80::1"}})
    );
    assert_eq!(v.get("wire"), None);
}

#[test]
fn an_end_of_rib_names_its_family() {
    let u = Update::end_of_rib(Family::IPV6_UNICAST);
    let v = round_trip(&Message::Update(u), &SessionContext::default());
    assert_eq!(v["eor"], json!("ipv6-unicast"));
    let asked = message_from_json(
        &json!({"type": "update", "eor": "ipv6-unicast"}),
        &SessionContext::default(),
    );
    assert_eq!(asked, Ok(Message::Update(Update::end_of_rib(Family::IPV6_UNICAST))));
}

#[test]
fn an_open_with_one_capability_per_parameter_round_trips() {
    let caps = [
        Capability::Multiprotocol(Family::IPV4_UNICAST),
        Capability::FourOctetAs(4_200_000_000),
        Capability::AddPath(vec![(Family::IPV4_UNICAST, crate::capability::AddPathMode::Both)]),
    ];
    let open = Open {
        version: 4,
        my_as: 23456,
        hold_time: 90,
        bgp_id: "192.0.2.1".parse().expect("ip"),
        params: caps.iter().map(|c| OptParam::Capabilities(vec![c.clone()])).collect(),
        extended_params: false,
    };
    let v = round_trip(&Message::Open(open), &SessionContext::default());
    assert_eq!(v["asn"], json!(4_200_000_000u32));
    assert_eq!(v["wire"], json!({"params": [1, 1, 1]}));
    assert_eq!(
        v["capabilities"][2],
        json!({"name": "add-path", "families": {"ipv4-unicast": "send/receive"}})
    );
}

#[test]
fn a_shutdown_notification_shows_its_message() {
    let n = Notification::cease_with_message(2, "maintenance");
    let v = round_trip(&Message::Notification(n), &SessionContext::default());
    assert_eq!(v["shutdown-message"], json!("maintenance"));
    assert_eq!(v["subcode-name"], json!("Administrative Shutdown"));
}

#[test]
fn send_hold_timer_expired_is_named_in_json_and_display() {
    // RFC 9687: error code 8.
    let n = Notification::new(8, 0);
    let v = round_trip(&Message::Notification(n.clone()), &SessionContext::default());
    assert_eq!(v["code-name"], json!("Send Hold Timer Expired"));
    assert_eq!(v["subcode-name"], json!("Unspecific"));
    assert_eq!(n.to_string(), "8/0 Send Hold Timer Expired / Unspecific");
}

#[test]
fn a_bad_field_is_named_in_the_error() {
    let v = json!({"type": "update", "attributes": {"med": "high"}});
    let e = message_from_json(&v, &SessionContext::default())
        .err()
        .map(|e| e.to_string());
    assert_eq!(e.as_deref(), Some("attributes.med: expected an integer"));
    let v = json!({"type": "update", "announce": {"ipv4-unicast": ["10.0.0.0/33"]}});
    let e = message_from_json(&v, &SessionContext::default()).err().map(|e| e.field);
    assert_eq!(e.as_deref(), Some("announce.ipv4-unicast[0]"));
}

#[test]
fn keepalive_and_route_refresh_are_small_objects() {
    let ctx = SessionContext::default();
    assert_eq!(message_to_json(&Message::Keepalive, &ctx), json!({"type": "keepalive"}));
    let rr = crate::message::RouteRefresh {
        family: Family::IPV6_UNICAST,
        subtype: 2,
    };
    let v = round_trip(&Message::RouteRefresh(rr), &ctx);
    assert_eq!(
        v,
        json!({"type": "route-refresh", "family": "ipv6-unicast", "subtype": "eorr"})
    );
}

#[test]
fn every_capability_variant_round_trips_through_an_open() {
    use crate::capability::{AddPathMode, GracefulRestartFamily};
    let caps = vec![
        Capability::Multiprotocol(Family::IPV6_UNICAST),
        Capability::RouteRefresh,
        Capability::ExtendedNextHop(vec![(Family::IPV4_UNICAST, 2)]),
        Capability::ExtendedMessage,
        Capability::GracefulRestart {
            flags: 0x80,
            time: 120,
            families: vec![GracefulRestartFamily {
                family: Family::IPV4_UNICAST,
                flags: 0x80,
            }],
        },
        Capability::FourOctetAs(65536),
        Capability::AddPath(vec![
            (Family::IPV4_UNICAST, AddPathMode::Send),
            (Family::IPV4_UNICAST, AddPathMode::Receive),
        ]),
        Capability::EnhancedRouteRefresh,
        Capability::Fqdn {
            hostname: "rs1".into(),
            domain: "example.net".into(),
        },
        Capability::SoftwareVersion("peerlab".into()),
        Capability::Unknown {
            code: 200,
            value: bytes::Bytes::from_static(&[9]),
        },
    ];
    let open = Open {
        extended_params: true,
        ..Open::new(65536, 180, "192.0.2.1".parse().expect("ip"), caps.clone())
    };
    let v = round_trip(&Message::Open(open), &SessionContext::default());
    assert_eq!(v["wire"], json!({"extended-params": true}));
    let names: Vec<&str> = v["capabilities"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|c| c["name"].as_str())
        .collect();
    let expected: Vec<&str> = caps.iter().map(Capability::name).collect();
    assert_eq!(names, expected);
    assert_eq!(
        v["capabilities"][6]["families"],
        json!([{"family": "ipv4-unicast", "mode": "send"}, {"family": "ipv4-unicast", "mode": "receive"}])
    );
}

#[test]
fn an_unknown_field_is_refused_at_every_level_naming_it() {
    let ctx = SessionContext::default();
    let cases = [
        (json!({"type": "keepalive", "colour": 1}), "colour"),
        (
            json!({"type": "notification", "code": 6, "subcode": 2, "colour": 1}),
            "colour",
        ),
        (
            json!({"type": "route-refresh", "family": "ipv4-unicast", "colour": 1}),
            "colour",
        ),
        (
            json!({"type": "open", "asn": 64500, "hold-time": 90, "router-id": "192.0.2.1", "holdtime": 9}),
            "holdtime",
        ),
        (
            json!({"type": "open", "asn": 64500, "hold-time": 90, "router-id": "192.0.2.1",
                   "wire": {"param": [1]}}),
            "wire.param",
        ),
        (
            json!({"type": "open", "asn": 64500, "hold-time": 90, "router-id": "192.0.2.1",
                   "capabilities": [{"name": "four-octet-as", "asn": 64500, "as": 1}]}),
            "capabilities[0].as",
        ),
        (
            json!({"type": "open", "asn": 64500, "hold-time": 90, "router-id": "192.0.2.1",
                   "capabilities": [{"name": "route-refresh", "family": "ipv4-unicast"}]}),
            "capabilities[0].family",
        ),
        (
            json!({"type": "open", "asn": 64500, "hold-time": 90, "router-id": "192.0.2.1",
                   "capabilities": [{"name": "add-path", "families": [{"family": "ipv4-unicast", "mode": "send", "x": 1}]}]}),
            "capabilities[0].families[0].x",
        ),
        (
            json!({"type": "update", "attributes": {"as-path": [{"type": "sequence", "asns": [1], "n": 1}]}}),
            "attributes.as-path[0].n",
        ),
        (
            json!({"type": "update", "attributes": {"aggregator": {"asn": 1, "address": "192.0.2.1", "x": 1}}}),
            "attributes.aggregator.x",
        ),
        (
            json!({"type": "update", "attributes": {"unknown": [{"type": 99, "flags": 192, "value": "00", "len": 1}]}}),
            "attributes.unknown[0].len",
        ),
        (
            json!({"type": "update", "next-hop": {"ipv6-unicast": {"global": "2001:db8::1", "link-local": "fe80::1", "x": 1}},
                   "announce": {"ipv6-unicast": ["2001:db8::/32"]}, "attributes": {"origin": "igp", "as-path": []}}),
            "next-hop.ipv6-unicast.x",
        ),
        (
            json!({"type": "update", "withdraw": {"ipv4-unicast": [{"prefix": "10.0.0.0/8", "pathid": 1}]}}),
            "withdraw.ipv4-unicast[0].pathid",
        ),
    ];
    for (v, field) in cases {
        let e = message_from_json(&v, &ctx).expect_err(&v.to_string());
        assert_eq!(e.field, field, "{v}: {e}");
        assert!(e.message.starts_with("unknown field"), "{v}: {e}");
    }
}
