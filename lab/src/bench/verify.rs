//! A monitor's table: every route it received, checked against the load route by route,
//! and the report of what is missing, wrong or unexpected.

use super::load::{Load, RouteAttrs};
use bgp_core::attr::{AttrValue, NextHop};
use bgp_core::update::Update;
use bgp_core::UpdateView;
use ipnet::IpNet;
use serde::Serialize;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// Routes listed per kind of problem in a report (the counts are always complete).
pub const REPORT_LIMIT: usize = 20;

/// What a monitor holds for a prefix.
#[derive(Debug)]
enum Held {
    /// The expected route with the expected attributes.
    Ok,
    /// An expected prefix with other attributes.
    Wrong(Arc<RouteAttrs>),
    /// A prefix this monitor should not get (its own, or nobody's).
    Unexpected,
}

/// One monitor's received routes.
#[derive(Debug)]
pub struct MonitorTable {
    client: usize,
    held: HashMap<IpNet, Held>,
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

/// The attributes of a received UPDATE as a monitor compares them (next hop per family).
fn received_attrs(u: &Update) -> (RouteAttrs, Option<std::net::IpAddr>) {
    let mut a = RouteAttrs {
        as_path: u.as_path().map(|p| p.asns().collect()).unwrap_or_default(),
        next_hop: None,
        med: None,
        communities: Vec::new(),
    };
    let mut mp_nh = None;
    for attr in &u.attributes {
        match &attr.value {
            AttrValue::NextHop(n) => a.next_hop = Some((*n).into()),
            AttrValue::Med(m) => a.med = Some(*m),
            AttrValue::Communities(c) => {
                a.communities = c.clone();
                a.communities.sort();
            }
            AttrValue::MpReach(r) => {
                mp_nh = match &r.next_hop {
                    NextHop::V4(n) => Some((*n).into()),
                    NextHop::V6 { global, .. } => Some((*global).into()),
                    NextHop::Other(_) => None,
                }
            }
            _ => {}
        }
    }
    (a, mp_nh)
}

impl MonitorTable {
    /// An empty table for client `client`, which must end up with `expected` routes.
    pub fn new(client: usize, expected: usize) -> MonitorTable {
        MonitorTable {
            client,
            held: HashMap::with_capacity(expected),
            ok: 0,
        }
    }

    fn set(&mut self, prefix: IpNet, held: Option<Held>, ok_total: &AtomicU64) {
        let was_ok = matches!(self.held.get(&prefix), Some(Held::Ok));
        let now_ok = matches!(held, Some(Held::Ok));
        match held {
            Some(h) => {
                self.held.insert(prefix, h);
            }
            None => {
                self.held.remove(&prefix);
            }
        }
        if was_ok && !now_ok {
            self.ok -= 1;
            ok_total.fetch_sub(1, Ordering::Relaxed);
        } else if now_ok && !was_ok {
            self.ok += 1;
            ok_total.fetch_add(1, Ordering::Relaxed);
        }
    }

    fn announce(&mut self, load: &Load, prefix: IpNet, got: &Arc<RouteAttrs>, ok_total: &AtomicU64) {
        let h = match load.expected(&prefix) {
            Some((k, _)) if k == self.client => Held::Unexpected,
            Some((_, want)) if want == **got => Held::Ok,
            Some(_) => Held::Wrong(got.clone()),
            None => Held::Unexpected,
        };
        self.set(prefix, Some(h), ok_total);
    }

    /// Applies one received UPDATE; `ok_total` counts verified routes of all monitors.
    pub fn apply(&mut self, load: &Load, view: &UpdateView, ok_total: &AtomicU64) {
        for n in view.withdrawn_ipv4() {
            self.set(IpNet::V4(n.prefix), None, ok_total);
        }
        if let Some(un) = view.mp_unreach() {
            for n in un.ipv4() {
                self.set(IpNet::V4(n.prefix), None, ok_total);
            }
            for n in un.ipv6() {
                self.set(IpNet::V6(n.prefix), None, ok_total);
            }
        }
        let reach = view.mp_reach();
        let has_v4 = view.announced_ipv4().next().is_some();
        if !has_v4 && reach.is_none() {
            return;
        }
        let u = Update::from_view(view);
        let (mut a, mp_nh) = received_attrs(&u);
        if has_v4 {
            let got = Arc::new(a.clone());
            for n in view.announced_ipv4() {
                self.announce(load, IpNet::V4(n.prefix), &got, ok_total);
            }
        }
        if let Some(r) = reach {
            a.next_hop = mp_nh;
            let got = Arc::new(a);
            for n in r.ipv4() {
                self.announce(load, IpNet::V4(n.prefix), &got, ok_total);
            }
            for n in r.ipv6() {
                self.announce(load, IpNet::V6(n.prefix), &got, ok_total);
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
            if k == self.client {
                continue;
            }
            for p in prefixes {
                if self.held.contains_key(p) {
                    continue;
                }
                v.missing += 1;
                let want = load.expected(p).map(|(_, a)| a.to_string());
                note(
                    &mut v,
                    0,
                    Problem {
                        monitor: self.client,
                        prefix: p.to_string(),
                        expected: want,
                        received: None,
                    },
                );
            }
        }
        let mut held: Vec<(&IpNet, &Held)> = self.held.iter().collect();
        held.sort_by_key(|(p, _)| **p);
        for (p, h) in held {
            match h {
                Held::Ok => {}
                Held::Wrong(got) => {
                    v.wrong += 1;
                    let want = load.expected(p).map(|(_, a)| a.to_string());
                    note(
                        &mut v,
                        1,
                        Problem {
                            monitor: self.client,
                            prefix: p.to_string(),
                            expected: want,
                            received: Some(got.to_string()),
                        },
                    );
                }
                Held::Unexpected => {
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
            }
        }
        v
    }
}
