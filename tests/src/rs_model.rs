//! The route-server engine against a small reference model written for clarity, not speed:
//! announce, withdraw, session down/up, register and deregister across a few clients and a
//! small prefix space; after every step each client's received view (the engine's UPDATEs
//! decoded and applied) must equal the model's.
//!
//! Shared by the proptest in `route-server/tests/model.rs` and by the `route_server` fuzz
//! target (through [`crate::fuzz_route_server`]); both include this file with `#[path]`, and
//! it includes the route-server tests' harness (`route-server/tests/common`) the same way.

#[path = "../../route-server/tests/common/mod.rs"]
mod common;

use bgp_core::attr::{AttrValue, Community, PathAttribute};
use common::*;
use ipnet::IpNet;
use route_server::{RouteServerConfig, SessionConfig};
use std::collections::{BTreeMap, BTreeSet};
use std::net::IpAddr;

/// The prefix space; `10.0.0.0/24` is never accepted (RFC 1918).
pub const PREFIXES: [&str; 5] = ["1.1.0.0/24", "1.1.1.0/24", "1.1.2.0/24", "2.0.0.0/16", "10.0.0.0/24"];
/// The origin ASNs a route may carry; the first is always registered.
pub const ORIGINS: [u32; 3] = [13335, 7777, 8888];

/// One announced route as the model keeps it.
#[derive(Clone, Debug)]
pub struct Spec {
    /// Whether AS 3333 sits between the client and the origin.
    pub middle: bool,
    /// The origin ASN.
    pub origin: u32,
    /// The standard communities sent.
    pub communities: Vec<Community>,
    /// The MED sent.
    pub med: u32,
}

/// One step of a run.
#[derive(Clone, Debug)]
pub enum Op {
    /// `client` announces `prefixes` (indices into [`PREFIXES`]) with `spec`.
    Announce {
        /// Which client.
        client: usize,
        /// Indices into [`PREFIXES`].
        prefixes: Vec<usize>,
        /// The route's attributes.
        spec: Spec,
    },
    /// `client` withdraws `prefixes`.
    Withdraw {
        /// Which client.
        client: usize,
        /// Indices into [`PREFIXES`].
        prefixes: Vec<usize>,
    },
    /// `client`'s session goes down.
    Down {
        /// Which client.
        client: usize,
    },
    /// `client`'s session comes back up.
    Up {
        /// Which client.
        client: usize,
    },
    /// `asn` becomes a registered customer ASN.
    Register {
        /// The ASN.
        asn: u32,
    },
    /// `asn` stops being registered.
    Deregister {
        /// The ASN.
        asn: u32,
    },
}

impl Op {
    /// The same step with its client taken modulo `clients`.
    pub fn for_clients(self, clients: usize) -> Op {
        match self {
            Op::Announce { client, prefixes, spec } => Op::Announce {
                client: client % clients,
                prefixes,
                spec,
            },
            Op::Withdraw { client, prefixes } => Op::Withdraw {
                client: client % clients,
                prefixes,
            },
            Op::Down { client } => Op::Down {
                client: client % clients,
            },
            Op::Up { client } => Op::Up {
                client: client % clients,
            },
            other => other,
        }
    }
}

/// The communities of kind `kind` (0–5: none, an ordinary one, "not to `peer`", "only to
/// `peer`", NO_EXPORT, "to `peer`" alone) for a route that names client `peer`.
pub fn community(kind: u8, peer: usize) -> Vec<Community> {
    match kind {
        0 => vec![],
        1 => vec![Community::new(3333, 1)],
        2 => vec![Community::new(0, asn(peer) as u16), Community::new(3333, 2)],
        3 => vec![
            Community::new(0, RS as u16),
            Community::new(RS as u16, asn(peer) as u16),
        ],
        4 => vec![Community::NO_EXPORT],
        _ => vec![Community::new(RS as u16, asn(peer) as u16)],
    }
}

/// The reference model.
struct Model {
    clients: usize,
    add_path: Vec<bool>,
    up: Vec<bool>,
    rib_in: Vec<BTreeMap<usize, Spec>>,
    registered: BTreeSet<u32>,
}

impl Model {
    fn path(client: usize, s: &Spec) -> Vec<u32> {
        let mut p = vec![asn(client)];
        if s.middle {
            p.push(3333);
        }
        p.push(s.origin);
        p
    }

    fn sent_attrs(client: usize, s: &Spec) -> Vec<PathAttribute> {
        let mut a = with_med(attrs(&Self::path(client, s), addr(client)), s.med);
        if !s.communities.is_empty() {
            a = with_communities(a, &s.communities);
        }
        a
    }

    /// What a client receives: control communities (0:x, RS:x) removed, an emptied
    /// COMMUNITIES attribute dropped, everything else as sent.
    fn received_attrs(client: usize, s: &Spec) -> Vec<PathAttribute> {
        let mut out = Vec::new();
        for mut a in Self::sent_attrs(client, s) {
            if let AttrValue::Communities(cs) = &mut a.value {
                cs.retain(|c| c.high() != 0 && c.high() as u32 != RS);
                if cs.is_empty() {
                    continue;
                }
            }
            out.push(a);
        }
        out
    }

    fn accepted(&self, prefix: usize, s: &Spec) -> bool {
        PREFIXES[prefix] != "10.0.0.0/24" && self.registered.contains(&s.origin)
    }

    fn exported_to(s: &Spec, target: usize) -> bool {
        let target_asn = asn(target) as u16;
        let mut block_all = false;
        let mut allowed = false;
        for c in &s.communities {
            if *c == Community::NO_EXPORT || *c == Community::NO_ADVERTISE {
                return false;
            }
            if c.high() == 0 && c.low() == RS as u16 {
                block_all = true;
            } else if c.high() == 0 && c.low() == target_asn {
                return false;
            } else if c.high() as u32 == RS && c.low() == target_asn {
                allowed = true;
            }
        }
        !block_all || allowed
    }

    /// For every prefix, the candidates `target` may receive, as (sender, spec).
    fn candidates(&self, target: usize, prefix: usize) -> Vec<(usize, &Spec)> {
        (0..self.clients)
            .filter(|&i| i != target && self.up[i])
            .filter_map(|i| self.rib_in[i].get(&prefix).map(|s| (i, s)))
            .filter(|(_, s)| self.accepted(prefix, s) && Self::exported_to(s, target))
            .collect()
    }

    /// The expected view: prefix → sorted list of attribute lists (one for a client without
    /// ADD-PATH: the best path = shortest AS path, then lowest address; every client has its
    /// own ASN, so MED never decides).
    fn expected(&self, target: usize) -> BTreeMap<IpNet, Vec<String>> {
        let mut out = BTreeMap::new();
        for (prefix, name) in PREFIXES.iter().enumerate() {
            let mut cands = self.candidates(target, prefix);
            if cands.is_empty() {
                continue;
            }
            cands.sort_by_key(|(i, s)| (Self::path(*i, s).len(), addr(*i)));
            let chosen: Vec<_> = if self.add_path[target] {
                cands
            } else {
                cands[..1].to_vec()
            };
            let mut v: Vec<String> = chosen
                .iter()
                .map(|(i, s)| format!("{:?}", Self::received_attrs(*i, s)))
                .collect();
            v.sort();
            out.insert(net(name), v);
        }
        out
    }
}

/// Runs `ops` over `clients` clients (the last one with ADD-PATH when `add_path_last`) on the
/// engine and on the model; the first step after which they differ, as an error naming the
/// step, the client and both views. Client indices must be below `clients`
/// ([`Op::for_clients`]); prefix indices below `PREFIXES.len()`.
pub fn run(clients: usize, add_path_last: bool, ops: Vec<Op>) -> Result<(), String> {
    let mut cfg: RouteServerConfig = Lab::config();
    cfg.registered_asns = (0..clients).map(asn).chain([13335]).collect();
    let sessions: Vec<SessionConfig> = (0..clients)
        .map(|i| {
            let mut s = SessionConfig::new(&format!("c{i}"), asn(i), IpAddr::V4(addr(i)));
            s.add_path = add_path_last && i == clients - 1;
            s
        })
        .collect();
    let mut model = Model {
        clients,
        add_path: sessions.iter().map(|s| s.add_path).collect(),
        up: vec![true; clients],
        rib_in: vec![BTreeMap::new(); clients],
        registered: cfg.registered_asns.iter().copied().collect(),
    };
    let mut lab = Lab::with_sessions(cfg, sessions);
    for (step, op) in ops.into_iter().enumerate() {
        match &op {
            Op::Announce { client, prefixes, spec } if model.up[*client] => {
                let ps: Vec<&str> = prefixes.iter().map(|&p| PREFIXES[p]).collect();
                lab.send(*client, &announce(&Model::sent_attrs(*client, spec), &ps));
                for &p in prefixes {
                    model.rib_in[*client].insert(p, spec.clone());
                }
            }
            Op::Withdraw { client, prefixes } if model.up[*client] => {
                let ps: Vec<&str> = prefixes.iter().map(|&p| PREFIXES[p]).collect();
                lab.send(*client, &withdraw(&ps));
                for p in prefixes {
                    model.rib_in[*client].remove(p);
                }
            }
            Op::Down { client } => {
                lab.rs.session_down(lab.ids[*client]).expect("session");
                lab.views[*client] = View::default();
                model.up[*client] = false;
                model.rib_in[*client].clear();
            }
            Op::Up { client } if !model.up[*client] => {
                lab.rs.session_up(lab.ids[*client], lab.ctxs[*client]).expect("session");
                model.up[*client] = true;
            }
            Op::Register { asn } => {
                lab.rs.register_asn(*asn);
                model.registered.insert(*asn);
            }
            Op::Deregister { asn } => {
                lab.rs.deregister_asn(*asn);
                model.registered.remove(asn);
            }
            _ => continue,
        }
        lab.sync();
        // Every client was sent everything: a prefix is held exactly while some client has
        // a path for it.
        let held: BTreeSet<usize> = model.rib_in.iter().flat_map(|r| r.keys().copied()).collect();
        let engine = lab.rs.stats().ipv4_prefixes as usize;
        if engine != held.len() {
            return Err(format!(
                "after step {step} ({op:?}): the engine holds {engine} IPv4 prefixes, the model {}",
                held.len()
            ));
        }
        for c in (0..clients).filter(|&c| model.up[c]) {
            let (got, want) = (paths_by_prefix(&lab.views[c]), model.expected(c));
            if got != want {
                return Err(format!(
                    "client {c} after step {step} ({op:?}):\n engine: {got:?}\n  model: {want:?}"
                ));
            }
        }
    }
    Ok(())
}
