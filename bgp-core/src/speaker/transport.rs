//! How a session gets its byte streams: a [`Connector`] opens outgoing connections, and
//! accepted ones arrive through a channel. TCP is the real transport ([`TcpConnector`]);
//! tests use in-memory pipes so timers can run on tokio's paused clock.

use super::sockopt;
use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpSocket;

/// A bidirectional byte stream a session can run over.
pub trait Stream: AsyncRead + AsyncWrite + Unpin + Send + 'static {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send + 'static> Stream for T {}

/// A boxed [`Stream`].
pub type BoxStream = Box<dyn Stream>;

/// What was actually set on a connection's socket (not what was configured).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Protection {
    /// The TCP-MD5 key (RFC 2385) was installed for the peer with `TCP_MD5SIG`, so every
    /// segment of the connection is signed.
    pub md5: bool,
}

/// A connection as opened or accepted: the stream and its [`Protection`].
pub struct Connected {
    /// The byte stream.
    pub stream: BoxStream,
    /// What was set on its socket.
    pub protection: Protection,
}

impl Connected {
    /// A stream nothing was set on (pipes, plain TCP).
    pub fn plain(stream: BoxStream) -> Self {
        Connected {
            stream,
            protection: Protection::default(),
        }
    }
}

impl std::fmt::Debug for Connected {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Connected")
            .field("protection", &self.protection)
            .finish_non_exhaustive()
    }
}

/// A future that yields a connected stream.
pub type ConnectFuture = Pin<Box<dyn Future<Output = io::Result<Connected>> + Send>>;

/// Opens the session's outgoing connections.
pub trait Connector: Send + Sync + 'static {
    /// Starts one connection attempt.
    fn connect(&self) -> ConnectFuture;
}

/// TCP to the peer, from an optional local address, with optional TCP-MD5 and GTSM.
#[derive(Clone, Debug)]
pub struct TcpConnector {
    /// The peer's address and port.
    pub peer: SocketAddr,
    /// The local address (and port, usually 0) to bind before connecting.
    pub local: Option<SocketAddr>,
    /// TCP-MD5 key (RFC 2385).
    pub md5: Option<String>,
    /// GTSM (RFC 5082): the number of hops allowed (1 for directly connected peers).
    pub gtsm_hops: Option<u8>,
    /// How long one attempt may take.
    pub timeout: Duration,
}

impl TcpConnector {
    /// A connector to `peer` with a 5-second attempt timeout.
    pub fn new(peer: SocketAddr) -> Self {
        TcpConnector {
            peer,
            local: None,
            md5: None,
            gtsm_hops: None,
            timeout: Duration::from_secs(5),
        }
    }

    async fn attempt(self) -> io::Result<Connected> {
        let socket = if self.peer.is_ipv4() {
            TcpSocket::new_v4()?
        } else {
            TcpSocket::new_v6()?
        };
        socket.set_nodelay(true)?;
        if let Some(local) = self.local {
            socket.bind(local)?;
        }
        let mut protection = Protection::default();
        if let Some(key) = &self.md5 {
            sockopt::set_tcp_md5(&socket, self.peer.ip(), key.as_bytes())?;
            protection.md5 = true;
        }
        if let Some(hops) = self.gtsm_hops {
            sockopt::set_gtsm(&socket, self.peer.is_ipv6(), hops)?;
        }
        let stream = tokio::time::timeout(self.timeout, socket.connect(self.peer))
            .await
            .map_err(|_| io::Error::new(io::ErrorKind::TimedOut, "TCP connection attempt timed out"))??;
        Ok(Connected {
            stream: Box::new(stream),
            protection,
        })
    }
}

impl Connector for TcpConnector {
    fn connect(&self) -> ConnectFuture {
        Box::pin(self.clone().attempt())
    }
}

/// A connector that never connects: for sessions that only accept (passive).
///
/// Its attempts never complete (rather than fail): when RFC 4271 §8.2.2 has a passive FSM
/// in Active "initiate a TCP connection" on ConnectRetryTimer_Expires, the session waits in
/// Connect, still accepting the peer's connection, instead of failing to Idle and refusing
/// connections there for a while.
#[derive(Clone, Copy, Debug, Default)]
pub struct NoConnector;

impl Connector for NoConnector {
    fn connect(&self) -> ConnectFuture {
        Box::pin(std::future::pending())
    }
}
