//! The speaker over in-memory pipes, on tokio's paused clock: timers without sleeps.

use bgp_core::fsm::{Cease, PeerAs, Reason, SessionConfig, State};
use bgp_core::message::Message;
use bgp_core::speaker::{
    spawn_session, ConnectFuture, Connected, Connector, DriverOptions, SessionEvent, SessionHandle,
};
use bgp_core::{framer, SessionContext};
use bytes::BytesMut;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt, DuplexStream};
use tokio::sync::mpsc;

/// Connects by handing the far end of a fresh pipe to whoever holds the receiver.
struct PipeConnector(mpsc::Sender<Connected>);

impl Connector for PipeConnector {
    fn connect(&self) -> ConnectFuture {
        let (a, b) = tokio::io::duplex(1 << 16);
        let tx = self.0.clone();
        Box::pin(async move {
            tx.send(Connected::plain(Box::new(b)))
                .await
                .map_err(|_| std::io::Error::other("peer gone"))?;
            Ok(Connected::plain(Box::new(a)))
        })
    }
}

fn config(name: &str, local: u32, peer: u32, id: [u8; 4], hold: u16) -> SessionConfig {
    let mut c = SessionConfig::new(name, local, PeerAs::Exact(peer), id.into());
    c.hold_time = hold;
    c.connect_retry_time = 5;
    c
}

async fn wait_for_state(h: &mut SessionHandle, want: State) -> Vec<SessionEvent> {
    let mut seen = Vec::new();
    while let Some(e) = h.events.recv().await {
        let done = matches!(&e, SessionEvent::Transition(t) if t.to == want);
        seen.push(e);
        if done {
            return seen;
        }
    }
    panic!("session ended before reaching {want:?}: {seen:?}");
}

#[tokio::test(start_paused = true)]
async fn an_active_and_a_passive_session_over_a_pipe_reach_established() {
    let (to_b, b_incoming) = mpsc::channel(4);
    let (_unused, a_incoming) = mpsc::channel(1);
    let mut a = spawn_session(
        config("a", 4_200_000_001, 65002, [10, 0, 0, 1], 9),
        Box::new(PipeConnector(to_b)),
        a_incoming,
        DriverOptions::default(),
    );
    let mut bc = config("b", 65002, 4_200_000_001, [10, 0, 0, 2], 30);
    bc.passive = true;
    let mut b = spawn_session(
        bc,
        Box::new(bgp_core::speaker::NoConnector),
        b_incoming,
        DriverOptions::default(),
    );
    wait_for_state(&mut a, State::Established).await;
    wait_for_state(&mut b, State::Established).await;
    let n = loop {
        match a.events.recv().await {
            Some(SessionEvent::Established(n, protection)) => {
                assert!(!protection.md5, "nothing is set on a pipe");
                break n;
            }
            Some(_) => continue,
            None => panic!("session ended without reporting its negotiation"),
        }
    };
    assert_eq!(n.hold_time, 9, "the smaller hold time wins");
    assert_eq!(n.peer_asn, 65002);
    // Keepalives keep both up over several hold times of paused-clock time.
    tokio::time::sleep(Duration::from_secs(60)).await;
    let downs: Vec<_> = std::iter::from_fn(|| a.events.try_recv().ok())
        .filter(|e| matches!(e, SessionEvent::Transition(t) if t.from == State::Established))
        .collect();
    assert!(downs.is_empty(), "session left Established: {downs:?}");
}

/// Plays the peer by hand on one end of a pipe.
async fn read_message(s: &mut DuplexStream, buf: &mut BytesMut) -> Message {
    loop {
        if let Ok(Some(f)) = framer::try_parse(buf, 4096) {
            return Message::from_frame(f, &SessionContext::default())
                .0
                .expect("valid message");
        }
        let n = s.read_buf(buf).await.expect("read");
        assert!(n > 0, "connection closed");
    }
}

/// Hands the far end of each pipe to the test itself.
struct RawPipeConnector(mpsc::Sender<DuplexStream>);

impl Connector for RawPipeConnector {
    fn connect(&self) -> ConnectFuture {
        let (a, b) = tokio::io::duplex(1 << 16);
        let tx = self.0.clone();
        Box::pin(async move {
            tx.send(b).await.map_err(|_| std::io::Error::other("test gone"))?;
            Ok(Connected::plain(Box::new(a)))
        })
    }
}

/// Starts session "a" (AS 65001, hold `hold`) towards a peer the test plays by hand, and
/// completes the OPEN/KEEPALIVE exchange; returns the session, the peer's pipe and its buffer.
async fn established_with_hand_peer(hold: u16) -> (SessionHandle, DuplexStream, BytesMut) {
    let (to_test, mut far_ends) = mpsc::channel(4);
    let (_unused, incoming) = mpsc::channel(1);
    let opts = DriverOptions {
        start: true,
        restart_after: None,
    };
    let mut a = spawn_session(
        config("a", 65001, 65002, [10, 0, 0, 1], hold),
        Box::new(RawPipeConnector(to_test)),
        incoming,
        opts,
    );
    let mut peer = far_ends.recv().await.expect("the session connects");
    let mut buf = BytesMut::new();
    assert!(matches!(read_message(&mut peer, &mut buf).await, Message::Open(_)));
    let open = bgp_core::open::Open::new(65002, hold, [10, 0, 0, 2].into(), Vec::new());
    let ctx = SessionContext::default();
    for m in [Message::Open(open), Message::Keepalive] {
        peer.write_all(&m.to_bytes(&ctx).expect("encode")).await.expect("write");
    }
    assert!(matches!(read_message(&mut peer, &mut buf).await, Message::Keepalive));
    wait_for_state(&mut a, State::Established).await;
    (a, peer, buf)
}

#[tokio::test(start_paused = true)]
async fn a_silent_peer_makes_the_hold_timer_expire_with_notification_4_0() {
    let (mut a, mut peer, mut buf) = established_with_hand_peer(3).await;
    // Now the peer stays silent; its KEEPALIVEs stop. Read what the session sends.
    let notification = loop {
        match read_message(&mut peer, &mut buf).await {
            Message::Keepalive => continue,
            Message::Notification(n) => break n,
            other => panic!("unexpected {other:?}"),
        }
    };
    assert_eq!((notification.code, notification.subcode), (4, 0));
    let events = wait_for_state(&mut a, State::Idle).await;
    let last = events.iter().rev().find_map(|e| match e {
        SessionEvent::Transition(t) => Some(t.clone()),
        _ => None,
    });
    let t = last.expect("a transition to Idle");
    assert_eq!(t.from, State::Established);
    assert_eq!(t.reason, Reason::HoldTimerExpired);
    assert_eq!(t.event.number(), 10, "HoldTimer_Expires is event 10");
}

#[tokio::test(start_paused = true)]
async fn an_operator_stop_sends_cease_6_2_with_the_shutdown_message() {
    let (mut a, mut peer, mut buf) = established_with_hand_peer(90).await;
    assert!(a.control(bgp_core::speaker::Control::Stop(Cease::admin_shutdown(Some(
        "maintenance"
    )))));
    let n = loop {
        match read_message(&mut peer, &mut buf).await {
            Message::Notification(n) => break n,
            _ => continue,
        }
    };
    assert_eq!(
        (n.code, n.subcode, n.shutdown_communication()),
        (6, 2, Some("maintenance"))
    );
    let events = wait_for_state(&mut a, State::Idle).await;
    assert!(events
        .iter()
        .any(|e| matches!(e, SessionEvent::Down { delete_routes: true })));
}
