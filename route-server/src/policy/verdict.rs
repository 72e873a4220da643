//! The import verdict: the chain of [`super::steps`] in order, written once. The
//! attribute-only steps run once per (attribute set, session) and are cached in the set; per
//! prefix only the prefix steps and the RPKI lookup run.

use super::steps::{check_attributes, check_prefix, check_rpki, Sender};
use super::ImportPolicy;
use crate::attrs::{AttrId, AttrInfo, AttrStore};
use crate::prefix::RoutePrefix;
use crate::reason::RejectReason;
use crate::session::Session;
use std::net::IpAddr;

/// The chain for the routes of one attribute set received on one session: the
/// attribute-only verdict is known; [`RouteChain::verdict`] adds the per-prefix steps.
#[derive(Clone, Copy, Debug)]
pub struct RouteChain<'a> {
    policy: &'a ImportPolicy,
    info: &'a AttrInfo,
    attributes: Option<RejectReason>,
}

impl RouteChain<'_> {
    /// The import verdict on `prefix` (normalized) with this chain's attribute set: `None`
    /// when accepted, else the first failing step's reason.
    #[inline]
    pub fn verdict<P: RoutePrefix>(&self, prefix: P) -> Option<RejectReason> {
        check_prefix(prefix, &self.policy.config)
            .or(self.attributes)
            .or_else(|| check_rpki(prefix, self.info, &self.policy.config, &self.policy.roas))
    }

    /// The attribute set's summary.
    pub fn info(&self) -> &AttrInfo {
        self.info
    }
}

impl ImportPolicy {
    /// The chain for attribute set `attr` received on session `sid` of `sessions`; `None`
    /// when the set is not live. Runs the attribute-only steps unless their verdict is
    /// cached in the set.
    pub(crate) fn chain<'a>(
        &'a self,
        attrs: &'a mut AttrStore,
        sessions: &[Session],
        sid: u16,
        attr: AttrId,
    ) -> Option<RouteChain<'a>> {
        let set = attrs.get_mut(attr)?;
        let attributes = match set.verdict(sid) {
            Some(v) => v,
            None => {
                let s = &sessions[sid as usize];
                let same_as = self.same_as_addresses(sessions, s);
                let sender = Sender {
                    asn: s.config.asn,
                    address: s.config.address,
                    same_as_addresses: &same_as,
                };
                let v = check_attributes(set, &sender, &self.config, &self.registered);
                set.set_verdict(sid, v);
                v
            }
        };
        Some(RouteChain {
            policy: self,
            info: &set.info,
            attributes,
        })
    }

    /// Session addresses of the other sessions of clients with `s`'s ASN, when the same-AS
    /// next-hop exception is switched on.
    fn same_as_addresses(&self, sessions: &[Session], s: &Session) -> Vec<IpAddr> {
        if !self.config.allow_same_as_next_hop {
            return Vec::new();
        }
        sessions
            .iter()
            .filter(|o| o.config.asn == s.config.asn && o.config.address != s.config.address)
            .map(|o| o.config.address)
            .collect()
    }
}
