//! Transition records: one per state change, typed reasons with trace strings, bounded
//! history; event names and numbers.

#[path = "fsm_support.rs"]
mod support;

use bgp_core::error::Notification;
use bgp_core::fsm::{Action, Cease, Event, EventName, Fsm, Reason, State, TcpFailure, HISTORY_LEN};
use std::io::ErrorKind;
use support::*;

#[test]
fn every_state_change_is_reported_once_and_kept_in_history() {
    let mut fsm = Fsm::new(config());
    let mut reported = Vec::new();
    let script = [
        Event::ManualStart,
        Event::Tcp_CR_Acked,
        Event::BGPOpen(peer_open(90)),
        Event::KeepAliveMsg,
        Event::KeepAliveMsg,
        Event::HoldTimer_Expires,
    ];
    for (i, e) in script.into_iter().enumerate() {
        reported.extend(transitions(&fsm.handle(100 * i as u64, e)));
    }
    let kept: Vec<_> = fsm.history().iter().cloned().collect();
    assert_eq!(reported, kept);
    let path: Vec<(State, State)> = kept.iter().map(|t| (t.from, t.to)).collect();
    assert_eq!(
        path,
        vec![
            (State::Idle, State::Connect),
            (State::Connect, State::OpenSent),
            (State::OpenSent, State::OpenConfirm),
            (State::OpenConfirm, State::Established),
            (State::Established, State::Idle),
        ]
    );
    for w in kept.windows(2) {
        assert_eq!(w[0].to, w[1].from, "records chain");
    }
}

#[test]
fn transition_records_carry_time_session_event_and_reason() {
    let mut fsm = fsm_in(State::OpenConfirm, config());
    let t = transitions(&fsm.handle(1234, Event::KeepAliveMsg)).remove(0);
    assert_eq!(t.at_ms, 1234);
    assert_eq!(t.session.as_str(), "r1");
    assert_eq!(t.event.number(), 26);
    assert_eq!(t.event.name(), "KeepAliveMsg");
    assert_eq!(t.reason, Reason::KeepaliveReceived);
    assert_eq!(
        t.to_string(),
        "1234 ms r1: OpenConfirm -> Established on KeepAliveMsg (26): keepalive-received"
    );
}

#[test]
fn reasons_display_as_trace_strings() {
    let cases: Vec<(Reason, &str)> = vec![
        (Reason::HoldTimerExpired, "hold-timer-expired"),
        (
            Reason::NotificationReceived(Notification::cease_with_message(2, "maintenance")),
            "notification-received 6/2 \"maintenance\"",
        ),
        (
            Reason::NotificationSent(Notification::new(2, 2)),
            "notification-sent 2/2",
        ),
        (Reason::AdminDown { message: None }, "admin-down"),
        (Reason::TcpConnectionFails(TcpFailure::Closed), "tcp-connection-fails"),
        (
            Reason::TcpConnectionFails(TcpFailure::Read(ErrorKind::ConnectionReset)),
            "tcp-read-error (connection reset)",
        ),
        (
            Reason::TcpConnectionFails(TcpFailure::Write(ErrorKind::BrokenPipe)),
            "tcp-write-error (broken pipe)",
        ),
        (Reason::SendHoldTimerExpired, "send-hold-timer-expired"),
        (Reason::ConnectRetryTimerExpired, "connect-retry-timer-expired"),
        (Reason::OpenReceived, "open-received"),
        (Reason::CollisionDump, "collision-dump"),
        (Reason::AutomaticStop { subcode: 1 }, "automatic-stop 6/1"),
        (Reason::ManualStart { passive: true }, "manual-start-passive"),
    ];
    for (reason, text) in cases {
        assert_eq!(reason.to_string(), text);
    }
}

#[test]
fn received_notification_in_established_is_recorded_with_its_shutdown_message() {
    let mut fsm = fsm_in(State::Established, config());
    let actions = fsm.handle(9, event(25));
    let t = transitions(&actions).remove(0);
    assert_eq!(t.reason.to_string(), "notification-received 6/2 \"maintenance\"");
    assert_eq!(t.event.to_string(), "NotifMsg (25)");
}

#[test]
fn manual_stop_with_a_shutdown_message_sends_cease_2_with_rfc_9003_data() {
    let mut fsm = fsm_in(State::Established, config());
    let actions = fsm.handle(1, Event::ManualStop(Cease::admin_shutdown(Some("moving racks"))));
    let n = notification_full(&actions).expect("Cease");
    assert_eq!((n.code, n.subcode), (6, 2));
    assert_eq!(n.shutdown_communication(), Some("moving racks"));
    let t = transitions(&actions).remove(0);
    assert_eq!(t.reason.to_string(), "admin-down \"moving racks\"");
    assert_eq!(fsm.connect_retry_counter(), 0);
}

#[test]
fn automatic_stop_for_maximum_prefixes_sends_cease_1_with_rfc_4486_data() {
    let mut fsm = fsm_in(State::Established, config());
    let actions = fsm.handle(1, event(8));
    let n = notification_full(&actions).expect("Cease");
    assert_eq!((n.code, n.subcode), (6, 1));
    assert_eq!(&n.data[..], &[0u8, 1, 1, 0, 0, 0, 100][..]);
}

#[test]
fn history_keeps_the_last_64_transitions() {
    let mut fsm = Fsm::new(config());
    for i in 0..100u64 {
        fsm.handle(2 * i, Event::ManualStart);
        fsm.handle(2 * i + 1, Event::manual_stop());
    }
    assert_eq!(fsm.history().len(), HISTORY_LEN);
    assert_eq!(fsm.history().last().map(|t| t.at_ms), Some(199));
    assert_eq!(
        fsm.history().iter().next().map(|t| t.at_ms),
        Some(200 - HISTORY_LEN as u64)
    );
}

#[test]
fn events_carry_their_rfc_numbers_and_names() {
    let expected = [
        (1, "ManualStart"),
        (2, "ManualStop"),
        (
            7,
            "AutomaticStart_with_DampPeerOscillations_and_PassiveTcpEstablishment",
        ),
        (13, "IdleHoldTimer_Expires"),
        (15, "Tcp_CR_Invalid"),
        (20, "BGPOpen_with_DelayOpenTimer_running"),
        (24, "NotifMsgVerErr"),
        (28, "UpdateMsgErr"),
        (29, "SendHoldTimer_Expires"),
    ];
    for (n, name) in expected {
        assert_eq!(event(n).name().number(), n);
        assert_eq!(event(n).name().name(), name);
    }
    for n in 0..=29u8 {
        assert_eq!(event(n).name(), EventName::from_number(n).expect("known"));
    }
    assert_eq!(EventName::from_number(30), None);
}

#[test]
fn state_changes_are_the_only_way_records_appear() {
    let mut fsm = fsm_in(State::Established, config());
    let before = fsm.history().len();
    let actions = fsm.handle(1, Event::KeepaliveTimer_Expires);
    assert!(!actions.iter().any(|a| matches!(a, Action::StateChange(_))));
    assert_eq!(fsm.history().len(), before);
}

#[test]
fn a_notification_received_in_opensent_is_answered_with_5_1_and_recorded_as_received() {
    let mut fsm = fsm_in(State::OpenSent, config());
    let actions = fsm.handle(3, Event::NotifMsg(Notification::new(2, 2)));
    assert_eq!(notification(&actions), Some((5, 1)));
    let t = transitions(&actions).remove(0);
    assert_eq!(t.reason.to_string(), "notification-received 2/2");
}

#[test]
fn start_event_follows_the_configured_session_attributes() {
    let mut cfg = config();
    assert_eq!(Fsm::new(cfg.clone()).start_event(false).name().number(), 1);
    assert_eq!(Fsm::new(cfg.clone()).start_event(true).name().number(), 3);
    cfg.passive = true;
    assert_eq!(Fsm::new(cfg.clone()).start_event(false).name().number(), 4);
    assert_eq!(Fsm::new(cfg.clone()).start_event(true).name().number(), 5);
    cfg.damp_peer_oscillations = true;
    assert_eq!(Fsm::new(cfg.clone()).start_event(true).name().number(), 7);
    cfg.passive = false;
    assert_eq!(Fsm::new(cfg).start_event(true).name().number(), 6);
}

#[test]
fn cease_helpers_build_the_rfc_4486_notifications() {
    assert_eq!(Cease::default().notification(), Notification::new(6, 2));
    assert_eq!(Cease::peer_deconfigured().notification(), Notification::new(6, 3));
    let reset = Cease::admin_reset(Some("upgrade"));
    assert_eq!(reset.subcode, 4);
    assert_eq!(reset.message().as_deref(), Some("upgrade"));
    assert_eq!(Cease::admin_shutdown(None).message(), None);
}

#[test]
fn transitions_serialize_for_the_lab_api() {
    let mut fsm = fsm_in(State::OpenConfirm, config());
    let t = transitions(&fsm.handle(77, Event::KeepAliveMsg)).remove(0);
    let v = serde_json::to_value(&t).expect("serializes");
    assert_eq!(
        v,
        serde_json::json!({
            "at_ms": 77,
            "session": "r1",
            "from": "OpenConfirm",
            "to": "Established",
            "event": {"number": 26, "name": "KeepAliveMsg"},
            "reason": "keepalive-received"
        })
    );
}
