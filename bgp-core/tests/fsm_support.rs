//! Shared helpers for the `fsm_*` tests (included with `#[path]`; also built alone as an
//! empty test crate).
#![allow(dead_code)]

use bgp_core::capability::Capability;
use bgp_core::error::{BgpError, Notification};
use bgp_core::fsm::{Action, Cease, Event, Fsm, PeerAs, SessionConfig, State, Timer, Transition};
use bgp_core::message::{Message, RouteRefresh};
use bgp_core::open::Open;
use bgp_core::{Family, SessionContext, UpdateView};
use bytes::Bytes;
use std::net::Ipv4Addr;

pub const LOCAL_AS: u32 = 65001;
pub const PEER_AS: u32 = 65002;
pub const LOCAL_ID: Ipv4Addr = Ipv4Addr::new(192, 0, 2, 1);
pub const PEER_ID: Ipv4Addr = Ipv4Addr::new(192, 0, 2, 2);

/// eBGP 65001 → 65002, jitter off so durations are exact.
pub fn config() -> SessionConfig {
    let mut c = SessionConfig::new("r1", LOCAL_AS, PeerAs::Exact(PEER_AS), LOCAL_ID);
    c.jitter = false;
    c
}

/// The peer's OPEN: IPv4 and IPv6 unicast, route refresh, 4-octet AS.
pub fn peer_open(hold: u16) -> Open {
    Open::new(
        PEER_AS,
        hold,
        PEER_ID,
        vec![
            Capability::Multiprotocol(Family::IPV4_UNICAST),
            Capability::Multiprotocol(Family::IPV6_UNICAST),
            Capability::RouteRefresh,
        ],
    )
}

/// An empty UPDATE (End-of-RIB for IPv4 unicast) as a validated view.
pub fn empty_update() -> UpdateView {
    let mut f = vec![0xffu8; 16];
    f.extend_from_slice(&[0, 23, 2, 0, 0, 0, 0]);
    UpdateView::parse(Bytes::from(f), &SessionContext::default()).expect("empty UPDATE is valid")
}

/// A representative event for each number 0–29 (0: the ROUTE-REFRESH extension, 29: RFC
/// 9687's SendHoldTimer_Expires).
pub fn event(n: u8) -> Event {
    match n {
        0 => Event::RouteRefreshMsg(RouteRefresh {
            family: Family::IPV4_UNICAST,
            subtype: 0,
        }),
        1 => Event::ManualStart,
        2 => Event::ManualStop(Cease::admin_shutdown(None)),
        3 => Event::AutomaticStart,
        4 => Event::ManualStart_with_PassiveTcpEstablishment,
        5 => Event::AutomaticStart_with_PassiveTcpEstablishment,
        6 => Event::AutomaticStart_with_DampPeerOscillations,
        7 => Event::AutomaticStart_with_DampPeerOscillations_and_PassiveTcpEstablishment,
        8 => Event::AutomaticStop(Cease::max_prefixes(Family::IPV4_UNICAST, 100)),
        9 => Event::ConnectRetryTimer_Expires,
        10 => Event::HoldTimer_Expires,
        11 => Event::KeepaliveTimer_Expires,
        12 => Event::DelayOpenTimer_Expires,
        13 => Event::IdleHoldTimer_Expires,
        14 => Event::TcpConnection_Valid,
        15 => Event::Tcp_CR_Invalid,
        16 => Event::Tcp_CR_Acked,
        17 => Event::TcpConnectionConfirmed,
        18 => Event::tcp_closed(),
        19 => Event::BGPOpen(peer_open(90)),
        20 => Event::BGPOpen_with_DelayOpenTimer_running(peer_open(90)),
        21 => Event::BGPHeaderErr(BgpError::reset_code(1, 2)),
        22 => Event::BGPOpenMsgErr(BgpError::reset_code(2, 4)),
        23 => Event::OpenCollisionDump,
        24 => Event::NotifMsgVerErr(Notification::with_data(2, 1, vec![0u8, 4])),
        25 => Event::NotifMsg(Notification::cease_with_message(2, "maintenance")),
        26 => Event::KeepAliveMsg,
        27 => Event::UpdateMsg(empty_update()),
        28 => Event::UpdateMsgErr(BgpError::reset_code(3, 1)),
        29 => Event::SendHoldTimer_Expires,
        _ => panic!("no event {n}"),
    }
}

/// A fresh FSM brought into `state` the ordinary way (no DelayOpen unless configured).
pub fn fsm_in(state: State, cfg: SessionConfig) -> Fsm {
    let mut f = Fsm::new(cfg);
    let steps: &[Event] = match state {
        State::Idle => &[],
        State::Connect => &[Event::ManualStart],
        State::Active => &[Event::ManualStart_with_PassiveTcpEstablishment],
        State::OpenSent => &[Event::ManualStart, Event::Tcp_CR_Acked],
        State::OpenConfirm => &[Event::ManualStart, Event::Tcp_CR_Acked, Event::BGPOpen(peer_open(90))],
        State::Established => &[
            Event::ManualStart,
            Event::Tcp_CR_Acked,
            Event::BGPOpen(peer_open(90)),
            Event::KeepAliveMsg,
        ],
    };
    for (i, e) in steps.iter().enumerate() {
        f.handle(i as u64, e.clone());
    }
    assert_eq!(f.state(), state, "setup did not reach {state}");
    f
}

/// The NOTIFICATION sent, as (code, subcode).
pub fn notification(actions: &[Action]) -> Option<(u8, u8)> {
    actions.iter().find_map(|a| match a {
        Action::Send(Message::Notification(n)) => Some((n.code, n.subcode)),
        _ => None,
    })
}

/// The full NOTIFICATION sent.
pub fn notification_full(actions: &[Action]) -> Option<Notification> {
    actions.iter().find_map(|a| match a {
        Action::Send(Message::Notification(n)) => Some(n.clone()),
        _ => None,
    })
}

/// The state changes reported.
pub fn transitions(actions: &[Action]) -> Vec<Transition> {
    actions
        .iter()
        .filter_map(|a| match a {
            Action::StateChange(t) => Some(t.clone()),
            _ => None,
        })
        .collect()
}

/// Duration of the last start of `timer`.
pub fn started(actions: &[Action], timer: Timer) -> Option<u64> {
    actions.iter().rev().find_map(|a| match a {
        Action::StartTimer { timer: t, duration_ms } if *t == timer => Some(*duration_ms),
        _ => None,
    })
}

/// Whether `timer` was stopped.
pub fn stopped(actions: &[Action], timer: Timer) -> bool {
    actions.iter().any(|a| matches!(a, Action::StopTimer(t) if *t == timer))
}

/// Whether a message of this kind was sent (1 OPEN, 3 NOTIFICATION, 4 KEEPALIVE).
pub fn sent(actions: &[Action], kind: u8) -> bool {
    actions
        .iter()
        .any(|a| matches!(a, Action::Send(m) if m.type_code() == kind))
}

/// Whether the actions contain `Connect`.
pub fn connects(actions: &[Action]) -> bool {
    actions.iter().any(|a| matches!(a, Action::Connect))
}

/// Whether the actions contain `DropTcp`.
pub fn drops(actions: &[Action]) -> bool {
    actions.iter().any(|a| matches!(a, Action::DropTcp))
}
