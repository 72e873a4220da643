//! The SendHoldTimer of RFC 9687, sans IO: started on reaching Established, restarted when
//! the peer accepts data, NOTIFICATION 8 and Idle on expiry.

#[path = "fsm_support.rs"]
mod support;

use bgp_core::fsm::{Action, Event, Fsm, Reason, State, Timer};
use support::*;

/// Both sides offer `hold`: the session comes up; returns it and the actions of the step
/// into Established.
fn established_with_hold(hold: u16) -> (Fsm, Vec<Action>) {
    let mut cfg = config();
    cfg.hold_time = hold;
    let mut fsm = fsm_in(State::OpenSent, cfg);
    fsm.handle(1, Event::BGPOpen(peer_open(hold)));
    let actions = fsm.handle(2, Event::KeepAliveMsg);
    assert_eq!(fsm.state(), State::Established);
    (fsm, actions)
}

#[test]
fn established_starts_the_send_hold_timer_at_the_rfc_9687_default() {
    // Negotiated hold time 90 s: the greater of 8 minutes and 2 x 90 s is 8 minutes.
    let (fsm, actions) = established_with_hold(90);
    assert_eq!(started(&actions, Timer::SendHold), Some(480_000));
    assert!(fsm.timer_running(Timer::SendHold));
}

#[test]
fn a_long_hold_time_makes_the_default_twice_the_hold_time() {
    let (_, actions) = established_with_hold(300);
    assert_eq!(started(&actions, Timer::SendHold), Some(600_000));
}

#[test]
fn a_configured_send_hold_time_is_used_and_zero_turns_the_timer_off() {
    let mut cfg = config();
    cfg.send_hold_time = Some(120);
    let mut fsm = fsm_in(State::OpenConfirm, cfg.clone());
    assert_eq!(
        started(&fsm.handle(1, Event::KeepAliveMsg), Timer::SendHold),
        Some(120_000)
    );
    cfg.send_hold_time = Some(0);
    let mut off = fsm_in(State::OpenConfirm, cfg);
    assert_eq!(started(&off.handle(1, Event::KeepAliveMsg), Timer::SendHold), None);
    assert!(!off.timer_running(Timer::SendHold));
    assert!(off.data_sent().is_empty());
}

#[test]
fn a_negotiated_hold_time_of_zero_runs_no_send_hold_timer() {
    let (fsm, actions) = established_with_hold(0);
    assert_eq!(started(&actions, Timer::SendHold), None);
    assert!(!fsm.timer_running(Timer::SendHold));
}

#[test]
fn data_the_peer_accepts_restarts_the_send_hold_timer_only_in_established() {
    let mut fsm = fsm_in(State::Established, config());
    assert_eq!(started(&fsm.data_sent(), Timer::SendHold), Some(480_000));
    for state in [State::Connect, State::OpenSent, State::OpenConfirm] {
        let mut before = fsm_in(state, config());
        assert!(before.data_sent().is_empty(), "{state}");
        assert!(!before.timer_running(Timer::SendHold), "{state}");
    }
}

#[test]
fn received_messages_do_not_restart_the_send_hold_timer() {
    // Only what the peer accepts counts: a peer that sends but does not read is not
    // making progress (RFC 9687 §3).
    let mut fsm = fsm_in(State::Established, config());
    for e in [Event::KeepAliveMsg, Event::UpdateMsg(empty_update())] {
        assert_eq!(started(&fsm.handle(1, e), Timer::SendHold), None);
    }
}

#[test]
fn send_hold_timer_expiry_sends_notification_8_then_drops_the_connection_and_the_routes() {
    let mut fsm = fsm_in(State::Established, config());
    let before = fsm.connect_retry_counter();
    let actions = fsm.handle(9, Event::SendHoldTimer_Expires);
    assert_eq!(fsm.state(), State::Idle);
    assert_eq!(notification(&actions), Some((8, 0)));
    let sent_at = actions
        .iter()
        .position(|a| matches!(a, Action::Send(_)))
        .expect("NOTIFICATION");
    let dropped_at = actions
        .iter()
        .position(|a| matches!(a, Action::DropTcp))
        .expect("DropTcp");
    assert!(sent_at < dropped_at, "the NOTIFICATION is queued before the close");
    assert!(actions
        .iter()
        .any(|a| matches!(a, Action::ReleaseResources { delete_routes: true })));
    assert_eq!(fsm.connect_retry_counter(), before + 1);
    let t = transitions(&actions).remove(0);
    assert_eq!(t.reason, Reason::SendHoldTimerExpired);
    assert_eq!(t.reason.to_string(), "send-hold-timer-expired");
    assert_eq!(t.event.to_string(), "SendHoldTimer_Expires (29)");
}

#[test]
fn leaving_established_stops_the_send_hold_timer() {
    let mut fsm = fsm_in(State::Established, config());
    let actions = fsm.handle(1, Event::HoldTimer_Expires);
    assert!(stopped(&actions, Timer::SendHold));
    assert!(!fsm.timer_running(Timer::SendHold));
}

#[test]
fn a_send_hold_time_must_exceed_the_hold_time() {
    let mut cfg = config();
    cfg.send_hold_time = Some(90);
    let e = cfg.validate().expect_err("RFC 9687 §4.4");
    assert!(
        e.contains("send hold time 90 s") && e.contains("hold time of 90 s"),
        "{e}"
    );
    cfg.send_hold_time = Some(91);
    assert_eq!(cfg.validate(), Ok(()));
    cfg.send_hold_time = Some(0);
    assert_eq!(cfg.validate(), Ok(()));
}
