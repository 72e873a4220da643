//! peerlab's side of an interop test: one speaker session over real loopback TCP, active or
//! passive, with routes to announce and the routes it received.

use bgp_core::attr::{AsPath, AttrValue, Community, LargeCommunity, NextHop, Origin, PathAttribute};
use bgp_core::fsm::{Cease, Negotiated, PeerAs, SessionConfig, State, Transition};
use bgp_core::nlri::Nlri;
use bgp_core::speaker::{
    self, Command, Control, DriverOptions, Listener, NoConnector, SessionEvent, SessionHandle, TcpConnector,
};
use bgp_core::{Notification, UpdateBuilder};
use ipnet::IpNet;
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

/// How peerlab's speaker is set up for one test.
#[derive(Clone, Debug)]
pub struct PeerlabSide {
    /// peerlab's address and listening port (passive) or source address (active).
    pub local: SocketAddr,
    /// The daemon's address and port.
    pub remote: SocketAddr,
    /// peerlab's AS.
    pub local_as: u32,
    /// The AS peerlab expects the daemon to have.
    pub remote_as: u32,
    /// Wait for the daemon to connect instead of connecting.
    pub passive: bool,
    /// Hold time peerlab proposes.
    pub hold_time: u16,
    /// TCP-MD5 key.
    pub md5: Option<String>,
}

/// A running peerlab session plus everything it reported.
#[derive(Debug)]
pub struct Running {
    /// The session.
    pub handle: SessionHandle,
    /// Its listener, when passive.
    pub listener: Option<Listener>,
    /// Every transition so far.
    pub transitions: Vec<Transition>,
    /// NOTIFICATIONs peerlab sent.
    pub sent: Vec<Notification>,
    /// Connection attempts that failed.
    pub connect_failures: Vec<String>,
    /// Routes received: prefix → (AS path, MED, communities, large communities).
    pub received: Vec<(IpNet, Received)>,
    /// What the last Established negotiated (hold time, capabilities).
    pub negotiated: Option<Box<Negotiated>>,
}

/// The attributes of a received route that interop tests compare.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Received {
    /// AS_PATH ASNs.
    pub as_path: Vec<u32>,
    /// MULTI_EXIT_DISC.
    pub med: Option<u32>,
    /// COMMUNITIES.
    pub communities: Vec<Community>,
    /// LARGE_COMMUNITY.
    pub large: Vec<LargeCommunity>,
    /// NEXT_HOP, or MP_REACH_NLRI's (global) next hop.
    pub next_hop: Option<std::net::IpAddr>,
}

/// Starts peerlab's session.
pub async fn start(side: &PeerlabSide) -> std::io::Result<Running> {
    let mut cfg = SessionConfig::new(
        "peerlab",
        side.local_as,
        PeerAs::Exact(side.remote_as),
        "10.255.0.1".parse().unwrap_or(std::net::Ipv4Addr::LOCALHOST),
    );
    cfg.hold_time = side.hold_time;
    cfg.connect_retry_time = 2;
    cfg.passive = side.passive;
    cfg.jitter = false;
    let opts = DriverOptions {
        start: true,
        restart_after: Some(Duration::from_secs(1)),
    };
    let (handle, listener) = if side.passive {
        let l = Listener::bind(side.local).await?;
        let rx = l.register(side.remote.ip(), side.md5.as_deref())?;
        (speaker::spawn_session(cfg, Box::new(NoConnector), rx, opts), Some(l))
    } else {
        let mut c = TcpConnector::new(side.remote);
        c.local = Some(SocketAddr::new(side.local.ip(), 0));
        c.md5 = side.md5.clone();
        c.timeout = Duration::from_secs(2);
        // Active only: no incoming connections (the closed channel tells the driver so).
        let (_, rx) = tokio::sync::mpsc::channel(1);
        (speaker::spawn_session(cfg, Box::new(c), rx, opts), None)
    };
    Ok(Running {
        handle,
        listener,
        transitions: Vec::new(),
        sent: Vec::new(),
        connect_failures: Vec::new(),
        received: Vec::new(),
        negotiated: None,
    })
}

impl Running {
    fn absorb(&mut self, e: SessionEvent) {
        match e {
            SessionEvent::Transition(t) => self.transitions.push(t),
            SessionEvent::NotificationSent(n) => self.sent.push(n),
            SessionEvent::ConnectFailed(s) => self.connect_failures.push(s),
            SessionEvent::Established(n, _) => self.negotiated = Some(n),
            SessionEvent::Update(v) => {
                let mut r = Received::default();
                for a in v.owned_attributes() {
                    match a.value {
                        AttrValue::AsPath(p) => r.as_path = p.asns().collect(),
                        AttrValue::Med(m) => r.med = Some(m),
                        AttrValue::Communities(c) => r.communities = c,
                        AttrValue::LargeCommunities(c) => r.large = c,
                        AttrValue::NextHop(a) => r.next_hop = Some(a.into()),
                        AttrValue::MpReach(m) => match m.next_hop {
                            bgp_core::attr::NextHop::V4(a) => r.next_hop = Some(a.into()),
                            bgp_core::attr::NextHop::V6 { global, .. } => r.next_hop = Some(global.into()),
                            bgp_core::attr::NextHop::Other(_) => {}
                        },
                        _ => {}
                    }
                }
                for n in v.announced_ipv4() {
                    self.received.push((IpNet::V4(n.prefix), r.clone()));
                }
                if let Some(mp) = v.mp_reach() {
                    for n in mp.ipv4() {
                        self.received.push((IpNet::V4(n.prefix), r.clone()));
                    }
                    for n in mp.ipv6() {
                        self.received.push((IpNet::V6(n.prefix), r.clone()));
                    }
                }
            }
            _ => {}
        }
    }

    /// Processes events until `done` holds or `timeout` passes; returns whether it held.
    pub async fn wait_until(&mut self, timeout: Duration, mut done: impl FnMut(&Running) -> bool) -> bool {
        let deadline = tokio::time::Instant::now() + timeout;
        while !done(self) {
            match tokio::time::timeout_at(deadline, self.handle.events.recv()).await {
                Ok(Some(e)) => self.absorb(e),
                Ok(None) | Err(_) => return done(self),
            }
        }
        true
    }

    /// Whether the session is Established now.
    pub fn established(&self) -> bool {
        self.transitions.last().is_some_and(|t| t.to == State::Established)
    }

    /// Announces `prefix` with the interop test's attributes: AS_PATH [local AS], `next_hop`
    /// (a label: GoBGP refuses loopback next hops, and no traffic is ever sent to it), MED,
    /// one community and one large community.
    pub async fn announce(
        &self,
        side: &PeerlabSide,
        prefix: IpNet,
        next_hop: IpAddr,
        med: u32,
        community: Community,
        large: LargeCommunity,
    ) {
        let mut b = UpdateBuilder::new(bgp_core::SessionContext::default());
        let mut attrs = vec![
            PathAttribute::new(AttrValue::Origin(Origin::Igp)),
            PathAttribute::new(AttrValue::AsPath(AsPath::sequence(vec![side.local_as]))),
            PathAttribute::new(AttrValue::Med(med)),
            PathAttribute::new(AttrValue::Communities(vec![community])),
            PathAttribute::new(AttrValue::LargeCommunities(vec![large])),
        ];
        let mut out = Vec::new();
        let built = match (prefix, next_hop) {
            (IpNet::V4(p), IpAddr::V4(nh)) => {
                attrs.insert(2, PathAttribute::new(AttrValue::NextHop(nh)));
                b.announce_ipv4(&attrs, [Nlri::new(p)], &mut out)
            }
            (IpNet::V6(p), IpAddr::V6(nh)) => b.announce_ipv6(
                &attrs,
                &NextHop::V6 {
                    global: nh,
                    link_local: None,
                },
                [Nlri::new(p)],
                &mut out,
            ),
            _ => Ok(()),
        };
        assert!(built.is_ok(), "UPDATE built");
        assert!(self.handle.command(Command::SendUpdates(out)).await, "session running");
    }

    /// Stops the session with Cease 6/2 and `message`.
    pub async fn shutdown(&self, message: &str) {
        self.handle.control(Control::Stop(Cease::admin_shutdown(Some(message))));
    }
}
