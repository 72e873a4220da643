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
pub const GROUPS: usize = 4;

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
    /// Which IPv4 next hop the testers announce.
    pub next_hops: NextHops,
    /// The address family of the sessions' TCP connections.
    pub transport: SessionTransport,
}

/// Over which loopback the sessions connect.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SessionTransport {
    /// Client `k` from its own 127.1.x.y.
    #[default]
    Ipv4,
    /// Every client from `::1`; the target tells them apart by a listen port per session.
    Ipv6,
}

/// The IPv4 NEXT_HOP a tester announces (IPv6 routes always carry [`next_hop_label`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum NextHops {
    /// An address that is only a label (100.64.0.0/10): BIRD and GoBGP pass it on, and
    /// GoBGP refuses loopback next hops.
    #[default]
    Labels,
    /// The tester's own session address (127.1.x.y): peerlab's route server, like IXP route
    /// servers, accepts only a NEXT_HOP equal to the client's session address.
    SessionAddress,
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
    /// Its address: the loopback source address of its connections with IPv4 transport,
    /// and its name (and IPv4 next hop against peerlab) in every case.
    pub addr: IpAddr,
    /// Where its connections come from: `addr`, or `::1` with IPv6 transport.
    pub source: IpAddr,
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
    /// Attribute sets as a monitor must see them, next hop included, then IPv4 (0) or
    /// IPv6 (1); synthetic loads number them `tester * GROUPS + group`.
    full: Vec<[RouteAttrs; 2]>,
    /// Prefixes by tester, in announcement order.
    pub prefixes: Vec<Vec<IpNet>>,
    /// The attribute set of each prefix, by tester and position.
    sets: Vec<Vec<u32>>,
    /// IPv4 prefixes per tester (they come first in each tester's list).
    v4_per: usize,
    /// Where each prefix sits, for loads not laid out by the address plan (MRT replay).
    index: Option<HashMap<IpNet, Slot>>,
}

/// Where a prefix sits in the load: its tester and its position in that tester's list.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Slot {
    /// The tester that announces it.
    pub tester: usize,
    /// Its position among the tester's prefixes.
    pub position: usize,
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
                source: match spec.transport {
                    SessionTransport::Ipv4 => client_addr(k),
                    SessionTransport::Ipv6 => IpAddr::V6(Ipv6Addr::LOCALHOST),
                },
                asn: CLIENT_AS_BASE + k as u32,
                tester: k < spec.testers,
                monitor: spec.shape == Shape::Ixp || k == spec.testers,
            })
            .collect();
        let mut rng = Rng(spec.seed);
        let mut attrs = Vec::with_capacity(spec.testers);
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
                mine.push(p);
            }
            prefixes.push(mine);
            attrs.push(groups);
        }
        let sets = (0..spec.testers)
            .map(|k| (0..spec.prefixes).map(|i| (k * GROUPS + i % GROUPS) as u32).collect())
            .collect();
        let mut load = Load {
            spec,
            clients,
            attrs,
            full: Vec::new(),
            prefixes,
            sets,
            v4_per,
            index: None,
        };
        let mut full = Vec::with_capacity(load.spec.testers * GROUPS);
        for (k, groups) in load.attrs.iter().enumerate() {
            for a in groups {
                full.push(load.with_next_hops(k, a));
            }
        }
        load.full = full;
        Ok(load)
    }

    fn with_next_hops(&self, k: usize, a: &RouteAttrs) -> [RouteAttrs; 2] {
        let with = |v6: bool| RouteAttrs {
            next_hop: Some(self.next_hop(k, v6)),
            ..a.clone()
        };
        [with(false), with(true)]
    }

    /// A load replaying `routes` (prefix and AS_PATH, e.g. from an MRT RIB dump): route `j`
    /// goes to tester `j % testers`, at most `spec.prefixes` per tester; each tester's AS is
    /// put in front of the path, with one community of the tester's. `spec.prefixes` and
    /// `spec.ipv6_share` become what was taken.
    pub fn from_routes(mut spec: LoadSpec, routes: &[(IpNet, Vec<u32>)]) -> Result<Load, String> {
        let mut load = Load::new(LoadSpec {
            prefixes: 0,
            ipv6_share: 0.0,
            ..spec.clone()
        })?;
        let testers = spec.testers;
        let take = routes.len().min(testers.saturating_mul(spec.prefixes));
        if take == 0 {
            return Err("the MRT file has no route that every target accepts (see docs/bench.md)".into());
        }
        let mut prefixes = vec![Vec::new(); testers];
        let mut sets = vec![Vec::new(); testers];
        let mut full = Vec::new();
        let mut index = HashMap::with_capacity(take);
        let mut by_path: Vec<HashMap<&[u32], u32>> = vec![HashMap::new(); testers];
        for (j, (p, path)) in routes.iter().take(take).enumerate() {
            let k = j % testers;
            let set = match by_path[k].get(path.as_slice()) {
                Some(s) => *s,
                None => {
                    let asn = CLIENT_AS_BASE + k as u32;
                    let a = RouteAttrs {
                        as_path: std::iter::once(asn).chain(path.iter().copied()).collect(),
                        next_hop: None,
                        med: None,
                        communities: vec![Community((65_000 + (k as u32 % 500)) << 16 | 1)],
                    };
                    full.push(load.with_next_hops(k, &a));
                    let s = (full.len() - 1) as u32;
                    by_path[k].insert(path.as_slice(), s);
                    s
                }
            };
            index.insert(
                *p,
                Slot {
                    tester: k,
                    position: prefixes[k].len(),
                },
            );
            prefixes[k].push(*p);
            sets[k].push(set);
        }
        spec.prefixes = prefixes.iter().map(Vec::len).max().unwrap_or(0);
        let v6 = prefixes.iter().flatten().filter(|p| p.addr().is_ipv6()).count();
        spec.ipv6_share = v6 as f64 / take as f64;
        load.spec = spec;
        load.attrs = vec![Vec::new(); testers];
        load.full = full;
        load.prefixes = prefixes;
        load.sets = sets;
        load.index = Some(index);
        Ok(load)
    }

    /// Where `prefix` sits in the load, or `None` when nobody announces it (computed from
    /// the address plan, no lookup table).
    pub fn slot(&self, prefix: &IpNet) -> Option<Slot> {
        if let Some(ix) = &self.index {
            return ix.get(prefix).copied();
        }
        let v6_per = self.spec.prefixes - self.v4_per;
        let (g, per, offset) = match prefix {
            IpNet::V4(p) => {
                let a = u32::from(p.addr()).checked_sub(u32::from(Ipv4Addr::new(11, 0, 0, 0)))?;
                (u64::from(a >> 8), self.v4_per, 0)
            }
            IpNet::V6(p) => {
                let s = p.addr().segments();
                if s[0] != 0x2a0c {
                    return None;
                }
                ((u64::from(s[1]) << 16) | u64::from(s[2]), v6_per, self.v4_per)
            }
        };
        if per == 0 {
            return None;
        }
        let slot = Slot {
            tester: usize::try_from(g / per as u64).ok()?,
            position: offset + usize::try_from(g % per as u64).ok()?,
        };
        (self.prefixes.get(slot.tester)?.get(slot.position)? == prefix).then_some(slot)
    }

    /// The attributes (next hop included) the route at `slot` must arrive with.
    pub fn expected_at(&self, slot: Slot, v6: bool) -> Option<&RouteAttrs> {
        self.full.get(self.set_of(slot)? as usize).map(|a| &a[usize::from(v6)])
    }

    /// The attribute set of the route at `slot`.
    pub fn set_of(&self, slot: Slot) -> Option<u32> {
        self.sets.get(slot.tester)?.get(slot.position).copied()
    }

    /// The attributes `prefix` must arrive with, or `None` when nobody announced it.
    pub fn expected(&self, prefix: &IpNet) -> Option<(usize, RouteAttrs)> {
        let slot = self.slot(prefix)?;
        let a = self.expected_at(slot, prefix.addr().is_ipv6())?;
        Some((slot.tester, a.clone()))
    }

    /// The next hop tester `k` announces for its IPv6 (`v6`) or IPv4 routes.
    pub fn next_hop(&self, k: usize, v6: bool) -> IpAddr {
        match (v6, self.spec.next_hops) {
            (false, NextHops::SessionAddress) => client_addr(k),
            _ => next_hop_label(k, v6),
        }
    }

    /// Whether the testers announce IPv4 (`v6` false) or IPv6 prefixes at all.
    pub fn carries(&self, v6: bool) -> bool {
        self.prefixes.iter().flatten().any(|p| p.addr().is_ipv6() == v6)
    }

    /// How many routes `client` must hold in the end.
    pub fn expected_count(&self, client: &Client) -> usize {
        if !client.monitor {
            return 0;
        }
        let all: usize = self.prefixes.iter().map(Vec::len).sum();
        let own = if client.tester {
            self.prefixes.get(client.index).map_or(0, Vec::len)
        } else {
            0
        };
        all - own
    }

    /// Routes all monitors together must hold.
    pub fn total_expected(&self) -> u64 {
        self.clients.iter().map(|c| self.expected_count(c) as u64).sum()
    }

    /// Encodes tester `k`'s routes into full UPDATEs for `ctx` (before the clock starts):
    /// its IPv4 UPDATEs, then its IPv6 ones (for targets with one session per family).
    pub fn encode(&self, k: usize, ctx: &SessionContext) -> Result<(Vec<Bytes>, Vec<Bytes>), String> {
        let mut b = UpdateBuilder::new(*ctx);
        let mut out = Vec::new();
        let mut out6 = Vec::new();
        let mine = self.prefixes.get(k).ok_or("no such tester")?;
        let sets = self.sets.get(k).ok_or("no such tester")?;
        let mut by_set: std::collections::BTreeMap<u32, Vec<&IpNet>> = std::collections::BTreeMap::new();
        for (p, s) in mine.iter().zip(sets) {
            by_set.entry(*s).or_default().push(p);
        }
        for (set, in_set) in by_set {
            let a = &self.full.get(set as usize).ok_or("no such attribute set")?[0];
            let mut base = vec![
                PathAttribute::new(AttrValue::Origin(Origin::Igp)),
                PathAttribute::new(AttrValue::AsPath(AsPath::sequence(a.as_path.clone()))),
                PathAttribute::new(AttrValue::Communities(a.communities.clone())),
            ];
            if let Some(m) = a.med {
                base.push(PathAttribute::new(AttrValue::Med(m)));
            }
            let in_group = in_set.iter().copied();
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
                let IpAddr::V4(nh) = self.next_hop(k, false) else {
                    return Err("IPv4 next hop expected".into());
                };
                let mut a4 = base.clone();
                a4.push(PathAttribute::new(AttrValue::NextHop(nh)));
                a4.sort_by_key(PathAttribute::type_code);
                b.announce_ipv4(&a4, v4, &mut out).map_err(|e| e.to_string())?;
            }
            if !v6.is_empty() {
                let IpAddr::V6(global) = self.next_hop(k, true) else {
                    return Err("IPv6 next hop expected".into());
                };
                base.sort_by_key(PathAttribute::type_code);
                let nh = NextHop::V6 {
                    global,
                    link_local: None,
                };
                b.announce_ipv6(&base, &nh, v6, &mut out6).map_err(|e| e.to_string())?;
            }
        }
        Ok((out, out6))
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
            next_hops: NextHops::Labels,
            transport: SessionTransport::Ipv4,
        }
    }

    #[test]
    fn the_same_seed_gives_the_same_attributes_and_every_prefix_is_unique() {
        let a = Load::new(spec(Shape::Bgperf, 7)).unwrap();
        let b = Load::new(spec(Shape::Bgperf, 7)).unwrap();
        assert_eq!(a.attrs, b.attrs);
        let all: std::collections::HashSet<&IpNet> = a.prefixes.iter().flatten().collect();
        assert_eq!(all.len(), 3 * 40);
        for (k, groups) in a.attrs.iter().enumerate() {
            for g in groups {
                assert_eq!(g.as_path[0], CLIENT_AS_BASE + k as u32);
                assert!((1..=6).contains(&g.as_path.len()), "{g:?}");
                assert!((1..=2).contains(&g.communities.len()), "{g:?}");
            }
        }
    }

    #[test]
    fn every_prefix_is_found_at_its_slot_and_no_other_prefix_is() {
        let load = Load::new(spec(Shape::Ixp, 5)).unwrap();
        for (k, mine) in load.prefixes.iter().enumerate() {
            for (i, p) in mine.iter().enumerate() {
                let slot = load.slot(p).unwrap();
                assert_eq!((slot.tester, slot.position), (k, i), "{p}");
                let (tester, want) = load.expected(p).unwrap();
                assert_eq!(tester, k);
                assert_eq!(want.next_hop, Some(load.next_hop(k, p.addr().is_ipv6())));
            }
        }
        for other in [
            "10.0.0.0/24",
            "11.0.0.0/25",
            "11.200.0.0/24",
            "2a0d::/48",
            "2a0c:0:ffff::/48",
        ] {
            assert_eq!(load.slot(&other.parse().unwrap()), None, "{other}");
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
        let (v4, v6) = load.encode(1, &ctx).unwrap();
        assert!(v4
            .iter()
            .all(|m| UpdateView::parse(m.clone(), &ctx).unwrap().mp_reach().is_none()));
        assert!(v6
            .iter()
            .all(|m| UpdateView::parse(m.clone(), &ctx).unwrap().mp_reach().is_some()));
        let mut seen = Vec::new();
        for m in v4.into_iter().chain(v6) {
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
