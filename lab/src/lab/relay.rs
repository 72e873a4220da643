//! A simulated switch port between one lab speaker and the route server: a loopback TCP
//! relay that forwards bytes both ways until told to stall. While stalled it forwards
//! nothing but keeps its connections open (the port is dead, the link is not down), and
//! closes new connections at once; when the stall ends it closes the connections it held and
//! forwards again. The `hold-timer-expiry` scenario uses it.
//!
//! TCP-MD5 is per TCP connection, so with a key the relay signs both legs: it installs the
//! key for the speaker's source address on its listening socket, and for the route server on
//! its outgoing socket.

use bgp_core::speaker::set_tcp_md5;
use std::io;
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;
use tokio::net::{TcpListener, TcpSocket, TcpStream};
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tracing::debug;

/// How long one upstream connection attempt may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// A running relay.
#[derive(Debug)]
pub struct Relay {
    addr: SocketAddr,
    stalled: watch::Sender<bool>,
    task: JoinHandle<()>,
}

/// Where a relay forwards to and how it looks to both ends.
#[derive(Debug, Clone)]
pub struct RelayConfig {
    /// The route server's socket.
    pub upstream: SocketAddr,
    /// The speaker's source address: accepted from, and used as the upstream source, so the
    /// route server sees the session's own address.
    pub source: IpAddr,
    /// TCP-MD5 key of both legs.
    pub md5: Option<String>,
}

impl Relay {
    /// Binds a loopback port of the upstream's family and starts relaying.
    pub async fn start(cfg: RelayConfig) -> io::Result<Relay> {
        let ip = if cfg.upstream.is_ipv4() {
            IpAddr::from([127, 0, 0, 1])
        } else {
            IpAddr::from(std::net::Ipv6Addr::LOCALHOST)
        };
        let socket = if ip.is_ipv4() {
            TcpSocket::new_v4()?
        } else {
            TcpSocket::new_v6()?
        };
        socket.bind(SocketAddr::new(ip, 0))?;
        if let Some(key) = &cfg.md5 {
            set_tcp_md5(&socket, cfg.source, key.as_bytes())?;
        }
        let listener = socket.listen(16)?;
        let addr = listener.local_addr()?;
        let (stalled, watch_rx) = watch::channel(false);
        let task = tokio::spawn(accept_loop(listener, cfg, watch_rx));
        Ok(Relay { addr, stalled, task })
    }

    /// The relay's own address: where the speaker connects.
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// Stops forwarding for `how_long`, then forwards again (the port heals by itself).
    pub fn stall(&self, how_long: Duration) {
        let _ = self.stalled.send(true);
        let tx = self.stalled.clone();
        tokio::spawn(async move {
            tokio::time::sleep(how_long).await;
            let _ = tx.send(false);
        });
    }

    /// Whether the relay forwards nothing now.
    pub fn is_stalled(&self) -> bool {
        *self.stalled.borrow()
    }
}

impl Drop for Relay {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn accept_loop(listener: TcpListener, cfg: RelayConfig, stalled: watch::Receiver<bool>) {
    let mut pairs: Vec<JoinHandle<()>> = Vec::new();
    loop {
        let Ok((down, from)) = listener.accept().await else {
            tokio::time::sleep(Duration::from_millis(50)).await;
            continue;
        };
        pairs.retain(|t| !t.is_finished());
        if *stalled.borrow() {
            debug!(%from, "relay stalled: connection closed");
            continue;
        }
        let cfg = cfg.clone();
        let stalled = stalled.clone();
        pairs.push(tokio::spawn(async move {
            match connect_upstream(&cfg).await {
                Ok(up) => pipe(down, up, stalled).await,
                Err(e) => debug!(error = %e, "relay cannot reach the route server"),
            }
        }));
    }
}

async fn connect_upstream(cfg: &RelayConfig) -> io::Result<TcpStream> {
    let socket = if cfg.upstream.is_ipv4() {
        TcpSocket::new_v4()?
    } else {
        TcpSocket::new_v6()?
    };
    socket.set_nodelay(true)?;
    socket.bind(SocketAddr::new(cfg.source, 0))?;
    if let Some(key) = &cfg.md5 {
        set_tcp_md5(&socket, cfg.upstream.ip(), key.as_bytes())?;
    }
    tokio::time::timeout(CONNECT_TIMEOUT, socket.connect(cfg.upstream))
        .await
        .map_err(|_| {
            io::Error::new(
                io::ErrorKind::TimedOut,
                "relay: connection to the route server timed out",
            )
        })?
}

/// Forwards both ways until either end closes, or until a stall begins: then holds both
/// connections open, silent, until the stall ends, and closes them.
async fn pipe(mut down: TcpStream, mut up: TcpStream, mut stalled: watch::Receiver<bool>) {
    let _ = down.set_nodelay(true);
    let went_silent = tokio::select! {
        biased;
        _ = stalled.wait_for(|s| *s) => true,
        _ = tokio::io::copy_bidirectional(&mut down, &mut up) => false,
    };
    if went_silent {
        let _ = stalled.wait_for(|s| !*s).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    #[tokio::test]
    async fn the_relay_forwards_both_ways_and_holds_a_stalled_connection_silent() {
        let upstream = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let relay = Relay::start(RelayConfig {
            upstream: upstream.local_addr().unwrap(),
            source: "127.0.0.1".parse().unwrap(),
            md5: None,
        })
        .await
        .unwrap();
        let mut client = TcpStream::connect(relay.local_addr()).await.unwrap();
        let (mut server, _) = upstream.accept().await.unwrap();
        client.write_all(b"open").await.unwrap();
        let mut buf = [0u8; 4];
        server.read_exact(&mut buf).await.unwrap();
        assert_eq!(&buf, b"open");
        server.write_all(b"keep").await.unwrap();
        client.read_exact(&mut buf).await.unwrap();
        assert_eq!(&buf, b"keep");

        relay.stall(Duration::from_secs(30));
        assert!(relay.is_stalled());
        tokio::task::yield_now().await;
        client.write_all(b"lost").await.unwrap();
        let got = tokio::time::timeout(Duration::from_millis(300), server.read(&mut buf)).await;
        assert!(got.is_err(), "nothing is forwarded while stalled: {got:?}");
    }
}
