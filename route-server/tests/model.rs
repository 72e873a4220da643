//! The engine against a small reference model written for clarity, not speed: random
//! sequences of announce, withdraw, session down/up, register and deregister across 3–5
//! clients and a small prefix space; after every step each client's received view (the
//! engine's UPDATEs decoded and applied) must equal the model's.

mod common;

use bgp_core::attr::{AttrValue, Community, PathAttribute};
use common::*;
use ipnet::IpNet;
use proptest::prelude::*;
use route_server::{RouteServerConfig, SessionConfig};
use std::collections::{BTreeMap, BTreeSet};
use std::net::IpAddr;

const PREFIXES: [&str; 5] = ["1.1.0.0/24", "1.1.1.0/24", "1.1.2.0/24", "2.0.0.0/16", "10.0.0.0/24"];
const ORIGINS: [u32; 3] = [13335, 7777, 8888];

/// One announced route as the model keeps it.
#[derive(Clone, Debug)]
struct Spec {
    middle: bool,
    origin: u32,
    communities: Vec<Community>,
    med: u32,
}

#[derive(Clone, Debug)]
enum Op {
    Announce {
        client: usize,
        prefixes: Vec<usize>,
        spec: Spec,
    },
    Withdraw {
        client: usize,
        prefixes: Vec<usize>,
    },
    Down {
        client: usize,
    },
    Up {
        client: usize,
    },
    Register {
        asn: u32,
    },
    Deregister {
        asn: u32,
    },
}

fn community(kind: u8, peer: usize) -> Vec<Community> {
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

fn op(clients: usize) -> impl Strategy<Value = Op> {
    let c = 0..clients;
    let prefixes = proptest::collection::vec(0..PREFIXES.len(), 1..4);
    prop_oneof![
        5 => (c.clone(), prefixes.clone(), any::<bool>(), 0..ORIGINS.len(), 0u8..6, 0..clients, 0u32..3).prop_map(
            |(client, prefixes, middle, o, kind, peer, med)| Op::Announce {
                client,
                prefixes,
                spec: Spec { middle, origin: ORIGINS[o], communities: community(kind, peer), med },
            }
        ),
        2 => (c.clone(), prefixes).prop_map(|(client, prefixes)| Op::Withdraw { client, prefixes }),
        1 => c.clone().prop_map(|client| Op::Down { client }),
        1 => c.prop_map(|client| Op::Up { client }),
        1 => (1..ORIGINS.len()).prop_map(|o| Op::Register { asn: ORIGINS[o] }),
        1 => (0..ORIGINS.len()).prop_map(|o| Op::Deregister { asn: ORIGINS[o] }),
    ]
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

fn run(clients: usize, add_path_last: bool, ops: Vec<Op>) -> Result<(), TestCaseError> {
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
        prop_assert_eq!(lab.rs.stats().ipv4_prefixes as usize, held.len(), "after step {}", step);
        for c in 0..clients {
            if !model.up[c] {
                continue;
            }
            prop_assert_eq!(
                paths_by_prefix(&lab.views[c]),
                model.expected(c),
                "client {} after step {}: {:?}",
                c,
                step,
                op
            );
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn every_clients_view_equals_the_reference_model(
        clients in 3usize..=5,
        add_path_last in any::<bool>(),
        ops in proptest::collection::vec(op(5), 1..40),
    ) {
        let ops = ops
            .into_iter()
            .map(|o| match o {
                Op::Announce { client, prefixes, spec } => Op::Announce { client: client % clients, prefixes, spec },
                Op::Withdraw { client, prefixes } => Op::Withdraw { client: client % clients, prefixes },
                Op::Down { client } => Op::Down { client: client % clients },
                Op::Up { client } => Op::Up { client: client % clients },
                other => other,
            })
            .collect();
        run(clients, add_path_last, ops)?;
    }
}
