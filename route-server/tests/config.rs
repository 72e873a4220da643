//! The typed configuration: defaults, deserialization and validation messages that name the
//! field and the fix.

use route_server::{RouteServerConfig, SessionState};
use std::net::IpAddr;

fn parse(json: &str) -> RouteServerConfig {
    serde_json::from_str(json).expect("configuration parses")
}

const GOOD: &str = r#"{
    "asn": 5000,
    "router_id": "192.0.2.254",
    "listen": ["127.0.0.1:1179"],
    "registered_asns": [13335],
    "import": {"peering_service": true, "rpki": {"reject_invalid": false}},
    "clients": [
        {"name": "contoso", "asn": 1100, "addresses": ["192.0.2.1", "2001:db8::1"],
         "md5_key": "secret", "max_prefixes_v4": 2000, "max_prefixes_v6": 500, "restart_after_secs": 60}
    ]
}"#;

#[test]
fn a_minimal_configuration_gets_the_usual_ixp_defaults() {
    let cfg = parse(GOOD);
    assert!(cfg.validate().is_empty(), "{:?}", cfg.validate());
    assert_eq!((cfg.import.ipv4_min_length, cfg.import.ipv4_max_length), (8, 24));
    assert_eq!((cfg.import.ipv6_min_length, cfg.import.ipv6_max_length), (19, 48));
    assert_eq!(cfg.import.max_as_path_length, 64);
    assert!(cfg.import.require_registered_origin && cfg.import.reject_bogon_asns);
    assert!(cfg.import.peering_service);
    assert!(!cfg.export.always_compare_med);
}

#[test]
fn each_client_address_becomes_its_own_session_with_that_familys_limit() {
    let cfg = parse(GOOD);
    let sessions = cfg.sessions();
    assert_eq!(sessions.len(), 2);
    assert!(matches!(sessions[0].address, IpAddr::V4(_)));
    assert_eq!(sessions[0].families, [bgp_core::Family::IPV4_UNICAST]);
    assert_eq!(sessions[1].families, [bgp_core::Family::IPV6_UNICAST]);
    assert_eq!(sessions[1].max_prefixes(bgp_core::Family::IPV6_UNICAST), Some(500));
    assert_eq!(sessions[0].md5_key.as_deref(), Some("secret"));
    let mut rs = route_server::RouteServer::new(&cfg);
    for s in sessions {
        let id = rs.add_session(s).expect("session");
        assert_eq!(rs.session_state(id).expect("session"), SessionState::Down);
    }
    assert_eq!(rs.registered_asns(), [13335]);
}

#[test]
fn unknown_fields_are_refused_by_name() {
    let e = serde_json::from_str::<RouteServerConfig>(r#"{"asn":5000,"router_id":"192.0.2.254","clientz":[]}"#)
        .expect_err("unknown field");
    assert!(e.to_string().contains("clientz"), "{e}");
}

#[test]
fn validation_names_the_field_and_the_fix() {
    let cfg = parse(
        r#"{"asn": 5000, "router_id": "192.0.2.254", "registered_asns": [64512, 13335, 13335],
            "import": {"ipv4_min_length": 25, "ipv6_max_length": 129, "rpki": {"reject_invalid": true}},
            "clients": [
              {"name": "a", "asn": 0, "addresses": ["192.0.2.1"], "max_prefixes_v4": 0},
              {"name": "a", "asn": 5000, "addresses": ["192.0.2.1"]},
              {"name": "b", "asn": 1200, "addresses": []}
            ]}"#,
    );
    let errors = cfg.validate();
    let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
    for f in [
        "import.ipv4_min_length",
        "import.ipv6_max_length",
        "import.rpki.roa_file",
        "registered_asns[0]",
        "registered_asns[2]",
        "clients[0].asn",
        "clients[0].max_prefixes_v4",
        "clients[1].name",
        "clients[1].asn",
        "clients[1].addresses[0]",
        "clients[2].addresses",
    ] {
        assert!(fields.contains(&f), "missing {f} in {fields:?}");
    }
    for e in &errors {
        assert!(!e.fix.is_empty(), "{e}");
        assert!(e.to_string().contains(&e.field), "{e}");
    }
}

#[test]
fn an_empty_md5_key_and_router_id_0_are_refused_and_too_many_sessions_are_refused_before_anything_else() {
    let mut cfg = parse(GOOD);
    cfg.router_id = std::net::Ipv4Addr::UNSPECIFIED;
    cfg.clients[0].md5_key = Some(String::new());
    let fields: Vec<String> = cfg.validate().into_iter().map(|e| e.field).collect();
    assert_eq!(fields, ["router_id", "clients[0].md5_key"]);

    let mut cfg = parse(GOOD);
    cfg.clients[0].asn = 0;
    let one = cfg.clients[0].clone();
    cfg.clients = vec![one; route_server::config::MAX_SESSIONS / 2 + 1];
    assert_eq!(cfg.session_count(), route_server::config::MAX_SESSIONS + 1);
    let errors = cfg.validate();
    assert_eq!(errors.len(), 1, "only the count: {errors:?}");
    assert_eq!(errors[0].field, "clients");
    assert!(errors[0].problem.contains("65536 sessions"), "{}", errors[0]);
}

#[test]
fn the_runtime_check_wants_a_listen_address_per_session_family_unless_a_transport_gives_one() {
    use route_server::runtime::{check, RuntimeOptions, Transport};
    let cfg = parse(GOOD);
    let problems = check(&cfg, &RuntimeOptions::default()).expect_err("no IPv6 listen address");
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert_eq!(problems[0].field, "listen");
    assert!(problems[0].problem.contains("IPv6") && problems[0].problem.contains("2001:db8::1"));
    let opts = RuntimeOptions {
        transports: vec![Transport {
            session_address: "2001:db8::1".parse().unwrap(),
            listen: "[::1]:1179".parse().unwrap(),
            peer: "::1".parse().unwrap(),
        }],
        ..RuntimeOptions::default()
    };
    let checked = check(&cfg, &opts).expect("usable with the transport");
    assert_eq!((checked.session_count(), checked.roa_count()), (2, None));
    let slow = RuntimeOptions { hold_time: 2, ..opts };
    let problems = check(&cfg, &slow).expect_err("hold time 2");
    assert_eq!(problems[0].field, "hold_time");
}
