//! The import chain's steps, each a pure function of its inputs. They run only through
//! [`super::verdict`], which puts them in order.

use crate::asn::{is_bogon_asn, is_private_asn};
use crate::attrs::{AttrInfo, AttrSet};
use crate::config::ImportConfig;
use crate::hash::FxHashSet;
use crate::prefix::RoutePrefix;
use crate::reason::RejectReason;
use crate::rpki::{RoaTable, RpkiState};
use std::net::IpAddr;

/// Steps 1 and 2: the prefix alone.
#[inline]
pub fn check_prefix<P: RoutePrefix>(prefix: P, cfg: &ImportConfig) -> Option<RejectReason> {
    let (min, max) = P::length_bounds(cfg);
    let len = prefix.length();
    if len < min {
        return Some(RejectReason::PrefixTooShort);
    }
    if len > max {
        return Some(RejectReason::PrefixTooLong);
    }
    if prefix.is_bogon() {
        return Some(RejectReason::BogonPrefix);
    }
    None
}

/// What the attribute steps need to know about the sending session.
#[derive(Clone, Copy, Debug)]
pub struct Sender<'a> {
    /// The client's ASN.
    pub asn: u32,
    /// The session address.
    pub address: IpAddr,
    /// Session addresses of other sessions whose client has the same ASN (for the same-AS
    /// next-hop exception).
    pub same_as_addresses: &'a [IpAddr],
}

/// Steps 3 to 7 and the Peering Service checks: the attribute set alone, for one session.
pub fn check_attributes(
    set: &AttrSet,
    sender: &Sender<'_>,
    cfg: &ImportConfig,
    registered: &FxHashSet<u32>,
) -> Option<RejectReason> {
    let info = &set.info;
    let path = set.as_path();
    if info.asn_count == 0 {
        return Some(RejectReason::AsPathEmpty);
    }
    if info.asn_count > cfg.max_as_path_length {
        return Some(RejectReason::AsPathTooLong);
    }
    if info.has_set {
        return Some(RejectReason::AsPathHasSet);
    }
    if info.first_asn != Some(sender.asn) {
        return Some(RejectReason::FirstAsNotClient);
    }
    let nh_ok = match info.next_hop {
        Some(nh) if nh == sender.address => true,
        Some(nh) => cfg.allow_same_as_next_hop && sender.same_as_addresses.contains(&nh),
        None => false,
    };
    if !nh_ok {
        return Some(RejectReason::NextHopNotClient);
    }
    if cfg.reject_bogon_asns && path.asns().any(is_bogon_asn) {
        return Some(RejectReason::BogonAsnInPath);
    }
    if cfg.peering_service {
        if info.asn_count > 3 {
            return Some(RejectReason::PeeringServicePathTooLong);
        }
        let mut prev = None;
        for asn in path.asns() {
            if prev == Some(asn) {
                return Some(RejectReason::PeeringServicePrepended);
            }
            prev = Some(asn);
        }
        if path.asns().any(is_private_asn) {
            return Some(RejectReason::PeeringServicePrivateAsn);
        }
    }
    if cfg.require_registered_origin && !info.origin_asn.is_some_and(|o| registered.contains(&o)) {
        return Some(RejectReason::OriginNotRegistered);
    }
    None
}

/// Step 8: RPKI origin validation, when switched on.
#[inline]
pub fn check_rpki<P: RoutePrefix>(
    prefix: P,
    info: &AttrInfo,
    cfg: &ImportConfig,
    roas: &RoaTable,
) -> Option<RejectReason> {
    if cfg.rpki.reject_invalid && roas.validate(prefix.to_ipnet(), info.origin_asn) == RpkiState::Invalid {
        return Some(RejectReason::RpkiInvalid);
    }
    None
}
