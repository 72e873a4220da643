//! The load: which sessions exist, which prefixes each tester announces with which
//! attributes, and what every monitor must end up holding. Everything is derived from a
//! seed, so two runs (and two targets) get the same routes.

use bgp_core::attr::{AsPath, AttrValue, Community, NextHop, Origin, PathAttribute};
use bgp_core::nlri::Nlri;
use bgp_core::{SessionContext, UpdateBuilder};
use bytes::Bytes;
use ipnet::{IpNet, Ipv4Net, Ipv6Net};
use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// The AS of the target route server as peerlab configures it.
pub const TARGET_AS: u32 = 64_999;
/// First tester/monitor AS: client `k` has `CLIENT_AS_BASE + k`.
pub const CLIENT_AS_BASE: u32 = 4_200_000_001;
/// Most sessions one run may open.
pub const MAX_SESSIONS: usize = 1_001;
/// Most IPv4 /24s one run may announce (11.0.0.0 up to below 127.0.0.0).
pub const MAX_V4_PREFIXES: u64 = (127 - 11) * 65_536;
/// Attribute sets per tester (prefixes are spread over them).
const GROUPS: usize = 4;

/// How testers and monitors are arranged around the route server.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Shape {
    /// N testers, one monitor (bgperf's layout).
    Bgperf,
    /// Every client announces and receives every other client's routes.
    Ixp,
}

/// What a load is made of.
#[derive(Clone, Debug)]
pub struct LoadSpec {
    /// The layout.
    pub shape: Shape,
    /// Number of testers (in `ixp`, of clients).
    pub testers: usize,
    /// Prefixes per tester.
    pub prefixes: usize,
    /// Share of IPv6 /48s among each tester's prefixes, 0.0 to 1.0.
    pub ipv6_share: f64,
    /// Seed for the attributes.
    pub seed: u64,
}

/// The attributes a route must carry, as a monitor compares them.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct RouteAttrs {
    /// AS_PATH, flattened.
    pub as_path: Vec<u32>,
    /// NEXT_HOP (IPv4) or the MP_REACH_NLRI global next hop.
    pub next_hop: Option<IpAddr>,
    /// MULTI_EXIT_DISC.
    pub med: Option<u32>,
    /// COMMUNITIES, sorted.
    pub communities: Vec<Community>,
}

impl std::fmt::Display for RouteAttrs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let path: Vec<String> = self.as_path.iter().map(u32::to_string).collect();
        let comms: Vec<String> = self.communities.iter().map(|c| c.to_string()).collect();
        let nh = self.next_hop.map(|n| n.to_string()).unwrap_or_else(|| "none".into());
        let med = self.med.map(|m| m.to_string()).unwrap_or_else(|| "none".into());
        write!(
            f,
            "as-path [{}] next-hop {nh} med {med} communities [{}]",
            path.join(" "),
            comms.join(" ")
        )
    }
}

/// One BGP client of the target (a tester, a monitor, or both).
#[derive(Clone, Debug)]
pub struct Client {
    /// Index, also the offset of its AS and address.
    pub index: usize,
    /// Its loopback source address.
    pub addr: IpAddr,
    /// Its AS.
    pub asn: u32,
    /// Whether it announces routes.
    pub tester: bool,
    /// Whether it checks what it receives.
    pub monitor: bool,
}

/// A whole load: the clients, every announced prefix and its expected attributes.
#[derive(Debug)]
pub struct Load {
    /// The layout it was built for.
    pub spec: LoadSpec,
    /// Every client, testers first.
    pub clients: Vec<Client>,
    /// Attribute sets by tester index, then group.
    pub attrs: Vec<Vec<RouteAttrs>>,
    /// Every announced prefix: its tester and attribute group.
    pub origin: HashMap<IpNet, (u32, u16)>,
    /// Prefixes by tester, in announcement order.
    pub prefixes: Vec<Vec<IpNet>>,
}

/// splitmix64: small, deterministic, good enough for picking attributes.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

/// The loopback source address of client `k`: 127.1.x.y with y in 1..=250.
pub fn client_addr(k: usize) -> IpAddr {
    IpAddr::V4(Ipv4Addr::new(127, 1, (1 + k / 250) as u8, (1 + k % 250) as u8))
}

/// The next hop tester `k` announces: an address that is only a label (GoBGP refuses
/// loopback next hops), which a route server must pass on unchanged.
pub fn next_hop_label(k: usize, v6: bool) -> IpAddr {
    if v6 {
        IpAddr::V6(Ipv6Addr::new(
            0x2001,
            0xdb8,
            0,
            0,
            0,
            0,
            (k >> 16) as u16,
            (k & 0xffff) as u16 + 1,
        ))
    } else {
        IpAddr::V4(Ipv4Addr::from(0x6440_0001u32 + k as u32))
    }
}

fn v4_prefix(g: u64) -> IpNet {
    let base = u32::from(Ipv4Addr::new(11, 0, 0, 0)) + ((g as u32) << 8);
    IpNet::V4(Ipv4Net::new(Ipv4Addr::from(base), 24).unwrap_or_default())
}

fn v6_prefix(g: u64) -> IpNet {
    let hi = (g >> 16) as u16;
    let lo = (g & 0xffff) as u16;
    IpNet::V6(Ipv6Net::new(Ipv6Addr::new(0x2a0c, hi, lo, 0, 0, 0, 0, 0), 48).unwrap_or_default())
}

impl Load {
    /// Builds the load; an error when it is larger than the address plan allows.
    pub fn new(spec: LoadSpec) -> Result<Load, String> {
        let clients_n = match spec.shape {
            Shape::Bgperf => spec.testers + 1,
            Shape::Ixp => spec.testers,
        };
        if spec.testers == 0 || clients_n > MAX_SESSIONS {
            return Err(format!("--testers must be 1 to {}", MAX_SESSIONS - 1));
        }
        if spec.shape == Shape::Ixp && spec.testers < 2 {
            return Err("--shape ixp needs at least 2 clients".into());
        }
        if !(0.0..=1.0).contains(&spec.ipv6_share) {
            return Err("--ipv6-share must be between 0 and 1".into());
        }
        let v6_per = (spec.prefixes as f64 * spec.ipv6_share).round() as usize;
        let v4_per = spec.prefixes - v6_per;
        if (v4_per as u64) * (spec.testers as u64) > MAX_V4_PREFIXES {
            return Err(format!("at most {MAX_V4_PREFIXES} IPv4 prefixes in all"));
        }
        let clients = (0..clients_n)
            .map(|k| Client {
                index: k,
                addr: client_addr(k),
                asn: CLIENT_AS_BASE + k as u32,
                tester: k < spec.testers,
                monitor: spec.shape == Shape::Ixp || k == spec.testers,
            })
            .collect();
        let mut rng = Rng(spec.seed);
        let mut attrs = Vec::with_capacity(spec.testers);
        let mut origin = HashMap::with_capacity(spec.testers * spec.prefixes);
        let mut prefixes = Vec::with_capacity(spec.testers);
        for k in 0..spec.testers {
            let asn = CLIENT_AS_BASE + k as u32;
            let groups: Vec<RouteAttrs> = (0..GROUPS)
                .map(|g| {
                    let mut as_path = vec![asn];
                    for _ in 0..rng.below(6) {
                        as_path.push(1_000 + rng.below(60_000) as u32);
                    }
                    let mut communities = vec![Community((65_000 + (k as u32 % 500)) << 16 | (g as u32 + 1))];
                    if rng.below(2) == 0 {
                        communities.push(Community(
                            (64_600 + rng.below(300) as u32) << 16 | rng.below(1000) as u32,
                        ));
                    }
                    communities.sort();
                    communities.dedup();
                    RouteAttrs {
                        as_path,
                        next_hop: None,
                        med: (rng.below(2) == 0).then(|| rng.below(1_000) as u32),
                        communities,
                    }
                })
                .collect();
            let mut mine = Vec::with_capacity(spec.prefixes);
            for i in 0..spec.prefixes {
                let p = if i < v4_per {
                    v4_prefix((k * v4_per + i) as u64)
                } else {
                    v6_prefix((k * v6_per + i - v4_per) as u64)
                };
                origin.insert(p, (k as u32, (i % GROUPS) as u16));
                mine.push(p);
            }
            prefixes.push(mine);
            attrs.push(groups);
        }
        Ok(Load {
            spec,
            clients,
            attrs,
            origin,
            prefixes,
        })
    }

    /// The attributes `prefix` must arrive with, or `None` when nobody announced it.
    pub fn expected(&self, prefix: &IpNet) -> Option<(usize, RouteAttrs)> {
        let (k, g) = *self.origin.get(prefix)?;
        let mut a = self.attrs.get(k as usize)?.get(g as usize)?.clone();
        a.next_hop = Some(next_hop_label(k as usize, prefix.addr().is_ipv6()));
        Some((k as usize, a))
    }

    /// How many routes `client` must hold in the end.
    pub fn expected_count(&self, client: &Client) -> usize {
        if !client.monitor {
            return 0;
        }
        let own = if client.tester { self.spec.prefixes } else { 0 };
        self.spec.testers * self.spec.prefixes - own
    }

    /// Routes all monitors together must hold.
    pub fn total_expected(&self) -> u64 {
        self.clients.iter().map(|c| self.expected_count(c) as u64).sum()
    }

    /// Encodes tester `k`'s routes into full UPDATEs for `ctx` (before the clock starts).
    pub fn encode(&self, k: usize, ctx: &SessionContext) -> Result<Vec<Bytes>, String> {
        let mut b = UpdateBuilder::new(*ctx);
        let mut out = Vec::new();
        let groups = self.attrs.get(k).ok_or("no such tester")?;
        let mine = self.prefixes.get(k).ok_or("no such tester")?;
        for (g, a) in groups.iter().enumerate() {
            let mut base = vec![
                PathAttribute::new(AttrValue::Origin(Origin::Igp)),
                PathAttribute::new(AttrValue::AsPath(AsPath::sequence(a.as_path.clone()))),
                PathAttribute::new(AttrValue::Communities(a.communities.clone())),
            ];
            if let Some(m) = a.med {
                base.push(PathAttribute::new(AttrValue::Med(m)));
            }
            let in_group = mine.iter().enumerate().filter(|(i, _)| i % GROUPS == g).map(|(_, p)| p);
            let v4: Vec<Nlri<Ipv4Net>> = in_group
                .clone()
                .filter_map(|p| match p {
                    IpNet::V4(p) => Some(Nlri::new(*p)),
                    IpNet::V6(_) => None,
                })
                .collect();
            let v6: Vec<Nlri<Ipv6Net>> = in_group
                .filter_map(|p| match p {
                    IpNet::V6(p) => Some(Nlri::new(*p)),
                    IpNet::V4(_) => None,
                })
                .collect();
            if !v4.is_empty() {
                let IpAddr::V4(nh) = next_hop_label(k, false) else {
                    return Err("IPv4 next hop expected".into());
                };
                let mut a4 = base.clone();
                a4.push(PathAttribute::new(AttrValue::NextHop(nh)));
                a4.sort_by_key(PathAttribute::type_code);
                b.announce_ipv4(&a4, v4, &mut out).map_err(|e| e.to_string())?;
            }
            if !v6.is_empty() {
                let IpAddr::V6(global) = next_hop_label(k, true) else {
                    return Err("IPv6 next hop expected".into());
                };
                base.sort_by_key(PathAttribute::type_code);
                let nh = NextHop::V6 {
                    global,
                    link_local: None,
                };
                b.announce_ipv6(&base, &nh, v6, &mut out).map_err(|e| e.to_string())?;
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bgp_core::UpdateView;

    fn spec(shape: Shape, seed: u64) -> LoadSpec {
        LoadSpec {
            shape,
            testers: 3,
            prefixes: 40,
            ipv6_share: 0.25,
            seed,
        }
    }

    #[test]
    fn the_same_seed_gives_the_same_attributes_and_every_prefix_is_unique() {
        let a = Load::new(spec(Shape::Bgperf, 7)).unwrap();
        let b = Load::new(spec(Shape::Bgperf, 7)).unwrap();
        assert_eq!(a.attrs, b.attrs);
        assert_eq!(a.origin.len(), 3 * 40);
        for (k, groups) in a.attrs.iter().enumerate() {
            for g in groups {
                assert_eq!(g.as_path[0], CLIENT_AS_BASE + k as u32);
                assert!((1..=6).contains(&g.as_path.len()), "{g:?}");
                assert!((1..=2).contains(&g.communities.len()), "{g:?}");
            }
        }
    }

    #[test]
    fn monitors_expect_every_route_in_bgperf_and_everyone_elses_in_ixp() {
        let b = Load::new(spec(Shape::Bgperf, 1)).unwrap();
        assert_eq!(b.clients.len(), 4);
        assert_eq!(b.total_expected(), 3 * 40);
        let x = Load::new(spec(Shape::Ixp, 1)).unwrap();
        assert_eq!(x.clients.len(), 3);
        assert_eq!(x.total_expected(), 3 * 2 * 40);
    }

    #[test]
    fn a_testers_updates_carry_each_of_its_prefixes_once() {
        let load = Load::new(spec(Shape::Bgperf, 3)).unwrap();
        let ctx = SessionContext::default();
        let msgs = load.encode(1, &ctx).unwrap();
        let mut seen = Vec::new();
        for m in msgs {
            let v = UpdateView::parse(m, &ctx).unwrap();
            seen.extend(v.announced_ipv4().map(|n| IpNet::V4(n.prefix)));
            if let Some(r) = v.mp_reach() {
                seen.extend(r.ipv6().map(|n| IpNet::V6(n.prefix)));
            }
        }
        seen.sort();
        let mut want = load.prefixes[1].clone();
        want.sort();
        assert_eq!(seen, want);
        assert_eq!(want.iter().filter(|p| p.addr().is_ipv6()).count(), 10);
    }
}
