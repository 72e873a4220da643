//! The registered customer ASNs (the AS8075 rule) and policy re-evaluation. A change is
//! re-applied to the routes already received, in both directions, without resetting any
//! session: newly allowed routes become accepted (and are exported), newly refused ones are
//! rejected (and withdrawn from every client). Each stored route goes through the same
//! import verdict as at ingest ([`crate::policy::verdict`]).

use super::{FamilyTable, RouteServer};
use crate::attrs::AttrInfo;
use crate::rpki::RoaTable;
use ipnet::{Ipv4Net, Ipv6Net};

impl RouteServer {
    /// Registers a customer ASN; returns false when it was already registered. Routes whose
    /// origin is `asn` are re-evaluated at once.
    pub fn register_asn(&mut self, asn: u32) -> bool {
        if !self.policy.registered.insert(asn) {
            return false;
        }
        tracing::info!(asn, "customer ASN registered");
        self.reevaluate(|i| i.origin_asn == Some(asn));
        true
    }

    /// Deregisters a customer ASN; returns false when it was not registered. Routes whose
    /// origin is `asn` are rejected and withdrawn from every client at once.
    pub fn deregister_asn(&mut self, asn: u32) -> bool {
        if !self.policy.registered.remove(&asn) {
            return false;
        }
        tracing::info!(asn, "customer ASN deregistered");
        self.reevaluate(|i| i.origin_asn == Some(asn));
        true
    }

    /// The registered customer ASNs, ascending.
    pub fn registered_asns(&self) -> Vec<u32> {
        let mut v: Vec<u32> = self.policy.registered.iter().copied().collect();
        v.sort_unstable();
        v
    }

    /// Replaces the ROA set and re-evaluates every route.
    pub fn set_roas(&mut self, roas: RoaTable) {
        self.policy.roas = roas;
        self.reevaluate(|_| true);
    }

    /// Re-runs the import chain on every stored route whose attribute set matches `affected`.
    fn reevaluate(&mut self, affected: impl Fn(&AttrInfo) -> bool + Copy) {
        self.attrs.clear_verdicts();
        self.reevaluate_family::<Ipv4Net>(affected);
        self.reevaluate_family::<Ipv6Net>(affected);
    }

    fn reevaluate_family<P: FamilyTable>(&mut self, affected: impl Fn(&AttrInfo) -> bool) {
        let count = P::of(&self.tables).index_bound();
        for idx in 0..count {
            let Some(prefix) = P::of(&self.tables).prefix(idx) else {
                continue;
            };
            let mut changed = false;
            for i in 0..P::of(&self.tables).candidates(idx).len() {
                let c = P::of(&self.tables).candidates(idx)[i];
                if !self.attrs.get(c.attr).is_some_and(|set| affected(&set.info)) {
                    continue;
                }
                let Some(chain) = self.policy.chain(&mut self.attrs, &self.sessions, c.session, c.attr) else {
                    continue;
                };
                let code = chain.verdict(prefix).map_or(0, |r| r.code());
                if code != c.reason {
                    P::of_mut(&mut self.tables).candidates_mut(idx)[i].reason = code;
                    changed |= code == 0 || c.reason == 0;
                }
            }
            if changed {
                P::of_mut(&mut self.tables).mark(idx);
            }
        }
    }
}
