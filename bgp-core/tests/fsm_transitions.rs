//! Every (state, event) pair of RFC 4271 §8.2.2, table-driven, plus focused tests of the
//! pairs that matter most. Default configuration: no DelayOpen, no damping, no
//! SendNOTIFICATIONwithoutOPEN, no CollisionDetectEstablishedState.

#[path = "fsm_support.rs"]
mod support;

use bgp_core::fsm::{Action, Event, State, Timer};
use std::collections::HashSet;
use support::*;

/// Key actions a row requires.
#[derive(Clone, Copy, Debug)]
enum K {
    Connect,
    Drop,
    SendOpen,
    SendKeepalive,
    Start(Timer),
    Stop(Timer),
    Update,
    RouteRefresh,
    Ready,
    DeleteRoutes,
    Release,
}

/// One row: in `from`, event number `ev` leads to `to`, sends the NOTIFICATION `notify`
/// (code, subcode) or none, increments the ConnectRetryCounter or not, and emits `keys`.
/// `quiet` rows must produce no action at all.
struct Row {
    from: State,
    ev: u8,
    to: State,
    notify: Option<(u8, u8)>,
    inc: bool,
    keys: &'static [K],
    quiet: bool,
}

const fn r(from: State, ev: u8, to: State, notify: Option<(u8, u8)>, inc: bool, keys: &'static [K]) -> Row {
    Row {
        from,
        ev,
        to,
        notify,
        inc,
        keys,
        quiet: false,
    }
}

/// A row where nothing happens at all.
const fn q(from: State, ev: u8) -> Row {
    Row {
        from,
        ev,
        to: from,
        notify: None,
        inc: false,
        keys: &[],
        quiet: true,
    }
}

use State::{Active as A, Connect as C, Established as E, Idle as I, OpenConfirm as OC, OpenSent as OS};
const CR: Timer = Timer::ConnectRetry;
const HOLD: Timer = Timer::Hold;
const KA: Timer = Timer::Keepalive;
const SEND_HOLD: Timer = Timer::SendHold;
const IDLE_DOWN: &[K] = &[K::Release, K::Drop];
const EST_DOWN: &[K] = &[K::DeleteRoutes, K::Drop];

/// The (state, event) table: one row per pair (its length is its rows).
#[rustfmt::skip]
fn table() -> Vec<Row> {
    vec![
        // ---- Idle ----
        q(I, 0),
        r(I, 1, C, None, false, &[K::Start(CR), K::Connect]),
        q(I, 2),
        r(I, 3, C, None, false, &[K::Start(CR), K::Connect]),
        r(I, 4, A, None, false, &[K::Start(CR)]),
        r(I, 5, A, None, false, &[K::Start(CR)]),
        r(I, 6, C, None, false, &[K::Start(CR), K::Connect]),
        r(I, 7, A, None, false, &[K::Start(CR)]),
        q(I, 8), q(I, 9), q(I, 10), q(I, 11), q(I, 12), q(I, 13), q(I, 14), q(I, 15),
        r(I, 16, I, None, false, &[K::Drop]),
        r(I, 17, I, None, false, &[K::Drop]),
        q(I, 18), q(I, 19), q(I, 20), q(I, 21), q(I, 22), q(I, 23), q(I, 24), q(I, 25),
        q(I, 26), q(I, 27), q(I, 28), q(I, 29),
        // ---- Connect ----
        r(C, 0, I, None, true, IDLE_DOWN),
        q(C, 1),
        r(C, 2, I, None, false, &[K::Stop(CR), K::Release, K::Drop]),
        q(C, 3), q(C, 4), q(C, 5), q(C, 6), q(C, 7),
        r(C, 8, I, None, true, IDLE_DOWN),
        r(C, 9, C, None, false, &[K::Drop, K::Start(CR), K::Connect]),
        r(C, 10, I, None, true, IDLE_DOWN),
        r(C, 11, I, None, true, IDLE_DOWN),
        r(C, 12, OS, None, false, &[K::SendOpen, K::Start(HOLD), K::Stop(CR)]),
        r(C, 13, I, None, true, IDLE_DOWN),
        q(C, 14), q(C, 15),
        r(C, 16, OS, None, false, &[K::Stop(CR), K::SendOpen, K::Start(HOLD)]),
        r(C, 17, OS, None, false, &[K::Stop(CR), K::SendOpen, K::Start(HOLD)]),
        r(C, 18, I, None, false, &[K::Stop(CR), K::Release, K::Drop]),
        r(C, 19, I, None, true, IDLE_DOWN),
        r(C, 20, OC, None, false, &[K::Stop(CR), K::SendOpen, K::SendKeepalive, K::Start(KA), K::Start(HOLD)]),
        r(C, 21, I, None, true, IDLE_DOWN),
        r(C, 22, I, None, true, IDLE_DOWN),
        r(C, 23, I, None, true, IDLE_DOWN),
        r(C, 24, I, None, true, IDLE_DOWN),
        r(C, 25, I, None, true, IDLE_DOWN),
        r(C, 26, I, None, true, IDLE_DOWN),
        r(C, 27, I, None, true, IDLE_DOWN),
        r(C, 28, I, None, true, IDLE_DOWN),
        r(C, 29, I, None, true, IDLE_DOWN),
        // ---- Active ----
        r(A, 0, I, None, true, IDLE_DOWN),
        q(A, 1),
        r(A, 2, I, None, false, &[K::Stop(CR), K::Release, K::Drop]),
        q(A, 3), q(A, 4), q(A, 5), q(A, 6), q(A, 7),
        r(A, 8, I, None, true, IDLE_DOWN),
        r(A, 9, C, None, false, &[K::Start(CR), K::Connect]),
        r(A, 10, I, None, true, IDLE_DOWN),
        r(A, 11, I, None, true, IDLE_DOWN),
        r(A, 12, OS, None, false, &[K::Stop(CR), K::SendOpen, K::Start(HOLD)]),
        r(A, 13, I, None, true, IDLE_DOWN),
        q(A, 14), q(A, 15),
        r(A, 16, OS, None, false, &[K::Stop(CR), K::SendOpen, K::Start(HOLD)]),
        r(A, 17, OS, None, false, &[K::Stop(CR), K::SendOpen, K::Start(HOLD)]),
        r(A, 18, I, None, true, &[K::Release]),
        r(A, 19, I, None, true, IDLE_DOWN),
        r(A, 20, OC, None, false, &[K::Stop(CR), K::SendOpen, K::SendKeepalive, K::Start(KA), K::Start(HOLD)]),
        r(A, 21, I, None, true, IDLE_DOWN),
        r(A, 22, I, None, true, IDLE_DOWN),
        r(A, 23, I, None, true, IDLE_DOWN),
        r(A, 24, I, None, true, IDLE_DOWN),
        r(A, 25, I, None, true, IDLE_DOWN),
        r(A, 26, I, None, true, IDLE_DOWN),
        r(A, 27, I, None, true, IDLE_DOWN),
        r(A, 28, I, None, true, IDLE_DOWN),
        r(A, 29, I, None, true, IDLE_DOWN),
        // ---- OpenSent ----
        r(OS, 0, I, Some((5, 1)), true, IDLE_DOWN),
        q(OS, 1),
        r(OS, 2, I, Some((6, 2)), false, &[K::Stop(HOLD), K::Release, K::Drop]),
        q(OS, 3), q(OS, 4), q(OS, 5), q(OS, 6), q(OS, 7),
        r(OS, 8, I, Some((6, 1)), true, IDLE_DOWN),
        r(OS, 9, I, Some((5, 0)), true, IDLE_DOWN),
        r(OS, 10, I, Some((4, 0)), true, IDLE_DOWN),
        r(OS, 11, I, Some((5, 0)), true, IDLE_DOWN),
        r(OS, 12, I, Some((5, 0)), true, IDLE_DOWN),
        r(OS, 13, I, Some((5, 0)), true, IDLE_DOWN),
        q(OS, 14), q(OS, 15), q(OS, 16), q(OS, 17),
        r(OS, 18, A, None, false, &[K::Drop, K::Stop(HOLD), K::Start(CR)]),
        r(OS, 19, OC, None, false, &[K::SendKeepalive, K::Start(KA), K::Start(HOLD)]),
        r(OS, 20, I, Some((5, 1)), true, IDLE_DOWN),
        r(OS, 21, I, Some((1, 2)), true, IDLE_DOWN),
        r(OS, 22, I, Some((2, 4)), true, IDLE_DOWN),
        r(OS, 23, I, Some((6, 7)), true, IDLE_DOWN),
        r(OS, 24, I, None, false, IDLE_DOWN),
        r(OS, 25, I, Some((5, 1)), true, IDLE_DOWN),
        r(OS, 26, I, Some((5, 1)), true, IDLE_DOWN),
        r(OS, 27, I, Some((5, 1)), true, IDLE_DOWN),
        r(OS, 28, I, Some((5, 1)), true, IDLE_DOWN),
        r(OS, 29, I, Some((5, 0)), true, IDLE_DOWN),
        // ---- OpenConfirm ----
        r(OC, 0, I, Some((5, 2)), true, IDLE_DOWN),
        q(OC, 1),
        r(OC, 2, I, Some((6, 2)), false, &[K::Stop(HOLD), K::Stop(KA), K::Release, K::Drop]),
        q(OC, 3), q(OC, 4), q(OC, 5), q(OC, 6), q(OC, 7),
        r(OC, 8, I, Some((6, 1)), true, IDLE_DOWN),
        r(OC, 9, I, Some((5, 0)), true, IDLE_DOWN),
        r(OC, 10, I, Some((4, 0)), true, IDLE_DOWN),
        r(OC, 11, OC, None, false, &[K::SendKeepalive, K::Start(KA)]),
        r(OC, 12, I, Some((5, 0)), true, IDLE_DOWN),
        r(OC, 13, I, Some((5, 0)), true, IDLE_DOWN),
        q(OC, 14), q(OC, 15), q(OC, 16), q(OC, 17),
        r(OC, 18, I, None, true, IDLE_DOWN),
        // Our identifier (192.0.2.1) is lower than the peer's: this connection is dumped.
        r(OC, 19, I, Some((6, 7)), true, IDLE_DOWN),
        r(OC, 20, I, Some((5, 2)), true, IDLE_DOWN),
        r(OC, 21, I, Some((1, 2)), true, IDLE_DOWN),
        r(OC, 22, I, Some((2, 4)), true, IDLE_DOWN),
        r(OC, 23, I, Some((6, 7)), true, IDLE_DOWN),
        r(OC, 24, I, None, false, IDLE_DOWN),
        r(OC, 25, I, None, true, IDLE_DOWN),
        r(OC, 26, E, None, false, &[K::Start(HOLD), K::Start(SEND_HOLD), K::Ready]),
        r(OC, 27, I, Some((5, 2)), true, IDLE_DOWN),
        r(OC, 28, I, Some((5, 2)), true, IDLE_DOWN),
        r(OC, 29, I, Some((5, 0)), true, IDLE_DOWN),
        // ---- Established ----
        r(E, 0, E, None, false, &[K::RouteRefresh, K::Start(HOLD)]),
        q(E, 1),
        r(E, 2, I, Some((6, 2)), false, EST_DOWN),
        q(E, 3), q(E, 4), q(E, 5), q(E, 6), q(E, 7),
        r(E, 8, I, Some((6, 1)), true, EST_DOWN),
        r(E, 9, I, Some((5, 0)), true, EST_DOWN),
        r(E, 10, I, Some((4, 0)), true, EST_DOWN),
        r(E, 11, E, None, false, &[K::SendKeepalive, K::Start(KA)]),
        r(E, 12, I, Some((5, 0)), true, EST_DOWN),
        r(E, 13, I, Some((5, 0)), true, EST_DOWN),
        q(E, 14), q(E, 15), q(E, 16), q(E, 17),
        r(E, 18, I, None, true, EST_DOWN),
        // RFC 6608: an OPEN on the established connection is an unexpected message.
        r(E, 19, I, Some((5, 3)), true, EST_DOWN),
        r(E, 20, I, Some((5, 3)), true, EST_DOWN),
        r(E, 21, I, Some((1, 2)), true, EST_DOWN),
        r(E, 22, I, Some((5, 3)), true, EST_DOWN),
        q(E, 23),
        r(E, 24, I, None, true, EST_DOWN),
        r(E, 25, I, None, true, EST_DOWN),
        r(E, 26, E, None, false, &[K::Start(HOLD)]),
        r(E, 27, E, None, false, &[K::Update, K::Start(HOLD)]),
        r(E, 28, I, Some((3, 1)), true, EST_DOWN),
        // RFC 9687 §4.3: NOTIFICATION 8, counted, routes deleted.
        r(E, 29, I, Some((8, 0)), true, EST_DOWN),
    ]
}

fn has(actions: &[Action], k: K) -> bool {
    match k {
        K::Connect => connects(actions),
        K::Drop => drops(actions),
        K::SendOpen => sent(actions, 1),
        K::SendKeepalive => sent(actions, 4),
        K::Start(t) => started(actions, t).is_some(),
        K::Stop(t) => stopped(actions, t),
        K::Update => actions.iter().any(|a| matches!(a, Action::ProcessUpdate(_))),
        K::RouteRefresh => actions.iter().any(|a| matches!(a, Action::ProcessRouteRefresh(_))),
        K::Ready => actions.iter().any(|a| matches!(a, Action::SessionReady(_))),
        K::DeleteRoutes => actions
            .iter()
            .any(|a| matches!(a, Action::ReleaseResources { delete_routes: true })),
        K::Release => actions.iter().any(|a| matches!(a, Action::ReleaseResources { .. })),
    }
}

#[test]
fn every_state_event_pair_of_rfc4271_8_2_2_behaves_as_specified() {
    let rows = table();
    let pairs: HashSet<(State, u8)> = rows.iter().map(|r| (r.from, r.ev)).collect();
    assert_eq!(pairs.len(), rows.len(), "a (state, event) pair appears twice");
    assert_eq!(
        pairs.len(),
        6 * 30,
        "the table must cover 6 states x (28 events + RFC 9687's event 29 + ROUTE-REFRESH)"
    );
    for row in rows {
        let ctx = format!("{} + event {}", row.from, row.ev);
        let mut fsm = fsm_in(row.from, config());
        let before = fsm.connect_retry_counter();
        let actions = fsm.handle(1000, event(row.ev));
        assert_eq!(fsm.state(), row.to, "{ctx}: next state");
        if row.quiet {
            assert!(actions.is_empty(), "{ctx}: expected no action, got {actions:?}");
            continue;
        }
        assert_eq!(notification(&actions), row.notify, "{ctx}: NOTIFICATION sent");
        let expected_counter = if row.inc {
            before + 1
        } else if row.ev == 2 {
            0
        } else {
            before
        };
        assert_eq!(
            fsm.connect_retry_counter(),
            expected_counter,
            "{ctx}: ConnectRetryCounter"
        );
        for k in row.keys {
            assert!(has(&actions, *k), "{ctx}: missing {k:?} in {actions:?}");
        }
        let changes = transitions(&actions);
        if row.to == row.from {
            assert!(changes.is_empty(), "{ctx}: no state change expected");
        } else {
            assert_eq!(changes.len(), 1, "{ctx}: exactly one state change");
            assert_eq!((changes[0].from, changes[0].to), (row.from, row.to), "{ctx}: record");
        }
        if row.to == State::Idle && row.from != State::Idle {
            assert!(fsm.negotiated().is_none(), "{ctx}: negotiation forgotten in Idle");
            for t in [
                Timer::ConnectRetry,
                Timer::Hold,
                Timer::Keepalive,
                Timer::DelayOpen,
                Timer::SendHold,
            ] {
                assert!(!fsm.timer_running(t), "{ctx}: {t} still running in Idle");
            }
        }
    }
}

#[test]
fn idle_manual_start_initiates_connection_and_moves_to_connect() {
    let mut fsm = fsm_in(State::Idle, config());
    let actions = fsm.handle(5, Event::ManualStart);
    assert_eq!(fsm.state(), State::Connect);
    assert!(connects(&actions));
    assert_eq!(started(&actions, Timer::ConnectRetry), Some(120_000));
    assert_eq!(fsm.connect_retry_counter(), 0);
}

#[test]
fn idle_passive_start_listens_in_active_without_connecting() {
    let mut fsm = fsm_in(State::Idle, config());
    let actions = fsm.handle(5, Event::ManualStart_with_PassiveTcpEstablishment);
    assert_eq!(fsm.state(), State::Active);
    assert!(!connects(&actions));
    assert!(fsm.passive());
}

#[test]
fn connect_tcp_established_sends_open_with_large_hold_timer_and_moves_to_opensent() {
    let mut fsm = fsm_in(State::Connect, config());
    let actions = fsm.handle(5, Event::Tcp_CR_Acked);
    assert_eq!(fsm.state(), State::OpenSent);
    assert_eq!(started(&actions, Timer::Hold), Some(240_000));
    let open = actions.iter().find_map(|a| match a {
        Action::Send(bgp_core::Message::Open(o)) => Some(o.clone()),
        _ => None,
    });
    assert_eq!(open.as_ref(), Some(fsm.our_open()));
}

#[test]
fn opensent_keepalive_is_fsm_error_5_1() {
    let mut fsm = fsm_in(State::OpenSent, config());
    let actions = fsm.handle(5, Event::KeepAliveMsg);
    assert_eq!(notification(&actions), Some((5, 1)));
    assert_eq!(fsm.state(), State::Idle);
}

#[test]
fn openconfirm_update_is_fsm_error_5_2() {
    let mut fsm = fsm_in(State::OpenConfirm, config());
    let actions = fsm.handle(5, Event::UpdateMsg(empty_update()));
    assert_eq!(notification(&actions), Some((5, 2)));
    assert_eq!(fsm.state(), State::Idle);
}

#[test]
fn established_open_with_delay_open_flag_is_fsm_error_5_3() {
    let mut fsm = fsm_in(State::Established, config());
    let actions = fsm.handle(5, Event::BGPOpen_with_DelayOpenTimer_running(peer_open(90)));
    assert_eq!(notification(&actions), Some((5, 3)));
    assert_eq!(fsm.state(), State::Idle);
}

#[test]
fn established_open_is_fsm_error_5_3_and_deletes_the_routes() {
    // RFC 4271 §8.2.2 and RFC 6608: an OPEN on the established connection is an unexpected
    // message, whatever CollisionDetectEstablishedState says (collisions with another
    // connection reach this FSM as OpenCollisionDump).
    for detect in [false, true] {
        let mut cfg = config();
        cfg.collision_detect_established_state = detect;
        let mut fsm = fsm_in(State::Established, cfg);
        let actions = fsm.handle(5, Event::BGPOpen(peer_open(90)));
        assert_eq!(notification(&actions), Some((5, 3)), "detect {detect}");
        assert_eq!(fsm.state(), State::Idle);
        assert!(actions
            .iter()
            .any(|a| matches!(a, Action::ReleaseResources { delete_routes: true })));
        let t = transitions(&actions).remove(0);
        assert_eq!(t.reason.to_string(), "fsm-error 5/3 on BGPOpen");
    }
}

#[test]
fn unexpected_timer_expiry_in_opensent_is_fsm_error_with_unspecified_subcode() {
    let mut fsm = fsm_in(State::OpenSent, config());
    let actions = fsm.handle(5, Event::KeepaliveTimer_Expires);
    assert_eq!(notification(&actions), Some((5, 0)));
}

#[test]
fn openconfirm_keepalive_reaches_established_and_reports_the_negotiated_session() {
    let mut fsm = fsm_in(State::OpenConfirm, config());
    let actions = fsm.handle(5, Event::KeepAliveMsg);
    assert_eq!(fsm.state(), State::Established);
    let ready = actions.iter().find_map(|a| match a {
        Action::SessionReady(n) => Some(n.clone()),
        _ => None,
    });
    let n = ready.expect("SessionReady");
    assert_eq!(n.peer_asn, PEER_AS);
    assert_eq!(n.hold_time, 90);
    assert_eq!(started(&actions, Timer::Hold), Some(90_000));
}

#[test]
fn established_hold_timer_expiry_sends_4_0_and_deletes_routes() {
    let mut fsm = fsm_in(State::Established, config());
    let actions = fsm.handle(5, Event::HoldTimer_Expires);
    assert_eq!(notification(&actions), Some((4, 0)));
    assert!(actions
        .iter()
        .any(|a| matches!(a, Action::ReleaseResources { delete_routes: true })));
    assert_eq!(fsm.state(), State::Idle);
}

#[test]
fn notification_is_sent_before_the_tcp_connection_is_dropped() {
    let mut fsm = fsm_in(State::Established, config());
    let actions = fsm.handle(5, Event::HoldTimer_Expires);
    let send = actions.iter().position(|a| matches!(a, Action::Send(_)));
    let drop = actions.iter().position(|a| matches!(a, Action::DropTcp));
    assert!(send.is_some() && drop.is_some() && send < drop, "{actions:?}");
}

#[test]
fn established_update_is_handed_over_and_restarts_the_hold_timer() {
    let mut fsm = fsm_in(State::Established, config());
    let actions = fsm.handle(5, Event::UpdateMsg(empty_update()));
    assert!(matches!(actions.first(), Some(Action::ProcessUpdate(_))));
    assert_eq!(started(&actions, Timer::Hold), Some(90_000));
}

#[test]
fn established_update_sent_restarts_the_keepalive_timer() {
    let mut fsm = fsm_in(State::Established, config());
    let actions = fsm.update_sent();
    assert_eq!(started(&actions, Timer::Keepalive), Some(30_000));
    let mut idle = fsm_in(State::Idle, config());
    assert!(idle.update_sent().is_empty());
}

#[test]
fn connect_tcp_failure_without_delay_open_goes_idle_without_counting() {
    let mut fsm = fsm_in(State::Connect, config());
    fsm.handle(5, Event::tcp_closed());
    assert_eq!(fsm.state(), State::Idle);
    assert_eq!(fsm.connect_retry_counter(), 0);
}

#[test]
fn connect_errors_send_notification_only_with_send_notification_without_open() {
    let mut cfg = config();
    cfg.send_notification_without_open = true;
    let mut fsm = fsm_in(State::Connect, cfg);
    let actions = fsm.handle(5, event(21));
    assert_eq!(notification(&actions), Some((1, 2)));
    let mut quiet = fsm_in(State::Connect, config());
    let actions = quiet.handle(5, event(21));
    assert_eq!(notification(&actions), None);
    assert_eq!(transitions(&actions)[0].reason.to_string(), "error-not-sent 1/2");
}

#[test]
fn established_open_collision_dump_needs_collision_detect_established_state() {
    let mut cfg = config();
    cfg.collision_detect_established_state = true;
    let mut fsm = fsm_in(State::Established, cfg);
    let actions = fsm.handle(5, Event::OpenCollisionDump);
    assert_eq!(notification(&actions), Some((6, 7)));
    assert_eq!(fsm.state(), State::Idle);
}

#[test]
fn idle_manual_stop_is_ignored() {
    let mut fsm = fsm_in(State::Idle, config());
    assert!(fsm.handle(5, Event::manual_stop()).is_empty());
    assert_eq!(fsm.state(), State::Idle);
}
