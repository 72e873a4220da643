//! Helpers for tests of the running route server (`route_server::runtime`) with real client
//! sessions over loopback TCP: client configurations, and [`Peer`], a client's BGP speaker
//! that connects to the route server, announces, and keeps what it received and what
//! happened to its session.
#![allow(dead_code)]

use bgp_core::attr::{AsPath, AttrValue, NextHop, Origin, PathAttribute};
use bgp_core::capability::AddPathMode;
use bgp_core::fsm::{Negotiated, PeerAs, Reason, SessionConfig, State};
use bgp_core::nlri::Nlri;
use bgp_core::speaker::{self, Command, DriverOptions, SessionEvent, SessionHandle, TcpConnector};
use bgp_core::{Family, Notification, SessionContext, UpdateBuilder, UpdateView};
use ipnet::IpNet;
use route_server::runtime::{self, RouteServerHandle, RuntimeOptions};
use route_server::{ClientConfig, RouteServerConfig};
use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::time::Duration;
use tokio::sync::mpsc;

/// The route server's ASN in these tests.
pub const RS_AS: u32 = 64_999;
/// The route server's BGP identifier in these tests.
pub const RS_ID: Ipv4Addr = Ipv4Addr::new(10, 255, 255, 9);
/// The longest a test waits for one expected event.
pub const WAIT: Duration = Duration::from_secs(20);

/// A client with one session per address and no limits.
pub fn client(name: &str, asn: u32, addresses: &[IpAddr]) -> ClientConfig {
    ClientConfig {
        name: name.to_owned(),
        asn,
        addresses: addresses.to_vec(),
        md5_key: None,
        max_prefixes_v4: None,
        max_prefixes_v6: None,
        add_path: false,
        restart_after_secs: None,
    }
}

/// An IPv4 loopback address `127.0.<net>.<host>`.
pub fn lo(net: u8, host: u8) -> IpAddr {
    IpAddr::V4(Ipv4Addr::new(127, 0, net, host))
}

/// A route server configuration listening on a free port of 127.0.0.1 and of ::1, with
/// `clients` and their ASNs registered.
pub fn config(clients: Vec<ClientConfig>) -> RouteServerConfig {
    let mut c = RouteServerConfig::new(RS_AS, RS_ID);
    c.listen = vec![
        "127.0.0.1:0".parse().expect("address"),
        "[::1]:0".parse().expect("address"),
    ];
    c.registered_asns = clients.iter().map(|c| c.asn).collect();
    c.registered_asns.sort_unstable();
    c.registered_asns.dedup();
    c.clients = clients;
    c
}

/// Starts the route server; it and its bound listen address of the family of the sessions
/// (IPv6 when `v6`).
pub async fn start(cfg: &RouteServerConfig, opts: RuntimeOptions, v6: bool) -> (RouteServerHandle, SocketAddr) {
    let rs = runtime::start(cfg, opts).await.expect("starts");
    let listen = rs
        .listen_addrs()
        .iter()
        .find(|(c, _)| c.is_ipv6() == v6)
        .expect("a listener of the family")
        .1;
    (rs, listen)
}

/// A prefix.
pub fn net(s: &str) -> IpNet {
    s.parse().expect("prefix")
}

/// ORIGIN, AS_PATH and, for IPv4, NEXT_HOP (the IPv6 next hop goes in MP_REACH_NLRI).
pub fn attrs(path: &[u32], next_hop: IpAddr) -> Vec<PathAttribute> {
    let mut a = vec![
        PathAttribute::new(AttrValue::Origin(Origin::Igp)),
        PathAttribute::new(AttrValue::AsPath(AsPath::sequence(path.to_vec()))),
    ];
    if let IpAddr::V4(nh) = next_hop {
        a.push(PathAttribute::new(AttrValue::NextHop(nh)));
    }
    a
}

/// `attrs` with a MULTI_EXIT_DISC.
pub fn with_med(mut a: Vec<PathAttribute>, med: u32) -> Vec<PathAttribute> {
    a.push(PathAttribute::new(AttrValue::Med(med)));
    a
}

/// One route a peer holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Held {
    /// AS_PATH ASNs.
    pub as_path: Vec<u32>,
    /// NEXT_HOP or the MP_REACH_NLRI next hop.
    pub next_hop: Option<IpAddr>,
    /// MULTI_EXIT_DISC.
    pub med: Option<u32>,
}

/// How a client's speaker is set up.
#[derive(Clone, Debug)]
pub struct PeerSpec {
    /// The client's ASN.
    pub asn: u32,
    /// The address the client connects from (its session address unless a transport says
    /// otherwise).
    pub source: IpAddr,
    /// The route server's listen address.
    pub to: SocketAddr,
    /// The client's BGP identifier.
    pub router_id: Ipv4Addr,
    /// Ask for ADD-PATH receive (both families).
    pub add_path: bool,
    /// TCP-MD5 key.
    pub md5: Option<String>,
    /// Hold time offered.
    pub hold_time: u16,
}

impl PeerSpec {
    /// A client of `asn` connecting from `source` to `to`, identifier 10.0.0.1, hold time 90.
    pub fn new(asn: u32, source: IpAddr, to: SocketAddr) -> Self {
        PeerSpec {
            asn,
            source,
            to,
            router_id: Ipv4Addr::new(10, 0, 0, 1),
            add_path: false,
            md5: None,
            hold_time: 90,
        }
    }

    /// Starts the speaker: it connects (again 1 s after any drop) until stopped.
    pub fn start(self) -> Peer {
        let mut cfg = SessionConfig::new(
            format!("client-{}", self.source).as_str(),
            self.asn,
            PeerAs::Exact(RS_AS),
            self.router_id,
        );
        cfg.connect_retry_time = 1;
        cfg.hold_time = self.hold_time;
        cfg.jitter = false;
        if self.add_path {
            cfg.add_path = vec![
                (Family::IPV4_UNICAST, AddPathMode::Receive),
                (Family::IPV6_UNICAST, AddPathMode::Receive),
            ];
        }
        let mut connector = TcpConnector::new(self.to);
        connector.local = Some(SocketAddr::new(self.source, 0));
        connector.md5.clone_from(&self.md5);
        // Shorter than the ConnectRetryTime, which would otherwise replace a hanging attempt
        // (a SYN dropped for a TCP-MD5 mismatch) before it is reported as failed.
        connector.timeout = Duration::from_millis(500);
        let (_, incoming) = mpsc::channel(1);
        let opts = DriverOptions {
            start: true,
            restart_after: Some(Duration::from_secs(1)),
        };
        Peer {
            handle: speaker::spawn_session(cfg, Box::new(connector), incoming, opts),
            spec: self,
            negotiated: None,
            ups: 0,
            routes: BTreeMap::new(),
            received: Vec::new(),
            connections_lost: 0,
            connect_failures: 0,
        }
    }
}

/// A client's running speaker and everything it saw.
#[derive(Debug)]
pub struct Peer {
    /// The session.
    pub handle: SessionHandle,
    /// How it was set up.
    pub spec: PeerSpec,
    /// The last negotiation (set at each Established).
    pub negotiated: Option<Box<Negotiated>>,
    /// How many times the session reached Established.
    pub ups: usize,
    /// What the client holds now: (prefix, path id) → route.
    pub routes: BTreeMap<(IpNet, u32), Held>,
    /// NOTIFICATIONs received from the route server.
    pub received: Vec<Notification>,
    /// Connections that opened and then failed or closed before a NOTIFICATION.
    pub connections_lost: usize,
    /// Connection attempts that failed (refused, timed out).
    pub connect_failures: usize,
}

impl Peer {
    fn absorb(&mut self, e: SessionEvent) {
        match e {
            SessionEvent::Established(n, _) => {
                self.ups += 1;
                self.negotiated = Some(n);
            }
            SessionEvent::Transition(t) => match t.reason {
                Reason::NotificationReceived(n) => self.received.push(n),
                Reason::TcpConnectionFails(_) => self.connections_lost += 1,
                _ => {}
            },
            SessionEvent::Down { .. } => self.routes.clear(),
            SessionEvent::ConnectFailed(_) => self.connect_failures += 1,
            SessionEvent::Update(u) => self.apply(&u),
            _ => {}
        }
    }

    fn apply(&mut self, u: &UpdateView) {
        for n in u.withdrawn_ipv4() {
            self.routes.remove(&(IpNet::V4(n.prefix), n.path_id.unwrap_or(0)));
        }
        if let Some(mu) = u.mp_unreach() {
            for n in mu.ipv6() {
                self.routes.remove(&(IpNet::V6(n.prefix), n.path_id.unwrap_or(0)));
            }
        }
        let mut held = Held {
            as_path: Vec::new(),
            next_hop: None,
            med: None,
        };
        for a in u.owned_attributes() {
            match a.value {
                AttrValue::AsPath(p) => held.as_path = p.asns().collect(),
                AttrValue::NextHop(nh) => held.next_hop = Some(IpAddr::V4(nh)),
                AttrValue::Med(m) => held.med = Some(m),
                AttrValue::MpReach(mp) => {
                    if let NextHop::V6 { global, .. } = mp.next_hop {
                        held.next_hop = Some(IpAddr::V6(global));
                    }
                }
                _ => {}
            }
        }
        for n in u.announced_ipv4() {
            self.routes
                .insert((IpNet::V4(n.prefix), n.path_id.unwrap_or(0)), held.clone());
        }
        if let Some(mr) = u.mp_reach() {
            for n in mr.ipv6() {
                self.routes
                    .insert((IpNet::V6(n.prefix), n.path_id.unwrap_or(0)), held.clone());
            }
        }
    }

    /// Handles events until `done` holds; panics naming `what` after [`WAIT`].
    pub async fn expect(&mut self, what: &str, mut done: impl FnMut(&Peer) -> bool) {
        let deadline = tokio::time::Instant::now() + WAIT;
        while !done(self) {
            match tokio::time::timeout_at(deadline, self.handle.events.recv()).await {
                Ok(Some(e)) => self.absorb(e),
                Ok(None) => panic!("{what}: the session task ended"),
                Err(_) => panic!(
                    "{what}: not within {WAIT:?} (ups {}, connections lost {}, connect failures {}, \
                     notifications {:?}, routes {:?})",
                    self.ups, self.connections_lost, self.connect_failures, self.received, self.routes
                ),
            }
        }
    }

    /// Waits for the session to be Established (once more than `ups_before`); the negotiation.
    pub async fn up(&mut self, ups_before: usize) -> Negotiated {
        self.expect("Established", |p| p.ups > ups_before).await;
        *self.negotiated.clone().expect("negotiated")
    }

    /// The routes held for `prefix`, by path id.
    pub fn paths(&self, prefix: &str) -> Vec<&Held> {
        let p = net(prefix);
        self.routes.range((p, 0)..=(p, u32::MAX)).map(|(_, h)| h).collect()
    }

    /// Whether the client holds a route for `prefix`.
    pub fn holds(&self, prefix: &str) -> bool {
        !self.paths(prefix).is_empty()
    }

    /// The AS_PATH of the one route held for `prefix`.
    pub fn as_path(&self, prefix: &str) -> Option<Vec<u32>> {
        self.paths(prefix).first().map(|h| h.as_path.clone())
    }

    /// Announces `prefixes` (one family) with `attrs`; an IPv6 announcement gets `next_hop`
    /// in MP_REACH_NLRI.
    pub async fn announce(&self, attrs: &[PathAttribute], next_hop: IpAddr, prefixes: &[&str]) {
        let ctx = self.negotiated.as_ref().map_or_else(SessionContext::default, |n| n.tx);
        let mut out = Vec::new();
        let mut b = UpdateBuilder::new(ctx);
        let nets: Vec<IpNet> = prefixes.iter().map(|p| net(p)).collect();
        let built = match next_hop {
            IpAddr::V4(_) => b.announce_ipv4(
                attrs,
                nets.iter().filter_map(|n| match n {
                    IpNet::V4(p) => Some(Nlri::new(*p)),
                    IpNet::V6(_) => None,
                }),
                &mut out,
            ),
            IpAddr::V6(global) => b.announce_ipv6(
                attrs,
                &NextHop::V6 {
                    global,
                    link_local: None,
                },
                nets.iter().filter_map(|n| match n {
                    IpNet::V6(p) => Some(Nlri::new(*p)),
                    IpNet::V4(_) => None,
                }),
                &mut out,
            ),
        };
        built.expect("the UPDATE fits");
        assert!(self.handle.command(Command::SendUpdates(out)).await, "the session runs");
    }

    /// Stops the speaker for good.
    pub async fn stop(&self) {
        let _ = self.handle.command(Command::Shutdown).await;
    }
}

/// The IPv6 documentation address `2001:db8::<host>`, a session label for clients that
/// really connect from `::1`.
pub fn doc6(host: u16) -> IpAddr {
    IpAddr::V6(Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, host))
}

/// Whether a session view's `state` is Established.
pub fn established(state: &str) -> bool {
    state == State::Established.to_string()
}

/// A fresh, empty directory under cargo's scratch directory for integration tests.
pub fn scratch(tag: &str) -> std::path::PathBuf {
    static SEQ: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let n = SEQ.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("{tag}-{}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch directory");
    dir
}

/// Asks `f` every 20 ms until it answers; panics naming `what` after [`WAIT`].
pub async fn eventually<T, F: std::future::Future<Output = Option<T>>>(what: &str, mut f: impl FnMut() -> F) -> T {
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        if let Some(v) = f().await {
            return v;
        }
        assert!(tokio::time::Instant::now() < deadline, "{what}: not within {WAIT:?}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}
