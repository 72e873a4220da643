//! How the route server runs one client session: a passive `bgp_core` speaker session with
//! the route server's ASN and identifier, the client's families and ADD-PATH, the runtime's
//! hold time, and damping of peer oscillations.
//!
//! # Damping (RFC 4271 DampPeerOscillations, following OpenBGPD)
//! A client that keeps coming up and going down is not re-accepted every second for ever.
//! After each fall to Idle that an operator did not cause (connection lost or reset, hold or
//! send hold timer, NOTIFICATION either way, max-prefix) the session refuses the client's
//! connections for an IdleHoldTime that doubles at each oscillation, as OpenBGPD does
//! (`session.c`, `IdleHoldTime *= 2`):
//!
//! | oscillation | 1 | 2 | 3 | 4 | … | 11 | 12 and later |
//! |---|---|---|---|---|---|---|---|
//! | IdleHoldTime (s) | 1 | 2 | 4 | 8 | … | 1,024 | 1,800 |
//!
//! - The first wait is [`RuntimeOptions::reconnect_after`] (1 s by default, whole seconds,
//!   at least 1) rather than OpenBGPD's 30 s (`INTERVAL_IDLE_HOLD_INITIAL`): a client that
//!   drops once is back as quickly as before, which OpenBGPD gets from re-accepting a peer's
//!   first reconnects while its IdleHoldTimer runs.
//! - The ceiling is [`IDLE_HOLD_MAX_SECS`], 1,800 s: OpenBGPD stops doubling at
//!   `MAX_IDLE_HOLD / 2`.
//! - A session that stays Established at least as long as its next wait would be is stable
//!   and the back-off starts again at the first wait (OpenBGPD's IdleHoldReset timer).
//! - An operator's stop and start (including the max-prefix restart after
//!   `restart_after_secs`) reset it.

use super::options::RuntimeOptions;
use crate::config::RouteServerConfig;
use crate::session::SessionConfig;
use bgp_core::capability::AddPathMode;
use bgp_core::fsm::{PeerAs, SessionConfig as FsmConfig};
use bgp_core::speaker::{self, Connected, DriverOptions, NoConnector, SessionHandle};
use tokio::sync::mpsc;

/// Ceiling of a flapping client's IdleHoldTime, in seconds: where OpenBGPD stops doubling
/// (`MAX_IDLE_HOLD / 2`).
pub const IDLE_HOLD_MAX_SECS: u16 = 1800;

/// The FSM configuration of client session `s`, named `name` in transition records.
pub(crate) fn fsm_config(rs: &RouteServerConfig, s: &SessionConfig, name: &str, opts: &RuntimeOptions) -> FsmConfig {
    let mut c = FsmConfig::new(name, rs.asn, PeerAs::Exact(s.asn), rs.router_id);
    c.passive = true;
    c.hold_time = opts.hold_time;
    c.families.clone_from(&s.families);
    if s.add_path {
        c.add_path = s.families.iter().map(|f| (*f, AddPathMode::Send)).collect();
    }
    c.damp_peer_oscillations = true;
    c.idle_hold_time = u16::try_from(opts.reconnect_after.as_secs_f64().ceil() as u64)
        .unwrap_or(u16::MAX)
        .max(1);
    c.idle_hold_time_max = IDLE_HOLD_MAX_SECS;
    c
}

/// Starts client session `s`, taking its connections from `incoming`. The session starts at
/// once and never restarts on the driver's own timer: the FSM's IdleHoldTimer does that.
pub(crate) fn spawn(
    rs: &RouteServerConfig,
    s: &SessionConfig,
    name: &str,
    opts: &RuntimeOptions,
    incoming: mpsc::Receiver<Connected>,
) -> SessionHandle {
    let driver = DriverOptions {
        start: true,
        restart_after: None,
    };
    speaker::spawn_session(fsm_config(rs, s, name, opts), Box::new(NoConnector), incoming, driver)
}

#[cfg(test)]
mod tests {
    use super::*;
    use bgp_core::capability::Capability;
    use bgp_core::fsm::{Action, Event, Fsm, State, Timer};
    use bgp_core::open::Open;
    use bgp_core::{Family, SessionContext, UpdateView};
    use bytes::Bytes;
    use std::net::{IpAddr, Ipv4Addr};
    use std::time::Duration;

    const CLIENT_AS: u32 = 65_001;

    fn client_fsm(opts: &RuntimeOptions) -> Fsm {
        let rs = RouteServerConfig::new(64_999, Ipv4Addr::new(10, 255, 255, 9));
        let s = SessionConfig::new("flappy", CLIENT_AS, IpAddr::V4(Ipv4Addr::new(192, 0, 2, 1)));
        let mut fsm = Fsm::new(fsm_config(&rs, &s, "flappy@192.0.2.1", opts));
        let start = fsm.start_event(false);
        fsm.handle(0, start);
        assert_eq!(fsm.state(), State::Active, "passive: waits for the client");
        fsm
    }

    fn idle_hold(actions: &[Action]) -> Option<u64> {
        actions.iter().find_map(|a| match a {
            Action::StartTimer {
                timer: Timer::IdleHold,
                duration_ms,
            } => Some(*duration_ms),
            _ => None,
        })
    }

    fn end_of_rib() -> UpdateView {
        let mut f = vec![0xffu8; 16];
        f.extend_from_slice(&[0, 23, 2, 0, 0, 0, 0]);
        UpdateView::parse(Bytes::from(f), &SessionContext::default()).expect("valid UPDATE")
    }

    /// The client connects at `now`, comes up, sends its routes, stays `up_ms` and drops the
    /// connection. Returns when the session goes down and the IdleHoldTime it then waits.
    fn flap(fsm: &mut Fsm, now: u64, up_ms: u64) -> (u64, u64) {
        fsm.handle(now, Event::TcpConnectionConfirmed);
        let open = Open::new(
            CLIENT_AS,
            90,
            Ipv4Addr::new(192, 0, 2, 1),
            vec![Capability::Multiprotocol(Family::IPV4_UNICAST)],
        );
        fsm.handle(now, Event::BGPOpen(open));
        fsm.handle(now, Event::KeepAliveMsg);
        assert_eq!(fsm.state(), State::Established);
        for _ in 0..20 {
            fsm.handle(now, Event::UpdateMsg(end_of_rib()));
        }
        let down = now + up_ms;
        fsm.handle(down, Event::KeepAliveMsg);
        let actions = fsm.handle(down, Event::tcp_closed());
        assert_eq!(fsm.state(), State::Idle);
        (down, idle_hold(&actions).expect("an automatic restart is scheduled"))
    }

    /// Waits out the IdleHoldTime: the client's connections are refused until it expires.
    fn wait_out(fsm: &mut Fsm, down: u64, wait: u64) -> u64 {
        let refused = fsm.handle(down + wait / 2, Event::TcpConnectionConfirmed);
        assert!(
            refused.iter().any(|a| matches!(a, Action::DropTcp)),
            "refused while held"
        );
        assert_eq!(fsm.state(), State::Idle);
        fsm.handle(down + wait, Event::IdleHoldTimer_Expires);
        assert_eq!(fsm.state(), State::Active, "listening again");
        down + wait
    }

    #[test]
    fn a_flapping_client_waits_twice_as_long_after_each_flap_up_to_the_ceiling() {
        let mut fsm = client_fsm(&RuntimeOptions::default());
        let mut now = 10;
        let mut waits = Vec::new();
        for _ in 0..13 {
            let (down, wait) = flap(&mut fsm, now, 500);
            waits.push(wait / 1000);
            now = wait_out(&mut fsm, down, wait) + 10;
        }
        assert_eq!(
            waits,
            vec![1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 1800, 1800],
            "seconds"
        );
    }

    #[test]
    fn a_client_that_stays_up_as_long_as_its_next_wait_starts_again_at_the_first_wait() {
        let mut fsm = client_fsm(&RuntimeOptions::default());
        let mut now = 10;
        for _ in 0..3 {
            let (down, wait) = flap(&mut fsm, now, 500);
            now = wait_out(&mut fsm, down, wait) + 10;
        }
        // Three flaps: the next would cost 8 s. Up for 8 s is stable.
        let (down, wait) = flap(&mut fsm, now, 8_000);
        assert_eq!(wait, 1_000);
        now = wait_out(&mut fsm, down, wait) + 10;
        assert_eq!(flap(&mut fsm, now, 500).1, 2_000);
    }

    #[test]
    fn the_first_wait_is_the_runtime_reconnect_delay() {
        let opts = RuntimeOptions {
            reconnect_after: Duration::from_secs(3),
            ..RuntimeOptions::default()
        };
        let mut fsm = client_fsm(&opts);
        assert_eq!(flap(&mut fsm, 10, 500).1, 3_000);
        let opts = RuntimeOptions {
            reconnect_after: Duration::from_millis(200),
            ..RuntimeOptions::default()
        };
        let mut fsm = client_fsm(&opts);
        assert_eq!(flap(&mut fsm, 10, 500).1, 1_000, "whole seconds, at least 1");
    }

    #[test]
    fn an_operator_stop_schedules_no_restart_and_a_start_forgets_the_back_off() {
        let mut fsm = client_fsm(&RuntimeOptions::default());
        let (down, wait) = flap(&mut fsm, 10, 500);
        let now = wait_out(&mut fsm, down, wait) + 10;
        let (down, _) = flap(&mut fsm, now, 500);
        fsm.handle(down + 1, Event::manual_stop());
        assert!(!fsm.timer_running(Timer::IdleHold), "no automatic restart after a stop");
        fsm.handle(down + 2, Event::ManualStart_with_PassiveTcpEstablishment);
        assert_eq!(flap(&mut fsm, down + 3, 500).1, 1_000);
    }
}
