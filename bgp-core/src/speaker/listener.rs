//! A shared TCP listener: accepts connections on one address and hands each to the session
//! configured for the peer's address. Connections from unknown peers are closed at once.
//! TCP-MD5 keys are installed on the listening socket per peer, as Linux requires.

use super::accept_errors::{AcceptErrors, ACCEPT_ERROR_LOG_WINDOW, ACCEPT_ERROR_PAUSE};
use super::sockopt;
use super::transport::{Connected, Protection};
use std::collections::HashMap;
use std::io;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use tokio::net::{TcpListener, TcpSocket};
use tokio::sync::mpsc;
use tracing::debug;

/// Sessions waiting for connections, by peer address, with what the listening socket has
/// installed for the peer.
type Routes = Arc<Mutex<HashMap<IpAddr, (mpsc::Sender<Connected>, Protection)>>>;

/// A listening socket and the sessions it serves.
#[derive(Debug)]
pub struct Listener {
    addr: SocketAddr,
    routes: Routes,
    socket: Arc<TcpListener>,
    task: tokio::task::JoinHandle<()>,
}

impl Listener {
    /// Binds `addr` (give a loopback address in tests and labs) and starts accepting.
    pub async fn bind(addr: SocketAddr) -> io::Result<Listener> {
        let socket = if addr.is_ipv4() {
            TcpSocket::new_v4()?
        } else {
            TcpSocket::new_v6()?
        };
        socket.set_reuseaddr(true)?;
        socket.bind(addr)?;
        let listener = Arc::new(socket.listen(1024)?);
        let addr = listener.local_addr()?;
        let routes: Routes = Arc::default();
        let errors = AcceptErrors::new(format!("BGP {addr}"), ACCEPT_ERROR_LOG_WINDOW);
        let task = tokio::spawn(accept_loop(listener.clone(), routes.clone(), errors));
        Ok(Listener {
            addr,
            routes,
            socket: listener,
            task,
        })
    }

    /// The bound address (with the real port when 0 was asked for).
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// Routes connections from `peer` to a new channel (replacing an earlier registration)
    /// and installs its TCP-MD5 key. The session reads accepted streams from the receiver.
    pub fn register(&self, peer: IpAddr, md5: Option<&str>) -> io::Result<mpsc::Receiver<Connected>> {
        let mut protection = Protection::default();
        if let Some(key) = md5 {
            sockopt::set_tcp_md5(self.socket.as_ref(), peer, key.as_bytes())?;
            protection.md5 = true;
        }
        let (tx, rx) = mpsc::channel(4);
        self.routes
            .lock()
            .map_err(|_| io::Error::other("listener lock poisoned"))?
            .insert(peer, (tx, protection));
        Ok(rx)
    }

    /// Stops routing connections from `peer` and removes its TCP-MD5 key.
    pub fn unregister(&self, peer: IpAddr) {
        if let Ok(mut r) = self.routes.lock() {
            r.remove(&peer);
        }
        let _ = sockopt::set_tcp_md5(self.socket.as_ref(), peer, b"");
    }
}

impl Drop for Listener {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn accept_loop(listener: Arc<TcpListener>, routes: Routes, mut errors: AcceptErrors) {
    loop {
        let (stream, from) = match listener.accept().await {
            Ok(x) => x,
            Err(e) => {
                errors.note(&e);
                tokio::time::sleep(ACCEPT_ERROR_PAUSE).await;
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        let target = routes.lock().ok().and_then(|r| r.get(&from.ip()).cloned());
        match target {
            Some((tx, protection)) => {
                let c = Connected {
                    stream: Box::new(stream),
                    protection,
                };
                if tx.try_send(c).is_err() {
                    debug!(%from, "session not accepting connections now; closed");
                }
            }
            None => debug!(%from, "connection from an unconfigured peer closed"),
        }
    }
}
