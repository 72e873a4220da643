//! The speaker over real loopback TCP, for the faults an in-memory pipe cannot show: a peer
//! that resets the connection, and a peer that stops reading while we have much to send.
//! Every wait is bounded; nothing asserts how long anything took.

use bgp_core::fsm::{Cease, PeerAs, Reason, SessionConfig, State, TcpFailure, Transition};
use bgp_core::message::Message;
use bgp_core::nlri::Nlri;
use bgp_core::open::Open;
use bgp_core::speaker::{
    spawn_session, Command, Control, DriverOptions, Listener, NoConnector, Protection, SessionEvent, SessionHandle,
    TcpConnector,
};
use bgp_core::{framer, SessionContext, UpdateBuilder};
use bytes::{Bytes, BytesMut};
use ipnet::Ipv4Net;
use std::io::ErrorKind;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};
use tokio::sync::mpsc;
use tokio::time::timeout;

const RS_AS: u32 = 64_999;
/// Upper bound of every wait: reached only when the behaviour under test is broken.
const WAIT: Duration = Duration::from_secs(60);

fn passive_config(name: &str, peer_as: u32, hold: u16) -> SessionConfig {
    let mut c = SessionConfig::new(name, RS_AS, PeerAs::Exact(peer_as), Ipv4Addr::new(10, 255, 0, 1));
    c.passive = true;
    c.hold_time = hold;
    c
}

/// A listener on 127.0.0.1, any port.
async fn loopback_listener() -> Listener {
    Listener::bind("127.0.0.1:0".parse().expect("addr"))
        .await
        .expect("bind")
}

/// A passive session for connections from `peer` on `listener`, never restarting.
fn passive_session(listener: &Listener, peer: Ipv4Addr, config: SessionConfig) -> SessionHandle {
    let incoming = listener.register(IpAddr::V4(peer), None).expect("register");
    let opts = DriverOptions {
        start: true,
        restart_after: None,
    };
    spawn_session(config, Box::new(NoConnector), incoming, opts)
}

/// Reads the session's events until `f` picks one (bounded by [`WAIT`]).
async fn until<T>(h: &mut SessionHandle, what: &str, mut f: impl FnMut(&SessionEvent) -> Option<T>) -> T {
    timeout(WAIT, async {
        loop {
            let e = h.events.recv().await.expect("the session runs");
            if let Some(v) = f(&e) {
                return v;
            }
        }
    })
    .await
    .unwrap_or_else(|_| panic!("no {what} within {WAIT:?}"))
}

/// Waits for Established; returns what was set on the connection's socket.
async fn established(h: &mut SessionHandle) -> Protection {
    until(h, "Established", |e| match e {
        SessionEvent::Established(_, p) => Some(*p),
        _ => None,
    })
    .await
}

/// The next transition out of Established.
async fn left_established(h: &mut SessionHandle) -> Transition {
    until(h, "transition out of Established", |e| match e {
        SessionEvent::Transition(t) if t.from == State::Established => Some(t.clone()),
        _ => None,
    })
    .await
}

/// A hand-played peer: connects from `source` (with a receive buffer of `rcvbuf` octets when
/// given), exchanges OPEN and KEEPALIVE, and returns once the session's KEEPALIVE arrived.
async fn raw_peer(source: Ipv4Addr, to: SocketAddr, asn: u32, hold: u16, rcvbuf: Option<u32>) -> TcpStream {
    let socket = TcpSocket::new_v4().expect("socket");
    if let Some(size) = rcvbuf {
        socket.set_recv_buffer_size(size).expect("SO_RCVBUF");
    }
    socket.bind(SocketAddr::new(IpAddr::V4(source), 0)).expect("bind");
    let mut s = socket.connect(to).await.expect("connect");
    let ctx = SessionContext::default();
    let open = Open::new(asn, hold, source, Vec::new());
    for m in [Message::Open(open), Message::Keepalive] {
        s.write_all(&m.to_bytes(&ctx).expect("encode")).await.expect("write");
    }
    let mut buf = BytesMut::new();
    let mut got_open = false;
    timeout(WAIT, async {
        loop {
            while let Some(f) = framer::try_parse(&mut buf, 4096).expect("sound frames") {
                match Message::from_frame(f, &ctx).0 {
                    Some(Message::Open(_)) => got_open = true,
                    Some(Message::Keepalive) if got_open => return,
                    other => panic!("unexpected {other:?}"),
                }
            }
            assert!(s.read_buf(&mut buf).await.expect("read") > 0, "closed in the handshake");
        }
    })
    .await
    .expect("handshake in time");
    s
}

/// Full-size UPDATEs withdrawing `count` /24s from 10.0.0.0.
fn withdrawals(count: u32) -> Vec<Bytes> {
    let prefixes = (0..count).map(|i| {
        let net = Ipv4Net::new(Ipv4Addr::from(0x0a00_0000 + (i << 8)), 24).expect("prefix");
        Nlri::new(net)
    });
    let mut out = Vec::new();
    UpdateBuilder::new(SessionContext::default()).withdraw_ipv4(prefixes, &mut out);
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_peer_reset_is_recorded_as_a_tcp_read_error_with_its_kind() {
    let listener = loopback_listener().await;
    let peer = Ipv4Addr::new(127, 0, 4, 1);
    let mut session = passive_session(&listener, peer, passive_config("reset", 65_001, 90));
    let stream = raw_peer(peer, listener.local_addr(), 65_001, 90, None).await;
    established(&mut session).await;
    // SO_LINGER 0, then close: the kernel sends RST instead of FIN.
    stream.set_zero_linger().expect("SO_LINGER 0");
    drop(stream);
    let t = left_established(&mut session).await;
    assert_eq!(t.to, State::Idle);
    assert_eq!(t.event.number(), 18, "TcpConnectionFails");
    assert_eq!(
        t.reason,
        Reason::TcpConnectionFails(TcpFailure::Read(ErrorKind::ConnectionReset))
    );
    assert_eq!(t.reason.to_string(), "tcp-read-error (connection reset)");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_peer_that_stops_reading_is_dropped_by_the_send_hold_timer_and_its_neighbour_is_untouched() {
    // Hold time 6 s (KEEPALIVEs every 2 s), SendHoldTime 8 s (RFC 9687 §4.4: above the hold
    // time; the default, 8 minutes, is too long for a test).
    const HOLD: u16 = 6;
    let config = |name: &str, peer_as: u32| {
        let mut c = passive_config(name, peer_as, HOLD);
        c.send_hold_time = Some(8);
        c.validate().expect("valid");
        c
    };
    let listener = loopback_listener().await;
    let stuck_ip = Ipv4Addr::new(127, 0, 5, 1);
    let healthy_ip = Ipv4Addr::new(127, 0, 5, 2);
    let mut stuck = passive_session(&listener, stuck_ip, config("stuck", 65_001));
    let mut healthy = passive_session(&listener, healthy_ip, config("healthy", 65_002));

    // The healthy neighbour: a speaker that reads everything.
    let mut cfg = SessionConfig::new("neighbour", 65_002, PeerAs::Exact(RS_AS), healthy_ip);
    cfg.hold_time = HOLD;
    cfg.connect_retry_time = 1;
    let mut connector = TcpConnector::new(listener.local_addr());
    connector.local = Some(SocketAddr::new(IpAddr::V4(healthy_ip), 0));
    let (_no_incoming, incoming) = mpsc::channel(1);
    let opts = DriverOptions {
        start: true,
        restart_after: None,
    };
    let mut neighbour = spawn_session(cfg, Box::new(connector), incoming, opts);
    established(&mut healthy).await;
    established(&mut neighbour).await;

    // The stuck peer: a 4 KB receive buffer, KEEPALIVEs every second, and it never reads.
    let stream = raw_peer(stuck_ip, listener.local_addr(), 65_001, HOLD, Some(4096)).await;
    established(&mut stuck).await;
    let (unread, mut write) = stream.into_split();
    let keepalives = tokio::spawn(async move {
        let ka = Message::Keepalive.to_bytes(&SessionContext::default()).expect("encode");
        for _ in 0..120 {
            if write.write_all(&ka).await.is_err() {
                return;
            }
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    });

    // Export to the stuck peer until its session goes: far more than socket buffers hold.
    let batch = withdrawals(16 * 1000);
    let down = Arc::new(AtomicBool::new(false));
    let pump = {
        let commands = stuck.commands.clone();
        let down = down.clone();
        let batch = batch.clone();
        tokio::spawn(async move {
            for _ in 0..1000 {
                if down.load(Ordering::Relaxed) || commands.send(Command::SendUpdates(batch.clone())).await.is_err() {
                    return;
                }
            }
        })
    };

    let mut notified = None;
    let t = until(&mut stuck, "the stuck session to leave Established", |e| match e {
        SessionEvent::NotificationSent(n) => {
            notified = Some((n.code, n.subcode));
            None
        }
        SessionEvent::Transition(t) if t.from == State::Established => Some(t.clone()),
        _ => None,
    })
    .await;
    down.store(true, Ordering::Relaxed);
    // Its KEEPALIVEs were read while writes were blocked, so it is not the HoldTimer.
    assert_eq!(t.reason, Reason::SendHoldTimerExpired, "{t}");
    assert_eq!(t.reason.to_string(), "send-hold-timer-expired");
    assert_eq!(t.event.number(), 29);
    assert_eq!(t.to, State::Idle);
    assert_eq!(notified, Some((8, 0)), "NOTIFICATION 8 queued before the close");

    // The neighbour on the same listener is still Established and still receives.
    healthy
        .commands
        .send(Command::SendUpdates(withdrawals(10)))
        .await
        .expect("healthy session runs");
    until(&mut neighbour, "the UPDATE at the healthy neighbour", |e| match e {
        SessionEvent::Update(_) => Some(()),
        SessionEvent::Transition(t) => panic!("the healthy neighbour changed state: {t}"),
        _ => None,
    })
    .await;
    while let Ok(e) = healthy.events.try_recv() {
        assert!(
            !matches!(&e, SessionEvent::Transition(t) if t.from == State::Established),
            "the healthy session left Established: {e:?}"
        );
    }
    pump.abort();
    keepalives.abort();
    drop(unread);
}

/// An active session from `source` to `listener` with `md5` as its key, never restarting.
fn active_session(source: Ipv4Addr, asn: u32, to: SocketAddr, md5: Option<&str>) -> SessionHandle {
    let mut cfg = SessionConfig::new("active", asn, PeerAs::Exact(RS_AS), source);
    cfg.connect_retry_time = 1;
    let mut connector = TcpConnector::new(to);
    connector.local = Some(SocketAddr::new(IpAddr::V4(source), 0));
    connector.md5 = md5.map(str::to_owned);
    let (_no_incoming, incoming) = mpsc::channel(1);
    let opts = DriverOptions {
        start: true,
        restart_after: None,
    };
    spawn_session(cfg, Box::new(connector), incoming, opts)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn established_reports_whether_tcp_md5_was_set_on_the_connection_socket() {
    let listener = loopback_listener().await;
    let to = listener.local_addr();

    // Both ends install the key: both report a signed connection.
    let signed = Ipv4Addr::new(127, 0, 6, 1);
    let incoming = listener
        .register(IpAddr::V4(signed), Some("lab-secret"))
        .expect("register");
    let opts = DriverOptions {
        start: true,
        restart_after: None,
    };
    let mut passive = spawn_session(
        passive_config("signed", 65_001, 90),
        Box::new(NoConnector),
        incoming,
        opts,
    );
    let mut active = active_session(signed, 65_001, to, Some("lab-secret"));
    assert!(established(&mut active).await.md5, "the active end set TCP_MD5SIG");
    assert!(
        established(&mut passive).await.md5,
        "the listening socket holds the peer's key"
    );

    // No key: nothing set, the same session reports it.
    let plain = Ipv4Addr::new(127, 0, 6, 2);
    let mut passive = passive_session(&listener, plain, passive_config("plain", 65_002, 90));
    let mut active = active_session(plain, 65_002, to, None);
    assert!(!established(&mut active).await.md5);
    assert!(!established(&mut passive).await.md5);

    // A key the kernel refuses (longer than 80 octets): the socket option is not set, so no
    // connection is made and nothing reaches Established claiming to be signed.
    let refused = Ipv4Addr::new(127, 0, 6, 3);
    let _passive = passive_session(&listener, refused, passive_config("refused", 65_003, 90));
    let mut active = active_session(refused, 65_003, to, Some(&"k".repeat(81)));
    let failure = until(&mut active, "a failed connection attempt", |e| match e {
        SessionEvent::ConnectFailed(why) => Some(why.clone()),
        SessionEvent::Established(..) => panic!("Established although the key was not set"),
        _ => None,
    })
    .await;
    assert!(failure.contains("TCP-MD5"), "{failure}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stop_reaches_a_session_whose_peer_stopped_reading_and_whose_command_queue_is_full() {
    // Hold time and SendHoldTime long enough that only the Stop can end the session within
    // the bounded wait.
    let mut config = passive_config("stuck", 65_001, 240);
    config.send_hold_time = Some(480);
    config.validate().expect("valid");
    let listener = loopback_listener().await;
    let stuck_ip = Ipv4Addr::new(127, 0, 7, 1);
    let mut stuck = passive_session(&listener, stuck_ip, config);
    // A 4 KB receive buffer, and it never reads.
    let stream = raw_peer(stuck_ip, listener.local_addr(), 65_001, 240, Some(4096)).await;
    established(&mut stuck).await;

    // UPDATE batches until the command queue is full: the outbox is over its high-water
    // mark, so the session takes no more commands.
    let batch = withdrawals(16 * 1000);
    let mut queued = 0;
    let full = timeout(WAIT, async {
        loop {
            match stuck.commands.try_send(Command::SendUpdates(batch.clone())) {
                Ok(()) => queued += 1,
                Err(mpsc::error::TrySendError::Full(_)) => return,
                Err(e) => panic!("the session ended: {e}"),
            }
            tokio::task::yield_now().await;
        }
    })
    .await;
    assert!(full.is_ok(), "the command queue never filled ({queued} batches queued)");
    // Still full: the Stop cannot go behind the batches.
    assert!(matches!(
        stuck.commands.try_send(Command::SendUpdates(Vec::new())),
        Err(mpsc::error::TrySendError::Full(_))
    ));

    assert!(stuck.control(Control::Stop(Cease::admin_shutdown(Some("maintenance")))));
    let t = left_established(&mut stuck).await;
    assert_eq!(t.to, State::Idle);
    assert!(matches!(t.reason, Reason::AdminDown { .. }), "{t}");
    drop(stream);
}
