//! One test per validation outcome of [`validate_prefix`].

use super::*;
use crate::peering::enums::PrefixValidationState;

const KEY: &str = "9f62a5db-0f86-4fef-8e86-f42c119ff45b";
const OTHER_KEY: &str = "09c19708-c6ba-42d2-bcf7-705565635832";
const CUSTOMER: u32 = 211548;

fn registered() -> Vec<RegisteredAsn> {
    vec![
        RegisteredAsn {
            name: Some("fjordcloud".into()),
            asn: Some(CUSTOMER),
            peering_service_prefix_key: Some(KEY.into()),
            provisioning_state: Some(ProvisioningState::Succeeded),
        },
        RegisteredAsn {
            name: Some("tundra-net".into()),
            asn: Some(211549),
            peering_service_prefix_key: Some(OTHER_KEY.into()),
            provisioning_state: Some(ProvisioningState::Succeeded),
        },
    ]
}

fn registration(prefix: &str) -> PeeringServicePrefix {
    PeeringServicePrefix {
        prefix: Some(prefix.parse().unwrap()),
        peering_service_prefix_key: Some(KEY.into()),
        ..PeeringServicePrefix::default()
    }
}

fn connection(name: &str, up: bool) -> EdgeConnection {
    EdgeConnection {
        name: name.into(),
        ipv4_established: up,
        ipv6_established: up,
    }
}

fn route(connection: usize, prefix: &str, as_path: &[u32]) -> ReceivedRoute {
    ReceivedRoute {
        connection,
        prefix: prefix.parse().unwrap(),
        as_path: as_path.to_vec(),
    }
}

/// Two connections with every session up, holding `routes`.
fn edges(routes: Vec<ReceivedRoute>) -> EdgeRoutes {
    EdgeRoutes {
        connections: vec![connection("oslo-1", true), connection("oslo-2", true)],
        routes,
    }
}

/// The route on both connections.
fn on_both(prefix: &str, as_path: &[u32]) -> Vec<ReceivedRoute> {
    vec![route(0, prefix, as_path), route(1, prefix, as_path)]
}

fn types(v: &PrefixValidation) -> Vec<&str> {
    v.events.iter().map(|e| e.event_type.as_str()).collect()
}

fn check(prefix: &str, edges: &EdgeRoutes) -> PrefixValidation {
    validate_prefix(&registered(), &registration(prefix), edges)
}

#[test]
fn a_prefix_from_the_keys_asn_on_every_connection_is_verified() {
    let v = check("185.42.136.0/22", &edges(on_both("185.42.136.0/22", &[CUSTOMER])));
    assert_eq!(v.prefix_validation_state, PrefixValidationState::Verified);
    assert_eq!(v.learned_type, LearnedType::ViaSession);
    assert_eq!(v.error_message, None);
    assert_eq!(
        types(&v),
        ["PrefixKeyMatched", "AsPathAccepted", "ReceivedOnAllConnections"]
    );
    assert!(v
        .events
        .iter()
        .all(|e| e.event_level == "Information" && e.event_timestamp.is_none()));
    assert_eq!(
        v.events[0].event_summary,
        "the prefix key belongs to fjordcloud (AS211548)"
    );
}

#[test]
fn a_path_through_a_transit_and_the_registered_origin_is_verified() {
    let v = check(
        "185.42.136.0/22",
        &edges(on_both("185.42.136.0/22", &[211549, CUSTOMER])),
    );
    assert_eq!(v.prefix_validation_state, PrefixValidationState::Verified);
    assert_eq!(v.events[1].event_summary, "received with AS path 211549 211548");
}

#[test]
fn a_prefix_no_edge_holds_fails_as_not_received_and_is_not_learned() {
    let v = check("185.42.136.0/22", &edges(on_both("194.110.212.0/22", &[211549])));
    assert_eq!(v.prefix_validation_state, PrefixValidationState::Failed);
    assert_eq!(v.learned_type, LearnedType::None);
    assert_eq!(
        v.error_message.as_deref(),
        Some("prefix not received from the provider")
    );
    assert_eq!(types(&v), ["PrefixKeyMatched", "PrefixNotReceived"]);
    assert_eq!(v.events[1].event_level, "Error");
}

#[test]
fn a_covering_route_is_named_when_the_registered_prefix_is_not_received() {
    let v = check("185.42.137.0/24", &edges(on_both("185.42.136.0/22", &[CUSTOMER])));
    assert_eq!(v.prefix_validation_state, PrefixValidationState::Failed);
    let description = &v.events[1].event_description;
    assert!(description.contains("holds 185.42.136.0/22 instead"), "{description}");
}

#[test]
fn another_origin_than_the_keys_asn_fails_naming_both() {
    let v = check("91.220.14.0/24", &edges(on_both("91.220.14.0/24", &[211552])));
    assert_eq!(v.prefix_validation_state, PrefixValidationState::Failed);
    assert_eq!(v.learned_type, LearnedType::ViaSession);
    assert_eq!(
        v.error_message.as_deref(),
        Some("received with origin AS211552, but the key belongs to AS211548")
    );
    assert!(types(&v).contains(&"OriginAsnMismatch"));
}

#[test]
fn an_as_path_longer_than_three_fails() {
    let v = check(
        "185.42.136.0/22",
        &edges(on_both("185.42.136.0/22", &[3356, 1299, 174, CUSTOMER])),
    );
    assert_eq!(v.prefix_validation_state, PrefixValidationState::Failed);
    assert_eq!(
        v.error_message.as_deref(),
        Some("AS path 3356 1299 174 211548 has 4 ASNs (at most 3)")
    );
}

#[test]
fn a_private_asn_in_the_path_fails() {
    let v = check(
        "185.42.136.0/22",
        &edges(on_both("185.42.136.0/22", &[64512, CUSTOMER])),
    );
    assert_eq!(v.prefix_validation_state, PrefixValidationState::Failed);
    assert_eq!(
        types(&v),
        ["PrefixKeyMatched", "PrivateAsnInPath", "ReceivedOnAllConnections"]
    );
    assert!(v.events[1].event_description.contains("private-use"));
}

#[test]
fn an_empty_as_path_fails() {
    let v = check("185.42.136.0/22", &edges(on_both("185.42.136.0/22", &[])));
    assert_eq!(v.prefix_validation_state, PrefixValidationState::Failed);
    assert_eq!(v.error_message.as_deref(), Some("received with an empty AS path"));
}

#[test]
fn prepending_is_a_warning() {
    let v = check(
        "185.42.136.0/22",
        &edges(on_both("185.42.136.0/22", &[CUSTOMER, CUSTOMER])),
    );
    assert_eq!(v.prefix_validation_state, PrefixValidationState::Warning);
    assert_eq!(
        v.error_message.as_deref(),
        Some("AS path 211548 211548 is prepended (AS211548 repeated)")
    );
}

#[test]
fn received_on_the_primary_only_is_a_warning_naming_the_backup() {
    let v = check(
        "185.42.136.0/22",
        &edges(vec![route(0, "185.42.136.0/22", &[CUSTOMER])]),
    );
    assert_eq!(v.prefix_validation_state, PrefixValidationState::Warning);
    assert_eq!(v.learned_type, LearnedType::ViaSession);
    assert_eq!(
        v.error_message.as_deref(),
        Some("received on the primary connection only, not on the backup")
    );
    let description = &v.events.last().unwrap().event_description;
    assert!(
        description
            .contains("the backup connection oslo-2: its IPv4 session is Established but the route is not there"),
        "{description}"
    );
}

#[test]
fn a_backup_whose_session_is_down_is_named_as_the_reason() {
    let edges = EdgeRoutes {
        connections: vec![connection("oslo-1", false), connection("oslo-2", true)],
        routes: vec![route(1, "2a0e:8f00::/32", &[CUSTOMER])],
    };
    let v = check("2a0e:8f00::/32", &edges);
    assert_eq!(v.prefix_validation_state, PrefixValidationState::Warning);
    assert_eq!(
        v.error_message.as_deref(),
        Some("received on the backup connection only, not on the primary")
    );
    assert!(v
        .events
        .last()
        .unwrap()
        .event_description
        .contains("its IPv6 session is not Established"));
}

#[test]
fn with_three_connections_the_missing_ones_are_listed() {
    let edges = EdgeRoutes {
        connections: vec![connection("a", true), connection("b", true), connection("c", true)],
        routes: vec![route(0, "185.42.136.0/22", &[CUSTOMER])],
    };
    let v = check("185.42.136.0/22", &edges);
    assert_eq!(
        v.error_message.as_deref(),
        Some("received on 1 of 3 connections, not on the backup connection b, the backup connection c")
    );
}

#[test]
fn a_provider_with_one_connection_is_a_warning() {
    let edges = EdgeRoutes {
        connections: vec![connection("oslo-1", true)],
        routes: vec![route(0, "185.42.136.0/22", &[CUSTOMER])],
    };
    let v = check("185.42.136.0/22", &edges);
    assert_eq!(v.prefix_validation_state, PrefixValidationState::Warning);
    assert_eq!(types(&v).last(), Some(&"NoBackupConnection"));
}

#[test]
fn without_an_established_session_of_the_family_validation_is_pending() {
    let mut edges = edges(Vec::new());
    for c in &mut edges.connections {
        c.ipv6_established = false;
    }
    let v = check("2a0e:8f00::/32", &edges);
    assert_eq!(v.prefix_validation_state, PrefixValidationState::Pending);
    assert_eq!(v.learned_type, LearnedType::None);
    assert_eq!(v.error_message, None);
    assert_eq!(types(&v), ["PrefixKeyMatched", "SessionsNotEstablished"]);
    assert_eq!(
        v.events[1].event_summary,
        "none of the provider's IPv6 sessions is Established on an Active connection yet"
    );
    let none = check("185.42.136.0/22", &EdgeRoutes::default());
    assert_eq!(none.prefix_validation_state, PrefixValidationState::Pending);
    assert_eq!(
        none.events[1].event_summary,
        "the provider has no connection in service yet"
    );
}

#[test]
fn a_private_or_too_specific_or_missing_prefix_is_invalid() {
    let edges = edges(on_both("10.1.0.0/16", &[CUSTOMER]));
    let private = check("10.1.0.0/16", &edges);
    assert_eq!(private.prefix_validation_state, PrefixValidationState::Invalid);
    assert_eq!(private.learned_type, LearnedType::ViaSession);
    assert_eq!(
        private.error_message.as_deref(),
        Some("10.1.0.0/16 is private (RFC 1918); Peering Service prefixes must be public")
    );
    let long = check("185.42.136.0/25", &edges);
    assert_eq!(long.prefix_validation_state, PrefixValidationState::Invalid);
    assert_eq!(types(&long), ["PrefixInvalid", "PrefixKeyMatched"]);
    let long_v6 = check("2a0e:8f00:1:2::/64", &edges);
    assert_eq!(long_v6.prefix_validation_state, PrefixValidationState::Invalid);
    let missing = validate_prefix(&registered(), &PeeringServicePrefix::default(), &edges);
    assert_eq!(missing.prefix_validation_state, PrefixValidationState::Invalid);
    assert_eq!(missing.error_message.as_deref(), Some("the registration has no prefix"));
}

#[test]
fn a_key_of_no_registered_asn_fails_naming_the_registered_ones() {
    let mut unknown = registration("185.42.136.0/22");
    unknown.peering_service_prefix_key = Some("00000000-0000-0000-0000-000000000000".into());
    let v = validate_prefix(&registered(), &unknown, &edges(on_both("185.42.136.0/22", &[CUSTOMER])));
    assert_eq!(v.prefix_validation_state, PrefixValidationState::Failed);
    assert_eq!(
        v.error_message.as_deref(),
        Some("the prefix key 00000000-0000-0000-0000-000000000000 belongs to no registered ASN of this peering")
    );
    assert!(v.events[0]
        .event_description
        .contains("fjordcloud (AS211548), tundra-net (AS211549)"));
    // The key decides before the sessions do: no session up is still Failed, not Pending.
    let down = validate_prefix(&registered(), &unknown, &EdgeRoutes::default());
    assert_eq!(down.prefix_validation_state, PrefixValidationState::Failed);
}

#[test]
fn a_deregistered_asn_fails_its_prefixes_and_registering_again_verifies_them() {
    let edges = edges(on_both("185.42.136.0/22", &[CUSTOMER]));
    let mut asns = registered();
    asns[0].provisioning_state = Some(ProvisioningState::Deleting);
    let deleting = validate_prefix(&asns, &registration("185.42.136.0/22"), &edges);
    assert_eq!(deleting.prefix_validation_state, PrefixValidationState::Failed);
    assert_eq!(
        deleting.error_message.as_deref(),
        Some("the key belongs to fjordcloud (AS211548), whose registration is Deleting, not Succeeded")
    );
    asns.remove(0);
    let gone = validate_prefix(&asns, &registration("185.42.136.0/22"), &edges);
    assert_eq!(gone.prefix_validation_state, PrefixValidationState::Failed);
    let again = validate_prefix(&registered(), &registration("185.42.136.0/22"), &edges);
    assert_eq!(again.prefix_validation_state, PrefixValidationState::Verified);
}

#[test]
fn the_worst_outcome_decides_and_the_message_lists_all_of_its_reasons() {
    let v = check(
        "185.42.136.0/22",
        &edges(vec![route(0, "185.42.136.0/22", &[174, 64512, 211552, 211552])]),
    );
    assert_eq!(v.prefix_validation_state, PrefixValidationState::Failed);
    assert_eq!(
        types(&v),
        [
            "PrefixKeyMatched",
            "OriginAsnMismatch",
            "AsPathTooLong",
            "PrivateAsnInPath",
            "AsPathPrepended",
            "NotReceivedOnAllConnections"
        ]
    );
    let message = v.error_message.unwrap();
    assert_eq!(message.matches("; ").count(), 2, "{message}");
    assert!(
        !message.contains("prepended"),
        "warnings do not explain a Failed state: {message}"
    );
}

#[test]
fn every_event_type_is_documented_with_its_level_and_state() {
    let docs = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/peering-file.md"))
        .expect("docs/peering-file.md exists");
    for event_type in PrefixEventType::ALL {
        let state = match event_type.state() {
            PrefixValidationState::Verified => "—".to_string(),
            state => format!("`{state}`"),
        };
        let row = format!("| `{}` | {} | {state} |", event_type.as_str(), event_type.level());
        assert!(docs.contains(&row), "docs/peering-file.md lacks the row {row}");
    }
}
