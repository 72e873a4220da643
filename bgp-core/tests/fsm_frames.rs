//! Frames to events, and two FSMs driven against each other through encoded messages.

#[path = "fsm_support.rs"]
mod support;

use bgp_core::error::Notification;
use bgp_core::fsm::{Action, Event, Fsm, PeerAs, SessionConfig, State};
use bgp_core::Message;
use bytes::Bytes;
use std::collections::VecDeque;
use support::*;

fn frame(m: &Message) -> Bytes {
    m.to_bytes(&bgp_core::SessionContext::default()).expect("encodes")
}

#[test]
fn frames_are_classified_into_rfc_message_events() {
    let fsm = fsm_in(State::OpenSent, config());
    let cases: Vec<(Bytes, u8)> = vec![
        (frame(&Message::Keepalive), 26),
        (frame(&Message::Open(peer_open(90))), 19),
        (
            frame(&Message::Notification(Notification::with_data(2, 1, vec![0u8, 4]))),
            24,
        ),
        (frame(&Message::Notification(Notification::new(6, 2))), 25),
        (Bytes::from(vec![0u8; 19]), 21),
    ];
    for (bytes, n) in cases {
        assert_eq!(fsm.event_for_frame(bytes).name().number(), n);
    }
    let mut bad_version = frame(&Message::Open(peer_open(90))).to_vec();
    bad_version[19] = 3;
    let e = fsm.event_for_frame(Bytes::from(bad_version));
    assert!(
        matches!(&e, Event::BGPOpenMsgErr(err) if err.notification.subcode == 1),
        "{e:?}"
    );
}

#[test]
fn a_malformed_update_frame_is_update_msg_err() {
    let fsm = fsm_in(State::Established, config());
    let mut f = vec![0xffu8; 16];
    // Withdrawn length 5 in a message with no room for it.
    f.extend_from_slice(&[0, 23, 2, 0, 5, 0, 0]);
    let e = fsm.event_for_frame(Bytes::from(f));
    assert_eq!(e.name().number(), 28);
}

/// Which FSM an input is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Side {
    A,
    B,
}

/// An input on its way: a frame (classified by the receiver when handled) or a TCP event.
enum Input {
    Frame(Bytes),
    Tcp(Event),
}

/// Carries out the actions of `from`'s FSM: sends become frames for the other side,
/// `Connect` becomes the TCP handshake (Tcp_CR_Acked here, TcpConnectionConfirmed there).
fn deliver(from: Side, fsm: &Fsm, actions: Vec<Action>, queue: &mut VecDeque<(Side, Input)>) {
    let other = if from == Side::A { Side::B } else { Side::A };
    for a in actions {
        match a {
            Action::Send(m) => {
                let bytes = m.to_bytes(&fsm.tx_context()).expect("encodes");
                queue.push_back((other, Input::Frame(bytes)));
            }
            Action::Connect => {
                queue.push_back((from, Input::Tcp(Event::Tcp_CR_Acked)));
                queue.push_back((other, Input::Tcp(Event::TcpConnectionConfirmed)));
            }
            _ => {}
        }
    }
}

#[test]
fn two_fsms_exchanging_frames_reach_established() {
    let mut b_cfg = SessionConfig::new("r2", PEER_AS, PeerAs::Exact(LOCAL_AS), PEER_ID);
    b_cfg.jitter = false;
    b_cfg.hold_time = 30;
    let mut a = Fsm::new(config());
    let mut b = Fsm::new(b_cfg);
    let mut queue = VecDeque::new();
    // b listens, a connects.
    let acts = b.handle(0, Event::ManualStart_with_PassiveTcpEstablishment);
    deliver(Side::B, &b, acts, &mut queue);
    let acts = a.handle(0, Event::ManualStart);
    deliver(Side::A, &a, acts, &mut queue);
    let mut steps = 0;
    while let Some((side, input)) = queue.pop_front() {
        steps += 1;
        assert!(steps < 100, "the exchange must settle");
        let fsm = if side == Side::A { &mut a } else { &mut b };
        let acts = match input {
            Input::Frame(bytes) => fsm.handle_frame(steps, bytes),
            Input::Tcp(e) => fsm.handle(steps, e),
        };
        deliver(side, fsm, acts, &mut queue);
    }
    assert_eq!(a.state(), State::Established);
    assert_eq!(b.state(), State::Established);
    let na = a.negotiated().expect("a negotiated");
    let nb = b.negotiated().expect("b negotiated");
    assert_eq!((na.hold_time, nb.hold_time), (30, 30));
    assert_eq!((na.peer_asn, nb.peer_asn), (PEER_AS, LOCAL_AS));
    assert_eq!(na.families, nb.families);
    assert!(na.route_refresh && nb.route_refresh);
}
