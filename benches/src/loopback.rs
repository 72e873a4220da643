//! Sessions over real loopback TCP for the speaker benches: a peerlab session on one end and
//! either a hand-driven raw peer or another peerlab session on the other.

use bgp_core::fsm::{PeerAs, SessionConfig, State};
use bgp_core::message::Message;
use bgp_core::open::Open;
use bgp_core::speaker::{self, DriverOptions, Listener, NoConnector, SessionEvent, SessionHandle, TcpConnector};
use bgp_core::{framer, SessionContext};
use bytes::BytesMut;
use std::net::{IpAddr, SocketAddr};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// A passive peerlab session on `listener` for `peer`, hold time `hold`.
pub fn passive_session(
    listener: &Listener,
    peer: IpAddr,
    local_as: u32,
    peer_as: u32,
    hold: u16,
) -> std::io::Result<SessionHandle> {
    let rx = listener.register(peer, None)?;
    let mut cfg = SessionConfig::new(
        format!("passive-{peer}").as_str(),
        local_as,
        PeerAs::Exact(peer_as),
        [10, 0, 0, 1].into(),
    );
    cfg.passive = true;
    cfg.hold_time = hold;
    Ok(speaker::spawn_session(
        cfg,
        Box::new(NoConnector),
        rx,
        DriverOptions {
            start: true,
            restart_after: None,
        },
    ))
}

/// An active peerlab session from `local` to `remote`.
pub fn active_session(
    local: IpAddr,
    remote: SocketAddr,
    local_as: u32,
    peer_as: u32,
    hold: u16,
    id: [u8; 4],
) -> SessionHandle {
    let mut cfg = SessionConfig::new(
        format!("active-{local}").as_str(),
        local_as,
        PeerAs::Exact(peer_as),
        id.into(),
    );
    cfg.hold_time = hold;
    cfg.connect_retry_time = 1;
    let mut c = TcpConnector::new(remote);
    c.local = Some(SocketAddr::new(local, 0));
    let (_, rx) = tokio::sync::mpsc::channel(1);
    speaker::spawn_session(
        cfg,
        Box::new(c),
        rx,
        DriverOptions {
            start: true,
            restart_after: None,
        },
    )
}

/// Waits until the session reports Established.
pub async fn established(h: &mut SessionHandle) -> bool {
    while let Some(e) = h.events.recv().await {
        if let SessionEvent::Transition(t) = e {
            if t.to == State::Established {
                return true;
            }
        }
    }
    false
}

/// A raw peer: connects from `local` to `remote`, answers the OPEN and is Established as soon
/// as the session's KEEPALIVE arrives. Returns the stream to blast messages on.
pub async fn raw_peer(local: IpAddr, remote: SocketAddr, asn: u32) -> std::io::Result<TcpStream> {
    let socket = tokio::net::TcpSocket::new_v4()?;
    socket.bind(SocketAddr::new(local, 0))?;
    let mut s = socket.connect(remote).await?;
    s.set_nodelay(true)?;
    let ctx = SessionContext::default();
    let mut buf = BytesMut::new();
    let mut got_open = false;
    loop {
        while let Ok(Some(f)) = framer::try_parse(&mut buf, 4096) {
            match Message::from_frame(f, &ctx).0 {
                Some(Message::Open(_)) => {
                    got_open = true;
                    let open = Open::new(asn, 90, [10, 0, 0, 2].into(), Vec::new());
                    for m in [Message::Open(open), Message::Keepalive] {
                        s.write_all(&m.to_bytes(&ctx).map_err(std::io::Error::other)?).await?;
                    }
                }
                Some(Message::Keepalive) if got_open => return Ok(s),
                _ => {}
            }
        }
        if s.read_buf(&mut buf).await? == 0 {
            return Err(std::io::Error::other("session closed during the handshake"));
        }
    }
}
