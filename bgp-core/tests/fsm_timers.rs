//! Timers: RFC 4271 §10 jitter (deterministic), DelayOpen, and the IdleHoldTimer back-off
//! of DampPeerOscillations.

#[path = "fsm_support.rs"]
mod support;

use bgp_core::fsm::jitter::{jittered, Jitter};
use bgp_core::fsm::{Event, Fsm, Reason, SessionConfig, State, Timer};
use support::*;

fn jittered_config(seed: u64) -> SessionConfig {
    let mut c = config();
    c.jitter = true;
    c.jitter_seed = seed;
    c
}

#[test]
fn jitter_factor_stays_between_three_quarters_and_one() {
    for random in (0..2000u64).chain([u64::MAX, u64::MAX - 1, 1 << 63]) {
        let d = jittered(120_000, random);
        assert!((90_000..=120_000).contains(&d), "{random} gave {d}");
    }
    assert_eq!(jittered(120_000, 0), 90_000);
    assert_eq!(jittered(120_000, 250), 120_000);
}

#[test]
fn connect_retry_timer_is_jittered_within_bounds_and_varies() {
    let mut seen = std::collections::BTreeSet::new();
    for seed in 0..200u64 {
        let mut fsm = Fsm::new(jittered_config(seed));
        let d = started(&fsm.handle(0, Event::ManualStart), Timer::ConnectRetry).expect("started");
        assert!((90_000..=120_000).contains(&d), "seed {seed}: {d}");
        seen.insert(d);
    }
    assert!(
        seen.len() > 50,
        "jitter should spread durations, got {} distinct",
        seen.len()
    );
}

#[test]
fn keepalive_timer_is_jittered_and_hold_timer_is_not() {
    for seed in 0..100u64 {
        let mut fsm = fsm_in(State::OpenSent, jittered_config(seed));
        let actions = fsm.handle(0, Event::BGPOpen(peer_open(90)));
        let ka = started(&actions, Timer::Keepalive).expect("keepalive");
        assert!((22_500..=30_000).contains(&ka), "seed {seed}: {ka}");
        assert_eq!(started(&actions, Timer::Hold), Some(90_000));
    }
}

#[test]
fn the_same_seed_gives_the_same_durations() {
    let mut a = Jitter::new(42, true);
    let mut b = Jitter::new(42, true);
    let xs: Vec<u64> = (0..20).map(|_| a.apply(30_000)).collect();
    let ys: Vec<u64> = (0..20).map(|_| b.apply(30_000)).collect();
    assert_eq!(xs, ys);
    let mut off = Jitter::new(42, false);
    assert_eq!(off.apply(30_000), 30_000);
}

fn delay_open_config() -> SessionConfig {
    let mut c = config();
    c.delay_open = true;
    c.delay_open_time = 7;
    c
}

#[test]
fn delay_open_waits_in_connect_before_sending_open() {
    let mut fsm = fsm_in(State::Connect, delay_open_config());
    let actions = fsm.handle(1, Event::Tcp_CR_Acked);
    assert_eq!(fsm.state(), State::Connect);
    assert!(!sent(&actions, 1), "no OPEN yet");
    assert!(stopped(&actions, Timer::ConnectRetry));
    assert_eq!(started(&actions, Timer::DelayOpen), Some(7_000));
    assert!(fsm.timer_running(Timer::DelayOpen));
}

#[test]
fn delay_open_expiry_sends_open_and_moves_to_opensent() {
    let mut fsm = fsm_in(State::Connect, delay_open_config());
    fsm.handle(1, Event::Tcp_CR_Acked);
    let actions = fsm.handle(2, Event::DelayOpenTimer_Expires);
    assert_eq!(fsm.state(), State::OpenSent);
    assert!(sent(&actions, 1));
    assert_eq!(started(&actions, Timer::Hold), Some(240_000));
}

#[test]
fn open_received_while_delay_open_runs_sends_open_and_keepalive_and_moves_to_openconfirm() {
    for passive in [false, true] {
        let start = if passive { State::Active } else { State::Connect };
        let mut fsm = fsm_in(start, delay_open_config());
        fsm.handle(1, Event::TcpConnectionConfirmed);
        let bytes = bgp_core::Message::Open(peer_open(90))
            .to_bytes(&fsm.rx_context())
            .expect("encodes");
        let frame = bgp_core::framer::Frame::parse(bytes, fsm.rx_context().max_message_len()).expect("sound");
        let frame_event = fsm.event_for_frame(frame);
        assert_eq!(frame_event.name().number(), 20, "classified as event 20");
        let actions = fsm.handle(2, frame_event);
        assert_eq!(fsm.state(), State::OpenConfirm, "from {start}");
        assert!(sent(&actions, 1) && sent(&actions, 4));
        assert!(stopped(&actions, Timer::DelayOpen));
        assert_eq!(started(&actions, Timer::Hold), Some(90_000));
    }
}

#[test]
fn tcp_failure_while_delay_open_runs_moves_connect_to_active() {
    let mut fsm = fsm_in(State::Connect, delay_open_config());
    fsm.handle(1, Event::Tcp_CR_Acked);
    let actions = fsm.handle(2, Event::tcp_closed());
    assert_eq!(fsm.state(), State::Active);
    assert!(stopped(&actions, Timer::DelayOpen));
    assert_eq!(started(&actions, Timer::ConnectRetry), Some(120_000));
}

#[test]
fn version_error_while_delay_open_runs_is_not_counted() {
    let mut fsm = fsm_in(State::Connect, delay_open_config());
    fsm.handle(1, Event::Tcp_CR_Acked);
    fsm.handle(2, event(24));
    assert_eq!(fsm.state(), State::Idle);
    assert_eq!(fsm.connect_retry_counter(), 0);
    let mut plain = fsm_in(State::Connect, config());
    plain.handle(2, event(24));
    assert_eq!(plain.connect_retry_counter(), 1);
}

#[test]
fn active_manual_stop_sends_cease_only_with_delay_open_running_and_send_notification_without_open() {
    let mut cfg = delay_open_config();
    cfg.send_notification_without_open = true;
    let mut fsm = fsm_in(State::Active, cfg.clone());
    fsm.handle(1, Event::TcpConnectionConfirmed);
    let actions = fsm.handle(2, Event::manual_stop());
    assert_eq!(notification(&actions), Some((6, 2)));
    let mut idle_listener = fsm_in(State::Active, cfg);
    let actions = idle_listener.handle(2, Event::manual_stop());
    assert_eq!(notification(&actions), None);
}

fn damped_config() -> SessionConfig {
    let mut c = config();
    c.damp_peer_oscillations = true;
    c.idle_hold_time = 5;
    c.idle_hold_time_max = 40;
    c
}

/// Brings the session up to OpenSent, fails it with a hold timer expiry, returns the
/// IdleHoldTimer duration started on the way to Idle.
fn flap(fsm: &mut Fsm, at: u64) -> Option<u64> {
    let restart = fsm.handle(at, Event::IdleHoldTimer_Expires);
    assert_eq!(fsm.state(), State::Connect, "automatic restart: {restart:?}");
    fsm.handle(at + 1, Event::Tcp_CR_Acked);
    started(&fsm.handle(at + 2, Event::HoldTimer_Expires), Timer::IdleHold)
}

#[test]
fn damped_peer_oscillations_double_the_idle_hold_time_up_to_the_ceiling() {
    let mut fsm = fsm_in(State::OpenSent, damped_config());
    let first = started(&fsm.handle(1, Event::HoldTimer_Expires), Timer::IdleHold);
    assert_eq!(first, Some(5_000));
    let mut seen = vec![5_000];
    for i in 0..5 {
        seen.push(flap(&mut fsm, 10 + i * 10).expect("IdleHoldTimer started"));
    }
    assert_eq!(seen, vec![5_000, 10_000, 20_000, 40_000, 40_000, 40_000]);
    assert_eq!(fsm.damping_level(), 6);
}

#[test]
fn idle_hold_timer_expiry_restarts_the_session_with_the_last_start_mode() {
    let mut cfg = damped_config();
    cfg.passive = true;
    let mut fsm = Fsm::new(cfg);
    let start = fsm.start_event(true);
    assert_eq!(start.name().number(), 7);
    fsm.handle(0, start);
    assert_eq!(fsm.state(), State::Active);
    fsm.handle(1, Event::tcp_closed());
    assert!(fsm.timer_running(Timer::IdleHold));
    let actions = fsm.handle(2, Event::IdleHoldTimer_Expires);
    assert_eq!(fsm.state(), State::Active);
    assert_eq!(transitions(&actions)[0].reason, Reason::IdleHoldTimerExpired);
}

#[test]
fn automatic_start_with_damping_waits_for_the_idle_hold_timer() {
    let mut fsm = fsm_in(State::OpenSent, damped_config());
    fsm.handle(1, Event::HoldTimer_Expires);
    let actions = fsm.handle(2, Event::AutomaticStart_with_DampPeerOscillations);
    assert!(actions.is_empty(), "deferred while the IdleHoldTimer runs");
    assert_eq!(fsm.state(), State::Idle);
    fsm.handle(3, Event::IdleHoldTimer_Expires);
    assert_eq!(fsm.state(), State::Connect);
}

#[test]
fn manual_stop_in_idle_cancels_the_automatic_restart() {
    let mut fsm = fsm_in(State::OpenSent, damped_config());
    fsm.handle(1, Event::HoldTimer_Expires);
    let actions = fsm.handle(2, Event::manual_stop());
    assert!(stopped(&actions, Timer::IdleHold));
    assert_eq!(fsm.damping_level(), 0);
    let late = fsm.handle(3, Event::IdleHoldTimer_Expires);
    assert!(late.is_empty(), "a late expiry must not restart: {late:?}");
    assert_eq!(fsm.state(), State::Idle);
}

#[test]
fn manual_stop_from_a_started_state_does_not_schedule_a_restart() {
    let mut fsm = fsm_in(State::Established, damped_config());
    let actions = fsm.handle(1, Event::manual_stop());
    assert_eq!(started(&actions, Timer::IdleHold), None);
    assert!(!fsm.timer_running(Timer::IdleHold));
}

#[test]
fn a_stable_established_session_resets_the_back_off() {
    let mut fsm = fsm_in(State::OpenSent, damped_config());
    fsm.handle(1, Event::HoldTimer_Expires);
    flap(&mut fsm, 10);
    assert_eq!(fsm.damping_level(), 2);
    fsm.handle(20, Event::IdleHoldTimer_Expires);
    fsm.handle(21, Event::Tcp_CR_Acked);
    fsm.handle(22, Event::BGPOpen(peer_open(90)));
    fsm.handle(23, Event::KeepAliveMsg);
    assert_eq!(fsm.state(), State::Established);
    // Stable: up at least as long as its next oscillation would cost (level 3: 20 s), as
    // OpenBGPD's IdleHoldReset judges it.
    for i in 0..3 {
        fsm.handle(23 + 20_000 + i, Event::KeepAliveMsg);
    }
    assert_eq!(fsm.damping_level(), 0);
    let actions = fsm.handle(20_040, Event::HoldTimer_Expires);
    assert_eq!(started(&actions, Timer::IdleHold), Some(5_000));
}

#[test]
fn a_peer_that_sends_its_table_and_drops_again_is_not_forgiven() {
    // Many messages in a short Established spell prove nothing: the back-off keeps growing.
    let mut fsm = fsm_in(State::OpenSent, damped_config());
    fsm.handle(1, Event::HoldTimer_Expires);
    let mut now = 10;
    let mut waits = Vec::new();
    for _ in 0..3 {
        fsm.handle(now, Event::IdleHoldTimer_Expires);
        fsm.handle(now + 1, Event::Tcp_CR_Acked);
        fsm.handle(now + 2, Event::BGPOpen(peer_open(90)));
        fsm.handle(now + 3, Event::KeepAliveMsg);
        assert_eq!(fsm.state(), State::Established);
        for i in 0..50 {
            fsm.handle(now + 4 + i, Event::UpdateMsg(empty_update()));
        }
        let actions = fsm.handle(now + 100, Event::tcp_closed());
        let wait = started(&actions, Timer::IdleHold).expect("IdleHoldTimer started");
        waits.push(wait);
        now += 100 + wait;
    }
    assert_eq!(waits, vec![10_000, 20_000, 40_000]);
}

#[test]
fn without_damping_no_idle_hold_timer_is_started() {
    let mut fsm = fsm_in(State::OpenSent, config());
    let actions = fsm.handle(1, Event::HoldTimer_Expires);
    assert_eq!(started(&actions, Timer::IdleHold), None);
    assert!(fsm.handle(2, Event::IdleHoldTimer_Expires).is_empty());
}
