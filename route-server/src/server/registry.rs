//! The registered customer ASNs (the AS8075 rule) and policy re-evaluation. A change is
//! re-applied to the routes already received, in both directions, without resetting any
//! session: newly allowed routes become accepted (and are exported), newly refused ones are
//! rejected (and withdrawn from every client).

use super::{attr_verdict, FamilyTable, RouteServer};
use crate::attrs::AttrInfo;
use crate::policy::{check_prefix, check_rpki};
use crate::rpki::RoaTable;
use ipnet::{Ipv4Net, Ipv6Net};

impl RouteServer {
    /// Registers a customer ASN; returns false when it was already registered. Routes whose
    /// origin is `asn` are re-evaluated at once.
    pub fn register_asn(&mut self, asn: u32) -> bool {
        if !self.registered.insert(asn) {
            return false;
        }
        tracing::info!(asn, "customer ASN registered");
        self.reevaluate(|i| i.origin_asn == Some(asn));
        true
    }

    /// Deregisters a customer ASN; returns false when it was not registered. Routes whose
    /// origin is `asn` are rejected and withdrawn from every client at once.
    pub fn deregister_asn(&mut self, asn: u32) -> bool {
        if !self.registered.remove(&asn) {
            return false;
        }
        tracing::info!(asn, "customer ASN deregistered");
        self.reevaluate(|i| i.origin_asn == Some(asn));
        true
    }

    /// The registered customer ASNs, ascending.
    pub fn registered_asns(&self) -> Vec<u32> {
        let mut v: Vec<u32> = self.registered.iter().copied().collect();
        v.sort_unstable();
        v
    }

    /// Replaces the ROA set and re-evaluates every route.
    pub fn set_roas(&mut self, roas: RoaTable) {
        self.roas = roas;
        self.reevaluate(|_| true);
    }

    /// Re-runs the import chain on every stored route whose attribute set matches `affected`.
    fn reevaluate(&mut self, affected: impl Fn(&AttrInfo) -> bool + Copy) {
        self.attrs.clear_verdicts();
        self.reevaluate_family::<Ipv4Net>(affected);
        self.reevaluate_family::<Ipv6Net>(affected);
    }

    fn reevaluate_family<P: FamilyTable>(&mut self, affected: impl Fn(&AttrInfo) -> bool) {
        let count = P::of(&self.tables).prefix_count();
        for idx in 0..count {
            let n = P::of(&self.tables).candidates(idx).len();
            let Some(prefix) = P::of(&self.tables).prefix(idx) else {
                continue;
            };
            let mut changed = false;
            for i in 0..n {
                let c = P::of(&self.tables).candidates(idx)[i];
                let Some(set) = self.attrs.get(c.attr) else { continue };
                if !affected(&set.info) {
                    continue;
                }
                let verdict = attr_verdict(
                    &mut self.attrs,
                    &self.sessions,
                    &self.import,
                    &self.registered,
                    c.session,
                    c.attr,
                );
                let mut reason = check_prefix(prefix, &self.import).or(verdict);
                if reason.is_none() {
                    if let Some(set) = self.attrs.get(c.attr) {
                        reason = check_rpki(prefix, &set.info, &self.import, &self.roas);
                    }
                }
                let code = reason.map_or(0, |r| r.code());
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
