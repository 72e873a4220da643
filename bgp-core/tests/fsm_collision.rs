//! Connection collision detection (RFC 4271 §6.8, RFC 6286 §2.3).

#[path = "fsm_support.rs"]
mod support;

use bgp_core::fsm::collision::{local_initiator_wins, resolve};
use bgp_core::fsm::{ConnectionInfo, Event, Loser, Reason, State};
use bgp_core::open::Open;
use std::net::Ipv4Addr;
use support::*;

const OUTGOING_OPENCONFIRM: ConnectionInfo = ConnectionInfo {
    state: State::OpenConfirm,
    initiated_locally: true,
};
const INCOMING_OPENSENT: ConnectionInfo = ConnectionInfo {
    state: State::OpenSent,
    initiated_locally: false,
};

#[test]
fn higher_local_identifier_keeps_the_locally_initiated_connection() {
    let high = Ipv4Addr::new(10, 0, 0, 9);
    let low = Ipv4Addr::new(10, 0, 0, 1);
    let loser = resolve(high, 1, low, 2, OUTGOING_OPENCONFIRM, INCOMING_OPENSENT, false);
    assert_eq!(loser, Some(Loser::New));
}

#[test]
fn lower_local_identifier_closes_the_existing_connection() {
    let loser = resolve(
        LOCAL_ID,
        LOCAL_AS,
        PEER_ID,
        PEER_AS,
        OUTGOING_OPENCONFIRM,
        INCOMING_OPENSENT,
        false,
    );
    assert_eq!(loser, Some(Loser::Existing));
}

#[test]
fn identifiers_compare_as_host_order_integers() {
    // 10.0.0.2 > 9.255.255.255 as integers although "9" > "1" as text.
    assert!(local_initiator_wins(
        Ipv4Addr::new(10, 0, 0, 2),
        1,
        Ipv4Addr::new(9, 255, 255, 255),
        1
    ));
}

#[test]
fn identical_identifiers_fall_back_to_the_larger_as() {
    let id = Ipv4Addr::new(10, 0, 0, 1);
    assert!(local_initiator_wins(id, 65010, id, 65001));
    assert!(!local_initiator_wins(id, 65001, id, 65010));
}

#[test]
fn established_connection_survives_without_collision_detect_established_state() {
    let established = ConnectionInfo {
        state: State::Established,
        initiated_locally: true,
    };
    assert_eq!(
        resolve(
            LOCAL_ID,
            LOCAL_AS,
            PEER_ID,
            PEER_AS,
            established,
            INCOMING_OPENSENT,
            false
        ),
        Some(Loser::New)
    );
    assert_eq!(
        resolve(
            LOCAL_ID,
            LOCAL_AS,
            PEER_ID,
            PEER_AS,
            established,
            INCOMING_OPENSENT,
            true
        ),
        Some(Loser::Existing)
    );
}

#[test]
fn no_collision_is_detected_with_idle_connect_or_active_connections() {
    for state in [State::Idle, State::Connect, State::Active] {
        let existing = ConnectionInfo {
            state,
            initiated_locally: true,
        };
        assert_eq!(
            resolve(LOCAL_ID, LOCAL_AS, PEER_ID, PEER_AS, existing, INCOMING_OPENSENT, false),
            None
        );
    }
}

#[test]
fn open_collision_dump_sends_cease_6_7_and_records_collision_dump() {
    for state in [State::OpenSent, State::OpenConfirm] {
        let mut fsm = fsm_in(state, config());
        let actions = fsm.handle(7, Event::OpenCollisionDump);
        assert_eq!(notification(&actions), Some((6, 7)), "{state}");
        assert_eq!(fsm.state(), State::Idle);
        assert_eq!(transitions(&actions)[0].reason, Reason::CollisionDump);
        assert_eq!(transitions(&actions)[0].reason.to_string(), "collision-dump");
    }
}

#[test]
fn openconfirm_open_from_a_lower_identifier_keeps_this_connection() {
    let mut fsm = fsm_in(State::OpenConfirm, config());
    let other = Open::new(PEER_AS, 90, Ipv4Addr::new(192, 0, 2, 0), vec![]);
    let actions = fsm.handle(7, Event::BGPOpen(other));
    assert!(actions.is_empty());
    assert_eq!(fsm.state(), State::OpenConfirm);
}

#[test]
fn a_driver_resolving_a_collision_dumps_exactly_one_of_two_fsms() {
    // Outgoing connection in OpenConfirm, incoming one in OpenSent receives the OPEN.
    let mut outgoing = fsm_in(State::OpenConfirm, config());
    let mut incoming = fsm_in(State::OpenSent, config());
    let existing = ConnectionInfo {
        state: outgoing.state(),
        initiated_locally: true,
    };
    let new = ConnectionInfo {
        state: incoming.state(),
        initiated_locally: false,
    };
    let loser = resolve(LOCAL_ID, LOCAL_AS, PEER_ID, PEER_AS, existing, new, false).expect("collision");
    match loser {
        Loser::Existing => {
            outgoing.handle(8, Event::OpenCollisionDump);
            incoming.handle(8, Event::BGPOpen(peer_open(90)));
        }
        Loser::New => {
            incoming.handle(8, Event::OpenCollisionDump);
        }
    }
    assert_eq!(outgoing.state(), State::Idle, "the peer has the higher identifier");
    assert_eq!(incoming.state(), State::OpenConfirm);
}
