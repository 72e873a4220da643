//! Shared helpers: build UPDATEs with the codec's builder, run a route server with a few
//! clients, and decode what it sends into per-client views.
#![allow(dead_code)]

use bgp_core::attr::{AsPath, AttrValue, Community, LargeCommunity, NextHop, Origin, PathAttribute};
use bgp_core::nlri::Nlri;
use bgp_core::{SessionContext, UpdateBuilder, UpdateView};
use bytes::Bytes;
use ipnet::{IpNet, Ipv4Net, Ipv6Net};
use route_server::{RouteServer, RouteServerConfig, SessionConfig, SessionId};
use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// The route server's ASN in the tests.
pub const RS: u32 = 5000;

/// Route attributes for an IPv4 announcement.
pub fn attrs(path: &[u32], next_hop: Ipv4Addr) -> Vec<PathAttribute> {
    vec![
        PathAttribute::new(AttrValue::Origin(Origin::Igp)),
        PathAttribute::new(AttrValue::AsPath(AsPath::sequence(path.to_vec()))),
        PathAttribute::new(AttrValue::NextHop(next_hop)),
    ]
}

/// Route attributes for an IPv6 announcement (the next hop goes in MP_REACH_NLRI).
pub fn attrs6(path: &[u32]) -> Vec<PathAttribute> {
    vec![
        PathAttribute::new(AttrValue::Origin(Origin::Igp)),
        PathAttribute::new(AttrValue::AsPath(AsPath::sequence(path.to_vec()))),
    ]
}

/// Adds standard communities.
pub fn with_communities(mut a: Vec<PathAttribute>, cs: &[Community]) -> Vec<PathAttribute> {
    a.push(PathAttribute::new(AttrValue::Communities(cs.to_vec())));
    a
}

/// Adds large communities.
pub fn with_large(mut a: Vec<PathAttribute>, ls: &[LargeCommunity]) -> Vec<PathAttribute> {
    a.push(PathAttribute::new(AttrValue::LargeCommunities(ls.to_vec())));
    a
}

/// Adds a MED.
pub fn with_med(mut a: Vec<PathAttribute>, med: u32) -> Vec<PathAttribute> {
    a.push(PathAttribute::new(AttrValue::Med(med)));
    a
}

pub fn v4(s: &str) -> Ipv4Net {
    s.parse().expect("IPv4 prefix")
}

pub fn v6(s: &str) -> Ipv6Net {
    s.parse().expect("IPv6 prefix")
}

pub fn net(s: &str) -> IpNet {
    s.parse().expect("prefix")
}

fn parse_one(msgs: Vec<Bytes>, ctx: &SessionContext) -> UpdateView {
    assert_eq!(msgs.len(), 1, "test UPDATEs fit in one message");
    UpdateView::parse(msgs.into_iter().next().expect("one message"), ctx).expect("valid UPDATE")
}

/// An UPDATE announcing IPv4 prefixes.
pub fn announce(a: &[PathAttribute], prefixes: &[&str]) -> UpdateView {
    announce_ctx(a, prefixes, &SessionContext::default(), None)
}

/// An UPDATE announcing IPv4 prefixes under `ctx`, with ADD-PATH ids when given.
pub fn announce_ctx(a: &[PathAttribute], prefixes: &[&str], ctx: &SessionContext, path_id: Option<u32>) -> UpdateView {
    let mut out = Vec::new();
    UpdateBuilder::new(*ctx)
        .announce_ipv4(a, prefixes.iter().map(|p| Nlri { path_id, prefix: v4(p) }), &mut out)
        .expect("fits");
    parse_one(out, ctx)
}

/// An UPDATE withdrawing IPv4 prefixes.
pub fn withdraw(prefixes: &[&str]) -> UpdateView {
    let mut out = Vec::new();
    let ctx = SessionContext::default();
    UpdateBuilder::new(ctx).withdraw_ipv4(prefixes.iter().map(|p| Nlri::new(v4(p))), &mut out);
    parse_one(out, &ctx)
}

/// An UPDATE announcing IPv6 prefixes with next hop `nh`.
pub fn announce6(a: &[PathAttribute], nh: Ipv6Addr, prefixes: &[&str]) -> UpdateView {
    let mut out = Vec::new();
    let ctx = SessionContext::default();
    UpdateBuilder::new(ctx)
        .announce_ipv6(
            a,
            &NextHop::V6 {
                global: nh,
                link_local: None,
            },
            prefixes.iter().map(|p| Nlri::new(v6(p))),
            &mut out,
        )
        .expect("fits");
    parse_one(out, &ctx)
}

/// What a client holds: (prefix, path id) → attributes (MP attributes left out; the IPv6
/// next hop is kept as a NEXT_HOP-like entry in `next_hops`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct View {
    pub routes: BTreeMap<(IpNet, u32), Vec<PathAttribute>>,
    pub next_hops: BTreeMap<(IpNet, u32), IpAddr>,
    pub end_of_rib: usize,
}

impl View {
    /// Applies UPDATEs sent under `ctx`.
    pub fn apply(&mut self, msgs: &[Bytes], ctx: &SessionContext) {
        for m in msgs {
            let view = UpdateView::parse(m.clone(), ctx).expect("the route server sends valid UPDATEs");
            assert!(
                view.error().is_none(),
                "no RFC 7606 error in output: {:?}",
                view.error()
            );
            if view.end_of_rib().is_some() {
                self.end_of_rib += 1;
                continue;
            }
            for n in view.withdrawn_ipv4() {
                let k = (IpNet::V4(n.prefix), n.path_id.unwrap_or(0));
                assert!(
                    self.routes.remove(&k).is_some(),
                    "withdrawal of {k:?}, which was not announced"
                );
            }
            if let Some(mu) = view.mp_unreach() {
                for n in mu.ipv6() {
                    let k = (IpNet::V6(n.prefix), n.path_id.unwrap_or(0));
                    assert!(
                        self.routes.remove(&k).is_some(),
                        "withdrawal of {k:?}, which was not announced"
                    );
                }
            }
            let attrs: Vec<PathAttribute> = view
                .owned_attributes()
                .into_iter()
                .filter(|a| !matches!(a.value, AttrValue::MpReach(_) | AttrValue::MpUnreach(_)))
                .collect();
            for n in view.announced_ipv4() {
                self.routes
                    .insert((IpNet::V4(n.prefix), n.path_id.unwrap_or(0)), attrs.clone());
            }
            if let Some(mr) = view.mp_reach() {
                let nh = match NextHop::from_bytes(&Bytes::copy_from_slice(mr.next_hop)) {
                    NextHop::V6 { global, .. } => IpAddr::V6(global),
                    NextHop::V4(a) => IpAddr::V4(a),
                    NextHop::Other(_) => panic!("unexpected next hop"),
                };
                for n in mr.ipv6() {
                    let k = (IpNet::V6(n.prefix), n.path_id.unwrap_or(0));
                    self.routes.insert(k, attrs.clone());
                    self.next_hops.insert(k, nh);
                }
            }
        }
    }

    /// The prefixes held (any path id).
    pub fn prefixes(&self) -> Vec<IpNet> {
        let mut v: Vec<IpNet> = self.routes.keys().map(|(p, _)| *p).collect();
        v.dedup();
        v
    }

    /// The AS path of the route for `prefix` with path id 0.
    pub fn as_path(&self, prefix: &str) -> Option<Vec<u32>> {
        self.routes.get(&(net(prefix), 0)).and_then(|a| {
            a.iter().find_map(|a| match &a.value {
                AttrValue::AsPath(p) => Some(p.asns().collect()),
                _ => None,
            })
        })
    }
}

/// A route server with clients, each with one session, and what each client received.
pub struct Lab {
    pub rs: RouteServer,
    pub ids: Vec<SessionId>,
    pub views: Vec<View>,
    pub ctxs: Vec<SessionContext>,
}

/// The IPv4 session address of client `i` (0-based).
pub fn addr(i: usize) -> Ipv4Addr {
    Ipv4Addr::new(192, 0, 2, 1 + i as u8)
}

/// The ASN of client `i`: 1100, 1200, … (public ASNs that fit in 16 bits).
pub fn asn(i: usize) -> u32 {
    1100 + i as u32 * 100
}

impl Lab {
    /// `n` IPv4 clients (ASNs from [`asn`], addresses from [`addr`]), all up, with `cfg`.
    pub fn new(n: usize, cfg: RouteServerConfig) -> Lab {
        Lab::with_sessions(
            cfg,
            (0..n)
                .map(|i| SessionConfig::new(&format!("c{i}"), asn(i), IpAddr::V4(addr(i))))
                .collect(),
        )
    }

    /// Clients from explicit session configurations, all up with the default context (with
    /// ADD-PATH when the session asks for it).
    pub fn with_sessions(cfg: RouteServerConfig, sessions: Vec<SessionConfig>) -> Lab {
        let mut rs = RouteServer::new(&cfg);
        let mut ids = Vec::new();
        let mut ctxs = Vec::new();
        for s in sessions {
            let mut ctx = SessionContext::default();
            if s.add_path {
                ctx.add_path_ipv4 = true;
                ctx.add_path_ipv6 = true;
            }
            let id = rs.add_session(s).expect("session added");
            rs.session_up(id, ctx).expect("up");
            ids.push(id);
            ctxs.push(ctx);
        }
        let views = vec![View::default(); ids.len()];
        let mut lab = Lab { rs, ids, views, ctxs };
        lab.sync();
        lab
    }

    /// The default configuration: route server ASN [`RS`], every test ASN registered.
    pub fn config() -> RouteServerConfig {
        let mut cfg = RouteServerConfig::new(RS, Ipv4Addr::new(192, 0, 2, 254));
        cfg.registered_asns = (0..8).map(asn).chain([13335, 15169, 3333]).collect();
        cfg
    }

    /// Client `i` sends `update`.
    pub fn send(&mut self, i: usize, update: &UpdateView) -> route_server::IngestOutcome {
        let out = self.rs.ingest(self.ids[i], update).expect("ingest");
        self.sync();
        out
    }

    /// Drains every up client's output into its view.
    pub fn sync(&mut self) {
        for (i, id) in self.ids.iter().enumerate() {
            if self.rs.session_state(*id).expect("session") != route_server::SessionState::Up {
                continue;
            }
            for _ in 0..10_000 {
                if !self.rs.has_output(*id) {
                    break;
                }
                let msgs = self.rs.poll_output(*id, 64 * 1024).expect("output");
                self.views[i].apply(&msgs, &self.ctxs[i]);
            }
            assert!(!self.rs.has_output(*id), "polling drains a session's output");
        }
    }
}

/// Per prefix, the paths a client holds (attributes as text, sorted), path ids left out
/// (ADD-PATH ids depend on the order of output).
pub fn paths_by_prefix(view: &View) -> BTreeMap<IpNet, Vec<String>> {
    let mut out: BTreeMap<IpNet, Vec<String>> = BTreeMap::new();
    for ((p, _), a) in &view.routes {
        out.entry(*p).or_default().push(format!("{a:?}"));
    }
    out.values_mut().for_each(|v| v.sort());
    out
}
