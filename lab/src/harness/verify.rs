//! A monitor's table: every route it received, checked against the load route by route,
//! and the report of what is missing, wrong or unexpected.

use super::load::{Load, RouteAttrs};
use bgp_core::attr::{type_code, AttrValue};
use bgp_core::UpdateView;
use ipnet::IpNet;
use serde::Serialize;
use std::collections::{BTreeSet, HashMap};
use std::net::IpAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// Routes listed per kind of problem in a report (the counts are always complete).
pub const REPORT_LIMIT: usize = 20;

/// What a monitor holds for a prefix of the load, one octet per prefix.
mod held {
    /// Nothing.
    pub const NONE: u8 = 0;
    /// The expected route with the expected attributes.
    pub const OK: u8 = 1;
    /// An expected prefix with other attributes (kept in `MonitorTable::wrong`).
    pub const WRONG: u8 = 2;
    /// Its own prefix, sent back to the client that announced it.
    pub const OWN: u8 = 3;
}

/// One monitor's received routes: a state octet per prefix of the load (indexed by its
/// [`Slot`]), the attributes of wrong ones, and prefixes outside the load.
#[derive(Debug)]
pub struct MonitorTable {
    client: usize,
    per_tester: usize,
    state: Vec<u8>,
    wrong: HashMap<usize, Arc<RouteAttrs>>,
    foreign: BTreeSet<IpNet>,
    ok: usize,
}

/// A route that is not as it should be.
#[derive(Clone, Debug, Serialize)]
pub struct Problem {
    /// The monitor's client index.
    pub monitor: usize,
    /// The prefix.
    pub prefix: String,
    /// What it should carry (none for unexpected routes).
    pub expected: Option<String>,
    /// What arrived (none for missing routes).
    pub received: Option<String>,
}

/// What went wrong in a run, for people and scripts.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Verdict {
    /// Expected routes not held at the end.
    pub missing: u64,
    /// Expected prefixes held with other attributes.
    pub wrong: u64,
    /// Prefixes held that nobody should have sent to that monitor.
    pub unexpected: u64,
    /// Up to [`REPORT_LIMIT`] of each kind.
    pub examples: Vec<Problem>,
}

impl Verdict {
    /// No problem at all.
    pub fn clean(&self) -> bool {
        self.missing == 0 && self.wrong == 0 && self.unexpected == 0
    }

    /// Adds another monitor's problems.
    pub fn merge(&mut self, other: Verdict) {
        self.missing += other.missing;
        self.wrong += other.wrong;
        self.unexpected += other.unexpected;
        for p in other.examples {
            let kind = |p: &Problem| (p.expected.is_some(), p.received.is_some());
            if self.examples.iter().filter(|q| kind(q) == kind(&p)).count() < REPORT_LIMIT {
                self.examples.push(p);
            }
        }
    }

    /// A report for people, one problem per line.
    pub fn describe(&self) -> String {
        let mut s = format!(
            "{} routes missing, {} with wrong attributes, {} unexpected",
            self.missing, self.wrong, self.unexpected
        );
        for p in &self.examples {
            let line = match (&p.expected, &p.received) {
                (Some(e), None) => format!("\n  missing at monitor {}: {} ({e})", p.monitor, p.prefix),
                (Some(e), Some(r)) => format!(
                    "\n  wrong at monitor {}: {}\n    expected {e}\n    received {r}",
                    p.monitor, p.prefix
                ),
                (None, r) => format!(
                    "\n  unexpected at monitor {}: {} ({})",
                    p.monitor,
                    p.prefix,
                    r.as_deref().unwrap_or("")
                ),
            };
            s.push_str(&line);
        }
        s
    }
}

/// The attributes of a received UPDATE as a monitor compares them, with the next hop of
/// its IPv4 NLRI (NEXT_HOP) and of its MP_REACH_NLRI (the global address).
fn received_attrs(view: &UpdateView) -> (RouteAttrs, Option<IpAddr>) {
    let mut a = RouteAttrs {
        as_path: Vec::new(),
        next_hop: None,
        med: None,
        communities: Vec::new(),
    };
    let frame = view.frame();
    let ctx = view.context();
    for raw in view.attributes() {
        if !matches!(
            raw.type_code,
            type_code::AS_PATH | type_code::NEXT_HOP | type_code::MED | type_code::COMMUNITIES
        ) {
            continue;
        }
        match AttrValue::decode(raw.type_code, &frame.slice_ref(raw.value), ctx) {
            Some(AttrValue::AsPath(p)) => a.as_path = p.asns().collect(),
            Some(AttrValue::NextHop(n)) => a.next_hop = Some(n.into()),
            Some(AttrValue::Med(m)) => a.med = Some(m),
            Some(AttrValue::Communities(mut c)) => {
                c.sort();
                a.communities = c;
            }
            _ => {}
        }
    }
    let mp_nh = view.mp_reach().and_then(|r| match r.next_hop.len() {
        4 => <[u8; 4]>::try_from(r.next_hop).ok().map(IpAddr::from),
        16 | 32 => <[u8; 16]>::try_from(&r.next_hop[..16]).ok().map(IpAddr::from),
        _ => None,
    });
    (a, mp_nh)
}

impl MonitorTable {
    /// An empty table for client `client` of `load`.
    pub fn new(client: usize, load: &Load) -> MonitorTable {
        MonitorTable {
            client,
            per_tester: load.spec.prefixes,
            state: vec![held::NONE; load.spec.testers * load.spec.prefixes],
            wrong: HashMap::new(),
            foreign: BTreeSet::new(),
            ok: 0,
        }
    }

    fn set(&mut self, i: usize, now: u8, ok_total: &AtomicU64) {
        let Some(cell) = self.state.get_mut(i) else { return };
        let was = std::mem::replace(cell, now);
        if was == held::WRONG && now != held::WRONG {
            self.wrong.remove(&i);
        }
        if was == held::OK && now != held::OK {
            self.ok -= 1;
            ok_total.fetch_sub(1, Ordering::Relaxed);
        } else if now == held::OK && was != held::OK {
            self.ok += 1;
            ok_total.fetch_add(1, Ordering::Relaxed);
        }
    }

    fn withdraw(&mut self, load: &Load, prefix: IpNet, ok_total: &AtomicU64) {
        match load.slot(&prefix) {
            Some(s) => self.set(s.tester * self.per_tester + s.position, held::NONE, ok_total),
            None => {
                self.foreign.remove(&prefix);
            }
        }
    }

    /// Records `prefix` as received with `got`; `last` caches the comparison of the
    /// previous prefix's attribute set (an UPDATE's prefixes mostly share one).
    fn announce(
        &mut self,
        load: &Load,
        prefix: IpNet,
        got: &Arc<RouteAttrs>,
        last: &mut Option<(usize, bool)>,
        ok_total: &AtomicU64,
    ) {
        let Some(s) = load.slot(&prefix) else {
            self.foreign.insert(prefix);
            return;
        };
        let i = s.tester * self.per_tester + s.position;
        if s.tester == self.client {
            self.set(i, held::OWN, ok_total);
            return;
        }
        let set_id = load
            .set_of(s)
            .map_or(usize::MAX, |x| x as usize * 2 + usize::from(prefix.addr().is_ipv6()));
        let equal = match *last {
            Some((id, eq)) if id == set_id => eq,
            _ => {
                let eq = load.expected_at(s, prefix.addr().is_ipv6()) == Some(&**got);
                *last = Some((set_id, eq));
                eq
            }
        };
        if equal {
            self.set(i, held::OK, ok_total);
        } else {
            self.set(i, held::WRONG, ok_total);
            self.wrong.insert(i, got.clone());
        }
    }

    /// Applies one received UPDATE; `ok_total` counts verified routes of all monitors.
    pub fn apply(&mut self, load: &Load, view: &UpdateView, ok_total: &AtomicU64) {
        for n in view.withdrawn_ipv4() {
            self.withdraw(load, IpNet::V4(n.prefix), ok_total);
        }
        if let Some(un) = view.mp_unreach() {
            for n in un.ipv4() {
                self.withdraw(load, IpNet::V4(n.prefix), ok_total);
            }
            for n in un.ipv6() {
                self.withdraw(load, IpNet::V6(n.prefix), ok_total);
            }
        }
        let reach = view.mp_reach();
        let has_v4 = view.announced_ipv4().next().is_some();
        if !has_v4 && reach.is_none() {
            return;
        }
        let (mut a, mp_nh) = received_attrs(view);
        let mut last = None;
        if has_v4 {
            let got = Arc::new(a.clone());
            for n in view.announced_ipv4() {
                self.announce(load, IpNet::V4(n.prefix), &got, &mut last, ok_total);
            }
        }
        if let Some(r) = reach {
            a.next_hop = mp_nh;
            let got = Arc::new(a);
            last = None;
            for n in r.ipv4() {
                self.announce(load, IpNet::V4(n.prefix), &got, &mut last, ok_total);
            }
            for n in r.ipv6() {
                self.announce(load, IpNet::V6(n.prefix), &got, &mut last, ok_total);
            }
        }
    }

    /// What is missing, wrong or unexpected in this table.
    pub fn verdict(&self, load: &Load) -> Verdict {
        let mut v = Verdict::default();
        let mut examples = [0usize; 3];
        let mut note = |v: &mut Verdict, kind: usize, p: Problem| {
            if examples[kind] < REPORT_LIMIT {
                examples[kind] += 1;
                v.examples.push(p);
            }
        };
        for (k, prefixes) in load.prefixes.iter().enumerate() {
            for (pos, p) in prefixes.iter().enumerate() {
                let i = k * self.per_tester + pos;
                let state = self.state.get(i).copied().unwrap_or(held::NONE);
                let want = || load.expected(p).map(|(_, a)| a.to_string());
                let problem = |expected, received| Problem {
                    monitor: self.client,
                    prefix: p.to_string(),
                    expected,
                    received,
                };
                match state {
                    held::NONE if k != self.client => {
                        v.missing += 1;
                        note(&mut v, 0, problem(want(), None));
                    }
                    held::WRONG => {
                        v.wrong += 1;
                        let got = self.wrong.get(&i).map(|a| a.to_string());
                        note(&mut v, 1, problem(want(), got));
                    }
                    held::OWN => {
                        v.unexpected += 1;
                        note(&mut v, 2, problem(None, Some("held".into())));
                    }
                    _ => {}
                }
            }
        }
        for p in &self.foreign {
            v.unexpected += 1;
            note(
                &mut v,
                2,
                Problem {
                    monitor: self.client,
                    prefix: p.to_string(),
                    expected: None,
                    received: Some("held".into()),
                },
            );
        }
        v
    }
}
