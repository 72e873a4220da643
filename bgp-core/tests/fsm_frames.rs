//! Frames to events, and two FSMs driven against each other through encoded messages.

#[path = "fsm_support.rs"]
mod support;

use bgp_core::error::Notification;
use bgp_core::framer::{self, Frame};
use bgp_core::fsm::{Action, Event, Fsm, PeerAs, SessionConfig, State};
use bgp_core::Message;
use bytes::{Bytes, BytesMut};
use std::collections::VecDeque;
use support::*;

fn frame(m: &Message) -> Frame {
    checked(m.to_bytes(&bgp_core::SessionContext::default()).expect("encodes"))
}

/// A whole message through the framer, as the driver receives it.
fn checked(bytes: Bytes) -> Frame {
    Frame::parse(bytes, 4096).expect("a sound header")
}

#[test]
fn frames_are_classified_into_rfc_message_events() {
    let fsm = fsm_in(State::OpenSent, config());
    let cases: Vec<(Frame, u8)> = vec![
        (frame(&Message::Keepalive), 26),
        (frame(&Message::Open(peer_open(90))), 19),
        (
            frame(&Message::Notification(Notification::with_data(2, 1, vec![0u8, 4]))),
            24,
        ),
        (frame(&Message::Notification(Notification::new(6, 2))), 25),
    ];
    for (f, n) in cases {
        assert_eq!(fsm.event_for_frame(f).name().number(), n);
    }
    let mut bad_version = frame(&Message::Open(peer_open(90))).into_bytes().to_vec();
    bad_version[19] = 3;
    let e = fsm.event_for_frame(checked(Bytes::from(bad_version)));
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
    let e = fsm.event_for_frame(checked(Bytes::from(f)));
    assert_eq!(e.name().number(), 28);
}

#[test]
fn a_bad_header_is_refused_once_by_the_framer_and_fed_as_event_21() {
    // The framer checks the header; what it refuses is the driver's BGPHeaderErr (21), and
    // the FSM answers with that very NOTIFICATION.
    let mut fsm = fsm_in(State::Established, config());
    let mut buf = BytesMut::from(&[0u8; 19][..]);
    let e = framer::try_parse(&mut buf, 4096).expect_err("bad marker");
    let actions = fsm.handle(1, Event::BGPHeaderErr(e));
    assert_eq!(notification(&actions), Some((1, 1)));
    assert_eq!(transitions(&actions)[0].event.number(), 21);
}

/// Which FSM an input is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Side {
    A,
    B,
}

/// An input on its way: a frame (classified by the receiver when handled) or a TCP event.
enum Input {
    Frame(Frame),
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
                queue.push_back((other, Input::Frame(checked(bytes))));
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
